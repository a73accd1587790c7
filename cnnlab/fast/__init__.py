"""The speed path: every layer of ``cnnlab.layers`` under the same name, the fastest version.

``from cnnlab import fast as L`` is a drop-in for ``from cnnlab import layers as L``: the
same functions, arguments, caches and answers (to rounding), so the network and the trainer
(``cnnlab.model``, ``cnnlab.train``) and the benchmarks use this one. Where a layer has a
faster version it lives here, beside its readable twin in ``cnnlab.layers``:

- ``fast.pool``: max pooling that counts taps and scatter-adds its gradient, average pooling
  by separable row and column sums that skip the padding, both splitting a large batch across threads;
- ``fast.norm``: batch and group norm in preallocated arrays, split across threads.

The others (convolution through im2col, affine, relu, softmax, the naive loops) are the
plain versions themselves: whole-array NumPy is already as fast as this package gets them.
The students' lessons and ``exercises.reference`` use ``cnnlab.layers``, which reads top to
bottom; nothing there imports threads.
"""

from cnnlab.fast.norm import (
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
    spatial_groupnorm_backward,
    spatial_groupnorm_forward,
)
from cnnlab.fast.pool import (
    avg_pool_backward_im2col,
    avg_pool_forward_im2col,
    max_pool_backward_im2col,
    max_pool_forward_im2col,
)
from cnnlab.layers import (
    affine_backward,
    affine_forward,
    avg_pool_backward_naive,
    avg_pool_forward_naive,
    col2im,
    conv_backward_im2col,
    conv_backward_naive,
    conv_forward_im2col,
    conv_forward_naive,
    im2col,
    max_pool_backward_naive,
    max_pool_forward_naive,
    relu_backward,
    relu_forward,
    softmax_loss,
)

__all__ = [  # the names of cnnlab.layers, in its order
    "conv_forward_naive",
    "conv_backward_naive",
    "conv_forward_im2col",
    "conv_backward_im2col",
    "max_pool_forward_naive",
    "max_pool_backward_naive",
    "max_pool_forward_im2col",
    "max_pool_backward_im2col",
    "avg_pool_forward_naive",
    "avg_pool_backward_naive",
    "avg_pool_forward_im2col",
    "avg_pool_backward_im2col",
    "spatial_batchnorm_forward",
    "spatial_batchnorm_backward",
    "spatial_groupnorm_forward",
    "spatial_groupnorm_backward",
    "affine_forward",
    "affine_backward",
    "relu_forward",
    "relu_backward",
    "softmax_loss",
    "im2col",
    "col2im",
]
