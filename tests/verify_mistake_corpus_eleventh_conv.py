"""Verify tests/mistake_corpus_eleventh_conv.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (seed 1600): stride > 1,
a stride that leaves the last rows unread, padding, dilation, rectangular inputs and filters, (h, w)
pairs, a 1x1 filter, an even filter height, a W' equal to F (so that a bias broadcast over the
last axis runs silently), and for the network a rectangular input, 5x5 filters, reg 0 and above 0,
a batch of one, and even filter sizes 4 and 2 (pad (K - 1) // 2 differs from K // 2).

Only the convolution half's families are given: the pooling and normalization lists are empty.

A row with ``should_pass`` False must differ from the reference on at least one input (by a relative
error above 1e-6, a different shape, or an exception); a row with ``should_pass`` True must match it
on every input to a relative error below 1e-8. The machinery is ``tests/corpus_verify.py``.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_eleventh_conv.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_eleventh_conv as M
from corpus_verify import Geometries, main
from mistake_corpus_eleventh_conv import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 7, 7), (2, 3, 3, 3), {"stride": 2, "pad": 1}),
        ((2, 2, 8, 11), (3, 2, 3, 2), {"stride": (1, 2), "pad": (2, 1), "dilation": (2, 1)}),
        ((1, 3, 10, 9), (2, 3, 3, 3), {"pad": 1, "dilation": 3}),
        ((2, 2, 9, 10), (2, 2, 2, 3), {"stride": 3}),  # the last rows and columns unread
        ((3, 1, 5, 6), (2, 1, 3, 3), {}),
        ((2, 2, 6, 8), (3, 2, 1, 1), {"stride": (2, 3)}),  # a 1x1 filter
        ((2, 3, 8, 6), (4, 3, 3, 2), {"stride": (2, 1), "pad": (1, 0), "dilation": (1, 2)}),
        ((1, 2, 7, 9), (2, 2, 4, 3), {"stride": 2, "pad": (2, 1)}),  # an even filter height
        ((2, 2, 6, 6), (2, 2, 3, 3), {"pad": 1}),  # "same" padding
        ((2, 3, 5, 12), (3, 3, 3, 3), {"stride": (1, 3), "pad": (0, 2), "dilation": (2, 1)}),
        ((2, 2, 5, 6), (4, 2, 3, 3), {}),  # W' = F = 4
    ],
    max_pool=[],
    avg_pool=[],
    bn=[],
    gn=[],
    convnet=[  # input_dim, F, filter size, hidden, classes, N, reg
        ((1, 6, 6), 3, 3, 7, 4, 3, 0.0),
        ((2, 8, 6), 2, 5, 6, 3, 2, 0.2),  # rectangular, 5x5 filters
        ((1, 7, 7), 3, 3, 5, 5, 1, 0.1),  # one image; 7 // 2 pooled
        ((3, 6, 8), 2, 3, 4, 3, 4, 0.05),
        ((1, 8, 9), 2, 4, 5, 4, 3, 0.3),  # even filter 4: pad 1
        ((2, 6, 6), 3, 2, 5, 3, 2, 0.1),  # even filter 2: pad 0
    ],
    seed=1600,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_output_size", M.out_size, None),
    ("conv_output_size", M.out_size_count, None),
    ("conv_forward_naive", M.conv_fwd_loops, None),
    ("conv_forward_naive", M.conv_fwd_swv, None),
    ("conv_forward_naive", M.conv_fwd_taps, None),
    ("conv_backward_naive", M.conv_bwd_loops, None),
    ("conv_backward_naive", M.conv_bwd_index, None),
    ("im2col", M.im2col_windows, None),
    ("im2col", M.im2col_taps, None),
    ("im2col", M.im2col_swv, None),
    ("im2col", M.im2col_index, None),
    ("col2im", M.col2im_taps, None),
    ("col2im", M.col2im_windows, None),
    ("col2im", M.col2im_index, None),
    ("conv_forward_im2col", M.conv_fwd_cols, None),
    ("conv_forward_im2col", M.conv_fwd_cols_flat, None),
    ("conv_forward_im2col", M.conv_fwd_cols_tensordot, None),
    ("conv_backward_im2col", M.conv_bwd_cols, None),
    ("conv_backward_im2col", M.conv_bwd_cols_einsum, None),
    ("conv_backward_im2col", M.conv_bwd_cols_flat, None),
    ("three_layer_convnet_loss", M.convnet, None),
    ("three_layer_convnet_loss", M.convnet_own, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
