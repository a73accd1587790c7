"""Sliding windows, shared by the mistakes of the convolution, im2col and pooling exercises.

Where the windows of a geometry sit (which reach into the padding, how many read each
pixel), the geometry as (h, w) pairs, and what those exercises tell a student whose code
cannot take a stride given as a pair. Then the window mistakes the convolution and im2col
exercises share: an (h, w) pair misread, x padded wrong, a padded array cut back wrong, a
strided view walking the padded buffer with x's strides, fancy-index += over repeated pixels.
"""

from __future__ import annotations

import numpy as np

from cnnlab import geometry, shapes
from cnnlab import im2col as im2col_module
from cnnlab.exercises.exercise import CrashAdvice, mistake
from cnnlab.exercises.layouts import _fingerprint

__all__ = [
    "as_pairs",
    "output_hw",
    "first",
    "crop",
    "windows_touching_padding",
    "coverage",
    "PAIR_ADVICE",
    "PAIR",
    "PAIRS",
    "conv_geometry",
    "pair_mistakes",
    "paddings",
    "padding_mistakes",
    "pad_sides",
    "cuts",
    "strided_like_x",
    "FANCY_ORDERS",
    "fancy_fold",
]

PAIR_ADVICE = (
    "this case gives the stride or the padding as an (h, w) pair, e.g. stride=(1, 2); cnnlab.shapes.check_pair "
    "(or check_conv_inputs, check_pool_inputs) turns an int or a pair into a pair"
)
# a TypeError about a tuple, in a case that gives a pair: the code expected an int
PAIR = CrashAdvice(kind=TypeError, text="tuple", tag="pair", advice=PAIR_ADVICE)
# NumPy could not make an array of a pair where an int belongs (np.pad(x, ((0, 0), (0, 0), (pad, pad), ...)))
PAIR_ARRAY = CrashAdvice(kind=ValueError, text="sequence", tag="pair", advice=PAIR_ADVICE)
PAIRS = (PAIR, PAIR_ARRAY)


def as_pairs(stride, pad, dilation):
    """stride, pad and dilation as (h, w) pairs."""
    return (
        shapes.check_pair("stride", stride, 1),
        shapes.check_pair("pad", pad, 0),
        shapes.check_pair("dilation", dilation, 1),
    )


def output_hw(hw, kernel, stride, pad, dilation):
    """(H', W') of windows of size ``kernel`` over ``hw``, the geometry given as pairs."""
    return tuple(geometry.output_size(n, k, s, p, d) for n, k, s, p, d in zip(hw, kernel, stride, pad, dilation))


def first(out, Ho, Wo):
    """The first (Ho, Wo) outputs, or None if there are fewer."""
    return out[:, :, :Ho, :Wo] if out.shape[2] >= Ho and out.shape[3] >= Wo else None


def crop(xpad, pad, H, W):
    """(N, C, H, W): xpad without its padding."""
    ph, pw = pad
    return xpad[:, :, ph : ph + H, pw : pw + W]


def windows_touching_padding(hw, kernel, stride, pad, dilation) -> np.ndarray:
    """(H', W') bool: True where the window of output (i, j) includes padded positions."""
    touch = []
    for n, k, s, p, d in zip(hw, kernel, stride, pad, dilation):
        start = np.arange(geometry.output_size(n, k, s, p, d)) * s
        last = start + geometry.span(k, d) - 1
        touch.append((start < p) | (last >= p + n))
    return touch[0][:, None] | touch[1][None, :]


def coverage(x_shape, kernel, stride, pad, dilation, chosen=None) -> np.ndarray:
    """(N, C, H, W): how many windows (or how many of the ``chosen`` (H', W') windows) read each pixel."""
    N, C, H, W = x_shape
    HH, WW = kernel
    Ho, Wo = output_hw((H, W), kernel, stride, pad, dilation)
    weights = np.ones((Ho, Wo)) if chosen is None else chosen.astype(float)
    cols = np.broadcast_to(weights.reshape(1, 1, Ho * Wo), (N, C * HH * WW, Ho * Wo))
    return im2col_module.fold(np.ascontiguousarray(cols), x_shape, kernel, stride, pad, dilation)


# ---------------------------------------------------------------------------------------------
# Window mistakes shared by the convolution and im2col exercises


def conv_geometry(conv_param):
    """A conv_param's stride, pad and dilation as (h, w) pairs, the defaults filled in."""
    p = {**shapes.CONV_PARAM_DEFAULTS, **conv_param}
    return as_pairs(p["stride"], p["pad"], p["dilation"])


_DEFAULTS = {"stride": 1, "pad": 0, "dilation": 1}


def pair_mistakes(geometry_: dict):
    """(param, key of conv_words.CONV, wrong pair) for each (h, w) pair with two different values: the rows' value for
    both, the columns' for both, the two swapped; and for each pair, one axis left at the default (the stride,
    pad or dilation applied to the other axis only), where that is another pair."""
    for param, (h, w) in geometry_.items():
        seen = {(h, w)}
        if h != w:
            yield param, "pair first", (h, h)
            yield param, "pair second", (w, w)
            yield param, "pair swapped", (w, h)
            seen |= {(h, h), (w, w), (w, h)}
        default = _DEFAULTS[param]
        for key, value in (("rows default", (default, w)), ("columns default", (h, default))):
            if value not in seen:
                seen.add(value)
                yield param, key, value


def paddings(stride, pad, dilation):
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


def padding_mistakes(output, template, paddings, compute) -> list:
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
        found.append((output, template.format(what=text), value))
    return found


def pad_sides(x, sides):
    top, bottom, left, right = sides
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))


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
