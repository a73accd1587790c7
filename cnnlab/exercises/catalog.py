"""The registry of the lessons' exercises: every family's entries, in lesson order.

Each family module (``arithmetic``, ``conv``, ``columns``, ``pool``, ``avgpool``,
``batchnorm``, ``groupnorm``, ``convnet``) holds its exercises' entries with their cases, known mistakes
and hints; a new family is one more module and one more line here.
"""

from __future__ import annotations

import difflib

from cnnlab.exercises import arithmetic, avgpool, batchnorm, columns, conv, convnet, groupnorm, pool
from cnnlab.exercises.exercise import Case, Exercise

__all__ = ["Case", "Exercise", "EXERCISES", "get", "answer_key"]

EXERCISES = [
    *arithmetic.EXERCISES,
    *conv.NAIVE,
    *columns.EXERCISES,
    *conv.IM2COL,
    *pool.EXERCISES,
    *avgpool.EXERCISES,
    *batchnorm.EXERCISES,
    *groupnorm.EXERCISES,
    *convnet.EXERCISES,
]

_BY_NAME = {exercise.name: exercise for exercise in EXERCISES}


def get(name: str) -> Exercise:
    """The exercise called ``name``, or a ValueError naming the closest ones."""
    if not isinstance(name, str) or name not in _BY_NAME:
        close = difflib.get_close_matches(str(name), list(_BY_NAME), n=3)
        maybe = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"there is no exercise called {name!r}{maybe} The exercises are: {', '.join(_BY_NAME)}")
    return _BY_NAME[name]


def answer_key(names) -> dict:
    """``{module: {function or Class.method, or "*"}}``: what grading hides for the exercises ``names``."""
    found: dict = {}
    for name in names:
        for entry in get(name).answer_key:
            module, function = entry.split(":")
            found.setdefault(module, set()).add(function)
    return found
