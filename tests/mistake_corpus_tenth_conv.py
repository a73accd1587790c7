"""A tenth held-out corpus of student mistakes, conv half: written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the
earlier corpora (``tests/mistake_corpus_fourth.py``), for the exercises of lessons 1, 2, 3 and 7:
``conv_output_size``, ``conv_forward_naive``, ``conv_backward_naive``, ``im2col``, ``col2im``,
``conv_forward_im2col``, ``conv_backward_im2col`` and ``three_layer_convnet_loss``. The other half
(pooling and normalization) is written separately, by another hand. They are there to measure how
often the checker names a mistake it was never tuned to.

Each row plays one student's forum post "why does my check fail?": the whole function as pasted,
with the one mistake that made them ask. Styles are mixed as students' are: first attempts with
the loops the stubs suggest; second attempts after the hints (einsum, sliding_window_view, strided
slices per filter tap, matmul over im2col columns, index arrays); code adapted from CS231n
(``get_im2col_indices``, 2-D column matrices with the batch side by side, the ThreeLayerConvNet
chain) and PyTorch or Keras habits (channels-last layouts, ceil mode). The mistakes are the common
ones, in rough proportion: ``=`` for ``+=``, the padding cut with ``ph:-ph``, dilation or stride
left out in one place, (h, w) pairs swapped, a reshape or transpose order, the bias broadcast on the
wrong axis, the regularization term or its gradient, a loss summed instead of averaged. Each wrong
row holds ONE mistake: the helpers are correct with ``bug=None`` (the verify script checks them),
and each bug is one branch. The rows with ``should_pass`` True are correct implementations in
unusual styles (a true division floored, tensordot per output position, a transposed convolution
with zeros put into dout, 0/1 selection matrices, np.bincount, per-sample np.dot, einsum over the
split columns, a network with no cnnlab layer at all), there to catch false FAILs.

``forward`` is None everywhere: both backward exercises read cnnlab's cache, ``(x, w, b,
conv_param)`` for the naive one and ``(x, w, b, conv_param, cols)`` for the im2col one. The im2col
exercises call the student's OWN im2col and col2im (correct helpers of this file), never cnnlab's,
as lesson 3 says. The network is built from ``cnnlab.layers``, as lesson 7 allows (except in its
right row).

How it was written: blind. Only from the student edition of lessons 1, 2, 3 and 7 (their
explanations, stubs, docstrings and hints as printed in them), ``cnnlab/layers``,
``cnnlab/shapes.py``, ``cnnlab/geometry.py``, ``cnnlab/im2col.py``, ``cnnlab/model.py``, the verify
machinery ``tests/corpus_verify.py`` and
``tests/verify_mistake_corpus_fourth.py``, and the first 90 lines of
``tests/mistake_corpus_fourth.py`` (for the format). Nothing of the checker (``cnnlab/exercises/``)
was read or run, nor any other corpus, ``tests/student_impls.py``, ``tests/test_exercises.py`` or
``tests/test_crashes.py``. Every row was verified against cnnlab's reference implementations by
``tests/verify_mistake_corpus_tenth_conv.py`` (seed 1400): each wrong row differs from the reference
(a wrong value, a wrong shape, or an exception) on at least one input, each right row matches it
to 1e-8 on every input.

70 rows: 62 wrong, 8 right (one right row per exercise).

| exercise                  | wrong | right |
|---------------------------|-------|-------|
| conv_output_size          |   5   |   1   |
| conv_forward_naive        |   9   |   1   |
| conv_backward_naive       |   9   |   1   |
| im2col                    |   8   |   1   |
| col2im                    |   8   |   1   |
| conv_forward_im2col       |   7   |   1   |
| conv_backward_im2col      |   7   |   1   |
| three_layer_convnet_loss  |   9   |   1   |
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
    return (exercise, label, fn, forward, True)


def _pad(x, ph, pw):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


CORPUS = []

# ---------------------------------------------------------------------------------------------
# conv_output_size (lesson 1): the boxed formula; a filter that does not fit gives 0 or less,
# and that number is returned as it is.


def out_size(size, kernel, stride, pad, dilation, bug=None):
    if bug == "dilation left out: (size + 2*pad - kernel) // stride + 1":
        return (size + 2 * pad - kernel) // stride + 1
    if bug == "padding added on one side only":
        return (size + pad - dilation * (kernel - 1) - 1) // stride + 1
    if bug == "clamped to 0 when the filter does not fit":
        return max(0, (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1)
    if bug == "int(a / stride) truncates toward zero instead of flooring":
        return int((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1
    if bug == "rounded up (pooling's ceil_mode) instead of down":
        last = size + 2 * pad - dilation * (kernel - 1) - 1
        return -(-last // stride) + 1
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def out_size_floor(size, kernel, stride, pad, dilation):
    """Right: the span first, then math.floor of a true division (exact for these small ints)."""
    span = dilation * (kernel - 1) + 1
    return math.floor((size + 2 * pad - span) / stride) + 1


CORPUS += _rows(
    "conv_output_size",
    out_size,
    [
        "dilation left out: (size + 2*pad - kernel) // stride + 1",
        "padding added on one side only",
        "clamped to 0 when the filter does not fit",
        "int(a / stride) truncates toward zero instead of flooring",
        "rounded up (pooling's ceil_mode) instead of down",
    ],
)
CORPUS.append(_right("conv_output_size", "span, then math.floor of a true division", out_size_floor))

# ---------------------------------------------------------------------------------------------
# conv_forward_naive (lesson 2): three styles, the four loops of the stub, a sliding_window_view
# and einsum second attempt, and a loop over the filter taps.


def conv_fwd_loops(x, w, b, conv_param, bug=None):
    """The four loops over n, f, i, j, as the stub suggests (CS231n style)."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    sh, sw = stride
    ph, pw = pad
    dil_h, dil_w = dilation
    if bug == "np.pad(x, pad) pads every axis, N and C too":
        xpad = np.pad(x, pad)
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    if bug == "row and column strides swapped":
                        top, left = i * sw, j * sh
                    else:
                        top, left = i * sh, j * sw
                    if bug == "dilation left out of the window":
                        rows = slice(top, top + HH)
                        cols = slice(left, left + WW)
                    else:
                        rows = slice(top, top + dil_h * (HH - 1) + 1, dil_h)
                        cols = slice(left, left + dil_w * (WW - 1) + 1, dil_w)
                    window = xpad[n, :, rows, cols]
                    if bug == "bias added inside the sum":
                        out[n, f, i, j] = np.sum(window * w[f] + b[f])
                    elif bug == "kernel flipped (np.convolve habit)":
                        out[n, f, i, j] = np.sum(window * w[f, :, ::-1, ::-1]) + b[f]
                    else:
                        out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def conv_fwd_swv(x, w, b, conv_param, bug=None):
    """Second attempt: every window with sliding_window_view, then one einsum."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, C, HH, WW = w.shape
    (sh, sw), (ph, pw), (dil_h, dil_w) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    span = (dil_h * (HH - 1) + 1, dil_w * (WW - 1) + 1)
    win = sliding_window_view(xpad, span, axis=(2, 3))  # (N, C, Hp - span + 1, Wp - span + 1, span_h, span_w)
    if bug == "stride not applied to the windows":
        win = win[:, :, :, :, ::dil_h, ::dil_w]
    else:
        win = win[:, :, ::sh, ::sw, ::dil_h, ::dil_w]  # (N, C, Ho, Wo, HH, WW)
    if bug == "filter taps p and q swapped in the einsum":
        out = np.einsum("nchwpq,fcqp->nfhw", win, w)
    else:
        out = np.einsum("nchwpq,fcpq->nfhw", win, w)
    out = out + b[None, :, None, None]
    return out, (x, w, b, conv_param)


def conv_fwd_taps(x, w, b, conv_param, bug=None):
    """One strided slice of the padded input per filter tap (p, q), multiplied with w[:, :, p, q]."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dil_h, dil_w) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    out = np.zeros((N, F, Ho, Wo)) + b[None, :, None, None]
    for p in range(HH):
        for q in range(WW):
            r0, c0 = p * dil_h, q * dil_w
            tap = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]  # (N, C, Ho, Wo)
            contrib = np.einsum("nchw,fc->nfhw", tap, w[:, :, p, q])
            if bug == "= instead of += over the taps":
                out = contrib + b[None, :, None, None]
            elif bug == "bias added again at every tap":
                out += contrib + b[None, :, None, None]
            else:
                out += contrib
    return out, (x, w, b, conv_param)


def conv_fwd_positions(x, w, b, conv_param):
    """Right: loops over the output positions only, one tensordot over (C, HH, WW) for every n and f."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dil_h, dil_w) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    out = np.empty((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xpad[
                :, :, i * sh : i * sh + dil_h * (HH - 1) + 1 : dil_h, j * sw : j * sw + dil_w * (WW - 1) + 1 : dil_w
            ]
            out[:, :, i, j] = np.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_loops,
    [
        "dilation left out of the window",
        "row and column strides swapped",
        "bias added inside the sum",
        "kernel flipped (np.convolve habit)",
        "np.pad(x, pad) pads every axis, N and C too",
    ],
)
CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_swv,
    ["stride not applied to the windows", "filter taps p and q swapped in the einsum"],
)
CORPUS += _rows("conv_forward_naive", conv_fwd_taps, ["= instead of += over the taps", "bias added again at every tap"])
CORPUS.append(_right("conv_forward_naive", "tensordot per output position over all n and f", conv_fwd_positions))

# ---------------------------------------------------------------------------------------------
# conv_backward_naive (lesson 2): the cache is cnnlab's (x, w, b, conv_param), so forward is None.
# Three styles: the forward loops with gradients added up, one vectorized step per filter tap,
# and lesson 2's "the backward pass is a convolution too" (section 6) carried to any stride.


def conv_bwd_loops(dout, cache, bug=None):
    """The forward's four loops, each step adding its share (CS231n style)."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    sh, sw = stride
    ph, pw = pad
    if bug == "dilation unpacked as (dh, dw), then dw reused for the weight gradient":
        dh, dw = dilation
    else:
        dil_h, dil_w = dilation
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dw = np.zeros_like(w)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    if bug == "dilation unpacked as (dh, dw), then dw reused for the weight gradient":
                        rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                        cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    else:
                        rows = slice(i * sh, i * sh + dil_h * (HH - 1) + 1, dil_h)
                        cols = slice(j * sw, j * sw + dil_w * (WW - 1) + 1, dil_w)
                    g = dout[n, f, i, j]
                    if bug == "= instead of += for dx":
                        dxpad[n, :, rows, cols] = g * w[f]
                    else:
                        dxpad[n, :, rows, cols] += g * w[f]
                    if bug == "dw from the unpadded x":
                        dw[f] += g * x[n, :, rows, cols]
                    elif bug == "upstream gradient left out of dw":
                        dw[f] += xpad[n, :, rows, cols]
                    else:
                        dw[f] += g * xpad[n, :, rows, cols]
                    db[f] += g
    if bug == "db summed over axes (1, 2, 3)":
        db = dout.sum(axis=(1, 2, 3))
    if bug == "padding cut with dxpad[:, :, ph:-ph, pw:-pw]":
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw, db


def conv_bwd_taps(dout, cache, bug=None):
    """Second attempt: one strided slice per tap (p, q), with einsum over n, f and the positions."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dil_h, dil_w) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw = np.zeros_like(w)
    for p in range(HH):
        for q in range(WW):
            if bug == "stride left out of the tap slices":
                rs = slice(p * dil_h, p * dil_h + Ho)
                cs = slice(q * dil_w, q * dil_w + Wo)
            else:
                rs = slice(p * dil_h, p * dil_h + sh * (Ho - 1) + 1, sh)
                cs = slice(q * dil_w, q * dil_w + sw * (Wo - 1) + 1, sw)
            if bug == "filters flipped for dx (lesson 1's full correlation, applied per tap)":
                dxpad[:, :, rs, cs] += np.einsum("nfhw,fc->nchw", dout, w[:, :, HH - 1 - p, WW - 1 - q])
            else:
                dxpad[:, :, rs, cs] += np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
            dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, xpad[:, :, rs, cs])
    db = dout.sum(axis=(0, 2, 3))
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, db


def conv_bwd_transposed(dout, cache, bug=None):
    """dx as a full correlation of dout with the flipped filters, dw as a correlation of x with dout
    (lesson 2, section 6), with the student's own conv_forward_naive. For a stride > 1 dout gets
    stride - 1 zeros between its elements first ("Going further"); a dilated filter is a bigger
    filter with zeros between its taps."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dil_h, dil_w) = stride, pad, dilation
    kh, kw = dil_h * (HH - 1) + 1, dil_w * (WW - 1) + 1  # the dilated filter
    w_big = np.zeros((F, C, kh, kw))
    w_big[:, :, ::dil_h, ::dil_w] = w
    if bug == "the stride-1 recipe used as it is: no zeros put between dout's elements":
        d = dout
    else:
        d = np.zeros((N, F, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1))
        d[:, :, ::sh, ::sw] = dout
    used_h, used_w = d.shape[2] + kh - 1, d.shape[3] + kw - 1  # rows and columns some window reads
    xpad = _pad(x, ph, pw)
    w_flip = w_big[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, F, kh, kw)
    dx_used, _ = conv_fwd_loops(d, w_flip, np.zeros(C), {"pad": (kh - 1, kw - 1)})
    dxpad = np.zeros_like(xpad)
    dxpad[:, :, :used_h, :used_w] = dx_used
    dw_big, _ = conv_fwd_loops(
        xpad[:, :, :used_h, :used_w].transpose(1, 0, 2, 3), d.transpose(1, 0, 2, 3), np.zeros(F), {}
    )  # (C, F, kh, kw)
    dw = dw_big.transpose(1, 0, 2, 3)[:, :, ::dil_h, ::dil_w]
    db = dout.sum(axis=(0, 2, 3))
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, db


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_loops,
    [
        "= instead of += for dx",
        "padding cut with dxpad[:, :, ph:-ph, pw:-pw]",
        "dw from the unpadded x",
        "upstream gradient left out of dw",
        "db summed over axes (1, 2, 3)",
        "dilation unpacked as (dh, dw), then dw reused for the weight gradient",
    ],
)
CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_taps,
    ["stride left out of the tap slices", "filters flipped for dx (lesson 1's full correlation, applied per tap)"],
)
CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_transposed,
    ["the stride-1 recipe used as it is: no zeros put between dout's elements"],
)
CORPUS.append(
    _right(
        "conv_backward_naive",
        "transposed convolution: dout with zeros between its elements, the filter dilated with zeros",
        partial(conv_bwd_transposed, bug=None),
    )
)

# ---------------------------------------------------------------------------------------------
# im2col (lesson 3): cols (N, C*HH*WW, H'*W'), row c*HH*WW + p*WW + q, column r*W' + s. Four
# styles: the loop over the windows, the loop over the taps (the two ways lesson 3 gives),
# sliding_window_view, and CS231n's fancy-index im2col_indices.


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Loop over the output positions: each window, flattened, is one column."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    if bug == "ph and pw swapped in np.pad":
        xpad = np.pad(x, ((0, 0), (0, 0), (pw, pw), (ph, ph)))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.zeros((N, C * HH * WW, Ho * Wo), dtype=x.dtype)
    for r in range(Ho):
        for s in range(Wo):
            window = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            if bug == "rows in channels-last order (p, q, c), the Keras habit":
                window = window.transpose(0, 2, 3, 1)
            if bug == "column index r*H' + s instead of r*W' + s":
                cols[:, :, r * Ho + s] = window.reshape(N, -1)
            else:
                cols[:, :, r * Wo + s] = window.reshape(N, -1)
    return cols


def im2col_taps(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Loop over the taps: tap (p, q) of every window is one strided slice (N, C, H', W')."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.empty((N, C, HH, WW, Ho, Wo), dtype=x.dtype)
    for p in range(HH):
        for q in range(WW):
            if bug == "tap offset p, q without the dilation":
                r0, c0 = p, q
            else:
                r0, c0 = p * dh, q * dw
            cols[:, :, p, q] = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]
    return cols.reshape(N, C * HH * WW, Ho * Wo)


def im2col_swv(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """sliding_window_view over the padded input, strided and dilated by slicing, then one reshape."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    if bug == "window shape (HH, WW): the dilation ignored":
        win = sliding_window_view(xpad, (HH, WW), axis=(2, 3))[:, :, ::sh, ::sw]
    else:
        span = (dh * (HH - 1) + 1, dw * (WW - 1) + 1)
        win = sliding_window_view(xpad, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, Ho, Wo, HH, WW)
    if bug == "reshaped without moving the taps before the positions":
        return win.reshape(N, C * HH * WW, -1)
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * HH * WW, -1)


def im2col_index_arrays(C, HH, WW, Ho, Wo, stride, dilation, bug=None):
    """CS231n's get_im2col_indices, with dilation and (h, w) pairs added: (k, i, j) to index xpad[:, k, i, j]."""
    (sh, sw), (dh, dw) = stride, dilation
    i0 = np.tile(dh * np.repeat(np.arange(HH), WW), C)
    i1 = sh * np.repeat(np.arange(Ho), Wo)
    j0 = np.tile(dw * np.arange(WW), HH * C)
    if bug == "CS231n's single stride: sh for the columns too":
        j1 = sh * np.tile(np.arange(Wo), Ho)
    else:
        j1 = sw * np.tile(np.arange(Wo), Ho)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), HH * WW).reshape(-1, 1)
    return k, i, j


def im2col_indices(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Adapted from CS231n's im2col.py (fancy indexing with precomputed index arrays)."""
    x, (HH, WW), stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    k, i, j = im2col_index_arrays(C, HH, WW, Ho, Wo, stride, dilation, bug)
    cols = xpad[:, k, i, j]  # (N, C*HH*WW, Ho*Wo)
    if bug == "CS231n's 2-D layout (C*HH*WW, H'*W'*N) kept":
        return cols.transpose(1, 2, 0).reshape(C * HH * WW, -1)
    return cols


def _selection(size, kernel, stride, pad, dilation, out):
    """A[i, t, y] = 1 where tap t of output i reads row y of the unpadded input (0 on the padding)."""
    A = np.zeros((out, kernel, size))
    for i in range(out):
        for t in range(kernel):
            y = i * stride + t * dilation - pad
            if 0 <= y < size:
                A[i, t, y] = 1.0
    return A


def im2col_selection(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: no padding at all; 0/1 selection matrices per axis, and one einsum."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    A = _selection(H, HH, sh, ph, dh, Ho)  # (Ho, HH, H)
    B = _selection(W, WW, sw, pw, dw, Wo)  # (Wo, WW, W)
    cols = np.einsum("ipy,jqz,ncyz->ncpqij", A, B, x)
    return cols.reshape(N, C * HH * WW, Ho * Wo)


CORPUS += _rows(
    "im2col",
    im2col_windows,
    [
        "column index r*H' + s instead of r*W' + s",
        "rows in channels-last order (p, q, c), the Keras habit",
        "ph and pw swapped in np.pad",
    ],
)
CORPUS += _rows("im2col", im2col_taps, ["tap offset p, q without the dilation"])
CORPUS += _rows(
    "im2col",
    im2col_swv,
    ["reshaped without moving the taps before the positions", "window shape (HH, WW): the dilation ignored"],
)
CORPUS += _rows(
    "im2col",
    im2col_indices,
    ["CS231n's 2-D layout (C*HH*WW, H'*W'*N) kept", "CS231n's single stride: sh for the columns too"],
)
CORPUS.append(_right("im2col", "0/1 selection matrices per axis and one einsum, no padding", im2col_selection))

# ---------------------------------------------------------------------------------------------
# col2im (lesson 3): the adjoint of im2col, adding every column back into its window of a zero
# padded image, then cutting the padding away. Three styles: the loop over the windows, the loop
# over the taps, CS231n's col2im_indices.


def col2im_windows(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Loop over the output positions: column r*W' + s goes back into window (r, s)."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    count = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for r in range(Ho):
        for s in range(Wo):
            rows = slice(r * sh, r * sh + dh * (HH - 1) + 1, dh)
            cs = slice(s * sw, s * sw + dw * (WW - 1) + 1, dw)
            patch = cols[:, :, r * Wo + s].reshape(N, C, HH, WW)
            if bug == "= instead of += where windows overlap":
                xpad[:, :, rows, cs] = patch
            else:
                xpad[:, :, rows, cs] += patch
            count[:, :, rows, cs] += 1
    if bug == "overlaps averaged (col2im taken for the inverse of im2col)":
        xpad = xpad / np.maximum(count, 1)
    if bug == "padding not cut away":
        return xpad
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_taps(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Loop over the taps, the transpose of im2col_taps: one strided += per tap."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    if bug == "columns split as (N, C, H', W', HH, WW)":
        cols6 = cols.reshape(N, C, Ho, Wo, HH, WW).transpose(0, 1, 4, 5, 2, 3)
    else:
        cols6 = cols.reshape(N, C, HH, WW, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for p in range(HH):
        for q in range(WW):
            if bug == "tap offset p, q without the dilation":
                r0, c0 = p, q
            else:
                r0, c0 = p * dh, q * dw
            if bug == "row and column strides swapped":
                rs = slice(r0, r0 + sw * (Ho - 1) + 1, sw)
                cs = slice(c0, c0 + sh * (Wo - 1) + 1, sh)
            else:
                rs = slice(r0, r0 + sh * (Ho - 1) + 1, sh)
                cs = slice(c0, c0 + sw * (Wo - 1) + 1, sw)
            xpad[:, :, rs, cs] += cols6[:, :, p, q]
    if bug == "padding cut with xpad[:, :, ph:-ph, pw:-pw]":
        return xpad[:, :, ph:-ph, pw:-pw]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_indices(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Adapted from CS231n's col2im_indices: the index arrays of im2col_indices, and np.add.at."""
    N, C, H, W = x_shape
    (HH, WW), stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    k, i, j = im2col_index_arrays(C, HH, WW, Ho, Wo, stride, dilation)
    if bug == "xpad[:, k, i, j] += cols: a fancy-index += drops the repeats":
        xpad[:, k, i, j] += cols
    else:
        np.add.at(xpad, (slice(None), k, i, j), cols)
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_bincount(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: the flat index of every entry of cols in the padded image, summed with np.bincount."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    Hp, Wp = H + 2 * ph, W + 2 * pw
    n = np.arange(N).reshape(N, 1, 1, 1, 1, 1)
    c = np.arange(C).reshape(1, C, 1, 1, 1, 1)
    rows = (dh * np.arange(HH)).reshape(1, 1, HH, 1, 1, 1) + (sh * np.arange(Ho)).reshape(1, 1, 1, 1, Ho, 1)
    columns = (dw * np.arange(WW)).reshape(1, 1, 1, WW, 1, 1) + (sw * np.arange(Wo)).reshape(1, 1, 1, 1, 1, Wo)
    flat = ((n * C + c) * Hp + rows) * Wp + columns  # (N, C, HH, WW, Ho, Wo), the layout of cols
    xpad = np.bincount(flat.ravel(), weights=np.asarray(cols).ravel(), minlength=N * C * Hp * Wp)
    return xpad.reshape(N, C, Hp, Wp)[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im_windows,
    [
        "= instead of += where windows overlap",
        "padding not cut away",
        "overlaps averaged (col2im taken for the inverse of im2col)",
    ],
)
CORPUS += _rows(
    "col2im",
    col2im_taps,
    [
        "padding cut with xpad[:, :, ph:-ph, pw:-pw]",
        "columns split as (N, C, H', W', HH, WW)",
        "tap offset p, q without the dilation",
        "row and column strides swapped",
    ],
)
CORPUS += _rows("col2im", col2im_indices, ["xpad[:, k, i, j] += cols: a fancy-index += drops the repeats"])
CORPUS.append(_right("col2im", "flat indices into the padded image, summed by np.bincount", col2im_bincount))

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col (lesson 3), with the student's OWN im2col (one of the correct helpers
# above, bug=None), as lesson 3 says. The cache is (x, w, b, conv_param, cols).


def own_im2col(x, HH, WW, stride, pad, dilation):
    return im2col_taps(x, HH, WW, stride, pad, dilation)


def own_im2col_cs231n(x, HH, WW, stride, pad, dilation):
    return im2col_indices(x, HH, WW, stride, pad, dilation)


def conv_fwd_cols(x, w, b, conv_param, bug=None):
    """The three lines of lesson 3: columns, filter rows, one broadcast matmul."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "pad not passed to im2col":
        cols = own_im2col(x, HH, WW, stride, 0, dilation)
    elif bug == "pad and dilation swapped in the im2col call":
        cols = own_im2col(x, HH, WW, stride, dilation, pad)
    elif bug == "HH passed for both filter sides":
        cols = own_im2col(x, HH, HH, stride, pad, dilation)
    else:
        cols = own_im2col(x, HH, WW, stride, pad, dilation)  # (N, C*HH*WW, Ho*Wo)
    if bug == "w.reshape(-1, F).T for the filter rows":
        w_row = w.reshape(-1, F).T
    elif bug == "filters flattened channels-last, w.transpose(0, 2, 3, 1)":
        w_row = w.transpose(0, 2, 3, 1).reshape(F, -1)
    else:
        w_row = w.reshape(F, -1)  # (F, C*HH*WW)
    out = w_row @ cols  # (N, F, Ho*Wo)
    if bug == "bias added without reshaping it to (1, F, 1)":
        out = out + b
    else:
        out = out + b.reshape(1, F, 1)
    if bug == "output reshaped to (N, F, W', H')":
        out = out.reshape(N, F, Wo, Ho)
    else:
        out = out.reshape(N, F, Ho, Wo)
    return out, (x, w, b, conv_param, cols)


def conv_fwd_cols_cs231n(x, w, b, conv_param, bug=None):
    """CS231n's conv_forward_im2col: one 2-D product over the batch's columns side by side."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols = own_im2col_cs231n(x, HH, WW, stride, pad, dilation)  # (N, C*HH*WW, Ho*Wo)
    cols2 = cols.transpose(1, 0, 2).reshape(C * HH * WW, -1)  # (C*HH*WW, N*Ho*Wo), sample-major
    out = w.reshape(F, -1) @ cols2 + b.reshape(-1, 1)  # (F, N*Ho*Wo)
    if bug == "(F, N*H'*W') reshaped straight to (N, F, H', W')":
        out = out.reshape(N, F, Ho, Wo)
    else:
        out = out.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3)
    return out, (x, w, b, conv_param, cols)


def conv_fwd_cols_per_sample(x, w, b, conv_param):
    """Right: the student's sliding_window_view im2col, then np.dot one sample at a time and np.stack."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols = im2col_swv(x, HH, WW, stride, pad, dilation)
    w_row = w.reshape(F, -1)
    out = np.stack([np.dot(w_row, cols[n]) + b[:, None] for n in range(N)])  # (N, F, Ho*Wo)
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols,
    [
        "bias added without reshaping it to (1, F, 1)",
        "output reshaped to (N, F, W', H')",
        "w.reshape(-1, F).T for the filter rows",
        "filters flattened channels-last, w.transpose(0, 2, 3, 1)",
        "pad not passed to im2col",
        "HH passed for both filter sides",
    ],
)
CORPUS += _rows("conv_forward_im2col", conv_fwd_cols_cs231n, ["(F, N*H'*W') reshaped straight to (N, F, H', W')"])
CORPUS.append(
    _right("conv_forward_im2col", "own sliding_window_view im2col, np.dot per sample", conv_fwd_cols_per_sample)
)

# ---------------------------------------------------------------------------------------------
# conv_backward_im2col (lesson 3): the cache is cnnlab's (x, w, b, conv_param, cols), so forward is
# None; dx goes through the student's OWN col2im.


def own_col2im(dcols, x_shape, HH, WW, stride, pad, dilation=1):
    return col2im_taps(dcols, x_shape, HH, WW, stride, pad, dilation)


def own_col2im_cs231n(dcols, x_shape, HH, WW, stride, pad, dilation=1):
    return col2im_indices(dcols, x_shape, HH, WW, stride, pad, dilation)


def conv_bwd_cols(dout, cache, bug=None):
    """Section 8 of lesson 3, line by line."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout_rows = dout.reshape(N, F, Ho * Wo)
    if bug == "db summed over axes (0, 1) of dout_rows":
        db = dout_rows.sum(axis=(0, 1))
    else:
        db = dout_rows.sum(axis=(0, 2))
    if bug == "dw averaged over the batch":
        dw = (dout_rows @ cols.transpose(0, 2, 1)).mean(axis=0).reshape(w.shape)
    elif bug == "dw as cols @ dout_rows^T, (C*HH*WW, F) reshaped to w.shape without a transpose":
        dw = (cols @ dout_rows.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    else:
        dw = (dout_rows @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    dcols = w.reshape(F, -1).T @ dout_rows  # (N, C*HH*WW, Ho*Wo)
    if bug == "dilation not passed to col2im":
        dx = own_col2im(dcols, x.shape, HH, WW, stride, pad)
    elif bug == "HH and WW swapped in the col2im call":
        dx = own_col2im(dcols, x.shape, WW, HH, stride, pad, dilation)
    else:
        dx = own_col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


def conv_bwd_cols_cs231n(dout, cache, bug=None):
    """CS231n's conv_backward_im2col: 2-D products over the batch's columns side by side."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    K = C * HH * WW
    cols2 = cols.transpose(1, 0, 2).reshape(K, -1)  # (K, N*Ho*Wo), sample-major
    if bug == "dout.reshape(F, -1) without moving F to the front":
        dout2 = dout.reshape(F, -1)
    else:
        dout2 = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*Ho*Wo), sample-major
    db = dout2.sum(axis=1)
    dw = (dout2 @ cols2.T).reshape(w.shape)
    dcols2 = w.reshape(F, -1).T @ dout2  # (K, N*Ho*Wo)
    if bug == "dcols (K, N*H'*W') reshaped straight to (N, K, H'*W')":
        dcols = dcols2.reshape(N, K, Ho * Wo)
    else:
        dcols = dcols2.reshape(K, N, Ho * Wo).transpose(1, 0, 2)
    dx = own_col2im_cs231n(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


def conv_bwd_cols_einsum(dout, cache):
    """Right: the cached columns split back into (N, C, HH, WW, H', W'), einsum for dw and dcols,
    the student's loop-over-windows col2im for dx."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols6 = cols.reshape(N, C, HH, WW, Ho, Wo)
    dw = np.einsum("nfij,ncpqij->fcpq", dout, cols6)
    db = np.einsum("nfij->f", dout)
    dcols = np.einsum("fcpq,nfij->ncpqij", w, dout).reshape(N, C * HH * WW, Ho * Wo)
    dx = col2im_windows(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols,
    [
        "db summed over axes (0, 1) of dout_rows",
        "dw averaged over the batch",
        "dw as cols @ dout_rows^T, (C*HH*WW, F) reshaped to w.shape without a transpose",
        "dilation not passed to col2im",
        "HH and WW swapped in the col2im call",
    ],
)
CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols_cs231n,
    [
        "dout.reshape(F, -1) without moving F to the front",
        "dcols (K, N*H'*W') reshaped straight to (N, K, H'*W')",
    ],
)
CORPUS.append(
    _right("conv_backward_im2col", "einsum over the cached columns split into taps and positions", conv_bwd_cols_einsum)
)

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss (lesson 7): conv (stride 1, pad (HH - 1) // 2) - relu - 2x2 max pool,
# stride 2 - affine - relu - affine - softmax; loss = mean softmax loss + 0.5 * reg * (sum W1^2 +
# sum W2^2 + sum W3^2), weights only; grads add reg * W. Built from cnnlab.layers, as lesson 7
# allows; once with cnnlab's softmax_loss, once with the student's own softmax.

POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}


def convnet_layers(params, X, y=None, reg=0.0, bug=None):
    """The chain of lesson 7's section 2, forward and back, CS231n style."""
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    W3, b3 = params["W3"], params["b3"]
    HH = W1.shape[2]
    if bug == "conv padded by HH // 2 (wrong for an even filter)":
        conv_param = {"stride": 1, "pad": HH // 2}
    else:
        conv_param = {"stride": 1, "pad": (HH - 1) // 2}
    out, conv_cache = L.conv_forward_im2col(X, W1, b1, conv_param)
    out, relu1_cache = L.relu_forward(out)
    out, pool_cache = L.max_pool_forward_naive(out, POOL)
    out, affine2_cache = L.affine_forward(out, W2, b2)
    if bug != "second ReLU (after the hidden affine) left out":
        out, relu2_cache = L.relu_forward(out)
    scores, affine3_cache = L.affine_forward(out, W3, b3)
    if y is None:
        return scores

    loss, dscores = L.softmax_loss(scores, y)
    if bug == "biases regularized too":
        loss += 0.5 * reg * sum(np.sum(p * p) for p in params.values())
    elif bug == "0.5 left out of the regularization loss":
        loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))
    else:
        loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))

    grads = {}
    if bug == "affine_backward's (dx, dw, db) unpacked as (dx, db, dw)":
        dout, grads["b3"], grads["W3"] = L.affine_backward(dscores, affine3_cache)
    else:
        dout, grads["W3"], grads["b3"] = L.affine_backward(dscores, affine3_cache)
    if bug != "second ReLU (after the hidden affine) left out":
        dout = L.relu_backward(dout, relu2_cache)
    dout, grads["W2"], grads["b2"] = L.affine_backward(dout, affine2_cache)
    dout = L.max_pool_backward_naive(dout, pool_cache)
    dout = L.relu_backward(dout, relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(dout, conv_cache)

    if bug == "regularization gradient left out":
        return loss, grads
    if bug == "biases regularized too":
        for name in grads:
            grads[name] += reg * params[name]
        return loss, grads
    for name in ("W1", "W2", "W3"):
        if bug == "regularization gradient 2 * reg * W (the 0.5 not cancelled)":
            grads[name] += 2 * reg * params[name]
        else:
            grads[name] += reg * params[name]
    return loss, grads


def convnet_own_softmax(params, X, y=None, reg=0.0, bug=None):
    """cnnlab's layers, but the softmax and its gradient written by hand."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    N = X.shape[0]
    conv_param = {"stride": 1, "pad": (W1.shape[2] - 1) // 2}
    c, conv_cache = L.conv_forward_naive(X, W1, b1, conv_param)
    r1, relu1_cache = L.relu_forward(c)
    p, pool_cache = L.max_pool_forward_naive(r1, POOL)
    h, affine2_cache = L.affine_forward(p, W2, b2)
    r2, relu2_cache = L.relu_forward(h)
    scores, affine3_cache = L.affine_forward(r2, W3, b3)
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    if y is None:
        if bug == "softmax probabilities returned instead of the scores":
            return probs
        return scores
    if bug == "softmax loss summed over the batch, not averaged":
        data_loss = -np.sum(np.log(probs[np.arange(N), y]))
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
    else:
        data_loss = -np.mean(np.log(probs[np.arange(N), y]))
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
    loss = data_loss + 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2) + np.sum(W3**2))
    dr2, dW3, db3 = L.affine_backward(dscores, affine3_cache)
    dh = L.relu_backward(dr2, relu2_cache)
    dp, dW2, db2 = L.affine_backward(dh, affine2_cache)
    dr1 = L.max_pool_backward_naive(dp, pool_cache)
    dc = L.relu_backward(dr1, relu1_cache)
    _, dW1, db1 = L.conv_backward_naive(dc, conv_cache)
    grads = {
        "W1": dW1 + reg * W1,
        "b1": db1,
        "W2": dW2 + reg * W2,
        "b2": db2,
        "W3": dW3 + reg * W3,
        "b3": db3,
    }
    return float(loss), grads


def convnet_by_hand(params, X, y=None, reg=0.0):
    """Right: no cnnlab layers at all. The conv by sliding_window_view and einsum, the pool by a
    reshape into 2x2 blocks (odd sides cropped), a log-softmax, and every gradient by hand."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    N = X.shape[0]
    F, C, K, _ = W1.shape
    P = (K - 1) // 2
    Xp = np.pad(X, ((0, 0), (0, 0), (P, P), (P, P)))
    win = sliding_window_view(Xp, (K, K), axis=(2, 3))  # (N, C, Ho, Wo, K, K)
    conv = np.einsum("nchwpq,fcpq->nfhw", win, W1) + b1[None, :, None, None]
    act = np.maximum(conv, 0)
    Hq, Wq = conv.shape[2] // 2, conv.shape[3] // 2
    blocks = act[:, :, : 2 * Hq, : 2 * Wq].reshape(N, F, Hq, 2, Wq, 2)
    pooled = blocks.max(axis=(3, 5))  # (N, F, Hq, Wq)
    flat = pooled.reshape(N, -1)
    hidden = flat @ W2 + b2
    act2 = np.maximum(hidden, 0)
    scores = act2 @ W3 + b3
    if y is None:
        return scores
    z = scores - scores.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(N), y].mean() + 0.5 * reg * sum(np.sum(Wk * Wk) for Wk in (W1, W2, W3))
    dscores = np.exp(logp)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads = {"W3": act2.T @ dscores + reg * W3, "b3": dscores.sum(axis=0)}
    dhidden = (dscores @ W3.T) * (hidden > 0)
    grads["W2"], grads["b2"] = flat.T @ dhidden + reg * W2, dhidden.sum(axis=0)
    dpooled = (dhidden @ W2.T).reshape(pooled.shape)
    is_max = blocks == pooled[:, :, :, None, :, None]  # ties only among relu zeros, whose gradient is 0 anyway
    dact = np.zeros_like(act)
    dact[:, :, : 2 * Hq, : 2 * Wq] = (is_max * dpooled[:, :, :, None, :, None]).reshape(N, F, 2 * Hq, 2 * Wq)
    dconv = dact * (conv > 0)
    grads["b1"] = dconv.sum(axis=(0, 2, 3))
    grads["W1"] = np.einsum("nfhw,nchwpq->fcpq", dconv, win) + reg * W1
    return float(loss), grads


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet_layers,
    [
        "regularization gradient left out",
        "regularization gradient 2 * reg * W (the 0.5 not cancelled)",
        "biases regularized too",
        "0.5 left out of the regularization loss",
        "conv padded by HH // 2 (wrong for an even filter)",
        "affine_backward's (dx, dw, db) unpacked as (dx, db, dw)",
        "second ReLU (after the hidden affine) left out",
    ],
)
CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet_own_softmax,
    ["softmax loss summed over the batch, not averaged", "softmax probabilities returned instead of the scores"],
)
CORPUS.append(
    _right(
        "three_layer_convnet_loss",
        "no cnnlab layers: sliding windows, a reshape max pool, log-softmax, gradients by hand",
        convnet_by_hand,
    )
)
