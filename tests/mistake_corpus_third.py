"""A third held-out corpus of student mistakes, written blind to the checker (2026-12-03).

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of
``tests/mistake_corpus.py`` and ``tests/mistake_corpus_fresh.py``, to measure how often
``exercises.check`` names a mistake nobody tuned it to (``mistake_corpus.measure(CORPUS)`` runs
them). The checker has been tuned to both earlier corpora, so they no longer measure that; this
one has not been seen by it. Each wrong row carries ONE mistake that a student reading the
lesson could plausibly make (an off-by-one, a wrong loop variable or axis, a forgotten or
extra term, a sign, ``=`` for ``+=``, a (h, w) pair mixed up, a reshape for a transpose, a
running statistic, a CS231n or PyTorch habit that differs from the lesson, ...). The rows with
``should_pass`` True are correct implementations in other styles (strided views, ``np.add.at``,
einsum, loops in another order, CS231n-style staged backward passes), there to catch false FAILs.

How it was written: from the student edition of the lessons (``lessons/*.ipynb``: the
explanations, the exercise stubs and their docstrings), ``cnnlab/layers``, ``cnnlab/shapes.py``,
``cnnlab/geometry.py``, ``cnnlab/im2col.py``, ``cnnlab/model.py`` and ``cnnlab/cases.py``, without
reading the checker (``cnnlab/exercises/``), its known-mistake tables, ``tests/student_impls.py``,
``tests/test_exercises.py`` or ``tests/test_crashes.py``, and without running the check on any
row. The rows of the two earlier corpora were skimmed only so that these are different mistakes.
Every row was verified independently against cnnlab's reference implementations by
``tests/verify_mistake_corpus_third.py``: each wrong row differs from the reference (a wrong
value, a wrong shape, or an exception) on at least one input of the exercise's geometry, each
right row matches it to a relative error of 1e-8 on every input. A row whose mistake had no effect
on any input was dropped.

104 rows: 87 wrong (at least 4 per exercise), 17 right.

Measured once, before any diagnosis was written for these rows (2026-12-03, the checker at
``ed685e0``): 64 of the 87 wrong rows named (73.6%), 6 by the failing cases, 17 generic, 0 "no
known pattern", 0 wrong verdicts. The checker has since been tuned to it.

``forward`` is None where the backward pass reads cnnlab's cache format (conv ``(x, w, b,
conv_param)``, pooling ``(x, pool_param)``, the norms the cache their lesson's docstring
suggests), or the student's own correct forward where the backward relies on a cache of its own.
Batch norm's backward is meant for train mode only, as lesson 5 says.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from cnnlab import layers as L
from cnnlab import shapes


def _b(fn, bug):
    return partial(fn, bug=bug)


def _pad(x, ph, pw, mode="constant"):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), mode=mode)


CORPUS = []

# ---------------------------------------------------------------------------------------------
# conv_output_size


def osize(size, kernel, stride, pad, dilation, bug=None):
    if bug == "dilation added to the kernel":
        return (size + 2 * pad - (kernel + dilation - 1)) // stride + 1
    if bug == "no parentheses around the numerator":
        return size + 2 * pad - dilation * (kernel - 1) - 1 // stride + 1
    if bug == "+ 1 forgotten":
        return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride
    if bug == "stride multiplies":
        return (size + 2 * pad - dilation * (kernel - 1) - 1) * stride + 1
    if bug == "dilation ignored":
        return (size + 2 * pad - kernel) // stride + 1
    q, _ = divmod(size + 2 * pad - dilation * (kernel - 1) - 1, stride)
    return q + 1


CORPUS += [
    ("conv_output_size", "dilation added to the kernel", _b(osize, "dilation added to the kernel"), None, False),
    (
        "conv_output_size",
        "no parentheses around the numerator",
        _b(osize, "no parentheses around the numerator"),
        None,
        False,
    ),
    ("conv_output_size", "+ 1 forgotten", _b(osize, "+ 1 forgotten"), None, False),
    ("conv_output_size", "stride multiplies", _b(osize, "stride multiplies"), None, False),
    ("conv_output_size", "dilation ignored (lesson 7's formula)", _b(osize, "dilation ignored"), None, False),
    ("conv_output_size", "divmod", osize, None, True),
]

# ---------------------------------------------------------------------------------------------
# conv_forward_naive: the four loops, then a loop over the filter taps


def conv_fwd(x, w, b, conv_param, bug=None):
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "output size without the padding":
        Ho = (H - dh * (HH - 1) - 1) // sh + 1
        Wo = (W - dw * (WW - 1) - 1) // sw + 1
    xpad = _pad(x, ph, pw, mode="edge" if bug == "edge padding" else "constant")
    out = np.zeros((N, F, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    acc = 0.0
                    for p in range(HH):
                        for q in range(WW):
                            r = i * sh + p * dh
                            s = j * sw + q * (dh if bug == "dh for the columns too" else dw)
                            wt = w[f, :, q, p] if bug == "w[f, :, q, p]" else w[f, :, p, q]
                            if bug == "every sample's window summed":
                                acc += np.sum(xpad[:, :, r, s] * wt)
                            else:
                                acc += xpad[n, :, r, s] @ wt
                            if bug == "bias added inside the tap loop":
                                acc += b[f]
                    out[n, f, i, j] = acc if bug == "bias added inside the tap loop" else acc + b[f]
    return out, (x, w, b, conv_param)


CORPUS += [
    (
        "conv_forward_naive",
        "output size without the padding",
        _b(conv_fwd, "output size without the padding"),
        None,
        False,
    ),
    ("conv_forward_naive", "edge padding", _b(conv_fwd, "edge padding"), None, False),
    ("conv_forward_naive", "dh for the columns too", _b(conv_fwd, "dh for the columns too"), None, False),
    ("conv_forward_naive", "w[f, :, q, p]", _b(conv_fwd, "w[f, :, q, p]"), None, False),
    (
        "conv_forward_naive",
        "every sample's window summed",
        _b(conv_fwd, "every sample's window summed"),
        None,
        False,
    ),
    (
        "conv_forward_naive",
        "bias added inside the tap loop",
        _b(conv_fwd, "bias added inside the tap loop"),
        None,
        False,
    ),
    ("conv_forward_naive", "loops down to the taps", conv_fwd, None, True),
]

# ---------------------------------------------------------------------------------------------
# conv_backward_naive: the forward loops with a loop over the channels


def conv_bwd(dout, cache, bug=None):
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = _pad(x, ph, pw)
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dout[0, f, i, j] if bug == "dout of sample 0" else dout[n, f, i, j]
                    rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    if bug == "dx windows without the stride":
                        drows = slice(i, i + dh * (HH - 1) + 1, dh)
                        dcols = slice(j, j + dw * (WW - 1) + 1, dw)
                    else:
                        drows, dcols = rows, cols
                    for c in range(C):
                        dxpad[n, c, drows, dcols] += w[f, c] * g
                        if bug == "= for += in dw":
                            dw_[f, c] = xpad[n, c, rows, cols] * g
                        else:
                            dw_[f, c] += xpad[n, c, rows, cols] * g
                        if bug == "db added inside the channel loop":
                            db[f] += g
                    if bug != "db added inside the channel loop":
                        db[f] += g
    if bug == "padding cut with [ph:-ph]":
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw_, db


def conv_bwd_strided(dout, cache):
    """Right: dw from a strided view of every window and one einsum; dx one tap at a time."""
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = _pad(x, ph, pw)
    s0, s1, s2, s3 = xpad.strides
    view = np.lib.stride_tricks.as_strided(
        xpad, (N, C, HH, WW, Ho, Wo), (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw), writeable=False
    )
    dw_ = np.einsum("nfij,ncpqij->fcpq", dout, view)
    dxpad = np.zeros_like(xpad)
    for p in range(HH):
        for q in range(WW):
            rows = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
            cols = slice(q * dw, q * dw + sw * (Wo - 1) + 1, sw)
            dxpad[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dout, w[:, :, p, q])
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw_, dout.sum(axis=(0, 2, 3))


CORPUS += [
    ("conv_backward_naive", "dout of sample 0", _b(conv_bwd, "dout of sample 0"), None, False),
    (
        "conv_backward_naive",
        "dx windows without the stride",
        _b(conv_bwd, "dx windows without the stride"),
        None,
        False,
    ),
    ("conv_backward_naive", "= for += in dw", _b(conv_bwd, "= for += in dw"), None, False),
    (
        "conv_backward_naive",
        "db added inside the channel loop",
        _b(conv_bwd, "db added inside the channel loop"),
        None,
        False,
    ),
    ("conv_backward_naive", "padding cut with [ph:-ph]", _b(conv_bwd, "padding cut with [ph:-ph]"), None, False),
    ("conv_backward_naive", "strided view and einsum", conv_bwd_strided, None, True),
]

# ---------------------------------------------------------------------------------------------
# im2col: a strided view of the padded input, or a loop over positions, channels and taps


def im2col_view(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, (ph, pw)) if bug == "np.pad(x, (ph, pw))" else _pad(x, ph, pw)
    s0, s1, s2, s3 = x.strides if bug == "strides of x, not of the padded x" else xpad.strides
    view = np.lib.stride_tricks.as_strided(
        xpad, (N, C, HH, WW, Ho, Wo), (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw), writeable=False
    )
    return view.reshape(N, C * HH * WW, Ho * Wo)


def im2col_loop(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    if bug == "output size without the dilation":
        Ho, Wo = (H + 2 * ph - HH) // sh + 1, (W + 2 * pw - WW) // sw + 1
    xpad = x if bug == "taps read from x, not the padded x" else _pad(x, ph, pw)
    patches = np.zeros((N, Ho * Wo, C * HH * WW), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            for c in range(C):
                for p in range(HH):
                    for q in range(WW):
                        row = c * HH * WW + p * (HH if bug == "row c*HH*WW + p*HH + q" else WW) + q
                        patches[:, i * Wo + j, row] = xpad[:, c, i * sh + p * dh, j * sw + q * dw]
    if bug == "patches reshaped, not transposed":
        return patches.reshape(N, C * HH * WW, Ho * Wo)
    return patches.transpose(0, 2, 1)


CORPUS += [
    ("im2col", "np.pad(x, (ph, pw))", _b(im2col_view, "np.pad(x, (ph, pw))"), None, False),
    (
        "im2col",
        "strides of x, not of the padded x",
        _b(im2col_view, "strides of x, not of the padded x"),
        None,
        False,
    ),
    ("im2col", "output size without the dilation", _b(im2col_loop, "output size without the dilation"), None, False),
    (
        "im2col",
        "taps read from x, not the padded x",
        _b(im2col_loop, "taps read from x, not the padded x"),
        None,
        False,
    ),
    ("im2col", "row c*HH*WW + p*HH + q", _b(im2col_loop, "row c*HH*WW + p*HH + q"), None, False),
    ("im2col", "patches reshaped, not transposed", _b(im2col_loop, "patches reshaped, not transposed"), None, False),
    ("im2col", "strided view of the padded input", im2col_view, None, True),
]

# ---------------------------------------------------------------------------------------------
# col2im: a loop over the windows, one over the taps, or index arrays


def col2im_loop(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    outer, inner = (Wo, Ho) if bug == "loop bounds swapped" else (Ho, Wo)
    for i in range(outer):
        for j in range(inner):
            block = cols[:, :, i * Wo + j].reshape(N, C, HH, WW)
            r0, c0 = i * sh, j * sw
            if bug == "window start times the dilation":
                r0, c0 = r0 * dh, c0 * dw
            xpad[:, :, r0 : r0 + dh * (HH - 1) + 1 : dh, c0 : c0 + dw * (WW - 1) + 1 : dw] += block
    if bug == "cut [ph:ph+H, pw:pw+H]":
        return xpad[:, :, ph : ph + H, pw : pw + H]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_taps(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    c6 = cols.reshape(N, C, HH, WW, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for p in range(HH):
        for q in range(HH if bug == "range(HH) for q" else WW):
            rows = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
            cs = slice(q * dw, q * dw + sw * (Wo - 1) + 1, sw)
            xpad[:, :, rows, cs] += c6[:, :, p, q]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_index(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    c6 = cols.reshape(N, C, HH, WW, Ho, Wo)
    rows = (np.arange(HH) * dh)[:, None, None, None] + (np.arange(Ho) * sh)[None, None, :, None]
    cs = (np.arange(WW) * dw)[None, :, None, None] + (np.arange(Wo) * sw)[None, None, None, :]
    rows, cs = np.broadcast_arrays(rows, cs)  # (HH, WW, Ho, Wo) padded coordinates
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    if bug == "fancy-index += (repeated pixels added once)":
        xpad[:, :, rows, cs] += c6
    else:
        np.add.at(xpad, (slice(None), slice(None), rows, cs), c6)
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += [
    ("col2im", "loop bounds swapped", _b(col2im_loop, "loop bounds swapped"), None, False),
    ("col2im", "window start times the dilation", _b(col2im_loop, "window start times the dilation"), None, False),
    ("col2im", "cut [ph:ph+H, pw:pw+H]", _b(col2im_loop, "cut [ph:ph+H, pw:pw+H]"), None, False),
    ("col2im", "range(HH) for q", _b(col2im_taps, "range(HH) for q"), None, False),
    (
        "col2im",
        "fancy-index += (repeated pixels added once)",
        _b(col2im_index, "fancy-index += (repeated pixels added once)"),
        None,
        False,
    ),
    ("col2im", "index arrays and np.add.at", col2im_index, None, True),
]

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col, conv_backward_im2col (on the student's own im2col / col2im above)


def conv_fwd_cols(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "pad and dilation swapped in the call":
        cols = im2col_view(x, HH, WW, stride, dilation, pad)
    else:
        cols = im2col_view(x, HH, WW, stride, pad, dilation)
    if bug == "w transposed (1, 0, 2, 3) before the reshape":
        w_row = w.transpose(1, 0, 2, 3).reshape(F, -1)
    else:
        w_row = w.reshape(F, -1)
    if bug == "np.dot for the batched product":
        out = np.dot(w_row, cols) + b[:, None, None]  # (F, N, H'W')
    elif bug == "+ b after the reshape":
        out = w_row @ cols
    else:
        out = w_row @ cols + b[:, None]
    if bug == "output read as (N, H', W', F)":
        out = out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2)
    else:
        out = out.reshape(N, F, Ho, Wo)
    if bug == "+ b after the reshape":
        out = out + b
    return out, (x, w, b, conv_param, cols)


def conv_fwd_cols_per_sample(x, w, b, conv_param):
    """Right: one product per sample, written with einsum."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, _, HH, WW = w.shape
    cols = im2col_loop(x, HH, WW, stride, pad, dilation)
    out = np.empty((N, F, Ho * Wo), dtype=x.dtype)
    for n in range(N):
        out[n] = np.einsum("fk,kp->fp", w.reshape(F, -1), cols[n]) + b[:, None]
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


CORPUS += [
    (
        "conv_forward_im2col",
        "pad and dilation swapped in the call",
        _b(conv_fwd_cols, "pad and dilation swapped in the call"),
        None,
        False,
    ),
    (
        "conv_forward_im2col",
        "w transposed (1, 0, 2, 3) before the reshape",
        _b(conv_fwd_cols, "w transposed (1, 0, 2, 3) before the reshape"),
        None,
        False,
    ),
    (
        "conv_forward_im2col",
        "np.dot for the batched product",
        _b(conv_fwd_cols, "np.dot for the batched product"),
        None,
        False,
    ),
    ("conv_forward_im2col", "+ b after the reshape", _b(conv_fwd_cols, "+ b after the reshape"), None, False),
    (
        "conv_forward_im2col",
        "output read as (N, H', W', F)",
        _b(conv_fwd_cols, "output read as (N, H', W', F)"),
        None,
        False,
    ),
    ("conv_forward_im2col", "one product per sample", conv_fwd_cols_per_sample, None, True),
]


def conv_bwd_cols(dout, cache, bug=None):
    """CS231n's 2-D layout: the batch folded into the columns, (C*HH*WW, N*H'*W')."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    K = C * HH * WW
    if bug == "dout reshaped (F, -1) without the transpose":
        d2 = dout.reshape(F, -1)
    else:
        d2 = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*H'*W')
    cols2 = cols.transpose(1, 0, 2).reshape(K, -1)  # (K, N*H'*W')
    if bug == "db with keepdims":
        db = dout.sum(axis=(0, 2, 3), keepdims=True)
    else:
        db = d2.sum(axis=1)
    if bug == "dw as cols2 @ d2.T, reshaped":
        dw_ = (cols2 @ d2.T).reshape(w.shape)
    else:
        dw_ = (d2 @ cols2.T).reshape(w.shape)
    dcols = (w.reshape(F, -1).T @ d2).reshape(K, N, Ho * Wo).transpose(1, 0, 2)
    if bug == "col2im of the cached cols":
        dx = col2im_index(cols, x.shape, HH, WW, stride, pad, dilation)
    elif bug == "stride left out of the col2im call":
        dx = col2im_index(dcols, x.shape, HH, WW, pad, dilation)
    else:
        dx = col2im_index(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw_, db


def conv_bwd_cols_batched(dout, cache):
    """Right: batched matmuls on the (N, C*HH*WW, H'*W') columns, then the tap-loop col2im."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, _, HH, WW = w.shape
    d = dout.reshape(N, F, Ho * Wo)
    dw_ = np.einsum("nfp,nkp->fk", d, cols).reshape(w.shape)
    dx = col2im_taps(np.swapaxes(w.reshape(F, -1), 0, 1) @ d, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw_, d.sum(axis=(0, 2))


CORPUS += [
    (
        "conv_backward_im2col",
        "dout reshaped (F, -1) without the transpose",
        _b(conv_bwd_cols, "dout reshaped (F, -1) without the transpose"),
        None,
        False,
    ),
    ("conv_backward_im2col", "db with keepdims", _b(conv_bwd_cols, "db with keepdims"), None, False),
    (
        "conv_backward_im2col",
        "dw as cols2 @ d2.T, reshaped",
        _b(conv_bwd_cols, "dw as cols2 @ d2.T, reshaped"),
        None,
        False,
    ),
    ("conv_backward_im2col", "col2im of the cached cols", _b(conv_bwd_cols, "col2im of the cached cols"), None, False),
    (
        "conv_backward_im2col",
        "stride left out of the col2im call",
        _b(conv_bwd_cols, "stride left out of the col2im call"),
        None,
        False,
    ),
    ("conv_backward_im2col", "batched products, own forward", conv_bwd_cols_batched, conv_fwd_cols_per_sample, True),
]

# ---------------------------------------------------------------------------------------------
# max pooling


def _pool_view(x, PH, PW, sh, sw, Ho, Wo):
    """(N, C, H', W', PH, PW) read-only view of every window of x."""
    N, C = x.shape[:2]
    s0, s1, s2, s3 = x.strides
    return np.lib.stride_tricks.as_strided(
        x, (N, C, Ho, Wo, PH, PW), (s0, s1, s2 * sh, s3 * sw, s2, s3), writeable=False
    )


def max_fwd(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "output size H // PH":
        Ho, Wo = H // PH, W // PW
    if bug == "ceil-mode output size":
        Ho, Wo = -(-(H - PH) // sh) + 1, -(-(W - PW) // sw) + 1
    if bug == "stride read raw from pool_param":
        sh = sw = pool_param["stride"]
    out = np.zeros_like(x) if bug == "out allocated like x" else np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, c, i, j] = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW].max()
    return out, (x, pool_param)


def max_fwd_taps(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    start = 0.0 if bug == "running maximum starts at 0" else -np.inf
    out = np.full((N, C, Ho, Wo), start, dtype=x.dtype)
    for p in range(PH):
        for q in range(PW):
            out = np.maximum(out, x[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw])
    return out, (x, pool_param)


def max_fwd_view(x, pool_param):
    """Right: the maximum over a strided view of every window."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    return _pool_view(x, PH, PW, sh, sw, Ho, Wo).max(axis=(4, 5)), (x, pool_param)


CORPUS += [
    ("max_pool_forward_naive", "output size H // PH", _b(max_fwd, "output size H // PH"), None, False),
    ("max_pool_forward_naive", "ceil-mode output size", _b(max_fwd, "ceil-mode output size"), None, False),
    (
        "max_pool_forward_naive",
        "stride read raw from pool_param",
        _b(max_fwd, "stride read raw from pool_param"),
        None,
        False,
    ),
    ("max_pool_forward_naive", "out allocated like x", _b(max_fwd, "out allocated like x"), None, False),
    (
        "max_pool_forward_naive",
        "running maximum starts at 0",
        _b(max_fwd_taps, "running maximum starts at 0"),
        None,
        False,
    ),
    ("max_pool_forward_naive", "strided view, max over the window axes", max_fwd_view, None, True),
]


def max_bwd(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = (i, j) if bug == "window read without the stride" else (i * sh, j * sw)
                    window = x[n, c, r0 : r0 + PH, c0 : c0 + PW]
                    g = dout[n, c, i, j]
                    if bug == "shared among the tied maxima":
                        mask = window == window.max()
                        dx[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW] += mask * g / mask.sum()
                        continue
                    k = np.argmax(window)
                    if bug == "flat argmax as the column offset":
                        dx[n, c, i * sh, j * sw + k] += g
                        continue
                    p, q = np.unravel_index(k, (PH, PW))
                    if bug == "stride pair swapped in the placement":
                        dx[n, c, i * sw + p, j * sh + q] += g
                    else:
                        dx[n, c, i * sh + p, j * sw + q] += g
    return dx


def max_bwd_add_at(dout, cache):
    """Right: every window's first maximum at once (argmax of a strided view), np.add.at."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    view = _pool_view(x, PH, PW, sh, sw, Ho, Wo).reshape(N, C, Ho, Wo, PH * PW)
    p, q = np.divmod(view.argmax(axis=4), PW)
    n, c, i, j = np.indices((N, C, Ho, Wo))
    dx = np.zeros_like(x)
    np.add.at(dx, (n, c, i * sh + p, j * sw + q), dout)
    return dx


CORPUS += [
    (
        "max_pool_backward_naive",
        "window read without the stride",
        _b(max_bwd, "window read without the stride"),
        None,
        False,
    ),
    (
        "max_pool_backward_naive",
        "shared among the tied maxima",
        _b(max_bwd, "shared among the tied maxima"),
        None,
        False,
    ),
    (
        "max_pool_backward_naive",
        "flat argmax as the column offset",
        _b(max_bwd, "flat argmax as the column offset"),
        None,
        False,
    ),
    (
        "max_pool_backward_naive",
        "stride pair swapped in the placement",
        _b(max_bwd, "stride pair swapped in the placement"),
        None,
        False,
    ),
    ("max_pool_backward_naive", "argmax of a strided view, np.add.at", max_bwd_add_at, None, True),
]

# ---------------------------------------------------------------------------------------------
# average pooling


def avg_fwd(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    off_h, off_w = (0, 0) if bug == "real pixels counted without the pad offset" else (ph, pw)
    out = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    total = xpad[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW].sum()
                    r0, c0 = i * sh - off_h, j * sw - off_w
                    real_rows = min(r0 + PH, H) - max(r0, 0)
                    real_cols = min(c0 + PW, W) - max(c0, 0)
                    real = real_rows * (PW if bug == "real rows times PW" else real_cols)
                    if bug == "count_include_pad inverted":
                        count = real if include else PH * PW
                    else:
                        count = PH * PW if include else real
                    out[n, c, i, j] = total // count if bug == "// for the division" else total / count
    return out, (x, pool_param)


def _real_counts(n, k, s, p, out):
    start = np.arange(out) * s - p
    return np.minimum(start + k, n) - np.maximum(start, 0)


def avg_fwd_view(x, pool_param):
    """Right: window sums of a strided view, divided by an outer product of the counts."""
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    sums = _pool_view(_pad(x, ph, pw), PH, PW, sh, sw, Ho, Wo).sum(axis=(4, 5))
    counts = np.outer(_real_counts(H, PH, sh, ph, Ho), _real_counts(W, PW, sw, pw, Wo))
    return sums / (PH * PW if include else counts), (x, pool_param)


CORPUS += [
    (
        "avg_pool_forward_naive",
        "real pixels counted without the pad offset",
        _b(avg_fwd, "real pixels counted without the pad offset"),
        None,
        False,
    ),
    ("avg_pool_forward_naive", "real rows times PW", _b(avg_fwd, "real rows times PW"), None, False),
    ("avg_pool_forward_naive", "count_include_pad inverted", _b(avg_fwd, "count_include_pad inverted"), None, False),
    ("avg_pool_forward_naive", "// for the division", _b(avg_fwd, "// for the division"), None, False),
    ("avg_pool_forward_naive", "strided view, outer product of the counts", avg_fwd_view, None, True),
]


def avg_bwd(dout, cache, bug=None):
    """No padded buffer: each window clipped to the input."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)

    def clipped(i, j):
        r0 = i * sh - ph
        c0 = j * sw - (ph if bug == "column start offset by ph" else pw)
        r_lo, r_hi = max(r0, 0), min(r0 + PH, H)
        c_lo, c_hi = max(c0, 0), min(c0 + PW, W)
        count = PH * PW if include else (r_hi - r_lo) * (c_hi - c_lo)
        if bug == "negative window start not clipped":
            r_lo, c_lo = r0, c0
        return slice(r_lo, r_hi), slice(c_lo, c_hi), count

    first_count = clipped(0, 0)[2]
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols, count = clipped(i, j)
                    if bug == "count computed once, before the loops":
                        count = first_count
                    if bug == "= for +=":
                        dx[n, c, rows, cols] = dout[n, c, i, j] / count
                    else:
                        dx[n, c, rows, cols] += dout[n, c, i, j] / count
    return dx


def avg_bwd_taps(dout, cache, bug=None):
    """One strided add of every window's share per tap, into a padded buffer."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    counts = np.outer(_real_counts(H, PH, sh, ph, Ho), _real_counts(W, PW, sw, pw, Wo))
    share = dout / (PH * PW if include else counts)
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=x.dtype)
    for p in range(PH):
        for q in range(PW):
            dxpad[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += share
    if bug == "cut [:H, :W]":
        return dxpad[:, :, :H, :W]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += [
    ("avg_pool_backward_naive", "column start offset by ph", _b(avg_bwd, "column start offset by ph"), None, False),
    (
        "avg_pool_backward_naive",
        "negative window start not clipped",
        _b(avg_bwd, "negative window start not clipped"),
        None,
        False,
    ),
    (
        "avg_pool_backward_naive",
        "count computed once, before the loops",
        _b(avg_bwd, "count computed once, before the loops"),
        None,
        False,
    ),
    ("avg_pool_backward_naive", "= for +=", _b(avg_bwd, "= for +="), None, False),
    ("avg_pool_backward_naive", "cut [:H, :W]", _b(avg_bwd_taps, "cut [:H, :W]"), None, False),
    ("avg_pool_backward_naive", "shares added tap by tap", avg_bwd_taps, None, True),
]

# ---------------------------------------------------------------------------------------------
# spatial batch norm


def bn_fwd(x, gamma, beta, bn_param, bug=None):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    rm = bn_param.get("running_mean")
    rv = bn_param.get("running_var")
    rm = np.zeros(C, dtype=x.dtype) if rm is None else rm
    rv = np.ones(C, dtype=x.dtype) if rv is None else rv
    mean = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3), ddof=1 if bug == "unbiased variance to normalize" else 0)
    if mode == "train" or bug == "running statistics updated in test mode too":
        tracked = var
        if bug == "unbiased running_var (PyTorch)":
            tracked = x.var(axis=(0, 2, 3), ddof=1)
        if bug == "running_var tracks the std":
            tracked = np.sqrt(var)
        if bug == "momentum weights the new value (PyTorch)":
            bn_param["running_mean"] = (1 - m) * rm + m * mean
            bn_param["running_var"] = (1 - m) * rv + m * tracked
        else:
            bn_param["running_mean"] = m * rm + (1 - m) * mean
            bn_param["running_var"] = m * rv + (1 - m) * tracked
    if mode == "test":
        mean = rm
        if bug != "test mode with the batch variance":
            var = rv
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean.reshape(1, C, 1, 1)) * inv_std.reshape(1, C, 1, 1)
    g, bt = np.reshape(gamma, (1, C, 1, 1)), np.reshape(beta, (1, C, 1, 1))
    out = bt * xhat + g if bug == "gamma and beta swapped" else g * xhat + bt
    return out, (xhat, inv_std, gamma, np.shape(beta), mode)


def bn_fwd_channel_rows(x, gamma, beta, bn_param):
    """Right: every channel as one row of a (C, N*H*W) matrix."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    rows = x.transpose(1, 0, 2, 3).reshape(C, -1)
    if mode == "train":
        mu = rows.sum(axis=1) / rows.shape[1]
        var = np.einsum("cm,cm->c", rows - mu[:, None], rows - mu[:, None]) / rows.shape[1]
        rm = bn_param.get("running_mean")
        rv = bn_param.get("running_var")
        bn_param["running_mean"] = (1 - m) * mu + m * (np.zeros(C) if rm is None else rm)
        bn_param["running_var"] = (1 - m) * var + m * (np.ones(C) if rv is None else rv)
    else:
        mu, var = bn_param["running_mean"], bn_param["running_var"]
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat_rows = (rows - mu[:, None]) * inv_std[:, None]
    out_rows = np.reshape(gamma, (C, 1)) * xhat_rows + np.reshape(beta, (C, 1))
    back = (C, N, H, W)
    out = out_rows.reshape(back).transpose(1, 0, 2, 3)
    xhat = xhat_rows.reshape(back).transpose(1, 0, 2, 3)
    return out, (xhat, inv_std, gamma, np.shape(beta), mode)


CORPUS += [
    (
        "spatial_batchnorm_forward",
        "momentum weights the new value (PyTorch)",
        _b(bn_fwd, "momentum weights the new value (PyTorch)"),
        None,
        False,
    ),
    (
        "spatial_batchnorm_forward",
        "unbiased running_var (PyTorch)",
        _b(bn_fwd, "unbiased running_var (PyTorch)"),
        None,
        False,
    ),
    (
        "spatial_batchnorm_forward",
        "unbiased variance to normalize",
        _b(bn_fwd, "unbiased variance to normalize"),
        None,
        False,
    ),
    ("spatial_batchnorm_forward", "running_var tracks the std", _b(bn_fwd, "running_var tracks the std"), None, False),
    (
        "spatial_batchnorm_forward",
        "running statistics updated in test mode too",
        _b(bn_fwd, "running statistics updated in test mode too"),
        None,
        False,
    ),
    (
        "spatial_batchnorm_forward",
        "test mode with the batch variance",
        _b(bn_fwd, "test mode with the batch variance"),
        None,
        False,
    ),
    ("spatial_batchnorm_forward", "gamma and beta swapped", _b(bn_fwd, "gamma and beta swapped"), None, False),
    ("spatial_batchnorm_forward", "(C, N*H*W) rows", bn_fwd_channel_rows, None, True),
]


def bn_bwd(dout, cache, bug=None):
    """CS231n's compact form: dx = gamma * inv_std / M * (M * dout - dbeta - xhat * dgamma)."""
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N if bug == "M = N, the batch only" else N * H * W
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    if bug == "inv_std not reshaped":
        scale = np.reshape(gamma, (1, C, 1, 1)) * inv_std
    else:
        scale = np.reshape(gamma, (1, C, 1, 1)) * inv_std.reshape(1, C, 1, 1)
    db4, dg4 = dbeta.reshape(1, C, 1, 1), dgamma.reshape(1, C, 1, 1)
    if bug == "dbeta in the xhat term":
        inner = M * dout - db4 - xhat * db4
    elif bug == "xhat left off the last term":
        inner = M * dout - db4 - dg4
    elif bug == "variance path dropped":
        inner = M * dout - db4
    else:
        inner = M * dout - db4 - xhat * dg4
    dx = scale / M * inner
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


def bn_fwd_keep_x(x, gamma, beta, bn_param):
    """A right forward whose cache keeps x, the batch mean and variance, for a staged backward."""
    out, (xhat, inv_std, gamma, beta_shape, mode) = bn_fwd(x, gamma, beta, bn_param)
    eps = bn_param.get("eps", 1e-5)
    if mode == "train":
        mu, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    else:
        mu, var = bn_param["running_mean"], bn_param["running_var"]
    return out, (x, mu, var, eps, gamma, beta_shape)


def bn_bwd_staged(dout, cache, bug=None):
    """CS231n's staged backward (train mode): through the variance, then the mean."""
    x, mu, var, eps, gamma, beta_shape = cache
    N, C, H, W = x.shape
    M = N * H * W
    std = np.sqrt(var + eps).reshape(1, C, 1, 1)
    xmu = x - mu.reshape(1, C, 1, 1)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * x).sum(axis=(0, 2, 3)) if bug == "dgamma from dout * x" else (dout * xmu / std).sum(axis=(0, 2, 3))
    dxhat = dout * np.reshape(gamma, (1, C, 1, 1))
    half = 1.0 if bug == "-0.5 dropped from dvar" else -0.5
    dvar = half * (dxhat * xmu).sum(axis=(0, 2, 3), keepdims=True) / std**3
    dmean = -(dxhat / std).sum(axis=(0, 2, 3), keepdims=True) - 2 * dvar * xmu.mean(axis=(0, 2, 3), keepdims=True)
    dx = dxhat / std + dvar * 2 * xmu / M + dmean / M
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


CORPUS += [
    ("spatial_batchnorm_backward", "M = N, the batch only", _b(bn_bwd, "M = N, the batch only"), None, False),
    ("spatial_batchnorm_backward", "inv_std not reshaped", _b(bn_bwd, "inv_std not reshaped"), None, False),
    ("spatial_batchnorm_backward", "dbeta in the xhat term", _b(bn_bwd, "dbeta in the xhat term"), None, False),
    (
        "spatial_batchnorm_backward",
        "xhat left off the last term",
        _b(bn_bwd, "xhat left off the last term"),
        None,
        False,
    ),
    ("spatial_batchnorm_backward", "variance path dropped", _b(bn_bwd, "variance path dropped"), None, False),
    (
        "spatial_batchnorm_backward",
        "staged: dgamma from dout * x",
        _b(bn_bwd_staged, "dgamma from dout * x"),
        bn_fwd_keep_x,
        False,
    ),
    (
        "spatial_batchnorm_backward",
        "staged: -0.5 dropped from dvar",
        _b(bn_bwd_staged, "-0.5 dropped from dvar"),
        bn_fwd_keep_x,
        False,
    ),
    ("spatial_batchnorm_backward", "CS231n's compact form", bn_bwd, None, True),
    ("spatial_batchnorm_backward", "staged, own cache", bn_bwd_staged, bn_fwd_keep_x, True),
]

# ---------------------------------------------------------------------------------------------
# spatial group norm


def gn_fwd(x, gamma, beta, G, gn_param, bug=None):
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    if bug == "groups taken channels-last":
        xg = x.transpose(0, 2, 3, 1).reshape(N, G, -1)
    elif bug == "statistics per channel (instance norm)":
        xg = x.reshape(N, C, -1)
    else:
        xg = x.reshape(N, G, -1)
    axes = (0, 2) if bug == "statistics shared across the batch" else 2
    mean = xg.mean(axis=axes, keepdims=True)
    if bug == "E[x^2] - mean (the mean not squared)":
        var = (xg**2).mean(axis=2, keepdims=True) - mean
    else:
        var = ((xg - mean) ** 2).mean(axis=axes, keepdims=True)
    if bug == "divided by the variance":
        xhat_g = (xg - mean) / (var + eps)
    else:
        xhat_g = (xg - mean) / np.sqrt(var + eps)
    if bug == "groups taken channels-last":
        xhat = xhat_g.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    else:
        xhat = xhat_g.reshape(N, C, H, W)
    out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    inv_std = np.broadcast_to(1.0 / np.sqrt(var + eps), (N, var.shape[1], 1))
    return out, (xhat, inv_std, gamma, np.shape(beta), G)


def gn_fwd_loops(x, gamma, beta, G, gn_param):
    """Right: a loop over the samples and the groups, each group a slice of channels."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    size = C // G
    xhat = np.empty_like(x)
    inv_std = np.empty((N, G, 1), dtype=x.dtype)
    for n in range(N):
        for g in range(G):
            block = x[n, g * size : (g + 1) * size]
            mu = block.mean()
            s = 1.0 / np.sqrt(((block - mu) ** 2).mean() + eps)
            xhat[n, g * size : (g + 1) * size] = (block - mu) * s
            inv_std[n, g, 0] = s
    out = xhat * np.reshape(gamma, (1, C, 1, 1)) + np.reshape(beta, (1, C, 1, 1))
    return out, (xhat, inv_std, gamma, np.shape(beta), G)


CORPUS += [
    (
        "spatial_groupnorm_forward",
        "groups taken channels-last",
        _b(gn_fwd, "groups taken channels-last"),
        None,
        False,
    ),
    (
        "spatial_groupnorm_forward",
        "statistics per channel (instance norm)",
        _b(gn_fwd, "statistics per channel (instance norm)"),
        None,
        False,
    ),
    (
        "spatial_groupnorm_forward",
        "statistics shared across the batch",
        _b(gn_fwd, "statistics shared across the batch"),
        None,
        False,
    ),
    (
        "spatial_groupnorm_forward",
        "E[x^2] - mean (the mean not squared)",
        _b(gn_fwd, "E[x^2] - mean (the mean not squared)"),
        None,
        False,
    ),
    ("spatial_groupnorm_forward", "divided by the variance", _b(gn_fwd, "divided by the variance"), None, False),
    ("spatial_groupnorm_forward", "loops over samples and groups", gn_fwd_loops, None, True),
]


def gn_bwd(dout, cache, bug=None):
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = dout * np.reshape(gamma, (1, C, 1, 1))
    rows = C if bug == "per-channel means" else G
    d, xh = dxhat.reshape(N, rows, -1), xhat.reshape(N, rows, -1)
    m1 = d.mean(axis=2, keepdims=True)
    if bug == "product of means in the xhat term":
        m2 = d.mean(axis=2, keepdims=True) * xh.mean(axis=2, keepdims=True)
    else:
        m2 = (d * xh).mean(axis=2, keepdims=True)
    proj = (d - m1 - xh * m2).reshape(N, C, H, W)
    if bug == "inv_std reshaped (N, G, 1, 1) onto (N, C, H, W)":
        dx = proj * inv_std.reshape(N, G, 1, 1)
    else:
        dx = (proj.reshape(N, G, -1) * inv_std).reshape(N, C, H, W)
    if bug == "dgamma and dbeta always (1, C, 1, 1)":
        return dx, dgamma.reshape(1, C, 1, 1), dbeta.reshape(1, C, 1, 1)
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


def gn_fwd_keep_x(x, gamma, beta, G, gn_param):
    """A right forward whose cache keeps x and the group statistics, for a staged backward."""
    out, _ = gn_fwd(x, gamma, beta, G, gn_param)
    N = x.shape[0]
    xg = x.reshape(N, G, -1)
    return out, (x, xg.mean(axis=2, keepdims=True), xg.var(axis=2, keepdims=True), gn_param.get("eps", 1e-5), gamma, G)


def gn_bwd_staged(dout, cache, bug=None):
    """Staged backward through the group variance and mean."""
    x, mu, var, eps, gamma, G = cache
    N, C, H, W = x.shape
    K = H * W if bug == "K = H*W, the channels of a group forgotten" else C // G * H * W
    xg = x.reshape(N, G, -1)
    std = np.sqrt(var + eps)
    xmu = xg - mu
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * (xmu / std).reshape(N, C, H, W)).sum(axis=(0, 2, 3))
    dxhat = (dout * np.reshape(gamma, (1, C, 1, 1))).reshape(N, G, -1)
    dvar = -0.5 * (dxhat * xmu).sum(axis=2, keepdims=True) / std**3
    dmean = -(dxhat / std).sum(axis=2, keepdims=True) - 2 * dvar * xmu.mean(axis=2, keepdims=True)
    dx = dxhat / std + dvar * 2 * xmu / K + dmean / K
    return dx.reshape(N, C, H, W), dgamma.reshape(np.shape(gamma)), dbeta.reshape(np.shape(gamma))


CORPUS += [
    (
        "spatial_groupnorm_backward",
        "product of means in the xhat term",
        _b(gn_bwd, "product of means in the xhat term"),
        None,
        False,
    ),
    ("spatial_groupnorm_backward", "per-channel means", _b(gn_bwd, "per-channel means"), None, False),
    (
        "spatial_groupnorm_backward",
        "inv_std reshaped (N, G, 1, 1) onto (N, C, H, W)",
        _b(gn_bwd, "inv_std reshaped (N, G, 1, 1) onto (N, C, H, W)"),
        None,
        False,
    ),
    (
        "spatial_groupnorm_backward",
        "dgamma and dbeta always (1, C, 1, 1)",
        _b(gn_bwd, "dgamma and dbeta always (1, C, 1, 1)"),
        None,
        False,
    ),
    (
        "spatial_groupnorm_backward",
        "staged: K = H*W, the channels of a group forgotten",
        _b(gn_bwd_staged, "K = H*W, the channels of a group forgotten"),
        gn_fwd_keep_x,
        False,
    ),
    ("spatial_groupnorm_backward", "staged, own cache", gn_bwd_staged, gn_fwd_keep_x, True),
]

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss: cnnlab's conv and pool layers, the rest written out


def convnet(params, X, y=None, reg=0.0, bug=None):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    N = X.shape[0]
    conv_out, conv_cache = L.conv_forward_im2col(X, W1, b1, {"stride": 1, "pad": (W1.shape[2] - 1) // 2})
    a1 = np.maximum(conv_out, 0)
    pooled, pool_cache = L.max_pool_forward_naive(a1, {"pool_height": 2, "pool_width": 2, "stride": 2})
    flat = pooled.reshape(N, -1)
    h_pre = flat @ W2 + b2
    h = np.maximum(h_pre, 0)
    scores = h @ W3 + b3
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    if y is None:
        return probs if bug == "probabilities returned without labels" else scores
    losses = -np.log(probs[np.arange(N), y])
    data_loss = losses.sum() if bug == "loss summed over the batch" else losses.mean()
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    if bug == "gradient of the loss with the wrong sign":
        dscores = -dscores
    grads = {}
    grads["W3"] = (h_pre if bug == "dW3 from the hidden layer before its ReLU" else h).T @ dscores
    grads["b3"] = dscores.mean(axis=0) if bug == "db3 as a mean" else dscores.sum(axis=0)
    dh = (dscores @ W3.T) * (h_pre > 0)
    grads["W2"] = flat.T @ dh
    grads["b2"] = dh.sum(axis=0)
    dpooled = (dh @ W2.T).reshape(pooled.shape)
    da1 = L.max_pool_backward_naive(dpooled, pool_cache) * (conv_out > 0)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(da1, conv_cache)
    reg_loss = 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2) + np.sum(W3**2))
    scale = 1.0 / N if bug == "regularization divided by N" else 1.0
    for k in ("W1", "W2", "W3"):
        if not (k == "W1" and bug == "no reg gradient for W1"):
            grads[k] = grads[k] + scale * reg * params[k]
    if bug == "biases regularized too":
        for k in ("b1", "b2", "b3"):
            reg_loss += 0.5 * reg * np.sum(params[k] ** 2)
            grads[k] = grads[k] + reg * params[k]
    return float(data_loss + scale * reg_loss), {k: grads[k] for k in params}


CORPUS += [
    (
        "three_layer_convnet_loss",
        "probabilities returned without labels",
        _b(convnet, "probabilities returned without labels"),
        None,
        False,
    ),
    ("three_layer_convnet_loss", "loss summed over the batch", _b(convnet, "loss summed over the batch"), None, False),
    (
        "three_layer_convnet_loss",
        "gradient of the loss with the wrong sign",
        _b(convnet, "gradient of the loss with the wrong sign"),
        None,
        False,
    ),
    (
        "three_layer_convnet_loss",
        "dW3 from the hidden layer before its ReLU",
        _b(convnet, "dW3 from the hidden layer before its ReLU"),
        None,
        False,
    ),
    ("three_layer_convnet_loss", "db3 as a mean", _b(convnet, "db3 as a mean"), None, False),
    (
        "three_layer_convnet_loss",
        "regularization divided by N",
        _b(convnet, "regularization divided by N"),
        None,
        False,
    ),
    ("three_layer_convnet_loss", "no reg gradient for W1", _b(convnet, "no reg gradient for W1"), None, False),
    ("three_layer_convnet_loss", "biases regularized too", _b(convnet, "biases regularized too"), None, False),
    ("three_layer_convnet_loss", "conv and pool layers, the rest by hand", convnet, None, True),
]
