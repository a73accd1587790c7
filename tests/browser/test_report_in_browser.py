"""The class report (`cnnlab grade --report`) opened from disk in headless Chromium, as an instructor opens it.

The report is made from a class of 21 graded submissions built without a kernel (rows as
the judge writes them); the page must render its charts and tables within the window's
width, show the counts the summary holds, run no script and fetch nothing.
"""

from pathlib import Path

import pytest
from labdriver import VIEWPORT

from cnnlab.instructor import grading, report

pytestmark = pytest.mark.browser

VERDICT = """max_pool_backward_naive: FAIL (5/8 cases passed)
  case 'overlapping 3x3 stride 2' (x (2, 2, 7, 7), pool 3x3, stride=2):
    dx is wrong at 6 of 196 elements (max relative error = 1)
      dx[1, 0, 4, 4]: yours 0.642, expected -1.48
    looks like: where windows overlap, a later window's gradient overwrites an earlier one's: add them (+=)
  hints: exercises.hint("max_pool_backward_naive")"""
ASSIGNED = "where windows overlap, a later window's gradient overwrites an earlier one's: add them (+=)"


def _class() -> list:
    entries = []
    for number in range(21):
        label = f"submissions/student{number:02d}/04_pooling.ipynb" if number else "submissions/<b>x</b>/04.ipynb"
        entry = grading.Submission(Path(label), label)
        wrong = number % 3 == 0
        entry.rows = [
            grading.Row(
                submission=label,
                exercise="max_pool_forward_naive",
                points=1,
                max_points=1,
                passed=True,
                reason="PASS",
                verdict="max_pool_forward_naive: PASS (8/8 cases)",
                status="passed",
                cases=8,
                cases_passed=8,
            ),
            grading.Row(
                submission=label,
                exercise="max_pool_backward_naive",
                points=0 if wrong else 2,
                max_points=2,
                passed=not wrong,
                reason="FAIL (5/8 cases passed)" if wrong else "PASS",
                verdict=VERDICT if wrong else "max_pool_backward_naive: PASS (8/8 cases)",
                status="failed" if wrong else "passed",
                mistake=ASSIGNED if wrong else "",
                cases=8,
                cases_passed=5 if wrong else 8,
            ),
        ]
        entries.append(entry)
    return entries


def test_the_report_renders_from_disk(browser, tmp_path, screenshots):
    summary = report.summarize(_class())
    path = report.write_html(summary, tmp_path / "report.html")
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    # the charts are drawn, at a readable size, and nothing is wider than the window
    boxes = page.eval_on_selector_all("svg.chart", "els => els.map(e => e.getBoundingClientRect().width)")
    assert len(boxes) == 4 and all(width >= 480 for width in boxes)  # classes, scores, cases of each
    assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORT["width"]
    smallest = page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('svg.chart text')]"
        ".map(t => t.getBoundingClientRect().height).filter(h => h > 0))"
    )
    assert smallest >= 10, smallest  # px: chart labels stay readable at 1366 px
    text = page.inner_text("body")
    assert "21 submissions" in text and "14/21 passed (67%)" in text
    assert ASSIGNED in text and "<b>x</b>" in text  # a label shown as text, not markup
    assert page.inner_text("td[data-count='mistake']") == "7"
    page.click("details summary >> text=example verdict")
    assert "a later window's gradient overwrites" in page.inner_text("details[open] pre")
    assert not errors and all(url.startswith("file:") for url in requests)
    page.screenshot(path=str(screenshots / "report.png"), full_page=True)
    context.close()
