"""A twelfth held-out corpus of student mistakes, the convolution half, written blind to the checker.

What it is: rows ``(exercise, label, function, forward, should_pass)`` in the format of the earlier
corpora (``tests/mistake_corpus_fourth.py``), for the exercises of lessons 1, 2, 3 and 7:
``conv_output_size``, ``conv_forward_naive``, ``conv_backward_naive``, ``im2col``, ``col2im``,
``conv_forward_im2col``, ``conv_backward_im2col`` and ``three_layer_convnet_loss``. They measure how
often the checker names a mistake it was never tuned to. Each wrong row carries ONE mistake; the
rows with ``should_pass`` True are correct implementations in unusual styles, there to catch false
FAILs.

The student played here is of two kinds, and the mistakes are the ones such students make most
often, in rough proportion:

- one who learned Python before NumPy: nested loops with scalar indexing and helper functions of
  their own, and slips on Python semantics (range bounds and slice stops, int() and round() for a
  floor, operator precedence, negative indices that wrap around, a buffer reused for every item of
  a list, a name that shadows an argument, ``if not y`` on an array, ``=`` for ``+=``);
- one who learned PyTorch before NumPy: vectorized code, and slips on NumPy semantics (broadcasting
  a bias along the wrong axis, reshape where a transpose was needed, np.dot against ``@`` on a stack
  of matrices, ``x @ W.T``, ``+=`` on fancy indices with repeated indices, np.pad's per-axis widths,
  sliding_window_view without the dilation, PyTorch's ``K // 2`` padding, a channel-last flatten).

How it was written: blind. Only the student edition of the lessons was read
(``lessons/01_convolution_arithmetic.ipynb``, ``02_naive_convolution.ipynb``, ``03_im2col.ipynb``,
``07_small_cnn.ipynb``: explanations, stubs, docstrings), with ``cnnlab/layers``,
``cnnlab/shapes.py``, ``cnnlab/geometry.py``, ``cnnlab/im2col.py``, ``cnnlab/model.py``,
``cnnlab/cases.py``, ``tests/corpus_verify.py``, ``tests/verify_mistake_corpus_fourth.py`` and the
docstring and first helper of ``tests/mistake_corpus_fourth.py`` (for the format). Nothing of the
checker (``cnnlab/exercises/``, ``cnnlab/grading``), its tests, ``tests/student_impls.py`` or any
other corpus was read, and the check was run on no row. Every row was verified independently
against cnnlab's reference implementations by ``tests/verify_mistake_corpus_twelfth_conv.py``: each
wrong row differs from the reference (a wrong value, a wrong shape, or an exception) on at least one
input, each right row matches it to a relative error below 1e-8 on every input.

``forward`` is None for every backward row: they all read cnnlab's cache format, conv
``(x, w, b, conv_param)`` and conv im2col ``(x, w, b, conv_param, cols)``. The im2col exercises call
the student's OWN ``im2col`` and ``col2im`` (``im2col_taps`` and ``col2im_taps`` below), never
cnnlab's, as lesson 3 says.

73 rows: 64 wrong, 9 right. Per exercise (wrong / right): conv_output_size 6 / 1,
conv_forward_naive 9 / 1, conv_backward_naive 10 / 1, im2col 8 / 1, col2im 8 / 1,
conv_forward_im2col 6 / 1, conv_backward_im2col 6 / 1, three_layer_convnet_loss 11 / 2.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from cnnlab import layers as L
from cnnlab import shapes


def _b(fn, bug):
    return partial(fn, bug=bug)


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper."""
    return [(exercise, bug, _b(fn, bug), forward, False) for bug in bugs]


def _right(exercise, label, fn, forward=None):
    return [(exercise, label, fn, forward, True)]


def _pad(x, ph, pw):
    """Zeros around H and W only, as the lessons say."""
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


CORPUS = []

# ---------------------------------------------------------------------------------------------
# conv_output_size (lesson 1): O = (I + 2P - D(K-1) - 1) // S + 1, returned even when < 1


def out_size(size, kernel, stride, pad, dilation, bug=None):
    """The boxed formula, through the last start position, as lesson 1 derives it."""
    span = dilation * (kernel - 1) + 1  # inputs the dilated filter covers
    last = size + 2 * pad - span  # the last start position (stride 1)
    if bug == "int(a / b) for a // b: truncates toward zero when the filter does not fit":
        return int(last / stride) + 1
    if bug == "dilation left out (lesson 7's formula without D)":
        return (size + 2 * pad - kernel) // stride + 1
    if bug == "operator precedence: ... - 1 // stride + 1 divides only the 1":
        return size + 2 * pad - dilation * (kernel - 1) - 1 // stride + 1
    if bug == "ceil division (PyTorch pooling's ceil_mode)":
        return -(-last // stride) + 1
    if bug == "the dilated span taken as dilation * kernel":
        return (size + 2 * pad - dilation * kernel) // stride + 1
    return last // stride + 1


def out_size_count(size, kernel, stride, pad, dilation, bug=None):
    """A Python learner's version: count the window starts with a while loop."""
    span = dilation * (kernel - 1) + 1
    count, start = 0, 0
    while start + span <= size + 2 * pad:
        count += 1
        start += stride
    if count == 0 and bug is None:  # no window fits: the formula's number, as lesson 1 asks
        return (size + 2 * pad - span) // stride + 1
    return count


CORPUS += _rows(
    "conv_output_size",
    out_size,
    [
        "int(a / b) for a // b: truncates toward zero when the filter does not fit",
        "dilation left out (lesson 7's formula without D)",
        "operator precedence: ... - 1 // stride + 1 divides only the 1",
        "ceil division (PyTorch pooling's ceil_mode)",
        "the dilated span taken as dilation * kernel",
    ],
)
CORPUS += _rows(
    "conv_output_size",
    out_size_count,
    ["windows counted with a while loop: 0 when the filter does not fit, not the formula's number"],
)


def out_size_floor(size, kernel, stride, pad, dilation):
    """Right: math.floor of a true division (exact for these small ints), returned as an int."""
    return math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1


CORPUS += _right("conv_output_size", "math.floor of a true division", out_size_floor)

# ---------------------------------------------------------------------------------------------
# conv_forward_naive (lesson 2)


def conv_fwd_loops(x, w, b, conv_param, bug=None):
    """A Python learner's forward: seven loops, scalar indexing, one sum per output."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    sh, sw = stride
    ph, pw = pad
    dil_h, dil_w = dilation
    if bug == "np.pad(x, pad): every axis padded, the batch and channels too":
        xpad = np.pad(x, pad)
    elif bug == "np.pad widths written ((ph, pw), (ph, pw)) for H and W":
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, pw), (ph, pw)))
    else:
        xpad = _pad(x, ph, pw)
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    total = b[f]
                    for c in range(C):
                        for p in range(HH):
                            for q in range(WW):
                                r = i * sh + p * dil_h
                                s = j * sw + q * dil_w
                                if bug == "stride left out of the row index (i + p*dh)":
                                    r = i + p * dil_h
                                if bug == "the height stride used for the columns too":
                                    s = j * sh + q * dil_w
                                weight = w[f, c, p, q]
                                if bug == "kernel flipped (a true convolution, np.convolve's habit)":
                                    weight = w[f, c, HH - 1 - p, WW - 1 - q]
                                total += weight * xpad[n, c, r, s]
                    out[n, f, i, j] = total
    return out, (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_loops,
    [
        "np.pad(x, pad): every axis padded, the batch and channels too",
        "np.pad widths written ((ph, pw), (ph, pw)) for H and W",
        "stride left out of the row index (i + p*dh)",
        "the height stride used for the columns too",
        "kernel flipped (a true convolution, np.convolve's habit)",
    ],
)


def conv_fwd_vec(x, w, b, conv_param, bug=None):
    """A PyTorch user's forward: loop over the output positions only, tensordot over (C, HH, WW)."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    src = x if bug == "windows sliced from x, not from the padded xpad" else xpad
    out = np.empty((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            r0, s0 = i * sh, j * sw
            if bug == "window slice without the dilation (contiguous HH x WW)":
                win = src[:, :, r0 : r0 + HH, s0 : s0 + WW]
            else:
                win = src[:, :, r0 : r0 + dh * (HH - 1) + 1 : dh, s0 : s0 + dw * (WW - 1) + 1 : dw]
            out[:, :, i, j] = np.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3]))  # (N, F)
    if bug == "out += b: the bias broadcast along the last axis (the width)":
        out += b
    else:
        out += b[None, :, None, None]
    return out, (x, w, b, conv_param)


CORPUS += _rows(
    "conv_forward_naive",
    conv_fwd_vec,
    [
        "windows sliced from x, not from the padded xpad",
        "window slice without the dilation (contiguous HH x WW)",
        "out += b: the bias broadcast along the last axis (the width)",
    ],
)


def conv_fwd_swv(x, w, b, conv_param, bug=None):
    """Every window at once with sliding_window_view, then one einsum."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    xpad = _pad(x, ph, pw)
    if bug == "sliding_window_view of (HH, WW), the dilation forgotten":
        win = np.lib.stride_tricks.sliding_window_view(xpad, (HH, WW), axis=(2, 3))[:, :, ::sh, ::sw]
    else:
        span = (dh * (HH - 1) + 1, dw * (WW - 1) + 1)
        win = np.lib.stride_tricks.sliding_window_view(xpad, span, axis=(2, 3))
        win = win[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :Ho, :Wo]  # (N, C, Ho, Wo, HH, WW)
    out = np.einsum("ncijpq,fcpq->nfij", win, w) + b[:, None, None]
    return out, (x, w, b, conv_param)


CORPUS += _rows("conv_forward_naive", conv_fwd_swv, ["sliding_window_view of (HH, WW), the dilation forgotten"])
CORPUS += _right("conv_forward_naive", "sliding_window_view of the dilated span, strided, and one einsum", conv_fwd_swv)

# ---------------------------------------------------------------------------------------------
# conv_backward_naive (lesson 2); the cache is cnnlab's (x, w, b, conv_param)


def conv_bwd_scalar(dout, cache, bug=None):
    """A Python learner's backward: no padded buffer, the padding handled by index arithmetic."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    sh, sw = stride
    ph, pw = pad
    dil_h, dil_w = dilation
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dout[n, f, i, j]
                    db[f] += g
                    for c in range(C):
                        for p in range(HH):
                            for q in range(WW):
                                r = i * sh + p * dil_h - ph  # the row of x (unpadded) this tap reads
                                s = j * sw + q * dil_w - pw
                                if bug == "padding offset not subtracted from the input index":
                                    r, s = i * sh + p * dil_h, j * sw + q * dil_w
                                if bug == "bounds checked as r < H only: r = -1 wraps to the last row":
                                    inside = r < H and s < W
                                else:
                                    inside = 0 <= r < H and 0 <= s < W
                                if not inside:  # a padding zero: no input, no gradient
                                    continue
                                dx[n, c, r, s] += g * w[f, c, p, q]
                                if bug == "dw[f, c, p, q] assigned with =, not accumulated":
                                    dw[f, c, p, q] = g * x[n, c, r, s]
                                else:
                                    dw[f, c, p, q] += g * x[n, c, r, s]
    return dx, dw, db


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_scalar,
    [
        "padding offset not subtracted from the input index",
        "bounds checked as r < H only: r = -1 wraps to the last row",
        "dw[f, c, p, q] assigned with =, not accumulated",
    ],
)


def conv_bwd_slices(dout, cache, bug=None):
    """The lesson's backward: the forward's window slices, adding into dxpad and dw[f]."""
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
                    rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw_ * (WW - 1) + 1, dw_)
                    g = dout[n, f, i, j]
                    if bug == "dxpad window assigned with =, not +=":
                        dxpad[n, :, rows, cols] = g * w[f]
                    elif bug == "kernel flipped for dx (lesson 1's 'flipped kernel' taken literally)":
                        dxpad[n, :, rows, cols] += g * w[f, :, ::-1, ::-1]
                    else:
                        dxpad[n, :, rows, cols] += g * w[f]
                    if bug == "dw from the window of the unpadded x":
                        dw[f] += g * x[n, :, rows, cols]
                    else:
                        dw[f] += g * xpad[n, :, rows, cols]
    db = dout.sum(axis=(0, 2, 3))
    if bug == "db divided by N (averaged over the batch)":
        db = db / N
    if bug == "padding cut with dxpad[:, :, ph:-ph, pw:-pw]":
        dx = dxpad[:, :, ph:-ph, pw:-pw]
    elif bug == "padding not cut away (dxpad returned)":
        dx = dxpad
    else:
        dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw, db


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_slices,
    [
        "dxpad window assigned with =, not +=",
        "kernel flipped for dx (lesson 1's 'flipped kernel' taken literally)",
        "dw from the window of the unpadded x",
        "db divided by N (averaged over the batch)",
        "padding cut with dxpad[:, :, ph:-ph, pw:-pw]",
        "padding not cut away (dxpad returned)",
    ],
)


def conv_bwd_transposed(dout, cache, bug=None):
    """dx as lesson 2's transposed convolution (the student's own forward on the padded dout);
    dw and db by the loops. Right only for stride 1 and no dilation, which the row forgets."""
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    ph, pw = pad
    _, dw, db = conv_bwd_slices(dout, cache)
    w_flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, F, HH, WW)
    full, _ = conv_fwd_loops(dout, w_flipped, np.zeros(C), {"pad": (HH - 1, WW - 1)})  # (N, C, Hp, Wp)
    dx = full[:, :, ph : ph + H, pw : pw + W]
    return dx, dw, db


CORPUS += _rows(
    "conv_backward_naive",
    conv_bwd_transposed,
    ["dx as lesson 2's transposed convolution of dout, which holds for stride 1 and no dilation only"],
)


def conv_bwd_taps(dout, cache):
    """Right: one einsum per filter tap (p, q), each tap a strided slice of every window at once."""
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
    return dxpad[:, :, ph : ph + H, pw : pw + W], dw, dout.sum(axis=(0, 2, 3))


CORPUS += _right("conv_backward_naive", "one einsum per filter tap over strided slices", conv_bwd_taps)

# ---------------------------------------------------------------------------------------------
# im2col (lesson 3): cols (N, C*HH*WW, H'*W'), row c*HH*WW + p*WW + q, column r*W' + s


def im2col_taps(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """The lesson's faster way: one strided slice per tap (p, q). With bug=None this is the
    student's own im2col, which their conv_forward_im2col calls."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    taps = np.empty((N, C, HH, WW, Ho, Wo), dtype=x.dtype)
    stacked = []
    for p in range(HH):
        for q in range(WW):
            r0, s0 = p * dh, q * dw
            if bug == "tap offset without the dilation (p, not p*dh)":
                r0, s0 = p, q
            tap = xpad[:, :, r0 : r0 + sh * (Ho - 1) + 1 : sh, s0 : s0 + sw * (Wo - 1) + 1 : sw]
            taps[:, :, p, q] = tap
            stacked.append(tap)
    if bug == "np.stack of the taps (HH*WW, N, C, H', W') reshaped, not transposed":
        return np.stack(stacked).reshape(N, C * HH * WW, Ho * Wo)
    return taps.reshape(N, C * HH * WW, Ho * Wo)


CORPUS += _rows(
    "im2col",
    im2col_taps,
    [
        "tap offset without the dilation (p, not p*dh)",
        "np.stack of the taps (HH*WW, N, C, H', W') reshaped, not transposed",
    ],
)


def im2col_windows(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """The lesson's obvious way: one window per output position (r, s), flattened into its column."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = x if bug == "x not padded (pad ignored)" else _pad(x, ph, pw)
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    for r in range(Ho):
        for s in range(Wo):
            win = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            if bug == "window flattened channel-last: rows in (p, q, c) order":
                col = win.transpose(0, 2, 3, 1).reshape(N, -1)
            else:
                col = win.reshape(N, -1)  # (N, C*HH*WW), in the order of w[f].reshape(-1)
            if bug == "column index s*H' + r (positions column-major)":
                cols[:, :, s * Ho + r] = col
            else:
                cols[:, :, r * Wo + s] = col
    if bug == "CS231n's 2-D layout (C*HH*WW, N*H'*W')":
        return cols.transpose(1, 0, 2).reshape(C * HH * WW, N * Ho * Wo)
    return cols


CORPUS += _rows(
    "im2col",
    im2col_windows,
    [
        "x not padded (pad ignored)",
        "window flattened channel-last: rows in (p, q, c) order",
        "column index s*H' + r (positions column-major)",
        "CS231n's 2-D layout (C*HH*WW, N*H'*W')",
    ],
)


def im2col_list(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """A Python learner's version: a list of columns, one per window, made an array at the end."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = _pad(x, ph, pw)
    columns = []
    col = np.empty((N, C * HH * WW))
    for r in range(Ho):
        for s in range(Wo):
            win = xpad[:, :, r * sh : r * sh + dh * (HH - 1) + 1 : dh, s * sw : s * sw + dw * (WW - 1) + 1 : dw]
            if bug == "one buffer filled and appended for every window: the list holds one array":
                col[:] = win.reshape(N, -1)
                columns.append(col)
            else:
                columns.append(win.reshape(N, -1))
    if bug == "np.array(list) is (H'*W', N, C*HH*WW): reshaped, not transposed":
        return np.array(columns).reshape(N, C * HH * WW, Ho * Wo)
    return np.stack(columns, axis=2)  # (N, C*HH*WW, H'*W')


CORPUS += _rows(
    "im2col",
    im2col_list,
    [
        "one buffer filled and appended for every window: the list holds one array",
        "np.array(list) is (H'*W', N, C*HH*WW): reshaped, not transposed",
    ],
)


def _index_grids(HH, WW, Ho, Wo, sh, sw, dh, dw):
    """Padded row and column of tap (p, q) of window (r, s): two arrays broadcast to (HH, WW, Ho, Wo)."""
    rows = np.arange(HH)[:, None] * dh + np.arange(Ho)[None, :] * sh  # (HH, Ho)
    cols = np.arange(WW)[:, None] * dw + np.arange(Wo)[None, :] * sw  # (WW, Wo)
    return rows[:, None, :, None], cols[None, :, None, :]


def im2col_fancy(x, filter_height, filter_width, stride=1, pad=0, dilation=1):
    """Right: CS231n-style index arrays, one fancy-indexing read, in cnnlab's layout."""
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    R, S = _index_grids(HH, WW, Ho, Wo, sh, sw, dh, dw)
    return _pad(x, ph, pw)[:, :, R, S].reshape(N, C * HH * WW, Ho * Wo)  # (N, C, HH, WW, Ho, Wo) first


CORPUS += _right("im2col", "fancy indexing with broadcast index grids", im2col_fancy)

# ---------------------------------------------------------------------------------------------
# col2im (lesson 3): the adjoint of im2col, overlaps added, padding cut away


def col2im_taps(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """The lesson's way: split the rows and columns, add one tap of every window at a time.
    With bug=None this is the student's own col2im, which their conv_backward_im2col calls."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    if bug == "columns split as (C, H', W', HH, WW): positions before taps":
        c6 = cols.reshape(N, C, Ho, Wo, HH, WW).transpose(0, 1, 4, 5, 2, 3)
    else:
        c6 = cols.reshape(N, C, HH, WW, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for p in range(HH):
        rows = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
        for q in range(WW):
            cs = slice(q * dw, q * dw + sw * (Wo - 1) + 1, sw)
            if bug == "tap added with =, not +=: overlapping windows overwrite":
                xpad[:, :, rows, cs] = c6[:, :, p, q]
            else:
                xpad[:, :, rows, cs] += c6[:, :, p, q]
    if bug == "overlaps averaged (col2im taken as im2col's inverse)":
        counts = np.zeros_like(xpad)
        for p in range(HH):
            for q in range(WW):
                counts[:, :, p * dh : p * dh + sh * (Ho - 1) + 1 : sh, q * dw : q * dw + sw * (Wo - 1) + 1 : sw] += 1
        xpad = xpad / np.maximum(counts, 1)
    if bug == "padding cut with xpad[:, :, ph:-ph, pw:-pw]":
        return xpad[:, :, ph:-ph, pw:-pw]
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im_taps,
    [
        "columns split as (C, H', W', HH, WW): positions before taps",
        "tap added with =, not +=: overlapping windows overwrite",
        "overlaps averaged (col2im taken as im2col's inverse)",
        "padding cut with xpad[:, :, ph:-ph, pw:-pw]",
    ],
)


def col2im_windows(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """A Python learner's version: one window per column, lesson 2's slices."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    columns = cols
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for r in range(Ho):
        for s in range(Wo):
            rs = slice(r * sh, r * sh + dh * (HH - 1) + 1, dh)
            cs = slice(s * sw, s * sw + dw * (WW - 1) + 1, dw)
            if bug == "dilation left out: window slice r*sh : r*sh + HH":
                rs, cs = slice(r * sh, r * sh + HH), slice(s * sw, s * sw + WW)
            if bug == "rows, cols = slices: the name cols shadows the columns argument":
                rows, cols = rs, cs
                xpad[:, :, rows, cols] += cols[:, :, r * Wo + s].reshape(N, C, HH, WW)
                continue
            xpad[:, :, rs, cs] += columns[:, :, r * Wo + s].reshape(N, C, HH, WW)
    if bug == "padding not cut away (xpad returned)":
        return xpad
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows(
    "col2im",
    col2im_windows,
    [
        "dilation left out: window slice r*sh : r*sh + HH",
        "rows, cols = slices: the name cols shadows the columns argument",
        "padding not cut away (xpad returned)",
    ],
)


def col2im_fancy(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    """A vectorized version: the index grids of im2col_fancy, one scatter-add."""
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    R, S = _index_grids(HH, WW, Ho, Wo, sh, sw, dh, dw)
    c6 = cols.reshape(N, C, HH, WW, Ho, Wo)
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    if bug == "xpad[:, :, R, S] += c6 with fancy indices: a repeated pixel is added once":
        xpad[:, :, R, S] += c6
    else:
        np.add.at(xpad, (slice(None), slice(None), R, S), c6)
    return xpad[:, :, ph : ph + H, pw : pw + W]


CORPUS += _rows("col2im", col2im_fancy, ["xpad[:, :, R, S] += c6 with fancy indices: a repeated pixel is added once"])
CORPUS += _right("col2im", "np.add.at with broadcast index grids", col2im_fancy)

# ---------------------------------------------------------------------------------------------
# conv_forward_im2col (lesson 3): the student's own im2col (im2col_taps), one matrix product


def conv_fwd_cols(x, w, b, conv_param, bug=None):
    """The lesson's three lines, with the student's own im2col."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    if bug == "dilation not passed to im2col (its default 1 used)":
        cols = im2col_taps(x, HH, WW, stride, pad)
    else:
        cols = im2col_taps(x, HH, WW, stride, pad, dilation)  # (N, C*HH*WW, Ho*Wo)
    if bug == "w_row as w.reshape(-1, F).T: reshape where a transpose was meant":
        w_row = w.reshape(-1, F).T
    else:
        w_row = w.reshape(F, -1)  # (F, C*HH*WW)
    if bug == "np.dot(w_row, cols) on the stack: (F, N, H'*W'), reshaped as (N, F, ...)":
        out = np.dot(w_row, cols)
    elif bug == "cols^T @ w_row.T (PyTorch's x @ W.T): (N, H'*W', F) reshaped, not transposed":
        out = cols.transpose(0, 2, 1) @ w_row.T
    elif bug == "batch flattened into one product: (F, N*H'*W') reshaped as (N, F, ...)":
        out = w_row @ cols.transpose(1, 0, 2).reshape(C * HH * WW, N * Ho * Wo)
    else:
        out = w_row @ cols  # (N, F, Ho*Wo)
    out = out.reshape(N, F, Ho * Wo)
    if bug == "out + b before the reshape: b broadcast along the positions":
        out = out + b
    else:
        out = out + b.reshape(1, F, 1)
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


CORPUS += _rows(
    "conv_forward_im2col",
    conv_fwd_cols,
    [
        "dilation not passed to im2col (its default 1 used)",
        "w_row as w.reshape(-1, F).T: reshape where a transpose was meant",
        "np.dot(w_row, cols) on the stack: (F, N, H'*W'), reshaped as (N, F, ...)",
        "cols^T @ w_row.T (PyTorch's x @ W.T): (N, H'*W', F) reshaped, not transposed",
        "batch flattened into one product: (F, N*H'*W') reshaped as (N, F, ...)",
        "out + b before the reshape: b broadcast along the positions",
    ],
)


def conv_fwd_cols_einsum(x, w, b, conv_param):
    """Right: the student's own im2col and one einsum straight into (N, F, H', W')."""
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols = im2col_taps(x, HH, WW, stride, pad, dilation)
    out = np.einsum("fk,nkp->nfp", w.reshape(F, -1), cols).reshape(N, F, Ho, Wo) + b[:, None, None]
    return out, (x, w, b, conv_param, cols)


CORPUS += _right("conv_forward_im2col", "own im2col and one einsum", conv_fwd_cols_einsum)

# ---------------------------------------------------------------------------------------------
# conv_backward_im2col (lesson 3); the cache is cnnlab's (x, w, b, conv_param, cols), the
# columns folded back by the student's own col2im (col2im_taps)


def conv_bwd_cols(dout, cache, bug=None):
    """The lesson's affine-layer gradients per sample, and the student's own col2im."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    K = C * HH * WW
    dout_rows = dout.reshape(N, F, Ho * Wo)
    if bug == "db = dout.sum(axis=(0, 2)) on the 4-D dout, not on dout_rows":
        db = dout.sum(axis=(0, 2))
    else:
        db = dout_rows.sum(axis=(0, 2))
    if bug == "dw averaged over the batch (.mean(axis=0))":
        dw = (dout_rows @ cols.transpose(0, 2, 1)).mean(axis=0)
    elif bug == "dout.reshape(F, -1) for (F, N*H'*W'), F not moved first":
        dw = dout.reshape(F, -1) @ cols.transpose(1, 0, 2).reshape(K, -1).T
    else:
        dw = (dout_rows @ cols.transpose(0, 2, 1)).sum(axis=0)  # (F, K)
    dw = dw.reshape(F, C, HH, WW)
    if bug == "w_row.T written w.reshape(-1, F): reshape where a transpose was meant":
        dcols = w.reshape(-1, F) @ dout_rows
    elif bug == "dcols as dout^T @ w_row (N, H'*W', K), reshaped to (N, K, H'*W')":
        dcols = (dout_rows.transpose(0, 2, 1) @ w.reshape(F, -1)).reshape(N, K, Ho * Wo)
    else:
        dcols = w.reshape(F, -1).T @ dout_rows  # (N, K, Ho*Wo)
    if bug == "dilation not passed to col2im (its default 1 used)":
        dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad)
    else:
        dx = col2im_taps(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw, db


CORPUS += _rows(
    "conv_backward_im2col",
    conv_bwd_cols,
    [
        "db = dout.sum(axis=(0, 2)) on the 4-D dout, not on dout_rows",
        "dw averaged over the batch (.mean(axis=0))",
        "dout.reshape(F, -1) for (F, N*H'*W'), F not moved first",
        "w_row.T written w.reshape(-1, F): reshape where a transpose was meant",
        "dcols as dout^T @ w_row (N, H'*W', K), reshaped to (N, K, H'*W')",
        "dilation not passed to col2im (its default 1 used)",
    ],
)


def conv_bwd_cols_tensordot(dout, cache):
    """Right: tensordot over (n, positions) for dw, einsum for dcols, the student's own col2im."""
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    d = dout.reshape(N, F, -1)
    dw = np.tensordot(d, cols, axes=([0, 2], [0, 2])).reshape(w.shape)  # (F, K)
    dcols = np.einsum("fk,nfp->nkp", w.reshape(F, -1), d)
    dx = col2im_taps(dcols, (N, C, H, W), HH, WW, stride, pad, dilation)
    return dx, dw, d.sum(axis=2).sum(axis=0)


CORPUS += _right("conv_backward_im2col", "tensordot for dw, einsum for dcols, own col2im", conv_bwd_cols_tensordot)

# ---------------------------------------------------------------------------------------------
# three_layer_convnet_loss (lesson 7): conv - relu - 2x2 pool - affine - relu - affine - softmax,
# the mean softmax loss plus 0.5 * reg * (sum W1^2 + sum W2^2 + sum W3^2), built from cnnlab.layers

POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}


def convnet(params, X, y=None, reg=0.0, bug=None):
    """The chain of lesson 7, section 2, with cnnlab's layers."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    K = W1.shape[2]
    pad = K // 2 if bug == "conv padded by K // 2 (PyTorch's 'same' for odd K)" else (K - 1) // 2
    a1, conv_cache = L.conv_forward_im2col(X, W1, b1, {"stride": 1, "pad": pad})
    r1, relu1_cache = L.relu_forward(a1)
    pooled, pool_cache = L.max_pool_forward_im2col(r1, POOL)
    N = X.shape[0]
    if bug == "pooled maps flattened channel-last (Keras's NHWC) for the first affine":
        _, F, Hp, Wp = pooled.shape
        flat = pooled.transpose(0, 2, 3, 1).reshape(N, -1)
    else:
        flat = pooled
    h, affine2_cache = L.affine_forward(flat, W2, b2)
    if bug == "second relu left out (affine - affine)":
        r2 = h
    else:
        r2, relu2_cache = L.relu_forward(h)
    scores, affine3_cache = L.affine_forward(r2, W3, b3)
    if bug == "if not y: the truth value of a label array":
        if not y:
            return scores
    elif y is None:
        return scores

    data_loss, dscores = L.softmax_loss(scores, y)
    grads = {}
    dr2, grads["W3"], grads["b3"] = L.affine_backward(dscores, affine3_cache)
    dh = dr2 if bug == "second relu left out (affine - affine)" else L.relu_backward(dr2, relu2_cache)
    dflat, grads["W2"], grads["b2"] = L.affine_backward(dh, affine2_cache)
    if bug == "pooled maps flattened channel-last (Keras's NHWC) for the first affine":
        dpooled = dflat.reshape(N, Hp, Wp, F).transpose(0, 3, 1, 2)
    else:
        dpooled = dflat
    dr1 = L.max_pool_backward_im2col(dpooled, pool_cache)
    da1 = L.relu_backward(dr1, relu1_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(da1, conv_cache)

    names = ("W1", "W2", "W3")
    if bug == "biases regularized too (loss and gradient)":
        names = ("W1", "b1", "W2", "b2", "W3", "b3")
    squares = sum(np.sum(params[k] ** 2) for k in names)
    if bug == "0.5 left out of the regularization loss":
        reg_loss = reg * squares
    else:
        reg_loss = 0.5 * reg * squares
    for k in names:
        if bug == "regularization gradient forgotten (only the loss has it)":
            continue
        if bug == "regularization gradient doubled: 2 * reg * W with the 0.5 in the loss":
            grads[k] = grads[k] + 2 * reg * params[k]
        else:
            grads[k] = grads[k] + reg * params[k]
    return data_loss + reg_loss, grads


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet,
    [
        "conv padded by K // 2 (PyTorch's 'same' for odd K)",
        "pooled maps flattened channel-last (Keras's NHWC) for the first affine",
        "second relu left out (affine - affine)",
        "if not y: the truth value of a label array",
        "biases regularized too (loss and gradient)",
        "0.5 left out of the regularization loss",
        "regularization gradient forgotten (only the loss has it)",
        "regularization gradient doubled: 2 * reg * W with the 0.5 in the loss",
    ],
)


def convnet_softmax(params, X, y=None, reg=0.0, bug=None):
    """A student who writes the softmax loss themselves (and the naive conv of lesson 2)."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    K = W1.shape[2]
    a1, conv_cache = L.conv_forward_naive(X, W1, b1, {"stride": 1, "pad": (K - 1) // 2})
    r1, relu1_cache = L.relu_forward(a1)
    pooled, pool_cache = L.max_pool_forward_naive(r1, POOL)
    h, affine2_cache = L.affine_forward(pooled, W2, b2)
    r2, relu2_cache = L.relu_forward(h)
    scores, affine3_cache = L.affine_forward(r2, W3, b3)
    if y is None:
        return scores

    N = scores.shape[0]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    if bug == "own softmax normalized over axis 0 (the batch)":
        probs = e / e.sum(axis=0, keepdims=True)
    else:
        probs = e / e.sum(axis=1, keepdims=True)
    if bug == "dscores = probs, an alias: the -= 1 changes probs before the loss reads them":
        dscores = probs
        dscores[np.arange(N), y] -= 1
        loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    else:
        loss = -np.sum(np.log(probs[np.arange(N), y]))
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        if bug != "own softmax loss and dscores summed over the batch (no / N)":
            loss /= N
    if bug != "own softmax loss and dscores summed over the batch (no / N)":
        dscores /= N

    grads = {}
    dr2, grads["W3"], grads["b3"] = L.affine_backward(dscores, affine3_cache)
    dh = L.relu_backward(dr2, relu2_cache)
    dpooled, grads["W2"], grads["b2"] = L.affine_backward(dh, affine2_cache)
    dr1 = L.max_pool_backward_naive(dpooled, pool_cache)
    _, grads["W1"], grads["b1"] = L.conv_backward_naive(L.relu_backward(dr1, relu1_cache), conv_cache)
    for k in ("W1", "W2", "W3"):
        loss += 0.5 * reg * np.sum(params[k] * params[k])
        grads[k] = grads[k] + reg * params[k]
    return loss, grads


CORPUS += _rows(
    "three_layer_convnet_loss",
    convnet_softmax,
    [
        "own softmax normalized over axis 0 (the batch)",
        "dscores = probs, an alias: the -= 1 changes probs before the loss reads them",
        "own softmax loss and dscores summed over the batch (no / N)",
    ],
)
CORPUS += _right(
    "three_layer_convnet_loss", "own softmax loss, naive conv and pool layers", partial(convnet_softmax, bug=None)
)


def convnet_relu_after_pool(params, X, y=None, reg=0.0):
    """Right: conv - pool - relu, since max pooling and relu commute (as do their gradients)."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    K = W1.shape[2]
    a1, conv_cache = L.conv_forward_im2col(X, W1, b1, {"stride": 1, "pad": (K - 1) // 2})
    pooled, pool_cache = L.max_pool_forward_im2col(a1, POOL)
    r1, relu1_cache = L.relu_forward(pooled)
    h, affine2_cache = L.affine_forward(r1, W2, b2)
    r2, relu2_cache = L.relu_forward(h)
    scores, affine3_cache = L.affine_forward(r2, W3, b3)
    if y is None:
        return scores
    loss, dscores = L.softmax_loss(scores, y)
    dW = {k: reg * params[k] for k in ("W1", "W2", "W3")}
    loss += 0.5 * reg * sum(np.vdot(params[k], params[k]) for k in dW)
    dr2, dW3, db3 = L.affine_backward(dscores, affine3_cache)
    dr1, dW2, db2 = L.affine_backward(L.relu_backward(dr2, relu2_cache), affine2_cache)
    da1 = L.max_pool_backward_im2col(L.relu_backward(dr1, relu1_cache), pool_cache)
    _, dW1, db1 = L.conv_backward_im2col(da1, conv_cache)
    return loss, {"W1": dW1 + dW["W1"], "b1": db1, "W2": dW2 + dW["W2"], "b2": db2, "W3": dW3 + dW["W3"], "b3": db3}


CORPUS += _right("three_layer_convnet_loss", "relu after the pool (max and relu commute)", convnet_relu_after_pool)
