"""A twelfth held-out corpus of student mistakes, the pooling and normalization half, written blind.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora, for ``max_pool_forward_naive``, ``max_pool_backward_naive``, ``avg_pool_forward_naive``,
``avg_pool_backward_naive``, ``spatial_batchnorm_forward``, ``spatial_batchnorm_backward``,
``spatial_groupnorm_forward`` and ``spatial_groupnorm_backward`` (the conv exercises are the other
half's). It measures how often the checker names a mistake it was never tuned to. Each wrong row
holds ONE mistake of the kind two sorts of student make most often:

- students who learned Python before NumPy: four nested loops, scalar indexing, their own helpers
  (a hand-written max scan, a real-pixel counter, a staged computational graph), and slips of
  Python semantics: range bounds and inclusive slice ends, ``//`` for ``/``, ``/ PH * PW``
  precedence, ``=`` for ``+=``, ``[ph:-ph]`` with a pad of 0, results kept in local variables;
- students who learned PyTorch before NumPy: whole-array code, and slips of NumPy semantics:
  broadcasting without keepdims or a reshape to (1, C, 1, 1), reshape for transpose, the wrong
  axis, ``max`` without an axis, fancy-index ``+=`` with repeated indices, ``np.pad`` with one
  pair, and PyTorch's conventions (momentum as the weight of the new value, its 0.1 default, the
  unbiased running variance, ``torch.var``'s ddof, first-maximum ties taken as "all maxima").

The rows with ``should_pass`` True are correct implementations in unusual styles (a sliding-window
view, a cached argmax with ``np.add.at``, an integral image, window-membership matrices, per-channel
and per-group loops, in-place running statistics, a full Jacobian per channel), there to catch
false FAILs.

``function`` is ``functools.partial(helper, bug=...)``: one correct helper per style and exercise,
each bug a branch. ``forward`` is None where the backward reads cnnlab's cache (pooling
``(x, pool_param)``, batch norm ``(xhat, inv_std, gamma, beta.shape, mode)``, group norm
``(xhat, inv_std, gamma, beta.shape, G)``, as the lessons' docstrings give them), or the student's
own correct forward where the backward relies on a cache of its own (a cached argmax; x and the
batch statistics for a staged graph). Batch norm's backward is meant for train mode only, as
lesson 5 says.

How it was written (2026, blind): from the student edition of lessons 4, 5 and 6
(``lessons/04_max_pooling.ipynb``, ``05_batch_normalization.ipynb``, ``06_group_normalization.ipynb``:
explanations, stubs, docstrings), ``cnnlab/layers``, ``cnnlab/shapes.py``, ``cnnlab/geometry.py``,
``cnnlab/cases.py``, ``tests/corpus_verify.py``, ``tests/verify_mistake_corpus_fourth.py`` and the
first 90 lines of ``tests/mistake_corpus_fourth.py`` (for the format only); without reading the
checker (``cnnlab/exercises/``), ``tests/student_impls.py``, ``tests/test_exercises.py``,
``tests/test_crashes.py``, ``tests/mistake_corpus.py`` or any other corpus, and without running the
check on any row. Every row was verified against cnnlab's reference implementations by
``tests/verify_mistake_corpus_twelfth_rest.py``: each wrong row differs from the reference (a wrong
value, a wrong shape, or an exception) on at least one input, each right row matches it to a
relative error of 1e-8 on every input.

75 rows: 66 wrong, 9 right.

    max_pool_forward_naive       7 wrong, 1 right
    max_pool_backward_naive     11 wrong, 1 right
    avg_pool_forward_naive       7 wrong, 1 right
    avg_pool_backward_naive      7 wrong, 1 right
    spatial_batchnorm_forward   11 wrong, 2 right
    spatial_batchnorm_backward  11 wrong, 1 right
    spatial_groupnorm_forward    6 wrong, 1 right
    spatial_groupnorm_backward   6 wrong, 1 right
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


def max_fwd(x, pool_param, bug=None):
    """Python-first student: four loops, explicit window corners."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    top, left = i * sh, j * sw
                    if bug == "window starts at (i, j): stride forgotten":
                        top, left = i, j
                    if bug == "stride pair swapped: rows step by sw, columns by sh":
                        top, left = i * sw, j * sh
                    bottom, right = top + PH, left + PW
                    if bug == "window ends at top + PH - 1 (inclusive end, slices exclude it)":
                        bottom, right = top + PH - 1, left + PW - 1
                    if bug == "pool height and width swapped in the window":
                        bottom, right = top + PW, left + PH
                    window = x[n, c, top:bottom, left:right]
                    out[n, c, i, j] = np.max(window)
    return out, (x, pool_param)


def max_fwd_vec(x, pool_param, bug=None):
    """PyTorch-first student: loops over output positions only, max over the window axes."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "reshape trick (N, C, H', PH, W', PW): assumes stride == pool size":
        out = x[:, :, : Ho * PH, : Wo * PW].reshape(N, C, Ho, PH, Wo, PW).max(axis=(3, 5))
        return out, (x, pool_param)
    if bug == "pool_param['stride'] used as is, not the (sh, sw) pair":
        sh = sw = pool_param["stride"]
    out = np.empty((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]  # (N, C, PH, PW)
            if bug == "np.max without an axis: one maximum for the whole batch":
                out[:, :, i, j] = win.max()
            else:
                out[:, :, i, j] = win.max(axis=(2, 3))
    return out, (x, pool_param)


def max_fwd_view(x, pool_param):
    """Right: a sliding-window view, subsampled by the stride."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, H', W', PH, PW)
    return view.max(axis=(-2, -1)), (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd,
    [
        "window starts at (i, j): stride forgotten",
        "stride pair swapped: rows step by sw, columns by sh",
        "window ends at top + PH - 1 (inclusive end, slices exclude it)",
        "pool height and width swapped in the window",
    ],
)
CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd_vec,
    [
        "reshape trick (N, C, H', PH, W', PW): assumes stride == pool size",
        "pool_param['stride'] used as is, not the (sh, sw) pair",
        "np.max without an axis: one maximum for the whole batch",
    ],
)
CORPUS += [
    ("max_pool_forward_naive", "sliding_window_view subsampled by the stride", max_fwd_view, None, True),
]

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive


def max_bwd(dout, cache, bug=None):
    """Python-first student, following the lesson: argmax, unravel, add."""
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
                    p, q = np.unravel_index(k, window.shape)
                    if bug == "own unravel: divmod(k, PH) instead of divmod(k, PW)":
                        p, q = divmod(k, PH)
                    if bug == "window offset forgotten: dx[n, c, p, q]":
                        dx[n, c, p, q] += dout[n, c, i, j]
                    elif bug == "offset i + p: stride forgotten in the backward only":
                        dx[n, c, i + p, j + q] += dout[n, c, i, j]
                    elif bug == "= instead of +=: a winner of several windows keeps the last":
                        dx[n, c, i * sh + p, j * sw + q] = dout[n, c, i, j]
                    else:
                        dx[n, c, i * sh + p, j * sw + q] += dout[n, c, i, j]
    return dx


def max_bwd_scan(dout, cache, bug=None):
    """Python-first student: finds each window's maximum with a hand-written scan."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best, bp, bq = -np.inf, 0, 0
                    if bug == "scan starts from best = 0: all-negative windows give (0, 0)":
                        best = 0.0
                    rows = range(PH - 1) if bug == "range(PH - 1): the window's last row never scanned" else range(PH)
                    for p in rows:
                        for q in range(PW):
                            v = x[n, c, i * sh + p, j * sw + q]
                            if bug == "v >= best: ties go to the last maximum":
                                better = v >= best
                            else:
                                better = v > best
                            if better:
                                best, bp, bq = v, p, q
                    dx[n, c, i * sh + bp, j * sw + bq] += dout[n, c, i, j]
    return dx


def max_bwd_mask(dout, cache, bug=None):
    """PyTorch-first student: a mask per window position, over all (n, c) at once, keeping only
    the first True of each window (a cumulative sum over the flattened window)."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "stride pair swapped in the backward":
        sh, sw = sw, sh
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            rs, cs = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
            win = x[:, :, rs, cs]  # (N, C, PH, PW)
            mask = win == win.max(axis=(2, 3), keepdims=True)
            if bug == "mask == max: every tied maximum gets the whole gradient":
                pass
            elif bug == "mask / mask.sum(): ties share the gradient evenly":
                mask = mask / mask.sum(axis=(2, 3), keepdims=True)
            else:
                flat = mask.reshape(N, C, -1)
                mask = (flat & (flat.cumsum(axis=2) == 1)).reshape(N, C, PH, PW)
            dx[:, :, rs, cs] += mask * dout[:, :, i, j][:, :, None, None]
    return dx


def max_bwd_scatter(dout, cache, bug=None):
    """PyTorch-first student: every window's argmax at once, then a scatter-add into dx."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, H', W', PH, PW)
    k = view.reshape(N, C, Ho, Wo, PH * PW).argmax(axis=-1)  # (N, C, H', W')
    p, q = np.divmod(k, PW)
    rows = np.arange(Ho).reshape(1, 1, Ho, 1) * sh + p
    cols = np.arange(Wo).reshape(1, 1, 1, Wo) * sw + q
    nn = np.arange(N).reshape(N, 1, 1, 1)
    cc = np.arange(C).reshape(1, C, 1, 1)
    dx = np.zeros_like(x)
    if bug == "dx[idx] += dout with fancy indices: a repeated winner counts once":
        dx[nn, cc, rows, cols] += dout
    else:
        np.add.at(dx, (nn, cc, rows, cols), dout)
    return dx


def max_fwd_argmax(x, pool_param):
    """A student's own forward that caches the flat argmax of every window."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    arg = np.zeros((N, C, Ho, Wo), dtype=int)
    for i in range(Ho):
        for j in range(Wo):
            flat = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1)
            arg[:, :, i, j] = flat.argmax(axis=2)
            out[:, :, i, j] = flat.max(axis=2)
    return out, (x, pool_param, arg)


def max_bwd_cached_argmax(dout, cache):
    """Right: the backward of max_fwd_argmax, one (n, c) plane at a time with np.add.at."""
    x, pool_param, arg = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    ii, jj = np.meshgrid(np.arange(Ho), np.arange(Wo), indexing="ij")
    for n in range(N):
        for c in range(C):
            p, q = arg[n, c] // PW, arg[n, c] % PW
            np.add.at(dx[n, c], (ii * sh + p, jj * sw + q), dout[n, c])
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd,
    [
        "own unravel: divmod(k, PH) instead of divmod(k, PW)",
        "window offset forgotten: dx[n, c, p, q]",
        "offset i + p: stride forgotten in the backward only",
        "= instead of +=: a winner of several windows keeps the last",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_scan,
    [
        "scan starts from best = 0: all-negative windows give (0, 0)",
        "range(PH - 1): the window's last row never scanned",
        "v >= best: ties go to the last maximum",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_mask,
    [
        "stride pair swapped in the backward",
        "mask == max: every tied maximum gets the whole gradient",
        "mask / mask.sum(): ties share the gradient evenly",
    ],
)
CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_scatter,
    ["dx[idx] += dout with fancy indices: a repeated winner counts once"],
)
CORPUS += [
    (
        "max_pool_backward_naive",
        "own forward caches the flat argmax; np.add.at per plane",
        max_bwd_cached_argmax,
        max_fwd_argmax,
        True,
    ),
]

# ---------------------------------------------------------------------------------------------
# avg_pool_forward_naive


def avg_fwd(x, pool_param, bug=None):
    """Python-first student, as the lesson says: pad x and an array of ones, loop, sum, divide."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    if bug == "np.pad(x, (ph, pw)) pads every axis, N and C too":
        xpad = np.pad(x, (ph, pw))
    if bug == "pad pair swapped in np.pad: rows padded by pw, columns by ph":
        xpad = np.pad(x, ((0, 0), (0, 0), (pw, pw), (ph, ph)))
    if bug == "x not padded: windows slide over x itself":
        xpad, ones = x, np.ones((H, W))
    if bug == "the array of ones not padded":
        ones = np.ones((H, W))
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rs, cs = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    count = PH * PW if count_include_pad else ones[rs, cs].sum()
                    if bug == "count_include_pad ignored: always PH * PW":
                        count = PH * PW
                    if bug == "// for /: floor division of the window's sum":
                        out[n, c, i, j] = xpad[n, c, rs, cs].sum() // count
                    else:
                        out[n, c, i, j] = xpad[n, c, rs, cs].sum() / count
    return out, (x, pool_param)


def _real_pixels(i, stride, kernel, pad, size, bug=None):
    """Rows (or columns) of window i that lie on x, not on the padding."""
    start = i * stride - pad
    if bug == "own real-pixel count forgets to subtract the pad":
        start = i * stride
    return min(start + kernel, size) - max(start, 0)


def avg_fwd_count(x, pool_param, bug=None):
    """Python-first student with a helper that counts each window's real pixels per axis."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            if count_include_pad:
                count = PH * PW
            else:
                count = _real_pixels(i, sh, PH, ph, H, bug) * _real_pixels(j, sw, PW, pw, W, bug)
            out[:, :, i, j] = xpad[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].sum(axis=(2, 3)) / count
    return out, (x, pool_param)


def avg_fwd_integral(x, pool_param):
    """Right: window sums from an integral image (2-D cumulative sum) of the padded x."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    S = np.pad(np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), ((0, 0), (0, 0), (1, 0), (1, 0)))
    S = S.cumsum(axis=2).cumsum(axis=3)  # S[..., a, b] = sum of xpad[..., :a, :b]
    r = np.arange(Ho) * sh
    c = np.arange(Wo) * sw
    sums = (
        S[:, :, r[:, None] + PH, c[None, :] + PW]
        - S[:, :, r[:, None], c[None, :] + PW]
        - S[:, :, r[:, None] + PH, c[None, :]]
        + S[:, :, r[:, None], c[None, :]]
    )
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
        "np.pad(x, (ph, pw)) pads every axis, N and C too",
        "pad pair swapped in np.pad: rows padded by pw, columns by ph",
        "x not padded: windows slide over x itself",
        "the array of ones not padded",
        "count_include_pad ignored: always PH * PW",
        "// for /: floor division of the window's sum",
    ],
)
CORPUS += _rows("avg_pool_forward_naive", avg_fwd_count, ["own real-pixel count forgets to subtract the pad"])
CORPUS += [
    ("avg_pool_forward_naive", "integral image of the padded input", avg_fwd_integral, None, True),
]

# ---------------------------------------------------------------------------------------------
# avg_pool_backward_naive


def avg_bwd(dout, cache, bug=None):
    """Python-first student, as the lesson says: a padded dx, += the share, crop."""
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
                    count = PH * PW if count_include_pad else ones[rs, cs].sum()
                    if bug == "count_include_pad ignored in the backward":
                        count = PH * PW
                    share = dout[n, c, i, j] / count
                    if bug == "the whole dout to every pixel: not divided by count":
                        share = dout[n, c, i, j]
                    if bug == "dout / PH * PW: operator precedence" and count_include_pad:
                        share = dout[n, c, i, j] / PH * PW
                    if bug == "= instead of +=: overlapping shares overwritten":
                        dxpad[n, c, rs, cs] = share
                    else:
                        dxpad[n, c, rs, cs] += share
    if bug == "cropped with [ph:-ph, pw:-pw]: empty when the pad is 0":
        return dxpad[:, :, ph:-ph, pw:-pw]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_bwd_vec(dout, cache, bug=None):
    """PyTorch-first student: loops over output positions, all (n, c) at once."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for i in range(Ho):
        for j in range(Wo):
            rs, cs = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
            count = PH * PW if count_include_pad else ones[rs, cs].sum()
            share = dout[:, :, i, j] / count  # (N, C)
            if bug == "share (N, C) not expanded to (N, C, 1, 1) before +=":
                dxpad[:, :, rs, cs] += share
            else:
                dxpad[:, :, rs, cs] += share[:, :, None, None]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_bwd_direct(dout, cache, bug=None):
    """Python-first student: no padded buffer, each window clipped to x."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            top, left = i * sh - ph, j * sw - pw
            if bug == "pad offset forgotten: windows placed on x as if unpadded":
                top, left = i * sh, j * sw
            r0, r1 = max(top, 0), min(top + PH, H)
            c0, c1 = max(left, 0), min(left + PW, W)
            count = PH * PW if count_include_pad else (r1 - r0) * (c1 - c0)
            dx[:, :, r0:r1, c0:c1] += (dout[:, :, i, j] / count)[:, :, None, None]
    return dx


def avg_bwd_matrices(dout, cache):
    """Right: dxpad = A_h^T (dout / count) A_w with 0/1 window-membership matrices per axis."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    Ah = np.zeros((Ho, H + 2 * ph))
    Aw = np.zeros((Wo, W + 2 * pw))
    for i in range(Ho):
        Ah[i, i * sh : i * sh + PH] = 1
    for j in range(Wo):
        Aw[j, j * sw : j * sw + PW] = 1
    if count_include_pad:
        counts = PH * PW
    else:
        counts = np.outer(Ah[:, ph : ph + H].sum(axis=1), Aw[:, pw : pw + W].sum(axis=1))
    dxpad = np.einsum("ia,ncij,jb->ncab", Ah, dout / counts, Aw)
    return dxpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd,
    [
        "count_include_pad ignored in the backward",
        "the whole dout to every pixel: not divided by count",
        "dout / PH * PW: operator precedence",
        "= instead of +=: overlapping shares overwritten",
        "cropped with [ph:-ph, pw:-pw]: empty when the pad is 0",
    ],
)
CORPUS += _rows("avg_pool_backward_naive", avg_bwd_vec, ["share (N, C) not expanded to (N, C, 1, 1) before +="])
CORPUS += _rows("avg_pool_backward_naive", avg_bwd_direct, ["pad offset forgotten: windows placed on x as if unpadded"])
CORPUS += [
    ("avg_pool_backward_naive", "window-membership matrices per axis, one einsum", avg_bwd_matrices, None, True),
]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_forward


def bn_fwd(x, gamma, beta, bn_param, bug=None):
    """PyTorch-first student: whole-array statistics over (0, 2, 3), dict.get for the defaults."""
    N, C, H, W = x.shape
    M = N * H * W
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.1 if bug == "momentum default 0.1, PyTorch's" else 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    if mode == "train" or bug == "test mode normalizes with the batch statistics":
        axes = 0 if bug == "statistics over axis 0 only, as fully connected batch norm" else (0, 2, 3)
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        if mode == "train":
            batch_var = var * M / (M - 1) if bug == "running_var fed the unbiased variance (PyTorch)" else var
            if bug == "momentum the PyTorch way: (1 - m) * running + m * batch":
                new_mean = (1 - momentum) * running_mean + momentum * mean
                new_var = (1 - momentum) * running_var + momentum * batch_var
            else:
                new_mean = momentum * running_mean + (1 - momentum) * mean
                new_var = momentum * running_var + (1 - momentum) * batch_var
            if bug == "running statistics updated in local variables, not stored in bn_param":
                running_mean, running_var = new_mean, new_var
            else:
                bn_param["running_mean"], bn_param["running_var"] = new_mean, new_var
    else:
        mean, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    if bug == "eps added to the std: 1 / (sqrt(var) + eps)":
        inv_std = 1.0 / (np.sqrt(var) + eps)
    if bug in (
        "statistics over axis 0 only, as fully connected batch norm",  # mean (C, H, W) broadcasts as is
        "mean and inv_std (C,) not reshaped: broadcast along W",
    ):
        xhat = (x - mean) * inv_std
    else:
        xhat = (x - mean.reshape(1, C, 1, 1)) * inv_std.reshape(1, C, 1, 1)
    if bug == "gamma[None, :, None, None]: breaks for gamma of shape (1, C, 1, 1)":
        g, b = gamma[None, :, None, None], beta[None, :, None, None]
    else:
        g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    out = g * xhat + b
    return out, (xhat, inv_std, gamma, beta.shape, mode)


def bn_fwd_2d(x, gamma, beta, bn_param, bug=None):
    """Student reusing fully connected batch norm on the (N*H*W, C) matrix, as the lesson suggests."""
    N, C, H, W = x.shape
    if bug == "x.reshape(-1, C) and back by reshape(N, C, H, W), no transpose":
        x2 = x.reshape(-1, C)
    else:
        x2 = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C)
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    if bn_param["mode"] == "train":
        mean, var = x2.mean(axis=0), x2.var(axis=0)
        rm = bn_param.setdefault("running_mean", np.zeros(C))
        rv = bn_param.setdefault("running_var", np.ones(C))
        bn_param["running_mean"] = momentum * rm + (1 - momentum) * mean
        bn_param["running_var"] = momentum * rv + (1 - momentum) * var
    else:
        mean, var = bn_param["running_mean"], bn_param["running_var"]
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat2 = (x2 - mean) * inv_std
    out2 = gamma.reshape(C) * xhat2 + beta.reshape(C)
    if bug == "x.reshape(-1, C) and back by reshape(N, C, H, W), no transpose":
        out, xhat = out2.reshape(N, C, H, W), xhat2.reshape(N, C, H, W)
    elif bug == "back to NCHW by out2.reshape(N, C, H, W), no transpose":
        out, xhat = out2.reshape(N, C, H, W), xhat2.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    else:
        out, xhat = out2.reshape(N, H, W, C).transpose(0, 3, 1, 2), xhat2.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, (xhat, inv_std, gamma, beta.shape, bn_param["mode"])


def bn_fwd_loops(x, gamma, beta, bn_param):
    """Right: Python-first student, one channel at a time, mean and variance by hand."""
    N, C, H, W = x.shape
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.9)
    train = bn_param["mode"] == "train"
    old_mean = bn_param.get("running_mean", np.zeros(C))
    old_var = bn_param.get("running_var", np.ones(C))
    out = np.empty_like(x)
    xhat = np.empty_like(x)
    inv_std = np.empty(C)
    new_mean, new_var = [], []
    for c in range(C):
        values = x[:, c, :, :].ravel()
        if train:
            mu = values.sum() / values.size
            var = ((values - mu) ** 2).sum() / values.size
            new_mean.append(m * old_mean[c] + (1 - m) * mu)
            new_var.append(m * old_var[c] + (1 - m) * var)
        else:
            mu, var = old_mean[c], old_var[c]
        inv_std[c] = 1 / (var + eps) ** 0.5
        xhat[:, c] = (x[:, c] - mu) * inv_std[c]
        out[:, c] = gamma.ravel()[c] * xhat[:, c] + beta.ravel()[c]
    if train:
        bn_param["running_mean"] = np.array(new_mean)
        bn_param["running_var"] = np.array(new_var)
    return out, (xhat, inv_std, gamma, beta.shape, bn_param["mode"])


def bn_fwd_inplace(x, gamma, beta, bn_param):
    """Right: channels first by np.moveaxis, running statistics updated in place (*=, +=) as
    PyTorch updates its buffers."""
    N, C, H, W = x.shape
    eps, m = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    xc = np.moveaxis(x, 1, 0).reshape(C, -1)  # (C, N*H*W)
    if bn_param["mode"] == "train":
        mean, var = xc.mean(axis=1), xc.var(axis=1)
        rm = bn_param.setdefault("running_mean", np.zeros(C))
        rv = bn_param.setdefault("running_var", np.ones(C))
        rm *= m
        rm += (1 - m) * mean
        rv *= m
        rv += (1 - m) * var
    else:
        mean, var = bn_param["running_mean"], bn_param["running_var"]
    inv_std = (var + eps) ** -0.5
    xhat = np.moveaxis(((xc - mean[:, None]) * inv_std[:, None]).reshape(C, N, H, W), 0, 1)
    out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    return out, (xhat, inv_std, gamma, beta.shape, bn_param["mode"])


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd,
    [
        "momentum the PyTorch way: (1 - m) * running + m * batch",
        "momentum default 0.1, PyTorch's",
        "running_var fed the unbiased variance (PyTorch)",
        "running statistics updated in local variables, not stored in bn_param",
        "test mode normalizes with the batch statistics",
        "statistics over axis 0 only, as fully connected batch norm",
        "eps added to the std: 1 / (sqrt(var) + eps)",
        "mean and inv_std (C,) not reshaped: broadcast along W",
        "gamma[None, :, None, None]: breaks for gamma of shape (1, C, 1, 1)",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd_2d,
    [
        "x.reshape(-1, C) and back by reshape(N, C, H, W), no transpose",
        "back to NCHW by out2.reshape(N, C, H, W), no transpose",
    ],
)
CORPUS += [
    ("spatial_batchnorm_forward", "per-channel loops, statistics by hand", bn_fwd_loops, None, True),
    ("spatial_batchnorm_forward", "np.moveaxis; running statistics updated in place", bn_fwd_inplace, None, True),
]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_backward (train mode; the cache of the reference unless a row brings its own)


def bn_bwd(dout, cache, bug=None):
    """PyTorch-first student: the compact formula, whole arrays, keepdims means."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    axes = 0 if bug == "dbeta and dgamma summed over axis 0 only" else (0, 2, 3)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    g = gamma.reshape(1, C, 1, 1)
    s = inv_std.reshape(1, C, 1, 1)
    dxhat = dout if bug == "gamma left out of dx: dxhat = dout" else dout * g
    mean_dxhat = dxhat.mean(axis=(0, 2, 3), keepdims=True)
    mean_dxhat_xhat = (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
    if bug == "the mean(dxhat) term dropped":
        mean_dxhat = 0.0
    if bug == "the xhat * mean(dxhat * xhat) term dropped":
        mean_dxhat_xhat = 0.0
    if bug == "statistics treated as constants in train mode: dx = dout * gamma * inv_std":
        mean_dxhat = mean_dxhat_xhat = 0.0
    if bug == "divided by inv_std: dx multiplied by the std":
        dx = (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) / s
    else:
        dx = (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) * s
    if bug == "dgamma and dbeta returned as (C,) whatever gamma's shape":
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_short(dout, cache, bug=None):
    """Student using the lesson's shortcut: the two means from dbeta and dgamma."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N if bug == "M = N in the shortcut: the fully connected count" else N * H * W
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    gc = gamma.reshape(C)
    dx = (gc * inv_std).reshape(1, C, 1, 1) * (
        dout - (dbeta / M).reshape(1, C, 1, 1) - xhat * (dgamma / M).reshape(1, C, 1, 1)
    )
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_fwd_keep_x(x, gamma, beta, bn_param):
    """A student's own (correct) forward that caches x and the batch statistics for a staged backward."""
    N, C, H, W = x.shape
    eps, m = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    if bn_param["mode"] == "train":
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        bn_param["running_mean"] = m * bn_param.get("running_mean", np.zeros(C)) + (1 - m) * mean
        bn_param["running_var"] = m * bn_param.get("running_var", np.ones(C)) + (1 - m) * var
    else:
        mean, var = bn_param["running_mean"], bn_param["running_var"]
    mu, v = mean.reshape(1, C, 1, 1), var.reshape(1, C, 1, 1)
    out = gamma.reshape(1, C, 1, 1) * (x - mu) / np.sqrt(v + eps) + beta.reshape(1, C, 1, 1)
    return out, (x, mu, v, eps, gamma, beta.shape)


def bn_bwd_staged(dout, cache, bug=None):
    """Python-first student: CS231n's computational graph, one node at a time."""
    x, mu, var, eps, gamma, beta_shape = cache
    N, C, H, W = x.shape
    M = N * H * W
    ax = (0, 2, 3)
    xc = x - mu
    std = np.sqrt(var + eps)
    dbeta = dout.sum(axis=ax)
    dgamma = (dout * xc / std).sum(axis=ax)
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    power = -0.5 if bug == "dvar with (var + eps) ** -0.5 instead of ** -1.5" else -1.5
    dvar = (dxhat * xc * -0.5 * (var + eps) ** power).sum(axis=ax, keepdims=True)
    if bug == "dmu's sign flipped: + dxhat / std":
        dmu = (dxhat / std).sum(axis=ax, keepdims=True) + dvar * (-2 * xc).mean(axis=ax, keepdims=True)
    else:
        dmu = (-dxhat / std).sum(axis=ax, keepdims=True) + dvar * (-2 * xc).mean(axis=ax, keepdims=True)
    dx = dxhat / std + dvar * 2 * xc / M + dmu / M
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_2d(dout, cache, bug=None):
    """Student reusing fully connected batch norm's backward on the (N*H*W, C) matrix."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    if bug == "dout and xhat flattened by reshape(-1, C), no transpose":
        d2, xh2 = dout.reshape(-1, C), xhat.reshape(-1, C)
    else:
        d2, xh2 = dout.transpose(0, 2, 3, 1).reshape(-1, C), xhat.transpose(0, 2, 3, 1).reshape(-1, C)
    dbeta = d2.sum(axis=0)
    dgamma = (d2 * xh2).sum(axis=0)
    dxhat = d2 * gamma.reshape(C)
    dx2 = inv_std * (dxhat - dxhat.mean(axis=0) - xh2 * (dxhat * xh2).mean(axis=0))
    if bug == "dout and xhat flattened by reshape(-1, C), no transpose":
        dx = dx2.reshape(N, C, H, W)
    else:
        dx = dx2.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_jacobian(dout, cache):
    """Right: one channel at a time, the full Jacobian of xhat with respect to x, transposed."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N * H * W
    dx = np.empty_like(dout)
    for c in range(C):
        xh = xhat[:, c].ravel()
        J = (np.eye(M) - 1.0 / M - np.outer(xh, xh) / M) * inv_std[c]  # J[i, j] = d xhat_i / d x_j
        dx[:, c] = (J.T @ (gamma.ravel()[c] * dout[:, c].ravel())).reshape(N, H, W)
    dgamma = np.array([(dout[:, c] * xhat[:, c]).sum() for c in range(C)])
    dbeta = np.array([dout[:, c].sum() for c in range(C)])
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd,
    [
        "dbeta and dgamma summed over axis 0 only",
        "gamma left out of dx: dxhat = dout",
        "the mean(dxhat) term dropped",
        "the xhat * mean(dxhat * xhat) term dropped",
        "statistics treated as constants in train mode: dx = dout * gamma * inv_std",
        "divided by inv_std: dx multiplied by the std",
        "dgamma and dbeta returned as (C,) whatever gamma's shape",
    ],
)
CORPUS += _rows("spatial_batchnorm_backward", bn_bwd_short, ["M = N in the shortcut: the fully connected count"])
CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_staged,
    ["dvar with (var + eps) ** -0.5 instead of ** -1.5", "dmu's sign flipped: + dxhat / std"],
    forward=bn_fwd_keep_x,
)
CORPUS += _rows("spatial_batchnorm_backward", bn_bwd_2d, ["dout and xhat flattened by reshape(-1, C), no transpose"])
CORPUS += [
    ("spatial_batchnorm_backward", "per-channel Jacobian matrix, transposed", bn_bwd_jacobian, None, True),
]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_forward


def gn_fwd(x, gamma, beta, G, gn_param, bug=None):
    """PyTorch-first student, as the lesson says: x.reshape(N, G, -1), statistics along axis 2."""
    N, C, H, W = x.shape
    eps = 1e-5 if bug == "eps hard-coded 1e-5: gn_param's eps ignored" else gn_param.get("eps", 1e-5)
    if bug == "statistics per channel over (H, W), whatever G":
        mean = x.mean(axis=(2, 3), keepdims=True)
        var = x.var(axis=(2, 3), keepdims=True)
        inv_std = 1.0 / np.sqrt(var + eps)
        xhat = (x - mean) * inv_std
    else:
        xg = (
            x.reshape(N, C // G, -1)
            if bug == "x.reshape(N, C // G, -1): group size for the number of groups"
            else x.reshape(N, G, -1)
        )
        axis = 1 if bug == "mean and var over axis 1 of the (N, G, K) view" else 2
        mean = xg.mean(axis=axis, keepdims=True)
        var = xg.var(
            axis=axis, keepdims=True, ddof=1 if bug == "ddof=1: the unbiased variance, torch.var's habit" else 0
        )
        if bug == "eps added to the std: 1 / (sqrt(var) + eps)":
            inv_std = 1.0 / (np.sqrt(var) + eps)
        else:
            inv_std = 1.0 / np.sqrt(var + eps)
        xhat = ((xg - mean) * inv_std).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


def gn_fwd_loops(x, gamma, beta, G, gn_param):
    """Right: Python-first student, one (sample, group) slice of channels at a time."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    per = C // G
    gam, bet = np.ravel(gamma), np.ravel(beta)
    xhat = np.empty_like(x)
    inv_std = np.empty((N, G, 1))
    for n in range(N):
        for g in range(G):
            chunk = x[n, g * per : (g + 1) * per]  # (C/G, H, W)
            mu = chunk.mean()
            inv_std[n, g, 0] = 1 / np.sqrt(((chunk - mu) ** 2).mean() + eps)
            xhat[n, g * per : (g + 1) * per] = (chunk - mu) * inv_std[n, g, 0]
    out = np.empty_like(x)
    for c in range(C):
        out[:, c] = gam[c] * xhat[:, c] + bet[c]
    return out, (xhat, inv_std, gamma, beta.shape, G)


CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd,
    [
        "x.reshape(N, C // G, -1): group size for the number of groups",
        "mean and var over axis 1 of the (N, G, K) view",
        "statistics per channel over (H, W), whatever G",
        "eps added to the std: 1 / (sqrt(var) + eps)",
        "ddof=1: the unbiased variance, torch.var's habit",
        "eps hard-coded 1e-5: gn_param's eps ignored",
    ],
)
CORPUS += [
    ("spatial_groupnorm_forward", "loops over (sample, group) channel slices", gn_fwd_loops, None, True),
]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_backward


def gn_bwd(dout, cache, bug=None):
    """PyTorch-first student: batch norm's compact formula on the (N, G, K) view."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    if bug == "dgamma and dbeta summed per group, (G,), not per channel":
        dbeta = dout.reshape(N, G, -1).sum(axis=(0, 2))
        dgamma = (dout * xhat).reshape(N, G, -1).sum(axis=(0, 2))
    else:
        dbeta = dout.sum(axis=(0, 2, 3))
        dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    Gv = C // G if bug == "reshape(N, C // G, -1) in the backward" else G
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    if bug == "gamma pulled out of the means (batch norm's shortcut)":
        dy, xh = dout.reshape(N, Gv, -1), xhat.reshape(N, Gv, -1)
        core = (dy - dy.mean(axis=2, keepdims=True) - xh * (dy * xh).mean(axis=2, keepdims=True)) * inv_std
        dx = core.reshape(N, C, H, W) * gamma.reshape(1, C, 1, 1)
        return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)
    if bug == "means over (N, H, W) per channel, as in batch norm":
        core = (
            dxhat
            - dxhat.mean(axis=(0, 2, 3), keepdims=True)
            - xhat * (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
        )
        dx = (core.reshape(N, G, -1) * inv_std).reshape(N, C, H, W)
        return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)
    dxg, xh = dxhat.reshape(N, Gv, -1), xhat.reshape(N, Gv, -1)
    m1 = dxg.mean(axis=2, keepdims=True)
    m2 = (dxg * xh).mean(axis=2, keepdims=True)
    if bug == "the xhat * mean(dxhat * xhat) term dropped":
        m2 = 0.0
    core = dxg - m1 - xh * m2
    if bug == "inv_std (N, G, 1) applied after reshaping back to (N, C, H, W)":
        dx = core.reshape(N, C, H, W) * inv_std
    else:
        dx = (core * inv_std).reshape(N, C, H, W)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def gn_bwd_loops(dout, cache):
    """Right: one (sample, group) at a time, the formula written out on flat vectors."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    per = C // G
    gam = np.ravel(gamma)
    dx = np.zeros_like(dout)
    for n in range(N):
        for g in range(G):
            chans = slice(g * per, (g + 1) * per)
            dxh = (dout[n, chans] * gam[chans, None, None]).ravel()
            xh = xhat[n, chans].ravel()
            K = xh.size
            d = (dxh - dxh.sum() / K - xh * (dxh @ xh) / K) * inv_std[n, g, 0]
            dx[n, chans] = d.reshape(per, H, W)
    dgamma = np.einsum("nchw,nchw->c", dout, xhat)
    dbeta = np.einsum("nchw->c", dout)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd,
    [
        "gamma pulled out of the means (batch norm's shortcut)",
        "means over (N, H, W) per channel, as in batch norm",
        "the xhat * mean(dxhat * xhat) term dropped",
        "dgamma and dbeta summed per group, (G,), not per channel",
        "reshape(N, C // G, -1) in the backward",
        "inv_std (N, G, 1) applied after reshaping back to (N, C, H, W)",
    ],
)
CORPUS += [
    ("spatial_groupnorm_backward", "loops over (sample, group), flat vectors", gn_bwd_loops, None, True),
]
