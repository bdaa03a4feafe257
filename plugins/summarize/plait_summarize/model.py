"""The ``plait.summarizer.v1`` architecture: token vectors -> sentence vectors -> sentence logit.

Light on purpose (spaCy entry point): imports thinc and spaCy only, never torch.
"""
from __future__ import annotations

from typing import Callable, List, Optional, Tuple

from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Linear, Model, Relu, chain
from thinc.types import Floats2d

from .oracle import sentence_bounds
from .errors import Errors, SummarizerConfigError

N_FEATURES = 3
"""Extra features per sentence: relative position, is-first-sentence, length (tokens / 50, capped at 1)."""


@registry.architectures("plait.summarizer.v1")
def build_summarizer_model(
    tok2vec: Model[List[Doc], List[Floats2d]],
    hidden_width: int = 64,
    dropout: float = 0.1,
) -> Model[List[Doc], Floats2d]:
    """Score every sentence of a batch of docs.

    Token vectors from ``tok2vec`` (a ``TransformerListener`` in composed pipelines) are mean-pooled over
    each sentence and concatenated with position and length features, then a one-hidden-layer MLP
    (``hidden_width`` ReLU units, ``dropout``) gives one *logit* per sentence. The output is one
    ``(n_sentences_in_batch, 1)`` array, sentences of all docs in order; the component applies the
    sigmoid. Sentence boundaries are the doc's own, else those of spaCy's rule-based ``Sentencizer``.
    """
    scorer = chain(Relu(nO=hidden_width, dropout=dropout), Linear(nO=1))
    model: Model = Model(
        "plait_summarizer",
        forward,
        init=init,
        layers=[tok2vec, scorer],
        refs={"tok2vec": tok2vec, "scorer": scorer},
        dims={"nO": 1},
        attrs={"n_features": N_FEATURES},
    )
    return model


def init(model: Model, X: Optional[List[Doc]] = None, Y: Optional[Floats2d] = None) -> Model:
    tok2vec = model.get_ref("tok2vec")
    scorer = model.get_ref("scorer")
    tok2vec.initialize(X=X)
    if X is not None and any(len(doc) for doc in X):
        feats, _ = pool_sentences(model.ops, X, tok2vec.predict(X))
        scorer.initialize(X=feats)
    else:
        if tok2vec.has_dim("nO"):
            scorer.layers[0].set_dim("nI", tok2vec.get_dim("nO") + N_FEATURES)
        scorer.initialize()
    return model


def forward(model: Model, docs: List[Doc], is_train: bool) -> Tuple[Floats2d, Callable]:
    tok2vec = model.get_ref("tok2vec")
    scorer = model.get_ref("scorer")
    tokvecs, bp_tokvecs = tok2vec(docs, is_train)
    feats, bp_pool = pool_sentences(model.ops, docs, tokvecs)
    if feats.shape[0] == 0:
        def backprop_empty(d_logits: Floats2d) -> List[Doc]:
            return bp_tokvecs([model.ops.alloc2f(*v.shape) for v in tokvecs])

        return model.ops.alloc2f(0, 1), backprop_empty
    logits, bp_scorer = scorer(feats, is_train)

    def backprop(d_logits: Floats2d) -> List[Doc]:
        return bp_tokvecs(bp_pool(bp_scorer(d_logits)))

    return logits, backprop


def pool_sentences(ops, docs: List[Doc], tokvecs: List[Floats2d]) -> Tuple[Floats2d, Callable]:
    """Mean token vector of every sentence + ``N_FEATURES`` features; returns (features, backprop)."""
    bounds = [sentence_bounds(doc) for doc in docs]
    width = next((int(v.shape[1]) for v in tokvecs if v.shape[0] > 0), 0)
    blocks: List[Floats2d] = []
    lengths: List[int] = []
    extra: List[List[float]] = []
    for doc, vecs, sents in zip(docs, tokvecs, bounds):
        if not sents:
            continue
        if sents[-1][1] - sents[0][0] != vecs.shape[0]:
            raise SummarizerConfigError(Errors.SUM004.format(value=vecs.shape[0], n_doc=len(doc),
                                                             value2=doc.text[:60]))
        blocks.append(vecs)
        n = len(sents)
        for i, (start, end) in enumerate(sents):
            lengths.append(end - start)
            extra.append([i / (n - 1) if n > 1 else 0.0, 1.0 if i == 0 else 0.0,
                          min((end - start) / 50.0, 1.0)])
    if not lengths:
        def backprop_none(d_feats: Floats2d) -> List[Floats2d]:
            return [ops.alloc2f(*v.shape) for v in tokvecs]

        return ops.alloc2f(0, width + N_FEATURES), backprop_none
    X = ops.xp.concatenate(blocks, axis=0) if len(blocks) > 1 else blocks[0]
    lens = ops.asarray1i(lengths)
    means = ops.reduce_mean(ops.xp.ascontiguousarray(X, dtype="f"), lens)
    feats = ops.xp.hstack([means, ops.asarray2f(extra)])

    def backprop(d_feats: Floats2d) -> List[Floats2d]:
        d_X = ops.backprop_reduce_mean(ops.xp.ascontiguousarray(d_feats[:, :width], dtype="f"), lens)
        out: List[Floats2d] = []
        offset = 0
        for vecs, sents in zip(tokvecs, bounds):
            if sents:
                out.append(d_X[offset:offset + vecs.shape[0]])
                offset += vecs.shape[0]
            else:
                out.append(ops.alloc2f(*vecs.shape))
        return out

    return feats, backprop
