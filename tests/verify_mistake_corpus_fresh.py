"""Verify tests/mistake_corpus_fresh.py against cnnlab's reference implementations, without the checker.

Every row runs on a few inputs of its exercise's geometry (stride > 1, padding, dilation,
rectangular shapes, (h, w) pairs, ties, zeros, train and test mode (the batch-norm backward in train mode only), gamma as (C,) and
(1, C, 1, 1), ...). A row with ``should_pass`` False must differ from the reference on at least
one input (by a relative error above 1e-6, a different shape, or an exception); a row with
``should_pass`` True must match it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_fresh.py`` (exit status 1 if a row
is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_fresh as M
from corpus_verify import Geometries, main
from mistake_corpus_fresh import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 7, 7), (4, 3, 3, 3), {"stride": 2, "pad": 1}),
        ((2, 2, 6, 9), (3, 2, 3, 2), {"stride": (2, 1), "pad": (1, 2), "dilation": (1, 2)}),
        ((1, 3, 9, 8), (2, 3, 3, 3), {"stride": 1, "pad": 2, "dilation": 2}),
        ((2, 2, 8, 8), (2, 2, 2, 2), {"stride": 4, "dilation": 2}),
        ((3, 1, 5, 7), (2, 1, 3, 3), {}),
        ((2, 3, 8, 5), (2, 3, 2, 3), {"stride": (3, 2), "pad": (2, 1)}),
        ((2, 2, 7, 7), (2, 2, 3, 3), {"stride": 1, "pad": 1}),
        ((2, 2, 7, 9), (2, 2, 3, 3), {"stride": (1, 2), "pad": (0, 1)}),
    ],  # x shape, w shape, conv_param
    max_pool=[  # x shape, pool_param, integers (ties)
        ((2, 3, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 7, 9), {"pool_height": 3, "pool_width": 2, "stride": (2, 1)}, False),
        ((1, 2, 5, 5), {"pool_height": 3, "pool_width": 3, "stride": 1}, False),
        ((2, 2, 8, 6), {"pool_height": 2, "pool_width": 3, "stride": (3, 2)}, False),
        ((2, 2, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, True),
        ((1, 2, 5, 5), {"pool_height": 3, "pool_width": 3, "stride": 1}, True),
    ],  # x shape, pool_param, integers (ties)
    avg_pool=[  # x shape, pool_param, zeros in x
        ((2, 3, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 7, 9), {"pool_height": 3, "pool_width": 2, "stride": (2, 1), "pad": (1, 1)}, False),
        (
            (2, 2, 7, 9),
            {"pool_height": 3, "pool_width": 4, "stride": (2, 3), "pad": (1, 2), "count_include_pad": False},
            False,
        ),
        ((1, 2, 5, 6), {"pool_height": 2, "pool_width": 2, "stride": 2, "pad": 1, "count_include_pad": False}, False),
        ((2, 2, 6, 5), {"pool_height": 3, "pool_width": 3, "stride": 1, "pad": 1, "count_include_pad": False}, True),
        ((2, 2, 5, 5), {"pool_height": 4, "pool_width": 2, "stride": (1, 2), "pad": (2, 1)}, False),
    ],  # x shape, pool_param, zeros in x
    bn=[
        ((4, 3, 5, 6), "C", {"mode": "train"}),
        ((3, 4, 3, 5), "1C11", {"mode": "train", "eps": 1e-3, "momentum": 0.8, "stats": True}),
        ((1, 4, 3, 3), "C", {"mode": "train", "stats": True}),
        ((6, 3, 1, 1), "C", {"mode": "train"}),
        ((3, 4, 2, 4), "C", {"mode": "train"}),
        ((2, 3, 4, 5), "C", {"mode": "test", "stats": True}),
        ((2, 3, 4, 5), "1C11", {"mode": "test", "stats": True, "eps": 1e-2}),
        ((3, 3, 4, 4), "C", {"mode": "train", "stats": True, "tiny": True}),
    ],
    gn=[
        ((2, 6, 4, 5), 2, "C", {}),
        ((3, 4, 3, 3), 1, "C", {}),
        ((2, 4, 3, 2), 4, "C", {}),
        ((2, 6, 3, 3), 3, "1C11", {"eps": 1e-3}),
        ((2, 8, 2, 3), 2, "C", {"eps": 0.1, "mode": "train"}),
        ((2, 4, 3, 3), 2, "1C11", {}),
    ],
    convnet=[  # input_dim, F, K, hidden, classes, N, reg
        ((1, 8, 8), 4, 3, 10, 5, 3, 0.0),
        ((2, 6, 10), 3, 5, 7, 4, 2, 0.1),
        ((1, 8, 8), 3, 3, 6, 10, 1, 0.05),
        ((3, 7, 6), 2, 3, 5, 3, 4, 0.3),
    ],  # input_dim, F, filter size, hidden, classes, N, reg
    seed=0,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_forward_naive", M.conv_forward, None),
    ("conv_backward_naive", M.conv_backward, None),
    ("im2col", M.im2col_windows, None),
    ("col2im", M.col2im_taps, None),
    ("conv_forward_im2col", M.conv_im2col_forward, None),
    ("conv_backward_im2col", M.conv_im2col_backward, None),
    ("max_pool_forward_naive", M.max_forward, None),
    ("max_pool_backward_naive", M.max_backward, None),
    ("avg_pool_forward_naive", M.avg_forward, None),
    ("spatial_batchnorm_forward", M.bn_forward, None),
    ("spatial_batchnorm_forward", M.bn_forward_staged, None),
    ("spatial_batchnorm_backward", M.bn_backward, None),
    ("spatial_groupnorm_forward", M.gn_forward, None),
    ("three_layer_convnet_loss", M.convnet, None),
]

BY_RULE = {}

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES, BY_RULE))
