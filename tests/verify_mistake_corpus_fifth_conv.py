"""Verify tests/mistake_corpus_fifth_conv.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own: other geometries and
other seeds (stride > 1, padding, dilation, rectangular inputs and filters, (h, w) pairs with a pad
of 0 on one axis, a 1x1 filter, an even filter height, conv_params that leave out keys at their
defaults, as CS231n's do, batches both smaller and larger than F; for the network reg 0 and above,
one image or a few, and two even filters).

The corpus is the convolution half (lessons 1, 2, 3 and 7), so the pooling and normalization
families get no inputs. A row with ``should_pass`` False must differ from the reference on at least
one input (by a relative error above 1e-6, a different shape, or an exception); a row with
``should_pass`` True must match it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_fifth_conv.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_fifth_conv as M
from corpus_verify import Geometries, main
from mistake_corpus_fifth_conv import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 7, 7), (4, 3, 3, 3), {"stride": 2, "pad": 1}),  # N < F, no dilation key
        ((3, 2, 8, 6), (2, 2, 3, 3), {"stride": 1, "pad": 2, "dilation": 2}),  # N > F
        ((2, 2, 9, 10), (3, 2, 2, 3), {"stride": (2, 3), "pad": (1, 0), "dilation": (2, 1)}),
        ((2, 3, 6, 8), (2, 3, 3, 2), {"stride": (1, 2), "pad": (0, 2)}),
        ((3, 1, 8, 8), (2, 1, 3, 3), {"stride": 3}),  # the last rows are never read
        ((2, 4, 5, 4), (3, 4, 1, 1), {"stride": (2, 1), "pad": 1}),  # 1x1 filter
        ((1, 2, 10, 9), (2, 2, 3, 3), {"stride": 2, "pad": (2, 1), "dilation": (1, 3)}),
        ((2, 2, 5, 7), (2, 2, 4, 3), {"pad": 1, "dilation": 1}),  # an even filter height
        ((2, 3, 6, 6), (3, 3, 3, 3), {"stride": 1, "pad": 0, "dilation": 1}),
        ((1, 1, 7, 5), (1, 1, 2, 2), {"dilation": 3}),
    ],  # x shape, w shape, conv_param
    max_pool=[],  # the other half of the fifth corpus
    avg_pool=[],
    bn=[],
    gn=[],
    convnet=[  # input_dim, F, K, hidden, classes, N, reg
        ((1, 6, 6), 3, 3, 5, 4, 2, 0.0),
        ((2, 7, 8), 2, 5, 6, 3, 3, 0.15),
        ((1, 8, 6), 3, 2, 4, 5, 1, 0.05),  # an even filter: pad (2 - 1) // 2 = 0
        ((3, 6, 7), 2, 3, 5, 3, 4, 0.4),
        ((1, 9, 9), 2, 4, 3, 6, 2, 0.2),  # an even filter: pad (4 - 1) // 2 = 1
    ],  # input_dim, F, filter size, hidden, classes, N, reg
    seed=500,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_output_size", M.output_size, None),
    ("conv_forward_naive", M.conv_fwd, None),
    ("conv_backward_naive", M.conv_bwd, None),
    ("im2col", M.im2col, None),
    ("col2im", M.col2im, None),
    ("conv_forward_im2col", M.conv_fwd_cols, None),
    ("conv_backward_im2col", M.conv_bwd_cols, None),
    ("three_layer_convnet_loss", M.convnet, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
