"""Per-label thresholds: tuned on dev, used by doc._.categories and the scorer, saved with the model."""
from __future__ import annotations

import pytest
import spacy
from spacy.training import Example

from plait_textcat.scoring import best_threshold
from textcat_testutil import MULTI_DATA, make_examples


def _scored_examples(nlp, rows):
    """Examples whose predicted docs already carry the given scores (as after running the pipeline)."""
    examples = []
    for text, pred, gold in rows:
        eg = Example.from_dict(nlp.make_doc(text), {"cats": gold})
        eg.predicted.cats.update(pred)
        examples.append(eg)
    return examples


def test_best_threshold_maximises_f1_between_dev_scores():
    # Positives 0.3, 0.4 and negatives 0.1, 0.2: cut midway between 0.2 and 0.3.
    assert best_threshold([0.1, 0.3, 0.2, 0.4], [False, True, False, True]) == (
        pytest.approx(0.25), 1.0)
    # Overlapping: 0.9+ 0.8- 0.7+ 0.6+ 0.1-: best F1 keeps 0.6 and above (tp 3, fp 1) -> 6/7.
    cutoff, f1 = best_threshold([0.9, 0.8, 0.7, 0.6, 0.1], [True, False, True, True, False])
    assert cutoff == pytest.approx(0.35) and f1 == pytest.approx(6 / 7)
    # Equal F1 at several cuts: the one closest to the current threshold wins.
    scores, golds = [0.9, 0.7, 0.5, 0.3], [True, False, False, True]  # F1 2/3 at 0.8 and at 0.15
    assert best_threshold(scores, golds, default=0.3)[0] == pytest.approx(0.15)
    assert best_threshold(scores, golds, default=0.7)[0] == pytest.approx(0.8)
    assert best_threshold([0.2, 0.7], [False, False]) == (None, None)  # no positive: undefined
    assert best_threshold([], []) == (None, None)


def test_tune_on_dev_sets_thresholds_used_by_categories_and_scores(tmp_path):
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("plait_textcat", config={"exclusive": False})
    train = make_examples(nlp, MULTI_DATA)
    nlp.initialize(lambda: train)
    assert textcat.thresholds == {"FILM": 0.5, "PRAISE": 0.5}
    dev = _scored_examples(nlp, [
        ("a", {"FILM": 0.30, "PRAISE": 0.95}, {"FILM": 1.0, "PRAISE": 1.0}),
        ("b", {"FILM": 0.40, "PRAISE": 0.85}, {"FILM": 1.0, "PRAISE": 0.0}),
        ("c", {"FILM": 0.10, "PRAISE": 0.70}, {"FILM": 0.0, "PRAISE": 0.0}),
        ("d", {"FILM": 0.20, "PRAISE": 0.99}, {"FILM": 0.0, "PRAISE": 1.0}),
        ("e", {"FILM": 0.90, "PRAISE": 0.10}, {"OTHER": 1.0}),  # not annotated for us: ignored
    ])
    before = textcat.score(dev)
    assert before["cats_f_per_type"]["FILM"]["f"] == 0.0  # nothing passes 0.5
    result = textcat.tune_on_dev(dev, nlp)
    assert result["thresholds"] == textcat.thresholds == textcat.cfg["thresholds"]
    assert textcat.thresholds["FILM"] == pytest.approx(0.25)
    assert textcat.thresholds["PRAISE"] == pytest.approx(0.90)
    assert result["dev_f"] == {"FILM": 1.0, "PRAISE": 1.0}
    after = textcat.score(dev)  # the scorer uses the tuned thresholds
    assert after["cats_micro_f"] == 1.0 and after["cats_macro_f"] == 1.0
    # doc._.categories follows the thresholds.
    docs = [eg.predicted for eg in dev[:4]]
    textcat.set_annotations(docs, [[d.cats["FILM"], d.cats["PRAISE"]] for d in docs])
    assert [d._.categories for d in docs] == [["FILM", "PRAISE"], ["FILM"], [], ["PRAISE"]]

    # Saved with the pipeline, restored on load.
    nlp.to_disk(tmp_path / "model")
    loaded = spacy.load(tmp_path / "model")
    assert loaded.get_pipe("plait_textcat").thresholds == textcat.thresholds
    assert loaded.get_pipe("plait_textcat").cfg["thresholds"] == textcat.cfg["thresholds"]
    # A component restored with from_bytes gets them too.
    fresh = spacy.blank("en").add_pipe("plait_textcat", config={"exclusive": False})
    fresh.from_bytes(textcat.to_bytes())
    assert fresh.thresholds == textcat.thresholds and fresh.labels == ("FILM", "PRAISE")


def test_tuning_a_trained_pipeline_changes_thresholds_and_survives_disk(trained_multilabel, tmp_path):
    trained_multilabel.to_disk(tmp_path / "before")
    nlp = spacy.load(tmp_path / "before")  # a copy: the session fixture stays untouched
    textcat = nlp.get_pipe("textcat")
    assert textcat.thresholds == {"FILM": 0.5, "PRAISE": 0.5}
    dev = make_examples(nlp, MULTI_DATA)
    for eg, doc in zip(dev, nlp.pipe([eg.predicted for eg in dev])):
        eg.predicted = doc
    result = textcat.tune_on_dev(dev, nlp)
    assert set(result["thresholds"]) == {"FILM", "PRAISE"}
    assert textcat.thresholds != {"FILM": 0.5, "PRAISE": 0.5}
    assert all(f == 1.0 for f in result["dev_f"].values())  # it overfits: a perfect cut exists
    for label, cutoff in textcat.thresholds.items():
        pos = [eg.predicted.cats[label] for eg in dev if eg.reference.cats[label] == 1.0]
        neg = [eg.predicted.cats[label] for eg in dev if eg.reference.cats[label] == 0.0]
        assert max(neg) < cutoff <= min(pos)
    nlp.to_disk(tmp_path / "after")
    reloaded = spacy.load(tmp_path / "after")
    assert reloaded.get_pipe("textcat").thresholds == textcat.thresholds
    assert reloaded.config["components"]["textcat"]["exclusive"] is False
    texts = [t for t, _ in MULTI_DATA]
    assert [d._.categories for d in reloaded.pipe(texts)] == [d._.categories for d in nlp.pipe(texts)]


def test_exclusive_and_disabled_tuning_leave_thresholds_alone(trained_exclusive):
    textcat = trained_exclusive.get_pipe("textcat")
    before = dict(textcat.cfg["thresholds"])
    dev = make_examples(trained_exclusive, [("i love this good movie", {"POS": 1.0})])
    assert textcat.tune_on_dev(dev, trained_exclusive) == {}
    assert textcat.cfg["thresholds"] == before
    nlp = spacy.blank("en")
    multi = nlp.add_pipe("plait_textcat", config={"exclusive": False, "tune_thresholds": False,
                                                  "threshold": 0.7})
    nlp.initialize(lambda: make_examples(nlp, MULTI_DATA))
    assert multi.thresholds == {"FILM": 0.7, "PRAISE": 0.7}
    assert multi.tune_on_dev(make_examples(nlp, MULTI_DATA), nlp) == {}
    assert multi.thresholds == {"FILM": 0.7, "PRAISE": 0.7}


def test_exclusive_threshold_lets_the_argmax_abstain():
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("plait_textcat", config={"exclusive": True})
    nlp.initialize(lambda: make_examples(nlp, [("a", {"X": 1.0, "Y": 0.0}),
                                               ("b", {"X": 0.0, "Y": 1.0})]))
    docs = [nlp.make_doc("one"), nlp.make_doc("two")]
    textcat.set_annotations(docs, [[0.55, 0.45], [0.2, 0.8]])
    assert [d._.categories for d in docs] == [["X"], ["Y"]]  # default: plain argmax
    textcat.set_thresholds({"X": 0.6})
    textcat.set_annotations(docs, [[0.55, 0.45], [0.2, 0.8]])
    assert [d._.categories for d in docs] == [[], ["Y"]]
    with pytest.raises(ValueError, match="unknown labels"):
        textcat.set_thresholds({"Z": 0.1})
