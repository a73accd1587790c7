"""Verify tests/mistake_corpus_seventh_rest.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_fourth.py, with inputs of its own (seed 900): the
pooling and normalization half of the seventh corpus, so the conv and network families are empty.

Every row runs on a few inputs of its exercise's geometry (stride > 1 and (h, w) stride pairs,
rectangular windows, overlapping windows, a window as large as x, ties (small integers), padding
as an int and as (h, w) pairs, count_include_pad True and False, exact zeros as after a ReLU,
train and test mode (the batch-norm backward in train mode only), given and absent running
statistics, other eps and momentum, a channel of tiny variance, gamma as (C,) and (1, C, 1, 1),
G = 1, 2, 3, C). A row with ``should_pass`` False must differ from the reference on at least one
input (by a relative error above 1e-6, a different shape, or an exception); a row with
``should_pass`` True must match it on every input to a relative error below 1e-8.

The machinery is ``tests/corpus_verify.py``; this file gives its inputs and its corpus's helpers.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_seventh_rest.py`` (exit status 1 if
a row is not confirmed).
"""

from __future__ import annotations

import sys

import mistake_corpus_seventh_rest as M
from corpus_verify import Geometries, main
from mistake_corpus_seventh_rest import CORPUS


def _pool(ph, pw, stride, **extra):
    return {"pool_height": ph, "pool_width": pw, "stride": stride, **extra}


GEOMETRIES = Geometries(
    conv=[],
    max_pool=[  # x shape, pool_param, integers (ties)
        ((2, 3, 6, 8), _pool(2, 2, 2), False),
        ((2, 2, 9, 7), _pool(3, 2, (2, 1)), False),
        ((1, 3, 7, 6), _pool(3, 3, 1), False),
        ((2, 2, 8, 7), _pool(2, 3, (3, 2)), False),  # row stride larger than the window
        ((2, 2, 7, 7), _pool(3, 3, 2), False),
        ((3, 2, 5, 9), _pool(2, 4, (2, 3)), False),
        ((2, 2, 4, 4), _pool(4, 4, 1), False),  # one window: global pooling
        ((2, 2, 6, 6), _pool(2, 2, 2), True),
        ((1, 2, 5, 6), _pool(3, 3, 1), True),
        ((2, 3, 7, 5), _pool(3, 2, (1, 2)), True),
    ],
    avg_pool=[  # x shape, pool_param, zeros in x (after a ReLU)
        ((2, 3, 6, 8), _pool(2, 2, 2), False),
        ((2, 2, 9, 7), _pool(3, 2, (2, 1), pad=(1, 1)), True),
        ((2, 2, 6, 7), _pool(3, 3, 2, pad=1), False),
        ((2, 2, 7, 9), _pool(3, 4, (2, 3), pad=(1, 2), count_include_pad=False), True),
        ((1, 2, 5, 6), _pool(2, 2, 2, pad=1, count_include_pad=False), False),
        ((2, 2, 6, 5), _pool(3, 3, 1, pad=1, count_include_pad=False), True),
        ((2, 2, 5, 5), _pool(4, 2, (1, 2), pad=(2, 1)), False),
        ((1, 3, 6, 5), _pool(3, 2, (2, 1), pad=(1, 0), count_include_pad=False), True),
        ((2, 2, 8, 6), _pool(3, 3, 3), False),  # windows side by side, rows left out
        ((2, 2, 5, 7), _pool(2, 3, (2, 1), pad=(0, 1), count_include_pad=False), True),
    ],
    bn=[  # x shape, gamma shape, bn_param spec
        ((4, 3, 5, 6), "C", {"mode": "train"}),
        ((3, 4, 3, 5), "1C11", {"mode": "train", "eps": 1e-3, "momentum": 0.8, "stats": True}),
        ((1, 4, 3, 3), "C", {"mode": "train", "stats": True}),
        ((6, 3, 1, 1), "C", {"mode": "train"}),
        ((2, 3, 4, 5), "C", {"mode": "test", "stats": True}),
        ((2, 3, 4, 5), "1C11", {"mode": "test", "stats": True, "eps": 1e-2}),
        ((3, 3, 4, 4), "C", {"mode": "train", "stats": True, "tiny": True}),
        ((2, 4, 3, 4), "C", {"mode": "train", "momentum": 0.7}),  # W = C
        ((2, 5, 3, 2), "1C11", {"mode": "train", "momentum": 0.5, "stats": True}),
    ],
    gn=[  # x shape, G, gamma shape, gn_param
        ((2, 6, 4, 5), 2, "C", {}),
        ((3, 4, 3, 3), 1, "C", {}),
        ((2, 4, 3, 2), 4, "C", {}),
        ((2, 6, 3, 3), 3, "1C11", {"eps": 1e-3}),
        ((2, 8, 2, 3), 2, "C", {"eps": 0.1, "mode": "train"}),
        ((1, 6, 2, 4), 6, "1C11", {}),
        ((2, 9, 2, 2), 3, "C", {"eps": 0.05}),
        ((2, 4, 3, 4), 2, "C", {"momentum": 0.9}),  # W = C; batch norm's keys ignored
    ],
    convnet=[],
    seed=900,
)

# The helpers with bug=None: each must be right, so that every wrong row holds one mistake only.
BASES = [
    ("max_pool_forward_naive", M.mp_fwd, None),
    ("max_pool_forward_naive", M.mp_fwd_view, None),
    ("max_pool_backward_naive", M.mp_bwd, None),
    ("max_pool_backward_naive", M.mp_bwd_scatter, None),
    ("avg_pool_forward_naive", M.ap_fwd, None),
    ("avg_pool_forward_naive", M.ap_fwd_view, None),
    ("avg_pool_backward_naive", M.ap_bwd, None),
    ("avg_pool_backward_naive", M.ap_bwd_taps, None),
    ("spatial_batchnorm_forward", M.bn_fwd, None),
    ("spatial_batchnorm_forward", M.bn_fwd_rows, None),
    ("spatial_batchnorm_forward", M.bn_fwd_staged, None),
    ("spatial_batchnorm_forward", M.bn_fwd_per_channel, None),
    ("spatial_batchnorm_backward", M.bn_bwd, None),
    ("spatial_batchnorm_backward", M.bn_bwd_staged, M.bn_fwd_staged),
    ("spatial_batchnorm_backward", M.bn_bwd_rows, None),
    ("spatial_batchnorm_backward", M.bn_bwd_per_channel, None),
    ("spatial_groupnorm_forward", M.gn_fwd, None),
    ("spatial_groupnorm_forward", M.gn_fwd_loop, None),
    ("spatial_groupnorm_forward", M.gn_fwd_staged, None),
    ("spatial_groupnorm_backward", M.gn_bwd, None),
    ("spatial_groupnorm_backward", M.gn_bwd_staged, M.gn_fwd_staged),
    ("spatial_groupnorm_backward", M.gn_bwd_loop, None),
]

if __name__ == "__main__":
    sys.exit(main(CORPUS, BASES, GEOMETRIES))
