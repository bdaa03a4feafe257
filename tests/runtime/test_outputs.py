"""plait.runtime.outputs: which pipes get which contract, default merges by view, and isolation of a broken
contract (its field gets a warning and null; the record and the other fields are kept)."""
from __future__ import annotations

import pytest
import spacy
from pydantic import ValidationError
from spacy.language import Language

import plait
from plait.plugins.hookspecs import hookimpl
from plait.runtime.outputs import Part, default_merge, outputs_for
from plait.plugins.registry import PluginRegistry, reset_registry
from plait.plugins.contracts import ComponentInfo, OutputInfo


class Shouter:
    def __call__(self, doc):
        doc.user_data["shout"] = doc.text.upper()
        return doc


if not Language.has_factory("test_shouter"):
    Language.factory("test_shouter", assigns=[], func=lambda nlp, name: Shouter())


def _boom(doc, pipe):
    raise RuntimeError("read failed on purpose")


class Plugins:
    @staticmethod
    @hookimpl
    def register_components(register):
        register(ComponentInfo(name="shout", task="shouting", factory="test_shouter",
                               output=OutputInfo(field="shout", view="json",
                                                 read=lambda doc, pipe: doc.user_data.get("shout"))))
        register(ComponentInfo(name="broken", task="breaking", factory="sentencizer",
                               output=OutputInfo(field="broken", read=_boom)))


@pytest.fixture
def registry():
    reg = PluginRegistry()
    reg.add_plugin(Plugins, "test-outputs")
    reset_registry(reg)
    yield reg
    reset_registry(None)


def test_pipes_get_their_factorys_contract_else_those_whose_assigns_they_write(registry):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler")  # spaCy's: no contract of its own, writes doc.ents
    nlp.add_pipe("test_shouter")
    found = {field: pipe for field, (pipe, _) in outputs_for(nlp, registry).items()}
    assert found == {"broken": "sentencizer", "entities": "entity_ruler", "shout": "test_shouter"}


def test_a_broken_read_costs_only_its_own_field(registry):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "Apple"}])
    nlp.add_pipe("test_shouter")
    (r,) = plait.process(nlp, ["Apple is here. " * 30], segment_tokens=20)
    assert r.ok and r.segments > 1
    assert r.broken is None and any("output 'broken' of pipe 'sentencizer' could not be read: "
                                    "RuntimeError: read failed on purpose" in w for w in r.warnings)
    assert len(r.entities) == 30 and r.entities[-1].start == 15 * 29
    assert isinstance(r.shout, list) and len(r.shout) == r.segments
    assert "".join(r.shout) == ("Apple is here. " * 30).upper()  # json default: values listed
    assert r.sentiment is None and r.categories is None and r.summary is None  # installed, absent


def test_default_merges_by_view():
    spans = default_merge("spans")([Part(0, [{"start": 0, "end": 2, "label": "A"}], 10),
                                    Part(10, [{"start": 1, "end": 3, "label": "B"}], 30)], "", [])
    assert [(s["start"], s["end"]) for s in spans] == [(0, 2), (11, 13)]
    scores = default_merge("scores")([Part(0, {"A": 1.0}, 10), Part(10, {"A": 0.0, "B": 1.0}, 30)],
                                     "", [])
    assert scores == {"A": pytest.approx(0.25), "B": pytest.approx(0.75)}
    warnings = []
    assert default_merge("extract")([Part(0, "One.", 5), Part(5, " Two.", 5)], "", warnings) == \
        "One. Two." and warnings
    assert default_merge("json")([Part(0, {"a": 1})], "", []) == {"a": 1}
    assert default_merge("json")([Part(0, 1), Part(3, 2)], "", []) == [1, 2]
    polarity = default_merge("sentence-polarity")(
        [Part(0, {"label": "pos", "scores": {"pos": 1.0, "neg": 0.0}, "polarity": 1.0,
                  "sentences": [{"start": 0, "end": 3, "label": "pos", "scores": {}, "polarity": 1}]},
              10),
         Part(10, {"label": "neg", "scores": {"pos": 0.0, "neg": 1.0}, "polarity": -1.0,
                   "sentences": []}, 30)], "", [])
    assert polarity["label"] == "neg" and polarity["polarity"] == pytest.approx(-0.5)


def test_a_scores_value_may_carry_its_decided_label():
    """``{label, scores}`` (a document classifier's decided label beside its scores, as `plait new
    component` writes it): merged scores, the label decided again; one line in text output."""
    from plait.runtime.outputs import brief

    merged = default_merge("scores")([Part(0, {"label": "A", "scores": {"A": 0.9, "B": 0.1}}, 10),
                                      Part(10, {"label": "B", "scores": {"A": 0.3, "B": 0.7}}, 30)],
                                     "", [])
    assert merged["label"] == "B"
    assert merged["scores"] == {"A": pytest.approx(0.45), "B": pytest.approx(0.55)}
    assert brief({"label": "B", "scores": {"A": 0.4, "B": 0.6}}, "scores") == "B"
    assert brief({"A": 0.4, "B": 0.6}, "scores") == "B"


def test_a_contract_may_not_take_a_fixed_field_or_an_unknown_view():
    with pytest.raises(ValidationError, match="fixed result field"):
        OutputInfo(field="errors", read=len)
    with pytest.raises(ValidationError):
        OutputInfo(field="x", read=len, view="table")
    with pytest.raises(ValidationError):
        OutputInfo(field="x", read="not callable")


def test_a_corpus_may_train_any_task():
    from plait.plugins.contracts import CorpusInfo

    info = CorpusInfo(name="pos-toy", task="tagging", convert=lambda out, **kw: {"train": 0})
    assert info.task == "tagging"
    with pytest.raises(ValidationError):
        CorpusInfo(name="bad", task="Not A Name", convert=len)


def test_check_value_reports_values_that_break_the_contract():
    from plait.runtime.outputs import check_value

    info = pytest.importorskip("plait_ner.outputs").output_info()
    good = [{"text": "A", "label": "ORG", "start": 0, "end": 1, "confidence": None}]
    assert check_value(info, good) == [] and check_value(info, None) == []
    assert check_value(info, [{"text": "A", "label": "ORG"}])  # no offsets
    assert check_value(OutputInfo(field="x", read=len, schema={"type": "integer"}), {1, 2})
