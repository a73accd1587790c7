# ruff: noqa: NPY002 - the cells as CS231n wrote them, with the legacy global RNG
"""CS231n's group-norm cells (assignment 2, ConvolutionalNetworks.ipynb), run against cnnlab.

Their forward cell passes its batch-norm dict ``{'mode': 'train'}`` as ``gn_param``, with gamma
and beta of shape (1, C, 1, 1); their gradient cell uses ``gn_param = {}`` and unpacks
``dx, dgamma, dbeta`` from the backward. cnnlab accepts both as they are.
"""

from __future__ import annotations

import numpy as np
import pytest

from cnnlab.gradcheck import eval_numerical_gradient_array, rel_error
from cnnlab.layers import spatial_groupnorm_backward, spatial_groupnorm_forward


def test_the_forward_cell_runs_with_a_bn_param():
    np.random.seed(231)
    N, C, H, W = 2, 6, 4, 5
    G = 2
    x = 4 * np.random.randn(N, C, H, W) + 10
    bn_param = {"mode": "train"}
    gamma = np.ones((1, C, 1, 1))
    beta = np.zeros((1, C, 1, 1))
    out, _ = spatial_groupnorm_forward(x, gamma, beta, G, bn_param)
    out_g = out.reshape((N * G, -1))
    np.testing.assert_allclose(out_g.mean(axis=1), 0, atol=1e-9)
    np.testing.assert_allclose(out_g.std(axis=1), 1, atol=1e-5)
    assert bn_param == {"mode": "train"}  # read, not changed


def test_the_gradient_cell_runs():
    np.random.seed(231)
    N, C, H, W = 2, 6, 4, 5
    G = 2
    x = 5 * np.random.randn(N, C, H, W) + 12
    gamma = np.random.randn(1, C, 1, 1)
    beta = np.random.randn(1, C, 1, 1)
    dout = np.random.randn(N, C, H, W)
    gn_param = {}
    fx = lambda x: spatial_groupnorm_forward(x, gamma, beta, G, gn_param)[0]  # noqa: E731
    fg = lambda a: spatial_groupnorm_forward(x, a, beta, G, gn_param)[0]  # noqa: E731
    fb = lambda b: spatial_groupnorm_forward(x, gamma, b, G, gn_param)[0]  # noqa: E731
    dx_num = eval_numerical_gradient_array(fx, x, dout)
    da_num = eval_numerical_gradient_array(fg, gamma.copy(), dout)
    db_num = eval_numerical_gradient_array(fb, beta.copy(), dout)
    _, cache = spatial_groupnorm_forward(x, gamma, beta, G, gn_param)
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
    assert dgamma.shape == dbeta.shape == (1, C, 1, 1)
    assert rel_error(dx_num, dx) < 1e-6
    assert rel_error(da_num, dgamma) < 1e-6
    assert rel_error(db_num, dbeta) < 1e-6


@pytest.mark.parametrize(
    "gn_param",
    [
        {"mode": "train"},
        {"mode": "test", "momentum": 0.5, "running_mean": np.zeros(6), "running_var": np.ones(6)},
        {"mode": "train", "eps": 1e-3},
    ],
)
def test_batch_norm_keys_are_ignored(gn_param):
    x = np.random.default_rng(0).standard_normal((2, 6, 3, 3))
    gamma, beta = np.ones(6), np.zeros(6)
    expected = spatial_groupnorm_forward(x, gamma, beta, 3, {"eps": gn_param.get("eps", 1e-5)})[0]
    np.testing.assert_array_equal(spatial_groupnorm_forward(x, gamma, beta, 3, gn_param)[0], expected)


def test_a_key_that_is_not_batch_norm_s_is_still_an_error():
    x = np.zeros((1, 2, 2, 2))
    with pytest.raises(ValueError, match="gn_param has an unknown key 'groups'"):
        spatial_groupnorm_forward(x, np.ones(2), np.zeros(2), 1, {"mode": "train", "groups": 2})
