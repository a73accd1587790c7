"""The convolution exercises: conv_forward_naive / conv_backward_naive (lesson 2) and their
im2col versions (lesson 3), built by one builder, with their cases, known mistakes, regions and hints.

Cases come from ``cnnlab.cases.CONV_CASES`` (one line there is one more case here). Known
mistakes are recomputed with cnnlab's own reference layers with one thing changed: a
student's output that matches one of them (and not the right answer) has made it.
"""

from __future__ import annotations

import itertools
import re
from functools import partial

import numpy as np

from cnnlab import cases as tables
from cnnlab import geometry, shapes
from cnnlab import im2col as im2col_module
from cnnlab import layers as L
from cnnlab.exercises.exercise import SHARED_TAGS, Case, CrashAdvice, Exercise, case_rng, mistake
from cnnlab.exercises.layouts import _fingerprint, folder, layouts, memo, order_text, shape_text
from cnnlab.exercises.windows import PAIRS, as_pairs, coverage, crop, first, output_hw, windows_touching_padding

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
# The known mistakes, in words

CONV = {
    "no bias": "the bias is missing: add b[f] to every output of filter f",
    "bias twice": "the bias is added twice",
    "flipped": (
        "the kernel is flipped (convolution in the signal-processing sense); a CNN layer slides w as it is "
        "(cross-correlation): out[n, f, i, j] = sum of w[f] * window"
    ),
    "no dilation": "conv_param['dilation'] is ignored: tap (p, q) of the filter reads row i*stride + p*dilation",
    "no stride": "conv_param['stride'] is ignored",
    "unstrided": (
        "the windows do not move by the stride: output (i, j) reads the window that starts at row "
        "i*stride, column j*stride of the padded input"
    ),
    "no pad": "the input is not padded: add conv_param['pad'] zeros on every side of H and W first",
    "stride h for w": (
        "the columns step by the rows' stride: window (i, j) starts at row i*stride_h, column j*stride_w "
        "(stride is an (h, w) pair here)"
    ),
    "dx crop corner": (
        "dx is cut from the top-left corner of dxpad; cut pad rows and columns from each side: "
        "dxpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "edge pad": "the padding repeats the border values; pad with zeros",
    "pad at the end": (
        "the windows read x without the padding in front of it: window (0, 0) must start pad rows above and "
        "pad columns left of x, in the zeros; pad on each side, np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), "
        "and read every window from the padded array"
    ),
    "db over n": "db is summed over the samples n only: sum over the positions too, db = dout.sum(axis=(0, 2, 3))",
    "db over space": "db is summed over the positions only: sum over the samples n too, db = dout.sum(axis=(0, 2, 3))",
    "db sample 0": "db comes from sample 0 only: sum over all N samples",
    "db scalar": "db is summed into one number: keep one value per filter, db = dout.sum(axis=(0, 2, 3))",
    "db corner": "db holds only the gradient at output position (0, 0): sum over all positions",
    "dw sample 0": "dw comes from sample 0 only: add up the contributions of all N samples (dw += ...)",
    "dw last sample": "dw comes from the last sample only: it is overwritten (=) in the loop over n; use +=",
    "dw flipped": "dw is flipped in both spatial axes",
    "dx assigned": (
        "dx is assigned (=) where it must be accumulated (+=): a pixel gets the gradients of every window "
        "and every filter that read it"
    ),
    "dx flipped": (
        "dx is computed with the flipped kernel; in the loop form, dout[n, f, i, j] * w[f] goes back to "
        "exactly the window that out[n, f, i, j] read, with w as it is"
    ),
    "dx padded": (
        "dx still includes the padding: cut pad rows and columns from each side, dxpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "dx empty": (
        "dx is empty: with pad = 0, dxpad[:, :, pad:-pad] selects nothing (-0 is 0); "
        "use dxpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "backward no stride": (
        "the backward pass ignores the stride: output (i, j) read the window at row i*stride, column j*stride"
    ),
    "backward no dilation": (
        "the backward pass ignores the dilation: tap (p, q) of the window read row i*stride + p*dilation"
    ),
    "one channel": "out sums only channel 0 of each window: sum over all C channels, np.sum(window * w[f])",
    "last channel": (
        "out holds only the last channel's sum: out[n, f, i, j] = ... inside the loop over c overwrites the sum of "
        "the channels before it; add them up (+=), or sum the whole window, np.sum(window * w[f])"
    ),
    "loop one short": (
        "the loop over {what} stops one short ({loop}): the last {one} is left out of every sum; range({size}) "
        "covers all of them"
    ),
    "bias index": "the bias is indexed by {index}, not by the filter: out[n, f, i, j] adds b[f]",
    "bias per channel": (
        "the bias is added once per input channel (C times): add b[f] once per output, after the sum over the channels"
    ),
    "mean": (
        "out takes the mean of window * w[f] where it is the sum (the mean divides by C*HH*WW): "
        "np.sum(window * w[f]) + b[f]"
    ),
    "relu": (
        "out goes through a ReLU, max(out, 0): a convolution layer returns its sums as they are (negative ones "
        "too); the ReLU is a layer of its own"
    ),
    "all filters": (
        "each output sums the window against all F filters, np.sum(window * w): use filter f alone, "
        "np.sum(window * w[f])"
    ),
    "filter 0": "every output channel uses filter 0, w[0]: output channel f uses w[f]",
    "flipped rows": "the kernel is flipped upside down (w[:, :, ::-1]): a CNN layer slides w as it is",
    "flipped columns": "the kernel is flipped left to right (w[:, :, :, ::-1]): a CNN layer slides w as it is",
    "stride dilation swapped": (
        "stride and dilation are swapped: the windows start stride apart (row i*stride) and their taps are "
        "dilation apart (row i*stride + p*dilation)"
    ),
    "pair first": (
        "{param} is an (h, w) pair here and the columns use its first value, the rows' one: the rows use "
        "{param}[0], the columns {param}[1]"
    ),
    "pair second": (
        "{param} is an (h, w) pair here and the rows use its second value, the columns' one: the rows use "
        "{param}[0], the columns {param}[1]"
    ),
    "pair swapped": (
        "{param} is an (h, w) pair here and its values are swapped: the rows use {param}[0], the columns {param}[1]"
    ),
    "positions transposed": (
        "out's positions are transposed: out[n, f, i, j] holds the output of window (j, i) (i and j swapped, or "
        "the positions reshaped as (W', H') and transposed); output (i, j) is the window at row i*stride_h, "
        "column j*stride_w, and the H'*W' positions r*W' + s reshape to (H', W')"
    ),
    "reshape order": (
        "out's H'*W' positions are put back in the wrong order: position r*W' + s of w_row @ cols is output (r, s), "
        "so reshape it to (N, F, H', W') directly"
    ),
    "reshape W', H'": "out has the shape (N, F, W', H'): the positions r*W' + s reshape to (N, F, H', W')",
    "filter axis last": (
        "out was reshaped from (N, H'*W', F) (cols.transpose(0, 2, 1) @ w_row.T) to (N, F, H', W') without moving "
        "the filter axis: w_row @ cols is (N, F, H'*W') as it is"
    ),
    "samples and filters mixed": (
        "out mixes up samples and filters: the product is ordered (F, N, H'*W') here; bring the samples first, "
        "(N, F, H'*W'), before the reshape to (N, F, H', W')"
    ),
    "w_row order": (
        "w_row does not line up with the rows of cols: row c*HH*WW + p*WW + q of cols is tap (p, q) of channel c, "
        "the order of w.reshape(F, -1); use w_row = w.reshape(F, -1) as it is"
    ),
    "out written": (
        "out holds its numbers in the order {got} (n: sample, f: filter, i, j: output row and column), as an array "
        "of shape ({shape}) reshaped to (N, F, H', W') as it is: out[n, f, i, j] is filter f at output position "
        "(i, j) of sample n; w_row @ cols is (N, F, H'*W'), in the order (n, f, i, j) (move axes with a transpose, "
        "not a reshape)"
    ),
    "out read": (
        "out is reshaped as if its numbers were in the order {got}, shape ({shape}), and its axes moved back (n: "
        "sample, f: filter, i, j: output row and column): w_row @ cols is (N, F, H'*W'), already in the order "
        "(n, f, i, j); reshape it to (N, F, H', W') directly, with no transpose"
    ),
    "w written": (
        "each window is multiplied by w's numbers in the order {got} (f: filter, c: channel, p, q: tap row and "
        "column), w transposed and reshaped to (F, C, HH, WW): tap (p, q) of channel c goes with w[f, c, p, q], "
        "and the rows of cols line up with w_row = w.reshape(F, -1) as it is"
    ),
    "w read": (
        "each window is multiplied by w read as if its numbers were in the order {got}, shape ({shape}) (f: "
        "filter, c: channel, p, q: tap row and column): w is (F, C, HH, WW) in the order (f, c, p, q), and the rows "
        "of cols line up with w_row = w.reshape(F, -1) as it is"
    ),
    "cols written": (
        "out is w_row @ cols with cols's numbers in the order {got} (n: sample, c: channel, p, q: tap row and "
        "column, i, j: output row and column), not (n, c, p, q, i, j): row c*HH*WW + p*WW + q of cols is tap (p, q) "
        "of channel c, the order of w.reshape(F, -1), and column i*W' + j is output position (i, j); check the "
        "layout your im2col returns"
    ),
    "cols read": (
        "out reads cols as if its numbers were in the order {got}, shape ({shape}) (n: sample, c: channel, p, q: tap "
        "row and column, i, j: output row and column); cols (N, C*HH*WW, H'*W') is in the order (n, c, p, q, i, j): "
        "multiply it as it is, w_row @ cols"
    ),
    "2-D product": (
        "the product uses cols.reshape(C*HH*WW, N*H'*W'), a reshape without moving the sample axis: its rows mix "
        "samples and taps. Multiply per sample, w_row @ cols -> (N, F, H'*W'); or move the axis first, "
        "cols.transpose(1, 0, 2).reshape(C*HH*WW, -1), and bring the (F, N*H'*W') product back with "
        ".reshape(F, N, H'*W').transpose(1, 0, 2)"
    ),
    "padded by": (
        "x is padded by {what}: pad is the number of zeros on each side of H and W, "
        "np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), whatever the stride and dilation"
    ),
    "dw padded by": (
        "dw reads its windows from x padded by {what}: pad is the number of zeros on each side of H and W, "
        "xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), the xpad of the forward pass"
    ),
    "dx cut": (
        "dx is cut as dxpad[:, :, {rows}, {cols}], which is not where x sits in dxpad: x's H rows come after ph rows "
        "of padding and its W columns after pw columns, so dx = dxpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "dw summed over filters": (
        "every dw[f] is the sum of all F filters' gradients: dw is accumulated without the filter index, "
        "dw += window * dout[n, f, i, j]; each filter gets its own, dw[f] += window * dout[n, f, i, j]"
    ),
    "dx summed over samples": (
        "every dx[n] is the sum of all N samples' gradients: dx is accumulated without the sample index "
        "(dxpad[:, :, rows, cols] += ... inside the loop over n); each sample gets its own, "
        "dxpad[n, :, rows, cols] += w[f] * dout[n, f, i, j]"
    ),
    "dx filter 0": "dx uses filter 0, w[0], for every filter: the gradient of output channel f goes back through w[f]",
    "dw product of sums": (
        "dw is the product of two sums over the samples, (sum of dout_rows[n]) @ (sum of cols[n]).T: the sum over "
        "n goes outside the product, dw_row = sum over n of dout_rows[n] @ cols[n].T"
    ),
    "dout written": (
        "dout_rows holds dout's numbers in the order {got} (n: sample, f: filter, i, j: output row and column), "
        "not (n, f, i, j): dout is (N, F, H', W'), so dout_rows = dout.reshape(N, F, H'*W') as it is, with no transpose"
    ),
    "dout read": (
        "dout is read as if its numbers were in the order {got}, shape ({shape}) (n: sample, f: filter, i, j: output "
        "row and column), and moved back; dout is (N, F, H', W') in the order (n, f, i, j): "
        "dout_rows = dout.reshape(N, F, H'*W') as it is"
    ),
    "dw written": (
        "dw holds its numbers in the order {got} (f: filter, c: channel, p, q: tap row and column), as an array of "
        "shape ({shape}) reshaped to (F, C, HH, WW) as it is; dw_row (F, C*HH*WW) is in the order (f, c, p, q) of "
        "w.reshape(F, -1): dw = dw_row.reshape(w.shape) as it is"
    ),
    "dw read": (
        "dw is reshaped as if its numbers were in the order {got}, shape ({shape}), and its axes moved back (f: "
        "filter, c: channel, p, q: tap row and column); dw_row (F, C*HH*WW) is in the order (f, c, p, q), the order "
        "of w.reshape(F, -1): dw = dw_row.reshape(w.shape) directly, with no transpose"
    ),
    "dcols written": (
        "dcols holds its numbers in the order {got} (n: sample, c: channel, p, q: tap row and column, i, j: output "
        "row and column), as an array of shape ({shape}) reshaped to (N, C*HH*WW, H'*W') as it is; col2im needs "
        "(n, c, p, q, i, j): dcols = w_row.T @ dout_rows, (C*HH*WW, F) @ (N, F, H'*W') -> (N, C*HH*WW, H'*W') "
        "(move axes with a transpose, not a reshape)"
    ),
    "dcols read": (
        "dcols is reshaped as if its numbers were in the order {got}, shape ({shape}), and moved back (n: sample, c: "
        "channel, p, q: tap row and column, i, j: output row and column); w_row.T @ dout_rows is "
        "(N, C*HH*WW, H'*W'), already in the order (n, c, p, q, i, j) col2im needs: pass it as it is"
    ),
    "dw unpadded": (
        "dw reads its windows from x without the padding: take them from xpad, the padded x of the forward pass, "
        "dw[f] += dout[n, f, i, j] * xpad[n, :, rows, cols]"
    ),
    "dw no dout": (
        "dw is missing the upstream gradient: each window adds dout[n, f, i, j] * window, "
        "dw[f] += dout[n, f, i, j] * window"
    ),
    "dx no dout": (
        "dx is missing the upstream gradient: each window gets dout[n, f, i, j] * w[f], "
        "dxpad[n, :, rows, cols] += dout[n, f, i, j] * w[f]"
    ),
    "averaged": (
        "{name} is exactly 1/N times the right value: it is averaged over the N samples where the chain rule sums them"
    ),
    "db mean": "db is the mean of dout over n, i and j where it is the sum: db = dout.sum(axis=(0, 2, 3))",
    "negated": (
        "{name} has the wrong sign (exactly -1 times the right value): the chain rule adds dout times the "
        "local derivative, with +=, not -="
    ),
    "dw assigned": (
        "dw is assigned (=) where it must be accumulated (+=): it holds only the term of the last window of "
        "the last sample; dw[f] += dout[n, f, i, j] * window"
    ),
    "db assigned": (
        "db is assigned (=) where it must be accumulated (+=): it holds only dout at the last position of the "
        "last sample; db = dout.sum(axis=(0, 2, 3))"
    ),
    "db last sample": "db comes from the last sample only: it is overwritten (=) in the loop over n; sum all N samples",
    "db over f": "db is summed over the filters f: keep one value per filter, db = dout.sum(axis=(0, 2, 3))",
    "slice cut short": (
        "shapes do not fit in a case where height and width differ: look for a row value used for the columns "
        "or the reverse; rows use stride[0], pad[0], dilation[0], HH and H', columns stride[1], pad[1], "
        "dilation[1], WW and W' (a window that reaches past xpad is cut short, smaller than the filter)"
    ),
    "forward slip": (
        "an index slip in the loops: out[n, f, i, j] sums {wrong} over c, p and q, where it is {right} ({what}); "
        "each index of the window and of w is its own loop variable"
    ),
    "every sample summed": (
        "every output sums the windows of all N samples, np.sum(xpad[:, :, rows, cols] * w[f]): out[n, f, i, j] "
        "reads sample n's window alone, np.sum(xpad[n, :, rows, cols] * w[f]) + b[f]"
    ),
    "bias counted": "the bias is added {where}: add b[f] once per output, after the sum over c, p and q",
    "backward slip": (
        "an index slip in the loops: the upstream gradient is read as {wrong} where it is dout[n, f, i, j] ({what}); "
        "every window's gradient, g = dout[n, f, i, j], goes to dxpad[n], dw[f] and db[f]"
    ),
    "dx into sample 0": (
        "every sample's gradient goes into dx[0] (dxpad[0, :, rows, cols] += ...), and the others stay 0: "
        "dxpad[n, :, rows, cols] += w[f] * dout[n, f, i, j]"
    ),
    "dw sample 0 windows": (
        "dw reads sample 0's windows for every sample, xpad[0, :, rows, cols]: dw[f] += xpad[n, :, rows, cols] * "
        "dout[n, f, i, j]"
    ),
    "dw into filter 0": (
        "every filter's gradient goes into dw[0] (dw[0] += ...), and the others stay 0: dw[f] += window * "
        "dout[n, f, i, j]"
    ),
    "db without f": (
        "every db[f] is the sum of all of dout (db += dout[n, f, i, j] without the index f): "
        "db[f] += dout[n, f, i, j], db = dout.sum(axis=(0, 2, 3))"
    ),
    "db into filter 0": (
        "every filter's dout goes into db[0] (db[0] += ...), and the others stay 0: db = dout.sum(axis=(0, 2, 3))"
    ),
    "dx channel 0 of w": (
        "dx uses channel 0 of w, w[f, 0], for every channel: dxpad[n, c, rows, cols] += w[f, c] * dout[n, f, i, j]"
    ),
    "gradient counted": (
        "{name} gets each window's term {where}: add it once per window, outside the loops it does not depend on"
    ),
    "factors swapped": (
        "{name} is built from the wrong factor: the gradient of out = window * w[f] is dxpad[n, :, rows, cols] += "
        "w[f] * g for the window and dw[f] += window * g for w (here the two are swapped)"
    ),
    "strided like x": (
        "the windows are a strided view of xpad built with x.strides, the strides of the unpadded x: they walk "
        "xpad's buffer with x's row and channel lengths; take the strides of the array you view, xpad.strides"
    ),
    "col2im of cols": (
        "dx is col2im of the cached cols, the forward's columns of x: fold their gradient back, "
        "dcols = w_row.T @ dout_rows, dx = col2im(dcols, x.shape, HH, WW, stride, pad, dilation)"
    ),
    "w_row untransposed": (
        "dcols = w_row @ dout_rows does not line up: w_row is (F, C*HH*WW) and dout_rows (N, F, H'*W'); the "
        "gradient of the columns takes its transpose, dcols = w_row.T @ dout_rows, (N, C*HH*WW, H'*W')"
    ),
    "cut twice": (
        "dx is cut by the padding twice: col2im(dcols, x.shape, ...) already returns dx of x's shape (N, C, H, W), "
        "with the padding cut away; do not cut it again"
    ),
    "call": ("the {helper} call gets {what}: its arguments are ({signature}), in this order; pass {want}"),
    "fancy +=": (
        "{name}[:, :, rows, cols] += ... with index arrays adds a pixel that repeats in them once (NumPy buffers "
        "the update: the last value is kept), where windows overlap it must get every window's value: "
        "np.add.at({name}, (slice(None), slice(None), rows, cols), values), or a loop over the windows or the taps"
    ),
    "region padding": "look at how x is padded: with zeros, by pad on every side",
    "region overlap": "a pixel read by several windows gets the sum of their gradients: use +=, not =",
    "region border": "look at how the padding is added in the forward pass and cut away at the end",
}


# Where to look when exactly the cases with a tag fail
TAGS = {
    "padding": (
        "the padding: pad x with pad zeros on each side of H and W, np.pad(x, ((0, 0), (0, 0), (ph, ph), "
        "(pw, pw))), and read every window from the padded array (and, going back, cut the padding away)"
    ),
    "stride > 1": "the stride: window (i, j) starts at row i*stride, column j*stride",
    "dilation > 1": (
        "the dilation: tap (p, q) of window (i, j) is at row i*stride + p*dilation, column j*stride + q*dilation"
    ),
    "an (h, w) pair in conv_param": (
        "stride, pad and dilation given as (h, w) pairs: use the pairs cnnlab.shapes.check_conv_inputs returns, "
        "the first for rows, the second for columns"
    ),
    "a rectangular input or filter": (
        "height and width: rows use H, HH and the first of each pair, columns W, WW and the second; one is used "
        "for the other somewhere"
    ),
    **SHARED_TAGS,
    "one channel": "C = 1: look for an axis that assumes several channels",
    "a 1x1 filter": "a 1x1 filter: look for an index that assumes a filter larger than 1",
}


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
        stride, pad, dilation = _conv_geometry(conv_param)
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
    stride, pad, dilation = _conv_geometry(conv_param)
    return [(x.shape[2 + a], w.shape[2 + a], stride[a], pad[a], dilation[a]) for a in (0, 1)]


# ---------------------------------------------------------------------------------------------
# Mistakes, recomputed


def _conv_geometry(conv_param):
    p = {**shapes.CONV_PARAM_DEFAULTS, **conv_param}
    return as_pairs(p["stride"], p["pad"], p["dilation"])


def _conv(x, w, b, conv_param, **changed):
    return L.conv_forward_im2col(x, w, b, {**conv_param, **changed})[0]


def conv_forward(args, dout=None, im2col=False):
    """Mistakes in a convolution's forward pass: out (N, F, H', W'); ``im2col``: the im2col version's too."""
    x, w, b, conv_param = args
    stride, pad, dilation = _conv_geometry(conv_param)
    found = [
        mistake("out", CONV["no bias"], lambda: _conv(x, w, 0 * b, conv_param)),
        mistake("out", CONV["bias twice"], lambda: _conv(x, w, 2 * b, conv_param)),
        mistake("out", CONV["flipped"], lambda: _conv(x, w[:, :, ::-1, ::-1].copy(), b, conv_param)),
    ]
    Ho, Wo = _conv(x[:1], w[:1], b[:1], conv_param).shape[2:]
    if dilation != (1, 1):
        found.append(mistake("out", CONV["no dilation"], lambda: _conv(x, w, b, conv_param, dilation=1)))
        # the right output size (e.g. from cnnlab.shapes) but undilated windows: the first (Ho, Wo) of them
        found.append(mistake("out", CONV["no dilation"], lambda: first(_conv(x, w, b, conv_param, dilation=1), Ho, Wo)))
    if stride[0] != stride[1]:
        same = (stride[0], stride[0])
        found.append(
            mistake("out", CONV["stride h for w"], lambda: first(_conv(x, w, b, conv_param, stride=same), Ho, Wo))
        )
        found.append(mistake("out", CONV["stride h for w"], lambda: _conv(x, w, b, conv_param, stride=same)))
    if stride != (1, 1):
        found.append(mistake("out", CONV["no stride"], lambda: _conv(x, w, b, conv_param, stride=1)))
        found.append(mistake("out", CONV["unstrided"], lambda: first(_conv(x, w, b, conv_param, stride=1), Ho, Wo)))
    N, C = x.shape[:2]
    F = w.shape[0]
    bare = _conv(x, w, 0 * b, conv_param)  # (N, F, Ho, Wo) without the bias
    bias = b[None, :, None, None]
    found += _forward_slips(x, w, b, stride, pad, dilation, Ho, Wo)
    found += _bias_counts(bare, bias, C, *w.shape[2:])
    found.append(
        mistake(
            "out",
            CONV["strided like x"],
            lambda: _product(w, b, strided_like_x(x, *w.shape[2:], stride, pad, dilation), Ho, Wo),
        )
    )
    found += [
        mistake("out", CONV["relu"], lambda: np.maximum(bare + bias, 0)),
        mistake("out", CONV["mean"], lambda: bare / (w[0].size) + bias),
        mistake("out", CONV["all filters"], lambda: bare.sum(axis=1, keepdims=True) + bias),
        mistake("out", CONV["filter 0"], lambda: np.repeat(bare[:, :1], F, axis=1) + bias),
        mistake("out", CONV["flipped rows"], lambda: _conv(x, w[:, :, ::-1].copy(), b, conv_param)),
        mistake("out", CONV["flipped columns"], lambda: _conv(x, w[:, :, :, ::-1].copy(), b, conv_param)),
    ]
    if C > 1:
        found.append(mistake("out", CONV["one channel"], lambda: _conv(x[:, :1], w[:, :1], b, conv_param)))
        found.append(mistake("out", CONV["bias per channel"], lambda: bare + C * bias))
        found.append(mistake("out", CONV["last channel"], lambda: _conv(x[:, -1:], w[:, -1:], b, conv_param)))
        found.append(
            mistake(
                "out",
                CONV["loop one short"].format(what="the channels", loop="range(C - 1)", one="channel", size="C"),
                lambda: _conv(x[:, :-1], w[:, :-1], b, conv_param),
            )
        )
    full = bare + bias
    for axis, what, loop, one, size in (
        (2, "the output rows", "range(H' - 1)", "output row", "H'"),
        (3, "the output columns", "range(W' - 1)", "output column", "W'"),
    ):
        if full.shape[axis] > 1:
            sentence = CONV["loop one short"].format(what=what, loop=loop, one=one, size=size)
            last = (slice(None),) * axis + (-1,)
            for fill in (0 * bias, bias):  # the bias added inside the loop, or once at the end
                short = full.copy()
                short[last] = np.broadcast_to(fill, full.shape)[last]
                found.append(mistake("out", sentence, lambda v=short: v))
    for axis, what, loop, one, size in (
        (2, "the tap rows", "range(HH - 1)", "tap row", "HH"),
        (3, "the tap columns", "range(WW - 1)", "tap column", "WW"),
    ):
        if w.shape[axis] > 1:
            short = w.copy()
            short[(slice(None),) * axis + (-1,)] = 0
            sentence = CONV["loop one short"].format(what=what, loop=loop, one=one, size=size)
            found.append(mistake("out", sentence, lambda v=short: _conv(x, v, b, conv_param)))
    for index, axis, size in (("the sample n", 0, N), ("the output row i", 2, Ho), ("the output column j", 3, Wo)):
        shape = [1, 1, 1, 1]
        shape[axis] = size
        wrong = b[np.arange(size) % F].reshape(shape)  # b[n] (or b[n % F]) where b[f] belongs
        found.append(mistake("out", CONV["bias index"].format(index=index), lambda v=wrong: bare + v))
    # the im2col version: the product w_row @ cols and its reshape
    flat = bare.reshape(N, F, -1)
    found += [
        mistake(
            "out", CONV["filter axis last"], lambda: (flat + b[None, :, None]).transpose(0, 2, 1).reshape(N, F, Ho, Wo)
        ),
        mistake(
            "out",
            CONV["samples and filters mixed"],
            lambda: (flat + b[None, :, None]).transpose(1, 0, 2).reshape(N, F, Ho, Wo),
        ),
        mistake("out", CONV["reshape W', H'"], lambda: (flat + b[None, :, None]).reshape(N, F, Wo, Ho)),
    ]
    for order in ((0, 2, 3, 1), (0, 1, 3, 2), (0, 3, 2, 1)):  # w_row from w transposed, then reshaped
        shuffled = np.ascontiguousarray(w.transpose(order)).reshape(w.shape)
        found.append(mistake("out", CONV["w_row order"], lambda v=shuffled: _conv(x, v, b, conv_param)))
    found.append(
        mistake("out", CONV["w_row order"], lambda: _conv(x, w.reshape(-1, F).T.reshape(w.shape), b, conv_param))
    )
    if Ho != Wo:  # (square: the same numbers as the transposed positions)
        found.append(
            mistake("out", CONV["reshape order"], lambda: flat.reshape(N, F, Wo, Ho).transpose(0, 1, 3, 2) + bias)
        )
    found.append(
        mistake("out", CONV["positions transposed"], lambda: _transposed(x, w, b, stride, pad, dilation, Ho, Wo))
    )
    found += _forward_layouts(x, w, b, conv_param, bare, im2col)
    if stride != dilation:
        swapped = dict(stride=dilation, dilation=stride)
        found.append(mistake("out", CONV["stride dilation swapped"], lambda: _conv(x, w, b, conv_param, **swapped)))
        found.append(
            mistake("out", CONV["stride dilation swapped"], lambda: _conv_at(x, w, b, Ho, Wo, dilation, pad, stride))
        )
    geometry_ = {"stride": stride, "pad": pad, "dilation": dilation}
    for param, key, value in _pair_mistakes(geometry_):
        if (param, key) == ("stride", "pair first"):
            continue  # CONV["stride h for w"] above
        changed = {**geometry_, param: value}
        sentence = CONV[key].format(param=param)
        found.append(mistake("out", sentence, lambda c=changed: _conv(x, w, b, conv_param, **c)))
        found.append(
            mistake("out", sentence, lambda c=changed: _conv_at(x, w, b, Ho, Wo, c["stride"], c["pad"], c["dilation"]))
        )
    found += _padding_mistakes(
        "out",
        "padded by",
        _paddings(stride, pad, dilation),
        lambda s: _conv_from(_pad_sides(x, s), w, b, Ho, Wo, stride, dilation),
    )
    if pad != (0, 0):
        found.append(mistake("out", CONV["no pad"], lambda: _conv(x, w, b, conv_param, pad=0)))
        edge = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])), mode="edge")
        found.append(mistake("out", CONV["edge pad"], lambda: _conv(edge, w, b, conv_param, pad=0)))
        end = np.pad(x, ((0, 0), (0, 0), (0, 2 * pad[0]), (0, 2 * pad[1])))
        found.append(mistake("out", CONV["pad at the end"], lambda: _conv(end, w, b, conv_param, pad=0)))
    return found


OUT = ("n", "f", "i", "j"), ("N", "F", "H'", "W'")
W_AXES = ("f", "c", "p", "q"), ("F", "C", "HH", "WW")
COLS = ("n", "c", "p", "q", "i", "j"), ("N", "C", "HH", "WW", "H'", "W'")
# out's layouts that a mistake above names in its own words
_OUT_NAMED = {
    ("written", ("n", "i", "j", "f")): "filter axis last",
    ("written", ("f", "n", "i", "j")): "samples and filters mixed",
    ("written", ("n", "f", "j", "i")): "positions transposed",
    ("read", ("n", "f", "j", "i")): "reshape order",
}
# w's layouts CONV["w_row order"] names
_W_NAMED = {
    ("written", ("f", "p", "q", "c")),
    ("written", ("f", "c", "q", "p")),
    ("written", ("f", "q", "p", "c")),
    ("read", ("c", "p", "q", "f")),
}


def _layout_sentence(key: str, how: str, order, axes) -> str:
    letters, names = axes
    return CONV[f"{key} {how}"].format(got=order_text(order, letters), shape=shape_text(order, names))


def _forward_layouts(x, w, b, conv_param, bare, im2col: bool) -> list:
    """out, w (and in the im2col version cols) with their axes in another order (``layouts``), and the
    2-D product whose reshapes do not move the sample axis."""
    stride, pad, dilation = _conv_geometry(conv_param)
    N, F, Ho, Wo = bare.shape
    _, C, HH, WW = w.shape
    bias = b[None, :, None, None]
    out = bare + bias
    found = []
    for whole, after in ((out, 0), (bare, bias)):  # the bias added before the reshape, or after it
        compute = lambda i, v=whole, a=after: v.ravel()[i].reshape(out.shape) + a  # noqa: E731
        for how, order, value in layouts(out.shape, OUT[0], compute):
            key = _OUT_NAMED.get((how, tuple(OUT[0][a] for a in order)))
            found.append(("out", CONV[key] if key else _layout_sentence("out", how, order, OUT), value))
    cols = im2col_module.im2col(x, HH, WW, stride, pad, dilation)  # (N, R, P)
    R = cols.shape[1]
    compute = lambda i: (w.ravel()[i].reshape(F, R) @ cols).reshape(out.shape) + bias  # noqa: E731
    for how, order, value in layouts(w.shape, W_AXES[0], compute, skip=_W_NAMED, first="read"):
        found.append(("out", _layout_sentence("w", how, order, W_AXES), value))
    if not im2col:
        return found
    w_row = w.reshape(F, R)

    compute = lambda i: (w_row @ cols.ravel()[i].reshape(cols.shape)).reshape(out.shape) + bias  # noqa: E731
    # cols with only its positions moved gives out with its positions moved: out's layouts above name it
    positions = {(how, ("n", "c", "p", "q", "j", "i")) for how in ("written", "read")}
    for how, order, value in layouts((N, C, HH, WW, Ho, Wo), COLS[0], compute, fixed=1, skip=positions):
        found.append(("out", _layout_sentence("cols", how, order, COLS), value))
    flat2d = cols.reshape(R, N * Ho * Wo)  # the sample axis not moved
    product = w_row @ flat2d  # (F, N*H'*W')
    return found + [
        mistake("out", CONV["2-D product"], lambda: product.reshape(out.shape) + bias),
        mistake("out", CONV["2-D product"], lambda: (product + b[:, None]).reshape(out.shape)),
        mistake("out", CONV["2-D product"], lambda: product.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3) + bias),
    ]


def _pair_mistakes(geometry_: dict):
    """(param, key of CONV, wrong pair) for each (h, w) pair with two different values: the rows' value for
    both, the columns' for both, the two swapped."""
    for param, (h, w) in geometry_.items():
        if h != w:
            yield param, "pair first", (h, h)
            yield param, "pair second", (w, w)
            yield param, "pair swapped", (w, h)


def _paddings(stride, pad, dilation):
    """(what, (top, bottom, left, right)) for each wrong padding of x that the case tells apart from the right
    one: pad scaled by the dilation or the stride, doubled, halved, on one side only, np.pad's pair misread.
    (what, why, sides)."""
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if pad == (0, 0):
        return []
    found = [
        ("2*pad zeros on each side", "pad is the count on each side, not the total", (2 * ph, 2 * ph, 2 * pw, 2 * pw)),
        (
            "pad // 2 zeros on each side",
            "pad is the count on each side, not the total",
            (ph // 2, ph // 2, pw // 2, pw // 2),
        ),
        ("pad zeros on the top and left only", "", (ph, 0, pw, 0)),
        ("pad zeros at the bottom and right only", "", (0, ph, 0, pw)),
        ("(ph, pw) as np.pad's (before, after) pair", "ph zeros before and pw after, in both axes", (ph, pw, ph, pw)),
    ]
    if stride != (1, 1):
        what = "pad*stride zeros on each side"
        found.insert(
            0, (what, "the stride moves the windows; it adds no padding", (ph * sh, ph * sh, pw * sw, pw * sw))
        )
    if dilation != (1, 1):
        what = "pad*dilation zeros on each side"
        found.insert(
            0, (what, "the dilation spreads a window's taps; it adds no padding", (ph * dh, ph * dh, pw * dw, pw * dw))
        )
    return [(what, why, sides) for what, why, sides in found if sides != (ph, ph, pw, pw)]


def _padding_mistakes(output, key, paddings, compute) -> list:
    """(output, sentence, value) for the wrong paddings, ``compute(sides)`` giving the output; paddings that
    give the same value in this case are one, named by all ("..., which here is also ...")."""
    groups: dict = {}
    for what, why, sides in paddings:
        value = mistake(output, "", lambda s=sides: compute(s))[2]
        if value is not None:
            groups.setdefault(_fingerprint(value), []).append((what, why, value))
    found = []
    for members in groups.values():
        what, why, value = members[0]
        if len(members) == 1:
            text = f"{what} ({why})" if why else what
        else:
            text = what + ", which here is also " + " and ".join(m[0] for m in members[1:])
        found.append((output, CONV[key].format(what=text), value))
    return found


def _pad_sides(x, sides):
    top, bottom, left, right = sides
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))


def _conv_at(x, w, b, Ho, Wo, stride, pad, dilation):
    """out of loops over the right (Ho, Wo) whose windows sit at another geometry; None where a window
    would reach past the padded input (the student's slices would be cut short, and the code crash)."""
    return _conv_from(im2col_module.pad_input(x, pad), w, b, Ho, Wo, stride, dilation)


def _conv_from(xpad, w, b, Ho, Wo, stride, dilation):
    """out of loops over (Ho, Wo) windows of this padded input; None where a window would reach past it."""
    F, C, HH, WW = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    if (Ho - 1) * sh + geometry.span(HH, dh) > xpad.shape[2] or (Wo - 1) * sw + geometry.span(WW, dw) > xpad.shape[3]:
        return None
    out = np.zeros((xpad.shape[0], F, Ho, Wo)) + b[None, :, None, None]
    for p in range(HH):
        for q in range(WW):
            tap = xpad[:, :, geometry.tap_positions(p, Ho, sh, dh), geometry.tap_positions(q, Wo, sw, dw)]
            out += np.einsum("ncij,fc->nfij", tap, w[:, :, p, q])
    return out


def _transposed(x, w, b, stride, pad, dilation, Ho, Wo):
    """out[n, f, i, j] from the window (j, i), windows where they belong: None where there is no such window."""
    full = L.conv_forward_im2col(x, w, b, {"stride": stride, "pad": pad, "dilation": dilation})[0]
    return first(full.transpose(0, 1, 3, 2), Ho, Wo)


def _backward_loops_short(x, w, b, conv_param, dout, dx, dw) -> list:
    """The backward loops (over the output rows and columns, the channels, the taps) each one short: the last
    index never visited, for dx and dw (db is usually summed apart)."""
    found = []
    for axis, what, loop, one, size in (
        (2, "the output rows", "range(H' - 1)", "output row", "H'"),
        (3, "the output columns", "range(W' - 1)", "output column", "W'"),
    ):
        if dout.shape[axis] > 1:
            short = dout.copy()
            short[(slice(None),) * axis + (-1,)] = 0
            sentence = CONV["loop one short"].format(what=what, loop=loop, one=one, size=size)
            sdx, sdw, _ = _conv_grads(x, w, b, conv_param, short)
            found += [("dx", sentence, sdx), ("dw", sentence, sdw)]
    for axis, what, loop, one, size in (
        (1, "the channels", "range(C - 1)", "channel", "C"),
        (2, "the tap rows", "range(HH - 1)", "tap row", "HH"),
        (3, "the tap columns", "range(WW - 1)", "tap column", "WW"),
    ):
        if w.shape[axis] > 1:
            last = (slice(None),) * axis + (-1,)
            sentence = CONV["loop one short"].format(what=what, loop=loop, one=one, size=size)
            sdw = dw.copy()
            sdw[last] = 0
            found.append(("dw", sentence, sdw))
            if axis == 1:
                sdx = dx.copy()
                sdx[:, -1] = 0
            else:
                sw_ = w.copy()
                sw_[last] = 0
                sdx = _conv_grads(x, sw_, b, conv_param, dout)[0]
            found.append(("dx", sentence, sdx))
    return found


def _conv_grads(x, w, b, conv_param, dout):
    """(dx, dw, db) of the reference convolution."""
    _, cache = L.conv_forward_im2col(x, w, b, conv_param)
    return L.conv_backward_im2col(dout, cache)


def _scatter(dout, w, x_shape, stride, pad, dilation):
    """dxpad of a convolution whose windows sit at (i*stride, j*stride), for any (even a wrong) stride."""
    N, C, H, W = x_shape
    F, _, HH, WW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    Ho, Wo = dout.shape[2:]
    dxpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for p in range(HH):
        for q in range(WW):
            rows, cols = geometry.tap_positions(p, Ho, sh, dh), geometry.tap_positions(q, Wo, sw, dw)
            if rows.stop > dxpad.shape[2] or cols.stop > dxpad.shape[3]:
                return None
            dxpad[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dout, w[:, :, p, q])  # (N, C, Ho, Wo)
    return dxpad


def _gather(dout, xpad, w_shape, stride, dilation):
    """dw of a convolution whose windows sit at (i*stride, j*stride), for any (even a wrong) stride."""
    F, C, HH, WW = w_shape
    (sh, sw), (dh, dw) = stride, dilation
    Ho, Wo = dout.shape[2:]
    grad = np.zeros(w_shape)
    for p in range(HH):
        for q in range(WW):
            window = xpad[:, :, p * dh :: sh, q * dw :: sw][:, :, :Ho, :Wo]  # (N, C, Ho, Wo)
            if window.shape[2:] != (Ho, Wo):
                return None
            grad[:, :, p, q] = np.einsum("nfij,ncij->fc", dout, window)
    return grad


def conv_backward(args, dout, im2col=False):
    """Mistakes in a convolution's backward pass: dx (N, C, H, W), dw (F, C, HH, WW), db (F,); ``im2col``:
    the im2col version's too."""
    x, w, b, conv_param = args
    stride, pad, dilation = _conv_geometry(conv_param)
    N, C, H, W = x.shape
    ph, pw = pad
    xpad = im2col_module.pad_input(x, pad)
    flipped = w[:, :, ::-1, ::-1].copy()
    found = [
        mistake("db", CONV["db over n"], lambda: dout.sum(axis=0)),
        mistake("db", CONV["db over space"], lambda: dout.sum(axis=(2, 3))),
        mistake("db", CONV["db sample 0"], lambda: dout[0].sum(axis=(1, 2))),
        mistake("db", CONV["db scalar"], lambda: dout.sum()),
        mistake("db", CONV["db corner"], lambda: dout[:, :, 0, 0].sum(axis=0)),
        mistake("dw", CONV["dw flipped"], lambda: _conv_grads(x, w, b, conv_param, dout)[1][:, :, ::-1, ::-1]),
        mistake("dx", CONV["dx flipped"], lambda: _conv_grads(x, flipped, b, conv_param, dout)[0]),
    ]
    for order in ("fij", "ijf", "ij"):
        found.append(mistake("dx", CONV["dx assigned"], lambda o=order: _assigned_dx(dout, w, x.shape, conv_param, o)))
    dx, dw, db = _conv_grads(x, w, b, conv_param, dout)
    Ho, Wo = dout.shape[2:]
    found += [
        mistake("dx", CONV["negated"].format(name="dx"), lambda: -dx),
        mistake("dw", CONV["negated"].format(name="dw"), lambda: -dw),
        mistake("db", CONV["negated"].format(name="db"), lambda: -db),
        mistake("db", CONV["db mean"], lambda: dout.mean(axis=(0, 2, 3))),
        mistake("db", CONV["db over f"], lambda: dout.sum(axis=(1, 2, 3))),
        mistake("db", CONV["db assigned"], lambda: dout[-1, :, -1, -1]),
        mistake("dw", CONV["dw no dout"], lambda: _gather(np.ones_like(dout), xpad, w.shape, stride, dilation)),
        mistake(
            "dx",
            CONV["dx no dout"],
            lambda: crop(_scatter(np.ones_like(dout), w, x.shape, stride, pad, dilation), pad, H, W),
        ),
        mistake("dw", CONV["dw assigned"], lambda: _last_window_dw(dout, xpad, w.shape, stride, dilation)),
    ]
    if N > 1:
        found.append(mistake("dw", CONV["averaged"].format(name="dw"), lambda: dw / N))
        found.append(mistake("db", CONV["averaged"].format(name="db"), lambda: db / N))
        found.append(mistake("db", CONV["db last sample"], lambda: dout[-1].sum(axis=(1, 2))))
    if ph or pw:
        end = np.pad(x, ((0, 0), (0, 0), (0, 2 * ph), (0, 2 * pw)))  # x at the top-left, zeros after it
        found.append(mistake("dw", CONV["dw unpadded"], lambda: _gather(dout, end, w.shape, stride, dilation)))
    if stride != dilation:
        found.append(
            mistake(
                "dx",
                CONV["stride dilation swapped"],
                lambda: crop(_scatter(dout, w, x.shape, dilation, pad, stride), pad, H, W),
            )
        )
        found.append(
            mistake("dw", CONV["stride dilation swapped"], lambda: _gather(dout, xpad, w.shape, dilation, stride))
        )
    for param, key, value in _pair_mistakes({"stride": stride, "dilation": dilation}):
        st, di = (value, dilation) if param == "stride" else (stride, value)
        sentence = CONV[key].format(param=param)
        found.append(
            mistake("dx", sentence, lambda st=st, di=di: crop(_scatter(dout, w, x.shape, st, pad, di), pad, H, W))
        )
        found.append(mistake("dw", sentence, lambda st=st, di=di: _gather(dout, xpad, w.shape, st, di)))
    if N > 1:
        found.append(mistake("dw", CONV["dw sample 0"], lambda: _conv_grads(x[:1], w, b, conv_param, dout[:1])[1]))
        found.append(mistake("dw", CONV["dw last sample"], lambda: _conv_grads(x[-1:], w, b, conv_param, dout[-1:])[1]))
    dxpad = _scatter(dout, w, x.shape, stride, pad, dilation)
    for rows, cols, cut in cuts(dxpad.shape, pad, H, W):
        found.append(mistake("dx", CONV["dx cut"].format(rows=rows, cols=cols), lambda c=cut: dxpad[c]))
    found += _padding_mistakes(
        "dw",
        "dw padded by",
        _paddings(stride, pad, dilation),
        lambda s: _gather(dout, _pad_sides(x, s), w.shape, stride, dilation),
    )
    found += _index_slips(x, w, b, conv_param, dout, dx, dw)
    found += _backward_slips(x, w, b, conv_param, dout, dx, dw, db)
    F, _, HH, WW = w.shape
    cols = im2col_module.im2col(x, HH, WW, stride, pad, dilation)
    fold = folder(x.shape, HH, WW, stride, pad, dilation)
    found += _factors_swapped(x, w, conv_param, dout, cols, fold)
    found.append(("dx", CONV["col2im of cols"], fold(cols)))
    found += _backward_loops_short(x, w, b, conv_param, dout, dx, dw)
    if pad != (0, 0):  # dx (already x's size) cut by the padding once more
        found.append(("dx", CONV["cut twice"], dx[:, :, ph : H - ph, pw : W - pw]))
    like_x = strided_like_x(x, HH, WW, stride, pad, dilation)
    if like_x is not None:
        dw_like = np.einsum("nfp,nkp->fk", dout.reshape(N, F, -1), like_x).reshape(w.shape)
        found.append(("dw", CONV["strided like x"], dw_like))
    dcols6 = np.einsum("fcpq,nfij->ncpqij", w, dout)
    for order in FANCY_ORDERS:
        found.append(
            mistake(
                "dx",
                CONV["fancy +="].format(name="dxpad"),
                lambda o=order: crop_or_none(fancy_fold(dcols6, xpad.shape, stride, dilation, o), pad, H, W),
            )
        )
    if im2col:
        found += _backward_layouts(x, w, b, conv_param, dout)
    if ph or pw:
        found.append(mistake("dx", CONV["dx padded"], lambda: dxpad))
        found.append(mistake("dx", CONV["dx crop corner"], lambda: dxpad[:, :, :H, :W]))
    if not (ph and pw):
        found.append(mistake("dx", CONV["dx empty"], lambda: dxpad[:, :, ph:-ph, pw:-pw]))
    if stride != (1, 1):
        found.append(
            mistake(
                "dx",
                CONV["backward no stride"],
                lambda: crop(_scatter(dout, w, x.shape, (1, 1), pad, dilation), pad, H, W),
            )
        )
        found.append(mistake("dw", CONV["backward no stride"], lambda: _gather(dout, xpad, w.shape, (1, 1), dilation)))
    if dilation != (1, 1):
        found.append(
            mistake(
                "dx",
                CONV["backward no dilation"],
                lambda: crop(_scatter(dout, w, x.shape, stride, pad, (1, 1)), pad, H, W),
            )
        )
        found.append(mistake("dw", CONV["backward no dilation"], lambda: _gather(dout, xpad, w.shape, stride, (1, 1))))
    return found


# Cuts of the padded array back to x's size: (start, stop) of the rows, as text; the columns' are their mirror
# (each start with its own natural stop first: where the same rows are cut, the text names that one)
_STOPS = ("ph + H", "pw + H", "ph + W", "pw + W", "H", "W", "H + 2*ph", "", "-ph", "H - ph")
_ROW_CUTS = tuple(
    (start, stop)
    for start, own in (("ph", "ph + H"), ("pw", "pw + H"), ("0", "H"))
    for stop in (own, *(s for s in _STOPS if s != own))
)


def _mirror(text: str) -> str:
    """The columns' version of a rows' expression: ph <-> pw, H <-> W."""
    return text.translate(str.maketrans({"h": "w", "w": "h", "H": "W", "W": "H"}))


def cuts(padded_shape, pad, H, W) -> list:
    """(rows text, columns text, index) for each wrong cut of a padded (N, C, H + 2*ph, W + 2*pw) array that
    this case tells apart: one axis cut wrong and the other right, or both cut wrong the same way (the pair
    swapped, ends at H and W, ...). Not the cuts other mistakes name: the whole array, the top-left corner,
    and an empty one."""
    (ph, pw), (Hp, Wp) = pad, padded_shape[2:]
    names = {"H": H, "W": W, "ph": ph, "pw": pw}

    def bounds(start, stop, size):
        stop_ = None if stop == "" else eval(stop, {"__builtins__": {}}, names)  # noqa: S307 - our own constants
        return range(size)[slice(eval(start, {"__builtins__": {}}, names), stop_)]  # noqa: S307

    right = (ph, ph + H), (pw, pw + W)
    rows = [(f"{a}:{b}", bounds(a, b, Hp)) for a, b in _ROW_CUTS]
    cols = [(_mirror(f"{a}:{b}"), bounds(_mirror(a), _mirror(b), Wp)) for a, b in _ROW_CUTS]
    pairs = [(rows[0], c) for c in cols[1:]] + [(r, cols[0]) for r in rows[1:]] + list(zip(rows[1:], cols[1:]))
    found, seen = [], {(range(ph, ph + H), range(pw, pw + W)), (range(H), range(W)), (range(Hp), range(Wp))}
    del right
    for (rtext, r), (ctext, c) in pairs:
        if not len(r) or not len(c) or (r, c) in seen:
            continue
        seen.add((r, c))
        found.append((rtext, ctext, (slice(None), slice(None), slice(r.start, r.stop), slice(c.start, c.stop))))
    return found


def _index_slips(x, w, b, conv_param, dout, dx, dw) -> list:
    """A loop index left out or fixed: dw without [f], dx without [n], dx through w[0] for every filter."""
    N, F = x.shape[0], w.shape[0]
    found = []
    if F > 1:
        found.append(mistake("dw", CONV["dw summed over filters"], lambda: np.broadcast_to(dw.sum(0), dw.shape)))
        w0 = np.repeat(w[:1], F, axis=0)
        found.append(mistake("dx", CONV["dx filter 0"], lambda: _conv_grads(x, w0, b, conv_param, dout)[0]))
    if N > 1:
        found.append(mistake("dx", CONV["dx summed over samples"], lambda: np.broadcast_to(dx.sum(0), dx.shape)))
    return found


def _backward_layouts(x, w, b, conv_param, dout) -> list:
    """The im2col version's arrays with their axes in another order (``layouts``): dout_rows (every
    gradient follows it), dw_row reshaped to dw, dcols given to col2im; and dw as a product of sums."""
    stride, pad, dilation = _conv_geometry(conv_param)
    N, F, Ho, Wo = dout.shape
    _, C, HH, WW = w.shape
    cols = im2col_module.im2col(x, HH, WW, stride, pad, dilation)  # (N, C*HH*WW, H'*W')
    w_row = w.reshape(F, -1)
    fold = folder(x.shape, HH, WW, stride, pad, dilation)

    def grads(rows):  # (dx, dw, db) from dout_rows (N, F, H'*W')
        dw_row = np.einsum("nfp,nkp->fk", rows, cols)
        return fold(np.einsum("fk,nfp->nkp", w_row, rows)), dw_row.reshape(w.shape), rows.sum(axis=(0, 2))

    found = []
    known: dict = {}  # the gradients of each dout layout, computed once for the three outputs

    def grads_of(index):
        key = index.tobytes()
        if key not in known:
            known[key] = grads(dout.ravel()[index].reshape(N, F, Ho * Wo))
        return known[key]

    for k, name in enumerate(("dx", "dw", "db")):  # each output on its own: db is the same for many layouts
        for how, order, value in layouts(dout.shape, OUT[0], lambda i, k=k: grads_of(i)[k], first="read"):
            found.append((name, _layout_sentence("dout", how, order, OUT), value))
    rows = dout.reshape(N, F, Ho * Wo)
    dw = grads(rows)[1]
    for how, order, value in layouts(w.shape, W_AXES[0], lambda i: dw.ravel()[i].reshape(dw.shape), first="read"):
        found.append(("dw", _layout_sentence("dw", how, order, W_AXES), value))
    dcols = np.einsum("fk,nfp->nkp", w_row, rows)  # (N, C*HH*WW, H'*W')
    for how, order, value in layouts((N, C, HH, WW, Ho, Wo), COLS[0], lambda i: fold(dcols.ravel()[i]), fixed=1):
        found.append(("dx", _layout_sentence("dcols", how, order, COLS), value))
    if N > 1:
        found.append(mistake("dw", CONV["dw product of sums"], lambda: (rows.sum(0) @ cols.sum(0).T).reshape(w.shape)))
    return found


def _last_window_dw(dout, xpad, w_shape, stride, dilation):
    """dw of loops over n, f, i, j that assign (=) each window's term: the last window of the last sample."""
    F, C, HH, WW = w_shape
    Ho, Wo = dout.shape[2:]
    rows = geometry.window(Ho - 1, HH, stride[0], dilation[0])
    cols = geometry.window(Wo - 1, WW, stride[1], dilation[1])
    return xpad[-1, None, :, rows, cols] * dout[-1, :, -1, -1][:, None, None, None]


def _assigned_dx(dout, w, x_shape, conv_param, order: str):
    """dx of loops that assign (=) each window's gradient, looping over f, i, j in ``order`` (over i, j with
    "ij": the gradients of all filters summed, then assigned per window, as a col2im that overwrites)."""
    N, C, H, W = x_shape
    F, _, HH, WW = w.shape
    (sh, sw), pad, (dh, dw) = _conv_geometry(conv_param)
    Ho, Wo = dout.shape[2:]
    dxpad = np.zeros((N, C, H + 2 * pad[0], W + 2 * pad[1]))
    loops = {"f": range(F), "i": range(Ho), "j": range(Wo)}
    if order == "ij":
        summed = np.einsum("nfij,fcpq->nijcpq", dout, w)
        for i, j in itertools.product(range(Ho), range(Wo)):
            rows, cols = geometry.window(i, HH, sh, dh), geometry.window(j, WW, sw, dw)
            dxpad[:, :, rows, cols] = summed[:, i, j]
        return crop(dxpad, pad, H, W)
    for n in range(N):
        for values in itertools.product(*(loops[letter] for letter in order)):
            f, i, j = (values[order.index(letter)] for letter in "fij")
            rows, cols = geometry.window(i, HH, sh, dh), geometry.window(j, WW, sw, dw)
            dxpad[n, :, rows, cols] = w[f] * dout[n, f, i, j]
    return crop(dxpad, pad, H, W)


def conv_regions(args, output: str):
    """Regions of out or dx where padding and overlapping windows show: {phrase: (mask, advice)}."""
    x, w, b, conv_param = args
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride, pad, dilation = _conv_geometry(conv_param)
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
    crash_advice = (*PAIRS, *CALL_CRASHES, *SHAPE_CRASHES) if variant == "im2col" else (*PAIRS, *SHAPE_CRASHES)
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


# ---------------------------------------------------------------------------------------------
# Index slips of the loop nest, generated: one index of the sum replaced by 0 or by another loop variable


# the loop nest of the naive forward: out[n, f, i, j] = sum over c, p, q of X * W + b[f]
_X_SLOTS = ("n", "c", "i", "p", "j", "q")  # xpad[n, c, i*sh + p*dh, j*sw + q*dw]
_W_SLOTS = ("f", "c", "p", "q")  # w[f, c, p, q]
_NEST = ("n", "f", "i", "j", "c", "p", "q")
_SWAPS = {"n": "f", "f": "n", "i": "j", "j": "i", "p": "q", "q": "p"}
_LOOP_NAMES = {
    "n": "the sample n",
    "f": "the filter f",
    "c": "the channel c",
    "i": "the output row i",
    "j": "the output column j",
    "p": "the tap row p",
    "q": "the tap column q",
}


def _x_text(slots) -> str:
    n, c, i, p, j, q = slots

    def axis(pos, tap, s, d):
        terms = [t for t in (f"{pos}*{s}" if pos != "0" else "", f"{tap}*{d}" if tap != "0" else "") if t]
        return " + ".join(terms) or "0"

    return f"xpad[{n}, {c}, {axis(i, p, 'sh', 'dh')}, {axis(j, q, 'sw', 'dw')}]"


def _slips(slots):
    """(index of the slot, its new letter) for each slip: a letter replaced by 0 or by its partner."""
    for k, letter in enumerate(slots):
        yield k, "0"
        if letter in _SWAPS:
            yield k, _SWAPS[letter]


def _axes7(sizes: dict) -> dict:
    """Each loop variable as an index array on its own axis of the nest (n, f, i, j, c, p, q); "0" is 0."""
    found = {"0": 0}
    for k, letter in enumerate(_NEST):
        shape = [1] * len(_NEST)
        shape[k] = sizes[letter]
        found[letter] = np.arange(sizes[letter]).reshape(shape)
    return found


def _read_x(xpad, slots, A, stride, dilation):
    """xpad[n, c, i*sh + p*dh, j*sw + q*dw] over the nest, with the slots' letters; None where it reads past xpad."""
    n, c, i, p, j, q = (A[s] for s in slots)
    rows = np.asarray(i * stride[0] + p * dilation[0])
    cols = np.asarray(j * stride[1] + q * dilation[1])
    if rows.max() >= xpad.shape[2] or cols.max() >= xpad.shape[3] or np.max(n) >= xpad.shape[0]:
        return None
    return xpad[n, c, rows, cols]


def _read_w(w, slots, A):
    f, c, p, q = (A[s] for s in slots)
    if np.max(f) >= w.shape[0] or np.max(p) >= w.shape[2] or np.max(q) >= w.shape[3]:
        return None
    return w[f, c, p, q]


def _nest_sizes(x, w, Ho, Wo) -> dict:
    N, C = x.shape[:2]
    F, _, HH, WW = w.shape
    return {"n": N, "f": F, "i": Ho, "j": Wo, "c": C, "p": HH, "q": WW}


def _forward_slips(x, w, b, stride, pad, dilation, Ho, Wo) -> list:
    """out with one index of xpad[n, c, i*sh + p*dh, j*sw + q*dw] * w[f, c, p, q] slipped (0, or its partner
    loop variable: n/f, i/j, p/q), or xpad's sample index summed over (every sample's window in one sum)."""
    xpad = im2col_module.pad_input(x, pad)
    sizes = _nest_sizes(x, w, Ho, Wo)
    A = _axes7(sizes)
    shape = tuple(sizes[k] for k in _NEST)
    bias = b.reshape(1, -1, 1, 1)
    right_x = _read_x(xpad, _X_SLOTS, A, stride, dilation)
    right_w = _read_w(w, _W_SLOTS, A)

    def out_of(xv, wv):
        if xv is None or wv is None:
            return None
        return np.broadcast_to(xv * wv, shape).sum(axis=(4, 5, 6)) + bias

    found = []
    right_text = f"{_x_text(_X_SLOTS)} * w[f, c, p, q]"
    for k, new in _slips(_X_SLOTS):
        slots = _X_SLOTS[:k] + (new,) + _X_SLOTS[k + 1 :]
        wrong = f"{_x_text(slots)} * w[f, c, p, q]"
        what = f"{_LOOP_NAMES[_X_SLOTS[k]]} is {'0' if new == '0' else new} in the window's index"
        sentence = CONV["forward slip"].format(wrong=wrong, right=right_text, what=what)
        found.append(mistake("out", sentence, lambda s=slots: out_of(_read_x(xpad, s, A, stride, dilation), right_w)))
    for k, new in _slips(_W_SLOTS):
        if (k, new) == (0, "0"):
            continue  # w[0]: CONV["filter 0"]
        slots = _W_SLOTS[:k] + (new,) + _W_SLOTS[k + 1 :]
        wrong = f"{_x_text(_X_SLOTS)} * w[{', '.join(slots)}]"
        what = f"{_LOOP_NAMES[_W_SLOTS[k]]} is {'0' if new == '0' else new} in w's index"
        sentence = CONV["forward slip"].format(wrong=wrong, right=right_text, what=what)
        found.append(mistake("out", sentence, lambda s=slots: out_of(right_x, _read_w(w, s, A))))
    if x.shape[0] > 1:
        found.append(
            mistake("out", CONV["every sample summed"], lambda: out_of(right_x.sum(axis=0, keepdims=True), right_w))
        )
    return found


def _loop_counts(C, HH, WW) -> list:
    """(how many times, the loops a term sits in) for a term added inside the loops over c, p and q."""
    found = [
        (HH * WW, "HH*WW times, once per filter tap (p, q), inside the loops over p and q"),
        (HH, "HH times, once per tap row p, inside the loop over p"),
        (WW, "WW times, once per tap column q, inside the loop over q"),
        (C * HH * WW, "C*HH*WW times, once per channel and tap (c, p, q), inside the loops over c, p and q"),
        (C * HH, "C*HH times, once per channel and tap row (c, p), inside the loops over c and p"),
    ]
    return [(k, where) for k, where in found if k > 1]


def _bias_counts(bare, bias, C, HH, WW) -> list:
    """out with the bias added k times: inside a loop over the taps or the channels."""
    return [
        mistake("out", CONV["bias counted"].format(where=where), lambda k=k: bare + k * bias)
        for k, where in _loop_counts(C, HH, WW)
    ]


def _backward_slips(x, w, b, conv_param, dout, dx, dw, db) -> list:
    """The gradients with one index of the loops slipped: dout[n, f, i, j] read at 0 or at its partner loop
    variable (every gradient follows it), dxpad[0] or dw[0] += (everything into sample 0 / filter 0), dw from
    sample 0's windows, db without [f]; and a term added once per channel or tap (k times)."""
    N, F, Ho, Wo = dout.shape
    C, HH, WW = w.shape[1:]
    found = []
    sizes = {"n": N, "f": F, "i": Ho, "j": Wo}
    slots = ("n", "f", "i", "j")
    for k, new in _slips(slots):
        if new == "n" or new == "f":
            continue  # dout[f, ...] / dout[n, n, ...]: not a slip students make
        grid = np.meshgrid(*(np.arange(sizes[s]) for s in slots), indexing="ij")
        letters = dict(zip(slots, grid))
        idx = tuple(np.zeros_like(grid[0]) if s == "0" else letters[s] for s in slots[:k] + (new,) + slots[k + 1 :])
        if any(int(a.max()) >= dout.shape[m] for m, a in enumerate(idx)):
            continue
        wrong = f"dout[{', '.join(slots[:k] + (new,) + slots[k + 1 :])}]"
        what = f"{_LOOP_NAMES[slots[k]]} is {new}"
        sentence = CONV["backward slip"].format(wrong=wrong, what=what)
        grads = mistake("", "", lambda i=idx: _conv_grads(x, w, b, conv_param, dout[i]))[2]
        if grads is not None:
            found += [(name, sentence, g) for name, g in zip(("dx", "dw", "db"), grads)]
    if N > 1:
        into = np.zeros_like(dx)
        into[0] = dx.sum(axis=0)
        found.append(("dx", CONV["dx into sample 0"], into))
        x0 = np.broadcast_to(x[:1], x.shape)
        found.append(mistake("dw", CONV["dw sample 0 windows"], lambda: _conv_grads(x0, w, b, conv_param, dout)[1]))
    if F > 1:
        into = np.zeros_like(dw)
        into[0] = dw.sum(axis=0)
        found.append(("dw", CONV["dw into filter 0"], into))
        found.append(("db", CONV["db without f"], np.full_like(db, db.sum())))
        into = np.zeros_like(db)
        into[0] = db.sum()
        found.append(("db", CONV["db into filter 0"], into))
    if C > 1:
        w0 = np.broadcast_to(w[:, :1], w.shape)
        found.append(mistake("dx", CONV["dx channel 0 of w"], lambda: _conv_grads(x, w0, b, conv_param, dout)[0]))
    for k, where in [(C, "C times, once per channel c, inside the loop over c"), *_loop_counts(C, HH, WW)]:
        if k > 1:
            for name, value in (("dx", dx), ("dw", dw), ("db", db)):
                found.append((name, CONV["gradient counted"].format(name=name, where=where), k * value))
    return found


def _factors_swapped(x, w, conv_param, dout, cols, fold) -> list:
    """The backward with the two factors of each product swapped: dx from the windows of x (times dout), dw
    from w (times dout)."""
    N, F, Ho, Wo = dout.shape
    C, HH, WW = w.shape[1:]
    g = dout.sum(axis=1).reshape(N, 1, Ho * Wo)  # every filter's dout at each position
    return [
        mistake("dx", CONV["factors swapped"].format(name="dx"), lambda: fold(cols * g)),
        ("dw", CONV["factors swapped"].format(name="dw"), w * dout.sum(axis=(0, 2, 3))[:, None, None, None]),
    ]


def _product(w, b, cols, Ho, Wo):
    """out = w_row @ cols + b, reshaped; None without cols."""
    if cols is None:
        return None
    F = w.shape[0]
    return (w.reshape(F, -1) @ cols + b[:, None]).reshape(cols.shape[0], F, Ho, Wo)


def crop_or_none(xpad, pad, H, W):
    return None if xpad is None else crop(xpad, pad, H, W)


def strided_like_x(x, HH, WW, stride, pad, dilation):
    """cols from np.lib.stride_tricks.as_strided(xpad, ..., strides built from x.strides): the view walks the
    padded buffer with the unpadded array's row and channel lengths (None without padding: the same array)."""
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if not (ph or pw):
        return None
    N, C, H, W = x.shape
    Ho, Wo = output_hw((H, W), (HH, WW), stride, pad, dilation)
    flat = im2col_module.pad_input(x, pad).ravel()
    n, c, p, q, i, j = np.ix_(*(np.arange(s) for s in (N, C, HH, WW, Ho, Wo)))
    index = n * C * H * W + c * H * W + (p * dh + i * sh) * W + (q * dw + j * sw)
    if index.max() >= flat.size:
        return None
    return flat[index].reshape(N, C * HH * WW, Ho * Wo)


FANCY_ORDERS = (("p", "q", "i", "j"),)  # windows first (i, j, p, q) is a window-by-window overwrite, named so


def fancy_fold(blocks, padded_shape, stride, dilation, order):
    """xpad[:, :, rows, cols] += values with index arrays (HH, WW, H', W') laid out in ``order``: NumPy adds a
    pixel that repeats in the index arrays once (the last value of it), not once per window."""
    N, C, HH, WW, Ho, Wo = blocks.shape
    axes = ["p", "q", "i", "j"]
    perm = [axes.index(a) for a in order]
    rows = np.arange(HH)[:, None, None, None] * dilation[0] + np.arange(Ho)[None, None, :, None] * stride[0]
    cols = np.arange(WW)[None, :, None, None] * dilation[1] + np.arange(Wo)[None, None, None, :] * stride[1]
    rows, cols = (np.broadcast_to(a, (HH, WW, Ho, Wo)).transpose(perm) for a in (rows, cols))
    if rows.max() >= padded_shape[2] or cols.max() >= padded_shape[3]:
        return None
    xpad = np.zeros(padded_shape)
    xpad[:, :, rows, cols] += blocks.transpose(0, 1, *(2 + k for k in perm))
    return xpad
