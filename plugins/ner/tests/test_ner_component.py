"""The plait_ner component: training, prediction, confidences, calibration, serialization, errors."""
from __future__ import annotations

import math

import numpy
import pytest
import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example

from ner_testutil import TRAIN, build_trf_nlp, make_examples, train
from plait_ner.component import PlaitNER
from plait_ner.errors import PlaitNERError


def predicted(nlp, texts=None):
    texts = texts or [text for text, _ in TRAIN]
    return [[(e.text, e.label_, e._.confidence) for e in doc.ents] for doc in nlp.pipe(texts)]


def gold(texts_and_ents=TRAIN):
    return [[(text[s:e], label) for s, e, label in ents] for text, ents in texts_and_ents]


# -- the shared transformer (tiny random encoder) ------------------------------------------------------
def test_overfits_with_transformer_listener(trained_trf):
    nlp, examples, losses = trained_trf
    assert losses["ner"] < 1.0
    preds = predicted(nlp)
    assert [[(text, label) for text, label, _ in doc] for doc in preds] == gold()
    for doc in preds:
        for _, _, conf in doc:
            assert isinstance(conf, float) and 0.0 <= conf <= 1.0
    assert min(conf for doc in preds for _, _, conf in doc) > 0.5
    scores = nlp.evaluate(examples)
    assert scores["ents_f"] == 1.0
    assert 0.0 <= scores["ents_ece"] <= 0.5


def test_disk_round_trip_keeps_predictions(trained_trf, tmp_path):
    nlp, _, _ = trained_trf
    ner = nlp.get_pipe("ner")
    ner.cfg["temperature"] = 1.7  # as if tuned on dev
    try:
        before = predicted(nlp)
        nlp.to_disk(tmp_path / "pipeline")
        loaded = spacy.load(tmp_path / "pipeline")
        assert loaded.get_pipe("ner").labels == ner.labels == ("LOC", "PER")
        assert loaded.get_pipe("ner").temperature == pytest.approx(1.7)
        after = predicted(loaded)
    finally:
        ner.cfg["temperature"] = 1.0
    assert [[(t, l) for t, l, _ in d] for d in after] == [[(t, l) for t, l, _ in d] for d in before]
    for d_before, d_after in zip(before, after):
        for (_, _, c1), (_, _, c2) in zip(d_before, d_after):
            assert c2 == pytest.approx(c1, abs=1e-5)


def test_component_to_disk_from_disk(trained_trf, tmp_path):
    nlp, _, _ = trained_trf
    ner = nlp.get_pipe("ner")
    ner.to_disk(tmp_path / "ner")
    fresh = build_trf_nlp()
    fresh.get_pipe("ner").from_disk(tmp_path / "ner")
    assert fresh.get_pipe("ner").labels == ner.labels
    assert fresh.get_pipe("ner").cfg == ner.cfg


def test_empty_docs_and_empty_batches(trained_trf):
    nlp, _, _ = trained_trf
    assert list(nlp("").ents) == []
    docs = list(nlp.pipe(["", "John lives in London .", ""]))
    assert [len(d.ents) for d in docs] == [0, 2, 0]
    ner = nlp.get_pipe("ner")
    empty = Doc(nlp.vocab, words=[])
    assert ner.predict([empty])[0].shape == (0, 9)
    losses = ner.update([Example(Doc(nlp.vocab, words=[]), Doc(nlp.vocab, words=[]))])
    assert losses == {"ner": 0.0}


def test_tune_on_dev_fits_a_temperature(trained_trf):
    nlp, examples, _ = trained_trf
    ner = nlp.get_pipe("ner")
    ner.cfg["tune_min_entities"] = 1
    # a dev set where the model is partly wrong: relabel some gold entities
    wrong = [(text, [(s, e, "LOC" if lab == "PER" else "PER") if i % 2 else (s, e, lab)
                     for i, (s, e, lab) in enumerate(ents)]) for text, ents in TRAIN]
    dev = [Example(nlp(eg.x.text), eg.y) for eg in make_examples(nlp, wrong)]
    try:
        result = ner.tune_on_dev(dev, nlp)
        assert result["tuned"] and result["entities"] == 7
        assert ner.temperature == result["temperature"] > 1.0  # over-confident -> softened
        assert result["ece_after"] <= result["ece_before"] + 1e-9
        assert ner.to_bytes()  # the tuned cfg serializes
        # confidences on new docs now use the temperature
        confs = [e._.confidence for e in nlp("John lives in London .").ents]
        assert all(0.0 <= c < 0.999 for c in confs)
        # too few entities: the temperature is kept
        ner.cfg["tune_min_entities"] = 100
        kept = ner.tune_on_dev(dev, nlp)
        assert not kept["tuned"] and ner.temperature == result["temperature"]
    finally:
        ner.cfg["temperature"] = 1.0
        ner.cfg["tune_min_entities"] = 10


# -- standalone (default HashEmbedCNN tok2vec, no transformer) ------------------------------------------
def test_standalone_default_model_trains():
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_ner", name="ner")
    examples = make_examples(nlp)
    losses = train(nlp, examples, steps=15)
    assert losses["ner"] < 1.0
    assert [[(t, l) for t, l, _ in d] for d in predicted(nlp)] == gold()


def test_surface_features_variant_trains_and_round_trips(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_ner", name="ner", config={"model": {
        "surface_features": True, "surface_width": 16, "hidden_width": 32,
        "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None,
                    "width": 32, "depth": 1, "embed_size": 500, "window_size": 1,
                    "maxout_pieces": 2, "subword_features": False}}})
    ner = nlp.get_pipe("ner")
    assert ner.model.attrs["surface_features"] and ner.model.has_ref("surface")
    examples = make_examples(nlp)
    train(nlp, examples, steps=25)
    before = predicted(nlp)
    assert [[(t, l) for t, l, _ in d] for d in before] == gold()
    nlp.to_disk(tmp_path / "p")
    after = predicted(spacy.load(tmp_path / "p"))
    assert [[(t, l) for t, l, _ in d] for d in after] == gold()
    assert [c for d in after for _, _, c in d] == pytest.approx([c for d in before for _, _, c in d])


def _context_nlp(context_window):
    # a tok2vec that sees each token alone (hash embeddings, no CNN): any context comes from the head
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_ner", name="ner", config={"model": {
        "context_window": context_window, "hidden_width": 16,
        "tok2vec": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 16,
                    "attrs": ["NORM"], "rows": [500], "include_static_vectors": False}}})
    nlp.initialize(lambda: make_examples(nlp))
    return nlp


@pytest.mark.parametrize("context_window", [0, 1])
def test_context_window_scores_a_token_from_its_neighbours_within_its_document(context_window):
    nlp = _context_nlp(context_window)
    model = nlp.get_pipe("ner").model
    assert model.attrs["context_window"] == context_window
    a, b, lone = (nlp.make_doc(t) for t in ("Anna lives in Rome", "Anna lives at home", "Rome"))
    scores = model.predict([a, b, lone])
    # "Anna" (and "lives") are followed by the same token in both docs; "in" vs "at" differs
    assert numpy.allclose(scores[0][0], scores[1][0])
    assert numpy.allclose(scores[0][1], scores[1][1]) == (context_window == 0)
    # never across documents: "Rome" alone scores as the last token of the doc before it does not
    # change it, and a doc scored in a batch scores as it does alone
    assert numpy.allclose(model.predict([lone])[0], scores[2])
    assert numpy.allclose(model.predict([a])[0], scores[0])


def test_context_window_trains_round_trips_and_rejects_a_negative_width(tmp_path):
    nlp = _context_nlp(1)
    examples = make_examples(nlp)
    train(nlp, examples, steps=30)
    assert [[(t, l) for t, l, _ in d] for d in predicted(nlp)] == gold()
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert loaded.get_pipe("ner").model.attrs["context_window"] == 1
    before, after = predicted(nlp), predicted(loaded)
    assert [[(t, l) for t, l, _ in d] for d in after] == gold()
    assert [c for d in after for _, _, c in d] == pytest.approx([c for d in before for _, _, c in d])
    with pytest.raises(PlaitNERError, match=r"NER028.*context_window is -1"):
        spacy.blank("en").add_pipe("plait_ner", config={"model": {"context_window": -1}})


def test_partial_annotation_gives_no_loss_on_missing_tokens():
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("plait_ner", name="ner")
    examples = make_examples(nlp)
    nlp.initialize(lambda: examples)
    words = ["John", "lives", "in", "London", "."]
    ref = Doc(nlp.vocab, words=words)
    # John is PER, "lives in" explicitly O, London and "." missing
    ref.set_ents([Span(ref, 0, 1, label="PER")], outside=[ref[1:3]], missing=[ref[3:5]],
                 default="unmodified")
    eg = Example(Doc(nlp.vocab, words=words), ref)
    scores = ner.model.predict([eg.predicted])
    loss, d_scores = ner.get_loss([eg], scores)
    grad = ner.model.ops.to_numpy(d_scores[0])
    assert numpy.abs(grad[:3]).sum() > 0
    assert numpy.abs(grad[3:]).sum() == 0
    assert math.isfinite(loss) and loss > 0
    # a doc with no NER annotation at all gives no loss and no gradient
    eg2 = Example(Doc(nlp.vocab, words=words), Doc(nlp.vocab, words=words))
    loss2, d2 = ner.get_loss([eg2], ner.model.predict([eg2.predicted]))
    assert loss2 == 0.0 and numpy.abs(ner.model.ops.to_numpy(d2[0])).sum() == 0


# -- errors ---------------------------------------------------------------------------------------------
def test_no_labels_in_training_data_is_a_clear_error():
    nlp = spacy.blank("en")
    nlp.add_pipe("plait_ner", name="ents")
    examples = [Example.from_dict(nlp.make_doc("No entities here ."), {"entities": []})]
    with pytest.raises(PlaitNERError, match=r"NER001.*'ents'.*no entity labels"):
        nlp.initialize(lambda: examples)


def test_explicit_labels_and_unknown_gold_labels(recwarn):
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("plait_ner", name="ner")
    examples = make_examples(nlp)
    # labels from the config, as `[initialize.components.ner] labels = [...]` gives them
    nlp.config["initialize"]["components"]["ner"] = {"labels": ["PER"]}
    nlp.initialize(lambda: examples)
    assert ner.labels == ("PER",)
    assert ner.label_data == ("PER",)
    with pytest.warns(UserWarning, match=r"NER102.*LOC"):
        ner.get_loss(examples[:1], ner.model.predict([examples[0].predicted]))


def test_invalid_label_and_uninitialized_use():
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("plait_ner", name="ner")
    with pytest.raises(PlaitNERError, match="NER002"):
        ner.add_label("NEW YORK")
    with pytest.raises(PlaitNERError, match="NER002"):
        ner.add_label("")
    with pytest.raises(PlaitNERError, match=r"NER007.*has no labels"):
        nlp("John lives in London .")
    with pytest.raises(TypeError, match="E930"):  # spaCy's own check: no examples
        ner.initialize(lambda: [], nlp=nlp)


def test_misaligned_gold_entities():
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("plait_ner", name="ner")
    # the reference tokenization puts "NewYork" in one token; the entity covers part of it
    ref = Doc(nlp.vocab, words=["I", "love", "NewYork"], spaces=[True, True, False])
    ref.set_ents([Span(ref, 2, 3, label="LOC")], default="outside")
    pred = Doc(nlp.vocab, words=["I", "love", "New", "York"], spaces=[True, True, False, False])
    good = make_examples(nlp)
    # predicted splits NewYork -> the entity still aligns (many-to-one); fine
    ner.initialize(lambda: good + [Example(pred, ref)], nlp=nlp)
    # gold entity inside a predicted token cannot be aligned: all misaligned -> error
    ref2 = Doc(nlp.vocab, words=["I", "love", "New", "York"], spaces=[True, True, False, False])
    ref2.set_ents([Span(ref2, 2, 3, label="LOC")], default="outside")
    pred2 = Doc(nlp.vocab, words=["I", "love", "NewYork"], spaces=[True, True, False])
    ner2 = spacy.blank("en").add_pipe("plait_ner", name="ner2")
    with pytest.raises(PlaitNERError, match=r"NER004.*'New' \(LOC\)"):
        ner2.initialize(lambda: [Example(pred2, ref2)])
    # some misaligned: a warning naming the entity, training still works
    ner3 = spacy.blank("en").add_pipe("plait_ner", name="ner3")
    with pytest.warns(UserWarning, match=r"NER101.*1 of 8"):
        ner3.initialize(lambda: make_examples(nlp) + [Example(pred2, ref2)])


def test_overlapping_gold_entities_are_rejected_by_the_gold_format():
    nlp = spacy.blank("en")
    doc = nlp.make_doc("New York City")
    with pytest.raises(ValueError, match="E103"):
        Example.from_dict(doc, {"entities": [(0, 8, "LOC"), (4, 13, "LOC")]})


def test_bad_temperature_in_cfg_is_reported(tmp_path):
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("plait_ner", name="ner")
    nlp.initialize(lambda: make_examples(nlp))
    ner.cfg["temperature"] = -1.0
    with pytest.raises(PlaitNERError, match="NER006"):
        ner.to_disk(tmp_path / "ner")


def test_factory_installs_extension_and_is_a_trainable_pipe():
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("plait_ner")
    assert isinstance(ner, PlaitNER)
    assert Span.has_extension("confidence")
    assert nlp.get_pipe_meta("plait_ner").default_score_weights["ents_f"] == 1.0
