"""A sixth held-out corpus of student mistakes, convolution half, written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``tests/mistake_corpus*.py``), for the exercises of lessons 1, 2, 3 and 7:
``conv_output_size``, ``conv_forward_naive``, ``conv_backward_naive``, ``im2col``, ``col2im``,
``conv_forward_im2col``, ``conv_backward_im2col`` and ``three_layer_convnet_loss``. It measures how
often ``exercises.check`` names a mistake nobody tuned it to. Each wrong row holds ONE mistake a
student following the lessons plausibly makes; the rows with ``should_pass`` True are correct
implementations in less usual styles, there to catch false FAILs.

The student is of mixed background: some rows are the plain loops the stubs suggest, the others
(more than a third) the vectorized styles a student reaches for after the hints: np.pad and strided
slices per filter tap, einsum and tensordot, gathers with index arrays (CS231n's
``get_im2col_indices``), np.add.at, np.bincount, sliding_window_view, reshape and transpose tricks.
One correct helper per style and exercise; each mistake is a branch of it (``bug=...``), so a wrong
row differs from a right helper by that one mistake only.

How it was written: blind. From the student edition of lessons 1, 2, 3 and 7 (the explanations, the
exercise stubs and their docstrings, the hints in the text), ``cnnlab/layers``, ``cnnlab/shapes.py``,
``cnnlab/geometry.py``, ``cnnlab/im2col.py``, ``cnnlab/model.py``, ``cnnlab/cases.py`` and the verify
machinery (``tests/corpus_verify.py``, ``tests/verify_mistake_corpus_fourth.py``), plus the docstring
and first helper of ``tests/mistake_corpus_fourth.py`` for the format. Not read: the checker
(``cnnlab/exercises/``), ``tests/student_impls.py``, ``tests/test_exercises.py``,
``tests/test_crashes.py``, ``tests/mistake_corpus.py`` and the rows of the fresh, third and fourth
corpora. The check was never run on any row. Every row was verified against cnnlab's reference
implementations only, by ``tests/verify_mistake_corpus_sixth_conv.py``: each wrong row differs from
the reference (a wrong value, a wrong shape or an exception) on at least one input, each right row
matches it to a relative error of 1e-8 on every input.

``forward`` is None for every backward row: they all read cnnlab's cache format (conv
``(x, w, b, conv_param)``, conv im2col ``(x, w, b, conv_param, cols)``). The im2col exercises use
the student's own ``im2col`` and ``col2im`` (the helpers below), never cnnlab's, as lesson 3 asks.

68 rows: 59 wrong, 9 right. Per exercise (wrong / right): conv_output_size 5 / 1,
conv_forward_naive 9 / 2, conv_backward_naive 9 / 1, im2col 7 / 1, col2im 7 / 1,
conv_forward_im2col 6 / 1, conv_backward_im2col 6 / 1, three_layer_convnet_loss 10 / 1. Of the
wrong rows of the layer exercises, 17 are in the loop style of the stubs and 27 vectorized.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from cnnlab import layers as L
from cnnlab import shapes


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper."""
    return [(exercise, bug, partial(fn, bug=bug), forward, False) for bug in bugs]


def _right(exercise, label, fn, forward=None):
    return (exercise, label, fn, forward, True)


CORPUS = []

# ---------------------------------------------------------------------------------------------
# conv_output_size (lesson 1)


def out_size(size, kernel, stride, pad, dilation, bug=None):
    """The boxed formula, written from its derivation: the last start, then the starts."""
    if bug == "dilation left out (CS231n's (I + 2P - K) // S + 1)":
        return (size + 2 * pad - kernel) // stride + 1
    if bug == "pad added once, not on both sides":
        return (size + pad - dilation * (kernel - 1) - 1) // stride + 1
    if bug == "int() of a true division: truncates toward zero":
        return int((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1
    if bug == "rounded up, as pooling's ceil_mode":
        return math.ceil((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1
    if bug == "dilated filter taken to span dilation * kernel":
        return (size + 2 * pad - dilation * kernel) // stride + 1
    last = size + 2 * pad - dilation * (kernel - 1) - 1  # the last start of a window
    return last // stride + 1


def out_size_ceil(size, kernel, stride, pad, dilation):
    """Right: the number of starts 0, S, 2S, ... <= last, as a ceiling of (last + 1) / S."""
    span = dilation * (kernel - 1) + 1
    return -(-(size + 2 * pad - span + 1) // stride)


CORPUS += _rows(
    "conv_output_size",
    out_size,
    [
        "dilation left out (CS231n's (I + 2P - K) // S + 1)",
        "pad added once, not on both sides",
        "int() of a true division: truncates toward zero",
        "rounded up, as pooling's ceil_mode",
        "dilated filter taken to span dilation * kernel",
    ],
)
CORPUS.append(_right("conv_output_size", "a ceiling of (last + 1) / stride", out_size_ceil))

# ---------------------------------------------------------------------------------------------
# conv_forward_naive (lesson 2)


def conv_fwd_loops(x, w, b, conv_param, bug=None):
    """The four loops of the stub's hint, one window slice per output position."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if bug == "stride[0] used for both axes":
        sw = sh
    if bug == "H', W' recomputed with CS231n's formula (no dilation)":
        Ho = 1 + (H + 2 * ph - HH) // sh
        Wo = 1 + (W + 2 * pw - WW) // sw
    if bug == "np.pad given (pw, pw) for the rows and (ph, ph) for the columns":
        xpad = np.pad(x, ((0, 0), (0, 0), (pw, pw), (ph, ph)))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    if bug == "window of HH x WW neighbouring pixels (dilation left out of the slice)":
                        rows = slice(i * sh, i * sh + HH)
                        cols = slice(j * sw, j * sw + WW)
                    else:
                        rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                        cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    window = xpad[n, :, rows, cols]
                    kernel = w[f]
                    if bug == "kernel flipped (a true convolution, as np.convolve)":
                        kernel = w[f, :, ::-1, ::-1]
                    if bug == "bias inside the sum: added once per tap":
                        out[n, f, i, j] = np.sum(window * kernel + b[f])
                    else:
                        out[n, f, i, j] = np.sum(window * kernel) + b[f]
    return out, (x, w, b, conv_param)


def conv_fwd_taps(x, w, b, conv_param, bug=None):
    """Vectorized over the batch and the output positions: one strided slice per tap (p, q)."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if bug == "np.pad(x, pad): every axis padded, N and C too":
        xpad = np.pad(x, pad)
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = 0
    for p in range(HH):
        for q in range(WW):
            patch = xpad[:, :, p * dh : p * dh + sh * (Ho - 1) + 1 : sh, q * dw : q * dw + sw * (Wo - 1) + 1 : sw]
            out = out + np.einsum("nchw,fc->nfhw", patch, w[:, :, p, q])  # (N, F, Ho, Wo)
    if bug == "bias added as + b (broadcasts along the width)":
        out = out + b
    else:
        out = out + b[None, :, None, None]
    return out, (x, w, b, conv_param)


def _window_index(n_out, kernel, stride, dilation):
    """(n_out, kernel) index array: padded row of tap p in window i, i*stride + p*dilation."""
    return (np.arange(n_out) * stride)[:, None] + (np.arange(kernel) * dilation)[None, :]


def conv_fwd_gather(x, w, b, conv_param, bug=None):
    """Every window gathered at once with index arrays, then one tensordot with the filters."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    r = _window_index(Ho, HH, sh, dh)  # (Ho, HH)
    c = _window_index(Wo, WW, sw, dw)  # (Wo, WW)
    patches = xpad[:, :, r[:, :, None, None], c[None, None, :, :]]  # (N, C, Ho, HH, Wo, WW)
    res = np.tensordot(patches, w, axes=([1, 3, 5], [1, 2, 3]))  # (N, Ho, Wo, F)
    if bug == "tensordot's (N, H', W', F) reshaped to (N, F, H', W'), not transposed":
        out = res.reshape(N, F, Ho, Wo)
    else:
        out = res.transpose(0, 3, 1, 2)
    return out + b.reshape(1, F, 1, 1), (x, w, b, conv_param)


def conv_fwd_sliding(x, w, b, conv_param):
    """Right: sliding_window_view over the dilated span, every stride-th window, every dilation-th tap."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    span = (dh * (HH - 1) + 1, dw * (WW - 1) + 1)
    view = np.lib.stride_tricks.sliding_window_view(xpad, span, axis=(2, 3))  # (N, C, ., ., spanh, spanw)
    view = view[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, Ho, Wo, HH, WW)
    out = np.einsum("ncijpq,fcpq->nfij", view, w) + b[:, None, None]
    return out, (x, w, b, conv_param)


def conv_fwd_positions(x, w, b, conv_param):
    """Right: a loop over the output positions only, the whole batch and every filter per tensordot."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = np.zeros((N, x.shape[1], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw))
    xpad[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]] = x
    out = np.empty((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            top, left = i * sh, j * sw
            window = xpad[:, :, top : top + dh * HH : dh, left : left + dw * WW : dw]  # (N, C, HH, WW)
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_loops,
    [
        "stride[0] used for both axes",
        "H', W' recomputed with CS231n's formula (no dilation)",
        "np.pad given (pw, pw) for the rows and (ph, ph) for the columns",
        "window of HH x WW neighbouring pixels (dilation left out of the slice)",
        "kernel flipped (a true convolution, as np.convolve)",
        "bias inside the sum: added once per tap",
    ],
)
CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_taps,
    ["np.pad(x, pad): every axis padded, N and C too", "bias added as + b (broadcasts along the width)"],
)
CORPUS += _rows(
    "conv_forward_naive", conv_fwd_gather, ["tensordot's (N, H', W', F) reshaped to (N, F, H', W'), not transposed"]
)
CORPUS.append(_right("conv_forward_naive", "sliding_window_view and einsum", conv_fwd_sliding))
CORPUS.append(_right("conv_forward_naive", "loop over positions, tensordot over batch and filters", conv_fwd_positions))

# ---------------------------------------------------------------------------------------------
# conv_backward_naive (lesson 2); the cache is (x, w, b, conv_param)


def conv_bwd_loops(dout, cache, bug=None):
    """The forward's four loops, each step's contributions added (lesson 2, section 3)."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dW = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    if bug == "window of HH x WW neighbouring pixels (dilation left out of the slice)":
                        rows = slice(i * sh, i * sh + HH)
                        cols = slice(j * sw, j * sw + WW)
                    else:
                        rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                        cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    g = dout[n, f, i, j]
                    kernel = w[f]
                    if bug == "kernel flipped in dx (dx is 'a convolution with the flipped kernel')":
                        kernel = w[f, :, ::-1, ::-1]
                    if bug == "= for += in dxpad":
                        dxpad[n, :, rows, cols] = g * kernel
                    else:
                        dxpad[n, :, rows, cols] += g * kernel
                    if bug == "dw from the window of the unpadded x":
                        dW[f] += g * x[n, :, rows, cols]
                    else:
                        dW[f] += g * xpad[n, :, rows, cols]
    if bug == "db summed over axes (1, 2, 3): one per sample":
        db = dout.sum(axis=(1, 2, 3))
    else:
        db = dout.sum(axis=(0, 2, 3))
    if bug == "padding cut off as dxpad[:, :, ph:-ph, pw:-pw]":
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dW, db


def conv_bwd_taps(dout, cache, bug=None):
    """Vectorized: one strided slice per tap, einsum over the batch and the positions."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dW = np.zeros_like(w)
    for p in range(HH):
        for q in range(WW):
            rs = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
            cs = slice(q * dw, q * dw + sw * (Wo - 1) + 1, sw)
            dW[:, :, p, q] = np.einsum("nchw,nfhw->fc", xpad[:, :, rs, cs], dout)
            if bug == "einsum 'nfhw,cf->nchw' for w[:, :, p, q], which is (F, C)":
                contrib = np.einsum("nfhw,cf->nchw", dout, w[:, :, p, q])
            else:
                contrib = np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
            if bug == "= for += into the tap's slice of dxpad":
                dxpad[:, :, rs, cs] = contrib
            else:
                dxpad[:, :, rs, cs] += contrib
    db = dout.sum(axis=(0, 2, 3))
    return dxpad[:, :, ph : ph + H, pw : pw + W], dW, db


def conv_bwd_scatter(dout, cache, bug=None):
    """Every window gathered with index arrays; dx scattered back with np.add.at."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    r = _window_index(Ho, HH, sh, dh)  # (Ho, HH)
    c = _window_index(Wo, WW, sw, dw)  # (Wo, WW)
    index = (slice(None), slice(None), r[:, :, None, None], c[None, None, :, :])
    patches = xpad[index]  # (N, C, Ho, HH, Wo, WW)
    dW = np.einsum("ncipjq,nfij->fcpq", patches, dout)
    dpatches = np.einsum("fcpq,nfij->ncipjq", w, dout)
    dxpad = np.zeros_like(xpad)
    if bug == "dxpad[index] += dpatches: fancy indexing does not add repeated pixels":
        dxpad[index] += dpatches
    else:
        np.add.at(dxpad, index, dpatches)
    db = np.einsum("nfij->f", dout)
    return dxpad[:, :, ph : ph + H, pw : pw + W], dW, db


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_loops,
    [
        "= for += in dxpad",
        "kernel flipped in dx (dx is 'a convolution with the flipped kernel')",
        "window of HH x WW neighbouring pixels (dilation left out of the slice)",
        "dw from the window of the unpadded x",
        "db summed over axes (1, 2, 3): one per sample",
        "padding cut off as dxpad[:, :, ph:-ph, pw:-pw]",
    ],
)
CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_taps,
    ["einsum 'nfhw,cf->nchw' for w[:, :, p, q], which is (F, C)", "= for += into the tap's slice of dxpad"],
)
CORPUS += _rows(
    "conv_backward_naive", conv_bwd_scatter, ["dxpad[index] += dpatches: fancy indexing does not add repeated pixels"]
)
CORPUS.append(_right("conv_backward_naive", "index arrays, einsum and np.add.at", conv_bwd_scatter))

# ---------------------------------------------------------------------------------------------
# im2col (lesson 3)


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """The obvious way of the lesson: one window per output position, flattened into its column."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    for r in range(Ho):
        for s in range(Wo):
            window = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            if bug == "window flattened channels last, (HH, WW, C) as in Keras":
                column = window.transpose(0, 2, 3, 1).reshape(N, -1)
            else:
                column = window.reshape(N, -1)
            k = r * Ho + s if bug == "column r * H' + s: rows and columns of the output mixed" else r * Wo + s
            cols[:, :, k] = column
    return cols


def im2col_taps(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """The faster way of the lesson: one strided slice per tap, into (N, C, HH, WW, H', W')."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    taps_first = bug == "taps before the channels: (N, HH, WW, C, H', W') reshaped"
    out = np.empty((N, HH, WW, C, Ho, Wo) if taps_first else (N, C, HH, WW, Ho, Wo))
    for p in range(HH):
        for q in range(WW):
            r0, c0 = p * dh, q * dw
            if bug == "tap p starts at p * stride, not p * dilation":
                r0, c0 = p * sh, q * sw
            tap = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]  # (N, C, Ho, Wo)
            if taps_first:
                out[:, p, q] = tap
            else:
                out[:, :, p, q] = tap
    return out.reshape(N, C * HH * WW, Ho * Wo)


def _cs231n_indices(C, HH, WW, Ho, Wo, stride, dilation, bug=None):
    """CS231n's get_im2col_indices, with (h, w) strides and dilation: rows k, i, j of every entry."""
    (sh, sw), (dh, dw) = stride, dilation
    i0 = np.tile(np.repeat(np.arange(HH) * dh, WW), C)
    if bug == "dilation on the column offsets only (CS231n's row offsets kept)":
        i0 = np.tile(np.repeat(np.arange(HH), WW), C)
    if bug == "np.tile for np.repeat in the output rows":
        i1 = sh * np.tile(np.arange(Ho), Wo)
    else:
        i1 = sh * np.repeat(np.arange(Ho), Wo)
    j0 = np.tile(np.arange(WW) * dw, HH * C)
    j1 = (sh if bug == "one stride for both axes, as CS231n's indices" else sw) * np.tile(np.arange(Wo), Ho)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)  # (C*HH*WW, Ho*Wo)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), HH * WW).reshape(-1, 1)
    return k, i, j


def im2col_gather(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """CS231n's fast im2col: one fancy-indexing gather, x_padded[:, k, i, j]."""
    x, (HH, WW), stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    C = x.shape[1]
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    k, i, j = _cs231n_indices(C, HH, WW, Ho, Wo, stride, dilation, bug)
    return xpad[:, k, i, j]  # (N, C*HH*WW, Ho*Wo)


def im2col_sliding(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: sliding_window_view, sliced to the strides and the dilated taps, moved into place."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    view = np.lib.stride_tricks.sliding_window_view(xpad, (dh * (HH - 1) + 1, dw * (WW - 1) + 1), axis=(2, 3))
    view = view[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, Ho, Wo, HH, WW)
    return np.moveaxis(view, (4, 5), (2, 3)).reshape(N, C * HH * WW, Ho * Wo)


CORPUS += _rows(
    "im2col",
    im2col_windows,
    [
        "column r * H' + s: rows and columns of the output mixed",
        "window flattened channels last, (HH, WW, C) as in Keras",
    ],
)
CORPUS += _rows(
    "im2col",
    im2col_taps,
    ["taps before the channels: (N, HH, WW, C, H', W') reshaped", "tap p starts at p * stride, not p * dilation"],
)
CORPUS += _rows(
    "im2col",
    im2col_gather,
    [
        "np.tile for np.repeat in the output rows",
        "one stride for both axes, as CS231n's indices",
        "dilation on the column offsets only (CS231n's row offsets kept)",
    ],
)
CORPUS.append(_right("im2col", "sliding_window_view, moveaxis and one reshape", im2col_sliding))

# ---------------------------------------------------------------------------------------------
# col2im (lesson 3)


def col2im_windows(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """The windows loop of im2col, adding each column back into its window of a padded image."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for r in range(Ho):
        for s in range(Wo):
            window = (
                slice(None),
                slice(None),
                slice(r * sh, r * sh + dh * (HH - 1) + 1, dh),
                slice(s * sw, s * sw + dw * (WW - 1) + 1, dw),
            )
            column = cols[:, :, r * Wo + s].reshape(N, C, HH, WW)
            if bug == "= for +=: overlapping windows overwrite each other":
                xpad[window] = column
            else:
                xpad[window] += column
    if bug == "padding cut as xpad[:, :, ph:H, pw:W]":
        return xpad[:, :, ph:H, pw:W]
    if bug == "padding cut as xpad[:, :, ph:-ph, pw:-pw]":
        return xpad[:, :, ph:-ph, pw:-pw]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_taps(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """The lesson's hint: cols.reshape(N, C, HH, WW, H', W'), one strided += per tap."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    if bug == "cols split as (N, HH, WW, C, H', W'): taps before the channels":
        c6 = cols.reshape(N, HH, WW, C, Ho, Wo).transpose(0, 3, 1, 2, 4, 5)
    else:
        c6 = cols.reshape(N, C, HH, WW, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(HH):
        for q in range(WW):
            r0, c0 = p * dh, q * dw
            if bug == "tap p added at row p, not p * dilation":
                r0, c0 = p, q
            xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw] += c6[:, :, p, q]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_scatter(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """CS231n's col2im_indices: np.add.at with the indices of the gather, then the padding cut."""
    N, C, H, W = x_shape
    (HH, WW), stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    k, i, j = _cs231n_indices(C, HH, WW, Ho, Wo, stride, dilation)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    if bug == "xpad[:, k, i, j] += cols: fancy indexing does not add repeated pixels":
        xpad[:, k, i, j] += cols
    else:
        np.add.at(xpad, (slice(None), k, i, j), cols)
    if bug == "CS231n's 'if pad == 0: return xpad' made 'if ph == 0 and pw == 0', then [ph:-ph, pw:-pw]":
        if ph == 0 and pw == 0:
            return xpad
        return xpad[:, :, ph:-ph, pw:-pw]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_bincount(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: the flat index in the padded image of every entry of cols, summed by np.bincount."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    Hp, Wp = H + 2 * ph, W + 2 * pw
    n = np.arange(N).reshape(N, 1, 1, 1, 1, 1)
    c = np.arange(C).reshape(1, C, 1, 1, 1, 1)
    row = (np.arange(HH) * dh).reshape(1, 1, HH, 1, 1, 1) + (np.arange(Ho) * sh).reshape(1, 1, 1, 1, Ho, 1)
    col = (np.arange(WW) * dw).reshape(1, 1, 1, WW, 1, 1) + (np.arange(Wo) * sw).reshape(1, 1, 1, 1, 1, Wo)
    flat = ((n * C + c) * Hp + row) * Wp + col  # (N, C, HH, WW, Ho, Wo), the layout of cols
    flat = np.broadcast_to(flat, (N, C, HH, WW, Ho, Wo))
    xpad = np.bincount(flat.ravel(), weights=np.asarray(cols).ravel(), minlength=N * C * Hp * Wp)
    return xpad.reshape(N, C, Hp, Wp)[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im_windows,
    [
        "= for +=: overlapping windows overwrite each other",
        "padding cut as xpad[:, :, ph:H, pw:W]",
        "padding cut as xpad[:, :, ph:-ph, pw:-pw]",
    ],
)
CORPUS += _rows(
    "col2im",
    col2im_taps,
    ["cols split as (N, HH, WW, C, H', W'): taps before the channels", "tap p added at row p, not p * dilation"],
)
CORPUS += _rows(
    "col2im",
    col2im_scatter,
    [
        "xpad[:, k, i, j] += cols: fancy indexing does not add repeated pixels",
        "CS231n's 'if pad == 0: return xpad' made 'if ph == 0 and pw == 0', then [ph:-ph, pw:-pw]",
    ],
)
CORPUS.append(_right("col2im", "flat indices summed by np.bincount", col2im_bincount))

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col and conv_backward_im2col (lesson 3), with the student's own im2col and
# col2im (the tap versions above, right), as the lesson asks; the cache is (x, w, b, conv_param, cols)

my_im2col = im2col_taps
my_col2im = col2im_taps


def conv_fwd_cols(x, w, b, conv_param, bug=None):
    """The lesson's three lines: cols, w_row, w_row @ cols broadcast over the batch."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "im2col(x, HH, WW, pad, stride, dilation): pad and stride swapped":
        cols = my_im2col(x, HH, WW, pad, stride, dilation)
    elif bug == "dilation not passed to im2col":
        cols = my_im2col(x, HH, WW, stride, pad)
    elif bug == "im2col(x, WW, HH, ...): filter width and height swapped":
        cols = my_im2col(x, WW, HH, stride, pad, dilation)
    else:
        cols = my_im2col(x, HH, WW, stride, pad, dilation)  # (N, C*HH*WW, Ho*Wo)
    if bug == "w_row = w.reshape(C*HH*WW, F).T: reshaped in the wrong order":
        w_row = w.reshape(C * HH * WW, F).T
    else:
        w_row = w.reshape(F, -1)  # (F, C*HH*WW)
    out = w_row @ cols  # (N, F, Ho*Wo)
    if bug == "bias added as + b to (N, F, H'*W'): along the positions":
        out = out + b
    else:
        out = out + b.reshape(1, F, 1)
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


def conv_fwd_cols_flat(x, w, b, conv_param, bug=None):
    """CS231n's conv_forward_im2col: the batch folded into the columns, (C*HH*WW, N*H'*W')."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols = my_im2col(x, HH, WW, stride, pad, dilation)  # (N, K, P)
    if bug == "cols.reshape(C*HH*WW, -1): the batch folded in without the transpose":
        flat = cols.reshape(C * HH * WW, -1)
    else:
        flat = cols.transpose(1, 0, 2).reshape(C * HH * WW, -1)  # (K, N*P)
    res = w.reshape(F, -1) @ flat + b.reshape(-1, 1)  # (F, N*P)
    if bug == "(F, N*H'*W') reshaped straight to (N, F, H', W')":
        out = res.reshape(N, F, Ho, Wo)
    else:
        out = res.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3)
    return out, (x, w, b, conv_param, cols)


def conv_bwd_cols(dout, cache, bug=None):
    """Section 8 of lesson 3: db, dw summed over the samples, dcols = w_row.T @ dout_rows, col2im."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout_rows = dout.reshape(N, F, Ho * Wo)
    if bug == "db averaged over the batch":
        db = dout_rows.sum(axis=2).mean(axis=0)
    else:
        db = dout_rows.sum(axis=(0, 2))
    dw_n = dout_rows @ cols.transpose(0, 2, 1)  # (N, F, C*HH*WW)
    if bug == "dw averaged over the samples (mean for sum)":
        dW = dw_n.mean(axis=0).reshape(w.shape)
    else:
        dW = dw_n.sum(axis=0).reshape(w.shape)
    w_row = w.reshape(F, -1)
    if bug == "dcols as dout_rows^T @ w_row, reshaped to (N, C*HH*WW, H'*W') instead of transposed":
        dcols = (dout_rows.transpose(0, 2, 1) @ w_row).reshape(N, C * HH * WW, Ho * Wo)
    else:
        dcols = w_row.T @ dout_rows  # (N, C*HH*WW, Ho*Wo)
    if bug == "col2im called without the dilation":
        dx = my_col2im(dcols, x.shape, HH, WW, stride, pad)
    else:
        dx = my_col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dW, db


def conv_bwd_cols_flat(dout, cache, bug=None):
    """CS231n's conv_backward_im2col: dout and cols flattened to (., N*H'*W'), dcols unfolded back."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    K, P = C * HH * WW, Ho * Wo
    if bug == "dout.reshape(F, -1) without moving F first":
        dout_flat = dout.reshape(F, -1)
    else:
        dout_flat = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*P)
    cols_flat = cols.transpose(1, 0, 2).reshape(K, -1)  # (K, N*P)
    db = dout_flat.sum(axis=1)
    dW = (dout_flat @ cols_flat.T).reshape(w.shape)
    dcols_flat = w.reshape(F, -1).T @ dout_flat  # (K, N*P)
    if bug == "dcols (K, N*H'*W') reshaped straight to (N, K, H'*W')":
        dcols = dcols_flat.reshape(N, K, P)
    else:
        dcols = dcols_flat.reshape(K, N, P).transpose(1, 0, 2)
    dx = my_col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dW, db


CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols,
    [
        "im2col(x, HH, WW, pad, stride, dilation): pad and stride swapped",
        "dilation not passed to im2col",
        "w_row = w.reshape(C*HH*WW, F).T: reshaped in the wrong order",
        "bias added as + b to (N, F, H'*W'): along the positions",
    ],
)
CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols_flat,
    [
        "cols.reshape(C*HH*WW, -1): the batch folded in without the transpose",
        "(F, N*H'*W') reshaped straight to (N, F, H', W')",
    ],
)
CORPUS.append(_right("conv_forward_im2col", "CS231n's batch-folded (K, N*H'*W') product", conv_fwd_cols_flat))
CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols,
    [
        "db averaged over the batch",
        "dw averaged over the samples (mean for sum)",
        "dcols as dout_rows^T @ w_row, reshaped to (N, C*HH*WW, H'*W') instead of transposed",
        "col2im called without the dilation",
    ],
)
CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols_flat,
    ["dout.reshape(F, -1) without moving F first", "dcols (K, N*H'*W') reshaped straight to (N, K, H'*W')"],
)
CORPUS.append(_right("conv_backward_im2col", "CS231n's batch-folded products", conv_bwd_cols_flat))

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss (lesson 7)

POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}


def convnet(params, X, y=None, reg=0.0, bug=None):
    """The chain of lesson 7 with cnnlab.layers' im2col layers and softmax_loss."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    K = W1.shape[2]
    if bug == "pad K // 2 ('same' padding for odd filters only)":
        conv_param = {"stride": 1, "pad": K // 2}
    else:
        conv_param = {"stride": 1, "pad": (K - 1) // 2}
    a1, conv_cache = L.conv_forward_im2col(X, W1, b1, conv_param)
    r1, relu1_cache = L.relu_forward(a1)
    p1, pool_cache = L.max_pool_forward_im2col(r1, POOL)
    a2, fc2_cache = L.affine_forward(p1, W2, b2)
    r2, relu2_cache = L.relu_forward(a2)
    scores, fc3_cache = L.affine_forward(r2, W3, b3)
    if y is None:
        if bug == "softmax probabilities returned for the scores (Keras' predict)":
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return scores

    data_loss, dscores = L.softmax_loss(scores, y)
    grads = {}
    if bug == "affine_backward's (dx, dw, db) unpacked as (dx, db, dw)":
        dr2, grads["b3"], grads["W3"] = L.affine_backward(dscores, fc3_cache)
    else:
        dr2, grads["W3"], grads["b3"] = L.affine_backward(dscores, fc3_cache)
    da2 = L.relu_backward(dr2, relu2_cache)
    dp1, grads["W2"], grads["b2"] = L.affine_backward(da2, fc2_cache)
    dr1 = L.max_pool_backward_im2col(dp1, pool_cache)
    if bug == "the relu after the conv left out of the backward pass":
        da1 = dr1
    else:
        da1 = L.relu_backward(dr1, relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(da1, conv_cache)

    names = ["W1", "W2", "W3"]
    if bug == "biases regularized too":
        names = ["W1", "b1", "W2", "b2", "W3", "b3"]
    if bug == "W1 left out of the regularization, as in a two-layer net":
        names = ["W2", "W3"]
    squares = sum(np.sum(params[k] ** 2) for k in names)
    reg_loss = reg * squares if bug == "reg term without the 0.5" else 0.5 * reg * squares
    for k in names:
        if bug == "regularization gradient left out":
            continue
        grads[k] = (
            grads[k]
            + (2 * reg if bug == "regularization gradient 2 * reg * W (the 0.5 forgotten)" else reg) * params[k]
        )
    return data_loss + reg_loss, grads


def _softmax_loss(scores, y, bug=None):
    """A softmax loss written by hand: log-sum-exp, mean over the batch."""
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.mean(log_probs[np.arange(N), y])
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1
    if bug != "own softmax: loss averaged but dscores not divided by N":
        dscores /= N
    return loss, dscores


def convnet_naive(params, X, y=None, reg=0.0, bug=None):
    """The chain with the naive layers of lessons 2 and 4 and a hand-written softmax loss."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    a1, conv_cache = L.conv_forward_naive(X, W1, b1, {"stride": 1, "pad": (W1.shape[2] - 1) // 2})
    r1 = np.maximum(a1, 0)
    p1, pool_cache = L.max_pool_forward_naive(r1, POOL)
    h = np.maximum(p1.reshape(X.shape[0], -1) @ W2 + b2, 0)
    scores = h @ W3 + b3
    if y is None:
        return scores
    loss, dscores = _softmax_loss(scores, y, bug)
    dW3, db3 = h.T @ dscores, dscores.sum(axis=0)
    dh = (dscores @ W3.T) * (h > 0)
    dW2, db2 = p1.reshape(X.shape[0], -1).T @ dh, dh.sum(axis=0)
    dp1 = (dh @ W2.T).reshape(p1.shape)
    da1 = L.max_pool_backward_naive(dp1, pool_cache) * (a1 > 0)
    _, dW1, db1 = L.conv_backward_naive(da1, conv_cache)
    loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))
    grads = {"W1": dW1 + reg * W1, "b1": db1, "W2": dW2 + reg * W2, "b2": db2, "W3": dW3 + reg * W3, "b3": db3}
    return loss, grads


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet,
    [
        "pad K // 2 ('same' padding for odd filters only)",
        "softmax probabilities returned for the scores (Keras' predict)",
        "affine_backward's (dx, dw, db) unpacked as (dx, db, dw)",
        "the relu after the conv left out of the backward pass",
        "biases regularized too",
        "W1 left out of the regularization, as in a two-layer net",
        "reg term without the 0.5",
        "regularization gradient left out",
        "regularization gradient 2 * reg * W (the 0.5 forgotten)",
    ],
)
CORPUS += _rows("three_layer_convnet_loss", convnet_naive, ["own softmax: loss averaged but dscores not divided by N"])
CORPUS.append(
    _right("three_layer_convnet_loss", "naive layers, numpy affine and relu, own softmax loss", convnet_naive)
)
