"""Speed of cnnlab's layers against PyTorch float64 on the CPU, as ratios measured in one run.

    python benchmarks/bench_layers.py            # everything (the naive loops take a minute)
    python benchmarks/bench_layers.py --no-naive # skip the naive loops

Each layer is timed twice: ``cnnlab.fast`` (the speed path the network uses) and
``cnnlab.layers`` (the plain version written to be read; it may be slower).

Every time is the median of interleaved runs (cnnlab, PyTorch, cnnlab, PyTorch, ...), with
PyTorch on as many threads as numpy's BLAS and cnnlab's batch split (cnnlab.threads), so a
burst of load on a shared machine hits both alike. Needs torch (pip install torch==2.13.0); it
is never a dependency of cnnlab.
"""

from __future__ import annotations

import argparse
import math
import os
import tracemalloc

import numpy as np
import torch

from cnnlab import fast, im2col
from cnnlab import layers as L
from cnnlab import threads as cnnlab_threads
from cnnlab.timing import compare_times, conv_step, torch_conv_step

CONV_SHAPES = [  # x shape, w shape, conv_param: the three geometries of issue #2
    ((100, 3, 31, 31), (25, 3, 3, 3), {"stride": 2, "pad": 1}),
    ((50, 3, 32, 32), (32, 3, 3, 3), {"stride": 1, "pad": 1}),
    ((64, 16, 32, 32), (32, 16, 3, 3), {"stride": 1, "pad": 1}),
]
BATCH = (64, 32, 32, 32)  # for pooling and normalization


def blas_threads() -> int:
    """How many threads numpy's BLAS uses (threadpoolctl ships with scikit-learn)."""
    try:
        from threadpoolctl import threadpool_info

        return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")
    except (ImportError, ValueError):
        return os.cpu_count() or 1


def arrays(rng, *shapes, dtype=np.float64):
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def conv_table(rng, repeats: int, naive: bool) -> list[float]:
    print("Convolution, forward + backward (median ms)")
    same = fast.conv_forward_im2col is L.conv_forward_im2col and fast.conv_backward_im2col is L.conv_backward_im2col
    print("(the fast path's im2col convolution is the plain one)" if same else "(im2col: cnnlab.fast's)")
    print(f"{'x':>18} {'w':>16} {'param':>20} {'naive':>9} {'im2col':>8} {'PyTorch':>8} "
          f"{'im2col/PyTorch':>15} {'naive/im2col':>13} {'f32 im2col':>11}")  # fmt: skip
    ratios = []
    for x_shape, w_shape, p in CONV_SHAPES:
        x, w, b = arrays(rng, x_shape, w_shape, w_shape[:1])
        steps = {
            "im2col": conv_step(fast.conv_forward_im2col, fast.conv_backward_im2col, x, w, b, p),
            "torch": torch_conv_step(x, w, b, p),
            "f32": conv_step(
                fast.conv_forward_im2col, fast.conv_backward_im2col, *(a.astype(np.float32) for a in (x, w, b)), p
            ),
        }
        times = compare_times(steps, repeats=repeats)
        if naive:
            naive_step = conv_step(L.conv_forward_naive, L.conv_backward_naive, x, w, b, p)
            times["naive"] = compare_times({"naive": naive_step}, repeats=1, warmup=0)["naive"]
        ratio = times["im2col"] / times["torch"]
        ratios.append(ratio)
        naive_ms = f"{times['naive'] * 1e3:9.0f}" if naive else f"{'-':>9}"
        speedup = f"{times['naive'] / times['im2col']:12.0f}x" if naive else f"{'-':>13}"
        print(f"{str(x_shape):>18} {str(w_shape):>16} {str(p):>20} {naive_ms} {times['im2col'] * 1e3:8.1f} "
              f"{times['torch'] * 1e3:8.1f} {ratio:15.2f} {speedup} {times['f32'] * 1e3:11.1f}")  # fmt: skip
    geomean = math.exp(sum(map(math.log, ratios)) / len(ratios))
    print(f"geometric mean of im2col/PyTorch: {geomean:.2f} (goal <= 1.0)")
    return ratios


def other_layers_table(rng, repeats: int) -> None:
    print(f"\nOther layers on x {BATCH}, forward + backward (median ms)")
    (x,) = arrays(rng, BATCH)
    C = BATCH[1]
    gamma, beta = np.ones(C), np.zeros(C)
    pool = {"pool_height": 2, "pool_width": 2, "stride": 2}
    overlapping = {**pool, "pool_height": 3, "pool_width": 3}
    xt = torch.tensor(x, requires_grad=True)
    gt, bt = torch.tensor(gamma, requires_grad=True), torch.tensor(beta, requires_grad=True)

    def step(forward, backward, *args):
        def run():
            out, cache = forward(x, *args)
            backward(np.ones_like(out), cache)

        return run

    def theirs(fn):
        def run():
            out = fn()
            out.backward(torch.ones_like(out))
            xt.grad = gt.grad = bt.grad = None

        return run

    F = torch.nn.functional
    rows = {  # name: (forward, backward function names, their arguments after x, the PyTorch step)
        "max pool 2x2 stride 2": (
            ("max_pool_forward_im2col", "max_pool_backward_im2col"),
            (pool,),
            theirs(lambda: F.max_pool2d(xt, 2, 2)),
        ),
        "max pool 3x3 stride 2 (overlapping)": (
            ("max_pool_forward_im2col", "max_pool_backward_im2col"),
            (overlapping,),
            theirs(lambda: F.max_pool2d(xt, 3, 2)),
        ),
        "avg pool 2x2 stride 2": (
            ("avg_pool_forward_im2col", "avg_pool_backward_im2col"),
            (pool,),
            theirs(lambda: F.avg_pool2d(xt, 2, 2)),
        ),
        "avg pool 3x3 stride 2 pad 1": (
            ("avg_pool_forward_im2col", "avg_pool_backward_im2col"),
            ({**overlapping, "pad": 1},),
            theirs(lambda: F.avg_pool2d(xt, 3, 2, 1)),
        ),
        "spatial batch norm (train)": (
            ("spatial_batchnorm_forward", "spatial_batchnorm_backward"),
            (gamma, beta, {"mode": "train"}),
            theirs(lambda: F.batch_norm(xt, None, None, gt, bt, training=True)),
        ),
        "group norm (G=8)": (
            ("spatial_groupnorm_forward", "spatial_groupnorm_backward"),
            (gamma, beta, 8, {}),
            theirs(lambda: F.group_norm(xt, 8, gt, bt)),
        ),
    }
    print("fast = cnnlab.fast (goal: pooling <= 1.5x PyTorch), plain = cnnlab.layers (for reading);")
    print("the last two columns count page faults per step")
    print(f"{'layer':>36} {'fast':>7} {'plain':>7} {'PyTorch':>8} {'fast/PT':>8} {'plain/PT':>9}"
          f" {'fast faults':>12} {'PyTorch faults':>15}")  # fmt: skip
    for name, ((forward, backward), args, reference) in rows.items():
        mine = counting_faults(step(getattr(fast, forward), getattr(fast, backward), *args))
        plain = step(getattr(L, forward), getattr(L, backward), *args)
        reference = counting_faults(reference)
        times = compare_times({"fast": mine, "plain": plain, "torch": reference}, repeats=repeats)
        print(f"{name:>36} {times['fast'] * 1e3:7.1f} {times['plain'] * 1e3:7.1f} {times['torch'] * 1e3:8.1f}"
              f" {times['fast'] / times['torch']:8.2f} {times['plain'] / times['torch']:9.2f}"
              f" {mine.faults_per_call():>12} {reference.faults_per_call():>15}")  # fmt: skip
    print(
        "A page fault is fresh memory the OS maps and zeroes for a new array: on this kind of machine a\n"
        "thousand of them cost a few ms, and whether a step pays them depends on what the process freed\n"
        "before (glibc returns large blocks to the OS); that is why PyTorch's times swing between runs."
    )


def counting_faults(step):
    """``step``, also counting the page faults of its calls (``.faults_per_call()``; '-' off Unix)."""
    try:
        import resource
    except ImportError:  # Windows
        step.faults_per_call = lambda: "-"
        return step

    def counted():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        step()
        counted.faults += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
        counted.calls += 1

    counted.faults = counted.calls = 0
    counted.faults_per_call = lambda: f"{counted.faults / max(counted.calls, 1):.0f}"
    return counted


def memory_table(rng) -> None:
    print("\nMemory of im2col convolution (MiB): the column matrix, and the peak extra memory")
    print(f"{'x':>18} {'w':>16} {'columns':>8} {'forward peak':>13} {'backward peak':>14} {'budget':>8}")
    for x_shape, w_shape, p in CONV_SHAPES:
        x, w, b = arrays(rng, x_shape, w_shape, w_shape[:1])
        out_hw = fast.conv_forward_im2col(x[:1], w, b, p)[0].shape[2:]
        columns = x_shape[0] * math.prod(w_shape[1:]) * math.prod(out_hw) * x.itemsize
        tracemalloc.start()
        out, cache = fast.conv_forward_im2col(x, w, b, p)
        forward_peak = tracemalloc.get_traced_memory()[1] - out.nbytes  # the output is not "extra"
        dout = np.ones_like(out)
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        grads = fast.conv_backward_im2col(dout, cache)
        backward_peak = tracemalloc.get_traced_memory()[1] - base - sum(g.nbytes for g in grads)
        tracemalloc.stop()
        mib = 2**20
        print(f"{str(x_shape):>18} {str(w_shape):>16} {columns / mib:8.1f} {forward_peak / mib:13.1f} "
              f"{backward_peak / mib:14.1f} {im2col.memory_budget() / mib:8.0f}")  # fmt: skip


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per implementation (default 7)")
    parser.add_argument("--no-naive", dest="naive", action="store_false", help="skip the slow naive loops")
    parser.add_argument("--threads", type=int, help="threads for numpy's BLAS, cnnlab and PyTorch (default: BLAS's)")
    args = parser.parse_args(argv)
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads, user_api="blas")
    threads = blas_threads()
    torch.set_num_threads(threads)
    cnnlab_threads.set_num_threads(threads)
    print(
        f"numpy {np.__version__}, torch {torch.__version__}, {threads} threads for each "
        "(numpy's BLAS, cnnlab's batch split, torch intra-op)\n"
    )
    rng = np.random.default_rng(0)
    conv_table(rng, args.repeats, args.naive)
    other_layers_table(rng, args.repeats)
    memory_table(rng)


if __name__ == "__main__":
    main()
