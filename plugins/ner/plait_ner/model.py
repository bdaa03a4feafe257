"""The ``plait.ner.v1`` architecture: per-token BILUO logits from tok2vec features.

Light on purpose (spaCy entry point): imports thinc and spaCy only.
"""
from __future__ import annotations

from typing import List, Optional

from spacy.ml.models.tok2vec import MultiHashEmbed
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Linear, Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d

SURFACE_ATTRS = ["SHAPE", "PREFIX", "SUFFIX"]


@registry.architectures("plait.ner.v1")
def build_ner_model(
    tok2vec: Model[List[Doc], List[Floats2d]],
    surface_features: bool = False,
    surface_width: int = 64,
    surface_rows: List[int] = [1000, 2500, 2500],
    hidden_width: int = 0,
    dropout: float = 0.1,
    nO: Optional[int] = None,
) -> Model[List[Doc], List[Floats2d]]:
    """Map docs to unnormalised scores (logits) over the BILUO tags, one row per token.

    tok2vec: the token features; in a composed pipeline, a listener of the shared transformer.
    surface_features: also embed the *cased* surface form (spaCy's SHAPE, PREFIX and SUFFIX attributes,
        hash-embedded like ``spacy.MultiHashEmbed``) and concatenate it with the tok2vec features. Useful
        with an uncased encoder, which cannot see capitalisation.
    surface_width: width of the surface-feature embedding.
    surface_rows: hash-table rows for SHAPE, PREFIX and SUFFIX.
    hidden_width: if > 0, a Maxout hidden layer of this width before the output layer.
    dropout: dropout of the hidden layer.
    nO: number of tags (``1 + 4 * n_labels``); set by the component at initialization.
    """
    if len(surface_rows) != len(SURFACE_ATTRS):
        raise ValueError(f"plait.ner.v1: surface_rows needs {len(SURFACE_ATTRS)} values "
                         f"(for {', '.join(SURFACE_ATTRS)}), got {list(surface_rows)}")
    features = tok2vec
    surface = None
    if surface_features:
        surface = MultiHashEmbed(width=surface_width, attrs=list(SURFACE_ATTRS),
                                 rows=list(surface_rows), include_static_vectors=False)
        features = concatenate(tok2vec, surface)
    output_layer = Linear(nO=nO)
    if hidden_width > 0:
        head = chain(Maxout(nO=hidden_width, nP=2, dropout=dropout, normalize=True), output_layer)
    else:
        head = output_layer
    model = chain(features, with_array(head))
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output_layer)
    if surface is not None:
        model.set_ref("surface", surface)
    model.attrs["surface_features"] = bool(surface_features)
    return model
