"""Convolution, forward and backward: once as readable loops, once through im2col.

Both compute, for every sample n, filter f and output position (i, j),

    out[n, f, i, j] = b[f] + sum over c, p, q of
                      w[f, c, p, q] * xpad[n, c, i*stride + p*dilation, j*stride + q*dilation]

where xpad is x with ``pad`` zeros around each spatial border. This is cross-correlation,
as in PyTorch: the kernel is not flipped. The output size along each axis is

    H' = (H + 2*pad - dilation*(HH - 1) - 1) // stride + 1

Lessons 2 (naive) and 3 (im2col) teach these functions.
"""

from __future__ import annotations

import numpy as np

from cnnlab import geometry, im2col, shapes

__all__ = ["conv_forward_naive", "conv_backward_naive", "conv_forward_im2col", "conv_backward_im2col"]


def conv_forward_naive(x, w, b, conv_param):
    """Convolution forward pass as explicit loops over n, f and output positions.

    Inputs: x (N, C, H, W), w (F, C, HH, WW), b (F,), conv_param.
    Returns (out, cache): out (N, F, H', W') with
    H' = (H + 2*pad - dilation*(HH-1) - 1) // stride + 1 (W' likewise);
    cache = (x, w, b, conv_param) for ``conv_backward_naive``.
    """
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = im2col.pad_input(x, pad)
    out = np.zeros((N, F, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = _window(i, j, HH, WW, stride, dilation)
                    out[n, f, i, j] = np.sum(xpad[n, :, rows, cols] * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    """Convolution backward pass as explicit loops (the adjoint of ``conv_forward_naive``).

    Inputs: dout (N, F, H', W') upstream gradient; cache from ``conv_forward_naive``.
    Returns (dx, dw, db) with shapes (N, C, H, W), (F, C, HH, WW), (F,).
    """
    x, w, b, conv_param = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout = shapes.check_dout(dout, (N, F, Ho, Wo))
    ph, pw = pad
    xpad = im2col.pad_input(x, pad)
    dxpad = np.zeros_like(xpad)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = _window(i, j, HH, WW, stride, dilation)
                    dxpad[n, :, rows, cols] += w[f] * dout[n, f, i, j]
                    dw[f] += xpad[n, :, rows, cols] * dout[n, f, i, j]
    db = dout.sum(axis=(0, 2, 3))
    dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw, db.astype(x.dtype, copy=False)


def _window(i, j, HH, WW, stride, dilation):
    """Row and column slices of the padded input that output (i, j) reads."""
    (sh, sw), (dh, dw) = stride, dilation
    return geometry.window(i, HH, sh, dh), geometry.window(j, WW, sw, dw)


def conv_forward_im2col(x, w, b, conv_param):
    """Convolution forward pass as one matrix product over im2col columns.

    Inputs: x (N, C, H, W), w (F, C, HH, WW), b (F,), conv_param.
    Returns (out, cache): out (N, F, H', W') with
    H' = (H + 2*pad - dilation*(HH-1) - 1) // stride + 1 (W' likewise);
    cache = (x, w, b, conv_param, x_cols) for ``conv_backward_im2col``.
    """
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    x_cols = im2col.columns(x, (HH, WW), stride, pad, dilation)  # (N, C*HH*WW, Ho*Wo)
    w_row = w.reshape(F, C * HH * WW)  # (F, C*HH*WW)
    out = np.matmul(w_row, x_cols)  # (N, F, Ho*Wo)
    out += b[:, None]  # one bias per filter
    out = out.reshape(N, F, Ho, Wo)  # (N, F, Ho, Wo)
    return out, (x, w, b, conv_param, x_cols)


def conv_backward_im2col(dout, cache):
    """Convolution backward pass through im2col columns (the adjoint of the forward product).

    Inputs: dout (N, F, H', W') upstream gradient; cache from ``conv_forward_im2col``.
    Returns (dx, dw, db) with shapes (N, C, H, W), (F, C, HH, WW), (F,).
    """
    x, w, b, conv_param, x_cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout = shapes.check_dout(dout, (N, F, Ho, Wo)).astype(x.dtype, copy=False)
    dout_rows = dout.reshape(N, F, Ho * Wo)  # (N, F, Ho*Wo)
    db = dout_rows.sum(axis=(0, 2))  # (F,)
    dw = np.matmul(dout_rows, x_cols.transpose(0, 2, 1)).sum(axis=0)  # (F, C*HH*WW)
    dx_cols = np.matmul(w.reshape(F, -1).T, dout_rows)  # (N, C*HH*WW, Ho*Wo)
    dx = im2col.fold(dx_cols, (N, C, H, W), (HH, WW), stride, pad, dilation)  # (N, C, H, W)
    dw = dw.reshape(F, C, HH, WW)  # (F, C, HH, WW)
    return dx, dw, db
