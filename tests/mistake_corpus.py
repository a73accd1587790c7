"""A held-out corpus of realistic student mistakes, to measure how often the check names them.

Written by reading the student edition of the lessons (``lessons/``) as a student would,
before the checker was changed for issue #16, and kept apart from ``student_impls.py``: no
specific diagnosis was written for an entry here (the general step may describe it). Each
row: ``(exercise, label, function, forward, should_pass)``.

Measured on these 42 rows (named / named by the failing cases / generic / "no known pattern" /
wrong): before issue #16, 6 / - / 17 / 19 / 0; after the general step (what the failing cases
share, what the numbers show), 6 / 7 / 29 / 0 / 0. Since then (2026-12-03) the checker has been
tuned to these rows (a named diagnosis for each of their mistake classes): 42 / 0 / 0 / 0 / 0, so
this corpus no longer measures; ``tests/test_mistake_corpus.py`` keeps it from regressing. One row, ``int()`` of a true
division, was written as right and passed until the check got cases where the filter does not fit
(2026-12-04): lesson 1 asks for the formula's number there, which truncation toward zero misses. The
corpora written after it, blind to the checker, are ``mistake_corpus_fresh.py``,
``mistake_corpus_third.py`` and ``mistake_corpus_fourth.py``; their docstrings give the rate
measured once before any diagnosis was written for them.

``measure()`` checks every row and sorts the verdicts into: wrong (PASS where FAIL is right
or the reverse), named (the text names the mistake: ``CheckResult.named_mistake()``, a
``Named`` problem or diagnosis; a right PASS counts here), named by the failing cases (the
feature only the failing cases share, and where to look), generic (something specific from the
numbers, but no named mistake), and "no known pattern".
"""

from __future__ import annotations

from functools import partial

import numpy as np

from cnnlab import layers as L
from cnnlab import shapes

# ---------------------------------------------------------------------------------------------
# conv_output_size


def size_wrong_dilation_span(size, kernel, stride, pad, dilation):
    return (size + 2 * pad - dilation * (kernel - 1)) // stride + 1  # forgot the - 1 of the span


def size_round(size, kernel, stride, pad, dilation):
    return round((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1


def size_int_div(size, kernel, stride, pad, dilation):
    return int((size + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1)  # truncation: right for O >= 1


# ---------------------------------------------------------------------------------------------
# convolution


def conv_forward(x, w, b, conv_param, bug=None):
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r, c = i * sh, j * sw
                    if bug == "stride swapped":
                        r, c = i * sw, j * sh
                    window = xpad[n, :, r : r + dh * (HH - 1) + 1 : dh, c : c + dw * (WW - 1) + 1 : dw]
                    if bug == "one channel":
                        out[n, f, i, j] = np.sum(window[0] * w[f, 0]) + b[f]
                    elif bug == "bias of n":
                        out[n, f, i, j] = np.sum(window * w[f]) + b[n % F]
                    elif bug == "mean not sum":
                        out[n, f, i, j] = np.mean(window * w[f]) + b[f]
                    else:
                        out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    if bug == "relu applied":
        out = np.maximum(out, 0)
    return out, (x, w, b, conv_param)


def conv_backward(dout, cache, bug=None):
    x, w, b, conv_param = cache
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxpad = np.zeros_like(xpad)
    dw_ = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * sh, i * sh + dh * (HH - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (WW - 1) + 1, dw)
                    dxpad[n, :, rows, cols] += w[f] * dout[n, f, i, j]
                    if bug == "dw uses x unpadded":
                        window = np.pad(x, ((0, 0), (0, 0), (0, 2 * ph), (0, 2 * pw)))[n, :, rows, cols]
                    else:
                        window = xpad[n, :, rows, cols]
                    dw_[f] += window * (1.0 if bug == "dw without dout" else dout[n, f, i, j])
    db = dout.sum(axis=(0, 2, 3))
    if bug == "dw averaged":
        dw_ = dw_ / N
    dx = dxpad[:, :, ph : ph + H, pw : pw + W]
    return dx, dw_, db


# ---------------------------------------------------------------------------------------------
# im2col, col2im, fast convolution


def im2col(x, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    x, (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_inputs(
        x, filter_height, filter_width, stride, pad, dilation
    )
    N, C, H, W = x.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.zeros((N, C * HH * WW, Ho * Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = xpad[:, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw * (WW - 1) + 1 : dw]
            if bug == "window transposed":
                window = window.transpose(0, 1, 3, 2)
            column = i * Wo + j
            if bug == "column i*Ho + j":
                column = i * Ho + j
            if column < Ho * Wo:
                cols[:, :, column] = window.reshape(N, -1)
    return cols


def col2im(cols, x_shape, filter_height, filter_width, stride=1, pad=0, dilation=1, bug=None):
    N, C, H, W = x_shape
    (HH, WW), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = shapes.check_window_geometry(
        (H, W), filter_height, filter_width, stride, pad, dilation
    )
    xpad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for i in range(Ho):
        for j in range(Wo):
            block = cols[:, :, i * Wo + j].reshape(N, C, HH, WW)
            if bug == "ignores dilation":
                xpad[:, :, i * sh : i * sh + HH, j * sw : j * sw + WW] += block
            elif bug == "ignores stride":
                xpad[:, :, i : i + dh * (HH - 1) + 1 : dh, j : j + dw * (WW - 1) + 1 : dw] += block
            else:
                xpad[:, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw * (WW - 1) + 1 : dw] += block
    if bug == "averages overlaps":
        counts = np.zeros_like(xpad)
        for i in range(Ho):
            for j in range(Wo):
                counts[:, :, i * sh : i * sh + dh * (HH - 1) + 1 : dh, j * sw : j * sw + dw * (WW - 1) + 1 : dw] += 1
        xpad = xpad / np.maximum(counts, 1)
    return xpad[:, :, ph : ph + H, pw : pw + W]


def conv_forward_im2col(x, w, b, conv_param, bug=None):
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    cols = im2col(x, HH, WW, stride, pad, dilation)
    w_row = w.reshape(F, -1)
    if bug == "w reshaped tap-major":
        w_row = w.transpose(0, 2, 3, 1).reshape(F, -1)
    out = w_row @ cols + b.reshape(1, F, 1)
    if bug == "reshape Wo, Ho":
        return out.reshape(N, F, Wo, Ho).transpose(0, 1, 3, 2), (x, w, b, conv_param, cols)
    return out.reshape(N, F, Ho, Wo), (x, w, b, conv_param, cols)


def conv_backward_im2col(dout, cache, bug=None):
    x, w, b, conv_param, cols = cache
    x, w, b, stride, pad, dilation, (Ho, Wo) = shapes.check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    d = dout.reshape(N, F, -1)
    dw_ = np.einsum("nfk,nrk->fr", d, cols).reshape(w.shape)
    if bug == "dw from the last sample":
        dw_ = (d[-1] @ cols[-1].T).reshape(w.shape)
    dcols = w.reshape(F, -1).T @ d
    dx = col2im(dcols, x.shape, HH, WW, stride, pad, dilation)
    return dx, dw_, dout.sum(axis=(0, 2, 3))


# ---------------------------------------------------------------------------------------------
# max pooling


def pool_forward(x, pool_param, bug=None):
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    if bug == "window one short":
                        window = x[n, c, i * sh : i * sh + PH - 1, j * sw : j * sw + PW - 1]
                    else:
                        window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    out[n, c, i, j] = np.max(window)
    if bug == "keeps relu":
        out = np.maximum(out, 0)
    return out, (x, pool_param)


def pool_backward(dout, cache, bug=None):
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    k = np.argmax(window)
                    if bug == "unravel with PH":
                        p, q = divmod(k, PH)
                    else:
                        p, q = np.unravel_index(k, window.shape)
                    if bug == "p and q swapped":
                        p, q = q, p
                    if 0 <= i * sh + p < H and 0 <= j * sw + q < W:
                        dx[n, c, i * sh + p, j * sw + q] += dout[n, c, i, j] * (
                            window.max() if bug == "times the max" else 1.0
                        )
    return dx


# ---------------------------------------------------------------------------------------------
# batch norm


def bn_forward(x, gamma, beta, bn_param, bug=None):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    g, bt = np.reshape(gamma, (1, C, 1, 1)), np.reshape(beta, (1, C, 1, 1))
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    if mode == "train":
        mean = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
        if bug == "std for var":
            var = x.std(axis=(0, 2, 3))
        new_mean = momentum * rm + (1 - momentum) * mean
        new_var = momentum * rv + (1 - momentum) * var
        if bug == "mean updated after normalizing with it":
            mean = new_mean
        if bug == "stores only running_mean":
            bn_param["running_mean"] = new_mean
        else:
            bn_param["running_mean"], bn_param["running_var"] = new_mean, new_var
    else:
        mean, var = rm, rv
        if bug == "test mode sqrt without eps":
            eps = 0.0
    xhat = (x - mean.reshape(1, C, 1, 1)) / np.sqrt(var.reshape(1, C, 1, 1) + eps)
    if bug == "beta minus":
        return g * xhat - bt, None
    if bug == "gamma squared":
        return g * g * xhat + bt, None
    return g * xhat + bt, (xhat, 1 / np.sqrt(var + eps), gamma, np.shape(beta), mode)


def bn_backward(dout, cache, bug=None):
    xhat, inv_std, gamma, beta_shape, mode = cache
    N, C, H, W = dout.shape
    M = N * H * W
    g = np.reshape(gamma, (1, C, 1, 1))
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = dout * g
    s = inv_std.reshape(1, C, 1, 1)
    if bug == "sign of the var term":
        dx = (
            dxhat
            - dxhat.mean(axis=(0, 2, 3), keepdims=True)
            + xhat * (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
        ) * s
    elif bug == "dx times std":
        dx = (
            dxhat
            - dxhat.mean(axis=(0, 2, 3), keepdims=True)
            - xhat * (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
        ) / s
    elif bug == "sums not means":
        dx = (
            dxhat - dxhat.sum(axis=(0, 2, 3), keepdims=True) - xhat * (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True)
        ) * s
    else:
        dx = (
            dxhat
            - dxhat.mean(axis=(0, 2, 3), keepdims=True)
            - xhat * (dxhat * xhat).mean(axis=(0, 2, 3), keepdims=True)
        ) * s
    if bug == "dbeta from xhat":
        dbeta = xhat.sum(axis=(0, 2, 3))
    del M
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


# ---------------------------------------------------------------------------------------------
# group norm


def gn_forward(x, gamma, beta, G, gn_param, bug=None):
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    xg = x.reshape(N, G, -1)
    mean = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    if bug == "std from the centered mean of squares":
        var = (xg**2).mean(axis=2, keepdims=True)
    xhat = ((xg - mean) / np.sqrt(var + eps)).reshape(N, C, H, W)
    g, bt = np.reshape(gamma, (1, C, 1, 1)), np.reshape(beta, (1, C, 1, 1))
    if bug == "gamma per group":
        g = np.repeat(np.reshape(gamma, (G, C // G))[:, :1], C // G, axis=1).reshape(1, C, 1, 1)
    if bug == "no beta":
        bt = 0 * bt
    return g * xhat + bt, (xhat, 1 / np.sqrt(var + eps), gamma, np.shape(beta), G)


def gn_backward(dout, cache, bug=None):
    xhat, inv_std, gamma, beta_shape, G = cache
    N, C, H, W = dout.shape
    dxhat = (dout * np.reshape(gamma, (1, C, 1, 1))).reshape(N, G, -1)
    xh = xhat.reshape(N, G, -1)
    if bug == "no mean term":
        dx = (dxhat - xh * (dxhat * xh).mean(axis=2, keepdims=True)) * inv_std
    else:
        dx = (dxhat - dxhat.mean(axis=2, keepdims=True) - xh * (dxhat * xh).mean(axis=2, keepdims=True)) * inv_std
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dbeta = dout.sum(axis=(0, 2, 3))
    if bug == "dgamma over (0, 1)":
        dgamma = (dout * xhat).sum(axis=(0, 2, 3)) * 0 + (dout * xhat).sum(axis=(2, 3)).sum(axis=0)[::-1]
    return dx.reshape(N, C, H, W), dgamma.reshape(np.shape(gamma)), dbeta.reshape(beta_shape)


# ---------------------------------------------------------------------------------------------
# the small CNN


def convnet(params, X, y=None, reg=0.0, bug=None):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    pad = 0 if bug == "no conv padding" else (W1.shape[2] - 1) // 2
    out, c1 = L.conv_forward_im2col(X, W1, b1, {"stride": 1, "pad": pad})
    if bug != "no relu after conv":
        out, r1 = L.relu_forward(out)
    else:
        r1 = None
    out, p1 = L.max_pool_forward_im2col(out, {"pool_height": 2, "pool_width": 2, "stride": 2})
    out, a2 = L.affine_forward(out, W2, b2)
    out, r2 = L.relu_forward(out)
    scores, a3 = L.affine_forward(out, W3, b3)
    if y is None:
        return scores
    data_loss, dscores = L.softmax_loss(scores, y)
    grads = {}
    dout, grads["W3"], grads["b3"] = L.affine_backward(dscores, a3)
    if bug != "relu backward skipped":
        dout = L.relu_backward(dout, r2)
    dout, grads["W2"], grads["b2"] = L.affine_backward(dout, a2)
    dout = L.max_pool_backward_im2col(dout, p1)
    if r1 is not None:
        dout = L.relu_backward(dout, r1)
    _, grads["W1"], grads["b1"] = L.conv_backward_im2col(dout, c1)
    loss = data_loss + 0.5 * reg * sum(np.sum(params[k] ** 2) for k in ("W1", "W2", "W3"))
    for k in ("W1", "W2", "W3"):
        grads[k] = grads[k] + reg * params[k]
    if bug == "reg with 0.5 in the gradient":
        for k in ("W1", "W2", "W3"):
            grads[k] = grads[k] - 0.5 * reg * params[k]
    return loss, grads


def _b(fn, bug):
    return partial(fn, bug=bug)


CORPUS = [
    ("conv_output_size", "span without the - 1", size_wrong_dilation_span, None, False),
    ("conv_output_size", "round() instead of //", size_round, None, False),
    # right for O >= 1 only: lesson 1 asks for the formula's number where the filter does not fit, and the
    # check has such cases since 2026-12-04 (before, this row passed)
    ("conv_output_size", "int() of a true division", size_int_div, None, False),
    ("conv_forward_naive", "stride pair swapped", _b(conv_forward, "stride swapped"), None, False),
    ("conv_forward_naive", "only channel 0 summed", _b(conv_forward, "one channel"), None, False),
    ("conv_forward_naive", "bias indexed by n", _b(conv_forward, "bias of n"), None, False),
    ("conv_forward_naive", "mean of the window", _b(conv_forward, "mean not sum"), None, False),
    ("conv_forward_naive", "ReLU left in", _b(conv_forward, "relu applied"), None, False),
    ("conv_backward_naive", "dw without dout", _b(conv_backward, "dw without dout"), None, False),
    ("conv_backward_naive", "dw averaged over N", _b(conv_backward, "dw averaged"), None, False),
    ("conv_backward_naive", "dw from the unpadded x", _b(conv_backward, "dw uses x unpadded"), None, False),
    ("im2col", "each window transposed", _b(im2col, "window transposed"), None, False),
    ("im2col", "column i*H' + j", _b(im2col, "column i*Ho + j"), None, False),
    ("col2im", "ignores dilation", _b(col2im, "ignores dilation"), None, False),
    ("col2im", "ignores stride", _b(col2im, "ignores stride"), None, False),
    ("col2im", "averages overlaps", _b(col2im, "averages overlaps"), None, False),
    ("conv_forward_im2col", "w reshaped tap-major", _b(conv_forward_im2col, "w reshaped tap-major"), None, False),
    ("conv_forward_im2col", "reshape to (W', H')", _b(conv_forward_im2col, "reshape Wo, Ho"), None, False),
    (
        "conv_backward_im2col",
        "dw from the last sample",
        _b(conv_backward_im2col, "dw from the last sample"),
        conv_forward_im2col,
        False,
    ),
    ("max_pool_forward_naive", "window one short", _b(pool_forward, "window one short"), None, False),
    ("max_pool_forward_naive", "ReLU after pooling", _b(pool_forward, "keeps relu"), None, False),
    ("max_pool_backward_naive", "divmod by PH", _b(pool_backward, "unravel with PH"), pool_forward, False),
    ("max_pool_backward_naive", "p and q swapped", _b(pool_backward, "p and q swapped"), pool_forward, False),
    ("max_pool_backward_naive", "times the max", _b(pool_backward, "times the max"), pool_forward, False),
    ("spatial_batchnorm_forward", "std for var", _b(bn_forward, "std for var"), None, False),
    (
        "spatial_batchnorm_forward",
        "normalized with the running mean",
        _b(bn_forward, "mean updated after normalizing with it"),
        None,
        False,
    ),
    ("spatial_batchnorm_forward", "running_var not stored", _b(bn_forward, "stores only running_mean"), None, False),
    ("spatial_batchnorm_forward", "out = gamma * xhat - beta", _b(bn_forward, "beta minus"), None, False),
    ("spatial_batchnorm_forward", "gamma squared", _b(bn_forward, "gamma squared"), None, False),
    (
        "spatial_batchnorm_backward",
        "+ sign on the variance term",
        _b(bn_backward, "sign of the var term"),
        bn_forward,
        False,
    ),
    ("spatial_batchnorm_backward", "times std", _b(bn_backward, "dx times std"), bn_forward, False),
    ("spatial_batchnorm_backward", "sums where means are right", _b(bn_backward, "sums not means"), bn_forward, False),
    ("spatial_batchnorm_backward", "dbeta from xhat", _b(bn_backward, "dbeta from xhat"), bn_forward, False),
    (
        "spatial_groupnorm_forward",
        "E[x^2] as the variance",
        _b(gn_forward, "std from the centered mean of squares"),
        None,
        False,
    ),
    ("spatial_groupnorm_forward", "gamma of the group's first channel", _b(gn_forward, "gamma per group"), None, False),
    ("spatial_groupnorm_forward", "beta left out", _b(gn_forward, "no beta"), None, False),
    ("spatial_groupnorm_backward", "no mean term", _b(gn_backward, "no mean term"), gn_forward, False),
    ("spatial_groupnorm_backward", "dgamma reversed", _b(gn_backward, "dgamma over (0, 1)"), gn_forward, False),
    ("three_layer_convnet_loss", "no conv padding", _b(convnet, "no conv padding"), None, False),
    ("three_layer_convnet_loss", "no ReLU after conv", _b(convnet, "no relu after conv"), None, False),
    ("three_layer_convnet_loss", "ReLU backward skipped", _b(convnet, "relu backward skipped"), None, False),
    ("three_layer_convnet_loss", "0.5 * reg in the gradient", _b(convnet, "reg with 0.5 in the gradient"), None, False),
]


KINDS = ("named", "named by the failing cases", "generic", "no known pattern", "wrong")


def classify(result, should_pass: bool) -> str:
    """The kind of verdict: wrong (PASS where FAIL is right or the reverse), named (the text names
    a mistake: a ``Named`` problem or diagnosis; a right PASS counts here), named by the failing
    cases, generic, or "no known pattern"."""
    if result.passed != should_pass:
        return "wrong"
    if result.passed or result.named_mistake() is not None:
        return "named"
    text = str(result)
    if "no known pattern" in text:
        return "no known pattern"
    if "looks like: only the cases with" in text:
        return "named by the failing cases"
    return "generic"


def measure(rows=CORPUS):
    """{category: [labels]} over the rows, and the text of each verdict."""
    from cnnlab import exercises

    found, texts = {}, {}
    for name, label, fn, forward, should_pass in rows:
        result = exercises.check(name, fn, forward=forward)
        text = str(result)
        kind = classify(result, should_pass)
        found.setdefault(kind, []).append(f"{name}: {label}")
        texts[f"{name}: {label}"] = text
    return found, texts


# this file's CORPUS, then mistake_corpus_<name>.py
CORPORA = (
    "first",
    "fresh",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
)


def corpus(name: str) -> list:
    """The rows of corpus ``name`` (one of CORPORA)."""
    if name == "first":
        return CORPUS
    import importlib

    return importlib.import_module(f"mistake_corpus_{name}").CORPUS


if __name__ == "__main__":
    # python tests/mistake_corpus.py [first|fresh|third|fourth] [-v]
    import sys

    name = next((a for a in sys.argv[1:] if a in CORPORA), "first")
    rows = corpus(name)
    found, texts = measure(rows)
    for kind in KINDS:
        print(f"{kind}: {len(found.get(kind, []))}")
    for kind in KINDS[1:]:
        for label in found.get(kind, []):
            print(f"\n[{kind}] {label}")
            if "-v" in sys.argv:
                print(texts[label])
    wrong_rows = [f"{r[0]}: {r[1]}" for r in rows if not r[4]]
    named = sum(label in found.get("named", []) for label in wrong_rows)
    print(
        f"\n{name}: {len(rows)} rows; {named} of the {len(wrong_rows)} wrong ones named ({named / len(wrong_rows):.1%})"
    )
