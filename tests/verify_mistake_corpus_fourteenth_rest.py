"""Verify tests/mistake_corpus_fourteenth_rest.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (seed 2300) for the
pooling and normalization half (no conv or network inputs: the other half has those).

Every row runs on a few inputs of its exercise's geometry: for pooling, stride > 1, (h, w) pairs
for the stride and the padding, windows that overlap, rectangular windows, a stride that leaves
rows out, ties (small integers), padding with and without count_include_pad, a pad of 0 on one
axis, zeros as after a ReLU; for the norms, train and test mode (the batch-norm backward in train
mode only), running statistics given or not, other eps and momentum, gamma as (C,) and
(1, C, 1, 1), a batch of one, 1x1 maps, a channel of tiny variance, and G = 1, 2, 3 and C. A row
with ``should_pass`` False must differ from the reference on at least one input (by a relative
error above 1e-6, a different shape, or an exception); a row with ``should_pass`` True must match
it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_fourteenth_rest.py`` (exit status 1
if a row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_fourteenth_rest as M
from corpus_verify import Geometries, main
from mistake_corpus_fourteenth_rest import CORPUS

GEOMETRIES = Geometries(
    conv=[],  # the other half's family
    max_pool=[  # x shape, pool_param, integers (ties)
        ((2, 3, 6, 8), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),  # side by side
        ((2, 2, 7, 7), {"pool_height": 3, "pool_width": 3, "stride": 2}, False),  # overlapping
        ((1, 2, 8, 9), {"pool_height": 2, "pool_width": 3, "stride": (2, 3)}, False),  # pairs, side by side
        ((2, 2, 7, 8), {"pool_height": 3, "pool_width": 2, "stride": (1, 2)}, False),  # overlap in rows only
        ((2, 1, 9, 6), {"pool_height": 2, "pool_width": 2, "stride": 3}, False),  # rows left out
        ((1, 2, 5, 5), {"pool_height": 2, "pool_width": 2, "stride": 1}, False),  # heavy overlap
        ((2, 2, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, True),  # ties
        ((1, 2, 7, 6), {"pool_height": 3, "pool_width": 2, "stride": (2, 1)}, True),  # ties, overlap
        ((2, 2, 3, 4), {"pool_height": 3, "pool_width": 4, "stride": 1}, False),  # one window
    ],
    avg_pool=[  # x shape, pool_param, zeros in x (after a ReLU)
        ((2, 3, 6, 8), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),  # no pad key
        ((2, 2, 5, 5), {"pool_height": 3, "pool_width": 3, "stride": 1}, False),  # overlap, no pad
        ((2, 2, 7, 7), {"pool_height": 3, "pool_width": 3, "stride": 2, "pad": 1}, False),
        (
            (2, 2, 7, 7),
            {"pool_height": 3, "pool_width": 3, "stride": 2, "pad": 1, "count_include_pad": False},
            False,
        ),
        (
            (1, 3, 7, 6),
            {"pool_height": 3, "pool_width": 2, "stride": (2, 1), "pad": (1, 0), "count_include_pad": False},
            False,
        ),
        ((2, 2, 6, 7), {"pool_height": 2, "pool_width": 4, "stride": (2, 3), "pad": (1, 2)}, False),
        (
            (2, 2, 5, 6),
            {"pool_height": 2, "pool_width": 3, "stride": 2, "pad": 1, "count_include_pad": False},
            True,
        ),
        ((3, 1, 8, 7), {"pool_height": 2, "pool_width": 2, "stride": 3}, False),  # rows left out
        (
            (1, 2, 4, 6),
            {"pool_height": 3, "pool_width": 3, "stride": 1, "pad": 1, "count_include_pad": False},
            True,
        ),
    ],
    bn=[  # x shape, "C" or "1C11", bn_param spec
        ((4, 3, 4, 5), "C", {"mode": "train"}),
        ((3, 4, 3, 3), "1C11", {"mode": "train", "momentum": 0.75, "stats": True}),
        ((1, 3, 4, 4), "C", {"mode": "train", "eps": 1e-3, "stats": True}),  # a batch of one
        ((7, 4, 1, 1), "C", {"mode": "train"}),  # 1x1 maps
        ((2, 5, 3, 4), "1C11", {"mode": "train"}),
        ((3, 3, 4, 4), "C", {"mode": "train", "stats": True, "tiny": True}),
        ((2, 3, 4, 5), "C", {"mode": "test", "stats": True}),
        ((3, 4, 2, 3), "1C11", {"mode": "test", "stats": True, "eps": 1e-2, "momentum": 0.5}),
        ((2, 2, 5, 3), "C", {"mode": "train", "momentum": 0.6, "eps": 1e-4}),
    ],
    gn=[  # x shape, G, "C" or "1C11", gn_param
        ((2, 6, 3, 4), 2, "C", {}),
        ((3, 4, 3, 3), 1, "C", {}),  # layer norm
        ((2, 4, 2, 3), 4, "C", {"eps": 1e-3}),  # instance norm
        ((1, 6, 2, 5), 3, "1C11", {}),
        ((2, 8, 3, 2), 4, "1C11", {"eps": 1e-2}),
        ((2, 6, 4, 3), 2, "C", {"mode": "train"}),  # CS231n's bn_param passed along
        ((3, 6, 1, 1), 3, "C", {}),  # 1x1 maps
    ],
    convnet=[],  # the other half's family
    seed=2300,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("max_pool_forward_naive", M.max_fwd, None),
    ("max_pool_forward_naive", M.max_fwd_view, None),
    ("max_pool_backward_naive", M.max_bwd, None),
    ("max_pool_backward_naive", M.max_bwd_mask, None),
    ("max_pool_backward_naive", M.max_bwd_addat, None),
    ("avg_pool_forward_naive", M.avg_fwd, None),
    ("avg_pool_forward_naive", M.avg_fwd_taps, None),
    ("avg_pool_backward_naive", M.avg_bwd, None),
    ("avg_pool_backward_naive", M.avg_bwd_taps, None),
    ("spatial_batchnorm_forward", M.bn_fwd, None),
    ("spatial_batchnorm_forward", M.bn_fwd_rows, None),
    ("spatial_batchnorm_forward", M.bn_fwd_keep, None),
    ("spatial_batchnorm_backward", M.bn_bwd, None),
    ("spatial_batchnorm_backward", M.bn_bwd_rows, None),
    ("spatial_batchnorm_backward", M.bn_bwd_staged, M.BN_STAGED_FORWARD),
    ("spatial_groupnorm_forward", M.gn_fwd, None),
    ("spatial_groupnorm_forward", M.gn_fwd_5d, None),
    ("spatial_groupnorm_forward", M.gn_fwd_loop, None),
    ("spatial_groupnorm_backward", M.gn_bwd, None),
    ("spatial_groupnorm_backward", M.gn_bwd_staged, M.GN_STAGED_FORWARD),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
