"""Real images for the explorers, from data that ships with the installed packages (no network).

- ``digits()``: scikit-learn's 8x8 handwritten digits (``sklearn.datasets.load_digits``).
- ``photo()``: the portrait of Grace Hopper that matplotlib ships as sample data, in grey.

Both are loaded once and cached. If either source is missing, a drawn stand-in is returned
(and says so in its name), so an explorer never fails for want of a picture.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["digits", "photo"]


@lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray, str]:
    """(images (n, 8, 8) in [0, 1], labels (n,), source description)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # pragma: no cover - scikit-learn is a dependency
        images = np.zeros((10, 8, 8))
        for k in range(10):  # a stand-in: a bar at a different place for each "digit"
            images[k, 1:7, (k % 6) + 1] = 1.0
        return images, np.arange(10), "stand-in bars (scikit-learn is not installed)"
    data = load_digits()
    return data.images / 16.0, data.target, "scikit-learn's 8×8 digits"


@lru_cache(maxsize=4)
def photo(width: int = 96) -> tuple[np.ndarray, str]:
    """(grey image (h, w) in [0, 1] about ``width`` pixels wide, source description)."""
    try:
        from matplotlib import cbook
        from matplotlib.image import imread

        with cbook.get_sample_data("grace_hopper.jpg") as f:
            rgb = imread(f, format="jpg").astype(np.float64) / 255.0  # (600, 512, 3)
        name = "Grace Hopper (matplotlib's sample photo)"
    except (OSError, ValueError, ImportError):  # pragma: no cover - the sample data ships with matplotlib
        yy, xx = np.mgrid[0:1:256j, 0:1:256j]
        rgb = np.repeat((0.5 + 0.5 * np.sin(12 * xx) * np.cos(9 * yy))[:, :, None], 3, axis=2)
        name = "a drawn stand-in (matplotlib's sample photo is missing)"
    grey = rgb[:, :, :3] @ np.array([0.299, 0.587, 0.114])  # (h, w) luminance
    k = max(grey.shape[1] // width, 1)
    h, w = grey.shape[0] // k * k, grey.shape[1] // k * k
    small = grey[:h, :w].reshape(h // k, k, w // k, k).mean(axis=(1, 3))  # k x k block averages
    return small, name
