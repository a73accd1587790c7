"""cnnlab.notebooks: the cell conventions, clean storage and atomic writes."""

import base64

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cnnlab import notebooks

PNG = base64.b64encode(b"\x89PNG fake").decode()


def sample():
    check = new_code_cell(
        "# NBVAL_CHECK_OUTPUT\ncheck('conv_forward_naive', conv_forward_naive)",
        execution_count=3,
        metadata={"nbgrader": {"grade": True, "grade_id": "check_conv_forward_naive", "points": 2}},
        outputs=[
            new_output(
                "execute_result",
                {"text/plain": "conv_forward_naive: PASS", "text/html": "<pre>conv_forward_naive: PASS</pre>"},
                execution_count=3,
            ),
            new_output("stream", name="stderr", text="a warning\n"),
        ],
    )
    solution = new_code_cell(
        "def conv_forward_naive(x, w, b, p):\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION",
        metadata={
            "nbgrader": {"solution": True, "grade_id": "conv_forward_naive"},
            "execution": {"iopub.status.idle": "2026-11-21T21:00:00Z"},
        },
    )
    explorer = new_code_cell(
        "ConvExplorer()",
        execution_count=4,
        outputs=[
            new_output(
                "display_data",
                {
                    "text/plain": "ConvExplorer(...)",
                    "image/png": PNG,
                    "application/vnd.jupyter.widget-view+json": {"model_id": "abc"},
                },
            ),
            new_output("stream", name="stdout", text="timing: 12 ms\n"),
            new_output("error", ename="ValueError", evalue="x", traceback=[]),
        ],
    )
    timing = new_code_cell(
        "# NBVAL_IGNORE_OUTPUT\ndraw_times(ax, times)",
        outputs=[new_output("display_data", {"image/png": PNG, "text/plain": "<Figure>"})],
    )
    nb = new_notebook(cells=[new_markdown_cell("# Lesson"), solution, check, explorer, timing])
    nb.metadata["widgets"] = {"state": {"abc": {}}}
    nb.metadata["kernelspec"] = {"name": "my-env", "display_name": "My env", "language": "python"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    return nb


def test_cell_conventions():
    nb = sample()
    _, solution, check, explorer, _ = nb.cells
    assert notebooks.is_check_cell(check) and not notebooks.is_check_cell(explorer)
    assert notebooks.exercise_name(solution) == "conv_forward_naive"
    assert notebooks.exercise_name(check) == "conv_forward_naive"
    assert notebooks.exercise_name(explorer) is None


def test_comment_markers_of_older_notebooks_become_tags():
    nb = notebooks.clean(sample())
    _, solution, check, explorer, timing = nb.cells
    assert check.metadata["tags"] == [notebooks.CHECK_TAG] and "NBVAL" not in check.source
    assert timing.metadata["tags"] == [notebooks.IGNORE_TAG] and timing.source == "draw_times(ax, times)"
    assert notebooks.is_check_cell(check) and not notebooks.is_check_cell(timing)
    notebooks.set_tag(check, notebooks.CHECK_TAG, on=False)
    assert "tags" not in check.metadata and not notebooks.is_check_cell(check)


def test_clean_keeps_verdicts_and_figures_only():
    nb = notebooks.clean(sample())
    _, solution, check, explorer, timing = nb.cells
    assert timing.outputs == []  # machine-specific: never stored
    # nbval compares every field a fresh run produces, and wants the counts of a run
    assert [o.data for o in check.outputs] == [
        {"text/plain": "conv_forward_naive: PASS", "text/html": "<pre>conv_forward_naive: PASS</pre>"}
    ]
    assert check.outputs[0].execution_count == 2 and check.execution_count == 2
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [None, 2, 3, None]  # only stored outputs
    assert [o.data for o in explorer.outputs] == [{"image/png": PNG}]
    assert "execution" not in solution.metadata
    assert "widgets" not in nb.metadata
    assert nb.metadata["kernelspec"]["name"] == "python3" and nb.metadata["language_info"] == {"name": "python"}
    nbformat.validate(nb)


def test_write_atomic_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "lesson.ipynb"
    notebooks.write_atomic(sample(), path)
    assert notebooks.read(path).cells[0].source == "# Lesson"
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.ipynb"]
    assert path.read_text().endswith("}\n")  # exactly one newline at the end, as nbformat writes it
    assert path.stat().st_mode & 0o044 == 0o044  # readable by others, like any file (not mkstemp's 0600)
    path.chmod(0o640)
    notebooks.write_atomic(sample(), path)
    assert path.stat().st_mode & 0o777 == 0o640  # an existing file keeps its mode


def test_write_atomic_keeps_the_old_file_when_the_notebook_is_invalid(tmp_path):
    path = tmp_path / "lesson.ipynb"
    notebooks.write_atomic(sample(), path)
    before = path.read_bytes()
    broken = sample()
    broken.cells[0]["cell_type"] = "nonsense"
    with pytest.raises(nbformat.ValidationError):
        notebooks.write_atomic(broken, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.ipynb"]


def test_main_cleans_in_place_and_refuses_bad_usage(tmp_path, capsys):
    path = tmp_path / "lesson.ipynb"
    nbformat.write(sample(), str(path))
    assert notebooks.main(["clean", str(path)]) == 0
    assert "widgets" not in notebooks.read(path).metadata
    assert notebooks.main(["tidy", str(path)]) == 2
    assert "python -m cnnlab.notebooks clean" in capsys.readouterr().err


def test_main_run_executes_a_notebook(tmp_path):
    path = tmp_path / "tiny.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(6 * 7)")]), str(path))
    assert notebooks.main(["run", str(path)]) == 0
    (cell,) = notebooks.read(path).cells
    assert [o.text for o in cell.outputs] == ["42\n"]


def test_solution_stub_points_to_hints_only_for_registry_exercises():
    from cnnlab.notebooks import solution_stub

    assert 'exercises.hint("three_layer_convnet_loss")' in solution_stub("three_layer_convnet_loss")
    assert solution_stub("my_own_helper") == 'raise NotImplementedError("my_own_helper: write your solution here")'
    assert solution_stub(None) == 'raise NotImplementedError("write your solution here")'
