"""A thirteenth held-out corpus of student mistakes, the pooling and normalization half, written blind
to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``tests/mistake_corpus_fourth.py``), for the exercises of lessons 4, 5 and 6:
``max_pool_forward_naive``, ``max_pool_backward_naive``, ``avg_pool_forward_naive``,
``avg_pool_backward_naive``, ``spatial_batchnorm_forward``, ``spatial_batchnorm_backward``,
``spatial_groupnorm_forward`` and ``spatial_groupnorm_backward``. They measure how often the
checker names a mistake it was never tuned to. Each wrong row holds ONE mistake, as one particular
student wrote it (their own names and structure: four nested loops, loops over the windows with the
batch vectorized, CS231n-style masks, a (N*H*W, C) matrix and a vanilla batch norm, PyTorch habits),
roughly in the order a teaching assistant meets them: ``=`` for ``+=``, the stride forgotten, the tie
rule, ``count_include_pad``, the ``pad:-pad`` crop, momentum the PyTorch way round, the unbiased
variance, running statistics not stored, gamma broadcast on the wrong axis, a term of the backward
formula forgotten, the batch-norm shortcut that pulls gamma out in group norm, ... The rows with
``should_pass`` True are correct implementations in unusual styles (``sliding_window_view``, cached
switches, tap-by-tap masks, a per-channel loop, an explicit computational graph), there to catch false
FAILs.

How it was written: blind. From the student edition of lessons 4, 5 and 6
(``lessons/04_max_pooling.ipynb``, ``lessons/05_batch_normalization.ipynb``,
``lessons/06_group_normalization.ipynb``: their explanations, stubs, docstrings and hints as a student
reads them), ``cnnlab/layers``, ``cnnlab/shapes.py``, ``cnnlab/geometry.py`` and ``cnnlab/cases.py``,
and the format of ``tests/mistake_corpus_fourth.py`` (its docstring and first helper only). Nothing of
the checker was read (``cnnlab/exercises/``, ``tests/student_impls.py``, ``tests/test_exercises.py``,
``tests/test_crashes.py``, the other corpora), and the check was not run on any row. Every row was
verified against cnnlab's reference implementations only, by
``tests/verify_mistake_corpus_thirteenth_rest.py``: each wrong row differs from the reference (a wrong
value, a wrong shape, or an exception) on at least one input, each right row matches it to a relative
error of 1e-8 on every input.

``forward`` is None where the backward pass reads cnnlab's cache format (pooling ``(x, pool_param)``,
batch norm ``(xhat, inv_std, gamma, beta.shape, mode)``, group norm ``(xhat, inv_std, gamma,
beta.shape, G)``), or the student's own correct forward where the backward relies on a cache of its
own. Batch norm's backward is checked in train mode only, as lesson 5 says.

77 rows: 68 wrong, 9 right. Per exercise (wrong + right): max_pool_forward_naive 7 + 1,
max_pool_backward_naive 11 + 2, avg_pool_forward_naive 7 + 1, avg_pool_backward_naive 8 + 1,
spatial_batchnorm_forward 11 + 1, spatial_batchnorm_backward 11 + 1, spatial_groupnorm_forward 7 + 1,
spatial_groupnorm_backward 6 + 1. Ten more wrong rows were written and dropped before any measurement, to
keep the corpus near 60 wrong rows: mostly mistakes that only ever raise (a float output shape, output
indices swapped, means without keepdims) or that repeat another row's mistake in the same style; one
(dgamma and dbeta summed per group) was replaced by a value-level slip for the same reason.
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


CORPUS = []

# ---------------------------------------------------------------------------------------------
# max_pool_forward_naive


def maxpool_fwd_loops(x, pool_param, bug=None):
    """Four nested loops, CS231n style."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "output size H // PH, as if the stride were the window":
        Ho, Wo = H // PH, W // PW
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    h_start = i if bug == "window starts at i, stride forgotten" else i * sh
                    w_start = j * sh if bug == "row stride used for the columns too" else j * sw
                    h_end = h_start + PH
                    w_end = w_start + PW
                    if bug == "window end one short (inclusive end written as PH - 1)":
                        h_end, w_end = h_end - 1, w_end - 1
                    out[n, c, i, j] = np.max(x[n, c, h_start:h_end, w_start:w_end])
    return out, (x, pool_param)


def maxpool_fwd_ranges(x, pool_param, bug=None):
    """Loops over the window corners with enumerate(range(...)); the batch and channels vectorized."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    last_top = H - PH if bug == "range(0, H - PH, sh): the last row of windows left out" else H - PH + 1
    for i, top in enumerate(range(0, last_top, sh)):
        for j, left in enumerate(range(0, W - PW + 1, sw)):
            if bug == "window height and width swapped":
                patch = x[:, :, top : top + PW, left : left + PH]
            else:
                patch = x[:, :, top : top + PH, left : left + PW]
            if bug == "np.max without an axis: the max of the whole batch":
                out[:, :, i, j] = np.max(patch)
            else:
                out[:, :, i, j] = patch.max(axis=(2, 3))
    return out, (x, pool_param)


def maxpool_fwd_sliding(x, pool_param, bug=None):
    """Right: every window at once with sliding_window_view, then every stride-th of them."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    windows = np.lib.stride_tricks.sliding_window_view(x, (PH, PW), axis=(2, 3))  # (N, C, H-PH+1, W-PW+1, PH, PW)
    out = windows[:, :, ::sh, ::sw].max(axis=(-2, -1))
    return out, (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    maxpool_fwd_loops,
    [
        "window starts at i, stride forgotten",
        "output size H // PH, as if the stride were the window",
        "row stride used for the columns too",
        "window end one short (inclusive end written as PH - 1)",
    ],
)
CORPUS += _rows(
    "max_pool_forward_naive",
    maxpool_fwd_ranges,
    [
        "range(0, H - PH, sh): the last row of windows left out",
        "np.max without an axis: the max of the whole batch",
        "window height and width swapped",
    ],
)
CORPUS += [("max_pool_forward_naive", "sliding_window_view, every stride-th window", maxpool_fwd_sliding, None, True)]

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive


def maxpool_bwd_argmax(dout, cache, bug=None):
    """The lesson's recipe: argmax of each window, unravel_index, add dout there."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    hs, ws = i * sh, j * sw
                    window = x[n, c, hs : hs + PH, ws : ws + PW]
                    if bug == "argmax of the whole feature map, not the window":
                        p, q = np.unravel_index(np.argmax(x[n, c]), (H, W))
                        dx[n, c, p, q] += dout[n, c, i, j]
                        continue
                    shape = (PW, PH) if bug == "unravel_index with (PW, PH)" else window.shape
                    p, q = np.unravel_index(np.argmax(window), shape)
                    if bug == "= instead of += (overlapping windows)":
                        dx[n, c, hs + p, ws + q] = dout[n, c, i, j]
                    elif bug == "window offset not added: dx[n, c, p, q]":
                        dx[n, c, p, q] += dout[n, c, i, j]
                    else:
                        dx[n, c, hs + p, ws + q] += dout[n, c, i, j]
    return dx


def maxpool_bwd_mask(dout, cache, bug=None):
    """CS231n style: a 0/1 mask of the window's maximum times dout, added onto dx's window."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros(x.shape)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = i * sh, j * sw
                    x_pool = x[n, c, r : r + PH, s : s + PW]
                    if bug == "mask of every maximum (ties: all of them get the gradient)":
                        mask = x_pool == np.max(x_pool)
                    elif bug == "tied maxima share the gradient equally":
                        mask = (x_pool == np.max(x_pool)) / np.sum(x_pool == np.max(x_pool))
                    else:
                        mask = np.zeros_like(x_pool)
                        mask.flat[np.argmax(x_pool)] = 1
                    if bug == "dx window assigned with = (overwrites the overlap)":
                        dx[n, c, r : r + PH, s : s + PW] = mask * dout[n, c, i, j]
                    else:
                        dx[n, c, r : r + PH, s : s + PW] += mask * dout[n, c, i, j]
    return dx


def maxpool_bwd_scan(dout, cache, bug=None):
    """A hand-written running maximum over the window's taps, no argmax."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best = 0.0 if bug == "running max starts at 0 instead of -inf" else -np.inf
                    bi, bj = i * sh, j * sw
                    for p in range(PH):
                        for q in range(PW):
                            v = x[n, c, i * sh + p, j * sw + q]
                            better = v >= best if bug == ">= in the running max (ties go to the last)" else v > best
                            if better:
                                best, bi, bj = v, i * sh + p, j * sw + q
                    dx[n, c, bi, bj] += dout[n, c, i, j]
    return dx


def maxpool_bwd_vec(dout, cache, bug=None):
    """Loops over the windows, the batch and channels vectorized with fancy indexing."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    if bug == "np.meshgrid without indexing='ij'":
        nn, cc = np.meshgrid(np.arange(N), np.arange(C))
    else:
        nn, cc = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, PH * PW)
            k = win.argmax(axis=2)  # (N, C)
            if bug == "flat index split by PH instead of PW":
                p, q = k // PH, k % PH
            else:
                p, q = k // PW, k % PW
            dx[nn, cc, i * sh + p, j * sw + q] += dout[:, :, i, j]
    return dx


def maxpool_fwd_switches(x, pool_param):
    """A student's forward that also caches the switches: the flat index in H*W of each window's winner."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    switches = np.zeros((N, C, Ho, Wo), dtype=int)
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1)
            k = win.argmax(axis=2)
            out[:, :, i, j] = np.take_along_axis(win, k[:, :, None], axis=2)[:, :, 0]
            switches[:, :, i, j] = (i * sh + k // PW) * W + (j * sw + k % PW)
    return out, (x, pool_param, switches)


def maxpool_bwd_switches(dout, cache):
    """Right: one np.add.at scatter onto the cached switches."""
    x, pool_param, switches = cache
    N, C, H, W = x.shape
    dx = np.zeros((N, C, H * W))
    nn = np.arange(N)[:, None, None, None]
    cc = np.arange(C)[None, :, None, None]
    np.add.at(dx, (nn, cc, switches), dout)
    return dx.reshape(N, C, H, W)


def maxpool_bwd_taps(dout, cache):
    """Right: the first maximum found tap by tap in row-major order, for all windows at once."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.full((N, C, Ho, Wo), -np.inf)
    for p in range(PH):
        for q in range(PW):
            out = np.maximum(out, x[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw])
    dx = np.zeros_like(x)
    taken = np.zeros((N, C, Ho, Wo), dtype=bool)
    for p in range(PH):
        for q in range(PW):
            tap = x[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw]
            first = (tap == out) & ~taken
            taken |= first
            dx[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += first * dout
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    maxpool_bwd_argmax,
    [
        "= instead of += (overlapping windows)",
        "window offset not added: dx[n, c, p, q]",
        "argmax of the whole feature map, not the window",
        "unravel_index with (PW, PH)",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    maxpool_bwd_mask,
    [
        "mask of every maximum (ties: all of them get the gradient)",
        "tied maxima share the gradient equally",
        "dx window assigned with = (overwrites the overlap)",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    maxpool_bwd_scan,
    ["running max starts at 0 instead of -inf", ">= in the running max (ties go to the last)"],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    maxpool_bwd_vec,
    ["flat index split by PH instead of PW", "np.meshgrid without indexing='ij'"],
)
CORPUS += [
    (
        "max_pool_backward_naive",
        "switches cached by the forward, np.add.at",
        maxpool_bwd_switches,
        maxpool_fwd_switches,
        True,
    ),
    ("max_pool_backward_naive", "first maximum tap by tap, all windows at once", maxpool_bwd_taps, None, True),
]

# ---------------------------------------------------------------------------------------------
# avg_pool_forward_naive


def avgpool_fwd_pad(x, pool_param, bug=None):
    """The lesson's recipe: np.pad x and an array of ones, loop over the windows."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "np.pad with ((ph, pw), (ph, pw)): the pair read as (before, after)":
        widths = ((0, 0), (0, 0), (ph, pw), (ph, pw))
    else:
        widths = ((0, 0), (0, 0), (ph, ph), (pw, pw))
    x_padded = np.pad(x, widths)
    ones = np.pad(np.ones((H, W)), widths[2:])
    if bug == "padding forgotten: the windows read x itself":
        x_padded = x
    if bug == "count_include_pad the wrong way round":
        count_include_pad = not count_include_pad
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    window = x_padded[n, c, r0 : r0 + PH, c0 : c0 + PW]
                    if bug == "count_include_pad ignored: always PH * PW" or count_include_pad:
                        count = PH * PW
                    elif bug == "real pixels counted as the window's nonzero values":
                        count = np.count_nonzero(window)
                    else:
                        count = ones[r0 : r0 + PH, c0 : c0 + PW].sum()
                    out[n, c, i, j] = window.sum() / count
    return out, (x, pool_param)


def avgpool_fwd_clip(x, pool_param, bug=None):
    """No np.pad: each window clipped to x, as PyTorch's C code does; the batch vectorized."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        hstart = i * sh - ph
        hend = hstart + PH
        for j in range(Wo):
            wstart = j * sw - pw
            wend = wstart + PW
            if bug == "negative window start not clipped in the slice (x[-1:2] is empty)":
                total = x[:, :, hstart : min(hend, H), wstart : min(wend, W)].sum(axis=(2, 3))
            else:
                total = x[:, :, max(hstart, 0) : min(hend, H), max(wstart, 0) : min(wend, W)].sum(axis=(2, 3))
            if count_include_pad:
                pool_size = PH * PW
            elif bug == "real pixels: the bottom and right edges not clipped":
                pool_size = (hend - max(hstart, 0)) * (wend - max(wstart, 0))
            else:
                pool_size = (min(hend, H) - max(hstart, 0)) * (min(wend, W) - max(wstart, 0))
            out[:, :, i, j] = total / pool_size
    return out, (x, pool_param)


def avgpool_fwd_windows(x, pool_param, bug=None):
    """Right: sums of a sliding_window_view of the padded x, divided by the same sums of padded ones."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    sums = np.lib.stride_tricks.sliding_window_view(xp, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw].sum(axis=(-2, -1))
    if count_include_pad:
        counts = np.full((Ho, Wo), float(PH * PW))
    else:
        ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
        counts = np.lib.stride_tricks.sliding_window_view(ones, (PH, PW))[::sh, ::sw].sum(axis=(-2, -1))
    return sums / counts, (x, pool_param)


CORPUS += _rows(
    "avg_pool_forward_naive",
    avgpool_fwd_pad,
    [
        "count_include_pad ignored: always PH * PW",
        "count_include_pad the wrong way round",
        "padding forgotten: the windows read x itself",
        "np.pad with ((ph, pw), (ph, pw)): the pair read as (before, after)",
        "real pixels counted as the window's nonzero values",
    ],
)
CORPUS += _rows(
    "avg_pool_forward_naive",
    avgpool_fwd_clip,
    [
        "real pixels: the bottom and right edges not clipped",
        "negative window start not clipped in the slice (x[-1:2] is empty)",
    ],
)
CORPUS += [("avg_pool_forward_naive", "window sums of padded x and of padded ones", avgpool_fwd_windows, None, True)]

# ---------------------------------------------------------------------------------------------
# avg_pool_backward_naive


def avgpool_bwd_pad(dout, cache, bug=None):
    """The lesson's recipe: shares added into a padded dx, the padding cut off at the end."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx_pad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    real = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * sh, i * sh + PH)
                    cols = slice(j * sw, j * sw + PW)
                    if count_include_pad or bug == "count_include_pad False ignored in the backward":
                        count = PH * PW
                    else:
                        count = real[rows, cols].sum()
                    if bug == "dout not divided by count":
                        share = dout[n, c, i, j]
                    else:
                        share = dout[n, c, i, j] / count
                    if bug == "= instead of += (overlapping windows)":
                        dx_pad[n, c, rows, cols] = share
                    else:
                        dx_pad[n, c, rows, cols] += share
    if bug == "padding cut off with [pad:-pad] (empty when pad is 0)":
        return dx_pad[:, :, ph:-ph, pw:-pw]
    if bug == "padded dx returned, padding not cut off":
        return dx_pad
    return dx_pad[:, :, ph : ph + H, pw : pw + W]


def avgpool_bwd_vec(dout, cache, bug=None):
    """Loops over the windows, the batch and channels vectorized; counts computed once up front."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "ones mask not padded, indexed with the padded window":
        mask = np.ones((H, W))
    else:
        mask = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    counts = np.full((Ho, Wo), float(PH * PW))
    if not count_include_pad:
        for i in range(Ho):
            for j in range(Wo):
                if bug == "real pixels counted as the nonzero values of x":
                    counts[i, j] = np.count_nonzero(xpad[0, 0, i * sh : i * sh + PH, j * sw : j * sw + PW])
                else:
                    counts[i, j] = mask[i * sh : i * sh + PH, j * sw : j * sw + PW].sum()
    dxp = np.zeros_like(xpad)
    for i in range(Ho):
        for j in range(Wo):
            dxp[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] += (dout[:, :, i, j] / counts[i, j])[:, :, None, None]
    if bug == "cropped with [ph:H, pw:W] instead of [ph:ph + H, pw:pw + W]":
        return dxp[:, :, ph:H, pw:W]
    return dxp[:, :, ph : ph + H, pw : pw + W]


def avgpool_fwd_counts(x, pool_param):
    """A student's forward that also caches the count of every window."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    real = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    out = np.zeros((N, C, Ho, Wo))
    counts = np.zeros((Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = (slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW))
            counts[i, j] = PH * PW if count_include_pad else real[window].sum()
            out[:, :, i, j] = xp[:, :, window[0], window[1]].sum(axis=(2, 3)) / counts[i, j]
    return out, (x.shape, (PH, PW), (sh, sw), (ph, pw), counts)


def avgpool_bwd_taps(dout, cache):
    """Right: tap by tap, every window's share added to its pixel with one strided slice, on the cached counts."""
    x_shape, (PH, PW), (sh, sw), (ph, pw), counts = cache
    N, C, H, W = x_shape
    Ho, Wo = counts.shape
    share = dout / counts
    dxp = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(PH):
        for q in range(PW):
            dxp[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += share
    return dxp[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "avg_pool_backward_naive",
    avgpool_bwd_pad,
    [
        "= instead of += (overlapping windows)",
        "dout not divided by count",
        "count_include_pad False ignored in the backward",
        "padding cut off with [pad:-pad] (empty when pad is 0)",
        "padded dx returned, padding not cut off",
    ],
)
CORPUS += _rows(
    "avg_pool_backward_naive",
    avgpool_bwd_vec,
    [
        "real pixels counted as the nonzero values of x",
        "cropped with [ph:H, pw:W] instead of [ph:ph + H, pw:pw + W]",
        "ones mask not padded, indexed with the padded window",
    ],
)
CORPUS += [
    ("avg_pool_backward_naive", "cached counts, shares added tap by tap", avgpool_bwd_taps, avgpool_fwd_counts, True),
]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_forward


def bn_fwd_axes(x, gamma, beta, bn_param, bug=None):
    """Straight numpy over the axes (0, 2, 3), keepdims, the bn_param handling written out."""
    N, C, H, W = x.shape
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    if bug == "gamma[None, :, None, None]: breaks for gamma of shape (1, C, 1, 1)":
        g, b = gamma[None, :, None, None], beta[None, :, None, None]
    else:
        g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    if mode == "train" or bug == "test mode normalizes with the batch statistics":
        if bug == "statistics over axis 0 only (one per position, fully connected style)":
            mu = x.mean(axis=0, keepdims=True)
            var = x.var(axis=0, keepdims=True)
        else:
            mu = x.mean(axis=(0, 2, 3), keepdims=True)
            var = x.var(axis=(0, 2, 3), keepdims=True)
        if bug == "normalized with the unbiased variance (ddof=1)":
            var = x.var(axis=(0, 2, 3), keepdims=True, ddof=1)
        if mode == "train":
            batch_mean, batch_var = np.squeeze(mu), np.squeeze(var)
            if bug == "running_var fed the unbiased variance (PyTorch habit)":
                M = N * H * W
                batch_var = batch_var * M / (M - 1)
            if bug == "momentum the PyTorch way round (weight of the new value)":
                running_mean = (1 - momentum) * running_mean + momentum * batch_mean
                running_var = (1 - momentum) * running_var + momentum * batch_var
            else:
                running_mean = momentum * running_mean + (1 - momentum) * batch_mean
                running_var = momentum * running_var + (1 - momentum) * batch_var
    else:
        mu = running_mean.reshape(1, C, 1, 1)
        var = running_var.reshape(1, C, 1, 1)
        if bug == "test mode updates the running statistics too":
            batch_mu, batch_var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
            running_mean = momentum * running_mean + (1 - momentum) * batch_mu
            running_var = momentum * running_var + (1 - momentum) * batch_var
    if bug == "eps added to the std, outside the sqrt":
        std = np.sqrt(var) + eps
    else:
        std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    out = g * xhat + b
    if bug != "running statistics not stored back into bn_param":
        bn_param["running_mean"] = running_mean
        bn_param["running_var"] = running_var
    return out, (xhat, (1 / std).reshape(-1), gamma, beta.shape, mode)


def batchnorm_fc_forward(x, gamma, beta, bn_param):
    """CS231n's fully connected batchnorm_forward, (N, D) in, reused by the spatial one below."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))
    if mode == "train":
        sample_mean = x.mean(axis=0)
        sample_var = x.var(axis=0)
        inv_std = 1.0 / np.sqrt(sample_var + eps)
        x_hat = (x - sample_mean) * inv_std
        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var
    elif mode == "test":
        inv_std = 1.0 / np.sqrt(running_var + eps)
        x_hat = (x - running_mean) * inv_std
    else:
        raise ValueError(f'Invalid forward batchnorm mode "{mode}"')
    out = gamma * x_hat + beta
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, (x_hat, inv_std)


def bn_fwd_matrix(x, gamma, beta, bn_param, bug=None):
    """The (N*H*W, C) matrix, one row per position, through the fully connected batch norm."""
    N, C, H, W = x.shape
    if bug == "x.reshape(-1, C) without the transpose (channels mixed)":
        x_flat = x.reshape(-1, C)
    else:
        x_flat = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out_flat, (x_hat, inv_std) = batchnorm_fc_forward(x_flat, gamma.reshape(C), beta.reshape(C), bn_param)
    if bug in (
        "x.reshape(-1, C) without the transpose (channels mixed)",
        "back from (N*H*W, C) with reshape(N, C, H, W), not the inverse transpose",
    ):
        out = out_flat.reshape(N, C, H, W)
        xhat = x_hat.reshape(N, C, H, W)
    else:
        out = out_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
        xhat = x_hat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, (xhat, inv_std, gamma, beta.shape, bn_param["mode"])


def bn_fwd_channels(x, gamma, beta, bn_param, bug=None):
    """Right: one channel at a time, the running statistics updated in place, element by element."""
    N, C, H, W = x.shape
    p = {"eps": 1e-5, "momentum": 0.9, **bn_param}
    if "running_mean" not in bn_param:
        bn_param["running_mean"] = np.zeros(C)
    if "running_var" not in bn_param:
        bn_param["running_var"] = np.ones(C)
    rm = np.array(bn_param["running_mean"], dtype=float)
    rv = np.array(bn_param["running_var"], dtype=float)
    g, bt = np.ravel(gamma), np.ravel(beta)
    out = np.empty_like(x)
    xhat = np.empty_like(x)
    inv_std = np.empty(C)
    for c in range(C):
        values = x[:, c].ravel()
        if p["mode"] == "train":
            m = values.sum() / values.size
            v = ((values - m) ** 2).sum() / values.size
            rm[c] = p["momentum"] * rm[c] + (1 - p["momentum"]) * m
            rv[c] = p["momentum"] * rv[c] + (1 - p["momentum"]) * v
        else:
            m, v = rm[c], rv[c]
        inv_std[c] = 1 / np.sqrt(v + p["eps"])
        xhat[:, c] = (x[:, c] - m) * inv_std[c]
        out[:, c] = g[c] * xhat[:, c] + bt[c]
    if p["mode"] == "train":
        bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return out, (xhat, inv_std, gamma, beta.shape, p["mode"])


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd_axes,
    [
        "momentum the PyTorch way round (weight of the new value)",
        "running_var fed the unbiased variance (PyTorch habit)",
        "normalized with the unbiased variance (ddof=1)",
        "statistics over axis 0 only (one per position, fully connected style)",
        "running statistics not stored back into bn_param",
        "eps added to the std, outside the sqrt",
        "test mode normalizes with the batch statistics",
        "test mode updates the running statistics too",
        "gamma[None, :, None, None]: breaks for gamma of shape (1, C, 1, 1)",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd_matrix,
    [
        "x.reshape(-1, C) without the transpose (channels mixed)",
        "back from (N*H*W, C) with reshape(N, C, H, W), not the inverse transpose",
    ],
)
CORPUS += [("spatial_batchnorm_forward", "one channel at a time, sums written out", bn_fwd_channels, None, True)]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_backward


def bn_bwd_compact(dout, cache, bug=None):
    """The lesson's compact form on cnnlab's cache, the means over (0, 2, 3) with keepdims."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = xhat.shape
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = np.sum(dout * xhat, axis=(0, 2, 3))
    if bug == "gamma left out of dx (dxhat = dout)":
        dxhat = dout
    elif bug == "dout * gamma with gamma (C,) broadcast along W":
        dxhat = dout * gamma
    else:
        dxhat = dout * gamma.reshape(1, C, 1, 1)
    mean_dxhat = dxhat.mean(axis=(0, 2, 3), keepdims=True)
    mean_dxhat_xhat = (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
    if bug == "the - xhat * mean(dxhat * xhat) term forgotten":
        dx = (dxhat - mean_dxhat) * inv_std.reshape(1, C, 1, 1)
    elif bug == "the - mean(dxhat) term forgotten":
        dx = (dxhat - xhat * mean_dxhat_xhat) * inv_std.reshape(1, C, 1, 1)
    else:
        dx = (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) * inv_std.reshape(1, C, 1, 1)
    if bug == "dgamma and dbeta returned as (C,) whatever gamma's shape":
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_matrix(dout, cache, bug=None):
    """CS231n's batchnorm_backward_alt on the (N*H*W, C) matrix: the sums, then one line for dx."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    if bug == "dout flattened with reshape(-1, C) without the transpose":
        dy = dout.reshape(-1, C)
    else:
        dy = dout.transpose(0, 2, 3, 1).reshape(-1, C)
    x_hat = xhat.transpose(0, 2, 3, 1).reshape(-1, C)
    M = N if bug == "N (the batch size) for M = N*H*W in the formula" else dy.shape[0]
    dbeta = dy.sum(axis=0)
    dgamma = (dy * x_hat).sum(axis=0)
    g = gamma.reshape(C)
    dx_flat = (1.0 / M) * g * inv_std * (M * dy - dbeta - x_hat * dgamma)
    dx = dx_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_fwd_graph(x, gamma, beta, bn_param):
    """A student's train-mode forward that keeps the intermediate values of the computational graph."""
    N, C, H, W = x.shape
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    xmu = x - mu
    var = (xmu**2).mean(axis=(0, 2, 3), keepdims=True)
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(C)) + (1 - momentum) * mu.ravel()
    bn_param["running_var"] = momentum * bn_param.get("running_var", np.ones(C)) + (1 - momentum) * var.ravel()
    return out, (x, xhat, xmu, var, ivar, sqrtvar, eps, gamma, beta.shape)


def bn_bwd_graph(dout, cache, bug=None):
    """Backward through the graph step by step (dxhat, dvar, dmu, dx), as in Kratzert's blog post."""
    x, xhat, xmu, var, ivar, sqrtvar, eps, gamma, beta_shape = cache
    N, C, H, W = dout.shape
    M = N * H * W
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    if bug == "std recomputed without eps, np.sqrt(var)":
        ivar = 1.0 / np.sqrt(var)
    if bug == "dvar with the power -1/2 instead of -3/2":
        dvar = np.sum(dxhat * xmu, axis=(0, 2, 3), keepdims=True) * -0.5 * (var + eps) ** -0.5
    else:
        dvar = np.sum(dxhat * xmu, axis=(0, 2, 3), keepdims=True) * -0.5 * ivar**3
    dmu = np.sum(-dxhat * ivar, axis=(0, 2, 3), keepdims=True) + dvar * np.mean(
        -2.0 * xmu, axis=(0, 2, 3), keepdims=True
    )
    if bug == "dvar's share of dx without the factor 2 (xmu / M)":
        dx = dxhat * ivar + dvar * xmu / M + dmu / M
    elif bug == "dx forgets the dmu / M term":
        dx = dxhat * ivar + dvar * 2.0 * xmu / M
    else:
        dx = dxhat * ivar + dvar * 2.0 * xmu / M + dmu / M
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_jacobian(dout, cache):
    """Right: per channel, the M x M Jacobian d xhat_i / d x_j of the lesson written out and applied."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N * H * W
    g = np.ravel(gamma)
    dx = np.zeros_like(dout)
    for c in range(C):
        xh = xhat[:, c].ravel()
        J = inv_std[c] * (np.eye(M) - 1.0 / M - np.outer(xh, xh) / M)  # J[i, j] = d xhat_i / d x_j
        dx[:, c] = (J.T @ (g[c] * dout[:, c].ravel())).reshape(N, H, W)
    dgamma = np.einsum("nchw,nchw->c", dout, xhat)
    dbeta = np.einsum("nchw->c", dout)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_compact,
    [
        "dgamma and dbeta returned as (C,) whatever gamma's shape",
        "the - xhat * mean(dxhat * xhat) term forgotten",
        "the - mean(dxhat) term forgotten",
        "gamma left out of dx (dxhat = dout)",
        "dout * gamma with gamma (C,) broadcast along W",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_matrix,
    ["N (the batch size) for M = N*H*W in the formula", "dout flattened with reshape(-1, C) without the transpose"],
)
CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_graph,
    [
        "dvar with the power -1/2 instead of -3/2",
        "dx forgets the dmu / M term",
        "dvar's share of dx without the factor 2 (xmu / M)",
        "std recomputed without eps, np.sqrt(var)",
    ],
    forward=bn_fwd_graph,
)
CORPUS += [("spatial_batchnorm_backward", "the M x M Jacobian per channel", bn_bwd_jacobian, None, True)]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_forward


def gn_fwd_view(x, gamma, beta, G, gn_param, bug=None):
    """The lesson's one idea: x.reshape(N, G, -1), statistics along axis 2."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    if bug == "G read as the number of channels per group":
        x_group = x.reshape(N, C // G, -1)
    else:
        x_group = x.reshape(N, G, -1)
    axis = 1 if bug == "statistics along axis 1 of the (N, G, K) view" else 2
    mean = x_group.mean(axis=axis, keepdims=True)
    var = x_group.var(axis=axis, keepdims=True, ddof=1 if bug == "unbiased variance (torch.var's default)" else 0)
    if bug == "eps added outside the sqrt":
        std = np.sqrt(var) + eps
    else:
        std = np.sqrt(var + eps)
    x_norm = ((x_group - mean) / std).reshape(N, C, H, W)
    out = x_norm * gamma.reshape(1, C, 1, 1) + beta.reshape(1, C, 1, 1)
    return out, (x_norm, 1 / std, gamma, beta.shape, G)


def gn_fwd_slices(x, gamma, beta, G, gn_param, bug=None):
    """A loop over the groups, each a slice of consecutive channels."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    cpg = C // G  # channels per group
    xhat = np.zeros_like(x)
    inv_std = np.zeros((N, G, 1))
    for g in range(G):
        if bug == "group g taken as channels g*G : (g+1)*G":
            chans = slice(g * G, (g + 1) * G)
        else:
            chans = slice(g * cpg, (g + 1) * cpg)
        xg = x[:, chans]
        if bug == "statistics over (0, 1, 2, 3) per group: the batch shared":
            mu = xg.mean(axis=(0, 1, 2, 3), keepdims=True)
            var = xg.var(axis=(0, 1, 2, 3), keepdims=True)
        else:
            mu = xg.mean(axis=(1, 2, 3), keepdims=True)
            var = xg.var(axis=(1, 2, 3), keepdims=True)
        xhat[:, chans] = (xg - mu) / np.sqrt(var + eps)
        inv_std[:, g, 0] = 1 / np.sqrt(var.reshape(-1) + eps)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


def gn_fwd_5d(x, gamma, beta, G, gn_param, bug=None):
    """PyTorch-style: a (N, G, C/G, H, W) view, statistics over its last three axes."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    if bug == "x.reshape(N, C // G, G, H, W): the groups interleaved":
        x5 = x.reshape(N, C // G, G, H, W)
        axes = (1, 3, 4)
    else:
        x5 = x.reshape(N, G, C // G, H, W)
        axes = (2, 3, 4)
    mean = x5.mean(axis=axes, keepdims=True)
    var = ((x5 - mean) ** 2).mean(axis=axes, keepdims=True)
    xhat = ((x5 - mean) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = xhat * gamma.reshape(1, -1, 1, 1) + beta.reshape(1, -1, 1, 1)
    return out, (xhat, (1 / np.sqrt(var + eps)).reshape(N, G, 1), gamma, beta.shape, G)


def gn_fwd_loops(x, gamma, beta, G, gn_param, bug=None):
    """Right: every (sample, group) set raveled and normalized on its own, two nested loops."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    size = C // G
    g_c, b_c = np.ravel(gamma), np.ravel(beta)
    out = np.empty_like(x)
    xhat = np.empty_like(x)
    inv_std = np.empty((N, G, 1))
    for n in range(N):
        for g in range(G):
            block = x[n, g * size : (g + 1) * size]
            values = block.ravel()
            mu = np.mean(values)
            s = np.sqrt(np.mean((values - mu) ** 2) + eps)
            inv_std[n, g, 0] = 1 / s
            xhat[n, g * size : (g + 1) * size] = (block - mu) / s
    for c in range(C):
        out[:, c] = g_c[c] * xhat[:, c] + b_c[c]
    return out, (xhat, inv_std, gamma, beta.shape, G)


CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd_view,
    [
        "statistics along axis 1 of the (N, G, K) view",
        "unbiased variance (torch.var's default)",
        "eps added outside the sqrt",
        "G read as the number of channels per group",
    ],
)
CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd_slices,
    ["group g taken as channels g*G : (g+1)*G", "statistics over (0, 1, 2, 3) per group: the batch shared"],
)
CORPUS += _rows("spatial_groupnorm_forward", gn_fwd_5d, ["x.reshape(N, C // G, G, H, W): the groups interleaved"])
CORPUS += [("spatial_groupnorm_forward", "two loops over (sample, group), raveled sets", gn_fwd_loops, None, True)]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_backward


def gn_bwd_view(dout, cache, bug=None):
    """The lesson's form on the (N, G, K) views of cnnlab's cache."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    if bug == "dgamma from dxhat * xhat (gamma multiplied in once too often)":
        dgamma = (dout * gamma.reshape(1, C, 1, 1) * xhat).sum(axis=(0, 2, 3))
    else:
        dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dbeta = dout.sum(axis=(0, 2, 3))
    xg = xhat.reshape(N, G, -1)
    if bug == "gamma pulled out of the means (the batch-norm shortcut)":
        dy = dout.reshape(N, G, -1)
        dx = (dy - dy.mean(axis=2, keepdims=True) - xg * (dy * xg).mean(axis=2, keepdims=True)) * inv_std
        dx = dx.reshape(N, C, H, W) * gamma.reshape(1, C, 1, 1)
    else:
        dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
        axis = 1 if bug == "means along axis 1 of the (N, G, K) view" else 2
        mean_dxhat = dxhat.mean(axis=axis, keepdims=True)
        mean_proj = (dxhat * xg).mean(axis=axis, keepdims=True)
        if bug == "the - xhat * mean(dxhat * xhat) term forgotten":
            dx = (dxhat - mean_dxhat) * inv_std
        else:
            dx = (dxhat - mean_dxhat - xg * mean_proj) * inv_std
        dx = dx.reshape(N, C, H, W)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def gn_bwd_sums(dout, cache, bug=None):
    """CS231n's sum form, dx = inv_std / K * (K * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)), per group."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    K = H * W if bug == "K = H*W (the count of one channel) in the sum formula" else C // G * H * W
    dbeta = np.sum(dout, axis=(0, 2, 3))
    dgamma = np.sum(dout * xhat, axis=(0, 2, 3))
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    dxhat5 = dxhat.reshape(N, G, C // G, H, W)
    xhat5 = xhat.reshape(N, G, C // G, H, W)
    s1 = dxhat5.sum(axis=(2, 3, 4), keepdims=True)
    s2 = (dxhat5 * xhat5).sum(axis=(2, 3, 4), keepdims=True)
    if bug == "inv_std (N, G, 1) reshaped to (N, G, 1, 1) against (N, C, H, W)":
        dx = (K * dxhat5 - s1 - xhat5 * s2).reshape(N, C, H, W) * inv_std.reshape(N, G, 1, 1) / K
    else:
        dx = ((K * dxhat5 - s1 - xhat5 * s2) * inv_std.reshape(N, G, 1, 1, 1) / K).reshape(N, C, H, W)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def gn_fwd_graph(x, gamma, beta, G, gn_param):
    """A student's forward that keeps the graph's intermediate values, on the (N, G, K) view."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    xmu = xg - mu
    var = (xmu**2).mean(axis=2, keepdims=True)
    ivar = 1 / np.sqrt(var + eps)
    xhat = (xmu * ivar).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xmu, var, ivar, xhat, gamma, beta.shape, G)


def gn_bwd_graph(dout, cache):
    """Right: backward through the graph step by step (dxhat, dvar, dmu), on the (N, G, K) view."""
    xmu, var, ivar, xhat, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    K = xmu.shape[2]
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dbeta = dout.sum(axis=(0, 2, 3))
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, K)
    dvar = np.sum(dxhat * xmu, axis=2, keepdims=True) * -0.5 * ivar**3
    dmu = -np.sum(dxhat * ivar, axis=2, keepdims=True) - 2 * dvar * xmu.mean(axis=2, keepdims=True)
    dx = dxhat * ivar + dvar * 2 * xmu / K + dmu / K
    return dx.reshape(N, C, H, W), dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd_view,
    [
        "gamma pulled out of the means (the batch-norm shortcut)",
        "means along axis 1 of the (N, G, K) view",
        "the - xhat * mean(dxhat * xhat) term forgotten",
        "dgamma from dxhat * xhat (gamma multiplied in once too often)",
    ],
)
CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd_sums,
    [
        "K = H*W (the count of one channel) in the sum formula",
        "inv_std (N, G, 1) reshaped to (N, G, 1, 1) against (N, C, H, W)",
    ],
)
CORPUS += [
    ("spatial_groupnorm_backward", "the computational graph step by step, own cache", gn_bwd_graph, gn_fwd_graph, True),
]
