"""Max pooling, forward and backward: once as readable loops, once through im2col windows.

    out[n, c, i, j] = max over p < PH, q < PW of x[n, c, i*stride + p, j*stride + q]
    H' = (H - PH) // stride + 1   (W' likewise)

The backward pass routes each upstream gradient to the one input that was the maximum
of its window; where windows overlap, an input that wins several windows receives the
sum. Ties go to the first maximum in row-major window order (top row first, then left to
right), exactly as PyTorch does. A NaN is its window's maximum, and the window's gradient goes
to its first NaN (PyTorch picks the last).

Lesson 4 teaches these functions.
"""

from __future__ import annotations

import numpy as np

from cnnlab import im2col, shapes, threads

__all__ = ["max_pool_forward_naive", "max_pool_backward_naive", "max_pool_forward_im2col", "max_pool_backward_im2col"]


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
                    out[n, c, i, j] = np.max(x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW])
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
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    p, q = np.unravel_index(np.argmax(window), window.shape)  # first max
                    dx[n, c, i * sh + p, j * sw + q] += dout[n, c, i, j]
    return dx


def max_pool_forward_im2col(x, pool_param):
    """Max-pooling forward pass over a copy of every window's taps (Python loops over taps only).

    Inputs: x (N, C, H, W); pool_param as for ``max_pool_forward_naive``.
    Returns (out, cache): out (N, C, H', W') with H' = (H - PH) // stride + 1;
    cache = (x, pool_param, argmax) where argmax (N, C, H', W'), a small unsigned integer
    type, is the row-major index p*PW + q of each window's first maximum.

    A large batch is split across threads (``cnnlab.threads``); each slice is independent.
    """
    x, (PH, PW), stride, (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.empty((N, C, Ho, Wo), dtype=x.dtype)
    argmax = np.empty((N, C, Ho, Wo), dtype=np.min_scalar_type(PH * PW - 1))

    def pool(s):  # the samples in slice s, on one thread
        view = im2col.windows(x[s], (PH, PW), stride, (1, 1))  # (n, C, PH, PW, Ho, Wo), no copy
        taps = view.reshape(-1, C, PH * PW, Ho, Wo)  # one copy: taps[:, :, k] is tap k of every window
        top, first = out[s], argmax[s]  # this slice of the outputs (views)
        np.max(taps, axis=2, out=top)
        # first counts the taps before the first maximum: each tap that is not the maximum
        # moves on the windows still searching, so ties stay on the earliest tap. (Contiguous
        # compares; numpy's argmax across an inner axis is ten times slower.)
        first[...] = 0
        searching = np.ones(top.shape, dtype=bool)
        for k in range(PH * PW - 1):
            searching &= taps[:, :, k] != top
            first += searching
        nan = np.isnan(top)  # a NaN is its window's maximum; its gradient goes to the first NaN
        if nan.any():
            first[nan] = np.isnan(taps).argmax(axis=2)[nan]

    threads.over_batch(pool, N, C * H * W)
    return out, (x, pool_param, argmax)


def max_pool_backward_im2col(dout, cache):
    """Max-pooling backward pass: one scatter-add of every upstream gradient onto its winner.

    Inputs: dout (N, C, H', W'); cache from ``max_pool_forward_im2col``.
    Returns dx (N, C, H, W), as ``max_pool_backward_naive``.
    """
    x, pool_param, argmax = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    dout = shapes.check_dout(dout, argmax.shape)
    N, C, H, W = x.shape
    # Index into one sample's x.ravel() of every window's top-left corner, and of tap k in a window.
    corner = (np.arange(C).reshape(C, 1, 1) * H + np.arange(Ho).reshape(Ho, 1) * sh) * W + np.arange(Wo) * sw
    offset = np.array([p * W + q for p in range(PH) for q in range(PW)])  # (PH*PW,)
    dx = np.zeros(x.shape, dtype=x.dtype)  # C order, whatever the layout of x

    def route(s):  # the samples in slice s, on one thread
        n = dout[s].shape[0]
        winner = np.arange(n).reshape(n, 1, 1, 1) * (C * H * W) + corner + offset[argmax[s]]  # (n, C, Ho, Wo)
        np.add.at(dx[s].reshape(-1), winner.ravel(), dout[s].ravel())  # overlapping windows add up

    threads.over_batch(route, N, C * H * W)
    return dx
