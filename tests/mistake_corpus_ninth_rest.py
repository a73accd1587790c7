"""A ninth held-out corpus of student mistakes, the pooling and normalization half, written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``tests/mistake_corpus_fourth.py`` and after), to measure how often ``exercises.check``
names a mistake it was never tuned to. This half covers lesson 4 (max and average pooling, forward
and backward), lesson 5 (spatial batch norm) and lesson 6 (spatial group norm); the convolution and
network exercises are in the other half, written separately. Each wrong row carries ONE mistake,
written the way a particular student wrote it, as a teaching assistant who graded the assignment
remembers the submissions, the frequent ones first: the lesson's four loops, CS231n's mask and staged
backprop, hand-written max scans, clipped windows instead of padding, PyTorch habits (momentum the
other way round, the unbiased running variance), the fully connected batch-norm habit (statistics
over axis 0, ``x.reshape(-1, C)``), ``=`` for ``+=``, ``keepdims``, off-by-one slices, ``[p:-p]``
for the padding, ``np.tile`` for ``np.repeat``, a term of the chain rule forgotten. The rows with
``should_pass`` True are correct implementations in other styles (sliding_window_view, np.add.at,
switches cached by the student's own forward, a summed-area table, one strided slice per tap, batch
norm on the (N*H*W, C) matrix, staged backprop on a cache of x, a loop over the groups, group
statistics spread with np.repeat), there to catch false FAILs.

How it was written: blind. From the student edition of lessons 4, 5 and 6
(``lessons/04_max_pooling.ipynb``, ``05_batch_normalization.ipynb``, ``06_group_normalization.ipynb``:
the explanations, stubs, docstrings and hints), ``cnnlab/layers``, ``cnnlab/shapes.py``,
``cnnlab/geometry.py``, ``cnnlab/cases.py`` and the verify machinery (``tests/corpus_verify.py``),
with lines 1-90 of ``tests/mistake_corpus_fourth.py`` read for the format only. Nothing under
``cnnlab/exercises/`` (the checker), ``tests/student_impls.py``, ``tests/test_exercises.py``,
``tests/test_crashes.py``, ``tests/mistake_corpus.py`` or the other corpora was read, and the check
was not run on any row. Every row was verified against cnnlab's reference implementations only, by
``tests/verify_mistake_corpus_ninth_rest.py``: each wrong row differs from the reference (a wrong
value, shape or running statistic, or an exception) on at least one input, each right row matches it
to a relative error of 1e-8 on every input. Rows whose mistake had no effect were to be dropped (none
had to be); five written rows were left out to keep the corpus near its intended size.

``forward`` is None where the backward pass reads cnnlab's cache format (pooling ``(x, pool_param)``;
batch norm ``(xhat, inv_std, gamma, beta.shape, mode)``; group norm ``(xhat, inv_std, gamma,
beta.shape, G)``), or the student's own correct forward where the backward relies on a cache of its
own. Batch norm's backward is meant for train mode only, as lesson 5 says.

74 rows: 65 wrong, 9 right.

    max_pool_forward_naive       6 wrong, 1 right
    max_pool_backward_naive     10 wrong, 2 right
    avg_pool_forward_naive       7 wrong, 1 right
    avg_pool_backward_naive      7 wrong, 1 right
    spatial_batchnorm_forward   12 wrong, 1 right
    spatial_batchnorm_backward  11 wrong, 1 right
    spatial_groupnorm_forward    6 wrong, 1 right
    spatial_groupnorm_backward   6 wrong, 1 right
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
                    if bug in (
                        "mask x_pool == max: every tied maximum gets dout",
                        "ties share dout (mask / mask.sum())",
                    ):
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
        "max_pool_backward_naive",
        "switches (winner positions) cached by its own forward",
        max_bwd_switches,
        max_fwd_switches,
    ),
]

# ---------------------------------------------------------------------------------------------
# avg_pool_forward_naive


def avg_fwd(x, pool_param, bug=None):
    """Loops over a zero-padded copy; a padded array of ones gives each window's real pixels."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    widths = ((0, 0), (0, 0), (ph, ph), (pw, pw))
    if bug == "width padded by ph too":
        widths = ((0, 0), (0, 0), (ph, ph), (ph, ph))
    xp = x if bug == "pools x, not the zero-padded copy" else np.pad(x, widths)
    ones = np.pad(np.ones((H, W)), widths[2:])
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    win = xp[n, c, r0 : r0 + PH, c0 : c0 + PW]
                    if bug == "count_include_pad ignored: always PH*PW":
                        count = PH * PW
                    elif bug == "real pixels counted as the window's non-zero values":
                        count = PH * PW if count_include_pad else np.count_nonzero(win)
                    else:
                        count = PH * PW if count_include_pad else ones[r0 : r0 + PH, c0 : c0 + PW].sum()
                    out[n, c, i, j] = win.sum() / count
    return out, (x, pool_param)


CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd,
    [
        "count_include_pad ignored: always PH*PW",
        "pools x, not the zero-padded copy",
        "real pixels counted as the window's non-zero values",
        "width padded by ph too",
    ],
)


def avg_fwd_clip(x, pool_param, bug=None):
    """No padded copy: each window's bounds clipped to x, the padding's zeros left out of the sum."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        top = i * sh - ph
        r0, r1 = max(top, 0), min(top + PH, H)
        if bug == "bottom edge clipped at H - 1":
            r1 = min(top + PH, H - 1)
        if bug == "negative start not clipped (x[-1:...] wraps)":
            r0 = top
        for j in range(Wo):
            left = j * sw - pw
            c0, c1 = max(left, 0), min(left + PW, W)
            if bug == "negative start not clipped (x[-1:...] wraps)":
                c0 = left
            region = x[:, :, r0:r1, c0:c1]
            if bug == "np.mean of the clipped window: always the real pixels":
                out[:, :, i, j] = region.mean(axis=(2, 3))
            else:
                count = PH * PW if count_include_pad else (r1 - r0) * (c1 - c0)
                out[:, :, i, j] = region.sum(axis=(2, 3)) / count
    return out, (x, pool_param)


CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd_clip,
    [
        "np.mean of the clipped window: always the real pixels",
        "bottom edge clipped at H - 1",
        "negative start not clipped (x[-1:...] wraps)",
    ],
)


def avg_fwd_cumsum(x, pool_param):
    """Summed-area table: every window's sum from four corners of a cumulative sum."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape

    def window_sums(a):
        a = np.pad(a, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        sat = np.zeros(a.shape[:2] + (a.shape[2] + 1, a.shape[3] + 1))
        sat[:, :, 1:, 1:] = a.cumsum(axis=2).cumsum(axis=3)
        r = np.arange(Ho) * sh
        c = np.arange(Wo) * sw
        R, Cc = r[:, None], c[None, :]
        return sat[:, :, R + PH, Cc + PW] - sat[:, :, R, Cc + PW] - sat[:, :, R + PH, Cc] + sat[:, :, R, Cc]

    sums = window_sums(x)
    counts = PH * PW if count_include_pad else np.round(window_sums(np.ones((1, 1, H, W))))
    return sums / counts, (x, pool_param)


CORPUS.append(_right("avg_pool_forward_naive", "summed-area table (cumsum), four corners per window", avg_fwd_cumsum))

# ---------------------------------------------------------------------------------------------
# avg_pool_backward_naive


def avg_bwd(dout, cache, bug=None):
    """The lesson's recipe: shares added to a zero-padded dx, the padding cut off at the end."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    real = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    dx_pad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    if bug == "count computed once, from the first window, outside the loops":
        first = PH * PW if count_include_pad else real[:PH, :PW].sum()
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rs = slice(i * sh, i * sh + PH)
                    cs = slice(j * sw, j * sw + PW)
                    if bug == "count_include_pad ignored: always PH*PW":
                        count = PH * PW
                    elif bug == "count computed once, from the first window, outside the loops":
                        count = first
                    else:
                        count = PH * PW if count_include_pad else real[rs, cs].sum()
                    share = dout[n, c, i, j] if bug == "dout not divided by count" else dout[n, c, i, j] / count
                    if bug == "dx_pad[...] = share (assigned, not added)":
                        dx_pad[n, c, rs, cs] = share
                    else:
                        dx_pad[n, c, rs, cs] += share
    if bug == "padding cut as [ph:-ph, pw:-pw] (empty for pad 0)":
        return dx_pad[:, :, ph:-ph, pw:-pw]
    if bug == "padding cut as [ph:H, pw:W]":
        return dx_pad[:, :, ph:H, pw:W]
    return dx_pad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd,
    [
        "dx_pad[...] = share (assigned, not added)",
        "dout not divided by count",
        "padding cut as [ph:-ph, pw:-pw] (empty for pad 0)",
        "count_include_pad ignored: always PH*PW",
        "padding cut as [ph:H, pw:W]",
        "count computed once, from the first window, outside the loops",
    ],
)


def avg_bwd_unpadded(dout, cache, bug=None):
    """Writes straight into dx (N, C, H, W), each window's rows clipped to x."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            top, left = i * sh - ph, j * sw - pw
            if bug == "window positions not shifted by the pad":
                top, left = i * sh, j * sw
            r0, r1 = max(top, 0), min(top + PH, H)
            c0, c1 = max(left, 0), min(left + PW, W)
            count = PH * PW if count_include_pad else (r1 - r0) * (c1 - c0)
            dx[:, :, r0:r1, c0:c1] += (dout[:, :, i, j] / count)[:, :, None, None]
    return dx


CORPUS += _rows("avg_pool_backward_naive", avg_bwd_unpadded, ["window positions not shifted by the pad"])


def avg_bwd_taps(dout, cache):
    """One strided slice per tap (p, q): every window's share added to that tap at once."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    real = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    if count_include_pad:
        counts = np.full((Ho, Wo), float(PH * PW))
    else:
        counts = sum(
            real[p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] for p in range(PH) for q in range(PW)
        )
    share = dout / counts
    dx_pad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(PH):
        for q in range(PW):
            dx_pad[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += share
    return dx_pad[:, :, ph : ph + H, pw : pw + W]


CORPUS.append(_right("avg_pool_backward_naive", "one strided slice per tap, counts summed the same way", avg_bwd_taps))

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_forward


def bn_fwd(x, gamma, beta, bn_param, bug=None):
    """Whole-array NumPy on (N, C, H, W), statistics reshaped to (1, C, 1, 1)."""
    mode = bn_param["mode"]
    eps = 1e-5 if bug == "bn_param['eps'] ignored: 1e-5 hard-coded" else bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    if mode == "train" or bug == "test mode normalizes with the batch statistics":
        if bug == "statistics over axis 0 only (per position, the fully connected habit)":
            mu, var = x.mean(axis=0), x.var(axis=0)  # (C, H, W)
        elif bug == "unbiased batch variance (ddof=1) in the normalization":
            mu, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3), ddof=1)
        else:
            mu, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        new_var = var
        if bug == "running_var fed the unbiased variance (PyTorch's convention)":
            M = N * H * W
            new_var = var * M / (M - 1)
        if bug == "momentum the PyTorch way round (momentum * batch)":
            running_mean = (1 - momentum) * running_mean + momentum * mu
            running_var = (1 - momentum) * running_var + momentum * new_var
        else:
            running_mean = momentum * running_mean + (1 - momentum) * mu
            running_var = momentum * running_var + (1 - momentum) * new_var
        if mode == "train" and bug != "running statistics not written back to bn_param":
            bn_param["running_mean"] = running_mean
            bn_param["running_var"] = running_var
    else:
        mu, var = running_mean, running_var
        if bug == "test mode updates the running statistics too":
            bm, bv = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
            bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * bm
            bn_param["running_var"] = momentum * running_var + (1 - momentum) * bv
    if bug == "statistics over axis 0 only (per position, the fully connected habit)" and mode == "train":
        xhat = (x - mu) / np.sqrt(var + eps)
        inv_std = 1.0 / np.sqrt(var + eps)
    else:
        if bug == "eps added to the standard deviation, outside the sqrt":
            inv_std = 1.0 / (np.sqrt(var) + eps)
        else:
            inv_std = 1.0 / np.sqrt(var + eps)
        xhat = (x - mu.reshape(1, C, 1, 1)) * inv_std.reshape(1, C, 1, 1)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, mode)


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd,
    [
        "statistics over axis 0 only (per position, the fully connected habit)",
        "momentum the PyTorch way round (momentum * batch)",
        "running_var fed the unbiased variance (PyTorch's convention)",
        "running statistics not written back to bn_param",
        "test mode normalizes with the batch statistics",
        "unbiased batch variance (ddof=1) in the normalization",
        "eps added to the standard deviation, outside the sqrt",
        "test mode updates the running statistics too",
        "bn_param['eps'] ignored: 1e-5 hard-coded",
    ],
)


def bn_fwd_2d(x, gamma, beta, bn_param, bug=None):
    """The lesson's other view: fully connected batch norm on the (N*H*W, C) matrix."""
    N, C, H, W = x.shape
    if bug == "x.reshape(-1, C) and back, no transposes (mixes channels)":
        x2 = x.reshape(-1, C)
    else:
        x2 = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C)
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.1 if bug == "momentum default 0.1 (PyTorch's)" else 0.9)
    if mode == "train":
        mu, var = x2.mean(axis=0), x2.var(axis=0)
        old_mean = bn_param.get("running_mean", np.zeros(C))
        old_var = bn_param.get("running_var", np.ones(C))
        bn_param["running_mean"] = momentum * old_mean + (1 - momentum) * mu
        bn_param["running_var"] = momentum * old_var + (1 - momentum) * var
    else:
        mu, var = bn_param["running_mean"], bn_param["running_var"]
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat2 = (x2 - mu) * inv_std
    out2 = xhat2 * gamma.reshape(C) + beta.reshape(C)
    no_transpose_back = (
        "x.reshape(-1, C) and back, no transposes (mixes channels)",
        "transposed in, but reshaped back to (N, C, H, W) without transposing back",
    )
    if bug in no_transpose_back:
        out, xhat = out2.reshape(N, C, H, W), xhat2.reshape(N, C, H, W)
    else:
        out = out2.reshape(N, H, W, C).transpose(0, 3, 1, 2)
        xhat = xhat2.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, (xhat, inv_std, gamma, beta.shape, mode)


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd_2d,
    [
        "x.reshape(-1, C) and back, no transposes (mixes channels)",
        "transposed in, but reshaped back to (N, C, H, W) without transposing back",
        "momentum default 0.1 (PyTorch's)",
    ],
)
CORPUS.append(_right("spatial_batchnorm_forward", "fully connected batch norm on the (N*H*W, C) matrix", bn_fwd_2d))

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_backward (train mode)

AXES = (0, 2, 3)


def bn_bwd(dout, cache, bug=None):
    """The lesson's compact form, means with keepdims over (N, H, W)."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    g = gamma.reshape(1, C, 1, 1)
    dbeta = dout.sum(axis=AXES)
    dgamma = (dout * xhat).sum(axis=AXES)
    dxhat = dout if bug == "gamma left out of dx (dxhat = dout)" else dout * g
    if bug == "dgamma summed from dxhat * xhat (gamma multiplied in)":
        dgamma = (dxhat * xhat).sum(axis=AXES)
    axes = 0 if bug == "means over axis 0 only (per position)" else AXES
    mean_dxhat = dxhat.mean(axis=axes, keepdims=True)
    mean_dxhat_xhat = (dxhat * xhat).mean(axis=axes, keepdims=True)
    istd = inv_std.reshape(1, C, 1, 1)
    if bug == "statistics treated as constants (dx = dout * gamma / std)":
        dx = dxhat * istd
    elif bug == "xhat term left out (only the mean removed)":
        dx = (dxhat - mean_dxhat) * istd
    else:
        dx = (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) * istd
    if bug == "dgamma, dbeta returned as (C,) for a (1, C, 1, 1) gamma":
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd,
    [
        "xhat term left out (only the mean removed)",
        "statistics treated as constants (dx = dout * gamma / std)",
        "dgamma, dbeta returned as (C,) for a (1, C, 1, 1) gamma",
        "means over axis 0 only (per position)",
        "gamma left out of dx (dxhat = dout)",
        "dgamma summed from dxhat * xhat (gamma multiplied in)",
    ],
)


def bn_bwd_sums(dout, cache, bug=None):
    """CS231n's one-line form: (M*dxhat - sum(dxhat) - xhat*sum(dxhat*xhat)) * inv_std / M."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = xhat.shape
    M = N if bug == "M = N, the batch size of the fully connected version" else N * H * W
    keep = bug != "channel sums without keepdims (broadcast against W)"
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    s1 = np.sum(dxhat, axis=AXES, keepdims=keep)
    s2 = np.sum(dxhat * xhat, axis=AXES, keepdims=keep)
    dx = (M * dxhat - s1 - xhat * s2) * inv_std.reshape(1, C, 1, 1) / M
    dgamma = np.sum(dout * xhat, axis=AXES).reshape(gamma.shape)
    dbeta = np.sum(dout, axis=AXES).reshape(beta_shape)
    return dx, dgamma, dbeta


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_sums,
    ["M = N, the batch size of the fully connected version", "channel sums without keepdims (broadcast against W)"],
)


def bn_fwd_keep_x(x, gamma, beta, bn_param):
    """A train-mode forward that caches x and the batch statistics for a staged backward."""
    N, C, H, W = x.shape
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.9)
    mu = x.mean(axis=AXES, keepdims=True)
    var = x.var(axis=AXES, keepdims=True)
    bn_param["running_mean"] = m * bn_param.get("running_mean", np.zeros(C)) + (1 - m) * mu.ravel()
    bn_param["running_var"] = m * bn_param.get("running_var", np.ones(C)) + (1 - m) * var.ravel()
    xhat = (x - mu) / np.sqrt(var + eps)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (x, mu, var, eps, gamma, beta.shape)


def bn_bwd_staged(dout, cache, bug=None):
    """CS231n's staged backprop through the computational graph: dvar, dmu, then dx."""
    x, mu, var, eps, gamma, beta_shape = cache
    N, C, H, W = x.shape
    M = N * H * W
    g = gamma.reshape(1, C, 1, 1)
    var_eps = var if bug == "eps left out of the backward's variance" else var + eps
    std = np.sqrt(var_eps)
    x_mu = x - mu
    dxhat = dout * g
    power = -0.5 if bug == "dvar with (var + eps) ** -0.5 for ** -1.5" else -1.5
    dvar = np.sum(dxhat * x_mu, axis=AXES, keepdims=True) * -0.5 * var_eps**power
    dmu = np.sum(-dxhat / std, axis=AXES, keepdims=True) + dvar * np.mean(-2.0 * x_mu, axis=AXES, keepdims=True)
    dx = dxhat / std + dvar * 2.0 * x_mu / M + dmu / M
    if bug == "dgamma from dout * x (the raw x for xhat)":
        dgamma = np.sum(dout * x, axis=AXES)
    else:
        dgamma = np.sum(dout * x_mu / std, axis=AXES)
    dbeta = np.sum(dout, axis=AXES)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_staged,
    [
        "dvar with (var + eps) ** -0.5 for ** -1.5",
        "eps left out of the backward's variance",
        "dgamma from dout * x (the raw x for xhat)",
    ],
    forward=bn_fwd_keep_x,
)
CORPUS.append(
    _right(
        "spatial_batchnorm_backward", "staged backprop (dvar, dmu) on its own cache of x", bn_bwd_staged, bn_fwd_keep_x
    )
)

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_forward


def gn_fwd(x, gamma, beta, G, gn_param, bug=None):
    """The lesson's one idea: x.reshape(N, G, -1), statistics along axis 2."""
    N, C, H, W = x.shape
    eps = gn_param["eps"] if bug == "gn_param['eps'] read without a default" else gn_param.get("eps", 1e-5)
    if bug == "G ignored: statistics over (C, H, W) of each sample (layer norm)":
        xg = x.reshape(N, 1, -1)
    elif bug == "group axis last: x.reshape(N, -1, G), statistics over axis 1":
        xg = x.reshape(N, -1, G)
    else:
        xg = x.reshape(N, G, -1)  # (N, G, C/G*H*W)
    axis = (
        1
        if bug
        in (
            "statistics over axis 1 of the (N, G, K) view",
            "group axis last: x.reshape(N, -1, G), statistics over axis 1",
        )
        else 2
    )
    mean = xg.mean(axis=axis, keepdims=True)
    var = xg.var(axis=axis, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = ((xg - mean) * inv_std).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd,
    [
        "statistics over axis 1 of the (N, G, K) view",
        "G ignored: statistics over (C, H, W) of each sample (layer norm)",
        "group axis last: x.reshape(N, -1, G), statistics over axis 1",
        "gn_param['eps'] read without a default",
    ],
)


def gn_fwd_loop(x, gamma, beta, G, gn_param, bug=None):
    """A loop over the groups, each a slice of C/G consecutive channels."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    Cg = C // G
    xhat = np.empty_like(x)
    inv_std = np.empty((N, G, 1))
    for g in range(G):
        lo = g if bug == "group slice x[:, g:g + C // G] (g not times C // G)" else g * Cg
        part = x[:, lo : lo + Cg]
        axes = (0, 1, 2, 3) if bug == "group statistics over the batch too, axis (0, 1, 2, 3)" else (1, 2, 3)
        mu = part.mean(axis=axes, keepdims=True)
        istd = 1.0 / np.sqrt(part.var(axis=axes, keepdims=True) + eps)
        xhat[:, g * Cg : (g + 1) * Cg] = (part - mu) * istd
        inv_std[:, g, 0] = np.broadcast_to(istd, (N, 1, 1, 1)).reshape(N)
    out = xhat * gamma.reshape(1, C, 1, 1) + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd_loop,
    ["group slice x[:, g:g + C // G] (g not times C // G)", "group statistics over the batch too, axis (0, 1, 2, 3)"],
)
CORPUS.append(_right("spatial_groupnorm_forward", "a loop over the groups, channel slices", gn_fwd_loop))

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_backward


def gn_bwd(dout, cache, bug=None):
    """The compact form on the (N, G, K) view of dxhat = dout * gamma."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    keep = bug == "dgamma, dbeta kept as (1, C, 1, 1) (keepdims) for a (C,) gamma"
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=keep)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3), keepdims=keep)
    xg = xhat.reshape(N, G, -1)
    if bug == "gamma pulled out of the means (batch norm's shortcut)":
        dy = dout.reshape(N, G, -1)
        core = dy - dy.mean(axis=2, keepdims=True) - xg * (dy * xg).mean(axis=2, keepdims=True)
        dx = (core * inv_std).reshape(N, C, H, W) * gamma.reshape(1, C, 1, 1)
    else:
        dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
        if bug == "xhat term left out (only the group mean removed)":
            core = dxhat - dxhat.mean(axis=2, keepdims=True)
        else:
            core = dxhat - dxhat.mean(axis=2, keepdims=True) - xg * (dxhat * xg).mean(axis=2, keepdims=True)
        dx = (core * inv_std).reshape(N, C, H, W)
    if keep:
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd,
    [
        "gamma pulled out of the means (batch norm's shortcut)",
        "xhat term left out (only the group mean removed)",
        "dgamma, dbeta kept as (1, C, 1, 1) (keepdims) for a (C,) gamma",
    ],
)


def gn_bwd_nchw(dout, cache, bug=None):
    """Stays in (N, C, H, W): group statistics spread back to their channels with np.repeat."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = xhat.shape
    Cg = C // G

    def per_channel(a):  # (N, G) -> (N, C, 1, 1), each group's value on its C/G channels
        if bug == "inv_std spread over the channels with np.tile, not np.repeat":
            return np.tile(a, (1, Cg)).reshape(N, C, 1, 1)
        return np.repeat(a, Cg, axis=1).reshape(N, C, 1, 1)

    def group_mean(a):  # (N, C, H, W) -> (N, C, 1, 1)
        if bug == "means over (1, 2, 3), the whole sample (G ignored)":
            return a.mean(axis=(1, 2, 3), keepdims=True)
        return np.repeat(a.reshape(N, G, -1).mean(axis=2), Cg, axis=1).reshape(N, C, 1, 1)

    dxhat = dout * gamma.reshape(1, C, 1, 1)
    dx = per_channel(inv_std.reshape(N, G)) * (dxhat - group_mean(dxhat) - xhat * group_mean(dxhat * xhat))
    dgamma = np.sum(dout * xhat, axis=(0, 2, 3)).reshape(gamma.shape)
    dbeta = np.sum(dout, axis=(0, 2, 3)).reshape(beta_shape)
    return dx, dgamma, dbeta


CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd_nchw,
    [
        "inv_std spread over the channels with np.tile, not np.repeat",
        "means over (1, 2, 3), the whole sample (G ignored)",
    ],
)
CORPUS.append(_right("spatial_groupnorm_backward", "in (N, C, H, W), group means spread with np.repeat", gn_bwd_nchw))


def gn_fwd_keep_x(x, gamma, beta, G, gn_param):
    """A forward that caches x and the group statistics, for a staged backward."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    xhat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    return gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1), (x, mu, var, eps, gamma, beta.shape, G)


def gn_bwd_staged(dout, cache, bug=None):
    """Staged backprop per (sample, group): dvar, dmu, then dx, with K explicit."""
    x, mu, var, eps, gamma, beta_shape, G = cache
    N, C, H, W = x.shape
    K = C * H * W if bug == "K taken as C * H * W (the group size left out)" else C // G * H * W
    xg = x.reshape(N, G, -1)
    std = np.sqrt(var + eps)
    xmu = xg - mu
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    dvar = np.sum(dxhat * xmu, axis=2, keepdims=True) * -0.5 / std**3
    dmu = -np.sum(dxhat, axis=2, keepdims=True) / std - dvar * 2.0 * np.sum(xmu, axis=2, keepdims=True) / K
    dx = dxhat / std + dvar * 2.0 * xmu / K + dmu / K
    xhat = (xmu / std).reshape(N, C, H, W)
    dgamma = np.sum(dout * xhat, axis=(0, 2, 3)).reshape(gamma.shape)
    dbeta = np.sum(dout, axis=(0, 2, 3)).reshape(beta_shape)
    return dx.reshape(N, C, H, W), dgamma, dbeta


CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd_staged,
    ["K taken as C * H * W (the group size left out)"],
    forward=gn_fwd_keep_x,
)
