"""The one shell every explorer shares: a matplotlib Figure, drawn by Agg, shown as a PNG.

Each explorer is *state, compute, draw, wire*: a pure ``compute_*`` function turns the
control values into a state, a pure ``draw_*(fig, state)`` draws that state into a Figure,
and a thin ``Explorer`` subclass wires the sliders to them. This module holds the wiring.

Why a PNG in an ``ipywidgets.Image`` (and not ipympl): the same bytes work in JupyterLab,
Notebook 7, VS Code and in tests without a front end, need no front-end extension, and a
redraw is one message. Clicking on the figure is not supported; every selection has a
control instead.

Why an ``image/png`` beside the widget in ``_repr_mimebundle_``: a front end that runs
widgets (JupyterLab, Notebook 7, VS Code) prefers the live widget, while a viewer without a
kernel (GitHub, nbviewer, an HTML export) can fall back to the picture of the explorer as
it was first shown.

Updates are synchronous: setting ``explorer.controls['stride'].value = 2`` recomputes,
redraws and re-encodes before it returns, so tests (and notebooks) can drive an explorer
like a student would. Nothing raised while updating escapes into the front end, which
would swallow it silently; it is kept in ``explorer.error`` and shown in the figure.
"""

from __future__ import annotations

import abc
import base64
import html
import io
import textwrap
import traceback
from contextlib import contextmanager

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

from cnnlab.widgets._draw import COLORS, DPI, MIN_TEXT_PX, smallest_text_px

__all__ = ["Explorer", "new_figure", "figure_png", "slider", "clamp_slider", "wrap", "COLORS", "DPI", "MIN_TEXT_PX"]


def new_figure(width: float, height: float, dpi: int = DPI) -> Figure:
    """A Figure with its own Agg canvas: no pyplot, no global state, no GUI backend."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig: Figure) -> bytes:
    """The figure drawn by Agg and encoded as a 256-colour PNG.

    The explorers' pictures are flat colours, text and a few colour maps, so a palette of 256
    colours (Pillow's fast octree) looks the same as full colour at about a third of the
    bytes, and quantizing plus encoding takes less time than encoding full colour: what
    travels to the browser on every slider step is small.
    """
    fig.canvas.draw()
    buffer = fig.canvas.buffer_rgba()
    width, height = fig.canvas.get_width_height()
    image = PILImage.frombuffer("RGBA", (width, height), buffer, "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.quantize(256, method=PILImage.Quantize.FASTOCTREE).save(out, format="png", compress_level=3)
    return out.getvalue()


def wrap(text: str, width: int = 110) -> str:
    """``text`` wrapped to lines of at most ``width`` characters (paragraphs kept)."""
    return "\n".join(textwrap.fill(line, width) if line else "" for line in text.split("\n"))


def draw_message(fig: Figure, message: str) -> list:
    """Replace the figure's contents with one centred message (used only when drawing failed)."""
    fig.clear()
    return [fig.text(0.5, 0.5, wrap(message, 90), ha="center", va="center", color=COLORS["vermillion"])]


class Explorer(abc.ABC):
    """Base of the explorers: controls -> compute -> draw -> PNG, with a static fallback.

    Subclasses set ``self.controls`` (name -> widget) before calling ``__init__`` of this
    class, and define ``compute()`` (control values -> state, never raising for any value a
    control can take) and ``draw(state)``. Optionally ``sync_controls()`` adjusts controls
    that depend on others (e.g. the range of a selection slider), ``extra_widgets()`` adds
    widgets below the controls, and ``status`` explains the current state.
    """

    figsize = (9.0, 4.5)

    def __init__(self, controls: dict):
        self.controls = dict(controls)
        self.figure = new_figure(*self.figsize)
        # The width it is given, up to its own pixel width (sharp): shrunk in a narrow notebook, never stretched.
        width = f"{round(self.figsize[0] * DPI)}px"
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width=width, height="auto"))
        # What the figure says, as text beside it: read by a screen reader (role=status, announced
        # when it changes), copied, searched. (ipywidgets' Image has no alt text, and setting its
        # tooltip makes JupyterLab's widget manager 3.0 fail to render the image at all.)
        self.caption = widgets.HTML(layout=widgets.Layout(width="100%", max_width=width))
        self.caption.add_class("cnnlab-caption")
        self.state = None
        self.error = None  # the last exception raised while updating, if any (kept, never raised)
        self._holding = 0
        self._fitted = {}  # name -> (value, grid shape) at the last fit_cell_slider
        self._png = b""
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [self._control_grid(), *self.extra_widgets(), self.image, self.caption],
            layout=widgets.Layout(align_items="flex-start"),
        )
        self.update()

    # -- the wiring ------------------------------------------------------------------------

    def _control_grid(self) -> widgets.Widget:
        """The controls in rows that wrap to the notebook's width, so none is ever out of sight."""
        shown = [c for c in self.controls.values() if c.layout.display != "none"]
        for control in shown:
            control.layout.margin = "2px 16px 2px 0"
            control.layout.max_width = "100%"
        return widgets.Box(shown, layout=widgets.Layout(display="flex", flex_flow="row wrap", width="100%"))

    def extra_widgets(self) -> list:
        return []

    def _on_change(self, change) -> None:
        if not self._holding:
            self.update()

    @contextmanager
    def hold(self):
        """Change several controls at once and redraw once at the end::

        with explorer.hold():
            explorer.controls["stride"].value = 2
            explorer.controls["pad"].value = 1
        """
        self._holding += 1
        try:
            yield self
        finally:
            self._holding -= 1
            if not self._holding:
                self.update()

    def update(self) -> None:
        """Recompute and redraw from the current control values (what every control change runs)."""
        try:
            self._holding += 1
            try:
                self.sync_controls()
            finally:
                self._holding -= 1
            self.state = self.compute()
            self.draw(self.state)
            self._png = figure_png(self.figure)
            self.error = None
        except Exception as exc:  # a bug, not a bad configuration: show it, never raise into the UI
            self.error = exc
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            try:
                draw_message(self.figure, f"Something went wrong drawing this explorer (a bug, please report it):"
                                          f"\n{detail}")  # fmt: skip
                self._png = figure_png(self.figure)
            except Exception:  # noqa: S110 - keep the last good picture rather than raise into the front end
                pass
        self.image.value = self._png
        self._tag_text_size()
        self.caption.value = caption_html(self.summary)

    def _tag_text_size(self) -> None:
        """Tell the front end the smallest text in the PNG (a CSS class, in tenths of a pixel).

        The browser test reads it and scales it by how wide the figure is shown, to check the
        smallest text a student sees; ``cnnlab.widgets._draw.smallest_text_px`` measures it.
        """
        px = smallest_text_px(self.figure)
        classes = [c for c in self.image._dom_classes if not c.startswith("cnnlab-text-min-")]
        if px is not None:
            classes.append(f"cnnlab-text-min-{int(px * 10 + 1e-6)}")
        self.image._dom_classes = ("cnnlab-figure", *[c for c in classes if c != "cnnlab-figure"])

    def sync_controls(self) -> None:  # noqa: B027 (an optional hook: most explorers need none)
        """Adjust controls that depend on others (called with observers held)."""

    def fit_cell_slider(self, name: str, shape) -> None:
        """Fit a row-major cell-selection slider to a grid of ``shape`` (None: nothing to select).

        If the student did not move the slider since the last fit, the same (row, column) stays
        selected in the new grid (clamped); if they did, their value counts in the new grid.
        """
        control = self.controls[name]
        fitted = self._fitted.get(name)
        if shape is None:
            clamp_slider(control, 0, 0, 0)
            self._fitted[name] = None
            return
        rows, cols = shape
        if fitted is not None and fitted[0] is not None and control.value == fitted[0]:
            r, c = divmod(control.value, fitted[1][1])
        else:
            r, c = divmod(min(control.value, rows * cols - 1), cols)
        clamp_slider(control, 0, rows * cols - 1, min(r, rows - 1) * cols + min(c, cols - 1))
        self._fitted[name] = (control.value, shape)

    @abc.abstractmethod
    def compute(self):
        """The state to show, from the controls' values."""

    @abc.abstractmethod
    def draw(self, state) -> list:
        """Draw ``state`` into ``self.figure``; the artists drawn."""

    # -- what the explorer shows -----------------------------------------------------------

    @property
    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    @property
    def summary(self) -> str:
        """What the figure shows, in words: the text beside it (and in text/plain)."""
        if self.error is not None or self.state is None:
            return self.status
        try:
            return self.describe(self.state)
        except Exception as exc:  # a bug in describe: say so rather than raise into the front end
            return f"internal error describing this explorer: {type(exc).__name__}: {exc}"

    def describe(self, state) -> str:
        """The figure in words, for ``summary`` (subclasses say more than the status)."""
        return getattr(state, "status", "")

    @property
    def status(self) -> str:
        """What the student should be told about this configuration ('' when nothing)."""
        if self.error is not None:
            return f"internal error: {type(self.error).__name__}: {self.error}"
        return getattr(self.state, "status", "")

    def png(self) -> bytes:
        """The PNG of the figure as it is now."""
        return self._png

    def save(self, path) -> None:
        """Write the current picture to ``path`` (a .png file)."""
        with open(path, "wb") as f:
            f.write(self._png)

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({settings})"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget for front ends that run widgets, and a PNG for those that cannot."""
        data = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        data["image/png"] = base64.b64encode(self._png).decode("ascii")
        data["text/plain"] = repr(self) + (f"\n{self.summary}" if self.summary else "")
        if include is not None:
            data = {k: v for k, v in data.items() if k in include}
        if exclude is not None:
            data = {k: v for k, v in data.items() if k not in exclude}
        return data


def caption_html(words: str) -> str:
    """The words beside an explorer's figure: paragraphs that wrap at spaces, announced when they change."""
    paragraphs = "".join(f"<p style='margin:0 0 4px 0'>{html.escape(p)}</p>" for p in words.split("\n") if p.strip())
    style = "white-space:normal;overflow-wrap:normal;word-break:normal;line-height:1.4;font-size:13px;max-width:100%"
    return f"<div role='status' aria-live='polite' class='cnnlab-summary' style='{style}'>{paragraphs}</div>"


def slider(description: str, value: int, low: int, high: int, **kwargs) -> widgets.IntSlider:
    """An IntSlider with the explorers' look (readable description, values updated while dragging)."""
    return widgets.IntSlider(
        value=value,
        min=low,
        max=high,
        description=description,
        style={"description_width": "90px"},
        layout=widgets.Layout(width="300px"),
        **kwargs,
    )


def clamp_slider(control: widgets.IntSlider, low: int, high: int, value: int | None = None) -> None:
    """Set a slider's range (and value), in an order traitlets accepts; disables an empty range."""
    high = max(high, low)
    if control.min > high:
        control.min = low
        control.max = high
    else:
        control.max = high
        control.min = low
    if value is not None:
        control.value = int(min(max(value, low), high))
    control.disabled = high == low
