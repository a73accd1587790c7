"""Verify tests/mistake_corpus_fifth_rest.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (other geometries and
seeds). The corpus is the pooling and normalization half of the fifth corpus, so the families of
the other half (conv, convnet) have no inputs here.

Every row runs on a few inputs of its exercise's geometry (stride > 1, (h, w) pairs for pool size,
stride and pad, overlapping windows, ties, padding with count_include_pad on and off, exact zeros,
train and test mode (the batch-norm backward in train mode only), gamma as (C,) and (1, C, 1, 1),
W = C, a channel of tiny variance, several group counts). A row with ``should_pass`` False must
differ from the reference on at least one input (by a relative error above 1e-6, a different
shape, or an exception); a row with ``should_pass`` True must match it on every input to a
relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_fifth_rest.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_fifth_rest as M
from corpus_verify import Geometries, main
from mistake_corpus_fifth_rest import CORPUS

GEOMETRIES = Geometries(
    conv=[],  # the other half's families: no inputs, no rows
    max_pool=[  # x shape, pool_param, integers (ties)
        ((2, 3, 9, 8), {"pool_height": 3, "pool_width": 2, "stride": (2, 3)}, False),
        ((2, 2, 6, 8), {"pool_height": 2, "pool_width": 3, "stride": 1}, False),
        ((1, 3, 8, 8), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 7, 7), {"pool_height": 3, "pool_width": 3, "stride": 2}, False),
        ((1, 2, 7, 5), {"pool_height": 2, "pool_width": 4, "stride": (3, 1)}, False),
        ((2, 2, 5, 8), {"pool_height": 3, "pool_width": 2, "stride": (1, 2)}, True),
        ((2, 2, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, True),
        ((2, 1, 5, 5), {"pool_height": 3, "pool_width": 3, "stride": 1}, True),
    ],  # x shape, pool_param, integers (ties)
    avg_pool=[  # x shape, pool_param, zeros in x (after a ReLU)
        ((2, 3, 6, 8), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 7, 9), {"pool_height": 3, "pool_width": 4, "stride": (2, 3), "pad": (1, 2)}, False),
        (
            (2, 2, 7, 9),
            {"pool_height": 3, "pool_width": 4, "stride": (2, 3), "pad": (1, 2), "count_include_pad": False},
            False,
        ),
        ((2, 2, 6, 6), {"pool_height": 3, "pool_width": 3, "stride": 1, "pad": 1, "count_include_pad": False}, True),
        ((1, 3, 5, 7), {"pool_height": 2, "pool_width": 3, "stride": (1, 2), "pad": (1, 0)}, True),
        ((2, 2, 5, 6), {"pool_height": 2, "pool_width": 2, "stride": 1, "count_include_pad": False}, True),
        (
            (2, 2, 8, 7),
            {"pool_height": 4, "pool_width": 3, "stride": 3, "pad": (2, 1), "count_include_pad": False},
            False,
        ),
        ((1, 2, 6, 5), {"pool_height": 3, "pool_width": 3, "stride": 2, "pad": 1}, True),
    ],  # x shape, pool_param, zeros in x
    bn=[  # x shape, gamma and beta as "C" or "1C11", bn_param ("stats": running statistics given, "tiny": a channel of tiny variance)
        ((3, 4, 5, 4), "C", {"mode": "train"}),  # W = C
        ((4, 3, 3, 5), "1C11", {"mode": "train", "momentum": 0.75, "stats": True}),
        ((2, 5, 3, 3), "C", {"mode": "train", "eps": 1e-4, "stats": True, "tiny": True}),
        ((5, 2, 1, 1), "C", {"mode": "train"}),  # 1x1 maps
        ((2, 3, 4, 6), "1C11", {"mode": "train"}),
        ((3, 3, 4, 4), "C", {"mode": "test", "stats": True}),
        ((2, 4, 3, 5), "1C11", {"mode": "test", "stats": True, "eps": 1e-3}),
        ((1, 3, 4, 3), "C", {"mode": "train", "stats": True, "momentum": 0.5}),  # a batch of one, W = C
    ],
    gn=[  # x shape, G, gamma and beta as "C" or "1C11", gn_param
        ((2, 6, 3, 4), 2, "C", {}),
        ((3, 6, 2, 2), 3, "1C11", {"eps": 1e-3}),
        ((2, 4, 3, 3), 1, "C", {}),  # layer norm
        ((2, 3, 4, 2), 3, "C", {}),  # instance norm
        ((2, 8, 2, 2), 4, "1C11", {"eps": 0.1}),
        ((1, 6, 3, 3), 2, "C", {"mode": "train"}),  # CS231n passes its bn_param
        ((2, 9, 2, 3), 3, "C", {}),
    ],
    convnet=[],  # the other half's families: no inputs, no rows
    seed=500,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("max_pool_forward_naive", M.max_fwd, None),
    ("max_pool_backward_naive", M.max_bwd, None),
    ("avg_pool_forward_naive", M.avg_fwd, None),
    ("avg_pool_backward_naive", M.avg_bwd, None),
    ("spatial_batchnorm_forward", M.bn_fwd, None),
    ("spatial_batchnorm_backward", M.bn_bwd, None),
    ("spatial_batchnorm_backward", M.bn_bwd_staged, M.bn_fwd_keep_x),
    ("spatial_groupnorm_forward", M.gn_fwd, None),
    ("spatial_groupnorm_backward", M.gn_bwd, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
