"""Progressive hints for each exercise: from where to start to nearly the answer.

Written for someone who knows fully connected networks and backpropagation, but not yet
convolutions. The hints themselves are in each exercise's entry (its family module);
``give(name)`` returns the next one. Which hint comes next is remembered for the session
(per exercise), nothing else is.
"""

from __future__ import annotations

from cnnlab.exercises import catalog
from cnnlab.exercises.results import Hint

__all__ = ["HINTS", "give"]

HINTS = {exercise.name: list(exercise.hints) for exercise in catalog.EXERCISES}

_shown: dict = {}


def give(name: str, level: int | None = None) -> Hint:
    """Hint ``level`` (1-based) for ``name``, or the one after the last one given."""
    texts = HINTS[name]
    if level is None:
        level = min(_shown.get(name, 0) + 1, len(texts))
    else:
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= len(texts):
            raise ValueError(f"level must be an integer from 1 to {len(texts)} for {name!r}, got {level!r}")
    _shown[name] = max(_shown.get(name, 0), level)
    last_words = ""
    if level == len(texts):
        last_words = (
            f"(That was the last hint. To go on with the reference implementation: "
            f'{name} = exercises.reference("{name}"); to read it: exercises.solution("{name}"))'
        )
    return Hint(name, level, len(texts), texts[level - 1], last_words)
