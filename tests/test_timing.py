"""cnnlab.timing: interleaved medians, the conv steps, and the bar chart."""

import sys

import numpy as np
import pytest

from cnnlab import layers as L
from cnnlab import timing


def test_compare_times_interleaves_runs_after_warmup():
    calls = []
    candidates = {name: (lambda name=name: calls.append(name)) for name in ("a", "b", "c")}
    times = timing.compare_times(candidates, repeats=3, warmup=2)
    assert calls == ["a", "a", "b", "b", "c", "c"] + ["a", "b", "c"] * 3
    assert set(times) == {"a", "b", "c"} and all(t >= 0 for t in times.values())


def test_conv_step_runs_forward_and_backward():
    seen = []

    def forward(x, w, b, p):
        seen.append("forward")
        return L.conv_forward_im2col(x, w, b, p)

    def backward(dout, cache):
        seen.append(("backward", float(dout.sum())))
        return L.conv_backward_im2col(dout, cache)

    x, w, b = np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), np.zeros(1)
    timing.conv_step(forward, backward, x, w, b, {})()
    assert seen == ["forward", ("backward", 4.0)]  # dout is all ones, one per output


def test_torch_conv_step_is_none_without_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    assert timing.torch_conv_step(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), np.zeros(1), {}) is None
    steps = timing.default_conv_steps(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), np.zeros(1), {})
    assert list(steps) == ["naive", "im2col"]


def test_torch_conv_step_runs_with_torch():
    pytest.importorskip("torch", reason="needs torch")
    step = timing.torch_conv_step(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), np.zeros(1), {"pad": 1})
    step()
    step()  # gradients are reset between calls
    steps = timing.default_conv_steps(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), np.zeros(1), {}, naive=False)
    assert list(steps) == ["im2col", "PyTorch"]


def test_draw_times_labels_each_bar_with_its_ratio():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    bars = timing.draw_times(ax, {"naive": 2.0, "im2col": 0.02, "PyTorch": 0.04})
    assert len(bars) == 3
    assert [t.get_text().strip() for t in ax.texts] == ["100.0x", "1.0x", "2.0x"]
    assert ax.get_title() == "Time relative to im2col"
