"""Reading whatever a student hands in, and deciding what to grade in it.

``load(path)`` reads a notebook without trusting it: an empty file, a folder, bytes that
are not UTF-8, truncated or invalid JSON, JSON that is not a notebook, nbformat v3 (converted
to v4) each give either a notebook and notes, or an ``UnreadableError`` error whose message says
what is wrong in plain words. The file is only read, never written.

``assignment(nb)`` is what a notebook assigns, from the nbgrader metadata of its cells (see
``cnnlab.notebooks``): each exercise with a graded check cell (``grade_id`` "check_NAME")
and its points, or a solution cell (``grade_id`` NAME) worth 1 point. Only names that are
cnnlab exercises count: cnnlab grades with its own checks. A notebook whose metadata was
stripped (some editors do) falls back on the ``exercises.check("NAME", ...)`` calls in its
cells, 1 point each.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from cnnlab import notebooks

__all__ = [
    "MAX_BYTES",
    "UnreadableError",
    "Task",
    "load",
    "assignment",
    "checked_names",
    "solution_cells",
    "expand",
    "describe_points",
]

MAX_BYTES = 64 * 2**20  # no notebook of these lessons comes near; larger files are refused unread
_CHECK_CALL = re.compile(r"""exercises\.check\(\s*["'](\w+)["']""")


class UnreadableError(Exception):
    """A file that is not a notebook cnnlab can read; the message says why (no traceback needed)."""


@dataclass
class Task:
    """One exercise to grade: its name, points, and the matching forward exercise for a backward pass."""

    name: str
    points: float = 1
    forward: str | None = None
    notes: list = field(default_factory=list)


def load(path) -> tuple:
    """``(notebook, notes)`` for the file at ``path``: ``{"cells": [...], "metadata": {...}}`` in the
    layout of nbformat v4 (each cell a dict with a str ``source``), and what was odd about the file.

    Raises ``UnreadableError`` with a plain-words reason for anything that is not a notebook.
    """
    path = Path(path)
    if path.is_dir():
        raise UnreadableError("is a folder, not a notebook file")
    if not path.exists():
        raise UnreadableError("does not exist")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableError("is empty (0 bytes)")
    if size > MAX_BYTES:
        raise UnreadableError(f"is {size / 2**20:.0f} MB, too large for a notebook (limit {MAX_BYTES // 2**20} MB)")
    data = path.read_bytes()
    notes = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = data.decode("latin-1")
        notes.append(f"the file is not UTF-8 (byte {exc.start}); it was read as Latin-1")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"{exc.msg}: line {exc.lineno}, column {exc.colno}"
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise UnreadableError(f"is cut short: its JSON ends in the middle ({where})") from None
        raise UnreadableError(f"is not valid JSON ({where})") from None
    except RecursionError:
        raise UnreadableError("is not a notebook: its JSON is nested too deeply") from None
    if not isinstance(raw, dict) or not ("cells" in raw or "worksheets" in raw):
        raise UnreadableError("is JSON but not a Jupyter notebook (no cells)")
    version = raw.get("nbformat")
    if version not in (3, 4):
        raise UnreadableError(f"is a notebook in format version {version!r}; cnnlab reads versions 3 and 4")
    if version == 3:
        raw = _from_version_3(text)
        notes.append("the notebook is in the old format version 3 (converted to 4 to grade it)")
    cells = raw.get("cells")
    if not isinstance(cells, list):
        raise UnreadableError("is not a valid notebook: its cells are not a list")
    nb = {"cells": [_tidy(cell) for cell in cells if isinstance(cell, dict)], "metadata": raw.get("metadata", {})}
    return nb, notes


def _from_version_3(text: str) -> dict:
    import nbformat  # only here: importing it takes seconds where jsonschema has all its extras

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dict(nbformat.reads(text, as_version=4, capture_validation_error={}))
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds on malformed files
        raise UnreadableError(f"is not a valid notebook: {type(exc).__name__}: {_clip(exc)}") from None


def _tidy(cell):
    """A cell with a string source and dict metadata, however the file stored them."""
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(str(part) for part in source)
    cell["source"] = source if isinstance(source, str) else ""
    if not isinstance(cell.get("metadata"), dict):
        cell["metadata"] = {}
    if not isinstance(cell["metadata"].get("nbgrader", {}), dict):
        cell["metadata"]["nbgrader"] = {}
    cell.setdefault("cell_type", "raw")
    return cell


def assignment(nb) -> dict:
    """``{name: Task}`` for the cnnlab exercises ``nb`` assigns, in lesson order (see the module doc)."""
    from cnnlab import exercises

    known = exercises.names()
    points, solutions = {}, set()
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        meta = cell["metadata"].get("nbgrader", {})
        name = notebooks.exercise_name(cell)
        if name not in known:
            continue
        if meta.get("grade") and str(meta.get("grade_id", "")).startswith("check_"):
            points.setdefault(name, notebooks.check_points(cell))  # a duplicated cell counts once
        elif meta.get("solution"):
            solutions.add(name)
    for name in solutions - set(points):
        points[name] = 1
    if not points:  # no nbgrader metadata at all: the check calls tell what is assigned
        for cell in nb["cells"]:
            if cell.get("cell_type") == "code":
                points.update({name: 1 for name in checked_names(cell["source"]) if name in known})
    from cnnlab.exercises import catalog

    return {name: Task(name, points[name], catalog.get(name).forward) for name in known if name in points}


def checked_names(source: str) -> list:
    """The exercises a cell checks: the names in its ``exercises.check("NAME", ...)`` calls."""
    return _CHECK_CALL.findall(source)


def solution_cells(nb, name: str) -> list:
    """Numbers (from 1) of the cells where ``nb`` defines exercise ``name``: by metadata or ``def name(``."""
    define = re.compile(rf"^def\s+{re.escape(name)}\s*\(", re.MULTILINE)
    found = []
    for number, cell in enumerate(nb["cells"], 1):
        if cell.get("cell_type") != "code":
            continue
        meta = cell["metadata"].get("nbgrader", {})
        if (meta.get("solution") and meta.get("grade_id") == name) or define.search(cell["source"]):
            found.append(number)
    return found


def expand(paths, recursive: bool = True) -> list:
    """The notebook files named by ``paths``: files as given, folders replaced by the ``*.ipynb`` in them.

    Folders are searched recursively (or not), skipping hidden folders and Jupyter's
    ``.ipynb_checkpoints``; a folder with no notebook in it, or a folder named like one
    (``x.ipynb/``), stays in the list, so the caller can say it is not a notebook. The same
    file named twice is listed once.
    """
    found, seen = [], set()
    for path in map(Path, paths):
        if path.is_dir():
            pattern = "**/*.ipynb" if recursive else "*.ipynb"
            inside = sorted(
                p
                for p in path.glob(pattern)
                if (p.is_file() or p.is_dir())  # a folder called x.ipynb is listed, to be reported
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            candidates = inside or [path]
        else:
            candidates = [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def describe_points(tasks) -> str:
    """``conv_forward_naive (1 pt), conv_backward_naive (2 pts)``."""
    return ", ".join(f"{t.name} ({_number(t.points)} pt{'' if t.points == 1 else 's'})" for t in tasks) or "none"


def _number(value) -> str:
    return f"{value:g}"


def _clip(value, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
