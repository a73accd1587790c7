"""Input validation: the one place the layers, im2col and the explorers word their errors.

Every public layer (``cnnlab.layers`` and ``cnnlab.fast``) calls one ``check_*`` helper from
here on its way in; the explorers check their settings with ``check_setting`` and
``check_cell``. Each helper either returns clean values (arrays as numpy arrays, every
geometry parameter as an ``(h, w)`` pair of ints) or raises ``TypeError`` / ``ValueError`` naming the parameter,
the value it received and what would be valid. The loops in the layers stay clean.

The window arithmetic itself (output sizes, spans, which rows a window reads) is in
``cnnlab.geometry``; ``conv_output_size``, the formula of lesson 1, is its ``output_size``,
also importable from here, where lesson 1 introduces it.
"""

from __future__ import annotations

import difflib
import numbers

import numpy as np

from cnnlab import geometry

__all__ = [
    "conv_output_size",
    "check_array",
    "check_params",
    "check_int",
    "check_pair",
    "check_conv_inputs",
    "check_pool_inputs",
    "check_avg_pool_inputs",
    "check_norm_inputs",
    "check_affine_inputs",
    "check_bn_param",
    "check_gn_param",
    "check_real",
    "check_labels",
    "check_choice",
    "check_setting",
    "check_cell",
    "check_float64",
    "check_window_inputs",
    "check_window_geometry",
    "check_shape_tuple",
    "window_output",
    "check_dout",
]


# The output-size formula lives in cnnlab.geometry; here under the name lesson 1's exercise uses.
conv_output_size = geometry.output_size


# ---------------------------------------------------------------------------------------------
# Building blocks


def check_array(name: str, value, ndim: int | None = None, what: str = "") -> np.ndarray:
    """Return ``value`` as a real numeric ndarray, or raise naming ``name``.

    Floating arrays keep their dtype; integer arrays become float64 (convolving integers
    would silently truncate gradients). Booleans, complex numbers, strings and objects
    are refused. ``what`` describes the expected layout, e.g. ``"(N, C, H, W)"``.
    """
    if isinstance(value, np.ndarray):
        arr = value
    else:
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError) as exc:  # ragged nested lists and the like
            raise TypeError(f"{name} must be a numeric array {what}, got {_short(value)} ({exc})") from None
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(
            f"{name} must be real-valued, got a complex array (dtype {arr.dtype}); "
            "cnnlab layers work on float arrays (float64 by default)"
        )
    if kind not in "iuf":
        raise TypeError(
            f"{name} must be a numeric array of floats {what}, got dtype {arr.dtype} from {type(value).__name__}"
        )
    if kind in "iu":
        arr = arr.astype(np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions {what}, got {arr.ndim} (shape {arr.shape})")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def check_params(name: str, params, allowed: dict, required: tuple = ()) -> dict:
    """Check a parameter dict's keys; return a copy with defaults filled in.

    ``allowed`` maps every accepted key to its default. A missing required key, an
    unknown key (a typo like ``'padding'`` must not be silently ignored) or a non-dict
    raises, naming the closest valid key.
    """
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be a dict, got {type(params).__name__} {_short(params)}")
    for key in params:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), list(allowed), n=1)
            maybe = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ValueError(f"{name} has an unknown key {key!r}{maybe} Valid keys: {', '.join(map(repr, allowed))}")
    for key in required:
        if key not in params:
            raise ValueError(f"{name} is missing the required key {key!r}")
    return {**allowed, **params}


def check_int(name: str, value, minimum: int, valid: str = "", shown=None) -> int:
    """Return ``value`` as an int >= ``minimum``; bools and floats like 2.0 are refused.

    ``valid`` words what would be accepted; ``shown`` is the value quoted in the error
    (by default ``value`` itself).
    """
    valid = valid or f"an integer >= {minimum}"
    shown = _short(value if shown is None else shown)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {valid}, got {shown} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be {valid}, got {shown}")
    return int(value)


def check_pair(name: str, value, minimum: int) -> tuple[int, int]:
    """Return an int-or-(h, w) parameter as an ``(h, w)`` pair of ints >= ``minimum``."""
    valid = f"an integer >= {minimum} or a pair (h, w) of them"
    if isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim > 0):
        if len(value) != 2:
            raise ValueError(f"{name} must be {valid}, got {_short(value)} with {len(value)} entries")
        h, w = value
    else:
        h = w = value
    return check_int(name, h, minimum, valid, value), check_int(name, w, minimum, valid, value)


def check_dout(dout, expected_shape: tuple, name: str = "dout") -> np.ndarray:
    """Check an upstream gradient against the shape the forward pass produced."""
    dout = check_array(name, dout)
    if dout.shape != tuple(expected_shape):
        raise ValueError(f"{name} must have the shape of the forward output {tuple(expected_shape)}, got {dout.shape}")
    return dout


# ---------------------------------------------------------------------------------------------
# One checker per layer family


CONV_PARAM_DEFAULTS = {"stride": 1, "pad": 0, "dilation": 1}
POOL_PARAM_DEFAULTS = {"pool_height": None, "pool_width": None, "stride": None}
AVG_POOL_PARAM_DEFAULTS = {**POOL_PARAM_DEFAULTS, "pad": 0, "count_include_pad": True}
POOL_REQUIRED = ("pool_height", "pool_width", "stride")
BN_PARAM_DEFAULTS = {"mode": None, "eps": 1e-5, "momentum": 0.9, "running_mean": None, "running_var": None}
GN_PARAM_DEFAULTS = {"eps": 1e-5}


def check_conv_inputs(x, w, b, conv_param):
    """Validate a convolution call.

    Inputs: x (N, C, H, W), w (F, C, HH, WW), b (F,), conv_param dict.
    Returns ``x, w, b, stride, pad, dilation, (H_out, W_out)`` with arrays in one
    floating dtype and each geometry parameter an (h, w) pair.
    """
    x = check_array("x", x, 4, "(N, C, H, W)")
    w = check_array("w", w, 4, "(F, C, HH, WW)")
    b = check_array("b", b, 1, "(F,)")
    params = check_params("conv_param", conv_param, CONV_PARAM_DEFAULTS)
    stride = check_pair("conv_param['stride']", params["stride"], 1)
    pad = check_pair("conv_param['pad']", params["pad"], 0)
    dilation = check_pair("conv_param['dilation']", params["dilation"], 1)
    N, C, H, W = x.shape
    F, Cw, HH, WW = w.shape
    if Cw != C:
        raise ValueError(f"w has {Cw} input channels (w.shape[1]) but x has {C} (x.shape[1]); they must match")
    if b.shape != (F,):
        raise ValueError(f"b must have shape (F,) = ({F},), one bias per filter, got {b.shape}")
    out_hw = window_output("filter", (HH, WW), (H, W), stride, pad, dilation)
    x, w, b = _common_dtype(x, w, b)
    return x, w, b, stride, pad, dilation, out_hw


def check_pool_inputs(x, pool_param):
    """Validate a max-pooling call.

    Inputs: x (N, C, H, W), pool_param with 'pool_height', 'pool_width', 'stride'.
    Returns ``x, (PH, PW), stride, (H_out, W_out)``.
    """
    x = check_array("x", x, 4, "(N, C, H, W)")
    params = check_params("pool_param", pool_param, POOL_PARAM_DEFAULTS, POOL_REQUIRED)
    kernel, stride = _pool_window(params)
    out_hw = window_output("pool window", kernel, x.shape[2:], stride, (0, 0), (1, 1), padded=False)
    return x, kernel, stride, out_hw


def check_avg_pool_inputs(x, pool_param):
    """Validate an average-pooling call (``torch.nn.functional.avg_pool2d``'s options).

    Inputs: x (N, C, H, W), pool_param with 'pool_height', 'pool_width', 'stride'
    (required) and 'pad' (int or (h, w) pair, at most half the window as PyTorch requires,
    default 0) and 'count_include_pad' (bool, default True).
    Returns ``x, (PH, PW), stride, pad, count_include_pad, (H_out, W_out)``.
    """
    x = check_array("x", x, 4, "(N, C, H, W)")
    params = check_params("pool_param", pool_param, AVG_POOL_PARAM_DEFAULTS, POOL_REQUIRED)
    kernel, stride = _pool_window(params)
    pad = check_pair("pool_param['pad']", params["pad"], 0)
    for axis, p, k, key in zip(("height", "width"), pad, kernel, ("pool_height", "pool_width")):
        if p > k // 2:
            raise ValueError(
                f"pool_param['pad'] must be at most half the pool window, {key} // 2 = {k // 2} for the "
                f"{axis} (PyTorch's limit), got {_short(params['pad'])}"
            )
    include = params["count_include_pad"]
    if not isinstance(include, (bool, np.bool_)):
        raise TypeError(
            f"pool_param['count_include_pad'] must be True or False, got {_short(include)} ({type(include).__name__})"
        )
    out_hw = window_output("pool window", kernel, x.shape[2:], stride, pad, (1, 1), dilated=False)
    return x, kernel, stride, pad, bool(include), out_hw


def _pool_window(params):
    """A pooling ``pool_param``'s window (PH, PW) and stride, checked."""
    ph = check_int("pool_param['pool_height']", params["pool_height"], 1)
    pw = check_int("pool_param['pool_width']", params["pool_width"], 1)
    return (ph, pw), check_pair("pool_param['stride']", params["stride"], 1)


def check_affine_inputs(x, w, b):
    """Validate a fully connected layer's call: x (N, d_1, ..., d_k), w (D, M), b (M,) with
    D = d_1 * ... * d_k. Returns ``x, w, b`` as arrays."""
    x = check_array("x", x, what="(N, d_1, ..., d_k)")
    w = check_array("w", w, 2, "(D, M)")
    b = check_array("b", b, 1, "(M,)")
    if x.ndim < 2:
        raise ValueError(f"x must have a batch axis and at least one more, (N, d_1, ...), got shape {x.shape}")
    D = int(np.prod(x.shape[1:]))
    if w.shape[0] != D:
        raise ValueError(
            f"w must have shape (D, M) with D = {D} (x.shape[1:] = {x.shape[1:]} flattened), got {w.shape}"
        )
    if b.shape != (w.shape[1],):
        raise ValueError(f"b must have shape (M,) = ({w.shape[1]},), one bias per output, got {b.shape}")
    return x, w, b


def check_window_inputs(x, filter_height, filter_width, stride, pad, dilation):
    """Validate a call of ``im2col``: x (N, C, H, W), the window size and its geometry.

    Returns ``x, (HH, WW), stride, pad, dilation, (H_out, W_out)``.
    """
    x = check_array("x", x, 4, "(N, C, H, W)")
    return (x,) + check_window_geometry(x.shape[2:], filter_height, filter_width, stride, pad, dilation)


def check_window_geometry(hw, filter_height, filter_width, stride, pad, dilation):
    """Validate a window over an input of spatial size ``hw`` = (H, W).

    Returns ``(HH, WW), stride, pad, dilation, (H_out, W_out)``, each an (h, w) pair.
    """
    kernel = (check_int("filter_height", filter_height, 1), check_int("filter_width", filter_width, 1))
    stride = check_pair("stride", stride, 1)
    pad = check_pair("pad", pad, 0)
    dilation = check_pair("dilation", dilation, 1)
    out_hw = window_output("filter", kernel, tuple(hw), stride, pad, dilation)
    return kernel, stride, pad, dilation, out_hw


def check_shape_tuple(name: str, value, ndim: int, what: str) -> tuple:
    """Return ``value`` as a tuple of ``ndim`` ints >= 1, e.g. an ``x_shape`` argument."""
    valid = f"a tuple {what} of {ndim} integers >= 1"
    if not isinstance(value, (tuple, list)) or len(value) != ndim:
        raise ValueError(f"{name} must be {valid}, got {_short(value)}")
    return tuple(check_int(name, n, 1, valid, value) for n in value)


def check_norm_inputs(x, gamma, beta, groups: int | None = None):
    """Validate a normalization call: x (N, C, H, W), gamma and beta (C,) or (1, C, 1, 1).

    ``groups`` (group norm only) must be an integer >= 1 that divides C.
    Returns ``x, gamma, beta`` in one floating dtype (gamma/beta keep their shape).
    """
    x = check_array("x", x, 4, "(N, C, H, W)")
    gamma = check_array("gamma", gamma)
    beta = check_array("beta", beta)
    N, C, H, W = x.shape
    for name, arr in (("gamma", gamma), ("beta", beta)):
        if arr.shape not in ((C,), (1, C, 1, 1)):
            raise ValueError(
                f"{name} must have shape (C,) = ({C},) or (1, C, 1, 1) = (1, {C}, 1, 1), one value per "
                f"channel of x, got {arr.shape}"
            )
    if groups is not None:
        groups = check_int("G", groups, 1, f"an integer >= 1 that divides C = {C}")
        if C % groups:
            divisors = [g for g in range(1, C + 1) if C % g == 0]
            raise ValueError(f"G must be an integer >= 1 that divides C = {C} (one of {divisors}), got {groups}")
    return _common_dtype(x, gamma, beta)


def check_bn_param(bn_param, C: int, dtype) -> dict:
    """Validate batch norm's ``bn_param`` for C channels; return a filled-in copy.

    'mode' must be 'train' or 'test'; 'eps' > 0; 'momentum' in [0, 1]; 'running_mean' and
    'running_var' of shape (C,). They default to zeros and ones in train mode; test mode
    needs both.
    """
    if bn_param is None:
        raise TypeError("bn_param must be a dict with at least 'mode': 'train' or 'test', got None")
    params = check_params("bn_param", bn_param, BN_PARAM_DEFAULTS, ("mode",))
    mode = params["mode"]
    if mode not in ("train", "test"):
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {_short(mode)}")
    params["eps"] = check_real("bn_param['eps']", params["eps"], "a number > 0", low=0.0, low_open=True)
    params["momentum"] = check_real("bn_param['momentum']", params["momentum"], "a number in [0, 1]", 0.0, 1.0)
    for key, start in (("running_mean", np.zeros), ("running_var", np.ones)):
        value = params[key]
        if value is None:
            if mode == "test":
                raise ValueError(
                    f"bn_param has no {key!r}: test mode normalizes with the running statistics, "
                    "so run at least one forward pass in 'train' mode first (or set them)"
                )
            value = start(C, dtype=dtype)
        value = check_array(f"bn_param[{key!r}]", value)
        if value.shape != (C,):
            raise ValueError(f"bn_param[{key!r}] must have shape (C,) = ({C},), got {value.shape}")
        params[key] = value
    return params


def check_gn_param(gn_param) -> float:
    """Validate group norm's ``gn_param``; return eps.

    Its one key is 'eps', a number > 0. Batch norm's other keys ('mode', 'momentum',
    'running_mean', 'running_var') are accepted and ignored, as CS231n's notebook passes
    its ``bn_param`` to group norm; any other key is an error.
    """
    if isinstance(gn_param, dict):
        gn_param = {k: v for k, v in gn_param.items() if k == "eps" or k not in BN_PARAM_DEFAULTS}
    params = check_params("gn_param", gn_param, GN_PARAM_DEFAULTS)
    return check_real("gn_param['eps']", params["eps"], "a number > 0", low=0.0, low_open=True)


def check_float64(name: str, x) -> np.ndarray:
    """x as a writable float64 ndarray, or a TypeError saying why numerical gradients need one.

    Used by ``cnnlab.gradcheck``: a numerical gradient perturbs x in place and restores it.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy float64 array (it is changed in place and restored), got "
            f"{type(x).__name__}; use {name} = np.array({name}, dtype=np.float64)"
        )
    if x.dtype != np.float64:
        why = (
            "float32 keeps about 7 significant digits, so f(x + h) - f(x - h) keeps only one or two "
            "and the numerical gradient looks wrong even when yours is right"
            if x.dtype.kind == "f"
            else "a step of h cannot be added to integers"
        )
        raise TypeError(
            f"{name} must be a float64 array for a numerical gradient, got dtype {x.dtype}: {why}. "
            f"Check in float64: {name} = {name}.astype(np.float64)"
        )
    if not x.flags.writeable:
        raise ValueError(f"{name} must be writable (it is perturbed in place and restored); pass {name}.copy()")
    return x


def check_choice(name: str, value, choices):
    """Return ``value`` if it is one of ``choices``, else a ValueError listing them."""
    try:
        if value in choices:
            return value
    except TypeError:  # an unhashable value, e.g. a list, is in no dict of choices
        pass
    listed = ", ".join(map(repr, choices))
    raise ValueError(f"{name} must be one of {listed}, got {_short(value)}")


def check_setting(name: str, value, low: int, high: int, why: str = "") -> int:
    """An explorer's integer setting: an int in [low, high], the range of its control.

    ``why`` says where the range comes from (e.g. "the range of the stride slider"). Raises
    TypeError for a non-integer (also for bools and 2.0) and ValueError outside the range,
    naming the setting, the value and the range; an explorer never clamps an argument silently.
    """
    valid = f"an integer from {low} to {high}" + (f" ({why})" if why else "")
    value = check_int(name, value, low, valid)
    if value > high:
        raise ValueError(f"{name} must be {valid}, got {value}")
    return value


def check_cell(name: str, value, shape, what: str = "output") -> int:
    """A row-major cell index into a grid of ``shape`` (rows, columns): an int in [0, rows*cols).

    ``shape`` None means there is no grid (nothing to select): only 0 is valid.
    """
    if shape is None:
        return check_setting(name, value, 0, 0, f"there is no {what} to select in this configuration")
    rows, cols = shape
    why = f"row-major, r*{cols} + c, in the {rows}×{cols} {what}"
    return check_setting(name, value, 0, rows * cols - 1, why)


def check_labels(y, scores_shape: tuple) -> np.ndarray:
    """Validate class labels y (N,) for scores of shape (N, K): integers in [0, K)."""
    N, K = scores_shape
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must be an array of integer class labels, got dtype {y.dtype}")
    if y.shape != (N,):
        raise ValueError(f"y must have shape (N,) = ({N},), one label per row of scores, got {y.shape}")
    if N and (y.min() < 0 or y.max() >= K):
        bad = y[(y < 0) | (y >= K)][0]
        raise ValueError(f"y must hold labels in [0, K) = [0, {K}), got {bad}")
    return y


def check_real(name: str, value, valid: str, low=None, high=None, low_open=False) -> float:
    """Return ``value`` as a finite float within [low, high] (or (low, high] if low_open)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {valid}, got {_short(value)} ({type(value).__name__})")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and value > high
    if not np.isfinite(value) or too_low or too_high:
        raise ValueError(f"{name} must be {valid}, got {value!r}")
    return value


def window_output(what, kernel, size, stride, pad, dilation, padded=True, dilated=True):
    """(H_out, W_out) of a sliding window over an input of ``size`` (H, W), or a ValueError
    saying why it does not fit. All geometry arguments are (h, w) pairs; ``padded`` and
    ``dilated`` say whether the layer has padding and dilation to suggest (max pooling here
    has neither, average pooling has padding only)."""
    out = []
    for axis, k, n, s, p, d in zip(("height", "width"), kernel, size, stride, pad, dilation):
        span = geometry.span(k, d)
        if span > n + 2 * p and not padded:
            raise ValueError(f"the {what} {axis} {k} is larger than the input {axis} {n}; use a smaller {what}")
        if span > n + 2 * p:
            dilated_to = f" (dilated to {span})" if d > 1 else ""
            remedies = "more padding or less dilation" if dilated else "or more padding"
            raise ValueError(
                f"the {what} {axis} {k}{dilated_to} is larger than the padded input {axis} "
                f"{n} + 2*{p} = {n + 2 * p}; use a smaller {what}, {remedies}"
            )
        out.append(geometry.output_size(n, k, s, p, d))
    return out[0], out[1]


def _common_dtype(*arrays):
    """The arrays cast (without copying where possible) to their common floating dtype."""
    dtype = np.result_type(*arrays)
    return tuple(a.astype(dtype, copy=False) for a in arrays)


def _short(value) -> str:
    """A repr cut to a readable length for error messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
