"""A second held-out corpus of student mistakes, written blind to the checker (2026-12-03).

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of
``tests/mistake_corpus.py``, to measure how often ``exercises.check`` names a mistake it was
not tuned to (``mistake_corpus.measure(CORPUS)`` runs them). Each wrong row carries ONE
mistake that a student following the lesson could plausibly make; the rows with
``should_pass`` True are correct implementations in another style (vectorised, einsum, loops
in another order, CS231n-style staged backward passes), there to catch false FAILs.

How it was written: from the student edition of the lessons (``lessons/*.ipynb``: the
explanations, the exercise stubs and their docstrings), ``cnnlab/layers``, ``cnnlab/shapes.py``,
``cnnlab/geometry.py``, ``cnnlab/im2col.py`` and ``cnnlab/model.py``, without reading the checker
(``cnnlab/exercises/``), its known-mistake tables, ``tests/student_impls.py`` or
``tests/test_exercises.py``, and without running the check on any row. The rows of
``tests/mistake_corpus.py`` were skimmed only to avoid repeating them. Every row was verified
independently against cnnlab's reference implementations by
``tests/verify_mistake_corpus_fresh.py``: each wrong row differs from the reference on at least
one input of the exercise's geometry, each right row matches it to 1e-8.

125 rows: 109 wrong (each gives a wrong value on at least one input, not only an exception),
16 right, at least 5 wrong ones per exercise.

Measured once, before any diagnosis was written for these rows (2026-12-03, the checker at
``d429d93``): 85 of the 109 wrong rows named (78.0%), 5 by the failing cases, 17 generic, 0 "no
known pattern", 2 wrong verdicts (two PASSes). One PASS was a gap in the cases (an average
pooling that divides by ``np.count_nonzero``: average pooling now has a case after a ReLU, with
exact zeros); the other is right by the exercise (a batch-norm backward without a test mode:
lesson 5 checks the backward in train mode only), and that row now expects a PASS. The checker
has since been tuned to this corpus (108 of 108 named), so it no longer measures.

``forward`` is None where the backward pass reads cnnlab's cache format, or the student's own
(correct) forward where the backward relies on a cache of its own design.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from cnnlab import layers as L
from cnnlab import shapes

# ---------------------------------------------------------------------------------------------
# conv_output_size


def out_size(size, kernel, stride, pad, dilation, bug=None):
    span = dilation * (kernel - 1) + 1
    if bug == "pad added once":
        return (size + pad - span) // stride + 1
    if bug == "span d*k":
        return (size + 2 * pad - dilation * kernel) // stride + 1
    if bug == "+1 inside the floor":
        return (size + 2 * pad - span + 1) // stride
    if bug == "ceil":
        return -(-(size + 2 * pad - span) // stride) + 1
    if bug == "pad subtracted":
        return (size - 2 * pad - span) // stride + 1
    return math.floor((size + 2 * pad - span) / stride) + 1


# ---------------------------------------------------------------------------------------------
# conv_forward_naive, conv_backward_naive


def conv_forward(x, w, b, conv_param, bug=None):
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "Wo from ph":
        Wo = (W + 2 * ph - dw * (WW - 1) - 1) // sw + 1
    pads = ((0, 0), (0, 0), (ph, ph), (pw, pw))
    if bug == "pad pair swapped":
        pads = ((0, 0), (0, 0), (pw, pw), (ph, ph))
    if bug == "pad times dilation":
        pads = ((0, 0), (0, 0), (ph * dh, ph * dh), (pw * dw, pw * dw))
    xpad = np.pad(x, pads)
    out = np.zeros((N, F, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0, rstep, cstep = i * sh, j * sw, dh, dw
                    if bug == "cols without stride":
                        c0 = j
                    if bug == "i and j swapped":
                        r0, c0 = j * sh, i * sw
                    if bug == "stride as tap step":
                        rstep, cstep = sh, sw
                    if bug == "cols without dilation":
                        cstep = 1
                    window = xpad[n, :, r0 : r0 + rstep * (HH - 1) + 1 : rstep, c0 : c0 + cstep * (WW - 1) + 1 : cstep]
                    if bug == "kernel flipped":
                        out[n, f, i, j] = np.sum(window * w[f, :, ::-1, ::-1]) + b[f]
                    elif bug == "bias per channel":
                        for c in range(C):
                            out[n, f, i, j] += np.sum(window[c] * w[f, c]) + b[f]
                    else:
                        out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def conv_forward_einsum(x, w, b, conv_param):
    """Right: loops over output positions only, every sample and filter at once."""
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.empty((N, F, Ho, Wo), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            win = xpad[:, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw * (WW - 1) + 1 : dw]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", win, w) + b
    return out, (x, w, b, conv_param)


def conv_backward(dout, cache, bug=None):
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dout[n, f, j, i] if bug == "dout[j, i]" else dout[n, f, i, j]
                    rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    if bug == "dx without dout":
                        dxpad[n, :, rows, cols] += w[f]
                    elif bug == "dx with the flipped kernel":
                        dxpad[n, :, rows, cols] += w[f, :, ::-1, ::-1] * g
                    else:
                        dxpad[n, :, rows, cols] += w[f] * g
                    window = xpad[n, :, rows, cols]
                    if bug == "dw window without dilation":
                        window = xpad[n, :, i * sh : i * sh + HH, j * sw : j * sw + WW]
                    if bug == "dw without [f]":
                        dw_ += window * g
                    else:
                        dw_[f] += window * g
    db = dout.sum(axis=(0, 2, 3))
    if bug == "db averaged over positions":
        db = db / (Ho * Wo)
    if bug == "padding not cut":
        return dxpad, dw_, db
    if bug == "cut with the pair swapped":
        dx = dxpad[:, :, pw : pw + H, ph : ph + W]
    elif bug == "cut ends at H":
        dx = dxpad[:, :, ph:H, pw:W]
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw_, db


def conv_backward_taps(dout, cache):
    """Right: loops over the filter taps, every sample, filter and position at once."""
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    for p in range(HH):
        rows = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
        for q in range(WW):
            cols = slice(q * dw, q * dw + sw * (Wo - 1) + 1, sw)
            dw_[:, :, p, q] = np.einsum("nfij,ncij->fc", dout, xpad[:, :, rows, cols])
            dxpad[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dout, w[:, :, p, q])
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw_, dout.sum(axis=(0, 2, 3))


# ---------------------------------------------------------------------------------------------
# im2col, col2im


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """One column per output position (the lesson's first way)."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    if bug == "ph for both axes":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (ph, ph)))
    else:
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    if bug == "CS231n 2-D layout":
        cols = np.zeros((C * HH * WW, N * Ho * Wo), dtype=x.dtype)
    else:
        cols = np.zeros((N, C * HH * WW, Ho * Wo), dtype=x.dtype)
    cstep = 1 if bug == "cols without dilation" else dw
    for i in range(Ho):
        for j in range(Ho if bug == "range(Ho) for j" else Wo):
            window = xpad[
                :, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + cstep * (WW - 1) + 1 : cstep
            ]
            if bug == "tap-major rows":
                column = window.transpose(0, 2, 3, 1).reshape(N, -1)
            else:
                column = window.reshape(N, -1)
            if bug == "CS231n 2-D layout":
                cols[:, (i * Wo + j) * N + np.arange(N)] = column.T
            else:
                cols[:, :, i * Wo + j] = column
    return cols


def im2col_taps(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """One strided slice per filter tap (the lesson's faster way)."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    if bug == "(Ho, Wo, HH, WW) layout":
        taps = np.zeros((N, C, Ho, Wo, HH, WW), dtype=x.dtype)
    else:
        taps = np.zeros((N, C, HH, WW, Ho, Wo), dtype=x.dtype)
    for p in range(HH):
        for q in range(WW):
            if bug == "stride and dilation swapped":
                tap = xpad[:, :, p * sh : p * sh + dh * (Ho - 1) + 1 : dh, q * sw : q * sw + dw * (Wo - 1) + 1 : dw]
            else:
                tap = xpad[:, :, p * dh : p * dh + sh * (Ho - 1) + 1 : sh, q * dw : q * dw + sw * (Wo - 1) + 1 : sw]
            if bug == "(Ho, Wo, HH, WW) layout":
                taps[:, :, :, :, p, q] = tap
            else:
                taps[:, :, p, q] = tap
    return taps.reshape(N, C * HH * WW, Ho * Wo)


def col2im_windows(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """Each column added back into its window."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for i in range(Ho):
        for j in range(Wo):
            k = j * Ho + i if bug == "column-major positions" else i * Wo + j
            if bug == "tap-major block":
                block = cols[:, :, k].reshape(N, HH, WW, C).transpose(0, 3, 1, 2)
            else:
                block = cols[:, :, k].reshape(N, C, HH, WW)
            c0 = j * sh if bug == "sh for the width" else j * sw
            rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
            cs = slice(c0, c0 + dw * (WW - 1) + 1, dw)
            if bug == "= instead of +=":
                xpad[:, :, rows, cs] = block
            else:
                xpad[:, :, rows, cs] += block
    if bug == "padding not cut":
        return xpad
    if bug == "pw for both in the cut":
        return xpad[:, :, pw : pw + H, pw : pw + W]
    return xpad[:, :, ph : ph + H, pw : pw + W]


def col2im_taps(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """One strided add per filter tap."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    c6 = cols.reshape(N, C, HH, WW, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for p in range(HH):
        rows = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
        for q in range(WW):
            cs = slice(q * dw, q * dw + sw * (Wo - 1) + 1, sw)
            xpad[:, :, rows, cs] += c6[:, :, q, p] if bug == "(p, q) swapped" else c6[:, :, p, q]
    return xpad[:, :, ph : ph + H, pw : pw + W]


# ---------------------------------------------------------------------------------------------
# conv_forward_im2col, conv_backward_im2col (using the student's own im2col / col2im above)


def conv_im2col_forward(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "HH and WW swapped":
        cols = im2col_taps(x, WW, HH, stride, pad, dilation)
    elif bug == "dilation not passed":
        cols = im2col_taps(x, HH, WW, stride, pad)
    else:
        cols = im2col_taps(x, HH, WW, stride, pad, dilation)
    w_row = w.reshape(-1, F).T if bug == "w.reshape(-1, F).T" else w.reshape(F, -1)
    if bug == "FC-style product, reshaped without transposing back":
        out = (cols.transpose(0, 2, 1) @ w_row.T + b).reshape(N, F, Ho * Wo)
    elif bug == "2-D product":
        out = (w_row @ cols.reshape(C * HH * WW, N * Ho * Wo)).reshape(N, F, Ho * Wo) + b.reshape(1, F, 1)
    elif bug == "bias forgotten":
        out = w_row @ cols
    else:
        out = w_row @ cols + b.reshape(1, F, 1)
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


def conv_im2col_forward_einsum(x, w, b, conv_param):
    """Right: the product written with einsum, on the column-loop im2col."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, _, HH, WW = w.shape
    cols = im2col_windows(x, HH, WW, stride, pad, dilation)
    out = np.einsum("fk,nkp->nfp", w.reshape(F, -1), cols) + b[None, :, None]
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


def conv_im2col_backward(dout, cache, bug=None):
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "dout reshaped (N, H'W', F)":
        d = dout.reshape(N, Ho * Wo, F).transpose(0, 2, 1)
    else:
        d = dout.reshape(N, F, Ho * Wo)
    db = d.sum(axis=(1, 2)) if bug == "db over axes (1, 2)" else d.sum(axis=(0, 2))
    if bug == "dw as a product of sums":
        dw_row = d.sum(axis=0) @ cols.sum(axis=0).T
    else:
        dw_row = (d @ cols.transpose(0, 2, 1)).sum(axis=0)
    if bug == "dw reshaped tap-major":
        dw_ = dw_row.reshape(F, HH, WW, C).transpose(0, 3, 1, 2)
    else:
        dw_ = dw_row.reshape(w.shape)
    w_row = w.reshape(F, -1)
    if bug == "dcols transposed by a reshape":
        dcols = (d.transpose(0, 2, 1) @ w_row).reshape(N, C * HH * WW, Ho * Wo)
    else:
        dcols = w_row.T @ d
    if bug == "col2im without dilation":
        dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad)
    else:
        dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw_, db


# ---------------------------------------------------------------------------------------------
# max pooling


def max_forward(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0, pw_ = i * sh, j * sw, PW
                    if bug == "sh for the width":
                        c0 = j * sh
                    if bug == "windows start at i*PH":
                        r0, c0 = i * PH, j * PW
                    if bug == "PH for both":
                        pw_ = PH
                    if bug == "max over all channels":
                        window = x[n, :, r0 : r0 + PH, c0 : c0 + PW]
                    else:
                        window = x[n, c, r0 : r0 + PH, c0 : c0 + pw_]
                    if bug == "argmax stored":
                        out[n, c, i, j] = np.argmax(window)
                    elif bug == "mean instead of max":
                        out[n, c, i, j] = np.mean(window)
                    else:
                        out[n, c, i, j] = np.max(window)
    return out, (x, pool_param)


def max_forward_taps(x, pool_param):
    """Right: a running maximum over the PH*PW taps, every window at once."""
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.full((N, C, Ho, Wo), -np.inf, dtype=x.dtype)
    for p in range(PH):
        for q in range(PW):
            out = np.maximum(out, x[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw])
    return out, (x, pool_param)


def max_backward(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    g = dout[n, c, j, i] if bug == "dout[j, i]" else dout[n, c, i, j]
                    if bug == "every tied maximum":
                        dx[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW] += (window == window.max()) * g
                        continue
                    if bug == "last maximum":
                        k = window.size - 1 - np.argmax(window.ravel()[::-1])
                    else:
                        k = np.argmax(window)
                    p, q = np.unravel_index(k, window.shape)
                    r, s = i * sh + p, j * sw + q
                    if bug == "no window offset":
                        r, s = p, q
                    if bug == "offset by the pool size":
                        r, s = i * PH + p, j * PW + q
                    if bug == "= instead of +=":
                        dx[n, c, r, s] = g
                    else:
                        dx[n, c, r, s] += g
    return dx


def max_backward_vectorised(dout, cache):
    """Right: CS231n-style, every (n, c) of one window position at once."""
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    nn, cc = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1)
            p, q = np.unravel_index(win.argmax(axis=2), (PH, PW))
            np.add.at(dx, (nn, cc, i * sh + p, j * sw + q), dout[:, :, i, j])
    return dx


# ---------------------------------------------------------------------------------------------
# average pooling


def avg_forward(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    pads = ((0, 0), (0, 0), (ph, ph), (pw, pw))
    if bug == "ph for the width":
        pads = ((0, 0), (0, 0), (ph, ph), (ph, ph))
    xpad = x if bug == "no padding" else np.pad(x, pads)
    inside = np.pad(np.ones((H, W), dtype=x.dtype), pads[2:])
    out = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    window = xpad[n, c, rows, cols]
                    if bug == "always PH*PW":
                        count = PH * PW
                    elif bug == "always the real pixels":
                        count = inside[rows, cols].sum()
                    elif bug == "count_nonzero":
                        count = PH * PW if include else np.count_nonzero(window)
                    elif bug == "count without the stride":
                        count = PH * PW if include else inside[i : i + PH, j : j + PW].sum()
                    else:
                        count = PH * PW if include else inside[rows, cols].sum()
                    out[n, c, i, j] = window.sum() / count
    return out, (x, pool_param)


def avg_forward_taps(x, pool_param):
    """Right: the window sums and the real-pixel counts as sums over the taps."""
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ones = np.pad(np.ones((H, W), dtype=x.dtype), ((ph, ph), (pw, pw)))
    sums = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    counts = np.zeros((Ho, Wo), dtype=x.dtype)
    for p in range(PH):
        rows = slice(p, p + sh * (Ho - 1) + 1, sh)
        for q in range(PW):
            cols = slice(q, q + sw * (Wo - 1) + 1, sw)
            sums += xpad[:, :, rows, cols]
            counts += ones[rows, cols]
    return sums / (PH * PW if include else counts), (x, pool_param)


def avg_backward(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (ph, pw), include, (Ho, Wo) = shapes.check_avg_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    if bug == "count from unpadded ones":
        inside = np.ones((H, W), dtype=x.dtype)
    else:
        inside = np.pad(np.ones((H, W), dtype=x.dtype), ((ph, ph), (pw, pw)))
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=x.dtype)
    dx = np.zeros_like(x)
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * sh, i * sh + PH), slice(j * sw, j * sw + PW)
                    if bug == "always PH*PW":
                        count = PH * PW
                    else:
                        count = PH * PW if include else inside[rows, cols].sum()
                    share = dout[n, c, i, j] if bug == "not divided by count" else dout[n, c, i, j] / count
                    if bug == "max routing kept":
                        p, q = np.unravel_index(np.argmax(xpad[n, c, rows, cols]), (PH, PW))
                        dxpad[n, c, i * sh + p, j * sw + q] += share
                    elif bug == "added into the unpadded dx":
                        dx[n, c, rows, cols] += share
                    else:
                        dxpad[n, c, rows, cols] += share
    if bug == "added into the unpadded dx":
        return dx
    if bug == "padding not cut":
        return dxpad
    if bug == "ph for both in the cut":
        return dxpad[:, :, ph : ph + H, ph : ph + W]
    return dxpad[:, :, ph : ph + H, pw : pw + W]


# ---------------------------------------------------------------------------------------------
# spatial batch norm


def bn_forward(x, gamma, beta, bn_param, bug=None):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-8 if bug == "eps default 1e-8" else 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    rm = bn_param.get("running_mean")
    rv = bn_param.get("running_var")
    if rm is None:
        rm = np.zeros(C, dtype=x.dtype)
    if rv is None:
        rv = np.zeros(C, dtype=x.dtype) if bug == "running_var starts at zeros" else np.ones(C, dtype=x.dtype)
    if mode == "train" or bug == "test mode ignored":
        mean = x.mean(axis=(0, 2, 3))
        if bug == "variance averaged per sample":
            var = x.var(axis=(2, 3)).mean(axis=0)
        else:
            var = x.var(axis=(0, 2, 3))
        new_rm = momentum * rm + (1 - momentum) * mean
        new_rv = momentum * rv + (1 - momentum) * var
        if bug == "running stats stored as (1, C, 1, 1)":
            new_rm, new_rv = new_rm.reshape(1, C, 1, 1), new_rv.reshape(1, C, 1, 1)
        bn_param["running_mean"], bn_param["running_var"] = new_rm, new_rv
    else:
        mean, var = rm, rv
    if bug == "eps outside the sqrt":
        inv_std = 1.0 / (np.sqrt(var) + eps)
    elif bug == "test mode without sqrt" and mode == "test":
        inv_std = 1.0 / (var + eps)
    else:
        inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean.reshape(1, C, 1, 1)) * inv_std.reshape(1, C, 1, 1)
    if bug == "gamma and beta not reshaped":
        out = gamma * xhat + beta
    else:
        out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    return out, (xhat, inv_std, gamma, np.shape(beta), mode)


def bn_forward_rows(x, gamma, beta, bn_param):
    """Right: CS231n style, fully connected batch norm on the (N*H*W, C) matrix."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    rows = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C)
    if mode == "train":
        mu = rows.mean(axis=0)
        var = ((rows - mu) ** 2).mean(axis=0)
        rm = bn_param.get("running_mean", np.zeros(C, dtype=x.dtype))
        rv = bn_param.get("running_var", np.ones(C, dtype=x.dtype))
        bn_param["running_mean"] = momentum * rm + (1 - momentum) * mu
        bn_param["running_var"] = momentum * rv + (1 - momentum) * var
    else:
        mu, var = bn_param["running_mean"], bn_param["running_var"]
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat_rows = (rows - mu) * inv_std
    out_rows = xhat_rows * np.reshape(gamma, -1) + np.reshape(beta, -1)
    out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    xhat = xhat_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, (xhat, inv_std, gamma, np.shape(beta), mode)


def bn_backward(dout, cache, bug=None):
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    g = np.reshape(gamma, (1, C, 1, 1))
    s = inv_std.reshape(1, C, 1, 1)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = dout if bug == "gamma left out of dxhat" else dout * g
    axes = (0, 2, 3)
    if bug == "means over all axes":
        axes = (0, 1, 2, 3)
    if bug == "means over the batch axis only":
        axes = 0
    constant_stats = (mode == "test" and bug != "test mode ignored") or bug == "statistics held constant"
    if constant_stats:
        dx = dxhat * s
    else:
        m1 = dxhat.mean(axis=axes, keepdims=True)
        m2 = (dxhat * xhat).mean(axis=axes, keepdims=True)
        dx = (dxhat - m1 - xhat * m2) * s
    if bug == "dgamma and dbeta as (C,)":
        return dx, dgamma, dbeta
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


def bn_forward_staged(x, gamma, beta, bn_param):
    """A right forward pass whose cache is CS231n's: x, mu, var and eps for a staged backward."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    C = x.shape[1]
    if mode == "train":
        mu = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
        rm = bn_param.get("running_mean", np.zeros(C, dtype=x.dtype))
        rv = bn_param.get("running_var", np.ones(C, dtype=x.dtype))
        bn_param["running_mean"] = momentum * rm + (1 - momentum) * mu
        bn_param["running_var"] = momentum * rv + (1 - momentum) * var
    else:
        mu, var = bn_param["running_mean"], bn_param["running_var"]
    xhat = (x - mu.reshape(1, C, 1, 1)) / np.sqrt(var.reshape(1, C, 1, 1) + eps)
    out = np.reshape(gamma, (1, C, 1, 1)) * xhat + np.reshape(beta, (1, C, 1, 1))
    return out, (x, mu, var, eps, gamma, np.shape(beta), mode)


def bn_backward_staged(dout, cache, bug=None):
    """CS231n's staged backward: through the variance, then the mean."""
    x, mu, var, eps, gamma, beta_shape, mode = cache
    N, C, H, W = x.shape
    M = N * H * W
    std = np.sqrt(var.reshape(1, C, 1, 1) + eps)
    xmu = x - mu.reshape(1, C, 1, 1)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xmu / std).sum(axis=(0, 2, 3))
    dxhat = dout * np.reshape(gamma, (1, C, 1, 1))
    if mode == "test":
        dx = dxhat / std
    else:
        power = -1.5 if bug == "dvar with std**-1.5" else -3.0
        dvar = np.sum(dxhat * xmu, axis=(0, 2, 3), keepdims=True) * -0.5 * std**power
        dmean = np.sum(-dxhat / std, axis=(0, 2, 3), keepdims=True) + dvar * np.mean(
            -2.0 * xmu, axis=(0, 2, 3), keepdims=True
        )
        two = 1.0 if bug == "2 dropped in the dvar term" else 2.0
        dx = dxhat / std + dvar * two * xmu / M + dmean / M
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


# ---------------------------------------------------------------------------------------------
# spatial group norm


def gn_forward(x, gamma, beta, G, gn_param, bug=None):
    N, C, H, W = x.shape
    eps = 1e-5 if bug == "eps of gn_param ignored" else gn_param.get("eps", 1e-5)
    g = np.reshape(gamma, (1, C, 1, 1))
    bt = np.reshape(beta, (1, C, 1, 1))
    if bug == "groups strided (c % G)":
        xg = x.reshape(N, C // G, G, H, W)
        mean = xg.mean(axis=(1, 3, 4), keepdims=True)
        var = xg.var(axis=(1, 3, 4), keepdims=True)
    else:
        if bug == "reshape(G, -1) without N":
            xg = x.reshape(G, -1)
        elif bug == "C // G groups":
            xg = x.reshape(N, C // G, -1)
        elif bug == "G ignored":
            xg = x.reshape(N, 1, -1)
        else:
            xg = x.reshape(N, G, -1)
        axis = 1 if bug == "statistics over the group axis" else -1
        mean = xg.mean(axis=axis, keepdims=True)
        var = xg.var(axis=axis, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = ((xg - mean) * inv_std).reshape(N, C, H, W)
    out = g * (xhat + bt) if bug == "beta inside the scale" else g * xhat + bt
    return out, (xhat, inv_std, gamma, np.shape(beta), G)


def gn_forward_5d(x, gamma, beta, G, gn_param):
    """Right: the groups as an axis of their own, (N, G, C/G, H, W)."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    x5 = x.reshape(N, G, C // G, H, W)
    mu = x5.mean(axis=(2, 3, 4), keepdims=True)
    var = ((x5 - mu) ** 2).mean(axis=(2, 3, 4), keepdims=True)
    xhat = ((x5 - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = xhat * np.reshape(gamma, (1, C, 1, 1)) + np.reshape(beta, (1, C, 1, 1))
    return out, (xhat, 1.0 / np.sqrt(var.reshape(N, G, 1) + eps), gamma, np.shape(beta), G)


def gn_backward(dout, cache, bug=None):
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    g = np.reshape(gamma, (1, C, 1, 1))
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    xg = xhat.reshape(N, G, -1)
    if bug == "gamma applied after the projection":
        d = dout.reshape(N, G, -1)
        proj = d - d.mean(axis=2, keepdims=True) - xg * (d * xg).mean(axis=2, keepdims=True)
        dx = (proj * inv_std).reshape(N, C, H, W) * g
    elif bug == "means over the group axis":
        d = (dout * g).reshape(N, G, -1)
        proj = d - d.mean(axis=1, keepdims=True) - xg * (d * xg).mean(axis=1, keepdims=True)
        dx = (proj * inv_std).reshape(N, C, H, W)
    else:  # per channel, the group statistics repeated over each group's channels
        dxhat = dout * g
        dg = dxhat.reshape(N, G, -1)
        m1 = np.repeat(dg.mean(axis=2), C // G, axis=1).reshape(N, C, 1, 1)
        m2 = np.repeat((dg * xg).mean(axis=2), C // G, axis=1).reshape(N, C, 1, 1)
        if bug == "batch-norm axes":
            m1 = dxhat.mean(axis=(0, 2, 3), keepdims=True)
            m2 = (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
        if bug == "tile for repeat":
            s = np.tile(inv_std[:, :, 0], (1, C // G)).reshape(N, C, 1, 1)
        else:
            s = np.repeat(inv_std[:, :, 0], C // G, axis=1).reshape(N, C, 1, 1)
        dx = (dxhat - m1 - xhat * m2) * s
    if bug == "dgamma and dbeta swapped":
        return dx, dbeta.reshape(beta_shape), dgamma.reshape(np.shape(gamma))
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss


def convnet(params, X, y=None, reg=0.0, bug=None):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    N = X.shape[0]
    a, conv_cache = L.conv_forward_im2col(X, W1, b1, {"stride": 1, "pad": (W1.shape[2] - 1) // 2})
    a, relu1_cache = L.relu_forward(a)
    a, pool_cache = L.max_pool_forward_im2col(a, {"pool_height": 2, "pool_width": 2, "stride": 2})
    pooled_shape = a.shape
    if bug == "channels-last flatten":
        a = a.transpose(0, 2, 3, 1).reshape(N, -1)
    h, affine2_cache = L.affine_forward(a, W2, b2)
    h, relu2_cache = L.relu_forward(h)
    scores, affine3_cache = L.affine_forward(h, W3, b3)
    if bug == "ReLU on the scores":
        scores, relu3_cache = L.relu_forward(scores)
    if y is None:
        return scores
    if bug in ("softmax over axis 0", "dscores not divided by N", "probs[:, y]"):
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs = e / e.sum(axis=0 if bug == "softmax over axis 0" else 1, keepdims=True)
        dscores = probs.copy()
        if bug == "probs[:, y]":
            data_loss = -np.mean(np.log(probs[:, y]))
            dscores[:, y] -= 1
        else:
            data_loss = -np.mean(np.log(probs[np.arange(N), y]))
            dscores[np.arange(N), y] -= 1
        if bug != "dscores not divided by N":
            dscores /= N
    else:
        data_loss, dscores = L.softmax_loss(scores, y)
    if bug == "ReLU on the scores":
        dscores = L.relu_backward(dscores, relu3_cache)
    grads = {}
    dh, grads["W3"], grads["b3"] = L.affine_backward(dscores, affine3_cache)
    dh = L.relu_backward(dh, relu2_cache)
    da, grads["W2"], grads["b2"] = L.affine_backward(dh, affine2_cache)
    if bug == "channels-last flatten":
        n_, f_, hp, wp = pooled_shape
        da = da.reshape(n_, hp, wp, f_).transpose(0, 3, 1, 2)
    da = L.max_pool_backward_im2col(da, pool_cache)
    da = L.relu_backward(da, relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(da, conv_cache)
    weights = ("W2", "W3") if bug == "W1 left out of the reg loss" else ("W1", "W2", "W3")
    half = 1.0 if bug == "reg loss without the 0.5" else 0.5
    loss = data_loss + half * reg * sum(np.sum(params[k] ** 2) for k in weights)
    for k in ("W1", "W2", "W3"):
        grads[k] = grads[k] + reg * params[k]
    return float(loss), {k: grads[k] for k in params}


def convnet_naive(params, X, y=None, reg=0.0):
    """Right: the naive layers, a softmax written out, the loss assembled at the end."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    N = X.shape[0]
    conv_out, conv_cache = L.conv_forward_naive(X, W1, b1, {"stride": 1, "pad": (W1.shape[2] - 1) // 2})
    relu1 = np.maximum(conv_out, 0)
    pooled, pool_cache = L.max_pool_forward_naive(relu1, {"pool_height": 2, "pool_width": 2, "stride": 2})
    flat = pooled.reshape(N, -1)
    hidden_in = flat @ W2 + b2
    hidden = np.maximum(hidden_in, 0)
    scores = hidden @ W3 + b3
    if y is None:
        return scores
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    data_loss = -log_probs[np.arange(N), y].mean()
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads = {"W3": hidden.T @ dscores + reg * W3, "b3": dscores.sum(axis=0)}
    dhidden = (dscores @ W3.T) * (hidden_in > 0)
    grads["W2"] = flat.T @ dhidden + reg * W2
    grads["b2"] = dhidden.sum(axis=0)
    dpooled = (dhidden @ W2.T).reshape(pooled.shape)
    drelu1 = L.max_pool_backward_naive(dpooled, pool_cache) * (conv_out > 0)
    _, dW1, grads["b1"] = L.conv_backward_naive(drelu1, conv_cache)
    grads["W1"] = dW1 + reg * W1
    loss = data_loss + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))
    return float(loss), {k: grads[k] for k in params}


def _b(fn, bug):
    return partial(fn, bug=bug)


CORPUS = [
    # conv_output_size
    ("conv_output_size", "pad added once", _b(out_size, "pad added once"), None, False),
    ("conv_output_size", "span d*k", _b(out_size, "span d*k"), None, False),
    ("conv_output_size", "+1 inside the floor", _b(out_size, "+1 inside the floor"), None, False),
    ("conv_output_size", "ceil division", _b(out_size, "ceil"), None, False),
    ("conv_output_size", "pad subtracted", _b(out_size, "pad subtracted"), None, False),
    ("conv_output_size", "math.floor of a true division", out_size, None, True),
    # conv_forward_naive
    ("conv_forward_naive", "Wo from ph", _b(conv_forward, "Wo from ph"), None, False),
    ("conv_forward_naive", "pad pair swapped", _b(conv_forward, "pad pair swapped"), None, False),
    ("conv_forward_naive", "pad times dilation", _b(conv_forward, "pad times dilation"), None, False),
    ("conv_forward_naive", "cols without stride", _b(conv_forward, "cols without stride"), None, False),
    ("conv_forward_naive", "i and j swapped", _b(conv_forward, "i and j swapped"), None, False),
    ("conv_forward_naive", "stride as tap step", _b(conv_forward, "stride as tap step"), None, False),
    ("conv_forward_naive", "cols without dilation", _b(conv_forward, "cols without dilation"), None, False),
    ("conv_forward_naive", "kernel flipped", _b(conv_forward, "kernel flipped"), None, False),
    ("conv_forward_naive", "bias per channel", _b(conv_forward, "bias per channel"), None, False),
    ("conv_forward_naive", "einsum per position", conv_forward_einsum, None, True),
    # conv_backward_naive
    ("conv_backward_naive", "dout[j, i]", _b(conv_backward, "dout[j, i]"), None, False),
    ("conv_backward_naive", "dx without dout", _b(conv_backward, "dx without dout"), None, False),
    ("conv_backward_naive", "dx with the flipped kernel", _b(conv_backward, "dx with the flipped kernel"), None, False),
    ("conv_backward_naive", "dw window without dilation", _b(conv_backward, "dw window without dilation"), None, False),
    ("conv_backward_naive", "dw without [f]", _b(conv_backward, "dw without [f]"), None, False),
    ("conv_backward_naive", "db averaged over positions", _b(conv_backward, "db averaged over positions"), None, False),
    ("conv_backward_naive", "padding not cut", _b(conv_backward, "padding not cut"), None, False),
    ("conv_backward_naive", "cut with the pair swapped", _b(conv_backward, "cut with the pair swapped"), None, False),
    ("conv_backward_naive", "cut ends at H", _b(conv_backward, "cut ends at H"), None, False),
    ("conv_backward_naive", "loops over taps, einsum", conv_backward_taps, None, True),
    # im2col
    ("im2col", "ph for both axes", _b(im2col_windows, "ph for both axes"), None, False),
    ("im2col", "CS231n 2-D layout", _b(im2col_windows, "CS231n 2-D layout"), None, False),
    ("im2col", "cols without dilation", _b(im2col_windows, "cols without dilation"), None, False),
    ("im2col", "range(Ho) for j", _b(im2col_windows, "range(Ho) for j"), None, False),
    ("im2col", "tap-major rows", _b(im2col_windows, "tap-major rows"), None, False),
    ("im2col", "(Ho, Wo, HH, WW) layout", _b(im2col_taps, "(Ho, Wo, HH, WW) layout"), None, False),
    ("im2col", "stride and dilation swapped", _b(im2col_taps, "stride and dilation swapped"), None, False),
    ("im2col", "loop over the taps", im2col_taps, None, True),
    # col2im
    ("col2im", "= instead of +=", _b(col2im_windows, "= instead of +="), None, False),
    ("col2im", "column-major positions", _b(col2im_windows, "column-major positions"), None, False),
    ("col2im", "tap-major block", _b(col2im_windows, "tap-major block"), None, False),
    ("col2im", "sh for the width", _b(col2im_windows, "sh for the width"), None, False),
    ("col2im", "padding not cut", _b(col2im_windows, "padding not cut"), None, False),
    ("col2im", "pw for both in the cut", _b(col2im_windows, "pw for both in the cut"), None, False),
    ("col2im", "(p, q) swapped", _b(col2im_taps, "(p, q) swapped"), None, False),
    ("col2im", "loop over the windows", col2im_windows, None, True),
    # conv_forward_im2col
    (
        "conv_forward_im2col",
        "FC-style product, reshaped without transposing back",
        _b(conv_im2col_forward, "FC-style product, reshaped without transposing back"),
        None,
        False,
    ),
    ("conv_forward_im2col", "HH and WW swapped", _b(conv_im2col_forward, "HH and WW swapped"), None, False),
    ("conv_forward_im2col", "dilation not passed", _b(conv_im2col_forward, "dilation not passed"), None, False),
    ("conv_forward_im2col", "w.reshape(-1, F).T", _b(conv_im2col_forward, "w.reshape(-1, F).T"), None, False),
    ("conv_forward_im2col", "2-D product", _b(conv_im2col_forward, "2-D product"), None, False),
    ("conv_forward_im2col", "bias forgotten", _b(conv_im2col_forward, "bias forgotten"), None, False),
    ("conv_forward_im2col", "einsum product", conv_im2col_forward_einsum, None, True),
    # conv_backward_im2col
    (
        "conv_backward_im2col",
        "dout reshaped (N, H'W', F)",
        _b(conv_im2col_backward, "dout reshaped (N, H'W', F)"),
        None,
        False,
    ),
    ("conv_backward_im2col", "db over axes (1, 2)", _b(conv_im2col_backward, "db over axes (1, 2)"), None, False),
    (
        "conv_backward_im2col",
        "dw as a product of sums",
        _b(conv_im2col_backward, "dw as a product of sums"),
        None,
        False,
    ),
    ("conv_backward_im2col", "dw reshaped tap-major", _b(conv_im2col_backward, "dw reshaped tap-major"), None, False),
    (
        "conv_backward_im2col",
        "dcols transposed by a reshape",
        _b(conv_im2col_backward, "dcols transposed by a reshape"),
        None,
        False,
    ),
    (
        "conv_backward_im2col",
        "col2im without dilation",
        _b(conv_im2col_backward, "col2im without dilation"),
        None,
        False,
    ),
    ("conv_backward_im2col", "matmul and tap col2im", conv_im2col_backward, conv_im2col_forward_einsum, True),
    # max_pool_forward_naive
    ("max_pool_forward_naive", "sh for the width", _b(max_forward, "sh for the width"), None, False),
    ("max_pool_forward_naive", "windows start at i*PH", _b(max_forward, "windows start at i*PH"), None, False),
    ("max_pool_forward_naive", "PH for both", _b(max_forward, "PH for both"), None, False),
    ("max_pool_forward_naive", "max over all channels", _b(max_forward, "max over all channels"), None, False),
    ("max_pool_forward_naive", "argmax stored", _b(max_forward, "argmax stored"), None, False),
    ("max_pool_forward_naive", "mean instead of max", _b(max_forward, "mean instead of max"), None, False),
    ("max_pool_forward_naive", "running maximum over taps", max_forward_taps, None, True),
    # max_pool_backward_naive
    ("max_pool_backward_naive", "dout[j, i]", _b(max_backward, "dout[j, i]"), None, False),
    ("max_pool_backward_naive", "every tied maximum", _b(max_backward, "every tied maximum"), None, False),
    ("max_pool_backward_naive", "last maximum", _b(max_backward, "last maximum"), None, False),
    ("max_pool_backward_naive", "no window offset", _b(max_backward, "no window offset"), None, False),
    ("max_pool_backward_naive", "offset by the pool size", _b(max_backward, "offset by the pool size"), None, False),
    ("max_pool_backward_naive", "= instead of +=", _b(max_backward, "= instead of +="), None, False),
    ("max_pool_backward_naive", "vectorised over (n, c)", max_backward_vectorised, None, True),
    # avg_pool_forward_naive
    ("avg_pool_forward_naive", "ph for the width", _b(avg_forward, "ph for the width"), None, False),
    ("avg_pool_forward_naive", "no padding", _b(avg_forward, "no padding"), None, False),
    ("avg_pool_forward_naive", "always PH*PW", _b(avg_forward, "always PH*PW"), None, False),
    ("avg_pool_forward_naive", "always the real pixels", _b(avg_forward, "always the real pixels"), None, False),
    ("avg_pool_forward_naive", "count_nonzero", _b(avg_forward, "count_nonzero"), None, False),
    ("avg_pool_forward_naive", "count without the stride", _b(avg_forward, "count without the stride"), None, False),
    ("avg_pool_forward_naive", "sums over taps", avg_forward_taps, None, True),
    # avg_pool_backward_naive
    ("avg_pool_backward_naive", "count from unpadded ones", _b(avg_backward, "count from unpadded ones"), None, False),
    ("avg_pool_backward_naive", "always PH*PW", _b(avg_backward, "always PH*PW"), None, False),
    ("avg_pool_backward_naive", "not divided by count", _b(avg_backward, "not divided by count"), None, False),
    ("avg_pool_backward_naive", "max routing kept", _b(avg_backward, "max routing kept"), None, False),
    (
        "avg_pool_backward_naive",
        "added into the unpadded dx",
        _b(avg_backward, "added into the unpadded dx"),
        None,
        False,
    ),
    ("avg_pool_backward_naive", "padding not cut", _b(avg_backward, "padding not cut"), None, False),
    ("avg_pool_backward_naive", "ph for both in the cut", _b(avg_backward, "ph for both in the cut"), None, False),
    ("avg_pool_backward_naive", "loops", avg_backward, None, True),
    # spatial_batchnorm_forward
    ("spatial_batchnorm_forward", "eps default 1e-8", _b(bn_forward, "eps default 1e-8"), None, False),
    (
        "spatial_batchnorm_forward",
        "running_var starts at zeros",
        _b(bn_forward, "running_var starts at zeros"),
        None,
        False,
    ),
    ("spatial_batchnorm_forward", "test mode ignored", _b(bn_forward, "test mode ignored"), None, False),
    (
        "spatial_batchnorm_forward",
        "variance averaged per sample",
        _b(bn_forward, "variance averaged per sample"),
        None,
        False,
    ),
    (
        "spatial_batchnorm_forward",
        "running stats stored as (1, C, 1, 1)",
        _b(bn_forward, "running stats stored as (1, C, 1, 1)"),
        None,
        False,
    ),
    ("spatial_batchnorm_forward", "eps outside the sqrt", _b(bn_forward, "eps outside the sqrt"), None, False),
    ("spatial_batchnorm_forward", "test mode without sqrt", _b(bn_forward, "test mode without sqrt"), None, False),
    (
        "spatial_batchnorm_forward",
        "gamma and beta not reshaped",
        _b(bn_forward, "gamma and beta not reshaped"),
        None,
        False,
    ),
    ("spatial_batchnorm_forward", "(N*H*W, C) rows", bn_forward_rows, None, True),
    # spatial_batchnorm_backward
    ("spatial_batchnorm_backward", "gamma left out of dxhat", _b(bn_backward, "gamma left out of dxhat"), None, False),
    ("spatial_batchnorm_backward", "means over all axes", _b(bn_backward, "means over all axes"), None, False),
    (
        "spatial_batchnorm_backward",
        "means over the batch axis only",
        _b(bn_backward, "means over the batch axis only"),
        None,
        False,
    ),
    # Written as a mistake; measured a PASS. Lesson 5 checks the backward in train mode only (CS231n's
    # backward, which students paste, has no test mode), so by the exercise this row is right.
    ("spatial_batchnorm_backward", "test mode ignored", _b(bn_backward, "test mode ignored"), None, True),
    (
        "spatial_batchnorm_backward",
        "statistics held constant",
        _b(bn_backward, "statistics held constant"),
        None,
        False,
    ),
    (
        "spatial_batchnorm_backward",
        "dgamma and dbeta as (C,)",
        _b(bn_backward, "dgamma and dbeta as (C,)"),
        None,
        False,
    ),
    (
        "spatial_batchnorm_backward",
        "staged: dvar with std**-1.5",
        _b(bn_backward_staged, "dvar with std**-1.5"),
        bn_forward_staged,
        False,
    ),
    (
        "spatial_batchnorm_backward",
        "staged: 2 dropped in the dvar term",
        _b(bn_backward_staged, "2 dropped in the dvar term"),
        bn_forward_staged,
        False,
    ),
    ("spatial_batchnorm_backward", "staged, own cache", bn_backward_staged, bn_forward_staged, True),
    # spatial_groupnorm_forward
    ("spatial_groupnorm_forward", "groups strided (c % G)", _b(gn_forward, "groups strided (c % G)"), None, False),
    (
        "spatial_groupnorm_forward",
        "reshape(G, -1) without N",
        _b(gn_forward, "reshape(G, -1) without N"),
        None,
        False,
    ),
    ("spatial_groupnorm_forward", "C // G groups", _b(gn_forward, "C // G groups"), None, False),
    ("spatial_groupnorm_forward", "G ignored", _b(gn_forward, "G ignored"), None, False),
    (
        "spatial_groupnorm_forward",
        "statistics over the group axis",
        _b(gn_forward, "statistics over the group axis"),
        None,
        False,
    ),
    ("spatial_groupnorm_forward", "eps of gn_param ignored", _b(gn_forward, "eps of gn_param ignored"), None, False),
    ("spatial_groupnorm_forward", "beta inside the scale", _b(gn_forward, "beta inside the scale"), None, False),
    ("spatial_groupnorm_forward", "(N, G, C/G, H, W)", gn_forward_5d, None, True),
    # spatial_groupnorm_backward
    (
        "spatial_groupnorm_backward",
        "gamma applied after the projection",
        _b(gn_backward, "gamma applied after the projection"),
        None,
        False,
    ),
    (
        "spatial_groupnorm_backward",
        "means over the group axis",
        _b(gn_backward, "means over the group axis"),
        None,
        False,
    ),
    ("spatial_groupnorm_backward", "batch-norm axes", _b(gn_backward, "batch-norm axes"), None, False),
    ("spatial_groupnorm_backward", "tile for repeat", _b(gn_backward, "tile for repeat"), None, False),
    (
        "spatial_groupnorm_backward",
        "dgamma and dbeta swapped",
        _b(gn_backward, "dgamma and dbeta swapped"),
        None,
        False,
    ),
    ("spatial_groupnorm_backward", "per channel, repeated statistics", gn_backward, None, True),
    # three_layer_convnet_loss
    (
        "three_layer_convnet_loss",
        "reg loss without the 0.5",
        _b(convnet, "reg loss without the 0.5"),
        None,
        False,
    ),
    (
        "three_layer_convnet_loss",
        "W1 left out of the reg loss",
        _b(convnet, "W1 left out of the reg loss"),
        None,
        False,
    ),
    ("three_layer_convnet_loss", "ReLU on the scores", _b(convnet, "ReLU on the scores"), None, False),
    ("three_layer_convnet_loss", "softmax over axis 0", _b(convnet, "softmax over axis 0"), None, False),
    ("three_layer_convnet_loss", "dscores not divided by N", _b(convnet, "dscores not divided by N"), None, False),
    ("three_layer_convnet_loss", "probs[:, y]", _b(convnet, "probs[:, y]"), None, False),
    ("three_layer_convnet_loss", "channels-last flatten", _b(convnet, "channels-last flatten"), None, False),
    ("three_layer_convnet_loss", "naive layers, softmax by hand", convnet_naive, None, True),
]
