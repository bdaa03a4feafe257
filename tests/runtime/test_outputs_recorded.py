"""The output contract changes nothing for the built-ins: ``plait.process`` results equal those of the
runner's former task-specific extract/merge, field for field, on the four real components (tiny random
encoder, seeded) and on the toy pipelines of spaCy built-ins, short and long (segmented) texts alike,
through the same batching. The former code's results were recorded once, before it was retired, in
tests/fixtures/outputs_former_extract.json (floats to 7 significant digits)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import spacy

import plait
import runnertest as support
from plaittest import COMPONENT_DATA, build_component_pipeline

OUTPUT_FIELDS = ("entities", "sentiment", "categories", "summary")
FORMER = json.loads((Path(__file__).parents[1] / "fixtures" / "outputs_former_extract.json")
                    .read_text(encoding="utf8"))


def _differences(old, new, path="", out=None):
    out = [] if out is None else out
    if isinstance(old, dict) and isinstance(new, dict):
        if set(old) != set(new):
            out.append(f"{path}: keys {sorted(old)} != {sorted(new)}")
        for key in set(old) & set(new):
            _differences(old[key], new[key], f"{path}.{key}", out)
    elif isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            out.append(f"{path}: {len(old)} items != {len(new)}")
        for i, (a, b) in enumerate(zip(old, new)):
            _differences(a, b, f"{path}[{i}]", out)
    elif isinstance(old, float) and isinstance(new, (int, float)) and not isinstance(new, bool):
        if not math.isclose(old, new, rel_tol=1e-6, abs_tol=1e-7):
            out.append(f"{path}: {old} != {new}")
    elif old != new:
        out.append(f"{path}: {old!r} != {new!r}")
    return out


def _compare(nlp, texts, segment_tokens, key):
    new = [r.model_dump(mode="json") for r in plait.process(nlp, texts, segment_tokens=segment_tokens)]
    assert len(new) == len(FORMER[key]) == len(texts)
    problems = _differences(FORMER[key], new, key)
    assert not problems, "\n".join(problems[:20])
    return new


def test_real_components_results_are_unchanged(tmp_path, one_thread):
    spacy.util.fix_random_seed(0)  # the weights the former results were recorded with
    nlp = plait.load(build_component_pipeline(tmp_path / "model"))
    texts = [t for t, *_ in COMPONENT_DATA] + ["Paris and London. " * 20,
                                               support.long_text(150, seed=3), "x"]
    out = _compare(nlp, texts, 48, "real")
    assert out[2]["segments"] > 1 and all(out[0][f] is not None for f in OUTPUT_FIELDS)


@pytest.mark.parametrize("key,parts", [
    ("toy", {}),
    ("toy-ents-only", {"sentiment": False, "cats": False, "summary": False}),
    ("toy-no-ents-sentiment", {"ents": False, "sentiment": False})])
def test_toy_pipelines_results_are_unchanged(tmp_path, key, parts):
    nlp = plait.load(support.build_pipeline(tmp_path / "toy", **parts))
    texts = support.TEXTS + [support.long_text(200, seed=1), support.long_text(120, seed=2)]
    out = _compare(nlp, texts, 40, key)
    assert out[4]["segments"] > 1
