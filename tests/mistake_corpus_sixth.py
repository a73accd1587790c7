"""The sixth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two halves
by two helpers, at the same time as the fifth: ``mistake_corpus_sixth_conv.py`` (the convolution, im2col
and network exercises) and ``mistake_corpus_sixth_rest.py`` (pooling and the norms). Each half's
docstring says how it was written, and ``verify_mistake_corpus_sixth_conv.py`` / ``_rest.py`` check its
rows against cnnlab's reference layers without the checker. The helpers were asked for the mistakes
students make most often, a third or more of them in the vectorized styles the hints lead to
(einsum, fancy indexing, np.add.at, window views, CS231n's compact batch-norm backward).

135 rows: 117 wrong, 18 right. Measured once, before any diagnosis was written for them (2026-12-04, the
checker at ``042315e``, tuned to the fifth corpus): 105 of the 117 wrong rows named (89.7%), 2 by the
failing cases, 10 generic, 0 "no known pattern", 0 wrong verdicts. Most of the twelve were crashes whose
message shows the mistake (a per-channel sum that kept axes, statistics over axis 0 only, a window's max
without keepdims, a reshape into side-by-side tiles) and vectorized slips (np.tile for np.repeat in
CS231n's index arrays, the dilation of one axis, a 2-D product reshaped without moving the sample axis,
a layout that N = 1 let another order name). After the diagnoses written for them: 116 of 117; the one
left, group norm with groups sliced at g (not g * C // G), writes np.empty's leftovers into the channels
no group reaches, which no recomputation can match, and is described ("wrong only at c = 1, 2, 3").
"""

from __future__ import annotations

from mistake_corpus_sixth_conv import CORPUS as CONV_HALF
from mistake_corpus_sixth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
