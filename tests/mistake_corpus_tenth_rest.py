"""A tenth held-out corpus of student mistakes, the pooling and normalization half, written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``mistake_corpus.measure(CORPUS)`` runs them), for the eight exercises of lessons 4-6:
``max_pool_forward_naive``, ``max_pool_backward_naive``, ``avg_pool_forward_naive``,
``avg_pool_backward_naive``, ``spatial_batchnorm_forward``, ``spatial_batchnorm_backward``,
``spatial_groupnorm_forward`` and ``spatial_groupnorm_backward``. The convolution and network
exercises are the other half, written separately. It measures how often the checker names a mistake
it was never tuned to.

Each row is one student's whole function as it might be pasted into a forum post asking "why does my
check fail?", with the one bug that made them ask. The styles mix first attempts (the loops the stubs
suggest) with second attempts after the hints (window views with ``sliding_window_view``, masks with
keepdims, argmax + unravel_index, ``np.add.at``, the (N*H*W, C) matrix of rows, the compact
batch-norm backward and its shortcut through dbeta and dgamma) and code adapted from CS231n (the
fully connected batchnorm_forward, the staged backward through dvar and dmu) or from PyTorch and the
group-norm paper's code (momentum the other way round, the unbiased variance, return_indices, a
(1, C, 1, 1) gamma assumed). The mistakes are the common ones, roughly as often as they happen:
``=`` for ``+=``, ties, a stride forgotten or swapped, padding and count_include_pad, the running
statistics, eps, the axes of the statistics, reshapes without transposes, gamma's shape. Each helper
with ``bug=None`` is right; each wrong row is one branch of it. The rows with ``should_pass`` True are
correct functions in unusual styles (tap-by-tap maxima, an integral image, a per-channel Jacobian,
per-group loops, ...), there to catch false FAILs.

How it was written: blind. From the student edition of lessons 4, 5 and 6
(``lessons/04_max_pooling.ipynb``, ``05_batch_normalization.ipynb``, ``06_group_normalization.ipynb``:
the explanations, the stubs, their docstrings), ``cnnlab/layers``, ``cnnlab/shapes.py``,
``cnnlab/geometry.py`` and ``cnnlab/cases.py``, and for the format only the first 90 lines of
``tests/mistake_corpus_fourth.py``, ``tests/corpus_verify.py`` and
``tests/verify_mistake_corpus_fourth.py``. The checker (``cnnlab/exercises/``), ``cnnlab.grading``,
``tests/student_impls.py``, ``tests/test_exercises.py``, ``tests/test_crashes.py`` and the other
corpora were not read, and the check was not run on any row. Every row was verified against cnnlab's
reference implementations by ``tests/verify_mistake_corpus_tenth_rest.py``: each wrong row differs from
the reference (a wrong value, a wrong shape, or an exception) on at least one input, each right row
matches it to a relative error of 1e-8 on every input.

``forward`` is None where the backward reads cnnlab's cache format (pooling ``(x, pool_param)``, batch
norm ``(xhat, inv_std, gamma, beta.shape, mode)``, group norm ``(xhat, inv_std, gamma, beta.shape,
G)``), or the student's own correct forward where the backward relies on a cache of its own (winner
indices for max pooling, x and the statistics for the staged norm backward passes). Batch norm's
backward is meant for train mode only, as lesson 5 says.

70 rows: 61 wrong, 9 right. Per exercise (wrong + right): max_pool_forward_naive 6 + 1,
max_pool_backward_naive 10 + 2, avg_pool_forward_naive 6 + 1, avg_pool_backward_naive 8 + 1,
spatial_batchnorm_forward 10 + 1, spatial_batchnorm_backward 9 + 1, spatial_groupnorm_forward 6 + 1,
spatial_groupnorm_backward 6 + 1.
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
            else:
                out[:, :, i, j] = window.max(axis=(2, 3))
    return out, (x, pool_param)


def mp_fwd_view(x, pool_param, bug=None):
    """Second attempt: sliding_window_view, every window at once."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))  # (N, C, H-PH+1, W-PW+1, PH, PW)
    if bug == "window view not subsampled by the stride":
        pass
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
    ],
)
CORPUS += _rows(
    "max_pool_forward_naive",
    mp_fwd_view,
    ["window view not subsampled by the stride"],
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
        "winner put at (i + p, j + q): the window's offset without the stride",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    mp_bwd_mask,
    [
        "max without keepdims, compared with the (N, C, PH, PW) window",
        "cumsum tie-break dropped: every tied maximum gets the gradient",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    mp_bwd_scatter,
    [
        "flat index split with divmod(idx, PH) instead of PW",
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

# ---------------------------------------------------------------------------------------------
# avg_pool_forward_naive


def avg_fwd_loop(x, pool_param, bug=None):
    """First attempt: the max-pooling loops on a padded copy, with a padded array of ones for the count."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "np.pad(x, ph): pads N and C too":
        xpad = np.pad(x, ph)
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    if bug == "real pixels counted on an unpadded array of ones":
        ones = np.ones((H, W))
    else:
        ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    if bug == "windows read from x, not from the padded copy":
                        window = x[n, c, rows, cols]
                    else:
                        window = xpad[n, c, rows, cols]
                    if bug == "count_include_pad ignored: always divided by PH * PW":
                        count = PH * PW
                    elif bug == "real pixels counted as the window's nonzeros (np.count_nonzero)":
                        count = PH * PW if count_include_pad else np.count_nonzero(window)
                    else:
                        count = PH * PW if count_include_pad else ones[rows, cols].sum()
                    out[n, c, i, j] = window.sum() / count
    return out, (x, pool_param)


def avg_fwd_view(x, pool_param, bug=None):
    """Second attempt: window views of the padded x and of a padded map of ones."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    if bug == "stride applied to the padded input before taking the windows":
        view = sliding_window_view(xpad[:, :, ::sh, ::sw], (PH, PW), axis=(2, 3))
    else:
        view = sliding_window_view(xpad, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, PH, PW)
    sums = view.sum(axis=(-2, -1))
    if count_include_pad:
        counts = PH * PW
    else:
        counts = sliding_window_view(ones, (PH, PW))[::sh, ::sw].sum(axis=(-2, -1))  # (Ho, Wo)
    return sums / counts, (x, pool_param)


def avg_fwd_integral(x, pool_param):
    """Right, unusual: an integral image (2-D cumulative sums) of the padded x and of the ones."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape

    def box_sums(a):  # a (..., Hp, Wp) -> the sums of every strided PH x PW window, (..., Ho, Wo)
        s = np.zeros(a.shape[:-2] + (a.shape[-2] + 1, a.shape[-1] + 1))
        s[..., 1:, 1:] = a.cumsum(-2).cumsum(-1)
        r, c = np.arange(Ho)[:, None] * sh, np.arange(Wo)[None, :] * sw
        return s[..., r + PH, c + PW] - s[..., r, c + PW] - s[..., r + PH, c] + s[..., r, c]

    sums = box_sums(np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))))
    counts = (
        np.full((Ho, Wo), PH * PW) if count_include_pad else box_sums(np.pad(np.ones((H, W)), ((ph, ph), (pw, pw))))
    )
    return sums / counts, (x, pool_param)


CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd_loop,
    [
        "count_include_pad ignored: always divided by PH * PW",
        "real pixels counted as the window's nonzeros (np.count_nonzero)",
        "windows read from x, not from the padded copy",
        "np.pad(x, ph): pads N and C too",
        "real pixels counted on an unpadded array of ones",
    ],
)
CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd_view,
    [
        "stride applied to the padded input before taking the windows",
    ],
)
CORPUS += [("avg_pool_forward_naive", "integral image of the padded input", avg_fwd_integral, None, True)]

# ---------------------------------------------------------------------------------------------
# avg_pool_backward_naive


def avg_bwd_loop(dout, cache, bug=None):
    """First attempt: the forward's loops, each window's share added to a padded dx, the padding cut off."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    if bug == "shares added to an unpadded dx at padded coordinates":
        dxpad = np.zeros_like(x)
    else:
        dxpad = np.zeros_like(xpad)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    if bug == "count_include_pad ignored in the backward: always PH * PW":
                        count = PH * PW
                    else:
                        count = PH * PW if count_include_pad else ones[rows, cols].sum()
                    if bug == "dout not divided by the count (the sum's gradient)":
                        share = dout[n, c, i, j]
                    else:
                        share = dout[n, c, i, j] / count
                    if bug == "dx window assigned (=): overlapping shares overwritten":
                        dxpad[n, c, rows, cols] = share
                    else:
                        dxpad[n, c, rows, cols] += share
    if bug == "padding not cut off: the padded dx returned":
        return dxpad
    if bug == "padding cut with [ph:-ph, pw:-pw] (empty when a pad is 0)":
        return dxpad[:, :, ph:-ph, pw:-pw]
    if bug == "shares added to an unpadded dx at padded coordinates":
        return dxpad
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_bwd_batch(dout, cache, bug=None):
    """Second attempt: loops over the output positions only, the share of every (n, c) at once."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for i in range(Ho):
        for j in range(Wo):
            rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
            if bug == "real pixels counted with the pads swapped (ph on W, pw on H)":
                r = min(i * sh + PH, pw + H) - max(i * sh, pw)
                c = min(j * sw + PW, ph + W) - max(j * sw, ph)
                count = PH * PW if count_include_pad else r * c
            else:
                count = PH * PW if count_include_pad else ones[rows, cols].sum()
            if bug == "share[:, :, i, j] added without [:, :, None, None]":
                dxpad[:, :, rows, cols] += dout[:, :, i, j] / count
            else:
                dxpad[:, :, rows, cols] += (dout[:, :, i, j] / count)[:, :, None, None]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_bwd_taps(dout, cache):
    """Right, unusual: tap by tap, every window's share added through one strided slice of dxpad;
    the counts of real pixels from outer products of the real rows and columns per window."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    top, left = np.arange(Ho) * sh - ph, np.arange(Wo) * sw - pw  # window origins on x
    real_rows = np.minimum(top + PH, H) - np.maximum(top, 0)
    real_cols = np.minimum(left + PW, W) - np.maximum(left, 0)
    counts = PH * PW if count_include_pad else np.outer(real_rows, real_cols)
    share = dout / counts
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(PH):
        for q in range(PW):
            dxpad[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += share
    return dxpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd_loop,
    [
        "dx window assigned (=): overlapping shares overwritten",
        "padding not cut off: the padded dx returned",
        "padding cut with [ph:-ph, pw:-pw] (empty when a pad is 0)",
        "count_include_pad ignored in the backward: always PH * PW",
        "dout not divided by the count (the sum's gradient)",
        "shares added to an unpadded dx at padded coordinates",
    ],
)
CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd_batch,
    [
        "real pixels counted with the pads swapped (ph on W, pw on H)",
        "share[:, :, i, j] added without [:, :, None, None]",
    ],
)
CORPUS += [("avg_pool_backward_naive", "tap by tap through strided slices of the padded dx", avg_bwd_taps, None, True)]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_forward


def bn_fwd(x, gamma, beta, bn_param, bug=None):
    """First attempt: keepdims statistics over (0, 2, 3), the running statistics by the lesson's formula."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    if bug == "gamma[None, :, None, None]: breaks for gamma of shape (1, C, 1, 1)":
        g, b = gamma[None, :, None, None], beta[None, :, None, None]
    else:
        g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    axes = (2, 3) if bug == "statistics over (2, 3): per sample and channel (instance norm)" else (0, 2, 3)
    if mode == "train" or bug == "test mode normalizes with the batch statistics":
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
    else:
        mean, var = running_mean.reshape(1, C, 1, 1), running_var.reshape(1, C, 1, 1)
    if mode == "train" or bug == "running statistics updated in test mode too":
        batch_mean, batch_var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        if bug == "momentum the PyTorch way round: momentum * batch + (1 - momentum) * running":
            running_mean = momentum * batch_mean + (1 - momentum) * running_mean
            running_var = momentum * batch_var + (1 - momentum) * running_var
        elif bug == "running_var updated with the unbiased variance (PyTorch)":
            running_mean = momentum * running_mean + (1 - momentum) * batch_mean
            running_var = momentum * running_var + (1 - momentum) * x.var(axis=(0, 2, 3), ddof=1)
        else:
            running_mean = momentum * running_mean + (1 - momentum) * batch_mean
            running_var = momentum * running_var + (1 - momentum) * batch_var
        if bug != "running statistics computed but not stored in bn_param":
            bn_param["running_mean"] = running_mean
            bn_param["running_var"] = running_var
    if bug == "eps added outside the sqrt: (x - mean) / (std + eps)":
        inv_std = 1.0 / (np.sqrt(var) + eps)
    else:
        inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean) * inv_std
    out = g * xhat + b
    return out, (xhat, inv_std.reshape(-1), gamma, beta.shape, mode)


def bn_fwd_rows(x, gamma, beta, bn_param, bug=None):
    """Adapted from CS231n's fully connected batchnorm_forward, on the (N*H*W, C) matrix of rows."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(C, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(C, dtype=x.dtype))
    if bug == "x.reshape(-1, C) without the transpose: channels mixed in the columns":
        x_rows = x.reshape(-1, C)
    else:
        x_rows = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C)
    if mode == "train":
        sample_mean = x_rows.mean(axis=0)
        sample_var = x_rows.var(axis=0)
        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var
        bn_param["running_mean"] = running_mean
        bn_param["running_var"] = running_var
    else:
        sample_mean, sample_var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(sample_var + eps)
    xhat_rows = (x_rows - sample_mean) * inv_std
    out_rows = gamma.reshape(C) * xhat_rows + beta.reshape(C)
    if bug == "out_rows.reshape(N, C, H, W): reshaped back without the transpose":
        out = out_rows.reshape(N, C, H, W)
        xhat = xhat_rows.reshape(N, C, H, W)
    elif bug == "x.reshape(-1, C) without the transpose: channels mixed in the columns":
        out, xhat = out_rows.reshape(N, C, H, W), xhat_rows.reshape(N, C, H, W)
    else:
        out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
        xhat = xhat_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, (xhat, inv_std, gamma, beta.shape, mode)


def bn_fwd_channels(x, gamma, beta, bn_param):
    """Right, unusual: one channel at a time with np.mean / np.std, writing into bn_param's own arrays."""
    mode = bn_param["mode"]
    eps, m = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    if mode == "train":
        bn_param.setdefault("running_mean", np.zeros(C))
        bn_param.setdefault("running_var", np.ones(C))
    rm, rv = bn_param["running_mean"], bn_param["running_var"]
    out, xhat, inv_std = np.empty_like(x), np.empty_like(x), np.empty(C)
    g, b = np.ravel(gamma), np.ravel(beta)
    for c in range(C):
        xc = x[:, c]
        if mode == "train":
            mu, var = np.mean(xc), np.std(xc) ** 2
            rm[c] = m * rm[c] + (1 - m) * mu
            rv[c] = m * rv[c] + (1 - m) * var
        else:
            mu, var = rm[c], rv[c]
        inv_std[c] = 1 / np.sqrt(var + eps)
        xhat[:, c] = (xc - mu) * inv_std[c]
        out[:, c] = g[c] * xhat[:, c] + b[c]
    return out, (xhat, inv_std, gamma, np.shape(beta), mode)


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd,
    [
        "statistics over (2, 3): per sample and channel (instance norm)",
        "momentum the PyTorch way round: momentum * batch + (1 - momentum) * running",
        "running_var updated with the unbiased variance (PyTorch)",
        "running statistics computed but not stored in bn_param",
        "eps added outside the sqrt: (x - mean) / (std + eps)",
        "test mode normalizes with the batch statistics",
        "running statistics updated in test mode too",
        "gamma[None, :, None, None]: breaks for gamma of shape (1, C, 1, 1)",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd_rows,
    [
        "x.reshape(-1, C) without the transpose: channels mixed in the columns",
        "out_rows.reshape(N, C, H, W): reshaped back without the transpose",
    ],
)
CORPUS += [("spatial_batchnorm_forward", "per-channel loop with np.std ** 2", bn_fwd_channels, None, True)]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_backward


def bn_bwd(dout, cache, bug=None):
    """Second attempt: the lesson's compact form with keepdims means over (0, 2, 3)."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = xhat.shape
    axes = 0 if bug == "means over axis 0 only (fully connected batch norm's axis)" else (0, 2, 3)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    if bug == "dxhat = dout: gamma left out":
        dxhat = dout
    else:
        dxhat = dout * gamma.reshape(1, C, 1, 1)
    mean_dxhat = dxhat.mean(axis=axes, keepdims=True)
    mean_dxhat_xhat = (dxhat * xhat).mean(axis=axes, keepdims=True)
    if bug == "xhat term dropped (the path through the variance forgotten)":
        dx = (dxhat - mean_dxhat) * inv_std.reshape(1, C, 1, 1)
    else:
        dx = (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) * inv_std.reshape(1, C, 1, 1)
    if bug == "dgamma and dbeta swapped":
        dgamma, dbeta = dbeta, dgamma
    if bug == "dgamma, dbeta returned as (C,) when gamma was (1, C, 1, 1)":
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_shortcut(dout, cache, bug=None):
    """The lesson's shortcut: the means of dxhat and dxhat * xhat from dbeta and dgamma."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = xhat.shape
    M = N * H * W
    g = gamma.reshape(1, C, 1, 1)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    if bug == "gamma missing from the shortcut means (dbeta / M, dgamma / M)":
        mean_dxhat = (dbeta / M).reshape(1, C, 1, 1)
        mean_dxhat_xhat = (dgamma / M).reshape(1, C, 1, 1)
    else:
        mean_dxhat = g * (dbeta / M).reshape(1, C, 1, 1)
        mean_dxhat_xhat = g * (dgamma / M).reshape(1, C, 1, 1)
    dx = (dout * g - mean_dxhat - xhat * mean_dxhat_xhat) * inv_std.reshape(1, C, 1, 1)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_fwd_staged(x, gamma, beta, bn_param):
    """A student's own forward, CS231n's: the cache keeps x and the batch statistics for a staged backward."""
    mode = bn_param["mode"]
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    if mode == "train":
        mu = x.mean(axis=(0, 2, 3), keepdims=True)
        var = x.var(axis=(0, 2, 3), keepdims=True)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu.reshape(C)
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var.reshape(C)
    else:
        mu, var = running_mean.reshape(1, C, 1, 1), running_var.reshape(1, C, 1, 1)
    xhat = (x - mu) / np.sqrt(var + eps)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (x, mu, var, eps, gamma, beta.shape)


def bn_bwd_staged(dout, cache, bug=None):
    """Adapted from CS231n's staged batchnorm_backward (dvar, dmu, then dx), on the student's own cache."""
    x, mu, var, eps, gamma, beta_shape = cache
    N, C, H, W = x.shape
    M = N if bug == "M = N, the batch size, in dx's 1 / M terms (the fully connected count)" else N * H * W
    axes = (0, 2, 3)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    if bug == "dvar without the -1/2 of the derivative of (var + eps) ** -1/2":
        dvar = np.sum(dxhat * (x - mu), axis=axes, keepdims=True) * -((var + eps) ** -1.5)
    else:
        dvar = np.sum(dxhat * (x - mu), axis=axes, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = np.sum(-dxhat / std, axis=axes, keepdims=True) + dvar * np.mean(-2 * (x - mu), axis=axes, keepdims=True)
    if bug == "dmu / M term forgotten in dx":
        dx = dxhat / std + dvar * 2 * (x - mu) / M
    else:
        dx = dxhat / std + dvar * 2 * (x - mu) / M + dmu / M
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_jacobian(dout, cache):
    """Right, unusual: per channel, the full (M, M) Jacobian of xhat with respect to x, transposed onto dxhat."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = xhat.shape
    g = np.ravel(gamma)
    dx = np.empty_like(xhat)
    for c in range(C):
        xc = xhat[:, c].ravel()
        M = xc.size
        J = (np.eye(M) - 1.0 / M - np.outer(xc, xc) / M) * inv_std[c]  # J[i, j] = d xhat_i / d x_j
        dx[:, c] = (J.T @ (g[c] * dout[:, c].ravel())).reshape(N, H, W)
    dgamma = np.einsum("nchw,nchw->c", dout, xhat)
    dbeta = np.einsum("nchw->c", dout)
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd,
    [
        "dxhat = dout: gamma left out",
        "means over axis 0 only (fully connected batch norm's axis)",
        "xhat term dropped (the path through the variance forgotten)",
        "dgamma and dbeta swapped",
        "dgamma, dbeta returned as (C,) when gamma was (1, C, 1, 1)",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_backward", bn_bwd_shortcut, ["gamma missing from the shortcut means (dbeta / M, dgamma / M)"]
)
CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_staged,
    [
        "M = N, the batch size, in dx's 1 / M terms (the fully connected count)",
        "dvar without the -1/2 of the derivative of (var + eps) ** -1/2",
        "dmu / M term forgotten in dx",
    ],
    forward=bn_fwd_staged,
)
CORPUS += [("spatial_batchnorm_backward", "per-channel Jacobian matrix", bn_bwd_jacobian, None, True)]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_forward


def gn_fwd(x, gamma, beta, G, gn_param, bug=None):
    """The lesson's idea: x.reshape(N, G, -1), statistics along axis 2."""
    N, C, H, W = x.shape
    if bug == "gn_param['eps'] read without a default (KeyError for {})":
        eps = gn_param["eps"]
    else:
        eps = gn_param.get("eps", 1e-5)
    if bug == "x.reshape(N, C // G, -1): C // G groups of G channels":
        xg = x.reshape(N, C // G, -1)
    else:
        xg = x.reshape(N, G, -1)  # (N, G, C/G*H*W)
    mean = xg.mean(axis=2, keepdims=True)
    if bug == "unbiased variance (ddof=1, torch's x.var() default)":
        var = xg.var(axis=2, keepdims=True, ddof=1)
    else:
        var = xg.var(axis=2, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = ((xg - mean) * inv_std).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


def gn_fwd_paper(x, gamma, beta, G, gn_param, bug=None):
    """Adapted from the TensorFlow code of Wu & He's paper (Figure 3): a (N, G, C // G, H, W) view."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    if bug == "reshape(N, C // G, G, H, W) with moments over (1, 3, 4): interleaved groups":
        x5 = x.reshape(N, C // G, G, H, W)
        axes = (1, 3, 4)
    elif bug == "moments over (3, 4) of the 5-d view: per channel (instance norm)":
        x5 = x.reshape(N, G, C // G, H, W)
        axes = (3, 4)
    else:
        x5 = x.reshape(N, G, C // G, H, W)
        axes = (2, 3, 4)
    mean = x5.mean(axis=axes, keepdims=True)
    var = x5.var(axis=axes, keepdims=True)
    xhat = ((x5 - mean) / np.sqrt(var + eps)).reshape(N, C, H, W)
    if bug == "gamma (C,) broadcast against W: the paper's code assumes (1, C, 1, 1)":
        out = xhat * gamma + beta
    else:
        out = xhat * gamma.reshape(1, C, 1, 1) + beta.reshape(1, C, 1, 1)
    inv_std = (1.0 / np.sqrt(var + eps)).reshape(N, -1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


def gn_fwd_loop(x, gamma, beta, G, gn_param):
    """Right, unusual: a loop over the samples and the groups, each group's channels sliced out."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    Cg = C // G
    g, b = np.ravel(gamma), np.ravel(beta)
    xhat = np.empty_like(x)
    inv_std = np.empty((N, G, 1))
    for n in range(N):
        for k in range(G):
            block = x[n, k * Cg : (k + 1) * Cg]
            inv_std[n, k, 0] = 1 / np.sqrt(np.mean((block - block.mean()) ** 2) + eps)
            xhat[n, k * Cg : (k + 1) * Cg] = (block - block.mean()) * inv_std[n, k, 0]
    out = xhat * g[:, None, None] + b[:, None, None]
    return out, (xhat, inv_std, gamma, np.shape(beta), G)


CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd,
    [
        "x.reshape(N, C // G, -1): C // G groups of G channels",
        "gn_param['eps'] read without a default (KeyError for {})",
        "unbiased variance (ddof=1, torch's x.var() default)",
    ],
)
CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd_paper,
    [
        "reshape(N, C // G, G, H, W) with moments over (1, 3, 4): interleaved groups",
        "moments over (3, 4) of the 5-d view: per channel (instance norm)",
        "gamma (C,) broadcast against W: the paper's code assumes (1, C, 1, 1)",
    ],
)
CORPUS += [("spatial_groupnorm_forward", "loop over samples and groups", gn_fwd_loop, None, True)]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_backward


def gn_bwd(dout, cache, bug=None):
    """Batch norm's compact backward with the means over axis 2 of the (N, G, K) view."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = xhat.shape
    if bug == "dgamma, dbeta summed in the (N, G, K) view: one per group, not per channel":
        dbeta = dout.reshape(N, G, -1).sum(axis=(0, 2))
        dgamma = (dout * xhat).reshape(N, G, -1).sum(axis=(0, 2))
    else:
        dbeta = dout.sum(axis=(0, 2, 3))
        dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    xg = xhat.reshape(N, G, -1)
    axes = (0, 2) if bug == "means over axes (0, 2) of the (N, G, K) view: pooled over the batch" else 2
    if bug == "gamma pulled out after the means (batch norm's shortcut)":
        dg = dout.reshape(N, G, -1)
        dx = (dg - dg.mean(axis=axes, keepdims=True) - xg * (dg * xg).mean(axis=axes, keepdims=True)) * inv_std
        dx = dx.reshape(N, C, H, W) * gamma.reshape(1, C, 1, 1)
    else:
        dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
        dx = dxhat - dxhat.mean(axis=axes, keepdims=True) - xg * (dxhat * xg).mean(axis=axes, keepdims=True)
        if bug == "inv_std (N, G, 1) applied after reshaping back to (N, C, H, W)":
            return dx.reshape(N, C, H, W) * inv_std, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)
        dx = dx * inv_std
    if bug == "dx returned in the (N, G, K) view, not reshaped to (N, C, H, W)":
        return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)
    return dx.reshape(N, C, H, W), dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def gn_bwd_sums(dout, cache, bug=None):
    """The means written as sums over the group divided by its size."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = xhat.shape
    K = H * W if bug == "group size taken as H * W (one channel), not C // G * H * W" else C // G * H * W
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xg = xhat.reshape(N, G, -1)
    s1 = dxhat.sum(axis=2, keepdims=True) / K
    s2 = (dxhat * xg).sum(axis=2, keepdims=True) / K
    dx = (dxhat - s1 - xg * s2) * inv_std
    return dx.reshape(N, C, H, W), dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def gn_fwd_staged(x, gamma, beta, G, gn_param):
    """A student's own forward for a staged backward: caches x, the group means and variances."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    xhat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (x, mu, var, eps, gamma, beta.shape, G)


def gn_bwd_staged(dout, cache):
    """Right, unusual: CS231n's staged backward (dvar, dmu, then dx) per (sample, group), on the own cache."""
    x, mu, var, eps, gamma, beta_shape, G = cache
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    K = xg.shape[2]
    std = np.sqrt(var + eps)
    xhat = ((xg - mu) / std).reshape(N, C, H, W)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    dvar = np.sum(dxhat * (xg - mu), axis=2, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = -np.sum(dxhat, axis=2, keepdims=True) / std + dvar * np.mean(-2 * (xg - mu), axis=2, keepdims=True)
    dx = dxhat / std + dvar * 2 * (xg - mu) / K + dmu / K
    return dx.reshape(N, C, H, W), dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd,
    [
        "gamma pulled out after the means (batch norm's shortcut)",
        "means over axes (0, 2) of the (N, G, K) view: pooled over the batch",
        "inv_std (N, G, 1) applied after reshaping back to (N, C, H, W)",
        "dx returned in the (N, G, K) view, not reshaped to (N, C, H, W)",
        "dgamma, dbeta summed in the (N, G, K) view: one per group, not per channel",
    ],
)
CORPUS += _rows(
    "spatial_groupnorm_backward", gn_bwd_sums, ["group size taken as H * W (one channel), not C // G * H * W"]
)
CORPUS += [
    ("spatial_groupnorm_backward", "CS231n staged backward per group, own cache", gn_bwd_staged, gn_fwd_staged, True)
]
