"""Gradient checking: numerical gradients, relative errors, and reports that say where.

A gradient check compares the gradient your backward pass computes (the *analytic*
gradient) with one estimated from the forward pass alone (the *numerical* gradient),
element by element, with the relative error

    err[i] = |a[i] - n[i]| / max(|a[i]| + |n[i]|, floor)

``floor`` keeps elements whose gradient is (nearly) zero from dividing noise by noise:
by default it is ``FLOOR_FRACTION`` (1e-6) times the largest ``|a| + |n|`` in the array,
so an element is never judged on a scale a million times finer than the array's own.

Introduced in lesson 2 (naive convolution); every later lesson checks with it.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "FLOOR_FRACTION",
    "relative_error_map",
    "worst_entries",
    "draw_error_map",
]

FLOOR_FRACTION = 1e-6  # the floor of the relative error's denominator, as a fraction of the array's scale


# ---------------------------------------------------------------------------------------------
# Elementwise relative error: the numbers behind every report and heat map


def relative_error_map(analytic, numeric, floor: float | None = None) -> np.ndarray:
    """Elementwise relative error of two gradients of the same shape.

    Inputs: analytic, numeric: arrays of one shape S (any number of dimensions).
    Returns err (S,) float64 with

        err = |analytic - numeric| / max(|analytic| + |numeric|, floor)

    where ``floor`` defaults to ``FLOOR_FRACTION * max(|analytic| + |numeric|)`` over the
    whole array. Where both are exactly zero the error is 0. Raises ValueError if the
    shapes differ, naming both.
    """
    a, n = _pair("analytic", analytic, "numeric", numeric)
    total = np.abs(a) + np.abs(n)
    if floor is None:
        floor = default_floor(total)
    denominator = np.maximum(total, max(floor, np.finfo(np.float64).tiny))
    return np.abs(a - n) / denominator


def default_floor(total: np.ndarray) -> float:
    """``FLOOR_FRACTION`` times the largest entry of ``|a| + |n|`` (0.0 for an empty array)."""
    finite = total[np.isfinite(total)]
    return FLOOR_FRACTION * float(finite.max()) if finite.size else 0.0


def worst_entries(analytic, numeric, k: int = 5, floor: float | None = None):
    """The k elements where two gradients disagree most, worst first.

    Inputs: analytic, numeric: arrays of one shape S; k >= 0.
    Returns a list of at most k tuples ``(index, analytic value, numeric value, relative
    error)``, ``index`` a tuple of ints into S. Ties keep row-major order; NaN errors
    (e.g. from a NaN gradient) count as the worst.
    """
    a, n = _pair("analytic", analytic, "numeric", numeric)
    err = relative_error_map(a, n, floor)
    ranked = np.where(np.isnan(err), np.inf, err).ravel()
    order = np.argsort(-ranked, kind="stable")[: max(int(k), 0)]
    entries = []
    for flat in order:
        index = tuple(int(i) for i in np.unravel_index(flat, err.shape))
        entries.append((index, float(a[index]), float(n[index]), float(err[index])))
    return entries


# ---------------------------------------------------------------------------------------------
# Heat map


ERROR_COLOR_RANGE = (1e-12, 1.0)  # relative errors drawn on a log scale between these


def draw_error_map(ax, analytic, numeric, title: str = "", floor: float | None = None, colorbar: bool = True):
    """Draw the elementwise relative error of two gradients as a heat map on ``ax``.

    Inputs: ax, a matplotlib Axes; analytic, numeric: arrays of one shape, drawn as
    - 0-D / 1-D: one row of cells;  2-D (H, W): one map;  3-D (C, H, W): C maps in a row;
    - 4-D (N, C, H, W): a grid of maps, one row per sample n and one column per channel c
      (more dimensions are folded into the rows).
    Colors are log10 of the relative error from 1e-12 (dark) to 1 (bright); NaN errors are
    drawn in cyan. Returns the list of artists drawn (the image, then the colorbar if any).
    matplotlib is imported here, not when cnnlab.gradcheck is imported.
    """
    from matplotlib import colors

    err = relative_error_map(analytic, numeric, floor)
    mosaic, (rows, cols, H, W) = _mosaic(err)
    gaps = _gap_mask(mosaic.shape, rows, cols, H, W)
    nan_cells = np.isnan(mosaic) & ~gaps
    low, high = ERROR_COLOR_RANGE
    image = ax.imshow(
        np.ma.masked_where(gaps | nan_cells, np.clip(mosaic, low, high)),
        cmap=_error_cmap(),
        norm=colors.LogNorm(vmin=low, vmax=high),
        interpolation="nearest",
    )
    artists = [image]
    if nan_cells.any():
        nan_layer = np.ma.masked_where(~nan_cells, np.ones_like(mosaic))
        artists.append(ax.imshow(nan_layer, cmap="cool", vmin=0, vmax=1, interpolation="nearest"))
    _label_grid(ax, err.ndim, rows, cols, H, W)
    if title:
        ax.set_title(title)
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        bar.set_label("relative error (log scale)")
        artists.append(bar)
    return artists


def _mosaic(err: np.ndarray):
    """Lay an error array out as one 2-D image: (rows x cols) maps of H x W, 1-cell gaps (NaN)."""
    if err.ndim == 0:
        err = err.reshape(1, 1, 1, 1)
    elif err.ndim == 1:
        err = err.reshape(1, 1, 1, -1)
    elif err.ndim == 2:
        err = err.reshape(1, 1, *err.shape)
    elif err.ndim == 3:
        err = err.reshape(1, *err.shape)
    elif err.ndim > 4:
        err = err.reshape(-1, *err.shape[-3:])
    rows, cols, H, W = err.shape
    mosaic = np.full((rows * (H + 1) - 1, cols * (W + 1) - 1), np.nan)
    for r in range(rows):
        for c in range(cols):
            mosaic[r * (H + 1) : r * (H + 1) + H, c * (W + 1) : c * (W + 1) + W] = err[r, c]
    return mosaic, (rows, cols, H, W)


def _gap_mask(shape, rows, cols, H, W) -> np.ndarray:
    """True on the separator cells between maps in a mosaic."""
    gap = np.ones(shape, dtype=bool)
    for r in range(rows):
        for c in range(cols):
            gap[r * (H + 1) : r * (H + 1) + H, c * (W + 1) : c * (W + 1) + W] = False
    return gap


def _label_grid(ax, ndim: int, rows: int, cols: int, H: int, W: int) -> None:
    """Tick labels naming the sample (rows) and channel (columns) of each map."""
    if ndim >= 4 or (ndim == 3 and cols > 1):
        ax.set_xticks([c * (W + 1) + (W - 1) / 2 for c in range(cols)])
        ax.set_xticklabels([f"c={c}" for c in range(cols)])
    else:
        ax.set_xlabel("column" if ndim >= 2 else "index")
    if ndim >= 4:
        ax.set_yticks([r * (H + 1) + (H - 1) / 2 for r in range(rows)])
        ax.set_yticklabels([f"n={r}" for r in range(rows)])
    elif ndim <= 1:
        ax.set_yticks([])
    else:
        ax.set_ylabel("row")
    ax.tick_params(length=0)


def _error_cmap():
    """A sequential colormap (dark = agreement, bright = disagreement), gaps left blank."""
    from matplotlib import colormaps

    return colormaps["magma"].with_extremes(bad=(0.0, 0.0, 0.0, 0.0))


# ---------------------------------------------------------------------------------------------
# Helpers


def _pair(name_a: str, a, name_b: str, b):
    """Two arrays as float64, or a ValueError if their shapes differ."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape to be compared, got {name_a} {a.shape} "
            f"and {name_b} {b.shape}"
        )
    return a, b
