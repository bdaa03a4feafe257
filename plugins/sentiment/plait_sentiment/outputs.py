"""The ``sentiment`` output contract of ``plait_sentiment``: document and per-sentence sentiment.

Imported by the ``plait`` entry point (plugin.py): no spaCy or torch import here.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from pydantic import Field

from plait.plugins.contracts import OutputRecord

FIELD = "sentiment"


class SentenceSentiment(OutputRecord):
    start: int
    end: int
    label: str
    scores: Dict[str, float]
    polarity: float


class Sentiment(OutputRecord):
    label: str
    scores: Dict[str, float]
    polarity: float = Field(..., description="In [-1, 1].")
    sentences: List[SentenceSentiment] = Field(default_factory=list)


def _ext(obj: Any, name: str) -> Any:
    return getattr(obj._, name) if type(obj).has_extension(name) else None


def _value(value: Any) -> Optional[Dict[str, Any]]:
    if not isinstance(value, dict) or "label" not in value:
        return None
    return {"label": str(value["label"]),
            "scores": {str(k): float(v) for k, v in (value.get("scores") or {}).items()},
            "polarity": float(value.get("polarity", 0.0))}


def read_sentiment(doc: Any, pipe_name: str) -> Optional[Dict[str, Any]]:
    """``doc._.sentiment`` and every sentence's ``span._.sentiment`` (offsets relative to ``doc``)."""
    value = _value(_ext(doc, "sentiment"))
    if value is None:
        return None
    sentences: List[Dict[str, Any]] = []
    if len(doc) > 0 and (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        for sent in doc.sents:
            s = _value(_ext(sent, "sentiment"))
            if s is not None:
                sentences.append({"start": sent.start_char, "end": sent.end_char, **s})
    return {**value, "sentences": sentences}


def merge_sentiment(parts, text: str, warnings: List[str]) -> Dict[str, Any]:
    """Scores and polarity averaged weighted by segment length; the label is the best merged score;
    sentences concatenated (plait's "sentence-polarity" merge)."""
    from plait.runtime.outputs import merge_sentence_polarity

    return merge_sentence_polarity(parts, text, warnings)


def output_info():
    from plait.plugins.contracts import OutputInfo

    return OutputInfo(field=FIELD, read=read_sentiment, merge=merge_sentiment, python_type=Sentiment,
                      view="sentence-polarity", assigns=["doc._.sentiment"],
                      description="Document sentiment (doc._.sentiment) and per-sentence sentiment "
                                  "(span._.sentiment), polarity in [-1, 1].")
