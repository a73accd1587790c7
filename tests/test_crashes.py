"""A crash read in the lesson's terms (cnnlab.exercises.crashes): named only when NumPy's
message and the case's shapes show the mistake."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlab import exercises, shapes
from cnnlab.exercises import crashes, diagnose, running


def _first_diagnoses(name, fn, **kwargs):
    result = exercises.check(name, fn, **kwargs)
    assert not result.passed
    return result.failures[0].diagnoses


def batchnorm_gamma_unshaped(x, gamma, beta, bn_param):
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    xhat = (x - mu) / np.sqrt(var + bn_param.get("eps", 1e-5))
    return np.asarray(gamma).ravel() * xhat + np.asarray(beta).ravel(), None  # (C,) against (N, C, H, W)


def conv_loops_over_the_input(x, w, b, conv_param):
    x, w, b, (sh, sw), (ph, pw), _, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(H):  # the input's size, not H'
                for j in range(W):
                    out[n, f, i, j] = np.sum(xpad[n, :, i * sh : i * sh + HH, j * sw : j * sw + WW] * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def conv_undefined_name(x, w, b, conv_param):
    return np.zeros(1) + Ho, None  # noqa: F821 - the mistake


def pool_backward_mask_of_the_wrong_size(dout, cache):
    x, pool_param = cache
    PH, PW, S = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * S : i * S + PH, j * S : j * S + PW]
                    mask = window == window.max()
                    dx[n, c, i * S : i * S + PH - 1, j * S : j * S + PW - 1] += mask * dout[n, c, i, j]  # one short
    return dx


def test_a_per_channel_array_lined_up_with_w_is_named():
    found = _first_diagnoses("spatial_batchnorm_forward", batchnorm_gamma_unshaped)
    assert isinstance(found[0], diagnose.Named)
    assert "per-channel array of shape (3,) met a 4-D (2, 3, 4, 5) array" in found[0]
    assert "reshape it to (1, 3, 1, 1)" in found[0]


def test_a_window_cut_short_by_loops_past_the_output_is_named():
    text = " ".join(_first_diagnoses("conv_forward_naive", conv_loops_over_the_input))
    assert "a window of shape (3, 3, 2) met the filter (3, 3, 3): the window's slice is cut short" in text


def test_a_pool_window_of_the_wrong_size_is_named():
    text = " ".join(_first_diagnoses("max_pool_backward_naive", pool_backward_mask_of_the_wrong_size))
    assert "met the pool window" in text and "is cut short" in text


def test_an_undefined_name_is_named():
    found = _first_diagnoses("conv_forward_naive", conv_undefined_name)
    assert "the name 'Ho' is used before it is given a value in your function" in found[0]


@pytest.mark.parametrize(
    ("exc", "args", "expected"),
    [
        (IndexError("index 4 is out of bounds for axis 3 with size 4"), (), "index 4 is past the end of axis 3"),
        (IndexError("index -5 is out of bounds for axis 0 with size 4"), (), None),  # not a loop running too far
        (ValueError("operands could not be broadcast together with shapes (3,) (2,4,5,3)"), (), None),  # W = C
        (ValueError("operands could not be broadcast together with shapes (4,5) (3,3)"), (), None),  # no window
        (ValueError("cannot reshape array of size 10 into shape (3,3)"), (), None),
    ],
)
def test_explain_speaks_only_when_the_message_and_the_shapes_show_the_pattern(exc, args, expected):
    found = crashes.explain(exc, args)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0]


def test_a_crash_in_another_process_is_read_the_same_way():
    remote = running.RemoteError("index 7 is out of bounds for axis 2 with size 7", types=("IndexError", "Exception"))
    assert "index 7 is past the end of axis 2" in crashes.explain(remote, ())[0]
    remote = running.RemoteError("name 'Ho' is not defined", types=("NameError", "Exception"))
    assert "the name 'Ho' is used before" in crashes.explain(remote, ())[0]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("operands could not be broadcast together with shapes (1,3,1,3) (2,3,4,5)", "made by combining a (3,) array"),
        ("operands could not be broadcast together with shapes (2,6,3,4) (2,2,1,1)", "a per-group array of shape"),
    ],
)
def test_broadcasts_of_the_norms_are_read(message, expected):
    found = crashes.explain(ValueError(message), ())
    assert any(expected in f for f in found), found


def test_group_statistics_on_the_channels_need_a_divisor_of_c():
    assert (
        crashes.explain(ValueError("operands could not be broadcast together with shapes (2,6,3,4) (2,4,1,1)"), ())
        == []
    )


def test_a_reduction_without_keepdims_is_read():
    found = crashes.explain(ValueError("operands could not be broadcast together with shapes (2,2,36) (2,2)"), ())
    assert len(found) == 1 and "reduce with keepdims=True" in found[0] and "shape (2, 2, 1)" in found[0]
