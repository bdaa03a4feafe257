"""The plait_sentiment component: training, outputs, serialization, errors.

Real spaCy pipelines, the tiny random transformer (``tiny-random``) and real updates; nothing mocked.
"""
import subprocess
import sys

import numpy
import pytest
import spacy
from spacy.training import Example

from sentiment_helpers import (BINARY_DATA, THREE, THREE_CLASS_DATA, build_nlp, make_examples, train)


def _check_result(result, labels):
    assert set(result) == {"label", "scores", "polarity"}
    assert result["label"] in labels
    assert list(result["scores"]) == list(labels)
    assert sum(result["scores"].values()) == pytest.approx(1.0, abs=1e-5)
    assert -1.0 <= result["polarity"] <= 1.0
    assert result["label"] == max(result["scores"], key=result["scores"].get)


# -- packaging ---------------------------------------------------------------------------------------
def test_entry_points_work_without_importing_the_package():
    code = (
        "import sys, spacy\n"
        "from spacy.util import registry\n"
        "nlp = spacy.blank('en')\n"
        "pipe = nlp.add_pipe('plait_sentiment')\n"
        "assert type(pipe).__name__ == 'SentimentClassifier', type(pipe)\n"
        "assert registry.architectures.get('plait.sentiment.v1')\n"
        "assert registry.scorers.get('plait.sentiment_scorer.v1')\n"
        "from spacy.tokens import Doc, Span\n"
        "assert Doc.has_extension('sentiment') and Span.has_extension('sentiment')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_import_has_no_side_effects():
    code = (
        "import sys\n"
        "import plait_sentiment, plait_sentiment.component, plait_sentiment.model\n"
        "import plait_sentiment.scoring, plait_sentiment.plugin\n"
        "from spacy.tokens import Doc, Span\n"
        "assert not Doc.has_extension('sentiment') and not Span.has_extension('sentiment')\n"
        "assert 'transformers' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_registered_with_plait():
    from plait.plugins.registry import get_registry

    registry = get_registry()
    info = registry.component("sentiment")
    assert info.factory == "plait_sentiment"
    assert info.task == "sentiment"
    assert info.needs_sentences is True
    assert info.listener_path == "model.tok2vec"
    assert info.config["model"]["@architectures"] == "plait.sentiment.v1"
    assert info.config["scorer"] == {"@scorers": "plait.sentiment_scorer.v1"}
    assert registry.provider("component", "sentiment") == "sentiment"


# -- training ----------------------------------------------------------------------------------------
def test_overfits_three_classes_with_transformer(trained_three):
    nlp, losses = trained_three
    pipe = nlp.get_pipe("sentiment")
    assert pipe.labels == tuple(THREE)
    assert losses["sentiment"] < 4.0  # from 6 * ln(3) = 6.6 at the start
    for text, gold in THREE_CLASS_DATA:
        doc = nlp(text)
        _check_result(doc._.sentiment, THREE)
        assert doc._.sentiment["label"] == gold, text
        assert doc.cats == {}  # the component does not write doc.cats
        if gold == "positive":
            assert doc._.sentiment["polarity"] > 0.2
        elif gold == "negative":
            assert doc._.sentiment["polarity"] < -0.2


def test_overfits_binary_pos_neg_with_transformer():
    nlp = build_nlp()
    examples = make_examples(nlp, BINARY_DATA, ["neg", "pos"])
    train(nlp, examples)  # labels from the data
    pipe = nlp.get_pipe("sentiment")
    assert pipe.labels == ("neg", "pos")
    assert pipe.polarity_labels == ("pos", "neg")
    for text, gold in BINARY_DATA:
        result = nlp(text)._.sentiment
        _check_result(result, ["neg", "pos"])
        assert result["label"] == gold, text
        assert result["polarity"] == pytest.approx(result["scores"]["pos"] - result["scores"]["neg"])


def test_overfits_binary_0_1_standalone():
    """The default model (HashEmbedCNN tok2vec) works without a transformer; labels 0/1."""
    nlp = build_nlp(transformer=False, sentencizer=False)
    data = [(text, "1" if gold == "pos" else "0") for text, gold in BINARY_DATA]
    examples = make_examples(nlp, data, ["0", "1"])
    train(nlp, examples, steps=30)
    for text, gold in data:
        result = nlp(text)._.sentiment
        assert result["label"] == gold
        assert (result["polarity"] > 0) == (gold == "1")


def test_examples_without_its_labels_are_skipped():
    nlp = build_nlp()
    examples = make_examples(nlp, THREE_CLASS_DATA, THREE)
    train(nlp, examples, steps=1, labels=THREE)
    other = [Example.from_dict(nlp.make_doc("Football news from the city."), {"cats": {"sports": 1.0}}),
             Example.from_dict(nlp.make_doc("No cats at all."), {})]
    losses = nlp.update(other)
    assert losses["sentiment"] == 0.0
    # Mixed with labelled (and empty) docs in one batch: the listener sees the whole batch.
    empty = Example.from_dict(nlp.make_doc(""), {"cats": {"positive": 1.0}})
    losses = nlp.update(examples + other + [empty])
    assert losses["sentiment"] > 0.0
    assert "sports" not in nlp.get_pipe("sentiment").labels


# -- outputs -----------------------------------------------------------------------------------------
def test_per_sentence_output(trained_three):
    nlp, _ = trained_three
    doc = nlp("Good and great, love it! This was bad. I hate it.")
    sents = list(doc.sents)
    assert len(sents) == 3
    for sent in sents:
        _check_result(sent._.sentiment, THREE)
    _check_result(doc._.sentiment, THREE)
    # The review turns: the first sentence reads more positive than the last one.
    assert sents[0]._.sentiment["polarity"] > sents[-1]._.sentiment["polarity"]
    assert sents[0]._.sentiment != sents[-1]._.sentiment


def test_two_sentence_doc_gets_two_sentence_results(trained_three):
    nlp, _ = trained_three
    doc = nlp("I love this great movie. Bad bad film, hate.")
    first, second = list(doc.sents)
    _check_result(first._.sentiment, THREE)
    _check_result(second._.sentiment, THREE)
    assert first._.sentiment["polarity"] > second._.sentiment["polarity"]


def test_sentencizer_fallback_without_sentence_boundaries():
    nlp = build_nlp(transformer=False, sentencizer=False)
    train(nlp, make_examples(nlp, THREE_CLASS_DATA, THREE), steps=2)
    doc = nlp("Good film. Bad film!")
    assert doc.has_annotation("SENT_START")
    sents = list(doc.sents)
    assert len(sents) == 2
    for sent in sents:
        _check_result(sent._.sentiment, THREE)


def test_empty_docs_get_a_uniform_neutral_result(trained_three):
    nlp, _ = trained_three
    doc = nlp("")
    assert doc._.sentiment == {"label": "neutral", "scores": {lab: pytest.approx(1 / 3) for lab in THREE},
                               "polarity": 0.0}
    docs = list(nlp.pipe(["", "I love this great movie.", ""]))
    assert docs[0]._.sentiment["polarity"] == 0.0
    assert docs[1]._.sentiment["label"] == "positive"
    assert [d._.sentiment["label"] for d in nlp.pipe(["", ""])] == ["neutral", "neutral"]


def test_empty_doc_binary_label_is_first_label():
    nlp = build_nlp(transformer=False)
    train(nlp, make_examples(nlp, BINARY_DATA, ["neg", "pos"]), steps=1)
    assert nlp("")._.sentiment == {"label": "neg", "scores": {"neg": 0.5, "pos": 0.5}, "polarity": 0.0}


# -- serialization -----------------------------------------------------------------------------------
def test_disk_round_trip(trained_three, tmp_path):
    nlp, _ = trained_three
    texts = ["I love this great movie. This was bad.", "The film is in London."]
    before = [nlp(t) for t in texts]
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    pipe = loaded.get_pipe("sentiment")
    assert pipe.labels == tuple(THREE)
    assert pipe.polarity_labels == ("positive", "negative")
    for doc, text in zip(before, texts):
        again = loaded(text)
        assert again._.sentiment["label"] == doc._.sentiment["label"]
        numpy.testing.assert_allclose(list(again._.sentiment["scores"].values()),
                                      list(doc._.sentiment["scores"].values()), atol=1e-5)
        for s1, s2 in zip(doc.sents, again.sents):
            assert s1._.sentiment["label"] == s2._.sentiment["label"]
            assert s1._.sentiment["polarity"] == pytest.approx(s2._.sentiment["polarity"], abs=1e-5)


def test_component_to_disk_from_disk(tmp_path):
    nlp = build_nlp(transformer=False, sentencizer=False,
                    config={"positive_label": "good", "negative_label": "bad"})
    data = [("love it", "good"), ("hate it", "bad"), ("a film", "meh")]
    train(nlp, make_examples(nlp, data, ["bad", "meh", "good"]), steps=20, labels=["bad", "meh", "good"])
    pipe = nlp.get_pipe("sentiment")
    pipe.to_disk(tmp_path / "sentiment")
    fresh = build_nlp(transformer=False, sentencizer=False,
                      config={"positive_label": "good", "negative_label": "bad"})
    fresh.get_pipe("sentiment").from_disk(tmp_path / "sentiment")
    assert fresh.get_pipe("sentiment").labels == ("bad", "meh", "good")
    assert fresh.get_pipe("sentiment").polarity_labels == ("good", "bad")
    for text in ("love it", "hate it", "a film"):
        expected, got = nlp(text)._.sentiment, fresh(text)._.sentiment
        assert got["label"] == expected["label"]
        assert got["scores"] == pytest.approx(expected["scores"], abs=1e-6)
        assert got["polarity"] == pytest.approx(expected["polarity"], abs=1e-6)
    restored = build_nlp(transformer=False, sentencizer=False,
                         config={"positive_label": "good", "negative_label": "bad"})
    restored.from_bytes(nlp.to_bytes())
    assert restored("hate it")._.sentiment["label"] == nlp("hate it")._.sentiment["label"]


# -- errors ------------------------------------------------------------------------------------------
def test_fewer_than_two_labels_is_an_error():
    nlp = build_nlp(transformer=False)
    examples = make_examples(nlp, [("great", "positive")], ["positive"])
    with pytest.raises(ValueError, match=r"needs at least 2 labels, got \['positive'\]"):
        nlp.initialize(lambda: examples)


def test_several_gold_labels_is_an_error_naming_the_doc():
    nlp = build_nlp(transformer=False)
    examples = make_examples(nlp, THREE_CLASS_DATA, THREE)
    examples.append(Example.from_dict(nlp.make_doc("Loved it and hated it, both at once"),
                                      {"cats": {"positive": 1.0, "negative": 1.0, "neutral": 0.0}}))
    with pytest.raises(ValueError, match=r"'Loved it and hated it, both at once'.*several labels"):
        nlp.initialize(lambda: examples)
    # ... and during update too (a corpus can be swapped after initialize).
    nlp = build_nlp(transformer=False)
    train(nlp, examples[:-1], steps=1)
    with pytest.raises(ValueError, match="Loved it and hated it"):
        nlp.update(examples[-1:])


def test_undetectable_polarity_labels_fail_at_initialize():
    nlp = build_nlp(transformer=False)
    examples = make_examples(nlp, [("great", "good"), ("awful", "bad")], ["bad", "good"])
    with pytest.raises(ValueError, match=r"cannot tell which of the labels \['bad', 'good'\]"):
        nlp.initialize(lambda: examples)
    nlp = build_nlp(transformer=False, config={"positive_label": "good", "negative_label": "bad"})
    train(nlp, examples, steps=1)
    assert set(nlp("great")._.sentiment["scores"]) == {"bad", "good"}


def test_predict_before_initialize_is_a_clear_error():
    nlp = build_nlp(transformer=False)
    with pytest.raises(ValueError, match="needs at least 2 labels"):
        nlp("Not initialized.")


def test_hidden_layer_variant_trains():
    nlp = build_nlp(transformer=False, config={"model": {"hidden_width": 16, "dropout": 0.1}})
    examples = make_examples(nlp, THREE_CLASS_DATA, THREE)
    train(nlp, examples, steps=30)
    assert [nlp(text)._.sentiment["label"] for text, _ in THREE_CLASS_DATA] == \
        [gold for _, gold in THREE_CLASS_DATA]
    restored = build_nlp(transformer=False, config={"model": {"hidden_width": 16, "dropout": 0.1}})
    restored.from_bytes(nlp.to_bytes())
    text = "I love this great movie. This was bad."
    assert restored(text)._.sentiment["scores"] == pytest.approx(nlp(text)._.sentiment["scores"])
