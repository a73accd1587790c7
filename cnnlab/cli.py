"""The ``cnnlab`` command (also ``python -m cnnlab``).

    cnnlab train --data digits|mnist [--mnist-dir DIR] [--epochs N] [--seed S] ...
    cnnlab release SRC... --out DIR [--exercises NAMES] [--force]
    cnnlab check NOTEBOOK...
    cnnlab grade SUBMISSION... --out grades.csv [--source NOTEBOOK] [--timeout S] [--jobs N]

Each subcommand is one ``add_*_parser(subparsers)`` function that registers its options
and sets ``run`` to the function that carries it out; ``SUBCOMMANDS`` lists them. A new
subcommand is one more such pair. Errors a user can fix (a missing folder, a damaged
file, a bad option) print one line to stderr and exit with status 1; no traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cnnlab
from cnnlab import train as T
from cnnlab.options import positive_float, positive_int

__all__ = ["main", "build_parser"]

# `cnnlab train --optimizer` option values -> the update rules of cnnlab.train, whose
# TRAINING_DEFAULTS and LEARNING_RATES are the defaults of every other option.
OPTIMIZERS = {"sgd": "sgd_momentum", "adam": "adam"}
DEFAULT_OPTIMIZER = next(option for option, rule in OPTIMIZERS.items() if rule == T.DEFAULT_OPTIMIZER)


def main(argv=None) -> int:
    """Run the command line ``argv`` (default: sys.argv[1:]); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.run(args)
    except (OSError, ValueError, FloatingPointError, MemoryError) as exc:
        message = " ".join(str(exc).split())  # one line, whatever the exception held
        print(f"cnnlab {args.command}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        newline = "\n" if sys.stderr.isatty() else ""  # end a progress bar's line first
        print(f"{newline}cnnlab {args.command}: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The parser for ``cnnlab``, with one subparser per entry of ``SUBCOMMANDS``."""
    parser = argparse.ArgumentParser(
        prog="cnnlab", description="cnnlab: learn how a CNN layer really works, by writing it and checking it."
    )
    parser.add_argument("--version", action="version", version=f"cnnlab {cnnlab.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add_parser in SUBCOMMANDS:
        add_parser(subparsers)
    return parser


# ---------------------------------------------------------------------------------------------
# cnnlab train


def add_train_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="train the small CNN of lesson 7 on handwritten digits",
        description=(
            "Train conv - relu - 2x2 max pool - affine - relu - affine - softmax on handwritten digits "
            "and report its test accuracy (the last line printed). Progress goes to stderr."
        ),
        epilog=(
            "Data: 'digits' is scikit-learn's 1,797 8x8 digits (1,257 train / 180 validation / 360 test), "
            "no download needed. 'mnist' reads the official gzip IDX files from --mnist-dir: with only the "
            "test split (t10k-*) there, it trains on its first 8,000 images (1,000 of them for validation) "
            "and tests on the last 2,000; if the training split (train-*) is there too, it trains on its "
            "first 8,000 and tests on all 10,000 test images."
        ),
    )
    p.add_argument("--data", choices=sorted(T.TRAINING_DEFAULTS), default="digits", help="data set (default: digits)")
    p.add_argument(
        "--mnist-dir",
        type=Path,
        metavar="DIR",
        help="folder with the MNIST .gz files (default: $CNNLAB_MNIST_DIR or ~/.cache/cnnlab/mnist)",
    )
    p.add_argument("--download", action="store_true", help="download the MNIST test split if it is missing")
    p.add_argument("--epochs", type=positive_int, metavar="N", help="passes over the training set")
    p.add_argument("--batch-size", type=positive_int, metavar="B", help="images per gradient step")
    p.add_argument("--lr", type=positive_float, metavar="LR", help="learning rate of the first epoch")
    p.add_argument(
        "--optimizer",
        choices=sorted(OPTIMIZERS),
        help=f"update rule (sgd has momentum 0.9; default {DEFAULT_OPTIMIZER})",
    )
    p.add_argument("--norm", choices=["none", "batch", "group"], default="none", help="normalization after the conv")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32", help="float32 (default) trains faster")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed for weights and batch order (default 0)")
    p.add_argument("--save", type=Path, metavar="FILE", help="save the trained model to FILE (.npz)")
    p.add_argument("--plots", type=Path, metavar="DIR", help="save history.png and filters.png in DIR")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    d, m = T.TRAINING_DEFAULTS["digits"], T.TRAINING_DEFAULTS["mnist"]
    rates = ", ".join(f"{T.LEARNING_RATES[rule]:g} for {option}" for option, rule in OPTIMIZERS.items())
    p.epilog += (
        f" Defaults: optimizer {DEFAULT_OPTIMIZER}; learning rate {rates}, multiplied by {d['lr_decay']} (digits) "
        f"or {m['lr_decay']} (mnist) after each epoch; digits: {d['epochs']} epochs of batches of "
        f"{d['batch_size']}; mnist: {m['epochs']} epochs of batches of {m['batch_size']}."
    )
    p.set_defaults(run=run_train)


def run_train(args) -> int:
    """Load the data, build and train the model, print what happened; return 0."""
    import numpy as np

    from cnnlab import data as datasets
    from cnnlab.model import ThreeLayerConvNet
    from cnnlab.train import accuracy, train

    if args.save and not args.save.parent.is_dir():
        raise FileNotFoundError(f"cannot save the model to {args.save}: there is no folder {args.save.parent}")
    defaults = T.TRAINING_DEFAULTS[args.data]
    optimizer = args.optimizer or DEFAULT_OPTIMIZER
    dtype = np.dtype(args.dtype)
    if args.data == "digits":
        data = datasets.load_digits(dtype=dtype)
    else:
        data = datasets.mnist_splits(args.mnist_dir, download=args.download, dtype=dtype)
    model = ThreeLayerConvNet(
        input_dim=data["X_train"].shape[1:],
        norm=None if args.norm == "none" else args.norm,
        dtype=dtype,
        rng=args.seed,
        **defaults["model"],
    )
    settings = {
        "epochs": args.epochs or defaults["epochs"],
        "batch_size": args.batch_size or defaults["batch_size"],
        "optimizer": OPTIMIZERS[optimizer],
        "learning_rate": args.lr or T.LEARNING_RATES[OPTIMIZERS[optimizer]],
        "lr_decay": defaults["lr_decay"],
        "seed": args.seed,
    }
    print(f"data: {data['description']}")
    print(f"model: {model}")
    print("training: " + ", ".join(f"{key} {value}" for key, value in settings.items()), flush=True)
    W1_before = model.params["W1"].copy()
    start = time.perf_counter()
    history = train(model, data, progress=not args.quiet, **settings)
    seconds = time.perf_counter() - start
    print(
        f"trained in {seconds:.1f} s; best validation accuracy {history['best_val_acc']:.4f} "
        f"at epoch {history['best_epoch']} (its parameters kept)"
    )
    if args.save:
        print(f"saved the model to {model.save(args.save)}")
    if args.plots:
        _save_plots(args.plots, history, model.params["W1"], W1_before)
    print(f"test accuracy: {accuracy(model, data['X_test'], data['y_test']):.4f}")
    return 0


def _save_plots(folder: Path, history, W1, W1_before) -> None:
    from cnnlab.train import plot_filters, plot_history

    folder.mkdir(parents=True, exist_ok=True)
    plot_history(history).savefig(folder / "history.png", dpi=100)
    plot_filters(W1, before=W1_before).savefig(folder / "filters.png", dpi=100)
    print(f"saved plots to {folder / 'history.png'} and {folder / 'filters.png'}")


# ---------------------------------------------------------------------------------------------
# cnnlab release / check / grade / report: the instructor workflow, in cnnlab.instructor.commands


def add_release_parser(subparsers) -> None:
    from cnnlab.instructor import commands

    commands.add_release_parser(subparsers)


def add_check_parser(subparsers) -> None:
    from cnnlab.instructor import commands

    commands.add_check_parser(subparsers)


def add_grade_parser(subparsers) -> None:
    from cnnlab.instructor import commands

    commands.add_grade_parser(subparsers)


def add_report_parser(subparsers) -> None:
    from cnnlab.instructor import commands

    commands.add_report_parser(subparsers)


SUBCOMMANDS = [add_train_parser, add_release_parser, add_check_parser, add_grade_parser, add_report_parser]

if __name__ == "__main__":
    sys.exit(main())
