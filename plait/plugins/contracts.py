"""Typed records that plugins hand to Plait through the ``register(...)`` callbacks.

The core validates every record (pydantic, ``extra="forbid"``) before it is used, so a plugin that
returns something malformed is reported and skipped, never half-registered.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple

from pydantic import BaseModel, ConfigDict, Field, field_validator

NAME_PATTERN = r"^[a-z][a-z0-9_.-]*$"
FIELD_PATTERN = r"^[a-z][a-z0-9_]*$"
VIEWS = ("spans", "scores", "sentence-polarity", "extract", "json")
#: Result fields every result has; no component output may take one of these names.
RESERVED_FIELDS = frozenset({"id", "line", "truncated", "segments", "warnings", "errors", "extra",
                             "ok", "outputs", "model_config", "model_fields"})


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class OutputRecord(BaseModel):
    """A base for the pydantic models of a component's output (``OutputInfo.python_type``): unknown
    keys are refused, so results carry exactly the fields the contract names."""

    model_config = ConfigDict(extra="forbid")


with warnings.catch_warnings():  # the contract's field is called ``schema`` (BaseModel has one too)
    warnings.filterwarnings("ignore", message='Field name "schema"')

    class OutputInfo(_Record):
        """A component's output contract: how its output reaches results, files, reports and UIs.

        ``read(doc, pipe_name)`` runs where the Doc is (maybe a worker process) and returns plain,
        picklable, JSON-able data for ONE processed Doc (a segment of a long text), character
        offsets relative to that Doc; ``None`` means "no output on this Doc". ``merge(parts, text,
        warnings)`` makes the final value of a text from its segments' values (``parts``: the
        ``(char_offset, value)`` of every segment whose value is not None, in text order; ``text``:
        the whole text; append to ``warnings`` to tell the user something); it runs for one segment
        too, so ``read`` may return an intermediate value that only ``merge`` finishes. Without a
        ``merge``, the view's default applies (:func:`plait.runtime.outputs.default_merge`).

        ``schema`` is the JSON-schema fragment of the final value (``null`` is always allowed: a
        pipeline without the component); ``python_type`` optionally gives a Python type (a pydantic
        model, ``List[Model]``, ...) that results validate the value into, so ``result.<field>``
        has attributes. ``view`` tells a UI how to show the value: ``spans`` (a list of
        ``{start, end, label, confidence?, ...}``), ``scores`` (``{label: float}``, or ``{label,
        scores: {label: float}}`` with the decided label),
        ``sentence-polarity`` (``{label, scores, polarity, sentences: [{start, end, label, scores,
        polarity}]}``), ``extract`` (a string made of sentences of the text) or ``json`` (anything).
        ``assigns`` lists Doc attributes (as in spaCy's factory ``assigns``) whose writers this
        contract can read even when their factory registered no contract (spaCy's own pipes).
        """

        field: str = Field(pattern=FIELD_PATTERN)
        read: Callable[..., Any]
        merge: Optional[Callable[..., Any]] = None
        schema: Dict[str, Any] = Field(default_factory=dict)
        python_type: Any = None
        view: Literal["spans", "scores", "sentence-polarity", "extract", "json"] = "json"
        assigns: List[str] = Field(default_factory=list)
        description: str = ""

        @field_validator("field")
        @classmethod
        def _not_reserved(cls, value: str) -> str:
            if value in RESERVED_FIELDS:
                raise ValueError(f"'{value}' is a fixed result field; choose another output field")
            return value

        @field_validator("read", "merge")
        @classmethod
        def _callable(cls, value: Any) -> Any:
            if value is not None and not callable(value):
                raise ValueError("must be callable")
            return value


class EvaluationInfo(_Record):
    """How ``plait evaluate`` presents a component's scores; every part is optional.

    The scores themselves always come from the component's own spaCy scorer (``pipe.score``).
    ``figures(scores, pipe) -> dict`` names the figures a reader looks for (added to the component's
    entry in metrics.json, e.g. ``{"accuracy": scores["x_acc"]}``); ``headline(entry) -> str`` is one
    line of its main numbers; ``report(name, entry, plots) -> str`` its Markdown section (``plots``:
    :class:`plait.evaluation.report.Plots`). Without them the entry holds the scores and the report a
    generic table of them.
    """

    figures: Optional[Callable[..., Dict[str, Any]]] = None
    headline: Optional[Callable[..., str]] = None
    report: Optional[Callable[..., str]] = None
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
    places the shared transformer's listener at ``listener_path`` inside it. ``output`` is the
    component's output contract (:class:`OutputInfo`): without one, its pipes add nothing to results.
    ``zero_shot`` names another registered component that stands in for this one when there is no
    training example (it learns its labels from their names or descriptions, and is scored by the
    same scorer): the 0-example point of ``plait curve``.
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
    output: Optional[OutputInfo] = None
    evaluation: Optional[EvaluationInfo] = None
    zero_shot: Optional[str] = Field(None, pattern=NAME_PATTERN)
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
    task: str = Field(pattern=NAME_PATTERN, description="The task the corpus trains (any name a "
                      "component plugin uses, e.g. its ComponentInfo.task).")
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
