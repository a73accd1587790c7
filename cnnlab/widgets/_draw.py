"""Drawing helpers the explorers share: grids of cells with numbers, outlines, reusable axes.

Everything here draws into a given Axes and returns the artists it made. Two choices keep a
redraw fast enough to follow a slider:

- Axes are kept between redraws (``panel``) and emptied with ``reset`` instead of rebuilt,
  and grids draw no tick machinery (their labels are drawn like their numbers).
- The many short numbers of a grid are drawn as *one* collection of glyph outlines
  (``labels``), not one ``Text`` each: matplotlib lays out every Text anew on each draw,
  which costs a fraction of a millisecond apiece, while a collection is one Agg call.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.collections import LineCollection, PatchCollection, PathCollection
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import LoadFlags
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from cnnlab import geometry

__all__ = [
    "panel",
    "reset",
    "clear_figure",
    "grid",
    "labels",
    "text",
    "outline",
    "cells",
    "rgb",
    "span_text",
    "axis_words",
    "formula_text",
    "format_number",
    "place",
    "DPI",
    "MIN_TEXT_PX",
    "COLORS",
    "MIN_POINTS",
    "cell_font",
    "text_width",
    "smallest_text_px",
    "drawn_texts",
]

_FONT = FontProperties(family="DejaVu Sans")

# 9 inches -> 900 pixels: about the width of a notebook's output area in JupyterLab on a
# 1366-pixel laptop screen with the file browser open (at 72 dpi the figures used two thirds
# of it). A figure is shown at most at its own pixel width (sharp) and shrinks with a narrower
# notebook; text is sized in points, so 1 pt is DPI / 72 pixels.
DPI = 100
# The smallest text an explorer draws, in pixels of its PNG: numbers in cells, axis labels,
# keys. What would be smaller is not drawn, and the figure says in words what it would have
# shown. tests/test_widgets.py checks every drawn text; the browser test checks the figure is
# not shown smaller than its PNG at 1366 px, so this is also the size on the screen.
MIN_TEXT_PX = 10

# Okabe & Ito's palette, distinguishable with every common colour-vision deficiency.
COLORS = {
    "blue": "#0072B2",  # the selection: the output cell, the window, the chosen set
    "sky": "#56B4E9",  # its lighter fill
    "orange": "#E69F00",  # a second selection (e.g. one input pixel and its copies)
    "vermillion": "#D55E00",  # what is wrong or never reached
    "green": "#009E73",
    "yellow": "#F0E442",
    "purple": "#CC79A7",
    "grey": "#BBBBBB",  # padding
    "light": "#F2F2F2",
    "ink": "#222222",
}
MIN_POINTS = MIN_TEXT_PX * 72 / DPI  # the smallest font size drawn, in points (10 px at 100 dpi: 7.2 pt)


def text_width(s: str, size: float) -> float:
    """The width of one line of text at ``size`` points, in points."""
    return _line(str(s), float(size))[2]


def cell_font(cell: float, texts=(), largest: float = 10.0) -> float | None:
    """See _cell_font; ``texts`` only matter by their widest member."""
    widest = max((str(t) for t in texts), key=lambda t: text_width(t, 1.0), default="0")
    return _cell_font(round(float(cell), 6), widest, float(largest))


@lru_cache(maxsize=4096)
def _cell_font(cell: float, widest: str, largest: float) -> float | None:
    """The font size (points) for ``texts`` written in square cells ``cell`` inches wide, or None.

    As large as ``largest`` and 40% of the cell allow; raised to MIN_POINTS if the widest
    text still fits its cell at that size; None when even MIN_POINTS does not fit (the caller
    then leaves the numbers out and says in words what they are).
    """
    cell_pt = cell * 72
    # 40% of the cell, but never more than leaves a margin beside the widest text
    size = min(largest, 0.4 * cell_pt, 0.8 * cell_pt / max(text_width(widest, 1.0), 1e-9))
    if size >= MIN_POINTS:
        return size
    size = MIN_POINTS  # at the smallest size, the text must still leave a margin in its cell
    if text_width(widest, size) <= 0.85 * cell_pt and 0.73 * size <= 0.6 * cell_pt:
        return size
    return None


def drawn_texts(ax) -> list[str]:
    """What the glyph collections in ``ax`` (an Axes or a Figure) say, one string per collection."""
    return [a._cnnlab_text for a in ax.findobj(PathCollection) if hasattr(a, "_cnnlab_text")]


def smallest_text_px(fig) -> float | None:
    """The font size, in pixels of the PNG, of the smallest text drawn in ``fig`` (None: no text)."""
    from matplotlib.text import Text

    def shown(artist) -> bool:
        return artist.get_visible() and (artist.axes is None or artist.axes.get_visible())

    sizes = [a._cnnlab_size for a in fig.findobj(PathCollection) if hasattr(a, "_cnnlab_size") and shown(a)]
    sizes += [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and shown(t)]
    return min(sizes) * fig.dpi / 72 if sizes else None


def panel(fig, name: str, rect) -> object:
    """The Axes called ``name`` in ``fig`` (created the first time), moved to ``rect``, emptied.

    ``rect`` is (left, bottom, width, height) in figure fractions.
    """
    for ax in fig.axes:
        if ax.get_label() == name:
            ax.set_position(rect)
            reset(ax)
            return ax
    ax = fig.add_axes(rect, label=name)
    reset(ax)
    return ax


def clear_figure(fig) -> None:
    """Remove what a draw put on the figure itself (texts, collections), keeping the axes."""
    for artist in [*fig.texts, *fig.artists, *fig.patches, *fig.lines]:
        artist.remove()


def reset(ax) -> None:
    """Remove every artist a draw added (images, patches, lines, texts, collections)."""
    for artist in [*ax.images, *ax.patches, *ax.lines, *ax.texts, *ax.collections, *ax.artists]:
        artist.remove()
    if ax.legend_ is not None:
        ax.legend_.remove()
    ax.set_title("")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_visible(True)
    ax.set_axis_on()


def place(fig, left: float, top: float, width: float, height: float):
    """An (left, bottom, width, height) rect in figure fractions from one given in inches from the top left."""
    fw, fh = fig.get_size_inches()
    return (left / fw, 1 - (top + height) / fh, width / fw, height / fh)


def rgb(color) -> np.ndarray:
    """A colour name (of COLORS) or any matplotlib colour as an (3,) float RGB array."""
    return np.array(mcolors.to_rgb(COLORS.get(color, color)))


def tint(color, amount: float) -> np.ndarray:
    """``color`` mixed with white: amount 1 is the colour, 0 is white."""
    return 1 - amount * (1 - rgb(color))


# ---------------------------------------------------------------------------------------------
# Text as glyph outlines: each character's outline is made once, a line of text is those
# outlines side by side, and any number of texts are drawn as one PathCollection.


@lru_cache(maxsize=1024)
def _char(ch: str):
    """One character at 1 point: its outline (vertices, codes) and its advance width in points."""
    font = get_font(findfont(_FONT))
    font.set_size(100, 72)
    advance = font.load_char(ord(ch), flags=LoadFlags.NO_HINTING).linearHoriAdvance / 65536 / 100
    if ch.isspace():  # TextPath cannot make an empty outline
        return np.zeros((0, 2)), np.zeros(0, dtype=np.uint8), advance
    path = TextPath((0, 0), ch, size=1, prop=_FONT)
    codes = path.codes if path.codes is not None else np.full(len(path.vertices), Path.LINETO, dtype=np.uint8)
    return path.vertices.copy(), np.asarray(codes, dtype=np.uint8), advance


@lru_cache(maxsize=8192)
def _line(text: str, size: float):
    """A line of text at ``size`` points as (vertices, codes, width in points), baseline at y = 0."""
    vertices, codes, x = [], [], 0.0
    for ch in text:
        v, c, advance = _char(ch)
        if len(v):
            vertices.append(v * size + (x, 0.0))
            codes.append(c)
        x += advance * size
    if not vertices:
        return np.zeros((0, 2)), np.zeros(0, dtype=np.uint8), x
    return np.concatenate(vertices), np.concatenate(codes), x


@lru_cache(maxsize=8192)
def _paths(text: str, size: float, ha: str, va: str, linespacing: float, shift=(0.0, 0.0)) -> tuple:
    """One Path per line of ``text``, aligned around (0, 0) in points (cached: labels repeat)."""
    lines = text.split("\n")
    step = size * linespacing
    cap = 0.73 * size  # the height of digits and capitals in DejaVu Sans
    first = {"top": -0.76 * size, "center": (len(lines) - 1) * step / 2 - cap / 2, "baseline": 0.0,
             "bottom": (len(lines) - 1) * step + 0.24 * size}[va]  # fmt: skip
    paths = []
    for k, line in enumerate(lines):
        vertices, codes, width = _line(line, float(size))
        dx = {"left": 0.0, "center": -width / 2, "right": -width}[ha]
        paths.append(Path(vertices + (dx + shift[0], first - k * step + shift[1]), codes))
    return tuple(paths)


def text(
    ax, x, y, s: str, size=10.0, color=None, ha="left", va="baseline", transform=None, linespacing=1.3,
    shift=(0.0, 0.0), rotation=0.0,
):  # fmt: skip
    """Draw ``s`` (lines split at newlines) at (x, y) as glyph outlines; returns the collection.

    Like ``ax.text`` (``ax`` may also be a Figure; the default transform is then figure
    fractions, else data coordinates) but several times faster to draw. ``color`` is one
    colour, or one per line; ``shift`` (dx, dy) moves it by points (before ``rotation``,
    in degrees counter-clockwise around the anchor).
    """
    if transform is None:
        transform = ax.transData if hasattr(ax, "transData") else ax.transSubfigure
    paths = _paths(s, float(size), ha, va, float(linespacing), tuple(shift))
    collection = _collection(ax, list(paths), [(x, y)] * len(paths), transform, color, rotation, size)
    collection._cnnlab_text = s  # what it says, for tests (drawn as outlines, it is no Text)
    return collection


def labels(ax, xy, texts, size=9.0, color=None, ha="center", shift=(0.0, 0.0), transform=None):
    """Many short texts (numbers, indices), each centred vertically at its position, as one collection.

    Inputs:
    - xy: (n, 2) positions in data coordinates (or in ``transform``'s)
    - texts: n strings; size in points; color one colour or n colours
    - ha: 'center', 'right' or 'left'; shift: (dx, dy) in points, applied to every text
    Returns the PathCollection.
    """
    shift = tuple(float(v) for v in shift)
    paths = [_paths(str(t), float(size), ha, "center", 1.0, shift)[0] for t in texts]
    collection = _collection(ax, paths, xy, ax.transData if transform is None else transform, color, size=size)
    collection._cnnlab_text = "\n".join(str(t) for t in texts)
    return collection


def _collection(ax, paths, offsets, transform, color, rotation=0.0, size=None):
    collection = PathCollection(
        paths,
        offsets=np.asarray(offsets, dtype=float).reshape(-1, 2),
        offset_transform=transform,
        facecolors=COLORS["ink"] if color is None else color,
        edgecolors="none",
    )
    dpi = ax.figure.dpi if hasattr(ax, "transData") else ax.dpi
    collection.set_transform(Affine2D().rotate_deg(rotation).scale(dpi / 72))
    collection.set_clip_on(False)
    collection._cnnlab_size = float(size)  # for smallest_text_px: the font size in points
    if hasattr(ax, "add_collection"):
        ax.add_collection(collection, autolim=False)
    else:
        ax.add_artist(collection)
    return collection


def grid(ax, fill, values=None, row_labels=None, col_labels=None, fontsize=9.0, text_colors=None, lines="#888888"):
    """Draw an (H, W) grid of square cells with optional numbers and index labels.

    Inputs:
    - fill: (H, W, 3) RGB colours of the cells
    - values: (H, W) numbers (or strings) written in the cells; None: none; NaN: left empty
    - row_labels, col_labels: labels of rows (left) and columns (top); None: none
    - text_colors: one colour or (H, W) colours for the numbers
    - lines: the colour of the lines between cells (None: no lines)
    Returns the artists drawn. Cell (i, j) is centred at data coordinates (x=j, y=i); the
    Axes has no ticks or frame (labels are drawn like the numbers, which is faster).
    """
    H, W = fill.shape[:2]
    ax.set_axis_off()
    artists = [ax.imshow(fill, extent=(-0.5, W - 0.5, H - 0.5, -0.5), interpolation="nearest", aspect="auto")]
    if lines is not None:
        segments = [((x, -0.5), (x, H - 0.5)) for x in np.arange(W + 1) - 0.5]
        segments += [((-0.5, y), (W - 0.5, y)) for y in np.arange(H + 1) - 0.5]
        border = LineCollection(segments, colors=lines, linewidths=0.6)
        border.set_clip_on(False)
        artists.append(ax.add_collection(border, autolim=False))
    if values is not None:
        values = np.asarray(values, dtype=object)
        keep = [(i, j) for (i, j), v in np.ndenumerate(values) if isinstance(v, str) or not np.isnan(v)]
        if keep:
            texts = [values[ij] if isinstance(values[ij], str) else format_number(values[ij]) for ij in keep]
            colors = text_colors
            if text_colors is not None and np.ndim(text_colors) == 2:
                colors = [text_colors[ij] for ij in keep]
            artists.append(labels(ax, [(j, i) for i, j in keep], texts, fontsize, colors))
    small = max(min(7.5, fontsize), MIN_POINTS)
    step = 1 if max(H, W) <= 14 else 2
    if col_labels is not None:
        cols = range(0, W, step)
        artists.append(labels(ax, [(j, -0.5) for j in cols], [_minus(col_labels[j]) for j in cols], small, "#555555",
                              shift=(0, small * 0.9)))  # fmt: skip
    if row_labels is not None:
        rows = range(0, H, step)
        artists.append(labels(ax, [(-0.5, i) for i in rows], [_minus(row_labels[i]) for i in rows], small, "#555555",
                              ha="right", shift=(-3, 0)))  # fmt: skip
    ax.set_xlim(-0.5, W - 0.5)
    ax.set_ylim(H - 0.5, -0.5)
    return artists


def _minus(label) -> str:
    """A tick label with a true minus sign; mathtext powers of ten ('$\\mathdefault{10^{-4}}$') as '1e−4'."""
    label = str(label)
    power = re.fullmatch(r"\$\\mathdefault\{10\^\{(.*)\}\}\$", label)
    if power:
        label = "1" if power.group(1) in ("0", "{0}") else f"1e{power.group(1)}"
    return label.replace("-", "−").replace("\N{MINUS SIGN}", "−")


def fast_ticks(ax, size=8.0) -> list:
    """Redraw an Axes' tick labels and axis labels as glyph collections and hide its axis machinery.

    For axes drawn by someone else's function (e.g. a heat map with tick labels): the same
    labels at the same places, without the per-draw cost of matplotlib's tick layout.
    Returns the artists drawn.
    """
    artists = []
    x_ticks = [(t, lab.get_text()) for t, lab in zip(ax.get_xticks(), ax.get_xticklabels()) if lab.get_text()]
    y_ticks = [(t, lab.get_text()) for t, lab in zip(ax.get_yticks(), ax.get_yticklabels()) if lab.get_text()]
    to_axes = ax.transData + ax.transAxes.inverted()
    x_ticks = [(t, s) for t, s in x_ticks if -1e-6 <= to_axes.transform((t, ax.get_ylim()[0]))[0] <= 1 + 1e-6]
    y_ticks = [(t, s) for t, s in y_ticks if -1e-6 <= to_axes.transform((ax.get_xlim()[0], t))[1] <= 1 + 1e-6]
    right = ax.yaxis.get_ticks_position() == "right"
    if x_ticks:
        artists.append(labels(ax, [(t, 0) for t, _ in x_ticks], [_minus(s) for _, s in x_ticks], size, "#444444",
                              shift=(0, -size), transform=ax.get_xaxis_transform()))  # fmt: skip
    if y_ticks:
        artists.append(labels(ax, [(1 if right else 0, t) for t, _ in y_ticks], [_minus(s) for _, s in y_ticks], size,
                              "#444444", ha="left" if right else "right", shift=(4 if right else -4, 0),
                              transform=ax.get_yaxis_transform()))  # fmt: skip
    if ax.get_xlabel():
        artists.append(text(ax, 0.5, 0, ax.get_xlabel(), size, "#444444", ha="center", va="top",
                            transform=ax.transAxes, shift=(0, -2.2 * size)))  # fmt: skip
    if ax.get_ylabel():
        offset = 4 + 4.6 * size
        artists.append(text(ax, 1 if right else 0, 0.5, ax.get_ylabel(), size, "#444444", ha="center",
                            va="center", transform=ax.transAxes, shift=(0, 0), rotation=90))  # fmt: skip
        artists[-1].set_offset_transform(ax.transAxes + Affine2D().translate(offset if right else -offset, 0))
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    return artists


def format_number(v) -> str:
    """A cell's number: integers without a decimal point, others with 2 significant digits."""
    v = float(v)
    if v == int(v) and abs(v) < 1e5:
        text = str(int(v))
    else:
        text = f"{v:.2g}"
    return text.replace("-", "−")


def outline(ax, top: float, left: float, height: float, width: float, color="blue", lw=2.5, ls="-", **kwargs):
    """A rectangle around the cells of rows top..top+height-1 and columns left..left+width-1."""
    rect = Rectangle(
        (left - 0.5, top - 0.5), width, height, fill=False, edgecolor=COLORS.get(color, color), lw=lw, ls=ls, **kwargs
    )
    rect.set_clip_on(False)
    ax.add_artist(rect)  # not add_patch: the limits are set by the grid, and autoscaling costs time
    return rect


def cells(ax, mask, color="vermillion", hatch="///", lw=0.0, fill=False, alpha=1.0):
    """One collection of hatched (or filled) squares over the True cells of an (H, W) mask."""
    color = COLORS.get(color, color)
    rects = [Rectangle((j - 0.5, i - 0.5), 1, 1) for i, j in zip(*np.nonzero(mask))]
    collection = PatchCollection(
        rects, facecolor=color if fill else "none", edgecolor=color, hatch=hatch, lw=lw, alpha=alpha
    )
    collection.set_hatch_linewidth(0.6)
    ax.add_collection(collection, autolim=False)
    return collection


def span_text(indices) -> str:
    """Sorted ints as short text: [6, 7, 8, 11] -> '6–8 and 11'; [2, 3] -> '2 and 3'."""
    indices = sorted(indices)
    parts = []
    for k in indices:
        if parts and k == parts[-1][1] + 1:
            parts[-1][1] = k
        else:
            parts.append([k, k])
    words = []
    for a, b in parts:
        if a == b:
            words.append(f"{a}")
        elif b == a + 1:
            words += [f"{a}", f"{b}"]
        else:
            words.append(f"{a}–{b}")
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def axis_words(one: str, other: str | None, indices) -> str:
    """'row 6', 'rows 6 and 7', 'rows and columns 6 and 7', 'row and column 6'."""
    plural = "s" if len(indices) > 1 else ""
    what = f"{one}{plural}" if other is None else f"{one}{plural} and {other}{plural}"
    return f"{what} {span_text(indices)}"


def formula_text(size, kernel, stride, pad, dilation) -> str:
    """The output-size formula with the numbers filled in, one line per distinct axis.

    Every argument is an (h, w) pair; the result is ``cnnlab.geometry.output_size``'s.
    """
    lines = []
    axes = [("H′", 0), ("W′", 1)]
    if all(pair[0] == pair[1] for pair in (size, kernel, stride, pad, dilation)):
        axes = [("H′ = W′", 0)]
    for name, a in axes:
        n, k, s, p, d = size[a], kernel[a], stride[a], pad[a], dilation[a]
        top = n + 2 * p - geometry.span(k, d)  # the numerator, I + 2P − D(K−1) − 1
        o = geometry.output_size(n, k, s, p, d)
        verdict = f"{o}".replace("-", "−") + ("" if o >= 1 else "  < 1: no output")
        lines.append(
            f"{name} = ⌊(I + 2P − D(K−1) − 1) / S⌋ + 1 = ⌊({n} + 2·{p} − {d}·({k}−1) − 1) / {s}⌋ + 1"
            f" = ⌊{top} / {s}⌋ + 1 = {verdict}".replace("(-", "(−").replace("⌊-", "⌊−")
        )
    return "\n".join(lines)
