"""The ``plait.ner_scorer.v1`` scorer: spaCy's entity P/R/F plus the calibration error of confidences.

``ents_ece`` is the expected calibration error (10 equal-width bins over [0, 1]) of ``span._.confidence``
of the predicted entities, where an entity counts as correct iff a gold entity has exactly its span and
label. As in spaCy's ``get_ner_prf``, docs without NER annotation and predictions that overlap tokens
with missing gold annotation are left out. Entities without a confidence are left out too.
``ents_calibration`` holds the reliability bins behind it (mean confidence vs share correct per bin),
the Brier score, mean confidence and precision of those entities; ``ents_support`` /
``ents_predicted`` count gold and predicted entities per label, ``ents_n_docs`` the scored docs and
``ents_without_confidence`` the predicted entities that carry none (what ``plait evaluate`` reports).
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.scorer import get_ner_prf
from spacy.training import Example
from spacy.util import registry

from .errors import Errors, PlaitNERError

N_BINS = 10


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool],
                               n_bins: int = N_BINS) -> Optional[float]:
    """ECE = sum over equal-width bins of (bin share) * |accuracy - mean confidence|; None if empty."""
    if len(confidences) != len(correct):
        raise PlaitNERError(Errors.NER026.format(n_confidences=len(confidences),
                                                 n_correct=len(correct)))
    if not len(confidences):
        return None
    bins: List[List[Tuple[float, bool]]] = [[] for _ in range(n_bins)]
    for conf, ok in zip(confidences, correct):
        conf = float(conf)
        if not 0.0 <= conf <= 1.0:
            raise PlaitNERError(Errors.NER027.format(conf=conf))
        bins[min(int(conf * n_bins), n_bins - 1)].append((conf, bool(ok)))
    total = len(confidences)
    ece = 0.0
    for members in bins:
        if members:
            mean_conf = sum(c for c, _ in members) / len(members)
            accuracy = sum(1 for _, ok in members if ok) / len(members)
            ece += len(members) / total * abs(accuracy - mean_conf)
    return ece


def calibration(confidences: Sequence[float], correct: Sequence[bool],
                n_bins: int = N_BINS) -> Dict[str, Any]:
    """Reliability bins (equal width over [0, 1]) of (confidence, correct) pairs, with the ECE, the
    Brier score, the mean confidence and the share correct; figures are None when there is none."""
    bins = [{"lo": i / n_bins, "hi": (i + 1) / n_bins, "n": 0, "conf_sum": 0.0, "correct": 0}
            for i in range(n_bins)]
    for conf, ok in zip(confidences, correct):
        b = bins[min(int(float(conf) * n_bins), n_bins - 1)]
        b["n"] += 1
        b["conf_sum"] += float(conf)
        b["correct"] += int(bool(ok))
    total = len(confidences)
    out = [{"lo": b["lo"], "hi": b["hi"], "n": b["n"],
            "mean_confidence": b["conf_sum"] / b["n"] if b["n"] else None,
            "accuracy": b["correct"] / b["n"] if b["n"] else None} for b in bins]
    return {"bins": out, "n": total,
            "ece": expected_calibration_error(confidences, correct, n_bins),
            "brier": (sum((float(c) - float(ok)) ** 2 for c, ok in zip(confidences, correct)) / total
                      if total else None),
            "mean_confidence": sum(float(c) for c in confidences) / total if total else None,
            "precision": sum(1 for ok in correct if ok) / total if total else None}


def entity_outcomes(examples: Iterable[Example], attr: str = "confidence"
                    ) -> Tuple[List[float], List[bool]]:
    """Confidence and correctness (exact span and label) of every scorable predicted entity."""
    confidences: List[float] = []
    correct: List[bool] = []
    for eg in examples:
        if not eg.y.has_annotation("ENT_IOB"):
            continue
        golds = {(e.label_, e.start, e.end) for e in eg.y.ents}
        x2y = eg.alignment.x2y
        for ent in eg.x.ents:
            conf = getattr(ent._, attr, None) if ent.has_extension(attr) else None
            if conf is None:
                continue
            indices = x2y[ent.start: ent.end]
            if not len(indices):
                continue
            g_span = eg.y[indices[0]: indices[-1] + 1]
            if not all(token.ent_iob != 0 for token in g_span):
                continue  # gold annotation missing here: neither right nor wrong
            confidences.append(float(conf))
            correct.append((ent.label_, int(indices[0]), int(indices[-1]) + 1) in golds)
    return confidences, correct


def entity_counts(examples: Sequence[Example], attr: str = "confidence") -> Dict[str, Any]:
    """Scored docs, gold and predicted entities per label, and predictions without a confidence,
    over the examples whose reference has NER annotation."""
    support: Dict[str, int] = {}
    predicted: Dict[str, int] = {}
    n_docs = missing = 0
    for eg in examples:
        if not eg.y.has_annotation("ENT_IOB"):
            continue
        n_docs += 1
        for ent in eg.y.ents:
            support[ent.label_] = support.get(ent.label_, 0) + 1
        for ent in eg.x.ents:
            predicted[ent.label_] = predicted.get(ent.label_, 0) + 1
            if not ent.has_extension(attr) or getattr(ent._, attr, None) is None:
                missing += 1
    return {"ents_n_docs": n_docs, "ents_support": dict(sorted(support.items())),
            "ents_predicted": dict(sorted(predicted.items())), "ents_without_confidence": missing}


def ner_score(examples: Iterable[Example], **kwargs: Any) -> Dict[str, Any]:
    """``ents_p``, ``ents_r``, ``ents_f``, ``ents_per_type`` (spaCy), ``ents_ece``, and the figures
    behind them (``ents_calibration``, ``ents_support``, ``ents_predicted``, ``ents_n_docs``,
    ``ents_without_confidence``)."""
    examples = list(examples)
    scores: Dict[str, Any] = dict(get_ner_prf(examples))
    confidences, correct = entity_outcomes(examples)
    scores["ents_ece"] = expected_calibration_error(confidences, correct)
    scores["ents_calibration"] = calibration(confidences, correct)
    scores.update(entity_counts(examples))
    return scores


@registry.scorers("plait.ner_scorer.v1")
def make_ner_scorer():
    return ner_score
