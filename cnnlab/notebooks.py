"""Lesson notebooks as files: the cell conventions, safe writing, and clean storage.

Two editions of every lesson: the instructor's source (``instructor/``: solutions, hidden
tests, the PASS verdicts nbval compares) and the student edition generated from it by
``cnnlab release`` (``lessons/``: stubs, and the verdicts an unsolved copy prints).

The conventions every lesson follows (and that ``cnnlab release/check/grade`` rely on).
Testing markers live in cell tags, which nbval and JupyterLab read, never in the code:

- An **exercise cell** holds the solution between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``, has nbgrader metadata ``{"solution": true, "grade_id": NAME}``
  where NAME is the exercise's name in ``cnnlab.exercises``, and the tag
  ``raises-exception``: if a student's version does not compile or raises, Run All goes
  on (JupyterLab and nbval both honour the tag).
- A **check cell** runs ``exercises.check("NAME")`` and has the tag ``nbval-check-output``;
  its nbgrader metadata is ``{"grade": true, "grade_id": "check_" + NAME, "points": P}``.
  Only the verdict it prints is stored, so nbval compares it on every run.
- Anything between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` is for the
  instructor's copy only.
- A cell whose output depends on the machine (a timing, a training curve) has the tag
  ``nbval-ignore-output``: nbval does not compare it and it is stored without outputs.

Older notebooks that mark cells with comment lines (``# NBVAL_CHECK_OUTPUT``,
``# NBVAL_IGNORE_OUTPUT``) are read the same way; ``clean`` turns the comments into tags.

Stored lessons keep only what helps a reader without a kernel: check verdicts, and the
static PNG each explorer leaves. ``clean`` removes everything else (widget state, stderr,
kernel-specific metadata) and numbers the code cells as a fresh top-to-bottom run would.

    python -m cnnlab.notebooks clean instructor/*.ipynb      # tidy in place (atomic)
    python -m cnnlab.notebooks run instructor/*.ipynb        # execute, then store clean
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

__all__ = [
    "CHECK_TAG",
    "IGNORE_TAG",
    "EXERCISE_TAG",
    "BEGIN_SOLUTION",
    "END_SOLUTION",
    "read",
    "dumps",
    "write_atomic",
    "has_tag",
    "set_tag",
    "is_check_cell",
    "is_solution_cell",
    "exercise_name",
    "check_points",
    "marks_to_tags",
    "replace_regions",
    "solution_stub",
    "clean",
    "execute",
]

CHECK_TAG = "nbval-check-output"  # nbval compares the cell's stored output
IGNORE_TAG = "nbval-ignore-output"  # nbval does not compare it; stored without outputs
EXERCISE_TAG = "raises-exception"  # Run All goes on if the cell raises (JupyterLab, nbval)
_COMMENT_MARKS = {"# NBVAL_CHECK_OUTPUT": CHECK_TAG, "# NBVAL_IGNORE_OUTPUT": IGNORE_TAG}  # older notebooks
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def read(path):
    """The notebook at ``path`` as an nbformat v4 NotebookNode (raises on invalid JSON)."""
    import nbformat

    return nbformat.read(str(path), as_version=4)


def write_atomic(nb, path) -> None:
    """Write a validated notebook to ``path`` via a temporary file and an atomic rename,
    so an interrupted write never leaves a half-written (lost) notebook behind."""
    text = dumps(nb)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dumps(nb) -> str:
    """The text ``write_atomic`` stores for a (validated) notebook: nbformat's JSON and one newline."""
    import nbformat

    nbformat.validate(nb)
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def has_tag(cell, tag: str) -> bool:
    """True if ``cell`` has the tag (or, for nbval's tags, the comment line older notebooks used)."""
    if tag in (cell.get("metadata", {}).get("tags") or []):
        return True
    marks = [mark for mark, marked in _COMMENT_MARKS.items() if marked == tag]
    return any(line.strip() in marks for line in cell.get("source", "").splitlines())


def set_tag(cell, tag: str, on: bool = True) -> None:
    """Add (or, with ``on=False``, remove) a tag of ``cell``; an empty tag list is removed."""
    tags = [t for t in (cell.metadata.get("tags") or []) if t != tag] + ([tag] if on else [])
    if tags:
        cell.metadata["tags"] = tags
    else:
        cell.metadata.pop("tags", None)


def is_check_cell(cell) -> bool:
    """A code cell whose output nbval compares (tag ``nbval-check-output``)."""
    return cell.get("cell_type") == "code" and has_tag(cell, CHECK_TAG)


def marks_to_tags(cell) -> None:
    """Move the comment lines of older notebooks (``# NBVAL_CHECK_OUTPUT``) into the cell's tags."""
    if cell.cell_type != "code":
        return
    lines = cell.source.splitlines()
    kept = [line for line in lines if line.strip() not in _COMMENT_MARKS]
    for line in lines:
        if line.strip() in _COMMENT_MARKS:
            set_tag(cell, _COMMENT_MARKS[line.strip()])
    if len(kept) != len(lines):
        cell.source = "\n".join(kept)


def exercise_name(cell) -> str | None:
    """The exercise a solution or check cell belongs to (from its nbgrader grade_id)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    grade_id = meta.get("grade_id")
    if not grade_id:
        return None
    return grade_id.removeprefix("check_") if meta.get("grade") else grade_id


def is_solution_cell(cell) -> bool:
    """A cell the student answers: nbgrader ``"solution": true``, or one holding a solution region."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("solution")) or BEGIN_SOLUTION in cell.get("source", "")


def check_points(cell, default: float = 1) -> float:
    """The points a check cell is worth: its nbgrader ``points`` (``default`` if absent or not a number >= 0)."""
    points = cell.get("metadata", {}).get("nbgrader", {}).get("points")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 <= points < float("inf"):
        return default
    return points


def replace_regions(source: str, begin: str, end: str, replacement) -> str:
    """``source`` with every region from a ``begin`` line to its ``end`` line (both included) replaced.

    ``replacement(indent, body)`` gets the indentation of the ``begin`` line and the lines
    between the markers, and returns the lines to put in their place (``[]`` removes the
    region; ``body`` keeps the solution and drops only the markers). A marker line is one
    whose text, stripped, starts with the marker, as nbgrader reads them. Raises
    ValueError for a region that is never closed, closed twice or nested.
    """
    lines = source.splitlines()
    out, body, indent = [], None, ""
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if text.startswith(begin):
            if body is not None:
                raise ValueError(f"line {number}: {begin!r} inside a region that is still open (nested regions?)")
            body, indent = [], line[: len(line) - len(line.lstrip())]
        elif text.startswith(end):
            if body is None:
                raise ValueError(f"line {number}: {end!r} without a {begin!r} before it")
            out += replacement(indent, body)
            body = None
        elif body is not None:
            body.append(line)
        else:
            out.append(line)
    if body is not None:
        raise ValueError(f"{begin!r} is never closed by {end!r}")
    return "\n".join(out) + ("\n" if source.endswith("\n") and out else "")


def solution_stub(name: str | None, language: str = "code") -> str:
    """What replaces a solution region in a student copy: lines that say what to do.

    >>> print(solution_stub("conv_output_size"))
    # your code here (stuck? exercises.hint("conv_output_size") gives a hint)
    raise NotImplementedError("conv_output_size: write your solution here")
    """
    if language == "markdown":
        return "YOUR ANSWER HERE"
    if not name:
        return 'raise NotImplementedError("write your solution here")'
    from cnnlab import exercises  # lazily: the notebook tools do not need the exercises otherwise

    if name not in exercises.names():  # no hints to point to
        return f'raise NotImplementedError("{name}: write your solution here")'
    hint = f'# your code here (stuck? exercises.hint("{name}") gives a hint)'
    return f'{hint}\nraise NotImplementedError("{name}: write your solution here")'


def clean(nb):
    """Strip a notebook down to what is worth storing; returns the same notebook.

    Check cells keep their text verdicts; other cells keep only static PNG figures
    (an explorer's picture for readers without a kernel). Errors, stderr and widget views
    go, and so does machine-specific metadata. Comment markers become tags. Cells with a
    stored output are numbered as a fresh top-to-bottom run numbers them (nbval compares
    only cells with a count); the others have none.
    """
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type != "code":
            continue
        marks_to_tags(cell)
        count += 1
        cell.execution_count = count
        for output in cell.outputs:
            if output.output_type == "execute_result":
                output.execution_count = count
        if has_tag(cell, IGNORE_TAG):
            cell.outputs = []
            cell.execution_count = None
            continue
        check = is_check_cell(cell)
        cell.outputs = [kept for out in cell.outputs if (kept := _clean_output(out, check))]
        if not cell.outputs:
            cell.execution_count = None  # a count on a cell with nothing stored would only look run
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _clean_output(output, check: bool):
    """One output, stripped; None if nothing in it is worth keeping.

    Check cells keep their text and HTML (the verdict nbval compares: it wants every field
    a fresh run produces); other cells keep only PNG figures, since their text may differ
    between machines.
    """
    if output.output_type == "stream":
        return output if check and output.name == "stdout" else None
    if output.output_type == "error":
        return None
    kept = ("text/plain", "text/html") if check else ("image/png",)
    data = {key: value for key, value in output.get("data", {}).items() if key in kept}
    if not data:
        return None
    output.data = data
    output.metadata = {}
    return output


def execute(nb, cwd=None, timeout: int = 120):
    """Run every cell of ``nb`` in a fresh python3 kernel (nbclient); returns the notebook."""
    from nbclient import NotebookClient

    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd or ".")}}
    ).execute()
    return nb


def main(argv=None) -> int:
    """``python -m cnnlab.notebooks clean|run NOTEBOOK...``"""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2 or argv[0] not in ("clean", "run"):
        print(__doc__.split("\n\n")[-1], file=sys.stderr)
        return 2
    for name in argv[1:]:
        path = Path(name)
        nb = read(path)
        if argv[0] == "run":
            execute(nb, cwd=path.parent)
        write_atomic(clean(nb), path)
        print(f"{argv[0]}: {path} ({path.stat().st_size / 1024:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
