"""spaCy architectures of the core, registered through the ``spacy_architectures`` entry point.

Light on purpose: importing this module imports neither torch nor transformers.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from spacy.util import registry


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
        from .encoders import resolve_encoder

        name = model.attrs["name"]
        model.attrs["name"] = str(resolve_encoder(name))
        try:
            trf_init(model, X=X, Y=Y)
        finally:
            model.attrs["name"] = name

    model.init = init
    model.attrs["plait_encoder"] = encoder
    return model
