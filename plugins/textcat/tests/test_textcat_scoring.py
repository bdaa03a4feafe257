"""plait.textcat_scorer.v1: spaCy's cats_* metrics, per-label thresholds, own labels only."""
from __future__ import annotations

import pytest
import spacy
from spacy.scorer import Scorer
from spacy.training import Example
from spacy.util import registry

from plait_textcat.scoring import score_textcat


def _examples(rows):
    nlp = spacy.blank("en")
    examples = []
    for pred, gold in rows:
        eg = Example.from_dict(nlp.make_doc("some text"), {"cats": gold})
        eg.predicted.cats.update(pred)
        examples.append(eg)
    return examples


def test_scorer_is_registered_and_matches_spacy_when_thresholds_are_default():
    scorer = registry.scorers.get("plait.textcat_scorer.v1")()
    assert scorer is score_textcat
    rows = [({"A": 0.9, "B": 0.2}, {"A": 1.0, "B": 0.0}),
            ({"A": 0.6, "B": 0.7}, {"A": 0.0, "B": 1.0}),
            ({"A": 0.4, "B": 0.3}, {"A": 1.0, "B": 1.0}),
            ({"A": 0.1, "B": 0.8}, {"A": 0.0, "B": 0.0})]
    ours = scorer(_examples(rows), labels=["A", "B"], exclusive=False)
    spacys = Scorer.score_cats(_examples(rows), "cats", labels=["A", "B"], multi_label=True,
                               threshold=0.5)
    # spaCy's keys plus what plait evaluate reports
    assert set(ours) == set(spacys) | {"cats_n_docs", "cats_support", "cats_predicted"}
    assert ours["cats_n_docs"] == 4
    for key in spacys:
        assert ours[key] == (pytest.approx(spacys[key]) if isinstance(spacys[key], float)
                             else spacys[key]), key
    excl = [({"A": 0.9, "B": 0.1}, {"A": 1.0, "B": 0.0}),
            ({"A": 0.6, "B": 0.4}, {"A": 0.0, "B": 1.0}),
            ({"A": 0.3, "B": 0.7}, {"A": 0.0, "B": 1.0})]
    ours = scorer(_examples(excl), labels=["A", "B"], exclusive=True)
    spacys = Scorer.score_cats(_examples(excl), "cats", labels=["A", "B"], multi_label=False)
    for key in ("cats_micro_f", "cats_macro_f", "cats_macro_auc", "cats_f_per_type",
                "cats_auc_per_type", "cats_score", "cats_score_desc"):
        assert ours[key] == spacys[key], key
    assert ours["cats_score_desc"] == "macro F"
    # exclusive extras: accuracy of the decided label and its confusion matrix (rows gold)
    assert ours["cats_acc"] == pytest.approx(2 / 3) and ours["cats_n_docs"] == 3
    assert ours["cats_confusion"]["matrix"] == [[1, 0], [1, 1]]
    assert ours["cats_f_per_type"]["A"] == {"p": 0.5, "r": 1.0, "f": pytest.approx(2 / 3)}


def test_per_label_thresholds_decide_multilabel_scores():
    rows = [({"A": 0.3, "B": 0.9}, {"A": 1.0, "B": 1.0}),
            ({"A": 0.2, "B": 0.6}, {"A": 0.0, "B": 0.0}),
            ({"A": 0.1, "B": 0.4}, {"A": 0.0, "B": 1.0})]
    default = score_textcat(_examples(rows), labels=["A", "B"], exclusive=False)
    assert default["cats_f_per_type"]["A"]["f"] == 0.0  # 0.3 < 0.5
    assert default["cats_f_per_type"]["B"] == {"p": 0.5, "r": 0.5, "f": 0.5}
    tuned = score_textcat(_examples(rows), labels=["A", "B"], exclusive=False,
                          thresholds={"A": 0.25, "B": 0.35}, threshold=0.5)
    assert tuned["cats_f_per_type"]["A"] == {"p": 1.0, "r": 1.0, "f": 1.0}
    assert tuned["cats_f_per_type"]["B"]["r"] == 1.0 and tuned["cats_f_per_type"]["B"]["p"] < 1.0
    assert tuned["cats_micro_f"] > default["cats_micro_f"]
    # AUC ignores thresholds; cats_score is the macro AUC in multi-label mode, as in spaCy.
    assert tuned["cats_auc_per_type"] == default["cats_auc_per_type"]
    assert tuned["cats_score"] == tuned["cats_macro_auc"] and tuned["cats_score_desc"] == "macro AUC"


def test_only_own_labels_are_scored_and_unannotated_examples_are_skipped():
    rows = [({"A": 0.9, "B": 0.1, "X": 0.9}, {"A": 1.0, "B": 0.0, "X": 0.0}),
            ({"A": 0.2, "B": 0.8, "X": 0.1}, {"X": 1.0}),  # no A/B gold: skipped, no false positive
            ({"A": 0.2, "B": 0.8}, {"A": 0.0, "B": 1.0})]
    for exclusive in (True, False):
        scores = score_textcat(_examples(rows), labels=["A", "B"], exclusive=exclusive)
        assert set(scores["cats_f_per_type"]) == {"A", "B"}
        assert scores["cats_micro_f"] == 1.0 and scores["cats_macro_f"] == 1.0
        assert scores["cats_auc_per_type"] == {"A": 1.0, "B": 1.0}


def test_exclusive_binary_positive_label_and_abstention():
    rows = [({"Y": 0.8, "N": 0.2}, {"Y": 1.0, "N": 0.0}),
            ({"Y": 0.55, "N": 0.45}, {"Y": 0.0, "N": 1.0})]
    scores = score_textcat(_examples(rows), labels=["Y", "N"], exclusive=True, positive_label="Y")
    assert scores["cats_score_desc"] == "F (Y)"
    assert scores["cats_score"] == scores["cats_f_per_type"]["Y"]["f"] == pytest.approx(2 / 3)
    # With a threshold of 0.6 on Y, the second doc abstains: no false positive any more.
    scores = score_textcat(_examples(rows), labels=["Y", "N"], exclusive=True, positive_label="Y",
                           thresholds={"Y": 0.6})
    assert scores["cats_f_per_type"]["Y"]["f"] == 1.0
    assert scores["cats_f_per_type"]["N"]["r"] == 0.0


def test_component_score_uses_its_labels_and_thresholds():
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("plait_textcat", name="topics", config={"exclusive": False})
    textcat.add_label("A")
    textcat.add_label("B")
    nlp.initialize()
    rows = [({"A": 0.3, "B": 0.9, "Z": 1.0}, {"A": 1.0, "B": 1.0, "Z": 0.0}),
            ({"A": 0.2, "B": 0.6}, {"A": 0.0, "B": 0.0})]
    assert textcat.score(_examples(rows))["cats_f_per_type"]["A"]["f"] == 0.0
    textcat.set_thresholds({"A": 0.25, "B": 0.7})
    scores = textcat.score(_examples(rows))
    assert set(scores["cats_f_per_type"]) == {"A", "B"}
    assert scores["cats_micro_f"] == 1.0
