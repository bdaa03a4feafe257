"""output_views: the (field, view, schema) list /v1/info and the page use, read from the components'
output contracts (plait.runtime.outputs.outputs_for)."""
from __future__ import annotations

from plait.serve.views import VIEWS, output_views


def test_the_real_components_declare_a_view_and_schema_per_result_field(tmp_path):
    import plait
    from plaittest import build_component_pipeline

    nlp = plait.load(build_component_pipeline(tmp_path / "real"))
    rows = output_views(nlp)
    result = next(plait.process(nlp, ["Apple opened a store in London. It was great."]))
    fields = result.model_dump(mode="json")
    assert rows and all(r["view"] in VIEWS and r["field"] in fields for r in rows)
    assert all(r["schema"] for r in rows)  # each contract's JSON-schema fragment is published
    assert {r["view"] for r in rows} >= {"spans", "scores"}


def test_a_pipeline_without_contracts_has_no_views():
    import spacy

    assert output_views(spacy.blank("en")) == []
