"""Polarity-label detection and gold extraction (pure functions)."""
import pytest

from plait_sentiment.labels import gold_label, resolve_polarity_labels


@pytest.mark.parametrize("labels,expected", [
    (["negative", "neutral", "positive"], ("positive", "negative")),
    (["NEGATIVE", "POSITIVE"], ("POSITIVE", "NEGATIVE")),
    (["neg", "pos"], ("pos", "neg")),
    (["0", "1"], ("1", "0")),
    (["-1", "0", "1"], ("1", "-1")),
    (["Negative", "Neutral", "Positive"], ("Positive", "Negative")),
])
def test_detects_polarity_labels(labels, expected):
    assert resolve_polarity_labels(labels) == expected


def test_configured_polarity_labels_win():
    assert resolve_polarity_labels(["bad", "ok", "good"], "good", "bad") == ("good", "bad")


def test_undetectable_polarity_labels_is_a_clear_error():
    with pytest.raises(ValueError, match=r"cannot tell .*\['bad', 'good'\].*positive and negative.*"
                                         r"positive_label"):
        resolve_polarity_labels(["bad", "good"], component="stars")


def test_configured_label_must_be_a_label():
    with pytest.raises(ValueError, match="positive_label 'great' is not one of its labels"):
        resolve_polarity_labels(["negative", "positive"], positive_label="great")


def test_gold_label():
    labels = ["negative", "neutral", "positive"]
    assert gold_label({"positive": 1.0, "negative": 0.0}, labels) == "positive"
    assert gold_label({"sports": 1.0}, labels) is None  # not this component's data: skipped
    assert gold_label({}, labels) is None


def test_gold_with_several_labels_names_the_doc():
    with pytest.raises(ValueError, match=r"'Mixed feelings about this film' .*several labels are set "
                                         r"\(negative, positive\)"):
        gold_label({"positive": 1.0, "negative": 1.0}, ["negative", "positive"],
                   text="Mixed feelings about this film")


def test_gold_with_no_label_set_names_the_doc():
    with pytest.raises(ValueError, match=r"'Nothing set'.*none of its labels is set"):
        gold_label({"positive": 0.0, "negative": 0.0}, ["negative", "positive"], text="Nothing set")
