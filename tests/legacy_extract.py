"""The runner's extract/merge BEFORE the output contract (plait/runner/extract.py as it was), kept verbatim as
the REFERENCE for tests/test_outputs_legacy.py: results through the contracts must equal these. Not used
by Plait.

Reading the documented component outputs off a Doc, and merging the outputs of a text's segments.

``extract_segment`` runs where the Doc is (in a worker) and returns plain, picklable data; only that
crosses process boundaries. Outputs (docs/components.md): ``doc.ents`` + ``span._.confidence``,
``doc._.sentiment`` / ``span._.sentiment``, ``doc.cats``, ``doc._.summary`` (+ ``doc._.summary_sents``,
``span._.summary_score``). A component that only saw part of a text marks it with
``doc.user_data["plait.truncated"] = True`` (or a ``doc._.truncated`` extension).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

Segment = Dict[str, Any]


@dataclass(frozen=True)
class Capabilities:
    entities: bool = False
    categories: bool = False

    @classmethod
    def from_nlp(cls, nlp: Any) -> "Capabilities":
        assigns = set()
        factories = []
        for name in nlp.pipe_names:
            meta = nlp.get_pipe_meta(name)
            assigns.update(meta.assigns)
            factories.append(meta.factory)
        return cls(entities="doc.ents" in assigns or any(f.endswith("ner") for f in factories),
                   categories="doc.cats" in assigns or any("textcat" in f for f in factories))


def _ext(obj: Any, name: str) -> Any:
    return getattr(obj._, name) if type(obj).has_extension(name) else None


def _sentiment(value: Any) -> Optional[Dict[str, Any]]:
    if not isinstance(value, dict) or "label" not in value:
        return None
    return {"label": str(value["label"]),
            "scores": {str(k): float(v) for k, v in (value.get("scores") or {}).items()},
            "polarity": float(value.get("polarity", 0.0))}


def extract_segment(doc: Any, caps: Capabilities) -> Segment:
    """The component outputs of one processed Doc, as plain data with offsets relative to the Doc."""
    out: Segment = {"length": len(doc.text), "warnings": []}
    if caps.entities or doc.ents:
        out["entities"] = [
            {"text": e.text, "label": e.label_, "start": e.start_char, "end": e.end_char,
             "confidence": (None if _ext(e, "confidence") is None else float(_ext(e, "confidence")))}
            for e in doc.ents]
    out["categories"] = ({k: float(v) for k, v in doc.cats.items()}
                         if caps.categories or doc.cats else None)
    out["sentiment"] = _sentiment(_ext(doc, "sentiment"))
    has_sents = len(doc) > 0 and (doc.has_annotation("SENT_START") or doc.has_annotation("DEP"))
    sentences: List[Dict[str, Any]] = []
    scored: List[Tuple[int, int, float]] = []
    if has_sents:
        for sent in doc.sents:
            s = _sentiment(_ext(sent, "sentiment"))
            if s is not None:
                sentences.append({"start": sent.start_char, "end": sent.end_char, **s})
            score = _ext(sent, "summary_score")
            if score is not None:
                scored.append((sent.start_char, sent.end_char, float(score)))
    out["sentences"] = sentences
    summary = _ext(doc, "summary")
    out["summary"] = None if summary is None else str(summary)
    chosen = _ext(doc, "summary_sents")
    out["summary_sents"] = ([(s.start_char, s.end_char) for s in chosen] if chosen is not None
                            else None)
    out["sentence_scores"] = scored
    out["truncated"] = bool(doc.user_data.get("plait.truncated") or _ext(doc, "truncated"))
    return out


def _weighted(values: Sequence[Tuple[Dict[str, float], float]]) -> Dict[str, float]:
    if len(values) == 1:
        return dict(values[0][0])
    total = sum(w for _, w in values) or 1.0
    labels: List[str] = []
    for scores, _ in values:
        labels.extend(k for k in scores if k not in labels)
    return {k: sum(s.get(k, 0.0) * w for s, w in values) / total for k in labels}


def _merge_sentiment(parts: Sequence[Tuple[int, Segment]]) -> Optional[Dict[str, Any]]:
    items = [(off, seg) for off, seg in parts if seg.get("sentiment")]
    if not items:
        return None
    weights = [max(seg["length"], 1) for _, seg in items]
    scores = _weighted([(seg["sentiment"]["scores"], w) for (_, seg), w in zip(items, weights)])
    polarity = (items[0][1]["sentiment"]["polarity"] if len(items) == 1 else
                sum(seg["sentiment"]["polarity"] * w for (_, seg), w in zip(items, weights))
                / sum(weights))
    label = max(scores, key=scores.get) if scores else items[0][1]["sentiment"]["label"]
    sentences = [{**s, "start": s["start"] + off, "end": s["end"] + off}
                 for off, seg in parts for s in seg.get("sentences", [])]
    return {"label": label, "scores": scores, "polarity": polarity, "sentences": sentences}


def _merge_summary(parts: Sequence[Tuple[int, Segment]], text: str,
                   warnings: List[str]) -> Optional[str]:
    summaries = [seg.get("summary") for _, seg in parts]
    if all(s is None for s in summaries):
        return None
    if len(parts) == 1:
        return summaries[0]
    scored = {(off + s, off + e): sc for off, seg in parts for s, e, sc in seg.get("sentence_scores", [])}
    chosen = [seg.get("summary_sents") for _, seg in parts]
    if scored and all(c is not None for c in chosen):
        k = max(1, max(len(c) for c in chosen if c is not None))
        top = sorted(scored, key=lambda span: -scored[span])[:k]
        return " ".join(text[s:e].strip() for s, e in sorted(top))
    warnings.append(f"summary joined from {len(parts)} segment summaries (no sentence scores)")
    return " ".join(s.strip() for s in summaries if s)


def merge_segments(parts: Sequence[Tuple[int, Segment]], text: str) -> Dict[str, Any]:
    """Result fields for a text from its segments' outputs: ``parts`` is ``(offset, segment)`` in
    text order. Entities are concatenated with offsets corrected; sentiment scores and polarity are
    averaged weighted by segment length; categories likewise; the summary keeps the best-scored
    sentences over all segments (as many as the longest per-segment summary)."""
    warnings: List[str] = [w for _, seg in parts for w in seg.get("warnings", [])]
    entities = None
    if any(seg.get("entities") is not None for _, seg in parts):
        entities = [{**e, "start": e["start"] + off, "end": e["end"] + off}
                    for off, seg in parts for e in seg.get("entities") or []]
    cats = [(seg["categories"], max(seg["length"], 1)) for _, seg in parts
            if seg.get("categories") is not None]
    return {
        "entities": entities,
        "categories": _weighted(cats) if cats else None,
        "sentiment": _merge_sentiment(parts),
        "summary": _merge_summary(parts, text, warnings),
        "truncated": any(seg.get("truncated") for _, seg in parts),
        "segments": len(parts),
        "warnings": warnings,
    }
