"""The plait.sentiment_scorer.v1 scorer."""
import pytest
import spacy
from spacy.training import Example
from spacy.util import registry

from plait_sentiment.component import install_extensions

LABELS = ["negative", "neutral", "positive"]


def _example(nlp, text, gold, pred):
    install_extensions()
    predicted = nlp.make_doc(text)
    predicted._.sentiment = None if pred is None else {"label": pred, "scores": {}, "polarity": 0.0}
    cats = {lab: float(lab == gold) for lab in LABELS} if gold else {"sports": 1.0}
    return Example.from_dict(predicted, {"cats": cats})


def test_scorer_values():
    nlp = spacy.blank("en")
    scorer = registry.scorers.get("plait.sentiment_scorer.v1")()
    examples = [
        _example(nlp, "a", "positive", "positive"),
        _example(nlp, "b", "positive", "negative"),
        _example(nlp, "c", "negative", "negative"),
        _example(nlp, "d", "neutral", None),        # no prediction: wrong
        _example(nlp, "e", None, "positive"),       # none of the labels: not scored
    ]
    scores = scorer(examples, labels=LABELS)
    assert scores["sentiment_acc"] == pytest.approx(2 / 4)
    per = scores["sentiment_f_per_type"]
    assert per["positive"] == pytest.approx({"p": 1.0, "r": 0.5, "f": 2 / 3})
    assert per["negative"] == pytest.approx({"p": 0.5, "r": 1.0, "f": 2 / 3})
    assert per["neutral"] == pytest.approx({"p": 0.0, "r": 0.0, "f": 0.0})
    assert scores["sentiment_macro_p"] == pytest.approx(0.5)
    assert scores["sentiment_macro_r"] == pytest.approx(0.5)
    assert scores["sentiment_macro_f"] == pytest.approx(4 / 9)
    # what plait evaluate reports beside: the scored docs and the confusion matrix (rows gold)
    assert scores["sentiment_n_docs"] == 4
    assert scores["sentiment_confusion"] == {"labels": LABELS, "rows": "gold", "columns": "predicted",
                                             "matrix": [[1, 0, 0], [0, 0, 0], [1, 0, 1]]}


def test_polarity_accuracy_counts_the_sign_on_polar_gold():
    """Review data is positive/negative: a three-class model's polarity sign is what counts there,
    so a neutral label with the right lean is right, and neutral gold is not counted."""
    nlp = spacy.blank("en")
    scorer = registry.scorers.get("plait.sentiment_scorer.v1")()

    def example(text, gold, label, polarity):
        eg = _example(nlp, text, gold, label)
        eg.predicted._.sentiment = {"label": label, "scores": {}, "polarity": polarity}
        return eg

    examples = [example("a", "positive", "positive", 0.8), example("b", "positive", "neutral", 0.1),
                example("c", "negative", "neutral", 0.2), example("d", "negative", "negative", -0.9),
                example("e", "neutral", "positive", 0.5)]
    scores = scorer(examples, labels=LABELS)
    assert scores["sentiment_polarity_acc"] == pytest.approx(3 / 4)
    assert scores["sentiment_acc"] == pytest.approx(2 / 5)
    # labels that do not read as positive/negative: no polarity accuracy, the rest as before
    odd = scorer([example("f", None, "positive", 0.5)], labels=["x", "y"])
    assert odd["sentiment_polarity_acc"] is None


def test_scorer_without_scored_examples_returns_none():
    nlp = spacy.blank("en")
    scorer = registry.scorers.get("plait.sentiment_scorer.v1")()
    scores = scorer([_example(nlp, "x", None, "positive")], labels=LABELS)
    assert scores["sentiment_acc"] is None and scores["sentiment_macro_f"] is None


def test_nlp_evaluate_reports_sentiment_scores():
    from sentiment_helpers import THREE, THREE_CLASS_DATA, build_nlp, make_examples, train

    nlp = build_nlp(transformer=False)
    examples = make_examples(nlp, THREE_CLASS_DATA, THREE)
    train(nlp, examples, steps=30)
    scores = nlp.evaluate(examples)
    assert scores["sentiment_acc"] == 1.0
    assert scores["sentiment_macro_f"] == 1.0
    assert set(scores["sentiment_f_per_type"]) == set(THREE)
