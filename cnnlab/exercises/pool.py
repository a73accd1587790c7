"""The max pooling exercises of lesson 4, forward and backward, with their cases, known
mistakes, regions and hints (average pooling, the other half of the family, is ``avgpool``).

Cases come from ``cnnlab.cases.POOL_CASES``. Known mistakes are recomputed window by
window (a loop that reduces each window another way, or routes its gradient elsewhere).
"""

from __future__ import annotations

from cnnlab import cases as tables
from cnnlab import layers as L
from cnnlab import shapes
from cnnlab.exercises.exercise import Case, Exercise, case_rng
from cnnlab.exercises.pool_mistakes import TILES, empty_window_crashes, pool_backward, pool_forward, pool_geometry
from cnnlab.exercises.pool_words import POOL, TAGS
from cnnlab.exercises.windows import PAIRS, coverage

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


def pool_regions(args, output: str):
    x, pool_param = args
    if output != "dx":
        return {}
    PH, PW, stride = pool_geometry(pool_param)
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
        crash_advice=(TILES, *empty_window_crashes(""), *PAIRS),
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
        crash_advice=(*empty_window_crashes("backward "), *PAIRS),
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
