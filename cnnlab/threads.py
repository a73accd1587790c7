"""Split a batch across a few threads, so the fast layers (``cnnlab.fast``) use every core.

NumPy runs each element-wise operation on one core, but releases the GIL while it runs: two
slices of a batch, given to two threads, are computed at the same time. The fast max pooling
and normalization layers hand the passes that take their time to ``over_batch``:

    over_batch(fn, N, per_sample)  # calls fn(slice) for slices covering range(N)

On one thread, or a batch under ``2 * MIN_SLICE`` elements, it makes one call, inline: the
lessons' hand examples and the gradient checks never start a thread.

This is the one place a fast layer loops over its batch: over a few slices of about 4 MiB
each, every one processed with whole-array NumPy operations, never over single samples.

The number of threads is the number of cores this process may use, or ``$CNNLAB_NUM_THREADS``,
or what ``set_num_threads`` set.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, wait

from cnnlab import shapes

__all__ = ["MIN_SLICE", "num_threads", "set_num_threads", "batch_slices", "over_batch"]

MIN_SLICE = 2**19  # elements (4 MiB of float64) in a slice: smaller ones cost more than they save


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _from_environment() -> int:
    value = os.environ.get("CNNLAB_NUM_THREADS")
    if value is None:
        return _cores()
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(f"CNNLAB_NUM_THREADS must be a whole number >= 1, got {value!r}")
    return n


_threads = _from_environment()
_pool: ThreadPoolExecutor | None = None
_pool_pid = None  # a pool does not survive fork(): a child process makes its own


def num_threads() -> int:
    """How many threads the fast layers (``cnnlab.fast``) split a large batch across."""
    return _threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads (1 = everything on the calling thread) from now on."""
    global _threads, _pool
    _threads = shapes.check_int("n", n, 1)
    if _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None


def batch_slices(N: int, per_sample: int) -> list[slice]:
    """Slices covering range(N): whole samples, about ``MIN_SLICE`` elements each, or all of
    range(N) on one thread.

    ``per_sample`` is the number of elements one sample brings (C*H*W for a layer's input).
    Several slices per thread balance the load when another process takes a core for a while.
    """
    if _threads == 1:
        return [slice(0, N)]
    pieces = max(1, min(N, N * per_sample // MIN_SLICE))
    bounds = [N * i // pieces for i in range(pieces + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def over_batch(fn, N: int, per_sample: int) -> list:
    """[fn(s) for s in batch_slices(N, per_sample)], spread over ``num_threads()`` threads.

    ``fn`` must only read shared arrays and write its own slice of any output. An exception
    in any call is raised here, once every call has finished.
    """
    slices = batch_slices(N, per_sample)
    if len(slices) == 1:
        return [fn(s) for s in slices]
    futures = [_executor().submit(fn, s) for s in slices]
    wait(futures)
    return [future.result() for future in futures]


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        _pool = ThreadPoolExecutor(max_workers=_threads, thread_name_prefix="cnnlab")
        _pool_pid = os.getpid()
    return _pool
