"""Every lesson, run in JupyterLab in headless Chromium, as a student runs it (issue #9).

What a kernel-side test cannot see happens in the browser: a widget that says "Error
displaying widget", a model the front end never receives, a front end that does not match
the kernel's ipywidgets. For each lesson in lessons/ (found when the tests are collected,
so a new lesson is covered as soon as it lands) this opens it in JupyterLab, runs all
cells, and checks:

- every code cell ran, with no error output and nothing on stderr;
- every widget rendered (no error widget, "Error displaying widget", "model not found",
  or a "Loading widget..." that never ends), and at a laptop's window size (1366 x 768, the
  file browser open) no control is off screen and every slider's value can be seen;
- on each explorer, moving a slider changes the slider's readout and the figure.

It saves a screenshot of the whole lesson at a laptop's window size and prints the time
from a slider's key press to the new figure at the end of the run (never asserted: timing
is a measurement, not a test). The first tests run the harness on notebooks it writes
itself, so a green lesson run means something: the harness does see each kind of failure.

    python -m pytest -m browser tests/browser
"""

from __future__ import annotations

import base64
import json
import struct
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from labdriver import MIN_TEXT_PX, VIEWPORT, check_notebook, opened_notebook

pytestmark = pytest.mark.browser

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
LESSON_FILES = sorted(p for p in LESSONS.glob("*.ipynb") if not p.name.startswith("."))


def write_notebook(path: Path, *cells: str, markdown: str = "# A notebook the harness writes") -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown)] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path.name


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def describe(report) -> str:
    lines = [f"{report.path}: {len(report.failures())} problem(s) a student would see:"]
    lines += [f"  - {f}" for f in report.failures()]
    if report.console_errors:
        lines.append("  browser console errors (for diagnosis):")
        lines += [f"    {e}" for e in report.console_errors[:10]]
    if report.widget_problems:
        versions = ", ".join(f"{n} {metadata.version(n)}" for n in ("ipywidgets", "jupyterlab_widgets", "jupyterlab"))
        lines.append(f"  widget front end vs kernel: {versions} (test_widget_front_end_matches_the_kernel)")
    return "\n".join(lines)


# -- the harness itself ---------------------------------------------------------------------


def test_widget_front_end_matches_the_kernel(lab):
    """JupyterLab gets its widget manager from jupyterlab_widgets; it must speak the kernel's ipywidgets."""
    ipywidgets = metadata.version("ipywidgets")
    lab_widgets = metadata.version("jupyterlab_widgets")
    # ipywidgets 8 <-> jupyterlab_widgets 3 (@jupyter-widgets/jupyterlab-manager 5); 7 <-> 1
    expected = {"8": "3", "7": "1"}.get(ipywidgets.split(".")[0])
    assert lab_widgets.split(".")[0] == expected, (
        f"ipywidgets {ipywidgets} in the kernel needs jupyterlab_widgets {expected}.x in JupyterLab, "
        f"found {lab_widgets}: pip install -U 'ipywidgets>=8' 'jupyterlab_widgets>=3'"
    )
    config = json.loads(lab.page.evaluate("() => document.getElementById('jupyter-config-data').textContent"))
    extensions = {e["name"] for e in config.get("federated_extensions", [])}
    assert "@jupyter-widgets/jupyterlab-manager" in extensions, (
        f"the widget manager is not served: {sorted(extensions)}"
    )
    assert lab.page.evaluate("() => window.jupyterapp.hasPlugin('@jupyter-widgets/jupyterlab-manager:plugin')")


def test_harness_passes_a_clean_notebook_and_moves_its_explorers(lab, lab_root, tmp_path):
    name = write_notebook(
        lab_root / "harness" / "clean.ipynb",
        "from cnnlab.widgets import ConvExplorer, PoolExplorer",
        "ConvExplorer()",
        "explorer = PoolExplorer()\nexplorer",
        "print('all fine')",
    )
    shot = tmp_path / "clean.png"
    report = check_notebook(lab.page, f"harness/{name}", screenshot=shot, steps=2, console=lab.console)
    assert report.failures() == [], describe(report)
    assert report.code_cells == 4
    assert [e.slider for e in report.explorers] == ["input size", "input size"]
    for explorer in report.explorers:
        assert len(explorer.steps) == 2
        assert all(s.figure_changed and s.readout_after != s.readout_before for s in explorer.steps)
        assert all(0 < ms < 15_000 for ms in explorer.latencies)
        assert explorer.steps[0].readout_before == explorer.steps[1].readout_after  # back where it started
    width, height = png_size(shot)  # the whole notebook, not just the first screen
    assert width == VIEWPORT["width"] and height > VIEWPORT["height"]
    for explorer in report.explorers:  # issue #17: the same picture after going there and back, readable
        assert explorer.same_after_return is True
        assert explorer.looks["minShown"] >= MIN_TEXT_PX and explorer.looks["caption"]


def test_harness_sees_each_kind_of_failure(lab, lab_root):
    name = write_notebook(
        lab_root / "harness" / "broken.ipynb",
        "import sys\nprint('a warning', file=sys.stderr)",
        # a widget view whose model the front end never gets: "Loading widget...", then "model not found"
        "from IPython.display import display\n"
        "display({'application/vnd.jupyter.widget-view+json': "
        "{'model_id': 'f' * 32, 'version_major': 2, 'version_minor': 0}, 'text/plain': 'w'}, raw=True)",
        # a widget whose front-end module does not exist: ipywidgets' error widget
        "import ipywidgets as w, traitlets as t\n"
        "class Missing(w.DOMWidget):\n"
        "    _model_name = t.Unicode('MissingModel').tag(sync=True)\n"
        "    _model_module = t.Unicode('no-such-module').tag(sync=True)\n"
        "    _view_name = t.Unicode('MissingView').tag(sync=True)\n"
        "    _view_module = t.Unicode('no-such-module').tag(sync=True)\n"
        "Missing()",
        # an explorer whose slider does not redraw its figure
        f"png = __import__('base64').b64decode({base64.b64encode(_tiny_png()).decode()!r})\n"
        "w.VBox([w.IntSlider(description='frozen'), w.Image(value=png, format='png')])",
        # five 300 px controls in a row: the last ones are past the right edge of a laptop's notebook
        "w.GridBox([w.IntSlider(description=f'control {i}', layout=w.Layout(width='300px')) for i in range(5)],\n"
        "          layout=w.Layout(grid_template_columns='repeat(5, max-content)'))",
        "1 / 0",
        "print('never runs')",
    )
    report = check_notebook(lab.page, f"harness/{name}", steps=2, figure_timeout=3, console=lab.console)
    failures = "\n".join(report.failures())
    assert report.stderr == ["cell 1 [1] import sys: a warning"], failures
    assert any(p.startswith("cell 2 ") for p in report.widget_problems), failures  # model not found
    assert any(p.startswith("cell 3 ") and "failed to render" in p for p in report.widget_problems), failures
    assert len(report.explorers) == 1 and "figure did not change" in report.explorers[0].problem, failures
    assert any(
        p.startswith("cell 5 ") and "control 'control 4' is out of sight" in p for p in report.widget_problems
    ), failures
    assert len(report.errors) == 1 and report.errors[0].startswith("cell 6 [6] 1 / 0: ZeroDivisionError"), failures
    assert report.cells_not_run == [7], failures


def test_harness_sees_overprinting_small_text_and_broken_words(lab, lab_root):
    """An explorer that draws over its old picture in tiny text, a verdict styled to break words."""
    name = write_notebook(
        lab_root / "harness" / "unreadable.ipynb",
        # every redraw adds a 4 pt text to an Axes it keeps: the picture differs after there and back
        "from cnnlab.widgets import ConvExplorer\n"
        "from cnnlab.widgets._draw import text\n"
        "class Overprinting(ConvExplorer):\n"
        "    def draw(self, state):\n"
        "        artists = super().draw(state)\n"
        "        if not hasattr(self, 'kept'):\n"
        "            self.kept = self.figure.add_axes((0.9, 0.9, 0.05, 0.05))\n"
        "            self.kept.set_axis_off()\n"
        "            self.redraws = 0\n"
        "        self.redraws += 1\n"
        "        return artists + [text(self.kept, 0, 0.1 * self.redraws, f'redraw {self.redraws}', 4)]\n"
        "Overprinting()",
        # a verdict as a <pre> would wrap in JupyterLab: anywhere, also inside words
        "from IPython.display import HTML\n"
        'HTML(\'<div class="cnnlab-verdict" style="width:220px;font-family:monospace">\'\n'
        '     \'<div class="cnnlab-line" style="white-space:pre-wrap;word-break:break-all">\'\n'
        "     'conv_backward_naive: FAIL relative error everywhere, max_pool_backward_naive too</div></div>')",
    )
    report = check_notebook(lab.page, f"harness/{name}", steps=2, console=lab.console, screenshot=None)
    failures = "\n".join(report.failures())
    (explorer,) = report.explorers
    assert explorer.same_after_return is False and "not the picture it was" in failures, failures
    assert "under 10 px" in failures, failures
    assert any("words broken across rows" in p for p in report.verdict_problems), failures
    assert any("not pre-wrap/normal/normal" in p for p in report.verdict_problems), failures


def test_a_long_verdict_wraps_at_spaces_and_keeps_its_indentation(lab, lab_root, screenshots):
    """A FAIL verdict, at the laptop width and in a narrow window: no word broken, wrapped rows indented."""
    name = write_notebook(
        lab_root / "harness" / "verdict.ipynb",
        "import numpy as np\nfrom cnnlab import exercises\n"
        "def max_pool_backward_naive(dout, cache):\n"
        "    x = cache[0]\n"
        "    return np.zeros_like(x)\n"
        "exercises.check('max_pool_backward_naive', max_pool_backward_naive)",
    )
    wide = check_notebook(lab.page, f"harness/{name}", screenshot=screenshots / "verdict-1366.png",
                          console=lab.console)  # fmt: skip
    assert wide.failures() == [], describe(wide)
    (verdict,) = wide.verdicts
    assert verdict["lines"] > 5
    narrow = check_notebook(lab.page, f"harness/{name}", screenshot=screenshots / "verdict-700.png",
                            console=lab.console, width=700)  # fmt: skip
    assert narrow.failures() == [], describe(narrow)
    (verdict,) = narrow.verdicts
    assert verdict["wrapped"] >= 2, verdict  # lines did wrap, at spaces only, with their indentation


def test_harness_reports_a_kernel_that_dies(lab, lab_root):
    name = write_notebook(
        lab_root / "harness" / "dies.ipynb", "print('fine')", "import os\nos._exit(1)", "print('after')"
    )
    report = check_notebook(lab.page, f"harness/{name}", console=lab.console)
    failures = "\n".join(report.failures())
    assert {2, 3} <= set(report.cells_not_run), failures  # (cell 1's reply may be lost with the kernel)
    assert any("appears to have died" in e for e in report.errors), failures
    assert lab.page.evaluate("() => document.querySelectorAll('.jp-Dialog').length") == 0  # dismissed


def _tiny_png() -> bytes:
    from cnnlab.widgets._render import figure_png, new_figure

    return figure_png(new_figure(1, 1))


# -- the lessons ----------------------------------------------------------------------------


def test_student_edition_as_a_student_opens_it(lab, screenshots):
    """Before anything runs: stubs under every exercise, 'not written yet' under every check, no PASS, no markers."""
    texts = opened_notebook(lab.page, "lessons/04_max_pooling.ipynb", screenshots / "04_max_pooling-opened.png")
    shown = "\n".join(texts.values())
    assert shown.count("write your solution here") == 4 and shown.count("not written yet") == 4  # max and average
    assert "PASS" not in shown and "NBVAL" not in shown and "BEGIN SOLUTION" not in shown and "HIDDEN" not in shown


def test_a_half_typed_exercise_does_not_stop_run_all(lab, lab_root, screenshots):
    """A missing ':' in an exercise: Run All runs to the last cell, the check names the line."""
    nb = nbformat.read(str(LESSONS / "04_max_pooling.ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("def max_pool_forward_naive(x, pool_param):"):
            cell.source = cell.source.replace(
                "def max_pool_forward_naive(x, pool_param):", "def max_pool_forward_naive(x, pool_param)", 1
            )
    (lab_root / "harness").mkdir(exist_ok=True)
    nbformat.write(nb, str(lab_root / "harness" / "typo.ipynb"))
    report = check_notebook(
        lab.page, "harness/typo.ipynb", screenshot=screenshots / "04_max_pooling-typo.png", console=lab.console
    )
    assert report.cells_not_run == [], describe(report)
    assert len(report.errors) == 1 and "SyntaxError" in report.errors[0], describe(report)
    check = next(t for t in report.texts.values() if t.startswith('result = exercises.check("max_pool_forward_naive")'))
    assert (
        "does not compile)\n  line 1: def max_pool_forward_naive(x, pool_param)\n  SyntaxError: expected ':'" in check
    )
    assert "meanwhile the lesson goes on with cnnlab's reference" in check
    assert "uses cnnlab's" in "\n".join(report.texts.values())  # the fallback cell said it goes on with the reference


@pytest.mark.parametrize(
    "lesson",
    LESSON_FILES or [pytest.param(None, marks=pytest.mark.skip(reason="no lessons in lessons/ yet"))],
    ids=lambda p: p.stem if p else "none",
)
def test_lesson_in_jupyterlab(lesson, lab, screenshots, lesson_reports):
    report = check_notebook(
        lab.page, f"lessons/{lesson.name}", screenshot=screenshots / f"{lesson.stem}.png", console=lab.console
    )
    lesson_reports[lesson.stem] = report
    assert report.code_cells > 0, f"{lesson.name} has no code cells"
    assert report.failures() == [], describe(report)
