"""Average pooling (layers.pool.avg_pool_*): hand examples and the numerical gradient. Its record
in cnnlab.families gives it the generic tests: PyTorch (golden and live), naive == im2col on
random geometries, the errors of its pool_param, dtypes."""

import numpy as np
import pytest

from cnnlab import gradcheck
from cnnlab import layers as L

PAIRS = [
    (L.avg_pool_forward_naive, L.avg_pool_backward_naive),
    (L.avg_pool_forward_im2col, L.avg_pool_backward_im2col),
]
X = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # 1 2 3 / 4 5 6 / 7 8 9


@pytest.mark.parametrize(("forward", "backward"), PAIRS)
def test_a_hand_example_with_and_without_counting_the_padding(forward, backward):
    param = {"pool_height": 2, "pool_width": 2, "stride": 2, "pad": 1}
    out, cache = forward(X, param)
    np.testing.assert_allclose(out[0, 0], [[1 / 4, 5 / 4], [11 / 4, 28 / 4]])  # sums / 4, padding counted
    out, cache = forward(X, {**param, "count_include_pad": False})
    np.testing.assert_allclose(out[0, 0], [[1, 5 / 2], [11 / 2, 28 / 4]])  # sums / real pixels
    dx = backward(np.ones((1, 1, 2, 2)), cache)
    np.testing.assert_allclose(dx[0, 0], [[1, 1 / 2, 1 / 2], [1 / 2, 1 / 4, 1 / 4], [1 / 2, 1 / 4, 1 / 4]])


@pytest.mark.parametrize(("forward", "backward"), PAIRS)
def test_overlapping_windows_add_their_shares(forward, backward):
    out, cache = forward(X, {"pool_height": 2, "pool_width": 2, "stride": 1})
    np.testing.assert_allclose(out[0, 0], [[3, 4], [6, 7]])
    np.testing.assert_allclose(
        backward(np.ones((1, 1, 2, 2)), cache)[0, 0], np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4
    )


@pytest.mark.parametrize("include", [True, False])
def test_the_gradient_is_the_numerical_one(include):
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 4))
    param = {"pool_height": 3, "pool_width": 2, "stride": (2, 1), "pad": (1, 1), "count_include_pad": include}
    out, cache = L.avg_pool_forward_im2col(x, param)
    dout = np.random.default_rng(1).standard_normal(out.shape)
    numerical = gradcheck.eval_numerical_gradient_array(lambda x: L.avg_pool_forward_im2col(x, param)[0], x, dout)
    assert gradcheck.rel_error(L.avg_pool_backward_im2col(dout, cache), numerical) < 1e-8


def test_max_pooling_still_has_no_padding():
    with pytest.raises(ValueError, match=r"pool_param has an unknown key 'pad'"):
        L.max_pool_forward_im2col(np.ones((1, 1, 3, 3)), {"pool_height": 3, "pool_width": 2, "stride": 1, "pad": 1})
