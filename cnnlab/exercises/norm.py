"""What batch norm and group norm share: which elements share a mean and variance, and the
mistakes of normalizing with them, recomputed (``batchnorm`` and ``groupnorm`` use them).

A layout (``LAYOUTS``) says over which axes the statistics are taken, as one label per
element: elements with the same label share a mean and a variance.
"""

from __future__ import annotations

import numpy as np

from cnnlab import cases as tables
from cnnlab.exercises.exercise import SHARED_TAGS, mistake
from cnnlab.exercises.layouts import layouts, order_text, shape_text

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
    "formula_forward",
    "normalization_forward",
    "parts",
    "part_variance",
    "normalization_backward",
    "STAGED",
    "staged_grad",
    "staged_backward",
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
    "G for C/G": (
        "over C/G groups of G channels each (x.reshape(N, C // G, -1)): G is the number of groups, each of "
        "C/G channels, x.reshape(N, G, -1)"
    ),
    "every G-th": (
        "over axis 1 of x.reshape(N, -1, G), which puts every G-th number of a sample in one group; a group "
        "is C/G consecutive channels: x.reshape(N, G, -1), axis 2"
    ),
    "rows of (G, -1)": (
        "over the rows of x.reshape(G, -1), which mixes the samples; group norm keeps them apart: "
        "x.reshape(N, G, -1), axis 2"
    ),
    "group,H,W": (
        "over each group's C/G channels only, for each sample and position (x.reshape(N, G, C // G, H * W), "
        "axis 2): the group's positions belong in it too, x.reshape(N, G, -1), axis 2"
    ),
    "view axis 1": (
        "over axis 1 of x.reshape(N, G, -1), across the groups at each position of a group; take them "
        "over axis 2 (keepdims=True)"
    ),
    "channels-last": (
        "over groups of x.transpose(0, 2, 3, 1).reshape(N, G, -1), which cuts the channels-last order (every "
        "position's C channels in turn) into G pieces: a group is C/G consecutive channels of the (N, C, H, W) x, "
        "x.reshape(N, G, -1)"
    ),
    "reshape(-1, C)": (
        "over the columns of x.reshape(-1, C), which mixes channels with positions (move C last first: "
        "x.transpose(0, 2, 3, 1).reshape(-1, C), and transpose back after)"
    ),
}

# the variance written another way than mean((x - mean)**2): {key: sentence}
VARIANCE = {
    "E[x^2] - mean": "the variance is E[x**2] - mean (or - E[x]), the mean not squared: var = E[x**2] - mean**2",
    "mean^2 - E[x^2]": "the variance is mean**2 - E[x**2], the wrong way round: var = E[x**2] - mean**2",
    "E[x - mean]^2": (
        "the variance is the square of the mean deviation, mean(x - mean)**2, which is 0: the mean of the squares, "
        "mean((x - mean)**2)"
    ),
    "mean abs": "the variance is the mean absolute deviation, mean(|x - mean|): it is mean((x - mean)**2)",
    "sum": "the variance is a sum, sum((x - mean)**2), not a mean: divide by the count, mean((x - mean)**2)",
}

NORM = {
    "out written": (
        "out holds its numbers in the order {got} (n: sample, c: channel, h, w: row and column), as an array of "
        "shape ({shape}) reshaped to (N, C, H, W) as it is: rows of shape (N*H*W, C) go back with "
        ".reshape(N, H, W, C).transpose(0, 3, 1, 2), not a reshape alone"
    ),
    "out read": (
        "out is reshaped as if its numbers were in the order {got}, shape ({shape}), and its axes moved back (n: "
        "sample, c: channel, h, w: row and column): it is already (N, C, H, W); reshape it directly, with no "
        "transpose"
    ),
    "var other mean": (
        "the variance is mean((x - m)**2) with m the mean taken {wrong}; the variance is about the mean that "
        "normalizes, taken {right}"
    ),
    "eps outside": "eps is added to the standard deviation; add it to the variance, inside the square root",
    "unbiased": (
        "the variance is the unbiased one (ddof=1); normalization uses the biased variance (divide by the count)"
    ),
    "by variance": "it divides by the variance; divide by the standard deviation, np.sqrt(var + eps)",
    "no eps": "eps is missing from the denominator: np.sqrt(var + eps)",
    "gamma beta swapped": "gamma and beta are swapped: out = gamma * xhat + beta",
    "no gamma beta": "gamma and beta are not applied: out = gamma * xhat + beta",
    "no beta": "beta is not added: out = gamma * xhat + beta",
    "no gamma": "gamma is not applied: out = gamma * xhat + beta",
    "beta minus": "beta is subtracted; it is added: out = gamma * xhat + beta",
    "gamma squared": "gamma is applied twice (gamma**2 * xhat); out = gamma * xhat + beta",
    "beta inside": "beta is added before gamma scales, gamma * (xhat + beta); out = gamma * xhat + beta",
    "gamma before": (
        "gamma and beta are applied before the normalization (it normalizes gamma * x + beta); they come after it: "
        "out = gamma * xhat + beta"
    ),
    "var of parts": (
        "the variance is the mean of the variances taken {part}; it is one variance taken {right}, around their "
        "one mean: var = mean((x - mean)**2)"
    ),
    "std of parts": (
        "the standard deviation is the mean of the standard deviations taken {part}; it is np.sqrt(var + eps) of one "
        "variance taken {right}"
    ),
    "mean only over": "the mean is taken {wrong} (the variance is right); take it {right}",
    "var only over": "the variance is taken {wrong} (the mean is right); take them both {right}",
    "not centered": "the mean is not subtracted: xhat = (x - mean) / np.sqrt(var + eps)",
    "not scaled": "x - mean is not divided by the standard deviation: xhat = (x - mean) / np.sqrt(var + eps)",
    "std for var": (
        "the standard deviation is used where the variance belongs (np.sqrt(std + eps)); "
        "xhat = (x - mean) / np.sqrt(var + eps), with var the mean of (x - mean)**2"
    ),
    "mean of squares": (
        "the variance is the mean of x**2, without subtracting the mean first; var = mean((x - mean)**2) "
        "(or mean(x**2) - mean**2)"
    ),
    "dx constants": (
        "dx treats the mean and variance as constants (that is the test-mode gradient); in train mode "
        "they depend on x too: dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std"
    ),
    "dx no mean term": "dx is missing the term that comes through the mean: subtract mean(dxhat)",
    "dx no var term": "dx is missing the term that comes through the variance: subtract xhat * mean(dxhat * xhat)",
    "eps default": (
        "eps defaults to {value} ({lib}) when {key} does not give it; this exercise's default is 1e-5: "
        "{key}.get('eps', 1e-5)"
    ),
    "momentum default": (
        "momentum defaults to {value} ({lib}) when bn_param does not give it; this exercise's default is 0.9: "
        "bn_param.get('momentum', 0.9)"
    ),
    "dx no gamma": "dx ignores gamma: the gradient that reaches xhat is dout * gamma",
    "dx gamma power": (
        "in dx, {terms} {uses} where dxhat = dout * gamma belongs: dx = (dxhat - mean(dxhat) - xhat * "
        "mean(dxhat * xhat)) * inv_std, gamma once in every term"
    ),
    "dx M - 1": (
        "dx divides {terms} by M - 1: the means of the backward are over the M elements that share one mean, "
        "dx = (dxhat - sum(dxhat) / M - xhat * sum(dxhat * xhat) / M) * inv_std"
    ),
    "dx var sign": (
        "the term through the variance is added; subtract it: "
        "dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std"
    ),
    "dx mean sign": (
        "the term through the mean is added; subtract it: dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std"
    ),
    "dx times std": (
        "dx is multiplied by the standard deviation; divide by it: "
        "dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / np.sqrt(var + eps)"
    ),
    "dx not divided": "dx is not divided by the standard deviation: (...) / np.sqrt(var + eps), i.e. times inv_std",
    "dx by variance": "dx divides by var + eps; divide by its square root, the standard deviation np.sqrt(var + eps)",
    "dx sums": (
        "dx subtracts sums where means belong: mean(dxhat) and mean(dxhat * xhat) are sums divided by the "
        "number of elements that share one mean"
    ),
    "dx var term no xhat": (
        "the term through the variance lacks its factor xhat: subtract xhat * mean(dxhat * xhat), "
        "not mean(dxhat * xhat)"
    ),
    "dx no eps": "dx divides by np.sqrt(var) without eps; use the forward's standard deviation, np.sqrt(var + eps)",
    "dbeta from xhat": (
        "dbeta is zero (to rounding), as a sum of xhat is: the normalized values sum to 0; dbeta is the sum of "
        "dout over (N, H, W), as beta is added to every output"
    ),
    "dbeta mean": "dbeta is the mean of dout; it is the sum over (N, H, W)",
    "dgamma mean": "dgamma is the mean of dout * xhat; it is the sum over (N, H, W)",
    "dgamma times gamma": "dgamma is multiplied by gamma (that is dxhat * xhat); dgamma = sum of dout * xhat",
    "dgamma reversed": (
        "dgamma has the channels in reverse order; channel c's is the sum over (N, H, W) of dout * xhat at channel c"
    ),
    "dbeta reversed": (
        "dbeta has the channels in reverse order; channel c's is the sum over (N, H, W) of dout at channel c"
    ),
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
    if layout == "G for C/G":
        return n * (C // G) + c // G
    if layout == "every G-th":  # x.reshape(N, -1, G).mean(axis=1): one mean per (sample, offset modulo G)
        return n * G + ((c * H + h) * W + w) % G
    if layout == "rows of (G, -1)":  # x.reshape(G, -1).mean(axis=1): G blocks of the whole array
        return (((n * C + c) * H + h) * W + w) // (N * C * H * W // G)
    if layout == "channels-last":  # x.transpose(0, 2, 3, 1).reshape(N, G, -1): pieces of the channels-last order
        return n * G + ((h * W + w) * C + c) // (H * W * C // G)
    if layout == "group,H,W":
        return ((n * G + c // (C // G)) * H + h) * W + w
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


def formula_forward(x, mean, var, gamma, beta, eps):
    """Mistakes in the formula out = gamma * (x - mean) / sqrt(var + eps) + beta, given the statistics
    used (broadcast to x's shape: the batch's, a group's, or test mode's running ones): out."""
    C = x.shape[1]
    g, bt = per_channel(gamma, C), per_channel(beta, C)
    xhat = (x - mean) / np.sqrt(var + eps)
    return [
        mistake("out", NORM["eps outside"], lambda: g * (x - mean) / (np.sqrt(var) + eps) + bt),
        mistake("out", NORM["by variance"], lambda: g * (x - mean) / (var + eps) + bt),
        mistake("out", NORM["no eps"], lambda: g * (x - mean) / np.sqrt(var) + bt),
        mistake("out", NORM["gamma beta swapped"], lambda: bt * xhat + g),
        mistake("out", NORM["no gamma beta"], lambda: xhat),
        mistake("out", NORM["no beta"], lambda: g * xhat),
        mistake("out", NORM["no gamma"], lambda: xhat + bt),
        mistake("out", NORM["beta minus"], lambda: g * xhat - bt),
        mistake("out", NORM["beta inside"], lambda: g * (xhat + bt)),
        mistake("out", NORM["gamma squared"], lambda: g * g * xhat + bt),
        mistake("out", NORM["not centered"], lambda: g * x / np.sqrt(var + eps) + bt),
        mistake("out", NORM["not scaled"], lambda: g * (x - mean) + bt),
    ]


def parts(x_shape, right: str, G=1) -> list:
    """The layouts (of LAYOUTS) that split each of the right layout's sets of elements into smaller ones."""
    labels = layout_labels(x_shape, right, G)
    found = []
    for layout in ("H,W", "N", "N,H", "N,W"):
        other = layout_labels(x_shape, layout, G)
        count = np.bincount(other.ravel())
        if count.max() < np.bincount(labels.ravel()).max() and (group_mean(labels, other)[0] == labels).all():
            found.append(layout)
    return found


def part_variance(x, labels, part: str, power=2, G=1):
    """The mean over each set of ``labels`` of the variances (power 2) or standard deviations (power 1) of its
    parts (the sets of layout ``part``), as a variance (squared back): of x's shape."""
    other = layout_labels(x.shape, part, G)
    own = group_mean((x - group_mean(x, other)[0]) ** 2, other)[0]
    return group_mean(own ** (power / 2), labels)[0] ** (2 / power)


def normalization_forward(x, gamma, beta, eps, right: str, layouts, G=1):
    """Forward mistakes shared by batch norm and group norm: out."""
    C = x.shape[1]
    g, bt = per_channel(gamma, C), per_channel(beta, C)
    labels = layout_labels(x.shape, right, G)
    mean = group_mean(x, labels)[0]

    def with_var(v):
        return g * (x - mean) / np.sqrt(v + eps) + bt

    found = []
    for layout in layouts:
        sentence = f"the mean and variance are taken {LAYOUTS[layout]}; take them {LAYOUTS[right]}"
        other = layout_labels(x.shape, layout, G)
        if layout == "reshape(-1, C)":  # gamma and beta are then applied per column too
            scale, shift = np.ravel(gamma)[other], np.ravel(beta)[other]
        else:
            scale, shift = g, bt
        found.append(mistake("out", sentence, lambda o=other, a=scale, c=shift: a * normalize(x, o, eps)[0] + c))
    mean = group_mean(x, labels)[0]
    var = group_mean((x - mean) ** 2, labels)[0]
    found.append(mistake("out", NORM["gamma before"], lambda: normalize(g * x + bt, labels, eps)[0]))
    for part in parts(x.shape, right, G):
        words = {"part": LAYOUTS[part], "right": LAYOUTS[right]}
        found += [
            mistake("out", NORM["var of parts"].format(**words), lambda p=part: with_var(part_variance(x, labels, p))),
            mistake(
                "out", NORM["std of parts"].format(**words), lambda p=part: with_var(part_variance(x, labels, p, 1))
            ),
        ]
    for layout in layouts:
        other = layout_labels(x.shape, layout, G)
        words = {"wrong": LAYOUTS[layout], "right": LAYOUTS[right]}
        other_mean = group_mean(x, other)[0]
        found += [
            mistake(
                "out",
                NORM["mean only over"].format(**words),
                lambda m=other_mean: g * (x - m) / np.sqrt(var + eps) + bt,
            ),
            mistake(
                "out",
                NORM["var only over"].format(**words),
                lambda o=other: with_var(group_mean((x - group_mean(x, o)[0]) ** 2, o)[0]),
            ),
        ]
    found += [
        mistake("out", NORM["unbiased"], lambda: g * normalize(x, labels, eps, ddof=1)[0] + bt),
        *formula_forward(x, mean, var, gamma, beta, eps),
        mistake("out", NORM["std for var"], lambda: g * (x - mean) / np.sqrt(np.sqrt(var) + eps) + bt),
        mistake(
            "out", NORM["mean of squares"], lambda: g * (x - mean) / np.sqrt(group_mean(x**2, labels)[0] + eps) + bt
        ),
    ]
    squares, count = group_mean(x**2, labels)
    variances = {
        "E[x^2] - mean": squares - mean,
        "mean^2 - E[x^2]": mean**2 - squares,
        "E[x - mean]^2": group_mean(x - mean, labels)[0] ** 2,
        "mean abs": group_mean(np.abs(x - mean), labels)[0],
        "sum": var * count,
    }
    with np.errstate(invalid="ignore"):  # a negative "variance" makes NaN, as the student's code does
        found += [mistake("out", VARIANCE[key], lambda v=v: with_var(v)) for key, v in variances.items()]
    for layout in layouts:
        other_mean = group_mean(x, layout_labels(x.shape, layout, G))[0]
        words = {"wrong": LAYOUTS[layout], "right": LAYOUTS[right]}
        found.append(
            mistake(
                "out",
                NORM["var other mean"].format(**words),
                lambda m=other_mean: with_var(group_mean((x - m) ** 2, labels)[0]),
            )
        )
    return found + out_layouts(g * normalize(x, labels, eps)[0] + bt)


def out_layouts(out, name="out") -> list:
    """out (or dx) with its axes in another order (``layouts``): e.g. rows (N*H*W, C) reshaped back to
    (N, C, H, W) without the transpose."""
    letters, names = ("n", "c", "h", "w"), ("N", "C", "H", "W")
    compute = lambda i: out.ravel()[i].reshape(out.shape)  # noqa: E731
    found = []
    for how, order, value in layouts(out.shape, letters, compute):
        sentence = NORM[f"out {how}"].format(got=order_text(order, letters), shape=shape_text(order, names))
        found.append(
            (name, sentence.replace("out ", f"{name} ", 1) if sentence.startswith("out ") else sentence, value)
        )
    return found


def normalization_backward(x, gamma, dout, eps, right: str, layouts, G=1, extra=None):
    """Backward mistakes shared by batch norm and group norm: dx, dgamma, dbeta.

    ``extra(xhat, inv_std, labels)`` gives a family's own mistakes, listed before the wrong layouts.
    """
    C = x.shape[1]
    shape = np.shape(gamma)
    labels = layout_labels(x.shape, right, G)
    xhat, inv_std = normalize(x, labels, eps)
    dxhat = dout * per_channel(gamma, C)
    mean_dxhat, count = group_mean(dxhat, labels)
    mean_dxhat_xhat = group_mean(dxhat * xhat, labels)[0]
    inner = dxhat - mean_dxhat - xhat * mean_dxhat_xhat
    var = 1 / inv_std**2 - eps
    sum_dout_xhat = (dout * xhat).sum(axis=(0, 2, 3))
    sum_dout = dout.sum(axis=(0, 2, 3))
    M = dout.size // C
    found = [
        mistake("dx", NORM["dx constants"], lambda: dxhat * inv_std),
        mistake("dx", NORM["dx no mean term"], lambda: (dxhat - xhat * mean_dxhat_xhat) * inv_std),
        mistake("dx", NORM["dx no var term"], lambda: (dxhat - mean_dxhat) * inv_std),
        mistake("dx", NORM["dx no gamma"], lambda: normalization_grad(dout, xhat, inv_std, labels)),
        mistake("dx", NORM["dx var sign"], lambda: (dxhat - mean_dxhat + xhat * mean_dxhat_xhat) * inv_std),
        mistake("dx", NORM["dx mean sign"], lambda: (dxhat + mean_dxhat - xhat * mean_dxhat_xhat) * inv_std),
        mistake("dx", NORM["dx times std"], lambda: inner / inv_std),
        mistake("dx", NORM["dx not divided"], lambda: inner),
        mistake("dx", NORM["dx by variance"], lambda: inner * inv_std**2),
        mistake("dx", NORM["dx sums"], lambda: (dxhat - count * mean_dxhat - xhat * count * mean_dxhat_xhat) * inv_std),
        mistake("dx", NORM["dx var term no xhat"], lambda: (dxhat - mean_dxhat - mean_dxhat_xhat) * inv_std),
        mistake("dx", NORM["dx no eps"], lambda: inner / np.sqrt(var)),
        mistake("dgamma", NORM["dgamma uses x"], lambda: (dout * x).sum(axis=(0, 2, 3)).reshape(shape)),
        mistake("dgamma", NORM["dgamma is dbeta"], lambda: sum_dout.reshape(shape)),
        mistake("dbeta", NORM["swapped grads"], lambda: sum_dout_xhat.reshape(shape)),
        mistake("dgamma", NORM["dgamma over n"], lambda: (dout * xhat).sum(axis=0)),
        mistake("dbeta", NORM["dbeta over n"], lambda: dout.sum(axis=0)),
        mistake("dgamma", NORM["dgamma over space"], lambda: (dout * xhat).sum(axis=(2, 3))),
        mistake("dbeta", NORM["dbeta over space"], lambda: dout.sum(axis=(2, 3))),
        mistake("dbeta", NORM["dbeta mean"], lambda: (sum_dout / M).reshape(shape)),
        mistake("dgamma", NORM["dgamma mean"], lambda: (sum_dout_xhat / M).reshape(shape)),
        mistake("dgamma", NORM["dgamma times gamma"], lambda: (dxhat * xhat).sum(axis=(0, 2, 3)).reshape(shape)),
        mistake("dgamma", NORM["dgamma reversed"], lambda: sum_dout_xhat[::-1].reshape(shape)),
        mistake("dbeta", NORM["dbeta reversed"], lambda: sum_dout[::-1].reshape(shape)),
    ]
    found += gamma_power_backward(dout, gamma, xhat, inv_std, labels)
    if right == "N,H,W":  # per channel, xhat sums to zero (not so per group)
        found.append(mistake("dbeta", NORM["dbeta from xhat"], lambda: np.zeros(shape)))
    if extra is not None:
        found += extra(xhat, inv_std, labels)
    for layout in layouts:  # the right xhat and std (as a right forward caches them), the wrong means
        other = layout_labels(x.shape, layout, G)
        sentence = f"dx takes its means {LAYOUTS[layout]}; take them {LAYOUTS[right]}"
        found.append(mistake("dx", sentence, lambda o=other: normalization_grad(dxhat, xhat, inv_std, o)))
    found += out_layouts(inner * inv_std, "dx")
    xhat0, inv_std0 = normalize(x, labels, 0.0)  # std recomputed as np.sqrt(var), xhat with it
    with np.errstate(divide="ignore", invalid="ignore"):
        inner0 = dxhat - mean_dxhat - xhat0 * group_mean(dxhat * xhat0, labels)[0]
        found.append(("dx", NORM["dx no eps"], inner0 * inv_std0))
    return found + staged_backward(x, dxhat, eps, right, layouts, G) + compact_backward(x, dxhat, xhat, inv_std, labels)


# other libraries' defaults for the optional keys, (value, whose)
EPS_DEFAULTS = ((1e-3, "Keras"), (1e-4, "a guess"), (1e-6, "a guess"), (1e-8, "Adam's"))  # 0 is NORM["no eps"]
MOMENTUM_DEFAULTS = ((0.99, "Keras"), (0.1, "PyTorch's number"), (0.999, "a guess"), (0.95, "a guess"))

GAMMA_POWERS = {
    0: "dout (gamma left out)",
    -1: "dout / gamma (divided by gamma)",
    2: "dout * gamma**2 (gamma applied twice)",
}
DX_TERMS = ("the first term", "the mean term", "the xhat term")


def gamma_power_backward(dout, gamma, xhat, inv_std, labels) -> list:
    """dx with gamma applied 0, -1 or 2 times in every term or in one of them (dxhat, mean(dxhat), xhat *
    mean(dxhat * xhat)), and with M - 1 for M in one or both means: dx."""
    C = dout.shape[1]
    g = per_channel(gamma, C)
    if np.any(g == 0):
        return []
    found = []
    for power, uses in GAMMA_POWERS.items():
        d = dout * g**power
        terms = (d, group_mean(d, labels)[0], xhat * group_mean(d * xhat, labels)[0])
        right = (dout * g, group_mean(dout * g, labels)[0], xhat * group_mean(dout * g * xhat, labels)[0])
        if power != 0:  # gamma left out of every term: NORM["dx no gamma"]
            found.append(
                mistake(
                    "dx",
                    NORM["dx gamma power"].format(terms="every term", uses=f"uses {uses}"),
                    lambda t=terms: (t[0] - t[1] - t[2]) * inv_std,
                )
            )
        for k, name in enumerate(DX_TERMS):
            mixed = tuple(terms[m] if m == k else right[m] for m in range(3))
            sentence = NORM["dx gamma power"].format(terms=name, uses=f"uses {uses}")
            found.append(mistake("dx", sentence, lambda t=mixed: (t[0] - t[1] - t[2]) * inv_std))
    dxhat = dout * g
    sums = _sum(dxhat, labels), _sum(dxhat * xhat, labels)
    M = group_mean(dxhat, labels)[1]
    if np.all(M > 1):
        for which, (a, b) in (
            ("the xhat term", (M, M - 1)),
            ("the mean term", (M - 1, M)),
            ("both means", (M - 1,) * 2),
        ):
            value = lambda a=a, b=b: (dxhat - sums[0] / a - xhat * sums[1] / b) * inv_std  # noqa: E731
            found.append(mistake("dx", NORM["dx M - 1"].format(terms=which), value))
    return found


# the compact form, dx = inv_std / M * (M * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)) (in batch norm
# sum(dxhat) = gamma * dbeta and sum(dxhat * xhat) = gamma * dgamma), with one factor of one term changed
COMPACT_FORM = (
    "the compact form: dx = inv_std / M * (M * dxhat - dxhat.sum() - xhat * (dxhat * xhat).sum()), sums over "
    "the M elements that share one mean (batch norm: dx = gamma * inv_std / M * (M * dout - dbeta - xhat * dgamma))"
)
COMPACT = {
    "xhat term with dbeta": "the xhat term is multiplied by dbeta, sum(dxhat); it is xhat * dgamma, sum(dxhat * xhat)",
    "mean term with dgamma": "the second term is dgamma (sum(dxhat * xhat)); it is dbeta (sum(dxhat))",
    "dbeta dgamma swapped": "dbeta and dgamma are swapped: M * dout - dbeta - xhat * dgamma",
    "x for xhat": "the last term multiplies dgamma by x; it is xhat * dgamma (the normalized x)",
    "first term without M": "the first term is not multiplied by M: M * dout - dbeta - xhat * dgamma",
    "not divided by M": "the bracket is not divided by M: dx = gamma * inv_std / M * (...)",
    "means for sums": (
        "dbeta and dgamma are taken as means (divided by M) inside the bracket; they are sums: M * dout - dbeta - "
        "xhat * dgamma, all divided by M once"
    ),
    "dgamma squared xhat": "the last term is xhat**2 * dgamma; it is xhat * dgamma",
}


def compact_backward(x, dxhat, xhat, inv_std, labels) -> list:
    """The compact form's mistakes, one factor of one term changed: dx."""
    s1, M = group_mean(dxhat, labels)
    s1 = s1 * M
    s2 = group_mean(dxhat * xhat, labels)[0] * M
    brackets = {
        "xhat term with dbeta": (M * dxhat - s1 - xhat * s1, M),
        "mean term with dgamma": (M * dxhat - s2 - xhat * s2, M),
        "dbeta dgamma swapped": (M * dxhat - s2 - xhat * s1, M),
        "x for xhat": (M * dxhat - s1 - x * s2, M),
        "first term without M": (dxhat - s1 - xhat * s2, M),
        "not divided by M": (M * dxhat - s1 - xhat * s2, 1),
        "means for sums": (M * dxhat - s1 / M - xhat * s2 / M, M),
        "dgamma squared xhat": (M * dxhat - s1 - xhat**2 * s2, M),
    }
    return [
        mistake("dx", f"{COMPACT[key]} ({COMPACT_FORM})", lambda b=b, m=m: inv_std / m * b)
        for key, (b, m) in brackets.items()
    ]


# ---------------------------------------------------------------------------------------------
# The staged backward (CS231n's computational graph), one stage changed at a time

STAGED_GRAPH = (
    "the staged backward: xmu = x - mean, var = mean(xmu**2), std = np.sqrt(var + eps), "
    "dvar = sum(dxhat * xmu) * -0.5 * (var + eps)**-1.5, dmean = -sum(dxhat / std) (its dvar part is 0), "
    "dx = dxhat / std + dvar * 2 * xmu / M + dmean / M, M the number of elements that share one mean"
)

STAGED = {
    "dvar std**-1.5": "dvar uses std**-1.5; the power -1.5 is of var + eps: (var + eps)**-1.5 = std**-3",
    "dvar var**-0.5": "dvar uses (var + eps)**-0.5; the derivative of (var + eps)**-0.5 is -0.5 * (var + eps)**-1.5",
    "dvar var**-1": "dvar uses (var + eps)**-1; the derivative of (var + eps)**-0.5 is -0.5 * (var + eps)**-1.5",
    "dvar var**1.5": "dvar uses (var + eps)**1.5; the power is negative: -0.5 * (var + eps)**-1.5",
    "dvar no eps": "dvar uses var**-1.5 without eps: -0.5 * (var + eps)**-1.5, with the forward's eps",
    "dvar no -0.5": "dvar lacks the factor -0.5 of d(var + eps)**-0.5 = -0.5 * (var + eps)**-1.5",
    "two dropped": (
        "the term through the variance is half its size: the 2 of d(xmu**2) = 2 * xmu is missing (dvar * 2 * xmu / M)"
    ),
    "two doubled": (
        "the term through the variance is twice its size: a factor 2 too many (4 * xmu, or -1 where dvar has -0.5)"
    ),
    "var M dropped": "the term through the variance is not divided by M: var is a mean, dvar * 2 * xmu / M",
    "mean M dropped": "the term through the mean is not divided by M: the mean is a mean, dmean / M",
    "var M doubled": "the term through the variance is divided by M twice: dvar * 2 * xmu / M",
    "mean M doubled": "the term through the mean is divided by M twice: dmean / M",
    "direct no eps": "dxhat / std uses np.sqrt(var) without eps: std = np.sqrt(var + eps), as in the forward",
    "direct by var": "the first term divides by var + eps; it is dxhat / std, std = np.sqrt(var + eps)",
    "direct times std": "the first term multiplies by std; it is dxhat / std",
    "var M is N": "the term through the variance divides by N; M = N*H*W elements share one mean: dvar * 2 * xmu / M",
    "mean M is N": "the term through the mean divides by N; M = N*H*W elements share one mean: dmean / M",
    "M count": "M is {wrong}, but M is the number of elements that share one mean and variance: {right}",
    "var axes": "dvar is summed {wrong}; sum it {right}",
    "mean axes": "dmean is summed {wrong}; sum it {right}",
    "dmean no std": "dmean lacks inv_std: dmean = -sum(dxhat / std), the mean reaches xhat through (x - mean) / std",
    "var path x": (
        "the term through the variance uses x where it is x - mean: var is the mean of (x - mean)**2, so its path "
        "to dx is dvar * 2 * (x - mean) / M"
    ),
    "dvar x": "dvar sums dxhat * x where it is dxhat * (x - mean): xhat = (x - mean) / std",
    "var path xhat": (
        "the term through the variance uses xhat where it is x - mean: var is the mean of (x - mean)**2, so its "
        "path to dx is dvar * 2 * (x - mean) / M"
    ),
}


def _sum(values, labels):
    mean, count = group_mean(values, labels)
    return mean * count


def staged_grad(x, dxhat, eps, labels, change=None, sum_labels=None, N=None):
    """dx by CS231n's graph (STAGED_GRAPH) with one stage changed (a key of STAGED, or None); with
    "M count", N is the count both stages divide by."""
    mean, M = group_mean(x, labels)
    if change == "M count":
        M = N
    xmu = x - mean
    var = group_mean(xmu**2, labels)[0]
    std = np.sqrt(var + eps)
    power = {"dvar std**-1.5": std**-1.5, "dvar var**-0.5": (var + eps) ** -0.5, "dvar var**-1": 1 / (var + eps)}
    power.update({"dvar no eps": var**-1.5, "dvar var**1.5": (var + eps) ** 1.5})
    factor = 1.0 if change == "dvar no -0.5" else -0.5
    var_labels = sum_labels if change == "var axes" else labels
    mean_labels = sum_labels if change == "mean axes" else labels
    dvar = (
        _sum(dxhat * (x if change == "dvar x" else xmu), var_labels) * factor * power.get(change, (var + eps) ** -1.5)
    )
    direct = {
        "direct no eps": dxhat / np.sqrt(var),
        "direct by var": dxhat / (var + eps),
        "direct times std": dxhat * std,
    }
    dxmu = direct.get(change, dxhat / std)
    dmean = -_sum(dxhat if change == "dmean no std" else dxhat / std, mean_labels)
    two = {"two dropped": 1.0, "two doubled": 4.0}.get(change, 2.0)
    m_var = {"var M dropped": 1, "var M doubled": M * M, "var M is N": N}.get(change, M)
    m_mean = {"mean M dropped": 1, "mean M doubled": M * M, "mean M is N": N}.get(change, M)
    var_path = {"var path x": x, "var path xhat": xmu / std}.get(change, xmu)
    return dxmu + dvar * two * var_path / m_var + dmean / m_mean


def staged_backward(x, dxhat, eps, right, layouts, G=1):
    """The staged backward's mistakes, one stage at a time: dx."""
    labels = layout_labels(x.shape, right, G)
    N, _, H, W = x.shape
    found = []
    for key in STAGED:
        if key.endswith("axes") or key == "M count":
            continue
        if key.endswith("is N") and (right != "N,H,W" or H * W == 1):
            continue
        sentence = f"{STAGED[key]} ({STAGED_GRAPH})"
        found.append(mistake("dx", sentence, lambda k=key: staged_grad(x, dxhat, eps, labels, k, N=N)))
    C = x.shape[1]
    right_count = int(np.bincount(labels.ravel()).max())
    counts = {"N": N, "N*H*W": N * H * W, "C*H*W": C * H * W, "H*W": H * W, "G*H*W": G * H * W}
    right_text = {"N,H,W": "N*H*W", "group": "C/G*H*W (C/G channels of H*W positions)"}.get(right, str(right_count))
    seen = {right_count, N} if right == "N,H,W" else {right_count}  # batch norm's M = N: "dx divides by N"
    for text, count in counts.items():
        if count not in seen:
            seen.add(count)
            sentence = STAGED["M count"].format(wrong=text, right=right_text) + f" ({STAGED_GRAPH})"
            found.append(mistake("dx", sentence, lambda m=count: staged_grad(x, dxhat, eps, labels, "M count", N=m)))
    for layout in layouts:
        other = layout_labels(x.shape, layout, G)
        for key in ("var axes", "mean axes"):
            sentence = STAGED[key].format(wrong=LAYOUTS[layout], right=LAYOUTS[right]) + f" ({STAGED_GRAPH})"
            found.append(mistake("dx", sentence, lambda k=key, o=other: staged_grad(x, dxhat, eps, labels, k, o)))
    return found
