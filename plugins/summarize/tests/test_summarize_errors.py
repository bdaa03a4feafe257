"""Clear errors for invalid settings and invalid gold data."""
from __future__ import annotations

import pytest
import spacy
from spacy.training import Example

from plait_summarize.errors import SummarizerConfigError, SummarizerDataError


@pytest.mark.parametrize("key,value", [
    ("ratio", 0.0), ("ratio", 1.5), ("ratio", -0.2),
    ("max_sentences", 0), ("max_words", -1), ("threshold", 1.5), ("fallback", "magic"),
])
def test_invalid_limits_are_refused(key, value):
    nlp = spacy.blank("en")
    with pytest.raises(SummarizerConfigError) as err:
        nlp.add_pipe("plait_summarizer", name="summ", config={key: value})
    assert f"'{key}'" in str(err.value) and "summ" in str(err.value)


def test_valid_edge_limits_are_accepted():
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_summarizer", config={"ratio": 1.0, "max_sentences": None, "max_words": None,
                                             "threshold": None})


def _examples(nlp, summary):
    ref = nlp.make_doc("Storms closed the schools. The roads were flooded for days.")
    ref.user_data["plait.summary"] = summary
    return [Example(nlp.make_doc(ref.text), ref)]


def test_reference_summary_must_be_a_string():
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_summarizer")
    examples = _examples(nlp, ["not", "a", "string"])
    with pytest.raises(SummarizerDataError) as err:
        nlp.initialize(lambda: examples)
    message = str(err.value)
    assert "example 0" in message and "list" in message and "Storms closed the schools" in message
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_summarizer")
    nlp.initialize(lambda: _examples(nlp, "Schools closed."))
    with pytest.raises(SummarizerDataError, match="must be a string, got int"):
        nlp.update(_examples(nlp, 42))


def test_examples_without_summary_give_no_loss():
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_summarizer")
    nlp.initialize(lambda: _examples(nlp, "Schools closed."))
    ref = nlp.make_doc("No summary here. None at all.")
    losses = nlp.update([Example(nlp.make_doc(ref.text), ref)])
    assert losses["plait_summarizer"] == 0.0
    assert not nlp.get_pipe("plait_summarizer").is_trained
