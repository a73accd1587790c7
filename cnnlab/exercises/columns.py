"""The im2col and col2im exercises (lesson 3): their cases, known mistakes, regions and hints.

Cases are the geometries of ``cnnlab.cases.CONV_CASES``, as for the convolution, so the
tags (and where to look when exactly the cases with one fail) are the convolution's.
"""

from __future__ import annotations

import numpy as np

from cnnlab import cases as tables
from cnnlab import geometry, shapes
from cnnlab import im2col as im2col_module
from cnnlab.exercises import conv
from cnnlab.exercises.conv_words import CONV
from cnnlab.exercises.exercise import Case, Exercise, case_rng, mistake
from cnnlab.exercises.layouts import folder, layouts, order_text, shape_text
from cnnlab.exercises.windows import (
    FANCY_ORDERS,
    PAIRS,
    as_pairs,
    coverage,
    crop,
    cuts,
    fancy_fold,
    output_hw,
    pair_mistakes,
    strided_like_x,
    windows_touching_padding,
)

__all__ = ["EXERCISES", "COLUMNS", "im2col_cases", "col2im_cases", "im2col_mistakes", "col2im_mistakes"]


# ---------------------------------------------------------------------------------------------
# The known mistakes, in words

COLUMNS = {
    "one buffer": (
        "every column holds the last window: one array is filled and appended for every window, so the list "
        "holds the same array each time; make a new array per window (win.reshape(N, -1) is one), or write "
        "into cols[:, :, column]"
    ),
    "cs231n layout": (
        "this is CS231n's layout, all samples side by side, (C*HH*WW, N*H'*W'); cnnlab keeps the batch "
        "axis first: (N, C*HH*WW, H'*W')"
    ),
    "rows are windows": "each window is a row, (N*H'*W', C*HH*WW); here each window is a column: (N, C*HH*WW, H'*W')",
    "rows are windows per sample": (
        "each window is a row of its sample, (N, H'*W', C*HH*WW); here each window is a column, "
        "(N, C*HH*WW, H'*W'): return cols.transpose(0, 2, 1)"
    ),
    "tap-major rows": (
        "the rows are ordered (tap row, tap column, channel); row c*HH*WW + p*WW + q must hold tap (p, q) of channel c"
    ),
    "column-major columns": "the columns are ordered column-major; column i*W' + j must hold output position (i, j)",
    "no pad": "x is not padded: add pad zeros on every side of H and W first",
    "no dilation": "the dilation is ignored: tap (p, q) of window (i, j) is at row i*stride + p*dilation",
    "no stride": "the stride is ignored: window (i, j) starts at row i*stride, column j*stride",
    "overwrite": "where windows overlap, a later window overwrites an earlier one: add them (+=)",
    "averaged": (
        "where windows overlap, x holds the mean of their columns: col2im adds them up (it is the gradient of "
        "im2col, and a pixel read by k windows gets the sum of their k gradients); do not divide by the count"
    ),
    "padded": "x still includes the padding: cut pad rows and columns from each side, xpad[:, :, ph:ph + H, pw:pw + W]",
    "crop corner": (
        "x is cut from the top-left corner of xpad; cut pad rows and columns from each side: "
        "xpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "empty": (
        "x is empty: with pad = 0, xpad[:, :, pad:-pad] selects nothing (-0 is 0); use xpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "taps transposed": (
        "the taps of each channel are ordered (tap column, tap row): the window was transposed; row "
        "c*HH*WW + p*WW + q must hold tap (p, q) of channel c, window.reshape(N, -1) of the (N, C, HH, WW) window"
    ),
    "column i*H'": (
        "output position (i, j) goes to column i*H' + j; it belongs in column i*W' + j (W' columns per row of outputs)"
    ),
    "flipped windows": "each window is flipped (taps in reverse order): copy the window as it is, no flip",
    "edge pad": "the padding repeats the border values; pad with zeros",
    "columns column-major": (
        "the columns are read in column-major order: column i*W' + j of cols is the window of output position (i, j)"
    ),
    "no dilation, contiguous": (
        "the dilation is ignored: each window is a block of HH x WW neighbouring pixels at (i*stride, j*stride); "
        "tap (p, q) is at row i*stride + p*dilation, column j*stride + q*dilation"
    ),
    "unstrided": (
        "the windows do not move by the stride: window (i, j) starts at row i*stride, column j*stride "
        "(not at row i, column j)"
    ),
    "layout written": (
        "cols holds its numbers in the order {got} (n: sample, c: channel, p, q: tap row and column, i, j: output "
        "row and column), as an array of shape ({shape}) reshaped to (N, C*HH*WW, H'*W') as it is; the rows of cols "
        "are (c, p, q), row c*HH*WW + p*WW + q, and its columns (i, j), column i*W' + j: put the numbers in the order "
        "(n, c, p, q, i, j), an array of shape (N, C, HH, WW, H', W') (transpose to it), then reshape"
    ),
    "layout read": (
        "cols is reshaped as if its numbers were in the order {got}, shape ({shape}), and its axes moved back (n: "
        "sample, c: channel, p, q: tap row and column, i, j: output row and column); they are in the order "
        "(n, c, p, q, i, j) already, an array of shape (N, C, HH, WW, H', W'): reshape it to (N, C*HH*WW, H'*W') "
        "directly, with no transpose"
    ),
    "reads written": (
        "col2im reads cols with its axes moved to the order {got} and then taken as (n, c, p, q, i, j) (n: sample, "
        "c: channel, p, q: tap row and column, i, j: output row and column): cols.reshape(N, C, HH, WW, H', W') is "
        "in the order (n, c, p, q, i, j) as it is; row c*HH*WW + p*WW + q holds tap (p, q) of channel c, column "
        "i*W' + j output position (i, j)"
    ),
    "reads read": (
        "col2im reads cols as if its numbers were in the order {got}, shape ({shape}) (n: sample, c: channel, p, q: "
        "tap row and column, i, j: output row and column); cols is in the order (n, c, p, q, i, j): row "
        "c*HH*WW + p*WW + q holds tap (p, q) of channel c, column i*W' + j output position (i, j), so "
        "cols.reshape(N, C, HH, WW, H', W') (or a column's cols[:, :, k].reshape(N, C, HH, WW)) as it is"
    ),
    "cut": (
        "x is cut as xpad[:, :, {rows}, {cols}], which is not where x sits in xpad: its H rows come after ph rows of "
        "padding and its W columns after pw columns, so x = xpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "channel block": (
        "channel c's rows start at row {start}, not c*HH*WW: each channel has HH*WW rows, so tap (p, q) of channel "
        "c is row c*HH*WW + p*WW + q"
    ),
    "loop one short": (
        "the loop over {what} stops one short ({loop}): the last {one} is left out; range({size}) covers all of them"
    ),
    "nothing written": (
        "x is all zeros: nothing was written to it; chained indexing with index arrays, "
        "xpad[:, :, rows][:, :, :, cols] += ..., adds into a copy; use slices, "
        "xpad[:, :, r0:r1:dh, c0:c1:dw] += ..., or np.add.at with one index tuple"
    ),
    "region padding": "look at how x is padded: with zeros, by pad on every side",
    "region overlap": "a pixel in several windows gets the sum of their columns: use +=, not =",
    "pad at the end": (
        "the windows read x without the padding in front of it: window (0, 0) must start pad rows above and "
        "pad columns left of x, in the zeros; pad on each side, np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), "
        "and read every window from the padded array"
    ),
}


# ---------------------------------------------------------------------------------------------
# Cases


def im2col_cases() -> list:
    """im2col: (x, HH, WW, stride, pad, dilation) for each row of CONV_CASES."""
    found = []
    for i, case in enumerate(tables.CONV_CASES):

        def build(case=case, i=i):
            x, _, _ = case.arrays(case_rng("conv", i))
            return x, case.w_shape[2], case.w_shape[3], case.stride, case.pad, case.dilation

        found.append(Case(case.name, _filter_describe(case), build, conv.conv_tags(case)))
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
            cols = case_rng("col2im", i).standard_normal((N, C * HH * WW, Ho * Wo))
            return cols, case.x_shape, HH, WW, case.stride, case.pad, case.dilation

        describe = _filter_describe(case).replace("x (", "x_shape (")
        found.append(Case(case.name, describe, build, conv.conv_tags(case)))
    return found


def _filter_describe(case: tables.ConvCase) -> str:
    return conv.conv_describe(case).replace(f"w {case.w_shape}", f"filter {case.w_shape[2]}x{case.w_shape[3]}")


# ---------------------------------------------------------------------------------------------
# Mistakes, recomputed


def im2col_mistakes(args, dout=None):
    """Mistakes in im2col: cols (N, C*HH*WW, H'*W')."""
    x, HH, WW, stride, pad, dilation = args
    N, C, H, W = x.shape
    pairs = as_pairs(stride, pad, dilation)
    cols = im2col_module.im2col(x, HH, WW, stride, pad, dilation)  # (N, R, Ho*Wo)
    _, R, positions = cols.shape
    Ho, Wo = output_hw((H, W), (HH, WW), *pairs)
    found = [
        mistake("cols", COLUMNS["cs231n layout"], lambda: cols.transpose(1, 0, 2).reshape(R, N * positions)),
        mistake("cols", COLUMNS["cs231n layout"], lambda: cols.transpose(1, 2, 0).reshape(R, positions * N)),
        mistake("cols", COLUMNS["rows are windows"], lambda: cols.transpose(0, 2, 1).reshape(N * positions, R)),
        mistake("cols", COLUMNS["rows are windows per sample"], lambda: cols.transpose(0, 2, 1)),
        mistake(
            "cols",
            COLUMNS["tap-major rows"],
            lambda: cols.reshape(N, C, HH, WW, -1).transpose(0, 2, 3, 1, 4).reshape(N, R, -1),
        ),
        mistake(
            "cols",
            COLUMNS["column-major columns"],
            lambda: cols.reshape(N, R, Ho, Wo).transpose(0, 1, 3, 2).reshape(N, R, -1),
        ),
    ]
    if pairs[1] != (0, 0):
        found.append(mistake("cols", COLUMNS["no pad"], lambda: im2col_module.im2col(x, HH, WW, stride, 0, dilation)))
        (ph, pw) = pairs[1]
        end = np.pad(x, ((0, 0), (0, 0), (0, 2 * ph), (0, 2 * pw)))
        found.append(
            mistake("cols", COLUMNS["pad at the end"], lambda: im2col_module.im2col(end, HH, WW, stride, 0, dilation))
        )

    def first_windows(other):  # the right number of windows (H', W' from cnnlab.shapes), the first of another grid
        Hb, Wb = output_hw((H, W), (HH, WW), *other)
        if Hb < Ho or Wb < Wo:
            return None
        wider = im2col_module.im2col(x, HH, WW, *other)
        return wider.reshape(N, R, Hb, Wb)[:, :, :Ho, :Wo].reshape(N, R, Ho * Wo)

    blocks = cols.reshape(N, C, HH, WW, -1)
    found += [
        mistake("cols", COLUMNS["taps transposed"], lambda: blocks.transpose(0, 1, 3, 2, 4).reshape(N, R, -1)),
        mistake("cols", COLUMNS["flipped windows"], lambda: blocks[:, :, ::-1, ::-1].reshape(N, R, -1)),
        mistake("cols", COLUMNS["column i*H'"], lambda: _columns_moved(cols, Ho, Wo)),
    ]
    found.append(mistake("cols", COLUMNS["one buffer"], lambda: np.broadcast_to(cols[:, :, -1:], cols.shape)))
    for sentence, rows_of, cols_of in _POSITION_INDICES:
        found.append(mistake("cols", sentence, lambda r=rows_of, c=cols_of: _positions_read(cols, Ho, Wo, r, c)))
    for sentence, index in _row_indices(C, HH, WW):
        found.append(mistake("cols", sentence, lambda i=index: cols[:, i]))
    if pairs[1] != (0, 0):
        (ph, pw) = pairs[1]
        edge = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), mode="edge")
        found.append(
            mistake("cols", COLUMNS["edge pad"], lambda: im2col_module.im2col(edge, HH, WW, stride, 0, dilation))
        )
    geometry_ = dict(zip(("stride", "pad", "dilation"), pairs))
    for param, key, value in pair_mistakes(geometry_):
        other = tuple(value if name == param else geometry_[name] for name in ("stride", "pad", "dilation"))
        sentence = CONV[key].format(param=param)
        found.append(mistake("cols", sentence, lambda o=other: im2col_module.im2col(x, HH, WW, *o)))
        found.append(mistake("cols", sentence, lambda o=other: first_windows(o)))
    if pairs[0] != pairs[2]:
        swapped = (pairs[2], pairs[1], pairs[0])
        found.append(
            mistake("cols", CONV["stride dilation swapped"], lambda: im2col_module.im2col(x, HH, WW, *swapped))
        )
        found.append(mistake("cols", CONV["stride dilation swapped"], lambda: first_windows(swapped)))
    if pairs[2] != (1, 1):
        found.append(mistake("cols", COLUMNS["no dilation"], lambda: im2col_module.im2col(x, HH, WW, stride, pad, 1)))
        found.append(mistake("cols", COLUMNS["no dilation"], lambda: first_windows((pairs[0], pairs[1], (1, 1)))))
    if pairs[0] != (1, 1):
        found.append(mistake("cols", COLUMNS["no stride"], lambda: im2col_module.im2col(x, HH, WW, 1, pad, dilation)))
        found.append(mistake("cols", COLUMNS["no stride"], lambda: first_windows(((1, 1), pairs[1], pairs[2]))))
    found.append(mistake("cols", CONV["strided like x"], lambda: strided_like_x(x, HH, WW, *pairs)))
    for start, index in _channel_blocks(C, HH, WW):
        found.append(
            mistake("cols", COLUMNS["channel block"].format(start=start), lambda i=index: _rows_written(cols, i))
        )
    for sentence, keep in _loops_one_short((N, C, HH, WW, Ho, Wo)):
        found.append(
            mistake("cols", sentence, lambda k=keep: (cols.reshape((N,) + k.shape[1:]) * k).reshape(cols.shape))
        )
    flat = cols.ravel()
    skip = {("written", o) for o in _IM2COL_NAMED}
    compute = lambda i: flat[i].reshape(cols.shape)  # noqa: E731
    for how, order, value in layouts((N, C, HH, WW, Ho, Wo), LETTERS, compute, skip=skip):
        sentence = COLUMNS[f"layout {how}"].format(got=order_text(order, LETTERS), shape=shape_text(order, NAMES))
        found.append(("cols", sentence, value))
    return found


# cols (N, C*HH*WW, H'*W') is (N, C, HH, WW, H', W') reshaped: the letters of its axes, and their sizes
LETTERS = ("n", "c", "p", "q", "i", "j")
NAMES = ("N", "C", "HH", "WW", "H'", "W'")
# the layouts the mistakes above name in their own words: tap-major rows, column-major columns, taps transposed
_IM2COL_NAMED = (("n", "p", "q", "c", "i", "j"), ("n", "c", "p", "q", "j", "i"), ("n", "c", "q", "p", "i", "j"))


def _channel_blocks(C, HH, WW):
    """(start text, row index (C*HH*WW,)) for a channel's rows started at another stride than HH*WW: c*HH, c*WW,
    none (the channel offset forgotten)."""
    if C < 2:
        return []
    c, p, q = np.meshgrid(np.arange(C), np.arange(HH), np.arange(WW), indexing="ij")
    found, seen = [], set()
    for start, k in (("c*HH", HH), ("c*WW", WW), ("0 (no channel offset, p*WW + q)", 0)):
        if k == HH * WW or k in seen:
            continue
        seen.add(k)
        found.append((start, (c * k + p * WW + q).ravel()))
    return found


def _rows_written(cols, index):
    """cols built row by row (c, p, q in loop order) into row index[k] instead of row k: a later write wins."""
    out = np.zeros_like(cols)
    for k, row in enumerate(index):
        out[:, row] = cols[:, k]
    return out


# the loops of an element-by-element im2col / col2im over (N, C, HH, WW, H', W'), one short each
_LOOPS = (
    ("the channels", "range(C - 1)", "channel", "C"),
    ("the tap rows", "range(HH - 1)", "tap row", "HH"),
    ("the tap columns", "range(WW - 1)", "tap column", "WW"),
    ("the output rows", "range(H' - 1)", "row of windows", "H'"),
    ("the output columns", "range(W' - 1)", "column of windows", "W'"),
)


def _loops_one_short(shape):
    """(sentence, 0/1 mask of shape (1, C, HH, WW, H', W')) for each loop over an axis of size > 1 that stops
    one short (its last index never written)."""
    found = []
    for axis, (what, loop, one, size) in enumerate(_LOOPS, start=1):
        if shape[axis] < 2:
            continue
        keep = np.ones((1,) + tuple(shape[1:]))
        index = [slice(None)] * 6
        index[axis] = -1
        keep[tuple(index)] = 0
        found.append((COLUMNS["loop one short"].format(what=what, loop=loop, one=one, size=size), keep))
    return found


# CS231n-style index arrays of the output positions, column p of cols: its window row, np.repeat(np.arange(H'),
# W') (p // W'), and column, np.tile(np.arange(W'), H') (p % W'); one of them built with the other function
_POSITION_INDICES = (
    (
        "the output rows' index array is np.tile(np.arange(H'), W') where it is np.repeat(np.arange(H'), W'): "
        "column p of cols is window (p // W', p % W')",
        lambda p, Ho, Wo: p % Ho,
        lambda p, Ho, Wo: p % Wo,
    ),
    (
        "the output columns' index array is np.repeat(np.arange(W'), H') where it is np.tile(np.arange(W'), H'): "
        "column p of cols is window (p // W', p % W')",
        lambda p, Ho, Wo: p // Wo,
        lambda p, Ho, Wo: p // Ho,
    ),
    (
        "the output positions' index arrays have np.tile and np.repeat swapped: the rows' is "
        "np.repeat(np.arange(H'), W') and the columns' np.tile(np.arange(W'), H'), column p of cols is window "
        "(p // W', p % W')",
        lambda p, Ho, Wo: p % Ho,
        lambda p, Ho, Wo: p // Ho,
    ),
)


def _row_indices(C, HH, WW) -> list:
    """(sentence, index) for CS231n's index arrays of the rows of cols, row r = (c, p, q), one built with
    np.tile where np.repeat belongs (or the reverse): row r of the wrong cols is row index[r] of the right."""
    r = np.arange(C * HH * WW)
    c, p, q = r // (HH * WW), (r // WW) % HH, r % WW
    found = []
    for wrong, (c2, p2, q2) in (
        (
            "the channels' index array is np.tile(np.arange(C), HH*WW) where it is np.repeat(np.arange(C), HH*WW)",
            (r % C, p, q),
        ),
        (
            "the tap rows' index array is np.tile(np.arange(HH), WW*C) where it is "
            "np.tile(np.repeat(np.arange(HH), WW), C)",
            (c, r % HH, q),
        ),
        (
            "the tap columns' index array is np.tile(np.repeat(np.arange(WW), HH), C) where it is "
            "np.tile(np.arange(WW), HH*C)",
            (c, p, (r // HH) % WW),
        ),
    ):
        if C * HH * WW > 1 and not (np.array_equal(c2, c) and np.array_equal(p2, p) and np.array_equal(q2, q)):
            found.append(
                (f"{wrong}: row c*HH*WW + p*WW + q of cols is channel c, tap (p, q)", (c2 * HH + p2) * WW + q2)
            )
    return found


def _positions_read(cols, Ho, Wo, rows_of, cols_of):
    """cols whose column p holds window (rows_of(p), cols_of(p)) (None where that is past the grid)."""
    p = np.arange(Ho * Wo)
    rows, columns = rows_of(p, Ho, Wo), cols_of(p, Ho, Wo)
    if rows.max() >= Ho or columns.max() >= Wo:
        return None
    return cols[:, :, rows * Wo + columns]


def _columns_moved(cols, Ho, Wo):
    """cols whose window (i, j) went to column i*Ho + j (loops in order, later ones overwrite; columns past
    the last skipped, as a guarded loop does)."""
    moved = np.zeros_like(cols)
    for i in range(Ho):
        for j in range(Wo):
            if i * Ho + j < Ho * Wo:
                moved[:, :, i * Ho + j] = cols[:, :, i * Wo + j]
    return moved


def _fold_at(blocks, padded_shape, stride, dilation, overwrite=False):
    """xpad with block (..., r, s) added into the window at (r*stride, s*stride) of another geometry; None where
    a window would reach past xpad (the student's slices would be cut short, and the code crash)."""
    if blocks is None:
        return None
    N, C, HH, WW, Ho, Wo = blocks.shape
    (sh, sw), (dh, dw) = stride, dilation
    if (Ho - 1) * sh + geometry.span(HH, dh) > padded_shape[2] or (Wo - 1) * sw + geometry.span(WW, dw) > padded_shape[
        3
    ]:
        return None
    xpad = np.zeros(padded_shape)
    for r in range(Ho):
        for s in range(Wo):
            rows, columns = geometry.window(r, HH, sh, dh), geometry.window(s, WW, sw, dw)
            if overwrite:
                xpad[:, :, rows, columns] = blocks[..., r, s]
            else:
                xpad[:, :, rows, columns] += blocks[..., r, s]
    return xpad


def im2col_regions(args, output: str):
    x, HH, WW, stride, pad, dilation = args
    N, C, H, W = x.shape
    touches = windows_touching_padding((H, W), (HH, WW), *as_pairs(stride, pad, dilation)).reshape(1, 1, -1)
    mask = np.broadcast_to(touches, (N, C * HH * WW, touches.shape[-1]))
    return {
        "in the columns of windows that reach into the padding (near the border)": (mask, COLUMNS["region padding"])
    }


def col2im_mistakes(args, dout=None):
    """Mistakes in col2im: x (N, C, H, W)."""
    cols, x_shape, HH, WW, stride, pad, dilation = args
    N, C, H, W = x_shape
    stride, pad, dilation = as_pairs(stride, pad, dilation)
    ph, pw = pad
    Ho, Wo = output_hw((H, W), (HH, WW), stride, pad, dilation)
    blocks = cols.reshape(N, C, HH, WW, Ho, Wo)
    added = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    overwritten = np.zeros_like(added)
    for r in range(Ho):  # window by window, as a loop would
        for s in range(Wo):
            rows = geometry.window(r, HH, stride[0], dilation[0])
            columns = geometry.window(s, WW, stride[1], dilation[1])
            added[:, :, rows, columns] += blocks[..., r, s]
            overwritten[:, :, rows, columns] = blocks[..., r, s]
    found = [mistake("x", COLUMNS["overwrite"], lambda: crop(overwritten, pad, H, W))]
    counts = coverage(x_shape, (HH, WW), stride, pad, dilation)  # (N, C, H, W): windows reading each pixel
    found.append(mistake("x", COLUMNS["averaged"], lambda: crop(added, pad, H, W) / np.maximum(counts, 1)))
    shape = added.shape
    crop_ = lambda xpad: None if xpad is None else crop(xpad, pad, H, W)  # noqa: E731
    found += [
        mistake(
            "x",
            COLUMNS["flipped windows"],
            lambda: crop(_fold_at(blocks[:, :, ::-1, ::-1], shape, stride, dilation), pad, H, W),
        ),
        mistake(
            "x", COLUMNS["taps transposed"], lambda: crop_(_fold_at(_taps_transposed(blocks), shape, stride, dilation))
        ),
        mistake(
            "x",
            COLUMNS["columns column-major"],
            lambda: crop(_fold_at(_column_major(cols, N, C, HH, WW, Ho, Wo), shape, stride, dilation), pad, H, W),
        ),
    ]
    if dilation != (1, 1):
        found.append(
            mistake("x", COLUMNS["no dilation, contiguous"], lambda: crop_(_fold_at(blocks, shape, stride, (1, 1))))
        )
    if stride != (1, 1):
        found.append(mistake("x", COLUMNS["unstrided"], lambda: crop_(_fold_at(blocks, shape, (1, 1), dilation))))
    if stride != dilation:
        found.append(
            mistake("x", CONV["stride dilation swapped"], lambda: crop_(_fold_at(blocks, shape, dilation, stride)))
        )
    for param, key, value in pair_mistakes({"stride": stride, "dilation": dilation}):
        st, di = (value, dilation) if param == "stride" else (stride, value)
        sentence = CONV[key].format(param=param)
        found.append(mistake("x", sentence, lambda st=st, di=di: crop_(_fold_at(blocks, shape, st, di))))
    for order in FANCY_ORDERS:
        found.append(
            mistake(
                "x",
                CONV["fancy +="].format(name="xpad"),
                lambda o=order: crop_(fancy_fold(blocks, shape, stride, dilation, o)),
            )
        )
    for rows, columns_, cut in cuts(added.shape, pad, H, W):
        found.append(mistake("x", COLUMNS["cut"].format(rows=rows, cols=columns_), lambda c=cut: added[c]))
    if ph or pw:
        found.append(mistake("x", COLUMNS["padded"], lambda: added))
        found.append(mistake("x", COLUMNS["crop corner"], lambda: added[:, :, :H, :W]))
    if not (ph and pw):
        found.append(mistake("x", COLUMNS["empty"], lambda: added[:, :, ph:-ph, pw:-pw]))
    for start, index in _channel_blocks(C, HH, WW):
        found.append(
            mistake(
                "x",
                COLUMNS["channel block"].format(start=start),
                lambda i=index: crop(_fold_at(cols[:, i].reshape(blocks.shape), shape, stride, dilation), pad, H, W),
            )
        )
    for sentence, keep in _loops_one_short((N, C, HH, WW, Ho, Wo)):
        found.append(
            mistake("x", sentence, lambda k=keep: crop(_fold_at(blocks * k, shape, stride, dilation), pad, H, W))
        )
    found.append(mistake("x", COLUMNS["nothing written"], lambda: np.zeros((N, C, H, W))))
    flat = cols.ravel()
    skip = {("read", ("n", "c", "q", "p", "i", "j")), ("read", ("n", "c", "p", "q", "j", "i"))}
    fold = folder(tuple(x_shape), HH, WW, stride, pad, dilation)
    compute = lambda i: fold(flat[i])  # noqa: E731
    for how, order, value in layouts((N, C, HH, WW, Ho, Wo), LETTERS, compute, fixed=1, skip=skip, first="read"):
        sentence = COLUMNS[f"reads {how}"].format(got=order_text(order, LETTERS), shape=shape_text(order, NAMES))
        found.append(("x", sentence, value))
    return found


def _taps_transposed(blocks):
    """blocks whose columns were reshaped as (C, WW, HH) windows and transposed back: None if HH != WW."""
    N, C, HH, WW, Ho, Wo = blocks.shape
    if HH != WW:
        return None
    return blocks.reshape(N, C, WW, HH, Ho, Wo).transpose(0, 1, 3, 2, 4, 5)


def _column_major(cols, N, C, HH, WW, Ho, Wo):
    """blocks read from column j*H' + i for output position (i, j)."""
    return cols.reshape(N, C, HH, WW, Wo, Ho).transpose(0, 1, 2, 3, 5, 4)


def col2im_regions(args, output: str):
    cols, x_shape, HH, WW, stride, pad, dilation = args
    overlap = coverage(tuple(x_shape), (HH, WW), *as_pairs(stride, pad, dilation)) > 1
    return {"where windows overlap (pixels in more than one window)": (overlap, COLUMNS["region overlap"])}


# ---------------------------------------------------------------------------------------------
# The entries


def _im2col_out(args):
    return {"cols": im2col_module.im2col(*args)}


def _col2im_out(args):
    return {"x": im2col_module.col2im(*args)}


_FAMILY = dict(
    lesson=3, kind="value", answer_key=conv.ANSWER_KEY, tag_advice=conv.TAGS, crash_advice=(*PAIRS, *conv.SHAPE_CRASHES)
)

EXERCISES = [
    Exercise(
        name="im2col",
        params=("x", "filter_height", "filter_width", "stride", "pad", "dilation"),
        reference=im2col_module.im2col,
        expected=_im2col_out,
        cases=im2col_cases,
        outputs=("cols",),
        axes={"cols": ("n", "row", "column")},  # row: channel and tap c*HH*WW + p*WW + q; column: position i*W' + j
        mistakes=im2col_mistakes,
        regions=im2col_regions,
        hints=(
            "im2col copies every window of the padded input into one column, so that a convolution\n"
            "becomes one matrix product. For each sample: C*HH*WW rows (one per filter tap and\n"
            "channel) and H'*W' columns (one per output position): cols has shape\n"
            "(N, C*HH*WW, H'*W').",
            "Row order: row c*HH*WW + p*WW + q holds tap (p, q) of channel c, the order of\n"
            "w[f].reshape(-1). Column order: column i*W' + j is output position (i, j), the order of\n"
            "out[n, f].reshape(-1).",
            "With loops: for each (i, j), window = xpad[:, :, i*sh : i*sh + dh*(HH-1) + 1 : dh, ...]\n"
            "has shape (N, C, HH, WW); put window.reshape(N, -1) in column i*W' + j.",
            "Without loops over positions: loop over the HH*WW taps instead. Tap (p, q) of every\n"
            "window is one strided slice, xpad[:, :, p*dh : p*dh + sh*(H'-1) + 1 : sh, ...], of shape\n"
            "(N, C, H', W'); stack the taps on a new axis 2 and reshape to (N, C*HH*WW, H'*W').",
        ),
        **_FAMILY,
    ),
    Exercise(
        name="col2im",
        params=("cols", "x_shape", "filter_height", "filter_width", "stride", "pad", "dilation"),
        reference=im2col_module.col2im,
        expected=_col2im_out,
        cases=col2im_cases,
        outputs=("x",),
        axes={"x": ("n", "c", "h", "w")},
        mistakes=col2im_mistakes,
        regions=col2im_regions,
        hints=(
            "col2im undoes the layout of im2col for the backward pass: each column is a window's\n"
            "worth of values to put back where that window came from. x has shape x_shape.",
            "Where windows overlap, a pixel receives a value from each window that contains it: add\n"
            "them (+=). That sum is exactly the gradient of a pixel read by several windows.",
            "Build a padded (N, C, H + 2*ph, W + 2*pw) array of zeros, add each window's column\n"
            "reshaped to (N, C, HH, WW) into its slice (the same slices as in im2col), then cut the\n"
            "padding away: xpad[:, :, ph:ph + H, pw:pw + W].",
        ),
        **_FAMILY,
    ),
]
