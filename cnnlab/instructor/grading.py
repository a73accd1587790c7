"""``cnnlab grade`` and ``cnnlab check``: run notebooks in fresh kernels and check their exercises.

What is graded in a submission: the exercises its source assigns (``sources``: the
instructor's notebooks or the student copies handed out), with their points; without a
source, the exercises and points the submission's own nbgrader metadata names (which a
student can edit: the summary warns when submissions disagree).

How: each submission runs top to bottom in its own fresh kernel (``runner``), then cnnlab's
check of each exercise runs in that kernel on the function of the exercise's name the
student last defined (``kernel``). A check cell's output, edited or not, is never read.
An exercise scores its points if the check passes, else 0. Whatever is wrong with a
submission (unreadable, a hang, a dead kernel, a missing function) becomes the reason on
its rows; the other submissions are graded as usual.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cnnlab.instructor import runner, submissions

__all__ = ["COLUMNS", "DEFAULT_TIMEOUT", "Row", "Source", "Submission", "load_sources", "prepare", "grade", "write_csv"]

COLUMNS = ("submission", "exercise", "points", "max_points", "passed", "reason", "notes")
DEFAULT_TIMEOUT = 120.0  # seconds to run one notebook's cells (each lesson runs in under 30 s)
BIG_OUTPUT = 2**20  # bytes of output worth a note


@dataclass
class Source:
    """An instructor's notebook: what it assigns, to grade submissions on."""

    path: Path
    tasks: dict  # name -> submissions.Task


@dataclass
class Submission:
    """One submitted file: what to grade in it and, once graded, its rows."""

    path: Path
    label: str
    tasks: dict = field(default_factory=dict)  # name -> submissions.Task
    cells: list = field(default_factory=list)  # [(cell number, source)] of its code cells
    solution_cells: dict = field(default_factory=dict)  # name -> [cell numbers]
    notes: list = field(default_factory=list)
    error: str | None = None  # why it cannot be graded at all
    rows: list = field(default_factory=list)
    result: dict | None = None

    @property
    def score(self) -> tuple:
        """``(points, max points)``; max is None when the exercises are unknown."""
        known = [row for row in self.rows if row.exercise]
        return sum(row.points for row in self.rows), (sum(r.max_points for r in known) if known else None)


@dataclass
class Row:
    submission: str
    exercise: str
    points: float
    max_points: float | None
    passed: bool
    reason: str
    notes: str = ""
    verdict: str = ""  # the check's full text (not in the CSV; ``cnnlab check -v`` shows it)


def load_sources(paths) -> list:
    """The instructor's notebooks (files or folders) that assign exercises, each with what it assigns.

    Notebooks that assign none (a lesson without exercises) are left out; ValueError for
    one that cannot be read, or if none assigns anything.
    """
    sources = []
    for path in submissions.expand(paths):
        try:
            nb, _ = submissions.load(path)
        except submissions.UnreadableError as exc:
            raise ValueError(f"source {path} {exc}") from None
        tasks = submissions.assignment(nb)
        if tasks:
            sources.append(Source(path, tasks))
    if not sources:
        names = ", ".join(map(str, paths))
        raise ValueError(f"no notebook in {names} assigns a cnnlab exercise (no nbgrader metadata or check calls)")
    return sources


def prepare(paths, sources=None) -> list:
    """A ``Submission`` per file in ``paths`` (folders: every notebook inside), read and planned."""
    found = []
    for path in submissions.expand(paths):
        entry = Submission(path, _label(path))
        found.append(entry)
        try:
            nb, entry.notes = submissions.load(path)
        except submissions.UnreadableError as exc:
            entry.error = f"{'the file' if path.is_file() else 'it'} {exc}"
            source = _match(path, None, sources) if sources else None
            entry.tasks = dict(source.tasks) if source else {}
            continue
        if sources:
            source = _match(path, nb, sources)
            if source is None:
                entry.error = "could not tell which of the --source notebooks it answers"
                continue
            entry.tasks = dict(source.tasks)
            if len(sources) > 1:
                entry.notes.append(f"graded as {source.path.name}")
        else:
            entry.tasks = submissions.assignment(nb)
            if not entry.tasks:
                entry.error = "no cnnlab exercise found in it (no nbgrader metadata or exercises.check calls)"
                continue
        entry.cells = [
            (number, cell["source"])
            for number, cell in enumerate(nb["cells"], 1)
            if cell.get("cell_type") == "code" and cell["source"].strip()
        ]
        entry.solution_cells = {name: submissions.solution_cells(nb, name) for name in entry.tasks}
    return found


def disagreements(entries) -> list:
    """Warnings for submissions whose own metadata assigns other exercises or points than most do."""
    signatures = {e.label: tuple((t.name, t.points) for t in e.tasks.values()) for e in entries if e.tasks}
    if len(set(signatures.values())) <= 1:
        return []
    usual, count = Counter(signatures.values()).most_common(1)[0]
    return [
        f"{e.label} assigns {submissions.describe_points(e.tasks.values())}, unlike {count} other submissions"
        for e in entries
        if e.label in signatures and signatures[e.label] != usual
    ]


def grade(entries, timeout=DEFAULT_TIMEOUT, check_time_limit=None, jobs=1, on_done=None, in_place=False):
    """Run and check every gradable submission (``jobs`` at a time); fills in each one's ``rows``.

    ``check_time_limit``: seconds for each exercise's check (default: the exercises'
    own, 20 s). ``on_done(entry)`` is called as each submission is finished.
    ``in_place``: run each notebook in its own folder, as Jupyter does (``cnnlab check``);
    otherwise in an empty temporary folder, so nothing a submission writes lands among
    the submissions.
    """
    from cnnlab import exercises

    limit = exercises.DEFAULT_TIME_LIMIT if check_time_limit is None else check_time_limit
    todo = [e for e in entries if e.error is None]
    for entry in entries:
        if entry.error is not None:
            entry.rows = _rows_unreadable(entry)
            if on_done:
                on_done(entry)
    threads = 1 if jobs > 1 else None
    work = [
        runner.make_job(
            e.label,
            e.cells,
            [(t.name, t.forward) for t in e.tasks.values()],
            timeout,
            limit,
            threads,
            cwd=e.path.resolve().parent if in_place else None,
        )
        for e in todo
    ]

    def finished(index, result):
        entry = todo[index]
        entry.result = result
        entry.rows = _rows(entry, result, timeout, limit)
        if on_done:
            on_done(entry)

    runner.run_jobs(work, jobs, on_done=finished)
    return entries


def _rows_unreadable(entry: Submission) -> list:
    reason = entry.error
    if not entry.tasks:
        return [Row(entry.label, "", 0, None, False, reason, "; ".join(entry.notes))]
    return [Row(entry.label, t.name, 0, t.points, False, reason, "; ".join(entry.notes)) for t in entry.tasks.values()]


def _rows(entry: Submission, result: dict, timeout: float, limit: float) -> list:
    status = result.get("status")
    checks = result.get("checks", {}) or {}
    errors = {int(k): v for k, v in (result.get("errors") or {}).items() if str(k).isdigit()}
    cell = result.get("cell")
    where = f" in cell {cell} ({_first_line(entry, cell)})" if cell else ""
    stopped = {
        "timeout": f"timed out after {timeout:g} s{where}",
        "died": f"the kernel died{where or ' ' + result.get('message', '')} (os._exit, a crash, or out of memory?)",
        "stuck": f"not checked: the check of {result.get('message')} before it never finished",
        "failed": f"could not be graded: {result.get('message', '')}",
    }.get(status)
    notes = list(entry.notes)
    if result.get("output_bytes", 0) > BIG_OUTPUT:
        notes.append(f"its cells printed {result['output_bytes'] / 2**20:.1f} MB of output (discarded)")
    if errors:
        shown = [f"cell {n} raised {text}" for n, text in sorted(errors.items())[:3]]
        more = f" and {len(errors) - 3} more cells" if len(errors) > 3 else ""
        notes.append("; ".join(shown) + more)
    rows = []
    for task in entry.tasks.values():
        record = checks.get(task.name)
        if record is None and status == "stuck" and result.get("message") == task.name:
            seconds = limit + runner.CHECK_ALLOWANCE
            passed, reason, verdict = False, f"its check did not finish within {seconds:g} s (time limit defeated?)", ""
        elif record is None:
            passed, reason, verdict = False, stopped or "the check did not run", ""
        else:
            passed, reason, verdict = (
                bool(record.get("passed")),
                str(record.get("reason", "")),
                record.get("verdict", ""),
            )
            if record.get("missing"):
                broken = [n for n in entry.solution_cells.get(task.name, []) if n in errors]
                if broken:
                    reason = f"not defined: its cell {broken[0]} raised {errors[broken[0]]}"
        points = task.points if passed else 0
        rows.append(Row(entry.label, task.name, points, task.points, passed, reason, "; ".join(notes), verdict))
    return rows


def _first_line(entry: Submission, number) -> str:
    for cell_number, source in entry.cells:
        if cell_number == number:
            line = next((line.strip() for line in source.splitlines() if line.strip()), "")
            return line if len(line) <= 60 else line[:57] + "..."
    return ""


def write_csv(entries, path) -> int:
    """Write every row, sorted by submission then lesson order, to ``path`` atomically; the row count."""
    from cnnlab import exercises

    order = {name: index for index, name in enumerate(exercises.names())}
    rows = sorted(
        (row for entry in entries for row in entry.rows),
        key=lambda r: (r.submission, order.get(r.exercise, -1), r.exercise),
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        maximum = "" if r.max_points is None else _number(r.max_points)
        passed = "true" if r.passed else "false"
        writer.writerow([r.submission, r.exercise, _number(r.points), maximum, passed, r.reason, r.notes])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(rows)


def _match(path: Path, nb, sources):
    """The source a submission answers: the only one, the one with its file name, or the best overlap."""
    if len(sources) == 1:
        return sources[0]
    named = [s for s in sources if s.path.name == path.name]
    if len(named) == 1:
        return named[0]
    if nb is None:
        return None
    mentioned = set(submissions.assignment(nb))
    for name in {n for s in sources for n in s.tasks}:
        if submissions.solution_cells(nb, name):
            mentioned.add(name)
    overlaps = sorted(((len(mentioned & set(s.tasks)), i) for i, s in enumerate(sources)), reverse=True)
    if overlaps[0][0] > 0 and (len(overlaps) == 1 or overlaps[0][0] > overlaps[1][0]):
        return sources[overlaps[0][1]]
    return None


def _label(path: Path) -> str:
    """How a submission is named in the CSV: its path as given, relative to here when inside."""
    text = os.path.normpath(str(path))
    if os.path.isabs(text):
        relative = os.path.relpath(text)
        return relative if not relative.startswith("..") else text
    return text


def _number(value) -> str:
    return f"{value:g}"
