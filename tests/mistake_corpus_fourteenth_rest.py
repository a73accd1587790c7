"""A fourteenth held-out corpus of student mistakes, pooling and normalization half, written blind.

(Docstring completed at the end of the writing; see below for the row counts.)
"""

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
    """A right row: a helper of its own style with bug=None."""
    return [(exercise, label, _b(fn, None), forward, True)]


CORPUS = []

# ---------------------------------------------------------------------------------------------
# max_pool_forward_naive


def max_fwd(x, pool_param, bug=None):
    """The stub's four loops, the window sliced out of x."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "blocks of PH x PW by a reshape (only right when stride = pool size)":
        blocks = x.reshape(N, C, H // PH, PH, W // PW, PW)
        return blocks.max(axis=(3, 5)), (x, pool_param)
    if bug == "stride read from pool_param as one int, CS231n style":
        sh = sw = pool_param["stride"]
    if bug == "the row stride used for the columns too":
        sw = sh
    dtype = int if bug == "out allocated as integers (np.zeros(..., dtype=int))" else x.dtype
    out = np.zeros((N, C, Ho, Wo), dtype=dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    top, left = i * sh, j * sw
                    if bug == "window start i, j (the stride left out)":
                        top, left = i, j
                    bottom, right = top + PH, left + PW
                    if bug == "pool_height used for the window's width too":
                        right = left + PH
                    if bug == "window end one short (an inclusive end, top + PH - 1)":
                        bottom, right = bottom - 1, right - 1
                    out[n, c, i, j] = np.max(x[n, c, top:bottom, left:right])
    return out, (x, pool_param)


def max_fwd_view(x, pool_param, bug=None):
    """Vectorized: every PH x PW window as a view, every stride-th one kept."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))  # (N, C, H - PH + 1, W - PW + 1, PH, PW)
    if bug == "the stride's [::sh, ::sw] put on the N and C axes of the view":
        view = view[::sh, ::sw]
    else:
        view = view[:, :, ::sh, ::sw]
    return view.max(axis=(-2, -1)), (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd,
    [
        "window start i, j (the stride left out)",
        "pool_height used for the window's width too",
        "the row stride used for the columns too",
        "stride read from pool_param as one int, CS231n style",
        "window end one short (an inclusive end, top + PH - 1)",
        "blocks of PH x PW by a reshape (only right when stride = pool size)",
        "out allocated as integers (np.zeros(..., dtype=int))",
    ],
)
CORPUS += _rows("max_pool_forward_naive", max_fwd_view, ["the stride's [::sh, ::sw] put on the N and C axes of the view"])
CORPUS += _right("max_pool_forward_naive", "sliding_window_view, every stride-th window, max over the taps", max_fwd_view)
