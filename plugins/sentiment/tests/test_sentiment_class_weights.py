"""Class-balanced loss weights for sentiment: from the training data, saved, in the gradient."""
from __future__ import annotations

import numpy
import pytest
import spacy

from plait.errors import ComponentConfigError
from sentiment_helpers import THREE, build_nlp, make_examples

# Imbalanced like the tweets: 4 negative, 2 neutral, 1 positive.
DATA = ([("This was bad. I hate it.", "negative")] * 4 + [("The film is in London.", "neutral")] * 2
        + [("I love this great movie.", "positive")])


def test_balanced_weights_from_training_data_saved_and_in_the_gradient(tmp_path):
    nlp = build_nlp(config={"class_weights": "balanced"})
    examples = make_examples(nlp, DATA, THREE)
    nlp.initialize(lambda: examples)
    sent = nlp.get_pipe("sentiment")
    weights = sent.cfg["class_weights"]
    assert weights == {"negative": round(7 / 12, 6), "neutral": round(7 / 6, 6),
                       "positive": round(7 / 3, 6)}
    docs = list(nlp.pipe([eg.predicted.text for eg in examples]))
    for eg, doc in zip(examples, docs):
        eg.predicted = doc
    scores = sent.model.predict([eg.predicted for eg in examples])
    loss, d = sent.get_loss(examples, scores)
    sent.cfg["class_weights"] = None
    plain_loss, plain = sent.get_loss(examples, scores)
    sent.cfg["class_weights"] = weights
    for (_, gold), dw, dp in zip(DATA, d, plain):
        numpy.testing.assert_allclose(numpy.asarray(dw), numpy.asarray(dp) * weights[gold],
                                      rtol=1e-6, atol=1e-8)
    # A rare class's example moves the head more than a frequent one's.
    assert numpy.abs(numpy.asarray(d[-1])).sum() > numpy.abs(numpy.asarray(plain[-1])).sum()
    assert numpy.abs(numpy.asarray(d[0])).sum() < numpy.abs(numpy.asarray(plain[0])).sum()
    index = {label: i for i, label in enumerate(sent.labels)}
    nll = [-numpy.log(float(numpy.asarray(row)[0][index[gold]])) for (_, gold), row in zip(DATA, scores)]
    assert plain_loss == pytest.approx(sum(nll), rel=1e-5)
    assert loss == pytest.approx(sum(weights[g] * x for (_, g), x in zip(DATA, nll)), rel=1e-5)
    nlp.to_disk(tmp_path / "p")
    assert spacy.load(tmp_path / "p").get_pipe("sentiment").cfg["class_weights"] == weights


def test_default_is_unweighted_and_bad_options_fail_with_codes():
    nlp = build_nlp()
    nlp.initialize(lambda: make_examples(nlp, DATA, THREE))
    assert nlp.get_pipe("sentiment").cfg["class_weights"] is None
    with pytest.raises(ComponentConfigError, match="E153"):
        build_nlp(config={"class_weights": "inverse"})
    bad = build_nlp(config={"class_weights": {"joy": 2.0}})
    with pytest.raises(ComponentConfigError, match=r"E154.*joy"):
        bad.initialize(lambda: make_examples(bad, DATA, THREE))
