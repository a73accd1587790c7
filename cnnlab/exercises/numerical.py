"""Numerical gradients of the student's own code, to tell a wrong backward from a wrong forward.

A backward pass's gradients are compared with centered differences of the student's
forward (``forward_agreement``), a network's with those of the student's loss
(``loss_agreement``), at a fixed sample of elements plus those where the student's
gradient differs most from the reference. Agreement is a relative error below
``gradcheck.THRESHOLD`` = 1e-6 (centered differences, h=1e-5).
"""

from __future__ import annotations

import copy

import numpy as np

from cnnlab import gradcheck
from cnnlab.exercises import compare
from cnnlab.exercises.exercise import Exercise

__all__ = ["NUMERICAL_SAMPLE", "LOSS_NUMERICAL_SAMPLE", "forward_agreement", "loss_agreement"]

NUMERICAL_SAMPLE = 12  # elements per input whose numerical gradient is computed (plus the most disputed)
LOSS_NUMERICAL_SAMPLE = 6  # elements per parameter for a loss exercise (plus the 3 most disputed)


def forward_agreement(exercise: Exercise, forward, args, dout, grads, expected) -> dict:
    """{gradient name: True if it agrees with the numerical gradient of the student's forward}.

    Computed at a fixed random sample of elements of each input, plus the elements where
    the student's gradient differs most from the reference. Empty if the forward cannot be
    differentiated numerically (it raised, or returned something odd).
    """
    agreement = {}
    rng = np.random.default_rng(0)
    for position, grad_name in enumerate(exercise.outputs[: len(exercise.inputs)]):
        yours = compare.as_float_array(grads[grad_name])
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


def loss_agreement(fn, args, grads, expected, names) -> dict:
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
        yours = compare.as_float_array(grads.get(name))
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
