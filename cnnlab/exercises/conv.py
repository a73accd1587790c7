"""The convolution exercises: conv_forward_naive / conv_backward_naive (lesson 2) and their
im2col versions (lesson 3), built by one builder, with their cases, known mistakes, regions and hints.

Cases come from ``cnnlab.cases.CONV_CASES`` (one line there is one more case here). Known
mistakes are recomputed with cnnlab's own reference layers with one thing changed: a
student's output that matches one of them (and not the right answer) has made it.
"""

from __future__ import annotations

import re
from functools import partial

import numpy as np

from cnnlab import cases as tables
from cnnlab import geometry, shapes
from cnnlab import layers as L
from cnnlab.exercises.conv_backward_mistakes import conv_backward
from cnnlab.exercises.conv_forward_mistakes import conv_forward
from cnnlab.exercises.conv_words import CONV, TAGS
from cnnlab.exercises.exercise import Case, CrashAdvice, Exercise, case_rng
from cnnlab.exercises.layouts import memo
from cnnlab.exercises.windows import PAIRS, conv_geometry, coverage, windows_touching_padding

__all__ = [
    "NAIVE",
    "IM2COL",
    "CONV",
    "TAGS",
    "conv_cases",
    "conv_tags",
    "conv_describe",
    "conv_forward",
    "conv_backward",
]

# What grading hides (see Exercise.answer_key). The im2col version of a naive exercise is the
# same answer, so the family shares one key.
ANSWER_KEY = (
    "cnnlab.layers.conv:*",
    "cnnlab.im2col:im2col",
    "cnnlab.im2col:col2im",
    "cnnlab.im2col:columns",
    "cnnlab.im2col:fold",
    "cnnlab.im2col:windows",
)
AXES = {"out": ("n", "f", "i", "j"), "dx": ("n", "c", "h", "w"), "dw": ("f", "c", "p", "q")}


# ---------------------------------------------------------------------------------------------
# Cases


# a slice of the wrong shape (broadcast or reshape error) in a case whose height and width differ
SHAPE_CRASHES = tuple(
    CrashAdvice(kind=ValueError, text=text, tag=tag, advice=CONV["slice cut short"])
    for tag in ("pair", "rectangular")
    for text in ("broadcast", "cannot reshape")
)


_SIGNATURES = {
    "im2col": "x, filter_height, filter_width, stride, pad, dilation",
    "col2im": "cols, x_shape, filter_height, filter_width, stride, pad, dilation",
}
# (key, what the call got, what to pass): one argument of the im2col / col2im call left out or wrong
_CALLS = (
    ("no pad", "no pad (the default 0)", "pad=pad"),
    ("no stride", "no stride (the default 1)", "stride=stride"),
    ("no dilation", "no dilation (the default 1)", "dilation=dilation"),
    ("stride pad", "stride and pad swapped", "stride, then pad"),
    ("stride dilation", "stride and dilation swapped", "stride, then dilation"),
    ("pad dilation", "pad and dilation swapped", "pad, then dilation"),
    ("padded", "the padded shape (or x padded) and pad too", "x (and x.shape) unpadded: the call pads by itself"),
)


def _call_variants(hw, stride, pad, dilation) -> dict:
    """{key: ((H, W), stride, pad, dilation)} of the im2col / col2im call with one argument wrong (where that
    is not the right call)."""
    right = (hw, stride, pad, dilation)
    padded = (hw[0] + 2 * pad[0], hw[1] + 2 * pad[1])
    found = {
        "no pad": (hw, stride, (0, 0), dilation),
        "no stride": (hw, (1, 1), pad, dilation),
        "no dilation": (hw, stride, pad, (1, 1)),
        "stride pad": (hw, pad, stride, dilation),
        "stride dilation": (hw, dilation, pad, stride),
        "pad dilation": (hw, stride, dilation, pad),
        "padded": (padded, stride, pad, dilation),
    }
    return {k: v for k, v in found.items() if v != right}


def _positions(hw, HH, WW, stride, pad, dilation):
    """H'*W' of a call's geometry, or None where the call would reject it."""
    if min(stride) < 1 or min(dilation) < 1 or min(pad) < 0:
        return None
    sizes = [(n + 2 * p - geometry.span(k, d)) // s + 1 for n, k, s, p, d in zip(hw, (HH, WW), stride, pad, dilation)]
    if min(sizes) < 1:
        return None
    return sizes[0] * sizes[1]


_COLS_SHAPE = re.compile(r"cols must have the shape of the forward output \((\d+), (\d+), (\d+)\), got")
_RESHAPE = re.compile(r"cannot reshape array of size (\d+) into shape \((\d+), ?(\d+), ?(\d+), ?(\d+)\)")
_STRIDE = re.compile(r"stride must be an integer >= 1 or a pair \(h, w\) of them, got \((-?\d+), (-?\d+)\)")
_TOO_LARGE = re.compile(r"larger than the padded input (?:height|width) \d+ \+ 2\*(\d+)")


def _call_explains(key: str, helper: str):
    """applies(args, message) for a crash of cnnlab's im2col / col2im (or of the reshape after it) that
    exactly this wrong call makes, and no other in _CALLS."""

    def applies(args, message) -> bool:
        x, w, _, conv_param = args
        stride, pad, dilation = conv_geometry(conv_param)
        N, F = x.shape[0], w.shape[0]
        HH, WW = w.shape[2:]
        hw = x.shape[2:]
        variants = _call_variants(hw, stride, pad, dilation)
        if key not in variants:
            return False

        def fits(v) -> bool:
            vhw, vs, vp, vd = v
            if helper == "col2im" and (m := _COLS_SHAPE.search(message)):
                return _positions(vhw, HH, WW, vs, vp, vd) == int(m.group(3))
            if helper == "im2col" and (m := _RESHAPE.search(message)):
                L = _positions(vhw, HH, WW, vs, vp, vd)
                return L is not None and int(m.group(1)) == N * F * L
            if m := _STRIDE.search(message):
                return vs == (int(m.group(1)), int(m.group(2))) and min(vs) < 1
            if m := _TOO_LARGE.search(message):
                return int(m.group(1)) in vp and int(m.group(1)) not in pad
            return False

        return fits(variants[key]) and not any(fits(v) for k, v in variants.items() if k != key)

    return applies


_CORE = re.compile(r"mismatch in its core dimension \d+.*\(size (\d+) is different from (\d+)\)")


def _w_row_untransposed(args, message) -> bool:
    """matmul(w_row, dout_rows): (F, C*HH*WW) against (N, F, H'*W'), where w_row.T lines up (if F differs from
    C*HH*WW; else it runs)."""
    _, w, _, _ = args
    m = _CORE.search(message)
    F, K = w.shape[0], w[0].size
    return m is not None and F != K and (int(m.group(1)), int(m.group(2))) == (F, K)


CALL_CRASHES = (
    CrashAdvice(kind=ValueError, text="matmul", tag="", advice=CONV["w_row untransposed"], applies=_w_row_untransposed),
) + tuple(
    CrashAdvice(
        kind=ValueError,
        text="",
        tag="",
        advice=CONV["call"].format(helper=helper, what=what, signature=_SIGNATURES[helper], want=want),
        applies=_call_explains(key, helper),
    )
    for helper in ("im2col", "col2im")
    for key, what, want in _CALLS
)


def _w_row_cached(args, message) -> bool:
    """cnnlab's validation of the backward's w, given (F, C*HH*WW): the forward's w_row in the cache."""
    _, w, _, _ = args
    return f"got 2 (shape ({w.shape[0]}, {w[0].size}))" in message


# the backward given the cache's w_row
LOOP_CRASHES = (
    # a window of the unpadded x is cut short at the border: tensordot's shapes do not match (the padded cases)
    CrashAdvice(kind=ValueError, text="shape-mismatch for sum", tag="padding", advice=CONV["no pad"]),
    CrashAdvice(
        kind=TypeError,
        text="only integer scalar arrays can be converted to a scalar index",
        tag="",
        advice=CONV["name used twice"],
        applies=lambda args, message: True,
    ),
    CrashAdvice(
        kind=ValueError, text="w must have 4 dimensions", tag="", advice=CONV["w_row cached"], applies=_w_row_cached
    ),
)


def conv_tags(case: tables.ConvCase) -> tuple:
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
    if any((n + 2 * p - geometry.span(k, d)) % s for n, k, s, p, d in zip((H, W), (HH, WW), stride, pad, dilation)):
        tags.append("a stride that leaves the last rows or columns out")
    if N == 1:
        tags.append("one sample")
    if C == 1:
        tags.append("one channel")
    if HH == WW == 1:
        tags.append("a 1x1 filter")
    return tuple(tags)


def conv_describe(case: tables.ConvCase) -> str:
    text = f"x {case.x_shape}, w {case.w_shape}, stride={case.stride}, pad={case.pad}"
    return text + (f", dilation={case.dilation}" if case.dilation != 1 else "")


def conv_cases() -> list:
    """conv_forward_* / conv_backward_*: (x, w, b, conv_param), one per row of CONV_CASES."""
    found = []
    for i, case in enumerate(tables.CONV_CASES):

        def build(case=case, i=i):
            x, w, b = case.arrays(case_rng("conv", i))
            # lesson 2's conv_param (CS231n's) has no dilation: it is given only where it is not 1
            conv_param = {k: v for k, v in case.conv_param.items() if k != "dilation" or v != 1}
            return x, w, b, conv_param

        found.append(Case(case.name, conv_describe(case), build, conv_tags(case)))
    return found


# ---------------------------------------------------------------------------------------------
# Expected outputs (the fast reference layers; the same numbers as the readable ones)


def _expected_out(args):
    return {"out": L.conv_forward_im2col(*args)[0]}


def _expected_grads(args, dout):
    _, cache = L.conv_forward_im2col(*args)
    return dict(zip(("dx", "dw", "db"), L.conv_backward_im2col(dout, cache)))


def sizes(args):
    """[(I, K, S, P, D)] of out's rows and columns, for diagnosing a wrong output size."""
    x, w, _, conv_param = args
    stride, pad, dilation = conv_geometry(conv_param)
    return [(x.shape[2 + a], w.shape[2 + a], stride[a], pad[a], dilation[a]) for a in (0, 1)]


def conv_regions(args, output: str):
    """Regions of out or dx where padding and overlapping windows show: {phrase: (mask, advice)}."""
    x, w, b, conv_param = args
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride, pad, dilation = conv_geometry(conv_param)
    touches = windows_touching_padding((H, W), (HH, WW), stride, pad, dilation)  # (Ho, Wo)
    if output == "out":
        mask = np.broadcast_to(touches, (N, F, *touches.shape))
        return {"where the window reaches into the padding (near the border)": (mask, CONV["region padding"])}
    if output == "dx":
        overlap = coverage(x.shape, (HH, WW), stride, pad, dilation)
        border = coverage(x.shape, (HH, WW), stride, pad, dilation, touches) > 0
        return {
            "where windows overlap (pixels read by more than one window)": (overlap > 1, CONV["region overlap"]),
            "near the border (pixels read by windows that reach into the padding)": (border, CONV["region border"]),
        }
    return {}


# ---------------------------------------------------------------------------------------------
# Hints

_HELPERS = (
    "cnnlab.shapes.check_conv_inputs(x, w, b, conv_param) validates the inputs and returns\n"
    "x, w, b, stride, pad, dilation, (H_out, W_out), with stride, pad and dilation as (h, w)\n"
    "pairs: some cases give conv_param values as pairs, like stride=(1, 2)."
)

HINTS = {
    "naive forward": (
        "Each output number is one dot product: filter f laid over one window of the padded\n"
        "input, all C channels at once, plus the bias b[f]. There is one output per sample n,\n"
        "filter f and window position (i, j): out has shape (N, F, H', W').\n" + _HELPERS,
        "Pad first: xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) pads only H and W\n"
        "(np.pad(x, pad) would pad N and C too). Then loop over n, f, i, j.",
        "The window of output (i, j) starts at row i*stride_h and column j*stride_w of xpad and\n"
        "takes every dilation-th pixel: xpad[n, :, i*sh : i*sh + dh*(HH-1) + 1 : dh, ...] has\n"
        "shape (C, HH, WW), the shape of w[f].",
        "out[n, f, i, j] = np.sum(window * w[f]) + b[f]. Do not flip w: CNN layers compute\n"
        "cross-correlation. Return out and a cache with what the backward pass will need,\n"
        "e.g. cache = (x, w, b, conv_param).",
    ),
    "naive backward": (
        "Walk the forward loops again. out[n, f, i, j] = sum(window * w[f]) + b[f] is a small\n"
        "fully connected neuron, so its upstream gradient g = dout[n, f, i, j] flows back as\n"
        "in an affine layer: to the window (times w[f]), to w[f] (times the window), to b[f].",
        "Accumulate: dw[f] += window * g and dxpad[n, :, window rows, window cols] += w[f] * g.\n"
        "Use +=, never =: a pixel in several windows (they overlap when stride < filter size)\n"
        "gets the sum of all their gradients, and w[f] is used by every n, i and j.",
        "db[f] is the sum of dout[n, f, i, j] over all n, i and j: dout.sum(axis=(0, 2, 3)).",
        "Compute the gradient with respect to the padded input, then cut the padding away:\n"
        "dx = dxpad[:, :, ph:ph + H, pw:pw + W] (not dxpad[:, :, ph:-ph], which is empty when\n"
        "ph = 0). Return (dx, dw, db), the shapes of (x, w, b).",
    ),
    "im2col forward": (
        "cols = im2col(x, HH, WW, stride, pad, dilation) has shape (N, C*HH*WW, H'*W'). Reshape\n"
        "w to one row per filter: w_row = w.reshape(F, -1), shape (F, C*HH*WW).\n" + _HELPERS,
        "w_row @ cols multiplies every filter with every window of every sample at once:\n"
        "(F, C*HH*WW) @ (N, C*HH*WW, H'*W') -> (N, F, H'*W'). Add the bias per filter,\n"
        "b[:, None] or b.reshape(1, F, 1), and reshape to (N, F, H', W').",
        "Keep cols in the cache: the backward pass needs it for dw. cache = (x, w, b,\nconv_param, cols).",
    ),
    "im2col backward": (
        "Treat out = w_row @ cols + b as an affine layer per sample, with\ndout_rows = dout.reshape(N, F, H'*W').",
        "dw_row = sum over n of dout_rows[n] @ cols[n].T, shape (F, C*HH*WW); reshape it to w's\n"
        "shape. db = dout.sum(axis=(0, 2, 3)).",
        "dcols = w_row.T @ dout_rows has shape (N, C*HH*WW, H'*W'): the gradient of every column.\n"
        "col2im(dcols, x.shape, HH, WW, stride, pad, dilation) adds each column back into its\n"
        "window, which is dx.",
    ),
}


# ---------------------------------------------------------------------------------------------
# The entries: one builder for the naive and the im2col version of the layer


def _pair(variant: str, lesson: int) -> list:
    """conv_forward_{variant} and conv_backward_{variant}: the same cases, checks and mistakes."""
    forward = f"conv_forward_{variant}"
    family = dict(lesson=lesson, cases=conv_cases, axes=AXES, regions=conv_regions, answer_key=ANSWER_KEY)
    crash_advice = (*PAIRS, *(CALL_CRASHES if variant == "im2col" else ()), *SHAPE_CRASHES, *LOOP_CRASHES)
    family.update(tag_advice=TAGS, optional_keys={"dilation": "1"}, crash_advice=crash_advice)
    return [
        Exercise(
            name=forward,
            kind="forward",
            params=("x", "w", "b", "conv_param"),
            reference=getattr(L, forward),
            expected=_expected_out,
            outputs=("out",),
            mistakes=partial(memo(conv_forward), im2col=variant == "im2col"),
            sizes=sizes,
            hints=HINTS[f"{variant} forward"],
            **family,
        ),
        Exercise(
            name=f"conv_backward_{variant}",
            kind="backward",
            params=("dout", "cache"),
            reference=getattr(L, f"conv_backward_{variant}"),
            expected=_expected_grads,
            outputs=("dx", "dw", "db"),
            inputs=("x", "w", "b"),
            forward=forward,
            mistakes=partial(memo(conv_backward), im2col=variant == "im2col"),
            hints=HINTS[f"{variant} backward"],
            **family,
        ),
    ]


NAIVE = _pair("naive", lesson=2)
IM2COL = _pair("im2col", lesson=3)
