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


def test_review_target_against_vader(tmp_path):
    targets = _module()
    data = _reviews(tmp_path / "test.spacy")
    peer, n = targets.vader_polarity_accuracy(data)
    assert n == 4 and peer == 100.0  # plain-worded reviews: VADER gets all four
    rows = targets.check_reviews(_metrics(0.75), data)
    assert rows[0][0] is True and "75.0 (target >= 70) on 120 film reviews" in rows[0][1]
    assert rows[1] == (False, "review polarity accuracy: 75.0 vs VADER 100.0 on the same 4 reviews")
    low = targets.check_reviews(_metrics(0.6), None)
    assert low == [(False, "review polarity accuracy: 60.0 (target >= 70) on 120 film reviews")]
    missing = targets.check_reviews({"components": {}}, None)
    assert missing[0][0] is False and "no sentiment polarity" in missing[0][1]


def test_cli_prints_the_review_rows(tmp_path):
    metrics, reviews = tmp_path / "metrics.json", tmp_path / "reviews.json"
    metrics.write_text(json.dumps({"components": {}}), encoding="utf8")
    reviews.write_text(json.dumps(_metrics(0.8)), encoding="utf8")
    data = _reviews(tmp_path / "test.spacy")
    out = subprocess.run([sys.executable, str(SCRIPT), str(metrics), "--reviews", str(reviews),
                          "--reviews-data", str(data), "--strict"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1, out.stderr  # the other targets are missing from these metrics
    assert "✔ reached  review polarity accuracy: 80.0 (target >= 70) on 120 film reviews" in out.stdout
    assert "✘ missed   review polarity accuracy: 80.0 vs VADER 100.0" in out.stdout
