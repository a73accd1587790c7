"""Time and peak memory of every lesson, each run top to bottom in a fresh kernel.

    python benchmarks/bench_lessons.py [lessons/*.ipynb]

Each lesson runs in its own child process (nbclient, a fresh python3 kernel), so the peak
resident memory of that kernel can be read afterwards. The goals (issue #6): under 30 s
and under 500 MB per lesson on these 2 cores. The lessons themselves are never modified.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUN_ONE = """
import json, resource, sys, time
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
start = time.perf_counter()
NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
seconds = time.perf_counter() - start
kernel_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the kernel, reaped at shutdown
print(json.dumps({"seconds": seconds, "kernel_mib": kernel_kib / 1024}))
"""


def main(argv=None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])] or sorted(ROOT.glob("lessons/*.ipynb"))
    print(f"{'lesson':<32} {'run s':>7} {'kernel MiB':>11}  (goals: < 30 s, < 500 MB)")
    worst_time = worst_memory = 0.0
    for path in paths:
        wall = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", RUN_ONE, str(path), str(path.parent)], capture_output=True, text=True, check=False
        )
        if done.returncode:
            print(f"{path.stem:<32} FAILED: {done.stderr.strip().splitlines()[-1] if done.stderr else '?'}")
            return 1
        result = json.loads(done.stdout.strip().splitlines()[-1])
        worst_time, worst_memory = max(worst_time, result["seconds"]), max(worst_memory, result["kernel_mib"])
        print(f"{path.stem:<32} {result['seconds']:7.1f} {result['kernel_mib']:11.0f}  "
              f"(with kernel start {time.perf_counter() - wall:.1f} s)")  # fmt: skip
    met = worst_time < 30 and worst_memory * 2**20 < 500e6
    print(f"slowest {worst_time:.1f} s, largest {worst_memory:.0f} MiB: {'goals met' if met else 'goals NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
