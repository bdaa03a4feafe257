"""Smoke tests of the benchmark scripts on the tiny-encoder ``ci`` pipeline (``pytest benchmarks``).

Not in the default test paths: they start subprocesses and take about a minute on 2 cores.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import (checkpoint_cost, init_rules, long_doc, quantization_accuracy,  # noqa: E402
                        serve, speed, train_memory)
from benchmarks._common import build_untrained, markdown_table  # noqa: E402
from benchmarks.texts import count_words, long_document, make_docs  # noqa: E402


@pytest.fixture(scope="module")
def ci_model(tmp_path_factory):
    return str(build_untrained(str(ROOT / "pipeline" / "ci.yml"),
                               tmp_path_factory.mktemp("bench") / "ci-untrained"))


def test_generated_texts_are_deterministic_and_sized():
    docs = make_docs(50, seed=3)
    assert docs == make_docs(50, seed=3) and docs != make_docs(50, seed=4)
    assert len(docs) == 50 and len(set(docs)) == 50
    assert all(3 <= d.count(". ") + 1 for d in docs)
    text = long_document(5000, seed=0)
    assert 5000 <= count_words([text]) < 5300 and "\n\n" in text


def test_speed_runs_each_system_and_reports_ratios(ci_model, tmp_path, capsys):
    out = tmp_path / "speed.json"
    assert speed.main(["--model", ci_model, "--texts", "generated", "--n-docs", "6",
                       "--batch-size", "4", "--systems", "plait,plait-int8-sorted",
                       "--output", str(out)]) == 0
    data = json.loads(out.read_text())
    (one,) = data["sets"]
    assert one["name"] == "generated" and one["n_docs"] == 6
    assert [r["system"] for r in one["results"]] == ["plait", "plait-int8-sorted"]
    for r in one["results"]:
        assert "error" not in r, r
        assert r["docs"] == 6 and r["words_per_s"] > 0 and r["peak_rss_mib"] >= r["rss_loaded_mib"] > 0
    assert one["ratios"]["plait"] == {"vs_hf": None, "vs_sm": None, "vs_md": None,
                                      "memory_vs_hf": None, "processing_memory_vs_hf": None}
    assert all(r["peak_rss_processing_mib"] > 0 for r in one["results"])
    m = data["machine"]
    assert m["cpu_model"] and m["versions"]["torch"] and m["date_utc"]
    assert "| plait-int8-sorted |" in capsys.readouterr().out


def test_speed_reports_a_failing_system_instead_of_crashing(ci_model, tmp_path):
    out = tmp_path / "speed.json"
    speed.main(["--model", ci_model, "--texts", "generated", "--n-docs", "2", "--systems", "plait",
                "--output", str(out), "--timeout", "0.01"])
    assert "error" in json.loads(out.read_text())["sets"][0]["results"][0]


def _write_corpus(root: Path, name: str, docs) -> None:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    db = DocBin(store_user_data=True)
    for text, title in docs:
        doc = nlp(text)
        doc.user_data["plait.title"] = title
        db.add(doc)
    (root / "corpus" / name).mkdir(parents=True)
    db.to_disk(root / "corpus" / name / "test.spacy")


def test_speed_reads_real_documents_at_each_length_and_runs_another_window_policy(
        ci_model, tmp_path, monkeypatch):
    from benchmarks import _common

    _write_corpus(tmp_path, "tweets-sentiment", [("so happy with the new phone", ""),
                                                 ("worst service ever, never again", "")] * 3)
    _write_corpus(tmp_path, "news-articles", [(make_docs(1, seed=i)[0], "t") for i in range(4)])
    _write_corpus(tmp_path, "bbc-topics", [("Body of the article. " * 20, f"Headline number {i}")
                                           for i in range(5)])
    monkeypatch.setattr(_common, "ROOT", tmp_path)  # corpus/<name>/test.spacy of this "project"
    out = tmp_path / "speed.json"
    assert speed.main(["--model", ci_model, "--systems", "plait-sorted", "--window", "16",
                       "--stride", "12", "--output", str(out)]) == 0
    data = json.loads(out.read_text())
    assert [s["name"] for s in data["sets"]] == ["short", "headline", "article"]
    short, headline, article = data["sets"]
    assert short["n_docs"] == 6 and headline["n_docs"] == 5 and article["n_docs"] == 4
    assert headline["words"] == 15  # the titles only, not the article bodies
    assert article["mean_words"] > headline["mean_words"]
    for one in data["sets"]:
        (r,) = one["results"]
        assert "error" not in r, r
        assert r["windows"] == {"transformer": {"window": 16, "stride": 12}}
    assert data["settings"]["window"] == 16 and data["settings"]["stride"] == 12


def test_long_doc_measures_both_sizes(ci_model, tmp_path):
    out = tmp_path / "long.json"
    assert long_doc.main(["--model", ci_model, "--words", "3000", "--small-words", "600",
                          "--segment-tokens", "256", "--output", str(out)]) == 0
    data = json.loads(out.read_text())
    small, big = data["results"]
    assert "error" not in small and "error" not in big
    assert big["segments"] > small["segments"] >= 1
    assert big["words"] >= 3000 and data["peak_ratio_long_vs_small"] > 0


def test_quantization_accuracy_side_by_side(ci_model, tmp_path, capsys):
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    db = DocBin()
    for text, label in (("Shares of the bank rose after strong profits.", "business"),
                        ("The striker scored twice in the final.", "sport"),
                        ("The new phone has a faster chip.", "tech"),
                        ("Markets fell as oil prices climbed.", "business")):
        doc = nlp.make_doc(text)
        doc.cats = {cat: float(cat == label) for cat in ("business", "sport", "tech")}
        db.add(doc)
    test = tmp_path / "textcat.spacy"
    db.to_disk(test)
    out = tmp_path / "qa.json"
    assert quantization_accuracy.main([ci_model, str(test), "--output", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["settings"]["quantization"] == "int8-dynamic"
    assert "cats_macro_f" in data["float"][str(test)] and "cats_macro_f" in data["int8"][str(test)]
    assert set(data["agreement"]) >= {"ents", "cats", "sentiment", "summary"}
    assert "| cats_macro_f |" in capsys.readouterr().out


@pytest.fixture(scope="module")
def ci_corpus(tmp_path_factory):
    import subprocess

    corpus = tmp_path_factory.mktemp("bench") / "corpus"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_ci_corpus.py"), str(corpus)],
                   check=True, capture_output=True)
    return corpus


def test_train_memory_records_peak_rss_per_phase(ci_corpus, tmp_path, capsys):
    corpus = ci_corpus
    out = tmp_path / "tm.json"
    assert train_memory.main([str(ROOT / "pipeline" / "ci.yml"), "--corpus", str(corpus),
                              "--steps", "2", "--batch-words", "200", "--output", str(out),
                              "--variant", "default", "--variant", "top2", "--variant", "init",
                              "--name", "short-texts", "--limit-mib", "100000"]) == 0
    record = json.loads(out.read_text())
    run, top2, init = record["runs"]
    assert record["shape"] == "short-texts" and record["limit_mib"] == 100000
    assert all(r["within_limit"] for r in record["runs"])
    # init: the batch of plait init's table row for this data, not --batch-words
    from plait.data.init_spec import RULES

    row = next(r for r in RULES if r.row == init["init_row"])
    assert init["batch_words"] <= row.batch_words and init["batch_by"] == row.batch_by
    assert run["variant"] == "default" and run["updates"] == 3  # steps 0..2
    assert top2["variant"] == "top2" and top2["updates"] == 3
    assert run["step_seconds"] > 0 and top2["step_seconds"] > 0
    phases = run["peak_by_phase_mib"]
    assert {"init", "training steps", "dev evaluation"} <= set(phases)
    # the kernel's high-water mark and the 50 ms samples agree to within rounding
    assert run["peak_rss_mib"] >= max(phases.values()) - 1.0 and min(phases.values()) > 100
    assert "| default |" in capsys.readouterr().out


def test_init_rules_trains_and_scores_each_setting(tmp_path, capsys):
    from plait.data.importer import import_data
    from plait.plugins.registry import get_registry

    if "textcat" not in get_registry().components():
        pytest.skip("plait-textcat is not installed")
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps({"text": f"{'good fine' if i % 2 else 'bad poor'} text {i}",
                                        "label": "ab"[i % 2]}) + "\n" for i in range(60)))
    import_data([path], tmp_path / "data", task="textcat")
    out = tmp_path / "rules.json"
    assert init_rules.main([str(tmp_path / "data"), "--name", "t", "--setting", "200:1e-3",
                            "--steps", "2", "--eval-frequency", "1", "--encoder", "tiny-random",
                            "--output", str(out)]) == 0
    record = json.loads(out.read_text())
    (run,) = record["runs"]
    assert (run["batch_words"], run["learning_rate"], run["steps"]) == (200, 1e-3, 2)
    assert run["dev_best"] and record["machine"]["cpu_model"]
    assert {"textcat.n_docs"} <= set(run["test"]) and len(run["test"]) > 1  # the scorer's numbers
    assert "| 200 |" in capsys.readouterr().out


def test_checkpoint_cost_times_a_run_with_and_without_checkpoints(ci_corpus, tmp_path, capsys):
    corpus = ci_corpus
    out = tmp_path / "ck.json"
    assert checkpoint_cost.main([str(ROOT / "pipeline" / "ci.yml"), "--corpus", str(corpus),
                                 "--steps", "4", "--every", "2", "--output", str(out)]) == 0
    row = json.loads(out.read_text())["rows"][0]
    assert row["checkpoints_written"] == 2  # steps 2 and 4
    assert row["checkpoint_mb"] > 0 and row["checkpoint_seconds"] > 0 and row["step_seconds"] > 0
    assert 0 <= row["default_policy_overhead"] < 0.05  # rounded: a tiny model's can be 0.0
    assert "checkpoint_in_steps" in capsys.readouterr().out


def test_markdown_table_formats_missing_values():
    table = markdown_table(["a", "b"], [["x", None], ["y", 1234.5]])
    assert table.splitlines()[2] == "| x | – |" and "1,234" in table


def test_serve_drives_a_real_server_and_an_overload(ci_model, tmp_path):
    pytest.importorskip("fastapi", reason="plait serve is an optional extra: pip install 'plait[serve]'")
    out = tmp_path / "serve.json"
    assert serve.main(["--model", ci_model, "--texts", "generated", "--n-docs", "6",
                       "--clients", "1,2", "--overload-clients", "8", "--overload-queue", "1",
                       "--overload-requests", "16", "--output", str(out)]) == 0
    data = json.loads(out.read_text())
    (one,) = data["sets"]
    assert [r["clients"] for r in one["runs"]] == [1, 2]
    assert all(r["statuses"] == {"200": 6} and r["ratio_to_process"] > 0 for r in one["runs"])
    o = data["overload"]
    assert o["only_200_or_503"] and o["lost_or_hung"] == 0 and o["requests"] == 16


def test_pretraining_single_stage_fine_tunes_without_the_specs_two_stages(tmp_path):
    """--single-stage: the spec's head-only stage and per-group rates are dropped, nothing else."""
    import yaml

    from benchmarks import pretraining
    from plait.training.compose import compose

    two_stage = yaml.safe_load((ROOT / "pipeline" / "ner-conll.yml").read_text(encoding="utf8"))
    two_stage["training"].update(head_steps=1000, head_learning_rate=1e-3,
                                 encoder_learning_rate=5e-5, encoder_warmup_steps=100)
    source = tmp_path / "two-stage.yml"
    source.write_text(yaml.safe_dump(two_stage), encoding="utf8")
    path = pretraining.single_stage_spec(source, tmp_path / "ner-conll.yml")
    single = yaml.safe_load(path.read_text(encoding="utf8"))
    assert not set(pretraining.TWO_STAGE_KEYS) & set(single["training"])
    for key in (k for k in two_stage["training"] if k not in pretraining.TWO_STAGE_KEYS):
        assert single["training"][key] == two_stage["training"][key]
    assert single["components"] == two_stage["components"]
    # the composer's callback may stay (memory trimming), with no head stage and one rate
    single_cb = compose(path)["training"].get("before_update") or {}
    assert single_cb.get("head_steps", 0) == 0 and single_cb.get("encoder_lr_scale", 1.0) == 1.0
    assert compose(source)["training"]["before_update"]["head_steps"] > 0
