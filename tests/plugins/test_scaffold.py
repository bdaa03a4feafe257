"""`plait new component`'s one template tree (kinds doc/span/token, --labels), rendered without
installing anything, and what the contract suite and the plait_cli fixture (plait.testing) check.
The generated plugins installed and tested end to end: test_plugin_kit.py."""
from __future__ import annotations

import py_compile
import re

import pytest
from typer.testing import CliRunner

from plait.cli.app import build_app
from plait.plugins.scaffold import KINDS, names, render
from plait.testing import _check_score_keys, check_component

NER_DATA = [("Apple opened a store in London.", {"entities": [(0, 5, "ORG"), (24, 30, "GPE")]}),
            ("The team lost in Paris.", {"entities": [(17, 22, "GPE")]})]


def _plait(*args):
    return CliRunner().invoke(build_app(), [str(a) for a in args])


def test_sections_keep_only_the_kind_they_name():
    text = ("a\n{{#doc}}\nD\n{{/doc}}\n{{#tokens}}\nT {{name}}\n{{#token}}\nTT\n{{/token}}\n{{/tokens}}\n"
            "x{{#span}}S{{/span}}{{^span}}N{{/span}}\nz\n")
    assert render(text, names("ab", "span")) == "a\nT ab\nxS\nz\n"
    assert render(text, names("ab", "token")) == "a\nT ab\nTT\nxN\nz\n"
    assert render(text, names("ab", "doc")) == "a\nD\nxN\nz\n"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_to_python_with_the_given_labels(kind, tmp_path):
    res = _plait("new", "component", "mine", "--kind", kind, "--labels", "AA,BB", "-o", tmp_path)
    assert res.exit_code == 0, res.output
    src = tmp_path / "plait-mine"
    left = [(p.name, m) for p in src.rglob("*") if p.is_file()
            for m in re.findall(r"\{\{[#^/]?\w+\}\}", p.read_text())]
    assert not left, left  # every section and placeholder rendered
    for path in src.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)
    assert 'LABELS = ["AA", "BB"]' in (src / "plait_mine/defaults.py").read_text()
    assert 'LABELS = ["AA", "BB"]' in (src / "tests/test_mine.py").read_text()
    assert 'labels: ["AA", "BB"]' in (src / "README.md").read_text()
    plugin = (src / "plait_mine/plugin.py").read_text()
    assert "gold=GOLD" in plugin and "GoldInfo(" in plugin  # `plait data import --task mine`
    outputs = (src / "plait_mine/outputs.py").read_text()
    assert ('"label": max(scores' in outputs) == (kind == "doc")  # the decided label
    assert ('view="spans"' in outputs) == (kind != "doc")


@pytest.mark.parametrize("args, code", [
    (["--kind", "sentence"], "E082"),
    (["--labels", "high,,low"], "E083"),
    (["--labels", "high,high"], "E083"),
    (["--labels", "only"], "E083"),  # a document classifier needs two
])
def test_a_bad_kind_or_label_list_is_one_coded_line(args, code, tmp_path):
    res = _plait("new", "component", "mine", *args, "-o", tmp_path)
    assert res.exit_code == 1 and code in res.stderr and "Traceback" not in res.output
    assert not (tmp_path / "plait-mine").exists()


def _ner(**update):
    from plait.plugins.registry import get_registry

    components = get_registry().components()
    if "ner" not in components:
        pytest.skip("plait-ner is not installed")
    return components["ner"].model_copy(update=update)


def test_the_contract_suite_fails_a_component_without_gold():
    with pytest.raises(AssertionError, match=r"declares no gold \(ComponentInfo.gold"):
        check_component(_ner(gold=None), NER_DATA, labels=["ORG", "GPE"])


def test_the_contract_suite_fails_gold_that_annotate_does_not_write_back():
    from plait.plugins.contracts import GoldInfo

    real = _ner().gold

    def elsewhere(doc, gold):  # writes the spans where the component never reads them
        from spacy.tokens import Span

        doc.spans["elsewhere"] = [Span(doc, s, e, label=label) for s, e, label in gold.spans]

    gold = GoldInfo(accepts=("spans",), annotate=elsewhere, read=real.read)
    with pytest.raises(AssertionError, match="annotate then read .* changes the gold"):
        check_component(_ner(gold=gold), NER_DATA, labels=["ORG", "GPE"])


def test_the_contract_suite_fails_a_scorer_without_a_declared_key():
    import spacy
    from spacy.language import Language
    from spacy.training import Example

    class Pipe:
        def __call__(self, doc):
            return doc

        def score(self, examples, **kwargs):
            return {"kit_probe_acc": 1.0}

    if "plaittest_kit_probe" not in Language.factories:
        Language.factory("plaittest_kit_probe", default_score_weights={"kit_probe_f": 1.0,
                                                                       "kit_probe_acc": 0.0},
                         func=lambda nlp, name: Pipe())
    nlp = spacy.blank("en")
    nlp.add_pipe("plaittest_kit_probe", name="probe")
    examples = [Example(nlp("a b"), nlp.make_doc("a b"))]
    with pytest.raises(AssertionError, match="does not return kit_probe_f, which its factory declares"):
        _check_score_keys(nlp, "probe", examples)


def test_plait_cli_runs_and_serves_a_pipeline_holding_a_component(plait_cli):
    _ner()
    model = plait_cli.pipeline("ner", NER_DATA, labels=["ORG", "GPE"], steps=2)
    result = plait_cli.run(model, [{"id": "a", "text": "Apple is in London."}, {"id": "b"}])
    assert result.exit_code == 0, result.stderr
    assert [r["id"] for r in result.records] == ["a"] and isinstance(result.records[0]["entities"], list)
    assert [r["id"] for r in result.rejects] == ["b"]  # no text: rejected, named
    assert plait_cli.invoke("run", model).exit_code == 2  # any command, in process (a usage error)
    with plait_cli.serve(model) as server:
        response = server.process([{"id": "x", "text": "Paris."}, {"id": "y", "text": "Rome."}])
        assert response.status_code == 200, response.text
        assert [r["id"] for r in response.json()] == ["x", "y"]
        assert all(isinstance(r["entities"], list) for r in response.json())
