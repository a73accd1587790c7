"""Verify tests/mistake_corpus_tenth_conv.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (seed 1400, other
geometries, an even filter for the network). Only the conv half's families have inputs: the lists
of max pooling, average pooling, batch norm and group norm are empty (the other half has them).

Every row runs on a few inputs of its exercise's geometry (stride > 1, padding, dilation,
rectangular shapes, (h, w) pairs, a stride that leaves the last rows unread, 1x1 filters, an even
filter for the network, reg 0 and above 0). A row with ``should_pass`` False must differ from the
reference on at least one input (by a relative error above 1e-6, a different shape, or an
exception); a row with ``should_pass`` True must match it on every input to a relative error below
1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_tenth_conv.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_tenth_conv as M
from corpus_verify import Geometries, main
from mistake_corpus_tenth_conv import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 7, 7), (2, 3, 3, 3), {"stride": 2, "pad": 1}),
        ((2, 2, 8, 11), (3, 2, 3, 2), {"stride": (1, 2), "pad": (2, 1), "dilation": (2, 1)}),
        ((1, 3, 10, 9), (2, 3, 3, 3), {"stride": 1, "pad": 1, "dilation": 2}),
        ((2, 2, 9, 7), (2, 2, 2, 3), {"stride": (3, 2), "pad": (0, 1)}),  # 9 rows, stride 3: the last unread
        ((3, 2, 5, 6), (4, 2, 3, 3), {}),
        ((2, 1, 6, 8), (3, 1, 1, 1), {"stride": (2, 3), "pad": (1, 0)}),  # 1x1 filters
        ((1, 2, 11, 10), (2, 2, 3, 4), {"stride": 2, "pad": (1, 2), "dilation": (1, 2)}),
        ((2, 3, 6, 6), (3, 3, 3, 3), {"stride": 1, "pad": 1}),
        ((2, 2, 7, 9), (2, 2, 2, 2), {"stride": (2, 1), "dilation": 3}),
        ((2, 2, 6, 5), (6, 2, 3, 2), {"stride": 2, "pad": 1}),  # H' * W' = 4 * 3 != F = 6, N = 2
        ((1, 2, 5, 5), (4, 2, 3, 3), {"stride": 2}),  # H' * W' = F = 4
    ],  # x shape, w shape, conv_param
    max_pool=[],
    avg_pool=[],
    bn=[],
    gn=[],
    convnet=[  # input_dim, F, K, hidden, classes, N, reg
        ((1, 8, 8), 3, 3, 6, 4, 3, 0.0),
        ((2, 7, 9), 2, 3, 5, 3, 2, 0.2),
        ((1, 9, 8), 3, 4, 6, 5, 3, 0.1),  # an even filter: pad (4 - 1) // 2 = 1
        ((3, 6, 6), 2, 5, 4, 3, 1, 0.05),  # 5x5 filters, one image
        ((1, 10, 7), 4, 3, 7, 10, 4, 0.3),
    ],  # input_dim, F, filter size, hidden, classes, N, reg
    seed=1400,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_forward_naive", M.conv_fwd_loops, None),
    ("conv_forward_naive", M.conv_fwd_swv, None),
    ("conv_forward_naive", M.conv_fwd_taps, None),
    ("conv_backward_naive", M.conv_bwd_loops, None),
    ("conv_backward_naive", M.conv_bwd_taps, None),
    ("conv_backward_naive", M.conv_bwd_transposed, None),
    ("im2col", M.im2col_windows, None),
    ("im2col", M.im2col_taps, None),
    ("im2col", M.im2col_swv, None),
    ("im2col", M.im2col_indices, None),
    ("col2im", M.col2im_windows, None),
    ("col2im", M.col2im_taps, None),
    ("col2im", M.col2im_indices, None),
    ("conv_forward_im2col", M.conv_fwd_cols, None),
    ("conv_forward_im2col", M.conv_fwd_cols_cs231n, None),
    ("conv_backward_im2col", M.conv_bwd_cols, None),
    ("conv_backward_im2col", M.conv_bwd_cols_cs231n, None),
    ("three_layer_convnet_loss", M.convnet_layers, None),
    ("three_layer_convnet_loss", M.convnet_own_softmax, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
