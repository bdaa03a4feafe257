"""Declarative pipeline specs (``pipeline/*.yml``), validated with pydantic.

A spec names the language, the shared encoder, the components (by their registered names) with options,
and the training settings. :func:`load_spec` turns every validation problem into a :class:`SpecError`
that names the file, the key path, what was expected, and the nearest installed component for a typo.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Literal, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from plait.errors import Errors, SpecError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TransformerSpec(_Strict):
    window: int = Field(128, gt=8, le=512, description="tokens (spaCy's) per strided span; their wordpieces must fit the encoder's limit")
    stride: int = Field(96, gt=0, description="step between spans (< window: overlap)")
    max_batch_items: int = Field(4096, gt=0)
    grad_factor: float = 1.0
    mixed_precision: bool = False

    @model_validator(mode="after")
    def _stride(self) -> "TransformerSpec":
        if self.stride > self.window:
            raise ValueError(f"stride ({self.stride}) must not exceed window ({self.window})")
        return self


class ComponentSpec(_Strict):
    component: str = Field(description="a registered component name (see `plait plugins`)")
    name: Optional[str] = Field(None, description="pipe name; defaults to the component name")
    labels: Optional[List[str]] = None
    options: Dict[str, Any] = Field(default_factory=dict)

    @property
    def pipe_name(self) -> str:
        return self.name or self.component


class TrainingSpec(_Strict):
    train: str = "corpus/train"
    dev: str = "corpus/dev"
    seed: int = 0
    gpu_id: int = -1
    max_steps: int = Field(2000, ge=0)
    max_epochs: int = 0
    eval_frequency: int = Field(200, gt=0)
    patience: int = Field(1600, ge=0)
    learning_rate: float = Field(5e-5, gt=0)
    warmup_steps: int = Field(250, ge=0)
    grad_clip: float = Field(1.0, gt=0)
    dropout: float = Field(0.1, ge=0, lt=1)
    batch_words: int = Field(2000, gt=0, description="words per batch (compounding start)")
    batch_words_max: Optional[int] = None
    batch_by: Literal["words", "padded"] = Field(
        "words", description="words: batches of about batch_words words, documents in corpus order "
        "(spaCy's batch_by_words); padded: documents binned by length, batches of at most "
        "batch_words padded words (spaCy's batch_by_padded, its transformer recipe) — far less "
        "padding when short and long documents are mixed")
    accumulate_gradient: int = Field(1, ge=1)
    max_length: int = Field(0, ge=0, description="skip training docs longer than this (0: keep)")
    tune_on_dev: bool = True
    freeze_encoder: bool = Field(False, description="train the components' heads only: the shared "
                                 "transformer is frozen and annotates (much faster on a CPU)")
    score_weights: Dict[str, float] = Field(default_factory=dict)
    # Two-stage fine-tuning and per-group learning rates (plait.fine_tuning.v1)
    head_steps: int = Field(0, ge=0, description="stage 1: the first head_steps steps train the "
                            "components' heads alone over the frozen encoder; then all together")
    head_learning_rate: Optional[float] = Field(None, gt=0, description="the heads' learning rate "
                                                "(default: learning_rate)")
    encoder_learning_rate: Optional[float] = Field(None, ge=0, description="the encoder's learning "
                                                   "rate (default: learning_rate)")
    encoder_warmup_steps: Optional[int] = Field(None, ge=0, description="linear warm-up of the "
                                                "encoder's rate once it trains (default: "
                                                "warmup_steps when head_steps > 0, else 0)")
    encoder_trainable_layers: Optional[int] = Field(
        None, ge=1, description="partial fine-tuning: when the encoder trains, only its top this "
        "many transformer layers do (embeddings and lower layers frozen, so the backward pass "
        "stops there: cheaper steps); default: all layers")
    head_cache_mb: int = Field(1024, ge=0, description="stage 1 keeps the frozen encoder's output "
                               "for each training document (float16, at most this many MiB) and "
                               "encodes only documents it has not seen; 0: encode every step")
    trim_memory: bool = Field(True, description="before every training step, hand the memory the "
                              "previous step freed back to the system (glibc's malloc_trim): "
                              "otherwise resident memory follows the largest batch so far and grows "
                              "over a run")

    @property
    def heads_rate(self) -> float:
        return self.head_learning_rate or self.learning_rate

    @property
    def encoder_rate(self) -> float:
        return (self.encoder_learning_rate if self.encoder_learning_rate is not None
                else self.learning_rate)

    @model_validator(mode="after")
    def _warmup_within_budget(self) -> "TrainingSpec":
        """Warm-up fits the step budget: by default at most a tenth of ``max_steps`` (the learning
        rate must reach its peak); set explicitly, it must be shorter than ``max_steps``."""
        if not self.max_steps:
            return self
        if "warmup_steps" in self.model_fields_set:
            if self.warmup_steps >= self.max_steps:
                raise ValueError(f"warmup_steps ({self.warmup_steps}) must be below max_steps "
                                 f"({self.max_steps}), or the learning rate never reaches its peak")
        else:
            object.__setattr__(self, "warmup_steps",
                               min(self.warmup_steps, max(1, self.max_steps // 10)))
        return self


class PipelineSpec(_Strict):
    name: str
    lang: str = "en"
    encoder: str = "minilm-l6"
    description: str = ""
    transformer: TransformerSpec = Field(default_factory=TransformerSpec)
    components: List[ComponentSpec] = Field(min_length=1)
    training: TrainingSpec = Field(default_factory=TrainingSpec)

    @model_validator(mode="after")
    def _unique(self) -> "PipelineSpec":
        seen = set()
        for c in self.components:
            if c.pipe_name in seen or c.pipe_name in ("transformer", "sentencizer"):
                raise ValueError(f"two components are both named '{c.pipe_name}'; give one a "
                                 f"distinct 'name'")
            seen.add(c.pipe_name)
        return self


def _loc(loc: tuple, data: Any) -> str:
    parts: List[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = None
            if isinstance(node, list) and 0 <= item < len(node) and isinstance(node[item], dict):
                label = node[item].get("name") or node[item].get("component")
            parts.append(f"[{item}]" + (f"({label})" if label else ""))
            node = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "<root>"


def parse_spec(data: Any, path: Union[str, Path] = "<spec>",
               known_components: Optional[List[str]] = None) -> PipelineSpec:
    """Validate a spec mapping; errors name ``path`` and the key path."""
    from plait.plugins.registry import suggest

    try:
        spec = PipelineSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        hint = ""
        loc = err.get("loc", ())
        if err.get("type") == "extra_forbidden" and loc:
            fields = _fields_at(loc[:-1])
            hint = suggest(str(loc[-1]), fields) or (f" Allowed keys: {', '.join(sorted(fields))}."
                                                     if fields else "")
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise SpecError(Errors.E020.format(path=path, loc=_loc(loc, data), msg=err["msg"],
                                           hint=hint + more)) from None
    if known_components is not None:
        for i, comp in enumerate(spec.components):
            if comp.component not in known_components:
                from plait.plugins.registry import get_registry

                failure = get_registry().failure_for(comp.component)
                if failure is not None:
                    raise SpecError(Errors.E071.format(
                        path=f"{path}: components[{i}].component", component=comp.component,
                        plugin=failure.plugin, dist=f"{failure.dist} {failure.version}".strip(),
                        error=failure.error))
                raise SpecError(Errors.E022.format(
                    path=f"{path}: components[{i}].component", component=comp.component,
                    known=", ".join(sorted(known_components)) or "none",
                    hint=suggest(comp.component, known_components)))
    return spec


def _fields_at(loc: tuple) -> List[str]:
    model: Any = PipelineSpec
    for item in loc:
        if isinstance(item, int):
            continue
        field = model.model_fields.get(item) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        model = next((a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)),
                     None)
        if model is None:
            return []
    return list(model.model_fields)


def load_spec(path: Union[str, Path], *, check_components: bool = True) -> PipelineSpec:
    """Read and validate ``pipeline/X.yml``; component names are checked against installed plugins."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(Errors.E021.format(path=path, error=exc)) from None
    known = None
    if check_components:
        from plait.plugins.registry import get_registry

        known = list(get_registry().components())
    return parse_spec(data, path, known)
