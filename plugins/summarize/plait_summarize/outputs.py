"""The ``summary`` output contract of ``plait_summarizer``: an extractive summary of the text.

A segment's value keeps its sentence scores, so the summary of a long text is the best-scored
sentences over all its segments. Imported by the ``plait`` entry point: no spaCy or torch import here.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

FIELD = "summary"


def _ext(obj: Any, name: str) -> Any:
    return getattr(obj._, name) if type(obj).has_extension(name) else None


def read_summary(doc: Any, pipe_name: str) -> Optional[Dict[str, Any]]:
    """``doc._.summary``, the chosen sentences (``doc._.summary_sents``) and every sentence's
    ``span._.summary_score``, offsets relative to ``doc``; None without a summary."""
    summary = _ext(doc, "summary")
    if summary is None:
        return None
    scored = []
    if len(doc) > 0 and (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        for sent in doc.sents:
            score = _ext(sent, "summary_score")
            if score is not None:
                scored.append([sent.start_char, sent.end_char, float(score)])
    chosen = _ext(doc, "summary_sents")
    return {"summary": str(summary),
            "chosen": None if chosen is None else [[s.start_char, s.end_char] for s in chosen],
            "scored": scored}


def merge_summary(parts, text: str, warnings: List[str]) -> str:
    """One segment: its summary. Several: the best-scored sentences over all segments, as many as the
    longest segment summary, in text order; without sentence scores, the summaries joined."""
    if len(parts) == 1:
        return parts[0][1]["summary"]
    scored = {(off + s, off + e): sc for off, v in parts for s, e, sc in v.get("scored") or []}
    chosen = [v.get("chosen") for _, v in parts]
    if scored and all(c is not None for c in chosen):
        k = max(1, max(len(c) for c in chosen if c is not None))
        top = sorted(scored, key=lambda span: -scored[span])[:k]
        return " ".join(text[s:e].strip() for s, e in sorted(top))
    warnings.append(f"summary joined from {len(parts)} segment summaries (no sentence scores)")
    return " ".join(v["summary"].strip() for _, v in parts if v["summary"])


def output_info():
    from plait.plugins.contracts import OutputInfo

    return OutputInfo(field=FIELD, read=read_summary, merge=merge_summary,
                      schema={"type": "string"}, view="extract", assigns=["doc._.summary"],
                      description="Extractive summary (doc._.summary): sentences of the text.")
