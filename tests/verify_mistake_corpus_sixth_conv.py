"""Verify tests/mistake_corpus_sixth_conv.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (other geometries, seed
600). The corpus covers the convolution half of the exercises only, so the pooling and
normalization families get no inputs here.

Every row runs on the inputs of its exercise: conv geometries with stride > 1, padding, dilation,
rectangular inputs and filters, (h, w) pairs with one zero pad, a 1x1 filter, H' != W', W' = F, H'*W' = F;
networks with reg 0 and above, one image or a few, a rectangular input, 5x5 and even (2x2, 4x4)
filters. A row with ``should_pass`` False must differ from the reference on at least one input (by
a relative error above 1e-6, a different shape, or an exception); a row with ``should_pass`` True
must match it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_sixth_conv.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_sixth_conv as M
from corpus_verify import Geometries, main
from mistake_corpus_sixth_conv import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 7, 7), (4, 3, 3, 3), {"stride": 2, "pad": 1}),
        ((2, 2, 8, 11), (3, 2, 3, 2), {"stride": (1, 2), "pad": (0, 1)}),
        ((1, 3, 9, 10), (2, 3, 3, 3), {"stride": (2, 3), "pad": (1, 2), "dilation": (2, 1)}),
        ((2, 2, 10, 9), (2, 2, 2, 3), {"stride": 2, "dilation": 2}),
        ((3, 2, 5, 6), (4, 2, 3, 3), {}),  # W' = F = 4, H' = 3
        ((2, 4, 5, 4), (3, 4, 1, 1), {"stride": (1, 2)}),  # 1x1 filter
        ((2, 2, 7, 6), (2, 2, 3, 3), {"pad": 2, "dilation": 2}),
        ((2, 1, 9, 8), (2, 1, 3, 2), {"stride": 3, "pad": (2, 0)}),
        ((1, 2, 6, 8), (3, 2, 4, 3), {"stride": (2, 1), "pad": 1, "dilation": (1, 2)}),
        ((2, 3, 6, 6), (3, 3, 2, 2), {"stride": 1, "pad": (1, 0)}),
        ((2, 2, 4, 4), (4, 2, 3, 3), {"stride": 1, "pad": 0}),  # H'*W' = F = 4
    ],
    max_pool=[],
    avg_pool=[],
    bn=[],
    gn=[],
    convnet=[  # input_dim, F, filter size, hidden, classes, N, reg
        ((1, 6, 6), 3, 3, 5, 4, 3, 0.0),
        ((2, 7, 8), 2, 3, 6, 3, 2, 0.15),
        ((1, 8, 6), 3, 5, 4, 5, 1, 0.05),
        ((3, 6, 7), 2, 2, 5, 3, 4, 0.25),  # an even filter: pad (2 - 1) // 2 = 0
        ((1, 9, 9), 2, 4, 6, 4, 3, 0.1),  # an even filter: pad (4 - 1) // 2 = 1
    ],
    seed=600,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_output_size", M.out_size, None),
    ("conv_forward_naive", M.conv_fwd_loops, None),
    ("conv_forward_naive", M.conv_fwd_taps, None),
    ("conv_forward_naive", M.conv_fwd_gather, None),
    ("conv_backward_naive", M.conv_bwd_loops, None),
    ("conv_backward_naive", M.conv_bwd_taps, None),
    ("conv_backward_naive", M.conv_bwd_scatter, None),
    ("im2col", M.im2col_windows, None),
    ("im2col", M.im2col_taps, None),
    ("im2col", M.im2col_gather, None),
    ("col2im", M.col2im_windows, None),
    ("col2im", M.col2im_taps, None),
    ("col2im", M.col2im_scatter, None),
    ("conv_forward_im2col", M.conv_fwd_cols, None),
    ("conv_forward_im2col", M.conv_fwd_cols_flat, None),
    ("conv_backward_im2col", M.conv_bwd_cols, None),
    ("conv_backward_im2col", M.conv_bwd_cols_flat, None),
    ("three_layer_convnet_loss", M.convnet, None),
    ("three_layer_convnet_loss", M.convnet_naive, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
