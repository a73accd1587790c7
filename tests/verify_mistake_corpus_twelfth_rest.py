"""Verify tests/mistake_corpus_twelfth_rest.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (seed 1900): the pooling
and normalization half only, so the conv and convnet lists are empty.

Every row runs on a few inputs of its exercise's geometry (stride > 1, (h, w) pairs, overlapping
windows, ties, padding with and without count_include_pad, zeros after a ReLU, train and test
mode (the batch-norm backward in train mode only), gamma as (C,) and (1, C, 1, 1), several group
counts). A row with ``should_pass`` False must differ from the reference on at least one input (by
a relative error above 1e-6, a different shape, or an exception); a row with ``should_pass`` True
must match it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_twelfth_rest.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_twelfth_rest as M
from corpus_verify import Geometries, main
from mistake_corpus_twelfth_rest import CORPUS

GEOMETRIES = Geometries(
    conv=[],
    max_pool=[  # x shape, pool_param, integers (ties)
        ((2, 3, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),  # stride == pool
        ((2, 2, 7, 9), {"pool_height": 3, "pool_width": 2, "stride": (2, 1)}, False),
        ((1, 3, 7, 7), {"pool_height": 3, "pool_width": 3, "stride": 2}, False),
        ((2, 2, 8, 9), {"pool_height": 2, "pool_width": 3, "stride": (3, 2)}, False),
        ((2, 2, 5, 6), {"pool_height": 2, "pool_width": 2, "stride": 1}, False),
        ((2, 2, 6, 8), {"pool_height": 2, "pool_width": 2, "stride": 2}, True),
        ((2, 2, 6, 5), {"pool_height": 3, "pool_width": 3, "stride": 1}, True),
        ((1, 3, 7, 8), {"pool_height": 3, "pool_width": 2, "stride": (1, 2)}, True),
    ],
    avg_pool=[  # x shape, pool_param, zeros in x (after a ReLU)
        ((2, 3, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),  # no padding
        ((2, 2, 7, 8), {"pool_height": 3, "pool_width": 3, "stride": 2, "pad": 1}, False),
        (
            (2, 2, 7, 9),
            {"pool_height": 3, "pool_width": 4, "stride": (2, 3), "pad": (1, 2), "count_include_pad": False},
            False,
        ),
        ((2, 2, 6, 5), {"pool_height": 3, "pool_width": 3, "stride": 1, "pad": 1, "count_include_pad": False}, True),
        ((1, 3, 5, 6), {"pool_height": 2, "pool_width": 3, "stride": (1, 2), "pad": (1, 0)}, False),
        (
            (2, 2, 8, 6),
            {"pool_height": 4, "pool_width": 2, "stride": (2, 1), "pad": (2, 1), "count_include_pad": False},
            True,
        ),
        ((2, 2, 5, 5), {"pool_height": 3, "pool_width": 2, "stride": 1}, False),  # overlapping, no padding
    ],
    bn=[  # x shape, gamma "C" or "1C11", bn_param spec
        ((4, 3, 5, 6), "C", {"mode": "train"}),
        ((3, 4, 3, 5), "1C11", {"mode": "train", "eps": 1e-3, "momentum": 0.75, "stats": True}),
        ((2, 4, 3, 4), "C", {"mode": "train", "momentum": 0.6}),  # W = C
        ((1, 3, 4, 4), "C", {"mode": "train", "stats": True}),  # a batch of one
        ((6, 3, 1, 1), "1C11", {"mode": "train"}),  # 1x1 maps
        ((3, 3, 4, 4), "C", {"mode": "train", "stats": True, "tiny": True}),
        ((2, 3, 4, 5), "C", {"mode": "test", "stats": True}),
        ((2, 4, 3, 4), "1C11", {"mode": "test", "stats": True, "eps": 1e-2}),  # W = C
    ],
    gn=[  # x shape, G, gamma "C" or "1C11", gn_param
        ((2, 6, 4, 5), 2, "C", {}),
        ((3, 4, 3, 3), 1, "C", {}),  # layer norm
        ((2, 4, 3, 2), 4, "C", {}),  # instance norm
        ((2, 6, 3, 3), 3, "1C11", {"eps": 1e-3}),
        ((2, 8, 2, 3), 2, "C", {"eps": 0.1, "mode": "train"}),  # bn_param passed to group norm
        ((3, 4, 2, 4), 2, "1C11", {}),
    ],
    convnet=[],
    seed=1900,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("max_pool_forward_naive", M.max_fwd, None),
    ("max_pool_forward_naive", M.max_fwd_vec, None),
    ("max_pool_backward_naive", M.max_bwd, None),
    ("max_pool_backward_naive", M.max_bwd_scan, None),
    ("max_pool_backward_naive", M.max_bwd_mask, None),
    ("max_pool_backward_naive", M.max_bwd_scatter, None),
    ("avg_pool_forward_naive", M.avg_fwd, None),
    ("avg_pool_forward_naive", M.avg_fwd_count, None),
    ("avg_pool_backward_naive", M.avg_bwd, None),
    ("avg_pool_backward_naive", M.avg_bwd_vec, None),
    ("avg_pool_backward_naive", M.avg_bwd_direct, None),
    ("spatial_batchnorm_forward", M.bn_fwd, None),
    ("spatial_batchnorm_forward", M.bn_fwd_2d, None),
    ("spatial_batchnorm_backward", M.bn_bwd, None),
    ("spatial_batchnorm_backward", M.bn_bwd_short, None),
    ("spatial_batchnorm_backward", M.bn_bwd_staged, M.bn_fwd_keep_x),
    ("spatial_batchnorm_backward", M.bn_bwd_2d, None),
    ("spatial_groupnorm_forward", M.gn_fwd, None),
    ("spatial_groupnorm_backward", M.gn_bwd, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
