"""Calling the student's function during a check, and watching it for cnnlab's answer in disguise.

Every call goes through ``running.call`` (nothing it does can crash the check). While a
check runs (``watch``), a profile hook notes every function of the exercise's answer key
that the student's function runs: grading hides that answer key (``cnnlab.instructor``),
so a function that calls it, under any name, will not count there, and the check says so
(``disguised``). A call that changed its arguments in place fails the case.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import sys

from cnnlab.exercises import catalog, running
from cnnlab.exercises.diagnose import Named
from cnnlab.exercises.exercise import Exercise
from cnnlab.exercises.results import CheckResult, Outcome, array_text

__all__ = [
    "answer_key_code",
    "watch",
    "student_call",
    "call_watched",
    "call_problem",
    "report_changes",
    "disguised",
    "not_a_function",
]

_WATCH: dict = {"codes": {}, "hits": set()}  # while a check runs: code objects of the answer key -> name


def answer_key_code(exercise: Exercise) -> dict:
    """{code object: "module.function"} of what grading hides for ``exercise`` (its answer key)."""
    found = {}
    for module_name, names in catalog.answer_key([exercise.name]).items():
        module = importlib.import_module(module_name)
        if "*" in names:
            for attr, value in vars(module).items():
                if inspect.isfunction(value) and value.__module__ == module_name:
                    found[value.__code__] = f"{module_name}.{attr}"
        for name in sorted(names - {"*"}):
            value = module
            for part in name.split("."):
                value = getattr(value, part)
            found[value.__code__] = f"{module_name}.{name}"
    if found and getattr(exercise.reference, "__code__", None) is not None:
        found[exercise.reference.__code__] = f"{exercise.reference.__module__}.{exercise.reference.__name__}"
    return found


@contextlib.contextmanager
def watch(codes: dict):
    """While the block runs, note the functions of ``codes`` (from ``answer_key_code``) that the
    student's function calls; the list yielded gets their names, sorted, when the block ends."""
    found: list = []
    _WATCH["codes"], _WATCH["hits"] = codes, set()
    try:
        yield found
    finally:
        found += sorted(_WATCH["hits"])
        _WATCH["codes"], _WATCH["hits"] = {}, set()


def student_call(fn, *args) -> running.Call:
    """running.call(fn, *args), noting every function of the answer key that runs inside it."""
    codes = _WATCH["codes"]
    if not codes:
        return running.call(fn, *args)
    hits = _WATCH["hits"]

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes and frame.f_back.f_code not in codes:
            hits.add(codes[frame.f_code])  # the outermost: a helper of the reference is not named

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        return running.call(fn, *args)
    finally:
        sys.setprofile(previous)


def call_watched(exercise: Exercise, fn, given, outcome: Outcome, when: str = "") -> running.Call:
    """fn(*given) through ``running.call``. A failed call fails the case (its words after ``when``);
    a call that changed an argument in place fails it too. Returns the Call."""
    before = [running.snapshot(a) for a in given]
    call = student_call(fn, *given)
    if not call.ok:
        outcome.unwritten = call.unwritten
        outcome.fail(when + call_problem(exercise, call, given, fn))
    else:
        report_changes(exercise, before, given, outcome, by="your function")
    return call


def call_problem(exercise, call: running.Call, given, fn) -> str:
    """A failed call in words, noting when the arguments did not fit the function's parameters."""
    if call.exception is not None and running.raised_at_call(call.exception):
        parameters = running.parameters(fn)
        return Named(
            f"could not be called as {exercise.signature} ({type(call.exception).__name__}: "
            f"{call.exception}); your function's parameters are {parameters}"
        )
    return call.error


def report_changes(exercise: Exercise, before, after, outcome: Outcome, by: str) -> None:
    """Fail the case for every argument the function changed in place (except the keys the entry
    says it updates, e.g. batch norm's running statistics)."""
    for name, old, new in zip(exercise.params, before, after):
        for change in running.changes(name, old, new, exercise.updates.get(name, ())):
            outcome.fail(
                Named(
                    f"{by} changed its input: {change}; work on a copy (e.g. x.copy() or np.pad) instead of "
                    "modifying what it was given"
                )
            )


def disguised(result: CheckResult, exercise: Exercise, hits: list) -> None:
    """The verdict on a function that runs cnnlab's answer: what it calls, and that grading will not count it."""
    right = f"{result.cases_passed}/{result.total}"
    names = ", ".join(hits[:3]) + (f" and {len(hits) - 3} more" if len(hits) > 3 else "")
    if not result.passed:  # it fails anyway: its own verdict says more; the call is a note
        result.notes.insert(0, f"your function calls cnnlab's reference {names}; grading will not count it")
        return
    result.outcomes = []
    result.pattern = None
    result.stopped = f"your function calls cnnlab's reference {names}; grading will not count it"
    result.notes[:0] = [
        f"its results matched on {right} cases, but grading hides cnnlab's answer to {exercise.name} (the call "
        "raises AnswerKeyHiddenError there), so grading will not count this function: write the computation "
        f'yourself (exercises.hint("{exercise.name}") helps)'
    ]


def not_a_function(what: str, value, usage: str) -> str | None:
    """What is wrong with ``value`` given as a function (None if it is one), with how to call the check."""
    if callable(value):
        return None
    called = "; pass the function itself, without calling it" if isinstance(value, tuple) else ""
    return f"{what} is {array_text(value)}, not a function{called}: {usage}"
