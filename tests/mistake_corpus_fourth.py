"""A fourth held-out corpus of student mistakes, written blind to the checker (2026-12-03).

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of
``tests/mistake_corpus.py``, ``tests/mistake_corpus_fresh.py`` and ``tests/mistake_corpus_third.py``,
to measure how often ``exercises.check`` names a mistake nobody tuned it to
(``mistake_corpus.measure(CORPUS)`` runs them). The checker is being tuned to the three earlier
corpora, so they no longer measure that; this one has not been seen by it. Each wrong row
carries ONE mistake that a student following the lesson could plausibly make (an off-by-one, a
wrong loop variable or axis, a term forgotten or extra, a sign, ``=`` for ``+=``, stride, pad or
dilation forgotten in one place, rows and columns mixed, a (h, w) pair mishandled, a reshape or
transpose order, a running statistic, eps, momentum, a softmax, loss or regularization slip, a
CS231n, PyTorch or Keras habit). The rows with ``should_pass`` True are correct implementations
in other styles (per-tap tensordot, indicator matrices, per-channel loops, np.where, ...), there
to catch false FAILs.

How it was written: from the student edition of the lessons (``lessons/*.ipynb``: the
explanations, the exercise stubs and their docstrings), ``cnnlab/layers``, ``cnnlab/shapes.py``,
``cnnlab/geometry.py``, ``cnnlab/im2col.py``, ``cnnlab/model.py`` and ``cnnlab/cases.py``, without
reading the checker (``cnnlab/exercises/``), its known-mistake tables, ``tests/student_impls.py``,
``tests/test_exercises.py`` or ``tests/test_crashes.py``, and without running the check on any
row. The rows of the three earlier corpora were skimmed only so that these are different
mistakes. Every row was verified independently against cnnlab's reference implementations by
``tests/verify_mistake_corpus_fourth.py``: each wrong row differs from the reference (a wrong
value, a wrong shape, or an exception) on at least one input of the exercise's geometry, each
right row matches it to a relative error of 1e-8 on every input. A row whose mistake had no effect
on any input was dropped.

``forward`` is None where the backward pass reads cnnlab's cache format (conv ``(x, w, b,
conv_param)``, conv im2col ``(x, w, b, conv_param, cols)``, pooling ``(x, pool_param)``, the
norms the cache their lesson's docstring gives), or the student's own correct forward where the
backward relies on a cache of its own. Batch norm's backward is meant for train mode only, as
lesson 5 says.

104 rows: 88 wrong (at least 4 per exercise), 16 right, as written (90 and 14 since two rows were
read again, below).

Measured once, before any diagnosis was written for these rows (2026-12-03, the checker at
``9522379``): 50 of the 88 wrong rows named (56.8%), 8 by the failing cases, 29 generic, 0 "no
known pattern", 3 wrong verdicts. One was a gap in the cases (a convnet padded by HH // 2 passed:
every case had an odd filter; the check now has a 2x2 one); two were rows written as right that
call cnnlab's im2col and col2im, which grading hides for the im2col exercises (lesson 3 says to
use your own), so the FAIL they get is right and the rows now expect it.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from cnnlab import im2col as I
from cnnlab import layers as L
from cnnlab import shapes


def _b(fn, bug):
    return partial(fn, bug=bug)


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper."""
    return [(exercise, bug, _b(fn, bug), forward, False) for bug in bugs]


def _pad(x, ph, pw):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


CORPUS = []

# ---------------------------------------------------------------------------------------------
# conv_output_size


def osize(size, kernel, stride, pad, dilation, bug=None):
    if bug == "stride and dilation roles swapped":
        return (size + 2 * pad - stride * (kernel - 1) - 1) // dilation + 1
    if bug == "the - 1 and the + 1 cancelled":
        return (size + 2 * pad - dilation * (kernel - 1)) // stride
    if bug == "+ 1 for the - 1 in the numerator":
        return (size + 2 * pad - dilation * (kernel - 1) + 1) // stride + 1
    if bug == "/ for //":
        return (size + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1
    span = kernel + (kernel - 1) * (dilation - 1)  # the taps plus the gaps between them
    return (size + 2 * pad - span) // stride + 1


CORPUS += _rows(
    "conv_output_size",
    osize,
    [
        "stride and dilation roles swapped",
        "the - 1 and the + 1 cancelled",
        "+ 1 for the - 1 in the numerator",
        "/ for //",
    ],
)
CORPUS += [("conv_output_size", "span as taps plus gaps", osize, None, True)]

# ---------------------------------------------------------------------------------------------
# conv_forward_naive: the four loops of lesson 2


def conv_fwd(x, w, b, conv_param, bug=None):
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "dilation pair swapped":
        dh, dw = dw, dh
    xpad = _pad(x, ph, pw)
    src = x if bug == "windows read from x, not xpad" else xpad
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Ho if bug == "range(Ho) for j" else Wo):
                    r0, c0 = i * sh, j * sw
                    rend = r0 + dh * (HH - 1) + (0 if bug == "span without the + 1, step dh" else 1)
                    rows = slice(r0, rend, dh)
                    cols = slice(c0, c0 + dw * (WW - 1) + 1, dw)
                    if bug == "= for += over the channels":
                        for c in range(C):
                            out[n, f, i, j] = np.sum(src[n, c, rows, cols] * w[f, c])
                    elif bug == "all filters summed":
                        out[n, f, i, j] = np.sum(src[n, :, rows, cols] * w)
                    else:
                        out[n, f, i, j] = np.sum(src[n, :, rows, cols] * w[f])
                    if bug != "out += b at the end":
                        out[n, f, i, j] += b[f]
    if bug == "out += b at the end":
        out += b
    return out, (x, w, b, conv_param)


def conv_fwd_taps(x, w, b, conv_param):
    """Right: one strided slice of xpad per filter tap, contracted over the channels with tensordot."""
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, C, HH, WW = w.shape
    xpad = _pad(x, ph, pw)
    out = np.zeros((x.shape[0], Ho, Wo, F))
    for p in range(HH):
        for q in range(WW):
            patch = xpad[:, :, p * dh : p * dh + sh * (Ho - 1) + 1 : sh, q * dw : q * dw + sw * (Wo - 1) + 1 : sw]
            out += np.tensordot(patch, w[:, :, p, q], axes=([1], [1]))  # (N, Ho, Wo, F)
    return out.transpose(0, 3, 1, 2) + b[None, :, None, None], (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd,
    [
        "range(Ho) for j",
        "span without the + 1, step dh",
        "out += b at the end",
        "windows read from x, not xpad",
        "= for += over the channels",
        "dilation pair swapped",
        "all filters summed",
    ],
)
CORPUS += [("conv_forward_naive", "per-tap slices and tensordot", conv_fwd_taps, None, True)]

# ---------------------------------------------------------------------------------------------
# conv_backward_naive


def conv_bwd(dout, cache, bug=None):
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    db = np.zeros(F)
    off_r, off_c = (ph, pw) if bug == "window offset by the pad in the padded input" else (0, 0)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * sh + off_r, j * sw + off_c
                    rows = slice(r0, r0 + dh * (HH - 1) + 1, dh)
                    cols = slice(c0, c0 + dw * (WW - 1) + 1, dw)
                    g = dout[n, f, i, j]
                    if bug == "dx copied from the dw line (xpad for w)":
                        dxpad[n, :, rows, cols] += xpad[n, :, rows, cols] * g
                    elif bug == "dx added to every sample":
                        dxpad[:, :, rows, cols] += w[f] * g
                    else:
                        dxpad[n, :, rows, cols] += w[f] * g
                    if bug == "dw copied from the dx line (w for xpad)":
                        dw_[f] += w[f] * g
                    else:
                        dw_[f] += xpad[n, :, rows, cols] * g
            if bug == "db[f] = per sample (= for +=)":
                db[f] = dout[n, f].sum()
            else:
                db[f] += dout[n, f].sum()
    if bug == "db summed over (N, H') only":
        db = dout.sum(axis=(0, 2))
    dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw_, db


def conv_bwd_taps(dout, cache):
    """Right: per filter tap, dw by tensordot over (n, i, j) and dx by a strided add."""
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    for p in range(HH):
        for q in range(WW):
            r = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
            c = slice(q * dw, q * dw + sw * (Wo - 1) + 1, sw)
            dw_[:, :, p, q] = np.tensordot(dout, xpad[:, :, r, c], axes=([0, 2, 3], [0, 2, 3]))
            dxpad[:, :, r, c] += np.tensordot(dout, w[:, :, p, q], axes=([1], [0])).transpose(0, 3, 1, 2)
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw_, dout.sum(axis=(0, 2, 3))


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd,
    [
        "db summed over (N, H') only",
        "dw copied from the dx line (w for xpad)",
        "dx copied from the dw line (xpad for w)",
        "db[f] = per sample (= for +=)",
        "window offset by the pad in the padded input",
        "dx added to every sample",
    ],
)
CORPUS += [("conv_backward_naive", "per-tap tensordot and strided adds", conv_bwd_taps, None, True)]

# ---------------------------------------------------------------------------------------------
# im2col: one element at a time, then one window at a time


def im2col_loop(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    if bug == "stride pair swapped":
        sh, sw = sw, sh
    xpad = _pad(x, ph, 0 if bug == "pw forgotten in the padding" else pw)
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    for c in range(C):
        for p in range(HH):
            for q in range(WW):
                row = (c * HH if bug == "channel block c*HH" else c * HH * WW) + p * WW + q
                for i in range(Ho - 1 if bug == "range(Ho - 1) for the rows" else Ho):
                    for j in range(Wo):
                        cols[:, row, i * Wo + j] = xpad[:, c, i * sh + p * dh, j * sw + q * dw]
    if bug == "cols returned as (N, H'*W', C*HH*WW)":
        return cols.transpose(0, 2, 1)
    return cols


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: one window at a time, flattened (C, HH, WW) -> C*HH*WW."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N = x.shape[0]
    xpad = _pad(x, ph, pw)
    cols = []
    for i in range(Ho):
        for j in range(Wo):
            window = xpad[:, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw * (WW - 1) + 1 : dw]
            cols.append(window.reshape(N, -1))
    return np.stack(cols, axis=2)


CORPUS += _rows(
    "im2col",
    im2col_loop,
    [
        "stride pair swapped",
        "pw forgotten in the padding",
        "channel block c*HH",
        "range(Ho - 1) for the rows",
        "cols returned as (N, H'*W', C*HH*WW)",
    ],
)
CORPUS += [
    ("im2col", "one window at a time, stacked", im2col_windows, None, True),
]

# ---------------------------------------------------------------------------------------------
# col2im: one element at a time, then one window at a time


def col2im_loop(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    if bug == "dw for both tap offsets":
        dh = dw
    if bug == "padded size H + ph, W + pw":
        xpad = np.zeros((N, C, H + ph, W + pw))
    else:
        xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    x = np.zeros((N, C, H, W))
    for c in range(C):
        for p in range(HH):
            for q in range(WW):
                row = (0 if bug == "channel offset forgotten in the row" else c * HH * WW) + p * WW + q
                for i in range(Ho):
                    for j in range(Wo):
                        r, s = i * sh + p * dh, j * sw + q * dw
                        if bug == "padded coordinates used on the unpadded image":
                            if r < H and s < W:
                                x[:, c, r, s] += cols[:, row, i * Wo + j]
                        else:
                            xpad[:, c, r, s] += cols[:, row, i * Wo + j]
    if bug == "padded coordinates used on the unpadded image":
        return x
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_windows(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """One window at a time: column i*W' + j reshaped to (N, C, HH, WW) and added to its window."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for i in range(Ho):
        for j in range(Wo):
            patch = cols[:, :, i * Wo + j].reshape(N, C, HH, WW)
            if bug == "chained fancy indexing writes to a copy":
                ri = i * sh + dh * np.arange(HH)
                ci = j * sw + dw * np.arange(WW)
                xpad[:, :, ri][:, :, :, ci] += patch
            else:
                xpad[:, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw * (WW - 1) + 1 : dw] += patch
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im_loop,
    [
        "dw for both tap offsets",
        "padded size H + ph, W + pw",
        "channel offset forgotten in the row",
        "padded coordinates used on the unpadded image",
    ],
)
CORPUS += _rows("col2im", col2im_windows, ["chained fancy indexing writes to a copy"])
CORPUS += [("col2im", "one window at a time, sliced", col2im_windows, None, True)]

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col


def conv_fwd_cols(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "conv_param['dilation'] without a default":
        dilation = conv_param["dilation"]
    if bug == "stride left out of the im2col call":
        cols = I.im2col(x, HH, WW, pad=pad, dilation=dilation)
    elif bug == "stride and pad swapped in the call":
        cols = I.im2col(x, HH, WW, pad, stride, dilation)
    elif bug == "x padded before im2col, and pad passed too":
        cols = I.im2col(_pad(x, *pad), HH, WW, stride, pad, dilation)
    else:
        cols = I.im2col(x, HH, WW, stride, pad, dilation)
    out = np.matmul(w.reshape(F, -1), cols)  # (N, F, Ho*Wo)
    if bug == "b[:, None, None] added to the 3-D product":
        out = out + b[:, None, None]
    else:
        out = out + b[:, None]
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


def conv_fwd_tensordot(x, w, b, conv_param):
    """Right: the product as a tensordot over the C*HH*WW axis, moved back to (N, F, ...)."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, C, HH, WW = w.shape
    cols = I.im2col(x, HH, WW, stride, pad, dilation)
    out = np.tensordot(w.reshape(F, -1), cols, axes=([1], [1])).transpose(1, 0, 2)  # (N, F, Ho*Wo)
    out += b.reshape(1, F, 1)
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols,
    [
        "stride left out of the im2col call",
        "stride and pad swapped in the call",
        "conv_param['dilation'] without a default",
        "x padded before im2col, and pad passed too",
        "b[:, None, None] added to the 3-D product",
    ],
)
# Written as right; measured a FAIL that is right by the exercise: it calls cnnlab.im2col.im2col, which
# grading hides for conv_forward_im2col (lesson 3: "Your function uses your im2col from above").
CORPUS += [("conv_forward_im2col", "tensordot over the rows", conv_fwd_tensordot, None, False)]

# ---------------------------------------------------------------------------------------------
# conv_backward_im2col


def conv_bwd_cols(dout, cache, bug=None):
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    ph, pw = pad
    d = dout.reshape(N, F, -1)  # (N, F, Ho*Wo)
    db = d.sum(axis=(0, 2))
    if bug == "db divided by N":
        db = db / N
    dw_ = np.matmul(d, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    w_row = w.reshape(F, -1)
    dcols = np.matmul(w_row if bug == "w_row not transposed for dx" else w_row.T, d)  # (N, C*HH*WW, Ho*Wo)
    if bug == "pad left out of the col2im call":
        dx = I.col2im(dcols, x.shape, HH, WW, stride, dilation=dilation)
    elif bug == "col2im given the padded shape":
        dx = I.col2im(dcols, (N, C, H + 2 * ph, W + 2 * pw), HH, WW, stride, pad, dilation)
    else:
        dx = I.col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
    if bug == "padding cut again after col2im":
        dx = dx[:, :, ph : dx.shape[2] - ph, pw : dx.shape[3] - pw]
    return dx, dw_, db


def conv_bwd_einsum(dout, cache):
    """dw and the column gradients by einsum over the cached columns (right numbers, cnnlab's col2im)."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, F = dout.shape[:2]
    _, C, HH, WW = w.shape
    d = dout.reshape(N, F, -1)
    dw_ = np.einsum("nfl,nkl->fk", d, cols).reshape(w.shape)
    dcols = np.einsum("fk,nfl->nkl", w.reshape(F, -1), d)
    dx = I.col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw_, np.einsum("nfl->f", d)


CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols,
    [
        "w_row not transposed for dx",
        "pad left out of the col2im call",
        "db divided by N",
        "col2im given the padded shape",
        "padding cut again after col2im",
    ],
)
# Written as right; measured a FAIL that is right by the exercise: it calls cnnlab.im2col.col2im, which
# grading hides for conv_backward_im2col (lesson 3: "with your col2im").
CORPUS += [("conv_backward_im2col", "einsum over the cached columns", conv_bwd_einsum, None, False)]

# ---------------------------------------------------------------------------------------------
# max_pool_forward_naive


def max_fwd(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "window size taken from the stride":
        PH, PW = sh, sw
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rend, cend = i * sh + PH, j * sw + PW
                    if bug == "window end clipped at H - 1, W - 1":
                        rend, cend = min(rend, H - 1), min(cend, W - 1)
                    rows, cols = slice(i * sh, rend), slice(j * sw, cend)
                    if bug == "rows and cols slices swapped":
                        window = x[n, c, cols, rows]
                    elif bug == "chained x[n, c][rows][cols]":
                        window = x[n, c][rows][cols]
                    else:
                        window = x[n, c, rows, cols]
                    out[n, c, i, j] = np.abs(window).max() if bug == "largest absolute value" else window.max()
    return out, (x, pool_param)


def max_fwd_nc(x, pool_param):
    """Right: one loop over the output positions, the maximum of every (n, c) at once."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    out = np.empty((*x.shape[:2], Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].max(axis=(2, 3))
    return out, (x, pool_param)


CORPUS += _rows(
    "max_pool_forward_naive",
    max_fwd,
    [
        "window size taken from the stride",
        "window end clipped at H - 1, W - 1",
        "rows and cols slices swapped",
        "chained x[n, c][rows][cols]",
        "largest absolute value",
    ],
)
CORPUS += [("max_pool_forward_naive", "vectorised over (N, C) per position", max_fwd_nc, None, True)]

# ---------------------------------------------------------------------------------------------
# max_pool_backward_naive


def max_bwd(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = x.copy() if bug == "dx starts as a copy of x" else np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    if bug == "row and column of the maximum found separately":
                        p, q = window.max(axis=1).argmax(), window.max(axis=0).argmax()
                    elif bug == "unravel_index with (H, W)":
                        p, q = np.unravel_index(window.argmax(), (H, W))
                    else:
                        p, q = np.unravel_index(window.argmax(), window.shape)
                    g = dout[n, c, i, j] / (PH * PW) if bug == "divided by the pool area" else dout[n, c, i, j]
                    dx[n, c, i * sh + p, j * sw + q] += g
    return dx


def max_bwd_where(dout, cache):
    """Right: the first maximum as the first pair np.where gives (row-major order)."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C = x.shape[:2]
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    ps, qs = np.where(window == window.max())
                    dx[n, c, i * sh + ps[0], j * sw + qs[0]] += dout[n, c, i, j]
    return dx


CORPUS += _rows(
    "max_pool_backward_naive",
    max_bwd,
    [
        "dx starts as a copy of x",
        "row and column of the maximum found separately",
        "unravel_index with (H, W)",
        "divided by the pool area",
    ],
)
CORPUS += [("max_pool_backward_naive", "first maximum from np.where", max_bwd_where, None, True)]

# ---------------------------------------------------------------------------------------------
# avg_pool_forward_naive


def avg_fwd(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "count_include_pad default False":
        count_include_pad = pool_param.get("count_include_pad", False)
    xpad = _pad(x, ph, pw)
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            r0, c0 = i * sh, j * sw
            if bug == "window start shifted by -pad in the padded array":
                r0, c0 = r0 - ph, c0 - pw
            a, b = i * sh - ph, j * sw - pw  # the window's first row and column on x
            if bug == "real pixels clipped at the start only":
                real_r, real_c = a + PH - max(a, 0), b + PW - max(b, 0)
            else:
                real_r = min(a + PH, W if bug == "rows clipped at W" else H) - max(a, 0)
                real_c = min(b + PW, W) - max(b, 0)
            count = PH * PW if count_include_pad else real_r * real_c
            out[:, :, i, j] = xpad[:, :, r0 : r0 + PH, c0 : c0 + PW].sum(axis=(2, 3)) / count
    return out, (x, pool_param)


def avg_fwd_mean(x, pool_param):
    """Right: np.mean of the padded window, rescaled to the real pixels when padding is not counted."""
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    real = _pad(np.ones((H, W))[None, None], ph, pw)[0, 0]
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    m = np.mean(xpad[n, c, rows, cols])
                    out[n, c, i, j] = m if count_include_pad else m * PH * PW / real[rows, cols].sum()
    return out, (x, pool_param)


CORPUS += _rows(
    "avg_pool_forward_naive",
    avg_fwd,
    [
        "count_include_pad default False",
        "window start shifted by -pad in the padded array",
        "real pixels clipped at the start only",
        "rows clipped at W",
    ],
)
CORPUS += [("avg_pool_forward_naive", "np.mean, rescaled", avg_fwd_mean, None, True)]

# ---------------------------------------------------------------------------------------------
# avg_pool_backward_naive


def avg_bwd(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "count_include_pad read as pool_param['count_include_pad']":
        count_include_pad = pool_param["count_include_pad"]
    inside = _pad(np.ones((1, 1, H, W)), ph, pw)[0, 0]
    if bug == "dxpad sized with pw for both axes":
        dxpad = np.zeros((N, C, H + 2 * pw, W + 2 * pw))
    else:
        dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    if count_include_pad:
                        count = PH * PW
                    elif bug == "count summed over axis 0 only":
                        count = inside[rows, cols].sum(axis=0)
                    else:
                        count = inside[rows, cols].sum()
                    share = dout[n, c, i, j] * count if bug == "times the count" else dout[n, c, i, j] / count
                    if bug == "cols slice forgotten (whole row band)":
                        dxpad[n, c, rows] += share
                    else:
                        dxpad[n, c, rows, cols] += share
    return dxpad[:, :, ph : ph + H, pw : pw + W]


def avg_bwd_matrices(dout, cache):
    """Right: dx = A_h^T (dout / count) A_w with 0/1 window-indicator matrices A_h (H', Hp), A_w (W', Wp)."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), count_include_pad, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    A_h = np.zeros((Ho, H + 2 * ph))
    A_w = np.zeros((Wo, W + 2 * pw))
    for i in range(Ho):
        A_h[i, i * sh : i * sh + PH] = 1
    for j in range(Wo):
        A_w[j, j * sw : j * sw + PW] = 1
    if count_include_pad:
        count = np.full((Ho, Wo), PH * PW)
    else:
        on_h = np.r_[np.zeros(ph), np.ones(H), np.zeros(ph)]
        on_w = np.r_[np.zeros(pw), np.ones(W), np.zeros(pw)]
        count = np.outer(A_h @ on_h, A_w @ on_w)
    dxpad = A_h.T @ (dout / count) @ A_w  # (N, C, Hp, Wp)
    return dxpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "avg_pool_backward_naive",
    avg_bwd,
    [
        "count_include_pad read as pool_param['count_include_pad']",
        "dxpad sized with pw for both axes",
        "count summed over axis 0 only",
        "times the count",
        "cols slice forgotten (whole row band)",
    ],
)
CORPUS += [("avg_pool_backward_naive", "window-indicator matrices", avg_bwd_matrices, None, True)]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_forward


def bn_fwd(x, gamma, beta, bn_param, bug=None):
    N, C, H, W = x.shape
    mode = bn_param["mode"]
    eps = bn_param["eps"] if bug == "eps without a default" else bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.99 if bug == "momentum default 0.99 (Keras)" else 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    axes = 0 if bug == "statistics over N only (vanilla batch norm)" else (0, 2, 3)
    if mode == "train":
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    else:
        mean, var = running_mean, running_var
    shape = mean.shape if bug == "statistics over N only (vanilla batch norm)" else (1, C, 1, 1)
    inv_std = 1.0 / np.sqrt(var + (0.0 if bug == "test mode without eps" and mode == "test" else eps))
    xhat = (x - mean.reshape(shape)) * inv_std.reshape(shape)
    if mode == "train":
        new_mean, new_var = mean, var
        if bug == "running statistics from xhat":
            new_mean, new_var = xhat.mean(axis=(0, 2, 3)), xhat.var(axis=(0, 2, 3))
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * new_mean
        if bug == "running_var updated with the mean (copy-paste)":
            bn_param["running_var"] = momentum * running_var + (1 - momentum) * new_mean
        else:
            bn_param["running_var"] = momentum * running_var + (1 - momentum) * new_var
    if bug == "gamma[:, None, None]":
        out = gamma[:, None, None] * xhat + beta[:, None, None]
    else:
        out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    return out, (xhat, inv_std, gamma, np.shape(beta), mode)


def bn_fwd_channels(x, gamma, beta, bn_param):
    """Right: a loop over the channels, each normalized on its own."""
    N, C, H, W = x.shape
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    rm = np.array(bn_param.get("running_mean", np.zeros(C)), dtype=float)
    rv = np.array(bn_param.get("running_var", np.ones(C)), dtype=float)
    g, bt = np.ravel(gamma), np.ravel(beta)
    out, xhat, inv_std = np.empty_like(x), np.empty_like(x), np.empty(C)
    for c in range(C):
        v = x[:, c]
        if bn_param["mode"] == "train":
            mu, var = v.mean(), ((v - v.mean()) ** 2).mean()
            rm[c], rv[c] = momentum * rm[c] + (1 - momentum) * mu, momentum * rv[c] + (1 - momentum) * var
        else:
            mu, var = rm[c], rv[c]
        inv_std[c] = 1 / np.sqrt(var + eps)
        xhat[:, c] = (v - mu) * inv_std[c]
        out[:, c] = g[c] * xhat[:, c] + bt[c]
    if bn_param["mode"] == "train":
        bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return out, (xhat, inv_std, gamma, np.shape(beta), bn_param["mode"])


CORPUS += _rows(
    "spatial_batchnorm_forward",
    bn_fwd,
    [
        "eps without a default",
        "momentum default 0.99 (Keras)",
        "statistics over N only (vanilla batch norm)",
        "test mode without eps",
        "running statistics from xhat",
        "running_var updated with the mean (copy-paste)",
        "gamma[:, None, None]",
    ],
)
CORPUS += [("spatial_batchnorm_forward", "a loop over the channels", bn_fwd_channels, None, True)]

# ---------------------------------------------------------------------------------------------
# spatial_batchnorm_backward (train mode)


def bn_bwd(dout, cache, bug=None):
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = H * W if bug == "M = H*W (spatial only)" else N * H * W
    g = np.reshape(gamma, (1, C, 1, 1))
    s = inv_std.reshape(1, C, 1, 1) ** (2 if bug == "inv_std squared" else 1)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = dout.sum(axis=(0, 2, 3)) if bug == "dgamma without the xhat factor" else (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = dout / g if bug == "divided by gamma" else dout * g
    mean_d = dxhat.sum(axis=(0, 2, 3), keepdims=True) / M
    mean_dx = (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True) / (M - 1 if bug == "M - 1 in the xhat term" else M)
    if bug == "inv_std left off the xhat term":
        dx = s * (dxhat - mean_d) - xhat * mean_dx
    else:
        dx = s * (dxhat - mean_d - xhat * mean_dx)
    if bug == "gamma applied twice":
        dx = dx * g
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


def bn_fwd_keep_x(x, gamma, beta, bn_param):
    """A right forward whose cache keeps x and the batch statistics, for a staged backward."""
    out, (xhat, inv_std, gamma, beta_shape, mode) = bn_fwd(x, gamma, beta, bn_param)
    return out, (x, x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3)), bn_param.get("eps", 1e-5), gamma, beta_shape)


def bn_bwd_staged(dout, cache, bug=None):
    """CS231n's staged backward: through xhat, the variance, then the mean."""
    x, mu, var, eps, gamma, beta_shape = cache
    N, C, H, W = x.shape
    M = N * H * W
    xmu = x - mu.reshape(1, C, 1, 1)
    istd = 1 / np.sqrt(var + eps).reshape(1, C, 1, 1)
    dxhat = dout * np.reshape(gamma, (1, C, 1, 1))
    dvar = (dxhat * xmu).sum(axis=(0, 2, 3), keepdims=True) * -0.5 * istd**3
    dmean = -(dxhat * istd).sum(axis=(0, 2, 3), keepdims=True) + dvar * (-2 * xmu).mean(axis=(0, 2, 3), keepdims=True)
    dx = dxhat * istd + dvar * 2 * xmu / M + (dmean if bug == "dmean not divided by M" else dmean / M)
    dgamma = (dout * xmu * istd).sum(axis=(0, 2, 3))
    return dx, dgamma.reshape(np.shape(gamma)), dout.sum(axis=(0, 2, 3)).reshape(beta_shape)


def bn_bwd_channels(dout, cache):
    """Right: the compact formula, one channel at a time over its N*H*W values."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    C = dout.shape[1]
    g = np.ravel(gamma)
    dx, dgamma, dbeta = np.empty_like(dout), np.empty(C), np.empty(C)
    for c in range(C):
        d, xh = dout[:, c].ravel(), xhat[:, c].ravel()
        dbeta[c], dgamma[c] = d.sum(), d @ xh
        dx[:, c] = (g[c] * inv_std[c] * (d - d.mean() - xh * (d @ xh) / d.size)).reshape(dout[:, c].shape)
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


CORPUS += _rows(
    "spatial_batchnorm_backward",
    bn_bwd,
    [
        "M = H*W (spatial only)",
        "inv_std squared",
        "dgamma without the xhat factor",
        "divided by gamma",
        "M - 1 in the xhat term",
        "inv_std left off the xhat term",
        "gamma applied twice",
    ],
)
CORPUS += [
    (
        "spatial_batchnorm_backward",
        "staged: dmean not divided by M",
        _b(bn_bwd_staged, "dmean not divided by M"),
        bn_fwd_keep_x,
        False,
    ),
    ("spatial_batchnorm_backward", "one channel at a time", bn_bwd_channels, None, True),
]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_forward


def gn_fwd(x, gamma, beta, G, gn_param, bug=None):
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-3 if bug == "eps default 1e-3 (Keras)" else 1e-5)
    if bug == "statistics over the group's channels only (per pixel)":
        xg = x.reshape(N, G, C // G, H * W)
        mean = xg.mean(axis=2, keepdims=True)
        var = xg.var(axis=2, keepdims=True)
    else:
        xg = x.reshape(N, G, -1)
        mean = xg.mean(axis=2, keepdims=bug != "keepdims forgotten")
        var = xg.var(axis=2, keepdims=bug != "keepdims forgotten")
        if bug == "variance over the whole sample":
            var = x.reshape(N, 1, -1).var(axis=2, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat_g = (xg - mean) * inv_std
    if bug == "reshaped back to (N, C, W, H)":
        xhat = xhat_g.reshape(N, C, W, H)
    else:
        xhat = xhat_g.reshape(N, C, H, W)
    out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    return out, (xhat, inv_std, gamma, np.shape(beta), G)


def gn_fwd_repeat(x, gamma, beta, G, gn_param):
    """Right: the statistics of each (sample, group), repeated to one per channel with np.repeat."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    flat = x.reshape(N, G, -1)
    mean, var = flat.mean(axis=2), flat.var(axis=2)  # (N, G)
    mean_c = np.repeat(mean, C // G, axis=1)[:, :, None, None]  # (N, C, 1, 1)
    inv_c = np.repeat(1 / np.sqrt(var + eps), C // G, axis=1)[:, :, None, None]
    xhat = (x - mean_c) * inv_c
    out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    return out, (xhat, (1 / np.sqrt(var + eps))[:, :, None], gamma, np.shape(beta), G)


CORPUS += _rows(
    "spatial_groupnorm_forward",
    gn_fwd,
    [
        "eps default 1e-3 (Keras)",
        "statistics over the group's channels only (per pixel)",
        "variance over the whole sample",
        "keepdims forgotten",
        "reshaped back to (N, C, W, H)",
    ],
)
CORPUS += [("spatial_groupnorm_forward", "per-group statistics repeated per channel", gn_fwd_repeat, None, True)]

# ---------------------------------------------------------------------------------------------
# spatial_groupnorm_backward


def gn_bwd(dout, cache, bug=None):
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3))
    if bug == "dgamma not summed over the batch":
        dgamma = (dout * xhat).sum(axis=(2, 3))
    else:
        dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    dxhat = (dout * np.reshape(gamma, (1, C, 1, 1))).reshape(N, G, -1)
    xg = xhat.reshape(N, G, -1)
    in_xhat_term = dout.reshape(N, G, -1) if bug == "dout for dxhat in the xhat term" else dxhat
    dx = dxhat - dxhat.mean(axis=2, keepdims=True) - xg * (in_xhat_term * xg).mean(axis=2, keepdims=True)
    if bug != "inv_std forgotten":
        dx = dx * inv_std
    if bug != "dx returned as (N, G, K)":
        dx = dx.reshape(N, C, H, W)
    return dx, dgamma, dbeta.reshape(beta_shape)


def gn_fwd_keep_x(x, gamma, beta, G, gn_param):
    """A right forward whose cache keeps x and the group statistics, for a staged backward."""
    out, _ = gn_fwd(x, gamma, beta, G, gn_param)
    xg = x.reshape(x.shape[0], G, -1)
    return out, (x, xg.mean(axis=2, keepdims=True), xg.var(axis=2, keepdims=True), gn_param.get("eps", 1e-5), gamma, G)


def gn_bwd_staged(dout, cache, bug=None):
    """Staged backward per (sample, group): through xhat, the variance, then the mean."""
    x, mean, var, eps, gamma, G = cache
    N, C, H, W = x.shape
    K = C // G * H * W
    xg = x.reshape(N, G, K)
    istd = 1 / np.sqrt(var + eps)
    xmu = xg - mean
    dxhat = (dout * np.reshape(gamma, (1, C, 1, 1))).reshape(N, G, K)
    dvar = -0.5 * (dxhat * xmu).sum(axis=2, keepdims=True) * istd**3
    if bug == "dmean without inv_std":
        dmean = -dxhat.sum(axis=2, keepdims=True)
    else:
        dmean = -(dxhat * istd).sum(axis=2, keepdims=True)
    dx = dxhat * istd + dvar * 2 * xmu / K + dmean / K
    xhat = (xmu * istd).reshape(N, C, H, W)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    return dx.reshape(N, C, H, W), dgamma, dout.sum(axis=(0, 2, 3)).reshape(np.shape(gamma))


def gn_bwd_loops(dout, cache):
    """Right: the compact formula in a loop over the samples and the groups (slices of channels)."""
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    k = C // G
    g = np.ravel(gamma)[None, :, None, None]
    dxhat = dout * g
    dx = np.empty_like(dout)
    for n in range(N):
        for grp in range(G):
            sl = slice(grp * k, (grp + 1) * k)
            d, xh = dxhat[n, sl], xhat[n, sl]
            dx[n, sl] = inv_std[n, grp, 0] * (d - d.mean() - xh * (d * xh).mean())
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))
    return dx, dgamma, dout.sum(axis=(0, 2, 3)).reshape(beta_shape)


CORPUS += _rows(
    "spatial_groupnorm_backward",
    gn_bwd,
    [
        "dgamma not summed over the batch",
        "dout for dxhat in the xhat term",
        "inv_std forgotten",
        "dx returned as (N, G, K)",
    ],
)
CORPUS += [
    (
        "spatial_groupnorm_backward",
        "staged: dmean without inv_std",
        _b(gn_bwd_staged, "dmean without inv_std"),
        gn_fwd_keep_x,
        False,
    ),
    ("spatial_groupnorm_backward", "loops over samples and groups", gn_bwd_loops, None, True),
]

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss


def convnet(params, X, y=None, reg=0.0, bug=None):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    HH = W1.shape[2]
    conv_param = {"stride": 1, "pad": HH // 2 if bug == "same padding HH // 2" else (HH - 1) // 2}
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    if bug == "conv bias b1 left out":
        b1 = np.zeros_like(b1)
    a1, conv_cache = L.conv_forward_im2col(X, W1, b1, conv_param)
    r1, relu1_cache = L.relu_forward(a1)
    p1, pool_cache = L.max_pool_forward_im2col(r1, pool_param)
    N = X.shape[0]
    flat = p1.reshape(N, -1)
    a2 = flat @ W2 + b2
    h = a2 if bug == "no ReLU after the hidden layer" else np.maximum(a2, 0)
    scores = h @ W3 + b3
    if (not y) if bug == "if not y: for the test-time branch" else (y is None):
        return scores
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    probs = e / (e.sum() if bug == "softmax normalized over the whole batch" else e.sum(axis=1, keepdims=True))
    K = scores.shape[1]
    if bug == "one-hot loss averaged over N*K":
        data_loss = -np.mean(np.eye(K)[y] * np.log(probs))
    else:
        data_loss = -np.log(probs[np.arange(N), y]).mean()
    loss = data_loss + 0.5 * reg * sum(np.sum(w * w) for w in (W1, W2, W3))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads = {"W3": h.T @ dscores, "b3": dscores.sum(axis=0)}
    dh = dscores @ W3.T
    da2 = dh if bug == "no ReLU after the hidden layer" else dh * (a2 > 0)
    grads["W2"] = flat.T @ da2
    grads["b2"] = da2.sum(axis=1) if bug == "db2 summed over the hidden axis" else da2.sum(axis=0)
    dp1 = (da2 @ W2.T).reshape(p1.shape)
    dr1 = L.max_pool_backward_im2col(dp1, pool_cache)
    da1 = L.relu_backward(dr1, relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(da1, conv_cache)
    k = 2 if bug == "2 * reg * W in the gradient" else 1
    for name, w in (("W1", W1), ("W2", W2), ("W3", W3)):
        grads[name] = grads[name] + k * reg * w
    return float(loss), grads


def convnet_naive(params, X, y=None, reg=0.0):
    """Right: cnnlab's naive conv and pool layers, affine layers and softmax_loss."""
    HH = params["W1"].shape[2]
    a1, c1 = L.conv_forward_naive(X, params["W1"], params["b1"], {"stride": 1, "pad": (HH - 1) // 2})
    r1, cr = L.relu_forward(a1)
    p1, cp = L.max_pool_forward_naive(r1, {"pool_height": 2, "pool_width": 2, "stride": 2})
    h, ch = L.affine_forward(p1, params["W2"], params["b2"])
    hr, chr_ = L.relu_forward(h)
    scores, cs = L.affine_forward(hr, params["W3"], params["b3"])
    if y is None:
        return scores
    loss, dscores = L.softmax_loss(scores, y)
    grads = {}
    dhr, grads["W3"], grads["b3"] = L.affine_backward(dscores, cs)
    dp1, grads["W2"], grads["b2"] = L.affine_backward(L.relu_backward(dhr, chr_), ch)
    _, grads["W1"], grads["b1"] = L.conv_backward_naive(L.relu_backward(L.max_pool_backward_naive(dp1, cp), cr), c1)
    for name in ("W1", "W2", "W3"):
        loss += 0.5 * reg * np.sum(params[name] ** 2)
        grads[name] = grads[name] + reg * params[name]
    return loss, grads


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet,
    [
        "same padding HH // 2",
        "conv bias b1 left out",
        "no ReLU after the hidden layer",
        "if not y: for the test-time branch",
        "softmax normalized over the whole batch",
        "one-hot loss averaged over N*K",
        "db2 summed over the hidden axis",
        "2 * reg * W in the gradient",
    ],
)
CORPUS += [("three_layer_convnet_loss", "naive layers and softmax_loss", convnet_naive, None, True)]
