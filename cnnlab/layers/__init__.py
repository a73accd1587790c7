"""The layers of cnnlab, each a pair of pure functions in the CS231n convention.

``*_forward(...) -> (out, cache)`` and ``*_backward(dout, cache) -> gradients`` (in the
order of the forward's array arguments). Arrays are NCHW, float64 by default, and keep
their floating dtype. One module per family:

- ``conv``:  conv_forward_naive / _im2col and their backward passes      (lessons 2, 3)
- ``pool``:  max_pool_ and avg_pool_forward_naive / _im2col, their backward passes (lesson 4)
- ``norm``:  spatial batch norm and group norm                           (lessons 5, 6)
- ``basic``: affine, relu, softmax_loss                                  (lesson 7)

``im2col`` / ``col2im`` live in ``cnnlab.im2col`` and are re-exported here. Every function
is plain whole-array NumPy (or loops, for the naive ones) meant to be read; ``cnnlab.fast``
has the same functions under the same names, with the speed tricks (threads, in-place
passes), for the network and the benchmarks.
"""

from cnnlab.im2col import col2im, im2col
from cnnlab.layers.basic import affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss
from cnnlab.layers.conv import conv_backward_im2col, conv_backward_naive, conv_forward_im2col, conv_forward_naive
from cnnlab.layers.norm import (
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
    spatial_groupnorm_backward,
    spatial_groupnorm_forward,
)
from cnnlab.layers.pool import (
    avg_pool_backward_im2col,
    avg_pool_backward_naive,
    avg_pool_forward_im2col,
    avg_pool_forward_naive,
    max_pool_backward_im2col,
    max_pool_backward_naive,
    max_pool_forward_im2col,
    max_pool_forward_naive,
)

__all__ = [
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
