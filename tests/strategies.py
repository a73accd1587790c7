"""Hypothesis strategies for valid layer geometries, shared by the property and PyTorch tests.

The random cases come from each family's record (``cnnlab.families``); these helpers give
them the (shapes, params) form some tests unpack.
"""

import numpy as np
from hypothesis import strategies as st

from cnnlab import families

as_pair = families.pair


def conv_geometries():
    """(x_shape, w_shape, conv_param) with at least one output position."""
    return families.CONV.geometries(st).map(lambda case: (case.x_shape, case.w_shape, case.conv_param))


def pool_geometries():
    """(x_shape, pool_param) with windows that fit, often overlapping."""
    return families.MAX_POOL.geometries(st).map(lambda case: (case.x_shape, case.pool_param))


def avg_pool_geometries():
    """(x_shape, pool_param) for average pooling: often overlapping, rectangular or padded (pad
    at most half the window, as PyTorch allows), counting the padding or not."""
    return families.AVG_POOL.geometries(st).map(lambda case: (case.x_shape, case.pool_param))


def norm_geometries():
    """(x_shape, G) with G dividing C."""
    return families.GROUPNORM.geometries(st).map(lambda case: (case.x_shape, case.groups))


def arrays(seed, *shapes, ties=False):
    rng = np.random.default_rng(seed)
    if ties:
        return [rng.integers(0, 3, s).astype(np.float64) for s in shapes]
    return [rng.standard_normal(s) for s in shapes]
