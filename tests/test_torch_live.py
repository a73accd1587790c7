"""Live comparison with PyTorch float64 on random geometries (CI installs torch==2.13.0).

Without torch installed these tests are skipped; tests/test_reference.py still compares
with PyTorch through the committed golden arrays.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, as_pair, conv_geometries

from cnnlab import im2col
from cnnlab import layers as L
from cnnlab.families import FAMILIES

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


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_every_family_matches_live_pytorch(family, data, seed):
    case = data.draw(family.geometries(st), label="case")
    mode = data.draw(st.sampled_from(family.modes), label="mode")
    args = family.arguments(case, np.random.default_rng(seed), mode)
    tensors = {i: torch.tensor(args[i], requires_grad=True) for i in family.differentiable}
    out_t = family.torch_reference(torch, *[tensors.get(i, a) for i, a in enumerate(args)])
    (dout,) = arrays(seed + 1, tuple(out_t.shape))
    out_t.backward(torch.tensor(dout))
    for implementation in family.forward:
        out, grads = family.call(implementation, family.arguments(case, np.random.default_rng(seed), mode), dout)
        assert_close(out, out_t, f"{family.name} {implementation} out")
        for name, grad, i in zip(family.gradients, grads, family.differentiable, strict=True):
            assert_close(grad, tensors[i].grad, f"{family.name} {implementation} {name}")


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
