"""The tenth held-out corpus of student mistakes, written blind to the checker (2026-12-04), in two halves
by two helpers while the checker was tuned to the ninth: ``mistake_corpus_tenth_conv.py`` (the
convolution, im2col and network exercises) and ``mistake_corpus_tenth_rest.py`` (pooling and the norms).
Each half's docstring says how it was written, and ``verify_mistake_corpus_tenth_conv.py`` / ``_rest.py``
check its rows against cnnlab's reference layers without the checker. The helpers played students posting
"why does my check fail?" on a forum, each row one student's whole function with the one bug that made
them ask: first attempts, second attempts after the hints, code adapted from CS231n or PyTorch; they did
not read the git log.
"""

from __future__ import annotations

from mistake_corpus_tenth_conv import CORPUS as CONV_HALF
from mistake_corpus_tenth_rest import CORPUS as REST_HALF

CORPUS = CONV_HALF + REST_HALF
