"""An eleventh held-out corpus of student mistakes, the pooling and normalization half, written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``mistake_corpus.measure(CORPUS)`` runs them), for the exercises of lessons 4, 5 and 6:
``max_pool_forward_naive``, ``max_pool_backward_naive``, ``avg_pool_forward_naive``,
``avg_pool_backward_naive``, ``spatial_batchnorm_forward``, ``spatial_batchnorm_backward``,
``spatial_groupnorm_forward`` and ``spatial_groupnorm_backward`` (the convolution half is another
file). It measures how often ``exercises.check`` names a mistake it was never tuned to. Each row is
one student's submitted function, as a lab section doing the assignment for the first time under
time pressure would hand it in, with its one remaining bug: the stubs' loops, helpers of their own,
window views (``sliding_window_view``), masks with keepdims, argmax with divmod or
``np.unravel_index``, ``np.add.at``, the ``(N*H*W, C)`` rows of a fully connected batch norm, the
compact and the staged (CS231n) backward. The mistakes were chosen for how often they survive to
submission (``=`` for ``+=``, every tied maximum given the gradient, a stride or pool size used in
the wrong place, count_include_pad ignored or inverted, the padding not cut off, momentum the
PyTorch way round, the unbiased running variance, eps outside the square root or ignored, running
statistics not stored, a reshape without its transpose, gamma's (1, C, 1, 1) shape, the group
reshape, batch norm's shortcut in group norm, ...), roughly in proportion. The rows with
``should_pass`` True are correct implementations in less usual styles (a summed-area table,
tap-by-tap strided slices, per-channel loops updating the running statistics in place, each
set's Jacobian written out, ...), there to catch false FAILs.

How it was written: blind. From the student edition of lessons 4, 5 and 6
(``lessons/04_max_pooling.ipynb``, ``lessons/05_batch_normalization.ipynb``,
``lessons/06_group_normalization.ipynb``: explanations, stubs, docstrings), ``cnnlab/layers``,
``cnnlab/shapes.py``, ``cnnlab/geometry.py`` and ``cnnlab/cases.py``, plus the format of
``tests/mistake_corpus_fourth.py`` (its docstring and first helper only) and the verify machinery
(``tests/corpus_verify.py``, ``tests/verify_mistake_corpus_fourth.py``). Nothing of the checker
(``cnnlab/exercises/``, ``cnnlab/grading``), its known-mistake tables, ``tests/student_impls.py``,
the exercise and crash tests or the other corpora was read, and the check was not run on any row.
Every row was verified against cnnlab's reference implementations only, by
``tests/verify_mistake_corpus_eleventh_rest.py``: each wrong row differs from the reference (a
wrong value, a wrong shape, or an exception) on at least one input, each right row matches it to
a relative error of 1e-8 on every input.

``forward`` is None where the backward reads cnnlab's cache format (pooling ``(x, pool_param)``;
batch norm ``(xhat, inv_std, gamma, beta.shape, mode)``; group norm ``(xhat, inv_std, gamma,
beta.shape, G)``), or the student's own correct forward where the staged backward relies on a
cache of its own (x and the statistics). Batch norm's backward is meant for train mode only, as
lesson 5 says.

74 rows: 65 wrong, 9 right.

=========================== ===== =====
exercise                    wrong right
=========================== ===== =====
max_pool_forward_naive          7     1
max_pool_backward_naive        10     2
avg_pool_forward_naive          7     1
avg_pool_backward_naive         8     1
spatial_batchnorm_forward      11     1
spatial_batchnorm_backward     10     1
spatial_groupnorm_forward       6     1
spatial_groupnorm_backward      6     1
=========================== ===== =====
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
    """The stub's four loops, a window slice per output."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "out allocated with np.zeros_like(x)":
        out = np.zeros_like(x)
    else:
        out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Ho if bug == "the column loop runs over range(Ho)" else Wo):
                    r0, c0 = i * sh, j * sw
                    if bug == "stride forgotten: windows start at (i, j)":
                        r0, c0 = i, j
                    if bug == "row stride used for the columns (j * sh)":
                        c0 = j * sh
                    width = PH if bug == "pool_height used for the window width" else PW
                    window = x[n, c, r0 : r0 + PH, c0 : c0 + width]
                    out[n, c, i, j] = np.max(window)
    return out, (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd,
    [
        "stride forgotten: windows start at (i, j)",
        "row stride used for the columns (j * sh)",
        "pool_height used for the window width",
        "the column loop runs over range(Ho)",
        "out allocated with np.zeros_like(x)",
    ],
)


def max_fwd_view(x, pool_param, bug=None):
    """Every window at once with sliding_window_view, then every stride-th of them."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))  # (N, C, H-PH+1, W-PW+1, PH, PW)
    if bug == "windows subsampled with the row stride on both axes":
        view = view[:, :, ::sh, ::sh]
    else:
        view = view[:, :, ::sh, ::sw]
    out = view.max(axis=(4, 5))
    return out, (x, pool_param)


def max_fwd_blocks(x, pool_param, bug=None):
    """The reshape-into-blocks trick: only right when the stride equals the window."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    blocks = x[:, :, : Ho * PH, : Wo * PW].reshape(N, C, Ho, PH, Wo, PW)
    out = blocks.max(axis=(3, 5))
    return out, (x, pool_param)


CORPUS += _rows("max_pool_forward_naive", max_fwd_view, ["windows subsampled with the row stride on both axes"])
CORPUS += [
    (
        "max_pool_forward_naive",
        "reshape into PH x PW blocks (assumes stride == pool size)",
        max_fwd_blocks,
        None,
        False,
    ),
    _right("max_pool_forward_naive", "sliding_window_view, every stride-th window, max over the taps", max_fwd_view),
]

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive


def max_bwd(dout, cache, bug=None):
    """The stub's loops: np.argmax of the window, np.unravel_index, +=."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    if bug == "window of the stride's size, x[i*sh:(i+1)*sh]":
                        window = x[n, c, r0 : (i + 1) * sh, c0 : (j + 1) * sw]
                    else:
                        window = x[n, c, r0 : r0 + PH, c0 : c0 + PW]
                    if bug in ("every tied maximum gets the gradient (window == max)", "tied maxima share it equally"):
                        mask = window == np.max(window)
                        if bug == "tied maxima share it equally":
                            mask = mask / mask.sum()
                        dx[n, c, r0 : r0 + PH, c0 : c0 + PW] += mask * dout[n, c, i, j]
                        continue
                    shape = (PW, PH) if bug == "unravel_index with (PW, PH)" else window.shape
                    p, q = np.unravel_index(np.argmax(window), shape)
                    if bug == "window offset forgotten: dx[n, c, p, q]":
                        r0, c0 = 0, 0
                    if bug == "pool size as the step: i*PH + p, j*PW + q":
                        r0, c0 = i * PH, j * PW
                    if bug == "= instead of +=":
                        dx[n, c, r0 + p, c0 + q] = dout[n, c, i, j]
                    else:
                        dx[n, c, r0 + p, c0 + q] += dout[n, c, i, j]
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd,
    [
        "= instead of +=",
        "every tied maximum gets the gradient (window == max)",
        "tied maxima share it equally",
        "unravel_index with (PW, PH)",
        "window offset forgotten: dx[n, c, p, q]",
        "pool size as the step: i*PH + p, j*PW + q",
        "window of the stride's size, x[i*sh:(i+1)*sh]",
    ],
)


def max_bwd_cs231n(dout, cache, bug=None):
    """CS231n style: loop over output positions, all samples and channels at once."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]  # (N, C, PH, PW)
            if bug == "mask of every maximum, win == win.max(keepdims=True)":
                mask = win == win.max(axis=(2, 3), keepdims=True)
            else:
                flat = win.reshape(N, C, PH * PW)
                k = flat.argmax(axis=2)  # (N, C), the first maximum
                mask = np.zeros_like(flat)
                mask[np.arange(N)[:, None], np.arange(C)[None, :], k] = 1
                mask = mask.reshape(N, C, PH, PW)
            g = dout[:, :, i, j][:, :, None, None]
            dx[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] += mask * g
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_cs231n,
    ["mask of every maximum, win == win.max(keepdims=True)"],
)


def max_bwd_addat(dout, cache, bug=None):
    """Fully vectorized: argmax over a window view, divmod, np.add.at."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    idx = view.reshape(N, C, Ho, Wo, PH * PW).argmax(axis=-1)  # (N, C, Ho, Wo)
    p, q = np.divmod(idx, PH if bug == "divmod by PH instead of PW" else PW)
    rows = np.arange(Ho)[:, None] * sh + p
    cols = np.arange(Wo)[None, :] * sw + q
    nn = np.arange(N)[:, None, None, None]
    cc = np.arange(C)[None, :, None, None]
    dx = np.zeros_like(x)
    if bug == "dx[idx] += dout (fancy indexing drops repeated winners)":
        dx[nn, cc, rows, cols] += dout
    else:
        np.add.at(dx, (nn, cc, rows, cols), dout)
    return dx


def max_bwd_taps(dout, cache):
    """One tap at a time in row-major order; a window's first tap equal to its max takes the gradient."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw].max(axis=(4, 5))
    taken = np.zeros(out.shape, dtype=bool)
    dx = np.zeros_like(x)
    for p in range(PH):
        for q in range(PW):
            rows = slice(p, p + sh * (Ho - 1) + 1, sh)
            cols = slice(q, q + sw * (Wo - 1) + 1, sw)
            win = (x[:, :, rows, cols] == out) & ~taken
            taken |= win
            dx[:, :, rows, cols] += win * dout
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_addat,
    ["divmod by PH instead of PW", "dx[idx] += dout (fancy indexing drops repeated winners)"],
)
CORPUS += [
    _right("max_pool_backward_naive", "argmax over a window view, divmod, np.add.at", max_bwd_addat),
    _right("max_pool_backward_naive", "tap by tap, the first tap equal to the max takes it", max_bwd_taps),
]

# ---------------------------------------------------------------------------------------------
# avg_pool_forward_naive


def avg_fwd(x, pool_param, bug=None):
    """The loops on a zero-padded copy; count from a padded array of ones."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "no padding: the windows are taken from x itself":
        xpad = x
    elif bug == "np.pad with ph on both axes":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (ph, ph)))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    if bug == "the array of ones is not padded":
        ones = np.ones((H, W))
    else:
        ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    window = xpad[n, c, r0 : r0 + PH, c0 : c0 + PW]
                    real = ones[r0 : r0 + PH, c0 : c0 + PW].sum()
                    if bug == "count_include_pad ignored: always / (PH*PW)":
                        count = PH * PW
                    elif bug == "count_include_pad read the wrong way round":
                        count = real if count_include_pad else PH * PW
                    elif bug == "real pixels counted as the window's nonzeros":
                        count = PH * PW if count_include_pad else np.count_nonzero(window)
                    else:
                        count = PH * PW if count_include_pad else real
                    out[n, c, i, j] = window.sum() / count
    return out, (x, pool_param)


CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd,
    [
        "count_include_pad ignored: always / (PH*PW)",
        "count_include_pad read the wrong way round",
        "real pixels counted as the window's nonzeros",
        "no padding: the windows are taken from x itself",
        "np.pad with ph on both axes",
        "the array of ones is not padded",
    ],
)


def avg_fwd_view(x, pool_param, bug=None):
    """A window view of the padded x and one of the padded ones."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    sums = sliding_window_view(xpad, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw].sum(axis=(4, 5))  # (N, C, Ho, Wo)
    if count_include_pad:
        return sums / (PH * PW), (x, pool_param)
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    counts = sliding_window_view(ones, (PH, PW))
    if bug != "the counts' window view not subsampled by the stride":
        counts = counts[::sh, ::sw]
    counts = counts.sum(axis=(2, 3))  # (Ho, Wo)
    return sums / counts, (x, pool_param)


def avg_fwd_integral(x, pool_param):
    """A summed-area table of the padded x: each window's sum from four corners."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    S = np.zeros((N, C, H + 2 * ph + 1, W + 2 * pw + 1))
    S[:, :, 1:, 1:] = xpad.cumsum(axis=2).cumsum(axis=3)
    r = np.arange(Ho) * sh
    c = np.arange(Wo) * sw
    top, bottom = S[:, :, r], S[:, :, r + PH]
    sums = bottom[:, :, :, c + PW] - bottom[:, :, :, c] - top[:, :, :, c + PW] + top[:, :, :, c]
    if count_include_pad:
        counts = PH * PW
    else:
        rows = np.minimum(r + PH, ph + H) - np.maximum(r, ph)
        cols = np.minimum(c + PW, pw + W) - np.maximum(c, pw)
        counts = np.outer(rows, cols)
    return sums / counts, (x, pool_param)


CORPUS += _rows("avg_pool_forward_naive", avg_fwd_view, ["the counts' window view not subsampled by the stride"])
CORPUS += [
    _right(
        "avg_pool_forward_naive", "summed-area table (cumsum twice), window sums from four corners", avg_fwd_integral
    ),
]

# ---------------------------------------------------------------------------------------------
# avg_pool_backward_naive


def avg_bwd(dout, cache, bug=None):
    """The loops: dout / count added to every pixel of a padded dx, the padding cut off."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    first = PH * PW if count_include_pad else ones[:PH, :PW].sum()
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * sh, i * sh + PH)
                    cols = slice(j * sw, j * sw + PW)
                    count = PH * PW if count_include_pad else ones[rows, cols].sum()
                    if bug == "count_include_pad ignored: always / (PH*PW)":
                        count = PH * PW
                    if bug == "no division by the count":
                        count = 1
                    if bug == "count computed once, before the loops (the corner window's)":
                        count = first
                    if bug == "= instead of +=":
                        dxpad[n, c, rows, cols] = dout[n, c, i, j] / count
                    else:
                        dxpad[n, c, rows, cols] += dout[n, c, i, j] / count
    if bug == "the padding not cut off":
        return dxpad
    if bug == "padding cut with [ph:-ph, pw:-pw]":
        return dxpad[:, :, ph:-ph, pw:-pw]
    if bug == "the first H rows and W columns kept":
        return dxpad[:, :, :H, :W]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd,
    [
        "= instead of +=",
        "count_include_pad ignored: always / (PH*PW)",
        "no division by the count",
        "count computed once, before the loops (the corner window's)",
        "the padding not cut off",
        "padding cut with [ph:-ph, pw:-pw]",
        "the first H rows and W columns kept",
    ],
)


def avg_bwd_share(dout, cache, bug=None):
    """Each window's share computed first (real rows times real columns), then added per window."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if count_include_pad:
        counts = np.full((Ho, Wo), PH * PW)
    else:
        if bug == "real rows not clipped at the bottom edge":
            real_rows = [i * sh + PH - max(i * sh, ph) for i in range(Ho)]
        else:
            real_rows = [min(i * sh + PH, ph + H) - max(i * sh, ph) for i in range(Ho)]
        real_cols = [min(j * sw + PW, pw + W) - max(j * sw, pw) for j in range(Wo)]
        counts = np.outer(real_rows, real_cols)
    share = dout / counts  # (N, C, Ho, Wo)
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for i in range(Ho):
        for j in range(Wo):
            dxpad[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] += share[:, :, i, j, None, None]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_bwd_taps(dout, cache):
    """Tap by tap: the share of every window lands on that tap's strided slice of the padded dx."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    counts = sliding_window_view(ones, (PH, PW))[::sh, ::sw].sum(axis=(2, 3))  # (Ho, Wo)
    share = dout / (PH * PW if count_include_pad else counts)
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(PH):
        for q in range(PW):
            dxpad[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += share
    return dxpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd_share,
    ["real rows not clipped at the bottom edge"],
)
CORPUS += [
    _right("avg_pool_backward_naive", "tap by tap, strided slices of the padded dx", avg_bwd_taps),
]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_forward


def bn_fwd(x, gamma, beta, bn_param, bug=None):
    """Statistics over axes (0, 2, 3) with keepdims; gamma and beta reshaped to (1, C, 1, 1)."""
    N, C, H, W = x.shape
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    if bug == "eps hard-coded to 1e-5, bn_param's ignored":
        eps = 1e-5
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get(
        "running_var", np.zeros(C) if bug == "running_var starts at zeros when absent" else np.ones(C)
    )
    if bug == "gamma and beta indexed [None, :, None, None]":
        g, b = gamma[None, :, None, None], beta[None, :, None, None]
    else:
        g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    if mode == "train" or bug == "test mode normalizes with the batch statistics":
        mean = x.mean(axis=(0, 2, 3), keepdims=True)
        var = x.var(axis=(0, 2, 3), keepdims=True)
    else:
        mean = running_mean.reshape(1, C, 1, 1)
        var = running_var.reshape(1, C, 1, 1)
    if mode == "train":
        batch_mean, batch_var = mean.reshape(C), var.reshape(C)
        if bug == "running_var updated with the unbiased variance (M / (M - 1))":
            M = N * H * W
            batch_var = batch_var * M / (M - 1)
        if bug == "momentum the PyTorch way round: m * batch + (1 - m) * running":
            running_mean = momentum * batch_mean + (1 - momentum) * running_mean
            running_var = momentum * batch_var + (1 - momentum) * running_var
        else:
            running_mean = momentum * running_mean + (1 - momentum) * batch_mean
            running_var = momentum * running_var + (1 - momentum) * batch_var
        if bug != "running statistics kept in local variables, not stored in bn_param":
            bn_param["running_mean"] = running_mean
            bn_param["running_var"] = running_var
    if bug == "eps outside the square root":
        inv_std = 1.0 / (np.sqrt(var) + eps)
    else:
        inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean) * inv_std
    out = g * xhat + b
    return out, (xhat, inv_std.reshape(C), gamma, beta.shape, mode)


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd,
    [
        "momentum the PyTorch way round: m * batch + (1 - m) * running",
        "running_var updated with the unbiased variance (M / (M - 1))",
        "eps outside the square root",
        "running statistics kept in local variables, not stored in bn_param",
        "test mode normalizes with the batch statistics",
        "gamma and beta indexed [None, :, None, None]",
        "running_var starts at zeros when absent",
        "eps hard-coded to 1e-5, bn_param's ignored",
    ],
)


def _fc_batchnorm(x, gamma, beta, bn_param):
    """The student's fully connected batch norm from the earlier assignment: x (M, D)."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.ones(D))
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        mu, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, inv_std)


def bn_fwd_rows(x, gamma, beta, bn_param, bug=None):
    """CS231n style: the fully connected batch norm on the (N*H*W, C) matrix of rows."""
    N, C, H, W = x.shape
    if bug == "x.reshape(-1, C) without the transpose":
        rows = x.reshape(-1, C)
    else:
        rows = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out_rows, (xhat_rows, inv_std) = _fc_batchnorm(rows, gamma.reshape(C), beta.reshape(C), bn_param)
    if bug in ("x.reshape(-1, C) without the transpose", "the rows reshaped straight back to (N, C, H, W)"):
        out = out_rows.reshape(N, C, H, W)
        xhat = xhat_rows.reshape(N, C, H, W)
    else:
        out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
        xhat = xhat_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, (xhat, inv_std, gamma, beta.shape, bn_param["mode"])


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd_rows,
    ["x.reshape(-1, C) without the transpose", "the rows reshaped straight back to (N, C, H, W)"],
)


def bn_fwd_loop(x, gamma, beta, bn_param, bug=None):
    """One channel at a time; the running statistics updated in place (setdefault)."""
    N, C, H, W = x.shape
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.9)
    running_mean = bn_param.setdefault("running_mean", np.zeros(C))
    running_var = bn_param.setdefault("running_var", np.ones(C))
    g, b = gamma.ravel(), beta.ravel()
    out = np.empty_like(x)
    xhat = np.empty_like(x)
    inv_std = np.empty(C)
    for c in range(C):
        xc = x[:, c]
        if mode == "train":
            mu = xc.mean()
            var = ((xc - mu) ** 2).mean()
            running_mean[c] = m * running_mean[c] + (1 - m) * mu
            running_var[c] = m * running_var[c] + (1 - m) * var
        else:
            mu, var = running_mean[c], running_var[c]
        if mode == "test" and bug == "test mode divides by running_var + eps (no square root)":
            inv_std[c] = 1.0 / (var + eps)
        else:
            inv_std[c] = 1.0 / np.sqrt(var + eps)
        xhat[:, c] = (xc - mu) * inv_std[c]
        out[:, c] = g[c] * xhat[:, c] + b[c]
    return out, (xhat, inv_std, gamma, beta.shape, mode)


CORPUS += _rows("spatial_batchnorm_forward", bn_fwd_loop, ["test mode divides by running_var + eps (no square root)"])
CORPUS += [
    _right("spatial_batchnorm_forward", "a loop over channels, running statistics updated in place", bn_fwd_loop),
]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_backward (train mode; the cache (xhat, inv_std, gamma, beta.shape, mode))


def bn_bwd(dout, cache, bug=None):
    """The compact form: dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N if bug == "M = N, as in the fully connected layer" else N * H * W
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    if bug == "gamma left out: dxhat = dout":
        dxhat = dout
    else:
        dxhat = dout * gamma.reshape(1, C, 1, 1)
    if bug == "mean(dxhat) without keepdims":
        mean_dxhat = dxhat.sum(axis=(0, 2, 3)) / M
    else:
        mean_dxhat = dxhat.sum(axis=(0, 2, 3), keepdims=True) / M
    mean_dxhat_xhat = (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True) / M
    if bug == "the xhat * mean(dxhat * xhat) term left out":
        mean_dxhat_xhat = 0
    dx = dxhat - mean_dxhat - xhat * mean_dxhat_xhat
    if bug == "divided by inv_std instead of multiplied":
        dx = dx / inv_std.reshape(1, C, 1, 1)
    else:
        dx = dx * inv_std.reshape(1, C, 1, 1)
    if bug == "dgamma and dbeta returned as (C,) whatever gamma's shape":
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd,
    [
        "M = N, as in the fully connected layer",
        "gamma left out: dxhat = dout",
        "mean(dxhat) without keepdims",
        "the xhat * mean(dxhat * xhat) term left out",
        "divided by inv_std instead of multiplied",
        "dgamma and dbeta returned as (C,) whatever gamma's shape",
    ],
)


def bn_fwd_keep_x(x, gamma, beta, bn_param):
    """The student's own forward for the staged backward: it caches x and the batch statistics."""
    N, C, H, W = x.shape
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    if bn_param["mode"] == "train":
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(C)) + (1 - momentum) * mu.ravel()
        bn_param["running_var"] = momentum * bn_param.get("running_var", np.ones(C)) + (1 - momentum) * var.ravel()
    else:
        mu = bn_param["running_mean"].reshape(1, C, 1, 1)
        var = bn_param["running_var"].reshape(1, C, 1, 1)
    xhat = (x - mu) / np.sqrt(var + eps)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (x, mu, var, eps, gamma, beta)


def bn_bwd_staged(dout, cache, bug=None):
    """CS231n's staged graph: dxhat, dvar, dmu, then the three paths into dx."""
    x, mu, var, eps, gamma, beta = cache
    N, C, H, W = x.shape
    M = N * H * W
    axes = (0, 2, 3)
    xmu = x - mu
    ivar = 1.0 / np.sqrt(var + eps)
    xhat = xmu * ivar
    dbeta = dout.sum(axis=axes).reshape(beta.shape)
    dgamma = (dout * xhat).sum(axis=axes).reshape(gamma.shape)
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    if bug == "dvar without the 1/2 of the power rule":
        dvar = np.sum(dxhat * xmu, axis=axes, keepdims=True) * -((var + eps) ** -1.5)
    else:
        dvar = np.sum(dxhat * xmu, axis=axes, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = np.sum(-dxhat * ivar, axis=axes, keepdims=True) + dvar * np.mean(-2.0 * xmu, axis=axes, keepdims=True)
    if bug == "xhat for x - mu in the variance path: dvar * 2 * xhat / M":
        dx = dxhat * ivar + dvar * 2.0 * xhat / M + dmu / M
    elif bug == "the dmu / M path left out":
        dx = dxhat * ivar + dvar * 2.0 * xmu / M
    else:
        dx = dxhat * ivar + dvar * 2.0 * xmu / M + dmu / M
    return dx, dgamma, dbeta


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_staged,
    [
        "dvar without the 1/2 of the power rule",
        "xhat for x - mu in the variance path: dvar * 2 * xhat / M",
        "the dmu / M path left out",
    ],
    forward=bn_fwd_keep_x,
)


def bn_bwd_rows(dout, cache, bug=None):
    """CS231n's one-line fully connected backward on the (N*H*W, C) rows."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N * H * W
    d = dout.transpose(0, 2, 3, 1).reshape(-1, C)
    xh = xhat.transpose(0, 2, 3, 1).reshape(-1, C)
    g = gamma.reshape(C)
    dbeta = d.sum(axis=0)
    dgamma = (d * xh).sum(axis=0)
    dx_rows = (g * inv_std / M) * (M * d - dbeta - xh * dgamma)
    if bug == "dx rows reshaped straight to (N, C, H, W)":
        dx = dx_rows.reshape(N, C, H, W)
    else:
        dx = dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows("spatial_batchnorm_backward", bn_bwd_rows, ["dx rows reshaped straight to (N, C, H, W)"])
CORPUS += [
    _right("spatial_batchnorm_backward", "CS231n's one-line backward on the (N*H*W, C) rows", bn_bwd_rows),
]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_forward


def gn_fwd(x, gamma, beta, G, gn_param, bug=None):
    """The lesson's idea: x.reshape(N, G, -1), statistics along axis 2."""
    N, C, H, W = x.shape
    eps = 1e-5 if bug == "eps hard-coded to 1e-5, gn_param's ignored" else gn_param.get("eps", 1e-5)
    if bug == "channels grouped by stride: reshape(N, C // G, G, H, W), statistics over axes (1, 3, 4)":
        x5 = x.reshape(N, C // G, G, H, W)
        mean = x5.mean(axis=(1, 3, 4), keepdims=True)
        var = x5.var(axis=(1, 3, 4), keepdims=True)
        inv_std = 1.0 / np.sqrt(var + eps)
        xhat = ((x5 - mean) * inv_std).reshape(N, C, H, W)
    else:
        if bug == "reshape(N, C // G, -1): the group size for the number of groups":
            xg = x.reshape(N, C // G, -1)
        else:
            xg = x.reshape(N, G, -1)
        if bug == "statistics over the batch too: axes (0, 2)":
            mean = xg.mean(axis=(0, 2), keepdims=True)
            var = xg.var(axis=(0, 2), keepdims=True)
        else:
            mean = xg.mean(axis=2, keepdims=True)
            var = xg.var(axis=2, keepdims=True)
        if bug == "eps outside the square root":
            inv_std = 1.0 / (np.sqrt(var) + eps)
        else:
            inv_std = 1.0 / np.sqrt(var + eps)
        xhat = ((xg - mean) * inv_std).reshape(N, C, H, W)
    if bug == "gamma and beta indexed [None, :, None, None]":
        g, b = gamma[None, :, None, None], beta[None, :, None, None]
    else:
        g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    out = g * xhat + b
    return out, (xhat, inv_std, gamma, beta.shape, G)


CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd,
    [
        "reshape(N, C // G, -1): the group size for the number of groups",
        "channels grouped by stride: reshape(N, C // G, G, H, W), statistics over axes (1, 3, 4)",
        "statistics over the batch too: axes (0, 2)",
        "eps outside the square root",
        "eps hard-coded to 1e-5, gn_param's ignored",
        "gamma and beta indexed [None, :, None, None]",
    ],
)


def gn_fwd_loop(x, gamma, beta, G, gn_param):
    """A loop over samples and groups, each block of C/G channels normalized with np.std."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    Cg = C // G
    g, b = gamma.reshape(C), beta.reshape(C)
    out = np.empty_like(x)
    xhat = np.empty_like(x)
    inv_std = np.empty((N, G, 1))
    for n in range(N):
        for k in range(G):
            chans = slice(k * Cg, (k + 1) * Cg)
            block = x[n, chans]
            inv_std[n, k, 0] = 1.0 / np.sqrt(np.std(block) ** 2 + eps)
            xhat[n, chans] = (block - block.mean()) * inv_std[n, k, 0]
            out[n, chans] = g[chans, None, None] * xhat[n, chans] + b[chans, None, None]
    return out, (xhat, inv_std, gamma, beta.shape, G)


CORPUS += [
    _right("spatial_groupnorm_forward", "a loop over samples and groups, np.std of each block", gn_fwd_loop),
]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_backward (the cache (xhat, inv_std, gamma, beta.shape, G))


def gn_bwd(dout, cache, bug=None):
    """The compact form on the (N, G, K) view of dxhat = dout * gamma."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    K = H * W if bug == "K = H * W: the group's channels not counted" else C // G * H * W
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    if bug == "gamma pulled out of the means (batch norm's shortcut)":
        d = dout.reshape(N, G, -1)
    else:
        d = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = xhat.reshape(N, G, -1)
    mean_d = d.sum(axis=2, keepdims=True) / K
    mean_dx = (d * xh).sum(axis=2, keepdims=True) / K
    if bug == "the xhat * mean(dxhat * xhat) term left out":
        mean_dx = 0
    dx = ((d - mean_d - xh * mean_dx) * inv_std).reshape(N, C, H, W)
    if bug == "gamma pulled out of the means (batch norm's shortcut)":
        dx = dx * gamma.reshape(1, C, 1, 1)
    if bug == "dgamma and dbeta returned as (C,) whatever gamma's shape":
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def gn_bwd_bn_means(dout, cache):
    """Batch norm's backward reused: the means taken per channel over (N, H, W)."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    inv = np.repeat(inv_std, C // G, axis=1)[..., None]  # (N, C, 1, 1)
    mean_d = dxhat.mean(axis=(0, 2, 3), keepdims=True)
    mean_dx = (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
    dx = (dxhat - mean_d - xhat * mean_dx) * inv
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd,
    [
        "gamma pulled out of the means (batch norm's shortcut)",
        "K = H * W: the group's channels not counted",
        "the xhat * mean(dxhat * xhat) term left out",
        "dgamma and dbeta returned as (C,) whatever gamma's shape",
    ],
)
CORPUS += [
    (
        "spatial_groupnorm_backward",
        "the means per channel over (N, H, W), as in batch norm",
        gn_bwd_bn_means,
        None,
        False,
    ),
]


def gn_fwd_keep_x(x, gamma, beta, G, gn_param):
    """The student's own forward for the staged backward: it caches x and the group statistics."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    xhat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (x, mu, var, eps, gamma, beta, G)


def gn_bwd_staged(dout, cache, bug=None):
    """The staged graph of batch norm, on the (N, G, K) view."""
    x, mu, var, eps, gamma, beta, G = cache
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    K = xg.shape[2]
    xmu = xg - mu
    ivar = 1.0 / np.sqrt(var + eps)
    xhat = (xmu * ivar).reshape(N, C, H, W)
    dbeta = dout.sum(axis=(0, 2, 3)).reshape(beta.shape)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(gamma.shape)
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    if bug == "np.mean for np.sum in dvar":
        dvar = np.mean(dxhat * xmu, axis=2, keepdims=True) * -0.5 * (var + eps) ** -1.5
    else:
        dvar = np.sum(dxhat * xmu, axis=2, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = np.sum(-dxhat * ivar, axis=2, keepdims=True) + dvar * np.mean(-2.0 * xmu, axis=2, keepdims=True)
    dx = dxhat * ivar + dvar * 2.0 * xmu / K + dmu / K
    return dx.reshape(N, C, H, W), dgamma, dbeta


def gn_bwd_jacobian(dout, cache):
    """Each set's Jacobian written out, (I - 1/K - xhat xhat^T / K) / std, applied with einsum."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = xhat.reshape(N, G, -1)
    K = xh.shape[2]
    J = (np.eye(K) - 1.0 / K - np.einsum("ngi,ngj->ngij", xh, xh) / K) * inv_std[..., None]  # (N, G, K, K)
    dx = np.einsum("ngij,ngi->ngj", J, dxhat).reshape(N, C, H, W)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = np.einsum("nchw,nchw->c", dout, xhat)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows("spatial_groupnorm_backward", gn_bwd_staged, ["np.mean for np.sum in dvar"], forward=gn_fwd_keep_x)
CORPUS += [
    _right("spatial_groupnorm_backward", "each set's Jacobian written out, applied with einsum", gn_bwd_jacobian),
]
