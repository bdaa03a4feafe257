"""The result of processing one record: a pydantic model with a published JSON schema.

A field is ``null`` when the pipeline has no component producing it (no NER: ``entities`` is null; an
NER that found nothing: ``[]``). Regenerate ``docs/result.schema.json`` with
``python -m plait.results docs/result.schema.json``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

SCHEMA_ID = "https://plait.dev/schemas/result.schema.json"


class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    label: str
    start: int = Field(..., description="Character offset of the first character in the input text.")
    end: int = Field(..., description="Character offset one past the last character.")
    confidence: Optional[float] = Field(None, description="span._.confidence, in [0, 1], if set.")


class SentenceSentiment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: int
    end: int
    label: str
    scores: Dict[str, float]
    polarity: float


class Sentiment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    scores: Dict[str, float]
    polarity: float = Field(..., description="In [-1, 1].")
    sentences: List[SentenceSentiment] = Field(default_factory=list)


class Result(BaseModel):
    """One output record. Input fields other than the text and id are kept in ``extra``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"$id": SCHEMA_ID})

    id: Union[int, str, None] = Field(..., description="The record's id field, else its line number.")
    line: Optional[int] = Field(None, description="1-based record number in the input.")
    entities: Optional[List[Entity]] = None
    sentiment: Optional[Sentiment] = None
    categories: Optional[Dict[str, float]] = None
    summary: Optional[str] = None
    truncated: bool = Field(False, description="True if some text was not seen by every component.")
    segments: int = Field(1, description="How many segments a long text was processed in.")
    warnings: List[str] = Field(default_factory=list)
    errors: List[str] = Field(default_factory=list, description="Non-empty for a rejected record.")
    extra: Dict[str, Any] = Field(default_factory=dict, description="Other input fields, unchanged.")
    _record: Any = PrivateAttr(default=None)  # a rejected record as read (for the rejects file)

    @property
    def ok(self) -> bool:
        return not self.errors


def json_schema() -> Dict[str, Any]:
    """The published JSON schema of :class:`Result`."""
    schema = Result.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def write_json_schema(path: Union[str, Path]) -> Path:
    path = Path(path)
    path.write_text(schema_text(), encoding="utf8")
    return path


if __name__ == "__main__":  # python -m plait.results [PATH]
    if len(sys.argv) > 1:
        print(write_json_schema(sys.argv[1]))
    else:
        sys.stdout.write(schema_text())
