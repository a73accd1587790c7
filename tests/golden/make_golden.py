"""Regenerate the PyTorch reference arrays in tests/golden/*.npz (needs torch installed).

    python tests/golden/make_golden.py

For every family of ``cnnlab.families``, every row of its case table and every mode, it
stores the differentiable inputs, a random upstream gradient, and PyTorch's float64 output
and gradients (``<family>.npz``, keys ``<row>/<name>``; see ``row_name``). The default test
run compares cnnlab with these arrays, so it does not need PyTorch; CI also compares with a
live PyTorch (tests/test_torch_live.py). Rerun after adding a case or a family.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cnnlab import cases, families

HERE = Path(__file__).parent


def row_name(case, mode) -> str:
    """The key prefix of one case in one mode: its name, then the mode in brackets if any."""
    return case.name if mode is None else f"{case.name} [{mode}]"


def input_names(family) -> list:
    """Names of the differentiable inputs: the gradients' names without their 'd' (dx -> x)."""
    return [name[1:] for name in family.gradients]


def family_rows(family):
    """(row name, {array name: array}) for every case and mode of the family, from PyTorch."""
    for case in family.cases:
        for mode in family.modes:
            rng = cases.rng(case.name)
            args = list(family.arguments(case, rng, mode))
            leaves = {i: torch.tensor(args[i], requires_grad=True) for i in family.differentiable}
            out = family.torch_reference(torch, *[leaves.get(i, a) for i, a in enumerate(args)])
            dout = rng.standard_normal(tuple(out.shape))
            out.backward(torch.tensor(dout))
            row = {"dout": dout, "out": out.detach().numpy()}
            for i, name, grad in zip(family.differentiable, input_names(family), family.gradients, strict=True):
                row |= {name: args[i], grad: leaves[i].grad.numpy().copy()}
            yield row_name(case, mode), row | extras(family, case, mode, args)


def extras(family, case, mode, args) -> dict:
    """What a family's own tests compare beyond out and the gradients."""
    if family is families.CONV:  # im2col against PyTorch's unfold
        x, w, _, p = args
        unfold = F.unfold(torch.tensor(x), w.shape[2:], dilation=case.dilation, padding=case.pad, stride=case.stride)
        return {"cols": unfold.numpy()}
    if family is families.BATCHNORM:  # the running statistics before, and after PyTorch's update
        bn_param = args[3]
        running = {key: bn_param[key].copy() for key in ("running_mean", "running_var")}
        if mode == "train":
            rm, rv = (torch.tensor(bn_param[key]) for key in running)
            x, gamma, beta = (torch.tensor(a) for a in args[:3])
            F.batch_norm(x, rm, rv, gamma.reshape(-1), beta.reshape(-1), training=True, momentum=0.1, eps=1e-5)
            running |= {"torch_running_mean": rm.numpy(), "torch_running_var": rv.numpy()}
        return running
    return {}


def basic_rows():
    rng = cases.rng("basic")
    x, w, b = rng.standard_normal((3, 2, 4)), rng.standard_normal((8, 5)), rng.standard_normal(5)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out = xt.reshape(3, 8) @ wt + bt
    dout = rng.standard_normal(tuple(out.shape))
    out.backward(torch.tensor(dout))
    grads = {"dx": xt.grad.numpy(), "dw": wt.grad.numpy(), "db": bt.grad.numpy()}
    yield "affine", {"x": x, "w": w, "b": b, "dout": dout, "out": out.detach().numpy(), **grads}

    x = rng.standard_normal((4, 3, 2, 2))
    xt = torch.tensor(x, requires_grad=True)
    out = torch.relu(xt)
    dout = rng.standard_normal(tuple(out.shape))
    out.backward(torch.tensor(dout))
    yield "relu", {"x": x, "dout": dout, "out": out.detach().numpy(), "dx": xt.grad.numpy()}

    scores, y = rng.standard_normal((6, 4)) * 3, rng.integers(0, 4, 6)
    st = torch.tensor(scores, requires_grad=True)
    loss = F.cross_entropy(st, torch.tensor(y))
    loss.backward()
    yield "softmax_loss", {"scores": scores, "y": y, "loss": np.array(loss.item()), "dscores": st.grad.numpy()}


def save(filename: str, rows) -> None:
    arrays = {f"{name}/{key}": np.asarray(value) for name, row in rows for key, value in row.items()}
    np.savez_compressed(HERE / filename, **arrays)
    size = (HERE / filename).stat().st_size
    print(f"wrote {filename}: {len({k.split('/')[0] for k in arrays})} rows, {size / 1024:.0f} kB")


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    for family in families.FAMILIES:
        save(f"{family.name}.npz", family_rows(family))
    save("basic.npz", basic_rows())
    print(f"torch {torch.__version__}")
