"""Verify tests/mistake_corpus_fourth.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_third.py, with inputs of its own (other geometries, other
seeds, an even filter size for the network) (2026-12-03).

Every row runs on a few inputs of its exercise's geometry (stride > 1, padding, dilation,
rectangular shapes, (h, w) pairs, ties, zeros, train and test mode (the batch-norm backward in
train mode only), gamma as (C,) and (1, C, 1, 1), ...). A row with ``should_pass`` False must differ from the reference on at least
one input (by a relative error above 1e-6, a different shape, or an exception); a row with
``should_pass`` True must match it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_fourth.py`` (exit status 1 if a row
is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_fourth as M
from corpus_verify import Geometries, main
from mistake_corpus_fourth import CORPUS

GEOMETRIES = Geometries(
    conv=[  # x shape, w shape, conv_param
        ((2, 3, 8, 8), (3, 3, 3, 3), {"stride": 2, "pad": 1}),
        ((2, 2, 7, 10), (2, 2, 3, 2), {"stride": (2, 1), "pad": (1, 2), "dilation": (1, 2)}),
        ((1, 2, 9, 9), (2, 2, 3, 3), {"stride": 1, "pad": 2, "dilation": 2}),
        ((2, 2, 9, 8), (3, 2, 2, 2), {"stride": 3, "dilation": 2}),
        ((3, 2, 6, 7), (2, 2, 3, 3), {}),
        ((2, 3, 9, 6), (2, 3, 2, 3), {"stride": (3, 2), "pad": (2, 1)}),
        ((2, 2, 6, 6), (3, 2, 3, 3), {"stride": 1, "pad": 1}),
        ((2, 2, 6, 9), (2, 2, 3, 3), {"stride": (1, 2), "pad": (0, 1), "dilation": (2, 1)}),
        ((2, 3, 7, 8), (4, 3, 3, 3), {"stride": (1, 2), "pad": 1}),  # W' = F = 4
        ((1, 2, 11, 10), (2, 2, 3, 3), {"stride": (2, 3), "pad": (2, 0), "dilation": (1, 2)}),
        ((2, 1, 5, 5), (1, 1, 1, 1), {"stride": 2}),
    ],  # x shape, w shape, conv_param
    max_pool=[  # x shape, pool_param, integers (ties)
        ((2, 3, 6, 8), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 9, 7), {"pool_height": 3, "pool_width": 2, "stride": (2, 1)}, False),
        ((1, 2, 6, 5), {"pool_height": 3, "pool_width": 3, "stride": 1}, False),
        ((2, 2, 8, 7), {"pool_height": 2, "pool_width": 3, "stride": (3, 2)}, False),
        ((2, 2, 7, 7), {"pool_height": 3, "pool_width": 3, "stride": 2}, False),
        ((2, 2, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, True),
        ((1, 2, 5, 6), {"pool_height": 3, "pool_width": 3, "stride": 1}, True),
        ((2, 2, 7, 6), {"pool_height": 2, "pool_width": 3, "stride": (1, 2)}, True),
    ],  # x shape, pool_param, integers (ties)
    avg_pool=[  # x shape, pool_param, zeros in x
        ((2, 3, 6, 8), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 9, 7), {"pool_height": 3, "pool_width": 2, "stride": (2, 1), "pad": (1, 1)}, False),
        ((2, 2, 6, 7), {"pool_height": 3, "pool_width": 3, "stride": 2, "pad": 1}, False),
        (
            (2, 2, 7, 9),
            {"pool_height": 3, "pool_width": 4, "stride": (2, 3), "pad": (1, 2), "count_include_pad": False},
            False,
        ),
        ((1, 2, 5, 6), {"pool_height": 2, "pool_width": 2, "stride": 2, "pad": 1, "count_include_pad": False}, False),
        ((2, 2, 6, 5), {"pool_height": 3, "pool_width": 3, "stride": 1, "pad": 1, "count_include_pad": False}, True),
        ((2, 2, 5, 5), {"pool_height": 4, "pool_width": 2, "stride": (1, 2), "pad": (2, 1)}, False),
        (
            (1, 3, 6, 5),
            {"pool_height": 3, "pool_width": 2, "stride": (2, 1), "pad": (1, 0), "count_include_pad": False},
            False,
        ),
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
        ((2, 4, 3, 4), "C", {"mode": "train", "momentum": 0.7}),  # W = C
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
        ((1, 9, 8), 3, 4, 6, 4, 3, 0.2),  # an even filter: pad (4 - 1) // 2 = 1
    ],  # input_dim, F, filter size, hidden, classes, N, reg
    seed=400,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("conv_forward_naive", M.conv_fwd, None),
    ("conv_backward_naive", M.conv_bwd, None),
    ("im2col", M.im2col_loop, None),
    ("col2im", M.col2im_loop, None),
    ("conv_forward_im2col", M.conv_fwd_cols, None),
    ("conv_backward_im2col", M.conv_bwd_cols, None),
    ("max_pool_forward_naive", M.max_fwd, None),
    ("max_pool_backward_naive", M.max_bwd, None),
    ("avg_pool_forward_naive", M.avg_fwd, None),
    ("avg_pool_backward_naive", M.avg_bwd, None),
    ("spatial_batchnorm_forward", M.bn_fwd, None),
    ("spatial_batchnorm_backward", M.bn_bwd, None),
    ("spatial_batchnorm_backward", M.bn_bwd_staged, M.bn_fwd_keep_x),
    ("spatial_groupnorm_forward", M.gn_fwd, None),
    ("spatial_groupnorm_backward", M.gn_bwd, None),
    ("spatial_groupnorm_backward", M.gn_bwd_staged, M.gn_fwd_keep_x),
    ("three_layer_convnet_loss", M.convnet, None),
]

# Rows whose verdict the exercise's rules decide: their numbers are right, but they call what
# grading hides for the im2col exercises (lesson 3 says to use your own im2col and col2im).
BY_RULE = {
    ("conv_forward_im2col", "tensordot over the rows"): "calls cnnlab.im2col.im2col",
    ("conv_backward_im2col", "einsum over the cached columns"): "calls cnnlab.im2col.col2im",
}

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES, BY_RULE))
