"""Metrics of the PEER systems of the quality table (scripts/peers.py): en_core_web_md, VADER,
TF-IDF+LR, Lead-3 - systems that are not Plait components, so no component scorer scores them.

Plait's own figures come from each component's scorer (``plait evaluate``); the definitions here
follow those scorers where they can (exact span and label for entities; ROUGE-1/2/L F with stemming).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

SUMMARY_KEY = "plait.summary"

def read_docs(path: Path, vocab) -> List[Tuple[str, Any]]:
    """(file name, gold doc) for every doc of every .spacy file under ``path`` (sorted, like spaCy)."""
    from spacy.tokens import DocBin
    from spacy.training.corpus import walk_corpus

    files = walk_corpus(path, ".spacy")
    if not files:
        raise SystemExit(f"No .spacy files under {path}")
    out = []
    for f in files:
        for doc in DocBin().from_disk(f).get_docs(vocab):
            out.append((Path(f).name, doc))
    return out


def prf(tp: int, fp: int, fn: int) -> Dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f, "support": tp + fn, "predicted": tp + fp}


def gold_label(doc, labels: Sequence[str]) -> Optional[str]:
    cats = {k: v for k, v in doc.cats.items() if k in labels}
    if not cats:
        return None
    return max(cats, key=lambda k: cats[k])


def confusion(gold: List[str], pred: List[str], labels: Sequence[str]) -> Dict[str, Any]:
    index = {lab: i for i, lab in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred):
        if g in index and p in index:
            matrix[index[g]][index[p]] += 1
    return {"labels": list(labels), "rows": "gold", "columns": "predicted", "matrix": matrix}


def single_label_metrics(gold: List[str], pred: List[str], labels: Sequence[str]) -> Dict[str, Any]:
    per_label = {}
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred))
        per_label[lab] = prf(tp, fp, fn)
    n = len(gold)
    return {"n": n, "accuracy": sum(g == p for g, p in zip(gold, pred)) / n if n else None,
            "macro_f": sum(v["f"] for v in per_label.values()) / len(labels) if labels else None,
            "per_label": per_label, "confusion": confusion(gold, pred, labels)}


def eval_summaries(pairs, lead_n: int = 3) -> Dict[str, Any]:
    from rouge_score import rouge_scorer

    kinds = ["rouge1", "rouge2", "rougeL"]
    scorer = rouge_scorer.RougeScorer(kinds, use_stemmer=True)
    sums = {"model": Counter(), "lead3": Counter()}
    lengths = {"model": 0, "lead3": 0, "reference": 0}
    n = 0
    for p, g in pairs:
        reference = g.user_data.get(SUMMARY_KEY)
        if not reference:
            continue
        summary = getattr(p._, "summary", None) or ""
        lead = " ".join(s.text for s in list(p.sents)[:lead_n]) if p.has_annotation("SENT_START") \
            else " ".join(p.text.split()[:60])
        for name, text in (("model", summary), ("lead3", lead)):
            scores = scorer.score(reference, text)
            for k in kinds:
                sums[name][k] += scores[k].fmeasure
            lengths[name] += len(text.split())
        lengths["reference"] += len(reference.split())
        n += 1
    avg = {name: {k: (sums[name][k] / n if n else None) for k in kinds} for name in sums}
    return {"n": n, "rouge": avg["model"], "lead3": avg["lead3"],
            "mean_words": {k: (v / n if n else None) for k, v in lengths.items()}}
