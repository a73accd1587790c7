"""Verify tests/mistake_corpus_eighth_conv.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (other geometries, seed
1000, an even filter size for the network). Only the convolution half's families have inputs; the
pooling and normalization lists are empty (the other half of the eighth corpus has them).

Every row runs on a few inputs of its exercise's geometry (stride > 1, padding, dilation,
rectangular shapes, (h, w) pairs, a stride that leaves the last rows out, 1x1 filters, W' = F, an
even filter for the network, reg 0 and above 0). A row with ``should_pass`` False must differ from
the reference on at least one input (by a relative error above 1e-6, a different shape, or an
exception); a row with ``should_pass`` True must match it on every input to a relative error below
1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_eighth_conv.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_eighth_conv as M
from corpus_verify import Geometries, main
from mistake_corpus_eighth_conv import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 7, 7), (4, 3, 3, 3), {"stride": 2, "pad": 1}),
        ((2, 2, 8, 11), (3, 2, 3, 2), {"stride": (2, 1), "pad": (1, 0), "dilation": (1, 2)}),
        ((1, 3, 10, 9), (2, 3, 3, 3), {"dilation": 2, "pad": 2}),
        ((3, 2, 6, 8), (2, 2, 2, 3), {}),
        ((2, 2, 9, 7), (3, 2, 3, 3), {"stride": 3}),  # uneven: the last rows are never read
        ((2, 1, 6, 6), (2, 1, 1, 1), {"stride": 2, "pad": 1}),  # a 1x1 filter, padded
        ((2, 3, 8, 6), (3, 3, 3, 3), {"stride": (1, 2), "pad": (2, 1)}),  # W' = F = 3
        ((1, 2, 7, 9), (2, 2, 4, 2), {"stride": (2, 3), "pad": (0, 2), "dilation": (2, 1)}),
        ((2, 2, 5, 6), (2, 2, 3, 3), {"stride": 1, "pad": 1}),
        ((3, 2, 7, 5), (2, 2, 2, 2), {"dilation": 3}),
    ],  # x shape, w shape, conv_param
    max_pool=[],
    avg_pool=[],
    bn=[],
    gn=[],
    convnet=[  # input_dim, F, K, hidden, classes, N, reg
        ((1, 6, 6), 3, 3, 7, 4, 3, 0.0),
        ((2, 8, 6), 2, 5, 5, 3, 2, 0.15),  # rectangular, 5x5 filters
        ((1, 6, 8), 3, 3, 6, 10, 1, 0.05),  # one image
        ((3, 5, 7), 2, 3, 4, 3, 4, 0.3),  # odd sides: the pool drops the last row and column
        ((1, 8, 7), 3, 2, 6, 4, 3, 0.2),  # an even filter: pad (2 - 1) // 2 = 0
        ((2, 9, 8), 2, 4, 5, 3, 2, 0.1),  # an even filter: pad (4 - 1) // 2 = 1
    ],  # input_dim, F, filter size, hidden, classes, N, reg
    seed=1000,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_output_size", M.out_size, None),
    ("conv_forward_naive", M.fwd_loops, None),
    ("conv_forward_naive", M.fwd_taps, None),
    ("conv_backward_naive", M.bwd_loops, None),
    ("conv_backward_naive", M.bwd_taps, None),
    ("im2col", M.im2col_windows, None),
    ("im2col", M.im2col_taps, None),
    ("col2im", M.col2im_taps, None),
    ("col2im", M.col2im_windows, None),
    ("conv_forward_im2col", M.fwd_cols, None),
    ("conv_backward_im2col", M.bwd_cols, None),
    ("three_layer_convnet_loss", M.convnet, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
