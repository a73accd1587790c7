"""Known mistakes, recomputed: what an output would be if the student made a given mistake.

For each exercise family, a function takes a case's arguments (and, for a backward pass,
the upstream gradient ``dout``) and returns a list of ``(output, sentence, value)``: the
value the named output has when that mistake is made. A student's output that matches one
of them (and not the right answer) has made that mistake, and the check says the sentence.

The sentences of each family are in one table (``CONV``, ``POOL``, ``NORM``, ``COLUMNS``, ``CONVNET``)
at the top of its section, so they can be read and reworded together.

Also here: the *regions* of an output where some mistakes show (where windows overlap,
where they reach into the padding), for ``diagnose.only_in_region``.

Every value is computed with cnnlab's own reference layers with one thing changed.
"""

from __future__ import annotations

import itertools

import numpy as np

from cnnlab import im2col as im2col_module
from cnnlab import layers as L
from cnnlab import shapes

__all__ = [
    "conv_forward",
    "conv_backward",
    "conv_regions",
    "pool_forward",
    "pool_backward",
    "pool_regions",
    "batchnorm_forward",
    "batchnorm_backward",
    "groupnorm_forward",
    "groupnorm_backward",
    "convnet_loss",
    "im2col_mistakes",
    "im2col_regions",
    "col2im_mistakes",
    "col2im_regions",
]


def _mistake(output: str, sentence: str, compute):
    """(output, sentence, value); value is None when the mistake cannot be formed for this case."""
    try:
        value = compute()
    except (ValueError, IndexError, TypeError, MemoryError):
        value = None
    return output, sentence, value


def _geometry(stride, pad, dilation):
    """stride, pad and dilation as (h, w) pairs."""
    return (
        shapes.check_pair("stride", stride, 1),
        shapes.check_pair("pad", pad, 0),
        shapes.check_pair("dilation", dilation, 1),
    )


def _conv_geometry(conv_param):
    p = {**shapes.CONV_PARAM_DEFAULTS, **conv_param}
    return _geometry(p["stride"], p["pad"], p["dilation"])


# ---------------------------------------------------------------------------------------------
# Convolution

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
    "region padding": "look at how x is padded: with zeros, by pad on every side",
    "region overlap": "a pixel read by several windows gets the sum of their gradients: use +=, not =",
    "region border": "look at how the padding is added in the forward pass and cut away at the end",
}


def _conv(x, w, b, conv_param, **changed):
    return L.conv_forward_im2col(x, w, b, {**conv_param, **changed})[0]


def conv_forward(args, dout=None):
    """Mistakes in a convolution's forward pass: out (N, F, H', W')."""
    x, w, b, conv_param = args
    stride, pad, dilation = _conv_geometry(conv_param)
    found = [
        _mistake("out", CONV["no bias"], lambda: _conv(x, w, 0 * b, conv_param)),
        _mistake("out", CONV["bias twice"], lambda: _conv(x, w, 2 * b, conv_param)),
        _mistake("out", CONV["flipped"], lambda: _conv(x, w[:, :, ::-1, ::-1].copy(), b, conv_param)),
    ]
    Ho, Wo = _conv(x[:1], w[:1], b[:1], conv_param).shape[2:]
    if dilation != (1, 1):
        found.append(_mistake("out", CONV["no dilation"], lambda: _conv(x, w, b, conv_param, dilation=1)))
        # the right output size (e.g. from cnnlab.shapes) but undilated windows: the first (Ho, Wo) of them
        found.append(
            _mistake("out", CONV["no dilation"], lambda: _first(_conv(x, w, b, conv_param, dilation=1), Ho, Wo))
        )
    if stride[0] != stride[1]:
        same = (stride[0], stride[0])
        found.append(
            _mistake("out", CONV["stride h for w"], lambda: _first(_conv(x, w, b, conv_param, stride=same), Ho, Wo))
        )
        found.append(_mistake("out", CONV["stride h for w"], lambda: _conv(x, w, b, conv_param, stride=same)))
    if stride != (1, 1):
        found.append(_mistake("out", CONV["no stride"], lambda: _conv(x, w, b, conv_param, stride=1)))
        found.append(_mistake("out", CONV["unstrided"], lambda: _first(_conv(x, w, b, conv_param, stride=1), Ho, Wo)))
    if pad != (0, 0):
        found.append(_mistake("out", CONV["no pad"], lambda: _conv(x, w, b, conv_param, pad=0)))
        edge = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])), mode="edge")
        found.append(_mistake("out", CONV["edge pad"], lambda: _conv(edge, w, b, conv_param, pad=0)))
        end = np.pad(x, ((0, 0), (0, 0), (0, 2 * pad[0]), (0, 2 * pad[1])))
        found.append(_mistake("out", CONV["pad at the end"], lambda: _conv(end, w, b, conv_param, pad=0)))
    return found


def _first(out, Ho, Wo):
    """The first (Ho, Wo) outputs, or None if there are fewer."""
    return out[:, :, :Ho, :Wo] if out.shape[2] >= Ho and out.shape[3] >= Wo else None


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
            rows = slice(p * dh, p * dh + sh * (Ho - 1) + 1, sh)
            cols = slice(q * dw, q * dw + sw * (Wo - 1) + 1, sw)
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


def conv_backward(args, dout):
    """Mistakes in a convolution's backward pass: dx (N, C, H, W), dw (F, C, HH, WW), db (F,)."""
    x, w, b, conv_param = args
    stride, pad, dilation = _conv_geometry(conv_param)
    N, C, H, W = x.shape
    ph, pw = pad
    xpad = im2col_module.pad_input(x, pad)
    flipped = w[:, :, ::-1, ::-1].copy()
    found = [
        _mistake("db", CONV["db over n"], lambda: dout.sum(axis=0)),
        _mistake("db", CONV["db over space"], lambda: dout.sum(axis=(2, 3))),
        _mistake("db", CONV["db sample 0"], lambda: dout[0].sum(axis=(1, 2))),
        _mistake("db", CONV["db scalar"], lambda: dout.sum()),
        _mistake("db", CONV["db corner"], lambda: dout[:, :, 0, 0].sum(axis=0)),
        _mistake("dw", CONV["dw flipped"], lambda: _conv_grads(x, w, b, conv_param, dout)[1][:, :, ::-1, ::-1]),
        _mistake("dx", CONV["dx flipped"], lambda: _conv_grads(x, flipped, b, conv_param, dout)[0]),
    ]
    for order in ("fij", "ijf"):
        found.append(_mistake("dx", CONV["dx assigned"], lambda o=order: _assigned_dx(dout, w, x.shape, conv_param, o)))
    if N > 1:
        found.append(_mistake("dw", CONV["dw sample 0"], lambda: _conv_grads(x[:1], w, b, conv_param, dout[:1])[1]))
        found.append(
            _mistake("dw", CONV["dw last sample"], lambda: _conv_grads(x[-1:], w, b, conv_param, dout[-1:])[1])
        )
    dxpad = _scatter(dout, w, x.shape, stride, pad, dilation)
    if ph or pw:
        found.append(_mistake("dx", CONV["dx padded"], lambda: dxpad))
        found.append(_mistake("dx", CONV["dx crop corner"], lambda: dxpad[:, :, :H, :W]))
    if not (ph and pw):
        found.append(_mistake("dx", CONV["dx empty"], lambda: dxpad[:, :, ph:-ph, pw:-pw]))
    if stride != (1, 1):
        found.append(
            _mistake(
                "dx",
                CONV["backward no stride"],
                lambda: _crop(_scatter(dout, w, x.shape, (1, 1), pad, dilation), pad, H, W),
            )
        )
        found.append(_mistake("dw", CONV["backward no stride"], lambda: _gather(dout, xpad, w.shape, (1, 1), dilation)))
    if dilation != (1, 1):
        found.append(
            _mistake(
                "dx",
                CONV["backward no dilation"],
                lambda: _crop(_scatter(dout, w, x.shape, stride, pad, (1, 1)), pad, H, W),
            )
        )
        found.append(_mistake("dw", CONV["backward no dilation"], lambda: _gather(dout, xpad, w.shape, stride, (1, 1))))
    return found


def _assigned_dx(dout, w, x_shape, conv_param, order: str):
    """dx of loops that assign (=) each window's gradient, looping over f, i, j in ``order``."""
    N, C, H, W = x_shape
    F, _, HH, WW = w.shape
    (sh, sw), pad, (dh, dw) = _conv_geometry(conv_param)
    Ho, Wo = dout.shape[2:]
    dxpad = np.zeros((N, C, H + 2 * pad[0], W + 2 * pad[1]))
    loops = {"f": range(F), "i": range(Ho), "j": range(Wo)}
    for n in range(N):
        for values in itertools.product(*(loops[letter] for letter in order)):
            f, i, j = (values[order.index(letter)] for letter in "fij")
            rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
            cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
            dxpad[n, :, rows, cols] = w[f] * dout[n, f, i, j]
    return _crop(dxpad, pad, H, W)


def _crop(xpad, pad, H, W):
    ph, pw = pad
    return xpad[:, :, ph : ph + H, pw : pw + W]


def conv_regions(args, output: str):
    """Regions of out or dx where padding and overlapping windows show: {phrase: (mask, advice)}."""
    x, w, b, conv_param = args
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride, pad, dilation = _conv_geometry(conv_param)
    touches = _windows_touching_padding((H, W), (HH, WW), stride, pad, dilation)  # (Ho, Wo)
    if output == "out":
        mask = np.broadcast_to(touches, (N, F, *touches.shape))
        return {"where the window reaches into the padding (near the border)": (mask, CONV["region padding"])}
    if output == "dx":
        coverage = _coverage(x.shape, (HH, WW), stride, pad, dilation)
        border = _coverage(x.shape, (HH, WW), stride, pad, dilation, touches) > 0
        return {
            "where windows overlap (pixels read by more than one window)": (coverage > 1, CONV["region overlap"]),
            "near the border (pixels read by windows that reach into the padding)": (border, CONV["region border"]),
        }
    return {}


def _windows_touching_padding(hw, kernel, stride, pad, dilation) -> np.ndarray:
    """(H', W') bool: True where the window of output (i, j) includes padded positions."""
    touch = []
    for n, k, s, p, d in zip(hw, kernel, stride, pad, dilation):
        first = np.arange(shapes.conv_output_size(n, k, s, p, d)) * s
        last = first + d * (k - 1)
        touch.append((first < p) | (last >= p + n))
    return touch[0][:, None] | touch[1][None, :]


def _coverage(x_shape, kernel, stride, pad, dilation, chosen=None) -> np.ndarray:
    """(N, C, H, W): how many windows (or how many of the ``chosen`` (H', W') windows) read each pixel."""
    N, C, H, W = x_shape
    HH, WW = kernel
    Ho, Wo = (shapes.conv_output_size(n, k, s, p, d) for n, k, s, p, d in zip((H, W), kernel, stride, pad, dilation))
    weights = np.ones((Ho, Wo)) if chosen is None else chosen.astype(float)
    cols = np.broadcast_to(weights.reshape(1, 1, Ho * Wo), (N, C * HH * WW, Ho * Wo))
    return im2col_module.fold(np.ascontiguousarray(cols), x_shape, kernel, stride, pad, dilation)


# ---------------------------------------------------------------------------------------------
# Max pooling

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
        _mistake("out", POOL["average"], lambda: _pool_out(x, PH, PW, stride, hw, np.mean)),
        _mistake("out", POOL["min"], lambda: _pool_out(x, PH, PW, stride, hw, np.min)),
        _mistake("out", POOL["abs"], lambda: _pool_out(x, PH, PW, stride, hw, _largest_magnitude)),
    ]
    if stride != (PH, PW):
        found.append(_mistake("out", POOL["step pool size"], lambda: _pool_out(x, PH, PW, (PH, PW), hw, np.max)))
    if stride != (1, 1):
        found.append(_mistake("out", POOL["step 1"], lambda: _pool_out(x, PH, PW, (1, 1), hw, np.max)))
    if PH != PW:
        found.append(_mistake("out", POOL["swapped"], lambda: _pool_out(x, PW, PH, stride, hw, np.max)))
    if stride[0] != stride[1]:
        same = (stride[0], stride[0])
        found.append(_mistake("out", POOL["stride h for w"], lambda: _pool_out(x, PH, PW, same, hw, np.max)))
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
        found.append(_mistake("dx", POOL["backward no stride"], lambda: _pool_dx_unstrided(x, pool_param, dout)))
    if stride != (PH, PW):
        by_size = {**pool_param, "stride": (PH, PW)}
        found.append(_mistake("dx", POOL["backward step pool size"], lambda: _pool_dx(x, by_size, dout, _route_first)))
    return found + [
        _mistake("dx", POOL["last max"], lambda: _pool_dx(x, pool_param, dout, _route_last)),
        _mistake("dx", POOL["all max"], lambda: _pool_dx(x, pool_param, dout, _route_all)),
        _mistake("dx", POOL["split max"], lambda: _pool_dx(x, pool_param, dout, _route_split)),
        _mistake("dx", POOL["overwrite"], lambda: _pool_dx(x, pool_param, dout, _route_first, add=False)),
        _mistake("dx", POOL["spread"], lambda: _pool_dx(x, pool_param, dout, lambda v: np.full(v.shape, 1 / v.size))),
        _mistake("dx", POOL["everywhere"], lambda: _pool_dx(x, pool_param, dout, lambda v: np.ones(v.shape))),
    ]


def pool_regions(args, output: str):
    x, pool_param = args
    if output != "dx":
        return {}
    PH, PW, stride = _pool_geometry(pool_param)
    overlap = _coverage(x.shape, (PH, PW), stride, (0, 0), (1, 1)) > 1
    return {"where windows overlap (pixels in more than one window)": (overlap, POOL["region overlap"])}


# ---------------------------------------------------------------------------------------------
# Normalization: which elements share a mean and variance, as a label per element

LAYOUTS = {
    "N,H,W": "over (N, H, W) for each channel, as batch norm does",
    "H,W": "over (H, W) for each sample and channel (that is instance norm)",
    "C,H,W": "over (C, H, W) for each sample (that is layer norm)",
    "N": "over N only, for each channel and position",
    "all": "over the whole array at once",
    "N,H": "over (N, H) only, for each channel and column; W must be included",
    "N,W": "over (N, W) only, for each channel and row; H must be included",
    "group": "over each group of C/G consecutive channels and (H, W), for each sample, as group norm does",
    "group,N": "over each group of channels across the whole batch; group norm keeps the samples apart",
    "interleaved": "over interleaved groups (channel c in group c % G); a group is C/G consecutive channels",
    "view axis 1": (
        "over axis 1 of x.reshape(N, G, -1), across the groups at each position of a group; take them "
        "over axis 2 (keepdims=True)"
    ),
    "reshape(-1, C)": (
        "over the columns of x.reshape(-1, C), which mixes channels with positions (move C last first: "
        "x.transpose(0, 2, 3, 1).reshape(-1, C), and transpose back after)"
    ),
}

NORM = {
    "dx gamma outside": (
        "gamma is applied after the group means, as batch norm may do: the channels of one group have "
        "different gammas, so multiply first, dxhat = dout * gamma, then take the means of dxhat"
    ),
    "eps outside": "eps is added to the standard deviation; add it to the variance, inside the square root",
    "unbiased": (
        "the variance is the unbiased one (ddof=1); normalization uses the biased variance (divide by the count)"
    ),
    "by variance": "it divides by the variance; divide by the standard deviation, np.sqrt(var + eps)",
    "no eps": "eps is missing from the denominator: np.sqrt(var + eps)",
    "gamma beta swapped": "gamma and beta are swapped: out = gamma * xhat + beta",
    "no gamma beta": "gamma and beta are not applied: out = gamma * xhat + beta",
    "test uses batch": (
        "test mode normalizes with the batch's own mean and variance; it must use bn_param's running_mean "
        "and running_var"
    ),
    "test updates mean": "test mode changed the running mean; only train mode updates it",
    "test updates var": "test mode changed the running variance; only train mode updates it",
    "mean not updated": (
        "the running mean is not updated: in train mode, running_mean = momentum * running_mean "
        "+ (1 - momentum) * mean, stored in bn_param"
    ),
    "var not updated": (
        "the running variance is not updated: in train mode, running_var = momentum * running_var "
        "+ (1 - momentum) * var, stored in bn_param"
    ),
    "mean momentum flipped": (
        "momentum is used the other way round (PyTorch's convention); here it is the weight of the old "
        "value: running_mean = momentum * running_mean + (1 - momentum) * mean"
    ),
    "var momentum flipped": (
        "momentum is used the other way round (PyTorch's convention); here it is the weight of the old "
        "value: running_var = momentum * running_var + (1 - momentum) * var"
    ),
    "mean replaced": "the running mean is replaced by the batch mean; blend them, with momentum",
    "var replaced": "the running variance is replaced by the batch variance; blend them, with momentum",
    "var unbiased": "the running variance uses the unbiased variance (ddof=1); use the biased one, as for normalizing",
    "var std": "the running variance is updated with the standard deviation; use the variance",
    "var plus eps": "the running variance is updated with var + eps; leave eps out of it",
    "eps ignored": "bn_param['eps'] is ignored (1e-5 is used whatever it says)",
    "gn eps ignored": "gn_param['eps'] is ignored (1e-5 is used whatever it says): eps = gn_param.get('eps', 1e-5)",
    "columns per channel": (
        "channel c is normalized with the statistics of column c of x.reshape(-1, C), which mixes channels "
        "with positions (move C last first: x.transpose(0, 2, 3, 1).reshape(-1, C))"
    ),
    "running from columns": (
        "the running statistics come from the columns of x.reshape(-1, C), which mixes channels with "
        "positions; take the batch statistics over (N, H, W): x.mean(axis=(0, 2, 3))"
    ),
    "dx divides by N": (
        "dx divides by N, as the fully connected batch norm does; here each channel's mean is over "
        "M = N*H*W elements: mean(dxhat) = dxhat.sum(axis=(0, 2, 3)) / (N*H*W)"
    ),
    "momentum ignored": "bn_param['momentum'] is ignored (0.9 is used whatever it says)",
    "dx constants": (
        "dx treats the mean and variance as constants (that is the test-mode gradient); in train mode "
        "they depend on x too: dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std"
    ),
    "dx no mean term": "dx is missing the term that comes through the mean: subtract mean(dxhat)",
    "dx no var term": "dx is missing the term that comes through the variance: subtract xhat * mean(dxhat * xhat)",
    "dx no gamma": "dx ignores gamma: the gradient that reaches xhat is dout * gamma",
    "dgamma uses x": "dgamma uses x; it must use the normalized xhat: dgamma = sum of dout * xhat",
    "dgamma is dbeta": "dgamma is the sum of dout, which is dbeta; dgamma = sum of dout * xhat over (N, H, W)",
    "swapped grads": "dgamma and dbeta are swapped: return (dx, dgamma, dbeta), the order of (x, gamma, beta)",
    "dgamma over n": "dgamma is summed over the samples n only: sum over (N, H, W)",
    "dbeta over n": "dbeta is summed over the samples n only: sum over (N, H, W)",
    "dgamma over space": "dgamma is summed over the positions only: sum over the samples n too",
    "dbeta over space": "dbeta is summed over the positions only: sum over the samples n too",
}

_BN_LAYOUTS = ("H,W", "C,H,W", "N", "all", "N,H", "N,W", "reshape(-1, C)")
_GN_LAYOUTS = ("H,W", "C,H,W", "N,H,W", "group,N", "interleaved", "N", "view axis 1")


def _labels(x_shape, layout: str, G: int = 1) -> np.ndarray:
    """(N, C, H, W) ints: which statistics group each element belongs to under a layout of LAYOUTS."""
    N, C, H, W = x_shape
    n, c, h, w = np.indices(x_shape)
    if layout == "N,H,W":
        return c
    if layout == "H,W":
        return n * C + c
    if layout == "C,H,W":
        return n
    if layout == "N":
        return (c * H + h) * W + w
    if layout == "all":
        return np.zeros(x_shape, dtype=int)
    if layout == "N,H":
        return c * W + w
    if layout == "N,W":
        return c * H + h
    if layout == "group":
        return n * G + c // (C // G)
    if layout == "group,N":
        return c // (C // G)
    if layout == "interleaved":
        return n * G + c % G
    if layout == "view axis 1":  # x.reshape(N, G, K).mean(axis=1): one mean per (sample, offset in a group)
        return n * (C // G * H * W) + ((c % (C // G)) * H + h) * W + w
    return np.arange(N * C * H * W).reshape(x_shape) % C  # "reshape(-1, C)": the column of each element


def _group_mean(values, labels):
    """(mean of values within each element's label, count of that label), both of values' shape."""
    counts = np.bincount(labels.ravel())
    sums = np.bincount(labels.ravel(), weights=values.ravel())
    return (sums / np.maximum(counts, 1))[labels], counts[labels]


def _normalize(x, labels, eps, ddof=0, eps_outside=False, by_variance=False):
    """(xhat, inv_std), the statistics shared by the elements of one label."""
    mean, count = _group_mean(x, labels)
    var = _group_mean((x - mean) ** 2, labels)[0]
    if ddof:
        var = var * count / np.maximum(count - ddof, 1)
    if by_variance:
        inv_std = 1 / (var + eps)
    elif eps_outside:
        inv_std = 1 / (np.sqrt(var) + eps)
    else:
        inv_std = 1 / np.sqrt(var + eps)
    return (x - mean) * inv_std, inv_std


def _normalization_grad(dxhat, xhat, inv_std, labels):
    """dx through xhat = (x - mean) * inv_std, the statistics shared within each label."""
    mean_dxhat = _group_mean(dxhat, labels)[0]
    mean_dxhat_xhat = _group_mean(dxhat * xhat, labels)[0]
    return (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) * inv_std


def _per_channel(v, C):
    return np.asarray(v).reshape(1, C, 1, 1)


def _normalization_forward(x, gamma, beta, eps, right: str, layouts, G=1):
    """Forward mistakes shared by batch norm and group norm: out."""
    C = x.shape[1]
    g, bt = _per_channel(gamma, C), _per_channel(beta, C)
    labels = _labels(x.shape, right, G)
    found = []
    for layout in layouts:
        sentence = f"the mean and variance are taken {LAYOUTS[layout]}; take them {LAYOUTS[right]}"
        other = _labels(x.shape, layout, G)
        if layout == "reshape(-1, C)":  # gamma and beta are then applied per column too
            scale, shift = np.ravel(gamma)[other], np.ravel(beta)[other]
        else:
            scale, shift = g, bt
        found.append(_mistake("out", sentence, lambda o=other, a=scale, c=shift: a * _normalize(x, o, eps)[0] + c))
    found += [
        _mistake("out", NORM["eps outside"], lambda: g * _normalize(x, labels, eps, eps_outside=True)[0] + bt),
        _mistake("out", NORM["unbiased"], lambda: g * _normalize(x, labels, eps, ddof=1)[0] + bt),
        _mistake("out", NORM["by variance"], lambda: g * _normalize(x, labels, eps, by_variance=True)[0] + bt),
        _mistake("out", NORM["no eps"], lambda: g * _normalize(x, labels, 0.0)[0] + bt),
        _mistake("out", NORM["gamma beta swapped"], lambda: bt * _normalize(x, labels, eps)[0] + g),
        _mistake("out", NORM["no gamma beta"], lambda: _normalize(x, labels, eps)[0]),
    ]
    return found


def _normalization_backward(x, gamma, dout, eps, right: str, layouts, G=1):
    """Backward mistakes shared by batch norm and group norm: dx, dgamma, dbeta."""
    C = x.shape[1]
    labels = _labels(x.shape, right, G)
    xhat, inv_std = _normalize(x, labels, eps)
    dxhat = dout * _per_channel(gamma, C)
    mean_dxhat = _group_mean(dxhat, labels)[0]
    mean_dxhat_xhat = _group_mean(dxhat * xhat, labels)[0]
    found = [
        _mistake("dx", NORM["dx constants"], lambda: dxhat * inv_std),
        _mistake("dx", NORM["dx no mean term"], lambda: (dxhat - xhat * mean_dxhat_xhat) * inv_std),
        _mistake("dx", NORM["dx no var term"], lambda: (dxhat - mean_dxhat) * inv_std),
        _mistake("dx", NORM["dx no gamma"], lambda: _normalization_grad(dout, xhat, inv_std, labels)),
        _mistake("dgamma", NORM["dgamma uses x"], lambda: (dout * x).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))),
        _mistake("dgamma", NORM["dgamma is dbeta"], lambda: dout.sum(axis=(0, 2, 3)).reshape(np.shape(gamma))),
        _mistake("dbeta", NORM["swapped grads"], lambda: (dout * xhat).sum(axis=(0, 2, 3)).reshape(np.shape(gamma))),
        _mistake("dgamma", NORM["dgamma over n"], lambda: (dout * xhat).sum(axis=0)),
        _mistake("dbeta", NORM["dbeta over n"], lambda: dout.sum(axis=0)),
        _mistake("dgamma", NORM["dgamma over space"], lambda: (dout * xhat).sum(axis=(2, 3))),
        _mistake("dbeta", NORM["dbeta over space"], lambda: dout.sum(axis=(2, 3))),
    ]
    if right == "group":  # in batch norm gamma is constant over the elements of one mean, so this is right there
        found.append(
            _mistake(
                "dx",
                NORM["dx gamma outside"],
                lambda: _per_channel(gamma, C) * _normalization_grad(dout, xhat, inv_std, labels),
            )
        )
    for layout in layouts:  # the right xhat and std (as a right forward caches them), the wrong means
        other = _labels(x.shape, layout, G)
        sentence = f"dx takes its means {LAYOUTS[layout]}; take them {LAYOUTS[right]}"
        found.append(_mistake("dx", sentence, lambda o=other: _normalization_grad(dxhat, xhat, inv_std, o)))
    return found


def batchnorm_forward(args, dout=None):
    """Mistakes in spatial batch norm's forward pass: out, running_mean, running_var."""
    x, gamma, beta, bn_param = args
    params = shapes.check_bn_param(dict(bn_param), x.shape[1], x.dtype)
    eps, momentum = params["eps"], params["momentum"]
    old_mean, old_var = params["running_mean"], params["running_var"]
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))

    def blend(old, new):
        return momentum * old + (1 - momentum) * new

    if params["mode"] == "test":
        batch_stats = _labels(x.shape, "N,H,W")
        C = x.shape[1]
        return [
            _mistake(
                "out",
                NORM["test uses batch"],
                lambda: _per_channel(gamma, C) * _normalize(x, batch_stats, eps)[0] + _per_channel(beta, C),
            ),
            _mistake(
                "out",
                NORM["no eps"],
                lambda: (
                    _per_channel(gamma, C) * (x - _per_channel(old_mean, C)) / np.sqrt(_per_channel(old_var, C))
                    + _per_channel(beta, C)
                ),
            ),
            _mistake("running_mean", NORM["test updates mean"], lambda: blend(old_mean, mean)),
            _mistake("running_var", NORM["test updates var"], lambda: blend(old_var, var)),
        ]
    C = x.shape[1]
    default_eps = _per_channel(gamma, C) * _normalize(x, _labels(x.shape, "N,H,W"), 1e-5)[0] + _per_channel(beta, C)
    found = _normalization_forward(x, gamma, beta, eps, "N,H,W", _BN_LAYOUTS)
    if eps != 1e-5:
        found.append(_mistake("out", NORM["eps ignored"], lambda: default_eps))
    if momentum != 0.9:
        found.append(_mistake("running_mean", NORM["momentum ignored"], lambda: 0.9 * old_mean + 0.1 * mean))
        found.append(_mistake("running_var", NORM["momentum ignored"], lambda: 0.9 * old_var + 0.1 * var))
    if bn_param.get("running_var") is None:  # the start value is the layer's choice: CS231n's is zeros
        found.append(_mistake("running_var", CONVENTIONS["running_var zeros"], lambda: blend(0 * old_var, var)))
    if bn_param.get("running_mean") is None:
        found.append(_mistake("running_mean", CONVENTIONS["running_mean ones"], lambda: blend(1 + old_mean, mean)))
    # x.reshape(-1, C) without the transpose: column statistics, used for channel c of the 4-D x
    columns = x.reshape(-1, C)
    column_mean, column_var = columns.mean(axis=0), columns.var(axis=0)
    found += [
        _mistake(
            "out",
            NORM["columns per channel"],
            lambda: (
                _per_channel(gamma, C) * (x - _per_channel(column_mean, C)) / np.sqrt(_per_channel(column_var, C) + eps)
                + _per_channel(beta, C)
            ),
        ),
        _mistake(
            "out",
            f"the mean and variance are taken {LAYOUTS['reshape(-1, C)']}; take them {LAYOUTS['N,H,W']}",
            lambda: (
                _per_channel(gamma, C) * ((columns - column_mean) / np.sqrt(column_var + eps)).reshape(x.shape)
                + _per_channel(beta, C)
            ),
        ),
        _mistake("running_mean", NORM["running from columns"], lambda: blend(old_mean, column_mean)),
        _mistake("running_var", NORM["running from columns"], lambda: blend(old_var, column_var)),
    ]
    return found + [
        _mistake("running_mean", NORM["mean not updated"], lambda: old_mean),
        _mistake("running_var", NORM["var not updated"], lambda: old_var),
        _mistake("running_mean", NORM["mean momentum flipped"], lambda: (1 - momentum) * old_mean + momentum * mean),
        _mistake("running_var", NORM["var momentum flipped"], lambda: (1 - momentum) * old_var + momentum * var),
        _mistake("running_mean", NORM["mean replaced"], lambda: mean),
        _mistake("running_var", NORM["var replaced"], lambda: var),
        _mistake("running_var", NORM["var unbiased"], lambda: blend(old_var, x.var(axis=(0, 2, 3), ddof=1))),
        _mistake("running_var", NORM["var std"], lambda: blend(old_var, np.sqrt(var))),
        _mistake("running_var", NORM["var plus eps"], lambda: blend(old_var, var + eps)),
    ]


def batchnorm_backward(args, dout):
    """Mistakes in spatial batch norm's backward pass (train mode): dx, dgamma, dbeta."""
    x, gamma, beta, bn_param = args
    eps = shapes.check_bn_param(dict(bn_param), x.shape[1], x.dtype)["eps"]
    found = _normalization_backward(x, gamma, dout, eps, "N,H,W", _BN_LAYOUTS)
    N, C, H, W = x.shape
    if H * W > 1:  # the fully connected formula: sums over (N, H, W) divided by N, not N*H*W
        labels = _labels(x.shape, "N,H,W")
        xhat, inv_std = _normalize(x, labels, eps)
        dxhat = dout * _per_channel(gamma, C)
        sum_dxhat = dxhat.sum(axis=(0, 2, 3), keepdims=True)
        sum_dxhat_xhat = (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True)
        found.append(
            _mistake(
                "dx", NORM["dx divides by N"], lambda: (dxhat - sum_dxhat / N - xhat * sum_dxhat_xhat / N) * inv_std
            )
        )
    return found


def groupnorm_forward(args, dout=None):
    """Mistakes in spatial group norm's forward pass: out."""
    x, gamma, beta, G, gn_param = args
    eps = shapes.check_gn_param(gn_param)
    found = _normalization_forward(x, gamma, beta, eps, "group", _GN_LAYOUTS, G)
    if eps != 1e-5:
        C = x.shape[1]
        labels = _labels(x.shape, "group", G)
        found.append(
            _mistake(
                "out",
                NORM["gn eps ignored"],
                lambda: _per_channel(gamma, C) * _normalize(x, labels, 1e-5)[0] + _per_channel(beta, C),
            )
        )
    return found


def groupnorm_backward(args, dout):
    """Mistakes in spatial group norm's backward pass: dx, dgamma, dbeta."""
    x, gamma, beta, G, gn_param = args
    return _normalization_backward(x, gamma, dout, shapes.check_gn_param(gn_param), "group", _GN_LAYOUTS, G)


# ---------------------------------------------------------------------------------------------
# Conventions of CS231n's assignments that differ from cnnlab's

CONVENTIONS = {
    "running_var zeros": (
        "running_var starts at zeros, as in CS231n's batchnorm_forward; cnnlab (like PyTorch) starts it "
        "at ones: bn_param.get('running_var', np.ones(C))"
    ),
    "running_mean ones": "running_mean starts at ones; it starts at zeros: bn_param.get('running_mean', np.zeros(C))",
}

# ---------------------------------------------------------------------------------------------
# What the failing cases share: when exactly the cases with one feature fail, where to look

CASE_TAGS = {
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
    "a stride given as an (h, w) pair": (
        "a stride given as an (h, w) pair: use the pair cnnlab.shapes.check_pool_inputs returns, sh for rows and "
        "sw for columns"
    ),
    "a rectangular input or filter": (
        "height and width: rows use H, HH and the first of each pair, columns W, WW and the second; one is used "
        "for the other somewhere"
    ),
    "a rectangular input or window": (
        "height and width: rows use H, pool_height and sh, columns W, pool_width and sw; one is used for the "
        "other somewhere"
    ),
    "a stride that leaves the last rows or columns out": (
        "the output size when the stride does not divide evenly: (size + 2*pad - dilation*(kernel - 1) - 1) "
        "// stride + 1 rounds down, and the last rows or columns no window reaches are left out"
    ),
    "a stride that does not divide evenly": (
        "a stride that does not divide evenly: // rounds down, and the leftover pixels give no output"
    ),
    "overlapping windows": (
        "overlapping windows: each window is x[n, c, i*sh : i*sh + PH, j*sw : j*sw + PW], and an element that "
        "is the maximum of several windows gets the sum of their gradients (+=)"
    ),
    "ties (equal maxima in a window)": "ties: the gradient goes to the first maximum in row-major order, np.argmax",
    "train mode": "train mode: the batch statistics over (N, H, W), and the running statistics updated in bn_param",
    "test mode": "test mode: normalize with bn_param's running_mean and running_var, and change nothing",
    "eps and momentum given": (
        "reading bn_param: eps and momentum are given in these cases, bn_param.get('eps', 1e-5), "
        "bn_param.get('momentum', 0.9), and so are the running statistics"
    ),
    "eps given": "reading gn_param: eps is given in this case, eps = gn_param.get('eps', 1e-5)",
    "gamma and beta of shape (1, C, 1, 1)": (
        "gamma and beta of shape (1, C, 1, 1): CS231n's are (C,) only, cnnlab's may be either; work with "
        "gamma.reshape(1, C, 1, 1) (or np.ravel(gamma) in 2-D) and return dgamma, dbeta in the shape gamma had"
    ),
    "one sample": "a batch of one sample (N = 1): look for an index or a loop bound over the samples",
    "1x1 spatial size": "H = W = 1: look for an axis or a size that assumes H, W > 1",
    "G = 1": "G = 1 (one group, layer norm): look at how the groups are formed",
    "G = C": "G = C (one channel per group, instance norm): look at how the groups are formed",
    "reg > 0": (
        "the regularization: 0.5 * reg * sum(W**2) over W1, W2, W3 in the loss, and reg * W in each weight's gradient"
    ),
    "one channel": "C = 1: look for an axis that assumes several channels",
    "a 1x1 filter": "a 1x1 filter: look for an index that assumes a filter larger than 1",
    "a rectangular input": "a rectangular input: H and W are used for each other somewhere",
}

# ---------------------------------------------------------------------------------------------
# im2col and col2im

COLUMNS = {
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
    "padded": "x still includes the padding: cut pad rows and columns from each side, xpad[:, :, ph:ph + H, pw:pw + W]",
    "crop corner": (
        "x is cut from the top-left corner of xpad; cut pad rows and columns from each side: "
        "xpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "empty": (
        "x is empty: with pad = 0, xpad[:, :, pad:-pad] selects nothing (-0 is 0); use xpad[:, :, ph:ph + H, pw:pw + W]"
    ),
    "region padding": "look at how x is padded: with zeros, by pad on every side",
    "region overlap": "a pixel in several windows gets the sum of their columns: use +=, not =",
    "pad at the end": (
        "the windows read x without the padding in front of it: window (0, 0) must start pad rows above and "
        "pad columns left of x, in the zeros; pad on each side, np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), "
        "and read every window from the padded array"
    ),
}


def _output_hw(hw, kernel, stride, pad, dilation):
    return tuple(shapes.conv_output_size(n, k, s, p, d) for n, k, s, p, d in zip(hw, kernel, stride, pad, dilation))


def im2col_mistakes(args, dout=None):
    """Mistakes in im2col: cols (N, C*HH*WW, H'*W')."""
    x, HH, WW, stride, pad, dilation = args
    N, C, H, W = x.shape
    pairs = _geometry(stride, pad, dilation)
    cols = im2col_module.im2col(x, HH, WW, stride, pad, dilation)  # (N, R, Ho*Wo)
    _, R, positions = cols.shape
    Ho, Wo = _output_hw((H, W), (HH, WW), *pairs)
    found = [
        _mistake("cols", COLUMNS["cs231n layout"], lambda: cols.transpose(1, 0, 2).reshape(R, N * positions)),
        _mistake("cols", COLUMNS["rows are windows"], lambda: cols.transpose(0, 2, 1).reshape(N * positions, R)),
        _mistake("cols", COLUMNS["rows are windows per sample"], lambda: cols.transpose(0, 2, 1)),
        _mistake(
            "cols",
            COLUMNS["tap-major rows"],
            lambda: cols.reshape(N, C, HH, WW, -1).transpose(0, 2, 3, 1, 4).reshape(N, R, -1),
        ),
        _mistake(
            "cols",
            COLUMNS["column-major columns"],
            lambda: cols.reshape(N, R, Ho, Wo).transpose(0, 1, 3, 2).reshape(N, R, -1),
        ),
    ]
    if pairs[1] != (0, 0):
        found.append(_mistake("cols", COLUMNS["no pad"], lambda: im2col_module.im2col(x, HH, WW, stride, 0, dilation)))
        (ph, pw) = pairs[1]
        end = np.pad(x, ((0, 0), (0, 0), (0, 2 * ph), (0, 2 * pw)))
        found.append(
            _mistake("cols", COLUMNS["pad at the end"], lambda: im2col_module.im2col(end, HH, WW, stride, 0, dilation))
        )

    def first_windows(other):  # the right number of windows (H', W' from cnnlab.shapes), the first of another grid
        Hb, Wb = _output_hw((H, W), (HH, WW), *other)
        if Hb < Ho or Wb < Wo:
            return None
        wider = im2col_module.im2col(x, HH, WW, *other)
        return wider.reshape(N, R, Hb, Wb)[:, :, :Ho, :Wo].reshape(N, R, Ho * Wo)

    if pairs[2] != (1, 1):
        found.append(_mistake("cols", COLUMNS["no dilation"], lambda: im2col_module.im2col(x, HH, WW, stride, pad, 1)))
        found.append(_mistake("cols", COLUMNS["no dilation"], lambda: first_windows((pairs[0], pairs[1], (1, 1)))))
    if pairs[0] != (1, 1):
        found.append(_mistake("cols", COLUMNS["no stride"], lambda: im2col_module.im2col(x, HH, WW, 1, pad, dilation)))
        found.append(_mistake("cols", COLUMNS["no stride"], lambda: first_windows(((1, 1), pairs[1], pairs[2]))))
    return found


def im2col_regions(args, output: str):
    x, HH, WW, stride, pad, dilation = args
    N, C, H, W = x.shape
    touches = _windows_touching_padding((H, W), (HH, WW), *_geometry(stride, pad, dilation)).reshape(1, 1, -1)
    mask = np.broadcast_to(touches, (N, C * HH * WW, touches.shape[-1]))
    return {
        "in the columns of windows that reach into the padding (near the border)": (mask, COLUMNS["region padding"])
    }


def col2im_mistakes(args, dout=None):
    """Mistakes in col2im: x (N, C, H, W)."""
    cols, x_shape, HH, WW, stride, pad, dilation = args
    N, C, H, W = x_shape
    stride, pad, dilation = _geometry(stride, pad, dilation)
    ph, pw = pad
    Ho, Wo = _output_hw((H, W), (HH, WW), stride, pad, dilation)
    blocks = cols.reshape(N, C, HH, WW, Ho, Wo)
    added = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    overwritten = np.zeros_like(added)
    for r in range(Ho):  # window by window, as a loop would
        for s in range(Wo):
            rows = slice(r * stride[0], r * stride[0] + dilation[0] * (HH - 1) + 1, dilation[0])
            columns = slice(s * stride[1], s * stride[1] + dilation[1] * (WW - 1) + 1, dilation[1])
            added[:, :, rows, columns] += blocks[..., r, s]
            overwritten[:, :, rows, columns] = blocks[..., r, s]
    found = [_mistake("x", COLUMNS["overwrite"], lambda: _crop(overwritten, pad, H, W))]
    if ph or pw:
        found.append(_mistake("x", COLUMNS["padded"], lambda: added))
        found.append(_mistake("x", COLUMNS["crop corner"], lambda: added[:, :, :H, :W]))
    if not (ph and pw):
        found.append(_mistake("x", COLUMNS["empty"], lambda: added[:, :, ph:-ph, pw:-pw]))
    return found


def col2im_regions(args, output: str):
    cols, x_shape, HH, WW, stride, pad, dilation = args
    overlap = _coverage(tuple(x_shape), (HH, WW), *_geometry(stride, pad, dilation)) > 1
    return {"where windows overlap (pixels in more than one window)": (overlap, COLUMNS["region overlap"])}


# ---------------------------------------------------------------------------------------------
# A whole network's loss (three_layer_convnet_loss)

CONVNET = {
    "reg missing from loss": (
        "the loss has no regularization term: add 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2) + np.sum(W3**2))"
    ),
    "reg loss doubled": "the regularization term is reg * sum(W**2); it is 0.5 * reg * sum(W**2)",
    "reg missing from grad": (
        "{g} lacks the regularization gradient: add reg * {w} (the gradient of 0.5 * reg * sum({w}**2))"
    ),
    "reg grad doubled": (
        "{g} has the regularization gradient twice, 2 * reg * {w}; the gradient of 0.5 * reg * sum({w}**2) is reg * {w}"
    ),
    "reg on bias": "the biases are regularized too: the L2 term covers W1, W2, W3 only, not b1, b2, b3",
    "reg W1 only": (
        "only W1 is regularized in the loss: the L2 term is 0.5 * reg * (sum(W1**2) + sum(W2**2) + sum(W3**2))"
    ),
    "reg on bias grad": "{g} has a regularization term, reg * {w}; the biases are not regularized",
    "not averaged loss": (
        "the loss is N times too big (N = {n}): the data loss is summed over the batch; average it (divide by N)"
    ),
    "not averaged grad": (
        "{g} is N times too big (N = {n}) apart from the regularization term: the data loss is summed over the "
        "batch, not averaged (dscores must be divided by N, as softmax_loss does)"
    ),
    "other name": (
        "{g} holds the gradient of {other}: the gradients are stored under the wrong names; grads[name] must be "
        "the gradient of the loss with respect to params[name]"
    ),
}
CONVNET_WEIGHTS = ("W1", "W2", "W3")
CONVNET_BIASES = ("b1", "b2", "b3")


def convnet_loss(reference, args):
    """three_layer_convnet_loss: the loss and gradients each regularization, averaging or naming
    mistake gives, from the reference's data loss and data gradients (reg = 0) and the L2 terms."""
    params, X, y, reg = args
    N = np.shape(X)[0]
    data_loss, data_grads = reference(params, X, y, 0.0)
    _, grads = reference(params, X, y, reg)
    weights = 0.5 * reg * sum(float(np.sum(params[w] ** 2)) for w in CONVNET_WEIGHTS)
    biases = 0.5 * reg * sum(float(np.sum(params[b] ** 2)) for b in CONVNET_BIASES)
    found = [
        ("loss", CONVNET["reg missing from loss"], np.float64(data_loss)),
        ("loss", CONVNET["reg loss doubled"], np.float64(data_loss + 2 * weights)),
        ("loss", CONVNET["reg on bias"], np.float64(data_loss + weights + biases)),
        ("loss", CONVNET["reg W1 only"], np.float64(data_loss + 0.5 * reg * float(np.sum(params["W1"] ** 2)))),
        ("loss", CONVNET["not averaged loss"].format(n=N), np.float64(N * data_loss + weights)),
        ("loss", CONVNET["not averaged loss"].format(n=N), np.float64(N * (data_loss + weights))),
    ]
    for name in (*CONVNET_WEIGHTS, *CONVNET_BIASES):
        g = f"grads['{name}']"
        words = {"g": g, "w": name, "n": N}
        if name in CONVNET_WEIGHTS:
            found.append((g, CONVNET["reg missing from grad"].format(**words), data_grads[name]))
            found.append((g, CONVNET["reg grad doubled"].format(**words), data_grads[name] + 2 * reg * params[name]))
            found.append((g, CONVNET["not averaged grad"].format(**words), N * data_grads[name] + reg * params[name]))
        else:
            found.append((g, CONVNET["reg on bias grad"].format(**words), data_grads[name] + reg * params[name]))
            found.append((g, CONVNET["not averaged grad"].format(**words), N * data_grads[name]))
        found.append((g, CONVNET["not averaged grad"].format(**words), N * grads[name]))
        for other in grads:
            if other != name:
                found.append((g, CONVNET["other name"].format(g=g, other=other), grads[other]))
    return found
