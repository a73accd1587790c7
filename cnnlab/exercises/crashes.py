"""Reading a crash in the lesson's terms: what NumPy's message says about the mistake.

A student's function that raises gets its exception in the verdict, with the line. NumPy's
messages name shapes and axes, not windows and channels; ``explain`` reads the common ones
against the case's arguments and says which mistake makes them, e.g. "operands could not be
broadcast together with shapes (3,) (2,3,4,5)" is a per-channel array lined up with the last
axis W. It speaks only when the message and the case's shapes show the pattern.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from cnnlab.exercises import running
from cnnlab.exercises.diagnose import Named

__all__ = ["NAMES", "explain", "message_shapes"]

NAMES = {
    "per channel": (
        "a per-{what} array of shape {shown} met a 4-D {shape} array: NumPy lines up the last axes, so its {k} "
        "values were matched with the width W, not with axis 1; reshape it to (1, {k}, 1, 1), e.g. "
        "a.reshape(1, -1, 1, 1) or a[None, :, None, None]"
    ),
    "combined": (
        "an array of shape {shape} was made by combining a ({k},) array with a (1, {k}, 1, 1) one (NumPy lines up "
        "the last axes, so (1, {k}, 1, 1) * ({k},) is (1, {k}, 1, {k})): reshape the ({k},) array to (1, {k}, 1, 1) "
        "before you combine them"
    ),
    "per group": (
        "a per-group array of shape {small} met a per-channel {big} array: the {g} groups of {c} channels do not "
        "broadcast onto the channels; work in the grouped view, x.reshape(N, {g}, -1), or spread the per-group "
        "values to the channels with np.repeat(..., {c} // {g}, axis=1)"
    ),
    "keepdims": (
        "an array of shape {small} met one of shape {big}: it is a statistic of {big} over its last {axes} that "
        "lost {them}; reduce with keepdims=True (e.g. v.{how}(axis={axis}, keepdims=True), shape {kept}) so it "
        "broadcasts back"
    ),
    "axis 0 only": (
        "a per-channel array of shape ({c},) met one of shape {rest}, x's shape without the batch axis: that is "
        "a statistic over axis 0 only, as in the fully connected layer; in spatial batch norm each channel's "
        "statistics are over (N, H, W): x.mean(axis=(0, 2, 3))"
    ),
    "summed over": (
        "an array of size {size} cannot take the shape {shape}: {size} is {kept} of x {x_shape}, so a per-channel "
        "sum kept those axes; sum over {axes} (e.g. dbeta = dout.sum(axis={axes}), then reshape to {shape})"
    ),
    "window": "a window of shape {got} met the {what} {want}: the window's slice {how}; {where}",
    "array into an element": (
        "an array was assigned to one element (out[n, f, i, j] = ... takes one number): a term on the right is an "
        "array where one of its numbers belongs, such as the whole bias b where b[f] belongs, or a sum or max over "
        "some axes only where it is over all of them"
    ),
    "window values": (
        "a window of {got} values met the filter's {k} (C*HH*WW) in a product: the window's slice {how}; {where}"
    ),
    "index": (
        "index {index} is past the end of axis {axis}, which has {size} entries there: a loop (or an index made "
        "from it) runs too far; check each loop's range against the array it indexes: the output has H' x W' "
        "positions, x has H x W, the padded input (H + 2*pad) x (W + 2*pad)"
    ),
    "name reused": (
        "a name that should hold an array holds a {kind} here: is one name used for two things, such as cols for "
        "the columns argument and for a slice of rows and cols? Give each its own name"
    ),
    "undefined": (
        "the name {variable!r} is used before it is given a value in your function: a typo, or a variable of "
        "another cell or function?"
    ),
}

WHERE = {
    "filter": (
        "the window of output (i, j) is rows i*stride_h to i*stride_h + dilation_h*(HH - 1) of the padded input "
        "(every dilation_h-th), and likewise for the columns"
    ),
    "pool window": (
        "the window of output (i, j) is rows i*stride_h to i*stride_h + pool_height - 1, and likewise for the columns"
    ),
}

_SHAPE = r"\(([\d, ]*)\)"
_BROADCAST = re.compile(rf"could not be broadcast together with (?:remapped )?shapes((?: ?{_SHAPE})+)")
_INTO = re.compile(
    rf"(?:could not broadcast input array from shape {_SHAPE} into shape {_SHAPE}"
    rf"|non-broadcastable output operand with shape {_SHAPE} doesn't match the broadcast shape {_SHAPE})"
)
_INDEX = re.compile(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)")
_CORE = re.compile(r"mismatch in its core dimension \d+.*\(size (\d+) is different from (\d+)\)")
_RESHAPE = re.compile(rf"cannot reshape array of size (\d+) into shape {_SHAPE}")
_NAME = re.compile(r"(?:local variable |name |cannot access local variable )'(\w+)'")


def message_shapes(text: str) -> list:
    """The shapes a NumPy message names, in order: "(2, 3) (4,)" -> [(2, 3), (4,)]."""
    return [tuple(int(n) for n in part.replace(" ", "").split(",") if n) for part in re.findall(_SHAPE, text)]


def explain(exc: BaseException, args, generic: bool = True) -> list:
    """Named sentences for a crash whose message shows a known mistake (``args``: the case's); ``generic``
    False leaves out what only names the kind of crash (an array assigned to one element), when the
    exercise's own advice says more."""
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - a student's exception class may not even print
        return []
    found = []
    match = _BROADCAST.search(message)
    shapes = message_shapes(match.group(1)) if match else []
    match = _INTO.search(message)
    if match:
        shapes = message_shapes(match.group(0))
    for a, b in itertools.permutations(shapes[:3], 2):
        found += filter(
            None,
            (
                _per_channel(a, b, args),
                _window(a, b, args),
                _combined(a),
                _per_group(a, b),
                _keepdims(a, b),
                _axis_0_only(a, b, args),
            ),
        )
    if running.raised(exc, ValueError):
        found += filter(None, [_window_values(message, args)])
        if generic and "setting an array element with a sequence" in message:
            found.append(NAMES["array into an element"])
    match = _RESHAPE.search(message)
    if match:
        found += filter(None, [_summed_over(int(match.group(1)), message_shapes(f"({match.group(2)})")[0], args)])
    match = _INDEX.search(message)
    if match and running.raised(exc, IndexError):
        index, axis, size = (int(g) for g in match.groups())
        if index >= size:
            found.append(NAMES["index"].format(index=index, axis=axis, size=size))
    if running.raised(exc, TypeError) and re.search(r"'(slice|int|float|tuple)' object is not subscriptable", message):
        kind = re.search(r"'(\w+)' object is not subscriptable", message).group(1)
        found.append(NAMES["name reused"].format(kind={"int": "number", "float": "number"}.get(kind, kind)))
    match = _NAME.search(message)
    if match and running.raised(exc, NameError):  # UnboundLocalError too
        found.append(NAMES["undefined"].format(variable=match.group(1)))
    return [Named(f) for f in dict.fromkeys(found)]


def _per_channel(small: tuple, big: tuple, args) -> str | None:
    """(K,) or (1, 1, 1, K) (channels last, as Keras has them) against (N, K, H, W) with W != K: a
    per-channel array lined up with W."""
    shown = small
    if small[:-1] == (1, 1, 1):
        small = small[-1:]
    if len(small) != 1 or len(big) != 4 or big[1] != small[0] or big[3] == small[0] or small[0] == 1:
        return None
    what = "filter" if _filters(args) == small[0] else "channel"
    return NAMES["per channel"].format(what=what, k=small[0], shape=big, shown=shown)


def _window_values(message: str, args) -> str | None:
    """A matmul of a flattened window with fewer (or more) than C*HH*WW values against the filters'
    C*HH*WW rows: the window's slice is cut short (or too long)."""
    match = _CORE.search(message)
    w = args[1] if len(args) > 1 and isinstance(args[1], np.ndarray) and args[1].ndim == 4 else None
    if match is None or w is None:
        return None
    sizes = {int(match.group(1)), int(match.group(2))}
    K = w[0].size
    if K not in sizes or len(sizes) != 2:
        return None
    got = (sizes - {K}).pop()
    if got in (w.shape[0],):  # F: the product's other factor, not a window
        return None
    how = "is cut short: it runs past the end of the (padded) input, or it ends at the wrong place"
    if got > K:
        how = "is too long: it ends at the wrong place"
    return NAMES["window values"].format(got=got, k=K, how=how, where=WHERE["filter"])


def _keepdims(small: tuple, big: tuple) -> str | None:
    """(N, G) against (N, G, K), or (N, C) against (N, C, PH, PW): a reduction over the last axes without
    keepdims."""
    lost = len(big) - len(small)
    if len(small) < 2 or lost < 1 or small != big[:-lost] or big[-1] == small[-1]:
        return None
    axes = tuple(range(len(small), len(big)))
    words = ("axis", "that axis", "-1") if lost == 1 else ("axes", "them", str(axes))
    how = "mean" if lost == 1 else "max"
    return NAMES["keepdims"].format(
        small=small, big=big, axes=words[0], them=words[1], axis=words[2], how=how, kept=(*small, *(1,) * lost)
    )


def _axis_0_only(small: tuple, big: tuple, args) -> str | None:
    """(C,) against (C, H, W), x (N, C, H, W): a statistic over axis 0 only."""
    x = args[0] if args and isinstance(args[0], np.ndarray) and args[0].ndim == 4 else None
    if x is None or len(small) != 1 or small[0] != x.shape[1] or x.shape[2:] == (1, 1):
        return None
    if big not in (x.shape[1:], (int(np.prod(x.shape[1:])),)):  # (C, H, W), or flattened
        return None
    return NAMES["axis 0 only"].format(c=small[0], rest=big)


def _summed_over(size: int, shape: tuple, args) -> str | None:
    """A reshape of an array of ``size`` into a per-channel shape, (C,) or (1, C, 1, 1), with ``size`` the
    product of x's channel axis and other axes (one set of them only, axes of size 1 aside): a sum that
    kept those axes."""
    x = next((a for a in args if isinstance(a, np.ndarray) and a.ndim == 4), None)
    if x is None or int(np.prod(shape)) != x.shape[1] or max(shape) != x.shape[1] or size == x.shape[1]:
        return None
    letters = ("N", "C", "H", "W")
    sets = set()
    for keep in itertools.product((0, 1), repeat=4):
        kept = tuple(a for a in range(4) if keep[a] and x.shape[a] > 1)
        if 1 in kept and int(np.prod([x.shape[a] for a in kept])) == size:
            sets.add(kept)
    if len(sets) != 1:
        return None
    kept = sets.pop()
    summed = tuple(a for a in range(4) if a != 1)
    return NAMES["summed over"].format(
        size=size,
        shape=shape,
        kept=" * ".join(letters[a] for a in kept),
        x_shape=x.shape,
        axes=summed,
    )


def _combined(shape: tuple) -> str | None:
    """(1, K, 1, K): a (K,) array combined with a (1, K, 1, 1) one."""
    if len(shape) == 4 and shape[0] == shape[2] == 1 and shape[1] == shape[3] > 1:
        return NAMES["combined"].format(shape=shape, k=shape[1])
    return None


def _per_group(small: tuple, big: tuple) -> str | None:
    """(N, G, 1, 1) or (N, G, 1) against (N, C, H, W), G a divisor of C other than 1 and C: group statistics
    on channels."""
    if len(small) == 3 and small[2] == 1:
        small = (*small, 1)
    if len(small) != 4 or len(big) != 4 or small[0] != big[0] or small[2:] != (1, 1):
        return None
    g, c = small[1], big[1]
    if g in (1, c) or c % g:
        return None
    return NAMES["per group"].format(small=small, big=big, g=g, c=c)


def _window(a: tuple, b: tuple, args) -> str | None:
    """``a`` and ``b`` alike but for their last two axes, and ``b`` ends in the case's window size."""
    window = _window_size(args)
    if window is None or len(a) != len(b) or len(a) < 2 or a[:-2] != b[:-2]:
        return None
    if tuple(b[-2:]) != window or tuple(a[-2:]) == window:
        return None
    what = "filter" if _filters(args) is not None else "pool window"
    if all(g <= w for g, w in zip(a[-2:], window)):
        how = "is cut short: it runs past the end of the (padded) input, or it ends at the wrong place"
    else:
        how = "is too long: it ends at the wrong place"
    return NAMES["window"].format(got=a, what=what, want=b, how=how, where=WHERE[what])


def _filters(args) -> int | None:
    """F of a convolution case (w is the second argument), else None."""
    if len(args) > 1 and isinstance(args[1], np.ndarray) and args[1].ndim == 4:
        return args[1].shape[0]
    return None


def _window_size(args) -> tuple | None:
    """(HH, WW) of the case's filter or pooling window, or None."""
    if len(args) > 1 and isinstance(args[1], np.ndarray) and args[1].ndim == 4:
        return tuple(args[1].shape[2:])
    for arg in args:
        if isinstance(arg, dict) and "pool_height" in arg:
            return (arg["pool_height"], arg.get("pool_width", arg["pool_height"]))
    ints = [a for a in args[1:3] if isinstance(a, int) and not isinstance(a, bool)]
    if len(ints) == 2 and isinstance(args[0], np.ndarray) and args[0].ndim == 4:
        return tuple(ints)  # im2col(x, filter_height, filter_width, ...)
    return None
