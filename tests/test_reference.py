"""Every layer against PyTorch float64, on every row of the case tables: every family of
``cnnlab.families`` in one loop, then what is particular to a family.

The PyTorch results were computed once by tests/golden/make_golden.py and stored in
tests/golden/*.npz, so this file does not need PyTorch. tests/test_torch_live.py repeats
the comparison with a live PyTorch on random geometries.
"""

from pathlib import Path

import numpy as np
import pytest

from cnnlab import cases, im2col, threads
from cnnlab import layers as L
from cnnlab.families import FAMILIES

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


def golden_row(family, case, mode) -> dict:
    return golden(f"{family.name}.npz", case.name if mode is None else f"{case.name} [{mode}]")


ROWS = [
    (family, case, mode, name)
    for family in FAMILIES
    for case in family.cases
    for mode in family.modes
    for name in family.forward
]


@pytest.mark.parametrize(
    ("family", "case", "mode", "implementation"),
    ROWS,
    ids=[f"{f.name}-{c.name}{'' if m is None else f' [{m}]'}-{i}" for f, c, m, i in ROWS],
)
def test_every_family_matches_pytorch_on_every_case(family, case, mode, implementation, batch):
    ref = golden_row(family, case, mode)
    args = family.arguments(case, cases.rng(case.name), mode)
    for i, name in zip(family.differentiable, family.gradients, strict=True):
        np.testing.assert_array_equal(
            args[i], ref[name[1:]], err_msg=f"{name[1:]}: the case's numbers changed; rerun make_golden.py"
        )
    out, grads = family.call(implementation, args, ref["dout"])
    assert_close(out, ref["out"], "out")
    for name, grad in zip(family.gradients, grads, strict=True):
        assert grad.shape == ref[name[1:]].shape, f"{name} must have the shape of {name[1:]}"
        assert_close(grad, ref[name], name)


@pytest.mark.parametrize("case", cases.CONV_CASES, ids=lambda c: c.name)
def test_im2col_matches_pytorch_unfold(case):
    ref = golden("conv.npz", case.name)
    HH, WW = ref["w"].shape[2:]
    cols = im2col.im2col(ref["x"], HH, WW, case.stride, case.pad, case.dilation)
    assert_close(cols, ref["cols"], "im2col")


@pytest.mark.parametrize("case", cases.BATCHNORM_CASES, ids=lambda c: c.name)
def test_batchnorm_train_updates_the_running_statistics_as_pytorch(case, batch):
    """Same momentum convention translated (ours keeps 0.9 of the old value, PyTorch adds 0.1
    of the new); PyTorch's running_var takes the unbiased variance, ours the biased one."""
    ref = golden("batchnorm.npz", f"{case.name} [train]")
    bn_param = {"mode": "train", "running_mean": ref["running_mean"].copy(), "running_var": ref["running_var"].copy()}
    L.spatial_batchnorm_forward(ref["x"], ref["gamma"], ref["beta"], bn_param)
    N, C, H, W = ref["x"].shape
    M = N * H * W
    assert_close(bn_param["running_mean"], ref["torch_running_mean"], "running_mean")
    torch_new_var = (ref["torch_running_var"] - 0.9 * ref["running_var"]) / 0.1  # unbiased batch variance
    assert_close(bn_param["running_var"], 0.9 * ref["running_var"] + 0.1 * torch_new_var * (M - 1) / M, "running_var")


@pytest.mark.parametrize("case", cases.BATCHNORM_CASES, ids=lambda c: c.name)
def test_batchnorm_test_mode_changes_no_running_statistic(case, batch):
    ref = golden("batchnorm.npz", f"{case.name} [test]")
    bn_param = {"mode": "test", "running_mean": ref["running_mean"].copy(), "running_var": ref["running_var"].copy()}
    L.spatial_batchnorm_forward(ref["x"], ref["gamma"], ref["beta"], bn_param)
    np.testing.assert_array_equal(bn_param["running_mean"], ref["running_mean"])
    np.testing.assert_array_equal(bn_param["running_var"], ref["running_var"])


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
