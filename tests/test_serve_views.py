"""output_views: the (field, view) list /v1/info and the page use, read from the components' output
contracts (plait.outputs.outputs_for) where that module exists, else []."""
from __future__ import annotations

import importlib.util
import sys
import types
from dataclasses import dataclass

import pytest

from plait.serve.views import VIEWS, output_views


@dataclass
class Info:
    field: str
    view: str
    schema: object = None


def test_contracts_are_read_in_their_possible_shapes(monkeypatch):
    fake = types.ModuleType("plait.outputs")
    shapes = {
        "field-to-pair": lambda nlp: {"tags": ("tagger", Info("tags", "spans")),
                                      "score": ("scorer", Info("score", "scores"))},
        "pairs": lambda nlp: [("tagger", Info("tags", "spans")), ("scorer", Info("score", "scores"))],
        "mapping": lambda nlp: {"tagger": Info("tags", "spans"), "x": {"field": "x", "view": "odd"}},
        "component-infos": lambda nlp: [("tagger", types.SimpleNamespace(output=Info("tags",
                                                                                     "spans")))],
    }
    for name, fn in shapes.items():
        fake.outputs_for = fn
        monkeypatch.setitem(sys.modules, "plait.outputs", fake)
        rows = output_views(object())
        assert rows[0] == {"pipe": "tagger", "field": "tags", "view": "spans", "schema": None}, name
        assert all(r["view"] in VIEWS for r in rows)  # an unknown view falls back on json
    fake.outputs_for = lambda nlp: (_ for _ in ()).throw(RuntimeError("broken contract"))
    assert output_views(object()) == []


@pytest.mark.skipif(importlib.util.find_spec("plait.outputs") is not None,
                    reason="the output contracts exist: see the next test")
def test_without_output_contracts_there_are_no_views():
    assert output_views(object()) == []


@pytest.mark.skipif(importlib.util.find_spec("plait.outputs") is None,
                    reason="no output contracts (plait.outputs) in this version")
def test_the_real_components_declare_a_view_per_result_field(tmp_path):
    import plait
    from plaittest import build_component_pipeline

    nlp = plait.load(build_component_pipeline(tmp_path / "real"))
    rows = output_views(nlp)
    result = next(plait.process(nlp, ["Apple opened a store in London. It was great."]))
    fields = result.model_dump(mode="json")
    assert rows and all(r["view"] in VIEWS and r["field"] in fields for r in rows)
