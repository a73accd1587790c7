"""PoolExplorer: the max of each window, and where each upstream gradient lands.

Introduced in lesson 4 (max pooling). Forward, every window of the input keeps its
largest value; backward, each upstream gradient ``dout[i, j]`` is routed to the one input
that was the maximum of window (i, j). Where windows overlap (stride < pool size) an input
can win several windows and then receives the *sum* of their gradients; a stride that does
not divide evenly leaves rows/columns out, and they get no gradient at all. Ties go to the
first maximum in row-major order, as in PyTorch.

The numbers shown are the library's: ``max_pool_forward_im2col`` and
``max_pool_backward_im2col`` on the input drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnlab import shapes
from cnnlab.layers import max_pool_backward_im2col, max_pool_forward_im2col
from cnnlab.widgets._draw import (
    MIN_POINTS,
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
from cnnlab.widgets.conv import axis_words, never_read

__all__ = ["PoolState", "compute_pool", "draw_pool", "PoolExplorer"]

MAX_SIZE = 10


@dataclass(frozen=True)
class PoolState:
    """What PoolExplorer shows; positions are (row, column) in the input."""

    input_size: tuple
    pool_size: tuple
    stride: tuple
    output_shape: tuple | None  # (H', W'), None when the window does not fit
    selected: tuple | None  # (r, c) of the selected window / output cell
    x: np.ndarray  # (H, W) input
    out: np.ndarray | None  # (H', W') max of each window
    winner: np.ndarray | None  # (H', W', 2) input position of each window's (first) maximum
    tied: tuple  # windows whose maximum occurs more than once
    dout: np.ndarray | None  # (H', W') upstream gradient
    dx: np.ndarray | None  # (H, W) gradient with respect to x
    sources: dict  # input position -> list of windows whose gradient lands there
    missed_rows: tuple  # input rows no window covers
    missed_cols: tuple
    status: str

    @property
    def valid(self) -> bool:
        return self.output_shape is not None


def compute_pool(input_size, pool_size, stride, window=0, seed=0, x=None, dout=None) -> PoolState:
    """What the pooling explorer shows for one setting of its controls.

    Inputs:
    - input_size (H, W), pool_size (PH, PW), stride: ints or (h, w) pairs
    - window: the selected window (= output cell), row-major index or (r, c); clamped
    - seed: picks the input (small integers 0..9, so ties happen) when x is None
    - x: (H, W) input; dout: (H', W') upstream gradient (default 1, 2, 3, ... row-major,
      so every sum in dx can be traced back)
    Returns a PoolState; a window that does not fit gives output_shape None and a status.
    """
    size = shapes.check_pair("input_size", input_size, 1)
    kernel = shapes.check_pair("pool_size", pool_size, 1)
    stride = shapes.check_pair("stride", stride, 1)
    if x is None:
        x = np.random.default_rng(seed).integers(0, 10, size).astype(np.float64)
    x = np.asarray(x, dtype=np.float64)
    try:
        Ho, Wo = shapes.window_output("pool window", kernel, size, stride, (0, 0), (1, 1))
    except ValueError as exc:
        return PoolState(
            size, kernel, stride, None, None, x, None, None, (), None, None, {}, (), (), f"No output: {exc}."
        )
    param = {"pool_height": kernel[0], "pool_width": kernel[1], "stride": stride}
    out, cache = max_pool_forward_im2col(x[None, None], param)
    argmax = cache[2][0, 0]  # (H', W'): row-major index p*PW + q of each window's first maximum
    p, q = np.divmod(argmax, kernel[1])
    winner = np.stack([np.arange(Ho)[:, None] * stride[0] + p, np.arange(Wo)[None, :] * stride[1] + q], axis=-1)
    dout = np.arange(1.0, Ho * Wo + 1).reshape(Ho, Wo) if dout is None else np.asarray(dout, dtype=np.float64)
    dx = max_pool_backward_im2col(dout[None, None], cache)[0, 0]
    sources = {}
    tied = []
    for i in range(Ho):
        for j in range(Wo):
            sources.setdefault(tuple(int(v) for v in winner[i, j]), []).append((i, j))
            patch = x[i * stride[0] : i * stride[0] + kernel[0], j * stride[1] : j * stride[1] + kernel[1]]
            if np.count_nonzero(patch == patch.max()) > 1:
                tied.append((i, j))
    missed = [never_read(n, k, s, 0, 1, o)[1] for n, k, s, o in zip(size, kernel, stride, (Ho, Wo))]
    r, c = _cell(window, (Ho, Wo))
    status = _status(kernel, stride, sources, dout, missed, tied, (r, c))
    return PoolState(size, kernel, stride, (Ho, Wo), (r, c), x, out[0, 0], winner, tuple(tied), dout, dx,
                     sources, tuple(missed[0]), tuple(missed[1]), status)  # fmt: skip


def _cell(index, shape):
    Ho, Wo = shape
    r, c = index if isinstance(index, (tuple, list)) else divmod(int(index), Wo)
    return int(min(max(r, 0), Ho - 1)), int(min(max(c, 0), Wo - 1))


def _status(kernel, stride, sources, dout, missed, tied, selected) -> str:
    sentences = []
    shared = {pos: wins for pos, wins in sources.items() if len(wins) > 1}
    if shared:
        (i, j), wins = min(shared.items())
        terms = " + ".join(format_number(dout[w]) for w in wins)
        total = format_number(sum(dout[w] for w in wins))
        sentences.append(
            f"Windows overlap, and {len(shared)} input{'s' if len(shared) > 1 else ''} won more than one window: "
            f"each receives the sum of those gradients (x[{i}, {j}] gets {terms} = {total})."
        )
    elif kernel[0] > stride[0] or kernel[1] > stride[1]:
        sentences.append("Windows overlap, but no input is the maximum of two windows here.")
    rows, cols = missed
    if rows and rows == cols and stride[0] == stride[1]:
        parts = [(axis_words("row", "column", rows), stride[0])]
    else:
        parts = [(axis_words("row", None, left), s) for left, s in ((rows, stride[0]),) if left]
        parts += [(axis_words("column", None, left), s) for left, s in ((cols, stride[1]),) if left]
    for words, s in parts:
        sentences.append(f"Stride {s} leaves input {words} out: never pooled, they get zero gradient.")
    if selected in tied:
        sentences.append(
            f"Window ({selected[0]}, {selected[1]}) has a tie: its gradient goes to the first maximum "
            "in row-major order (as in PyTorch)."
        )
    elif tied:
        sentences.append(f"{len(tied)} window{'s have' if len(tied) > 1 else ' has'} tied maxima (first one wins).")
    return " ".join(sentences)


# ---------------------------------------------------------------------------------------------
# Drawing


def draw_pool(fig, state: PoolState) -> list:
    """Draw forward (x -> out) above backward (dx <- dout) for a PoolState; returns the artists.

    x and dx are drawn one above the other at the same scale, as are out and dout, so a
    gradient can be followed from its output cell back to the input it lands on.
    """
    clear_figure(fig)
    H, W = state.input_size
    Ho, Wo = state.output_shape or (1, 1)
    band = 2.35  # the height a grid may use, inches
    cell = min(band / H, 3.3 / W, 0.36)
    cell_o = min(max(cell, 0.26), band / Ho, 2.4 / Wo)
    font = cell_font(cell, {format_number(v) for v in np.ravel(state.x)})
    font_dx = font_o = None
    if state.valid:
        font_dx = cell_font(cell, {format_number(v) for v in np.ravel(state.dx)})
        font_o = cell_font(cell_o, {format_number(v) for a in (state.out, state.dout) for v in np.ravel(a)})
    rows = (0.75, 3.95)  # top of the forward and the backward grids, inches from the top
    ax_x = panel(fig, "x", place(fig, 0.5, rows[0], W * cell, H * cell))
    ax_dx = panel(fig, "dx", place(fig, 0.5, rows[1], W * cell, H * cell))
    ax_out = panel(fig, "out", place(fig, 5.6, rows[0], Wo * cell_o, Ho * cell_o))
    ax_dout = panel(fig, "dout", place(fig, 5.6, rows[1], Wo * cell_o, Ho * cell_o))
    artists = _draw_x(ax_x, state, font)
    if not state.valid:
        for ax in (ax_out, ax_dout, ax_dx):
            ax.set_axis_off()
        why = "no output, and no gradient:\nthe window does not fit in the input"
        artists.append(text(ax_out, 0, 1, why, 11, COLORS["vermillion"], va="top", transform=ax_out.transAxes))
        artists.append(text(fig, 0.5, 0.02, wrap(state.status, 110), 9.5, COLORS["vermillion"], ha="center",
                            va="bottom"))  # fmt: skip
        return artists
    for y, arrow in ((rows[0], "→"), (rows[1], "←")):
        mid = 1 - (y + min(H * cell, band) / 2) / fig.get_size_inches()[1]
        artists.append(text(fig, 4.9 / fig.get_size_inches()[0], mid, arrow, 22, ha="center", va="center"))
    artists += _draw_out(ax_out, state, font_o)
    artists += _draw_dout(ax_dout, state, font_o)
    artists += _draw_dx(ax_dx, state, font_dx)
    if state.status:
        artists.append(text(fig, 0.5, 0.02, wrap(state.status, 115), 9.5, ha="center", va="bottom"))
    return artists


def _window_mask(state: PoolState, r: int, c: int) -> np.ndarray:
    mask = np.zeros(state.input_size, dtype=bool)
    top, left = r * state.stride[0], c * state.stride[1]
    mask[top : top + state.pool_size[0], left : left + state.pool_size[1]] = True
    return mask


def _title(ax, title: str, pad=12):
    return text(ax, 0, 1, title, 10, va="bottom", transform=ax.transAxes, shift=(0, pad))


def _draw_x(ax, state: PoolState, font) -> list:
    H, W = state.input_size
    fill = np.ones((H, W, 3))
    missed = np.zeros((H, W), dtype=bool)
    missed[list(state.missed_rows), :] = True
    missed[:, list(state.missed_cols)] = True
    fill[missed] = tint("vermillion", 0.3)
    title = f"Forward: input x {H}×{W}, pool {state.pool_size[0]}×{state.pool_size[1]}, stride {_pair(state.stride)}"
    if state.valid:
        r, c = state.selected
        fill[_window_mask(state, r, c)] = rgb("sky")
        for pos in state.sources:
            fill[pos] = tint("orange", 0.45)
        fill[tuple(state.winner[r, c])] = rgb("orange")
        title += f"\nblue: window ({r}, {c});  orange: the maximum of a window"
    artists = grid(ax, fill, state.x if font else None, range(H), range(W), fontsize=font or MIN_POINTS)
    if not font:
        artists.append(_below(ax, f"(integers {format_number(state.x.min())} to {format_number(state.x.max())}, "
                                  "too many to print here)"))  # fmt: skip
    if missed.any():
        artists.append(cells(ax, missed, "vermillion", hatch="//"))
    if state.valid:
        r, c = state.selected
        artists.append(outline(ax, r * state.stride[0], c * state.stride[1], *state.pool_size, color="blue"))
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
    i, j = state.winner[r, c]
    artists.append(_title(ax, f"out {Ho}×{Wo}: the max of each window\nout[{r}, {c}] = x[{i}, {j}] = "
                              f"{format_number(state.out[r, c])}"))  # fmt: skip
    return artists


def _draw_dout(ax, state: PoolState, font) -> list:
    artists = _selected_grid(ax, state, state.dout, font)
    artists.append(_title(ax, "Backward: upstream gradient dout"))
    return artists


def _draw_dx(ax, state: PoolState, font) -> list:
    """dx, with "a+b" written out where several gradients add up (when it fits in the cell)."""
    H, W = state.input_size
    cell_pt = 72 * ax.get_position().width * ax.figure.get_size_inches()[0] / W
    fill = np.ones((H, W, 3))
    values = np.array([[format_number(v) for v in row] for row in state.dx], dtype=object)
    colors = np.full((H, W), "#999999", dtype=object)
    sums, sum_xy = [], []
    for pos, wins in state.sources.items():
        fill[pos] = tint("orange", 0.45 if len(wins) == 1 else 1.0)
        colors[pos] = COLORS["ink"]
        terms = "+".join(format_number(state.dout[w]) for w in wins)
        if len(wins) > 1 and font and text_width(terms, max(min(font, 8.0), MIN_POINTS)) <= 0.92 * cell_pt:
            sums.append(terms)
            sum_xy.append((pos[1], pos[0]))
            values[pos] = ""
    r, c = state.selected
    fill[tuple(state.winner[r, c])] = rgb("orange")
    artists = grid(ax, fill, values if font else None, range(H), range(W), fontsize=font or MIN_POINTS,
                   text_colors=colors)  # fmt: skip
    if sums:
        artists.append(labels(ax, sum_xy, sums, max(min(font, 8.0), MIN_POINTS)))
    i, j = state.winner[r, c]
    artists.append(outline(ax, i, j, 1, 1, color="blue"))
    artists.append(_title(ax, f"dx: each dout lands on its window's max; overlaps add up\n"
                              f"dout[{r}, {c}] = {format_number(state.dout[r, c])} lands on x[{i}, {j}]"))  # fmt: skip
    if not font:  # the sums do not fit in the cells: the selected one and the largest, in words
        big = np.unravel_index(int(np.argmax(state.dx)), state.dx.shape)
        words = (f"(too small to print every sum here: dx[{i}, {j}] = {format_number(state.dx[i, j])}, "
                 f"the largest is dx[{big[0]}, {big[1]}] = {format_number(state.dx[big])})")  # fmt: skip
        artists.append(_below(ax, words))
    return artists


def _below(ax, words: str):
    """Words under a grid, in place of numbers that do not fit in its cells."""
    return text(ax, 0, 0, words, 8.5, "#444444", va="top", transform=ax.transAxes, shift=(0, -5))


def describe_pool(state: PoolState) -> str:
    """The figure in words: sizes, the selected window's maximum and where its gradient lands, the status."""
    H, W = state.input_size
    head = (f"Max pooling of a {H}×{W} input, pool {state.pool_size[0]}×{state.pool_size[1]}, "
            f"stride {_pair(state.stride)}")  # fmt: skip
    if not state.valid:
        return f"{head}: no output.\n{state.status}"
    (Ho, Wo), (r, c) = state.output_shape, state.selected
    i, j = (int(v) for v in state.winner[r, c])
    words = [f"{head}: output {Ho}×{Wo}.",
             f"Window ({r}, {c}): out[{r}, {c}] = x[{i}, {j}] = {format_number(state.out[r, c])}; backward, "
             f"dout[{r}, {c}] = {format_number(state.dout[r, c])} lands on x[{i}, {j}], where dx[{i}, {j}] = "
             f"{format_number(state.dx[i, j])}."]  # fmt: skip
    return "\n".join(words + ([state.status] if state.status else []))


def _pair(pair) -> str:
    return f"{pair[0]}" if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


# ---------------------------------------------------------------------------------------------
# The widget


class PoolExplorer(Explorer):
    """Max pooling forward and backward, interactively (lesson 4).

    Controls (``.controls``): 'input_size', 'pool_size', 'stride', 'window' (the selected
    window, row-major) and 'seed' (another input). ``.output_shape`` is (H', W') or None;
    ``.status`` explains overlaps (gradients summed), rows/columns a stride leaves out, ties,
    or why there is no output; ``.state`` is the PoolState with out, dx and where each
    gradient landed.
    """

    figsize = (9.0, 7.0)

    RANGES = {"input_size": (1, MAX_SIZE), "pool_size": (1, 5), "stride": (1, 4), "seed": (0, 20)}

    def __init__(self, input_size=6, pool_size=2, stride=2, window=0, seed=0):
        given = {"input_size": input_size, "pool_size": pool_size, "stride": stride, "seed": seed}
        v = {name: shapes.check_setting(name, value, *self.RANGES[name], f"the range of the {name.replace('_', ' ')} "
                                        "slider") for name, value in given.items()}  # fmt: skip
        out = shapes.conv_output_size(v["input_size"], v["pool_size"], v["stride"])
        fits = v["pool_size"] <= v["input_size"]
        window = shapes.check_cell("window", window, (out, out) if fits else None)
        controls = {
            "input_size": slider("input size", v["input_size"], *self.RANGES["input_size"]),
            "pool_size": slider("pool size", v["pool_size"], *self.RANGES["pool_size"]),
            "stride": slider("stride", v["stride"], *self.RANGES["stride"]),
            "window": slider("window", window, 0, 10**6),
            "seed": slider("new numbers", v["seed"], *self.RANGES["seed"]),
        }
        super().__init__(controls)

    def sync_controls(self) -> None:
        """Fit the window slider to the output grid."""
        v = self.values
        out = shapes.conv_output_size(v["input_size"], v["pool_size"], v["stride"])
        self.fit_cell_slider("window", (out, out) if v["pool_size"] <= v["input_size"] else None)

    def compute(self) -> PoolState:
        return compute_pool(**self.values)

    def draw(self, state: PoolState) -> list:
        return draw_pool(self.figure, state)

    def describe(self, state: PoolState) -> str:
        return describe_pool(state)

    @property
    def output_shape(self):
        """(H', W'), or None when the window does not fit."""
        return None if self.state is None else self.state.output_shape
