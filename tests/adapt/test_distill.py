"""`plait distill`: a student with fewer layers matching a teacher's hidden states on text written
here; it is an encoder folder that a spec trains on; a killed run resumes."""
from __future__ import annotations

import json

import pytest

from adapttest import log_records, run_child, state_dict_close, train_and_package_spec, write_text
from plaittest import run_plait

from plait.adapt.distill import layer_plan
from plait.training.encoders import build_tiny_encoder, tiny_encoder_path
from plait.errors import AdaptError


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("PLAIT_HOME", str(home))
    tiny_encoder_path()
    return home


@pytest.fixture
def teacher(tmp_path):
    """A 4-layer random BERT (the tiny encoder's vocabulary): deep enough to drop layers from."""
    return build_tiny_encoder(tmp_path / "teacher4", layers=4, seed=1)


def test_layer_plan_defaults_to_every_kth_layer_and_checks_its_input():
    assert layer_plan(6, 3) == ([1, 3, 5], [2, 4, 6])  # DistilBERT-like: every other layer
    assert layer_plan(6, 2) == ([2, 5], [3, 6])
    assert layer_plan(4, 4) == ([0, 1, 2, 3], [1, 2, 3, 4])
    assert layer_plan(6, 2, [0, 5]) == ([0, 5], [3, 6])
    with pytest.raises(AdaptError, match="E178"):
        layer_plan(6, 7)
    with pytest.raises(AdaptError, match="E179"):
        layer_plan(6, 2, [1, 1])
    with pytest.raises(AdaptError, match="E179"):
        layer_plan(6, 2, [0, 6])


def test_cli_distill_student_has_the_layers_asked_and_its_heldout_loss_fell(tmp_path, home,
                                                                             teacher):
    text = write_text(tmp_path / "news.txt")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "the city said"}\n{oops\n', encoding="utf8")
    out = tmp_path / "student"
    res = run_plait("distill", "-o", str(out), "--teacher", str(teacher), "--layers", "2",
                    "--text", str(text), "--text", str(bad), "--window", "32", "--max-steps", "30",
                    "--eval-every", "10", "--batch-size", "8", "--lr", "5e-4", "--no-progress",
                    env={"PLAIT_HOME": str(home)})
    assert res.returncode == 0, res.stderr + res.stdout
    assert f"{bad}:2" in res.stderr  # bad input reported by line, as the importer does
    from transformers import AutoModel

    student = AutoModel.from_pretrained(str(out))
    assert student.config.num_hidden_layers == 2 and len(student.encoder.layer) == 2
    assert student.config.hidden_dropout_prob == 0.1  # the teacher's, for fine-tuning
    manifest = json.loads((out / "plait-encoder.json").read_text())
    assert manifest["kind"] == "distilled"
    assert manifest["objective"]["init_layers"] == [1, 3]
    assert manifest["loss_after"] < manifest["loss_before"] * 0.5
    evals = [r for r in log_records(out, "distill") if r["event"] == "eval"]
    assert [r["step"] for r in evals] == [0, 10, 20, 30]
    assert evals[-1]["heldout"]["cosine"] > evals[0]["heldout"]["cosine"]
    # A spec names the student like any encoder, trains and packages on it.
    model_dir = train_and_package_spec(str(out), tmp_path / "work")
    import spacy

    nlp = spacy.load(model_dir)
    assert nlp.get_pipe("transformer").model.transformer.config.num_hidden_layers == 2


def test_distill_resumes_after_a_kill_with_the_same_data_order(tmp_path, home, teacher):
    text = write_text(tmp_path / "news.txt", n_docs=80)
    settings = {"max_steps": 12, "eval_every": 4, "batch_size": 4, "learning_rate": 5e-4,
                "keep_checkpoints": False}
    common = {"teacher": str(teacher), "sources": [str(text)], "window": 32, "layers": 2}
    killed = tmp_path / "killed"
    res = run_child("distill", 6, output=str(killed), settings=settings, **common)
    assert res.returncode == -9, res.stderr
    res = run_child("distill", -1, output=str(killed), settings=settings, resume=True, **common)
    assert res.returncode == 0, res.stderr
    straight = tmp_path / "straight"
    res = run_child("distill", -1, output=str(straight), settings=settings, **common)
    assert res.returncode == 0, res.stderr
    a, b = log_records(killed, "distill"), log_records(straight, "distill")
    assert next(r for r in a if r["event"] == "resume")["step"] == 4
    end_a = next(r for r in a if r["event"] == "end")
    end_b = next(r for r in b if r["event"] == "end")
    assert end_a["data_digest"] == end_b["data_digest"] and end_a["step"] == 12
    assert end_a["after"]["loss"] == pytest.approx(end_b["after"]["loss"], rel=1e-3)
    assert state_dict_close(killed, straight)
