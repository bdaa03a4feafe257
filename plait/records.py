"""Typed records that plugins hand to Plait through the ``register(...)`` callbacks.

The core validates every record (pydantic, ``extra="forbid"``) before it is used, so a plugin that
returns something malformed is reported and skipped, never half-registered.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

NAME_PATTERN = r"^[a-z][a-z0-9_.-]*$"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class ComponentInfo(_Record):
    """A spaCy component a plugin offers for composition.

    ``factory`` is the spaCy factory name (registered by the plugin's ``spacy_factories`` entry point).
    ``config`` is the fragment written under ``[components.<name>]`` in composed configs; the composer
    places the shared transformer's listener at ``listener_path`` inside it.
    """

    name: str = Field(pattern=NAME_PATTERN)
    task: str
    factory: str
    config: Dict[str, Any] = Field(default_factory=dict)
    listener_path: Optional[str] = "model.tok2vec"
    needs_labels: bool = True
    needs_sentences: bool = False
    extensions: List[str] = Field(default_factory=list)
    description: str = ""


class EncoderInfo(_Record):
    """A named transformer encoder that resolves to a local Hugging Face folder."""

    name: str = Field(pattern=NAME_PATTERN)
    resolve: Callable[[], Path]
    package: str = ""
    description: str = ""
    width: Optional[int] = None
    max_length: Optional[int] = None
    cased: bool = False


class CorpusInfo(_Record):
    """A named corpus that converts raw files into spaCy ``.spacy`` train/dev/test files.

    ``convert(output_dir, *, seed, limit, source)`` writes ``train.spacy``, ``dev.spacy`` and
    ``test.spacy`` under ``output_dir`` and returns a mapping split -> number of docs.
    """

    name: str = Field(pattern=NAME_PATTERN)
    task: Literal["ner", "sentiment", "textcat", "summarize"]
    convert: Callable[..., Dict[str, int]]
    source: str = ""
    package: str = ""
    silver: bool = False
    license: str = ""
    description: str = ""

    @field_validator("convert")
    @classmethod
    def _callable(cls, value: Any) -> Any:
        if not callable(value):
            raise ValueError("convert must be callable")
        return value


RECORD_KINDS = {"component": ComponentInfo, "encoder": EncoderInfo, "corpus": CorpusInfo}
