"""The output-size exercise of lesson 1, conv_output_size: its cases and hints.

Its answer is the formula the lesson prints in a box, and the validation in
``cnnlab.shapes``, which every layer and template calls, computes it: grading hides nothing
for it. A wrong size is diagnosed term by term (``diagnose.size_mistake``).
"""

from __future__ import annotations

from cnnlab import cases as tables
from cnnlab import geometry, shapes
from cnnlab.exercises import conv
from cnnlab.exercises.exercise import Case, CrashAdvice, Exercise

__all__ = ["EXERCISES", "output_size_cases"]

TAGS = {
    **{tag: conv.TAGS[tag] for tag in ("padding", "stride > 1", "dilation > 1")},
    "a stride that does not divide evenly": (
        "a stride that does not divide evenly: // rounds down, and the leftover pixels give no output"
    ),
    "a filter that does not fit": (
        "a filter that does not fit in the padded input: the formula gives 0 or less, and the lesson asks for that "
        "number (not 0 instead of it); // rounds a negative numerator down, as it should (int() of a division "
        "rounds it toward zero)"
    ),
}

# (size, kernel, stride, pad, dilation) where the dilated filter does not fit: the formula gives 0 or less,
# and lesson 1 asks for that number (the layers turn it into an error)
DOES_NOT_FIT = ((2, 3, 1, 0, 1), (3, 5, 1, 0, 1), (3, 4, 3, 0, 2), (4, 3, 2, 1, 4))


def output_size_cases() -> list:
    """conv_output_size: (size, kernel, stride, pad, dilation) for each axis of every CONV_CASES
    and POOL_CASES row, without repeats, and the DOES_NOT_FIT geometries."""
    found, seen = [], set()
    for case in tables.CONV_CASES:
        stride, pad, dilation = (
            shapes.check_pair(n, getattr(case, n), m) for n, m in (("stride", 1), ("pad", 0), ("dilation", 1))
        )
        for axis, a in (("height", 0), ("width", 1)):
            found.append(
                (f"{case.name}, {axis}", (case.x_shape[2 + a], case.w_shape[2 + a], stride[a], pad[a], dilation[a]))
            )
    for case in tables.POOL_CASES:
        stride = shapes.check_pair("stride", case.stride, 1)
        for axis, a, k in (("height", 0, case.pool_height), ("width", 1, case.pool_width)):
            found.append((f"pooling {case.name}, {axis}", (case.x_shape[2 + a], k, stride[a], 0, 1)))
    found += [(f"a filter that does not fit ({k + 1})", args) for k, args in enumerate(DOES_NOT_FIT)]
    unique = []
    for label, args in found:
        if args in seen:
            continue
        seen.add(args)
        size, kernel, stride, pad, dilation = args
        tags = tuple(
            t for t, on in (("padding", pad), ("stride > 1", stride > 1), ("dilation > 1", dilation > 1)) if on
        )
        if size + 2 * pad < geometry.span(kernel, dilation):
            tags += ("a filter that does not fit",)
        elif (size + 2 * pad - geometry.span(kernel, dilation)) % stride:
            tags += ("a stride that does not divide evenly",)
        describe = f"size={size}, kernel={kernel}, stride={stride}, pad={pad}, dilation={dilation}"
        unique.append(Case(label, describe, lambda args=args: args, tags))
    return unique


def _output_size(args):
    return {"size": shapes.conv_output_size(*args)}


EXERCISES = [
    Exercise(
        name="conv_output_size",
        lesson=1,
        kind="value",
        params=("size", "kernel", "stride", "pad", "dilation"),
        returns="int",
        reference=shapes.conv_output_size,
        expected=_output_size,
        cases=output_size_cases,
        outputs=("size",),
        sizes=lambda args: [args],
        exact=True,
        hints=(
            "Count the positions where the filter fits. Along one axis the padded input has\n"
            "size + 2*pad pixels, and a filter of `kernel` taps with dilation d spans\n"
            "d*(kernel - 1) + 1 pixels.",
            "With stride 1, a window of span s fits at (size + 2*pad) - s + 1 positions.\n"
            "A larger stride keeps only every stride-th of them, starting with the first.",
            "Keeping every stride-th of M positions leaves (M - 1) // stride + 1 of them; use //\n"
            "so a stride that does not divide evenly drops the leftover pixels.",
            "O = (size + 2*pad - dilation*(kernel - 1) - 1) // stride + 1",
        ),
        tag_advice=TAGS,
        crash_advice=(
            CrashAdvice(
                kind=Exception,
                text="",
                tag="a filter that does not fit",
                advice=(
                    "it raises where the filter does not fit; lesson 1 asks for the formula's number there (0 or "
                    "less): return it, the layers turn it into an error"
                ),
            ),
        ),
    ),
]
