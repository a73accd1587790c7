"""Explorers: interactive figures that live in the notebook, next to the code they explain.

Each is a pure ``compute_*`` function (parameters -> what to show), a pure ``draw_*``
function (state -> matplotlib artists) and a thin ipywidgets shell. Display one in a
notebook cell; without a kernel (GitHub, nbviewer, HTML export) a picture remains.

- ConvExplorer        lesson 1: output size, receptive field, stride, padding, dilation
- FeatureMapExplorer  lesson 1: a filter applied to a real image
- Im2colExplorer      lesson 3: a patch and the column it becomes; memory cost
- PoolExplorer        lesson 4: max or average pooling forward, and where the gradients go
- NormExplorer        lessons 5, 6: which elements share a mean and variance
- GradcheckViewer     lesson 2 onwards: where an analytic gradient disagrees

Importing this package imports matplotlib and ipywidgets; ``cnnlab.layers`` does not.
"""

from cnnlab.widgets.conv import ConvExplorer, compute_conv, draw_conv
from cnnlab.widgets.featuremap import FeatureMapExplorer, compute_featuremap, draw_featuremap
from cnnlab.widgets.gradcheck import GradcheckViewer, compute_gradcheck, draw_gradcheck
from cnnlab.widgets.im2col import Im2colExplorer, compute_im2col, draw_im2col
from cnnlab.widgets.norm import NormExplorer, compute_norm, draw_norm
from cnnlab.widgets.pool import PoolExplorer, compute_pool, draw_pool

__all__ = [
    "ConvExplorer",
    "compute_conv",
    "draw_conv",
    "PoolExplorer",
    "compute_pool",
    "draw_pool",
    "Im2colExplorer",
    "compute_im2col",
    "draw_im2col",
    "NormExplorer",
    "compute_norm",
    "draw_norm",
    "GradcheckViewer",
    "compute_gradcheck",
    "draw_gradcheck",
    "FeatureMapExplorer",
    "compute_featuremap",
    "draw_featuremap",
]
