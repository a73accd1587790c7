"""Average pooling (layers.pool.avg_pool_*): hand examples, naive == im2col on random geometries,
the errors of its pool_param, and live PyTorch (avg_pool2d) where torch is installed."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, as_pair, avg_pool_geometries

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


@given(avg_pool_geometries(), st.integers(0, 2**32 - 1))
def test_avg_pool_naive_equals_im2col(geometry, seed):
    x_shape, pool_param = geometry
    (x,) = arrays(seed, x_shape)
    out1, cache1 = L.avg_pool_forward_naive(x, pool_param)
    out2, cache2 = L.avg_pool_forward_im2col(x, pool_param)
    np.testing.assert_allclose(out2, out1, rtol=1e-12, atol=1e-14)
    dout = np.random.default_rng(seed).standard_normal(out1.shape)
    np.testing.assert_allclose(
        L.avg_pool_backward_im2col(dout, cache2), L.avg_pool_backward_naive(dout, cache1), rtol=1e-12, atol=1e-14
    )


@pytest.mark.parametrize("include", [True, False])
def test_the_gradient_is_the_numerical_one(include):
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 4))
    param = {"pool_height": 3, "pool_width": 2, "stride": (2, 1), "pad": (1, 1), "count_include_pad": include}
    out, cache = L.avg_pool_forward_im2col(x, param)
    dout = np.random.default_rng(1).standard_normal(out.shape)
    numerical = gradcheck.eval_numerical_gradient_array(lambda x: L.avg_pool_forward_im2col(x, param)[0], x, dout)
    assert gradcheck.rel_error(L.avg_pool_backward_im2col(dout, cache), numerical) < 1e-8


@pytest.mark.parametrize("forward", [PAIRS[0][0], PAIRS[1][0]])
def test_forward_preserves_float32(forward):
    x = np.ones((1, 2, 4, 4), dtype=np.float32)
    out, cache = forward(x, {"pool_height": 3, "pool_width": 3, "stride": 1, "pad": 1, "count_include_pad": False})
    assert out.dtype == np.float32


POOL = {"pool_height": 3, "pool_width": 2, "stride": 1}
ERRORS = [  # (pool_param, exception, message regex)
    ({**POOL, "pad": 2}, ValueError,
     r"pool_param\['pad'\] must be at most half the pool window, pool_height // 2 = 1 for the height "
     r"\(PyTorch's limit\), got 2$"),
    ({**POOL, "pad": (1, 2)}, ValueError, r"pool_width // 2 = 1 for the width \(PyTorch's limit\), got \(1, 2\)$"),
    ({**POOL, "pad": -1}, ValueError, r"pool_param\['pad'\] must be an integer >= 0"),
    ({**POOL, "count_include_pad": 1}, TypeError, r"pool_param\['count_include_pad'\] must be True or False, got 1"),
    ({**POOL, "ceil_mode": True}, ValueError, r"unknown key 'ceil_mode'"),
    ({**POOL, "divisor_override": 4}, ValueError, r"unknown key 'divisor_override'"),
    ({**POOL, "pool_height": 6}, ValueError,
     r"the pool window height 6 is larger than the padded input height 3 \+ 2\*0 = 3; use a smaller pool window, "
     r"or more padding$"),
    ({"pool_height": 2, "pool_width": 2}, ValueError, r"pool_param is missing the required key 'stride'"),
]  # fmt: skip


@pytest.mark.parametrize("forward", [PAIRS[0][0], PAIRS[1][0]])
@pytest.mark.parametrize(("pool_param", "error", "message"), ERRORS)
def test_bad_pool_param_is_named(forward, pool_param, error, message):
    with pytest.raises(error, match=message):
        forward(np.ones((1, 1, 3, 3)), pool_param)


def test_max_pooling_still_has_no_padding():
    with pytest.raises(ValueError, match=r"pool_param has an unknown key 'pad'"):
        L.max_pool_forward_im2col(np.ones((1, 1, 3, 3)), {**POOL, "pad": 1})


@pytest.mark.torch
@given(avg_pool_geometries(), st.integers(0, 2**32 - 1))
def test_avg_pool_matches_live_pytorch(geometry, seed):
    torch = pytest.importorskip("torch", reason="the live PyTorch comparison needs torch (pip install torch==2.13.0)")
    x_shape, p = geometry
    (x,) = arrays(seed, x_shape)
    xt = torch.tensor(x, requires_grad=True)
    kernel = (p["pool_height"], p["pool_width"])
    out_t = torch.nn.functional.avg_pool2d(
        xt, kernel, as_pair(p["stride"]), as_pair(p["pad"]), count_include_pad=p["count_include_pad"]
    )
    dout = np.random.default_rng(seed).standard_normal(tuple(out_t.shape))
    out_t.backward(torch.tensor(dout))
    for forward, backward in PAIRS:
        out, cache = forward(x, p)
        np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(backward(dout, cache), xt.grad.numpy(), rtol=1e-10, atol=1e-13)
