"""A seventh held-out corpus of student mistakes (pooling and normalization half), written blind.

(Docstring completed at the end of the writing; see the counts below.)
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

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


def mp_fwd(x, pool_param, bug=None):
    """Student A: the stub's four loops."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    if bug == "loops over input positions range(0, H - PH, sh): the last window row and column left out":
        for n in range(N):
            for c in range(C):
                for r in range(0, H - PH, sh):
                    for s in range(0, W - PW, sw):
                        out[n, c, r // sh, s // sw] = np.max(x[n, c, r : r + PH, s : s + PW])
        return out, (x, pool_param)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r0, s0 = i * sh, j * sw
                    if bug == "window starts at (i, j): the stride left out of the slice":
                        r0, s0 = i, j
                    if bug == "the row stride sh used for the columns too":
                        s0 = j * sh
                    rows, cols = PH, PW
                    if bug == "window PW rows by PH columns (pool height and width swapped)":
                        rows, cols = PW, PH
                    out[n, c, i, j] = np.max(x[n, c, r0 : r0 + rows, s0 : s0 + cols])
    return out, (x, pool_param)


def mp_fwd_view(x, pool_param, bug=None):
    """Student B: sliding_window_view, subsampled by the stride, one max over the window axes."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "CS231n's reshape into (PH, PW) blocks used for every stride":
        out = x.reshape(N, C, H // PH, PH, W // PW, PW).max(axis=3).max(axis=4)
        return out, (x, pool_param)
    windows = sliding_window_view(x, (PH, PW), axis=(2, 3))  # (N, C, H - PH + 1, W - PW + 1, PH, PW)
    if bug == "window view subsampled [::sw, ::sh] (the stride pair read the wrong way round)":
        windows = windows[:, :, ::sw, ::sh]
    else:
        windows = windows[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    out = windows.max(axis=(-2, -1))
    return out, (x, pool_param)


def mp_fwd_taps(x, pool_param):
    """Right: a running np.maximum over the PH*PW strided tap slices (no window is ever built)."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.full((N, C, Ho, Wo), -np.inf)
    for p in range(PH):
        for q in range(PW):
            out = np.maximum(out, x[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw])
    return out, (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    mp_fwd,
    [
        "window starts at (i, j): the stride left out of the slice",
        "the row stride sh used for the columns too",
        "window PW rows by PH columns (pool height and width swapped)",
        "loops over input positions range(0, H - PH, sh): the last window row and column left out",
    ],
)
CORPUS += _rows(
    "max_pool_forward_naive",
    mp_fwd_view,
    [
        "CS231n's reshape into (PH, PW) blocks used for every stride",
        "window view subsampled [::sw, ::sh] (the stride pair read the wrong way round)",
    ],
)
CORPUS.append(_right("max_pool_forward_naive", "np.maximum over the strided tap slices", mp_fwd_taps))
