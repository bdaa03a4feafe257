"""plait_textcat learns on top of the shared (tiny) transformer: exclusive and multi-label."""
from __future__ import annotations

import spacy
from spacy.training import Example

from textcat_testutil import (EXCLUSIVE_DATA, MULTI_DATA, make_examples, make_nlp, overfit,
                      predicted_labels)


def test_exclusive_overfits_and_writes_cats_and_categories(trained_exclusive):
    nlp = trained_exclusive
    textcat = nlp.get_pipe("textcat")
    assert textcat.labels == ("POS", "NEG", "NEWS")
    for text, cats in EXCLUSIVE_DATA:
        doc = nlp(text)
        assert set(doc.cats) == {"POS", "NEG", "NEWS"}
        assert abs(sum(doc.cats.values()) - 1.0) < 1e-4  # softmax
        gold = max(cats, key=cats.get)
        assert max(doc.cats, key=doc.cats.get) == gold, (text, doc.cats)
        assert doc._.categories == [gold]
    scores = nlp.evaluate(make_examples(nlp, EXCLUSIVE_DATA))
    assert scores["cats_score"] == 1.0 and scores["cats_score_desc"] == "macro F"
    assert scores["cats_macro_f"] == 1.0


def test_multilabel_overfits(trained_multilabel):
    nlp = trained_multilabel
    texts = [t for t, _ in MULTI_DATA]
    expected = [[k for k, v in cats.items() if v == 1.0] for _, cats in MULTI_DATA]
    assert predicted_labels(nlp, texts) == expected
    docs = list(nlp.pipe(texts))
    for doc, (_, cats) in zip(docs, MULTI_DATA):
        for label, gold in cats.items():
            assert (doc.cats[label] >= 0.5) == (gold == 1.0), (doc.text, doc.cats)
    scores = nlp.evaluate(make_examples(nlp, MULTI_DATA))
    assert scores["cats_micro_f"] == 1.0
    assert scores["cats_score_desc"] == "macro AUC" and scores["cats_score"] == 1.0


def test_standalone_default_model_trains_without_a_transformer():
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("plait_textcat")
    assert nlp.pipe_names == ["plait_textcat"] and textcat.exclusive
    examples = make_examples(nlp, EXCLUSIVE_DATA)
    expected = [[max(c, key=c.get)] for _, c in EXCLUSIVE_DATA]
    overfit(nlp, examples, max_steps=40, learn_rate=0.01, expected=expected)
    assert predicted_labels(nlp, [t for t, _ in EXCLUSIVE_DATA]) == expected


def test_examples_without_its_labels_give_no_loss_and_other_cats_survive():
    """Two classifiers train from one merged corpus; neither erases the other's cats."""
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_textcat", name="sentiment")
    nlp.add_pipe("plait_textcat", name="topics", config={"exclusive": False})
    data = [("i love this good movie", {"POS": 1.0, "NEG": 0.0}),
            ("hate this bad film", {"POS": 0.0, "NEG": 1.0}),
            ("the company report from london", {"BUSINESS": 1.0, "CITY": 1.0}),
            ("good news for the city", {"BUSINESS": 0.0, "CITY": 1.0})]
    examples = make_examples(nlp, data)

    def get_examples():
        return examples

    nlp.get_pipe("sentiment").initialize(get_examples, nlp=nlp, labels=["POS", "NEG"])
    nlp.get_pipe("topics").initialize(get_examples, nlp=nlp, labels=["BUSINESS", "CITY"])
    topics = nlp.get_pipe("topics")
    # Sentiment-only examples give the topic classifier zero loss and zero gradient.
    docs = [eg.predicted for eg in examples[:2]]
    loss, d_scores = topics.get_loss(examples[:2], topics.model.predict(docs))
    assert loss == 0.0 and float(abs(d_scores).sum()) == 0.0
    assert topics.update(examples[:2])["topics"] == 0.0
    assert topics.update(examples[2:])["topics"] > 0.0

    optimizer = nlp.resume_training()
    optimizer.learn_rate = 0.01
    for _ in range(30):
        nlp.update(examples, sgd=optimizer)
    doc = nlp.make_doc("i love this good movie")
    doc.cats["SPAM"] = 0.25  # set by someone else
    doc = nlp(doc)
    assert set(doc.cats) == {"SPAM", "POS", "NEG", "BUSINESS", "CITY"}
    assert doc.cats["SPAM"] == 0.25
    assert doc._.categories[0] == "POS"  # sentiment's label kept when topics ran after it
    doc = nlp("the company report from london")
    assert set(doc._.categories) >= {"BUSINESS", "CITY"}
    # Re-running one component replaces only its own categories.
    doc._.categories = ["OTHER", "NEG"]
    nlp.get_pipe("sentiment")(doc)
    assert doc._.categories[0] == "OTHER" and len(doc._.categories) == 2


def test_empty_docs_do_not_crash(trained_exclusive):
    nlp = trained_exclusive
    docs = list(nlp.pipe(["", "i love this good movie", ""]))
    assert docs[0].cats == {"POS": 0.0, "NEG": 0.0, "NEWS": 0.0}
    assert docs[0]._.categories == [] and docs[2]._.categories == []
    assert docs[1]._.categories == ["POS"]


def test_empty_docs_in_training_batches():
    nlp = make_nlp(exclusive=False)
    data = [("", {"FILM": 1.0}), ("i love this good movie", {"FILM": 1.0}),
            ("news of paris", {"FILM": 0.0})]
    examples = make_examples(nlp, data)
    optimizer = nlp.initialize(lambda: examples)
    losses = nlp.update(examples, sgd=optimizer)
    assert losses["textcat"] > 0.0
    # A batch of empty docs only: nothing to encode, no loss, no crash.
    losses = nlp.update([Example.from_dict(nlp.make_doc(""), {"cats": {"FILM": 1.0}})],
                        sgd=optimizer)
    assert losses["textcat"] == 0.0


def test_hidden_layer_and_dropout_options(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_textcat", config={"exclusive": False, "model": {"hidden_width": 16,
                                                                        "dropout": 0.1}})
    examples = make_examples(nlp, MULTI_DATA)
    expected = [[k for k, v in c.items() if v == 1.0] for _, c in MULTI_DATA]
    overfit(nlp, examples, max_steps=60, learn_rate=0.01, expected=expected)
    texts = [t for t, _ in MULTI_DATA]
    assert predicted_labels(nlp, texts) == expected
    nlp.to_disk(tmp_path / "m")
    loaded = spacy.load(tmp_path / "m")
    assert loaded.config["components"]["plait_textcat"]["model"]["hidden_width"] == 16
    assert predicted_labels(loaded, texts) == expected
