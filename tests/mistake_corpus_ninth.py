"""The ninth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two halves
by two helpers while the checker was tuned to the eighth: ``mistake_corpus_ninth_conv.py`` (the
convolution, im2col and network exercises) and ``mistake_corpus_ninth_rest.py`` (pooling and the norms).
Each half's docstring says how it was written, and ``verify_mistake_corpus_ninth_conv.py`` / ``_rest.py``
check its rows against cnnlab's reference layers without the checker. The helpers played a teaching
assistant writing down the mistakes seen in three years of submissions, most frequent first, each as a
particular student wrote it; they did not read the git log.

151 rows: 132 wrong, 19 right. Measured once, before any diagnosis was written for them (2026-12-04, the
checker at ``d7b5ea6``, tuned to the fifth to eighth corpora): 124 of the 132 wrong rows named (93.9%),
1 by the failing cases, 7 generic, 0 "no known pattern", 0 wrong verdicts. Several of the eight were
near misses of names written for earlier corpora, too narrow by one axis or one direction: average
pooling clipped at H - 1 in the rows only (the name covered both axes), group norm read at g but written
at g*(C // G) (the name covered both at g), CS231n's channel index with np.tile (the name covered the
positions' index only). The others: dw zeroed inside the loop, w.reshape(-1, F) for w_row.T in the
backward, gradients stored as dW1, ... (the message was not a Named one), and two scans for the maximum
(column-major ties, a best that starts at 0). After the diagnoses written for them, each widened to its
axes and directions (and to dx, and to average pooling, where the same slip exists): 132 of 132.
"""

from __future__ import annotations

from mistake_corpus_ninth_conv import CORPUS as CONV_HALF
from mistake_corpus_ninth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
