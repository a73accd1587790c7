"""The spatial group norm exercises of lesson 6: forward and backward, with their cases,
known mistakes and hints.

Cases come from ``cnnlab.cases.GROUPNORM_CASES`` (G = 1 is layer norm, G = C instance
norm), and the first again with eps given. What group norm shares with batch norm is in
``norm``.
"""

from __future__ import annotations

import numpy as np

from cnnlab import cases as tables
from cnnlab import layers as L
from cnnlab import shapes
from cnnlab.exercises import norm
from cnnlab.exercises.exercise import Case, CrashAdvice, Exercise, case_rng, mistake
from cnnlab.exercises.norm import (
    layout_labels,
    normalization_backward,
    normalization_forward,
    normalization_grad,
    normalize,
    per_channel,
)

__all__ = ["EXERCISES", "GROUPNORM", "groupnorm_cases", "groupnorm_forward", "groupnorm_backward"]

# the wrong layouts of the statistics that are recomputed
LAYOUTS = (
    "H,W",
    "C,H,W",
    "N,H,W",
    "group,N",
    "interleaved",
    "N",
    "view axis 1",
    "group,H,W",
    "G for C/G",
    "every G-th",
    "rows of (G, -1)",
    "channels-last",
)

GROUPNORM = {
    "per-group sums": (
        "dgamma or dbeta is summed in the grouped view, one number per group (or per sample and group): gamma and "
        "beta are per channel, so sum dout * xhat and dout in the (N, C, H, W) layout over (0, 2, 3)"
    ),
    "groups of G": (
        "group g is sliced as channels g*G : (g + 1)*G, groups of G channels: there are G groups of C // G "
        "channels each, group g is channels g*(C // G) : (g + 1)*(C // G)"
    ),
    "groups at g": (
        "group g is sliced as channels g : g + C // G (where it is read, written, or both), so the groups "
        "overlap: group g is channels g*(C // G) : (g + 1)*(C // G), or x.reshape(N, G, -1)"
    ),
    "gn eps ignored": "gn_param['eps'] is ignored (1e-5 is used whatever it says): eps = gn_param.get('eps', 1e-5)",
    "gamma of first channel": (
        "each group is scaled (and shifted) with the gamma (beta) of its first channel; gamma and beta are per "
        "channel: out = gamma * xhat + beta with gamma.reshape(1, C, 1, 1)"
    ),
    "gamma by group": (
        "gamma (and beta) are indexed by the group, gamma[c // (C/G)]; they are per channel, C of each: "
        "out = gamma * xhat + beta with gamma.reshape(1, C, 1, 1)"
    ),
    "tiled": (
        "the per-group {what} is spread to the channels with np.tile, which gives channel c the value of group "
        "c % G; channel c belongs to group c // (C/G): np.repeat(values, C // G, axis=1)"
    ),
    "dx gamma outside": (
        "gamma is applied after the group means, as batch norm may do: the channels of one group have "
        "different gammas, so multiply first, dxhat = dout * gamma, then take the means of dxhat"
    ),
}

TAGS = {"eps given": "reading gn_param: eps is given in this case, eps = gn_param.get('eps', 1e-5)", **norm.TAGS}

# ---------------------------------------------------------------------------------------------
# Cases


def groupnorm_cases() -> list:
    """spatial_groupnorm_*: (x, gamma, beta, G, gn_param) for each row of GROUPNORM_CASES, and the
    first row again with eps=1e-3."""
    found = []
    variants = [("", {}, None), (", eps=1e-3", {"eps": 1e-3}, 1)]
    for suffix, gn_param, limit in variants:
        for i, case in enumerate(tables.GROUPNORM_CASES[:limit]):

            def build(case=case, i=i, gn_param=gn_param, suffix=suffix):
                x, gamma, beta = case.arrays(case_rng("groupnorm" + suffix, i))
                return x, gamma, beta, case.groups, dict(gn_param)

            describe = f"x {case.x_shape}, G={case.groups}, gamma {'(1, C, 1, 1)' if case.gamma_4d else '(C,)'}"
            tags = norm.norm_tags(case) + (("eps given",) if gn_param else ())
            found.append(Case(case.name + suffix, describe + suffix, build, tags))
    return found


# ---------------------------------------------------------------------------------------------
# Expected outputs (the reference layer)


def _expected_out(args):
    return {"out": L.spatial_groupnorm_forward(*args)[0]}


def _expected_grads(args, dout):
    _, cache = L.spatial_groupnorm_forward(*args)
    return dict(zip(("dx", "dgamma", "dbeta"), L.spatial_groupnorm_backward(dout, cache)))


# ---------------------------------------------------------------------------------------------
# Mistakes, recomputed


def groupnorm_forward(args, dout=None):
    """Mistakes in spatial group norm's forward pass: out."""
    x, gamma, beta, G, gn_param = args
    eps = shapes.check_gn_param(gn_param)
    found = normalization_forward(x, gamma, beta, eps, "group", LAYOUTS, G)
    C = x.shape[1]
    labels = layout_labels(x.shape, "group", G)
    xhat = normalize(x, labels, eps)[0]
    g, bt = np.ravel(gamma), np.ravel(beta)
    first = np.arange(C) // (C // G) * (C // G)  # the first channel of each channel's group
    group = np.arange(C) // (C // G)  # each channel's group
    for sentence, index in ((GROUPNORM["gamma of first channel"], first), (GROUPNORM["gamma by group"], group)):
        found += [
            mistake("out", sentence, lambda i=index: per_channel(g[i], C) * xhat + per_channel(bt, C)),
            mistake("out", sentence, lambda i=index: per_channel(g[i], C) * xhat + per_channel(bt[i], C)),
        ]
    found += groupnorm_tiled_forward(x, gamma, beta, G, eps)
    if G * G != C:
        found.append(("out", GROUPNORM["groups of G"], _groups_of_g(x, gamma, beta, G, eps)))
    if G > 1:
        for read_at_g, write_at_g in ((True, True), (True, False), (False, True)):
            xhat_at_g, out_at_g = _groups_at_g(x, gamma, beta, G, eps, read_at_g, write_at_g)
            found += [("out", GROUPNORM["groups at g"], per_channel(g, C) * xhat_at_g + per_channel(bt, C))]
            found += [("out", GROUPNORM["groups at g"], out_at_g)]
    if "eps" not in (gn_param or {}):
        found += [
            mistake(
                "out",
                norm.NORM["eps default"].format(key="gn_param", value=value, lib=lib),
                lambda e=value: per_channel(gamma, C) * normalize(x, labels, e)[0] + per_channel(beta, C),
            )
            for value, lib in norm.EPS_DEFAULTS
        ]
    if eps != 1e-5:
        found.append(
            mistake(
                "out",
                GROUPNORM["gn eps ignored"],
                lambda: per_channel(gamma, C) * normalize(x, labels, 1e-5)[0] + per_channel(beta, C),
            )
        )
    return found


def _groups_of_g(x, gamma, beta, G, eps):
    """out of a loop over the G groups that slices group g as channels g*G : (g + 1)*G (G channels per
    group where there are C // G): channels no slice reaches stay 0 (before gamma and beta)."""
    C = x.shape[1]
    g, bt = per_channel(gamma, C), per_channel(beta, C)
    xhat = np.zeros(x.shape)
    for k in range(G):
        block = x[:, k * G : (k + 1) * G]
        if block.shape[1] == 0:
            continue
        mean = block.mean(axis=(1, 2, 3), keepdims=True)
        xhat[:, k * G : (k + 1) * G] = (block - mean) / np.sqrt(block.var(axis=(1, 2, 3), keepdims=True) + eps)
    return g * xhat + bt


def _groups_at_g(x, gamma, beta, G, eps, read_at_g=True, write_at_g=True):
    """(xhat, out) of a loop over the groups that slices group g as channels g : g + C // G, where it reads
    them (``read_at_g``), where it writes them (``write_at_g``), or both: the groups overlap, later ones
    overwrite, channels never written stay 0."""
    N, C = x.shape[:2]
    Cg = C // G
    g, bt = per_channel(gamma, C), per_channel(beta, C)
    xhat, out = np.zeros(x.shape), np.zeros(x.shape)
    for k in range(G):
        read = slice(k, k + Cg) if read_at_g else slice(k * Cg, (k + 1) * Cg)
        write = slice(k, k + Cg) if write_at_g else slice(k * Cg, (k + 1) * Cg)
        block = x[:, read]
        mean = block.mean(axis=(1, 2, 3), keepdims=True)
        xhat[:, write] = (block - mean) / np.sqrt(block.var(axis=(1, 2, 3), keepdims=True) + eps)
        out[:, write] = g[:, write] * xhat[:, write] + bt[:, write]
    return xhat, out


def _per_group_sums(args, message) -> bool:
    """dgamma or dbeta summed in the (N, G, -1) view, G (or N*G) numbers, reshaped to gamma's shape."""
    x, gamma, _, G, _ = args
    N, C = x.shape[:2]
    if G in (1, C):  # one group per sample, or per channel: the per-group sums are other mistakes' too
        return False
    return any(f"array of size {s} into shape" in message for s in {G, N * G} - {C, N * C})


PER_GROUP_SUMS = CrashAdvice(
    kind=ValueError, text="cannot reshape", tag="", advice=GROUPNORM["per-group sums"], applies=_per_group_sums
)


def _tiled_labels(x_shape, G):
    """For each element, the (sample, group) whose statistics np.tile over the channels gives it: group c % G,
    numbered as layout_labels(..., "group") numbers the right ones."""
    n, c = np.indices(x_shape)[:2]
    return n * G + c % G


def _per_group(values, labels):
    """The mean of values within each label, one per label."""
    return np.bincount(labels.ravel(), weights=values.ravel()) / np.bincount(labels.ravel())


def groupnorm_tiled_forward(x, gamma, beta, G, eps):
    """out with the group mean and variance (both, or the variance only) spread by np.tile."""
    C = x.shape[1]
    if G == 1 or G == C:
        return []
    labels, tiled = layout_labels(x.shape, "group", G), _tiled_labels(x.shape, G)
    mean = _per_group(x, labels)
    var = _per_group((x - mean[labels]) ** 2, labels)
    g, bt = per_channel(gamma, C), per_channel(beta, C)
    sentence = GROUPNORM["tiled"]
    return [
        mistake(
            "out",
            sentence.format(what="mean and variance"),
            lambda: g * (x - mean[tiled]) / np.sqrt(var[tiled] + eps) + bt,
        ),
        mistake(
            "out", sentence.format(what="variance"), lambda: g * (x - mean[labels]) / np.sqrt(var[tiled] + eps) + bt
        ),
        mistake("out", sentence.format(what="mean"), lambda: g * (x - mean[tiled]) / np.sqrt(var[labels] + eps) + bt),
    ]


def groupnorm_tiled_backward(x, gamma, dout, G, eps):
    """dx with the group means of the backward, or 1/std, spread by np.tile."""
    C = x.shape[1]
    if G == 1 or G == C:
        return []
    labels, tiled = layout_labels(x.shape, "group", G), _tiled_labels(x.shape, G)
    xhat, inv_std = normalize(x, labels, eps)
    dxhat = dout * per_channel(gamma, C)
    m1, m2 = _per_group(dxhat, labels), _per_group(dxhat * xhat, labels)
    s = _per_group(inv_std, labels)
    sentence = GROUPNORM["tiled"]
    return [
        mistake("dx", sentence.format(what="1/std"), lambda: (dxhat - m1[labels] - xhat * m2[labels]) * s[tiled]),
        mistake(
            "dx",
            sentence.format(what="mean(dxhat) and mean(dxhat * xhat)"),
            lambda: (dxhat - m1[tiled] - xhat * m2[tiled]) * s[labels],
        ),
        mistake(
            "dx",
            sentence.format(what="mean(dxhat), mean(dxhat * xhat) and 1/std"),
            lambda: (dxhat - m1[tiled] - xhat * m2[tiled]) * s[tiled],
        ),
    ]


def groupnorm_backward(args, dout):
    """Mistakes in spatial group norm's backward pass: dx, dgamma, dbeta."""
    x, gamma, beta, G, gn_param = args
    C = x.shape[1]

    def gamma_outside(xhat, inv_std, labels):  # in batch norm gamma is constant over one mean's elements: right there
        return [
            mistake(
                "dx",
                GROUPNORM["dx gamma outside"],
                lambda: per_channel(gamma, C) * normalization_grad(dout, xhat, inv_std, labels),
            )
        ]

    eps = shapes.check_gn_param(gn_param)
    found = normalization_backward(x, gamma, dout, eps, "group", LAYOUTS, G, extra=gamma_outside)
    return found + groupnorm_tiled_backward(x, gamma, dout, G, eps)


# ---------------------------------------------------------------------------------------------
# The entries

_FAMILY = dict(
    lesson=6,
    cases=groupnorm_cases,
    axes=norm.AXES,
    answer_key=norm.ANSWER_KEY,
    tag_advice=TAGS,
    optional_keys={"eps": "1e-5"},
)

EXERCISES = [
    Exercise(
        name="spatial_groupnorm_forward",
        kind="forward",
        params=("x", "gamma", "beta", "G", "gn_param"),
        reference=L.spatial_groupnorm_forward,
        expected=_expected_out,
        outputs=("out",),
        mistakes=groupnorm_forward,
        hints=(
            "Group norm splits the C channels into G groups of C//G consecutive channels and\n"
            "normalizes each (sample, group) with its own mean and variance, over the group's\n"
            "channels and all positions. It does not look across samples, so train and test agree.",
            "x.reshape(N, G, -1) puts one group per row (channels c*C/G ... are consecutive in\n"
            "memory). Take the mean and variance over axis 2 with keepdims=True (axis 1 would mix the\n"
            "groups, axis 0 the samples).",
            "Read eps from gn_param: eps = gn_param.get('eps', 1e-5); one case gives another value.\n"
            "It goes inside the square root: xhat = (x - mean) / np.sqrt(var + eps).",
            "Normalize, reshape back to (N, C, H, W), then scale and shift per channel:\n"
            "out = gamma * xhat + beta with gamma, beta as (1, C, 1, 1). G = 1 is layer norm and\n"
            "G = C is instance norm: good cases to test yourself on.",
        ),
        **_FAMILY,
    ),
    Exercise(
        name="spatial_groupnorm_backward",
        kind="backward",
        params=("dout", "cache"),
        reference=L.spatial_groupnorm_backward,
        expected=_expected_grads,
        outputs=("dx", "dgamma", "dbeta"),
        inputs=("x", "gamma", "beta"),
        forward="spatial_groupnorm_forward",
        mistakes=groupnorm_backward,
        crash_advice=(PER_GROUP_SUMS,),
        hints=(
            "dgamma and dbeta are the same as in batch norm: sums over (N, H, W) of dout * xhat and\n"
            "of dout, in gamma's shape.",
            "For dx, the statistics are shared within each (sample, group): reshape dxhat = dout * gamma\n"
            "and xhat to (N, G, -1) and take the means over axis 2.",
            "dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / np.sqrt(var + eps) on the\n"
            "(N, G, -1) view, then reshape to (N, C, H, W). Use the eps of the forward pass (keep it, or\n"
            "1/std, in the cache).",
        ),
        **_FAMILY,
    ),
]
