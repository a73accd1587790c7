"""Batch and group normalization, the speed path: the answers of ``cnnlab.layers.norm``.

The same formulas (see ``cnnlab.layers.norm``), computed with two tricks that cost a
student's reading time and save the machine's:

- every large pass writes into preallocated arrays (``out=`` and in-place operators), so a
  step allocates two arrays instead of a dozen temporaries and pays few page faults;
- the passes are split across threads by batch slices (``cnnlab.threads``): batch norm adds
  the per-slice sums, group norm's statistics belong to one sample each.

The caches are the ones of ``cnnlab.layers.norm``, so either backward pass takes either
forward's cache. Sums are added in another order than there: results agree to rounding.
"""

from __future__ import annotations

import numpy as np

from cnnlab import shapes, threads

__all__ = [
    "spatial_batchnorm_forward",
    "spatial_batchnorm_backward",
    "spatial_groupnorm_forward",
    "spatial_groupnorm_backward",
]


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Spatial batch normalization forward pass, as ``cnnlab.layers.spatial_batchnorm_forward``.

    Inputs: x (N, C, H, W); gamma, beta (C,) or (1, C, 1, 1); bn_param with 'mode' ('train'
    or 'test') and optional 'eps', 'momentum', 'running_mean', 'running_var' (C,), updated in
    bn_param in train mode. Returns (out, cache): out (N, C, H, W).
    """
    x, gamma, beta = shapes.check_norm_inputs(x, gamma, beta)
    params = shapes.check_bn_param(bn_param, x.shape[1], x.dtype)
    N, C, H, W = x.shape
    M = N * H * W  # elements sharing one mean
    eps, momentum = params["eps"], params["momentum"]
    xhat = np.empty((N, C, H, W), dtype=x.dtype)  # x - mean, then (x - mean) / std
    if params["mode"] == "train":
        mean = sum(threads.over_batch(lambda s: x[s].sum(axis=(0, 2, 3)), N, C * H * W)) / M  # (C,)

        def center(s):  # xhat = x - mean on the samples in s; their sum of squares per channel
            np.subtract(x[s], mean.reshape(1, C, 1, 1), out=xhat[s])
            return np.einsum("nchw,nchw->c", xhat[s], xhat[s])

        var = sum(threads.over_batch(center, N, C * H * W)) / M  # (C,), biased: divided by N*H*W
        bn_param["running_mean"] = momentum * params["running_mean"] + (1 - momentum) * mean
        bn_param["running_var"] = momentum * params["running_var"] + (1 - momentum) * var
    else:
        mean, var = params["running_mean"], params["running_var"]
        threads.over_batch(lambda s: np.subtract(x[s], mean.reshape(1, C, 1, 1), out=xhat[s]), N, C * H * W)
    inv_std = 1.0 / np.sqrt(var + eps)  # (C,)
    out = np.empty_like(xhat)

    def normalize(s):  # on the samples in s
        xhat[s] *= inv_std.reshape(1, C, 1, 1)
        np.multiply(xhat[s], gamma.reshape(1, C, 1, 1), out=out[s])
        out[s] += beta.reshape(1, C, 1, 1)

    threads.over_batch(normalize, N, C * H * W)
    return out, (xhat, inv_std, gamma, beta.shape, params["mode"])


def spatial_batchnorm_backward(dout, cache):
    """Spatial batch normalization backward pass, as ``cnnlab.layers.spatial_batchnorm_backward``.

    Inputs: dout (N, C, H, W); cache from either ``spatial_batchnorm_forward``.
    Returns (dx, dgamma, dbeta): dx (N, C, H, W); dgamma, dbeta in gamma's and beta's shape.
    """
    xhat, inv_std, gamma, beta_shape, mode = cache
    dout = shapes.check_dout(dout, xhat.shape).astype(xhat.dtype, copy=False)
    N, C, H, W = xhat.shape
    M = N * H * W  # elements sharing one mean

    def sums(s):  # on the samples in s: (sum of dout, sum of dout * xhat) per channel
        return dout[s].sum(axis=(0, 2, 3)), np.einsum("nchw,nchw->c", dout[s], xhat[s])

    parts = threads.over_batch(sums, N, C * H * W)
    dbeta = sum(part[0] for part in parts)  # (C,)
    dgamma = sum(part[1] for part in parts)  # (C,)
    scale = (gamma.reshape(C) * inv_std).reshape(1, C, 1, 1)  # gamma / std, per channel
    dx = np.empty_like(xhat)

    def backprop(s):  # on the samples in s
        if mode == "test":  # the statistics are constants
            np.multiply(dout[s], scale, out=dx[s])
            return
        # dx = gamma/std * (dout - mean(dout) - xhat * mean(dout * xhat)), means over (N, H, W);
        # the two means are dbeta / M and dgamma / M.
        np.multiply(xhat[s], (-dgamma / M).reshape(1, C, 1, 1), out=dx[s])
        dx[s] += dout[s]
        dx[s] -= (dbeta / M).reshape(1, C, 1, 1)
        dx[s] *= scale

    threads.over_batch(backprop, N, C * H * W)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Spatial group normalization forward pass, as ``cnnlab.layers.spatial_groupnorm_forward``.

    Inputs: x (N, C, H, W); gamma, beta (C,) or (1, C, 1, 1); G groups dividing C; gn_param
    with optional 'eps'. Returns (out, cache): out (N, C, H, W).
    """
    x, gamma, beta = shapes.check_norm_inputs(x, gamma, beta, groups=G)
    eps = shapes.check_gn_param(gn_param)
    N, C, H, W = x.shape
    K = C // G * H * W  # elements sharing one mean
    xhat = np.empty((N, C, H, W), dtype=x.dtype)
    out = np.empty_like(xhat)
    inv_std = np.empty((N, G, 1), dtype=x.dtype)

    def normalize(s):  # on the samples in s; every sample has its own statistics
        xg, xc = x[s].reshape(-1, G, K), xhat[s].reshape(-1, G, K)  # one row per (sample, group)
        np.subtract(xg, xg.mean(axis=2, keepdims=True), out=xc)  # centered
        var = np.einsum("ngk,ngk->ng", xc, xc)[:, :, None] / K  # (n, G, 1), biased
        inv_std[s] = 1.0 / np.sqrt(var + eps)
        xc *= inv_std[s]  # normalized in place
        np.multiply(xhat[s], gamma.reshape(1, C, 1, 1), out=out[s])
        out[s] += beta.reshape(1, C, 1, 1)

    threads.over_batch(normalize, N, C * H * W)
    return out, (xhat, inv_std, gamma, beta.shape, G)


def spatial_groupnorm_backward(dout, cache):
    """Spatial group normalization backward pass, as ``cnnlab.layers.spatial_groupnorm_backward``.

    Inputs: dout (N, C, H, W); cache from either ``spatial_groupnorm_forward``.
    Returns (dx, dgamma, dbeta): dx (N, C, H, W); dgamma, dbeta in gamma's and beta's shape.
    """
    xhat, inv_std, gamma, beta_shape, G = cache
    dout = shapes.check_dout(dout, xhat.shape).astype(xhat.dtype, copy=False)
    N, C, H, W = xhat.shape
    K = C // G * H * W  # elements sharing one mean
    # dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std, with dxhat = dout * gamma and
    # means over each group. Both means come from sums per (sample, channel), weighted by gamma.
    sum_dout = np.empty((N, C), dtype=xhat.dtype)
    sum_dout_xhat = np.empty((N, C), dtype=xhat.dtype)
    dx = np.empty_like(xhat)
    g = gamma.reshape(1, C)

    def backprop(s):  # on the samples in s; every sample has its own statistics
        sum_dout[s] = dout[s].sum(axis=(2, 3))
        sum_dout_xhat[s] = np.einsum("nchw,nchw->nc", dout[s], xhat[s])
        mean_dxhat = (sum_dout[s] * g).reshape(-1, G, C // G).sum(axis=2, keepdims=True) / K  # (n, G, 1)
        mean_dxhat_xhat = (sum_dout_xhat[s] * g).reshape(-1, G, C // G).sum(axis=2, keepdims=True) / K
        dx_g = dx[s].reshape(-1, G, K)  # a view: one row per (sample, group)
        np.multiply(xhat[s].reshape(-1, G, K), -mean_dxhat_xhat * inv_std[s], out=dx_g)
        dx_g -= mean_dxhat * inv_std[s]
        gamma_over_std = g * np.repeat(inv_std[s].reshape(-1, G), C // G, axis=1)  # (n, C)
        dx[s] += dout[s] * gamma_over_std[:, :, None, None]

    threads.over_batch(backprop, N, C * H * W)
    dgamma, dbeta = sum_dout_xhat.sum(axis=0), sum_dout.sum(axis=0)  # (C,)
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(beta_shape)
