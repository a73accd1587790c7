"""Gradebook exports: one row per student, a column per exercise and the total; a roster to name them.

Without a roster, the wide CSV has a row per submission: ``submission``, one column per
exercise (its points), ``total``, ``max_points``. With ``--roster FILE`` (a CSV with one
row per student, such as the gradebook a Canvas or Moodle course exports), each
submission is matched to its student by one of the roster's columns, the one whose
values name the most submissions: a value matches a submission when it is one of the
folders or the file name (without ``.ipynb``) in its path, or a ``_``-separated part of
that file name (Canvas's downloads are named ``name_userid_submissionid_file``). The wide
CSV then keeps every roster column and row in order (students who handed nothing in get
empty cells, not 0), fills a Canvas ``Points Possible`` row with each column's maximum,
and adds the exercises, ``total`` and ``submissions`` (what each student's row was
graded from); submissions no roster row names come last, with empty roster columns.
Refused grades are empty cells, never 0.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cnnlab.instructor.grading import inert, write_atomically

__all__ = ["Roster", "read_roster", "match", "wide_rows", "write_wide"]


@dataclass(kw_only=True)
class Roster:
    path: Path
    columns: list
    rows: list  # [dict column -> value], in the file's order

    def key_values(self, column: str) -> list:
        return [row.get(column, "").strip() for row in self.rows]


@dataclass(kw_only=True)
class Matching:
    column: str | None  # the roster column that names submissions
    student_of: dict  # submission label -> index of its roster row
    unmatched: list  # labels no roster row names
    warnings: list = field(default_factory=list)


def read_roster(path) -> Roster:
    """A roster CSV (UTF-8, with or without a byte-order mark; a header row first)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValueError(f"--roster {path} does not exist") from None
    except UnicodeDecodeError:
        raise ValueError(f"--roster {path} is not UTF-8 text; save it as CSV (UTF-8)") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    lines = [line for line in reader if any(cell.strip() for cell in line)]
    if len(lines) < 2:
        raise ValueError(f"--roster {path} needs a header row and a row per student; it has {len(lines)} rows")
    columns = [name.strip() for name in lines[0]]
    if len(set(columns)) != len(columns) or not all(columns):
        raise ValueError(f"--roster {path}: every column needs a name of its own; the header is {lines[0]}")
    rows = [dict(zip(columns, line + [""] * (len(columns) - len(line)))) for line in lines[1:]]
    return Roster(path=path, columns=columns, rows=rows)


def _names_in(label: str) -> set:
    """What a roster value may be to name this submission (lower case)."""
    path = Path(label)
    stem = re.sub(r"\.ipynb$", "", path.name, flags=re.I)
    found = {part.lower() for part in path.parts[:-1]} | {stem.lower(), path.name.lower()}
    found |= {part.lower() for part in stem.split("_") if part}
    return found


def match(roster: Roster, labels) -> Matching:
    """Which roster row each submission belongs to, by the column that names the most submissions."""
    labels = sorted(labels)
    names = {label: _names_in(label) for label in labels}
    best = None
    for column in roster.columns:
        values = [value.lower() for value in roster.key_values(column)]
        counts = defaultdict(int)
        for value in values:
            counts[value] += 1
        student_of, ambiguous = {}, []
        for label in labels:
            hits = [i for i, value in enumerate(values) if value and value in names[label]]
            rows = {values[i] for i in hits}
            if len(hits) == 1:
                student_of[label] = hits[0]
            elif len(rows) > 1 or (hits and counts[values[hits[0]]] > 1):
                ambiguous.append(label)
        if best is None or len(student_of) > len(best[1]):
            best = (column, student_of, ambiguous)
    column, student_of, ambiguous = best if best and best[1] else (None, {}, [])
    unmatched = [label for label in labels if label not in student_of]
    warnings = [f"{label}: more than one roster row could be its student (by {column!r})" for label in ambiguous]
    return Matching(column=column, student_of=student_of, unmatched=unmatched, warnings=warnings)


def wide_rows(entries, exercise_names: list, roster: Roster | None = None) -> tuple:
    """``(header, rows, warnings)`` of the wide CSV (values as text)."""
    entries = sorted(entries, key=lambda e: e.label)
    maxima = {}
    for entry in entries:
        for row in entry.rows:
            if row.exercise and row.max_points is not None:
                maxima[row.exercise] = max(maxima.get(row.exercise, 0), row.max_points)
    if roster is None:
        header = ["submission", *exercise_names, "total", "max_points"]
        rows = []
        for entry in entries:
            points = _points(entry, exercise_names)
            total = _total(points.values())
            most = sum(maxima.get(n, 0) for n in exercise_names if n in points)
            rows.append([entry.label, *(_fmt(points.get(n)) for n in exercise_names), total, _fmt(most)])
        return header, rows, []
    matching = match(roster, [e.label for e in entries])
    warnings = list(matching.warnings)
    if matching.column is None:
        raise ValueError(
            f"--roster {roster.path}: no column of it names any submission (its columns: "
            f"{', '.join(roster.columns)}); it needs a column whose values are the submissions' folder or file names"
        )
    if matching.unmatched:
        warnings.append(
            f"{len(matching.unmatched)} submissions are in no row of the roster (by {matching.column!r}): "
            + ", ".join(matching.unmatched[:5])
            + (" ..." if len(matching.unmatched) > 5 else "")
        )
    by_student = defaultdict(list)
    for entry in entries:
        if entry.label in matching.student_of:
            by_student[matching.student_of[entry.label]].append(entry)
    header = [*roster.columns, *exercise_names, "total", "submissions"]
    first = roster.columns[0]
    rows = []
    for index, student in enumerate(roster.rows):
        values = [student.get(column, "") for column in roster.columns]
        if student.get(first, "").strip().lower() == "points possible":
            rows.append(values + [_fmt(maxima.get(n)) for n in exercise_names] + [_fmt(sum(maxima.values())), ""])
            continue
        theirs = by_student.get(index, [])
        points = {}
        for entry in theirs:
            for name, value in _points(entry, exercise_names).items():
                if name in points and value != points[name]:
                    who = student.get(matching.column, "").strip()
                    warnings.append(f"{name} is graded in more than one submission of {who!r}; the higher points count")
                points[name] = value if name not in points else _higher(points[name], value)
        total = _total(points.values()) if theirs else ""
        labels = "; ".join(e.label for e in theirs)
        rows.append(values + [_fmt(points.get(n)) for n in exercise_names] + [total, labels])
    for label in matching.unmatched:
        entry = next(e for e in entries if e.label == label)
        points = _points(entry, exercise_names)
        rows.append(
            [""] * len(roster.columns) + [_fmt(points.get(n)) for n in exercise_names] + [_total(points.values()), label]
        )
    return header, rows, warnings


def _points(entry, names) -> dict:
    """exercise -> points (None: refused) of one submission, for the exercises it was graded on."""
    return {row.exercise: row.points for row in entry.rows if row.exercise in names}


def _higher(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _total(values) -> str:
    values = list(values)
    if any(v is None for v in values):
        return ""  # a refused grade: no total a gradebook could take for the grade
    return _fmt(sum(values))


def _fmt(value) -> str:
    return "" if value is None else f"{value:g}"


def write_wide(entries, exercise_names: list, path, roster: Roster | None = None) -> list:
    """Write the wide CSV to ``path`` atomically; the warnings (unmatched submissions, say)."""
    header, rows, warnings = wide_rows(entries, exercise_names, roster)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([inert(str(value)) for value in row])
    write_atomically(path, buffer.getvalue())
    return warnings
