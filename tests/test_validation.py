"""Every bad input gets cnnlab's own clear error: the right type, naming parameter and value.

One table: (id, call, exception, message regex). A new bad input is one new row.
"""

import numpy as np
import pytest

from cnnlab import im2col, shapes
from cnnlab import layers as L

rng = np.random.default_rng(0)
X = rng.standard_normal((2, 3, 5, 5))
W = rng.standard_normal((4, 3, 3, 3))
B = rng.standard_normal(4)
G = np.ones(3)
BETA = np.zeros(3)
POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}
_, CONV_CACHE = L.conv_forward_naive(X, W, B, {})
_, POOL_CACHE = L.max_pool_forward_naive(X, POOL)

CONV_FORWARDS = [L.conv_forward_naive, L.conv_forward_im2col]
POOL_FORWARDS = [L.max_pool_forward_naive, L.max_pool_forward_im2col]


def conv(**param):
    return lambda f: f(X, W, B, param)


BAD_CONV = [
    ("x 3-D", lambda f: f(X[0], W, B, {}), ValueError, r"x must have 4 dimensions \(N, C, H, W\), got 3"),
    ("w 2-D", lambda f: f(X, W[0, 0], B, {}), ValueError, r"w must have 4 dimensions \(F, C, HH, WW\), got 2"),
    ("b 2-D", lambda f: f(X, W, B[None], {}), ValueError, r"b must have 1 dimensions \(F,\), got 2"),
    ("channel mismatch", lambda f: f(X, W[:, :2], B, {}), ValueError, r"w has 2 input channels .* x has 3"),
    ("bias length", lambda f: f(X, W, B[:3], {}), ValueError, r"b must have shape \(F,\) = \(4,\).*got \(3,\)"),
    ("filter too large", lambda f: f(X, rng.standard_normal((4, 3, 6, 3)), B, {}), ValueError,
     r"filter height 6 is larger than the padded input height 5 \+ 2\*0 = 5"),
    ("dilated filter too large", conv(dilation=3), ValueError, r"filter height 3 \(dilated to 7\) is larger"),
    ("stride 0", conv(stride=0), ValueError, r"conv_param\['stride'\] must be an integer >= 1 .*got 0"),
    ("stride float", conv(stride=1.5), TypeError, r"conv_param\['stride'\] must be an integer >= 1.*got 1.5"),
    ("stride 2.0", conv(stride=2.0), TypeError, r"conv_param\['stride'\].*got 2.0 \(float\)"),
    ("stride bool", conv(stride=True), TypeError, r"conv_param\['stride'\].*got True"),
    ("stride triple", conv(stride=(1, 1, 1)), ValueError, r"conv_param\['stride'\].*with 3 entries"),
    ("stride pair with 0", conv(stride=(2, 0)), ValueError, r"conv_param\['stride'\].*got \(2, 0\)"),
    ("dilation 0", conv(dilation=0), ValueError, r"conv_param\['dilation'\] must be an integer >= 1.*got 0"),
    ("pad negative", conv(pad=-1), ValueError, r"conv_param\['pad'\] must be an integer >= 0.*got -1"),
    ("pad string", conv(pad="same"), TypeError, r"conv_param\['pad'\] must be an integer >= 0.*'same'"),
    ("typo padding", conv(padding=1), ValueError, r"conv_param has an unknown key 'padding'; did you mean 'pad'\?"),
    ("conv_param list", lambda f: f(X, W, B, [1, 1]), TypeError, r"conv_param must be a dict, got list"),
    ("complex x", lambda f: f(X + 1j, W, B, {}), TypeError, r"x must be real-valued, got a complex array"),
    ("string x", lambda f: f(np.full((2, 3, 5, 5), "a"), W, B, {}), TypeError, r"x must be a numeric array"),
    ("bool w", lambda f: f(X, W > 0, B, {}), TypeError, r"w must be a numeric array of floats.*bool"),
    ("ragged x", lambda f: f([[1, 2], [3]], W, B, {}), TypeError, r"x must be a numeric array"),
    ("empty batch", lambda f: f(X[:0], W, B, {}), ValueError, r"x must not be empty, got shape \(0, 3, 5, 5\)"),
    ("stride numpy int", conv(stride=np.array(0)), ValueError, r"conv_param\['stride'\] must be an integer >= 1"),
    ("pad numpy pair", conv(pad=np.array([1, -1])), ValueError, r"conv_param\['pad'\] must be an integer >= 0.*got array\(\[ 1, -1\]\)"),
]  # fmt: skip

BAD_POOL = [
    ("x 2-D", lambda f: f(X[0, 0], POOL), ValueError, r"x must have 4 dimensions"),
    ("missing stride", lambda f: f(X, {"pool_height": 2, "pool_width": 2}), ValueError,
     r"pool_param is missing the required key 'stride'"),
    ("typo", lambda f: f(X, {**POOL, "pool_size": 2}), ValueError, r"unknown key 'pool_size'"),
    ("window too large", lambda f: f(X, {**POOL, "pool_height": 6}), ValueError,
     r"the pool window height 6 is larger than the input height 5; use a smaller pool window$"),
    ("height 0", lambda f: f(X, {**POOL, "pool_height": 0}), ValueError, r"pool_param\['pool_height'\] must be an integer >= 1"),
    ("width pair", lambda f: f(X, {**POOL, "pool_width": (2, 2)}), TypeError, r"pool_param\['pool_width'\] must be an integer"),
    ("stride 0", lambda f: f(X, {**POOL, "stride": 0}), ValueError, r"pool_param\['stride'\] must be an integer >= 1"),
    ("param None", lambda f: f(X, None), ValueError, r"pool_param is missing the required key 'pool_height'"),
    ("empty x", lambda f: f(X[:, :0], POOL), ValueError, r"x must not be empty"),
]  # fmt: skip

BAD_NORM = [
    ("bn no mode", lambda: L.spatial_batchnorm_forward(X, G, BETA, {}), ValueError, r"missing the required key 'mode'"),
    ("bn None", lambda: L.spatial_batchnorm_forward(X, G, BETA, None), TypeError, r"bn_param must be a dict"),
    ("bn unknown mode", lambda: L.spatial_batchnorm_forward(X, G, BETA, {"mode": "eval"}), ValueError,
     r"bn_param\['mode'\] must be 'train' or 'test', got 'eval'"),
    ("bn test without stats", lambda: L.spatial_batchnorm_forward(X, G, BETA, {"mode": "test"}), ValueError,
     r"bn_param has no 'running_mean': test mode normalizes with the running statistics"),
    ("bn typo", lambda: L.spatial_batchnorm_forward(X, G, BETA, {"mode": "train", "momentun": 0.9}), ValueError,
     r"unknown key 'momentun'; did you mean 'momentum'\?"),
    ("bn momentum > 1", lambda: L.spatial_batchnorm_forward(X, G, BETA, {"mode": "train", "momentum": 1.5}), ValueError,
     r"bn_param\['momentum'\] must be a number in \[0, 1\], got 1.5"),
    ("bn eps 0", lambda: L.spatial_batchnorm_forward(X, G, BETA, {"mode": "train", "eps": 0}), ValueError,
     r"bn_param\['eps'\] must be a number > 0, got 0.0"),
    ("bn running_mean shape", lambda: L.spatial_batchnorm_forward(
        X, G, BETA, {"mode": "test", "running_mean": np.zeros(4), "running_var": np.ones(3)}), ValueError,
     r"bn_param\['running_mean'\] must have shape \(C,\) = \(3,\), got \(4,\)"),
    ("bn gamma size", lambda: L.spatial_batchnorm_forward(X, np.ones(4), BETA, {"mode": "train"}), ValueError,
     r"gamma must have shape \(C,\) = \(3,\) or \(1, C, 1, 1\).*got \(4,\)"),
    ("bn beta 2-D", lambda: L.spatial_batchnorm_forward(X, G, np.zeros((1, 3)), {"mode": "train"}), ValueError,
     r"beta must have shape \(C,\) = \(3,\)"),
    ("bn x 2-D", lambda: L.spatial_batchnorm_forward(X[0, 0], G, BETA, {"mode": "train"}), ValueError,
     r"x must have 4 dimensions"),
    ("gn C not divisible", lambda: L.spatial_groupnorm_forward(X, G, BETA, 2, {}), ValueError,
     r"G must be an integer >= 1 that divides C = 3 \(one of \[1, 3\]\), got 2"),
    ("gn G 0", lambda: L.spatial_groupnorm_forward(X, G, BETA, 0, {}), ValueError, r"G must be an integer >= 1.*got 0"),
    ("gn G float", lambda: L.spatial_groupnorm_forward(X, G, BETA, 1.0, {}), TypeError, r"G must be an integer"),
    ("gn typo", lambda: L.spatial_groupnorm_forward(X, G, BETA, 1, {"epsilon": 1e-5}), ValueError,
     r"gn_param has an unknown key 'epsilon'"),
    ("gn gamma size", lambda: L.spatial_groupnorm_forward(X, np.ones((1, 3, 1)), BETA, 1, {}), ValueError,
     r"gamma must have shape \(C,\)"),
    ("bn momentum string", lambda: L.spatial_batchnorm_forward(X, G, BETA, {"mode": "train", "momentum": "0.9"}), TypeError,
     r"bn_param\['momentum'\] must be a number in \[0, 1\], got '0.9' \(str\)"),
    ("gn empty", lambda: L.spatial_groupnorm_forward(X[:, :, :0], G, BETA, 1, {}), ValueError, r"x must not be empty"),
    ("gn complex", lambda: L.spatial_groupnorm_forward(X * 1j, G, BETA, 1, {}), TypeError, r"x must be real-valued"),
]  # fmt: skip

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


@pytest.mark.parametrize("forward", CONV_FORWARDS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("name", "call", "error", "message"), BAD_CONV, ids=ids(BAD_CONV))
def test_bad_conv_input(forward, name, call, error, message):
    with pytest.raises(error, match=message):
        call(forward)


@pytest.mark.parametrize("forward", POOL_FORWARDS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("name", "call", "error", "message"), BAD_POOL, ids=ids(BAD_POOL))
def test_bad_pool_input(forward, name, call, error, message):
    with pytest.raises(error, match=message):
        call(forward)


@pytest.mark.parametrize(("name", "call", "error", "message"), BAD_NORM + BAD_OTHER, ids=ids(BAD_NORM + BAD_OTHER))
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
