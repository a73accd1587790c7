"""The eighth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two
halves by two helpers while the checker was tuned to the seventh: ``mistake_corpus_eighth_conv.py`` (the
convolution, im2col and network exercises) and ``mistake_corpus_eighth_rest.py`` (pooling and the norms).
Each half's docstring says how it was written, and ``verify_mistake_corpus_eighth_conv.py`` / ``_rest.py``
check its rows against cnnlab's reference layers without the checker. The helpers were asked for the
mistakes of a class of thirty students of mixed experience, the most typical one of each, half in the
stubs' loop style and half vectorized; they did not read the git log (which describes the checker).

142 rows: 125 wrong, 17 right. Measured once, before any diagnosis was written for them (2026-12-04, the
checker at ``c07ea21``, tuned to the fifth, sixth and seventh corpora): 117 of the 125 wrong rows named
(93.6%), 2 by the failing cases, 6 generic, 0 "no known pattern", 0 wrong verdicts. The eight: average
pooling's windows sliced from a negative start with the count of what the slice holds (0, so NaN), its
np.repeat backward put into dxpad (a crash), a tap loop that assigns (the last tap only), CS231n's own
2-D layout (K, H'*W'*N), a network's gradients stored under another layer's names (a KeyError) and its
backward in the forward's order (a crash), max pooling's slices over n, c mixed with (N, C) index
arrays, the staged batch-norm backward with x for x - mean in the variance's path. After the diagnoses
written for them: 125 of 125.
"""

from __future__ import annotations

from mistake_corpus_eighth_conv import CORPUS as CONV_HALF
from mistake_corpus_eighth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
