"""Telling what a wrong answer looks like, from the pattern of its errors.

Each detector looks at one wrong output (yours) next to the right one (expected) and
either returns a sentence that is true of this pair, or None. Nothing here guesses: a
detector speaks only when the numbers show its pattern, e.g. "the error sits only where
windows overlap" is said only when every wrong element is in an overlap and the overlaps
are not the whole array.

Exercise-specific mistakes (a missing bias, a flipped kernel, ...) are in each family's
module (``conv``, ``pool``, ``batchnorm``, ...); they are recognized by recomputing the
output with the mistake and comparing (``diagnosis``).

All text is deterministic: integers, names, and values rounded to 3 significant digits.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from cnnlab.gradcheck import relative_error_map

__all__ = [
    "MATCH",
    "matches",
    "wrong_mask",
    "number",
    "index_text",
    "all_zero",
    "scaled",
    "offset_per_channel",
    "only_in_region",
    "localized",
    "permuted_axes",
    "same_numbers_elsewhere",
    "size_mistake",
    "size_mistakes_ruled_out",
    "case_pattern",
    "pattern_tags",
    "affine_per_channel",
    "offset_per_map",
    "describe",
    "relu_applied",
    "softmax_applied",
    "Named",
    "NAMES",
]


class Named(str):
    """A diagnosis that names a mistake (what the code does wrong: recomputed, a term of the size
    formula, or a detector's pattern that only one mistake makes), not only a pattern."""


# The detectors' sentences that are Named
NAMES = {
    "sign": "{name} has the wrong sign: it is exactly -1 times the right value (a term subtracted where it is added?)",
    "1/N": "{name} is exactly 1/N times the right value (N = {n}): an average over the batch where a sum is right",
    "N": (
        "{name} is exactly N times the right value (N = {n}): a division by N is missing (a sum over the batch "
        "where an average is right)"
    ),
    "axes": "{name} has the right values with its axes in the order ({got}); return them as ({wanted})",
    "reshaped": "{name} has the right values, but the shape {got}; return it with the shape {wanted}",
    "softmax": (
        "{name} holds the softmax of the right values along axis 1 (probabilities, each row summing to 1): "
        "return the values before the softmax"
    ),
    "relu": (
        "{name} equals the right value where that is positive and 0 where it is negative: it goes through a "
        "max(., 0) (a ReLU) that does not belong in this function; remove it"
    ),
}

MATCH = 1e-6  # two outputs "match" (yours is that mistake) when their max relative error is below this


def matches(yours: np.ndarray, other, threshold: float = MATCH) -> bool:
    """True if ``other`` has yours's shape and agrees with it to ``threshold``; NaN and inf only
    where the other has the same (a mistake that divides 0 by 0 makes NaN where yours has it)."""
    if other is None:
        return False
    other = np.asarray(other)
    if other.shape != yours.shape:
        return False
    finite = np.isfinite(other)
    if not np.array_equal(finite, np.isfinite(yours)):
        return False
    if not finite.all():
        if not np.array_equal(yours[~finite], other[~finite], equal_nan=True):
            return False
        yours, other = yours[finite], other[finite]
    return other.size == 0 or float(relative_error_map(yours, other).max()) < threshold


def wrong_mask(yours: np.ndarray, expected: np.ndarray, threshold: float) -> np.ndarray:
    """True where yours disagrees with expected (relative error >= threshold, or NaN)."""
    err = relative_error_map(yours, expected)
    return np.isnan(err) | (err >= threshold)


def number(value: float, digits: int = 3) -> str:
    """A value to 3 (or ``digits``) significant digits: deterministic for the values of wrong answers."""
    if math.isnan(value):
        return "nan"
    text = f"{value:.{digits}g}"
    return "0" if text in ("0", "-0") else text


def index_text(name: str, index) -> str:
    """``dx[0, 1, 2, 3]``."""
    return f"{name}[{', '.join(str(int(i)) for i in index)}]"


# ---------------------------------------------------------------------------------------------
# Detectors on the values of one output


def all_zero(name: str, yours: np.ndarray, expected: np.ndarray) -> str | None:
    if yours.size and not yours.any() and expected.any():
        return f"{name} is all zeros: is it ever filled in, and is the filled array the one you return?"
    return None


def scaled(name: str, yours: np.ndarray, expected: np.ndarray, known=()) -> str | None:
    """``yours == k * expected`` for one number k != 1: say k, as a fraction if it is one.

    ``known`` maps factors that mean something in this case to the Named sentence they get,
    e.g. ``{0.5: "dw is exactly 1/N times the right value (N = 2): an average over the batch ..."}``.
    """
    if not expected.any() or yours.shape != expected.shape:
        return None
    k = float(np.vdot(yours, expected) / np.vdot(expected, expected))
    if not np.isfinite(k) or abs(k - 1) < 1e-9 or abs(k) < 1e-12 or not matches(yours, k * expected):
        return None
    if abs(k + 1) < 1e-9:
        return Named(NAMES["sign"].format(name=name))
    for value, sentence in dict(known).items():
        if abs(k - value) < 1e-9 * max(1.0, abs(value)):
            return Named(sentence)
    fraction = Fraction(k).limit_denominator(16)
    if abs(float(fraction) - k) < 1e-9 * max(1.0, abs(k)):
        return f"{name} is exactly {fraction} times the right value"
    return f"{name} is exactly {number(k)} times the right value"


def relu_applied(name: str, yours: np.ndarray, expected: np.ndarray) -> str | None:
    """yours == max(expected, 0), and expected has negative values."""
    if yours.shape == expected.shape and (expected < 0).any() and matches(yours, np.maximum(expected, 0)):
        return Named(NAMES["relu"].format(name=name))
    return None


def softmax_applied(name: str, yours: np.ndarray, expected: np.ndarray) -> str | None:
    """yours == softmax(expected) along axis 1 (a 2-D output, e.g. a network's scores)."""
    if yours.ndim != 2 or yours.shape != expected.shape or yours.shape[1] < 2:
        return None
    shifted = np.exp(expected - expected.max(axis=1, keepdims=True))
    if matches(yours, shifted / shifted.sum(axis=1, keepdims=True)):
        return Named(NAMES["softmax"].format(name=name))
    return None


def offset_per_channel(name: str, yours: np.ndarray, expected: np.ndarray, what: str) -> str | None:
    """``yours - expected`` is one constant per index of axis 1 (a filter or a channel)."""
    if yours.ndim < 2 or yours.shape != expected.shape:
        return None
    diff = yours - expected
    other_axes = tuple(a for a in range(diff.ndim) if a != 1)
    per_channel = diff.mean(axis=other_axes, keepdims=True)
    if not np.abs(per_channel).max() > 0 or not matches(yours, expected + per_channel):
        return None
    return f"{name} is off by one constant per {what} (the same at every sample and position)"


def only_in_region(name: str, wrong: np.ndarray, regions: dict) -> str | None:
    """Every wrong element lies in one region (a bool mask) that is not the whole array.

    ``regions`` maps a phrase ("where windows overlap") to ``(mask, advice)``.
    """
    if not wrong.any():
        return None
    for phrase, (mask, advice) in regions.items():
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != wrong.shape or mask.all() or not mask.any():
            continue
        if not (wrong & ~mask).any():
            share = f"{int(wrong.sum())} of the {int(mask.sum())} elements there"
            return f"{name} is wrong only {phrase} ({share}) and right everywhere else: {advice}"
    return None


def localized(name: str, wrong: np.ndarray, axes: tuple) -> str | None:
    """The wrong elements use only some indices of a sample/channel axis: say which.

    ``axes`` names the axes, e.g. ("n", "c", "h", "w"); only the first two (samples and
    channels/filters) are examined, where "only sample 0 is wrong" is a clue.
    """
    if not wrong.any() or wrong.ndim != len(axes):
        return None
    found = []
    for axis, letter in list(enumerate(axes))[:2]:
        if wrong.shape[axis] < 2:
            continue
        other = tuple(a for a in range(wrong.ndim) if a != axis)
        bad = np.flatnonzero(wrong.any(axis=other))
        if len(bad) < wrong.shape[axis]:
            shown = ", ".join(str(i) for i in bad[:4]) + (", ..." if len(bad) > 4 else "")
            found.append(f"{letter} = {shown} (of {wrong.shape[axis]})")
    if not found:
        return None
    return f"{name} is wrong only at {' and '.join(found)}; the other indices are right"


def permuted_axes(name: str, yours: np.ndarray, expected: np.ndarray, axes: tuple) -> str | None:
    """yours is expected with its axes in another order."""
    if yours.ndim != expected.ndim or yours.shape == expected.shape or yours.ndim > 5:
        return None
    if sorted(yours.shape) != sorted(expected.shape):
        return None
    for order in itertools.permutations(range(expected.ndim)):
        candidate = expected.transpose(order)
        if candidate.shape == yours.shape and matches(yours, candidate):
            if len(axes) == expected.ndim:
                got, wanted = ", ".join(axes[i] for i in order), ", ".join(axes)
                return Named(NAMES["axes"].format(name=name, got=got, wanted=wanted))
            back = ", ".join(str(int(i)) for i in np.argsort(order))
            return (
                f"{name} has the right values with its axes in another order: {name}.transpose({back}) "
                f"has the expected shape {expected.shape} and is right"
            )
    return None


def same_numbers_elsewhere(name: str, yours: np.ndarray, expected: np.ndarray) -> str | None:
    """yours holds exactly the right numbers (as a multiset), in the wrong places."""
    if yours.size != expected.size or yours.size < 2:
        return None
    if matches(yours.reshape(expected.shape), expected):
        return Named(NAMES["reshaped"].format(name=name, got=yours.shape, wanted=expected.shape))
    if matches(np.sort(yours, axis=None), np.sort(expected, axis=None)):
        return f"{name} has exactly the right numbers, but in the wrong places"
    return None


def affine_per_channel(name: str, yours: np.ndarray, expected: np.ndarray, what: str) -> str | None:
    """yours = a[c] * expected + b[c] exactly, one scale and shift per index c of axis 1 (not all a = 1)."""
    if yours.ndim < 2 or yours.shape != expected.shape or yours.shape[1] < 1:
        return None
    scales, shifts = [], []
    for c in range(yours.shape[1]):
        e, y = expected[:, c].ravel(), yours[:, c].ravel()
        if e.size < 3 or np.ptp(e) == 0:
            return None
        a, b = np.polyfit(e, y, 1)
        if not matches(y, a * e + b):
            return None
        scales.append(a)
        shifts.append(b)
    scales, shifts = np.array(scales), np.array(shifts)
    size = float(np.abs(expected).max())
    no_shift = np.all(np.abs(shifts) <= 1e-9 * size)
    one_scale = np.allclose(scales, scales[0], rtol=1e-9, atol=0)
    if np.allclose(scales, 1, rtol=0, atol=1e-9) or (one_scale and no_shift):
        return None  # a shift only (offset_per_channel) or a scale only (scaled)
    if one_scale:
        k = _fraction_text(scales[0])
        if np.allclose(shifts, shifts[0], rtol=0, atol=1e-9 * size):
            return f"{name} is exactly {k} * (the right value) + {number(shifts[0])} at every element"
        return (
            f"{name} is exactly {k} * (the right value) plus a shift of its own for each {what}: a factor {k} "
            f"where there should be none, on everything but the per-{what} term (the bias?)"
        )
    return (
        f"for each {what}, {name} is exactly a * (the right value) + b with its own a and b (a from "
        f"{number(scales.min())} to {number(scales.max())}): the per-{what} scale or shift is wrong; look at "
        "what is multiplied and added per channel"
    )


def _fraction_text(k: float) -> str:
    fraction = Fraction(k).limit_denominator(64)
    if abs(float(fraction) - k) < 1e-9 * max(1.0, abs(k)) and fraction.denominator > 1:
        return f"{fraction} (= {number(k)})"
    return number(k)


def offset_per_map(name: str, yours: np.ndarray, expected: np.ndarray, letters: tuple) -> str | None:
    """``yours - expected`` is one constant per (sample, channel) map, not one per channel."""
    if yours.ndim != 4 or yours.shape != expected.shape or yours.shape[0] < 2:
        return None
    diff = yours - expected
    per_map = diff.mean(axis=(2, 3), keepdims=True)
    if not np.abs(per_map).max() > 0 or not matches(yours, expected + per_map):
        return None
    if np.allclose(per_map, per_map.mean(axis=0, keepdims=True), rtol=0, atol=1e-12 * float(np.abs(expected).max())):
        return None  # one per channel: offset_per_channel
    a, b = letters[:2] if len(letters) >= 2 else ("n", "c")
    return (
        f"{name} is off by one constant per ({a}, {b}) (the same at every position, different across the "
        f"samples {a}): a per-{'filter' if b == 'f' else 'channel'} term indexed by the wrong loop variable?"
    )


def _extent(wrong: np.ndarray, axes: tuple) -> str:
    """Where the wrong elements are: their count, and the indices of each named axis they use."""
    count, total = int(wrong.sum()), wrong.size
    text = "at every element" if count == total else f"at {count} of {total} elements"
    if len(axes) != wrong.ndim or count == total:
        return text
    limits = []
    for axis, letter in enumerate(axes):
        if wrong.shape[axis] < 2:
            continue
        bad = np.flatnonzero(wrong.any(axis=tuple(a for a in range(wrong.ndim) if a != axis)))
        if len(bad) < wrong.shape[axis]:
            shown = ", ".join(str(i) for i in bad[:4]) + (", ..." if len(bad) > 4 else "")
            limits.append(f"{letter} = {shown} (of {wrong.shape[axis]})")
    return text + (f", all with {' and '.join(limits)}" if limits else ", spread over every index of every axis")


def describe(name: str, yours: np.ndarray, expected: np.ndarray, wrong: np.ndarray, axes: tuple = ()) -> str | None:
    """What the numbers of a wrong output show when no known mistake fits: where it is wrong, in which
    direction, how it relates to the right values. Says only what holds of every wrong element."""
    if yours.shape != expected.shape or not wrong.any():
        return None
    parts = [f"{name} is wrong {_extent(wrong, axes)}"]
    y, e = yours[wrong], expected[wrong]
    if np.all(y == 0):
        parts.append("it is 0 there, where the right values are not")
    elif np.all(y > e):
        parts.append("it is too large at every one of them")
    elif np.all(y < e):
        parts.append("it is too small at every one of them")
    else:
        parts.append(f"too large at {int(np.sum(y > e))} and too small at {int(np.sum(y < e))}")
    nonzero = np.abs(e) > 0
    if not np.all(y == 0) and nonzero.any():
        ratio = np.abs(y[nonzero]) / np.abs(e[nonzero])
        opposite = np.sign(y[nonzero]) == -np.sign(e[nonzero])
        if opposite.all():
            parts.append("with the opposite sign of the right value")
        elif ratio.min() > 1:
            parts.append(f"larger in magnitude, {number(ratio.min())} to {number(ratio.max())} times")
        elif ratio.max() < 1:
            parts.append(f"smaller in magnitude, {number(ratio.min())} to {number(ratio.max())} times")
    if yours.size > 2 and np.ptp(yours) > 0 and np.ptp(expected) > 0 and not np.all(y == 0):
        r = float(np.corrcoef(yours.ravel(), expected.ravel())[0, 1])
        if r > 0.99:
            parts.append("it follows the right values closely (correlation above 0.99): a scale, shift or small term")
        elif abs(r) < 0.1:
            parts.append("it is unrelated to the right values (correlation near 0)")
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# The output-size formula, term by term


SIZE_FORMULA = "H' = (H + 2*pad - dilation*(HH - 1) - 1) // stride + 1"


def _size_variants(I: int, K: int, S: int, P: int, D: int):
    """(description, size) for each common mistake in the output-size formula that applies."""
    extra = [(text, size) for text, size in _operator_variants(I, K, S, P, D) if text not in _COVERED]
    return _size_variants_base(I, K, S, P, D) + extra


def _size_variants_base(I: int, K: int, S: int, P: int, D: int):
    """The mistakes worded one by one (the operator variants follow them)."""
    span = D * (K - 1) + 1
    variants = []
    if P:
        variants.append(("the padding term 2*pad is missing", (I - span) // S + 1))
        variants.append(("the padding is counted once (pad), not on both sides (2*pad)", (I + P - span) // S + 1))
    if P:
        variants.append(("the padding is subtracted (- 2*pad); it adds pixels: + 2*pad", (I - 2 * P - span) // S + 1))
    if P and D > 1:
        variants.append(
            (
                "the padding is multiplied by the dilation; pad adds 2*pad pixels whatever the dilation",
                (I + 2 * P * D - span) // S + 1,
            )
        )
    if S != D:
        variants.append(
            (
                "the stride and the dilation are swapped: the dilation spreads the filter, dilation*(HH - 1) + 1 "
                "pixels, and the stride divides",
                (I + 2 * P - S * (K - 1) - 1) // D + 1,
            )
        )
    if S > 1:
        variants.append(
            (
                "// binds tighter than -: only the last 1 is divided by the stride; put the numerator in parentheses, "
                "(H + 2*pad - dilation*(HH - 1) - 1) // stride",
                I + 2 * P - D * (K - 1) - 1 // S + 1,
            )
        )
    if D > 1:
        variants.append(
            ("the dilation is missing: a dilated filter spans dilation*(HH - 1) + 1 pixels", (I + 2 * P - K) // S + 1)
        )
        variants.append(
            ("the filter's span is taken as dilation*HH, not dilation*(HH - 1) + 1", (I + 2 * P - D * K) // S + 1)
        )
    if S > 1:
        variants.append(("the division by the stride is missing", I + 2 * P - span + 1))
        variants.append(("it rounds up; use // (floor division)", -(-(I + 2 * P - span) // S) + 1))
        variants.append(
            ("it rounds to the nearest integer (round()); use // (floor division)", round((I + 2 * P - span) / S) + 1)
        )
    variants.append(
        ("the + 1 is missing (the first window gives an output before any stride)", (I + 2 * P - span) // S)
    )
    variants.append(
        ("the - 1 is missing: subtract the whole span, dilation*(HH - 1) + 1", (I + 2 * P - span + 1) // S + 1)
    )
    variants.append(
        ("the - 1 is a + 1: subtract the whole span, dilation*(HH - 1) + 1", (I + 2 * P - span + 2) // S + 1)
    )
    if S > 1:
        variants.append(
            (
                "it divides all the stride-1 positions by the stride; keep every stride-th of them: "
                "(positions - 1) // stride + 1",
                (I + 2 * P - span + 1) // S,
            )
        )
    variants.append(("the filter size is not subtracted", (I + 2 * P - 1) // S + 1))
    right = (I + 2 * P - span) // S + 1
    if right < 0:  # the filter does not fit: the lesson asks for the formula's number
        variants.append(("where the filter does not fit, it gives 0; return the formula's number (0 or less)", 0))
    if span > I + 2 * P and S > 1:
        variants.append(
            (
                "int() of a true division rounds a negative numerator (a filter that does not fit) toward zero; "
                "use // (floor division), which rounds it down",
                int((I + 2 * P - span) / S) + 1,
            )
        )
    return variants


# The formula's operators, each of which a student may write as another: (what it is, its place as text)
_OPERATORS = (
    ("+", "the + in H + 2*pad"),
    ("*", "the * in 2*pad"),
    ("-", "the - before dilation*(HH - 1)"),
    ("*", "the * in dilation*(HH - 1)"),
    ("-", "the - in HH - 1"),
    ("-", "the - before the last 1 of the numerator"),
    ("//", "the // stride"),
    ("+", "the + 1 at the end"),
)
_OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "//": lambda a, b: a // b,
}


def _formula(I, K, S, P, D, ops):
    o = [_OPS[op] for op in ops]
    return o[7](o[6](o[5](o[2](o[0](I, o[1](2, P)), o[3](D, o[4](K, 1))), 1), S), 1)


def _operator_variants(I: int, K: int, S: int, P: int, D: int) -> list:
    """(description, size) for the formula with one of its operators written as another (// stride as * stride,
    the - before the span as +, ...)."""
    found = []
    right = tuple(op for op, _ in _OPERATORS)
    for k, (op, where) in enumerate(_OPERATORS):
        for other in _OPS:
            if other == op:
                continue
            ops = right[:k] + (other,) + right[k + 1 :]
            try:
                size = _formula(I, K, S, P, D, ops)
            except ZeroDivisionError:
                continue
            found.append((f"{where} is written {other}", size))
    return found


def _covered() -> frozenset:
    """The operator variants that are the right formula, or another variant's, on every geometry of a grid
    (those are named in the other's words)."""
    grid = list(itertools.product(range(3, 10), range(1, 5), range(1, 4), range(0, 3), range(1, 3)))
    rights = [(I + 2 * P - D * (K - 1) - 1) // S + 1 for I, K, S, P, D in grid]
    tables: dict = {}
    for g, params in enumerate(grid):
        for kind, variants in (("base", _size_variants_base(*params)), ("op", _operator_variants(*params))):
            for text, size in variants:
                tables.setdefault((kind, text), {})[g] = size
    values = {key: tuple(table.get(g, rights[g]) for g in range(len(grid))) for key, table in tables.items()}
    covered, seen = set(), {tuple(rights)}
    seen |= {value for key, value in values.items() if key[0] == "base"}
    for key, value in values.items():
        if key[0] != "op":
            continue
        if value in seen:
            covered.add(key[1])
        seen.add(value)
    return frozenset(covered)


_COVERED = _covered()


POOL_SIZE_FORMULA = "H' = (H - pool_height) // stride + 1"


def size_mistakes_ruled_out(geometry: list, formula: str = SIZE_FORMULA) -> set:
    """The sentences of ``size_mistake`` that a passing case rules out: the mistakes that give a wrong
    size on this geometry (a code that made one would have failed it)."""
    found = set()
    for I, K, S, P, D in geometry:
        right = (I + 2 * P - D * (K - 1) - 1) // S + 1
        found |= {
            f"in the output size, {text}: {formula}" for text, size in _size_variants(I, K, S, P, D) if size != right
        }
    return found


def size_mistake(got: tuple, geometry: list, formula: str = SIZE_FORMULA) -> list:
    """Which terms of the size formula can explain a wrong output size, most likely first.

    ``got`` holds the student's size per spatial axis; ``geometry`` has, per axis,
    ``(I, K, S, P, D)``. Returns sentences naming a mistake and the formula (empty if none
    explains it). Several may fit one case; the check keeps those that fit every case.
    """
    expected = [(I + 2 * P - D * (K - 1) - 1) // S + 1 for I, K, S, P, D in geometry]
    if list(got) == expected:
        return []
    if len(got) == 2 and list(got) == expected[::-1] and got[0] != got[1]:
        return [f"the output's height and width are swapped: H' comes from H and HH, W' from W and WW ({formula})"]
    candidates = None
    for g, e, params in zip(got, expected, geometry):
        if g == e:
            continue
        here = [text for text, size in _size_variants(*params) if size == g]
        candidates = here if candidates is None else [t for t in candidates if t in here]
    return [f"in the output size, {text}: {formula}" for text in candidates or []]


# ---------------------------------------------------------------------------------------------
# Across cases


def pattern_tags(failed: list, passed: list) -> tuple:
    """The tags (one, or two either of which) on every failing case and on no passing one; () if none."""
    if not failed or not passed:
        return ()
    tags = list(dict.fromkeys(tag for case in failed for tag in case))
    on_no_passing = [tag for tag in tags if not any(tag in case for case in passed)]
    single = [tag for tag in on_no_passing if all(tag in case for case in failed)]
    if single:
        return tuple(single)
    for first, second in itertools.combinations(on_no_passing, 2):
        if all(first in case or second in case for case in failed):
            return (first, second)
    return ()


def case_pattern(failed: list, passed: list) -> str | None:
    """A property that exactly the failing cases have, e.g. "every case with padding fails".

    ``failed`` and ``passed`` are lists of tag tuples (one per case, tags in order of
    importance). Speaks only if one tag, or failing that two tags together, are on every
    failing case and on no passing one (and both lists are non-empty).
    """
    if not failed or not passed:
        return None
    tags = list(dict.fromkeys(tag for case in failed for tag in case))
    on_no_passing = [tag for tag in tags if not any(tag in case for case in passed)]
    single = [tag for tag in on_no_passing if all(tag in case for case in failed)]
    if single:
        also = f" (the same cases have {', '.join(single[1:])})" if len(single) > 1 else ""
        return f"every case with {single[0]} fails, and every case without passes{also}"
    for first, second in itertools.combinations(on_no_passing, 2):
        if all(first in case or second in case for case in failed):
            return f"every case with {first} or with {second} fails, and every other case passes"
    return None
