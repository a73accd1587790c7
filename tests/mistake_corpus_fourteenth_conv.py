"""A fourteenth held-out corpus of student mistakes, the convolution half, written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``mistake_corpus.measure(CORPUS)`` runs them), for the exercises of lessons 1, 2, 3 and 7:
``conv_output_size``, ``conv_forward_naive``, ``conv_backward_naive``, ``im2col``, ``col2im``,
``conv_forward_im2col``, ``conv_backward_im2col`` and ``three_layer_convnet_loss``. It measures how
often the checker names a mistake it was never tuned to. Each wrong row is one student's submitted
function with the one bug left in it, written as a branch of a correct helper (one helper per
style: the stubs' loops, a channel loop, einsum per output position, a list of windows stacked at
the end, sliding_window_view, CS231n's index arrays and its 2-D column matrix, a softmax by hand).
The bugs are the ones a lab section doing the assignment for the first time under time pressure
leaves in most often: a term of the output-size formula, operator precedence, ``int(/)`` for
``//``; dilation, stride or padding forgotten in one place, a (h, w) pair mishandled, ``np.pad``
over every axis; ``=`` for ``+=``, the ``ph:-ph`` cut, the padding not cut; a loop index mixed up;
a reshape for a transpose, ``.T`` on a 3-D array, a row or column order; positional arguments
swapped; the regularization's 0.5, the biases regularized, ``if not y``; and a few habits from
signal processing (a flipped kernel), Keras (channels-last flattening) and lesson 2's own section 6
(dx as a full convolution, right only for stride 1 without padding). The rows with
``should_pass`` True are correct implementations in unusual styles, there to catch false FAILs.

The im2col exercises call the corpus's OWN im2col and col2im (``im2col_windows``, ``col2im_taps``,
``col2im_fancy``, each right with bug=None), never cnnlab's, as lesson 3 says. ``forward`` is None
for every backward row: each reads cnnlab's cache, ``(x, w, b, conv_param)`` for the naive
convolution and ``(x, w, b, conv_param, cols)`` for the im2col one. The network rows use
cnnlab.layers, as lesson 7 allows.

How it was written: blind. From the student edition of lessons 1, 2, 3 and 7 (explanations,
stubs, docstrings, hints in the text), ``cnnlab/layers``, ``cnnlab/shapes.py``,
``cnnlab/geometry.py``, ``cnnlab/im2col.py``, ``cnnlab/model.py``, and the
verify machinery (``tests/corpus_verify.py``, ``tests/verify_mistake_corpus_fourth.py``, and the
first 90 lines of ``tests/mistake_corpus_fourth.py`` for the format), without reading the checker
(``cnnlab/exercises/``), the other corpora, ``tests/student_impls.py``, ``tests/test_exercises.py``
or ``tests/test_crashes.py``, and without running the check on any row. Every row was verified
against cnnlab's reference implementations only, by ``tests/verify_mistake_corpus_fourteenth_conv.py``:
each wrong row differs from the reference (a wrong value, a wrong shape, or an exception) on at
least one input, each right row matches it to a relative error of 1e-8 on every input. Rows whose
mistake repeated another's were dropped to keep the proportions.

71 rows: 63 wrong, 8 right. Per exercise (wrong + right): conv_output_size 5 + 1,
conv_forward_naive 11 + 1, conv_backward_naive 11 + 1, im2col 7 + 1, col2im 7 + 1,
conv_forward_im2col 6 + 1, conv_backward_im2col 6 + 1, three_layer_convnet_loss 10 + 1.
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
# conv_output_size: the boxed formula of lesson 1, typed in under time pressure


def out_size(size, kernel, stride, pad, dilation, bug=None):
    if bug == "dilation left out: (I + 2P - K) // S + 1":
        return (size + 2 * pad - kernel) // stride + 1
    if bug == "pad added once, not on both sides":
        return (size + pad - dilation * (kernel - 1) - 1) // stride + 1
    if bug == "no parentheses: only the - 1 is divided by the stride":
        return size + 2 * pad - dilation * (kernel - 1) - 1 // stride + 1
    if bug == "clamped to 0 when the filter does not fit":
        return max(0, (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1)
    if bug == "int() of a true division (truncates toward zero)":
        return int((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def out_size_floor(size, kernel, stride, pad, dilation):
    """Right: the span first, then a true division rounded down with math.floor (an int)."""
    span = dilation * (kernel - 1) + 1
    return math.floor((size + 2 * pad - span) / stride) + 1


CORPUS += _rows(
    "conv_output_size",
    out_size,
    [
        "dilation left out: (I + 2P - K) // S + 1",
        "pad added once, not on both sides",
        "no parentheses: only the - 1 is divided by the stride",
        "clamped to 0 when the filter does not fit",
        "int() of a true division (truncates toward zero)",
    ],
)
CORPUS.append(_right("conv_output_size", "span first, / then math.floor", out_size_floor))

# ---------------------------------------------------------------------------------------------
# conv_forward_naive: the four loops of the stub; a five-loop version with a channel loop;
# a version vectorized over n and f with einsum per output position


def conv_fwd(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if bug == "stride[0] used for both axes":
        sw = sh
    if bug == "H_out recomputed CS231n-style, without the dilation":
        Ho = (H + 2 * ph - HH) // sh + 1
        Wo = (W + 2 * pw - WW) // sw + 1
    if bug == "np.pad(x, pad): every axis padded, N and C too":
        xpad = np.pad(x, pad)
    elif bug == "height padding used for the width too":
        xpad = _pad(x, ph, ph)
    else:
        xpad = _pad(x, ph, pw)
    kernel = w[:, :, ::-1, ::-1] if bug == "kernel flipped (a true convolution)" else w
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    if bug == "dilation forgotten in the window slice":
                        window = xpad[n, :, r0 : r0 + HH, c0 : c0 + WW]
                    else:
                        window = xpad[n, :, r0 : r0 + dh * (HH - 1) + 1 : dh, c0 : c0 + dw * (WW - 1) + 1 : dw]
                    s = np.sum(window * kernel[f])
                    if bug == "bias left out":
                        out[n, f, i, j] = s
                    elif bug == "b[n] for b[f]":
                        out[n, f, i, j] = s + b[n]
                    else:
                        out[n, f, i, j] = s + b[f]
    return out, (x, w, b, conv_param)


def conv_fwd_channels(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                for j in range(Wo):
                    cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    for c in range(C):
                        part = np.sum(xpad[n, c, rows, cols] * w[f, c])
                        if bug == "= for += in the channel loop":
                            out[n, f, i, j] = part
                        elif bug == "bias added inside the channel loop":
                            out[n, f, i, j] += part + b[f]
                        else:
                            out[n, f, i, j] += part
                    if bug != "bias added inside the channel loop":
                        out[n, f, i, j] += b[f]
    return out, (x, w, b, conv_param)


def conv_fwd_einsum(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    src = x if bug == "windows cut from x, not from the padded xpad" else xpad
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = src[:, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw * (WW - 1) + 1 : dw]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", window, w) + b
    return out, (x, w, b, conv_param)


def conv_fwd_swv(x, w, b, conv_param):
    """Right: sliding_window_view over the dilated span, then every stride-th window and tap."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    view = sliding_window_view(xpad, (dh * (HH - 1) + 1, dw * (WW - 1) + 1), axis=(2, 3))
    view = view[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, Ho, Wo, HH, WW)
    out = np.einsum("ncijpq,fcpq->nfij", view, w) + b[None, :, None, None]
    return out, (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd,
    [
        "dilation forgotten in the window slice",
        "stride[0] used for both axes",
        "height padding used for the width too",
        "np.pad(x, pad): every axis padded, N and C too",
        "bias left out",
        "b[n] for b[f]",
        "kernel flipped (a true convolution)",
        "H_out recomputed CS231n-style, without the dilation",
    ],
)
CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_channels,
    ["= for += in the channel loop", "bias added inside the channel loop"],
)
CORPUS += _rows("conv_forward_naive", conv_fwd_einsum, ["windows cut from x, not from the padded xpad"])
CORPUS.append(_right("conv_forward_naive", "sliding_window_view over the dilated span", conv_fwd_swv))

# ---------------------------------------------------------------------------------------------
# conv_backward_naive: the forward loops with += (lesson 2, section 3); a version vectorized
# over the batch; one that takes section 6's "dx is a full convolution" for the general case


def conv_bwd(dout, cache, bug=None):
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    if bug == "dilation forgotten in the backward windows":
        dh = dw_ = 1
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw = np.zeros_like(w)
    src = x if bug == "dw from the unpadded x" else xpad
    wx = w[:, :, ::-1, ::-1] if bug == "kernel flipped in dx (lesson 1's flip misapplied)" else w
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                for j in range(Wo):
                    cols = slice(j * sw, j * sw + dw_ * (WW - 1) + 1, dw_)
                    g = dout[n, f, i, j]
                    if bug == "= for += into dxpad":
                        dxpad[n, :, rows, cols] = g * w[f]
                    elif bug == "w[n] for w[f] in dx":
                        dxpad[n, :, rows, cols] += g * w[n]
                    else:
                        dxpad[n, :, rows, cols] += g * wx[f]
                    if bug == "= for += into dw":
                        dw[f] = g * xpad[n, :, rows, cols]
                    else:
                        dw[f] += g * src[n, :, rows, cols]
    if bug == "db summed over axes (1, 2, 3)":
        db = dout.sum(axis=(1, 2, 3))
    else:
        db = dout.sum(axis=(0, 2, 3))
    if bug == "padding cut with ph:-ph (empty when pad is 0)":
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    elif bug == "padding not cut: dxpad returned":
        dx = dxpad
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw, db


def conv_bwd_batch(dout, cache, bug=None):
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for f in range(F):
        for i in range(Ho):
            for j in range(Wo):
                rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                cols = slice(j * sw, j * sw + dw_ * (WW - 1) + 1, dw_)
                g = dout[:, f, i, j]  # (N,)
                if bug == "dout[:, f, i, j] not reshaped for broadcasting":
                    dxpad[:, :, rows, cols] += w[f] * g
                else:
                    dxpad[:, :, rows, cols] += w[f] * g[:, None, None, None]
                dw[f] += np.sum(xpad[:, :, rows, cols] * g[:, None, None, None], axis=0)
                db[f] += g.sum()
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, db


def conv_bwd_as_conv(dout, cache, bug=None):
    """dw and db by the loops; dx as lesson 2's section 6 says, a full convolution of dout with the
    flipped filters. bug=None: the general case done right (dout dilated by the stride, the
    filters by the dilation, then cut to the padding)."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = xpad[
                        n, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw_ * (WW - 1) + 1 : dw_
                    ]
                    dw[f] += dout[n, f, i, j] * window
    db = dout.sum(axis=(0, 2, 3))
    w_flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, F, HH, WW)
    if bug == "dx as the full convolution of section 6 (right for stride 1, no padding only)":
        dx, _ = conv_fwd(dout, w_flipped, np.zeros(C), {"pad": (HH - 1, WW - 1)})
        return dx, dw, db
    # the general case: dout spread out by the stride, the filter by the dilation
    Hp, Wp = H + 2 * ph, W + 2 * pw
    spread = np.zeros((N, F, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1))
    spread[:, :, ::sh, ::sw] = dout
    kh, kw = dh * (HH - 1) + 1, dw_ * (WW - 1) + 1
    wd = np.zeros((C, F, kh, kw))
    wd[:, :, ::dh, ::dw_] = w_flipped
    full, _ = conv_fwd(spread, wd, np.zeros(C), {"pad": (kh - 1, kw - 1)})  # rows 0 .. of xpad
    dxpad = np.zeros((N, C, Hp, Wp))
    dxpad[:, :, : full.shape[2], : full.shape[3]] = full[:, :, :Hp, :Wp]
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, db


def conv_bwd_taps(dout, cache):
    """Right: one einsum per filter tap (p, q); the tap's strided slab of dxpad gets += at once."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw = np.empty_like(w)
    for p in range(HH):
        rows = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
        for q in range(WW):
            cols = slice(q * dw_, q * dw_ + sw * (Wo - 1) + 1, sw)
            dxpad[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dout, w[:, :, p, q])
            dw[:, :, p, q] = np.einsum("nfij,ncij->fc", dout, xpad[:, :, rows, cols])
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, dout.sum(axis=(0, 2, 3))


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd,
    [
        "= for += into dxpad",
        "= for += into dw",
        "padding cut with ph:-ph (empty when pad is 0)",
        "padding not cut: dxpad returned",
        "dilation forgotten in the backward windows",
        "dw from the unpadded x",
        "w[n] for w[f] in dx",
        "kernel flipped in dx (lesson 1's flip misapplied)",
        "db summed over axes (1, 2, 3)",
    ],
)
CORPUS += _rows("conv_backward_naive", conv_bwd_batch, ["dout[:, f, i, j] not reshaped for broadcasting"])
CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_as_conv,
    ["dx as the full convolution of section 6 (right for stride 1, no padding only)"],
)
CORPUS.append(_right("conv_backward_naive", "one einsum per filter tap, strided slabs", conv_bwd_taps))

# ---------------------------------------------------------------------------------------------
# im2col: the window loop and the tap loop of lesson 3, a list of windows stacked at the end,
# sliding_window_view, and CS231n's index arrays


def _window_geometry(x, filter_height, filter_width, stride, pad, dilation):
    """The stub's given lines: validate, and the geometry as (h, w) pairs."""
    return shapes.check_window_inputs(x, filter_height, filter_width, stride, pad, dilation)


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = _window_geometry(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = x if bug == "padding forgotten: windows cut from x" else _pad(x, ph, pw)
    if bug == "dilation forgotten in the window":
        dh = dw = 1
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    for r in range(Ho):
        for s in range(Wo):
            window = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            if bug == "column s*Ho + r (positions column-major)":
                cols[:, :, s * Ho + r] = window.reshape(N, -1)
            else:
                cols[:, :, r * Wo + s] = window.reshape(N, -1)
    return cols


def im2col_taps(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = _window_geometry(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    if bug == "taps stacked before the channels: (N, HH, WW, C, H', W')":
        taps = np.empty((N, HH, WW, C, Ho, Wo))
    else:
        taps = np.empty((N, C, HH, WW, Ho, Wo))
    for p in range(HH):
        for q in range(WW):
            r0, c0 = p * dh, q * dw
            slab = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]
            if bug == "taps stacked before the channels: (N, HH, WW, C, H', W')":
                taps[:, p, q] = slab
            else:
                taps[:, :, p, q] = slab
    return taps.reshape(N, C * HH * WW, Ho * Wo)


def im2col_list(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = _window_geometry(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    windows = []
    for r in range(Ho):
        for s in range(Wo):
            window = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            windows.append(window.reshape(N, -1))
    stacked = np.array(windows)  # (H'*W', N, C*HH*WW)
    if bug == "np.array(windows).reshape(N, K, P) for the transpose":
        return stacked.reshape(N, C * HH * WW, Ho * Wo)
    return stacked.transpose(1, 2, 0)


def im2col_swv(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = _window_geometry(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    if bug == "window shape (HH, WW), not the dilated span":
        shape = (HH, WW)
    else:
        shape = (dh * (HH - 1) + 1, dw * (WW - 1) + 1)
    view = sliding_window_view(xpad, shape, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, H', W', HH, WW)
    if bug == "view reshaped without the transpose (positions before taps)":
        return view.reshape(N, C * HH * WW, Ho * Wo)
    return view.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * HH * WW, Ho * Wo)


def _indices(C, HH, WW, sh, sw, dh, dw, Ho, Wo):
    """CS231n's get_im2col_indices, with dilation: (channel, row, column) of every entry of cols."""
    i0 = np.tile(np.repeat(np.arange(HH) * dh, WW), C)  # (C*HH*WW,)
    j0 = np.tile(np.arange(WW) * dw, HH * C)
    i1 = sh * np.repeat(np.arange(Ho), Wo)  # (H'*W',)
    j1 = sw * np.tile(np.arange(Wo), Ho)
    k = np.repeat(np.arange(C), HH * WW)[:, None]
    return k, i0[:, None] + i1[None, :], j0[:, None] + j1[None, :]


def im2col_fancy(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: index arrays, one fancy-indexing read."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = _window_geometry(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    k, i, j = _indices(C, HH, WW, sh, sw, dh, dw, Ho, Wo)
    return _pad(x, ph, pw)[:, k, i, j]  # (N, C*HH*WW, H'*W')


CORPUS += _rows(
    "im2col",
    im2col_windows,
    [
        "column s*Ho + r (positions column-major)",
        "dilation forgotten in the window",
        "padding forgotten: windows cut from x",
    ],
)
CORPUS += _rows(
    "im2col",
    im2col_taps,
    [
        "taps stacked before the channels: (N, HH, WW, C, H', W')",
    ],
)
CORPUS += _rows("im2col", im2col_list, ["np.array(windows).reshape(N, K, P) for the transpose"])
CORPUS += _rows(
    "im2col",
    im2col_swv,
    ["window shape (HH, WW), not the dilated span", "view reshaped without the transpose (positions before taps)"],
)
CORPUS.append(_right("im2col", "CS231n index arrays, one fancy-indexing read", im2col_fancy))

# ---------------------------------------------------------------------------------------------
# col2im: the tap loop lesson 3 suggests, the window loop, and index arrays


def _fold_geometry(x_shape, filter_height, filter_width, stride, pad, dilation):
    """The stub's given lines."""
    N, C, H, W = x_shape
    return shapes.check_window_geometry((H, W), filter_height, filter_width, stride, pad, dilation)


def col2im_taps(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = _fold_geometry(
        x_shape, filter_height, filter_width, stride, pad, dilation
    )
    if bug == "cols split as (N, HH, WW, C, H', W')":
        split = cols.reshape(N, HH, WW, C, Ho, Wo).transpose(0, 3, 1, 2, 4, 5)
    else:
        split = cols.reshape(N, C, HH, WW, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(HH):
        for q in range(WW):
            r0, c0 = p * dh, q * dw
            rows, cs = slice(r0, r0 + sh * (Ho - 1) + 1, sh), slice(c0, c0 + sw * (Wo - 1) + 1, sw)
            if bug == "= for +=":
                xpad[:, :, rows, cs] = split[:, :, p, q]
            else:
                xpad[:, :, rows, cs] += split[:, :, p, q]
    if bug == "padding cut with ph:-ph (empty when pad is 0)":
        return xpad[:, :, ph:-ph, pw:-pw]
    if bug == "padding not cut":
        return xpad
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_windows(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = _fold_geometry(
        x_shape, filter_height, filter_width, stride, pad, dilation
    )
    if bug == "dilation forgotten in the window":
        dh = dw = 1
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for r in range(Ho):
        for s in range(Wo):
            col = s * Ho + r if bug == "column s*Ho + r (positions column-major)" else r * Wo + s
            rows = slice(r * sh, r * sh + dh * (HH - 1) + 1, dh)
            cs = slice(s * sw, s * sw + dw * (WW - 1) + 1, dw)
            xpad[:, :, rows, cs] += cols[:, :, col].reshape(N, C, HH, WW)
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_fancy(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """bug=None is right: CS231n's col2im_indices, np.add.at with the index arrays."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = _fold_geometry(
        x_shape, filter_height, filter_width, stride, pad, dilation
    )
    k, i, j = _indices(C, HH, WW, sh, sw, dh, dw, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    if bug == "xpad[:, k, i, j] += cols: a repeated index adds once":
        xpad[:, k, i, j] += cols
    else:
        np.add.at(xpad, (slice(None), k, i, j), cols)
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im_taps,
    [
        "= for +=",
        "padding cut with ph:-ph (empty when pad is 0)",
        "padding not cut",
        "cols split as (N, HH, WW, C, H', W')",
    ],
)
CORPUS += _rows(
    "col2im", col2im_windows, ["dilation forgotten in the window", "column s*Ho + r (positions column-major)"]
)
CORPUS += _rows("col2im", col2im_fancy, ["xpad[:, k, i, j] += cols: a repeated index adds once"])
CORPUS.append(_right("col2im", "CS231n index arrays with np.add.at", col2im_fancy))

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col and conv_backward_im2col, on the student's OWN im2col and col2im (the
# correct helpers above, as lesson 3 asks): the batched matmul of the lesson, and CS231n's
# 2-D column matrix (K, N*P) with its transposes


def conv_fwd_cols(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "dilation not passed to im2col":
        cols = im2col_windows(x, HH, WW, stride, pad)
    elif bug == "stride and pad swapped in the positional call":
        cols = im2col_windows(x, HH, WW, pad, stride, dilation)
    elif bug == "HH and WW swapped in the call":
        cols = im2col_windows(x, WW, HH, stride, pad, dilation)
    else:
        cols = im2col_windows(x, HH, WW, stride, pad, dilation)
    w_row = w.reshape(F, -1)
    out = w_row @ cols  # (N, F, H'*W')
    if bug == "bias added without a reshape: + b":
        out = out + b
    else:
        out = out + b.reshape(1, F, 1)
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


def conv_fwd_cols2d(x, w, b, conv_param, bug=None):
    """bug=None is right: CS231n's layout, every sample's columns side by side, (K, N*P)."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols = im2col_windows(x, HH, WW, stride, pad, dilation)  # (N, K, P)
    K = C * HH * WW
    if bug == "cols.reshape(K, N*P) for the transpose":
        cols2 = cols.reshape(K, N * Ho * Wo)
    else:
        cols2 = cols.transpose(1, 0, 2).reshape(K, N * Ho * Wo)
    out = w.reshape(F, -1) @ cols2 + b[:, None]  # (F, N*P)
    if bug == "(F, N*P) reshaped straight to (N, F, H', W')":
        out = out.reshape(N, F, Ho, Wo)
    else:
        out = out.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3)
    return out, (x, w, b, conv_param, cols)


def conv_bwd_cols(dout, cache, bug=None):
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout_rows = dout.reshape(N, F, Ho * Wo)
    if bug == "db summed over axes (1, 2)":
        db = dout_rows.sum(axis=(1, 2))
    else:
        db = dout_rows.sum(axis=(0, 2))
    if bug == "cols.T on a 3-D array for cols.transpose(0, 2, 1)":
        per_sample = dout_rows @ cols.T
    else:
        per_sample = dout_rows @ cols.transpose(0, 2, 1)  # (N, F, K)
    dw = per_sample.sum(axis=0).reshape(w.shape)
    w_row = w.reshape(F, -1)
    if bug == "dcols as (dout^T @ w_row) reshaped, not transposed":
        dcols = (dout_rows.transpose(0, 2, 1) @ w_row).reshape(N, C * HH * WW, Ho * Wo)
    else:
        dcols = w_row.T @ dout_rows  # (N, K, P)
    if bug == "dx = dcols.reshape(x.shape): col2im taken for a reshape":
        dx = dcols.reshape(x.shape)
    elif bug == "dilation not passed to col2im":
        dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad)
    else:
        dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


def conv_bwd_cols2d(dout, cache, bug=None):
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    K, P = C * HH * WW, Ho * Wo
    cols2 = cols.transpose(1, 0, 2).reshape(K, N * P)
    if bug == "dout.reshape(F, -1) without the transpose":
        dout2 = dout.reshape(F, -1)
    else:
        dout2 = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*P)
    dw = (dout2 @ cols2.T).reshape(w.shape)
    db = dout2.sum(axis=1)
    dcols = (w.reshape(F, -1).T @ dout2).reshape(K, N, P).transpose(1, 0, 2)
    dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


def conv_bwd_einsum(dout, cache):
    """Right: einsum for dw and dcols, and the index-array col2im with np.add.at."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout_rows = dout.reshape(N, F, -1)
    dw = np.einsum("nfp,nkp->fk", dout_rows, cols).reshape(w.shape)
    dcols = np.einsum("fk,nfp->nkp", w.reshape(F, -1), dout_rows)
    dx = col2im_fancy(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, np.einsum("nfp->f", dout_rows)


CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols,
    [
        "dilation not passed to im2col",
        "stride and pad swapped in the positional call",
        "HH and WW swapped in the call",
        "bias added without a reshape: + b",
    ],
)
CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols2d,
    ["cols.reshape(K, N*P) for the transpose", "(F, N*P) reshaped straight to (N, F, H', W')"],
)
CORPUS.append(_right("conv_forward_im2col", "CS231n's 2-D columns (K, N*P), own im2col", conv_fwd_cols2d))
CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols,
    [
        "cols.T on a 3-D array for cols.transpose(0, 2, 1)",
        "db summed over axes (1, 2)",
        "dcols as (dout^T @ w_row) reshaped, not transposed",
        "dx = dcols.reshape(x.shape): col2im taken for a reshape",
        "dilation not passed to col2im",
    ],
)
CORPUS += _rows("conv_backward_im2col", conv_bwd_cols2d, ["dout.reshape(F, -1) without the transpose"])
CORPUS.append(_right("conv_backward_im2col", "einsum, and an np.add.at col2im of its own", conv_bwd_einsum))

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss: the chain of cnnlab's layers (lesson 7), once with the im2col layers
# and softmax_loss, once with the naive layers and a softmax written by hand

POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}


def convnet(params, X, y=None, reg=0.0, bug=None):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    N = X.shape[0]
    K = W1.shape[2]
    pad = K // 2 if bug == "pad K // 2 for (K - 1) // 2" else (K - 1) // 2
    conv, conv_cache = L.conv_forward_im2col(X, W1, b1, {"stride": 1, "pad": pad})
    r1, r1_cache = L.relu_forward(conv)
    pooled, pool_cache = L.max_pool_forward_im2col(r1, POOL)
    if bug == "pooled maps flattened channels-last (Keras habit)":
        flat = pooled.transpose(0, 2, 3, 1).reshape(N, -1)
    else:
        flat = pooled.reshape(N, -1)
    hidden, a2_cache = L.affine_forward(flat, W2, b2)
    r2, r2_cache = L.relu_forward(hidden)
    scores, a3_cache = L.affine_forward(r2, W3, b3)
    if bug == "a ReLU after the last affine too":
        scores, r3_cache = L.relu_forward(scores)
    if bug == "`if not y:` for `if y is None:`":
        if not y:
            return scores
    elif y is None:
        return scores
    data_loss, dscores = L.softmax_loss(scores, y)
    if bug == "a ReLU after the last affine too":
        dscores = L.relu_backward(dscores, r3_cache)
    grads = {}
    dr2, grads["W3"], grads["b3"] = L.affine_backward(dscores, a3_cache)
    dhidden = L.relu_backward(dr2, r2_cache)
    dflat, grads["W2"], grads["b2"] = L.affine_backward(dhidden, a2_cache)
    if bug == "pooled maps flattened channels-last (Keras habit)":
        dpooled = dflat.reshape(pooled.transpose(0, 2, 3, 1).shape).transpose(0, 3, 1, 2)
    else:
        dpooled = dflat.reshape(pooled.shape)
    dr1 = L.max_pool_backward_im2col(dpooled, pool_cache)
    dconv = dr1 if bug == "the first ReLU's backward skipped" else L.relu_backward(dr1, r1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(dconv, conv_cache)
    names = ("W1", "W2", "W3", "b1", "b2", "b3") if bug == "biases regularized too" else ("W1", "W2", "W3")
    reg_loss = 0.0
    for name in names:
        weight = params[name]
        if bug == "0.5 left out of the loss's reg term":
            reg_loss += reg * np.sum(weight * weight)
        else:
            reg_loss += 0.5 * reg * np.sum(weight * weight)
        if bug == "reg gradient 2 * reg * W (the 0.5 forgotten in the derivative)":
            grads[name] += 2 * reg * weight
        elif bug == "W1's reg gradient forgotten" and name == "W1":
            pass
        else:
            grads[name] += reg * weight
    return data_loss + reg_loss, grads


def _softmax(scores, y, bug=None):
    """Softmax cross-entropy written by hand, with the max subtracted."""
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    losses = -np.log(probs[np.arange(N), y])
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    if bug == "dscores not divided by N (the loss is averaged)":
        return losses.mean(), dscores
    return losses.mean(), dscores / N


def convnet_naive(params, X, y=None, reg=0.0, bug=None):
    """bug=None is right: the naive layers of cnnlab.layers, a softmax of its own, reg in a loop."""
    K = params["W1"].shape[2]
    conv, conv_cache = L.conv_forward_naive(X, params["W1"], params["b1"], {"stride": 1, "pad": (K - 1) // 2})
    r1, r1_cache = L.relu_forward(conv)
    pooled, pool_cache = L.max_pool_forward_naive(r1, POOL)
    hidden, a2_cache = L.affine_forward(pooled, params["W2"], params["b2"])
    r2, r2_cache = L.relu_forward(hidden)
    scores, a3_cache = L.affine_forward(r2, params["W3"], params["b3"])
    if y is None:
        return scores
    loss, dscores = _softmax(scores, y, bug)
    grads = {}
    dr2, grads["W3"], grads["b3"] = L.affine_backward(dscores, a3_cache)
    dpooled, grads["W2"], grads["b2"] = L.affine_backward(L.relu_backward(dr2, r2_cache), a2_cache)
    dconv = L.relu_backward(L.max_pool_backward_naive(dpooled, pool_cache), r1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_naive(dconv, conv_cache)
    for name in ("W1", "W2", "W3"):
        loss += 0.5 * reg * np.sum(params[name] ** 2)
        grads[name] = grads[name] + reg * params[name]
    return float(loss), grads


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet,
    [
        "0.5 left out of the loss's reg term",
        "reg gradient 2 * reg * W (the 0.5 forgotten in the derivative)",
        "W1's reg gradient forgotten",
        "biases regularized too",
        "pad K // 2 for (K - 1) // 2",
        "a ReLU after the last affine too",
        "pooled maps flattened channels-last (Keras habit)",
        "`if not y:` for `if y is None:`",
        "the first ReLU's backward skipped",
    ],
)
CORPUS += _rows("three_layer_convnet_loss", convnet_naive, ["dscores not divided by N (the loss is averaged)"])
CORPUS.append(_right("three_layer_convnet_loss", "naive layers, a softmax of its own, reg in a loop", convnet_naive))
