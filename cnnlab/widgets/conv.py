"""ConvExplorer: which inputs one output reads, and why the output has the size it has.

Introduced in lesson 1 (convolution arithmetic). The student moves sliders for the input
size, filter size, stride, padding and dilation, and sees

- the padded input, with the cells the selected output reads (its receptive field),
  the padding, and any input rows/columns no window ever reaches;
- the filter (with its dilation), and the output grid with the selected cell;
- the output-size formula filled in with the current numbers;
- a sentence saying why a configuration has no output, or what the stride leaves out.

The numbers in the cells are a real convolution: ``conv_forward_im2col`` of the input
shown with the filter shown (no bias), so out[r, c] is the sum of the blue inputs times
the filter. Sizes, windows and the rows never read come from ``cnnlab.geometry``; an impossible
configuration is explained with the same words the layers' error would use.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from cnnlab import geometry, shapes
from cnnlab.layers import conv_forward_im2col
from cnnlab.widgets._draw import (
    axis_words,
    cell_font,
    cells,
    clear_figure,
    format_number,
    formula_text,
    grid,
    outline,
    panel,
    place,
    rgb,
    span_text,
    text,
    tint,
)
from cnnlab.widgets._render import COLORS, Explorer, clamp_slider, slider, wrap

__all__ = ["ConvState", "compute_conv", "draw_conv", "describe_conv", "ConvExplorer"]

MAX_SIZE = 16
_DEMO_X = np.random.default_rng(7).integers(0, 10, (MAX_SIZE, MAX_SIZE)).astype(np.float64)  # digits 0..9
_DEMO_W = np.random.default_rng(3).integers(-1, 2, (9, 9)).astype(np.float64)  # taps -1, 0, 1
NUMBERS_UP_TO = 11  # write numbers into grids at most this many cells wide


@dataclass(frozen=True, kw_only=True)
class ConvState:
    """What ConvExplorer shows. Sizes are (h, w) pairs; arrays are in padded coordinates."""

    input_size: tuple
    filter_size: tuple
    stride: tuple
    pad: tuple
    dilation: tuple
    padded_size: tuple  # (H + 2*ph, W + 2*pw)
    span: tuple  # the dilated filter's extent, D*(K - 1) + 1
    output_shape: tuple | None = None  # (H', W'), None when the filter does not fit
    selected: tuple | None = None  # (r, c) of the selected output cell
    window: np.ndarray  # (Hp, Wp) bool: the padded cells the selected output reads
    coverage: np.ndarray  # (Hp, Wp) int: how many outputs read each padded cell
    missed_rows: tuple = ()  # input rows (0-based) no window reads
    missed_cols: tuple = ()
    padding_only: tuple = ()  # output cells whose window reads only padding
    x: np.ndarray  # (H, W) input values
    w: np.ndarray  # (KH, KW) filter values
    out: np.ndarray | None = None  # (H', W') = conv_forward_im2col(x, w), no bias
    formula: str
    status: str

    @property
    def valid(self) -> bool:
        return self.output_shape is not None


def compute_conv(input_size, filter_size, stride=1, pad=0, dilation=1, output_cell=0, x=None, w=None) -> ConvState:
    """What the convolution explorer shows for one setting of its controls.

    Inputs:
    - input_size (H, W), filter_size (KH, KW), stride, pad, dilation: ints or (h, w) pairs
    - output_cell: the selected output, a row-major index r*W' + c or an (r, c) pair;
      clamped to the output grid
    - x: (H, W) input values, w: (KH, KW) filter values (default: small integers)
    Returns a ConvState. A filter that does not fit is not an error here: the state has
    output_shape None and a status saying why (in the words of ``cnnlab.shapes``).
    """
    size = shapes.check_pair("input_size", input_size, 1)
    kernel = shapes.check_pair("filter_size", filter_size, 1)
    stride = shapes.check_pair("stride", stride, 1)
    pad = shapes.check_pair("pad", pad, 0)
    dilation = shapes.check_pair("dilation", dilation, 1)
    (H, W), (KH, KW), (ph, pw) = size, kernel, pad
    x = _DEMO_X[:H, :W] if x is None else np.asarray(x, dtype=np.float64)
    w = _DEMO_W[:KH, :KW] if w is None else np.asarray(w, dtype=np.float64)
    padded = (H + 2 * ph, W + 2 * pw)
    span = tuple(geometry.span(k, d) for k, d in zip(kernel, dilation))
    formula = formula_text(size, kernel, stride, pad, dilation)
    setting = {"input_size": size, "filter_size": kernel, "stride": stride, "pad": pad, "dilation": dilation,
               "padded_size": padded, "span": span}  # fmt: skip
    try:
        Ho, Wo = shapes.window_output("filter", kernel, size, stride, pad, dilation)
    except ValueError as exc:  # the filter does not fit: draw the input and say why
        return ConvState(**setting, window=np.zeros(padded, dtype=bool), coverage=np.zeros(padded, dtype=int), x=x,
                         w=w, formula=formula, status=f"No output: {exc}.")  # fmt: skip

    r, c = _cell(output_cell, (Ho, Wo))
    axes = list(zip(size, kernel, stride, pad, dilation))  # (n, k, s, p, d) of the height, then of the width
    missed_rows, missed_cols = (tuple(int(i) for i in np.nonzero(geometry.never_read(*axis))[0]) for axis in axes)
    window = np.zeros(padded, dtype=bool)
    window[geometry.window(r, KH, stride[0], dilation[0]), geometry.window(c, KW, stride[1], dilation[1])] = True
    pad_only_r, pad_only_c = (_padding_only(*axis, o) for axis, o in zip(axes, (Ho, Wo)))
    padding_only = tuple((i, j) for i in range(Ho) for j in range(Wo) if i in pad_only_r or j in pad_only_c)
    out, _ = conv_forward_im2col(x[None, None], w[None, None], np.zeros(1), _param(stride, pad, dilation))
    # per axis, the input index where the last window ends
    ends = tuple(geometry.window(o - 1, k, st, d).stop - 1 - p for o, (_, k, st, p, d) in zip((Ho, Wo), axes))
    status = _status(stride, span, ends, (missed_rows, missed_cols), padding_only)
    coverage = np.outer(*(geometry.coverage(*axis) for axis in axes))  # (Hp, Wp)
    return ConvState(**setting, output_shape=(Ho, Wo), selected=(r, c), window=window, coverage=coverage,
                     missed_rows=missed_rows, missed_cols=missed_cols, padding_only=padding_only, x=x, w=w,
                     out=out[0, 0], formula=formula, status=status)  # fmt: skip


def _padding_only(size: int, kernel: int, stride: int, pad: int, dilation: int, n_out: int) -> tuple:
    """Along one axis: the outputs whose window reads only padding."""
    real = np.zeros(size + 2 * pad, dtype=bool)
    real[pad : pad + size] = True
    return tuple(i for i in range(n_out) if not real[geometry.window(i, kernel, stride, dilation)].any())


def _status(stride, span, ends, missed, padding_only) -> str:
    """A sentence about rows/columns the stride leaves out and windows of padding only ('' if none).

    ``ends`` is, per axis, the input index where the last window ends.
    """
    sentences = []
    (missed_rows, missed_cols) = missed
    if missed_rows and missed_rows == missed_cols and (stride[0], span[0], ends[0]) == (stride[1], span[1], ends[1]):
        sentences.append(_missed_sentence(("row", "column"), missed_rows, stride[0], span[0], ends[0]))
    else:
        if missed_rows:
            sentences.append(_missed_sentence(("row", None), missed_rows, stride[0], span[0], ends[0]))
        if missed_cols:
            sentences.append(_missed_sentence(("column", None), missed_cols, stride[1], span[1], ends[1]))
    if padding_only:
        (i, j), n = padding_only[0], len(padding_only)
        if n == 1:
            sentences.append(f"Output cell out[{i}, {j}] reads only padding zeros, so it holds just the bias.")
        else:
            sentences.append(
                f"{n} output cells (e.g. out[{i}, {j}]) read only padding zeros, so they hold just the bias."
            )
    return " ".join(sentences)


def _missed_sentence(what: tuple, missed, stride: int, span: int, end: int) -> str:
    tail = [m for m in missed if m > end]  # after the last window: the stride does not fit evenly
    gaps = [m for m in missed if m not in tail]
    parts = []
    if tail:
        parts.append(
            f"stride {stride} does not divide evenly: the last window ends before input {axis_words(*what, tail)}"
        )
    if gaps:
        why = f"stride {stride} is longer than the filter's span {span}" if stride > span else "of the dilation"
        parts.append(f"input {axis_words(*what, gaps)} fall between the windows' taps because {why}")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + ". They never reach the output (and get zero gradient)."


def _cell(output_cell, shape):
    """A row-major index or an (r, c) pair, clamped to an output grid of ``shape``."""
    Ho, Wo = shape
    if isinstance(output_cell, (tuple, list)):
        r, c = output_cell
    else:
        r, c = divmod(int(output_cell), Wo)
    return int(min(max(r, 0), Ho - 1)), int(min(max(c, 0), Wo - 1))


def _param(stride, pad, dilation) -> dict:
    return {"stride": stride, "pad": pad, "dilation": dilation}


def _size_text(pair) -> str:
    return f"{pair[0]}×{pair[1]}"


# ---------------------------------------------------------------------------------------------
# Drawing


def draw_conv(fig, state: ConvState) -> list:
    """Draw "padded input ∗ filter = output" for a ConvState into ``fig`` (best at 9 x 4.6 in).

    One cell size is used for all three grids (while they fit), so a 3×3 output looks
    smaller than the 7×7 input it comes from. Returns the artists drawn; reuses the
    Figure's axes from an earlier call.
    """
    clear_figure(fig)
    (Hp, Wp) = state.padded_size
    f_shape = state.span if state.dilation != (1, 1) else state.filter_size
    o_shape = state.output_shape or (1, 1)
    top, band = 0.95, 2.6  # grids start 0.95 in below the top and may use 2.6 in
    cell = min(band / Hp, 3.7 / Wp, 0.42)
    cell_f = min(max(cell, 0.2), 1.25 / f_shape[1], band / f_shape[0])  # at least readable, if it fits
    cell_o = min(max(cell, 0.2), 2.3 / o_shape[1], band / o_shape[0])
    mid = top + Hp * cell / 2  # filter and output are centred on the input's middle row
    f_top = max(top, mid - f_shape[0] * cell_f / 2)
    o_top = max(top, mid - o_shape[0] * cell_o / 2)
    ax_in = panel(fig, "input", place(fig, 0.45, top, Wp * cell, Hp * cell))
    f_left = 4.55 + (1.25 - f_shape[1] * cell_f) / 2
    ax_w = panel(fig, "filter", place(fig, f_left, f_top, f_shape[1] * cell_f, f_shape[0] * cell_f))
    ax_out = panel(fig, "output", place(fig, 6.45, o_top, o_shape[1] * cell_o, o_shape[0] * cell_o))
    artists = _draw_input(ax_in, state, _font(cell, state.x))
    artists += _draw_filter(ax_w, state, _font(cell_f, state.w))
    artists += _draw_output(ax_out, state, _font(cell_o, state.out))
    middle = 1 - mid / fig.get_size_inches()[1]
    for x, symbol in ((4.3, "∗"), (6.05, "=")):
        artists.append(text(fig, x / fig.get_size_inches()[0], middle, symbol, 20, ha="center", va="center"))
    artists.append(text(fig, 0.5, 0.2, state.formula, 11, ha="center", va="center"))
    if state.status:
        color = COLORS["vermillion"] if not state.valid else COLORS["ink"]
        artists.append(text(fig, 0.5, 0.03, wrap(state.status, 110), 9.5, color, ha="center", va="bottom"))
    return artists


def _font(cell: float, values) -> float | None:
    """The font size (points) for ``values`` in cells of ``cell`` inches, or None if they would be too small to read."""
    if values is None:
        return None
    return cell_font(cell, {format_number(v) for v in np.ravel(values)})


def _draw_input(ax, state: ConvState, font) -> list:
    (H, W), (ph, pw), (Hp, Wp) = state.input_size, state.pad, state.padded_size
    missed = np.zeros((Hp, Wp), dtype=bool)
    missed[[r + ph for r in state.missed_rows], pw : pw + W] = True  # whole input rows
    missed[ph : ph + H, [c + pw for c in state.missed_cols]] = True
    fill = np.empty((Hp, Wp, 3))
    fill[:, :] = rgb("grey")
    fill[ph : ph + H, pw : pw + W] = 1.0
    fill[missed] = tint("vermillion", 0.3)
    fill[state.window] = rgb("sky")
    values = None
    if font:
        values = np.zeros((Hp, Wp))
        values[ph : ph + H, pw : pw + W] = state.x
    artists = grid(ax, fill, values, range(-ph, H + ph), range(-pw, W + pw), fontsize=font or 8)
    if not font:  # too many cells to print their numbers: say what they are
        low, high = format_number(state.x.min()), format_number(state.x.max())
        artists.append(_note(ax, f"({H * W} inputs, too many to print here: integers {low} to {high})"))
    if missed.any():
        artists.append(cells(ax, missed, "vermillion", hatch="//", lw=0.0))
    artists.append(outline(ax, ph, pw, H, W, color="ink", lw=1.2))  # where the real input is
    title = f"Padded input: {_size_text(state.input_size)} + pad {_pad_text(state.pad)} → {_size_text((Hp, Wp))}"
    if state.valid:
        r, c = state.selected
        (sh, sw), (KH, KW) = state.span, state.filter_size
        artists.append(outline(ax, r * state.stride[0], c * state.stride[1], sh, sw, color="blue", lw=2.5))
        title += f"\nblue: the {KH * KW} inputs that out[{r}, {c}] reads"
    else:
        title += "\nthe filter does not fit anywhere"
    artists.append(_title(ax, title))
    key = "grey: padding (zeros)" + ("    hatched red: never read" if missed.any() else "")
    artists.append(text(ax, 0, 0, key, 8.5, "#444444", va="top", transform=ax.transAxes, shift=(0, -4)))
    return artists


def _draw_filter(ax, state: ConvState, font) -> list:
    KH, KW = state.filter_size
    (dh, dw), (sh, sw) = state.dilation, state.span
    color = rgb("sky") if state.valid else rgb("light")
    if (dh, dw) == (1, 1):
        artists = grid(ax, np.tile(color, (KH, KW, 1)), state.w if font else None, fontsize=font or 8)
        title = f"Filter {_size_text((KH, KW))}"
    else:  # the taps spread out, the positions they skip left white
        fill = np.ones((sh, sw, 3))
        fill[::dh, ::dw] = color
        values = np.full((sh, sw), np.nan)
        values[::dh, ::dw] = state.w
        artists = grid(ax, fill, values if font else None, fontsize=font or 8)
        title = f"Filter {_size_text((KH, KW))}, dilation {_pad_text(state.dilation)}\nspans {_size_text((sh, sw))}"
    artists.append(_title(ax, title, ha="center", pad=6))
    if not font:  # the weights do not fit in their cells: in words, under the filter
        artists.append(_note(ax, weights_text(state.w), ha="center"))
    return artists


def weights_text(w) -> str:
    """The filter's weights in words, for when they are too small to print: 'weights (rows): ...'."""
    rows = [" ".join(format_number(v) for v in row) for row in w]
    if sum(len(r) for r in rows) > 60:
        counts = {format_number(v): int(n) for v, n in zip(*np.unique(w, return_counts=True))}
        return "weights: " + ", ".join(f"{n}× {v}" for v, n in counts.items()) + f"\nsum {format_number(w.sum())}"
    return "weights, row by row:\n" + "\n".join(rows)


def _note(ax, words: str, ha="left"):
    """Words under a grid, where its numbers would be if they fitted."""
    x = {"left": 0.0, "center": 0.5}[ha]
    return text(ax, x, 0, words, 8.5, "#444444", ha=ha, va="top", transform=ax.transAxes, shift=(0, -16))


def _draw_output(ax, state: ConvState, font) -> list:
    if not state.valid:
        ax.set_axis_off()
        why = "the filter is larger\nthan the padded input"
        return [_title(ax, "Output: none"), text(ax, 0, 0.5, why, 10, COLORS["vermillion"], va="center",
                                                  transform=ax.transAxes)]  # fmt: skip
    Ho, Wo = state.output_shape
    r, c = state.selected
    fill = np.ones((Ho, Wo, 3))
    for i, j in state.padding_only:  # outputs that read nothing but padding: grey, like the padding
        fill[i, j] = tint("grey", 0.5)
    fill[r, c] = rgb("sky")
    artists = grid(ax, fill, state.out if font else None, range(Ho), range(Wo), fontsize=font or 8)
    if not font:
        low, high = format_number(state.out.min()), format_number(state.out.max())
        artists.append(_note(ax, f"values from {low} to {high}\n(too many to print here)"))
    artists.append(outline(ax, r, c, 1, 1, color="blue", lw=2.5))
    value = format_number(state.out[r, c])
    artists.append(_title(ax, f"Output {_size_text((Ho, Wo))}\nout[{r}, {c}] = Σ blue × filter = {value}"))
    return artists


def _title(ax, title: str, ha="left", pad=14):
    x = {"left": 0.0, "center": 0.5}[ha]
    return text(ax, x, 1, title, 10, ha=ha, va="bottom", transform=ax.transAxes, shift=(0, pad))


def describe_conv(state: ConvState) -> str:
    """The figure in words: the sizes, the selected output and what it reads, the formula, the status."""
    (H, W), (KH, KW), (Hp, Wp) = state.input_size, state.filter_size, state.padded_size
    head = (f"Input {_size_text((H, W))} padded by {_pad_text(state.pad)} to {_size_text((Hp, Wp))}, "
            f"filter {_size_text((KH, KW))}, stride {_pad_text(state.stride)}, "
            f"dilation {_pad_text(state.dilation)}")  # fmt: skip
    if not state.valid:
        return f"{head}: no output.\n{state.formula}\n{state.status}"
    (Ho, Wo), (r, c) = state.output_shape, state.selected
    rows = sorted({int(i) - state.pad[0] for i in np.nonzero(state.window.any(axis=1))[0]})
    cols = sorted({int(j) - state.pad[1] for j in np.nonzero(state.window.any(axis=0))[0]})
    words = [f"{head}: output {_size_text((Ho, Wo))}.",
             f"out[{r}, {c}] = {format_number(state.out[r, c])} is the sum of the filter times the {KH * KW} "
             f"inputs in rows {span_text(rows)} and columns {span_text(cols)} (negative indices are padding).",
             state.formula]  # fmt: skip
    return "\n".join(words + ([state.status] if state.status else []))


def _pad_text(pair) -> str:
    return f"{pair[0]}" if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


# ---------------------------------------------------------------------------------------------
# The widget


class ConvExplorer(Explorer):
    """Convolution arithmetic, interactively (lesson 1).

    Controls (``.controls``): 'input_size', 'filter_size', 'stride', 'pad', 'dilation'
    and 'output_cell' (the selected output, row-major; ``.play`` steps through them).
    ``.output_shape`` is (H', W') or None when the filter does not fit; ``.status`` says why
    not, or which input rows/columns the stride never reaches ('' when there is nothing to
    say); ``.state`` holds everything computed (a ConvState). Display it in a notebook cell.
    """

    figsize = (9.0, 5.0)

    RANGES = {"input_size": (1, MAX_SIZE), "filter_size": (1, 7), "stride": (1, 4), "pad": (0, 3), "dilation": (1, 3)}

    def __init__(self, input_size=5, filter_size=3, stride=1, pad=0, dilation=1, output_cell=0):
        given = {"input_size": input_size, "filter_size": filter_size, "stride": stride, "pad": pad,
                 "dilation": dilation}  # fmt: skip
        v = {name: shapes.check_setting(name, value, *self.RANGES[name], f"the range of the {name.replace('_', ' ')} "
                                        "slider") for name, value in given.items()}  # fmt: skip
        out = geometry.output_size(v["input_size"], v["filter_size"], v["stride"], v["pad"], v["dilation"])
        output_cell = shapes.check_cell("output_cell", output_cell, (out, out) if out >= 1 else None)
        controls = {name: slider(name.replace("_", " "), v[name], *self.RANGES[name]) for name in given}
        controls["output_cell"] = slider("output cell", output_cell, 0, 10**6)
        self.play = widgets.Play(value=0, min=0, max=1, interval=700, description="step through the outputs")
        self.play.observe(self._on_play, names="value")
        super().__init__(controls)

    def extra_widgets(self) -> list:
        return [widgets.HBox([widgets.Label("animate the window:"), self.play])]

    def sync_controls(self) -> None:
        """Fit the output-cell slider (and the player) to the output grid."""
        v = self.values
        out = geometry.output_size(v["input_size"], v["filter_size"], v["stride"], v["pad"], v["dilation"])
        self.fit_cell_slider("output_cell", (out, out) if out >= 1 else None)
        clamp_slider(self.play, 0, out * out - 1 if out >= 1 else 0, self.controls["output_cell"].value)

    def _on_play(self, change) -> None:
        if not self._holding:
            self.controls["output_cell"].value = change["new"]

    def compute(self) -> ConvState:
        return compute_conv(**self.values)

    def draw(self, state: ConvState) -> list:
        return draw_conv(self.figure, state)

    def describe(self, state: ConvState) -> str:
        return describe_conv(state)

    @property
    def output_shape(self):
        """(H', W'), or None when the configuration has no output."""
        return None if self.state is None else self.state.output_shape
