"""Finding the student's function in the notebook, and saying why it is not there.

``exercises.check("conv_forward_naive")`` (no function given) looks up the name in the
notebook. A check cell written that way never raises, so Run All goes on to the end of a
lesson even when an exercise cell above it does not compile: the check says which line
is wrong instead, and the lesson's fallback cell goes on with cnnlab's reference.

In IPython (Jupyter), the cells the notebook ran are in its input history. The latest
cell that defines the function tells whether the function in the namespace is the
student's latest version: if that cell does not compile, or stopped before reaching the
``def``, the check says so rather than grading an older version or failing on a NameError.
"""

from __future__ import annotations

import re

__all__ = ["Found", "find"]


class Found:
    """What the notebook holds under an exercise's name: ``function``, or ``problem`` in words."""

    def __init__(self, function=None, problem: str | None = None, advice: str | None = None, details=()):
        self.function = function
        self.problem = problem
        self.advice = advice
        self.details = list(details)  # lines that show the problem (the line that does not compile)


def find(name: str, namespace: dict) -> Found:
    """The student's latest function called ``name`` in ``namespace``, or why there is none."""
    latest = _latest_definition(name)
    if latest is not None:
        number, source = latest
        error = _syntax_error(source)
        if error is not None:
            return Found(
                problem=f"its cell, In [{number}], does not compile",
                details=error,
                advice="fix that line and run the cell again, then this check; meanwhile the lesson goes on with "
                "cnnlab's reference",
            )
    value = namespace.get(name)
    if value is None:
        return Found(
            problem=f"there is no function called {name} in this notebook yet",
            advice=f"run the cell that defines {name} first (or check for a typo in its name)",
        )
    if not callable(value):
        return Found(problem=f"{name} is a {type(value).__name__}, not a function")
    if latest is not None and _defined_in(value) is not None and _defined_in(value) < latest[0]:
        return Found(
            problem=f"the latest run of its cell (In [{latest[0]}]) raised an error before defining {name}",
            advice="fix the error shown under that cell and run it again, then this check",
        )
    return Found(function=value)


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _latest_definition(name: str):
    """``(execution count, source)`` of the latest cell run that defines ``name``, or None."""
    shell = _shell()
    history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
    if not history:
        return None
    define = re.compile(rf"^\s*def\s+{re.escape(name)}\s*\(", re.MULTILINE)
    for number in range(len(history) - 1, 0, -1):
        if define.search(history[number] or ""):
            return number, history[number]
    return None


def _syntax_error(source: str) -> list | None:
    """``["line 14: for n in range(N)", "SyntaxError: expected ':'"]`` if the cell does not compile, else None."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        code = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - a cell IPython cannot even transform: compile it as it is
        code = source
    try:
        compile(code, "<cell>", "exec")
    except SyntaxError as exc:
        line = (exc.text or "").strip()
        where = [f"line {exc.lineno}: {line}" if line else f"line {exc.lineno}"] if exc.lineno else []
        return where + [f"{type(exc).__name__}: {exc.msg}"]
    return None


def _defined_in(function) -> int | None:
    """The execution count of the cell that defined ``function`` (IPython only), or None."""
    shell = _shell()
    filename = getattr(getattr(function, "__code__", None), "co_filename", None)
    names = getattr(getattr(shell, "compile", None), "_filename_map", None)
    if not filename or not isinstance(names, dict):
        return None
    number = names.get(filename)
    return number if isinstance(number, int) else None
