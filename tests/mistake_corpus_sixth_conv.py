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

ROW COUNTS (filled in below).
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
