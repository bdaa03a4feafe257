"""scripts/demo_targets.py: the demo's review-polarity target, against VADER on the same reviews."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import spacy
from spacy.tokens import DocBin

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "demo_targets.py"


def _module():
    spec = importlib.util.spec_from_file_location("demo_targets", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reviews(path: Path) -> Path:
    nlp = spacy.blank("en")
    rows = [("A wonderful, moving film with superb acting.", "positive"),
            ("Dull, lifeless and far too long.", "negative"),
            ("The best thing I have seen this year, I loved it.", "positive"),
            ("A terrible script and awful, wooden acting.", "negative")]
    db = DocBin(store_user_data=True)
    for text, label in rows:
        doc = nlp.make_doc(text)
        doc.cats = {"positive": float(label == "positive"), "negative": float(label == "negative")}
        db.add(doc)
    db.to_disk(path)
    return path


def _metrics(polarity, n=120):
    return {"components": {"sentiment": {"task": "sentiment", "n_docs": n,
                                         "polarity_accuracy": polarity}}}


def test_review_rows_are_measured_beside_vader_not_targets(tmp_path):
    targets = _module()
    data = _reviews(tmp_path / "test.spacy")
    peer, n = targets.vader_polarity_accuracy(data)
    assert n == 4 and peer == 100.0  # plain-worded reviews: VADER gets all four
    assert targets.check_reviews(_metrics(0.75), data) == [
        (None, "review polarity accuracy: 75.0 on 120 film reviews (VADER 100.0 on the same 4)")]
    assert targets.check_reviews(_metrics(0.6), None) == [
        (None, "review polarity accuracy: 60.0 on 120 film reviews")]
    missing = targets.check_reviews({"components": {}}, None)
    assert missing[0][0] is None and "no sentiment polarity" in missing[0][1]


def test_cli_prints_the_review_row_and_counts_only_targets(tmp_path):
    metrics, reviews = tmp_path / "metrics.json", tmp_path / "reviews.json"
    metrics.write_text(json.dumps({"components": {}}), encoding="utf8")
    reviews.write_text(json.dumps(_metrics(0.8)), encoding="utf8")
    data = _reviews(tmp_path / "test.spacy")
    out = subprocess.run([sys.executable, str(SCRIPT), str(metrics), "--reviews", str(reviews),
                          "--reviews-data", str(data), "--strict"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1, out.stderr  # the targets are missing from these metrics
    assert ("· measured  review polarity accuracy: 80.0 on 120 film reviews (VADER 100.0 on the "
            "same 4)") in out.stdout
    assert "0/3 reached." in out.stdout  # tweet sentiment, topics, NER; the review row not counted
