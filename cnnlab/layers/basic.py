"""The layers a small CNN needs besides convolution, pooling and normalization.

Affine (fully connected), ReLU and the softmax cross-entropy loss, each forward and
backward in the same convention. Lesson 7 builds a network from them.
"""

from __future__ import annotations

import numpy as np

from cnnlab import shapes

__all__ = ["affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss"]


def affine_forward(x, w, b):
    """Fully connected layer: out = x.reshape(N, D) @ w + b.

    Inputs: x (N, d_1, ..., d_k) with D = d_1 * ... * d_k, w (D, M), b (M,).
    Returns (out, cache): out (N, M); cache = (x, w, b).
    """
    x, w, b = shapes.check_affine_inputs(x, w, b)
    N = x.shape[0]
    D, M = w.shape  # D = d_1 * ... * d_k
    out = x.reshape(N, D) @ w + b  # (N, M)
    return out, (x, w, b)


def affine_backward(dout, cache):
    """Backward pass of ``affine_forward``.

    Inputs: dout (N, M); cache = (x, w, b).
    Returns (dx, dw, db) with shapes (N, d_1, ..., d_k), (D, M), (M,).
    """
    x, w, b = cache
    N = x.shape[0]
    dout = shapes.check_dout(dout, (N, w.shape[1]))
    dx = (dout @ w.T).reshape(x.shape)  # (N, d_1, ..., d_k)
    dw = x.reshape(N, -1).T @ dout  # (D, M)
    db = dout.sum(axis=0)  # (M,)
    return dx, dw, db


def relu_forward(x):
    """ReLU: out = max(x, 0), elementwise.

    Inputs: x of any shape. Returns (out, cache): out with x's shape; cache = x.
    """
    x = shapes.check_array("x", x)
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    """Backward pass of ``relu_forward``: the gradient passes where x > 0.

    Inputs: dout with x's shape; cache = x. Returns dx with x's shape.
    """
    x = cache
    dout = shapes.check_dout(dout, x.shape)
    return np.where(x > 0, dout, 0).astype(np.result_type(dout, x), copy=False)


def softmax_loss(scores, y):
    """Softmax cross-entropy loss, averaged over the batch, and its gradient.

    Inputs: scores (N, K) unnormalized class scores; y (N,) integer labels in [0, K).
    Returns (loss, dscores): loss a float, dscores (N, K).
    """
    scores = shapes.check_array("scores", scores, 2, "(N, K)")
    y = shapes.check_labels(y, scores.shape)
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)  # (N, K), for numerical stability
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, K)
    loss = -log_probs[np.arange(N), y].mean()
    dscores = np.exp(log_probs)  # (N, K) softmax probabilities
    dscores[np.arange(N), y] -= 1
    return float(loss), dscores / N
