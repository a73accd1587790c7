"""cnnlab.threads: how a batch is sliced, how the slices run, and that the fast layers
(cnnlab.fast) give the same answers whether a batch is split across threads or not."""

import contextlib
import multiprocessing
import threading
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, norm_geometries, pool_geometries

from cnnlab import fast as L
from cnnlab import threads


@contextlib.contextmanager
def split_batches(n_threads=3):
    """Every batch split into one-sample slices on ``n_threads`` threads."""
    before, min_slice = threads.num_threads(), threads.MIN_SLICE
    threads.set_num_threads(n_threads)
    threads.MIN_SLICE = 1
    try:
        yield
    finally:
        threads.MIN_SLICE = min_slice
        threads.set_num_threads(before)


@pytest.mark.parametrize("N", [1, 2, 7, 64])
@pytest.mark.parametrize("per_sample", [1, 1000, 32 * 32 * 32])
def test_slices_cover_the_batch_in_order_with_whole_samples(N, per_sample):
    with split_batches(2):
        threads.MIN_SLICE = 2**15
        slices = threads.batch_slices(N, per_sample)
    assert slices[0].start == 0 and slices[-1].stop == N
    assert all(a.stop == b.start for a, b in zip(slices, slices[1:]))
    assert all(s.stop > s.start for s in slices)
    sizes = [(s.stop - s.start) * per_sample for s in slices]
    assert len(slices) == 1 or min(sizes) >= 2**15 // 2  # no slice much under MIN_SLICE


def test_a_small_batch_or_one_thread_is_one_inline_call():
    calls = []
    threads.over_batch(lambda s: calls.append((s, threading.current_thread())), 4, 100)
    assert calls == [(slice(0, 4), threading.main_thread())]
    with split_batches(1):
        calls.clear()
        threads.over_batch(lambda s: calls.append(s), 64, 32 * 32 * 32)
    assert calls == [slice(0, 64)]


def test_over_batch_runs_slices_on_several_threads_and_returns_results_in_order():
    seen = set()

    def work(s):
        seen.add(threading.current_thread().name)
        time.sleep(0.01)  # long enough that one thread cannot take every slice
        return s.start

    with split_batches(3):
        assert threads.over_batch(work, 9, 1) == list(range(9))
    assert len(seen) > 1 and all(name.startswith("cnnlab") for name in seen)


def test_an_exception_in_one_slice_is_raised_after_every_slice_finished():
    finished = []

    def work(s):
        if s.start == 0:
            raise ValueError("slice 0 failed")
        time.sleep(0.02)
        finished.append(s.start)

    with split_batches(2), pytest.raises(ValueError, match="slice 0 failed"):
        threads.over_batch(work, 4, 1)
    assert sorted(finished) == [1, 2, 3]


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_num_threads_refuses_what_is_not_a_count(bad):
    with pytest.raises((TypeError, ValueError), match=r"n must be an integer >= 1, got"):
        threads.set_num_threads(bad)


@pytest.mark.parametrize("value", ["0", "two", "-3", "", "2.5", "\u00b2"])
def test_a_bad_environment_variable_is_named_in_the_error(monkeypatch, value):
    monkeypatch.setenv("CNNLAB_NUM_THREADS", value)
    with pytest.raises(ValueError, match=f"CNNLAB_NUM_THREADS must be a whole number >= 1, got '{value}'"):
        threads._from_environment()


def test_the_environment_variable_sets_the_count(monkeypatch):
    monkeypatch.setenv("CNNLAB_NUM_THREADS", "5")
    assert threads._from_environment() == 5
    monkeypatch.delenv("CNNLAB_NUM_THREADS")
    assert threads._from_environment() >= 1


def _sum_in_child(queue):
    with split_batches(2):
        queue.put(sum(threads.over_batch(lambda s: s.stop - s.start, 8, 1)))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork()")
def test_a_forked_child_makes_its_own_pool_instead_of_hanging():
    with split_batches(2):
        threads.over_batch(lambda s: None, 8, 1)  # the parent's pool now exists
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_sum_in_child, args=(queue,))
    child.start()
    child.join(timeout=20)
    assert child.exitcode == 0, "the child hung or failed"
    assert queue.get(timeout=1) == 8


def both_ways(run):
    """run() once on the calling thread, once with the batch split across threads."""
    with split_batches(1):
        whole = run()
    with split_batches(3):
        split = run()
    return whole, split


@given(pool_geometries(), st.integers(0, 2**32 - 1), st.booleans())
def test_max_pool_is_the_same_split_or_whole(geometry, seed, ties):
    x_shape, pool_param = geometry
    (x,) = arrays(seed, x_shape, ties=ties)

    def run():
        out, cache = L.max_pool_forward_im2col(x, pool_param)
        return out, cache[2], L.max_pool_backward_im2col(np.ones_like(out) * 0.5 + out, cache)

    for whole, split in zip(*both_ways(run), strict=True):
        np.testing.assert_array_equal(whole, split)


@given(norm_geometries(), st.integers(0, 2**32 - 1), st.sampled_from(["train", "test"]))
def test_batchnorm_is_the_same_split_or_whole(geometry, seed, mode):
    x_shape, _ = geometry
    C = x_shape[1]
    x, dout, gamma, beta, running_var = arrays(seed, x_shape, x_shape, (C,), (C,), (C,))
    params = {"mode": mode, "running_mean": gamma.copy(), "running_var": running_var**2 + 0.1}

    def run():
        bn_param = dict(params)
        out, cache = L.spatial_batchnorm_forward(x, gamma, beta, bn_param)
        return out, bn_param["running_mean"], bn_param["running_var"], *L.spatial_batchnorm_backward(dout, cache)

    for whole, split in zip(*both_ways(run), strict=True):
        np.testing.assert_allclose(whole, split, rtol=1e-10, atol=1e-12)  # sums are added in another order


@given(norm_geometries(), st.integers(0, 2**32 - 1))
def test_groupnorm_is_the_same_split_or_whole(geometry, seed):
    x_shape, G = geometry
    C = x_shape[1]
    x, dout, gamma, beta = arrays(seed, x_shape, x_shape, (C,), (C,))

    def run():
        out, cache = L.spatial_groupnorm_forward(x, gamma, beta, G, {})
        return out, *L.spatial_groupnorm_backward(dout, cache)

    for whole, split in zip(*both_ways(run), strict=True):
        np.testing.assert_allclose(whole, split, rtol=1e-10, atol=1e-12)


def test_split_layers_accept_non_contiguous_arrays():
    """Slices of a transposed, strided x are not contiguous; the results match a contiguous copy's."""
    rng = np.random.default_rng(0)
    strided = rng.standard_normal((6, 8, 9, 5)).transpose(0, 1, 3, 2)[:, :, :, ::2]  # (6, 8, 5, 5)
    contiguous = np.ascontiguousarray(strided)
    gamma, beta = rng.standard_normal(8), rng.standard_normal(8)
    pool = {"pool_height": 2, "pool_width": 2, "stride": 1}

    def run(x):
        out, cache = L.max_pool_forward_im2col(x, pool)
        results = [out, L.max_pool_backward_im2col(np.ascontiguousarray(out[:, ::-1]), cache)]
        out, cache = L.spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
        results += [out, *L.spatial_batchnorm_backward(x[::-1], cache)]
        out, cache = L.spatial_groupnorm_forward(x, gamma, beta, 4, {})
        return results + [out, *L.spatial_groupnorm_backward(x[::-1], cache)]

    with split_batches(1):
        expected = run(contiguous)
    with split_batches(3):
        found = run(strided)
    for a, b in zip(expected, found, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
