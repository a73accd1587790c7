"""A thirteenth held-out corpus of student mistakes, convolution half, written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``tests/mistake_corpus_fourth.py`` and after), for the exercises of lessons 1, 2, 3 and 7:
``conv_output_size``, ``conv_forward_naive``, ``conv_backward_naive``, ``im2col``, ``col2im``,
``conv_forward_im2col``, ``conv_backward_im2col`` and ``three_layer_convnet_loss``. (The pooling and
normalization exercises are in the other half, written separately.) It measures how often the
checker names a mistake it was never tuned to. The rows are written as a teaching assistant who
has graded this assignment for years would record the submissions they saw, most frequent first:
each wrong row is one student's code (their own names and structure: the lesson's loops, per-tap
loops, tensordot or einsum, CS231n's index arrays and (K, N*P) column layout, a backward pass as
two convolutions, a network with the backward written out) carrying ONE mistake: an off-by-one, a
forgotten term or factor, a wrong axis or reshape order, ``=`` for ``+=``, stride, pad or dilation
left out in one place, an ``(h, w)`` pair mishandled, a padding cut with ``ph:-ph``, col2im taken for
the inverse of im2col, a regularization or softmax slip, a CS231n or Keras habit. The rows with
``should_pass`` True are correct implementations in unusual styles (math.floor, a loop over the
filter taps, dx and dw as convolutions with zeros inserted for stride and dilation,
sliding_window_view, col2im as the transpose of one's own im2col on one-hot images, CS231n's
column layout in a cache of its own, a network by hand), there to catch false FAILs.

How it was written: blind. Only from the student edition of lessons 1, 2, 3 and 7
(``lessons/01_convolution_arithmetic.ipynb``, ``02_naive_convolution.ipynb``, ``03_im2col.ipynb``,
``07_small_cnn.ipynb``: the explanations, the stubs, their docstrings), ``cnnlab/layers``,
``cnnlab/shapes.py``, ``cnnlab/geometry.py``, ``cnnlab/im2col.py``, ``cnnlab/model.py``,
``cnnlab/cases.py``, the verify machinery (``tests/corpus_verify.py``,
``tests/verify_mistake_corpus_fourth.py``) and the format part of ``tests/mistake_corpus_fourth.py``
(its docstring and first helper). Not read: the checker (``cnnlab/exercises/``), its tables of known
mistakes, ``tests/student_impls.py``, ``tests/test_exercises.py``, ``tests/test_crashes.py``, any
other corpus's rows (beyond the fourth's first helper), or the git log; the check was not run on
any row, and nothing from ``cnnlab.exercises`` or ``cnnlab.grading`` was imported. Every row was verified
against cnnlab's reference implementations only, by
``tests/verify_mistake_corpus_thirteenth_conv.py``: each wrong row differs from the reference (a
wrong value, a wrong shape, or an exception) on at least one input, each right row matches it to a
relative error of 1e-8 on every input. A row whose mistake had no effect would have been dropped
(none had to be); a few rows were left out at the end to keep the corpus near 60 wrong rows.

``forward`` is None where the backward reads cnnlab's cache (conv ``(x, w, b, conv_param)``, conv
im2col ``(x, w, b, conv_param, cols)`` with cols ``(N, C*HH*WW, H'*W')``), or the student's own
correct forward where the backward relies on a cache of its own (the padded input; CS231n's
``(K, N*P)`` columns). The im2col exercises call the student's own im2col and col2im (lesson 3), never
cnnlab's; the network may use ``cnnlab.layers``, as lesson 7 allows.

74 rows: 65 wrong, 9 right.

====================== =====  =====
exercise               wrong  right
====================== =====  =====
conv_output_size           7      1
conv_forward_naive         9      1
conv_backward_naive       10      2
im2col                     8      1
col2im                     7      1
conv_forward_im2col        7      1
conv_backward_im2col       6      1
three_layer_convnet_loss  11      1
====================== =====  =====
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from cnnlab import layers as L
from cnnlab import shapes


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper; the bug's text is the row's label."""
    return [(exercise, bug, partial(fn, bug=bug), forward, False) for bug in bugs]


def _right(exercise, label, fn, forward=None):
    return (exercise, label, fn, forward, True)


CORPUS = []

# ---------------------------------------------------------------------------------------------
# conv_output_size
#
# Two students: one writes the boxed formula on one line, the other names the pieces the lesson
# derives (padded length, span, last start) and divides at the end.


def osize_formula(size, kernel, stride, pad, dilation, bug=None):
    if bug == "dilation left out (lesson 7's formula without D)":
        return (size + 2 * pad - kernel) // stride + 1
    if bug == "padding added on one side only":
        return (size + pad - dilation * (kernel - 1) - 1) // stride + 1
    if bug == "missing parentheses: only the 1 is floor-divided by the stride":
        return size + 2 * pad - dilation * (kernel - 1) - 1 // stride + 1
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def osize_steps(size, kernel, stride, pad, dilation, bug=None):
    padded = size + 2 * pad
    span = dilation * (kernel - 1) + 1
    if bug == "span computed as kernel + dilation - 1":
        span = kernel + dilation - 1
    last = padded - span  # the last start position with stride 1
    if bug == "true division then int(), which truncates toward zero":
        return int(last / stride) + 1
    if bug == "clamped to 0 when the filter does not fit":
        return max(0, last // stride + 1)
    if bug == "raises when the filter does not fit instead of returning the number" and last < 0:
        raise ValueError(f"filter of span {span} does not fit in {padded}")
    return last // stride + 1


def osize_math_floor(size, kernel, stride, pad, dilation):
    """Right: math.floor of the true quotient (exact for these small ints), an int."""
    return math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1


CORPUS += _rows(
    "conv_output_size",
    osize_formula,
    [
        "dilation left out (lesson 7's formula without D)",
        "padding added on one side only",
        "missing parentheses: only the 1 is floor-divided by the stride",
    ],
)
CORPUS += _rows(
    "conv_output_size",
    osize_steps,
    [
        "span computed as kernel + dilation - 1",
        "true division then int(), which truncates toward zero",
        "clamped to 0 when the filter does not fit",
        "raises when the filter does not fit instead of returning the number",
    ],
)
CORPUS.append(_right("conv_output_size", "math.floor of the true quotient", osize_math_floor))

# ---------------------------------------------------------------------------------------------
# conv_forward_naive
#
# Student A: the four loops of the lesson, CS231n style, with the stub's first line.
# Student B: loops over the output position only, the window of every sample against every
# filter at once with np.tensordot; computes the output size again by hand.


def conv_fwd_loops(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    sh, sw = stride
    ph, pw = pad
    dh, dw = dilation
    if bug == "np.pad given the (h, w) pad pair as each axis's (before, after)":
        xpad = np.pad(x, ((0, 0), (0, 0), pad, pad))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    top, left = i * sh, j * sw
                    if bug == "window starts at (i, j): stride forgotten":
                        top, left = i, j
                    rows = slice(top, top + dh * (HH - 1) + 1, dh)
                    cols = slice(left, left + dw * (WW - 1) + 1, dw)
                    if bug == "window slice without the dilation step":
                        rows, cols = slice(top, top + HH), slice(left, left + WW)
                    if bug == "window stop one short (the + 1 left out)":
                        rows = slice(top, top + dh * (HH - 1), dh)
                        cols = slice(left, left + dw * (WW - 1), dw)
                    window = xpad[n, :, rows, cols]
                    if bug == "bias left out":
                        out[n, f, i, j] = np.sum(window * w[f])
                    elif bug == "bias indexed by the sample, b[n]":
                        out[n, f, i, j] = np.sum(window * w[f]) + b[n]
                    else:
                        out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def conv_fwd_patches(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, _ = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if bug == "own output size ignores the dilation":
        H_out = (H + 2 * ph - HH) // sh + 1
        W_out = (W + 2 * pw - WW) // sw + 1
    else:
        H_out = (H + 2 * ph - dh * (HH - 1) - 1) // sh + 1
        W_out = (W + 2 * pw - dw * (WW - 1) - 1) // sw + 1
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    xp[:, :, ph : ph + H, pw : pw + W] = x
    kernel = w[:, :, ::-1, ::-1] if bug == "filters flipped (a true convolution, np.convolve's habit)" else w
    out = np.empty((N, F, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            patch = xp[:, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw * (WW - 1) + 1 : dw]
            if bug == "einsum with the filter's taps transposed (fcwh)":
                out[:, :, i, j] = np.einsum("nchw,fcwh->nf", patch, kernel) + b
            else:
                out[:, :, i, j] = np.tensordot(patch, kernel, axes=([1, 2, 3], [1, 2, 3])) + b  # (N, F)
    return out, (x, w, b, conv_param)


def conv_fwd_taps(x, w, b, conv_param):
    """Right: a loop over the filter taps (p, q); each adds its weight times one strided slice."""
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, C, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.broadcast_to(b[None, :, None, None], (x.shape[0], F, Ho, Wo)).copy()
    for p in range(HH):
        for q in range(WW):
            tap = xpad[:, :, p * dh : p * dh + sh * (Ho - 1) + 1 : sh, q * dw : q * dw + sw * (Wo - 1) + 1 : sw]
            out += np.einsum("fc,nchw->nfhw", w[:, :, p, q], tap)
    return out, (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_loops,
    [
        "bias left out",
        "window starts at (i, j): stride forgotten",
        "window slice without the dilation step",
        "window stop one short (the + 1 left out)",
        "np.pad given the (h, w) pad pair as each axis's (before, after)",
        "bias indexed by the sample, b[n]",
    ],
)
CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_patches,
    [
        "own output size ignores the dilation",
        "filters flipped (a true convolution, np.convolve's habit)",
        "einsum with the filter's taps transposed (fcwh)",
    ],
)
CORPUS.append(_right("conv_forward_naive", "loop over the filter taps, einsum per tap", conv_fwd_taps))

# ---------------------------------------------------------------------------------------------
# conv_backward_naive (the cache is cnnlab's, (x, w, b, conv_param), unless a row says otherwise)
#
# Student A: the forward loops again, adding each window's share (the lesson's section 3).
# Student B: took section 6 further ("the backward pass is a convolution too"), and computes dx
# and dw with their own forward (student B's above): dout with stride - 1 zeros between its
# elements, the filters with dilation - 1 zeros between their taps.
# Student C: caches the padded input in their own forward, to pad only once.


def conv_bwd_loops(dout, cache, bug=None):
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    sh, sw = stride
    ph, pw = pad
    dil_h, dil_w = dilation
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dout[n, f, i, j]
                    rows = slice(i * sh, i * sh + dil_h * (HH - 1) + 1, dil_h)
                    cols = slice(j * sw, j * sw + dil_w * (WW - 1) + 1, dil_w)
                    if bug == "backward window without the dilation step":
                        rows, cols = slice(i * sh, i * sh + HH), slice(j * sw, j * sw + WW)
                    if bug == "dx window assigned (=), not added":
                        dxpad[n, :, rows, cols] = g * w[f]
                    elif bug == "w[n] for w[f] in dx":
                        dxpad[n, :, rows, cols] += g * w[n]
                    else:
                        dxpad[n, :, rows, cols] += g * w[f]
                    if bug == "dw window read from the unpadded x":
                        dw[f] += g * x[n, :, rows, cols]
                    elif bug == "dw assigned (=), not added":
                        dw[f] = g * xpad[n, :, rows, cols]
                    else:
                        dw[f] += g * xpad[n, :, rows, cols]
                    db[f] += g
    if bug == "db summed over the wrong axes, (1, 2, 3)":
        db = dout.sum(axis=(1, 2, 3))
    if bug == "padding cut with ph:-ph, pw:-pw":
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw, db


def conv_bwd_as_convs(dout, cache, bug=None):
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw_), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    own_conv = conv_fwd_patches  # the student's own (right) forward
    if bug == "dout used without the stride - 1 zeros between its elements":
        up = dout
    else:
        up = np.zeros((N, F, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1))
        up[:, :, ::sh, ::sw] = dout
    kh, kw = dh * (HH - 1) + 1, dw_ * (WW - 1) + 1
    wd = np.zeros((F, C, kh, kw))
    wd[:, :, ::dh, ::dw_] = w  # the dilated filters
    if bug == "dx correlated with the filters unflipped":
        flipped = wd
    else:
        flipped = wd[:, :, ::-1, ::-1]
    full, _ = own_conv(up, flipped.transpose(1, 0, 2, 3), np.zeros(C), {"pad": (kh - 1, kw - 1)})
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    dxpad[:, :, : full.shape[2], : full.shape[3]] = full
    dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dw_stride = (1, 1) if bug == "dw correlated at stride 1, not at the dilation" else (dh, dw_)
    dwc, _ = own_conv(xpad.transpose(1, 0, 2, 3), up.transpose(1, 0, 2, 3), np.zeros(F), {"stride": dw_stride})
    dw = dwc[:, :, :HH, :WW].transpose(1, 0, 2, 3)
    db = dout.sum(axis=(0, 2, 3))
    return dx, dw, db


def conv_fwd_keep_xpad(x, w, b, conv_param):
    """Student C's forward: student A's loops, with the padded input in the cache."""
    out, _ = conv_fwd_loops(x, w, b, conv_param)
    _, _, _, _, (ph, pw), _, _ = shapes.check_conv_inputs(x, w, b, conv_param)
    return out, (np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), w, b, conv_param, x.shape)


def conv_bwd_from_xpad(dout, cache):
    """Right: the gradient of every output pixel's window, from the cached padded input."""
    xpad, w, b, conv_param, (N, C, H, W) = cache
    stride = conv_param.get("stride", 1)
    pad = conv_param.get("pad", 0)
    dilation = conv_param.get("dilation", 1)
    sh, sw = stride if isinstance(stride, (tuple, list)) else (stride, stride)
    ph, pw = pad if isinstance(pad, (tuple, list)) else (pad, pad)
    dh, dw_ = dilation if isinstance(dilation, (tuple, list)) else (dilation, dilation)
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    dxpad = np.zeros_like(xpad)
    dw = np.zeros_like(w)
    for p in range(HH):  # per tap: every window's tap (p, q) at once
        for q in range(WW):
            r = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
            c = slice(q * dw_, q * dw_ + sw * (Wo - 1) + 1, sw)
            dxpad[:, :, r, c] += np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
            dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, xpad[:, :, r, c])
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, dout.sum(axis=(0, 2, 3))


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_loops,
    [
        "dx window assigned (=), not added",
        "dw assigned (=), not added",
        "padding cut with ph:-ph, pw:-pw",
        "db summed over the wrong axes, (1, 2, 3)",
        "dw window read from the unpadded x",
        "backward window without the dilation step",
        "w[n] for w[f] in dx",
    ],
)
CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_as_convs,
    [
        "dout used without the stride - 1 zeros between its elements",
        "dx correlated with the filters unflipped",
        "dw correlated at stride 1, not at the dilation",
    ],
)
CORPUS.append(
    _right(
        "conv_backward_naive",
        "two convolutions with the student's own forward (zeros for stride and dilation)",
        conv_bwd_as_convs,
    )
)
CORPUS.append(
    _right(
        "conv_backward_naive",
        "per-tap einsums from a padded input of its own cache",
        conv_bwd_from_xpad,
        conv_fwd_keep_xpad,
    )
)

# ---------------------------------------------------------------------------------------------
# im2col
#
# Student A: loops over the windows (the lesson's "obvious way").
# Student B: loops over the taps into an (N, C, HH, WW, H', W') array (the "faster" way).
# Student C: CS231n's get_im2col_indices, adapted to (h, w) pairs and dilation, with fancy
# indexing; the same student's col2im (below) reuses the index helper.
# Right: np.lib.stride_tricks.sliding_window_view, subsampled by the stride and the dilation.


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    for r in range(Ho):
        for s in range(Wo):
            window = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            if bug == "window flattened channels-last (rows in (p, q, c) order)":
                window = window.transpose(0, 2, 3, 1)
            column = r + s * Ho if bug == "column index r + s*H' (positions column-major)" else r * Wo + s
            cols[:, :, column] = window.reshape(N, -1)
    return cols


def im2col_taps(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    taps = np.zeros((N, C, HH, WW, Ho, Wo))
    for p in range(HH):
        for q in range(WW):
            r0, c0 = (p, q) if bug == "tap offset p, q without the dilation" else (p * dh, q * dw)
            if bug == "tap slice stop one short (the + 1 left out)":
                taps[:, :, p, q] = xpad[:, :, r0 : r0 + sh * (Ho - 1) : sh, c0 : c0 + sw * (Wo - 1) : sw]
            else:
                taps[:, :, p, q] = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]
    return taps.reshape(N, C * HH * WW, Ho * Wo)


def _cs231n_indices(C, HH, WW, Ho, Wo, stride, dilation, bug=None):
    (sh, sw), (dh, dw) = stride, dilation
    step_h, step_w = (1, 1) if bug == "tap offsets without the dilation (CS231n's code has none)" else (dh, dw)
    if bug == "one stride for both axes (CS231n's int stride)":
        sw = sh
    i0 = np.tile(np.repeat(np.arange(HH) * step_h, WW), C)
    i1 = sh * np.repeat(np.arange(Ho), Wo)
    j0 = np.tile(np.arange(WW) * step_w, HH * C)
    j1 = sw * np.tile(np.arange(Wo), Ho)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    if bug == "channel index tiled instead of repeated":
        k = np.tile(np.arange(C), HH * WW).reshape(-1, 1)
    else:
        k = np.repeat(np.arange(C), HH * WW).reshape(-1, 1)
    return k, i, j


def im2col_indices(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    x_padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), mode="constant")
    k, i, j = _cs231n_indices(C, HH, WW, Ho, Wo, stride, dilation, bug)
    cols = x_padded[:, k, i, j]  # (N, C*HH*WW, H'*W')
    if bug == "CS231n's final transpose kept: (C*HH*WW, N*H'*W')":
        cols = cols.transpose(1, 2, 0).reshape(C * HH * WW, -1)
    return cols


def im2col_sliding(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: every span-sized window as a view, then every stride-th window and dilation-th tap."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C = x.shape[:2]
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    span = (dh * (HH - 1) + 1, dw * (WW - 1) + 1)
    view = np.lib.stride_tricks.sliding_window_view(xpad, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    return view.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * HH * WW, Ho * Wo)


CORPUS += _rows(
    "im2col",
    im2col_windows,
    [
        "column index r + s*H' (positions column-major)",
        "window flattened channels-last (rows in (p, q, c) order)",
    ],
)
CORPUS += _rows(
    "im2col",
    im2col_taps,
    [
        "tap slice stop one short (the + 1 left out)",
        "tap offset p, q without the dilation",
    ],
)
CORPUS += _rows(
    "im2col",
    im2col_indices,
    [
        "CS231n's final transpose kept: (C*HH*WW, N*H'*W')",
        "tap offsets without the dilation (CS231n's code has none)",
        "one stride for both axes (CS231n's int stride)",
        "channel index tiled instead of repeated",
    ],
)
CORPUS.append(_right("im2col", "sliding_window_view subsampled by stride and dilation", im2col_sliding))

# ---------------------------------------------------------------------------------------------
# col2im
#
# Student A: the tap loop of the lesson, adding into a padded zero image.
# Student B: the window loop, one column back into its window at a time.
# Student C: CS231n's col2im_indices with the index helper above, np.add.at.
# Right: col2im as the transpose of the student's own im2col, applied to one-hot images (the
# adjoint by definition: <im2col(e_k), cols> is pixel k of the result).


def col2im_taps(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    if bug == "columns split as (N, C, H', W', HH, WW)":
        split = cols.reshape(N, C, Ho, Wo, HH, WW).transpose(0, 1, 4, 5, 2, 3)
    else:
        split = cols.reshape(N, C, HH, WW, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(HH):
        for q in range(WW):
            rows = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
            cols_ = slice(q * dw, q * dw + sw * (Wo - 1) + 1, sw)
            if bug == "each tap assigned (=), not added":
                xpad[:, :, rows, cols_] = split[:, :, p, q]
            else:
                xpad[:, :, rows, cols_] += split[:, :, p, q]
    if bug == "padding never cut away":
        return xpad
    x = xpad[:, :, ph : ph + H, pw : pw + W]
    if bug == "divided by the window counts (col2im taken as the inverse of im2col)":
        counts = col2im_taps(np.ones_like(cols), x_shape, HH, WW, (sh, sw), (ph, pw), (dh, dw))
        x = np.divide(x, counts, out=np.zeros_like(x), where=counts > 0)
    return x


def col2im_windows(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    img = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for r in range(Ho):
        for s in range(Wo):
            patch = cols[:, :, r * Wo + s].reshape(N, C, HH, WW)
            if bug == "window without the dilation step":
                img[:, :, r * sh : r * sh + HH, s * sw : s * sw + WW] += patch
            else:
                img[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw] += patch
    if bug == "padding cut with ph:-ph, pw:-pw":
        return img[:, :, ph:-ph, pw:-pw]
    return img[:, :, ph : ph + H, pw : pw + W]


def col2im_indices(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    N, C, H, W = x_shape
    (HH, WW), stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    x_padded = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    k, i, j = _cs231n_indices(C, HH, WW, Ho, Wo, stride, dilation)
    if bug == "fancy-index += instead of np.add.at (a repeated pixel is added once)":
        x_padded[:, k, i, j] += cols
    else:
        np.add.at(x_padded, (slice(None), k, i, j), cols)
    return x_padded[:, :, ph : ph + H, pw : pw + W]


def col2im_by_adjoint(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: pixel k of the result is <im2col(e_k), cols>, with the student's own im2col (B)."""
    N, C, H, W = x_shape
    eye = np.eye(C * H * W).reshape(C * H * W, C, H, W)  # one one-hot image per pixel
    basis = im2col_taps(eye, filter_height, filter_width, stride, pad, dilation)  # (CHW, K, P)
    return np.einsum("ekp,nkp->ne", basis, cols).reshape(N, C, H, W)


CORPUS += _rows(
    "col2im",
    col2im_taps,
    [
        "each tap assigned (=), not added",
        "padding never cut away",
        "columns split as (N, C, H', W', HH, WW)",
        "divided by the window counts (col2im taken as the inverse of im2col)",
    ],
)
CORPUS += _rows(
    "col2im",
    col2im_windows,
    [
        "padding cut with ph:-ph, pw:-pw",
        "window without the dilation step",
    ],
)
CORPUS += _rows("col2im", col2im_indices, ["fancy-index += instead of np.add.at (a repeated pixel is added once)"])
CORPUS.append(_right("col2im", "the transpose of its own im2col, applied to one-hot images", col2im_by_adjoint))

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col (each student calls their own im2col from above, as lesson 3 says)
#
# Student A: the lesson's three lines, with im2col_taps; (F, K) @ (N, K, P) broadcast over n.
# Student B: CS231n's layout: all samples' columns side by side, (K, N*P), sample-major, one
# 2-D product (F, K) @ (K, N*P), then back to (N, F, H', W'); keeps that layout in its cache.
# Right: a loop over the samples with np.tensordot, with im2col_indices.


def conv_fwd_cols(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "dilation not passed on to im2col":
        cols = im2col_taps(x, HH, WW, stride, pad)
    elif bug == "pad and stride swapped in the positional call to im2col":
        cols = im2col_taps(x, HH, WW, pad, stride, dilation)
    else:
        cols = im2col_taps(x, HH, WW, stride, pad, dilation)  # (N, C*HH*WW, Ho*Wo)
    if bug == "filters flattened with w.reshape(-1, F).T":
        w_row = w.reshape(-1, F).T
    else:
        w_row = w.reshape(F, -1)  # (F, C*HH*WW)
    if bug == "einsum result (F, N, P) reshaped straight to (N, F, H', W')":
        out = np.einsum("fk,nkp->fnp", w_row, cols) + b[:, None, None]
    else:
        out = w_row @ cols + b.reshape(1, F, 1)  # (N, F, Ho*Wo)
    out = out.reshape(N, F, Ho, Wo)
    return out, (x, w, b, conv_param, cols)


def conv_fwd_cols_cs231n(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    x_cols = im2col_windows(x, HH, WW, stride, pad, dilation)  # (N, K, P)
    x_cols = x_cols.transpose(1, 0, 2).reshape(C * HH * WW, N * Ho * Wo)  # (K, N*P), sample-major
    res = w.reshape(F, -1) @ x_cols  # (F, N*P)
    if bug != "bias left out":
        res = res + b.reshape(-1, 1)
    if bug == "CS231n's reshape (F, H', W', N) on sample-major columns":
        out = res.reshape(F, Ho, Wo, N).transpose(3, 0, 1, 2)
    elif bug == "(F, N*P) reshaped to (N, F, H', W') without moving F":
        out = res.reshape(N, F, Ho, Wo)
    else:
        out = res.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3)
    return out, (x, w, b, conv_param, x_cols)


def conv_fwd_cols_per_sample(x, w, b, conv_param):
    """Right: one np.tensordot per sample over the columns of the student's own im2col (C)."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, C, HH, WW = w.shape
    cols = im2col_indices(x, HH, WW, stride, pad, dilation)
    out = np.stack([np.tensordot(w.reshape(F, -1), c, axes=1) for c in cols])  # (N, F, P)
    out = out + b[None, :, None]
    return out.reshape(x.shape[0], F, Ho, Wo), (x, w, b, conv_param, cols)


CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols,
    [
        "filters flattened with w.reshape(-1, F).T",
        "dilation not passed on to im2col",
        "pad and stride swapped in the positional call to im2col",
        "einsum result (F, N, P) reshaped straight to (N, F, H', W')",
    ],
)
CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols_cs231n,
    [
        "CS231n's reshape (F, H', W', N) on sample-major columns",
        "(F, N*P) reshaped to (N, F, H', W') without moving F",
        "bias left out",
    ],
)
CORPUS.append(_right("conv_forward_im2col", "np.tensordot per sample", conv_fwd_cols_per_sample))

# ---------------------------------------------------------------------------------------------
# conv_backward_im2col (each student folds with their own col2im)
#
# Student A: the lesson's recipe, on cnnlab's cache (x, w, b, conv_param, cols (N, K, P)).
# Student B: the same with np.einsum, and col2im_windows.
# Student C: the backward of their CS231n-layout forward above, on its own cache (K, N*P).


def conv_bwd_cols(dout, cache, bug=None):
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout_rows = dout.reshape(N, F, Ho * Wo)
    if bug == "db summed over axes (0, 1)":
        db = dout_rows.sum(axis=(0, 1))
    else:
        db = dout_rows.sum(axis=(0, 2))
    dw_n = dout_rows @ cols.transpose(0, 2, 1)  # (N, F, K)
    if bug == "dw averaged over the batch (mean, not sum)":
        dw = dw_n.mean(axis=0).reshape(w.shape)
    else:
        dw = dw_n.sum(axis=0).reshape(w.shape)
    if bug == "dcols from w.reshape(-1, F), not w.reshape(F, -1).T":
        dcols = w.reshape(-1, F) @ dout_rows
    else:
        dcols = w.reshape(F, -1).T @ dout_rows  # (N, K, P)
    if bug == "dilation not passed on to col2im":
        dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad)
    else:
        dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


def conv_bwd_cols_einsum(dout, cache, bug=None):
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    g = dout.reshape(N, F, -1)
    if bug == "dw computed as (K, F) and reshaped straight to w.shape":
        dw = np.einsum("nfp,nkp->kf", g, cols).reshape(F, C, HH, WW)
    else:
        dw = np.einsum("nfp,nkp->fk", g, cols).reshape(F, C, HH, WW)
    dcols = np.einsum("fk,nfp->nkp", w.reshape(F, -1), g)
    dx = col2im_windows(dcols, (N, C, H, W), HH, WW, stride, pad, dilation)
    return dx, dw, g.sum(axis=(0, 2))


def conv_bwd_cs231n(dout, cache, bug=None):
    x, w, b, conv_param, x_cols = cache  # x_cols (K, N*P), from conv_fwd_cols_cs231n
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "dout flattened with dout.reshape(F, -1), F not moved first":
        dout_flat = dout.reshape(F, -1)
    else:
        dout_flat = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*P), sample-major
    db = dout_flat.sum(axis=1)
    dw = (dout_flat @ x_cols.T).reshape(w.shape)
    dx_cols = w.reshape(F, -1).T @ dout_flat  # (K, N*P)
    dx_cols = dx_cols.reshape(C * HH * WW, N, Ho * Wo).transpose(1, 0, 2)  # (N, K, P)
    dx = col2im_windows(dx_cols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols,
    [
        "dw averaged over the batch (mean, not sum)",
        "dcols from w.reshape(-1, F), not w.reshape(F, -1).T",
        "db summed over axes (0, 1)",
        "dilation not passed on to col2im",
    ],
)
CORPUS += _rows(
    "conv_backward_im2col", conv_bwd_cols_einsum, ["dw computed as (K, F) and reshaped straight to w.shape"]
)
CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cs231n,
    ["dout flattened with dout.reshape(F, -1), F not moved first"],
    forward=conv_fwd_cols_cs231n,
)
CORPUS.append(
    _right(
        "conv_backward_im2col",
        "CS231n layout (K, N*P) in its own cache",
        conv_bwd_cs231n,
        conv_fwd_cols_cs231n,
    )
)

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss
#
# Student A: chains cnnlab.layers (the im2col versions), CS231n's ThreeLayerConvNet.loss style.
# Student B: the conv and the pool from cnnlab.layers (naive), everything else by hand: own
# flatten, affine, ReLU and softmax, and the backward written out.

POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}


def convnet_layers(params, X, y=None, reg=0.0, bug=None):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    filter_size = W1.shape[2]
    if bug == "conv padded by K // 2 (too much for an even filter)":
        conv_param = {"stride": 1, "pad": filter_size // 2}
    else:
        conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
    a, conv_cache = L.conv_forward_im2col(X, W1, b1, conv_param)
    a, relu1_cache = L.relu_forward(a)
    a, pool_cache = L.max_pool_forward_im2col(a, POOL)
    a, fc1_cache = L.affine_forward(a, W2, b2)
    a, relu2_cache = L.relu_forward(a)
    scores, fc2_cache = L.affine_forward(a, W3, b3)
    if y is None:
        if bug == "softmax probabilities returned instead of the scores":
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return scores
    loss, dscores = L.softmax_loss(scores, y)
    weights = {"W1": W1, "W2": W2, "W3": W3}
    if bug == "regularization loss without the 0.5":
        loss += reg * sum(np.sum(W * W) for W in weights.values())
    elif bug == "biases regularized too":
        loss += 0.5 * reg * sum(np.sum(v * v) for v in params.values())
    else:
        loss += 0.5 * reg * sum(np.sum(W * W) for W in weights.values())
    grads = {}
    if bug == "affine_backward's (dx, dw, db) unpacked as (dx, db, dw)":
        da, grads["b3"], grads["W3"] = L.affine_backward(dscores, fc2_cache)
    else:
        da, grads["W3"], grads["b3"] = L.affine_backward(dscores, fc2_cache)
    da = L.relu_backward(da, relu2_cache)
    da, grads["W2"], grads["b2"] = L.affine_backward(da, fc1_cache)
    da = L.max_pool_backward_im2col(da, pool_cache)
    da = L.relu_backward(da, relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(da, conv_cache)
    if bug != "regularization gradient forgotten":
        scale = 2 * reg if bug == "regularization gradient doubled (2 * reg * W)" else reg
        for name, W in weights.items():
            grads[name] = grads[name] + scale * W
    if bug == "biases regularized too":
        for name in ("b1", "b2", "b3"):
            grads[name] = grads[name] + reg * params[name]
    return float(loss), grads


def convnet_by_hand(params, X, y=None, reg=0.0, bug=None):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    N = X.shape[0]
    conv_out, conv_cache = L.conv_forward_naive(X, W1, b1, {"stride": 1, "pad": (W1.shape[2] - 1) // 2})
    relu_out = np.maximum(conv_out, 0)
    pooled, pool_cache = L.max_pool_forward_naive(relu_out, POOL)
    _, F, Hp, Wp = pooled.shape
    if bug == "pooled maps flattened channels-last (Keras's order)":
        flat = pooled.transpose(0, 2, 3, 1).reshape(N, -1)
    else:
        flat = pooled.reshape(N, -1)
    hidden = flat @ W2 + b2
    hidden_relu = np.maximum(hidden, 0)
    scores = hidden_relu @ W3 + b3
    if y is None:
        return scores
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    if bug == "loss summed over the batch, not averaged":
        data_loss = -np.sum(np.log(probs[np.arange(N), y]))
    else:
        data_loss = -np.mean(np.log(probs[np.arange(N), y]))
        if bug != "loss averaged but dscores not divided by N":
            dscores /= N
    loss = data_loss + 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2) + np.sum(W3**2))
    dW3 = hidden_relu.T @ dscores + reg * W3
    db3 = dscores.sum(axis=0)
    dhidden_relu = dscores @ W3.T
    if bug == "hidden ReLU mask taken as (relu output >= 0)":
        dhidden = dhidden_relu * (hidden_relu >= 0)
    else:
        dhidden = dhidden_relu * (hidden > 0)
    dW2 = flat.T @ dhidden + reg * W2
    db2 = dhidden.sum(axis=0)
    dflat = dhidden @ W2.T
    if bug == "pooled maps flattened channels-last (Keras's order)":
        dpooled = dflat.reshape(N, Hp, Wp, F).transpose(0, 3, 1, 2)
    else:
        dpooled = dflat.reshape(pooled.shape)
    drelu = L.max_pool_backward_naive(dpooled, pool_cache)
    dconv = drelu * (conv_out > 0)
    _, dW1, db1 = L.conv_backward_naive(dconv, conv_cache)
    grads = {"W1": dW1 + reg * W1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}
    return float(loss), grads


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet_layers,
    [
        "regularization gradient forgotten",
        "biases regularized too",
        "regularization gradient doubled (2 * reg * W)",
        "regularization loss without the 0.5",
        "conv padded by K // 2 (too much for an even filter)",
        "softmax probabilities returned instead of the scores",
        "affine_backward's (dx, dw, db) unpacked as (dx, db, dw)",
    ],
)
CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet_by_hand,
    [
        "loss summed over the batch, not averaged",
        "loss averaged but dscores not divided by N",
        "pooled maps flattened channels-last (Keras's order)",
        "hidden ReLU mask taken as (relu output >= 0)",
    ],
)
CORPUS.append(
    _right(
        "three_layer_convnet_loss",
        "naive conv and pool, affine, ReLU and softmax by hand",
        convnet_by_hand,
    )
)
