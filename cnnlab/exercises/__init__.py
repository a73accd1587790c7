"""The exercises of the cnnlab lessons: check your implementation, get hints, or go on without it.

In a lesson, write the function in the exercise cell, then run the check cell beneath::

    from cnnlab import exercises

    exercises.check("conv_forward_naive")
    # conv_forward_naive: PASS (10/10 cases; max relative error < 1e-7)

With only a name, the check takes the function of that name from the notebook; if the
cell that defines it does not compile, it says which line is wrong (so Run All goes on).
A backward pass is checked on the cache that the notebook's forward makes (the student's,
or cnnlab's reference if the lesson fell back on it). Functions can also be passed::

    exercises.check("conv_backward_naive", my_backward, forward=my_forward)

Without ``forward=``, a function passed that way gets the cache of cnnlab's reference
forward, which for the convolution and pooling layers is the usual ``(x, w, b, conv_param)``
/ ``(x, pool_param)``.

What a check does:
- runs your function on every case of the exercise (the geometries of ``cnnlab.cases``:
  stride > 1, padding, dilation, rectangular inputs and filters, several batch sizes,
  overlapping pooling windows, ties; batch norm in train and test mode, with its running
  statistics) and compares the results with the reference implementation's;
- for a backward pass, also compares your gradients with the numerical gradient of your
  forward, so it can tell a wrong backward from a wrong forward;
- never crashes on your code: an exception, a wrong shape or dtype, the wrong number of
  return values, NaN, changing the arrays it was given, or taking longer than the time
  limit (20 s for the whole check; ``time_limit=`` changes it) is a FAIL that says what
  happened. The time limit needs Linux or macOS and the main thread (as in Jupyter);
  elsewhere there is none.
- on a FAIL, says which case failed, how, and, where the numbers show it, what the
  mistake looks like ("db is summed over the samples n only", "dx is wrong only where
  windows overlap", "the kernel is flipped", ...); when no known mistake fits, what the
  failing cases share and what the numbers show (where the output is wrong, in which
  direction, how it relates to the right values);
- a function that calls cnnlab's own answer to the exercise (the reference, or a layer
  grading hides, under any name) is a FAIL that names what it calls: grading, where that
  answer key is hidden, would not count it. ``exercises.reference(name)`` itself is shown
  as the reference.

The verdict line is the same on every machine and for every correct implementation, so a
lesson's check cell can be compared by nbval: PASS/FAIL, case counts and a documented
threshold (relative error < 1e-7 against the reference), never a measured number.

Stuck?
- ``exercises.hint("conv_forward_naive")`` gives a hint; call it again for the next one
  (or ask for one by number: ``exercises.hint("conv_forward_naive", 2)``).
- To go on with the later lessons anyway, use the reference implementation::

      conv_forward_naive = exercises.reference("conv_forward_naive")

- To read cnnlab's answer, on purpose: ``exercises.solution("conv_forward_naive")``.

Also: ``exercises.names()`` lists the exercises; ``exercises.describe(name)`` says what one
expects and lists its cases.
"""

from __future__ import annotations

import importlib
import inspect

from cnnlab.exercises import catalog, checking, hints, lookup
from cnnlab.exercises.results import CheckResult, Hint

__all__ = [
    "check",
    "hint",
    "reference",
    "solution",
    "names",
    "describe",
    "CheckResult",
    "Hint",
    "DEFAULT_TIME_LIMIT",
]

DEFAULT_TIME_LIMIT = checking.DEFAULT_TIME_LIMIT


def check(name: str, fn=None, forward=None, *, time_limit: float | None = DEFAULT_TIME_LIMIT) -> CheckResult:
    """Check your implementation of exercise ``name``; returns a result that shows its verdict.

    Inputs:
    - name: the exercise, e.g. "conv_forward_naive" (``names()`` lists them)
    - fn: your function, with the exercise's signature (``describe(name)`` shows it); None
      takes the function called ``name`` from the notebook (the caller's global names)
    - forward: for a backward exercise, your matching forward function (its cache is what
      your backward receives); None uses the notebook's forward when ``fn`` is None too,
      else cnnlab's reference forward
    - time_limit: seconds for the whole check (None: no limit)
    Returns a ``CheckResult``: ``.passed`` (bool), ``.outcomes`` (one per case), and the
    verdict as its text; ``.plot()`` draws where the first failing output is wrong.
    Raises ValueError only for an unknown exercise name or a ``forward`` given to an
    exercise that is not a backward pass; problems with your code are FAILs.
    """
    exercise = catalog.get(name)
    if forward is not None and exercise.kind != "backward":
        raise ValueError(f"forward= is for backward exercises; {name!r} is a {exercise.kind} exercise")
    if fn is None:
        namespace = inspect.currentframe().f_back.f_globals
        found = lookup.find(name, namespace)
        if found.function is None:
            return checking.not_found(exercise, found.problem, found.advice, found.details)
        fn = found.function
        if forward is None and exercise.forward:
            forward = _notebook_forward(exercise, namespace)
    return checking.run(exercise, fn, forward, time_limit)


def _notebook_forward(exercise, namespace: dict):
    """The notebook's function called like the exercise's forward; None if absent or cnnlab's own."""
    value = namespace.get(exercise.forward)
    if not callable(value) or str(getattr(value, "__module__", "")).split(".")[0] == "cnnlab":
        return None
    return value


def hint(name: str, level: int | None = None) -> Hint:
    """The next hint for exercise ``name`` (or hint number ``level``, from 1).

    Hints go from where to start to nearly the answer; after the last one, the same last
    hint comes back with how to continue with the reference implementation.
    """
    catalog.get(name)
    return hints.give(name, level)


def reference(name: str):
    """cnnlab's reference implementation of exercise ``name``, to continue when stuck.

    ``conv_forward_naive = exercises.reference("conv_forward_naive")`` lets the later cells
    and lessons run; the checks say when they are given the reference.
    """
    return catalog.get(name).reference


def solution(name: str):
    """cnnlab's answer to exercise ``name``: the source code of its reference, shown as code.

    For when you want to read it, on purpose: the lessons never show it otherwise.
    """
    exercise = catalog.get(name)
    parts = [exercise.reference]
    for entry in exercise.answer_key:  # a reference that wraps a class (the network): its methods too
        module, qualified = entry.split(":")
        if "." in qualified:
            owner, method = qualified.split(".")
            parts.append(getattr(getattr(importlib.import_module(module), owner), method))
    return _Code(name, "\n\n".join(inspect.getsource(part) for part in parts))


def names() -> list:
    """The names of all exercises, in lesson order."""
    return [exercise.name for exercise in catalog.EXERCISES]


def describe(name: str) -> str:
    """What exercise ``name`` expects (signature, lesson) and the cases it is checked on."""
    exercise = catalog.get(name)
    lines = [f"{exercise.signature}  (lesson {exercise.lesson})"]
    if exercise.kind == "backward":
        lines.append(f"checked on the cache of your {exercise.forward} (pass it as forward=...)")
    lines.append("cases:")
    lines += [f"  {case.label}: {case.describe}" for case in exercise.cases()]
    return _Text("\n".join(lines))


class _Text(str):
    """A str that a notebook shows as plain lines (not as a quoted string)."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


class _Code(str):
    """Source code that a notebook shows as a code block (and as plain text elsewhere)."""

    def __new__(cls, name: str, source: str):
        self = super().__new__(cls, source)
        self.name = name
        return self

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))

    def _repr_markdown_(self) -> str:
        return f"cnnlab's answer to `{self.name}`:\n\n```python\n{self}```"
