"""The student's side of grading: run a submission's cells, then its functions on the judge's inputs.

``python -m cnnlab.instructor.kernel IN OUT`` runs in the grading sandbox, one process per
submission, started by the judge (``cnnlab.instructor.judge``). It reads requests from
file descriptor IN and answers on OUT (``cnnlab.instructor.wire``: plain data, no pickle):

- ``setup``: the exercises to look for;
- ``cell``: run one code cell in an IPython shell, as Jupyter would (magics included);
  errors are reported, not fatal. After each cell, the student's latest function of each
  exercise is kept (see below);
- ``functions``: which exercises have a student function, and why not where none;
- ``call``: call the student's function of an exercise on the arguments sent, and send
  back what it returned, what it raised, and the arguments it changed in place;
- ``interrupt`` (read by a thread, at any time): stop what the main thread is doing,
  as the stop button of a notebook does.

Nothing here judges anything: the expected values, the reference and the verdicts stay
with the judge, in another process. Whatever a submission does to this process (to
cnnlab, to numpy, to this module) changes only what its own functions return.

Which function is graded: the one the exercise's name held after the last cell that
defined it or used it (the check cell, say), as the student last saw it work. It keeps
the notebook's variables as they were then, so a ``%reset``, ``del``, or a scratch cell
that rebinds ``np`` or a helper at the end of the notebook cannot cost it its points. A
name rebound to something of cnnlab's (``exercises.reference(...)``) is not the student's.
"""

from __future__ import annotations

import collections
import difflib
import os
import queue
import re
import signal
import sys
import threading
import types

import numpy as np

from cnnlab.instructor import wire

__all__ = ["AnswerKeyHiddenError", "hidden", "stand_in", "student_function", "main"]

MAX_KEPT = 512  # objects kept for the judge (caches), the most recent first
_CELL_FILE = re.compile(r"\((?:\S*?\d+\.py|<ipython-input-[^>]*>), line (\d+)\)")  # a cell, in a SyntaxError
_NAMES: tuple = ()
_LATEST: dict = {}  # exercise -> the student's function, bound to the variables it was last used with
_RAW: dict = {}  # exercise -> that function as the notebook holds it (to tell a redefinition)
_KEPT: collections.OrderedDict = collections.OrderedDict()  # handle number -> object
_NUMBERS: dict = {}  # id(object) -> handle number, for objects in _KEPT
_MISSING = object()


class AnswerKeyHiddenError(RuntimeError):
    """Raised by the parts of cnnlab that grading hides: the answer key of the exercises being graded."""


def hidden(what: str) -> AnswerKeyHiddenError:
    """The error a hidden part of cnnlab raises when called while grading."""
    return AnswerKeyHiddenError(
        f"{what} is not available while the notebook is graded (cnnlab's answer key stays outside the "
        "grading sandbox): answer the exercise with your own code"
    )


def student_function(name: str):
    """The student's latest function for exercise ``name``, or None (used by the sandbox's stand-ins)."""
    return _LATEST.get(name)


def _network_loss(model, X, y=None):
    """``ThreeLayerConvNet.loss`` while lesson 7 is graded: the student's network, on the model's weights."""
    loss = _LATEST.get("three_layer_convnet_loss")
    if loss is None or model.norm is not None:  # the exercise's network has no norm layer
        raise hidden("cnnlab.model.ThreeLayerConvNet.loss")
    return loss(model.params, X, y, model.reg)


_STAND_INS = {"cnnlab.model.ThreeLayerConvNet.loss": _network_loss}


def stand_in(qualified: str, *args, **kwargs):
    """What a hidden part of cnnlab (``cnnlab.layers.pool.max_pool_forward_naive``) does while grading.

    It calls the student's own function of that name (or, for ``ThreeLayerConvNet.loss``,
    the student's network loss), so that a lesson's cells run on the student's code; where
    the student has none, it raises ``AnswerKeyHiddenError``. A student's function that
    calls cnnlab's version of itself therefore calls itself, and gains nothing.
    """
    route = _STAND_INS.get(qualified)
    if route is not None:
        return route(*args, **kwargs)
    function = _LATEST.get(qualified.rsplit(".", 1)[-1])
    if function is None:
        raise hidden(qualified)
    return function(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
# Requests


class _Kernel:
    def __init__(self, shell):
        self.shell = shell
        self.undefined: set = set()  # names that cells stopped by hidden cnnlab code did not define

    def handle(self, header: dict, buffers: list) -> tuple:
        op = header.get("op")
        if op == "setup":
            global _NAMES
            _NAMES = tuple(str(n) for n in header.get("names", []))
            return {}, []
        if op == "cell":
            return self.cell(str(header.get("source", ""))), []
        if op == "functions":
            return {"functions": {name: _describe(name, self.shell.user_ns) for name in _NAMES}}, []
        if op == "call":
            return _call(header, buffers)
        if op == "forget":
            _KEPT.clear()
            _NUMBERS.clear()
            return {}, []
        raise wire.WireError(f"unknown request {op!r}")

    def cell(self, source: str) -> dict:
        result = self.shell.run_cell(source, store_history=True)
        error = result.error_before_exec or result.error_in_exec
        _remember(self.shell.user_ns, source)
        if error is None:
            return {"error": None}
        message = _CELL_FILE.sub(r"(line \1)", str(error))
        return {"error": f"{type(error).__name__}: {_clip(message)}", "hidden": self.hidden_cause(error, source)}

    def hidden_cause(self, error: BaseException, source: str) -> bool:
        """True for an error that grading itself caused: a call of hidden cnnlab code, or a name that a
        cell which made such a call did not get to define."""
        if isinstance(error, AnswerKeyHiddenError):
            self.undefined.update(_assigned(source))
            return True
        return isinstance(error, NameError) and getattr(error, "name", None) in self.undefined


def _assigned(source: str) -> set:
    """The names a cell assigns (``x = ...``, ``for x in``, ``def x``), as far as it can be parsed."""
    import ast

    try:
        from IPython.core.inputtransformer2 import TransformerManager

        tree = ast.parse(TransformerManager().transform_cell(source))
    except Exception:  # noqa: BLE001 - a cell that does not parse assigns nothing we can tell
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.add(node.name)
    return found


def _describe(name: str, namespace: dict) -> dict:
    """Whether the student wrote a function for exercise ``name``, and if not, what is there instead."""
    function = _LATEST.get(name)
    if function is not None:
        return {"defined": True, "parameters": _parameters(function)}
    value = namespace.get(name, _MISSING)
    if value is _MISSING:
        return {"defined": False, "missing": True, "problem": f"no function named {name}{_renamed(name, namespace)}"}
    if callable(value) and _from_cnnlab(value):
        problem = f"{name} is cnnlab's reference implementation, not the student's own"
        return {"defined": False, "missing": True, "problem": problem}
    return {"defined": False, "problem": f"{name} is a {type(value).__name__}, not a function"}


def _call(header: dict, buffers: list) -> tuple:
    from cnnlab.exercises import running

    name = str(header.get("function"))
    function = _LATEST.get(name)
    if function is None:
        return {"ok": False, "error": f"no function {name} to call", "types": ["LookupError"]}, []
    args = wire.decode(header.get("args"), buffers, resolve=_resolve)
    if not isinstance(args, list):
        raise wire.WireError("call arguments are not a list")
    before = [running.snapshot(arg) for arg in args]
    printed: list = []
    with running.quiet(printed):
        call = running.call(function, *args)
    reply = {"ok": call.ok, "printed": [_clip(line, 300) for line in printed[:20]], "changed": {}}
    out = []
    if not call.ok:
        exc = call.exception
        reply.update(
            error=call.error,
            unwritten=call.unwritten,
            at_call=bool(exc is not None and running.raised_at_call(exc)),
            types=[cls.__name__ for cls in type(exc).__mro__] if exc is not None else [],
            message=_clip(str(exc), 500) if exc is not None else "",
            key=_simple(exc.args[0]) if isinstance(exc, KeyError) and exc.args else None,
        )
    for index, (old, new) in enumerate(zip(before, args)):
        if not _same(old, new):
            tree, data = wire.encode(new, keep=_keep)
            reply["changed"][str(index)] = _shift(tree, len(out))
            out += data
    if call.ok:
        tree, data = wire.encode(call.value, keep=_keep)
        reply["value"] = _shift(tree, len(out))
        out += data
    return reply, out


def _shift(tree, offset: int):
    """``tree`` with its buffer numbers moved by ``offset`` (several trees share one buffer list)."""
    if isinstance(tree, dict):
        moved = {key: _shift(value, offset) for key, value in tree.items()}
        if "buffer" in tree and tree.get("$") in ("array", "scalar"):
            moved["buffer"] = tree["buffer"] + offset
        return moved
    if isinstance(tree, list):
        return [_shift(item, offset) for item in tree]
    return tree


def _keep(value) -> int:
    number = _NUMBERS.get(id(value))
    if number is not None and _KEPT.get(number) is value:
        _KEPT.move_to_end(number)
        return number
    number = (max(_KEPT) + 1) if _KEPT else 1
    _KEPT[number] = value
    _NUMBERS[id(value)] = number
    while len(_KEPT) > MAX_KEPT:
        old, obj = _KEPT.popitem(last=False)
        _NUMBERS.pop(id(obj), None)
    return number


def _resolve(number: int):
    if number not in _KEPT:
        raise wire.WireError(f"object {number} is no longer kept")
    return _KEPT[number]


def _same(before, after) -> bool:
    """True if ``after`` equals the copy taken before the call (new dict keys count as a change)."""
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or before.shape != after.shape or before.dtype != after.dtype:
            return False
        equal = before == after
        if before.dtype.kind in "fc":
            equal |= np.isnan(before) & np.isnan(after)
        return bool(np.all(equal))
    if isinstance(before, dict):
        return (
            isinstance(after, dict)
            and before.keys() == after.keys()
            and all(_same(before[k], after[k]) for k in before)
        )
    if isinstance(before, (list, tuple)):
        return (
            type(before) is type(after)
            and len(before) == len(after)
            and all(_same(b, a) for b, a in zip(before, after))
        )
    try:
        return bool(before == after)
    except Exception:  # noqa: BLE001 - objects that cannot be compared: take them as unchanged
        return True


def _simple(value):
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)[:100]


# ---------------------------------------------------------------------------------------------
# Which function is the student's


def _remember(namespace: dict, source: str) -> None:
    """After a cell: keep each exercise's function if the cell defined it anew, or used it."""
    for name in _NAMES:
        value = namespace.get(name, _MISSING)
        try:
            students = value is not _MISSING and callable(value) and not _from_cnnlab(value)
        except Exception:  # noqa: BLE001 - an object whose attributes raise: not a function
            students = False
        if students and value is not _RAW.get(name):
            _RAW[name] = value
            _LATEST[name] = _bound(value, namespace, name)
        elif value is not _MISSING and value is _RAW.get(name) and re.search(rf"\b{re.escape(name)}\b", source):
            _LATEST[name] = _bound(value, namespace, name)


def _bound(function, namespace: dict, name: str):
    """``function`` with its global names as they are now in ``namespace`` (a copy the notebook cannot change).

    Every notebook function in that copy is bound to it too, so helpers keep working; other
    callables (a class, a partial) are kept as they are.
    """
    if not isinstance(function, types.FunctionType) or function.__globals__ is not namespace:
        return function
    frozen = dict(namespace)
    for key, value in frozen.items():
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
            frozen[key] = _rebind(value, frozen)
    if namespace.get(name) is not function:  # kept under its name, but the name now holds something else
        return _rebind(function, frozen)
    return frozen[name]


def _rebind(function: types.FunctionType, globals_: dict) -> types.FunctionType:
    copy = types.FunctionType(
        function.__code__, globals_, function.__name__, function.__defaults__, function.__closure__
    )
    copy.__kwdefaults__ = function.__kwdefaults__
    copy.__qualname__ = function.__qualname__
    copy.__module__ = function.__module__
    copy.__doc__ = function.__doc__
    copy.__dict__.update(function.__dict__)
    return copy


def _from_cnnlab(value) -> bool:
    return str(getattr(value, "__module__", "") or "").split(".")[0] == "cnnlab"


def _renamed(name: str, namespace: dict) -> str:
    """`` (the notebook defines conv_forward: renamed?)`` if it defines a function with a similar name."""
    functions = [
        k
        for k, v in namespace.items()
        if isinstance(v, types.FunctionType) and not k.startswith("_") and k not in _NAMES
    ]
    close = difflib.get_close_matches(name, functions, n=1, cutoff=0.75)
    return f" (the notebook defines {close[0]}: renamed?)" if close else " (deleted, renamed, or its cell failed?)"


def _parameters(function) -> str:
    import inspect

    try:
        return str(inspect.signature(function))
    except (TypeError, ValueError):
        return "(...)"


# ---------------------------------------------------------------------------------------------
# The process


def _shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="nocolor")

    def no_exit(*_args, **_kwargs):
        raise SystemExit("exit() or quit() was called; grading goes on with the next cell")

    shell.ask_exit = no_exit  # exit() would end the shell; in a kernel it ends only its cell
    return shell


def _reader(fd: int, requests: queue.Queue) -> None:
    """Read requests; an ``interrupt`` stops the main thread at once (SIGINT), the others queue up."""
    while True:
        try:
            message = wire.read(fd)
        except (EOFError, OSError, wire.WireError) as exc:
            requests.put(exc)
            return
        if message[0].get("op") == "interrupt":
            os.kill(os.getpid(), signal.SIGINT)
        else:
            requests.put(message)


def _only_the_grading_copy() -> None:
    """Let ``import cnnlab...`` find only the grading copy this module is part of.

    An editable install (``pip install -e``) adds a finder that would find the modules the
    grading copy leaves out (the checker, the catalog) in the checkout; without the sandbox
    that checkout is on disk, so the finder and any other path to a cnnlab go.
    """
    import importlib

    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in f"{type(f).__module__}.{type(f).__name__}".lower()]
    sys.path[:] = [p for p in sys.path if not os.path.isdir(os.path.join(p or ".", "cnnlab")) or os.path.abspath(p) == here]
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    _only_the_grading_copy()
    fd_in, fd_out = int(argv[0]), int(argv[1])
    os.set_inheritable(fd_out, False)
    os.set_inheritable(fd_in, False)
    kernel = _Kernel(_shell())
    requests: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(fd_in, requests), daemon=True).start()
    wire.write(fd_out, {"ready": True, "pid": os.getpid()})
    while True:
        try:
            message = requests.get()
        except KeyboardInterrupt:  # an interrupt with nothing running
            continue
        if isinstance(message, BaseException):
            return 0  # the judge closed the channel: grading is over
        header, buffers = message
        reply: dict = {"id": header.get("id")}
        data: list = []
        try:
            answer, data = kernel.handle(header, buffers)
            reply.update(answer)
        except KeyboardInterrupt:
            reply["interrupted"] = True
        except wire.WireError as exc:
            reply["refused"] = str(exc)
        except Exception as exc:  # noqa: BLE001 - a request that failed here: say so, keep serving
            reply["refused"] = f"{type(exc).__name__}: {_clip(exc)}"
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a late interrupt must not cut a reply in two
        try:
            wire.write(fd_out, reply, data)
        finally:
            signal.signal(signal.SIGINT, previous)


def _clip(value, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


if __name__ == "__main__":  # run as the module cnnlab.instructor.kernel, not as a second copy called __main__
    from cnnlab.instructor import kernel

    sys.exit(kernel.main())
