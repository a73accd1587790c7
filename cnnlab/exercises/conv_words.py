"""The convolution's known mistakes, in words (``CONV``: what the code does wrong, with the fix), and where
to look when exactly the cases with a tag fail (``TAGS``). The exercises of ``conv`` and ``columns`` use them.
"""

from __future__ import annotations

from cnnlab.exercises.exercise import SHARED_TAGS

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
    "negative wraps": (
        "the taps are read from x itself at i*stride - pad + p*dilation, checked only against H and W: a negative "
        "index (the padding above and to the left) wraps to the last rows and columns; skip r < 0 and s < 0 too, "
        "or pad x and index xpad"
    ),
    "name used twice": (
        "a slice or an index got an array where an int belongs: is one name used for two things, such as the "
        "dilation's dw (from dh, dw = dilation) and the weight gradient dw? Give them names of their own "
        "(dil_h, dil_w for the dilation)"
    ),
    "zeroed in loop": (
        "{name} is set to zeros inside the loop over the {what}: only the last {one}'s terms survive; create it "
        "once, before the loops, and add every window's term into it"
    ),
    "w_row.T reshaped": (
        "w_row.T is taken as w.reshape(-1, F): a reshape is not a transpose; use w.reshape(F, -1).T, shape "
        "(C*HH*WW, F), for dcols = w_row.T @ dout_rows"
    ),
    "last tap": (
        "out holds the last tap's term only, w[:, :, HH - 1, WW - 1]: a loop over the taps assigns (out = ...) "
        "where it adds (out += ...), so each tap overwrites the one before"
    ),
    "db over n and f": (
        "db is summed over the samples and the filters, axis=(0, 1): there is one bias per filter, so db[f] sums "
        "dout[n, f, i, j] over n, i and j, dout.sum(axis=(0, 2, 3))"
    ),
    "as convolutions": (
        "dx and dw are lesson 2's stride-1 convolutions (dx: dout fully correlated with the flipped filters, dw: "
        "xpad correlated with dout): they hold for stride 1 and no dilation only; in general send each window's "
        "gradient back where the window read, with the forward's loops (dxpad[n, :, rows, cols] += w[f] * g, "
        "dw[f] += window * g)"
    ),
    "w_row cached": (
        "the backward got w with 2 dimensions, (F, C*HH*WW): the forward cached w_row where w belongs; cache the "
        "w it was given, (x, w, b, conv_param, cols), and reshape it in the backward"
    ),
    "2-D dcols": (
        "dcols, the 2-D product w_row.T @ dout_2d of shape (C*HH*WW, N*H'*W'), was reshaped straight to "
        "(N, C*HH*WW, H'*W'): its sample axis is the middle one; reshape to (C*HH*WW, N, H'*W') and move it first, "
        ".transpose(1, 0, 2), before col2im"
    ),
    "2-D cols": (
        "cols (N, C*HH*WW, H'*W') was reshaped straight to (C*HH*WW, N*H'*W') for the 2-D product: that mixes the "
        "samples into the rows; move the sample axis next to the positions first, cols.transpose(1, 0, 2).reshape("
        "C*HH*WW, -1)"
    ),
    "rows default": (
        "the rows ignore the {param}: it is applied to the columns only; {param} is an (h, w) pair, {param}[0] "
        "for the rows and {param}[1] for the columns, and each axis needs its own"
    ),
    "columns default": (
        "the columns ignore the {param}: it is applied to the rows only; {param} is an (h, w) pair, {param}[0] "
        "for the rows and {param}[1] for the columns, and each axis needs its own"
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
    "dx w of n": (
        "dx goes back through w[n], the sample's index where the filter's belongs: dxpad[n, :, rows, cols] += "
        "w[f] * dout[n, f, i, j]"
    ),
    "dw x of f": (
        "dw reads the window of xpad[f], the filter's index where the sample's belongs: dw[f] += "
        "xpad[n, :, rows, cols] * dout[n, f, i, j]"
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
