"""The case tables: valid, deterministic, and covering what the issue lists."""

import numpy as np
import pytest

from cnnlab import cases
from cnnlab import layers as L

ALL = cases.CONV_CASES + cases.POOL_CASES + cases.BATCHNORM_CASES + cases.GROUPNORM_CASES


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.name)
def test_arrays_are_deterministic_for_a_seed(case):
    first = case.arrays(np.random.default_rng(7))
    again = case.arrays(np.random.default_rng(7))
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.float64


def test_names_are_unique_within_each_table():
    for table in (cases.CONV_CASES, cases.POOL_CASES, cases.BATCHNORM_CASES, cases.GROUPNORM_CASES):
        names = [c.name for c in table]
        assert len(names) == len(set(names))


def test_conv_table_covers_the_geometries_the_issue_lists():
    pairs = [tuple(np.broadcast_to(v, 2)) for c in cases.CONV_CASES for v in (c.stride, c.pad, c.dilation)]
    assert any(c.stride != 1 for c in cases.CONV_CASES)
    assert any(c.pad != 0 for c in cases.CONV_CASES)
    assert any(c.dilation != 1 for c in cases.CONV_CASES)
    assert any(p[0] != p[1] for p in pairs)  # rectangular strides / pads / dilations
    assert any(c.w_shape[2:] == (1, 1) for c in cases.CONV_CASES)
    assert any(c.x_shape[0] == 1 for c in cases.CONV_CASES)
    assert any(c.x_shape[2] != c.x_shape[3] and c.w_shape[2] != c.w_shape[3] for c in cases.CONV_CASES)
    for c in cases.CONV_CASES:  # small enough for a numerical gradient check
        assert np.prod(c.x_shape) <= 400


def test_pool_table_has_overlapping_windows_and_ties():
    overlapping = [c for c in cases.POOL_CASES if min(np.broadcast_to(c.stride, 2)) < max(c.pool_height, c.pool_width)]
    assert overlapping
    tie_case = next(c for c in cases.POOL_CASES if c.ties)
    (x,) = tie_case.arrays(np.random.default_rng(0))
    out, _ = L.max_pool_forward_naive(x, tie_case.pool_param)
    assert set(np.unique(x)) <= {0.0, 1.0, 2.0} and out.size


@pytest.mark.parametrize("case", cases.BATCHNORM_CASES + cases.GROUPNORM_CASES, ids=lambda c: c.name)
def test_norm_case_parameters_have_the_requested_shape(case):
    x, gamma, beta = case.arrays(np.random.default_rng(0))
    C = case.x_shape[1]
    assert gamma.shape == beta.shape == ((1, C, 1, 1) if case.gamma_4d else (C,))
    assert x.shape == case.x_shape
