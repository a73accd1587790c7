"""Max and average pooling, forward and backward: once as loops, once through im2col windows.

Max pooling:

    out[n, c, i, j] = max over p < PH, q < PW of x[n, c, i*stride + p, j*stride + q]
    H' = (H - PH) // stride + 1   (W' likewise)

The backward pass routes each upstream gradient to the one input that was the maximum
of its window; where windows overlap, an input that wins several windows receives the
sum. Ties go to the first maximum in row-major window order (top row first, then left to
right), exactly as PyTorch does. A NaN is its window's maximum, and the window's gradient goes
to its first NaN (PyTorch picks the last).

Average pooling, as ``torch.nn.functional.avg_pool2d``, may pad x with zeros first:

    out[n, c, i, j] = sum over p < PH, q < PW of xpad[n, c, i*stride + p, j*stride + q] / count
    H' = (H + 2*pad - PH) // stride + 1   (W' likewise)

where count is PH*PW, or, with ``count_include_pad`` False, the number of the window's
pixels that are not padding. Its backward pass shares each upstream gradient equally
among the pixels of its window.

Lesson 4 teaches these functions.
"""

from __future__ import annotations

import numpy as np

from cnnlab import geometry, im2col, shapes

__all__ = [
    "max_pool_forward_naive",
    "max_pool_backward_naive",
    "max_pool_forward_im2col",
    "max_pool_backward_im2col",
    "avg_pool_forward_naive",
    "avg_pool_backward_naive",
    "avg_pool_forward_im2col",
    "avg_pool_backward_im2col",
    "window_counts",
]


def max_pool_forward_naive(x, pool_param):
    """Max-pooling forward pass as explicit loops.

    Inputs:
    - x: (N, C, H, W)
    - pool_param: dict with 'pool_height' PH, 'pool_width' PW (ints) and 'stride' (int or
      (h, w) pair), all required. Windows may overlap (stride < pool size).
    Returns (out, cache): out (N, C, H', W') with H' = (H - PH) // stride + 1;
    cache = (x, pool_param).
    """
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = geometry.window(i, PH, sh), geometry.window(j, PW, sw)
                    out[n, c, i, j] = np.max(x[n, c, rows, cols])
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    """Max-pooling backward pass as explicit loops.

    Inputs: dout (N, C, H', W'); cache = (x, pool_param) from ``max_pool_forward_naive``.
    Returns dx (N, C, H, W): each dout[n, c, i, j] added to the first maximum (row-major)
    of its window; zero elsewhere.
    """
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dout = shapes.check_dout(dout, (N, C, Ho, Wo))
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = geometry.window(i, PH, sh), geometry.window(j, PW, sw)
                    p, q = np.unravel_index(np.argmax(x[n, c, rows, cols]), (PH, PW))  # first max
                    dx[n, c, i * sh + p, j * sw + q] += dout[n, c, i, j]
    return dx


def max_pool_forward_im2col(x, pool_param):
    """Max-pooling forward pass: one maximum over a copy of every window's taps.

    Inputs: x (N, C, H, W); pool_param as for ``max_pool_forward_naive``.
    Returns (out, cache): out (N, C, H', W') with H' = (H - PH) // stride + 1;
    cache = (x, pool_param, argmax) where argmax (N, C, H', W') is the row-major index
    p*PW + q of each window's first maximum (of its first NaN, if it has one).
    """
    x, (PH, PW), stride, (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    view = im2col.windows(x, (PH, PW), stride, (1, 1))  # (N, C, PH, PW, H', W'), no copy
    taps = view.reshape(N, C, PH * PW, Ho, Wo)  # (N, C, PH*PW, H', W'): taps[:, :, p*PW + q] is tap (p, q)
    argmax = taps.argmax(axis=2)  # (N, C, H', W'): the first maximum; a NaN counts as the maximum
    out = np.take_along_axis(taps, argmax[:, :, None], axis=2)[:, :, 0]  # (N, C, H', W')
    return out, (x, pool_param, argmax)


def max_pool_backward_im2col(dout, cache):
    """Max-pooling backward pass: each gradient put on its window's winner, folded back by col2im.

    Inputs: dout (N, C, H', W'); cache from ``max_pool_forward_im2col``.
    Returns dx (N, C, H, W), as ``max_pool_backward_naive``.
    """
    x, pool_param, argmax = cache
    x, (PH, PW), stride, (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dout = shapes.check_dout(dout, (N, C, Ho, Wo))
    dtaps = np.zeros((N, C, PH * PW, Ho, Wo), dtype=x.dtype)  # one slot per tap of every window
    np.put_along_axis(dtaps, argmax[:, :, None], dout[:, :, None], axis=2)  # dout on each window's winner
    cols = dtaps.reshape(N, C * PH * PW, Ho * Wo)  # (N, C*PH*PW, H'*W'), im2col's layout
    return im2col.fold(cols, x.shape, (PH, PW), stride, (0, 0), (1, 1))  # (N, C, H, W): overlaps add up


# ---------------------------------------------------------------------------------------------
# Average pooling: torch.nn.functional.avg_pool2d(x, (PH, PW), stride, pad, count_include_pad=...)


def avg_pool_forward_naive(x, pool_param):
    """Average-pooling forward pass as explicit loops.

    Inputs:
    - x: (N, C, H, W)
    - pool_param: dict with 'pool_height' PH, 'pool_width' PW (ints) and 'stride' (int or
      (h, w) pair), all required; 'pad' (int or (h, w) pair, at most half the window, default
      0): zeros around each border; 'count_include_pad' (default True): divide every window's
      sum by PH*PW, or (False) by the number of its pixels that are not padding.
    Returns (out, cache): out (N, C, H', W') with H' = (H + 2*pad - PH) // stride + 1
    (W' likewise); cache = (x, pool_param).
    """
    x, (PH, PW), (sh, sw), pad, count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = im2col.pad_input(x, pad)  # (N, C, H + 2*ph, W + 2*pw)
    inside = im2col.pad_input(np.ones((1, 1, H, W), dtype=x.dtype), pad)[0, 0]  # 1 on x, 0 on padding
    out = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = geometry.window(i, PH, sh), geometry.window(j, PW, sw)
                    count = PH * PW if count_include_pad else inside[rows, cols].sum()
                    out[n, c, i, j] = xpad[n, c, rows, cols].sum() / count
    return out, (x, pool_param)


def avg_pool_backward_naive(dout, cache):
    """Average-pooling backward pass as explicit loops.

    Inputs: dout (N, C, H', W'); cache = (x, pool_param) from ``avg_pool_forward_naive``.
    Returns dx (N, C, H, W): each dout[n, c, i, j] / count shared by every pixel of its window
    (count as in the forward pass); where windows overlap the shares add up, and the shares
    that fall on padding are dropped.
    """
    x, pool_param = cache
    x, (PH, PW), (sh, sw), pad, count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dout = shapes.check_dout(dout, (N, C, Ho, Wo))
    ph, pw = pad
    inside = im2col.pad_input(np.ones((1, 1, H, W), dtype=x.dtype), pad)[0, 0]  # 1 on x, 0 on padding
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = geometry.window(i, PH, sh), geometry.window(j, PW, sw)
                    count = PH * PW if count_include_pad else inside[rows, cols].sum()
                    dxpad[n, c, rows, cols] += dout[n, c, i, j] / count
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_pool_forward_im2col(x, pool_param):
    """Average-pooling forward pass: one sum over a strided view of every window.

    Inputs: x (N, C, H, W); pool_param as for ``avg_pool_forward_naive``.
    Returns (out, cache): out (N, C, H', W') with H' = (H + 2*pad - PH) // stride + 1
    (W' likewise); cache = (x, pool_param).
    """
    x, (PH, PW), stride, pad, count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = im2col.pad_input(x, pad)  # (N, C, H + 2*ph, W + 2*pw)
    view = im2col.windows(xpad, (PH, PW), stride, (1, 1))  # (N, C, PH, PW, H', W'), no copy
    sums = view.sum(axis=(2, 3))  # (N, C, H', W')
    out = sums / window_counts(x, (PH, PW), stride, pad, count_include_pad)  # (N, C, H', W')
    return out, (x, pool_param)


def avg_pool_backward_im2col(dout, cache):
    """Average-pooling backward pass: every window's share of dout, folded back with col2im.

    Inputs: dout (N, C, H', W'); cache from ``avg_pool_forward_im2col``.
    Returns dx (N, C, H, W), as ``avg_pool_backward_naive``.
    """
    x, pool_param = cache
    x, (PH, PW), stride, pad, count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dout = shapes.check_dout(dout, (N, C, Ho, Wo)).astype(x.dtype, copy=False)
    share = dout / window_counts(x, (PH, PW), stride, pad, count_include_pad)  # (N, C, H', W')
    taps = np.broadcast_to(share[:, :, None], (N, C, PH * PW, Ho, Wo))  # the same share for every tap
    cols = taps.reshape(N, C * PH * PW, Ho * Wo)  # (N, C*PH*PW, H'*W'), im2col's layout
    return im2col.fold(cols, x.shape, (PH, PW), stride, pad, (1, 1))  # (N, C, H, W)


def window_counts(x, kernel, stride, pad, count_include_pad) -> np.ndarray:
    """(H', W'): what each window's sum over x (N, C, H, W) is divided by, in x's dtype:
    PH*PW, or (with count_include_pad False) the number of its pixels that are not padding."""
    N, C, H, W = x.shape
    PH, PW = kernel
    rows = geometry.real_counts(H, PH, stride[0], pad[0])  # (H',): each window's rows that are on x
    cols = geometry.real_counts(W, PW, stride[1], pad[1])  # (W',)
    counts = np.outer(rows, cols).astype(x.dtype)  # (H', W')
    return np.full_like(counts, PH * PW) if count_include_pad else counts
