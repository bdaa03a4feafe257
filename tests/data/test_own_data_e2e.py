"""Own data end to end, as a user runs it: a CSV and a token/tag file -> plait data import -> stats ->
plait init -> plait train (tiny random encoder, a few steps) -> plait evaluate (when installed)."""
from __future__ import annotations

import importlib.util
import json

import pytest

from plaittest import ROOT, run_plait
from plait.plugins.registry import get_registry


def _example():
    spec = importlib.util.spec_from_file_location("own_data", ROOT / "examples" / "own_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ok(res):
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def test_csv_and_token_file_to_a_trained_pipeline(tmp_path):
    have = get_registry().components()
    if "textcat" not in have or "ner" not in have:
        pytest.skip("plait-textcat and plait-ner are needed")
    counts = _example().write_example(tmp_path / "my-data")
    out = _ok(run_plait("data", "import", "my-data/headlines.csv", "-o", "data/topics",
                        "--task", "textcat", "--text-field", "headline", "--label-field", "topic",
                        cwd=tmp_path))
    assert f"read {counts['headlines']} = imported {counts['headlines'] - 2} + rejected 2" in out
    rejects = [json.loads(x) for x in (tmp_path / "data/topics/rejects.jsonl").read_text().splitlines()]
    assert sorted(r["kind"] for r in rejects) == ["duplicate text", "empty text"]
    assert all(r["source"] == "my-data/headlines.csv" and r["line"] for r in rejects)
    out = _ok(run_plait("data", "import", "my-data/people.tsv", "-o", "data/people",
                        "--task", "ner", "--scheme", "iob2", cwd=tmp_path))
    assert "rejected 1 x invalid tag sequence" in out
    stats = json.loads(_ok(run_plait("data", "stats", "data/people", "--json", cwd=tmp_path)))
    assert set(stats["splits"]["train"]["labels"]) == {"LOC", "PER"}

    # its measured speed goes to a PLAIT_HOME of its own, not the user's ~/.cache/plait
    home = {"PLAIT_HOME": str(tmp_path / "plait-home")}
    out = _ok(run_plait("init", "mine", "--data", "data/topics", "--data", "data/people",
                        "--encoder", "tiny-random", cwd=tmp_path, env=home))
    assert (tmp_path / "plait-home" / "throughput.json").is_file()
    # sized to the default budget on this machine: the estimate, the table row, the speed
    assert "budget 20 min)" in out and " steps x " in out and "row '" in out, out
    import yaml

    spec = yaml.safe_load((tmp_path / "pipeline/mine.yml").read_text())
    assert [(c["component"], c["labels"]) for c in spec["components"]] == [
        ("textcat", ["business", "sport", "tech"]), ("ner", ["LOC", "PER"])]
    assert spec["training"]["train"] == "corpus/mine/train"
    assert spec["training"]["max_steps"] >= 200 and spec["training"]["batch_words"] >= 100
    res = run_plait("init", "mine", "--data", "data/topics", cwd=tmp_path, env=home)
    assert res.returncode == 1 and "E117" in res.stderr  # no silent overwrite

    _ok(run_plait("train", "pipeline/mine.yml", "-o", "training/mine", "--training.max_steps", "4",
                  "--training.eval_frequency", "2", "--training.batcher.size.start", "200",
                  cwd=tmp_path))
    run = json.loads((tmp_path / "training/mine/run.json").read_text())
    assert run["max_steps"] == 4 and run["eval_frequency"] == 2
    assert run["overrides"]["training.optimizer.learn_rate.total_steps"] == 4  # stretched schedule
    import spacy

    nlp = spacy.load(tmp_path / "training/mine/model-best")
    assert {"textcat", "ner"} <= set(nlp.pipe_names)
    doc = nlp("Acme launches a new phone in Paris")
    assert set(doc.cats) == {"business", "sport", "tech"}

    # a metrics file from the merged test split: `plait evaluate` where installed, else spaCy's
    if " evaluate " in run_plait("--help").stdout:
        _ok(run_plait("evaluate", "training/mine/model-best", "corpus/mine/test", "--output",
                      "metrics.json", cwd=tmp_path))
    else:
        import subprocess
        import sys

        res = subprocess.run([sys.executable, "-m", "spacy", "evaluate", "training/mine/model-best",
                              "corpus/mine/test", "--output", "metrics.json"], cwd=tmp_path,
                             capture_output=True, text=True)
        _ok(res)
    assert "cats_score" in (tmp_path / "metrics.json").read_text()


def test_train_refuses_missing_data_and_malformed_overrides(tmp_path):
    spec = tmp_path / "p.yml"
    spec.write_text("name: p\nencoder: tiny-random\ncomponents:\n  - component: textcat\n"
                    "training:\n  train: nowhere/train\n  dev: nowhere/dev\n")
    res = run_plait("train", str(spec), cwd=tmp_path)
    assert res.returncode == 1 and "E119" in res.stderr and "nowhere/train" in res.stderr
    res = run_plait("train", str(spec), "-x", "1", cwd=tmp_path)
    assert res.returncode != 0
