"""Verify tests/mistake_corpus_fourth.py against cnnlab's reference implementations, without the checker.

Modelled on tests/verify_mistake_corpus_third.py, with inputs of its own (other geometries, other
seeds, an even filter size for the network) (2026-12-03).

Every row runs on a few inputs of its exercise's geometry (stride > 1, padding, dilation,
rectangular shapes, (h, w) pairs, ties, zeros, train and test mode (the batch-norm backward in
train mode only), gamma as (C,) and (1, C, 1, 1), ...). A row with ``should_pass`` False must differ from the reference on at least
one input (by a relative error above 1e-6, a different shape, or an exception); a row with
``should_pass`` True must match it on every input to a relative error below 1e-8.

Run: ``PYTHONPATH=.:tests python tests/verify_mistake_corpus_fourth.py`` (exit status 1 if a row
is not confirmed).
"""

from __future__ import annotations

import copy
import sys
import warnings

import mistake_corpus_fourth as M
import numpy as np
from mistake_corpus_fourth import CORPUS

from cnnlab import im2col as I
from cnnlab import layers as L
from cnnlab import shapes
from cnnlab.model import ThreeLayerConvNet

RIGHT, WRONG = 1e-8, 1e-6

# ---------------------------------------------------------------------------------------------
# Inputs, per family


def rng(seed):
    return np.random.default_rng(seed)


CONV_GEOMETRIES = [  # x shape, w shape, conv_param
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
]


def conv_inputs():
    for k, (xs, ws, cp) in enumerate(CONV_GEOMETRIES):
        r = rng(400 + k)
        yield r.standard_normal(xs), r.standard_normal(ws), r.standard_normal(ws[0]), cp


def window_args(cp):
    return cp.get("stride", 1), cp.get("pad", 0), cp.get("dilation", 1)


MAX_POOL_CASES = [  # x shape, pool_param, integers (ties)
    ((2, 3, 6, 8), {"pool_height": 2, "pool_width": 2, "stride": 2}, False),
    ((2, 2, 9, 7), {"pool_height": 3, "pool_width": 2, "stride": (2, 1)}, False),
    ((1, 2, 6, 5), {"pool_height": 3, "pool_width": 3, "stride": 1}, False),
    ((2, 2, 8, 7), {"pool_height": 2, "pool_width": 3, "stride": (3, 2)}, False),
    ((2, 2, 7, 7), {"pool_height": 3, "pool_width": 3, "stride": 2}, False),
    ((2, 2, 6, 6), {"pool_height": 2, "pool_width": 2, "stride": 2}, True),
    ((1, 2, 5, 6), {"pool_height": 3, "pool_width": 3, "stride": 1}, True),
    ((2, 2, 7, 6), {"pool_height": 2, "pool_width": 3, "stride": (1, 2)}, True),
]


def max_pool_inputs():
    for k, (xs, pp, ints) in enumerate(MAX_POOL_CASES):
        r = rng(410 + k)
        x = r.integers(0, 4, xs).astype(float) if ints else r.standard_normal(xs)
        yield x, pp


AVG_POOL_CASES = [  # x shape, pool_param, zeros in x
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
]


def avg_pool_inputs():
    for k, (xs, pp, zeros) in enumerate(AVG_POOL_CASES):
        r = rng(420 + k)
        x = r.standard_normal(xs)
        if zeros:
            x = np.maximum(x, 0)  # after a ReLU: exact zeros
        yield x, pp


def bn_inputs():
    """x with its own scale and shift per channel (and per sample), gamma, beta, bn_param."""
    cases = [
        ((4, 3, 5, 6), "C", {"mode": "train"}),
        ((3, 4, 3, 5), "1C11", {"mode": "train", "eps": 1e-3, "momentum": 0.8, "stats": True}),
        ((1, 4, 3, 3), "C", {"mode": "train", "stats": True}),
        ((6, 3, 1, 1), "C", {"mode": "train"}),
        ((3, 4, 2, 4), "C", {"mode": "train"}),
        ((2, 3, 4, 5), "C", {"mode": "test", "stats": True}),
        ((2, 3, 4, 5), "1C11", {"mode": "test", "stats": True, "eps": 1e-2}),
        ((3, 3, 4, 4), "C", {"mode": "train", "stats": True, "tiny": True}),
        ((2, 4, 3, 4), "C", {"mode": "train", "momentum": 0.7}),  # W = C
    ]
    for k, (xs, gshape, spec) in enumerate(cases):
        r = rng(430 + k)
        N, C, H, W = xs
        x = r.standard_normal(xs) * r.uniform(0.5, 3, (1, C, 1, 1)) + r.uniform(-2, 2, (N, C, 1, 1))
        if spec.get("tiny"):  # one channel of tiny variance, where eps matters
            x[:, 0] = 1e-3 * r.standard_normal((N, H, W)) + 0.5
        gamma, beta = r.uniform(0.5, 2, C), r.standard_normal(C)
        if gshape == "1C11":
            gamma, beta = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
        bn_param = {key: v for key, v in spec.items() if key not in ("stats", "tiny")}
        if spec.get("stats"):
            bn_param["running_mean"] = r.standard_normal(C)
            bn_param["running_var"] = r.uniform(0.3, 2, C)
        yield x, gamma, beta, bn_param


def bn_train_inputs():
    """The train-mode inputs: batch norm's backward is checked in train mode only (lesson 5)."""
    return (args for args in bn_inputs() if args[3]["mode"] == "train")


def gn_inputs():
    cases = [
        ((2, 6, 4, 5), 2, "C", {}),
        ((3, 4, 3, 3), 1, "C", {}),
        ((2, 4, 3, 2), 4, "C", {}),
        ((2, 6, 3, 3), 3, "1C11", {"eps": 1e-3}),
        ((2, 8, 2, 3), 2, "C", {"eps": 0.1, "mode": "train"}),
        ((2, 4, 3, 3), 2, "1C11", {}),
    ]
    for k, (xs, G, gshape, gp) in enumerate(cases):
        r = rng(440 + k)
        N, C, H, W = xs
        x = r.standard_normal(xs) * r.uniform(0.5, 3, (N, C, 1, 1)) + r.uniform(-2, 2, (N, C, 1, 1))
        gamma, beta = r.uniform(0.5, 2, C), r.standard_normal(C)
        if gshape == "1C11":
            gamma, beta = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
        yield x, gamma, beta, G, gp


CONVNET_CASES = [  # input_dim, F, K, hidden, classes, N, reg
    ((1, 8, 8), 4, 3, 10, 5, 3, 0.0),
    ((2, 6, 10), 3, 5, 7, 4, 2, 0.1),
    ((1, 8, 8), 3, 3, 6, 10, 1, 0.05),
    ((3, 7, 6), 2, 3, 5, 3, 4, 0.3),
    ((1, 9, 8), 3, 4, 6, 4, 3, 0.2),  # an even filter: pad (4 - 1) // 2 = 1
]


def convnet_inputs():
    for k, (dim, F, K, hidden, classes, N, reg) in enumerate(CONVNET_CASES):
        model = ThreeLayerConvNet(
            input_dim=dim, num_filters=F, filter_size=K, hidden_dim=hidden, num_classes=classes, weight_scale=0.5, rng=k
        )
        r = rng(450 + k)
        params = {name: v.copy() for name, v in model.params.items()}
        params["b1"] = 0.1 * r.standard_normal(params["b1"].shape)
        params["b2"] = 0.1 * r.standard_normal(params["b2"].shape)
        params["b3"] = 0.1 * r.standard_normal(params["b3"].shape)
        X = r.standard_normal((N, *dim))
        y = r.integers(0, classes, N)
        yield params, X, y, reg


def reference_convnet(params, X, y, reg):
    C, H, W = X.shape[1:]
    F, _, K, _ = params["W1"].shape
    model = ThreeLayerConvNet(
        input_dim=(C, H, W),
        num_filters=F,
        filter_size=K,
        hidden_dim=params["W2"].shape[1],
        num_classes=params["W3"].shape[1],
        reg=reg,
    )
    model.params = {name: v.copy() for name, v in params.items()}
    return model.loss(X) if y is None else model.loss(X, y)


# ---------------------------------------------------------------------------------------------
# One runner per exercise: yields (student result, reference result) per input


def runs_conv_output_size(fn, forward):
    for size in (1, 3, 5, 7, 8, 10, 13):
        for kernel in (1, 2, 3, 5):
            for stride in (1, 2, 3):
                for pad in (0, 1, 2):
                    for dilation in (1, 2, 3):
                        args = (size, kernel, stride, pad, dilation)
                        yield (lambda a=args: fn(*a)), (lambda a=args: shapes.conv_output_size(*a))


def runs_forward(reference):
    def runs(fn, forward):
        for x, w, b, cp in conv_inputs():
            a = (x, w, b, cp)
            yield (lambda a=a: fn(*a)[0]), (lambda a=a: reference(*a)[0])

    return runs


def runs_conv_backward(ref_forward, ref_backward):
    def runs(fn, forward):
        for x, w, b, cp in conv_inputs():
            out, ref_cache = ref_forward(x, w, b, cp)
            dout = rng(499).standard_normal(out.shape)

            def student(x=x, w=w, b=b, cp=cp, dout=dout, ref_cache=ref_cache):
                cache = ref_cache if forward is None else _own_forward(forward, ref_forward, (x, w, b, cp))
                return fn(dout, cache)

            yield student, (lambda dout=dout, ref_cache=ref_cache: ref_backward(dout, ref_cache))

    return runs


def _own_forward(forward, ref_forward, args):
    """The student's forward, which must be right; returns its cache."""
    out, cache = forward(*args)
    assert error(out, ref_forward(*args)[0]) < RIGHT, "the row's own forward is not right"
    return cache


def runs_im2col(fn, forward):
    for x, w, _, cp in conv_inputs():
        args = (x, w.shape[2], w.shape[3], *window_args(cp))
        yield (lambda a=args: fn(*a)), (lambda a=args: I.im2col(*a))


def runs_col2im(fn, forward):
    for k, (x, w, _, cp) in enumerate(conv_inputs()):
        HH, WW = w.shape[2:]
        cols = rng(460 + k).standard_normal(I.im2col(x, HH, WW, *window_args(cp)).shape)
        args = (cols, x.shape, HH, WW, *window_args(cp))
        yield (lambda a=args: fn(*a)), (lambda a=args: I.col2im(*a))


def runs_pool_forward(reference, inputs):
    def runs(fn, forward):
        for x, pp in inputs():
            yield (lambda x=x, pp=pp: fn(x, pp)[0]), (lambda x=x, pp=pp: reference(x, pp)[0])

    return runs


def runs_pool_backward(ref_forward, ref_backward, inputs):
    def runs(fn, forward):
        for k, (x, pp) in enumerate(inputs()):
            out, ref_cache = ref_forward(x, pp)
            dout = rng(470 + k).standard_normal(out.shape)

            def student(x=x, pp=pp, dout=dout, ref_cache=ref_cache):
                cache = ref_cache if forward is None else _own_forward(forward, ref_forward, (x, pp))
                return fn(dout, cache)

            yield student, (lambda dout=dout, ref_cache=ref_cache: ref_backward(dout, ref_cache))

    return runs


def runs_bn_forward(fn, forward):
    for x, gamma, beta, bn_param in bn_inputs():

        def student(x=x, gamma=gamma, beta=beta, bn_param=bn_param):
            p = copy.deepcopy(bn_param)
            out = fn(x, gamma, beta, p)[0]
            return out, p.get("running_mean"), p.get("running_var")

        def reference(x=x, gamma=gamma, beta=beta, bn_param=bn_param):
            p = copy.deepcopy(bn_param)
            out = L.spatial_batchnorm_forward(x, gamma, beta, p)[0]
            return out, p.get("running_mean"), p.get("running_var")

        yield student, reference


def runs_norm_backward(ref_forward, ref_backward, inputs):
    def runs(fn, forward):
        for k, args in enumerate(inputs()):
            out, ref_cache = ref_forward(*copy.deepcopy(args))
            dout = rng(480 + k).standard_normal(out.shape)

            def student(args=args, dout=dout, ref_cache=ref_cache, out=out):
                if forward is None:
                    cache = ref_cache
                else:
                    own, cache = forward(*copy.deepcopy(args))
                    assert error(own, out) < RIGHT, "the row's own forward is not right"
                return fn(dout, cache)

            yield student, (lambda dout=dout, ref_cache=ref_cache: ref_backward(dout, ref_cache))

    return runs


def runs_gn_forward(fn, forward):
    for x, gamma, beta, G, gp in gn_inputs():
        yield (
            (lambda a=(x, gamma, beta, G, gp): fn(*copy.deepcopy(a))[0]),
            (lambda a=(x, gamma, beta, G, gp): L.spatial_groupnorm_forward(*copy.deepcopy(a))[0]),
        )


def runs_convnet(fn, forward):
    for params, X, y, reg in convnet_inputs():
        for labels in (None, y):
            a = (params, X, labels, reg)
            yield (lambda a=a: fn(*a)), (lambda a=a: reference_convnet(*a))


RUNNERS = {
    "conv_output_size": runs_conv_output_size,
    "conv_forward_naive": runs_forward(L.conv_forward_naive),
    "conv_backward_naive": runs_conv_backward(L.conv_forward_naive, L.conv_backward_naive),
    "im2col": runs_im2col,
    "col2im": runs_col2im,
    "conv_forward_im2col": runs_forward(L.conv_forward_im2col),
    "conv_backward_im2col": runs_conv_backward(L.conv_forward_im2col, L.conv_backward_im2col),
    "max_pool_forward_naive": runs_pool_forward(L.max_pool_forward_naive, max_pool_inputs),
    "max_pool_backward_naive": runs_pool_backward(L.max_pool_forward_naive, L.max_pool_backward_naive, max_pool_inputs),
    "avg_pool_forward_naive": runs_pool_forward(L.avg_pool_forward_naive, avg_pool_inputs),
    "avg_pool_backward_naive": runs_pool_backward(L.avg_pool_forward_naive, L.avg_pool_backward_naive, avg_pool_inputs),
    "spatial_batchnorm_forward": runs_bn_forward,
    "spatial_batchnorm_backward": runs_norm_backward(
        L.spatial_batchnorm_forward, L.spatial_batchnorm_backward, bn_train_inputs
    ),
    "spatial_groupnorm_forward": runs_gn_forward,
    "spatial_groupnorm_backward": runs_norm_backward(
        L.spatial_groupnorm_forward, L.spatial_groupnorm_backward, gn_inputs
    ),
    "three_layer_convnet_loss": runs_convnet,
}

# ---------------------------------------------------------------------------------------------
# Comparing


def _leaves(value):
    """Numbers and arrays of a result, in order (dicts by key)."""
    if isinstance(value, dict):
        return [("dict", tuple(sorted(value)))] + [leaf for key in sorted(value) for leaf in _leaves(value[key])]
    if isinstance(value, (tuple, list)):
        return [("seq", len(value))] + [leaf for item in value for leaf in _leaves(item)]
    return [value]


def error(a, b) -> float:
    """Largest relative error between two results (inf for another structure, shape or a NaN)."""
    la, lb = _leaves(a), _leaves(b)
    if len(la) != len(lb):
        return np.inf
    worst = 0.0
    for x, y in zip(la, lb):
        if isinstance(x, tuple) or isinstance(y, tuple):
            if x != y:
                return np.inf
            continue
        if x is None or y is None:
            if x is not y:
                return np.inf
            continue
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.shape != y.shape:
            return np.inf
        diff = np.abs(x - y)
        if not np.all(np.isfinite(diff)):
            return np.inf
        scale = max(float(np.max(np.abs(x), initial=0)), float(np.max(np.abs(y), initial=0)), 1e-300)
        worst = max(worst, float(np.max(diff, initial=0)) / scale)
    return worst


def verify_row(name, fn, forward):
    """(worst error over the inputs, how many inputs, how many raised)."""
    worst, count, raised = 0.0, 0, 0
    for student, reference in RUNNERS[name](fn, forward):
        expected = reference()
        count += 1
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                got = student()
        except AssertionError:
            raise
        except Exception:
            raised += 1
            worst = np.inf
            continue
        worst = max(worst, error(got, expected))
    return worst, count, raised


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


def main() -> int:
    failures = []
    for name, fn, forward in BASES:
        worst, count, raised = verify_row(name, fn, forward)
        print(
            f"{'ok ' if worst < RIGHT else 'NOT RIGHT'} base {fn.__name__:24s} worst error {worst:9.2e} ({count} inputs)"
        )
        if worst >= RIGHT:
            failures.append(f"base {fn.__name__}")
    per_exercise = {}
    for name, label, fn, forward, should_pass in CORPUS:
        worst, count, raised = verify_row(name, fn, forward)
        confirmed = worst < RIGHT if should_pass else worst > WRONG
        tally = per_exercise.setdefault(name, [0, 0])
        tally[0 if not should_pass else 1] += 1
        status = "ok " if confirmed else "NOT CONFIRMED"
        print(
            f"{status} {name:28s} {'right' if should_pass else 'wrong'}  worst error {worst:9.2e}  "
            f"({count} inputs, {raised} raised)  {label}"
        )
        if not confirmed:
            failures.append(f"{name}: {label}")
    print()
    for name, (wrong, right) in per_exercise.items():
        print(f"{name:28s} wrong {wrong:3d}   right {right}")
    total_wrong = sum(w for w, _ in per_exercise.values())
    total_right = sum(r for _, r in per_exercise.values())
    print(f"\n{len(CORPUS)} rows ({total_wrong} wrong, {total_right} right); not confirmed: {len(failures)}")
    for label in failures:
        print("  ", label)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
