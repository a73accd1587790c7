"""The average pooling exercises of lesson 4 (``torch.nn.functional.avg_pool2d``: zero
padding, count_include_pad), forward and backward, with their cases, known mistakes,
regions and hints; the other half of the pooling family (``pool``: max pooling).

Its cases are ``cnnlab.cases.AVG_POOL_CASES``. Known mistakes are recomputed window
by window with one thing changed: where the windows sit, the padding, what each sum is
divided by, how the backward shares the gradient.
"""

from __future__ import annotations

import numpy as np

from cnnlab import im2col as im2col_module
from cnnlab import layers as L
from cnnlab import shapes
from cnnlab.cases import AVG_POOL_CASES, AvgPoolCase
from cnnlab.exercises import pool, pool_mistakes, pool_words
from cnnlab.exercises.exercise import SHARED_TAGS, Case, CrashAdvice, Exercise, case_rng, mistake
from cnnlab.exercises.windows import PAIRS, coverage, windows_touching_padding
from cnnlab.exercises.windows import crop as windows_crop

__all__ = [
    "EXERCISES",
    "AVG_POOL",
    "TAGS",
    "SIZE_FORMULA",
    "avg_pool_cases",
    "avg_pool_forward",
    "avg_pool_backward",
]


SIZE_FORMULA = "H' = (H + 2*pad - pool_height) // stride + 1"

AVG_POOL = {
    "start minus pad": (
        "the window starts at (i*sh - ph, j*sw - pw) in the padded array: the padding already shifted x, so in "
        "xpad window (i, j) starts at row i*sh, column j*sw (a negative start slices from the end, or nothing)"
    ),
    "backward start minus pad": (
        "in the backward pass, the window starts at (i*sh - ph, j*sw - pw) in the padded dxpad: the padding already "
        "shifted x, so in dxpad window (i, j) starts at row i*sh, column j*sw"
    ),
    "dxpad size": (
        "dxpad is sized with {used} for the padding of (rows, columns): it is (N, C, H + 2*ph, W + 2*pw), and dx "
        "is dxpad[:, :, ph : ph + H, pw : pw + W]"
    ),
    "count per column": (
        "in the backward pass, the count is summed over one axis only (sum(axis={axis})), so each pixel is divided "
        "by the real pixels of its {line} of the window: sum the window of ones over both axes (.sum())"
    ),
    "times count": (
        "in the backward pass, dout is multiplied by the count: each pixel of window (i, j) gets "
        "dout[n, c, i, j] / count (the forward pass divides by it)"
    ),
    "band": (
        "in the backward pass, the window's {missing} slice is forgotten, so every {whole} of the window's {band} "
        "gets its share: dxpad[n, c, rows, cols] += dout[n, c, i, j] / count"
    ),
    "max": "it keeps the largest value of each window (that is max pooling); average pooling takes its mean",
    "sum": (
        "each window's sum is not divided by its count: out[n, c, i, j] = window.sum() / count, with "
        "count = pool_height * pool_width (with count_include_pad=False: the window's pixels inside x)"
    ),
    "divide by area": (
        "each window is divided by pool_height * pool_width, but with count_include_pad=False the count is "
        "the number of the window's pixels inside x (the padding does not count): the same window of "
        "np.pad(np.ones((H, W)), ((ph, ph), (pw, pw))), summed"
    ),
    "divide by inside": (
        "each window is divided by the number of its pixels inside x, but with count_include_pad=True "
        "(the default) the zeros of the padding count too: divide by pool_height * pool_width"
    ),
    "no pad": (
        "the input is not padded (or only after its last rows and columns): pad x with pool_param['pad'] zeros "
        "on each side of H and W first, "
        "np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), and read every window from the padded array"
    ),
    "no stride": (
        "the windows do not move by the stride: window (i, j) starts at row i*stride, column j*stride "
        "of the padded input, not at row i, column j"
    ),
    "backward no divide": (
        "each window's gradient is not divided by its count: every pixel of window (i, j) gets "
        "dout[n, c, i, j] / count, with the count of the forward pass"
    ),
    "backward top-left": (
        "each window's gradient goes only to its top-left pixel; every pixel of the window is in the mean, "
        "so every one gets an equal share, dout[n, c, i, j] / count"
    ),
    "backward no stride": (
        "the backward pass ignores the stride: the shares of window (i, j) go to the rows from i*stride "
        "(columns from j*stride) of the padded gradient, as in the forward pass"
    ),
    "backward overwrite": "where windows overlap, a later window's share overwrites an earlier one's: add them (+=)",
    "dx padded": (
        "dx still includes the padding: cut pad rows and columns from each side, dxpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "dx crop corner": (
        "dx is cut from the top-left corner of dxpad (or the shares went to an unpadded dx, not shifted by the pad); "
        "cut pad rows and columns from each side: "
        "dxpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "region padding": (
        "look at the windows that reach into the padding: the zeros they read, and what they are divided by "
        "(count_include_pad)"
    ),
    "region overlap": "a pixel in several windows gets a share of each one's gradient: use +=, not =",
    "mean over all": (
        "each window is averaged over every sample and channel at once (.sum() or .mean() without axis): "
        "average each sample's and channel's window on its own, axis=(2, 3)"
    ),
    "count unpadded": (
        "the count of real pixels is read from an unpadded array of ones: with count_include_pad=False it is the "
        "same window of np.pad(np.ones((H, W)), ((ph, ph), (pw, pw))), summed"
    ),
    "np.pad all axes": (
        "np.pad(x, pad) pads every axis, the samples and channels too: pad only H and W, "
        "np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))"
    ),
    "edge pad": (
        "the padding is not zeros (np.pad with mode='edge' or the like): average pooling pads with zeros, "
        "np.pad's default mode='constant'"
    ),
    "pad h for w": (
        "the columns are padded by the rows' pad: pad is an (h, w) pair here, ph rows above and below, pw columns "
        "left and right"
    ),
    "pad w for h": (
        "the rows are padded by the columns' pad: pad is an (h, w) pair here, ph rows above and below, pw columns "
        "left and right"
    ),
    "backward twice": (
        "each share is divided by the count twice: every pixel of window (i, j) gets dout[n, c, i, j] / count, "
        "divided once"
    ),
    "backward max": (
        "each window's gradient goes to its maximum (that is max pooling's backward): in average pooling every "
        "pixel of the window gets dout[n, c, i, j] / count"
    ),
    "dx crop start": (
        "dx is cut only at the start, dxpad[:, :, ph:, pw:]: cut pad rows and columns from each side, "
        "dxpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "count nonzero": (
        "each window's sum is divided by the number of its non-zero values (np.count_nonzero): a pixel of x that is "
        "0 (after a ReLU, say) is still a pixel; {right}"
    ),
    "count no stride": (
        "the count is read from the window at row {rows}, column {cols} of the padded ones, not where the window "
        "sits (row i*sh, column j*sw): the count of window (i, j) is that same window of "
        "np.pad(np.ones((H, W)), ((ph, ph), (pw, pw))), summed"
    ),
    "dx cut pair": (
        "dx is cut from dxpad with {used} for both axes: cut ph rows and pw columns from each side, "
        "dxpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "dx crop empty": (
        "dx is cut with dxpad[:, :, ph:-ph, pw:-pw], which is empty where the pad is 0: cut "
        "dxpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "count axes": (
        "with count_include_pad=False the count is the window's pixels inside x, (min(r0 + PH, H) - max(r0, 0)) * "
        "(min(c0 + PW, W) - max(c0, 0)) with r0 = i*sh - ph, c0 = j*sw - pw; here it is {rows} times {cols}"
    ),
    "count once": (
        "the count is computed once, for the first window, and used for every window: with count_include_pad=False "
        "each window (i, j) has its own count of pixels inside x, computed inside the loops"
    ),
    "floor division": ("the sum is divided with // (floor division), which rounds down: use /, window.sum() / count"),
    "backward floor division": (
        "the share is divided with // (floor division), which rounds down: use /, dout[n, c, i, j] / count"
    ),
    "clip offset": (
        "the window is placed on x with the offset {used}: window (i, j) starts at row i*sh - ph, column "
        "j*sw - pw of x (ph for the rows, pw for the columns), and its count is of those pixels"
    ),
    "counts unstrided": (
        "the counts are taken at every window position (stride 1), not every stride-th: subsample them by the "
        "stride as the sums are, e.g. counts[::sh, ::sw]"
    ),
    "repeat": (
        "dx is dout spread with np.repeat, each value over a PH x PW block as if the windows sat side by side: "
        "that holds only when the stride equals the window, without padding; add each window's share into its "
        "own window, dxpad[n, c, i*sh : i*sh + PH, j*sw : j*sw + PW] += share, and cut the padding away"
    ),
    "clip end": (
        "the windows' {which} are clipped at {ends} (the last index) instead of at H and W: a slice's stop is "
        "exclusive, so x[n, c, r0 : min(r0 + PH, H), ...] keeps the last row and column, and min(r0 + PH, H - 1) "
        "drops them"
    ),
    "pad swapped": (
        "the pad pair is swapped, the rows padded by pw and the columns by ph: pad is an (h, w) pair here, ph rows "
        "above and below, pw columns left and right"
    ),
    "clip start": (
        "a window that starts in the padding is sliced from its negative start ({which}), and a negative slice start "
        "counts from the end of x: clip it at 0, x[n, c, max(r0, 0) : min(r0 + PH, H), max(c0, 0) : min(c0 + PW, W)]"
    ),
}
# how one axis of a window's count of real pixels is taken: {kind: (rows phrase, columns phrase)}
AXIS_COUNT = {
    "real": ("the real rows", "the real columns"),
    "full": ("PH (the padded rows counted)", "PW (the padded columns counted)"),
    "start unclipped": ("min(r0 + PH, H) - r0 (r0 not clipped at 0)", "min(c0 + PW, W) - c0 (c0 not clipped at 0)"),
    "end unclipped": (
        "r0 + PH - max(r0, 0) (the end not clipped at H)",
        "c0 + PW - max(c0, 0) (the end not clipped at W)",
    ),
    "first": ("the first window's rows (computed once)", "the first window's columns (computed once)"),
    "other end": (
        "min(r0 + PH, W) - max(r0, 0) (the rows clipped at W)",
        "min(c0 + PW, H) - max(c0, 0) (the columns clipped at H)",
    ),
}
# the windows in the wrong place or of the wrong size, as in max pooling (read from the padded x)
AVG_POOL.update(
    {
        f"window {key}": pool_words.POOL[key].replace("x[n, c, ", "xpad[n, c, ")
        for key in (*pool_words.WINDOW_MISTAKES, "step pool size")
    }
)
AVG_POOL.update(
    {
        f"backward window {key}": f"in the backward pass, {AVG_POOL[f'window {key}']}"
        for key in (*pool_words.WINDOW_MISTAKES, "step pool size")
    }
)

TAGS = {
    "padding": (
        "the padding: pad x with pad zeros on each side of H and W, read every window from the padded array, "
        "and going back, cut the padding away"
    ),
    "count_include_pad=False": (
        "count_include_pad=False: divide each window's sum by the number of its pixels inside x, not by "
        "pool_height * pool_width"
    ),
    "overlapping windows": (
        "overlapping windows: each window is xpad[n, c, i*sh : i*sh + PH, j*sw : j*sw + PW], and a pixel in "
        "several windows gets a share of each one's gradient (+=)"
    ),
    "a stride or padding given as an (h, w) pair": (
        "a stride or padding given as an (h, w) pair: use the pairs cnnlab.shapes.check_avg_pool_inputs returns, "
        "the first for rows, the second for columns"
    ),
    "a rectangular input or window": pool_words.TAGS["a rectangular input or window"],
    **SHARED_TAGS,
}


def avg_pool_tags(case: AvgPoolCase) -> tuple:
    stride = shapes.check_pair("stride", case.stride, 1)
    pad = shapes.check_pair("pad", case.pad, 0)
    N, C, H, W = case.x_shape
    PH, PW = case.pool_height, case.pool_width
    tags = []
    if pad != (0, 0):
        tags.append("padding")
        if not case.count_include_pad:
            tags.append("count_include_pad=False")
    if stride[0] < PH or stride[1] < PW:
        tags.append("overlapping windows")
    if isinstance(case.stride, tuple) or isinstance(case.pad, tuple):
        tags.append("a stride or padding given as an (h, w) pair")
    if PH != PW or H != W:
        tags.append("a rectangular input or window")
    if (H + 2 * pad[0] - PH) % stride[0] or (W + 2 * pad[1] - PW) % stride[1]:
        tags.append("a stride that leaves the last rows or columns out")
    if N == 1:
        tags.append("one sample")
    return tuple(tags)


def avg_pool_describe(case: AvgPoolCase) -> str:
    text = f"x {case.x_shape}, pool {case.pool_height}x{case.pool_width}, stride={case.stride}"
    text += f", pad={case.pad}" if case.pad != 0 else ""
    return text + (", count_include_pad=False" if not case.count_include_pad else "")


def avg_pool_cases() -> list:
    """avg_pool_*: (x, pool_param), one per row of AVG_POOL_CASES."""
    found = []
    for i, case in enumerate(AVG_POOL_CASES):

        def build(case=case, i=i):
            return (*case.arrays(case_rng("avg pool", i)), dict(case.pool_param))

        found.append(Case(case.name, avg_pool_describe(case), build, avg_pool_tags(case)))
    return found


def _expected_out(args):
    return {"out": L.avg_pool_forward_im2col(*args)[0]}


def _expected_grads(args, dout):
    _, cache = L.avg_pool_forward_im2col(*args)
    return {"dx": L.avg_pool_backward_im2col(dout, cache)}


def sizes(args):
    """[(I, K, S, P, D)] of out's rows and columns, for diagnosing a wrong output size."""
    x, pool_param = args
    _, kernel, stride, pad, _, _ = shapes.check_avg_pool_inputs(x, pool_param)
    return [(x.shape[2 + a], kernel[a], stride[a], pad[a], 1) for a in (0, 1)]


# ---------------------------------------------------------------------------------------------
# Average pooling's mistakes, recomputed with one thing changed: where the windows sit (step),
# the padding, what each sum is divided by (count), how the backward shares the gradient


def _geometry(x, pool_param):
    """(kernel, stride, pad, count) of a case, count "all" or "inside" as count_include_pad says."""
    _, kernel, stride, pad, include, _ = shapes.check_avg_pool_inputs(x, pool_param)
    return kernel, stride, pad, "all" if include else "inside"


def _windows(x, pool_param, out_hw, step, pad, count, size=None, start=None, count_start=None):
    """[(i, j, rows, cols, divisor)] of every window at (i*step_h, j*step_w) (or ``start(i, j)``), of
    ``size`` (PH, PW unless given), on x padded by ``pad``.

    ``count`` is what the window's sum is divided by: "all" (PH*PW), "inside" (its pixels of x),
    "none" (1), "size" (its own pixels, as np.mean), "unpadded" (its pixels of an unpadded array of
    ones), or one of those and " squared". Windows are cut at the padded border, as slicing does.
    """
    (PH, PW), _, _, _ = _geometry(x, pool_param)
    size = (PH, PW) if size is None else size
    start = start or (lambda i, j: (i * step[0], j * step[1]))
    count_start = count_start or start  # where the window the count is read from sits
    inside = im2col_module.pad_input(np.ones((1, 1, *x.shape[2:])), pad)[0, 0]  # 1 on x, 0 on padding
    base, _, squared = count.partition(" ")
    found = []
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            r, s = start(i, j)
            rows, cols = slice(r, r + size[0]), slice(s, s + size[1])
            r, s = count_start(i, j)
            window = inside[r : r + size[0], s : s + size[1]]
            if base == "unpadded":
                window = np.ones(x.shape[2:])[r : r + size[0], s : s + size[1]]
            divisor = {"all": PH * PW, "inside": window.sum(), "unpadded": window.sum(), "none": 1, "nonzero": 1}.get(
                base, window.size
            )
            found.append((i, j, rows, cols, divisor**2 if squared else divisor))
    return found


def _out(
    x, pool_param, step=None, pad=None, count=None, reduce=np.sum, size=None, start=None, xpad=None, count_start=None
):
    """out (N, C, H', W') of average pooling with one thing changed; None if a window is empty.
    ``xpad``: the padded input as the student made it (its padding ``pad`` for the counts)."""
    _, stride, right_pad, right_count = _geometry(x, pool_param)
    pad = right_pad if pad is None else pad
    xpad = im2col_module.pad_input(x, pad) if xpad is None else xpad
    out_hw = shapes.check_avg_pool_inputs(x, pool_param)[-1]
    out = np.zeros((*x.shape[:2], *out_hw))
    step = stride if step is None else step
    count = count or right_count
    for i, j, rows, cols, divisor in _windows(x, pool_param, out_hw, step, pad, count, size, start, count_start):
        window = xpad[: x.shape[0], : x.shape[1], rows, cols]  # (N, C, <= PH, <= PW)
        if count == "nonzero":  # np.count_nonzero(window): the window's non-zero values, per sample and channel
            divisor = np.count_nonzero(window, axis=(2, 3))
        if window.shape[2] == 0 or window.shape[3] == 0:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):  # a count of 0 makes NaN, as the student's code does
            out[:, :, i, j] = reduce(window, axis=(2, 3)) / divisor
    return out


def _dx(
    x,
    pool_param,
    dout,
    step=None,
    count=None,
    share="even",
    add=True,
    crop=True,
    size=None,
    start=None,
    count_start=None,
    count_pad=None,
):
    """dx of average pooling's backward with one thing changed: the windows (step, or size and start),
    the count (or the padding its real pixels are counted with, ``count_pad``), ``share`` "even" (every
    pixel), "top-left" or "max" (the window's maximum), assigning (add=False), or not cropping the padding
    (crop=False: dxpad itself)."""
    _, stride, pad, right_count = _geometry(x, pool_param)
    N, C, H, W = x.shape
    xpad = im2col_module.pad_input(x, pad)
    dxpad = np.zeros((N, C, H + 2 * pad[0], W + 2 * pad[1]))
    step = stride if step is None else step
    count = count or right_count
    counted = pad if count_pad is None else count_pad
    windows = _windows(x, pool_param, dout.shape[2:], step, counted, count, size, start, count_start)
    if count != "nonzero" and any(divisor == 0 for *_, divisor in windows):
        return None
    for i, j, rows, cols, divisor in windows:
        if count == "nonzero":  # a window of zeros counts 0: NaN and inf, as the student's code makes
            divisor = np.count_nonzero(xpad[:, :, rows, cols], axis=(2, 3))[:, :, None, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            part = dout[:, :, i, j, None, None] / divisor  # (N, C, 1, 1)
        if share == "top-left":
            dxpad[:, :, rows.start : rows.start + 1, cols.start : cols.start + 1] += part
        elif share == "max":
            window = xpad[:, :, rows, cols]
            dxpad[:, :, rows, cols] += pool_mistakes.first_winner(window) * part
        elif add:
            dxpad[:, :, rows, cols] += part
        else:
            dxpad[:, :, rows, cols] = part
    return windows_crop(dxpad, pad, H, W) if crop else dxpad


def _sum_all(window, axis):
    return np.full(window.shape[:2], window.sum())


def _mean_all(window, axis):
    return np.full(window.shape[:2], window.mean())


def _window_mistakes(x, pool_param, out_hw):
    """{sentence key: (size, start)} of the windows a student gets wrong (``pool_mistakes.window_variants``)."""
    kernel, stride, _, _ = _geometry(x, pool_param)
    found = pool_mistakes.window_variants(kernel, stride, out_hw)
    found.pop("step 1", None)  # "no stride", below
    return found


def _count_mistakes(stride, count):
    """[(sentence, count_start)]: the count of each window read from another place than the window (a
    count of the real pixels, count_include_pad=False, only)."""
    if count != "inside":
        return []
    sh, sw = stride
    found = [
        ("i", "j", lambda i, j: (i, j)),
        ("i", "j*sw", lambda i, j: (i, j * sw)),
        ("i*sh", "j", lambda i, j: (i * sh, j)),
    ]
    if sh != sw:
        found.append(("i*sw", "j*sh", lambda i, j: (i * sw, j * sh)))
    return [(AVG_POOL["count no stride"].format(rows=r, cols=c), where) for r, c, where in found]


def _nonzero(count):
    right = {
        "all": "with count_include_pad=True divide by pool_height * pool_width",
        "inside": "count the window's pixels inside x, the same window of np.pad(np.ones((H, W)), ...), summed",
    }[count]
    return AVG_POOL["count nonzero"].format(right=right)


def _axis_count(n, k, s, p, out, kind, other=None):
    """(out,) counts along one axis of each window's pixels inside x, taken as ``kind`` says (AXIS_COUNT);
    ``other`` is the other axis' size (the rows clipped at W)."""
    start = np.arange(out) * s - p
    real = np.minimum(start + k, n) - np.maximum(start, 0)
    return {
        "other end": np.minimum(start + k, n if other is None else other) - np.maximum(start, 0),
        "real": real,
        "full": np.full(out, k),
        "start unclipped": np.minimum(start + k, n) - start,
        "end unclipped": start + k - np.maximum(start, 0),
        "first": np.full(out, real[0]),
    }[kind]


def _count_table(x, pool_param, out_hw, rows="real", cols="real"):
    """(H', W') counts of real pixels, each axis taken as ``rows`` and ``cols`` say."""
    (PH, PW), (sh, sw), (ph, pw), _ = _geometry(x, pool_param)
    H, W = x.shape[2:]
    return np.outer(_axis_count(H, PH, sh, ph, out_hw[0], rows, W), _axis_count(W, PW, sw, pw, out_hw[1], cols, H))


def _right_table(x, pool_param, out_hw):
    (PH, PW), _, _, count = _geometry(x, pool_param)
    return np.full(out_hw, PH * PW) if count == "all" else _count_table(x, pool_param, out_hw)


def _table_mistakes(x, pool_param, out_hw) -> list:
    """[(sentence, (H', W') counts)]: the count of real pixels (count_include_pad=False) taken from a wrong
    but plausible geometry, each axis on its own (AXIS_COUNT)."""
    if _geometry(x, pool_param)[3] != "inside":
        return []
    found = []
    for rows in AXIS_COUNT:
        for cols in AXIS_COUNT:
            if rows == cols == "real":
                continue
            if rows == cols == "first":
                sentence = AVG_POOL["count once"]
            else:
                sentence = AVG_POOL["count axes"].format(rows=AXIS_COUNT[rows][0], cols=AXIS_COUNT[cols][1])
            found.append((sentence, _count_table(x, pool_param, out_hw, rows, cols)))
    return found


def _shifted_out(x, pool_param, out_hw):
    """out with window (i, j) read from xpad at (i*sh - ph, j*sw - pw), NumPy's slicing (negative starts) kept,
    divided by the right count."""
    (PH, PW), (sh, sw), (ph, pw), _ = _geometry(x, pool_param)
    xpad = im2col_module.pad_input(x, (ph, pw))
    table = _right_table(x, pool_param, out_hw)
    out = np.zeros((*x.shape[:2], *out_hw))
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            r, s = i * sh - ph, j * sw - pw
            out[:, :, i, j] = xpad[:, :, r : r + PH, s : s + PW].sum(axis=(2, 3)) / table[i, j]
    return out


def _dx_custom(x, pool_param, dout, size=None, shift=False, weight=None, band=None):
    """dx of average pooling's backward with dxpad of ``size`` (padding rows, columns), the windows shifted by
    -pad (``shift``), each window's share ``weight(d, count, ones)`` ((N, C, 1, 1) d, the window of ones on x),
    or added to the whole row band / column band (``band`` "rows" or "cols"); NumPy's slicing throughout."""
    (PH, PW), (sh, sw), (ph, pw), count = _geometry(x, pool_param)
    N, C, H, W = x.shape
    a, b = size or (ph, pw)
    dxpad = np.zeros((N, C, H + 2 * a, W + 2 * b))
    inside = im2col_module.pad_input(np.ones((1, 1, H, W)), (ph, pw))[0, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                r, s = (i * sh - ph, j * sw - pw) if shift else (i * sh, j * sw)
                rows, cols = slice(r, r + PH), slice(s, s + PW)
                ones = inside[i * sh : i * sh + PH, j * sw : j * sw + PW]
                divisor = PH * PW if count == "all" else ones.sum()
                d = dout[:, :, i, j, None, None]
                share = d / divisor if weight is None else weight(d, divisor, ones)
                if band == "cols":
                    dxpad[:, :, rows] += share
                elif band == "rows":
                    dxpad[:, :, :, cols] += share
                else:
                    dxpad[:, :, rows, cols] += share
    dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx if np.all(np.isfinite(dx)) else None


def _dx_from_shares(x, pool_param, share):
    """dx of every window's ``share`` (N, C, H', W') added to each of its pixels, the padding cut away."""
    (PH, PW), (sh, sw), pad, _ = _geometry(x, pool_param)
    N, C, H, W = x.shape
    Ho, Wo = share.shape[2:]
    dxpad = np.zeros((N, C, H + 2 * pad[0], W + 2 * pad[1]))
    for p in range(PH):
        for q in range(PW):
            dxpad[:, :, p : p + sh * (Ho - 1) + 1 : sh, q : q + sw * (Wo - 1) + 1 : sw] += share
    return windows_crop(dxpad, pad, H, W)


def _clipped(x, pool_param, out_hw, offset, clip=(True, True), short=(0, 0), by_slice=False):
    """[(i, j, rows, cols, count)] of windows placed on x itself (no padded array) at (i*sh - oh, j*sw - ow),
    their starts clipped at 0 where ``clip`` says (a negative start slices from the end, as NumPy does),
    their ends at H - short[0] and W - short[1]; the count (count_include_pad=False) of the real pixels of that
    placement, or (``by_slice``) of the pixels its slices hold (0 for a wrapped, empty one)."""
    (PH, PW), (sh, sw), _, count = _geometry(x, pool_param)
    H, W = x.shape[2] - short[0], x.shape[3] - short[1]
    found = []
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            r0, c0 = i * sh - offset[0], j * sw - offset[1]
            real = max(min(r0 + PH, H) - max(r0, 0), 0) * max(min(c0 + PW, W) - max(c0, 0), 0)
            rows = slice(max(r0, 0) if clip[0] else r0, min(r0 + PH, H))
            cols = slice(max(c0, 0) if clip[1] else c0, min(c0 + PW, W))
            if by_slice:
                real = len(range(H)[rows]) * len(range(W)[cols])
            found.append((i, j, rows, cols, PH * PW if count == "all" else real))
    return found


def _clipped_mistakes(x, pool_param) -> list:
    """[(sentence, offset, clip, short, by_slice)]: a window placed on x itself with the pad pair mixed up, a negative
    start left unclipped, or the end clipped at the last index (H - 1) instead of H (``_clipped``)."""
    _, _, (ph, pw), _ = _geometry(x, pool_param)
    found = [
        (AVG_POOL["clip end"].format(which=which, ends=ends), (ph, pw), (True, True), short, False)
        for which, ends, short in (
            ("rows and columns", "H - 1 and W - 1", (1, 1)),
            ("rows", "H - 1", (1, 0)),
            ("columns", "W - 1", (0, 1)),
        )
    ]
    if (ph, pw) == (0, 0):
        return found
    for used, offset in (
        ("row i*sh - ph, column j*sw - ph", (ph, ph)),
        ("row i*sh - pw, column j*sw - pw", (pw, pw)),
        ("row i*sh - pw, column j*sw - ph", (pw, ph)),
    ):
        if offset != (ph, pw):
            found.append((AVG_POOL["clip offset"].format(used=used), offset, (True, True), (0, 0), False))
    for which, clip in (("rows and columns", (False, False)), ("rows", (False, True)), ("columns", (True, False))):
        for by_slice in (False, True):  # the count of the real pixels, or of what the slices hold
            found.append((AVG_POOL["clip start"].format(which=which), (ph, pw), clip, (0, 0), by_slice))
    return found


def _clipped_out(x, pool_param, offset, clip, short, by_slice):
    out_hw = shapes.check_avg_pool_inputs(x, pool_param)[-1]
    out = np.zeros((*x.shape[:2], *out_hw))
    with np.errstate(divide="ignore", invalid="ignore"):
        for i, j, rows, cols, count in _clipped(x, pool_param, out_hw, offset, clip, short, by_slice):
            out[:, :, i, j] = x[:, :, rows, cols].sum(axis=(2, 3)) / count
    return out


def _repeat_crash(args, message) -> bool:
    """np.repeat of dout, (N, C, H'*PH, W'*PW), put into an array of x's (or xpad's) shape."""
    x, pool_param = args[:2]
    Ho, Wo = shapes.check_avg_pool_inputs(x, pool_param)[-1]
    N, C = x.shape[:2]
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    return f"fromshape({N},{C},{Ho * PH},{Wo * PW})" in message.replace(" ", "")


def _counts_every_position(args, message) -> bool:
    """The sums (N, C, H', W') met counts of every stride-1 position, (H + 2*ph - PH + 1, W + 2*pw - PW + 1)."""
    x, pool_param = args[:2]
    (PH, PW), stride, (ph, pw), _ = _geometry(x, pool_param)
    H, W = x.shape[2:]
    every = (H + 2 * ph - PH + 1, W + 2 * pw - PW + 1)
    Ho, Wo = shapes.check_avg_pool_inputs(x, pool_param)[-1]
    text = message.replace(" ", "")
    return stride != (1, 1) and f"({every[0]},{every[1]})" in text and f",{Ho},{Wo})" in text


def _repeated(dout, pool_param):
    """np.repeat of dout over PH x PW blocks, divided by PH*PW: (N, C, H'*PH, W'*PW)."""
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    return np.repeat(np.repeat(dout, PH, axis=2), PW, axis=3) / (PH * PW)


def _clipped_dx(x, pool_param, dout, offset, clip, short, by_slice):
    dx = np.zeros(x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i, j, rows, cols, count in _clipped(x, pool_param, dout.shape[2:], offset, clip, short, by_slice):
            dx[:, :, rows, cols] += dout[:, :, i, j, None, None] / count
    return dx


def avg_pool_forward(args, dout=None):
    """Mistakes in average pooling's forward pass: out (N, C, H', W')."""
    x, pool_param = args
    _, stride, pad, count = _geometry(x, pool_param)
    found = [
        mistake("out", AVG_POOL["max"], lambda: _out(x, pool_param, count="none", reduce=np.max)),
        mistake("out", AVG_POOL["sum"], lambda: _out(x, pool_param, count="none")),
        mistake("out", AVG_POOL["mean over all"], lambda: _out(x, pool_param, reduce=_sum_all)),
        mistake("out", AVG_POOL["mean over all"], lambda: _out(x, pool_param, count="none", reduce=_mean_all)),
    ]
    if pad != (0, 0):
        other = "inside" if count == "all" else "all"
        sentence = AVG_POOL["divide by inside" if count == "all" else "divide by area"]
        found.append(mistake("out", sentence, lambda: _out(x, pool_param, count=other)))
        for divisor in ("all", "inside"):  # windows on x itself, cut at its border
            found.append(mistake("out", AVG_POOL["no pad"], lambda d=divisor: _out(x, pool_param, pad=(0, 0), count=d)))
        if count == "inside":
            found.append(mistake("out", AVG_POOL["count unpadded"], lambda: _out(x, pool_param, count="unpadded")))
        raw = pool_param["pad"]
        every_axis = lambda: np.pad(x, raw)  # noqa: E731 - np.pad(x, pad): every axis padded
        found.append(mistake("out", AVG_POOL["np.pad all axes"], lambda: _out(x, pool_param, xpad=every_axis())))
        edge = lambda: np.pad(x, ((0, 0), (0, 0), (pad[0],) * 2, (pad[1],) * 2), mode="edge")  # noqa: E731
        found.append(mistake("out", AVG_POOL["edge pad"], lambda: _out(x, pool_param, xpad=edge())))
        found.append(mistake("out", AVG_POOL["no pad"], lambda: _out(x, pool_param, xpad=x)))  # the counts right
        for key, other_pad in (
            ("pad h for w", (pad[0], pad[0])),
            ("pad w for h", (pad[1], pad[1])),
            ("pad swapped", pad[::-1]),
        ):
            if other_pad != pad:  # the input and its counts padded so, or only the input
                found.append(mistake("out", AVG_POOL[key], lambda p=other_pad: _out(x, pool_param, pad=p)))
                padded = lambda p=other_pad: im2col_module.pad_input(x, p)  # noqa: E731
                found.append(mistake("out", AVG_POOL[key], lambda v=padded: _out(x, pool_param, xpad=v())))
                counts_only = lambda p=other_pad: _out(x, pool_param, pad=p, xpad=im2col_module.pad_input(x, pad))  # noqa: E731
                found.append(mistake("out", AVG_POOL[key], counts_only))
    if stride != (1, 1):
        found.append(mistake("out", AVG_POOL["no stride"], lambda: _out(x, pool_param, step=(1, 1))))
    found += [
        mistake("out", sentence, lambda c=where: _out(x, pool_param, count_start=c))
        for sentence, where in _count_mistakes(stride, count)
    ]
    found.append(mistake("out", _nonzero(count), lambda: _out(x, pool_param, count="nonzero")))
    out_hw = shapes.check_avg_pool_inputs(x, pool_param)[-1]
    for key, (size, start) in _window_mistakes(x, pool_param, out_hw).items():
        for divisor in (count, "size"):  # the right count, or the mean of the wrong window
            value = lambda s=size, t=start, d=divisor: _out(x, pool_param, count=d, size=s, start=t)  # noqa: E731
            found.append(mistake("out", AVG_POOL[f"window {key}"], value))
    sums = _out(x, pool_param, count="none")
    found += [
        mistake("out", sentence, lambda t=table: sums / t) for sentence, table in _table_mistakes(x, pool_param, out_hw)
    ]
    if pad != (0, 0):
        found.append(mistake("out", AVG_POOL["start minus pad"], lambda: _shifted_out(x, pool_param, out_hw)))
    found.append(mistake("out", AVG_POOL["floor division"], lambda: sums // _right_table(x, pool_param, out_hw)))
    (PH, PW), _, _, _ = _geometry(x, pool_param)
    N, C, H, W = x.shape
    padded = (H + 2 * pad[0], W + 2 * pad[1])
    right_out = L.avg_pool_forward_im2col(x, pool_param)[0]
    starts = pool_mistakes.short_starts(right_out, padded, (PH, PW), stride)
    found += [("out", pool_words.POOL["starts stop short"], v) for v in starts]
    if H % PH == 0 and W % PW == 0:  # side-by-side tiles of x
        found.append(("out", pool_words.POOL["tiles"], x.reshape(N, C, H // PH, PH, W // PW, PW).mean(axis=(3, 5))))
    found += [
        mistake("out", sentence, lambda o=offset, c=clip, s=short, b=by_slice: _clipped_out(x, pool_param, o, c, s, b))
        for sentence, offset, clip, short, by_slice in _clipped_mistakes(x, pool_param)
    ]
    return found


def avg_pool_backward(args, dout):
    """Mistakes in average pooling's backward pass: dx (N, C, H, W)."""
    x, pool_param = args
    _, stride, pad, count = _geometry(x, pool_param)
    H, W = x.shape[2:]
    found = [
        mistake("dx", AVG_POOL["backward no divide"], lambda: _dx(x, pool_param, dout, count="none")),
        mistake("dx", AVG_POOL["backward top-left"], lambda: _dx(x, pool_param, dout, share="top-left")),
        mistake("dx", AVG_POOL["backward top-left"], lambda: _dx(x, pool_param, dout, count="none", share="top-left")),
        mistake("dx", AVG_POOL["backward overwrite"], lambda: _dx(x, pool_param, dout, add=False)),
        mistake("dx", AVG_POOL["backward twice"], lambda: _dx(x, pool_param, dout, count=f"{count} squared")),
        mistake("dx", AVG_POOL["backward max"], lambda: _dx(x, pool_param, dout, count="none", share="max")),
        mistake("dx", AVG_POOL["backward max"], lambda: _dx(x, pool_param, dout, share="max")),
        mistake("dx", AVG_POOL["repeat"], lambda: _repeated(dout, pool_param)),
        *(
            mistake("dx", f"in the backward pass, {AVG_POOL[key]}", lambda p=p: _dx(x, pool_param, dout, count_pad=p))
            for key, p in (
                ("pad h for w", (pad[0], pad[0])),
                ("pad w for h", (pad[1], pad[1])),
                ("pad swapped", pad[::-1]),
            )
            if p != pad and count == "inside"
        ),
    ]
    if stride != (1, 1):
        found.append(mistake("dx", AVG_POOL["backward no stride"], lambda: _dx(x, pool_param, dout, step=(1, 1))))
    found += [
        mistake("dx", f"in the backward pass, {sentence}", lambda c=where: _dx(x, pool_param, dout, count_start=c))
        for sentence, where in _count_mistakes(stride, count)
    ]
    found.append(
        mistake("dx", f"in the backward pass, {_nonzero(count)}", lambda: _dx(x, pool_param, dout, count="nonzero"))
    )
    ph, pw = pad
    for used, (a, b) in (("ph", (ph, ph)), ("pw", (pw, pw)), ("(pw, ph)", (pw, ph))):
        if (a, b) != (ph, pw):
            cut = lambda a=a, b=b: _dx(x, pool_param, dout, crop=False)[:, :, a : a + H, b : b + W]  # noqa: E731
            found.append(mistake("dx", AVG_POOL["dx cut pair"].format(used=used), cut))
    if pad != (0, 0):
        other = "inside" if count == "all" else "all"
        sentence = AVG_POOL["divide by inside" if count == "all" else "divide by area"]
        found.append(mistake("dx", sentence, lambda: _dx(x, pool_param, dout, count=other)))
        found.append(mistake("dx", AVG_POOL["dx padded"], lambda: _dx(x, pool_param, dout, crop=False)))
        found.append(
            mistake("dx", AVG_POOL["dx crop corner"], lambda: _dx(x, pool_param, dout, crop=False)[:, :, :H, :W])
        )
        ph, pw = pad
        found.append(
            mistake("dx", AVG_POOL["dx crop start"], lambda: _dx(x, pool_param, dout, crop=False)[:, :, ph:, pw:])
        )
        if count == "inside":
            found.append(mistake("dx", AVG_POOL["count unpadded"], lambda: _dx(x, pool_param, dout, count="unpadded")))
    if 0 in pad:  # ph:-ph is empty where the pad is 0
        ph, pw = pad
        empty = lambda: _dx(x, pool_param, dout, crop=False)[:, :, ph:-ph, pw:-pw]  # noqa: E731
        found.append(mistake("dx", AVG_POOL["dx crop empty"], empty))
    for key, (size, start) in _window_mistakes(x, pool_param, dout.shape[2:]).items():
        for divisor in (count, "size"):
            value = lambda s=size, t=start, d=divisor: _dx(x, pool_param, dout, count=d, size=s, start=t)  # noqa: E731
            found.append(mistake("dx", AVG_POOL[f"backward window {key}"], value))
    out_hw = dout.shape[2:]
    found += [
        mistake("dx", f"in the backward pass, {sentence}", lambda t=table: _dx_from_shares(x, pool_param, dout / t))
        for sentence, table in _table_mistakes(x, pool_param, out_hw)
    ]
    ph, pw = pad
    if pad != (0, 0):
        found.append(
            mistake("dx", AVG_POOL["backward start minus pad"], lambda: _dx_custom(x, pool_param, dout, shift=True))
        )
    for used, size in (("pw", (pw, pw)), ("ph", (ph, ph)), ("(pw, ph)", (pw, ph))):
        if size != pad:
            value = lambda z=size: _dx_custom(x, pool_param, dout, size=z)  # noqa: E731
            found.append(mistake("dx", AVG_POOL["dxpad size"].format(used=used), value))
    if count == "inside":
        for axis, line in ((0, "column"), (1, "row")):
            weight = lambda d, c, ones, a=axis: d / ones.sum(axis=a, keepdims=True)  # noqa: E731
            value = lambda w=weight: _dx_custom(x, pool_param, dout, weight=w)  # noqa: E731
            found.append(mistake("dx", AVG_POOL["count per column"].format(axis=axis, line=line), value))
    found.append(
        mistake("dx", AVG_POOL["times count"], lambda: _dx_custom(x, pool_param, dout, weight=lambda d, c, o: d * c))
    )
    for missing, whole, band in (("cols", "column", "rows"), ("rows", "row", "columns")):
        sentence = AVG_POOL["band"].format(missing=missing, whole=whole, band=band)
        found.append(mistake("dx", sentence, lambda m=missing: _dx_custom(x, pool_param, dout, band=m)))
    floor = lambda: _dx_from_shares(x, pool_param, dout // _right_table(x, pool_param, out_hw))  # noqa: E731
    found.append(mistake("dx", AVG_POOL["backward floor division"], floor))
    found += [
        mistake(
            "dx",
            f"in the backward pass, {sentence}",
            lambda o=offset, c=clip, s=short, b=by_slice: _clipped_dx(x, pool_param, dout, o, c, s, b),
        )
        for sentence, offset, clip, short, by_slice in _clipped_mistakes(x, pool_param)
    ]
    return found


def avg_pool_regions(args, output: str):
    """Regions of out or dx where padding and overlapping windows show: {phrase: (mask, advice)}."""
    x, pool_param = args
    N, C, H, W = x.shape
    kernel, stride, pad, _ = _geometry(x, pool_param)
    if output == "out":
        touches = windows_touching_padding((H, W), kernel, stride, pad, (1, 1))  # (H', W')
        mask = np.broadcast_to(touches, (N, C, *touches.shape))
        return {"where the window reaches into the padding (near the border)": (mask, AVG_POOL["region padding"])}
    if output == "dx":
        overlap = coverage(x.shape, kernel, stride, pad, (1, 1)) > 1
        return {"where windows overlap (pixels in more than one window)": (overlap, AVG_POOL["region overlap"])}
    return {}


HINTS = {
    "forward": (
        "Average pooling slides a pool_height x pool_width window over each channel of each sample and\n"
        "keeps the mean of the window: out has shape (N, C, H', W') with\n"
        "H' = (H + 2*pad - pool_height) // stride + 1. pool_param may leave out 'pad' and\n"
        "'count_include_pad': read them with .get('pad', 0) and .get('count_include_pad', True), or use\n"
        "cnnlab.shapes.check_avg_pool_inputs, which returns the stride and pad as (h, w) pairs.",
        "Pad with zeros on H and W only: xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))). Loop over\n"
        "n, c, i, j; the window of output (i, j) is xpad[n, c, i*sh : i*sh + pool_height,\n"
        "j*sw : j*sw + pool_width] (windows overlap when the stride is smaller than the window).",
        "Divide each window's sum by pool_height * pool_width when count_include_pad is True (the zeros of\n"
        "the padding count); when it is False, by the number of its pixels inside x: the same window of\n"
        "np.pad(np.ones((H, W)), ((ph, ph), (pw, pw))), summed. cache = (x, pool_param) is enough for the\n"
        "backward pass.",
    ),
    "backward": (
        "out[n, c, i, j] = window.sum() / count, so each pixel of the window gets the same share of its\n"
        "gradient, dout[n, c, i, j] / count, with count as in the forward pass (pool_height * pool_width,\n"
        "or the window's pixels inside x when count_include_pad is False).",
        "Work on a padded gradient, dxpad = np.zeros((N, C, H + 2*ph, W + 2*pw)), and add, do not assign:\n"
        "dxpad[n, c, i*sh : i*sh + PH, j*sw : j*sw + PW] += dout[n, c, i, j] / count. A pixel in several\n"
        "windows gets a share from each.",
        "The shares that fall on the padding are not gradients of x: cut them away at the end,\n"
        "dx = dxpad[:, :, ph:ph + H, pw:pw + W] (not dxpad[:, :, ph:-ph], which is empty when ph = 0).\n"
        "dx has the shape of x.",
    ),
}

_FAMILY = dict(
    lesson=4,
    cases=avg_pool_cases,
    axes=pool.AXES,
    regions=avg_pool_regions,
    answer_key=pool.ANSWER_KEY,
    tag_advice=TAGS,
    optional_keys={"pad": "0", "count_include_pad": "True"},
    crash_advice=(
        CrashAdvice(kind=ValueError, text="broadcast", tag="", advice=AVG_POOL["repeat"], applies=_repeat_crash),
        pool_mistakes.TILES,
        CrashAdvice(
            kind=ValueError,
            text="broadcast",
            tag="",
            advice=AVG_POOL["counts unstrided"],
            applies=_counts_every_position,
        ),
        *PAIRS,
    ),
)

EXERCISES = [
    Exercise(
        name="avg_pool_forward_naive",
        kind="forward",
        params=("x", "pool_param"),
        reference=L.avg_pool_forward_naive,
        expected=_expected_out,
        outputs=("out",),
        mistakes=avg_pool_forward,
        sizes=sizes,
        size_formula=SIZE_FORMULA,
        hints=HINTS["forward"],
        **_FAMILY,
    ),
    Exercise(
        name="avg_pool_backward_naive",
        kind="backward",
        params=("dout", "cache"),
        reference=L.avg_pool_backward_naive,
        expected=_expected_grads,
        outputs=("dx",),
        inputs=("x",),
        forward="avg_pool_forward_naive",
        mistakes=avg_pool_backward,
        hints=HINTS["backward"],
        **_FAMILY,
    ),
]
