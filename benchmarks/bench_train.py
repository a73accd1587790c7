"""Issue #5's goals for `cnnlab train` with its default settings, measured end to end.

    python benchmarks/bench_train.py                  # digits and MNIST, two runs each
    python benchmarks/bench_train.py --only digits    # digits only (no MNIST files needed)
    python benchmarks/bench_train.py --mnist-dir DIR  # MNIST from elsewhere

Each run is the real command, ``python -m cnnlab train --data D --seed S --quiet``, in a
fresh process, so its wall time includes starting Python, the imports and loading the data.
The goals (issue #5): digits >= 97% test accuracy in under 30 s; MNIST (8,000 / 2,000 of
the t10k split) >= 96% in under 2 minutes; the same seed gives the same result. Each run
is repeated with the same seed and its output compared line by line (timings aside).

The machine is shared and noisy, so a reference is measured in the same run: a fixed
float32 matrix product on one thread (the thread count training uses), before and after
the runs. A wall time divided by it is a machine-independent figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT / "../shared/data/mnist"
GOALS = {"digits": (0.97, 30.0), "mnist": (0.96, 120.0)}  # test accuracy at least, seconds at most


def reference_matmul(repeats: int = 7) -> float:
    """Median seconds of one (512, 512) @ (512, 512) float32 product on one BLAS thread."""
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((512, 512)).astype(np.float32) for _ in range(2))
    times = []
    with threadpool_limits(limits=1, user_api="blas"):
        a @ b
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(10):
                a @ b
            times.append((time.perf_counter() - start) / 10)
    return statistics.median(times)


def run_train(data: str, seed: int, mnist_dir: Path) -> dict:
    """Run `cnnlab train` once in a fresh process; return its wall time, output and accuracy."""
    argv = [sys.executable, "-m", "cnnlab", "train", "--data", data, "--seed", str(seed), "--quiet"]
    if data == "mnist":
        argv += ["--mnist-dir", str(mnist_dir)]
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"`{' '.join(argv[1:])}` failed:\n{result.stderr}")
    lines = result.stdout.strip().splitlines()
    trained = next(line for line in lines if line.startswith("trained in"))
    return {
        "wall": wall,
        "train": float(trained.split()[2]),
        "accuracy": float(lines[-1].removeprefix("test accuracy: ")),
        "output": [line for line in lines if not line.startswith("trained in")],
        "last": lines[-1],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(GOALS), help="one data set only")
    parser.add_argument("--runs", type=int, default=2, help="runs per data set, same seed (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mnist-dir", type=Path, default=SHARED_MNIST)
    args = parser.parse_args(argv)

    datasets = [args.only] if args.only else list(GOALS)
    if "mnist" in datasets and not (args.mnist_dir / "t10k-images-idx3-ubyte.gz").is_file():
        print(f"skipping mnist: no t10k-images-idx3-ubyte.gz in {args.mnist_dir.resolve()}")
        datasets.remove("mnist")

    ref_before = reference_matmul()
    print(f"cores: {os.cpu_count()}, load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"reference: 512x512 float32 matmul on 1 thread, {ref_before * 1e3:.2f} ms before the runs")
    print()
    print(f"{'data':<7} {'run':>3} {'wall s':>7} {'train s':>8} {'wall/ref':>9} {'test acc':>9}  last line")
    results = {}
    for data in datasets:
        runs = [run_train(data, args.seed, args.mnist_dir) for _ in range(args.runs)]
        results[data] = runs
        for i, r in enumerate(runs, 1):
            ratio = r["wall"] / ref_before
            times = f"{r['wall']:>7.1f} {r['train']:>8.1f} {ratio:>9,.0f}"
            print(f"{data:<7} {i:>3} {times} {r['accuracy']:>9.4f}  {r['last']}")
    ref_after = reference_matmul()
    print(f"\nreference after the runs: {ref_after * 1e3:.2f} ms (before: {ref_before * 1e3:.2f} ms)")

    print("\nGoals (issue #5, default settings of `cnnlab train`):")
    all_met = True
    for data, runs in results.items():
        min_acc, max_seconds = GOALS[data]
        worst_wall = max(r["wall"] for r in runs)
        acc = runs[0]["accuracy"]
        same = all(r["output"] == runs[0]["output"] for r in runs)
        met = acc >= min_acc and worst_wall < max_seconds and same
        all_met &= met
        print(
            f"  {data:<7} test accuracy {acc:.4f} (goal >= {min_acc:.2f}), slowest wall time {worst_wall:.1f} s "
            f"(goal < {max_seconds:.0f} s), same seed same output in {len(runs)} runs: {'yes' if same else 'NO'}"
            f"  -> {'MET' if met else 'NOT MET'}"
        )
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
