"""Verifying a corpus of student mistakes (tests/mistake_corpus_*.py) against cnnlab's reference
implementations, without the checker: the machinery the corpora's verify scripts share.

Each script gives its own inputs (``Geometries``: conv geometries, pooling, batch norm, group norm
and network cases, a seed) and its corpus's helpers with bug=None (``bases``). Every row runs on
its exercise's inputs (the batch-norm backward in train mode only, as lesson 5 checks it). A row
with ``should_pass`` False must differ from the reference on at least one input (a relative error
above 1e-6, another shape, or an exception); a row with ``should_pass`` True must match it on
every input to below 1e-8.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass

import numpy as np

from cnnlab import im2col as I
from cnnlab import layers as L
from cnnlab import shapes
from cnnlab.model import ThreeLayerConvNet

RIGHT, WRONG = 1e-8, 1e-6


@dataclass(frozen=True, kw_only=True)
class Geometries:
    """A verify script's inputs.

    conv: (x shape, w shape, conv_param); max_pool: (x shape, pool_param, integers for ties);
    avg_pool: (x shape, pool_param, zeros as after a ReLU); bn: (x shape, "C" or "1C11", spec:
    bn_param plus "stats" for given running statistics, "tiny" for a channel of tiny variance);
    gn: (x shape, G, "C" or "1C11", gn_param); convnet: (input_dim, F, filter size, hidden,
    classes, N, reg); seed: added to every seed, so two scripts draw other numbers.
    """

    conv: list
    max_pool: list
    avg_pool: list
    bn: list
    gn: list
    convnet: list
    seed: int = 0


# ---------------------------------------------------------------------------------------------
# Inputs, per family


def rng(seed):
    return np.random.default_rng(seed)


def conv_inputs(g):
    for k, (xs, ws, cp) in enumerate(g.conv):
        r = rng(g.seed + k)
        yield r.standard_normal(xs), r.standard_normal(ws), r.standard_normal(ws[0]), cp


def window_args(cp):
    return cp.get("stride", 1), cp.get("pad", 0), cp.get("dilation", 1)


def max_pool_inputs(g):
    for k, (xs, pp, ints) in enumerate(g.max_pool):
        r = rng(g.seed + 10 + k)
        x = r.integers(0, 4, xs).astype(float) if ints else r.standard_normal(xs)
        yield x, pp


def avg_pool_inputs(g):
    for k, (xs, pp, zeros) in enumerate(g.avg_pool):
        r = rng(g.seed + 20 + k)
        x = r.standard_normal(xs)
        if zeros:
            x = np.maximum(x, 0)  # after a ReLU: exact zeros
        yield x, pp


def bn_inputs(g):
    """x with its own scale and shift per channel (and per sample), gamma, beta, bn_param."""
    for k, (xs, gshape, spec) in enumerate(g.bn):
        r = rng(g.seed + 30 + k)
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


def bn_train_inputs(g):
    """The train-mode inputs: batch norm's backward is checked in train mode only (lesson 5)."""
    return (args for args in bn_inputs(g) if args[3]["mode"] == "train")


def gn_inputs(g):
    for k, (xs, G, gshape, gp) in enumerate(g.gn):
        r = rng(g.seed + 40 + k)
        N, C, H, W = xs
        x = r.standard_normal(xs) * r.uniform(0.5, 3, (N, C, 1, 1)) + r.uniform(-2, 2, (N, C, 1, 1))
        gamma, beta = r.uniform(0.5, 2, C), r.standard_normal(C)
        if gshape == "1C11":
            gamma, beta = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
        yield x, gamma, beta, G, gp


def convnet_inputs(g):
    for k, (dim, F, K, hidden, classes, N, reg) in enumerate(g.convnet):
        model = ThreeLayerConvNet(
            input_dim=dim, num_filters=F, filter_size=K, hidden_dim=hidden, num_classes=classes, weight_scale=0.5, rng=k
        )
        r = rng(g.seed + 50 + k)
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


def _runs_conv_output_size(g, fn, forward):
    for size in (1, 3, 5, 7, 8, 10, 13):
        for kernel in (1, 2, 3, 5):
            for stride in (1, 2, 3):
                for pad in (0, 1, 2):
                    for dilation in (1, 2, 3):
                        args = (size, kernel, stride, pad, dilation)
                        yield (lambda a=args: fn(*a)), (lambda a=args: shapes.conv_output_size(*a))


def _runs_forward(reference):
    def runs(g, fn, forward):
        for x, w, b, cp in conv_inputs(g):
            a = (x, w, b, cp)
            yield (lambda a=a: fn(*a)[0]), (lambda a=a: reference(*a)[0])

    return runs


def _runs_conv_backward(ref_forward, ref_backward):
    def runs(g, fn, forward):
        for x, w, b, cp in conv_inputs(g):
            out, ref_cache = ref_forward(x, w, b, cp)
            dout = rng(g.seed + 99).standard_normal(out.shape)

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


def _runs_im2col(g, fn, forward):
    for x, w, _, cp in conv_inputs(g):
        args = (x, w.shape[2], w.shape[3], *window_args(cp))
        yield (lambda a=args: fn(*a)), (lambda a=args: I.im2col(*a))


def _runs_col2im(g, fn, forward):
    for k, (x, w, _, cp) in enumerate(conv_inputs(g)):
        HH, WW = w.shape[2:]
        cols = rng(g.seed + 60 + k).standard_normal(I.im2col(x, HH, WW, *window_args(cp)).shape)
        args = (cols, x.shape, HH, WW, *window_args(cp))
        yield (lambda a=args: fn(*a)), (lambda a=args: I.col2im(*a))


def _runs_pool_forward(reference, inputs):
    def runs(g, fn, forward):
        for x, pp in inputs(g):
            yield (lambda x=x, pp=pp: fn(x, pp)[0]), (lambda x=x, pp=pp: reference(x, pp)[0])

    return runs


def _runs_pool_backward(ref_forward, ref_backward, inputs):
    def runs(g, fn, forward):
        for k, (x, pp) in enumerate(inputs(g)):
            out, ref_cache = ref_forward(x, pp)
            dout = rng(g.seed + 70 + k).standard_normal(out.shape)

            def student(x=x, pp=pp, dout=dout, ref_cache=ref_cache):
                cache = ref_cache if forward is None else _own_forward(forward, ref_forward, (x, pp))
                return fn(dout, cache)

            yield student, (lambda dout=dout, ref_cache=ref_cache: ref_backward(dout, ref_cache))

    return runs


def _runs_bn_forward(g, fn, forward):
    for x, gamma, beta, bn_param in bn_inputs(g):

        def student(x=x, gamma=gamma, beta=beta, bn_param=bn_param):
            p = copy.deepcopy(bn_param)
            out = fn(x, gamma, beta, p)[0]
            return out, p.get("running_mean"), p.get("running_var")

        def reference(x=x, gamma=gamma, beta=beta, bn_param=bn_param):
            p = copy.deepcopy(bn_param)
            out = L.spatial_batchnorm_forward(x, gamma, beta, p)[0]
            return out, p.get("running_mean"), p.get("running_var")

        yield student, reference


def _runs_norm_backward(ref_forward, ref_backward, inputs):
    def runs(g, fn, forward):
        for k, args in enumerate(inputs(g)):
            out, ref_cache = ref_forward(*copy.deepcopy(args))
            dout = rng(g.seed + 80 + k).standard_normal(out.shape)

            def student(args=args, dout=dout, ref_cache=ref_cache, out=out):
                if forward is None:
                    cache = ref_cache
                else:
                    own, cache = forward(*copy.deepcopy(args))
                    assert error(own, out) < RIGHT, "the row's own forward is not right"
                return fn(dout, cache)

            yield student, (lambda dout=dout, ref_cache=ref_cache: ref_backward(dout, ref_cache))

    return runs


def _runs_gn_forward(g, fn, forward):
    for x, gamma, beta, G, gp in gn_inputs(g):
        yield (
            (lambda a=(x, gamma, beta, G, gp): fn(*copy.deepcopy(a))[0]),
            (lambda a=(x, gamma, beta, G, gp): L.spatial_groupnorm_forward(*copy.deepcopy(a))[0]),
        )


def _runs_convnet(g, fn, forward):
    for params, X, y, reg in convnet_inputs(g):
        for labels in (None, y):
            a = (params, X, labels, reg)
            yield (lambda a=a: fn(*a)), (lambda a=a: reference_convnet(*a))


RUNNERS = {
    "conv_output_size": _runs_conv_output_size,
    "conv_forward_naive": _runs_forward(L.conv_forward_naive),
    "conv_backward_naive": _runs_conv_backward(L.conv_forward_naive, L.conv_backward_naive),
    "im2col": _runs_im2col,
    "col2im": _runs_col2im,
    "conv_forward_im2col": _runs_forward(L.conv_forward_im2col),
    "conv_backward_im2col": _runs_conv_backward(L.conv_forward_im2col, L.conv_backward_im2col),
    "max_pool_forward_naive": _runs_pool_forward(L.max_pool_forward_naive, max_pool_inputs),
    "max_pool_backward_naive": _runs_pool_backward(
        L.max_pool_forward_naive, L.max_pool_backward_naive, max_pool_inputs
    ),
    "avg_pool_forward_naive": _runs_pool_forward(L.avg_pool_forward_naive, avg_pool_inputs),
    "avg_pool_backward_naive": _runs_pool_backward(
        L.avg_pool_forward_naive, L.avg_pool_backward_naive, avg_pool_inputs
    ),
    "spatial_batchnorm_forward": _runs_bn_forward,
    "spatial_batchnorm_backward": _runs_norm_backward(
        L.spatial_batchnorm_forward, L.spatial_batchnorm_backward, bn_train_inputs
    ),
    "spatial_groupnorm_forward": _runs_gn_forward,
    "spatial_groupnorm_backward": _runs_norm_backward(
        L.spatial_groupnorm_forward, L.spatial_groupnorm_backward, gn_inputs
    ),
    "three_layer_convnet_loss": _runs_convnet,
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


def verify_row(g, name, fn, forward):
    """(worst error over the inputs of ``g``, how many inputs, how many raised)."""
    worst, count, raised = 0.0, 0, 0
    for student, reference in RUNNERS[name](g, fn, forward):
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


def main(corpus, bases, g: Geometries, by_rule=None) -> int:
    """Verify every row of ``corpus`` (and that each helper of ``bases``, with bug=None, is right) on
    the inputs of ``g``; print a line per row. ``by_rule``: {(exercise, label): reason} for rows
    whose verdict the exercise's rules decide, not their numbers (e.g. a call grading hides).
    Returns the exit status: 1 if a row is not confirmed."""
    by_rule = by_rule or {}
    failures = []
    for name, fn, forward in bases:
        worst, count, raised = verify_row(g, name, fn, forward)
        print(
            f"{'ok ' if worst < RIGHT else 'NOT RIGHT'} base {fn.__name__:24s} worst error {worst:9.2e} ({count} inputs)"
        )
        if worst >= RIGHT:
            failures.append(f"base {fn.__name__}")
    per_exercise = {}
    for name, label, fn, forward, should_pass in corpus:
        worst, count, raised = verify_row(g, name, fn, forward)
        confirmed = worst < RIGHT if should_pass else worst > WRONG
        if (name, label) in by_rule:
            confirmed = True
            label += f" (by the exercise's rules: {by_rule[name, label]})"
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
    print(f"\n{len(corpus)} rows ({total_wrong} wrong, {total_right} right); not confirmed: {len(failures)}")
    for label in failures:
        print("  ", label)
    return 1 if failures else 0
