"""The two editions of the lessons: instructor/ (the sources, solved) and lessons/ (what students open).

lessons/ is generated from instructor/ by cnnlab's own release code; these tests fail when
a source changed and its student copy was not regenerated, and when a student copy shows
something a student has not earned: an answer, a hidden test, a PASS, a testing marker.
Regenerate with::

    cnnlab release instructor/ --out lessons/ --force
"""

import re
from pathlib import Path

import pytest
from nbclient import NotebookClient

from cnnlab import exercises, notebooks
from cnnlab.instructor import release, submissions

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "instructor").glob("*.ipynb"))
LESSONS = ROOT / "lessons"


def test_every_source_has_its_student_edition():
    assert [p.name for p in SOURCES] == sorted(p.name for p in LESSONS.glob("*.ipynb"))
    assert len(SOURCES) == 7


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_student_edition_is_regenerated_from_its_source(source):
    copy, _ = release.student_copy(notebooks.read(source))
    stored = (LESSONS / source.name).read_text(encoding="utf-8")
    assert notebooks.dumps(copy) == stored, (
        f"lessons/{source.name} is not what instructor/{source.name} gives: "
        "run `cnnlab release instructor/ --out lessons/ --force`"
    )


@pytest.mark.parametrize("lesson", sorted(LESSONS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_student_edition_shows_nothing_unearned(lesson):
    nb = notebooks.read(lesson)
    text = lesson.read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "NBVAL_"):
        assert marker not in text
    shown = "".join(str(c.outputs) for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"\bPASS\b", shown), "a PASS the student has not earned"
    tasks = submissions.assignment(nb)
    assert tasks, "every lesson but none assigns an exercise"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is None or cell.outputs, "an execution count on a cell that shows nothing"
        name = notebooks.exercise_name(cell)
        if notebooks.is_solution_cell(cell):
            stub = notebooks.solution_stub(name).splitlines()
            assert all(line in cell.source for line in stub) and f'exercises.hint("{name}")' in stub[0]
            assert cell.metadata["tags"] == [notebooks.EXERCISE_TAG]
        elif notebooks.is_check_cell(cell):
            (output,) = cell.outputs
            assert output["data"]["text/plain"].splitlines()[0] == f"{name}: not written yet"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_sources_keep_their_solutions_and_verdicts(source):
    nb = notebooks.read(source)
    names = list(submissions.assignment(nb))
    for name in names:
        (check,) = [c for c in nb.cells if notebooks.is_check_cell(c) and notebooks.exercise_name(c) == name]
        assert check.outputs[0]["data"]["text/plain"].startswith(f"{name}: PASS")
        assert f'exercises.check("{name}")' in check.source  # never a NameError, so Run All goes on
        assert "NBVAL" not in check.source and notebooks.CHECK_TAG in check.metadata["tags"]


def test_a_half_typed_exercise_does_not_stop_the_lesson():
    """A missing ':' in one exercise: the check names the line, the rest of the lesson runs on the reference."""
    nb = notebooks.read(LESSONS / "04_max_pooling.ipynb")
    cell = next(
        c for c in nb.cells if notebooks.exercise_name(c) == "max_pool_forward_naive" and c.metadata.get("tags")
    )
    cell.source = cell.source.replace(
        "def max_pool_forward_naive(x, pool_param):", "def max_pool_forward_naive(x, pool_param)"
    )
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()  # raises if any untagged cell fails
    check = next(
        c
        for c in nb.cells
        if notebooks.is_check_cell(c) and notebooks.exercise_name(c) == cell.metadata["nbgrader"]["grade_id"]
    )
    text = check.outputs[0]["data"]["text/plain"]
    assert text.startswith("max_pool_forward_naive: FAIL (its cell, In [")
    assert "does not compile)\n  line 1: def max_pool_forward_naive(x, pool_param)\n  SyntaxError: expected ':'" in text
    assert "the lesson goes on with cnnlab's reference" in text
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert last.execution_count is not None and not any(o.output_type == "error" for o in last.outputs)


def test_the_answer_is_there_on_purpose():
    code = exercises.solution("max_pool_forward_naive")
    assert code.startswith("def max_pool_forward_naive(x, pool_param):") and "for n in range(N)" in code
    assert "```python" in code._repr_markdown_()
    with pytest.raises(ValueError, match="no exercise called"):
        exercises.solution("max_pool")
    last = exercises.hint("max_pool_forward_naive", len(exercises.hints.HINTS["max_pool_forward_naive"]))
    assert 'exercises.solution("max_pool_forward_naive")' in str(last)
    network = exercises.solution("three_layer_convnet_loss")  # the reference wraps the model: its methods too
    assert "def _forward(self, X, mode):" in network and "def _backward(self, dscores, caches):" in network
