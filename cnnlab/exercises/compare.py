"""Comparing what the student's function returned with the right values.

First the form: the number and kind of return values, then per value its type, dtype,
shape and finiteness (``array``), then the numbers: relative error against the reference
below ``REFERENCE_THRESHOLD`` (``wrong_text`` says where it is not), an exact int for an
output size (``exact``), one real number for a loss (``loss``). Each function returns the
problem in words (or fails the ``Outcome`` it is given); what the mistake looks like is
for ``diagnosis``.

``REFERENCE_THRESHOLD`` = 1e-7 (relative error against the reference): a correct float64
implementation, however it orders its sums, differs from the reference by rounding only
(about 1e-13 on every case here), so every correct answer passes and the verdict text is
the same.
"""

from __future__ import annotations

import numpy as np

from cnnlab import gradcheck
from cnnlab.exercises import diagnose
from cnnlab.exercises.diagnose import Named
from cnnlab.exercises.results import Outcome, array_text

__all__ = [
    "REFERENCE_THRESHOLD",
    "unpack_forward",
    "unpack_loss",
    "unpack_backward",
    "array",
    "wrong_text",
    "is_int",
    "exact",
    "loss",
    "as_float_array",
]

REFERENCE_THRESHOLD = 1e-7
WORST_SHOWN = 3  # elements listed under a wrong output, the most different first

# ---------------------------------------------------------------------------------------------
# The return values


def unpack_forward(exercise, value, outcome: Outcome):
    """{output name: value} from what the function returned, or None after a failed check."""
    if exercise.kind == "value":
        return {exercise.outputs[0]: value}
    if value is None:
        outcome.fail(Named("returned None; a forward pass returns (out, cache): end with `return out, cache`"))
        return None
    if isinstance(value, np.ndarray):
        outcome.fail(
            Named("returned only an array; a forward pass returns two values, (out, cache): `return out, cache`")
        )
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        count = f"{len(value)} values" if isinstance(value, (tuple, list)) else array_text(value)
        outcome.fail(Named(f"returned {count}; a forward pass returns two values, (out, cache)"))
        return None
    return {exercise.outputs[0]: value[0]}


# ---------------------------------------------------------------------------------------------
# Loss exercises: a whole network, f(params, X, y=None, reg=0.0)


def unpack_loss(value, scores_shape, names, outcome: Outcome):
    """(loss, grads) from what the function returned with labels, or None after a failed check."""
    if isinstance(value, np.ndarray):
        looks = " (the scores, it seems)" if value.shape == scores_shape else ""
        outcome.fail(
            Named(
                f"with y given it returned {array_text(value)}{looks}; when y is given, return (loss, grads), "
                "not the scores"
            )
        )
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        count = f"{len(value)} values" if isinstance(value, (tuple, list)) else array_text(value)
        outcome.fail(Named(f"with y given it returned {count}; return two values, (loss, grads)"))
        return None
    loss, grads = value
    if not isinstance(grads, dict):
        outcome.fail(
            Named(
                f"grads is {array_text(grads)}; return a dict with one gradient per parameter, under the names "
                f"of params: {', '.join(names)}"
            )
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
                diagnose.Named(
                    "the gradients are stored under other names than the parameters'; store each one under its "
                    "parameter's name: grads['W1'] is the gradient of the loss with respect to params['W1'], and so on"
                )
            )
        elif missing:
            outcome.diagnoses.append(
                f"every parameter needs its gradient: grads must have the keys of params ({', '.join(names)})"
            )
    return loss, grads


def unpack_backward(exercise, value, expected, outcome: Outcome):
    """{gradient name: value} from what the backward returned, or None after a failed check."""
    names = exercise.outputs
    if value is None:
        outcome.fail(Named(f"returned None; return the gradients {_tuple_text(names)}"))
        return None
    if len(names) == 1:
        if isinstance(value, (tuple, list)):
            outcome.fail(
                Named(f"returned a {type(value).__name__} of {len(value)}; return {names[0]} itself, one array")
            )
            return None
        return {names[0]: value}
    if not isinstance(value, (tuple, list)):
        outcome.fail(Named(f"returned {array_text(value)}; return the {len(names)} gradients {_tuple_text(names)}"))
        return None
    if len(value) != len(names):
        outcome.fail(Named(f"returned {len(value)} values; return the {len(names)} gradients {_tuple_text(names)}"))
        return None
    order = _order_by_shape(value, expected, names)
    if order is not None and list(order) != list(names):
        outcome.fail(
            Named(
                f"returned the gradients in the order {_tuple_text(order)}; return {_tuple_text(names)}, "
                f"the order of the forward's arguments {_tuple_text(exercise.inputs)}"
            )
        )
        return None
    return dict(zip(names, value))


def _order_by_shape(value, expected, names):
    """The names of the returned gradients, told apart by their shapes (None if ambiguous)."""
    found = [tuple(np.shape(v)) if isinstance(v, np.ndarray) else None for v in value]
    order = []
    for shape in found:
        fits = [n for n in names if np.shape(expected[n]) == shape]
        if len(fits) != 1:
            return None
        order.append(fits[0])
    return order if len(set(order)) == len(order) else None


def _tuple_text(names) -> str:
    return "(" + ", ".join(names) + ")"


# ---------------------------------------------------------------------------------------------
# One value


def array(name, value, expected, unstored: str | None = None):
    """(yours as a float64 copy, problem or None). A wrong shape, NaN or inf returns the array with the problem.

    ``unstored``: what to say if the value is None because the function did not store it
    (the entry's ``unstored``, e.g. batch norm's running statistics).
    """
    what = f"{name} (shape {expected.shape})"
    if value is None and unstored:
        return None, Named(unstored)
    if value is None:
        return None, Named(f"{what} is None; did the function end without `return`?")
    if not isinstance(value, np.ndarray):
        if isinstance(value, (list, tuple)):
            return None, Named(f"{what} is a {type(value).__name__}; return a numpy array (np.array(...))")
        return None, Named(f"{what} is {array_text(value)}; return a numpy array")
    kind = value.dtype.kind
    if kind in "iub":
        return None, Named(
            f"{name} has dtype {value.dtype}, so its values are whole numbers; create it as float64 "
            "(np.zeros(shape) is float64, np.zeros_like(an integer array) is not)"
        )
    if kind != "f":
        return None, Named(f"{name} has dtype {value.dtype}; return a float64 array")
    if value.dtype != np.float64:
        return None, Named(
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
        return yours, (  # yours, for a known mistake that makes the same NaN (a 0/0)
            f"{name} contains {kinds} at {int(bad.sum())} of {bad.size} elements (first at {first}); "
            "look for a division by zero, a sqrt of a negative number, or an array used before it is filled"
        )
    return yours, None


def wrong_text(name: str, yours: np.ndarray, expected: np.ndarray, wrong: np.ndarray):
    """(problem, details) of an output wrong at the elements ``wrong``: how many, how far, the worst ones."""
    error = float(np.nanmax(gradcheck.relative_error_map(yours, expected)))
    details = [
        f"{diagnose.index_text(name, index)}: yours {mine}, expected {right}"
        for index, mine, right in _most_different(yours, expected, WORST_SHOWN)
    ]
    problem = (
        f"{name} is wrong at {int(wrong.sum())} of {wrong.size} elements "
        f"(max relative error {gradcheck.error_bucket(error, REFERENCE_THRESHOLD)})"
    )
    return problem, details


def _most_different(yours, expected, k):
    """[(index, yours as text, expected as text)] for the k elements with the largest |yours - expected|."""
    order = np.argsort(-np.abs(yours - expected), axis=None, kind="stable")[:k]
    found = []
    for flat in order:
        index = np.unravel_index(flat, yours.shape)
        found.append((index, *gradcheck.format_pair(float(yours[index]), float(expected[index]))))
    return found


def is_int(value) -> bool:
    """True for a Python or NumPy integer (not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def exact(value, expected: int) -> str | None:
    """What is wrong with an integer output (an output size): not an int, or another int; None if right."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float, np.floating)):
        return Named(f"returned {array_text(value)}; return an int")
    if isinstance(value, (float, np.floating)):
        advice = "use // (floor division), which rounds down" if not float(value).is_integer() else "use //, not /"
        text = diagnose.number(float(value), 6)
        text += ".0" if text.lstrip("-").isdigit() else ""
        return Named(f"returned a float, {text}, expected the int {expected}: {advice}")
    if int(value) != expected:
        return f"returned {int(value)}, expected {expected}"
    return None


def loss(value, expected: float):
    """(problem, details, yours) of a loss that is not one real number equal to the reference's
    (relative error < REFERENCE_THRESHOLD), with yours as a float when it is a wrong number (to
    diagnose); None if it is right."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        problem = Named(
            f"loss is {array_text(value)}; return one number, the mean of the per-image losses plus the "
            "regularization term"
        )
        return problem, [], None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating, np.ndarray)):
        return Named(f"loss is {array_text(value)}; return a number (a float)"), [], None
    yours = float(value)
    if not np.isfinite(yours):  # diagnosed too: a known mistake may make NaN
        return f"loss is {yours}; look for a log of 0 or an overflow (subtract the max score before exp)", [], yours
    error = abs(yours - expected) / max(abs(yours) + abs(expected), np.finfo(np.float64).tiny)
    if error < REFERENCE_THRESHOLD:
        return None
    mine, right = gradcheck.format_pair(yours, expected)
    problem = f"loss is wrong (relative error {gradcheck.error_bucket(error, REFERENCE_THRESHOLD)})"
    return problem, [f"yours {mine}, expected {right}"], yours


def as_float_array(value):
    """A float array as float64; None for anything else."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return np.asarray(value, dtype=np.float64)
    return None
