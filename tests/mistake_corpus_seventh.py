"""The seventh held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two
halves by two helpers while the checker was tuned to the fifth and sixth: ``mistake_corpus_seventh_conv.py``
(the convolution, im2col and network exercises) and ``mistake_corpus_seventh_rest.py`` (pooling and the
norms). Each half's docstring says how it was written, and ``verify_mistake_corpus_seventh_conv.py`` /
``_rest.py`` check its rows against cnnlab's reference layers without the checker. The helpers were asked
for the mistakes students make most often, by several students: half in the stubs' loop style, half
vectorized, some with CS231n, PyTorch or Keras conventions, spread over every part of each function.
"""

from __future__ import annotations

from mistake_corpus_seventh_conv import CORPUS as CONV_HALF
from mistake_corpus_seventh_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
