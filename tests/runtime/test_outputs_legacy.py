"""The output contract changes nothing for the built-ins: ``plait.process`` results equal those of the
runner's former task-specific extract/merge (tests/legacy_extract.py), field for field, on the four
real components (tiny random encoder) and on the toy pipelines of spaCy built-ins, short and long
(segmented) texts alike, through the same batching."""
from __future__ import annotations

import pytest

import plait
import legacy_extract
import runnertest as support
from plaittest import COMPONENT_DATA, build_component_pipeline
from plait.runner import stream
from plait.runner.batching import BatchOptions
from plait.io.records import RawRecord, to_item

OUTPUT_FIELDS = ("entities", "sentiment", "categories", "summary")


class LegacyEngine:
    def __init__(self, nlp):
        self.nlp, self.caps = nlp, legacy_extract.Capabilities.from_nlp(nlp)

    def run(self, batches):
        for batch in batches:
            docs = self.nlp.pipe([u.text for u in batch], batch_size=len(batch))
            yield [(u.seq, u.part, legacy_extract.extract_segment(d, self.caps))
                   for u, d in zip(batch, docs)]

    def close(self):
        pass


def _legacy(nlp, texts, segment_tokens, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(stream, "merge_segments", legacy_extract.merge_segments)
        items = [to_item(RawRecord(i, value=t), i - 1, text_field="text", id_field="id")
                 for i, t in enumerate(texts, 1)]
        return list(stream.results(items, LegacyEngine(nlp), BatchOptions(segment_tokens=segment_tokens)))


def _compare(nlp, texts, segment_tokens, monkeypatch):
    new = [r.model_dump(mode="json") for r in plait.process(nlp, texts, segment_tokens=segment_tokens)]
    old = [r.model_dump(mode="json") for r in _legacy(nlp, texts, segment_tokens, monkeypatch)]
    assert len(new) == len(old) == len(texts)
    for a, b in zip(new, old):
        assert a == b
    return new


def test_real_components_results_are_unchanged(tmp_path, monkeypatch, one_thread):
    nlp = plait.load(build_component_pipeline(tmp_path / "model"))
    texts = [t for t, *_ in COMPONENT_DATA] + ["Paris and London. " * 60,
                                               support.long_text(500, seed=3), "x"]
    out = _compare(nlp, texts, 48, monkeypatch)
    assert out[2]["segments"] > 1 and all(out[0][f] is not None for f in OUTPUT_FIELDS)


@pytest.mark.parametrize("parts", [{}, {"sentiment": False, "cats": False, "summary": False},
                                   {"ents": False, "sentiment": False}])
def test_toy_pipelines_results_are_unchanged(tmp_path, monkeypatch, parts):
    nlp = plait.load(support.build_pipeline(tmp_path / "toy", **parts))
    texts = support.TEXTS + [support.long_text(800, seed=1), support.long_text(300, seed=2)]
    out = _compare(nlp, texts, 40, monkeypatch)
    assert out[4]["segments"] > 1
