"""Balanced weighting of NER's rare labels (``label_weights``): from the gold entities at initialize,
saved with the component, scaling each token's loss and gradient by its gold label's weight."""
from __future__ import annotations

import numpy
import pytest
import spacy

from ner_testutil import LISTENER, TRANSFORMER, make_examples
from plait.errors import ComponentConfigError

# 6 PER, 2 LOC, 1 ORG entities.
DATA = [("John met Mary .", [(0, 4, "PER"), (9, 13, "PER")])] * 3 + [
    ("Paris is big .", [(0, 5, "LOC")])] * 2 + [("Acme hired Ann .", [(0, 4, "ORG")])]


def build(label_weights=None):
    nlp = spacy.blank("en")
    nlp.add_pipe("transformer", config=TRANSFORMER)
    # no surface features: over the untrained tiny encoder every token then gets the same scores, so
    # balanced weights keep the total loss (checked below)
    nlp.add_pipe("plait_ner", name="ner", config={"model": {"tok2vec": LISTENER,
                                                           "surface_features": False},
                                                 "label_weights": label_weights})
    return nlp


def test_balanced_label_weights_saved_and_in_the_gradient(tmp_path):
    nlp = build("balanced")
    examples = make_examples(nlp, DATA)
    nlp.initialize(lambda: examples)
    ner = nlp.get_pipe("ner")
    weights = ner.cfg["label_weights"]
    assert weights == {"LOC": 1.5, "ORG": 3.0, "PER": 0.5}  # 9 / (3 * n_label)
    scores = ner.model.predict([eg.predicted for eg in examples])
    loss, d = ner.get_loss(examples, scores)
    ner.cfg["label_weights"] = None
    plain_loss, plain = ner.get_loss(examples, scores)
    ner.cfg["label_weights"] = weights
    for eg, dw, dp in zip(examples, d, plain):
        want = numpy.asarray([1.0 if tag == "O" else weights[tag.split("-", 1)[1]]
                              for tag in eg.get_aligned_ner()], dtype="f")
        numpy.testing.assert_allclose(numpy.asarray(dw), numpy.asarray(dp) * want[:, None],
                                      rtol=1e-5, atol=1e-7)
    # (balanced weights keep the total over single-token entities: n / (k * n_L) sums to n)
    assert loss == pytest.approx(plain_loss, rel=1e-6)
    ner.cfg["label_weights"] = {"PER": 1.0, "LOC": 1.0, "ORG": 5.0}
    assert ner.get_loss(examples, scores)[0] > plain_loss + 1.0
    ner.cfg["label_weights"] = weights
    nlp.to_disk(tmp_path / "p")
    assert spacy.load(tmp_path / "p").get_pipe("ner").cfg["label_weights"] == weights


def test_default_unweighted_and_bad_option():
    nlp = build()
    nlp.initialize(lambda: make_examples(nlp, DATA))
    assert nlp.get_pipe("ner").cfg["label_weights"] is None
    with pytest.raises(ComponentConfigError, match="E153"):
        build("sqrt")
