"""The thirteenth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two halves
by two helpers while the checker was tuned to the eleventh and twelfth (the thirteenth and fourteenth were
written at the same time, by four helpers): ``mistake_corpus_thirteenth_conv.py`` (the convolution, im2col and
network exercises) and ``mistake_corpus_thirteenth_rest.py`` (pooling and the norms). Each half's docstring says
how it was written, and ``verify_mistake_corpus_thirteenth_conv.py`` / ``_rest.py`` check its rows against
cnnlab's reference layers without the checker. The helpers did not read the git log.

151 rows: 133 wrong, 18 right. Measured once with the fourteenth, before any diagnosis was written for
them (2026-12-04, the checker at ``3e35ad7``, tuned to the fifth to twelfth corpora): 129 of the 133
wrong rows named (97.0%), 0 by the failing cases, 4 generic, 0 "no known pattern", 0 wrong verdicts. The
four: CS231n's (F, H', W', N) reshape of a product over sample-major columns, average pooling's count of
nonzero values in the backward (NaN where a window is all zeros), the backward's std recomputed without
eps, group norm's groups of G channels. After the diagnoses written for them: 132 of 133 (the one left
is the nonzero count of x itself, where the check says only where the output is wrong).
"""

from __future__ import annotations

from mistake_corpus_thirteenth_conv import CORPUS as CONV_HALF
from mistake_corpus_thirteenth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
