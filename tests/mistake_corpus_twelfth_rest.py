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

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive


def max_bwd(dout, cache, bug=None):
    """Python-first student, following the lesson: argmax, unravel, add."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    if bug == "dx = np.zeros_like(dout)":
        dx = np.zeros_like(dout)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    k = np.argmax(window)
                    p, q = np.unravel_index(k, window.shape)
                    if bug == "own unravel: divmod(k, PH) instead of divmod(k, PW)":
                        p, q = divmod(k, PH)
                    if bug == "window offset forgotten: dx[n, c, p, q]":
                        dx[n, c, p, q] += dout[n, c, i, j]
                    elif bug == "offset i + p: stride forgotten in the backward only":
                        dx[n, c, i + p, j + q] += dout[n, c, i, j]
                    elif bug == "= instead of +=: a winner of several windows keeps the last":
                        dx[n, c, i * sh + p, j * sw + q] = dout[n, c, i, j]
                    else:
                        dx[n, c, i * sh + p, j * sw + q] += dout[n, c, i, j]
    return dx


def max_bwd_scan(dout, cache, bug=None):
    """Python-first student: finds each window's maximum with a hand-written scan."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best, bp, bq = -np.inf, 0, 0
                    if bug == "scan starts from best = 0: all-negative windows give (0, 0)":
                        best = 0.0
                    rows = range(PH - 1) if bug == "range(PH - 1): the window's last row never scanned" else range(PH)
                    for p in rows:
                        for q in range(PW):
                            v = x[n, c, i * sh + p, j * sw + q]
                            if bug == "v >= best: ties go to the last maximum":
                                better = v >= best
                            else:
                                better = v > best
                            if better:
                                best, bp, bq = v, p, q
                    dx[n, c, i * sh + bp, j * sw + bq] += dout[n, c, i, j]
    return dx


def max_bwd_mask(dout, cache, bug=None):
    """PyTorch-first student: a mask per window position, over all (n, c) at once, keeping only
    the first True of each window (a cumulative sum over the flattened window)."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "stride pair swapped in the backward":
        sh, sw = sw, sh
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            rs, cs = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
            win = x[:, :, rs, cs]  # (N, C, PH, PW)
            mask = win == win.max(axis=(2, 3), keepdims=True)
            if bug == "mask == max: every tied maximum gets the whole gradient":
                pass
            elif bug == "mask / mask.sum(): ties share the gradient evenly":
                mask = mask / mask.sum(axis=(2, 3), keepdims=True)
            else:
                flat = mask.reshape(N, C, -1)
                mask = (flat & (flat.cumsum(axis=2) == 1)).reshape(N, C, PH, PW)
            dx[:, :, rs, cs] += mask * dout[:, :, i, j][:, :, None, None]
    return dx


def max_bwd_scatter(dout, cache, bug=None):
    """PyTorch-first student: every window's argmax at once, then a scatter-add into dx."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, H', W', PH, PW)
    k = view.reshape(N, C, Ho, Wo, PH * PW).argmax(axis=-1)  # (N, C, H', W')
    p, q = np.divmod(k, PW)
    rows = np.arange(Ho).reshape(1, 1, Ho, 1) * sh + p
    cols = np.arange(Wo).reshape(1, 1, 1, Wo) * sw + q
    nn = np.arange(N).reshape(N, 1, 1, 1)
    cc = np.arange(C).reshape(1, C, 1, 1)
    dx = np.zeros_like(x)
    if bug == "dx[idx] += dout with fancy indices: a repeated winner counts once":
        dx[nn, cc, rows, cols] += dout
    else:
        np.add.at(dx, (nn, cc, rows, cols), dout)
    return dx


def max_fwd_argmax(x, pool_param):
    """A student's own forward that caches the flat argmax of every window."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    arg = np.zeros((N, C, Ho, Wo), dtype=int)
    for i in range(Ho):
        for j in range(Wo):
            flat = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1)
            arg[:, :, i, j] = flat.argmax(axis=2)
            out[:, :, i, j] = flat.max(axis=2)
    return out, (x, pool_param, arg)


def max_bwd_cached_argmax(dout, cache):
    """Right: the backward of max_fwd_argmax, one (n, c) plane at a time with np.add.at."""
    x, pool_param, arg = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    ii, jj = np.meshgrid(np.arange(Ho), np.arange(Wo), indexing="ij")
    for n in range(N):
        for c in range(C):
            p, q = arg[n, c] // PW, arg[n, c] % PW
            np.add.at(dx[n, c], (ii * sh + p, jj * sw + q), dout[n, c])
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd,
    [
        "dx = np.zeros_like(dout)",
        "own unravel: divmod(k, PH) instead of divmod(k, PW)",
        "window offset forgotten: dx[n, c, p, q]",
        "offset i + p: stride forgotten in the backward only",
        "= instead of +=: a winner of several windows keeps the last",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_scan,
    [
        "scan starts from best = 0: all-negative windows give (0, 0)",
        "range(PH - 1): the window's last row never scanned",
        "v >= best: ties go to the last maximum",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_mask,
    [
        "stride pair swapped in the backward",
        "mask == max: every tied maximum gets the whole gradient",
        "mask / mask.sum(): ties share the gradient evenly",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_scatter,
    ["dx[idx] += dout with fancy indices: a repeated winner counts once"],
)
CORPUS += [
    (
        "max_pool_backward_naive",
        "own forward caches the flat argmax; np.add.at per plane",
        max_bwd_cached_argmax,
        max_fwd_argmax,
        True,
    ),
    ("max_pool_backward_naive", "first True of the mask by a cumulative sum", max_bwd_mask, None, True),
]
