"""What runs inside a grading kernel (``cnnlab check`` / ``cnnlab grade``), not in lessons.

Before the student's cells run, ``watch(names)`` registers an IPython ``post_run_cell``
hook. After every cell it remembers, for each exercise, the function of that name the
student defined most recently. So a notebook that later rebinds the name (the lessons'
``conv_forward_naive = exercises.reference(...)`` fallback, or a variable of the same name)
is graded on what the student wrote, and a student who never wrote one is not graded on
cnnlab's reference.

After the last cell, ``grade(...)`` runs cnnlab's own check on that function (a backward
pass with the student's forward if that passes, else with cnnlab's) and appends one JSON
line to a results file: the student's check cells (which a student can edit) are never
read. The state is kept in this module, not in the notebook's namespace, so
``%reset`` or ``del`` in a cell cannot lose it.
"""

from __future__ import annotations

import difflib
import json
import types

__all__ = ["watch", "grade"]

_NAMES: tuple = ()
_LATEST: dict = {}  # exercise name -> the student's function of that name, as last defined
_PASSED: dict = {}  # exercise name -> whether its check passed (a backward needs its forward's)
_MISSING = object()


def watch(names) -> None:
    """Remember the student's latest function of each name in ``names`` after every cell.

    Also makes ``exit()`` in a cell stop only that cell, as ``sys.exit()`` does in a
    kernel, instead of shutting the kernel down.
    """
    from IPython import get_ipython

    global _NAMES
    _NAMES = tuple(names)
    shell = get_ipython()
    shell.events.register("post_run_cell", _remember)
    shell.ask_exit = _no_exit  # exit() and quit() would shut the kernel down after their cell


def _no_exit() -> None:
    raise SystemExit("exit() or quit() was called; grading goes on with the next cell")


def _remember(*_) -> None:
    namespace = _namespace()
    for name in _NAMES:
        value = namespace.get(name, _MISSING)
        try:
            if callable(value) and not _from_cnnlab(value):
                _LATEST[name] = value
        except Exception:  # noqa: BLE001, S112 - an object whose attributes raise: not a function
            continue


def grade(name: str, forward: str | None, results_path: str, time_limit: float) -> None:
    """Check the student's ``name`` (with their ``forward`` for a backward pass); append the verdict.

    The line written to ``results_path`` is JSON with ``exercise``, ``passed``, ``reason``
    (one line) and ``verdict`` (the check's full text). Nothing the student's code does
    stops the line from being written: its exceptions, ``sys.exit()`` and the check's time
    limit all become a failed verdict.
    """
    record = {"exercise": name}
    try:
        record.update(_grade(name, forward, time_limit))
    except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt: still a line
        record.update(passed=False, reason=f"the check could not run: {type(exc).__name__}: {_clip(exc)}")
    with open(results_path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


def _grade(name: str, forward: str | None, time_limit: float) -> dict:
    from cnnlab import exercises

    function = _LATEST.get(name)
    if function is None:
        value = _namespace().get(name, _MISSING)
        if value is _MISSING:
            return {"passed": False, "missing": True, "reason": f"no function named {name}{_renamed(name)}"}
        if callable(value) and _from_cnnlab(value):
            return {"passed": False, "reason": f"{name} is cnnlab's reference implementation, not the student's own"}
        return {"passed": False, "reason": f"{name} is a {type(value).__name__}, not a function"}
    copied = _uses_reference(function, name)
    if copied:
        return {"passed": False, "reason": f"{name} calls cnnlab's own {copied} instead of computing the answer"}
    given, note = _forward_for(forward, time_limit)
    result = exercises.check(name, function, forward=given, time_limit=time_limit)
    _PASSED[name] = bool(result.passed)
    return {"passed": bool(result.passed), "reason": _reason(result) + note, "verdict": str(result)[:4000]}


def _forward_for(forward: str | None, time_limit: float) -> tuple:
    """``(function, note)``: the forward a backward exercise is checked with.

    The student's own forward if it passes its check (as the notebook's check cell would
    pass it); otherwise cnnlab's reference forward (None), so the backward is graded on
    its own merit and a wrong forward does not cost its points twice.
    """
    if not forward:
        return None, ""
    function = _LATEST.get(forward)
    if function is None:
        return None, ""
    if forward not in _PASSED:
        from cnnlab import exercises

        _PASSED[forward] = bool(exercises.check(forward, function, time_limit=time_limit).passed)
    if _PASSED[forward]:
        return function, ""
    return None, f" (checked on cnnlab's reference {forward}, since the notebook's fails)"


def _reason(result) -> str:
    """The verdict in one line, without the name: ``FAIL (3/10 cases passed); case 'x': what went wrong``."""
    text = result.verdict().split(": ", 1)[-1]
    failures = result.failures
    if failures and failures[0].problems:
        problem = failures[0].problems[0].split("; ")[0]  # the headline, not the advice after it
        if "NotImplementedError" in problem and not result.cases_passed:
            who = "its forward" if problem.startswith("your forward") else "it"
            text += f"; not written yet ({who} still raises NotImplementedError)"
        else:
            text += f"; case {failures[0].label!r}: {problem}"
    return _clip(text, 300)


def _renamed(name: str) -> str:
    """`` (found conv_forward: renamed?)`` if the notebook defines a function with a similar name."""
    from cnnlab import exercises

    others = set(exercises.names())  # another exercise's function is not this one renamed
    namespace = _namespace()
    functions = [
        k
        for k, v in namespace.items()
        if isinstance(v, types.FunctionType) and not k.startswith("_") and k not in others
    ]
    close = difflib.get_close_matches(name, functions, n=1, cutoff=0.75)
    return f" (the notebook defines {close[0]}: renamed?)" if close else " (deleted, renamed, or its cell failed?)"


def _uses_reference(function, name: str) -> str | None:
    """The cnnlab function ``function`` delegates to instead of answering ``name``, or None.

    Looks at the global names the function's code (and code nested in it) uses: cnnlab's
    function of the same name (however it was imported or renamed), ``exercises.reference``,
    or ``module.name`` on a cnnlab module. Using other cnnlab helpers (``im2col`` in the fast
    convolution, ``cnnlab.shapes``) is fine.
    """
    code = getattr(function, "__code__", None)
    namespace = getattr(function, "__globals__", None)
    if code is None or not isinstance(namespace, dict):
        return None
    names = set()
    stack = [code]
    while stack:
        current = stack.pop()
        names.update(current.co_names)
        stack += [c for c in current.co_consts if isinstance(c, types.CodeType)]
    for used in names:
        value = namespace.get(used, _MISSING)
        try:
            if callable(value) and _from_cnnlab(value) and getattr(value, "__name__", "") == name:
                return f"{value.__module__}.{name}"
            if isinstance(value, types.ModuleType) and value.__name__.startswith("cnnlab"):
                if name in names and hasattr(value, name):
                    return f"{value.__name__}.{name}"
                if "reference" in names and value.__name__ == "cnnlab.exercises":
                    return f"reference (exercises.reference({name!r}))"
        except Exception:  # noqa: BLE001, S112 - odd objects in the namespace: ignore them
            continue
    return None


def _from_cnnlab(value) -> bool:
    return str(getattr(value, "__module__", "") or "").split(".")[0] == "cnnlab"


def _namespace() -> dict:
    from IPython import get_ipython

    return get_ipython().user_ns


def _clip(value, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
