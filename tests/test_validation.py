"""Every bad input gets cnnlab's own clear error: the right type, naming parameter and value.

One table: (id, call, exception, message regex). A new bad input is one new row. The bad
inputs of each layer family are rows of its record (``cnnlab.families``), which
test_families.py runs through every implementation; here are the rest.
"""

import numpy as np
import pytest

from cnnlab import im2col, shapes
from cnnlab import layers as L

rng = np.random.default_rng(0)
X = rng.standard_normal((2, 3, 5, 5))
W = rng.standard_normal((4, 3, 3, 3))
B = rng.standard_normal(4)
POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}
_, CONV_CACHE = L.conv_forward_naive(X, W, B, {})
_, POOL_CACHE = L.max_pool_forward_naive(X, POOL)

BAD_OTHER = [
    ("conv dout shape", lambda: L.conv_backward_naive(np.zeros((2, 4, 2, 2)), CONV_CACHE), ValueError,
     r"dout must have the shape of the forward output \(2, 4, 3, 3\), got \(2, 4, 2, 2\)"),
    ("conv dout 3-D", lambda: L.conv_backward_im2col(np.zeros((2, 4, 3)), L.conv_forward_im2col(X, W, B, {})[1]),
     ValueError, r"dout must have the shape of the forward output"),
    ("pool dout shape", lambda: L.max_pool_backward_naive(np.zeros((2, 3, 3, 3)), POOL_CACHE), ValueError,
     r"dout must have the shape of the forward output \(2, 3, 2, 2\)"),
    ("affine w rows", lambda: L.affine_forward(X, np.zeros((10, 5)), np.zeros(5)), ValueError,
     r"w must have shape \(D, M\) with D = 75"),
    ("affine x 1-D", lambda: L.affine_forward(np.ones(3), np.zeros((3, 5)), np.zeros(5)), ValueError,
     r"x must have a batch axis and at least one more"),
    ("im2col empty", lambda: im2col.im2col(X[:0], 2, 2), ValueError, r"x must not be empty"),
    ("affine b", lambda: L.affine_forward(X, np.zeros((75, 5)), np.zeros(4)), ValueError, r"b must have shape \(M,\) = \(5,\)"),
    ("softmax label range", lambda: L.softmax_loss(np.zeros((2, 3)), np.array([0, 3])), ValueError,
     r"y must hold labels in \[0, K\) = \[0, 3\), got 3"),
    ("softmax float labels", lambda: L.softmax_loss(np.zeros((2, 3)), np.array([0.0, 1.0])), TypeError,
     r"y must be an array of integer class labels"),
    ("softmax label count", lambda: L.softmax_loss(np.zeros((2, 3)), np.array([0])), ValueError, r"y must have shape \(N,\) = \(2,\)"),
    ("im2col filter 0", lambda: im2col.im2col(X, 0, 3), ValueError, r"filter_height must be an integer >= 1, got 0"),
    ("im2col too large", lambda: im2col.im2col(X, 3, 9), ValueError, r"filter width 9 is larger than the padded input width"),
    ("col2im x_shape", lambda: im2col.col2im(np.zeros((2, 27, 9)), (2, 3, 5), 3, 3), ValueError,
     r"x_shape must be a tuple \(N, C, H, W\) of 4 integers >= 1"),
    ("col2im cols shape", lambda: im2col.col2im(np.zeros((2, 27, 8)), (2, 3, 5, 5), 3, 3), ValueError,
     r"cols must have the shape of the forward output \(2, 27, 9\), got \(2, 27, 8\)"),
    ("relu dout shape", lambda: L.relu_backward(np.ones(3), np.ones(4)), ValueError, r"dout must have the shape of the forward output \(4,\)"),
    ("choice", lambda: shapes.check_choice("mode", "eval", ("train", "test")), ValueError,
     r"mode must be one of 'train', 'test', got 'eval'"),
    ("choice unhashable", lambda: shapes.check_choice("norm", [], {"batch": 1}), ValueError,
     r"norm must be one of 'batch', got \[\]"),
    ("set budget 0", lambda: im2col.set_memory_budget(0), ValueError, r"nbytes must be an integer >= 1, got 0"),
]  # fmt: skip


def ids(table):
    return [row[0] for row in table]


@pytest.mark.parametrize(("name", "call", "error", "message"), BAD_OTHER, ids=ids(BAD_OTHER))
def test_bad_input(name, call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_errors_come_from_cnnlab_not_numpy():
    """The traceback's last frame is cnnlab's validation, not a numpy internal."""
    with pytest.raises(ValueError) as info:
        L.conv_forward_im2col(X, W[:, :2], B, {})
    assert info.traceback[-1].path.name == "shapes.py"


def test_im2col_refuses_a_column_matrix_over_budget():
    one_sample = 27 * 9 * 8  # C*HH*WW x H'*W' x 8 bytes for x (., 3, 5, 5) and a 3x3 filter
    previous = im2col.set_memory_budget(3 * one_sample)
    try:
        L.conv_forward_im2col(np.zeros((3, 3, 5, 5)), W, B, {})  # exactly at the budget: fine
        with pytest.raises(MemoryError, match=r"N=8 x C\*HH\*WW=27 x H'\*W'=9 .* use a batch of at most N = 3"):
            L.conv_forward_im2col(np.zeros((8, 3, 5, 5)), W, B, {})
        im2col.set_memory_budget(one_sample - 1)
        with pytest.raises(MemoryError, match=r"use a smaller input or filter"):
            L.conv_forward_im2col(X, W, B, {})
    finally:
        im2col.set_memory_budget(previous)
    L.conv_forward_im2col(np.zeros((8, 3, 5, 5)), W, B, {})  # the default budget allows it again
