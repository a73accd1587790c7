"""What the class got wrong: the summary of a grading run, and the HTML page that shows it.

``summarize(entries)`` turns graded submissions (``grading.Submission``, from a run or
from its results file) into a ``ClassSummary``: per exercise, how many passed and how
the others failed, the mistakes in the words the check used, counted, with an example
verdict; the total of every submission; the submissions that could not be run or read;
and flags for the instructor to review (the same exercise code in several submissions,
code copied from cnnlab's answer). ``write_html(summary, path)`` draws it as one
self-contained page (inline SVG charts and CSS; no script, no server, nothing fetched).
Everything a submission wrote (labels, verdicts that quote its output) is escaped.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cnnlab.instructor.grading import STATUSES, write_atomically

__all__ = ["ClassSummary", "ExerciseSummary", "Mistake", "Flag", "summarize", "render_html", "write_html", "GENERATOR"]

GENERATOR = "cnnlab report"  # the page's <meta name="generator">: how cnnlab knows a page it may replace
MAX_LISTED = 8  # submissions named in a row of the mistakes table before "and N more"
COLORS = {  # status -> bar color (every bar also shows its count; the legend names the colors)
    "passed": "#1a7f37",
    "failed": "#cf222e",
    "unwritten": "#8c959f",
    "missing": "#bf8700",
    "not run": "#9a6700",
    "unreadable": "#57606a",
    "refused": "#24292f",
}


@dataclass(kw_only=True)
class Mistake:
    """One way an exercise went wrong, and who went wrong that way."""

    text: str
    submissions: list
    example: str  # the full verdict (or reason) of the first of them

    @property
    def count(self) -> int:
        return len(self.submissions)


@dataclass(kw_only=True)
class ExerciseSummary:
    name: str
    max_points: float | None
    counts: Counter  # status -> submissions
    points: list  # the points of every submission that has a grade for it
    cases: int | None  # cases its check has
    cases_passed: Counter  # k -> submissions whose check passed k cases
    mistakes: list  # [Mistake], most common first

    @property
    def submissions(self) -> int:
        return sum(self.counts.values())

    @property
    def passed(self) -> int:
        return self.counts.get("passed", 0)


@dataclass(kw_only=True)
class Flag:
    """Submissions with the same code for one exercise (``how``: "identical" or "identical but for names")."""

    exercise: str
    how: str
    submissions: list
    tokens: int


@dataclass(kw_only=True)
class ClassSummary:
    exercises: list  # [ExerciseSummary] in lesson order
    totals: list  # [(label, points, max points, {exercise: points or None})], by label
    not_run: list  # [(label, why)]: could not be read, run or graded
    identical: list  # [Flag]
    copied: list  # [(label, exercise, note)]
    refused: list = field(default_factory=list)  # [(label, why)]

    @property
    def size(self) -> int:
        return len(self.totals)


def summarize(entries) -> ClassSummary:
    """The class summary of graded submissions (``grading.Submission`` with their rows)."""
    from cnnlab import exercises

    entries = sorted(entries, key=lambda e: e.label)
    order = {name: index for index, name in enumerate(exercises.names())}
    by_exercise = defaultdict(list)
    for entry in entries:
        for row in entry.rows:
            if row.exercise:
                by_exercise[row.exercise].append(row)
    names = sorted(by_exercise, key=lambda n: (order.get(n, len(order)), n))
    return ClassSummary(
        exercises=[_exercise(name, by_exercise[name]) for name in names],
        totals=[_total(entry, names) for entry in entries],
        not_run=_not_run(entries),
        identical=_identical(entries, names),
        copied=[
            (entry.label, row.exercise, part)
            for entry in entries
            for row in entry.rows
            for part in row.notes.split("; ")
            if part.endswith("(copied? review it)")
        ],
        refused=[(e.label, e.rows[0].reason) for e in entries if e.rows and e.rows[0].status == "refused"],
    )


def _exercise(name: str, rows: list) -> ExerciseSummary:
    groups = defaultdict(list)
    for row in rows:
        if not row.passed:
            groups[row.mistake or row.reason or "failed"].append(row)
    mistakes = [
        Mistake(text=text, submissions=[r.submission for r in group], example=group[0].verdict or group[0].reason)
        for text, group in groups.items()
    ]
    mistakes.sort(key=lambda m: (-m.count, m.text))
    cases = [row.cases for row in rows if row.cases is not None]
    return ExerciseSummary(
        name=name,
        max_points=max((row.max_points for row in rows if row.max_points is not None), default=None),
        counts=Counter(row.status or ("passed" if row.passed else "failed") for row in rows),
        points=[row.points for row in rows if row.points is not None],
        cases=max(cases) if cases else None,
        cases_passed=Counter(row.cases_passed for row in rows if row.cases_passed is not None),
        mistakes=mistakes,
    )


def _total(entry, names: list) -> tuple:
    points = {row.exercise: row.points for row in entry.rows if row.exercise}
    got, most = entry.score
    return entry.label, got, most, {name: points.get(name) for name in names}


def _not_run(entries) -> list:
    found = []
    for entry in entries:
        stopped = next((row for row in entry.rows if row.status in ("not run", "unreadable")), None)
        if entry.error:
            found.append((entry.label, entry.error))
        elif stopped is not None:
            found.append((entry.label, stopped.reason))
    return found


def _identical(entries, names: list) -> list:
    """Groups of two or more submissions whose own code for an exercise is the same (exactly, or but for names)."""
    flags = []
    for name in names:
        exact, renamed = defaultdict(list), defaultdict(list)
        for entry in entries:
            code = entry.code.get(name)
            if isinstance(code, dict) and code.get("exact"):
                exact[code["exact"]].append((entry.label, code))
                renamed[code.get("renamed")].append((entry.label, code))
        flagged = set()
        for group in exact.values():
            if len(group) > 1:
                labels = [label for label, _ in group]
                flags.append(Flag(exercise=name, how="identical", submissions=labels, tokens=group[0][1]["tokens"]))
                flagged.add(tuple(labels))
        for key, group in renamed.items():
            labels = [label for label, _ in group]
            if key and len(group) > 1 and tuple(labels) not in flagged:
                how = "identical but for names"
                flags.append(Flag(exercise=name, how=how, submissions=labels, tokens=group[0][1]["tokens"]))
    return flags


# ---------------------------------------------------------------------------------------------
# The page


def write_html(summary: ClassSummary, path, title: str = "") -> Path:
    """Write the report page to ``path`` atomically."""
    write_atomically(path, render_html(summary, title))
    return Path(path)


def render_html(summary: ClassSummary, title: str = "") -> str:
    """The report as one self-contained HTML page."""
    title = title or "cnnlab: what the class got wrong"
    parts = [
        _overview(summary),
        _section("Exercises", _status_chart(summary.exercises) + _exercise_table(summary.exercises)),
        _section("Scores", _score_chart(summary) + _totals_table(summary)),
        *[_exercise_section(item) for item in summary.exercises],
        _section("Submissions that did not run", _not_run_table(summary), "not-run"),
        _section("To review", _flags(summary), "flags"),
    ]
    return _PAGE.format(title=_e(title), generator=GENERATOR, css=_CSS, body="\n".join(parts))


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _number(value) -> str:
    return "" if value is None else f"{value:g}"


def _points_words(value) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def _section(heading: str, body: str, anchor: str = "") -> str:
    anchor = anchor or heading.lower().replace(" ", "-")
    return f'<section id="{_e(anchor)}"><h2>{_e(heading)}</h2>\n{body}\n</section>'


def _overview(summary: ClassSummary) -> str:
    totals = [t for t in summary.totals if t[2]]
    full = sum(1 for _, got, most, _ in totals if got == most)
    hardest = min(summary.exercises, key=lambda x: x.passed / max(x.submissions, 1), default=None)
    facts = [
        f"<b>{summary.size}</b> submissions",
        f"<b>{len(summary.exercises)}</b> exercises",
        f"<b>{full}</b> with full marks",
        f"<b>{len(summary.not_run)}</b> did not run",
        f"<b>{len(summary.identical) + len(summary.copied)}</b> flags to review",
    ]
    lead = ""
    if hardest is not None and hardest.mistakes:
        top = hardest.mistakes[0]
        lead = (
            f'<p class="lead">Fewest passed <a href="#ex-{_e(hardest.name)}"><code>{_e(hardest.name)}</code></a> '
            f"({hardest.passed} of {hardest.submissions}); its most common mistake ({top.count}): "
            f"{_e(top.text)}</p>"
        )
    return '<p class="facts">' + " · ".join(facts) + "</p>" + lead


def _status_chart(items: list) -> str:
    """One stacked bar per exercise: how many passed, failed, were not written, did not run."""
    if not items:
        return "<p>No exercise was graded.</p>"
    label_w, bar_w, row_h, right_w = 230, 560, 26, 150
    height = row_h * len(items) + 34
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {label_w + bar_w + right_w} {height}" '
        f'width="{label_w + bar_w + right_w}" height="{height}" aria-labelledby="status-title">',
        '<title id="status-title">Submissions per exercise by outcome</title>',
    ]
    for index, item in enumerate(items):
        y = 6 + index * row_h
        total = max(item.submissions, 1)
        out.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="mono">{_e(item.name)}</text>')
        x = float(label_w)
        for status in COLORS:
            count = item.counts.get(status, 0)
            if not count:
                continue
            width = bar_w * count / total
            tip = f"{item.name}: {count} {_status_words(status)}"
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{row_h - 8}" fill="{COLORS[status]}">'
                f"<title>{_e(tip)}</title></rect>"
            )
            if width >= 22:
                out.append(f'<text x="{x + width / 2:.1f}" y="{y + 14}" text-anchor="middle" class="in">{count}</text>')
            x += width
        rate = f"{item.passed}/{item.submissions} passed ({item.passed / total:.0%})"
        out.append(f'<text x="{label_w + bar_w + 8}" y="{y + 15}">{_e(rate)}</text>')
    legend_y = height - 10
    x = label_w
    for status, color in COLORS.items():
        if not any(item.counts.get(status) for item in items):
            continue
        words = _status_words(status)
        out.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{x + 16}" y="{legend_y}">{_e(words)}</text>')
        x += 24 + 7.5 * len(words)
    out.append("</svg>")
    return "\n".join(out)


def _status_words(status: str) -> str:
    return STATUSES.get(status, status)


def _histogram(values: list, labels: list, caption: str, unit: str) -> str:
    """Bars of how many submissions got each value (``labels``: the values, in order)."""
    counts = Counter(values)
    most = max(counts.values(), default=1)
    bar_w = max(18, min(90, 720 // max(len(labels), 1)))
    width, height, base = max(480, bar_w * len(labels) + 60), 190, 150
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{_e(caption)}</title>",
        f'<line x1="40" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#57606a"/>',
    ]
    for index, value in enumerate(labels):
        count = counts.get(value, 0)
        h = 120 * count / most if most else 0
        x = 44 + index * bar_w
        out.append(
            f'<rect x="{x}" y="{base - h:.1f}" width="{bar_w - 6}" height="{h:.1f}" fill="#0969da">'
            f"<title>{count} submissions: {_e(_number(value))} {unit}</title></rect>"
        )
        if count:
            out.append(f'<text x="{x + (bar_w - 6) / 2}" y="{base - h - 4:.1f}" text-anchor="middle">{count}</text>')
        out.append(f'<text x="{x + (bar_w - 6) / 2}" y="{base + 16}" text-anchor="middle">{_e(_number(value))}</text>')
    out.append(f'<text x="{width / 2}" y="{base + 34}" text-anchor="middle" class="axis">{_e(unit)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _score_chart(summary: ClassSummary) -> str:
    graded = [(got, most) for _, got, most, _ in summary.totals if most]
    if not graded:
        return "<p>No submission has a score.</p>"
    most = max(m for _, m in graded)
    values = [got for got, _ in graded]
    if most <= 40 and all(float(v).is_integer() for v in values) and float(most).is_integer():
        labels = list(range(int(most) + 1))
        values = [int(v) for v in values]
    else:  # ten bins of equal width
        step = most / 10
        labels = [round(step * k, 2) for k in range(11)]
        values = [labels[min(10, int(v / step))] for v in values]
    caption = f"Total points of the {len(graded)} graded submissions (out of {_number(most)})"
    return f"<figure>{_histogram(values, labels, caption, 'points')}<figcaption>{_e(caption)}</figcaption></figure>"


def _exercise_table(items: list) -> str:
    head = "<tr><th>exercise</th><th>points</th><th>passed</th><th>failed its check</th><th>not written</th>"
    head += "<th>no function / did not run</th><th>mean points</th><th>most common mistake</th></tr>"
    rows = []
    for item in items:
        other = sum(item.counts.get(s, 0) for s in ("missing", "not run", "unreadable", "refused"))
        mean = sum(item.points) / len(item.points) if item.points else None
        top = next((m for m in item.mistakes if m.text != "not written yet"), None)
        mistake = f"{_e(top.text)} ({top.count})" if top else ""
        rows.append(
            f'<tr><td><a href="#ex-{_e(item.name)}"><code>{_e(item.name)}</code></a></td>'
            f"<td>{_number(item.max_points)}</td>"
            f'<td class="n" data-count="passed">{item.passed}/{item.submissions}</td>'
            f'<td class="n">{item.counts.get("failed", 0)}</td><td class="n">{item.counts.get("unwritten", 0)}</td>'
            f'<td class="n">{other}</td><td class="n">{"" if mean is None else f"{mean:.2f}"}</td>'
            f"<td>{mistake}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _exercise_section(item: ExerciseSummary) -> str:
    parts = [
        f"<p>{item.passed} of {item.submissions} passed"
        + (f" ({_points_words(item.max_points)} each)" if item.max_points is not None else "")
        + ".</p>"
    ]
    if item.cases and item.cases_passed:
        caption = f"Cases of {item.name}'s check passed, per submission whose function was checked"
        chart = _histogram(
            [k for k, n in item.cases_passed.items() for _ in range(n)], list(range(item.cases + 1)), caption, "cases"
        )
        parts.append(f"<figure>{chart}<figcaption>{_e(caption)}</figcaption></figure>")
    if item.mistakes:
        rows = []
        for mistake in item.mistakes:
            named = ", ".join(_e(label) for label in mistake.submissions[:MAX_LISTED])
            if mistake.count > MAX_LISTED:
                named += f" and {mistake.count - MAX_LISTED} more"
            rows.append(
                f'<tr><td class="n" data-count="mistake">{mistake.count}</td><td>{_e(mistake.text)}'
                f"<details><summary>example verdict ({_e(mistake.submissions[0])})</summary>"
                f"<pre>{_e(mistake.example)}</pre></details></td><td>{named}</td></tr>"
            )
        parts.append(
            "<table class='mistakes'><tr><th>submissions</th><th>mistake</th><th>who</th></tr>"
            + "".join(rows)
            + "</table>"
        )
    else:
        parts.append("<p>Everyone passed.</p>")
    heading = f"<code>{_e(item.name)}</code>"
    return f'<section id="ex-{_e(item.name)}"><h2>{heading}</h2>\n' + "\n".join(parts) + "\n</section>"


def _totals_table(summary: ClassSummary) -> str:
    names = [item.name for item in summary.exercises]
    head = "<tr><th>submission</th>" + "".join(f"<th><code>{_e(n)}</code></th>" for n in names) + "<th>total</th></tr>"
    rows = []
    for label, got, most, points in summary.totals:
        cells = []
        for name in names:
            value = points.get(name)
            css = "" if value is None else " class='ok'" if value and value > 0 else " class='zero'"
            cells.append(f"<td{css}>{_number(value)}</td>")
        total = f"{_number(got)}/{_number(most) if most is not None else '?'}"
        rows.append(f"<tr><td>{_e(label)}</td>{''.join(cells)}<td class='n'>{total}</td></tr>")
    return f"<details><summary>Every submission's points</summary><table>{head}{''.join(rows)}</table></details>"


def _not_run_table(summary: ClassSummary) -> str:
    if not summary.not_run:
        return "<p>Every submission ran.</p>"
    rows = "".join(f"<tr><td>{_e(label)}</td><td>{_e(why)}</td></tr>" for label, why in summary.not_run)
    return f"<table><tr><th>submission</th><th>why</th></tr>{rows}</table>"


def _flags(summary: ClassSummary) -> str:
    parts = []
    if summary.identical:
        rows = "".join(
            f"<tr><td><code>{_e(flag.exercise)}</code></td><td>{_e(flag.how)} ({flag.tokens} tokens)</td>"
            f"<td>{', '.join(_e(s) for s in flag.submissions)}</td></tr>"
            for flag in summary.identical
        )
        parts.append(
            "<p>The same code for an exercise (comments and layout aside) in several submissions: worth a look, "
            "not proof of anything.</p>"
            f"<table><tr><th>exercise</th><th>how</th><th>submissions</th></tr>{rows}</table>"
        )
    if summary.copied:
        rows = "".join(
            f"<tr><td>{_e(label)}</td><td><code>{_e(name)}</code></td><td>{_e(note)}</td></tr>"
            for label, name, note in summary.copied
        )
        parts.append(
            "<p>Exercise code that is the same as cnnlab's answer (graded as usual).</p>"
            f"<table><tr><th>submission</th><th>exercise</th><th>note</th></tr>{rows}</table>"
        )
    if summary.refused:
        rows = "".join(f"<tr><td>{_e(label)}</td><td>{_e(why)}</td></tr>" for label, why in summary.refused)
        parts.append(f"<p>Grades refused:</p><table><tr><th>submission</th><th>why</th></tr>{rows}</table>")
    return "\n".join(parts) or "<p>Nothing to review: no identical code, no copied answer.</p>"


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="{generator}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<h1>{title}</h1>
{body}
</body>
</html>
"""

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #24292f; margin: 24px auto;
       max-width: 1180px; padding: 0 16px; }
h1 { font-size: 24px; } h2 code { font-size: inherit; } h2 { font-size: 19px; margin-top: 32px; border-bottom: 1px solid #d0d7de; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.n { text-align: right; white-space: nowrap; }
td.ok { background: #dafbe1; } td.zero { background: #ffebe9; }
pre { white-space: pre-wrap; overflow-wrap: normal; word-break: normal; overflow-x: auto; background: #f6f8fa;
      padding: 8px; font-size: 13px; max-width: 900px; }
svg.chart { max-width: 100%; height: auto; font-size: 13px; }
svg.chart text.in { fill: #ffffff; font-weight: bold; } svg.chart text.axis { fill: #57606a; }
figure { margin: 8px 0; } figcaption { color: #57606a; font-size: 13px; }
.facts { font-size: 16px; } .lead { background: #fff8c5; padding: 8px; }
details summary { cursor: pointer; color: #0969da; }
"""
