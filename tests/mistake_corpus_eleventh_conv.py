"""An eleventh held-out corpus of student mistakes, convolution half, written blind to the checker.

(Docstring completed in the last step.)
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnlab import layers as L
from cnnlab import shapes


def _b(fn, bug):
    return partial(fn, bug=bug)


def _rows(exercise, fn, bugs, forward=None):
    """One wrong row per bug of a helper."""
    return [(exercise, bug, _b(fn, bug), forward, False) for bug in bugs]


def _right(exercise, label, fn, forward=None):
    return (exercise, label, _b(fn, None), forward, True)


def _pad(x, ph, pw):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


CORPUS = []

# ---------------------------------------------------------------------------------------------
# conv_output_size


def out_size(size, kernel, stride, pad, dilation, bug=None):
    """The boxed formula of lesson 1, written out."""
    if bug == "parentheses missing: - 1 // stride binds first":
        return size + 2 * pad - dilation * (kernel - 1) - 1 // stride + 1
    if bug == "the - 1 of the numerator left out":
        return (size + 2 * pad - dilation * (kernel - 1)) // stride + 1
    if bug == "dilation left out: (I + 2P - K) // S + 1":
        return (size + 2 * pad - kernel) // stride + 1
    if bug == "int() of a true division, which truncates toward zero":
        return int((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1
    if bug == "clamped to 0 when the filter does not fit":
        return max(0, (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1)
    if bug == "raises ValueError when the filter does not fit":
        out = (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1
        if out < 1:
            raise ValueError("the filter does not fit")
        return out
    if bug == "padding added on one side only":
        return (size + pad - dilation * (kernel - 1) - 1) // stride + 1
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def out_size_count(size, kernel, stride, pad, dilation, bug=None):
    """Counting the window starts 0, S, 2S, ... up to the last one."""
    span = dilation * (kernel - 1) + 1
    last = size + 2 * pad - span
    if bug == "len(range(...)) of the window starts: 0, not negative, when it does not fit":
        return len(range(0, last + 1, stride))
    return math.floor(last / stride) + 1


CORPUS += _rows(
    "conv_output_size",
    out_size,
    [
        "parentheses missing: - 1 // stride binds first",
        "the - 1 of the numerator left out",
        "dilation left out: (I + 2P - K) // S + 1",
        "int() of a true division, which truncates toward zero",
        "clamped to 0 when the filter does not fit",
        "raises ValueError when the filter does not fit",
        "padding added on one side only",
    ],
)
CORPUS += _rows(
    "conv_output_size",
    out_size_count,
    ["len(range(...)) of the window starts: 0, not negative, when it does not fit"],
)
CORPUS.append(_right("conv_output_size", "math.floor of the span arithmetic, a float division", out_size_count))
