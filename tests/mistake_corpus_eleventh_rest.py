"""An eleventh held-out corpus of student mistakes, pooling and normalization half, written blind to the checker.

(Docstring completed at the end of the writing; see below.)
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
    ("max_pool_forward_naive", "reshape into PH x PW blocks (assumes stride == pool size)", max_fwd_blocks, None, False),
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
                    if bug == "row stride for the columns: j*sh + q":
                        c0 = j * sh
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
        "row stride for the columns: j*sh + q",
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
            if bug == "dout[:, :, i, j] not given the window's two axes":
                g = dout[:, :, i, j]
            else:
                g = dout[:, :, i, j][:, :, None, None]
            dx[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] += mask * g
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd_cs231n,
    ["mask of every maximum, win == win.max(keepdims=True)", "dout[:, :, i, j] not given the window's two axes"],
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
    _right("avg_pool_forward_naive", "summed-area table (cumsum twice), window sums from four corners", avg_fwd_integral),
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
            g = share[:, :, i, j, None, None]
            if bug == "the share divided by the count a second time":
                g = g / counts[i, j]
            dxpad[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] += g
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
    ["real rows not clipped at the bottom edge", "the share divided by the count a second time"],
)
CORPUS += [
    _right("avg_pool_backward_naive", "tap by tap, strided slices of the padded dx", avg_bwd_taps),
]
