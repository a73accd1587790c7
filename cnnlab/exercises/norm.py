"""What batch norm and group norm share: which elements share a mean and variance, and the
mistakes of normalizing with them, recomputed (``batchnorm`` and ``groupnorm`` use them).

A layout (``LAYOUTS``) says over which axes the statistics are taken, as one label per
element: elements with the same label share a mean and a variance.
"""

from __future__ import annotations

import numpy as np

from cnnlab import cases as tables
from cnnlab.exercises.exercise import SHARED_TAGS, mistake

__all__ = [
    "LAYOUTS",
    "NORM",
    "TAGS",
    "AXES",
    "ANSWER_KEY",
    "norm_tags",
    "layout_labels",
    "group_mean",
    "normalize",
    "normalization_grad",
    "per_channel",
    "normalization_forward",
    "normalization_backward",
]

ANSWER_KEY = ("cnnlab.layers.norm:*", "cnnlab.fast.norm:*")  # batch and group norm, readable and fast: one key
AXES = {"out": ("n", "c", "h", "w"), "dx": ("n", "c", "h", "w")}

LAYOUTS = {
    "N,H,W": "over (N, H, W) for each channel, as batch norm does",
    "H,W": "over (H, W) for each sample and channel (that is instance norm)",
    "C,H,W": "over (C, H, W) for each sample (that is layer norm)",
    "N": "over N only, for each channel and position",
    "all": "over the whole array at once",
    "N,H": "over (N, H) only, for each channel and column; W must be included",
    "N,W": "over (N, W) only, for each channel and row; H must be included",
    "group": "over each group of C/G consecutive channels and (H, W), for each sample, as group norm does",
    "group,N": "over each group of channels across the whole batch; group norm keeps the samples apart",
    "interleaved": "over interleaved groups (channel c in group c % G); a group is C/G consecutive channels",
    "view axis 1": (
        "over axis 1 of x.reshape(N, G, -1), across the groups at each position of a group; take them "
        "over axis 2 (keepdims=True)"
    ),
    "reshape(-1, C)": (
        "over the columns of x.reshape(-1, C), which mixes channels with positions (move C last first: "
        "x.transpose(0, 2, 3, 1).reshape(-1, C), and transpose back after)"
    ),
}

NORM = {
    "eps outside": "eps is added to the standard deviation; add it to the variance, inside the square root",
    "unbiased": (
        "the variance is the unbiased one (ddof=1); normalization uses the biased variance (divide by the count)"
    ),
    "by variance": "it divides by the variance; divide by the standard deviation, np.sqrt(var + eps)",
    "no eps": "eps is missing from the denominator: np.sqrt(var + eps)",
    "gamma beta swapped": "gamma and beta are swapped: out = gamma * xhat + beta",
    "no gamma beta": "gamma and beta are not applied: out = gamma * xhat + beta",
    "dx constants": (
        "dx treats the mean and variance as constants (that is the test-mode gradient); in train mode "
        "they depend on x too: dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std"
    ),
    "dx no mean term": "dx is missing the term that comes through the mean: subtract mean(dxhat)",
    "dx no var term": "dx is missing the term that comes through the variance: subtract xhat * mean(dxhat * xhat)",
    "dx no gamma": "dx ignores gamma: the gradient that reaches xhat is dout * gamma",
    "dgamma uses x": "dgamma uses x; it must use the normalized xhat: dgamma = sum of dout * xhat",
    "dgamma is dbeta": "dgamma is the sum of dout, which is dbeta; dgamma = sum of dout * xhat over (N, H, W)",
    "swapped grads": "dgamma and dbeta are swapped: return (dx, dgamma, dbeta), the order of (x, gamma, beta)",
    "dgamma over n": "dgamma is summed over the samples n only: sum over (N, H, W)",
    "dbeta over n": "dbeta is summed over the samples n only: sum over (N, H, W)",
    "dgamma over space": "dgamma is summed over the positions only: sum over the samples n too",
    "dbeta over space": "dbeta is summed over the positions only: sum over the samples n too",
}

# Where to look when exactly the cases with a tag fail
TAGS = {
    "gamma and beta of shape (1, C, 1, 1)": (
        "gamma and beta of shape (1, C, 1, 1): CS231n's are (C,) only, cnnlab's may be either; work with "
        "gamma.reshape(1, C, 1, 1) (or np.ravel(gamma) in 2-D) and return dgamma, dbeta in the shape gamma had"
    ),
    **SHARED_TAGS,
    "1x1 spatial size": "H = W = 1: look for an axis or a size that assumes H, W > 1",
    "G = 1": "G = 1 (one group, layer norm): look at how the groups are formed",
    "G = C": "G = C (one channel per group, instance norm): look at how the groups are formed",
}


def norm_tags(case: tables.NormCase) -> tuple:
    N, C, H, W = case.x_shape
    tags = []
    if case.gamma_4d:
        tags.append("gamma and beta of shape (1, C, 1, 1)")
    if N == 1:
        tags.append("one sample")
    if H == W == 1:
        tags.append("1x1 spatial size")
    if case.groups == 1:
        tags.append("G = 1")
    if case.groups is not None and case.groups == C:
        tags.append("G = C")
    return tuple(tags)


def layout_labels(x_shape, layout: str, G: int = 1) -> np.ndarray:
    """(N, C, H, W) ints: which statistics group each element belongs to under a layout of LAYOUTS."""
    N, C, H, W = x_shape
    n, c, h, w = np.indices(x_shape)
    if layout == "N,H,W":
        return c
    if layout == "H,W":
        return n * C + c
    if layout == "C,H,W":
        return n
    if layout == "N":
        return (c * H + h) * W + w
    if layout == "all":
        return np.zeros(x_shape, dtype=int)
    if layout == "N,H":
        return c * W + w
    if layout == "N,W":
        return c * H + h
    if layout == "group":
        return n * G + c // (C // G)
    if layout == "group,N":
        return c // (C // G)
    if layout == "interleaved":
        return n * G + c % G
    if layout == "view axis 1":  # x.reshape(N, G, K).mean(axis=1): one mean per (sample, offset in a group)
        return n * (C // G * H * W) + ((c % (C // G)) * H + h) * W + w
    return np.arange(N * C * H * W).reshape(x_shape) % C  # "reshape(-1, C)": the column of each element


def group_mean(values, labels):
    """(mean of values within each element's label, count of that label), both of values' shape."""
    counts = np.bincount(labels.ravel())
    sums = np.bincount(labels.ravel(), weights=values.ravel())
    return (sums / np.maximum(counts, 1))[labels], counts[labels]


def normalize(x, labels, eps, ddof=0, eps_outside=False, by_variance=False):
    """(xhat, inv_std), the statistics shared by the elements of one label."""
    mean, count = group_mean(x, labels)
    var = group_mean((x - mean) ** 2, labels)[0]
    if ddof:
        var = var * count / np.maximum(count - ddof, 1)
    if by_variance:
        inv_std = 1 / (var + eps)
    elif eps_outside:
        inv_std = 1 / (np.sqrt(var) + eps)
    else:
        inv_std = 1 / np.sqrt(var + eps)
    return (x - mean) * inv_std, inv_std


def normalization_grad(dxhat, xhat, inv_std, labels):
    """dx through xhat = (x - mean) * inv_std, the statistics shared within each label."""
    mean_dxhat = group_mean(dxhat, labels)[0]
    mean_dxhat_xhat = group_mean(dxhat * xhat, labels)[0]
    return (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) * inv_std


def per_channel(v, C):
    return np.asarray(v).reshape(1, C, 1, 1)


def normalization_forward(x, gamma, beta, eps, right: str, layouts, G=1):
    """Forward mistakes shared by batch norm and group norm: out."""
    C = x.shape[1]
    g, bt = per_channel(gamma, C), per_channel(beta, C)
    labels = layout_labels(x.shape, right, G)
    found = []
    for layout in layouts:
        sentence = f"the mean and variance are taken {LAYOUTS[layout]}; take them {LAYOUTS[right]}"
        other = layout_labels(x.shape, layout, G)
        if layout == "reshape(-1, C)":  # gamma and beta are then applied per column too
            scale, shift = np.ravel(gamma)[other], np.ravel(beta)[other]
        else:
            scale, shift = g, bt
        found.append(mistake("out", sentence, lambda o=other, a=scale, c=shift: a * normalize(x, o, eps)[0] + c))
    found += [
        mistake("out", NORM["eps outside"], lambda: g * normalize(x, labels, eps, eps_outside=True)[0] + bt),
        mistake("out", NORM["unbiased"], lambda: g * normalize(x, labels, eps, ddof=1)[0] + bt),
        mistake("out", NORM["by variance"], lambda: g * normalize(x, labels, eps, by_variance=True)[0] + bt),
        mistake("out", NORM["no eps"], lambda: g * normalize(x, labels, 0.0)[0] + bt),
        mistake("out", NORM["gamma beta swapped"], lambda: bt * normalize(x, labels, eps)[0] + g),
        mistake("out", NORM["no gamma beta"], lambda: normalize(x, labels, eps)[0]),
    ]
    return found


def normalization_backward(x, gamma, dout, eps, right: str, layouts, G=1, extra=None):
    """Backward mistakes shared by batch norm and group norm: dx, dgamma, dbeta.

    ``extra(xhat, inv_std, labels)`` gives a family's own mistakes, listed before the wrong layouts.
    """
    C = x.shape[1]
    labels = layout_labels(x.shape, right, G)
    xhat, inv_std = normalize(x, labels, eps)
    dxhat = dout * per_channel(gamma, C)
    mean_dxhat = group_mean(dxhat, labels)[0]
    mean_dxhat_xhat = group_mean(dxhat * xhat, labels)[0]
    found = [
        mistake("dx", NORM["dx constants"], lambda: dxhat * inv_std),
        mistake("dx", NORM["dx no mean term"], lambda: (dxhat - xhat * mean_dxhat_xhat) * inv_std),
        mistake("dx", NORM["dx no var term"], lambda: (dxhat - mean_dxhat) * inv_std),
        mistake("dx", NORM["dx no gamma"], lambda: normalization_grad(dout, xhat, inv_std, labels)),
        mistake("dgamma", NORM["dgamma uses x"], lambda: (dout * x).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))),
        mistake("dgamma", NORM["dgamma is dbeta"], lambda: dout.sum(axis=(0, 2, 3)).reshape(np.shape(gamma))),
        mistake("dbeta", NORM["swapped grads"], lambda: (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))),
        mistake("dgamma", NORM["dgamma over n"], lambda: (dout * xhat).sum(axis=0)),
        mistake("dbeta", NORM["dbeta over n"], lambda: dout.sum(axis=0)),
        mistake("dgamma", NORM["dgamma over space"], lambda: (dout * xhat).sum(axis=(2, 3))),
        mistake("dbeta", NORM["dbeta over space"], lambda: dout.sum(axis=(2, 3))),
    ]
    if extra is not None:
        found += extra(xhat, inv_std, labels)
    for layout in layouts:  # the right xhat and std (as a right forward caches them), the wrong means
        other = layout_labels(x.shape, layout, G)
        sentence = f"dx takes its means {LAYOUTS[layout]}; take them {LAYOUTS[right]}"
        found.append(mistake("dx", sentence, lambda o=other: normalization_grad(dxhat, xhat, inv_std, o)))
    return found
