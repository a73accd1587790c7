"""The max pooling exercises of lesson 4, forward and backward, with their cases, known
mistakes, regions and hints (average pooling, the other half of the family, is ``avgpool``).

Cases come from ``cnnlab.cases.POOL_CASES``. Known mistakes are recomputed window by
window (a loop that reduces each window another way, or routes its gradient elsewhere).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnlab import cases as tables
from cnnlab import layers as L
from cnnlab import shapes
from cnnlab.exercises.exercise import SHARED_TAGS, Case, CrashAdvice, Exercise, case_rng, mistake
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
# The known mistakes, in words

POOL = {
    "average": "it averages each window (that is average pooling); max pooling keeps the largest value",
    "min": "it keeps the smallest value of each window; max pooling keeps the largest",
    "abs": "it keeps the value of largest magnitude; max pooling keeps the largest value, sign included",
    "abs value": (
        "it keeps the largest absolute value (np.abs(window).max()): max pooling keeps the largest value, "
        "sign included, window.max()"
    ),
    "size from stride": (
        "the window's size is taken from the stride: window (i, j) is pool_height x pool_width, x[n, c, "
        "i*sh : i*sh + PH, j*sw : j*sw + PW]"
    ),
    "slices with index arrays": (
        "dx[:, :, rows, cols] += ... with the winners' rows and cols as (N, C) index arrays: NumPy pairs the "
        "slices over n and c with every (n, c) of the arrays, so each sample and channel gets every winner's "
        "gradient; index n and c with arrays too, dx[n_idx, c_idx, rows, cols] (np.add.at where pixels repeat)"
    ),
    "starts stop short": (
        "the loops over the window starts stop one short, range(0, H - PH, sh): the last start, H - PH, is left "
        "out (range's end is not included); loop over the H' = (H - PH) // sh + 1 outputs, range(H'), with the "
        "window at i*sh"
    ),
    "end at H - 1": (
        "the windows are clipped at row H - 1 and column W - 1, so the last row and column are never read: a "
        "slice's end is not included, clip at H and W (or do not clip at all)"
    ),
    "dx from x": (
        "dx starts as a copy of x (x.copy()) instead of zeros: dx = np.zeros_like(x), then each window adds its "
        "gradient"
    ),
    "max over area": (
        "the gradient is divided by the pool area: the maximum gets all of dout[n, c, i, j], "
        "dx[n, c, i*sh + p, j*sw + q] += dout[n, c, i, j]"
    ),
    "argmax split": (
        "the maximum's row and column are found separately (the row with the largest value, then the column "
        "with the largest value): with ties they can name a pixel that is not a maximum; take one argmax of "
        "the window and np.unravel_index it"
    ),
    "step pool size": (
        "the windows move by the pool size, not by the stride: window (i, j) starts at row i*stride, column j*stride"
    ),
    "step 1": "the windows do not move by the stride: window (i, j) starts at row i*stride, column j*stride",
    "swapped": "pool_height and pool_width are swapped: the window is pool_height rows by pool_width columns",
    "tiles": (
        "the windows are taken as side-by-side tiles, x.reshape(N, C, H // PH, PH, W // PW, PW): that holds only "
        "when the stride equals the window and the tiles cover H and W exactly; slide the window by the stride: "
        "window (i, j) is x[n, c, i*sh : i*sh + PH, j*sw : j*sw + PW]"
    ),
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
    # the window in the wrong place or of the wrong size (forward; the backward has them too, below)
    "short": (
        "the window stops one row and one column short: window (i, j) is x[n, c, i*sh : i*sh + PH, "
        "j*sw : j*sw + PW] (a slice's end is not included, so that is PH rows and PW columns)"
    ),
    "short rows": (
        "the window stops one row short: its rows are i*sh : i*sh + PH (a slice's end is not included, so that is "
        "PH rows)"
    ),
    "short cols": (
        "the window stops one column short: its columns are j*sw : j*sw + PW (a slice's end is not included, so "
        "that is PW columns)"
    ),
    "long": (
        "the window is one row and one column too large: x[n, c, i*sh : i*sh + PH, j*sw : j*sw + PW] already "
        "holds PH rows and PW columns (a slice's end is not included)"
    ),
    "rows step 1": "the rows do not move by the stride: window (i, j) starts at row i*sh (not i), column j*sw",
    "cols step 1": "the columns do not move by the stride: window (i, j) starts at row i*sh, column j*sw (not j)",
    "stride w for h": (
        "the rows step by the columns' stride: window (i, j) starts at row i*sh, column j*sw (the stride is an "
        "(h, w) pair here)"
    ),
    "stride swapped": (
        "the stride pair is swapped: (sh, sw) is (rows, columns), so window (i, j) starts at row i*sh, column j*sw"
    ),
    "square PH": "the window is pool_height x pool_height: it is pool_height rows by pool_width columns",
    "square PW": "the window is pool_width x pool_width: it is pool_height rows by pool_width columns",
    "i for j": "the window's columns start at i*sw: window (i, j) starts at row i*sh, column j*sw (j, not i)",
    "j for i": "the window's rows start at j*sh: window (i, j) starts at row i*sh (i, not j), column j*sw",
    "i and j swapped": (
        "i and j are swapped: out[n, c, i, j] is the window that starts at row i*sh, column j*sw (i is the row)"
    ),
    # what each window is reduced to (forward)
    "sum": "it sums each window; max pooling keeps its largest value",
    "argmax": (
        "out holds the position of each window's maximum (np.argmax), not its value: out[n, c, i, j] = window.max()"
    ),
    "relu": (
        "negative maxima became 0 (a ReLU after the pooling, or a running maximum that starts at 0): max pooling "
        "keeps the largest value even when it is negative; start from the window's own values, window.max()"
    ),
    "max over samples": (
        "each output is the maximum of its window over every sample (a max over axis 0 too): each sample has "
        "its own windows; take the max over the window's rows and columns only"
    ),
    "max over channels": (
        "each output is the maximum of its window over every channel (a max over axis 1 too): channels are never "
        "mixed; take the max over the window's rows and columns only"
    ),
    "max over all": (
        "each output is the maximum of its window over every sample and channel (window.max() without axis): "
        "take the max over the window's rows and columns only, axis=(2, 3)"
    ),
    # where the gradient of a window goes (backward)
    "backward min": "the gradient goes to each window's minimum (argmin); it goes to its maximum",
    "backward abs": (
        "the gradient goes to the element of largest magnitude (argmax of abs); it goes to the largest value, "
        "sign included"
    ),
    "times max": (
        "each winner gets dout[n, c, i, j] times its own value: the derivative of the max with respect to its "
        "winner is 1, so the winner gets dout[n, c, i, j] itself"
    ),
    "no dout": ("each winner gets 1, not the upstream gradient: dx[n, c, i*sh + p, j*sw + q] += dout[n, c, i, j]"),
    "negated": "the gradient has the wrong sign: dx[n, c, i*sh + p, j*sw + q] += dout[n, c, i, j] (+, not -)",
    "backward max over all": (
        "the maximum is found over the windows of every sample and channel at once (window.max() without axis): "
        "each sample's and channel's window has its own maximum, axis=(2, 3)"
    ),
    "argmax whole map": (
        "the argmax is over the whole x[n, c], not over the window: every gradient goes to the map's maximum; "
        "take np.argmax(window) of window = x[n, c, i*sh : i*sh + PH, j*sw : j*sw + PW]"
    ),
    "unravel PH": (
        "the argmax is unravelled with the wrong width (divmod(k, PH) or np.unravel_index(k, (PW, PH))): the "
        "flat index of a PH x PW window is k = p*PW + q, so (p, q) = np.unravel_index(k, window.shape)"
    ),
    "unravel HW": (
        "the argmax is unravelled with the shape of x (np.unravel_index(k, (H, W))): k indexes the window, "
        "so (p, q) = np.unravel_index(k, window.shape)"
    ),
    "p q swapped": (
        "the row and column of the maximum are swapped: np.unravel_index returns (p, q), row first, and the "
        "gradient goes to dx[n, c, i*sh + p, j*sw + q]"
    ),
    "no offset": (
        "the gradient is placed at dx[n, c, p, q], the maximum's position inside the window: in x it is at "
        "row i*sh + p, column j*sw + q"
    ),
    "backward rows no stride": (
        "the gradient is placed at row i + p: the rows' stride is missing; the maximum (p, q) of window (i, j) "
        "is at row i*sh + p, column j*sw + q"
    ),
    "backward cols no stride": (
        "the gradient is placed at column j + q: the columns' stride is missing; the maximum (p, q) of window "
        "(i, j) is at row i*sh + p, column j*sw + q"
    ),
}

# the backward pass looking for the maxima in windows of the wrong size or place
WINDOW_MISTAKES = (
    "step 1",
    "rows step 1",
    "cols step 1",
    "stride h for w",
    "stride w for h",
    "stride swapped",
    "swapped",
    "square PH",
    "square PW",
    "size from stride",
    "short",
    "short rows",
    "short cols",
    "long",
    "i for j",
    "j for i",
    "i and j swapped",
)
POOL.update(
    {f"backward {key}": f"in the backward pass, {POOL[key]}" for key in (*WINDOW_MISTAKES, "starts stop short")}
)

# the windows of ``window_variants`` in the lesson's terms: (size, (row, column) of its start)
WINDOW_TEXT = {
    "right": ("PH x PW", ("i*sh", "j*sw")),
    "step pool size": ("PH x PW", ("i*PH", "j*PW")),
    "step 1": ("PH x PW", ("i", "j")),
    "rows step 1": ("PH x PW", ("i", "j*sw")),
    "cols step 1": ("PH x PW", ("i*sh", "j")),
    "stride h for w": ("PH x PW", ("i*sh", "j*sh")),
    "stride w for h": ("PH x PW", ("i*sw", "j*sw")),
    "stride swapped": ("PH x PW", ("i*sw", "j*sh")),
    "swapped": ("PW x PH", ("i*sh", "j*sw")),
    "square PH": ("PH x PH", ("i*sh", "j*sw")),
    "square PW": ("PW x PW", ("i*sh", "j*sw")),
    "short": ("(PH-1) x (PW-1)", ("i*sh", "j*sw")),
    "short rows": ("(PH-1) x PW", ("i*sh", "j*sw")),
    "short cols": ("PH x (PW-1)", ("i*sh", "j*sw")),
    "long": ("(PH+1) x (PW+1)", ("i*sh", "j*sw")),
    "size from stride": ("sh x sw", ("i*sh", "j*sw")),
    "i for j": ("PH x PW", ("i*sh", "i*sw")),
    "j for i": ("PH x PW", ("j*sh", "j*sw")),
    "i and j swapped": ("PH x PW", ("j*sh", "i*sw")),
}
READ_PLACE = (
    "in the backward pass, the maximum is looked for in the {size} window at row {r}, column {c}, but its gradient "
    "is placed at row {pr} + p, column {pc} + q: read and place with one window, window (i, j) = x[n, c, "
    "i*sh : i*sh + PH, j*sw : j*sw + PW], whose maximum (p, q) goes to dx[n, c, i*sh + p, j*sw + q]"
)


def read_place_sentence(read: str, place: str) -> str:
    size, (r, c) = WINDOW_TEXT[read]
    pr, pc = WINDOW_TEXT[place][1]
    return READ_PLACE.format(size=size, r=r, c=c, pr=pr, pc=pc)


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
# Mistakes, recomputed. Each window is (N, C, a, b): every sample and channel at once, one
# loop over the output positions (i, j); a window cut at the edge of x is cut as slicing does.


def _pool_geometry(pool_param):
    stride = shapes.check_pair("stride", pool_param["stride"], 1)
    return pool_param["pool_height"], pool_param["pool_width"], stride


def window_variants(kernel, stride, out_hw) -> dict:
    """{key: (size, start)} of the windows a student gets wrong, one thing changed each: ``size``
    (rows, columns) and ``start(i, j) -> (row, column)``. Only those that differ from the right ones."""
    PH, PW = kernel
    sh, sw = stride
    found = {
        "step pool size": ((PH, PW), lambda i, j: (i * PH, j * PW)),
        "step 1": ((PH, PW), lambda i, j: (i, j)),
        "rows step 1": ((PH, PW), lambda i, j: (i, j * sw)),
        "cols step 1": ((PH, PW), lambda i, j: (i * sh, j)),
        "stride h for w": ((PH, PW), lambda i, j: (i * sh, j * sh)),
        "stride w for h": ((PH, PW), lambda i, j: (i * sw, j * sw)),
        "stride swapped": ((PH, PW), lambda i, j: (i * sw, j * sh)),
        "swapped": ((PW, PH), lambda i, j: (i * sh, j * sw)),
        "square PH": ((PH, PH), lambda i, j: (i * sh, j * sw)),
        "square PW": ((PW, PW), lambda i, j: (i * sh, j * sw)),
        "short": ((PH - 1, PW - 1), lambda i, j: (i * sh, j * sw)),
        "short rows": ((PH - 1, PW), lambda i, j: (i * sh, j * sw)),
        "short cols": ((PH, PW - 1), lambda i, j: (i * sh, j * sw)),
        "long": ((PH + 1, PW + 1), lambda i, j: (i * sh, j * sw)),
        "size from stride": ((sh, sw), lambda i, j: (i * sh, j * sw)),
        "i for j": ((PH, PW), lambda i, j: (i * sh, i * sw)),
        "j for i": ((PH, PW), lambda i, j: (j * sh, j * sw)),
        "i and j swapped": ((PH, PW), lambda i, j: (j * sh, i * sw)),
    }
    grid = [(i, j) for i in range(out_hw[0]) for j in range(out_hw[1])]
    right = [(i * sh, j * sw) for i, j in grid]
    return {
        key: (size, start)
        for key, (size, start) in found.items()
        if size != (PH, PW) or [start(i, j) for i, j in grid] != right
    }


def _pool_windows(hw, size, start, out_hw):
    """[(i, j, rows, cols)] of windows of ``size`` at ``start(i, j)``, cut at the edge of (H, W)."""
    H, W = hw
    found = []
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            r, s = start(i, j)
            found.append((i, j, slice(r, min(r + size[0], H)), slice(s, min(s + size[1], W))))
    return found


# np.max or np.argmax of an empty window (one that starts past the input)
_EMPTY_WINDOW = ("zero-size array", "empty sequence")
# a sentence that is also true of other variants that empty a window of the same case (the rows step by sw
# whether the pair is swapped or sw is used for both)
_ALSO_TRUE = {"stride w for h": {"stride swapped"}, "stride h for w": {"stride swapped"}}


def _empties_a_window(key: str):
    """applies(args, message) for an empty-window crash that the window mistake ``key`` explains: it
    leaves a window of this case empty, the right windows do not, and no other mistake does (but those
    its sentence is also true of)."""

    def applies(args, message) -> bool:
        if not any(text in message for text in _EMPTY_WINDOW):
            return False
        x, pool_param = args[:2]
        PH, PW, stride = _pool_geometry(pool_param)
        out_hw = shapes.check_pool_inputs(x, pool_param)[-1]
        emptying = {
            k
            for k, (size, start) in window_variants((PH, PW), stride, out_hw).items()
            if any(
                r.start >= r.stop or c.start >= c.stop for *_, r, c in _pool_windows(x.shape[2:], size, start, out_hw)
            )
        }
        return key in emptying and emptying <= {key} | _ALSO_TRUE.get(key, set())

    return applies


def _empty_window_crashes(prefix: str) -> tuple:
    """The crash advice of a forward (prefix "") or backward ("backward ") pass whose window is empty."""
    keys = ("step pool size", *WINDOW_MISTAKES)
    return tuple(
        CrashAdvice(kind=ValueError, text="", tag="", advice=POOL[f"{prefix}{key}"], applies=_empties_a_window(key))
        for key in keys
        if f"{prefix}{key}" in POOL
    )


def _right_windows(x, pool_param, out_hw):
    PH, PW, (sh, sw) = _pool_geometry(pool_param)
    return _pool_windows(x.shape[2:], (PH, PW), lambda i, j: (i * sh, j * sw), out_hw)


def _pool_out(x, windows, out_hw, reduce):
    """out (N, C, H', W') with every window (N, C, a, b) reduced by ``reduce`` to (N, C); None if one is empty."""
    out = np.zeros((*x.shape[:2], *out_hw))
    for i, j, rows, cols in windows:
        window = x[:, :, rows, cols]
        if window.size == 0:
            return None
        out[:, :, i, j] = reduce(window)
    return out


def _flat(window):
    return window.reshape(*window.shape[:2], -1)


def _max(window):
    return window.max(axis=(2, 3))


def _largest_magnitude(window):
    flat = _flat(window)
    return np.take_along_axis(flat, np.abs(flat).argmax(axis=-1)[..., None], axis=-1)[..., 0]


REDUCE = {
    "average": lambda w: w.mean(axis=(2, 3)),
    "min": lambda w: w.min(axis=(2, 3)),
    "abs": _largest_magnitude,
    "abs value": lambda w: np.abs(w).max(axis=(2, 3)),
    "sum": lambda w: w.sum(axis=(2, 3)),
    "argmax": lambda w: _flat(w).argmax(axis=-1).astype(float),
    "relu": lambda w: np.maximum(_max(w), 0),
    "max over samples": lambda w: np.broadcast_to(w.max(axis=(0, 2, 3)), w.shape[:2]),
    "max over channels": lambda w: np.broadcast_to(w.max(axis=(1, 2, 3))[:, None], w.shape[:2]),
    "max over all": lambda w: np.full(w.shape[:2], w.max()),
}


def pool_forward(args, dout=None):
    """Mistakes in max pooling's forward pass: out (N, C, H', W')."""
    x, pool_param = args
    PH, PW, stride = _pool_geometry(pool_param)
    hw = L.max_pool_forward_im2col(x, pool_param)[0].shape[2:]
    right = _right_windows(x, pool_param, hw)
    found = [mistake("out", POOL[key], lambda r=reduce: _pool_out(x, right, hw, r)) for key, reduce in REDUCE.items()]
    for key, (size, start) in window_variants((PH, PW), stride, hw).items():
        windows = _pool_windows(x.shape[2:], size, start, hw)
        found.append(mistake("out", POOL[key], lambda w=windows: _pool_out(x, w, hw, _max)))
    H, W = x.shape[2:]
    clipped = _pool_windows((H - 1, W - 1), (PH, PW), lambda i, j: (i * stride[0], j * stride[1]), hw)
    found.append(mistake("out", POOL["end at H - 1"], lambda: _pool_out(x, clipped, hw, _max)))
    if H % PH == 0 and W % PW == 0:  # side-by-side tiles (of another size than H' x W' where that is wrong)
        N, C = x.shape[:2]
        found.append(("out", POOL["tiles"], x.reshape(N, C, H // PH, PH, W // PW, PW).max(axis=(3, 5))))
    every = sliding_window_view(x, (PH, PW), axis=(2, 3)).max(axis=(4, 5))  # the windows at every position
    steps = (
        ("stride swapped", stride[::-1]),
        ("stride h for w", (stride[0],) * 2),
        ("stride w for h", (stride[1],) * 2),
    )
    for key, (rows, cols) in steps:
        if (rows, cols) != stride:  # every window's max subsampled with the wrong steps: a size of its own
            found.append(("out", POOL[key], every[:, :, ::rows, ::cols]))
    found.append(
        ("out", POOL["starts stop short"], _short(L.max_pool_forward_im2col(x, pool_param)[0], x, PH, PW, stride))
    )
    return found


def _starts_done(n, k, s) -> int:
    """How many window starts range(0, n - k, s) visits: one short of (n - k) // s + 1 where s divides n - k."""
    return len(range(0, n - k, s))


def _short(value, x, PH, PW, stride):
    """out (or dout) with the windows that range(0, H - PH, sh) and range(0, W - PW, sw) never reach set to 0;
    None where they reach every window."""
    H, W = x.shape[2:]
    rows, cols = _starts_done(H, PH, stride[0]), _starts_done(W, PW, stride[1])
    if (rows, cols) == value.shape[2:]:
        return None
    short = value.copy()
    short[:, :, rows:] = 0
    short[:, :, :, cols:] = 0
    return short


def _tiles_crash(args, message) -> bool:
    """x.reshape(N, C, H // PH, PH, W // PW, PW) of an x that H // PH and W // PW tiles do not cover."""
    x, pool_param = args[:2]
    PH, PW, _ = _pool_geometry(pool_param)
    N, C, H, W = x.shape
    return f"intoshape({N},{C},{H // PH},{PH},{W // PW},{PW})" in message.replace(" ", "")


# the crash of a reshape into tiles (side-by-side windows)
TILES = CrashAdvice(kind=ValueError, text="cannot reshape", tag="", advice=POOL["tiles"], applies=_tiles_crash)


def _one_hot(window, flat_index):
    """(N, C, a, b): 1 at each window's ``flat_index`` (N, C), 0 elsewhere."""
    weights = np.zeros(_flat(window).shape)
    np.put_along_axis(weights, flat_index[..., None], 1.0, axis=-1)
    return weights.reshape(window.shape)


def _first(window):
    return _one_hot(window, _flat(window).argmax(axis=-1))


def _last(window):
    flat = _flat(window)
    return _one_hot(window, flat.shape[-1] - 1 - flat[..., ::-1].argmax(axis=-1))


def _split_argmax(window):
    """1 at (the row holding the largest value, the column holding the largest value), found apart."""
    r = window.max(axis=3).argmax(axis=2)
    s = window.max(axis=2).argmax(axis=2)
    weights = np.zeros(window.shape)
    n, c = np.meshgrid(np.arange(window.shape[0]), np.arange(window.shape[1]), indexing="ij")
    weights[n, c, r, s] = 1.0
    return weights


def _ties(window):
    return (window == window.max(axis=(2, 3), keepdims=True)).astype(float)


# how each window's dout d (N, C) is shared among its pixels: route(window, d) -> (N, C, a, b)
ROUTE = {
    "last max": lambda w, d: _last(w) * d[..., None, None],
    "all max": lambda w, d: _ties(w) * d[..., None, None],
    "split max": lambda w, d: _ties(w) / _ties(w).sum(axis=(2, 3), keepdims=True) * d[..., None, None],
    "spread": lambda w, d: np.broadcast_to(d[..., None, None] / (w.shape[2] * w.shape[3]), w.shape),
    "everywhere": lambda w, d: np.broadcast_to(d[..., None, None], w.shape),
    "backward min": lambda w, d: _one_hot(w, _flat(w).argmin(axis=-1)) * d[..., None, None],
    "backward abs": lambda w, d: _one_hot(w, np.abs(_flat(w)).argmax(axis=-1)) * d[..., None, None],
    "times max": lambda w, d: _first(w) * (d * _max(w))[..., None, None],
    "no dout": lambda w, d: _first(w),
    "negated": lambda w, d: -_first(w) * d[..., None, None],
    "backward max over all": lambda w, d: (w == w.max()) * d[..., None, None],
    "argmax split": lambda w, d: _split_argmax(w) * d[..., None, None],
}


def _route_first(window, d):
    return _first(window) * d[..., None, None]


def _pool_dx(x, dout, windows, route=_route_first, assign=None):
    """dx with each window's dout routed by ``route``; assign "winner" (=, at the routed pixels) or
    "window" (=, the whole window) instead of +=."""
    dx = np.zeros(x.shape)
    for i, j, rows, cols in windows:
        window = x[:, :, rows, cols]
        part = route(window, dout[:, :, i, j])
        if assign is None:
            dx[:, :, rows, cols] += part
        elif assign == "window":
            dx[:, :, rows, cols] = part
        else:
            target = dx[:, :, rows, cols]  # a view: assigning into it writes dx
            chosen = part != 0
            target[chosen] = part[chosen]
    return dx


def _pool_dx_placed(x, dout, windows, place):
    """dx with each window's first maximum found rightly but placed at ``place(r0, s0, i, j, k, b)`` ->
    (row, column) arrays (N, C), k the flat index in a window of b columns; places outside x are dropped."""
    N, C, H, W = x.shape
    dx = np.zeros(x.shape)
    n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for i, j, rows, cols in windows:
        window = x[:, :, rows, cols]
        k = _flat(window).argmax(axis=-1)
        r, s = place(rows.start, cols.start, i, j, k, window.shape[3])
        r, s = np.broadcast_to(r, (N, C)), np.broadcast_to(s, (N, C))
        inside = (r >= 0) & (r < H) & (s >= 0) & (s < W)
        np.add.at(dx, (n[inside], c[inside], r[inside], s[inside]), dout[:, :, i, j][inside])
    return dx


def _pool_dx_whole_map(x, dout):
    """dx with every window's gradient sent to the first maximum of its whole map x[n, c]."""
    N, C, H, W = x.shape
    p, q = np.divmod(x.reshape(N, C, -1).argmax(axis=-1), W)  # (N, C)
    dx = np.zeros(x.shape)
    n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    np.add.at(dx, (n, c, p, q), dout.sum(axis=(2, 3)))
    return dx


def pool_backward(args, dout):
    """Mistakes in max pooling's backward pass: dx (N, C, H, W)."""
    x, pool_param = args
    PH, PW, (sh, sw) = _pool_geometry(pool_param)
    H, W = x.shape[2:]
    hw = dout.shape[2:]
    right = _right_windows(x, pool_param, hw)
    place = {  # (r0, s0, i, j, k, b) -> where the gradient lands
        "backward no stride": lambda r0, s0, i, j, k, b: (i + k // b, j + k % b),
        "backward rows no stride": lambda r0, s0, i, j, k, b: (i + k // b, s0 + k % b),
        "backward cols no stride": lambda r0, s0, i, j, k, b: (r0 + k // b, j + k % b),
        "no offset": lambda r0, s0, i, j, k, b: (k // b, k % b),
        "unravel PH": lambda r0, s0, i, j, k, b: (r0 + k // PH, s0 + k % PH),
        "unravel HW": lambda r0, s0, i, j, k, b: (r0 + k // W, s0 + k % W),
        "p q swapped": lambda r0, s0, i, j, k, b: (r0 + k % b, s0 + k // b),
    }
    found = [mistake("dx", POOL[key], lambda p=p: _pool_dx_placed(x, dout, right, p)) for key, p in place.items()]
    found += [mistake("dx", POOL[key], lambda r=r: _pool_dx(x, dout, right, r)) for key, r in ROUTE.items()]
    found += [
        mistake("dx", POOL["overwrite"], lambda: _pool_dx(x, dout, right, assign="winner")),
        mistake("dx", POOL["overwrite"], lambda: _pool_dx(x, dout, right, assign="window")),
        mistake("dx", POOL["no dout"], lambda: _pool_dx(x, dout, right, ROUTE["no dout"], assign="winner")),
        mistake("dx", POOL["argmax whole map"], lambda: _pool_dx_whole_map(x, dout)),
        mistake("dx", POOL["slices with index arrays"], lambda: _pool_dx_sliced(x, dout, (PH, PW), (sh, sw))),
        mistake("dx", POOL["dx from x"], lambda: x + _pool_dx(x, dout, right)),
        mistake("dx", POOL["max over area"], lambda: _pool_dx(x, dout, right) / (PH * PW)),
    ]
    variants = window_variants((PH, PW), (sh, sw), hw)
    for key, (size, start) in variants.items():
        windows = _pool_windows((H, W), size, start, hw)
        found.append(mistake("dx", POOL[f"backward {key}"], lambda w=windows: _pool_dx(x, dout, w)))
    found += _read_place_mistakes(x, dout, (PH, PW), (sh, sw), variants)
    short = _short(dout, x, PH, PW, (sh, sw))
    if short is not None:
        found.append(mistake("dx", POOL["backward starts stop short"], lambda: _pool_dx(x, short, right)))
    return found


def _pool_dx_sliced(x, dout, kernel, stride):
    """dx[:, :, rows, cols] += dout[:, :, i, j] with the winners' rows and cols as (N, C) index arrays: NumPy
    pairs the slices over n and c with every (n, c) of the arrays (a repeated pixel added once, the last)."""
    (PH, PW), (sh, sw) = kernel, stride
    N, C = x.shape[:2]
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1)
            p, q = np.unravel_index(window.argmax(axis=2), (PH, PW))
            dx[:, :, i * sh + p, j * sw + q] += dout[:, :, i, j]
    return dx


def _read_place_mistakes(x, dout, kernel, stride, variants) -> list:
    """The maximum looked for in one window and its gradient placed from another's start: every pair of
    the windows of ``window_variants`` (and the right one) whose starts differ, the placement a start only."""
    hw = dout.shape[2:]
    grid = [(i, j) for i in range(hw[0]) for j in range(hw[1])]
    right = lambda i, j: (i * stride[0], j * stride[1])  # noqa: E731
    reads = {"right": (kernel, right), **variants}
    places = {"right": right, **{key: start for key, (size, start) in variants.items() if size == kernel}}
    already = {"step 1", "rows step 1", "cols step 1"}  # read right, placed without a stride: named above
    found = []
    for read, (size, start) in reads.items():
        windows = _pool_windows(x.shape[2:], size, start, hw)
        starts = [start(i, j) for i, j in grid]
        for place, where in places.items():
            if [where(i, j) for i, j in grid] == starts or (read == "right" and place in already):
                continue

            def placed(r0, s0, i, j, k, b, where=where):
                r, s = where(i, j)
                return r + k // b, s + k % b

            value = lambda w=windows, p=placed: _pool_dx_placed(x, dout, w, p)  # noqa: E731
            found.append(mistake("dx", read_place_sentence(read, place), value))
    return found


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
        crash_advice=(TILES, *_empty_window_crashes(""), *PAIRS),
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
        crash_advice=(*_empty_window_crashes("backward "), *PAIRS),
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
