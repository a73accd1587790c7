"""The seventh held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two
halves by two helpers while the checker was tuned to the fifth and sixth: ``mistake_corpus_seventh_conv.py``
(the convolution, im2col and network exercises) and ``mistake_corpus_seventh_rest.py`` (pooling and the
norms). Each half's docstring says how it was written, and ``verify_mistake_corpus_seventh_conv.py`` /
``_rest.py`` check its rows against cnnlab's reference layers without the checker. The helpers were asked
for the mistakes students make most often, by several students: half in the stubs' loop style, half
vectorized, some with CS231n, PyTorch or Keras conventions, spread over every part of each function.

144 rows: 127 wrong, 17 right. Measured once, before any diagnosis was written for them (2026-12-04, the
checker at ``b4a77a6``, tuned to the fifth and sixth corpora): 111 of the 127 wrong rows named (87.4%),
4 by the failing cases, 12 generic, 0 "no known pattern", 0 wrong verdicts. The sixteen: crashes whose
message shows the mistake (conv_output_size raising where the filter does not fit, the bias vector
assigned to one element, a window cut short in a matmul, the backward given w_row, a float pad, gradients
under each other's names, gamma (1, C, 1, 1) on the rows, gamma channels-last), lesson 2's stride-1
convolutions used for the backward, a max pool's view subsampled the wrong way round, loops over window
starts one short, db over (0, 1), im2col's taps stacked with the samples behind them, rows reshaped back
(or made) without the transpose in batch norm, group norm's groups sliced at g. After the diagnoses
written for them: 127 of 127. (The helper writing the convolution half saw, in a commit message, that
``max(0, ...)`` and ``int(a / S)`` had been handled, and kept those two rows.)
"""

from __future__ import annotations

from mistake_corpus_seventh_conv import CORPUS as CONV_HALF
from mistake_corpus_seventh_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
