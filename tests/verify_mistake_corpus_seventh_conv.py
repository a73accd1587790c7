"""Verify tests/mistake_corpus_seventh_conv.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (other geometries, seed
800, an even filter size for the network). Only the convolution half's exercises are here, so the
pooling and normalization families get no inputs.

Every row runs on a few inputs of its exercise's geometry (stride > 1, padding, dilation,
rectangular shapes, (h, w) pairs, a 1x1 filter, a stride that leaves the last rows out, a filter
as large as the padded input, ...). A row with ``should_pass`` False must differ from the
reference on at least one input (by a relative error above 1e-6, a different shape, or an
exception); a row with ``should_pass`` True must match it on every input to a relative error
below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_seventh_conv.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_seventh_conv as M
from corpus_verify import Geometries, main
from mistake_corpus_seventh_conv import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 7, 7), (2, 3, 3, 3), {"stride": 2, "pad": 1}),
        ((2, 2, 6, 9), (3, 2, 2, 3), {"stride": (1, 2), "pad": (1, 0)}),
        ((1, 2, 8, 8), (2, 2, 3, 3), {"pad": 2, "dilation": 2}),
        ((2, 2, 9, 7), (2, 2, 3, 2), {"stride": (2, 1), "pad": (0, 1), "dilation": (2, 1)}),
        ((3, 2, 5, 6), (4, 2, 3, 3), {}),
        ((2, 3, 8, 7), (2, 3, 3, 3), {"stride": 3}),  # the stride leaves the last rows out
        ((2, 4, 4, 5), (3, 4, 1, 1), {"stride": 1}),  # a 1x1 filter
        ((1, 2, 10, 11), (2, 2, 3, 3), {"stride": (2, 3), "pad": (2, 1), "dilation": (1, 2)}),
        ((2, 2, 3, 4), (2, 2, 5, 6), {"pad": 1}),  # the filter as large as the padded input
        ((2, 1, 6, 6), (1, 1, 2, 2), {"stride": 2}),  # one filter, one channel, windows that do not overlap
        ((2, 2, 4, 6), (3, 2, 3, 3), {"stride": (1, 2), "pad": 1, "dilation": 1}),  # W' = F = 3
    ],  # x shape, w shape, conv_param
    max_pool=[],
    avg_pool=[],
    bn=[],
    gn=[],
    convnet=[  # input_dim, F, K, hidden, classes, N, reg
        ((1, 8, 8), 3, 3, 8, 5, 3, 0.0),
        ((2, 7, 9), 2, 5, 6, 4, 2, 0.2),  # rectangular input, 5x5 filters
        ((1, 6, 6), 3, 3, 5, 10, 1, 0.1),  # one image
        ((1, 9, 8), 3, 4, 6, 4, 3, 0.05),  # an even filter: pad (4 - 1) // 2 = 1
        ((3, 6, 7), 2, 3, 5, 3, 4, 0.3),
    ],  # input_dim, F, filter size, hidden, classes, N, reg
    seed=800,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_forward_naive", M.conv_fwd_loops, None),
    ("conv_forward_naive", M.conv_fwd_channels, None),
    ("conv_forward_naive", M.conv_fwd_positions, None),
    ("conv_forward_naive", M.conv_fwd_taps, None),
    ("conv_backward_naive", M.conv_bwd_loops, None),
    ("conv_backward_naive", M.conv_bwd_taps, None),
    ("im2col", M.im2col_windows, None),
    ("im2col", M.im2col_taps, None),
    ("im2col", M.im2col_strided, None),
    ("col2im", M.col2im_windows, None),
    ("col2im", M.col2im_taps, None),
    ("conv_forward_im2col", M.conv_fwd_cols, None),
    ("conv_forward_im2col", M.conv_fwd_cols2d, None),
    ("conv_backward_im2col", M.conv_bwd_cols, None),
    ("conv_backward_im2col", M.conv_bwd_cols2d, None),
    ("three_layer_convnet_loss", M.convnet, None),
    ("three_layer_convnet_loss", M.convnet_naive, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
