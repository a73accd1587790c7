"""NormExplorer: batch, layer, instance and group norm as choices of who shares a mean.

Introduced in lessons 5 (batch norm) and 6 (group norm). All four normalize a block of
feature maps x (N, C, H, W) with a mean and variance shared by a set of elements; they
differ only in the sets:

- batch norm:    one set per channel c, over (N, H, W)
- layer norm:    one set per sample n, over (C, H, W)          (group norm with G = 1)
- instance norm: one set per (n, c), over (H, W)                (group norm with G = C)
- group norm:    one set per (n, group of C/G channels), over (C/G, H, W)

The explorer draws the (N, C, H·W) block as a cube with the sets marked (as in Wu & He's
figure), and normalizes a real batch: four handwritten digits, shown at four different
contrasts, each filtered by six classic filters. The normalized maps come from the
library's ``spatial_batchnorm_forward`` (train mode) and ``spatial_groupnorm_forward``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection, PolyCollection

from cnnlab import shapes
from cnnlab.layers import conv_forward_im2col, spatial_batchnorm_forward, spatial_groupnorm_forward
from cnnlab.widgets._draw import clear_figure, labels, outline, panel, place, rgb, text, tint
from cnnlab.widgets._images import digits
from cnnlab.widgets._render import COLORS, Explorer, clamp_slider, slider, wrap
from cnnlab.widgets.filters import FILTERS

__all__ = ["NormState", "compute_norm", "draw_norm", "NormExplorer", "feature_maps", "MODES"]

MODES = ("batch", "layer", "instance", "group")
CONTRASTS = (0.5, 1.0, 2.0, 4.0)  # one per sample: the same kind of image under different lighting
DIGITS = (0, 3, 7, 9)

WHAT_IT_KEEPS = {
    "batch": "Each channel is normalized over the whole batch: the faint digit stays fainter than the bright one, "
    "and the statistics depend on which images share the batch.",
    "layer": "Each sample is normalized over all its channels: the contrast differences between images vanish, "
    "while some channels stay stronger than others.",
    "instance": "Each map is normalized on its own: every map ends with mean 0 and variance 1, so both the image "
    "contrast and the channels' relative strength are gone.",
    "group": "Each sample is normalized per group of C/G channels: between layer norm (G = 1) and instance norm "
    "(G = C). No batch statistics, so it behaves the same in training and at test time.",
}


@lru_cache(maxsize=1)
def feature_maps() -> tuple[np.ndarray, list, str]:
    """A real batch of feature maps: (x (4, 6, 8, 8), channel names, description).

    Four digits (0, 3, 7, 9) at contrasts 0.5, 1, 2 and 4, each convolved (pad 1) with six
    3x3 filters, with a different bias per channel so channels differ in mean as well as scale.
    """
    images, targets, source = digits()
    picks = [int(np.nonzero(targets == d)[0][0]) if np.any(targets == d) else k for k, d in enumerate(DIGITS)]
    x = images[picks][:, None] * np.array(CONTRASTS)[:, None, None, None]  # (4, 1, 8, 8)
    names = list(FILTERS)
    w = np.stack([FILTERS[name] for name in names])[:, None]  # (6, 1, 3, 3)
    b = np.array([1.0, 0.0, 0.5, -0.5, 0.0, 1.5])
    out, _ = conv_forward_im2col(x, w, b, {"pad": 1})  # (4, 6, 8, 8)
    description = f"digits {', '.join(map(str, DIGITS))} from {source}, at contrast ×{', ×'.join(map(str, CONTRASTS))}"
    return out, names, description


@dataclass(frozen=True, kw_only=True)
class NormState:
    """What NormExplorer shows."""

    mode: str
    groups: int | None  # G as the layer uses it (None for batch norm)
    x: np.ndarray  # (N, C, H, W) before
    out: np.ndarray | None  # (N, C, H, W) after (gamma = 1, beta = 0); None if invalid
    sets: np.ndarray  # (N, C) int: which statistics set each map (n, c) belongs to (-1 if invalid)
    highlight: int  # the highlighted set
    elements: int  # how many numbers share one mean and variance
    before: tuple  # (mean, std) of the highlighted set before
    after: tuple  # ... and after normalization
    status: str

    @property
    def valid(self) -> bool:
        return self.out is not None

    @property
    def n_sets(self) -> int:
        return int(self.sets.max()) + 1 if self.valid else 0


def compute_norm(mode="batch", groups=2, highlight=0, x=None) -> NormState:
    """What the normalization explorer shows.

    Inputs: mode, one of MODES; groups: G for group norm (ignored otherwise); highlight:
    which statistics set to highlight (clamped); x: (N, C, H, W), default ``feature_maps()``.
    Returns a NormState. A G that does not divide C is not an error here: the state has
    out None and a status in the words of ``cnnlab.shapes``.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    x = feature_maps()[0] if x is None else shapes.check_array("x", x, 4, "(N, C, H, W)")
    N, C, H, W = x.shape
    gamma, beta = np.ones(C), np.zeros(C)
    G = {"batch": None, "layer": 1, "instance": C, "group": groups}[mode]
    try:
        if G is None:
            out, _ = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
        else:
            shapes.check_norm_inputs(x, gamma, beta, groups=G)
            out, _ = spatial_groupnorm_forward(x, gamma, beta, G, {})
    except (ValueError, TypeError) as exc:
        return NormState(mode=mode, groups=G, x=x, out=None, sets=np.full((N, C), -1), highlight=0, elements=0,
                         before=(np.nan, np.nan), after=(np.nan, np.nan), status=f"No output: {exc}.")  # fmt: skip
    if G is None:
        sets = np.tile(np.arange(C), (N, 1))  # (N, C): set = channel
        elements = N * H * W
    else:
        sets = np.arange(N)[:, None] * G + np.arange(C)[None, :] // (C // G)  # (N, C): set = (n, group)
        elements = C // G * H * W
    k = int(min(max(highlight, 0), sets.max()))
    chosen = sets == k
    before = (float(x[chosen].mean()), float(x[chosen].std()))
    after = (float(out[chosen].mean()), float(out[chosen].std()))
    return NormState(mode=mode, groups=G, x=x, out=out, sets=sets, highlight=k, elements=elements, before=before,
                     after=after, status="")  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Drawing


def draw_norm(fig, state: NormState, channel_names=None) -> list:
    """Draw the statistics cube and the batch before and after normalization; returns the artists."""
    clear_figure(fig)
    N, C, H, W = state.x.shape
    artists = []
    ax_cube = panel(fig, "cube", place(fig, 0.1, 0.95, 2.75, 2.5))
    artists += _draw_cube(ax_cube, state)
    tile = min(2.6 / (N * (H + 1)), 2.6 / (C * (W + 1)))  # inches per pixel of a map
    size = (C * (W + 1) * tile, N * (H + 1) * tile)
    ax_before = panel(fig, "before", place(fig, 3.25, 1.05, *size))
    ax_after = panel(fig, "after", place(fig, 3.25 + size[0] + 0.5, 1.05, *size))
    lim = max(float(np.percentile(abs(state.x), 99)), 1e-12)
    artists += _draw_mosaic(ax_before, state, state.x, lim, "Before: x, N samples × C channels")
    if state.valid:
        artists += _draw_mosaic(ax_after, state, state.out, 3.0, "After: mean 0, variance 1 in every set")
        m0, s0 = state.before
        m1, s1 = state.after
        lines = [
            f"{_title(state)}: {state.n_sets} sets, each of {state.elements} numbers ({_count(state)}).",
            f"Highlighted set {state.highlight}: mean {_num(m0)} → {_num(m1)},  std {_num(s0)} → {_num(s1)}.",
            wrap(WHAT_IT_KEEPS[state.mode], 120),
        ]
        if channel_names:
            lines.append(f"Channels: {', '.join(f'c{c} {name}' for c, name in enumerate(channel_names))}.")
        artists.append(text(fig, 0.03, 0.22, "\n".join(lines), 9.5, va="top"))
    else:
        ax_after.set_axis_off()
        artists.append(text(fig, 0.03, 0.22, wrap(state.status, 120), 10, COLORS["vermillion"], va="top"))
    return artists


def describe_norm(state: NormState) -> str:
    """The figure in words: which elements share statistics, the highlighted set before and after, the status."""
    N, C, H, W = state.x.shape
    head = f"{_title(state)} of a batch x of shape ({N}, {C}, {H}, {W})"
    if not state.valid:
        return f"{head}: no output.\n{state.status}"
    (m0, s0), (m1, s1) = state.before, state.after
    return "\n".join([
        f"{head}: {state.n_sets} sets, each of {state.elements} numbers ({_count(state)}), share a mean and variance.",
        f"Highlighted set {state.highlight}: mean {_num(m0)} → {_num(m1)}, std {_num(s0)} → {_num(s1)}.",
        WHAT_IT_KEEPS[state.mode],
    ])  # fmt: skip


def _title(state: NormState) -> str:
    if state.mode == "batch":
        return "Batch norm"
    return {"layer": "Layer norm (G = 1)", "instance": f"Instance norm (G = C = {state.groups})",
            "group": f"Group norm, G = {state.groups}"}[state.mode]  # fmt: skip


def _count(state: NormState) -> str:
    N, C, H, W = state.x.shape
    if state.mode == "batch":
        return f"N·H·W = {N}·{H}·{W}"
    return f"C/G·H·W = {C // state.groups}·{H}·{W}"


def _set_colors(state: NormState, shade: float):
    """(N, C, 3): the highlighted set sky blue, the others alternating white and grey."""
    N, C = state.sets.shape
    colors = np.ones((N, C, 3))
    if not state.valid:
        return colors * tint("grey", 0.4 * shade)
    G = state.groups
    across = np.arange(C) if G is None else np.arange(C) // (C // G)
    along = np.zeros(N, dtype=int) if G is None else np.arange(N)
    parity = (along[:, None] + across[None, :]) % 2  # a checkerboard of sets
    colors[parity == 1] = tint("grey", 0.55)
    colors[state.sets == state.highlight] = rgb("sky")
    return 1 - (1 - colors) * shade if shade <= 1 else colors / shade


def _draw_cube(ax, state: NormState) -> list:
    """The (N, C, H·W) block as an oblique cube: C across, H·W up, N into the page."""
    N, C = state.sets.shape
    R, dx, dy = 3, 0.42, 0.34  # rows standing for H·W; the depth offset of one sample
    ax.set_axis_off()
    front, top, side = [], [], []
    front_c, top_c, side_c = [], [], []
    base = _set_colors(state, 1.0)
    for c in range(C):  # front face: sample n = 0
        for h in range(R):
            front.append([(c, h), (c + 1, h), (c + 1, h + 1), (c, h + 1)])
            front_c.append(base[0, c])
    for n in range(N):  # top face: every (n, c)
        for c in range(C):
            x0, y0 = c + n * dx, R + n * dy
            top.append([(x0, y0), (x0 + 1, y0), (x0 + 1 + dx, y0 + dy), (x0 + dx, y0 + dy)])
            top_c.append(1 - (1 - base[n, c]) * 0.9)
        for h in range(R):  # right face: channel C - 1
            x0, y0 = C + n * dx, h + n * dy
            side.append([(x0, y0), (x0 + dx, y0 + dy), (x0 + dx, y0 + 1 + dy), (x0, y0 + 1)])
            side_c.append(base[n, C - 1] * 0.82)
    artists = []
    for polys, colors in ((front, front_c), (top, top_c), (side, side_c)):
        faces = PolyCollection(polys, facecolors=colors, edgecolors="#777777", lw=0.5)
        artists.append(ax.add_collection(faces, autolim=False))
    edges = LineCollection(_boundaries(state, R, dx, dy), colors=COLORS["ink"], lw=1.6)
    artists.append(ax.add_collection(edges, autolim=False))
    ax.set_xlim(-0.9, C + N * dx + 0.3)
    ax.set_ylim(-1.0, R + N * dy + 0.3)
    ax.set_aspect("equal")
    artists.append(text(ax, C / 2, -0.45, "C (channels)", 9, ha="center", va="center"))
    artists.append(text(ax, -0.3, R / 2, "H·W", 9, ha="right", va="center"))
    artists.append(text(ax, C + N * dx / 2 + 0.45, R + N * dy / 2, "N", 9, va="center"))
    caption = (
        "blue: one set of numbers that share\none mean and one variance" if state.valid else "no sets: G must divide C"
    )
    artists.append(text(ax, 0, 1, f"{_title(state)}\n{caption}", 9.5, va="bottom", transform=ax.transAxes))
    return artists


def _boundaries(state: NormState, R, dx, dy) -> list:
    """Thick lines between different sets on the cube's front, top and right faces."""
    N, C = state.sets.shape
    if not state.valid:
        return []
    segments = []
    for n in range(N):
        for c in range(C):
            x0, y0 = c + n * dx, R + n * dy
            if c + 1 < C and state.sets[n, c] != state.sets[n, c + 1]:  # between channels, on top
                segments.append([(x0 + 1, y0), (x0 + 1 + dx, y0 + dy)])
                if n == 0:
                    segments.append([(c + 1, 0), (c + 1, R)])  # and down the front
            if n + 1 < N and state.sets[n, c] != state.sets[n + 1, c]:  # between samples, on top
                segments.append([(x0 + dx, y0 + dy), (x0 + 1 + dx, y0 + dy)])
                if c == C - 1:
                    segments.append([(C + (n + 1) * dx, (n + 1) * dy), (C + (n + 1) * dx, R + (n + 1) * dy)])
    return segments


def _mosaic(maps: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (N*(H+1)-1, C*(W+1)-1) with NaN gaps: sample n in row n, channel c in column c."""
    N, C, H, W = maps.shape
    out = np.full((N, H + 1, C, W + 1), np.nan)
    out[:, :H, :, :W] = maps.transpose(0, 2, 1, 3)
    return out.reshape(N * (H + 1), C * (W + 1))[:-1, :-1]


def _draw_mosaic(ax, state: NormState, maps, lim, title) -> list:
    N, C, H, W = maps.shape
    ax.set_axis_off()
    image = ax.imshow(_mosaic(maps), cmap=_cmap(), vmin=-lim, vmax=lim, interpolation="nearest", aspect="auto")
    artists = [image]
    rows, cols = np.nonzero(state.sets == state.highlight)
    if len(rows):  # every set is a rectangle of maps: one outline around it
        top, left = rows.min() * (H + 1), cols.min() * (W + 1)
        height, width = (rows.max() + 1) * (H + 1) - 1 - top, (cols.max() + 1) * (W + 1) - 1 - left
        artists.append(outline(ax, top, left, height, width, color="blue", lw=2.0))
    artists.append(
        labels(
            ax,
            [(-1.2, n * (H + 1) + (H - 1) / 2) for n in range(N)],
            [f"n={n}" for n in range(N)],
            8,
            "#555555",
            ha="right",
        )  # fmt: skip
    )
    cols = [(c * (W + 1) + (W - 1) / 2, -0.5) for c in range(C)]
    artists.append(labels(ax, cols, [f"c{c}" for c in range(C)], 8, "#555555", shift=(0, 7)))
    artists.append(text(ax, 0, 1, title, 9.5, va="bottom", transform=ax.transAxes, shift=(0, 16)))
    artists.append(text(ax, 0.5, 0, f"colour scale −{lim:.2g} … +{lim:.2g}", 8, "#555555", ha="center", va="top",
                        transform=ax.transAxes, shift=(0, -4)))  # fmt: skip
    return artists


def _cmap():
    from matplotlib import colormaps

    return colormaps["PuOr_r"].with_extremes(bad=(1.0, 1.0, 1.0, 0.0))


# ---------------------------------------------------------------------------------------------
# The widget


class NormExplorer(Explorer):
    """Which elements share one mean and variance, and what that does to a batch (lessons 5, 6).

    Controls (``.controls``): 'mode' ('batch', 'layer', 'instance', 'group'), 'groups'
    (G for group norm; any 1..C, a G that does not divide C is explained, not raised) and
    'highlight' (which statistics set is highlighted). ``.state`` is a NormState;
    ``.status`` is '' or why there is no output.
    """

    figsize = (9.0, 4.9)

    def __init__(self, mode="group", groups=2, highlight=0, x=None):
        mode = shapes.check_choice("mode", mode, MODES)
        x = None if x is None else shapes.check_array("x", x, 4, "(N, C, H, W)")
        self._x = x
        N, C = (feature_maps()[0] if x is None else x).shape[:2]
        groups = shapes.check_setting("groups", groups, 1, C, f"G for group norm, at most the C = {C} channels")
        G = {"batch": None, "layer": 1, "instance": C, "group": groups}[mode]
        n_sets = C if G is None else (N * G if C % G == 0 else 1)
        highlight = shapes.check_setting("highlight", highlight, 0, n_sets - 1,
                                         f"one of the {n_sets} sets that share a mean in {mode} norm")  # fmt: skip
        controls = {
            "mode": widgets.ToggleButtons(
                options=MODES,
                value=mode,
                description="norm",
                style={"button_width": "80px", "description_width": "40px"},
            ),  # fmt: skip
            "groups": slider("groups G", groups, 1, C),
            "highlight": slider("highlight set", highlight, 0, 10**6),
        }
        super().__init__(controls)

    def sync_controls(self) -> None:
        v = self.values
        C = self.state.x.shape[1] if self.state is not None else self.controls["groups"].max
        self.controls["groups"].disabled = v["mode"] != "group"
        N = (feature_maps()[0] if self._x is None else np.asarray(self._x)).shape[0]
        G = {"batch": None, "layer": 1, "instance": C, "group": v["groups"]}[v["mode"]]
        n_sets = C if G is None else (N * G if C % G == 0 else 1)
        highlight = self.controls["highlight"]
        clamp_slider(highlight, 0, n_sets - 1, highlight.value)

    def compute(self) -> NormState:
        return compute_norm(x=self._x, **self.values)

    def describe(self, state: NormState) -> str:
        return describe_norm(state)

    def draw(self, state: NormState) -> list:
        return draw_norm(self.figure, state, None if self._x is not None else feature_maps()[1])


def _num(value: float) -> str:
    """Two decimals, without the '-0.00' that a rounding residue like -1e-17 would print."""
    return f"{round(float(value), 2) + 0.0:.2f}"
