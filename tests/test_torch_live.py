"""Live comparison with PyTorch float64 on random geometries (CI installs torch==2.13.0).

Without torch installed these tests are skipped; tests/test_reference.py still compares
with PyTorch through the committed golden arrays.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, as_pair, conv_geometries, norm_geometries, pool_geometries

from cnnlab import im2col
from cnnlab import layers as L

torch = pytest.importorskip("torch", reason="the live PyTorch comparison needs torch (pip install torch==2.13.0)")
F = torch.nn.functional
pytestmark = pytest.mark.torch

TOL = 1e-6


def assert_close(actual, expected, what):
    expected = expected.detach().numpy() if hasattr(expected, "detach") else np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, PyTorch {expected.shape}"
    error = np.abs(actual - expected) / np.maximum(np.abs(actual) + np.abs(expected), 1e-8)
    assert error.max(initial=0) < TOL, f"{what}: max relative error {error.max():.2e}"


def leaves(*arrays):
    return [torch.tensor(a, requires_grad=True) for a in arrays]


@given(conv_geometries(), st.integers(0, 2**32 - 1))
def test_conv_matches_live_pytorch(geometry, seed):
    x_shape, w_shape, p = geometry
    x, w, b = arrays(seed, x_shape, w_shape, w_shape[:1])
    xt, wt, bt = leaves(x, w, b)
    out_t = F.conv2d(
        xt, wt, bt, stride=as_pair(p["stride"]), padding=as_pair(p["pad"]), dilation=as_pair(p["dilation"])
    )
    (dout,) = arrays(seed + 1, tuple(out_t.shape))
    out_t.backward(torch.tensor(dout))
    for forward, backward in [
        (L.conv_forward_naive, L.conv_backward_naive),
        (L.conv_forward_im2col, L.conv_backward_im2col),
    ]:
        out, cache = forward(x, w, b, p)
        assert_close(out, out_t, f"{forward.__name__} out")
        for name, grad, ref in zip(("dx", "dw", "db"), backward(dout, cache), (xt.grad, wt.grad, bt.grad), strict=True):
            assert_close(grad, ref, f"{backward.__name__} {name}")


@given(conv_geometries(), st.integers(0, 2**32 - 1))
def test_im2col_and_col2im_match_unfold_and_fold(geometry, seed):
    x_shape, w_shape, p = geometry
    kernel = w_shape[2:]
    (x,) = arrays(seed, x_shape)
    geometry_t = {"dilation": as_pair(p["dilation"]), "padding": as_pair(p["pad"]), "stride": as_pair(p["stride"])}
    cols = im2col.im2col(x, *kernel, p["stride"], p["pad"], p["dilation"])
    assert_close(cols, F.unfold(torch.tensor(x), kernel, **geometry_t), "im2col")
    (c,) = arrays(seed + 1, cols.shape)
    folded = F.fold(torch.tensor(c), x_shape[2:], kernel, **geometry_t)
    assert_close(im2col.col2im(c, x_shape, *kernel, p["stride"], p["pad"], p["dilation"]), folded, "col2im")


@given(pool_geometries(), st.integers(0, 2**32 - 1), st.booleans())
def test_max_pool_matches_live_pytorch(geometry, seed, ties):
    x_shape, p = geometry
    (x,) = arrays(seed, x_shape, ties=ties)
    (xt,) = leaves(x)
    out_t = F.max_pool2d(xt, (p["pool_height"], p["pool_width"]), stride=as_pair(p["stride"]))
    (dout,) = arrays(seed + 1, tuple(out_t.shape))
    out_t.backward(torch.tensor(dout))
    for forward, backward in [
        (L.max_pool_forward_naive, L.max_pool_backward_naive),
        (L.max_pool_forward_im2col, L.max_pool_backward_im2col),
    ]:
        out, cache = forward(x, p)
        assert_close(out, out_t, f"{forward.__name__} out")
        assert_close(backward(dout, cache), xt.grad, f"{backward.__name__} dx")


@given(norm_geometries(), st.integers(0, 2**32 - 1), st.sampled_from(["train", "test"]))
def test_batchnorm_matches_live_pytorch(geometry, seed, mode):
    x_shape, _ = geometry
    N, C, H, W = x_shape
    if mode == "train" and N * H * W == 1:
        return  # one value per channel: PyTorch refuses to train on it, and its variance is 0
    x, gamma, beta, rm, dout = arrays(seed, x_shape, (C,), (C,), (C,), x_shape)
    rv = np.abs(rm) + 0.5
    xt, gt, bt = leaves(x, gamma, beta)
    out_t = F.batch_norm(xt, torch.tensor(rm), torch.tensor(rv), gt, bt, training=mode == "train", momentum=0.1)
    out_t.backward(torch.tensor(dout))
    out, cache = L.spatial_batchnorm_forward(x, gamma, beta, {"mode": mode, "running_mean": rm, "running_var": rv})
    assert_close(out, out_t, "out")
    for name, grad, ref in zip(("dx", "dgamma", "dbeta"), L.spatial_batchnorm_backward(dout, cache), (xt.grad, gt.grad, bt.grad), strict=True):  # fmt: skip
        assert_close(grad, ref, name)


@given(norm_geometries(), st.integers(0, 2**32 - 1))
def test_groupnorm_matches_live_pytorch(geometry, seed):
    x_shape, G = geometry
    N, C, H, W = x_shape
    if C // G * H * W == 1:
        return  # one value per group: PyTorch refuses it (ours normalizes it to 0, with gradient 0)
    x, gamma, beta, dout = arrays(seed, x_shape, (C,), (C,), x_shape)
    xt, gt, bt = leaves(x, gamma, beta)
    out_t = F.group_norm(xt, G, gt, bt, eps=1e-5)
    out_t.backward(torch.tensor(dout))
    out, cache = L.spatial_groupnorm_forward(x, gamma, beta, G, {})
    assert_close(out, out_t, "out")
    for name, grad, ref in zip(("dx", "dgamma", "dbeta"), L.spatial_groupnorm_backward(dout, cache), (xt.grad, gt.grad, bt.grad), strict=True):  # fmt: skip
        assert_close(grad, ref, name)


@pytest.mark.parametrize("layer", ["max pool 3x3 stride 2", "batch norm", "group norm G=8"])
def test_a_benchmark_sized_batch_matches_live_pytorch_with_the_batch_split(layer):
    """(64, 32, 32, 32), as in benchmarks/bench_layers.py: large enough that cnnlab.threads splits it
    into slices on several threads (forced here, whatever the machine's core count)."""
    from cnnlab import threads

    rng = np.random.default_rng(0)
    x, dout_full = rng.standard_normal((2, 64, 32, 32, 32)) * 3 + 1
    gamma, beta = rng.standard_normal((2, 32))
    xt, gt, bt = leaves(x, gamma, beta)
    before = threads.num_threads()
    threads.set_num_threads(max(before, 2))
    assert len(threads.batch_slices(64, 32 * 32 * 32)) > 1
    try:
        if layer.startswith("max pool"):
            out_t = F.max_pool2d(xt, 3, 2)
            out, cache = L.max_pool_forward_im2col(x, {"pool_height": 3, "pool_width": 3, "stride": 2})
            dout = dout_full[:, :, :15, :15].copy()
            grads, refs = [L.max_pool_backward_im2col(dout, cache)], [xt]
        elif layer == "batch norm":
            out_t = F.batch_norm(xt, None, None, gt, bt, training=True)
            out, cache = L.spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
            dout = dout_full
            grads, refs = L.spatial_batchnorm_backward(dout, cache), [xt, gt, bt]
        else:
            out_t = F.group_norm(xt, 8, gt, bt, eps=1e-5)
            out, cache = L.spatial_groupnorm_forward(x, gamma, beta, 8, {})
            dout = dout_full
            grads, refs = L.spatial_groupnorm_backward(dout, cache), [xt, gt, bt]
    finally:
        threads.set_num_threads(before)
    out_t.backward(torch.tensor(dout))
    assert_close(out, out_t, "out")
    for grad, ref in zip(grads, refs, strict=True):
        assert_close(grad, ref.grad, "gradient")
