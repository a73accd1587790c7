"""A seventh held-out corpus of student mistakes, the convolution half, written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``tests/mistake_corpus_fourth.py`` and after), for the exercises of lessons 1, 2, 3 and 7:
``conv_output_size``, ``conv_forward_naive``, ``conv_backward_naive``, ``im2col``, ``col2im``,
``conv_forward_im2col``, ``conv_backward_im2col`` and ``three_layer_convnet_loss``. Another helper
wrote the other half (pooling and the norms) separately. They measure how often the check names a
mistake it was never tuned to. Each wrong row carries ONE mistake of the kind students make most
often, in several students' styles: about half in the stub's plain loops (per window, per channel),
half vectorized (one matrix product per output position, one einsum per filter tap, as_strided and
sliding_window_view, index arrays with np.add.at, CS231n's 2-D column layout), some with CS231n or
PyTorch habits (``conv_param['stride']`` read as an int, H' recomputed without dilation, truncated or
clamped output sizes, a channels-last flattening). They are spread over every part of each
function: the setup (reading conv_param, the output size), the padding (np.pad's pairs, the
``ph:-ph`` cut, an unpadded accumulator), the loops or the vectorized core (stride, dilation, tap
offsets, ``=`` for ``+=``, indices), the bias, the reshapes and transposes, the return (shapes of db,
the 2-D layout), and one cache (w_row cached for w, seen by the backward). The rows with
``should_pass`` True are correct implementations in other styles (math.floor, sliding_window_view
with tensordot, np.add.at, einsum, the naive layers with an own softmax), there to catch false
FAILs.

``forward`` is None where the backward reads cnnlab's cache (conv ``(x, w, b, conv_param)``, conv
im2col ``(x, w, b, conv_param, cols)``), and the student's own forward for the one row whose
mistake is in the cache its forward builds (its output is right). The im2col exercises call the
student's OWN ``im2col`` and ``col2im`` of this module (``im2col_taps``, ``im2col_windows``,
``im2col_window_view``, ``col2im_taps``, ``col2im_windows``, ``col2im_add_at``), never cnnlab's, as
lesson 3 says.

How it was written: blind. From the student edition of lessons 1, 2, 3 and 7
(``lessons/01_convolution_arithmetic.ipynb``, ``02_naive_convolution.ipynb``, ``03_im2col.ipynb``,
``07_small_cnn.ipynb``: the explanations, the stubs and their docstrings), ``cnnlab/layers``,
``cnnlab/shapes.py``, ``cnnlab/geometry.py``, ``cnnlab/im2col.py``, ``cnnlab/model.py`` and
``cnnlab/cases.py``, and only the first 90 lines of ``tests/mistake_corpus_fourth.py`` (its
docstring and first helper, for the format). Not read: the checker (``cnnlab/exercises/``), the
other corpora, ``tests/student_impls.py``, ``tests/test_exercises.py``, ``tests/test_crashes.py``;
the check was never run on any row. Every row was verified against cnnlab's reference
implementations only, by ``tests/verify_mistake_corpus_seventh_conv.py``: each wrong row differs
from the reference (a wrong value, a wrong shape, or an exception) on at least one input, each right
row matches it to a relative error of 1e-8 on every input.

73 rows: 65 wrong, 8 right.

| exercise                  | wrong | right |
|---------------------------|-------|-------|
| conv_output_size          |     5 |     1 |
| conv_forward_naive        |    11 |     1 |
| conv_backward_naive       |    10 |     1 |
| im2col                    |     8 |     1 |
| col2im                    |     7 |     1 |
| conv_forward_im2col       |     7 |     1 |
| conv_backward_im2col      |     7 |     1 |
| three_layer_convnet_loss  |    10 |     1 |
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from cnnlab import layers as L
from cnnlab import shapes


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper."""
    return [(exercise, bug, partial(fn, bug=bug), forward, False) for bug in bugs]


def _right(exercise, label, fn, forward=None):
    return (exercise, label, fn, forward, True)


def _pad(x, ph, pw):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


CORPUS = []

# ---------------------------------------------------------------------------------------------
# conv_output_size


def osize(size, kernel, stride, pad, dilation, bug=None):
    """Lesson 1's steps: padded length, span of the dilated filter, last start, count of starts."""
    padded = size + 2 * pad
    if bug == "padding added at one end only (I + P)":
        padded = size + pad
    span = dilation * (kernel - 1) + 1
    if bug == "dilation forgotten: the span taken as K":
        span = kernel
    last = padded - span
    if bug == "int(last / S) + 1: truncates toward zero where the filter does not fit":
        return int(last / stride) + 1
    if bug == "max(0, ...): 0 where the filter does not fit, not the formula's number":
        return max(0, last // stride + 1)
    if bug == "raises ValueError where the filter does not fit" and last < 0:
        raise ValueError(f"filter of span {span} does not fit in {padded}")
    return last // stride + 1


def osize_floor(size, kernel, stride, pad, dilation):
    """math.floor of the true quotient: exact for these small integers, an int even when negative."""
    return math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1


CORPUS += _rows(
    "conv_output_size",
    osize,
    [
        "dilation forgotten: the span taken as K",
        "padding added at one end only (I + P)",
        "int(last / S) + 1: truncates toward zero where the filter does not fit",
        "max(0, ...): 0 where the filter does not fit, not the formula's number",
        "raises ValueError where the filter does not fit",
    ],
)
CORPUS.append(_right("conv_output_size", "math.floor of a true division (an int)", osize_floor))

# ---------------------------------------------------------------------------------------------
# conv_forward_naive


def conv_fwd_loops(x, w, b, conv_param, bug=None):
    """The stub's four loops over n, f, i, j, with one window slice."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if bug == "conv_param read CS231n-style (conv_param['stride'], ['pad'] as ints)":
        sh = sw = conv_param["stride"]
        ph = pw = conv_param["pad"]
        dh = dw = conv_param.get("dilation", 1)
    xpad = _pad(x, ph, pw)
    if bug == "np.pad pairs swapped: (pw, pw) on H, (ph, ph) on W":
        xpad = _pad(x, pw, ph)
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    if bug == "column start j, not j * sw (stride forgotten on the width)":
                        c0 = j
                    rows = slice(r0, r0 + dh * (HH - 1) + 1, dh)
                    cols = slice(c0, c0 + dw * (WW - 1) + 1, dw)
                    if bug == "window without dilation: rows i*sh : i*sh + HH":
                        rows, cols = slice(r0, r0 + HH), slice(c0, c0 + WW)
                    kernel = w[f]
                    if bug == "kernel flipped (a true convolution, w[f, :, ::-1, ::-1])":
                        kernel = w[f, :, ::-1, ::-1]
                    bias = b if bug == "b for b[f]" else b[f]
                    out[n, f, i, j] = np.sum(xpad[n, :, rows, cols] * kernel) + bias
    return out, (x, w, b, conv_param)


def conv_fwd_channels(x, w, b, conv_param, bug=None):
    """Five loops: the channels too, one (HH, WW) product per channel."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    total = 0.0
                    for c in range(C):
                        total += np.sum(xpad[n, c, rows, cols] * w[f, c])
                        if bug == "bias added inside the channel loop (C times)":
                            total += b[f]
                    if bug != "bias added inside the channel loop (C times)":
                        total += b[f]
                    out[n, f, i, j] = total
    return out, (x, w, b, conv_param)


def conv_fwd_positions(x, w, b, conv_param, bug=None):
    """One matrix product per output position: the (N, C*HH*WW) windows times w_row.T."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if bug == "H', W' recomputed CS231n-style, (H + 2P - HH) // S + 1 (no dilation)":
        Ho, Wo = (H + 2 * ph - HH) // sh + 1, (W + 2 * pw - WW) // sw + 1
    xpad = _pad(x, ph, pw)
    w_mat = w.reshape(F, -1).T  # (C*HH*WW, F)
    if bug == "w.reshape(-1, F) for w.reshape(F, -1).T":
        w_mat = w.reshape(-1, F)
    out = np.empty((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = xpad[:, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw * (WW - 1) + 1 : dw]
            out[:, :, i, j] = window.reshape(N, -1) @ w_mat + b
    return out, (x, w, b, conv_param)


def conv_fwd_taps(x, w, b, conv_param, bug=None):
    """One einsum per filter tap (p, q) over the strided slice that tap reads in every window."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    out = np.zeros((N, F, Ho, Wo))
    for p in range(HH):
        for q in range(WW):
            r0, c0 = p * dh, q * dw
            if bug == "tap offset p * sh, q * sw (stride for dilation)":
                r0, c0 = p * sh, q * sw
            tap = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]  # (N, C, Ho, Wo)
            out += np.einsum("nchw,fc->nfhw", tap, w[:, :, p, q])
    if bug == "out += b: the bias broadcast along W', not per filter":
        out += b
    else:
        out += b[None, :, None, None]
    return out, (x, w, b, conv_param)


def conv_fwd_windows_view(x, w, b, conv_param):
    """sliding_window_view over the dilated span, cut by stride and dilation, then tensordot."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    view = sliding_window_view(_pad(x, ph, pw), (dh * (HH - 1) + 1, dw * (WW - 1) + 1), axis=(2, 3))
    view = view[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :Ho, :Wo]  # (N, C, Ho, Wo, HH, WW)
    out = np.tensordot(view, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, Ho, Wo, F)
    return out.transpose(0, 3, 1, 2) + b[None, :, None, None], (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_loops,
    [
        "conv_param read CS231n-style (conv_param['stride'], ['pad'] as ints)",
        "np.pad pairs swapped: (pw, pw) on H, (ph, ph) on W",
        "column start j, not j * sw (stride forgotten on the width)",
        "window without dilation: rows i*sh : i*sh + HH",
        "kernel flipped (a true convolution, w[f, :, ::-1, ::-1])",
        "b for b[f]",
    ],
)
CORPUS += _rows("conv_forward_naive", conv_fwd_channels, ["bias added inside the channel loop (C times)"])
CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_positions,
    [
        "H', W' recomputed CS231n-style, (H + 2P - HH) // S + 1 (no dilation)",
        "w.reshape(-1, F) for w.reshape(F, -1).T",
    ],
)
CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_taps,
    [
        "tap offset p * sh, q * sw (stride for dilation)",
        "out += b: the bias broadcast along W', not per filter",
    ],
)
CORPUS.append(
    _right("conv_forward_naive", "sliding_window_view cut by stride and dilation, tensordot", conv_fwd_windows_view)
)

# ---------------------------------------------------------------------------------------------
# conv_backward_naive (the cache is cnnlab's: (x, w, b, conv_param))


def conv_bwd_loops(dout, cache, bug=None):
    """The forward's four loops, each step adding g * w[f] to dxpad and g * window to dw[f]."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    if bug == "dx accumulated in np.zeros_like(x), not in the padded shape":
        dxpad = np.zeros_like(x)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw_ * (WW - 1) + 1, dw_)
                    g = dout[n, f, i, j]
                    if bug == "= for += on dxpad":
                        dxpad[n, :, rows, cols] = g * w[f]
                    else:
                        dxpad[n, :, rows, cols] += g * w[f]
                    source = x if bug == "dw from the unpadded x[n, :, rows, cols]" else xpad
                    if bug == "dw += for dw[f] += (every filter gets every term)":
                        dw += source[n, :, rows, cols] * g
                    else:
                        dw[f] += source[n, :, rows, cols] * g
    db = dout.sum(axis=(0, 2, 3))
    if bug == "db = dout.sum(axis=0), shape (F, H', W')":
        db = dout.sum(axis=0)
    dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    if bug == "padding cut with dxpad[:, :, ph:-ph, pw:-pw]":
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    return dx, dw, db


def conv_bwd_taps(dout, cache, bug=None):
    """Per filter tap: dw[:, :, p, q] is one einsum over the tap's slice, dxpad gets one += per tap."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw = np.zeros_like(w)
    for p in range(HH):
        for q in range(WW):
            r0, c0 = p * dh, q * dw_
            if bug == "tap offset p, q (dilation forgotten in the backward)":
                r0, c0 = p, q
            rs = slice(r0, r0 + sh * (Ho - 1) + 1, sh)
            cs = slice(c0, c0 + sw * (Wo - 1) + 1, sw)
            if bug == "dw einsum 'nfhw,nchw->cf' into dw[:, :, p, q] (F and C swapped)":
                dw[:, :, p, q] = np.einsum("nfhw,nchw->cf", dout, xpad[:, :, rs, cs])
            else:
                dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, xpad[:, :, rs, cs])
            dxpad[:, :, rs, cs] += np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
    db = dout.sum(axis=(0, 2, 3), keepdims=bug == "db with keepdims=True, shape (1, F, 1, 1)")
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, db


def conv_bwd_as_convolution(dout, cache):
    """Lesson 2, section 6, taken as the general answer: dx a full correlation of dout with the
    flipped filters, dw a correlation of xpad with dout, both through the forward loops. True for
    stride 1 and no dilation only."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    ph, pw = pad
    w_flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, F, HH, WW)
    dxpad, _ = conv_fwd_loops(dout, w_flipped, np.zeros(C), {"pad": (HH - 1, WW - 1)})
    dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    dw_t, _ = conv_fwd_loops(_pad(x, ph, pw).transpose(1, 0, 2, 3), dout.transpose(1, 0, 2, 3), np.zeros(F), {})
    return dx, dw_t.transpose(1, 0, 2, 3), dout.sum(axis=(0, 2, 3))


def conv_bwd_add_at(dout, cache):
    """Index arrays of every window's rows and columns; np.add.at scatters the window gradients."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    R = (np.arange(Ho) * sh)[:, None, None, None] + (np.arange(HH) * dh)[None, None, :, None]  # (Ho, 1, HH, 1)
    Q = (np.arange(Wo) * sw)[None, :, None, None] + (np.arange(WW) * dw_)[None, None, None, :]  # (1, Wo, 1, WW)
    patches = xpad[:, :, R, Q]  # (N, C, Ho, Wo, HH, WW)
    dw = np.einsum("nfij,ncijpq->fcpq", dout, patches)
    dxpad = np.zeros_like(xpad)
    np.add.at(dxpad, (slice(None), slice(None), R, Q), np.einsum("nfij,fcpq->ncijpq", dout, w))
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, dout.sum(axis=(0, 2, 3))


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_loops,
    [
        "= for += on dxpad",
        "padding cut with dxpad[:, :, ph:-ph, pw:-pw]",
        "dw from the unpadded x[n, :, rows, cols]",
        "dw += for dw[f] += (every filter gets every term)",
        "db = dout.sum(axis=0), shape (F, H', W')",
        "dx accumulated in np.zeros_like(x), not in the padded shape",
    ],
)
CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_taps,
    [
        "tap offset p, q (dilation forgotten in the backward)",
        "dw einsum 'nfhw,nchw->cf' into dw[:, :, p, q] (F and C swapped)",
        "db with keepdims=True, shape (1, F, 1, 1)",
    ],
)
CORPUS.append(
    (
        "conv_backward_naive",
        "dx and dw as convolutions (lesson 2, section 6), true for stride 1 and no dilation only",
        conv_bwd_as_convolution,
        None,
        False,
    )
)
CORPUS.append(_right("conv_backward_naive", "index arrays and np.add.at", conv_bwd_add_at))

# ---------------------------------------------------------------------------------------------
# im2col


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Lesson 3's obvious way: one Python iteration per window, flattened into its column."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    if bug == "np.pad(x, pad): pads N and C too (and H, W before/after by the pair)":
        xpad = np.pad(x, pad)
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    for r in range(Ho):
        for s in range(Wo):
            window = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            if bug == "window flattened channels last, window.transpose(0, 2, 3, 1)":
                window = window.transpose(0, 2, 3, 1)
            k = s * Ho + r if bug == "column s * H' + r for r * W' + s" else r * Wo + s
            cols[:, :, k] = window.reshape(N, -1)
    if bug == "returns CS231n's 2-D layout (C*HH*WW, N*H'*W')":
        return cols.transpose(1, 0, 2).reshape(C * HH * WW, N * Ho * Wo)
    return cols


def im2col_taps(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Lesson 3's fast way: one strided slice per filter tap, into (N, C, HH, WW, H', W')."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    stacked_first = bug == "taps stacked as (HH, WW, N, C, H', W'), reshaped without moving N, C in front"
    cols = np.empty((HH, WW, N, C, Ho, Wo)) if stacked_first else np.empty((N, C, HH, WW, Ho, Wo))
    for p in range(HH):
        for q in range(WW):
            r0, c0 = p * dh, q * dw
            if bug == "tap offset p, q (dilation forgotten)":
                r0, c0 = p, q
            tap = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]
            if stacked_first:
                cols[p, q] = tap
            else:
                cols[:, :, p, q] = tap
    return cols.reshape(N, C * HH * WW, Ho * Wo)


def im2col_strided(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """An as_strided view of every window (as cnnlab's reference does), copied by the reshape."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    sN, sC, sH, sW = xpad.strides
    if bug == "windows first, (N, C, H', W', HH, WW), reshaped without a transpose":
        view = as_strided(xpad, (N, C, Ho, Wo, HH, WW), (sN, sC, sH * sh, sW * sw, sH * dh, sW * dw))
    elif bug == "tap strides sH, sW: dilation left out of the view":
        view = as_strided(xpad, (N, C, HH, WW, Ho, Wo), (sN, sC, sH, sW, sH * sh, sW * sw))
    else:
        view = as_strided(xpad, (N, C, HH, WW, Ho, Wo), (sN, sC, sH * dh, sW * dw, sH * sh, sW * sw))
    return view.reshape(N, C * HH * WW, Ho * Wo)


def im2col_window_view(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """sliding_window_view over the dilated span, stepped by stride and dilation, one transpose."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    view = sliding_window_view(_pad(x, ph, pw), (dh * (HH - 1) + 1, dw * (WW - 1) + 1), axis=(2, 3))
    view = view[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, Ho, Wo, HH, WW)
    return view.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * HH * WW, Ho * Wo)


CORPUS += _rows(
    "im2col",
    im2col_windows,
    [
        "np.pad(x, pad): pads N and C too (and H, W before/after by the pair)",
        "window flattened channels last, window.transpose(0, 2, 3, 1)",
        "column s * H' + r for r * W' + s",
        "returns CS231n's 2-D layout (C*HH*WW, N*H'*W')",
    ],
)
CORPUS += _rows(
    "im2col",
    im2col_taps,
    [
        "tap offset p, q (dilation forgotten)",
        "taps stacked as (HH, WW, N, C, H', W'), reshaped without moving N, C in front",
    ],
)
CORPUS += _rows(
    "im2col",
    im2col_strided,
    [
        "tap strides sH, sW: dilation left out of the view",
        "windows first, (N, C, H', W', HH, WW), reshaped without a transpose",
    ],
)
CORPUS.append(_right("im2col", "sliding_window_view stepped by stride and dilation", im2col_window_view))

# ---------------------------------------------------------------------------------------------
# col2im


def col2im_windows(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """One iteration per window: its column, reshaped to (N, C, HH, WW), added into xpad."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for r in range(Ho):
        for s in range(Wo):
            k = r * Ho + s if bug == "column r * H' + s for r * W' + s" else r * Wo + s
            block = cols[:, :, k].reshape(N, C, HH, WW)
            rows = slice(r * sh, r * sh + dh * (HH - 1) + 1, dh)
            cs = slice(s * sw, s * sw + dw * (WW - 1) + 1, dw)
            if bug == "= for += (overlapping windows overwrite each other)":
                xpad[:, :, rows, cs] = block
            else:
                xpad[:, :, rows, cs] += block
    if bug == "the padding not cut away: returns xpad":
        return xpad
    if bug == "padding cut with xpad[:, :, ph:-ph, pw:-pw]":
        return xpad[:, :, ph:-ph, pw:-pw]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_taps(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Lesson 3's tap loop backwards: one strided += per filter tap."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    if bug == "rows split as (HH, WW, C): cols.reshape(N, HH, WW, C, H', W')":
        split = cols.reshape(N, HH, WW, C, Ho, Wo).transpose(0, 3, 1, 2, 4, 5)
    else:
        split = cols.reshape(N, C, HH, WW, Ho, Wo)
    if bug == "accumulated in np.zeros(x_shape), the unpadded size":
        xpad = np.zeros(x_shape)
    else:
        xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(HH):
        for q in range(WW):
            if bug == "tap slice with stride and dilation swapped (p*sh : ... : dh)":
                rs = slice(p * sh, p * sh + dh * (Ho - 1) + 1, dh)
                cs = slice(q * sw, q * sw + dw * (Wo - 1) + 1, dw)
            else:
                rs = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
                cs = slice(q * dw, q * dw + sw * (Wo - 1) + 1, sw)
            xpad[:, :, rs, cs] += split[:, :, p, q]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_add_at(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Flat indices of every (tap, window) into the padded image; np.add.at adds the duplicates."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    Hp, Wp = H + 2 * ph, W + 2 * pw
    rows = (np.arange(HH) * dh)[:, None, None, None] + (np.arange(Ho) * sh)[None, None, :, None]
    cs = (np.arange(WW) * dw)[None, :, None, None] + (np.arange(Wo) * sw)[None, None, None, :]
    flat = (rows * Wp + cs).ravel()  # (HH, WW, Ho, Wo) flattened, the order of a column's rows and columns
    xpad = np.zeros((N, C, Hp * Wp))
    np.add.at(xpad, (slice(None), slice(None), flat), cols.reshape(N, C, -1))
    return xpad.reshape(N, C, Hp, Wp)[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im_windows,
    [
        "= for += (overlapping windows overwrite each other)",
        "the padding not cut away: returns xpad",
        "padding cut with xpad[:, :, ph:-ph, pw:-pw]",
        "column r * H' + s for r * W' + s",
    ],
)
CORPUS += _rows(
    "col2im",
    col2im_taps,
    [
        "rows split as (HH, WW, C): cols.reshape(N, HH, WW, C, H', W')",
        "accumulated in np.zeros(x_shape), the unpadded size",
        "tap slice with stride and dilation swapped (p*sh : ... : dh)",
    ],
)
CORPUS.append(_right("col2im", "flat indices and np.add.at", col2im_add_at))

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col (on the student's own im2col above, as lesson 3 says)

CACHE_W_ROW = "the forward caches w_row (F, C*HH*WW) where w belongs"


def conv_fwd_cols(x, w, b, conv_param, bug=None):
    """Lesson 3's three lines: own im2col, w_row @ cols broadcast over the batch, bias, reshape."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "im2col called without the dilation":
        cols = im2col_taps(x, HH, WW, stride, pad)
    elif bug == "im2col called with WW, HH (filter height and width swapped)":
        cols = im2col_taps(x, WW, HH, stride, pad, dilation)
    else:
        cols = im2col_taps(x, HH, WW, stride, pad, dilation)  # (N, C*HH*WW, Ho*Wo)
    w_row = w.reshape(F, -1)
    if bug == "w flattened channels last, w.transpose(0, 2, 3, 1).reshape(F, -1)":
        w_row = w.transpose(0, 2, 3, 1).reshape(F, -1)
    if bug == "cols @ w_row.T (N, H'*W', F) reshaped to (N, F, H', W') without a transpose":
        out = (cols.transpose(0, 2, 1) @ w_row.T + b).reshape(N, F, Ho, Wo)
    elif bug == "out + b: the bias broadcast along H'*W', not b.reshape(1, F, 1)":
        out = (w_row @ cols + b).reshape(N, F, Ho, Wo)
    else:
        out = (w_row @ cols + b.reshape(1, F, 1)).reshape(N, F, Ho, Wo)
    cache = (x, w_row if bug == CACHE_W_ROW else w, b, conv_param, cols)
    return out, cache


def conv_fwd_cols2d(x, w, b, conv_param, bug=None):
    """CS231n's layout: the columns of every sample side by side, (C*HH*WW, N*H'*W'), one 2-D product."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols = im2col_windows(x, HH, WW, stride, pad, dilation)  # (N, C*HH*WW, Ho*Wo)
    if bug == "cols.reshape(C*HH*WW, N*H'*W') without moving the samples next to the positions":
        cols2d = cols.reshape(C * HH * WW, N * Ho * Wo)
    else:
        cols2d = cols.transpose(1, 0, 2).reshape(C * HH * WW, N * Ho * Wo)
    out = w.reshape(F, -1) @ cols2d + b[:, None]  # (F, N*Ho*Wo)
    if bug == "(F, N*H'*W') reshaped straight to (N, F, H', W')":
        out = out.reshape(N, F, Ho, Wo)
    else:
        out = out.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3)
    return out, (x, w, b, conv_param, cols)


def conv_fwd_cols_einsum(x, w, b, conv_param):
    """The product as one einsum over the own sliding-window im2col."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, _, HH, WW = w.shape
    cols = im2col_window_view(x, HH, WW, stride, pad, dilation)
    out = np.einsum("fk,nkp->nfp", w.reshape(F, -1), cols) + b[None, :, None]
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols,
    [
        "im2col called without the dilation",
        "im2col called with WW, HH (filter height and width swapped)",
        "w flattened channels last, w.transpose(0, 2, 3, 1).reshape(F, -1)",
        "cols @ w_row.T (N, H'*W', F) reshaped to (N, F, H', W') without a transpose",
        "out + b: the bias broadcast along H'*W', not b.reshape(1, F, 1)",
    ],
)
CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols2d,
    [
        "cols.reshape(C*HH*WW, N*H'*W') without moving the samples next to the positions",
        "(F, N*H'*W') reshaped straight to (N, F, H', W')",
    ],
)
CORPUS.append(
    _right("conv_forward_im2col", "einsum 'fk,nkp->nfp' over the own sliding-window im2col", conv_fwd_cols_einsum)
)

# ---------------------------------------------------------------------------------------------
# conv_backward_im2col (cnnlab's cache (x, w, b, conv_param, cols); the student's own col2im)


def conv_bwd_cols(dout, cache, bug=None):
    """Lesson 3, section 8: dw from dout_rows @ cols^T summed over n, dcols = w_row.T @ dout_rows."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout_rows = dout.reshape(N, F, Ho * Wo)
    db = dout_rows.sum(axis=(0, 2))
    if bug == "db summed over the samples and the filters, axis=(0, 1)":
        db = dout_rows.sum(axis=(0, 1))
    per_sample = dout_rows @ cols.transpose(0, 2, 1)  # (N, F, C*HH*WW)
    dw = per_sample.sum(axis=0)
    if bug == "dw averaged over the batch, .mean(axis=0)":
        dw = per_sample.mean(axis=0)
    if bug == "dw as (cols @ dout_rows^T).sum(0), (C*HH*WW, F), reshaped to w.shape untransposed":
        dw = (cols @ dout_rows.transpose(0, 2, 1)).sum(axis=0)
    dcols = w.reshape(F, -1).T @ dout_rows  # (N, C*HH*WW, Ho*Wo)
    if bug == "col2im called with pad and stride swapped":
        dx = col2im_taps(dcols, x.shape, HH, WW, pad, stride, dilation)
    else:
        dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw.reshape(F, C, HH, WW), db


def conv_bwd_cols2d(dout, cache, bug=None):
    """CS231n's layout backwards: dout as (F, N*H'*W'), the columns as (C*HH*WW, N*H'*W')."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    K, P = C * HH * WW, Ho * Wo
    cols2d = cols.transpose(1, 0, 2).reshape(K, N * P)
    if bug == "dout.reshape(F, -1) without moving F in front of N":
        dout2d = dout.reshape(F, -1)
    else:
        dout2d = dout.transpose(1, 0, 2, 3).reshape(F, -1)
    db = dout2d.sum(axis=1)
    dw = (dout2d @ cols2d.T).reshape(F, C, HH, WW)
    dcols2d = w.reshape(F, -1).T @ dout2d  # (K, N*P)
    if bug == "dcols (C*HH*WW, N*H'*W') reshaped straight to (N, C*HH*WW, H'*W')":
        dcols = dcols2d.reshape(N, K, P)
    else:
        dcols = dcols2d.reshape(K, N, P).transpose(1, 0, 2)
    dx = col2im_windows(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


def conv_bwd_cols_einsum(dout, cache):
    """einsum for dw and dcols, the own np.add.at col2im for dx."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, _, HH, WW = w.shape
    g = dout.reshape(N, F, -1)
    dw = np.einsum("nfp,nkp->fk", g, cols).reshape(w.shape)
    dcols = np.einsum("fk,nfp->nkp", w.reshape(F, -1), g)
    return col2im_add_at(dcols, x.shape, HH, WW, stride, pad, dilation), dw, g.sum(axis=(0, 2))


CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols,
    [
        "db summed over the samples and the filters, axis=(0, 1)",
        "dw averaged over the batch, .mean(axis=0)",
        "dw as (cols @ dout_rows^T).sum(0), (C*HH*WW, F), reshaped to w.shape untransposed",
        "col2im called with pad and stride swapped",
    ],
)
CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols2d,
    [
        "dout.reshape(F, -1) without moving F in front of N",
        "dcols (C*HH*WW, N*H'*W') reshaped straight to (N, C*HH*WW, H'*W')",
    ],
)
CORPUS.append(("conv_backward_im2col", CACHE_W_ROW, conv_bwd_cols, partial(conv_fwd_cols, bug=CACHE_W_ROW), False))
CORPUS.append(_right("conv_backward_im2col", "einsum for dw and dcols, np.add.at col2im", conv_bwd_cols_einsum))

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss

POOL_PARAM = {"pool_height": 2, "pool_width": 2, "stride": 2}
NOT_Y = "`if not y:` for `if y is None:` (an array of labels has no truth value)"


def convnet(params, X, y=None, reg=0.0, bug=None):
    """Lesson 7's chain with cnnlab's im2col layers and softmax_loss."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    K = W1.shape[2]
    pad = (K - 1) // 2
    if bug == "pad (K - 1) / 2, a float (as the lesson's text writes it)":
        pad = (K - 1) / 2
    if bug == "pad K // 2 (too much for an even filter)":
        pad = K // 2
    a1, conv_cache = L.conv_forward_im2col(X, W1, b1, {"stride": 1, "pad": pad})
    r1, relu1_cache = L.relu_forward(a1)
    p1, pool_cache = L.max_pool_forward_im2col(r1, POOL_PARAM)
    a2, affine2_cache = L.affine_forward(p1, W2, b2)
    r2, relu2_cache = L.relu_forward(a2)
    scores, affine3_cache = L.affine_forward(r2, W3, b3)
    if (not y) if bug == NOT_Y else (y is None):
        return scores
    data_loss, dscores = L.softmax_loss(scores, y)
    weights = ("W1", "W2", "W3", "b1", "b2", "b3") if bug == "the biases regularized too" else ("W1", "W2", "W3")
    half = 1.0 if bug == "reg loss without the 0.5: reg * sum(W**2)" else 0.5
    reg_loss = half * reg * sum(np.sum(params[name] ** 2) for name in weights)
    grads = {}
    last, middle = ("W2", "b2"), ("W3", "b3")  # the names as written when counting the backward's steps
    if bug != "dW3, db3 stored as 'W2', 'b2' and dW2, db2 as 'W3', 'b3' (steps counted from the top)":
        last, middle = middle, last
    dr2, grads[last[0]], grads[last[1]] = L.affine_backward(dscores, affine3_cache)
    da2 = L.relu_backward(dr2, relu2_cache)
    dp1, grads[middle[0]], grads[middle[1]] = L.affine_backward(da2, affine2_cache)
    dr1 = L.max_pool_backward_im2col(dp1, pool_cache)
    da1 = dr1 if bug == "the ReLU after the conv skipped in the backward" else L.relu_backward(dr1, relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(da1, conv_cache)
    for name in weights:
        if bug == "reg gradient forgotten (the loss has the term)":
            continue
        factor = 2.0 if bug == "reg gradient doubled: 2 * reg * W" else 1.0
        grads[name] = grads[name] + factor * reg * params[name]
    return data_loss + reg_loss, grads


def convnet_naive(params, X, y=None, reg=0.0, bug=None):
    """The naive layers of cnnlab and a softmax of its own (log-sum-exp, shifted by the max)."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    N = X.shape[0]
    a1, conv_cache = L.conv_forward_naive(X, W1, b1, {"stride": 1, "pad": (W1.shape[2] - 1) // 2})
    r1 = np.maximum(a1, 0)
    p1, pool_cache = L.max_pool_forward_naive(r1, POOL_PARAM)
    h = np.maximum(p1.reshape(N, -1) @ W2 + b2, 0)
    scores = h @ W3 + b3
    if y is None:
        return scores
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    summed = bug == "own softmax: loss and dscores summed over the batch, not averaged"
    loss = -log_probs[np.arange(N), y].sum() / (1 if summed else N)
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1
    dscores /= 1 if summed else N
    loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))
    grads = {"W3": h.T @ dscores + reg * W3, "b3": dscores.sum(axis=0)}
    dh = (dscores @ W3.T) * (h > 0)
    grads["W2"], grads["b2"] = p1.reshape(N, -1).T @ dh + reg * W2, dh.sum(axis=0)
    dr1 = L.max_pool_backward_naive((dh @ W2.T).reshape(p1.shape), pool_cache)
    _, dW1, grads["b1"] = L.conv_backward_naive(dr1 * (a1 > 0), conv_cache)
    grads["W1"] = dW1 + reg * W1
    return float(loss), grads


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet,
    [
        "reg gradient forgotten (the loss has the term)",
        "reg gradient doubled: 2 * reg * W",
        "reg loss without the 0.5: reg * sum(W**2)",
        "the biases regularized too",
        "pad K // 2 (too much for an even filter)",
        "pad (K - 1) / 2, a float (as the lesson's text writes it)",
        NOT_Y,
        "the ReLU after the conv skipped in the backward",
        "dW3, db3 stored as 'W2', 'b2' and dW2, db2 as 'W3', 'b3' (steps counted from the top)",
    ],
)
CORPUS += _rows(
    "three_layer_convnet_loss", convnet_naive, ["own softmax: loss and dscores summed over the batch, not averaged"]
)
CORPUS.append(
    _right(
        "three_layer_convnet_loss",
        "naive layers, its own ReLUs, affines and log-sum-exp softmax",
        partial(convnet_naive, bug=None),
    )
)
