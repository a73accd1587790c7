"""im2col and col2im: every sliding window of an image laid out as one column of a matrix.

A convolution then becomes a single matrix product, ``out = w_row @ cols``:

    x (N, C, H, W)  --im2col-->  cols (N, C*HH*WW, H'*W')   one column per output position
    w (F, C, HH, WW) reshaped to  w_row (F, C*HH*WW)          one row per filter
    w_row @ cols  ->  (N, F, H'*W')  ->  reshape to (N, F, H', W')

``col2im`` is its adjoint (the backward pass): it adds every column back into the
window it came from, so an input pixel shared by overlapping windows receives the sum.

The column matrix is HH*WW times the size of the (padded) input, so it is the memory
hog of fast convolution: above ``memory_budget()`` bytes we refuse with a clear error
instead of pushing the machine into swap. Change it with ``set_memory_budget``.

Introduced in lesson 3 (im2col and speed); max pooling (lesson 4) reuses ``windows``.
"""

from __future__ import annotations

import os

import numpy as np

from cnnlab import geometry, shapes

__all__ = ["im2col", "col2im", "windows", "pad_input", "memory_budget", "set_memory_budget"]

_budget = int(os.environ.get("CNNLAB_IM2COL_BUDGET", 512 * 2**20))


def memory_budget() -> int:
    """The most bytes one column matrix may take (default 512 MiB, or $CNNLAB_IM2COL_BUDGET)."""
    return _budget


def set_memory_budget(nbytes: int) -> int:
    """Set the largest column matrix im2col will build, in bytes; return the previous budget."""
    global _budget
    previous = _budget
    _budget = shapes.check_int("nbytes", nbytes, 1)
    return previous


# ---------------------------------------------------------------------------------------------
# Public, validated entry points (taught in lesson 3)


def im2col(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Unfold every filter-sized window of x into a column.

    Inputs:
    - x: (N, C, H, W)
    - filter_height, filter_width: HH, WW, the window size
    - stride, pad, dilation: ints or (h, w) pairs, as in ``conv_param``

    Returns:
    - cols: (N, C*HH*WW, H'*W') with H' = (H + 2*pad - dilation*(HH-1) - 1) // stride + 1
      (W' likewise). Row ``c*HH*WW + p*WW + q`` holds tap (p, q) of channel c; column
      ``i*W' + j`` is the window of output position (i, j).
    """
    x, kernel, stride, pad, dilation, _ = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    return columns(x, kernel, stride, pad, dilation)


def col2im(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Fold columns back into an image, summing where windows overlap (the adjoint of im2col).

    Inputs:
    - cols: (N, C*HH*WW, H'*W'), as returned by ``im2col``
    - x_shape: (N, C, H, W), the shape of the image the columns came from
    - filter_height, filter_width, stride, pad, dilation: as given to ``im2col``

    Returns:
    - x: (N, C, H, W); padding is cut away, so ``col2im(ones)`` counts how many windows
      cover each pixel.
    """
    x_shape = shapes.check_shape_tuple("x_shape", x_shape, 4, "(N, C, H, W)")
    N, C, H, W = x_shape
    kernel, stride, pad, dilation, (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    cols = shapes.check_dout(cols, (N, C * kernel[0] * kernel[1], Ho * Wo), name="cols")
    return fold(cols, x_shape, kernel, stride, pad, dilation)


# ---------------------------------------------------------------------------------------------
# Unvalidated workers, called by the layers after their own validation


def pad_input(x: np.ndarray, pad: tuple[int, int]) -> np.ndarray:
    """(N, C, H, W) -> (N, C, H + 2*ph, W + 2*pw), zero-padded (no copy when pad is 0)."""
    ph, pw = pad
    if ph == 0 and pw == 0:
        return x
    N, C, H, W = x.shape
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=x.dtype)
    xp[:, :, ph : ph + H, pw : pw + W] = x
    return xp


def windows(xp: np.ndarray, kernel, stride, dilation) -> np.ndarray:
    """A read-only strided view of every window of an (already padded) input.

    (N, C, Hp, Wp) -> (N, C, HH, WW, H', W'): element [n, c, p, q, i, j] is
    xp[n, c, i*stride_h + p*dilation_h, j*stride_w + q*dilation_w], tap (p, q) of the window
    of output (i, j). No data is copied.
    """
    N, C, Hp, Wp = xp.shape
    (HH, WW), (sh, sw), (dh, dw) = kernel, stride, dilation
    Ho, Wo = geometry.output_size(Hp, HH, sh, 0, dh), geometry.output_size(Wp, WW, sw, 0, dw)
    sN, sC, sH, sW = xp.strides
    return np.lib.stride_tricks.as_strided(
        xp,
        shape=(N, C, HH, WW, Ho, Wo),
        strides=(sN, sC, sH * dh, sW * dw, sH * sh, sW * sw),
        writeable=False,
    )


def columns(x, kernel, stride, pad, dilation) -> np.ndarray:
    """(N, C, H, W) -> cols (N, C*HH*WW, H'*W'); see ``im2col``."""
    N, C, H, W = x.shape
    HH, WW = kernel
    Ho, Wo = _output_hw((H, W), kernel, stride, pad, dilation)
    check_budget(N, C * HH * WW, Ho * Wo, x.dtype)
    view = windows(pad_input(x, pad), kernel, stride, dilation)  # (N, C, HH, WW, Ho, Wo), no copy
    return view.copy().reshape(N, C * HH * WW, Ho * Wo)  # always a fresh array, never a view of x


def fold(cols, x_shape, kernel, stride, pad, dilation) -> np.ndarray:
    """cols (N, C*HH*WW, H'*W') -> (N, C, H, W), summing overlaps; see ``col2im``."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, pad, dilation
    Ho, Wo = _output_hw((H, W), kernel, stride, pad, dilation)
    cols = cols.reshape(N, C, HH, WW, Ho, Wo)
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for p in range(HH):  # one strided add per filter tap (p, q): its value in every window
        for q in range(WW):
            rows, columns_ = geometry.tap_positions(p, Ho, sh, dh), geometry.tap_positions(q, Wo, sw, dw)
            xp[:, :, rows, columns_] += cols[:, :, p, q]
    return xp[:, :, ph : ph + H, pw : pw + W]


def check_budget(N: int, rows: int, cols: int, dtype) -> None:
    """Refuse a column matrix of (N, rows, cols) that would exceed ``memory_budget()``."""
    itemsize = np.dtype(dtype).itemsize
    nbytes = N * rows * cols * itemsize
    if nbytes <= _budget:
        return
    fits = max(_budget // (rows * cols * itemsize), 0)
    advice = f"use a batch of at most N = {fits}" if fits else "use a smaller input or filter"
    raise MemoryError(
        f"im2col would build a {_mib(nbytes)} column matrix (N={N} x C*HH*WW={rows} x H'*W'={cols} "
        f"x {itemsize} bytes), over the budget of {_mib(_budget)}; {advice}, or raise the budget "
        "with cnnlab.im2col.set_memory_budget(nbytes)"
    )


def _output_hw(hw, kernel, stride, pad, dilation):
    return tuple(geometry.output_size(n, k, s, p, d) for n, k, s, p, d in zip(hw, kernel, stride, pad, dilation))


def _mib(nbytes: int) -> str:
    return f"{nbytes / 2**20:,.1f} MiB"
