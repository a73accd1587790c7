"""Tests of cnnlab.gradcheck: relative errors, worst entries, heat maps, numerical gradients, reports."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from cnnlab import gradcheck

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
