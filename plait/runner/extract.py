"""Reading a processed Doc's component outputs, and merging the outputs of a text's segments, through
the components' output contracts (:mod:`plait.outputs`).

``extract_segment`` runs where the Doc is (in a worker) and returns plain, picklable data; only that
crosses process boundaries. A component that only saw part of a text marks it with
``doc.user_data["plait.truncated"] = True`` (or a ``doc._.truncated`` extension).
"""
from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from ..outputs import Outputs, Segment, merge_outputs, outputs_for, read_segment

__all__ = ["Outputs", "Segment", "extract_segment", "merge_segments", "outputs_for"]


def extract_segment(doc: Any, outputs: Outputs) -> Segment:
    """The component outputs of one processed Doc, as plain data with offsets relative to the Doc."""
    return read_segment(doc, outputs)


def merge_segments(parts: Sequence[Tuple[int, Segment]], text: str) -> Dict[str, Any]:
    """Result fields for a text from its segments' outputs: ``parts`` is ``(offset, segment)`` in
    text order. Each output merges through its contract (offsets moved into the whole text, scores
    combined, ... as the component declares)."""
    warnings: List[str] = []
    for _, seg in parts:
        for w in seg.get("warnings", []):
            if w not in warnings:
                warnings.append(w)
    fields = merge_outputs(parts, text, warnings)
    return {**fields, "truncated": any(seg.get("truncated") for _, seg in parts),
            "segments": len(parts), "warnings": warnings}
