"""The fourteenth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two halves
by two helpers while the checker was tuned to the eleventh and twelfth (the thirteenth and fourteenth were
written at the same time, by four helpers): ``mistake_corpus_fourteenth_conv.py`` (the convolution, im2col and
network exercises) and ``mistake_corpus_fourteenth_rest.py`` (pooling and the norms). Each half's docstring says
how it was written, and ``verify_mistake_corpus_fourteenth_conv.py`` / ``_rest.py`` check its rows against
cnnlab's reference layers without the checker. The helpers did not read the git log.
"""

from __future__ import annotations

from mistake_corpus_fourteenth_conv import CORPUS as CONV_HALF
from mistake_corpus_fourteenth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
