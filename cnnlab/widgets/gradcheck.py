"""GradcheckViewer: where an analytic gradient disagrees with the numerical one.

Introduced in lesson 2 (naive convolution) and used in every later lesson. It draws the
per-element relative error as a heat map (``cnnlab.gradcheck.draw_error_map``: one map per
(sample, channel), dark = agreement, bright = disagreement), numbers the worst elements on
it and lists them with both values (``cnnlab.gradcheck.worst_entries``), and says where the
wrong elements are: everywhere, or only on the border of the maps (a padding mistake), or
on a few scattered elements (a kink that the numerical step crossed).

    GradcheckViewer(dx, dx_num, name="dx")

Controls: 'threshold' (which errors count as wrong) and 'worst' (how many are listed).
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from cnnlab import gradcheck, shapes
from cnnlab.widgets._draw import clear_figure, fast_ticks, labels, panel, place, text
from cnnlab.widgets._render import COLORS, Explorer, slider, wrap

__all__ = ["GradcheckState", "compute_gradcheck", "draw_gradcheck", "GradcheckViewer", "mosaic_position"]

THRESHOLDS = (1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)


@dataclass(frozen=True, kw_only=True)
class GradcheckState:
    """What GradcheckViewer shows about one gradient."""

    name: str
    analytic: np.ndarray
    numeric: np.ndarray
    errors: np.ndarray  # relative error per element, the shape of the gradient
    wrong: np.ndarray  # bool, errors >= threshold (or NaN)
    threshold: float
    worst: list  # [(index, analytic, numeric, error)], worst first
    floor: float | None
    status: str  # the verdict and where the wrong elements are

    @property
    def passed(self) -> bool:
        return not self.wrong.any()


def compute_gradcheck(analytic, numeric, threshold=gradcheck.THRESHOLD, worst=5, name="grad", floor=None):
    """The relative errors of ``analytic`` against ``numeric`` (same shape), the worst
    ``worst`` elements, and a verdict saying where the wrong ones are. Raises ValueError
    (from cnnlab.gradcheck) only if the shapes differ, which no control can cause."""
    errors = gradcheck.relative_error_map(analytic, numeric, floor)
    wrong = np.isnan(errors) | (errors >= threshold)
    entries = gradcheck.worst_entries(analytic, numeric, worst, floor)
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    return GradcheckState(name=name, analytic=analytic, numeric=numeric, errors=errors, wrong=wrong,
                          threshold=float(threshold), worst=entries, floor=floor,
                          status=_verdict(name, errors, wrong, threshold))  # fmt: skip


def _verdict(name: str, errors: np.ndarray, wrong: np.ndarray, threshold: float) -> str:
    bound = gradcheck.error_bucket(float(np.nanmax(errors)) if errors.size else 0.0, threshold)
    if np.isnan(errors).any():
        bound = "NaN"
    if not wrong.any():
        return f"{name} {errors.shape}: PASS, max relative error {bound}."
    n, total = int(wrong.sum()), wrong.size
    text = f"{name} {errors.shape}: FAIL, max relative error {bound}, wrong at {n} of {total} elements"
    if np.isnan(errors).any():
        return text + ": some gradients are NaN (look for a division by zero or an uninitialized array)."
    if errors.ndim >= 2 and min(errors.shape[-2:]) >= 3:
        border = np.ones(errors.shape[-2:], dtype=bool)
        border[1:-1, 1:-1] = False
        if not (wrong & ~border).any():
            return text + ": all on the border rows/columns of the maps (look at how padding is handled)."
    if n == total:
        return text + ": every element (a wrong formula, or a missing factor)."
    if n <= max(2, total // 50) and float(np.nanmax(errors)) < 1e-2:
        return text + ": a few, with small errors (a kink like relu or max that the step h crossed?)."
    return text + "."


def mosaic_position(index, shape) -> tuple[int, int]:
    """(row, column) of element ``index`` of an array of ``shape`` in draw_error_map's mosaic.

    The layout draw_error_map documents: 0-D/1-D one row; 2-D one map; 3-D (C, H, W) maps in
    a row; 4-D (N, C, H, W) a grid, sample n in row n; more dimensions folded into the rows.
    """
    index, shape = tuple(index), tuple(shape)
    if len(shape) <= 1:
        return 0, (index[0] if index else 0)
    if len(shape) == 2:
        return index[0], index[1]
    if len(shape) == 3:
        C, H, W = shape
        return index[1], index[0] * (W + 1) + index[2]
    *lead, C, H, W = shape
    n = int(np.ravel_multi_index(index[: len(lead)], lead))
    c, i, j = index[len(lead) :]
    return n * (H + 1) + i, c * (W + 1) + j


# ---------------------------------------------------------------------------------------------
# Drawing


def draw_gradcheck(fig, state: GradcheckState) -> list:
    """The heat map (wrong elements outlined, the worst numbered) and the list of the worst.

    The heat map and its colour bar depend only on the two gradients: when ``fig`` already
    shows them (a control changed), only the outlines, numbers and texts are redrawn.
    Returns the artists drawn.
    """
    clear_figure(fig)
    ax = next((a for a in fig.axes if a.get_label() == "errors"), None)
    source = (state.analytic, state.numeric, state.floor)
    shown = getattr(ax, "_cnnlab_source", (None, None, None))
    if ax is None or not all(a is b for a, b in zip(shown, source)):
        heat = _draw_heat_map(fig, state)
        ax = heat[0].axes
        ax._cnnlab_source = source
        ax._cnnlab_overlay = []
    else:
        heat = []
    for artist in ax._cnnlab_overlay:
        artist.remove()
    overlay = []
    if state.wrong.any():  # outline every wrong element, visible on dark and on bright cells
        rows, cols = zip(*[mosaic_position(i, state.errors.shape) for i in zip(*np.nonzero(state.wrong))])
        size = 44 if state.errors.size < 400 else 14
        for color, width in (("white", 2.2), (COLORS["ink"], 0.9)):
            overlay.append(ax.scatter(cols, rows, s=size, marker="s", facecolors="none", edgecolors=color,
                                      linewidths=width))  # fmt: skip
    marks = [mosaic_position(index, state.errors.shape) for index, *_ in state.worst]
    if marks:
        xy = [(c, r) for r, c in marks]
        overlay.append(ax.scatter([c for c, _ in xy], [r for _, r in xy], s=110, color="white", edgecolors="none"))
        overlay.append(labels(ax, xy, [str(k + 1) for k in range(len(marks))], 8, COLORS["ink"]))
    title = (f"Relative error of {state.name} {state.errors.shape}, analytic vs numerical\n"
             f"outlined: error ≥ {state.threshold:.0e} (the threshold);  numbered: the worst")  # fmt: skip
    # The title changes with the threshold and lives on the kept axes: it belongs to the overlay,
    # which the next redraw removes (else each change would print a new title over the old one).
    overlay.append(text(ax, 0, 1, title, 10, va="bottom", transform=ax.transAxes, shift=(0, 6)))
    ax._cnnlab_overlay = overlay
    artists = heat + overlay
    lines = [f"The {len(state.worst)} worst elements:"]
    for k, (index, a, n, err) in enumerate(state.worst):
        a_text, n_text = gradcheck.format_pair(a, n)
        lines.append(f"{k + 1}. {state.name}{list(index)}")
        lines.append(f"     error {gradcheck.error_bucket(err, state.threshold)}")
        lines.append(f"     analytic {a_text}")
        lines.append(f"     numerical {n_text}")
    artists.append(text(fig, 6.75 / 9, 1 - 0.8 / 4.5, "\n".join(lines), 8, va="top", linespacing=1.2))
    color = COLORS["green"] if state.passed else COLORS["vermillion"]
    artists.append(text(fig, 0.5, 0.03, wrap(state.status, 110), 10, color, ha="center", va="bottom"))
    return artists


def _draw_heat_map(fig, state: GradcheckState) -> list:
    ax = panel(fig, "errors", place(fig, 0.55, 0.95, 5.0, 2.75))
    artists = list(gradcheck.draw_error_map(ax, state.analytic, state.numeric, title="", floor=state.floor,
                                            colorbar=False))  # fmt: skip
    cax = panel(fig, "colorbar", place(fig, 5.75, 0.95, 0.13, 2.75))
    cax.cla()
    bar = fig.colorbar(artists[0], cax=cax)
    bar.set_label("relative error (log scale)")
    artists += fast_ticks(ax) + fast_ticks(cax, 7.5)  # the same labels, drawn faster
    return artists + [bar]


# ---------------------------------------------------------------------------------------------
# The widget


class GradcheckViewer(Explorer):
    """Where an analytic gradient is wrong, as a heat map with the worst elements (lesson 2 onwards).

    ``GradcheckViewer(analytic, numeric, name="dx")``. Controls (``.controls``):
    'threshold' (errors at or above it count as wrong; default cnnlab.gradcheck.THRESHOLD)
    and 'worst' (how many elements are listed). ``.status`` is the verdict and where the
    wrong elements are; ``.state`` is a GradcheckState. ``GradcheckViewer.from_comparison``
    takes a ``cnnlab.gradcheck.GradientComparison`` (one entry of a report).
    """

    figsize = (9.0, 4.5)

    def __init__(self, analytic, numeric, name="grad", threshold=None, worst=None, floor=None):
        a = shapes.check_array("analytic", analytic).astype(np.float64)
        n = shapes.check_array("numeric", numeric).astype(np.float64)
        gradcheck.relative_error_map(a, n)  # raises if the shapes differ
        if not isinstance(name, str):
            raise TypeError(f"name must be a string (the gradient's name, e.g. 'dx'), got {name!r}")
        threshold = gradcheck.THRESHOLD if threshold is None else threshold
        threshold = shapes.check_real("threshold", threshold, "a relative error > 0 and <= 1", 0, 1, low_open=True)
        worst = min(5, max(a.size, 1)) if worst is None else worst
        why = f"how many elements are listed, at most 6 and at most the {a.size} there are"
        worst = shapes.check_setting("worst", worst, 1, min(6, max(a.size, 1)), why)
        if floor is not None:
            floor = shapes.check_real("floor", floor, "None or a number >= 0", 0)
        self._arrays = (a, n)
        self._name, self._floor = name, floor
        options = sorted(set(THRESHOLDS) | {float(threshold)})
        controls = {
            "threshold": widgets.SelectionSlider(
                options=[(f"{t:.0e}", t) for t in options],
                value=float(threshold),
                description="threshold",
                style={"description_width": "90px"},
                layout=widgets.Layout(width="300px"),
            ),  # fmt: skip
            "worst": slider("worst listed", worst, 1, min(6, max(a.size, 1))),
        }
        super().__init__(controls)

    @classmethod
    def from_comparison(cls, comparison, **kwargs):
        """A viewer for one gradient of a ``GradcheckReport`` (``report['dx']``)."""
        kwargs.setdefault("threshold", comparison.threshold)
        return cls(comparison.analytic, comparison.numeric, name=comparison.name, floor=comparison.floor, **kwargs)

    def compute(self) -> GradcheckState:
        v = self.values
        return compute_gradcheck(*self._arrays, v["threshold"], v["worst"], self._name, self._floor)

    def draw(self, state: GradcheckState) -> list:
        return draw_gradcheck(self.figure, state)

    def describe(self, state: GradcheckState) -> str:
        lines = [state.status]
        for k, (index, a, n, err) in enumerate(state.worst):
            a_text, n_text = gradcheck.format_pair(a, n)
            lines.append(f"{k + 1}. {state.name}{list(index)}: error {gradcheck.error_bucket(err, state.threshold)}, "
                         f"analytic {a_text}, numerical {n_text}")  # fmt: skip
        return "\n".join(lines)

    @property
    def passed(self) -> bool:
        return self.state is not None and self.state.passed
