"""The runner on a pipeline of the real Plait components (tiny random encoder, initialized, untrained):
the documented outputs are read, and spawned workers running the transformer neither hang nor differ."""
from __future__ import annotations

import pytest

import plait
from plaittest import COMPONENT_DATA as DATA
from plaittest import build_component_pipeline


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return build_component_pipeline(tmp_path_factory.mktemp("real") / "model")


def _key(result):
    return (result.id, [(e.start, e.end, e.label) for e in result.entities], result.sentiment.label,
            sorted(result.categories), result.summary, result.segments)


def test_real_components_outputs_and_two_workers(model, one_thread):
    nlp = plait.load(model)
    texts = [text for text, *_ in DATA] + ["Paris and London. " * 60]
    one = list(plait.process(nlp, texts, segment_tokens=64))
    for result in one:
        assert result.entities is not None and result.errors == []
        assert set(result.sentiment.scores) == {"negative", "neutral", "positive"}
        assert -1 <= result.sentiment.polarity <= 1 and result.sentiment.sentences
        assert set(result.categories) == {"SPORTS", "TECH"}
        assert isinstance(result.summary, str) and result.summary
    assert one[2].segments > 1 and all(texts[2][e.start:e.end] == e.text for e in one[2].entities)
    two = list(plait.process(nlp, texts, segment_tokens=64, n_process=2))
    assert [_key(r) for r in two] == [_key(r) for r in one]
    for a, b in zip(one, two):
        assert b.sentiment.polarity == pytest.approx(a.sentiment.polarity, abs=1e-4)
        assert b.categories == pytest.approx(a.categories, abs=1e-4)
