"""Class-balanced loss weights (``class_weights``): computed from the training data at initialize,
saved with the component, and scaling the loss and its gradient as the weighted losses say."""
from __future__ import annotations

import numpy
import pytest
import spacy

from plait.errors import ComponentConfigError
from textcat_testutil import make_examples, make_nlp

# Imbalanced: 4 SPORTS, 2 TECH, 1 NEWS.
DATA = ([("the team won the match", {"SPORTS": 1.0, "TECH": 0.0, "NEWS": 0.0})] * 4
        + [("the new phone is fast", {"SPORTS": 0.0, "TECH": 1.0, "NEWS": 0.0})] * 2
        + [("the city report from london", {"SPORTS": 0.0, "TECH": 0.0, "NEWS": 1.0})])
MULTI = ([("the team won the match", {"A": 1.0, "B": 0.0})] * 3
         + [("the new phone is fast", {"A": 0.0, "B": 1.0})])


def _loss(tc, examples, logits):
    loss, d = tc.get_loss(examples, tc.model.ops.asarray2f(logits))
    return loss, numpy.asarray(d)


def _numeric_grad(tc, examples, logits, eps=1e-3):
    grad = numpy.zeros_like(logits)
    for idx in numpy.ndindex(*logits.shape):
        up, down = logits.copy(), logits.copy()
        up[idx] += eps
        down[idx] -= eps
        grad[idx] = (_loss(tc, examples, up)[0] - _loss(tc, examples, down)[0]) / (2 * eps)
    return grad


@pytest.mark.parametrize("exclusive,data", [(True, DATA), (False, MULTI)])
def test_balanced_weights_from_training_data_saved_and_in_the_gradient(tmp_path, exclusive, data):
    nlp = make_nlp(exclusive=exclusive, class_weights="balanced")
    examples = make_examples(nlp, data)
    nlp.initialize(lambda: examples)
    tc = nlp.get_pipe("textcat")
    if exclusive:  # n / (k * n_label): 7 / (3 * 4), 7 / (3 * 2), 7 / (3 * 1)
        assert tc.cfg["class_weights"] == {"SPORTS": round(7 / 12, 6), "TECH": round(7 / 6, 6),
                                           "NEWS": round(7 / 3, 6)}
    else:  # a label's positives weigh n_negative / n_positive
        assert tc.cfg["class_weights"] == {"A": round(1 / 3, 6), "B": 3.0}
    rng = numpy.random.default_rng(0)
    logits = rng.normal(size=(len(examples), len(tc.labels))).astype("f")
    loss, d = _loss(tc, examples, logits)
    # The gradient is the weighted loss's own gradient (finite differences) ...
    numpy.testing.assert_allclose(d, _numeric_grad(tc, examples, logits), atol=2e-3)
    # ... and differs from the unweighted one exactly by the weights.
    stored = tc.cfg["class_weights"]
    tc.cfg["class_weights"] = None
    plain_loss, plain = _loss(tc, examples, logits)
    tc.cfg["class_weights"] = stored
    w = numpy.asarray([stored[label] for label in tc.labels])
    truths = numpy.asarray([[eg.reference.cats[label] for label in tc.labels] for eg in examples])
    if exclusive:
        numpy.testing.assert_allclose(d, plain * (truths @ w)[:, None], rtol=1e-5, atol=1e-7)
    else:
        numpy.testing.assert_allclose(d, plain * (1 + (w - 1) * truths), rtol=1e-5, atol=1e-7)
    assert loss != pytest.approx(plain_loss)
    # Saved with the pipeline: a reloaded component weighs its loss the same way.
    nlp.to_disk(tmp_path / "p")
    again = spacy.load(tmp_path / "p").get_pipe("textcat")
    assert again.cfg["class_weights"] == stored
    numpy.testing.assert_allclose(_loss(again, examples, logits)[1], d, rtol=1e-6)


def test_weights_by_hand_default_none_and_bad_options():
    nlp = make_nlp(class_weights={"NEWS": 3.0})
    examples = make_examples(nlp, DATA)
    nlp.initialize(lambda: examples)
    assert nlp.get_pipe("textcat").cfg["class_weights"] == {"SPORTS": 1.0, "TECH": 1.0, "NEWS": 3.0}
    plain = make_nlp()
    plain.initialize(lambda: make_examples(plain, DATA))
    assert plain.get_pipe("textcat").cfg["class_weights"] is None
    with pytest.raises(ComponentConfigError, match="E153"):
        make_nlp(class_weights="inverse")
    bad = make_nlp(class_weights={"CRIME": 2.0})
    with pytest.raises(ComponentConfigError, match=r"E154.*CRIME"):
        bad.initialize(lambda: make_examples(bad, DATA))
    neg = make_nlp(class_weights={"NEWS": -1})
    with pytest.raises(ComponentConfigError, match="E155"):
        neg.initialize(lambda: make_examples(neg, DATA))
