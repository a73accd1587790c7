"""Im2colExplorer: every window of the input becomes one column of a matrix.

Introduced in lesson 3 (im2col and speed). Each input pixel is numbered (1, 2, 3, ...;
padding is 0), so the column matrix ``cnnlab.im2col.im2col`` builds from it shows where
every number went. Two selections are linked both ways:

- a *window* (an output position) is highlighted in the input and as its column;
- an input *pixel* is highlighted in the input and at every place it was copied to in the
  matrix: up to KH*KW copies, which is where im2col's memory goes.

Below, the memory of the column matrix for the chosen batch N is compared with the input's,
with the same ``memory_budget`` check im2col applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.patches import Rectangle

from cnnlab import geometry, shapes
from cnnlab import im2col as im2col_module
from cnnlab.widgets._draw import (
    MIN_POINTS,
    cell_font,
    clear_figure,
    format_number,
    grid,
    labels,
    outline,
    panel,
    place,
    rgb,
    text,
    tint,
)
from cnnlab.widgets._render import COLORS, Explorer, slider, wrap

__all__ = ["Im2colState", "compute_im2col", "draw_im2col", "Im2colExplorer", "format_bytes"]

ITEMSIZE = 8  # float64
REFERENCE_LAYER = (64, 64, 56, 56)  # N, C, H, W of a mid-sized ResNet layer, for scale


@dataclass(frozen=True, kw_only=True)
class Im2colState:
    """What Im2colExplorer shows: one sample's columns (all channels) and the batch's memory."""

    N: int
    C: int
    input_size: tuple  # (H, W)
    filter_size: tuple
    stride: tuple
    pad: tuple
    dilation: tuple
    output_shape: tuple | None = None  # (H', W'), None when the filter does not fit
    x: np.ndarray  # (C, H, W) pixel numbers 1, 2, ... (0 is padding)
    cols: np.ndarray | None = None  # (C*KH*KW, H'*W') = im2col(x)[0]
    window: tuple | None = None  # (r, c): the selected output position; its column is r*W' + c
    pixel: tuple  # (i, j) of the selected pixel of channel 0
    copies: tuple = ()  # (row, column) of every entry of cols that holds the selected pixel
    input_bytes: int  # N*C*H*W*8
    padded_bytes: int
    cols_bytes: int = 0  # N*C*KH*KW*H'*W'*8
    status: str

    @property
    def valid(self) -> bool:
        return self.output_shape is not None

    @property
    def column(self) -> int | None:
        """Index of the selected window's column."""
        return None if self.window is None else self.window[0] * self.output_shape[1] + self.window[1]

    @property
    def ratio(self) -> float:
        """How many times larger the column matrix is than the input."""
        return self.cols_bytes / self.input_bytes


def compute_im2col(N, C, H, W, filter_size, stride=1, pad=0, dilation=1, window=0, pixel=0) -> Im2colState:
    """What the im2col explorer shows for one setting of its controls.

    Inputs: N, C, H, W (the batch), filter_size, stride, pad, dilation (ints or pairs);
    window: the selected output position (row-major index or (r, c)); pixel: the selected
    pixel of channel 0 (row-major index or (i, j)). Out-of-range selections are clamped.
    Returns an Im2colState; a filter that does not fit gives output_shape None and a status.
    """
    N, C = shapes.check_int("N", N, 1), shapes.check_int("C", C, 1)
    size = (shapes.check_int("H", H, 1), shapes.check_int("W", W, 1))
    kernel = shapes.check_pair("filter_size", filter_size, 1)
    stride, pad = shapes.check_pair("stride", stride, 1), shapes.check_pair("pad", pad, 0)
    dilation = shapes.check_pair("dilation", dilation, 1)
    (KH, KW), (ph, pw) = kernel, pad
    x = np.arange(1.0, C * size[0] * size[1] + 1).reshape(C, *size)
    i, j = _clamp(pixel, size)
    input_bytes = N * C * size[0] * size[1] * ITEMSIZE
    padded_bytes = N * C * (size[0] + 2 * ph) * (size[1] + 2 * pw) * ITEMSIZE
    setting = {"N": N, "C": C, "input_size": size, "filter_size": kernel, "stride": stride, "pad": pad,
               "dilation": dilation, "x": x, "pixel": (i, j), "input_bytes": input_bytes,
               "padded_bytes": padded_bytes}  # fmt: skip
    try:
        Ho, Wo = shapes.window_output("filter", kernel, size, stride, pad, dilation)
    except ValueError as exc:
        return Im2colState(**setting, status=f"No output: {exc}.")
    # One sample's columns, built by im2col's own workers (the budget is checked below, for the batch)
    view = im2col_module.windows(
        im2col_module.pad_input(x[None], pad), kernel, stride, dilation
    )  # (1, C, KH, KW, Ho, Wo)
    cols = view[0].reshape(C * KH * KW, Ho * Wo)  # (C*KH*KW, Ho*Wo)
    rows, columns = np.nonzero(cols == x[0, i, j])
    cols_bytes = N * C * KH * KW * Ho * Wo * ITEMSIZE
    status = ""
    try:
        im2col_module.check_budget(N, C * KH * KW, Ho * Wo, np.float64)
    except MemoryError as exc:
        status = f"im2col would refuse this batch: {exc}."
    return Im2colState(**setting, output_shape=(Ho, Wo), cols=cols, window=_clamp(window, (Ho, Wo)),
                       copies=tuple(zip(rows.tolist(), columns.tolist())), cols_bytes=cols_bytes,
                       status=status)  # fmt: skip


def _clamp(index, shape):
    h, w = shape
    r, c = index if isinstance(index, (tuple, list)) else divmod(int(index), w)
    return int(min(max(r, 0), h - 1)), int(min(max(c, 0), w - 1))


def format_bytes(n: float) -> str:
    """Bytes in the largest binary unit that keeps the number >= 1: '6.1 KiB', '1.2 GiB'."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return ""  # not reached


def reference_memory(state: Im2colState) -> tuple[int, int] | None:
    """(input bytes, column bytes) of this filter on REFERENCE_LAYER, or None if it does not fit."""
    N, C, H, W = REFERENCE_LAYER
    try:
        Ho, Wo = shapes.window_output("filter", state.filter_size, (H, W), state.stride, state.pad, state.dilation)
    except ValueError:
        return None
    KH, KW = state.filter_size
    return N * C * H * W * ITEMSIZE, N * C * KH * KW * Ho * Wo * ITEMSIZE


# ---------------------------------------------------------------------------------------------
# Drawing


def draw_im2col(fig, state: Im2colState) -> list:
    """Draw channel 0 of the padded input, the column matrix and the memory bars; returns the artists."""
    clear_figure(fig)
    (H, W), (ph, pw) = state.input_size, state.pad
    Hp, Wp = H + 2 * ph, W + 2 * pw
    cell = min(2.6 / Hp, 2.6 / Wp, 0.34)
    ax_x = panel(fig, "x", place(fig, 0.45, 1.0, Wp * cell, Hp * cell))
    artists = _draw_input(ax_x, state, cell)
    ax_cols = None
    if state.valid:
        R, K = state.cols.shape
        cell_m = min(5.2 / K, 2.9 / R, 0.3)
        ax_cols = panel(fig, "cols", place(fig, 3.6, 1.0, K * cell_m, R * cell_m))
        artists += _draw_columns(ax_cols, state, cell_m)
    else:
        ax_cols = panel(fig, "cols", place(fig, 3.6, 1.0, 5.2, 2.6))
        ax_cols.set_axis_off()
        artists.append(text(ax_cols, 0, 0.9, "no columns: no window fits", 11, COLORS["vermillion"],
                            transform=ax_cols.transAxes))  # fmt: skip
    ax_mem = panel(fig, "memory", place(fig, 1.9, 4.5, 4.6, 0.75))
    artists += _draw_memory(ax_mem, state)
    if state.status:
        artists.append(
            text(fig, 0.5, 0.015, wrap(state.status, 115), 9, COLORS["vermillion"], ha="center", va="bottom")
        )
    return artists


def _draw_input(ax, state: Im2colState, cell: float) -> list:
    (H, W), (ph, pw) = state.input_size, state.pad
    Hp, Wp = H + 2 * ph, W + 2 * pw
    fill = np.ones((Hp, Wp, 3))
    fill[:, :] = rgb("grey")
    fill[ph : ph + H, pw : pw + W] = 1.0
    if state.valid:
        window = np.zeros((Hp, Wp), dtype=bool)
        window[_window(state)] = True
        fill[window] = rgb("sky")
    i, j = state.pixel
    fill[i + ph, j + pw] = rgb("orange")
    values = np.zeros((Hp, Wp))
    values[ph : ph + H, pw : pw + W] = state.x[0]
    font = cell_font(cell, {format_number(v) for v in np.ravel(values)}, largest=9.0)
    if not font:  # too small for numbers: a shade per pixel number instead
        plain = (fill == 1.0).all(axis=-1)
        fill[plain] = shade(values[plain], state.x.size)
    artists = grid(ax, fill, values if font else None, range(-ph, H + ph), range(-pw, W + pw),
                   fontsize=font or MIN_POINTS)  # fmt: skip
    artists.append(outline(ax, ph, pw, H, W, color="ink", lw=1.0))
    title = f"Input, channel 0 of {state.C}: {H}×{W}, pad {_p(state.pad)}\npixels numbered 1, 2, …; grey = padding (0)"
    if not font:
        title += f"\n(too many to print: pixel numbers 1 to {H * W}, darker green = later)"
    if state.valid:
        rows, cols = _window(state)
        artists.append(outline(ax, rows.start, cols.start, rows.stop - rows.start, cols.stop - cols.start,
                               color="blue", lw=2))  # fmt: skip
    artists.append(text(ax, 0, 1, title, 9.5, va="bottom", transform=ax.transAxes, shift=(0, 11)))
    return artists


def _window(state: Im2colState) -> tuple[slice, slice]:
    """The rows and the columns of the padded input that the selected window reads."""
    (r, c), (sh, sw), (dh, dw), (KH, KW) = state.window, state.stride, state.dilation, state.filter_size
    return geometry.window(r, KH, sh, dh), geometry.window(c, KW, sw, dw)


def _draw_columns(ax, state: Im2colState, cell: float) -> list:
    R, K = state.cols.shape
    KH, KW = state.filter_size
    font = cell_font(cell, {format_number(v) for v in np.ravel(state.cols)}, largest=8.0)
    fill = np.ones((R, K, 3))
    if not font:  # too small for numbers: a shade per pixel number instead
        fill[:] = shade(state.cols, state.x.size)
    fill[state.cols == 0] = rgb("grey")
    fill[:, state.column] = np.where(state.cols[:, [state.column]] == 0, tint("blue", 0.55), rgb("sky"))
    for r, c in state.copies:
        fill[r, c] = rgb("orange")
    values = state.cols if font else None
    row_labels = col_labels = None
    if font:
        col_labels = range(K)
    artists = grid(ax, fill, values, row_labels, col_labels, fontsize=font or MIN_POINTS,
                   lines="#AAAAAA" if font else None)  # fmt: skip
    artists.append(outline(ax, 0, state.column, R, 1, color="blue", lw=2))
    if not font and state.copies:  # cells too small to see: mark the copies
        rows, columns = zip(*state.copies)
        artists.append(ax.scatter(columns, rows, s=22, marker="s", color=COLORS["orange"], edgecolors=COLORS["ink"],
                                  linewidths=0.5, zorder=3))  # fmt: skip
    for c in range(1, state.C):  # channel boundaries
        artists.append(outline(ax, c * KH * KW, 0, 0.0001, K, color="ink", lw=1.0))
    step = next((s for s in (1, 2, 3) if s * cell * 72 >= 1.25 * MIN_POINTS), None)  # rows apart per label
    if R <= 40 and step:
        names = [f"c{c} ({p},{q})" if state.C > 1 else f"({p},{q})"
                 for c in range(state.C) for p in range(KH) for q in range(KW)]  # fmt: skip
        size = max(min(7.5, 0.6 * cell * 72 * step), MIN_POINTS)
        artists.append(labels(ax, [(-0.5, k) for k in range(0, R, step)], names[::step], size,
                              "#555555", ha="right", shift=(-3, 0)))  # fmt: skip
    Ho, Wo = state.output_shape
    r, c = state.window
    times = f"{len(state.copies)} time{'s' if len(state.copies) != 1 else ''}"
    title = (f"Column matrix of one sample: {R} × {K}\n"
             f"rows C·KH·KW = {state.C}·{KH}·{KW}, one per filter tap; columns H′·W′ = {Ho}·{Wo}, one per window\n"
             f"blue: window ({r}, {c}) → column {state.column};  "
             f"orange: pixel {state.pixel}, copied {times}")  # fmt: skip
    if not font:
        title += "\n(too many cells to print their numbers: green shades the pixel number, darker = later; grey = 0)"
    artists.append(text(ax, 0, 1, title, 9.5, va="bottom", transform=ax.transAxes, shift=(0, 11)))
    return artists


def _draw_memory(ax, state: Im2colState) -> list:
    ax.set_axis_off()
    bars = [("input x", state.input_bytes, COLORS["grey"]), ("padded x", state.padded_bytes, COLORS["grey"])]
    if state.valid:
        bars.append(("columns", state.cols_bytes, COLORS["blue"]))
    top = max(b for _, b, _ in bars)
    artists = []
    for k, (_, nbytes, color) in enumerate(bars):  # plain rectangles: ax.barh costs ~10 ms a redraw
        bar = Rectangle((0, k - 0.35), nbytes / top, 0.7, facecolor=color, edgecolor="none")
        ax.add_artist(bar)
        artists.append(bar)
    ax.set_xlim(0, 1.0)
    ax.set_ylim(len(bars) - 0.5, -0.5)
    names = [f"{name}" for name, _, _ in bars]
    artists.append(labels(ax, [(0, k) for k in range(len(bars))], names, 9, ha="right", shift=(-5, 0)))
    sizes = [format_bytes(b) + (f"  ({b / state.input_bytes:.1f}× the input)" if k == 2 else "")
             for k, (_, b, _) in enumerate(bars)]  # fmt: skip
    artists.append(labels(ax, [(nb / top, k) for k, (_, nb, _) in enumerate(bars)], sizes, 9, ha="left", shift=(4, 0)))
    N, C, (H, W) = state.N, state.C, state.input_size
    title = f"Memory for the whole batch: N={N}, C={C}, {H}×{W}, float64"
    ref = reference_memory(state)
    if ref:
        n, c, h, w = REFERENCE_LAYER
        title += (f"\n(for scale: this filter on a batch N={n}, C={c}, {h}×{w} makes {format_bytes(ref[1])} of columns"
                  f" from a {format_bytes(ref[0])} input)")  # fmt: skip
    artists.append(text(ax, -0.3, 1, title, 9.5, va="bottom", transform=ax.transAxes, shift=(0, 4)))
    return artists


def describe_im2col(state: Im2colState) -> str:
    """The figure in words: the matrix's shape, the selected window and pixel, the memory, the status."""
    (H, W), (KH, KW) = state.input_size, state.filter_size
    head = (f"im2col of N={state.N}, C={state.C}, {H}×{W}, filter {KH}×{KW}, stride {_p(state.stride)}, "
            f"pad {_p(state.pad)}, dilation {_p(state.dilation)}")  # fmt: skip
    memory = f"Memory: input {format_bytes(state.input_bytes)}, padded {format_bytes(state.padded_bytes)}"
    if not state.valid:
        return f"{head}: no columns.\n{memory}.\n{state.status}"
    R, K = state.cols.shape
    r, c = state.window
    n = len(state.copies)
    words = [f"{head}: a column matrix of {R} × {K} per sample (one row per filter tap, one column per window).",
             f"Window ({r}, {c}) becomes column {state.column}; pixel {state.pixel} of channel 0 is copied {n} "
             f"time{'s' if n != 1 else ''} into the matrix.",
             f"{memory}, columns {format_bytes(state.cols_bytes)} ({state.ratio:.1f}× the input)."]  # fmt: skip
    return "\n".join(words + ([state.status] if state.status else []))


def shade(numbers, total: int) -> np.ndarray:
    """Light green shades for pixel numbers 1..total (darker = later pixel): (..., 3) RGB."""
    amount = 0.08 + 0.55 * np.asarray(numbers, dtype=float)[..., None] / max(total, 1)
    return 1 - amount * (1 - rgb("green"))


def _p(pair) -> str:
    return f"{pair[0]}" if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


# ---------------------------------------------------------------------------------------------
# The widget


def _output_grid(size, v: dict) -> tuple | None:
    """(H', W') for an input of ``size`` and the controls' values ``v``, or None when the filter does not fit."""
    out = tuple(geometry.output_size(n, v["filter_size"], v["stride"], v["pad"], v["dilation"]) for n in size)
    return out if min(out) >= 1 else None


class Im2colExplorer(Explorer):
    """A patch of the input and the column it becomes, and what that costs (lesson 3).

    Controls (``.controls``): 'N', 'C', 'H', 'W', 'filter_size', 'stride', 'pad',
    'dilation', 'window' (the selected output position / column, row-major) and 'pixel'
    (a pixel of channel 0, row-major; its copies in the matrix are highlighted).
    ``.output_shape`` is (H', W') or None; ``.state`` has the column matrix and the bytes.
    """

    figsize = (9.0, 5.6)

    RANGES = {"N": (1, 512), "C": (1, 8), "H": (1, 16), "W": (1, 16), "filter_size": (1, 5), "stride": (1, 3),
              "pad": (0, 2), "dilation": (1, 2)}  # fmt: skip
    LABELS = {"N": "batch N", "C": "channels C", "H": "height H", "W": "width W", "filter_size": "filter size",
              "stride": "stride", "pad": "pad", "dilation": "dilation"}  # fmt: skip

    def __init__(self, N=8, C=1, H=4, W=4, filter_size=3, stride=1, pad=1, dilation=1, window=0, pixel=5):
        given = {"N": N, "C": C, "H": H, "W": W, "filter_size": filter_size, "stride": stride, "pad": pad,
                 "dilation": dilation}  # fmt: skip
        v = {name: shapes.check_setting(name, value, *self.RANGES[name], f"the range of the {self.LABELS[name]} "
                                        "slider") for name, value in given.items()}  # fmt: skip
        size = (v["H"], v["W"])
        out = _output_grid(size, v)
        window = shapes.check_cell("window", window, out, "output (one window per column)")
        pixel = shapes.check_cell("pixel", pixel, size, "input")
        controls = {name: slider(self.LABELS[name], v[name], *self.RANGES[name]) for name in given}
        controls["window"] = slider("window", window, 0, 10**6)
        controls["pixel"] = slider("pixel", pixel, 0, 10**6)
        super().__init__(controls)

    def sync_controls(self) -> None:
        """Fit the window and pixel sliders to their grids."""
        v = self.values
        size = (v["H"], v["W"])
        self.fit_cell_slider("pixel", size)
        self.fit_cell_slider("window", _output_grid(size, v))

    def compute(self) -> Im2colState:
        return compute_im2col(**self.values)

    def draw(self, state: Im2colState) -> list:
        return draw_im2col(self.figure, state)

    def describe(self, state: Im2colState) -> str:
        return describe_im2col(state)

    @property
    def output_shape(self):
        """(H', W'), or None when the filter does not fit."""
        return None if self.state is None else self.state.output_shape
