"""``cnnlab release``: student copies of lesson notebooks.

This is how the student edition in ``lessons/`` is made from the instructor's sources in
``instructor/``, and how an instructor makes the copies a class gets. In each copy:

- every solution region (``### BEGIN SOLUTION`` ... ``### END SOLUTION``) of an assigned
  exercise becomes two lines, at the region's indentation, that say what to do::

      # your code here (stuck? exercises.hint("im2col") gives a hint)
      raise NotImplementedError("im2col: write your solution here")

  and the exercise cell gets the tag ``raises-exception``, so Run All goes on past it
  when the student's version does not compile;
- an exercise that is not assigned (``exercises=`` names the ones that are) keeps its
  reference solution without the markers, and its cells lose their nbgrader metadata, so
  neither ``cnnlab grade`` nor nbgrader grades it;
- hidden tests (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``) are removed, and
  testing markers written as comments become cell tags;
- the check cell of an assigned exercise stores what it really prints in the copy, the
  verdict on the stub ("conv_forward_naive: not written yet"), never the source's PASS;
  other verdicts are dropped, explorers keep their static figure, every other output is
  cleared, and only cells with a stored output keep an execution count.

A copy is a pure function of its source: releasing the same source again gives the same
bytes. The sources are only read. Copies are written atomically (valid nbformat v4),
never over a source, and never over an existing file unless ``force``; nothing is written
unless every copy could be made.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from cnnlab import notebooks
from cnnlab.instructor import submissions

__all__ = ["Released", "release", "student_copy", "handed_out", "solution_text"]

_DEF = re.compile(r"^\s*def\s+(\w+)\s*\(", re.MULTILINE)


@dataclass
class Released:
    """One student copy: where it came from and went, what it assigns, what it warns about."""

    source: Path
    target: Path
    assigned: list = field(default_factory=list)  # submissions.Task, in lesson order
    kept: list = field(default_factory=list)  # exercises left with their reference solution
    warnings: list = field(default_factory=list)


def release(sources, out, exercises=None, force: bool = False, write: bool = True) -> list:
    """Make the student copy of each notebook in ``sources`` (files or folders) in the folder ``out``.

    ``exercises``: the names of the exercises to assign (None: all). Raises ValueError
    (before writing anything) for a name that is in none of the notebooks, two sources with
    the same file name, a copy that would replace a source, or existing copies without
    ``force``. Returns one ``Released`` per copy. ``write=False`` checks and reports only.
    """
    paths = submissions.expand(sources, recursive=False)
    if not paths:
        raise ValueError("no notebooks given")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; give a folder for the student copies")
    for path in paths:
        if path.is_dir():
            raise ValueError(f"{path} is a folder with no .ipynb notebooks in it")
        if not path.is_file():
            raise ValueError(f"{path} does not exist")
    targets = {}
    for path in paths:
        target = out / path.name
        if target.name in targets:
            raise ValueError(
                f"two notebooks are called {path.name} ({targets[target.name]} and {path}); copy one first"
            )
        targets[target.name] = path
        if target.resolve() in {p.resolve() for p in paths}:
            raise ValueError(
                f"the student copy of {path} would replace a source notebook ({target}); choose another --out"
            )
    existing = [out / name for name in targets if (out / name).exists()]
    if existing and not force:
        shown = ", ".join(map(str, existing[:3])) + (f" and {len(existing) - 3} more" if len(existing) > 3 else "")
        raise ValueError(f"{shown} already exist{'s' if len(existing) == 1 else ''}; use --force to replace")
    made = []
    for path in paths:
        try:
            nb = notebooks.read(path)
        except Exception as exc:  # noqa: BLE001 - invalid JSON or notebook: say which file
            raise ValueError(f"{path} is not a readable notebook: {' '.join(str(exc).split())[:200]}") from None
        try:
            student, released = student_copy(nb, exercises)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        released.source, released.target = path, out / path.name
        made.append((student, released))
    if exercises is not None:
        offered = {name for _, r in made for name in [t.name for t in r.assigned] + r.kept}
        unknown = [name for name in exercises if name not in offered]
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)}: not an exercise of {'this notebook' if len(paths) == 1 else 'these notebooks'}"
                f" (they have: {', '.join(sorted(offered)) or 'none'})"
            )
    if write:
        out.mkdir(parents=True, exist_ok=True)
        for student, released in made:
            notebooks.write_atomic(student, released.target)
    return [released for _, released in made]


def student_copy(nb, exercises=None) -> tuple:
    """``(copy, Released)``: the student copy of notebook ``nb`` (unchanged), and what it assigns.

    Raises ValueError for a solution cell of an assigned exercise with no region to
    replace, unbalanced markers, or a copy whose changed cells are not valid Python.
    """
    nb = copy.deepcopy(nb)
    assign = None if exercises is None else set(exercises)
    released = Released(Path(), Path())
    unassigned = set()
    for number, cell in enumerate(nb.cells, 1):
        if cell.cell_type == "code":
            notebooks.marks_to_tags(cell)
        if notebooks.is_solution_cell(cell):
            name = _solution_name(cell)
            kind = "markdown" if cell.cell_type == "markdown" else "code"
            if assign is None or name in assign:
                if notebooks.BEGIN_SOLUTION not in cell.source:
                    raise ValueError(
                        f"cell {number} is a solution cell{f' ({name})' if name else ''} with no "
                        f"{notebooks.BEGIN_SOLUTION!r} region to replace (is this already a student copy?)"
                    )
                stub = notebooks.solution_stub(name, kind)
                stub = partial(_stub_line, stub)
                cell.source = _replace(cell.source, number, notebooks.BEGIN_SOLUTION, notebooks.END_SOLUTION, stub)
                if kind == "code":
                    _check_syntax(cell.source, number)
                    notebooks.set_tag(cell, notebooks.EXERCISE_TAG)
            else:
                cell.source = _replace(cell.source, number, notebooks.BEGIN_SOLUTION, notebooks.END_SOLUTION, _unmarked)
                cell.metadata.pop("nbgrader", None)
                if name:
                    unassigned.add(name)
        if cell.cell_type == "code":
            cell.source = _replace(cell.source, number, notebooks.BEGIN_HIDDEN, notebooks.END_HIDDEN, _removed)
    for cell in nb.cells:  # the check cells of exercises kept with their solution are not graded either
        graded = cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
        if graded and notebooks.exercise_name(cell) in unassigned:
            cell.metadata.pop("nbgrader", None)
    notebooks.clean(nb)
    released.assigned = list(submissions.assignment(nb).values())
    released.kept = sorted(unassigned)
    assigned = {task.name for task in released.assigned}
    checked = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if notebooks.is_check_cell(cell):
            name = _checked_exercise(cell)
            if name in assigned:
                cell.outputs = [_unsolved_verdict(name, cell.execution_count)]
                checked.add(name)
            elif name not in unassigned:  # a verdict on cnnlab's own code (lesson 7): not the student's
                cell.outputs = []
                notebooks.set_tag(cell, notebooks.CHECK_TAG, on=False)
        if not cell.outputs:
            cell.execution_count = None
    released.warnings = [f"{name} has no check cell (tag {notebooks.CHECK_TAG!r})" for name in assigned - checked]
    return nb, released


def handed_out(source: str, name: str | None) -> str:
    """An exercise cell's ``source`` as the student copy has it (its solution regions made stubs)."""
    try:
        return notebooks.replace_regions(
            source, notebooks.BEGIN_SOLUTION, notebooks.END_SOLUTION, partial(_stub_line, notebooks.solution_stub(name))
        )
    except ValueError:
        return source


def solution_text(source: str) -> str:
    """The lines inside the solution regions of a cell's ``source`` ("" if it has none)."""
    found: list = []

    def collect(indent: str, body: list) -> list:
        found.extend(body)
        return []

    try:
        notebooks.replace_regions(source, notebooks.BEGIN_SOLUTION, notebooks.END_SOLUTION, collect)
    except ValueError:
        return ""
    return "\n".join(found)


def _checked_exercise(cell) -> str | None:
    """The exercise a check cell checks: its nbgrader grade_id, else its ``exercises.check`` call."""
    return notebooks.exercise_name(cell) or next(iter(submissions.checked_names(cell.source)), None)


def _unsolved_verdict(name: str, count):
    """The output a check cell shows when its exercise is the stub: what running it really prints."""
    from nbformat.v4 import new_output

    from cnnlab import exercises

    def stub(*args, **kwargs):
        raise NotImplementedError(f"{name}: write your solution here")

    stub.__module__ = "__main__"  # a notebook's function, not cnnlab's
    result = exercises.check(name, stub)
    data = {"text/html": result._repr_html_(), "text/plain": str(result)}
    return new_output("execute_result", data, execution_count=count)


def _solution_name(cell) -> str | None:
    """The exercise a solution cell answers: its nbgrader grade_id, else the function it defines."""
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    if grade_id:
        return str(grade_id)
    found = _DEF.search(cell.source)
    return found.group(1) if found else None


def _replace(source: str, number: int, begin: str, end: str, replacement) -> str:
    """``notebooks.replace_regions``, with the cell number in its error."""
    try:
        return notebooks.replace_regions(source, begin, end, replacement)
    except ValueError as exc:
        raise ValueError(f"cell {number}: {exc}") from None


def _stub_line(stub: str, indent: str, body: list) -> list:
    return [indent + line for line in stub.splitlines()]


def _unmarked(indent: str, body: list) -> list:
    return body


def _removed(indent: str, body: list) -> list:
    return []


def _check_syntax(source: str, number: int) -> None:
    """Raise ValueError if a changed code cell is no longer valid Python (IPython magics allowed)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except ImportError:
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        compile(source, f"<cell {number}>", "exec")
    except SyntaxError as exc:
        raise ValueError(
            f"cell {number} is not valid Python once its solution is replaced (line {exc.lineno}: {exc.msg}); "
            "put the markers inside the function body, at its indentation"
        ) from None
