"""The layer families of cnnlab, one record each: everything the tests, exercises and explorers
need to know about a family, declared in one place.

    for family in FAMILIES:                        # what the generic tests do
        for case in family.cases:
            for mode in family.modes:
                args = family.arguments(case, np.random.default_rng(0), mode)
                for name, forward in family.forward.items():
                    out, cache = forward(*args)

A record lists the family's implementations (naive and im2col; a forward and its backward
share a key), the validation every forward calls first, its case table (``cnnlab.cases``),
how to make a case's arguments, PyTorch's float64 reference (for ``tests/golden/make_golden.py``
and ``tests/test_torch_live.py``), a hypothesis strategy of random cases, the bad inputs
with the error each must raise, its exercises and its explorer. The generic tests
(``tests/test_families.py``, ``tests/test_reference.py``, ``tests/test_torch_live.py``) loop
over ``FAMILIES``; a new family is one more record here plus its own files.

Neither torch nor hypothesis is imported here: ``torch_reference(torch, *args)`` is given the
torch module, ``geometries(st)`` the ``hypothesis.strategies`` module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnlab import cases, fast, shapes
from cnnlab import layers as L

__all__ = ["Family", "FAMILIES", "get", "pair"]


@dataclass(frozen=True, kw_only=True)
class Family:
    """One layer family: its functions, validation, cases, references, exercises and explorer.

    ``arguments(case, rng, mode)`` makes the positional arguments of every forward, afresh;
    ``differentiable`` are the positions among them that get a gradient, named ``gradients``
    in the order the backward returns them. ``bad_inputs`` rows are
    ``(id, change, exception, message regex)``, where ``change(*example) -> arguments`` turns
    the valid ``example`` arguments into bad ones.
    """

    name: str
    lessons: tuple  # the lessons that teach it
    forward: dict  # implementation name -> forward(*args) -> (out, cache); "fast": cnnlab.fast's
    backward: dict  # implementation name -> backward(dout, cache) -> gradients
    validate: Callable  # (*forward arguments): the validation in cnnlab.shapes every forward starts with
    cases: tuple  # the rows of the family's table in cnnlab.cases
    arguments: Callable  # (case, rng, mode) -> forward arguments
    differentiable: tuple  # positions of the forward arguments that get a gradient
    gradients: tuple  # their names, in the order the backward returns them
    torch_reference: Callable  # (torch, *forward arguments, tensors where differentiable) -> output tensor
    geometries: Callable  # (hypothesis.strategies) -> strategy of cases like the table's
    example: Callable  # () -> valid forward arguments that bad_inputs change
    bad_inputs: tuple = ()
    modes: tuple = (None,)  # settings every case is also run under (batch norm: train, test)
    exercises: tuple = ()  # names in cnnlab.exercises
    explorer: str | None = None  # class name in cnnlab.widgets

    def call(self, implementation: str, args, dout):
        """Run one implementation forward then backward: (out, gradients as a tuple)."""
        out, cache = self.forward[implementation](*args)
        grads = self.backward[implementation](dout, cache)
        return out, grads if isinstance(grads, tuple) else (grads,)


def pair(value) -> tuple:
    """An int or an (h, w) pair, as an (h, w) pair (the form PyTorch's functions take)."""
    return tuple(value) if isinstance(value, tuple | list) else (value, value)


# ---------------------------------------------------------------------------------------------
# Convolution (lessons 2, 3)


def _conv_arguments(case: cases.ConvCase, rng, mode=None):
    return (*case.arrays(rng), case.conv_param)


def _conv_torch(torch, x, w, b, conv_param):
    p = {key: pair(conv_param[key]) for key in ("stride", "pad", "dilation")}
    return torch.nn.functional.conv2d(x, w, b, stride=p["stride"], padding=p["pad"], dilation=p["dilation"])


def _conv_geometries(st):
    pairs = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
    pads = st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2)))

    @st.composite
    def conv_cases(draw, max_size=9):
        stride, pad, dilation = draw(pairs), draw(pads), draw(pairs)
        HH, WW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        (ph, pw), (dh, dw) = pair(pad), pair(dilation)
        H = draw(st.integers(max(1, dh * (HH - 1) + 1 - 2 * ph), max_size + 2))
        W = draw(st.integers(max(1, dw * (WW - 1) + 1 - 2 * pw), max_size + 2))
        N, C, F = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
        return cases.ConvCase("random", (N, C, H, W), (F, C, HH, WW), stride=stride, pad=pad, dilation=dilation)

    return conv_cases()


def _conv_example():
    rng = np.random.default_rng(0)
    return rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4), {}


def _conv_param(**param):
    return lambda x, w, b, p: (x, w, b, param)


CONV_BAD_INPUTS = (
    ("x 3-D", lambda x, w, b, p: (x[0], w, b, p), ValueError, r"x must have 4 dimensions \(N, C, H, W\), got 3"),
    ("w 2-D", lambda x, w, b, p: (x, w[0, 0], b, p), ValueError, r"w must have 4 dimensions \(F, C, HH, WW\), got 2"),
    ("b 2-D", lambda x, w, b, p: (x, w, b[None], p), ValueError, r"b must have 1 dimensions \(F,\), got 2"),
    ("channel mismatch", lambda x, w, b, p: (x, w[:, :2], b, p), ValueError, r"w has 2 input channels .* x has 3"),
    ("bias length", lambda x, w, b, p: (x, w, b[:3], p), ValueError, r"b must have shape \(F,\) = \(4,\).*got \(3,\)"),
    ("filter too large", lambda x, w, b, p: (x, np.ones((4, 3, 6, 3)), b, p), ValueError,
     r"filter height 6 is larger than the padded input height 5 \+ 2\*0 = 5"),
    ("dilated filter too large", _conv_param(dilation=3), ValueError, r"filter height 3 \(dilated to 7\) is larger"),
    ("stride 0", _conv_param(stride=0), ValueError, r"conv_param\['stride'\] must be an integer >= 1 .*got 0"),
    ("stride float", _conv_param(stride=1.5), TypeError, r"conv_param\['stride'\] must be an integer >= 1.*got 1.5"),
    ("stride 2.0", _conv_param(stride=2.0), TypeError, r"conv_param\['stride'\].*got 2.0 \(float\)"),
    ("stride bool", _conv_param(stride=True), TypeError, r"conv_param\['stride'\].*got True"),
    ("stride triple", _conv_param(stride=(1, 1, 1)), ValueError, r"conv_param\['stride'\].*with 3 entries"),
    ("stride pair with 0", _conv_param(stride=(2, 0)), ValueError, r"conv_param\['stride'\].*got \(2, 0\)"),
    ("dilation 0", _conv_param(dilation=0), ValueError, r"conv_param\['dilation'\] must be an integer >= 1.*got 0"),
    ("pad negative", _conv_param(pad=-1), ValueError, r"conv_param\['pad'\] must be an integer >= 0.*got -1"),
    ("pad string", _conv_param(pad="same"), TypeError, r"conv_param\['pad'\] must be an integer >= 0.*'same'"),
    ("typo padding", _conv_param(padding=1), ValueError, r"conv_param has an unknown key 'padding'; did you mean 'pad'\?"),
    ("conv_param list", lambda x, w, b, p: (x, w, b, [1, 1]), TypeError, r"conv_param must be a dict, got list"),
    ("complex x", lambda x, w, b, p: (x + 1j, w, b, p), TypeError, r"x must be real-valued, got a complex array"),
    ("string x", lambda x, w, b, p: (np.full((2, 3, 5, 5), "a"), w, b, p), TypeError, r"x must be a numeric array"),
    ("bool w", lambda x, w, b, p: (x, w > 0, b, p), TypeError, r"w must be a numeric array of floats.*bool"),
    ("ragged x", lambda x, w, b, p: ([[1, 2], [3]], w, b, p), TypeError, r"x must be a numeric array"),
    ("empty batch", lambda x, w, b, p: (x[:0], w, b, p), ValueError, r"x must not be empty, got shape \(0, 3, 5, 5\)"),
    ("stride numpy int", _conv_param(stride=np.array(0)), ValueError, r"conv_param\['stride'\] must be an integer >= 1"),
    ("pad numpy pair", _conv_param(pad=np.array([1, -1])), ValueError,
     r"conv_param\['pad'\] must be an integer >= 0.*got array\(\[ 1, -1\]\)"),
)  # fmt: skip

CONV = Family(
    name="conv",
    lessons=(2, 3),
    forward={"naive": L.conv_forward_naive, "im2col": L.conv_forward_im2col},
    backward={"naive": L.conv_backward_naive, "im2col": L.conv_backward_im2col},
    validate=shapes.check_conv_inputs,
    cases=tuple(cases.CONV_CASES),
    arguments=_conv_arguments,
    differentiable=(0, 1, 2),
    gradients=("dx", "dw", "db"),
    torch_reference=_conv_torch,
    geometries=_conv_geometries,
    example=_conv_example,
    bad_inputs=CONV_BAD_INPUTS,
    exercises=("conv_forward_naive", "conv_backward_naive", "conv_forward_im2col", "conv_backward_im2col"),
    explorer="ConvExplorer",
)


# ---------------------------------------------------------------------------------------------
# Max pooling (lesson 4); average pooling shares its arguments and example


def _pool_arguments(case: cases.PoolCase, rng, mode=None):
    return (*case.arrays(rng), case.pool_param)


def _max_pool_torch(torch, x, pool_param):
    window = (pool_param["pool_height"], pool_param["pool_width"])
    return torch.nn.functional.max_pool2d(x, window, stride=pair(pool_param["stride"]))


def _pool_geometries(st):
    strides = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))

    @st.composite
    def pool_cases(draw):
        PH, PW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        N, C = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        H, W = draw(st.integers(PH, 9)), draw(st.integers(PW, 9))
        return cases.PoolCase("random", (N, C, H, W), PH, PW, draw(strides), ties=draw(st.booleans()))

    return pool_cases()


def _pool_example():
    return np.random.default_rng(0).standard_normal((2, 3, 5, 5)), {"pool_height": 2, "pool_width": 2, "stride": 2}


def _pool_param(**changed):
    return lambda x, p: (x, {**p, **changed})


MAX_POOL_BAD_INPUTS = (
    ("x 2-D", lambda x, p: (x[0, 0], p), ValueError, r"x must have 4 dimensions"),
    ("missing stride", lambda x, p: (x, {"pool_height": 2, "pool_width": 2}), ValueError,
     r"pool_param is missing the required key 'stride'"),
    ("typo", _pool_param(pool_size=2), ValueError, r"unknown key 'pool_size'"),
    ("window too large", _pool_param(pool_height=6), ValueError,
     r"the pool window height 6 is larger than the input height 5; use a smaller pool window$"),
    ("height 0", _pool_param(pool_height=0), ValueError, r"pool_param\['pool_height'\] must be an integer >= 1"),
    ("width pair", _pool_param(pool_width=(2, 2)), TypeError, r"pool_param\['pool_width'\] must be an integer"),
    ("stride 0", _pool_param(stride=0), ValueError, r"pool_param\['stride'\] must be an integer >= 1"),
    ("param None", lambda x, p: (x, None), ValueError, r"pool_param is missing the required key 'pool_height'"),
    ("empty x", lambda x, p: (x[:, :0], p), ValueError, r"x must not be empty"),
)  # fmt: skip

MAX_POOL = Family(
    name="max_pool",
    lessons=(4,),
    forward={
        "naive": L.max_pool_forward_naive,
        "im2col": L.max_pool_forward_im2col,
        "fast": fast.max_pool_forward_im2col,
    },
    backward={
        "naive": L.max_pool_backward_naive,
        "im2col": L.max_pool_backward_im2col,
        "fast": fast.max_pool_backward_im2col,
    },
    validate=shapes.check_pool_inputs,
    cases=tuple(cases.POOL_CASES),
    arguments=_pool_arguments,
    differentiable=(0,),
    gradients=("dx",),
    torch_reference=_max_pool_torch,
    geometries=_pool_geometries,
    example=_pool_example,
    bad_inputs=MAX_POOL_BAD_INPUTS,
    exercises=("max_pool_forward_naive", "max_pool_backward_naive"),
    explorer="PoolExplorer",
)


# ---------------------------------------------------------------------------------------------
# Average pooling (lesson 4)


def _avg_pool_torch(torch, x, pool_param):
    window = (pool_param["pool_height"], pool_param["pool_width"])
    stride, pad = pair(pool_param["stride"]), pair(pool_param.get("pad", 0))
    include = pool_param.get("count_include_pad", True)
    return torch.nn.functional.avg_pool2d(x, window, stride, pad, count_include_pad=include)


def _avg_pool_geometries(st):
    strides = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))

    @st.composite
    def avg_pool_cases(draw):
        PH, PW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        pad = draw(
            st.one_of(st.integers(0, min(PH, PW) // 2), st.tuples(st.integers(0, PH // 2), st.integers(0, PW // 2)))
        )
        ph, pw = pair(pad)
        N, C = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        H, W = draw(st.integers(max(1, PH - 2 * ph), 9)), draw(st.integers(max(1, PW - 2 * pw), 9))
        return cases.AvgPoolCase(
            name="random", x_shape=(N, C, H, W), pool_height=PH, pool_width=PW, stride=draw(strides), pad=pad,
            count_include_pad=draw(st.booleans()),
        )  # fmt: skip

    return avg_pool_cases()


AVG_POOL_BAD_INPUTS = (
    *(row for row in MAX_POOL_BAD_INPUTS if row[0] != "window too large"),
    ("window too large", _pool_param(pool_height=6), ValueError,
     r"the pool window height 6 is larger than the padded input height 5 \+ 2\*0 = 5; use a smaller pool window, or more padding$"),
    ("pad over half the window", _pool_param(pad=2), ValueError,
     r"pool_param\['pad'\] must be at most half the pool window, pool_height // 2 = 1 for the height \(PyTorch's limit\), got 2$"),
    ("pad pair over half", _pool_param(pad=(1, 2)), ValueError, r"pool_width // 2 = 1 for the width \(PyTorch's limit\), got \(1, 2\)$"),
    ("pad negative", _pool_param(pad=-1), ValueError, r"pool_param\['pad'\] must be an integer >= 0"),
    ("count_include_pad 1", _pool_param(count_include_pad=1), TypeError, r"pool_param\['count_include_pad'\] must be True or False, got 1"),
    ("ceil_mode", _pool_param(ceil_mode=True), ValueError, r"unknown key 'ceil_mode'"),
    ("divisor_override", _pool_param(divisor_override=4), ValueError, r"unknown key 'divisor_override'"),
)  # fmt: skip

AVG_POOL = Family(
    name="avg_pool",
    lessons=(4,),
    forward={
        "naive": L.avg_pool_forward_naive,
        "im2col": L.avg_pool_forward_im2col,
        "fast": fast.avg_pool_forward_im2col,
    },
    backward={
        "naive": L.avg_pool_backward_naive,
        "im2col": L.avg_pool_backward_im2col,
        "fast": fast.avg_pool_backward_im2col,
    },
    validate=shapes.check_avg_pool_inputs,
    cases=tuple(cases.AVG_POOL_CASES),
    arguments=_pool_arguments,
    differentiable=(0,),
    gradients=("dx",),
    torch_reference=_avg_pool_torch,
    geometries=_avg_pool_geometries,
    example=_pool_example,
    bad_inputs=AVG_POOL_BAD_INPUTS,
    exercises=("avg_pool_forward_naive", "avg_pool_backward_naive"),
    explorer="PoolExplorer",
)


# ---------------------------------------------------------------------------------------------
# Spatial batch normalization (lesson 5) and group normalization (lesson 6)


def _norm_geometries(st, groups: bool):
    @st.composite
    def norm_cases(draw):
        G = draw(st.integers(1, 4)) if groups else None
        C = (G or 1) * draw(st.integers(1, 3))
        N, H, W = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
        shared = C // G * H * W if groups else N * H * W  # elements sharing one mean
        if shared == 1:  # PyTorch refuses to normalize a single value
            N, H = N, H + 1
        return cases.NormCase("random", (N, C, H, W), groups=G, gamma_4d=draw(st.booleans()))

    return norm_cases()


def _batchnorm_arguments(case: cases.NormCase, rng, mode="train"):
    x, gamma, beta = case.arrays(rng)
    C = x.shape[1]
    running = {"running_mean": rng.standard_normal(C), "running_var": rng.uniform(0.5, 2.0, C)}
    return x, gamma, beta, {"mode": mode, **running}


def _check_batchnorm(x, gamma, beta, bn_param):
    x, gamma, beta = shapes.check_norm_inputs(x, gamma, beta)
    return x, gamma, beta, shapes.check_bn_param(bn_param, x.shape[1], x.dtype)


def _batchnorm_torch(torch, x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    running = [torch.tensor(bn_param[key]) for key in ("running_mean", "running_var")]
    # PyTorch's momentum is the weight of the new value: cnnlab's 0.9 is its 0.1.
    return torch.nn.functional.batch_norm(
        x,
        *running,
        gamma.reshape(-1),
        beta.reshape(-1),
        training=bn_param["mode"] == "train",
        momentum=1 - momentum,
        eps=eps,
    )


def _norm_example():
    return np.random.default_rng(0).standard_normal((2, 3, 5, 5)), np.ones(3), np.zeros(3)


def _bn(**param):
    return lambda x, g, b, p: (x, g, b, param)


BATCHNORM_BAD_INPUTS = (
    ("bn no mode", _bn(), ValueError, r"missing the required key 'mode'"),
    ("bn None", lambda x, g, b, p: (x, g, b, None), TypeError, r"bn_param must be a dict"),
    ("bn unknown mode", _bn(mode="eval"), ValueError, r"bn_param\['mode'\] must be 'train' or 'test', got 'eval'"),
    ("bn test without stats", _bn(mode="test"), ValueError,
     r"bn_param has no 'running_mean': test mode normalizes with the running statistics"),
    ("bn typo", _bn(mode="train", momentun=0.9), ValueError, r"unknown key 'momentun'; did you mean 'momentum'\?"),
    ("bn momentum > 1", _bn(mode="train", momentum=1.5), ValueError, r"bn_param\['momentum'\] must be a number in \[0, 1\], got 1.5"),
    ("bn eps 0", _bn(mode="train", eps=0), ValueError, r"bn_param\['eps'\] must be a number > 0, got 0.0"),
    ("bn running_mean shape", _bn(mode="test", running_mean=np.zeros(4), running_var=np.ones(3)), ValueError,
     r"bn_param\['running_mean'\] must have shape \(C,\) = \(3,\), got \(4,\)"),
    ("bn gamma size", lambda x, g, b, p: (x, np.ones(4), b, p), ValueError,
     r"gamma must have shape \(C,\) = \(3,\) or \(1, C, 1, 1\).*got \(4,\)"),
    ("bn beta 2-D", lambda x, g, b, p: (x, g, np.zeros((1, 3)), p), ValueError, r"beta must have shape \(C,\) = \(3,\)"),
    ("bn x 2-D", lambda x, g, b, p: (x[0, 0], g, b, p), ValueError, r"x must have 4 dimensions"),
    ("bn momentum string", _bn(mode="train", momentum="0.9"), TypeError,
     r"bn_param\['momentum'\] must be a number in \[0, 1\], got '0.9' \(str\)"),
)  # fmt: skip

BATCHNORM = Family(
    name="batchnorm",
    lessons=(5,),
    forward={"layer": L.spatial_batchnorm_forward, "fast": fast.spatial_batchnorm_forward},
    backward={"layer": L.spatial_batchnorm_backward, "fast": fast.spatial_batchnorm_backward},
    validate=_check_batchnorm,
    cases=tuple(cases.BATCHNORM_CASES),
    arguments=_batchnorm_arguments,
    differentiable=(0, 1, 2),
    gradients=("dx", "dgamma", "dbeta"),
    torch_reference=_batchnorm_torch,
    geometries=lambda st: _norm_geometries(st, groups=False),
    example=lambda: (*_norm_example(), {"mode": "train"}),
    bad_inputs=BATCHNORM_BAD_INPUTS,
    modes=("train", "test"),
    exercises=("spatial_batchnorm_forward", "spatial_batchnorm_backward"),
    explorer="NormExplorer",
)


def _groupnorm_arguments(case: cases.NormCase, rng, mode=None):
    return (*case.arrays(rng), case.groups, {})


def _check_groupnorm(x, gamma, beta, G, gn_param):
    return (*shapes.check_norm_inputs(x, gamma, beta, G), shapes.check_gn_param(gn_param))


def _groupnorm_torch(torch, x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    return torch.nn.functional.group_norm(x, G, gamma.reshape(-1), beta.reshape(-1), eps=eps)


def _gn(G=1, **param):
    return lambda x, g, b, _G, p: (x, g, b, G, param)


GROUPNORM_BAD_INPUTS = (
    ("gn C not divisible", _gn(G=2), ValueError, r"G must be an integer >= 1 that divides C = 3 \(one of \[1, 3\]\), got 2"),
    ("gn G 0", _gn(G=0), ValueError, r"G must be an integer >= 1.*got 0"),
    ("gn G float", _gn(G=1.0), TypeError, r"G must be an integer"),
    ("gn typo", _gn(epsilon=1e-5), ValueError, r"gn_param has an unknown key 'epsilon'"),
    ("gn gamma size", lambda x, g, b, G, p: (x, np.ones((1, 3, 1)), b, G, p), ValueError, r"gamma must have shape \(C,\)"),
    ("gn empty", lambda x, g, b, G, p: (x[:, :, :0], g, b, G, p), ValueError, r"x must not be empty"),
    ("gn complex", lambda x, g, b, G, p: (x * 1j, g, b, G, p), TypeError, r"x must be real-valued"),
)  # fmt: skip

GROUPNORM = Family(
    name="groupnorm",
    lessons=(6,),
    forward={"layer": L.spatial_groupnorm_forward, "fast": fast.spatial_groupnorm_forward},
    backward={"layer": L.spatial_groupnorm_backward, "fast": fast.spatial_groupnorm_backward},
    validate=_check_groupnorm,
    cases=tuple(cases.GROUPNORM_CASES),
    arguments=_groupnorm_arguments,
    differentiable=(0, 1, 2),
    gradients=("dx", "dgamma", "dbeta"),
    torch_reference=_groupnorm_torch,
    geometries=lambda st: _norm_geometries(st, groups=True),
    example=lambda: (*_norm_example(), 1, {}),
    bad_inputs=GROUPNORM_BAD_INPUTS,
    exercises=("spatial_groupnorm_forward", "spatial_groupnorm_backward"),
    explorer="NormExplorer",
)

FAMILIES = (CONV, MAX_POOL, AVG_POOL, BATCHNORM, GROUPNORM)
_BY_NAME = {family.name: family for family in FAMILIES}


def get(name: str) -> Family:
    """The family called ``name`` ('conv', 'max_pool', 'avg_pool', 'batchnorm', 'groupnorm')."""
    return _BY_NAME[shapes.check_choice("family", name, _BY_NAME)]
