"""What a check returns: a verdict per case, and one for the exercise, as deterministic text.

The first line is the verdict, short enough to read at a glance and identical for every
correct implementation (so a lesson's check cell can be compared by nbval)::

    conv_backward_naive: PASS (10/10 cases; max relative error < 1e-7)

A FAIL says on the following lines which case failed, what was wrong, what the mistake
looks like when that can be told, and how to go on (hints, the reference). No line holds
a measured float: errors appear as bounds ("between 1e-3 and 1e-2"), values of wrong
elements to 3 significant digits.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np

from cnnlab.exercises.diagnose import Named
from cnnlab.gradcheck import draw_error_map, error_bucket

__all__ = ["Outcome", "CheckResult", "Hint"]

MAX_OTHER_FAILURES = 4  # failing cases listed after the first one, which is shown in full


@dataclass
class Outcome:
    """The verdict on one case.

    ``problems``: what was wrong (the first is the headline); ``details``: one list of
    further lines (e.g. the worst elements) per problem; ``diagnoses``: what the mistake
    looks like; ``notes``: remarks on a passing case (e.g. the forward given with a
    backward is wrong); ``comparison``: the first wrong output as ``(name, yours,
    expected)`` for ``CheckResult.plot``; ``candidates``: per output, every diagnosis that
    fits this case (the check keeps those that fit all failing cases).
    """

    label: str
    describe: str
    tags: tuple
    passed: bool = True
    problems: list = field(default_factory=list)
    details: list = field(default_factory=list)
    diagnoses: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    comparison: tuple | None = None
    candidates: dict = field(default_factory=dict)  # output name -> every diagnosis that fits it here
    tried: dict = field(default_factory=dict)  # output name -> the known mistakes formed here (fitting or not)
    unwritten: bool = False  # the function raised NotImplementedError: not written yet

    def fail(self, problem: str, details=()) -> Outcome:
        self.passed = False
        self.problems.append(problem)
        self.details.append(list(details))
        return self


@dataclass
class CheckResult:
    """The verdict on an exercise: ``passed``, the per-case ``outcomes``, and the text to show.

    ``str(result)`` is the verdict line followed, for a FAIL, by the details; notebooks show
    the same text (plain, or as HTML with the verdict colored). ``plot()`` draws where the
    first failing output is wrong.
    """

    name: str
    outcomes: list = field(default_factory=list)
    total: int = 0
    threshold: float | None = None
    stopped: str | None = None
    pattern: str | None = None
    printed: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    reference_used: bool = False
    timed: bool = True
    details: list = field(default_factory=list)  # lines shown under the verdict (a line that does not compile)

    @property
    def passed(self) -> bool:
        return self.stopped is None and len(self.outcomes) == self.total and all(o.passed for o in self.outcomes)

    @property
    def cases_passed(self) -> int:
        return sum(o.passed for o in self.outcomes)

    @property
    def failures(self) -> list:
        return [o for o in self.outcomes if not o.passed]

    @property
    def unwritten(self) -> bool:
        """True if every case found the function not written yet (it raises NotImplementedError)."""
        return self.stopped is None and len(self.outcomes) == self.total > 0 and all(o.unwritten for o in self.outcomes)

    def __bool__(self) -> bool:
        return self.passed

    def verdict(self) -> str:
        """The first line: ``name: PASS (k/k cases; max relative error < 1e-7)`` or ``name: FAIL (...)``."""
        if self.passed:
            bound = f"; max relative error {error_bucket(0.0, self.threshold)}" if self.threshold else ""
            return f"{self.name}: PASS ({self.total}/{self.total} cases{bound})"
        if self.unwritten:
            return f"{self.name}: not written yet"
        if self.stopped and not self.outcomes:
            return f"{self.name}: FAIL ({self.stopped})"
        if self.stopped:
            return f"{self.name}: FAIL ({self.stopped}; {self.cases_passed}/{self.total} cases passed before that)"
        return f"{self.name}: FAIL ({self.cases_passed}/{self.total} cases passed)"

    def lines(self) -> list:
        """Every line of the text, verdict first."""
        lines = [self.verdict()] + [f"  {line}" for line in self.details]
        if self.reference_used:
            lines.append("  (this is cnnlab's reference implementation, not yours)")
        if self.passed:
            return lines + [f"  note: {note}" for note in self.notes]
        if self.unwritten:
            return lines + [
                f"  replace `raise NotImplementedError(...)` in {self.name} with your code,",
                "  then run its cell and this check again",
                f'  hints, one at a time: exercises.hint("{self.name}")',
            ]
        failures = self.failures
        if failures:
            first = failures[0]
            lines.append(f"  case {first.label!r} ({first.describe}):")
            for problem, details in zip(first.problems, first.details):
                lines.append(f"    {problem}")
                lines += [f"      {d}" for d in details]
            lines += [f"    looks like: {d}" for d in first.diagnoses]
            if not first.diagnoses and not _self_explaining(first):
                lines.append("    looks like: no known pattern; compare your code with the formula, step by step")
        if self.pattern:
            lines.append(f"  {self.pattern}")
        first_problem = failures[0].problems[:1] if failures else []
        same = [o for o in failures[1:] if o.problems[:1] == first_problem]
        different = [o for o in failures[1:] if o.problems[:1] != first_problem]
        more = self._tells_more()
        if more is not None:  # a case that fails otherwise names a mistake of its own: say it here too
            other, diagnosis = more
            lines.append(f"  case {other.label!r} tells more: {other.problems[0]}")
            lines.append(f"    looks like: {diagnosis}")
            different.remove(other)
        if same:
            lines.append(f"  {len(same)} more case{'s' if len(same) > 1 else ''} failed the same way")
        for other in different[:MAX_OTHER_FAILURES]:
            lines.append(f"  also failed: case {other.label!r}: {other.problems[0] if other.problems else 'wrong'}")
        if len(different) > MAX_OTHER_FAILURES:
            lines.append(f"  ... and {len(different) - MAX_OTHER_FAILURES} more failing cases")
        lines += [f"  note: {note}" for note in self.notes]
        if self.printed:
            shown = self.printed[0] if len(self.printed[0]) <= 60 else self.printed[0][:57] + "..."
            lines.append(
                f"  your code printed {len(self.printed)} lines during the check (hidden); the first: {shown!r}"
            )
        lines.append(f'  hints: exercises.hint("{self.name}")')
        lines.append(
            f'  to continue with the reference implementation: {self.name} = exercises.reference("{self.name}")'
        )
        return lines

    def named_mistake(self) -> str | None:
        """The first sentence of the text that names a mistake (a ``Named`` problem or diagnosis:
        what the code does wrong, not only where the numbers differ), or None."""
        failures = self.failures
        if not failures:
            return None
        first = failures[0]
        for sentence in (*first.problems, *first.diagnoses):
            if isinstance(sentence, Named):
                return sentence
        more = self._tells_more()
        return more[1] if more is not None else None

    def _tells_more(self) -> tuple | None:
        """(outcome, diagnosis): a failing case other than the first, failing otherwise, whose diagnosis
        names a mistake the first case's diagnoses do not."""
        failures = self.failures
        if len(failures) < 2:
            return None
        first = failures[0]
        for outcome in failures[1:]:
            if outcome.problems[:1] == first.problems[:1] or not outcome.problems:
                continue
            for diagnosis in outcome.diagnoses:
                if isinstance(diagnosis, Named) and diagnosis not in first.diagnoses:
                    return outcome, diagnosis
        return None

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.passed else "#57606a" if self.unwritten else "#cf222e"
        return verdict_html(self.lines(), color)

    def plot(self):
        """Heat map of the relative error of the first wrong output (a Figure), or None if there is none.

        Created under ``plt.ioff()``: it shows when it is a cell's last value or on ``plt.show()``.
        """
        for outcome in self.failures:
            if outcome.comparison is None:
                continue
            name, yours, expected = outcome.comparison
            import matplotlib.pyplot as plt

            from cnnlab.exercises import catalog

            axes = catalog.get(self.name).axes.get(name, ())
            letters = tuple(axes[:2]) if len(axes) == 4 else ("n", "c")  # (n, f) for a convolution's out
            with plt.ioff():
                fig, ax = plt.subplots(figsize=(8, 3.5))
            title = f"{self.name}, case {outcome.label!r}: where {name} is wrong"
            draw_error_map(ax, yours, expected, title=title, letters=letters)
            fig.tight_layout()
            return fig
        return None


# The verdict as HTML: one block per line, so a long line wraps at its spaces (never inside a
# word, as a <pre> does in JupyterLab's output area) and its continuation lines hang under it,
# indented further than the line itself. The line's own indentation becomes a left padding in
# ch (character widths of the monospace font), so it survives the wrap too. A word longer than
# the whole output (a long call) scrolls sideways instead of being cut.
_VERDICT_STYLE = (
    "font-family:var(--jp-code-font-family,SFMono-Regular,Menlo,Consolas,monospace);"
    "font-size:var(--jp-code-font-size,13px);line-height:1.45;overflow-x:auto;max-width:100%"
)
_LINE_STYLE = (
    "white-space:pre-wrap;overflow-wrap:normal;word-break:normal;margin:0;padding-left:{pad}ch;text-indent:-{hang}ch"
)
HANG = 4  # continuation lines of a wrapped line are indented this many characters more than the line


def verdict_html(lines, color: str) -> str:
    """The lines of a verdict as HTML blocks: the first bold in ``color``, each wrapping only at spaces.

    A line's leading spaces are its indentation: its first row starts that many characters in,
    its continuation rows ``HANG`` characters further. The text is the same as ``lines``.
    """
    blocks = []
    for k, line in enumerate(lines):
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        style = _LINE_STYLE.format(pad=indent + HANG, hang=HANG)
        content = html.escape(body) if body else "&nbsp;"
        if k == 0:
            content = f"<span style='color:{color};font-weight:bold'>{content}</span>"
        blocks.append(f"<div class='cnnlab-line' style='{style}'>{content}</div>")
    return f"<div class='cnnlab-verdict' style='{_VERDICT_STYLE}'>\n" + "\n".join(blocks) + "\n</div>"


def _self_explaining(outcome: Outcome) -> bool:
    """True if the problem needs no diagnosis (a crash, a wrong type: the problem says it all)."""
    return outcome.comparison is None


@dataclass
class Hint:
    """One hint, shown as text (also in a notebook)."""

    name: str
    level: int
    count: int
    text: str
    last_words: str = ""

    def __str__(self) -> str:
        head = f"Hint {self.level} of {self.count} for {self.name}:"
        return "\n".join([head, *("  " + line for line in self.text.splitlines()), *self.last_words.splitlines()])

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def array_text(value) -> str:
    """Short deterministic description of a value for a problem line."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a {type(value).__name__}"
