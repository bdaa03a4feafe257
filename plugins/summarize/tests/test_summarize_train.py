"""Training on the shared (tiny) transformer: overfit, round-trip, scoring, tuning."""
from __future__ import annotations

import numpy
import pytest
import spacy

from plait_summarize.component import Summarizer
from plait_summarize.oracle import greedy_oracle
from plait_summarize.scoring import lead_summary, score_summaries
from summarize_helpers import DOCS, make_examples, train


def test_overfit_picks_the_oracle_sentences(trained_trf_nlp):
    nlp, history = trained_trf_nlp
    summarizer = nlp.get_pipe("summarize")
    assert summarizer.is_trained
    assert history[-1] < history[0] * 0.5
    for text, reference in DOCS:
        doc = nlp(text)
        sents = [s.text for s in doc.sents]
        oracle = greedy_oracle(sents, reference)
        assert 2 <= len(oracle) <= 3
        assert [sents.index(s.text) for s in doc._.summary_sents] == oracle, (text, reference)
        scores = [s._.summary_score for s in doc.sents]
        assert all(0.0 <= v <= 1.0 for v in scores)


def test_trained_pipeline_handles_empty_docs_in_a_batch(trained_trf_nlp):
    nlp, _ = trained_trf_nlp
    docs = list(nlp.pipe(["", DOCS[1][0], "  ", "Short one."]))
    assert docs[0]._.summary == "" and docs[0]._.summary_sents == []
    assert docs[1]._.summary
    assert docs[3]._.summary == "Short one."


def test_labels_are_cached_per_doc(trained_trf_nlp):
    nlp, _ = trained_trf_nlp
    oracle = nlp.get_pipe("summarize").oracle
    assert len(oracle) == len(DOCS)
    assert oracle.hits >= len(DOCS) * 10


def test_scorer_reports_rouge_and_lead3(trained_trf_nlp):
    nlp, _ = trained_trf_nlp
    scores = nlp.evaluate(make_examples(nlp))
    for key in ("summary_rouge1", "summary_rouge2", "summary_rougeL",
                "summary_lead3_rouge1", "summary_lead3_rouge2", "summary_lead3_rougeL"):
        assert 0.0 <= scores[key] <= 1.0, key
    # The summarizer learned the oracle, which beats Lead-3 on these docs.
    assert scores["summary_rouge2"] > scores["summary_lead3_rouge2"]
    assert scores["summary_rouge1"] > 0.7


def test_scorer_values_match_rouge_score_directly(blank_summarizer):
    from rouge_score import rouge_scorer

    nlp = blank_summarizer(max_sentences=2)
    examples = make_examples(nlp)
    for eg in examples:
        eg.predicted = nlp(eg.predicted)
    got = score_summaries(examples)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    for key in ("rouge1", "rouge2", "rougeL"):
        expected = numpy.mean([scorer.score(ref, eg.predicted._.summary)[key].fmeasure
                               for eg, (_, ref) in zip(examples, DOCS)])
        lead = numpy.mean([scorer.score(ref, lead_summary(eg.predicted))[key].fmeasure
                           for eg, (_, ref) in zip(examples, DOCS)])
        assert got[f"summary_{key}"] == pytest.approx(expected)
        assert got[f"summary_lead3_{key}"] == pytest.approx(lead)
    # Lead-3 is the first three sentences.
    assert lead_summary(examples[0].predicted) == " ".join(
        s.text for s in list(examples[0].predicted.sents)[:3])
    assert got["summary_n_docs"] == len(examples)
    assert got["summary_mean_words"]["reference"] == pytest.approx(
        numpy.mean([len(ref.split()) for _, ref in DOCS]))
    # No reference summaries at all: no scores (spaCy leaves None out of the weighted score).
    no_refs = score_summaries(make_examples(nlp, [(DOCS[0][0], None)]))
    assert no_refs.pop("summary_n_docs") == 0 and set(no_refs.values()) == {None}


def test_disk_round_trip(trained_trf_nlp, tmp_path):
    nlp, _ = trained_trf_nlp
    summarizer = nlp.get_pipe("summarize")
    summarizer.cfg["max_words"] = 40
    try:
        texts = [text for text, _ in DOCS]
        before = [[s._.summary_score for s in doc.sents] for doc in nlp.pipe(texts)]
        summaries = [doc._.summary for doc in nlp.pipe(texts)]
        nlp.to_disk(tmp_path / "pipeline")
    finally:
        summarizer.cfg["max_words"] = None
    loaded = spacy.load(tmp_path / "pipeline")
    restored = loaded.get_pipe("summarize")
    assert isinstance(restored, Summarizer)
    assert restored.is_trained and restored.cfg["max_words"] == 40
    after = [[s._.summary_score for s in doc.sents] for doc in loaded.pipe(texts)]
    for b, a in zip(before, after):
        numpy.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)
    assert [doc._.summary for doc in loaded.pipe(texts)] == summaries


def test_untrained_flag_survives_a_round_trip(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_summarizer")
    nlp.initialize()
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert not loaded.get_pipe("plait_summarizer").is_trained
    assert loaded("One sentence here. And another one there.")._.summary


def test_tune_on_dev_picks_a_threshold(trained_trf_nlp):
    nlp, _ = trained_trf_nlp
    summarizer = nlp.get_pipe("summarize")
    examples = make_examples(nlp)
    for eg in examples:
        eg.predicted = nlp(eg.predicted.text)
    old = summarizer.cfg["threshold"]
    try:
        result = summarizer.tune_on_dev(examples, nlp)
        assert "threshold" in result and result["dev_rouge_sum"] > 0.5
        assert summarizer.cfg["threshold"] == result["threshold"]
    finally:
        summarizer.cfg["threshold"] = old


def test_default_standalone_model_trains_without_a_transformer():
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_summarizer", name="summarize")
    examples = make_examples(nlp)
    history = train(nlp, examples, steps=25, learn_rate=0.01)
    assert history[-1] < history[0]
    assert nlp.get_pipe("summarize").is_trained
    doc = nlp(DOCS[0][0])
    assert doc._.summary and all(0 <= s._.summary_score <= 1 for s in doc.sents)
