"""Running student code so that nothing it does can crash a check.

A check calls the student's function many times. Whatever happens in there (an exception,
``sys.exit()``, an endless loop, printing, warnings, changing its arguments in place)
becomes a plain-words reason for a FAIL; only KeyboardInterrupt (the notebook's stop
button) goes through.

The time limit uses ``signal.setitimer`` and SIGALRM, which exist on Linux and macOS and
work only in the main thread (where a Jupyter kernel runs cells). Elsewhere (Windows, or a
check started from another thread) there is no time limit, and ``time_limit`` says so.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import io
import os
import signal
import threading
import time
import traceback
import warnings
from dataclasses import dataclass

import numpy as np

__all__ = [
    "TimeLimitExceeded",
    "time_limit",
    "quiet",
    "Call",
    "call",
    "Elsewhere",
    "RemoteError",
    "raised",
    "parameters",
    "describe_exception",
    "snapshot",
    "changes",
]


class TimeLimitExceeded(BaseException):
    """Raised inside student code when a check runs out of time.

    A BaseException, so ``except Exception:`` in student code does not swallow it.
    """


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise TimeLimitExceeded in the main thread once ``seconds`` have passed.

    Yields True if the limit is enforced, False if it cannot be here (no SIGALRM, not the
    main thread, or ``seconds`` is None). The alarm repeats every 0.5 s after the first, so
    student code that swallows one with a bare ``except:`` is stopped by the next. Any
    SIGALRM handler and timer in place before (e.g. pytest-timeout) are restored after.
    """
    usable = (
        seconds is not None and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield False
        return

    armed = [True]

    def on_alarm(signum, frame):
        if armed[0]:
            raise TimeLimitExceeded()

    started = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_timer = signal.setitimer(signal.ITIMER_REAL, max(float(seconds), 1e-3), 0.5)
    try:
        yield True
    finally:
        while True:  # an alarm landing here must not leave our handler or timer behind
            try:
                armed[0] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, signal.SIG_DFL if previous_handler is None else previous_handler)
                break
            except TimeLimitExceeded:
                continue
        remaining, interval = previous_timer
        if remaining > 0:
            signal.setitimer(signal.ITIMER_REAL, max(remaining - (time.monotonic() - started), 1e-3), interval)


@contextlib.contextmanager
def quiet(printed: list):
    """Hide what the student's code prints and warns while checking; its lines go into ``printed``.

    NumPy floating-point warnings are silenced too: NaN and inf in results are reported
    by the check itself.
    """
    buffer = io.StringIO()
    with (
        contextlib.redirect_stdout(buffer),
        contextlib.redirect_stderr(buffer),
        warnings.catch_warnings(),
        np.errstate(all="ignore"),
    ):
        warnings.simplefilter("ignore")
        try:
            yield
        finally:
            printed.extend(line for line in buffer.getvalue().splitlines() if line.strip())


@dataclass
class Call:
    """What one call of student code gave: its return value, or why it has none.

    ``error`` is a plain-words description such as
    ``"raised IndexError: index 7 is out of bounds ... (line 12: out[n, f, i, j] = s)"``.
    """

    value: object = None
    error: str | None = None
    exception: BaseException | None = None
    unwritten: bool = False  # it raised NotImplementedError: the stub of a student copy, still in place

    @property
    def ok(self) -> bool:
        return self.error is None


class Elsewhere:
    """A student's function that runs in another process (the grading kernel).

    ``call(*args)`` returns the ``Call`` that calling it there gave; calling the object
    itself returns the value or raises a ``RemoteError``. See ``cnnlab.instructor.judge``.
    """

    parameters = "(...)"  # the function's parameters, as text

    def call(self, *args) -> Call:
        raise TypeError(f"{type(self).__name__} does not say how to call its function")

    def __call__(self, *args):
        done = self.call(*args)
        if done.ok:
            return done.value
        raise done.exception if done.exception is not None else RemoteError(done.error or "failed")


class RemoteError(Exception):
    """An exception raised by student code in another process, as that process described it.

    ``types``: the names of its class and base classes; ``location``: where in the
    student's code; ``at_call``: raised by the call itself (arguments that do not fit);
    ``key``: the missing key of a KeyError.
    """

    def __init__(self, message: str, types=(), location: str = "", at_call: bool = False, key=None):
        super().__init__(message)
        self.types, self.location, self.at_call, self.key = tuple(types), location, at_call, key


def raised(exc, kind: type) -> bool:
    """True if ``exc`` is a ``kind`` (also when it was raised in another process)."""
    if isinstance(exc, RemoteError):
        return kind.__name__ in exc.types
    return isinstance(exc, kind)


def parameters(fn) -> str:
    """A function's parameters as text, ``(x, w, b, conv_param)``."""
    if isinstance(fn, Elsewhere):
        return fn.parameters
    try:
        return str(inspect.signature(fn))
    except (TypeError, ValueError):
        return "(...)"


def call(fn, *args) -> Call:
    """Call ``fn(*args)``; an exception (or sys.exit) becomes ``Call.error``.

    TimeLimitExceeded and KeyboardInterrupt propagate. A call whose arguments do not fit
    the function's parameters is described as such, not as a TypeError from inside.
    """
    if isinstance(fn, Elsewhere):
        return fn.call(*args)
    try:
        return Call(value=fn(*args))
    except (TimeLimitExceeded, KeyboardInterrupt):
        raise
    except SystemExit as exc:
        return Call(error=f"called sys.exit({exc.code!r}) (or exit()); return a value instead", exception=exc)
    except RecursionError as exc:
        return Call(error=f"recursed too deeply (RecursionError){_location(exc)}", exception=exc)
    except MemoryError as exc:
        return Call(error=f"ran out of memory (MemoryError: {_clip(str(exc))}){_location(exc)}", exception=exc)
    except NotImplementedError as exc:  # the stub of a student copy, still in place
        where = _location(exc).split(":")[0].strip(" ()")
        return Call(
            error=f"not written yet: replace the `raise NotImplementedError` ({where}) with your code",
            exception=exc,
            unwritten=True,
        )
    except Exception as exc:  # noqa: BLE001 - student code may raise anything
        return Call(error=describe_exception(exc), exception=exc)


def describe_exception(exc: BaseException) -> str:
    """``"raised ValueError: message (line 12: the line)"`` for an exception from student code."""
    message = _clip(str(exc)) or "(no message)"
    return f"raised {type(exc).__name__}: {message}{_location(exc)}"


def raised_at_call(exc: BaseException) -> bool:
    """True if the exception was raised by the call itself (wrong arguments), not inside it."""
    if isinstance(exc, RemoteError):
        return exc.at_call
    frames = traceback.extract_tb(exc.__traceback__)
    return isinstance(exc, TypeError) and len(frames) <= 1


def _location(exc: BaseException) -> str:
    """`` (line N in fn: code)`` for the innermost frame of the student's own code, or ''."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_library(f.filename)]
    if not frames:
        return ""
    frame = frames[-1]
    code = f": {_clip(frame.line.strip(), 80)}" if frame.line else ""
    return f" (line {frame.lineno} in {frame.name}{code})"


_LIBRARY_DIRS = tuple(
    directory + os.sep
    for directory in (
        os.path.dirname(os.path.abspath(np.__file__)),  # numpy
        os.path.dirname(os.path.abspath(os.__file__)),  # the standard library
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),  # cnnlab
    )
)


def _is_library(filename: str) -> bool:
    """True for numpy, the standard library, site-packages and cnnlab itself."""
    path = os.path.abspath(filename)
    return path.startswith(_LIBRARY_DIRS) or "site-packages" in path or "dist-packages" in path


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------
# Did the student's code change what it was given?


_UNCOPYABLE = object()


def _differing(before: np.ndarray, after: np.ndarray) -> int:
    """How many elements differ (NaN equals NaN); 0 if the arrays cannot be compared."""
    try:
        same = np.asarray(before == after, dtype=bool)
        if before.dtype.kind in "fc" and after.dtype.kind in "fc":
            same |= np.isnan(before) & np.isnan(after)
        return int(np.size(same) - np.count_nonzero(same))
    except Exception:  # noqa: BLE001 - object arrays whose == raises: cannot tell
        return 0


def snapshot(value):
    """A deep copy of an argument, to compare with after the call (a marker if it cannot be copied)."""
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - exotic objects cannot always be copied; then we cannot tell
        return _UNCOPYABLE


def changes(name: str, before, after, ignore=()) -> list[str]:
    """Plain-words list of what differs between a snapshot and the value after a call.

    ``name`` is how the value is called (``"x"``, ``"bn_param"``); arrays, dicts, lists
    and tuples are compared item by item; ``ignore`` holds dict keys (e.g. running
    statistics) whose changes are intended. A new key added to a dict is not a change.
    """
    if before is _UNCOPYABLE:
        return []
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != before.shape:
            return [f"{name} was replaced"]
        differ = _differing(before, after)
        return [f"{name} was changed in place ({differ} of {before.size} elements)"] if differ else []
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key, value in before.items():
            if key in ignore:
                continue
            if key not in after:
                found.append(f"{name}[{key!r}] was deleted")
            else:
                found += changes(f"{name}[{key!r}]", value, after[key])
        return found
    if isinstance(before, (list, tuple)) and isinstance(after, (list, tuple)):
        if len(before) != len(after):
            return [f"{name} changed length"]
        found = []
        for i, (b, a) in enumerate(zip(before, after)):
            found += changes(f"{name}[{i}]", b, a)
        return found
    try:
        same = bool(before == after)
    except Exception:  # noqa: BLE001 - objects whose == fails or is ambiguous: cannot tell
        same = True
    return [] if same else [f"{name} was changed"]
