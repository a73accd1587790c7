"""Student implementations for testing the exercise checks: correct alternatives and real mistakes.

``CORRECT``: implementations written differently from cnnlab's reference (explicit loops,
einsum, stride tricks, np.add.at, 2-D reshapes, step-by-step computational graphs). Every
one must PASS, with the same verdict text as the reference.

``BUGGY``: implementations with one mistake each, as students make them. Every one must
FAIL, and the verdict must contain the diagnosis given in the table.

Each row: ``(exercise, label, function, forward, expected)`` where ``forward`` is passed as
``forward=`` for backward exercises (None for the reference forward) and ``expected`` is
a substring of the verdict (None in CORRECT). Bugs are switched on with keyword flags of
one loop implementation per layer, so the code reads like the student's: the flag marks
the line that differs.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from cnnlab import layers as L
from cnnlab import shapes
from cnnlab.exercises.avgpool import AVG_POOL
from cnnlab.exercises.columns import COLUMNS
from cnnlab.exercises.conv import CONV
from cnnlab.exercises.pool import POOL
from cnnlab.model import ThreeLayerConvNet

# ---------------------------------------------------------------------------------------------
# conv_output_size


def size_by_counting(size, kernel, stride, pad, dilation):
    """Slide the window and count where it fits: 0 where it does not, not the formula's number."""
    span = dilation * (kernel - 1) + 1
    count, start = 0, 0
    while start + span <= size + 2 * pad:
        count += 1
        start += stride
    return count


def size_by_floor(size, kernel, stride, pad, dilation):
    return int(math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride)) + 1


def size_buggy(size, kernel, stride, pad, dilation, bug):
    if bug == "no pad":
        return (size - dilation * (kernel - 1) - 1) // stride + 1
    if bug == "pad once":
        return (size + pad - dilation * (kernel - 1) - 1) // stride + 1
    if bug == "no dilation":
        return (size + 2 * pad - kernel) // stride + 1
    if bug == "no plus one":
        return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride
    if bug == "ceil":
        return math.ceil((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1
    if bug == "true division":
        return (size + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1
    if bug == "no minus one":
        return (size + 2 * pad - dilation * (kernel - 1)) // stride + 1
    if bug == "plus one for minus one":
        return (size + 2 * pad - dilation * (kernel - 1) + 1) // stride + 1
    if bug == "positions // stride":  # the stride-1 positions, divided by the stride
        return (size + 2 * pad - dilation * (kernel - 1)) // stride
    if bug == "round":
        return round((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1
    if bug == "pad subtracted":
        return (size - 2 * pad - dilation * (kernel - 1) - 1) // stride + 1
    if bug == "pad times dilation":
        return (size + 2 * pad * dilation - dilation * (kernel - 1) - 1) // stride + 1
    if bug == "stride and dilation swapped":
        return (size + 2 * pad - stride * (kernel - 1) - 1) // dilation + 1
    if bug == "no parentheses":
        return size + 2 * pad - dilation * (kernel - 1) - 1 // stride + 1
    if bug == "ends in - 1":
        return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride - 1
    if bug == "span dilation*(kernel + 1)":
        return (size + 2 * pad - dilation * (kernel + 1) - 1) // stride + 1
    if bug == "span dilation + kernel - 1":
        return (size + 2 * pad - (dilation + kernel - 1) - 1) // stride + 1
    raise AssertionError(bug)


# ---------------------------------------------------------------------------------------------
# Convolution: one loop version with bug switches, and loop-free alternatives


def conv_forward_loops(x, w, b, conv_param, bug=None):
    """Explicit loops over n, f, i, j (the CS231n way), with stride/pad/dilation as pairs."""
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    if bug == "mutates x":
        x *= 1.0000001
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "edge pad":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), mode="edge")
    elif bug == "x copied into the corner":  # the zero array has the padded size, x is put at [:H, :W]
        xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
        xpad[:, :, :H, :W] = x
    elif bug == "unpadded, windows cut":  # no padding; windows that reach past the border are cut short
        xpad = x
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=1.0 if bug == "pads with ones" else 0.0)
    if bug == "no pad in size":
        Ho = (H - dh * (HH - 1) - 1) // sh + 1
        Wo = (W - dw * (WW - 1) - 1) // sw + 1
    if bug == "ignores dilation":
        dh = dw = 1
        Ho = (H + 2 * ph - HH) // sh + 1
        Wo = (W + 2 * pw - WW) // sw + 1
    if bug == "ignores dilation, right size":  # (Ho, Wo) from check_conv_inputs, windows undilated
        dh = dw = 1
    kernel = w[:, :, ::-1, ::-1] if bug == "flipped kernel" else w
    if bug == "flipped rows":
        kernel = w[:, :, ::-1, :]
    if bug == "pad w for h":
        xpad = np.pad(x, ((0, 0), (0, 0), (pw, pw), (pw, pw)))
    if bug == "pad times dilation":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph * dh, ph * dh), (pw * dw, pw * dw)))
    if bug == "pad times stride":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph * sh, ph * sh), (pw * sw, pw * sw)))
    if bug == "2*pad per side":
        xpad = np.pad(x, ((0, 0), (0, 0), (2 * ph, 2 * ph), (2 * pw, 2 * pw)))
    if bug == "pad before only":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, 0), (pw, 0)))
    if bug == "np.pad pair as (ph, pw)":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, pw), (ph, pw)))
    out = np.zeros((N, F, Ho, Wo), dtype=np.float32 if bug == "float32 output" else x.dtype)
    bias = {"no bias": np.zeros(F), "bias of filter 0": np.full(F, b[0])}.get(bug, b)
    for n in range(1 if bug == "first sample only" else N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r, c = (i, j) if bug == "no stride in windows" else (i * sh, j * sw)
                    if bug == "sh for columns":
                        c = j * sh
                    if bug == "i and j swapped":
                        r, c = j * sh, i * sw
                    if bug == "stride and dilation swapped":
                        r, c = i * dh, j * dw
                        window = xpad[n, :, r : r + sh * (HH - 1) + 1 : sh, c : c + sw * (WW - 1) + 1 : sw]
                    else:
                        window = xpad[n, :, r : r + dh * (HH - 1) + 1 : dh, c : c + dw * (WW - 1) + 1 : dw]
                    if bug == "channel 0 only":
                        out[n, f, i, j] = np.sum(window[0] * kernel[f, 0]) + bias[f]
                        continue
                    if bug == "mean":
                        out[n, f, i, j] = np.mean(window * kernel[f]) + bias[f]
                        continue
                    if bug == "all filters":
                        out[n, f, i, j] = np.sum(window * kernel) + bias[f]
                        continue
                    if bug == "filter 0":
                        out[n, f, i, j] = np.sum(window * kernel[0]) + bias[f]
                        continue
                    if bug == "bias of n":
                        out[n, f, i, j] = np.sum(window * kernel[f]) + bias[n]
                        continue
                    if bug == "bias per channel":
                        for ch in range(C):
                            out[n, f, i, j] += np.sum(window[ch] * kernel[f, ch]) + bias[f]
                        continue
                    if bug == "unpadded, windows cut":
                        part = kernel[f][:, : window.shape[1], : window.shape[2]]
                        out[n, f, i, j] = np.sum(window * part) + bias[f]
                        continue
                    out[n, f, i, j] = np.sum(window * kernel[f]) + bias[f]
    if bug == "relu":
        out = np.maximum(out, 0)
    if bug == "returns out only":
        return out
    if bug == "nan":  # 0 / 0
        out = (out - out) / (out - out)
    if bug == "index error":
        out[N, 0, 0, 0] = 1.0
    return out, (x, w, b, conv_param)


def conv_forward_cs231n_ints(x, w, b, conv_param):
    """The CS231n assignment's loops: stride and pad read as plain ints (no pairs, no dilation)."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = 1 + (H + 2 * pad - HH) // stride
    Wo = 1 + (W + 2 * pad - WW) // stride
    xpad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = xpad[:, :, i * stride : i * stride + HH, j * stride : j * stride + WW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, conv_param)


def _windows(xpad, HH, WW, stride, dilation, Ho, Wo):
    """(N, C, Ho, Wo, HH, WW) view of every window, built with as_strided."""
    N, C = xpad.shape[:2]
    sN, sC, sH, sW = xpad.strides
    (sh, sw), (dh, dw) = stride, dilation
    shape = (N, C, Ho, Wo, HH, WW)
    return as_strided(xpad, shape, (sN, sC, sH * sh, sW * sw, sH * dh, sW * dw), writeable=False)


def conv_forward_einsum(x, w, b, conv_param):
    """Stride tricks + einsum: no Python loop at all."""
    x, w, b, stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    view = _windows(xpad, w.shape[2], w.shape[3], stride, dilation, Ho, Wo)
    out = np.einsum("ncijpq,fcpq->nfij", view, w) + b[None, :, None, None]
    return out, (x, w, b, conv_param)


def conv_forward_by_taps(x, w, b, conv_param):
    """One strided slice per filter tap, accumulated with tensordot."""
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.broadcast_to(b[None, :, None, None], (x.shape[0], w.shape[0], Ho, Wo)).copy()
    for p in range(w.shape[2]):
        for q in range(w.shape[3]):
            tap = xpad[:, :, p * dh : p * dh + sh * (Ho - 1) + 1 : sh, q * dw : q * dw + sw * (Wo - 1) + 1 : sw]
            out += np.einsum("ncij,fc->nfij", tap, w[:, :, p, q])
    return out, {"input": x, "weights": w, "bias": b, "param": conv_param}  # a dict cache: only its backward reads it


def conv_backward_loops(dout, cache, bug=None):
    """Explicit loops, the adjoint of conv_forward_loops, with bug switches."""
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    kernel = w[:, :, ::-1, ::-1] if bug == "dx flipped kernel" else w
    if bug == "dx with w[0]":
        kernel = np.repeat(w[:1], F, axis=0)
    if bug == "dw from xpad padded by pad*dilation":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph * dh, ph * dh), (pw * dw, pw * dw)))
        dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    samples = range(1) if bug == "dw sample 0" else range(N)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r, c = (i, j) if bug == "ignores stride" else (i * sh, j * sw)
                    if bug == "stride swapped":
                        r, c = i * sw, j * sh
                    if bug == "ignores dilation":
                        dh = dw = 1
                    rows = slice(r, r + dh * (HH - 1) + 1, dh)
                    cols = slice(c, c + dw * (WW - 1) + 1, dw)
                    if bug == "dx overwrites":
                        dxpad[n, :, rows, cols] = kernel[f] * dout[n, f, i, j]
                    elif bug == "dx without dout":
                        dxpad[n, :, rows, cols] += kernel[f]
                    elif bug == "dx without [n]":
                        dxpad[:, :, rows, cols] += kernel[f] * dout[n, f, i, j]
                    else:
                        dxpad[n, :, rows, cols] += kernel[f] * dout[n, f, i, j]
                    if bug == "dw without dout":
                        dw_[f] += xpad[n, :, rows, cols]
                    elif bug == "dw assigned":
                        dw_[f] = xpad[n, :, rows, cols] * dout[n, f, i, j]
                    elif bug == "dw -=":
                        dw_[f] -= xpad[n, :, rows, cols] * dout[n, f, i, j]
                    elif bug == "dw without [f]":
                        dw_ += xpad[n, :, rows, cols] * dout[n, f, i, j]
                    elif n in samples:
                        dw_[f] += xpad[n, :, rows, cols] * dout[n, f, i, j]
    if bug == "db over n only":
        db = dout.sum(axis=0)
    elif bug == "db mean":
        db = dout.sum(axis=(0, 2, 3)) / N
    elif bug == "db zero":  # goes with a forward without bias
        db = np.zeros(F)
    elif bug == "db np.mean":
        db = np.mean(dout, axis=(0, 2, 3))
    elif bug == "db over (1, 2, 3)":
        db = dout.sum(axis=(1, 2, 3))
    elif bug == "db last sample":
        db = np.zeros(F)
        for n in range(N):
            db = dout[n].sum(axis=(1, 2))
    else:
        db = dout.sum(axis=(0, 2, 3))
    if bug == "crop pad:-pad":
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    elif bug == "crop corner":
        dx = dxpad[:, :, :H, :W]
    elif bug == "crop ends at H":
        dx = dxpad[:, :, ph:H, pw:W]
    elif bug == "crop (pw, ph)":
        dx = dxpad[:, :, pw : pw + H, ph : ph + W]
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    if bug == "dw averaged":
        dw_ /= N
    if bug == "mutates dout":
        dout *= 2
    if bug == "returns two":
        return dx, dw_
    if bug == "wrong order":
        return dw_, dx, db
    if bug == "mutates cache":
        x[...] = 0
    return dx, dw_, db


def conv_backward_einsum(dout, cache):
    """Stride tricks for dw, np.add.at through the window view's indices for dx."""
    x, w, b, conv_param = cache
    x, w, b, stride, (ph, pw), dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    view = _windows(xpad, HH, WW, stride, dilation, Ho, Wo)  # (N, C, Ho, Wo, HH, WW)
    dw = np.einsum("ncijpq,nfij->fcpq", view, dout)
    db = dout.sum(axis=(0, 2, 3))
    dview = np.einsum("nfij,fcpq->ncijpq", dout, w)
    rows = (np.arange(Ho) * stride[0])[:, None] + (np.arange(HH) * dilation[0])[None, :]  # (Ho, HH)
    cols = (np.arange(Wo) * stride[1])[:, None] + (np.arange(WW) * dilation[1])[None, :]  # (Wo, WW)
    dxpad = np.zeros_like(xpad)
    r = rows[:, None, :, None]
    c = cols[None, :, None, :]
    for n in range(N):
        for ch in range(C):
            np.add.at(
                dxpad[n, ch], (np.broadcast_to(r, (Ho, Wo, HH, WW)), np.broadcast_to(c, (Ho, Wo, HH, WW))), dview[n, ch]
            )
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, db


def conv_backward_by_taps(dout, cache):
    """The adjoint of conv_forward_by_taps, reading its dict cache."""
    x, w, b, conv_param = cache["input"], cache["weights"], cache["bias"], cache["param"]
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    for p in range(w.shape[2]):
        for q in range(w.shape[3]):
            rows = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
            cols = slice(q * dw, q * dw + sw * (Wo - 1) + 1, sw)
            dw_[:, :, p, q] = np.einsum("nfij,ncij->fc", dout, xpad[:, :, rows, cols])
            dxpad[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dout, w[:, :, p, q])
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw_, dout.sum(axis=(0, 2, 3))


def conv_forward_scalar_loops(x, w, b, conv_param, bug=None):
    """Seven loops down to one scalar product per tap: out[n, f, i, j] += xpad[n, c, r, s] * w[f, c, p, q]."""
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo - 1 if bug == "range(Wo - 1)" else Wo):
                    total = 0.0
                    for c in range(C):
                        for p in range(HH):
                            if bug == "bias inside the p loop":
                                total += b[f]
                            for q in range(WW):
                                r = p * dh if bug == "row without i*sh" else i * sh + p * dh
                                if bug == "tap row from q":
                                    r = i * sh + q * dh
                                s_ = j * sw + q * dw
                                wt = w[f, 0, p, q] if bug == "w[f, 0, p, q]" else w[f, c, p, q]
                                if bug == "w[f, c, p, p]":
                                    wt = w[f, c, p, p] if p < WW else 0.0
                                if bug == "all samples' pixel":
                                    total += np.sum(xpad[:, c, r, s_]) * wt
                                else:
                                    total += xpad[n, c, r, s_] * wt
                    out[n, f, i, j] = total if bug == "bias inside the p loop" else total + b[f]
    return out, (x, w, b, conv_param)


def conv_backward_channel_loops(dout, cache, bug=None):
    """Loops over n, f, i, j and the channels c, one window slice per channel."""
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(Ho - 1 if bug == "range(Ho - 1)" else Ho):
                for j in range(Wo):
                    g = dout[n, f, i, j]
                    if bug == "dout[n, 0, i, j]":
                        g = dout[n, 0, i, j]
                    if bug == "dout[n, f, i, 0]":
                        g = dout[n, f, i, 0]
                    rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    for c in range(C):
                        if bug == "factors swapped":
                            dxpad[n, c, rows, cols] += xpad[n, c, rows, cols] * g
                            dw_[f, c] += w[f, c] * g
                            continue
                        target = 0 if bug == "dxpad[0] +=" else n
                        dxpad[target, c, rows, cols] += w[f, c] * g
                        if bug == "whole-window dw inside the channel loop":
                            dw_[f] += xpad[n, :, rows, cols] * g
                            continue
                        k = 0 if bug == "dw[0] +=" else f
                        m = 0 if bug == "xpad[0] in dw" else n
                        dw_[k, c] += xpad[m, c, rows, cols] * g
                    if bug == "db += g":
                        db += g
                    else:
                        db[f] += g
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw_, db


def im2col_as_strided(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """as_strided on the padded input, windows first, then moved behind the taps."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C = x.shape[:2]
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    sN, sC, sH, sW = x.strides if bug == "x.strides" else xpad.strides
    view = as_strided(xpad, (N, C, Ho, Wo, HH, WW), (sN, sC, sH * sh, sW * sw, sH * dh, sW * dw), writeable=False)
    return view.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * HH * WW, Ho * Wo)


def col2im_fancy(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Index arrays of every (window, tap) pixel, windows first, and one update."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    blocks = cols.reshape(N, C, HH, WW, Ho, Wo).transpose(0, 1, 4, 5, 2, 3)  # (N, C, Ho, Wo, HH, WW)
    rows = (np.arange(Ho) * sh)[:, None, None, None] + (np.arange(HH) * dh)[None, None, :, None]
    columns = (np.arange(Wo) * sw)[None, :, None, None] + (np.arange(WW) * dw)[None, None, None, :]
    rows, columns = np.broadcast_arrays(rows, columns)  # (Ho, Wo, HH, WW)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    if bug == "fancy +=":
        xpad[:, :, rows, columns] += blocks
    else:
        np.add.at(xpad, (slice(None), slice(None), rows, columns), blocks)
    return xpad[:, :, ph : ph + H, pw : pw + W]


def conv_backward_fancy(dout, cache, bug=None):
    """dw by einsum over a window view, dx through index arrays of the taps."""
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    view = _windows(xpad, HH, WW, (sh, sw), (dh, dw), Ho, Wo)  # (N, C, Ho, Wo, HH, WW)
    dw_ = np.einsum("ncijpq,nfij->fcpq", view, dout)
    dview = np.einsum("nfij,fcpq->ncpqij", dout, w)  # (N, C, HH, WW, Ho, Wo)
    rows = (np.arange(HH) * dh)[:, None, None, None] + (np.arange(Ho) * sh)[None, None, :, None]
    cols = (np.arange(WW) * dw)[None, :, None, None] + (np.arange(Wo) * sw)[None, None, None, :]
    rows, cols = np.broadcast_arrays(rows, cols)
    dxpad = np.zeros_like(xpad)
    if bug == "fancy +=":
        dxpad[:, :, rows, cols] += dview
    else:
        np.add.at(dxpad, (slice(None), slice(None), rows, cols), dview)
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw_, dout.sum(axis=(0, 2, 3))


def conv_forward_no_bias(x, w, b, conv_param):
    return conv_forward_loops(x, w, b, conv_param, bug="no bias")


# ---------------------------------------------------------------------------------------------
# im2col, col2im, and the convolution through them


def im2col_loops(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """One column per output position, filled in a loop."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    if bug == "no pad":  # neither in the size nor in the input
        ph = pw = 0
        Ho = shapes.conv_output_size(H, HH, sh, 0, dh)
        Wo = shapes.conv_output_size(W, WW, sw, 0, dw)
    if bug == "ignores dilation":
        dh = dw = 1
    if bug == "ignores stride":
        sh = sw = 1
    if bug == "dilation swapped":
        dh, dw = dw, dh
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    if bug == "edge pad":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), mode="edge")
    if bug == "x copied into the corner":
        xpad = np.zeros_like(xpad)
        xpad[:, :, :H, :W] = x
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    grid = np.zeros((N, C, Ho, Wo, HH, WW))  # "windows in a grid": each window at [:, :, r, s], reshaped at the end
    for r in range(Ho):
        for s in range(Wo):
            window = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            if bug == "windows in a grid":
                grid[:, :, r, s] = window
                continue
            if bug == "tap-major rows":
                window = window.transpose(0, 2, 3, 1)
            if bug == "window transposed":
                window = window.transpose(0, 1, 3, 2)
            if bug == "window flipped":
                window = window[:, :, ::-1, ::-1]
            cols[:, :, r * Wo + s] = window.reshape(N, -1)
    if bug == "windows in a grid":
        return grid.reshape(N, C * HH * WW, Ho * Wo)
    if bug == "cs231n layout":
        return cols.transpose(1, 0, 2).reshape(C * HH * WW, N * Ho * Wo)
    if bug == "windows as rows":
        return cols.transpose(0, 2, 1)  # (N, Ho*Wo, C*HH*WW)
    return cols


def im2col_strided(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """sliding_window_view, then a strided pick of the windows."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C = x.shape[:2]
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    span = (dh * (HH - 1) + 1, dw * (WW - 1) + 1)
    view = sliding_window_view(xpad, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, Ho', Wo', HH, WW)
    view = view[:, :, :Ho, :Wo]
    return view.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * HH * WW, Ho * Wo)


def col2im_loops(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Add each column back into its window."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for r in range(Ho):
        for s in range(Wo):
            block = cols[:, :, r * Wo + s].reshape(N, C, HH, WW)
            if bug == "column s*H' + r":
                block = cols[:, :, s * Ho + r].reshape(N, C, HH, WW)
            if bug == "block flipped":
                block = block[:, :, ::-1, ::-1]
            if bug == "block read as (HH, WW, C)":
                block = cols[:, :, r * Wo + s].reshape(N, HH, WW, C).transpose(0, 3, 1, 2)
            rows = slice(r * sh, r * sh + dh * (HH - 1) + 1, dh)
            columns = slice(s * sw, s * sw + dw * (WW - 1) + 1, dw)
            if bug == "no dilation":
                rows, columns = slice(r * sh, r * sh + HH), slice(s * sw, s * sw + WW)
            if bug == "no stride":
                rows = slice(r, r + dh * (HH - 1) + 1, dh)
                columns = slice(s, s + dw * (WW - 1) + 1, dw)
            if bug == "stride h for w":
                columns = slice(s * sh, s * sh + dw * (WW - 1) + 1, dw)
            if bug == "overwrites":
                xpad[:, :, rows, columns] = block
            else:
                xpad[:, :, rows, columns] += block
    if bug == "averages overlaps":  # the mean of the windows that read a pixel, not their sum
        counts = np.zeros_like(xpad)
        for r in range(Ho):
            for s in range(Wo):
                counts[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw] += 1
        xpad = xpad / np.maximum(counts, 1)
    if bug == "keeps padding":
        return xpad
    if bug == "crop pad:-pad":
        return xpad[:, :, ph:-ph, pw:-pw]
    if bug == "crop corner":
        return xpad[:, :, :H, :W]
    if bug == "crop (pw, ph)":
        return xpad[:, :, pw : pw + H, ph : ph + W]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_add_at(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """np.add.at with the index of every (row, column) entry: no loop over positions."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    c, i, j = np.unravel_index(np.arange(C * HH * WW), (C, HH, WW))  # per row
    r, s = np.unravel_index(np.arange(Ho * Wo), (Ho, Wo))  # per column
    rows = (i * dh)[:, None] + (r * sh)[None, :]  # (C*HH*WW, Ho*Wo)
    columns = (j * dw)[:, None] + (s * sw)[None, :]
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for n in range(N):
        if bug == "fancy +=":
            xpad[n][np.broadcast_to(c[:, None], rows.shape), rows, columns] += cols[n]
        else:
            np.add.at(xpad[n], (np.broadcast_to(c[:, None], rows.shape), rows, columns), cols[n])
    return xpad[:, :, ph : ph + H, pw : pw + W]


def conv_forward_matmul(x, w, b, conv_param, im2col=im2col_strided, bug=None):
    """Own im2col, then one matrix product."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, C, HH, WW = w.shape
    cols = im2col(x, HH, WW, stride, pad, dilation)  # (N, C*HH*WW, Ho*Wo)
    w_row = w.reshape(F, -1)
    if bug == "w tap-major":
        w_row = w.transpose(0, 2, 3, 1).reshape(F, -1)
    if bug == "w.reshape(-1, F).T":
        w_row = w.reshape(-1, F).T
    if bug == "w read as (F, HH, WW, C)":
        w_row = w.reshape(F, HH, WW, C).transpose(0, 3, 1, 2).reshape(F, -1)
    if bug == "2-D product":  # cols laid flat without moving the sample axis
        out = (w_row @ cols.reshape(C * HH * WW, N * Ho * Wo)).reshape(N, F, Ho * Wo) + b[None, :, None]
        return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)
    out = np.einsum("fk,nkl->nfl", w_row, cols)
    if bug != "no bias":
        out = out + b[None, :, None]
    if bug == "cols.T @ w_row.T":  # (N, H'*W', F), reshaped as it is
        out = np.transpose(cols, (0, 2, 1)) @ w_row.T + b
    if bug == "reshape W', H'":
        return out.reshape(N, F, Wo, Ho), (x, w, b, conv_param, cols)
    if bug == "out read as (N, H', W', F)":
        return out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2), (x, w, b, conv_param, cols)
    if bug == "reshape W', H', transposed":
        return out.reshape(N, F, Wo, Ho).transpose(0, 1, 3, 2), (x, w, b, conv_param, cols)
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


def conv_backward_matmul(dout, cache, bug=None):
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, C, HH, WW = w.shape
    dout_rows = dout.reshape(N, F, Ho * Wo)
    if bug == "dout read as (N, H'W', F)":
        dout_rows = dout.reshape(N, Ho * Wo, F).transpose(0, 2, 1)
    if bug == "dw sample 0":
        dw = dout_rows[0] @ cols[0].T
    elif bug == "dw mean over n":
        dw = (dout_rows @ cols.transpose(0, 2, 1)).mean(axis=0)
    elif bug == "dw product of sums":
        dw = dout_rows.sum(axis=0) @ cols.sum(axis=0).T
    else:
        dw = sum(dout_rows[n] @ cols[n].T for n in range(N))
    dcols = np.einsum("fk,nfl->nkl", w.reshape(F, -1), dout_rows)
    if bug == "dcols (N, H'W', R) reshaped":
        dcols = (dout_rows.transpose(0, 2, 1) @ w.reshape(F, -1)).reshape(N, C * HH * WW, Ho * Wo)
    if bug == "col2im of cols":
        dx = col2im_add_at(cols, x.shape, HH, WW, stride, pad, dilation)
    elif bug == "col2im overwrites":
        dx = col2im_loops(dcols, x.shape, HH, WW, stride, pad, dilation, bug="overwrites")
    else:
        dx = col2im_add_at(dcols, x.shape, HH, WW, stride, pad, dilation)
    db = dout_rows.sum(axis=(0, 2))
    if bug == "dx = -col2im":
        dx = -dx
    if bug == "dw read as (F, HH, WW, C)":
        return dx, dw.reshape(F, HH, WW, C).transpose(0, 3, 1, 2), db
    return dx, dw.reshape(w.shape), db


# ---------------------------------------------------------------------------------------------
# Max pooling


def pool_forward_loops(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    if bug == "swapped window":
        PH, PW = PW, PH
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = (i * PH, j * PW) if bug == "step by pool size" else (i * sh, j * sw)
                    if bug == "sh for columns":
                        s = j * sh
                    window = x[n, c, r : r + PH, s : s + PW]
                    out[n, c, i, j] = (
                        window.mean() if bug == "average" else window.min() if bug == "min" else window.max()
                    )
    return out, (x, pool_param)


def pool_forward_strided(x, pool_param):
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :Ho, :Wo]  # (N, C, Ho, Wo, PH, PW)
    return view.max(axis=(4, 5)), (x, pool_param)


def pool_backward_loops(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            rows, cols = range(Ho), range(Wo)
            if bug == "overwrites, loops reversed":
                rows, cols = reversed(rows), list(reversed(cols))
            for i in rows:
                for j in cols:
                    r, t = (i * PH, j * PW) if bug == "step by pool size" else (i * sh, j * sw)
                    window = x[n, c, r : r + PH, t : t + PW]
                    target = dx[n, c, r : r + PH, t : t + PW]  # a view into dx
                    if bug == "all maxima":
                        target += (window == window.max()) * dout[n, c, i, j]
                        continue
                    if bug == "spread evenly":
                        target += dout[n, c, i, j] / window.size
                        continue
                    if bug == "last maximum":
                        flat = window.size - 1 - np.argmax(window.ravel()[::-1])
                    else:
                        flat = np.argmax(window)
                    p, q = np.unravel_index(flat, window.shape)
                    if bug == "stride forgotten":
                        dx[n, c, i + p, j + q] += dout[n, c, i, j]
                        continue
                    if bug in ("overwrites", "overwrites, loops reversed"):
                        target[p, q] = dout[n, c, i, j]
                    else:
                        target[p, q] += dout[n, c, i, j]
    return dx


def pool_forward_student(x, pool_param, bug=None):
    """Max pooling as a student writes it, with one of the slips lesson 4's exercise invites."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            r, s = i * sh, j * sw
            h, w = PH, PW
            if bug == "window one short":
                h, w = PH - 1, PW - 1
            elif bug == "rows one short":
                h = PH - 1
            elif bug == "inclusive end":
                h, w = PH + 1, PW + 1
            elif bug == "rows not strided":
                r = i
            elif bug == "columns not strided":
                s = j
            elif bug == "stride pair swapped":
                r, s = i * sw, j * sh
            elif bug == "pool_height for both":
                w = PH
            elif bug == "pool_width for both":
                h = PW
            elif bug == "i for j":
                s = i * sw
            elif bug == "i and j swapped":
                r, s = j * sh, i * sw
            if bug == "max over all":  # vectorised over n and c, but without axis
                out[:, :, i, j] = x[:, :, r : r + h, s : s + w].max()
                continue
            for n in range(N):
                for c in range(C):
                    window = x[n, c, r : r + h, s : s + w]
                    if bug == "max over samples":
                        window = x[:, c, r : r + h, s : s + w]
                    if bug == "sum":
                        out[n, c, i, j] = window.sum()
                    elif bug == "argmax":
                        out[n, c, i, j] = np.argmax(window)
                    elif bug == "running max from 0":
                        best = 0
                        for value in window.ravel():
                            if value > best:
                                best = value
                        out[n, c, i, j] = best
                    elif bug == "abs":
                        out[n, c, i, j] = window.flat[np.argmax(np.abs(window))]
                    else:
                        out[n, c, i, j] = np.max(window)
    if bug == "relu":
        out = np.maximum(out, 0)
    return out, (x, pool_param)


def pool_backward_student(dout, cache, bug=None):
    """Max pooling's backward pass as a student writes it, with one slip; positions off x are skipped."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    if bug == "argmax of the whole map":
        for n in range(N):
            for c in range(C):
                p, q = np.unravel_index(np.argmax(x[n, c]), (H, W))
                for i in range(Ho):
                    for j in range(Wo):
                        dx[n, c, p, q] += dout[n, c, i, j]
        return dx
    for i in range(Ho):
        for j in range(Wo):
            r, s, h, w = i * sh, j * sw, PH, PW
            if bug == "window one short":
                h, w = PH - 1, PW - 1
            elif bug in ("windows not strided", "read unstrided, placed strided"):
                r, s = i, j
            elif bug == "pool_height for both":
                w = PH
            elif bug == "i for j":
                s = i * sw
            if bug == "mask over all samples":  # vectorised over n and c, the max without axis
                window = x[:, :, r : r + h, s : s + w]
                dx[:, :, r : r + h, s : s + w] += (window == window.max()) * dout[:, :, i, j, None, None]
                continue
            for n in range(N):
                for c in range(C):
                    window = x[n, c, r : r + h, s : s + w]
                    if bug == "assigns the window":
                        mask = window == window.max()
                        dx[n, c, r : r + h, s : s + w] = mask * dout[n, c, i, j]
                        continue
                    k = np.argmin(window) if bug == "argmin" else np.argmax(window)
                    p, q = np.unravel_index(k, window.shape)
                    if bug == "unravel with (H, W)":
                        p, q = np.unravel_index(k, (H, W))
                    row, col = r + p, s + q
                    if bug == "read unstrided, placed strided":
                        row, col = i * sh + p, j * sw + q
                    elif bug == "placed with the stride pair swapped":
                        row, col = i * sw + p, j * sh + q
                    if bug == "no offset":
                        row, col = p, q
                    elif bug == "rows not strided":
                        row = i + p
                    elif bug == "columns not strided":
                        col = j + q
                    grad = dout[n, c, i, j]
                    if bug == "times x":
                        grad = dout[n, c, i, j] * x[n, c, row, col]
                    elif bug == "ones":
                        grad = 1.0
                    elif bug == "minus":
                        grad = -dout[n, c, i, j]
                    if row < H and col < W:
                        dx[n, c, row, col] += grad
    return dx


def pool_backward_mask(dout, cache):
    """Vectorized: one-hot of the first argmax of every window, scattered back tap by tap."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    view = sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :Ho, :Wo]
    first = view.reshape(*view.shape[:4], -1).argmax(axis=-1)  # (N, C, Ho, Wo)
    dx = np.zeros_like(x)
    for p in range(PH):
        for q in range(PW):
            chosen = np.where(first == p * PW + q, dout, 0.0)
            dx[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += chosen
    return dx


# ---------------------------------------------------------------------------------------------
# Average pooling


def _avg_param(pool_param, bug=None):
    """(PH, PW), (sh, sw), (ph, pw), count_include_pad, read from pool_param as a student would."""
    pad = pool_param["pad"] if bug == "pad required" else pool_param.get("pad", 0)
    return (
        (pool_param["pool_height"], pool_param["pool_width"]),
        shapes.check_pair("stride", pool_param["stride"], 1),
        shapes.check_pair("pad", pad, 0),
        pool_param.get("count_include_pad", True),
    )


def _avg_count(inside, rows, cols, include, bug):
    """What a window's sum is divided by: PH*PW with the padding counted, else its pixels inside x."""
    area = (rows.stop - rows.start) * (cols.stop - cols.start)
    if bug == "no division":
        return 1
    if bug == "window area" or (include and bug != "real count"):
        return area
    return inside[rows, cols].sum()


def avg_pool_forward_loops(x, pool_param, bug=None):
    """Loops over n, c, i, j on the zero-padded x; the count from a padded array of ones."""
    (PH, PW), (sh, sw), (ph, pw), include = _avg_param(pool_param, bug)
    N, C, H, W = x.shape
    if bug == "no pad":  # the right output size, but the windows read x itself
        xpad, inside = x, np.ones((H, W))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        inside = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    plus = 0 if bug == "no plus one" else 1
    Ho, Wo = (H + 2 * ph - PH) // sh + plus, (W + 2 * pw - PW) // sw + plus
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = (i, j) if bug == "stride forgotten" else (i * sh, j * sw)
                    rows, cols = slice(r, r + PH), slice(s, s + PW)
                    window = xpad[n, c, rows, cols]
                    if bug == "max":
                        out[n, c, i, j] = window.max()
                    else:
                        out[n, c, i, j] = window.sum() / _avg_count(inside, rows, cols, include, bug)
    return out, (x, pool_param)


def avg_pool_forward_strided(x, pool_param):
    """sliding_window_view over the padded x, the counts from the same view of padded ones."""
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ones = np.pad(np.ones(x.shape[2:]), ((ph, ph), (pw, pw)))
    view = sliding_window_view(xpad, (PH, PW), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :Ho, :Wo]  # (N, C, Ho, Wo, PH, PW)
    counts = sliding_window_view(ones, (PH, PW))[::sh, ::sw][:Ho, :Wo].sum(axis=(2, 3))  # (Ho, Wo)
    return view.sum(axis=(4, 5)) / (PH * PW if include else counts), (x, pool_param)


def avg_pool_backward_loops(dout, cache, bug=None):
    x, pool_param = cache
    (PH, PW), (sh, sw), (ph, pw), include = _avg_param(pool_param, bug)
    N, C, H, W = x.shape
    inside = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    Ho, Wo = dout.shape[2:]
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = (i, j) if bug == "stride forgotten" else (i * sh, j * sw)
                    rows, cols = slice(r, r + PH), slice(s, s + PW)
                    share = dout[n, c, i, j] / _avg_count(inside, rows, cols, include, bug)
                    if bug == "top-left":
                        dxpad[n, c, r, s] += share
                    elif bug == "overwrites":
                        dxpad[n, c, rows, cols] = share
                    else:
                        dxpad[n, c, rows, cols] += share
    if bug == "padding kept":
        return dxpad
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_pool_forward_student(x, pool_param, bug=None):
    """Average pooling as a student writes it, with one of the slips lesson 4's exercise invites."""
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    pads = ((ph, ph), (pw, pw))
    if bug == "pad h for w":
        pads = ((ph, ph), (ph, ph))
    if bug == "np.pad(x, pad)":
        xpad = np.pad(x, pool_param.get("pad", 0))
    elif bug == "edge padding":
        xpad = np.pad(x, ((0, 0), (0, 0), *pads), mode="edge")
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), *pads))
    ones = np.ones((H, W)) if bug == "count from unpadded ones" else np.pad(np.ones((H, W)), pads)
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            r, s, h, w = i * sh, j * sw, PH, PW
            if bug == "window one short":
                h, w = PH - 1, PW - 1
            elif bug == "columns not strided":
                s = j
            elif bug == "pool_height for both":
                w = PH
            elif bug == "i for j":
                s = i * sw
            elif bug == "inclusive end, np.mean":
                h, w = PH + 1, PW + 1
            rows, cols = slice(r, r + h), slice(s, s + w)
            count = PH * PW if include else ones[rows, cols].sum()
            r0, c0 = r - ph, s - pw  # the window's start on x
            if bug == "real rows times PW" and not include:
                count = (min(r0 + PH, H) - max(r0, 0)) * PW
            if bug == "start not clipped in the count" and not include:
                count = (min(r0 + PH, H) - r0) * (min(c0 + PW, W) - c0)
            if bug == "mean over all":  # vectorised over n and c, the sum without axis
                out[:, :, i, j] = xpad[:, :, rows, cols].sum() / count
                continue
            for n in range(N):
                for c in range(C):
                    window = xpad[n, c, rows, cols]
                    if bug == "inclusive end, np.mean":
                        out[n, c, i, j] = window.mean()
                    elif bug == "// for /":
                        out[n, c, i, j] = window.sum() // count
                    else:
                        out[n, c, i, j] = window.sum() / count
    return out, (x, pool_param)


def avg_pool_backward_student(dout, cache, bug=None):
    """Average pooling's backward pass as a student writes it, with one slip."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    pads = ((ph, ph), (pw, pw))
    ones = np.ones((H, W)) if bug == "count from unpadded ones" else np.pad(np.ones((H, W)), pads)
    xpad = np.pad(x, ((0, 0), (0, 0), *pads))
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for i in range(Ho):
        for j in range(Wo):
            r, s, h, w = i * sh, j * sw, PH, PW
            if bug == "window one short":
                h, w = PH - 1, PW - 1
            elif bug == "rows not strided":
                r = i
            elif bug == "pool_width for both":
                h = PW
            elif bug == "i and j swapped":
                r, s = j * sh, i * sw
            rows, cols = slice(r, r + h), slice(s, s + w)
            count = PH * PW if include else ones[rows, cols].sum()
            for n in range(N):
                for c in range(C):
                    share = dout[n, c, i, j] / count
                    if bug == "divided twice":
                        share = share / count
                    if bug == "to the maximum":  # copied from max pooling
                        window = xpad[n, c, rows, cols]
                        p, q = np.unravel_index(np.argmax(window), window.shape)
                        dxpad[n, c, r + p, s + q] += dout[n, c, i, j]
                    else:
                        dxpad[n, c, rows, cols] += share
    if bug == "cut at the start only":
        return dxpad[:, :, ph:, pw:]
    if bug == "cut pad:-pad":
        return dxpad[:, :, ph:-ph, pw:-pw]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_pool_backward_taps(dout, cache):
    """Vectorized: every window's share, added back one tap (p, q) of all windows at a time."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    ones = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    counts = sliding_window_view(ones, (PH, PW))[::sh, ::sw][:Ho, :Wo].sum(axis=(2, 3))  # (Ho, Wo)
    share = dout / (PH * PW if include else counts)  # (N, C, Ho, Wo)
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(PH):
        for q in range(PW):
            dxpad[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += share
    return dxpad[:, :, ph : ph + H, pw : pw + W]


# ---------------------------------------------------------------------------------------------
# Spatial batch norm


def batchnorm_forward_axes(x, gamma, beta, bn_param, bug=None):
    """Statistics over axes (0, 2, 3), written out; the running statistics updated in place."""
    mode = bn_param["mode"]
    eps = 1e-5 if bug == "hard-coded eps and momentum" else bn_param.get("eps", 1e-5)
    momentum = 0.9 if bug == "hard-coded eps and momentum" else bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    g = np.reshape(gamma, (1, C, 1, 1))
    bt = np.reshape(beta, (1, C, 1, 1))
    running_mean = bn_param.setdefault("running_mean", np.zeros(C))
    running_var = bn_param.setdefault("running_var", np.zeros(C) if bug == "cs231n running_var" else np.ones(C))
    if mode == "train" or bug == "test uses batch":
        mean = x.mean(axis=(0, 2, 3), keepdims=True)
        var = x.var(axis=(0, 2, 3), keepdims=True, ddof=1 if bug == "unbiased var" else 0)
        if bug == "std for var":
            var = x.std(axis=(0, 2, 3), keepdims=True)
        if bug == "mean of squares":
            var = (x**2).mean(axis=(0, 2, 3), keepdims=True)
        if bug == "train uses running":
            mean, var = running_mean.reshape(1, C, 1, 1).copy(), running_var.reshape(1, C, 1, 1).copy()
        if mode == "train" and bug == "running from xhat":
            xh = (x - mean) / np.sqrt(var + eps)
            bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * xh.mean(axis=(0, 2, 3))
            bn_param["running_var"] = momentum * running_var + (1 - momentum) * xh.var(axis=(0, 2, 3))
        elif mode == "train" and bug == "running swapped":
            bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * var.reshape(C)
            bn_param["running_var"] = momentum * running_var + (1 - momentum) * mean.reshape(C)
        elif mode == "train" and bug == "old not scaled":
            bn_param["running_mean"] = running_mean + (1 - momentum) * mean.reshape(C)
            bn_param["running_var"] = running_var + (1 - momentum) * var.reshape(C)
        elif mode == "train" and bug != "no running update":
            if bug == "momentum flipped":
                running_mean[:] = (1 - momentum) * running_mean + momentum * mean.reshape(C)
                running_var[:] = (1 - momentum) * running_var + momentum * var.reshape(C)
            elif bug == "running stats 4-D":
                bn_param["running_mean"] = momentum * running_mean.reshape(1, C, 1, 1) + (1 - momentum) * mean
                bn_param["running_var"] = momentum * running_var.reshape(1, C, 1, 1) + (1 - momentum) * var
            else:
                running_mean *= momentum
                running_mean += (1 - momentum) * mean.reshape(C)
                running_var *= momentum
                running_var += (1 - momentum) * var.reshape(C)
            if bug == "normalizes with the updated running mean":
                mean = bn_param["running_mean"].reshape(1, C, 1, 1)
    else:
        mean = running_mean.reshape(1, C, 1, 1)
        var = running_var.reshape(1, C, 1, 1)
    if bug == "instance axes":  # normalizes per sample and channel (the running stats are right)
        mean, var = x.mean(axis=(2, 3), keepdims=True), x.var(axis=(2, 3), keepdims=True)
    if bug == "test mode without eps" and mode == "test":
        xhat = (x - mean) / np.sqrt(var)
    elif bug == "eps outside sqrt":
        xhat = (x - mean) / (np.sqrt(var) + eps)
    elif bug == "test mode divides by the variance" and mode == "test":
        xhat = (x - mean) / (var + eps)
    elif bug == "not centered":
        xhat = x / np.sqrt(var + eps)
    else:
        xhat = (x - mean) / np.sqrt(var + eps)
    if bug == "beta subtracted":
        return g * xhat - bt, (x, xhat, mean, var, eps, gamma, beta, mode)
    if bug == "no beta":
        return g * xhat, (x, xhat, mean, var, eps, gamma, beta, mode)
    return g * xhat + bt, (x, xhat, mean, var, eps, gamma, beta, mode)


def batchnorm_forward_moments(x, gamma, beta, bn_param):
    """Variance as E[x^2] - E[x]^2; new running arrays stored back (no in-place update)."""
    N, C, H, W = x.shape
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    if bn_param["mode"] == "train":
        mean = x.mean(axis=(0, 2, 3))
        var = (x**2).mean(axis=(0, 2, 3)) - mean**2
        old_mean = bn_param.get("running_mean", np.zeros(C))
        old_var = bn_param.get("running_var", np.ones(C))
        bn_param["running_mean"] = momentum * old_mean + (1 - momentum) * mean
        bn_param["running_var"] = momentum * old_var + (1 - momentum) * var
    else:
        mean, var = bn_param["running_mean"], bn_param["running_var"]
    xhat = (x - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + eps)
    out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    return out, (x, xhat, mean[None, :, None, None], var[None, :, None, None], eps, gamma, beta, bn_param["mode"])


def _batchnorm_2d(x2, gamma, beta, bn_param):
    """Vanilla (N, D) batch norm, as in CS231n's first assignment."""
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    D = x2.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.ones(D))
    if bn_param["mode"] == "train":
        mu = x2.mean(axis=0)
        var = x2.var(axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        mu, var = running_mean, running_var
    std = np.sqrt(var + eps)
    xhat = (x2 - mu) / std
    return gamma * xhat + beta, (xhat, gamma, std)


def batchnorm_forward_2d(x, gamma, beta, bn_param, bug=None):
    """The CS231n way: channels last, flatten to (N*H*W, C), vanilla batch norm, back."""
    N, C, H, W = x.shape
    if bug in ("reshape without transpose", "reshape without transpose, 4-D gamma"):
        x2 = x.reshape(-1, C)
    else:
        x2 = x.transpose(0, 2, 3, 1).reshape(-1, C)
    if bug == "reshape without transpose, 4-D gamma":  # normalize in 2-D, then scale and shift in 4-D
        out2, cache = _batchnorm_2d(x2, np.ones(C), np.zeros(C), bn_param)
        out = np.reshape(gamma, (1, C, 1, 1)) * out2.reshape(N, C, H, W) + np.reshape(beta, (1, C, 1, 1))
        return out, (cache, np.shape(gamma))
    if bug == "cs231n gamma (C,)":  # CS231n's batchnorm_forward, given gamma as it comes
        out2, cache = _batchnorm_2d(x2, gamma, beta, bn_param)
        return out2.reshape(N, H, W, C).transpose(0, 3, 1, 2), (cache, np.shape(gamma))
    out2, cache = _batchnorm_2d(x2, np.ravel(gamma), np.ravel(beta), bn_param)
    if bug == "reshape without transpose":
        return out2.reshape(N, C, H, W), (cache, np.shape(gamma))
    return out2.reshape(N, H, W, C).transpose(0, 3, 1, 2), (cache, np.shape(gamma))


def batchnorm_backward_2d(dout, cache):
    """Vanilla batch norm backward on the channels-last flattening."""
    (xhat, gamma, std), gamma_shape = cache
    N, C, H, W = dout.shape
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, C)
    M = d2.shape[0]
    dgamma = (d2 * xhat).sum(axis=0)
    dbeta = d2.sum(axis=0)
    dxhat = d2 * gamma
    dx2 = (M * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (M * std)
    dx = dx2.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return dx, dgamma.reshape(gamma_shape), dbeta.reshape(gamma_shape)


def batchnorm_backward_graph(dout, cache, bug=None):
    """Backprop step by step through the graph: xmu, var, std, inverse, xhat, out."""
    x, xhat, mean, var, eps, gamma, beta, mode = cache
    N, C, H, W = x.shape
    M = N * H * W
    g = np.reshape(gamma, (1, C, 1, 1))
    if bug == "dgamma from x":
        dgamma = (dout * x).sum(axis=(0, 2, 3))
    else:
        dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dbeta = dout.sum(axis=(0, 2, 3))
    if bug == "dgamma (C,) always":
        dgamma_shape = dbeta_shape = (C,)
    else:
        dgamma_shape, dbeta_shape = np.shape(gamma), np.shape(beta)
    dxhat = dout * g
    xmu = x - mean
    inv_std = 1 / np.sqrt(var + eps)
    if bug == "statistics as constants":
        return dxhat * inv_std, dgamma.reshape(dgamma_shape), dbeta.reshape(dbeta_shape)
    dinv_std = (dxhat * xmu).sum(axis=(0, 2, 3), keepdims=True)
    dxmu = dxhat * inv_std
    dstd = -dinv_std / (var + eps)
    dvar = 0.5 * dstd / np.sqrt(var + eps)
    dsq = np.ones_like(x) * dvar / M
    if bug == "no variance path":
        dsq = 0 * dsq
    dxmu = dxmu + 2 * xmu * dsq
    dmean = -dxmu.sum(axis=(0, 2, 3), keepdims=True)
    dx = dxmu + dmean / M
    return dx, dgamma.reshape(dgamma_shape), dbeta.reshape(dbeta_shape)


def batchnorm_backward_compact(dout, cache, bug=None):
    """The compact formula, from the same cache as batchnorm_backward_graph."""
    x, xhat, mean, var, eps, gamma, beta, mode = cache
    C = x.shape[1]
    axes = (2, 3) if bug == "instance axes" else (0, 2, 3)
    dxhat = dout * np.reshape(gamma, (1, C, 1, 1))
    if bug == "divides by N":  # CS231n's batchnorm_backward_alt, N from x.shape[0]
        N = x.shape[0]
        total, total_xhat = dxhat.sum(axis=axes, keepdims=True), (dxhat * xhat).sum(axis=axes, keepdims=True)
        dx = (dxhat - total / N - xhat * total_xhat / N) / np.sqrt(var + eps)
    else:
        m1, m2 = dxhat.mean(axis=axes, keepdims=True), (dxhat * xhat).mean(axis=axes, keepdims=True)
        if bug == "sums for means":
            m1, m2 = dxhat.sum(axis=axes, keepdims=True), (dxhat * xhat).sum(axis=axes, keepdims=True)
        if bug == "dbeta in the xhat term":
            m2 = m1
        if bug == "dbeta and dgamma swapped":
            m1, m2 = m2, m1
        std = np.sqrt(var + eps)
        if bug == "std without eps":
            std = np.sqrt(var)
        dx = {
            "var term added": (dxhat - m1 + xhat * m2) / std,
            "mean term added": (dxhat + m1 - xhat * m2) / std,
            "times std": (dxhat - m1 - xhat * m2) * std,
            "not divided by std": dxhat - m1 - xhat * m2,
            "divides by var": (dxhat - m1 - xhat * m2) / (var + eps),
            "var term without xhat": (dxhat - m1 - m2) / std,
        }.get(bug, (dxhat - m1 - xhat * m2) / std)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    dbeta = dout.sum(axis=(0, 2, 3)).reshape(np.shape(beta))
    if bug == "dbeta mean":
        dbeta = dout.mean(axis=(0, 2, 3)).reshape(np.shape(beta))
    if bug == "dbeta from xhat":
        dbeta = xhat.sum(axis=(0, 2, 3)).reshape(np.shape(beta))
    if bug == "dgamma from dxhat":
        dgamma = (dxhat * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    if bug == "dgamma = sum of dout":
        dgamma = dbeta.copy()
    if bug == "returns (dx, dbeta, dgamma)":
        return dx, dbeta, dgamma
    return dx, dgamma, dbeta


# ---------------------------------------------------------------------------------------------
# Spatial group norm


def groupnorm_forward_reshape(x, gamma, beta, G, gn_param, bug=None):
    N, C, H, W = x.shape
    eps = 1e-5 if bug == "eps ignored" else gn_param.get("eps", 1e-5)
    if bug == "interleaved groups":
        xg = x.reshape(N, C // G, G, H, W).transpose(0, 2, 1, 3, 4).reshape(N, G, -1)
    elif bug == "per channel":
        xg = x.reshape(N, C, -1)
    elif bug == "C // G groups":
        xg = x.reshape(N, C // G, -1)
    elif bug == "reshape (N, -1, G)":
        xg = x.reshape(N, -1, G)
    elif bug == "reshape (G, -1)":
        xg = x.reshape(G, -1)
    elif bug == "channels-last groups":
        xg = x.transpose(0, 2, 3, 1).reshape(N, G, -1)
    else:
        xg = x.reshape(N, G, -1)
    axis = {"view axis 1": 1, "view axis 0": 0, "reshape (N, -1, G)": 1, "reshape (G, -1)": 1}.get(bug, 2)
    mean = xg.mean(axis=axis, keepdims=True)
    var = xg.var(axis=axis, keepdims=True, ddof=1 if bug == "unbiased" else 0)
    if bug == "mean of squares":
        var = (xg**2).mean(axis=axis, keepdims=True)
    if bug == "E[x^2] - mean":
        var = (xg**2).mean(axis=axis, keepdims=True) - mean
    if bug == "variance summed":
        var = ((xg - mean) ** 2).sum(axis=axis, keepdims=True)
    if bug == "eps outside":
        xhat_g = (xg - mean) / (np.sqrt(var) + eps)
    elif bug == "not scaled":
        xhat_g = xg - mean
    else:
        xhat_g = (xg - mean) / np.sqrt(var + eps)
    if bug == "interleaved groups":
        xhat = xhat_g.reshape(N, G, C // G, H, W).transpose(0, 2, 1, 3, 4).reshape(N, C, H, W)
    elif bug == "channels-last groups":
        xhat = xhat_g.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    else:
        xhat = xhat_g.reshape(N, C, H, W)
    g, bt = np.reshape(gamma, (1, C, 1, 1)), np.reshape(beta, (1, C, 1, 1))
    if bug == "gamma of each group's first channel":
        g = np.repeat(np.ravel(gamma)[:: C // G], C // G).reshape(1, C, 1, 1)
    if bug == "gamma and beta indexed by group":
        g, bt = np.ravel(gamma)[np.arange(C) // (C // G)], np.ravel(beta)[np.arange(C) // (C // G)]
        g, bt = g.reshape(1, C, 1, 1), bt.reshape(1, C, 1, 1)
    if bug == "beta subtracted":
        bt = -bt
    out = g * xhat + bt
    return out, (xhat, xg.shape[1], var, eps, gamma, beta)


def groupnorm_forward_loops(x, gamma, beta, G, gn_param):
    """A loop over samples and groups."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    size = C // G
    xhat = np.empty_like(x)
    inv_std = np.empty((N, G))
    for n in range(N):
        for g in range(G):
            block = x[n, g * size : (g + 1) * size]
            inv_std[n, g] = 1 / np.sqrt(block.var() + eps)
            xhat[n, g * size : (g + 1) * size] = (block - block.mean()) * inv_std[n, g]
    out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    return out, {"xhat": xhat, "inv_std": inv_std, "G": G, "gamma": gamma, "beta_shape": np.shape(beta)}


def groupnorm_backward_loops(dout, cache):
    xhat, inv_std, G, gamma = cache["xhat"], cache["inv_std"], cache["G"], cache["gamma"]
    N, C, H, W = dout.shape
    size = C // G
    dxhat = dout * np.reshape(gamma, (1, C, 1, 1))
    dx = np.empty_like(dout)
    for n in range(N):
        for g in range(G):
            part = slice(g * size, (g + 1) * size)
            d, xh = dxhat[n, part], xhat[n, part]
            dx[n, part] = (d - d.mean() - xh * (d * xh).mean()) * inv_std[n, g]
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    return dx, dgamma, dout.sum(axis=(0, 2, 3)).reshape(cache["beta_shape"])


def groupnorm_backward_reshape(dout, cache, bug=None):
    xhat, groups, var, eps, gamma, beta = cache
    N, C, H, W = dout.shape
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    dbeta = dout.sum(axis=(0, 2, 3)).reshape(np.shape(beta))
    dxhat = (dout * np.reshape(gamma, (1, C, 1, 1))).reshape(N, groups, -1)
    xh = xhat.reshape(N, groups, -1)
    inv_std = 1 / np.sqrt(var + eps)
    if bug == "statistics as constants":
        return (dxhat * inv_std).reshape(N, C, H, W), dgamma, dbeta
    if bug == "gamma after the means":  # batch norm's shortcut, wrong when gamma varies inside a group
        d = dout.reshape(N, groups, -1)
        dx = (d - d.mean(axis=2, keepdims=True) - xh * (d * xh).mean(axis=2, keepdims=True)) * inv_std
        return dx.reshape(N, C, H, W) * np.reshape(gamma, (1, C, 1, 1)), dgamma, dbeta
    if bug == "dgamma mean":
        dgamma = (dout * xhat).mean(axis=(0, 2, 3)).reshape(np.shape(gamma))
    if bug == "dbeta mean":
        dbeta = dout.mean(axis=(0, 2, 3)).reshape(np.shape(beta))
    if bug == "dgamma from dxhat":
        dgamma = (dout * np.reshape(gamma, (1, C, 1, 1)) * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    if bug == "means over C // G groups":
        d, xc = dxhat.reshape(N, C // groups, -1), xh.reshape(N, C // groups, -1)
        dx = (d - d.mean(axis=2, keepdims=True) - xc * (d * xc).mean(axis=2, keepdims=True)).reshape(xh.shape)
        return (dx * inv_std).reshape(N, C, H, W), dgamma, dbeta
    axes = (1, 2) if bug == "means over all channels" else (2,)
    m1, m2 = dxhat.mean(axis=axes, keepdims=True), (dxhat * xh).mean(axis=axes, keepdims=True)
    if bug == "sums for means":
        m1, m2 = dxhat.sum(axis=axes, keepdims=True), (dxhat * xh).sum(axis=axes, keepdims=True)
    dx = {
        "var term added": (dxhat - m1 + xh * m2) * inv_std,
        "times std": (dxhat - m1 - xh * m2) / inv_std,
        "divides by var": (dxhat - m1 - xh * m2) * inv_std**2,
        "std without eps": (dxhat - m1 - xh * m2) / np.sqrt(var),
        "var term without xhat": (dxhat - m1 - m2) * inv_std,
    }.get(bug, (dxhat - m1 - xh * m2) * inv_std)
    return dx.reshape(N, C, H, W), dgamma, dbeta


def avg_pool_forward_counts(x, pool_param, bug=None):
    """Loops over the windows; the count of real pixels read from the wrong window, or counted wrong."""
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    inside = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = xpad[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]
            r, c = {"count at (i, j)": (i, j), "count at (i*sh, j)": (i * sh, j)}.get(bug, (i * sh, j * sw))
            count = PH * PW if include else inside[r : r + PH, c : c + PW].sum()
            if bug == "count_nonzero always":
                count = np.count_nonzero(window, axis=(2, 3))
            out[:, :, i, j] = window.sum(axis=(2, 3)) / count
    return out, (x, pool_param)


def avg_pool_backward_counts(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    inside = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for i in range(Ho):
        for j in range(Wo):
            r, c = (i, j) if bug == "count at (i, j)" else (i * sh, j * sw)
            count = PH * PW if include else inside[r : r + PH, c : c + PW].sum()
            dxpad[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] += dout[:, :, i, j, None, None] / count
    if bug == "ph for both in the cut":
        return dxpad[:, :, ph : ph + H, ph : ph + W]
    if bug == "pw for both in the cut":
        return dxpad[:, :, pw : pw + H, pw : pw + W]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def convnet_loss_softmax(params, X, y=None, reg=0.0, bug=None):
    """The layers of cnnlab.layers, the softmax and the regularization written out; one slip."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    N = X.shape[0]
    a, conv_cache = L.conv_forward_im2col(X, W1, b1, {"stride": 1, "pad": (W1.shape[2] - 1) // 2})
    a, relu1_cache = L.relu_forward(a)
    a, pool_cache = L.max_pool_forward_im2col(a, {"pool_height": 2, "pool_width": 2, "stride": 2})
    if bug == "channels-last flatten":
        a = a.transpose(0, 2, 3, 1)
    h, affine2_cache = L.affine_forward(a, W2, b2)
    h_pre = h
    h, relu2_cache = L.relu_forward(h)
    scores, affine3_cache = L.affine_forward(h, W3, b3)
    if bug == "dW3 from h before the ReLU":
        affine3_cache = (h_pre, W3, b3)
    if y is None:
        return scores
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    rows = slice(None) if bug == "probs[:, y]" else np.arange(N)
    data_loss = -np.mean(np.log(probs[rows, y]))
    dscores = probs.copy()
    if bug != "1 not subtracted":
        dscores[rows, y] -= 1
    dscores /= N
    grads = {}
    dh, grads["W3"], grads["b3"] = L.affine_backward(dscores, affine3_cache)
    dh = dh * (dh > 0) if bug == "relu mask from dout" else L.relu_backward(dh, relu2_cache)
    da, grads["W2"], grads["b2"] = L.affine_backward(dh, affine2_cache)
    if bug == "channels-last flatten":
        da = da.transpose(0, 3, 1, 2)
    da = L.max_pool_backward_im2col(da, pool_cache)
    da = L.relu_backward(da, relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(da, conv_cache)
    regularized = {"W1 not in the reg loss": ("W2", "W3"), "W3 not in the reg loss": ("W1", "W2")}
    regularized["b3 in the reg loss"] = ("W1", "W2", "W3", "b3")
    scale = 1 / N if bug == "reg divided by N" else 1
    reg_loss = 0.5 * reg * sum(np.sum(params[k] ** 2) for k in regularized.get(bug, ("W1", "W2", "W3")))
    loss = data_loss + scale * reg_loss
    for k in ("W1", "W2", "W3"):
        grads[k] = grads[k] + scale * reg * params[k]
    return float(loss), grads


def batchnorm_forward_stats(x, gamma, beta, bn_param, bug=None):
    """Train and test mode with the statistics as (C,) vectors; one statistic or the affine step wrong."""
    N, C, H, W = x.shape
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    g, bt = np.reshape(gamma, (1, C, 1, 1)), np.reshape(beta, (1, C, 1, 1))
    if bn_param["mode"] == "train":
        mean = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
        if bug == "var averaged per sample":
            var = x.var(axis=(2, 3)).mean(axis=0)
        if bug == "std averaged per sample":
            var = np.mean(x.std(axis=(2, 3)), axis=0) ** 2
        if bug == "var averaged per position":
            var = x.var(axis=0).mean(axis=(1, 2))
        rm = bn_param.get("running_mean", np.zeros(C))
        rv = bn_param.get("running_var", np.ones(C))
        bn_param["running_mean"] = momentum * rm + (1 - momentum) * mean
        bn_param["running_var"] = momentum * rv + (1 - momentum) * var
        mean, var = mean.reshape(1, C, 1, 1), var.reshape(1, C, 1, 1)
        if bug == "mean per sample":
            mean = x.mean(axis=(2, 3), keepdims=True)
        if bug == "var per sample":
            var = x.var(axis=(2, 3), keepdims=True)
    else:
        mean = bn_param["running_mean"].reshape(1, C, 1, 1)
        var = bn_param["running_var"].reshape(1, C, 1, 1)
        if bug == "test: batch variance":
            var = x.var(axis=(0, 2, 3), keepdims=True)
        if bug == "test: batch mean":
            mean = x.mean(axis=(0, 2, 3), keepdims=True)
    if bug == "variance about the per-sample mean":
        var = ((x - x.mean(axis=(2, 3), keepdims=True)) ** 2).mean(axis=(0, 2, 3), keepdims=True)
    if bug == "gamma and beta first":
        x = g * x + bt
        mean = x.mean(axis=(0, 2, 3), keepdims=True) if bn_param["mode"] == "train" else mean
        var = x.var(axis=(0, 2, 3), keepdims=True) if bn_param["mode"] == "train" else var
        return (x - mean) / np.sqrt(var + eps), None
    xhat = (x - mean) / np.sqrt(var + eps)
    out = g * (xhat + bt) if bug == "beta inside" else g * xhat + bt
    return out, None


def groupnorm_forward_stats(x, gamma, beta, G, gn_param, bug=None):
    """The group statistics as (N, G) arrays, spread to the channels; one step wrong."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xg = x.reshape(N, G, -1)
    mean, var = xg.mean(axis=2), xg.var(axis=2)
    if bug == "var averaged over the channels":
        var = x.reshape(N, G, C // G, -1).var(axis=3).mean(axis=2)
    spread = (
        (lambda a: np.tile(a, (1, C // G))) if bug and bug.startswith("tile") else (lambda a: np.repeat(a, C // G, 1))
    )
    m = spread(mean) if bug != "tile for the variance" else np.repeat(mean, C // G, 1)
    v = spread(var)
    xhat = (x - m.reshape(N, C, 1, 1)) / np.sqrt(v.reshape(N, C, 1, 1) + eps)
    g, bt = np.reshape(gamma, (1, C, 1, 1)), np.reshape(beta, (1, C, 1, 1))
    if bug == "gamma and beta first":
        y = (g * x + bt).reshape(N, G, -1)
        return ((y - y.mean(axis=2, keepdims=True)) / np.sqrt(y.var(axis=2, keepdims=True) + eps)).reshape(
            x.shape
        ), None
    out = g * (xhat + bt) if bug == "beta inside" else g * xhat + bt
    return out, None


def groupnorm_backward_spread(dout, cache, bug=None):
    """dx with the (N, G) group means and 1/std spread to the channels; the cache of groupnorm_forward_reshape."""
    xhat, groups, var, eps, gamma, beta = cache
    N, C, H, W = dout.shape
    G = groups
    dxhat = dout * np.reshape(gamma, (1, C, 1, 1))
    m1 = dxhat.reshape(N, G, -1).mean(axis=2)
    m2 = (dxhat * xhat).reshape(N, G, -1).mean(axis=2)
    s = 1 / np.sqrt(var.reshape(N, G) + eps)
    tile = lambda a: np.tile(a, (1, C // G)).reshape(N, C, 1, 1)  # noqa: E731
    repeat = lambda a: np.repeat(a, C // G, axis=1).reshape(N, C, 1, 1)  # noqa: E731
    m1, m2 = (tile(m1), tile(m2)) if bug == "tile for the means" else (repeat(m1), repeat(m2))
    s = tile(s) if bug == "tile for 1/std" else repeat(s)
    dx = (dxhat - m1 - xhat * m2) * s
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    return dx, dgamma, dout.sum(axis=(0, 2, 3)).reshape(np.shape(beta))


def batchnorm_backward_staged(dout, cache, bug=None):
    """CS231n's staged backward (through the variance, then the mean), one stage wrong; the cache of
    batchnorm_forward_axes."""
    x, xhat, mean, var, eps, gamma, beta, mode = cache
    N, C, H, W = x.shape
    M = N * H * W
    axes = (0, 2, 3)
    dgamma = (dout * xhat).sum(axis=axes).reshape(np.shape(gamma))
    dbeta = dout.sum(axis=axes).reshape(np.shape(beta))
    dxhat = dout * np.reshape(gamma, (1, C, 1, 1))
    xmu = x - mean
    std = np.sqrt(var + eps)
    power = {"std**-1.5": std**-1.5, "var**-0.5": (var + eps) ** -0.5, "no eps in dvar": var**-1.5}
    half = 1.0 if bug == "-0.5 dropped" else -0.5
    var_axes = (2, 3) if bug == "dvar per sample" else axes
    dvar = np.sum(dxhat * xmu, axis=var_axes, keepdims=True) * half * power.get(bug, (var + eps) ** -1.5)
    mean_axes = 0 if bug == "dmean over the batch only" else axes
    dmean = np.sum(-dxhat / std, axis=mean_axes, keepdims=True) + dvar * np.mean(-2.0 * xmu, axis=axes, keepdims=True)
    two = {"2 dropped": 1.0, "4 * xmu": 4.0}.get(bug, 2.0)
    m_var = {"dvar not / M": 1, "dvar / N": N}.get(bug, M)
    m_mean = {"dmean not / M": 1, "dmean / N": N}.get(bug, M)
    direct = dxhat / np.sqrt(var) if bug == "direct term without eps" else dxhat / std
    if bug == "direct term times std":
        direct = dxhat * std
    dx = direct + dvar * two * xmu / m_var + dmean / m_mean
    return dx, dgamma, dbeta


def groupnorm_backward_staged(dout, cache, bug=None):
    """The staged backward on the (N, G, -1) view, one stage wrong; the cache of groupnorm_forward_reshape."""
    xhat, groups, var, eps, gamma, beta = cache
    N, C, H, W = dout.shape
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    dbeta = dout.sum(axis=(0, 2, 3)).reshape(np.shape(beta))
    dxhat = (dout * np.reshape(gamma, (1, C, 1, 1))).reshape(N, groups, -1)
    std = np.sqrt(var + eps)
    xmu = xhat.reshape(N, groups, -1) * std
    M = {"M = C*H*W": C * H * W, "M = H*W": H * W}.get(bug, xmu.shape[2])
    power = std**-1.5 if bug == "std**-1.5" else (var + eps) ** -1.5
    var_axis = 1 if bug == "dvar over axis 1" else 2
    dvar = np.sum(dxhat * xmu, axis=var_axis, keepdims=True) * -0.5 * power
    dmean = np.sum(-dxhat / std, axis=2, keepdims=True)
    two = 1.0 if bug == "2 dropped" else 2.0
    dx = dxhat / std + dvar * two * xmu / M + dmean / M
    return dx.reshape(N, C, H, W), dgamma, dbeta


# ---------------------------------------------------------------------------------------------
# A whole network: three_layer_convnet_loss


def convnet_loss_layers(params, X, y=None, reg=0.0, naive=False, bug=None):
    """conv - relu - pool - affine - relu - affine - softmax from cnnlab.layers (naive or im2col)."""
    conv_f, conv_b = (
        (L.conv_forward_naive, L.conv_backward_naive) if naive else (L.conv_forward_im2col, L.conv_backward_im2col)
    )
    pool_f, pool_b = (
        (L.max_pool_forward_naive, L.max_pool_backward_naive)
        if naive
        else (L.max_pool_forward_im2col, L.max_pool_backward_im2col)
    )
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    pad = {"no padding": 0, "pad 1": 1}.get(bug, (W1.shape[2] - 1) // 2)
    out, c1 = conv_f(X, W1, b1, {"stride": 1, "pad": pad})
    if bug != "no relu after conv":
        out, r1 = L.relu_forward(out)
    if bug != "no pooling":
        out, p1 = pool_f(out, {"pool_height": 2, "pool_width": 2, "stride": 1 if bug == "pool stride 1" else 2})
    out, a2 = L.affine_forward(out, W2, b2)
    if bug != "no relu after hidden":
        out, r2 = L.relu_forward(out)
    scores, a3 = L.affine_forward(out, W3, b3)
    if bug == "relu on scores":
        scores, r3 = L.relu_forward(scores)
    if y is None or bug == "scores with y":
        return scores
    N = X.shape[0]
    if bug in ("own softmax without log", "own softmax over axis 0"):
        axis = 0 if bug == "own softmax over axis 0" else 1
        e = np.exp(scores - scores.max(axis=axis, keepdims=True))
        probs = e / e.sum(axis=axis, keepdims=True)
        picked = probs[np.arange(N), y]
        data_loss = -np.mean(picked) if bug == "own softmax without log" else -np.mean(np.log(picked))
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
    elif bug == "summed loss":  # the per-image losses summed, not averaged: loss and grads N times too big
        data_loss, dscores = L.softmax_loss(scores, y)
        data_loss, dscores = N * data_loss, N * dscores
    else:
        data_loss, dscores = L.softmax_loss(scores, y)
    if bug == "grads times N":  # the gradients only
        dscores = N * dscores
    grads = {}
    if bug == "relu on scores":
        dscores = L.relu_backward(dscores, r3)
    dout, grads["W3"], grads["b3"] = L.affine_backward(dscores, a3)
    if bug not in ("no relu after hidden", "hidden relu backward skipped"):
        dout = L.relu_backward(dout, r2)
    dout, grads["W2"], grads["b2"] = L.affine_backward(dout, a2)
    if bug != "no pooling":
        dout = pool_b(dout, p1)
    if bug not in ("no relu after conv", "conv relu backward skipped"):
        dout = L.relu_backward(dout, r1)
    _, grads["W1"], grads["b1"] = conv_b(dout, c1)
    names = ("W1", "W2", "W3", "b1", "b2", "b3") if bug == "reg on biases" else ("W1", "W2", "W3")
    if bug == "reg W1 only":
        names = ("W1",)
    loss = data_loss + 0.5 * reg * sum(np.sum(params[k] ** 2) for k in names)
    factor = {"no reg grad": 0.0, "reg grad doubled": 2.0, "reg grad halved": 0.5}.get(bug, 1.0)
    for k in names:
        grads[k] = grads[k] + factor * reg * params[k]
    if bug == "dW3 by hand, transposed":  # (K, H), as if W3 were used as scores = h @ W3.T
        grads["W3"] = dscores.T @ a3[0].reshape(N, -1) + reg * params["W3"].T
    if bug == "d names":
        grads = {"d" + k: v for k, v in grads.items()}
    if bug == "no b1":
        del grads["b1"]
    if bug == "W2 and W3 swapped":
        grads["W2"], grads["W3"] = grads["W3"], grads["W2"]
    return loss, grads


def conv_forward_wrapped(x, w, b, conv_param):
    """Only wraps cnnlab's fast convolution, under another name."""
    fast = getattr(L, "conv_forward_" + "im2col")
    return fast(x, w, b, conv_param)


def pool_backward_wrapped(dout, cache):
    """Wraps cnnlab's reference, reached through the module."""
    from cnnlab.layers import pool

    return pool.max_pool_backward_naive(dout, cache)


def convnet_loss_model(params, X, y=None, reg=0.0):
    """Through a ThreeLayerConvNet whose params are replaced (float32 avoided: float64 model)."""
    model = ThreeLayerConvNet(
        input_dim=X.shape[1:],
        num_filters=params["W1"].shape[0],
        filter_size=params["W1"].shape[2],
        hidden_dim=params["W3"].shape[0],
        num_classes=params["W3"].shape[1],
        reg=reg,
    )
    model.params = {k: v.copy() for k, v in params.items()}
    return model.loss(X, y)


# ---------------------------------------------------------------------------------------------
# The tables


def _bug(fn, bug):
    return partial(fn, bug=bug)


CORRECT = [
    ("conv_output_size", "math.floor of a true division", size_by_floor, None),
    ("conv_forward_naive", "loops over n, f, i, j", conv_forward_loops, None),
    ("conv_forward_naive", "stride tricks + einsum", conv_forward_einsum, None),
    ("conv_forward_naive", "one slice per filter tap", conv_forward_by_taps, None),
    ("conv_backward_naive", "loops, with the reference forward", conv_backward_loops, None),
    ("conv_backward_naive", "loops, with own forward", conv_backward_loops, conv_forward_loops),
    ("conv_backward_naive", "strided views + np.add.at", conv_backward_einsum, conv_forward_einsum),
    ("conv_backward_naive", "per tap, reading a dict cache", conv_backward_by_taps, conv_forward_by_taps),
    ("im2col", "loop over output positions", im2col_loops, None),
    ("im2col", "sliding_window_view", im2col_strided, None),
    ("col2im", "loop with +=", col2im_loops, None),
    ("col2im", "np.add.at", col2im_add_at, None),
    ("conv_forward_im2col", "own im2col + einsum", conv_forward_matmul, None),
    ("conv_forward_im2col", "loop im2col + einsum", partial(conv_forward_matmul, im2col=im2col_loops), None),
    ("conv_backward_im2col", "matmul + np.add.at col2im", conv_backward_matmul, conv_forward_matmul),
    ("max_pool_forward_naive", "loops", pool_forward_loops, None),
    ("max_pool_forward_naive", "sliding_window_view", pool_forward_strided, None),
    ("max_pool_backward_naive", "loops with argmax", pool_backward_loops, None),
    ("max_pool_backward_naive", "one-hot argmax, scattered per tap", pool_backward_mask, pool_forward_strided),
    ("avg_pool_forward_naive", "loops over the padded x", avg_pool_forward_loops, None),
    ("avg_pool_forward_naive", "sliding_window_view, counts from padded ones", avg_pool_forward_strided, None),
    ("avg_pool_backward_naive", "loops with +=", avg_pool_backward_loops, None),
    ("avg_pool_backward_naive", "loops, with own forward", avg_pool_backward_loops, avg_pool_forward_loops),
    ("avg_pool_backward_naive", "one tap of every window at a time", avg_pool_backward_taps, avg_pool_forward_strided),
    ("spatial_batchnorm_forward", "axes (0, 2, 3), running stats in place", batchnorm_forward_axes, None),
    ("spatial_batchnorm_forward", "E[x^2] - E[x]^2", batchnorm_forward_moments, None),
    ("spatial_batchnorm_forward", "transpose to (N*H*W, C)", batchnorm_forward_2d, None),
    ("spatial_batchnorm_backward", "step-by-step graph", batchnorm_backward_graph, batchnorm_forward_axes),
    ("spatial_batchnorm_backward", "compact formula", batchnorm_backward_compact, batchnorm_forward_moments),
    ("spatial_batchnorm_backward", "vanilla 2-D batch norm", batchnorm_backward_2d, batchnorm_forward_2d),
    ("spatial_groupnorm_forward", "reshape to (N, G, -1)", groupnorm_forward_reshape, None),
    ("spatial_groupnorm_forward", "loops over samples and groups", groupnorm_forward_loops, None),
    ("spatial_groupnorm_backward", "reshape, compact formula", groupnorm_backward_reshape, groupnorm_forward_reshape),
    ("spatial_groupnorm_backward", "loops over samples and groups", groupnorm_backward_loops, groupnorm_forward_loops),
    ("three_layer_convnet_loss", "im2col layers", convnet_loss_layers, None),
    ("three_layer_convnet_loss", "naive layers", partial(convnet_loss_layers, naive=True), None),
]

BUGGY = [
    # conv_output_size: which term of the formula
    # counting the positions gives 0 where the filter does not fit; lesson 1 asks for the formula's number
    ("conv_output_size", "counting positions", size_by_counting, None, "where the filter does not fit, it gives 0"),
    ("conv_output_size", "no 2*pad", partial(size_buggy, bug="no pad"), None, "the padding term 2*pad is missing"),
    (
        "conv_output_size",
        "pad once",
        partial(size_buggy, bug="pad once"),
        None,
        "counted once (pad), not on both sides",
    ),
    ("conv_output_size", "no dilation", partial(size_buggy, bug="no dilation"), None, "the dilation is missing"),
    ("conv_output_size", "no + 1", partial(size_buggy, bug="no plus one"), None, "the + 1 is missing"),
    ("conv_output_size", "rounds up", partial(size_buggy, bug="ceil"), None, "it rounds up; use // (floor division)"),
    ("conv_output_size", "true division", partial(size_buggy, bug="true division"), None, "use // (floor division)"),
    # conv forward
    ("conv_forward_naive", "missing bias", _bug(conv_forward_loops, "no bias"), None, "the bias is missing"),
    ("conv_forward_naive", "flipped kernel", _bug(conv_forward_loops, "flipped kernel"), None, "the kernel is flipped"),
    (
        "conv_forward_naive",
        "ignores dilation",
        _bug(conv_forward_loops, "ignores dilation"),
        None,
        "conv_param['dilation'] is ignored",
    ),
    (
        "conv_forward_naive",
        "ignores dilation with the right output size",
        _bug(conv_forward_loops, "ignores dilation, right size"),
        None,
        "conv_param['dilation'] is ignored",
    ),
    (
        "conv_forward_naive",
        "2*pad missing in H'",
        _bug(conv_forward_loops, "no pad in size"),
        None,
        "the padding term 2*pad is missing",
    ),
    (
        "conv_forward_naive",
        "b[0] for every filter",
        _bug(conv_forward_loops, "bias of filter 0"),
        None,
        "out is off by one constant per filter (the same at every sample and position)",
    ),
    (
        "conv_forward_naive",
        "first sample only",
        _bug(conv_forward_loops, "first sample only"),
        None,
        "out is wrong only at n = 1 (of 2); the other indices are right",
    ),
    (
        "conv_forward_naive",
        "pads with ones",
        _bug(conv_forward_loops, "pads with ones"),
        None,
        "out is wrong only where the window reaches into the padding (near the border)",
    ),
    ("conv_forward_naive", "edge padding", _bug(conv_forward_loops, "edge pad"), None, "repeats the border values"),
    (
        "conv_forward_naive",
        "windows at (i, j)",
        _bug(conv_forward_loops, "no stride in windows"),
        None,
        "do not move by the stride",
    ),
    (
        "conv_forward_naive",
        "CS231n ints only",
        conv_forward_cs231n_ints,
        None,
        "every case with an (h, w) pair in conv_param or with dilation > 1 fails",
    ),
    (
        "conv_forward_naive",
        "modifies x",
        _bug(conv_forward_loops, "mutates x"),
        None,
        "changed its input: x was changed in place",
    ),
    (
        "conv_forward_naive",
        "returns out only",
        _bug(conv_forward_loops, "returns out only"),
        None,
        "returned only an array",
    ),
    ("conv_forward_naive", "float32 output", _bug(conv_forward_loops, "float32 output"), None, "has dtype float32"),
    ("conv_forward_naive", "NaN", _bug(conv_forward_loops, "nan"), None, "contains NaN"),
    ("conv_forward_naive", "index error", _bug(conv_forward_loops, "index error"), None, "raised IndexError"),
    # conv backward
    (
        "conv_backward_naive",
        "db over n only",
        _bug(conv_backward_loops, "db over n only"),
        None,
        "db is summed over the samples n only",
    ),
    ("conv_backward_naive", "db averaged", _bug(conv_backward_loops, "db mean"), None, "db is exactly 1/N"),
    (
        "conv_backward_naive",
        "dw from sample 0",
        _bug(conv_backward_loops, "dw sample 0"),
        None,
        "dw comes from sample 0 only",
    ),
    (
        "conv_backward_naive",
        "dx overwrites",
        _bug(conv_backward_loops, "dx overwrites"),
        None,
        "dx is assigned (=) where it must be accumulated (+=)",
    ),
    (
        "conv_backward_naive",
        "dx crop pad:-pad",
        _bug(conv_backward_loops, "crop pad:-pad"),
        None,
        "dxpad[:, :, pad:-pad] selects nothing",
    ),
    (
        "conv_backward_naive",
        "dx flipped kernel",
        _bug(conv_backward_loops, "dx flipped kernel"),
        None,
        "dx is computed with the flipped kernel",
    ),
    (
        "conv_backward_naive",
        "ignores stride",
        _bug(conv_backward_loops, "ignores stride"),
        None,
        "the backward pass ignores the stride",
    ),
    (
        "conv_backward_naive",
        "modifies dout",
        _bug(conv_backward_loops, "mutates dout"),
        None,
        "changed its input: dout was changed in place",
    ),
    (
        "conv_backward_naive",
        "modifies cache",
        _bug(conv_backward_loops, "mutates cache"),
        None,
        "changed the cache it was given",
    ),
    (
        "conv_backward_naive",
        "returns (dx, dw)",
        _bug(conv_backward_loops, "returns two"),
        None,
        "returned 2 values; return the 3 gradients (dx, dw, db)",
    ),
    (
        "conv_backward_naive",
        "returns (dw, dx, db)",
        _bug(conv_backward_loops, "wrong order"),
        None,
        "in the order (dw, dx, db); return (dx, dw, db)",
    ),
    (
        "conv_backward_naive",
        "forward without bias, db = 0",
        _bug(conv_backward_loops, "db zero"),
        conv_forward_no_bias,
        "your backward is the exact gradient of your forward",
    ),
    ("conv_backward_naive", "reference cache, own format", conv_backward_by_taps, None, "forward=conv_forward_naive"),
    # im2col, col2im, fast convolution
    ("im2col", "CS231n layout", _bug(im2col_loops, "cs231n layout"), None, "CS231n's layout"),
    (
        "im2col",
        "rows tap-major",
        _bug(im2col_loops, "tap-major rows"),
        None,
        "the rows are ordered (tap row, tap column, channel)",
    ),
    ("im2col", "no padding", _bug(im2col_loops, "no pad"), None, "x is not padded"),
    ("col2im", "overwrites", _bug(col2im_loops, "overwrites"), None, "a later window overwrites an earlier one"),
    ("col2im", "averages overlaps", _bug(col2im_loops, "averages overlaps"), None, "x holds the mean of their columns"),
    ("col2im", "keeps padding", _bug(col2im_loops, "keeps padding"), None, "x still includes the padding"),
    ("col2im", "crop pad:-pad", _bug(col2im_loops, "crop pad:-pad"), None, "xpad[:, :, pad:-pad] selects nothing"),
    ("conv_forward_im2col", "missing bias", _bug(conv_forward_matmul, "no bias"), None, "the bias is missing"),
    (
        "conv_backward_im2col",
        "dw from sample 0",
        _bug(conv_backward_matmul, "dw sample 0"),
        conv_forward_matmul,
        "dw comes from sample 0 only",
    ),
    # max pooling
    ("max_pool_forward_naive", "average pooling", _bug(pool_forward_loops, "average"), None, "it averages each window"),
    (
        "max_pool_forward_naive",
        "steps by pool size",
        _bug(pool_forward_loops, "step by pool size"),
        None,
        "the windows move by the pool size",
    ),
    (
        "max_pool_forward_naive",
        "window swapped",
        _bug(pool_forward_loops, "swapped window"),
        None,
        "pool_height and pool_width are swapped",
    ),
    (
        "max_pool_backward_naive",
        "overwrites",
        _bug(pool_backward_loops, "overwrites"),
        None,
        "a later window's gradient overwrites",
    ),
    (
        "max_pool_backward_naive",
        "overwrites, loops reversed",
        _bug(pool_backward_loops, "overwrites, loops reversed"),
        None,
        "dx is wrong only where windows overlap",
    ),
    (
        "max_pool_backward_naive",
        "last maximum",
        _bug(pool_backward_loops, "last maximum"),
        None,
        "the gradient goes to the last maximum",
    ),
    (
        "max_pool_backward_naive",
        "all maxima",
        _bug(pool_backward_loops, "all maxima"),
        None,
        "every maximum of the window gets the gradient",
    ),
    (
        "max_pool_backward_naive",
        "spread evenly",
        _bug(pool_backward_loops, "spread evenly"),
        None,
        "spread evenly over the window",
    ),
    # max pooling: the slips lesson 4's exercises invite (issue #16)
    *[
        ("max_pool_forward_naive", label, _bug(pool_forward_student, label), None, POOL[key])
        for label, key in [
            ("window one short", "short"),
            ("rows one short", "short rows"),
            ("inclusive end", "long"),
            ("rows not strided", "rows step 1"),
            ("columns not strided", "cols step 1"),
            ("pool_height for both", "square PH"),
            ("pool_width for both", "square PW"),
            ("i for j", "i for j"),
            ("i and j swapped", "i and j swapped"),
            ("sum", "sum"),
            ("argmax", "argmax"),
            ("running max from 0", "relu"),
            ("relu", "relu"),
            ("abs", "abs"),
            ("max over all", "max over all"),
            ("max over samples", "max over samples"),
        ]
    ],
    *[
        ("max_pool_backward_naive", label, _bug(pool_backward_student, label), None, POOL[key])
        for label, key in [
            ("window one short", "backward short"),
            ("windows not strided", "backward step 1"),
            ("pool_height for both", "backward square PH"),
            ("i for j", "backward i for j"),
            ("mask over all samples", "backward max over all"),
            ("assigns the window", "overwrite"),
            ("argmin", "backward min"),
            ("unravel with (H, W)", "unravel HW"),
            ("no offset", "no offset"),
            ("rows not strided", "backward rows no stride"),
            ("columns not strided", "backward cols no stride"),
            ("times x", "times max"),
            ("ones", "no dout"),
            ("minus", "negated"),
            ("argmax of the whole map", "argmax whole map"),
        ]
    ],
    # average pooling
    (
        "avg_pool_forward_naive",
        "divides by the window area with count_include_pad=False",
        _bug(avg_pool_forward_loops, "window area"),
        None,
        "with count_include_pad=False the count is the number of the window's pixels inside x",
    ),
    (
        "avg_pool_forward_naive",
        "divides by the pixels inside x with count_include_pad=True",
        _bug(avg_pool_forward_loops, "real count"),
        None,
        "with count_include_pad=True (the default) the zeros of the padding count too",
    ),
    ("avg_pool_forward_naive", "no padding", _bug(avg_pool_forward_loops, "no pad"), None, "the input is not padded"),
    (
        "avg_pool_forward_naive",
        "window at (i, j), not (i*stride, j*stride)",
        _bug(avg_pool_forward_loops, "stride forgotten"),
        None,
        "the windows do not move by the stride",
    ),
    (
        "avg_pool_forward_naive",
        "output size without the + 1",
        _bug(avg_pool_forward_loops, "no plus one"),
        None,
        "the + 1 is missing",
    ),
    ("avg_pool_forward_naive", "max instead of mean", _bug(avg_pool_forward_loops, "max"), None, "that is max pooling"),
    (
        "avg_pool_forward_naive",
        "sum not divided",
        _bug(avg_pool_forward_loops, "no division"),
        None,
        "each window's sum is not divided by its count",
    ),
    (
        "avg_pool_forward_naive",
        "pool_param['pad'] read with []",
        _bug(avg_pool_forward_loops, "pad required"),
        None,
        "the parameter dict may leave out 'pad'; read it with .get('pad', 0)",
    ),
    (
        "avg_pool_backward_naive",
        "gradient not divided by the count",
        _bug(avg_pool_backward_loops, "no division"),
        None,
        "each window's gradient is not divided by its count",
    ),
    (
        "avg_pool_backward_naive",
        "gradient to the top-left pixel only",
        _bug(avg_pool_backward_loops, "top-left"),
        None,
        "each window's gradient goes only to its top-left pixel",
    ),
    (
        "avg_pool_backward_naive",
        "overwrites",
        _bug(avg_pool_backward_loops, "overwrites"),
        None,
        "a later window's share overwrites an earlier one's",
    ),
    (
        "avg_pool_backward_naive",
        "stride forgotten",
        _bug(avg_pool_backward_loops, "stride forgotten"),
        None,
        "the backward pass ignores the stride",
    ),
    (
        "avg_pool_backward_naive",
        "divides by the window area with count_include_pad=False",
        _bug(avg_pool_backward_loops, "window area"),
        None,
        "with count_include_pad=False the count is the number of the window's pixels inside x",
    ),
    (
        "avg_pool_backward_naive",
        "padding not cut away",
        _bug(avg_pool_backward_loops, "padding kept"),
        None,
        "dx still includes the padding",
    ),
    # average pooling: the slips lesson 4's exercises invite (issue #16)
    *[
        ("avg_pool_forward_naive", label, _bug(avg_pool_forward_student, label), None, AVG_POOL[key])
        for label, key in [
            ("pad h for w", "pad h for w"),
            ("np.pad(x, pad)", "np.pad all axes"),
            ("edge padding", "edge pad"),
            ("count from unpadded ones", "count unpadded"),
            ("window one short", "window short"),
            ("columns not strided", "window cols step 1"),
            ("pool_height for both", "window square PH"),
            ("i for j", "window i for j"),
            ("inclusive end, np.mean", "window long"),
            ("mean over all", "mean over all"),
        ]
    ],
    *[
        ("avg_pool_backward_naive", label, _bug(avg_pool_backward_student, label), None, AVG_POOL[key])
        for label, key in [
            ("count from unpadded ones", "count unpadded"),
            ("window one short", "backward window short"),
            ("rows not strided", "backward window rows step 1"),
            ("pool_width for both", "backward window square PW"),
            ("i and j swapped", "backward window i and j swapped"),
            ("divided twice", "backward twice"),
            ("to the maximum", "backward max"),
            ("cut at the start only", "dx crop start"),
            ("cut pad:-pad", "dx crop empty"),
        ]
    ],
    # batch norm
    (
        "spatial_batchnorm_forward",
        "instance-norm axes",
        _bug(batchnorm_forward_axes, "instance axes"),
        None,
        "over (H, W) for each sample and channel (that is instance norm)",
    ),
    (
        "spatial_batchnorm_forward",
        "reshape(-1, C)",
        _bug(batchnorm_forward_2d, "reshape without transpose"),
        None,
        "x.reshape(-1, C), which mixes channels",
    ),
    (
        "spatial_batchnorm_forward",
        "running stats not updated",
        _bug(batchnorm_forward_axes, "no running update"),
        None,
        "the running mean is not updated",
    ),
    (
        "spatial_batchnorm_forward",
        "momentum flipped",
        _bug(batchnorm_forward_axes, "momentum flipped"),
        None,
        "momentum is used the other way round",
    ),
    (
        "spatial_batchnorm_forward",
        "eps outside sqrt",
        _bug(batchnorm_forward_axes, "eps outside sqrt"),
        None,
        "eps is added to the standard deviation",
    ),
    (
        "spatial_batchnorm_forward",
        "unbiased variance",
        _bug(batchnorm_forward_axes, "unbiased var"),
        None,
        "the variance is the unbiased one",
    ),
    (
        "spatial_batchnorm_forward",
        "test mode uses batch",
        _bug(batchnorm_forward_axes, "test uses batch"),
        None,
        "test mode normalizes with the batch's own mean",
    ),
    (
        "spatial_batchnorm_forward",
        "hard-coded eps, momentum",
        _bug(batchnorm_forward_axes, "hard-coded eps and momentum"),
        None,
        "every case with eps and momentum given fails",
    ),
    (
        "spatial_batchnorm_forward",
        "running stats (1, C, 1, 1)",
        _bug(batchnorm_forward_axes, "running stats 4-D"),
        None,
        "return it with the shape (3,)",
    ),
    (
        "spatial_batchnorm_backward",
        "statistics as constants",
        _bug(batchnorm_backward_graph, "statistics as constants"),
        batchnorm_forward_axes,
        "dx treats the mean and variance as constants",
    ),
    (
        "spatial_batchnorm_backward",
        "no variance path",
        _bug(batchnorm_backward_graph, "no variance path"),
        batchnorm_forward_axes,
        "missing the term that comes through the variance",
    ),
    (
        "spatial_batchnorm_backward",
        "dgamma from x",
        _bug(batchnorm_backward_graph, "dgamma from x"),
        batchnorm_forward_axes,
        "dgamma uses x",
    ),
    (
        "spatial_batchnorm_backward",
        "dgamma always (C,)",
        _bug(batchnorm_backward_graph, "dgamma (C,) always"),
        batchnorm_forward_axes,
        "return it with the shape (1, 2, 1, 1)",
    ),
    (
        "spatial_batchnorm_backward",
        "instance-norm axes in both",
        _bug(batchnorm_backward_compact, "instance axes"),
        _bug(batchnorm_forward_axes, "instance axes"),
        "your backward is the exact gradient of your forward",
    ),
    # group norm
    (
        "spatial_groupnorm_forward",
        "per channel",
        _bug(groupnorm_forward_reshape, "per channel"),
        None,
        "(that is instance norm)",
    ),
    (
        "spatial_groupnorm_forward",
        "interleaved groups",
        _bug(groupnorm_forward_reshape, "interleaved groups"),
        None,
        "interleaved groups (channel c in group c % G)",
    ),
    (
        "spatial_groupnorm_backward",
        "gamma multiplied in after the group means",
        _bug(groupnorm_backward_reshape, "gamma after the means"),
        groupnorm_forward_reshape,
        "gamma is applied after the group means",
    ),
    (
        "spatial_groupnorm_backward",
        "statistics as constants",
        _bug(groupnorm_backward_reshape, "statistics as constants"),
        groupnorm_forward_reshape,
        "dx treats the mean and variance as constants",
    ),
    (
        "spatial_groupnorm_backward",
        "means over all channels",
        _bug(groupnorm_backward_reshape, "means over all channels"),
        groupnorm_forward_reshape,
        "dx takes its means over (C, H, W) for each sample (that is layer norm)",
    ),
    # a whole network's loss
    (
        "three_layer_convnet_loss",
        "reg missing from the gradients",
        _bug(convnet_loss_layers, "no reg grad"),
        None,
        "grads['W1'] lacks the regularization gradient: add reg * W1",
    ),
    (
        "three_layer_convnet_loss",
        "reg gradient doubled",
        _bug(convnet_loss_layers, "reg grad doubled"),
        None,
        "has the regularization gradient twice, 2 * reg * W1",
    ),
    (
        "three_layer_convnet_loss",
        "reg on the biases",
        _bug(convnet_loss_layers, "reg on biases"),
        None,
        "the biases are regularized too",
    ),
    (
        "three_layer_convnet_loss",
        "loss summed over the batch",
        _bug(convnet_loss_layers, "summed loss"),
        None,
        "the loss is N times too big (N = 2): the data loss is summed over the batch",
    ),
    (
        "three_layer_convnet_loss",
        "gradients N times too big",
        _bug(convnet_loss_layers, "grads times N"),
        None,
        "is N times too big (N = 2) apart from the regularization term",
    ),
    (
        "three_layer_convnet_loss",
        "grads keyed dW1, db1, ...",
        _bug(convnet_loss_layers, "d names"),
        None,
        "the gradients are stored under other names than the parameters'",
    ),
    ("three_layer_convnet_loss", "no b1 gradient", _bug(convnet_loss_layers, "no b1"), None, "grads has no key 'b1'"),
    (
        "three_layer_convnet_loss",
        "W2 and W3 gradients swapped",
        _bug(convnet_loss_layers, "W2 and W3 swapped"),
        None,
        "grads['W2'] holds the gradient of W3",
    ),
    # issue #16: the mistakes a newcomer's check still called "no known pattern", and more
    (
        "conv_forward_naive",
        "x copied into the corner of the padded array",
        _bug(conv_forward_loops, "x copied into the corner"),
        None,
        "the windows read x without the padding in front of it",
    ),
    (
        "conv_forward_naive",
        "forgot to pad, windows cut at the border",
        _bug(conv_forward_loops, "unpadded, windows cut"),
        None,
        "the windows read x without the padding in front of it",
    ),
    (
        "im2col",
        "x copied into the corner of the padded array",
        _bug(im2col_loops, "x copied into the corner"),
        None,
        "the windows read x without the padding in front of it",
    ),
    (
        "im2col",
        "windows as rows, (N, H'W', C*HH*WW)",
        _bug(im2col_loops, "windows as rows"),
        None,
        "each window is a row of its sample, (N, H'*W', C*HH*WW)",
    ),
    (
        "max_pool_backward_naive",
        "gradient at i + p (stride forgotten)",
        _bug(pool_backward_loops, "stride forgotten"),
        None,
        "the gradient is placed at dx[n, c, i + p, j + q]: the stride is missing",
    ),
    (
        "spatial_batchnorm_forward",
        "reshape(-1, C), gamma applied in 4-D",
        _bug(batchnorm_forward_2d, "reshape without transpose, 4-D gamma"),
        None,
        "over the columns of x.reshape(-1, C), which mixes channels",
    ),
    (
        "spatial_batchnorm_forward",
        "CS231n: running_var starts at zeros",
        _bug(batchnorm_forward_axes, "cs231n running_var"),
        None,
        "running_var starts at zeros, as in CS231n's batchnorm_forward",
    ),
    (
        "spatial_batchnorm_forward",
        "CS231n: gamma (C,) only",
        _bug(batchnorm_forward_2d, "cs231n gamma (C,)"),
        None,
        "CS231n's gamma and beta are (C,) only",
    ),
    (
        "spatial_batchnorm_backward",
        "divides by N, not N*H*W",
        _bug(batchnorm_backward_compact, "divides by N"),
        batchnorm_forward_axes,
        "dx divides by N, as the fully connected batch norm does",
    ),
    (
        "spatial_groupnorm_forward",
        "statistics over axis 1 of the (N, G, -1) view",
        _bug(groupnorm_forward_reshape, "view axis 1"),
        None,
        "over axis 1 of x.reshape(N, G, -1), across the groups",
    ),
    (
        "spatial_groupnorm_forward",
        "statistics over axis 0 of the (N, G, -1) view",
        _bug(groupnorm_forward_reshape, "view axis 0"),
        None,
        "over N only, for each channel and position",
    ),
    (
        "spatial_groupnorm_forward",
        "eps ignored",
        _bug(groupnorm_forward_reshape, "eps ignored"),
        None,
        "gn_param['eps'] is ignored",
    ),
    # mistakes of our own, from reading the lessons as a student (issue #16)
    ("im2col", "ignores dilation", _bug(im2col_loops, "ignores dilation"), None, "the dilation is ignored"),
    ("im2col", "ignores stride", _bug(im2col_loops, "ignores stride"), None, "the stride is ignored"),
    (
        "conv_backward_naive",
        "ignores dilation",
        _bug(conv_backward_loops, "ignores dilation"),
        None,
        "the backward pass ignores the dilation",
    ),
    ("max_pool_forward_naive", "min pooling", _bug(pool_forward_loops, "min"), None, "keeps the smallest value"),
    (
        "conv_forward_naive",
        "stride_h used for the columns",
        _bug(conv_forward_loops, "sh for columns"),
        None,
        "the columns step by the rows' stride",
    ),
    (
        "conv_backward_naive",
        "dx cut from the corner of dxpad",
        _bug(conv_backward_loops, "crop corner"),
        None,
        "dx is cut from the top-left corner of dxpad",
    ),
    ("col2im", "x cut from the corner", _bug(col2im_loops, "crop corner"), None, "x is cut from the top-left corner"),
    (
        "max_pool_forward_naive",
        "sh used for the columns",
        _bug(pool_forward_loops, "sh for columns"),
        None,
        "the columns step by the rows' stride",
    ),
    (
        "max_pool_backward_naive",
        "backward windows step by the pool size",
        _bug(pool_backward_loops, "step by pool size"),
        None,
        "the backward pass moves the windows by the pool size",
    ),
    (
        "spatial_batchnorm_forward",
        "test mode without eps",
        _bug(batchnorm_forward_axes, "test mode without eps"),
        None,
        "eps is missing from the denominator",
    ),
    (
        "spatial_batchnorm_backward",
        "dgamma = sum of dout",
        _bug(batchnorm_backward_compact, "dgamma = sum of dout"),
        batchnorm_forward_moments,
        "dgamma is the sum of dout, which is dbeta",
    ),
    (
        "spatial_batchnorm_backward",
        "returns (dx, dbeta, dgamma)",
        _bug(batchnorm_backward_compact, "returns (dx, dbeta, dgamma)"),
        batchnorm_forward_moments,
        "dgamma and dbeta are swapped",
    ),
    (
        "three_layer_convnet_loss",
        "only W1 regularized",
        _bug(convnet_loss_layers, "reg W1 only"),
        None,
        "only W1 is regularized in the loss",
    ),
    (
        "conv_forward_naive",
        "wraps cnnlab's conv_forward_im2col",
        conv_forward_wrapped,
        None,
        "calls cnnlab's reference cnnlab.layers.conv.conv_forward_im2col; grading will not count it",
    ),
    (
        "max_pool_backward_naive",
        "wraps cnnlab's reference through its module",
        pool_backward_wrapped,
        None,
        "calls cnnlab's reference cnnlab.layers.pool.max_pool_backward_naive; grading will not count it",
    ),
    (
        "three_layer_convnet_loss",
        "a ThreeLayerConvNet given the params",
        convnet_loss_model,
        None,
        "calls cnnlab's reference cnnlab.model.ThreeLayerConvNet.loss; grading will not count it",
    ),
    (
        "three_layer_convnet_loss",
        "scores returned when y is given",
        _bug(convnet_loss_layers, "scores with y"),
        None,
        "when y is given, return (loss, grads), not the scores",
    ),
    # issue #16, batch norm, group norm and the small CNN: more mistakes from reading lessons 5-7 as a student
    (
        "spatial_batchnorm_forward",
        "beta subtracted",
        _bug(batchnorm_forward_axes, "beta subtracted"),
        None,
        "beta is subtracted; it is added",
    ),
    (
        "spatial_batchnorm_forward",
        "beta left out",
        _bug(batchnorm_forward_axes, "no beta"),
        None,
        "beta is not added",
    ),
    (
        "spatial_batchnorm_forward",
        "x.std() as the variance",
        _bug(batchnorm_forward_axes, "std for var"),
        None,
        "the standard deviation is used where the variance belongs",
    ),
    (
        "spatial_batchnorm_forward",
        "E[x^2] as the variance",
        _bug(batchnorm_forward_axes, "mean of squares"),
        None,
        "the variance is the mean of x**2",
    ),
    (
        "spatial_batchnorm_forward",
        "normalizes with the updated running mean",
        _bug(batchnorm_forward_axes, "normalizes with the updated running mean"),
        None,
        "train mode normalizes with the running statistics just updated",
    ),
    (
        "spatial_batchnorm_forward",
        "train mode uses the running statistics",
        _bug(batchnorm_forward_axes, "train uses running"),
        None,
        "train mode normalizes with the running statistics;",
    ),
    (
        "spatial_batchnorm_forward",
        "running stats from xhat",
        _bug(batchnorm_forward_axes, "running from xhat"),
        None,
        "updated with the mean and variance of the normalized values",
    ),
    (
        "spatial_batchnorm_forward",
        "running mean and var swapped",
        _bug(batchnorm_forward_axes, "running swapped"),
        None,
        "updated with each other's statistic",
    ),
    (
        "spatial_batchnorm_forward",
        "old running value not times momentum",
        _bug(batchnorm_forward_axes, "old not scaled"),
        None,
        "the old running value is not multiplied by momentum",
    ),
    (
        "spatial_batchnorm_forward",
        "test mode divides by the variance",
        _bug(batchnorm_forward_axes, "test mode divides by the variance"),
        None,
        "it divides by the variance",
    ),
    (
        "spatial_batchnorm_forward",
        "mean not subtracted",
        _bug(batchnorm_forward_axes, "not centered"),
        None,
        "the mean is not subtracted",
    ),
    (
        "spatial_batchnorm_backward",
        "+ on the variance term",
        _bug(batchnorm_backward_compact, "var term added"),
        batchnorm_forward_axes,
        "the term through the variance is added",
    ),
    (
        "spatial_batchnorm_backward",
        "+ on the mean term",
        _bug(batchnorm_backward_compact, "mean term added"),
        batchnorm_forward_axes,
        "the term through the mean is added",
    ),
    (
        "spatial_batchnorm_backward",
        "times std",
        _bug(batchnorm_backward_compact, "times std"),
        batchnorm_forward_axes,
        "dx is multiplied by the standard deviation",
    ),
    (
        "spatial_batchnorm_backward",
        "not divided by std",
        _bug(batchnorm_backward_compact, "not divided by std"),
        batchnorm_forward_axes,
        "dx is not divided by the standard deviation",
    ),
    (
        "spatial_batchnorm_backward",
        "divides by var + eps",
        _bug(batchnorm_backward_compact, "divides by var"),
        batchnorm_forward_axes,
        "dx divides by var + eps",
    ),
    (
        "spatial_batchnorm_backward",
        "sums for means",
        _bug(batchnorm_backward_compact, "sums for means"),
        batchnorm_forward_axes,
        "dx subtracts sums where means belong",
    ),
    (
        "spatial_batchnorm_backward",
        "variance term without xhat",
        _bug(batchnorm_backward_compact, "var term without xhat"),
        batchnorm_forward_axes,
        "lacks its factor xhat",
    ),
    (
        "spatial_batchnorm_backward",
        "std without eps",
        _bug(batchnorm_backward_compact, "std without eps"),
        batchnorm_forward_axes,
        "dx divides by np.sqrt(var) without eps",
    ),
    (
        "spatial_batchnorm_backward",
        "dbeta as a mean",
        _bug(batchnorm_backward_compact, "dbeta mean"),
        batchnorm_forward_axes,
        "dbeta is the mean of dout",
    ),
    (
        "spatial_batchnorm_backward",
        "dbeta from xhat",
        _bug(batchnorm_backward_compact, "dbeta from xhat"),
        batchnorm_forward_axes,
        "dbeta is zero (to rounding)",
    ),
    (
        "spatial_batchnorm_backward",
        "dgamma from dxhat",
        _bug(batchnorm_backward_compact, "dgamma from dxhat"),
        batchnorm_forward_axes,
        "dgamma is multiplied by gamma",
    ),
    (
        "spatial_groupnorm_forward",
        "C // G groups of G channels",
        _bug(groupnorm_forward_reshape, "C // G groups"),
        None,
        "over C/G groups of G channels each",
    ),
    (
        "spatial_groupnorm_forward",
        "reshape (N, -1, G)",
        _bug(groupnorm_forward_reshape, "reshape (N, -1, G)"),
        None,
        "over axis 1 of x.reshape(N, -1, G)",
    ),
    (
        "spatial_groupnorm_forward",
        "reshape (G, -1)",
        _bug(groupnorm_forward_reshape, "reshape (G, -1)"),
        None,
        "over the rows of x.reshape(G, -1), which mixes the samples",
    ),
    (
        "spatial_groupnorm_forward",
        "gamma of each group's first channel",
        _bug(groupnorm_forward_reshape, "gamma of each group's first channel"),
        None,
        "with the gamma (beta) of its first channel",
    ),
    (
        "spatial_groupnorm_forward",
        "gamma and beta indexed by group",
        _bug(groupnorm_forward_reshape, "gamma and beta indexed by group"),
        None,
        "are indexed by the group",
    ),
    (
        "spatial_groupnorm_forward",
        "beta subtracted",
        _bug(groupnorm_forward_reshape, "beta subtracted"),
        None,
        "beta is subtracted",
    ),
    (
        "spatial_groupnorm_forward",
        "E[x^2] as the variance",
        _bug(groupnorm_forward_reshape, "mean of squares"),
        None,
        "the variance is the mean of x**2",
    ),
    (
        "spatial_groupnorm_forward",
        "eps outside the sqrt",
        _bug(groupnorm_forward_reshape, "eps outside"),
        None,
        "eps is added to the standard deviation",
    ),
    (
        "spatial_groupnorm_forward",
        "unbiased variance",
        _bug(groupnorm_forward_reshape, "unbiased"),
        None,
        "the variance is the unbiased one",
    ),
    (
        "spatial_groupnorm_forward",
        "not divided by std",
        _bug(groupnorm_forward_reshape, "not scaled"),
        None,
        "is not divided by the standard deviation",
    ),
    (
        "spatial_groupnorm_backward",
        "+ on the variance term",
        _bug(groupnorm_backward_reshape, "var term added"),
        groupnorm_forward_reshape,
        "the term through the variance is added",
    ),
    (
        "spatial_groupnorm_backward",
        "times std",
        _bug(groupnorm_backward_reshape, "times std"),
        groupnorm_forward_reshape,
        "dx is multiplied by the standard deviation",
    ),
    (
        "spatial_groupnorm_backward",
        "divides by var + eps",
        _bug(groupnorm_backward_reshape, "divides by var"),
        groupnorm_forward_reshape,
        "dx divides by var + eps",
    ),
    (
        "spatial_groupnorm_backward",
        "sums for means",
        _bug(groupnorm_backward_reshape, "sums for means"),
        groupnorm_forward_reshape,
        "dx subtracts sums where means belong",
    ),
    (
        "spatial_groupnorm_backward",
        "std without eps",
        _bug(groupnorm_backward_reshape, "std without eps"),
        groupnorm_forward_reshape,
        "dx divides by np.sqrt(var) without eps",
    ),
    (
        "spatial_groupnorm_backward",
        "variance term without xhat",
        _bug(groupnorm_backward_reshape, "var term without xhat"),
        groupnorm_forward_reshape,
        "lacks its factor xhat",
    ),
    (
        "spatial_groupnorm_backward",
        "dgamma as a mean",
        _bug(groupnorm_backward_reshape, "dgamma mean"),
        groupnorm_forward_reshape,
        "dgamma is the mean of dout * xhat",
    ),
    (
        "spatial_groupnorm_backward",
        "dbeta as a mean",
        _bug(groupnorm_backward_reshape, "dbeta mean"),
        groupnorm_forward_reshape,
        "dbeta is the mean of dout",
    ),
    (
        "spatial_groupnorm_backward",
        "dgamma from dxhat",
        _bug(groupnorm_backward_reshape, "dgamma from dxhat"),
        groupnorm_forward_reshape,
        "dgamma is multiplied by gamma",
    ),
    (
        "spatial_groupnorm_backward",
        "means over C // G groups",
        _bug(groupnorm_backward_reshape, "means over C // G groups"),
        groupnorm_forward_reshape,
        "dx takes its means over C/G groups of G channels",
    ),
    (
        "three_layer_convnet_loss",
        "no ReLU after the conv",
        _bug(convnet_loss_layers, "no relu after conv"),
        None,
        "there is no ReLU after the convolution",
    ),
    (
        "three_layer_convnet_loss",
        "no ReLU after the hidden layer",
        _bug(convnet_loss_layers, "no relu after hidden"),
        None,
        "there is no ReLU after the hidden affine layer",
    ),
    (
        "three_layer_convnet_loss",
        "ReLU on the scores",
        _bug(convnet_loss_layers, "relu on scores"),
        None,
        "the scores go through a ReLU",
    ),
    (
        "three_layer_convnet_loss",
        "conv ReLU backward skipped",
        _bug(convnet_loss_layers, "conv relu backward skipped"),
        None,
        "the backward skips the ReLU after the convolution",
    ),
    (
        "three_layer_convnet_loss",
        "hidden ReLU backward skipped",
        _bug(convnet_loss_layers, "hidden relu backward skipped"),
        None,
        "the backward skips the hidden ReLU",
    ),
    (
        "three_layer_convnet_loss",
        "no conv padding",
        _bug(convnet_loss_layers, "no padding"),
        None,
        "the convolution is not padded",
    ),
    (
        "three_layer_convnet_loss",
        "pad fixed at 1",
        _bug(convnet_loss_layers, "pad 1"),
        None,
        "the padding is fixed at 1",
    ),
    (
        "three_layer_convnet_loss",
        "pool stride 1",
        _bug(convnet_loss_layers, "pool stride 1"),
        None,
        "the max pooling moves by 1",
    ),
    (
        "three_layer_convnet_loss",
        "no pooling",
        _bug(convnet_loss_layers, "no pooling"),
        None,
        "the max pooling is missing",
    ),
    (
        "three_layer_convnet_loss",
        "half the reg gradient",
        _bug(convnet_loss_layers, "reg grad halved"),
        None,
        "has half the regularization gradient",
    ),
    (
        "three_layer_convnet_loss",
        "own softmax without the log",
        _bug(convnet_loss_layers, "own softmax without log"),
        None,
        "the data loss has no log",
    ),
    (
        "three_layer_convnet_loss",
        "own softmax over axis 0",
        _bug(convnet_loss_layers, "own softmax over axis 0"),
        None,
        "the softmax is taken over the batch",
    ),
    (
        "three_layer_convnet_loss",
        "dW3 by hand, transposed",
        _bug(convnet_loss_layers, "dW3 by hand, transposed"),
        None,
        "grads['W3'] is transposed",
    ),
]

BUGGY += [
    # issue #16, the convolution family: more known mistakes, each named
    ("conv_output_size", "no - 1", partial(size_buggy, bug="no minus one"), None, "the - 1 is missing"),
    ("conv_output_size", "+ 1 for - 1", partial(size_buggy, bug="plus one for minus one"), None, "the - 1 is a + 1"),
    (
        "conv_output_size",
        "positions // stride",
        partial(size_buggy, bug="positions // stride"),
        None,
        "it divides all the stride-1 positions by the stride",
    ),
    ("conv_output_size", "round()", partial(size_buggy, bug="round"), None, "it rounds"),
    ("conv_forward_naive", "channel 0 only", _bug(conv_forward_loops, "channel 0 only"), None, CONV["one channel"]),
    ("conv_forward_naive", "np.mean", _bug(conv_forward_loops, "mean"), None, CONV["mean"]),
    ("conv_forward_naive", "w for w[f]", _bug(conv_forward_loops, "all filters"), None, CONV["all filters"]),
    ("conv_forward_naive", "w[0] for w[f]", _bug(conv_forward_loops, "filter 0"), None, CONV["filter 0"]),
    (
        "conv_forward_naive",
        "b[n]",
        _bug(conv_forward_loops, "bias of n"),
        None,
        CONV["bias index"].format(index="the sample n"),
    ),
    (
        "conv_forward_naive",
        "bias per channel",
        _bug(conv_forward_loops, "bias per channel"),
        None,
        CONV["bias per channel"],
    ),
    ("conv_forward_naive", "ReLU", _bug(conv_forward_loops, "relu"), None, CONV["relu"]),
    (
        "conv_forward_naive",
        "kernel flipped upside down",
        _bug(conv_forward_loops, "flipped rows"),
        None,
        CONV["flipped rows"],
    ),
    (
        "conv_forward_naive",
        "i and j swapped",
        _bug(conv_forward_loops, "i and j swapped"),
        None,
        CONV["positions transposed"],
    ),
    (
        "conv_forward_naive",
        "stride and dilation swapped",
        _bug(conv_forward_loops, "stride and dilation swapped"),
        None,
        CONV["stride dilation swapped"],
    ),
    (
        "conv_forward_naive",
        "pad w for h",
        _bug(conv_forward_loops, "pad w for h"),
        None,
        CONV["pair second"].format(param="pad"),
    ),
    ("conv_backward_naive", "dw without dout", _bug(conv_backward_loops, "dw without dout"), None, CONV["dw no dout"]),
    ("conv_backward_naive", "dx without dout", _bug(conv_backward_loops, "dx without dout"), None, CONV["dx no dout"]),
    ("conv_backward_naive", "dw assigned", _bug(conv_backward_loops, "dw assigned"), None, CONV["dw assigned"]),
    ("conv_backward_naive", "dw -=", _bug(conv_backward_loops, "dw -="), None, CONV["negated"].format(name="dw")),
    (
        "conv_backward_naive",
        "dw / N",
        _bug(conv_backward_loops, "dw averaged"),
        None,
        CONV["averaged"].format(name="dw"),
    ),
    ("conv_backward_naive", "db np.mean", _bug(conv_backward_loops, "db np.mean"), None, CONV["db mean"]),
    (
        "conv_backward_naive",
        "db over (1, 2, 3)",
        _bug(conv_backward_loops, "db over (1, 2, 3)"),
        None,
        CONV["db over f"],
    ),
    (
        "conv_backward_naive",
        "db = in the loop over n",
        _bug(conv_backward_loops, "db last sample"),
        None,
        CONV["db last sample"],
    ),
    (
        "conv_backward_naive",
        "stride pair swapped",
        _bug(conv_backward_loops, "stride swapped"),
        None,
        CONV["slice cut short"],  # it crashes where a window reaches past xpad
    ),
    ("im2col", "window transposed", _bug(im2col_loops, "window transposed"), None, COLUMNS["taps transposed"]),
    ("im2col", "window flipped", _bug(im2col_loops, "window flipped"), None, COLUMNS["flipped windows"]),
    ("im2col", "edge padding", _bug(im2col_loops, "edge pad"), None, COLUMNS["edge pad"]),
    (
        "im2col",
        "dilation pair swapped",
        _bug(im2col_loops, "dilation swapped"),
        None,
        CONV["slice cut short"],  # it crashes where a window reaches past xpad
    ),
    ("col2im", "column s*H' + r", _bug(col2im_loops, "column s*H' + r"), None, COLUMNS["columns column-major"]),
    ("col2im", "block flipped", _bug(col2im_loops, "block flipped"), None, COLUMNS["flipped windows"]),
    ("col2im", "no dilation", _bug(col2im_loops, "no dilation"), None, COLUMNS["no dilation, contiguous"]),
    ("col2im", "no stride", _bug(col2im_loops, "no stride"), None, COLUMNS["unstrided"]),
    (
        "col2im",
        "stride h for w",
        _bug(col2im_loops, "stride h for w"),
        None,
        CONV["pair first"].format(param="stride"),
    ),
    ("conv_forward_im2col", "w tap-major", _bug(conv_forward_matmul, "w tap-major"), None, CONV["w_row order"]),
    (
        "conv_forward_im2col",
        "w.reshape(-1, F).T",
        _bug(conv_forward_matmul, "w.reshape(-1, F).T"),
        None,
        CONV["w_row order"],
    ),
    (
        "conv_forward_im2col",
        "(N, H'W', F) reshaped",
        _bug(conv_forward_matmul, "cols.T @ w_row.T"),
        None,
        CONV["filter axis last"],
    ),
    (
        "conv_forward_im2col",
        "reshape (W', H')",
        _bug(conv_forward_matmul, "reshape W', H'"),
        None,
        CONV["reshape W', H'"],
    ),
    (
        "conv_forward_im2col",
        "reshape (W', H'), transposed",
        _bug(conv_forward_matmul, "reshape W', H', transposed"),
        None,
        "out's positions are",
    ),
    (
        "conv_backward_im2col",
        "dw mean over n",
        _bug(conv_backward_matmul, "dw mean over n"),
        conv_forward_matmul,
        CONV["averaged"].format(name="dw"),
    ),
    (
        "conv_backward_im2col",
        "col2im overwrites",
        _bug(conv_backward_matmul, "col2im overwrites"),
        conv_forward_matmul,
        CONV["dx assigned"],
    ),
    (
        "conv_backward_im2col",
        "dx negated",
        _bug(conv_backward_matmul, "dx = -col2im"),
        conv_forward_matmul,
        CONV["negated"].format(name="dx"),
    ),
]

BUGGY += [
    # issue #16, batch norm and group norm backward written as CS231n's staged graph, one stage wrong
    *(
        ("spatial_batchnorm_backward", f"staged: {bug}", _bug(batchnorm_backward_staged, bug), fwd, expected)
        for fwd in (batchnorm_forward_axes,)
        for bug, expected in (
            ("std**-1.5", "dvar uses std**-1.5"),
            ("var**-0.5", "dvar uses (var + eps)**-0.5"),
            ("no eps in dvar", "dvar uses var**-1.5 without eps"),
            ("-0.5 dropped", "dvar lacks the factor -0.5"),
            ("2 dropped", "the term through the variance is half its size"),
            ("4 * xmu", "the term through the variance is twice its size"),
            ("dvar not / M", "the term through the variance is not divided by M"),
            ("dmean not / M", "the term through the mean is not divided by M"),
            ("dvar / N", "the term through the variance divides by N"),
            ("dmean / N", "the term through the mean divides by N"),
            ("dvar per sample", "dvar is summed over (H, W) for each sample and channel"),
            ("dmean over the batch only", "dmean is summed over N only"),
            ("direct term without eps", "dxhat / std uses np.sqrt(var) without eps"),
            ("direct term times std", "the first term multiplies by std"),
        )
    ),
    *(
        ("spatial_groupnorm_backward", f"staged: {bug}", _bug(groupnorm_backward_staged, bug), fwd, expected)
        for fwd in (groupnorm_forward_reshape,)
        for bug, expected in (
            ("std**-1.5", "dvar uses std**-1.5"),
            ("2 dropped", "the term through the variance is half its size"),
            ("M = C*H*W", "M is C*H*W"),
            ("M = H*W", "M is H*W"),
            ("dvar over axis 1", "dvar is summed over axis 1 of x.reshape(N, G, -1)"),
        )
    ),
]

BUGGY += [
    # issue #16, the statistics of batch norm and group norm forward: averaging orders, one statistic over
    # other axes, gamma and beta in the wrong place, per-group values spread with np.tile
    *(
        ("spatial_batchnorm_forward", label, _bug(batchnorm_forward_stats, label), None, expected)
        for label, expected in (
            ("var averaged per sample", "the variance is the mean of the variances taken over (H, W)"),
            ("std averaged per sample", "the standard deviation is the mean of the standard deviations"),
            ("var averaged per position", "the variance is the mean of the variances taken over N only"),
            ("mean per sample", "the mean is taken over (H, W) for each sample and channel"),
            ("var per sample", "the variance is taken over (H, W) for each sample and channel"),
            ("beta inside", "beta is added before gamma scales"),
            ("gamma and beta first", "gamma and beta are applied before the normalization"),
        )
    ),
    *(
        ("spatial_groupnorm_forward", label, _bug(groupnorm_forward_stats, label), None, expected)
        for label, expected in (
            ("var averaged over the channels", "the variance is the mean of the variances taken over (H, W)"),
            ("tile for repeat", "the per-group mean and variance is spread to the channels with np.tile"),
            ("tile for the variance", "the per-group variance is spread to the channels with np.tile"),
            ("beta inside", "beta is added before gamma scales"),
            ("gamma and beta first", "gamma and beta are applied before the normalization"),
        )
    ),
    *(
        (
            "spatial_groupnorm_backward",
            label,
            _bug(groupnorm_backward_spread, label),
            groupnorm_forward_reshape,
            expected,
        )
        for label, expected in (
            ("tile for 1/std", "the per-group 1/std is spread to the channels with np.tile"),
            ("tile for the means", "the per-group mean(dxhat) and mean(dxhat * xhat) is spread"),
        )
    ),
]

BUGGY += [
    # issue #16, average pooling: the count read from another window, counted with np.count_nonzero, the cut of
    # dxpad with one pad for both axes
    *(
        ("avg_pool_forward_naive", label, _bug(avg_pool_forward_counts, label), None, expected)
        for label, expected in (
            ("count at (i, j)", "the count is read from the window at row i, column j of the padded ones"),
            ("count at (i*sh, j)", "the count is read from the window at row i*sh, column j of the padded ones"),
            ("count_nonzero always", "divided by the number of its non-zero values (np.count_nonzero)"),
        )
    ),
    *(
        ("avg_pool_backward_naive", label, _bug(avg_pool_backward_counts, label), None, expected)
        for label, expected in (
            ("count at (i, j)", "in the backward pass, the count is read from the window at row i, column j"),
            ("ph for both in the cut", "dx is cut from dxpad with ph for both axes"),
            ("pw for both in the cut", "dx is cut from dxpad with pw for both axes"),
        )
    ),
]

BUGGY += [
    # issue #16, the network's loss: the regularization over another set of parameters, the softmax's indexing
    # and gradient, the flatten order
    *(
        ("three_layer_convnet_loss", label, _bug(convnet_loss_softmax, label), None, expected)
        for label, expected in (
            ("W1 not in the reg loss", "the regularization term of the loss covers W2, W3;"),
            ("W3 not in the reg loss", "the regularization term of the loss covers W1, W2;"),
            ("b3 in the reg loss", "the regularization term of the loss covers W1, W2, W3, b3;"),
            ("probs[:, y]", "the loss picks probs[:, y]"),
            ("1 not subtracted", "dscores is the softmax probabilities without the 1 subtracted"),
            ("channels-last flatten", "the pooled maps are flattened channels last"),
        )
    ),
]

BUGGY += [
    # issue #16, the convolution family: general classes (wrong layouts, cuts, paddings, index slips, size terms)
    (
        "conv_output_size",
        "pad subtracted",
        partial(size_buggy, bug="pad subtracted"),
        None,
        "the padding is subtracted",
    ),
    (
        "conv_output_size",
        "pad times dilation",
        partial(size_buggy, bug="pad times dilation"),
        None,
        "the padding is multiplied by the dilation",
    ),
    (
        "conv_output_size",
        "stride and dilation swapped",
        partial(size_buggy, bug="stride and dilation swapped"),
        None,
        "the stride and the dilation are swapped",
    ),
    ("conv_output_size", "no parentheses", partial(size_buggy, bug="no parentheses"), None, "// binds tighter than -"),
    (
        "conv_forward_naive",
        "padded by pad*dilation",
        _bug(conv_forward_loops, "pad times dilation"),
        None,
        "x is padded by pad*dilation zeros on each side",
    ),
    (
        "conv_forward_naive",
        "padded by pad*stride",
        _bug(conv_forward_loops, "pad times stride"),
        None,
        "x is padded by pad*stride zeros on each side",
    ),
    (
        "conv_forward_naive",
        "padded by 2*pad",
        _bug(conv_forward_loops, "2*pad per side"),
        None,
        "x is padded by 2*pad zeros on each side",
    ),
    (
        "conv_forward_naive",
        "np.pad pair misread",
        _bug(conv_forward_loops, "np.pad pair as (ph, pw)"),
        None,
        "(ph, pw) as np.pad's (before, after) pair",
    ),
    (
        "conv_backward_naive",
        "dx cut ends at H",
        _bug(conv_backward_loops, "crop ends at H"),
        None,
        CONV["dx cut"].format(rows="ph:H", cols="pw:W"),
    ),
    (
        "conv_backward_naive",
        "dx cut with (pw, ph)",
        _bug(conv_backward_loops, "crop (pw, ph)"),
        None,
        CONV["dx cut"].format(rows="pw:pw + H", cols="ph:ph + W"),
    ),
    (
        "conv_backward_naive",
        "dw without [f]",
        _bug(conv_backward_loops, "dw without [f]"),
        None,
        CONV["dw summed over filters"],
    ),
    (
        "conv_backward_naive",
        "dx without [n]",
        _bug(conv_backward_loops, "dx without [n]"),
        None,
        CONV["dx summed over samples"],
    ),
    ("conv_backward_naive", "dx with w[0]", _bug(conv_backward_loops, "dx with w[0]"), None, CONV["dx filter 0"]),
    (
        "conv_backward_naive",
        "dw from x padded by pad*dilation",
        _bug(conv_backward_loops, "dw from xpad padded by pad*dilation"),
        None,
        "dw reads its windows from x padded by pad*dilation zeros",
    ),
    (
        "im2col",
        "windows in an (N, C, H', W', HH, WW) grid",
        _bug(im2col_loops, "windows in a grid"),
        None,
        "cols holds its numbers in the order (n, c, i, j, p, q)",
    ),
    (
        "col2im",
        "block read as (HH, WW, C)",
        _bug(col2im_loops, "block read as (HH, WW, C)"),
        None,
        "col2im reads cols as if its numbers were in the order (n, p, q, c, i, j)",
    ),
    (
        "col2im",
        "cut with (pw, ph)",
        _bug(col2im_loops, "crop (pw, ph)"),
        None,
        COLUMNS["cut"].format(rows="pw:pw + H", cols="ph:ph + W"),
    ),
    (
        "conv_forward_im2col",
        "own im2col with a grid layout",
        partial(conv_forward_matmul, im2col=_bug(im2col_loops, "windows in a grid")),
        None,
        "out is w_row @ cols with cols's numbers in the order (n, c, i, j, p, q)",
    ),
    ("conv_forward_im2col", "2-D product", _bug(conv_forward_matmul, "2-D product"), None, CONV["2-D product"]),
    (
        "conv_forward_im2col",
        "w read as (F, HH, WW, C)",
        _bug(conv_forward_matmul, "w read as (F, HH, WW, C)"),
        None,
        "each window is multiplied by w read as if its numbers were in the order (f, p, q, c)",
    ),
    (
        "conv_forward_im2col",
        "out read as (N, H', W', F)",
        _bug(conv_forward_matmul, "out read as (N, H', W', F)"),
        None,
        "out is reshaped as if its numbers were in the order (n, i, j, f)",
    ),
    (
        "conv_backward_im2col",
        "dout read as (N, H'W', F)",
        _bug(conv_backward_matmul, "dout read as (N, H'W', F)"),
        conv_forward_matmul,
        "dout is read as if its numbers were in the order (n, i, j, f)",
    ),
    (
        "conv_backward_im2col",
        "dw product of sums",
        _bug(conv_backward_matmul, "dw product of sums"),
        conv_forward_matmul,
        CONV["dw product of sums"],
    ),
    (
        "conv_backward_im2col",
        "dw read as (F, HH, WW, C)",
        _bug(conv_backward_matmul, "dw read as (F, HH, WW, C)"),
        conv_forward_matmul,
        "dw is reshaped as if its numbers were in the order (f, p, q, c)",
    ),
    (
        "conv_backward_im2col",
        "dcols (N, H'W', R) reshaped",
        _bug(conv_backward_matmul, "dcols (N, H'W', R) reshaped"),
        conv_forward_matmul,
        "dcols holds its numbers in the order (n, i, j, c, p, q)",
    ),
]


def avg_pool_backward_clipped(dout, cache, bug=None):
    """No padded buffer: each window clipped to x, its count from the clipped bounds; one slip."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    first = None
    for i in range(Ho):
        for j in range(Wo):
            r0 = i * sh - ph
            c0 = j * sw - (ph if bug == "column offset by ph" else pw)
            top, left = max(r0, 0), max(c0, 0)
            bottom, right = min(r0 + PH, H), min(c0 + PW, W)
            count = PH * PW if include else (bottom - top) * (right - left)
            if bug == "negative start not clipped":
                top, left = r0, c0
            if first is None:
                first = count
            if bug == "count of the first window":
                count = first
            dx[:, :, top:bottom, left:right] += dout[:, :, i, j, None, None] / count
    return dx


BUGGY += [
    # issue #16, third corpus: pooling, normalization and convnet classes
    (
        "max_pool_backward_naive",
        "maximum read unstrided, placed strided",
        _bug(pool_backward_student, "read unstrided, placed strided"),
        None,
        "the maximum is looked for in the PH x PW window at row i, column j, but its gradient is placed at row i*sh",
    ),
    (
        "max_pool_backward_naive",
        "right maximum, placed with the stride pair swapped",
        _bug(pool_backward_student, "placed with the stride pair swapped"),
        None,
        "window at row i*sh, column j*sw, but its gradient is placed at row i*sw + p, column j*sh + q",
    ),
    (
        "avg_pool_forward_naive",
        "real rows times PW",
        _bug(avg_pool_forward_student, "real rows times PW"),
        None,
        "here it is the real rows times PW",
    ),
    (
        "avg_pool_forward_naive",
        "count with the start not clipped",
        _bug(avg_pool_forward_student, "start not clipped in the count"),
        None,
        "min(r0 + PH, H) - r0 (r0 not clipped at 0) times min(c0 + PW, W) - c0",
    ),
    ("avg_pool_forward_naive", "// for /", _bug(avg_pool_forward_student, "// for /"), None, "// (floor division)"),
    (
        "avg_pool_backward_naive",
        "clipped windows, column offset by ph",
        _bug(avg_pool_backward_clipped, "column offset by ph"),
        None,
        "placed on x with the offset row i*sh - ph, column j*sw - ph",
    ),
    (
        "avg_pool_backward_naive",
        "clipped windows, negative start not clipped",
        _bug(avg_pool_backward_clipped, "negative start not clipped"),
        None,
        "sliced from its negative start (rows and columns)",
    ),
    (
        "avg_pool_backward_naive",
        "clipped windows, the first window's count",
        _bug(avg_pool_backward_clipped, "count of the first window"),
        None,
        "the count is computed once, for the first window",
    ),
    (
        "spatial_batchnorm_forward",
        "test mode with the batch variance",
        _bug(batchnorm_forward_stats, "test: batch variance"),
        None,
        "test mode normalizes with the running mean and the batch variance",
    ),
    (
        "spatial_batchnorm_forward",
        "test mode with the batch mean",
        _bug(batchnorm_forward_stats, "test: batch mean"),
        None,
        "test mode normalizes with the batch mean and the running variance",
    ),
    (
        "spatial_batchnorm_forward",
        "variance about the per-sample mean",
        _bug(batchnorm_forward_stats, "variance about the per-sample mean"),
        None,
        "the variance is mean((x - m)**2) with m the mean taken over (H, W) for each sample",
    ),
    (
        "spatial_batchnorm_backward",
        "compact: dbeta in the xhat term",
        _bug(batchnorm_backward_compact, "dbeta in the xhat term"),
        batchnorm_forward_moments,
        "the xhat term is multiplied by dbeta",
    ),
    (
        "spatial_batchnorm_backward",
        "compact: dbeta and dgamma swapped",
        _bug(batchnorm_backward_compact, "dbeta and dgamma swapped"),
        batchnorm_forward_moments,
        "dbeta and dgamma are swapped",
    ),
    (
        "spatial_groupnorm_forward",
        "groups of the channels-last order",
        _bug(groupnorm_forward_reshape, "channels-last groups"),
        None,
        "x.transpose(0, 2, 3, 1).reshape(N, G, -1)",
    ),
    (
        "spatial_groupnorm_forward",
        "E[x^2] - mean",
        _bug(groupnorm_forward_reshape, "E[x^2] - mean"),
        None,
        "the mean not squared",
    ),
    (
        "spatial_groupnorm_forward",
        "variance summed",
        _bug(groupnorm_forward_reshape, "variance summed"),
        None,
        "the variance is a sum",
    ),
    (
        "three_layer_convnet_loss",
        "dW3 from h before the ReLU",
        _bug(convnet_loss_softmax, "dW3 from h before the ReLU"),
        None,
        "computed from the hidden layer before its ReLU",
    ),
    (
        "three_layer_convnet_loss",
        "hidden ReLU masked by dout",
        _bug(convnet_loss_softmax, "relu mask from dout"),
        None,
        "masks with the sign of the upstream gradient",
    ),
    (
        "three_layer_convnet_loss",
        "regularization divided by N",
        _bug(convnet_loss_softmax, "reg divided by N"),
        None,
        "the regularization term is divided by N",
    ),
]


BUGGY += [
    # issue #16, the convolution family's generated classes: index slips of the loop nest, a term added once per
    # loop, the factors swapped, the wrong cached array, as_strided with x's strides, fancy-index +=, the size
    # formula with one operator written as another
    (
        "conv_output_size",
        "ends in - 1",
        partial(size_buggy, bug="ends in - 1"),
        None,
        "the + 1 at the end is written -",
    ),
    (
        "conv_output_size",
        "span dilation*(kernel + 1)",
        partial(size_buggy, bug="span dilation*(kernel + 1)"),
        None,
        "the - in HH - 1 is written +",
    ),
    (
        "conv_output_size",
        "span dilation + kernel - 1",
        partial(size_buggy, bug="span dilation + kernel - 1"),
        None,
        "the * in dilation*(HH - 1) is written +",
    ),
    *(
        ("conv_forward_naive", label, _bug(conv_forward_scalar_loops, label), None, expected)
        for label, expected in (
            ("all samples' pixel", CONV["every sample summed"]),
            ("tap row from q", "xpad[n, c, i*sh + q*dh, j*sw + q*dw] * w[f, c, p, q]"),
            ("row without i*sh", "(the output row i is 0 in the window's index)"),
            ("w[f, c, p, p]", "(the tap column q is p in w's index)"),
            ("w[f, 0, p, q]", "(the channel c is 0 in w's index)"),
            ("bias inside the p loop", "the bias is added C*HH times, once per channel and tap row (c, p)"),
        )
    ),
    *(
        ("conv_backward_naive", label, _bug(conv_backward_channel_loops, label), None, expected)
        for label, expected in (
            ("dout[n, 0, i, j]", "the upstream gradient is read as dout[n, 0, i, j]"),
            ("dout[n, f, i, 0]", "the upstream gradient is read as dout[n, f, i, 0]"),
            ("dxpad[0] +=", CONV["dx into sample 0"]),
            ("dw[0] +=", CONV["dw into filter 0"]),
            ("xpad[0] in dw", CONV["dw sample 0 windows"]),
            ("db += g", CONV["db without f"]),
            ("factors swapped", CONV["factors swapped"].format(name="dx")),
            ("whole-window dw inside the channel loop", "dw gets each window's term C times"),
        )
    ),
    (
        "conv_backward_naive",
        "dx by fancy +=",
        _bug(conv_backward_fancy, "fancy +="),
        None,
        CONV["fancy +="].format(name="dxpad"),
    ),
    ("im2col", "as_strided with x.strides", _bug(im2col_as_strided, "x.strides"), None, CONV["strided like x"]),
    (
        "conv_forward_im2col",
        "own im2col with x.strides",
        partial(conv_forward_matmul, im2col=_bug(im2col_as_strided, "x.strides")),
        None,
        CONV["strided like x"],
    ),
    (
        "col2im",
        "fancy += with the windows first",
        _bug(col2im_fancy, "fancy +="),
        None,
        COLUMNS["overwrite"],
    ),
    (
        "col2im",
        "fancy += over (c, p, q) x (i, j) indices",
        _bug(col2im_add_at, "fancy +="),
        None,
        CONV["fancy +="].format(name="xpad"),
    ),
    (
        "conv_backward_im2col",
        "col2im of the cached cols",
        _bug(conv_backward_matmul, "col2im of cols"),
        conv_forward_matmul,
        CONV["col2im of cols"],
    ),
]

CORRECT += [
    ("conv_forward_naive", "seven loops, scalar products", conv_forward_scalar_loops, None),
    ("conv_backward_naive", "loops over the channels", conv_backward_channel_loops, None),
    ("conv_backward_naive", "index arrays and np.add.at", conv_backward_fancy, None),
    ("im2col", "as_strided, windows first", im2col_as_strided, None),
    ("col2im", "index arrays, windows first, np.add.at", col2im_fancy, None),
]

# ---------------------------------------------------------------------------------------------
# Issue #16, the fourth corpus's classes: windows sized by another parameter, dx started from x,
# gradients scaled by the pool area or the count, other libraries' defaults, gamma applied the
# wrong number of times, a bias left out, `if not y`, the softmax over the whole batch


def max_pool_forward_window(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    if bug == "size from stride":
        PH, PW = sh, sw
    out = np.zeros((*x.shape[:2], Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]
            out[:, :, i, j] = np.abs(window).max(axis=(2, 3)) if bug == "abs" else window.max(axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward_start(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    dx = x.copy() if bug == "copy" else np.zeros_like(x)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    p, q = np.unravel_index(window.argmax(), window.shape)
                    g = dout[n, c, i, j] / (PH * PW) if bug == "area" else dout[n, c, i, j]
                    dx[n, c, i * sh + p, j * sw + q] += g
    return dx


def avg_pool_forward_shifted(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    H, W = x.shape[2:]
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((*x.shape[:2], Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            a, b = i * sh - ph, j * sw - pw
            r0, c0 = (a, b) if bug == "shifted" else (i * sh, j * sw)
            count = PH * PW if include else (min(a + PH, H) - max(a, 0)) * (min(b + PW, W) - max(b, 0))
            out[:, :, i, j] = xpad[:, :, r0 : r0 + PH, c0 : c0 + PW].sum(axis=(2, 3)) / count
    return out, (x, pool_param)


def avg_pool_backward_times(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    inside = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for i in range(Ho):
        for j in range(Wo):
            rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
            count = PH * PW if include else inside[rows, cols].sum()
            d = dout[:, :, i, j, None, None]
            dxpad[:, :, rows, cols] += d * count if bug == "times" else d / count
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def batchnorm_forward_defaults(x, gamma, beta, bn_param, bug=None):
    C = x.shape[1]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.99 if bug == "keras momentum" else 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    if bn_param["mode"] == "train":
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1 / np.sqrt(var + eps)
    xhat = (x - mean.reshape(1, C, 1, 1)) * inv_std.reshape(1, C, 1, 1)
    out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    return out, (xhat, inv_std, gamma, np.shape(beta))


def batchnorm_backward_gamma(dout, cache, bug=None):
    xhat, inv_std, gamma, beta_shape = cache
    C = dout.shape[1]
    g = np.reshape(gamma, (1, C, 1, 1))
    dxhat = dout / g if bug == "divided" else dout * g
    mean_d = dxhat.mean(axis=(0, 2, 3), keepdims=True)
    mean_dx = (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
    dx = inv_std.reshape(1, C, 1, 1) * (dxhat - mean_d - xhat * mean_dx)
    if bug == "twice":
        dx = dx * g
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    return dx, dgamma, dout.sum(axis=(0, 2, 3)).reshape(beta_shape)


def groupnorm_forward_defaults(x, gamma, beta, G, gn_param, bug=None):
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-3 if bug == "keras eps" else 1e-5)
    xg = x.reshape(N, G, -1)
    xhat = ((xg - xg.mean(axis=2, keepdims=True)) / np.sqrt(xg.var(axis=2, keepdims=True) + eps)).reshape(x.shape)
    out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    return out, (xhat, gamma, G)


def convnet_loss_slips(params, X, y=None, reg=0.0, bug=None):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    conv_param = {"stride": 1, "pad": (W1.shape[2] - 1) // 2}
    a1, c1 = L.conv_forward_naive(X, W1, np.zeros_like(b1) if bug == "no b1" else b1, conv_param)
    r1, cr1 = L.relu_forward(a1)
    p1, cp = L.max_pool_forward_naive(r1, {"pool_height": 2, "pool_width": 2, "stride": 2})
    h, ch = L.affine_forward(p1, W2, b2)
    hr, chr_ = L.relu_forward(h)
    scores, cs = L.affine_forward(hr, W3, b3)
    if (not y) if bug == "if not y" else (y is None):
        return scores
    N = X.shape[0]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = e / (e.sum() if bug == "whole batch" else e.sum(axis=1, keepdims=True))
    loss = -np.log(probs[np.arange(N), y]).mean()
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads = {}
    dhr, grads["W3"], grads["b3"] = L.affine_backward(dscores, cs)
    dp1, grads["W2"], grads["b2"] = L.affine_backward(L.relu_backward(dhr, chr_), ch)
    dr1 = L.max_pool_backward_naive(dp1, cp)
    _, grads["W1"], grads["b1"] = L.conv_backward_naive(L.relu_backward(dr1, cr1), c1)
    for name in ("W1", "W2", "W3"):
        loss += 0.5 * reg * np.sum(params[name] ** 2)
        grads[name] = grads[name] + reg * params[name]
    return loss, grads


# ---------------------------------------------------------------------------------------------
# im2col / col2im element by element, and the naive convolution with a loop over the channels


def im2col_elementwise(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Five loops (c, p, q, i, j), one element of cols at a time."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    for c in range(C):
        for p in range(HH):
            for q in range(WW - 1 if bug == "range(WW - 1)" else WW):
                row = (c * WW if bug == "c*WW" else c * HH * WW) + p * WW + q
                for i in range(Ho):
                    for j in range(Wo - 1 if bug == "range(Wo - 1)" else Wo):
                        cols[:, row, i * Wo + j] = xpad[:, c, i * sh + p * dh, j * sw + q * dw]
    return cols


def col2im_elementwise(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Five loops (c, p, q, i, j), one element of cols added at a time."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for c in range(C):
        for p in range(HH - 1 if bug == "range(HH - 1)" else HH):
            for q in range(WW):
                row = (c * HH if bug == "c*HH" else c * HH * WW) + p * WW + q
                for i in range(Ho):
                    for j in range(Wo):
                        xpad[:, c, i * sh + p * dh, j * sw + q * dw] += cols[:, row, i * Wo + j]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_chained(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Each window's taps as index arrays, chained: xpad[:, :, rows][:, :, :, columns] += adds into a copy."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for i in range(Ho):
        for j in range(Wo):
            rows = i * sh + dh * np.arange(HH)
            columns = j * sw + dw * np.arange(WW)
            xpad[:, :, rows][:, :, :, columns] += cols[:, :, i * Wo + j].reshape(N, C, HH, WW)
    return xpad[:, :, ph : ph + H, pw : pw + W]


def conv_forward_channel_loop(x, w, b, conv_param, bug=None):
    """Loops over n, f, i, j and then the channels c."""
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo - 1 if bug == "range(Wo - 1)" else Wo):
                    total = 0.0
                    for c in range(C - 1 if bug == "range(C - 1)" else C):
                        window = xpad[
                            n, c, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw * (WW - 1) + 1 : dw
                        ]
                        if bug == "= for +=":
                            total = np.sum(window * w[f, c])
                        else:
                            total += np.sum(window * w[f, c])
                    out[n, f, i, j] = total + b[f]
    return out, (x, w, b, conv_param)


def _short(what, loop, one, size, table=COLUMNS):
    return table["loop one short"].format(what=what, loop=loop, one=one, size=size)


BUGGY += [
    (
        "max_pool_forward_naive",
        "window sized by the stride",
        _bug(max_pool_forward_window, "size from stride"),
        None,
        POOL["size from stride"],
    ),
    ("max_pool_forward_naive", "np.abs(window).max()", _bug(max_pool_forward_window, "abs"), None, POOL["abs value"]),
    ("max_pool_backward_naive", "dx = x.copy()", _bug(max_pool_backward_start, "copy"), None, POOL["dx from x"]),
    ("max_pool_backward_naive", "dout / (PH * PW)", _bug(max_pool_backward_start, "area"), None, POOL["max over area"]),
    (
        "avg_pool_forward_naive",
        "window at i*sh - ph in xpad",
        _bug(avg_pool_forward_shifted, "shifted"),
        None,
        AVG_POOL["start minus pad"],
    ),
    ("avg_pool_backward_naive", "dout * count", _bug(avg_pool_backward_times, "times"), None, AVG_POOL["times count"]),
    (
        "spatial_batchnorm_forward",
        "momentum default 0.99",
        _bug(batchnorm_forward_defaults, "keras momentum"),
        None,
        "momentum defaults to 0.99 (Keras)",
    ),
    (
        "spatial_batchnorm_backward",
        "dout / gamma",
        _bug(batchnorm_backward_gamma, "divided"),
        batchnorm_forward_defaults,
        "uses dout / gamma (divided by gamma)",
    ),
    (
        "spatial_batchnorm_backward",
        "dx * gamma again",
        _bug(batchnorm_backward_gamma, "twice"),
        batchnorm_forward_defaults,
        "uses dout * gamma**2 (gamma applied twice)",
    ),
    (
        "spatial_groupnorm_forward",
        "eps default 1e-3",
        _bug(groupnorm_forward_defaults, "keras eps"),
        None,
        "eps defaults to 0.001 (Keras)",
    ),
    (
        "three_layer_convnet_loss",
        "b1 left out",
        _bug(convnet_loss_slips, "no b1"),
        None,
        "b1 is left out of the forward pass",
    ),
    ("three_layer_convnet_loss", "if not y", _bug(convnet_loss_slips, "if not y"), None, "y is tested with `if not y`"),
    (
        "three_layer_convnet_loss",
        "softmax over the whole batch",
        _bug(convnet_loss_slips, "whole batch"),
        None,
        "the softmax is normalized over the whole batch",
    ),
]
CORRECT += [
    ("spatial_batchnorm_backward", "own cache, compact formula", batchnorm_backward_gamma, batchnorm_forward_defaults),
]

BUGGY += [
    (
        "im2col",
        "channel rows start at c*WW",
        _bug(im2col_elementwise, "c*WW"),
        None,
        COLUMNS["channel block"].format(start="c*WW"),
    ),
    (
        "im2col",
        "range(WW - 1) for the tap columns",
        _bug(im2col_elementwise, "range(WW - 1)"),
        None,
        _short("the tap columns", "range(WW - 1)", "tap column", "WW"),
    ),
    (
        "im2col",
        "range(Wo - 1) for the output columns",
        _bug(im2col_elementwise, "range(Wo - 1)"),
        None,
        _short("the output columns", "range(W' - 1)", "column of windows", "W'"),
    ),
    (
        "col2im",
        "channel rows read from c*HH",
        _bug(col2im_elementwise, "c*HH"),
        None,
        COLUMNS["channel block"].format(start="c*HH"),
    ),
    (
        "col2im",
        "range(HH - 1) for the tap rows",
        _bug(col2im_elementwise, "range(HH - 1)"),
        None,
        _short("the tap rows", "range(HH - 1)", "tap row", "HH"),
    ),
    ("col2im", "chained index arrays add into a copy", col2im_chained, None, COLUMNS["nothing written"]),
    (
        "conv_forward_naive",
        "= for += in the loop over the channels",
        _bug(conv_forward_channel_loop, "= for +="),
        None,
        CONV["last channel"],
    ),
    (
        "conv_forward_naive",
        "range(Wo - 1) for the output columns",
        _bug(conv_forward_channel_loop, "range(Wo - 1)"),
        None,
        _short("the output columns", "range(W' - 1)", "output column", "W'", table=CONV),
    ),
    (
        "conv_backward_naive",
        "range(Ho - 1) for the output rows",
        _bug(conv_backward_channel_loops, "range(Ho - 1)"),
        None,
        _short("the output rows", "range(H' - 1)", "output row", "H'", table=CONV),
    ),
    (
        "conv_forward_naive",
        "range(C - 1) for the channels",
        _bug(conv_forward_channel_loop, "range(C - 1)"),
        None,
        _short("the channels", "range(C - 1)", "channel", "C", table=CONV),
    ),
]

CORRECT += [
    ("im2col", "five loops, one element at a time", im2col_elementwise, None),
    ("col2im", "five loops, one element at a time", col2im_elementwise, None),
    ("conv_forward_naive", "a loop over the channels, +=", conv_forward_channel_loop, None),
]


# ---------------------------------------------------------------------------------------------
# the convolution through im2col / col2im, with the helper called wrong


def conv_forward_call(x, w, b, conv_param, bug=None):
    """Own im2col (sliding_window_view), its arguments given as the lesson's signature has them."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    if bug == "conv_param['dilation']":
        dilation = conv_param["dilation"]
    N = x.shape[0]
    F, C, HH, WW = w.shape
    if bug == "stride and pad swapped":
        cols = im2col_strided(x, HH, WW, pad, stride, dilation)
    elif bug == "pad left out":
        cols = im2col_strided(x, HH, WW, stride, dilation=dilation)
    else:
        cols = im2col_strided(x, HH, WW, stride, pad, dilation)
    out = w.reshape(F, -1) @ cols + b[:, None]
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


def conv_backward_rows(dout, cache, bug=None):
    """matmul for dw and dcols, own col2im (np.add.at)."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    ph, pw = pad
    d = dout.reshape(N, F, -1)
    dw = np.matmul(d, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    w_row = w.reshape(F, -1)
    dcols = np.matmul(w_row if bug == "w_row not transposed" else w_row.T, d)
    dx = col2im_add_at(dcols, x.shape, HH, WW, stride, pad, dilation)
    if bug == "cut again":
        dx = dx[:, :, ph : dx.shape[2] - ph, pw : dx.shape[3] - pw]
    return dx, dw, d.sum(axis=(0, 2))


BUGGY += [
    (
        "conv_forward_im2col",
        "stride and pad swapped in the im2col call",
        _bug(conv_forward_call, "stride and pad swapped"),
        None,
        CONV["call"].format(
            helper="im2col",
            what="stride and pad swapped",
            signature="x, filter_height, filter_width, stride, pad, dilation",
            want="stride, then pad",
        ),
    ),
    (
        "conv_forward_im2col",
        "pad left out of the im2col call",
        _bug(conv_forward_call, "pad left out"),
        None,
        CONV["call"].format(
            helper="im2col",
            what="no pad (the default 0)",
            signature="x, filter_height, filter_width, stride, pad, dilation",
            want="pad=pad",
        ),
    ),
    (
        "conv_forward_im2col",
        "conv_param['dilation'] read without a default",
        _bug(conv_forward_call, "conv_param['dilation']"),
        None,
        "the parameter dict may leave out 'dilation'",
    ),
    (
        "conv_backward_im2col",
        "w_row @ dout_rows for dcols",
        _bug(conv_backward_rows, "w_row not transposed"),
        conv_forward_call,
        CONV["w_row untransposed"],
    ),
    (
        "conv_backward_im2col",
        "dx cut by the padding after col2im",
        _bug(conv_backward_rows, "cut again"),
        conv_forward_call,
        CONV["cut twice"],
    ),
]

CORRECT += [
    ("conv_forward_im2col", "own im2col, w_row @ cols", conv_forward_call, None),
    ("conv_backward_im2col", "matmul and own col2im", conv_backward_rows, conv_forward_call),
]


# ---------------------------------------------------------------------------------------------
# The mistakes the fifth and sixth corpora showed the check did not name (2026-12-04), written
# again in styles of their own


def size_truncated(size, kernel, stride, pad, dilation):
    return int((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1


def avg_pool_forward_placed(x, pool_param, bug=None):
    """Loops over the windows of the padded input, the count of real pixels from a mask of ones."""
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    mask = np.pad(np.ones((H, W)), ((ph, ph), (pw, pw)))
    if bug == "input not padded":
        xpad = x
    elif bug == "pad swapped":
        xpad = np.pad(x, ((0, 0), (0, 0), (pw, pw), (ph, ph)))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
            count = PH * PW if include else mask[rows, cols].sum()
            out[:, :, i, j] = xpad[:, :, rows, cols].sum(axis=(2, 3)) / count
    return out, (x, pool_param)


def avg_pool_forward_clip(x, pool_param, bug=None):
    """Each window clipped to x itself; the padding adds nothing to its sum."""
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    H, W = x.shape[2:]
    end_h, end_w = (H - 1, W - 1) if bug == "clip at H - 1" else (H, W)
    out = np.zeros((*x.shape[:2], Ho, Wo))
    for i in range(Ho):
        top, bottom = max(i * sh - ph, 0), min(i * sh - ph + PH, end_h)
        for j in range(Wo):
            left, right = max(j * sw - pw, 0), min(j * sw - pw + PW, end_w)
            count = PH * PW if include else (bottom - top) * (right - left)
            out[:, :, i, j] = x[:, :, top:bottom, left:right].sum(axis=(2, 3)) / count
    return out, (x, pool_param)


def avg_pool_backward_repeat(dout, cache):
    x, pool_param = cache
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    return dout.repeat(PH, axis=2).repeat(PW, axis=3) / (PH * PW)


def conv_backward_w_of_n(dout, cache):
    """dx through w[n]: a sample's index where the filter's belongs (the loops run when N <= F)."""
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad, dw_ = np.zeros_like(xpad), np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    dxpad[n, :, rows, cols] += w[n] * dout[n, f, i, j]
                    dw_[f] += xpad[n, :, rows, cols] * dout[n, f, i, j]
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw_, dout.sum(axis=(0, 2, 3))


def max_pool_forward_stepped(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    if bug == "tiles":
        N, C, H, W = x.shape
        return x.reshape(N, C, H // PH, PH, W // PW, PW).max(axis=(3, 5)), (x, pool_param)
    if bug == "stride swapped":
        sh, sw = sw, sh
    out = np.zeros((*x.shape[:2], Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = np.max(x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW], axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward_mask(dout, cache):
    """Every maximum of the window: the mask of window == its max, taken without keepdims."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]
            mask = window == window.max(axis=(2, 3))
            dx[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW] += mask * dout[:, :, i, j, None, None]
    return dx


def batchnorm_forward_axis0(x, gamma, beta, bn_param):
    """The fully connected layer's batch norm on a 4-D x: statistics over axis 0 only."""
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    C = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    if bn_param["mode"] == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = running_mean.reshape(1, C, 1, 1), running_var.reshape(1, C, 1, 1)
    xhat = (x - mean) / np.sqrt(var + eps)
    return gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1), None


def batchnorm_backward_kept(dout, cache):
    """The reference cache; dgamma and dbeta summed over axis 0 only (as in the fully connected layer)."""
    xhat, inv_std, gamma, beta_shape, _ = cache
    C = xhat.shape[1]
    M = xhat.size // C
    g = np.ravel(gamma).reshape(1, C, 1, 1)
    dxhat = dout * g
    dx = (
        inv_std.reshape(1, C, 1, 1)
        / M
        * (
            M * dxhat
            - dxhat.sum(axis=(0, 2, 3), keepdims=True)
            - xhat * (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True)
        )
    )
    dgamma, dbeta = (dout * xhat).sum(axis=0), dout.sum(axis=0)
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


def groupnorm_backward_kept(dout, cache):
    """The reference group-norm cache; dgamma and dbeta summed over (2, 3), not over the batch."""
    dx = L.spatial_groupnorm_backward(dout, cache)[0]
    xhat, _, gamma, beta_shape, _ = cache
    dgamma, dbeta = (dout * xhat).sum(axis=(2, 3)), dout.sum(axis=(2, 3))
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


def im2col_indexed(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """CS231n's index arrays, with (h, w) pairs: one fancy-indexing gather."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    C = x.shape[1]
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    tap_rows = np.tile(np.repeat(np.arange(HH) * (1 if bug == "rows undilated" else dh), WW), C)
    tap_cols = np.tile(np.arange(WW) * dw, HH * C)
    out_rows = sh * (np.tile(np.arange(Ho), Wo) if bug == "tile for repeat" else np.repeat(np.arange(Ho), Wo))
    out_cols = sw * np.tile(np.arange(Wo), Ho)
    rows = tap_rows[:, None] + out_rows[None, :]
    cols = tap_cols[:, None] + out_cols[None, :]
    channel = np.repeat(np.arange(C), HH * WW)[:, None]
    return xpad[:, channel, rows, cols]


def conv_backward_flat(dout, cache, bug=None):
    """Own im2col cache (conv_forward_call); the 2-D products over every sample at once."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, F = x.shape[0], w.shape[0]
    K = cols.shape[1]
    dout_2d = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*H'*W')
    cols_2d = cols.transpose(1, 0, 2).reshape(K, -1)
    dw_ = (dout_2d @ cols_2d.T).reshape(w.shape)
    dcols_2d = w.reshape(F, -1).T @ dout_2d  # (K, N*H'*W')
    if bug == "dcols reshaped straight":
        dcols = dcols_2d.reshape(N, K, -1)
    else:
        dcols = dcols_2d.reshape(K, N, -1).transpose(1, 0, 2)
    dx = col2im_loops(dcols, x.shape, *w.shape[2:], stride, pad, dilation)
    return dx, dw_, dout.sum(axis=(0, 2, 3))


BUGGY += [
    (
        "conv_output_size",
        "int() of a true division, + 1",
        size_truncated,
        None,
        "int() of a true division rounds a negative numerator",
    ),
    (
        "avg_pool_forward_naive",
        "windows read from x unpadded, counts of the padded input",
        _bug(avg_pool_forward_placed, "input not padded"),
        None,
        AVG_POOL["no pad"],
    ),
    (
        "avg_pool_forward_naive",
        "pad pair swapped",
        _bug(avg_pool_forward_placed, "pad swapped"),
        None,
        "pad pair is swapped",
    ),
    ("avg_pool_forward_naive", "windows clipped at H - 1", _bug(avg_pool_forward_clip, "clip at H - 1"), None, "H - 1"),
    ("avg_pool_backward_naive", "np.repeat of dout", avg_pool_backward_repeat, None, AVG_POOL["repeat"]),
    ("conv_backward_naive", "dx through w[n]", conv_backward_w_of_n, None, CONV["dx w of n"]),
    (
        "max_pool_forward_naive",
        "stride pair swapped (an empty window)",
        _bug(max_pool_forward_stepped, "stride swapped"),
        None,
        "the rows step by the columns' stride",
    ),
    (
        "max_pool_forward_naive",
        "side-by-side tiles",
        _bug(max_pool_forward_stepped, "tiles"),
        None,
        "side-by-side tiles",
    ),
    ("max_pool_backward_naive", "window max without keepdims", max_pool_backward_mask, None, "keepdims=True"),
    ("spatial_batchnorm_forward", "statistics over axis 0 only", batchnorm_forward_axis0, None, "axis 0 only"),
    (
        "spatial_batchnorm_backward",
        "dgamma and dbeta summed over axis 0 only",
        batchnorm_backward_kept,
        None,
        "60 is C * H * W",
    ),
    (
        "spatial_groupnorm_backward",
        "dgamma and dbeta summed over (2, 3) only",
        groupnorm_backward_kept,
        None,
        "so a per-channel sum kept those axes",
    ),
    (
        "im2col",
        "np.tile for np.repeat in the output rows",
        _bug(im2col_indexed, "tile for repeat"),
        None,
        "np.tile(np.arange(H'), W')",
    ),
    (
        "im2col",
        "the rows' taps undilated",
        _bug(im2col_indexed, "rows undilated"),
        None,
        "the rows ignore the dilation",
    ),
    (
        "conv_backward_im2col",
        "dcols of the 2-D product reshaped straight",
        _bug(conv_backward_flat, "dcols reshaped straight"),
        conv_forward_call,
        CONV["2-D dcols"],
    ),
]

CORRECT += [
    ("avg_pool_forward_naive", "windows clipped to x", avg_pool_forward_clip, None),
    ("im2col", "CS231n's index arrays", im2col_indexed, None),
    ("conv_backward_im2col", "2-D products over every sample", conv_backward_flat, conv_forward_call),
]


# ---------------------------------------------------------------------------------------------
# The mistakes the seventh and eighth corpora showed the check did not name (2026-12-04)


def size_raises(size, kernel, stride, pad, dilation):
    span = dilation * (kernel - 1) + 1
    if size + 2 * pad < span:
        raise ValueError("the filter does not fit")
    return (size + 2 * pad - span) // stride + 1


def conv_forward_taps_assigned(x, w, b, conv_param):
    """One product per tap, out = ... where out += ... belongs."""
    x, w, b, (sh, sw), pad, (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    xpad = np.pad(x, ((0, 0), (0, 0), (pad[0],) * 2, (pad[1],) * 2))
    out = np.zeros((x.shape[0], w.shape[0], Ho, Wo))
    for p in range(w.shape[2]):
        for q in range(w.shape[3]):
            tap = xpad[:, :, p * dh : p * dh + sh * (Ho - 1) + 1 : sh, q * dw : q * dw + sw * (Wo - 1) + 1 : sw]
            out = np.einsum("ncij,fc->nfij", tap, w[:, :, p, q])
    return out + b[None, :, None, None], (x, w, b, conv_param)


def conv_forward_whole_bias(x, w, b, conv_param):
    x, w, b, (sh, sw), pad, (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    xpad = np.pad(x, ((0, 0), (0, 0), (pad[0],) * 2, (pad[1],) * 2))
    HH, WW = w.shape[2:]
    out = np.zeros((x.shape[0], w.shape[0], Ho, Wo))
    for n in range(x.shape[0]):
        for f in range(w.shape[0]):
            for i in range(Ho):
                for j in range(Wo):
                    window = xpad[
                        n, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw * (WW - 1) + 1 : dw
                    ]
                    out[n, f, i, j] = np.sum(window * w[f]) + b
    return out, (x, w, b, conv_param)


def conv_backward_stride_one(dout, cache):
    """Lesson 2's stride-1 convolutions for dx and dw, whatever the stride."""
    x, w, b, conv_param = cache
    x, w, b, stride, (ph, pw), dilation, _ = shapes.check_conv_inputs(x, w, b, conv_param)
    HH, WW = w.shape[2:]
    flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    full = L.conv_forward_naive(dout, flipped, np.zeros(x.shape[1]), {"stride": 1, "pad": (HH - 1, WW - 1)})[0]
    dx = full[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]]
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dw_ = L.conv_forward_naive(
        xpad.transpose(1, 0, 2, 3), dout.transpose(1, 0, 2, 3), np.zeros(w.shape[0]), {"stride": 1, "pad": 0}
    )[0]
    return dx, dw_.transpose(1, 0, 2, 3), dout.sum(axis=(0, 2, 3))


def max_pool_forward_view(x, pool_param):
    """Every window's max, then every stride-th of them, the stride pair read the wrong way round."""
    x, (PH, PW), (sh, sw), _ = shapes.check_pool_inputs(x, pool_param)
    every = sliding_window_view(x, (PH, PW), axis=(2, 3)).max(axis=(4, 5))
    return every[:, :, ::sw, ::sh], (x, pool_param)


def max_pool_forward_starts(x, pool_param):
    """Loops over the window starts, range(0, H - PH, sh): the last start left out."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    H, W = x.shape[2:]
    out = np.zeros((*x.shape[:2], Ho, Wo))
    for i, r in enumerate(range(0, H - PH, sh)):
        for j, s in enumerate(range(0, W - PW, sw)):
            out[:, :, i, j] = x[:, :, r : r + PH, s : s + PW].max(axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward_sliced(dout, cache):
    """The winners' rows and columns as (N, C) index arrays, with slices for n and c."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C = x.shape[:2]
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            k = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1).argmax(axis=2)
            dx[:, :, i * sh + k // PW, j * sw + k % PW] += dout[:, :, i, j]
    return dx


def batchnorm_forward_rows_back(x, gamma, beta, bn_param):
    """The rows (N*H*W, C), reshaped back to (N, C, H, W) without the transpose."""
    N, C, H, W = x.shape
    out, cache = L.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    rows = out.transpose(0, 2, 3, 1).reshape(-1, C)
    return rows.reshape(N, C, H, W), cache


def groupnorm_forward_at_g(x, gamma, beta, G, gn_param):
    """Group g sliced as channels g : g + C // G."""
    N, C = x.shape[:2]
    eps, Cg = gn_param.get("eps", 1e-5), C // G
    xhat = np.zeros_like(x)
    for g in range(G):
        block = x[:, g : g + Cg]
        mean, var = block.mean(axis=(1, 2, 3), keepdims=True), block.var(axis=(1, 2, 3), keepdims=True)
        xhat[:, g : g + Cg] = (block - mean) / np.sqrt(var + eps)
    return np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1)), None


BUGGY += [
    (
        "conv_output_size",
        "raises where the filter does not fit",
        size_raises,
        None,
        "it raises where the filter does not fit",
    ),
    ("conv_forward_naive", "out = ... in the tap loop", conv_forward_taps_assigned, None, CONV["last tap"]),
    (
        "conv_forward_naive",
        "the whole bias b added to one element",
        conv_forward_whole_bias,
        None,
        "the whole bias b where b[f] belongs",
    ),
    (
        "conv_backward_naive",
        "lesson 2's stride-1 convolutions",
        conv_backward_stride_one,
        None,
        CONV["as convolutions"],
    ),
    (
        "max_pool_forward_naive",
        "window view subsampled [::sw, ::sh]",
        max_pool_forward_view,
        None,
        "the stride pair is swapped",
    ),
    ("max_pool_forward_naive", "range(0, H - PH, sh)", max_pool_forward_starts, None, "range(0, H - PH, sh)"),
    (
        "max_pool_backward_naive",
        "slices with (N, C) index arrays",
        max_pool_backward_sliced,
        None,
        "(N, C) index arrays",
    ),
    (
        "spatial_batchnorm_forward",
        "rows reshaped back without the transpose",
        batchnorm_forward_rows_back,
        None,
        "out holds its numbers in the order (n, h, w, c)",
    ),
    (
        "spatial_groupnorm_forward",
        "groups sliced at g",
        groupnorm_forward_at_g,
        None,
        "group g is sliced as channels g : g + C // G",
    ),
]
