"""cnnlab.geometry against brute force: every window of every small geometry, counted by hand."""

import itertools

import numpy as np

from cnnlab import geometry, shapes

SMALL = list(itertools.product(range(1, 8), range(1, 4), range(1, 4), range(0, 3), range(1, 4)))
FITTING = [g for g in SMALL if (g[4] * (g[1] - 1) + 1) <= g[0] + 2 * g[3]]  # the window fits the padded input


def brute_windows(size, kernel, stride, pad, dilation):
    """The padded rows each window reads, for every start that fits in the padded input."""
    padded = size + 2 * pad
    found = []
    for start in range(0, padded, stride):
        rows = [start + t * dilation for t in range(kernel)]
        if rows[-1] >= padded:
            break
        found.append(rows)
    return found


def test_output_size_counts_the_windows_that_fit():
    for where in SMALL:
        size, kernel, stride, pad, dilation = where
        count = len(brute_windows(*where))
        found = geometry.output_size(*where)
        assert max(found, 0) == count, where
        assert found >= 1 or geometry.span(kernel, dilation) > size + 2 * pad, where  # < 1 only when nothing fits


def test_window_coverage_and_never_read_match_brute_force():
    for where in SMALL:
        window_coverage_and_never_read_match_brute_force(*where)


def window_coverage_and_never_read_match_brute_force(size, kernel, stride, pad, dilation):
    where = (size, kernel, stride, pad, dilation)
    windows = brute_windows(size, kernel, stride, pad, dilation)
    padded_rows = np.arange(size + 2 * pad)
    for i, rows in enumerate(windows):
        assert padded_rows[geometry.window(i, kernel, stride, dilation)].tolist() == rows, where
        assert geometry.span(kernel, dilation) == rows[-1] - rows[0] + 1, where
    counts = np.zeros(size + 2 * pad, dtype=int)
    for rows in windows:
        counts[rows] += 1
    np.testing.assert_array_equal(geometry.coverage(*where), counts, err_msg=str(where))
    never = geometry.never_read(*where)
    assert never.shape == (size,) and never.dtype == bool, where
    np.testing.assert_array_equal(never, counts[pad : pad + size] == 0, err_msg=str(where))


def test_tap_positions_are_tap_p_of_every_window():
    for where in FITTING:
        size, kernel, stride, pad, dilation = where
        windows = brute_windows(*where)
        assert windows, where
        padded_rows = np.arange(size + 2 * pad)
        for p in range(kernel):
            rows = padded_rows[geometry.tap_positions(p, len(windows), stride, dilation)].tolist()
            assert rows == [window[p] for window in windows], (where, p)


def test_a_stride_larger_than_the_window_leaves_rows_unread():
    assert geometry.never_read(7, 2, 3).tolist() == [False, False, True, False, False, True, True]
    assert not geometry.never_read(7, 3, 3, pad=1).any()


def test_shapes_conv_output_size_is_the_geometry_formula():
    assert shapes.conv_output_size is geometry.output_size
    assert shapes.conv_output_size(7, 3, 2, 1, 1) == 4
    assert shapes.conv_output_size(5, 3, 1, 0, 3) == -1  # dilated to 7 > 5: invalid, left to shapes


def test_tap_on_input_keeps_exactly_the_outputs_whose_tap_reads_a_real_row():
    for size, kernel, stride, pad, dilation in FITTING:
        windows = brute_windows(size, kernel, stride, pad, dilation)
        for p in range(kernel):
            outputs, rows = geometry.tap_on_input(p, size, len(windows), stride, pad, dilation)
            expected = [(i, w[p] - pad) for i, w in enumerate(windows) if 0 <= w[p] - pad < size]
            found = list(zip(range(len(windows))[outputs], range(size)[rows], strict=True))
            assert found == expected, (size, kernel, stride, pad, dilation, p)


def test_real_counts_are_the_rows_of_each_window_that_are_not_padding():
    for where in FITTING:
        size, kernel, stride, pad, dilation = where
        if dilation != 1:
            continue  # pooling windows are not dilated
        expected = [sum(pad <= r < pad + size for r in rows) for rows in brute_windows(*where)]
        assert geometry.real_counts(size, kernel, stride, pad).tolist() == expected, where
