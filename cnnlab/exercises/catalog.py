"""The exercises of the lessons: for each, its reference, its cases and what to compare.

Cases are built from the tables in ``cnnlab.cases`` (one line there is one more case
here), each with its own fixed seed, so every run checks the same numbers.

Kinds of exercise:
- "value":    the function returns one array or number, compared with the reference's;
- "forward":  ``f(*args) -> (out, cache)``; out is compared (batch norm: the running
              statistics it leaves in bn_param too);
- "backward": ``f(dout, cache) -> gradients``, cache from the student's forward (or the
              reference forward); compared with the reference gradients and with the
              numerical gradient of the forward.
- "loss":     a whole network's ``f(params, X, y=None, reg=0.0)``: scores when y is None,
              else ``(loss, grads)``; scores, loss and every gradient are compared with
              the reference's, and the gradients with the numerical gradient of the
              student's own loss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cnnlab import cases as tables
from cnnlab import im2col as im2col_module
from cnnlab import layers as L
from cnnlab import shapes
from cnnlab.exercises import diagnose, mistakes
from cnnlab.model import ThreeLayerConvNet

__all__ = ["Case", "Exercise", "EXERCISES", "get", "answer_key"]

# What grading hides (see Exercise.answer_key). A family's exercises share it: the im2col
# version of a naive exercise, or group norm on transposed axes, is the same answer.
# conv_output_size has none: its answer is the formula the lesson prints in a box, and the
# validation in cnnlab.shapes, which every layer and template calls, computes it.
CONV_KEY = (
    "cnnlab.layers.conv:*",
    "cnnlab.im2col:im2col",
    "cnnlab.im2col:col2im",
    "cnnlab.im2col:columns",
    "cnnlab.im2col:fold",
    "cnnlab.im2col:windows",
)
POOL_KEY = ("cnnlab.layers.pool:*",)
NORM_KEY = ("cnnlab.layers.norm:*",)
CONVNET_KEY = (
    "cnnlab.model:ThreeLayerConvNet.loss",
    "cnnlab.model:ThreeLayerConvNet._forward",
    "cnnlab.model:ThreeLayerConvNet._backward",
)


@dataclass(frozen=True)
class Case:
    """One set of arguments an exercise is checked on.

    ``build()`` makes the positional arguments afresh (same numbers every time); ``tags``
    name the case's notable features, most telling first ("padding", "stride > 1", ...);
    ``numerical`` is False where a numerical gradient is meaningless (ties in max pooling).
    """

    label: str
    describe: str
    build: Callable[[], tuple]
    tags: tuple = ()
    numerical: bool = True


@dataclass(frozen=True)
class Exercise:
    """One exercise: what the student writes, what it is compared with, and how to diagnose it."""

    name: str
    lesson: int
    kind: str  # "value", "forward" or "backward"
    signature: str
    reference: Callable  # what exercises.reference(name) gives: the readable implementation
    expected: Callable  # args (or args, dout) -> dict of the right outputs (fast, same numbers)
    cases: Callable[[], list]
    outputs: tuple  # names of the returned values, in order
    axes: dict = field(default_factory=dict)  # output name -> axis letters, for "wrong only at n = 1"
    inputs: tuple = ()  # backward: names of the forward's arguments that get a gradient
    forward: str | None = None  # backward: the matching forward exercise
    mistakes: Callable | None = None  # (args, dout) -> [(output, sentence, array)]
    regions: Callable | None = None  # (args, output) -> {phrase: (mask, advice)}
    extras: Callable | None = None  # forward: (args after the call) -> {output: value} (running stats)
    sizes: Callable | None = None  # args -> [(I, K, S, P, D) per spatial axis] of the output "out"
    exact: bool = False  # compare integers exactly (output sizes)
    size_formula: str = diagnose.SIZE_FORMULA  # the output-size formula the lesson gives, quoted by size mistakes
    # "module:function" (or "module:*", "module:Class.method") of cnnlab's code that computes the
    # answer: the grading sandbox replaces it, so a submission can neither call nor read it there
    answer_key: tuple = ()


def _rng(family: str, index: int) -> np.random.Generator:
    """The generator of one case: fixed, different for every case and family."""
    return np.random.default_rng([sum(map(ord, family)), index])


# ---------------------------------------------------------------------------------------------
# Tags: what is notable about a geometry (used to say "every case with padding fails")


def _conv_tags(case: tables.ConvCase) -> tuple:
    stride = shapes.check_pair("stride", case.stride, 1)
    pad = shapes.check_pair("pad", case.pad, 0)
    dilation = shapes.check_pair("dilation", case.dilation, 1)
    N, C, H, W = case.x_shape
    F, _, HH, WW = case.w_shape
    tags = []
    if pad != (0, 0):
        tags.append("padding")
    if stride != (1, 1):
        tags.append("stride > 1")
    if dilation != (1, 1):
        tags.append("dilation > 1")
    if any(isinstance(v, tuple) for v in (case.stride, case.pad, case.dilation)):
        tags.append("an (h, w) pair in conv_param")
    if H != W or HH != WW:
        tags.append("a rectangular input or filter")
    if any((n + 2 * p - d * (k - 1) - 1) % s for n, k, s, p, d in zip((H, W), (HH, WW), stride, pad, dilation)):
        tags.append("a stride that leaves the last rows or columns out")
    if N == 1:
        tags.append("one sample")
    if C == 1:
        tags.append("one channel")
    if HH == WW == 1:
        tags.append("a 1x1 filter")
    return tuple(tags)


def _conv_describe(case: tables.ConvCase) -> str:
    text = f"x {case.x_shape}, w {case.w_shape}, stride={case.stride}, pad={case.pad}"
    return text + (f", dilation={case.dilation}" if case.dilation != 1 else "")


def _pool_tags(case: tables.PoolCase) -> tuple:
    stride = shapes.check_pair("stride", case.stride, 1)
    N, C, H, W = case.x_shape
    tags = []
    if stride[0] < case.pool_height or stride[1] < case.pool_width:
        tags.append("overlapping windows")
    if case.ties:
        tags.append("ties (equal maxima in a window)")
    if isinstance(case.stride, tuple):
        tags.append("a stride given as an (h, w) pair")
    if case.pool_height != case.pool_width or H != W:
        tags.append("a rectangular input or window")
    if (H - case.pool_height) % stride[0] or (W - case.pool_width) % stride[1]:
        tags.append("a stride that leaves the last rows or columns out")
    if N == 1:
        tags.append("one sample")
    return tuple(tags)


def _pool_describe(case: tables.PoolCase) -> str:
    text = f"x {case.x_shape}, pool {case.pool_height}x{case.pool_width}, stride={case.stride}"
    return text + (", with ties" if case.ties else "")


def _norm_tags(case: tables.NormCase) -> tuple:
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


# ---------------------------------------------------------------------------------------------
# Cases of each exercise


def conv_cases() -> list:
    """conv_forward_* / conv_backward_*: (x, w, b, conv_param), one per row of CONV_CASES."""
    found = []
    for i, case in enumerate(tables.CONV_CASES):

        def build(case=case, i=i):
            x, w, b = case.arrays(_rng("conv", i))
            return x, w, b, dict(case.conv_param)

        found.append(Case(case.name, _conv_describe(case), build, _conv_tags(case)))
    return found


def pool_cases() -> list:
    """max_pool_*: (x, pool_param), one per row of POOL_CASES; no numerical gradient with ties."""
    found = []
    for i, case in enumerate(tables.POOL_CASES):

        def build(case=case, i=i):
            return (*case.arrays(_rng("pool", i)), dict(case.pool_param))

        found.append(Case(case.name, _pool_describe(case), build, _pool_tags(case), numerical=not case.ties))
    return found


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
                rng = _rng("batchnorm " + label, i)
                x, gamma, beta = case.arrays(rng)
                return x, gamma, beta, make(rng, case.x_shape[1])

            describe = f"x {case.x_shape}, gamma {'(1, C, 1, 1)' if case.gamma_4d else '(C,)'}, mode {label}"
            found.append(Case(f"{case.name}, {label}", describe, build, (*mode_tags, *_norm_tags(case))))
    return found


def groupnorm_cases() -> list:
    """spatial_groupnorm_*: (x, gamma, beta, G, gn_param) for each row of GROUPNORM_CASES, and the
    first row again with eps=1e-3."""
    found = []
    variants = [("", {}, None), (", eps=1e-3", {"eps": 1e-3}, 1)]
    for suffix, gn_param, limit in variants:
        for i, case in enumerate(tables.GROUPNORM_CASES[:limit]):

            def build(case=case, i=i, gn_param=gn_param, suffix=suffix):
                x, gamma, beta = case.arrays(_rng("groupnorm" + suffix, i))
                return x, gamma, beta, case.groups, dict(gn_param)

            describe = f"x {case.x_shape}, G={case.groups}, gamma {'(1, C, 1, 1)' if case.gamma_4d else '(C,)'}"
            tags = _norm_tags(case) + (("eps given",) if gn_param else ())
            found.append(Case(case.name + suffix, describe + suffix, build, tags))
    return found


def im2col_cases() -> list:
    """im2col: (x, HH, WW, stride, pad, dilation) for each row of CONV_CASES."""
    found = []
    for i, case in enumerate(tables.CONV_CASES):

        def build(case=case, i=i):
            x, _, _ = case.arrays(_rng("conv", i))
            return x, case.w_shape[2], case.w_shape[3], case.stride, case.pad, case.dilation

        describe = _conv_describe(case).replace(f"w {case.w_shape}", f"filter {case.w_shape[2]}x{case.w_shape[3]}")
        found.append(Case(case.name, describe, build, _conv_tags(case)))
    return found


def col2im_cases() -> list:
    """col2im: (cols, x_shape, HH, WW, stride, pad, dilation) for each row of CONV_CASES."""
    found = []
    for i, case in enumerate(tables.CONV_CASES):

        def build(case=case, i=i):
            N, C = case.x_shape[:2]
            HH, WW = case.w_shape[2:]
            Ho, Wo = shapes.check_conv_inputs(
                np.zeros(case.x_shape), np.zeros(case.w_shape), np.zeros(case.w_shape[0]), case.conv_param
            )[-1]
            cols = _rng("col2im", i).standard_normal((N, C * HH * WW, Ho * Wo))
            return cols, case.x_shape, HH, WW, case.stride, case.pad, case.dilation

        describe = _conv_describe(case).replace(f"w {case.w_shape}", f"filter {case.w_shape[2]}x{case.w_shape[3]}")
        found.append(Case(case.name, describe.replace("x (", "x_shape ("), build, _conv_tags(case)))
    return found


def output_size_cases() -> list:
    """conv_output_size: (size, kernel, stride, pad, dilation) for each axis of every CONV_CASES
    and POOL_CASES row, without repeats."""
    found, seen = [], set()
    for case in tables.CONV_CASES:
        stride, pad, dilation = (
            shapes.check_pair(n, getattr(case, n), m) for n, m in (("stride", 1), ("pad", 0), ("dilation", 1))
        )
        for axis, a in (("height", 0), ("width", 1)):
            found.append(
                (f"{case.name}, {axis}", (case.x_shape[2 + a], case.w_shape[2 + a], stride[a], pad[a], dilation[a]))
            )
    for case in tables.POOL_CASES:
        stride = shapes.check_pair("stride", case.stride, 1)
        for axis, a, k in (("height", 0, case.pool_height), ("width", 1, case.pool_width)):
            found.append((f"pooling {case.name}, {axis}", (case.x_shape[2 + a], k, stride[a], 0, 1)))
    unique = []
    for label, args in found:
        if args in seen:
            continue
        seen.add(args)
        size, kernel, stride, pad, dilation = args
        tags = tuple(
            t for t, on in (("padding", pad), ("stride > 1", stride > 1), ("dilation > 1", dilation > 1)) if on
        )
        if (size + 2 * pad - dilation * (kernel - 1) - 1) % stride:
            tags += ("a stride that does not divide evenly",)
        describe = f"size={size}, kernel={kernel}, stride={stride}, pad={pad}, dilation={dilation}"
        unique.append(Case(label, describe, lambda args=args: args, tags))
    return unique


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
            rng = _rng("convnet", i)
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


# ---------------------------------------------------------------------------------------------
# Expected outputs (fast reference layers; the same numbers as the readable ones)


def _conv_out(args):
    return {"out": L.conv_forward_im2col(*args)[0]}


def _conv_grads(args, dout):
    _, cache = L.conv_forward_im2col(*args)
    return dict(zip(("dx", "dw", "db"), L.conv_backward_im2col(dout, cache)))


def _pool_out(args):
    return {"out": L.max_pool_forward_im2col(*args)[0]}


def _pool_grads(args, dout):
    _, cache = L.max_pool_forward_im2col(*args)
    return {"dx": L.max_pool_backward_im2col(dout, cache)}


def _bn_out(args):
    x, gamma, beta, bn_param = args
    param = dict(bn_param)
    out, _ = L.spatial_batchnorm_forward(x, gamma, beta, param)
    C = x.shape[1]
    running = shapes.check_bn_param(dict(param), C, x.dtype)
    return {"out": out, "running_mean": running["running_mean"], "running_var": running["running_var"]}


def _bn_extras(args):
    """The running statistics the student's forward left in bn_param (None if absent)."""
    bn_param = args[3]
    if not isinstance(bn_param, dict):
        return {"running_mean": None, "running_var": None}
    return {"running_mean": bn_param.get("running_mean"), "running_var": bn_param.get("running_var")}


def _bn_grads(args, dout):
    x, gamma, beta, bn_param = args
    _, cache = L.spatial_batchnorm_forward(x, gamma, beta, dict(bn_param))
    return dict(zip(("dx", "dgamma", "dbeta"), L.spatial_batchnorm_backward(dout, cache)))


def _gn_out(args):
    return {"out": L.spatial_groupnorm_forward(*args)[0]}


def _gn_grads(args, dout):
    _, cache = L.spatial_groupnorm_forward(*args)
    return dict(zip(("dx", "dgamma", "dbeta"), L.spatial_groupnorm_backward(dout, cache)))


def _convnet_out(args):
    params, X, y, reg = args
    loss, grads = three_layer_convnet_loss(params, X, y, reg)
    found = {"scores": three_layer_convnet_loss(params, X), "loss": loss}
    found.update((f"grads['{name}']", grads[name]) for name in CONVNET_PARAMS)
    return found


def _im2col_out(args):
    return {"cols": im2col_module.im2col(*args)}


def _col2im_out(args):
    return {"x": im2col_module.col2im(*args)}


def _output_size(args):
    return {"size": shapes.conv_output_size(*args)}


def _conv_sizes(args):
    x, w, _, conv_param = args
    p = {**shapes.CONV_PARAM_DEFAULTS, **conv_param}
    stride, pad, dilation = (shapes.check_pair(k, p[k], m) for k, m in (("stride", 1), ("pad", 0), ("dilation", 1)))
    return [(x.shape[2 + a], w.shape[2 + a], stride[a], pad[a], dilation[a]) for a in (0, 1)]


def _pool_sizes(args):
    x, pool_param = args
    stride = shapes.check_pair("stride", pool_param["stride"], 1)
    kernel = (pool_param["pool_height"], pool_param["pool_width"])
    return [(x.shape[2 + a], kernel[a], stride[a], 0, 1) for a in (0, 1)]


CONV_AXES = {"out": ("n", "f", "i", "j"), "dx": ("n", "c", "h", "w"), "dw": ("f", "c", "p", "q")}
POOL_AXES = {"out": ("n", "c", "i", "j"), "dx": ("n", "c", "h", "w")}
NORM_AXES = {"out": ("n", "c", "h", "w"), "dx": ("n", "c", "h", "w")}

_CONV_FORWARD_SIGNATURE = "{}(x, w, b, conv_param) -> (out, cache)"
_CONV_BACKWARD_SIGNATURE = "{}(dout, cache) -> (dx, dw, db)"

EXERCISES = [
    Exercise(
        "conv_output_size",
        1,
        "value",
        "conv_output_size(size, kernel, stride, pad, dilation) -> int",
        shapes.conv_output_size,
        _output_size,
        output_size_cases,
        ("size",),
        sizes=lambda args: [args],
        exact=True,
    ),
    Exercise(
        "conv_forward_naive",
        2,
        "forward",
        _CONV_FORWARD_SIGNATURE.format("conv_forward_naive"),
        L.conv_forward_naive,
        _conv_out,
        conv_cases,
        ("out",),
        CONV_AXES,
        mistakes=mistakes.conv_forward,
        regions=mistakes.conv_regions,
        sizes=_conv_sizes,
        answer_key=CONV_KEY,
    ),
    Exercise(
        "conv_backward_naive",
        2,
        "backward",
        _CONV_BACKWARD_SIGNATURE.format("conv_backward_naive"),
        L.conv_backward_naive,
        _conv_grads,
        conv_cases,
        ("dx", "dw", "db"),
        CONV_AXES,
        inputs=("x", "w", "b"),
        forward="conv_forward_naive",
        mistakes=mistakes.conv_backward,
        regions=mistakes.conv_regions,
        answer_key=CONV_KEY,
    ),
    Exercise(
        "im2col",
        3,
        "value",
        "im2col(x, filter_height, filter_width, stride, pad, dilation) -> cols",
        im2col_module.im2col,
        _im2col_out,
        im2col_cases,
        ("cols",),
        {"cols": ("n", "row", "column")},  # row: channel and tap c*HH*WW + p*WW + q; column: position i*W' + j
        mistakes=mistakes.im2col_mistakes,
        regions=mistakes.im2col_regions,
        answer_key=CONV_KEY,
    ),
    Exercise(
        "col2im",
        3,
        "value",
        "col2im(cols, x_shape, filter_height, filter_width, stride, pad, dilation) -> x",
        im2col_module.col2im,
        _col2im_out,
        col2im_cases,
        ("x",),
        {"x": ("n", "c", "h", "w")},
        mistakes=mistakes.col2im_mistakes,
        regions=mistakes.col2im_regions,
        answer_key=CONV_KEY,
    ),
    Exercise(
        "conv_forward_im2col",
        3,
        "forward",
        _CONV_FORWARD_SIGNATURE.format("conv_forward_im2col"),
        L.conv_forward_im2col,
        _conv_out,
        conv_cases,
        ("out",),
        CONV_AXES,
        mistakes=mistakes.conv_forward,
        regions=mistakes.conv_regions,
        sizes=_conv_sizes,
        answer_key=CONV_KEY,
    ),
    Exercise(
        "conv_backward_im2col",
        3,
        "backward",
        _CONV_BACKWARD_SIGNATURE.format("conv_backward_im2col"),
        L.conv_backward_im2col,
        _conv_grads,
        conv_cases,
        ("dx", "dw", "db"),
        CONV_AXES,
        inputs=("x", "w", "b"),
        forward="conv_forward_im2col",
        mistakes=mistakes.conv_backward,
        regions=mistakes.conv_regions,
        answer_key=CONV_KEY,
    ),
    Exercise(
        "max_pool_forward_naive",
        4,
        "forward",
        "max_pool_forward_naive(x, pool_param) -> (out, cache)",
        L.max_pool_forward_naive,
        _pool_out,
        pool_cases,
        ("out",),
        POOL_AXES,
        mistakes=mistakes.pool_forward,
        regions=mistakes.pool_regions,
        sizes=_pool_sizes,
        size_formula=diagnose.POOL_SIZE_FORMULA,
        answer_key=POOL_KEY,
    ),
    Exercise(
        "max_pool_backward_naive",
        4,
        "backward",
        "max_pool_backward_naive(dout, cache) -> dx",
        L.max_pool_backward_naive,
        _pool_grads,
        pool_cases,
        ("dx",),
        POOL_AXES,
        inputs=("x",),
        forward="max_pool_forward_naive",
        mistakes=mistakes.pool_backward,
        regions=mistakes.pool_regions,
        answer_key=POOL_KEY,
    ),
    Exercise(
        "spatial_batchnorm_forward",
        5,
        "forward",
        "spatial_batchnorm_forward(x, gamma, beta, bn_param) -> (out, cache)",
        L.spatial_batchnorm_forward,
        _bn_out,
        batchnorm_cases,
        ("out", "running_mean", "running_var"),
        NORM_AXES,
        mistakes=mistakes.batchnorm_forward,
        extras=_bn_extras,
        answer_key=NORM_KEY,
    ),
    Exercise(
        "spatial_batchnorm_backward",
        5,
        "backward",
        "spatial_batchnorm_backward(dout, cache) -> (dx, dgamma, dbeta)",
        L.spatial_batchnorm_backward,
        _bn_grads,
        lambda: batchnorm_cases(modes=("train",)),
        ("dx", "dgamma", "dbeta"),
        NORM_AXES,
        inputs=("x", "gamma", "beta"),
        forward="spatial_batchnorm_forward",
        mistakes=mistakes.batchnorm_backward,
        answer_key=NORM_KEY,
    ),
    Exercise(
        "spatial_groupnorm_forward",
        6,
        "forward",
        "spatial_groupnorm_forward(x, gamma, beta, G, gn_param) -> (out, cache)",
        L.spatial_groupnorm_forward,
        _gn_out,
        groupnorm_cases,
        ("out",),
        NORM_AXES,
        mistakes=mistakes.groupnorm_forward,
        answer_key=NORM_KEY,
    ),
    Exercise(
        "spatial_groupnorm_backward",
        6,
        "backward",
        "spatial_groupnorm_backward(dout, cache) -> (dx, dgamma, dbeta)",
        L.spatial_groupnorm_backward,
        _gn_grads,
        groupnorm_cases,
        ("dx", "dgamma", "dbeta"),
        NORM_AXES,
        inputs=("x", "gamma", "beta"),
        forward="spatial_groupnorm_forward",
        mistakes=mistakes.groupnorm_backward,
        answer_key=NORM_KEY,
    ),
    Exercise(
        "three_layer_convnet_loss",
        7,
        "loss",
        "three_layer_convnet_loss(params, X, y=None, reg=0.0) -> scores, or (loss, grads) when y is given",
        three_layer_convnet_loss,
        _convnet_out,
        convnet_cases,
        ("scores", "loss", *(f"grads['{name}']" for name in CONVNET_PARAMS)),
        {"scores": ("n", "k")},
        inputs=CONVNET_PARAMS,
        mistakes=lambda args, dout: mistakes.convnet_loss(three_layer_convnet_loss, args),
        answer_key=CONVNET_KEY,
    ),
]

_BY_NAME = {exercise.name: exercise for exercise in EXERCISES}


def answer_key(names) -> dict:
    """``{module: {function or Class.method, or "*"}}``: what grading hides for the exercises ``names``."""
    found: dict = {}
    for name in names:
        for entry in get(name).answer_key:
            module, function = entry.split(":")
            found.setdefault(module, set()).add(function)
    return found


def get(name: str) -> Exercise:
    """The exercise called ``name``, or a ValueError naming the closest ones."""
    import difflib

    if not isinstance(name, str) or name not in _BY_NAME:
        close = difflib.get_close_matches(str(name), list(_BY_NAME), n=3)
        maybe = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"there is no exercise called {name!r}{maybe} The exercises are: {', '.join(_BY_NAME)}")
    return _BY_NAME[name]
