"""Verify tests/mistake_corpus_tenth_rest.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (seed 1500; pooling and
normalization only: the conv and network families belong to the other half of the tenth corpus, so
their lists are empty).

Every row runs on a few inputs of its exercise's geometry: max pooling with stride > 1, (h, w)
stride pairs, overlapping windows, a global window and integer inputs with ties; average pooling with
padding (an int and an (h, w) pair, 0 on one axis), count_include_pad True and False, and inputs with
exact zeros (as after a ReLU); batch norm in train and test mode, with and without running
statistics, other eps and momentum, a batch of one, 1x1 maps, a channel of tiny variance, gamma as
(C,) and (1, C, 1, 1) (the backward in train mode only); group norm with G = 1, 2, 3, C, other eps
and batch norm's keys in gn_param. A row with ``should_pass`` False must differ from the reference
on at least one input (by a relative error above 1e-6, a different shape, or an exception); a row
with ``should_pass`` True must match it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_tenth_rest.py`` (exit status 1 if a
row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_tenth_rest as M
from corpus_verify import Geometries, main
from mistake_corpus_tenth_rest import CORPUS

GEOMETRIES = Geometries(
    conv=[],  # the other half's family
    max_pool=[  # x shape, pool_param, integers (ties)
        ((2, 3, 6, 8), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 9, 7), {"pool_height": 3, "pool_width": 2, "stride": (2, 1)}, False),
        ((1, 3, 7, 6), {"pool_height": 3, "pool_width": 3, "stride": 1}, False),
        ((2, 2, 8, 9), {"pool_height": 2, "pool_width": 3, "stride": (3, 2)}, False),
        ((2, 2, 7, 7), {"pool_height": 3, "pool_width": 3, "stride": 2}, False),
        ((3, 2, 4, 4), {"pool_height": 4, "pool_width": 4, "stride": 1}, False),  # one global window
        ((2, 2, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, True),
        ((1, 2, 5, 6), {"pool_height": 3, "pool_width": 3, "stride": 1}, True),
        ((2, 3, 7, 8), {"pool_height": 3, "pool_width": 2, "stride": (1, 2)}, True),
    ],  # x shape, pool_param, integers (ties)
    avg_pool=[  # x shape, pool_param, zeros in x
        ((2, 3, 6, 8), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
        ((2, 2, 7, 9), {"pool_height": 3, "pool_width": 3, "stride": 2, "pad": 1}, False),
        (
            (2, 2, 7, 6),
            {"pool_height": 3, "pool_width": 2, "stride": (2, 1), "pad": (1, 1), "count_include_pad": False},
            False,
        ),
        ((1, 3, 6, 7), {"pool_height": 3, "pool_width": 3, "stride": 1, "pad": 1, "count_include_pad": False}, True),
        ((2, 2, 8, 7), {"pool_height": 4, "pool_width": 3, "stride": 2, "pad": (2, 0)}, False),  # no pad on W
        ((2, 2, 5, 6), {"pool_height": 2, "pool_width": 2, "stride": 2, "pad": 1, "count_include_pad": False}, True),
        (
            (2, 2, 6, 6),
            {"pool_height": 3, "pool_width": 3, "stride": (1, 2), "pad": (0, 1), "count_include_pad": False},
            False,
        ),
        ((1, 2, 5, 5), {"pool_height": 2, "pool_width": 2, "stride": 1}, True),
    ],  # x shape, pool_param, zeros in x
    bn=[  # x shape, gamma shape, bn_param (+ "stats": running statistics given, "tiny": a tiny-variance channel)
        ((4, 3, 5, 6), "C", {"mode": "train"}),
        ((3, 4, 3, 5), "1C11", {"mode": "train", "eps": 1e-3, "momentum": 0.8, "stats": True}),
        ((1, 3, 4, 4), "C", {"mode": "train", "stats": True}),  # a batch of one
        ((5, 3, 1, 1), "C", {"mode": "train"}),  # 1x1 maps
        ((2, 4, 3, 4), "C", {"mode": "train", "momentum": 0.7}),  # W = C
        ((2, 3, 4, 5), "C", {"mode": "test", "stats": True}),
        ((3, 2, 3, 3), "1C11", {"mode": "test", "stats": True, "eps": 1e-2}),
        ((3, 3, 4, 4), "C", {"mode": "train", "stats": True, "tiny": True}),
        ((2, 3, 5, 3), "1C11", {"mode": "train"}),
    ],
    gn=[  # x shape, G, gamma shape, gn_param
        ((2, 6, 4, 5), 2, "C", {}),
        ((3, 4, 3, 3), 1, "C", {}),  # layer norm
        ((2, 4, 3, 2), 4, "C", {}),  # instance norm
        ((2, 6, 3, 3), 3, "1C11", {"eps": 1e-3}),
        ((2, 8, 2, 3), 2, "C", {"eps": 0.1, "mode": "train"}),  # batch norm's key, ignored
        ((1, 6, 2, 4), 6, "1C11", {}),
        ((2, 9, 2, 2), 3, "C", {}),
    ],
    convnet=[],  # the other half's family
    seed=1500,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("max_pool_forward_naive", M.mp_fwd_loop, None),
    ("max_pool_forward_naive", M.mp_fwd_batch, None),
    ("max_pool_forward_naive", M.mp_fwd_view, None),
    ("max_pool_forward_naive", M.mp_fwd_indices, None),
    ("max_pool_backward_naive", M.mp_bwd_loop, None),
    ("max_pool_backward_naive", M.mp_bwd_mask, None),
    ("max_pool_backward_naive", M.mp_bwd_scatter, None),
    ("avg_pool_forward_naive", M.avg_fwd_loop, None),
    ("avg_pool_forward_naive", M.avg_fwd_view, None),
    ("avg_pool_backward_naive", M.avg_bwd_loop, None),
    ("avg_pool_backward_naive", M.avg_bwd_batch, None),
    ("spatial_batchnorm_forward", M.bn_fwd, None),
    ("spatial_batchnorm_forward", M.bn_fwd_rows, None),
    ("spatial_batchnorm_forward", M.bn_fwd_staged, None),
    ("spatial_batchnorm_backward", M.bn_bwd, None),
    ("spatial_batchnorm_backward", M.bn_bwd_shortcut, None),
    ("spatial_batchnorm_backward", M.bn_bwd_staged, M.bn_fwd_staged),
    ("spatial_groupnorm_forward", M.gn_fwd, None),
    ("spatial_groupnorm_forward", M.gn_fwd_paper, None),
    ("spatial_groupnorm_forward", M.gn_fwd_staged, None),
    ("spatial_groupnorm_backward", M.gn_bwd, None),
    ("spatial_groupnorm_backward", M.gn_bwd_sums, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
