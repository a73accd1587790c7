"""A fifth held-out corpus of student mistakes, the convolution half, written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``tests/mistake_corpus*.py``), for the exercises of lessons 1, 2, 3 and 7:
``conv_output_size``, ``conv_forward_naive``, ``conv_backward_naive``, ``im2col``, ``col2im``,
``conv_forward_im2col``, ``conv_backward_im2col`` and ``three_layer_convnet_loss``. They measure how
often the checker names a mistake nobody tuned it to. Each wrong row carries ONE mistake of the
kind a student following the lessons makes most often: an off-by-one, a stride, pad or dilation
forgotten in one place, the height's parameter used for the width, ``=`` for ``+=``, the padding
not cut away (or cut with ``ph:-ph``), a reshape where a transpose was needed, a bias broadcast
over the wrong axis, a sum divided by N, a kernel flipped, CS231n's habits (stride and pad read
from ``conv_param`` as ints, its column layout), col2im taken for the inverse of im2col, and the
network's usual slips (the 0.5 of the L2 term, its gradient forgotten or doubled, biases
regularized, a loss summed over the batch, a softmax over the wrong axis, "same" padding K // 2
for an even filter, a ReLU missing or extra). The rows with ``should_pass`` True are correct
implementations in other styles (per-tap tensordot and einsum, a window loop, ``np.add.at`` with
index arrays, naive layers with a softmax of one's own), there to catch false FAILs.

How it was written: blind. Only the student edition of lessons 1, 2, 3 and 7
(``lessons/01_convolution_arithmetic.ipynb``, ``02_naive_convolution.ipynb``, ``03_im2col.ipynb``,
``07_small_cnn.ipynb``: explanations, stubs, docstrings), ``cnnlab/layers``, ``cnnlab/shapes.py``,
``cnnlab/geometry.py``, ``cnnlab/im2col.py``, ``cnnlab/model.py``, ``cnnlab/cases.py`` and the
verify machinery (``tests/corpus_verify.py``, ``tests/verify_mistake_corpus_fourth.py``, and the
docstring and first helper of ``tests/mistake_corpus_fourth.py`` for the format) were read. Not
the checker (``cnnlab/exercises/``), its known-mistake tables, ``tests/student_impls.py``,
``tests/test_exercises.py``, ``tests/test_crashes.py``, nor the rows of the earlier corpora; the
check was not run on any row. Every row was verified against cnnlab's reference implementations
only, by ``tests/verify_mistake_corpus_fifth_conv.py``: each wrong row differs from the reference
(a wrong value, a wrong shape, or an exception) on at least one input, each right row matches it
to a relative error of 1e-8 on every input.

Every function starts as the lesson's stub does (``shapes.check_conv_inputs`` and friends, which
hand over stride, pad and dilation as (h, w) pairs). The im2col layers call this file's own
``im2col`` and ``col2im`` (lesson 3 says to use your own). ``forward`` is None for every backward
row: they read cnnlab's cache, ``(x, w, b, conv_param)`` for the naive convolution and ``(x, w, b,
conv_param, cols)`` for the im2col one.

67 rows: 59 wrong, 8 right (one per exercise). Wrong rows per exercise: conv_output_size 5,
conv_forward_naive 9, conv_backward_naive 9, im2col 7, col2im 7, conv_forward_im2col 6,
conv_backward_im2col 6, three_layer_convnet_loss 10. Two rows written first were dropped as
repeating another row's mistake (the span D*K, the backward's stride forgotten); none had to be
dropped for having no effect.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from cnnlab import layers as L
from cnnlab import shapes


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper: the label is the bug."""
    return [(exercise, bug, partial(fn, bug=bug), forward, False) for bug in bugs]


def _pad(x, ph, pw):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


CORPUS = []

# ---------------------------------------------------------------------------------------------
# conv_output_size (lesson 1)

OS_NO_DILATION = "dilation forgotten: (I + 2P - K) // S + 1"
OS_PAD_ONCE = "padding added on one side only: I + P"
OS_NO_PLUS_ONE = "the final + 1 forgotten (counts the steps between windows, not the windows)"
OS_CLAMPED = "clamped with max(0, ...): a filter that does not fit gives 0, not the formula's number"
OS_INT_DIV = "int(a / S): rounds toward zero, not down, when the filter does not fit"


def output_size(size, kernel, stride, pad, dilation, bug=None):
    if bug == OS_NO_DILATION:
        return (size + 2 * pad - kernel) // stride + 1
    if bug == OS_PAD_ONCE:
        return (size + pad - dilation * (kernel - 1) - 1) // stride + 1
    last = size + 2 * pad - dilation * (kernel - 1) - 1  # the last start of a window, stride 1
    if bug == OS_NO_PLUS_ONE:
        return last // stride
    if bug == OS_CLAMPED:
        return max(0, last // stride + 1)
    if bug == OS_INT_DIV:
        return int(last / stride) + 1
    return last // stride + 1


def output_size_floor(size, kernel, stride, pad, dilation):
    """Right: the boxed formula with a true division and math.floor."""
    span = dilation * (kernel - 1) + 1
    return math.floor((size + 2 * pad - span) / stride) + 1


CORPUS += _rows(
    "conv_output_size",
    output_size,
    [OS_NO_DILATION, OS_PAD_ONCE, OS_NO_PLUS_ONE, OS_CLAMPED, OS_INT_DIV],
)
CORPUS += [("conv_output_size", "math.floor of a true division", output_size_floor, None, True)]

# ---------------------------------------------------------------------------------------------
# conv_forward_naive (lesson 2)

CF_NO_STRIDE = "stride forgotten: window (i, j) starts at row i, column j"
CF_NO_DILATION = "dilation forgotten: a contiguous HH x WW window"
CF_STOP = "the window's slice stops at the last tap (i*sh + dh*(HH - 1), no + 1)"
CF_BIAS_INSIDE = "bias added inside the sum: np.sum(window * w[f] + b[f])"
CF_NO_BIAS = "bias forgotten"
CF_FLIP = "kernel flipped (a true convolution, np.convolve's habit)"
CF_CS231N = "CS231n's habit: stride and pad read from conv_param as ints, no dilation"
CF_SH_FOR_SW = "the height's stride for the columns too (j * sh)"
CF_NP_PAD = "np.pad(x, ph): pads every axis, N and C too"


def conv_fwd(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if bug == CF_CS231N:
        stride_, pad_ = conv_param["stride"], conv_param["pad"]
        sh = sw = stride_
        ph = pw = pad_
        dh = dw = 1
        Ho = 1 + (H + 2 * pad_ - HH) // stride_
        Wo = 1 + (W + 2 * pad_ - WW) // stride_
    if bug == CF_SH_FOR_SW:
        sw = sh
    xpad = np.pad(x, ph) if bug == CF_NP_PAD else _pad(x, ph, pw)
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = (i, j) if bug == CF_NO_STRIDE else (i * sh, j * sw)
                    if bug == CF_NO_DILATION:
                        rows, cols = slice(r0, r0 + HH), slice(c0, c0 + WW)
                    elif bug == CF_STOP:
                        rows, cols = slice(r0, r0 + dh * (HH - 1), dh), slice(c0, c0 + dw * (WW - 1), dw)
                    else:
                        rows = slice(r0, r0 + dh * (HH - 1) + 1, dh)
                        cols = slice(c0, c0 + dw * (WW - 1) + 1, dw)
                    window = xpad[n, :, rows, cols]
                    kernel = w[f, :, ::-1, ::-1] if bug == CF_FLIP else w[f]
                    if bug == CF_BIAS_INSIDE:
                        out[n, f, i, j] = np.sum(window * kernel + b[f])
                    elif bug == CF_NO_BIAS:
                        out[n, f, i, j] = np.sum(window * kernel)
                    else:
                        out[n, f, i, j] = np.sum(window * kernel) + b[f]
    return out, (x, w, b, conv_param)


def conv_fwd_taps(x, w, b, conv_param):
    """Right: one tensordot per filter tap (p, q) over the channels, every window at once."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    out = np.zeros((x.shape[0], F, Ho, Wo)) + b[None, :, None, None]
    for p in range(HH):
        for q in range(WW):
            tap = xpad[:, :, p * dh : p * dh + sh * (Ho - 1) + 1 : sh, q * dw : q * dw + sw * (Wo - 1) + 1 : sw]
            out += np.tensordot(tap, w[:, :, p, q], axes=([1], [1])).transpose(0, 3, 1, 2)  # (N, F, Ho, Wo)
    return out, (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd,
    [CF_NO_STRIDE, CF_NO_DILATION, CF_STOP, CF_BIAS_INSIDE, CF_NO_BIAS, CF_FLIP, CF_CS231N, CF_SH_FOR_SW, CF_NP_PAD],
)
CORPUS += [("conv_forward_naive", "one tensordot per filter tap", conv_fwd_taps, None, True)]

# ---------------------------------------------------------------------------------------------
# conv_backward_naive (lesson 2)

CB_ASSIGN = "= for += into dxpad: a pixel shared by windows keeps the last window's share"
CB_DW_ASSIGN = "= for += into dw[f]: only the last window's term is kept"
CB_NO_UNPAD = "dx not unpadded: dxpad returned as dx"
CB_NEG_CUT = "padding cut with dxpad[:, :, ph:-ph, pw:-pw] (empty where a pad is 0)"
CB_CORNER = "dx cut from the top-left corner: dxpad[:, :, :H, :W]"
CB_DB_MEAN = "db divided by N (averaged over the batch)"
CB_DW_UNPADDED = "dw from the windows of the unpadded x"
CB_W_N = "w[n] for w[f] in dx (the sample's index for the filter's)"
CB_NO_DILATION = "dilation forgotten in the backward's windows: contiguous slices"


def conv_bwd(dout, cache, bug=None):
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh, j * sw
                    if bug == CB_NO_DILATION:
                        rows, cols = slice(r0, r0 + HH), slice(c0, c0 + WW)
                    else:
                        rows = slice(r0, r0 + dh * (HH - 1) + 1, dh)
                        cols = slice(c0, c0 + dw_ * (WW - 1) + 1, dw_)
                    g = dout[n, f, i, j]
                    if bug == CB_ASSIGN:
                        dxpad[n, :, rows, cols] = g * w[f]
                    elif bug == CB_W_N:
                        dxpad[n, :, rows, cols] += g * w[n]
                    else:
                        dxpad[n, :, rows, cols] += g * w[f]
                    window = x[n, :, rows, cols] if bug == CB_DW_UNPADDED else xpad[n, :, rows, cols]
                    if bug == CB_DW_ASSIGN:
                        dw[f] = g * window
                    else:
                        dw[f] += g * window
    db = dout.sum(axis=(0, 2, 3))
    if bug == CB_DB_MEAN:
        db = db / N
    if bug == CB_NO_UNPAD:
        dx = dxpad
    elif bug == CB_NEG_CUT:
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    elif bug == CB_CORNER:
        dx = dxpad[:, :, :H, :W]
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw, db


def conv_bwd_taps(dout, cache):
    """Right: per filter tap (p, q), one einsum for dw[:, :, p, q] and one for that tap's share of dx."""
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
            dw[:, :, p, q] = np.einsum("nfij,ncij->fc", dout, xpad[:, :, rows, cols])
            dxpad[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dout, w[:, :, p, q])
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, np.einsum("nfij->f", dout)


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd,
    [
        CB_ASSIGN,
        CB_DW_ASSIGN,
        CB_NO_UNPAD,
        CB_NEG_CUT,
        CB_CORNER,
        CB_DB_MEAN,
        CB_DW_UNPADDED,
        CB_W_N,
        CB_NO_DILATION,
    ],
)
CORPUS += [("conv_backward_naive", "per-tap einsums for dw and dx", conv_bwd_taps, None, True)]

# ---------------------------------------------------------------------------------------------
# im2col (lesson 3)

IM_RESHAPE = "windows stored as rows (N, H'W', C*HH*WW), then reshaped, not transposed, to (N, C*HH*WW, H'W')"
IM_TAPS_OUTER = "taps stacked on axis 1 before the channels: rows in the order (p, q, c)"
IM_COL_MAJOR = "window (r, s) in column s*H' + r (positions column-major)"
IM_NO_DILATION = "dilation forgotten in the tap's offset: rows from p, not p*dh"
IM_NO_STRIDE = "stride forgotten: the tap's slice has step 1"
IM_CS231N = "CS231n's layout: cols (C*HH*WW, N*H'*W'), the batch inside the columns"
IM_PH_FOR_PW = "the width padded by the height's pad (ph, ph) too"


def im2col(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, ph) if bug == IM_PH_FOR_PW else _pad(x, ph, pw)
    if bug == IM_RESHAPE:  # the window loop of the lesson, with a reshape at the end
        rows = np.zeros((N, Ho * Wo, C * HH * WW))
        for r in range(Ho):
            for s in range(Wo):
                window = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
                rows[:, r * Wo + s, :] = window.reshape(N, -1)
        return rows.reshape(N, C * HH * WW, Ho * Wo)
    taps = np.zeros((N, C, HH, WW, Ho, Wo))
    for p in range(HH):
        for q in range(WW):
            r0, c0 = (p, q) if bug == IM_NO_DILATION else (p * dh, q * dw)
            if bug == IM_NO_STRIDE:
                taps[:, :, p, q] = xpad[:, :, r0 : r0 + Ho, c0 : c0 + Wo]
            else:
                taps[:, :, p, q] = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, c0 : c0 + sw * (Wo - 1) + 1 : sw]
    if bug == IM_TAPS_OUTER:
        return np.stack([taps[:, :, p, q] for p in range(HH) for q in range(WW)], axis=1).reshape(N, -1, Ho * Wo)
    if bug == IM_COL_MAJOR:
        return taps.transpose(0, 1, 2, 3, 5, 4).reshape(N, C * HH * WW, Ho * Wo)
    if bug == IM_CS231N:
        return taps.transpose(1, 2, 3, 0, 4, 5).reshape(C * HH * WW, N * Ho * Wo)
    return taps.reshape(N, C * HH * WW, Ho * Wo)


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: the window loop, each window flattened straight into its column."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    cols = np.empty((N, C * HH * WW, Ho * Wo), dtype=x.dtype)
    for r in range(Ho):
        for s in range(Wo):
            window = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            cols[:, :, r * Wo + s] = window.reshape(N, -1)
    return cols


CORPUS += _rows(
    "im2col",
    im2col,
    [IM_RESHAPE, IM_TAPS_OUTER, IM_COL_MAJOR, IM_NO_DILATION, IM_NO_STRIDE, IM_CS231N, IM_PH_FOR_PW],
)
CORPUS += [("im2col", "a window loop, one column at a time", im2col_windows, None, True)]

# ---------------------------------------------------------------------------------------------
# col2im (lesson 3)

C2_ASSIGN = "= for +=: where windows overlap, a pixel keeps only the last window's value"
C2_NO_CUT = "padding not cut away: the padded image returned"
C2_NEG_CUT = "padding cut with xpad[:, :, ph:-ph, pw:-pw] (empty where a pad is 0)"
C2_AVERAGE = "overlaps averaged, not summed (col2im taken for the inverse of im2col)"
C2_NO_DILATION = "dilation forgotten: tap (p, q) added back at rows from p, not p*dh"
C2_TAPS_OUTER = "rows split as (HH, WW, C): taps outermost, channels inside"
C2_NO_STRIDE = "stride forgotten: the tap's slice has step 1"


def col2im(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    if bug == C2_TAPS_OUTER:
        split = cols.reshape(N, HH, WW, C, Ho, Wo).transpose(0, 3, 1, 2, 4, 5)
    else:
        split = cols.reshape(N, C, HH, WW, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    count = np.zeros_like(xpad)
    for p in range(HH):
        for q in range(WW):
            r0, c0 = (p, q) if bug == C2_NO_DILATION else (p * dh, q * dw)
            if bug == C2_NO_STRIDE:
                rows, cols_ = slice(r0, r0 + Ho), slice(c0, c0 + Wo)
            else:
                rows, cols_ = slice(r0, r0 + sh * (Ho - 1) + 1, sh), slice(c0, c0 + sw * (Wo - 1) + 1, sw)
            if bug == C2_ASSIGN:
                xpad[:, :, rows, cols_] = split[:, :, p, q]
            else:
                xpad[:, :, rows, cols_] += split[:, :, p, q]
            count[:, :, rows, cols_] += 1
    if bug == C2_AVERAGE:
        xpad = xpad / np.maximum(count, 1)
    if bug == C2_NO_CUT:
        return xpad
    if bug == C2_NEG_CUT:
        return xpad[:, :, ph:-ph, pw:-pw]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_add_at(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: np.add.at with the padded row and column of every (tap, window) as index arrays."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    rows = np.arange(HH)[:, None] * dh + np.arange(Ho)[None, :] * sh  # (HH, Ho)
    columns = np.arange(WW)[:, None] * dw + np.arange(Wo)[None, :] * sw  # (WW, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    index = (slice(None), slice(None), rows[:, None, :, None], columns[None, :, None, :])
    np.add.at(xpad, index, cols.reshape(N, C, HH, WW, Ho, Wo))
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im,
    [C2_ASSIGN, C2_NO_CUT, C2_NEG_CUT, C2_AVERAGE, C2_NO_DILATION, C2_TAPS_OUTER, C2_NO_STRIDE],
)
CORPUS += [("col2im", "np.add.at with index arrays", col2im_add_at, None, True)]

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col (lesson 3): with this file's own im2col

FI_BIAS = "b (F,) added to the (N, F, H'W') product without a reshape: it broadcasts over the positions"
FI_W_ROW = "w_row = w.reshape(C*HH*WW, F).T: the filters' numbers mixed up"
FI_NO_DILATION = "dilation not passed to im2col (its default 1 used)"
FI_HW_SWAP = "im2col called with the filter's width and height swapped: im2col(x, WW, HH, ...)"
FI_CHANNELS_LAST = "product taken as cols^T @ w_row^T, (N, H'W', F), and reshaped straight to (N, F, H', W')"
FI_WO_HO = "output reshaped to (N, F, W', H')"


def conv_fwd_cols(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == FI_NO_DILATION:
        cols = im2col(x, HH, WW, stride, pad)
    elif bug == FI_HW_SWAP:
        cols = im2col(x, WW, HH, stride, pad, dilation)
    else:
        cols = im2col(x, HH, WW, stride, pad, dilation)
    w_row = w.reshape(C * HH * WW, F).T if bug == FI_W_ROW else w.reshape(F, -1)
    if bug == FI_CHANNELS_LAST:
        out = cols.transpose(0, 2, 1) @ w_row.T + b  # (N, H'W', F)
        return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)
    out = w_row @ cols  # (N, F, H'W')
    out = out + b if bug == FI_BIAS else out + b.reshape(1, F, 1)
    out = out.reshape(N, F, Wo, Ho) if bug == FI_WO_HO else out.reshape(N, F, Ho, Wo)
    return out, (x, w, b, conv_param, cols)


def conv_fwd_tensordot(x, w, b, conv_param):
    """Right: np.tensordot over the rows of cols, (F, N, H'W') moved back to (N, F, H'W')."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols = im2col(x, HH, WW, stride, pad, dilation)
    out = np.tensordot(w.reshape(F, -1), cols, axes=([1], [1])).transpose(1, 0, 2) + b[None, :, None]
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols,
    [FI_BIAS, FI_W_ROW, FI_NO_DILATION, FI_HW_SWAP, FI_CHANNELS_LAST, FI_WO_HO],
)
CORPUS += [("conv_forward_im2col", "tensordot over the rows of its own cols", conv_fwd_tensordot, None, True)]

# ---------------------------------------------------------------------------------------------
# conv_backward_im2col (lesson 3): with this file's own col2im, on cnnlab's cache

BI_DW_MEAN = "dw averaged over the batch (mean over n, not sum)"
BI_CACHED_COLS = "dx from col2im of the cached cols, not of dcols = w_row.T @ dout"
BI_DW_KF = "dw as cols @ dout^T, (C*HH*WW, F), reshaped to w.shape without the transpose"
BI_DB_BATCH = "db summed over the positions only: shape (N, F)"
BI_NO_DILATION = "dilation not passed to col2im (its default 1 used)"
BI_PAD_DIL = "col2im(dcols, x.shape, HH, WW, stride, dilation, pad): pad and dilation in each other's place"


def conv_bwd_cols(dout, cache, bug=None):
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout_rows = dout.reshape(N, F, Ho * Wo)
    db = dout_rows.sum(axis=2) if bug == BI_DB_BATCH else dout_rows.sum(axis=(0, 2))
    if bug == BI_DW_KF:
        dw = (cols @ dout_rows.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)  # (K, F) read as (F, K)
    else:
        per_sample = dout_rows @ cols.transpose(0, 2, 1)  # (N, F, C*HH*WW)
        dw = (per_sample.mean(axis=0) if bug == BI_DW_MEAN else per_sample.sum(axis=0)).reshape(w.shape)
    dcols = w.reshape(F, -1).T @ dout_rows  # (N, C*HH*WW, H'W')
    if bug == BI_CACHED_COLS:
        dx = col2im(cols, x.shape, HH, WW, stride, pad, dilation)
    elif bug == BI_NO_DILATION:
        dx = col2im(dcols, x.shape, HH, WW, stride, pad)
    elif bug == BI_PAD_DIL:
        dx = col2im(dcols, x.shape, HH, WW, stride, dilation, pad)
    else:
        dx = col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


def conv_bwd_einsum(dout, cache):
    """Right: einsums over the cached cols for dw and dcols, then this file's col2im."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    d = dout.reshape(N, F, -1)
    dw = np.einsum("nfp,nkp->fk", d, cols).reshape(F, C, HH, WW)
    dcols = np.einsum("fk,nfp->nkp", w.reshape(F, -1), d)
    return col2im(dcols, (N, C, H, W), HH, WW, stride, pad, dilation), dw, np.einsum("nfp->f", d)


CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols,
    [BI_DW_MEAN, BI_CACHED_COLS, BI_DW_KF, BI_DB_BATCH, BI_NO_DILATION, BI_PAD_DIL],
)
CORPUS += [("conv_backward_im2col", "einsums over the cached cols", conv_bwd_einsum, None, True)]

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss (lesson 7): cnnlab's layers, as the lesson allows

CN_REG_NO_HALF = "the L2 term without the 0.5: reg * sum(W**2) (gradient reg * W as asked)"
CN_REG_GRAD_DOUBLE = "the regularization gradient 2 * reg * W (the 0.5 of the loss not cancelled)"
CN_REG_GRAD_FORGOTTEN = "the regularization gradient forgotten (in the loss only)"
CN_REG_BIASES = "the biases regularized too, in the loss and the gradients"
CN_LOSS_SUM = "own softmax: the loss summed over the batch, not averaged (gradient not divided by N)"
CN_DSCORES_NO_N = "own softmax: the loss averaged, but dscores not divided by N"
CN_SOFTMAX_AXIS0 = "own softmax: normalized over axis 0, the batch, not over the classes"
CN_PAD_HALF = "'same' padding K // 2, not (K - 1) // 2 (wrong for an even filter)"
CN_NO_RELU1 = "the ReLU after the conv forgotten (conv straight into the pool)"
CN_RELU_SCORES = "a ReLU on the scores too (after the last affine)"

POOL_2X2 = {"pool_height": 2, "pool_width": 2, "stride": 2}


def _own_softmax(scores, y, bug):
    N = scores.shape[0]
    axis = 0 if bug == CN_SOFTMAX_AXIS0 else 1
    shifted = scores - scores.max(axis=axis, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)
    log_likelihood = np.log(probs[np.arange(N), y])
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    if bug == CN_LOSS_SUM:
        return -log_likelihood.sum(), dscores
    if bug == CN_DSCORES_NO_N:
        return -log_likelihood.mean(), dscores
    return -log_likelihood.mean(), dscores / N


def convnet(params, X, y=None, reg=0.0, bug=None):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    K = W1.shape[2]
    conv_param = {"stride": 1, "pad": K // 2 if bug == CN_PAD_HALF else (K - 1) // 2}
    out, conv_cache = L.conv_forward_im2col(X, W1, b1, conv_param)
    if bug != CN_NO_RELU1:
        out, relu1_cache = L.relu_forward(out)
    out, pool_cache = L.max_pool_forward_im2col(out, POOL_2X2)
    out, affine2_cache = L.affine_forward(out, W2, b2)
    out, relu2_cache = L.relu_forward(out)
    scores, affine3_cache = L.affine_forward(out, W3, b3)
    if bug == CN_RELU_SCORES:
        scores, relu3_cache = L.relu_forward(scores)
    if y is None:
        return scores

    if bug in (CN_LOSS_SUM, CN_DSCORES_NO_N, CN_SOFTMAX_AXIS0):
        loss, dscores = _own_softmax(scores, y, bug)
    else:
        loss, dscores = L.softmax_loss(scores, y)
    grads = {}
    if bug == CN_RELU_SCORES:
        dscores = L.relu_backward(dscores, relu3_cache)
    dout, grads["W3"], grads["b3"] = L.affine_backward(dscores, affine3_cache)
    dout = L.relu_backward(dout, relu2_cache)
    dout, grads["W2"], grads["b2"] = L.affine_backward(dout, affine2_cache)
    dout = L.max_pool_backward_im2col(dout, pool_cache)
    if bug != CN_NO_RELU1:
        dout = L.relu_backward(dout, relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(dout, conv_cache)

    names = ("W1", "W2", "W3", "b1", "b2", "b3") if bug == CN_REG_BIASES else ("W1", "W2", "W3")
    half = 1.0 if bug == CN_REG_NO_HALF else 0.5
    loss += half * reg * sum(np.sum(params[k] ** 2) for k in names)
    if bug != CN_REG_GRAD_FORGOTTEN:
        factor = 2.0 if bug == CN_REG_GRAD_DOUBLE else 1.0
        for k in names:
            grads[k] = grads[k] + factor * reg * params[k]
    return loss, grads


def convnet_naive(params, X, y=None, reg=0.0):
    """Right: the naive conv and pool, a log-sum-exp softmax with a one-hot matrix, np.linalg.norm for the L2 term."""
    K = params["W1"].shape[2]
    conv_param = {"stride": 1, "pad": (K - 1) // 2}
    a1, conv_cache = L.conv_forward_naive(X, params["W1"], params["b1"], conv_param)
    r1 = np.maximum(a1, 0)
    p1, pool_cache = L.max_pool_forward_naive(r1, POOL_2X2)
    N = X.shape[0]
    flat = p1.reshape(N, -1)
    a2 = flat @ params["W2"] + params["b2"]
    h = np.maximum(a2, 0)
    scores = h @ params["W3"] + params["b3"]
    if y is None:
        return scores
    onehot = np.eye(scores.shape[1])[y]
    top = scores.max(axis=1, keepdims=True)
    log_probs = scores - top - np.log(np.exp(scores - top).sum(axis=1, keepdims=True))
    data_loss = -np.sum(onehot * log_probs) / N
    dscores = (np.exp(log_probs) - onehot) / N
    weights = ("W1", "W2", "W3")
    loss = data_loss + 0.5 * reg * sum(np.linalg.norm(params[k]) ** 2 for k in weights)
    grads = {"W3": h.T @ dscores, "b3": dscores.sum(axis=0)}
    dh = (dscores @ params["W3"].T) * (a2 > 0)
    grads["W2"], grads["b2"] = flat.T @ dh, dh.sum(axis=0)
    dp1 = (dh @ params["W2"].T).reshape(p1.shape)
    dr1 = L.max_pool_backward_naive(dp1, pool_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_naive(dr1 * (a1 > 0), conv_cache)
    for k in weights:
        grads[k] += reg * params[k]
    return loss, grads


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet,
    [
        CN_REG_NO_HALF,
        CN_REG_GRAD_DOUBLE,
        CN_REG_GRAD_FORGOTTEN,
        CN_REG_BIASES,
        CN_LOSS_SUM,
        CN_DSCORES_NO_N,
        CN_SOFTMAX_AXIS0,
        CN_PAD_HALF,
        CN_NO_RELU1,
        CN_RELU_SCORES,
    ],
)
CORPUS += [
    ("three_layer_convnet_loss", "naive layers, a one-hot log-sum-exp softmax", convnet_naive, None, True),
]
