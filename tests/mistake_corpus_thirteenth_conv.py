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
