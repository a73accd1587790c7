"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium per session.

The browser tests run only when asked for, so a plain ``pytest`` stays fast and needs no
browser::

    python -m pytest -m browser tests/browser            # or: python -m pytest tests/browser

They need Python's ``playwright`` (``pip install playwright``; never ``playwright install``:
they use the system's Chromium) and a Chromium (Debian: ``apt-get install chromium``; or set
$CNNLAB_CHROMIUM to its path). Without them they are skipped, saying which is missing; with
CNNLAB_REQUIRE_BROWSER=1 (as CI sets) a missing one is an error instead.

The lessons are copied to a temporary directory that JupyterLab serves, so running them
never touches the repository's files. Screenshots go to artifacts/screenshots/ (or
$CNNLAB_SCREENSHOTS); the latency of each lesson's explorers is printed at the end.
"""

from __future__ import annotations

import os
import shutil
from importlib import metadata
from pathlib import Path

import pytest
from labdriver import CHROMIUM_ARGS, VIEWPORT, JupyterLab, find_chromium, load_lab, median, p90

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LESSONS = REPO / "lessons"
REPORTS = pytest.StashKey[dict]()
GOAL_MS = 150.0


class Reports(dict):
    """Lesson name -> NotebookReport (a short repr: pytest prints it in every failing lesson's traceback)."""

    def __repr__(self) -> str:
        return f"<reports of {len(self)} lesson(s)>"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: runs lessons in JupyterLab in headless Chromium (pytest -m browser)")
    config.stash[REPORTS] = Reports()


def _asked_for(config) -> bool:
    """True if this run selects the browser tests: ``-m browser`` or a path inside tests/browser."""
    if "browser" in (config.option.markexpr or ""):
        return "not browser" not in config.option.markexpr
    for arg in config.args:
        target = Path(arg.split("::")[0]).resolve()
        if target == HERE or HERE in target.parents:
            return True
    return os.environ.get("CNNLAB_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    if _asked_for(config):
        return
    skip = pytest.mark.skip(reason="browser tests run only when asked for: python -m pytest -m browser tests/browser")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _missing(what: str) -> None:
    if os.environ.get("CNNLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} (CNNLAB_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Python playwright is not installed: pip install 'playwright>=1.40' (no `playwright install` needed)")
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        _missing('JupyterLab is not installed: pip install -e ".[lab]"')
    path = find_chromium()
    if path is None:
        _missing("no Chromium found: apt-get install chromium, or set CNNLAB_CHROMIUM=/path/to/chromium")
    return path


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory, chromium_path) -> Path:
    """The directory JupyterLab serves: a copy of lessons/ (and room for the harness's own notebooks)."""
    root = tmp_path_factory.mktemp("jupyterlab") / "root"
    root.mkdir()
    if LESSONS.is_dir():
        shutil.copytree(LESSONS, root / "lessons", ignore=shutil.ignore_patterns(".ipynb_checkpoints", ".*.tmp"))
    else:
        (root / "lessons").mkdir()
    return root


@pytest.fixture(scope="session")
def jupyterlab(lab_root, tmp_path_factory):
    with JupyterLab(lab_root, tmp_path_factory.mktemp("jupyter-home")) as lab:
        yield lab


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class LabPage:
    """One browser tab with JupyterLab loaded, and the errors its console has printed."""

    def __init__(self, browser, jupyterlab):
        self.jupyterlab = jupyterlab
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(m.text[:300]) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console.append(f"uncaught: {str(e)[:300]}"))
        self.load()

    def load(self) -> None:
        load_lab(self.page, self.jupyterlab.url)

    def healthy(self) -> bool:
        try:
            return not self.page.is_closed() and self.page.evaluate("() => !!(window.jupyterapp?.started)")
        except Exception:  # noqa: BLE001 (a crashed page)
            return False


@pytest.fixture(scope="session")
def _lab_page(browser, jupyterlab):
    tab = LabPage(browser, jupyterlab)
    yield tab
    tab.context.close()


@pytest.fixture
def lab(_lab_page) -> LabPage:
    """The JupyterLab tab, reloaded first if an earlier test left it broken."""
    if not _lab_page.healthy():
        if _lab_page.page.is_closed():
            _lab_page.page = _lab_page.context.new_page()
        _lab_page.load()
    return _lab_page


@pytest.fixture(scope="session")
def screenshots() -> Path:
    path = Path(os.environ.get("CNNLAB_SCREENSHOTS", REPO / "artifacts" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def lesson_reports(request) -> dict:
    """Lesson name -> NotebookReport, for the summary at the end of the run."""
    return request.config.stash[REPORTS]


def _versions() -> str:
    names = ["jupyterlab", "ipywidgets", "jupyterlab_widgets", "playwright"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    reports = config.stash.get(REPORTS, {})
    if not reports:
        return
    tr = terminalreporter
    tr.section("lessons in JupyterLab, headless Chromium")
    tr.write_line(_versions() + f"; window {VIEWPORT['width']}x{VIEWPORT['height']}")
    tr.write_line("slider -> new figure: from the key press on a slider to the new figure decoded in the page")
    tr.write_line(f"(goal: median under {GOAL_MS:.0f} ms; 'src' is until the <img> gets the new figure's URL)")
    tr.write_line("")
    header = (
        f"{'lesson':32} {'run s':>6} {'explorers':>9} {'steps':>5} {'median':>7} {'p90':>7} {'max':>7} {'src med':>7}"
    )
    tr.write_line(header)
    every, every_src = [], []
    for name, report in reports.items():
        ms = report.latencies
        src = [s.to_src_ms for e in report.explorers for s in e.steps if s.to_src_ms is not None]
        every += ms
        every_src += src
        tr.write_line(
            f"{name:32} {report.run_seconds:6.1f} {len(report.explorers):9d} {len(ms):5d} "
            f"{median(ms):7.0f} {p90(ms):7.0f} {max(ms, default=float('nan')):7.0f} {median(src):7.0f}"
        )
    verdict = "met" if every and median(every) < GOAL_MS else ("no samples" if not every else "NOT met")
    tr.write_line(
        f"{'all lessons':32} {'':6} {'':9} {len(every):5d} {median(every):7.0f} {p90(every):7.0f} "
        f"{max(every, default=float('nan')):7.0f} {median(every_src):7.0f}   goal median < {GOAL_MS:.0f} ms: {verdict}"
    )
    for name, report in reports.items():
        details = [f"explorer {e.index} in {e.where}: moved {e.slider!r}" for e in report.explorers if e.slider]
        notes = report.layout_notes
        if report.screenshot:
            tr.write_line(f"\n{name}: screenshot {os.path.relpath(report.screenshot, REPO)}")
        else:
            tr.write_line(f"\n{name}:")
        tr.write_line("  time: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.phases.items()))
        for line in details:
            tr.write_line(f"  {line}")
        for note in notes:
            tr.write_line(f"  layout: {note}")
        for err in report.console_errors[:5]:
            tr.write_line(f"  browser console: {err}")
