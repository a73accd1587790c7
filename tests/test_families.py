"""The generic layer tests: each one loops over the family records in ``cnnlab.families``.

For every family: its implementations agree on random geometries, every bad input gets the
family's own clear error from cnnlab's validation, floating dtypes are kept, inputs are not
modified, and the record names exercises and an explorer that exist. The comparisons with
PyTorch are in test_reference.py (golden arrays) and test_torch_live.py (a live PyTorch).
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnnlab.fast
import cnnlab.layers
from cnnlab import exercises, families
from cnnlab.families import FAMILIES

# (family, implementation) for every implementation of every family
IMPLEMENTATIONS = [(family, name) for family in FAMILIES for name in family.forward]
BAD_INPUTS = [(family, name, row) for family, name in IMPLEMENTATIONS for row in family.bad_inputs]


def implementation_id(value):
    return value.name if isinstance(value, families.Family) else None


def random_dout(family, args, seed):
    out, _ = family.forward[next(iter(family.forward))](*args)
    return np.random.default_rng(seed).standard_normal(out.shape)


def test_every_layer_of_cnnlab_layers_and_fast_belongs_to_one_family():
    functions = [f for family in FAMILIES for f in (*family.forward.values(), *family.backward.values())]
    in_families = {f.__name__ for f in functions}
    outside = {"affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss", "im2col", "col2im"}
    assert set(cnnlab.layers.__all__) - outside == in_families
    own = {name for name in cnnlab.fast.__all__ if getattr(cnnlab.fast, name) is not getattr(cnnlab.layers, name)}
    assert own <= {f.__name__ for f in functions if f.__module__.startswith("cnnlab.fast")}, (
        "a fast version no record names"
    )


@pytest.mark.parametrize("family", FAMILIES, ids=implementation_id)
def test_a_family_names_exercises_and_an_explorer_that_exist(family):
    import cnnlab.widgets

    assert set(family.exercises) <= set(exercises.names())
    assert isinstance(getattr(cnnlab.widgets, family.explorer), type)
    assert families.get(family.name) is family


@pytest.mark.parametrize("family", [f for f in FAMILIES if len(f.forward) > 1], ids=implementation_id)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_implementations_agree_on_random_geometries(family, data, seed):
    case = data.draw(family.geometries(st), label="case")
    mode = data.draw(st.sampled_from(family.modes), label="mode")
    args = family.arguments(case, np.random.default_rng(seed), mode)
    dout = random_dout(family, args, seed + 1)
    (first, out1, grads1), *others = [
        (name, *family.call(name, family.arguments(case, np.random.default_rng(seed), mode), dout))
        for name in family.forward
    ]
    assert out1.shape == dout.shape
    for name, out, grads in others:
        np.testing.assert_allclose(out, out1, rtol=1e-10, atol=1e-12, err_msg=f"{name} vs {first}: out")
        for what, g, g1 in zip(family.gradients, grads, grads1, strict=True):
            np.testing.assert_allclose(g, g1, rtol=1e-10, atol=1e-12, err_msg=f"{name} vs {first}: {what}")


@pytest.mark.parametrize(
    ("family", "implementation", "row"), BAD_INPUTS, ids=[f"{f.name}-{i}-{row[0]}" for f, i, row in BAD_INPUTS]
)
def test_bad_input_gets_the_familys_own_clear_error(family, implementation, row):
    _, change, error, message = row
    with pytest.raises(error, match=message) as info:
        family.forward[implementation](*change(*family.example()))
    assert info.traceback[-1].path.name == "shapes.py"  # raised by cnnlab's validation, not inside numpy
    with pytest.raises(error, match=message):  # the family's validator says the same
        family.validate(*change(*family.example()))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize(("family", "implementation"), IMPLEMENTATIONS, ids=lambda v: implementation_id(v) or v)
def test_forward_keeps_a_floating_dtype_and_makes_integers_float64(family, implementation, dtype):
    args = family.example()
    cast = tuple(a.astype(dtype) if isinstance(a, np.ndarray) else a for a in args)
    out, _ = family.forward[implementation](*cast)
    assert out.dtype == (np.float64 if dtype == np.int64 else dtype)


@pytest.mark.parametrize(("family", "implementation"), IMPLEMENTATIONS, ids=lambda v: implementation_id(v) or v)
def test_forward_and_backward_do_not_modify_their_array_inputs(family, implementation):
    case, mode = family.cases[0], family.modes[-1]
    args = family.arguments(case, np.random.default_rng(0), mode)
    copies = [np.copy(args[i]) for i in family.differentiable]
    dout = random_dout(family, family.arguments(case, np.random.default_rng(0), mode), 1)
    dout_copy = dout.copy()
    family.call(implementation, args, dout)
    for i, copy in zip(family.differentiable, copies, strict=True):
        np.testing.assert_array_equal(args[i], copy)
    np.testing.assert_array_equal(dout, dout_copy)


@pytest.mark.parametrize("family", FAMILIES, ids=implementation_id)
def test_every_case_of_the_table_passes_the_familys_validation(family):
    names = [case.name for case in family.cases]
    assert len(set(names)) == len(names), "case names are the golden arrays' keys: they must be unique"
    for case in family.cases:
        args = family.arguments(case, np.random.default_rng(0), family.modes[0])
        family.validate(*args)
