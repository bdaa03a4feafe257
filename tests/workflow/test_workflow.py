"""The `ci` workflow of project.yml end to end, as a user runs it: `python -m spacy project run ci`.

It runs in a temporary copy of the project files (project.yml, pipeline/, scripts/), so the working
tree is left alone: hand-written corpus -> compose -> spacy train (tiny random encoder) -> evaluate ->
report. Then the trained `training/ci/model-best` is loaded with plain `spacy.load` and each of the four
components must produce its outputs. About a minute on 2 CPU cores.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NEEDED = {"ner": "plait-ner", "sentiment": "plait-sentiment", "textcat": "plait-textcat",
          "summarize": "plait-summarize"}
SENTIMENT_LABELS = ["negative", "neutral", "positive"]
TOPIC_LABELS = ["business", "sport", "tech"]


def _missing_components():
    from plait.plugins.registry import get_registry

    installed = set(get_registry().components())
    return [f"{name} ({dist})" for name, dist in NEEDED.items() if name not in installed]


_MISSING = _missing_components()
needs_plugins = pytest.mark.skipif(
    bool(_MISSING), reason=f"the ci workflow needs every component plugin; not installed: "
                           f"{', '.join(_MISSING)} (bash scripts/setup.sh)")


def _run(args, cwd, timeout=600):
    proc = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    assert proc.returncode == 0, (f"{' '.join(args)} failed ({proc.returncode}):\n"
                                  f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    work = tmp_path_factory.mktemp("ci-project")
    shutil.copy(ROOT / "project.yml", work / "project.yml")
    for folder in ("pipeline", "scripts"):
        shutil.copytree(ROOT / folder, work / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    proc = _run(["-m", "spacy", "project", "run", "ci"], cwd=work)
    return work, proc.stdout


@needs_plugins
def test_ci_workflow_runs_every_step(project):
    work, out = project
    for step in ("ci-corpus", "ci-compose", "ci-train", "ci-evaluate", "ci-report"):
        assert step in out
    for split in ("train", "dev", "test"):
        files = sorted(p.name for p in (work / "corpus" / "ci" / split).glob("*.spacy"))
        assert files == ["ner.spacy", "sentiment.spacy", "summarize.spacy", "textcat.spacy"]
    assert (work / "configs" / "ci.cfg").is_file()
    assert (work / "training" / "ci" / "model-best" / "config.cfg").is_file()


@needs_plugins
def test_ci_model_loads_and_every_component_produces_its_outputs(project):
    work, _ = project
    import spacy
    from spacy.tokens import Doc

    nlp = spacy.load(work / "training" / "ci" / "model-best")
    assert nlp.pipe_names[-4:] == ["ner", "sentiment", "textcat", "summarize"]
    assert "transformer" in nlp.pipe_names
    texts = ["Maria Lopez joined Acme Robotics in Madrid. The new office is great. "
             "Shares rose on the news.",
             "The match ended in a draw. Fans were unhappy."]
    for doc in nlp.pipe(texts):
        # NER: doc.ents, each with a confidence in [0, 1]
        assert isinstance(doc.ents, tuple)
        for ent in doc.ents:
            assert 0.0 <= ent._.confidence <= 1.0
        # sentiment: doc._.sentiment and one per sentence; doc.cats left to the classifier
        sent = doc._.sentiment
        assert sent["label"] in SENTIMENT_LABELS
        assert set(sent["scores"]) == set(SENTIMENT_LABELS)
        assert sum(sent["scores"].values()) == pytest.approx(1.0, abs=1e-3)
        assert -1.0 <= sent["polarity"] <= 1.0
        sents = list(doc.sents)
        assert len(sents) >= 2
        assert all(s._.sentiment["label"] in SENTIMENT_LABELS for s in sents)
        # classification: doc.cats over the topic labels, doc._.categories passing the thresholds
        assert set(doc.cats) == set(TOPIC_LABELS)
        assert all(0.0 <= v <= 1.0 for v in doc.cats.values())
        assert isinstance(doc._.categories, list) and set(doc._.categories) <= set(TOPIC_LABELS)
        # summarization: a summary made of whole sentences in document order, a score per sentence
        assert isinstance(doc._.summary, str) and doc._.summary
        chosen = doc._.summary_sents
        assert chosen and all(s.text in doc.text for s in chosen)
        assert [s.start for s in chosen] == sorted(s.start for s in chosen)
        assert doc._.summary == " ".join(s.text for s in chosen)
        assert all(isinstance(s._.summary_score, float) for s in sents)
    assert Doc.has_extension("summary")


@needs_plugins
def test_ci_metrics_and_report(project):
    work, _ = project
    metrics = json.loads((work / "metrics" / "ci" / "metrics.json").read_text())
    comps = metrics["components"]
    assert {c["task"] for c in comps.values()} == {"ner", "sentiment", "textcat", "summarize"}
    assert comps["ner"]["n_docs"] == 6 and "calibration" in comps["ner"]
    assert comps["sentiment"]["confusion"]["labels"] == SENTIMENT_LABELS
    assert sum(map(sum, comps["sentiment"]["confusion"]["matrix"])) == comps["sentiment"]["n_docs"]
    assert comps["textcat"]["labels"] == TOPIC_LABELS and "per_label" in comps["textcat"]
    summ = comps["summarize"]
    assert summ["n_docs"] == 2 and 0 <= summ["rouge"]["rouge1"] <= 1 and "lead3" in summ
    assert (work / "metrics" / "ci" / "spacy-evaluate.json").is_file()
    report = (work / "metrics" / "ci" / "report.md").read_text()
    for name in ("`ner`", "`sentiment`", "`textcat`", "`summarize`", "Lead-3", "Confusion matrix"):
        assert name in report
    if importlib.util.find_spec("matplotlib"):
        plots = {p.name for p in (work / "metrics" / "ci" / "plots").glob("*.png")}
        assert {"sentiment-confusion.png", "textcat-confusion.png", "summarize-rouge.png"} <= plots


@needs_plugins
def test_ci_workflow_is_skipped_when_nothing_changed(project):
    work, _ = project
    out = _run(["-m", "spacy", "project", "run", "ci-train"], cwd=work).stdout
    assert "Skipping 'ci-train'" in out


@needs_plugins
@pytest.mark.skipif(importlib.util.find_spec("build") is None,
                    reason="`spacy package --build wheel` needs the 'build' package "
                           "(bash scripts/setup.sh installs it)")
def test_ci_package_builds_a_wheel_that_loads_with_spacy_load(project):
    work, _ = project
    out = _run(["-m", "spacy", "project", "run", "ci-package"], cwd=work).stdout
    assert "spacy.load('en_plait_ci') from the installed wheel" in out
    assert "Declares Plait and the component plugins" in out


# --- the workflow scripts' own logic (no plugin needed) -------------------------------------------
def test_ci_corpus_follows_the_gold_conventions(tmp_path):
    import spacy

    from scripts import make_ci_corpus
    from spacy.tokens import DocBin

    counts = make_ci_corpus.build(tmp_path, seed=0)
    assert set(counts) == {"ner", "sentiment", "textcat", "summarize"}
    vocab = spacy.blank("en").vocab
    read = lambda split, task: list(DocBin().from_disk(tmp_path / split / f"{task}.spacy")  # noqa: E731
                                    .get_docs(vocab))
    ner = read("train", "ner")
    assert all(d.has_annotation("ENT_IOB") and all(t.ent_iob != 0 for t in d) for d in ner)
    assert {e.label_ for d in ner for e in d.ents} == {"GPE", "ORG", "PERSON"}
    for task, labels in (("sentiment", SENTIMENT_LABELS), ("textcat", TOPIC_LABELS)):
        for d in read("train", task):
            assert set(d.cats) == set(labels) and sorted(d.cats.values()) == [0.0] * (len(labels) - 1) + [1.0]
            assert not d.has_annotation("ENT_IOB")  # NER gold is missing there, not O
    for d in read("dev", "summarize"):
        assert d.user_data["plait.summary"] and not d.cats
    # the splits are disjoint
    train_texts = {d.text for t in counts for d in read("train", t)}
    assert not train_texts & {d.text for t in counts for d in read("dev", t)}


# (the metric logic lives in the plugins' scorers and is tested there: plugins/*/tests)


def test_cap_docs_by_count_and_tokens():
    from scripts.cap_splits import cap_docs

    docs = [list(range(n)) for n in (5, 5, 5, 50)]
    assert len(cap_docs(docs, 2, None)) == 2
    assert len(cap_docs(docs, None, 12)) == 2
    assert len(cap_docs([list(range(99))], None, 10)) == 1  # always keeps one
