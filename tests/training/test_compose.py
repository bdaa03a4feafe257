"""Specs -> configs -> `spacy train` -> a pipeline that loads with no registry."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin

from plaittest import ROOT, pip_install_target, run_plait
from plait.errors import SpecError
from plait.training.spec import load_spec


SENTS = [
    (["I", "like", "green", "cats"], ["PRP", "VBP", "JJ", "NNS"]),
    (["you", "eat", "red", "fish"], ["PRP", "VBP", "JJ", "NN"]),
    (["we", "see", "big", "dogs"], ["PRP", "VBP", "JJ", "NNS"]),
]


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory):
    """The README's worked example plugin (examples/plait-pos), really pip-installed."""
    target = tmp_path_factory.mktemp("site")
    pip_install_target(ROOT / "examples" / "plait-pos", target)
    return target


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "train.spacy"
    nlp = spacy.blank("en")
    db = DocBin()
    for words, tags in SENTS:
        db.add(Doc(nlp.vocab, words=words, tags=tags))
    db.to_disk(path)
    return path


def _spec(tmp_path: Path, corpus: Path, **training) -> Path:
    spec = tmp_path / "pos.yml"
    settings = {"train": str(corpus), "dev": str(corpus), "max_steps": 40, "eval_frequency": 20,
                "learning_rate": 0.005, "warmup_steps": 0, "batch_words": 100, **training}
    spec.write_text(textwrap.dedent(f"""
        name: pos
        lang: en
        encoder: tiny-random
        transformer: {{window: 32, stride: 24}}
        components:
          - component: pos-tagger
            name: tagger
        training: {json.dumps(settings)}
    """), encoding="utf8")
    return spec


def _run(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd)


def test_compose_debug_config_train_and_load_without_registry(tmp_path, plugin_site, corpus):
    spec = _spec(tmp_path, corpus)
    cfg = tmp_path / "pos.cfg"
    res = run_plait("compose", str(spec), "-o", str(cfg), pythonpath=plugin_site)
    assert res.returncode == 0, res.stderr
    text = cfg.read_text()
    assert 'pipeline = ["sentencizer","transformer","tagger"]' in text.replace(" ", "").replace(
        "pipeline=", "pipeline = ")
    assert '@architectures = "plait.Transformer.v1"' in text
    assert 'encoder = "tiny-random"' in text
    assert '@architectures = "spacy-transformers.TransformerListener.v1"' in text
    pp = {"PYTHONPATH": str(plugin_site), "HF_HUB_OFFLINE": "1"}
    debug = _run("-m", "spacy", "debug", "config", str(cfg), env=pp)
    assert debug.returncode == 0, debug.stdout + debug.stderr
    train = _run("-m", "spacy", "train", str(cfg), "-o", str(tmp_path / "out"), env=pp)
    assert train.returncode == 0, train.stdout + train.stderr
    best = tmp_path / "out" / "model-best"
    assert (best / "transformer" / "model").exists()
    # A trained pipeline carries its weights: no encoder registry (no plugins at all) is needed.
    code = ("import spacy, sys\nnlp = spacy.load(sys.argv[1])\n"
            "print(nlp.pipe_names)\nprint([t.tag_ for t in nlp('I like green cats')])\n")
    loaded = _run("-c", code, str(best), env={"PLAIT_LOAD_PLUGINS": ""})
    assert loaded.returncode == 0, loaded.stderr
    assert "['sentencizer', 'transformer', 'tagger']" in loaded.stdout
    assert "['PRP', 'VBP', 'JJ', 'NNS']" in loaded.stdout
    # The plugin's own CLI command is part of `plait`.
    res = run_plait("pos-tagset", str(best), pythonpath=plugin_site)
    assert res.returncode == 0, res.stderr
    assert set(res.stdout.split()) == {"PRP", "VBP", "JJ", "NNS", "NN"}
    # Its output contract: the tags reach `plait run`'s JSONL and CSV and the result schema, with
    # no change to the core (a long text is segmented: offsets stay in the whole text).
    records = tmp_path / "in.jsonl"
    long = " ".join(["you eat red fish ."] * 30)
    records.write_text(json.dumps({"id": "a", "text": "I like green cats"}) + "\n"
                       + json.dumps({"id": "b", "text": long}) + "\n", encoding="utf8")
    for suffix in ("jsonl", "csv"):
        out = tmp_path / f"out.{suffix}"
        res = run_plait("run", str(best), str(records), "-o", str(out), "--segment-tokens", "40",
                        pythonpath=plugin_site, env={"HF_HUB_OFFLINE": "1"})
        assert res.returncode == 0, res.stdout + res.stderr
        if suffix == "jsonl":
            first, second = [json.loads(line) for line in out.read_text().splitlines()]
        else:
            import csv

            first, second = list(csv.DictReader(out.open(encoding="utf8")))
            first["pos"], second["pos"] = json.loads(first["pos"]), json.loads(second["pos"])
    assert [(t["text"], t["label"]) for t in first["pos"]] == [
        ("I", "PRP"), ("like", "VBP"), ("green", "JJ"), ("cats", "NNS")]
    assert int(second["segments"]) > 1 and len(second["pos"]) == 5 * 30
    assert all(long[t["start"]:t["end"]] == t["text"] for t in second["pos"])
    schema = subprocess.run([sys.executable, "-m", "plait.io.results"], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(plugin_site)})
    prop = json.loads(schema.stdout)["properties"]["pos"]
    assert prop["x-plait-view"] == "spans" and prop["x-plait-component"] == "pos-tagger"


def test_unknown_encoder_fails_at_train_time_with_known_names(tmp_path, plugin_site, corpus):
    spec = _spec(tmp_path, corpus)
    cfg = tmp_path / "pos.cfg"
    assert run_plait("compose", str(spec), "-o", str(cfg), pythonpath=plugin_site).returncode == 0
    cfg.write_text(cfg.read_text().replace('encoder = "tiny-random"', 'encoder = "minilm-l7"'))
    train = _run("-m", "spacy", "train", str(cfg), "-o", str(tmp_path / "out"),
                 env={"PYTHONPATH": str(plugin_site), "HF_HUB_OFFLINE": "1"})
    assert train.returncode != 0
    assert "Unknown encoder 'minilm-l7'" in train.stderr
    assert "minilm-l6, tiny-random" in train.stderr


def test_spec_errors_name_file_key_and_nearest_component(tmp_path, plugin_site):
    bad = tmp_path / "bad.yml"
    bad.write_text("name: x\ncomponents:\n  - component: pos-taggr\n")
    res = run_plait("compose", str(bad), "-o", str(tmp_path / "x.cfg"), pythonpath=plugin_site)
    assert res.returncode == 1
    assert "bad.yml" in res.stderr and "components[0].component" in res.stderr
    assert "Did you mean 'pos-tagger'?" in res.stderr
    bad.write_text("name: x\ncomponents:\n  - component: pos-tagger\ntraining:\n  max_step: 3\n")
    with pytest.raises(SpecError) as err:
        load_spec(bad, check_components=False)
    msg = str(err.value)
    assert "bad.yml" in msg and "'training.max_step'" in msg and "Did you mean 'max_steps'?" in msg
    bad.write_text("name: x\ncomponents:\n  - component: a\n    name: a\n  - component: b\n"
                   "    name: a\ntransformer: {window: 16, stride: 32}\n")
    with pytest.raises(SpecError) as err:
        load_spec(bad, check_components=False)
    assert "transformer" in str(err.value) or "named 'a'" in str(err.value)
    bad.write_text("name: [unclosed\n")
    with pytest.raises(SpecError, match="could not read"):
        load_spec(bad)


def test_options_merge_into_fragment_and_labels_go_to_initialize(tmp_path, plugin_site, corpus):
    spec = tmp_path / "o.yml"
    spec.write_text(textwrap.dedent(f"""
        name: o
        encoder: tiny-random
        components:
          - component: pos-tagger
            labels: [PRP, VBP]
            options: {{"model.normalize": true, "label_smoothing": 0.1}}
        training: {{train: {corpus}, dev: {corpus}}}
    """))
    cfg = tmp_path / "o.cfg"
    res = run_plait("compose", str(spec), "-o", str(cfg), pythonpath=plugin_site)
    assert res.returncode == 0, res.stderr
    config = spacy.util.load_config(cfg)
    comp = config["components"]["pos-tagger"]
    assert comp["model"]["normalize"] is True and comp["label_smoothing"] == 0.1
    assert comp["model"]["tok2vec"]["upstream"] == "transformer"
    assert config["initialize"]["components"]["pos-tagger"]["labels"] == ["PRP", "VBP"]
    assert config["training"]["annotating_components"] == ["sentencizer"]
    assert config["training"]["optimizer"]["grad_clip"] == 1.0
    assert config["training"]["optimizer"]["learn_rate"]["@schedules"] == "warmup_linear.v1"
    assert config["training"]["score_weights"]["sents_f"] is None


def test_frozen_encoder_trains_heads_only(tmp_path, plugin_site, corpus):
    """`training.freeze_encoder`: the transformer is frozen and annotating; listeners read its output."""
    spec = _spec(tmp_path, corpus, freeze_encoder=True, learning_rate=0.01)
    cfg = tmp_path / "pos.cfg"
    assert run_plait("compose", str(spec), "-o", str(cfg), pythonpath=plugin_site).returncode == 0
    config = spacy.util.load_config(cfg)
    assert config["training"]["frozen_components"] == ["transformer"]
    assert config["training"]["annotating_components"] == ["sentencizer", "transformer"]
    train = _run("-m", "spacy", "train", str(cfg), "-o", str(tmp_path / "out"),
                 env={"PYTHONPATH": str(plugin_site), "HF_HUB_OFFLINE": "1"})
    assert train.returncode == 0, train.stdout + train.stderr
    best = spacy.load(tmp_path / "out" / "model-best")
    assert [t.tag_ for t in best("I like green cats")] == ["PRP", "VBP", "JJ", "NNS"]
