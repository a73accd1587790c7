"""Running submissions: one judge process per submission, several at once, nothing left behind.

One job is one notebook's code cells and the exercises to check in it (``make_job``).
``run_jobs`` starts, for each job, a judge (``python -m cnnlab.instructor.judge``: see
there for what it does), hands it the job on its stdin and reads the result on its stdout
(private pipes; no shared folder, no file a submission could reach). The parent waits for
each judge with a backstop time limit, kills it if it is exceeded, and in the end kills
every process that is still a descendant (this process is a child subreaper on Linux, so
even a process a submission detached with ``setsid`` is found). A judge that fails leaves
a "failed" result with the end of what it printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from cnnlab.instructor import sandbox

__all__ = ["run_jobs", "make_job", "default_jobs", "STARTUP_ALLOWANCE", "CHECK_ALLOWANCE"]

STARTUP_ALLOWANCE = 60.0  # seconds for a judge to start its kernel and set up grading
CHECK_ALLOWANCE = 30.0  # seconds beyond a check's own time limit before the check counts as stuck
MAX_RESULT = 64 * 2**20  # bytes of result a judge may write


def default_jobs() -> int:
    """Submissions graded at once by default: half the CPUs (one kernel is busy on one core)."""
    return max(1, (os.cpu_count() or 2) // 2)


def make_job(label, cells, tasks, timeout: float, check_time_limit: float, threads=None, memory=None) -> dict:
    """A job: ``cells`` as ``[(cell number, source)]``, ``tasks`` as ``[(exercise, its forward or None)]``.

    ``threads``: BLAS/OpenMP threads of the kernel (None: their default); ``memory``: bytes
    of address space for the kernel (None: ``sandbox.DEFAULT_MEMORY``).
    """
    return {
        "label": str(label),
        "cells": [[int(number), str(source)] for number, source in cells],
        "tasks": [[name, forward] for name, forward in tasks],
        "timeout": float(timeout),
        "check_time_limit": float(check_time_limit),
        "threads": threads,
        "memory": int(memory or sandbox.DEFAULT_MEMORY),
    }


def run_jobs(jobs: list, n_jobs: int = 1, on_done=None) -> list:
    """Run every job (``make_job``) in its own judge, ``n_jobs`` at a time; the results, in job order.

    ``on_done(index, result)`` is called as each finishes (from a worker thread). On
    KeyboardInterrupt (also raised for SIGTERM and SIGHUP), every running judge and kernel
    is killed before it propagates; the results finished by then have been reported.
    """
    sandbox.become_subreaper()
    spare = sandbox.descendants()  # processes that were here before: not ours to kill
    live: dict = {}
    lock = threading.Lock()
    cancelled = threading.Event()
    results = [None] * len(jobs)

    def one(index: int) -> None:
        if cancelled.is_set():
            return
        results[index] = _run_judge(jobs[index], live, lock, cancelled)
        if on_done is not None and not cancelled.is_set():  # a judge killed on Ctrl-C is no result
            on_done(index, results[index])

    with _stop_on_termination():
        pool = ThreadPoolExecutor(max_workers=max(1, n_jobs))
        try:
            futures = [pool.submit(one, index) for index in range(len(jobs))]
            for future in futures:
                future.result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            with lock:  # a judge starting now sees cancelled once it holds the lock, and is killed
                cancelled.set()
                for process in list(live.values()):
                    _kill(process)
            raise
        finally:
            pool.shutdown(wait=True)
            sandbox.kill_descendants(spare)
    return results


@contextlib.contextmanager
def _stop_on_termination():
    """SIGTERM and SIGHUP (a closed terminal) stop grading like Ctrl-C: judges and kernels are killed."""
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


def _run_judge(job: dict, live: dict, lock, cancelled: threading.Event) -> dict:
    backstop = job["timeout"] + STARTUP_ALLOWANCE + len(job["tasks"]) * (job["check_time_limit"] + CHECK_ALLOWANCE)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "cnnlab.instructor.judge"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: killed as one, untouched by the terminal's Ctrl-C
    )
    with lock:
        live[id(process)] = process
        if cancelled.is_set():  # grading stopped while this judge was starting: it is not needed
            _kill(process)
    try:
        out, err = process.communicate(json.dumps(job).encode("utf-8"), timeout=backstop)
        killed = False
    except subprocess.TimeoutExpired:
        killed = True
        _kill(process)
        out, err = b"", b""
    finally:
        with lock:
            live.pop(id(process), None)
    if killed:
        seconds = time.monotonic() - started
        return {"status": "timeout", "message": f"grading did not finish within {seconds:.0f} s", "checks": {}}
    result = _parse(out)
    if result is not None and process.returncode == 0:
        return result
    lines = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
    tail = f": {lines[-1].strip()[:300]}" if lines else ""
    return {"status": "failed", "message": f"the grading process failed (exit status {process.returncode}){tail}"}


def _parse(out: bytes):
    """The judge's result: one JSON object and nothing else, or None."""
    if len(out) > MAX_RESULT:
        return None
    try:
        result = json.loads(out.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return result if isinstance(result, dict) else None


def _kill(process) -> None:
    """Kill a judge's process group (its kernel has its own, and dies with it or is reaped here)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, AttributeError):
            process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
