"""Telling what a wrong answer looks like, from the pattern of its errors.

Each detector looks at one wrong output (yours) next to the right one (expected) and
either returns a sentence that is true of this pair, or None. Nothing here guesses: a
detector speaks only when the numbers show its pattern, e.g. "the error sits only where
windows overlap" is said only when every wrong element is in an overlap and the overlaps
are not the whole array.

Exercise-specific mistakes (a missing bias, a flipped kernel, ...) are in ``mistakes``;
they are recognized by recomputing the output with the mistake and comparing.

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
    "case_pattern",
]

MATCH = 1e-6  # two outputs "match" (yours is that mistake) when their max relative error is below this


def matches(yours: np.ndarray, other, threshold: float = MATCH) -> bool:
    """True if ``other`` has yours's shape and agrees with it to ``threshold``."""
    if other is None:
        return False
    other = np.asarray(other)
    if other.shape != yours.shape or not np.isfinite(other).all():
        return False
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

    ``known`` maps a name of k to ``(value, meaning)`` for factors that mean something in
    this case, e.g. ``{"1/N": (1/N, " (N = 2): an average over the batch, where a sum is right")}``.
    """
    if not expected.any() or yours.shape != expected.shape:
        return None
    k = float(np.vdot(yours, expected) / np.vdot(expected, expected))
    if not np.isfinite(k) or abs(k - 1) < 1e-9 or abs(k) < 1e-12 or not matches(yours, k * expected):
        return None
    if abs(k + 1) < 1e-9:
        return f"{name} has the wrong sign: it is exactly -1 times the right value"
    for label, (value, meaning) in dict(known).items():
        if abs(k - value) < 1e-9 * max(1.0, abs(value)):
            return f"{name} is exactly {label} times the right value{meaning}"
    fraction = Fraction(k).limit_denominator(16)
    if abs(float(fraction) - k) < 1e-9 * max(1.0, abs(k)):
        return f"{name} is exactly {fraction} times the right value"
    return f"{name} is exactly {number(k)} times the right value"


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
            wanted = ", ".join(axes) if len(axes) == expected.ndim else ""
            got = ", ".join(axes[i] for i in order) if wanted else str(order)
            return f"{name} has the right values with its axes in the order ({got}); return them as ({wanted})"
    return None


def same_numbers_elsewhere(name: str, yours: np.ndarray, expected: np.ndarray) -> str | None:
    """yours holds exactly the right numbers (as a multiset), in the wrong places."""
    if yours.size != expected.size or yours.size < 2:
        return None
    if matches(yours.reshape(expected.shape), expected):
        return f"{name} has the right values, but the shape {yours.shape}; return it with the shape {expected.shape}"
    if matches(np.sort(yours, axis=None), np.sort(expected, axis=None)):
        return f"{name} has exactly the right numbers, but in the wrong places"
    return None


# ---------------------------------------------------------------------------------------------
# The output-size formula, term by term


SIZE_FORMULA = "H' = (H + 2*pad - dilation*(HH - 1) - 1) // stride + 1"


def _size_variants(I: int, K: int, S: int, P: int, D: int):
    """(description, size) for each common mistake in the output-size formula that applies."""
    span = D * (K - 1) + 1
    variants = []
    if P:
        variants.append(("the padding term 2*pad is missing", (I - span) // S + 1))
        variants.append(("the padding is counted once (pad), not on both sides (2*pad)", (I + P - span) // S + 1))
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
        ("the + 1 is missing (the first window gives an output before any stride)", (I + 2 * P - span) // S)
    )
    variants.append(("the filter size is not subtracted", (I + 2 * P - 1) // S + 1))
    return variants


def size_mistake(got: tuple, geometry: list) -> list:
    """Which terms of the size formula can explain a wrong output size, most likely first.

    ``got`` holds the student's size per spatial axis; ``geometry`` has, per axis,
    ``(I, K, S, P, D)``. Returns sentences naming a mistake and the formula (empty if none
    explains it). Several may fit one case; the check keeps those that fit every case.
    """
    expected = [(I + 2 * P - D * (K - 1) - 1) // S + 1 for I, K, S, P, D in geometry]
    if list(got) == expected:
        return []
    if len(got) == 2 and list(got) == expected[::-1] and got[0] != got[1]:
        return [f"the output's height and width are swapped: H' comes from H and HH, W' from W and WW ({SIZE_FORMULA})"]
    candidates = None
    for g, e, params in zip(got, expected, geometry):
        if g == e:
            continue
        here = [text for text, size in _size_variants(*params) if size == g]
        candidates = here if candidates is None else [t for t in candidates if t in here]
    return [f"in the output size, {text}: {SIZE_FORMULA}" for text in candidates or []]


# ---------------------------------------------------------------------------------------------
# Across cases


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
