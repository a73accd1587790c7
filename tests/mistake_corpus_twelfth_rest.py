"""A twelfth held-out corpus of student mistakes, pooling and normalization half, written blind.

(Docstring completed when the corpus is finished.)
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


def max_fwd(x, pool_param, bug=None):
    """Python-first student: four loops, explicit window corners."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "own output size (H - PH) // stride, without the + 1":
        Ho, Wo = (H - PH) // sh, (W - PW) // sw
    out = np.zeros((N, C, Ho, Wo))
    if bug == "out = np.zeros_like(x): the output keeps the input's size":
        out = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    top, left = i * sh, j * sw
                    if bug == "window starts at (i, j): stride forgotten":
                        top, left = i, j
                    if bug == "stride pair swapped: rows step by sw, columns by sh":
                        top, left = i * sw, j * sh
                    bottom, right = top + PH, left + PW
                    if bug == "window ends at top + PH - 1 (inclusive end, slices exclude it)":
                        bottom, right = top + PH - 1, left + PW - 1
                    if bug == "pool height and width swapped in the window":
                        bottom, right = top + PW, left + PH
                    window = x[n, c, top:bottom, left:right]
                    if bug == "builtin max() on the 2-D window":
                        out[n, c, i, j] = max(window)
                    else:
                        out[n, c, i, j] = np.max(window)
    return out, (x, pool_param)


def max_fwd_vec(x, pool_param, bug=None):
    """PyTorch-first student: loops over output positions only, max over the window axes."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "reshape trick (N, C, H', PH, W', PW): assumes stride == pool size":
        out = x[:, :, : Ho * PH, : Wo * PW].reshape(N, C, Ho, PH, Wo, PW).max(axis=(3, 5))
        return out, (x, pool_param)
    if bug == "pool_param['stride'] used as is, not the (sh, sw) pair":
        sh = sw = pool_param["stride"]
    out = np.empty((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]  # (N, C, PH, PW)
            if bug == "np.max without an axis: one maximum for the whole batch":
                out[:, :, i, j] = win.max()
            else:
                out[:, :, i, j] = win.max(axis=(2, 3))
    return out, (x, pool_param)


def max_fwd_view(x, pool_param):
    """Right: a sliding-window view, subsampled by the stride."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, H', W', PH, PW)
    return view.max(axis=(-2, -1)), (x, pool_param)


def max_fwd_taps(x, pool_param):
    """Right: one np.maximum per tap (p, q), over strided slices of x."""
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
        "own output size (H - PH) // stride, without the + 1",
        "out = np.zeros_like(x): the output keeps the input's size",
        "window starts at (i, j): stride forgotten",
        "stride pair swapped: rows step by sw, columns by sh",
        "window ends at top + PH - 1 (inclusive end, slices exclude it)",
        "pool height and width swapped in the window",
        "builtin max() on the 2-D window",
    ],
)
CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd_vec,
    [
        "reshape trick (N, C, H', PH, W', PW): assumes stride == pool size",
        "pool_param['stride'] used as is, not the (sh, sw) pair",
        "np.max without an axis: one maximum for the whole batch",
    ],
)
CORPUS += [
    ("max_pool_forward_naive", "sliding_window_view subsampled by the stride", max_fwd_view, None, True),
    ("max_pool_forward_naive", "np.maximum over one strided slice per tap", max_fwd_taps, None, True),
]
