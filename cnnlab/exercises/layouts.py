"""Wrong layouts: a tensor with its logical axes in another order, reshaped as it is.

Many mistakes of the im2col family are one array with its axes in the wrong order: cols
built as (N, C, H', W', HH, WW) and reshaped to (N, C*HH*WW, H'*W'), dout_rows from
``dout.reshape(N, H'*W', F)``, a column's block read as (HH, WW, C) where it is (C, HH, WW).
Each is one of two things done to the right numbers, for an order ``sigma`` of the axes:

- written in the order sigma: ``T.transpose(sigma).reshape(T.shape)`` (the numbers were laid
  out in another order and reshaped as they are, or a transpose where none belongs);
- read as the order sigma: ``T.reshape(shape in the order sigma).transpose(argsort(sigma))``
  (right numbers reshaped as if they were in another order: a reshape where a transpose belongs).

``layouts`` gives every such layout, once per distinct value it leads to in the case (axes
of size 1 make several orders the same), never the right one. The families turn each into a
recomputed mistake; only a student's output that matches one element for element is named.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

__all__ = ["layouts", "order_text", "shape_text", "folder", "memo"]


def layouts(sizes: tuple, letters: tuple, compute, fixed: int = 0, skip: tuple = (), first: str = "written", prefer=()):
    """[(how, order, value)]: each wrong layout of an array of logical shape ``sizes`` that this case tells
    apart, with ``value = compute(index)`` (index: the flat index map, the wrong array is
    ``T.ravel()[index].reshape(T.shape)``; compute may turn it into the output the mistake gives).

    ``how`` is "written" or "read" (see the module), ``order`` the permutation. The first ``fixed`` axes
    stay in place (the batch axis, whose mixing is a mistake of its own). Layouts that give the same
    value in this case are one. Where they are the same rearrangement of the numbers (axes of size 1,
    or equal sizes that make a read and a written layout one), the most plausible name is kept (the
    most axes followed by their own successor, as c, p, q; then one of kind ``first``: "read" for an
    array the function reads, "written" for one it builds). Where different rearrangements give one
    value (a col2im adds several entries into one pixel), the case cannot tell which one the student
    made, and none is kept. A group holding a (how, order) of ``skip`` (one another, better-worded
    mistake names) is left out; in a group holding one of ``prefer`` (a layout the family words
    itself), that one is kept.
    """
    groups: dict = {}
    for how, order, index, key in _rearrangements(tuple(int(s) for s in sizes), fixed):
        try:
            value = compute(index)
        except (ValueError, IndexError, TypeError):
            continue
        if value is not None:
            groups.setdefault(_fingerprint(value), []).append((how, order, value, key))
    found = []
    for members in groups.values():
        if any((how, tuple(letters[a] for a in order)) in skip for how, order, _, _ in members):
            continue
        if len({key for *_, key in members}) > 1:
            continue  # different rearrangements, one value: this case cannot tell them apart
        scores = [
            _plausibility(order) + 0.5 * (how == first) + 100 * ((how, tuple(letters[a] for a in order)) in prefer)
            for how, order, _, _ in members
        ]
        how, order, value, _ = members[scores.index(max(scores))]
        found.append((how, order, value))
    return found


@functools.lru_cache(maxsize=64)
def _rearrangements(sizes: tuple, fixed: int) -> tuple:
    """(how, order, index, index as bytes) of every layout but the right one (they depend on the sizes only)."""
    base = np.arange(int(np.prod(sizes))).reshape(sizes)
    identity = base.ravel()
    found = []
    for how in ("written", "read"):
        for rest in itertools.permutations(range(fixed, len(sizes))):
            order = tuple(range(fixed)) + rest
            index = base.transpose(order).ravel()
            if how == "read":
                index = np.argsort(index)
            if not np.array_equal(index, identity):
                index.setflags(write=False)
                found.append((how, order, index, index.tobytes()))
    return tuple(found)


def _plausibility(order) -> int:
    """How many axes are followed by their own successor (c by p, p by q, i by j): the groups a layout keeps."""
    return sum(1 for a, b in zip(order, order[1:]) if b == a + 1)


def _fingerprint(value) -> tuple:
    """Equal values get equal fingerprints: each array's shape and its product with a fixed random vector."""
    values = value if isinstance(value, tuple) else (value,)
    key = []
    for v in values:
        shape = np.shape(v)
        v = np.asarray(v, dtype=np.float64).ravel()
        if v.size not in _PROBES:
            _PROBES[v.size] = np.random.default_rng(v.size).standard_normal(v.size)
        key.append((shape, float(f"{float(v @ _PROBES[v.size]):.9g}")))
    return tuple(key)


_PROBES: dict = {}


def memo(mistakes):
    """The family's mistakes function, computed once per case: the check asks for them once per wrong
    output (dx, dw and db), with the same arguments (copies of them)."""
    last = {}

    def key(value):
        if isinstance(value, np.ndarray):
            return ("array", value.shape, value.dtype.str, value.tobytes())
        if isinstance(value, dict):
            return ("dict", tuple(sorted((k, key(v)) for k, v in value.items())))
        if isinstance(value, (tuple, list)):
            return ("seq", tuple(key(v) for v in value))
        return ("value", repr(value))

    def cached(args, dout=None, **options):
        k = (key(args), key(dout), tuple(sorted(options.items())))
        if k not in last:
            last.clear()
            last[k] = mistakes(args, dout, **options)
        return last[k]

    return cached


def order_text(order, letters) -> str:
    """``(n, c, i, j, p, q)``."""
    return "(" + ", ".join(letters[a] for a in order) + ")"


def shape_text(order, names) -> str:
    """``N, C, H', W', HH, WW``: the shape an array in that order has."""
    return ", ".join(names[a] for a in order)


def folder(x_shape, HH, WW, stride, pad, dilation):
    """A fast col2im for one geometry: cols (N, C*HH*WW, H'*W') -> x (N, C, H, W), the columns added
    back into their windows (padding dropped), by one bincount over where each entry of cols goes."""
    from cnnlab import im2col as im2col_module

    size = int(np.prod(x_shape))
    where = np.arange(1, size + 1, dtype=np.float64).reshape(x_shape)  # 0 in the padding
    target = im2col_module.im2col(where, HH, WW, stride, pad, dilation).ravel().astype(np.int64) - 1
    inside = target >= 0
    target = target[inside]

    def fold(cols):
        values = np.asarray(cols, dtype=np.float64).ravel()[inside]
        return np.bincount(target, weights=values, minlength=size).reshape(x_shape)

    return fold
