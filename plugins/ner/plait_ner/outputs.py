"""The ``entities`` output contract of ``plait_ner`` (also read off spaCy's own entity pipes).

Imported by the ``plait`` entry point (plugin.py): no spaCy or torch import here.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from pydantic import Field

from plait.plugins.contracts import OutputRecord

FIELD = "entities"


class Entity(OutputRecord):
    text: str
    label: str
    start: int = Field(..., description="Character offset of the first character in the input text.")
    end: int = Field(..., description="Character offset one past the last character.")
    confidence: Optional[float] = Field(None, description="span._.confidence, in [0, 1], if set.")


def _confidence(span: Any) -> Optional[float]:
    if not type(span).has_extension("confidence"):
        return None
    value = span._.confidence
    return None if value is None else float(value)


def read_entities(doc: Any, pipe_name: str) -> List[Dict[str, Any]]:
    """``doc.ents`` with ``span._.confidence``, offsets relative to ``doc``."""
    return [{"text": e.text, "label": e.label_, "start": e.start_char, "end": e.end_char,
             "confidence": _confidence(e)} for e in doc.ents]


def output_info():
    from plait.plugins.contracts import OutputInfo

    # merge: the "spans" default (lists concatenated, offsets moved into the whole text)
    return OutputInfo(field=FIELD, read=read_entities, python_type=List[Entity], view="spans",
                      assigns=["doc.ents"],
                      description="Named entities (doc.ents), with span._.confidence when set.")
