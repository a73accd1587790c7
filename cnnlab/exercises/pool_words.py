"""Max pooling's known mistakes, in words (``POOL``: what the code does wrong, with the fix; the window
mistakes the backward shares, ``WINDOW_MISTAKES``), and where to look when exactly the cases with a tag fail
(``TAGS``). The exercises of ``pool`` and ``avgpool`` use them.
"""

from __future__ import annotations

from cnnlab.exercises.exercise import SHARED_TAGS

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
    "column-major first": (
        "with ties the gradient goes to the first maximum of a scan over the columns first (q outer, p inner); "
        "the first in row-major order (p outer, q inner) is the one np.argmax and the reference pick"
    ),
    "column-major last": (
        "with ties the gradient goes to the last maximum of a scan over the columns first; the first in "
        "row-major order (p outer, q inner) is the one np.argmax and the reference pick"
    ),
    "best starts at 0": (
        "the scan for the maximum starts from best = 0: in a window whose values are all negative (or 0) nothing "
        "beats it and its first pixel gets the gradient; start from -np.inf, or the window's first value"
    ),
    "bound of the other axis": (
        "a loop over the outputs runs to the other axis's bound: j over range(H') where it is range(W') (or i over "
        "range(W')), so the outputs past it are never computed"
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
    {
        f"backward {key}": f"in the backward pass, {POOL[key]}"
        for key in (*WINDOW_MISTAKES, "starts stop short", "bound of the other axis")
    }
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
