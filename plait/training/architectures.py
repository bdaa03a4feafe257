"""spaCy architectures of the core, registered through the ``spacy_architectures`` entry point.

Light on purpose: importing this module imports neither torch nor transformers.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, List, Optional

from spacy.util import registry

from plait.errors import Warnings

TRUNCATED_KEY = "plait.truncated"


def check_span_lengths(model: Any, get_spans: Callable) -> Callable:
    """Wrap ``get_spans`` so that spans the encoder would silently cut are flagged.

    spacy-transformers truncates a span longer than the tokenizer's ``model_max_length``; the tokens
    past the cut then get no features. A wordpiece covers at least one character, so only spans with
    more characters than the limit can overflow: only those are tokenized again to count exactly.
    Such docs get ``doc.user_data["plait.truncated"] = True`` (the runner reports it) and a warning.
    """

    def checked(docs: List[Any]) -> List[List[Any]]:
        spans = get_spans(docs)
        if not model.attrs.get("has_transformer"):
            return spans
        tokenizer = model.tokenizer
        limit = int(getattr(tokenizer, "model_max_length", 0) or 0)
        if limit <= 0 or limit > 100_000:
            return spans
        for doc_spans in spans:
            for span in doc_spans:
                if len(span.text) + 2 <= limit:
                    continue
                n = len(tokenizer(span.text, add_special_tokens=True)["input_ids"])
                if n > limit:
                    doc = span.doc
                    doc.user_data[TRUNCATED_KEY] = True
                    warnings.warn(Warnings.W001.format(n=n, limit=limit, start=doc.text[:40]))
        return spans

    return checked


@registry.architectures("plait.Transformer.v1")
def create_transformer(
    encoder: str,
    get_spans: Callable,
    tokenizer_config: Dict[str, Any] = {"use_fast": True},
    transformer_config: Dict[str, Any] = {},
    mixed_precision: bool = False,
    grad_scaler_config: Dict[str, Any] = {},
):
    """spacy-transformers' ``TransformerModel`` whose weights come from a *named* Plait encoder.

    The name is resolved to a local folder only when the model is initialized (``spacy train``,
    ``nlp.initialize``). A trained pipeline carries its weights and loads with no encoder installed.
    """
    from spacy_transformers.layers.transformer_model import TransformerModel
    from spacy_transformers.layers.transformer_model import init as trf_init

    model = TransformerModel(encoder, get_spans, tokenizer_config, transformer_config,
                             mixed_precision, grad_scaler_config)

    def init(model, X: Optional[Any] = None, Y: Optional[Any] = None):
        if model.attrs["has_transformer"]:
            return
        from plait.training.encoders import resolve_encoder

        name = model.attrs["name"]
        model.attrs["name"] = str(resolve_encoder(name))
        try:
            trf_init(model, X=X, Y=Y)
        finally:
            model.attrs["name"] = name

    model.init = init
    model.attrs["plait_encoder"] = encoder
    model.attrs["get_spans"] = check_span_lengths(model, get_spans)
    return model
