"""``cnnlab grade`` and ``cnnlab check``: run notebooks apart from the judge, and check their exercises.

What is graded in a submission: the exercises its source assigns (``sources``: the
instructor's notebooks or the student copies handed out), with their points; without a
source, the exercises and points the submission's own nbgrader metadata names (which a
student can edit: the summary warns when submissions disagree).

How: each submission runs top to bottom in its own kernel, in the grading sandbox where
bubblewrap works, and cnnlab's check of each exercise runs in a separate judge process
that only sends the kernel inputs and receives the student's outputs (``runner``,
``judge``, ``kernel``, ``sandbox``). A check cell's output, edited or not, is never read.
An exercise scores its points if the check passes, else 0. Whatever is wrong with a
submission (unreadable, a hang, a dead kernel, a missing function) becomes the reason on
its rows; the other submissions are graded as usual. A submission that timed out or
died while others ran beside it is graded once more on its own, so a classmate who hogs
the machine cannot cost it its points.

Every file is hashed when it is read and again when grading is over: a submission or
source that changed meanwhile has its grades refused, with the reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cnnlab.instructor import copying, release, runner, submissions

__all__ = ["COLUMNS", "DEFAULT_TIMEOUT", "STATUSES", "Row", "Source", "Submission", "load_sources", "prepare", "grade", "write_csv", "write_atomically", "inert"]

COLUMNS = ("submission", "exercise", "points", "max_points", "passed", "reason", "notes")
DEFAULT_TIMEOUT = 120.0  # seconds to run one notebook's cells (each lesson runs in under 30 s)
BIG_OUTPUT = 2**20  # bytes of output worth a note


@dataclass
class Source:
    """An instructor's notebook: what it assigns, to grade submissions on."""

    path: Path
    tasks: dict  # name -> submissions.Task
    sha256: str = ""
    templates: dict = field(default_factory=dict)  # name -> its exercise cell(s) as handed out (stubs)
    solutions: dict = field(default_factory=dict)  # name -> the instructor's solution, if the source has one


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
    sha256: str = ""  # of the file as it was read
    source: Source | None = None
    copied: dict = field(default_factory=dict)  # exercise -> a note: its code is cnnlab's answer
    code: dict = field(default_factory=dict)  # exercise -> copying.fingerprint of its code (None: too short)

    @property
    def score(self) -> tuple:
        """``(points, max points)``; max is None when the exercises are unknown."""
        known = [row for row in self.rows if row.exercise]
        return sum(row.points or 0 for row in self.rows), (sum(r.max_points for r in known) if known else None)


@dataclass(kw_only=True)
class Row:
    """One exercise of one submission, as graded. The CSV has the first seven fields; the results
    file (``results``) keeps them all, for ``cnnlab report``."""

    submission: str
    exercise: str
    points: float | None  # None: refused (the file changed while it was graded)
    max_points: float | None
    passed: bool
    reason: str
    notes: str = ""
    verdict: str = ""  # the check's full text (``cnnlab check -v`` and the feedback files show it)
    status: str = ""  # one of STATUSES
    mistake: str = ""  # what went wrong, worded alike for everyone who made that mistake ("" if passed)
    cases: int | None = None  # cases the check has (None: it did not run)
    cases_passed: int | None = None


STATUSES = {
    "passed": "passed",
    "failed": "failed its check",
    "unwritten": "not written yet",
    "missing": "no function to check",
    "not run": "did not run",
    "unreadable": "could not be read",
    "refused": "refused",
}


def load_sources(paths) -> list:
    """The instructor's notebooks (files or folders) that assign exercises, each with what it assigns.

    Notebooks that assign none (a lesson without exercises) are left out; ValueError for
    one that cannot be read, or if none assigns anything.
    """
    sources = []
    for path in submissions.expand(paths):
        digest = file_digest(path)
        try:
            nb, _ = submissions.load(path)
        except submissions.UnreadableError as exc:
            raise ValueError(f"source {path} {exc}") from None
        tasks = submissions.assignment(nb)
        if tasks:
            sources.append(Source(path, tasks, digest, *_templates(nb, tasks)))
    if not sources:
        names = ", ".join(map(str, paths))
        raise ValueError(f"no notebook in {names} assigns a cnnlab exercise (no nbgrader metadata or check calls)")
    return sources


def prepare(paths, sources=None) -> list:
    """A ``Submission`` per file in ``paths`` (folders: every notebook inside), read and planned."""
    found = []
    for path in submissions.expand(paths):
        entry = Submission(path, _label(path), sha256=file_digest(path))
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
            entry.source = source
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
        for name in entry.tasks:
            code = _cells_text(nb, entry.solution_cells[name])
            template = entry.source.templates.get(name, "") if entry.source else ""
            entry.code[name] = copying.fingerprint(code, template)
            if entry.source:  # the source tells the template's lines from the student's
                copied = copying.copied_reference(name, code, template, entry.source.solutions.get(name, ""))
                if copied:
                    entry.copied[name] = copied
    return found


def file_digest(path) -> str:
    """SHA-256 of a file's bytes ("" for what is not a readable file)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def _templates(nb, tasks) -> tuple:
    """``(templates, solutions)`` of a source's exercises: their cells as handed out, and its solutions."""
    templates, solutions = {}, {}
    for name in tasks:
        sources = [nb["cells"][n - 1]["source"] for n in submissions.solution_cells(nb, name)]
        templates[name] = "\n\n".join(release.handed_out(text, name) for text in sources)
        solutions[name] = "\n\n".join(release.solution_text(text) for text in sources)
    return templates, solutions


def _cells_text(nb, numbers) -> str:
    return "\n\n".join(nb["cells"][n - 1]["source"] for n in numbers)


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


def grade(entries, timeout=DEFAULT_TIMEOUT, check_time_limit=None, jobs=1, on_done=None, memory=None):
    """Run and check every gradable submission (``jobs`` at a time); fills in each one's ``rows``.

    ``check_time_limit``: seconds for each exercise's check (default: the exercises'
    own, 20 s); ``memory``: bytes of address space per kernel (default 2 GiB).
    ``on_done(entry)`` is called as each submission is finished. A submission whose kernel
    timed out (waiting, not computing), died or failed while others ran at the same time is
    graded once more, alone, before it counts as finished.
    """
    from cnnlab import exercises

    limit = exercises.DEFAULT_TIME_LIMIT if check_time_limit is None else check_time_limit
    todo = [e for e in entries if e.error is None]
    if todo:
        _self_test(sorted({name for e in todo for name in e.tasks}), memory)
    for entry in entries:
        if entry.error is not None:
            entry.rows = _rows_unreadable(entry)
            if on_done:
                on_done(entry)

    def job(entry, threads):
        tasks = [(t.name, t.forward) for t in entry.tasks.values()]
        return runner.make_job(entry.label, entry.cells, tasks, timeout, limit, threads, memory)

    again = []

    def finished(index, result):
        entry = todo[index]
        status = result.get("status")
        if jobs > 1 and len(todo) > 1 and status in _WHAT_HAPPENED and not _its_own_doing(result):
            again.append((entry, status))  # perhaps a classmate's doing: it runs alone below
            return
        _finish(entry, result, timeout, limit, on_done)

    runner.run_jobs([job(e, 1 if jobs > 1 else None) for e in todo], jobs, on_done=finished)
    for entry, status in again:
        entry.notes.append(f"graded again on its own, since it {_WHAT_HAPPENED[status]} while others ran")
        runner.run_jobs(
            [job(entry, None)], 1, on_done=lambda index, result, e=entry: _finish(e, result, timeout, limit, on_done)
        )
    return entries


_WHAT_HAPPENED = {"timeout": "timed out", "died": "died", "failed": "could not be graded"}


def _self_test(names: list, memory) -> None:
    """Fail at once, saying why, if a kernel cannot start here (rather than grade every submission 0)."""
    from cnnlab.instructor import sandbox

    with tempfile.TemporaryDirectory(prefix="cnnlab-selftest-") as tmp:
        box = sandbox.Sandbox(sandbox.build_package(Path(tmp) / "package", names), memory or sandbox.DEFAULT_MEMORY)
        work = Path(tmp) / "work"
        work.mkdir()
        box.self_test(work)


def _its_own_doing(result: dict) -> bool:
    """True for a timeout during which the kernel computed most of the time (an endless loop of its
    own), rather than waited (for the CPU a classmate took, say)."""
    seconds, cpu = result.get("seconds"), result.get("kernel_cpu_seconds")
    if result.get("status") != "timeout" or not isinstance(seconds, (int, float)) or not isinstance(cpu, (int, float)):
        return False
    return seconds > 0 and cpu >= 0.8 * seconds


def _finish(entry, result, timeout, limit, on_done) -> None:
    entry.result = result
    entry.rows = _rows(entry, result, timeout, limit)
    if on_done:
        on_done(entry)


def refuse_changed(entries, sources=()) -> list:
    """Refuse the grades of submissions whose file (or source) changed while they were graded.

    Hashes every file again; a changed one's rows get 0 points and the reason. Returns
    one message per changed file.
    """
    changed_sources = {s.path for s in sources or () if file_digest(s.path) != s.sha256}
    messages = [
        f"the source {p} changed while grading ran: the grades that depend on it are refused" for p in changed_sources
    ]
    for entry in entries:
        why = None
        if entry.sha256 and file_digest(entry.path) != entry.sha256:
            why = "refused: the submission changed while grading ran (graded again, it may score differently)"
            messages.append(f"{entry.label} changed while grading ran: its grades are refused")
        elif entry.source is not None and entry.source.path in changed_sources:
            why = f"refused: its source {entry.source.path} changed while grading ran"
        if why:
            for row in entry.rows:  # no points, not 0: a gradebook must not take it for a grade
                row.points, row.passed, row.reason, row.status, row.mistake = None, False, why, "refused", why
    return messages


def _rows_unreadable(entry: Submission) -> list:
    common = dict(submission=entry.label, points=0, passed=False, reason=entry.error, notes="; ".join(entry.notes))
    common.update(status="unreadable", mistake=_unreadable_kind(entry.error))
    if not entry.tasks:
        return [Row(exercise="", max_points=None, **common)]
    return [Row(exercise=t.name, max_points=t.points, **common) for t in entry.tasks.values()]


def _unreadable_kind(error: str) -> str:
    """An unreadable submission's reason without its file's particulars (line numbers, names)."""
    return error.split(":")[0].split(" (")[0][:120]


def _rows(entry: Submission, result: dict, timeout: float, limit: float) -> list:
    status = result.get("status")
    checks = result.get("checks", {}) or {}
    errors = {int(k): v for k, v in (result.get("errors") or {}).items() if str(k).isdigit()}
    cell = result.get("cell")
    where = f" in cell {cell} ({_first_line(entry, cell)})" if cell else ""
    stopped = {
        "timeout": f"timed out after {timeout:g} s{where}",
        "died": f"the kernel died{where or ' ' + result.get('message', '')} (os._exit, a crash, or out of memory?)",
        "stuck": f"not checked: the kernel did not stop when the check of {result.get('message')} ran out of time",
        "failed": f"could not be graded: {result.get('message', '')}",
    }.get(status)
    notes = list(entry.notes)
    if status == "timeout" and cell:
        notes.append(f"{stopped}; the cells after it did not run")
    if result.get("sandboxed") is False:
        notes.append("not sandboxed")
    if result.get("output_bytes", 0) > BIG_OUTPUT:
        notes.append(f"its cells printed {result['output_bytes'] / 2**20:.1f} MB of output (discarded)")
    if errors:
        shown = [f"cell {n} raised {text}" for n, text in sorted(errors.items())[:3]]
        more = f" and {len(errors) - 3} more cells" if len(errors) > 3 else ""
        notes.append("; ".join(shown) + more)
    rows = []
    for task in entry.tasks.values():
        record = checks.get(task.name)
        if record is None:
            passed, reason, verdict = False, stopped or "the check did not run", ""
            facts = dict(status="not run", mistake=_STOPPED.get(status, "the check did not run"))
        else:
            passed, reason, verdict = (
                bool(record.get("passed")),
                str(record.get("reason", "")),
                record.get("verdict", ""),
            )
            facts = _check_facts(record)
            if record.get("missing"):
                facts = dict(status="missing", mistake=reason)
                broken = [n for n in entry.solution_cells.get(task.name, []) if n in errors]
                if broken:
                    reason = f"not defined: its cell {broken[0]} raised {errors[broken[0]]}"
                    facts["mistake"] = f"not defined: its cell raised {errors[broken[0]].split(':')[0]}"
                elif status == "timeout" and any(n > (cell or 0) for n in entry.solution_cells.get(task.name, [])):
                    reason = f"{stopped}; its cell did not run"
                    facts["mistake"] = "timed out before its cell ran"
        points = task.points if passed else 0
        row_notes = "; ".join(filter(None, [entry.copied.get(task.name), *notes]))
        rows.append(
            Row(
                submission=entry.label,
                exercise=task.name,
                points=points,
                max_points=task.points,
                passed=passed,
                reason=reason,
                notes=row_notes,
                verdict=verdict,
                **facts,
            )
        )
    return rows


_STOPPED = {
    "timeout": "timed out",
    "died": "the kernel died",
    "stuck": "the kernel did not stop when a check ran out of time",
    "failed": "could not be graded",
}


def _check_facts(record: dict) -> dict:
    """Status, mistake and case counts of a check the judge ran."""
    passed = bool(record.get("passed"))
    status = "passed" if passed else "unwritten" if record.get("unwritten") else "failed"
    counts = {}
    for key in ("cases", "cases_passed"):
        value = record.get(key)
        counts[key] = value if isinstance(value, int) and not isinstance(value, bool) else None
    mistake = "" if passed else str(record.get("mistake") or record.get("reason") or "")[:300]
    return dict(status=status, mistake=mistake, **counts)


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
        got = "" if r.points is None else _number(r.points)
        writer.writerow([inert(r.submission), r.exercise, got, maximum, passed, inert(r.reason), inert(r.notes)])
    write_atomically(path, buffer.getvalue())
    return len(rows)


def write_atomically(path, text: str) -> None:
    """Write ``text`` to ``path`` so that the file is either the old one or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def inert(text: str) -> str:
    """A field a spreadsheet will not run as a formula: text a submission wrote may start with ``=``."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
