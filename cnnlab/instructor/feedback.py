"""Feedback for students: one Markdown file per graded submission, with everything the check said.

Each file has the submission's score, then per exercise its points, what went wrong in
one line, the check's full verdict (the same text the lesson's check cell prints), the
exercise's hints in order, and what to try next. ``index.md`` lists which file is whose.
The files are named after the submissions (``alice/04_pooling.ipynb`` ->
``alice__04_pooling.md``, the folder all submissions share left out). A file of that name
that cnnlab did not write is never replaced: writing stops before anything is written.
Text that came from a submission is quoted so that Markdown cannot run or format it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cnnlab.instructor.grading import STATUSES, write_atomically

__all__ = ["MARKER", "check_folder", "write", "render", "file_names"]

MARKER = "<!-- cnnlab feedback: `cnnlab grade --feedback` or `cnnlab report --feedback` writes this file -->"

_NEXT = {
    "unwritten": "Replace `raise NotImplementedError(...)` in the exercise cell with your code, run the cell and "
    "the check cell below it: the check tells you case by case what is right.",
    "failed": "Run the check cell under the exercise in your notebook: it prints the verdict above and tells you "
    "when you have fixed it. Read the first failing case first; one mistake often explains every case.",
    "missing": "Keep the function's name and parameters as the exercise cell gives them, and run its cell before "
    "you hand the notebook in (Kernel > Restart Kernel and Run All Cells).",
    "not run": "Run your notebook top to bottom in a fresh kernel before you hand it in (Kernel > Restart Kernel "
    "and Run All Cells) and make sure every cell finishes.",
    "unreadable": "Hand in the notebook file itself (the .ipynb you worked in), saved and whole.",
    "refused": "Your file changed while it was being graded; it will be graded again.",
}


def file_names(labels) -> dict:
    """label -> the feedback file's name: the label's path without the folder every label shares, as
    ``folder__name.md``, with characters outside ``A-Za-z0-9._-`` as ``_``; unique (``-2``, ``-3``...)."""
    labels = sorted(labels)
    parts = [Path(label).parts for label in labels]
    shared = 0
    if len(parts) > 1:
        while all(len(p) > shared + 1 and p[shared] == parts[0][shared] for p in parts):
            shared += 1
    elif parts and len(parts[0]) > 1:
        shared = len(parts[0]) - 1
    names, taken = {}, set()
    for label, path in zip(labels, parts):
        own = [part for part in path[shared:] if part not in ("", ".", "..", os.sep)]
        stem = "__".join(own) or "submission"
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", re.sub(r"\.ipynb$", "", stem, flags=re.I)).strip(".") or "submission"
        name, number = f"{stem[:150]}.md", 1
        while name.lower() in taken or name.lower() == "index.md":
            number += 1
            name = f"{stem[:150]}-{number}.md"
        taken.add(name.lower())
        names[label] = name
    return names


def check_folder(folder, labels) -> None:
    """ValueError if writing the feedback of ``labels`` into ``folder`` would replace a file cnnlab did not write."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--feedback {folder} is a file; give a folder for the feedback files")
    for name in [*file_names(labels).values(), "index.md"]:
        _may_replace(folder / name)


def write(entries, folder) -> list:
    """Write one feedback file per submission and ``index.md`` into ``folder``; the paths written.

    ValueError, before writing anything, if a file there of one of those names was not
    written by cnnlab.
    """
    folder = Path(folder)
    entries = sorted(entries, key=lambda e: e.label)
    check_folder(folder, [e.label for e in entries])
    names = file_names(e.label for e in entries)
    texts = {names[e.label]: render(e) for e in entries}
    texts["index.md"] = _index(entries, names)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in texts.items():
        write_atomically(folder / name, text)
        written.append(folder / name)
    return written


def _may_replace(path: Path) -> None:
    if not path.exists():
        return
    try:
        ours = path.is_file() and path.read_text(encoding="utf-8", errors="replace").startswith(MARKER)
    except OSError:
        ours = False
    if not ours:
        raise ValueError(f"{path} exists and was not written by cnnlab; move it, or give another --feedback folder")


def render(entry) -> str:
    """The feedback of one graded submission, as Markdown."""
    from cnnlab.exercises.hints import HINTS

    got, most = entry.score
    lines = [MARKER, "", f"# Feedback on {_code(entry.label)}", ""]
    if most is not None:
        lines += [f"**Score: {got:g} of {most:g} points.**", ""]
    if entry.error:
        lines += [f"This submission could not be graded: {_text(entry.error)}", "", _NEXT["unreadable"], ""]
    graded = [row for row in entry.rows if row.exercise]
    if graded:
        lines += ["| exercise | points | result |", "| --- | --- | --- |"]
        for row in graded:
            points = "—" if row.points is None else f"{row.points:g}/{row.max_points:g}"
            lines.append(f"| [{_code(row.exercise)}](#{_anchor(row.exercise)}) | {points} | {_status(row)} |")
        lines.append("")
    notes = dict.fromkeys(p for row in entry.rows for p in row.notes.split("; ") if p and _for_students(p))
    if notes:
        lines += ["Notes on your notebook:", "", *[f"- {_text(n)}" for n in notes], ""]
    for row in graded:
        lines += _exercise(row, HINTS.get(row.exercise, []))
    return "\n".join(lines).rstrip() + "\n"


def _exercise(row, hints: list) -> list:
    points = "" if row.points is None else f" ({row.points:g} of {row.max_points:g} points)"
    lines = [f'<a id="{_anchor(row.exercise)}"></a>', "", f"## {_code(row.exercise)}: {_status(row)}{points}", ""]
    if row.passed:
        return lines + [f"The check: {_code(row.verdict)}" if row.verdict else "Passed the check.", ""]
    if row.mistake and row.mistake != row.reason and row.status == "failed":
        lines += [f"**What went wrong:** {_text(row.mistake)}", ""]
    lines += [f"**Why it did not score:** {_text(row.reason)}", ""]
    if row.verdict:
        lines += ["The check's full verdict (what the check cell in your notebook prints):", "", *_fenced(row.verdict)]
    if row.status in _NEXT:
        lines += ["**What to try next:** " + _NEXT[row.status], ""]
    if hints and row.status in ("failed", "unwritten", "missing"):
        lines += [
            "Hints, from where to start to nearly the answer (in the lesson, "
            f'`exercises.hint("{row.exercise}")` gives them one at a time):',
            "",
        ]
        for number, hint in enumerate(hints, 1):
            lines += [f"{number}. " + hint.replace("\n", "\n   "), ""]
    return lines


def _status(row) -> str:
    return STATUSES.get(row.status, "passed" if row.passed else "failed")


def _for_students(note: str) -> bool:
    """Notes about the student's notebook, not about how the instructor ran grading."""
    return note != "not sandboxed" and not note.startswith("graded again on its own") and "copied?" not in note


def _index(entries, names: dict) -> str:
    lines = [MARKER, "", "# Feedback files", "", "| submission | score | file |", "| --- | --- | --- |"]
    for entry in entries:
        got, most = entry.score
        score = f"{got:g}/{most:g}" if most is not None else "—"
        lines.append(f"| {_code(entry.label)} | {score} | [{names[entry.label]}]({names[entry.label]}) |")
    return "\n".join(lines) + "\n"


def _anchor(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "-", name.lower())


def _code(text: str) -> str:
    """``text`` as an inline code span that no backtick in it can end early."""
    text = " ".join(str(text).split()).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _text(text: str) -> str:
    """Plain text in Markdown: HTML escaped, Markdown's marks taken literally."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]#|!])", r"\\\1", text)


def _fenced(text: str) -> list:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", *str(text).splitlines(), fence, ""]
