"""Training a model with mini-batch gradient descent, with a progress bar and plots.

- ``sgd_momentum`` and ``adam``: update rules, each a pure function
  ``(w, dw, state) -> (next_w, next_state)`` applied to one parameter array at a time.
- ``train(model, data, ...)``: epochs of shuffled mini-batches; returns the history
  (loss per iteration, train and validation accuracy per epoch).
- ``plot_history(history)`` and ``plot_filters(W1)``: matplotlib Figures of the curves and
  of the first-layer filters.

A model is anything with a ``params`` dict and a ``loss(X, y=None)`` method as in
``cnnlab.model``. Importing this module imports neither matplotlib nor ipywidgets.

Lesson 7 (a small CNN end to end) uses this module.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time

import numpy as np

from cnnlab import shapes

__all__ = [
    "sgd_momentum",
    "adam",
    "OPTIMIZERS",
    "TRAINING_DEFAULTS",
    "DIGITS_DEFAULTS",
    "DEFAULT_OPTIMIZER",
    "LEARNING_RATES",
    "train",
    "accuracy",
    "plot_history",
    "plot_filters",
]

# The one place for training defaults: the settings of ``cnnlab train --data digits|mnist``
# for each data set (the model's constructor arguments, and those of ``train``, whose own
# defaults are the digits ones, as in lesson 7), chosen to meet issue #5's goals with room to
# spare on a busy 2-core machine (see benchmarks/bench_train.py). The learning rate depends on
# the update rule; lr_decay multiplies it after every epoch.
TRAINING_DEFAULTS = {
    "digits": {
        "model": {"num_filters": 32, "filter_size": 3, "hidden_dim": 128},
        "epochs": 10,
        "batch_size": 32,
        "lr_decay": 0.9,
    },
    "mnist": {
        "model": {"num_filters": 16, "filter_size": 5, "hidden_dim": 128},
        "epochs": 6,
        "batch_size": 64,
        "lr_decay": 0.7,
    },
}
DIGITS_DEFAULTS = TRAINING_DEFAULTS["digits"]
DEFAULT_OPTIMIZER = "sgd_momentum"
LEARNING_RATES = {"sgd_momentum": 0.03, "adam": 0.002}  # for the first epoch, by update rule


# ---------------------------------------------------------------------------------------------
# Update rules


def sgd_momentum(w, dw, state=None, learning_rate=1e-2, momentum=0.9):
    """One step of stochastic gradient descent with momentum.

    v = momentum * v - learning_rate * dw;  w = w + v

    Inputs: w and dw, arrays of one shape; state {'velocity': array like w} or None (a
    fresh start, v = 0). Returns (next_w, next_state); the inputs are not modified.
    """
    v = np.zeros_like(w) if state is None else state["velocity"]
    v = momentum * v - learning_rate * dw
    return w + v, {"velocity": v}


def adam(w, dw, state=None, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of Adam (Kingma and Ba, 2015), with bias-corrected moment estimates.

    m = beta1 * m + (1 - beta1) * dw;  v = beta2 * v + (1 - beta2) * dw**2;  t = t + 1
    w = w - learning_rate * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)

    Inputs: w and dw, arrays of one shape; state {'m', 'v': arrays like w, 't': int} or
    None (a fresh start). Returns (next_w, next_state); the inputs are not modified.
    """
    if state is None:
        state = {"m": np.zeros_like(w), "v": np.zeros_like(w), "t": 0}
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * dw
    v = beta2 * state["v"] + (1 - beta2) * (dw * dw)
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    next_w = w - learning_rate * m_hat / (np.sqrt(v_hat) + eps)
    return next_w.astype(w.dtype, copy=False), {"m": m, "v": v, "t": t}


OPTIMIZERS = {"sgd_momentum": sgd_momentum, "adam": adam}


# ---------------------------------------------------------------------------------------------
# Training


def train(
    model,
    data,
    epochs=DIGITS_DEFAULTS["epochs"],
    batch_size=DIGITS_DEFAULTS["batch_size"],
    optimizer=DEFAULT_OPTIMIZER,
    learning_rate=LEARNING_RATES[DEFAULT_OPTIMIZER],
    lr_decay=DIGITS_DEFAULTS["lr_decay"],
    seed=0,
    keep_best=True,
    num_train_check=1000,
    progress=True,
    threads=1,
):
    """Train ``model`` in place with mini-batches; return its history.

    The defaults are those of ``cnnlab train --data digits`` (for Adam, start from a
    learning rate of 0.002).

    Inputs:
    - model: has ``params`` (name -> array) and ``loss(X, y=None)``, as ``cnnlab.model``
    - data: dict with X_train (N, ...) and y_train (N,), X_val and y_val, as returned by
      ``cnnlab.data.load_digits`` or ``mnist_splits``
    - epochs: passes over the training set; each visits the images in a fresh random order
    - batch_size: images per gradient step (the last batch of an epoch may be smaller)
    - optimizer: 'adam' or 'sgd_momentum' (see ``OPTIMIZERS``)
    - learning_rate: the first epoch's step size; multiplied by ``lr_decay`` after each epoch
    - seed: seeds the batch order (and the sample of training images scored each epoch);
      the same model, data and seed give bit-for-bit the same history
    - keep_best: at the end, restore the parameters of the epoch with the best validation
      accuracy (early stopping, as CS231n's Solver does)
    - num_train_check: training images scored after each epoch (a fixed random sample)
    - progress: show a progress bar (a widget in Jupyter, a line on stderr in a terminal)
    - threads: BLAS threads while training, or None to leave the setting alone. The
      matrices here are small, and on a busy machine OpenBLAS threads wait for each other:
      on two shared cores, digits trained in 3 s on one thread and in 14-24 s on two.

    Returns history, a dict: 'loss' (one float per iteration), 'train_acc' and 'val_acc'
    (one per epoch), 'epoch_time' (seconds per epoch, training and scoring), 'best_epoch'
    (1-based) and 'best_val_acc'.
    """
    X_train, y_train, X_val, y_val = _check_data(data)
    epochs = shapes.check_int("epochs", epochs, 1)
    batch_size = shapes.check_int("batch_size", batch_size, 1)
    update = OPTIMIZERS[shapes.check_choice("optimizer", optimizer, OPTIMIZERS)]
    learning_rate = shapes.check_real("learning_rate", learning_rate, "a number > 0", 0.0, low_open=True)
    lr_decay = shapes.check_real("lr_decay", lr_decay, "a number in (0, 1]", 0.0, 1.0, low_open=True)
    num_train_check = shapes.check_int("num_train_check", num_train_check, 1)

    if threads is not None:
        threads = shapes.check_int("threads", threads, 1)

    rng = np.random.default_rng(seed)
    N = len(y_train)
    check_idx = rng.choice(N, min(N, num_train_check), replace=False)  # fixed sample to score each epoch
    iterations = math.ceil(N / batch_size)
    states = dict.fromkeys(model.params)  # the optimizer's state per parameter
    history = {"loss": [], "train_acc": [], "val_acc": [], "epoch_time": [], "best_epoch": 0, "best_val_acc": -1.0}
    best_state = None
    with _blas_threads(threads):
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            bar = _progress_bar(iterations, f"epoch {epoch:>{len(str(epochs))}}/{epochs}", progress)
            order = rng.permutation(N)
            lr = learning_rate * lr_decay ** (epoch - 1)
            for it in range(iterations):
                idx = order[it * batch_size : (it + 1) * batch_size]
                loss, grads = model.loss(X_train[idx], y_train[idx])
                if not math.isfinite(loss):
                    bar.close(f"loss {loss}")
                    raise _diverged(loss, epoch, it + 1, learning_rate)
                for name, w in model.params.items():
                    model.params[name], states[name] = update(w, grads[name], states[name], learning_rate=lr)
                history["loss"].append(loss)
                bar.update(it + 1, f"loss {loss:.4f}")

            train_acc = accuracy(model, X_train[check_idx], y_train[check_idx])
            val_acc = accuracy(model, X_val, y_val)
            history["train_acc"].append(train_acc)
            history["val_acc"].append(val_acc)
            history["epoch_time"].append(time.perf_counter() - start)
            if val_acc > history["best_val_acc"]:
                history["best_epoch"], history["best_val_acc"] = epoch, val_acc
                best_state = _snapshot(model) if keep_best else None
            mean_loss = float(np.mean(history["loss"][-iterations:]))
            seconds = history["epoch_time"][-1]
            bar.close(f"loss {mean_loss:.4f}  train acc {train_acc:.4f}  val acc {val_acc:.4f}  {seconds:.1f} s")
    if best_state is not None:
        _restore(model, best_state)
    return history


def _diverged(loss, epoch, iteration, learning_rate) -> FloatingPointError:
    return FloatingPointError(
        f"the loss became {loss} in epoch {epoch}, iteration {iteration}: training diverged; "
        f"try a smaller learning_rate than {learning_rate:g}"
    )


def accuracy(model, X, y, batch_size=500) -> float:
    """Fraction of images in X (N, ...) whose predicted class is the label in y (N,)."""
    y = np.asarray(y)
    if len(y) == 0:
        return float("nan")
    predicted = [model.loss(X[i : i + batch_size]).argmax(axis=1) for i in range(0, len(y), batch_size)]
    return float(np.mean(np.concatenate(predicted) == y))


def _check_data(data):
    """X_train, y_train, X_val, y_val from a split dict, checked for matching lengths."""
    if not isinstance(data, dict):
        raise TypeError(f"data must be a dict with X_train, y_train, X_val, y_val, got {type(data).__name__}")
    missing = [key for key in ("X_train", "y_train", "X_val", "y_val") if key not in data]
    if missing:
        raise ValueError(f"data is missing {', '.join(map(repr, missing))}; it needs X_train, y_train, X_val, y_val")
    arrays = []
    for part in ("train", "val"):
        X = shapes.check_array(f"X_{part}", data[f"X_{part}"])
        y = np.asarray(data[f"y_{part}"])
        if X.ndim < 2 or y.shape != (X.shape[0],):
            raise ValueError(f"y_{part} must have shape (N,) with N = len(X_{part}); got {y.shape} and {X.shape}")
        arrays += [X, y]
    if len(arrays[1]) == 0:
        raise ValueError("X_train is empty: there is nothing to train on")
    return arrays


def _blas_threads(threads):
    """A context that limits BLAS to ``threads`` threads (nothing if None or threadpoolctl is absent)."""
    try:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn
    except ImportError:
        threads = None
    if threads is None:
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads, user_api="blas")


def _snapshot(model) -> dict:
    """Copies of every array the model trains or updates (params, batch norm statistics)."""
    state = {"params": {name: w.copy() for name, w in model.params.items()}}
    bn_param = getattr(model, "bn_param", None)
    if bn_param is not None:
        state["bn"] = {key: bn_param[key].copy() for key in ("running_mean", "running_var")}
    return state


def _restore(model, state) -> None:
    model.params = state["params"]
    if "bn" in state:
        model.bn_param.update(state["bn"])


# ---------------------------------------------------------------------------------------------
# Progress bars: a widget in Jupyter, one line on stderr in a terminal


def _progress_bar(total, desc, show):
    if not show:
        return _SilentBar()
    if _in_notebook():
        return NotebookBar(total, desc)
    return TerminalBar(total, desc)


def _in_notebook() -> bool:
    """True inside a Jupyter kernel, Colab's included (checked without importing IPython)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return any(cls.__name__ == "ZMQInteractiveShell" for cls in type(shell).__mro__)


class _SilentBar:
    def update(self, done, text=""):
        pass

    def close(self, text=""):
        pass


class TerminalBar:
    """``epoch 2/5 |#########           |  45/110  loss 0.2345``, redrawn in place with '\\r'.

    ``update(done, text)`` redraws (at most 10 times a second, and only when ``file`` is
    a terminal); ``close(text)`` writes the finished line with a newline, so each epoch
    leaves one line behind, also in logs and pipes.
    """

    def __init__(self, total, desc, file=None, width=24):
        self.total, self.desc, self.width = total, desc, width
        self.file = sys.stderr if file is None else file
        self.live = getattr(self.file, "isatty", lambda: False)()
        self.last_draw = 0.0
        self.last_len = 0

    def line(self, done, text="") -> str:
        filled = self.width * done // max(self.total, 1)
        count = f"{done:>{len(str(self.total))}}/{self.total}"
        return f"{self.desc} |{'#' * filled}{' ' * (self.width - filled)}| {count}  {text}".rstrip()

    def update(self, done, text=""):
        now = time.perf_counter()
        if self.live and (now - self.last_draw >= 0.1 or done == self.total):
            self._draw(self.line(done, text))
            self.last_draw = now

    def close(self, text=""):
        self._draw(self.line(self.total, text))
        self.file.write("\n")
        self.file.flush()

    def _draw(self, line):
        pad = max(self.last_len - len(line), 0)
        self.file.write(("\r" if self.live else "") + line + " " * pad)
        self.file.flush()
        self.last_len = len(line)


class NotebookBar:
    """An ipywidgets progress bar with a label, one per epoch (ipywidgets imported on use)."""

    def __init__(self, total, desc):
        import ipywidgets
        from IPython.display import display

        self.bar = ipywidgets.IntProgress(
            value=0, min=0, max=total, description=desc, style={"description_width": "initial"}
        )  # "initial": the label takes the room it needs ("epoch 10/10" is not cut short)
        self.label = ipywidgets.Label()
        self.last_draw = 0.0
        display(ipywidgets.HBox([self.bar, self.label]))

    def update(self, done, text=""):
        now = time.perf_counter()
        if now - self.last_draw >= 0.1 or done == self.bar.max:  # each change is a message to the browser
            self.bar.value, self.label.value = done, f"{done}/{self.bar.max}  {text}"
            self.last_draw = now

    def close(self, text=""):
        self.bar.value, self.label.value = self.bar.max, text
        self.bar.bar_style = "success"


# ---------------------------------------------------------------------------------------------
# Plots (matplotlib imported on use; Figures are made without pyplot's global state)


def plot_history(history):
    """A Figure of the training curves: loss per iteration (left), accuracy per epoch (right).

    Inputs: history from ``train``. Returns a matplotlib Figure (display it in Jupyter by
    leaving it as the cell's last value, or save it with ``fig.savefig(path)``).
    """
    from matplotlib.figure import Figure

    loss = np.asarray(history["loss"], dtype=float)
    epochs = np.arange(1, len(history["train_acc"]) + 1)
    iterations = np.arange(1, len(loss) + 1)
    per_epoch = len(loss) / max(len(epochs), 1)

    fig = Figure(figsize=(10, 3.8), layout="constrained")
    ax_loss, ax_acc = fig.subplots(1, 2)
    ax_loss.plot(iterations / per_epoch, loss, color="tab:blue", alpha=0.3, lw=0.8, label="per iteration")
    window = max(int(per_epoch) // 4, 1)
    if len(loss) > window:
        smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
        ax_loss.plot(iterations[window - 1 :] / per_epoch, smooth, color="tab:blue", lw=2, label=f"mean of {window}")
    ax_loss.set(xlabel="epoch", ylabel="training loss", title="Loss", yscale="log")
    ax_loss.legend()
    ax_loss.grid(alpha=0.3)

    ax_acc.plot(epochs, history["train_acc"], "o-", label="train (sample)")
    ax_acc.plot(epochs, history["val_acc"], "s-", label="validation")
    best = history.get("best_epoch", 0)
    if best:
        ax_acc.axvline(best, color="gray", ls=":", label=f"best: epoch {best}")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy", xticks=epochs)
    ax_acc.legend(loc="lower right")
    ax_acc.grid(alpha=0.3)
    return fig


def plot_filters(W1, before=None, title="First-layer filters", columns=8):
    """A Figure of the first-layer filters, one small image each (channel 0 of each filter).

    Inputs: W1 (F, C, HH, WW); before: W1 at initialization, same shape, drawn as a block
    "before training" above W1 ("after training"); columns: filters per row. Each filter
    gets its own symmetric colour scale (red positive, blue negative), so its pattern shows
    whatever its size. Returns a matplotlib Figure.
    """
    from matplotlib.figure import Figure

    W1 = shapes.check_array("W1", W1, 4, "(F, C, HH, WW)")
    blocks = [("after training" if before is not None else "", W1)]
    if before is not None:
        before = shapes.check_array("before", before, 4, "(F, C, HH, WW)")
        if before.shape != W1.shape:
            raise ValueError(f"before must have the shape of W1 {W1.shape}, got {before.shape}")
        blocks = [("before training", before), *blocks]
    F = W1.shape[0]
    cols = min(F, shapes.check_int("columns", columns, 1))
    rows = math.ceil(F / cols)
    cell, gap, label_h, title_h = 0.8, 0.15, 0.35 if before is not None else 0.0, 0.5  # inches
    row_h = cell + 0.2  # a filter and its index above it
    width = cols * (cell + gap) + gap
    height = title_h + len(blocks) * (label_h + rows * row_h) + gap
    fig = Figure(figsize=(width, height))  # axes placed by hand: a layout engine is slow for 60 axes
    fig.suptitle(title, y=1 - 0.1 / height, va="top")
    top = height - title_h  # top of the current block, in inches from the bottom
    for label, weights in blocks:
        if label:
            fig.text(0.5, (top - label_h / 2) / height, label, ha="center", va="center")
        top -= label_h
        for f in range(F):
            r, c = divmod(f, cols)
            left, bottom = gap + c * (cell + gap), top - (r + 1) * row_h
            ax = fig.add_axes((left / width, bottom / height, cell / width, cell / height))
            kernel = weights[f, 0]
            limit = float(np.abs(kernel).max()) or 1.0
            ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
            ax.set_title(str(f), fontsize="x-small", pad=2)
            ax.set_axis_off()
        top -= rows * row_h
    return fig
