"""How long an explorer takes to answer a control change: compute + draw + PNG encode.

    python benchmarks/bench_widgets.py            # every explorer, 3 passes over its controls
    python benchmarks/bench_widgets.py --passes 5

Each explorer's controls are driven through a fixed sequence of values (valid and invalid
ones, as a student would move them), and every change is timed from setting the value to
the new PNG being in the Image widget. Reported per explorer: the median and 90th
percentile in wall-clock milliseconds and in CPU milliseconds of this process (on a shared
machine the wall time also counts other people's work; the CPU time does not), the PNG size,
and where the time goes for one typical redraw (compute / draw / Agg render + PNG encode).
The goal is a median under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from cnnlab import gradcheck
from cnnlab.layers import conv_backward_naive, conv_forward_naive
from cnnlab.widgets import (
    ConvExplorer,
    FeatureMapExplorer,
    GradcheckViewer,
    Im2colExplorer,
    NormExplorer,
    PoolExplorer,
)
from cnnlab.widgets._render import figure_png

GOAL_MS = 50.0


def gradient_pair():
    """A real dx and its numerical estimate, with a mistake on the last column."""
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    param = {"stride": 1, "pad": 1}
    out, cache = conv_forward_naive(x, w, b, param)
    dout = rng.standard_normal(out.shape)
    dx = conv_backward_naive(dout, cache)[0]
    dx_num = gradcheck.eval_numerical_gradient_array(lambda v: conv_forward_naive(v, w, b, param)[0], x, dout)
    dx[:, :, :, -1] *= 0.5
    return dx, dx_num


# Each explorer with the sequence of (control, value) changes to time, in order.
SCENARIOS = {
    "ConvExplorer": (
        ConvExplorer,
        [("input_size", v) for v in (5, 7, 8, 10, 4)]
        + [("filter_size", v) for v in (3, 5, 7, 2, 3)]  # 7 on a 4x4 input: invalid, explained
        + [("stride", v) for v in (2, 3, 1)]
        + [("pad", v) for v in (1, 2, 0)]
        + [("dilation", v) for v in (2, 1)]
        + [("output_cell", v) for v in (1, 2, 3, 4, 5, 0)],
    ),
    "PoolExplorer": (
        PoolExplorer,
        [("input_size", v) for v in (7, 8, 10, 6)]
        + [("pool_size", v) for v in (3, 2, 5, 2)]
        + [("stride", v) for v in (1, 2, 3, 2)]
        + [("window", v) for v in (1, 2, 3, 4)]
        + [("seed", v) for v in (1, 2)],
    ),
    "PoolExplorer avg": (
        lambda: PoolExplorer(mode="average", input_size=7, pool_size=3, stride=2, pad=1),
        [("input_size", v) for v in (8, 10, 6, 7)]
        + [("pad", v) for v in (0, 1)]
        + [("count_include_pad", v) for v in (False, True)]
        + [("pool_size", v) for v in (5, 2, 3)]
        + [("stride", v) for v in (1, 3, 2)]
        + [("window", v) for v in (1, 2, 3, 4)]
        + [("mode", v) for v in ("max", "average")]
        + [("seed", v) for v in (1, 2)],
    ),
    "Im2colExplorer": (
        Im2colExplorer,
        [("H", v) for v in (5, 6, 8, 4)]
        + [("C", v) for v in (2, 3, 1)]
        + [("filter_size", v) for v in (2, 3, 5, 3)]
        + [("stride", v) for v in (2, 1)]
        + [("pad", v) for v in (0, 1)]
        + [("N", v) for v in (64, 256)]
        + [("window", v) for v in (1, 2, 3)]
        + [("pixel", v) for v in (0, 6, 9)],
    ),
    "NormExplorer": (
        NormExplorer,
        [("mode", v) for v in ("batch", "layer", "instance", "group")]
        + [("groups", v) for v in (3, 4, 6, 1, 2)]  # 4 does not divide C = 6: explained
        + [("highlight", v) for v in (1, 2, 3, 0)],
    ),
    "GradcheckViewer": (
        lambda: GradcheckViewer(*gradient_pair(), name="dx"),
        [("threshold", v) for v in (1e-8, 1e-4, 1e-2, 1e-6)] + [("worst", v) for v in (2, 4, 6, 5)],
    ),
    "FeatureMapExplorer": (
        FeatureMapExplorer,
        [("filter", v) for v in ("blur", "sharpen", "outline", "vertical edge")]
        + [("stride", v) for v in (2, 3, 1)]
        + [("pad", v) for v in (1, 2, 0)]
        + [("image", v) for v in ("digit", "photo")],
    ),
}


def time_changes(explorer, changes, passes: int):
    """Wall and CPU milliseconds of each control change (``passes`` times over the sequence)."""
    wall, cpu = [], []
    for _ in range(passes):
        for name, value in changes:
            control = explorer.controls[name]
            if control.value == value:
                continue
            w0, c0 = time.perf_counter(), time.process_time()
            control.value = value
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            if explorer.error is not None:
                raise RuntimeError(f"{type(explorer).__name__}: {explorer.error!r} after {name} = {value!r}")
    return np.array(wall), np.array(cpu)


def breakdown(explorer, repeats: int = 7):
    """Median milliseconds of compute, draw, and Agg render + PNG encode for the current state."""
    parts = {"compute": [], "draw": [], "render+png": []}
    for _ in range(repeats):
        t0 = time.perf_counter()
        state = explorer.compute()
        t1 = time.perf_counter()
        explorer.draw(state)
        t2 = time.perf_counter()
        figure_png(explorer.figure)
        t3 = time.perf_counter()
        for key, dt in zip(parts, (t1 - t0, t2 - t1, t3 - t2)):
            parts[key].append(dt * 1000)
    return {key: float(np.median(v)) for key, v in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3, help="passes over each control sequence (default 3)")
    args = parser.parse_args()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    print(f"Explorer re-render after a control change (Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {load})")  # fmt: skip
    print(f"{'explorer':<20}{'changes':>8}{'wall median':>13}{'wall p90':>10}{'cpu median':>12}{'cpu p90':>9}"
          f"{'PNG kB':>8}   one redraw: compute / draw / render+png (ms)")  # fmt: skip
    medians, cpu_medians = [], []
    for name, (make, changes) in SCENARIOS.items():
        explorer = make()
        time_changes(explorer, changes, 1)  # warm-up: fonts, glyph caches, first axes
        wall, cpu = time_changes(explorer, changes, args.passes)
        parts = breakdown(explorer)
        medians.append(np.median(wall))
        cpu_medians.append(np.median(cpu))
        print(f"{name:<20}{len(wall):>8}{np.median(wall):>13.1f}{np.percentile(wall, 90):>10.1f}"
              f"{np.median(cpu):>12.1f}{np.percentile(cpu, 90):>9.1f}{len(explorer.png()) / 1000:>8.1f}   "
              f"{parts['compute']:.1f} / {parts['draw']:.1f} / {parts['render+png']:.1f}")  # fmt: skip
    for what, values in (("wall-clock", medians), ("CPU", cpu_medians)):
        worst = max(values)
        verdict = "meets" if worst < GOAL_MS else "misses"
        print(f"slowest {what} median {worst:.1f} ms: {verdict} the goal of {GOAL_MS:.0f} ms")


if __name__ == "__main__":
    main()
