"""An eleventh held-out corpus of student mistakes, convolution half, written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora, for the exercises of lessons 1, 2, 3 and 7: ``conv_output_size``, ``conv_forward_naive``,
``conv_backward_naive``, ``im2col``, ``col2im``, ``conv_forward_im2col``, ``conv_backward_im2col`` and
``three_layer_convnet_loss`` (the pooling and normalization exercises are the other half's). It is
meant to measure how often the checker names a mistake it was never tuned to. Each wrong row is one
student's submitted function with the one bug that survived: an operator-precedence slip, a - 1 or
the dilation left out of the output size, a clamp or an exception where the lesson says to return
the number, an (h, w) pair half used, a window sliced from x instead of xpad, a flipped kernel, the
bias broadcast over the wrong axis or added once per tap, ``=`` for ``+=``, a fancy-indexed ``+=``
where ``np.add.at`` was needed, the padding cut with ``ph:-ph``, a reshape without the transpose it
needed (sliding_window_view, CS231n's flattened batch, a (K, F) gradient), arguments to one's own
im2col or col2im swapped or forgotten, col2im taken for an inverse, and in the network the usual
regularization and wiring slips. The rows with ``should_pass`` True are correct implementations in
less usual styles (math.floor of a float division, per-tap einsum, index arrays with np.add.at,
tensordot, CS231n's flattened batch, a network written largely by hand), there to catch false FAILs.
Several helpers per exercise give the varied styles of a lab section: the stubs' loops, loops over
the taps, sliding_window_view, index arrays, einsum, tensordot and matmul.

How it was written: blind. From the student edition of lessons 1, 2, 3 and 7 (explanations, stubs,
docstrings), ``cnnlab/layers``, ``cnnlab/shapes.py``, ``cnnlab/geometry.py``, ``cnnlab/im2col.py``,
``cnnlab/model.py`` and ``cnnlab/cases.py``, with ``tests/corpus_verify.py``,
``tests/verify_mistake_corpus_fourth.py`` and the opening of ``tests/mistake_corpus_fourth.py`` for the
format only; without reading the checker (``cnnlab/exercises/``), its tests, the student
implementations of the tests, or any other corpus's rows, and without running the check on any row.
Every row was verified against cnnlab's reference implementations only, by
``tests/verify_mistake_corpus_eleventh_conv.py``: each wrong row differs from the reference (a wrong
value, a wrong shape or an exception) on at least one input, each right row matches it to a relative
error below 1e-8 on every input, and every helper with bug=None is right, so each wrong row holds one
mistake. Rows whose mistake had no effect would have been dropped; none was needed.

``forward`` is None throughout: the backward rows read cnnlab's caches, ``(x, w, b, conv_param)`` for
the naive convolution and ``(x, w, b, conv_param, cols)`` for the im2col one. The im2col exercises call
the student's own ``im2col`` and ``col2im`` (lesson 3 says so), never cnnlab's.

72 rows: 64 wrong, 8 right.

    exercise                    wrong  right
    conv_output_size                7      1
    conv_forward_naive              9      1
    conv_backward_naive             8      1
    im2col                          7      1
    col2im                          8      1
    conv_forward_im2col             7      1
    conv_backward_im2col            8      1
    three_layer_convnet_loss       10      1
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnlab import layers as L
from cnnlab import shapes


def _b(fn, bug):
    return partial(fn, bug=bug)


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper."""
    return [(exercise, bug, _b(fn, bug), forward, False) for bug in bugs]


def _right(exercise, label, fn, forward=None):
    return (exercise, label, _b(fn, None), forward, True)


def _pad(x, ph, pw):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


CORPUS = []

# ---------------------------------------------------------------------------------------------
# conv_output_size


def out_size(size, kernel, stride, pad, dilation, bug=None):
    """The boxed formula of lesson 1, written out."""
    if bug == "parentheses missing: - 1 // stride binds first":
        return size + 2 * pad - dilation * (kernel - 1) - 1 // stride + 1
    if bug == "the - 1 of the numerator left out":
        return (size + 2 * pad - dilation * (kernel - 1)) // stride + 1
    if bug == "dilation left out: (I + 2P - K) // S + 1":
        return (size + 2 * pad - kernel) // stride + 1
    if bug == "int() of a true division, which truncates toward zero":
        return int((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1
    if bug == "clamped to 0 when the filter does not fit":
        return max(0, (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1)
    if bug == "raises ValueError when the filter does not fit":
        out = (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1
        if out < 1:
            raise ValueError("the filter does not fit")
        return out
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def out_size_count(size, kernel, stride, pad, dilation, bug=None):
    """Counting the window starts 0, S, 2S, ... up to the last one."""
    span = dilation * (kernel - 1) + 1
    last = size + 2 * pad - span
    if bug == "len(range(...)) of the window starts: 0, not negative, when it does not fit":
        return len(range(0, last + 1, stride))
    return math.floor(last / stride) + 1


CORPUS += _rows(
    "conv_output_size",
    out_size,
    [
        "parentheses missing: - 1 // stride binds first",
        "the - 1 of the numerator left out",
        "dilation left out: (I + 2P - K) // S + 1",
        "int() of a true division, which truncates toward zero",
        "clamped to 0 when the filter does not fit",
        "raises ValueError when the filter does not fit",
    ],
)
CORPUS += _rows(
    "conv_output_size",
    out_size_count,
    ["len(range(...)) of the window starts: 0, not negative, when it does not fit"],
)
CORPUS.append(_right("conv_output_size", "math.floor of the span arithmetic, a float division", out_size_count))

# ---------------------------------------------------------------------------------------------
# conv_forward_naive


def conv_fwd_loops(x, w, b, conv_param, bug=None):
    """The stub's four loops over n, f, i, j, one window slice each."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if bug == "pad pair read as (before, after): ph above, pw below":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, pw), (ph, pw)))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, Ho, Wo))
    n_cols = Ho if bug == "columns looped over range(Ho)" else Wo
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(n_cols):
                    r0 = i * sh
                    c0 = j * sh if bug == "column start uses the row stride sh" else j * sw
                    if bug == "dilation forgotten: a contiguous HH x WW window":
                        rows, cols = slice(r0, r0 + HH), slice(c0, c0 + WW)
                    else:
                        rows = slice(r0, r0 + dh * (HH - 1) + 1, dh)
                        cols = slice(c0, c0 + dw * (WW - 1) + 1, dw)
                    if bug == "window sliced from x, not from the padded xpad":
                        window = x[n, :, rows, cols]
                    else:
                        window = xpad[n, :, rows, cols]
                    kernel = w[f, :, ::-1, ::-1] if bug == "kernel flipped (a true convolution)" else w[f]
                    out[n, f, i, j] = np.sum(window * kernel)
                    if bug != "bias forgotten":
                        out[n, f, i, j] += b[f]
    return out, (x, w, b, conv_param)


def conv_fwd_swv(x, w, b, conv_param, bug=None):
    """Vectorized: every dilated window with sliding_window_view, then one einsum."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    span = (dh * (HH - 1) + 1, dw * (WW - 1) + 1)
    win = sliding_window_view(xpad, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, Ho, Wo, HH, WW)
    out = np.einsum("nchwpq,fcpq->nfhw", win, w)
    if bug == "bias added as out + b (broadcast over the last axis)":
        out = out + b
    else:
        out = out + b[None, :, None, None]
    return out, (x, w, b, conv_param)


def conv_fwd_taps(x, w, b, conv_param, bug=None):
    """One strided slice per filter tap (p, q), as im2col's fast loop, mixed with the filters by einsum."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    out = np.zeros((N, F, Ho, Wo))
    if bug != "bias added once per tap, inside the tap loop":
        out += b.reshape(1, F, 1, 1)
    for p in range(HH):
        for q in range(WW):
            r0, c0 = p * dh, q * dw
            patch = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]  # (N, C, Ho, Wo)
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, p, q])
            if bug == "bias added once per tap, inside the tap loop":
                out += b.reshape(1, F, 1, 1)
    return out, (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_loops,
    [
        "pad pair read as (before, after): ph above, pw below",
        "columns looped over range(Ho)",
        "column start uses the row stride sh",
        "dilation forgotten: a contiguous HH x WW window",
        "window sliced from x, not from the padded xpad",
        "kernel flipped (a true convolution)",
        "bias forgotten",
    ],
)
CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_swv,
    ["bias added as out + b (broadcast over the last axis)"],
)
CORPUS += _rows("conv_forward_naive", conv_fwd_taps, ["bias added once per tap, inside the tap loop"])
CORPUS.append(_right("conv_forward_naive", "per-tap strided slices mixed by einsum, bias first", conv_fwd_taps))

# ---------------------------------------------------------------------------------------------
# conv_backward_naive (cnnlab's cache (x, w, b, conv_param))


def conv_bwd_loops(dout, cache, bug=None):
    """The forward's four loops, adding g * w[f] into dxpad and g * window into dw[f]."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw = np.zeros_like(w)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    if bug == "dilation forgotten in the backward windows":
                        rows, cols = slice(r0, r0 + HH), slice(c0, c0 + WW)
                    else:
                        rows = slice(r0, r0 + dh * (HH - 1) + 1, dh)
                        cols = slice(c0, c0 + dw_ * (WW - 1) + 1, dw_)
                    g = dout[n, f, i, j]
                    if bug == "dxpad window assigned (=), not added (+=)":
                        dxpad[n, :, rows, cols] = g * w[f]
                    elif bug == "dx gets the flipped kernel, w[f, :, ::-1, ::-1]":
                        dxpad[n, :, rows, cols] += g * w[f, :, ::-1, ::-1]
                    else:
                        dxpad[n, :, rows, cols] += g * w[f]
                    if bug == "dw window taken from x, not from the padded xpad":
                        dw[f] += g * x[n, :, rows, cols]
                    else:
                        dw[f] += g * xpad[n, :, rows, cols]
                    db[f] += g
    if bug == "db averaged over the batch (divided by N)":
        db = db / N
    if bug == "padding cut with ph:-ph, pw:-pw (empty when the pad is 0)":
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    elif bug == "width cut with the height's pad: dxpad[:, :, ph:ph + H, ph:ph + W]":
        dx = dxpad[:, :, ph : ph + H, ph : ph + W]
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw, db


def conv_bwd_index(dout, cache, bug=None):
    """Vectorized: index arrays for every window, einsum for dw, np.add.at to scatter dx."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    r = (np.arange(Ho) * sh)[:, None] + (np.arange(HH) * dh)[None, :]  # (Ho, HH) padded rows
    c = (np.arange(Wo) * sw)[:, None] + (np.arange(WW) * dw_)[None, :]  # (Wo, WW) padded columns
    idx = (slice(None), slice(None), r[:, None, :, None], c[None, :, None, :])
    windows = xpad[idx]  # (N, C, Ho, Wo, HH, WW)
    dw = np.einsum("nfhw,nchwpq->fcpq", dout, windows)
    db = dout.sum(axis=(0, 2, 3))
    contrib = np.einsum("nfhw,fcpq->nchwpq", dout, w)
    dxpad = np.zeros_like(xpad)
    if bug == "dxpad[rows, cols] += ...: fancy-indexed +=, overlapping windows counted once":
        dxpad[idx] += contrib
    else:
        np.add.at(dxpad, idx, contrib)
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, db


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_loops,
    [
        "dxpad window assigned (=), not added (+=)",
        "dw window taken from x, not from the padded xpad",
        "padding cut with ph:-ph, pw:-pw (empty when the pad is 0)",
        "width cut with the height's pad: dxpad[:, :, ph:ph + H, ph:ph + W]",
        "dilation forgotten in the backward windows",
        "db averaged over the batch (divided by N)",
        "dx gets the flipped kernel, w[f, :, ::-1, ::-1]",
    ],
)
CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_index,
    ["dxpad[rows, cols] += ...: fancy-indexed +=, overlapping windows counted once"],
)
CORPUS.append(_right("conv_backward_naive", "window index arrays, einsum for dw, np.add.at for dx", conv_bwd_index))

# ---------------------------------------------------------------------------------------------
# im2col


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Loop over the windows (the lesson's obvious way): window (r, s) becomes column r*W' + s."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = x if bug == "x not padded: windows read from x" else _pad(x, ph, pw)
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    for r in range(Ho):
        for s in range(Wo):
            window = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            if bug == "window made channel-last (transpose(0, 2, 3, 1)) before flattening":
                window = window.transpose(0, 2, 3, 1)
            column = r * Ho + s if bug == "column index r * H' + s" else r * Wo + s
            cols[:, :, column] = window.reshape(N, -1)
    return cols


def im2col_taps(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Loop over the taps (the lesson's fast way): tap (p, q) of every window is one strided slice."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    last_axes = bug == "stored as (N, C, H', W', HH, WW) and reshaped without moving the axes"
    cols = np.zeros((N, C, Ho, Wo, HH, WW)) if last_axes else np.zeros((N, C, HH, WW, Ho, Wo))
    for p in range(HH):
        for q in range(WW):
            if bug == "tap offset p, not p * dilation":
                r0, c0 = p, q
            else:
                r0, c0 = p * dh, q * dw
            tap = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]  # (N, C, Ho, Wo)
            if last_axes:
                cols[:, :, :, :, p, q] = tap
            else:
                cols[:, :, p, q] = tap
    return cols.reshape(N, C * HH * WW, Ho * Wo)


def im2col_swv(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """sliding_window_view of the dilated span, strided, then the window axes moved before the positions."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    span = (dh * (HH - 1) + 1, dw * (WW - 1) + 1)
    win = sliding_window_view(_pad(x, ph, pw), span, axis=(2, 3))[
        :, :, ::sh, ::sw, ::dh, ::dw
    ]  # (N, C, Ho, Wo, HH, WW)
    if bug == "sliding_window_view reshaped without the transpose":
        return win.reshape(N, C * HH * WW, Ho * Wo)
    cols = win.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * HH * WW, Ho * Wo)
    if bug == "CS231n layout: returned as (C*HH*WW, N*H'*W')":
        return cols.transpose(1, 0, 2).reshape(C * HH * WW, N * Ho * Wo)
    return cols


def _window_indices(C, HH, WW, Ho, Wo, stride, dilation):
    """CS231n's get_im2col_indices in the lesson's layout: (channel, row, column) of every cols entry."""
    (sh, sw), (dh, dw) = stride, dilation
    ch = np.repeat(np.arange(C), HH * WW)[:, None]  # (C*HH*WW, 1)
    rows = dh * np.tile(np.repeat(np.arange(HH), WW), C)[:, None] + sh * np.repeat(np.arange(Ho), Wo)[None, :]
    cols = dw * np.tile(np.arange(WW), HH * C)[:, None] + sw * np.tile(np.arange(Wo), Ho)[None, :]
    return ch, rows, cols  # rows and cols (C*HH*WW, Ho*Wo)


def im2col_index(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Fancy indexing with precomputed index arrays (CS231n style, the lesson's layout)."""
    x, (HH, WW), stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    ch, rows, cols = _window_indices(C, HH, WW, Ho, Wo, stride, dilation)
    return _pad(x, ph, pw)[:, ch, rows, cols]  # (N, C*HH*WW, Ho*Wo)


CORPUS += _rows(
    "im2col",
    im2col_windows,
    [
        "x not padded: windows read from x",
        "column index r * H' + s",
        "window made channel-last (transpose(0, 2, 3, 1)) before flattening",
    ],
)
CORPUS += _rows(
    "im2col",
    im2col_taps,
    [
        "tap offset p, not p * dilation",
        "stored as (N, C, H', W', HH, WW) and reshaped without moving the axes",
    ],
)
CORPUS += _rows(
    "im2col",
    im2col_swv,
    ["sliding_window_view reshaped without the transpose", "CS231n layout: returned as (C*HH*WW, N*H'*W')"],
)
CORPUS.append(_right("im2col", "CS231n-style index arrays, one fancy-indexing read", im2col_index))

# ---------------------------------------------------------------------------------------------
# col2im


def col2im_taps(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """The lesson's way: split the rows, add tap (p, q) of every column into one strided slice."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    split_last = bug == "rows split as (N, C, H', W', HH, WW)"
    cols6 = cols.reshape(N, C, Ho, Wo, HH, WW) if split_last else cols.reshape(N, C, HH, WW, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    counts = np.zeros_like(xpad)
    for p in range(HH):
        for q in range(WW):
            r0, c0 = p * dh, q * dw
            where = (
                slice(None),
                slice(None),
                slice(r0, r0 + sh * (Ho - 1) + 1, sh),
                slice(c0, c0 + sw * (Wo - 1) + 1, sw),
            )
            tap = cols6[:, :, :, :, p, q] if split_last else cols6[:, :, p, q]
            if bug == "assigned (=), not added (+=)":
                xpad[where] = tap
            else:
                xpad[where] += tap
            counts[where] += 1
    if bug == "divided by the window counts (col2im taken as im2col's inverse)":
        xpad = xpad / np.maximum(counts, 1)
    if bug == "padded image returned, the padding not cut away":
        return xpad
    if bug == "padding cut with ph:-ph, pw:-pw (empty when the pad is 0)":
        return xpad[:, :, ph:-ph, pw:-pw]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_windows(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Loop over the windows: column r*W' + s goes back into window (r, s)."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for r in range(Ho):
        for s in range(Wo):
            if bug == "dilation forgotten: columns added into a contiguous window":
                rows, cs = slice(r * sh, r * sh + HH), slice(s * sw, s * sw + WW)
            else:
                rows = slice(r * sh, r * sh + dh * (HH - 1) + 1, dh)
                cs = slice(s * sw, s * sw + dw * (WW - 1) + 1, dw)
            column = r * Ho + s if bug == "column r * H' + s read for window (r, s)" else r * Wo + s
            xpad[:, :, rows, cs] += cols[:, :, column].reshape(N, C, HH, WW)
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_index(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """CS231n style: the im2col index arrays, np.add.at to add the repeated pixels."""
    N, C, H, W = x_shape
    (HH, WW), stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    ch, rows, cs = _window_indices(C, HH, WW, Ho, Wo, stride, dilation)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    if bug == "xpad[:, ch, rows, cols] += cols: fancy-indexed +=, overlaps counted once":
        xpad[:, ch, rows, cs] += cols
    else:
        np.add.at(xpad, (slice(None), ch, rows, cs), cols)
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im_taps,
    [
        "assigned (=), not added (+=)",
        "rows split as (N, C, H', W', HH, WW)",
        "padded image returned, the padding not cut away",
        "padding cut with ph:-ph, pw:-pw (empty when the pad is 0)",
        "divided by the window counts (col2im taken as im2col's inverse)",
    ],
)
CORPUS += _rows(
    "col2im",
    col2im_windows,
    ["dilation forgotten: columns added into a contiguous window", "column r * H' + s read for window (r, s)"],
)
CORPUS += _rows("col2im", col2im_index, ["xpad[:, ch, rows, cols] += cols: fancy-indexed +=, overlaps counted once"])
CORPUS.append(_right("col2im", "CS231n-style index arrays and np.add.at", col2im_index))

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col (each calls the student's own im2col and col2im, as lesson 3 says)

my_im2col = partial(im2col_taps, bug=None)
my_col2im = partial(col2im_taps, bug=None)


def conv_fwd_cols(x, w, b, conv_param, bug=None):
    """The lesson's three lines: own im2col, w.reshape(F, -1) @ cols, bias, reshape."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "im2col called with pad and stride swapped":
        cols = my_im2col(x, HH, WW, pad, stride, dilation)
    elif bug == "im2col called with WW, HH (the filter sides swapped)":
        cols = my_im2col(x, WW, HH, stride, pad, dilation)
    elif bug == "dilation not passed to im2col":
        cols = my_im2col(x, HH, WW, stride, pad)
    else:
        cols = my_im2col(x, HH, WW, stride, pad, dilation)
    if bug == "w flattened channel-last: w.transpose(0, 2, 3, 1).reshape(F, -1)":
        w_row = w.transpose(0, 2, 3, 1).reshape(F, -1)
    else:
        w_row = w.reshape(F, -1)
    if bug == "(N, H'*W', F) product reshaped to (N, F, H', W') without moving F":
        out = cols.transpose(0, 2, 1) @ w_row.T + b  # (N, Ho*Wo, F)
        return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)
    out = w_row @ cols + b.reshape(1, F, 1)  # (N, F, Ho*Wo)
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


def conv_fwd_cols_flat(x, w, b, conv_param, bug=None):
    """CS231n style: the batch flattened into the columns, one (F, K) @ (K, N*H'*W') product."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols = my_im2col(x, HH, WW, stride, pad, dilation)  # (N, K, P)
    K, P = cols.shape[1:]
    if bug == "columns flattened with cols.reshape(K, N*P), no transpose":
        flat = cols.reshape(K, N * P)
    else:
        flat = cols.transpose(1, 0, 2).reshape(K, N * P)
    out = w.reshape(F, -1) @ flat + b[:, None]  # (F, N*P)
    if bug == "(F, N*H'*W') reshaped straight to (N, F, H', W')":
        out = out.reshape(N, F, Ho, Wo)
    else:
        out = out.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3)
    return out, (x, w, b, conv_param, cols)


def conv_fwd_cols_tensordot(x, w, b, conv_param, bug=None):
    """tensordot over the rows: (F, K) x (N, K, P) -> (F, N, P), then the batch moved first."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols = my_im2col(x, HH, WW, stride, pad, dilation)
    out = np.tensordot(w.reshape(F, -1), cols, axes=([1], [1])).transpose(1, 0, 2)  # (N, F, P)
    out = out.reshape(N, F, Ho, Wo) + b[:, None, None]
    return out, (x, w, b, conv_param, cols)


CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols,
    [
        "im2col called with pad and stride swapped",
        "im2col called with WW, HH (the filter sides swapped)",
        "dilation not passed to im2col",
        "w flattened channel-last: w.transpose(0, 2, 3, 1).reshape(F, -1)",
        "(N, H'*W', F) product reshaped to (N, F, H', W') without moving F",
    ],
)
CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols_flat,
    ["columns flattened with cols.reshape(K, N*P), no transpose", "(F, N*H'*W') reshaped straight to (N, F, H', W')"],
)
CORPUS.append(
    _right(
        "conv_forward_im2col", "tensordot over the rows of the own im2col, batch moved first", conv_fwd_cols_tensordot
    )
)

# ---------------------------------------------------------------------------------------------
# conv_backward_im2col (cnnlab's cache (x, w, b, conv_param, cols))


def conv_bwd_cols(dout, cache, bug=None):
    """The lesson's section 8: db, dw = sum_n dout_n @ cols_n.T, dx = own col2im(w_row.T @ dout)."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    ph, pw = pad
    dout_rows = dout.reshape(N, F, Ho * Wo)
    if bug == "db summed over axes (0, 1) of dout_rows":
        db = dout_rows.sum(axis=(0, 1))
    else:
        db = dout_rows.sum(axis=(0, 2))
    per_sample = dout_rows @ cols.transpose(0, 2, 1)  # (N, F, K)
    if bug == "dw averaged over the batch (mean, not sum)":
        dw = per_sample.mean(axis=0).reshape(F, C, HH, WW)
    else:
        dw = per_sample.sum(axis=0).reshape(F, C, HH, WW)
    dcols = w.reshape(F, -1).T @ dout_rows  # (N, K, P)
    if bug == "dilation not passed to col2im":
        dx = my_col2im(dcols, x.shape, HH, WW, stride, pad)
    else:
        dx = my_col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
    if bug == "padding cut again after col2im":
        dx = dx[:, :, ph : H - ph, pw : W - pw]
    return dx, dw, db


def conv_bwd_cols_einsum(dout, cache, bug=None):
    """einsum for every product; dw built as (K, F) and transposed."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "columns rebuilt with im2col(x, HH, WW, stride): pad and dilation left out":
        cols = my_im2col(x, HH, WW, stride)
    dout_rows = dout.reshape(N, F, -1)
    dw_kf = np.einsum("nkp,nfp->kf", cols, dout_rows)  # (K, F)
    if bug == "dw computed as (K, F) and reshaped without the .T":
        dw = dw_kf.reshape(F, C, HH, WW)
    else:
        dw = dw_kf.T.reshape(F, C, HH, WW)
    dcols = np.einsum("fk,nfp->nkp", w.reshape(F, -1), dout_rows)
    dx = my_col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, dout.sum(axis=(0, 2, 3))


def conv_bwd_cols_flat(dout, cache, bug=None):
    """CS231n style: dout as (F, N*H'*W') and the columns as (K, N*H'*W'), two 2-D products."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    K, P = cols.shape[1:]
    if bug == "dout flattened with dout.reshape(F, -1), no transpose":
        dout2 = dout.reshape(F, -1)
    else:
        dout2 = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*P)
    cols2 = cols.transpose(1, 0, 2).reshape(K, -1)  # (K, N*P)
    dw = (dout2 @ cols2.T).reshape(w.shape)
    db = dout2.sum(axis=1)
    dcols2 = w.reshape(F, -1).T @ dout2  # (K, N*P)
    if bug == "dcols (K, N*H'*W') reshaped straight to (N, K, H'*W')":
        dcols = dcols2.reshape(N, K, P)
    else:
        dcols = dcols2.reshape(K, N, P).transpose(1, 0, 2)
    dx = my_col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols,
    [
        "db summed over axes (0, 1) of dout_rows",
        "dw averaged over the batch (mean, not sum)",
        "dilation not passed to col2im",
        "padding cut again after col2im",
    ],
)
CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols_einsum,
    [
        "columns rebuilt with im2col(x, HH, WW, stride): pad and dilation left out",
        "dw computed as (K, F) and reshaped without the .T",
    ],
)
CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols_flat,
    ["dout flattened with dout.reshape(F, -1), no transpose", "dcols (K, N*H'*W') reshaped straight to (N, K, H'*W')"],
)
CORPUS.append(
    _right("conv_backward_im2col", "CS231n-style flattened batch, two 2-D products, own col2im", conv_bwd_cols_flat)
)

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss

POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}


def convnet(params, X, y=None, reg=0.0, bug=None):
    """The chain of cnnlab's layers forward, softmax_loss, the chain backward, plus the L2 term."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    K = W1.shape[2]
    if bug == "conv padded by HH // 2":
        pad = K // 2
    elif bug == "conv pad hard-coded to 1":
        pad = 1
    else:
        pad = (K - 1) // 2
    a1, conv_cache = L.conv_forward_im2col(X, W1, b1, {"stride": 1, "pad": pad})
    r1, relu1_cache = L.relu_forward(a1)
    p1, pool_cache = L.max_pool_forward_im2col(r1, POOL)
    a2, aff2_cache = L.affine_forward(p1, W2, b2)
    hidden_relu = bug != "ReLU after the hidden affine layer left out"
    if hidden_relu:
        h, relu2_cache = L.relu_forward(a2)
    else:
        h = a2
    scores, aff3_cache = L.affine_forward(h, W3, b3)
    if y is None:
        return scores

    data_loss, dscores = L.softmax_loss(scores, y)
    weights = {"W1": W1, "W2": W2, "W3": W3}
    if bug == "W1 left out of the regularization (loss and gradient)":
        del weights["W1"]
    if bug == "biases regularized too (loss and gradient)":
        weights.update(b1=b1, b2=b2, b3=b3)
    squares = sum(np.sum(v * v) for v in weights.values())
    if bug == "L2 term without the 0.5 (reg * sum W**2, gradient reg * W)":
        loss = data_loss + reg * squares
    else:
        loss = data_loss + 0.5 * reg * squares

    grads = {}
    dh, grads["W3"], grads["b3"] = L.affine_backward(dscores, aff3_cache)
    da2 = L.relu_backward(dh, relu2_cache) if hidden_relu else dh
    dp1, grads["W2"], grads["b2"] = L.affine_backward(da2, aff2_cache)
    dr1 = L.max_pool_backward_im2col(dp1, pool_cache)
    if bug == "conv ReLU skipped in the backward pass":
        da1 = dr1
    else:
        da1 = L.relu_backward(dr1, relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(da1, conv_cache)
    for name, v in weights.items():
        if bug == "regularization gradient forgotten (only in the loss)":
            continue
        if bug == "regularization gradient doubled: 2 * reg * W":
            grads[name] = grads[name] + 2 * reg * v
        else:
            grads[name] = grads[name] + reg * v
    return loss, grads


def convnet_own(params, X, y=None, reg=0.0, bug=None):
    """Naive conv from cnnlab, the rest by hand: reshape max pool, matrix products, own softmax."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    N = X.shape[0]
    K = W1.shape[2]
    a1, conv_cache = L.conv_forward_naive(X, W1, b1, {"stride": 1, "pad": (K - 1) // 2})
    r1 = np.maximum(a1, 0)
    F, Ho, Wo = r1.shape[1:]
    Hp, Wp = Ho // 2, Wo // 2
    blocks = r1[:, :, : 2 * Hp, : 2 * Wp].reshape(N, F, Hp, 2, Wp, 2)
    p1 = blocks.max(axis=(3, 5))  # (N, F, Hp, Wp)
    flat = p1.reshape(N, -1)
    a2 = flat @ W2 + b2
    h = np.maximum(a2, 0)
    scores = h @ W3 + b3
    if y is None:
        return scores

    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    probs = e / e.sum(axis=1, keepdims=True)
    rows = np.arange(N)
    dscores = probs.copy()
    dscores[rows, y] -= 1
    if bug == "softmax loss summed over the batch, not averaged (loss and gradient)":
        data_loss = -np.sum(np.log(probs[rows, y]))
    else:
        data_loss = -np.mean(np.log(probs[rows, y]))
        dscores /= N
    loss = data_loss + 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2) + np.sum(W3**2))

    grads = {"W3": h.T @ dscores + reg * W3, "b3": dscores.sum(axis=0)}
    da2 = (dscores @ W3.T) * (a2 > 0)
    grads["W2"] = flat.T @ da2 + reg * W2
    grads["b2"] = da2.sum(axis=0)
    dp1 = (da2 @ W2.T).reshape(p1.shape)
    mask = blocks == p1[:, :, :, None, :, None]  # where each window's max was
    dr1 = np.zeros_like(r1)
    dr1[:, :, : 2 * Hp, : 2 * Wp] = (mask * dp1[:, :, :, None, :, None]).reshape(N, F, 2 * Hp, 2 * Wp)
    da1 = dr1 * (a1 > 0)
    _, dW1, grads["b1"] = L.conv_backward_naive(da1, conv_cache)
    grads["W1"] = dW1 + reg * W1
    return float(loss), {k: grads[k] for k in params}


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet,
    [
        "regularization gradient forgotten (only in the loss)",
        "regularization gradient doubled: 2 * reg * W",
        "biases regularized too (loss and gradient)",
        "L2 term without the 0.5 (reg * sum W**2, gradient reg * W)",
        "W1 left out of the regularization (loss and gradient)",
        "conv padded by HH // 2",
        "conv pad hard-coded to 1",
        "ReLU after the hidden affine layer left out",
        "conv ReLU skipped in the backward pass",
    ],
)
CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet_own,
    ["softmax loss summed over the batch, not averaged (loss and gradient)"],
)
CORPUS.append(
    _right(
        "three_layer_convnet_loss",
        "naive conv, reshape max pool, matrix products and an own softmax by hand",
        convnet_own,
    )
)
