"""Max and average pooling, the speed path: the answers of ``cnnlab.layers.pool``'s im2col versions.

Tricks that a student need not follow to learn the maths:

- max pooling finds the first maximum by counting, over the taps, the windows still
  searching (contiguous compares; numpy's argmax across an inner axis is about ten times
  slower), and its backward pass is one scatter-add (``np.add.at``) of every gradient onto
  its winner, instead of a zero array of every tap folded back;
- average pooling sums each window as rows then columns (a window's sum is separable:
  PH + PW whole-array adds of strided slices, not PH*PW), reads only the taps that fall on x
  (``geometry.tap_on_input``: the padding's zeros are never made), and its backward pass
  spreads every window's share the same way, without building the columns;
- a large batch is split across threads (``cnnlab.threads``); every slice is independent.

The caches are those of ``cnnlab.layers.pool`` (max pooling's argmax in a small unsigned
integer type here), so either backward pass takes either forward's cache.
"""

from __future__ import annotations

import numpy as np

from cnnlab import geometry, im2col, shapes, threads
from cnnlab.layers.pool import window_counts

__all__ = ["max_pool_forward_im2col", "max_pool_backward_im2col", "avg_pool_forward_im2col", "avg_pool_backward_im2col"]


def max_pool_forward_im2col(x, pool_param):
    """Max-pooling forward pass, as ``cnnlab.layers.max_pool_forward_im2col``.

    Inputs: x (N, C, H, W); pool_param with 'pool_height' PH, 'pool_width' PW, 'stride'.
    Returns (out, cache): out (N, C, H', W') with H' = (H - PH) // stride + 1;
    cache = (x, pool_param, argmax) where argmax (N, C, H', W'), a small unsigned integer
    type, is the row-major index p*PW + q of each window's first maximum.
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
        # moves on the windows still searching, so ties stay on the earliest tap.
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
    """Max-pooling backward pass, as ``cnnlab.layers.max_pool_backward_im2col``.

    Inputs: dout (N, C, H', W'); cache from either ``max_pool_forward_im2col``.
    Returns dx (N, C, H, W).
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


def avg_pool_forward_im2col(x, pool_param):
    """Average-pooling forward pass, as ``cnnlab.layers.avg_pool_forward_im2col``.

    Inputs: x (N, C, H, W); pool_param with 'pool_height' PH, 'pool_width' PW, 'stride' and
    optional 'pad', 'count_include_pad'. Returns (out, cache): out (N, C, H', W') with
    H' = (H + 2*pad - PH) // stride + 1; cache = (x, pool_param).
    """
    x, (PH, PW), (sh, sw), pad, count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    scale = 1 / window_counts(x, (PH, PW), (sh, sw), pad, count_include_pad)  # (Ho, Wo)
    out = np.empty((N, C, Ho, Wo), dtype=x.dtype)

    rows = [geometry.tap_on_input(p, H, Ho, sh, pad[0]) for p in range(PH)]  # (outputs, inputs) per tap
    cols = [geometry.tap_on_input(q, W, Wo, sw, pad[1]) for q in range(PW)]

    def pool(s):  # the samples in slice s, on one thread; a window's sum is a sum of row sums
        by_rows = np.zeros((x[s].shape[0], C, Ho, W), dtype=x.dtype)  # each window's rows, summed
        for oi, ri in rows:  # tap row p of every window: one slice of x (padding adds zeros: skipped)
            by_rows[:, :, oi] += x[s][:, :, ri]
        total = out[s]
        total[...] = 0
        for oj, rj in cols:
            total[:, :, :, oj] += by_rows[:, :, :, rj]
        total *= scale

    threads.over_batch(pool, N, C * H * W)
    return out, (x, pool_param)


def avg_pool_backward_im2col(dout, cache):
    """Average-pooling backward pass, as ``cnnlab.layers.avg_pool_backward_im2col``.

    Inputs: dout (N, C, H', W'); cache from either ``avg_pool_forward_im2col``.
    Returns dx (N, C, H, W).
    """
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dout = shapes.check_dout(dout, (N, C, Ho, Wo))
    scale = 1 / window_counts(x, (PH, PW), (sh, sw), (ph, pw), count_include_pad)  # (Ho, Wo)
    dx = np.zeros(x.shape, dtype=x.dtype)

    rows = [geometry.tap_on_input(p, H, Ho, sh, ph) for p in range(PH)]  # (outputs, inputs) per tap
    cols = [geometry.tap_on_input(q, W, Wo, sw, pw) for q in range(PW)]

    def route(s):  # the samples in slice s, on one thread: spread along the columns, then the rows
        share = dout[s] * scale  # (n, C, Ho, Wo): what each pixel of a window receives
        by_cols = np.zeros((share.shape[0], C, Ho, W), dtype=x.dtype)
        for oj, rj in cols:  # the shares that fall on the padding are never made
            by_cols[:, :, :, rj] += share[:, :, :, oj]
        for oi, ri in rows:
            dx[s][:, :, ri] += by_cols[:, :, oi]

    threads.over_batch(route, N, C * H * W)
    return dx
