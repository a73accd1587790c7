"""The instructor subcommands of ``cnnlab``: release, check, grade, report (registered by ``cnnlab.cli``)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from cnnlab.options import positive_float, positive_int
from cnnlab.instructor import exports, feedback, grading, journal, release, report, results, runner, sandbox, submissions

__all__ = ["add_release_parser", "add_check_parser", "add_grade_parser", "add_report_parser", "memory_size"]

CONTAINED = (
    "Each submission runs in its own kernel, in a bubblewrap sandbox where bwrap works (no network, no "
    "access to your files, nothing left running, memory limited); the checks run in a separate process "
    "the submission cannot reach. Without bubblewrap it says so: the submissions then run with your "
    "permissions."
)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}


def memory_size(text: str) -> int:
    """``--memory``: bytes, or a number with K, M or G (``2G``, ``512M``); at least 256 MiB."""
    value = str(text).strip().lower().removesuffix("b").removesuffix("i")
    unit = value[-1:] if value[-1:] in _UNITS and value[-1:] else ""
    try:
        number = float(value[: len(value) - len(unit)])
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a size such as 2G or 512M, got {text!r}") from None
    size = int(number * _UNITS[unit])
    if size < 256 * 2**20:
        raise argparse.ArgumentTypeError(f"must be at least 256M (a kernel needs that much to start), got {text!r}")
    return size


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
            "becomes a line raising NotImplementedError that names the exercise, hidden tests are removed, each "
            "check cell stores what it prints for the unsolved copy ('not written yet'), and other outputs are "
            "cleared except the explorers' figures. The same sources always give the same copies; the sources "
            "are never modified."
        ),
        epilog=_examples(
            "cnnlab release instructor/ --out release/",
            "cnnlab release instructor/04_max_pooling.ipynb --out release/ --exercises max_pool_backward_naive",
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
            "Students check their work with the check cell under each exercise, or `cnnlab check NOTEBOOK`; "
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
            "Run each notebook top to bottom in a fresh kernel, as `cnnlab grade` does (in an empty folder, "
            "sandboxed where bubblewrap works), then cnnlab's check of each of its exercises, "
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
        grading.grade(usable, args.timeout, jobs=1, on_done=lambda e: _print_check(e, args.verbose))
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
    notes = dict.fromkeys(part for row in entry.rows for part in row.notes.split("; ") if part)
    if notes:
        print(f"  note: {'; '.join(notes)}")
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
            "as usual. Submissions are only read; finished results are kept as they come (in CSV.journal) and "
            "the CSV is written atomically at the end, also when the run is interrupted. " + CONTAINED
        ),
        epilog=_examples(
            "cnnlab grade submissions/ --source release/ --out grades.csv --jobs 2",
            "cnnlab grade submissions/ --source release/ --out grades.csv --resume   (after an interruption)",
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
    p.add_argument(
        "--check-timeout",
        type=positive_float,
        default=None,
        metavar="S",
        help="seconds for each exercise's check, in the judge (default: the exercises' own, 20)",
    )
    p.add_argument(
        "--memory",
        type=memory_size,
        default=sandbox.DEFAULT_MEMORY,
        metavar="SIZE",
        help=f"address space of each kernel, e.g. 2G or 512M (default {sandbox.DEFAULT_MEMORY // 2**30}G)",
    )
    again = p.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="go on with an interrupted run: grade only what it left")
    again.add_argument("--restart", action="store_true", help="discard an interrupted run's results and grade all")
    p.add_argument(
        "--update",
        action="store_true",
        help="grade only the SUBMISSIONS given again, and replace their rows in the results of the run that wrote "
        "--out (its .results.json); every other submission's rows are kept",
    )
    add_output_options(p)
    p.set_defaults(run=run_grade)


def add_output_options(p) -> None:
    """The report and exports that ``cnnlab grade`` and ``cnnlab report`` write."""
    p.add_argument(
        "--report",
        type=Path,
        metavar="HTML",
        help="write the class report: pass rates and score charts, the most common mistakes of each exercise with "
        "an example verdict, the submissions that did not run, identical code (one HTML file; open it from disk)",
    )
    p.add_argument(
        "--feedback",
        type=Path,
        metavar="DIR",
        help="write one Markdown file per submission into DIR: each exercise's full verdict, its hints, what to try "
        "next (and DIR/index.md: which file is whose)",
    )
    p.add_argument(
        "--wide",
        type=Path,
        metavar="CSV",
        help="write a gradebook CSV: a row per submission (per student with --roster), a column per exercise, "
        "the total",
    )
    p.add_argument(
        "--roster",
        type=Path,
        metavar="CSV",
        help="a CSV with a row per student, e.g. the gradebook your LMS exports: --wide then keeps its columns and "
        "rows, matching submissions by the column that names their folders or files",
    )


def _check_out(out: Path) -> Path:
    """``--out``, checked before any grading starts: a CSV file that can be written."""
    if out.is_dir():
        raise ValueError(f"--out {out} is a folder; give the CSV file to write, e.g. {out / 'grades.csv'}")
    if out.suffix.lower() == ".ipynb":
        raise ValueError(f"--out {out} looks like a notebook; give the CSV file to write, e.g. grades.csv")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"--out {out}: the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ValueError(f"--out {out} cannot be written (no permission)")
    return out


def _check_outputs(args, inputs=()) -> None:
    """--report, --wide and --roster, checked before any grading starts (--feedback is checked by
    ``feedback.check_folder`` as soon as the submissions' labels are known, also before grading)."""
    taken = {Path(p).resolve() for p in [*inputs, *([args.roster] if args.roster is not None else [])]}
    for option, path in (("--report", args.report), ("--wide", args.wide)):
        if path is None:
            continue
        if path.is_dir():
            raise ValueError(f"{option} {path} is a folder; give the file to write")
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise ValueError(f"{option} {path}: the folder {folder} does not exist; create it first")
        if path.resolve() in taken:
            raise ValueError(f"{option} {path} is one of the files cnnlab reads; give another file to write")
        taken.add(path.resolve())
    if args.report is not None and args.report.exists() and report.GENERATOR not in _head(args.report):
        raise ValueError(f"--report {args.report} exists and is not a cnnlab report; move it, or give another file")
    if args.roster is not None and args.wide is None:
        raise ValueError("--roster only says whose row is whose in --wide; give --wide FILE.csv too")


def _head(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(2048)
    except OSError:
        return ""


def write_outputs(entries, args) -> None:
    """Write what --report, --feedback and --wide ask for, from graded ``entries``; say where."""
    from cnnlab import exercises

    graded = {row.exercise for e in entries for row in e.rows if row.exercise}
    names = [n for n in exercises.names() if n in graded] + sorted(graded - set(exercises.names()))
    roster = exports.read_roster(args.roster) if args.roster is not None else None
    if args.feedback is not None:
        written = feedback.write(entries, args.feedback)
        print(f"wrote {len(written) - 1} feedback files into {args.feedback} (which is whose: {written[-1]})")
    if args.wide is not None:
        for warning in exports.write_wide(entries, names, args.wide, roster):
            print(f"warning: {warning}", file=sys.stderr)
        per = "student" if roster is not None else "submission"
        print(f"wrote {args.wide}: a row per {per}, a column per exercise and the total")
    if args.report is not None:
        summary = report.summarize(entries)
        report.write_html(summary, args.report)
        print(f"wrote {args.report}: the class report (open it in a browser)")


def _earlier_results(out: Path, sources) -> list:
    """For --update: the submissions of the run that wrote ``out``, which must have graded the same way."""
    where = results.path_for(out)
    if not where.exists():
        raise ValueError(f"--update: there is no {where} to update; grade all submissions first (without --update)")
    signature, earlier = results.read(where)
    if signature != results.signature(sources):
        raise ValueError(
            f"--update: {where} was graded against other --source notebooks (or they changed since); --update only "
            "replaces rows graded the same way: grade every submission again instead"
        )
    return earlier


def run_grade(args) -> int:
    out = _check_out(args.out)
    _check_outputs(args, [out, results.path_for(out), *args.submissions, *(args.source or [])])
    record = journal.Journal(out)
    if record.exists() and not (args.resume or args.restart):
        raise ValueError(
            f"{record.path} holds the results of a run that did not finish; pass --resume to go on with it, "
            "or --restart to grade everything again"
        )
    if args.resume and not record.exists():
        raise ValueError(f"nothing to resume: there is no {record.path}")
    missing = [str(path) for path in args.submissions + (args.source or []) if not path.exists()]
    if missing:
        raise ValueError(
            f"{', '.join(missing)} does not exist" if len(missing) == 1 else f"these do not exist: {', '.join(missing)}"
        )
    sources = grading.load_sources(args.source) if args.source else None
    earlier = _earlier_results(out, sources) if args.update else []
    entries = grading.prepare(args.submissions, sources)
    if not entries:
        raise ValueError(f"no notebooks (*.ipynb) found in {', '.join(map(str, args.submissions))}")
    inputs = {e.path.resolve() for e in entries} | {s.path.resolve() for s in sources or []}
    if out.resolve() in inputs:
        raise ValueError(f"--out {out} is one of the notebooks to grade")
    if args.feedback is not None:
        feedback.check_folder(args.feedback, {e.label for e in entries} | {e.label for e in earlier})
    if sources is None:
        print(
            "note: no --source given, so which exercises each submission is graded on, and their points, come from "
            "its own nbgrader metadata, which a student can edit; pass --source with the notebooks you handed out",
            file=sys.stderr,
        )
        for warning in grading.disagreements(entries):
            print(f"warning: {warning}", file=sys.stderr)
    print(f"grading: {sandbox.describe()}", file=sys.stderr, flush=True)
    started, done = time.monotonic(), [0]
    resumed = record.resume(entries, sources) if args.resume else []
    if not args.resume:
        record.start(sources)
    if resumed:
        print(f"resuming: {len(resumed)} of {len(entries)} submissions were graded before", file=sys.stderr)
    todo = [e for e in entries if e not in resumed]

    def progress(entry):
        record.add(entry)
        done[0] += 1
        got, most = entry.score
        print(f"[{done[0]}/{len(todo)}] {entry.label}: {_score(got, most)}", file=sys.stderr, flush=True)

    try:
        grading.grade(
            todo, args.timeout, args.check_timeout, jobs=args.jobs, on_done=progress, memory=args.memory
        )
    except KeyboardInterrupt:
        finished = [e for e in entries if e.rows]
        where = _write(finished, out, record)
        print(
            f"interrupted: {where} holds the {len(finished)} of {len(entries)} submissions graded so far; run the "
            "same command with --resume to grade the rest",
            file=sys.stderr,
        )
        return 130
    changed = grading.refuse_changed(entries, sources)
    for message in changed:
        print(f"warning: {message}", file=sys.stderr)
    graded = results.merge(earlier, entries)
    count = sum(len(e.rows) for e in graded)
    where = _write(graded, out, record)
    _print_summary(entries)
    seconds = time.monotonic() - started
    kept = f"; kept the rows of {len(graded) - len(entries)} others from before" if args.update else ""
    print(
        f"wrote {where}: {count} rows for {len(graded)} submissions (graded {len(entries)} in {seconds:.0f} s, "
        f"{args.jobs} at a time{kept})"
    )
    if where != out:
        return 1
    results.write(graded, sources, results.path_for(out))
    write_outputs(graded, args)
    record.remove()
    return 1 if changed else 0


# ---------------------------------------------------------------------------------------------
# cnnlab report


def add_report_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        formatter_class=_Formatter,
        help="the class report, feedback files and gradebook exports of a finished grading run",
        description=(
            "Read the results a finished `cnnlab grade --out grades.csv` run kept (grades.results.json, beside the "
            "CSV) and write the class report, the students' feedback files and the gradebook CSV, without grading "
            "again. Prints each exercise's pass rate and most common mistake."
        ),
        epilog=_examples(
            "cnnlab report grades.results.json --report report.html",
            "cnnlab report grades.csv --feedback feedback/ --wide gradebook.csv --roster canvas-export.csv",
        ),
    )
    p.add_argument("results", type=Path, metavar="RESULTS", help="grades.results.json (or the grades CSV beside it)")
    add_output_options(p)
    p.set_defaults(run=run_report)


def run_report(args) -> int:
    if args.report is None and args.feedback is None and args.wide is None:
        raise ValueError("say what to write: --report FILE.html, --feedback DIR and/or --wide FILE.csv")
    path = args.results
    _check_outputs(args, [path, results.path_for(path) if path.suffix.lower() == ".csv" else path])
    _, entries = results.read(path)
    if not entries:
        raise ValueError(f"{path} holds no graded submission")
    if args.feedback is not None:
        feedback.check_folder(args.feedback, {e.label for e in entries})
    summary = report.summarize(entries)
    for item in summary.exercises:
        top = next((m for m in item.mistakes if m.text != "not written yet"), None)
        common = f"; most common mistake ({top.count}): {top.text}" if top else ""
        print(f"{item.name}: {item.passed}/{item.submissions} passed{common}")
    write_outputs(entries, args)
    return 0


def _write(entries, out: Path, record) -> Path:
    """Write the CSV; if ``out`` cannot be written now (it became a folder, say), next to it. The path written."""
    try:
        grading.write_csv(entries, out)
        return out
    except OSError as exc:
        other = out.with_name(f"{out.stem}.{time.strftime('%Y%m%d-%H%M%S')}{out.suffix or '.csv'}")
        grading.write_csv(entries, other)
        print(
            f"warning: could not write {out} ({exc.strerror or exc}); wrote {other} instead and kept {record.path}",
            file=sys.stderr,
        )
        return other


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
