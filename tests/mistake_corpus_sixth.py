"""The sixth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two halves
by two helpers, at the same time as the fifth: ``mistake_corpus_sixth_conv.py`` (the convolution, im2col
and network exercises) and ``mistake_corpus_sixth_rest.py`` (pooling and the norms). Each half's
docstring says how it was written, and ``verify_mistake_corpus_sixth_conv.py`` / ``_rest.py`` check its
rows against cnnlab's reference layers without the checker. The helpers were asked for the mistakes
students make most often, a third or more of them in the vectorized styles the hints lead to
(einsum, fancy indexing, np.add.at, window views, CS231n's compact batch-norm backward).
"""

from __future__ import annotations

from mistake_corpus_sixth_conv import CORPUS as CONV_HALF
from mistake_corpus_sixth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
