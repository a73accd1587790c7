"""Verify tests/mistake_corpus_sixth_rest.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (other geometries, seed 700).
The corpus covers pooling and normalization only, so the conv and network families are empty.

Every row runs on a few inputs of its exercise's geometry (stride > 1 and stride (h, w) pairs,
windows that overlap and windows with rows left out, rectangular windows, ties from small
integers, padding given as an int and as a pair, count_include_pad both ways, exact zeros as
after a ReLU, train and test mode (the batch-norm backward in train mode only), given running
statistics and none, a channel of tiny variance, W = C, gamma as (C,) and (1, C, 1, 1), and
G = 1, 2, 3, 4 and C). A row with ``should_pass`` False must differ from the reference on at
least one input (by a relative error above 1e-6, a different shape, or an exception); a row with
``should_pass`` True must match it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_sixth_rest.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_sixth_rest as M
from corpus_verify import Geometries, main
from mistake_corpus_sixth_rest import CORPUS

GEOMETRIES = Geometries(
    conv=[],  # not in this half
    max_pool=[  # x shape, pool_param, integers (ties)
        ((2, 3, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 7, 9), {"pool_height": 3, "pool_width": 2, "stride": (2, 3)}, False),
        ((1, 3, 7, 7), {"pool_height": 3, "pool_width": 3, "stride": 1}, False),
        ((2, 2, 9, 8), {"pool_height": 3, "pool_width": 3, "stride": 2}, False),
        ((2, 2, 8, 10), {"pool_height": 2, "pool_width": 4, "stride": (3, 2)}, False),
        ((2, 1, 6, 5), {"pool_height": 2, "pool_width": 3, "stride": (2, 1)}, False),
        ((2, 2, 4, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, True),
        ((2, 2, 6, 7), {"pool_height": 3, "pool_width": 2, "stride": (1, 2)}, True),
        ((1, 2, 5, 5), {"pool_height": 3, "pool_width": 3, "stride": 2}, True),
    ],
    avg_pool=[  # x shape, pool_param, zeros in x (after a ReLU)
        ((2, 3, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 7, 7), {"pool_height": 3, "pool_width": 3, "stride": 2, "pad": 1}, False),
        ((2, 2, 7, 8), {"pool_height": 3, "pool_width": 3, "stride": 2, "pad": 1, "count_include_pad": False}, True),
        (
            (2, 2, 8, 9),
            {"pool_height": 4, "pool_width": 3, "stride": (2, 3), "pad": (2, 1), "count_include_pad": False},
            False,
        ),
        ((1, 3, 6, 7), {"pool_height": 3, "pool_width": 2, "stride": (1, 2), "pad": (1, 0)}, True),
        ((2, 2, 5, 5), {"pool_height": 3, "pool_width": 3, "stride": 1, "pad": 1, "count_include_pad": False}, False),
        ((2, 2, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2, "pad": 1, "count_include_pad": False}, True),
        ((2, 2, 7, 6), {"pool_height": 2, "pool_width": 2, "stride": 3}, False),
        ((2, 2, 9, 7), {"pool_height": 3, "pool_width": 3, "stride": 2, "pad": (0, 1)}, False),
    ],
    bn=[  # x shape, gamma as "C" or "1C11", bn_param (+ "stats": running statistics given, "tiny")
        ((4, 3, 5, 4), "C", {"mode": "train"}),
        ((3, 4, 3, 5), "1C11", {"mode": "train", "eps": 1e-4, "momentum": 0.75, "stats": True}),
        ((2, 3, 4, 3), "C", {"mode": "train", "stats": True}),  # W = C
        ((5, 2, 1, 1), "C", {"mode": "train"}),
        ((1, 3, 4, 4), "1C11", {"mode": "train", "stats": True, "momentum": 0.5}),
        ((3, 3, 3, 4), "C", {"mode": "train", "stats": True, "tiny": True}),
        ((2, 4, 3, 3), "C", {"mode": "test", "stats": True}),
        ((3, 2, 4, 5), "1C11", {"mode": "test", "stats": True, "eps": 1e-3}),
    ],
    gn=[  # x shape, G, gamma as "C" or "1C11", gn_param
        ((2, 6, 4, 4), 3, "C", {}),
        ((3, 4, 3, 5), 1, "C", {}),
        ((2, 4, 2, 3), 4, "1C11", {}),
        ((2, 8, 3, 3), 2, "C", {"eps": 1e-3}),
        ((2, 6, 3, 4), 2, "1C11", {"mode": "train"}),
        ((1, 6, 2, 6), 6, "C", {"eps": 0.05}),  # W = C
        ((3, 8, 2, 2), 4, "C", {}),
    ],
    convnet=[],  # not in this half
    seed=700,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("max_pool_forward_naive", M.max_fwd, None),
    ("max_pool_forward_naive", M.max_fwd_view, None),
    ("max_pool_backward_naive", M.max_bwd, None),
    ("max_pool_backward_naive", M.max_bwd_mask, None),
    ("max_pool_backward_naive", M.max_bwd_scatter, None),
    ("avg_pool_forward_naive", M.avg_fwd, None),
    ("avg_pool_forward_naive", M.avg_fwd_view, None),
    ("avg_pool_backward_naive", M.avg_bwd, None),
    ("avg_pool_backward_naive", M.avg_bwd_bcast, None),
    ("spatial_batchnorm_forward", M.bn_fwd, None),
    ("spatial_batchnorm_forward", M.bn_fwd_rows, None),
    ("spatial_batchnorm_backward", M.bn_bwd, None),
    ("spatial_batchnorm_backward", M.bn_bwd_rows, None),
    ("spatial_batchnorm_backward", M.bn_bwd_staged, M.bn_fwd_keep_x),
    ("spatial_groupnorm_forward", M.gn_fwd, None),
    ("spatial_groupnorm_forward", M.gn_fwd_loop, None),
    ("spatial_groupnorm_backward", M.gn_bwd, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
