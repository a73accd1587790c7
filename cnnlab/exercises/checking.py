"""Checking a student's function against an exercise, case by case.

For every case: build the arguments, compute the right answer with the reference, give the
student's function a copy, and compare what comes back. Any way the call can go wrong (an
exception, the wrong number or kind of return values, a wrong shape or dtype, NaN, changing
the arguments in place, running out of time) becomes a failed case that says so. A failed
case is then diagnosed: first against the exercise's known mistakes, then by the pattern
of its errors.

A loss exercise (a whole network, ``f(params, X, y=None, reg=0.0)``) is called twice per
case: without labels for the scores, with labels for ``(loss, grads)``. Scores, loss and
every gradient are compared with the reference's, and the gradients with numerical
gradients of the student's own loss at a sample of elements of each parameter
(``LOSS_NUMERICAL_SAMPLE``), so that a loss that is wrong and gradients that are wrong
can be told apart.

A backward exercise runs the student's forward (or the reference forward) to get a cache,
then the student's backward on it. Its gradients are compared with the reference
gradients, and with numerical gradients of the student's own forward at a sample of
elements: when backward and forward agree with each other but not with the reference, the
forward is the problem, and the result says so.

Thresholds (relative errors, see ``cnnlab.gradcheck``):
- ``REFERENCE_THRESHOLD`` = 1e-7 against the reference. A correct float64 implementation,
  however it orders its sums, differs from the reference by rounding only (about 1e-13 on
  every case here), so every correct answer passes and the verdict text is the same.
- ``gradcheck.THRESHOLD`` = 1e-6 against numerical gradients (centered differences, h=1e-5).
"""

from __future__ import annotations

import copy
import sys

import numpy as np

from cnnlab import gradcheck
from cnnlab.exercises import catalog, diagnose, mistakes, running
from cnnlab.exercises.results import CheckResult, Outcome, array_text

__all__ = ["REFERENCE_THRESHOLD", "DEFAULT_TIME_LIMIT", "NUMERICAL_SAMPLE", "run", "not_found"]

REFERENCE_THRESHOLD = 1e-7
DEFAULT_TIME_LIMIT = 20.0  # seconds for a whole check (all cases); None: no limit
LOSS_NUMERICAL_SAMPLE = 6  # elements per parameter for a loss exercise (plus the 3 most disputed)
NUMERICAL_SAMPLE = 12  # elements per input whose numerical gradient is computed (plus the most disputed)
WORST_SHOWN = 3
MAX_DIAGNOSES = 2  # per output
OPTIONAL_KEYS = {  # keys a parameter dict may leave out, with the default to use
    "eps": "1e-5",
    "momentum": "0.9",
    "running_mean": "np.zeros(C)",
    "running_var": "np.ones(C)",
    "dilation": "1",
}
PAIR_ADVICE = (
    "this case gives the stride or the padding as an (h, w) pair, e.g. stride=(1, 2); cnnlab.shapes.check_pair "
    "(or check_conv_inputs, check_pool_inputs) turns an int or a pair into a pair"
)


class Named(str):
    """A diagnosis that names a known mistake (recomputed, or a term of the size formula), not a pattern."""


def run(exercise: catalog.Exercise, fn, forward=None, time_limit=DEFAULT_TIME_LIMIT) -> CheckResult:
    """Check ``fn`` (and, for a backward exercise, ``forward``) on every case of the exercise."""
    cases = exercise.cases()
    threshold = None if exercise.exact else REFERENCE_THRESHOLD
    result = CheckResult(exercise.name, total=len(cases), threshold=threshold)
    result.reference_used = fn is exercise.reference or (
        not isinstance(fn, running.Elsewhere) and str(getattr(fn, "__module__", "")).startswith("cnnlab.")
    )
    problem = _not_a_function("your function", fn, f'exercises.check("{exercise.name}", {exercise.name})')
    if forward is not None and not problem:
        usage = f'exercises.check("{exercise.name}", {exercise.name}, forward={exercise.forward})'
        problem = _not_a_function("forward", forward, usage)
    if problem:
        result.stopped = problem
        return result
    current = None
    watched = {} if result.reference_used or isinstance(fn, running.Elsewhere) else answer_key_code(exercise)
    _WATCH["codes"], _WATCH["hits"] = watched, set()
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
    finally:
        hits, _WATCH["codes"], _WATCH["hits"] = sorted(_WATCH["hits"]), {}, set()
    _summarize(result)
    if hits:
        _disguised(result, exercise, hits)
    return result


# ---------------------------------------------------------------------------------------------
# A function that calls cnnlab's answer: grading hides it (cnnlab.instructor), so it will not count

_WATCH: dict = {"codes": {}, "hits": set()}  # while a check runs: code objects of the answer key -> name


def answer_key_code(exercise: catalog.Exercise) -> dict:
    """{code object: "module.function"} of what grading hides for ``exercise`` (its answer key)."""
    import importlib
    import inspect

    found = {}
    for module_name, names in catalog.answer_key([exercise.name]).items():
        module = importlib.import_module(module_name)
        if "*" in names:
            for attr, value in vars(module).items():
                if inspect.isfunction(value) and value.__module__ == module_name:
                    found[value.__code__] = f"{module_name}.{attr}"
        for name in sorted(names - {"*"}):
            value = module
            for part in name.split("."):
                value = getattr(value, part)
            found[value.__code__] = f"{module_name}.{name}"
    if found and getattr(exercise.reference, "__code__", None) is not None:
        found[exercise.reference.__code__] = f"{exercise.reference.__module__}.{exercise.reference.__name__}"
    return found


def _student_call(fn, *args) -> running.Call:
    """running.call(fn, *args), noting every function of the answer key that runs inside it."""
    codes = _WATCH["codes"]
    if not codes:
        return running.call(fn, *args)
    hits = _WATCH["hits"]

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes and frame.f_back.f_code not in codes:
            hits.add(codes[frame.f_code])  # the outermost: a helper of the reference is not named

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        return running.call(fn, *args)
    finally:
        sys.setprofile(previous)


def _disguised(result: CheckResult, exercise: catalog.Exercise, hits: list) -> None:
    """The verdict on a function that runs cnnlab's answer: what it calls, and that grading will not count it."""
    right = f"{result.cases_passed}/{result.total}"
    names = ", ".join(hits[:3]) + (f" and {len(hits) - 3} more" if len(hits) > 3 else "")
    if not result.passed:  # it fails anyway: its own verdict says more; the call is a note
        result.notes.insert(0, f"your function calls cnnlab's reference {names}; grading will not count it")
        return
    result.outcomes = []
    result.pattern = None
    result.stopped = f"your function calls cnnlab's reference {names}; grading will not count it"
    result.notes[:0] = [
        f"its results matched on {right} cases, but grading hides cnnlab's answer to {exercise.name} (the call "
        "raises AnswerKeyHiddenError there), so grading will not count this function: write the computation "
        f'yourself (exercises.hint("{exercise.name}") helps)'
    ]


def not_found(exercise: catalog.Exercise, problem: str, advice: str | None = None, details=()) -> CheckResult:
    """The result of a check that found no function to check: a FAIL that says why (``details``: lines)."""
    result = CheckResult(exercise.name, total=len(exercise.cases()))
    result.stopped = problem
    result.details = list(details)
    if advice:
        result.notes.append(advice)
    return result


def _not_a_function(what: str, value, usage: str) -> str | None:
    if callable(value):
        return None
    called = "; pass the function itself, without calling it" if isinstance(value, tuple) else ""
    return f"{what} is {array_text(value)}, not a function{called}: {usage}"


def _summarize(result: CheckResult) -> None:
    """Cross-case pattern, diagnoses that fit every failing case, and notes (once each)."""
    failures = result.failures
    passed = [o.tags for o in result.outcomes if o.passed]
    result.pattern = diagnose.case_pattern([o.tags for o in failures], passed)
    for outcome in failures:
        for name, sentences in outcome.candidates.items():
            others = [o.candidates[name] for o in failures if o.candidates.get(name)]
            common = [s for s in sentences if all(s in other for other in others)]
            outcome.diagnoses += [s for s in (common or sentences)[:MAX_DIAGNOSES] if s not in outcome.diagnoses]
    tags = diagnose.pattern_tags([o.tags for o in failures], passed)
    advice = [mistakes.CASE_TAGS[t] for t in tags if t in mistakes.CASE_TAGS]
    if failures and advice and not any(isinstance(d, Named) for d in failures[0].diagnoses):
        # no known mistake fits, but which cases fail says where it is: lead with that
        where = " or ".join(f"with {t}" for t in tags) if len(tags) == 2 else f"with {tags[0]}"
        failures[0].diagnoses.insert(0, f"only the cases {where} fail: look at {advice[0]}")
    for outcome in result.outcomes:
        for note in outcome.notes:
            if note not in result.notes:
                result.notes.append(note)


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
    call = _call_watched(exercise, fn, given, args, outcome)
    if not call.ok:
        outcome.diagnoses += _crash_advice(call, case)
        return
    values = _unpack_forward(exercise, call.value, outcome)
    if values is None:
        return
    if exercise.extras is not None:
        values.update(exercise.extras(given))
    for name in exercise.outputs:
        _compare(exercise, name, values[name], expected[name], args, None, outcome)


def _unpack_forward(exercise, value, outcome: Outcome):
    """{output name: value} from what the function returned, or None after a failed check."""
    if exercise.kind == "value":
        return {exercise.outputs[0]: value}
    if value is None:
        outcome.fail("returned None; a forward pass returns (out, cache): end with `return out, cache`")
        return None
    if isinstance(value, np.ndarray):
        outcome.fail("returned only an array; a forward pass returns two values, (out, cache): `return out, cache`")
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        count = f"{len(value)} values" if isinstance(value, (tuple, list)) else array_text(value)
        outcome.fail(f"returned {count}; a forward pass returns two values, (out, cache)")
        return None
    return {"out": value[0]}


# ---------------------------------------------------------------------------------------------
# Loss exercises: a whole network, f(params, X, y=None, reg=0.0)


def _check_loss(exercise, case, fn, outcome: Outcome) -> None:
    args = case.build()
    params, X, y, reg = args
    expected = exercise.expected(copy.deepcopy(args))
    names = list(exercise.inputs)

    # 1. scores: called without labels
    given = copy.deepcopy((params, X))
    call = _call_watched(exercise, fn, given, args, outcome, when="with y=None: ")
    if not call.ok:
        return
    if isinstance(call.value, (tuple, list)):
        outcome.fail(
            f"with y=None it returned {len(call.value)} values; when y is None, return the scores (N, K) "
            "only (test time: no labels, so no loss)"
        )
    else:
        _compare(exercise, "scores", call.value, expected["scores"], args, None, outcome)

    # 2. loss and gradients: called with labels and reg
    given = copy.deepcopy(args)
    call = _call_watched(exercise, fn, given, args, outcome, when="with y given: ")
    if not call.ok:
        return
    unpacked = _unpack_loss(call.value, expected["scores"].shape, names, outcome)
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
    agreement = _loss_agreement(fn, args, grads, expected, names)
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


def _unpack_loss(value, scores_shape, names, outcome: Outcome):
    """(loss, grads) from what the function returned with labels, or None after a failed check."""
    if isinstance(value, np.ndarray):
        looks = " (the scores, it seems)" if value.shape == scores_shape else ""
        outcome.fail(
            f"with y given it returned {array_text(value)}{looks}; when y is given, return (loss, grads), "
            "not the scores"
        )
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        count = f"{len(value)} values" if isinstance(value, (tuple, list)) else array_text(value)
        outcome.fail(f"with y given it returned {count}; return two values, (loss, grads)")
        return None
    loss, grads = value
    if not isinstance(grads, dict):
        outcome.fail(
            f"grads is {array_text(grads)}; return a dict with one gradient per parameter, under the names of "
            f"params: {', '.join(names)}"
        )
        return None
    missing = [name for name in names if name not in grads]
    extra = [key for key in grads if key not in names]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"grads has no key {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"grads has keys that params does not have: {', '.join(map(repr, extra))}")
        outcome.fail("; ".join(parts))
        if missing and extra:
            outcome.diagnoses.append(
                "the gradients are stored under other names than the parameters'; store each one under its "
                "parameter's name: grads['W1'] is the gradient of the loss with respect to params['W1'], and so on"
            )
        elif missing:
            outcome.diagnoses.append(
                f"every parameter needs its gradient: grads must have the keys of params ({', '.join(names)})"
            )
    return loss, grads


def _compare_loss(exercise, value, expected: float, args, outcome: Outcome) -> None:
    """The loss must be one real number equal to the reference's (relative error < REFERENCE_THRESHOLD)."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        outcome.fail(
            f"loss is {array_text(value)}; return one number, the mean of the per-image losses plus the "
            "regularization term"
        )
        return
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating, np.ndarray)):
        outcome.fail(f"loss is {array_text(value)}; return a number (a float)")
        return
    yours = float(value)
    if not np.isfinite(yours):
        outcome.fail(f"loss is {yours}; look for a log of 0 or an overflow (subtract the max score before exp)")
        return
    error = abs(yours - expected) / max(abs(yours) + abs(expected), np.finfo(np.float64).tiny)
    if error < REFERENCE_THRESHOLD:
        return
    mine, right = gradcheck.format_pair(yours, expected)
    outcome.fail(
        f"loss is wrong (relative error {gradcheck.error_bucket(error, REFERENCE_THRESHOLD)})",
        [f"yours {mine}, expected {right}"],
    )
    found = []
    for output, sentence, other in _mistakes(exercise, args, None):
        if output == "loss" and other is not None and sentence not in found:
            other = float(other)
            if abs(yours - other) <= diagnose.MATCH * (abs(yours) + abs(other)) and other != expected:
                found.append(sentence)
    outcome.candidates["loss"] = [Named(f) for f in found]


def _loss_agreement(fn, args, grads, expected, names) -> dict:
    """{parameter: True if grads[parameter] agrees with the numerical gradient of the student's loss}.

    At a fixed sample of LOSS_NUMERICAL_SAMPLE elements per parameter plus the 3 where the
    student's gradient differs most from the reference. Empty if the loss cannot be
    differentiated numerically (it raised, or returned something that is not a number).
    """
    params, X, y, reg = args
    rng = np.random.default_rng(0)
    h = gradcheck.DEFAULT_STEP
    agreement = {}
    for name in names:
        yours = _as_float_array(grads.get(name))
        key = f"grads['{name}']"
        if yours is None or yours.shape != np.shape(expected[key]) or not np.all(np.isfinite(yours)):
            continue
        flat = rng.choice(yours.size, size=min(LOSS_NUMERICAL_SAMPLE, yours.size), replace=False)
        disputed = [index for index, *_ in gradcheck.worst_entries(yours, expected[key], k=3)]
        sample = [tuple(int(i) for i in np.unravel_index(f, yours.shape)) for f in flat]
        indices = list(dict.fromkeys(disputed + sample))
        numeric = []
        try:
            for index in indices:
                values = []
                for step in (h, -h):
                    trial = {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}
                    trial[name][index] += step
                    values.append(float(fn(trial, X.copy(), y.copy(), reg)[0]))
                numeric.append((values[0] - values[1]) / (2 * h))
        except Exception:  # noqa: BLE001 - the student's loss may fail on perturbed parameters
            return {}
        analytic = np.array([yours[i] for i in indices])
        floor = gradcheck.FLOOR_FRACTION * 2 * float(np.max(np.abs(yours), initial=0.0))
        errors = gradcheck.relative_error_map(analytic, np.array(numeric), floor=floor)
        agreement[name] = bool(np.all(errors < gradcheck.THRESHOLD))
    return agreement


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
        outcome.diagnoses += _crash_advice(call, case)
        return
    if forward is not None:
        _report_changes(forward_exercise, args, before, given, outcome, by="your forward")
        values = _unpack_forward(forward_exercise, call.value, Outcome("", "", ()))
        if values is None:
            check = f'exercises.check("{forward_exercise.name}")'
            outcome.fail(f"your forward does not return (out, cache); check it with {check}")
            return
    out, cache = call.value

    # 2. the backward pass on that cache
    cache_before = running.snapshot(cache)
    dout_given = dout.copy()
    call = _student_call(fn, dout_given, cache)
    if not call.ok:
        outcome.unwritten = call.unwritten
        problem = _call_problem(exercise, call, (dout_given, cache), fn)
        if forward is None:
            problem += (
                f"; it was given the cache of cnnlab's reference {forward_exercise.name}; if your forward "
                f'makes another kind of cache, pass it too: exercises.check("{exercise.name}", '
                f"{exercise.name}, forward={forward_exercise.name})"
            )
        outcome.fail(problem)
        outcome.diagnoses += _crash_advice(call, case)
        return
    for change in running.changes("dout", dout, dout_given):
        outcome.fail(f"your backward changed its input: {change}; compute new arrays instead of modifying dout")
    for change in running.changes("cache", cache_before, cache):
        outcome.fail(
            f"your backward changed the cache it was given ({change}); a second call would give other gradients"
        )
    grads = _unpack_backward(exercise, call.value, expected, outcome)
    if grads is None:
        return

    # 3. compare with the reference, then with the numerical gradient of the forward
    wrong_before = len(outcome.problems)
    for name in exercise.outputs:
        _compare(exercise, name, grads[name], expected[name], args, dout, outcome)
    if forward is None or not case.numerical:
        return
    forward_out = _as_float_array(out)
    forward_right = forward_out is not None and diagnose.matches(forward_out, expected_out, REFERENCE_THRESHOLD)
    agreement = _numerical_agreement(exercise, forward, args, dout, grads, expected)
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
            "your backward is the exact gradient of your forward (they agree numerically), but your forward "
            f'does not match the reference: fix the forward first, exercises.check("{forward_exercise.name}", ...)',
        )
        if forward_out is not None and forward_out.shape == expected_out.shape:
            wrong = diagnose.wrong_mask(forward_out, expected_out, REFERENCE_THRESHOLD)
            found = _diagnose(forward_exercise, "out", forward_out, expected_out, args, None, wrong)
            outcome.diagnoses += [f"your forward: {sentence}" for sentence in found[:1]]
    elif agreement and not all(agreement.values()):
        bad = ", ".join(name for name, ok in agreement.items() if not ok)
        outcome.details[-1].append(f"the numerical gradient of your forward disagrees with your {bad} too")


def _unpack_backward(exercise, value, expected, outcome: Outcome):
    """{gradient name: value} from what the backward returned, or None after a failed check."""
    names = exercise.outputs
    if value is None:
        outcome.fail(f"returned None; return the gradients {_tuple_text(names)}")
        return None
    if len(names) == 1:
        if isinstance(value, (tuple, list)):
            outcome.fail(f"returned a {type(value).__name__} of {len(value)}; return {names[0]} itself, one array")
            return None
        return {names[0]: value}
    if not isinstance(value, (tuple, list)):
        outcome.fail(f"returned {array_text(value)}; return the {len(names)} gradients {_tuple_text(names)}")
        return None
    if len(value) != len(names):
        outcome.fail(f"returned {len(value)} values; return the {len(names)} gradients {_tuple_text(names)}")
        return None
    order = _order_by_shape(value, expected, names)
    if order is not None and list(order) != list(names):
        outcome.fail(
            f"returned the gradients in the order {_tuple_text(order)}; return {_tuple_text(names)}, "
            f"the order of the forward's arguments {_tuple_text(exercise.inputs)}"
        )
        return None
    return dict(zip(names, value))


def _order_by_shape(value, expected, names):
    """The names of the returned gradients, told apart by their shapes (None if ambiguous)."""
    shapes = [tuple(np.shape(v)) if isinstance(v, np.ndarray) else None for v in value]
    order = []
    for shape in shapes:
        fits = [n for n in names if np.shape(expected[n]) == shape]
        if len(fits) != 1:
            return None
        order.append(fits[0])
    return order if len(set(order)) == len(order) else None


def _tuple_text(names) -> str:
    return "(" + ", ".join(names) + ")"


def _numerical_agreement(exercise, forward, args, dout, grads, expected) -> dict:
    """{gradient name: True if it agrees with the numerical gradient of the student's forward}.

    Computed at a fixed random sample of elements of each input, plus the elements where
    the student's gradient differs most from the reference. Empty if the forward cannot be
    differentiated numerically (it raised, or returned something odd).
    """
    agreement = {}
    rng = np.random.default_rng(0)
    for position, grad_name in enumerate(exercise.outputs[: len(exercise.inputs)]):
        yours = _as_float_array(grads[grad_name])
        if yours is None or yours.shape != expected[grad_name].shape:
            continue
        base = [a.copy() if isinstance(a, np.ndarray) else copy.deepcopy(a) for a in args]
        x = base[position]
        if yours.shape != x.shape:
            continue
        indices = _sample_indices(yours, expected[grad_name], rng)

        def output(value, position=position, base=base):
            trial = list(base)
            trial[position] = value
            return forward(*trial)[0]

        try:
            numeric = gradcheck.numerical_gradient_at(output, x, dout, indices)
        except Exception:  # noqa: BLE001 - the student's forward may fail on perturbed inputs
            return {}
        analytic = np.array([yours[i] for i in indices])
        floor = gradcheck.FLOOR_FRACTION * 2 * float(np.max(np.abs(yours), initial=0.0))
        errors = gradcheck.relative_error_map(analytic, numeric, floor=floor)
        agreement[grad_name] = bool(np.all(errors < gradcheck.THRESHOLD))
    return agreement


def _sample_indices(yours, expected, rng) -> list:
    """A fixed sample of NUMERICAL_SAMPLE indices, plus the 5 where yours and expected differ most."""
    flat = rng.choice(yours.size, size=min(NUMERICAL_SAMPLE, yours.size), replace=False)
    disputed = [index for index, *_ in gradcheck.worst_entries(yours, expected, k=5)]
    sample = [tuple(int(i) for i in np.unravel_index(f, yours.shape)) for f in flat]
    return list(dict.fromkeys(disputed + sample))


# ---------------------------------------------------------------------------------------------
# Comparing one output, and saying what is wrong with it


def _compare(exercise, name, value, expected, args, dout, outcome: Outcome) -> None:
    """Compare one returned value with the right one; on a difference, fail the case and diagnose."""
    if exercise.exact:
        _compare_exact(exercise, name, value, expected, args, outcome)
        return
    yours, problem = _check_array(name, value, np.asarray(expected))
    if problem:
        outcome.fail(problem)
        if yours is not None:
            outcome.candidates[name] = _diagnose(exercise, name, yours, np.asarray(expected), args, dout)
        return
    expected = np.asarray(expected, dtype=np.float64)
    wrong = diagnose.wrong_mask(yours, expected, REFERENCE_THRESHOLD)
    if not wrong.any():
        return
    error = float(np.nanmax(gradcheck.relative_error_map(yours, expected)))
    details = [
        f"{diagnose.index_text(name, index)}: yours {mine}, expected {right}"
        for index, mine, right in _most_different(yours, expected, WORST_SHOWN)
    ]
    outcome.fail(
        f"{name} is wrong at {int(wrong.sum())} of {wrong.size} elements "
        f"(max relative error {gradcheck.error_bucket(error, REFERENCE_THRESHOLD)})",
        details,
    )
    outcome.candidates[name] = _diagnose(exercise, name, yours, expected, args, dout, wrong)
    if outcome.comparison is None:
        outcome.comparison = (name, yours, expected)


def _most_different(yours, expected, k):
    """[(index, yours as text, expected as text)] for the k elements with the largest |yours - expected|."""
    order = np.argsort(-np.abs(yours - expected), axis=None, kind="stable")[:k]
    found = []
    for flat in order:
        index = np.unravel_index(flat, yours.shape)
        found.append((index, *gradcheck.format_pair(float(yours[index]), float(expected[index]))))
    return found


def _check_array(name, value, expected):
    """(yours as a float64 copy, problem or None). A wrong shape returns the array with the problem."""
    what = f"{name} (shape {expected.shape})"
    if value is None and name.startswith("running_"):
        stat = "mean" if name == "running_mean" else "variance"
        return None, (
            f"bn_param[{name!r}] was not stored: in train mode, set bn_param[{name!r}] = "
            f"momentum * {name} + (1 - momentum) * (the batch {stat})"
        )
    if value is None:
        return None, f"{what} is None; did the function end without `return`?"
    if not isinstance(value, np.ndarray):
        if isinstance(value, (list, tuple)):
            return None, f"{what} is a {type(value).__name__}; return a numpy array (np.array(...))"
        return None, f"{what} is {array_text(value)}; return a numpy array"
    kind = value.dtype.kind
    if kind in "iub":
        return None, (
            f"{name} has dtype {value.dtype}, so its values are whole numbers; create it as float64 "
            "(np.zeros(shape) is float64, np.zeros_like(an integer array) is not)"
        )
    if kind != "f":
        return None, f"{name} has dtype {value.dtype}; return a float64 array"
    if value.dtype != np.float64:
        return None, (
            f"{name} has dtype {value.dtype}, but the inputs are float64: keep float64 "
            "(look for dtype=np.float32 or .astype)"
        )
    yours = np.array(value, dtype=np.float64, copy=True)
    if yours.shape != expected.shape:
        return yours, f"{name} has shape {yours.shape}, expected {expected.shape}"
    bad = ~np.isfinite(yours)
    if bad.any():
        first = diagnose.index_text(name, np.argwhere(bad)[0])
        kinds = " and ".join(k for k, on in (("NaN", np.isnan(yours).any()), ("inf", np.isinf(yours).any())) if on)
        return None, (
            f"{name} contains {kinds} at {int(bad.sum())} of {bad.size} elements (first at {first}); "
            "look for a division by zero, a sqrt of a negative number, or an array used before it is filled"
        )
    return yours, None


def _compare_exact(exercise, name, value, expected, args, outcome: Outcome) -> None:
    """Integer outputs (an output size): must be an int equal to the right one."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float, np.floating)):
        outcome.fail(f"returned {array_text(value)}; return an int")
        return
    if isinstance(value, (float, np.floating)):
        advice = "use // (floor division), which rounds down" if not float(value).is_integer() else "use //, not /"
        text = diagnose.number(float(value), 6)
        text += ".0" if text.lstrip("-").isdigit() else ""
        outcome.fail(f"returned a float, {text}, expected the int {expected}: {advice}")
        return
    if int(value) != expected:
        outcome.fail(f"returned {int(value)}, expected {expected}")
        outcome.candidates[name] = [Named(t) for t in diagnose.size_mistake((int(value),), exercise.sizes(args))]


def _diagnose(exercise, name, yours, expected, args, dout, wrong=None) -> list:
    """What the mistake in output ``name`` looks like: known mistakes first, then patterns."""
    found = []
    if exercise.mistakes is not None:
        for output, sentence, value in _mistakes(exercise, args, dout):
            if output != name or value is None or sentence in found:
                continue
            value = np.asarray(value, dtype=np.float64)
            if diagnose.matches(yours, value) and not diagnose.matches(expected, value, REFERENCE_THRESHOLD):
                found.append(sentence)
    if found:
        return [Named(f) for f in found]
    axes = exercise.axes.get(name, ())
    if yours.shape != expected.shape:
        if name == "out" and exercise.sizes is not None and yours.ndim == 4 and yours.shape[:2] == expected.shape[:2]:
            found += map(Named, diagnose.size_mistake(yours.shape[2:], exercise.sizes(args), exercise.size_formula))
        found.append(diagnose.permuted_axes(name, yours, expected, axes))
        found.append(diagnose.same_numbers_elsewhere(name, yours, expected))
        return [f for f in found if f]
    regions = exercise.regions(args, name) if exercise.regions is not None else {}
    what = "filter" if "f" in axes else "channel"
    for detector in (
        lambda: diagnose.all_zero(name, yours, expected),
        lambda: diagnose.scaled(name, yours, expected, _known_scales(args)),
        lambda: diagnose.offset_per_channel(name, yours, expected, what) if name == "out" else None,
        lambda: diagnose.offset_per_map(name, yours, expected, axes) if name == "out" else None,
        lambda: diagnose.affine_per_channel(name, yours, expected, what) if yours.ndim == 4 else None,
        lambda: diagnose.only_in_region(name, wrong, regions),
        lambda: diagnose.same_numbers_elsewhere(name, yours, expected),
        lambda: diagnose.localized(name, wrong, axes),
    ):
        sentence = detector()
        if sentence:
            found.append(sentence)
    if not found and wrong is not None:  # the general step: what the numbers show
        found.append(diagnose.describe(name, yours, expected, wrong, axes))
    return [f for f in found if f]


def _mistakes(exercise, args, dout):
    try:
        return exercise.mistakes(copy.deepcopy(args), None if dout is None else dout.copy())
    except Exception:  # noqa: BLE001 - a diagnosis must never turn into a crash of the check
        return []


def _crash_advice(call: running.Call, case) -> list:
    """Advice for a crash that the case explains: an (h, w) pair where an int was expected, or an
    optional parameter (eps, momentum, running statistics) that the case leaves out."""
    exc = call.exception
    if running.raised(exc, TypeError) and "tuple" in str(exc) and any("pair" in t for t in case.tags):
        return [PAIR_ADVICE]
    key = exc.key if isinstance(exc, running.RemoteError) else (exc.args or [None])[0]
    if running.raised(exc, KeyError) and isinstance(key, str) and key in OPTIONAL_KEYS:
        return [f"the parameter dict may leave out {key!r}; read it with .get({key!r}, {OPTIONAL_KEYS[key]})"]
    return []


def _known_scales(args) -> dict:
    """Factors with a meaning for "is exactly k times the right value": 1/N and N."""
    x = args[0]
    if not isinstance(x, np.ndarray) or x.ndim != 4 or x.shape[0] < 2:
        return {}
    N = x.shape[0]
    return {"1/N": (1 / N, f" (N = {N}): an average over the batch where a sum is right"), "N": (N, f" (N = {N})")}


def _as_float_array(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return np.asarray(value, dtype=np.float64)
    return None


# ---------------------------------------------------------------------------------------------
# Problems with the call itself


def _call_watched(exercise, fn, given, args, outcome: Outcome, when: str = "") -> running.Call:
    """fn(*given) through ``running.call``. A failed call fails the case (its words after ``when``);
    a call that changed an argument in place fails it too. Returns the Call."""
    before = [running.snapshot(a) for a in given]
    call = _student_call(fn, *given)
    if not call.ok:
        outcome.unwritten = call.unwritten
        outcome.fail(when + _call_problem(exercise, call, given, fn))
    else:
        _report_changes(exercise, args, before, given, outcome, by="your function")
    return call


def _call_problem(exercise, call: running.Call, given, fn) -> str:
    """A failed call in words, noting when the arguments did not fit the function's parameters."""
    if call.exception is not None and running.raised_at_call(call.exception):
        parameters = running.parameters(fn)
        return (
            f"could not be called as {exercise.signature} ({type(call.exception).__name__}: "
            f"{call.exception}); your function's parameters are {parameters}"
        )
    return call.error


def _report_changes(exercise, args, before, after, outcome: Outcome, by: str) -> None:
    """Fail the case for every argument the function changed in place (running stats excepted)."""
    names = _argument_names(exercise)
    for name, old, new in zip(names, before, after):
        ignore = ("running_mean", "running_var") if name == "bn_param" else ()
        for change in running.changes(name, old, new, ignore):
            outcome.fail(
                f"{by} changed its input: {change}; work on a copy (e.g. x.copy() or np.pad) instead of "
                "modifying what it was given"
            )


def _argument_names(exercise) -> list:
    """Parameter names from the signature text: "f(x, w, b, conv_param) -> ..." -> [x, w, b, conv_param]."""
    inside = exercise.signature.split("(", 1)[1].split(")", 1)[0]
    return [part.split("=")[0].strip() for part in inside.split(",")]
