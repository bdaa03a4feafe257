"""The greedy ROUGE oracle and its cache."""
from __future__ import annotations

from rouge_score import rouge_scorer

from plait_summarize.oracle import OracleCache, greedy_oracle, ngrams, rouge_tokens, _f1, _overlap

SENTS = [
    "The storm hit the coast on Tuesday night.",
    "Many trees fell across the roads.",
    "Schools were closed for two days.",
    "The mayor thanked the rescue teams.",
    "Power returned by Friday.",
]


def test_oracle_picks_the_sentences_the_summary_is_made_of():
    assert greedy_oracle(SENTS, "A storm hit the coast on Tuesday. Schools closed for two days.") == [0, 2]
    assert greedy_oracle(SENTS, "Power returned by Friday; the mayor thanked the rescue teams.") == [3, 4]


def test_oracle_stops_when_no_sentence_adds_rouge():
    # One sentence matches the summary exactly: adding any other sentence lowers the F score.
    assert greedy_oracle(SENTS, "Many trees fell across the roads.") == [1]
    # Nothing overlaps: nothing is selected.
    assert greedy_oracle(SENTS, "Zebras eat grass.") == []


def test_oracle_edge_cases():
    assert greedy_oracle([], "anything") == []
    assert greedy_oracle(SENTS, "") == []
    assert greedy_oracle(SENTS, "...") == []
    assert greedy_oracle(["", "Schools were closed."], "Schools were closed.") == [1]
    assert len(greedy_oracle(SENTS, " ".join(SENTS), max_sentences=2)) == 2


def test_oracle_rouge_matches_rouge_score_package():
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=False)
    ref = "A storm hit the coast on Tuesday. Schools closed for two days."
    pred = SENTS[0] + " " + SENTS[2]
    ref_t, pred_t = rouge_tokens(ref), rouge_tokens(pred)
    for n, key in ((1, "rouge1"), (2, "rouge2")):
        p, r = ngrams(pred_t, n), ngrams(ref_t, n)
        ours = _f1(_overlap(p, r), sum(p.values()), sum(r.values()))
        assert abs(ours - scorer.score(ref, pred)[key].fmeasure) < 1e-9


def test_oracle_cache_reuses_labels():
    cache = OracleCache(max_size=2)
    summary = "Schools closed for two days."
    assert cache.labels(SENTS, summary) == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert cache.labels(SENTS, summary) == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert (cache.hits, cache.misses) == (1, 1)
    cache.labels(SENTS, "Power returned.")
    cache.labels(SENTS, "The mayor.")
    assert len(cache) == 2  # bounded: the oldest entry went
