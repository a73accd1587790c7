"""Verify tests/mistake_corpus_ninth_conv.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (other geometries, seed
1200, an even filter size for the network). Only the convolution half's families have inputs
here (conv, convnet); the pooling and norm lists are empty: the other half of the corpus has
rows for them.

Every row runs on a few inputs of its exercise's geometry (stride > 1, padding, dilation,
rectangular inputs and filters, (h, w) pairs, 1x1 filters, a stride that leaves the last rows
out, an output with as many positions as filters, a batch of one). A row with ``should_pass``
False must differ from the reference on at least one input (by a relative error above 1e-6, a
different shape, or an exception); a row with ``should_pass`` True must match it on every input
to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_ninth_conv.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_ninth_conv as M
from corpus_verify import Geometries, main
from mistake_corpus_ninth_conv import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 7, 7), (4, 3, 3, 3), {"stride": 2, "pad": 1}),
        ((2, 2, 8, 11), (3, 2, 3, 2), {"stride": (1, 2), "pad": (2, 1), "dilation": (2, 1)}),
        ((1, 3, 10, 9), (2, 3, 3, 3), {"stride": 1, "pad": 2, "dilation": 2}),
        ((3, 2, 5, 6), (2, 2, 2, 3), {}),
        ((2, 2, 9, 9), (3, 2, 3, 3), {"stride": 3}),  # the last rows read by no window
        ((2, 3, 6, 8), (5, 3, 1, 1), {"stride": (2, 1)}),  # 1x1 filters
        ((2, 2, 7, 9), (2, 2, 3, 4), {"stride": (2, 3), "pad": (1, 2), "dilation": (1, 2)}),
        ((1, 2, 6, 6), (4, 2, 5, 5), {"pad": 1}),  # H' = W' = 4: as many positions per row as filters
        ((2, 1, 8, 7), (3, 1, 2, 2), {"stride": 2, "dilation": 3, "pad": (0, 1)}),
        ((3, 2, 6, 5), (2, 2, 3, 3), {"stride": 1, "pad": 1}),
    ],
    max_pool=[],
    avg_pool=[],
    bn=[],
    gn=[],
    convnet=[  # input_dim, F, filter size, hidden, classes, N, reg
        ((1, 6, 6), 3, 3, 7, 4, 3, 0.0),
        ((2, 8, 6), 4, 3, 6, 5, 2, 0.15),
        ((1, 10, 8), 2, 5, 5, 3, 4, 0.05),
        ((3, 7, 9), 3, 4, 6, 4, 3, 0.2),  # an even filter: pad (4 - 1) // 2 = 1
        ((1, 8, 8), 2, 3, 4, 6, 1, 0.3),  # one image
    ],
    seed=1200,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_output_size", M.out_size, None),
    ("conv_forward_naive", M.conv_fwd_loops, None),
    ("conv_forward_naive", M.conv_fwd_channels, None),
    ("conv_backward_naive", M.conv_bwd_loops, None),
    ("conv_backward_naive", M.conv_bwd_positions, None),
    ("im2col", M.im2col_windows, None),
    ("im2col", M.im2col_taps, None),
    ("im2col", M.im2col_fancy, None),
    ("col2im", M.col2im_taps, None),
    ("col2im", M.col2im_windows, None),
    ("col2im", M.col2im_fancy, None),
    ("conv_forward_im2col", M.conv_fwd_cols, None),
    ("conv_backward_im2col", M.conv_bwd_cols, None),
    ("conv_backward_im2col", M.conv_bwd_cols2d, M.conv_fwd_cols2d),
    ("three_layer_convnet_loss", M.convnet_layers, None),
    ("three_layer_convnet_loss", M.convnet_own_softmax, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
