"""Registration through entry points, serialization, and training inside a composed config."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
import spacy
from spacy.tokens import DocBin

from textcat_testutil import EXCLUSIVE_DATA, MULTI_DATA


def test_component_is_registered_through_the_plait_entry_point():
    from plait.plugins.registry import PluginRegistry

    registry = PluginRegistry()
    info = registry.component("textcat")
    assert registry.provider("component", "textcat") == "textcat"
    assert info.factory == "plait_textcat" and info.task == "textcat"
    assert info.listener_path == "model.tok2vec"
    assert info.config["model"]["@architectures"] == "plait.textcat.v1"
    assert info.config["scorer"] == {"@scorers": "plait.textcat_scorer.v1"}
    assert "Doc._.categories" in info.extensions
    failures = [f for f in registry.failures if f.plugin == "textcat"]
    assert failures == []


def test_spacy_finds_factory_architecture_and_scorer_through_its_entry_points():
    """A fresh process that never imports plait_textcat itself: spaCy's entry points find it."""
    code = textwrap.dedent("""
        import sys, spacy
        nlp = spacy.blank("en")
        textcat = nlp.add_pipe("plait_textcat", config={"exclusive": False})
        textcat.add_label("A")
        nlp.initialize()
        doc = nlp("hello world")
        print(sorted(doc.cats), doc._.categories is not None)
        print(sorted(m for m in sys.modules if m.startswith(("plait_textcat", "plait.plugins.registry"))))
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        "['A'] True",
        "['plait_textcat', 'plait_textcat.component', 'plait_textcat.defaults', 'plait_textcat.errors', "
        "'plait_textcat.factory', 'plait_textcat.model', 'plait_textcat.scoring']"]


def test_disk_round_trip_keeps_predictions_labels_and_config(trained_exclusive, tmp_path):
    trained_exclusive.to_disk(tmp_path / "model")
    loaded = spacy.load(tmp_path / "model")
    assert loaded.pipe_names == ["transformer", "textcat"]
    textcat = loaded.get_pipe("textcat")
    assert textcat.labels == ("POS", "NEG", "NEWS") and textcat.exclusive
    assert textcat.cfg == trained_exclusive.get_pipe("textcat").cfg
    texts = [t for t, _ in EXCLUSIVE_DATA]
    for a, b in zip(trained_exclusive.pipe(texts), loaded.pipe(texts)):
        assert a._.categories == b._.categories
        for label in a.cats:
            assert b.cats[label] == pytest.approx(a.cats[label], abs=1e-5)
    # Component-level bytes round trip into a pipeline with the same architecture.
    other = spacy.load(tmp_path / "model")
    other.get_pipe("textcat").from_bytes(textcat.to_bytes())
    assert other("i love this good movie")._.categories == ["POS"]


def _write_corpus(path, data):
    nlp = spacy.blank("en")
    db = DocBin()
    for text, cats in data:
        doc = nlp.make_doc(text)
        doc.cats = cats
        db.add(doc)
    db.to_disk(path)


def test_trains_inside_a_config_composed_from_a_spec(tmp_path):
    from plait.training.compose import compose, config_to_str
    from plait.training.spec import PipelineSpec
    from spacy.cli.train import train

    # A merged corpus: topic docs plus docs annotated only for another classifier.
    data = list(MULTI_DATA) + [("the city of london", {"SPORT": 1.0})]
    _write_corpus(tmp_path / "train.spacy", data)
    _write_corpus(tmp_path / "dev.spacy", MULTI_DATA)
    spec = PipelineSpec.model_validate({
        "name": "topics-demo", "lang": "en", "encoder": "tiny-random",
        "transformer": {"window": 32, "stride": 24},
        "components": [{"component": "textcat", "name": "topics", "labels": ["FILM", "PRAISE"],
                        "options": {"exclusive": False, "threshold": 0.5}}],
        "training": {"train": str(tmp_path / "train.spacy"), "dev": str(tmp_path / "dev.spacy"),
                     "max_steps": 30, "eval_frequency": 15, "learning_rate": 0.005,
                     "warmup_steps": 0, "batch_words": 200},
    })
    config = compose(spec)
    component = config["components"]["topics"]
    assert component["factory"] == "plait_textcat" and component["exclusive"] is False
    assert component["model"]["tok2vec"]["@architectures"] == \
        "spacy-transformers.TransformerListener.v1"
    assert config["initialize"]["components"]["topics"]["labels"] == ["FILM", "PRAISE"]
    cfg_path = tmp_path / "topics.cfg"
    cfg_path.write_text(config_to_str(config), encoding="utf8")
    train(cfg_path, tmp_path / "out", use_gpu=-1)

    best = spacy.load(tmp_path / "out" / "model-best")
    textcat = best.get_pipe("topics")
    assert textcat.labels == ("FILM", "PRAISE")  # SPORT only ever appears in another label set
    # Thresholds were tuned on dev before the checkpoint was written, and saved with it.
    assert set(textcat.cfg["thresholds"]) == {"FILM", "PRAISE"}
    assert textcat.thresholds != {"FILM": 0.5, "PRAISE": 0.5}
    meta = json.loads((tmp_path / "out" / "model-best" / "meta.json").read_text())
    assert "cats_score" in meta["performance"]
    doc = best("i love this good movie")
    assert set(doc.cats) == {"FILM", "PRAISE"}
    assert isinstance(doc._.categories, list)
