"""The ``plait.summarizer_scorer.v1`` scorer: ROUGE-1/2/L F of the summaries, and of Lead-3.

Uses Google's ``rouge-score`` package (imported when scoring, not at import time).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Optional

from spacy.training import Example
from spacy.util import registry

from .oracle import sentence_bounds

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")


def rouge_scorer(use_stemmer: bool = True):
    from rouge_score import rouge_scorer as _rs

    return _rs.RougeScorer(list(ROUGE_TYPES), use_stemmer=use_stemmer)


def lead_summary(doc, n: int = 3) -> str:
    """The first ``n`` sentences of ``doc`` (its own boundaries, else the rule-based sentencizer's)."""
    return " ".join(doc[s:e].text.strip() for s, e in sentence_bounds(doc)[:n])


def score_summaries(examples: Iterable[Example], *, prefix: str = "summary", lead: int = 3,
                    use_stemmer: bool = True, **kwargs: Any) -> Dict[str, Any]:
    """Mean ROUGE F of ``predicted._.summary`` against ``reference.user_data["plait.summary"]``.

    Returns ``{prefix}_rouge1/2/L`` and, for the Lead-``lead`` baseline on the same docs,
    ``{prefix}_lead{lead}_rouge1/2/L``, with ``{prefix}_n_docs`` (the scored docs) and
    ``{prefix}_mean_words`` (mean words of the summaries, the baseline and the references).
    Examples without a reference summary are ignored; with none at all every ROUGE value is
    ``None``. Extra keyword arguments (the component's cfg) are ignored.
    """
    from .component import reference_summary

    scorer = None
    totals = {f"{prefix}_{t}": 0.0 for t in ROUGE_TYPES}
    totals.update({f"{prefix}_lead{lead}_{t}": 0.0 for t in ROUGE_TYPES})
    words = {"model": 0, f"lead{lead}": 0, "reference": 0}
    n = 0
    for i, eg in enumerate(examples):
        ref = reference_summary(eg, i, "plait_summarizer scorer")
        if ref is None:
            continue
        if scorer is None:
            scorer = rouge_scorer(use_stemmer)
        doc = eg.predicted
        predicted = doc._.summary if doc.has_extension("summary") else None
        lead_text = lead_summary(doc, lead)
        result = scorer.score(ref, predicted or "")
        baseline = scorer.score(ref, lead_text)
        words["model"] += len((predicted or "").split())
        words[f"lead{lead}"] += len(lead_text.split())
        words["reference"] += len(ref.split())
        for t in ROUGE_TYPES:
            totals[f"{prefix}_{t}"] += result[t].fmeasure
            totals[f"{prefix}_lead{lead}_{t}"] += baseline[t].fmeasure
        n += 1
    if n == 0:
        return {**{key: None for key in totals}, f"{prefix}_n_docs": 0,
                f"{prefix}_mean_words": None}
    return {**{key: value / n for key, value in totals.items()}, f"{prefix}_n_docs": n,
            f"{prefix}_mean_words": {k: v / n for k, v in words.items()}}


@registry.scorers("plait.summarizer_scorer.v1")
def make_summarizer_scorer(prefix: str = "summary", lead: int = 3,
                           use_stemmer: bool = True) -> Callable[..., Dict[str, Optional[float]]]:
    """Scorer for ``plait_summarizer``: ROUGE-1/2/L F and the Lead-``lead`` baseline."""

    def scorer(examples: Iterable[Example], **kwargs: Any) -> Dict[str, Optional[float]]:
        return score_summaries(examples, prefix=prefix, lead=lead, use_stemmer=use_stemmer)

    return scorer
