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

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive (cache (x, pool_param), cnnlab's format, unless a row says otherwise)


def mp_bwd(dout, cache, bug=None):
    """Student A: the stub's loops, np.argmax + np.unravel_index as lesson 4 suggests."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    window = x[n, c, rows, cols]
                    g = dout[n, c, j, i] if bug == "dout read at dout[n, c, j, i]" else dout[n, c, i, j]
                    if bug == "mask window == max: every tied maximum gets the whole gradient":
                        dx[n, c, rows, cols] += (window == np.max(window)) * g
                        continue
                    if bug == "gradient split equally among tied maxima (mask / mask.sum())":
                        mask = window == np.max(window)
                        dx[n, c, rows, cols] += mask * g / mask.sum()
                        continue
                    k = np.argmax(window)
                    if bug == "flat argmax split as divmod(k, PH) (the window height for its width)":
                        p, q = divmod(k, PH)
                    else:
                        p, q = np.unravel_index(k, window.shape)
                    r, s = i * sh + p, j * sw + q
                    if bug == "argmax position (p, q) used without the window's offset":
                        r, s = p, q
                    if bug == "dx[...] = dout[...] for += (a pixel winning two windows keeps the last)":
                        dx[n, c, r, s] = g
                    else:
                        dx[n, c, r, s] += g
    return dx


def mp_bwd_scatter(dout, cache, bug=None):
    """Student B: the argmax of every window at once, then a scatter-add with np.add.at."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    windows = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    flat = windows.reshape(N, C, Ho, Wo, PH * PW).argmax(axis=-1)  # (N, C, Ho, Wo)
    if bug == "np.unravel_index(flat, (PW, PH))":
        p, q = np.unravel_index(flat, (PW, PH))
    else:
        p, q = np.unravel_index(flat, (PH, PW))
    n, c, i, j = np.indices((N, C, Ho, Wo))
    rows, cols = i * sh + p, j * sw + q
    if bug == "row index i * sw + p (the column stride for the rows)":
        rows = i * sw + p
    dx = np.zeros_like(x)
    if bug == "dx[n, c, rows, cols] += dout (buffered fancy indexing: a repeated winner counted once)":
        dx[n, c, rows, cols] += dout
    else:
        np.add.at(dx, (n, c, rows, cols), dout)
    return dx


def mp_fwd_switches(x, pool_param):
    """CS231n's "switches": the forward keeps every window's flat argmax in its cache."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    switches = np.zeros((N, C, Ho, Wo), dtype=int)
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1)
            switches[:, :, i, j] = window.argmax(axis=2)
            out[:, :, i, j] = window.max(axis=2)
    return out, (x, pool_param, switches)


def mp_bwd_switches(dout, cache):
    """Right: routes through the switches of its own forward, one (i, j) at a time."""
    x, pool_param, switches = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    n, c = np.indices((N, C))
    for i in range(Ho):
        for j in range(Wo):
            p, q = np.divmod(switches[:, :, i, j], PW)
            dx[n, c, i * sh + p, j * sw + q] += dout[:, :, i, j]  # (n, c) distinct: no repeats here
    return dx


def mp_bwd_first_per_tap(dout, cache):
    """Right: one strided slice per tap, in row-major order; a tap equal to the window's max wins
    if no earlier tap has won that window (the first-maximum rule without argmax)."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    out = np.max(sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw], axis=(-2, -1))
    dx = np.zeros_like(x)
    taken = np.zeros(out.shape, dtype=bool)
    for p in range(PH):
        for q in range(PW):
            sl = (slice(None), slice(None), slice(p, p + sh * (Ho - 1) + 1, sh), slice(q, q + sw * (Wo - 1) + 1, sw))
            wins = (x[sl] == out) & ~taken
            dx[sl] += np.where(wins, dout, 0.0)
            taken |= wins
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    mp_bwd,
    [
        "dx[...] = dout[...] for += (a pixel winning two windows keeps the last)",
        "mask window == max: every tied maximum gets the whole gradient",
        "gradient split equally among tied maxima (mask / mask.sum())",
        "flat argmax split as divmod(k, PH) (the window height for its width)",
        "argmax position (p, q) used without the window's offset",
        "dout read at dout[n, c, j, i]",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    mp_bwd_scatter,
    [
        "dx[n, c, rows, cols] += dout (buffered fancy indexing: a repeated winner counted once)",
        "np.unravel_index(flat, (PW, PH))",
        "row index i * sw + p (the column stride for the rows)",
    ],
)
CORPUS += [
    _right("max_pool_backward_naive", "switches cached by its own forward (CS231n)", mp_bwd_switches, mp_fwd_switches),
    _right("max_pool_backward_naive", "first maximum found tap by tap, no argmax", mp_bwd_first_per_tap),
]
