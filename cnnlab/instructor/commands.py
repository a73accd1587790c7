"""The instructor subcommands of ``cnnlab``: release, check, grade (registered by ``cnnlab.cli``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cnnlab.cli import positive_float, positive_int
from cnnlab.instructor import grading, release, runner, submissions

__all__ = ["add_release_parser", "add_check_parser", "add_grade_parser"]

NOT_A_SANDBOX = (
    "Grading runs the students' code with your permissions: it is not a sandbox. Grade on a machine or "
    "account you can afford to lose, or in a container."
)


class _Formatter(argparse.HelpFormatter):
    """Wraps the description as usual; keeps the examples of the epilog one per line."""

    def _fill_text(self, text, width, indent):
        if text.startswith("examples:"):
            return "".join(indent + line + "\n" for line in text.splitlines())
        return super()._fill_text(text, width, indent)


# ---------------------------------------------------------------------------------------------
# cnnlab release


def add_release_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "release",
        formatter_class=_Formatter,
        help="make student copies of lessons (solutions replaced by stubs)",
        description=(
            "Write a student copy of each notebook into --out: the solution region of every assigned exercise "
            "becomes a line raising NotImplementedError that names the exercise, hidden tests are removed, and "
            "outputs are cleared except the check cells' stored verdicts, so students can self-check with "
            "`pytest --nbval-lax NOTEBOOK`. The sources are never modified."
        ),
        epilog=_examples(
            "cnnlab release lessons/ --out release/",
            "cnnlab release lessons/04_max_pooling.ipynb --out release/ --exercises max_pool_backward_naive",
            "    (the forward pass keeps its reference solution and is not graded)",
        ),
    )
    p.add_argument("sources", nargs="+", type=Path, metavar="SRC", help="lesson notebooks, or folders of them")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for the student copies")
    p.add_argument(
        "--exercises",
        action="append",
        metavar="NAMES",
        help="comma-separated exercises to assign (default: all); the others keep their reference solution",
    )
    p.add_argument("--force", action="store_true", help="replace student copies that already exist in DIR")
    p.add_argument("--dry-run", action="store_true", help="say what would be written, write nothing")
    p.set_defaults(run=run_release)


def run_release(args) -> int:
    names = None
    if args.exercises:
        names = [name.strip() for text in args.exercises for name in text.split(",") if name.strip()]
    made = release.release(args.sources, args.out, names, force=args.force, write=not args.dry_run)
    for copy in made:
        kept = f"; reference solution kept (not graded): {', '.join(copy.kept)}" if copy.kept else ""
        verb = "would write" if args.dry_run else "wrote"
        print(f"{verb} {copy.target}: assigns {submissions.describe_points(copy.assigned)}{kept}")
        sys.stdout.flush()
        for warning in copy.warnings:
            print(f"  warning: {warning}", file=sys.stderr, flush=True)
    if not args.dry_run:
        print(
            f"Students check their work with `cnnlab check NOTEBOOK` or `pytest --nbval-lax NOTEBOOK`; "
            f"grade what they hand in with `cnnlab grade SUBMISSIONS --source {args.out} --out grades.csv`."
        )
    return 0


# ---------------------------------------------------------------------------------------------
# cnnlab check


def add_check_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "check",
        formatter_class=_Formatter,
        help="run a notebook and say which of its exercises pass",
        description=(
            "Run each notebook top to bottom in a fresh kernel (in its own folder, as Jupyter does), then "
            "cnnlab's check of each of its exercises, "
            "and print PASS or FAIL (with the reason) per exercise. Exit status: 0 if every exercise passed, "
            "1 if one failed, 2 if a notebook could not be read or has no exercises."
        ),
        epilog=_examples("cnnlab check 02_naive_convolution.ipynb", "cnnlab check -v lessons/"),
    )
    p.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK", help="notebooks (or folders of them)")
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=grading.DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds to run one notebook's cells (default {grading.DEFAULT_TIMEOUT:g})",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="show the full verdict of each failed check")
    p.set_defaults(run=run_check)


def run_check(args) -> int:
    entries = grading.prepare(args.notebooks)
    unusable = [e for e in entries if e.error is not None]
    for entry in unusable:
        print(f"{entry.label}: cannot check: {entry.error}", file=sys.stderr)
    usable = [e for e in entries if e.error is None]
    if usable:
        grading.grade(usable, args.timeout, jobs=1, on_done=lambda e: _print_check(e, args.verbose), in_place=True)
    rows = [row for e in usable for row in e.rows]
    passed = sum(row.passed for row in rows)
    if rows:
        print(
            f"{passed} of {len(rows)} exercises passed" if passed < len(rows) else f"all {len(rows)} exercises passed"
        )
    if unusable:
        return 2
    return 0 if passed == len(rows) else 1


def _print_check(entry, verbose: bool) -> None:
    print(entry.label)
    for row in entry.rows:
        if row.passed:
            print(f"  {row.exercise}: PASS")
            continue
        print(f"  {row.exercise}: FAIL — {_plain(row.reason)}")
        if verbose and row.verdict:
            print("\n".join("      " + line for line in row.verdict.splitlines()[1:]))
    if entry.rows and entry.rows[0].notes:
        print(f"  note: {entry.rows[0].notes}")
    sys.stdout.flush()


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join("  " + line for line in lines)


def _plain(reason: str) -> str:
    """``FAIL (3/8 cases passed); case ...`` -> ``3/8 cases passed; case ...``."""
    if not reason.startswith("FAIL ("):
        return reason
    depth = 0
    for index, char in enumerate(reason[5:], 5):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return reason[6:index] + reason[index + 1 :]
    return reason


# ---------------------------------------------------------------------------------------------
# cnnlab grade


def add_grade_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "grade",
        formatter_class=_Formatter,
        help="grade a folder of submissions into a CSV file",
        description=(
            "Run each submission in its own fresh kernel with a time limit, then cnnlab's own check of each "
            "exercise (the students' check cells are not trusted), and write one CSV row per submission and "
            "exercise: submission, exercise, points, max_points, passed, reason, notes. A submission that "
            "hangs, crashes its kernel or is not a notebook gets zero and the reason; the others are graded "
            "as usual. Submissions are only read; the CSV is written atomically. " + NOT_A_SANDBOX
        ),
        epilog=_examples(
            "cnnlab grade submissions/ --source release/ --out grades.csv --jobs 2",
            "    (--source: the student copies you handed out, or your lessons: what is graded, for how many",
            "    points; without it, each submission's own nbgrader metadata says, and students can edit it)",
        ),
    )
    p.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION", help="notebooks, or folders of them")
    p.add_argument("--out", required=True, type=Path, metavar="CSV", help="the grades file to write")
    p.add_argument(
        "--source",
        action="append",
        type=Path,
        metavar="NOTEBOOK",
        help="the notebook(s) handed out, or a folder of them: what to grade and for how many points (repeatable)",
    )
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=grading.DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds to run one submission's cells (default {grading.DEFAULT_TIMEOUT:g})",
    )
    p.add_argument(
        "--jobs",
        type=positive_int,
        default=runner.default_jobs(),
        metavar="N",
        help=f"submissions graded at once, each in its own kernel (default here: {runner.default_jobs()})",
    )
    p.set_defaults(run=run_grade)


def run_grade(args) -> int:
    out = args.out
    if out.is_dir():
        raise ValueError(f"--out {out} is a folder; give the CSV file to write, e.g. {out / 'grades.csv'}")
    if out.suffix.lower() == ".ipynb":
        raise ValueError(f"--out {out} looks like a notebook; give the CSV file to write, e.g. grades.csv")
    sources = grading.load_sources(args.source) if args.source else None
    entries = grading.prepare(args.submissions, sources)
    if not entries:
        raise ValueError("no submissions found")
    inputs = {e.path.resolve() for e in entries} | {s.path.resolve() for s in sources or []}
    if out.resolve() in inputs:
        raise ValueError(f"--out {out} is one of the notebooks to grade")
    if sources is None:
        print(
            "note: no --source given, so which exercises each submission is graded on, and their points, come from "
            "its own nbgrader metadata, which a student can edit; pass --source with the notebooks you handed out",
            file=sys.stderr,
        )
        for warning in grading.disagreements(entries):
            print(f"warning: {warning}", file=sys.stderr)
    started, done = time.monotonic(), [0]

    def progress(entry):
        done[0] += 1
        got, most = entry.score
        print(f"[{done[0]}/{len(entries)}] {entry.label}: {_score(got, most)}", file=sys.stderr, flush=True)

    grading.grade(entries, timeout=args.timeout, jobs=args.jobs, on_done=progress)
    count = grading.write_csv(entries, out)
    _print_summary(entries)
    seconds = time.monotonic() - started
    print(
        f"wrote {out}: {count} rows for {len(entries)} submissions (graded in {seconds:.0f} s, {args.jobs} at a time)"
    )
    return 0


def _print_summary(entries) -> None:
    width = min(60, max(len("submission"), *(len(e.label) for e in entries)))
    print(f"{'score':>9}  {'submission':<{width}}  first problem")
    for entry in sorted(entries, key=lambda e: e.label):
        got, most = entry.score
        problem = next((row for row in entry.rows if not row.passed), None)
        text = ""
        if problem is not None:
            text = f"{problem.exercise}: {problem.reason}" if problem.exercise else problem.reason
            text = text if len(text) <= 90 else text[:87] + "..."
        print(f"{_score(got, most):>9}  {entry.label:<{width}}  {text}".rstrip())


def _score(got, most) -> str:
    return f"{got:g}/{'?' if most is None else format(most, 'g')}"
