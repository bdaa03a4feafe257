"""Helpers for testing components on the shared transformer with the tiny random encoder.

For plugin authors' tests (the built-in plugins use them): a pipeline with a ``transformer`` over the
``tiny-random`` encoder and the listener config a component puts at its ``tok2vec``.
"""
from __future__ import annotations

from typing import Any, Dict

from .compose import listener_config

#: What the composer puts at a component's ``listener_path``.
LISTENER: Dict[str, Any] = listener_config()


def transformer_config(encoder: str = "tiny-random", window: int = 64, stride: int = 48
                       ) -> Dict[str, Any]:
    """Config of a ``transformer`` component over a named encoder (``nlp.add_pipe(..., config=)``)."""
    return {"model": {
        "@architectures": "plait.Transformer.v1", "encoder": encoder,
        "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1", "window": window,
                      "stride": stride}}}


#: The tiny-random transformer with 64-wordpiece windows.
TRANSFORMER: Dict[str, Any] = transformer_config()


def tiny_pipeline(lang: str = "en", *, sentencizer: bool = False, encoder: str = "tiny-random"):
    """A blank pipeline with (optionally) a sentencizer and a shared ``transformer``."""
    import spacy

    nlp = spacy.blank(lang)
    if sentencizer:
        nlp.add_pipe("sentencizer")
    nlp.add_pipe("transformer", config=transformer_config(encoder))
    return nlp
