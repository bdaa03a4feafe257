"""plait init: a spec from imported data folders (labels, component options, sized training)."""
from __future__ import annotations

import json

import pytest
import yaml

from plait.data.importer import import_data
from plait.data.init_spec import init_spec, training_settings
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
    out = init_spec("multi", ["data"], encoder="tiny-random")
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
