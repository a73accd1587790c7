"""An eighth held-out corpus of student mistakes, its pooling and normalization half, written blind.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``mistake_corpus.measure(CORPUS)`` runs them), for the exercises of lessons 4 to 6:
``max_pool_forward_naive``, ``max_pool_backward_naive``, ``avg_pool_forward_naive``,
``avg_pool_backward_naive``, ``spatial_batchnorm_forward``, ``spatial_batchnorm_backward``,
``spatial_groupnorm_forward`` and ``spatial_groupnorm_backward``. The convolution half is written
separately. The corpus measures how often the checker names a mistake it was never tuned to.

Each wrong row carries ONE mistake, the kind a class of mixed experience makes most often:
first-time NumPy users (a slice bound, a missing axis or keepdims, np.pad's pad width, a negative
start that wraps around, ``[ph:-ph]`` with pad 0, slices mixed with index arrays, np.tile for
np.repeat, a view updated in place and never stored), students who know the math but slip in the
loops (``=`` for ``+=``, a stride or window offset forgotten, sh for sw, PH for PW, a loop bound),
eager vectorizers (np.repeat upsampling, statistics over the wrong axes), and habits carried over
from CS231n (a mask that gives every tied maximum the gradient, the staged backward graph),
PyTorch (momentum the other way round, the unbiased variance) or fully connected batch norm
(statistics over axis 0, means divided by N). About half the rows are in the loop style of the
stubs, half vectorized. The rows with ``should_pass`` True are right implementations in unusual
styles (sliding_window_view, a strict > scan, np.add.at, a summed-area table, a loop over the
taps, batch norm on the (N*H*W, C) matrix, an explicit Jacobian, loops over groups), there to catch
false FAILs. One right helper per style per exercise; each bug is a branch of it
(``functools.partial(helper, bug=...)``).

How it was written: blind to the checker. From the student edition of lessons 4, 5 and 6
(``lessons/04_max_pooling.ipynb``, ``05_batch_normalization.ipynb``, ``06_group_normalization.ipynb``:
the explanations, the stubs, their docstrings), ``cnnlab/layers``, ``cnnlab/shapes.py``,
``cnnlab/geometry.py`` and ``cnnlab/cases.py``, with the first 90 lines of
``tests/mistake_corpus_fourth.py`` for the format only. Not read: ``cnnlab/exercises/``, the other
corpora, ``tests/student_impls.py``, ``tests/test_exercises.py``, ``tests/test_crashes.py``; the
check was not run on any row. Every row was verified against cnnlab's reference implementations by
``tests/verify_mistake_corpus_eighth_rest.py``: each wrong row differs from the reference (a wrong
value, a wrong shape, or an exception) on at least one input, each right row matches it to 1e-8 on
every input. Rows whose mistake had no effect were dropped.

``forward`` is None where the backward reads cnnlab's cache (pooling ``(x, pool_param)``, batch norm
``(xhat, inv_std, gamma, beta.shape, mode)``, group norm ``(xhat, inv_std, gamma, beta.shape, G)``),
or the student's own right forward where the backward (the staged CS231n graph) reads a cache of its
own. Batch norm's backward is meant for train mode only, as lesson 5 says.

69 rows: 60 wrong, 9 right.

    exercise                     wrong  right
    max_pool_forward_naive           6      1
    max_pool_backward_naive          8      2
    avg_pool_forward_naive           6      1
    avg_pool_backward_naive          7      1
    spatial_batchnorm_forward       12      1
    spatial_batchnorm_backward       9      1
    spatial_groupnorm_forward        6      1
    spatial_groupnorm_backward       6      1
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
    return (exercise, label, fn, forward, True)


CORPUS = []

# ---------------------------------------------------------------------------------------------
# max_pool_forward_naive


def max_fwd(x, pool_param, bug=None):
    """Loops over n, c, i, j, as the stub suggests."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Ho if bug == "j loops over range(Ho) too" else Wo):
                    r0, c0 = i * sh, j * sw
                    if bug == "stride forgotten: window starts at (i, j)":
                        r0, c0 = i, j
                    if bug == "sh used for the width too":
                        c0 = j * sh
                    hh, ww = PH, PW
                    if bug == "PH and PW swapped in the window":
                        hh, ww = PW, PH
                    if bug == "window end taken as inclusive (+ PH - 1)":
                        hh, ww = PH - 1, PW - 1
                    out[n, c, i, j] = np.max(x[n, c, r0 : r0 + hh, c0 : c0 + ww])
    return out, (x, pool_param)


def max_fwd_vec(x, pool_param, bug=None):
    """Loops over i, j only; every sample and channel at once."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]  # (N, C, PH, PW)
            if bug == "np.max without an axis: one number for all samples and channels":
                out[:, :, i, j] = np.max(win)
            else:
                out[:, :, i, j] = win.max(axis=(2, 3))
    return out, (x, pool_param)


def max_fwd_windows(x, pool_param):
    """Right: all windows at once with sliding_window_view, every stride-th kept."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    view = np.lib.stride_tricks.sliding_window_view(x, (PH, PW), axis=(2, 3))  # (N, C, H-PH+1, W-PW+1, PH, PW)
    out = view[:, :, ::sh, ::sw].max(axis=(-2, -1))
    return out, (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd,
    [
        "stride forgotten: window starts at (i, j)",
        "PH and PW swapped in the window",
        "sh used for the width too",
        "window end taken as inclusive (+ PH - 1)",
        "j loops over range(Ho) too",
    ],
)
CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd_vec,
    [
        "np.max without an axis: one number for all samples and channels",
    ],
)
CORPUS += [_right("max_pool_forward_naive", "sliding_window_view, then every stride-th window", max_fwd_windows)]

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive (forward None: the cache is (x, pool_param))


def max_bwd(dout, cache, bug=None):
    """Loops over n, c, i, j; argmax and unravel_index, as the lesson suggests."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    if bug == "sh used for the width offset too":
                        c0 = j * sh
                    win = x[n, c, r0 : r0 + PH, c0 : c0 + PW]
                    g = dout[n, c, i, j]
                    if bug == "adds 1 at each winner (the local gradient), dout never multiplied":
                        g = 1.0
                    if bug == "gradient to every tied maximum (mask == max)":
                        dx[n, c, r0 : r0 + PH, c0 : c0 + PW] += (win == np.max(win)) * g
                        continue
                    if bug == "ties share the gradient equally":
                        mask = win == np.max(win)
                        dx[n, c, r0 : r0 + PH, c0 : c0 + PW] += mask * g / mask.sum()
                        continue
                    k = np.argmax(win)
                    if bug == "unravel_index with x's (H, W) instead of the window's shape":
                        p, q = np.unravel_index(k, (H, W))
                    else:
                        p, q = np.unravel_index(k, win.shape)
                    if bug == "window offset forgotten: dx[n, c, p, q]":
                        dx[n, c, p, q] += g
                    elif bug == "= for += (overlapping winners keep the last window only)":
                        dx[n, c, r0 + p, c0 + q] = g
                    else:
                        dx[n, c, r0 + p, c0 + q] += g
    return dx


def max_bwd_vec(dout, cache, bug=None):
    """Loops over i, j; argmax of every (n, c) window at once, scattered with index arrays."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    nn, cc = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")  # (N, C) each
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, PH * PW)
            k = win.argmax(axis=2)  # (N, C)
            p, q = np.unravel_index(k, (PH, PW))
            if bug == "slices for n, c mixed with index arrays: every (n, c) gets every winner":
                dx[:, :, i * sh + p, j * sw + q] += dout[:, :, i, j]
            else:
                dx[nn, cc, i * sh + p, j * sw + q] += dout[:, :, i, j]
    return dx


def max_bwd_scan(dout, cache):
    """Right: the first maximum found by a strict > scan of the window, row by row."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best, at = -np.inf, None
                    for p in range(PH):
                        for q in range(PW):
                            v = x[n, c, i * sh + p, j * sw + q]
                            if v > best:
                                best, at = v, (i * sh + p, j * sw + q)
                    dx[n, c, at[0], at[1]] += dout[n, c, i, j]
    return dx


def max_bwd_add_at(dout, cache):
    """Right: every window's first argmax at once, scattered with one np.add.at."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    view = np.lib.stride_tricks.sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]
    k = view.reshape(N, C, Ho, Wo, PH * PW).argmax(axis=-1)  # (N, C, Ho, Wo)
    p, q = divmod(k, PW)
    rows = np.arange(Ho)[:, None] * sh + p
    cols = np.arange(Wo)[None, :] * sw + q
    dx = np.zeros_like(x)
    np.add.at(dx, (np.arange(N)[:, None, None, None], np.arange(C)[None, :, None, None], rows, cols), dout)
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd,
    [
        "= for += (overlapping winners keep the last window only)",
        "gradient to every tied maximum (mask == max)",
        "ties share the gradient equally",
        "window offset forgotten: dx[n, c, p, q]",
        "unravel_index with x's (H, W) instead of the window's shape",
        "sh used for the width offset too",
        "adds 1 at each winner (the local gradient), dout never multiplied",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_vec,
    [
        "slices for n, c mixed with index arrays: every (n, c) gets every winner",
    ],
)
CORPUS += [
    _right("max_pool_backward_naive", "first maximum by a strict > scan of the window", max_bwd_scan),
    _right("max_pool_backward_naive", "first argmax of all windows, one np.add.at", max_bwd_add_at),
]

# ---------------------------------------------------------------------------------------------
# avg_pool_forward_naive


def _pad2(a, ph, pw):
    """Zero padding of the last two axes."""
    return np.pad(a, [(0, 0)] * (a.ndim - 2) + [(ph, ph), (pw, pw)])


def avg_fwd(x, pool_param, bug=None):
    """Loops over n, c, i, j on a padded copy; a padded array of ones counts the real pixels."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "np.pad(x, ph) pads every axis, N and C too":
        xpad = np.pad(x, ph)
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    if bug == "the ones that count real pixels are not padded":
        ones = np.ones((H, W))
    else:
        ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    src = x if bug == "windows read from x, not from the padded copy" else xpad
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rs, cs = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    win = src[n, c, rs, cs]
                    if bug == "count_include_pad ignored: always PH*PW":
                        count = PH * PW
                    elif bug == "real pixels counted with np.count_nonzero(window)":
                        count = PH * PW if count_include_pad else np.count_nonzero(win)
                    else:
                        count = PH * PW if count_include_pad else ones[rs, cs].sum()
                    out[n, c, i, j] = win.sum() / count
    return out, (x, pool_param)


def avg_fwd_vec(x, pool_param, bug=None):
    """Loops over i, j; every sample and channel at once."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = _pad2(x, ph, pw)
    ones = _pad2(np.ones((H, W)), ph, pw)
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            if bug == "slices x at i*sh - ph without np.pad: a negative start wraps around":
                r0, c0 = i * sh - ph, j * sw - pw
                win = x[:, :, r0 : r0 + PH, c0 : c0 + PW]  # should clip the start at 0
                s = win.sum(axis=(2, 3))
                count = PH * PW if count_include_pad else win.shape[2] * win.shape[3]
                out[:, :, i, j] = s / count
                continue
            win = xpad[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]
            s = win.sum(axis=(2, 3))
            count = PH * PW if count_include_pad else ones[i * sh : i * sh + PH, j * sw : j * sw + PW].sum()
            out[:, :, i, j] = s / count
    return out, (x, pool_param)


def avg_fwd_integral(x, pool_param):
    """Right: window sums from a summed-area table (two cumsums), real-pixel counts from the bounds."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = _pad2(x, ph, pw)
    S = np.zeros((N, C, H + 2 * ph + 1, W + 2 * pw + 1))
    S[:, :, 1:, 1:] = xpad.cumsum(axis=2).cumsum(axis=3)
    r, c = np.arange(Ho) * sh, np.arange(Wo) * sw
    top, bottom = S[:, :, r], S[:, :, r + PH]
    sums = bottom[:, :, :, c + PW] - bottom[:, :, :, c] - top[:, :, :, c + PW] + top[:, :, :, c]
    if count_include_pad:
        counts = PH * PW
    else:
        rows = np.minimum(r + PH, ph + H) - np.maximum(r, ph)
        cols = np.minimum(c + PW, pw + W) - np.maximum(c, pw)
        counts = np.outer(rows, cols)
    return sums / counts, (x, pool_param)


CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd,
    [
        "count_include_pad ignored: always PH*PW",
        "windows read from x, not from the padded copy",
        "np.pad(x, ph) pads every axis, N and C too",
        "real pixels counted with np.count_nonzero(window)",
        "the ones that count real pixels are not padded",
    ],
)
CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd_vec,
    [
        "slices x at i*sh - ph without np.pad: a negative start wraps around",
    ],
)
CORPUS += [
    _right("avg_pool_forward_naive", "summed-area table (cumsum twice), counts from the bounds", avg_fwd_integral)
]

# ---------------------------------------------------------------------------------------------
# avg_pool_backward_naive (forward None: the cache is (x, pool_param))


def _counts(H, W, PH, PW, sh, sw, ph, pw, Ho, Wo, count_include_pad):
    """(Ho, Wo): what each window's sum is divided by."""
    ones = _pad2(np.ones((H, W)), ph, pw)
    counts = np.empty((Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            counts[i, j] = PH * PW if count_include_pad else ones[i * sh : i * sh + PH, j * sw : j * sw + PW].sum()
    return counts


def avg_bwd(dout, cache, bug=None):
    """Loops over n, c, i, j into a padded dx, cut at the end, as the lesson says."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    if bug == "adds into an unpadded dx at the padded positions":
        dxpad = np.zeros_like(x)
    else:
        dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rs, cs = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    if bug == "count_include_pad ignored: always PH*PW":
                        count = PH * PW
                    else:
                        count = PH * PW if count_include_pad else ones[rs, cs].sum()
                    share = dout[n, c, i, j]
                    if bug != "share not divided by count: every pixel gets the whole dout":
                        share = share / count
                    if bug == "= for += (overlapping windows overwrite)":
                        dxpad[n, c, rs, cs] = share
                    else:
                        dxpad[n, c, rs, cs] += share
    if bug in ("adds into an unpadded dx at the padded positions", "padding not cut off"):
        return dxpad
    if bug == "padding cut with [ph:-ph, pw:-pw] (empty when pad is 0)":
        return dxpad[:, :, ph:-ph, pw:-pw]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_bwd_vec(dout, cache, bug=None):
    """Loops over i, j; every sample and channel at once."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    counts = _counts(H, W, PH, PW, sh, sw, ph, pw, Ho, Wo, count_include_pad)
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    if bug == "np.repeat upsampling of dout / count: windows assumed side by side (stride = pool)":
        up = np.repeat(np.repeat(dout / counts, PH, axis=2), PW, axis=3)  # (N, C, Ho*PH, Wo*PW)
        dxpad[:, :, : Ho * PH, : Wo * PW] = up
        return dxpad[:, :, ph : ph + H, pw : pw + W]
    for i in range(Ho):
        for j in range(Wo):
            share = dout[:, :, i, j] / counts[i, j]  # (N, C)
            dxpad[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] += share[:, :, None, None]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_bwd_taps(dout, cache):
    """Right: loops over the taps (p, q) instead of the windows; each adds a strided slab of shares."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    share = dout / _counts(H, W, PH, PW, sh, sw, ph, pw, Ho, Wo, count_include_pad)
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(PH):
        for q in range(PW):
            dxpad[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += share
    return dxpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd,
    [
        "share not divided by count: every pixel gets the whole dout",
        "count_include_pad ignored: always PH*PW",
        "= for += (overlapping windows overwrite)",
        "padding not cut off",
        "padding cut with [ph:-ph, pw:-pw] (empty when pad is 0)",
        "adds into an unpadded dx at the padded positions",
    ],
)
CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd_vec,
    [
        "np.repeat upsampling of dout / count: windows assumed side by side (stride = pool)",
    ],
)
CORPUS += [_right("avg_pool_backward_naive", "loops over the taps, each a strided slab of shares", avg_bwd_taps)]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_forward (checked on out and on the running statistics left in bn_param)

BN_AXIS0 = "statistics over axis 0 only (fully connected habit): one mean per position"
BN_TORCH_MOMENTUM = "momentum the PyTorch way round: running = (1 - m) * running + m * batch"
BN_TEST_BATCH = "test mode normalizes with the batch statistics"
BN_UPDATE_IN_TEST = "running statistics updated in test mode too"
BN_IN_PLACE = "running statistics updated in place on .get's default: lost when bn_param has none"
BN_GAMMA_C = "gamma assumed (C,): gamma[:, None, None] breaks for (1, C, 1, 1)"


def bn_fwd(x, gamma, beta, bn_param, bug=None):
    """Whole-array, statistics with keepdims=True (1, C, 1, 1)."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    axes = 0 if bug == BN_AXIS0 else (0, 2, 3)
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    if mode == "train" or bug == BN_UPDATE_IN_TEST:
        if bug == BN_IN_PLACE:
            running_mean *= momentum
            running_mean += (1 - momentum) * mu.reshape(C)
            running_var *= momentum
            running_var += (1 - momentum) * var.reshape(C)
        else:
            if bug == BN_TORCH_MOMENTUM:
                new_mean = (1 - momentum) * running_mean + momentum * mu.reshape(C)
                new_var = (1 - momentum) * running_var + momentum * var.reshape(C)
            else:
                new_mean = momentum * running_mean + (1 - momentum) * mu.reshape(C)
                new_var = momentum * running_var + (1 - momentum) * var.reshape(C)
            bn_param["running_mean"] = new_mean
            bn_param["running_var"] = new_var
    if mode == "test" and bug != BN_TEST_BATCH:
        mu, var = running_mean.reshape(1, C, 1, 1), running_var.reshape(1, C, 1, 1)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    if bug == BN_GAMMA_C:
        out = gamma[:, None, None] * xhat + beta[:, None, None]
    else:
        out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std.reshape(-1)[:C], gamma, beta.shape, mode)


BN_UNBIASED = "running_var fed the unbiased variance (ddof=1, as PyTorch)"
BN_EPS_OUT = "eps added to the standard deviation, outside the sqrt"
BN_NOT_STORED = "running statistics computed but never stored in bn_param"
BN_EPS_FIXED = "bn_param's eps ignored: 1e-5 hard-coded"


def bn_fwd_loop(x, gamma, beta, bn_param, bug=None):
    """A loop over the channels, each one's (N, H, W) slab at a time."""
    mode = bn_param["mode"]
    eps = 1e-5 if bug == BN_EPS_FIXED else bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    g, b = np.reshape(gamma, C), np.reshape(beta, C)
    running_mean = np.array(bn_param.get("running_mean", np.zeros(C)), dtype=float)
    running_var = np.array(bn_param.get("running_var", np.ones(C)), dtype=float)
    out, xhat, inv_std = np.empty_like(x), np.empty_like(x), np.empty(C)
    for c in range(C):
        xc = x[:, c, :, :]
        if mode == "train":
            m, v = xc.mean(), xc.var()
            v_run = xc.var(ddof=1) if bug == BN_UNBIASED else v
            running_mean[c] = momentum * running_mean[c] + (1 - momentum) * m
            running_var[c] = momentum * running_var[c] + (1 - momentum) * v_run
        else:
            m, v = running_mean[c], running_var[c]
        s = np.sqrt(v) + eps if bug == BN_EPS_OUT else np.sqrt(v + eps)
        inv_std[c] = 1.0 / s
        xhat[:, c] = (xc - m) / s
        out[:, c] = g[c] * xhat[:, c] + b[c]
    if mode == "train" and bug != BN_NOT_STORED:
        bn_param["running_mean"] = running_mean
        bn_param["running_var"] = running_var
    return out, (xhat, inv_std, gamma, beta.shape, mode)


BN_NO_T = "x.reshape(-1, C) without the transpose (and reshaped back the same way)"
BN_NO_T_BACK = "transposed to (N*H*W, C) but reshaped back to (N, C, H, W) without transposing back"


def bn_fwd_mat(x, gamma, beta, bn_param, bug=None):
    """Fully connected batch norm on the (N*H*W, C) matrix, as lesson 5 describes it."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    X = x.reshape(-1, C) if bug == BN_NO_T else x.transpose(0, 2, 3, 1).reshape(-1, C)
    if mode == "train":
        mean, var = X.mean(axis=0), X.var(axis=0)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(C)) + (1 - momentum) * mean
        bn_param["running_var"] = momentum * bn_param.get("running_var", np.ones(C)) + (1 - momentum) * var
    else:
        mean, var = bn_param["running_mean"], bn_param["running_var"]
    inv_std = 1.0 / np.sqrt(var + eps)
    Xhat = (X - mean) * inv_std
    Y = Xhat * np.ravel(gamma) + np.ravel(beta)
    if bug in (BN_NO_T, BN_NO_T_BACK):
        out, xhat = Y.reshape(N, C, H, W), Xhat.reshape(N, C, H, W)
    else:
        out = Y.reshape(N, H, W, C).transpose(0, 3, 1, 2)
        xhat = Xhat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, (xhat, inv_std, gamma, beta.shape, mode)


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd,
    [BN_AXIS0, BN_TORCH_MOMENTUM, BN_TEST_BATCH, BN_UPDATE_IN_TEST, BN_IN_PLACE, BN_GAMMA_C],
)
CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd_loop,
    [BN_UNBIASED, BN_EPS_OUT, BN_NOT_STORED, BN_EPS_FIXED],
)
CORPUS += _rows("spatial_batchnorm_forward", bn_fwd_mat, [BN_NO_T, BN_NO_T_BACK])
CORPUS += [
    _right("spatial_batchnorm_forward", "fully connected batch norm on the (N*H*W, C) matrix", bn_fwd_mat),
]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_backward (train mode; forward None: cnnlab's cache (xhat, inv_std, gamma,
# beta.shape, mode), or the student's own forward where the backward reads its own cache)

BNB_NO_MEANS = "statistics treated as constants: dx = dout * gamma * inv_std"
BNB_NO_VAR = "the xhat * mean(dxhat * xhat) term dropped (variance path forgotten)"
BNB_NO_GAMMA = "gamma left out of dxhat"
BNB_M_N = "means divided by N instead of N*H*W"
BNB_DIV = "divides by inv_std (read as the std) instead of multiplying"
BNB_SHAPE = "dgamma, dbeta returned as (C,) when gamma was (1, C, 1, 1)"


def bn_bwd(dout, cache, bug=None):
    """The compact form, whole-array, with keepdims."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N if bug == BNB_M_N else N * H * W
    dbeta, dgamma = dout.sum(axis=(0, 2, 3)), (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = dout if bug == BNB_NO_GAMMA else dout * gamma.reshape(1, C, 1, 1)
    s = inv_std.reshape(1, C, 1, 1)
    mean_dxhat = dxhat.sum(axis=(0, 2, 3), keepdims=True) / M
    mean_dxhat_xhat = (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True) / M
    if bug == BNB_NO_MEANS:
        dx = dxhat * s
    elif bug == BNB_NO_VAR:
        dx = (dxhat - mean_dxhat) * s
    elif bug == BNB_DIV:
        dx = (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) / s
    else:
        dx = (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) * s
    if bug == BNB_SHAPE:
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_fwd_keep_x(x, gamma, beta, bn_param):
    """A right forward whose cache keeps x and the statistics, for the staged (CS231n) backward."""
    out, _ = bn_fwd(x, gamma, beta, bn_param)
    eps = bn_param.get("eps", 1e-5)
    if bn_param["mode"] == "train":
        mu, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
    else:
        C = x.shape[1]
        mu, var = bn_param["running_mean"].reshape(1, C, 1, 1), bn_param["running_var"].reshape(1, C, 1, 1)
    return out, (x, mu, var, eps, gamma, beta.shape)


BNB_POW = "staged: dvar with the power -1/2 instead of -3/2"
BNB_TWO = "staged: the factor 2 of d(x - mu)**2 dropped in dvar's path to dx"
BNB_X = "staged: dvar's path to dx uses x instead of x - mu"


def bn_bwd_staged(dout, cache, bug=None):
    """The computational graph node by node (xmu, var, std, xhat), as in CS231n's assignment."""
    x, mu, var, eps, gamma, beta_shape = cache
    N, C, H, W = x.shape
    M = N * H * W
    axes = (0, 2, 3)
    xmu = x - mu
    std = np.sqrt(var + eps)
    xhat = xmu / std
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    power = -0.5 if bug == BNB_POW else -1.5
    dvar = np.sum(dxhat * xmu, axis=axes, keepdims=True) * -0.5 * (var + eps) ** power
    dmu = np.sum(-dxhat / std, axis=axes, keepdims=True) + dvar * np.mean(-2.0 * xmu, axis=axes, keepdims=True)
    if bug == BNB_TWO:
        dx = dxhat / std + dvar * xmu / M + dmu / M
    elif bug == BNB_X:
        dx = dxhat / std + dvar * 2.0 * x / M + dmu / M
    else:
        dx = dxhat / std + dvar * 2.0 * xmu / M + dmu / M
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_jacobian(dout, cache):
    """Right: each channel's full M x M Jacobian of xhat, built and applied (fine for small maps)."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N * H * W
    dx = np.empty_like(dout)
    g = np.reshape(gamma, C)
    for c in range(C):
        xh = xhat[:, c].reshape(M)
        J = (np.eye(M) - 1.0 / M - np.outer(xh, xh) / M) * inv_std[c]  # d xhat_i / d x_j, symmetric
        dx[:, c] = (J.T @ (g[c] * dout[:, c].reshape(M))).reshape(N, H, W)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    dbeta = dout.sum(axis=(0, 2, 3)).reshape(beta_shape)
    return dx, dgamma, dbeta


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd,
    [BNB_NO_MEANS, BNB_NO_VAR, BNB_NO_GAMMA, BNB_M_N, BNB_DIV, BNB_SHAPE],
)
CORPUS += _rows("spatial_batchnorm_backward", bn_bwd_staged, [BNB_POW, BNB_TWO, BNB_X], forward=bn_fwd_keep_x)
CORPUS += [_right("spatial_batchnorm_backward", "each channel's M x M Jacobian, built and applied", bn_bwd_jacobian)]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_forward

GN_LAST = "x.reshape(N, -1, G), statistics over axis 1: every G-th element, not C/G channels"
GN_SIZE = "x.reshape(N, C // G, -1): G read as the number of channels per group"


def gn_fwd(x, gamma, beta, G, gn_param, bug=None):
    """The lesson's idea: an (N, G, K) view, statistics along axis 2."""
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    if bug == GN_LAST:
        xg = x.reshape(N, -1, G)
        mean, var = xg.mean(axis=1, keepdims=True), xg.var(axis=1, keepdims=True)
    else:
        xg = x.reshape(N, C // G, -1) if bug == GN_SIZE else x.reshape(N, G, -1)
        mean, var = xg.mean(axis=2, keepdims=True), xg.var(axis=2, keepdims=True)
    std = np.sqrt(var + eps)
    xhat = ((xg - mean) / std).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, (1.0 / std).reshape(N, -1, 1), gamma, beta.shape, G)


GN_CHANNEL = "5-D view, statistics over axes (3, 4) only: one per channel (instance norm)"
GN_BATCH = "5-D view, statistics over axes (0, 2, 3, 4): across the batch too (batch-norm habit)"


def gn_fwd_5d(x, gamma, beta, G, gn_param, bug=None):
    """A (N, G, C/G, H, W) view, statistics with keepdims over its last three axes."""
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    x5 = x.reshape(N, G, C // G, H, W)
    axes = {GN_CHANNEL: (3, 4), GN_BATCH: (0, 2, 3, 4)}.get(bug, (2, 3, 4))
    mean, var = x5.mean(axis=axes, keepdims=True), x5.var(axis=axes, keepdims=True)
    xhat = ((x5 - mean) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    inv_std = np.broadcast_to(1.0 / np.sqrt(var + eps), (N, *var.shape[1:])).reshape(N, -1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


GN_SLICE = "group g's channels sliced from g, not g * (C // G)"
GN_DDOF = "variance divided by K - 1 (the unbiased estimate)"


def gn_fwd_loop(x, gamma, beta, G, gn_param, bug=None):
    """Loops over the samples and the groups, each group's block of channels at a time."""
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    Cg = C // G
    xhat = np.zeros_like(x)
    inv_std = np.zeros((N, G, 1))
    for n in range(N):
        for g in range(G):
            lo = g if bug == GN_SLICE else g * Cg
            block = x[n, lo : lo + Cg]
            m = block.mean()
            v = ((block - m) ** 2).sum() / (block.size - 1) if bug == GN_DDOF else ((block - m) ** 2).mean()
            inv_std[n, g, 0] = 1.0 / np.sqrt(v + eps)
            xhat[n, lo : lo + Cg] = (block - m) * inv_std[n, g, 0]
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


CORPUS += _rows("spatial_groupnorm_forward", gn_fwd, [GN_LAST, GN_SIZE])
CORPUS += _rows("spatial_groupnorm_forward", gn_fwd_5d, [GN_CHANNEL, GN_BATCH])
CORPUS += _rows("spatial_groupnorm_forward", gn_fwd_loop, [GN_SLICE, GN_DDOF])
CORPUS += [_right("spatial_groupnorm_forward", "loops over the samples and groups", gn_fwd_loop)]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_backward (forward None: cnnlab's cache (xhat, inv_std (N, G, 1), gamma,
# beta.shape, G), or the student's own forward where the backward reads its own cache)

GNB_TRAP = "gamma pulled out of the means, as in batch norm (wrong when a group has several gammas)"
GNB_AXIS1 = "means over axis 1 of the (N, G, K) view (across the groups)"
GNB_NO_VAR = "the xhat * mean(dxhat * xhat) term dropped"


def gn_bwd(dout, cache, bug=None):
    """Batch norm's compact form on the (N, G, K) view."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    xh = xhat.reshape(N, G, -1)
    if bug == GNB_TRAP:
        dy = dout.reshape(N, G, -1)
        core = (dy - dy.mean(axis=2, keepdims=True) - xh * (dy * xh).mean(axis=2, keepdims=True)) * inv_std
        dx = gamma.reshape(1, C, 1, 1) * core.reshape(N, C, H, W)
        return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    ax = 1 if bug == GNB_AXIS1 else 2
    m1 = dxhat.mean(axis=ax, keepdims=True)
    m2 = (dxhat * xh).mean(axis=ax, keepdims=True)
    dx = (dxhat - m1) * inv_std if bug == GNB_NO_VAR else (dxhat - m1 - xh * m2) * inv_std
    return dx.reshape(N, C, H, W), dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


GNB_TILE = "np.tile for np.repeat to spread inv_std over each group's channels (interleaved)"
GNB_BN = "batch norm's axes (0, 2, 3) kept for the means of dxhat"


def gn_bwd_4d(dout, cache, bug=None):
    """In (N, C, H, W): inv_std spread to the channels, group means broadcast back."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    Cg = C // G
    if bug == GNB_TILE:
        s = np.tile(inv_std, (1, Cg, 1)).reshape(N, C, 1, 1)
    else:
        s = np.repeat(inv_std, Cg, axis=1).reshape(N, C, 1, 1)

    def group_mean(a):
        m = a.reshape(N, G, -1).mean(axis=2, keepdims=True)  # (N, G, 1)
        return np.broadcast_to(m, (N, G, Cg * H * W)).reshape(N, C, H, W)

    dxhat = dout * gamma.reshape(1, C, 1, 1)
    if bug == GNB_BN:
        m1 = dxhat.mean(axis=(0, 2, 3), keepdims=True)
        m2 = (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
    else:
        m1, m2 = group_mean(dxhat), group_mean(dxhat * xhat)
    dx = (dxhat - m1 - xhat * m2) * s
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(gamma.shape)
    return dx, dgamma, dout.sum(axis=(0, 2, 3)).reshape(beta_shape)


def gn_fwd_keep_x(x, gamma, beta, G, gn_param):
    """A right forward whose cache keeps x and each group's mean and variance."""
    out, _ = gn_fwd(x, gamma, beta, G, gn_param)
    N = x.shape[0]
    xg = x.reshape(N, G, -1)
    return out, (
        x,
        xg.mean(axis=2, keepdims=True),
        xg.var(axis=2, keepdims=True),
        gn_param.get("eps", 1e-5),
        gamma,
        beta.shape,
        G,
    )


GNB_K = "staged: K = H*W, the group's C/G channels left out of the count"


def gn_bwd_staged(dout, cache, bug=None):
    """The staged graph (xmu, var, std) of CS231n, on the (N, G, K) view of its own cache."""
    x, mean, var, eps, gamma, beta_shape, G = cache
    N, C, H, W = x.shape
    K = H * W if bug == GNB_K else C // G * H * W
    xmu = x.reshape(N, G, -1) - mean
    std = np.sqrt(var + eps)
    xhat = xmu / std
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    dvar = np.sum(dxhat * xmu, axis=2, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = np.sum(-dxhat / std, axis=2, keepdims=True) + dvar * np.sum(-2.0 * xmu, axis=2, keepdims=True) / K
    dx = dxhat / std + dvar * 2.0 * xmu / K + dmu / K
    xhat4 = xhat.reshape(N, C, H, W)
    dgamma = (dout * xhat4).sum(axis=(0, 2, 3)).reshape(gamma.shape)
    return dx.reshape(N, C, H, W), dgamma, dout.sum(axis=(0, 2, 3)).reshape(beta_shape)


def gn_bwd_loop(dout, cache):
    """Right: loops over (sample, group), the formula on each block; dgamma, dbeta per channel."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    Cg = C // G
    g4 = np.reshape(gamma, C)
    dx = np.zeros_like(dout)
    for n in range(N):
        for g in range(G):
            ch = slice(g * Cg, (g + 1) * Cg)
            dxh = dout[n, ch] * g4[ch, None, None]
            xh = xhat[n, ch]
            dx[n, ch] = (dxh - dxh.mean() - xh * (dxh * xh).mean()) * inv_std[n, g, 0]
    dgamma = np.array([(dout[:, c] * xhat[:, c]).sum() for c in range(C)]).reshape(np.shape(gamma))
    dbeta = np.array([dout[:, c].sum() for c in range(C)]).reshape(beta_shape)
    return dx, dgamma, dbeta


CORPUS += _rows("spatial_groupnorm_backward", gn_bwd, [GNB_TRAP, GNB_AXIS1, GNB_NO_VAR])
CORPUS += _rows("spatial_groupnorm_backward", gn_bwd_4d, [GNB_TILE, GNB_BN])
CORPUS += _rows("spatial_groupnorm_backward", gn_bwd_staged, [GNB_K], forward=gn_fwd_keep_x)
CORPUS += [_right("spatial_groupnorm_backward", "loops over (sample, group) blocks", gn_bwd_loop)]
