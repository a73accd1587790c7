"""The fifth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two halves
by two helpers: ``mistake_corpus_fifth_conv.py`` (the convolution, im2col and network exercises) and
``mistake_corpus_fifth_rest.py`` (pooling and the norms). Each half's docstring says how it was written,
and ``verify_mistake_corpus_fifth_conv.py`` / ``_rest.py`` check its rows against cnnlab's reference
layers without the checker. Unlike the third and fourth corpora, the helpers did not skim the earlier
corpora to write other mistakes: they were asked for the mistakes students make most often.

136 rows: 119 wrong, 17 right. Measured once, before any diagnosis was written for them (2026-12-04, the
checker at ``7f4a3cb``, whose verdicts are those of ``2ab4a4e``, the last session's): 112 of the 119
wrong rows named (94.1%), 3 by the failing cases, 2 generic, 0 "no known pattern", 2 wrong verdicts.
Both wrong verdicts were a gap in the cases: lesson 1 asks ``conv_output_size`` for the formula's
number where the filter does not fit ("the check compares it"), but no case had such a filter, so
``max(0, ...)`` and ``int(a / S)`` passed; the check now has four. The five unnamed: the max-pool
stride pair swapped (a crash, an empty window), average pooling over an unpadded x with the counts of
the padded one, its pad pair swapped, its windows clipped at H - 1, and dx through w[n] for w[f].
After the diagnoses written for them: 119 of 119.
"""

from __future__ import annotations

from mistake_corpus_fifth_conv import CORPUS as CONV_HALF
from mistake_corpus_fifth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
