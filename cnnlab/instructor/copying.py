"""Submissions whose exercise code copies cnnlab's own answer, for the instructor to review.

The grading sandbox keeps cnnlab's answer key out of reach while a notebook runs; this
looks for the other way round: the answer pasted into the notebook beforehand (from
``cnnlab/layers``, ``exercises.solution`` or the instructor's sources). The student's own
lines (the exercise cell without the lines of the template handed out) are compared
token by token, comments and docstrings left out, with the source of every function in
the exercise's answer key. Code counts as copied when at least ``SHARE`` of its tokens
lie in runs of ``RUN`` or more tokens that the reference has too, in the same order: the
formulas a lesson shows (a ``slice(...)`` line, say) are far shorter than that, and
honest solutions, even ones that look like the reference, share no long runs with it
(on the corpus of student implementations in ``tests/student_impls.py`` the largest
share is below 0.5; the reference pasted in scores 1).
A match is a note for the instructor, not a grade.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import hashlib
import importlib
import inspect
import io
import keyword
import tokenize

__all__ = ["copied_reference", "fingerprint", "SHARE", "RUN", "MIN_TOKENS"]

SHARE = 0.9  # of the student's tokens in long common runs
RUN = 12  # tokens: shorter common runs are formulas the lessons show
MIN_TOKENS = 50  # code shorter than this is not judged (a one-line formula)


def copied_reference(name: str, cells: str, template: str = "", solution: str = "") -> str | None:
    """A note if the code of exercise ``name`` in ``cells`` copies cnnlab's answer, else None.

    ``template``: the exercise cell as handed out (its lines are not the student's);
    ``solution``: the instructor's solution, if the source has one (compared too).
    """
    own = _own_lines(cells, template)
    tokens = _tokens(own)
    if len(tokens) < MIN_TOKENS:
        return None
    best, where = 0.0, ""
    answers = list(_answers(name)) + ([("instructor's solution", solution)] if solution.strip() else [])
    for label, source in answers:
        share = _shared(tokens, _tokens(source))
        if share > best:
            best, where = share, label
    if best < SHARE:
        return None
    origin = where if where == "instructor's solution" else f"cnnlab's {where}"
    return f"{name}: {best:.0%} of its code is the same as {origin} (copied? review it)"


def fingerprint(cells: str, template: str = "") -> dict | None:
    """What ``cnnlab report`` compares to find the same code in two submissions, or None if too short.

    The student's own lines of an exercise (``cells`` without the lines of ``template``) as
    digests of their tokens without comments, docstrings or layout: ``exact``, and
    ``renamed`` with every variable named by its first appearance (``a, b`` for ``x, y``).
    Code of fewer than ``MIN_TOKENS`` tokens gives None: a one-line formula is written
    alike by many students.
    """
    tokens = _tokens(_own_lines(cells, template))
    if len(tokens) < MIN_TOKENS:
        return None
    names: dict = {}
    renamed = []
    for before, token in zip([""] + tokens, tokens):
        variable = token.isidentifier() and not keyword.iskeyword(token) and not hasattr(builtins, token)
        if variable and before != ".":
            token = names.setdefault(token, f"v{len(names)}")
        renamed.append(token)
    return {"exact": _digest(tokens), "renamed": _digest(renamed), "tokens": len(tokens)}


def _digest(tokens: list) -> str:
    return hashlib.sha256("\x00".join(tokens).encode("utf-8")).hexdigest()[:32]


def _own_lines(cells: str, template: str) -> str:
    """The lines of ``cells`` that are not in ``template`` (all of them without a template)."""
    if not template:
        return cells
    given = set(line.strip() for line in template.splitlines())
    return "\n".join(line for line in cells.splitlines() if line.strip() not in given or not line.strip())


def _answers(name: str):
    """``(label, source)`` of cnnlab's reference for exercise ``name`` and of its answer key."""
    from cnnlab.exercises import catalog

    exercise = catalog.get(name)
    seen = set()
    functions = [exercise.reference]
    for entry in exercise.answer_key:
        module_name, qualified = entry.split(":")
        module = importlib.import_module(module_name)
        if qualified == "*":
            functions += [f for f in vars(module).values() if inspect.isfunction(f) and f.__module__ == module_name]
            continue
        target = module
        for part in qualified.split("."):
            target = getattr(target, part, None)
        if target is not None:
            functions.append(target)
    for function in functions:
        if function in seen:
            continue
        seen.add(function)
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            continue
        yield f"{function.__module__}.{function.__qualname__}", source


def _tokens(source: str) -> list:
    """The code tokens of ``source``: no comments, docstrings, blank lines or indentation."""
    docstrings = _docstring_lines(source)
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                continue
            if token.type == tokenize.STRING and token.start[0] in docstrings:
                continue
            if token.type == tokenize.ENDMARKER:
                break
            found.append(token.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


def _docstring_lines(source: str) -> set:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    lines = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                lines.add(value.lineno)
    return lines


def _shared(tokens: list, reference: list) -> float:
    """The share of ``tokens`` in runs of at least RUN tokens that ``reference`` has in the same order."""
    if not tokens or not reference:
        return 0.0
    matcher = difflib.SequenceMatcher(None, tokens, reference, autojunk=False)
    common = sum(block.size for block in matcher.get_matching_blocks() if block.size >= RUN)
    return common / len(tokens)
