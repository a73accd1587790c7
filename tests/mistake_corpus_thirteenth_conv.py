"""A thirteenth held-out corpus of student mistakes, convolution half, written blind to the checker.

(Docstring completed at the end of writing; see below for the row counts.)
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

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
    if bug == "dilated filter taken to span dilation * kernel":
        return (size + 2 * pad - dilation * kernel) // stride + 1
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def osize_steps(size, kernel, stride, pad, dilation, bug=None):
    padded = size + 2 * pad
    span = dilation * (kernel - 1) + 1
    if bug == "span computed as kernel + dilation - 1":
        span = kernel + dilation - 1
    last = padded - span  # the last start position with stride 1
    if bug == "true division then round()":
        return round(last / stride) + 1
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
        "dilated filter taken to span dilation * kernel",
    ],
)
CORPUS += _rows(
    "conv_output_size",
    osize_steps,
    [
        "span computed as kernel + dilation - 1",
        "true division then round()",
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
    elif bug == "height padding used for the width too":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (ph, ph)))
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
                    if bug == "row start multiplied by the width stride":
                        top = i * sw
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
        "height padding used for the width too",
        "row start multiplied by the width stride",
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
                    elif bug == "upstream gradient left out of dx":
                        dxpad[n, :, rows, cols] += w[f]
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
    elif bug == "padding cut from the bottom and right only, dxpad[:, :, :H, :W]":
        dx = dxpad[:, :, :H, :W]
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
        "upstream gradient left out of dx",
        "padding cut from the bottom and right only, dxpad[:, :, :H, :W]",
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
