"""Mistakes in a convolution's backward pass, recomputed: dx, dw and db with one thing changed (a sum over
the wrong axes, = for +=, the padding cut wrong, the stride forgotten, an axis order, an index of the
loops slipped, ...).
"""

from __future__ import annotations

import itertools

import numpy as np

from cnnlab import geometry
from cnnlab import im2col as im2col_module
from cnnlab import layers as L
from cnnlab.exercises.conv_forward_mistakes import (
    COLS,
    LOOP_NAMES,
    OUT,
    W_AXES,
    conv_grads,
    layout_sentence,
    loop_counts,
    slips,
    wrapped_taps,
)
from cnnlab.exercises.conv_words import CONV
from cnnlab.exercises.exercise import mistake
from cnnlab.exercises.layouts import folder, layouts
from cnnlab.exercises.windows import (
    FANCY_ORDERS,
    conv_geometry,
    crop,
    crop_or_none,
    cuts,
    fancy_fold,
    pad_sides,
    padding_mistakes,
    paddings,
    pair_mistakes,
    strided_like_x,
)


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
            sdx, sdw, _ = conv_grads(x, w, b, conv_param, short)
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
                sdx = conv_grads(x, sw_, b, conv_param, dout)[0]
            found.append(("dx", sentence, sdx))
    return found


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
    stride, pad, dilation = conv_geometry(conv_param)
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
        mistake("db", CONV["db over n and f"], lambda: dout.sum(axis=(0, 1))),
        mistake("db", CONV["db over n and f"], lambda: dout.sum(axis=(0, 1)).ravel()),
        mistake("dw", CONV["dw flipped"], lambda: conv_grads(x, w, b, conv_param, dout)[1][:, :, ::-1, ::-1]),
        mistake("dx", CONV["dx flipped"], lambda: conv_grads(x, flipped, b, conv_param, dout)[0]),
    ]
    for order in ("fij", "ijf", "ij"):
        found.append(mistake("dx", CONV["dx assigned"], lambda o=order: _assigned_dx(dout, w, x.shape, conv_param, o)))
    dx, dw, db = conv_grads(x, w, b, conv_param, dout)
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
        mistake("dw", CONV["dw assigned"], lambda: _last_inside_dw(x, w, dout, stride, pad, dilation)),
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
    for param, key, value in pair_mistakes({"stride": stride, "dilation": dilation}):
        st, di = (value, dilation) if param == "stride" else (stride, value)
        sentence = CONV[key].format(param=param)
        found.append(
            mistake("dx", sentence, lambda st=st, di=di: crop(_scatter(dout, w, x.shape, st, pad, di), pad, H, W))
        )
        found.append(mistake("dw", sentence, lambda st=st, di=di: _gather(dout, xpad, w.shape, st, di)))
    for what, one, keep in (
        ("output positions (i, j)", "position", (slice(None), slice(None), slice(-1, None), slice(-1, None))),
        ("output rows i", "row", (slice(None), slice(None), slice(-1, None))),
        ("filters f", "filter", (slice(None), slice(-1, None))),
    ):  # dw (or dxpad) = zeros inside a loop: the last iteration's terms only
        last = np.zeros_like(dout)
        last[keep] = dout[keep]
        grads = mistake("", "", lambda v=last: conv_grads(x, w, b, conv_param, v))[2]
        if grads is not None:
            for k, name in ((0, "dx"), (1, "dw")):
                found.append((name, CONV["zeroed in loop"].format(name=name, what=what, one=one), grads[k]))
    if N > 1:
        found.append(mistake("dw", CONV["dw sample 0"], lambda: conv_grads(x[:1], w, b, conv_param, dout[:1])[1]))
        found.append(mistake("dw", CONV["dw last sample"], lambda: conv_grads(x[-1:], w, b, conv_param, dout[-1:])[1]))
    dxpad = _scatter(dout, w, x.shape, stride, pad, dilation)
    for rows, cols, cut in cuts(dxpad.shape, pad, H, W):
        found.append(mistake("dx", CONV["dx cut"].format(rows=rows, cols=cols), lambda c=cut: dxpad[c]))
    found += padding_mistakes(
        "dw",
        CONV["dw padded by"],
        paddings(stride, pad, dilation),
        lambda s: _gather(dout, pad_sides(x, s), w.shape, stride, dilation),
    )
    found += _index_slips(x, w, b, conv_param, dout, dx, dw)
    found += backward_slips(x, w, b, conv_param, dout, dx, dw, db)
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
    if pad != (0, 0):  # taps read from x itself at i*stride - pad + p*dilation, checked against H and W only
        wrapped = mistake("", "", lambda: wrapped_taps(x, w, dout, stride, pad, dilation))[2]
        if wrapped is not None:
            found += [("dx", CONV["negative wraps"], wrapped[1]), ("dw", CONV["negative wraps"], wrapped[2])]
    if stride != (1, 1) or dilation != (1, 1):  # lesson 2's convolutions, which hold for stride 1 only
        found.append(mistake("dx", CONV["as convolutions"], lambda: _full_correlation_dx(x, w, pad, dout)))
        found.append(mistake("dw", CONV["as convolutions"], lambda: _valid_correlation_dw(xpad, dout)))
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


def _index_slips(x, w, b, conv_param, dout, dx, dw) -> list:
    """A loop index left out or fixed: dw without [f], dx without [n], dx through w[0] for every filter."""
    N, F = x.shape[0], w.shape[0]
    found = []
    if F > 1:
        found.append(mistake("dw", CONV["dw summed over filters"], lambda: np.broadcast_to(dw.sum(0), dw.shape)))
        w0 = np.repeat(w[:1], F, axis=0)
        found.append(mistake("dx", CONV["dx filter 0"], lambda: conv_grads(x, w0, b, conv_param, dout)[0]))
    if N > 1:
        found.append(mistake("dx", CONV["dx summed over samples"], lambda: np.broadcast_to(dx.sum(0), dx.shape)))
    return found


def _backward_layouts(x, w, b, conv_param, dout) -> list:
    """The im2col version's arrays with their axes in another order (``layouts``): dout_rows (every
    gradient follows it), dw_row reshaped to dw, dcols given to col2im; and dw as a product of sums."""
    stride, pad, dilation = conv_geometry(conv_param)
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
            found.append((name, layout_sentence("dout", how, order, OUT), value))
    rows = dout.reshape(N, F, Ho * Wo)
    dw = grads(rows)[1]
    for how, order, value in layouts(w.shape, W_AXES[0], lambda i: dw.ravel()[i].reshape(dw.shape), first="read"):
        found.append(("dw", layout_sentence("dw", how, order, W_AXES), value))
    dcols = np.einsum("fk,nfp->nkp", w_row, rows)  # (N, C*HH*WW, H'*W')
    for how, order, value in layouts((N, C, HH, WW, Ho, Wo), COLS[0], lambda i: fold(dcols.ravel()[i]), fixed=1):
        found.append(("dx", layout_sentence("dcols", how, order, COLS), value))
    found.append(mistake("dx", CONV["w_row.T reshaped"], lambda: fold(w.reshape(-1, F) @ rows)))
    if N > 1:
        found.append(mistake("dw", CONV["dw product of sums"], lambda: (rows.sum(0) @ cols.sum(0).T).reshape(w.shape)))
        # the 2-D products over every sample at once, (K, N*H'*W'), reshaped without moving the sample axis
        rows2d = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*H'*W')
        dcols2d = w_row.T @ rows2d  # (K, N*H'*W')
        found.append(mistake("dx", CONV["2-D dcols"], lambda: fold(dcols2d.reshape(cols.shape))))
        found.append(
            mistake("dw", CONV["2-D cols"], lambda: (rows2d @ cols.reshape(cols.shape[1], -1).T).reshape(w.shape))
        )
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
    (sh, sw), pad, (dh, dw) = conv_geometry(conv_param)
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


def backward_slips(x, w, b, conv_param, dout, dx, dw, db) -> list:
    """The gradients with one index of the loops slipped: dout[n, f, i, j] read at 0 or at its partner loop
    variable (every gradient follows it), dxpad[0] or dw[0] += (everything into sample 0 / filter 0), dw from
    sample 0's windows, db without [f]; and a term added once per channel or tap (k times)."""
    N, F, Ho, Wo = dout.shape
    C, HH, WW = w.shape[1:]
    found = []
    sizes = {"n": N, "f": F, "i": Ho, "j": Wo}
    slots = ("n", "f", "i", "j")
    for k, new in slips(slots):
        if new == "n" or new == "f":
            continue  # dout[f, ...] / dout[n, n, ...]: not a slip students make
        grid = np.meshgrid(*(np.arange(sizes[s]) for s in slots), indexing="ij")
        letters = dict(zip(slots, grid))
        idx = tuple(np.zeros_like(grid[0]) if s == "0" else letters[s] for s in slots[:k] + (new,) + slots[k + 1 :])
        if any(int(a.max()) >= dout.shape[m] for m, a in enumerate(idx)):
            continue
        wrong = f"dout[{', '.join(slots[:k] + (new,) + slots[k + 1 :])}]"
        what = f"{LOOP_NAMES[slots[k]]} is {new}"
        sentence = CONV["backward slip"].format(wrong=wrong, what=what)
        grads = mistake("", "", lambda i=idx: conv_grads(x, w, b, conv_param, dout[i]))[2]
        if grads is not None:
            found += [(name, sentence, g) for name, g in zip(("dx", "dw", "db"), grads)]
    if N > 1:
        into = np.zeros_like(dx)
        into[0] = dx.sum(axis=0)
        found.append(("dx", CONV["dx into sample 0"], into))
        x0 = np.broadcast_to(x[:1], x.shape)
        found.append(mistake("dw", CONV["dw sample 0 windows"], lambda: conv_grads(x0, w, b, conv_param, dout)[1]))
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
        found.append(mistake("dx", CONV["dx channel 0 of w"], lambda: conv_grads(x, w0, b, conv_param, dout)[0]))
    if 1 < N <= F:  # w[n]: the sample's index where the filter's belongs (with N > F, the code crashes)
        found.append(mistake("dx", CONV["dx w of n"], lambda: _per_sample_filter_dx(x, w, b, conv_param, dout)))
    if 1 < F <= N:  # xpad[f]: the filter's index where the sample's belongs
        found.append(mistake("dw", CONV["dw x of f"], lambda: _per_filter_sample_dw(x, w, b, conv_param, dout)))
    for k, where in [(C, "C times, once per channel c, inside the loop over c"), *loop_counts(C, HH, WW)]:
        if k > 1:
            for name, value in (("dx", dx), ("dw", dw), ("db", db)):
                found.append((name, CONV["gradient counted"].format(name=name, where=where), k * value))
    return found


def _per_sample_filter_dx(x, w, b, conv_param, dout):
    """dx of loops that read w[n] for w[f]: dxpad[n] += w[n] * dout[n, f, i, j], for every f."""
    summed = dout.sum(axis=1, keepdims=True)  # (N, 1, H', W'): every filter's gradient through the one w[n]
    return np.concatenate(
        [conv_grads(x[n : n + 1], w[n : n + 1], b[:1], conv_param, summed[n : n + 1])[0] for n in range(x.shape[0])]
    )


def _per_filter_sample_dw(x, w, b, conv_param, dout):
    """dw of loops that read xpad[f] for xpad[n]: dw[f] += xpad[f, :, rows, cols] * dout[n, f, i, j], for every n."""
    summed = dout.sum(axis=0, keepdims=True)  # (1, F, H', W')
    return np.concatenate(
        [
            conv_grads(x[f : f + 1], w[f : f + 1], b[f : f + 1], conv_param, summed[:, f : f + 1])[1]
            for f in range(w.shape[0])
        ]
    )


def _full_correlation_dx(x, w, pad, dout):
    """dx as lesson 2's full correlation of dout with the flipped filters (stride 1, no dilation), cut by
    the padding: its own size where a stride or dilation makes it another."""
    F, C, HH, WW = w.shape
    flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))  # (C, F, HH, WW)
    full = L.conv_forward_im2col(dout, flipped, np.zeros(C), {"pad": (HH - 1, WW - 1)})[0]
    (ph, pw), (H, W) = pad, x.shape[2:]
    return full[:, :, ph : ph + H, pw : pw + W]


def _valid_correlation_dw(xpad, dout):
    """dw as lesson 2's correlation of xpad with dout (stride 1, no dilation): its own size."""
    if dout.shape[2] > xpad.shape[2] or dout.shape[3] > xpad.shape[3]:
        return None
    F = dout.shape[1]
    out = L.conv_forward_im2col(xpad.transpose(1, 0, 2, 3), dout.transpose(1, 0, 2, 3), np.zeros(F), {})[0]
    return out.transpose(1, 0, 2, 3)


def _last_inside_dw(x, w, dout, stride, pad, dilation):
    """dw of loops that assign (=) each element dw[f, c, p, q], skipping the taps in the padding: each holds the
    term of the last window, in loop order (n, then i, j), whose tap reads x itself."""
    (sh, sw), (dh, dwl) = stride, dilation
    xpad = im2col_module.pad_input(x, pad)
    inside = im2col_module.pad_input(np.ones((1, 1, *x.shape[2:])), pad)[0, 0] > 0
    F, C, HH, WW = w.shape
    grad = np.zeros(w.shape)
    for n in range(x.shape[0]):
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                rows, cols = i * sh + np.arange(HH) * dh, j * sw + np.arange(WW) * dwl
                term = dout[n, :, i, j, None, None, None] * xpad[n][:, rows][:, :, cols][None]  # (F, C, HH, WW)
                grad = np.where(inside[np.ix_(rows, cols)], term, grad)
    return grad
