"""The cost of watching for cnnlab's answer key during a check (exercises.check), in one run.

For a few correct student implementations: the time of a whole check with the watch on (as
exercises.check runs it) and with it off (no answer-key code objects), as a ratio.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from student_impls import CORRECT  # noqa: E402

from cnnlab.exercises import calling, catalog, checking  # noqa: E402


def timed(exercise, fn, forward, watch: bool, repeat: int = 3) -> float:
    original = calling.answer_key_code
    if not watch:
        calling.answer_key_code = lambda exercise: {}
    try:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            checking.run(exercise, fn, forward)
            best = min(best, time.perf_counter() - start)
        return best
    finally:
        calling.answer_key_code = original


def main() -> None:
    rows = CORRECT
    total_on = total_off = 0.0
    print(f"{'exercise: implementation':60s} {'off (s)':>8s} {'on (s)':>8s} {'on/off':>7s}")
    for name, label, fn, forward in rows:
        exercise = catalog.get(name)
        off = timed(exercise, fn, forward, watch=False)
        on = timed(exercise, fn, forward, watch=True)
        total_on, total_off = total_on + on, total_off + off
        print(f"{name + ': ' + label:60.60s} {off:8.3f} {on:8.3f} {on / off:7.2f}")
    print(f"{'all':60s} {total_off:8.3f} {total_on:8.3f} {total_on / total_off:7.2f}")


if __name__ == "__main__":
    main()
