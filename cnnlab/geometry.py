"""Sliding-window geometry along one axis: output sizes, windows, and which pixels they read.

Every layer with a window (convolution, im2col, pooling) and every explorer takes its
arithmetic from here, one axis at a time; callers apply it to the height and the width.
A window of ``kernel`` taps, ``dilation`` apart, slides over the input padded by ``pad``
on each side, moving ``stride`` at a time. Output position i reads padded rows

    i*stride, i*stride + dilation, ..., i*stride + dilation*(kernel - 1)

so the number of output positions is

    O = (size + 2*pad - dilation*(kernel - 1) - 1) // stride + 1

Nothing here validates: ``cnnlab.shapes`` checks the arguments and words the errors.
Introduced in lesson 1 (convolution arithmetic).
"""

from __future__ import annotations

import numpy as np

__all__ = ["output_size", "span", "window", "tap_positions", "tap_on_input", "real_counts", "coverage", "never_read"]


def output_size(size: int, kernel: int, stride: int = 1, pad: int = 0, dilation: int = 1) -> int:
    """Number of output positions along one axis, as PyTorch computes it.

    ``O = (size + 2*pad - dilation*(kernel - 1) - 1) // stride + 1``. The result is < 1 when
    the dilated window does not fit in the padded input; ``shapes`` treats that as invalid.
    Also ``shapes.conv_output_size``, the answer of lesson 1's first exercise.
    """
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def span(kernel: int, dilation: int = 1) -> int:
    """Pixels a window of ``kernel`` taps, ``dilation`` apart, spans: dilation*(kernel - 1) + 1."""
    return dilation * (kernel - 1) + 1


def window(i: int, kernel: int, stride: int = 1, dilation: int = 1) -> slice:
    """Rows of the padded input read by output row ``i``: slice(i*stride, i*stride + span, dilation)."""
    start = i * stride
    return slice(start, start + span(kernel, dilation), dilation)


def tap_positions(p: int, out_size: int, stride: int = 1, dilation: int = 1) -> slice:
    """Rows of the padded input that tap ``p`` reads, one per output row 0 .. out_size - 1.

    slice(p*dilation, p*dilation + stride*(out_size - 1) + 1, stride): the transpose of
    ``window``, used by col2im to add one tap of every window back at once.
    """
    start = p * dilation
    return slice(start, start + stride * (out_size - 1) + 1, stride)


def tap_on_input(p: int, size: int, out_size: int, stride: int = 1, pad: int = 0, dilation: int = 1) -> tuple:
    """(outputs, rows): the output rows whose tap ``p`` falls on the unpadded input, and the
    input rows it reads there, as two slices of equal length (empty if it only reads padding).

    Output row i reads row i*stride + p*dilation - pad of the input; this keeps the i where
    that row is in 0 .. size - 1, so a layer can skip the zeros of the padding.
    """
    offset = p * dilation - pad  # input row of output row 0
    first = max(0, -(offset // stride) if offset < 0 else 0)  # ceil(-offset / stride)
    last = min(out_size, (size - 1 - offset) // stride + 1) if size - 1 - offset >= 0 else 0
    if last <= first:
        return slice(0, 0), slice(0, 0)
    start = first * stride + offset
    return slice(first, last), slice(start, start + stride * (last - first - 1) + 1, stride)


def real_counts(size: int, kernel: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """(output_size,) int array: how many of each window's rows are on the unpadded input,
    not on the padding (average pooling with count_include_pad=False divides by these)."""
    start = np.arange(max(output_size(size, kernel, stride, pad), 0)) * stride - pad  # first row, unpadded
    return np.maximum(np.minimum(start + kernel, size) - np.maximum(start, 0), 0)  # 0: only padding


def coverage(size: int, kernel: int, stride: int = 1, pad: int = 0, dilation: int = 1) -> np.ndarray:
    """(size + 2*pad,) int array: how many windows read each position of the padded input."""
    counts = np.zeros(size + 2 * pad, dtype=int)
    for i in range(max(output_size(size, kernel, stride, pad, dilation), 0)):
        counts[window(i, kernel, stride, dilation)] += 1
    return counts


def never_read(size: int, kernel: int, stride: int = 1, pad: int = 0, dilation: int = 1) -> np.ndarray:
    """(size,) bool array over the unpadded input: True where no window reads the pixel.

    What a stride larger than the window (or one that does not divide evenly) leaves out.
    """
    return coverage(size, kernel, stride, pad, dilation)[pad : pad + size] == 0
