"""The ``plait.ner_scorer.v1`` scorer: spaCy's P/R/F plus the ECE of entity confidences."""
from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry

from plait_ner.component import install_extensions
from plait_ner.scoring import entity_outcomes, expected_calibration_error, ner_score


def test_ece_known_values():
    assert expected_calibration_error([], []) is None
    # all in one bin: |accuracy - confidence|
    assert expected_calibration_error([0.9, 0.9], [True, False]) == pytest.approx(0.4)
    # two bins, perfectly calibrated in each
    assert expected_calibration_error([0.25, 0.25, 0.25, 0.25, 1.0], [True, False, False, False, True]
                                      ) == pytest.approx(0.0)
    # weighted by bin size: 3 items at 0.95 all wrong, 1 item at 0.05 right
    assert expected_calibration_error([0.95, 0.95, 0.95, 0.05], [False] * 3 + [True]
                                      ) == pytest.approx(0.75 * 0.95 + 0.25 * 0.95)
    with pytest.raises(ValueError, match="outside"):
        expected_calibration_error([1.2], [True])
    with pytest.raises(ValueError):
        expected_calibration_error([0.5], [])


def _example(nlp, words, gold, pred, missing=()):
    """gold/pred: (start, end, label[, confidence]); tokens in ``missing`` have no gold NER."""
    install_extensions()
    ref = Doc(nlp.vocab, words=words)
    ref.set_ents([Span(ref, s, e, label=l) for s, e, l in gold],
                 missing=[ref[i: i + 1] for i in missing], default="outside")
    x = Doc(nlp.vocab, words=words)
    spans = [Span(x, s, e, label=l) for s, e, l, _ in pred]
    x.set_ents(spans, default="outside")
    for span, (_, _, _, conf) in zip(spans, pred):
        span._.confidence = conf
    return Example(x, ref)


def test_ner_score_with_ece():
    nlp = spacy.blank("en")
    words = ["John", "met", "Mary", "in", "New", "York", "today"]
    eg = _example(nlp, words, gold=[(0, 1, "PER"), (2, 3, "PER"), (4, 6, "LOC")],
                  pred=[(0, 1, "PER", 0.9), (2, 3, "LOC", 0.8), (4, 5, "LOC", 0.3)])
    scores = ner_score([eg])
    assert scores["ents_p"] == pytest.approx(1 / 3)
    assert scores["ents_r"] == pytest.approx(1 / 3)
    assert set(scores["ents_per_type"]) == {"PER", "LOC"}
    # bins: 0.9 correct, 0.8 wrong, 0.3 wrong -> (0.1 + 0.8 + 0.3) / 3
    assert scores["ents_ece"] == pytest.approx((0.1 + 0.8 + 0.3) / 3)
    confs, correct = entity_outcomes([eg])
    assert confs == [0.9, 0.8, 0.3] and correct == [True, False, False]


def test_missing_gold_and_missing_confidence_are_left_out():
    nlp = spacy.blank("en")
    words = ["John", "met", "Mary", "today"]
    eg = _example(nlp, words, gold=[(0, 1, "PER")], missing=(2,),
                  pred=[(0, 1, "PER", 0.7), (2, 3, "PER", 0.2), (3, 4, "DATE", None)])
    confs, correct = entity_outcomes([eg])
    assert confs == [0.7] and correct == [True]
    # a doc with no NER annotation at all is skipped entirely
    eg2 = Example(eg.x, Doc(nlp.vocab, words=words))
    assert entity_outcomes([eg2]) == ([], [])
    assert ner_score([eg2])["ents_ece"] is None


def test_scorer_is_registered():
    scorer = registry.scorers.get("plait.ner_scorer.v1")()
    assert scorer is ner_score


def test_calibration_figures_match_the_ece_and_count_entities():
    from plait_ner.scoring import calibration, expected_calibration_error

    conf, ok = [0.95, 0.9, 0.15, 0.55], [True, False, False, True]
    cal = calibration(conf, ok)
    assert cal["ece"] == expected_calibration_error(conf, ok) and cal["n"] == 4
    assert cal["brier"] == pytest.approx(((0.05) ** 2 + 0.9 ** 2 + 0.15 ** 2 + 0.45 ** 2) / 4)
    assert cal["precision"] == 0.5 and cal["mean_confidence"] == pytest.approx(0.6375)
    top = cal["bins"][9]
    assert top["n"] == 2 and top["accuracy"] == 0.5 and top["mean_confidence"] == pytest.approx(0.925)
    assert calibration([], [])["ece"] is None
