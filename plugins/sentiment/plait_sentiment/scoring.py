"""The ``plait.sentiment_scorer.v1`` scorer: accuracy, macro P/R/F and per-label P/R/F.

Gold is ``doc.cats`` on the reference restricted to the labels (exactly one >= 0.5); the prediction is
``doc._.sentiment["label"]`` on the predicted doc. Examples whose reference has none of the labels are
not scored. With no scored example every score is ``None`` (spaCy then leaves it out).
``{prefix}_confusion`` (rows gold, columns predicted, over the labels) and ``{prefix}_n_docs`` (the
scored examples) are what ``plait evaluate`` reports beside them.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional

from spacy.scorer import PRFScore
from spacy.training import Example
from spacy.util import registry

from .labels import gold_label, resolve_polarity_labels
from .errors import Errors, SentimentError


def score_sentiment(
    examples: Iterable[Example],
    *,
    labels: Optional[Iterable[str]] = None,
    attr: str = "sentiment",
    prefix: str = "sentiment",
    **kwargs: Any,
) -> Dict[str, Any]:
    """Score ``doc._.<attr>["label"]`` against the reference ``doc.cats``.

    Returns ``{prefix}_acc``, ``{prefix}_macro_p``, ``{prefix}_macro_r``, ``{prefix}_macro_f``,
    ``{prefix}_f_per_type`` (``{label: {"p", "r", "f"}}``), ``{prefix}_confusion``
    (``{"labels", "rows": "gold", "columns": "predicted", "matrix"}``), ``{prefix}_n_docs`` and
    ``{prefix}_polarity_acc``: over the docs whose gold is the positive or the negative label (told
    by name, as the component does), the share whose predicted polarity has the gold's sign (a
    neutral prediction counts by its polarity); None where no label reads as positive/negative.
    ``labels`` defaults to every gold cat and predicted label seen.
    """
    from spacy.tokens import Doc

    examples = list(examples)
    if examples and not Doc.has_extension(attr):
        raise SentimentError(Errors.SENT010.format(attr=attr))
    if labels is None or not list(labels):
        seen: List[str] = []
        for eg in examples:
            pred = getattr(eg.predicted._, attr)
            for label in list(eg.reference.cats) + ([pred["label"]] if pred else []):
                if label not in seen:
                    seen.append(label)
        labels = seen
    labels = list(labels)
    per_label = {label: PRFScore() for label in labels}
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    n_total = n_correct = 0
    signs = _gold_signs(labels)
    n_polar = n_polar_right = 0
    for eg in examples:
        gold = gold_label(eg.reference.cats, labels, text=eg.reference.text)
        if gold is None:
            continue
        pred_value = getattr(eg.predicted._, attr)
        pred = pred_value.get("label") if isinstance(pred_value, dict) else None
        n_total += 1
        if gold in signs and isinstance(pred_value, dict):
            n_polar += 1
            n_polar_right += float(pred_value.get("polarity", 0.0)) * signs[gold] > 0
        if pred in index:
            matrix[index[gold]][index[pred]] += 1
        if pred == gold:
            n_correct += 1
            per_label[gold].tp += 1
        else:
            per_label[gold].fn += 1
            if pred in per_label:
                per_label[pred].fp += 1
    if n_total == 0:
        return {f"{prefix}_acc": None, f"{prefix}_macro_p": None, f"{prefix}_macro_r": None,
                f"{prefix}_macro_f": None, f"{prefix}_f_per_type": None,
                f"{prefix}_confusion": None, f"{prefix}_n_docs": 0,
                f"{prefix}_polarity_acc": None}
    n = max(len(labels), 1)
    return {
        f"{prefix}_acc": n_correct / n_total,
        f"{prefix}_macro_p": sum(s.precision for s in per_label.values()) / n,
        f"{prefix}_macro_r": sum(s.recall for s in per_label.values()) / n,
        f"{prefix}_macro_f": sum(s.fscore for s in per_label.values()) / n,
        f"{prefix}_f_per_type": {label: s.to_dict() for label, s in per_label.items()},
        f"{prefix}_confusion": {"labels": labels, "rows": "gold", "columns": "predicted",
                                "matrix": matrix},
        f"{prefix}_n_docs": n_total,
        f"{prefix}_polarity_acc": n_polar_right / n_polar if n_polar else None,
    }


def _gold_signs(labels: List[str]) -> Dict[str, int]:
    """The positive label -> +1 and the negative one -> -1, where the names tell them."""
    try:
        pos, neg = resolve_polarity_labels(labels)
    except SentimentError:
        return {}
    return {pos: 1, neg: -1}


@registry.scorers("plait.sentiment_scorer.v1")
def make_sentiment_scorer() -> Callable[..., Dict[str, Any]]:
    return score_sentiment
