"""Verify tests/mistake_corpus_thirteenth_rest.py against cnnlab's reference implementations, without
the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (seed 2100): pooling and
normalization only, the convolution families are the other half's (their lists are empty).

Every row runs on a few inputs of its exercise's geometry: max pooling with stride > 1, (h, w) pairs,
windows that are not square, overlapping windows, rows that no window reads, and inputs of small
integers (ties); average pooling with padding as an int and as an (h, w) pair with a 0 in it,
count_include_pad True and False, overlapping windows, and zeros as after a ReLU; batch norm in train
and test mode, gamma (C,) and (1, C, 1, 1), given running statistics or none, other eps and momentum, a
batch of one, 1x1 maps, a channel of tiny variance, W = C (the batch-norm backward in train mode only);
group norm with G = 1, G = C, C / G != G, gamma (C,) and (1, C, 1, 1), other eps, 1x1 maps. A row with
``should_pass`` False must differ from the reference on at least one input (by a relative error above
1e-6, a different shape, or an exception); a row with ``should_pass`` True must match it on every input
to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_thirteenth_rest.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_thirteenth_rest as M
from corpus_verify import Geometries, main
from mistake_corpus_thirteenth_rest import CORPUS

GEOMETRIES = Geometries(
    conv=[],  # the other half's
    max_pool=[  # x shape, pool_param, integers (ties)
        ((2, 3, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 7, 9), {"pool_height": 3, "pool_width": 3, "stride": 2}, False),  # overlapping
        ((1, 3, 6, 8), {"pool_height": 2, "pool_width": 3, "stride": (2, 1)}, False),
        ((2, 2, 9, 6), {"pool_height": 3, "pool_width": 2, "stride": (3, 2)}, False),
        ((3, 2, 5, 7), {"pool_height": 2, "pool_width": 2, "stride": 1}, False),  # N > C
        ((2, 2, 8, 8), {"pool_height": 3, "pool_width": 3, "stride": 3}, False),  # last rows read by no window
        ((2, 3, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, True),
        ((2, 2, 5, 5), {"pool_height": 3, "pool_width": 3, "stride": 1}, True),
        ((1, 2, 7, 6), {"pool_height": 3, "pool_width": 2, "stride": (2, 1)}, True),
    ],
    avg_pool=[  # x shape, pool_param, zeros in x (after a ReLU)
        ((2, 3, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 7, 7), {"pool_height": 3, "pool_width": 3, "stride": 2, "pad": 1}, False),
        ((2, 2, 7, 7), {"pool_height": 3, "pool_width": 3, "stride": 2, "pad": 1, "count_include_pad": False}, True),
        ((1, 2, 6, 7), {"pool_height": 3, "pool_width": 2, "stride": (2, 1), "pad": (1, 0)}, False),
        (
            (2, 2, 8, 6),
            {"pool_height": 2, "pool_width": 4, "stride": (1, 3), "pad": (1, 2), "count_include_pad": False},
            False,
        ),
        ((2, 2, 5, 6), {"pool_height": 3, "pool_width": 3, "stride": 1, "pad": 1, "count_include_pad": False}, False),
        ((3, 2, 6, 5), {"pool_height": 2, "pool_width": 2, "stride": 1}, True),  # overlapping, no padding
        (
            (1, 3, 7, 6),
            {"pool_height": 4, "pool_width": 3, "stride": (3, 2), "pad": (2, 0), "count_include_pad": False},
            True,
        ),
    ],
    bn=[  # x shape, "C" or "1C11", bn_param spec
        ((4, 3, 4, 5), "C", {"mode": "train"}),
        ((3, 4, 3, 4), "C", {"mode": "train", "momentum": 0.75}),  # W = C
        ((2, 3, 4, 4), "1C11", {"mode": "train", "eps": 1e-3, "momentum": 0.6, "stats": True}),
        ((1, 3, 3, 4), "C", {"mode": "train", "stats": True}),  # a batch of one
        ((8, 3, 1, 1), "C", {"mode": "train", "stats": True}),  # 1x1 maps
        ((3, 3, 4, 4), "C", {"mode": "train", "tiny": True}),  # a channel of tiny variance
        ((2, 4, 3, 5), "1C11", {"mode": "train"}),
        ((3, 3, 4, 5), "C", {"mode": "test", "stats": True}),
        ((2, 4, 3, 3), "1C11", {"mode": "test", "stats": True, "eps": 1e-2}),
    ],
    gn=[  # x shape, G, "C" or "1C11", gn_param
        ((2, 6, 4, 3), 2, "C", {}),  # C / G = 3 != G
        ((3, 4, 3, 3), 1, "C", {}),  # layer norm
        ((2, 4, 3, 2), 4, "C", {}),  # instance norm
        ((2, 6, 3, 3), 3, "1C11", {"eps": 1e-3}),
        ((2, 8, 2, 3), 4, "C", {"eps": 0.1, "mode": "train"}),  # CS231n's bn_param passed along
        ((4, 6, 1, 1), 2, "1C11", {}),  # 1x1 maps
        ((2, 4, 3, 4), 2, "C", {}),  # W = C
    ],
    convnet=[],  # the other half's
    seed=2100,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("max_pool_forward_naive", M.maxpool_fwd_loops, None),
    ("max_pool_forward_naive", M.maxpool_fwd_ranges, None),
    ("max_pool_backward_naive", M.maxpool_bwd_argmax, None),
    ("max_pool_backward_naive", M.maxpool_bwd_mask, None),
    ("max_pool_backward_naive", M.maxpool_bwd_scan, None),
    ("max_pool_backward_naive", M.maxpool_bwd_vec, None),
    ("avg_pool_forward_naive", M.avgpool_fwd_pad, None),
    ("avg_pool_forward_naive", M.avgpool_fwd_clip, None),
    ("avg_pool_backward_naive", M.avgpool_bwd_pad, None),
    ("avg_pool_backward_naive", M.avgpool_bwd_vec, None),
    ("spatial_batchnorm_forward", M.bn_fwd_axes, None),
    ("spatial_batchnorm_forward", M.bn_fwd_matrix, None),
    ("spatial_batchnorm_backward", M.bn_bwd_compact, None),
    ("spatial_batchnorm_backward", M.bn_bwd_matrix, None),
    ("spatial_batchnorm_backward", M.bn_bwd_graph, M.bn_fwd_graph),
    ("spatial_groupnorm_forward", M.gn_fwd_view, None),
    ("spatial_groupnorm_forward", M.gn_fwd_slices, None),
    ("spatial_groupnorm_forward", M.gn_fwd_5d, None),
    ("spatial_groupnorm_backward", M.gn_bwd_view, None),
    ("spatial_groupnorm_backward", M.gn_bwd_sums, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
