"""Typed records that plugins hand to Plait through the ``register(...)`` callbacks.

The core validates every record (pydantic, ``extra="forbid"``) before it is used, so a plugin that
returns something malformed is reported and skipped, never half-registered.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple

from pydantic import BaseModel, ConfigDict, Field, field_validator

NAME_PATTERN = r"^[a-z][a-z0-9_.-]*$"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class GoldInfo(_Record):
    """How imported records become gold annotation for a component (``plait data import``).

    The core reads the user's files and hands each record over as a :class:`plait.data.Gold` in one of
    the shapes the component ``accepts``: ``"labels"`` (``gold.labels``: label -> 0.0/1.0 over every
    label of the data), ``"spans"`` (``gold.spans``: token-aligned ``(start, end, label)``) or
    ``"pair"`` (``gold.target``: a target text, e.g. a reference summary). ``annotate(doc, gold)`` puts
    it on the reference ``Doc`` following the component's gold convention; ``read(doc)`` is its inverse
    (the gold a ``Doc`` holds for this component, or ``None``: stats and ``.spacy`` pass-through).
    ``exclusive``: for "labels", True = exactly one label per record (others are rejected), False =
    multi-label, None = either (the data decides). ``overlapping``: spans may overlap (else rejected).
    ``configure(summary)`` returns the pipeline spec ``options`` that suit the imported data
    (``summary``: ``labels``, ``multi_label``, ``counts``), written by ``plait init``. ``fields``: the
    record fields that hold the gold when the user names none (the first one a record has is used).
    """

    accepts: Tuple[Literal["labels", "spans", "pair"], ...] = Field(min_length=1)
    annotate: Callable[..., None]
    read: Callable[..., Any]
    exclusive: Optional[bool] = True
    overlapping: bool = False
    configure: Optional[Callable[[Dict[str, Any]], Dict[str, Any]]] = None
    fields: Tuple[str, ...] = ()


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
    gold: Optional[GoldInfo] = None  # how `plait data import` writes this component's gold data
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
