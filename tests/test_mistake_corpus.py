"""The held-out corpus (tests/mistake_corpus.py): no wrong verdict, and never "no known pattern".

The rate of named diagnoses is measured (``python tests/mistake_corpus.py``), not asserted:
the corpus is held out, so no specific diagnosis is written for its entries.
"""

from __future__ import annotations

from mistake_corpus import CORPUS, measure


def test_no_wrong_verdict_and_always_something_specific():
    found, texts = measure(CORPUS)
    assert not found.get("wrong"), [texts[label] for label in found["wrong"]]
    assert not found.get("no known pattern"), [texts[label] for label in found["no known pattern"]]
