"""A fifth held-out corpus of student mistakes, written blind to the checker: the pooling and
normalization half (lessons 4, 5 and 6; the convolution half is written separately).

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``tests/mistake_corpus*.py``), to measure how often ``exercises.check`` names a mistake
nobody tuned it to. Each wrong row carries ONE mistake that a student following the lessons could
plausibly make, chosen for how often it happens rather than how hard it is: windows one short or
without the stride, (h, w) pairs of pool size, stride and pad mixed up, loops over the wrong
bound, ``=`` for ``+=``, ties given to every maximum, split, or to the last, an argmax unraveled
wrongly, padding forgotten, cut wrongly or applied to every axis, count_include_pad ignored or
counted as the non-zero values, statistics over the wrong axes or a reshape without its transpose,
eps outside the square root, variance for standard deviation, the unbiased variance, running
statistics with PyTorch's momentum or not stored, test mode on batch statistics, gamma
broadcasting along W or indexed wrongly for (1, C, 1, 1), the backward's M, terms, gamma or
dgamma/dbeta shapes, slips of the staged (CS231n) chain rule, groups interleaved or G taken as
the group size, batch norm's shortcut of pulling gamma out of group norm's means. The rows with
``should_pass`` True are correct implementations in other styles (sliding_window_view, a
hand-written argmax scan, a cached argmax with np.add.at, windows clipped to x, one slice per
tap, the (N*H*W, C) matrix, loops over groups, staged chain rules), there to catch false FAILs.

How it was written: blind, from the student edition of lessons 4, 5 and 6
(``lessons/04_max_pooling.ipynb``, ``lessons/05_batch_normalization.ipynb``,
``lessons/06_group_normalization.ipynb``: explanations, stubs, docstrings), ``cnnlab/layers``,
``cnnlab/shapes.py``, ``cnnlab/geometry.py`` and ``cnnlab/cases.py``, with the format taken from
the docstring and first helper of ``tests/mistake_corpus_fourth.py`` and the verify machinery of
``tests/corpus_verify.py``. The checker (``cnnlab/exercises/``), ``tests/student_impls.py``,
``tests/test_exercises.py``, ``tests/test_crashes.py`` and the rows of the earlier corpora were
not read, and the check was not run on any row. Every row was verified against cnnlab's
reference implementations by ``tests/verify_mistake_corpus_fifth_rest.py``: each wrong row
differs from the reference (a wrong value, a wrong shape, or an exception) on at least one input,
each right row matches it to a relative error of 1e-8 on every input; no two wrong rows of an
exercise give the same results on every input (one such row was replaced).

``forward`` is None where the backward pass reads cnnlab's cache format (pooling ``(x,
pool_param)``, batch norm ``(xhat, inv_std, gamma, beta.shape, mode)``, group norm ``(xhat,
inv_std, gamma, beta.shape, G)``), or the student's own correct forward where the backward relies
on a cache of its own. Batch norm's backward is meant for train mode only, as lesson 5 says.

69 rows: 60 wrong, 9 right.

    exercise                      wrong  right
    max_pool_forward_naive            6      1
    max_pool_backward_naive           9      2
    avg_pool_forward_naive            6      1
    avg_pool_backward_naive           7      1
    spatial_batchnorm_forward        11      1
    spatial_batchnorm_backward        9      1
    spatial_groupnorm_forward         6      1
    spatial_groupnorm_backward        6      1
"""

from __future__ import annotations

from functools import partial

import numpy as np

from cnnlab import shapes


def _b(fn, bug):
    return partial(fn, bug=bug)


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper."""
    return [(exercise, bug, _b(fn, bug), forward, False) for bug in bugs]


def _right(exercise, label, fn, forward=None):
    """A right row: a helper with bug=None (a correct implementation in another style)."""
    return (exercise, label, _b(fn, None), forward, True)


CORPUS = []

# ---------------------------------------------------------------------------------------------
# max_pool_forward_naive


def max_fwd(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "stride pair mixed up: rows step by sw, columns by sh":
        sh, sw = sw, sh
    if bug == "pool_height and pool_width swapped":
        PH, PW = PW, PH
    if bug == "output size H // PH, W // PW, as if the stride were the pool size":
        Ho, Wo = H // PH, W // PW
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Ho if bug == "column loop runs over range(Ho), not range(Wo)" else Wo):
                    r, s = i * sh, j * sw
                    if bug == "stride forgotten: window starts at (i, j)":
                        r, s = i, j
                    if bug == "window one short: i*sh : i*sh + PH - 1":
                        window = x[n, c, r : r + PH - 1, s : s + PW - 1]
                    else:
                        window = x[n, c, r : r + PH, s : s + PW]
                    out[n, c, i, j] = np.max(window)
    return out, (x, pool_param)


def max_fwd_view(x, pool_param, bug=None):
    """Right: every window at once from sliding_window_view, then every stride-th one."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    windows = np.lib.stride_tricks.sliding_window_view(x, (PH, PW), axis=(2, 3))  # (N, C, H-PH+1, W-PW+1, PH, PW)
    out = windows[:, :, ::sh, ::sw].max(axis=(4, 5))[:, :, :Ho, :Wo]
    return out, (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd,
    [
        "window one short: i*sh : i*sh + PH - 1",
        "stride forgotten: window starts at (i, j)",
        "stride pair mixed up: rows step by sw, columns by sh",
        "pool_height and pool_width swapped",
        "output size H // PH, W // PW, as if the stride were the pool size",
        "column loop runs over range(Ho), not range(Wo)",
    ],
)
CORPUS += [_right("max_pool_forward_naive", "sliding_window_view, then [::sh, ::sw]", max_fwd_view)]

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive (cache = (x, pool_param), cnnlab's format)


def max_bwd(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = i * sh, j * sw
                    window = x[n, c, r : r + PH, s : s + PW]
                    g = dout[n, c, i, j]
                    if bug == "every tied maximum gets the gradient (mask = window == max)":
                        mask = window == np.max(window)
                        dx[n, c, r : r + PH, s : s + PW] += mask * g
                        continue
                    if bug == "gradient split evenly among tied maxima":
                        mask = window == np.max(window)
                        dx[n, c, r : r + PH, s : s + PW] += mask * g / mask.sum()
                        continue
                    k = np.argmax(window)
                    if bug == "argmax unraveled with (H, W), the input's shape, not the window's":
                        p, q = np.unravel_index(k, (H, W))
                    elif bug == "argmax unraveled with divmod(k, PH), not divmod(k, PW)":
                        p, q = divmod(k, PH)
                    else:
                        p, q = np.unravel_index(k, window.shape)
                    if bug == "window offset forgotten: dx[n, c, p, q]":
                        dx[n, c, p, q] += g
                    elif bug == "offset without the stride: dx[n, c, i + p, j + q]":
                        dx[n, c, i + p, j + q] += g
                    elif bug == "= for += (overlapping windows overwrite)":
                        dx[n, c, r + p, s + q] = g
                    elif bug == "1 routed to the maximum, not dout (the local gradient only)":
                        dx[n, c, r + p, s + q] += 1
                    else:
                        dx[n, c, r + p, s + q] += g
    return dx


def max_bwd_scan(dout, cache, bug=None):
    """The argmax found by hand: a scan of the window that keeps the best so far."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best, bp, bq = -np.inf, 0, 0
                    for p in range(PH):
                        for q in range(PW):
                            v = x[n, c, i * sh + p, j * sw + q]
                            if (v >= best) if bug == "scan with >=: ties go to the last maximum" else (v > best):
                                best, bp, bq = v, p, q
                    dx[n, c, i * sh + bp, j * sw + bq] += dout[n, c, i, j]
    return dx


def max_fwd_argmax(x, pool_param):
    """The student's own forward: caches each window's flat argmax as well."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    arg = np.zeros((N, C, Ho, Wo), dtype=int)
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1)
            arg[:, :, i, j] = window.argmax(axis=2)
            out[:, :, i, j] = window.max(axis=2)
    return out, (x, pool_param, arg)


def max_bwd_argmax(dout, cache, bug=None):
    """Right: the cached argmax turned into input coordinates, scattered with np.add.at."""
    x, pool_param, arg = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    p, q = np.divmod(arg, PW)
    rows = np.arange(Ho).reshape(1, 1, Ho, 1) * sh + p
    cols = np.arange(Wo).reshape(1, 1, 1, Wo) * sw + q
    n = np.arange(N).reshape(N, 1, 1, 1)
    c = np.arange(C).reshape(1, C, 1, 1)
    dx = np.zeros_like(x)
    np.add.at(dx, (n, c, rows, cols), dout)
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd,
    [
        "= for += (overlapping windows overwrite)",
        "every tied maximum gets the gradient (mask = window == max)",
        "gradient split evenly among tied maxima",
        "argmax unraveled with (H, W), the input's shape, not the window's",
        "argmax unraveled with divmod(k, PH), not divmod(k, PW)",
        "window offset forgotten: dx[n, c, p, q]",
        "offset without the stride: dx[n, c, i + p, j + q]",
        "1 routed to the maximum, not dout (the local gradient only)",
    ],
)
CORPUS += _rows("max_pool_backward_naive", max_bwd_scan, ["scan with >=: ties go to the last maximum"])
CORPUS += [
    _right("max_pool_backward_naive", "hand-written scan with strict >", max_bwd_scan),
    _right("max_pool_backward_naive", "argmax cached by its own forward, np.add.at", max_bwd_argmax, max_fwd_argmax),
]

# ---------------------------------------------------------------------------------------------
# avg_pool_forward_naive


def avg_fwd(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "no padding: windows slide over x itself":
        xpad = x
    elif bug == "np.pad(x, (ph, pw)): every axis padded, N and C too":
        xpad = np.pad(x, (ph, pw))
    elif bug == "pad pair swapped: rows padded by pw, columns by ph":
        xpad = np.pad(x, ((0, 0), (0, 0), (pw, pw), (ph, ph)))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))  # 1 on x, 0 on the padding
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = i * sh, j * sw
                    window = xpad[n, c, r : r + PH, s : s + PW]
                    if bug == "count_include_pad ignored: always divided by PH*PW" or count_include_pad:
                        count = PH * PW
                    elif bug == "real pixels counted as the window's non-zero values":
                        count = np.count_nonzero(window)
                    else:
                        count = ones[r : r + PH, s : s + PW].sum()
                    out[n, c, i, j] = window.sum() / count
    return out, (x, pool_param)


def avg_fwd_clip(x, pool_param, bug=None):
    """The real pixels counted by clipping each window to x, in unpadded coordinates."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    last_h, last_w = (H - 1, W - 1) if bug == "window clipped at H - 1, W - 1 (the last index, not the end)" else (H, W)
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            r0, r1 = max(i * sh - ph, 0), min(i * sh - ph + PH, last_h)
            s0, s1 = max(j * sw - pw, 0), min(j * sw - pw + PW, last_w)
            total = x[:, :, r0:r1, s0:s1].sum(axis=(2, 3))  # the padding adds nothing to the sum
            out[:, :, i, j] = total / (PH * PW if count_include_pad else (r1 - r0) * (s1 - s0))
    return out, (x, pool_param)


CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd,
    [
        "no padding: windows slide over x itself",
        "np.pad(x, (ph, pw)): every axis padded, N and C too",
        "pad pair swapped: rows padded by pw, columns by ph",
        "count_include_pad ignored: always divided by PH*PW",
        "real pixels counted as the window's non-zero values",
    ],
)
CORPUS += _rows(
    "avg_pool_forward_naive", avg_fwd_clip, ["window clipped at H - 1, W - 1 (the last index, not the end)"]
)
CORPUS += [_right("avg_pool_forward_naive", "windows clipped to x, whole (N, C) at once", avg_fwd_clip)]

# ---------------------------------------------------------------------------------------------
# avg_pool_backward_naive (cache = (x, pool_param), cnnlab's format)


def avg_bwd(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = (i, j) if bug == "stride forgotten: window (i, j) at rows i : i + PH" else (i * sh, j * sw)
                    if bug == "count_include_pad ignored: always divided by PH*PW" or count_include_pad:
                        count = PH * PW
                    else:
                        count = ones[r : r + PH, s : s + PW].sum()
                    share = dout[n, c, i, j] if bug == "dout not divided by the count" else dout[n, c, i, j] / count
                    if bug == "= for += (overlapping windows overwrite)":
                        dxpad[n, c, r : r + PH, s : s + PW] = share
                    else:
                        dxpad[n, c, r : r + PH, s : s + PW] += share
    if bug == "padding not cut off":
        return dxpad
    if bug == "padding cut as [ph:-ph, pw:-pw] (empty when pad is 0)":
        return dxpad[:, :, ph:-ph, pw:-pw]
    if bug == "first H rows and W columns kept: [:H, :W]":
        return dxpad[:, :, :H, :W]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_fwd_counts(x, pool_param):
    """The student's own forward: caches the divisor of every window, (H', W')."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    sums = np.zeros((N, C, Ho, Wo))
    counts = np.zeros((Ho, Wo))
    for p in range(PH):  # one tap of every window at once
        for q in range(PW):
            sums += xpad[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw]
            counts += ones[p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw]
    if count_include_pad:
        counts[:] = PH * PW
    return sums / counts, (x, pool_param, counts)


def avg_bwd_taps(dout, cache, bug=None):
    """Right: the cached divisors, and one strided slice of dxpad per tap."""
    x, pool_param, counts = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    share = dout / counts
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(PH):
        for q in range(PW):
            dxpad[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += share
    return dxpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd,
    [
        "= for += (overlapping windows overwrite)",
        "dout not divided by the count",
        "count_include_pad ignored: always divided by PH*PW",
        "padding not cut off",
        "padding cut as [ph:-ph, pw:-pw] (empty when pad is 0)",
        "first H rows and W columns kept: [:H, :W]",
        "stride forgotten: window (i, j) at rows i : i + PH",
    ],
)
CORPUS += [
    _right(
        "avg_pool_backward_naive", "divisors cached by its own forward, one slice per tap", avg_bwd_taps, avg_fwd_counts
    )
]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_forward (cache: (xhat, inv_std, gamma, beta.shape, mode), as the lesson suggests)


def bn_fwd(x, gamma, beta, bn_param, bug=None):
    N, C, H, W = x.shape
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    M = N * H * W
    if mode == "train" or bug == "test mode normalizes with the batch statistics":
        if bug == "statistics over axis 0 only (fully connected habit)":
            mean, var = x.mean(axis=0), x.var(axis=0)  # (C, H, W)
        elif bug == "x.reshape(-1, C) without the transpose":
            rows = x.reshape(-1, C)
            mean, var = rows.mean(axis=0), rows.var(axis=0)
        elif bug == "unbiased variance (ddof=1)":
            mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3), ddof=1)
        else:
            mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        if mode == "train":
            new_var = var * M / (M - 1) if bug == "running_var updated with the unbiased variance (PyTorch)" else var
            if bug == "momentum the other way round (PyTorch's convention)":
                running_mean = (1 - momentum) * running_mean + momentum * mean
                running_var = (1 - momentum) * running_var + momentum * new_var
            else:
                running_mean = momentum * running_mean + (1 - momentum) * mean
                running_var = momentum * running_var + (1 - momentum) * new_var
            if bug != "running statistics updated but not stored in bn_param":
                bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    else:
        mean, var = running_mean, running_var
    if bug == "statistics over axis 0 only (fully connected habit)":
        xhat = (x - mean) / np.sqrt(var + eps)
        inv_std = 1 / np.sqrt(var + eps)
    elif bug == "x.reshape(-1, C) without the transpose":
        inv_std = 1 / np.sqrt(var + eps)
        xhat = ((x.reshape(-1, C) - mean) * inv_std).reshape(N, C, H, W)
    else:
        if bug == "eps outside the square root: sqrt(var) + eps":
            inv_std = 1 / (np.sqrt(var) + eps)
        elif bug == "divided by the variance, not the standard deviation":
            inv_std = 1 / (var + eps)
        else:
            inv_std = 1 / np.sqrt(var + eps)
        xhat = (x - mean.reshape(1, C, 1, 1)) * inv_std.reshape(1, C, 1, 1)
    if bug == "gamma and beta not reshaped: (C,) broadcasts along W":
        out = gamma * xhat + beta
    elif bug == "gamma[None, :, None, None] (wrong for gamma of shape (1, C, 1, 1))":
        out = gamma[None, :, None, None] * xhat + beta[None, :, None, None]
    else:
        out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, mode)


def bn_fwd_rows(x, gamma, beta, bn_param, bug=None):
    """Right: fully connected batch norm on the (N*H*W, C) matrix, running statistics by hand."""
    N, C, H, W = x.shape
    rows = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C)
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.9)
    if bn_param["mode"] == "train":
        mean = rows.sum(axis=0) / rows.shape[0]
        var = ((rows - mean) ** 2).sum(axis=0) / rows.shape[0]
        bn_param["running_mean"] = m * bn_param.get("running_mean", np.zeros(C)) + (1 - m) * mean
        bn_param["running_var"] = m * bn_param.get("running_var", np.ones(C)) + (1 - m) * var
    else:
        mean, var = bn_param["running_mean"], bn_param["running_var"]
    std = np.sqrt(var + eps)
    xhat_rows = (rows - mean) / std
    out_rows = xhat_rows * np.ravel(gamma) + np.ravel(beta)
    out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    xhat = xhat_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, (xhat, 1 / std, gamma, beta.shape, bn_param["mode"])


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd,
    [
        "statistics over axis 0 only (fully connected habit)",
        "x.reshape(-1, C) without the transpose",
        "eps outside the square root: sqrt(var) + eps",
        "divided by the variance, not the standard deviation",
        "unbiased variance (ddof=1)",
        "running_var updated with the unbiased variance (PyTorch)",
        "momentum the other way round (PyTorch's convention)",
        "running statistics updated but not stored in bn_param",
        "test mode normalizes with the batch statistics",
        "gamma and beta not reshaped: (C,) broadcasts along W",
        "gamma[None, :, None, None] (wrong for gamma of shape (1, C, 1, 1))",
    ],
)
CORPUS += [_right("spatial_batchnorm_forward", "(N*H*W, C) rows, sums divided by hand", bn_fwd_rows)]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_backward (train mode; cache (xhat, inv_std, gamma, beta.shape, mode), cnnlab's format)


def bn_bwd(dout, cache, bug=None):
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = xhat.shape
    M = N if bug == "M = N, not N*H*W, in the means" else N * H * W
    axes = (0, 2, 3)
    keep = bug == "dgamma and dbeta summed with keepdims=True: always (1, C, 1, 1)"
    dbeta = dout.sum(axis=axes, keepdims=keep)
    dgamma = (dout * xhat).sum(axis=axes, keepdims=keep)
    g = 1.0 if bug == "gamma forgotten: dxhat = dout" else gamma.reshape(1, C, 1, 1)
    dxhat = dout * g
    inv = inv_std.reshape(1, C, 1, 1)
    if mode == "test":
        dx = dxhat * inv
    else:
        if bug == "means over axis 0 only (fully connected habit)":
            mean_dxhat = dxhat.mean(axis=0, keepdims=True)
            mean_dxhat_xhat = (dxhat * xhat).mean(axis=0, keepdims=True)
        else:
            mean_dxhat = dxhat.sum(axis=axes, keepdims=True) / M
            mean_dxhat_xhat = (dxhat * xhat).sum(axis=axes, keepdims=True) / M
        if bug == "the mean(dxhat) term left out":
            mean_dxhat = 0.0
        if bug == "the xhat * mean(dxhat * xhat) term left out":
            mean_dxhat_xhat = 0.0
        if bug == "divided by inv_std (times the std, not over it)":
            dx = (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) / inv
        else:
            dx = (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) * inv
    if keep:
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_fwd_keep_x(x, gamma, beta, bn_param):
    """The student's own (correct) forward, CS231n style: caches x and the batch statistics."""
    N, C, H, W = x.shape
    eps, m = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    if bn_param["mode"] == "train":
        mu = x.mean(axis=(0, 2, 3), keepdims=True)
        var = x.var(axis=(0, 2, 3), keepdims=True)
        bn_param["running_mean"] = m * bn_param.get("running_mean", np.zeros(C)) + (1 - m) * mu.ravel()
        bn_param["running_var"] = m * bn_param.get("running_var", np.ones(C)) + (1 - m) * var.ravel()
    else:
        mu = bn_param["running_mean"].reshape(1, C, 1, 1)
        var = bn_param["running_var"].reshape(1, C, 1, 1)
    g4, b4 = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    out = g4 * (x - mu) / np.sqrt(var + eps) + b4
    return out, (x, mu, var, eps, gamma, beta.shape)


def bn_bwd_staged(dout, cache, bug=None):
    """The staged chain rule of CS231n's computational graph: dxhat, dvar, dmu, dx."""
    x, mu, var, eps, gamma, beta_shape = cache
    N, C, H, W = x.shape
    M = N * H * W
    axes = (0, 2, 3)
    xmu = x - mu
    std_inv = 1 / np.sqrt(var + eps)
    xhat = xmu * std_inv
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    power = -0.5 if bug == "dvar with (var + eps) ** -0.5, not ** -1.5" else -1.5
    dvar = np.sum(dxhat * xmu, axis=axes, keepdims=True) * -0.5 * (var + eps) ** power
    dmu = np.sum(-dxhat * std_inv, axis=axes, keepdims=True) + dvar * np.mean(-2 * xmu, axis=axes, keepdims=True)
    two = 1 if bug == "the 2 of d(x - mu)**2 forgotten: dvar * (x - mu) / M" else 2
    dx = dxhat * std_inv + dvar * two * xmu / M + dmu / M
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd,
    [
        "M = N, not N*H*W, in the means",
        "means over axis 0 only (fully connected habit)",
        "gamma forgotten: dxhat = dout",
        "the mean(dxhat) term left out",
        "the xhat * mean(dxhat * xhat) term left out",
        "divided by inv_std (times the std, not over it)",
        "dgamma and dbeta summed with keepdims=True: always (1, C, 1, 1)",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_staged,
    [
        "dvar with (var + eps) ** -0.5, not ** -1.5",
        "the 2 of d(x - mu)**2 forgotten: dvar * (x - mu) / M",
    ],
    forward=bn_fwd_keep_x,
)
CORPUS += [
    _right(
        "spatial_batchnorm_backward",
        "staged chain rule (CS231n graph), its own cache of x",
        bn_bwd_staged,
        bn_fwd_keep_x,
    )
]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_forward (cache: (xhat, inv_std, gamma, beta.shape, G), as the lesson suggests)


def gn_fwd(x, gamma, beta, G, gn_param, bug=None):
    N, C, H, W = x.shape
    eps = 1e-5 if bug == "eps hard-coded to 1e-5, gn_param['eps'] ignored" else gn_param.get("eps", 1e-5)
    if bug == "groups interleaved: x.reshape(N, C // G, G, H, W), so channel c is in group c % G":
        xs = x.reshape(N, C // G, G, H, W)
        mean = xs.mean(axis=(1, 3, 4), keepdims=True)
        var = xs.var(axis=(1, 3, 4), keepdims=True)
        xhat = ((xs - mean) / np.sqrt(var + eps)).reshape(N, C, H, W)
        inv_std = (1 / np.sqrt(var + eps)).reshape(N, G, 1)
    else:
        if bug == "G taken as the group size: x.reshape(N, C // G, -1)":
            xg = x.reshape(N, C // G, -1)
        elif bug == "statistics per channel over (H, W), G ignored (instance norm)":
            xg = x.reshape(N, C, -1)
        else:
            xg = x.reshape(N, G, -1)
        axes = (0, 2) if bug == "statistics over axes (0, 2): samples mixed, as in batch norm" else 2
        mean = xg.mean(axis=axes, keepdims=True)
        var = xg.var(axis=axes, keepdims=True)
        inv_std = 1 / np.sqrt(var + eps)
        xhat = ((xg - mean) * inv_std).reshape(N, C, H, W)
    if bug == "gamma[:, None, None] (wrong for gamma of shape (1, C, 1, 1))":
        out = gamma[:, None, None] * xhat + beta[:, None, None]
    else:
        out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


def gn_fwd_loops(x, gamma, beta, G, gn_param, bug=None):
    """Right: a loop over samples and groups, each group's channels sliced out by hand."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    size = C // G
    g = np.ravel(gamma)
    b = np.ravel(beta)
    xhat = np.empty_like(x)
    inv_std = np.empty((N, G, 1))
    for n in range(N):
        for k in range(G):
            block = x[n, k * size : (k + 1) * size]  # (C/G, H, W)
            mu = block.mean()
            inv = 1 / np.sqrt(((block - mu) ** 2).mean() + eps)
            xhat[n, k * size : (k + 1) * size] = (block - mu) * inv
            inv_std[n, k, 0] = inv
    out = xhat * g[:, None, None] + b[:, None, None]
    return out, (xhat, inv_std, gamma, beta.shape, G)


CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd,
    [
        "groups interleaved: x.reshape(N, C // G, G, H, W), so channel c is in group c % G",
        "G taken as the group size: x.reshape(N, C // G, -1)",
        "statistics per channel over (H, W), G ignored (instance norm)",
        "statistics over axes (0, 2): samples mixed, as in batch norm",
        "eps hard-coded to 1e-5, gn_param['eps'] ignored",
        "gamma[:, None, None] (wrong for gamma of shape (1, C, 1, 1))",
    ],
)
CORPUS += [_right("spatial_groupnorm_forward", "loops over samples and groups, channels sliced", gn_fwd_loops)]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_backward (cache (xhat, inv_std, gamma, beta.shape, G), cnnlab's format)


def gn_bwd(dout, cache, bug=None):
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = xhat.shape
    K = C // G * H * W
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    g4 = gamma.reshape(1, C, 1, 1)
    if bug == "dgamma from dxhat, which already holds gamma":
        dgamma = (dout * g4 * xhat).sum(axis=(0, 2, 3))
    if bug == "batch norm's means, per channel over (N, H, W)":
        dxhat = dout * g4
        m1 = dxhat.mean(axis=(0, 2, 3), keepdims=True)
        m2 = (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
        inv_c = np.repeat(inv_std, C // G, axis=1).reshape(N, C, 1, 1)
        dx = (dxhat - m1 - xhat * m2) * inv_c
    elif bug == "gamma pulled out of the means (batch norm's shortcut)":
        dy = dout.reshape(N, G, K)
        xg = xhat.reshape(N, G, K)
        core = (dy - dy.mean(axis=2, keepdims=True) - xg * (dy * xg).mean(axis=2, keepdims=True)) * inv_std
        dx = g4 * core.reshape(N, C, H, W)
    else:
        dxhat = (dout * g4).reshape(N, G, K)
        xg = xhat.reshape(N, G, K)
        count = C * H * W if bug == "means divided by C*H*W, not C/G*H*W" else K
        m1 = dxhat.sum(axis=2, keepdims=True) / count
        m2 = (dxhat * xg).sum(axis=2, keepdims=True) / count
        if bug == "inv_std spread over the channels with np.tile, not np.repeat":
            inv_c = np.tile(inv_std, (1, C // G, 1)).reshape(N, C, 1, 1)
            dx = (dxhat - m1 - xg * m2).reshape(N, C, H, W) * inv_c
        else:
            dx = (dxhat - m1 - xg * m2) * inv_std
    dx = dx.reshape(N, C, H, W)
    if bug == "dgamma and dbeta returned as (C,) whatever gamma's shape":
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def gn_fwd_keep_x(x, gamma, beta, G, gn_param):
    """The student's own (correct) forward: caches x, the group statistics and eps."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    xhat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (x, mu, var, eps, gamma, beta.shape, G)


def gn_bwd_staged(dout, cache, bug=None):
    """Right: the staged chain rule (dxhat, dvar, dmu, dx) on the (N, G, K) view."""
    x, mu, var, eps, gamma, beta_shape, G = cache
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    K = xg.shape[2]
    xmu = xg - mu
    std_inv = (var + eps) ** -0.5
    xhat = (xmu * std_inv).reshape(N, C, H, W)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, K)
    dvar = (dxhat * xmu).sum(axis=2, keepdims=True) * -0.5 * std_inv**3
    dmu = -(dxhat * std_inv).sum(axis=2, keepdims=True) - 2 * dvar * xmu.mean(axis=2, keepdims=True)
    dx = dxhat * std_inv + dvar * 2 * xmu / K + dmu / K
    return dx.reshape(N, C, H, W), dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd,
    [
        "gamma pulled out of the means (batch norm's shortcut)",
        "batch norm's means, per channel over (N, H, W)",
        "means divided by C*H*W, not C/G*H*W",
        "inv_std spread over the channels with np.tile, not np.repeat",
        "dgamma from dxhat, which already holds gamma",
        "dgamma and dbeta returned as (C,) whatever gamma's shape",
    ],
)
CORPUS += [
    _right(
        "spatial_groupnorm_backward",
        "staged chain rule on the (N, G, K) view, its own cache",
        gn_bwd_staged,
        gn_fwd_keep_x,
    )
]
