"""FeatureMapExplorer: one filter slid over a real image, with stride and padding.

Introduced in lesson 1 (convolution arithmetic), next to ConvExplorer: the same arithmetic
on a picture. Choose an image (a handwritten digit, or matplotlib's sample photo), a filter
(edge, blur, sharpen, ... or one you pass in, e.g. from a trained network's first layer),
a stride and a padding; see the padded input, the filter and the feature map, drawn at the
same scale so a stride of 2 visibly halves the output. The feature map is
``conv_forward_im2col`` of the image with the filter.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from cnnlab import geometry, shapes
from cnnlab.layers import conv_forward_im2col
from cnnlab.widgets._draw import (
    MIN_POINTS,
    axis_words,
    cell_font,
    clear_figure,
    format_number,
    formula_text,
    grid,
    outline,
    panel,
    place,
    text,
    tint,
)
from cnnlab.widgets._images import digits, photo
from cnnlab.widgets._render import COLORS, Explorer, slider, wrap
from cnnlab.widgets.filters import FILTERS

__all__ = ["FeatureMapState", "compute_featuremap", "draw_featuremap", "FeatureMapExplorer", "learned_filters"]

IMAGES = ("digit", "photo")


@dataclass(frozen=True, kw_only=True)
class FeatureMapState:
    """What FeatureMapExplorer shows."""

    image_name: str
    image: np.ndarray  # (H, W) in [0, 1]
    filter_name: str
    kernel: np.ndarray  # (K, K)
    stride: int
    pad: int
    output: np.ndarray | None = None  # (H', W') feature map, None when the filter does not fit
    output_shape: tuple | None = None
    formula: str
    status: str

    @property
    def valid(self) -> bool:
        return self.output is not None


def learned_filters(weights) -> dict:
    """Filters from a trained layer, by name: a (K, K) array, a (F, K, K) stack, or (F, 1, K, K)
    first-layer weights become {'learned': ...} or {'learned 0': ..., 'learned 1': ...}."""
    w = shapes.check_array("learned", weights)
    if w.ndim == 4 and w.shape[1] == 1:
        w = w[:, 0]
    if w.ndim == 2:
        w = w[None]
    if w.ndim != 3 or w.shape[1] != w.shape[2] or w.shape[1] < 1:
        raise ValueError(
            f"learned must be one square filter (K, K), a stack (F, K, K) or first-layer weights (F, 1, K, K) "
            f"of a network on grey images, got shape {np.shape(weights)}"
        )
    if len(w) == 1:
        return {"learned": w[0]}
    return {f"learned {f}": w[f] for f in range(len(w))}


def compute_featuremap(image="photo", filter="vertical edge", stride=1, pad=0, digit=0, filters=None):  # noqa: A002
    """What the feature-map explorer shows.

    Inputs: image, 'digit' or 'photo' (or an (H, W) array); filter, a name in ``filters``
    (default FILTERS) or a (K, K) array; stride >= 1, pad >= 0; digit, which digit 0..9.
    Returns a FeatureMapState; a filter larger than the padded image gives output None and a
    status saying why.
    """
    filters = FILTERS if filters is None else filters
    if isinstance(image, str):
        if image == "digit":
            images, targets, source = digits()
            index = np.nonzero(targets == digit)[0]
            picture = images[index[0] if len(index) else 0]
            name = f"digit {digit} ({source})"
        else:
            picture, name = photo()
    else:
        picture, name = shapes.check_array("image", image, 2, "(H, W)"), "your image"
    if isinstance(filter, str):
        kernel, filter_name = np.asarray(filters[filter], dtype=np.float64), filter
    else:
        kernel, filter_name = shapes.check_array("filter", filter, 2, "(K, K)"), "your filter"
    stride, pad = shapes.check_int("stride", stride, 1), shapes.check_int("pad", pad, 0)
    (H, W), (KH, KW) = picture.shape, kernel.shape
    formula = formula_text((H, W), (KH, KW), (stride, stride), (pad, pad), (1, 1))
    setting = {"image_name": name, "image": picture, "filter_name": filter_name, "kernel": kernel, "stride": stride,
               "pad": pad, "formula": formula}  # fmt: skip
    try:
        Ho, Wo = shapes.window_output("filter", (KH, KW), (H, W), (stride, stride), (pad, pad), (1, 1))
    except ValueError as exc:
        return FeatureMapState(**setting, status=f"No output: {exc}.")
    param = {"stride": stride, "pad": pad}
    out, _ = conv_forward_im2col(picture[None, None], kernel[None, None], np.zeros(1), param)
    missed = [np.nonzero(geometry.never_read(n, k, stride, pad))[0].tolist() for n, k in zip((H, W), (KH, KW))]
    status = ""
    parts = [axis_words(word, None, m) for word, m in zip(("row", "column"), missed) if m]
    if parts:
        status = f"Stride {stride} never reaches input {' and '.join(parts)}: they do not affect the feature map."
    return FeatureMapState(**setting, output=out[0, 0], output_shape=(Ho, Wo), status=status)


# ---------------------------------------------------------------------------------------------
# Drawing


def draw_featuremap(fig, state: FeatureMapState) -> list:
    """Padded image ∗ filter = feature map, the image and the map at one scale; returns the artists."""
    clear_figure(fig)
    H, W = state.image.shape
    p = state.pad
    Hp, Wp = H + 2 * p, W + 2 * p
    Ho, Wo = state.output_shape or (1, 1)
    scale = min(2.9 / Hp, 3.3 / Wp, 0.3)  # inches per pixel, shared by the image and the map
    top = 0.8
    ax_in = panel(fig, "image", place(fig, 0.3, top, Wp * scale, Hp * scale))
    K = state.kernel.shape[0]
    kcell = min(0.3, 1.3 / K)
    mid = top + Hp * scale / 2
    ax_k = panel(fig, "filter", place(fig, 4.0 + (1.3 - K * kcell) / 2, mid - K * kcell / 2, K * kcell, K * kcell))
    ax_out = panel(fig, "map", place(fig, 5.75, top, max(Wo * scale, 0.01), max(Ho * scale, 0.01)))
    padded = np.pad(state.image, p)
    artists = [ax_in.imshow(padded, cmap="gray", vmin=0, vmax=1, interpolation="nearest", aspect="auto")]
    ax_in.set_axis_off()
    if p:
        artists.append(outline(ax_in, p, p, H, W, color="orange", lw=1.5))
    title = f"Input: {state.image_name}\n{H}×{W}" + (f", pad {p} (orange: the image) → {Hp}×{Wp}" if p else "")
    artists.append(text(ax_in, 0, 1, title, 9.5, va="bottom", transform=ax_in.transAxes, shift=(0, 5)))
    fill = np.ones((K, K, 3))  # the sign of each weight, in the feature map's colours
    fill[state.kernel > 0] = tint("orange", 0.4)
    fill[state.kernel < 0] = tint("purple", 0.4)
    weights = np.round(state.kernel, 2)
    font = cell_font(kcell, {format_number(v) for v in np.ravel(weights)}, largest=9.0)
    artists += grid(ax_k, fill, weights if font else None, fontsize=font or MIN_POINTS)
    if not font:  # the weights do not fit in their cells: their range, in words
        words = f"weights {format_number(weights.min())} to {format_number(weights.max())}\n(too many to print)"
        artists.append(text(ax_k, 0.5, 0, words, 8.5, "#444444", ha="center", va="top", transform=ax_k.transAxes,
                            shift=(0, -5)))  # fmt: skip
    artists.append(text(ax_k, 0.5, 1, f"Filter: {state.filter_name}\n{K}×{K}, stride {state.stride}", 9.5,
                        ha="center", va="bottom", transform=ax_k.transAxes, shift=(0, 5)))  # fmt: skip
    middle = 1 - mid / fig.get_size_inches()[1]
    for x, symbol in ((3.75, "∗"), (5.5, "=")):
        artists.append(text(fig, x / fig.get_size_inches()[0], middle, symbol, 20, ha="center", va="center"))
    if state.valid:
        m = max(float(np.percentile(abs(state.output), 99)), 1e-12)
        artists.append(ax_out.imshow(state.output, cmap="PuOr_r", vmin=-m, vmax=m, interpolation="nearest",
                                     aspect="auto"))  # fmt: skip
        ax_out.set_axis_off()
        caption = f"Feature map {Ho}×{Wo}\norange > 0 > purple (±{m:.2g})"
        artists.append(text(ax_out, 0, 1, caption, 9.5, va="bottom", transform=ax_out.transAxes, shift=(0, 5)))
    else:
        ax_out.set_axis_off()
        artists.append(text(fig, 5.75 / 9, middle, "no feature map", 10, COLORS["vermillion"], va="center"))
    artists.append(text(fig, 0.5, 0.12, state.formula, 10.5, ha="center", va="center"))
    if state.status:
        color = COLORS["vermillion"] if not state.valid else COLORS["ink"]
        artists.append(text(fig, 0.5, 0.02, wrap(state.status, 115), 9.5, color, ha="center", va="bottom"))
    return artists


def describe_featuremap(state: FeatureMapState) -> str:
    """The figure in words: image, filter, stride, padding, the feature map's size, the formula, the status."""
    H, W = state.image.shape
    K = state.kernel.shape[0]
    head = (f"Input: {state.image_name}, {H}×{W}, pad {state.pad}; filter: {state.filter_name}, {K}×{K}, "
            f"stride {state.stride}")  # fmt: skip
    if not state.valid:
        return f"{head}: no feature map.\n{state.formula}\n{state.status}"
    Ho, Wo = state.output_shape
    words = [f"{head}: feature map {Ho}×{Wo} (orange where positive, purple where negative).", state.formula]
    return "\n".join(words + ([state.status] if state.status else []))


# ---------------------------------------------------------------------------------------------
# The widget


class FeatureMapExplorer(Explorer):
    """A filter applied to a real image, with stride and padding controls (lesson 1).

    Controls (``.controls``): 'image' ('digit' or 'photo'), 'digit' (which digit, for the
    digit image), 'filter' (edge, blur, sharpen, ... and any learned ones), 'stride', 'pad'.
    ``learned`` may be a (K, K) filter, a (F, K, K) stack or (F, 1, K, K) first-layer
    weights of a trained network; they join the filter menu as 'learned', 'learned 0', ...
    ``.output_shape`` is (H', W') of the feature map or None.
    """

    figsize = (9.0, 4.6)

    def __init__(self, image="photo", filter="vertical edge", stride=1, pad=0, digit=3, learned=None):  # noqa: A002
        self.filters = dict(FILTERS)
        if learned is not None:
            self.filters.update(learned_filters(learned))
        shapes.check_choice("image", image, IMAGES)
        shapes.check_choice("filter", filter, list(self.filters))
        stride = shapes.check_setting("stride", stride, 1, 4, "the range of the stride slider")
        pad = shapes.check_setting("pad", pad, 0, 3, "the range of the pad slider")
        digit = shapes.check_setting("digit", digit, 0, 9, "which handwritten digit")
        style = {"description_width": "90px"}
        controls = {
            "image": widgets.ToggleButtons(
                options=IMAGES,
                value=image,
                description="image",
                style={"button_width": "70px", "description_width": "90px"},
            ),  # fmt: skip
            "digit": slider("digit", digit, 0, 9),
            "filter": widgets.Dropdown(
                options=list(self.filters),
                value=filter,
                description="filter",
                style=style,
                layout=widgets.Layout(width="300px"),
            ),  # fmt: skip
            "stride": slider("stride", stride, 1, 4),
            "pad": slider("pad", pad, 0, 3),
        }
        super().__init__(controls)

    def sync_controls(self) -> None:
        self.controls["digit"].disabled = self.controls["image"].value != "digit"

    def compute(self) -> FeatureMapState:
        return compute_featuremap(filters=self.filters, **self.values)

    def draw(self, state: FeatureMapState) -> list:
        return draw_featuremap(self.figure, state)

    def describe(self, state: FeatureMapState) -> str:
        return describe_featuremap(state)

    @property
    def output_shape(self):
        """(H', W') of the feature map, or None when the filter does not fit."""
        return None if self.state is None else self.state.output_shape
