"""Spatial batch normalization and group normalization, forward and backward.

Both normalize x (N, C, H, W) with a mean and variance shared by a set of elements, then
scale and shift each channel:  out = gamma[c] * (x - mean) / sqrt(var + eps) + beta[c].
They differ only in which elements share the statistics:

- batch norm: one mean per channel, over (N, H, W)        - lesson 5
- group norm: one mean per (sample, group of C/G channels), over (C/G, H, W) - lesson 6;
  G = 1 is layer norm, G = C is instance norm.

The backward passes use the compact form of the chain rule through the statistics:
with dxhat = dout * gamma and the means taken over the elements sharing one mean,

    dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var + eps)
"""

from __future__ import annotations

import numpy as np

from cnnlab import shapes

__all__ = [
    "spatial_batchnorm_forward",
    "spatial_batchnorm_backward",
    "spatial_groupnorm_forward",
    "spatial_groupnorm_backward",
]


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Spatial batch normalization forward pass: statistics per channel over (N, H, W).

    Inputs:
    - x: (N, C, H, W)
    - gamma, beta: (C,) or (1, C, 1, 1) scale and shift
    - bn_param: dict with keys
      - 'mode': 'train' or 'test' (required)
      - 'eps': added to the variance (default 1e-5)
      - 'momentum': fraction of the old running value kept at each update (default 0.9)
      - 'running_mean', 'running_var': (C,) running statistics; in train mode they start
        at zeros and ones if absent, and are updated in bn_param; test mode requires them.
    Returns (out, cache): out (N, C, H, W).

    Train mode normalizes with the batch mean and the biased batch variance (divide by
    N*H*W) and updates ``running = momentum * running + (1 - momentum) * batch``, with the
    biased variance. Test mode normalizes with the running values and changes nothing.

    Unlike PyTorch: PyTorch's ``momentum`` is the weight of the *new* value (its 0.1 is our
    0.9), and PyTorch updates ``running_var`` with the unbiased variance, multiplied by
    N*H*W / (N*H*W - 1). Normalization itself uses the biased variance in both.
    """
    x, gamma, beta = shapes.check_norm_inputs(x, gamma, beta)
    params = shapes.check_bn_param(bn_param, x.shape[1], x.dtype)
    N, C, H, W = x.shape
    eps, momentum = params["eps"], params["momentum"]
    if params["mode"] == "train":
        mean = x.mean(axis=(0, 2, 3))  # (C,)
        var = x.var(axis=(0, 2, 3))  # (C,), biased: divided by N*H*W
        bn_param["running_mean"] = momentum * params["running_mean"] + (1 - momentum) * mean
        bn_param["running_var"] = momentum * params["running_var"] + (1 - momentum) * var
    else:
        mean, var = params["running_mean"], params["running_var"]
    inv_std = 1.0 / np.sqrt(var + eps)  # (C,)
    xhat = (x - mean.reshape(1, C, 1, 1)) * inv_std.reshape(1, C, 1, 1)  # (N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)  # (N, C, H, W)
    return out, (xhat, inv_std, gamma, beta.shape, params["mode"])


def spatial_batchnorm_backward(dout, cache):
    """Spatial batch normalization backward pass.

    Inputs: dout (N, C, H, W); cache from ``spatial_batchnorm_forward``.
    Returns (dx, dgamma, dbeta): dx (N, C, H, W); dgamma, dbeta in the shape gamma and
    beta had, (C,) or (1, C, 1, 1). In test mode the statistics are constants, so
    dx = dout * gamma / sqrt(running_var + eps).
    """
    xhat, inv_std, gamma, beta_shape, mode = cache
    dout = shapes.check_dout(dout, xhat.shape).astype(xhat.dtype, copy=False)
    N, C, H, W = xhat.shape
    M = N * H * W  # elements sharing one mean
    dbeta = dout.sum(axis=(0, 2, 3))  # (C,)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))  # (C,)
    scale = (gamma.reshape(C) * inv_std).reshape(1, C, 1, 1)  # gamma / std, per channel
    if mode == "test":  # the statistics are constants
        dx = dout * scale  # (N, C, H, W)
    else:  # mean(dxhat) = gamma * dbeta / M and mean(dxhat * xhat) = gamma * dgamma / M, per channel
        mean_dout = (dbeta / M).reshape(1, C, 1, 1)
        mean_dout_xhat = (dgamma / M).reshape(1, C, 1, 1)
        dx = scale * (dout - mean_dout - xhat * mean_dout_xhat)  # (N, C, H, W)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Spatial group normalization forward pass: statistics per (sample, group).

    Inputs:
    - x: (N, C, H, W)
    - gamma, beta: (C,) or (1, C, 1, 1) per-channel scale and shift
    - G: number of groups, an integer >= 1 dividing C; channels c*C/G ... (c+1)*C/G - 1
      form group c. G = 1 is layer norm, G = C is instance norm.
    - gn_param: dict with optional 'eps' (default 1e-5). Batch norm's keys ('mode',
      'momentum', 'running_mean', 'running_var') are accepted and ignored, so CS231n's
      ``bn_param = {'mode': 'train'}`` works here; any other key is an error.
    Returns (out, cache): out (N, C, H, W). The same in training and at test time (no
    running statistics), and matches torch.nn.functional.group_norm.
    """
    x, gamma, beta = shapes.check_norm_inputs(x, gamma, beta, groups=G)
    eps = shapes.check_gn_param(gn_param)
    N, C, H, W = x.shape
    K = C // G * H * W  # elements sharing one mean
    xg = x.reshape(N, G, K)  # (N, G, K): one row per (sample, group)
    mean = xg.mean(axis=2, keepdims=True)  # (N, G, 1)
    var = xg.var(axis=2, keepdims=True)  # (N, G, 1), biased: divided by K
    inv_std = 1.0 / np.sqrt(var + eps)  # (N, G, 1)
    xhat = ((xg - mean) * inv_std).reshape(N, C, H, W)  # (N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)  # (N, C, H, W)
    return out, (xhat, inv_std, gamma, beta.shape, G)


def spatial_groupnorm_backward(dout, cache):
    """Spatial group normalization backward pass.

    Inputs: dout (N, C, H, W); cache from ``spatial_groupnorm_forward``.
    Returns (dx, dgamma, dbeta): dx (N, C, H, W); dgamma, dbeta in the shape gamma and
    beta had, (C,) or (1, C, 1, 1).
    """
    xhat, inv_std, gamma, beta_shape, G = cache
    dout = shapes.check_dout(dout, xhat.shape).astype(xhat.dtype, copy=False)
    N, C, H, W = xhat.shape
    K = C // G * H * W  # elements sharing one mean
    dbeta = dout.sum(axis=(0, 2, 3))  # (C,)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))  # (C,)
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, K)  # (N, G, K): one row per (sample, group)
    xhat_g = xhat.reshape(N, G, K)  # (N, G, K)
    mean_dxhat = dxhat.mean(axis=2, keepdims=True)  # (N, G, 1)
    mean_dxhat_xhat = (dxhat * xhat_g).mean(axis=2, keepdims=True)  # (N, G, 1)
    dx = (dxhat - mean_dxhat - xhat_g * mean_dxhat_xhat) * inv_std  # (N, G, K)
    return dx.reshape(N, C, H, W), dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)
