"""The judge: grades one submission from outside the process that runs the student's code.

``python -m cnnlab.instructor.judge`` reads one job (JSON) on stdin and writes its result
(JSON) on stdout. It starts the student's kernel (``cnnlab.instructor.kernel``) in the
grading sandbox (``cnnlab.instructor.sandbox``) and talks to it over two private pipes:

1. the notebook's code cells run in the kernel, top to bottom, errors allowed, within
   the job's ``timeout``. A cell still running at the deadline is interrupted and the
   cells after it do not run; the functions defined before it are still checked. A
   kernel that dies (``os._exit``, a crash, out of memory) gets no checks;
2. each exercise is checked here, by cnnlab's own check (``cnnlab.exercises.checking``),
   on a ``KernelFunction``: a stand-in for the student's function whose calls send the
   case's inputs to the kernel and receive what the student's code returned. The
   reference, the expected values and the verdict never enter the kernel. A backward
   pass is checked with the student's forward when that passes its check, else with
   cnnlab's (so one mistake does not cost twice). Each check has its time limit here,
   where student code cannot defeat it; a kernel that does not stop when interrupted is
   killed, and the checks after it are not run;
3. the kernel and every process it started are killed, then the result is written.

The result: ``status`` ("ok", "timeout", "died", "stuck" or "failed"), the ``cell`` it
stopped at, ``message``, ``checks`` (exercise -> passed, reason, verdict, mistake, cases,
cases_passed, unwritten), the ``errors`` of the cells, ``output_bytes``, whether the kernel
was ``sandboxed``, and the ``seconds`` the job took and ``kernel_cpu_seconds`` the kernel used.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from cnnlab.exercises import running
from cnnlab.instructor import sandbox, wire

__all__ = ["KernelFunction", "Kernel", "judge", "STARTUP_ALLOWANCE", "GRACE"]

STARTUP_ALLOWANCE = 60.0  # seconds for the kernel to start
GRACE = 5.0  # seconds an interrupted kernel has to stop what it is doing
MAX_REPLY = 256 * 2**20  # bytes in one reply from the kernel


class KernelDied(BaseException):
    """The kernel process ended (crashed, was killed, or ran out of memory). (A BaseException, so a
    check stops at once rather than count it against each of its cases.)"""


class KernelStuck(BaseException):
    """The kernel did not stop when interrupted; it has been killed. (A BaseException: a check must not
    take it for a failure of the student's code and go on.)"""


class KernelTimeoutError(Exception):
    """A request that did not finish in time; ``recovered`` if the kernel stopped when interrupted."""

    def __init__(self, recovered: bool):
        super().__init__("timed out")
        self.recovered = recovered


class Kernel:
    """The judge's end of one student kernel: requests, replies, interrupts, output counting."""

    def __init__(self, box: sandbox.Sandbox, workdir: Path):
        to_kernel, self._to = os.pipe()
        self._from, from_kernel = os.pipe()
        out_read, out_write = os.pipe()
        argv, env, cwd = box.command(workdir, (to_kernel, from_kernel))
        self.process = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out_write,
            stderr=out_write,
            pass_fds=(to_kernel, from_kernel),
            preexec_fn=box.limits,
            start_new_session=True,
        )
        for fd in (to_kernel, from_kernel, out_write):
            os.close(fd)
        self.output_bytes, self._tail = 0, b""
        self._drain = threading.Thread(target=self._count_output, args=(out_read,), daemon=True)
        self._drain.start()
        self._next, self._pending = 0, None
        self.alive = True
        try:
            header, _ = self._receive(None, STARTUP_ALLOWANCE)
        except (KernelDied, KernelTimeoutError, wire.WireError):
            header = {}
        if not header.get("ready"):
            self.close()  # so that everything it printed has been read
            tail = self.last_output()
            raise KernelDied(f"the kernel did not start{': ' + tail if tail else ''}")

    def request(self, header: dict, buffers=(), timeout: float | None = None) -> tuple:
        """Send a request and wait for its reply ``(header, buffers)``.

        ``timeout``: on expiry the kernel is interrupted and ``KernelTimeoutError`` raised. Anything
        that stops the wait here (the check's time limit) interrupts the kernel too; the
        next request first waits ``GRACE`` seconds for it to stop (else ``KernelStuck``).
        """
        if not self.alive:
            raise KernelDied("the kernel has stopped")
        self._settle()
        self._next += 1
        number = self._next
        try:
            wire.write(self._to, dict(header, id=number), buffers)
        except OSError:
            self.alive = False
            raise KernelDied("the kernel has stopped") from None
        try:
            reply = self._receive(number, timeout)
        except KernelTimeoutError:
            self._interrupt(number)
            try:
                self._settle()
            except KernelStuck:
                raise KernelTimeoutError(recovered=False) from None
            raise KernelTimeoutError(recovered=True) from None
        except (KernelDied, wire.WireError):
            raise
        except BaseException:  # the check's time limit, or Ctrl-C: stop the kernel's call too
            self._interrupt(number)
            raise
        return reply

    def _interrupt(self, number: int) -> None:
        self._pending = number
        with contextlib.suppress(OSError):
            wire.write(self._to, {"op": "interrupt"})

    def _settle(self) -> None:
        """Wait for the reply to an interrupted request; kill the kernel if it does not come."""
        if self._pending is None:
            return
        number, self._pending = self._pending, None
        for _ in range(2):
            try:
                self._receive(number, GRACE)
                return
            except KernelTimeoutError:
                with contextlib.suppress(OSError):
                    wire.write(self._to, {"op": "interrupt"})
        self.kill()
        raise KernelStuck("the kernel did not stop when interrupted")

    def _receive(self, number, timeout: float | None) -> tuple:
        deadline = None if timeout is None else time.monotonic() + max(timeout, 0.0)
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise KernelTimeoutError(recovered=False)
            ready, _, _ = select.select([self._from], [], [], remaining)
            if not ready:
                raise KernelTimeoutError(recovered=False)
            try:
                header, buffers = wire.read(self._from, MAX_REPLY)
            except EOFError:
                self.alive = False
                raise KernelDied("the kernel has stopped") from None
            if number is None or header.get("id") == number:
                return header, buffers

    def _count_output(self, fd: int) -> None:
        with open(fd, "rb", buffering=0) as stream:
            while chunk := stream.read(65536):
                self.output_bytes += len(chunk)
                self._tail = (self._tail + chunk)[-2000:]

    def last_output(self) -> str:
        """The end of what the kernel printed, for an error report."""
        lines = [line for line in self._tail.decode("utf-8", "replace").splitlines() if line.strip()]
        return lines[-1].strip()[:300] if lines else ""

    def kill(self) -> None:
        self.alive = False
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, 9)
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def close(self) -> None:
        for fd in (self._to, self._from):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.kill()
        self._drain.join(timeout=5)


class KernelFunction(running.Elsewhere):
    """The student's function of an exercise, called in the kernel: what ``cnnlab.exercises`` checks.

    Arguments go as plain data (objects the kernel kept, such as a cache, as handles);
    the reply's value, the arguments the call changed in place (applied here to the same
    arguments, so the check sees the change), what it printed (printed here, where the
    check hides and counts it), or what it raised (as a ``running.RemoteError``).
    """

    def __init__(self, kernel: Kernel, name: str, parameters: str = "(...)"):
        self.kernel, self.name, self.parameters = kernel, name, str(parameters)[:300]

    def __repr__(self) -> str:
        return f"<the student's {self.name}, in the grading kernel>"

    def call(self, *args) -> running.Call:
        tree, buffers = wire.encode(list(args))
        try:
            header, data = self.kernel.request({"op": "call", "function": self.name, "args": tree}, buffers)
            if header.get("refused"):
                return running.Call(error=f"could not be called by the grader ({_clip(header['refused'])})")
            for line in header.get("printed", [])[:20]:
                print(_clip(line, 300))
            for index, changed in (header.get("changed") or {}).items():
                position = int(index)
                if 0 <= position < len(args):
                    _update(args[position], wire.decode(changed, data))
            if header.get("ok"):
                return running.Call(value=wire.decode(header.get("value"), data))
        except (wire.WireError, ValueError, TypeError) as exc:
            return running.Call(error=f"sent back something the grader cannot read ({_clip(exc)})")
        error = _clip(header.get("error") or "failed", 500)
        exception = running.RemoteError(
            _clip(header.get("message", ""), 500),
            types=[str(t) for t in header.get("types", [])][:20],
            at_call=bool(header.get("at_call")),
            key=header.get("key") if isinstance(header.get("key"), (str, int, float, bool)) else None,
        )
        return running.Call(error=error, exception=exception, unwritten=bool(header.get("unwritten")))


def _update(original, new) -> None:
    """Make ``original`` (an argument the judge passed) what the call left it as, in place."""
    if isinstance(original, np.ndarray) and isinstance(new, np.ndarray) and original.shape == new.shape:
        with contextlib.suppress(TypeError, ValueError):
            original[...] = new
    elif isinstance(original, dict) and isinstance(new, dict):
        original.clear()
        original.update(new)
    elif isinstance(original, list) and isinstance(new, list):
        original[:] = new
    elif isinstance(original, tuple) and isinstance(new, tuple) and len(original) == len(new):
        for old, now in zip(original, new):
            _update(old, now)
    elif isinstance(original, wire.Handle):
        original.version += 1


# ---------------------------------------------------------------------------------------------
# One submission


def judge(job: dict) -> dict:
    """Run and check one submission (see the module docstring); the result as a dict."""
    sandbox.become_subreaper()
    result = {"status": "ok", "cell": None, "message": "", "errors": {}, "hidden_errors": [], "checks": {}}
    started = time.monotonic()
    kernel = None
    with tempfile.TemporaryDirectory(prefix="cnnlab-judge-") as tmp:
        names = [name for name, _ in job["tasks"]]
        box = sandbox.Sandbox(sandbox.build_package(Path(tmp) / "package", names), job["memory"], job["threads"])
        result["sandboxed"] = box.sandboxed
        work = Path(tmp) / "work"
        work.mkdir(mode=0o700)
        try:
            kernel = Kernel(box, work)
            kernel.request({"op": "setup", "names": names}, timeout=STARTUP_ALLOWANCE)
            if _run_cells(kernel, job, result):
                _check_all(kernel, job, result)
        except (KernelDied, KernelTimeoutError) as exc:
            if result["status"] == "ok":
                tail = kernel.last_output() if kernel else ""
                result.update(
                    status="failed", message=f"the kernel could not start ({exc}){': ' + tail if tail else ''}"
                )
        except wire.WireError as exc:
            result.update(
                status="failed",
                message=f"its kernel wrote something else than replies on the grading channel (tampering?): {exc}",
            )
        finally:
            if kernel is not None:
                result["output_bytes"] = kernel.output_bytes
                result["kernel_cpu_seconds"] = round(sandbox.cpu_seconds(), 2)  # before it is killed
                kernel.close()
            sandbox.kill_descendants()
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def _run_cells(kernel: Kernel, job: dict, result: dict) -> bool:
    """Run the notebook's cells; False if nothing can be checked after them (the kernel is gone)."""
    deadline = time.monotonic() + job["timeout"]
    for number, source in job["cells"]:
        try:
            header, _ = kernel.request({"op": "cell", "source": source}, timeout=deadline - time.monotonic())
        except KernelTimeoutError as exc:
            result.update(status="timeout", cell=number)
            return exc.recovered
        except KernelDied:
            result.update(status="died", cell=number)
            return False
        if header.get("error"):
            key = "hidden_errors" if header.get("hidden") else "errors"
            if key == "errors":
                result["errors"][str(number)] = _clip(header["error"])
            else:
                result["hidden_errors"].append(number)
    return True


def _check_all(kernel: Kernel, job: dict, result: dict) -> None:
    from cnnlab.exercises import catalog, checking

    header, _ = kernel.request({"op": "functions"}, timeout=STARTUP_ALLOWANCE)
    functions = header.get("functions") if isinstance(header.get("functions"), dict) else {}
    passed: dict = {}
    limit = job["check_time_limit"]

    def student(name):
        info = functions.get(name)
        if isinstance(info, dict) and info.get("defined"):
            return KernelFunction(kernel, name, info.get("parameters", "(...)"))
        return None

    for name, forward_name in job["tasks"]:
        function = student(name)
        if function is None:
            info = functions.get(name) if isinstance(functions.get(name), dict) else {}
            problem = _clip(info.get("problem") or f"no function named {name}", 300)
            result["checks"][name] = {"passed": False, "missing": bool(info.get("missing")), "reason": problem}
            continue
        try:
            forward, note = None, ""
            if forward_name and student(forward_name) is not None:
                if forward_name not in passed:
                    passed[forward_name] = checking.run(
                        catalog.get(forward_name), student(forward_name), None, limit
                    ).passed
                if passed[forward_name]:
                    forward = student(forward_name)
                else:
                    note = f" (checked on cnnlab's reference {forward_name}, since the notebook's fails)"
            verdict = checking.run(catalog.get(name), function, forward, limit)
            passed[name] = verdict.passed
            result["checks"][name] = {
                "passed": verdict.passed,
                "reason": reason(verdict) + note,
                "verdict": str(verdict)[:4000],
                "mistake": mistake(verdict),
                "cases": verdict.total,
                "cases_passed": verdict.cases_passed,
                "unwritten": verdict.unwritten,
            }
            kernel.request({"op": "forget"}, timeout=GRACE)
        except (KernelStuck, KernelTimeoutError):
            result.update(status="stuck", message=name)
            return
        except KernelDied:
            result.update(status="died", message="while checking " + name)
            return


def reason(result) -> str:
    """A verdict in one line, without the name: ``FAIL (3/10 cases passed); case 'x': what went wrong``."""
    if result.unwritten:
        return f"FAIL (0/{result.total} cases passed); not written yet (it still raises NotImplementedError)"
    text = result.verdict().split(": ", 1)[-1]
    failures = result.failures
    if failures and failures[0].problems:
        problem = _headline(failures[0])
        if "NotImplementedError" in problem and not result.cases_passed:
            who = "its forward" if problem.startswith("your forward") else "it"
            text += f"; not written yet ({who} still raises NotImplementedError)"
        else:
            text += f"; case {failures[0].label!r}: {problem}"
    return _clip(text, 300)


def mistake(result) -> str:
    """What went wrong, in words that are the same for every submission that made the same mistake.

    "" for a pass; else the first sentence that names the mistake (``named_mistake``), or the
    first diagnosis of the first failing case, or the pattern of the failing cases, or that
    case's headline problem (``cnnlab report`` counts them).
    """
    if result.passed:
        return ""
    if result.unwritten:
        return "not written yet"
    failures = result.failures
    if not failures:
        return _clip(result.stopped or "failed", 300)
    first = failures[0]
    named = result.named_mistake()
    if named is not None:
        return _clip(named, 300)
    if first.diagnoses:
        return _clip(first.diagnoses[0], 300)
    if result.pattern:
        return _clip(result.pattern, 300)
    return _clip(f"case {first.label!r}: {_headline(first) if first.problems else 'wrong'}", 300)


def _headline(outcome) -> str:
    """A failing case's first problem, without the advice after it."""
    return outcome.problems[0].split("; ")[0]


def _clip(value, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main() -> int:
    """``python -m cnnlab.instructor.judge`` < job.json > result.json"""
    job = json.loads(sys.stdin.read())
    result = judge(job)
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
