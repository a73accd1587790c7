"""Drive JupyterLab in headless Chromium the way a student does, and report what they would see.

``JupyterLab`` starts a private server (loopback, no token, a temporary root and private
settings, so nothing on the machine leaks in and nothing in the repository is written to).
``check_notebook(page, path)`` opens one notebook in an already loaded JupyterLab page,
runs every cell through JupyterLab's own "Run All Cells" command, and returns a
``NotebookReport``: cells that failed or never ran, stderr, widgets that did not render,
what moving a slider of each explorer did (and how long the new figure took to arrive),
layout problems at the window size, and a screenshot of the whole notebook.

The tests in ``test_lessons_in_browser.py`` assert on the report; this module asserts nothing.
Every measurement of time is taken inside the page (``performance.now()``), so the latency
is what the student experiences and does not include Playwright's own round trips.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# What works here for Debian's chromium driven by Playwright: no sandbox (root, containers),
# no GPU, and nothing that phones home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}  # a common laptop window
MIN_TEXT_PX = 10  # the smallest text an explorer may show on screen (cnnlab.widgets._render.MIN_TEXT_PX)
MAX_SCREENSHOT_HEIGHT = 30000  # px; a longer notebook is cut (and the report says so)
WIDGET_FAILURE_TEXTS = ("Error displaying widget", "model not found", "Loading widget...")


def find_chromium() -> str | None:
    """The Chromium executable: $CNNLAB_CHROMIUM, else chromium / chromium-browser on PATH."""
    candidates = [os.environ.get("CNNLAB_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")]
    candidates.append("/usr/bin/chromium")
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the server -----------------------------------------------------------------------------


class JupyterLab:
    """A JupyterLab server of this Python on 127.0.0.1, serving ``root`` (use as a context manager).

    Isolated from the user's own Jupyter: configuration, lab settings, workspaces, runtime
    files and IPython profile all live under ``home``. The lab settings turn off the news
    and update notifications (so no pop-up covers a screenshot).
    """

    def __init__(self, root: Path, home: Path):
        self.root, self.home = Path(root), Path(home)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.home / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}"]
        cmd += [
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: its commands and notebook models
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # CI containers run as root
        return cmd

    def environment(self) -> dict:
        settings = self.home / "lab-settings"
        notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notification.parent.mkdir(parents=True, exist_ok=True)
        notification.write_text('{"fetchNews": "false", "checkForUpdates": false}\n')
        env = dict(os.environ)
        for name, sub in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
            ("IPYTHONDIR", "ipython"),
        ]:
            (self.home / sub).mkdir(parents=True, exist_ok=True)
            env[name] = str(self.home / sub)
        env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def start(self, timeout: float = 120) -> JupyterLab:
        self.home.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self._log = log
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.root,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the kernels it starts end with it
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer on {self.url} within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM (JupyterLab shuts its kernels down), then SIGKILL to its own process group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # any kernel left behind in its group
        self._log.close()
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> JupyterLab:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def load_lab(page, url: str, timeout: float = 120) -> None:
    """Load JupyterLab in ``page`` with a fresh workspace and wait until it has started."""
    page.goto(f"{url}/lab?reset", timeout=timeout * 1000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=timeout * 1000)
    page.evaluate("() => window.jupyterapp.restored")


# -- what a notebook run produced -----------------------------------------------------------


@dataclass
class Step:
    """One key press on an explorer's slider, and what followed."""

    key: str
    readout_before: str
    readout_after: str
    figure_changed: bool
    to_src_ms: float | None = None  # key press -> the <img> gets the new figure's URL
    to_loaded_ms: float | None = None  # key press -> the new figure is decoded, ready to paint


@dataclass
class ExplorerResult:
    index: int
    cell: int  # index of the cell in the notebook (0-based, markdown cells included)
    where: str = ""  # the cell named for people: index, prompt number, first line
    slider: str = ""  # the label of the slider moved
    steps: list[Step] = field(default_factory=list)
    problem: str = ""  # why it did not pass (empty when it did)
    looks: dict = field(default_factory=dict)  # what the figure and its caption look like on screen
    same_after_return: bool | None = None  # the slider back where it was: the same pixels as before?
    readability: list[str] = field(default_factory=list)  # text too small, no caption, changed picture

    @property
    def latencies(self) -> list[float]:
        return [s.to_loaded_ms for s in self.steps if s.to_loaded_ms is not None]


@dataclass
class NotebookReport:
    path: str
    code_cells: int = 0
    cells_not_run: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # error outputs (tracebacks), one line each
    stderr: list[str] = field(default_factory=list)
    widget_problems: list[str] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)  # cell index -> its source and output, as shown
    explorers: list[ExplorerResult] = field(default_factory=list)
    layout_notes: list[str] = field(default_factory=list)  # looks: overflow, shrunken figures
    verdicts: list[dict] = field(default_factory=list)  # each verdict shown: its lines, rows, wrapping
    verdict_problems: list[str] = field(default_factory=list)  # a word broken across rows, indentation lost
    console_errors: list[str] = field(default_factory=list)  # the browser console, for diagnosis
    run_seconds: float = 0.0  # Run All Cells until the kernel is idle again
    phases: dict[str, float] = field(default_factory=dict)  # where this check's time went, in s
    screenshot: Path | None = None

    @property
    def latencies(self) -> list[float]:
        return [ms for e in self.explorers for ms in e.latencies]

    def failures(self) -> list[str]:
        """Everything a student would call broken, one line each (empty: the notebook passes)."""
        out = [f"cell {i}: never ran (Run All stopped before it)" for i in self.cells_not_run]
        out += [f"error output: {e}" for e in self.errors]
        out += [f"stderr output: {e}" for e in self.stderr]
        out += [f"widget: {w}" for w in self.widget_problems]
        out += [f"explorer {e.index} in {e.where}: {e.problem}" for e in self.explorers if e.problem]
        out += [f"explorer {e.index} in {e.where}: {p}" for e in self.explorers for p in e.readability]
        out += [f"verdict: {p}" for p in self.verdict_problems]
        return out


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p90(values: list[float]) -> float:
    """The 90th percentile (linear interpolation between samples); nan for no values."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


# -- in-page JavaScript ---------------------------------------------------------------------

_OPEN = """async (path) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  for (const other of [...app.shell.widgets('main')]) if (other !== panel) other.dispose();  // e.g. a Launcher
  window.__cnnlab = {panel, runDone: false, runError: null};
}"""

_KERNEL_IDLE = """() => {
  const k = window.__cnnlab.panel.sessionContext.session?.kernel;
  return !!k && k.status === 'idle';
}"""

_RUN_ALL = """() => {
  const c = window.__cnnlab;
  window.jupyterapp.commands.execute('notebook:run-all-cells')
    .then(() => { c.runDone = true; }, (e) => { c.runDone = true; c.runError = String(e); });
}"""

_RUN_FINISHED = """() => {
  const c = window.__cnnlab;
  const k = c.panel.sessionContext.session?.kernel;
  if (k && ['dead', 'restarting', 'autorestarting'].includes(k.status)) return true;
  const busy = [...c.panel.node.querySelectorAll('.jp-InputArea-prompt')].some(p => p.textContent.includes('*'));
  if (!(c.runDone && !!k && k.status === 'idle' && !busy)) { c.quietSince = null; return false; }
  // Idle for 1.5 s on end: between two cells the kernel is idle for a moment, and the prompts of
  // queued cells outside the window are not in the page (JupyterLab renders only the visible cells).
  c.quietSince = c.quietSince ?? Date.now();
  return Date.now() - c.quietSince > 1500;
}"""

_KERNEL_STATUS = "() => window.__cnnlab.panel.sessionContext.session?.kernel?.status ?? 'none'"

_WIDGETS_SETTLED = """(texts) => {
  const outs = [...window.__cnnlab.panel.node.querySelectorAll('.jp-OutputArea-output')];
  return !outs.some(o => o.textContent.includes('Loading widget...'));
}"""

# Names a cell in messages: "cell 15 [10] dx_num = gradcheck.eval_numerical_gr…" (its index in
# the notebook, markdown included; its prompt number; its first line that is not an nbval mark).
_WHERE = """const where = (ci) => {
  const cell = window.__cnnlab.panel.content.widgets[ci];
  const count = cell.model.type === 'code' && cell.model.executionCount != null ? ` [${cell.model.executionCount}]` : '';
  const lines = cell.model.sharedModel.getSource().split('\\n').map(l => l.trim());
  const line = lines.find(l => l && !l.startsWith('# NBVAL_')) || '';
  return `cell ${ci}${count} ${line.length > 40 ? line.slice(0, 39) + '…' : line}`;
};"""

# Cells, outputs and widgets, from the notebook's model (what ran) and its DOM (what shows).
_INSPECT = """(failureTexts) => {
  ${WHERE}
  const panel = window.__cnnlab.panel;
  const r = {codeCells: 0, notRun: [], errors: [], stderr: [], widgetProblems: [], texts: {}};
  const oneLine = (s, n = 300) => s.replace(/\\x1b\\[[0-9;]*m/g, '').replace(/\\s+/g, ' ').trim().slice(0, n);
  for (const dialog of document.querySelectorAll('.jp-Dialog')) {  // e.g. "Kernel Restarting"
    r.errors.push(`JupyterLab shows a dialog: ${oneLine(dialog.querySelector('.jp-Dialog-content')?.innerText || '')}`);
  }
  panel.content.widgets.forEach((cell, ci) => {
    if (cell.model.type !== 'code') return;
    r.codeCells++;
    const source = cell.model.sharedModel.getSource();
    if (source.trim() && cell.model.executionCount == null) r.notRun.push(ci);
    let widgetViews = 0;
    const outputs = cell.model.outputs;
    const join = (t) => (Array.isArray(t) ? t.join('') : t || '');
    r.texts[ci] = source;  // with what its outputs say in text (from the model: off-screen cells have no DOM)
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs.get(i).toJSON();
      r.texts[ci] += '\\n' + join(o.text) + join((o.data || {})['text/plain']) + (o.evalue ? `${o.ename}: ${o.evalue}` : '');
      if (o.output_type === 'error') {
        const last = (o.traceback || []).slice(-1)[0] || '';
        r.errors.push(`${where(ci)}: ${o.ename}: ${oneLine(o.evalue)} | ${oneLine(last, 200)}`);
      } else if (o.output_type === 'stream' && o.name === 'stderr') {
        r.stderr.push(`${where(ci)}: ${oneLine(Array.isArray(o.text) ? o.text.join('') : o.text)}`);
      } else if (o.data && o.data['application/vnd.jupyter.widget-view+json']) {
        widgetViews++;
      }
    }
    const area = cell.node.querySelector('.jp-OutputArea');
    if (!area) return;
    for (const err of area.querySelectorAll('.jupyter-widgets-error-widget')) {
      r.widgetProblems.push(`${where(ci)}: a widget failed to render (${oneLine(err.textContent, 200)})`);
    }
    for (const text of failureTexts) {
      if (area.textContent.includes(text)) r.widgetProblems.push(`${where(ci)}: shows "${text}"`);
    }
    const rendered = area.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets').length;
    if (rendered < widgetViews) {
      r.widgetProblems.push(`${where(ci)}: ${widgetViews} widget output(s) but ${rendered} rendered`);
    }
    for (const img of area.querySelectorAll('img.widget-image')) {
      if (!img.complete || img.naturalWidth === 0) r.widgetProblems.push(`${where(ci)}: a widget image did not load`);
    }
  });
  return r;
}"""

# What looks wrong at this window size: things wider than the notebook, shrunk or stretched
# figures, controls cut off at the right (notes); controls entirely off screen and sliders
# whose value is off screen (problems: the student cannot use them).
_LAYOUT = """() => {
  ${WHERE}
  const panel = window.__cnnlab.panel;
  const notes = [], problems = [];
  const outer = panel.node.querySelector('.jp-WindowedPanel-outer') || panel.content.node;
  const box = outer.getBoundingClientRect();
  // where an element stops being visible on the right: the notebook's edge (without its scroll
  // bar), or an ancestor that clips or scrolls its content (an ipywidgets box overflows: auto)
  const visibleRight = (el) => {
    let right = box.left + outer.clientWidth;
    for (let a = el.parentElement; a && a !== outer; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') {
        right = Math.min(right, a.getBoundingClientRect().left + a.clientLeft + a.clientWidth);
      }
    }
    return right;
  };
  const over = (el) => el.scrollWidth - el.clientWidth;
  panel.content.widgets.forEach((cell, ci) => {
    const editor = cell.node.querySelector('.jp-InputArea-editor .cm-scroller');
    if (cell.model.type === 'code' && editor && over(editor) > 2) {
      notes.push(`${where(ci)}: code is ${over(editor)} px wider than the editor (horizontal scrolling)`);
    }
    if (cell.model.type === 'markdown') {
      const md = cell.node.querySelector('.jp-RenderedMarkdown');
      if (md && over(md) > 2) notes.push(`${where(ci)}: markdown is ${over(md)} px wider than the notebook`);
    }
    for (const out of cell.node.querySelectorAll('.jp-OutputArea-output')) {
      if (over(out) > 2) notes.push(`${where(ci)}: an output is ${over(out)} px wider than the notebook`);
    }
    for (const img of cell.node.querySelectorAll('.jp-OutputArea-output img')) {
      if (!(img.naturalWidth > 0 && img.clientWidth > 0)) continue;
      const pct = Math.round(100 * img.clientWidth / img.naturalWidth);
      const size = `${img.clientWidth} px wide for ${img.naturalWidth} px`;
      if (pct < 85) notes.push(`${where(ci)}: a figure is shrunk to ${pct}% (${size}): small text`);
      if (pct > 115) notes.push(`${where(ci)}: a figure is stretched to ${pct}% (${size}): blurred text`);
    }
    // controls past the right edge of what the notebook shows: cut off, or not there at all
    for (const w of cell.node.querySelectorAll('.jp-OutputArea .widget-inline-hbox, .jp-OutputArea .widget-toggle-buttons')) {
      const r = w.getBoundingClientRect();
      const right = visibleRight(w);
      if (r.width === 0 || r.right <= right + 1) continue;
      const label = (w.querySelector('.widget-label')?.textContent || w.textContent || '').trim().slice(0, 30);
      const span = `x ${Math.round(r.left)}-${Math.round(r.right)}, visible up to ${Math.round(right)}`;
      if (r.left >= right) {
        problems.push(`${where(ci)}: control '${label}' is out of sight on the right (${span}): a student does not see it`);
      } else {
        const cut = `cut off at the right by ${Math.round(r.right - right)} px`;
        const readout = w.querySelector('.widget-readout')?.getBoundingClientRect();
        if (readout && readout.left + readout.width / 2 > right) {
          problems.push(`${where(ci)}: slider '${label}' is ${cut}: a student does not see its value`);
        } else {
          notes.push(`${where(ci)}: control '${label}' is ${cut}`);
        }
      }
    }
  });
  return {notes, problems};
}"""

# Each explorer: an <img class="widget-image"> and the nearest enclosing widget with sliders.
_FIND_EXPLORERS = """() => {
  ${WHERE}
  const panel = window.__cnnlab.panel;
  const found = [];
  const cells = panel.content.widgets;
  for (const img of panel.node.querySelectorAll('img.widget-image')) {
    let root = img.parentElement;
    while (root && root !== panel.node && !root.querySelector('.widget-slider')) root = root.parentElement;
    if (!root || root === panel.node || root.dataset.cnnlabExplorer !== undefined) continue;
    const i = found.length;
    root.dataset.cnnlabExplorer = String(i);
    img.dataset.cnnlabFigure = String(i);
    const cell = cells.findIndex(c => c.node.contains(img));
    const sliders = [...root.querySelectorAll('.widget-slider')].filter(s => {
      const target = s.querySelector('.noUi-target');
      const handle = s.querySelector('.noUi-handle');
      return target && handle && !target.hasAttribute('disabled') && s.offsetParent !== null &&
        Number(handle.getAttribute('aria-valuemin')) < Number(handle.getAttribute('aria-valuemax'));
    });
    let slider = '';
    if (sliders.length) {
      sliders[0].dataset.cnnlabSlider = String(i);
      slider = sliders[0].querySelector('.widget-label')?.textContent || '(no label)';
    }
    found.push({index: i, cell, where: where(cell), slider, sliders: root.querySelectorAll('.widget-slider').length});
  }
  return found;
}"""

# Every verdict on screen (cnnlab's check results): does a row of a line end inside a word, and
# do a line's continuation rows start further right than its first row (its indentation kept)?
# Words are measured with DOM ranges: a word whose characters lie on two rows was broken.
_VERDICTS = """() => {
  ${WHERE}
  const panel = window.__cnnlab.panel;
  const found = [];
  panel.content.widgets.forEach((cell, ci) => {
    for (const verdict of cell.node.querySelectorAll('.jp-OutputArea-output .cnnlab-verdict')) {
      const v = {where: where(ci), lines: 0, wrapped: 0, broken: [], unindented: [], styles: []};
      for (const line of verdict.querySelectorAll('.cnnlab-line')) {
        v.lines++;
        const cs = getComputedStyle(line);
        v.styles.push(`${cs.whiteSpace}/${cs.wordBreak}/${cs.overflowWrap}`);
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        const rows = new Map();  // row top -> leftmost x of a word on it
        let firstTop = null;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (const m of node.textContent.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const rects = [...range.getClientRects()].filter(r => r.width > 0);
            const tops = new Set(rects.map(r => Math.round(r.top)));
            if (tops.size > 1) v.broken.push(m[0]);
            if (!rects.length) continue;
            const top = Math.round(rects[0].top);
            if (firstTop === null) firstTop = top;
            rows.set(top, Math.min(rows.get(top) ?? Infinity, rects[0].left));
          }
        }
        if (rows.size > 1) {
          v.wrapped++;
          const first = rows.get(firstTop);
          for (const [top, left] of rows) {
            if (top !== firstTop && left < first + 4) v.unindented.push(line.textContent.slice(0, 60));
          }
        }
      }
      found.push(v);
    }
  });
  return found;
}"""

# Each explorer after its slider moved: how wide its figure is shown, the smallest text the
# figure holds (a class the kernel sets) at that width, its caption and title, and a digest of
# its pixels (to compare the picture before and after the slider went there and back).
_LOOKS = """async (i) => {
  const root = document.querySelector(`[data-cnnlab-explorer="${i}"]`);
  const img = root.querySelector(`[data-cnnlab-figure="${i}"]`);
  const tag = [...img.classList].find(c => c.startsWith('cnnlab-text-min-'));
  const minPng = tag ? Number(tag.slice('cnnlab-text-min-'.length)) / 10 : null;
  const scale = img.naturalWidth ? img.clientWidth / img.naturalWidth : 0;
  const area = img.closest('.jp-OutputArea-output');
  const caption = root.querySelector('.cnnlab-summary');
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let h1 = 2166136261 >>> 0, h2 = 0;
  for (let k = 0; k < data.length; k += 1) { h1 = Math.imul(h1 ^ data[k], 16777619) >>> 0; h2 = (h2 + data[k] * (k % 251 + 1)) >>> 0; }
  return {natural: img.naturalWidth, shown: img.clientWidth, area: area ? area.clientWidth : null, scale,
          minPng, minShown: minPng === null ? null : minPng * scale, title: img.getAttribute('title') || '',
          caption: caption ? caption.textContent.trim() : null, role: caption ? caption.getAttribute('role') : null,
          digest: `${h1}-${h2}-${canvas.width}x${canvas.height}`};
}"""

_INSPECT, _LAYOUT, _FIND_EXPLORERS, _VERDICTS, _LOOKS = (
    js.replace("${WHERE}", _WHERE) for js in (_INSPECT, _LAYOUT, _FIND_EXPLORERS, _VERDICTS, _LOOKS)
)

# Before a key press: remember the figure and readout, and time the press and the new figure.
_ARM = """(i) => {
  const root = document.querySelector(`[data-cnnlab-explorer="${i}"]`);
  const img = root.querySelector(`[data-cnnlab-figure="${i}"]`);
  const slider = root.querySelector(`[data-cnnlab-slider="${i}"]`);
  const handle = slider.querySelector('.noUi-handle');
  const t = {src: img.getAttribute('src'), readout: slider.querySelector('.widget-readout').textContent,
             now: Number(handle.getAttribute('aria-valuenow')), max: Number(handle.getAttribute('aria-valuemax'))};
  window.__cnnlabStep = t;
  handle.addEventListener('keydown', () => { t.keyAt = performance.now(); }, {once: true, capture: true});
  const observer = new MutationObserver(() => {
    if (img.getAttribute('src') !== t.src && t.srcAt === undefined) {
      t.srcAt = performance.now();
      observer.disconnect();
      const loaded = () => { t.loadedAt = performance.now(); };
      if (img.complete && img.naturalWidth) loaded(); else img.addEventListener('load', loaded, {once: true});
    }
  });
  observer.observe(img, {attributes: true, attributeFilter: ['src']});
  t.stop = () => observer.disconnect();
  return {readout: t.readout, atMax: t.now >= t.max};
}"""

_STEP_DONE = """() => {
  const t = window.__cnnlabStep;
  return t.loadedAt !== undefined;
}"""

_STEP_RESULT = """(i) => {
  const t = window.__cnnlabStep;
  t.stop();
  const slider = document.querySelector(`[data-cnnlab-slider="${i}"]`);
  return {readout: slider.querySelector('.widget-readout').textContent, keyAt: t.keyAt ?? null,
          srcAt: t.srcAt ?? null, loadedAt: t.loadedAt ?? null};
}"""

# How much taller than its panel the notebook is: up to the bottom of its last cell (the
# notebook's own scrollHeight includes the "scroll past end" space, which grows with the window).
_SCROLLER = """() => {
  const panel = window.__cnnlab.panel;
  const outer = panel.node.querySelector('.jp-WindowedPanel-outer') || panel.content.node;
  outer.scrollTop = 0;
  const cells = panel.content.widgets;
  const last = cells.length ? cells[cells.length - 1].node : outer;
  const contentHeight = last.getBoundingClientRect().bottom - outer.getBoundingClientRect().top + 16;
  return {contentHeight, clientHeight: outer.clientHeight};
}"""

_CLOSE = """async () => {
  for (const dialog of document.querySelectorAll('.jp-Dialog')) {  // dismissed, or it keeps the focus
    (dialog.querySelector('.jp-Dialog-button.jp-mod-reject') || dialog.querySelector('.jp-Dialog-button'))?.click();
  }
  const c = window.__cnnlab;
  if (!c) return;
  try { await c.panel.sessionContext.shutdown(); } catch (e) {}
  c.panel.context.model.dirty = false;
  c.panel.dispose();
  window.__cnnlab = undefined;
}"""


# -- running one notebook --------------------------------------------------------------------


def check_notebook(
    page,
    path: str,
    screenshot: Path | None = None,
    steps: int = 8,
    run_timeout: float = 300,
    figure_timeout: float = 15,
    console: list[str] | None = None,
    width: int | None = None,
) -> NotebookReport:
    """Open ``path`` (relative to the server root) in ``page``, run all cells, inspect, close.

    ``steps`` key presses go to one slider of each explorer (right, left, right, ...: an even
    number leaves it where the notebook put it); the first must change both the slider's
    readout and the figure within ``figure_timeout`` seconds. ``console`` is the page's
    console log (a list the caller appends to); its new errors go into the report.
    """
    report = NotebookReport(path=path)
    seen = len(console) if console is not None else 0
    clock = time.monotonic()

    def phase(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        report.phases[name] = report.phases.get(name, 0.0) + now - clock
        clock = now

    page.evaluate(_OPEN, path)
    try:
        page.wait_for_function(_KERNEL_IDLE, timeout=120_000)
        phase("open")
        page.evaluate(_RUN_ALL)
        page.wait_for_function(_RUN_FINISHED, timeout=run_timeout * 1000, polling=200)
        phase("run all")
        report.run_seconds = report.phases["run all"]
        status = page.evaluate(_KERNEL_STATUS)
        if status != "idle":
            report.errors.append(f"the kernel is {status!r} after Run All (it died: out of memory?)")
        # a widget whose model never arrives stays "Loading widget..." for ever (_INSPECT reports it)
        with contextlib.suppress(Exception):
            page.wait_for_function(_WIDGETS_SETTLED, arg=None, timeout=10_000, polling=200)
        found = page.evaluate(_INSPECT, list(WIDGET_FAILURE_TEXTS))
        report.code_cells = found["codeCells"]
        report.cells_not_run = found["notRun"]
        report.errors += found["errors"]
        report.stderr = found["stderr"]
        report.widget_problems = found["widgetProblems"]
        report.texts = {int(k): v for k, v in found["texts"].items()}
        phase("inspect")
        if screenshot is not None:  # also inspects the layout, with every cell on screen
            report.screenshot = full_screenshot(page, screenshot, report, width=width)
        else:
            _inspect_layout(page, report)
        phase("screenshot")
        if status == "idle":  # explorers need their kernel
            for explorer in page.evaluate(_FIND_EXPLORERS):
                report.explorers.append(_move_slider(page, explorer, steps, figure_timeout))
        phase("sliders")
    finally:
        page.evaluate(_CLOSE)
        phase("close")
    if console is not None:
        report.console_errors = console[seen:]
    return report


def _move_slider(page, explorer: dict, steps: int, figure_timeout: float) -> ExplorerResult:
    i = explorer["index"]
    result = ExplorerResult(index=i, cell=explorer["cell"], where=explorer["where"], slider=explorer["slider"])
    if not explorer["slider"]:
        result.problem = f"no slider that can move ({explorer['sliders']} slider(s), all disabled or hidden)"
        return result
    handle = page.locator(f'[data-cnnlab-slider="{i}"] .noUi-handle')
    handle.scroll_into_view_if_needed()
    before = page.evaluate(_LOOKS, i)
    forward = None
    for n in range(steps):
        armed = page.evaluate(_ARM, i)
        if forward is None:
            forward, back = ("ArrowLeft", "ArrowRight") if armed["atMax"] else ("ArrowRight", "ArrowLeft")
        key = forward if n % 2 == 0 else back
        handle.focus()
        page.keyboard.press(key)
        try:
            page.wait_for_function(_STEP_DONE, timeout=figure_timeout * 1000, polling="raf")
            changed = True
        except Exception:  # noqa: BLE001 (a timeout: the figure did not change)
            changed = False
        t = page.evaluate(_STEP_RESULT, i)
        step = Step(key, armed["readout"], t["readout"], changed)
        if changed and t["keyAt"] is not None:
            step.to_src_ms = t["srcAt"] - t["keyAt"]
            step.to_loaded_ms = t["loadedAt"] - t["keyAt"]
        result.steps.append(step)
        if not changed or step.readout_after == step.readout_before:
            what = [] if changed else [f"the figure did not change within {figure_timeout:.0f} s"]
            if step.readout_after == step.readout_before:
                what.append(f"the readout stayed {step.readout_before!r}")
            result.problem = f"{key} on slider {result.slider!r}: " + " and ".join(what)
            break
        # let the kernel finish (a control change may cause more than one message) before the next
        page.wait_for_function(_KERNEL_IDLE, timeout=30_000)
    after = page.evaluate(_LOOKS, i)
    result.looks = after
    if (
        not result.problem
        and steps % 2 == 0
        and result.steps
        and result.steps[0].readout_before == result.steps[-1].readout_after
    ):
        result.same_after_return = before["digest"] == after["digest"]
        if not result.same_after_return:
            result.readability.append(
                f"after {steps} key presses back to {result.steps[0].readout_before!r}, "
                "the figure is not the picture it was (something is drawn over it?)"
            )
    for name, looks in (("before the slider moved", before), ("after", after)):
        if looks["minShown"] is None:
            result.readability.append(f"{name}: the figure does not say its smallest text size (no cnnlab-text-min-*)")
        elif looks["minShown"] < MIN_TEXT_PX - 0.05:
            result.readability.append(
                f"{name}: text {looks['minShown']:.1f} px on screen, under {MIN_TEXT_PX} px (the PNG's smallest "
                f"{looks['minPng']:.1f} px, shown at {looks['shown']} of {looks['natural']} px)"
            )
        if not looks["caption"] or looks["role"] != "status":
            result.readability.append(f"{name}: no text beside the figure saying what it shows")
    return result


def _inspect_layout(page, report: NotebookReport) -> None:
    layout = page.evaluate(_LAYOUT)
    report.layout_notes = layout["notes"]
    report.widget_problems += layout["problems"]
    inspect_verdicts(page, report)


def inspect_verdicts(page, report: NotebookReport) -> None:
    """Every verdict on screen: words broken across rows, wrapped rows that lost the indentation."""
    report.verdicts = page.evaluate(_VERDICTS)
    report.verdict_problems = []
    for v in report.verdicts:
        if v["broken"]:
            report.verdict_problems.append(f"{v['where']}: words broken across rows: {v['broken'][:5]}")
        if v["unindented"]:
            report.verdict_problems.append(f"{v['where']}: wrapped rows not indented: {v['unindented'][:3]}")
        bad = {s for s in v["styles"] if s != "pre-wrap/normal/normal"}
        if bad:
            report.verdict_problems.append(f"{v['where']}: lines styled {sorted(bad)} (not pre-wrap/normal/normal)")


def opened_notebook(page, path: str, screenshot: Path) -> dict[int, str]:
    """Open ``path`` without running anything, as a student first sees it: a screenshot, and each
    code cell's source and stored output as shown (cell index -> text)."""
    page.evaluate(_OPEN, path)
    try:
        page.wait_for_function(_KERNEL_IDLE, timeout=120_000)
        page.wait_for_timeout(1000)  # the first cells lay out before the notebook's height is known
        full_screenshot(page, screenshot)
        found = page.evaluate(_INSPECT, list(WIDGET_FAILURE_TEXTS))
    finally:
        page.evaluate(_CLOSE)
    return {int(k): v for k, v in found["texts"].items()}


def full_screenshot(page, path: Path, report: NotebookReport | None = None, width: int | None = None) -> Path:
    """The whole notebook at the laptop width: the window made as tall as the notebook.

    With ``report``, also inspects the layout (``report.layout_notes``) while every cell is
    on screen (JupyterLab skips laying out cells that are off screen).

    The notebook scrolls inside JupyterLab's panel (the page itself never scrolls), so a
    "full page" screenshot would show only the first screen; instead the viewport grows to
    fit the notebook, which is what a student sees scrolling down, screen after screen.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    height = VIEWPORT["height"]
    width = width or VIEWPORT["width"]  # a narrower window, to see how text wraps
    page.set_viewport_size({"width": width, "height": height})
    try:
        for _ in range(6):  # cells lay out as they become visible: grow until everything fits
            size = page.evaluate(_SCROLLER)
            extra = math.ceil(size["contentHeight"] - size["clientHeight"])
            if extra <= 1 or height >= MAX_SCREENSHOT_HEIGHT:
                break
            height = min(height + extra, MAX_SCREENSHOT_HEIGHT)
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(400)
        page.evaluate(_SCROLLER)
        if report is not None:
            _inspect_layout(page, report)
            if height >= MAX_SCREENSHOT_HEIGHT:
                report.layout_notes.append(f"screenshot cut at {MAX_SCREENSHOT_HEIGHT} px (the notebook is longer)")
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(VIEWPORT)
    return path
