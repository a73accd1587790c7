"""The network exercise of lesson 7, three_layer_convnet_loss: its cases, known mistakes and hints.

A whole network's loss, ``f(params, X, y=None, reg=0.0)``: the check compares the scores,
the loss and every gradient with the reference's (``cnnlab.model.ThreeLayerConvNet``), and
the gradients with the numerical gradient of the student's own loss.
"""

from __future__ import annotations

import numpy as np

from cnnlab import shapes
from cnnlab.exercises.exercise import SHARED_TAGS, Case, Exercise, case_rng
from cnnlab.model import ThreeLayerConvNet

__all__ = ["EXERCISES", "CONVNET", "CONVNET_CASES", "convnet_cases", "three_layer_convnet_loss", "convnet_loss"]

ANSWER_KEY = (
    "cnnlab.model:ThreeLayerConvNet.loss",
    "cnnlab.model:ThreeLayerConvNet._forward",
    "cnnlab.model:ThreeLayerConvNet._backward",
)

CONVNET = {
    "reg missing from loss": (
        "the loss has no regularization term: add 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2) + np.sum(W3**2))"
    ),
    "reg loss doubled": "the regularization term is reg * sum(W**2); it is 0.5 * reg * sum(W**2)",
    "reg missing from grad": (
        "{g} lacks the regularization gradient: add reg * {w} (the gradient of 0.5 * reg * sum({w}**2))"
    ),
    "reg grad doubled": (
        "{g} has the regularization gradient twice, 2 * reg * {w}; the gradient of 0.5 * reg * sum({w}**2) is reg * {w}"
    ),
    "reg on bias": "the biases are regularized too: the L2 term covers W1, W2, W3 only, not b1, b2, b3",
    "reg W1 only": (
        "only W1 is regularized in the loss: the L2 term is 0.5 * reg * (sum(W1**2) + sum(W2**2) + sum(W3**2))"
    ),
    "reg on bias grad": "{g} has a regularization term, reg * {w}; the biases are not regularized",
    "not averaged loss": (
        "the loss is N times too big (N = {n}): the data loss is summed over the batch; average it (divide by N)"
    ),
    "not averaged grad": (
        "{g} is N times too big (N = {n}) apart from the regularization term: the data loss is summed over the "
        "batch, not averaged (dscores must be divided by N, as softmax_loss does)"
    ),
    "other name": (
        "{g} holds the gradient of {other}: the gradients are stored under the wrong names; grads[name] must be "
        "the gradient of the loss with respect to params[name]"
    ),
}
CONVNET_WEIGHTS = ("W1", "W2", "W3")
CONVNET_BIASES = ("b1", "b2", "b3")

TAGS = {
    "reg > 0": (
        "the regularization: 0.5 * reg * sum(W**2) over W1, W2, W3 in the loss, and reg * W in each weight's gradient"
    ),
    **SHARED_TAGS,
    "a rectangular input": "a rectangular input: H and W are used for each other somewhere",
}

# ---------------------------------------------------------------------------------------------
# Cases, and the reference


# The tiny networks three_layer_convnet_loss is checked on:
# (label, N, (C, H, W), F, filter size, hidden units, K classes, reg)
CONVNET_CASES = [
    ("2 images, no regularization", 2, (1, 6, 6), 3, 3, 5, 4, 0.0),
    ("3 images, reg = 0.1", 3, (2, 5, 5), 4, 3, 6, 3, 0.1),
    ("one image, reg = 0.05", 1, (1, 4, 4), 2, 3, 4, 5, 0.05),
    ("rectangular input, 5x5 filters, reg = 0.2", 2, (1, 6, 4), 5, 5, 7, 3, 0.2),
]
CONVNET_PARAMS = ("W1", "b1", "W2", "b2", "W3", "b3")


def convnet_cases() -> list:
    """three_layer_convnet_loss: (params, X, y, reg), one per row of CONVNET_CASES.

    Weights of moderate size (He for W1 and W2, 1/sqrt(fan_in) for W3) and non-zero
    biases, so that every parameter has a gradient and reg applied to a bias shows.
    """
    found = []
    for i, (label, N, (C, H, W), F, HH, hidden, K, reg) in enumerate(CONVNET_CASES):

        def build(i=i, N=N, C=C, H=H, W=W, F=F, HH=HH, hidden=hidden, K=K, reg=reg):
            rng = case_rng("convnet", i)
            pad = (HH - 1) // 2
            Ho, Wo = (shapes.conv_output_size(n, HH, 1, pad) for n in (H, W))
            D = F * (Ho // 2) * (Wo // 2)
            params = {
                "W1": rng.standard_normal((F, C, HH, HH)) * np.sqrt(2 / (C * HH * HH)),
                "b1": 0.1 * rng.standard_normal(F),
                "W2": rng.standard_normal((D, hidden)) * np.sqrt(2 / D),
                "b2": 0.1 * rng.standard_normal(hidden),
                "W3": rng.standard_normal((hidden, K)) / np.sqrt(hidden),
                "b3": 0.1 * rng.standard_normal(K),
            }
            X = rng.standard_normal((N, C, H, W))
            y = rng.integers(K, size=N)
            return params, X, y, reg

        describe = f"X ({N}, {C}, {H}, {W}), {F} filters {HH}x{HH}, {hidden} hidden units, {K} classes, reg={reg:g}"
        tags = tuple(
            t for t, on in (("reg > 0", reg > 0), ("one sample", N == 1), ("a rectangular input", H != W)) if on
        )
        found.append(Case(label, describe, build, tags))
    return found


def three_layer_convnet_loss(params, X, y=None, reg=0.0):
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax, with the weights in ``params``.

    Inputs: params, a dict with W1 (F, C, HH, HH), b1 (F,), W2 (D, H), b2 (H,), W3 (H, K),
    b3 (K,); X (N, C, H_in, W_in); y (N,) integer labels or None; reg, the L2 strength.
    Returns scores (N, K) if y is None, else (loss, grads) with grads keyed like params.
    This is ``cnnlab.model.ThreeLayerConvNet.loss`` (conv stride 1, pad (HH - 1) // 2;
    the loss adds 0.5 * reg * sum(W**2) over W1, W2, W3, not the biases) run on these
    parameters; the filters must be square, as in ThreeLayerConvNet.
    """
    F, C, HH, _ = np.shape(params["W1"])
    hidden, K = np.shape(params["W3"])
    model = ThreeLayerConvNet(
        input_dim=np.shape(X)[1:], num_filters=F, filter_size=HH, hidden_dim=hidden, num_classes=K, reg=reg
    )
    model.params = {name: params[name] for name in CONVNET_PARAMS}
    return model.loss(X, y)


def _expected(args):
    params, X, y, reg = args
    loss, grads = three_layer_convnet_loss(params, X, y, reg)
    found = {"scores": three_layer_convnet_loss(params, X), "loss": loss}
    found.update((f"grads['{name}']", grads[name]) for name in CONVNET_PARAMS)
    return found


# ---------------------------------------------------------------------------------------------
# Mistakes, recomputed


def convnet_loss(args, dout=None):
    """three_layer_convnet_loss: the loss and gradients each regularization, averaging or naming
    mistake gives, from the reference's data loss and data gradients (reg = 0) and the L2 terms."""
    params, X, y, reg = args
    reference = three_layer_convnet_loss
    N = np.shape(X)[0]
    data_loss, data_grads = reference(params, X, y, 0.0)
    _, grads = reference(params, X, y, reg)
    weights = 0.5 * reg * sum(float(np.sum(params[w] ** 2)) for w in CONVNET_WEIGHTS)
    biases = 0.5 * reg * sum(float(np.sum(params[b] ** 2)) for b in CONVNET_BIASES)
    found = [
        ("loss", CONVNET["reg missing from loss"], np.float64(data_loss)),
        ("loss", CONVNET["reg loss doubled"], np.float64(data_loss + 2 * weights)),
        ("loss", CONVNET["reg on bias"], np.float64(data_loss + weights + biases)),
        ("loss", CONVNET["reg W1 only"], np.float64(data_loss + 0.5 * reg * float(np.sum(params["W1"] ** 2)))),
        ("loss", CONVNET["not averaged loss"].format(n=N), np.float64(N * data_loss + weights)),
        ("loss", CONVNET["not averaged loss"].format(n=N), np.float64(N * (data_loss + weights))),
    ]
    for name in (*CONVNET_WEIGHTS, *CONVNET_BIASES):
        g = f"grads['{name}']"
        words = {"g": g, "w": name, "n": N}
        if name in CONVNET_WEIGHTS:
            found.append((g, CONVNET["reg missing from grad"].format(**words), data_grads[name]))
            found.append((g, CONVNET["reg grad doubled"].format(**words), data_grads[name] + 2 * reg * params[name]))
            found.append((g, CONVNET["not averaged grad"].format(**words), N * data_grads[name] + reg * params[name]))
        else:
            found.append((g, CONVNET["reg on bias grad"].format(**words), data_grads[name] + reg * params[name]))
            found.append((g, CONVNET["not averaged grad"].format(**words), N * data_grads[name]))
        found.append((g, CONVNET["not averaged grad"].format(**words), N * grads[name]))
        for other in grads:
            if other != name:
                found.append((g, CONVNET["other name"].format(g=g, other=other), grads[other]))
    return found


EXERCISES = [
    Exercise(
        name="three_layer_convnet_loss",
        lesson=7,
        kind="loss",
        params=("params", "X", "y", "reg"),
        defaults={"y": "None", "reg": "0.0"},
        returns="scores, or (loss, grads) when y is given",
        reference=three_layer_convnet_loss,
        expected=_expected,
        cases=convnet_cases,
        outputs=("scores", "loss", *(f"grads['{name}']" for name in CONVNET_PARAMS)),
        axes={"scores": ("n", "k")},
        inputs=CONVNET_PARAMS,
        mistakes=convnet_loss,
        answer_key=ANSWER_KEY,
        tag_advice=TAGS,
        hints=(
            "Chain the layers of cnnlab.layers, keeping every cache: conv_forward_im2col (or _naive)\n"
            "with conv_param = {'stride': 1, 'pad': (HH - 1) // 2}, relu_forward, max_pool_forward_im2col\n"
            "with {'pool_height': 2, 'pool_width': 2, 'stride': 2}, affine_forward (it flattens the\n"
            "(N, F, H', W') maps itself), relu_forward, affine_forward. If y is None, return the scores.",
            "With labels: data_loss, dscores = layers.softmax_loss(scores, y) (already averaged over\n"
            "the batch), then the backward functions in reverse order, each with the cache of its own\n"
            "forward: affine_backward, relu_backward, affine_backward, max_pool_backward_im2col,\n"
            "relu_backward, conv_backward_im2col.",
            "Store each gradient under its parameter's name: grads['W3'], grads['b3'] from the last\n"
            "affine_backward, grads['W2'], grads['b2'] from the first, grads['W1'], grads['b1'] from the\n"
            "conv backward (its dx is not needed).",
            "Regularize the weights only: loss = data_loss + 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2)\n"
            "+ np.sum(W3**2)), and grads[name] += reg * params[name] for W1, W2, W3 (the 0.5 cancels\n"
            "the 2 of the derivative). The biases get no regularization. Return (loss, grads).",
        ),
    ),
]
