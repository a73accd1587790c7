"""Grading throughput: cnnlab grade against nbgrader autograde, on the same solved notebooks, in one run.

    python benchmarks/bench_grading.py [--students 6] [--lesson 04_max_pooling] [--rounds 2]

Each student hands in the instructor's solved lesson (instructor/LESSON.ipynb). nbgrader
(``pip install nbgrader``; not a cnnlab dependency) gets a course folder of its own:
``generate_assignment``, then ``autograde`` of every student, timed. cnnlab grades the same
files with ``cnnlab grade --source`` its student copy, once one at a time (as nbgrader
does) and once with ``--jobs 2``, then with ``--jobs 2`` and every output of issue #18
(``--report``, ``--feedback``, ``--wide``): its time over the plain ``--jobs 2`` run is
what the report and exports cost. The rounds alternate between the tools, so a busy machine
slows both alike; the printed ratio is nbgrader's time over cnnlab's, per round.
Both tools must give every student full marks, or the numbers mean nothing: that is checked.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run_nbgrader(course: Path, *args: str) -> None:
    """``nbgrader ARGS`` in the course folder (with this environment's tools on PATH); exits if it fails."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"nbgrader {args[0]} failed:\n{done.stderr[-3000:]}")


def nbgrader(course: Path, lesson: str, students: int) -> float:
    """Seconds for ``nbgrader autograde`` of every student (the assignment already generated)."""
    started = time.perf_counter()
    run_nbgrader(course, "autograde", lesson, "--create", "--force")
    seconds = time.perf_counter() - started
    run_nbgrader(course, "export", "--to", str(course / "grades.csv"))
    rows = list(csv.DictReader((course / "grades.csv").open()))
    full = [r for r in rows if float(r["score"]) == float(r["max_score"]) > 0]
    if len(full) != students:
        raise SystemExit(f"nbgrader did not give every student full marks: {rows}")
    return seconds


def cnnlab(submitted: Path, source: Path, jobs: int, students: int, out: Path, extra=()) -> float:
    started = time.perf_counter()
    argv = [str(BIN / "cnnlab"), "grade", str(submitted), "--source", str(source), "--out", str(out), *extra]
    done = subprocess.run([*argv, "--jobs", str(jobs), "--restart"], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"cnnlab grade failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    rows = list(csv.DictReader(out.open()))
    if (
        len(rows) == 0
        or not all(r["passed"] == "true" for r in rows)
        or len({r["submission"] for r in rows}) != students
    ):
        raise SystemExit(f"cnnlab did not give every student full marks:\n{out.read_text()}")
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--lesson", default="04_max_pooling")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if shutil.which("nbgrader", path=str(BIN)) is None:
        print("nbgrader is not installed here: pip install nbgrader (it is not a cnnlab dependency)")
        return 2
    source = ROOT / "instructor" / f"{args.lesson}.ipynb"
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        course = Path(tmp) / "course"
        (course / "source" / "lesson").mkdir(parents=True)
        shutil.copy(source, course / "source" / "lesson" / source.name)
        (course / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'bench'\n")
        run_nbgrader(course, "generate_assignment", "lesson", "--force")
        for i in range(args.students):
            folder = course / "submitted" / f"student{i:02d}" / "lesson"
            folder.mkdir(parents=True)
            shutil.copy(source, folder / source.name)  # the solved lesson, as every student hands it in
        copies = Path(tmp) / "handed-out"
        subprocess.run(
            [str(BIN / "cnnlab"), "release", str(source), "--out", str(copies)], check=True, capture_output=True
        )
        out = Path(tmp) / "grades.csv"
        print(f"{args.students} solved copies of {source.name}; nbgrader {_version('nbgrader')}; {os.cpu_count()} CPUs")
        outputs = ["--report", str(Path(tmp) / "report.html"), "--feedback", str(Path(tmp) / "feedback")]
        outputs += ["--wide", str(Path(tmp) / "wide.csv")]
        print(
            f"{'round':>5} {'nbgrader s':>11} {'cnnlab -j1 s':>13} {'cnnlab -j2 s':>13} {'ratio j1':>9} {'ratio j2':>9}"
            f" {'-j2 +report s':>14} {'report cost':>12}"
        )
        for round_ in range(1, args.rounds + 1):
            theirs = nbgrader(course, "lesson", args.students)
            one = cnnlab(course / "submitted", copies, 1, args.students, out)
            if round_ % 2:  # plain and with outputs take turns going first
                two = cnnlab(course / "submitted", copies, 2, args.students, out)
                reported = cnnlab(course / "submitted", copies, 2, args.students, out, outputs)
            else:
                reported = cnnlab(course / "submitted", copies, 2, args.students, out, outputs)
                two = cnnlab(course / "submitted", copies, 2, args.students, out)
            print(
                f"{round_:5d} {theirs:11.1f} {one:13.1f} {two:13.1f} {theirs / one:9.2f} {theirs / two:9.2f}"
                f" {reported:14.1f} {reported / two:12.2f}"
            )
        print("ratio: nbgrader's time over cnnlab's for the same submissions (goal: >= 2)")
        print("report cost: -j2 with --report --feedback --wide over plain -j2 (goal: <= 1.10)")
    return 0


def _version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
