"""Verify tests/mistake_corpus_thirteenth_conv.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (other geometries,
seed 2000, an even filter size for the network). This corpus covers the convolution half of the
exercises only, so the pooling and normalization families get no inputs.

Every row runs on a few inputs of its exercise's geometry (stride > 1, padding, dilation,
rectangular inputs and filters, (h, w) pairs, 1x1 filters, strides that leave the last rows
unread, ...). A row with ``should_pass`` False must differ from the reference on at least one
input (by a relative error above 1e-6, a different shape, or an exception); a row with
``should_pass`` True must match it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_thirteenth_conv.py`` (exit status 1
if a row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_thirteenth_conv as M
from corpus_verify import Geometries, main
from mistake_corpus_thirteenth_conv import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 7, 7), (4, 3, 3, 3), {"stride": 2, "pad": 1}),
        ((3, 2, 8, 6), (2, 2, 3, 2), {"stride": (1, 2), "pad": (2, 1)}),
        ((2, 2, 10, 9), (3, 2, 3, 3), {"stride": 1, "pad": 1, "dilation": 2}),
        ((1, 3, 9, 11), (2, 3, 2, 3), {"stride": (2, 3), "pad": (0, 2), "dilation": (2, 1)}),
        ((2, 2, 5, 8), (3, 2, 3, 3), {}),
        ((2, 1, 8, 8), (2, 1, 3, 3), {"stride": 3}),  # the last two rows and columns are never read
        ((4, 2, 6, 5), (2, 2, 1, 1), {"stride": (2, 1), "pad": (1, 0)}),  # 1x1 filters, N > F
        ((2, 3, 6, 7), (2, 3, 1, 3), {"pad": (1, 2), "dilation": (1, 2)}),
        ((1, 2, 9, 8), (3, 2, 4, 2), {"stride": (2, 2), "pad": 2, "dilation": (1, 3)}),
        ((3, 2, 7, 9), (3, 2, 2, 2), {"stride": 2, "dilation": 3}),
        ((2, 2, 6, 6), (2, 2, 3, 3), {"stride": 1, "pad": 1}),
    ],  # x shape, w shape, conv_param
    max_pool=[],
    avg_pool=[],
    bn=[],
    gn=[],
    convnet=[  # input_dim, F, K, hidden, classes, N, reg
        ((1, 6, 6), 3, 3, 7, 4, 3, 0.0),
        ((2, 8, 6), 2, 3, 5, 3, 2, 0.25),
        ((1, 7, 9), 3, 5, 6, 5, 4, 0.1),
        ((3, 6, 8), 2, 3, 4, 6, 1, 0.05),
        ((1, 9, 9), 2, 4, 5, 4, 3, 0.3),  # an even filter: pad (4 - 1) // 2 = 1
    ],  # input_dim, F, filter size, hidden, classes, N, reg
    seed=2000,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_output_size", M.osize_formula, None),
    ("conv_output_size", M.osize_steps, None),
    ("conv_forward_naive", M.conv_fwd_loops, None),
    ("conv_forward_naive", M.conv_fwd_patches, None),
    ("conv_backward_naive", M.conv_bwd_loops, None),
    ("conv_backward_naive", M.conv_bwd_as_convs, None),
    ("im2col", M.im2col_windows, None),
    ("im2col", M.im2col_taps, None),
    ("im2col", M.im2col_indices, None),
    ("col2im", M.col2im_taps, None),
    ("col2im", M.col2im_windows, None),
    ("col2im", M.col2im_indices, None),
    ("conv_forward_im2col", M.conv_fwd_cols, None),
    ("conv_forward_im2col", M.conv_fwd_cols_cs231n, None),
    ("conv_backward_im2col", M.conv_bwd_cols, None),
    ("conv_backward_im2col", M.conv_bwd_cols_einsum, None),
    ("conv_backward_im2col", M.conv_bwd_cs231n, M.conv_fwd_cols_cs231n),
    ("three_layer_convnet_loss", M.convnet_layers, None),
    ("three_layer_convnet_loss", M.convnet_by_hand, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
