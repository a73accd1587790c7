"""The spatial batch norm exercises of lesson 5: forward (train and test mode, running
statistics) and backward, with their cases, known mistakes and hints.

Cases come from ``cnnlab.cases.BATCHNORM_CASES``, each in train mode, in test mode, and
(the first two) in train mode with eps, momentum and running statistics given. What batch
norm shares with group norm (layouts of the statistics, the shared mistakes) is in ``norm``.
"""

from __future__ import annotations

import numpy as np

from cnnlab import cases as tables
from cnnlab import layers as L
from cnnlab import shapes
from cnnlab.exercises import norm
from cnnlab.exercises.exercise import Case, CrashAdvice, Exercise, case_rng, mistake
from cnnlab.exercises.norm import (
    formula_forward,
    layout_labels,
    normalization_backward,
    normalization_forward,
    normalize,
    per_channel,
)

__all__ = ["EXERCISES", "BATCHNORM", "CONVENTIONS", "batchnorm_cases", "batchnorm_forward", "batchnorm_backward"]

# the wrong layouts of the statistics that are recomputed
LAYOUTS = ("H,W", "C,H,W", "N", "all", "N,H", "N,W", "reshape(-1, C)")

BATCHNORM = {
    "gamma missing from means": (
        "dx's two means leave gamma out: they are the means of dxhat = gamma * dout, so gamma * dbeta / M and "
        "gamma * dgamma / M, dx = (gamma * dout - gamma * dbeta / M - xhat * gamma * dgamma / M) / std"
    ),
    "rows untransposed backward": (
        "dout and xhat are made rows with .reshape(-1, C) and no transpose: each row mixes the channels; move C "
        "last first, dout.transpose(0, 2, 3, 1).reshape(-1, C) (the same for xhat), and dx back with "
        ".reshape(N, H, W, C).transpose(0, 3, 1, 2)"
    ),
    "gamma on rows": (
        "gamma (or beta) of shape (1, C, 1, 1) met the (N*H*W, C) rows: NumPy makes a (1, C, N*H*W, C) array of "
        "them (CS231n's gamma and beta are (C,) only; cnnlab's may be (1, C, 1, 1) too); on the rows use "
        "np.ravel(gamma), shape (C,), and give dgamma back in the shape gamma had"
    ),
    "test uses batch": (
        "test mode normalizes with the batch's own mean and variance; it must use bn_param's running_mean "
        "and running_var"
    ),
    "test mixes": (
        "test mode normalizes with {mean} and {var}; it must use bn_param's running_mean and running_var, both as "
        "they came in (test mode uses no batch statistics)"
    ),
    "test updates mean": "test mode changed the running mean; only train mode updates it",
    "test updates var": "test mode changed the running variance; only train mode updates it",
    "mean not updated": (
        "the running mean is not updated: in train mode, running_mean = momentum * running_mean "
        "+ (1 - momentum) * mean, stored in bn_param"
    ),
    "var not updated": (
        "the running variance is not updated: in train mode, running_var = momentum * running_var "
        "+ (1 - momentum) * var, stored in bn_param"
    ),
    "mean momentum flipped": (
        "momentum is used the other way round (PyTorch's convention); here it is the weight of the old "
        "value: running_mean = momentum * running_mean + (1 - momentum) * mean"
    ),
    "var momentum flipped": (
        "momentum is used the other way round (PyTorch's convention); here it is the weight of the old "
        "value: running_var = momentum * running_var + (1 - momentum) * var"
    ),
    "mean replaced": "the running mean is replaced by the batch mean; blend them, with momentum",
    "var replaced": "the running variance is replaced by the batch variance; blend them, with momentum",
    "var unbiased": "the running variance uses the unbiased variance (ddof=1); use the biased one, as for normalizing",
    "var std": "the running variance is updated with the standard deviation; use the variance",
    "var plus eps": "the running variance is updated with var + eps; leave eps out of it",
    "eps ignored": "bn_param['eps'] is ignored (1e-5 is used whatever it says)",
    "columns per channel": (
        "channel c is normalized with the statistics of column c of x.reshape(-1, C), which mixes channels "
        "with positions (move C last first: x.transpose(0, 2, 3, 1).reshape(-1, C))"
    ),
    "running from columns": (
        "the running statistics come from the columns of x.reshape(-1, C), which mixes channels with "
        "positions; take the batch statistics over (N, H, W): x.mean(axis=(0, 2, 3))"
    ),
    "dx divides by N": (
        "dx divides by N, as the fully connected batch norm does; here each channel's mean is over "
        "M = N*H*W elements: mean(dxhat) = dxhat.sum(axis=(0, 2, 3)) / (N*H*W)"
    ),
    "momentum ignored": "bn_param['momentum'] is ignored (0.9 is used whatever it says)",
    "train uses running": (
        "train mode normalizes with the running statistics; it normalizes with the batch's own mean and "
        "variance, and only updates the running ones (for test mode)"
    ),
    "train uses updated running": (
        "train mode normalizes with the running statistics just updated; it normalizes with the batch's own "
        "mean and variance (the running ones are for test mode)"
    ),
    "running from xhat": (
        "the running statistics are updated with the mean and variance of the normalized values (xhat or out); "
        "use the batch mean and variance of x"
    ),
    "running swapped": (
        "running_mean and running_var are updated with each other's statistic: running_mean blends in the "
        "batch mean, running_var the batch variance"
    ),
    "old not scaled": (
        "the old running value is not multiplied by momentum: running = momentum * running + (1 - momentum) * batch"
    ),
    "new not scaled": (
        "the batch statistic is not multiplied by (1 - momentum): running = momentum * running + (1 - momentum) * batch"
    ),
}

# Conventions of CS231n's assignments that differ from cnnlab's
CONVENTIONS = {
    "running_var zeros": (
        "running_var starts at zeros, as in CS231n's batchnorm_forward; cnnlab (like PyTorch) starts it "
        "at ones: bn_param.get('running_var', np.ones(C))"
    ),
    "running_mean ones": "running_mean starts at ones; it starts at zeros: bn_param.get('running_mean', np.zeros(C))",
}

# Where to look when exactly the cases with a tag fail
TAGS = {
    "train mode": "train mode: the batch statistics over (N, H, W), and the running statistics updated in bn_param",
    "test mode": "test mode: normalize with bn_param's running_mean and running_var, and change nothing",
    "eps and momentum given": (
        "reading bn_param: eps and momentum are given in these cases, bn_param.get('eps', 1e-5), "
        "bn_param.get('momentum', 0.9), and so are the running statistics"
    ),
    **norm.TAGS,
}

# What the entries declare: the keys bn_param may leave out (with their defaults), the keys a
# train-mode forward is meant to change, and what to say when it did not store them
OPTIONAL_KEYS = {"eps": "1e-5", "momentum": "0.9", "running_mean": "np.zeros(C)", "running_var": "np.ones(C)"}
RUNNING = ("running_mean", "running_var")
UNSTORED = {
    name: (
        f"bn_param[{name!r}] was not stored: in train mode, set bn_param[{name!r}] = "
        f"momentum * {name} + (1 - momentum) * (the batch {stat})"
    )
    for name, stat in zip(RUNNING, ("mean", "variance"))
}

# ---------------------------------------------------------------------------------------------
# Cases


# Batch norm's bn_param variants: (label, tags, make(rng, C) -> bn_param, which cases)
def _bn_train(rng, C):
    return {"mode": "train"}


def _bn_train_given(rng, C):
    return {
        "mode": "train",
        "eps": 1e-3,
        "momentum": 0.5,
        "running_mean": rng.standard_normal(C),
        "running_var": rng.uniform(0.5, 2.0, C),
    }


def _bn_test(rng, C):
    return {"mode": "test", "running_mean": rng.standard_normal(C), "running_var": rng.uniform(0.5, 2.0, C)}


_BN_VARIANTS = [
    ("train", ("train mode",), _bn_train, None),
    (
        "train, eps=1e-3, momentum=0.5, running stats given",
        ("train mode", "eps and momentum given"),
        _bn_train_given,
        2,
    ),
    ("test", ("test mode",), _bn_test, None),
]


def batchnorm_cases(modes=("train", "test")) -> list:
    """spatial_batchnorm_*: (x, gamma, beta, bn_param) for each row of BATCHNORM_CASES, in train
    mode, in test mode, and (first two rows) in train mode with eps, momentum and running
    statistics given."""
    found = []
    for label, mode_tags, make, limit in _BN_VARIANTS:
        if mode_tags[0].split()[0] not in modes:
            continue
        for i, case in enumerate(tables.BATCHNORM_CASES[:limit]):

            def build(case=case, i=i, make=make, label=label):
                rng = case_rng("batchnorm " + label, i)
                x, gamma, beta = case.arrays(rng)
                return x, gamma, beta, make(rng, case.x_shape[1])

            describe = f"x {case.x_shape}, gamma {'(1, C, 1, 1)' if case.gamma_4d else '(C,)'}, mode {label}"
            found.append(Case(f"{case.name}, {label}", describe, build, (*mode_tags, *norm.norm_tags(case))))
    return found


# ---------------------------------------------------------------------------------------------
# Expected outputs (the reference layer), and the running statistics the student's forward left


def _expected_out(args):
    x, gamma, beta, bn_param = args
    param = dict(bn_param)
    out, _ = L.spatial_batchnorm_forward(x, gamma, beta, param)
    C = x.shape[1]
    running = shapes.check_bn_param(dict(param), C, x.dtype)
    return {"out": out, "running_mean": running["running_mean"], "running_var": running["running_var"]}


def _running_stats(args):
    """The running statistics the student's forward left in bn_param (None if absent)."""
    bn_param = args[3]
    if not isinstance(bn_param, dict):
        return {"running_mean": None, "running_var": None}
    return {"running_mean": bn_param.get("running_mean"), "running_var": bn_param.get("running_var")}


def _expected_grads(args, dout):
    x, gamma, beta, bn_param = args
    _, cache = L.spatial_batchnorm_forward(x, gamma, beta, dict(bn_param))
    return dict(zip(("dx", "dgamma", "dbeta"), L.spatial_batchnorm_backward(dout, cache)))


# ---------------------------------------------------------------------------------------------
# Mistakes, recomputed


def batchnorm_forward(args, dout=None):
    """Mistakes in spatial batch norm's forward pass: out, running_mean, running_var."""
    x, gamma, beta, bn_param = args
    params = shapes.check_bn_param(dict(bn_param), x.shape[1], x.dtype)
    eps, momentum = params["eps"], params["momentum"]
    old_mean, old_var = params["running_mean"], params["running_var"]
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))

    def blend(old, new):
        return momentum * old + (1 - momentum) * new

    C = x.shape[1]
    if params["mode"] == "test":
        batch_stats = layout_labels(x.shape, "N,H,W")
        return [
            mistake(
                "out",
                BATCHNORM["test uses batch"],
                lambda: per_channel(gamma, C) * normalize(x, batch_stats, eps)[0] + per_channel(beta, C),
            ),
            *formula_forward(x, per_channel(old_mean, C), per_channel(old_var, C), gamma, beta, eps),
            *_test_mixes(x, gamma, beta, eps, old_mean, old_var, mean, var, blend),
            mistake("running_mean", BATCHNORM["test updates mean"], lambda: blend(old_mean, mean)),
            mistake("running_var", BATCHNORM["test updates var"], lambda: blend(old_var, var)),
        ]
    g, bt = per_channel(gamma, C), per_channel(beta, C)
    xhat = normalize(x, layout_labels(x.shape, "N,H,W"), eps)[0]
    out = g * xhat + bt

    def normalized_with(m, v):
        return g * (x - per_channel(m, C)) / np.sqrt(per_channel(v, C) + eps) + bt

    found = [
        mistake("out", BATCHNORM["train uses running"], lambda: normalized_with(old_mean, old_var)),
        mistake("out", BATCHNORM["train uses running"], lambda: normalized_with(old_mean, var)),
        mistake("out", BATCHNORM["train uses updated running"], lambda: normalized_with(blend(old_mean, mean), var)),
        mistake(
            "out",
            BATCHNORM["train uses updated running"],
            lambda: normalized_with(blend(old_mean, mean), blend(old_var, var)),
        ),
        mistake("running_mean", BATCHNORM["running from xhat"], lambda: blend(old_mean, xhat.mean(axis=(0, 2, 3)))),
        mistake("running_var", BATCHNORM["running from xhat"], lambda: blend(old_var, xhat.var(axis=(0, 2, 3)))),
        mistake("running_mean", BATCHNORM["running from xhat"], lambda: blend(old_mean, out.mean(axis=(0, 2, 3)))),
        mistake("running_var", BATCHNORM["running from xhat"], lambda: blend(old_var, out.var(axis=(0, 2, 3)))),
        mistake("running_mean", BATCHNORM["running swapped"], lambda: blend(old_mean, var)),
        mistake("running_var", BATCHNORM["running swapped"], lambda: blend(old_var, mean)),
        mistake("running_mean", BATCHNORM["old not scaled"], lambda: old_mean + (1 - momentum) * mean),
        mistake("running_var", BATCHNORM["old not scaled"], lambda: old_var + (1 - momentum) * var),
        mistake("running_mean", BATCHNORM["new not scaled"], lambda: momentum * old_mean + mean),
        mistake("running_var", BATCHNORM["new not scaled"], lambda: momentum * old_var + var),
        mistake("running_var", norm.NORM["mean of squares"], lambda: blend(old_var, (x**2).mean(axis=(0, 2, 3)))),
        mistake("running_var", norm.NORM["std for var"], lambda: blend(old_var, np.sqrt(var))),
    ]
    default_eps = per_channel(gamma, C) * normalize(x, layout_labels(x.shape, "N,H,W"), 1e-5)[0] + per_channel(beta, C)
    found += normalization_forward(x, gamma, beta, eps, "N,H,W", LAYOUTS)
    for part in norm.parts(x.shape, "N,H,W"):  # the running variance from the same wrong variance
        words = {"part": norm.LAYOUTS[part], "right": norm.LAYOUTS["N,H,W"]}
        for key, power in (("var of parts", 2), ("std of parts", 1)):
            found.append(
                mistake(
                    "running_var",
                    norm.NORM[key].format(**words),
                    lambda p=part, k=power: blend(
                        old_var, norm.part_variance(x, layout_labels(x.shape, "N,H,W"), p, k)[0, :, 0, 0]
                    ),
                )
            )
    if eps != 1e-5:
        found.append(mistake("out", BATCHNORM["eps ignored"], lambda: default_eps))
    if "eps" not in bn_param:
        for value, lib in norm.EPS_DEFAULTS:
            sentence = norm.NORM["eps default"].format(key="bn_param", value=value, lib=lib)
            found.append(
                mistake("out", sentence, lambda e=value: g * normalize(x, layout_labels(x.shape, "N,H,W"), e)[0] + bt)
            )
    if "momentum" not in bn_param:
        for value, lib in norm.MOMENTUM_DEFAULTS:
            sentence = norm.NORM["momentum default"].format(value=value, lib=lib)
            for key, old, new in (("running_mean", old_mean, mean), ("running_var", old_var, var)):
                found.append(mistake(key, sentence, lambda m=value, o=old, b=new: m * o + (1 - m) * b))
    if momentum != 0.9:
        found.append(mistake("running_mean", BATCHNORM["momentum ignored"], lambda: 0.9 * old_mean + 0.1 * mean))
        found.append(mistake("running_var", BATCHNORM["momentum ignored"], lambda: 0.9 * old_var + 0.1 * var))
    if bn_param.get("running_var") is None:  # the start value is the layer's choice: CS231n's is zeros
        found.append(mistake("running_var", CONVENTIONS["running_var zeros"], lambda: blend(0 * old_var, var)))
    if bn_param.get("running_mean") is None:
        found.append(mistake("running_mean", CONVENTIONS["running_mean ones"], lambda: blend(1 + old_mean, mean)))
    # x.reshape(-1, C) without the transpose: column statistics, used for channel c of the 4-D x
    columns = x.reshape(-1, C)
    column_mean, column_var = columns.mean(axis=0), columns.var(axis=0)
    found += [
        mistake(
            "out",
            BATCHNORM["columns per channel"],
            lambda: (
                per_channel(gamma, C) * (x - per_channel(column_mean, C)) / np.sqrt(per_channel(column_var, C) + eps)
                + per_channel(beta, C)
            ),
        ),
        mistake(
            "out",
            f"the mean and variance are taken {norm.LAYOUTS['reshape(-1, C)']}; take them {norm.LAYOUTS['N,H,W']}",
            lambda: (
                per_channel(gamma, C) * ((columns - column_mean) / np.sqrt(column_var + eps)).reshape(x.shape)
                + per_channel(beta, C)
            ),
        ),
        mistake("running_mean", BATCHNORM["running from columns"], lambda: blend(old_mean, column_mean)),
        mistake("running_var", BATCHNORM["running from columns"], lambda: blend(old_var, column_var)),
    ]
    return found + [
        mistake("running_mean", BATCHNORM["mean not updated"], lambda: old_mean),
        mistake("running_var", BATCHNORM["var not updated"], lambda: old_var),
        mistake(
            "running_mean", BATCHNORM["mean momentum flipped"], lambda: (1 - momentum) * old_mean + momentum * mean
        ),
        mistake("running_var", BATCHNORM["var momentum flipped"], lambda: (1 - momentum) * old_var + momentum * var),
        mistake("running_mean", BATCHNORM["mean replaced"], lambda: mean),
        mistake("running_var", BATCHNORM["var replaced"], lambda: var),
        mistake("running_var", BATCHNORM["var unbiased"], lambda: blend(old_var, x.var(axis=(0, 2, 3), ddof=1))),
        mistake("running_var", BATCHNORM["var std"], lambda: blend(old_var, np.sqrt(var))),
        mistake("running_var", BATCHNORM["var plus eps"], lambda: blend(old_var, var + eps)),
    ]


def _test_mixes(x, gamma, beta, eps, old_mean, old_var, mean, var, blend) -> list:
    """Test mode normalizing with the mean of one source and the variance of another (the running
    statistics, the batch's, the running ones updated with the batch's, the running std for the variance)."""
    C = x.shape[1]
    means = {
        "the running mean": old_mean,
        "the batch mean": mean,
        "the running mean updated with the batch's": blend(old_mean, mean),
    }
    variances = {
        "the running variance": old_var,
        "the batch variance": var,
        "the running variance updated with the batch's": blend(old_var, var),
        "the batch standard deviation": np.sqrt(var),
    }
    found = []
    for m_text, m in means.items():
        for v_text, v in variances.items():
            if (m_text, v_text) in (
                ("the running mean", "the running variance"),
                ("the batch mean", "the batch variance"),
            ):
                continue
            value = lambda m=m, v=v: (  # noqa: E731
                per_channel(gamma, C) * (x - per_channel(m, C)) / np.sqrt(per_channel(v, C) + eps)
                + per_channel(beta, C)
            )
            found.append(mistake("out", BATCHNORM["test mixes"].format(mean=m_text, var=v_text), value))
    return found


def batchnorm_backward(args, dout):
    """Mistakes in spatial batch norm's backward pass (train mode): dx, dgamma, dbeta."""
    x, gamma, beta, bn_param = args
    eps = shapes.check_bn_param(dict(bn_param), x.shape[1], x.dtype)["eps"]
    found = normalization_backward(x, gamma, dout, eps, "N,H,W", LAYOUTS)
    N, C, H, W = x.shape
    if H * W > 1:  # the fully connected formula: sums over (N, H, W) divided by N, not N*H*W
        labels = layout_labels(x.shape, "N,H,W")
        xhat, inv_std = normalize(x, labels, eps)
        dxhat = dout * per_channel(gamma, C)
        sum_dxhat = dxhat.sum(axis=(0, 2, 3), keepdims=True)
        sum_dxhat_xhat = (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True)
        found.append(
            mistake(
                "dx",
                BATCHNORM["dx divides by N"],
                lambda: (dxhat - sum_dxhat / N - xhat * sum_dxhat_xhat / N) * inv_std,
            )
        )
        found += _rows_untransposed(dout, xhat, inv_std, gamma)
    if N * H * W > 1:  # the compact formula with gamma left out of its two means (the sums of dout)
        M = N * H * W
        g = per_channel(gamma, C)
        dbeta, dgamma = dout.sum(axis=(0, 2, 3), keepdims=True), (dout * xhat).sum(axis=(0, 2, 3), keepdims=True)
        found.append(
            ("dx", BATCHNORM["gamma missing from means"], (dout * g - dbeta / M - xhat * dgamma / M) * inv_std)
        )
    return found


def _rows_untransposed(dout, xhat, inv_std, gamma) -> list:
    """The fully connected backward on rows made with .reshape(-1, C) and no transpose (channels mixed),
    dx reshaped back the same way or with the transpose."""
    N, C, H, W = dout.shape
    d, xh = dout.reshape(-1, C), xhat.reshape(-1, C)
    M = d.shape[0]
    dbeta, dgamma = d.sum(axis=0), (d * xh).sum(axis=0)
    per_channel_inv_std = np.broadcast_to(inv_std, dout.shape)[0, :, 0, 0]
    rows = (np.ravel(gamma) * per_channel_inv_std / M) * (M * d - dbeta - xh * dgamma)
    sentence = BATCHNORM["rows untransposed backward"]
    return [
        ("dx", sentence, rows.reshape(N, C, H, W)),
        ("dx", sentence, rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)),
        ("dgamma", sentence, dgamma.reshape(np.shape(gamma))),
        ("dbeta", sentence, dbeta.reshape(np.shape(gamma))),
    ]


def _gamma_on_rows(args, message) -> bool:
    """gamma (1, C, 1, 1) times the (N*H*W, C) rows: a (1, C, N*H*W, C) array that cannot be reshaped back."""
    x, gamma = args[0], args[1]
    return np.ndim(gamma) == 4 and f"size {x.size * x.shape[1]} into" in message


GAMMA_ON_ROWS = CrashAdvice(
    kind=ValueError, text="cannot reshape", tag="", advice=BATCHNORM["gamma on rows"], applies=_gamma_on_rows
)


# ---------------------------------------------------------------------------------------------
# The entries

_FAMILY = dict(lesson=5, axes=norm.AXES, answer_key=norm.ANSWER_KEY, tag_advice=TAGS, optional_keys=OPTIONAL_KEYS)

EXERCISES = [
    Exercise(
        name="spatial_batchnorm_forward",
        kind="forward",
        params=("x", "gamma", "beta", "bn_param"),
        reference=L.spatial_batchnorm_forward,
        expected=_expected_out,
        cases=batchnorm_cases,
        outputs=("out", *RUNNING),
        mistakes=batchnorm_forward,
        crash_advice=(GAMMA_ON_ROWS,),
        extras=_running_stats,
        updates={"bn_param": RUNNING},
        unstored=UNSTORED,
        hints=(
            "Spatial batch norm normalizes each channel with one mean and one variance taken over\n"
            "all samples and positions of that channel: axes (0, 2, 3), i.e. (N, H, W).",
            "Train mode: mean = x.mean(axis=(0, 2, 3)), var = x.var(axis=(0, 2, 3)) (biased);\n"
            "xhat = (x - mean) / np.sqrt(var + eps), reshaping the (C,) statistics to (1, C, 1, 1);\n"
            "out = gamma * xhat + beta, with gamma and beta as (1, C, 1, 1).",
            "Train mode also updates bn_param: running_mean = momentum * running_mean +\n"
            "(1 - momentum) * mean (the same for running_var with var). Start from zeros and ones\n"
            "if they are missing; store them back in bn_param. Read eps and momentum from bn_param\n"
            "(defaults 1e-5 and 0.9).",
            "Test mode normalizes with bn_param's running_mean and running_var instead, and changes\n"
            "nothing. Or reshape to 2-D: x.transpose(0, 2, 3, 1).reshape(-1, C) puts one channel per\n"
            "column (x.reshape(-1, C) alone would mix channels).",
        ),
        **_FAMILY,
    ),
    Exercise(
        name="spatial_batchnorm_backward",
        kind="backward",
        params=("dout", "cache"),
        reference=L.spatial_batchnorm_backward,
        expected=_expected_grads,
        cases=lambda: batchnorm_cases(modes=("train",)),  # as lesson 5 says (and CS231n's has no test mode)
        outputs=("dx", "dgamma", "dbeta"),
        inputs=("x", "gamma", "beta"),
        forward="spatial_batchnorm_forward",
        mistakes=batchnorm_backward,
        hints=(
            "Start from the end: out = gamma * xhat + beta gives dbeta = sum of dout and\n"
            "dgamma = sum of dout * xhat, both over (N, H, W), returned in the shape gamma had.",
            "dxhat = dout * gamma. If mean and variance were constants, dx would be dxhat / std,\n"
            "but in train mode they depend on every x of the channel, which adds two more terms.\n"
            "(In test mode they are constants, the running values, and dx = dxhat / std; the check\n"
            "runs train mode only.)",
            "With M = N*H*W elements per channel and means over (0, 2, 3):\n"
            "dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / np.sqrt(var + eps).\n"
            "(The fully connected version divides its sums by N; here every mean is over M = N*H*W.)",
            "Keep what you need in the forward's cache: xhat, gamma and 1/std (or x, mean, var, eps).",
        ),
        **_FAMILY,
    ),
]
