"""A sixth held-out corpus of student mistakes, written blind to the checker: the pooling and
normalization half (max and average pooling, spatial batch norm, spatial group norm).

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``tests/mistake_corpus_fourth.py``), to measure how often ``exercises.check`` names a
mistake nobody tuned it to. Each wrong row carries ONE mistake that a student following lessons 4-6
could plausibly make, in the loop style of the lesson stubs or in the vectorized style the hints
lead to (sliding-window views, np.max with keepdims and a mask, argmax + np.unravel_index and
np.add.at, broadcasting, transpose + reshape to (N*H*W, C) rows, CS231n's one-line and staged
batch-norm backward): windows one short, stride forgotten or its (h, w) pair mixed up, pool_height
for both sides, ties given to every maximum or split, ``=`` for ``+=``, fancy-index ``+=`` where
np.add.at is needed, padding on every axis or with the pair swapped, count_include_pad ignored or
counted from nonzeros, the padding cut with ``[ph:-ph]``, statistics over the wrong axes, reshape
without transpose, eps outside the square root, var for std, PyTorch's momentum and unbiased
running variance, running statistics not stored, test mode on batch statistics, gamma shapes, N for
N*H*W, gamma forgotten or pulled out of group norm's means, groups reshaped wrongly, ... The rows
with ``should_pass`` True are correct implementations in unusual styles (a running np.maximum over
the taps, one-hot rows of np.eye, tap slices, a per-channel loop, an explicit Jacobian, a staged
backward that leaves out dmu's zero term, np.moveaxis, a staged group-norm backward), there to catch
false FAILs.

How it was written: blind, from the student edition of lessons 4, 5 and 6 (``lessons/04_max_pooling.ipynb``,
``05_batch_normalization.ipynb``, ``06_group_normalization.ipynb``: explanations, stubs, docstrings),
``cnnlab/layers``, ``cnnlab/shapes.py`` and ``cnnlab/geometry.py``, and the verify machinery
(``tests/corpus_verify.py``, ``tests/verify_mistake_corpus_fourth.py``) and the format of
``tests/mistake_corpus_fourth.py`` (its docstring and first helper only). Nothing of the checker
(``cnnlab/exercises/``, ``cnnlab/grading``), of ``tests/student_impls.py``, ``tests/test_exercises.py``,
``tests/test_crashes.py``, or of the earlier corpora's rows was read, and the check was not run on
any row. Every row was verified against cnnlab's reference implementations by
``tests/verify_mistake_corpus_sixth_rest.py``: each wrong row differs from the reference (a wrong
value, a wrong shape, or an exception) on at least one input, each right row matches it to a
relative error of 1e-8 on every input. Rows whose mistake had no effect on any input were dropped.

``forward`` is None where the backward pass reads cnnlab's cache (pooling ``(x, pool_param)``,
batch norm ``(xhat, inv_std, gamma, beta.shape, mode)``, group norm ``(xhat, inv_std, gamma,
beta.shape, G)``, as the lessons' docstrings give), or the student's own correct forward where
the backward relies on a cache of its own (the staged backward passes). Batch norm's backward is
checked in train mode only, as lesson 5 says.

67 rows: 58 wrong, 9 right. Per exercise (wrong / right): max_pool_forward_naive 6 / 1,
max_pool_backward_naive 9 / 1, avg_pool_forward_naive 7 / 1, avg_pool_backward_naive 7 / 1,
spatial_batchnorm_forward 9 / 1, spatial_batchnorm_backward 8 / 2, spatial_groupnorm_forward 6 / 1,
spatial_groupnorm_backward 6 / 1.
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
    return (exercise, label, fn, forward, True)


CORPUS = []

# ---------------------------------------------------------------------------------------------
# max_pool_forward_naive


def max_fwd(x, pool_param, bug=None):
    """The lesson's loops over n, c, i, j."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    if bug == "stride forgotten: window (i, j) starts at row i, column j":
                        r0, c0 = i, j
                    if bug == "the stride's height used for the columns too":
                        c0 = j * sh
                    r1, c1 = r0 + PH, c0 + PW
                    if bug == "window one short: rows i*sh : i*sh + PH - 1":
                        r1, c1 = r0 + PH - 1, c0 + PW - 1
                    if bug == "pool_height for the window's width too":
                        c1 = c0 + PH
                    out[n, c, i, j] = np.max(x[n, c, r0:r1, c0:c1])
    return out, (x, pool_param)


def max_fwd_view(x, pool_param, bug=None):
    """Vectorized: a sliding-window view, every stride-th window, the max over the window axes."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "reshape into tiles (N, C, H // PH, PH, W // PW, PW): windows assumed side by side":
        out = x.reshape(N, C, H // PH, PH, W // PW, PW).max(axis=(3, 5))
        return out, (x, pool_param)
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))  # (N, C, H - PH + 1, W - PW + 1, PH, PW)
    windows = view[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    axes = (2, 3) if bug == "max over axes (2, 3) of the window view" else (4, 5)
    return windows.max(axis=axes), (x, pool_param)


def max_fwd_taps(x, pool_param):
    """Right: a running np.maximum over the PH*PW taps, each a strided slice of x."""
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
        "stride forgotten: window (i, j) starts at row i, column j",
        "the stride's height used for the columns too",
        "window one short: rows i*sh : i*sh + PH - 1",
        "pool_height for the window's width too",
    ],
)
CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd_view,
    [
        "reshape into tiles (N, C, H // PH, PH, W // PW, PW): windows assumed side by side",
        "max over axes (2, 3) of the window view",
    ],
)
CORPUS += [_right("max_pool_forward_naive", "running np.maximum over the taps", max_fwd_taps)]

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive (forward None: the cache is cnnlab's (x, pool_param))


def max_bwd(dout, cache, bug=None):
    """The lesson's loops: np.argmax of each window, np.unravel_index, +=."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    if bug == "ties share the gradient equally (as the numerical gradient does)":
                        mask = window == window.max()
                        dx[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW] += mask / mask.sum() * dout[n, c, i, j]
                        continue
                    idx = np.argmax(window)
                    if bug == "flat argmax split with divmod(idx, PH)":
                        p, q = divmod(idx, PH)
                    else:
                        p, q = np.unravel_index(idx, (PH, PW))
                    r, s = i * sh + p, j * sw + q
                    if bug == "stride forgotten in the offset: dx[n, c, i + p, j + q]":
                        r, s = i + p, j + q
                    elif bug == "offset with the stride pair swapped: i*sw + p, j*sh + q":
                        r, s = i * sw + p, j * sh + q
                    if bug == "dx[...] = dout[...] (assigned, not added)":
                        dx[n, c, r, s] = dout[n, c, i, j]
                    else:
                        dx[n, c, r, s] += dout[n, c, i, j]
    return dx


def max_bwd_mask(dout, cache, bug=None):
    """Vectorized over (n, c): a mask of each window's maximum (np.max with keepdims), kept to
    its first True in row-major order (a cumsum), times dout."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            rs, cs = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
            window = x[:, :, rs, cs]  # (N, C, PH, PW)
            if bug == "window maximum taken without keepdims":
                mask = window == window.max(axis=(2, 3))
            else:
                mask = window == window.max(axis=(2, 3), keepdims=True)
            if bug != "every tied maximum gets the gradient (the mask as it is)":
                flat = mask.reshape(N, C, -1)
                mask = (flat & (np.cumsum(flat, axis=2) == 1)).reshape(N, C, PH, PW)
            dx[:, :, rs, cs] += mask * dout[:, :, i, j][:, :, None, None]
    return dx


def max_bwd_scatter(dout, cache, bug=None):
    """Fully vectorized: argmax over every window of a sliding-window view, np.unravel_index,
    index arrays, np.add.at."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    windows = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    idx = windows.reshape(N, C, Ho, Wo, PH * PW).argmax(axis=-1)  # (N, C, Ho, Wo)
    p, q = np.unravel_index(idx, (PH, PW))
    if bug == "rows arange(Ho) + p: stride forgotten":
        rows, cols = np.arange(Ho)[:, None] + p, np.arange(Wo)[None, :] + q
    else:
        rows, cols = np.arange(Ho)[:, None] * sh + p, np.arange(Wo)[None, :] * sw + q
    n = np.arange(N)[:, None, None, None]
    c = np.arange(C)[None, :, None, None]
    dx = np.zeros_like(x)
    if bug == "dx[n, c, rows, cols] += dout (fancy indexing: repeats lost, not np.add.at)":
        dx[n, c, rows, cols] += dout
    else:
        np.add.at(dx, (n, c, rows, cols), dout)
    return dx


def max_bwd_onehot(dout, cache):
    """Right: per window, a one-hot row of np.eye(PH*PW) at the argmax, vectorized over (n, c)."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    eye = np.eye(PH * PW)
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1)
            onehot = eye[window.argmax(axis=2)].reshape(N, C, PH, PW)
            dx[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] += onehot * dout[:, :, i : i + 1, j : j + 1]
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd,
    [
        "dx[...] = dout[...] (assigned, not added)",
        "flat argmax split with divmod(idx, PH)",
        "stride forgotten in the offset: dx[n, c, i + p, j + q]",
        "offset with the stride pair swapped: i*sw + p, j*sh + q",
        "ties share the gradient equally (as the numerical gradient does)",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_mask,
    [
        "every tied maximum gets the gradient (the mask as it is)",
        "window maximum taken without keepdims",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_scatter,
    [
        "dx[n, c, rows, cols] += dout (fancy indexing: repeats lost, not np.add.at)",
        "rows arange(Ho) + p: stride forgotten",
    ],
)
CORPUS += [
    _right("max_pool_backward_naive", "one-hot rows of np.eye at each window's argmax", max_bwd_onehot),
]

# ---------------------------------------------------------------------------------------------
# avg_pool_forward_naive


def avg_fwd(x, pool_param, bug=None):
    """The lesson's loops on a zero-padded copy; the real pixels counted on a padded array of ones."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "np.pad(x, ph): N and C padded too":
        xpad = np.pad(x, ph)
    elif bug == "pad pair swapped in np.pad: (pw, pw) on the rows, (ph, ph) on the columns":
        xpad = np.pad(x, ((0, 0), (0, 0), (pw, pw), (ph, ph)))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))  # 1 on x, 0 on the padding
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rs, cs = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    window = xpad[n, c, rs, cs]
                    if bug == "count_include_pad ignored: always divided by PH*PW":
                        count = PH * PW
                    elif bug == "real pixels counted as the window's nonzeros (np.count_nonzero)":
                        count = PH * PW if count_include_pad else np.count_nonzero(window)
                    else:
                        count = PH * PW if count_include_pad else ones[rs, cs].sum()
                    if bug == "window.sum() / PH * PW (precedence)" and count_include_pad:
                        out[n, c, i, j] = window.sum() / PH * PW
                    else:
                        out[n, c, i, j] = window.sum() / count
    return out, (x, pool_param)


def avg_fwd_view(x, pool_param, bug=None):
    """Vectorized: sliding-window views of the padded x and of a padded array of ones."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "windows of x itself: padding forgotten":
        xpad = x
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    view = sliding_window_view(xpad, (PH, PW), axis=(2, 3))
    if bug == "windows cut to (Ho, Wo), not taken every stride-th":
        windows = view[:, :, :Ho, :Wo]
    else:
        windows = view[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    sums = windows.sum(axis=(4, 5))  # (N, C, Ho, Wo)
    if count_include_pad:
        counts = PH * PW
    else:
        ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
        counts = sliding_window_view(ones, (PH, PW))[::sh, ::sw].sum(axis=(2, 3))  # (Ho, Wo)
    return sums / counts, (x, pool_param)


def avg_fwd_taps(x, pool_param):
    """Right: a convolution with a constant filter, one tap at a time (strided slices), the real
    counts from the per-axis overlap of each window with x (np.outer)."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    sums = np.zeros((N, C, Ho, Wo))
    for p in range(PH):
        for q in range(PW):
            sums += xpad[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw]
    if count_include_pad:
        return sums / (PH * PW), (x, pool_param)
    top = np.arange(Ho) * sh - ph
    left = np.arange(Wo) * sw - pw
    rows = np.minimum(top + PH, H) - np.maximum(top, 0)
    cols = np.minimum(left + PW, W) - np.maximum(left, 0)
    return sums / np.outer(rows, cols), (x, pool_param)


CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd,
    [
        "np.pad(x, ph): N and C padded too",
        "pad pair swapped in np.pad: (pw, pw) on the rows, (ph, ph) on the columns",
        "count_include_pad ignored: always divided by PH*PW",
        "real pixels counted as the window's nonzeros (np.count_nonzero)",
        "window.sum() / PH * PW (precedence)",
    ],
)
CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd_view,
    [
        "windows of x itself: padding forgotten",
        "windows cut to (Ho, Wo), not taken every stride-th",
    ],
)
CORPUS += [_right("avg_pool_forward_naive", "sum of strided tap slices; real counts by np.outer", avg_fwd_taps)]

# ---------------------------------------------------------------------------------------------
# avg_pool_backward_naive (forward None: the cache is cnnlab's (x, pool_param))


def avg_bwd(dout, cache, bug=None):
    """The lesson's loops: dout / count added to a zero-padded dx, the padding cut off at the end."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rs, cs = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    if bug == "count_include_pad ignored: always divided by PH*PW":
                        count = PH * PW
                    else:
                        count = PH * PW if count_include_pad else ones[rs, cs].sum()
                    share = dout[n, c, i, j] if bug == "dout not divided by the count" else dout[n, c, i, j] / count
                    if bug == "dxpad[...] = share (assigned, not added)":
                        dxpad[n, c, rs, cs] = share
                    else:
                        dxpad[n, c, rs, cs] += share
    if bug == "padding cut off with [ph:-ph, pw:-pw]":
        return dxpad[:, :, ph:-ph, pw:-pw]
    if bug == "padding not cut off: dxpad returned":
        return dxpad
    if bug == "padding cut off with the pad pair swapped":
        return dxpad[:, :, pw : pw + H, ph : ph + W]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_bwd_bcast(dout, cache, bug=None):
    """Vectorized over (n, c): each window's share broadcast over its PH x PW pixels."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "np.repeat of dout / (PH*PW): windows assumed side by side":
        return np.repeat(np.repeat(dout, PH, axis=2), PW, axis=3) / (PH * PW)
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for i in range(Ho):
        for j in range(Wo):
            rs, cs = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
            count = PH * PW if count_include_pad else ones[rs, cs].sum()
            dxpad[:, :, rs, cs] += (dout[:, :, i, j] / count)[:, :, None, None]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_bwd_taps(dout, cache):
    """Right: the transpose of the forward's tap slices: each tap adds the shares to a strided
    slice of the padded dx."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    ones = np.pad(np.ones((1, 1, H, W)), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    counts = np.zeros((1, 1, Ho, Wo))
    for p in range(PH):
        for q in range(PW):
            counts += ones[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw]
    share = dout / (PH * PW if count_include_pad else counts)
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(PH):
        for q in range(PW):
            dxpad[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += share
    return dxpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd,
    [
        "count_include_pad ignored: always divided by PH*PW",
        "dout not divided by the count",
        "dxpad[...] = share (assigned, not added)",
        "padding cut off with [ph:-ph, pw:-pw]",
        "padding not cut off: dxpad returned",
        "padding cut off with the pad pair swapped",
    ],
)
CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd_bcast,
    [
        "np.repeat of dout / (PH*PW): windows assumed side by side",
    ],
)
CORPUS += [_right("avg_pool_backward_naive", "tap slices of the padded dx (the forward's transpose)", avg_bwd_taps)]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_forward


def _bn_settings(bn_param, C):
    """What a student reads from bn_param: mode, eps, momentum, the running statistics."""
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    return bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9), running_mean, running_var


def bn_fwd(x, gamma, beta, bn_param, bug=None):
    """Vectorized with keepdims: statistics over (0, 2, 3), gamma and beta reshaped to (1, C, 1, 1)."""
    N, C, H, W = x.shape
    mode, eps, momentum, running_mean, running_var = _bn_settings(bn_param, C)
    if bug == "gamma[None, :, None, None]: right only for gamma (C,)":
        g, b = gamma[None, :, None, None], beta[None, :, None, None]
    else:
        g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    if mode == "train" or bug == "test mode normalizes with the batch statistics":
        if bug == "statistics over axis 0 only, as for fully connected batch norm":
            mean, var = x.mean(axis=0), x.var(axis=0)  # (C, H, W)
            batch_mean, batch_var = mean, var
        else:
            mean = x.mean(axis=(0, 2, 3), keepdims=True)  # (1, C, 1, 1)
            var = x.var(axis=(0, 2, 3), keepdims=True)
            batch_mean, batch_var = mean.reshape(C), var.reshape(C)
        if mode == "train":
            if bug == "running_var updated with the unbiased variance (PyTorch)":
                M = N * H * W
                batch_var = batch_var * M / (M - 1)
            if bug == "momentum the PyTorch way round: (1 - m) * running + m * batch":
                new_mean = (1 - momentum) * running_mean + momentum * batch_mean
                new_var = (1 - momentum) * running_var + momentum * batch_var
            else:
                new_mean = momentum * running_mean + (1 - momentum) * batch_mean
                new_var = momentum * running_var + (1 - momentum) * batch_var
            if bug != "running statistics computed but not stored in bn_param":
                bn_param["running_mean"] = new_mean
                bn_param["running_var"] = new_var
    else:
        mean, var = running_mean.reshape(1, C, 1, 1), running_var.reshape(1, C, 1, 1)
    if bug == "eps added outside the square root: sqrt(var) + eps":
        std = np.sqrt(var) + eps
    elif bug == "divided by var + eps: the square root forgotten":
        std = var + eps
    else:
        std = np.sqrt(var + eps)
    xhat = (x - mean) / std
    out = g * xhat + b
    return out, (xhat, (1.0 / std).ravel(), gamma, beta.shape, mode)


def bn_fwd_rows(x, gamma, beta, bn_param, bug=None):
    """Fully connected batch norm on the (N*H*W, C) rows: transpose(0, 2, 3, 1).reshape(-1, C),
    and back."""
    N, C, H, W = x.shape
    mode, eps, momentum, running_mean, running_var = _bn_settings(bn_param, C)
    if bug == "x.reshape(-1, C) there and back, no transpose":
        rows = x.reshape(-1, C)
    else:
        rows = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C)
    if mode == "train":
        mean, var = rows.mean(axis=0), rows.var(axis=0)  # (C,)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat_rows = (rows - mean) * inv_std
    out_rows = gamma.reshape(C) * xhat_rows + beta.reshape(C)
    if bug == "x.reshape(-1, C) there and back, no transpose":
        out, xhat = out_rows.reshape(N, C, H, W), xhat_rows.reshape(N, C, H, W)
    else:
        out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
        xhat = xhat_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, (xhat, inv_std, gamma, beta.shape, mode)


def bn_fwd_channels(x, gamma, beta, bn_param):
    """Right: a loop over the channels, np.mean and np.std of each x[:, c] (no keepdims needed)."""
    N, C, H, W = x.shape
    mode, eps, momentum, running_mean, running_var = _bn_settings(bn_param, C)
    gamma, beta = np.ravel(gamma), np.ravel(beta)
    out = np.empty_like(x)
    new_mean, new_var = np.array(running_mean, dtype=float), np.array(running_var, dtype=float)
    for c in range(C):
        xc = x[:, c]
        if mode == "train":
            mu, sigma2 = np.mean(xc), np.std(xc) ** 2
            new_mean[c] = momentum * running_mean[c] + (1 - momentum) * mu
            new_var[c] = momentum * running_var[c] + (1 - momentum) * sigma2
        else:
            mu, sigma2 = running_mean[c], running_var[c]
        out[:, c] = gamma[c] * (xc - mu) / np.sqrt(sigma2 + eps) + beta[c]
    if mode == "train":
        bn_param["running_mean"], bn_param["running_var"] = new_mean, new_var
    return out, None


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd,
    [
        "statistics over axis 0 only, as for fully connected batch norm",
        "running_var updated with the unbiased variance (PyTorch)",
        "momentum the PyTorch way round: (1 - m) * running + m * batch",
        "eps added outside the square root: sqrt(var) + eps",
        "divided by var + eps: the square root forgotten",
        "running statistics computed but not stored in bn_param",
        "test mode normalizes with the batch statistics",
        "gamma[None, :, None, None]: right only for gamma (C,)",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd_rows,
    [
        "x.reshape(-1, C) there and back, no transpose",
    ],
)
CORPUS += [
    _right("spatial_batchnorm_forward", "a loop over the channels with np.std", bn_fwd_channels),
]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_backward (train mode; forward None: the cache is cnnlab's
# (xhat, inv_std, gamma, beta.shape, mode), which lesson 5's docstring gives)


def bn_bwd(dout, cache, bug=None):
    """The lesson's compact form with keepdims means over (0, 2, 3)."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N if bug == "M = N: the batch size only" else N * H * W
    axes = 0 if bug == "dgamma and dbeta summed over axis 0 only" else (0, 2, 3)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    g, s = gamma.reshape(1, C, 1, 1), inv_std.reshape(1, C, 1, 1)
    dxhat = dout if bug == "gamma forgotten: dxhat = dout" else dout * g
    mean_dxhat = dxhat.sum(axis=(0, 2, 3), keepdims=True) / M
    mean_dxhat_xhat = (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True) / M
    core = dxhat - mean_dxhat - xhat * mean_dxhat_xhat
    dx = core / s if bug == "cached inv_std taken for the std: divided by it" else core * s
    if bug == "dgamma, dbeta returned as (C,) whatever gamma's shape":
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_rows(dout, cache, bug=None):
    """CS231n's one-line backward of fully connected batch norm, on the (N*H*W, C) rows:
    dx = gamma * inv_std / M * (M * dout - dbeta - xhat * dgamma)."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    d = dout.transpose(0, 2, 3, 1).reshape(-1, C)  # (M, C)
    xr = xhat.transpose(0, 2, 3, 1).reshape(-1, C)
    M = d.shape[0]
    dbeta = d.sum(axis=0)
    dgamma = (d * xr).sum(axis=0)
    if bug == "one-liner with dout for M * dout":
        dx_rows = gamma.ravel() * inv_std / M * (d - dbeta - xr * dgamma)
    else:
        dx_rows = gamma.ravel() * inv_std / M * (M * d - dbeta - xr * dgamma)
    dx = dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_fwd_keep_x(x, gamma, beta, bn_param):
    """The student's own (right) forward for the staged backward: it caches x and the statistics."""
    N, C, H, W = x.shape
    mode, eps, momentum, running_mean, running_var = _bn_settings(bn_param, C)
    if mode == "train":
        mu = x.mean(axis=(0, 2, 3), keepdims=True)
        var = x.var(axis=(0, 2, 3), keepdims=True)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu.ravel()
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var.ravel()
    else:
        mu, var = running_mean.reshape(1, C, 1, 1), running_var.reshape(1, C, 1, 1)
    xhat = (x - mu) / np.sqrt(var + eps)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (x, mu, var, eps, gamma, beta.shape)


def bn_bwd_staged(dout, cache, bug=None):
    """The computational graph of CS231n's batch-norm notebook, stage by stage: dxhat, dvar, dmu, dx."""
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
    power = -0.5 if bug == "dvar with (var + eps) ** -0.5 for ** -1.5" else -1.5
    dvar = np.sum(dxhat * xmu, axis=axes, keepdims=True) * -0.5 * (var + eps) ** power
    dmu = np.sum(-dxhat / std, axis=axes, keepdims=True)
    if bug != "dmu's dvar term left out (it is zero)":
        dmu = dmu + dvar * np.mean(-2.0 * xmu, axis=axes, keepdims=True)
    two = 1.0 if bug == "the variance path's factor 2 forgotten: dvar * xmu / M" else 2.0
    dx = dxhat / std + dvar * two * xmu / M + dmu / M
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_jacobian(dout, cache):
    """Right: per channel, the explicit M x M Jacobian of xhat with respect to x (from the lesson's
    formula), applied to dxhat."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N * H * W
    dx = np.empty_like(dout)
    for c in range(C):
        xh = xhat[:, c].ravel()
        jac = inv_std[c] * (np.eye(M) - 1.0 / M - np.outer(xh, xh) / M)  # d xhat_i / d x_j
        dxhat = (dout[:, c] * np.ravel(gamma)[c]).ravel()
        dx[:, c] = (jac.T @ dxhat).reshape(N, H, W)
    dgamma = np.einsum("nchw,nchw->c", dout, xhat)
    dbeta = np.einsum("nchw->c", dout)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd,
    [
        "M = N: the batch size only",
        "dgamma and dbeta summed over axis 0 only",
        "gamma forgotten: dxhat = dout",
        "cached inv_std taken for the std: divided by it",
        "dgamma, dbeta returned as (C,) whatever gamma's shape",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_rows,
    [
        "one-liner with dout for M * dout",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_staged,
    [
        "dvar with (var + eps) ** -0.5 for ** -1.5",
        "the variance path's factor 2 forgotten: dvar * xmu / M",
    ],
    forward=bn_fwd_keep_x,
)
CORPUS += [
    _right(
        "spatial_batchnorm_backward",
        "staged chain rule, dmu's dvar term left out (it is zero)",
        _b(bn_bwd_staged, "dmu's dvar term left out (it is zero)"),
        bn_fwd_keep_x,
    ),
    _right("spatial_batchnorm_backward", "explicit Jacobian per channel", bn_bwd_jacobian),
]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_forward


def gn_fwd(x, gamma, beta, G, gn_param, bug=None):
    """The lesson's idea: x.reshape(N, G, -1), mean and biased variance along axis 2, back."""
    N, C, H, W = x.shape
    eps = gn_param["eps"] if bug == "eps read as gn_param['eps']: KeyError when absent" else gn_param.get("eps", 1e-5)
    if bug == "channels grouped by c % G: reshape (N, C // G, G, H, W)":
        x5 = x.reshape(N, C // G, G, H, W)
        mean = x5.mean(axis=(1, 3, 4), keepdims=True)
        var = x5.var(axis=(1, 3, 4), keepdims=True)
        xhat = ((x5 - mean) / np.sqrt(var + eps)).reshape(N, C, H, W)
        return gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1), None
    if bug == "G taken for the channels per group: x.reshape(N, C // G, -1)":
        xg = x.reshape(N, C // G, -1)
    else:
        xg = x.reshape(N, G, -1)  # (N, G, C/G*H*W)
    axes = (0, 2) if bug == "statistics shared by the batch: mean over axes (0, 2) of (N, G, K)" else 2
    mean = xg.mean(axis=axes, keepdims=True)
    var = xg.var(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = ((xg - mean) * inv_std).reshape(N, C, H, W)
    if bug == "gamma and beta used as given: (C,) broadcast against the last axis":
        out = gamma * xhat + beta
    else:
        out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


def gn_fwd_loop(x, gamma, beta, G, gn_param, bug=None):
    """A loop over the groups: each a slice of consecutive channels, statistics over (1, 2, 3)."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    Cg = C // G
    xhat = np.empty_like(x)
    for g in range(G):
        chans = (
            slice(g, g + Cg)
            if bug == "group slice x[:, g : g + C // G]: starts at g, not g * C // G"
            else slice(g * Cg, (g + 1) * Cg)
        )
        xs = x[:, chans]
        mean = xs.mean(axis=(1, 2, 3), keepdims=True)
        var = xs.var(axis=(1, 2, 3), keepdims=True)
        xhat[:, chans] = (xs - mean) / np.sqrt(var + eps)
    return gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1), None


def gn_fwd_moveaxis(x, gamma, beta, G, gn_param):
    """Right: channels split into (G, C/G) and moved last, statistics over every axis but N and G."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xt = np.moveaxis(x.reshape(N, G, C // G, H, W), 1, -1)  # (N, C/G, H, W, G)
    mean = xt.mean(axis=(1, 2, 3), keepdims=True)
    std = np.sqrt(xt.var(axis=(1, 2, 3), keepdims=True) + eps)
    xhat = np.moveaxis((xt - mean) / std, -1, 1).reshape(N, C, H, W)
    return xhat * np.reshape(gamma, (1, C, 1, 1)) + np.reshape(beta, (1, C, 1, 1)), None


CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd,
    [
        "eps read as gn_param['eps']: KeyError when absent",
        "G taken for the channels per group: x.reshape(N, C // G, -1)",
        "channels grouped by c % G: reshape (N, C // G, G, H, W)",
        "statistics shared by the batch: mean over axes (0, 2) of (N, G, K)",
        "gamma and beta used as given: (C,) broadcast against the last axis",
    ],
)
CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd_loop,
    ["group slice x[:, g : g + C // G]: starts at g, not g * C // G"],
)
CORPUS += [
    _right("spatial_groupnorm_forward", "np.moveaxis of the (G, C/G) split, statistics per (n, g)", gn_fwd_moveaxis),
]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_backward (forward None: the cache is cnnlab's (xhat, inv_std, gamma,
# beta.shape, G), which lesson 6's docstring gives)


def gn_bwd(dout, cache, bug=None):
    """The lesson's form: dxhat = dout * gamma, then batch norm's formula on the (N, G, K) view."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    axes = (2, 3) if bug == "dgamma and dbeta not summed over the batch: axes (2, 3)" else (0, 2, 3)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    xg = xhat.reshape(N, G, -1)
    if bug == "gamma pulled out of the means (batch norm's shortcut)":
        dxhat = dout.reshape(N, G, -1)
    else:
        dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)  # (N, G, K)
    if bug == "means over axes (0, 2) of the group view: across the batch":
        m1 = dxhat.mean(axis=(0, 2), keepdims=True)
        m2 = (dxhat * xg).mean(axis=(0, 2), keepdims=True)
    elif bug == "means as sums over H * W: the group's C/G channels forgotten":
        m1 = dxhat.sum(axis=2, keepdims=True) / (H * W)
        m2 = (dxhat * xg).sum(axis=2, keepdims=True) / (H * W)
    elif bug == "means without keepdims":
        m1 = dxhat.mean(axis=2)
        m2 = (dxhat * xg).mean(axis=2)
    else:
        m1 = dxhat.mean(axis=2, keepdims=True)
        m2 = (dxhat * xg).mean(axis=2, keepdims=True)
    dx = (dxhat - m1 - xg * m2) * inv_std  # (N, G, K)
    if bug == "gamma pulled out of the means (batch norm's shortcut)":
        dx = dx.reshape(N, C, H, W) * gamma.reshape(1, C, 1, 1)
    if bug == "dx left in the (N, G, K) view":
        return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)
    return dx.reshape(N, C, H, W), dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def gn_fwd_keep_x(x, gamma, beta, G, gn_param):
    """The student's own (right) forward for the staged backward: caches x in the group view."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    xhat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (x, mu, var, eps, gamma, beta.shape, G)


def gn_bwd_staged(dout, cache):
    """Right: the staged chain rule (dvar, dmu) on the (N, G, K) view, gamma applied first."""
    x, mu, var, eps, gamma, beta_shape, G = cache
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    K = xg.shape[2]
    xmu = xg - mu
    std = np.sqrt(var + eps)
    xhat = (xmu / std).reshape(N, C, H, W)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, K)
    dvar = np.sum(dxhat * xmu, axis=2, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = -np.sum(dxhat, axis=2, keepdims=True) / std
    dx = dxhat / std + dvar * 2.0 * xmu / K + dmu / K
    return dx.reshape(N, C, H, W), dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd,
    [
        "gamma pulled out of the means (batch norm's shortcut)",
        "dgamma and dbeta not summed over the batch: axes (2, 3)",
        "means over axes (0, 2) of the group view: across the batch",
        "means as sums over H * W: the group's C/G channels forgotten",
        "means without keepdims",
        "dx left in the (N, G, K) view",
    ],
)
CORPUS += [_right("spatial_groupnorm_backward", "staged chain rule on the group view", gn_bwd_staged, gn_fwd_keep_x)]
