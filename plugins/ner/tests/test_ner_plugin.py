"""plait-ner as a plugin: entry points, the ComponentInfo record, and training in a composed config."""
from __future__ import annotations

import io
import subprocess
import sys
from importlib import metadata

import pytest
import spacy
from spacy.tokens import DocBin
from spacy.util import registry

from ner_testutil import TRAIN


def test_spacy_entry_points_resolve():
    eps = {(ep.group, ep.name): ep.value for ep in metadata.distribution("plait-ner").entry_points}
    # spaCy imports the entry-point module whenever a Language is made: it is the tiny factory module,
    # pointing at the model and scorer lazily
    assert eps[("spacy_factories", "plait_ner")] == "plait_ner.factory:make_ner"
    assert eps[("spacy_architectures", "plait.ner.v1")] == "plait_ner.factory:build_ner_model"
    assert eps[("spacy_scorers", "plait.ner_scorer.v1")] == "plait_ner.factory:make_ner_scorer"
    assert eps[("plait", "ner")] == "plait_ner.plugin"
    from plait_ner.model import build_ner_model
    from plait_ner.scoring import make_ner_scorer

    assert registry.architectures.get("plait.ner.v1").resolve() is build_ner_model
    assert registry.scorers.get("plait.ner_scorer.v1").resolve() is make_ner_scorer
    assert spacy.blank("en").has_factory("plait_ner")


def test_factory_works_without_plait_plugin_machinery():
    """spaCy alone finds the factory, architecture and scorer; Plait's plugin registry stays unused."""
    code = ("import sys, spacy; nlp = spacy.blank('en'); nlp.add_pipe('plait_ner'); "
            "print(nlp.config['components']['plait_ner']['scorer']['@scorers']); "
            "print([m for m in ('plait.plugins.registry', 'plait.plugins.hookspecs', 'plait_ner.plugin') "
            "if m in sys.modules])")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[:2] == ["plait.ner_scorer.v1", "[]"]


def test_component_record_is_registered():
    from plait.plugins.registry import get_registry

    reg = get_registry()
    assert not [f for f in reg.failures if f.plugin == "ner"]
    info = reg.component("ner")
    assert info.factory == "plait_ner" and info.task == "ner"
    assert info.listener_path == "model.tok2vec"
    assert info.config["model"]["@architectures"] == "plait.ner.v1"
    assert info.config["scorer"] == {"@scorers": "plait.ner_scorer.v1"}
    assert "Span._.confidence" in info.extensions
    assert reg.provider("component", "ner") == "ner"


@pytest.fixture()
def corpus(tmp_path):
    nlp = spacy.blank("en")
    db = DocBin()
    for text, ents in TRAIN:
        doc = nlp.make_doc(text)
        doc.ents = [doc.char_span(s, e, label=label) for s, e, label in ents]
        db.add(doc)
    path = tmp_path / "ner.spacy"
    db.to_disk(path)
    return path


def test_trains_inside_a_composed_config(tmp_path, corpus):
    compose = pytest.importorskip("plait.training.compose")
    from plait.training.spec import PipelineSpec
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train

    spec = PipelineSpec.model_validate({
        "name": "ner-test", "lang": "en", "encoder": "tiny-random",
        "transformer": {"window": 32, "stride": 24},
        "components": [{"component": "ner", "options": {"tune_min_entities": 1,
                                                        "model.surface_features": True}}],
        "training": {"train": str(corpus), "dev": str(corpus), "max_steps": 40,
                     "eval_frequency": 20, "learning_rate": 0.005, "warmup_steps": 0,
                     "batch_words": 100, "dropout": 0.0},
    })
    config = compose.compose(spec)
    ner_cfg = config["components"]["ner"]
    assert ner_cfg["factory"] == "plait_ner"
    assert ner_cfg["model"]["tok2vec"]["@architectures"] == "spacy-transformers.TransformerListener.v1"
    assert ner_cfg["model"]["surface_features"] is True
    nlp = init_nlp(config)
    assert nlp.pipe_names == ["transformer", "ner"]
    assert nlp.get_pipe("ner").labels == ("LOC", "PER")
    out = tmp_path / "training"
    out.mkdir()
    train(nlp, out, stdout=io.StringIO(), stderr=io.StringIO())
    loaded = spacy.load(out / "model-last")
    ner = loaded.get_pipe("ner")
    # tune_on_dev ran before saving (the composer adds the callback) and its temperature was saved
    assert ner.temperature != 1.0
    doc = loaded("John lives in London .")
    assert [(e.text, e.label_) for e in doc.ents] == [("John", "PER"), ("London", "LOC")]
    assert all(0.0 <= e._.confidence <= 1.0 for e in doc.ents)
