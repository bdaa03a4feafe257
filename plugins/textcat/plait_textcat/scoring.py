"""Scoring and threshold tuning for ``plait_textcat``.

``plait.textcat_scorer.v1`` reports spaCy's ``cats_*`` metrics (the same keys and meaning as
``Scorer.score_cats``), with two differences that make it fit Plait pipelines:

- decisions use the component's *per-label* thresholds (``thresholds``), not one global cutoff;
- only the component's own labels are scored, and an example whose reference ``doc.cats`` holds none of
  them is skipped entirely (several classifiers can be evaluated on one merged corpus).

Exclusive mode: the predicted label is the argmax over the component's labels, counted only if its
score reaches that label's threshold (default 0.0, i.e. always). Multi-label mode: a label is
predicted when its score is >= its threshold; a label absent from the reference cats is *missing*
(not scored), as in spaCy. ``cats_score`` is the macro F (exclusive; the positive label's F for a binary
task with ``positive_label``) or the macro AUC (multi-label), like spaCy. Beside spaCy's keys:
``{attr}_n_docs`` (the scored examples), ``{attr}_support`` / ``{attr}_predicted`` (gold and
decided examples per label) and, exclusive only, ``{attr}_acc`` (share of examples whose
decided label is the gold one) and ``{attr}_confusion`` (rows gold, columns the decided label).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from spacy.scorer import PRFScore, ROCAUCScore
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry


def default_threshold(exclusive: bool, threshold: Optional[float] = None) -> float:
    """The threshold a label has until tuned: ``threshold`` if given, else 0.0 / 0.5."""
    if threshold is not None:
        return float(threshold)
    return 0.0 if exclusive else 0.5


def score_textcat(
    examples: Iterable[Example],
    *,
    labels: Iterable[str] = (),
    exclusive: bool = True,
    thresholds: Optional[Mapping[str, float]] = None,
    threshold: Optional[float] = None,
    positive_label: Optional[str] = None,
    attr: str = "cats",
    getter: Callable[[Doc, str], Any] = getattr,
    **_: Any,
) -> Dict[str, Any]:
    """spaCy's ``cats_*`` metrics for one classifier, with per-label thresholds.

    Extra keyword arguments (the rest of the component's ``cfg``) are accepted and ignored.
    """
    labels = list(labels)
    label_set = set(labels)
    base = default_threshold(exclusive, threshold)
    cutoff = {label: float((thresholds or {}).get(label, base)) for label in labels}
    f_per_type = {label: PRFScore() for label in labels}
    auc_per_type = {label: ROCAUCScore() for label in labels}
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    n_docs = n_right = 0
    for eg in examples:
        gold = {k: float(v) for k, v in getter(eg.reference, attr).items() if k in label_set}
        if not gold:
            continue  # not annotated for this classifier
        n_docs += 1
        pred = {k: float(v) for k, v in getter(eg.predicted, attr).items() if k in label_set}
        if exclusive:
            for label in labels:
                auc_per_type[label].score_set(pred.get(label, 0.0), gold.get(label, 0.0) >= 0.5)
            gold_label = max(gold, key=gold.__getitem__)
            if gold[gold_label] < 0.5:
                gold_label = None
            pred_label = None
            if pred:
                best = max(pred, key=pred.__getitem__)
                if pred[best] >= cutoff[best]:
                    pred_label = best
            if gold_label is not None and pred_label is not None:
                matrix[index[gold_label]][index[pred_label]] += 1
            n_right += int(pred_label is not None and pred_label == gold_label)
            if pred_label is not None and pred_label == gold_label:
                f_per_type[pred_label].tp += 1
            else:
                if gold_label is not None:
                    f_per_type[gold_label].fn += 1
                if pred_label is not None:
                    f_per_type[pred_label].fp += 1
        else:
            for label, g in gold.items():
                p = pred.get(label, 0.0)
                positive = g >= 0.5
                auc_per_type[label].score_set(p, positive)
                if p >= cutoff[label]:
                    if positive:
                        f_per_type[label].tp += 1
                    else:
                        f_per_type[label].fp += 1
                elif positive:
                    f_per_type[label].fn += 1
    micro = PRFScore()
    for prf in f_per_type.values():
        micro.tp += prf.tp
        micro.fp += prf.fp
        micro.fn += prf.fn
    n_cats = len(f_per_type) + 1e-100
    results: Dict[str, Any] = {
        f"{attr}_score": None,
        f"{attr}_score_desc": None,
        f"{attr}_micro_p": micro.precision,
        f"{attr}_micro_r": micro.recall,
        f"{attr}_micro_f": micro.fscore,
        f"{attr}_macro_p": sum(p.precision for p in f_per_type.values()) / n_cats,
        f"{attr}_macro_r": sum(p.recall for p in f_per_type.values()) / n_cats,
        f"{attr}_macro_f": sum(p.fscore for p in f_per_type.values()) / n_cats,
        f"{attr}_macro_auc": sum(a.score if a.is_binary() else 0.0
                                 for a in auc_per_type.values()) / n_cats,
        f"{attr}_f_per_type": {k: v.to_dict() for k, v in f_per_type.items()},
        f"{attr}_auc_per_type": {k: (v.score if v.is_binary() else None)
                                 for k, v in auc_per_type.items()},
        f"{attr}_n_docs": n_docs,
        f"{attr}_support": {k: v.tp + v.fn for k, v in f_per_type.items()},
        f"{attr}_predicted": {k: v.tp + v.fp for k, v in f_per_type.items()},
    }
    if exclusive:
        results[f"{attr}_acc"] = n_right / n_docs if n_docs else None
        results[f"{attr}_confusion"] = {"labels": labels, "rows": "gold", "columns": "predicted",
                                        "matrix": matrix}
    if exclusive and positive_label and len(labels) == 2 and positive_label in f_per_type:
        results[f"{attr}_score"] = results[f"{attr}_f_per_type"][positive_label]["f"]
        results[f"{attr}_score_desc"] = f"F ({positive_label})"
    elif exclusive:
        results[f"{attr}_score"] = results[f"{attr}_macro_f"]
        results[f"{attr}_score_desc"] = "macro F"
    else:
        results[f"{attr}_score"] = results[f"{attr}_macro_auc"]
        results[f"{attr}_score_desc"] = "macro AUC"
    return results


@registry.scorers("plait.textcat_scorer.v1")
def make_textcat_scorer() -> Callable[..., Dict[str, Any]]:
    return score_textcat


def best_threshold(scores: Sequence[float], golds: Sequence[bool], *,
                   default: float = 0.5) -> Tuple[Optional[float], Optional[float]]:
    """The cutoff that maximises F1 of ``score >= cutoff`` against ``golds``, and that F1.

    Cutoffs are placed midway between consecutive distinct scores (below the lowest score: half of it),
    so the decision does not sit on a dev example. Ties in F1 go to the cutoff closest to ``default``.
    Returns ``(None, None)`` when there is no positive example (F1 is undefined).
    """
    n_pos = sum(1 for g in golds if g)
    if not scores or n_pos == 0:
        return None, None
    pairs = sorted(zip((float(s) for s in scores), (bool(g) for g in golds)), key=lambda p: -p[0])
    distinct: List[Tuple[float, int, int]] = []  # (score, positives, negatives) per distinct score
    for score, gold in pairs:
        if distinct and distinct[-1][0] == score:
            s, tp, fp = distinct[-1]
            distinct[-1] = (s, tp + gold, fp + (not gold))
        else:
            distinct.append((score, int(gold), int(not gold)))
    best: Optional[Tuple[float, float]] = None  # (f1, cutoff)
    tp = fp = 0
    for i, (score, pos, neg) in enumerate(distinct):
        tp += pos
        fp += neg
        f1 = 2 * tp / (tp + fp + n_pos)
        cutoff = (score + distinct[i + 1][0]) / 2 if i + 1 < len(distinct) else score / 2
        if (best is None or f1 > best[0] + 1e-12
                or (abs(f1 - best[0]) <= 1e-12 and abs(cutoff - default) < abs(best[1] - default))):
            best = (f1, cutoff)
    assert best is not None
    return float(best[1]), float(best[0])
