"""Plain-data helpers for a listener component's defaults (``defaults.py``): no spaCy import.

A component that reads the shared transformer through a listener has ``model.tok2vec`` in its config;
the composer puts the listener there (``ComponentInfo.listener_path``). On its own (``nlp.add_pipe``
with no composed config) the component needs a standalone tok2vec: :func:`standalone_tok2vec` is that
block, a small hash-embedding CNN, so every component writes the same defaults.

>>> CONFIG = {"model": {"@architectures": "my.arch.v1", "tok2vec": standalone_tok2vec()}}
"""
from __future__ import annotations

from typing import Any, Dict

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
