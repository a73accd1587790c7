"""Hypothesis strategies for valid layer geometries, shared by the property and PyTorch tests."""

import numpy as np
from hypothesis import strategies as st

from cnnlab.shapes import conv_output_size

pairs = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))


def as_pair(v):
    return v if isinstance(v, tuple) else (v, v)


@st.composite
def conv_geometries(draw, max_size=9):
    """(x_shape, w_shape, conv_param) with at least one output position."""
    stride, dilation = draw(pairs), draw(pairs)
    pad = draw(st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2))))
    HH, WW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    (ph, pw), (dh, dw) = as_pair(pad), as_pair(dilation)
    H = draw(st.integers(max(1, dh * (HH - 1) + 1 - 2 * ph), max_size + 2))
    W = draw(st.integers(max(1, dw * (WW - 1) + 1 - 2 * pw), max_size + 2))
    N, C, F = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (N, C, H, W), (F, C, HH, WW), {"stride": stride, "pad": pad, "dilation": dilation}


@st.composite
def pool_geometries(draw):
    """(x_shape, pool_param) with windows that fit, often overlapping."""
    PH, PW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(pairs)
    N, C = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H, W = draw(st.integers(PH, 9)), draw(st.integers(PW, 9))
    return (N, C, H, W), {"pool_height": PH, "pool_width": PW, "stride": stride}


@st.composite
def avg_pool_geometries(draw):
    """(x_shape, pool_param) for average pooling: often overlapping, rectangular or padded (pad
    at most half the window, as PyTorch allows), counting the padding or not."""
    PH, PW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(pairs)
    pad = draw(st.one_of(st.integers(0, min(PH, PW) // 2), st.tuples(st.integers(0, PH // 2), st.integers(0, PW // 2))))
    ph, pw = as_pair(pad)
    N, C = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H, W = draw(st.integers(max(1, PH - 2 * ph), 9)), draw(st.integers(max(1, PW - 2 * pw), 9))
    param = {
        "pool_height": PH,
        "pool_width": PW,
        "stride": stride,
        "pad": pad,
        "count_include_pad": draw(st.booleans()),
    }
    return (N, C, H, W), param


@st.composite
def norm_geometries(draw):
    """(x_shape, G) with G dividing C."""
    G = draw(st.integers(1, 4))
    C = G * draw(st.integers(1, 3))
    N, H, W = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return (N, C, H, W), G


def output_hw(x_shape, w_shape, conv_param):
    (sh, sw), (ph, pw), (dh, dw) = (as_pair(conv_param[k]) for k in ("stride", "pad", "dilation"))
    return conv_output_size(x_shape[2], w_shape[2], sh, ph, dh), conv_output_size(x_shape[3], w_shape[3], sw, pw, dw)


def arrays(seed, *shapes, ties=False):
    rng = np.random.default_rng(seed)
    if ties:
        return [rng.integers(0, 3, s).astype(np.float64) for s in shapes]
    return [rng.standard_normal(s) for s in shapes]
