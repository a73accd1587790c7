"""The records an exercise is made of: ``Exercise`` (one per exercise) and ``Case`` (one set of arguments).

Each family module (``arithmetic``, ``conv``, ``columns``, ``pool``, ``batchnorm``,
``groupnorm``, ``convnet``) builds its entries from these; ``catalog`` collects them. What
is particular to a family (the parameter-dict keys that may be left out, the advice for a
crash its cases explain, the arguments its forward is meant to change) is data in its
entries, so the checking engine (``checking`` and the modules it calls) has no special
cases for any family.

Kinds of exercise:
- "value":    the function returns one array or number, compared with the reference's;
- "forward":  ``f(*args) -> (out, cache)``; out is compared (batch norm: the running
              statistics it leaves in bn_param too, see ``extras``);
- "backward": ``f(dout, cache) -> gradients``, cache from the student's forward (or the
              reference forward); compared with the reference gradients and with the
              numerical gradient of the forward;
- "loss":     a whole network's ``f(params, X, y=None, reg=0.0)``: scores when y is None,
              else ``(loss, grads)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cnnlab import cases
from cnnlab.exercises import diagnose

__all__ = ["Case", "Exercise", "CrashAdvice", "case_rng", "mistake", "SHARED_TAGS"]


@dataclass(frozen=True)
class Case:
    """One set of arguments an exercise is checked on.

    ``build()`` makes the positional arguments afresh (same numbers every time); ``tags``
    name the case's notable features, most telling first ("padding", "stride > 1", ...);
    ``numerical`` is False where a numerical gradient is meaningless (ties in max pooling).
    """

    label: str
    describe: str
    build: Callable[[], tuple]
    tags: tuple = ()
    numerical: bool = True


@dataclass(frozen=True, kw_only=True)
class CrashAdvice:
    """Advice for a crash a case explains: an exception of type ``kind`` whose message holds
    ``text``, on a case with a tag that holds ``tag`` (e.g. a TypeError about a tuple where the
    case gives the stride as an (h, w) pair), or, with ``applies``, whose arguments explain it
    (e.g. the shapes a network without conv padding would have)."""

    kind: type
    text: str
    tag: str
    advice: str
    # instead of the tag: applies(args, message) -> True when the case's arguments explain the message
    applies: Callable | None = None


@dataclass(frozen=True, kw_only=True)
class Exercise:
    """One exercise: what the student writes, what it is compared with, and how to diagnose it."""

    name: str
    lesson: int
    kind: str  # "value", "forward", "backward" or "loss"
    params: tuple  # the function's parameter names, in order
    defaults: dict = field(default_factory=dict)  # parameter -> its default, as text ("y": "None")
    returns: str | None = None  # what the signature says it returns; None: from kind and outputs
    reference: Callable  # what exercises.reference(name) gives: the readable implementation
    expected: Callable  # args (or args, dout) -> dict of the right outputs (fast, same numbers)
    cases: Callable[[], list]
    outputs: tuple  # names of the returned values, in order
    axes: dict = field(default_factory=dict)  # output name -> axis letters, for "wrong only at n = 1"
    inputs: tuple = ()  # backward: names of the forward's arguments that get a gradient
    forward: str | None = None  # backward: the matching forward exercise
    mistakes: Callable | None = None  # (args, dout) -> [(output, sentence, array)]
    regions: Callable | None = None  # (args, output) -> {phrase: (mask, advice)}
    extras: Callable | None = None  # forward: (args after the call) -> {output: value} (running stats)
    sizes: Callable | None = None  # args -> [(I, K, S, P, D) per spatial axis] of the output "out"
    exact: bool = False  # compare integers exactly (output sizes)
    size_formula: str = diagnose.SIZE_FORMULA  # the output-size formula the lesson gives, quoted by size mistakes
    # "module:function" (or "module:*", "module:Class.method") of cnnlab's code that computes the
    # answer: the grading sandbox replaces it, so a submission can neither call nor read it there
    answer_key: tuple = ()
    hints: tuple = ()  # from where to start to nearly the answer
    tag_advice: dict = field(default_factory=dict)  # case tag -> where to look when exactly those cases fail
    optional_keys: dict = field(default_factory=dict)  # parameter-dict key that may be left out -> default (text)
    crash_advice: tuple = ()  # CrashAdvice records
    updates: dict = field(default_factory=dict)  # parameter -> the keys of it the function is meant to change
    unstored: dict = field(default_factory=dict)  # output -> what to do when the function left it out (None)

    @property
    def signature(self) -> str:
        """``conv_forward_naive(x, w, b, conv_param) -> (out, cache)``."""
        params = ", ".join(f"{p}={self.defaults[p]}" if p in self.defaults else p for p in self.params)
        return f"{self.name}({params}) -> {self.returns or self._returned()}"

    def _returned(self) -> str:
        if self.kind == "forward":
            return "(out, cache)"
        if len(self.outputs) == 1:
            return self.outputs[0]
        return "(" + ", ".join(self.outputs) + ")"


def case_rng(family: str, index: int) -> np.random.Generator:
    """The generator of case ``index`` of an exercise family: ``cnnlab.cases.rng``, the one
    seeding scheme of every case (fixed, different for every case and family)."""
    return cases.rng(f"{family} #{index}")


def mistake(output: str, sentence: str, compute):
    """(output, sentence, value); value is None when the mistake cannot be formed for this case."""
    try:
        value = compute()
    except (ValueError, IndexError, TypeError, MemoryError):
        value = None
    return output, sentence, value


# Where to look when exactly the cases with a tag fail: the tags several families share
SHARED_TAGS = {
    "a stride that leaves the last rows or columns out": (
        "the output size when the stride does not divide evenly: (size + 2*pad - dilation*(kernel - 1) - 1) "
        "// stride + 1 rounds down, and the last rows or columns no window reaches are left out"
    ),
    "one sample": "a batch of one sample (N = 1): look for an index or a loop bound over the samples",
}
