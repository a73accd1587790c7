"""The twelfth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two halves by
two helpers while the checker was tuned to the tenth (the eleventh and twelfth were written at the same
time, by four helpers): ``mistake_corpus_twelfth_conv.py`` (the convolution, im2col and network exercises) and
``mistake_corpus_twelfth_rest.py`` (pooling and the norms). Each half's docstring says how it was written, and
``verify_mistake_corpus_twelfth_conv.py`` / ``_rest.py`` check its rows against cnnlab's reference layers
without the checker. The helpers did not read the git log.

148 rows: 130 wrong, 18 right. Measured once with the eleventh, before any diagnosis was written for
them (2026-12-04, the checker at ``d3470d1``): 123 of the 130 wrong rows named (94.6%), 2 by the failing
cases, 5 generic, 0 "no known pattern", 0 wrong verdicts. The seven: windows sliced from x unpadded (a
tensordot crash in the padded cases), taps read from x with only r < H checked (negative indices wrap),
dw[f, c, p, q] assigned per element skipping the padding, one buffer appended for every window, a name
used for two things (cols), dscores an alias of probs (a NaN loss), and max pooling's H' x W' tiles.
After the diagnoses written for them: 130 of 130.
"""

from __future__ import annotations

from mistake_corpus_twelfth_conv import CORPUS as CONV_HALF
from mistake_corpus_twelfth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
