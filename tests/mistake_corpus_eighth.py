"""The eighth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two
halves by two helpers while the checker was tuned to the seventh: ``mistake_corpus_eighth_conv.py`` (the
convolution, im2col and network exercises) and ``mistake_corpus_eighth_rest.py`` (pooling and the norms).
Each half's docstring says how it was written, and ``verify_mistake_corpus_eighth_conv.py`` / ``_rest.py``
check its rows against cnnlab's reference layers without the checker. The helpers were asked for the
mistakes of a class of thirty students of mixed experience, the most typical one of each, half in the
stubs' loop style and half vectorized; they did not read the git log (which describes the checker).
"""

from __future__ import annotations

from mistake_corpus_eighth_conv import CORPUS as CONV_HALF
from mistake_corpus_eighth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
