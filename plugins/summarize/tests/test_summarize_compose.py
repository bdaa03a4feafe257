"""The summarizer inside a config composed from a pipeline spec, trained with `spacy train`."""
from __future__ import annotations

import json

import pytest
import spacy
from spacy.tokens import DocBin

from summarize_helpers import DOCS

compose_mod = pytest.importorskip("plait.training.compose")


def _spec(tmp_path, **training):
    from plait.training.spec import PipelineSpec

    return PipelineSpec.model_validate({
        "name": "summarize-test",
        "lang": "en",
        "encoder": "tiny-random",
        "transformer": {"window": 64, "stride": 48},
        "components": [{"component": "summarize", "options": {"max_sentences": 3, "ratio": 1.0}}],
        "training": {"train": str(tmp_path / "train.spacy"), "dev": str(tmp_path / "dev.spacy"),
                     **training},
    })


def test_composed_config_places_the_listener_and_sentencizer(tmp_path):
    config = compose_mod.compose(_spec(tmp_path))
    assert config["nlp"]["pipeline"] == ["sentencizer", "transformer", "summarize"]
    comp = config["components"]["summarize"]
    assert comp["factory"] == "plait_summarizer"
    assert comp["model"]["@architectures"] == "plait.summarizer.v1"
    assert comp["model"]["tok2vec"]["@architectures"] == "spacy-transformers.TransformerListener.v1"
    assert comp["model"]["tok2vec"]["upstream"] == "transformer"
    assert comp["max_sentences"] == 3 and comp["ratio"] == 1.0
    assert config["training"]["annotating_components"] == ["sentencizer"]
    assert "summary_rouge2" in config["training"]["score_weights"]


def test_trains_with_spacy_train_from_a_composed_config(tmp_path):
    from spacy.cli.train import train as spacy_train

    nlp = spacy.blank("en")
    db = DocBin(store_user_data=True)
    for text, summary in DOCS:
        doc = nlp.make_doc(text)
        doc.user_data["plait.summary"] = summary
        db.add(doc)
    db.to_disk(tmp_path / "train.spacy")
    db.to_disk(tmp_path / "dev.spacy")
    spec = _spec(tmp_path, max_steps=30, eval_frequency=15, learning_rate=0.005, warmup_steps=0,
                 dropout=0.0, seed=1)
    config_path = tmp_path / "config.cfg"
    config_path.write_text(compose_mod.config_to_str(compose_mod.compose(spec)), encoding="utf8")
    spacy_train(config_path, tmp_path / "out", use_gpu=-1)

    loaded = spacy.load(tmp_path / "out" / "model-last")
    summarizer = loaded.get_pipe("summarize")
    assert summarizer.is_trained
    meta = json.loads((tmp_path / "out" / "model-best" / "meta.json").read_text())
    assert meta["performance"]["summary_rouge1"] is not None
    assert meta["performance"]["summary_rouge2"] > meta["performance"]["summary_lead3_rouge2"]
    doc = loaded(DOCS[0][0])
    assert doc._.summary and 1 <= len(doc._.summary_sents) <= 3
    assert all(0.0 <= s._.summary_score <= 1.0 for s in doc.sents)
