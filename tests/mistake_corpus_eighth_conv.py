"""An eighth held-out corpus of student mistakes, the convolution half, written blind to the checker (2026-12-04).

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the
earlier corpora (``tests/mistake_corpus_fourth.py`` and the others), for the exercises of lessons
1, 2, 3 and 7: ``conv_output_size``, ``conv_forward_naive``, ``conv_backward_naive``, ``im2col``,
``col2im``, ``conv_forward_im2col``, ``conv_backward_im2col`` and ``three_layer_convnet_loss``.
They measure how often the checker names a mistake it was never tuned to. The pooling and
normalization exercises are the other half, written separately.

Each wrong row holds ONE mistake, the one a student of a mixed class would typically make:
first-time NumPy users (``np.pad`` on every axis, a reshape where a transpose is needed, ``=``
for ``+=``, a bias that broadcasts over the wrong axis, ``.T`` on a 3-D array, ``keepdims``),
students who know the math but slip in the loops (a stride or a dilation forgotten in one place,
H' for W', the padding cut with ``ph:-ph``, the kernel flipped as in a math course), students who
vectorize eagerly (a tap slice with the wrong step, an einsum accumulated with ``=``) and
students who carry CS231n or PyTorch habits over (``conv_param['stride']`` read as an int,
CS231n's 2-D column layout, weight decay without a loss term). About half the rows are in the
loop style of the stubs, half vectorized. The rows with ``should_pass`` True are correct
implementations in unusual styles (float floor, ``sliding_window_view``, ``np.add.at``,
per-position tensordot, CS231n's 2-D matrices, the naive layers and a hand-written softmax).

How it was written: from the student edition of lessons 1, 2, 3 and 7 (``lessons/*.ipynb``: the
explanations, the stubs, their docstrings and hints), ``cnnlab/layers``, ``cnnlab/shapes.py``,
``cnnlab/geometry.py``, ``cnnlab/im2col.py``, ``cnnlab/model.py`` and ``cnnlab/cases.py``, blind:
without reading the checker (``cnnlab/exercises/``), ``tests/student_impls.py``,
``tests/test_exercises.py``, ``tests/test_crashes.py`` or any other corpus (only the docstring and
first helper of ``tests/mistake_corpus_fourth.py``, for the format), and without running the check
on any row. Every row was verified against cnnlab's reference implementations only, by
``tests/verify_mistake_corpus_eighth_conv.py``: each wrong row differs from the reference (a wrong
value, a wrong shape or an exception) on at least one input, each right row matches it to a
relative error of 1e-8 on every input.

The stubs' given lines are kept: the validation by ``shapes.check_conv_inputs`` (or
``check_window_inputs`` / ``check_window_geometry``), which hands over stride, pad and dilation as
(h, w) pairs. The im2col exercises call the student's OWN ``im2col`` and ``col2im`` (the correct
helpers below), never cnnlab's, as lesson 3 says. ``forward`` is None for every backward row: they
read cnnlab's cache format (conv ``(x, w, b, conv_param)``, conv im2col ``(x, w, b, conv_param,
cols)``, whose cols are in the layout of the student's own im2col).

73 rows: 65 wrong, 8 right (one right row per exercise). Per exercise, wrong + right:
conv_output_size 5 + 1, conv_forward_naive 10 + 1 (7 in loops, 3 vectorized), conv_backward_naive
10 + 1 (8 in loops, 2 vectorized), im2col 8 + 1 (5 window loop, 3 tap loop), col2im 8 + 1 (2 window
loop, 6 tap loop), conv_forward_im2col 6 + 1, conv_backward_im2col 6 + 1, three_layer_convnet_loss
12 + 1. Written and verified 2026-12-04; not measured against the checker."""

from __future__ import annotations

from functools import partial

import numpy as np

from cnnlab import layers as L
from cnnlab import shapes

sliding_window_view = np.lib.stride_tricks.sliding_window_view


def _b(fn, bug):
    return partial(fn, bug=bug)


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper."""
    return [(exercise, bug, _b(fn, bug), forward, False) for bug in bugs]


def _right(exercise, label, fn, forward=None):
    return [(exercise, label, fn, forward, True)]


def _pad(x, ph, pw):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


CORPUS = []

# ---------------------------------------------------------------------------------------------
# conv_output_size (lesson 1): O = (I + 2P - D(K - 1) - 1) // S + 1, returned even when < 1


def out_size(size, kernel, stride, pad, dilation, bug=None):
    if bug == "dilation left out, the CS231n formula (I + 2P - K) // S + 1":
        return (size + 2 * pad - kernel) // stride + 1
    if bug == "padding added at one end only (I + P)":
        return (size + pad - dilation * (kernel - 1) - 1) // stride + 1
    if bug == "the dilated span taken as D * K":
        return (size + 2 * pad - dilation * kernel) // stride + 1
    last = size + 2 * pad - dilation * (kernel - 1) - 1
    if bug == "clamped to 0 when the filter does not fit (max(0, O))":
        return max(0, last // stride + 1)
    if bug == "round(last / S) instead of floor division":
        return int(round(last / stride)) + 1
    return last // stride + 1


CORPUS += _rows(
    "conv_output_size",
    out_size,
    [
        "dilation left out, the CS231n formula (I + 2P - K) // S + 1",
        "padding added at one end only (I + P)",
        "the dilated span taken as D * K",
        "clamped to 0 when the filter does not fit (max(0, O))",
        "round(last / S) instead of floor division",
    ],
)


def out_size_float_floor(size, kernel, stride, pad, dilation):
    """Right: np.floor of a true division, then int (exact for these small integers)."""
    span = dilation * (kernel - 1) + 1
    return int(np.floor((size + 2 * pad - span) / stride)) + 1


CORPUS += _right("conv_output_size", "np.floor of a true division, cast to int", out_size_float_floor)

# ---------------------------------------------------------------------------------------------
# conv_forward_naive (lesson 2)


def fwd_loops(x, w, b, conv_param, bug=None):
    """The stub's four loops over n, f, i, j."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if bug == "np.pad(x, pad): pads the N and C axes too":
        xpad = np.pad(x, pad)
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    src = x if bug == "windows read from x, not from the padded xpad" else xpad
    wk = w[:, :, ::-1, ::-1] if bug == "kernel flipped, a true convolution as in a math course" else w
    rows_n, cols_n = (Wo, Ho) if bug == "loops over range(Wo) for i and range(Ho) for j" else (Ho, Wo)
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(rows_n):
                for j in range(cols_n):
                    r0 = i if bug == "window starts at i, the stride forgotten" else i * sh
                    c0 = j if bug == "window starts at i, the stride forgotten" else j * sw
                    if bug == "window stop i*sh + HH: the dilated span forgotten":
                        rows, cols = slice(r0, r0 + HH, dh), slice(c0, c0 + WW, dw)
                    else:
                        rows = slice(r0, r0 + dh * (HH - 1) + 1, dh)
                        cols = slice(c0, c0 + dw * (WW - 1) + 1, dw)
                    window = src[n, :, rows, cols]
                    if bug == "bias added once per input channel (a loop over c)":
                        for c in range(C):
                            out[n, f, i, j] += np.sum(window[c] * wk[f, c]) + b[f]
                    else:
                        out[n, f, i, j] = np.sum(window * wk[f]) + b[f]
    return out, (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    fwd_loops,
    [
        "np.pad(x, pad): pads the N and C axes too",
        "windows read from x, not from the padded xpad",
        "kernel flipped, a true convolution as in a math course",
        "loops over range(Wo) for i and range(Ho) for j",
        "window starts at i, the stride forgotten",
        "window stop i*sh + HH: the dilated span forgotten",
        "bias added once per input channel (a loop over c)",
    ],
)


def fwd_taps(x, w, b, conv_param, bug=None):
    """Vectorized: one loop over the taps (p, q), an einsum over the channels for all n, f, i, j."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    out = np.zeros((N, F, Ho, Wo))
    for p in range(HH):
        for q in range(WW):
            if bug == "tap offset p*sh: the stride used as the tap spacing":
                r0, c0 = p * sh, q * sw
            else:
                r0, c0 = p * dh, q * dw
            patch = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]  # (N, C, Ho, Wo)
            term = np.einsum("ncij,fc->nfij", patch, w[:, :, p, q])
            if bug == "out = einsum(...) in the tap loop: only the last tap kept":
                out = term
            else:
                out += term
    if bug == "bias added as out + b: broadcasts over W', not F":
        out = out + b
    else:
        out += b[None, :, None, None]
    return out, (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    fwd_taps,
    [
        "tap offset p*sh: the stride used as the tap spacing",
        "out = einsum(...) in the tap loop: only the last tap kept",
        "bias added as out + b: broadcasts over W', not F",
    ],
)


def fwd_sliding(x, w, b, conv_param):
    """Right: sliding_window_view over the dilated span, subsampled by stride and dilation, one einsum."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    span = (dh * (HH - 1) + 1, dw * (WW - 1) + 1)
    win = sliding_window_view(xpad, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, Ho, Wo, HH, WW)
    out = np.einsum("ncijpq,fcpq->nfij", win[:, :, :Ho, :Wo], w) + b[:, None, None]
    return out, (x, w, b, conv_param)


CORPUS += _right("conv_forward_naive", "sliding_window_view and one einsum", fwd_sliding)

# ---------------------------------------------------------------------------------------------
# conv_backward_naive (lesson 2): the cache is (x, w, b, conv_param)


def bwd_loops(dout, cache, bug=None):
    """The forward's four loops, adding each step's contributions."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if bug == "stride and pad read from conv_param as ints, not the validated pairs":
        sh = sw = conv_param["stride"]
        ph = pw = conv_param["pad"]
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    wk = w[:, :, ::-1, ::-1] if bug == "dx from the flipped kernel (lesson 1's full correlation, in the loops)" else w
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    g = dout[n, f, i, j]
                    if bug == "dxpad window assigned with = instead of +=":
                        dxpad[n, :, rows, cols] = g * wk[f]
                    else:
                        dxpad[n, :, rows, cols] += g * wk[f]
                    if bug == "dw from the window of the unpadded x":
                        dw_[f] += g * x[n, :, rows, cols]
                    else:
                        dw_[f] += g * xpad[n, :, rows, cols]
    if bug == "dw averaged over the batch (divided by N)":
        dw_ /= N
    if bug == "db summed over axis 0 only":
        db = dout.sum(axis=0)
    else:
        db = dout.sum(axis=(0, 2, 3))
    if bug == "padding cut as dxpad[:, :, ph:-ph, pw:-pw] (empty when the pad is 0)":
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    elif bug == "dxpad returned, the padding not cut away":
        dx = dxpad
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw_, db


CORPUS += _rows(
    "conv_backward_naive",
    bwd_loops,
    [
        "stride and pad read from conv_param as ints, not the validated pairs",
        "dx from the flipped kernel (lesson 1's full correlation, in the loops)",
        "dxpad window assigned with = instead of +=",
        "dw from the window of the unpadded x",
        "dw averaged over the batch (divided by N)",
        "db summed over axis 0 only",
        "padding cut as dxpad[:, :, ph:-ph, pw:-pw] (empty when the pad is 0)",
        "dxpad returned, the padding not cut away",
    ],
)


def bwd_taps(dout, cache, bug=None):
    """Vectorized: one loop over the taps (p, q); each tap's slice of every window at once."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    for p in range(HH):
        for q in range(WW):
            r0, c0 = p * dh, q * dw
            if bug == "tap slice step dh (the dilation) instead of sh":
                rs = slice(r0, r0 + sh * (Ho - 1) + 1, dh)
                cs = slice(c0, c0 + sw * (Wo - 1) + 1, dw)
            else:
                rs = slice(r0, r0 + sh * (Ho - 1) + 1, sh)
                cs = slice(c0, c0 + sw * (Wo - 1) + 1, sw)
            dw_[:, :, p, q] = np.einsum("nfij,ncij->fc", dout, xpad[:, :, rs, cs])
            dxpad[:, :, rs, cs] += np.einsum("nfij,fc->ncij", dout, w[:, :, p, q])
    db = dout.sum(axis=(0, 2, 3), keepdims=bug == "db with keepdims=True: shape (1, F, 1, 1)")
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw_, db


CORPUS += _rows(
    "conv_backward_naive",
    bwd_taps,
    [
        "tap slice step dh (the dilation) instead of sh",
        "db with keepdims=True: shape (1, F, 1, 1)",
    ],
)


def bwd_positions(dout, cache):
    """Right: a loop over the output positions only; tensordot over the samples and the filters."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    for i in range(Ho):
        for j in range(Wo):
            rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
            cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
            g = dout[:, :, i, j]  # (N, F)
            dxpad[:, :, rows, cols] += np.tensordot(g, w, axes=(1, 0))  # (N, C, HH, WW)
            dw_ += np.tensordot(g, xpad[:, :, rows, cols], axes=(0, 0))  # (F, C, HH, WW)
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw_, dout.sum(axis=(0, 2, 3))


CORPUS += _right("conv_backward_naive", "a loop over positions, tensordot over samples and filters", bwd_positions)

# ---------------------------------------------------------------------------------------------
# im2col (lesson 3): cols (N, C*HH*WW, H'*W'), row c*HH*WW + p*WW + q, column r*W' + s


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """The obvious way: a loop over the windows (r, s), each window one column."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    if bug == "no padding: the windows read x itself":
        xpad = x
    elif bug == "pw pads the height and ph the width":
        xpad = np.pad(x, ((0, 0), (0, 0), (pw, pw), (ph, ph)))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    patches = []
    for r in range(Ho):
        for s in range(Wo):
            if bug == "window slice r*sh : r*sh + HH, without the dilation":
                win = xpad[:, :, r * sh : r * sh + HH, s * sw : s * sw + WW]
            else:
                win = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            k = s * Ho + r if bug == "column s*H' + r: the positions in column-major order" else r * Wo + s
            if bug == "windows stacked as (N, H'*W', C*HH*WW) and reshaped, not transposed":
                patches.append(win.reshape(N, -1))
            else:
                cols[:, :, k] = win.reshape(N, -1)
    if patches:
        return np.stack(patches, axis=1).reshape(N, C * HH * WW, Ho * Wo)
    return cols


CORPUS += _rows(
    "im2col",
    im2col_windows,
    [
        "no padding: the windows read x itself",
        "pw pads the height and ph the width",
        "window slice r*sh : r*sh + HH, without the dilation",
        "column s*H' + r: the positions in column-major order",
        "windows stacked as (N, H'*W', C*HH*WW) and reshaped, not transposed",
    ],
)


def im2col_taps(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """The faster way: a loop over the taps (p, q), each one strided slice of every window."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    tap_first = bug == "taps stored as (N, HH, WW, C, H', W'): rows in (tap, channel) order"
    taps = np.zeros((N, HH, WW, C, Ho, Wo) if tap_first else (N, C, HH, WW, Ho, Wo))
    for p in range(HH):
        for q in range(WW):
            if bug == "tap start p, q: the dilation forgotten":
                r0, c0 = p, q
            else:
                r0, c0 = p * dh, q * dw
            tap = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]  # (N, C, Ho, Wo)
            if tap_first:
                taps[:, p, q] = tap
            else:
                taps[:, :, p, q] = tap
    if bug == "CS231n's 2-D layout (C*HH*WW, H'*W'*N)":
        return taps.reshape(N, C * HH * WW, Ho * Wo).transpose(1, 2, 0).reshape(C * HH * WW, -1)
    return taps.reshape(N, C * HH * WW, Ho * Wo)


CORPUS += _rows(
    "im2col",
    im2col_taps,
    [
        "taps stored as (N, HH, WW, C, H', W'): rows in (tap, channel) order",
        "tap start p, q: the dilation forgotten",
        "CS231n's 2-D layout (C*HH*WW, H'*W'*N)",
    ],
)


def im2col_sliding(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: sliding_window_view over the dilated span, subsampled, then one transpose."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    win = sliding_window_view(xpad, (dh * (HH - 1) + 1, dw * (WW - 1) + 1), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :Ho, :Wo]  # (N, C, Ho, Wo, HH, WW)
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * HH * WW, Ho * Wo)


CORPUS += _right("im2col", "sliding_window_view, subsampled, one transpose", im2col_sliding)

# ---------------------------------------------------------------------------------------------
# col2im (lesson 3): the adjoint of im2col, adding the columns back and cutting the padding


def col2im_taps(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """A loop over the taps (p, q): one strided add per tap, as the lesson suggests."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    tap_first = bug == "cols split as (N, HH, WW, C, H', W'): (tap, channel) order"
    c6 = cols.reshape((N, HH, WW, C, Ho, Wo) if tap_first else (N, C, HH, WW, Ho, Wo))
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    counts = np.zeros_like(xpad)
    for p in range(HH):
        for q in range(WW):
            if bug == "tap offset p*sh: the stride used as the tap spacing":
                r0, c0 = p * sh, q * sw
            else:
                r0, c0 = p * dh, q * dw
            rs = slice(r0, r0 + sh * (Ho - 1) + 1, sh)
            cs = slice(c0, c0 + sw * (Wo - 1) + 1, sw)
            tap = c6[:, p, q] if tap_first else c6[:, :, p, q]
            if bug == "tap added with = instead of +=":
                xpad[:, :, rs, cs] = tap
            else:
                xpad[:, :, rs, cs] += tap
            counts[:, :, rs, cs] += 1
    if bug == "divided by the window counts: an inverse of im2col, not its adjoint":
        xpad = xpad / np.maximum(counts, 1)
    if bug == "padding cut as xpad[:, :, ph:-ph, pw:-pw] (empty when the pad is 0)":
        return xpad[:, :, ph:-ph, pw:-pw]
    if bug == "the padded image returned, the padding not cut away":
        return xpad
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im_taps,
    [
        "cols split as (N, HH, WW, C, H', W'): (tap, channel) order",
        "tap offset p*sh: the stride used as the tap spacing",
        "tap added with = instead of +=",
        "divided by the window counts: an inverse of im2col, not its adjoint",
        "padding cut as xpad[:, :, ph:-ph, pw:-pw] (empty when the pad is 0)",
        "the padded image returned, the padding not cut away",
    ],
)


def col2im_windows(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """A loop over the windows (r, s): each column reshaped to (N, C, HH, WW) and added back."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for r in range(Ho):
        for s in range(Wo):
            k = r * Ho + s if bug == "column r*H' + s: H' for W'" else r * Wo + s
            r0, c0 = (r, s) if bug == "window starts at r, s: the stride forgotten" else (r * sh, s * sw)
            rows = slice(r0, r0 + dh * (HH - 1) + 1, dh)
            colsl = slice(c0, c0 + dw * (WW - 1) + 1, dw)
            xpad[:, :, rows, colsl] += cols[:, :, k].reshape(N, C, HH, WW)
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im_windows,
    [
        "column r*H' + s: H' for W'",
        "window starts at r, s: the stride forgotten",
    ],
)


def col2im_add_at(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: np.add.at with broadcast row and column indices, unbuffered, so overlaps add up."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    rows = np.arange(HH)[:, None] * dh + np.arange(Ho)[None, :] * sh  # (HH, Ho)
    cols_i = np.arange(WW)[:, None] * dw + np.arange(Wo)[None, :] * sw  # (WW, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    index = (slice(None), slice(None), rows[:, None, :, None], cols_i[None, :, None, :])
    np.add.at(xpad, index, cols.reshape(N, C, HH, WW, Ho, Wo))
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _right("col2im", "np.add.at with broadcast index arrays", col2im_add_at)

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col (lesson 3): the student's own im2col (the correct tap-loop one above)


def my_im2col(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """The student's own im2col, which passed its check."""
    return im2col_taps(x, filter_height, filter_width, stride, pad, dilation)


def my_col2im(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """The student's own col2im, which passed its check."""
    return col2im_taps(cols, x_shape, filter_height, filter_width, stride, pad, dilation)


def fwd_cols(x, w, b, conv_param, bug=None):
    """The lesson's three lines: columns, w_row @ cols, bias and reshape."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "dilation not passed to im2col":
        cols = my_im2col(x, HH, WW, stride, pad)
    else:
        cols = my_im2col(x, HH, WW, stride, pad, dilation)  # (N, C*HH*WW, Ho*Wo)
    if bug == "w.reshape(C*HH*WW, F).T for w.reshape(F, -1)":
        w_row = w.reshape(C * HH * WW, F).T
    else:
        w_row = w.reshape(F, -1)
    if bug == "cols^T @ w_row.T, (N, H'*W', F), reshaped to (N, F, H', W') without a transpose":
        out = (cols.transpose(0, 2, 1) @ w_row.T).reshape(N, F, Ho, Wo) + b.reshape(1, F, 1, 1)
        return out, (x, w, b, conv_param, cols)
    if bug == "CS231n's (F, N*H'*W') product reshaped to (N, F, H', W'), N not moved first":
        cols2 = cols.transpose(1, 0, 2).reshape(C * HH * WW, N * Ho * Wo)
        out = (w_row @ cols2 + b[:, None]).reshape(N, F, Ho, Wo)
        return out, (x, w, b, conv_param, cols)
    out = w_row @ cols  # (N, F, Ho*Wo)
    if bug == "out reshaped to (N, F, W', H')":
        out = (out + b.reshape(1, F, 1)).reshape(N, F, Wo, Ho)
    elif bug == "bias b.reshape(F, 1) added after the reshape to (N, F, H', W')":
        out = out.reshape(N, F, Ho, Wo) + b.reshape(F, 1)
    else:
        out = (out + b.reshape(1, F, 1)).reshape(N, F, Ho, Wo)
    return out, (x, w, b, conv_param, cols)


CORPUS += _rows(
    "conv_forward_im2col",
    fwd_cols,
    [
        "dilation not passed to im2col",
        "w.reshape(C*HH*WW, F).T for w.reshape(F, -1)",
        "cols^T @ w_row.T, (N, H'*W', F), reshaped to (N, F, H', W') without a transpose",
        "CS231n's (F, N*H'*W') product reshaped to (N, F, H', W'), N not moved first",
        "out reshaped to (N, F, W', H')",
        "bias b.reshape(F, 1) added after the reshape to (N, F, H', W')",
    ],
)


def fwd_cols_2d(x, w, b, conv_param):
    """Right: CS231n's 2-D matrices, (F, K) @ (K, N*H'*W'), with the batch moved back in front;
    the columns from the student's own window-loop im2col."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols = im2col_windows(x, HH, WW, stride, pad, dilation)
    cols2 = cols.transpose(1, 0, 2).reshape(C * HH * WW, N * Ho * Wo)
    out = (w.reshape(F, -1) @ cols2 + b[:, None]).reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3)
    return out, (x, w, b, conv_param, cols)


CORPUS += _right("conv_forward_im2col", "CS231n's 2-D product, transposed back to (N, F, H', W')", fwd_cols_2d)

# ---------------------------------------------------------------------------------------------
# conv_backward_im2col (lesson 3): the cache is (x, w, b, conv_param, cols); dx by the student's col2im


def bwd_cols(dout, cache, bug=None):
    """Section 6 of lesson 3: db, dw = sum_n dout_n cols_n^T, dx = col2im(w_row^T dout)."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "dout.reshape(F, -1) as the (F, N*H'*W') matrix: samples and filters mixed":
        d2 = dout.reshape(F, -1)
        c2 = cols.transpose(1, 0, 2).reshape(C * HH * WW, -1)
        dcols = (w.reshape(F, -1).T @ d2).reshape(C * HH * WW, N, Ho * Wo).transpose(1, 0, 2)
        dx = my_col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
        return dx, (d2 @ c2.T).reshape(w.shape), d2.sum(axis=1)
    dout_rows = dout.reshape(N, F, Ho * Wo)
    if bug == "db = dout.sum(axis=(0, 2)) on the 4-D dout":
        db = dout.sum(axis=(0, 2))
    else:
        db = dout_rows.sum(axis=(0, 2))
    if bug == "cols.T on the 3-D cols: all three axes reversed":
        dw = (dout_rows @ cols.T).sum(axis=0).reshape(F, C, HH, WW)
    elif bug == "dw averaged over the batch (mean for sum over n)":
        dw = (dout_rows @ cols.transpose(0, 2, 1)).mean(axis=0).reshape(F, C, HH, WW)
    elif bug == "dw computed as (C*HH*WW, F) and reshaped to w.shape without a transpose":
        dw = (cols @ dout_rows.transpose(0, 2, 1)).sum(axis=0).reshape(F, C, HH, WW)
    else:
        dw = (dout_rows @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(F, C, HH, WW)
    dcols = w.reshape(F, -1).T @ dout_rows  # (N, C*HH*WW, Ho*Wo)
    if bug == "dilation not passed to col2im":
        dx = my_col2im(dcols, x.shape, HH, WW, stride, pad)
    else:
        dx = my_col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


CORPUS += _rows(
    "conv_backward_im2col",
    bwd_cols,
    [
        "dout.reshape(F, -1) as the (F, N*H'*W') matrix: samples and filters mixed",
        "db = dout.sum(axis=(0, 2)) on the 4-D dout",
        "cols.T on the 3-D cols: all three axes reversed",
        "dw averaged over the batch (mean for sum over n)",
        "dw computed as (C*HH*WW, F) and reshaped to w.shape without a transpose",
        "dilation not passed to col2im",
    ],
)


def bwd_cols_einsum(dout, cache):
    """Right: einsum for dw and dcols, dx by the student's own np.add.at col2im."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    d3 = dout.reshape(N, F, Ho * Wo)
    dw = np.einsum("nfp,nkp->fk", d3, cols).reshape(w.shape)
    dcols = np.einsum("fk,nfp->nkp", w.reshape(F, -1), d3)
    dx = col2im_add_at(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, np.einsum("nfp->f", d3)


CORPUS += _right("conv_backward_im2col", "einsum for dw and dcols, an np.add.at col2im", bwd_cols_einsum)

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss (lesson 7): conv - relu - 2x2 max pool - affine - relu - affine - softmax,
# mean softmax loss + 0.5 * reg * (sum W1^2 + sum W2^2 + sum W3^2); the conv pads (K - 1) // 2

POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}
WEIGHTS = ("W1", "W2", "W3")


def _softmax(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def convnet(params, X, y=None, reg=0.0, bug=None):
    """The chain of cnnlab.layers (im2col versions), forward then backward in reverse."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    K = W1.shape[2]
    pad = K // 2 if bug == "pad K // 2: wrong for an even filter" else (K - 1) // 2
    a1, conv_cache = L.conv_forward_im2col(X, W1, b1, {"stride": 1, "pad": pad})
    r1, relu1_cache = L.relu_forward(a1)
    p1, pool_cache = L.max_pool_forward_im2col(r1, POOL)
    a2, aff2_cache = L.affine_forward(p1, W2, b2)
    r2, relu2_cache = L.relu_forward(a2)
    scores, aff3_cache = L.affine_forward(r2, W3, b3)
    if bug == "`if not y:` for `if y is None:`":
        if not y:
            return scores
    elif y is None:
        if bug == "softmax probabilities returned instead of the raw scores":
            return _softmax(scores)
        return scores

    if bug == "own softmax: loss and gradient summed over the batch, not averaged":
        N = X.shape[0]
        probs = _softmax(scores)
        data_loss = -np.sum(np.log(probs[np.arange(N), y]))
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
    else:
        data_loss, dscores = L.softmax_loss(scores, y)
    names = WEIGHTS + ("b1", "b2", "b3") if bug == "the biases regularized too (loss and gradient)" else WEIGHTS
    squares = sum(np.sum(params[k] ** 2) for k in names)
    if bug == "regularization loss reg * sum(W**2), without the 0.5":
        reg_loss = reg * squares
    elif bug == "weight decay only: reg * W in the gradients, no term in the loss":
        reg_loss = 0.0
    else:
        reg_loss = 0.5 * reg * squares
    loss = data_loss + reg_loss

    grads = {}
    dr2, grads["W3"], grads["b3"] = L.affine_backward(dscores, aff3_cache)
    da2 = dr2 if bug == "the hidden layer's relu_backward skipped" else L.relu_backward(dr2, relu2_cache)
    if bug == "copy-pasted affine_backward line: the hidden layer's gradients stored as W3, b3":
        dp1, grads["W3"], grads["b3"] = L.affine_backward(da2, aff2_cache)
    else:
        dp1, grads["W2"], grads["b2"] = L.affine_backward(da2, aff2_cache)
    if bug == "relu_backward before max_pool_backward: the forward's order, not reversed":
        da1 = L.max_pool_backward_im2col(L.relu_backward(dp1, relu1_cache), pool_cache)
    else:
        da1 = L.relu_backward(L.max_pool_backward_im2col(dp1, pool_cache), relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(da1, conv_cache)
    if bug != "regularization gradient forgotten":
        factor = 2 * reg if bug == "regularization gradient doubled (2 * reg * W)" else reg
        for k in names:
            grads[k] = grads[k] + factor * params[k]
    return loss, grads


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet,
    [
        "pad K // 2: wrong for an even filter",
        "`if not y:` for `if y is None:`",
        "softmax probabilities returned instead of the raw scores",
        "own softmax: loss and gradient summed over the batch, not averaged",
        "the biases regularized too (loss and gradient)",
        "regularization loss reg * sum(W**2), without the 0.5",
        "weight decay only: reg * W in the gradients, no term in the loss",
        "the hidden layer's relu_backward skipped",
        "copy-pasted affine_backward line: the hidden layer's gradients stored as W3, b3",
        "relu_backward before max_pool_backward: the forward's order, not reversed",
        "regularization gradient forgotten",
        "regularization gradient doubled (2 * reg * W)",
    ],
)


def convnet_naive(params, X, y=None, reg=0.0):
    """Right: the naive conv and pool layers, a hand-written log-softmax loss, and the
    regularization added to a copy of each weight gradient in one dict comprehension."""
    W1 = params["W1"]
    conv_param = {"stride": 1, "pad": (W1.shape[2] - 1) // 2}
    h, c1 = L.conv_forward_naive(X, W1, params["b1"], conv_param)
    h, r1 = L.relu_forward(h)
    h, p1 = L.max_pool_forward_naive(h, POOL)
    h, a2 = L.affine_forward(h, params["W2"], params["b2"])
    h, r2 = L.relu_forward(h)
    scores, a3 = L.affine_forward(h, params["W3"], params["b3"])
    if y is None:
        return scores
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(N), y].mean() + 0.5 * reg * sum(np.sum(params[k] * params[k]) for k in WEIGHTS)
    dscores = np.exp(log_p)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    g = {}
    dh, g["W3"], g["b3"] = L.affine_backward(dscores, a3)
    dh, g["W2"], g["b2"] = L.affine_backward(L.relu_backward(dh, r2), a2)
    dh = L.relu_backward(L.max_pool_backward_naive(dh, p1), r1)
    _, g["W1"], g["b1"] = L.conv_backward_naive(dh, c1)
    return float(loss), {k: v + reg * params[k] if k in WEIGHTS else v for k, v in g.items()}


CORPUS += _right("three_layer_convnet_loss", "naive layers, a hand-written log-softmax", convnet_naive)
