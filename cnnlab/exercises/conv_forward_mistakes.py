"""Mistakes in a convolution's forward pass, recomputed: cnnlab's reference layer with one thing changed
(no bias, a flipped kernel, the stride or the padding wrong, a reshape or an axis order, an index of the
loop nest slipped, ...). A student's output that matches one of them (and not the right answer) has
made it.
"""

from __future__ import annotations

import numpy as np

from cnnlab import geometry
from cnnlab import im2col as im2col_module
from cnnlab import layers as L
from cnnlab.exercises.conv_words import CONV
from cnnlab.exercises.exercise import mistake
from cnnlab.exercises.layouts import layouts, order_text, shape_text
from cnnlab.exercises.windows import (
    conv_geometry,
    first,
    pad_sides,
    padding_mistakes,
    paddings,
    pair_mistakes,
    strided_like_x,
)


def conv_out(x, w, b, conv_param, **changed):
    """out of the reference convolution, with conv_param's entries ``changed``."""
    return L.conv_forward_im2col(x, w, b, {**conv_param, **changed})[0]


def conv_grads(x, w, b, conv_param, dout):
    """(dx, dw, db) of the reference convolution."""
    _, cache = L.conv_forward_im2col(x, w, b, conv_param)
    return L.conv_backward_im2col(dout, cache)


def conv_forward(args, dout=None, im2col=False):
    """Mistakes in a convolution's forward pass: out (N, F, H', W'); ``im2col``: the im2col version's too."""
    x, w, b, conv_param = args
    stride, pad, dilation = conv_geometry(conv_param)
    found = [
        mistake("out", CONV["no bias"], lambda: conv_out(x, w, 0 * b, conv_param)),
        mistake("out", CONV["bias twice"], lambda: conv_out(x, w, 2 * b, conv_param)),
        mistake("out", CONV["flipped"], lambda: conv_out(x, w[:, :, ::-1, ::-1].copy(), b, conv_param)),
    ]
    Ho, Wo = conv_out(x[:1], w[:1], b[:1], conv_param).shape[2:]
    if dilation != (1, 1):
        found.append(mistake("out", CONV["no dilation"], lambda: conv_out(x, w, b, conv_param, dilation=1)))
        # the right output size (e.g. from cnnlab.shapes) but undilated windows: the first (Ho, Wo) of them
        found.append(
            mistake("out", CONV["no dilation"], lambda: first(conv_out(x, w, b, conv_param, dilation=1), Ho, Wo))
        )
    if stride[0] != stride[1]:
        same = (stride[0], stride[0])
        found.append(
            mistake("out", CONV["stride h for w"], lambda: first(conv_out(x, w, b, conv_param, stride=same), Ho, Wo))
        )
        found.append(mistake("out", CONV["stride h for w"], lambda: conv_out(x, w, b, conv_param, stride=same)))
    if stride != (1, 1):
        found.append(mistake("out", CONV["no stride"], lambda: conv_out(x, w, b, conv_param, stride=1)))
        found.append(mistake("out", CONV["unstrided"], lambda: first(conv_out(x, w, b, conv_param, stride=1), Ho, Wo)))
    N, C = x.shape[:2]
    F = w.shape[0]
    bare = conv_out(x, w, 0 * b, conv_param)  # (N, F, Ho, Wo) without the bias
    bias = b[None, :, None, None]
    found += forward_slips(x, w, b, stride, pad, dilation, Ho, Wo)
    found += bias_counts(bare, bias, C, *w.shape[2:])
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
        mistake("out", CONV["flipped rows"], lambda: conv_out(x, w[:, :, ::-1].copy(), b, conv_param)),
        mistake("out", CONV["flipped columns"], lambda: conv_out(x, w[:, :, :, ::-1].copy(), b, conv_param)),
    ]
    if C > 1:
        found.append(mistake("out", CONV["one channel"], lambda: conv_out(x[:, :1], w[:, :1], b, conv_param)))
        found.append(mistake("out", CONV["bias per channel"], lambda: bare + C * bias))
        found.append(mistake("out", CONV["last channel"], lambda: conv_out(x[:, -1:], w[:, -1:], b, conv_param)))
        found.append(
            mistake(
                "out",
                CONV["loop one short"].format(what="the channels", loop="range(C - 1)", one="channel", size="C"),
                lambda: conv_out(x[:, :-1], w[:, :-1], b, conv_param),
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
    last_tap = np.zeros_like(w)
    last_tap[:, :, -1, -1] = w[:, :, -1, -1]
    if w[0, 0].size > 1:  # out = ... in a loop over the taps: the last tap's term only (with the bias, or without)
        found.append(mistake("out", CONV["last tap"], lambda: conv_out(x, last_tap, b, conv_param)))
        found.append(mistake("out", CONV["last tap"], lambda: conv_out(x, last_tap, 0 * b, conv_param)))
    for axis, what, loop, one, size in (
        (2, "the tap rows", "range(HH - 1)", "tap row", "HH"),
        (3, "the tap columns", "range(WW - 1)", "tap column", "WW"),
    ):
        if w.shape[axis] > 1:
            short = w.copy()
            short[(slice(None),) * axis + (-1,)] = 0
            sentence = CONV["loop one short"].format(what=what, loop=loop, one=one, size=size)
            found.append(mistake("out", sentence, lambda v=short: conv_out(x, v, b, conv_param)))
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
        found.append(mistake("out", CONV["w_row order"], lambda v=shuffled: conv_out(x, v, b, conv_param)))
    found.append(
        mistake("out", CONV["w_row order"], lambda: conv_out(x, w.reshape(-1, F).T.reshape(w.shape), b, conv_param))
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
        found.append(mistake("out", CONV["stride dilation swapped"], lambda: conv_out(x, w, b, conv_param, **swapped)))
        found.append(
            mistake("out", CONV["stride dilation swapped"], lambda: _conv_at(x, w, b, Ho, Wo, dilation, pad, stride))
        )
    geometry_ = {"stride": stride, "pad": pad, "dilation": dilation}
    for param, key, value in pair_mistakes(geometry_):
        if (param, key) == ("stride", "pair first"):
            continue  # CONV["stride h for w"] above
        changed = {**geometry_, param: value}
        sentence = CONV[key].format(param=param)
        found.append(mistake("out", sentence, lambda c=changed: conv_out(x, w, b, conv_param, **c)))
        found.append(
            mistake("out", sentence, lambda c=changed: _conv_at(x, w, b, Ho, Wo, c["stride"], c["pad"], c["dilation"]))
        )
    found += padding_mistakes(
        "out",
        CONV["padded by"],
        paddings(stride, pad, dilation),
        lambda s: _conv_from(pad_sides(x, s), w, b, Ho, Wo, stride, dilation),
    )
    if pad != (0, 0):
        found.append(mistake("out", CONV["no pad"], lambda: conv_out(x, w, b, conv_param, pad=0)))
        dout = np.zeros((N, F, Ho, Wo))
        found.append(
            mistake("out", CONV["negative wraps"], lambda: wrapped_taps(x, w, dout, stride, pad, dilation)[0] + bias)
        )
        edge = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])), mode="edge")
        found.append(mistake("out", CONV["edge pad"], lambda: conv_out(edge, w, b, conv_param, pad=0)))
        end = np.pad(x, ((0, 0), (0, 0), (0, 2 * pad[0]), (0, 2 * pad[1])))
        found.append(mistake("out", CONV["pad at the end"], lambda: conv_out(end, w, b, conv_param, pad=0)))
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


def layout_sentence(key: str, how: str, order, axes) -> str:
    letters, names = axes
    return CONV[f"{key} {how}"].format(got=order_text(order, letters), shape=shape_text(order, names))


def _forward_layouts(x, w, b, conv_param, bare, im2col: bool) -> list:
    """out, w (and in the im2col version cols) with their axes in another order (``layouts``), and the
    2-D product whose reshapes do not move the sample axis."""
    stride, pad, dilation = conv_geometry(conv_param)
    N, F, Ho, Wo = bare.shape
    _, C, HH, WW = w.shape
    bias = b[None, :, None, None]
    out = bare + bias
    found = []
    for whole, after in ((out, 0), (bare, bias)):  # the bias added before the reshape, or after it
        compute = lambda i, v=whole, a=after: v.ravel()[i].reshape(out.shape) + a  # noqa: E731
        for how, order, value in layouts(out.shape, OUT[0], compute, prefer=_OUT_NAMED):
            key = _OUT_NAMED.get((how, tuple(OUT[0][a] for a in order)))
            found.append(("out", CONV[key] if key else layout_sentence("out", how, order, OUT), value))
    cols = im2col_module.im2col(x, HH, WW, stride, pad, dilation)  # (N, R, P)
    R = cols.shape[1]
    compute = lambda i: (w.ravel()[i].reshape(F, R) @ cols).reshape(out.shape) + bias  # noqa: E731
    for how, order, value in layouts(w.shape, W_AXES[0], compute, skip=_W_NAMED, first="read"):
        found.append(("out", layout_sentence("w", how, order, W_AXES), value))
    if not im2col:
        return found
    w_row = w.reshape(F, R)

    compute = lambda i: (w_row @ cols.ravel()[i].reshape(cols.shape)).reshape(out.shape) + bias  # noqa: E731
    # cols with only its positions moved gives out with its positions moved: out's layouts above name it
    positions = {(how, ("n", "c", "p", "q", "j", "i")) for how in ("written", "read")}
    for how, order, value in layouts((N, C, HH, WW, Ho, Wo), COLS[0], compute, fixed=1, skip=positions):
        found.append(("out", layout_sentence("cols", how, order, COLS), value))
    flat2d = cols.reshape(R, N * Ho * Wo)  # the sample axis not moved
    product = w_row @ flat2d  # (F, N*H'*W')
    by_sample = w_row @ cols.transpose(1, 0, 2).reshape(R, -1)  # (F, N*H'*W'), the samples outermost
    return found + [
        mistake("out", CONV["2-D product"], lambda: product.reshape(out.shape) + bias),
        mistake("out", CONV["2-D product"], lambda: (product + b[:, None]).reshape(out.shape)),
        mistake("out", CONV["2-D product"], lambda: product.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3) + bias),
        mistake("out", CONV["2-D product"], lambda: product.reshape(F, Ho, Wo, N).transpose(3, 0, 1, 2) + bias),
        mistake("out", CONV["2-D product"], lambda: by_sample.reshape(F, Ho, Wo, N).transpose(3, 0, 1, 2) + bias),
    ]


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


def _product(w, b, cols, Ho, Wo):
    """out = w_row @ cols + b, reshaped; None without cols."""
    if cols is None:
        return None
    F = w.shape[0]
    return (w.reshape(F, -1) @ cols + b[:, None]).reshape(cols.shape[0], F, Ho, Wo)


# ---------------------------------------------------------------------------------------------
# Index slips of the loop nest, generated: one index of the sum replaced by 0 or by another loop variable


# the loop nest of the naive forward: out[n, f, i, j] = sum over c, p, q of X * W + b[f]
_X_SLOTS = ("n", "c", "i", "p", "j", "q")  # xpad[n, c, i*sh + p*dh, j*sw + q*dw]
_W_SLOTS = ("f", "c", "p", "q")  # w[f, c, p, q]
_NEST = ("n", "f", "i", "j", "c", "p", "q")
_SWAPS = {"n": "f", "f": "n", "i": "j", "j": "i", "p": "q", "q": "p"}
LOOP_NAMES = {
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


def slips(slots):
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


def forward_slips(x, w, b, stride, pad, dilation, Ho, Wo) -> list:
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
    for k, new in slips(_X_SLOTS):
        slots = _X_SLOTS[:k] + (new,) + _X_SLOTS[k + 1 :]
        wrong = f"{_x_text(slots)} * w[f, c, p, q]"
        what = f"{LOOP_NAMES[_X_SLOTS[k]]} is {'0' if new == '0' else new} in the window's index"
        sentence = CONV["forward slip"].format(wrong=wrong, right=right_text, what=what)
        found.append(mistake("out", sentence, lambda s=slots: out_of(_read_x(xpad, s, A, stride, dilation), right_w)))
    for k, new in slips(_W_SLOTS):
        if (k, new) == (0, "0"):
            continue  # w[0]: CONV["filter 0"]
        slots = _W_SLOTS[:k] + (new,) + _W_SLOTS[k + 1 :]
        wrong = f"{_x_text(_X_SLOTS)} * w[{', '.join(slots)}]"
        what = f"{LOOP_NAMES[_W_SLOTS[k]]} is {'0' if new == '0' else new} in w's index"
        sentence = CONV["forward slip"].format(wrong=wrong, right=right_text, what=what)
        found.append(mistake("out", sentence, lambda s=slots: out_of(right_x, _read_w(w, s, A))))
    if x.shape[0] > 1:
        found.append(
            mistake("out", CONV["every sample summed"], lambda: out_of(right_x.sum(axis=0, keepdims=True), right_w))
        )
    return found


def loop_counts(C, HH, WW) -> list:
    """(how many times, the loops a term sits in) for a term added inside the loops over c, p and q."""
    found = [
        (HH * WW, "HH*WW times, once per filter tap (p, q), inside the loops over p and q"),
        (HH, "HH times, once per tap row p, inside the loop over p"),
        (WW, "WW times, once per tap column q, inside the loop over q"),
        (C * HH * WW, "C*HH*WW times, once per channel and tap (c, p, q), inside the loops over c, p and q"),
        (C * HH, "C*HH times, once per channel and tap row (c, p), inside the loops over c and p"),
    ]
    return [(k, where) for k, where in found if k > 1]


def bias_counts(bare, bias, C, HH, WW) -> list:
    """out with the bias added k times: inside a loop over the taps or the channels."""
    return [
        mistake("out", CONV["bias counted"].format(where=where + also), lambda k=k + extra: bare + k * bias)
        for k, where in loop_counts(C, HH, WW)
        for extra, also in ((0, ""), (1, ", and once more outside them"))
    ]


def wrapped_taps(x, w, dout, stride, pad, dilation):
    """(out, dx, dw) of loops that read tap (p, q) of window (i, j) from x itself at row i*sh - ph + p*dh and
    column j*sw - pw + q*dw, skipping those past H or W but not the negative ones (which wrap to the end)."""
    (sh, sw), (ph, pw), (dh, dwl) = stride, pad, dilation
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2:]
    out, dx, dw = np.zeros((N, F, Ho, Wo)), np.zeros(x.shape), np.zeros(w.shape)
    for i in range(Ho):
        for j in range(Wo):
            for p in range(HH):
                for q in range(WW):
                    r, s = i * sh - ph + p * dh, j * sw - pw + q * dwl
                    if r >= H or s >= W:
                        continue
                    out[:, :, i, j] += x[:, :, r, s] @ w[:, :, p, q].T
                    dx[:, :, r, s] += dout[:, :, i, j] @ w[:, :, p, q]
                    dw[:, :, p, q] += dout[:, :, i, j].T @ x[:, :, r, s]
    return out, dx, dw
