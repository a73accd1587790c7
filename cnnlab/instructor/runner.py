"""Running submissions: each in its own process and fresh kernel, with time limits, several at once.

One job is one notebook's code cells and the exercises to check in it. ``run_jobs`` starts,
for each job, a worker process (``python -m cnnlab.instructor.runner JOBDIR``) that:

1. starts a fresh IPython kernel on this same Python (so it imports this cnnlab), in the
   job's ``cwd`` or else an empty temporary folder (so files a submission writes land
   there, not next to the submissions);
2. runs ``kernel.watch`` (see ``cnnlab.instructor.kernel``), then the student's code cells
   top to bottom, errors allowed, all within ``timeout`` seconds; what they print or display
   is counted and thrown away, so a cell printing megabytes costs no memory here;
3. runs cnnlab's check of each exercise in that kernel (each with the exercises' own time
   limit), which appends its verdict to a results file;
4. writes ``result.json``: ``status`` ("ok", "timeout", "died", "stuck" or "failed"), the cell it
   stopped at, ``message``, the verdicts, the errors of the cells, and output byte counts.

The parent waits for each worker with a backstop time limit and kills it (and its kernel)
if it is exceeded; a worker that dies leaves a "failed" result with the end of its log.
This is isolation from accidents, not a sandbox: the student's code runs with the
grader's permissions.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

__all__ = ["run_jobs", "make_job", "default_jobs", "STARTUP_ALLOWANCE"]

STARTUP_ALLOWANCE = 60.0  # seconds for a worker to start its kernel and set up grading
CHECK_ALLOWANCE = 30.0  # seconds beyond a check's own time limit before the check counts as stuck
KERNEL_NAME = "cnnlab-grading"
_CELL_FILE = re.compile(r"\(\S*?\d+\.py, line (\d+)\)")  # how IPython names a cell in a SyntaxError


def default_jobs() -> int:
    """Submissions graded at once by default: half the CPUs (one kernel is busy on one core)."""
    return max(1, (os.cpu_count() or 2) // 2)


def make_job(label, cells, tasks, timeout: float, check_time_limit: float, threads=None, cwd=None) -> dict:
    """A job: ``cells`` as ``[(cell number, source)]``, ``tasks`` as ``[(exercise, its forward or None)]``.

    ``threads``: BLAS/OpenMP threads of the kernel (None: their default); ``cwd``: the
    kernel's folder (None: an empty temporary one).
    """
    return {
        "label": label,
        "cells": [[int(number), str(source)] for number, source in cells],
        "tasks": [[name, forward] for name, forward in tasks],
        "timeout": float(timeout),
        "check_time_limit": float(check_time_limit),
        "threads": threads,
        "cwd": None if cwd is None else str(cwd),
    }


# ---------------------------------------------------------------------------------------------
# The parent: one worker process per job, a few at a time


def run_jobs(jobs: list, n_jobs: int = 1, on_done=None) -> list:
    """Run every job (``make_job``) in its own worker, ``n_jobs`` at a time; the results, in job order.

    ``on_done(index, result)`` is called as each finishes (from a worker thread). On
    KeyboardInterrupt, every running worker and kernel is killed before it propagates.
    """
    live: dict = {}
    lock = threading.Lock()
    cancelled = threading.Event()
    results = [None] * len(jobs)
    with tempfile.TemporaryDirectory(prefix="cnnlab-grade-") as tmp, _stop_on_termination():

        def one(index: int) -> None:
            if cancelled.is_set():
                return
            results[index] = _run_worker(jobs[index], Path(tmp) / f"job{index:05d}", live, lock)
            if on_done is not None and not cancelled.is_set():  # a worker killed on Ctrl-C is no result
                on_done(index, results[index])

        pool = ThreadPoolExecutor(max_workers=max(1, n_jobs))
        try:
            futures = [pool.submit(one, index) for index in range(len(jobs))]
            for future in futures:
                future.result()
        except BaseException:
            cancelled.set()
            pool.shutdown(wait=False, cancel_futures=True)
            with lock:
                for process, jobdir in list(live.values()):
                    _kill(process, jobdir)
            raise
        finally:
            pool.shutdown(wait=True)
    return results


@contextlib.contextmanager
def _stop_on_termination():
    """SIGTERM and SIGHUP (a closed terminal) stop grading like Ctrl-C: workers and kernels are killed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise KeyboardInterrupt

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {name: signal.signal(getattr(signal, name), stop) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def _run_worker(job: dict, jobdir: Path, live: dict, lock) -> dict:
    jobdir.mkdir(parents=True)
    (jobdir / "job.json").write_text(json.dumps(job), encoding="utf-8")
    backstop = job["timeout"] + STARTUP_ALLOWANCE + len(job["tasks"]) * (job["check_time_limit"] + CHECK_ALLOWANCE)
    started = time.monotonic()
    with open(jobdir / "worker.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cnnlab.instructor.runner", str(jobdir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as one, untouched by the terminal's Ctrl-C
        )
        with lock:
            live[id(process)] = (process, jobdir)
        try:
            process.wait(timeout=backstop)
            killed = False
        except subprocess.TimeoutExpired:
            killed = True
            _kill(process, jobdir)
        finally:
            with lock:
                live.pop(id(process), None)
    result = _read_json(jobdir / "result.json")
    if result is not None and not killed:
        return result
    if process.returncode != 0 or result is None:
        _kill(process, jobdir)  # the kernel of a worker that died may still be running
    if killed:
        seconds = time.monotonic() - started
        return {"status": "timeout", "message": f"grading did not finish within {seconds:.0f} s", "checks": {}}
    tail = _tail(jobdir / "worker.log")
    return {"status": "failed", "message": f"the grading process failed (exit status {process.returncode}){tail}"}


def _kill(process, jobdir: Path) -> None:
    """Kill a worker's process group and its kernel (its own session), if still there."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, AttributeError):
            process.kill()
        process.wait()
    try:
        pid = int((jobdir / "kernel.pid").read_text())
    except (OSError, ValueError):
        return
    if _is_kernel(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError):
            os.killpg(pid, signal.SIGKILL)


def _is_kernel(pid: int) -> bool:
    """True if ``pid`` is still an IPython kernel (so a reused pid is never killed); Linux only."""
    try:
        return b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _tail(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return f": {lines[-1].strip()[:300]}" if lines else ""


# ---------------------------------------------------------------------------------------------
# The worker: one notebook in one kernel


def run_job(jobdir: Path) -> dict:
    """Carry out the job in ``jobdir`` (see the module doc); returns what ``result.json`` holds.

    Talks to the kernel with jupyter_client directly (not nbclient, which imports nbformat and
    its JSON-schema machinery: seconds per submission, for nothing here).
    """
    from jupyter_client.manager import KernelManager

    job = json.loads((jobdir / "job.json").read_text(encoding="utf-8"))
    work, results_file = jobdir / "work", jobdir / "checks.jsonl"
    work.mkdir()
    _install_kernelspec(jobdir)
    names = sorted({name for name, _ in job["tasks"]} | {forward for _, forward in job["tasks"] if forward})
    env = dict(os.environ)
    if job.get("threads"):
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[variable] = str(job["threads"])
    result = {"status": "ok", "cell": None, "message": ""}
    run = _Run()
    started = time.monotonic()
    km = KernelManager(kernel_name=KERNEL_NAME)
    try:
        km.start_kernel(cwd=job.get("cwd") or str(work), env=env)
        _record_kernel_pid(km, jobdir)
        run.start(km)
        status = run.execute(f"__import__('cnnlab.instructor.kernel', fromlist=['watch']).watch({names!r})", 60)
        if status != "ok":
            raise RuntimeError(f"could not set up grading in the kernel ({run.last_error or status})")
        deadline = time.monotonic() + job["timeout"]
        for number, source in job["cells"]:
            status = run.execute(source, deadline - time.monotonic())
            if run.last_error:
                result.setdefault("errors", {})[str(number)] = run.last_error
            if status in ("timeout", "died"):
                result.update(status=status, cell=number)
                break
        else:
            results_file.unlink(missing_ok=True)  # only the checks below write verdicts
            for name, forward in job["tasks"]:
                code = (
                    "__import__('cnnlab.instructor.kernel', fromlist=['grade']).grade("
                    f"{name!r}, {forward!r}, {str(results_file)!r}, {job['check_time_limit']!r})"
                )
                status = run.execute(code, job["check_time_limit"] + CHECK_ALLOWANCE)
                if status == "died":
                    result.update(status="died", message="while checking " + name)
                    break
                if status == "timeout":
                    result.update(status="stuck", message=name)
                    break
    except Exception as exc:  # noqa: BLE001 - the kernel would not start, a broken environment...
        result.update(status="failed", message=f"{type(exc).__name__}: {_clip(exc)}")
    finally:
        run.stop()
        with contextlib.suppress(Exception):  # already dead, or never started
            km.shutdown_kernel(now=True)
    result["seconds"] = round(time.monotonic() - started, 2)
    result["output_bytes"] = run.output_bytes
    result.setdefault("errors", {})
    result["checks"] = _read_checks(results_file)
    return result


class _Run:
    """Executes code in a kernel and waits for it, counting (not keeping) what it outputs."""

    def __init__(self):
        self.km = self.kc = None
        self.output_bytes = 0
        self.last_error = None
        self.parent = os.getppid()

    def start(self, km) -> None:
        self.km, self.kc = km, km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=STARTUP_ALLOWANCE)

    def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()

    def execute(self, code: str, timeout: float) -> str:
        """Run ``code``; "ok", "error" (``last_error`` says which), "timeout" or "died"."""
        import queue

        self.last_error = None
        if timeout <= 0:
            return "timeout"
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            if os.getppid() != self.parent:  # the grader is gone: stop rather than grade for nobody
                raise RuntimeError("the grading process that started this one has stopped")
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 1.0))
            except queue.Empty:
                if not self.km.is_alive():
                    return "died"
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg.get("msg_type"), msg.get("content", {})
            if kind == "status" and content.get("execution_state") == "idle":
                return "error" if self.last_error else "ok"
            if kind == "error":
                message = _CELL_FILE.sub(r"(line \1)", str(content.get("evalue", "")))  # not "(1161933310.py, line 14)"
                self.last_error = f"{content.get('ename', 'Error')}: {_clip(message)}"
            elif kind in ("stream", "display_data", "execute_result", "update_display_data"):
                data = content.get("data", {})
                self.output_bytes += len(content.get("text", "")) + sum(len(str(v)) for v in data.values())


def _install_kernelspec(jobdir: Path) -> None:
    """A kernel spec that runs this same Python, found first through JUPYTER_PATH."""
    folder = jobdir / "jupyter" / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "cnnlab grading",
        "language": "python",
    }
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(jobdir / "jupyter"), os.environ.get("JUPYTER_PATH")])
    )


def _record_kernel_pid(km, jobdir: Path) -> None:
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is not None:
        (jobdir / "kernel.pid").write_text(str(process.pid), encoding="utf-8")


def _read_checks(path: Path) -> dict:
    checks = {}
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return checks
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("exercise"), str):
            checks[record["exercise"]] = record  # the last: the check's own line comes after anything else
    return checks


def _clip(value, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main(argv=None) -> int:
    """Worker entry point: ``python -m cnnlab.instructor.runner JOBDIR``."""
    argv = sys.argv[1:] if argv is None else argv
    jobdir = Path(argv[0])
    result = run_job(jobdir)
    tmp = jobdir / "result.json.tmp"
    tmp.write_text(json.dumps(result), encoding="utf-8")
    os.replace(tmp, jobdir / "result.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
