"""A base for trainable components that read the shared transformer through a listener.

:class:`ListenerComponent` (a spaCy ``TrainablePipe``) holds what every such component does the same
way, so a component's file holds only its task's logic (``predict``, ``set_annotations``,
``get_loss``, ``initialize``):

- the listener's backward contract: :meth:`ListenerComponent.update` runs every batch with a token
  through the model and calls its backprop, even when no example of the batch has gold for this
  component (``get_loss`` then returns a zero gradient). Behind a ``TransformerListener`` the
  backward call is what hands the gradient to the shared transformer; skipping it would stall the
  other components' learning for that batch. A batch with no token at all is skipped (the
  transformer skips it too, so no listener waits for it).
- the update loop itself (losses, dropout, ``sgd``), as spaCy's own pipes run it, with the pair loss
  of the small-data recipe (:mod:`plait.training.few_shot`) for a component whose ``cfg["pair_loss"]``
  is a positive weight and which defines :meth:`forward_pooled` and :meth:`pair_classes`;
- labels kept in ``cfg["labels"]`` (:attr:`labels`, :attr:`label_data`), when it has labels;
- serialization of the model and ``cfg`` (spaCy's), with two hooks: :meth:`check_cfg` before saving
  and :meth:`after_load` after loading.

:func:`register_factory` declares a component's spaCy factory from its defaults without importing
the component module (spaCy imports every factory module whenever a ``Language`` is made);
:func:`spacy_entry_points` adds the lazy architecture and scorer, the three targets of a plugin's
``spacy_factories``, ``spacy_architectures`` and ``spacy_scorers`` entry points (its ``factory.py``).
"""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.training import Example, validate_examples
from spacy.vocab import Vocab
from thinc.api import Model, Optimizer, set_dropout_rate

from .lazy import lazy

__all__ = ["ListenerComponent", "lazy", "register_factory", "spacy_entry_points"]


class ListenerComponent(TrainablePipe):
    """A trainable pipe behind the shared transformer's listener (see the module docstring)."""

    def __init__(self, vocab: Vocab, model: Model, name: str, *, scorer: Optional[Callable] = None,
                 cfg: Optional[Dict[str, Any]] = None) -> None:
        self.vocab = vocab
        self.model = model
        self.name = name
        self.scorer = scorer
        self._rehearsal_model = None
        self.cfg: Dict[str, Any] = dict(cfg or {})

    # -- labels ------------------------------------------------------------------------------------
    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(self.cfg.get("labels", ()))

    @property
    def label_data(self) -> Any:
        """The labels as a list; ``None`` for a component that keeps no ``cfg["labels"]``."""
        return list(self.labels) if "labels" in self.cfg else None

    # -- training ----------------------------------------------------------------------------------
    def before_update(self, examples: List[Example]) -> None:
        """Called on every batch before the model runs (e.g. to check the labels)."""

    def after_update(self, examples: List[Example]) -> None:
        """Called after a batch's gradient was applied."""

    def update(self, examples: Iterable[Example], *, drop: float = 0.0,
               sgd: Optional[Optimizer] = None,
               losses: Optional[Dict[str, float]] = None) -> Dict[str, float]:
        """One gradient step. Every doc goes through the model and backprop is always called (the
        listener's contract), examples without gold only contribute a zero gradient."""
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        examples = list(examples)
        validate_examples(examples, f"{type(self).__name__}.update")
        self.before_update(examples)
        docs = [eg.predicted for eg in examples]
        if not any(len(doc) for doc in docs):
            # Nothing to encode: the transformer skips such a batch too (no listener callback).
            return losses
        set_dropout_rate(self.model, drop)
        weight = float(self.cfg.get("pair_loss") or 0.0)
        if weight > 0.0:
            from plait.training.few_shot import pair_loss

            scores, pooled, backprop_both = self.forward_pooled(docs)
            loss, d_scores = self.get_loss(examples, scores)
            classes = [c if len(doc) else None
                       for c, doc in zip(self.pair_classes(examples), docs)]
            p_loss, d_pooled = pair_loss(pooled, classes, self.model.ops)
            backprop_both(d_scores, d_pooled * weight)
            loss += weight * p_loss
        else:
            scores, backprop = self.model.begin_update(docs)
            loss, d_scores = self.get_loss(examples, scores)
            backprop(d_scores)
        if sgd not in (None, False):
            self.finish_update(sgd)
        losses[self.name] += loss
        self.after_update(examples)
        return losses

    def forward_pooled(self, docs: List[Any]) -> Tuple[Any, Any, Callable[[Any, Any], Any]]:
        """For the pair loss: the model's scores, the pooled vector of each doc the head reads, and
        a backprop taking the gradients of both. A component that offers ``pair_loss`` defines it."""
        raise NotImplementedError(f"{type(self).__name__} has no pooled vectors for a pair loss")

    def pair_classes(self, examples: List[Example]) -> List[Optional[int]]:
        """For the pair loss: each example's class index (``None``: no gold, or not one class)."""
        raise NotImplementedError(f"{type(self).__name__} has no classes for a pair loss")

    # -- serialization -----------------------------------------------------------------------------
    def check_cfg(self) -> None:
        """Raise a coded error when ``cfg`` cannot be saved (called before saving)."""

    def after_load(self) -> None:
        """Check ``cfg`` and reset what is derived from it (called after loading)."""

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> None:
        self.check_cfg()
        super().to_disk(path, exclude=exclude)

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> Any:
        super().from_disk(path, exclude=exclude)
        self.after_load()
        return self

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        self.check_cfg()
        return super().to_bytes(exclude=exclude)

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()) -> Any:
        super().from_bytes(bytes_data, exclude=exclude)
        self.after_load()
        return self


def register_factory(defaults: Any, make: str, doc: str = "") -> Callable[..., Any]:
    """Register a component's spaCy factory and return its function (the entry point's target).

    ``defaults`` is the component's defaults module (or any object) with ``FACTORY`` (the factory
    name), ``ASSIGNS``, ``CONFIG`` (the ``default_config``) and ``SCORE_WEIGHTS``. ``make`` is
    ``"module:function"``, called as ``function(nlp, name, **settings)`` when the factory runs and
    imported only then. The factory's settings are the keys of ``CONFIG``: spaCy validates a
    pipeline's config against them.
    """
    factory, config = defaults.FACTORY, defaults.CONFIG
    target = lazy(make)

    def make_component(nlp: Language, name: str, **settings: Any) -> Any:
        return target(nlp, name, **settings)

    params = [inspect.Parameter("nlp", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Language),
              inspect.Parameter("name", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str)]
    for key, value in config.items():
        default = inspect.Parameter.empty if isinstance(value, dict) else value
        params.append(inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, annotation=Any,
                                        default=default))
    make_component.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    make_component.__name__ = make_component.__qualname__ = make.rpartition(":")[2]
    make_component.__doc__ = doc or f"Create the ``{factory}`` component (see ``{make}``)."
    return Language.factory(factory, assigns=list(defaults.ASSIGNS), default_config=dict(config),
                            default_score_weights=dict(defaults.SCORE_WEIGHTS), func=make_component)


def spacy_entry_points(defaults: Any, make: str, architecture: str, scorer: str, doc: str = ""
                       ) -> Tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """``(factory, architecture, scorer)``: the factory registered by :func:`register_factory`, the
    architecture and scorer functions named ``"module:function"``, imported when first resolved."""
    return register_factory(defaults, make, doc=doc), lazy(architecture), lazy(scorer)
