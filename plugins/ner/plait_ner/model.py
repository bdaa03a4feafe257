"""The ``plait.ner.v1`` architecture: per-token BILUO logits from tok2vec features.

Light on purpose (spaCy entry point): imports thinc and spaCy only.
"""
from __future__ import annotations

from typing import Any, List, Optional

from spacy.ml.models.tok2vec import MultiHashEmbed
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Linear, Maxout, Model, chain, expand_window, with_array
from thinc.types import Floats2d

from .errors import Errors, PlaitNERError

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
    context_window: int = 0,
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
    context_window: if > 0, each token's features are joined with those of this many tokens on
        either side (thinc's ``expand_window``, zero-padded at the document's edges, never across
        documents) before the head, so a tag is scored from its neighbours too. Over a frozen or
        little-trained encoder this is what lets the head see that "New" starts "New York".
    """
    if context_window < 0:
        raise PlaitNERError(Errors.NER028.format(value=context_window))
    if len(surface_rows) != len(SURFACE_ATTRS):
        raise PlaitNERError(Errors.NER025.format(n_SURFACE_ATTRS=len(SURFACE_ATTRS),
                                                 join=', '.join(SURFACE_ATTRS),
                                                 list=list(surface_rows)))
    features = tok2vec
    surface = None
    if surface_features:
        surface = MultiHashEmbed(width=surface_width, attrs=list(SURFACE_ATTRS),
                                 rows=list(surface_rows), include_static_vectors=False)
        features = concat_doc_features(tok2vec, surface)
    output_layer = Linear(nO=nO)
    if hidden_width > 0:
        head = chain(Maxout(nO=hidden_width, nP=2, dropout=dropout, normalize=True), output_layer)
    else:
        head = output_layer
    if context_window > 0:  # pad as wide as the window, so documents never see each other
        head = chain(expand_window(window_size=context_window), head)
    model = chain(features, with_array(head, pad=context_window))
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output_layer)
    if surface is not None:
        model.set_ref("surface", surface)
    model.attrs["surface_features"] = bool(surface_features)
    model.attrs["context_window"] = int(context_window)
    return model


def concat_doc_features(*layers: Model[List[Doc], List[Floats2d]]) -> Model[List[Doc], List[Floats2d]]:
    """Run several doc -> token-vector layers and join their outputs per token (hstack).

    Like thinc's ``concatenate`` for list outputs, but the gradient with respect to the *docs* is not
    summed: a transformer listener's backprop returns nothing for its input while a hash embedding
    returns a list, and thinc's ``concatenate`` would try to add the two.
    """
    return Model("concat_doc_features", _concat_forward, init=_concat_init, layers=list(layers),
                 dims={"nO": None})


def _concat_init(model: Model, X: Optional[List[Doc]] = None, Y: Any = None) -> None:
    for layer in model.layers:
        layer.initialize(X=X)
    if all(layer.has_dim("nO") for layer in model.layers):
        model.set_dim("nO", sum(layer.get_dim("nO") for layer in model.layers))


def _concat_forward(model: Model, docs: List[Doc], is_train: bool):
    results = [layer(docs, is_train) for layer in model.layers]
    outputs = [output for output, _ in results]
    widths = [out[0].shape[1] if out else 0 for out in outputs]
    joined = [model.ops.xp.hstack([out[i] for out in outputs]) for i in range(len(docs))]

    def backprop(d_joined: List[Floats2d]) -> List[Doc]:
        start = 0
        for (_, bwd), width in zip(results, widths):
            bwd([d[:, start:start + width] for d in d_joined])
            start += width
        return docs

    return joined, backprop