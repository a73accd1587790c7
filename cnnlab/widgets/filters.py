"""A few classic 3x3 filters, by name, for the feature-map and normalization explorers (lesson 1).

Each is a (3, 3) float64 array used as a cross-correlation kernel (cnnlab's convolution does
not flip), so "vertical edge" responds positively where the image gets brighter to the right.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FILTERS"]

FILTERS = {
    "blur": np.full((3, 3), 1 / 9),
    "vertical edge": np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),  # Sobel, x direction
    "horizontal edge": np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]),  # Sobel, y direction
    "sharpen": np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]),
    "outline": np.array([[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]]),  # Laplacian: edges all ways
    "diagonal edge": np.array([[0.0, 1.0, 2.0], [-1.0, 0.0, 1.0], [-2.0, -1.0, 0.0]]),
}
