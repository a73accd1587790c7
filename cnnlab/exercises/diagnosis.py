"""Saying what a wrong output looks like: the exercise's known mistakes first, then patterns.

For one wrong output (``output``): the mistakes the entry recomputes for the case (a
student's output that matches one, and not the right answer, has made it: a ``Named``
diagnosis), a wrong output size term by term, then the generic detectors of ``diagnose``
(all zeros, scaled, offset per channel, wrong only in a region of the entry's, ...). For a
crash: the advice the entry declares for the exceptions its cases explain (``crash``).
Across cases (``summarize``): the diagnoses that fit every failing case, and what the
failing cases share (the entry's ``tag_advice``).
"""

from __future__ import annotations

import copy
import re

import numpy as np

from cnnlab.exercises import compare, crashes, diagnose, running
from cnnlab.exercises.exercise import Exercise
from cnnlab.exercises.results import CheckResult

__all__ = ["Named", "MAX_DIAGNOSES", "output", "size", "loss", "crash", "summarize"]

MAX_DIAGNOSES = 2  # per output


Named = diagnose.Named


def output(exercise: Exercise, name: str, yours, expected, args, dout, wrong=None, tried=None) -> list:
    """What the mistake in output ``name`` looks like: known mistakes first, then patterns.

    ``tried`` (a set), if given, collects the known mistakes that could be formed for this case,
    whether they fit or not (``summarize`` uses them to tell a coincidence from a mistake)."""
    found = []
    tried = set() if tried is None else tried
    if exercise.mistakes is not None:
        for where, sentence, value in recomputed(exercise, args, dout):
            if where != name or value is None or sentence in found:
                continue
            tried.add(sentence)
            value = np.asarray(value, dtype=np.float64)
            if _matches(yours, value) and not diagnose.matches(expected, value, compare.REFERENCE_THRESHOLD):
                found.append(sentence)
    if found:
        return [Named(f) for f in found]
    if yours.shape == expected.shape:
        tried.update(_known_scales(name, args).values())  # the scale detector below looks at these
    if not np.isfinite(yours).all():
        return []  # NaN or inf: only a known mistake that makes them says more than the problem
    axes = exercise.axes.get(name, ())
    if yours.shape != expected.shape:
        if name == "out" and exercise.sizes is not None and yours.ndim == 4 and yours.shape[:2] == expected.shape[:2]:
            found += map(Named, diagnose.size_mistake(yours.shape[2:], exercise.sizes(args), exercise.size_formula))
        found.append(diagnose.permuted_axes(name, yours, expected, axes))
        found.append(diagnose.same_numbers_elsewhere(name, yours, expected))
        return [f for f in found if f]
    regions = exercise.regions(args, name) if exercise.regions is not None else {}
    what = "filter" if "f" in axes else "channel"
    for detector in (
        lambda: diagnose.all_zero(name, yours, expected),
        lambda: diagnose.relu_applied(name, yours, expected),
        lambda: diagnose.softmax_applied(name, yours, expected),
        lambda: diagnose.scaled(name, yours, expected, _known_scales(name, args)),
        lambda: diagnose.offset_per_channel(name, yours, expected, what) if name == "out" else None,
        lambda: diagnose.offset_per_map(name, yours, expected, axes) if name == "out" else None,
        lambda: diagnose.affine_per_channel(name, yours, expected, what) if yours.ndim == 4 else None,
        lambda: diagnose.only_in_region(name, wrong, regions),
        lambda: diagnose.same_numbers_elsewhere(name, yours, expected),
        lambda: diagnose.localized(name, wrong, axes),
    ):
        sentence = detector()
        if sentence:
            found.append(sentence)
    if not found and wrong is not None:  # the general step: what the numbers show
        found.append(diagnose.describe(name, yours, expected, wrong, axes))
    return [f for f in found if f]


def _matches(yours, value) -> bool:
    """yours is that mistake's value; a value of exact zeros (a sum that is zero in exact arithmetic) is
    matched by rounding noise too (every element of yours below 1e-9; the cases' numbers are of order 1)."""
    if diagnose.matches(yours, value):
        return True
    return value.shape == yours.shape and value.size > 0 and not value.any() and float(np.abs(yours).max()) < 1e-9


def recomputed(exercise: Exercise, args, dout) -> list:
    """The entry's known mistakes for these arguments: [(output, sentence, value)] ([] if they fail)."""
    try:
        return exercise.mistakes(copy.deepcopy(args), None if dout is None else dout.copy())
    except Exception:  # noqa: BLE001 - a diagnosis must never turn into a crash of the check
        return []


def size(exercise: Exercise, value: int, args) -> list:
    """A wrong integer output size: the terms of the size formula that explain it."""
    return [Named(t) for t in diagnose.size_mistake((int(value),), exercise.sizes(args))]


def loss(exercise: Exercise, yours: float, expected: float, args) -> list:
    """A wrong loss: the known mistakes whose loss it is."""
    found = []
    for where, sentence, other in recomputed(exercise, args, None) if exercise.mistakes else ():
        if where == "loss" and other is not None and sentence not in found:
            other = float(other)
            same = (np.isnan(yours) and np.isnan(other)) or abs(yours - other) <= diagnose.MATCH * (
                abs(yours) + abs(other)
            )
            if same and other != expected:
                found.append(sentence)
    return [Named(f) for f in found]


def crash(exercise: Exercise, call: running.Call, case) -> list:
    """Advice for a crash that the case explains, as the entry declares it (``crash_advice``,
    e.g. an (h, w) pair where an int was expected), or a parameter-dict key the case leaves
    out (``optional_keys``, e.g. batch norm's eps, momentum and running statistics); then what
    NumPy's message shows (``crashes``: a per-channel array lined up with W, a window cut short)."""
    exc = call.exception
    if exc is None:
        return []
    key = exc.key if isinstance(exc, running.RemoteError) else (exc.args or [None])[0]
    optional = exercise.optional_keys
    if running.raised(exc, KeyError) and isinstance(key, str) and key in optional:
        return [Named(f"the parameter dict may leave out {key!r}; read it with .get({key!r}, {optional[key]})")]
    args = case.build()
    advice = [Named(known.advice) for known in exercise.crash_advice if _explains(known, exc, case.tags, args)]
    return [*advice[:1], *crashes.explain(exc, args, generic=not advice)]


def _explains(known, exc, tags, args) -> bool:
    """Whether a CrashAdvice fits this crash: its exception and text, and the case (its tag, or its
    own ``applies(args, message)``)."""
    if not (running.raised(exc, known.kind) and known.text in str(exc)):
        return False
    if known.applies is None:
        return any(known.tag in t for t in tags)
    try:
        return bool(known.applies(args, str(exc)))
    except Exception:  # noqa: BLE001 - a diagnosis must never turn into a crash of the check
        return False


def _known_scales(name: str, args) -> dict:
    """Factors with a meaning for "is exactly k times the right value": 1/N and N, N the batch
    of the case's first 4-D array (x, or a network's images X)."""
    images = next((a for a in args if isinstance(a, np.ndarray) and a.ndim == 4), None)
    if images is None or images.shape[0] < 2:
        return {}
    N = images.shape[0]
    return {k: diagnose.NAMES[label].format(name=name, n=N) for k, label in ((1 / N, "1/N"), (N, "N"))}


def _refuted(sentence, name: str, failures, passing=()) -> bool:
    """A known mistake that another failing case could form for this output but does not fit, or that
    a passing case rules out (``Outcome.tried`` of a passing case: the mistakes that would have failed
    it): it fits here by coincidence (the code doubles, and this case has N = 2). Such a sentence is
    still shown, but not as a Named mistake. Numbers are ignored in the comparison ("N = 2", "N = 3")."""
    if not isinstance(sentence, Named):
        return False
    key = _without_numbers(sentence)
    if any(key in {_without_numbers(t) for t in other.tried.get(name, ())} for other in passing):
        return True
    for other in failures:
        tried = {_without_numbers(t) for t in other.tried.get(name, ())}
        fitting = {_without_numbers(c) for c in other.candidates.get(name, ())}
        if key in tried and key not in fitting:
            return True
    return False


def _without_numbers(text: str) -> str:
    return re.sub(r"\d+", "#", str(text))


def summarize(result: CheckResult, exercise: Exercise) -> None:
    """Cross-case pattern, diagnoses that fit every failing case, and notes (once each)."""
    failures = result.failures
    passing = [o for o in result.outcomes if o.passed]
    passed = [o.tags for o in passing]
    result.pattern = diagnose.case_pattern([o.tags for o in failures], passed)
    for outcome in failures:
        for name, sentences in outcome.candidates.items():
            others = [o.candidates[name] for o in failures if o.candidates.get(name)]
            # a name that another case refutes fits here by coincidence: left out (or, if it is all there is,
            # shown as a pattern, not as a Named mistake)
            kept = [s for s in sentences if not _refuted(s, name, failures, passing)]
            common = [s for s in kept if all(s in other for other in others)]
            chosen = common or kept or [str(s) for s in sentences]
            outcome.diagnoses += [s for s in chosen[:MAX_DIAGNOSES] if s not in outcome.diagnoses]
    tags = diagnose.pattern_tags([o.tags for o in failures], passed)
    advice = [exercise.tag_advice[t] for t in tags if t in exercise.tag_advice]
    if failures and advice and not any(isinstance(d, Named) for d in failures[0].diagnoses):
        # no known mistake fits, but which cases fail says where it is: lead with that
        where = " or ".join(f"with {t}" for t in tags) if len(tags) == 2 else f"with {tags[0]}"
        failures[0].diagnoses.insert(0, f"only the cases {where} fail: look at {advice[0]}")
    for outcome in result.outcomes:
        for note in outcome.notes:
            if note not in result.notes:
                result.notes.append(note)
