"""The `cnnlab` command: `cnnlab train` on digits (one fast epoch), MNIST, and its error paths."""

import gzip
import hashlib
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnlab import cli, data
from cnnlab.model import ThreeLayerConvNet

SHARED_MNIST = Path(__file__).resolve().parents[1] / "../shared/data/mnist"


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path):
    """Point the MNIST mirrors at an empty local folder: no test here may reach the internet."""
    monkeypatch.setattr(data, "MNIST_MIRRORS", ((tmp_path / "no-network").as_uri() + "/",))


def run(capsys, *argv):
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_train_digits_one_epoch(capsys, tmp_path):
    status, out, err = run(
        capsys, "train", "--data", "digits", "--epochs", "1", "--seed", "3", "--save", str(tmp_path / "m.npz")
    )
    assert status == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("data: scikit-learn digits, 8x8: 1,257 train / 180 validation / 360 test")
    assert lines[-1].startswith("test accuracy: 0.") and len(lines[-1]) == len("test accuracy: 0.XXXX")
    assert float(lines[-1].split()[-1]) > 0.8  # one epoch on digits already gets far above chance
    assert "epoch 1/1 |" in err and "val acc" in err  # progress goes to stderr
    model = ThreeLayerConvNet.load(tmp_path / "m.npz")
    assert model.config["input_dim"] == [1, 8, 8]


def test_same_seed_same_output(capsys):
    outputs = [run(capsys, "train", "--epochs", "1", "--batch-size", "128", "--quiet")[1] for _ in range(2)]
    strip = [[line for line in out.splitlines() if not line.startswith("trained in")] for out in outputs]
    assert strip[0] == strip[1]


def test_options_reach_the_model_and_training(capsys, tmp_path):
    argv = ["train", "--epochs", "1", "--norm", "group", "--dtype", "float64", "--optimizer", "sgd", "--lr", "0.01"]
    status, out, err = run(capsys, *argv, "--batch-size", "300", "--quiet", "--plots", str(tmp_path / "plots"))
    assert status == 0 and err == ""
    assert "group norm (G=4)" in out and "float64" in out and "optimizer sgd_momentum" in out
    assert "batch_size 300" in out and "learning_rate 0.01" in out
    assert (tmp_path / "plots" / "history.png").is_file() and (tmp_path / "plots" / "filters.png").is_file()


def test_each_optimizer_has_its_default_learning_rate(capsys):
    _, adam, _ = run(capsys, "train", "--epochs", "1", "--batch-size", "400", "--optimizer", "adam", "--quiet")
    _, sgd, _ = run(capsys, "train", "--epochs", "1", "--batch-size", "400", "--quiet")
    assert "optimizer adam, learning_rate 0.002" in adam
    assert "optimizer sgd_momentum, learning_rate 0.03" in sgd


def test_python_dash_m_cnnlab_works():
    result = subprocess.run([sys.executable, "-m", "cnnlab", "train", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--mnist-dir DIR" in result.stdout


def write_mnist(folder: Path, n: int, monkeypatch):
    """n random 28x28 images with MNIST's test-file names, accepted as official by patching the checksums."""
    rng = np.random.default_rng(0)
    arrays = (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), (np.arange(n) % 10).astype(np.uint8))
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in zip(data.MNIST_FILES["test"], arrays):
        header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
        (folder / name).write_bytes(gzip.compress(header + array.tobytes()))
        monkeypatch.setitem(data.MNIST_MD5, name, hashlib.md5((folder / name).read_bytes()).hexdigest())


@pytest.mark.skipif(
    not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").is_file(),
    reason=f"the official MNIST test split is not at {SHARED_MNIST}",
)
def test_train_mnist_one_epoch_on_the_real_test_split(capsys):
    status, out, _ = run(
        capsys, "train", "--data", "mnist", "--mnist-dir", str(SHARED_MNIST), "--epochs", "1", "--quiet"
    )
    assert status == 0
    assert "7,000 train / 1,000 validation" in out and "the last 2,000 of t10k" in out
    assert float(out.strip().splitlines()[-1].removeprefix("test accuracy: ")) > 0.9


# ---------------------------------------------------------------------------------------------
# Errors: one line on stderr, exit status 1, no traceback


def assert_one_line_error(status, out, err, *fragments):
    assert status == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith("cnnlab train: error: ")
    for fragment in fragments:
        assert fragment in err
    assert "test accuracy" not in out


def test_mnist_folder_missing(capsys, tmp_path):
    status, out, err = run(capsys, "train", "--data", "mnist", "--mnist-dir", str(tmp_path / "empty"))
    assert_one_line_error(status, out, err, str(tmp_path / "empty"), "t10k-images-idx3-ubyte.gz", "--download")


def test_mnist_default_folder_from_environment(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CNNLAB_MNIST_DIR", str(tmp_path / "env"))
    status, out, err = run(capsys, "train", "--data", "mnist")
    assert_one_line_error(status, out, err, str(tmp_path / "env"))


def test_mnist_download_without_network(capsys, tmp_path):
    status, out, err = run(capsys, "train", "--data", "mnist", "--mnist-dir", str(tmp_path / "d"), "--download")
    assert_one_line_error(status, out, err, "could not download t10k-images-idx3-ubyte.gz")
    assert list((tmp_path / "d").iterdir()) == []


def test_mnist_damaged_file(capsys, tmp_path, monkeypatch):
    write_mnist(tmp_path, 20, monkeypatch)
    monkeypatch.setitem(data.MNIST_MD5, "t10k-images-idx3-ubyte.gz", "0" * 32)
    status, out, err = run(capsys, "train", "--data", "mnist", "--mnist-dir", str(tmp_path))
    assert_one_line_error(status, out, err, "fails its checksum")


def test_mnist_too_few_images(capsys, tmp_path, monkeypatch):
    write_mnist(tmp_path, 3000, monkeypatch)
    status, out, err = run(capsys, "train", "--data", "mnist", "--mnist-dir", str(tmp_path))
    assert_one_line_error(status, out, err, "n_train must be at most 1000")


def test_save_into_a_missing_folder_fails_before_training(capsys, tmp_path):
    status, out, err = run(capsys, "train", "--save", str(tmp_path / "no" / "m.npz"))
    assert_one_line_error(status, out, err, "cannot save the model", str(tmp_path / "no"))
    assert "epoch" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--epochs", "0"], "--epochs: must be an integer >= 1, got '0'"),
        (["train", "--lr", "fast"], "--lr: must be a number > 0, got 'fast'"),
        (["train", "--data", "cifar"], "invalid choice: 'cifar'"),
    ],
)
def test_bad_options_exit_with_status_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_no_command_prints_help(capsys):
    status, _, err = run(capsys)
    assert status == 2 and "train" in err
