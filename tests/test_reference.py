"""Every layer against PyTorch float64, on every row of the case tables.

The PyTorch results were computed once by tests/golden/make_golden.py and stored in
tests/golden/*.npz, so this file does not need PyTorch. tests/test_torch_live.py repeats
the comparison with a live PyTorch on random geometries.
"""

from pathlib import Path

import numpy as np
import pytest

from cnnlab import cases, im2col, threads
from cnnlab import layers as L

GOLDEN = Path(__file__).parent / "golden"
TOL = 1e-6  # the largest elementwise relative error accepted (float64 round-off is ~1e-15)


def golden(filename: str, name: str) -> dict:
    with np.load(GOLDEN / filename) as data:
        row = {key.split("/", 1)[1]: data[key] for key in data.files if key.split("/", 1)[0] == name}
    assert row, f"no reference for case {name!r} in {filename}: run python tests/golden/make_golden.py"
    return row


def assert_close(actual, expected, what: str):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, PyTorch {expected.shape}"
    error = np.abs(actual - expected) / np.maximum(np.abs(actual) + np.abs(expected), 1e-8)
    assert error.max(initial=0) < TOL, f"{what}: max relative error {error.max():.2e} vs PyTorch"


@pytest.fixture(params=["whole batch", "split batch"])
def batch(request, monkeypatch):
    """Run the fast pooling and normalization layers on one thread, then with every batch split
    into one-sample slices on three threads (cnnlab.threads)."""
    split = request.param == "split batch"
    monkeypatch.setattr(threads, "MIN_SLICE", 1 if split else threads.MIN_SLICE)
    before = threads.num_threads()
    threads.set_num_threads(3 if split else 1)
    yield request.param
    threads.set_num_threads(before)


CONV_IMPLS = {
    "naive": (L.conv_forward_naive, L.conv_backward_naive),
    "im2col": (L.conv_forward_im2col, L.conv_backward_im2col),
}
POOL_IMPLS = {
    "naive": (L.max_pool_forward_naive, L.max_pool_backward_naive),
    "im2col": (L.max_pool_forward_im2col, L.max_pool_backward_im2col),
}


@pytest.mark.parametrize("impl", CONV_IMPLS)
@pytest.mark.parametrize("case", cases.CONV_CASES, ids=lambda c: c.name)
def test_conv_matches_pytorch(case, impl):
    ref = golden("conv.npz", case.name)
    forward, backward = CONV_IMPLS[impl]
    out, cache = forward(ref["x"], ref["w"], ref["b"], case.conv_param)
    assert_close(out, ref["out"], "out")
    for name, grad in zip(("dx", "dw", "db"), backward(ref["dout"], cache), strict=True):
        assert_close(grad, ref[name], name)


@pytest.mark.parametrize("case", cases.CONV_CASES, ids=lambda c: c.name)
def test_im2col_matches_pytorch_unfold(case):
    ref = golden("conv.npz", case.name)
    HH, WW = ref["w"].shape[2:]
    cols = im2col.im2col(ref["x"], HH, WW, case.stride, case.pad, case.dilation)
    assert_close(cols, ref["cols"], "im2col")


@pytest.mark.parametrize("impl", POOL_IMPLS)
@pytest.mark.parametrize("case", cases.POOL_CASES, ids=lambda c: c.name)
def test_max_pool_matches_pytorch(case, impl, batch):
    ref = golden("pool.npz", case.name)
    forward, backward = POOL_IMPLS[impl]
    out, cache = forward(ref["x"], case.pool_param)
    assert_close(out, ref["out"], "out")
    assert_close(backward(ref["dout"], cache), ref["dx"], "dx")


@pytest.mark.parametrize("case", cases.BATCHNORM_CASES, ids=lambda c: c.name)
def test_batchnorm_train_matches_pytorch(case, batch):
    ref = golden("batchnorm.npz", case.name)
    bn_param = {"mode": "train", "running_mean": ref["running_mean"].copy(), "running_var": ref["running_var"].copy()}
    out, cache = L.spatial_batchnorm_forward(ref["x"], ref["gamma"], ref["beta"], bn_param)
    assert_close(out, ref["train_out"], "out")
    dx, dgamma, dbeta = L.spatial_batchnorm_backward(ref["train_dout"], cache)
    assert_close(dx, ref["train_dx"], "dx")
    assert dgamma.shape == ref["gamma"].shape and dbeta.shape == ref["beta"].shape
    assert_close(dgamma.ravel(), ref["train_dgamma"], "dgamma")
    assert_close(dbeta.ravel(), ref["train_dbeta"], "dbeta")

    # Same momentum convention translated (ours keeps 0.9 of the old value, PyTorch adds 0.1
    # of the new); PyTorch's running_var takes the unbiased variance, ours the biased one.
    N, C, H, W = ref["x"].shape
    M = N * H * W
    assert_close(bn_param["running_mean"], ref["torch_running_mean"], "running_mean")
    torch_new_var = (ref["torch_running_var"] - 0.9 * ref["running_var"]) / 0.1  # unbiased batch variance
    assert_close(bn_param["running_var"], 0.9 * ref["running_var"] + 0.1 * torch_new_var * (M - 1) / M, "running_var")


@pytest.mark.parametrize("case", cases.BATCHNORM_CASES, ids=lambda c: c.name)
def test_batchnorm_test_mode_matches_pytorch(case, batch):
    ref = golden("batchnorm.npz", case.name)
    bn_param = {"mode": "test", "running_mean": ref["running_mean"].copy(), "running_var": ref["running_var"].copy()}
    out, cache = L.spatial_batchnorm_forward(ref["x"], ref["gamma"], ref["beta"], bn_param)
    assert_close(out, ref["test_out"], "out")
    dx, dgamma, dbeta = L.spatial_batchnorm_backward(ref["test_dout"], cache)
    assert_close(dx, ref["test_dx"], "dx")
    assert_close(dgamma.ravel(), ref["test_dgamma"], "dgamma")
    assert_close(dbeta.ravel(), ref["test_dbeta"], "dbeta")
    np.testing.assert_array_equal(bn_param["running_mean"], ref["running_mean"])  # test mode changes nothing
    np.testing.assert_array_equal(bn_param["running_var"], ref["running_var"])


@pytest.mark.parametrize("case", cases.GROUPNORM_CASES, ids=lambda c: c.name)
def test_groupnorm_matches_pytorch(case, batch):
    ref = golden("groupnorm.npz", case.name)
    out, cache = L.spatial_groupnorm_forward(ref["x"], ref["gamma"], ref["beta"], case.groups, {})
    assert_close(out, ref["out"], "out")
    dx, dgamma, dbeta = L.spatial_groupnorm_backward(ref["dout"], cache)
    assert_close(dx, ref["dx"], "dx")
    assert dgamma.shape == ref["gamma"].shape and dbeta.shape == ref["beta"].shape
    assert_close(dgamma.ravel(), ref["dgamma"], "dgamma")
    assert_close(dbeta.ravel(), ref["dbeta"], "dbeta")


def test_affine_matches_pytorch():
    ref = golden("basic.npz", "affine")
    out, cache = L.affine_forward(ref["x"], ref["w"], ref["b"])
    assert_close(out, ref["out"], "out")
    for name, grad in zip(("dx", "dw", "db"), L.affine_backward(ref["dout"], cache), strict=True):
        assert_close(grad, ref[name], name)


def test_relu_matches_pytorch():
    ref = golden("basic.npz", "relu")
    out, cache = L.relu_forward(ref["x"])
    assert_close(out, ref["out"], "out")
    assert_close(L.relu_backward(ref["dout"], cache), ref["dx"], "dx")


def test_softmax_loss_matches_pytorch_cross_entropy():
    ref = golden("basic.npz", "softmax_loss")
    loss, dscores = L.softmax_loss(ref["scores"], ref["y"])
    assert_close(loss, ref["loss"], "loss")
    assert_close(dscores, ref["dscores"], "dscores")
