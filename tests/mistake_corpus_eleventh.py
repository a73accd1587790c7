"""The eleventh held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two halves by
two helpers while the checker was tuned to the tenth (the eleventh and twelfth were written at the same
time, by four helpers): ``mistake_corpus_eleventh_conv.py`` (the convolution, im2col and network exercises) and
``mistake_corpus_eleventh_rest.py`` (pooling and the norms). Each half's docstring says how it was written, and
``verify_mistake_corpus_eleventh_conv.py`` / ``_rest.py`` check its rows against cnnlab's reference layers
without the checker. The helpers did not read the git log.

146 rows: 129 wrong, 17 right. Measured once, before any diagnosis was written for them (2026-12-04, the
checker at ``d3470d1``, tuned to the fifth to tenth corpora): 125 of the 129 wrong rows named (96.9%),
0 by the failing cases, 4 generic, 0 "no known pattern", 0 wrong verdicts. The four: max pooling's tiles
of H' x W' blocks (a reshape crash; the name covered H // PH blocks), average pooling's counts taken at
every position (a broadcast crash), the staged backward with xhat for x - mean in the variance path, and
dx rows reshaped back without the transpose. After the diagnoses written for them: 129 of 129.
"""

from __future__ import annotations

from mistake_corpus_eleventh_conv import CORPUS as CONV_HALF
from mistake_corpus_eleventh_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
