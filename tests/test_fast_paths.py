"""cnnlab.fast, the speed path, against cnnlab.layers, the readable one: the same names, the
same caches and the same answers (rtol 1e-12) over the case tables and random geometries, on
one thread and with every batch split across threads."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, avg_pool_geometries, conv_geometries, norm_geometries, pool_geometries
from test_threads import split_batches

from cnnlab import cases, fast
from cnnlab import layers as L

RTOL, ATOL = 1e-12, 1e-13
# A gradient that cancels to 0 keeps the rounding of its terms: with one element per group or
# channel, x - mean = 0 and 1/std = 1/sqrt(eps) ~ 316, so the terms of dx are ~ 1e2 and their
# rounding ~ 1e-14 * 1e2. Normalization results are compared with this absolute floor.
NORM_ATOL = 1e-11
OWN = {  # the functions cnnlab.fast has its own version of; the others are cnnlab.layers' own
    "max_pool_forward_im2col",
    "max_pool_backward_im2col",
    "spatial_batchnorm_forward",
    "spatial_batchnorm_backward",
    "spatial_groupnorm_forward",
    "spatial_groupnorm_backward",
    "avg_pool_forward_im2col",
    "avg_pool_backward_im2col",
}
THREADS = [1, 3]  # 3: every batch split into one-sample slices on three threads


def assert_all_close(found, expected, atol=ATOL):
    assert len(found) == len(expected)
    for a, b in zip(found, expected, strict=True):
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=atol)


def test_fast_has_every_layer_under_the_same_name():
    assert fast.__all__ == L.__all__
    for name in L.__all__:
        assert callable(getattr(fast, name))
        assert (getattr(fast, name) is getattr(L, name)) == (name not in OWN), name


def test_importing_the_layers_starts_no_thread_machinery():
    code = "import sys, cnnlab.layers; print('cnnlab.threads' in sys.modules, 'cnnlab.fast' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------------------------------------
# The runs compared: forward, then backward with the given upstream gradient


def max_pool_run(layers, x, pool_param, dout_seed):
    out, cache = layers.max_pool_forward_im2col(x, pool_param)
    dout = np.random.default_rng(dout_seed).standard_normal(out.shape)
    return out, cache[2], layers.max_pool_backward_im2col(dout, cache)


def batchnorm_run(layers, x, gamma, beta, mode, dout):
    C = x.shape[1]
    bn_param = {"mode": mode, "running_mean": np.linspace(-1, 1, C), "running_var": np.linspace(0.5, 2, C)}
    out, cache = layers.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    grads = layers.spatial_batchnorm_backward(dout, cache)
    return out, bn_param["running_mean"], bn_param["running_var"], *grads


def groupnorm_run(layers, x, gamma, beta, G, dout):
    out, cache = layers.spatial_groupnorm_forward(x, gamma, beta, G, {"eps": 1e-5})
    return out, *layers.spatial_groupnorm_backward(dout, cache)


def conv_run(layers, x, w, b, conv_param, dout_seed):
    out, cache = layers.conv_forward_im2col(x, w, b, conv_param)
    dout = np.random.default_rng(dout_seed).standard_normal(out.shape)
    return out, *layers.conv_backward_im2col(dout, cache)


def avg_pool_run(layers, x, pool_param, dout_seed):
    out, cache = layers.avg_pool_forward_im2col(x, pool_param)
    dout = np.random.default_rng(dout_seed).standard_normal(out.shape)
    return out, layers.avg_pool_backward_im2col(dout, cache)


def fast_equals_plain(run, *args, n_threads):
    expected = run(L, *args)
    with split_batches(n_threads):
        found = run(fast, *args)
    assert_all_close(found, expected, NORM_ATOL if run in (batchnorm_run, groupnorm_run) else ATOL)


# ---------------------------------------------------------------------------------------------
# The case tables


@pytest.mark.parametrize("n_threads", THREADS)
@pytest.mark.parametrize("case", cases.POOL_CASES, ids=lambda c: c.name)
def test_max_pool_cases(case, n_threads):
    (x,) = case.arrays(np.random.default_rng(0))
    fast_equals_plain(max_pool_run, x, case.pool_param, 1, n_threads=n_threads)


@pytest.mark.parametrize("n_threads", THREADS)
@pytest.mark.parametrize("mode", ["train", "test"])
@pytest.mark.parametrize("case", cases.BATCHNORM_CASES, ids=lambda c: c.name)
def test_batchnorm_cases(case, mode, n_threads):
    rng = np.random.default_rng(0)
    x, gamma, beta = case.arrays(rng)
    fast_equals_plain(batchnorm_run, x, gamma, beta, mode, rng.standard_normal(x.shape), n_threads=n_threads)


@pytest.mark.parametrize("n_threads", THREADS)
@pytest.mark.parametrize("case", cases.GROUPNORM_CASES, ids=lambda c: c.name)
def test_groupnorm_cases(case, n_threads):
    rng = np.random.default_rng(0)
    x, gamma, beta = case.arrays(rng)
    fast_equals_plain(groupnorm_run, x, gamma, beta, case.groups, rng.standard_normal(x.shape), n_threads=n_threads)


@pytest.mark.parametrize("case", cases.CONV_CASES, ids=lambda c: c.name)
def test_conv_cases(case):
    x, w, b = case.arrays(np.random.default_rng(0))
    fast_equals_plain(conv_run, x, w, b, case.conv_param, 1, n_threads=3)


# ---------------------------------------------------------------------------------------------
# Random geometries


@given(pool_geometries(), st.integers(0, 2**32 - 1), st.booleans(), st.sampled_from(THREADS))
def test_max_pool_geometries(geometry, seed, ties, n_threads):
    x_shape, pool_param = geometry
    (x,) = arrays(seed, x_shape, ties=ties)
    fast_equals_plain(max_pool_run, x, pool_param, seed, n_threads=n_threads)


@given(pool_geometries(), st.integers(0, 2**32 - 1), st.sampled_from(THREADS))
def test_max_pool_with_nans(geometry, seed, n_threads):
    x_shape, pool_param = geometry
    (x,) = arrays(seed, x_shape, ties=True)
    x[x == 2] = np.nan  # a third of the inputs: many windows have one NaN or several
    expected = max_pool_run(L, x, pool_param, seed)
    with split_batches(n_threads):
        found = max_pool_run(fast, x, pool_param, seed)
    assert_all_close(found, expected)  # NaN where NaN (assert_allclose: equal_nan), the same first NaN


@given(norm_geometries(), st.integers(0, 2**32 - 1), st.sampled_from(["train", "test"]), st.sampled_from(THREADS))
def test_batchnorm_geometries(geometry, seed, mode, n_threads):
    x_shape, _ = geometry
    C = x_shape[1]
    x, dout, gamma, beta = arrays(seed, x_shape, x_shape, (C,), (C,))
    fast_equals_plain(batchnorm_run, x, gamma, beta, mode, dout, n_threads=n_threads)


@given(norm_geometries(), st.integers(0, 2**32 - 1), st.booleans(), st.sampled_from(THREADS))
def test_groupnorm_geometries(geometry, seed, gamma_4d, n_threads):
    x_shape, G = geometry
    C = x_shape[1]
    x, dout, gamma, beta = arrays(seed, x_shape, x_shape, (C,), (C,))
    if gamma_4d:
        gamma, beta = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    fast_equals_plain(groupnorm_run, x, gamma, beta, G, dout, n_threads=n_threads)


@given(conv_geometries(), st.integers(0, 2**32 - 1))
def test_conv_geometries(geometry, seed):
    x_shape, w_shape, conv_param = geometry
    x, w, b = arrays(seed, x_shape, w_shape, w_shape[:1])
    fast_equals_plain(conv_run, x, w, b, conv_param, seed, n_threads=3)


@given(avg_pool_geometries(), st.integers(0, 2**32 - 1), st.sampled_from(THREADS))
def test_avg_pool_geometries(geometry, seed, n_threads):
    x_shape, pool_param = geometry
    (x,) = arrays(seed, x_shape)
    fast_equals_plain(avg_pool_run, x, pool_param, seed, n_threads=n_threads)


# ---------------------------------------------------------------------------------------------
# Either backward pass takes either forward's cache; odd layouts and dtypes


@pytest.mark.parametrize("forward_from", [L, fast], ids=["plain forward", "fast forward"])
def test_the_caches_are_interchangeable(forward_from):
    backward_from = fast if forward_from is L else L
    rng = np.random.default_rng(3)
    x = rng.integers(0, 3, (4, 3, 7, 6)).astype(np.float64)  # ties
    gamma, beta = rng.uniform(0.5, 2, 3), rng.standard_normal(3)
    pool = {"pool_height": 3, "pool_width": 2, "stride": (2, 1)}
    out, cache = forward_from.max_pool_forward_im2col(x, pool)
    dout = rng.standard_normal(out.shape)
    expected = L.max_pool_backward_im2col(dout, L.max_pool_forward_im2col(x, pool)[1])
    assert_all_close([backward_from.max_pool_backward_im2col(dout, cache)], [expected])
    for mode in ("train", "test"):
        bn_param = {"mode": mode, "running_mean": np.zeros(3), "running_var": np.ones(3)}
        out, cache = forward_from.spatial_batchnorm_forward(x, gamma, beta, dict(bn_param))
        expected = L.spatial_batchnorm_backward(x, L.spatial_batchnorm_forward(x, gamma, beta, dict(bn_param))[1])
        assert_all_close(backward_from.spatial_batchnorm_backward(x, cache), expected, NORM_ATOL)
    out, cache = forward_from.spatial_groupnorm_forward(x, gamma, beta, 3, {})
    expected = L.spatial_groupnorm_backward(x, L.spatial_groupnorm_forward(x, gamma, beta, 3, {})[1])
    assert_all_close(backward_from.spatial_groupnorm_backward(x, cache), expected, NORM_ATOL)


@pytest.mark.parametrize("n_threads", THREADS)
def test_non_contiguous_float32_inputs_give_the_plain_answers(n_threads):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 4, 9, 10)).astype(np.float32).transpose(0, 1, 3, 2)[:, :, ::2]  # (6, 4, 5, 9)
    gamma, beta = rng.uniform(0.5, 2, 4).astype(np.float32), rng.standard_normal(4).astype(np.float32)
    pool = {"pool_height": 2, "pool_width": 3, "stride": 2}
    runs = [
        lambda layers: max_pool_run(layers, x, pool, 5),
        lambda layers: avg_pool_run(layers, x, {**pool, "pad": 1, "count_include_pad": False}, 5),
        lambda layers: batchnorm_run(layers, x, gamma, beta, "train", x[::-1]),
        lambda layers: groupnorm_run(layers, x, gamma, beta, 2, x[::-1]),
    ]
    for run in runs:
        expected = run(L)
        with split_batches(n_threads):
            found = run(fast)
        for a, b in zip(found, expected, strict=True):
            assert a.dtype == b.dtype or b.dtype.kind == "i"  # the argmax: a smaller integer type in fast
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # float32: sums in another order


# ---------------------------------------------------------------------------------------------
# Grading: a hidden answer must not be reachable through its fast twin


HIDDEN = {  # exercise graded: the fast function that would answer it
    "max_pool_forward_naive": "max_pool_forward_im2col",
    "spatial_batchnorm_forward": "spatial_batchnorm_forward",
    "spatial_groupnorm_forward": "spatial_groupnorm_forward",
}


@pytest.mark.parametrize(("exercise", "twin"), HIDDEN.items())
def test_the_grading_copy_hides_the_fast_twin_of_a_graded_exercise(tmp_path, exercise, twin):
    from cnnlab.instructor import sandbox

    sandbox.build_package(tmp_path, [exercise])
    code = f"import cnnlab.fast, inspect; print(inspect.getsource(cnnlab.fast.{twin}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert "threads.over_batch" not in done.stdout, f"cnnlab.fast.{twin} still works while {exercise} is graded"
