"""An eighth held-out corpus of student mistakes, the convolution half, written blind to the checker.

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

ROWS
"""

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
