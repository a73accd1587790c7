"""Checking a student's function against an exercise, case by case.

For every case: build the arguments, compute the right answer with the reference, give the
student's function a copy (``calling``), and compare what comes back (``compare``). Any way
the call can go wrong (an exception, the wrong number or kind of return values, a wrong
shape or dtype, NaN, changing the arguments in place, running out of time) becomes a failed
case that says so. A failed case is then diagnosed (``diagnosis``): first against the
exercise's known mistakes, then by the pattern of its errors.

A loss exercise (a whole network, ``f(params, X, y=None, reg=0.0)``) is called twice per
case: without labels for the scores, with labels for ``(loss, grads)``. Scores, loss and
every gradient are compared with the reference's, and the gradients with numerical
gradients of the student's own loss (``numerical``), so that a loss that is wrong and
gradients that are wrong can be told apart.

A backward exercise runs the student's forward (or the reference forward) to get a cache,
then the student's backward on it. Its gradients are compared with the reference
gradients, and with numerical gradients of the student's own forward at a sample of
elements: when backward and forward agree with each other but not with the reference, the
forward is the problem, and the result says so.

Thresholds (relative errors, see ``cnnlab.gradcheck``):
- ``REFERENCE_THRESHOLD`` = 1e-7 against the reference (see ``compare``);
- ``gradcheck.THRESHOLD`` = 1e-6 against numerical gradients (centered differences, h=1e-5).
"""

from __future__ import annotations

import copy

import numpy as np

from cnnlab.exercises import calling, catalog, compare, diagnose, diagnosis, numerical, running
from cnnlab.exercises.compare import REFERENCE_THRESHOLD
from cnnlab.exercises.diagnose import Named
from cnnlab.exercises.exercise import Exercise
from cnnlab.exercises.numerical import NUMERICAL_SAMPLE
from cnnlab.exercises.results import CheckResult, Outcome

__all__ = ["REFERENCE_THRESHOLD", "DEFAULT_TIME_LIMIT", "NUMERICAL_SAMPLE", "run", "not_found"]

DEFAULT_TIME_LIMIT = 20.0  # seconds for a whole check (all cases); None: no limit


def run(exercise: Exercise, fn, forward=None, time_limit=DEFAULT_TIME_LIMIT) -> CheckResult:
    """Check ``fn`` (and, for a backward exercise, ``forward``) on every case of the exercise."""
    cases = exercise.cases()
    threshold = None if exercise.exact else compare.REFERENCE_THRESHOLD
    result = CheckResult(exercise.name, total=len(cases), threshold=threshold)
    result.reference_used = fn is exercise.reference or (
        not isinstance(fn, running.Elsewhere) and str(getattr(fn, "__module__", "")).startswith("cnnlab.")
    )
    problem = calling.not_a_function("your function", fn, f'exercises.check("{exercise.name}", {exercise.name})')
    if forward is not None and not problem:
        usage = f'exercises.check("{exercise.name}", {exercise.name}, forward={exercise.forward})'
        problem = calling.not_a_function("forward", forward, usage)
    if problem:
        result.stopped = problem
        return result
    current = None
    watched = {} if result.reference_used or isinstance(fn, running.Elsewhere) else calling.answer_key_code(exercise)
    with calling.watch(watched) as hits:
        try:
            with running.quiet(result.printed), running.time_limit(time_limit) as timed:
                result.timed = timed
                for case in cases:
                    current = case
                    result.outcomes.append(_check_case(exercise, case, fn, forward))
        except running.TimeLimitExceeded:
            where = f" (during case {current.label!r})" if current is not None else ""
            result.stopped = f"time limit of {time_limit:g} s exceeded{where}"
            result.notes.append(
                "look for a loop that runs far more often than it should (or an endless one); if your code is "
                f'just slow, allow more time: exercises.check("{exercise.name}", ..., time_limit=60)'
            )
    diagnosis.summarize(result, exercise)
    if hits:
        calling.disguised(result, exercise, hits)
    return result


def not_found(exercise: Exercise, problem: str, advice: str | None = None, details=()) -> CheckResult:
    """The result of a check that found no function to check: a FAIL that says why (``details``: lines)."""
    result = CheckResult(exercise.name, total=len(exercise.cases()))
    result.stopped = problem
    result.details = list(details)
    if advice:
        result.notes.append(advice)
    return result


def _check_case(exercise, case, fn, forward) -> Outcome:
    outcome = Outcome(case.label, case.describe, case.tags)
    try:
        if exercise.kind == "backward":
            _check_backward(exercise, case, fn, forward, outcome)
        elif exercise.kind == "loss":
            _check_loss(exercise, case, fn, outcome)
        else:
            _check_forward(exercise, case, fn, outcome)
    except Exception as exc:  # noqa: BLE001 - e.g. a returned object whose methods raise: still a verdict
        outcome.fail(f"the check could not finish this case: {running.describe_exception(exc)}")
    return outcome


# ---------------------------------------------------------------------------------------------
# Forward and value exercises


def _check_forward(exercise, case, fn, outcome: Outcome) -> None:
    args = case.build()
    expected = exercise.expected(copy.deepcopy(args))
    given = copy.deepcopy(args)
    call = calling.call_watched(exercise, fn, given, outcome)
    if not call.ok:
        outcome.diagnoses += diagnosis.crash(exercise, call, case)
        return
    values = compare.unpack_forward(exercise, call.value, outcome)
    if values is None:
        return
    if exercise.extras is not None:
        values.update(exercise.extras(given))
    for name in exercise.outputs:
        _compare(exercise, name, values[name], expected[name], args, None, outcome)
    if outcome.passed and exercise.exact and exercise.sizes is not None:  # what this passing case rules out
        outcome.tried[exercise.outputs[0]] = diagnose.size_mistakes_ruled_out(exercise.sizes(args))


# ---------------------------------------------------------------------------------------------
# Loss exercises: a whole network, f(params, X, y=None, reg=0.0)


def _check_loss(exercise, case, fn, outcome: Outcome) -> None:
    args = case.build()
    params, X, y, reg = args
    expected = exercise.expected(copy.deepcopy(args))
    names = list(exercise.inputs)

    # 1. scores: called without labels
    given = copy.deepcopy((params, X))
    call = calling.call_watched(exercise, fn, given, outcome, when="with y=None: ")
    if not call.ok:
        outcome.diagnoses += diagnosis.crash(exercise, call, case)
        return
    if isinstance(call.value, (tuple, list)):
        outcome.fail(
            Named(
                f"with y=None it returned {len(call.value)} values; when y is None, return the scores (N, K) "
                "only (test time: no labels, so no loss)"
            )
        )
    else:
        _compare(exercise, "scores", call.value, expected["scores"], args, None, outcome)

    # 2. loss and gradients: called with labels and reg
    given = copy.deepcopy(args)
    call = calling.call_watched(exercise, fn, given, outcome, when="with y given: ")
    if not call.ok:
        outcome.diagnoses += diagnosis.crash(exercise, call, case)
        return
    unpacked = compare.unpack_loss(call.value, expected["scores"].shape, names, outcome)
    if unpacked is None:
        return
    loss, grads = unpacked
    wrong_before = len(outcome.problems)
    _compare_loss(exercise, loss, expected["loss"], args, outcome)
    loss_right = len(outcome.problems) == wrong_before
    for name in names:
        if name in grads:
            key = f"grads['{name}']"
            _compare(exercise, key, grads[name], expected[key], args, None, outcome)
    if outcome.passed or not case.numerical:
        return

    # 3. the gradients against the numerical gradient of the student's own loss
    agreement = numerical.loss_agreement(fn, args, grads, expected, names)
    if not agreement:
        return
    if not loss_right and all(agreement.values()) and len(agreement) == len(names):
        outcome.diagnoses.insert(
            0,
            "your gradients are the exact gradients of your loss (they agree numerically), but your loss does "
            "not match the reference: the mistake is in the loss, and the gradients follow it",
        )
    elif not all(agreement.values()):
        bad = ", ".join(f"grads['{name}']" for name, ok in agreement.items() if not ok)
        outcome.diagnoses.append(
            f"the numerical gradient of your own loss disagrees with your {bad}: these gradients are not the "
            "derivatives of the loss you return"
        )


# ---------------------------------------------------------------------------------------------
# Backward exercises


def _check_backward(exercise, case, fn, forward, outcome: Outcome) -> None:
    forward_exercise = catalog.get(exercise.forward)
    args = case.build()
    expected_out = forward_exercise.expected(copy.deepcopy(args))["out"]
    dout = np.random.default_rng([len(case.label), sum(map(ord, case.label))]).standard_normal(expected_out.shape)
    expected = exercise.expected(copy.deepcopy(args), dout.copy())

    # 1. the forward pass (the student's, or the reference), for its cache
    run_forward = forward if forward is not None else forward_exercise.reference
    given = copy.deepcopy(args)
    before = [running.snapshot(a) for a in given]
    call = running.call(run_forward, *given)
    if forward is not None and call.unwritten:  # a backward may come first: check it on cnnlab's cache
        outcome.notes.append(
            f"your {forward_exercise.name} is not written yet, so your backward was checked on the cache of "
            f"cnnlab's {forward_exercise.name}"
        )
        forward = None
        run_forward, given = forward_exercise.reference, copy.deepcopy(args)
        call = running.call(run_forward, *given)
    if not call.ok:
        outcome.fail(f'your forward {call.error}; fix it first, with exercises.check("{forward_exercise.name}")')
        outcome.diagnoses += diagnosis.crash(forward_exercise, call, case)
        return
    if forward is not None:
        calling.report_changes(forward_exercise, before, given, outcome, by="your forward")
        values = compare.unpack_forward(forward_exercise, call.value, Outcome("", "", ()))
        if values is None:
            check = f'exercises.check("{forward_exercise.name}")'
            outcome.fail(Named(f"your forward does not return (out, cache); check it with {check}"))
            return
    out, cache = call.value

    # 2. the backward pass on that cache
    cache_before = running.snapshot(cache)
    dout_given = dout.copy()
    call = calling.student_call(fn, dout_given, cache)
    if not call.ok:
        outcome.unwritten = call.unwritten
        problem = calling.call_problem(exercise, call, (dout_given, cache), fn)
        if forward is None:
            problem += (
                f"; it was given the cache of cnnlab's reference {forward_exercise.name}; if your forward "
                f'makes another kind of cache, pass it too: exercises.check("{exercise.name}", '
                f"{exercise.name}, forward={forward_exercise.name})"
            )
        outcome.fail(problem)
        outcome.diagnoses += diagnosis.crash(exercise, call, case)
        return
    for change in running.changes("dout", dout, dout_given):
        outcome.fail(Named(f"your backward changed its input: {change}; compute new arrays instead of modifying dout"))
    for change in running.changes("cache", cache_before, cache):
        outcome.fail(
            Named(f"your backward changed the cache it was given ({change}); a second call would give other gradients")
        )
    grads = compare.unpack_backward(exercise, call.value, expected, outcome)
    if grads is None:
        return

    # 3. compare with the reference, then with the numerical gradient of the forward
    wrong_before = len(outcome.problems)
    for name in exercise.outputs:
        _compare(exercise, name, grads[name], expected[name], args, dout, outcome)
    if forward is None or not case.numerical:
        return
    forward_out = compare.as_float_array(out)
    forward_right = forward_out is not None and diagnose.matches(forward_out, expected_out, compare.REFERENCE_THRESHOLD)
    agreement = numerical.forward_agreement(exercise, forward, args, dout, grads, expected)
    if outcome.passed:
        if not forward_right or not all(agreement.values()):
            outcome.notes.append(
                "your forward does not match the reference, though your backward does; check it with "
                f'exercises.check("{forward_exercise.name}")'
            )
        return
    if len(outcome.problems) > wrong_before and not forward_right and agreement and all(agreement.values()):
        outcome.diagnoses.insert(
            0,
            Named(
                "your backward is the exact gradient of your forward (they agree numerically), but your forward "
                f'does not match the reference: fix the forward first, exercises.check("{forward_exercise.name}", '
                "...)"
            ),
        )
        if forward_out is not None and forward_out.shape == expected_out.shape:
            wrong = diagnose.wrong_mask(forward_out, expected_out, compare.REFERENCE_THRESHOLD)
            found = diagnosis.output(forward_exercise, "out", forward_out, expected_out, args, None, wrong)
            outcome.diagnoses += [type(sentence)(f"your forward: {sentence}") for sentence in found[:1]]  # Named stays
    elif agreement and not all(agreement.values()):
        bad = ", ".join(name for name, ok in agreement.items() if not ok)
        outcome.details[-1].append(f"the numerical gradient of your forward disagrees with your {bad} too")


# ---------------------------------------------------------------------------------------------
# One output: compare, and on a difference fail the case and diagnose


def _compare(exercise, name, value, expected, args, dout, outcome: Outcome) -> None:
    """Compare one returned value with the right one; on a difference, fail the case and diagnose."""
    if exercise.exact:
        problem = compare.exact(value, expected)
        if problem:
            outcome.fail(problem)
            if compare.is_int(value):  # a whole number, the wrong one: which term of the formula?
                outcome.candidates[name] = diagnosis.size(exercise, value, args)
        return
    yours, problem = compare.array(name, value, np.asarray(expected), exercise.unstored.get(name))
    if problem:
        outcome.fail(problem)
        if yours is not None:
            tried = outcome.tried.setdefault(name, set())
            outcome.candidates[name] = diagnosis.output(
                exercise, name, yours, np.asarray(expected), args, dout, tried=tried
            )
        return
    expected = np.asarray(expected, dtype=np.float64)
    wrong = diagnose.wrong_mask(yours, expected, REFERENCE_THRESHOLD)
    if not wrong.any():
        return
    outcome.fail(*compare.wrong_text(name, yours, expected, wrong))
    tried = outcome.tried.setdefault(name, set())
    outcome.candidates[name] = diagnosis.output(exercise, name, yours, expected, args, dout, wrong, tried=tried)
    if outcome.comparison is None:
        outcome.comparison = (name, yours, expected)


def _compare_loss(exercise, value, expected: float, args, outcome: Outcome) -> None:
    """The loss must be one real number equal to the reference's; a wrong number is diagnosed."""
    found = compare.loss(value, expected)
    if found is None:
        return
    problem, details, yours = found
    outcome.fail(problem, details)
    if yours is not None:
        outcome.candidates["loss"] = diagnosis.loss(exercise, yours, expected, args)
