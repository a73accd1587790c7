"""A small convolutional network built from cnnlab's layers (their ``cnnlab.fast`` versions).

    x (N, C, H, W)
      -> conv (F filters, HH x HH, stride 1, "same" padding)   (N, F, H', W')
      -> [batch norm | group norm]                            optional
      -> relu -> 2x2 max pool, stride 2                        (N, F, H'//2, W'//2)
      -> affine -> relu                                        (N, hidden_dim)
      -> affine                                                (N, num_classes) scores
      -> softmax cross-entropy loss

The parameters live in a plain dict ``model.params`` (W1, b1, W2, b2, W3, b3, and gamma1,
beta1 with a norm), as in CS231n's ``ThreeLayerConvNet``; ``model.loss(X)`` returns
scores and ``model.loss(X, y)`` returns ``(loss, grads)`` with one gradient per parameter.
With a norm after the convolution the conv bias b1 is left out: the norm would subtract
it again, and beta1 takes its place.

Lesson 7 (a small CNN end to end) builds and trains this network.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from cnnlab import shapes
from cnnlab.fast import (  # the speed path: same functions as cnnlab.layers
    affine_backward,
    affine_forward,
    conv_backward_im2col,
    conv_forward_im2col,
    max_pool_backward_im2col,
    max_pool_forward_im2col,
    relu_backward,
    relu_forward,
    softmax_loss,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
    spatial_groupnorm_backward,
    spatial_groupnorm_forward,
)

__all__ = ["ThreeLayerConvNet", "NORMS"]

NORMS = (None, "batch", "group")
POOL_PARAM = {"pool_height": 2, "pool_width": 2, "stride": 2}
FORMAT = "cnnlab.ThreeLayerConvNet/1"  # written into every saved file; bump when the layout changes


class ThreeLayerConvNet:
    """conv - [norm] - relu - 2x2 max pool - affine - relu - affine - softmax.

    Inputs (all keyword arguments have defaults):
    - input_dim: (C, H, W) of one input image
    - num_filters: F, filters of the convolution
    - filter_size: HH, the side of each square filter; padded by (HH - 1) // 2, so an odd
      size keeps H' = H
    - hidden_dim: units of the hidden affine layer
    - num_classes: K, scores per image
    - norm: None, 'batch' (spatial batch norm) or 'group' (spatial group norm) after the conv
    - groups: G for group norm, an integer dividing F
    - weight_scale: standard deviation of the initial weights; None uses He initialization,
      std = sqrt(2 / fan_in), which suits relu layers, and a small last layer (see
      ``_init_params``), so the first loss is near log(num_classes)
    - reg: L2 regularization strength; the loss adds 0.5 * reg * sum(W**2) over W1, W2, W3
    - dtype: np.float64 (default; needed for gradient checks) or np.float32 (faster)
    - rng: a np.random.Generator or an int seed for the initial weights

    Attributes: ``params`` (name -> array), ``bn_param`` (batch norm's running statistics,
    or None), ``config`` (the constructor's arguments, as saved by ``save``).
    """

    def __init__(
        self,
        input_dim=(1, 28, 28),
        num_filters=16,
        filter_size=5,
        hidden_dim=128,
        num_classes=10,
        norm=None,
        groups=4,
        weight_scale=None,
        reg=0.0,
        dtype=np.float64,
        rng=0,
    ):
        C, H, W = shapes.check_shape_tuple("input_dim", input_dim, 3, "(C, H, W)")
        F = shapes.check_int("num_filters", num_filters, 1)
        HH = shapes.check_int("filter_size", filter_size, 1)
        hidden_dim = shapes.check_int("hidden_dim", hidden_dim, 1)
        num_classes = shapes.check_int("num_classes", num_classes, 2)
        norm = shapes.check_choice("norm", norm, NORMS)
        groups = shapes.check_int("groups", groups, 1)
        if norm == "group" and F % groups:
            divisors = [g for g in range(1, F + 1) if F % g == 0]
            raise ValueError(f"groups must divide num_filters = {F} (one of {divisors}), got {groups}")
        if weight_scale is not None:
            weight_scale = shapes.check_real("weight_scale", weight_scale, "a number > 0 or None", 0.0, low_open=True)
        reg = shapes.check_real("reg", reg, "a number >= 0", low=0.0)
        try:
            dtype_name = np.dtype(dtype).name
        except TypeError:  # not a dtype at all; say so in our words
            dtype_name = dtype
        dtype = np.dtype(shapes.check_choice("dtype", dtype_name, ("float32", "float64")))
        Ho, Wo = self._conv_output(H, W, HH)
        if Ho < 2 or Wo < 2:
            raise ValueError(
                f"input_dim {(C, H, W)} is too small for a {HH}x{HH} filter followed by 2x2 pooling "
                f"(the conv output would be {Ho}x{Wo}); use a smaller filter_size"
            )

        self.config = {
            "input_dim": [C, H, W],
            "num_filters": F,
            "filter_size": HH,
            "hidden_dim": hidden_dim,
            "num_classes": num_classes,
            "norm": norm,
            "groups": groups,
            "reg": reg,
            "dtype": dtype.name,
        }
        self.norm = norm
        self.groups = groups
        self.reg = reg
        self.dtype = dtype
        self.conv_param = {"stride": 1, "pad": (HH - 1) // 2}
        self.params = self._init_params(np.random.default_rng(rng), weight_scale)
        self.bn_param = self._fresh_bn_param() if norm == "batch" else None

    def __repr__(self) -> str:
        c = self.config
        norm = {None: "", "batch": " - batch norm", "group": f" - group norm (G={self.groups})"}[self.norm]
        size = sum(w.size for w in self.params.values())
        return (
            f"ThreeLayerConvNet(input {'x'.join(map(str, c['input_dim']))}: conv {c['num_filters']} filters "
            f"{c['filter_size']}x{c['filter_size']}{norm} - relu - 2x2 max pool - affine {c['hidden_dim']} - relu - "
            f"affine {c['num_classes']}; {size:,} parameters, {c['dtype']})"
        )

    # -----------------------------------------------------------------------------------------
    # Shapes and initial values

    def _conv_output(self, H, W, HH):
        """(H', W') after the conv; pooling then gives (H' // 2, W' // 2)."""
        pad = (HH - 1) // 2
        return shapes.conv_output_size(H, HH, 1, pad), shapes.conv_output_size(W, HH, 1, pad)

    def param_shapes(self) -> dict:
        """Parameter name -> shape, in the order the forward pass uses them."""
        C, H, W = self.config["input_dim"]
        F, HH = self.config["num_filters"], self.config["filter_size"]
        hidden, K = self.config["hidden_dim"], self.config["num_classes"]
        Ho, Wo = self._conv_output(H, W, HH)
        D = F * (Ho // 2) * (Wo // 2)  # flattened size of the pooled feature maps
        out = {"W1": (F, C, HH, HH)}
        if self.norm is None:
            out["b1"] = (F,)
        else:
            out.update(gamma1=(F,), beta1=(F,))
        out.update(W2=(D, hidden), b2=(hidden,), W3=(hidden, K), b3=(K,))
        return out

    def _init_params(self, rng: np.random.Generator, weight_scale) -> dict:
        """Weights drawn from N(0, std^2); biases 0, gamma 1.

        std = weight_scale if given, else He's sqrt(2 / fan_in) for W1 and W2 (each feeds a
        relu), and 0.1 * sqrt(1 / fan_in) for W3, so the first scores are small, every class
        starts about equally likely and the first loss is near log(num_classes).
        """
        params = {}
        for name, shape in self.param_shapes().items():
            if name.startswith("W"):
                fan_in = int(np.prod(shape[1:])) if name == "W1" else shape[0]
                std = np.sqrt(2.0 / fan_in) if name != "W3" else 0.1 * np.sqrt(1.0 / fan_in)
                std = weight_scale if weight_scale is not None else std
                params[name] = (std * rng.standard_normal(shape)).astype(self.dtype)
            elif name.startswith("gamma"):
                params[name] = np.ones(shape, dtype=self.dtype)
            else:
                params[name] = np.zeros(shape, dtype=self.dtype)
        return params

    def _fresh_bn_param(self) -> dict:
        F = self.config["num_filters"]
        return {
            "mode": "train",
            "momentum": 0.9,
            "running_mean": np.zeros(F, dtype=self.dtype),
            "running_var": np.ones(F, dtype=self.dtype),
        }

    # -----------------------------------------------------------------------------------------
    # Forward and backward

    def loss(self, X, y=None):
        """Scores, or the loss and its gradients, for a mini-batch.

        Inputs: X (N, C, H, W) images; y (N,) integer labels in [0, K), or None.
        Returns:
        - if y is None: scores (N, K), computed in test mode (batch norm uses its running
          statistics and leaves them unchanged)
        - else: (loss, grads), loss a float (data loss + L2 term), grads a dict with the
          keys and shapes of ``params``; batch norm runs in train mode and updates its
          running statistics.
        """
        X = self._check_input(X)
        mode = "test" if y is None else "train"
        scores, caches = self._forward(X, mode)
        if y is None:
            return scores
        data_loss, dscores = softmax_loss(scores, y)
        grads = self._backward(dscores, caches)
        weights = [self.params[name] for name in ("W1", "W2", "W3")]
        reg_loss = 0.5 * self.reg * sum(float(np.sum(w * w)) for w in weights)
        for name in ("W1", "W2", "W3"):
            grads[name] += self.reg * self.params[name]
        return data_loss + reg_loss, grads

    def predict(self, X, batch_size=500):
        """Predicted labels (N,) for X (N, C, H, W), scored in batches to bound memory."""
        X = self._check_input(X)
        batch_size = shapes.check_int("batch_size", batch_size, 1)
        labels = [self.loss(X[i : i + batch_size]).argmax(axis=1) for i in range(0, X.shape[0], batch_size)]
        return np.concatenate(labels) if labels else np.zeros(0, dtype=np.int64)

    def _forward(self, X, mode):
        """Scores (N, K) and the caches the backward pass needs."""
        p = self.params
        b1 = p["b1"] if self.norm is None else np.zeros(self.config["num_filters"], dtype=self.dtype)
        out, conv_cache = conv_forward_im2col(X, p["W1"], b1, self.conv_param)  # (N, F, H', W')
        norm_cache = None
        if self.norm == "batch":
            bn_param = self.bn_param if mode == "train" else {**self.bn_param, "mode": "test"}  # test: no update
            out, norm_cache = spatial_batchnorm_forward(out, p["gamma1"], p["beta1"], bn_param)
        elif self.norm == "group":
            out, norm_cache = spatial_groupnorm_forward(out, p["gamma1"], p["beta1"], self.groups, {})
        out, relu1_cache = relu_forward(out)
        out, pool_cache = max_pool_forward_im2col(out, POOL_PARAM)  # (N, F, H'/2, W'/2)
        out, affine2_cache = affine_forward(out, p["W2"], p["b2"])  # (N, hidden)
        out, relu2_cache = relu_forward(out)
        scores, affine3_cache = affine_forward(out, p["W3"], p["b3"])  # (N, K)
        return scores, (conv_cache, norm_cache, relu1_cache, pool_cache, affine2_cache, relu2_cache, affine3_cache)

    def _backward(self, dscores, caches):
        """Gradients of every parameter from dscores (N, K), in reverse layer order."""
        conv_cache, norm_cache, relu1_cache, pool_cache, affine2_cache, relu2_cache, affine3_cache = caches
        grads = {}
        dout, grads["W3"], grads["b3"] = affine_backward(dscores, affine3_cache)
        dout = relu_backward(dout, relu2_cache)
        dout, grads["W2"], grads["b2"] = affine_backward(dout, affine2_cache)
        dout = max_pool_backward_im2col(dout, pool_cache)
        dout = relu_backward(dout, relu1_cache)
        if self.norm == "batch":
            dout, grads["gamma1"], grads["beta1"] = spatial_batchnorm_backward(dout, norm_cache)
        elif self.norm == "group":
            dout, grads["gamma1"], grads["beta1"] = spatial_groupnorm_backward(dout, norm_cache)
        _, grads["W1"], db1 = conv_backward_im2col(dout, conv_cache)
        if self.norm is None:
            grads["b1"] = db1
        return {name: grads[name] for name in self.params}  # same order as params

    def _check_input(self, X) -> np.ndarray:
        X = shapes.check_array("X", X, 4, "(N, C, H, W)")
        expected = tuple(self.config["input_dim"])
        if X.shape[1:] != expected:
            raise ValueError(
                f"X must have shape (N, C, H, W) = (N, {', '.join(map(str, expected))}) for this model, got {X.shape}"
            )
        return X.astype(self.dtype, copy=False)

    # -----------------------------------------------------------------------------------------
    # Saving and loading (.npz, no pickle)

    def state(self) -> dict:
        """Every array that defines the trained model: params plus batch norm's running statistics."""
        state = dict(self.params)
        if self.bn_param is not None:
            state["bn_running_mean"] = self.bn_param["running_mean"]
            state["bn_running_var"] = self.bn_param["running_var"]
        return state

    def save(self, path) -> Path:
        """Write the architecture (as JSON) and every array to ``path``, a .npz file; return its Path.

        The file holds only numeric arrays and one string, so ``load`` reads it with
        ``allow_pickle=False``: loading a model file cannot run code.
        """
        path = Path(path)
        header = json.dumps({"format": FORMAT, "config": self.config})
        with open(path, "wb") as f:  # a file object: np.savez would otherwise append ".npz"
            np.savez(f, __cnnlab__=np.array(header), **self.state())
        return path

    @classmethod
    def load(cls, path) -> ThreeLayerConvNet:
        """A model rebuilt from a file written by ``save``; raises ValueError if it is not one."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no model file at {path}")
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise ValueError(f"{path} is not a cnnlab model file (.npz written by model.save): {exc}") from None
        config = _read_header(path, arrays.pop("__cnnlab__", None))
        try:
            model = cls(**{**config, "input_dim": tuple(config["input_dim"]), "rng": 0})
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path} describes an invalid model: {exc}") from None
        model._set_state(path, arrays)
        return model

    def _set_state(self, path, arrays: dict) -> None:
        """Copy saved arrays into params / bn_param after checking names, shapes and dtypes."""
        expected = {name: tuple(shape) for name, shape in self.param_shapes().items()}
        if self.bn_param is not None:
            F = self.config["num_filters"]
            expected.update(bn_running_mean=(F,), bn_running_var=(F,))
        missing = sorted(set(expected) - set(arrays))
        extra = sorted(set(arrays) - set(expected))
        if missing or extra:
            raise ValueError(f"{path} does not match its architecture: missing arrays {missing}, unexpected {extra}")
        for name, shape in expected.items():
            arr = arrays[name]
            if arr.shape != shape or arr.dtype.kind != "f":
                raise ValueError(
                    f"{path}: array {name!r} should be floats of shape {shape}, got {arr.dtype} {arr.shape}"
                )
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{path}: array {name!r} holds NaN or infinite values")
        self.params = {name: arrays[name].astype(self.dtype) for name in self.params}
        if self.bn_param is not None:
            self.bn_param["running_mean"] = arrays["bn_running_mean"].astype(self.dtype)
            self.bn_param["running_var"] = arrays["bn_running_var"].astype(self.dtype)


def _read_header(path, header) -> dict:
    """The config dict from a saved file's JSON header, or a ValueError saying what is wrong."""
    if header is None or header.shape != () or header.dtype.kind != "U":
        raise ValueError(f"{path} is an .npz file but not a cnnlab model (no '__cnnlab__' header)")
    try:
        meta = json.loads(str(header))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} has a corrupt header: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else meta
        raise ValueError(f"{path} has format {found!r}; this version of cnnlab reads {FORMAT!r}")
    config = meta.get("config")
    keys = {"input_dim", "num_filters", "filter_size", "hidden_dim", "num_classes", "norm", "groups", "reg", "dtype"}
    if not isinstance(config, dict) or set(config) != keys:
        raise ValueError(f"{path} has an incomplete architecture header: expected keys {sorted(keys)}")
    if not isinstance(config["input_dim"], list):
        raise ValueError(f"{path}: input_dim in the header must be a list [C, H, W], got {config['input_dim']!r}")
    return config
