"""Tests of cnnlab.gradcheck: relative errors, worst entries, heat maps, numerical gradients, reports."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from cnnlab import cases, gradcheck
from cnnlab import layers as L

# ---------------------------------------------------------------------------------------------
# relative_error_map / worst_entries / draw_error_map


def test_relative_error_map_formula():
    a = np.array([1.0, 2.0, 0.0, -1.0])
    n = np.array([1.0, 1.0, 0.0, 1.0])
    err = gradcheck.relative_error_map(a, n)
    np.testing.assert_allclose(err, [0.0, 1 / 3, 0.0, 1.0])
    assert err.shape == a.shape


def test_relative_error_map_floor_is_relative_to_the_array_scale():
    a = np.array([10.0, 1e-12])
    n = np.array([10.0, 0.0])
    err = gradcheck.relative_error_map(a, n)
    # 1e-12 of noise on a zero gradient is judged on FLOOR_FRACTION * 20, not on itself
    assert err[1] == pytest.approx(1e-12 / (gradcheck.FLOOR_FRACTION * 20))
    assert gradcheck.relative_error_map(a, n, floor=0.0)[1] == pytest.approx(1.0)


def test_relative_error_map_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"analytic \(2, 3\) and numeric \(3, 2\)"):
        gradcheck.relative_error_map(np.zeros((2, 3)), np.zeros((3, 2)))


def test_worst_entries_are_sorted_worst_first_with_indices():
    a = np.zeros((2, 3))
    n = np.zeros((2, 3))
    a[1, 2], n[1, 2] = 1.0, -1.0  # error 1
    a[0, 1], n[0, 1] = 1.0, 0.5  # error 1/3
    worst = gradcheck.worst_entries(a, n, k=3)
    assert [w[0] for w in worst] == [(1, 2), (0, 1), (0, 0)]
    index, av, nv, err = worst[0]
    assert (av, nv, err) == (1.0, -1.0, 1.0)
    assert all(isinstance(i, int) for i in index)
    assert len(gradcheck.worst_entries(a, n, k=100)) == 6


def test_worst_entries_put_nan_first():
    a = np.array([1.0, np.nan, 2.0])
    n = np.array([0.0, 1.0, 2.0])
    assert gradcheck.worst_entries(a, n, k=1)[0][0] == (1,)


@pytest.mark.parametrize("shape", [(), (7,), (4, 5), (3, 4, 5), (2, 3, 4, 5), (2, 2, 2, 3, 3)])
def test_draw_error_map_draws_every_dimensionality(shape):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape)
    n = a + 1e-6 * rng.standard_normal(shape)
    if a.size > 1:
        n.flat[1] = np.nan
    fig, ax = plt.subplots()
    try:
        artists = gradcheck.draw_error_map(ax, a, n, title="dx")
        assert artists and artists[0] in ax.images
        assert ax.get_title() == "dx"
    finally:
        plt.close(fig)


def test_draw_error_map_4d_grid_has_one_map_per_sample_and_channel():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a = np.ones((2, 3, 4, 5))
    fig, ax = plt.subplots()
    try:
        (image, *_) = gradcheck.draw_error_map(ax, a, a, colorbar=False)
        assert image.get_array().shape == (2 * 5 - 1, 3 * 6 - 1)
        assert [t.get_text() for t in ax.get_xticklabels()] == ["c=0", "c=1", "c=2"]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["n=0", "n=1"]
    finally:
        plt.close(fig)


def test_import_does_not_import_matplotlib():
    code = "import sys, cnnlab.gradcheck; assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------
# Numerical gradients


def test_eval_numerical_gradient_of_a_quadratic():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = gradcheck.eval_numerical_gradient(lambda a: np.sum(a**2), x)
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-8)


def test_eval_numerical_gradient_verbose_prints_each_element(capsys):
    gradcheck.eval_numerical_gradient(lambda a: float(a.sum()), np.zeros(2), verbose=True)
    assert capsys.readouterr().out.splitlines()[0].startswith("(0,)")


def test_eval_numerical_gradient_array_of_an_affine_layer():
    rng = np.random.default_rng(0)
    x, w, b, dout = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal(5), None
    dout = rng.standard_normal((3, 5))
    dx = gradcheck.eval_numerical_gradient_array(lambda a: a @ w + b, x, dout)
    dw = gradcheck.eval_numerical_gradient_array(lambda a: x @ a + b, w, dout)
    np.testing.assert_allclose(dx, dout @ w.T, rtol=1e-7)
    np.testing.assert_allclose(dw, x.T @ dout, rtol=1e-7)


def test_numerical_gradient_at_agrees_with_the_full_gradient():
    rng = np.random.default_rng(1)
    x, dout = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    full = gradcheck.eval_numerical_gradient_array(np.tanh, x, dout)
    indices = [(0, 1), (1, 2)]
    np.testing.assert_array_equal(
        gradcheck.numerical_gradient_at(np.tanh, x, dout, indices), [full[i] for i in indices]
    )


def test_a_forward_that_returns_a_view_of_its_input_still_works():
    x = np.arange(6.0).reshape(2, 3)
    dout = np.arange(6.0)[::-1].copy()
    grad = gradcheck.eval_numerical_gradient_array(lambda a: a.reshape(-1), x, dout)  # a view of x
    np.testing.assert_allclose(grad, dout.reshape(2, 3), rtol=1e-9)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.zeros(3, dtype=np.float32), r"x must be a float64 array for a numerical gradient, got dtype float32"),
        (np.zeros(3, dtype=np.int64), r"got dtype int64: a step of h cannot be added to integers"),
        ([1.0, 2.0], r"x must be a numpy float64 array .* got list"),
    ],
)
def test_numerical_gradients_refuse_anything_but_float64(x, message):
    with pytest.raises(TypeError, match=message):
        gradcheck.eval_numerical_gradient(np.sum, x)
    with pytest.raises(TypeError, match=message):
        gradcheck.eval_numerical_gradient_array(lambda a: a, x, np.ones(3))


def test_bad_step_and_non_scalar_f_are_refused():
    with pytest.raises(ValueError, match="h must be a number > 0"):
        gradcheck.eval_numerical_gradient(np.sum, np.zeros(2), h=0)
    with pytest.raises(TypeError, match="f must return one number"):
        gradcheck.eval_numerical_gradient(lambda a: a, np.zeros(2))
    with pytest.raises(ValueError, match=r"df must have the shape of f\(x\), \(2,\), got \(3,\)"):
        gradcheck.eval_numerical_gradient_array(lambda a: a, np.zeros(2), np.ones(3))


def test_inputs_are_restored_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def fails_on_the_fourth_call(a):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("boom")
        return a.sum()

    with pytest.raises(RuntimeError, match="boom"):
        gradcheck.eval_numerical_gradient(fails_on_the_fourth_call, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_an_f_that_changes_its_input_is_an_error_and_x_is_restored():
    x = np.array([1.0, 2.0])

    def mutating(a):
        a[1] += 1.0
        return a.sum()

    with pytest.raises(ValueError, match="f changed its input x in place"):
        gradcheck.eval_numerical_gradient(mutating, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_rel_error_is_cs231n_s():
    assert gradcheck.rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.1])) == pytest.approx(0.1 / 4.1)
    assert gradcheck.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.rel_error(np.array([1e-9]), np.array([0.0])) == pytest.approx(0.1)  # the 1e-8 floor


@pytest.mark.parametrize(
    ("error", "text"),
    [(0.0, "< 1e-6"), (3e-7, "< 1e-6"), (2e-6, "between 1e-6 and 1e-5"), (0.37, "between 1e-1 and 1"), (1.0, "= 1")],
)
def test_error_bucket_is_a_bound_never_the_float(error, text):
    assert gradcheck.error_bucket(error) == text
    assert gradcheck.error_bucket(float("nan")) == "NaN"


# ---------------------------------------------------------------------------------------------
# Reports


def wrong_conv_backward(dout, cache):
    dx, dw, db = L.conv_backward_naive(dout, cache)
    return dx, dw / 2, db


def small_conv():
    rng = np.random.default_rng(3)
    return rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)


def test_check_layer_passes_a_right_backward_and_names_the_gradients():
    x, w, b = small_conv()
    saved = x.copy()
    report = gradcheck.check_layer(L.conv_forward_naive, L.conv_backward_naive, (x, w, b), {"stride": 2, "pad": 1})
    assert report.passed and bool(report)
    assert str(report) == "gradient check: PASS (dx, dw, db; max relative error < 1e-6)"
    assert set(report.max_errors) == {"dx", "dw", "db"}
    np.testing.assert_array_equal(x, saved)  # the caller's arrays are untouched


def test_check_layer_fails_a_wrong_backward_and_says_where():
    x, w, b = small_conv()
    report = gradcheck.check_layer(L.conv_forward_naive, wrong_conv_backward, (x, w, b), {"stride": 1, "pad": 0})
    text = str(report)
    assert not report.passed
    assert text.splitlines()[0] == "gradient check: FAIL (dw above the threshold 1e-6)"
    assert "  dx (2, 2, 5, 5): PASS, max relative error < 1e-6" in text
    assert "  dw (3, 2, 3, 3): FAIL, max relative error between 1e-1 and 1, wrong at 54 of 54 elements" in text
    assert re.search(r"      dw\[\d, \d, \d, \d\]: analytic -?[\d.e-]+, numerical -?[\d.e-]+", text)
    assert text == str(gradcheck.check_layer(L.conv_forward_naive, wrong_conv_backward, (x, w, b), {"stride": 1}))
    assert not report["dw"].passed and report["dx"].passed


def test_check_layer_handles_a_single_gradient_and_refuses_float32():
    x = np.random.default_rng(0).standard_normal((1, 1, 4, 4))
    report = gradcheck.check_layer(
        L.max_pool_forward_naive, L.max_pool_backward_naive, x, {"pool_height": 2, "pool_width": 2, "stride": 2}
    )
    assert str(report) == "gradient check: PASS (dx; max relative error < 1e-6)"
    with pytest.raises(TypeError, match="float64"):
        gradcheck.check_layer(L.relu_forward, L.relu_backward, x.astype(np.float32))


def test_compare_gradients_accepts_dicts_sequences_and_arrays():
    a = np.ones((2, 2))
    assert gradcheck.compare_gradients({"dx": a}, {"dx": a}).passed
    assert str(gradcheck.compare_gradients([a, a], [a, a], names=["dx", "dw"])).startswith(
        "gradient check: PASS (dx, dw;"
    )
    assert gradcheck.compare_gradients(a, a + 1).comparisons[0].name == "grad"
    with pytest.raises(ValueError, match="same shape"):
        gradcheck.compare_gradients(a, np.ones(3))


def test_report_html_and_heat_maps():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, w, b = small_conv()
    report = gradcheck.check_layer(L.conv_forward_naive, wrong_conv_backward, (x, w, b), {"stride": 1})
    html = report._repr_html_()
    assert "gradient check: FAIL" in html and "<table>" in html
    assert (
        html == gradcheck.check_layer(L.conv_forward_naive, wrong_conv_backward, (x, w, b), {"stride": 1})._repr_html_()
    )
    assert report._png().startswith(b"\x89PNG")
    fig = report.plot()
    try:
        titles = [ax.get_title() for ax in fig.axes]
        assert "dw (3, 2, 3, 3): FAIL" in titles and "dx (2, 2, 5, 5): PASS" in titles
    finally:
        plt.close(fig)


CHECKED_LAYERS = (
    [
        (f"conv {c.name}", L.conv_forward_im2col, L.conv_backward_im2col, c.arrays, (c.conv_param,))
        for c in cases.CONV_CASES
    ]
    + [
        (f"pool {c.name}", L.max_pool_forward_im2col, L.max_pool_backward_im2col, c.arrays, (c.pool_param,))
        for c in cases.POOL_CASES
        if not c.ties
    ]
    + [
        (
            f"batchnorm {c.name}",
            L.spatial_batchnorm_forward,
            L.spatial_batchnorm_backward,
            c.arrays,
            ({"mode": "train"},),
        )
        for c in cases.BATCHNORM_CASES
    ]
    + [
        (f"groupnorm {c.name}", L.spatial_groupnorm_forward, L.spatial_groupnorm_backward, c.arrays, (c.groups, {}))
        for c in cases.GROUPNORM_CASES
    ]
)


@pytest.mark.parametrize(
    ("label", "forward", "backward", "arrays", "params"), CHECKED_LAYERS, ids=[r[0] for r in CHECKED_LAYERS]
)
def test_reference_gradients_stay_well_below_the_threshold(label, forward, backward, arrays, params):
    """The module docstring's claim: right float64 gradients stay below 1e-7, ten times under THRESHOLD."""
    report = gradcheck.check_layer(forward, backward, arrays(np.random.default_rng(7)), *params)
    assert max(report.max_errors.values()) < 1e-7, report.max_errors


def test_draw_error_map_again_on_the_same_axes_reuses_its_colorbar():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a = np.ones((3, 4))
    fig, ax = plt.subplots()
    try:
        for _ in range(3):
            ax.clear()
            gradcheck.draw_error_map(ax, a, a + 0.1)
        assert len(fig.axes) == 2  # the map and one colorbar
    finally:
        plt.close(fig)
