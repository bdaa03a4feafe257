"""Bad configurations and bad gold data get clear errors that name the component and the doc."""
from __future__ import annotations

import pytest
import spacy

from textcat_testutil import make_examples


def _nlp(**config):
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_textcat", name="genre", config=config)
    return nlp


def test_exclusive_needs_two_labels():
    nlp = _nlp(exclusive=True)
    examples = make_examples(nlp, [("good movie", {"FILM": 1.0})])
    with pytest.raises(ValueError, match=r"'genre' has exclusive classes and needs at least 2 labels"):
        nlp.initialize(lambda: examples)
    with pytest.raises(ValueError, match="at least 2 labels"):
        nlp.get_pipe("genre").initialize(lambda: examples, labels=["FILM"])
    # One label is fine for multi-label.
    multi = _nlp(exclusive=False)
    multi.initialize(lambda: make_examples(multi, [("good movie", {"FILM": 1.0})]))
    assert multi.get_pipe("genre").labels == ("FILM",)


def test_no_labels_at_all():
    nlp = _nlp(exclusive=False)
    with pytest.raises(ValueError, match="'genre' has no labels"):
        nlp.initialize(lambda: make_examples(nlp, [("good movie", {})]))


def test_several_positive_labels_in_exclusive_mode_names_the_doc():
    nlp = _nlp(exclusive=True)
    examples = make_examples(nlp, [("fine", {"A": 1.0, "B": 0.0}),
                                   ("a doc with two gold labels", {"A": 1.0, "B": 1.0})])
    with pytest.raises(ValueError) as err:
        nlp.initialize(lambda: examples)
    msg = str(err.value)
    assert "'a doc with two gold labels'" in msg and "example 1" in msg
    assert "several positive labels" in msg and "exclusive = false" in msg
    # Also caught in update() when bad data only shows up later.
    nlp.initialize(lambda: examples[:1])
    with pytest.raises(ValueError, match="'a doc with two gold labels'"):
        nlp.update(examples)


def test_invalid_gold_values_name_the_doc():
    nlp = _nlp(exclusive=False)
    nlp.initialize(lambda: make_examples(nlp, [("ok", {"A": 1.0})]))
    with pytest.raises(ValueError, match=r"gold score of 'A' in example 0 \(doc 'too big'\) is 2.0"):
        nlp.update(make_examples(nlp, [("too big", {"A": 2.0})]))
    excl = _nlp(exclusive=True)
    excl.initialize(lambda: make_examples(excl, [("ok", {"A": 1.0, "B": 0.0})]))
    with pytest.raises(ValueError, match="must be 0.0 or 1.0.*'soft'"):
        excl.update(make_examples(excl, [("soft", {"A": 0.7, "B": 0.3})]))
    with pytest.raises(ValueError, match=r"'no positive'\) has none of its labels set to 1.0"):
        excl.update(make_examples(excl, [("no positive", {"A": 0.0})]))


def test_labels_cannot_be_added_after_initialize():
    nlp = _nlp(exclusive=True)
    textcat = nlp.get_pipe("genre")
    assert textcat.add_label("A") == 1 and textcat.add_label("A") == 0
    textcat.add_label("B")
    nlp.initialize()
    assert textcat.labels == ("A", "B")
    with pytest.raises(ValueError, match="already initialized with labels"):
        textcat.add_label("C")
    # Re-initializing with a new label set resizes the output layer.
    textcat.initialize(lambda: make_examples(nlp, [("x", {"A": 1.0})]), labels=["A", "B", "C"])
    assert nlp("some text").cats.keys() == {"A", "B", "C"}


def test_positive_label_must_be_one_of_two_exclusive_labels():
    nlp = _nlp(exclusive=True)
    examples = make_examples(nlp, [("x", {"A": 1.0, "B": 0.0})])
    with pytest.raises(ValueError, match="positive_label 'C'"):
        nlp.get_pipe("genre").initialize(lambda: examples, positive_label="C")
