"""Plain-data helpers for a listener component's defaults (``defaults.py``) and its ``plait`` plugin
registration (``plugin.py``): no spaCy import.

A component that reads the shared transformer through a listener has ``model.tok2vec`` in its config;
the composer puts the listener there (``ComponentInfo.listener_path``). On its own (``nlp.add_pipe``
with no composed config) the component needs a standalone tok2vec: :func:`standalone_tok2vec` is that
block, a small hash-embedding CNN, so every component writes the same defaults.

>>> CONFIG = {"model": listener_model("my.arch.v1", standalone_tok2vec(), dropout=0.1)}

:func:`listener_component` is the ``ComponentInfo`` such a component registers: factory and config
read from its defaults module, the listener at ``model.tok2vec``, its output and evaluation contracts
read from its ``outputs``/``evaluation`` modules.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

#: Where the composer puts the shared transformer's listener in a listener component's config.
LISTENER_PATH = "model.tok2vec"

#: The architecture of the standalone tok2vec (spaCy's hash-embedding CNN).
STANDALONE_ARCHITECTURE = "spacy.HashEmbedCNN.v2"


def standalone_tok2vec(width: int = 64, depth: int = 2, embed_size: int = 2000) -> Dict[str, Any]:
    """The ``model.tok2vec`` block a component uses when no shared transformer replaces it."""
    return {
        "@architectures": STANDALONE_ARCHITECTURE,
        "pretrained_vectors": None,
        "width": width,
        "depth": depth,
        "embed_size": embed_size,
        "window_size": 1,
        "maxout_pieces": 3,
        "subword_features": True,
    }


def listener_model(architecture: str, tok2vec: Dict[str, Any], **settings: Any) -> Dict[str, Any]:
    """A ``model`` block: ``architecture``'s own settings, then the (standalone) ``tok2vec`` last."""
    return {"@architectures": architecture, **settings, "tok2vec": tok2vec}


def listener_component(defaults: Any, outputs: Optional[Any] = None, evaluation: Optional[Any] = None,
                       **fields: Any) -> Any:
    """The ``ComponentInfo`` of a listener component, for its ``register_components`` hook.

    ``defaults`` is its defaults module (``FACTORY``, ``CONFIG``); ``outputs`` its module with
    ``output_info()``; ``evaluation`` its module with ``figures``, ``headline`` and ``report`` (each
    optional, see ``EvaluationInfo``). ``fields`` are the other ``ComponentInfo`` fields (``name`` at
    least; ``task`` defaults to it).
    """
    from .contracts import ComponentInfo, EvaluationInfo

    fields.setdefault("task", fields.get("name"))
    if outputs is not None:
        fields["output"] = outputs.output_info()
    if evaluation is not None:
        fields["evaluation"] = EvaluationInfo(**{part: getattr(evaluation, part, None)
                                                 for part in ("figures", "headline", "report")})
    return ComponentInfo(factory=defaults.FACTORY, config=defaults.CONFIG, listener_path=LISTENER_PATH,
                         **fields)
