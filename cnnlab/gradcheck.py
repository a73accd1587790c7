"""Gradient checking: numerical gradients, relative errors, and reports that say where.

A gradient check compares the gradient your backward pass computes (the *analytic*
gradient) with one estimated from the forward pass alone (the *numerical* gradient).

Numerical gradients use centered differences with a step ``h`` (default 1e-5)::

    df/dx[i] ~ (f(x + h e_i) - f(x - h e_i)) / (2 h)

They need float64: in float32 the difference f(x + h) - f(x - h) keeps only a digit or
two, so the functions here refuse float32 and integer arrays instead of returning
misleading numbers. The input is perturbed in place and always restored, even when ``f``
raises; outputs of ``f`` are copied, so an ``f`` that returns a view still works.

Analytic and numerical gradients are compared element by element with the relative error

    err[i] = |a[i] - n[i]| / max(|a[i]| + |n[i]|, floor)

``floor`` keeps elements whose gradient is (nearly) zero from dividing noise by noise: by
default it is ``FLOOR_FRACTION`` (1e-4) times the largest ``|a| + |n|`` in the array, so no
element is judged on a scale ten thousand times finer than the array's own (the rounding
noise of a numerical gradient is absolute, about 1e-10 here, so an element whose true
gradient is 1e-6 would otherwise "fail" with a correct backward pass).

A gradient passes when its largest relative error is below ``THRESHOLD`` (1e-6). For the
float64 layers of cnnlab with h = 1e-5, correct gradients stay below 1e-7 (measured on every
case of ``cnnlab.cases``); a real mistake almost always shows errors of 1e-3 or more.

The names CS231n students know work as there::

    dx_num = eval_numerical_gradient_array(lambda x: conv_forward_naive(x, w, b, p)[0], x, dout)
    print("dx error:", rel_error(dx, dx_num))

and ``check_layer`` does all of it at once, returning a report with a verdict per input,
the worst elements and a heat map of the error::

    report = check_layer(conv_forward_naive, conv_backward_naive, (x, w, b), conv_param)
    report          # in a notebook: the verdict table (and the heat map if it fails)
    report.plot()   # the heat maps, one per input

Introduced in lesson 2 (naive convolution); every later lesson checks with it.
"""

from __future__ import annotations

import contextlib
import inspect
import math
from dataclasses import dataclass, field

import numpy as np

from cnnlab import shapes

__all__ = [
    "THRESHOLD",
    "FLOOR_FRACTION",
    "eval_numerical_gradient",
    "eval_numerical_gradient_array",
    "numerical_gradient_at",
    "rel_error",
    "relative_error_map",
    "worst_entries",
    "error_bucket",
    "format_pair",
    "draw_error_map",
    "compare_gradients",
    "check_layer",
    "GradientComparison",
    "GradcheckReport",
]

THRESHOLD = 1e-6  # a gradient passes when its largest relative error is below this
FLOOR_FRACTION = 1e-4  # the floor of the relative error's denominator, as a fraction of the array's scale
DEFAULT_STEP = 1e-5  # h of the centered differences


# ---------------------------------------------------------------------------------------------
# Numerical gradients (centered differences, float64 only)


def eval_numerical_gradient(f, x, verbose=False, h=DEFAULT_STEP):
    """Numerical gradient of a scalar function ``f`` at ``x``, by centered differences.

    Inputs:
    - f: a function of one array returning a number (e.g. a loss); called as ``f(x)``
    - x: float64 array of any shape S, perturbed in place one element at a time and
      always restored (also when ``f`` raises)
    - verbose: print each element's index and gradient as it is computed
    - h: the step, a number > 0
    Returns grad (S,) float64 with grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h).
    """
    x = shapes.check_float64("x", x)
    h = shapes.check_real(
        "h", h, "a number > 0 (the step of the centered difference, e.g. 1e-5)", low=0.0, low_open=True
    )
    grad = np.zeros(x.shape)
    with _restored(x):
        for index in np.ndindex(*x.shape):
            plus, minus = _at_both_sides(x, index, h, lambda: _scalar(f(x)))
            grad[index] = (plus - minus) / (2 * h)
            if verbose:
                print(index, grad[index])
    return grad


def eval_numerical_gradient_array(f, x, df, h=DEFAULT_STEP):
    """Numerical gradient of ``sum(f(x) * df)`` at ``x``: backprop of ``df`` through ``f``.

    Inputs:
    - f: a function of one array returning an array of shape S_out (a layer's output)
    - x: float64 array of shape S, perturbed in place and always restored
    - df: upstream gradient of shape S_out
    - h: the step, a number > 0
    Returns grad (S,) float64, the numerical version of what a backward pass returns.
    Each output of ``f`` is copied, so an ``f`` that returns a view of x still works.
    """
    x = shapes.check_float64("x", x)
    h = shapes.check_real(
        "h", h, "a number > 0 (the step of the centered difference, e.g. 1e-5)", low=0.0, low_open=True
    )
    df = np.asarray(df, dtype=np.float64)
    grad = np.zeros(x.shape)
    with _restored(x):
        for index in np.ndindex(*x.shape):
            grad[index] = _directional(f, x, df, index, h)
    return grad


def numerical_gradient_at(f, x, df, indices, h=DEFAULT_STEP) -> np.ndarray:
    """Like ``eval_numerical_gradient_array``, but only at the given elements.

    Inputs: f, x (S,) float64, df (S_out,), h as there; indices: a sequence of K index
    tuples into x. Returns (K,) float64, the gradient at each index in order. For checks
    of large arrays or slow functions, where every element would take too long.
    """
    x = shapes.check_float64("x", x)
    h = shapes.check_real(
        "h", h, "a number > 0 (the step of the centered difference, e.g. 1e-5)", low=0.0, low_open=True
    )
    df = np.asarray(df, dtype=np.float64)
    values = np.zeros(len(indices))
    with _restored(x):
        for k, index in enumerate(indices):
            values[k] = _directional(f, x, df, tuple(index), h)
    return values


def rel_error(a, b) -> float:
    """CS231n's relative error: max over elements of |a - b| / max(1e-8, |a| + |b|).

    Inputs: a, b arrays of one shape (or numbers). Returns a float in [0, 1] (NaN if
    either holds NaN). The one number CS231n prints; ``compare_gradients`` says more.
    """
    a, b = _pair("a", a, "b", b)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def _directional(f, x, df, index, h) -> float:
    """sum((f(x + h e_i) - f(x - h e_i)) * df) / (2h) for one index i of x."""

    def output():
        out = np.array(f(x), dtype=np.float64, copy=True)  # a copy: f may return a view of x
        if out.shape != df.shape:
            raise ValueError(f"df must have the shape of f(x), {out.shape}, got {df.shape}")
        return out

    plus, minus = _at_both_sides(x, index, h, output)
    return float(np.sum((plus - minus) * df)) / (2 * h)


def _at_both_sides(x, index, h, evaluate):
    """evaluate() with x[index] moved up by h, then down by h; x[index] restored after."""
    old = x[index]
    try:
        x[index] = old + h
        plus = evaluate()
        x[index] = old - h
        minus = evaluate()
    finally:
        x[index] = old
    return plus, minus


@contextlib.contextmanager
def _restored(x):
    """x is back to its values on exit, even on error; an f that changed x is an error."""
    saved = x.copy()
    try:
        yield x
    except BaseException:
        np.copyto(x, saved)
        raise
    changed = not np.array_equal(x, saved, equal_nan=True)
    np.copyto(x, saved)
    if changed:
        raise ValueError(
            "f changed its input x in place while the numerical gradient was computed, so the "
            "gradient is meaningless; x has been restored. Make f compute new arrays instead"
        )


def _scalar(value) -> float:
    """A function's return value as a float, or a TypeError if it is not one number."""
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "iuf":
        raise TypeError(
            f"f must return one number (a loss), got {type(value).__name__} of shape {arr.shape}; for a "
            "function returning an array, use eval_numerical_gradient_array(f, x, df)"
        )
    return float(arr.reshape(()))


# ---------------------------------------------------------------------------------------------
# Elementwise relative error: the numbers behind every report and heat map


def relative_error_map(analytic, numeric, floor: float | None = None) -> np.ndarray:
    """Elementwise relative error of two gradients of the same shape.

    Inputs: analytic, numeric: arrays of one shape S (any number of dimensions).
    Returns err (S,) float64 with

        err = |analytic - numeric| / max(|analytic| + |numeric|, floor)

    where ``floor`` defaults to ``FLOOR_FRACTION * max(|analytic| + |numeric|)`` over the
    whole array. Where both are exactly zero the error is 0. Raises ValueError if the
    shapes differ, naming both.
    """
    a, n = _pair("analytic", analytic, "numeric", numeric)
    total = np.abs(a) + np.abs(n)
    if floor is None:
        floor = default_floor(total)
    denominator = np.maximum(total, max(floor, np.finfo(np.float64).tiny))
    return np.abs(a - n) / denominator


def default_floor(total: np.ndarray) -> float:
    """``FLOOR_FRACTION`` times the largest entry of ``|a| + |n|`` (0.0 for an empty array)."""
    finite = total[np.isfinite(total)]
    return FLOOR_FRACTION * float(finite.max()) if finite.size else 0.0


def worst_entries(analytic, numeric, k: int = 5, floor: float | None = None):
    """The k elements where two gradients disagree most, worst first.

    Inputs: analytic, numeric: arrays of one shape S; k >= 0.
    Returns a list of at most k tuples ``(index, analytic value, numeric value, relative
    error)``, ``index`` a tuple of ints into S. Ties keep row-major order; NaN errors
    (e.g. from a NaN gradient) count as the worst.
    """
    a, n = _pair("analytic", analytic, "numeric", numeric)
    err = relative_error_map(a, n, floor)
    ranked = np.where(np.isnan(err), np.inf, err).ravel()
    order = np.argsort(-ranked, kind="stable")[: max(int(k), 0)]
    entries = []
    for flat in order:
        index = tuple(int(i) for i in np.unravel_index(flat, err.shape))
        entries.append((index, float(a[index]), float(n[index]), float(err[index])))
    return entries


def error_bucket(error: float, threshold: float = THRESHOLD) -> str:
    """A relative error as text that is the same on every machine: a bound, never the float.

    Below ``threshold``: ``"< 1e-6"``. Above: its decade, ``"between 1e-3 and 1e-2"``, or
    ``"= 1"`` (opposite signs, or one side zero), or ``"NaN"``.
    """
    if math.isnan(error):
        return "NaN"
    if error < threshold:
        return f"< {_sci(threshold)}"
    if error >= 1.0:
        return "= 1"
    low = 10.0 ** math.floor(math.log10(error))
    return f"between {_sci(low)} and {_sci(low * 10)}"


def _sci(value: float) -> str:
    """1e-06 -> '1e-6', 1.0 -> '1', 5e-07 -> '5e-7': short scientific notation."""
    if value == 1.0:
        return "1"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def format_pair(a: float, b: float) -> tuple[str, str]:
    """Two values as text, to 3 significant digits or more where needed to tell them apart (up to 8).

    Used for the worst elements of a failing check: stable across machines, since the
    values of a wrong answer differ in a digit that rounding on another machine does not reach.
    """
    digits = 3
    while digits < 8 and _number(a, digits) == _number(b, digits):
        digits += 1
    return _number(a, digits), _number(b, digits)


def _number(value: float, digits: int = 3) -> str:
    if math.isnan(value):
        return "nan"
    text = f"{value:.{digits}g}"
    return "0" if text in ("0", "-0") else text


# ---------------------------------------------------------------------------------------------
# Reports


@dataclass
class GradientComparison:
    """One gradient compared element by element: analytic vs numerical, of one shape S.

    ``errors`` (S,) is the relative error map; ``max_error`` its largest value (NaN if any
    element is NaN); ``passed`` is max_error < threshold; ``wrong`` counts elements above it.
    """

    name: str
    analytic: np.ndarray
    numeric: np.ndarray
    threshold: float = THRESHOLD
    floor: float | None = None
    errors: np.ndarray = field(init=False, repr=False)
    max_error: float = field(init=False)
    passed: bool = field(init=False)
    wrong: int = field(init=False)

    def __post_init__(self):
        self.analytic, self.numeric = _pair(
            f"analytic {self.name}", self.analytic, f"numeric {self.name}", self.numeric
        )
        self.errors = relative_error_map(self.analytic, self.numeric, self.floor)
        bad = np.isnan(self.errors) | (self.errors >= self.threshold)
        self.max_error = float(np.nan if np.isnan(self.errors).any() else self.errors.max(initial=0.0))
        self.passed = not bad.any()
        self.wrong = int(bad.sum())

    def worst(self, k: int = 3):
        """The k worst elements: (index, analytic, numeric, relative error), worst first."""
        return worst_entries(self.analytic, self.numeric, k, self.floor)

    def lines(self) -> list[str]:
        """Deterministic text: the verdict for this gradient, then its worst elements if it fails."""
        head = f"{self.name} {self.analytic.shape}: {'PASS' if self.passed else 'FAIL'}, max relative error "
        head += error_bucket(self.max_error, self.threshold)
        if self.passed:
            return [head]
        lines = [head + f", wrong at {self.wrong} of {self.errors.size} elements"]
        for index, a, n, _ in self.worst(3):
            a_text, n_text = format_pair(a, n)
            lines.append(f"    {self.name}{list(index)}: analytic {a_text}, numerical {n_text}")
        return lines


@dataclass
class GradcheckReport:
    """Analytic vs numerical gradients of several inputs, with a verdict for each.

    ``passed`` is True when every gradient passes. ``str(report)`` (and the text a notebook
    shows) never contains a measured float in its verdicts, only bounds like ``< 1e-6``;
    ``max_errors`` has the raw numbers. ``plot()`` draws the error heat maps.
    """

    comparisons: list[GradientComparison]
    title: str = "gradient check"

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.comparisons)

    @property
    def max_errors(self) -> dict[str, float]:
        return {c.name: c.max_error for c in self.comparisons}

    def __getitem__(self, name: str) -> GradientComparison:
        for comparison in self.comparisons:
            if comparison.name == name:
                return comparison
        raise KeyError(f"no gradient named {name!r}; this report has {[c.name for c in self.comparisons]}")

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        names = ", ".join(c.name for c in self.comparisons)
        thresholds = {c.threshold for c in self.comparisons}
        bound = _sci(max(thresholds))
        if self.passed:
            return f"{self.title}: PASS ({names}; max relative error < {bound})"
        failed = ", ".join(c.name for c in self.comparisons if not c.passed)
        lines = [f"{self.title}: FAIL ({failed} above the threshold {bound})"]
        for comparison in self.comparisons:
            lines += ["  " + line for line in comparison.lines()]
        if any(not c.passed for c in self.comparisons):
            lines.append(
                "  a few wrong elements can also come from a kink that the step h crosses: relu near 0, or a "
                "max with ties (max pooling), where the numerical gradient splits between the tied elements; "
                "many wrong elements are a mistake"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        return _report_html(self)

    def _ipython_display_(self) -> None:
        """In a notebook: the verdict (text and a table), plus the heat maps when it fails."""
        from IPython.display import display

        display({"text/plain": str(self), "text/html": self._repr_html_()}, raw=True)
        if not self.passed:
            display({"image/png": self._png()}, raw=True)

    def plot(self, names=None):
        """Draw the relative-error heat map of each gradient (or of ``names``); returns the Figure.

        Created under ``plt.ioff()``: it shows when it is a cell's last value or on ``plt.show()``.
        """
        import matplotlib.pyplot as plt

        with plt.ioff():
            fig = plt.figure(figsize=_figure_size(self._chosen(names)))
        _draw_report(fig, self._chosen(names))
        return fig

    def _chosen(self, names):
        if names is None:
            return self.comparisons
        return [self[name] for name in ([names] if isinstance(names, str) else names)]

    def _png(self) -> bytes:
        """The heat maps of the failing gradients as PNG bytes (no pyplot state is touched)."""
        import io

        from matplotlib.figure import Figure

        chosen = [c for c in self.comparisons if not c.passed]
        fig = Figure(figsize=_figure_size(chosen))
        _draw_report(fig, chosen)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        return buffer.getvalue()


def compare_gradients(analytic, numeric, threshold: float = THRESHOLD, names=None, title="gradient check"):
    """Compare analytic with numerical gradients; return a ``GradcheckReport``.

    Inputs:
    - analytic, numeric: the same structure, one of
      - dicts {name: array}, with the same keys (``names`` picks and orders them);
      - sequences of arrays, in the same order (named by ``names`` or "grad 0", "grad 1", ...);
      - two arrays (named by ``names`` or "grad").
      Each pair of arrays must have one shape.
    - threshold: a gradient passes when its largest relative error is below this.
    Returns a report: ``.passed``, a verdict per gradient, ``.plot()``.
    """
    pairs = _named_pairs(analytic, numeric, names)
    return GradcheckReport([GradientComparison(name, a, n, threshold) for name, a, n in pairs], title)


def check_layer(forward, backward, inputs, *params, dout=None, h=DEFAULT_STEP, threshold=THRESHOLD, seed=0):
    """Gradient-check a layer: its backward pass against numerical gradients of its forward.

    Inputs:
    - forward: ``forward(*inputs, *params) -> (out, cache)``, e.g. ``conv_forward_naive``
    - backward: ``backward(dout, cache)`` returning one gradient per input, in order (a
      single array when there is one input)
    - inputs: tuple of the float64 arrays to differentiate, e.g. ``(x, w, b)``; they are
      copied, so yours are never changed
    - params: the forward's remaining arguments, e.g. ``conv_param``
    - dout: upstream gradient of out's shape (default: standard normal, from ``seed``)
    Returns a ``GradcheckReport`` with one verdict per input, named ``d<argument name>``
    after the forward's signature (dx, dw, db).
    """
    if not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    inputs = [shapes.check_float64(f"inputs[{i}]", np.asarray(a)).copy() for i, a in enumerate(inputs)]
    out, cache = forward(*inputs, *params)
    out = np.array(out, dtype=np.float64, copy=True)
    if dout is None:
        dout = np.random.default_rng(seed).standard_normal(out.shape)
    dout = np.asarray(dout, dtype=np.float64)
    grads = backward(dout.copy(), cache)
    if not isinstance(grads, (tuple, list)):
        grads = (grads,)
    if len(grads) != len(inputs):
        raise ValueError(f"backward returned {len(grads)} gradients for {len(inputs)} inputs; return one per input")
    numeric = []
    for i, x in enumerate(inputs):

        def output_of(value, i=i):
            args = list(inputs)
            args[i] = value
            return forward(*args, *params)[0]

        numeric.append(eval_numerical_gradient_array(output_of, x, dout, h))
    return compare_gradients(list(grads), numeric, threshold, names=_gradient_names(forward, len(inputs)))


def _gradient_names(forward, count: int) -> list[str]:
    """["dx", "dw", "db"] from forward(x, w, b, ...); "d0", "d1", ... if the signature is unknown."""
    try:
        parameters = list(inspect.signature(forward).parameters)
    except (TypeError, ValueError):
        parameters = []
    if len(parameters) >= count and all(p.isidentifier() for p in parameters[:count]):
        return [f"d{p}" for p in parameters[:count]]
    return [f"d{i}" for i in range(count)]


def _named_pairs(analytic, numeric, names):
    """[(name, analytic array, numeric array)] from dicts, sequences or single arrays."""
    if isinstance(analytic, dict) or isinstance(numeric, dict):
        if not (isinstance(analytic, dict) and isinstance(numeric, dict)):
            raise TypeError("analytic and numeric must both be dicts {name: array}, or neither")
        keys = list(names) if names is not None else list(analytic)
        missing = [k for k in keys if k not in analytic or k not in numeric]
        if missing:
            raise ValueError(
                f"no gradient named {missing[0]!r} in both analytic {list(analytic)} and numeric {list(numeric)}"
            )
        return [(str(k), analytic[k], numeric[k]) for k in keys]
    if isinstance(analytic, (tuple, list)):
        if not isinstance(numeric, (tuple, list)) or len(analytic) != len(numeric):
            raise ValueError("analytic and numeric must be sequences of the same length, one array per input")
        keys = list(names) if names is not None else [f"grad {i}" for i in range(len(analytic))]
        if len(keys) != len(analytic):
            raise ValueError(f"got {len(keys)} names for {len(analytic)} gradients")
        return list(zip(keys, analytic, numeric))
    name = names if isinstance(names, str) else (names[0] if names else "grad")
    return [(name, analytic, numeric)]


def _report_html(report: GradcheckReport) -> str:
    """A small table, one row per gradient, with the same wording as the text."""
    import html

    color = "#1a7f37" if report.passed else "#cf222e"
    verdict = html.escape(str(report).splitlines()[0])
    rows = []
    for c in report.comparisons:
        worst = ""
        if not c.passed:
            worst = "<br>".join(
                html.escape(f"{c.name}{list(i)}: analytic {{}}, numerical {{}}".format(*format_pair(a, n)))
                for i, a, n, _ in c.worst(3)
            )
        rows.append(
            f"<tr><td><code>{html.escape(c.name)}</code></td><td>{c.analytic.shape}</td>"
            f"<td style='color:{'#1a7f37' if c.passed else '#cf222e'}'>{'PASS' if c.passed else 'FAIL'}</td>"
            f"<td>{html.escape(error_bucket(c.max_error, c.threshold))}</td>"
            f"<td>{'' if c.passed else f'{c.wrong} of {c.errors.size}'}</td><td><code>{worst}</code></td></tr>"
        )
    header = "".join(
        f"<th>{h}</th>" for h in ("gradient", "shape", "verdict", "max relative error", "wrong", "worst elements")
    )
    return (
        f"<div><p style='color:{color};font-weight:bold;font-family:monospace'>{verdict}</p>"
        f"<table><tr>{header}</tr>{''.join(rows)}</table></div>"
    )


def _figure_size(comparisons) -> tuple[float, float]:
    return (8.0, 2.8 * max(len(comparisons), 1))


def _draw_report(fig, comparisons) -> None:
    """One heat map per gradient, stacked vertically on fig."""
    axes = fig.subplots(max(len(comparisons), 1), 1, squeeze=False)[:, 0]
    for ax, c in zip(axes, comparisons):
        verdict = "PASS" if c.passed else "FAIL"
        draw_error_map(ax, c.analytic, c.numeric, title=f"{c.name} {c.analytic.shape}: {verdict}", floor=c.floor)
    fig.tight_layout()


# ---------------------------------------------------------------------------------------------
# Heat map


ERROR_COLOR_RANGE = (1e-12, 1.0)  # relative errors drawn on a log scale between these


def draw_error_map(
    ax, analytic, numeric, title: str = "", floor: float | None = None, colorbar: bool = True, letters=("n", "c")
):
    """Draw the elementwise relative error of two gradients as a heat map on ``ax``.

    Inputs: ax, a matplotlib Axes; analytic, numeric: arrays of one shape, drawn as
    - 0-D / 1-D: one row of cells;  2-D (H, W): one map;  3-D (C, H, W): C maps in a row;
    - 4-D (N, C, H, W): a grid of maps, one row per sample n and one column per channel c
      (more dimensions are folded into the rows).
    Colors are log10 of the relative error from 1e-12 (dark) to 1 (bright); NaN errors are
    drawn in cyan. Returns the list of artists drawn (the image, then the colorbar if any;
    drawing on the same ``ax`` again, after ``ax.clear()``, reuses its colorbar). ``letters`` name the
    rows' and columns' axes in the tick labels, e.g. ("n", "f") for a convolution's output.
    matplotlib is imported here, not when cnnlab.gradcheck is imported.
    """
    from matplotlib import colors

    err = relative_error_map(analytic, numeric, floor)
    mosaic, (rows, cols, H, W) = _mosaic(err)
    gaps = _gap_mask(mosaic.shape, rows, cols, H, W)
    nan_cells = np.isnan(mosaic) & ~gaps
    low, high = ERROR_COLOR_RANGE
    image = ax.imshow(
        np.ma.masked_where(gaps | nan_cells, np.clip(mosaic, low, high)),
        cmap=_error_cmap(),
        norm=colors.LogNorm(vmin=low, vmax=high),
        interpolation="nearest",
    )
    artists = [image]
    if nan_cells.any():
        nan_layer = np.ma.masked_where(~nan_cells, np.ones_like(mosaic))
        artists.append(ax.imshow(nan_layer, cmap="cool", vmin=0, vmax=1, interpolation="nearest"))
    _label_grid(ax, err.ndim, rows, cols, H, W, letters)
    if title:
        ax.set_title(title)
    if colorbar:
        artists.append(_colorbar(ax, image))
    return artists


def _colorbar(ax, image):
    """The colorbar of ``ax``'s heat map: made once, then reused when ``ax`` is drawn again."""
    bar = getattr(ax, "_cnnlab_error_colorbar", None)
    if bar is not None and bar.ax in ax.figure.axes:
        bar.update_normal(image)
        return bar
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    bar.set_label("relative error (log scale)")
    ax._cnnlab_error_colorbar = bar
    return bar


def _mosaic(err: np.ndarray):
    """Lay an error array out as one 2-D image: (rows x cols) maps of H x W, 1-cell gaps (NaN)."""
    if err.ndim == 0:
        err = err.reshape(1, 1, 1, 1)
    elif err.ndim == 1:
        err = err.reshape(1, 1, 1, -1)
    elif err.ndim == 2:
        err = err.reshape(1, 1, *err.shape)
    elif err.ndim == 3:
        err = err.reshape(1, *err.shape)
    elif err.ndim > 4:
        err = err.reshape(-1, *err.shape[-3:])
    rows, cols, H, W = err.shape
    mosaic = np.full((rows * (H + 1) - 1, cols * (W + 1) - 1), np.nan)
    for r in range(rows):
        for c in range(cols):
            mosaic[r * (H + 1) : r * (H + 1) + H, c * (W + 1) : c * (W + 1) + W] = err[r, c]
    return mosaic, (rows, cols, H, W)


def _gap_mask(shape, rows, cols, H, W) -> np.ndarray:
    """True on the separator cells between maps in a mosaic."""
    gap = np.ones(shape, dtype=bool)
    for r in range(rows):
        for c in range(cols):
            gap[r * (H + 1) : r * (H + 1) + H, c * (W + 1) : c * (W + 1) + W] = False
    return gap


def _label_grid(ax, ndim: int, rows: int, cols: int, H: int, W: int, letters=("n", "c")) -> None:
    """Tick labels naming the sample (rows) and channel (columns) of each map, or integer indices."""
    from matplotlib.ticker import MaxNLocator

    if ndim >= 4 or (ndim == 3 and cols > 1):
        ax.set_xticks([c * (W + 1) + (W - 1) / 2 for c in range(cols)])
        ax.set_xticklabels([f"{letters[1]}={c}" for c in range(cols)])
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("column" if ndim >= 2 else "index")
    if ndim >= 4:
        ax.set_yticks([r * (H + 1) + (H - 1) / 2 for r in range(rows)])
        ax.set_yticklabels([f"{letters[0]}={r}" for r in range(rows)])
    elif ndim <= 1:
        ax.set_yticks([])
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("row")
    ax.tick_params(length=0)


def _error_cmap():
    """A sequential colormap (dark = agreement, bright = disagreement), gaps left blank."""
    from matplotlib import colormaps

    return colormaps["magma"].with_extremes(bad=(0.0, 0.0, 0.0, 0.0))


# ---------------------------------------------------------------------------------------------
# Helpers


def _pair(name_a: str, a, name_b: str, b):
    """Two arrays as float64, or a ValueError if their shapes differ."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape to be compared, got {name_a} {a.shape} "
            f"and {name_b} {b.shape}"
        )
    return a, b
