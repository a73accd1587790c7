"""A tenth held-out corpus of student mistakes, the pooling and normalization half, written blind to the checker.

(Docstring completed at the end of the corpus.)
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


CORPUS = []

# ---------------------------------------------------------------------------------------------
# max_pool_forward_naive


def mp_fwd_loop(x, pool_param, bug=None):
    """First attempt: the four loops of the stub, one window slice per output."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "output size recomputed as H // stride":
        Ho, Wo = H // sh, W // sw
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    if bug == "pool_param['stride'] used as an int (an (h, w) pair breaks it)":
                        s = pool_param["stride"]
                        window = x[n, c, i * s : i * s + PH, j * s : j * s + PW]
                    elif bug == "window rows start at i, not i * sh":
                        window = x[n, c, i : i + PH, j * sw : j * sw + PW]
                    elif bug == "PH used for the window's width too":
                        window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PH]
                    elif bug == "window end - 1 (slice end taken as inclusive)":
                        window = x[n, c, i * sh : i * sh + PH - 1, j * sw : j * sw + PW - 1]
                    else:
                        window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    out[n, c, i, j] = np.max(window)
    return out, (x, pool_param)


def mp_fwd_batch(x, pool_param, bug=None):
    """Loops over the output positions only, every sample and channel at once."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]  # (N, C, PH, PW)
            if bug == "np.max without an axis: one maximum over the whole batch":
                out[:, :, i, j] = np.max(window)
            elif bug == "max over axes (1, 2) of the (N, C, PH, PW) window":
                out[:, :, i, j] = window.max(axis=(1, 2))
            else:
                out[:, :, i, j] = window.max(axis=(2, 3))
    return out, (x, pool_param)


def mp_fwd_view(x, pool_param, bug=None):
    """Second attempt: sliding_window_view, every window at once."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))  # (N, C, H-PH+1, W-PW+1, PH, PW)
    if bug == "window view not subsampled by the stride":
        pass
    elif bug == "window view subsampled [::sw, ::sh]":
        view = view[:, :, ::sw, ::sh]
    else:
        view = view[:, :, ::sh, ::sw]
    out = view.max(axis=(-2, -1))
    return out, (x, pool_param)


def mp_fwd_taps(x, pool_param, bug=None):
    """Right, unusual: a running maximum over the PH*PW taps, each a strided slice of x."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    out = np.full(x.shape[:2] + (Ho, Wo), -np.inf)
    for p in range(PH):
        for q in range(PW):
            tap = x[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw]
            out = np.maximum(out, tap)
    return out, (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    mp_fwd_loop,
    [
        "output size recomputed as H // stride",
        "pool_param['stride'] used as an int (an (h, w) pair breaks it)",
        "window rows start at i, not i * sh",
        "PH used for the window's width too",
        "window end - 1 (slice end taken as inclusive)",
    ],
)
CORPUS += _rows(
    "max_pool_forward_naive",
    mp_fwd_batch,
    [
        "np.max without an axis: one maximum over the whole batch",
        "max over axes (1, 2) of the (N, C, PH, PW) window",
    ],
)
CORPUS += _rows(
    "max_pool_forward_naive",
    mp_fwd_view,
    ["window view not subsampled by the stride", "window view subsampled [::sw, ::sh]"],
)
CORPUS += [("max_pool_forward_naive", "running maximum over strided tap slices", mp_fwd_taps, None, True)]
