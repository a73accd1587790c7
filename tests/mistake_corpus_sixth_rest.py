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
    out = np.zeros_like(x) if bug == "out = np.zeros_like(x): the input's shape" else np.zeros((N, C, Ho, Wo))
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
    elif bug == "stride pair read as (sw, sh)":
        windows = view[:, :, ::sw, ::sh]
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
        "out = np.zeros_like(x): the input's shape",
    ],
)
CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd_view,
    [
        "reshape into tiles (N, C, H // PH, PH, W // PW, PW): windows assumed side by side",
        "windows cut to (Ho, Wo), not taken every stride-th",
        "stride pair read as (sw, sh)",
        "max over axes (2, 3) of the window view",
    ],
)
CORPUS += [_right("max_pool_forward_naive", "running np.maximum over the taps", max_fwd_taps)]
