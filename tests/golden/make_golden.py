"""Regenerate the PyTorch reference arrays in tests/golden/*.npz (needs torch installed).

    python tests/golden/make_golden.py

For every row of the case tables in ``cnnlab.cases`` it stores the inputs, a random
upstream gradient, and PyTorch's float64 outputs and gradients. The default test run
compares cnnlab with these arrays, so it does not need PyTorch; CI also compares with a
live PyTorch (tests/test_torch_live.py). Rerun after adding a case.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cnnlab import cases

HERE = Path(__file__).parent
MOMENTUM = 0.9  # cnnlab's convention: the fraction of the old running value kept
EPS = 1e-5


def rng_for(name: str) -> np.random.Generator:
    """A generator seeded by the case name, so adding a case changes no other case."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def tensors(*arrays):
    return [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]


def backward(out, rng):
    """Backpropagate a random upstream gradient; return it as an array."""
    dout = rng.standard_normal(tuple(out.shape))
    out.backward(torch.tensor(dout))
    return dout


def grads(*ts):
    return [t.grad.numpy().copy() for t in ts]


def conv_rows():
    for case in cases.CONV_CASES:
        rng = rng_for(case.name)
        x, w, b = case.arrays(rng)
        xt, wt, bt = tensors(x, w, b)
        out = F.conv2d(xt, wt, bt, stride=case.stride, padding=case.pad, dilation=case.dilation)
        dout = backward(out, rng)
        dx, dw, db = grads(xt, wt, bt)
        kernel = w.shape[2:]
        unfold = F.unfold(torch.tensor(x), kernel, dilation=case.dilation, padding=case.pad, stride=case.stride)
        yield case.name, {
            "x": x, "w": w, "b": b, "dout": dout, "out": out.detach().numpy(), "dx": dx, "dw": dw, "db": db,
            "cols": unfold.numpy(),
        }  # fmt: skip


def pool_rows():
    for case in cases.POOL_CASES:
        rng = rng_for(case.name)
        (x,) = case.arrays(rng)
        (xt,) = tensors(x)
        out = F.max_pool2d(xt, (case.pool_height, case.pool_width), stride=case.stride)
        dout = backward(out, rng)
        (dx,) = grads(xt)
        yield case.name, {"x": x, "dout": dout, "out": out.detach().numpy(), "dx": dx}


def batchnorm_rows():
    for case in cases.BATCHNORM_CASES:
        rng = rng_for(case.name)
        x, gamma, beta = case.arrays(rng)
        C = x.shape[1]
        running_mean = rng.standard_normal(C)
        running_var = rng.uniform(0.5, 2.0, C)
        row = {"x": x, "gamma": gamma, "beta": beta, "running_mean": running_mean, "running_var": running_var}
        for mode in ("train", "test"):
            xt, gt, bt = tensors(x, gamma.reshape(C), beta.reshape(C))
            rm, rv = torch.tensor(running_mean), torch.tensor(running_var)
            # PyTorch's momentum is the weight of the new value: ours 0.9 is its 0.1.
            out = F.batch_norm(xt, rm, rv, gt, bt, training=mode == "train", momentum=1 - MOMENTUM, eps=EPS)
            dout = backward(out, rng)
            dx, dgamma, dbeta = grads(xt, gt, bt)
            row |= {f"{mode}_dout": dout, f"{mode}_out": out.detach().numpy(), f"{mode}_dx": dx}
            row |= {f"{mode}_dgamma": dgamma, f"{mode}_dbeta": dbeta}
            if mode == "train":  # PyTorch's running_var uses the unbiased batch variance
                row |= {"torch_running_mean": rm.numpy(), "torch_running_var": rv.numpy()}
        yield case.name, row


def groupnorm_rows():
    for case in cases.GROUPNORM_CASES:
        rng = rng_for(case.name)
        x, gamma, beta = case.arrays(rng)
        C = x.shape[1]
        xt, gt, bt = tensors(x, gamma.reshape(C), beta.reshape(C))
        out = F.group_norm(xt, case.groups, gt, bt, eps=EPS)
        dout = backward(out, rng)
        dx, dgamma, dbeta = grads(xt, gt, bt)
        yield case.name, {
            "x": x, "gamma": gamma, "beta": beta, "dout": dout, "out": out.detach().numpy(),
            "dx": dx, "dgamma": dgamma, "dbeta": dbeta,
        }  # fmt: skip


def basic_rows():
    rng = rng_for("basic")
    x, w, b = rng.standard_normal((3, 2, 4)), rng.standard_normal((8, 5)), rng.standard_normal(5)
    xt, wt, bt = tensors(x, w, b)
    out = xt.reshape(3, 8) @ wt + bt
    dout = backward(out, rng)
    dx, dw, db = grads(xt, wt, bt)
    yield "affine", {"x": x, "w": w, "b": b, "dout": dout, "out": out.detach().numpy(), "dx": dx, "dw": dw, "db": db}

    x = rng.standard_normal((4, 3, 2, 2))
    (xt,) = tensors(x)
    out = torch.relu(xt)
    dout = backward(out, rng)
    yield "relu", {"x": x, "dout": dout, "out": out.detach().numpy(), "dx": grads(xt)[0]}

    scores, y = rng.standard_normal((6, 4)) * 3, rng.integers(0, 4, 6)
    (st,) = tensors(scores)
    loss = F.cross_entropy(st, torch.tensor(y))
    loss.backward()
    yield "softmax_loss", {"scores": scores, "y": y, "loss": np.array(loss.item()), "dscores": grads(st)[0]}


def save(filename: str, rows) -> None:
    arrays = {f"{name}/{key}": np.asarray(value) for name, row in rows for key, value in row.items()}
    np.savez_compressed(HERE / filename, **arrays)
    size = (HERE / filename).stat().st_size
    print(f"wrote {filename}: {len({k.split('/')[0] for k in arrays})} cases, {size / 1024:.0f} kB")


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    save("conv.npz", conv_rows())
    save("pool.npz", pool_rows())
    save("batchnorm.npz", batchnorm_rows())
    save("groupnorm.npz", groupnorm_rows())
    save("basic.npz", basic_rows())
    print(f"torch {torch.__version__}")
