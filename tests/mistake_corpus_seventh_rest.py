"""A seventh held-out corpus of student mistakes, its pooling and normalization half, written blind.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora, for ``max_pool_forward_naive``, ``max_pool_backward_naive``, ``avg_pool_forward_naive``,
``avg_pool_backward_naive``, ``spatial_batchnorm_forward``, ``spatial_batchnorm_backward``,
``spatial_groupnorm_forward`` and ``spatial_groupnorm_backward`` (the convolution half is written
separately). It measures how often the checker names a mistake it was never tuned to. Each wrong
row carries ONE mistake a student following lessons 4 to 6 could plausibly make, in rough
proportion to how often it happens: ``=`` for ``+=``, every tied maximum (or a share of it) getting
the gradient, the stride, the pad or a (h, w) pair mishandled in one place, the padding never added
or never cut off (``[ph:-ph]``), count_include_pad ignored or counted from nonzero values, CS231n's
reshape trick where it does not apply, buffered fancy-index ``+=``, writes through an overlapping
as_strided view, Python precedence, PyTorch's momentum and unbiased running variance, eps in the
wrong place or ignored, running statistics not stored, test mode with batch statistics, the
(N*H*W, C) rows without their transposes, gamma's (1, C, 1, 1) shape on the rows or returned as
(C,), dgamma and dbeta swapped, a sign, a factor 2 or a 1/M of the staged backward, gamma pulled out
of group norm's means, G read as the group size, channels-last (Keras) broadcasting.

The students: about half the rows are in the plain loop style of the stubs (the pooling loops,
per-channel and per-(sample, group) loops), the others vectorized (sliding_window_view, argmax +
np.unravel_index with np.add.at, strided tap slices, the compact batch-norm backward, CS231n's
(N*H*W, C) rows with batchnorm_backward_alt, the staged computational-graph backward with a cache
of its own, the (N, G, K) view). One correct helper per style per exercise; each bug is a branch of
it (``functools.partial(helper, bug=...)``). The rows with ``should_pass`` True are correct
implementations in unusual styles (np.maximum over tap slices, CS231n switches cached by the
forward, the first maximum found tap by tap without argmax, an integral image, np.add.at over
broadcast index grids, per-channel and per-group loops, group norm as batch norm of a reshaped x),
there to catch false FAILs.

``forward`` is None where the backward reads cnnlab's cache format (pooling ``(x, pool_param)``,
the norms ``(xhat, inv_std, gamma, beta.shape, mode)`` and ``(xhat, inv_std, gamma, beta.shape,
G)``), or the student's own correct forward where the backward relies on a cache of its own (the
switches, the staged backward passes). Batch norm's backward is meant for train mode only, as
lesson 5 says.

How it was written: blind to the checker, from the student edition of lessons 4, 5 and 6
(``lessons/04_max_pooling.ipynb``, ``05_batch_normalization.ipynb``, ``06_group_normalization.ipynb``:
explanations, stubs, docstrings), ``cnnlab/layers``, ``cnnlab/shapes.py``, ``cnnlab/geometry.py``,
``cnnlab/cases.py``, and the verify machinery (``tests/corpus_verify.py``,
``tests/verify_mistake_corpus_fourth.py``; of the earlier corpora only the format of
``tests/mistake_corpus_fourth.py`` was looked at). Nothing under ``cnnlab/exercises/`` or
``cnnlab/grading`` was read or run, nor the checker's tests or the earlier corpora's rows. Every
row was verified against cnnlab's reference implementations only, by
``tests/verify_mistake_corpus_seventh_rest.py``: each wrong row differs from the reference (a
wrong value, a wrong shape or an exception) on at least one input, each right row and each helper
with bug=None matches it to a relative error of 1e-8 on every input.

71 rows: 62 wrong, 9 right.

    exercise                     wrong  right
    max_pool_forward_naive           6      1
    max_pool_backward_naive          9      2
    avg_pool_forward_naive           7      1
    avg_pool_backward_naive          8      1
    spatial_batchnorm_forward       10      1
    spatial_batchnorm_backward      10      1
    spatial_groupnorm_forward        6      1
    spatial_groupnorm_backward       6      1

Of the 62 wrong rows, 27 are in loop style, 4 in the staged graph style, 31 vectorized.
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

# ---------------------------------------------------------------------------------------------
# avg_pool_forward_naive


def _pad_hw(a, ph, pw):
    return np.pad(a, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def ap_fwd(x, pool_param, bug=None):
    """Student A: the max-pool loops on a padded copy; real pixels counted on a padded array of ones."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "x itself windowed: the padding never added":
        xpad, inside = x, np.ones((H, W))
    elif bug == "np.pad widths ((ph, pw), (ph, pw)): (before, after) read as (height, width)":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, pw), (ph, pw)))
        inside = np.pad(np.ones((H, W)), ((ph, pw), (ph, pw)))
    else:
        xpad = _pad_hw(x, ph, pw)
        inside = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))  # 1 on x, 0 on the padding
    if bug == "the array of ones not padded: real pixels counted at unpadded positions":
        inside = np.ones((H, W))
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    window = xpad[n, c, rows, cols]
                    if count_include_pad or bug == "count_include_pad ignored: every window divided by PH*PW":
                        count = PH * PW
                    elif bug == "real pixels counted as the window's nonzero values (np.count_nonzero)":
                        count = np.count_nonzero(window)
                    else:
                        count = inside[rows, cols].sum()
                    out[n, c, i, j] = window.sum() / count
    return out, (x, pool_param)


def _real_counts(H, W, PH, PW, sh, sw, ph, pw, Ho, Wo, bug=None):
    """(Ho, Wo): each window's pixels on x, from its first row and column clipped to x."""
    r0, c0 = np.arange(Ho) * sh - ph, np.arange(Wo) * sw - pw  # first row / column, in x's coordinates
    if bug == "window starts in x's coordinates taken without the pad offset":
        r0, c0 = np.arange(Ho) * sh, np.arange(Wo) * sw
    r1, c1 = np.minimum(r0 + PH, H), np.minimum(c0 + PW, W)
    if bug == "window ends clipped at H - 1 and W - 1":
        r1, c1 = np.minimum(r0 + PH, H - 1), np.minimum(c0 + PW, W - 1)
    return np.outer(r1 - np.maximum(r0, 0), c1 - np.maximum(c0, 0))


def ap_fwd_view(x, pool_param, bug=None):
    """Student B: one sum over a strided window view of the padded x; the counts by formula."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    windows = sliding_window_view(_pad_hw(x, ph, pw), (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw]
    sums = windows.sum(axis=(-2, -1))  # (N, C, Ho, Wo)
    if count_include_pad:
        if bug == "sums / PH * PW (precedence: divided by PH, multiplied by PW)":
            return sums / PH * PW, (x, pool_param)
        return sums / (PH * PW), (x, pool_param)
    counts = _real_counts(H, W, PH, PW, sh, sw, ph, pw, Ho, Wo, bug)
    return sums / counts, (x, pool_param)


def ap_fwd_integral(x, pool_param):
    """Right: an integral image (cumulative sums) of the padded x, and one of the padded ones."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape

    def box_sums(a):  # a (..., Hp, Wp) -> (..., Ho, Wo) sums of every window
        S = np.zeros(a.shape[:-2] + (a.shape[-2] + 1, a.shape[-1] + 1))
        S[..., 1:, 1:] = a.cumsum(-2).cumsum(-1)
        r, c = np.arange(Ho) * sh, np.arange(Wo) * sw
        r, c = r[:, None], c[None, :]
        return S[..., r + PH, c + PW] - S[..., r, c + PW] - S[..., r + PH, c] + S[..., r, c]

    sums = box_sums(_pad_hw(x, ph, pw))
    counts = PH * PW if count_include_pad else np.rint(box_sums(np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))))
    return sums / counts, (x, pool_param)


CORPUS += _rows(
    "avg_pool_forward_naive",
    ap_fwd,
    [
        "x itself windowed: the padding never added",
        "count_include_pad ignored: every window divided by PH*PW",
        "real pixels counted as the window's nonzero values (np.count_nonzero)",
        "the array of ones not padded: real pixels counted at unpadded positions",
        "np.pad widths ((ph, pw), (ph, pw)): (before, after) read as (height, width)",
    ],
)
CORPUS += _rows(
    "avg_pool_forward_naive",
    ap_fwd_view,
    [
        "window starts in x's coordinates taken without the pad offset",
        "sums / PH * PW (precedence: divided by PH, multiplied by PW)",
    ],
)
CORPUS.append(_right("avg_pool_forward_naive", "integral image of the padded x", ap_fwd_integral))

# ---------------------------------------------------------------------------------------------
# avg_pool_backward_naive (cache (x, pool_param))


def ap_bwd(dout, cache, bug=None):
    """Student A: the forward's loops, adding each share into a padded dx, cut at the end."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    inside = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    if count_include_pad or bug == "count_include_pad ignored in the backward pass: PH*PW":
                        count = PH * PW
                    else:
                        count = inside[rows, cols].sum()
                    share = dout[n, c, i, j] / count
                    if bug == "dout not divided by the count (every pixel gets all of it)":
                        share = dout[n, c, i, j]
                    if bug == "dxpad[window] = share for += (overlapping windows keep the last share)":
                        dxpad[n, c, rows, cols] = share
                    else:
                        dxpad[n, c, rows, cols] += share
    if bug == "the padding never cut off (dxpad returned)":
        return dxpad
    if bug == "padding cut as dxpad[:, :, ph:-ph, pw:-pw] (empty when pad is 0)":
        return dxpad[:, :, ph:-ph, pw:-pw]
    if bug == "padding cut as dxpad[:, :, ph:H, pw:W]":
        return dxpad[:, :, ph:H, pw:W]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def ap_bwd_taps(dout, cache, bug=None):
    """Student B: the shares of all windows at once, added tap by tap with strided slices."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    counts = PH * PW if count_include_pad else _real_counts(H, W, PH, PW, sh, sw, ph, pw, Ho, Wo)
    share = dout / counts  # (N, C, Ho, Wo)
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    if bug == "+= through an as_strided window view of dxpad (overlapping windows keep one share)":
        s = dxpad.strides
        view = as_strided(dxpad, (N, C, Ho, Wo, PH, PW), (s[0], s[1], s[2] * sh, s[3] * sw, s[2], s[3]))
        view += share[..., None, None]
    else:
        for p in range(PH):
            for q in range(PW):
                r0, c0 = p, q
                if bug == "tap slices start at p*sh, q*sw (the stride applied to the tap offset)":
                    r0, c0 = p * sh, q * sw
                dxpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw] += share
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def ap_bwd_add_at(dout, cache):
    """Right: one np.add.at with broadcast (n, c, i, j, p, q) index grids."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    counts = PH * PW if count_include_pad else _real_counts(H, W, PH, PW, sh, sw, ph, pw, Ho, Wo)
    n, c, i, j, p, q = np.ix_(range(N), range(C), range(Ho), range(Wo), range(PH), range(PW))
    rows, cols = i * sh + p - ph, j * sw + q - pw  # in x's coordinates; padding outside 0..H-1
    full = (N, C, Ho, Wo, PH, PW)
    keep = np.broadcast_to((rows >= 0) & (rows < H) & (cols >= 0) & (cols < W), full)
    vals = np.broadcast_to((dout / counts)[..., None, None], full)
    idx = [np.broadcast_to(a, full)[keep] for a in (n, c, rows, cols)]
    dx = np.zeros_like(x)
    np.add.at(dx, tuple(idx), vals[keep])
    return dx


CORPUS += _rows(
    "avg_pool_backward_naive",
    ap_bwd,
    [
        "dout not divided by the count (every pixel gets all of it)",
        "dxpad[window] = share for += (overlapping windows keep the last share)",
        "count_include_pad ignored in the backward pass: PH*PW",
        "the padding never cut off (dxpad returned)",
        "padding cut as dxpad[:, :, ph:-ph, pw:-pw] (empty when pad is 0)",
        "padding cut as dxpad[:, :, ph:H, pw:W]",
    ],
)
CORPUS += _rows(
    "avg_pool_backward_naive",
    ap_bwd_taps,
    [
        "+= through an as_strided window view of dxpad (overlapping windows keep one share)",
        "tap slices start at p*sh, q*sw (the stride applied to the tap offset)",
    ],
)
CORPUS.append(_right("avg_pool_backward_naive", "np.add.at over broadcast index grids", ap_bwd_add_at))

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_forward


def bn_fwd(x, gamma, beta, bn_param, bug=None):
    """Student A: (C,) statistics over axes (0, 2, 3), reshaped to (1, C, 1, 1) to broadcast."""
    N, C, H, W = x.shape
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    if mode == "train":
        mean = x.mean(axis=(0, 2, 3))  # (C,)
        var = x.var(axis=(0, 2, 3))  # (C,), biased
        M = N * H * W
        var_for_running = var * M / (M - 1) if bug == "running_var fed the unbiased variance (PyTorch)" else var
        if bug == "momentum as PyTorch's: running = (1 - m) * running + m * batch":
            bn_param["running_mean"] = (1 - momentum) * running_mean + momentum * mean
            bn_param["running_var"] = (1 - momentum) * running_var + momentum * var_for_running
        else:
            bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean
            bn_param["running_var"] = momentum * running_var + (1 - momentum) * var_for_running
    elif mode == "test":
        mean, var = running_mean, running_var
    else:
        raise ValueError(f"Invalid forward batchnorm mode {mode!r}")
    if bug == "eps added outside the square root: sqrt(var) + eps":
        std = np.sqrt(var) + eps
    else:
        std = np.sqrt(var + eps)
    xhat = (x - mean.reshape(1, C, 1, 1)) / std.reshape(1, C, 1, 1)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, 1.0 / std, gamma, beta.shape, mode)


def bn_fwd_rows(x, gamma, beta, bn_param, bug=None):
    """Student B (CS231n): x as (N*H*W, C) rows, their fully connected batch norm, and back."""
    N, C, H, W = x.shape
    if bug == "x.reshape(-1, C) without the transpose (channels mixed), reshaped back the same way":
        rows = x.reshape(-1, C)
    else:
        rows = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C)
    g, b = (gamma, beta) if bug == "gamma and beta used as given on the rows" else (gamma.reshape(-1), beta.reshape(-1))
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(C, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(C, dtype=x.dtype))
    sample_mean, sample_var = rows.mean(axis=0), rows.var(axis=0)
    if mode == "train":
        mean, var = sample_mean, sample_var
        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var
    elif mode == "test":
        if bug == "test mode normalizes with the batch statistics (the running ones never used)":
            mean, var = sample_mean, sample_var
        else:
            mean, var = running_mean, running_var
    else:
        raise ValueError(f"Invalid forward batchnorm mode {mode!r}")
    if bug != "running statistics updated in local variables, never stored in bn_param":
        bn_param["running_mean"] = running_mean
        bn_param["running_var"] = running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat_rows = (rows - mean) * inv_std
    out_rows = g * xhat_rows + b
    if bug in (
        "x.reshape(-1, C) without the transpose (channels mixed), reshaped back the same way",
        "the rows reshaped back to (N, C, H, W) without transposing back",
    ):
        out, xhat = out_rows.reshape(N, C, H, W), xhat_rows.reshape(N, C, H, W)
    else:
        out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
        xhat = xhat_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, (xhat, inv_std, gamma, beta.shape, mode)


def bn_fwd_per_channel(x, gamma, beta, bn_param, bug=None):
    """Student C: a loop over the channels, statistics of x[:, c] by explicit sums (right as written)."""
    N, C, H, W = x.shape
    mode = bn_param["mode"]
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    rm = np.array(bn_param.get("running_mean", np.zeros(C)), dtype=float)
    if bug == "running_var starts at zeros when absent (np.zeros for both)":
        rv = np.array(bn_param.get("running_var", np.zeros(C)), dtype=float)
    else:
        rv = np.array(bn_param.get("running_var", np.ones(C)), dtype=float)
    g, b = np.ravel(gamma), np.ravel(beta)
    out, xhat, inv_std = np.empty_like(x), np.empty_like(x), np.empty(C)
    for c in range(C):
        xc = x[:, c]
        if mode == "train":
            mu = xc.sum() / xc.size
            var = ((xc - mu) ** 2).sum() / xc.size
            rm[c] = momentum * rm[c] + (1 - momentum) * mu
            rv[c] = momentum * rv[c] + (1 - momentum) * var
        else:
            mu, var = rm[c], rv[c]
        if bug == "test mode divides by sqrt(running_var), eps left out" and mode == "test":
            inv_std[c] = 1.0 / np.sqrt(var)
        else:
            inv_std[c] = 1.0 / np.sqrt(var + eps)
        xhat[:, c] = (xc - mu) * inv_std[c]
        out[:, c] = g[c] * xhat[:, c] + b[c]
    if mode == "train":
        bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return out, (xhat, inv_std, gamma, beta.shape, mode)


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd,
    [
        "momentum as PyTorch's: running = (1 - m) * running + m * batch",
        "running_var fed the unbiased variance (PyTorch)",
        "eps added outside the square root: sqrt(var) + eps",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd_rows,
    [
        "x.reshape(-1, C) without the transpose (channels mixed), reshaped back the same way",
        "the rows reshaped back to (N, C, H, W) without transposing back",
        "gamma and beta used as given on the rows",
        "running statistics updated in local variables, never stored in bn_param",
        "test mode normalizes with the batch statistics (the running ones never used)",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd_per_channel,
    [
        "test mode divides by sqrt(running_var), eps left out",
        "running_var starts at zeros when absent (np.zeros for both)",
    ],
)
CORPUS.append(_right("spatial_batchnorm_forward", "per-channel loop with explicit sums", bn_fwd_per_channel))

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_backward (train mode; cnnlab's cache (xhat, inv_std, gamma, beta.shape, mode)
# unless a row brings its own forward)


def bn_bwd(dout, cache, bug=None):
    """Student A: the compact form of lesson 5, means over (0, 2, 3) with keepdims."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    istd = inv_std.reshape(1, C, 1, 1)
    mean_dxhat = dxhat.mean(axis=(0, 2, 3), keepdims=True)
    mean_dxhat_xhat = (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
    if bug == "the xhat term added, not subtracted":
        dx = istd * (dxhat - mean_dxhat + xhat * mean_dxhat_xhat)
    elif bug == "the cached inv_std taken for the std: divided by it":
        dx = (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) / istd
    else:
        dx = istd * (dxhat - mean_dxhat - xhat * mean_dxhat_xhat)
    if bug == "dgamma and dbeta returned as (C,) whatever gamma's shape":
        return dx, dgamma, dbeta
    if bug == "dgamma and dbeta returned in each other's place":
        return dx, dbeta.reshape(gamma.shape), dgamma.reshape(beta_shape)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_rows(dout, cache, bug=None):
    """Student C (CS231n): the rows (N*H*W, C) and the fully connected batchnorm_backward_alt."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    if bug == "dout and xhat reshaped to rows without the transpose":
        d, xh = dout.reshape(-1, C), xhat.reshape(-1, C)
    else:
        d, xh = dout.transpose(0, 2, 3, 1).reshape(-1, C), xhat.transpose(0, 2, 3, 1).reshape(-1, C)
    M = d.shape[0]
    if bug == "the alt formula's N kept as the batch size N, not N*H*W":
        M = N
    dbeta = d.sum(axis=0)
    dgamma = (d * xh).sum(axis=0)
    g = gamma.reshape(-1)
    dx_rows = (g * inv_std / M) * (M * d - dbeta - xh * dgamma)
    if bug == "dout and xhat reshaped to rows without the transpose":
        dx = dx_rows.reshape(N, C, H, W)
    else:
        dx = dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_fwd_staged(x, gamma, beta, bn_param):
    """Student B's forward: keeps x and the statistics for a step-by-step backward."""
    N, C, H, W = x.shape
    mode, eps, momentum = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    if mode == "train":
        mu = x.mean(axis=(0, 2, 3), keepdims=True)
        var = ((x - mu) ** 2).mean(axis=(0, 2, 3), keepdims=True)
        rm, rv = bn_param.get("running_mean", np.zeros(C)), bn_param.get("running_var", np.ones(C))
        bn_param["running_mean"] = momentum * rm + (1 - momentum) * mu.reshape(C)
        bn_param["running_var"] = momentum * rv + (1 - momentum) * var.reshape(C)
    else:
        mu = bn_param["running_mean"].reshape(1, C, 1, 1)
        var = bn_param["running_var"].reshape(1, C, 1, 1)
    out = gamma.reshape(1, C, 1, 1) * (x - mu) / np.sqrt(var + eps) + beta.reshape(1, C, 1, 1)
    return out, (x, mu, var, eps, gamma, beta.shape)


def bn_bwd_staged(dout, cache, bug=None):
    """Student B: the computational graph backwards, node by node (dvar, dmu, then dx)."""
    x, mu, var, eps, gamma, beta_shape = cache
    N, C, H, W = x.shape
    M = N * H * W
    axes = (0, 2, 3)
    xmu = x - mu
    std = np.sqrt(var + eps)
    xhat = xmu / std
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * (x if bug == "dgamma summed with x, not xhat" else xhat)).sum(axis=axes)
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    dvar = (dxhat * xmu).sum(axis=axes, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = (-dxhat / std).sum(axis=axes, keepdims=True) + dvar * (-2.0 * xmu).mean(axis=axes, keepdims=True)
    two = 1.0 if bug == "the 2 of d(var)/dx = 2 (x - mu) / M dropped" else 2.0
    dx = dxhat / std + dvar * two * xmu / M
    dx = dx + (dmu if bug == "dmu added to dx without the 1 / M" else dmu / M)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def bn_bwd_per_channel(dout, cache, bug=None):
    """Student D: a loop over the channels, the compact formula from the sums dbeta and dgamma
    (right as written)."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N * H * W
    g = np.ravel(gamma)
    dx = np.empty_like(dout)
    dgamma, dbeta = np.empty(C), np.empty(C)
    for c in range(C):
        d, xh = dout[:, c], xhat[:, c]
        dbeta[c], dgamma[c] = d.sum(), (d * xh).sum()
        scale = inv_std[c] if bug == "gamma left out of dx (as if dxhat = dout)" else g[c] * inv_std[c]
        dx[:, c] = scale * (d - dbeta[c] / M - xh * dgamma[c] / M)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd,
    [
        "the xhat term added, not subtracted",
        "the cached inv_std taken for the std: divided by it",
        "dgamma and dbeta returned as (C,) whatever gamma's shape",
        "dgamma and dbeta returned in each other's place",
    ],
)
CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_staged,
    [
        "dgamma summed with x, not xhat",
        "the 2 of d(var)/dx = 2 (x - mu) / M dropped",
        "dmu added to dx without the 1 / M",
    ],
    forward=bn_fwd_staged,
)
CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd_rows,
    [
        "dout and xhat reshaped to rows without the transpose",
        "the alt formula's N kept as the batch size N, not N*H*W",
    ],
)
CORPUS += _rows("spatial_batchnorm_backward", bn_bwd_per_channel, ["gamma left out of dx (as if dxhat = dout)"])
CORPUS.append(_right("spatial_batchnorm_backward", "per-channel loop from dbeta and dgamma", bn_bwd_per_channel))

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_forward


def gn_fwd(x, gamma, beta, G, gn_param, bug=None):
    """Student A: lesson 6's one idea, x.reshape(N, G, -1), statistics along axis 2."""
    N, C, H, W = x.shape
    eps = 1e-5 if bug == "gn_param never read: eps always 1e-5" else gn_param.get("eps", 1e-5)
    if bug == "G taken as the channels per group: x.reshape(N, C // G, -1)":
        xg = x.reshape(N, C // G, -1)
    else:
        xg = x.reshape(N, G, -1)  # (N, G, C/G*H*W)
    mean = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True, ddof=1 if bug == "unbiased variance (ddof=1, torch.var's default)" else 0)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = ((xg - mean) * inv_std).reshape(N, C, H, W)
    if bug == "gamma and beta reshaped channels-last, (1, 1, 1, C) (Keras)":
        out = gamma.reshape(1, 1, 1, C) * xhat + beta.reshape(1, 1, 1, C)
    else:
        out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


def gn_fwd_loop(x, gamma, beta, G, gn_param, bug=None):
    """Student B: loops over the samples and the groups, one block x[n, channels of g] at a time."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    Cg = C // G
    xhat = np.zeros_like(x)
    inv_std = np.zeros((N, G, 1))
    for n in range(N):
        for g in range(G):
            chans = slice(g * Cg, (g + 1) * Cg)
            if bug == "group g sliced as channels g : g + C // G":
                chans = slice(g, g + Cg)
            block = x[n, chans]
            mu = block.mean()
            if bug == "eps added to the standard deviation: (block - mu) / (block.std() + eps)":
                inv_std[n, g] = 1.0 / (block.std() + eps)
            else:
                inv_std[n, g] = 1.0 / np.sqrt(block.var() + eps)
            xhat[n, chans] = (block - mu) * inv_std[n, g]
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, beta.shape, G)


def gn_fwd_as_batchnorm(x, gamma, beta, G, gn_param):
    """Right: group norm as batch norm (train mode, no gamma) of x viewed as (1, N*G, C/G*H*W, 1):
    each (sample, group) becomes one "channel"; then gamma and beta per real channel."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xb = x.reshape(1, N * G, -1, 1)
    mu = xb.mean(axis=(0, 2, 3), keepdims=True)
    var = xb.var(axis=(0, 2, 3), keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)  # (1, N*G, 1, 1)
    xhat = ((xb - mu) * inv_std).reshape(N, C, H, W)
    out = xhat * gamma.reshape(1, C, 1, 1) + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std.reshape(N, G, 1), gamma, beta.shape, G)


CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd,
    [
        "G taken as the channels per group: x.reshape(N, C // G, -1)",
        "unbiased variance (ddof=1, torch.var's default)",
        "gn_param never read: eps always 1e-5",
        "gamma and beta reshaped channels-last, (1, 1, 1, C) (Keras)",
    ],
)
CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd_loop,
    [
        "group g sliced as channels g : g + C // G",
        "eps added to the standard deviation: (block - mu) / (block.std() + eps)",
    ],
)
CORPUS.append(_right("spatial_groupnorm_forward", "batch norm of x viewed as (1, N*G, -1, 1)", gn_fwd_as_batchnorm))

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_backward (cnnlab's cache (xhat, inv_std, gamma, beta.shape, G) unless a row
# brings its own forward)


def gn_bwd(dout, cache, bug=None):
    """Student A: batch norm's compact form on the (N, G, K) view, gamma multiplied in first."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3))
    if bug == "dgamma summed from dxhat * xhat (gamma inside)":
        dgamma = (dout * gamma.reshape(1, C, 1, 1) * xhat).sum(axis=(0, 2, 3))
    else:
        dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    xh = xhat.reshape(N, G, -1)
    if bug == "gamma pulled out of the means (batch norm's shortcut)":
        d = dout.reshape(N, G, -1)
        dx = (d - d.mean(axis=2, keepdims=True) - xh * (d * xh).mean(axis=2, keepdims=True)) * inv_std
        dx = dx.reshape(N, C, H, W) * gamma.reshape(1, C, 1, 1)
    else:
        dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
        K = dxhat.shape[2]
        if bug == "the means' K taken as H*W (the group's C/G channels left out)":
            K = H * W
        m1 = dxhat.sum(axis=2, keepdims=True) / K
        m2 = (dxhat * xh).sum(axis=2, keepdims=True) / K
        dx = ((dxhat - m1 - xh * m2) * inv_std).reshape(N, C, H, W)
    if bug == "dgamma and dbeta returned as (C,) whatever gamma's shape":
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def gn_fwd_staged(x, gamma, beta, G, gn_param):
    """Student B's forward: keeps x and each group's mean and variance, (N, G, 1)."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    xhat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (x, mu, var, eps, gamma, beta.shape, G)


def gn_bwd_staged(dout, cache, bug=None):
    """Student B: the computational graph backwards on the (N, G, K) view."""
    x, mu, var, eps, gamma, beta_shape, G = cache
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    K = xg.shape[2]
    xmu = xg - mu
    std = np.sqrt(var + eps)
    xhat = (xmu / std).reshape(N, C, H, W)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    half = 1.0 if bug == "the -1/2 of d(var + eps)^(-1/2) dropped from dvar" else -0.5
    dvar = (dxhat * xmu).sum(axis=2, keepdims=True) * half * (var + eps) ** -1.5
    dmu = (-dxhat / std).sum(axis=2, keepdims=True) + dvar * (-2.0 * xmu).mean(axis=2, keepdims=True)
    dx = dxhat / std + dvar * 2.0 * xmu / K + dmu / K
    return dx.reshape(N, C, H, W), dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def gn_bwd_loop(dout, cache, bug=None):
    """Student C: loops over (sample, group), the compact formula on each block of C/G channels
    (right as written)."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    Cg = C // G
    g = np.ravel(gamma)
    dx = np.zeros_like(dout)
    for n in range(N):
        for k in range(G):
            chans = slice(k * Cg, (k + 1) * Cg)
            dxhat = dout[n, chans] * g[chans, None, None]
            xh = xhat[n, chans]
            dx[n, chans] = dxhat - dxhat.mean() - xh * (dxhat * xh).mean()
            if bug != "the block's dx never multiplied by its inv_std":
                dx[n, chans] *= inv_std[n, k, 0]
    dgamma = np.einsum("nchw,nchw->c", dout, xhat)
    dbeta = np.einsum("nchw->c", dout)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd,
    [
        "gamma pulled out of the means (batch norm's shortcut)",
        "the means' K taken as H*W (the group's C/G channels left out)",
        "dgamma and dbeta returned as (C,) whatever gamma's shape",
        "dgamma summed from dxhat * xhat (gamma inside)",
    ],
)
CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd_staged,
    ["the -1/2 of d(var + eps)^(-1/2) dropped from dvar"],
    forward=gn_fwd_staged,
)
CORPUS += _rows("spatial_groupnorm_backward", gn_bwd_loop, ["the block's dx never multiplied by its inv_std"])
CORPUS.append(_right("spatial_groupnorm_backward", "loops over (sample, group), einsum for dgamma", gn_bwd_loop))
