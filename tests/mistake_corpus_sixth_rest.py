"""A sixth held-out corpus of student mistakes, pooling and normalization half (DOCSTRING TODO)."""

from __future__ import annotations

from functools import partial

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnlab import shapes


def _b(fn, bug):
    return partial(fn, bug=bug)


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper."""
    return [(exercise, bug, _b(fn, bug), forward, False) for bug in bugs]


def _right(exercise, label, fn, forward=None):
    return (exercise, label, fn, forward, True)


CORPUS = []

# ---------------------------------------------------------------------------------------------
# max_pool_forward_naive


def max_fwd(x, pool_param, bug=None):
    """The lesson's loops over n, c, i, j."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    if bug == "stride forgotten: window (i, j) starts at row i, column j":
                        r0, c0 = i, j
                    if bug == "the stride's height used for the columns too":
                        c0 = j * sh
                    r1, c1 = r0 + PH, c0 + PW
                    if bug == "window one short: rows i*sh : i*sh + PH - 1":
                        r1, c1 = r0 + PH - 1, c0 + PW - 1
                    if bug == "pool_height for the window's width too":
                        c1 = c0 + PH
                    out[n, c, i, j] = np.max(x[n, c, r0:r1, c0:c1])
    return out, (x, pool_param)


def max_fwd_view(x, pool_param, bug=None):
    """Vectorized: a sliding-window view, every stride-th window, the max over the window axes."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "reshape into tiles (N, C, H // PH, PH, W // PW, PW): windows assumed side by side":
        out = x.reshape(N, C, H // PH, PH, W // PW, PW).max(axis=(3, 5))
        return out, (x, pool_param)
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))  # (N, C, H - PH + 1, W - PW + 1, PH, PW)
    if bug == "windows cut to (Ho, Wo), not taken every stride-th":
        windows = view[:, :, :Ho, :Wo]
    else:
        windows = view[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    axes = (2, 3) if bug == "max over axes (2, 3) of the window view" else (4, 5)
    return windows.max(axis=axes), (x, pool_param)


def max_fwd_taps(x, pool_param):
    """Right: a running np.maximum over the PH*PW taps, each a strided slice of x."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    out = np.full(x.shape[:2] + (Ho, Wo), -np.inf)
    for p in range(PH):
        for q in range(PW):
            out = np.maximum(out, x[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw])
    return out, (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd,
    [
        "stride forgotten: window (i, j) starts at row i, column j",
        "the stride's height used for the columns too",
        "window one short: rows i*sh : i*sh + PH - 1",
        "pool_height for the window's width too",
    ],
)
CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd_view,
    [
        "reshape into tiles (N, C, H // PH, PH, W // PW, PW): windows assumed side by side",
        "windows cut to (Ho, Wo), not taken every stride-th",
        "max over axes (2, 3) of the window view",
    ],
)
CORPUS += [_right("max_pool_forward_naive", "running np.maximum over the taps", max_fwd_taps)]

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive (forward None: the cache is cnnlab's (x, pool_param))


def max_bwd(dout, cache, bug=None):
    """The lesson's loops: np.argmax of each window, np.unravel_index, +=."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    if bug == "ties share the gradient equally (as the numerical gradient does)":
                        mask = window == window.max()
                        dx[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW] += mask / mask.sum() * dout[n, c, i, j]
                        continue
                    idx = np.argmax(window)
                    if bug == "flat argmax split with divmod(idx, PH)":
                        p, q = divmod(idx, PH)
                    else:
                        p, q = np.unravel_index(idx, (PH, PW))
                    r, s = i * sh + p, j * sw + q
                    if bug == "window offset forgotten: dx[n, c, p, q]":
                        r, s = p, q
                    elif bug == "stride forgotten in the offset: dx[n, c, i + p, j + q]":
                        r, s = i + p, j + q
                    elif bug == "offset with the stride pair swapped: i*sw + p, j*sh + q":
                        r, s = i * sw + p, j * sh + q
                    if bug == "dx[...] = dout[...] (assigned, not added)":
                        dx[n, c, r, s] = dout[n, c, i, j]
                    else:
                        dx[n, c, r, s] += dout[n, c, i, j]
    return dx


def max_bwd_mask(dout, cache, bug=None):
    """Vectorized over (n, c): a mask of each window's maximum (np.max with keepdims), kept to
    its first True in row-major order (a cumsum), times dout."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            rs, cs = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
            window = x[:, :, rs, cs]  # (N, C, PH, PW)
            if bug == "window maximum taken without keepdims":
                mask = window == window.max(axis=(2, 3))
            else:
                mask = window == window.max(axis=(2, 3), keepdims=True)
            if bug != "every tied maximum gets the gradient (the mask as it is)":
                flat = mask.reshape(N, C, -1)
                mask = (flat & (np.cumsum(flat, axis=2) == 1)).reshape(N, C, PH, PW)
            dx[:, :, rs, cs] += mask * dout[:, :, i, j][:, :, None, None]
    return dx


def max_bwd_scatter(dout, cache, bug=None):
    """Fully vectorized: argmax over every window of a sliding-window view, np.unravel_index,
    index arrays, np.add.at."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    windows = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    idx = windows.reshape(N, C, Ho, Wo, PH * PW).argmax(axis=-1)  # (N, C, Ho, Wo)
    if bug == "np.unravel_index(idx, (PW, PH))":
        p, q = np.unravel_index(idx, (PW, PH))
    else:
        p, q = np.unravel_index(idx, (PH, PW))
    if bug == "rows arange(Ho) + p: stride forgotten":
        rows, cols = np.arange(Ho)[:, None] + p, np.arange(Wo)[None, :] + q
    else:
        rows, cols = np.arange(Ho)[:, None] * sh + p, np.arange(Wo)[None, :] * sw + q
    n = np.arange(N)[:, None, None, None]
    c = np.arange(C)[None, :, None, None]
    dx = np.zeros_like(x)
    if bug == "dx[n, c, rows, cols] += dout (fancy indexing: repeats lost, not np.add.at)":
        dx[n, c, rows, cols] += dout
    else:
        np.add.at(dx, (n, c, rows, cols), dout)
    return dx


def max_bwd_onehot(dout, cache):
    """Right: per window, a one-hot row of np.eye(PH*PW) at the argmax, vectorized over (n, c)."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    eye = np.eye(PH * PW)
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1)
            onehot = eye[window.argmax(axis=2)].reshape(N, C, PH, PW)
            dx[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] += onehot * dout[:, :, i : i + 1, j : j + 1]
    return dx


def max_bwd_flatnonzero(dout, cache):
    """Right: loops, the first maximum as np.flatnonzero(window == window.max())[0]."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    k = np.flatnonzero(window == window.max())[0]
                    dx[n, c, i * sh + k // PW, j * sw + k % PW] += dout[n, c, i, j]
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd,
    [
        "dx[...] = dout[...] (assigned, not added)",
        "flat argmax split with divmod(idx, PH)",
        "window offset forgotten: dx[n, c, p, q]",
        "stride forgotten in the offset: dx[n, c, i + p, j + q]",
        "offset with the stride pair swapped: i*sw + p, j*sh + q",
        "ties share the gradient equally (as the numerical gradient does)",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_mask,
    [
        "every tied maximum gets the gradient (the mask as it is)",
        "window maximum taken without keepdims",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_scatter,
    [
        "dx[n, c, rows, cols] += dout (fancy indexing: repeats lost, not np.add.at)",
        "np.unravel_index(idx, (PW, PH))",
        "rows arange(Ho) + p: stride forgotten",
    ],
)
CORPUS += [
    _right("max_pool_backward_naive", "one-hot rows of np.eye at each window's argmax", max_bwd_onehot),
    _right("max_pool_backward_naive", "first maximum from np.flatnonzero, split with // and %", max_bwd_flatnonzero),
]
