"""The fourteenth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two halves
by two helpers while the checker was tuned to the eleventh and twelfth (the thirteenth and fourteenth were
written at the same time, by four helpers): ``mistake_corpus_fourteenth_conv.py`` (the convolution, im2col and
network exercises) and ``mistake_corpus_fourteenth_rest.py`` (pooling and the norms). Each half's docstring says
how it was written, and ``verify_mistake_corpus_fourteenth_conv.py`` / ``_rest.py`` check its rows against
cnnlab's reference layers without the checker. The helpers did not read the git log.

147 rows: 129 wrong, 18 right. Measured once with the thirteenth, before any diagnosis was written for
them (2026-12-04, the checker at ``3e35ad7``): 124 of the 129 wrong rows named (96.1%), 2 by the failing
cases, 3 generic, 0 "no known pattern", 0 wrong verdicts. The five: lesson 2's full convolution for dx
with padding, average pooling's real pixels clipped in the padded array's coordinates, its nonzero count
in the backward, batch-norm statistics over axis 0 flattened (a broadcast crash), group norm's groups of
G channels. After the diagnoses written for them: 127 of 129 (the first two are left).
"""

from __future__ import annotations

from mistake_corpus_fourteenth_conv import CORPUS as CONV_HALF
from mistake_corpus_fourteenth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
