"""The results file of a grading run: every row in full, for ``cnnlab report`` and ``--update``.

``cnnlab grade SUBMISSIONS --out grades.csv`` writes, beside the CSV, ``grades.results.json``:
the sources it graded against (path and SHA-256) and, per submission, its label, file
hash, notes, the fingerprints of its exercise code and its rows with everything the
CSV leaves out (the full verdict, the mistake, the cases passed). ``cnnlab report``
rebuilds the class report, the feedback files and the exports from it without grading
again; ``cnnlab grade ... --update`` grades some submissions again and replaces only
their records. The journal of an unfinished run holds the same records, one per line.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

from cnnlab.instructor.grading import Row, Submission, write_atomically

__all__ = ["FORMAT", "path_for", "record", "entry", "write", "read", "merge", "signature"]

FORMAT = "cnnlab grade results"
VERSION = 1


def path_for(out) -> Path:
    """The results file that goes with the CSV ``out``: ``grades.csv`` -> ``grades.results.json``."""
    out = Path(out)
    return out.with_name(out.stem + ".results.json")


def signature(sources) -> list:
    """The sources a run graded against, as ``[[file name, sha256], ...]`` (``[]`` without --source): the
    same notebooks, byte for byte, wherever they are now."""
    return sorted([s.path.name, s.sha256] for s in sources or ())


def record(submission) -> dict:
    """One graded submission as plain data."""
    return {
        "label": submission.label,
        "path": str(submission.path),
        "sha256": submission.sha256,
        "error": submission.error,
        "notes": list(submission.notes),
        "code": dict(submission.code),
        "rows": [asdict(row) for row in submission.rows],
    }


def entry(data: dict):
    """The ``grading.Submission`` a record describes (ValueError if it is not one)."""
    known = {f.name for f in fields(Row)}
    try:
        rows = [Row(**{k: v for k, v in row.items() if k in known}) for row in data["rows"]]
        return Submission(
            Path(data.get("path") or data["label"]),
            str(data["label"]),
            sha256=str(data.get("sha256", "")),
            error=data.get("error"),
            notes=list(data.get("notes") or []),
            code=dict(data.get("code") or {}),
            rows=rows,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"a submission's record is damaged ({exc.__class__.__name__}: {exc})") from None


def write(entries, sources, path) -> Path:
    """Write the results file of ``entries`` graded against ``sources``, atomically."""
    document = {
        FORMAT: VERSION,
        "sources": signature(sources),
        "submissions": [record(e) for e in sorted(entries, key=lambda e: e.label)],
    }
    write_atomically(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return Path(path)


def read(path) -> tuple:
    """``(sources signature, [grading.Submission, ...])`` from a results file.

    ``path`` may be the results file or the grades CSV it was written beside. ValueError,
    saying what to do, for a file that is missing or is not a results file.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        beside = path_for(path)
        if not beside.exists():
            raise ValueError(
                f"{path} is a grades CSV; its full results ({beside.name}) are not beside it. "
                "Give the .results.json file that `cnnlab grade` wrote"
            )
        path = beside
    if not path.exists():
        raise ValueError(f"{path} does not exist (`cnnlab grade ... --out grades.csv` writes grades.results.json)")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError(f"{path} is not a cnnlab results file (not JSON)") from None
    if not isinstance(document, dict) or document.get(FORMAT) != VERSION:
        raise ValueError(f"{path} is not a cnnlab results file (written by `cnnlab grade`, version {VERSION})")
    submissions = document.get("submissions")
    if not isinstance(submissions, list):
        raise ValueError(f"{path} is damaged: it has no list of submissions")
    return document.get("sources") or [], [entry(item) for item in submissions]


def merge(earlier: list, again: list) -> list:
    """The submissions of an earlier run with those graded ``again`` in place of theirs (by label)."""
    labels = {e.label for e in again}
    return [e for e in earlier if e.label not in labels] + list(again)
