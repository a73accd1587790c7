"""The tenth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two halves
by two helpers while the checker was tuned to the ninth: ``mistake_corpus_tenth_conv.py`` (the
convolution, im2col and network exercises) and ``mistake_corpus_tenth_rest.py`` (pooling and the norms).
Each half's docstring says how it was written, and ``verify_mistake_corpus_tenth_conv.py`` / ``_rest.py``
check its rows against cnnlab's reference layers without the checker. The helpers played students posting
"why does my check fail?" on a forum, each row one student's whole function with the one bug that made
them ask: first attempts, second attempts after the hints, code adapted from CS231n or PyTorch; they did
not read the git log.

140 rows: 123 wrong, 17 right. Measured once, before any diagnosis was written for them (2026-12-04, the
checker at ``2a9ecb8``, tuned to the fifth to ninth corpora): 116 of the 123 wrong rows named (94.3%),
1 by the failing cases, 6 generic, 0 "no known pattern", 0 wrong verdicts. The seven: average pooling's
real pixels counted with the pad pair swapped (the counts only, in the backward), the bias added once
more at every tap, the dilation's dw shadowed by the weight gradient (a TypeError), a layer's dw and db
unpacked swapped (a broadcast crash), gamma left out of the compact backward's two means, group norm's
(N, G, 1) inv_std met (N, C, H, W), and its dgamma summed per group (a reshape crash). After the
diagnoses written for them: 123 of 123.
"""

from __future__ import annotations

from mistake_corpus_tenth_conv import CORPUS as CONV_HALF
from mistake_corpus_tenth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
