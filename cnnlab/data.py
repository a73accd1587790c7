"""Handwritten digits to train on: scikit-learn's 8x8 digits (offline) and MNIST (IDX files).

- ``load_digits()``: the 1,797 8x8 digits that scikit-learn ships, so lesson 7 works with
  no network. A fixed split: 1,257 train / 180 validation / 360 test images.
- ``load_mnist(folder, split)``: the official MNIST files in their gzip IDX format, checked
  against their published MD5 checksums; ``download_mnist`` fetches them where there is
  internet. ``mnist_splits`` turns them into train / validation / test sets.

Every image array is (N, 1, H, W) floats; every label array is (N,) int64 in [0, 10).
Split dicts hold X_train, y_train, X_val, y_val, X_test, y_test, standardized with the
mean and standard deviation of the training pixels (kept as 'pixel_mean', 'pixel_std'),
and a one-line 'description'.

Lesson 7 (a small CNN end to end) uses this module.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from cnnlab import shapes

__all__ = [
    "load_digits",
    "load_mnist",
    "mnist_splits",
    "download_mnist",
    "default_mnist_dir",
    "read_idx",
    "parse_idx",
    "MNIST_FILES",
    "MNIST_MD5",
    "MNIST_MIRRORS",
]

MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
MNIST_MD5 = {  # the published checksums of the four official files
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
MNIST_MIRRORS = (  # tried in order; yann.lecun.com itself often refuses downloads now
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
DIGITS_SPLIT = (1257, 180, 360)  # train, validation, test: 70% / 10% / 20% of 1,797
MNIST_VAL = 1000  # validation images held out of the training images


# ---------------------------------------------------------------------------------------------
# scikit-learn's 8x8 digits


def load_digits(dtype=np.float64) -> dict:
    """scikit-learn's 1,797 8x8 handwritten digits, split and standardized.

    Returns a split dict: X_train (1257, 1, 8, 8), X_val (180, 1, 8, 8), X_test (360, 1, 8, 8)
    and labels y_* (N,) int64. The split is fixed (a permutation seeded with 0), whatever
    seed training uses, so test accuracies are comparable between runs. Pixels (0..16) are
    scaled to [0, 1], then standardized with the training pixels' mean and std.
    """
    from sklearn.datasets import load_digits as sklearn_digits  # imported here: slow to import

    digits = sklearn_digits()
    X = digits.images[:, None].astype(dtype) / 16.0  # (1797, 1, 8, 8) in [0, 1]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(y))
    n_train, n_val, _ = DIGITS_SPLIT
    parts = np.split(order, [n_train, n_train + n_val])
    description = f"scikit-learn digits, 8x8: {n_train:,} train / {n_val:,} validation / {len(parts[2]):,} test images"
    return _split_dict(X, y, parts, description)


def _split_dict(X, y, parts, description) -> dict:
    """A split dict from index arrays (train, val, test), standardized with the training pixels."""
    train, val, test = parts
    mean = float(X[train].mean())
    std = float(X[train].std())
    data = {"description": description, "pixel_mean": mean, "pixel_std": std}
    for name, idx in (("train", train), ("val", val), ("test", test)):
        data[f"X_{name}"] = (X[idx] - mean) / std
        data[f"y_{name}"] = y[idx]
    return data


# ---------------------------------------------------------------------------------------------
# IDX files


IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx(data: bytes, name: str = "data") -> np.ndarray:
    """The array stored in the bytes of an (uncompressed) IDX file.

    An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
    dimensions d), then d big-endian uint32 sizes, then the values, big-endian, row-major.
    Returns an array of those d dimensions in native byte order. ``name`` is used in errors.
    """
    if len(data) < 4:
        raise ValueError(f"{name} is truncated: {len(data)} bytes, too short for an IDX header")
    zero, code, ndim = data[:2], data[2], data[3]
    if zero != b"\x00\x00" or code not in IDX_DTYPES:
        raise ValueError(
            f"{name} is not an IDX file: its magic number is 0x{data[:4].hex()}, expected 0x0000 then a "
            f"type code ({', '.join(f'0x{c:02x}' for c in IDX_DTYPES)}) and the number of dimensions"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name} is truncated: the header declares {ndim} dimensions but the file ends first")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(IDX_DTYPES[code])
    count = int(np.prod(dims, dtype=np.int64))
    expected = header + count * dtype.itemsize
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "too long"
        raise ValueError(
            f"{name} is {problem}: the header promises shape {dims} ({expected:,} bytes in all), "
            f"the file has {len(data):,} bytes"
        )
    values = np.frombuffer(data, dtype=dtype, count=count, offset=header)
    return values.reshape(dims).astype(dtype.newbyteorder("="))


def read_idx(path) -> np.ndarray:
    """The array in an IDX file, gzip-compressed if its name ends in '.gz' (see ``parse_idx``)."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except EOFError:
        raise ValueError(f"{path} is truncated: the gzip stream ends early") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise ValueError(f"{path} is not a valid gzip file: {exc}") from None
    return parse_idx(data, name=str(path))


# ---------------------------------------------------------------------------------------------
# MNIST


def default_mnist_dir() -> Path:
    """Where MNIST is looked for when no folder is given: $CNNLAB_MNIST_DIR or ~/.cache/cnnlab/mnist."""
    return Path(os.environ.get("CNNLAB_MNIST_DIR", "~/.cache/cnnlab/mnist")).expanduser()


def load_mnist(folder=None, split="test", download=False, verify=True, dtype=np.float64):
    """One MNIST split from its official gzip IDX files in ``folder``.

    Inputs:
    - folder: the folder holding the files (default ``default_mnist_dir()``)
    - split: 'test' (t10k-*, 10,000 images) or 'train' (train-*, 60,000 images)
    - download: fetch missing files from ``MNIST_MIRRORS`` (needs internet)
    - verify: compare each file's MD5 with the published checksum
    Returns (X, y): X (N, 1, 28, 28) with pixels scaled to [0, 1]; y (N,) int64 in [0, 10).
    """
    if split not in MNIST_FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    folder = default_mnist_dir() if folder is None else Path(folder)
    names = MNIST_FILES[split]
    missing = [name for name in names if not (folder / name).is_file()]
    if missing and download:
        download_mnist(folder, split)
    elif missing:
        raise FileNotFoundError(
            f"MNIST {split} split not found in {folder}: missing {', '.join(missing)}. Put the official "
            "gzip IDX files there, or download them (download=True, or `cnnlab train --download`)"
        )
    if verify:
        for name in names:
            _verify(folder / name, MNIST_MD5[name])
    images = read_idx(folder / names[0])
    labels = read_idx(folder / names[1])
    return _check_mnist(folder, names, images, labels, dtype)


def _check_mnist(folder, names, images, labels, dtype):
    """(X, y) from raw image and label arrays, after checking they fit together."""
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{folder / names[0]} should hold uint8 images (N, H, W), got {images.dtype} {images.shape}")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(f"{folder / names[1]} should hold uint8 labels (N,), got {labels.dtype} {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{folder}: {len(images):,} images but {len(labels):,} labels in the {names} files")
    if len(labels) and labels.max() > 9:
        raise ValueError(f"{folder / names[1]} holds a label {labels.max()}; digit labels are 0..9")
    X = images[:, None].astype(dtype) / 255.0  # (N, 1, H, W) in [0, 1]
    return X, labels.astype(np.int64)


def mnist_splits(folder=None, n_train=8000, download=False, dtype=np.float64) -> dict:
    """MNIST as train / validation / test sets, standardized with the training pixels.

    - If ``folder`` holds only the test split (t10k-*): the first ``n_train`` images are for
      training (the last 1,000 of them for validation) and the last 2,000 for testing.
    - If it also holds the training split (train-*): the first ``n_train`` training images
      (again with 1,000 held out for validation), and all 10,000 test images for testing.
    With ``download``, missing test files are fetched (the training split is not: 47 MB
    unpacked is more than lesson 7 needs; call ``download_mnist(folder, 'train')`` for it).
    Returns a split dict (see the module docstring).
    """
    n_train = shapes.check_int("n_train", n_train, MNIST_VAL + 1)
    folder = default_mnist_dir() if folder is None else Path(folder)
    X_test, y_test = load_mnist(folder, "test", download=download, dtype=dtype)
    has_train = all((folder / name).is_file() for name in MNIST_FILES["train"])
    if has_train:
        X, y = load_mnist(folder, "train", dtype=dtype)
        source = "official training split"
        n_test = len(y_test)
    else:
        n_test = 2000
        if n_train > len(y_test) - n_test:
            raise ValueError(
                f"n_train must be at most {len(y_test) - n_test} when {folder} holds only the test split, got {n_train}"
            )
        X, y = X_test[:-n_test], y_test[:-n_test]
        X_test, y_test = X_test[-n_test:], y_test[-n_test:]
        source = "first images of the test split (t10k)"
    if n_train > len(y):
        raise ValueError(f"n_train must be at most {len(y):,} for {folder}, got {n_train:,}")
    n_fit = n_train - MNIST_VAL
    X_all = np.concatenate([X[:n_train], X_test])
    y_all = np.concatenate([y[:n_train], y_test])
    parts = np.split(np.arange(len(y_all)), [n_fit, n_train])
    description = (
        f"MNIST, 28x28: {n_fit:,} train / {MNIST_VAL:,} validation from the {source}, "
        f"{n_test:,} test images ({'all of t10k' if has_train else 'the last 2,000 of t10k'})"
    )
    return _split_dict(X_all, y_all, parts, description)


def download_mnist(folder=None, split="test", mirrors=None, timeout=60.0) -> Path:
    """Download one MNIST split's two files into ``folder``, each checked against its MD5.

    Files already there with the right checksum are kept. Each file is written to a
    '.part' file first and renamed only once its checksum matches, so a failed or
    corrupted download leaves nothing behind. ``mirrors`` are base URLs tried in order
    (default ``MNIST_MIRRORS``; a 'file://' URL works too). Returns the folder.
    """
    if split not in MNIST_FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    folder = default_mnist_dir() if folder is None else Path(folder)
    mirrors = MNIST_MIRRORS if mirrors is None else mirrors
    folder.mkdir(parents=True, exist_ok=True)
    for name in MNIST_FILES[split]:
        target = folder / name
        if target.is_file() and _md5(target) == MNIST_MD5[name]:
            continue
        failures = []
        for base in mirrors:
            url = base.rstrip("/") + "/" + name
            try:
                _fetch(url, target, MNIST_MD5[name], timeout)
                break
            except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
                failures.append(f"{url} ({exc})")
        else:
            tried = "; ".join(failures) or "no mirror given"
            raise OSError(f"could not download {name} into {folder}: tried {tried}")
    return folder


def _fetch(url: str, target: Path, md5: str, timeout: float) -> None:
    """Stream ``url`` into ``target`` via a '.part' file, renamed only if its MD5 is ``md5``."""
    part = target.with_name(target.name + ".part")
    digest = hashlib.md5()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(part, "wb") as out:
            while chunk := response.read(1 << 16):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != md5:
            raise ValueError(f"checksum mismatch: got MD5 {digest.hexdigest()}, the official file has {md5}")
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _verify(path: Path, md5: str) -> None:
    """Raise a ValueError unless the file at ``path`` has MD5 ``md5``."""
    found = _md5(path)
    if found != md5:
        raise ValueError(
            f"{path} fails its checksum (MD5 {found}, the official file has {md5}): it is damaged or not "
            "the official MNIST file. Delete it and download it again, or pass verify=False to read it anyway"
        )
