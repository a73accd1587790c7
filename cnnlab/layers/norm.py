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
        xc = x - mean.reshape(1, C, 1, 1)  # (N, C, H, W), centered
        var = np.einsum("nchw,nchw->c", xc, xc) / (N * H * W)  # (C,), biased: divided by N*H*W
        bn_param["running_mean"] = momentum * params["running_mean"] + (1 - momentum) * mean
        bn_param["running_var"] = momentum * params["running_var"] + (1 - momentum) * var
    else:
        mean, var = params["running_mean"], params["running_var"]
        xc = x - mean.reshape(1, C, 1, 1)
    inv_std = 1.0 / np.sqrt(var + eps)  # (C,)
    xhat = xc
    xhat *= inv_std.reshape(1, C, 1, 1)  # (N, C, H, W), normalized in place
    out = xhat * gamma.reshape(1, C, 1, 1)
    out += beta.reshape(1, C, 1, 1)
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
    dgamma = np.einsum("nchw,nchw->c", dout, xhat)  # (C,)
    scale = (gamma.reshape(C) * inv_std).reshape(1, C, 1, 1)  # gamma / std, per channel
    if mode == "test":
        dx = dout * scale
    else:
        # dx = gamma/std * (dout - mean(dout) - xhat * mean(dout * xhat)), means over (N, H, W);
        # the two means are dbeta / M and dgamma / M.
        dx = xhat * (-dgamma / M).reshape(1, C, 1, 1)
        dx += dout
        dx -= (dbeta / M).reshape(1, C, 1, 1)
        dx *= scale
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Spatial group normalization forward pass: statistics per (sample, group).

    Inputs:
    - x: (N, C, H, W)
    - gamma, beta: (C,) or (1, C, 1, 1) per-channel scale and shift
    - G: number of groups, an integer >= 1 dividing C; channels c*C/G ... (c+1)*C/G - 1
      form group c. G = 1 is layer norm, G = C is instance norm.
    - gn_param: dict with optional 'eps' (default 1e-5)
    Returns (out, cache): out (N, C, H, W). The same in training and at test time (no
    running statistics), and matches torch.nn.functional.group_norm.
    """
    x, gamma, beta = shapes.check_norm_inputs(x, gamma, beta, groups=G)
    eps = shapes.check_gn_param(gn_param)
    N, C, H, W = x.shape
    K = C // G * H * W  # elements sharing one mean
    xg = x.reshape(N, G, K)  # (N, G, K): one row per (sample, group)
    mean = xg.mean(axis=2, keepdims=True)  # (N, G, 1)
    xc = xg - mean  # (N, G, K), centered
    var = np.einsum("ngk,ngk->ng", xc, xc)[:, :, None] / K  # (N, G, 1), biased
    inv_std = 1.0 / np.sqrt(var + eps)  # (N, G, 1)
    xhat = xc
    xhat *= inv_std  # normalized in place
    xhat = xhat.reshape(N, C, H, W)
    out = xhat * gamma.reshape(1, C, 1, 1)
    out += beta.reshape(1, C, 1, 1)
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
    # dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std, with dxhat = dout * gamma and
    # means over each group. Both means come from sums per (sample, channel), weighted by gamma.
    sum_dout = dout.sum(axis=(2, 3))  # (N, C)
    sum_dout_xhat = np.einsum("nchw,nchw->nc", dout, xhat)  # (N, C)
    dgamma, dbeta = sum_dout_xhat.sum(axis=0), sum_dout.sum(axis=0)  # (C,)
    g = gamma.reshape(1, C)
    mean_dxhat = (sum_dout * g).reshape(N, G, C // G).sum(axis=2, keepdims=True) / K  # (N, G, 1)
    mean_dxhat_xhat = (sum_dout_xhat * g).reshape(N, G, C // G).sum(axis=2, keepdims=True) / K  # (N, G, 1)
    dx = xhat.reshape(N, G, K) * (-mean_dxhat_xhat * inv_std)  # (N, G, K)
    dx -= mean_dxhat * inv_std
    dx = dx.reshape(N, C, H, W)
    gamma_over_std = g * np.repeat(inv_std.reshape(N, G), C // G, axis=1)  # (N, C)
    dx += dout * gamma_over_std.reshape(N, C, 1, 1)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Spatial group normalization forward pass: statistics per (sample, group).

    Inputs:
    - x: (N, C, H, W)
    - gamma, beta: (C,) or (1, C, 1, 1) per-channel scale and shift
    - G: number of groups, an integer >= 1 dividing C; channels c*C/G ... (c+1)*C/G - 1
      form group c. G = 1 is layer norm, G = C is instance norm.
    - gn_param: dict with optional 'eps' (default 1e-5)
    Returns (out, cache): out (N, C, H, W). The same in training and at test time (no
    running statistics), and matches torch.nn.functional.group_norm.
    """
    x, gamma, beta = shapes.check_norm_inputs(x, gamma, beta, groups=G)
    eps = shapes.check_gn_param(gn_param)
    N, C, H, W = x.shape
    K = C // G * H * W  # elements sharing one mean
    xg = x.reshape(N, G, K)  # (N, G, K): one row per (sample, group)
    mean = xg.mean(axis=2, keepdims=True)  # (N, G, 1)
    xc = xg - mean  # (N, G, K), centered
    var = np.einsum("ngk,ngk->ng", xc, xc)[:, :, None] / K  # (N, G, 1), biased
    inv_std = 1.0 / np.sqrt(var + eps)  # (N, G, 1)
    xhat = xc
    xhat *= inv_std  # normalized in place
    xhat = xhat.reshape(N, C, H, W)
    out = xhat * gamma.reshape(1, C, 1, 1)
    out += beta.reshape(1, C, 1, 1)
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
    # Every sum the gradient needs, first per (sample, channel):
    sum_dout = dout.sum(axis=(2, 3))  # (N, C)
    sum_dout_xhat = np.einsum("nchw,nchw->nc", dout, xhat)  # (N, C)
    dgamma, dbeta = sum_dout_xhat.sum(axis=0), sum_dout.sum(axis=0)  # (C,)
    # With dxhat = dout * gamma: dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std,
    # means over each group; gamma differs between a group's channels, so it goes inside.
    mean_dxhat = (sum_dout * gamma.reshape(1, C)).reshape(N, G, -1).sum(axis=2) / K  # (N, G)
    mean_dxhat_xhat = (sum_dout_xhat * gamma.reshape(1, C)).reshape(N, G, -1).sum(axis=2) / K  # (N, G)
    inv_std = inv_std.reshape(N, G)
    dx = xhat.reshape(N, G, -1) * (-mean_dxhat_xhat * inv_std)[:, :, None]  # (N, G, K)
    dx -= (mean_dxhat * inv_std)[:, :, None]
    dx = dx.reshape(N, C, H, W)
    dx += dout * (gamma.reshape(1, C) * np.repeat(inv_std, C // G, axis=1)).reshape(N, C, 1, 1)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)
