"""The instructor workflow: `cnnlab release`, `cnnlab check` and `cnnlab grade` on real notebooks.

One small lesson (conv_output_size, max_pool_forward_naive, max_pool_backward_naive: fast
checks) is written the way lessons are, released with `cnnlab release`, and answered in
the ways students answer: solved, untouched, partly wrong, renamed, tampered with, hanging,
crashing, printing megabytes, broken files. Grading them all in one run (two at a time)
is the expensive part (one kernel per submission); everything else runs without a kernel.
"""

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from course import (  # noqa: F401
    POINTS,
    SOLUTIONS,
    TIMEOUT,
    WRONG_BACKWARD,
    add_cells,
    answer,
    body,
    digest,
    lesson,
    release_lesson,
)
from nbformat.v4 import new_markdown_cell, new_notebook

from cnnlab import cli
from cnnlab.instructor import grading, release, submissions


def run(capsys, *argv):
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The instructor's lesson, its student copy, and a folder of submissions of every kind."""
    root = tmp_path_factory.mktemp("course")
    released = release_lesson(root)
    solved = released
    for name in SOLUTIONS:
        solved = answer(solved, name)
    subs = root / "submissions"
    files = {
        "solved/04_pooling.ipynb": solved,
        "untouched/04_pooling.ipynb": released,
        "partly_wrong/04_pooling.ipynb": answer(
            answer(answer(released, "conv_output_size"), "max_pool_forward_naive"),
            "max_pool_backward_naive",
            WRONG_BACKWARD,
        ),
        # sys.exit() and exit() in cells, 3 MB printed, a widget displayed: all graded as usual
        "noisy/04_pooling.ipynb": add_cells(
            solved,
            "import sys\nsys.exit('bye')",
            "print('x' * 3_000_000)",
            "import ipywidgets\nipywidgets.IntSlider()",
            "exit()",
        ),
        "hangs/04_pooling.ipynb": add_cells(answer(released, "conv_output_size"), "while True:\n    pass", at=4),
        "crashes/04_pooling.ipynb": add_cells(solved, "import os\nos._exit(1)"),
        # the stub left in place, but the check cell edited to print PASS and worth 100 points
        "tampered/04_pooling.ipynb": _tampered(answer(answer(released, "conv_output_size"), "max_pool_backward_naive")),
        # renamed its function; fell back on the reference for the forward (as lessons suggest)
        "renamed/04_pooling.ipynb": add_cells(
            solved.replace("def conv_output_size(", "def conv_output_sizes("),
            'max_pool_forward_naive = exercises.reference("max_pool_forward_naive")',
        ).replace("out[:, :, i, j] = x[", "out[:, :, i, j] = -x["),
        "truncated/04_pooling.ipynb": solved[: len(solved) // 2],
        "empty/04_pooling.ipynb": "",
    }
    for name, text in files.items():
        (subs / name).parent.mkdir(parents=True)
        (subs / name).write_text(text, encoding="utf-8")
    (subs / "folder.ipynb").mkdir()  # a folder where a notebook should be
    return root


def _tampered(text):
    nb = nbformat.reads(text, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "check_max_pool_forward_naive":
            cell.source = (
                "# NBVAL_CHECK_OUTPUT\nprint('max_pool_forward_naive: PASS (8/8 cases; max relative error < 1e-7)')"
            )
            meta["points"] = 100
    return nbformat.writes(nb)


# ---------------------------------------------------------------------------------------------
# release


def test_release_makes_a_student_copy(course):
    src = nbformat.read(str(course / "lessons" / "04_pooling.ipynb"), as_version=4)
    copy = nbformat.read(str(course / "release" / "04_pooling.ipynb"), as_version=4)
    nbformat.validate(copy)
    assert copy.nbformat == 4 and len(copy.cells) == len(src.cells)
    solution = copy.cells[5].source
    assert "BEGIN SOLUTION" not in solution and "check_pool_inputs" not in solution
    stub = [
        '    # your code here (stuck? exercises.hint("max_pool_forward_naive") gives a hint)',
        '    raise NotImplementedError("max_pool_forward_naive: write your solution here")',
    ]
    assert "\n".join(stub) in solution
    assert solution.startswith('def max_pool_forward_naive(x, pool_param):\n    """Shapes first')
    assert copy.cells[5].metadata["tags"] == ["raises-exception"]  # Run All goes on if the student's cell fails
    check = copy.cells[6]
    assert "HIDDEN" not in check.source and "assert" not in check.source
    # what the unsolved copy really prints, never the source's PASS
    assert check.outputs[0]["data"]["text/plain"].splitlines()[0] == "max_pool_forward_naive: not written yet"
    assert "PASS" not in str(check.outputs)
    assert check.execution_count == check.outputs[0]["execution_count"] == 6  # numbered as a fresh run, for nbval
    assert check.metadata["nbgrader"]["points"] == 1 and check.metadata["tags"] == ["nbval-check-output"]
    assert copy.cells[4].outputs == [] and copy.cells[4].execution_count is None  # other outputs cleared
    for cell in copy.cells:
        if cell.cell_type == "code":
            compile(cell.source, "cell", "exec")
            assert "NBVAL" not in cell.source  # testing markers live in the tags
    again, _ = release.student_copy(nbformat.read(str(course / "lessons" / "04_pooling.ipynb"), as_version=4))
    assert nbformat.writes(again) == nbformat.writes(copy)  # a pure function of the source


def test_release_assigns_chosen_exercises_and_keeps_the_others_solved(tmp_path, capsys):
    src = tmp_path / "lesson.ipynb"
    nbformat.write(lesson(), str(src))
    status, out, _ = run(capsys, "release", src, "--out", tmp_path / "out", "--exercises", "max_pool_backward_naive")
    assert status == 0
    assert "assigns max_pool_backward_naive (2 pts)" in out
    assert "reference solution kept (not graded): conv_output_size, max_pool_forward_naive" in out
    copy = nbformat.read(str(tmp_path / "out" / "lesson.ipynb"), as_version=4)
    forward, forward_check = copy.cells[5], copy.cells[6]
    assert "check_pool_inputs" in forward.source and "### " not in forward.source
    assert "nbgrader" not in forward.metadata and "nbgrader" not in forward_check.metadata
    assert "NotImplementedError" in copy.cells[7].source
    assert list(submissions.assignment(copy)) == ["max_pool_backward_naive"]


def test_release_never_touches_sources_and_refuses_to_overwrite(tmp_path, capsys):
    src = tmp_path / "lesson.ipynb"
    nbformat.write(lesson(), str(src))
    before = src.read_bytes()
    assert run(capsys, "release", src, "--out", tmp_path / "release")[0] == 0
    first = (tmp_path / "release" / "lesson.ipynb").read_bytes()
    (tmp_path / "release" / "lesson.ipynb").write_text("the student's work")
    status, _, err = run(capsys, "release", src, "--out", tmp_path / "release")
    assert status == 1 and "already exists; use --force" in err
    assert (tmp_path / "release" / "lesson.ipynb").read_text() == "the student's work"
    assert run(capsys, "release", src, "--out", tmp_path / "release", "--force")[0] == 0
    assert (tmp_path / "release" / "lesson.ipynb").read_bytes() == first
    status, _, err = run(capsys, "release", src, "--out", tmp_path, "--force")  # the copy would be the source
    assert status == 1 and "would replace a source notebook" in err
    status, _, err = run(
        capsys, "release", tmp_path, "--out", tmp_path / "release", "--exercises", "conv_fwd", "--force"
    )
    assert status == 1 and "conv_fwd: not an exercise" in err
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["lesson.ipynb", "lesson.ipynb", "release"]  # no temporaries


def test_release_refuses_what_it_cannot_release(tmp_path):
    nb = lesson()
    nb.cells[2].source = nb.cells[2].source.replace("    ### END SOLUTION", "")
    with pytest.raises(ValueError, match="cell 3: '### BEGIN SOLUTION' is never closed"):
        release.student_copy(nb)
    nb = lesson()
    nb.cells[2].source = nb.cells[2].source.replace("    ### BEGIN SOLUTION", "        ### BEGIN SOLUTION")
    with pytest.raises(ValueError, match="cell 3 is not valid Python once its solution is replaced"):
        release.student_copy(nb)
    copy, _ = release.student_copy(lesson())
    with pytest.raises(ValueError, match="already a student copy"):
        release.student_copy(copy)


# ---------------------------------------------------------------------------------------------
# reading whatever students hand in (no kernel)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty (0 bytes)"),
        (b'{"cells": [{"cell_type": "code", "source": "x = ', "is cut short: its JSON ends in the middle"),
        (b'{"cells": []', "is cut short: its JSON ends in the middle (Expecting ',' delimiter: line 1, column 13)"),
        (b'{"cells": [}\n\n', "is not valid JSON (Expecting value: line 1, column 12)"),
        (b"\x89PNG\r\n\x1a\n", "is not valid JSON"),
        (b"[1, 2]", "is JSON but not a Jupyter notebook"),
        (b'{"nbformat": 5, "cells": []}', "format version 5"),
    ],
)
def test_load_says_why_a_file_is_not_a_notebook(tmp_path, content, reason):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    with pytest.raises(submissions.UnreadableError, match=re.escape(reason)):
        submissions.load(path)
    with pytest.raises(submissions.UnreadableError, match="is a folder"):
        submissions.load(tmp_path)


def test_load_reads_latin1_and_nbformat_3_with_notes(tmp_path):
    nb = lesson()
    nb.cells[0].source = "# Pooling — café"
    latin = tmp_path / "latin.ipynb"
    latin.write_bytes(nbformat.writes(nb).encode("latin-1", errors="replace"))
    loaded, notes = submissions.load(latin)
    assert list(submissions.assignment(loaded)) == list(POINTS) and "read as Latin-1" in notes[0]
    v3 = tmp_path / "v3.ipynb"
    v3.write_text(nbformat.writes(nbformat.convert(lesson(), 3)))
    loaded, notes = submissions.load(v3)
    assert {n: t.points for n, t in submissions.assignment(loaded).items()} == POINTS
    assert "format version 3" in notes[0]


def test_assignment_from_metadata_or_from_check_calls():
    tasks = submissions.assignment(lesson())
    assert [(t.name, t.points, t.forward) for t in tasks.values()] == [
        ("conv_output_size", 1, None),
        ("max_pool_forward_naive", 1, None),
        ("max_pool_backward_naive", 2, "max_pool_forward_naive"),
    ]
    stripped = lesson()
    for cell in stripped.cells:
        cell.metadata = {}
    assert {n: t.points for n, t in submissions.assignment(stripped).items()} == dict.fromkeys(POINTS, 1)


def test_write_csv_is_atomic(tmp_path, monkeypatch):
    out = tmp_path / "grades.csv"
    out.write_text("old grades\n")
    entry = grading.Submission(
        Path("a.ipynb"),
        "a.ipynb",
        rows=[grading.Row(submission="a.ipynb", exercise="x", points=1, max_points=1, passed=True, reason="PASS")],
    )

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        grading.write_csv([entry], out)
    assert out.read_text() == "old grades\n" and [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


# ---------------------------------------------------------------------------------------------
# grade and check (kernels)


@pytest.fixture(scope="module")
def graded(course):
    subs = course / "submissions"
    before = digest(subs)
    out = course / "grades.csv"
    out.write_text("an old grades file\n")
    argv = ["grade", str(subs), "--source", str(course / "release"), "--out", str(out)]
    argv += ["--timeout", str(TIMEOUT), "--jobs", "2"]
    status = cli.main(argv)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    return {"status": status, "rows": rows, "before": before, "after": digest(subs), "out": out}


def scores(graded):
    table = {}
    for row in graded["rows"]:
        who = row["submission"].split(os.sep)[-2]
        table.setdefault(who, {})[row["exercise"]] = row
    return table


def total(rows):
    return sum(float(r["points"]) for r in rows.values())


def test_grade_scores_every_kind_of_submission(graded):
    assert graded["status"] == 0
    table = scores(graded)
    assert total(table["solved"]) == 4 and all(r["passed"] == "true" for r in table["solved"].values())
    assert total(table["untouched"]) == 0
    assert "not written yet (it still raises NotImplementedError)" in table["untouched"]["conv_output_size"]["reason"]
    wrong = table["partly_wrong"]
    assert [wrong[n]["points"] for n in POINTS] == ["1", "1", "0"]
    assert wrong["max_pool_backward_naive"]["reason"].startswith("FAIL (")
    assert "overlap" in wrong["max_pool_backward_naive"]["reason"]
    assert total(table["noisy"]) == 4
    assert "printed 2.9 MB of output (discarded)" in table["noisy"]["conv_output_size"]["notes"]
    assert "cell 11 raised SystemExit: bye" in table["noisy"]["conv_output_size"]["notes"]
    assert "cell 14 raised SystemExit: exit() or quit() was called" in table["noisy"]["conv_output_size"]["notes"]
    hangs = table["hangs"]  # interrupted in cell 5: what was defined before it is still checked
    assert hangs["conv_output_size"]["points"] == "1"
    assert (
        f"timed out after {TIMEOUT} s in cell 5 (while True:); the cells after it did not run"
        in hangs["conv_output_size"]["notes"]
    )
    for name in ("max_pool_forward_naive", "max_pool_backward_naive"):
        assert hangs[name]["points"] == "0"
        assert hangs[name]["reason"] == f"timed out after {TIMEOUT} s in cell 5 (while True:); its cell did not run"
    for row in table["crashes"].values():
        assert row["points"] == "0" and row["reason"].startswith("the kernel died in cell 11 (import os)")


def test_grade_does_not_trust_the_students_cells(graded):
    table = scores(graded)
    tampered = table["tampered"]["max_pool_forward_naive"]
    assert (tampered["points"], tampered["max_points"], tampered["passed"]) == ("0", "1", "false")
    assert total(table["tampered"]) == 3
    renamed = table["renamed"]
    assert renamed["conv_output_size"]["reason"] == (
        "no function named conv_output_size (the notebook defines conv_output_sizes: renamed?)"
    )
    # graded on the forward the student wrote (wrong sign), not on the reference it fell back on
    assert renamed["max_pool_forward_naive"]["passed"] == "false"
    assert renamed["max_pool_backward_naive"]["passed"] == "true"


def test_grade_reports_unreadable_files_and_keeps_every_input(graded, course):
    table = scores(graded)
    assert all(r["points"] == "0" for r in table["truncated"].values())
    assert table["truncated"]["conv_output_size"]["reason"].startswith("the file is cut short")
    assert table["empty"]["max_pool_backward_naive"]["reason"] == "the file is empty (0 bytes)"
    folder = [r for r in graded["rows"] if r["submission"].endswith("folder.ipynb")]
    assert [r["exercise"] for r in folder] == list(POINTS)
    assert {(r["points"], r["reason"]) for r in folder} == {("0", "it is a folder, not a notebook file")}
    assert graded["after"] == graded["before"]  # byte-identical, and no file added or removed
    labels = [r["submission"] for r in graded["rows"]]
    assert labels == sorted(labels) and len(graded["rows"]) == 3 * 11
    assert graded["rows"][0].keys() == set(grading.COLUMNS)
    # the CSV and its full results (for `cnnlab report`), nothing else
    assert sorted(p.name for p in course.iterdir()) == [
        "grades.csv",
        "grades.results.json",
        "lessons",
        "release",
        "submissions",
    ]


def test_check_prints_a_verdict_per_exercise(course, capsys):
    subs = course / "submissions"
    status, out, _ = run(
        capsys, "check", subs / "solved" / "04_pooling.ipynb", subs / "partly_wrong" / "04_pooling.ipynb"
    )
    assert status == 1
    lines = out.splitlines()
    assert lines[:4] == [
        str(subs / "solved" / "04_pooling.ipynb"),
        "  conv_output_size: PASS",
        "  max_pool_forward_naive: PASS",
        "  max_pool_backward_naive: PASS",
    ]
    assert lines[7].startswith("  max_pool_backward_naive: FAIL — ")
    assert lines[-1] == "5 of 6 exercises passed"
    status, _, err = run(capsys, "check", subs / "empty" / "04_pooling.ipynb")
    assert status == 2 and "cannot check: the file is empty" in err


def test_an_untouched_student_copy_passes_nbval(course):
    """The verdicts a student copy stores are what it prints: `pytest --nbval-lax` on it passes."""
    untouched = course / "submissions" / "untouched" / "04_pooling.ipynb"
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q", str(untouched)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=course, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]


def test_without_a_source_submissions_that_differ_are_named():
    def entry(label, **points):
        tasks = {name: submissions.Task(name, p) for name, p in points.items()}
        return grading.Submission(Path(label), label, tasks=tasks)

    usual = {"conv_output_size": 1, "max_pool_forward_naive": 1}
    entries = [entry("a", **usual), entry("b", **usual), entry("c", conv_output_size=1, max_pool_forward_naive=50)]
    assert grading.disagreements(entries) == [
        "c assigns conv_output_size (1 pt), max_pool_forward_naive (50 pts), unlike 2 other submissions"
    ]
    assert grading.disagreements(entries[:2]) == []


def test_folders_are_searched_and_each_file_listed_once(tmp_path):
    for name in ["a/x.ipynb", "b/x.ipynb", "b/.ipynb_checkpoints/x-checkpoint.ipynb", "b/notes.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    (tmp_path / "c.ipynb").mkdir()
    (tmp_path / "empty").mkdir()
    found = submissions.expand([tmp_path, tmp_path / "a" / "x.ipynb", tmp_path / "empty"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a/x.ipynb", "b/x.ipynb", "c.ipynb", "empty"]
    assert submissions.expand([tmp_path], recursive=False) == [tmp_path / "c.ipynb"]


def test_nbgrader_makes_the_same_student_copy():
    """nbgrader's own preprocessors accept the lesson conventions (fast: no course folder, no kernel)."""
    preprocessors = pytest.importorskip("nbgrader.preprocessors", reason="nbgrader is not installed (optional)")
    nb = lesson()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for step in (preprocessors.ClearSolutions(), preprocessors.ClearHiddenTests(), preprocessors.ClearOutput()):
        nb, _ = step.preprocess(nb, {})
    ours, _ = release.student_copy(lesson())
    for theirs, mine in zip(nb.cells, ours.cells):
        if theirs.cell_type == "code":
            compile(theirs.source, "cell", "exec")
            assert ("raise NotImplementedError()" in theirs.source) == ("raise NotImplementedError(" in mine.source)
            assert (
                theirs.source.replace("    # YOUR CODE HERE\n", "").split("raise")[0]
                == re.sub(r"    # your code here .*\n", "", mine.source).split("raise")[0]
            )
    assert [(t.name, t.points) for t in submissions.assignment(nb).values()] == list(POINTS.items())


def test_sources_without_exercises_are_left_out(tmp_path):
    nbformat.write(lesson(), str(tmp_path / "04_pooling.ipynb"))
    nbformat.write(new_notebook(cells=[new_markdown_cell("# A lesson without exercises")]), str(tmp_path / "07.ipynb"))
    (source,) = grading.load_sources([tmp_path])
    assert source.path.name == "04_pooling.ipynb" and list(source.tasks) == list(POINTS)
    with pytest.raises(ValueError, match="assigns a cnnlab exercise"):
        grading.load_sources([tmp_path / "07.ipynb"])
