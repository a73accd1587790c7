"""Verify tests/mistake_corpus_twelfth_conv.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (other geometries, seed
1800, even filters for the network). Only the convolution half's exercises have rows, so the
pooling and normalization families get no inputs.

Every row runs on every input of its exercise's geometry (stride > 1, padding, dilation,
rectangular inputs and filters, (h, w) pairs with different h and w, a 1x1 filter, a stride that
does not divide evenly, W' = F and H'*W' = F, one sample; networks with even filters, a rectangular
input, reg 0 and above 0). A row with ``should_pass`` False must differ from the reference on at
least one input (by a relative error above 1e-6, a different shape, or an exception); a row with
``should_pass`` True must match it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_twelfth_conv.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_twelfth_conv as M
from corpus_verify import Geometries, main
from mistake_corpus_twelfth_conv import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 7, 7), (3, 3, 3, 3), {"stride": 2, "pad": 1}),
        ((2, 2, 8, 11), (2, 2, 3, 2), {"stride": (1, 2), "pad": (2, 1), "dilation": (2, 1)}),
        ((1, 2, 10, 9), (3, 2, 3, 3), {"stride": 2, "pad": 2, "dilation": 2}),
        ((3, 2, 6, 8), (2, 2, 2, 3), {}),
        ((2, 3, 9, 7), (4, 3, 3, 3), {"stride": (2, 1), "pad": (0, 1)}),
        ((2, 2, 8, 8), (3, 2, 3, 3), {"stride": 3}),  # uneven: rows 6 and 7 are never read
        ((2, 1, 6, 5), (2, 1, 1, 1), {"stride": 2, "pad": 1}),  # a 1x1 filter with padding
        ((2, 2, 7, 9), (2, 2, 3, 2), {"stride": (2, 3), "pad": (1, 0), "dilation": (1, 2)}),
        ((2, 2, 5, 6), (6, 2, 3, 3), {"stride": 1, "pad": 1}),  # W' = F = 6
        ((1, 3, 7, 6), (2, 3, 3, 3), {"pad": (1, 2), "dilation": (2, 1)}),
        ((2, 2, 4, 4), (4, 2, 3, 3), {"stride": 2, "pad": 1}),  # H'*W' = F = 4
    ],  # x shape, w shape, conv_param
    max_pool=[],
    avg_pool=[],
    bn=[],
    gn=[],
    convnet=[  # input_dim, F, K, hidden, classes, N, reg
        ((1, 8, 8), 3, 3, 6, 5, 3, 0.0),
        ((2, 7, 9), 2, 3, 5, 4, 2, 0.15),  # rectangular, odd conv output: the pool drops a row and a column
        ((1, 6, 6), 3, 4, 5, 3, 4, 0.2),  # an even filter: pad (4 - 1) // 2 = 1
        ((3, 6, 8), 2, 5, 4, 6, 1, 0.05),  # one image, 5x5 filters
        ((1, 9, 6), 4, 2, 6, 4, 3, 0.1),  # a 2x2 filter: pad 0
    ],  # input_dim, F, filter size, hidden, classes, N, reg
    seed=1800,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_output_size", M.out_size, None),
    ("conv_output_size", M.out_size_count, None),
    ("conv_forward_naive", M.conv_fwd_loops, None),
    ("conv_forward_naive", M.conv_fwd_vec, None),
    ("conv_forward_naive", M.conv_fwd_swv, None),
    ("conv_backward_naive", M.conv_bwd_scalar, None),
    ("conv_backward_naive", M.conv_bwd_slices, None),
    ("im2col", M.im2col_taps, None),
    ("im2col", M.im2col_windows, None),
    ("im2col", M.im2col_list, None),
    ("col2im", M.col2im_taps, None),
    ("col2im", M.col2im_windows, None),
    ("col2im", M.col2im_fancy, None),
    ("conv_forward_im2col", M.conv_fwd_cols, None),
    ("conv_backward_im2col", M.conv_bwd_cols, None),
    ("three_layer_convnet_loss", M.convnet, None),
    ("three_layer_convnet_loss", M.convnet_softmax, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
