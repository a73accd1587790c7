"""Properties of particular layers: im2col/col2im are adjoint, NaNs in max pooling, hand
examples, and the behaviours the docstrings promise (running stats, shapes). What holds for
every family (naive == im2col, dtypes, inputs left alone) is in test_families.py."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, conv_geometries, norm_geometries, pool_geometries

from cnnlab import im2col
from cnnlab import layers as L


def assert_same(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@given(pool_geometries(), st.integers(0, 2**32 - 1))
def test_max_pool_with_nans_agrees_between_naive_and_im2col(geometry, seed):
    """A NaN is its window's maximum, and its gradient goes to the window's first NaN."""
    x_shape, pool_param = geometry
    (x,) = arrays(seed, x_shape)
    x[np.random.default_rng(seed).random(x_shape) < 0.2] = np.nan
    out1, cache1 = L.max_pool_forward_naive(x, pool_param)
    out2, cache2 = L.max_pool_forward_im2col(x, pool_param)
    np.testing.assert_array_equal(out1, out2)
    (dout,) = arrays(seed + 1, out1.shape)
    assert_same(L.max_pool_backward_naive(dout, cache1), L.max_pool_backward_im2col(dout, cache2))


@given(conv_geometries(), st.integers(0, 2**32 - 1))
def test_col2im_is_the_adjoint_of_im2col(geometry, seed):
    """<im2col(x), c> == <x, col2im(c)> for all x, c: exactly what backprop needs."""
    x_shape, w_shape, p = geometry
    HH, WW = w_shape[2:]
    (x,) = arrays(seed, x_shape)
    cols = im2col.im2col(x, HH, WW, p["stride"], p["pad"], p["dilation"])
    (c,) = arrays(seed + 1, cols.shape)
    folded = im2col.col2im(c, x_shape, HH, WW, p["stride"], p["pad"], p["dilation"])
    assert folded.shape == x_shape
    np.testing.assert_allclose(np.vdot(cols, c), np.vdot(x, folded), rtol=1e-10)


def test_col2im_of_ones_counts_the_windows_covering_each_pixel():
    counts = im2col.col2im(np.ones((1, 9, 9)), (1, 1, 5, 5), 3, 3, stride=1)
    assert counts[0, 0].tolist() == [
        [1, 2, 3, 2, 1],
        [2, 4, 6, 4, 2],
        [3, 6, 9, 6, 3],
        [2, 4, 6, 4, 2],
        [1, 2, 3, 2, 1],
    ]


def test_im2col_layout_row_is_channel_then_tap_column_is_output_position():
    x = np.arange(2 * 4 * 4, dtype=float).reshape(1, 2, 4, 4)
    cols = im2col.im2col(x, 2, 2, stride=2)
    assert cols.shape == (1, 2 * 2 * 2, 2 * 2)
    # column 1 is output (0, 1): channel 0 taps x[0, 0, 0:2, 2:4], then channel 1's
    assert cols[0, :, 1].tolist() == [2, 3, 6, 7, 18, 19, 22, 23]


def test_conv_is_cross_correlation_on_a_hand_example():
    """The 1-D example of lesson 1, in 2-D: no kernel flip, bias added once per output."""
    x = np.array([1.0, 2, 3, 4, 5]).reshape(1, 1, 1, 5)
    w = np.array([1.0, 0, -1]).reshape(1, 1, 1, 3)
    out, _ = L.conv_forward_naive(x, w, np.array([10.0]), {"pad": (0, 1), "stride": 2})
    # padded: 0 1 2 3 4 5 0 -> windows at 0, 2, 4: (0-2), (2-4), (4-0)
    assert out.ravel().tolist() == [8.0, 8.0, 14.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_preserves_float_dtype(dtype):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(dtype)
    assert L.relu_forward(x)[0].dtype == dtype


def test_relu_makes_integer_input_float64():
    assert L.relu_forward(np.arange(2 * 3 * 4 * 4).reshape(2, 3, 4, 4))[0].dtype == np.float64


def test_float32_backward_stays_float32():
    rng = np.random.default_rng(0)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in [(2, 3, 6, 6), (4, 3, 3, 3), (4,)])
    out, cache = L.conv_forward_im2col(x, w, b, {"pad": 1})
    assert all(g.dtype == np.float32 for g in L.conv_backward_im2col(np.ones_like(out), cache))


def test_batchnorm_train_mode_updates_running_stats_and_test_mode_uses_them():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 5, 5)) * 2 + 5
    gamma, beta = np.ones(3), np.zeros(3)
    bn_param = {"mode": "train", "momentum": 0.5}
    out, _ = L.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, atol=1e-5)
    np.testing.assert_allclose(bn_param["running_mean"], 0.5 * x.mean(axis=(0, 2, 3)))  # started at zeros
    np.testing.assert_allclose(bn_param["running_var"], 0.5 + 0.5 * x.var(axis=(0, 2, 3)))  # started at ones
    bn_param["mode"] = "test"
    before = {k: bn_param[k].copy() for k in ("running_mean", "running_var")}
    out, _ = L.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    expected = (x - before["running_mean"].reshape(1, 3, 1, 1)) / np.sqrt(
        before["running_var"].reshape(1, 3, 1, 1) + 1e-5
    )
    np.testing.assert_allclose(out, expected)
    for key, value in before.items():
        np.testing.assert_array_equal(bn_param[key], value)


@given(norm_geometries(), st.integers(0, 2**32 - 1))
def test_groupnorm_one_group_is_layer_norm_and_c_groups_is_instance_norm(geometry, seed):
    x_shape, _ = geometry
    N, C, H, W = x_shape
    (x,) = arrays(seed, x_shape)
    ones, zeros = np.ones(C), np.zeros(C)
    layer_out, _ = L.spatial_groupnorm_forward(x, ones, zeros, 1, {})
    mean, var = x.mean(axis=(1, 2, 3), keepdims=True), x.var(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(layer_out, (x - mean) / np.sqrt(var + 1e-5), atol=1e-10)
    instance_out, _ = L.spatial_groupnorm_forward(x, ones, zeros, C, {})
    mean, var = x.mean(axis=(2, 3), keepdims=True), x.var(axis=(2, 3), keepdims=True)
    np.testing.assert_allclose(instance_out, (x - mean) / np.sqrt(var + 1e-5), atol=1e-10)


@pytest.mark.parametrize("shape", [(3,), (1, 3, 1, 1)])
def test_norm_gradients_come_back_in_the_shape_of_gamma(shape):
    x = np.random.default_rng(0).standard_normal((2, 3, 2, 2))
    gamma, beta = np.ones(shape), np.zeros(shape)
    out, cache = L.spatial_groupnorm_forward(x, gamma, beta, 3, {})
    assert [g.shape for g in L.spatial_groupnorm_backward(out, cache)] == [x.shape, shape, shape]
    out, cache = L.spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
    assert [g.shape for g in L.spatial_batchnorm_backward(out, cache)] == [x.shape, shape, shape]


def test_importing_layers_does_not_import_plotting_or_widgets():
    import subprocess
    import sys

    code = "import sys, cnnlab.layers; print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]
    assert result.stderr == ""


def test_im2col_returns_a_fresh_writable_array_even_for_1x1_filters():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4))
    cols = im2col.im2col(x, 1, 1)
    assert cols.flags.writeable and not np.shares_memory(cols, x)
    cols[:] = 0
    assert x.any()
