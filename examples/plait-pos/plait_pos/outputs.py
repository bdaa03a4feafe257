"""The ``pos`` output contract: every token's part-of-speech tag, as spans of the text.

Imported by the ``plait`` entry point (plugin.py), so it imports neither spaCy nor torch.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from pydantic import BaseModel, ConfigDict, Field

FIELD = "pos"


class Tag(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    start: int = Field(..., description="Character offset of the token in the input text.")
    end: int = Field(..., description="Character offset one past the token's last character.")
    label: str = Field(..., description="The token's tag (token.tag_).")


def read_tags(doc: Any, pipe_name: str) -> Optional[List[Dict[str, Any]]]:
    """``token.tag_`` of every tagged, non-space token; offsets relative to ``doc``."""
    if len(doc) and not doc.has_annotation("TAG"):
        return None
    return [{"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "label": t.tag_}
            for t in doc if t.tag_ and not t.is_space]


def output_info():
    from plait.plugins.contracts import OutputInfo

    # no merge: the "spans" default concatenates the segments' tags, offsets moved into the text
    return OutputInfo(field=FIELD, read=read_tags, python_type=List[Tag], view="spans",
                      description="Part-of-speech tags (token.tag_), one span per token.")
