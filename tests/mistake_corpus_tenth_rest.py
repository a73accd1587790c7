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

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive


def mp_bwd_loop(dout, cache, bug=None):
    """First attempt: the forward's loops, argmax + unravel_index per window, as the lesson says."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    if bug == "mask window == max: every tied maximum gets the whole gradient":
                        mask = window == np.max(window)
                        dx[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW] += mask * dout[n, c, i, j]
                        continue
                    if bug == "ties split equally among the maxima (mask / mask.sum())":
                        mask = window == np.max(window)
                        dx[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW] += mask / mask.sum() * dout[n, c, i, j]
                        continue
                    if bug == "hand-written search with >=: the last maximum wins ties":
                        best, p, q = -np.inf, 0, 0
                        for a in range(PH):
                            for b in range(PW):
                                if window[a, b] >= best:
                                    best, p, q = window[a, b], a, b
                    elif bug == "unravel_index with (PW, PH)":
                        p, q = np.unravel_index(np.argmax(window), (PW, PH))
                    elif bug == "unravel_index with x's (H, W) instead of the window's shape":
                        p, q = np.unravel_index(np.argmax(window), (H, W))
                    else:
                        p, q = np.unravel_index(np.argmax(window), window.shape)
                    if bug == "dx[...] = dout (assigned, not added: overlapping windows lose a gradient)":
                        dx[n, c, i * sh + p, j * sw + q] = dout[n, c, i, j]
                    elif bug == "winner put at (i + p, j + q): the window's offset without the stride":
                        dx[n, c, i + p, j + q] += dout[n, c, i, j]
                    else:
                        dx[n, c, i * sh + p, j * sw + q] += dout[n, c, i, j]
    return dx


def mp_bwd_mask(dout, cache, bug=None):
    """Second attempt: loops over the output positions, masks with keepdims over (N, C) at once;
    a cumulative sum keeps the first maximum of each window only (the tie rule)."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]  # (N, C, PH, PW)
            if bug == "max without keepdims, compared with the (N, C, PH, PW) window":
                m = window.max(axis=(2, 3))
            else:
                m = window.max(axis=(2, 3), keepdims=True)
            mask = (window == m).reshape(N, C, -1)
            if bug != "cumsum tie-break dropped: every tied maximum gets the gradient":
                mask = mask & (np.cumsum(mask, axis=2) == 1)  # the first maximum only
            mask = mask.reshape(N, C, PH, PW)
            if bug == "dx window assigned (=), not added":
                dx[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] = mask * dout[:, :, i, j][:, :, None, None]
            else:
                dx[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] += mask * dout[:, :, i, j][:, :, None, None]
    return dx


def mp_bwd_scatter(dout, cache, bug=None):
    """Vectorized: argmax of every window of a window view, scattered back with np.add.at."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    idx = view.reshape(N, C, Ho, Wo, PH * PW).argmax(axis=-1)  # (N, C, Ho, Wo), first maximum
    if bug == "flat index split with divmod(idx, PH) instead of PW":
        p, q = np.divmod(idx, PH)
    else:
        p, q = np.unravel_index(idx, (PH, PW))
    n, c, i, j = np.indices((N, C, Ho, Wo))
    if bug == "rows offset by i * sw, columns by j * sh":
        rows, cols = i * sw + p, j * sh + q
    else:
        rows, cols = i * sh + p, j * sw + q
    dx = np.zeros_like(x)
    if bug == "dx[n, c, rows, cols] += dout: fancy-index += drops repeated winners (not np.add.at)":
        dx[n, c, rows, cols] += dout
    else:
        np.add.at(dx, (n, c, rows, cols), dout)
    return dx


def mp_fwd_indices(x, pool_param):
    """A student's own forward, PyTorch's return_indices: caches the flat index of each winner in x[n, c]."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    indices = np.zeros((N, C, Ho, Wo), dtype=int)
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1)
            k = window.argmax(axis=2)
            out[:, :, i, j] = np.take_along_axis(window, k[:, :, None], axis=2)[:, :, 0]
            p, q = np.divmod(k, PW)
            indices[:, :, i, j] = (i * sh + p) * W + (j * sw + q)
    return out, (x, indices)


def mp_bwd_indices(dout, cache):
    """Right, unusual: MaxUnpool-style, the cached indices scattered with np.add.at on flattened maps."""
    x, indices = cache
    N, C, H, W = x.shape
    dx = np.zeros((N * C, H * W))
    rows = np.repeat(np.arange(N * C), indices[0, 0].size)
    np.add.at(dx, (rows, indices.reshape(-1)), dout.reshape(-1))
    return dx.reshape(N, C, H, W)


def mp_bwd_taps(dout, cache):
    """Right, unusual: tap by tap in row-major order, each window's gradient given to the first tap
    that equals its maximum and not yet claimed (cnnlab's fast version's idea, written by a student)."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    out = np.full(x.shape[:2] + (Ho, Wo), -np.inf)
    taps = {}
    for p in range(PH):
        for q in range(PW):
            taps[p, q] = (slice(p, p + sh * (Ho - 1) + 1, sh), slice(q, q + sw * (Wo - 1) + 1, sw))
            out = np.maximum(out, x[:, :, taps[p, q][0], taps[p, q][1]])
    dx = np.zeros_like(x)
    claimed = np.zeros(out.shape, dtype=bool)
    for p in range(PH):
        for q in range(PW):
            rs, cs = taps[p, q]
            win = (x[:, :, rs, cs] == out) & ~claimed
            dx[:, :, rs, cs] += np.where(win, dout, 0.0)
            claimed |= win
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    mp_bwd_loop,
    [
        "dx[...] = dout (assigned, not added: overlapping windows lose a gradient)",
        "mask window == max: every tied maximum gets the whole gradient",
        "ties split equally among the maxima (mask / mask.sum())",
        "hand-written search with >=: the last maximum wins ties",
        "unravel_index with (PW, PH)",
        "unravel_index with x's (H, W) instead of the window's shape",
        "winner put at (i + p, j + q): the window's offset without the stride",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    mp_bwd_mask,
    [
        "max without keepdims, compared with the (N, C, PH, PW) window",
        "cumsum tie-break dropped: every tied maximum gets the gradient",
        "dx window assigned (=), not added",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    mp_bwd_scatter,
    [
        "flat index split with divmod(idx, PH) instead of PW",
        "rows offset by i * sw, columns by j * sh",
        "dx[n, c, rows, cols] += dout: fancy-index += drops repeated winners (not np.add.at)",
    ],
)
CORPUS += [
    (
        "max_pool_backward_naive",
        "own forward caching flat winner indices, np.add.at",
        mp_bwd_indices,
        mp_fwd_indices,
        True,
    ),
    ("max_pool_backward_naive", "tap by tap, first unclaimed maximum", mp_bwd_taps, None, True),
]
