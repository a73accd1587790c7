"""Training: update rules, the training loop, progress bars and plots."""

import io
import subprocess
import sys

import numpy as np
import pytest

from cnnlab import train as T
from cnnlab.data import load_digits
from cnnlab.model import ThreeLayerConvNet


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def tiny_data(digits, n=40):
    """The first n training digits as train and as validation set: a task a net can memorize."""
    X, y = digits["X_train"][:n], digits["y_train"][:n]
    return {"X_train": X, "y_train": y, "X_val": X, "y_val": y}


def digits_model(seed=0, **kwargs):
    return ThreeLayerConvNet(input_dim=(1, 8, 8), num_filters=8, filter_size=3, hidden_dim=32, rng=seed, **kwargs)


# ---------------------------------------------------------------------------------------------
# Update rules


def test_sgd_momentum_two_steps_by_hand():
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 1.0])
    w1, state = T.sgd_momentum(w, dw, None, learning_rate=0.1, momentum=0.9)
    np.testing.assert_allclose(w1, [0.95, -2.1])  # v = -0.1 * dw
    w2, state = T.sgd_momentum(w1, dw, state, learning_rate=0.1, momentum=0.9)
    np.testing.assert_allclose(state["velocity"], [-0.095, -0.19])  # 0.9 * v - 0.1 * dw
    np.testing.assert_allclose(w2, [0.855, -2.29])
    np.testing.assert_array_equal(w, [1.0, -2.0])  # inputs untouched


def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    w, dw = np.array([1.0, 1.0, 1.0]), np.array([1e-3, -5.0, 200.0])
    w1, state = T.adam(w, dw, None, learning_rate=0.01)
    np.testing.assert_allclose(w1, w - 0.01 * np.sign(dw), rtol=1e-6)  # bias-corrected m/sqrt(v) = sign
    assert state["t"] == 1
    w2, state = T.adam(w1, dw, state, learning_rate=0.01)
    assert state["t"] == 2
    np.testing.assert_allclose(w2, w - 0.02 * np.sign(dw), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(T.OPTIMIZERS))
def test_update_rules_minimize_a_quadratic(name):
    target = np.array([3.0, -1.0, 0.5])
    w, state = np.zeros(3), None
    for _ in range(500):
        w, state = T.OPTIMIZERS[name](w, 2 * (w - target), state, learning_rate=0.05)
    np.testing.assert_allclose(w, target, atol=1e-3)


def test_adam_keeps_float32():
    w = np.ones(3, dtype=np.float32)
    w1, _ = T.adam(w, np.ones(3, dtype=np.float32), None)
    assert w1.dtype == np.float32


# ---------------------------------------------------------------------------------------------
# The training loop


@pytest.mark.parametrize("optimizer, lr", [("adam", 3e-3), ("sgd_momentum", 3e-2)])
def test_overfits_a_tiny_data_set(digits, optimizer, lr):
    model = digits_model()
    history = T.train(
        model,
        tiny_data(digits),
        epochs=25,
        batch_size=10,
        optimizer=optimizer,
        learning_rate=lr,
        lr_decay=1.0,
        progress=False,
    )
    assert len(history["loss"]) == 25 * 4 and len(history["val_acc"]) == 25
    assert np.mean(history["loss"][-4:]) < 0.1 * np.mean(history["loss"][:4])
    assert history["train_acc"][-1] == 1.0


def test_same_seed_same_history_and_weights(digits):
    runs = []
    for _ in range(2):
        model = digits_model(seed=5, norm="batch")
        history = T.train(model, digits, epochs=2, batch_size=50, seed=7, progress=False)
        runs.append((history, model))
    (h1, m1), (h2, m2) = runs
    assert h1["loss"] == h2["loss"] and h1["val_acc"] == h2["val_acc"] and h1["train_acc"] == h2["train_acc"]
    for name in m1.params:
        np.testing.assert_array_equal(m1.params[name], m2.params[name])
    np.testing.assert_array_equal(m1.bn_param["running_var"], m2.bn_param["running_var"])
    other = T.train(digits_model(seed=5, norm="batch"), digits, epochs=2, batch_size=50, seed=8, progress=False)
    assert other["loss"] != h1["loss"]  # the seed sets the batch order


def test_keep_best_restores_the_best_epoch(digits):
    model = digits_model()
    history = T.train(model, digits, epochs=4, batch_size=100, learning_rate=3e-3, progress=False)
    best = max(history["val_acc"])
    assert history["best_val_acc"] == best
    assert history["best_epoch"] == history["val_acc"].index(best) + 1
    assert T.accuracy(model, digits["X_val"], digits["y_val"]) == best


def test_without_keep_best_the_last_weights_stay(digits):
    model = digits_model(norm="batch")
    history = T.train(model, digits, epochs=3, batch_size=100, keep_best=False, progress=False)
    assert T.accuracy(model, digits["X_val"], digits["y_val"]) == history["val_acc"][-1]


def test_lr_decay_slows_the_steps(digits):
    """With lr_decay, the updates of later epochs are smaller (sgd without momentum effects aside)."""
    fast = digits_model()
    T.train(fast, tiny_data(digits), epochs=3, batch_size=40, optimizer="sgd_momentum", lr_decay=1.0, progress=False)
    slow = digits_model()
    T.train(slow, tiny_data(digits), epochs=3, batch_size=40, optimizer="sgd_momentum", lr_decay=0.1, progress=False)
    start = digits_model().params["W3"]
    assert np.abs(slow.params["W3"] - start).sum() < np.abs(fast.params["W3"] - start).sum()


def test_divergence_is_reported(digits):
    model = digits_model()
    message = r"training diverged; try a smaller learning_rate than 1e\+30"
    with pytest.raises(FloatingPointError, match=message), np.errstate(all="ignore"):
        T.train(model, tiny_data(digits), epochs=5, optimizer="sgd_momentum", learning_rate=1e30, progress=False)


BAD_ARGUMENTS = [
    ({"optimizer": "rmsprop"}, ValueError, "optimizer must be one of 'sgd_momentum', 'adam'"),
    ({"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
    ({"batch_size": 2.5}, TypeError, "batch_size must be an integer"),
    ({"learning_rate": -1.0}, ValueError, "learning_rate must be a number > 0"),
    ({"lr_decay": 1.5}, ValueError, r"lr_decay must be a number in \(0, 1\]"),
    ({"threads": 0}, ValueError, "threads must be an integer >= 1"),
]


@pytest.mark.parametrize("kwargs, exc, message", BAD_ARGUMENTS)
def test_bad_arguments_are_refused_clearly(digits, kwargs, exc, message):
    with pytest.raises(exc, match=message):
        T.train(digits_model(), tiny_data(digits), progress=False, **kwargs)


def test_bad_data_is_refused_clearly(digits):
    with pytest.raises(ValueError, match="data is missing 'X_val', 'y_val'"):
        T.train(digits_model(), {"X_train": digits["X_train"], "y_train": digits["y_train"]})
    with pytest.raises(ValueError, match=r"y_train must have shape \(N,\) with N = len\(X_train\)"):
        T.train(digits_model(), {**tiny_data(digits), "y_train": digits["y_train"][:3]})
    with pytest.raises(TypeError, match="data must be a dict"):
        T.train(digits_model(), [digits["X_train"], digits["y_train"]])


def test_accuracy_in_batches(digits):
    model = digits_model()
    X, y = digits["X_val"], digits["y_val"]
    expected = np.mean(model.loss(X).argmax(axis=1) == y)
    assert T.accuracy(model, X, y, batch_size=7) == pytest.approx(expected)


# ---------------------------------------------------------------------------------------------
# Progress bars


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_terminal_bar_redraws_in_place_on_a_terminal():
    out = FakeTerminal()
    bar = T.TerminalBar(4, "epoch 1/2", file=out, width=8)
    bar.update(2, "loss 1.5")
    bar.last_draw = 0.0  # skip the 0.1 s throttle
    bar.update(3, "loss 1.2")
    bar.close("done")
    text = out.getvalue()
    assert text.startswith("\repoch 1/2 |####    | 2/4  loss 1.5")
    assert text.endswith("\repoch 1/2 |########| 4/4  done    \n")  # spaces cover the longer line before


def test_terminal_bar_writes_one_line_per_epoch_elsewhere():
    out = io.StringIO()
    bar = T.TerminalBar(4, "epoch 1/2", file=out, width=8)
    for i in range(1, 5):
        bar.update(i, "loss 1.0")
    bar.close("val acc 0.9")
    assert out.getvalue() == "epoch 1/2 |########| 4/4  val acc 0.9\n"


def test_train_shows_progress_on_stderr(digits, capsys):
    T.train(digits_model(), tiny_data(digits), epochs=2, batch_size=20, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("epoch 2/2 |") and "val acc" in lines[1]


def test_no_progress_when_asked(digits, capsys):
    T.train(digits_model(), tiny_data(digits), epochs=1, progress=False)
    assert capsys.readouterr().err == ""


def test_notebook_bar_sets_its_widgets(capsys):
    bar = T.NotebookBar(5, "epoch 1/1")
    bar.update(5, "loss 0.5")
    assert bar.bar.value == 5 and "loss 0.5" in bar.label.value
    bar.close("val acc 0.9")
    assert bar.label.value == "val acc 0.9" and bar.bar.bar_style == "success"
    assert not T._in_notebook()  # pytest is not a Jupyter kernel


def test_importing_train_loads_no_plotting_or_widgets():
    code = "import sys, cnnlab.train; print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# Plots


def test_plot_history(digits, tmp_path):
    history = T.train(digits_model(), tiny_data(digits), epochs=3, batch_size=10, progress=False)
    fig = T.plot_history(history)
    ax_loss, ax_acc = fig.axes
    assert ax_loss.get_ylabel() == "training loss" and ax_acc.get_ylabel() == "accuracy"
    assert len(ax_acc.lines) == 3  # train, validation, best epoch marker
    fig.savefig(tmp_path / "history.png")
    assert (tmp_path / "history.png").stat().st_size > 1000


def test_plot_filters_before_and_after(tmp_path):
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((12, 1, 3, 3))
    fig = T.plot_filters(W1, before=W1 * 0.5, columns=8)
    assert len(fig.axes) == 24
    assert [text.get_text() for text in fig.texts] == ["First-layer filters", "before training", "after training"]
    np.testing.assert_array_equal(fig.axes[12].images[0].get_array(), W1[0, 0])
    rows = sorted({round(ax.get_position().y0, 3) for ax in fig.axes[:12]})
    assert len(rows) == 2  # 12 filters in rows of 8
    assert len(T.plot_filters(W1).axes) == 12
    fig.savefig(tmp_path / "filters.png")


def test_plot_filters_refuses_mismatched_before():
    with pytest.raises(ValueError, match=r"before must have the shape of W1 \(2, 1, 3, 3\)"):
        T.plot_filters(np.zeros((2, 1, 3, 3)), before=np.zeros((3, 1, 3, 3)))
