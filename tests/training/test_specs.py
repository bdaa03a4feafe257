"""Every pipeline spec in pipeline/ validates and composes into a full spaCy training config."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from plait.training.compose import compose, config_to_str
from plait.plugins.registry import get_registry
from plait.training.spec import load_spec, parse_spec

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "pipeline").glob("*.yml"))
FOUR = {"ner", "sentiment", "textcat", "summarize"}
FACTORY_OF = {"ner": "plait_ner", "sentiment": "plait_sentiment", "textcat": "plait_textcat",
              "summarize": "plait_summarizer"}


def _skip_if_missing(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf8"))
    installed = set(get_registry().components())
    missing = sorted({c["component"] for c in data["components"]} - installed)
    if missing:
        pytest.skip(f"{path.name} needs component(s) {', '.join(missing)}: install the plugin(s) "
                    f"(pip install -e plugins/<name>)")


def test_the_workflow_specs_exist():
    names = {p.stem for p in SPECS}
    assert {"ci", "demo", "full"} <= names


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_spec_validates(path):
    # structure only (no plugin needed): every key known, values in range
    data = yaml.safe_load(path.read_text(encoding="utf8"))
    spec = parse_spec(data, path)
    assert spec.name == path.stem
    assert spec.training.train.startswith("corpus/") and spec.training.dev.startswith("corpus/")


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_spec_composes(path):
    _skip_if_missing(path)
    spec = load_spec(path)
    config = compose(spec, source=str(path))
    pipes = [c.pipe_name for c in spec.components]
    assert config["nlp"]["pipeline"][-len(pipes):] == pipes
    assert "transformer" in config["nlp"]["pipeline"]
    assert config["components"]["transformer"]["model"]["encoder"] == spec.encoder
    for comp in spec.components:
        block = config["components"][comp.pipe_name]
        assert block["factory"] == FACTORY_OF[comp.component]
        assert block["model"]["tok2vec"]["@architectures"] == "spacy-transformers.TransformerListener.v1"
        if comp.labels:
            assert config["initialize"]["components"][comp.pipe_name]["labels"] == comp.labels
    assert config["paths"]["train"] == spec.training.train
    assert "[components.transformer]" in config_to_str(config)


@pytest.mark.parametrize("name", ["ci", "demo", "full"])
def test_workflow_specs_have_all_four_with_explicit_labels(name):
    """In a merged multi-task corpus sentiment and textcat must not guess labels from doc.cats."""
    spec = load_spec(ROOT / "pipeline" / f"{name}.yml", check_components=False)
    assert {c.component for c in spec.components} == FOUR
    by = {c.component: c for c in spec.components}
    assert by["sentiment"].labels and by["textcat"].labels
    assert not set(by["sentiment"].labels) & set(by["textcat"].labels)


def test_demo_and_ci_encoders():
    assert load_spec(ROOT / "pipeline" / "demo.yml", check_components=False).encoder == "minilm-l6"
    assert load_spec(ROOT / "pipeline" / "ci.yml", check_components=False).encoder == "tiny-random"
