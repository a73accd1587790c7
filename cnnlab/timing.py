"""Fair speed comparisons: interleaved runs, medians, ratios against a reference.

Machines are shared and noisy, so a time alone means little; what cnnlab reports is the
ratio of two implementations timed in the same process, their runs interleaved
(A, B, C, A, B, C, ...) so that a burst of load hits them alike.

Used by benchmarks/bench_layers.py and by lesson 3 (im2col and speed), which draws the
comparison as a bar chart. PyTorch is optional: ``torch_conv`` returns None without it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from cnnlab import layers as L

__all__ = ["compare_times", "conv_step", "torch_conv_step", "default_conv_steps", "draw_times"]


def compare_times(candidates: dict[str, Callable[[], object]], repeats: int = 5, warmup: int = 1) -> dict[str, float]:
    """Median wall time in seconds of each zero-argument callable, runs interleaved.

    ``candidates`` maps a name to a callable; each is called ``warmup`` times first
    (untimed), then ``repeats`` times in turn with the others.
    """
    for fn in candidates.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


def conv_step(forward, backward, x, w, b, conv_param) -> Callable[[], None]:
    """A callable running one forward + backward pass of a cnnlab-style convolution.

    Inputs: x (N, C, H, W), w (F, C, HH, WW), b (F,); the upstream gradient is all ones.
    """

    def step():
        out, cache = forward(x, w, b, conv_param)
        backward(np.ones_like(out), cache)

    return step


def torch_conv_step(x, w, b, conv_param, threads: int | None = None) -> Callable[[], None] | None:
    """The same forward + backward in PyTorch (float64 if the arrays are), or None without torch.

    ``threads`` sets torch's intra-op thread count (e.g. to match numpy's BLAS).
    """
    try:
        import torch
    except ImportError:
        return None
    if threads is not None:
        torch.set_num_threads(threads)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    p = {key: conv_param.get(key, default) for key, default in (("stride", 1), ("pad", 0), ("dilation", 1))}

    def step():
        out = torch.nn.functional.conv2d(xt, wt, bt, stride=p["stride"], padding=p["pad"], dilation=p["dilation"])
        out.backward(torch.ones_like(out))
        xt.grad = wt.grad = bt.grad = None

    return step


def default_conv_steps(
    x, w, b, conv_param, naive: bool = True, torch_threads: int | None = None
) -> dict[str, Callable[[], None]]:
    """{'naive': ..., 'im2col': ..., 'PyTorch': ...} steps for one geometry (PyTorch if installed).

    ``torch_threads`` sets PyTorch's thread count (1 is fairest for small inputs on a busy machine).
    """
    steps = {}
    if naive:
        steps["naive"] = conv_step(L.conv_forward_naive, L.conv_backward_naive, x, w, b, conv_param)
    steps["im2col"] = conv_step(L.conv_forward_im2col, L.conv_backward_im2col, x, w, b, conv_param)
    torch_step = torch_conv_step(x, w, b, conv_param, threads=torch_threads)
    if torch_step is not None:
        steps["PyTorch"] = torch_step
    return steps


def draw_times(ax, times: dict[str, float], reference: str | None = None):
    """A horizontal bar chart of ``times`` (seconds), log scale, each bar labelled with its
    ratio to ``reference`` (default: the fastest). Returns the bar container."""
    names = list(times)
    reference = reference or min(times, key=times.get)
    bars = ax.barh(names, [times[n] * 1e3 for n in names], color="#4477AA")
    ax.set_xscale("log")
    ax.set_xlabel("milliseconds per forward + backward (log scale)")
    ax.invert_yaxis()
    for bar, name in zip(bars, names, strict=True):
        ratio = times[name] / times[reference]
        ax.annotate(f" {ratio:,.1f}x", (bar.get_width(), bar.get_y() + bar.get_height() / 2), va="center")
    ax.set_title(f"Time relative to {reference}")
    return bars
