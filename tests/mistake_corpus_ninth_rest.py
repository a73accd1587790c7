"""A ninth held-out corpus of student mistakes, pooling and normalization half, written blind to the checker.

(Docstring completed in the last step.)
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnlab import shapes


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper."""
    return [(exercise, bug, partial(fn, bug=bug), forward, False) for bug in bugs]


def _right(exercise, label, fn, forward=None):
    return (exercise, label, fn, forward, True)


CORPUS = []

# ---------------------------------------------------------------------------------------------
# max_pool_forward_naive


def max_fwd(x, pool_param, bug=None):
    """Four loops, one window at a time (the lesson's layout)."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros_like(x) if bug == "out = np.zeros_like(x): the input's shape" else np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    top, left = i * sh, j * sw
                    if bug == "window start ignores the stride (i:i + PH)":
                        top, left = i, j
                    if bug == "column offset uses the row stride sh":
                        left = j * sh
                    height, width = PH, PW
                    if bug == "window width PH instead of PW":
                        width = PH
                    if bug == "window end one short (top + PH - 1, an inclusive end)":
                        height, width = PH - 1, PW - 1
                    window = x[n, c, top : top + height, left : left + width]
                    out[n, c, i, j] = np.max(window)
    return out, (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd,
    [
        "window start ignores the stride (i:i + PH)",
        "column offset uses the row stride sh",
        "window width PH instead of PW",
        "window end one short (top + PH - 1, an inclusive end)",
        "out = np.zeros_like(x): the input's shape",
    ],
)


def max_fwd_nc(x, pool_param, bug=None):
    """Loops over the output positions only; each window sliced for all samples and channels."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.empty((N, C, Ho, Wo), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            if bug == "window taken as stride by stride (i*sh:(i + 1)*sh)":
                patch = x[:, :, i * sh : (i + 1) * sh, j * sw : (j + 1) * sw]
            else:
                patch = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]  # (N, C, PH, PW)
            out[:, :, i, j] = patch.max(axis=(2, 3))
    return out, (x, pool_param)


CORPUS += _rows("max_pool_forward_naive", max_fwd_nc, ["window taken as stride by stride (i*sh:(i + 1)*sh)"])


def max_fwd_swv(x, pool_param):
    """All windows at once from sliding_window_view, every stride-th kept."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    windows = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    return windows.max(axis=(-2, -1)), (x, pool_param)


CORPUS.append(_right("max_pool_forward_naive", "sliding_window_view, every stride-th window", max_fwd_swv))

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive


def max_bwd(dout, cache, bug=None):
    """The lesson's recipe: np.argmax of each window, unravel_index, add dout there."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    shape = (PW, PH) if bug == "unravel_index with (PW, PH)" else window.shape
                    p, q = np.unravel_index(np.argmax(window), shape)
                    r, s = i * sh + p, j * sw + q
                    if bug == "stride left out of the dx index (i + p)":
                        r, s = i + p, j + q
                    g = 1.0 if bug == "adds 1, not dout (the mask of the maxima)" else dout[n, c, i, j]
                    if bug == "dx[...] = dout (assigned, not added)":
                        dx[n, c, r, s] = g
                    else:
                        dx[n, c, r, s] += g
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd,
    [
        "dx[...] = dout (assigned, not added)",
        "unravel_index with (PW, PH)",
        "stride left out of the dx index (i + p)",
        "adds 1, not dout (the mask of the maxima)",
    ],
)


def max_bwd_mask(dout, cache, bug=None):
    """CS231n style: a 0/1 mask of the window's maximum times dout, added to the window's slice."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    hs, ws = i * sh, j * sw
                    x_pool = x[n, c, hs : hs + PH, ws : ws + PW]
                    if bug in ("mask x_pool == max: every tied maximum gets dout", "ties share dout (mask / mask.sum())"):
                        mask = (x_pool == np.max(x_pool)).astype(float)
                        if bug == "ties share dout (mask / mask.sum())":
                            mask /= mask.sum()
                    else:
                        mask = np.zeros_like(x_pool)
                        mask.flat[np.argmax(x_pool)] = 1.0
                    if bug == "mask times dout assigned to the window's slice (=), wiping the overlap":
                        dx[n, c, hs : hs + PH, ws : ws + PW] = mask * dout[n, c, i, j]
                    else:
                        dx[n, c, hs : hs + PH, ws : ws + PW] += mask * dout[n, c, i, j]
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_mask,
    [
        "mask x_pool == max: every tied maximum gets dout",
        "ties share dout (mask / mask.sum())",
        "mask times dout assigned to the window's slice (=), wiping the overlap",
    ],
)


def max_bwd_scan(dout, cache, bug=None):
    """Finds each window's maximum with its own scan, no argmax."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros(x.shape)
    order = [(a, b) for a in range(PH) for b in range(PW)]
    if bug == "scan in column-major order (q outer): ties go to the first in a column":
        order = [(a, b) for b in range(PW) for a in range(PH)]
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best = 0.0 if bug == "scan starts at best = 0: an all-negative window picks its corner" else -np.inf
                    bi, bj = i * sh, j * sw
                    for a, b in order:
                        v = x[n, c, i * sh + a, j * sw + b]
                        better = v >= best if bug == ">= in the scan: the last tied maximum wins" else v > best
                        if better:
                            best, bi, bj = v, i * sh + a, j * sw + b
                    dx[n, c, bi, bj] += dout[n, c, i, j]
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_scan,
    [
        ">= in the scan: the last tied maximum wins",
        "scan starts at best = 0: an all-negative window picks its corner",
        "scan in column-major order (q outer): ties go to the first in a column",
    ],
)


def max_bwd_vec(dout, cache):
    """No loops: the first argmax of every window from a strided view, scattered with np.add.at."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    windows = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    flat = windows.reshape(N, C, Ho, Wo, PH * PW).argmax(axis=-1)  # first maximum, row-major
    p, q = np.divmod(flat, PW)
    rows = np.arange(Ho).reshape(1, 1, Ho, 1) * sh + p
    cols = np.arange(Wo).reshape(1, 1, 1, Wo) * sw + q
    n = np.arange(N).reshape(N, 1, 1, 1)
    c = np.arange(C).reshape(1, C, 1, 1)
    dx = np.zeros_like(x)
    np.add.at(dx, (np.broadcast_to(n, flat.shape), np.broadcast_to(c, flat.shape), rows, cols), dout)
    return dx


def max_fwd_switches(x, pool_param):
    """A forward that also caches each window's winner as (row, column) in x (its "switches")."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    switches = np.zeros((N, C, Ho, Wo, 2), dtype=int)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    k = np.argmax(window)
                    out[n, c, i, j] = window.flat[k]
                    switches[n, c, i, j] = (i * sh + k // PW, j * sw + k % PW)
    return out, (x, pool_param, switches)


def max_bwd_switches(dout, cache):
    """Routes dout along the switches its own forward cached."""
    x, pool_param, switches = cache
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = switches[n, c, i, j]
                    dx[n, c, r, s] += dout[n, c, i, j]
    return dx


CORPUS += [
    _right("max_pool_backward_naive", "strided view, argmax per window, np.add.at scatter", max_bwd_vec),
    _right(
        "max_pool_backward_naive", "switches (winner positions) cached by its own forward", max_bwd_switches, max_fwd_switches
    ),
]
