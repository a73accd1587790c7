"""Sliding windows, shared by the mistakes of the convolution, im2col and pooling exercises.

Where the windows of a geometry sit (which reach into the padding, how many read each
pixel), the geometry as (h, w) pairs, and what those exercises tell a student whose code
cannot take a stride given as a pair.
"""

from __future__ import annotations

import numpy as np

from cnnlab import geometry, shapes
from cnnlab import im2col as im2col_module
from cnnlab.exercises.exercise import CrashAdvice

__all__ = [
    "as_pairs",
    "output_hw",
    "first",
    "crop",
    "windows_touching_padding",
    "coverage",
    "PAIR_ADVICE",
    "PAIR",
    "PAIRS",
]

PAIR_ADVICE = (
    "this case gives the stride or the padding as an (h, w) pair, e.g. stride=(1, 2); cnnlab.shapes.check_pair "
    "(or check_conv_inputs, check_pool_inputs) turns an int or a pair into a pair"
)
# a TypeError about a tuple, in a case that gives a pair: the code expected an int
PAIR = CrashAdvice(kind=TypeError, text="tuple", tag="pair", advice=PAIR_ADVICE)
# NumPy could not make an array of a pair where an int belongs (np.pad(x, ((0, 0), (0, 0), (pad, pad), ...)))
PAIR_ARRAY = CrashAdvice(kind=ValueError, text="sequence", tag="pair", advice=PAIR_ADVICE)
PAIRS = (PAIR, PAIR_ARRAY)


def as_pairs(stride, pad, dilation):
    """stride, pad and dilation as (h, w) pairs."""
    return (
        shapes.check_pair("stride", stride, 1),
        shapes.check_pair("pad", pad, 0),
        shapes.check_pair("dilation", dilation, 1),
    )


def output_hw(hw, kernel, stride, pad, dilation):
    """(H', W') of windows of size ``kernel`` over ``hw``, the geometry given as pairs."""
    return tuple(geometry.output_size(n, k, s, p, d) for n, k, s, p, d in zip(hw, kernel, stride, pad, dilation))


def first(out, Ho, Wo):
    """The first (Ho, Wo) outputs, or None if there are fewer."""
    return out[:, :, :Ho, :Wo] if out.shape[2] >= Ho and out.shape[3] >= Wo else None


def crop(xpad, pad, H, W):
    """(N, C, H, W): xpad without its padding."""
    ph, pw = pad
    return xpad[:, :, ph : ph + H, pw : pw + W]


def windows_touching_padding(hw, kernel, stride, pad, dilation) -> np.ndarray:
    """(H', W') bool: True where the window of output (i, j) includes padded positions."""
    touch = []
    for n, k, s, p, d in zip(hw, kernel, stride, pad, dilation):
        start = np.arange(geometry.output_size(n, k, s, p, d)) * s
        last = start + geometry.span(k, d) - 1
        touch.append((start < p) | (last >= p + n))
    return touch[0][:, None] | touch[1][None, :]


def coverage(x_shape, kernel, stride, pad, dilation, chosen=None) -> np.ndarray:
    """(N, C, H, W): how many windows (or how many of the ``chosen`` (H', W') windows) read each pixel."""
    N, C, H, W = x_shape
    HH, WW = kernel
    Ho, Wo = output_hw((H, W), kernel, stride, pad, dilation)
    weights = np.ones((Ho, Wo)) if chosen is None else chosen.astype(float)
    cols = np.broadcast_to(weights.reshape(1, 1, Ho * Wo), (N, C * HH * WW, Ho * Wo))
    return im2col_module.fold(np.ascontiguousarray(cols), x_shape, kernel, stride, pad, dilation)
