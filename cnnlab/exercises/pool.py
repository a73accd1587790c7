"""The max pooling exercises of lesson 4, forward and backward, with their cases, known
mistakes, regions and hints (average pooling, the other half of the family, is ``avgpool``).

Cases come from ``cnnlab.cases.POOL_CASES``. Known mistakes are recomputed window by
window (a loop that reduces each window another way, or routes its gradient elsewhere).
"""

from __future__ import annotations

import numpy as np

from cnnlab import cases as tables
from cnnlab import layers as L
from cnnlab import shapes
from cnnlab.exercises.exercise import SHARED_TAGS, Case, Exercise, case_rng, mistake
from cnnlab.exercises.windows import PAIR, coverage

__all__ = [
    "EXERCISES",
    "POOL",
    "TAGS",
    "SIZE_FORMULA",
    "pool_cases",
    "pool_forward",
    "pool_backward",
]

ANSWER_KEY = ("cnnlab.layers.pool:*", "cnnlab.fast.pool:*")  # the readable layers and their fast twins
AXES = {"out": ("n", "c", "i", "j"), "dx": ("n", "c", "h", "w")}
SIZE_FORMULA = "H' = (H - pool_height) // stride + 1"  # as the lesson gives it, quoted by size mistakes

# ---------------------------------------------------------------------------------------------
# The known mistakes, in words

POOL = {
    "average": "it averages each window (that is average pooling); max pooling keeps the largest value",
    "min": "it keeps the smallest value of each window; max pooling keeps the largest",
    "abs": "it keeps the value of largest magnitude; max pooling keeps the largest value, sign included",
    "step pool size": (
        "the windows move by the pool size, not by the stride: window (i, j) starts at row i*stride, column j*stride"
    ),
    "step 1": "the windows do not move by the stride: window (i, j) starts at row i*stride, column j*stride",
    "swapped": "pool_height and pool_width are swapped: the window is pool_height rows by pool_width columns",
    "stride h for w": (
        "the columns step by the rows' stride: window (i, j) starts at row i*sh, column j*sw (the stride is an "
        "(h, w) pair here)"
    ),
    "backward step pool size": (
        "the backward pass moves the windows by the pool size, not by the stride: window (i, j) starts at row "
        "i*stride, column j*stride, as in the forward pass"
    ),
    "last max": (
        "with ties, the gradient goes to the last maximum of the window; it must go to the first one "
        "(row-major order), as np.argmax and PyTorch do"
    ),
    "all max": "with ties, every maximum of the window gets the gradient; only the first one (row-major order) should",
    "split max": "with ties, the gradient is split among the maxima; it all goes to the first one (row-major order)",
    "overwrite": "where windows overlap, a later window's gradient overwrites an earlier one's: add them (+=)",
    "spread": (
        "the gradient is spread evenly over the window (that is average pooling's backward); "
        "it goes to the maximum only"
    ),
    "everywhere": "each dout goes to every element of its window; it goes to the window's maximum only",
    "backward no stride": (
        "the gradient is placed at dx[n, c, i + p, j + q]: the stride is missing; the maximum (p, q) of "
        "window (i, j) is at row i*stride + p, column j*stride + q"
    ),
    "region overlap": "a pixel that is the maximum of several windows gets the sum of their gradients: use +=, not =",
}


# Where to look when exactly the cases with a tag fail
TAGS = {
    "overlapping windows": (
        "overlapping windows: each window is x[n, c, i*sh : i*sh + PH, j*sw : j*sw + PW], and an element that "
        "is the maximum of several windows gets the sum of their gradients (+=)"
    ),
    "ties (equal maxima in a window)": "ties: the gradient goes to the first maximum in row-major order, np.argmax",
    "a stride given as an (h, w) pair": (
        "a stride given as an (h, w) pair: use the pair cnnlab.shapes.check_pool_inputs returns, sh for rows and "
        "sw for columns"
    ),
    "a rectangular input or window": (
        "height and width: rows use H, pool_height and sh, columns W, pool_width and sw; one is used for the "
        "other somewhere"
    ),
    **SHARED_TAGS,
}

# ---------------------------------------------------------------------------------------------
# Cases


def pool_tags(case: tables.PoolCase) -> tuple:
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


def pool_describe(case: tables.PoolCase) -> str:
    text = f"x {case.x_shape}, pool {case.pool_height}x{case.pool_width}, stride={case.stride}"
    return text + (", with ties" if case.ties else "")


def pool_cases() -> list:
    """max_pool_*: (x, pool_param), one per row of POOL_CASES; no numerical gradient with ties."""
    found = []
    for i, case in enumerate(tables.POOL_CASES):

        def build(case=case, i=i):
            return (*case.arrays(case_rng("pool", i)), dict(case.pool_param))

        found.append(Case(case.name, pool_describe(case), build, pool_tags(case), numerical=not case.ties))
    return found


# ---------------------------------------------------------------------------------------------
# Expected outputs (the fast reference layers; the same numbers as the readable ones)


def _expected_out(args):
    return {"out": L.max_pool_forward_im2col(*args)[0]}


def _expected_grads(args, dout):
    _, cache = L.max_pool_forward_im2col(*args)
    return {"dx": L.max_pool_backward_im2col(dout, cache)}


def sizes(args):
    x, pool_param = args
    stride = shapes.check_pair("stride", pool_param["stride"], 1)
    kernel = (pool_param["pool_height"], pool_param["pool_width"])
    return [(x.shape[2 + a], kernel[a], stride[a], 0, 1) for a in (0, 1)]


# ---------------------------------------------------------------------------------------------
# Mistakes, recomputed


def _pool_geometry(pool_param):
    stride = shapes.check_pair("stride", pool_param["stride"], 1)
    return pool_param["pool_height"], pool_param["pool_width"], stride


def _pool_windows(x_shape, PH, PW, step, out_hw):
    """[(n, c, i, j, rows, cols)] for windows at (i*step_h, j*step_w), cut at the edge as slicing does."""
    N, C, H, W = x_shape
    Ho, Wo = out_hw
    sh, sw = step
    return [
        (n, c, i, j, slice(i * sh, min(i * sh + PH, H)), slice(j * sw, min(j * sw + PW, W)))
        for n in range(N)
        for c in range(C)
        for i in range(Ho)
        for j in range(Wo)
    ]


def _pool_out(x, PH, PW, step, out_hw, reduce):
    """Pool every window at (i*step_h, j*step_w) with ``reduce``; None if a window is empty."""
    out = np.zeros((x.shape[0], x.shape[1], *out_hw))
    for n, c, i, j, rows, cols in _pool_windows(x.shape, PH, PW, step, out_hw):
        window = x[n, c, rows, cols]
        if window.size == 0:
            return None
        out[n, c, i, j] = reduce(window)
    return out


def _largest_magnitude(values):
    return values.flat[np.argmax(np.abs(values))]


def pool_forward(args, dout=None):
    """Mistakes in max pooling's forward pass: out (N, C, H', W')."""
    x, pool_param = args
    PH, PW, stride = _pool_geometry(pool_param)
    hw = L.max_pool_forward_im2col(x, pool_param)[0].shape[2:]
    found = [
        mistake("out", POOL["average"], lambda: _pool_out(x, PH, PW, stride, hw, np.mean)),
        mistake("out", POOL["min"], lambda: _pool_out(x, PH, PW, stride, hw, np.min)),
        mistake("out", POOL["abs"], lambda: _pool_out(x, PH, PW, stride, hw, _largest_magnitude)),
    ]
    if stride != (PH, PW):
        found.append(mistake("out", POOL["step pool size"], lambda: _pool_out(x, PH, PW, (PH, PW), hw, np.max)))
    if stride != (1, 1):
        found.append(mistake("out", POOL["step 1"], lambda: _pool_out(x, PH, PW, (1, 1), hw, np.max)))
    if PH != PW:
        found.append(mistake("out", POOL["swapped"], lambda: _pool_out(x, PW, PH, stride, hw, np.max)))
    if stride[0] != stride[1]:
        same = (stride[0], stride[0])
        found.append(mistake("out", POOL["stride h for w"], lambda: _pool_out(x, PH, PW, same, hw, np.max)))
    return found


def _route_first(window):
    weights = np.zeros(window.shape)
    weights.flat[np.argmax(window)] = 1
    return weights


def _route_last(window):
    weights = np.zeros(window.shape)
    weights.flat[window.size - 1 - np.argmax(window.ravel()[::-1])] = 1
    return weights


def _route_all(window):
    return (window == window.max()).astype(float)


def _route_split(window):
    ties = _route_all(window)
    return ties / ties.sum()


def _pool_dx(x, pool_param, dout, route, add=True):
    """dx of pooling with each dout[n, c, i, j] routed by ``route(window) -> weights``; add=False overwrites."""
    PH, PW, stride = _pool_geometry(pool_param)
    dx = np.zeros(x.shape)
    for n, c, i, j, rows, cols in _pool_windows(x.shape, PH, PW, stride, dout.shape[2:]):
        weights = route(x[n, c, rows, cols])
        if add:
            dx[n, c, rows, cols] += weights * dout[n, c, i, j]
        else:
            target = dx[n, c, rows, cols]  # a view: assigning into it writes dx
            target[weights != 0] = weights[weights != 0] * dout[n, c, i, j]
    return dx


def _pool_dx_unstrided(x, pool_param, dout):
    """dx with each window's first maximum found in the right window, but placed at (i + p, j + q)."""
    PH, PW, stride = _pool_geometry(pool_param)
    dx = np.zeros(x.shape)
    for n, c, i, j, rows, cols in _pool_windows(x.shape, PH, PW, stride, dout.shape[2:]):
        window = x[n, c, rows, cols]
        p, q = np.unravel_index(np.argmax(window), window.shape)
        dx[n, c, i + p, j + q] += dout[n, c, i, j]
    return dx


def pool_backward(args, dout):
    """Mistakes in max pooling's backward pass: dx (N, C, H, W)."""
    x, pool_param = args
    found = []
    PH, PW, stride = _pool_geometry(pool_param)
    if stride != (1, 1):
        found.append(mistake("dx", POOL["backward no stride"], lambda: _pool_dx_unstrided(x, pool_param, dout)))
    if stride != (PH, PW):
        by_size = {**pool_param, "stride": (PH, PW)}
        found.append(mistake("dx", POOL["backward step pool size"], lambda: _pool_dx(x, by_size, dout, _route_first)))
    return found + [
        mistake("dx", POOL["last max"], lambda: _pool_dx(x, pool_param, dout, _route_last)),
        mistake("dx", POOL["all max"], lambda: _pool_dx(x, pool_param, dout, _route_all)),
        mistake("dx", POOL["split max"], lambda: _pool_dx(x, pool_param, dout, _route_split)),
        mistake("dx", POOL["overwrite"], lambda: _pool_dx(x, pool_param, dout, _route_first, add=False)),
        mistake("dx", POOL["spread"], lambda: _pool_dx(x, pool_param, dout, lambda v: np.full(v.shape, 1 / v.size))),
        mistake("dx", POOL["everywhere"], lambda: _pool_dx(x, pool_param, dout, lambda v: np.ones(v.shape))),
    ]


def pool_regions(args, output: str):
    x, pool_param = args
    if output != "dx":
        return {}
    PH, PW, stride = _pool_geometry(pool_param)
    overlap = coverage(x.shape, (PH, PW), stride, (0, 0), (1, 1)) > 1
    return {"where windows overlap (pixels in more than one window)": (overlap, POOL["region overlap"])}


# ---------------------------------------------------------------------------------------------
# The entries

_FAMILY = dict(lesson=4, cases=pool_cases, axes=AXES, regions=pool_regions, answer_key=ANSWER_KEY, tag_advice=TAGS)

EXERCISES = [
    Exercise(
        name="max_pool_forward_naive",
        kind="forward",
        params=("x", "pool_param"),
        reference=L.max_pool_forward_naive,
        expected=_expected_out,
        outputs=("out",),
        mistakes=pool_forward,
        sizes=sizes,
        size_formula=SIZE_FORMULA,
        crash_advice=(PAIR,),
        hints=(
            "Max pooling slides a pool_height x pool_width window over each channel of each sample\n"
            "separately and keeps the largest value: out has shape (N, C, H', W') with\n"
            "H' = (H - pool_height) // stride + 1.",
            "Loop over n, c, i, j; the window of output (i, j) is\n"
            "x[n, c, i*sh : i*sh + pool_height, j*sw : j*sw + pool_width]. The stride may be an int or\n"
            "an (h, w) pair (cnnlab.shapes.check_pool_inputs returns it as a pair).",
            "Windows overlap when the stride is smaller than the window; that is fine: each output\n"
            "is the max of its own window. cache = (x, pool_param) is enough for the backward pass.",
        ),
        **_FAMILY,
    ),
    Exercise(
        name="max_pool_backward_naive",
        kind="backward",
        params=("dout", "cache"),
        reference=L.max_pool_backward_naive,
        expected=_expected_grads,
        outputs=("dx",),
        inputs=("x",),
        forward="max_pool_forward_naive",
        mistakes=pool_backward,
        crash_advice=(PAIR,),
        hints=(
            "The max of a window depends only on its largest element, so the window's upstream\n"
            "gradient goes entirely to that element; the others get 0.",
            "For each window, find the position of its maximum: np.argmax(window) and\n"
            "np.unravel_index(..., window.shape). np.argmax gives the first one (row-major) when\n"
            "there are ties, which is what PyTorch and the reference do.",
            "Add, do not assign: dx[n, c, i*sh + p, j*sw + q] += dout[n, c, i, j]. With overlapping\n"
            "windows one element can be the maximum of several windows and gets all their gradients.",
            "The stride may be an (h, w) pair, as in the forward pass: use the template's (sh, sw), sh\n"
            "for rows and sw for columns, both to find window (i, j) at x[n, c, i*sh : i*sh + PH,\n"
            "j*sw : j*sw + PW] and to place its gradient at (i*sh + p, j*sw + q), with (p, q) the\n"
            "position of the maximum inside the window.",
        ),
        **_FAMILY,
    ),
]
