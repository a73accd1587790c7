"""PoolExplorer: max or average of each window, and where each upstream gradient lands.

Introduced in lesson 4 (pooling). Two modes:

- **max**: forward, every window of the input keeps its largest value; backward, each
  upstream gradient ``dout[i, j]`` is routed to the one input that was the maximum of
  window (i, j). Ties go to the first maximum in row-major order, as in PyTorch.
- **average**: forward, every window keeps its mean, the sum divided by a divisor;
  backward, every input of window (i, j) receives ``dout[i, j] / divisor``. The input may be
  zero-padded (at most half the window, as PyTorch's ``avg_pool2d`` allows); with
  ``count_include_pad`` True the padding zeros count in the divisor (always PH*PW), with
  False a window at the border divides by the real inputs it covers only.

In both modes, where windows overlap (stride < pool size) an input can receive gradient
from several windows and then gets the *sum*; a stride that does not divide evenly leaves
rows/columns out, and they get no gradient at all.

The numbers shown are the library's: ``max_pool_forward_im2col`` and
``max_pool_backward_im2col`` on the input drawn (``avg_pool_forward_im2col`` and
``avg_pool_backward_im2col`` in average mode), with the windows of ``cnnlab.geometry``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import ipywidgets as widgets
import numpy as np

from cnnlab import geometry, shapes
from cnnlab.layers import (
    avg_pool_backward_im2col,
    avg_pool_forward_im2col,
    max_pool_backward_im2col,
    max_pool_forward_im2col,
)
from cnnlab.layers.pool import window_counts
from cnnlab.widgets._draw import (
    MIN_POINTS,
    axis_words,
    cell_font,
    cells,
    clear_figure,
    format_number,
    grid,
    labels,
    outline,
    panel,
    place,
    rgb,
    text,
    text_width,
    tint,
)
from cnnlab.widgets._render import COLORS, Explorer, slider, wrap

__all__ = ["PoolState", "compute_pool", "draw_pool", "describe_pool", "PoolExplorer", "MODES"]

MAX_SIZE = 10
MODES = ("max", "average")


@dataclass(frozen=True, kw_only=True)
class PoolState:
    """What PoolExplorer shows; positions are (row, column) in the input (padding excluded)."""

    mode: str  # 'max' or 'average'
    input_size: tuple  # (H, W)
    pool_size: tuple  # (PH, PW)
    stride: tuple
    pad: tuple = (0, 0)  # zero padding on each side (average mode only)
    count_include_pad: bool = True  # average mode: do padding zeros count in the divisor?
    output_shape: tuple | None = None  # (H', W'), None when the window does not fit
    selected: tuple | None = None  # (r, c) of the selected window / output cell
    x: np.ndarray  # (H, W) input
    out: np.ndarray | None = None  # (H', W') the max or the mean of each window
    dout: np.ndarray | None = None  # (H', W') upstream gradient
    dx: np.ndarray | None = None  # (H, W) gradient with respect to x
    sources: dict = field(default_factory=dict)  # input position -> the windows whose gradient lands there
    winner: np.ndarray | None = None  # max: (H', W', 2) input position of each window's (first) maximum
    tied: tuple = ()  # max: windows whose maximum occurs more than once
    covered: np.ndarray | None = None  # average: (H', W') how many inputs (not padding) each window covers
    divisor: np.ndarray | None = None  # average: (H', W') what each window's sum is divided by
    missed_rows: tuple = ()  # input rows no window covers
    missed_cols: tuple = ()
    status: str

    @property
    def valid(self) -> bool:
        return self.output_shape is not None

    @property
    def padded_size(self) -> tuple:
        """(H + 2*ph, W + 2*pw)."""
        return tuple(n + 2 * p for n, p in zip(self.input_size, self.pad))

    def share(self, window) -> float:
        """What window (i, j) sends back to each input it routes to: dout, or dout / divisor."""
        if self.mode == "max":
            return float(self.dout[window])
        return float(self.dout[window] / self.divisor[window])


def compute_pool(input_size, pool_size, stride, window=0, seed=0, x=None, dout=None, *, mode="max", pad=0,
                 count_include_pad=True) -> PoolState:  # fmt: skip
    """What the pooling explorer shows for one setting of its controls.

    Inputs:
    - input_size (H, W), pool_size (PH, PW), stride: ints or (h, w) pairs
    - window: the selected window (= output cell), row-major index or (r, c); clamped
    - seed: picks the input (small integers 0..9, so ties happen) when x is None
    - x: (H, W) input; dout: (H', W') upstream gradient (default 1, 2, 3, ... row-major,
      so every sum in dx can be traced back)
    - mode: 'max' or 'average'; pad (average only): zeros on each side, an int or pair, at
      most half the window; count_include_pad (average only): True or False
    Returns a PoolState; a window that does not fit (or too much padding) gives output_shape
    None and a status saying why.
    """
    mode = shapes.check_choice("mode", mode, MODES)
    size = shapes.check_pair("input_size", input_size, 1)
    kernel = shapes.check_pair("pool_size", pool_size, 1)
    stride = shapes.check_pair("stride", stride, 1)
    pad = shapes.check_pair("pad", pad, 0)
    count_include_pad = _check_flag("count_include_pad", count_include_pad)
    if mode == "max" and pad != (0, 0):
        raise ValueError(f"pad must be 0 in max mode (max pooling here has no padding; mode='average' has), got {pad}")
    if x is None:
        x = np.random.default_rng(seed).integers(0, 10, size).astype(np.float64)
    x = np.asarray(x, dtype=np.float64)
    setting = {"mode": mode, "input_size": size, "pool_size": kernel, "stride": stride, "pad": pad,
               "count_include_pad": count_include_pad, "x": x}  # fmt: skip
    try:  # the layer's own check, in the layer's words
        if mode == "max":
            *_, (Ho, Wo) = shapes.check_pool_inputs(x[None, None], _pool_param(setting))
        else:
            *_, (Ho, Wo) = shapes.check_avg_pool_inputs(x[None, None], _pool_param(setting))
    except ValueError as exc:
        return PoolState(**setting, status=f"No output: {exc}.")
    dout = np.arange(1.0, Ho * Wo + 1).reshape(Ho, Wo) if dout is None else np.asarray(dout, dtype=np.float64)
    missed_rows, missed_cols = (tuple(int(i) for i in np.nonzero(geometry.never_read(n, k, s, p))[0])
                                for n, k, s, p in zip(size, kernel, stride, pad))  # fmt: skip
    common = {**setting, "output_shape": (Ho, Wo), "selected": _cell(window, (Ho, Wo)), "dout": dout,
              "missed_rows": missed_rows, "missed_cols": missed_cols}  # fmt: skip
    return _max_pool(common) if mode == "max" else _average_pool(common)


def _check_flag(name: str, value) -> bool:
    """``value`` if it is True or False (numpy's bools too), else a TypeError naming ``name``."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")


def _pool_param(setting: dict) -> dict:
    """The layers' pool_param for the explorer's setting (pad and count_include_pad for average pooling)."""
    (PH, PW), stride = setting["pool_size"], setting["stride"]
    param = {"pool_height": PH, "pool_width": PW, "stride": stride}
    if setting["mode"] == "average":
        param.update(pad=setting["pad"], count_include_pad=setting["count_include_pad"])
    return param


def _max_pool(common: dict) -> PoolState:
    """The max-mode state: out, dx, each window's winner and ties, from cnnlab's max-pooling layer."""
    x, kernel, stride, dout = common["x"], common["pool_size"], common["stride"], common["dout"]
    Ho, Wo = common["output_shape"]
    out, cache = max_pool_forward_im2col(x[None, None], _pool_param(common))
    argmax = cache[2][0, 0]  # (H', W'): row-major index p*PW + q of each window's first maximum
    p, q = np.divmod(argmax, kernel[1])
    winner = np.stack([np.arange(Ho)[:, None] * stride[0] + p, np.arange(Wo)[None, :] * stride[1] + q], axis=-1)
    dx = max_pool_backward_im2col(dout[None, None], cache)[0, 0]
    sources = {}
    tied = []
    for i in range(Ho):
        for j in range(Wo):
            sources.setdefault(tuple(int(v) for v in winner[i, j]), []).append((i, j))
            patch = x[geometry.window(i, kernel[0], stride[0]), geometry.window(j, kernel[1], stride[1])]
            if np.count_nonzero(patch == patch.max()) > 1:
                tied.append((i, j))
    state = PoolState(**common, out=out[0, 0], dx=dx, sources=sources, winner=winner, tied=tuple(tied), status="")
    return replace(state, status=_max_status(state))


def _average_pool(common: dict) -> PoolState:
    """The average-mode state: out, dx, each window's divisor and how many inputs each window covers."""
    x, kernel, stride, pad, dout = common["x"], common["pool_size"], common["stride"], common["pad"], common["dout"]
    Ho, Wo = common["output_shape"]
    param = _pool_param(common)
    out, cache = avg_pool_forward_im2col(x[None, None], param)
    dx = avg_pool_backward_im2col(dout[None, None], cache)[0, 0]
    divisor = window_counts(x[None, None], kernel, stride, pad, common["count_include_pad"])  # (H', W')
    covered = window_counts(x[None, None], kernel, stride, pad, False).astype(int)  # (H', W'): inputs, not padding
    sources = {}
    for i in range(Ho):
        for j in range(Wo):
            rows = _inputs_read(geometry.window(i, kernel[0], stride[0]), pad[0], x.shape[0])
            cols = _inputs_read(geometry.window(j, kernel[1], stride[1]), pad[1], x.shape[1])
            for pos in ((a, b) for a in rows for b in cols):
                sources.setdefault(pos, []).append((i, j))
    state = PoolState(**common, out=out[0, 0], dx=dx, sources=sources, covered=covered, divisor=divisor, status="")
    return replace(state, status=_average_status(state))


def _inputs_read(rows: slice, pad: int, size: int) -> range:
    """The input indices (padding left out) among the padded ``rows`` of one window."""
    return range(max(rows.start - pad, 0), min(rows.stop - pad, size))


def _cell(index, shape):
    Ho, Wo = shape
    r, c = index if isinstance(index, (tuple, list)) else divmod(int(index), Wo)
    return int(min(max(r, 0), Ho - 1)), int(min(max(c, 0), Wo - 1))


def _overlap_sentence(state: PoolState) -> str:
    """How the gradient of an input that several windows send to adds up ('' when none)."""
    shared = {pos: wins for pos, wins in state.sources.items() if len(wins) > 1}
    if not shared:
        return ""
    (i, j), wins = min(shared.items())
    many = f"{len(shared)} input{'s' if len(shared) > 1 else ''}"
    total = format_number(sum(state.share(w) for w in wins))
    if state.mode == "max":
        terms = " + ".join(format_number(state.dout[w]) for w in wins)
        return (f"Windows overlap, and {many} won more than one window: each receives the sum of those gradients "
                f"(x[{i}, {j}] gets {terms} = {total}).")  # fmt: skip
    terms = " + ".join(f"{format_number(state.dout[w])}/{format_number(state.divisor[w])}" for w in wins)
    if len(wins) > 3:  # too long to write out
        terms = f"the {len(wins)} shares of its windows"
    return f"Windows overlap: {many} are in several windows and sum their shares (x[{i}, {j}] gets {terms} = {total})."


def _missed_sentences(state: PoolState) -> list:
    """'Stride s leaves input rows ... out' sentences, rows and columns together when they match."""
    rows, cols, stride = state.missed_rows, state.missed_cols, state.stride
    if rows and rows == cols and stride[0] == stride[1]:
        parts = [(axis_words("row", "column", rows), stride[0])]
    else:
        parts = [(axis_words("row", None, left), s) for left, s in ((rows, stride[0]),) if left]
        parts += [(axis_words("column", None, left), s) for left, s in ((cols, stride[1]),) if left]
    return [f"Stride {s} leaves input {words} out: never pooled, they get zero gradient." for words, s in parts]


def _max_status(state: PoolState) -> str:
    (kernel, stride), selected, tied = (state.pool_size, state.stride), state.selected, state.tied
    overlap = _overlap_sentence(state)
    if not overlap and (kernel[0] > stride[0] or kernel[1] > stride[1]):
        overlap = "Windows overlap, but no input is the maximum of two windows here."
    sentences = [overlap, *_missed_sentences(state)]
    if selected in tied:
        sentences.append(
            f"Window ({selected[0]}, {selected[1]}) has a tie: its gradient goes to the first maximum "
            "in row-major order (as in PyTorch)."
        )
    elif tied:
        sentences.append(f"{len(tied)} window{'s have' if len(tied) > 1 else ' has'} tied maxima (first one wins).")
    return " ".join(s for s in sentences if s)


def _border_window(state: PoolState) -> tuple | None:
    """A window that covers padding: the selected one if it does, else the first in row-major order.

    None in max mode or without padding.
    """
    if state.covered is None or state.pad == (0, 0):
        return None
    full = state.pool_size[0] * state.pool_size[1]
    if state.covered[state.selected] < full:
        return state.selected
    return tuple(int(v) for v in np.argwhere(state.covered < full)[0])


def _padding_sentence(state: PoolState) -> str:
    """What a border window divides by, and why ('' without padding)."""
    window = _border_window(state)
    if window is None:
        return ""
    (i, j), full = window, state.pool_size[0] * state.pool_size[1]
    n, zeros = int(state.covered[window]), full - int(state.covered[window])
    covers = f"covers {n} input{'s' if n != 1 else ''} and {zeros} padding zero{'s' if zeros != 1 else ''}"
    divisor = format_number(state.divisor[window])
    if state.count_include_pad:
        return f"count_include_pad=True: border window ({i}, {j}) {covers}, and divides by {divisor}."
    return f"count_include_pad=False: border window ({i}, {j}) {covers}, so it divides by {divisor}, not {full}."


def _average_status(state: PoolState) -> str:
    sentences = [_overlap_sentence(state), *_missed_sentences(state), _padding_sentence(state)]
    return " ".join(s for s in sentences if s)


# ---------------------------------------------------------------------------------------------
# Drawing


def draw_pool(fig, state: PoolState) -> list:
    """Draw forward (x -> out) above backward (dx <- dout) for a PoolState; returns the artists.

    x and dx are drawn one above the other at the same scale (with the padding, in average
    mode), as are out and dout, so a gradient can be followed from its output cell back to
    the inputs it lands on.
    """
    clear_figure(fig)
    Hp, Wp = state.padded_size
    Ho, Wo = state.output_shape or (1, 1)
    # the height a grid may use, inches (in average mode a little less: the words under a padded dx and a
    # status of three sentences, overlaps, rows left out and the border's divisor, must both fit below it)
    band = 2.35 if state.mode == "max" else 2.15
    cell = min(band / Hp, 3.3 / Wp, 0.36)
    cell_o = min(max(cell, 0.26), band / Ho, 2.4 / Wo)
    font = cell_font(cell, {format_number(v) for v in np.ravel(state.x)})
    font_dx = font_o = None
    if state.valid:
        font_dx = cell_font(cell, {format_number(v) for v in np.ravel(state.dx)})
        font_o = cell_font(cell_o, {format_number(v) for a in (state.out, state.dout) for v in np.ravel(a)})
    rows = (0.75, 3.95)  # top of the forward and the backward grids, inches from the top
    ax_x = panel(fig, "x", place(fig, 0.5, rows[0], Wp * cell, Hp * cell))
    ax_dx = panel(fig, "dx", place(fig, 0.5, rows[1], Wp * cell, Hp * cell))
    ax_out = panel(fig, "out", place(fig, 5.6, rows[0], Wo * cell_o, Ho * cell_o))
    ax_dout = panel(fig, "dout", place(fig, 5.6, rows[1], Wo * cell_o, Ho * cell_o))
    artists = _draw_x(ax_x, state, font)
    if not state.valid:
        for ax in (ax_out, ax_dout, ax_dx):
            ax.set_axis_off()
        why = "no output, and no gradient:\nthe window does not fit in the input"
        if any(p > k // 2 for p, k in zip(state.pad, state.pool_size)):
            why = "no output, and no gradient:\nmore padding than half the window"
        artists.append(text(ax_out, 0, 1, why, 11, COLORS["vermillion"], va="top", transform=ax_out.transAxes))
        artists.append(text(fig, 0.5, 0.02, wrap(state.status, 110), 9.5, COLORS["vermillion"], ha="center",
                            va="bottom"))  # fmt: skip
        return artists
    for y, arrow in ((rows[0], "→"), (rows[1], "←")):
        mid = 1 - (y + min(Hp * cell, band) / 2) / fig.get_size_inches()[1]
        artists.append(text(fig, 4.9 / fig.get_size_inches()[0], mid, arrow, 22, ha="center", va="center"))
    artists += _draw_out(ax_out, state, font_o)
    artists += _draw_dout(ax_dout, state, font_o)
    artists += _draw_dx(ax_dx, state, font_dx)
    if state.status:
        artists.append(text(fig, 0.5, 0.02, wrap(state.status, 115), 9.5, ha="center", va="bottom"))
    return artists


def _selected_window(state: PoolState) -> tuple[slice, slice]:
    """The rows and the columns of the padded input that the selected window covers."""
    (r, c), (PH, PW), (sh, sw) = state.selected, state.pool_size, state.stride
    return geometry.window(r, PH, sh), geometry.window(c, PW, sw)


def _window_mask(state: PoolState) -> np.ndarray:
    """(Hp, Wp) bool: the padded cells of the selected window."""
    mask = np.zeros(state.padded_size, dtype=bool)
    mask[_selected_window(state)] = True
    return mask


def _outline_window(ax, state: PoolState):
    rows, cols = _selected_window(state)
    return outline(ax, rows.start, cols.start, *state.pool_size, color="blue")


def _padding_mask(state: PoolState) -> np.ndarray:
    """(Hp, Wp) bool: True on the padding."""
    (ph, pw), (H, W) = state.pad, state.input_size
    mask = np.ones(state.padded_size, dtype=bool)
    mask[ph : ph + H, pw : pw + W] = False
    return mask


def _padded(state: PoolState, values, fill_value=0.0) -> np.ndarray:
    """An (H, W) array placed in the middle of an (Hp, Wp) one."""
    (ph, pw), (H, W) = state.pad, state.input_size
    out = np.full(state.padded_size, fill_value, dtype=object if isinstance(fill_value, str) else float)
    out[ph : ph + H, pw : pw + W] = values
    return out


def _title(ax, title: str, pad=12):
    return text(ax, 0, 1, title, 10, va="bottom", transform=ax.transAxes, shift=(0, pad))


def _draw_x(ax, state: PoolState, font) -> list:
    (H, W), (ph, pw) = state.input_size, state.pad
    Hp, Wp = state.padded_size
    padding = _padding_mask(state)
    fill = np.ones((Hp, Wp, 3))
    fill[padding] = rgb("grey")
    missed = np.zeros((Hp, Wp), dtype=bool)
    missed[[r + ph for r in state.missed_rows], pw : pw + W] = True
    missed[ph : ph + H, [c + pw for c in state.missed_cols]] = True
    fill[missed] = tint("vermillion", 0.3)
    padded = f", pad {_pair(state.pad)}" if state.pad != (0, 0) else ""
    title = f"Forward: input x {H}×{W}{padded}, pool {_size(state.pool_size)}, stride {_pair(state.stride)}"
    if state.valid:
        r, c = state.selected
        window = _window_mask(state)
        fill[window] = rgb("sky")
        fill[window & padding] = tint("blue", 0.55)
        if state.mode == "max":
            for pos in state.sources:
                fill[pos] = tint("orange", 0.45)
            fill[tuple(state.winner[r, c])] = rgb("orange")
            title += f"\nblue: window ({r}, {c});  orange: the maximum of a window"
        else:
            title += f"\nblue: window ({r}, {c})" + (";  grey: padding (zeros)" if state.pad != (0, 0) else "")
    values = _padded(state, state.x)
    artists = grid(ax, fill, values if font else None, range(-ph, H + ph), range(-pw, W + pw),
                   fontsize=font or MIN_POINTS)  # fmt: skip
    if not font:
        artists.append(_below(ax, f"(integers {format_number(state.x.min())} to {format_number(state.x.max())}, "
                                  "too many to print here)"))  # fmt: skip
    if missed.any():
        artists.append(cells(ax, missed, "vermillion", hatch="//"))
    if state.pad != (0, 0):
        artists.append(outline(ax, ph, pw, H, W, color="ink", lw=1.2))  # where the real input is
    if state.valid:
        artists.append(_outline_window(ax, state))
    artists.append(_title(ax, title))
    return artists


def _selected_grid(ax, state: PoolState, values, font) -> list:
    """An output-sized grid of ``values`` with the selected output cell highlighted."""
    Ho, Wo = state.output_shape
    r, c = state.selected
    fill = np.ones((Ho, Wo, 3))
    fill[r, c] = rgb("sky")
    artists = grid(ax, fill, values if font else None, range(Ho), range(Wo), fontsize=font or MIN_POINTS)
    artists.append(outline(ax, r, c, 1, 1, color="blue"))
    if not font:
        artists.append(_below(ax, f"(values {format_number(np.min(values))} to {format_number(np.max(values))})"))
    return artists


def _draw_out(ax, state: PoolState, font) -> list:
    Ho, Wo = state.output_shape
    r, c = state.selected
    artists = _selected_grid(ax, state, state.out, font)
    if state.mode == "max":
        i, j = state.winner[r, c]
        title = f"out {Ho}×{Wo}: the max of each window\nout[{r}, {c}] = x[{i}, {j}] = {format_number(state.out[r, c])}"
    else:
        total = format_number(state.out[r, c] * state.divisor[r, c])
        title = (f"out {Ho}×{Wo}: the mean of each window\nout[{r}, {c}] = {total} / "
                 f"{format_number(state.divisor[r, c])} = {format_number(state.out[r, c])}")  # fmt: skip
    artists.append(_title(ax, title))
    return artists


def _draw_dout(ax, state: PoolState, font) -> list:
    artists = _selected_grid(ax, state, state.dout, font)
    artists.append(_title(ax, "Backward: upstream gradient dout"))
    return artists


def _draw_dx(ax, state: PoolState, font) -> list:
    """dx, with "a+b" written out where several gradients add up (when it fits in the cell)."""
    (H, W), (ph, pw) = state.input_size, state.pad
    Hp, Wp = state.padded_size
    cell_pt = 72 * ax.get_position().width * ax.figure.get_size_inches()[0] / Wp
    fill = np.ones((Hp, Wp, 3))
    fill[_padding_mask(state)] = rgb("grey")
    values = _padded(state, np.array([[format_number(v) for v in row] for row in state.dx], dtype=object), "")
    values[_padding_mask(state)] = np.nan  # padding: no gradient to show
    colors = np.full((Hp, Wp), "#999999", dtype=object)
    small = max(min(font or MIN_POINTS, 8.0), MIN_POINTS)
    sums, sum_xy = [], []
    r, c = state.selected
    for (i, j), wins in state.sources.items():
        pos = (i + ph, j + pw)
        if state.mode == "max":  # every winner tinted, a winner of several windows in full
            fill[pos] = tint("orange", 0.45 if len(wins) == 1 else 1.0)
        elif len(wins) > 1:  # average: every input of a window gets a share; tint those that get several
            fill[pos] = tint("orange", 0.45)
        colors[pos] = COLORS["ink"]
        terms = "+".join(format_number(state.share(w)) for w in wins)
        if len(wins) > 1 and font and text_width(terms, small) <= 0.92 * cell_pt:
            sums.append(terms)
            sum_xy.append((pos[1], pos[0]))
            values[pos] = ""
    if state.mode == "max":  # (max pooling has no padding: input and padded positions are the same)
        i, j = state.winner[r, c]
        fill[i, j] = rgb("orange")
    else:
        window = _window_mask(state) & ~_padding_mask(state)
        fill[window] = rgb("sky")
    artists = grid(ax, fill, values if font else None, range(-ph, H + ph), range(-pw, W + pw),
                   fontsize=font or MIN_POINTS, text_colors=colors)  # fmt: skip
    if sums:
        artists.append(labels(ax, sum_xy, sums, small))
    share = format_number(state.share((r, c)))
    if state.mode == "max":
        i, j = state.winner[r, c]
        artists.append(outline(ax, i, j, 1, 1, color="blue"))
        title = (f"dx: each dout lands on its window's max; overlaps add up\n"
                 f"dout[{r}, {c}] = {share} lands on x[{i}, {j}]")  # fmt: skip
        focus = (i, j)
    else:
        artists.append(_outline_window(ax, state))
        n = int(state.covered[r, c])
        title = (f"dx: every input of a window gets dout / divisor; overlaps add up\n"
                 f"dout[{r}, {c}] / {format_number(state.divisor[r, c])} = {share} to each of its {n} "
                 f"input{'s' if n != 1 else ''}")  # fmt: skip
        focus = min(pos for pos, wins in state.sources.items() if (r, c) in wins)  # its first input
    artists.append(_title(ax, title))
    if not font:  # the sums do not fit in the cells: the selected one and the largest, in words
        i, j = focus
        big = np.unravel_index(int(np.argmax(state.dx)), state.dx.shape)
        words = (f"(too small to print every sum here: dx[{i}, {j}] = {format_number(state.dx[i, j])}, "
                 f"the largest is dx[{big[0]}, {big[1]}] = {format_number(state.dx[big])})")  # fmt: skip
        artists.append(_below(ax, words))
    return artists


def _below(ax, words: str):
    """Words under a grid, in place of numbers that do not fit in its cells."""
    return text(ax, 0, 0, words, 8.5, "#444444", va="top", transform=ax.transAxes, shift=(0, -5))


def describe_pool(state: PoolState) -> str:
    """The figure in words: sizes, the selected window's max or mean and where its gradient goes, the status."""
    H, W = state.input_size
    what = "Max pooling" if state.mode == "max" else "Average pooling"
    padded = f" padded by {_pair(state.pad)}" if state.pad != (0, 0) else ""
    head = f"{what} of a {H}×{W} input{padded}, pool {_size(state.pool_size)}, stride {_pair(state.stride)}"
    if state.mode == "average":
        head += f", count_include_pad={state.count_include_pad}"
    if not state.valid:
        return f"{head}: no output.\n{state.status}"
    (Ho, Wo), (r, c) = state.output_shape, state.selected
    if state.mode == "max":
        i, j = (int(v) for v in state.winner[r, c])
        window = (f"Window ({r}, {c}): out[{r}, {c}] = x[{i}, {j}] = {format_number(state.out[r, c])}; backward, "
                  f"dout[{r}, {c}] = {format_number(state.dout[r, c])} lands on x[{i}, {j}], where dx[{i}, {j}] = "
                  f"{format_number(state.dx[i, j])}.")  # fmt: skip
    else:
        n, divisor = int(state.covered[r, c]), format_number(state.divisor[r, c])
        overlap = any(len(wins) > 1 for wins in state.sources.values())
        more = " (an input in several windows gets a share from each)" if overlap else ""
        total = format_number(state.out[r, c] * state.divisor[r, c])
        window = (f"Window ({r}, {c}) covers {n} input{'s' if n != 1 else ''}: out[{r}, {c}] = {total} / {divisor} = "
                  f"{format_number(state.out[r, c])}; backward, dout[{r}, {c}] = {format_number(state.dout[r, c])} "
                  f"is shared: each of those inputs gets {format_number(state.dout[r, c])} / {divisor} = "
                  f"{format_number(state.share((r, c)))}{more}.")  # fmt: skip
    words = [f"{head}: output {Ho}×{Wo}.", window]
    return "\n".join(words + ([state.status] if state.status else []))


def _pair(pair) -> str:
    return f"{pair[0]}" if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def _size(pair) -> str:
    return f"{pair[0]}×{pair[1]}"


# ---------------------------------------------------------------------------------------------
# The widget


class PoolExplorer(Explorer):
    """Max or average pooling, forward and backward, interactively (lesson 4).

    Controls (``.controls``): 'mode' ('max' or 'average'), 'input_size', 'pool_size',
    'stride', 'pad' and 'count_include_pad' (average mode only; pad at most half the pool
    size), 'window' (the selected window, row-major) and 'seed' (another input).
    ``.output_shape`` is (H', W') or None; ``.status`` explains overlaps (gradients summed),
    rows/columns a stride leaves out, ties, the divisor of a border window, or why there is
    no output; ``.state`` is the PoolState with out, dx and where each gradient landed.
    """

    figsize = (9.0, 7.0)

    RANGES = {"input_size": (1, MAX_SIZE), "pool_size": (1, 5), "stride": (1, 4), "pad": (0, 2), "seed": (0, 20)}

    def __init__(self, input_size=6, pool_size=2, stride=2, window=0, seed=0, mode="max", pad=0,
                 count_include_pad=True):  # fmt: skip
        mode = shapes.check_choice("mode", mode, MODES)
        given = {"input_size": input_size, "pool_size": pool_size, "stride": stride, "seed": seed}
        v = {name: shapes.check_setting(name, value, *self.RANGES[name], f"the range of the {name.replace('_', ' ')} "
                                        "slider") for name, value in given.items()}  # fmt: skip
        if mode == "max":
            why = "max pooling has no padding here; mode='average' has"
            pad = shapes.check_setting("pad", pad, 0, 0, why)
        else:
            why = f"at most half the pool size {v['pool_size']}, as in PyTorch's avg_pool2d"
            pad = shapes.check_setting("pad", pad, 0, v["pool_size"] // 2, why)
        count_include_pad = _check_flag("count_include_pad", count_include_pad)
        out = geometry.output_size(v["input_size"], v["pool_size"], v["stride"], pad)
        window = shapes.check_cell("window", window, (out, out) if out >= 1 else None)
        controls = {
            "mode": widgets.Dropdown(options=MODES, value=mode, description="pooling",
                                     style={"description_width": "90px"}, layout=widgets.Layout(width="300px")),
            "input_size": slider("input size", v["input_size"], *self.RANGES["input_size"]),
            "pool_size": slider("pool size", v["pool_size"], *self.RANGES["pool_size"]),
            "stride": slider("stride", v["stride"], *self.RANGES["stride"]),
            "pad": slider("pad", pad, *self.RANGES["pad"]),
            "count_include_pad": widgets.Checkbox(value=count_include_pad, description="count_include_pad",
                                                  style={"description_width": "initial"}, indent=False),
            "window": slider("window", window, 0, 10**6),
            "seed": slider("new numbers", v["seed"], *self.RANGES["seed"]),
        }  # fmt: skip
        super().__init__(controls)

    def sync_controls(self) -> None:
        """Fit the window slider to the output grid; pad and count_include_pad only for average pooling."""
        v = self.values
        average = v["mode"] == "average"
        self.controls["pad"].disabled = not average
        self.controls["count_include_pad"].disabled = not average
        pad = v["pad"] if average else 0
        out = geometry.output_size(v["input_size"], v["pool_size"], v["stride"], pad)
        fits = out >= 1 and pad <= v["pool_size"] // 2  # too much padding is explained in the figure
        self.fit_cell_slider("window", (out, out) if fits else None)

    def compute(self) -> PoolState:
        v = self.values
        if v["mode"] == "max":
            v["pad"] = 0  # the pad slider keeps its value for average mode, disabled
        return compute_pool(**v)

    def draw(self, state: PoolState) -> list:
        return draw_pool(self.figure, state)

    def describe(self, state: PoolState) -> str:
        return describe_pool(state)

    @property
    def output_shape(self):
        """(H', W'), or None when the window does not fit."""
        return None if self.state is None else self.state.output_shape
