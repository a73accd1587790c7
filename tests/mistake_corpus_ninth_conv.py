"""A ninth held-out corpus of student mistakes, convolution half, written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``tests/mistake_corpus.py`` and its successors), for the exercises of lessons 1, 2, 3 and 7:
``conv_output_size``, ``conv_forward_naive``, ``conv_backward_naive``, ``im2col``, ``col2im``,
``conv_forward_im2col``, ``conv_backward_im2col`` and ``three_layer_convnet_loss``. It measures how
often the checker names a mistake it was never tuned to. The other half (pooling and the norms) is
written separately, by someone else.

The rows are written as a teaching assistant who has graded the assignment for a few years
would write down the mistakes seen in submissions, the frequent ones first, each as one
particular student wrote it: CS231n-style four loops, a loop over the channels too, vectorized
per-position code, per-tap code, fancy indexing after CS231n's ``im2col_indices``,
``sliding_window_view``, a hand-written softmax. One helper per style and exercise is right with
``bug=None``; each wrong row is one ``bug`` branch of it, so it holds ONE mistake (an off-by-one, a
forgotten term, a wrong axis or index, ``=`` for ``+=``, a (h, w) pair mishandled, a reshape that
should have been a transpose, a regularization or loss slip, a PyTorch, Keras or CS231n habit).
The rows with ``should_pass`` True are correct implementations in less usual styles, there to
catch false FAILs. The im2col exercises call the student's OWN im2col and col2im (the helpers of
this file), as lesson 3 asks, never cnnlab's.

How it was written: blind. From the student edition of the lessons
(``lessons/01_convolution_arithmetic.ipynb``, ``02_naive_convolution``, ``03_im2col``,
``07_small_cnn``: the explanations, the exercise stubs, their docstrings), ``cnnlab/layers``,
``cnnlab/shapes.py``, ``cnnlab/geometry.py``, ``cnnlab/im2col.py``, ``cnnlab/model.py``, the
verify machinery (``tests/corpus_verify.py``, ``tests/verify_mistake_corpus_fourth.py``) and the
format of ``tests/mistake_corpus_fourth.py`` (its docstring and first helper only). Not read: the checker (``cnnlab/exercises/``), its tests,
``tests/student_impls.py``, any other corpus's rows. The check was not run on any row. Every row
was verified against cnnlab's reference implementations only, by
``tests/verify_mistake_corpus_ninth_conv.py``: each wrong row differs from the reference (a wrong
value, a wrong shape or an exception) on at least one input, each right row matches it to a
relative error below 1e-8 on every input. A row whose mistake had no effect was dropped or fixed.

``forward`` is None where the backward pass reads cnnlab's cache format (conv ``(x, w, b,
conv_param)``, conv im2col ``(x, w, b, conv_param, cols)``), or the student's own correct forward
where the backward relies on a cache of its own.

77 rows: 67 wrong, 10 right. Per exercise (wrong / right): conv_output_size 7 / 1,
conv_forward_naive 9 / 2, conv_backward_naive 10 / 1, im2col 9 / 2, col2im 9 / 1,
conv_forward_im2col 6 / 1, conv_backward_im2col 6 / 1, three_layer_convnet_loss 11 / 1. Five rows
of the first draft (82 rows) were cut as near-duplicates of others, none for want of an effect.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from cnnlab import layers as L
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
# conv_output_size (lesson 1)


def out_size(size, kernel, stride, pad, dilation, bug=None):
    """The boxed formula, the way most students write it."""
    if bug == "dilation forgotten: (I + 2P - K) // S + 1":
        return (size + 2 * pad - kernel) // stride + 1
    if bug == "padding added once, not on both sides":
        return (size + pad - dilation * (kernel - 1) - 1) // stride + 1
    if bug == "missing parentheses: only the - 1 is divided by the stride":
        return size + 2 * pad - dilation * (kernel - 1) - 1 // stride + 1
    if bug == "int(a / S) truncates toward zero where the filter does not fit":
        return int((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1
    if bug == "math.ceil of the division (ceil_mode habit)":
        return math.ceil((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1
    if bug == "clamped to 0 with max(0, ...) when the filter does not fit":
        return max(0, (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1)
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def out_size_count(size, kernel, stride, pad, dilation):
    """Counting the window starts with a while loop: 0 windows, never a negative number."""
    span = dilation * (kernel - 1) + 1
    count, start = 0, 0
    while start + span <= size + 2 * pad:
        count += 1
        start += stride
    return count


def out_size_ceil(size, kernel, stride, pad, dilation):
    """ceil((last + 1) / S) with negative floor division: the same integer as floor(last / S) + 1."""
    last = size + 2 * pad - dilation * (kernel - 1) - 1  # the last start with stride 1
    return -(-(last + 1) // stride)


CORPUS += _rows(
    "conv_output_size",
    out_size,
    [
        "dilation forgotten: (I + 2P - K) // S + 1",
        "padding added once, not on both sides",
        "missing parentheses: only the - 1 is divided by the stride",
        "int(a / S) truncates toward zero where the filter does not fit",
        "math.ceil of the division (ceil_mode habit)",
        "clamped to 0 with max(0, ...) when the filter does not fit",
    ],
)
CORPUS += [
    (
        "conv_output_size",
        "window starts counted with a while loop: 0, not the formula's negative value, when it does not fit",
        out_size_count,
        None,
        False,
    ),
    _right("conv_output_size", "ceil((last + 1) / S) by negative floor division", out_size_ceil),
]

# ---------------------------------------------------------------------------------------------
# conv_forward_naive (lesson 2)


def conv_fwd_loops(x, w, b, conv_param, bug=None):
    """CS231n's four loops over n, f, i, j, one np.sum per output."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if bug == "np.pad(x, ph): pads the batch and channel axes too":
        xpad = np.pad(x, ph)
    elif bug == "padded by ph on the width as well as the height":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (ph, ph)))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    if bug == "dilation left out of the window slices":
                        rows = slice(i * sh, i * sh + HH)
                        cols = slice(j * sw, j * sw + WW)
                    elif bug == "height stride sh used for the columns too":
                        rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                        cols = slice(j * sh, j * sh + dw * (WW - 1) + 1, dw)
                    else:
                        rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                        cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    window = xpad[n, :, rows, cols]
                    if bug == "kernel flipped (np.convolve habit: true convolution)":
                        out[n, f, i, j] = np.sum(window * w[f, :, ::-1, ::-1]) + b[f]
                    elif bug == "bias b[f] forgotten":
                        out[n, f, i, j] = np.sum(window * w[f])
                    else:
                        out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def conv_fwd_channels(x, w, b, conv_param, bug=None):
    """Five loops, the channel c too, with a running sum per output."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    sh, sw = stride
    ph, pw = pad
    dh, dw = dilation
    if bug == "conv_param['stride'] read directly, not the validated pairs":
        sh = sw = conv_param["stride"]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    total = 0.0
                    for c in range(C):
                        patch = xp[n, c, r0 : r0 + dh * (HH - 1) + 1 : dh, c0 : c0 + dw * (WW - 1) + 1 : dw]
                        if bug == "= instead of += over the channels: the last channel only":
                            total = np.sum(patch * w[f, c])
                        elif bug == "bias added inside the channel loop (C times)":
                            total += np.sum(patch * w[f, c]) + b[f]
                        else:
                            total += np.sum(patch * w[f, c])
                    if bug == "bias added inside the channel loop (C times)":
                        out[n, f, i, j] = total
                    else:
                        out[n, f, i, j] = total + b[f]
    return out, (x, w, b, conv_param)


def conv_fwd_taps(x, w, b, conv_param):
    """Right, per tap: for each (p, q) one strided slice of every window, an einsum over c."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, C, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((x.shape[0], F, Ho, Wo)) + b[None, :, None, None]
    for p in range(HH):
        for q in range(WW):
            tap = xp[:, :, p * dh : p * dh + sh * (Ho - 1) + 1 : sh, q * dw : q * dw + sw * (Wo - 1) + 1 : sw]
            out += np.einsum("nchw,fc->nfhw", tap, w[:, :, p, q])
    return out, (x, w, b, conv_param)


def conv_fwd_view(x, w, b, conv_param):
    """Right: sliding_window_view over the padded input, strided, then one tensordot."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, C, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    span_h, span_w = dh * (HH - 1) + 1, dw * (WW - 1) + 1
    win = np.lib.stride_tricks.sliding_window_view(xp, (span_h, span_w), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :Ho, :Wo]  # (N, C, Ho, Wo, HH, WW)
    out = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, Ho, Wo, F)
    return out.transpose(0, 3, 1, 2) + b.reshape(1, F, 1, 1), (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_loops,
    [
        "dilation left out of the window slices",
        "bias b[f] forgotten",
        "np.pad(x, ph): pads the batch and channel axes too",
        "padded by ph on the width as well as the height",
        "height stride sh used for the columns too",
        "kernel flipped (np.convolve habit: true convolution)",
    ],
)
CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_channels,
    [
        "= instead of += over the channels: the last channel only",
        "bias added inside the channel loop (C times)",
        "conv_param['stride'] read directly, not the validated pairs",
    ],
)
CORPUS += [
    _right("conv_forward_naive", "per-tap einsum over strided slices", conv_fwd_taps),
    _right("conv_forward_naive", "sliding_window_view and one tensordot", conv_fwd_view),
]

# ---------------------------------------------------------------------------------------------
# conv_backward_naive (lesson 2): the cache is cnnlab's (x, w, b, conv_param)


def conv_bwd_loops(dout, cache, bug=None):
    """CS231n's loops: the forward loops, each step's contributions added up."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    if bug == "dilation left out of the backward window slices":
                        rows = slice(i * sh, i * sh + HH)
                        cols = slice(j * sw, j * sw + WW)
                    else:
                        rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                        cols = slice(j * sw, j * sw + dw_ * (WW - 1) + 1, dw_)
                    g = dout[n, f, i, j]
                    if bug == "= instead of += into dxpad":
                        dxpad[n, :, rows, cols] = g * w[f]
                    elif bug == "kernel flipped for dx (lesson 1's full correlation taken literally)":
                        dxpad[n, :, rows, cols] += g * w[f, :, ::-1, ::-1]
                    elif bug == "dx and dw contributions swapped":
                        dxpad[n, :, rows, cols] += g * xpad[n, :, rows, cols]
                    else:
                        dxpad[n, :, rows, cols] += g * w[f]
                    if bug == "dw accumulated from the unpadded x":
                        dw[f] += g * x[n, :, rows, cols]
                    elif bug == "dx and dw contributions swapped":
                        dw[f] += g * w[f]
                    else:
                        dw[f] += g * xpad[n, :, rows, cols]
    if bug == "db averaged over the batch and positions instead of summed":
        db = dout.mean(axis=(0, 2, 3))
    else:
        db = dout.sum(axis=(0, 2, 3))
    if bug == "padding cut as dxpad[:, :, ph:-ph, pw:-pw] (empty when pad is 0)":
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw, db


def conv_bwd_positions(dout, cache, bug=None):
    """Vectorized over the batch and the filters: one pair of einsums per output position."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    sh, sw = stride
    ph, pw = pad
    dh, dwl = dilation
    x_p = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dx_p = np.zeros(x_p.shape)
    dw = np.zeros(w.shape)
    for i in range(Ho):
        for j in range(Wo):
            if bug == "dw zeroed inside the (i, j) loop: the last position only":
                dw = np.zeros(w.shape)
            r = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
            c = slice(j * sw, j * sw + dwl * (WW - 1) + 1, dwl)
            if bug == "dout[:, :, j, i]: i and j swapped":
                g = dout[:, :, j, i]  # (N, F)
            else:
                g = dout[:, :, i, j]  # (N, F)
            dx_p[:, :, r, c] += np.einsum("nf,fchw->nchw", g, w)
            dw += np.einsum("nf,nchw->fchw", g, x_p[:, :, r, c])
    db = dout.sum(axis=(0, 2, 3))
    return dx_p[:, :, ph : ph + H, pw : pw + W], dw, db


def conv_bwd_as_conv(dout, cache, bug=None):
    """Lesson 2, section 6, used as the general answer: dx and dw as convolutions by the
    student's own (right) forward. It holds for stride 1 and no dilation only."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    ph, pw = pad
    w_flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, F, HH, WW)
    dxpad, _ = conv_fwd_taps(dout, w_flipped, np.zeros(C), {"pad": (HH - 1, WW - 1)})
    dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dw_t, _ = conv_fwd_taps(xpad.transpose(1, 0, 2, 3), dout.transpose(1, 0, 2, 3), np.zeros(F), {})
    return dx, dw_t.transpose(1, 0, 2, 3), dout.sum(axis=(0, 2, 3))


def conv_bwd_taps(dout, cache):
    """Right, per tap: each (p, q) adds into one strided slice of dxpad, dw[:, :, p, q] one einsum."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxp = np.zeros_like(xp)
    dw = np.empty_like(w)
    for p in range(HH):
        rows = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
        for q in range(WW):
            cols = slice(q * dw_, q * dw_ + sw * (Wo - 1) + 1, sw)
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
            dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
    return dxp[:, :, ph : ph + H, pw : pw + W], dw, np.einsum("nfhw->f", dout)


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_loops,
    [
        "= instead of += into dxpad",
        "padding cut as dxpad[:, :, ph:-ph, pw:-pw] (empty when pad is 0)",
        "dw accumulated from the unpadded x",
        "db averaged over the batch and positions instead of summed",
        "kernel flipped for dx (lesson 1's full correlation taken literally)",
        "dx and dw contributions swapped",
        "dilation left out of the backward window slices",
    ],
)
CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_positions,
    [
        "dout[:, :, j, i]: i and j swapped",
        "dw zeroed inside the (i, j) loop: the last position only",
    ],
)
CORPUS += [
    (
        "conv_backward_naive",
        "dx and dw as convolutions (lesson 2, section 6), true for stride 1 and no dilation only",
        conv_bwd_as_conv,
        None,
        False,
    ),
    _right("conv_backward_naive", "per-tap strided adds and einsums", conv_bwd_taps),
]

# ---------------------------------------------------------------------------------------------
# im2col (lesson 3)


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Loop over the windows: window (r, s) flattened into column r*W' + s."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    for r in range(Ho):
        for s in range(Wo):
            if bug == "dilation left out of the window slices":
                rows, cs = slice(r * sh, r * sh + HH), slice(s * sw, s * sw + WW)
            else:
                rows = slice(r * sh, r * sh + dh * (HH - 1) + 1, dh)
                cs = slice(s * sw, s * sw + dw * (WW - 1) + 1, dw)
            if bug == "window read from x instead of the padded xpad":
                window = x[:, :, rows, cs]
            else:
                window = xpad[:, :, rows, cs]  # (N, C, HH, WW)
            if bug == "rows ordered (p, q, c): channels-last transpose before the flatten":
                window = window.transpose(0, 2, 3, 1)
            if bug == "column index r*H' + s (H' for W')":
                cols[:, :, r * Ho + s] = window.reshape(N, -1)
            else:
                cols[:, :, r * Wo + s] = window.reshape(N, -1)
    return cols


def im2col_taps(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Loop over the taps: tap (p, q) of every window is one strided slice of xpad."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    if bug == "laid out (N, C, H', W', HH, WW) before the reshape":
        out = np.empty((N, C, Ho, Wo, HH, WW))
    else:
        out = np.empty((N, C, HH, WW, Ho, Wo))
    for p in range(HH):
        for q in range(WW):
            if bug == "stride and dilation swapped in the tap slice":
                tap = xpad[:, :, p * sh : p * sh + dh * (Ho - 1) + 1 : dh, q * sw : q * sw + dw * (Wo - 1) + 1 : dw]
            elif bug == "tap slice stops at p*dh + sh*(H'-1), without the + 1":
                tap = xpad[:, :, p * dh : p * dh + sh * (Ho - 1) : sh, q * dw : q * dw + sw * (Wo - 1) : sw]
            else:
                tap = xpad[:, :, p * dh : p * dh + sh * (Ho - 1) + 1 : sh, q * dw : q * dw + sw * (Wo - 1) + 1 : sw]
            if bug == "laid out (N, C, H', W', HH, WW) before the reshape":
                out[:, :, :, :, p, q] = tap
            else:
                out[:, :, p, q] = tap
    return out.reshape(N, C * HH * WW, Ho * Wo)


def _cs231n_indices(C, HH, WW, Ho, Wo, stride, dilation):
    """CS231n's get_im2col_indices, with (h, w) strides and dilation: k (channel), i (row), j (col)."""
    (sh, sw), (dh, dw) = stride, dilation
    i0 = np.tile(np.repeat(np.arange(HH) * dh, WW), C)
    i1 = sh * np.repeat(np.arange(Ho), Wo)
    j0 = np.tile(np.arange(WW) * dw, HH * C)
    j1 = sw * np.tile(np.arange(Wo), Ho)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)  # (C*HH*WW, Ho*Wo)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), HH * WW).reshape(-1, 1)
    return k, i, j


def im2col_fancy(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """CS231n's im2col_indices: three index arrays and one fancy-indexing read."""
    x, (HH, WW), stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    k, i, j = _cs231n_indices(C, HH, WW, Ho, Wo, stride, dilation)
    if bug == "channel index k built with np.tile instead of np.repeat":
        k = np.tile(np.arange(C), HH * WW).reshape(-1, 1)
    cols = xpad[:, k, i, j]  # (N, C*HH*WW, Ho*Wo)
    if bug == "CS231n's 2-D layout returned: (C*HH*WW, H'*W'*N)":
        return cols.transpose(1, 2, 0).reshape(C * HH * WW, -1)
    return cols


def im2col_view(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: sliding_window_view of the padded input, strided and dilated by slicing, one reshape."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    win = np.lib.stride_tricks.sliding_window_view(xpad, (dh * (HH - 1) + 1, dw * (WW - 1) + 1), axis=(2, 3))
    win = win[:, :, : sh * (Ho - 1) + 1 : sh, : sw * (Wo - 1) + 1 : sw, ::dh, ::dw]  # (N, C, Ho, Wo, HH, WW)
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * HH * WW, Ho * Wo)


CORPUS += _rows(
    "im2col",
    im2col_windows,
    [
        "column index r*H' + s (H' for W')",
        "dilation left out of the window slices",
        "window read from x instead of the padded xpad",
        "rows ordered (p, q, c): channels-last transpose before the flatten",
    ],
)
CORPUS += _rows(
    "im2col",
    im2col_taps,
    [
        "stride and dilation swapped in the tap slice",
        "laid out (N, C, H', W', HH, WW) before the reshape",
        "tap slice stops at p*dh + sh*(H'-1), without the + 1",
    ],
)
CORPUS += _rows(
    "im2col",
    im2col_fancy,
    [
        "channel index k built with np.tile instead of np.repeat",
        "CS231n's 2-D layout returned: (C*HH*WW, H'*W'*N)",
    ],
)
CORPUS += [
    _right("im2col", "CS231n-style index arrays and one fancy read", im2col_fancy),
    _right("im2col", "sliding_window_view, sliced, transposed, reshaped", im2col_view),
]

# ---------------------------------------------------------------------------------------------
# col2im (lesson 3)


def col2im_taps(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """The tap loop of im2col, adding into a zero padded image instead of reading from it."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    if bug == "cols reshaped as (N, C, H', W', HH, WW)":
        c6 = cols.reshape(N, C, Ho, Wo, HH, WW).transpose(0, 1, 4, 5, 2, 3)
    else:
        c6 = cols.reshape(N, C, HH, WW, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    counts = np.zeros((H + 2 * ph, W + 2 * pw))
    for p in range(HH):
        for q in range(WW):
            if bug == "dilation left out of the tap start (p for p*dh)":
                r0, c0 = p, q
            else:
                r0, c0 = p * dh, q * dw
            rows = slice(r0, r0 + sh * (Ho - 1) + 1, sh)
            cs = slice(c0, c0 + sw * (Wo - 1) + 1, sw)
            if bug == "= instead of +=: overlapping windows overwrite each other":
                xpad[:, :, rows, cs] = c6[:, :, p, q]
            else:
                xpad[:, :, rows, cs] += c6[:, :, p, q]
            counts[rows, cs] += 1
    if bug == "overlaps averaged: divided by the window count (col2im as im2col's inverse)":
        xpad = xpad / np.maximum(counts, 1)
    if bug == "padding not cut away: returns the padded image":
        return xpad
    if bug == "padding cut as xpad[:, :, ph:-ph, pw:-pw]":
        return xpad[:, :, ph:-ph, pw:-pw]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_windows(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Loop over the windows: column r*W' + s added back into window (r, s)."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    img = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for r in range(Ho):
        for s in range(Wo):
            if bug == "stride forgotten: window r starts at row r":
                top, left = r, s
            else:
                top, left = r * sh, s * sw
            if bug == "column index r*H' + s (H' for W')":
                col = cols[:, :, r * Ho + s]
            else:
                col = cols[:, :, r * Wo + s]
            img[:, :, top : top + dh * (HH - 1) + 1 : dh, left : left + dw * (WW - 1) + 1 : dw] += col.reshape(
                N, C, HH, WW
            )
    return img[:, :, ph : ph + H, pw : pw + W]


def col2im_fancy(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """CS231n's col2im_indices: np.add.at with the index arrays of im2col_fancy."""
    N, C, H, W = x_shape
    (HH, WW), stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    k, i, j = _cs231n_indices(C, HH, WW, Ho, Wo, stride, dilation)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    if bug == "fancy-index += instead of np.add.at: repeated pixels added once":
        xpad[:, k, i, j] += cols
    else:
        np.add.at(xpad, (slice(None), k, i, j), cols)
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im_taps,
    [
        "= instead of +=: overlapping windows overwrite each other",
        "padding cut as xpad[:, :, ph:-ph, pw:-pw]",
        "padding not cut away: returns the padded image",
        "cols reshaped as (N, C, H', W', HH, WW)",
        "overlaps averaged: divided by the window count (col2im as im2col's inverse)",
        "dilation left out of the tap start (p for p*dh)",
    ],
)
CORPUS += _rows(
    "col2im",
    col2im_windows,
    ["column index r*H' + s (H' for W')", "stride forgotten: window r starts at row r"],
)
CORPUS += _rows("col2im", col2im_fancy, ["fancy-index += instead of np.add.at: repeated pixels added once"])
CORPUS += [_right("col2im", "CS231n-style np.add.at with index arrays", col2im_fancy)]

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col (lesson 3): with the student's own im2col (im2col_taps above)


def conv_fwd_cols(x, w, b, conv_param, bug=None):
    """The three lines of lesson 3: columns, filters as rows, one batched product."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "im2col called without the dilation":
        cols = im2col_taps(x, HH, WW, stride, pad)
    elif bug == "stride and pad passed to im2col in the wrong order":
        cols = im2col_taps(x, HH, WW, pad, stride, dilation)
    else:
        cols = im2col_taps(x, HH, WW, stride, pad, dilation)  # (N, C*HH*WW, Ho*Wo)
    if bug == "w.reshape(-1, F).T for the filter rows: a reshape is not a transpose":
        w_row = w.reshape(-1, F).T
    else:
        w_row = w.reshape(F, -1)  # (F, C*HH*WW)
    if bug == "(N, P, F) product reshaped to (N, F, H', W') without a transpose":
        out = (cols.transpose(0, 2, 1) @ w_row.T + b).reshape(N, F, Ho, Wo)
    elif bug == "bias added after the reshape as + b: broadcast along W', not the filters":
        out = (w_row @ cols).reshape(N, F, Ho, Wo) + b
    elif bug == "output reshaped to (N, F, W', H')":
        out = (w_row @ cols + b.reshape(1, F, 1)).reshape(N, F, Wo, Ho)
    else:
        out = (w_row @ cols + b.reshape(1, F, 1)).reshape(N, F, Ho, Wo)
    return out, (x, w, b, conv_param, cols)


def conv_fwd_cols_einsum(x, w, b, conv_param):
    """Right: the student's CS231n-style im2col (im2col_fancy) and an einsum for the product."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, C, HH, WW = w.shape
    cols = im2col_fancy(x, HH, WW, stride, pad, dilation)
    out = np.einsum("fk,nkp->nfp", w.reshape(F, C * HH * WW), cols) + b[:, None]
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols,
    [
        "bias added after the reshape as + b: broadcast along W', not the filters",
        "w.reshape(-1, F).T for the filter rows: a reshape is not a transpose",
        "output reshaped to (N, F, W', H')",
        "(N, P, F) product reshaped to (N, F, H', W') without a transpose",
        "im2col called without the dilation",
        "stride and pad passed to im2col in the wrong order",
    ],
)
CORPUS += [_right("conv_forward_im2col", "own CS231n-style im2col and an einsum", conv_fwd_cols_einsum)]

# ---------------------------------------------------------------------------------------------
# conv_backward_im2col (lesson 3): with the student's own col2im (col2im_taps above)


def conv_bwd_cols(dout, cache, bug=None):
    """Section 8 of lesson 3: the affine layer's gradients per sample, col2im for dx."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout_rows = dout.reshape(N, F, Ho * Wo)
    if bug == "db summed over axes (0, 1): one number per position":
        db = dout_rows.sum(axis=(0, 1))
    else:
        db = dout_rows.sum(axis=(0, 2))
    if bug == "dw averaged over the batch (mean over n, not the sum)":
        dw = (dout_rows @ cols.transpose(0, 2, 1)).mean(axis=0).reshape(w.shape)
    elif bug == "dw as cols @ dout.T, (C*HH*WW, F), reshaped without a transpose":
        dw = (cols @ dout_rows.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    else:
        dw = (dout_rows @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    if bug == "w.reshape(-1, F) for w_row.T: a reshape is not a transpose":
        w_row_t = w.reshape(-1, F)
    else:
        w_row_t = w.reshape(F, -1).T  # (C*HH*WW, F)
    dcols = w_row_t @ dout_rows  # (N, C*HH*WW, Ho*Wo)
    if bug == "col2im called without the dilation":
        dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad)
    else:
        dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


def conv_fwd_cols2d(x, w, b, conv_param):
    """A student's own forward that keeps CS231n's 2-D columns (C*HH*WW, H'*W'*N) in its cache."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, C, HH, WW = w.shape
    cols = im2col_fancy(x, HH, WW, stride, pad, dilation)  # (N, K, P)
    x_cols = cols.transpose(1, 2, 0).reshape(C * HH * WW, -1)  # (K, P*N): column p*N + n
    out = w.reshape(F, -1) @ x_cols + b.reshape(-1, 1)  # (F, P*N)
    out = out.reshape(F, Ho, Wo, N).transpose(3, 0, 1, 2)
    return out, (x, w, b, conv_param, x_cols)


def conv_bwd_cols2d(dout, cache, bug=None):
    """CS231n's conv_backward_fast, on the 2-D columns of conv_fwd_cols2d, with the student's col2im."""
    x, w, b, conv_param, x_cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "dout.reshape(F, -1): the batch axis not moved behind the positions":
        dout_2d = dout.reshape(F, -1)
    else:
        dout_2d = dout.transpose(1, 2, 3, 0).reshape(F, -1)  # (F, P*N), column p*N + n
    db = dout_2d.sum(axis=1)
    dw = (dout_2d @ x_cols.T).reshape(w.shape)
    dx_cols = w.reshape(F, -1).T @ dout_2d  # (K, P*N)
    dx_cols = dx_cols.reshape(C * HH * WW, Ho * Wo, N).transpose(2, 0, 1)  # (N, K, P)
    dx = col2im_fancy(dx_cols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols,
    [
        "dw averaged over the batch (mean over n, not the sum)",
        "w.reshape(-1, F) for w_row.T: a reshape is not a transpose",
        "dw as cols @ dout.T, (C*HH*WW, F), reshaped without a transpose",
        "col2im called without the dilation",
        "db summed over axes (0, 1): one number per position",
    ],
)
CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols2d,
    ["dout.reshape(F, -1): the batch axis not moved behind the positions"],
    forward=conv_fwd_cols2d,
)
CORPUS += [
    _right(
        "conv_backward_im2col",
        "own cache: CS231n's 2-D columns (C*HH*WW, H'*W'*N), col2im by np.add.at",
        conv_bwd_cols2d,
        conv_fwd_cols2d,
    )
]

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss (lesson 7)

POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}


def convnet_layers(params, X, y=None, reg=0.0, bug=None):
    """CS231n's ThreeLayerConvNet.loss as a function: cnnlab's layers and softmax_loss."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    K = W1.shape[2]
    if bug == "conv padded by K // 2 (wrong for an even filter)":
        conv_param = {"stride": 1, "pad": K // 2}
    else:
        conv_param = {"stride": 1, "pad": (K - 1) // 2}
    a1, conv_cache = L.conv_forward_im2col(X, W1, b1, conv_param)
    r1, relu1_cache = L.relu_forward(a1)
    p1, pool_cache = L.max_pool_forward_im2col(r1, POOL)
    a2, aff2_cache = L.affine_forward(p1, W2, b2)
    r2, relu2_cache = L.relu_forward(a2)
    scores, aff3_cache = L.affine_forward(r2, W3, b3)
    if bug == "ReLU applied to the scores after the last affine layer":
        scores, relu3_cache = L.relu_forward(scores)
    if y is None:
        return scores

    data_loss, dscores = L.softmax_loss(scores, y)
    if bug == "regularization loss without the 0.5":
        reg_loss = reg * (np.sum(W1**2) + np.sum(W2**2) + np.sum(W3**2))
    elif bug == "biases regularized too (loss and gradient)":
        reg_loss = 0.5 * reg * sum(np.sum(params[k] ** 2) for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    else:
        reg_loss = 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2) + np.sum(W3**2))
    loss = data_loss + reg_loss

    grads = {}
    if bug == "ReLU applied to the scores after the last affine layer":
        dscores = L.relu_backward(dscores, relu3_cache)
    dr2, grads["W3"], grads["b3"] = L.affine_backward(dscores, aff3_cache)
    da2 = L.relu_backward(dr2, relu2_cache)
    dp1, grads["W2"], grads["b2"] = L.affine_backward(da2, aff2_cache)
    dr1 = L.max_pool_backward_im2col(dp1, pool_cache)
    da1 = L.relu_backward(dr1, relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(da1, conv_cache)
    for k in ("W1", "W2", "W3"):
        if bug == "regularization gradient forgotten":
            continue
        if bug == "regularization gradient doubled: 2 * reg * W":
            grads[k] += 2 * reg * params[k]
        else:
            grads[k] += reg * params[k]
    if bug == "biases regularized too (loss and gradient)":
        for k in ("b1", "b2", "b3"):
            grads[k] += reg * params[k]
    if bug == "gradients stored as dW1, db1, ... instead of the names of params":
        grads = {"d" + k: v for k, v in grads.items()}
    return loss, grads


def convnet_own_softmax(params, X, y=None, reg=0.0, bug=None):
    """The same chain with naive layers and a softmax written by hand."""
    W1, W2, W3 = params["W1"], params["W2"], params["W3"]
    N = X.shape[0]
    pad = (W1.shape[2] - 1) // 2
    h1, c1 = L.conv_forward_naive(X, W1, params["b1"], {"pad": pad})
    h1, c2 = L.relu_forward(h1)
    h1, c3 = L.max_pool_forward_naive(h1, POOL)
    h2, c4 = L.affine_forward(h1, W2, params["b2"])
    h2, c5 = L.relu_forward(h2)
    scores, c6 = L.affine_forward(h2, W3, params["b3"])
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    if y is None:
        if bug == "probabilities returned instead of the raw scores when y is None":
            return probs
        return scores

    if bug == "loss and gradient summed over the batch, not averaged":
        loss = -np.sum(np.log(probs[np.arange(N), y]))
    else:
        loss = -np.mean(np.log(probs[np.arange(N), y]))
    loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))
    dscores = probs.copy()
    if bug == "probs[:, y] -= 1 instead of probs[np.arange(N), y]":
        dscores[:, y] -= 1
    else:
        dscores[np.arange(N), y] -= 1
    if bug not in (
        "softmax gradient not divided by N (the loss is)",
        "loss and gradient summed over the batch, not averaged",
    ):
        dscores /= N

    grads = {}
    dh2, grads["W3"], grads["b3"] = L.affine_backward(dscores, c6)
    dh2 = L.relu_backward(dh2, c5)
    dh1, grads["W2"], grads["b2"] = L.affine_backward(dh2, c4)
    dh1 = L.max_pool_backward_naive(dh1, c3)
    dh1 = L.relu_backward(dh1, c2)
    _, grads["W1"], grads["b1"] = L.conv_backward_naive(dh1, c1)
    grads["W1"] += reg * W1
    grads["W2"] += reg * W2
    grads["W3"] += reg * W3
    return float(loss), grads


def convnet_table(params, X, y=None, reg=0.0):
    """Right: the layers in a table, run forward and then backward in a loop; reg via np.vdot."""
    K = params["W1"].shape[2]
    chain = [
        ("conv", lambda h: L.conv_forward_naive(h, params["W1"], params["b1"], {"pad": (K - 1) // 2})),
        ("relu", L.relu_forward),
        ("pool", lambda h: L.max_pool_forward_naive(h, POOL)),
        ("aff2", lambda h: L.affine_forward(h, params["W2"], params["b2"])),
        ("relu", L.relu_forward),
        ("aff3", lambda h: L.affine_forward(h, params["W3"], params["b3"])),
    ]
    h, caches = X, []
    for _, forward in chain:
        h, cache = forward(h)
        caches.append(cache)
    if y is None:
        return h
    loss, d = L.softmax_loss(h, y)
    weights = ("W1", "W2", "W3")
    loss += 0.5 * reg * sum(np.vdot(params[k], params[k]) for k in weights)
    names = {"conv": ("W1", "b1"), "aff2": ("W2", "b2"), "aff3": ("W3", "b3")}
    backward = {"conv": L.conv_backward_naive, "pool": L.max_pool_backward_naive, "relu": L.relu_backward}
    backward["aff2"] = backward["aff3"] = L.affine_backward
    grads = {}
    for (name, _), cache in zip(reversed(chain), reversed(caches)):
        result = backward[name](d, cache)
        if name in names:
            d, dw, db = result
            grads[names[name][0]] = dw + reg * params[names[name][0]]
            grads[names[name][1]] = db
        else:
            d = result
    return loss, {k: grads[k] for k in params}


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet_layers,
    [
        "regularization gradient forgotten",
        "regularization gradient doubled: 2 * reg * W",
        "regularization loss without the 0.5",
        "biases regularized too (loss and gradient)",
        "conv padded by K // 2 (wrong for an even filter)",
        "ReLU applied to the scores after the last affine layer",
        "gradients stored as dW1, db1, ... instead of the names of params",
    ],
)
CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet_own_softmax,
    [
        "loss and gradient summed over the batch, not averaged",
        "softmax gradient not divided by N (the loss is)",
        "probs[:, y] -= 1 instead of probs[np.arange(N), y]",
        "probabilities returned instead of the raw scores when y is None",
    ],
)
CORPUS += [_right("three_layer_convnet_loss", "a table of layers run forward and backward in loops", convnet_table)]
