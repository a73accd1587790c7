"""A fourteenth held-out corpus of student mistakes, pooling and normalization half, written blind.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``tests/mistake_corpus_fourth.py`` and after), to measure how often ``exercises.check``
names a mistake it was never tuned to. This half covers lessons 4 to 6: ``max_pool_forward_naive``,
``max_pool_backward_naive``, ``avg_pool_forward_naive``, ``avg_pool_backward_naive``,
``spatial_batchnorm_forward``, ``spatial_batchnorm_backward``, ``spatial_groupnorm_forward`` and
``spatial_groupnorm_backward``; the convolution half is written separately.

The student played: a lab section doing the assignment for the first time under time pressure,
each row one submitted function with its one remaining bug. They write in several styles: the
stubs' loops, a window view (``sliding_window_view``), masks with keepdims over (N, C) at once,
argmax + ``unravel_index`` with one ``np.add.at``, taps as strided slices, the (N*H*W, C) rows of
lesson 5, the compact and the staged (CS231n) batch-norm backward, five-dimensional group views and
loops over groups; with CS231n and PyTorch habits (an int stride, momentum as the new value's
weight, the unbiased variance, ``torch.var``'s ddof, the fully connected N) and some Python before
NumPy (inclusive range ends, ``//``, integer arrays, ``[p:-p]`` slices, ``np.pad``'s broadcast pad
widths, fancy-index ``+=`` with repeats). The mistakes are the ones that survive to submission most
often, roughly in that proportion: ``=`` for ``+=``, a stride or an offset forgotten, a (h, w)
pair mixed up, ties, padding and ``count_include_pad``, the running statistics and momentum, a
term of the backward left out, the group-norm gamma trap, shapes of dgamma and dbeta.

``forward`` is None where the backward reads cnnlab's cache format (pooling ``(x, pool_param)``;
batch norm ``(xhat, inv_std, gamma, beta.shape, mode)``; group norm ``(xhat, inv_std, gamma,
beta.shape, G)``, as the lessons' docstrings suggest), or the student's own correct forward where a
staged backward relies on a cache of its own (x and the statistics). Batch norm's backward is run
in train mode only, as lesson 5 says.

How it was written: blind to the checker. From the student edition of lessons 4, 5 and 6
(explanations, stubs, docstrings), ``cnnlab/layers``, ``cnnlab/shapes.py``, ``cnnlab/geometry.py``
and ``cnnlab/cases.py``, and, for the format only, the docstring and first helper of
``tests/mistake_corpus_fourth.py`` and the verify machinery (``tests/corpus_verify.py``,
``tests/verify_mistake_corpus_fourth.py``). Not read: ``cnnlab/exercises/``,
``tests/student_impls.py``, ``tests/test_exercises.py``, ``tests/test_crashes.py``, the other
corpora, the git log; the check was not run on any row. Every row was verified against cnnlab's
reference implementations only, by ``tests/verify_mistake_corpus_fourteenth_rest.py``: each wrong
row differs from the reference (a value, a shape, or an exception) on at least one input, each
right row matches it to a relative error below 1e-8 on every input, and every helper with
bug=None is right, so each wrong row holds one mistake.

76 rows: 66 wrong and 10 right (correct implementations in other styles, to catch false FAILs).
Wrong / right per exercise: max_pool_forward_naive 7 / 1, max_pool_backward_naive 10 / 2,
avg_pool_forward_naive 7 / 1, avg_pool_backward_naive 8 / 1, spatial_batchnorm_forward 11 / 1,
spatial_batchnorm_backward 10 / 2, spatial_groupnorm_forward 7 / 1, spatial_groupnorm_backward
6 / 1.
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
    """A right row: a helper of its own style with bug=None."""
    return [(exercise, label, _b(fn, None), forward, True)]


CORPUS = []

# ---------------------------------------------------------------------------------------------
# max_pool_forward_naive


def max_fwd(x, pool_param, bug=None):
    """The stub's four loops, the window sliced out of x."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "blocks of PH x PW by a reshape (only right when stride = pool size)":
        blocks = x.reshape(N, C, H // PH, PH, W // PW, PW)
        return blocks.max(axis=(3, 5)), (x, pool_param)
    if bug == "stride read from pool_param as one int, CS231n style":
        sh = sw = pool_param["stride"]
    if bug == "the row stride used for the columns too":
        sw = sh
    dtype = int if bug == "out allocated as integers (np.zeros(..., dtype=int))" else x.dtype
    out = np.zeros((N, C, Ho, Wo), dtype=dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    top, left = i * sh, j * sw
                    if bug == "window start i, j (the stride left out)":
                        top, left = i, j
                    bottom, right = top + PH, left + PW
                    if bug == "pool_height used for the window's width too":
                        right = left + PH
                    if bug == "window end one short (an inclusive end, top + PH - 1)":
                        bottom, right = bottom - 1, right - 1
                    out[n, c, i, j] = np.max(x[n, c, top:bottom, left:right])
    return out, (x, pool_param)


def max_fwd_view(x, pool_param, bug=None):
    """Vectorized: every PH x PW window as a view, every stride-th one kept."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))  # (N, C, H - PH + 1, W - PW + 1, PH, PW)
    view = view[:, :, ::sh, ::sw]
    return view.max(axis=(-2, -1)), (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd,
    [
        "window start i, j (the stride left out)",
        "pool_height used for the window's width too",
        "the row stride used for the columns too",
        "stride read from pool_param as one int, CS231n style",
        "window end one short (an inclusive end, top + PH - 1)",
        "blocks of PH x PW by a reshape (only right when stride = pool size)",
        "out allocated as integers (np.zeros(..., dtype=int))",
    ],
)
CORPUS += _right(
    "max_pool_forward_naive", "sliding_window_view, every stride-th window, max over the taps", max_fwd_view
)

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive


def max_bwd(dout, cache, bug=None):
    """The lesson's recipe: argmax of the window, unravel_index, dx[...] += dout."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    k = np.argmax(window)
                    if bug == "unravel_index with x's (H, W), not the window's shape":
                        p, q = np.unravel_index(k, (H, W))
                    elif bug == "unravel_index with (PW, PH)":
                        p, q = np.unravel_index(k, (PW, PH))
                    else:
                        p, q = np.unravel_index(k, window.shape)
                    g = dout[n, c, i, j]
                    if bug == "dx[...] = dout (assigned, not added)":
                        dx[n, c, i * sh + p, j * sw + q] = g
                    elif bug == "the window's offset left out: dx[n, c, p, q]":
                        dx[n, c, p, q] += g
                    elif bug == "offset i + p, j + q (the stride forgotten)":
                        dx[n, c, i + p, j + q] += g
                    else:
                        dx[n, c, i * sh + p, j * sw + q] += g
    return dx


def max_bwd_mask(dout, cache, bug=None):
    """CS231n style: loops over the windows only, a mask over (N, C) at once with keepdims;
    ties broken by keeping the first True of each mask (a cumsum in row-major order)."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
            window = x[:, :, rows, cols]  # (N, C, PH, PW)
            if bug == "max taken without keepdims (window == max broadcasts wrongly)":
                mask = window == window.max(axis=(2, 3))
            else:
                mask = window == window.max(axis=(2, 3), keepdims=True)
            if bug == "every tied maximum gets the gradient (the == max mask kept as is)":
                pass
            elif bug == "the gradient split evenly among tied maxima":
                mask = mask / mask.sum(axis=(2, 3), keepdims=True)
            else:
                first = mask.reshape(N, C, -1).cumsum(axis=2).reshape(mask.shape) == 1
                mask = mask & first
            dx[:, :, rows, cols] += mask * dout[:, :, i, j][:, :, None, None]
    return dx


def max_bwd_addat(dout, cache, bug=None):
    """Vectorized: argmax over every window's taps, unravel_index, one np.add.at on a flat dx."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    k = view.reshape(N, C, Ho, Wo, PH * PW).argmax(axis=-1)  # (N, C, Ho, Wo): the first maximum
    p, q = np.unravel_index(k, (PH, PW))
    rows = np.arange(Ho)[:, None] * sh + p  # (N, C, Ho, Wo)
    cols = np.arange(Wo)[None, :] * sw + q
    n = np.arange(N)[:, None, None, None]
    c = np.arange(C)[None, :, None, None]
    if bug == "flat index (n*C + c)*H + row, times H (not W) + col":
        flat = ((n * C + c) * H + rows) * H + cols
    else:
        flat = ((n * C + c) * H + rows) * W + cols
    dx = np.zeros(N * C * H * W)
    if bug == "dx.flat[idx] += dout by fancy indexing (a repeated winner counted once)":
        dx[flat] += dout
    else:
        np.add.at(dx, flat, dout)
    return dx.reshape(N, C, H, W)


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd,
    [
        "dx[...] = dout (assigned, not added)",
        "unravel_index with x's (H, W), not the window's shape",
        "unravel_index with (PW, PH)",
        "the window's offset left out: dx[n, c, p, q]",
        "offset i + p, j + q (the stride forgotten)",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_mask,
    [
        "every tied maximum gets the gradient (the == max mask kept as is)",
        "the gradient split evenly among tied maxima",
        "max taken without keepdims (window == max broadcasts wrongly)",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_addat,
    [
        "dx.flat[idx] += dout by fancy indexing (a repeated winner counted once)",
        "flat index (n*C + c)*H + row, times H (not W) + col",
    ],
)
CORPUS += _right("max_pool_backward_naive", "argmax of all windows at once, np.add.at on a flat dx", max_bwd_addat)
CORPUS += _right("max_pool_backward_naive", "a mask per window over (N, C), first True kept by a cumsum", max_bwd_mask)

# ---------------------------------------------------------------------------------------------
# avg_pool_forward_naive


def _pad_hw(a, ph, pw):
    """Zeros around the last two axes of a."""
    return np.pad(a, [(0, 0)] * (a.ndim - 2) + [(ph, ph), (pw, pw)])


def avg_fwd(x, pool_param, bug=None):
    """The stub's loops over a padded copy of x; the real pixels counted on a padded array of ones."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "np.pad(x, (ph, pw)): every axis padded, ph before and pw after":
        xpad = np.pad(x, (ph, pw))
    elif bug == "x never padded (the windows read x from its corner)":
        xpad = x
    else:
        xpad = _pad_hw(x, ph, pw)
    ones = _pad_hw(np.ones((H, W)), ph, pw)  # 1 on x, 0 on the padding
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    top, left = i * sh, j * sw
                    window = xpad[n, c, top : top + PH, left : left + PW]
                    real = ones[top : top + PH, left : left + PW].sum()
                    if bug == "real pixels counted by np.count_nonzero(window)":
                        real = np.count_nonzero(window)
                    elif bug == "real pixels clipped against H and W, not H + ph and W + pw (padded coordinates)":
                        real = (min(top + PH, H) - max(top, ph)) * (min(left + PW, W) - max(left, pw))
                    if bug == "count_include_pad ignored (always PH * PW)":
                        count = PH * PW
                    elif bug == "count_include_pad read the wrong way round":
                        count = real if count_include_pad else PH * PW
                    else:
                        count = PH * PW if count_include_pad else real
                    if bug == "window sum // count (floor division)":
                        out[n, c, i, j] = window.sum() // count
                    else:
                        out[n, c, i, j] = window.sum() / count
    return out, (x, pool_param)


def avg_fwd_taps(x, pool_param, bug=None):
    """Vectorized by taps: for each (p, q), one strided slice of every window added at once."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    xpad = _pad_hw(x, ph, pw)
    ones = _pad_hw(np.ones(x.shape[2:]), ph, pw)
    sums = np.zeros(x.shape[:2] + (Ho, Wo))
    real = np.zeros((Ho, Wo))
    for p in range(PH):
        for q in range(PW):
            rows = slice(p, p + sh * (Ho - 1) + 1, sh)
            cols = slice(q, q + sw * (Wo - 1) + 1, sw)
            sums += xpad[:, :, rows, cols]
            real += ones[rows, cols]
    return sums / (PH * PW if count_include_pad else real), (x, pool_param)


CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd,
    [
        "x never padded (the windows read x from its corner)",
        "np.pad(x, (ph, pw)): every axis padded, ph before and pw after",
        "count_include_pad ignored (always PH * PW)",
        "count_include_pad read the wrong way round",
        "real pixels counted by np.count_nonzero(window)",
        "real pixels clipped against H and W, not H + ph and W + pw (padded coordinates)",
        "window sum // count (floor division)",
    ],
)
CORPUS += _right(
    "avg_pool_forward_naive", "a strided slice per tap (p, q), counts from a padded array of ones", avg_fwd_taps
)

# ---------------------------------------------------------------------------------------------
# avg_pool_backward_naive


def avg_bwd(dout, cache, bug=None):
    """The stub's loops: dout / count added to a padded dx, the padding cut off at the end."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "blocks by np.kron(dout, ones) / (PH * PW) (only right when stride = pool size, no pad)":
        return np.kron(dout, np.ones((1, 1, PH, PW))) / (PH * PW)
    ones = _pad_hw(np.ones((H, W)), ph, pw)
    xpad = _pad_hw(x, ph, pw)
    if bug == "windows placed on dx itself, not shifted by the padding":
        dxpad = np.zeros((N, C, H, W))
    else:
        dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    if bug == "count_include_pad ignored (always PH * PW)" or count_include_pad:
                        count = PH * PW
                    elif bug == "real pixels counted by np.count_nonzero of the padded x's window":
                        count = np.count_nonzero(xpad[n, c, rows, cols])
                    else:
                        count = ones[rows, cols].sum()
                    share = dout[n, c, i, j] if bug == "dout not divided by count" else dout[n, c, i, j] / count
                    if bug == "dx[window] = share (assigned, not added)":
                        dxpad[n, c, rows, cols] = share
                    else:
                        dxpad[n, c, rows, cols] += share
    if bug == "the padding never cut off":
        return dxpad
    if bug == "the padding cut off with [ph:-ph, pw:-pw]":
        return dxpad[:, :, ph:-ph, pw:-pw]
    if bug == "windows placed on dx itself, not shifted by the padding":
        return dxpad
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_bwd_taps(dout, cache, bug=None):
    """Vectorized by taps: each (p, q) adds every window's share to one strided slice of dxpad."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    ones = _pad_hw(np.ones((H, W)), ph, pw)
    real = np.zeros((Ho, Wo))
    taps = [
        (slice(p, p + sh * (Ho - 1) + 1, sh), slice(q, q + sw * (Wo - 1) + 1, sw)) for p in range(PH) for q in range(PW)
    ]
    for rows, cols in taps:
        real += ones[rows, cols]
    share = dout / (PH * PW if count_include_pad else real)
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for rows, cols in taps:
        dxpad[:, :, rows, cols] += share
    return dxpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd,
    [
        "dx[window] = share (assigned, not added)",
        "dout not divided by count",
        "count_include_pad ignored (always PH * PW)",
        "real pixels counted by np.count_nonzero of the padded x's window",
        "the padding never cut off",
        "the padding cut off with [ph:-ph, pw:-pw]",
        "windows placed on dx itself, not shifted by the padding",
        "blocks by np.kron(dout, ones) / (PH * PW) (only right when stride = pool size, no pad)",
    ],
)
CORPUS += _right("avg_pool_backward_naive", "shares added to one strided slice of dxpad per tap", avg_bwd_taps)

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_forward


def bn_fwd(x, gamma, beta, bn_param, bug=None):
    """Statistics over axes (0, 2, 3) as (C,) vectors, reshaped to (1, C, 1, 1) to broadcast."""
    N, C, H, W = x.shape
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.1 if bug == "momentum defaults to PyTorch's 0.1" else 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    batch_mean = x.mean(axis=(0, 2, 3))
    batch_var = x.var(axis=(0, 2, 3))
    if bug == "running statistics updated in both modes (the update outside the if)":
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * batch_mean
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * batch_var
    if mode == "train" or bug == "test mode normalizes with the batch's statistics too":
        mean, var = batch_mean, batch_var
    else:
        mean, var = running_mean, running_var
    if mode == "train":
        if bug == "momentum used the PyTorch way round (the weight of the new value)":
            new_mean = (1 - momentum) * running_mean + momentum * batch_mean
            new_var = (1 - momentum) * running_var + momentum * batch_var
        elif bug == "running_var updated with the unbiased variance (ddof=1), as PyTorch":
            new_mean = momentum * running_mean + (1 - momentum) * batch_mean
            new_var = momentum * running_var + (1 - momentum) * x.var(axis=(0, 2, 3), ddof=1)
        else:
            new_mean = momentum * running_mean + (1 - momentum) * batch_mean
            new_var = momentum * running_var + (1 - momentum) * batch_var
        if bug == "running statistics updated in place; the defaults never stored in bn_param":
            running_mean *= momentum
            running_mean += (1 - momentum) * batch_mean
            running_var *= momentum
            running_var += (1 - momentum) * batch_var
        elif bug != "running statistics computed but never stored back in bn_param":
            bn_param["running_mean"] = new_mean
            bn_param["running_var"] = new_var
    if bug == "eps added to the standard deviation, not the variance":
        inv_std = 1.0 / (np.sqrt(var) + eps)
    else:
        inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean.reshape(1, C, 1, 1)) * inv_std.reshape(1, C, 1, 1)
    if bug == "gamma[None, :, None, None] (only right for gamma of shape (C,))":
        out = gamma[None, :, None, None] * xhat + beta[None, :, None, None]
    else:
        out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, mode)


def bn_fwd_rows(x, gamma, beta, bn_param, bug=None):
    """Lesson 5's other view: fully connected batch norm on the (N*H*W, C) matrix of rows."""
    N, C, H, W = x.shape
    if bug == "x.reshape(-1, C) without moving C last (and back the same way)":
        rows = x.reshape(-1, C)
    else:
        rows = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C)
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    running_mean = bn_param.setdefault("running_mean", np.zeros(C))
    running_var = bn_param.setdefault("running_var", np.ones(C))
    if bn_param["mode"] == "train":
        mu = rows.mean(axis=0)
        var = rows.var(axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        mu, var = running_mean, running_var
    std = np.sqrt(var + eps)
    xhat_rows = (rows - mu) / std
    out_rows = gamma.reshape(C) * xhat_rows + beta.reshape(C)
    if bug == "x.reshape(-1, C) without moving C last (and back the same way)":
        out = out_rows.reshape(N, C, H, W)
        xhat = xhat_rows.reshape(N, C, H, W)
    else:
        out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
        xhat = xhat_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, (xhat, 1.0 / std, gamma, beta.shape, bn_param["mode"])


def bn_fwd_keep(x, gamma, beta, bn_param, bug=None):
    """CS231n's staged forward with keepdims; its cache keeps x and the statistics, for a staged backward."""
    N, C, H, W = x.shape
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    axes = 0 if bug == "statistics per position, over axis 0 only (fully connected habit)" else (0, 2, 3)
    if bn_param["mode"] == "train":
        mean = x.mean(axis=axes, keepdims=True)  # (1, C, 1, 1)
        var = x.var(axis=axes, keepdims=True)
        rm = bn_param.get("running_mean", np.zeros(C))
        rv = bn_param.get("running_var", np.ones(C))
        bn_param["running_mean"] = momentum * rm + (1 - momentum) * mean.ravel()
        bn_param["running_var"] = momentum * rv + (1 - momentum) * var.ravel()
    else:
        mean = bn_param["running_mean"].reshape(1, C, 1, 1)
        var = bn_param["running_var"].reshape(1, C, 1, 1)
    xmu = x - mean
    std = np.sqrt(var + eps)
    out = gamma.reshape(1, C, 1, 1) * (xmu / std) + beta.reshape(1, C, 1, 1)
    return out, (x, mean, var, eps, gamma, beta.shape)


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd,
    [
        "momentum used the PyTorch way round (the weight of the new value)",
        "momentum defaults to PyTorch's 0.1",
        "running_var updated with the unbiased variance (ddof=1), as PyTorch",
        "running statistics computed but never stored back in bn_param",
        "running statistics updated in place; the defaults never stored in bn_param",
        "test mode normalizes with the batch's statistics too",
        "running statistics updated in both modes (the update outside the if)",
        "eps added to the standard deviation, not the variance",
        "gamma[None, :, None, None] (only right for gamma of shape (C,))",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_forward", bn_fwd_rows, ["x.reshape(-1, C) without moving C last (and back the same way)"]
)
CORPUS += _rows(
    "spatial_batchnorm_forward", bn_fwd_keep, ["statistics per position, over axis 0 only (fully connected habit)"]
)
CORPUS += _right("spatial_batchnorm_forward", "batch norm on the (N*H*W, C) rows, bn_param.setdefault", bn_fwd_rows)

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_backward


def bn_bwd(dout, cache, bug=None):
    """The compact form of lesson 5 on the suggested cache, means with keepdims per channel."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    axes = (0, 2, 3)
    s = inv_std.reshape(1, C, 1, 1)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    if bug == "gamma left out of dx (dxhat = dout)":
        dxhat = dout
    else:
        dxhat = dout * gamma.reshape(1, C, 1, 1)
    if mode == "test":
        dx = dxhat * s
    else:
        if bug == "the means taken over the whole array, not per channel":
            mean_dxhat, mean_dxhat_xhat = dxhat.mean(), (dxhat * xhat).mean()
        else:
            mean_dxhat = dxhat.mean(axis=axes, keepdims=True)
            mean_dxhat_xhat = (dxhat * xhat).mean(axis=axes, keepdims=True)
        if bug == "the mean(dxhat) term left out":
            dx = (dxhat - xhat * mean_dxhat_xhat) * s
        elif bug == "the xhat * mean(dxhat * xhat) term left out":
            dx = (dxhat - mean_dxhat) * s
        else:
            dx = (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) * s
    if bug == "dgamma, dbeta returned as (C,) whatever shape gamma had":
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_rows(dout, cache, bug=None):
    """CS231n's one-line batchnorm_backward_alt on the (N*H*W, C) rows, moved back to NCHW."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    d = dout.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C)
    xh = xhat.transpose(0, 2, 3, 1).reshape(-1, C)
    M = N if bug == "N (the batch size) where the rows number N*H*W" else d.shape[0]
    dbeta = d.sum(axis=0)
    dgamma = (d * xh).sum(axis=0)
    dx_rows = gamma.reshape(C) * inv_std / M * (M * d - dbeta - xh * dgamma)
    if bug == "dx rows put back with reshape(N, C, H, W), no transpose":
        dx = dx_rows.reshape(N, C, H, W)
    else:
        dx = dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_staged(dout, cache, bug=None):
    """CS231n's staged backward through the graph (dvar, dmu, dx), on bn_fwd_keep's cache."""
    x, mean, var, eps, gamma, beta_shape = cache
    N, C, H, W = x.shape
    M = N * H * W
    axes = (0, 2, 3)
    xmu = x - mean
    std = np.sqrt(var + eps)
    xhat = xmu / std
    dbeta = dout.sum(axis=axes)
    if bug == "dgamma summed from dout * x, not dout * xhat":
        dgamma = (dout * x).sum(axis=axes)
    else:
        dgamma = (dout * xhat).sum(axis=axes)
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    dvar = (dxhat * xmu).sum(axis=axes, keepdims=True) * -0.5 * (var + eps) ** -1.5
    if bug == "dvar's minus sign dropped (0.5 * (var + eps) ** -1.5)":
        dvar = -dvar
    dmu = (-dxhat / std).sum(axis=axes, keepdims=True) + dvar * (-2 * xmu).mean(axis=axes, keepdims=True)
    if bug == "the path through the mean left out (no dmu / M in dx)":
        dx = dxhat / std + dvar * 2 * xmu / M
    else:
        dx = dxhat / std + dvar * 2 * xmu / M + dmu / M
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


BN_STAGED_FORWARD = partial(bn_fwd_keep, bug=None)  # the staged backward's own forward

CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd,
    [
        "gamma left out of dx (dxhat = dout)",
        "the mean(dxhat) term left out",
        "the xhat * mean(dxhat * xhat) term left out",
        "the means taken over the whole array, not per channel",
        "dgamma, dbeta returned as (C,) whatever shape gamma had",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_rows,
    ["N (the batch size) where the rows number N*H*W", "dx rows put back with reshape(N, C, H, W), no transpose"],
)
CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_staged,
    [
        "dgamma summed from dout * x, not dout * xhat",
        "dvar's minus sign dropped (0.5 * (var + eps) ** -1.5)",
        "the path through the mean left out (no dmu / M in dx)",
    ],
    forward=BN_STAGED_FORWARD,
)
CORPUS += _right("spatial_batchnorm_backward", "CS231n's one-liner on the (N*H*W, C) rows", bn_bwd_rows)
CORPUS += _right(
    "spatial_batchnorm_backward",
    "staged through dvar and dmu, on its own forward's cache of x and the statistics",
    bn_bwd_staged,
    forward=BN_STAGED_FORWARD,
)

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_forward


def gn_fwd(x, gamma, beta, G, gn_param, bug=None):
    """The lesson's one idea: x.reshape(N, G, -1), statistics along axis 2, reshape back."""
    N, C, H, W = x.shape
    eps = gn_param["eps"] if bug == "gn_param['eps'] read without a default" else gn_param.get("eps", 1e-5)
    if bug == "G ignored: statistics over (C, H, W) of each sample (layer norm)":
        xg = x.reshape(N, 1, -1)
    else:
        xg = x.reshape(N, G, -1)  # (N, G, C/G*H*W)
    keep = bug != "keepdims forgotten on the group statistics"
    mean = xg.mean(axis=2, keepdims=keep)
    if bug == "variance with ddof=1 (torch.var's default)":
        var = xg.var(axis=2, ddof=1, keepdims=True)
    else:
        var = xg.var(axis=2, keepdims=keep)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = ((xg - mean) * inv_std).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


def gn_fwd_5d(x, gamma, beta, G, gn_param, bug=None):
    """A five-dimensional view (N, G, C/G, H, W), statistics over its last three axes."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    if bug == "channels of a group taken every G-th (x.reshape(N, C // G, G, H, W))":
        x5 = x.reshape(N, C // G, G, H, W)
        axes = (1, 3, 4)
    else:
        x5 = x.reshape(N, G, C // G, H, W)
        axes = (2, 3, 4)
    if bug == "axis 2 (the group's channels) left out: statistics per channel":
        axes = (3, 4)
    mean = x5.mean(axis=axes, keepdims=True)
    var = x5.var(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = ((x5 - mean) * inv_std).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std[:, :, :, 0, 0], gamma, beta.shape, G)


def gn_fwd_loop(x, gamma, beta, G, gn_param, bug=None):
    """A loop over the groups, each a slice of consecutive channels x[:, start:stop]."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    size = C // G
    xhat = np.zeros_like(x)
    inv_std = np.zeros((N, G, 1))
    for g in range(G):
        if bug == "group g sliced as channels g*G : (g+1)*G":
            chans = slice(g * G, (g + 1) * G)
        else:
            chans = slice(g * size, (g + 1) * size)
        part = x[:, chans]  # (N, C/G, H, W)
        mean = part.mean(axis=(1, 2, 3), keepdims=True)
        var = part.var(axis=(1, 2, 3), keepdims=True)
        xhat[:, chans] = (part - mean) / np.sqrt(var + eps)
        inv_std[:, g, 0] = 1.0 / np.sqrt(var.ravel() + eps)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd,
    [
        "gn_param['eps'] read without a default",
        "variance with ddof=1 (torch.var's default)",
        "keepdims forgotten on the group statistics",
        "G ignored: statistics over (C, H, W) of each sample (layer norm)",
    ],
)
CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd_5d,
    [
        "channels of a group taken every G-th (x.reshape(N, C // G, G, H, W))",
        "axis 2 (the group's channels) left out: statistics per channel",
    ],
)
CORPUS += _rows("spatial_groupnorm_forward", gn_fwd_loop, ["group g sliced as channels g*G : (g+1)*G"])
CORPUS += _right("spatial_groupnorm_forward", "a loop over the groups, consecutive channel slices", gn_fwd_loop)

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_backward


def gn_bwd(dout, cache, bug=None):
    """Batch norm's compact form, the means along axis 2 of the (N, G, -1) view."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    if bug == "dgamma, dbeta summed over (H, W) only (one per sample and channel)":
        dbeta = dout.sum(axis=(2, 3))
        dgamma = (dout * xhat).sum(axis=(2, 3))
    else:
        dbeta = dout.sum(axis=(0, 2, 3))
        dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    xh = xhat.reshape(N, G, -1)
    if bug == "gamma pulled out of the means (batch norm's shortcut)":
        dy = dout.reshape(N, G, -1)
        inner = dy - dy.mean(axis=2, keepdims=True) - xh * (dy * xh).mean(axis=2, keepdims=True)
        dx = gamma.reshape(1, C, 1, 1) * (inner * inv_std).reshape(N, C, H, W)
        return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    if bug == "dgamma summed from dxhat * xhat (gamma counted twice)":
        dgamma = (dxhat * xh).reshape(N, C, H, W).sum(axis=(0, 2, 3))
    mean_dxhat = dxhat.mean(axis=2, keepdims=True)
    mean_dxhat_xhat = (dxhat * xh).mean(axis=2, keepdims=True)
    if bug == "the xhat * mean(dxhat * xhat) term left out":
        inner = dxhat - mean_dxhat
    else:
        inner = dxhat - mean_dxhat - xh * mean_dxhat_xhat
    if bug == "inv_std reshaped to (N, G, 1, 1) against the (N, C, H, W) gradient":
        dx = inner.reshape(N, C, H, W) * inv_std.reshape(N, G, 1, 1)
    else:
        dx = (inner * inv_std).reshape(N, C, H, W)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def gn_fwd_stats(x, gamma, beta, G, gn_param):
    """The staged backward's own forward: its cache keeps x and the (N, G, 1) statistics."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xg = x.reshape(N, G, -1)
    mean = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    xhat = ((xg - mean) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (x, mean, var, eps, gamma, beta.shape, G)


def gn_bwd_staged(dout, cache, bug=None):
    """CS231n's staged backward (dvar, dmu, dx) per (sample, group), on gn_fwd_stats's cache."""
    x, mean, var, eps, gamma, beta_shape, G = cache
    N, C, H, W = x.shape
    K = H * W if bug == "K = H*W elements per set (the group's C/G channels forgotten)" else C // G * H * W
    xmu = x.reshape(N, G, -1) - mean  # (N, G, K)
    std = np.sqrt(var + eps)
    xhat = (xmu / std).reshape(N, C, H, W)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    dvar = (dxhat * xmu).sum(axis=2, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = (-dxhat / std).sum(axis=2, keepdims=True) + dvar * (-2 * xmu).sum(axis=2, keepdims=True) / K
    dx = dxhat / std + dvar * 2 * xmu / K + dmu / K
    return dx.reshape(N, C, H, W), dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


GN_STAGED_FORWARD = gn_fwd_stats

CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd,
    [
        "gamma pulled out of the means (batch norm's shortcut)",
        "dgamma summed from dxhat * xhat (gamma counted twice)",
        "the xhat * mean(dxhat * xhat) term left out",
        "inv_std reshaped to (N, G, 1, 1) against the (N, C, H, W) gradient",
        "dgamma, dbeta summed over (H, W) only (one per sample and channel)",
    ],
)
CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd_staged,
    ["K = H*W elements per set (the group's C/G channels forgotten)"],
    forward=GN_STAGED_FORWARD,
)
CORPUS += _right(
    "spatial_groupnorm_backward",
    "staged through dvar and dmu per (sample, group), on its own forward's cache",
    gn_bwd_staged,
    forward=GN_STAGED_FORWARD,
)
