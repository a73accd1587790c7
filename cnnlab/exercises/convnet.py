"""The network exercise of lesson 7, three_layer_convnet_loss: its cases, known mistakes and hints.

A whole network's loss, ``f(params, X, y=None, reg=0.0)``: the check compares the scores,
the loss and every gradient with the reference's (``cnnlab.model.ThreeLayerConvNet``), and
the gradients with the numerical gradient of the student's own loss.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from cnnlab import fast, shapes
from cnnlab.exercises import crashes
from cnnlab.exercises.exercise import SHARED_TAGS, Case, CrashAdvice, Exercise, case_rng
from cnnlab.model import POOL_PARAM, ThreeLayerConvNet

__all__ = ["EXERCISES", "CONVNET", "CONVNET_CASES", "convnet_cases", "three_layer_convnet_loss", "convnet_loss"]

ANSWER_KEY = (
    "cnnlab.model:ThreeLayerConvNet.loss",
    "cnnlab.model:ThreeLayerConvNet._forward",
    "cnnlab.model:ThreeLayerConvNet._backward",
)

CONVNET = {
    "softmax whole batch": (
        "the softmax is normalized over the whole batch (e.sum() without axis): each image's probabilities sum to "
        "1 on their own, e / e.sum(axis=1, keepdims=True)"
    ),
    "bias left out": "{b} is left out of the forward pass: its layer adds it (its gradient is computed, but unused)",
    "loss over N*K": (
        "the loss is averaged over N*K ({k} classes too, the mean of the one-hot products): it is the mean over the "
        "N images of -log p[y], so sum over the classes, then average over N"
    ),
    "db wrong axis": (
        "{g} is summed over the wrong axis ({how}): a bias gets the sum of its layer's upstream gradient over "
        "everything but its own axis"
    ),
    "grad missing": (
        "grads lacks one of the parameters' names: a gradient is stored under another name (a copy-pasted line "
        "that stores one layer's gradients under another's names?); each layer's backward gives its own W and b"
    ),
    "backward order": (
        "a layer's backward got the gradient of another layer's output: the backward pass goes through the "
        "layers in the reverse order of the forward (affine, ReLU, affine, max pool, ReLU, conv), each with its "
        "own cache"
    ),
    "pad float": (
        "the convolution's pad is (HH - 1) / 2, a float: use integer division, pad = (HH - 1) // 2 (lesson 7's "
        "'same' padding)"
    ),
    "probs alias": (
        "the loss is NaN, as it is when probs changes before the loss reads it: dscores = probs is the same array, "
        "so dscores[range(N), y] -= 1 makes the loss the log of p[y] - 1 < 0; take the loss first, or copy: "
        "dscores = probs.copy()"
    ),
    "db for dw": (
        "a bias's gradient met its weight's reg * W: dw and db are swapped where a layer's backward is unpacked; "
        "affine_backward and conv_backward return (dx, dw, db), in this order"
    ),
    "names shifted": (
        "a gradient of one weight's shape met another weight's reg * W: the gradients are stored under the wrong "
        "names (counting the layers from the top?); grads[name] must be the gradient of the loss with respect to "
        "params[name], grads['W3'] from the last affine layer"
    ),
    "pad HH // 2": (
        "the convolution is padded by HH // 2: for an even filter that is one too many; lesson 7's 'same' "
        "padding is pad = (HH - 1) // 2"
    ),
    "if not y": (
        "y is tested with `if not y` (or `if y`): y is an array of labels, whose truth value is ambiguous; "
        "test mode is `if y is None:`"
    ),
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
    "reg grad halved": (
        "{g} has half the regularization gradient, 0.5 * reg * {w}; the gradient of 0.5 * reg * sum({w}**2) "
        "is reg * {w} (the 0.5 cancels the 2 of the derivative)"
    ),
    "no relu conv": (
        "there is no ReLU after the convolution: the layers are conv - relu - 2x2 max pool - affine - relu - affine"
    ),
    "no relu hidden": (
        "there is no ReLU after the hidden affine layer: the layers are conv - relu - 2x2 max pool - affine - relu "
        "- affine"
    ),
    "relu on scores": "the scores go through a ReLU; the last affine layer gives the scores directly, with no ReLU",
    "relu1 backward skipped": (
        "the backward skips the ReLU after the convolution: dout = relu_backward(dout, its cache) after "
        "max_pool_backward_im2col, before conv_backward_im2col"
    ),
    "relu2 backward skipped": (
        "the backward skips the hidden ReLU: dout = relu_backward(dout, its cache) between the two "
        "affine_backward calls"
    ),
    "relus backward skipped": (
        "the backward skips both ReLUs: each relu_forward needs its relu_backward, with its own cache, in reverse order"
    ),
    "no log": "the data loss has no log: it is -mean(log(p[n, y[n]])), p the softmax probabilities (softmax_loss)",
    "softmax over batch": (
        "the softmax is taken over the batch (axis 0); each image's scores are normalized over its classes, axis 1 "
        "(softmax_loss does it)"
    ),
    "grad transposed": "{g} is transposed; it has the shape of {w}: for an affine layer, dW = x.T @ dout",
    "no conv padding": (
        "the convolution is not padded: pad = (HH - 1) // 2 keeps H and W ('same' padding), and W2 expects the "
        "pooled maps of that size"
    ),
    "pool stride 1": ("the max pooling moves by 1; it is 2x2 with stride 2: pool_height = pool_width = stride = 2"),
    "no pool": (
        "the max pooling is missing: conv - relu - 2x2 max pool (stride 2) - affine - relu - affine; W2 expects the "
        "pooled maps"
    ),
    "pad fixed": "the padding is fixed at 1; it depends on the filter size: pad = (HH - 1) // 2",
    "reg subset": (
        "the regularization term of the loss covers {names}; it is 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2) + "
        "np.sum(W3**2)): the three weights, and no biases"
    ),
    "probs[:, y]": (
        "the loss picks probs[:, y], an N x N block (every image's probability of every image's label); each "
        "image's own: probs[np.arange(N), y] (and dscores[np.arange(N), y] -= 1)"
    ),
    "onehot kept": (
        "dscores is the softmax probabilities without the 1 subtracted at the right class: "
        "dscores[np.arange(N), y] -= 1, then divide by N"
    ),
    "channels last": (
        "the pooled maps are flattened channels last (transposed to (N, H', W', F) first); affine_forward "
        "flattens (N, F, H', W') as it is, x.reshape(N, -1), as W2 expects"
    ),
    "other name": (
        "{g} holds the gradient of {other}: the gradients are stored under the wrong names; grads[name] must be "
        "the gradient of the loss with respect to params[name]"
    ),
    "w3 pre relu": (
        "grads['W3'] is computed from the hidden layer before its ReLU: the last affine layer's input is the "
        "hidden layer after the ReLU, so dW3 = relu(h).T @ dscores (the cache of the last affine_forward)"
    ),
    "pool pre relu": (
        "the max pooling's backward is given the convolution's output before the ReLU: the pooling's input is "
        "the ReLU's output, so its cache (and the maxima) are of relu(conv)"
    ),
    "relu mask upstream": (
        "the backward of the {which} ReLU masks with the sign of the upstream gradient (dout > 0); it masks with "
        "its forward input: dout * (x > 0), x from the ReLU's cache"
    ),
    "relu times value": (
        "the backward of the {which} ReLU multiplies by the ReLU's output; it multiplies by 1 where the input "
        "is positive and 0 elsewhere: dout * (x > 0)"
    ),
    "reg scaled": (
        "the regularization {what} is {how}: the loss is data_loss + 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2) + "
        "np.sum(W3**2)), only the data loss is averaged over the batch, and grads[W] += reg * W"
    ),
    "data grad twice": (
        "{g} is divided by N twice apart from the regularization term: dscores is divided by N once "
        "(softmax_loss already does it): a mean over the batch where the sum is right, e.g. dscores.mean(axis=0)"
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
    "an even filter size": (
        "the conv's padding: pad = (HH - 1) // 2, as lesson 7 gives it (for an even HH that is not HH // 2), "
        "and the sizes that follow from it"
    ),
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
    ("2x2 filters (pad (HH - 1) // 2 = 0)", 2, (1, 5, 5), 3, 2, 4, 3, 0.0),
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
            t
            for t, on in (
                ("reg > 0", reg > 0),
                ("one sample", N == 1),
                ("a rectangular input", H != W),
                ("an even filter size", HH % 2 == 0),
            )
            if on
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


# Mistakes in the layers, recomputed by _network: (sentence, keyword arguments)
_VARIANTS = [
    (CONVNET["no relu conv"], {"relu1": False}),
    (CONVNET["no relu hidden"], {"relu2": False}),
    (CONVNET["relu on scores"], {"relu_scores": True}),
    (CONVNET["relu1 backward skipped"], {"back1": False}),
    (CONVNET["relu2 backward skipped"], {"back2": False}),
    (CONVNET["relus backward skipped"], {"back1": False, "back2": False}),
    (CONVNET["no log"], {"loss": "no log"}),
    (CONVNET["softmax over batch"], {"loss": "axis 0"}),
    (CONVNET["softmax whole batch"], {"loss": "whole batch"}),
    (CONVNET["softmax whole batch"], {"loss": "whole batch global shift"}),
    *((CONVNET["bias left out"].format(b=b), {"no_bias": (b,)}) for b in CONVNET_BIASES),
    (CONVNET["probs[:, y]"], {"loss": "probs[:, y]"}),
    (CONVNET["onehot kept"], {"loss": "onehot kept"}),
    (CONVNET["channels last"], {"last": True}),
    (CONVNET["w3 pre relu"], {"w3_input": "pre"}),
    (CONVNET["pool pre relu"], {"pool_input": "pre"}),
    (CONVNET["relu mask upstream"].format(which="hidden"), {"relu2_back": "upstream"}),
    (CONVNET["relu mask upstream"].format(which="convolution's"), {"relu1_back": "upstream"}),
    (CONVNET["relu times value"].format(which="hidden"), {"relu2_back": "value"}),
    (CONVNET["relu times value"].format(which="convolution's"), {"relu1_back": "value"}),
]


def _relu_back(dout, cache, kind):
    """relu_backward, or a student's slip: "upstream" (masks with dout > 0), "value" (times relu(x))."""
    if kind == "upstream":
        return dout * (dout > 0)
    if kind == "value":
        return dout * np.maximum(cache, 0)
    return fast.relu_backward(dout, cache)


def _network(
    params,
    X,
    y,
    reg,
    relu1=True,
    relu2=True,
    relu_scores=False,
    back1=True,
    back2=True,
    loss="right",
    last=False,
    w3_input="post",
    pool_input="post",
    relu1_back="right",
    relu2_back="right",
    pad=None,
    no_bias=(),
    record=None,
):
    """(scores, loss, grads) of the network with one layer or loss changed (loss and grads None if y is None)."""
    W1, b1, W2, b2, W3, b3 = (
        np.zeros_like(params[name]) if name in no_bias else params[name] for name in CONVNET_PARAMS
    )
    pad = (W1.shape[2] - 1) // 2 if pad is None else pad
    out, conv_cache = fast.conv_forward_im2col(X, W1, b1, {"stride": 1, "pad": pad})
    conv_out = out
    if relu1:
        out, relu1_cache = fast.relu_forward(out)
    out, pool_cache = fast.max_pool_forward_im2col(out, POOL_PARAM)
    if pool_input == "pre":  # the pooling's backward given the convolution's output before the ReLU
        pool_cache = fast.max_pool_forward_im2col(conv_out, POOL_PARAM)[1]
    if last:
        out = out.transpose(0, 2, 3, 1)
    out, affine2_cache = fast.affine_forward(out, W2, b2)
    hidden = out
    if relu2:
        out, relu2_cache = fast.relu_forward(out)
    scores, affine3_cache = fast.affine_forward(out, W3, b3)
    if w3_input == "pre":  # dW3 from the hidden layer before its ReLU
        affine3_cache = fast.affine_forward(hidden, W3, b3)[1]
    if relu_scores:
        scores, relu3_cache = fast.relu_forward(scores)
    if y is None:
        return scores, None, None
    N = scores.shape[0]
    if loss == "right":
        data_loss, dscores = fast.softmax_loss(scores, y)
    else:  # the student's own softmax: probabilities, the loss from them, dscores = (p - onehot) / N
        axis = 0 if loss == "axis 0" else 1
        if loss == "whole batch global shift":
            p = np.exp(scores - scores.max())
        else:
            p = np.exp(scores - scores.max(axis=axis, keepdims=True))
        if loss.startswith("whole batch"):
            p /= p.sum()
        else:
            p /= p.sum(axis=axis, keepdims=True)
        rows = slice(None) if loss == "probs[:, y]" else np.arange(N)
        right = p[rows, y]
        data_loss = -np.mean(right) if loss == "no log" else -np.mean(np.log(right))
        dscores = p.copy()
        if loss != "onehot kept":
            dscores[rows, y] -= 1
        dscores /= N
        if loss == "no log":  # the gradient of the loss it returns
            dscores = -(right[:, None] * ((np.arange(p.shape[1]) == y[:, None]) - p)) / N
    if relu_scores:
        dscores = fast.relu_backward(dscores, relu3_cache)
    grads = {}
    if record is not None:
        record["b3"] = dscores
    dout, grads["W3"], grads["b3"] = fast.affine_backward(dscores, affine3_cache)
    if relu2 and back2:
        dout = _relu_back(dout, relu2_cache, relu2_back)
    if record is not None:
        record["b2"] = dout
    dout, grads["W2"], grads["b2"] = fast.affine_backward(dout, affine2_cache)
    if last:
        dout = dout.transpose(0, 3, 1, 2)
    dout = fast.max_pool_backward_im2col(dout, pool_cache)
    if relu1 and back1:
        dout = _relu_back(dout, relu1_cache, relu1_back)
    if record is not None:
        record["b1"] = dout
    _, grads["W1"], grads["b1"] = fast.conv_backward_im2col(dout, conv_cache)
    for name in CONVNET_WEIGHTS:
        grads[name] = grads[name] + reg * params[name]
    total = data_loss + 0.5 * reg * sum(float(np.sum(params[w] ** 2)) for w in CONVNET_WEIGHTS)
    return scores, total, grads


def _flattened(args, pad=None, pool=True, pool_stride=2) -> tuple:
    """(F, H'', W''): what reaches W2 with another conv padding or pooling."""
    params, X = args[0], args[1]
    F, _, HH, _ = np.shape(params["W1"])
    pad = (HH - 1) // 2 if pad is None else pad
    sizes = [shapes.conv_output_size(n, HH, 1, pad) for n in np.shape(X)[2:]]
    if pool:
        sizes = [(n - 2) // pool_stride + 1 for n in sizes]
    return (F, *sizes)


def _explains(**geometry):
    def applies(args, message):
        shape = _flattened(args, **geometry)
        right = _flattened(args)
        if shape == right:
            return False
        if min(shape) < 1:
            return "larger than the padded input" in message
        return f"(x.shape[1:] = {shape} flattened)" in message

    return applies


def _explains_even():
    """A crash that a pad of HH // 2 explains: an even filter, with whose wider padding W2 does not fit."""

    def applies(args, message):
        HH = np.shape(args[0]["W1"])[2]
        if HH % 2:
            return False
        shape, right = _flattened(args, pad=HH // 2), _flattened(args)
        size = int(np.prod(shape))
        return shape != right and (f"{shape}" in message or re.search(rf"\b{size}\b", message) is not None)

    return applies


def _pad_float(args, message) -> bool:
    """conv_param['pad'] given as (HH - 1) / 2, a float."""
    HH = args[0]["W1"].shape[2]
    return f"got {(HH - 1) / 2} (float)" in message


def _param_key(args, message) -> bool:
    """A KeyError of a parameter's name: params has them all, so it is grads that lacks one."""
    return message.strip("'\"") in CONVNET_PARAMS


def _bias_and_weight(args, message) -> bool:
    """A broadcast between one layer's bias shape and its weight's: its db where its dw belongs (met reg * W)."""
    shapes_ = set(crashes.message_shapes(message))
    params = args[0]
    return any({tuple(params[f"W{k}"].shape), tuple(params[f"b{k}"].shape)} <= shapes_ for k in (1, 2, 3))


def _two_params(args, message) -> bool:
    """A broadcast between the shapes of two different weights: a gradient stored under another one's name
    met that one's reg * W."""
    shapes_ = set(crashes.message_shapes(message)[:2])
    owners = [name for name in CONVNET_WEIGHTS if tuple(args[0][name].shape) in shapes_]
    return "broadcast together" in message and len(shapes_) == 2 and len(owners) == 2


CRASHES = tuple(
    CrashAdvice(kind=ValueError, text=text, tag="", advice=CONVNET[key], applies=_explains(**geometry))
    for key, geometry in (
        ("no conv padding", {"pad": 0}),
        ("pad fixed", {"pad": 1}),
        ("pool stride 1", {"pool_stride": 1}),
        ("no pool", {"pool": False}),
    )
    for text in ("w must have shape (D, M)", "larger than the padded input")
) + (
    CrashAdvice(
        kind=ValueError,
        text="truth value of an array",
        tag="",
        advice=CONVNET["if not y"],
        applies=lambda args, message: args[2] is not None and np.size(args[2]) > 1,
    ),
    CrashAdvice(kind=ValueError, text="", tag="", advice=CONVNET["pad HH // 2"], applies=_explains_even()),
    CrashAdvice(kind=TypeError, text="(float)", tag="", advice=CONVNET["pad float"], applies=_pad_float),
    CrashAdvice(kind=KeyError, text="", tag="", advice=CONVNET["grad missing"], applies=_param_key),
    CrashAdvice(
        kind=ValueError,
        text="dout must have the shape of the forward output",
        tag="",
        advice=CONVNET["backward order"],
        applies=lambda args, message: True,
    ),
    CrashAdvice(kind=ValueError, text="broadcast", tag="", advice=CONVNET["names shifted"], applies=_two_params),
    CrashAdvice(kind=ValueError, text="broadcast", tag="", advice=CONVNET["db for dw"], applies=_bias_and_weight),
)


_LAST: dict = {}  # the last case's mistakes: each wrong output of a case asks for them again


def convnet_loss(args, dout=None):
    """The mistakes of ``_convnet_loss``, computed once per case (the check asks once per wrong output)."""
    params, X, y, reg = args
    key = (
        np.asarray(X).tobytes(),
        None if y is None else np.asarray(y).tobytes(),
        float(reg),
        tuple((name, np.shape(params[name]), np.asarray(params[name]).tobytes()) for name in CONVNET_PARAMS),
    )
    if key not in _LAST:
        _LAST.clear()
        _LAST[key] = _convnet_loss(args)
    return list(_LAST[key])


def _convnet_loss(args):
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
    named = {(), CONVNET_WEIGHTS, ("W1",), (*CONVNET_WEIGHTS, *CONVNET_BIASES)}  # the sentences above
    for k in range(1, 7):
        for subset in itertools.combinations((*CONVNET_WEIGHTS, *CONVNET_BIASES), k):
            if subset not in named:
                value = data_loss + 0.5 * reg * sum(float(np.sum(params[w] ** 2)) for w in subset)
                found.append(("loss", CONVNET["reg subset"].format(names=", ".join(subset)), np.float64(value)))
    made = {}  # output -> the values of the variants so far: a later one with the same numbers is not claimed
    for sentence, variant in _VARIANTS:
        scores, loss, other = _network(params, X, y, reg, **variant)
        values = {"scores": scores}
        if loss is not None:
            values["loss"] = np.float64(loss)
            values.update((f"grads['{name}']", other[name]) for name in CONVNET_PARAMS)
        for where, value in values.items():
            if not any(np.allclose(value, v, rtol=1e-9, atol=0) for v in made.setdefault(where, [])):
                found.append((where, sentence, value))
            made[where].append(value)
    K = np.shape(params["W3"])[1]
    found.append(("loss", CONVNET["loss over N*K"].format(k=K), np.float64(data_loss / K + weights)))
    found.append(("loss", CONVNET["probs alias"], np.float64(np.nan)))  # -log(p[y] - 1): the log of a negative
    record: dict = {}
    _network(params, X, y, reg, record=record)
    for b, axes in (("b3", (1,)), ("b2", (1,)), ("b1", (1, 2, 3))):
        g = f"grads['{b}']"
        how = f"axis {axes[0]}" if len(axes) == 1 else f"axes {axes}"
        found.append((g, CONVNET["db wrong axis"].format(g=g, how=how), record[b].sum(axis=axes)))
    HH = np.shape(params["W1"])[2]
    if HH % 2 == 0:
        try:
            scores, loss, other = _network(params, X, y, reg, pad=HH // 2)
        except ValueError:  # W2 does not fit what the wider padding makes: a crash, advised in CRASHES
            scores = None
        if scores is not None:
            found.append(("scores", CONVNET["pad HH // 2"], scores))
    for how, k in (("divided by N", 1 / N), ("multiplied by N", N)):
        if reg != 0:
            found.append(
                ("loss", CONVNET["reg scaled"].format(what="term", how=how), np.float64(data_loss + k * weights))
            )
            for name in CONVNET_WEIGHTS:
                g = f"grads['{name}']"
                value = data_grads[name] + k * reg * params[name]
                found.append((g, CONVNET["reg scaled"].format(what=f"gradient of {g}", how=how), value))
    for name in (*CONVNET_WEIGHTS, *CONVNET_BIASES):
        g = f"grads['{name}']"
        words = {"g": g, "w": name, "n": N}
        extra = reg * params[name] if name in CONVNET_WEIGHTS else 0
        found.append((g, CONVNET["data grad twice"].format(**words), data_grads[name] / N + extra))
        if name in ("W2", "W3"):
            found.append((g, CONVNET["grad transposed"].format(**words), grads[name].T))
        if name in CONVNET_WEIGHTS:
            found.append((g, CONVNET["reg grad halved"].format(**words), data_grads[name] + 0.5 * reg * params[name]))
            found.append((g, CONVNET["reg missing from grad"].format(**words), data_grads[name]))
            found.append((g, CONVNET["reg grad doubled"].format(**words), data_grads[name] + 2 * reg * params[name]))
            found.append((g, CONVNET["not averaged grad"].format(**words), N * data_grads[name] + reg * params[name]))
        else:
            found.append((g, CONVNET["reg on bias grad"].format(**words), data_grads[name] + reg * params[name]))
            found.append((g, CONVNET["not averaged grad"].format(**words), N * data_grads[name]))
        found.append((g, CONVNET["not averaged grad"].format(**words), N * grads[name]))
        for other in grads:
            if other != name:  # with its regularization term, or as the layer's backward returns it (without)
                found.append((g, CONVNET["other name"].format(g=g, other=other), grads[other]))
                found.append((g, CONVNET["other name"].format(g=g, other=other), data_grads[other]))
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
        crash_advice=CRASHES,
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
