"""Summary limits (max_sentences, ratio, max_words), threshold and trigram blocking."""
from __future__ import annotations

import pytest

from plait_summarize.oracle import select_sentences, sentence_budget

WORDS = [
    ["the", "budget", "was", "approved"],                  # 0
    ["the", "budget", "was", "approved", "again"],         # 1: shares trigrams with 0
    ["parks", "get", "more", "money", "this", "year"],     # 2
    ["roads", "are", "ignored"],                           # 3
    ["sunny"],                                             # 4
]
SCORES = [0.9, 0.8, 0.7, 0.6, 0.1]


def select(**kwargs):
    settings = dict(max_sentences=None, ratio=1.0, max_words=None, trigram_blocking=False,
                    threshold=None)
    settings.update(kwargs)
    return select_sentences(WORDS, SCORES, **settings)


def test_budget_from_max_sentences_and_ratio():
    assert sentence_budget(10, max_sentences=3, ratio=1.0) == 3
    assert sentence_budget(10, max_sentences=None, ratio=0.25) == 3  # ceil(2.5)
    assert sentence_budget(10, max_sentences=2, ratio=0.5) == 2
    assert sentence_budget(3, max_sentences=None, ratio=0.1) == 1  # at least one
    assert sentence_budget(0, max_sentences=3, ratio=0.5) == 0


def test_max_sentences_and_ratio():
    assert select(max_sentences=2) == [0, 1]
    assert select(ratio=0.6) == [0, 1, 2]
    assert select(max_sentences=4, ratio=0.4) == [0, 1]


def test_trigram_blocking_skips_redundant_sentences():
    assert select(max_sentences=2, trigram_blocking=True) == [0, 2]
    assert select(max_sentences=2, trigram_blocking=False) == [0, 1]


def test_max_words_budget():
    # 0 (4 words) fits; 1 (5) and 2 (6) would exceed 7; 3 (3 words) fits: 7 words; 4 would exceed.
    assert select(max_words=7) == [0, 3]
    assert select(max_words=8) == [0, 3, 4]
    # The best sentence alone is too long: shorter ones are taken instead.
    assert select(max_words=3) == [3]
    # Nothing fits: a non-empty doc still gets its best sentence.
    assert select_sentences([["a", "b", "c"], ["d", "e"]], [0.2, 0.9], max_sentences=None, ratio=1.0,
                            max_words=1, trigram_blocking=False) == [1]


def test_threshold():
    assert select(threshold=0.65) == [0, 1, 2]
    assert select(threshold=0.95) == [0]  # at least one sentence


def test_results_are_in_document_order_and_empty_docs_give_nothing():
    scores = [0.1, 0.9, 0.5]
    words = [["a"], ["b"], ["c"]]
    assert select_sentences(words, scores, max_sentences=2, ratio=1.0, max_words=None,
                            trigram_blocking=True) == [1, 2]
    assert select_sentences([], [], max_sentences=2, ratio=1.0, max_words=None,
                            trigram_blocking=True) == []


@pytest.mark.parametrize("config,n_selected", [
    ({"max_sentences": 1}, 1),
    ({"max_sentences": 10, "ratio": 0.4}, 2),
    ({"max_sentences": None, "ratio": 1.0, "trigram_blocking": False}, 5),
])
def test_limits_apply_in_the_pipeline(blank_summarizer, config, n_selected):
    nlp = blank_summarizer(**config)
    doc = nlp("The council approved the budget. Parks get more money. Roads are ignored by the plan. "
              "The council will meet again. It was sunny.")
    assert len(doc._.summary_sents) == n_selected


def test_max_words_in_the_pipeline(blank_summarizer):
    nlp = blank_summarizer(max_sentences=None, ratio=1.0, max_words=12)
    doc = nlp("The council approved the new city budget on Monday evening after a long debate. "
              "Parks get more money. Roads are ignored. The council meets again in May.")
    words = [t for s in doc._.summary_sents for t in s if not t.is_punct]
    assert 0 < len(words) <= 12
