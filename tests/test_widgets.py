"""The explorers (cnnlab.widgets), driven headlessly like a student would drive them.

Every control is set through ``explorer.controls[name].value``; what the explorer then
holds (``output_shape``, ``status``, ``state``) is checked against the arithmetic and the
layers. The pure compute and draw functions are tested directly. No timing here: speed
is measured by benchmarks/bench_widgets.py.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from PIL import Image

from cnnlab import gradcheck, shapes
from cnnlab.im2col import im2col
from cnnlab.layers import conv_backward_naive, conv_forward_naive
from cnnlab.widgets import (
    ConvExplorer,
    FeatureMapExplorer,
    GradcheckViewer,
    Im2colExplorer,
    NormExplorer,
    PoolExplorer,
    compute_conv,
    compute_featuremap,
    compute_gradcheck,
    compute_im2col,
    compute_norm,
    draw_conv,
    draw_featuremap,
    draw_gradcheck,
    draw_im2col,
    draw_norm,
)
from cnnlab.widgets._draw import format_number, span_text
from cnnlab.widgets._render import new_figure
from cnnlab.widgets.filters import FILTERS
from cnnlab.widgets.norm import feature_maps

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data) -> tuple[int, int]:
    data = bytes(data)  # Image.value is a memoryview
    assert data.startswith(PNG_MAGIC)
    return Image.open(io.BytesIO(data)).size


def set_controls(explorer, **values):
    """Set several controls at once (one redraw), as a student moving sliders would."""
    with explorer.hold():
        for name, value in values.items():
            explorer.controls[name].value = value
    assert explorer.error is None, explorer.error


# ---------------------------------------------------------------------------------------------
# Shared helpers


def test_span_text_groups_runs():
    assert span_text([6, 7]) == "6 and 7"
    assert span_text([3]) == "3"
    assert span_text([1, 2, 3, 7]) == "1–3 and 7"
    assert span_text([2, 5, 8]) == "2, 5 and 8"


# ---------------------------------------------------------------------------------------------
# ConvExplorer (lesson 1)


@pytest.fixture(scope="module")
def conv():
    return ConvExplorer()


def test_conv_controls_are_named_as_documented(conv):
    for name in ("input_size", "filter_size", "stride", "pad", "dilation", "output_cell"):
        assert name in conv.controls


def test_conv_default_is_3x3_with_nothing_to_say(conv):
    set_controls(conv, input_size=5, filter_size=3, stride=1, pad=0, dilation=1)
    assert conv.output_shape == (3, 3)
    assert conv.status == ""


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "pad", "dilation"),
    [(5, 3, 2, 1, 1), (7, 3, 2, 0, 1), (8, 3, 3, 0, 1), (9, 3, 1, 1, 2), (16, 5, 4, 3, 1), (1, 1, 1, 0, 1)],
)
def test_conv_output_shape_follows_the_formula(conv, size, kernel, stride, pad, dilation):
    set_controls(conv, input_size=size, filter_size=kernel, stride=stride, pad=pad, dilation=dilation)
    expected = shapes.conv_output_size(size, kernel, stride, pad, dilation)
    assert conv.output_shape == (expected, expected)
    assert f"= {expected}" in conv.state.formula


def test_conv_output_values_are_the_real_convolution(conv):
    set_controls(conv, input_size=6, filter_size=3, stride=2, pad=1, dilation=1, output_cell=4)
    state = conv.state
    r, c = state.selected
    xpad = np.pad(state.x, 1)
    window = xpad[r * 2 : r * 2 + 3, c * 2 : c * 2 + 3]
    assert state.out[r, c] == pytest.approx(np.sum(window * state.w))
    # the highlighted window is exactly those padded cells
    expected = np.zeros_like(state.window)
    expected[r * 2 : r * 2 + 3, c * 2 : c * 2 + 3] = True
    np.testing.assert_array_equal(state.window, expected)


def test_conv_filter_too_large_explains_and_does_not_raise(conv):
    set_controls(conv, input_size=4, filter_size=7, stride=1, pad=0, dilation=1)
    assert conv.output_shape is None
    assert "larger than the padded input" in conv.status
    assert "4 + 2*0 = 4" in conv.status
    assert conv.controls["output_cell"].disabled
    # and coming back to a valid configuration works again
    set_controls(conv, filter_size=3)
    assert conv.output_shape == (2, 2)
    assert not conv.controls["output_cell"].disabled


def test_conv_dilation_can_make_it_invalid(conv):
    set_controls(conv, input_size=5, filter_size=3, stride=1, pad=0, dilation=3)
    assert conv.output_shape is None
    assert "dilated to 7" in conv.status


def test_conv_uneven_stride_names_the_rows_left_out(conv):
    set_controls(conv, input_size=8, filter_size=3, stride=3, pad=0, dilation=1)
    # windows start at 0 and 3 and end at row 5: rows 6 and 7 are never read
    assert conv.output_shape == (2, 2)
    assert conv.state.missed_rows == (6, 7)
    assert conv.state.missed_cols == (6, 7)
    assert "rows and columns 6 and 7" in conv.status
    assert conv.state.coverage[6:, :].sum() == 0


def test_conv_stride_longer_than_filter_skips_rows_between_windows(conv):
    set_controls(conv, input_size=7, filter_size=1, stride=3, pad=0, dilation=1)
    assert conv.output_shape == (3, 3)
    assert conv.state.missed_rows == (1, 2, 4, 5)
    assert "fall between" in conv.status
    assert "longer than the filter's span 1" in conv.status


def test_conv_padding_only_windows_are_pointed_out(conv):
    set_controls(conv, input_size=3, filter_size=2, stride=1, pad=2, dilation=1)
    assert conv.output_shape == (6, 6)
    assert "read only padding" in conv.status
    assert (0, 0) in conv.state.padding_only
    assert conv.state.out[0, 0] == 0


def test_conv_output_cell_selects_row_major_and_keeps_its_place(conv):
    set_controls(conv, input_size=5, filter_size=3, stride=1, pad=0, dilation=1, output_cell=0)
    conv.controls["output_cell"].value = 5  # row 1, column 2 of a 3x3 output
    assert conv.state.selected == (1, 2)
    assert conv.controls["output_cell"].max == 8
    # a larger output keeps the same (row, column) selected
    conv.controls["input_size"].value = 7
    assert conv.output_shape == (5, 5)
    assert conv.state.selected == (1, 2)
    assert conv.controls["output_cell"].value == 1 * 5 + 2


def test_conv_play_steps_through_the_outputs(conv):
    set_controls(conv, input_size=5, filter_size=3, stride=1, pad=0, dilation=1)
    assert conv.play.max == 8
    for k in range(9):
        conv.play.value = k
        assert conv.state.selected == divmod(k, 3)
    assert conv.error is None


def test_conv_image_is_a_png_and_changes_with_the_controls(conv):
    set_controls(conv, input_size=5, filter_size=3, stride=1, pad=0, dilation=1, output_cell=0)
    before = conv.image.value
    conv.controls["output_cell"].value = 4
    assert conv.image.value != before
    assert png_size(conv.image.value) == (900, 500)  # 9 x 5 inches at 100 dpi
    assert len(conv.image.value) < 80_000


def test_conv_mimebundle_has_widget_and_static_png(conv):
    bundle = conv._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == conv.widget.model_id
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)
    assert "ConvExplorer(" in bundle["text/plain"]
    only_png = conv._repr_mimebundle_(include={"image/png"})
    assert set(only_png) == {"image/png"}


def test_compute_conv_accepts_rectangular_sizes():
    state = compute_conv((6, 9), (2, 4), stride=(1, 2), pad=(0, 1))
    assert state.output_shape == (
        shapes.conv_output_size(6, 2, 1, 0),
        shapes.conv_output_size(9, 4, 2, 1),
    )
    assert state.formula.count("\n") == 1  # one line per axis
    assert state.output_shape == state.out.shape


def test_compute_conv_with_own_arrays():
    x = np.arange(16.0).reshape(4, 4)
    w = np.ones((2, 2))
    state = compute_conv(4, 2, stride=2, x=x, w=w, output_cell=(1, 1))
    assert state.out[1, 1] == x[2:, 2:].sum()
    assert state.selected == (1, 1)


def test_draw_conv_returns_artists_on_a_fresh_figure():
    for state in (compute_conv(5, 3), compute_conv(3, 5), compute_conv(9, 3, dilation=2, pad=1)):
        fig = new_figure(9, 5)
        artists = draw_conv(fig, state)
        assert artists and all(a.figure is fig for a in artists)
        fig.canvas.draw()


def test_draw_conv_on_a_plain_figure():
    fig = Figure(figsize=(9, 5))
    assert draw_conv(fig, compute_conv(6, 3, stride=2))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.integers(-3, 20),
    kernel=st.integers(-1, 9),
    stride=st.integers(-1, 6),
    pad=st.integers(-2, 5),
    dilation=st.integers(-1, 4),
    cell=st.integers(-5, 400),
)
def test_conv_no_control_values_raise(conv, size, kernel, stride, pad, dilation, cell):
    """Whatever a student (or a test) sets, nothing raises and output_shape matches the formula."""
    with conv.hold():
        for name, value in (("input_size", size), ("filter_size", kernel), ("stride", stride), ("pad", pad),
                            ("dilation", dilation), ("output_cell", cell)):  # fmt: skip
            conv.controls[name].value = value  # sliders clamp to their range
    assert conv.error is None
    v = conv.values
    o = shapes.conv_output_size(v["input_size"], v["filter_size"], v["stride"], v["pad"], v["dilation"])
    if v["dilation"] * (v["filter_size"] - 1) + 1 > v["input_size"] + 2 * v["pad"]:
        assert conv.output_shape is None and conv.status.startswith("No output")
    else:
        assert conv.output_shape == (o, o)
        assert 0 <= conv.controls["output_cell"].value < o * o


# ---------------------------------------------------------------------------------------------
# PoolExplorer (lesson 4)


@pytest.fixture(scope="module")
def pool():
    return PoolExplorer()


def test_pool_controls_are_named_as_documented(pool):
    for name in ("input_size", "pool_size", "stride", "window"):
        assert name in pool.controls


@pytest.mark.parametrize(("size", "k", "s"), [(6, 2, 2), (7, 3, 2), (5, 2, 1), (7, 2, 2), (4, 4, 1), (1, 1, 1)])
def test_pool_shape_and_values_follow_the_arithmetic(pool, size, k, s):
    set_controls(pool, input_size=size, pool_size=k, stride=s)
    o = shapes.conv_output_size(size, k, s)
    assert pool.output_shape == (o, o)
    state = pool.state
    for i in range(o):
        for j in range(o):
            window = state.x[i * s : i * s + k, j * s : j * s + k]
            assert state.out[i, j] == window.max()
            assert state.x[tuple(state.winner[i, j])] == window.max()


def test_pool_overlapping_windows_sum_their_gradients(pool):
    set_controls(pool, input_size=7, pool_size=3, stride=2, seed=0)
    state = pool.state
    expected = np.zeros(state.input_size)
    for i in range(state.output_shape[0]):
        for j in range(state.output_shape[1]):
            expected[tuple(state.winner[i, j])] += state.dout[i, j]
    np.testing.assert_array_equal(state.dx, expected)
    shared = {pos: wins for pos, wins in state.sources.items() if len(wins) > 1}
    assert shared, "this seed has an input that wins two windows"
    pos, wins = next(iter(shared.items()))
    assert state.dx[pos] == sum(state.dout[w] for w in wins)
    assert "sum of those gradients" in pool.status


def test_pool_ties_go_to_the_first_maximum(pool):
    x = np.array([[1.0, 5.0, 5.0], [5.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    from cnnlab.widgets import compute_pool

    state = compute_pool(3, 2, 1, window=(0, 0), x=x)
    assert tuple(state.winner[0, 0]) == (0, 1)  # (0, 1) comes before (1, 0) in row-major order
    assert (0, 0) in state.tied
    assert "tie" in state.status


def test_pool_uneven_stride_leaves_rows_out(pool):
    set_controls(pool, input_size=7, pool_size=2, stride=2)
    assert pool.output_shape == (3, 3)
    assert pool.state.missed_rows == (6,) and pool.state.missed_cols == (6,)
    assert "row and column 6" in pool.status
    assert not pool.state.dx[6, :].any() and not pool.state.dx[:, 6].any()


def test_pool_window_larger_than_input_explains(pool):
    set_controls(pool, input_size=3, pool_size=5)
    assert pool.output_shape is None
    assert pool.status.startswith("No output") and "larger than" in pool.status
    set_controls(pool, pool_size=2)
    assert pool.output_shape == (2, 2) or pool.output_shape == (1, 1)


def test_pool_window_control_selects_the_routed_gradient(pool):
    set_controls(pool, input_size=6, pool_size=2, stride=2, window=0)
    for k in range(9):
        pool.controls["window"].value = k
        assert pool.state.selected == divmod(k, 3)
    assert pool.controls["window"].max == 8


def test_draw_pool_returns_artists():
    from cnnlab.widgets import compute_pool, draw_pool

    for state in (compute_pool(7, 3, 2), compute_pool(3, 5, 1), compute_pool(10, 2, 1)):
        fig = new_figure(9, 6.6)
        assert draw_pool(fig, state)
        fig.canvas.draw()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(-2, 14), k=st.integers(-1, 8), s=st.integers(-1, 6), w=st.integers(-3, 200))
def test_pool_no_control_values_raise(pool, size, k, s, w):
    with pool.hold():
        pool.controls["input_size"].value = size
        pool.controls["pool_size"].value = k
        pool.controls["stride"].value = s
        pool.controls["window"].value = w
    assert pool.error is None
    v = pool.values
    if v["pool_size"] > v["input_size"]:
        assert pool.output_shape is None
    else:
        o = shapes.conv_output_size(v["input_size"], v["pool_size"], v["stride"])
        assert pool.output_shape == (o, o)


# ---------------------------------------------------------------------------------------------
# PoolExplorer in average mode (lesson 4)


@pytest.fixture(scope="module")
def avg_pool():
    return PoolExplorer(mode="average", input_size=7, pool_size=3, stride=2, pad=1)


def brute_force_average(x, k, s, p, count_include_pad):
    """(out, divisor) of average pooling one (H, W) map, one window at a time from the definition."""
    xp = np.pad(x, p)
    real = np.pad(np.ones_like(x), p)
    o = shapes.conv_output_size(x.shape[0], k, s, p)
    out, divisor = np.zeros((o, o)), np.zeros((o, o))
    for i in range(o):
        for j in range(o):
            rows, cols = slice(i * s, i * s + k), slice(j * s, j * s + k)
            divisor[i, j] = k * k if count_include_pad else real[rows, cols].sum()
            out[i, j] = xp[rows, cols].sum() / divisor[i, j]
    return out, divisor


def test_pool_mode_pad_and_count_include_pad_controls(pool, avg_pool):
    for name in ("mode", "pad", "count_include_pad"):
        assert name in pool.controls
    assert PoolExplorer().values["mode"] == "max"  # max pooling is the default, as before
    assert pool.controls["pad"].disabled and pool.controls["count_include_pad"].disabled  # only average pads
    assert not avg_pool.controls["pad"].disabled and not avg_pool.controls["count_include_pad"].disabled


@pytest.mark.parametrize(
    ("size", "k", "s", "p", "include"),
    [(6, 2, 2, 0, True), (7, 3, 2, 1, True), (7, 3, 2, 1, False), (5, 2, 1, 1, False), (10, 5, 1, 2, True),
     (10, 5, 3, 2, False), (9, 4, 3, 2, False), (1, 1, 1, 0, True)],
)  # fmt: skip
def test_pool_average_numbers_are_the_layers(avg_pool, size, k, s, p, include):
    from cnnlab.layers import avg_pool_backward_naive, avg_pool_forward_naive

    set_controls(avg_pool, mode="average", input_size=size, pool_size=k, stride=s, pad=p, count_include_pad=include)
    state = avg_pool.state
    o = shapes.conv_output_size(size, k, s, p)
    assert avg_pool.output_shape == (o, o)
    param = {"pool_height": k, "pool_width": k, "stride": s, "pad": p, "count_include_pad": include}
    out, cache = avg_pool_forward_naive(state.x[None, None], param)
    np.testing.assert_allclose(state.out, out[0, 0], rtol=1e-12)
    np.testing.assert_allclose(state.dx, avg_pool_backward_naive(state.dout[None, None], cache)[0, 0], rtol=1e-12)
    expected, divisor = brute_force_average(state.x, k, s, p, include)
    np.testing.assert_allclose(state.out, expected, rtol=1e-12)
    np.testing.assert_array_equal(state.divisor, divisor)
    dx = np.zeros(np.add(state.x.shape, 2 * p))  # every input of a window gets dout / divisor; overlaps add up
    for i in range(o):
        for j in range(o):
            dx[i * s : i * s + k, j * s : j * s + k] += state.dout[i, j] / divisor[i, j]
    np.testing.assert_allclose(state.dx, dx[p : p + size, p : p + size], rtol=1e-12)
    for (i, j), wins in state.sources.items():  # sources: the windows each input is in
        assert state.dx[i, j] == pytest.approx(sum(state.dout[w] / state.divisor[w] for w in wins))


def test_pool_average_divisor_at_a_border_without_the_padding(avg_pool):
    set_controls(avg_pool, mode="average", input_size=5, pool_size=3, stride=2, pad=1, count_include_pad=False,
                 window=0)  # fmt: skip
    state = avg_pool.state
    assert state.output_shape == (3, 3)
    assert state.divisor[0, 0] == 4 and state.divisor[0, 1] == 6 and state.divisor[1, 1] == 9
    assert state.out[0, 0] == pytest.approx(state.x[:2, :2].sum() / 4)
    assert "count_include_pad=False: border window (0, 0) covers 4 inputs and 5 padding zeros" in avg_pool.status
    assert "divides by 4, not 9" in avg_pool.status
    set_controls(avg_pool, window=4)  # the middle window covers no padding: the status names a border one
    assert "border window (0, 0)" in avg_pool.status
    set_controls(avg_pool, count_include_pad=True, window=0)
    assert (avg_pool.state.divisor == 9).all()
    assert avg_pool.state.out[0, 0] == pytest.approx(state.x[:2, :2].sum() / 9)
    assert "count_include_pad=True: border window (0, 0) covers 4 inputs and 5 padding zeros, and divides by 9" in (
        avg_pool.status
    )


def test_pool_average_draws_the_padding_and_every_share(avg_pool):
    from cnnlab.widgets._draw import drawn_texts

    set_controls(avg_pool, mode="average", input_size=5, pool_size=3, stride=2, pad=1, count_include_pad=False,
                 window=0)  # fmt: skip
    for label in ("x", "dx"):  # x and dx are drawn padded, one above the other
        ax = next(a for a in avg_pool.figure.axes if a.get_label() == label)
        assert ax.images[0].get_array().shape[:2] == (7, 7)
        assert "−1" in "\n".join(drawn_texts(ax))  # the padding's row and column are labelled -1 and 5
    assert any("the mean of each window" in t for t in texts_of(avg_pool, "out"))
    assert any("out[0, 0] = " in t and " / 4 = " in t for t in texts_of(avg_pool, "out"))
    assert any("gets dout / divisor" in t and "to each of its 4 inputs" in t for t in texts_of(avg_pool, "dx"))
    summary = avg_pool.summary
    assert summary.startswith("Average pooling of a 5×5 input padded by 1, pool 3×3, stride 2, count_include_pad=False")
    assert "each of those inputs gets 1 / 4 = 0.25" in summary


def test_pool_average_overlaps_add_up_in_the_status(avg_pool):
    set_controls(avg_pool, mode="average", input_size=5, pool_size=3, stride=2, pad=0, count_include_pad=True)
    state = avg_pool.state
    assert state.sources[(2, 2)] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert state.dx[2, 2] == pytest.approx(sum(state.dout[w] for w in state.sources[(2, 2)]) / 9)
    assert "Windows overlap: 9 inputs are in several windows and sum their shares (x[0, 2] gets 1/9 + 2/9" in (
        avg_pool.status
    )


def test_pool_average_too_much_padding_is_explained_not_raised(avg_pool):
    set_controls(avg_pool, mode="average", input_size=6, pool_size=5, stride=1, pad=2)
    assert avg_pool.output_shape == (6, 6)
    set_controls(avg_pool, pool_size=2)  # pad 2 is more than half of 2: PyTorch's avg_pool2d refuses it
    assert avg_pool.output_shape is None
    assert avg_pool.status.startswith("No output") and "at most half the pool window" in avg_pool.status
    assert avg_pool.controls["window"].disabled
    set_controls(avg_pool, pad=1)
    assert avg_pool.output_shape == (7, 7)


def test_pool_max_mode_ignores_the_pad_slider(avg_pool):
    set_controls(avg_pool, mode="average", input_size=6, pool_size=2, stride=2, pad=1)
    assert avg_pool.output_shape == (4, 4)
    set_controls(avg_pool, mode="max")
    assert avg_pool.state.pad == (0, 0) and avg_pool.output_shape == (3, 3)
    assert avg_pool.controls["pad"].disabled and avg_pool.controls["pad"].value == 1  # kept for average mode
    assert avg_pool.summary.startswith("Max pooling of a 6×6 input, pool 2×2")


def test_compute_pool_average_mode_directly():
    from cnnlab.widgets import compute_pool, draw_pool

    x = np.arange(16.0).reshape(4, 4)
    state = compute_pool(4, 2, 2, x=x, mode="average")
    np.testing.assert_array_equal(state.out, [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_array_equal(state.dx, np.full((4, 4), 0.25) * np.kron([[1, 2], [3, 4]], np.ones((2, 2))))
    for state in (compute_pool(7, 3, 2, mode="average", pad=1), compute_pool(1, 2, 1, mode="average", pad=1),
                  compute_pool(3, 2, 1, mode="average", pad=2, count_include_pad=False)):  # fmt: skip
        fig = new_figure(9, 7.0)
        assert draw_pool(fig, state)
        fig.canvas.draw()
    with pytest.raises(ValueError, match=r"pad must be 0 in max mode .*got \(1, 1\)"):
        compute_pool(4, 2, 2, pad=1)
    with pytest.raises(ValueError, match=r"mode must be one of 'max', 'average', got 'mean'"):
        compute_pool(4, 2, 2, mode="mean")
    with pytest.raises(TypeError, match=r"count_include_pad must be True or False, got 1 \(int\)"):
        compute_pool(4, 2, 2, mode="average", count_include_pad=1)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(-2, 14), k=st.integers(-1, 8), s=st.integers(-1, 6), p=st.integers(-1, 4),
       include=st.booleans(), w=st.integers(-3, 200))  # fmt: skip
def test_pool_average_no_control_values_raise(avg_pool, size, k, s, p, include, w):
    set_controls(avg_pool, mode="average", input_size=size, pool_size=k, stride=s, pad=p, count_include_pad=include,
                 window=w)  # fmt: skip
    v = avg_pool.values
    o = shapes.conv_output_size(v["input_size"], v["pool_size"], v["stride"], v["pad"])
    if v["pad"] > v["pool_size"] // 2 or o < 1:  # too much padding, or the window does not fit
        assert avg_pool.output_shape is None and avg_pool.status.startswith("No output")
    else:
        assert avg_pool.output_shape == (o, o)
        assert 0 <= avg_pool.controls["window"].value < o * o


# ---------------------------------------------------------------------------------------------
# Im2colExplorer (lesson 3)


@pytest.fixture(scope="module")
def im2col_explorer():
    return Im2colExplorer()


def test_im2col_controls_are_named_as_documented(im2col_explorer):
    for name in ("N", "C", "H", "W", "filter_size", "stride", "pad", "dilation", "window", "pixel"):
        assert name in im2col_explorer.controls


def test_im2col_column_is_the_selected_patch(im2col_explorer):
    set_controls(im2col_explorer, N=4, C=2, H=5, W=6, filter_size=3, stride=1, pad=1, dilation=1, window=7)
    state = im2col_explorer.state
    Ho, Wo = state.output_shape
    assert (Ho, Wo) == (5, 6)
    r, c = state.window
    assert state.column == r * Wo + c == 7
    xpad = np.pad(state.x, ((0, 0), (1, 1), (1, 1)))
    patch = xpad[:, r : r + 3, c : c + 3].reshape(-1)  # (C*KH*KW,), channel-major like im2col
    np.testing.assert_array_equal(state.cols[:, state.column], patch)
    np.testing.assert_array_equal(state.cols, im2col(state.x[None], 3, 3, 1, 1)[0])


def test_im2col_pixel_copies_are_every_occurrence(im2col_explorer):
    set_controls(im2col_explorer, N=1, C=1, H=5, W=5, filter_size=3, stride=1, pad=0, dilation=1, pixel=12)
    state = im2col_explorer.state
    assert state.pixel == (2, 2)  # the centre pixel of a 5x5 image is in all 9 windows...
    assert len(state.copies) == 9  # ...once each, at a different tap
    assert sorted(c for _, c in state.copies) == list(range(9))
    set_controls(im2col_explorer, pixel=0)  # a corner pixel is in one window only
    assert len(im2col_explorer.state.copies) == 1


def test_im2col_memory_is_the_arithmetic(im2col_explorer):
    set_controls(im2col_explorer, N=32, C=3, H=8, W=8, filter_size=3, stride=1, pad=1, dilation=1)
    state = im2col_explorer.state
    assert state.input_bytes == 32 * 3 * 8 * 8 * 8
    assert state.padded_bytes == 32 * 3 * 10 * 10 * 8
    assert state.cols_bytes == 32 * 3 * 3 * 3 * 8 * 8 * 8
    assert state.ratio == pytest.approx(9.0)


def test_im2col_over_budget_says_so():
    from cnnlab import im2col as im2col_module

    previous = im2col_module.set_memory_budget(10_000)
    try:
        state = compute_im2col(64, 3, 8, 8, 3, pad=1)
    finally:
        im2col_module.set_memory_budget(previous)
    assert "would refuse" in state.status and "budget" in state.status


def test_im2col_invalid_filter_explains(im2col_explorer):
    set_controls(im2col_explorer, H=2, W=3, filter_size=5, pad=0, dilation=1)
    assert im2col_explorer.output_shape is None
    assert "larger than the padded input" in im2col_explorer.status
    assert im2col_explorer.controls["window"].disabled


def test_im2col_selection_moves_with_its_grid(im2col_explorer):
    set_controls(im2col_explorer, C=1, H=4, W=4, filter_size=3, stride=1, pad=0, pixel=5)
    assert im2col_explorer.state.pixel == (1, 1)
    im2col_explorer.controls["W"].value = 6  # pixel (1, 1) stays selected in the wider image
    assert im2col_explorer.state.pixel == (1, 1)
    assert im2col_explorer.controls["pixel"].value == 7
    set_controls(im2col_explorer, H=5, W=5, pixel=12)  # a value set together with the size counts as given
    assert im2col_explorer.state.pixel == (2, 2)


def test_draw_im2col_returns_artists():
    for state in (compute_im2col(2, 2, 4, 4, 3, pad=1), compute_im2col(1, 3, 16, 16, 5, pad=1),
                  compute_im2col(1, 1, 2, 2, 3)):  # fmt: skip
        fig = new_figure(9, 5.6)
        assert draw_im2col(fig, state)
        fig.canvas.draw()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.fixed_dictionaries(
        {k: st.integers(-2, 40) for k in ("N", "C", "H", "W", "filter_size", "stride", "pad", "dilation")}
        | {"window": st.integers(-1, 2000), "pixel": st.integers(-1, 2000)}
    )
)
def test_im2col_no_control_values_raise(im2col_explorer, values):
    with im2col_explorer.hold():
        for name, value in values.items():
            im2col_explorer.controls[name].value = value
    assert im2col_explorer.error is None
    v = im2col_explorer.values
    fits = v["dilation"] * (v["filter_size"] - 1) + 1 <= min(v["H"], v["W"]) + 2 * v["pad"]
    if fits:
        expected = tuple(
            shapes.conv_output_size(n, v["filter_size"], v["stride"], v["pad"], v["dilation"]) for n in (v["H"], v["W"])
        )
        assert im2col_explorer.output_shape == expected
    else:
        assert im2col_explorer.output_shape is None


# ---------------------------------------------------------------------------------------------
# NormExplorer (lessons 5, 6)


@pytest.fixture(scope="module")
def norm():
    return NormExplorer()


@pytest.mark.parametrize(
    ("mode", "groups", "n_sets", "elements"),
    [("batch", 2, 6, 4 * 8 * 8), ("layer", 2, 4, 6 * 8 * 8), ("instance", 2, 24, 8 * 8), ("group", 2, 8, 3 * 8 * 8),
     ("group", 3, 12, 2 * 8 * 8), ("group", 6, 24, 8 * 8), ("group", 1, 4, 6 * 8 * 8)],
)  # fmt: skip
def test_norm_modes_share_statistics_over_the_right_sets(norm, mode, groups, n_sets, elements):
    set_controls(norm, mode=mode, groups=groups)
    state = norm.state
    assert state.n_sets == n_sets and state.elements == elements
    assert norm.status == ""
    for k in range(n_sets):  # every set is normalized to mean 0, std 1 (up to eps)
        chosen = state.sets == k
        assert state.out[chosen].size == elements
        assert state.out[chosen].mean() == pytest.approx(0.0, abs=1e-9)
        assert state.out[chosen].std() == pytest.approx(1.0, abs=1e-3)


def test_norm_sets_are_the_ones_each_layer_uses(norm):
    set_controls(norm, mode="batch")
    np.testing.assert_array_equal(norm.state.sets, np.tile(np.arange(6), (4, 1)))  # one per channel
    set_controls(norm, mode="layer")
    np.testing.assert_array_equal(norm.state.sets, np.repeat(np.arange(4)[:, None], 6, axis=1))  # one per sample
    set_controls(norm, mode="group", groups=2)
    assert norm.state.sets[1].tolist() == [2, 2, 2, 3, 3, 3]


def test_norm_group_that_does_not_divide_c_is_explained(norm):
    set_controls(norm, mode="group", groups=4)
    assert not norm.state.valid
    assert "divides C = 6" in norm.status and "got 4" in norm.status
    set_controls(norm, groups=3)
    assert norm.state.valid and norm.status == ""


def test_norm_groups_control_only_matters_for_group_norm(norm):
    set_controls(norm, mode="layer", groups=4)
    assert norm.controls["groups"].disabled
    assert norm.state.valid and norm.state.groups == 1
    set_controls(norm, mode="group")
    assert not norm.controls["groups"].disabled


def test_norm_highlight_is_clamped_to_the_sets(norm):
    set_controls(norm, mode="instance")
    assert norm.controls["highlight"].max == 23
    norm.controls["highlight"].value = 23
    assert norm.state.highlight == 23
    set_controls(norm, mode="layer")
    assert norm.controls["highlight"].max == 3
    assert norm.state.highlight == 3
    m, s = norm.state.before
    chosen = norm.state.x[3]
    assert (m, s) == pytest.approx((chosen.mean(), chosen.std()))


def test_norm_batch_keeps_contrast_differences_and_instance_removes_them():
    x = feature_maps()[0]
    bn, inst = compute_norm("batch", x=x), compute_norm("instance", x=x)
    # sample 0 is shown at contrast 0.5 and sample 3 at 4: batch norm keeps the faint one fainter
    assert bn.out[0].std() < bn.out[3].std()
    assert inst.out[0, 1].std() == pytest.approx(inst.out[3, 1].std(), rel=1e-3)


def test_draw_norm_returns_artists():
    for state in (compute_norm("batch"), compute_norm("group", 4), compute_norm("group", 3, highlight=5)):
        fig = new_figure(9, 4.9)
        assert draw_norm(fig, state)
        fig.canvas.draw()


def test_norm_accepts_its_own_batch():
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 5))
    explorer = NormExplorer(mode="group", groups=2, x=x)
    assert explorer.state.x is not None and explorer.state.n_sets == 4
    set_controls(explorer, groups=3)
    assert "divides C = 4" in explorer.status


# ---------------------------------------------------------------------------------------------
# GradcheckViewer (lesson 2 onwards)


@pytest.fixture(scope="module")
def conv_gradients():
    """dx of a real convolution, its numerical estimate, and a copy wrong on the border."""
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    param = {"stride": 1, "pad": 1}
    out, cache = conv_forward_naive(x, w, b, param)
    dout = rng.standard_normal(out.shape)
    dx = conv_backward_naive(dout, cache)[0]
    dx_num = gradcheck.eval_numerical_gradient_array(lambda v: conv_forward_naive(v, w, b, param)[0], x, dout)
    border_bug = dx.copy()
    border_bug[:, :, :, -1] = 0.0
    return dx, dx_num, border_bug


def test_gradcheck_viewer_passes_a_correct_gradient(conv_gradients):
    dx, dx_num, _ = conv_gradients
    viewer = GradcheckViewer(dx, dx_num, name="dx")
    assert viewer.error is None
    assert viewer.passed and "PASS" in viewer.status
    assert set(viewer.controls) == {"threshold", "worst"}


def test_gradcheck_viewer_finds_a_border_mistake(conv_gradients):
    _, dx_num, bad = conv_gradients
    viewer = GradcheckViewer(bad, dx_num, name="dx")
    state = viewer.state
    assert not viewer.passed and "FAIL" in viewer.status
    assert "border" in viewer.status
    np.testing.assert_array_equal(state.wrong, gradcheck.relative_error_map(bad, dx_num) >= gradcheck.THRESHOLD)
    assert state.worst == gradcheck.worst_entries(bad, dx_num, 5)
    assert all(index[3] == 4 for index, *_ in state.worst)  # the last column is the wrong one


def test_gradcheck_viewer_controls(conv_gradients):
    dx, dx_num, bad = conv_gradients
    viewer = GradcheckViewer(dx, dx_num, name="dx")
    viewer.controls["threshold"].value = 1e-10  # a threshold below rounding noise fails a correct gradient
    assert viewer.error is None and not viewer.passed
    viewer.controls["worst"].value = 2
    assert len(viewer.state.worst) == 2
    before = bytes(viewer.image.value)
    viewer.controls["worst"].value = 4
    assert bytes(viewer.image.value) != before


def test_gradcheck_viewer_mosaic_positions_match_the_heat_map_layout():
    from cnnlab.widgets.gradcheck import mosaic_position

    assert mosaic_position((1, 2, 3, 4), (2, 3, 5, 6)) == (1 * 6 + 3, 2 * 7 + 4)
    assert mosaic_position((2, 1, 3), (3, 4, 5)) == (1, 2 * 6 + 3)
    assert mosaic_position((3, 4), (5, 6)) == (3, 4)
    assert mosaic_position((7,), (9,)) == (0, 7)


def test_gradcheck_viewer_from_a_report_comparison(conv_gradients):
    dx, dx_num, bad = conv_gradients
    report = gradcheck.compare_gradients({"dx": bad}, {"dx": dx_num})
    viewer = GradcheckViewer.from_comparison(report["dx"])
    assert viewer.state.name == "dx" and not viewer.passed


def test_gradcheck_viewer_nan_and_shape_mismatch():
    a = np.array([[1.0, np.nan], [2.0, 3.0]])
    viewer = GradcheckViewer(a, np.ones((2, 2)), name="dw")
    assert viewer.error is None and "NaN" in viewer.status
    with pytest.raises(ValueError, match="same shape"):
        GradcheckViewer(np.ones(3), np.ones(4))


def test_draw_gradcheck_returns_artists(conv_gradients):
    dx, dx_num, bad = conv_gradients
    fig = new_figure(9, 4.5)
    assert draw_gradcheck(fig, compute_gradcheck(bad, dx_num, name="dx"))
    assert draw_gradcheck(fig, compute_gradcheck(bad, dx_num, 1e-3, 2, name="dx"))  # redraw on the same figure
    fig.canvas.draw()


# ---------------------------------------------------------------------------------------------
# FeatureMapExplorer (lesson 1)


@pytest.fixture(scope="module")
def featuremap():
    return FeatureMapExplorer(image="digit")


def test_featuremap_is_the_real_convolution(featuremap):
    set_controls(featuremap, image="digit", digit=3, filter="vertical edge", stride=1, pad=1)
    state = featuremap.state
    assert state.image.shape == (8, 8) and state.output_shape == (8, 8)
    xpad = np.pad(state.image, 1)
    expected = sum(FILTERS["vertical edge"][p, q] * xpad[p : p + 8, q : q + 8] for p in range(3) for q in range(3))
    np.testing.assert_allclose(state.output, expected)


@pytest.mark.parametrize(("stride", "pad"), [(1, 0), (2, 0), (3, 1), (4, 3)])
def test_featuremap_shape_follows_the_formula(featuremap, stride, pad):
    set_controls(featuremap, image="photo", filter="blur", stride=stride, pad=pad)
    H, W = featuremap.state.image.shape
    expected = (shapes.conv_output_size(H, 3, stride, pad), shapes.conv_output_size(W, 3, stride, pad))
    assert featuremap.output_shape == expected == featuremap.state.output.shape


def test_featuremap_every_filter_and_image(featuremap):
    for image in ("digit", "photo"):
        for name in FILTERS:
            set_controls(featuremap, image=image, filter=name, stride=1, pad=0)
            assert featuremap.state.valid and featuremap.state.filter_name == name
    assert featuremap.controls["digit"].disabled  # only the digit image has a digit to choose
    set_controls(featuremap, image="digit")
    assert not featuremap.controls["digit"].disabled


def test_featuremap_learned_filters_join_the_menu():
    weights = np.random.default_rng(1).standard_normal((3, 1, 5, 5))
    explorer = FeatureMapExplorer(image="digit", learned=weights, filter="learned 1")
    assert {"learned 0", "learned 1", "learned 2"} <= set(explorer.controls["filter"].options)
    np.testing.assert_array_equal(explorer.state.kernel, weights[1, 0])
    assert explorer.output_shape == (4, 4)
    with pytest.raises(ValueError, match="learned must be"):
        FeatureMapExplorer(learned=np.ones((2, 3, 3, 3)))


def test_featuremap_filter_larger_than_image_is_explained():
    state = compute_featuremap(np.ones((3, 3)), np.ones((5, 5)), stride=1, pad=0)
    assert state.output is None and state.status.startswith("No output")
    fig = new_figure(9, 4.6)
    assert draw_featuremap(fig, state)
    fig.canvas.draw()


def test_featuremap_uneven_stride_is_pointed_out(featuremap):
    set_controls(featuremap, image="digit", filter="blur", stride=2, pad=0)
    assert featuremap.output_shape == (3, 3)
    assert "row 7 and column 7" in featuremap.status


# ---------------------------------------------------------------------------------------------
# Every explorer: the shell they share


def every_explorer():
    rng = np.random.default_rng(0)
    grad = rng.standard_normal((2, 2, 4, 4))
    return [ConvExplorer(), PoolExplorer(), Im2colExplorer(), NormExplorer(), FeatureMapExplorer(image="digit"),
            GradcheckViewer(grad, grad + 1e-3 * rng.standard_normal(grad.shape), name="dx")]  # fmt: skip


def test_every_explorer_shows_a_live_widget_and_leaves_a_picture():
    for explorer in every_explorer():
        name = type(explorer).__name__
        assert explorer.error is None, name
        bundle = explorer._repr_mimebundle_()
        assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id, name
        png = base64.b64decode(bundle["image/png"])
        assert png == explorer.png() == bytes(explorer.image.value), name
        width, height = png_size(png)
        assert width == 900 and 400 <= height <= 760, (name, width, height)
        assert len(png) < 60_000, (name, len(png))  # a few tens of kB per picture
        assert bundle["text/plain"].startswith(name)
        for control in explorer.controls.values():  # every control is in the widget
            assert control in explorer.widget.children[0].children, name


def test_an_error_while_drawing_is_kept_and_shown_not_raised():
    explorer = ConvExplorer()

    def broken(state):
        raise RuntimeError("a bug in a draw function")

    explorer.draw = broken
    explorer.controls["stride"].value = 2  # must not raise into the (front end's) callback
    assert isinstance(explorer.error, RuntimeError)
    assert "a bug in a draw function" in explorer.status
    assert bytes(explorer.image.value).startswith(PNG_MAGIC)  # the message is drawn instead


def test_widgets_use_no_pyplot_and_layers_import_no_widgets():
    code = (
        "import sys, cnnlab.layers; assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules; "
        "import cnnlab.widgets; assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mode=st.sampled_from(["batch", "layer", "instance", "group"]), groups=st.integers(-1, 9),
       highlight=st.integers(-1, 40))  # fmt: skip
def test_norm_no_control_values_raise(norm, mode, groups, highlight):
    set_controls(norm, mode=mode, groups=groups, highlight=highlight)
    G = norm.controls["groups"].value
    assert norm.state.valid == (mode != "group" or 6 % G == 0)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(image=st.sampled_from(["digit", "photo"]), name=st.sampled_from(sorted(FILTERS)), stride=st.integers(-1, 6),
       pad=st.integers(-1, 6), digit=st.integers(-1, 12))  # fmt: skip
def test_featuremap_no_control_values_raise(featuremap, image, name, stride, pad, digit):
    set_controls(featuremap, image=image, filter=name, stride=stride, pad=pad, digit=digit)
    v = featuremap.values
    H, W = featuremap.state.image.shape
    expected = tuple(shapes.conv_output_size(n, 3, v["stride"], v["pad"]) for n in (H, W))
    assert featuremap.output_shape == expected


# ---------------------------------------------------------------------------------------------
# The same state draws the same picture, however many changes came before (issue #17)

# For each explorer: state A, then the changes a student makes before returning to A.
DETOURS = {
    "ConvExplorer": [{"pad": 2}, {"filter_size": 7}, {"stride": 3, "dilation": 2}, {"input_size": 2},
                     {"output_cell": 3}],
    "PoolExplorer": [{"pool_size": 3, "stride": 1}, {"window": 5}, {"input_size": 2, "pool_size": 5}, {"seed": 4},
                     {"mode": "average", "input_size": 7, "pool_size": 3, "stride": 2, "pad": 1},
                     {"count_include_pad": False, "window": 4}],
    "Im2colExplorer": [{"C": 3}, {"filter_size": 5}, {"pad": 0, "stride": 2}, {"N": 512}, {"pixel": 9}],
    "NormExplorer": [{"mode": "batch"}, {"mode": "group", "groups": 4}, {"highlight": 3}, {"mode": "instance"}],
    "FeatureMapExplorer": [{"image": "photo"}, {"filter": "blur", "stride": 3}, {"pad": 3}, {"filter": "outline"}],
    "GradcheckViewer": [{"threshold": 1e-1}, {"worst": 2}, {"threshold": 1e-10}, {"threshold": 1e-4, "worst": 6}],
}  # fmt: skip


def artist_counts(fig) -> list:
    """How many artists of each kind every Axes and the Figure itself hold."""
    counts = [("figure", len(fig.texts), len(fig.artists), len(fig.patches), len(fig.lines))]
    for ax in fig.axes:
        counts.append((ax.get_label(), len(ax.images), len(ax.patches), len(ax.lines), len(ax.texts),
                       len(ax.collections), len(ax.artists)))  # fmt: skip
    return counts


@pytest.mark.parametrize("explorer", every_explorer(), ids=lambda e: type(e).__name__)
def test_every_explorer_redraws_the_same_picture_for_the_same_state(explorer):
    """Draw state A, change through several states, return to A: the same artists, the same pixels."""
    assert_same_picture_after(explorer, DETOURS[type(explorer).__name__])


def test_pool_average_mode_redraws_the_same_picture_for_the_same_state():
    explorer = PoolExplorer(mode="average", input_size=7, pool_size=3, stride=2, pad=1, count_include_pad=False)
    detours = [{"count_include_pad": True}, {"pad": 0}, {"mode": "max"}, {"pool_size": 2, "pad": 1, "window": 3},
               {"input_size": 10, "pool_size": 5, "stride": 1, "pad": 2}, {"pool_size": 2}]  # fmt: skip
    assert_same_picture_after(explorer, detours)


def assert_same_picture_after(explorer, detours):
    name = type(explorer).__name__
    start = explorer.values
    png, counts = bytes(explorer.image.value), artist_counts(explorer.figure)
    for detour in detours:
        set_controls(explorer, **detour)
        assert bytes(explorer.image.value) != png, (name, detour)  # the detour is really another picture
    set_controls(explorer, **start)
    assert explorer.values == start
    assert artist_counts(explorer.figure) == counts, name
    again = np.asarray(Image.open(io.BytesIO(bytes(explorer.image.value))).convert("RGBA"), dtype=int)
    first = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), dtype=int)
    assert again.shape == first.shape, name
    differ = np.abs(again - first).max(axis=-1) > 0
    assert not differ.any(), f"{name}: {differ.sum()} pixels differ after returning to the same state"


# ---------------------------------------------------------------------------------------------
# Bad constructor arguments get cnnlab's words, never a raw traitlets error (issue #17)


def _grad(shape=(2, 3)):
    return np.ones(shape)


BAD_ARGUMENTS = [
    # (call, exception, message regex): the parameter, the value and what is valid
    (lambda: ConvExplorer(stride=0), ValueError, r"stride must be an integer from 1 to 4 .*got 0"),
    (lambda: ConvExplorer(input_size=1000), ValueError, r"input_size must be an integer from 1 to 16 .*got 1000"),
    (lambda: ConvExplorer(input_size="abc"), TypeError, r"input_size must be an integer from 1 to 16.*'abc'"),
    (lambda: ConvExplorer(pad=1.5), TypeError, r"pad must be an integer from 0 to 3.*1\.5"),
    (lambda: ConvExplorer(dilation=True), TypeError, r"dilation must be an integer from 1 to 3.*True"),
    (lambda: ConvExplorer(filter_size=8), ValueError, r"filter_size must be an integer from 1 to 7.*got 8"),
    (lambda: ConvExplorer(input_size=5, output_cell=9), ValueError,
     r"output_cell must be an integer from 0 to 8 \(row-major, r\*3 \+ c, in the 3×3 output\), got 9"),
    (lambda: ConvExplorer(input_size=2, filter_size=5, output_cell=1), ValueError,
     r"output_cell must be an integer from 0 to 0 \(there is no output"),
    (lambda: PoolExplorer(input_size=11), ValueError, r"input_size must be an integer from 1 to 10.*got 11"),
    (lambda: PoolExplorer(pool_size=0), ValueError, r"pool_size must be an integer from 1 to 5.*got 0"),
    (lambda: PoolExplorer(window=9), ValueError, r"window must be an integer from 0 to 8 .*3×3 output.*got 9"),
    (lambda: PoolExplorer(seed=-1), ValueError, r"seed must be an integer from 0 to 20.*got -1"),
    (lambda: PoolExplorer(mode="min"), ValueError, r"mode must be one of 'max', 'average', got 'min'"),
    (lambda: PoolExplorer(mode=None), ValueError, r"mode must be one of 'max', 'average', got None"),
    (lambda: PoolExplorer(mode="average", pool_size=3, pad=2), ValueError,
     r"pad must be an integer from 0 to 1 \(at most half the pool size 3, as in PyTorch's avg_pool2d\), got 2"),
    (lambda: PoolExplorer(mode="average", pad=-1), ValueError, r"pad must be an integer from 0 to 1 .*got -1"),
    (lambda: PoolExplorer(mode="average", pad=1.0), TypeError, r"pad must be an integer from 0 to 1 .*1\.0"),
    (lambda: PoolExplorer(pad=1), ValueError, r"pad must be an integer from 0 to 0 \(max pooling has no padding.*got 1"),
    (lambda: PoolExplorer(mode="average", count_include_pad="yes"), TypeError,
     r"count_include_pad must be True or False, got 'yes' \(str\)"),
    (lambda: PoolExplorer(mode="average", count_include_pad=0), TypeError,
     r"count_include_pad must be True or False, got 0 \(int\)"),
    (lambda: PoolExplorer(mode="average", input_size=5, pool_size=3, stride=2, pad=1, window=9), ValueError,
     r"window must be an integer from 0 to 8 .*3×3 output.*got 9"),
    (lambda: Im2colExplorer(N=0), ValueError, r"N must be an integer from 1 to 512.*got 0"),
    (lambda: Im2colExplorer(filter_size=6), ValueError, r"filter_size must be an integer from 1 to 5.*got 6"),
    (lambda: Im2colExplorer(H=4, W=4, pixel=16), ValueError, r"pixel must be an integer from 0 to 15 .*4×4 input"),
    (lambda: Im2colExplorer(stride="2"), TypeError, r"stride must be an integer from 1 to 3.*'2'"),
    (lambda: NormExplorer(mode="foo"), ValueError, r"mode must be one of 'batch', 'layer', 'instance', 'group', got 'foo'"),
    (lambda: NormExplorer(groups=7), ValueError, r"groups must be an integer from 1 to 6 .*got 7"),
    (lambda: NormExplorer(mode="batch", highlight=6), ValueError, r"highlight must be an integer from 0 to 5 .*got 6"),
    (lambda: NormExplorer(x=np.ones((2, 3))), ValueError, r"x must have 4 dimensions"),
    (lambda: FeatureMapExplorer(image="cat"), ValueError, r"image must be one of 'digit', 'photo', got 'cat'"),
    (lambda: FeatureMapExplorer(filter="edgy"), ValueError, r"filter must be one of 'blur', .*got 'edgy'"),
    (lambda: FeatureMapExplorer(stride=5), ValueError, r"stride must be an integer from 1 to 4.*got 5"),
    (lambda: FeatureMapExplorer(digit=10), ValueError, r"digit must be an integer from 0 to 9.*got 10"),
    (lambda: GradcheckViewer(_grad(), _grad(), threshold=0), ValueError, r"threshold must be a relative error > 0"),
    (lambda: GradcheckViewer(_grad(), _grad(), threshold="small"), TypeError, r"threshold must be .*'small'"),
    (lambda: GradcheckViewer(_grad(), _grad(), worst=7), ValueError, r"worst must be an integer from 1 to 6.*got 7"),
    (lambda: GradcheckViewer(_grad(), _grad(), name=3), TypeError, r"name must be a string.*got 3"),
    (lambda: GradcheckViewer(["a"], ["b"]), TypeError, r"analytic must be a numeric array"),
    (lambda: GradcheckViewer(_grad(), _grad((3, 2))), ValueError, r"same shape"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "exception", "message"), BAD_ARGUMENTS, ids=[m for _, _, m in BAD_ARGUMENTS])
def test_bad_explorer_arguments_get_a_cnnlab_message(call, exception, message):
    with pytest.raises(exception, match=message) as info:
        call()
    assert type(info.value) is exception  # not traitlets.TraitError, which subclasses neither


def test_small_gradients_list_as_many_worst_elements_as_they_have():
    viewer = GradcheckViewer(np.ones(3), np.ones(3) * 1.1, name="db")
    assert viewer.controls["worst"].value == 3 and len(viewer.state.worst) == 3


# ---------------------------------------------------------------------------------------------
# Every number and label at a readable size; what does not fit is said in words (issue #17)

# States that crowd each explorer's grids: the largest sizes, padding, dilation, many channels.
CROWDED = {
    "ConvExplorer": [dict(input_size=n, filter_size=k, stride=s, pad=p, dilation=d)
                     for n in (1, 5, 8, 12, 16) for k in (1, 3, 7) for s in (1, 4) for p in (0, 2, 3) for d in (1, 3)],
    "PoolExplorer": [dict(mode="max", input_size=n, pool_size=k, stride=s)
                     for n in (1, 6, 10) for k in (1, 2, 5) for s in (1, 4)]
                    + [dict(mode="average", input_size=n, pool_size=k, stride=s, pad=p, count_include_pad=c)
                       for n in (1, 6, 10) for k in (1, 2, 5) for s in (1, 4) for p in (0, 1, 2) for c in (True, False)],
    "Im2colExplorer": [dict(C=c, H=h, W=w, filter_size=k, stride=s, pad=p, dilation=d)
                       for c in (1, 8) for h, w in ((1, 1), (4, 16), (16, 16)) for k in (1, 3, 5) for s in (1, 3)
                       for p in (0, 2) for d in (1, 2)],
    "NormExplorer": [dict(mode=m, groups=g) for m in ("batch", "layer", "instance", "group") for g in (1, 2, 4, 6)],
    "FeatureMapExplorer": [dict(image=i, stride=s, pad=p) for i in ("digit", "photo") for s in (1, 4) for p in (0, 3)],
    "GradcheckViewer": [dict(threshold=t, worst=w) for t in (1e-10, 1e-6, 1e-1) for w in (1, 6)],
}  # fmt: skip


@pytest.mark.parametrize("explorer", every_explorer(), ids=lambda e: type(e).__name__)
def test_no_text_is_drawn_below_the_minimum_size(explorer):
    from cnnlab.widgets._draw import smallest_text_px
    from cnnlab.widgets._render import MIN_TEXT_PX

    name = type(explorer).__name__
    for values in CROWDED[name]:
        set_controls(explorer, **values)
        smallest = smallest_text_px(explorer.figure)
        assert smallest is not None and smallest >= MIN_TEXT_PX - 1e-9, (name, values, smallest)
        width, _ = png_size(explorer.image.value)
        assert width == round(explorer.figsize[0] * 100)  # the PNG is as wide as the image is shown at most


def test_min_text_size_is_seen_by_the_check():
    """smallest_text_px finds a text drawn too small (so the test above can fail)."""
    from cnnlab.widgets._draw import smallest_text_px, text

    fig = new_figure(4, 2)
    text(fig, 0.5, 0.5, "fine", 10)
    assert smallest_text_px(fig) == pytest.approx(10 * 100 / 72)
    text(fig, 0.5, 0.2, "tiny", 4)
    assert smallest_text_px(fig) == pytest.approx(4 * 100 / 72)


def texts_of(explorer, axes_label):
    from cnnlab.widgets._draw import drawn_texts

    ax = next(a for a in explorer.figure.axes if a.get_label() == axes_label)
    return drawn_texts(ax)


def test_conv_filter_weights_are_printed_at_filter_size_7():
    explorer = ConvExplorer(input_size=5, filter_size=7, pad=1)
    weights = {format_number(v) for v in explorer.state.w.ravel()}
    printed = [t for t in texts_of(explorer, "filter") if len(t.split("\n")) == 49]
    assert printed and set(printed[0].split("\n")) == weights


def test_conv_numbers_that_do_not_fit_are_said_in_words():
    explorer = ConvExplorer(input_size=16, filter_size=7, pad=3, dilation=2)
    filter_words = "\n".join(texts_of(explorer, "filter"))
    assert "weights:" in filter_words and f"sum {format_number(explorer.state.w.sum())}" in filter_words
    out = explorer.state.out
    assert f"values from {format_number(out.min())} to {format_number(out.max())}" in "\n".join(
        texts_of(explorer, "output")
    )
    assert "inputs, too many to print here: integers 0 to 9" in "\n".join(texts_of(explorer, "input"))


def test_pool_gradients_too_long_for_their_cells_are_said_in_words():
    from cnnlab.widgets import compute_pool, draw_pool
    from cnnlab.widgets._draw import drawn_texts

    state = compute_pool(10, 2, 1, dout=np.full((9, 9), 12345.0))  # dx holds sums of five-digit numbers
    fig = new_figure(9, 7.0)
    draw_pool(fig, state)
    ax = next(a for a in fig.axes if a.get_label() == "dx")
    words = "\n".join(drawn_texts(ax))
    big = np.unravel_index(int(np.argmax(state.dx)), state.dx.shape)
    assert f"the largest is dx[{big[0]}, {big[1]}] = {format_number(state.dx[big])}" in words
    assert not any(t.count("\n") >= 99 for t in drawn_texts(ax))  # no grid of 100 numbers squeezed in


# ---------------------------------------------------------------------------------------------
# What the figure says is also text beside it (issue #17)


@pytest.mark.parametrize("explorer", every_explorer(), ids=lambda e: type(e).__name__)
def test_every_explorer_says_in_text_what_its_figure_shows(explorer):
    import html as html_module

    name = type(explorer).__name__
    assert explorer.caption in explorer.widget.children  # real text, next to the figure
    for values in [{}] + DETOURS[name][:2]:
        set_controls(explorer, **values)
        summary = explorer.summary
        assert summary and explorer.status in summary, name
        shown = html_module.unescape(re.sub(r"<[^>]+>", "\n", explorer.caption.value))
        assert [line for line in shown.split("\n") if line] == [p for p in summary.split("\n") if p.strip()]
        assert "role='status'" in explorer.caption.value and "aria-live='polite'" in explorer.caption.value
        assert summary in explorer._repr_mimebundle_()["text/plain"]
