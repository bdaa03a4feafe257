"""`plait evaluate` / `plait report`: every component's own scorer, generic over the registrations.

A tiny trained pipeline of the four real components (tiny random encoder, a few updates) is evaluated
on a merged DocBin test folder: the figures equal those the evaluate step before this change gave on the
same pipeline (recorded once in tests/fixtures/evaluate_former_figures.json), the report has each plugin's
section, and a third-party component added to the pipeline gets its scores, its report table, its
result field and its schema entry with no change to the core.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import DocBin
from spacy.training import Example

import plait
from plaittest import COMPONENT_DATA, build_component_pipeline, run_plait
from plait.plugins.hookspecs import hookimpl
from plait.plugins.registry import PluginRegistry, reset_registry
from plait.plugins.contracts import ComponentInfo, OutputInfo


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(model, test folder): the four components trained a few steps; one DocBin per task."""
    root = tmp_path_factory.mktemp("evaluate")
    spacy.util.fix_random_seed(0)  # the same weights as when the former figures were recorded
    nlp = spacy.load(build_component_pipeline(root / "init"))
    examples = []
    for text, ents, cats, summary in COMPONENT_DATA:
        eg = Example.from_dict(nlp.make_doc(text), {"entities": ents, "cats": cats})
        eg.reference.user_data["plait.summary"] = summary
        examples.append(eg)
    optimizer = nlp.resume_training()
    for _ in range(15):
        nlp.update(examples, sgd=optimizer, drop=0.0)
    nlp.to_disk(root / "model")
    test = root / "test"
    test.mkdir()
    bins = {name: DocBin(store_user_data=True) for name in ("ner", "cats", "summary")}
    for text, ents, cats, summary in COMPONENT_DATA * 2:
        doc = nlp.make_doc(text)
        doc.ents = [doc.char_span(s, e, label=label) for s, e, label in ents]
        bins["ner"].add(doc)
        doc = nlp.make_doc(text)
        doc.cats = cats
        bins["cats"].add(doc)
        doc = nlp.make_doc(text + " More words here. And another sentence follows.")
        doc.user_data["plait.summary"] = summary
        bins["summary"].add(doc)
    for name, db in bins.items():
        db.to_disk(test / f"{name}.spacy")
    return root / "model", test


def _same(old, new, path, problems):
    """Every figure of ``old`` (not the raw scorer output) is in ``new``, equal."""
    if isinstance(old, dict):
        for key, value in old.items():
            if key == "scores":
                continue
            if not isinstance(new, dict) or key not in new:
                problems.append(f"{path}.{key} missing")
            else:
                _same(value, new[key], f"{path}.{key}", problems)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            _same(a, b, f"{path}[{i}]", problems)
    elif isinstance(old, float) and isinstance(new, (int, float)):
        if not math.isclose(old, new, rel_tol=1e-6, abs_tol=1e-9):
            problems.append(f"{path}: {old} != {new}")
    elif old != new:
        problems.append(f"{path}: {old!r} != {new!r}")


FORMER = Path(__file__).parents[1] / "fixtures" / "evaluate_former_figures.json"


def test_plait_evaluate_gives_the_figures_of_the_former_evaluate_step(trained):
    """The former evaluate step's own figures on this pipeline and test folder (its raw scorer output
    left out), recorded once before it was retired, come out the same from the plugins' scorers."""
    from plait.evaluation import evaluate

    model, test = trained
    before = json.loads(FORMER.read_text(encoding="utf8"))
    after = evaluate(model, test, progress=None)
    assert list(after["components"]) == ["ner", "sentiment", "topics", "summarize"]
    assert set(before) == set(after["components"])
    problems = []
    for name, old in before.items():
        _same(old, after["components"][name], name, problems)
    assert not problems, "\n".join(problems)
    ner = after["components"]["ner"]
    # the figures are the component's own scorer's: spaCy's entity P/R/F, the plugin's ECE
    assert ner["micro"]["f"] == ner["scores"]["ents_f"]
    assert ner["calibration"]["ece"] == ner["scores"]["ents_ece"]
    assert after["components"]["topics"]["macro_f"] == after["components"]["topics"]["scores"][
        "cats_macro_f"]
    assert {c["n_docs"] for c in after["components"].values()} == {4}


def test_cli_writes_metrics_and_a_report_with_each_plugins_section(trained, tmp_path):
    model, test = trained
    res = run_plait("evaluate", str(model), str(test), "--output", str(tmp_path / "m.json"),
                    "--report", str(tmp_path / "report.md"), "--silver", "ner",
                    env={"HF_HUB_OFFLINE": "1"})
    assert res.returncode == 0, res.stdout + res.stderr
    assert "ner: ents P/R/F" in res.stdout and "vs Lead-3" in res.stdout
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["components"]["ner"]["silver"] and metrics["n_docs"] == 12
    report = (tmp_path / "report.md").read_text()
    for text in ("## `ner` (ner, 4 test docs)", "**Silver data**", "Calibration of `span._.confidence`",
                 "Confusion matrix", "Lead-3 baseline", "## `topics` (textcat"):
        assert text in report
    again = run_plait("report", str(tmp_path / "m.json"), "-o", str(tmp_path / "again.md"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.md").read_text().replace("again", "") == report.replace("again", "")
    bad = run_plait("evaluate", str(model), str(tmp_path / "nowhere"))
    assert bad.returncode == 1 and "[E050]" in bad.stderr and "Traceback" not in bad.stderr


# -- a third-party component: scores, report, result field, schema, no core change ----------------
class Lengths:
    """Counts tokens (doc.user_data['acme.tokens']); its scorer: share of docs counted right."""

    def __call__(self, doc):
        doc.user_data["acme.tokens"] = len(doc)
        return doc

    def score(self, examples, **kwargs):
        scored = [eg for eg in examples if "acme.tokens" in eg.reference.user_data]
        right = sum(eg.predicted.user_data.get("acme.tokens") == eg.reference.user_data["acme.tokens"]
                    for eg in scored)
        return {"acme_acc": right / len(scored) if scored else None, "acme_n_docs": len(scored)}


if not Language.has_factory("acme_lengths"):
    Language.factory("acme_lengths", assigns=[], func=lambda nlp, name: Lengths())


class AcmePlugin:
    @staticmethod
    @hookimpl
    def register_components(register):
        register(ComponentInfo(
            name="acme", task="counting", factory="acme_lengths", needs_labels=False,
            output=OutputInfo(field="acme_tokens", view="json", schema={"type": "integer"},
                              read=lambda doc, pipe: doc.user_data.get("acme.tokens"),
                              merge=lambda parts, text, warnings: sum(v for _, v in parts))))


@pytest.fixture
def acme_registry():
    registry = PluginRegistry()
    registry.add_plugin(AcmePlugin, "acme", dist="acme-plait", version="1.0")
    reset_registry(registry)
    yield registry
    reset_registry(None)


def test_a_third_party_component_is_evaluated_reported_and_output_like_a_builtin(
        trained, tmp_path, acme_registry):
    from plait.evaluation import evaluate
    from plait.evaluation.report import build_report
    from plait.io.results import json_schema

    model, test = trained
    nlp = spacy.load(model)
    nlp.add_pipe("acme_lengths", name="acme")
    nlp.to_disk(tmp_path / "with-acme")
    gold = DocBin(store_user_data=True)
    for text, *_ in COMPONENT_DATA:
        doc = nlp.make_doc(text)
        doc.user_data["acme.tokens"] = len(doc)
        gold.add(doc)
    (tmp_path / "test").mkdir()
    gold.to_disk(tmp_path / "test" / "acme.spacy")
    for f in test.glob("*.spacy"):
        (tmp_path / "test" / f.name).write_bytes(f.read_bytes())
    metrics = evaluate(tmp_path / "with-acme", tmp_path / "test", progress=None)
    acme = metrics["components"]["acme"]
    assert acme["task"] == "counting" and acme["n_docs"] == 2
    assert acme["scores"] == {"acme_acc": 1.0, "acme_n_docs": 2}
    assert set(metrics["components"]) == {"ner", "sentiment", "topics", "summarize", "acme"}
    report = build_report(metrics, tmp_path / "report.md").read_text()
    assert "## `acme` (counting, 2 test docs)" in report and "| acme_acc | 1.0000 |" in report
    assert "| `acme` | counting | 2 | acme_acc 100.0 |" in report
    # its output reaches results (merged over segments by its own merge) and the schema
    text = "Paris and London. " * 40
    (result,) = plait.process(plait.load(tmp_path / "with-acme"), [text], segment_tokens=30)
    assert result.segments > 1 and result.acme_tokens == len(nlp.make_doc(text))
    assert result.entities is not None and result.model_dump(mode="json")["acme_tokens"] > 0
    prop = json_schema()["properties"]["acme_tokens"]
    assert prop["anyOf"][0] == {"type": "integer"} and prop["x-plait-component"] == "acme"


# --- window policy at load time (plait.runtime.windows) ---------------------------------------------------

def _spans(nlp, doc):
    return nlp.get_pipe("transformer").model.attrs["get_spans"]([doc])[0]


def test_a_trained_pipeline_runs_with_the_windows_asked_for(trained):
    model, _ = trained
    text = " ".join(f"word{i}" for i in range(30)) + "."
    trained_policy = plait.load(model)
    default = trained_policy.config["components"]["transformer"]["model"]["get_spans"]
    nlp = plait.load(model, window=8)  # stride defaults to the window: no overlap
    spans = _spans(nlp, nlp.make_doc(text))
    assert [len(s) for s in spans] == [8, 8, 8, 7]
    assert [s.start for s in spans] == [0, 8, 16, 24]
    assert nlp.config["components"]["transformer"]["model"]["get_spans"]["window"] == 8
    overlapping = plait.load(model, window=8, stride=6)
    assert [s.start for s in _spans(overlapping, overlapping.make_doc(text))][:3] == [0, 6, 12]
    # the trained pipeline itself is untouched
    assert plait.load(model).config["components"]["transformer"]["model"]["get_spans"] == default
    assert len(_spans(trained_policy, trained_policy.make_doc(text))) < len(spans)


def test_evaluate_with_another_window_policy_records_it(trained, tmp_path):
    from plait.evaluation import evaluate

    model, test = trained
    metrics = evaluate(model, test, window=8, stride=4, progress=None)
    assert metrics["windows"] == {"transformer": {"window": 8, "stride": 4}}
    assert set(metrics["components"]) >= {"ner", "sentiment"}
    out = tmp_path / "m.json"
    res = run_plait("evaluate", str(model), str(test), "--output", str(out), "--window", "8")
    assert res.returncode == 0, res.stderr
    assert json.loads(out.read_text())["windows"] == {"transformer": {"window": 8, "stride": 8}}


@pytest.mark.parametrize("window,stride", [(0, None), (8, 9), (None, -1)])
def test_an_impossible_window_policy_is_a_coded_error(trained, window, stride):
    from plait.errors import PlaitValueError

    model, _ = trained
    with pytest.raises(PlaitValueError, match="E190"):
        plait.load(model, window=window, stride=stride)


def test_windows_need_a_strided_transformer(tmp_path):
    from plait.errors import PlaitValueError

    spacy.blank("en").to_disk(tmp_path / "blank")
    with pytest.raises(PlaitValueError, match="E191"):
        plait.load(tmp_path / "blank", window=64)
