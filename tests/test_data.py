"""Data loading: scikit-learn's digits, IDX files, MNIST with checksums and downloads."""

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest

from cnnlab import data

SHARED_MNIST = Path(__file__).resolve().parents[1] / "../shared/data/mnist"
needs_shared_mnist = pytest.mark.skipif(
    not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").is_file(),
    reason=f"the official MNIST test split is not at {SHARED_MNIST}",
)


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    """An IDX file's bytes: magic (0, 0, type code, ndim), big-endian sizes, big-endian values."""
    dtype = np.dtype(data.IDX_DTYPES[code])
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dtype).tobytes()


def write_gz(path: Path, payload: bytes) -> Path:
    path.write_bytes(gzip.compress(payload))
    return path


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def fake_mnist(folder: Path, split="test", n=12, seed=0):
    """Small IDX files with MNIST's names and layout: n 28x28 uint8 images and their labels."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    image_name, label_name = data.MNIST_FILES[split]
    write_gz(folder / image_name, idx_bytes(images))
    write_gz(folder / label_name, idx_bytes(labels))
    return images, labels


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path):
    """Point the default mirrors at an empty local folder: no test here may reach the internet."""
    monkeypatch.setattr(data, "MNIST_MIRRORS", ((tmp_path / "no-network").as_uri() + "/",))


@pytest.fixture
def fake_checksums(monkeypatch):
    """Make the loader accept the fake files of a folder, by recording their checksums as the official ones."""

    def accept(folder: Path):
        for path in folder.glob("*.gz"):
            monkeypatch.setitem(data.MNIST_MD5, path.name, md5(path))

    return accept


# ---------------------------------------------------------------------------------------------
# Digits


def test_digits_split_shapes_and_standardization():
    d = data.load_digits()
    assert d["X_train"].shape == (1257, 1, 8, 8)
    assert d["X_val"].shape == (180, 1, 8, 8)
    assert d["X_test"].shape == (360, 1, 8, 8)
    assert d["y_train"].dtype == np.int64 and set(np.unique(d["y_test"])) == set(range(10))
    assert abs(d["X_train"].mean()) < 1e-9 and d["X_train"].std() == pytest.approx(1.0)
    assert "1,257 train" in d["description"]


def test_digits_split_is_fixed_and_disjoint():
    a, b = data.load_digits(), data.load_digits(dtype=np.float32)
    np.testing.assert_array_equal(a["y_test"], b["y_test"])
    assert b["X_train"].dtype == np.float32
    rows = {part: {x.tobytes() for x in a[f"X_{part}"]} for part in ("train", "val", "test")}
    assert len(rows["train"] & rows["test"]) < 5  # the digits data set itself holds a few duplicates


# ---------------------------------------------------------------------------------------------
# IDX files


@pytest.mark.parametrize("code", sorted(data.IDX_DTYPES))
def test_parse_idx_every_type(code):
    array = np.arange(24).reshape(2, 3, 4) * (1 if code in (0x08, 0x09) else 1000)
    array = array % 100 if code in (0x08, 0x09) else array
    out = data.parse_idx(idx_bytes(array, code))
    np.testing.assert_array_equal(out, array)
    assert out.dtype == np.dtype(data.IDX_DTYPES[code]).newbyteorder("=")


def test_read_idx_gzip_and_plain(tmp_path):
    array = np.arange(60, dtype=np.uint8).reshape(5, 3, 4)
    np.testing.assert_array_equal(data.read_idx(write_gz(tmp_path / "a.gz", idx_bytes(array))), array)
    (tmp_path / "a.idx").write_bytes(idx_bytes(array))
    np.testing.assert_array_equal(data.read_idx(tmp_path / "a.idx"), array)


GOOD = idx_bytes(np.arange(12, dtype=np.uint8).reshape(3, 4))
BAD_IDX = [
    ("empty", b"", "too short for an IDX header"),
    ("bad magic", b"\x08\x03\x00\x00" + GOOD[4:], "not an IDX file: its magic number is 0x08030000"),
    ("unknown type code", b"\x00\x00\x07\x02" + GOOD[4:], "not an IDX file"),
    ("header cut", GOOD[:7], "declares 2 dimensions but the file ends first"),
    ("data cut", GOOD[:-1], r"truncated: the header promises shape \(3, 4\)"),
    ("trailing bytes", GOOD + b"\x00", "too long"),
]


@pytest.mark.parametrize("payload, message", [c[1:] for c in BAD_IDX], ids=[c[0] for c in BAD_IDX])
def test_parse_idx_refuses_bad_bytes(payload, message):
    with pytest.raises(ValueError, match=message):
        data.parse_idx(payload)


def test_read_idx_truncated_gzip(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(GOOD)[:-10])
    with pytest.raises(ValueError, match="truncated: the gzip stream ends early"):
        data.read_idx(path)


def test_read_idx_not_gzip(tmp_path):
    path = tmp_path / "plain.gz"
    path.write_bytes(GOOD)
    with pytest.raises(ValueError, match="not a valid gzip file"):
        data.read_idx(path)


# ---------------------------------------------------------------------------------------------
# MNIST files


def test_load_mnist_small_files(tmp_path, fake_checksums):
    images, labels = fake_mnist(tmp_path)
    fake_checksums(tmp_path)
    X, y = data.load_mnist(tmp_path)
    assert X.shape == (12, 1, 28, 28) and X.dtype == np.float64
    np.testing.assert_allclose(X[:, 0] * 255, images)
    assert X.min() >= 0 and X.max() <= 1
    np.testing.assert_array_equal(y, labels)
    assert y.dtype == np.int64


def test_load_mnist_checksum_mismatch(tmp_path):
    fake_mnist(tmp_path)
    with pytest.raises(ValueError, match="fails its checksum .* not the official MNIST file"):
        data.load_mnist(tmp_path)
    X, _ = data.load_mnist(tmp_path, verify=False)  # an explicit opt-out reads them anyway
    assert X.shape == (12, 1, 28, 28)


def test_load_mnist_missing_files_names_folder_and_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"not found in .*missing t10k-images-idx3-ubyte.gz, t10k-labels"):
        data.load_mnist(tmp_path / "nowhere")


def test_load_mnist_images_and_labels_disagree(tmp_path):
    fake_mnist(tmp_path)
    write_gz(tmp_path / "t10k-labels-idx1-ubyte.gz", idx_bytes(np.zeros(5, dtype=np.uint8)))
    with pytest.raises(ValueError, match="12 images but 5 labels"):
        data.load_mnist(tmp_path, verify=False)


def test_load_mnist_labels_out_of_range(tmp_path):
    fake_mnist(tmp_path)
    write_gz(tmp_path / "t10k-labels-idx1-ubyte.gz", idx_bytes(np.full(12, 11, dtype=np.uint8)))
    with pytest.raises(ValueError, match="holds a label 11"):
        data.load_mnist(tmp_path, verify=False)


def test_load_mnist_bad_split(tmp_path):
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.load_mnist(tmp_path, split="validation")


def test_mnist_splits_test_only(tmp_path, fake_checksums):
    images, labels = fake_mnist(tmp_path, n=3100)
    fake_checksums(tmp_path)
    d = data.mnist_splits(tmp_path, n_train=1100)
    assert len(d["y_train"]) == 100 and len(d["y_val"]) == 1000 and len(d["y_test"]) == 2000
    np.testing.assert_array_equal(d["y_test"], labels[-2000:])
    np.testing.assert_array_equal(d["y_train"], labels[:100])
    assert "the last 2,000 of t10k" in d["description"]
    assert abs(d["X_train"].mean()) < 1e-9


def test_mnist_splits_with_training_split(tmp_path, fake_checksums):
    fake_mnist(tmp_path, "test", n=30)
    _, train_labels = fake_mnist(tmp_path, "train", n=1200, seed=1)
    fake_checksums(tmp_path)
    d = data.mnist_splits(tmp_path, n_train=1100)
    assert (len(d["y_train"]), len(d["y_val"]), len(d["y_test"])) == (100, 1000, 30)
    np.testing.assert_array_equal(d["y_val"], train_labels[100:1100])
    assert "official training split" in d["description"]


def test_mnist_splits_too_few_images(tmp_path, fake_checksums):
    fake_mnist(tmp_path, n=2500)
    fake_checksums(tmp_path)
    with pytest.raises(ValueError, match="n_train must be at most 500"):
        data.mnist_splits(tmp_path, n_train=1100)


def test_default_folder_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CNNLAB_MNIST_DIR", str(tmp_path))
    assert data.default_mnist_dir() == tmp_path


# ---------------------------------------------------------------------------------------------
# Downloading (from file:// URLs: tests never touch the network)


def test_download_from_a_mirror(tmp_path, fake_checksums):
    mirror = tmp_path / "mirror"
    images, _ = fake_mnist(mirror)
    fake_checksums(mirror)
    target = tmp_path / "data"
    dead = (tmp_path / "dead").as_uri() + "/"  # the first mirror fails: the next is tried
    assert data.download_mnist(target, mirrors=(dead, mirror.as_uri() + "/")) == target
    assert sorted(p.name for p in target.iterdir()) == sorted(data.MNIST_FILES["test"])
    X, _ = data.load_mnist(target)
    np.testing.assert_allclose(X[:, 0] * 255, images)


def test_download_checksum_mismatch_leaves_nothing(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    fake_mnist(mirror)  # the real checksums stay: these files fail them
    target = tmp_path / "data"
    with pytest.raises(OSError, match="could not download t10k-images-idx3-ubyte.gz.*checksum mismatch"):
        data.download_mnist(target, mirrors=(mirror.as_uri() + "/",))
    assert list(target.iterdir()) == []  # no partial or unverified file left behind


def test_download_keeps_verified_files(tmp_path, fake_checksums):
    mirror = tmp_path / "mirror"
    fake_mnist(mirror)
    fake_checksums(mirror)
    target = tmp_path / "data"
    data.download_mnist(target, mirrors=(mirror.as_uri() + "/",))
    before = (target / "t10k-images-idx3-ubyte.gz").stat().st_mtime_ns
    data.download_mnist(target, mirrors=())  # nothing to fetch, so no mirror is needed
    assert (target / "t10k-images-idx3-ubyte.gz").stat().st_mtime_ns == before


def test_load_mnist_download_true_fetches_missing_files(tmp_path, fake_checksums, monkeypatch):
    mirror = tmp_path / "mirror"
    fake_mnist(mirror)
    fake_checksums(mirror)
    monkeypatch.setattr(data, "MNIST_MIRRORS", (mirror.as_uri() + "/",))
    X, y = data.load_mnist(tmp_path / "data", download=True)
    assert X.shape == (12, 1, 28, 28)


# ---------------------------------------------------------------------------------------------
# The real files, where this machine has them


@needs_shared_mnist
def test_real_mnist_test_split():
    X, y = data.load_mnist(SHARED_MNIST, dtype=np.float32)
    assert X.shape == (10000, 1, 28, 28) and X.dtype == np.float32
    assert np.bincount(y).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    d = data.mnist_splits(SHARED_MNIST, dtype=np.float32)
    assert (len(d["y_train"]), len(d["y_val"]), len(d["y_test"])) == (7000, 1000, 2000)
    np.testing.assert_array_equal(d["y_test"], y[8000:])
