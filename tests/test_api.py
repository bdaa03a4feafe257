"""plait.load / plait.process on tiny pipelines built from spaCy built-ins and toy components."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

import plait
from plait.io.results import Result, json_schema, schema_text
from plaittest import BUILTIN_PLUGINS
from runnertest import TEXTS, build_pipeline

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def full_model(tmp_path_factory) -> Path:
    return build_pipeline(tmp_path_factory.mktemp("api") / "full")


@pytest.fixture(scope="module")
def nlp(full_model):
    return plait.load(full_model)


def test_process_reads_every_documented_output(nlp):
    records = [{"id": "a", "text": TEXTS[0], "source": "wire"}, {"id": "b", "text": TEXTS[1]}]
    results = list(plait.process(nlp, records))
    assert [r.id for r in results] == ["a", "b"]
    first = results[0]
    assert [(e.text, e.label, e.start, e.end) for e in first.entities] == [
        ("Apple", "ORG", 0, 5), ("London", "GPE", 24, 30)]
    assert first.entities[0].confidence == 0.75
    assert first.sentiment.label == "positive" and 0 < first.sentiment.polarity <= 1
    assert [(s.start, s.end) for s in first.sentiment.sentences] == [(0, 31), (32, 53)]
    assert first.categories == {"SPORTS": 0.1, "TECH": 0.9}
    assert first.summary == "Apple opened a store in London."
    assert first.extra == {"source": "wire"} and not first.truncated and first.errors == []
    assert results[1].sentiment.label == "negative"
    assert results[1].entities[0].text == "Alice Smith"


def test_fields_are_null_for_components_the_pipeline_lacks(tmp_path):
    nlp = plait.load(build_pipeline(tmp_path / "ner-only", sentiment=False, cats=False,
                                    summary=False))
    result, empty = plait.process(nlp, [TEXTS[0], "Nothing here."])
    assert result.sentiment is None and result.categories is None and result.summary is None
    assert [e.text for e in result.entities] == ["Apple", "London"]
    assert empty.entities == []  # an NER that found nothing: [], not null
    cats_only = plait.load(build_pipeline(tmp_path / "cats", ents=False, sentiment=False,
                                          summary=False))
    only = next(plait.process(cats_only, [TEXTS[2]]))
    assert only.entities is None and only.categories["SPORTS"] == 0.9


def test_strings_get_line_numbers_as_ids_and_order_is_kept(nlp):
    texts = [f"Text number {i} about Apple." for i in range(50)]
    results = list(plait.process(nlp, texts, batch_size=7, max_batch_tokens=40))
    assert [r.id for r in results] == list(range(1, 51))
    assert all(r.entities[0].start == len(f"Text number {i} about ") for i, r in enumerate(results))


def test_process_is_lazy_on_an_endless_stream(nlp):
    consumed = []

    def endless():
        while True:
            consumed.append(1)
            yield "Apple is here."

    results = list(itertools.islice(plait.process(nlp, endless(), max_batch_tokens=10), 3))
    assert [r.id for r in results] == [1, 2, 3]
    assert len(consumed) <= 40  # one sort window (8 * max_batch_tokens tokens), not everything


def test_bad_records_give_results_with_errors_in_place(nlp):
    records = [{"id": 1, "text": "Apple."}, {"id": 2}, {"id": 3, "text": 7}, {"id": 4, "text": " \n"},
               {"id": 5, "text": "BOOM"}, 42, {"id": 6, "text": "London."}]
    results = list(plait.process(nlp, records))
    assert [r.id for r in results] == [1, 2, 3, 4, 5, 6, 6]  # 42 has no id: its line number
    errors = [r.errors for r in results]
    assert errors[0] == [] and errors[6] == []
    assert errors[1][0].startswith("[E136]") and "no text field 'text'" in errors[1][0]
    assert errors[2][0].startswith("[E137]") and "is a number, not a string" in errors[2][0]
    assert "empty" in errors[3][0]
    assert "refuses BOOM" in errors[4][0]
    assert errors[5][0].startswith("[E135] Record 6 is a number")
    assert [r.line for r in results] == list(range(1, 8))


def test_custom_text_and_id_fields(nlp):
    (r,) = plait.process(nlp, [{"body": "Apple.", "key": "k1", "lang": "en"}], text_field="body",
                         id_field="key")
    assert r.id == "k1" and r.extra == {"lang": "en"} and r.entities[0].label == "ORG"


def test_process_accepts_a_path(full_model):
    (r,) = plait.process(str(full_model), ["Apple."])
    assert r.entities[0].text == "Apple"


def test_max_chars_cuts_and_marks_truncated(nlp):
    (r,) = plait.process(nlp, ["Apple. " + "word " * 100 + "London."], max_chars=50)
    assert r.truncated and "max_chars" in r.warnings[0]
    assert [e.text for e in r.entities] == ["Apple"]


def test_result_json_roundtrip_and_schema(nlp):
    (r,) = plait.process(nlp, [TEXTS[0]])
    again = Result.model_validate_json(r.model_dump_json())
    assert again == r
    schema = json_schema()
    assert {"id", "entities", "sentiment", "categories", "summary", "truncated", "errors"} <= set(
        schema["properties"])


def test_the_builtin_plugin_set_is_every_plugin_of_the_repository():
    """BUILTIN_PLUGINS (what the published schema and docs are generated with) names every
    distribution under plugins/: a new built-in plugin's fields cannot be left out of them."""
    import tomllib

    dists = {tomllib.loads(p.read_text(encoding="utf8"))["project"]["name"]
             for p in (ROOT / "plugins").glob("*/pyproject.toml")}
    assert dists and set(BUILTIN_PLUGINS.split(",")) == {"plait"} | dists


def test_published_schema_is_current():
    """docs/result.schema.json is the schema of an installation with the built-in plugins only
    (other installed plugins add their fields to their own schema, not to the published one)."""
    import os
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "plait.io.results"], capture_output=True, text=True,
                          env={**os.environ, "PLAIT_LOAD_PLUGINS": BUILTIN_PLUGINS})
    assert proc.returncode == 0, proc.stderr
    path = ROOT / "docs" / "result.schema.json"
    assert path.read_text(encoding="utf8") == proc.stdout, (
        "docs/result.schema.json is stale: PLAIT_LOAD_PLUGINS=" + BUILTIN_PLUGINS
        + " python -m plait.io.results docs/result.schema.json")
    schema = json.loads(path.read_text(encoding="utf8"))
    assert schema["additionalProperties"] is False
    assert [schema["properties"][f]["x-plait-view"] for f in
            ("entities", "sentiment", "categories", "summary")] == [
        "spans", "sentence-polarity", "scores", "extract"]


def test_lone_surrogates_anywhere_in_a_record_reject_it(nlp):
    records = [{"id": "a\udce9", "text": "Apple."}, {"text": "Apple.", "meta": {"k": ["\udc80"]}},
               {"id": "b\udce9"},
               {"text": "Apple."}]
    results = list(plait.process(nlp, records))
    assert [[e[:6] for e in r.errors] for r in results] == [["[E149]"]] * 3 + [[]]
    for r in results:
        r.model_dump_json()  # every result can be written
