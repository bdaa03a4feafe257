"""plait init: a spec from imported data folders (labels, component options, sized training)."""
from __future__ import annotations

import json

import pytest
import yaml

from plait.data.importer import import_data
from plait.data.init_spec import (RULES, choose_rule, estimate_seconds, fit_budget, init_spec,
                                   parse_budget, training_settings)
from plait.errors import DataError
from plait.plugins.registry import get_registry
from plait.training.spec import load_spec


@pytest.fixture
def multi_label_folder(tmp_path):
    if "textcat" not in get_registry().components():
        pytest.skip("plait-textcat is not installed")
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps({"text": f"text {i}", "labels": ["a", "b"][: 1 + i % 2]})
                            + "\n" for i in range(40)))
    import_data([path], tmp_path / "data", task="textcat")
    return tmp_path / "data"


def test_single_folder_spec_validates_and_reads_the_folder(multi_label_folder, tmp_path,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = init_spec("multi", ["data"], encoder="tiny-random", budget=None)
    assert out.resolve() == (tmp_path / "pipeline" / "multi.yml").resolve()
    spec = load_spec(out)
    comp = spec.components[0]
    assert (comp.component, comp.labels, comp.options) == ("textcat", ["a", "b"], {"exclusive": False})
    assert (spec.training.train, spec.training.dev) == ("data/train", "data/dev")
    assert spec.encoder == "tiny-random"
    text = out.read_text()
    assert text.startswith("# Written by `plait init multi`") and "data/test" in text
    with pytest.raises(DataError, match="E117"):
        init_spec("multi", ["data"])
    with pytest.raises(DataError, match="E116"):
        init_spec("twice", ["data", "data"])
    with pytest.raises(DataError, match="E113"):
        init_spec("none", ["pipeline"])
    assert yaml.safe_load(text)["training"]["max_steps"] == 200


def test_training_settings_grow_with_the_data():
    small, large = training_settings(100, 1_000), training_settings(100_000, 2_000_000)
    assert small["batch_words"] == 100 and small["max_steps"] == 200
    assert large["batch_words"] == 2000 and large["max_steps"] == 10_000
    assert large["eval_frequency"] == 1000 and large["warmup_steps"] == 1000
    assert small["eval_frequency"] == 20


def test_training_settings_are_evaluated_at_their_last_step():
    """spaCy scores only every eval_frequency steps: max_steps is a multiple of it, so model-best
    can be the end of the run (a plain rounding gave 250 steps scored every 20 for 44,868 words)."""
    for words in (1_000, 5_200, 44_868, 47_859, 123_456, 600_000, 2_000_000, 9_000_000):
        settings = training_settings(100, words)
        assert settings["max_steps"] % settings["eval_frequency"] == 0, settings
        assert 200 <= settings["max_steps"] <= 20_000


def test_budget_values():
    assert [parse_budget(v) for v in ("90s", "20m", "1.5h", "600", "none", None)] == [
        90, 1200, 5400, 600, None, None]
    for bad in ("soon", "0m", "-5m", "20x", "nanm"):
        with pytest.raises(DataError, match="E237"):
            parse_budget(bad)


def test_the_table_picks_its_row_by_gold_shape_and_document_length():
    assert choose_rule("spans", 15).row == "spans, sentences"
    assert choose_rule("spans", 300).row == "spans, documents"
    assert choose_rule("labels", 12).row == "labels, short texts"
    assert choose_rule("labels", 400).row == "labels, long texts"
    assert choose_rule("", 12) is RULES[-1]
    sentences = training_settings(3_000, 50_000, choose_rule("spans", 16))
    assert (sentences["batch_words"], sentences["learning_rate"]) == (1000, 1e-4)
    assert all(r.evidence.startswith(("measured", "memory measured", "extrapolated")) for r in RULES)


def test_a_budget_cuts_the_steps_of_a_large_run_and_keeps_a_small_one():
    wanted = training_settings(100_000, 2_000_000)  # 10,000 steps x 2,000 words
    speed = {"train_wps": 1_000.0, "predict_wps": 5_000.0, "init_seconds": 10.0}
    fitted = fit_budget(wanted, 1200, speed, dev_words=20_000)
    assert fitted["max_steps"] < wanted["max_steps"]
    assert fitted["max_steps"] % fitted["eval_frequency"] == 0
    assert fitted["warmup_steps"] == fitted["max_steps"] // 10
    assert estimate_seconds(fitted, speed, 20_000) <= 1200
    assert fit_budget(training_settings(100, 1_000), 1200, speed, 500) == training_settings(100, 1_000)


@pytest.fixture
def large_folder(tmp_path):
    if "textcat" not in get_registry().components():
        pytest.skip("plait-textcat is not installed")
    words = "the of and to in is was for on that with as by at from he she it they".split()
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps({"text": " ".join(words[(i + k) % len(words)]
                                                         for k in range(20 + i % 7)) + f" n{i}",
                                        "label": "ab"[i % 2]}) + "\n" for i in range(3000)))
    import_data([path], tmp_path / "big", task="textcat")
    return tmp_path / "big"


def test_a_small_budget_on_a_large_folder_gives_fewer_steps_and_says_the_estimate(
        large_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("PLAIT_HOME", str(tmp_path / "home"))  # a fresh probe, its own cache
    lines = []
    free = yaml.safe_load(init_spec("free", [large_folder], encoder="tiny-random", budget="none",
                                    output=tmp_path / "free.yml", say=lines.append).read_text())
    assert not (tmp_path / "home" / "throughput.json").exists()  # no budget: nothing measured
    lines.clear()
    out = init_spec("tight", [large_folder], encoder="tiny-random", budget="5s",
                    output=tmp_path / "tight.yml", say=lines.append)
    tight = yaml.safe_load(out.read_text())["training"]
    assert tight["max_steps"] < free["training"]["max_steps"]
    assert tight["max_steps"] % tight["eval_frequency"] == 0
    estimate = next(line for line in lines if line.startswith("~"))
    assert f"{tight['max_steps']:,} steps x {tight['batch_words']:,} words" in estimate
    assert " on " in estimate and "thread" in estimate and "budget 5 s" in estimate
    assert any(f"would want {free['training']['max_steps']:,} steps" in line for line in lines)
    assert any("row 'labels, short texts'" in line for line in lines)
    assert "# " + estimate in out.read_text()  # the reasoning is in the spec's header too
    lines.clear()
    init_spec("again", [large_folder], encoder="tiny-random", budget="5s",
              output=tmp_path / "again.yml", say=lines.append)
    assert any("cached" in line for line in lines) and not any("Measuring" in line for line in lines)


def test_the_docs_print_the_table_as_the_code_holds_it():
    from plaittest import ROOT

    lines = (ROOT / "docs" / "data.md").read_text(encoding="utf8").splitlines()
    for rule in RULES:
        line = next(x for x in lines if x.startswith(f"| {rule.row} |"))
        cells = [c.strip() for c in line.split("|")]
        rate = f"{rule.learning_rate:.0e}".replace("e-0", "e-")
        assert [cells[4], cells[5], cells[6]] == [f"{rule.batch_words:,}", rate, rule.batch_by]
        assert cells[7].startswith(("**measured**", "extrapolated")), line


def _single_label_folder(tmp_path, name, task, per_class, labels=("neg", "pos")):
    if task not in get_registry().components():
        pytest.skip(f"plait-{task} is not installed")
    path = tmp_path / f"{name}.jsonl"
    n = per_class * len(labels)
    path.write_text("".join(json.dumps({"text": f"text number {i}.", "label": labels[i % len(labels)]})
                            + "\n" for i in range(n)))
    import_data([path], tmp_path / name, task=task)
    return tmp_path / name


@pytest.mark.parametrize("task", ["textcat", "sentiment"])
def test_init_picks_the_small_data_recipe_for_a_few_examples_per_class(tmp_path, task):
    from plait.data.stats import data_profile
    from plait.training.few_shot import SMALL_DATA_OPTIONS, SMALL_DATA_PER_CLASS

    small = _single_label_folder(tmp_path, "small", task, per_class=22)
    rarest = min(data_profile(small)["label_counts"].values())
    assert SMALL_DATA_PER_CLASS[0] <= rarest <= SMALL_DATA_PER_CLASS[1]
    lines = []
    out = init_spec("small", [small], encoder="tiny-random", budget=None,
                    output=tmp_path / "small.yml", say=lines.append)
    comp = load_spec(out).components[0]
    assert comp.options == SMALL_DATA_OPTIONS
    said = next(line for line in lines if line.startswith(f"{task}: options"))
    assert "head_init: fit" in said and said in out.read_text()  # said, and in the header
    # more examples per class than the recipe was measured to pay for: the default head
    large = _single_label_folder(tmp_path, "large", task, per_class=200)
    out = init_spec("large", [large], encoder="tiny-random", budget=None,
                    output=tmp_path / "large.yml")
    assert load_spec(out).components[0].options == {}
