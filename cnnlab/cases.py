"""The table of cases for each layer family: one line per geometry.

These tables feed the PyTorch reference tests (tests/golden), the generic tests of every
family (``cnnlab.families`` names each family's table) and the exercise checks, so a new
geometry is one new line here. Every case is small enough for a numerical gradient check
(a few hundred input elements).

Each case makes its own arrays from a generator: ``case.arrays(rng(case.name))`` gives the
same numbers on every run, different for every case, and adding a case changes no other.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

__all__ = [
    "rng",
    "ConvCase",
    "PoolCase",
    "AvgPoolCase",
    "NormCase",
    "CONV_CASES",
    "POOL_CASES",
    "AVG_POOL_CASES",
    "BATCHNORM_CASES",
    "GROUPNORM_CASES",
]


def rng(name: str) -> np.random.Generator:
    """The generator of the case called ``name``: seeded by the name alone."""
    return np.random.default_rng(zlib.crc32(name.encode()))


@dataclass(frozen=True)
class ConvCase:
    """x (N, C, H, W) convolved with w (F, C, HH, WW) at the given stride, pad, dilation."""

    name: str
    x_shape: tuple
    w_shape: tuple
    stride: int | tuple = 1
    pad: int | tuple = 0
    dilation: int | tuple = 1

    @property
    def conv_param(self) -> dict:
        return {"stride": self.stride, "pad": self.pad, "dilation": self.dilation}

    def arrays(self, rng: np.random.Generator):
        """x (N, C, H, W), w (F, C, HH, WW), b (F,): standard normal float64."""
        x = rng.standard_normal(self.x_shape)
        w = rng.standard_normal(self.w_shape)
        b = rng.standard_normal(self.w_shape[0])
        return x, w, b


@dataclass(frozen=True)
class PoolCase:
    """Max pooling of x (N, C, H, W) with a pool_height x pool_width window.

    With ``ties`` the input holds a few small integers, so windows often have several
    equal maxima (the gradient must go to the first, as in PyTorch).
    """

    name: str
    x_shape: tuple
    pool_height: int
    pool_width: int
    stride: int | tuple
    ties: bool = False

    @property
    def pool_param(self) -> dict:
        return {"pool_height": self.pool_height, "pool_width": self.pool_width, "stride": self.stride}

    def arrays(self, rng: np.random.Generator):
        """x (N, C, H, W) float64."""
        if self.ties:
            return (rng.integers(0, 3, self.x_shape).astype(np.float64),)
        return (rng.standard_normal(self.x_shape),)


@dataclass(frozen=True, kw_only=True)
class AvgPoolCase:
    """Average pooling of x (N, C, H, W), as ``torch.nn.functional.avg_pool2d``: zero padding
    of ``pad`` (at most half the window), each window's sum divided by pool_height*pool_width,
    or, without ``count_include_pad``, by the number of its pixels that are not padding.

    ``pad`` and ``count_include_pad`` go into pool_param only where they differ from their
    defaults (0 and True), so the cases also check that a function reads them with .get.
    ``after_relu``: x is the output of a ReLU (exact zeros, as pooling usually sees), so a
    count of the non-zero values is not taken for the count of the pixels.
    """

    name: str
    x_shape: tuple
    pool_height: int
    pool_width: int
    stride: int | tuple
    pad: int | tuple = 0
    count_include_pad: bool = True
    after_relu: bool = False

    @property
    def pool_param(self) -> dict:
        param = {"pool_height": self.pool_height, "pool_width": self.pool_width, "stride": self.stride}
        if self.pad != 0:
            param["pad"] = self.pad
        if not self.count_include_pad:
            param["count_include_pad"] = False
        return param

    def arrays(self, rng: np.random.Generator):
        """x (N, C, H, W) float64."""
        x = rng.standard_normal(self.x_shape)
        return (np.maximum(x, 0) if self.after_relu else x,)


@dataclass(frozen=True)
class NormCase:
    """Normalization of x (N, C, H, W); gamma/beta of shape (C,) or, if ``gamma_4d``, (1, C, 1, 1).

    ``groups`` is G for group norm (None for batch norm). x has a non-zero mean and a
    non-unit scale per channel, so a layer that skips a step shows it.
    """

    name: str
    x_shape: tuple
    groups: int | None = None
    gamma_4d: bool = False

    def arrays(self, rng: np.random.Generator):
        """x (N, C, H, W), gamma and beta (C,) or (1, C, 1, 1)."""
        N, C, H, W = self.x_shape
        shift = rng.uniform(-3, 3, (1, C, 1, 1))
        scale = rng.uniform(0.5, 4, (1, C, 1, 1))
        x = rng.standard_normal(self.x_shape) * scale + shift
        param_shape = (1, C, 1, 1) if self.gamma_4d else (C,)
        gamma = rng.uniform(0.5, 2, param_shape)
        beta = rng.standard_normal(param_shape)
        return x, gamma, beta


CONV_CASES = [
    ConvCase("basic 3x3", (2, 3, 5, 5), (4, 3, 3, 3)),
    ConvCase("stride 2, pad 1", (2, 3, 7, 7), (2, 3, 3, 3), stride=2, pad=1),
    ConvCase("rectangular input and filter", (3, 2, 6, 9), (3, 2, 2, 4), stride=(1, 2), pad=(0, 1)),
    ConvCase("1x1 filter", (3, 4, 4, 3), (5, 4, 1, 1)),
    ConvCase("filter as large as padded input", (2, 2, 3, 4), (3, 2, 5, 6), pad=1),
    ConvCase("stride leaves the last rows out", (2, 1, 8, 7), (2, 1, 3, 3), stride=3),
    ConvCase("pad larger than half the filter", (1, 2, 3, 3), (2, 2, 2, 2), pad=2),
    ConvCase("dilation 2", (2, 2, 9, 8), (3, 2, 3, 2), pad=1, dilation=2),
    ConvCase("mixed stride, pad, dilation", (1, 3, 10, 11), (2, 3, 3, 3), stride=(2, 3), pad=(2, 0), dilation=(1, 2)),
    ConvCase("one sample, one channel", (1, 1, 4, 4), (1, 1, 2, 2)),
]

POOL_CASES = [
    PoolCase("2x2 stride 2", (2, 3, 6, 6), 2, 2, 2),
    PoolCase("overlapping 3x3 stride 2", (2, 2, 7, 7), 3, 3, 2),
    PoolCase("overlapping 2x2 stride 1", (1, 2, 5, 6), 2, 2, 1),
    PoolCase("rectangular window and stride", (3, 2, 6, 9), 2, 3, (2, 3)),
    PoolCase("stride leaves the last row out", (2, 1, 7, 5), 2, 2, 2),
    PoolCase("window covers the input", (2, 3, 4, 5), 4, 5, 1),
    PoolCase("ties, 2x2 stride 2", (2, 2, 6, 6), 2, 2, 2, ties=True),
    PoolCase("ties, overlapping 3x3 stride 1", (1, 2, 6, 5), 3, 3, 1, ties=True),
]

AVG_POOL_CASES = [
    AvgPoolCase(name="2x2 stride 2", x_shape=(2, 3, 4, 4), pool_height=2, pool_width=2, stride=2),
    AvgPoolCase(name="overlapping 3x3 stride 1", x_shape=(2, 2, 5, 5), pool_height=3, pool_width=3, stride=1),
    AvgPoolCase(name="pad 1, padding counted", x_shape=(2, 2, 5, 5), pool_height=3, pool_width=3, stride=2, pad=1),
    AvgPoolCase(
        name="pad 1, count_include_pad=False",
        x_shape=(2, 2, 5, 5),
        pool_height=3,
        pool_width=3,
        stride=2,
        pad=1,
        count_include_pad=False,
    ),
    AvgPoolCase(
        name="overlapping with pad 1, count_include_pad=False",
        x_shape=(2, 1, 4, 6),
        pool_height=3,
        pool_width=3,
        stride=1,
        pad=1,
        count_include_pad=False,
    ),
    AvgPoolCase(
        name="rectangular window, stride and pad pairs",
        x_shape=(1, 3, 6, 5),
        pool_height=3,
        pool_width=2,
        stride=(2, 1),
        pad=(1, 0),
        count_include_pad=False,
    ),
    AvgPoolCase(name="stride 3 leaves rows out", x_shape=(3, 2, 7, 6), pool_height=2, pool_width=2, stride=3),
    AvgPoolCase(
        name="after a ReLU (exact zeros), pad 1, count_include_pad=False",
        x_shape=(2, 2, 5, 4),
        pool_height=2,
        pool_width=3,
        stride=2,
        pad=1,
        count_include_pad=False,
        after_relu=True,
    ),
]

BATCHNORM_CASES = [
    NormCase("small batch", (2, 3, 4, 5)),
    NormCase("one sample", (1, 4, 3, 3)),
    NormCase("1x1 spatial", (6, 5, 1, 1)),
    NormCase("gamma (1, C, 1, 1)", (3, 2, 4, 3), gamma_4d=True),
]

GROUPNORM_CASES = [
    NormCase("G=2 groups", (2, 6, 3, 4), groups=2),
    NormCase("G=1 (layer norm)", (3, 4, 3, 3), groups=1),
    NormCase("G=C (instance norm)", (2, 4, 3, 2), groups=4),
    NormCase("G=3, gamma (1, C, 1, 1)", (1, 6, 2, 5), groups=3, gamma_4d=True),
]
