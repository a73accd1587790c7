"""The small CNN of lesson 7: shapes, gradients (numerically checked), saving and loading."""

import json
import zipfile

import numpy as np
import pytest

from cnnlab.gradcheck import THRESHOLD, eval_numerical_gradient, relative_error_map
from cnnlab.model import ThreeLayerConvNet

NORMS = [None, "batch", "group"]


def small_model(norm=None, reg=0.1, dtype=np.float64, rng=0):
    """A model small enough for a numerical gradient check of every parameter (~500 of them)."""
    return ThreeLayerConvNet(
        input_dim=(2, 6, 6),
        num_filters=4,
        filter_size=3,
        hidden_dim=7,
        num_classes=5,
        norm=norm,
        groups=2,
        reg=reg,
        dtype=dtype,
        rng=rng,
    )


def small_batch(N=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, 2, 6, 6)), rng.integers(0, 5, N)


# ---------------------------------------------------------------------------------------------
# Shapes and initialization


@pytest.mark.parametrize("norm", NORMS)
def test_param_shapes_and_scores(norm):
    model = small_model(norm)
    expected = {"W1": (4, 2, 3, 3), "W2": (4 * 3 * 3, 7), "b2": (7,), "W3": (7, 5), "b3": (5,)}
    expected.update({"b1": (4,)} if norm is None else {"gamma1": (4,), "beta1": (4,)})
    assert {name: w.shape for name, w in model.params.items()} == expected
    X, y = small_batch()
    assert model.loss(X).shape == (3, 5)
    loss, grads = model.loss(X, y)
    assert np.isfinite(loss)
    assert {name: g.shape for name, g in grads.items()} == expected
    assert list(grads) == list(model.params)


def test_initial_loss_is_near_log_num_classes():
    model = ThreeLayerConvNet(input_dim=(1, 8, 8), num_filters=8, filter_size=3, hidden_dim=32, rng=0)
    X = np.random.default_rng(0).standard_normal((50, 1, 8, 8))
    loss, _ = model.loss(X, np.arange(50) % 10)
    assert abs(loss - np.log(10)) < 0.1  # a small last layer: all classes start about equally likely


def test_same_rng_same_weights_and_generator_accepted():
    a, b = small_model(rng=3), small_model(rng=np.random.default_rng(3))
    for name in a.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])
    assert not np.array_equal(a.params["W1"], small_model(rng=4).params["W1"])


def test_even_filter_size_and_odd_input_size():
    model = ThreeLayerConvNet(input_dim=(1, 7, 9), num_filters=2, filter_size=4, hidden_dim=3, num_classes=3)
    assert model.param_shapes()["W2"] == (2 * 3 * 4, 3)  # conv 6x8 (pad 1 shrinks by one), pool 3x4
    assert model.loss(np.zeros((2, 1, 7, 9))).shape == (2, 3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    model = small_model(dtype=dtype)
    X, y = small_batch()
    assert all(w.dtype == dtype for w in model.params.values())
    assert model.loss(X).dtype == dtype
    _, grads = model.loss(X, y)
    assert all(g.dtype == dtype for g in grads.values())


def test_predict_matches_argmax_of_scores_in_batches():
    model = small_model()
    X, _ = small_batch(N=11)
    np.testing.assert_array_equal(model.predict(X, batch_size=4), model.loss(X).argmax(axis=1))


def test_repr_describes_the_architecture():
    text = repr(small_model("group"))
    assert "conv 4 filters 3x3 - group norm (G=2)" in text and "parameters" in text


# ---------------------------------------------------------------------------------------------
# Gradients


@pytest.mark.parametrize("norm", NORMS)
def test_gradients_match_numerical_gradients(norm):
    """Every parameter's gradient, L2 term included, against centered differences (float64)."""
    model = small_model(norm, reg=0.1)
    X, y = small_batch()
    _, grads = model.loss(X, y)
    for name, w in model.params.items():
        numeric = eval_numerical_gradient(lambda _: model.loss(X, y)[0], w)  # perturbs w in place
        error = relative_error_map(grads[name], numeric).max()
        assert error < THRESHOLD, f"{name}: relative error {error:.1e}"


def test_regularization_adds_half_reg_sum_of_squares():
    X, y = small_batch()
    plain, reg = small_model(reg=0.0), small_model(reg=0.3)
    loss0, grads0 = plain.loss(X, y)
    loss1, grads1 = reg.loss(X, y)
    squares = sum(np.sum(reg.params[name] ** 2) for name in ("W1", "W2", "W3"))
    assert loss1 == pytest.approx(loss0 + 0.5 * 0.3 * squares)
    np.testing.assert_allclose(grads1["W2"], grads0["W2"] + 0.3 * reg.params["W2"])
    np.testing.assert_array_equal(grads1["b2"], grads0["b2"])  # biases are not regularized


def test_batchnorm_train_mode_updates_running_stats_test_mode_does_not():
    model = small_model("batch")
    X, y = small_batch()
    scores_before = model.loss(X)
    np.testing.assert_array_equal(model.bn_param["running_mean"], 0)  # scoring left them alone
    model.loss(X, y)
    assert not np.allclose(model.bn_param["running_mean"], 0)
    assert not np.allclose(model.loss(X), scores_before)  # test mode uses the new statistics


# ---------------------------------------------------------------------------------------------
# Saving and loading


@pytest.mark.parametrize("norm", NORMS)
def test_save_load_round_trip(tmp_path, norm):
    model = small_model(norm, dtype=np.float32)
    X, y = small_batch()
    model.loss(X, y)  # moves batch norm's running statistics away from their start
    path = model.save(tmp_path / "model.npz")
    assert path == tmp_path / "model.npz" and path.is_file()
    loaded = ThreeLayerConvNet.load(path)
    assert loaded.config == model.config
    for name in model.params:
        np.testing.assert_array_equal(loaded.params[name], model.params[name])
        assert loaded.params[name].dtype == np.float32
    np.testing.assert_array_equal(loaded.loss(X), model.loss(X))


def test_save_keeps_the_name_given(tmp_path):
    path = small_model().save(tmp_path / "weights.bin")
    assert path.name == "weights.bin" and ThreeLayerConvNet.load(path).config["num_filters"] == 4


def rewrite(path, arrays):
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def saved_arrays(tmp_path, norm=None):
    path = small_model(norm).save(tmp_path / "good.npz")
    with np.load(path) as npz:
        return {name: npz[name] for name in npz.files}


BAD_FILES = [
    ("not a zip", lambda tmp, arrays: (tmp / "m.npz").write_bytes(b"hello"), "not a cnnlab model file"),
    (
        "truncated",
        lambda tmp, arrays: (tmp / "m.npz").write_bytes((tmp / "good.npz").read_bytes()[:300]),
        "not a cnnlab model file",
    ),
    ("no header", lambda tmp, arrays: rewrite(tmp / "m.npz", {"W1": arrays["W1"]}), "no '__cnnlab__' header"),
    (
        "header not JSON",
        lambda tmp, arrays: rewrite(tmp / "m.npz", {**arrays, "__cnnlab__": np.array("{oops")}),
        "corrupt header",
    ),
    (
        "other format",
        lambda tmp, arrays: rewrite(tmp / "m.npz", {**arrays, "__cnnlab__": np.array('{"format": "x/9"}')}),
        "has format 'x/9'",
    ),
    ("missing array", lambda tmp, arrays: rewrite(tmp / "m.npz", drop(arrays, "b3")), r"missing arrays \['b3'\]"),
    ("wrong shape", lambda tmp, arrays: rewrite(tmp / "m.npz", {**arrays, "W3": np.zeros((7, 4))}), "'W3'.*shape"),
    ("NaN weights", lambda tmp, arrays: rewrite(tmp / "m.npz", {**arrays, "b2": np.full(7, np.nan)}), "NaN"),
    (
        "object array",
        lambda tmp, arrays: np.savez(tmp / "m.npz", **{**arrays, "W1": np.array([None], dtype=object)}),
        "not a cnnlab model file",
    ),
    ("invalid architecture", lambda tmp, arrays: rewrite(tmp / "m.npz", bad_config(arrays)), "invalid model.*norm"),
]


def drop(arrays, name):
    return {key: value for key, value in arrays.items() if key != name}


def bad_config(arrays):
    meta = json.loads(str(arrays["__cnnlab__"]))
    meta["config"]["norm"] = "layer"
    return {**arrays, "__cnnlab__": np.array(json.dumps(meta))}


@pytest.mark.parametrize("make, message", [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_load_refuses_bad_files_clearly(tmp_path, make, message):
    make(tmp_path, saved_arrays(tmp_path))
    with pytest.raises(ValueError, match=message):
        ThreeLayerConvNet.load(tmp_path / "m.npz")


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model file"):
        ThreeLayerConvNet.load(tmp_path / "nothing.npz")


def test_saved_file_is_a_plain_npz(tmp_path):
    path = small_model().save(tmp_path / "m.npz")
    with zipfile.ZipFile(path) as archive:
        assert "W1.npy" in archive.namelist()
    with np.load(path, allow_pickle=False) as npz:
        header = json.loads(str(npz["__cnnlab__"]))
    assert header["config"]["filter_size"] == 3


# ---------------------------------------------------------------------------------------------
# Bad arguments


BAD_ARGUMENTS = [
    ({"norm": "layer"}, ValueError, "norm must be one of None, 'batch', 'group', got 'layer'"),
    ({"norm": "group", "num_filters": 6, "groups": 4}, ValueError, r"groups must divide num_filters = 6 \(one of"),
    ({"filter_size": 2, "input_dim": (1, 2, 2)}, ValueError, "too small for a 2x2 filter"),
    ({"input_dim": (1, 8)}, ValueError, "input_dim must be a tuple"),
    ({"num_filters": 0}, ValueError, "num_filters must be an integer >= 1"),
    ({"reg": -1.0}, ValueError, "reg must be a number >= 0"),
    ({"dtype": np.int32}, ValueError, "dtype must be one of 'float32', 'float64', got 'int32'"),
    ({"dtype": "nonsense"}, ValueError, "dtype must be one of 'float32', 'float64', got 'nonsense'"),
]


@pytest.mark.parametrize("kwargs, exc, message", BAD_ARGUMENTS)
def test_bad_arguments_are_refused_clearly(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        ThreeLayerConvNet(**{"input_dim": (1, 8, 8), **kwargs})


def test_wrong_input_shape_is_refused_clearly():
    with pytest.raises(ValueError, match=r"X must have shape \(N, C, H, W\) = \(N, 2, 6, 6\)"):
        small_model().loss(np.zeros((3, 1, 6, 6)))
