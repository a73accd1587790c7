"""Verify tests/mistake_corpus_fourteenth_conv.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (seed 2200).

Every row runs on a few inputs of its exercise's geometry (stride > 1 and uneven, padding, dilation,
rectangular inputs and filters, (h, w) pairs, 1x1 filters, N above, below and equal to F; for the
network one image or a few, reg 0 and above 0, a rectangular input, 5x5 filters and two even
filters, 4x4 and 2x2). A row with ``should_pass`` False must differ from the reference on at least
one input (by a relative error above 1e-6, a different shape, or an exception); a row with
``should_pass`` True must match it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.
This half of the corpus has no pooling or normalization rows, so those families get no inputs.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_fourteenth_conv.py`` (exit status 1 if
a row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_fourteenth_conv as M
from corpus_verify import Geometries, main
from mistake_corpus_fourteenth_conv import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 8, 8), (3, 3, 3, 3), {"stride": 2, "pad": 1}),
        ((2, 2, 7, 9), (3, 2, 3, 2), {"stride": (2, 1), "pad": (1, 2), "dilation": (2, 1)}),
        ((1, 2, 9, 8), (2, 2, 3, 3), {"pad": 2, "dilation": 2}),
        ((3, 2, 6, 7), (2, 2, 2, 3), {}),  # N > F, no conv_param at all
        ((2, 1, 6, 6), (4, 1, 1, 1), {"stride": 2}),  # a 1x1 filter
        ((2, 3, 10, 7), (2, 3, 3, 3), {"stride": (3, 2), "pad": (0, 1)}),  # stride 3 leaves a row out
        ((2, 2, 5, 8), (2, 2, 1, 1), {"pad": 1}),  # 1x1 with padding, N = F
        ((2, 2, 8, 10), (3, 2, 3, 3), {"stride": (1, 2), "pad": (2, 0), "dilation": (1, 3)}),
        ((1, 3, 7, 7), (2, 3, 3, 3), {"stride": 1, "pad": 1}),
        ((2, 2, 9, 6), (3, 2, 4, 2), {"stride": 2, "pad": (1, 0), "dilation": (1, 2)}),  # an even filter
    ],
    max_pool=[],
    avg_pool=[],
    bn=[],
    gn=[],
    convnet=[  # input_dim, F, filter size, hidden, classes, N, reg
        ((1, 6, 6), 3, 3, 5, 4, 3, 0.0),
        ((2, 7, 8), 2, 3, 6, 3, 1, 0.1),  # one image
        ((1, 8, 8), 3, 4, 5, 5, 2, 0.2),  # an even filter: pad (4 - 1) // 2 = 1, conv output 7x7
        ((3, 6, 9), 2, 5, 4, 3, 4, 0.05),  # rectangular input, 5x5 filters
        ((1, 9, 7), 2, 2, 5, 4, 3, 0.3),  # 2x2 filters: pad 0
    ],
    seed=2200,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_output_size", M.out_size, None),
    ("conv_forward_naive", M.conv_fwd, None),
    ("conv_forward_naive", M.conv_fwd_channels, None),
    ("conv_forward_naive", M.conv_fwd_einsum, None),
    ("conv_backward_naive", M.conv_bwd, None),
    ("conv_backward_naive", M.conv_bwd_batch, None),
    ("conv_backward_naive", M.conv_bwd_as_conv, None),
    ("im2col", M.im2col_windows, None),
    ("im2col", M.im2col_taps, None),
    ("im2col", M.im2col_list, None),
    ("im2col", M.im2col_swv, None),
    ("col2im", M.col2im_taps, None),
    ("col2im", M.col2im_windows, None),
    ("col2im", M.col2im_fancy, None),
    ("conv_forward_im2col", M.conv_fwd_cols, None),
    ("conv_forward_im2col", M.conv_fwd_cols2d, None),
    ("conv_backward_im2col", M.conv_bwd_cols, None),
    ("conv_backward_im2col", M.conv_bwd_cols2d, None),
    ("three_layer_convnet_loss", M.convnet, None),
    ("three_layer_convnet_loss", M.convnet_naive, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
