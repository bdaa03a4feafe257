"""The ``plait.sentiment.v1`` architecture: mean-pooled token vectors -> (hidden layer) -> softmax.

For each doc the model outputs a ``(1 + n_sents, n_labels)`` array: row 0 scores the whole doc, the
following rows score its sentences (when the doc has sentence boundaries), all with the same head applied
to the mean of the token vectors of that span. Only doc rows carry gold during training; the gradients
of sentence rows are zero, so training the doc row trains the head every sentence uses.
"""
from __future__ import annotations

from typing import Callable, List, Optional, Tuple

from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Dropout, Model, Relu, Softmax_v2, chain
from thinc.types import Floats2d

from .errors import Errors, SentimentError

Segments = List[Tuple[int, int]]


@registry.architectures("plait.sentiment.v1")
def build_sentiment_model(
    tok2vec: Model[List[Doc], List[Floats2d]],
    hidden_width: int = 0,
    dropout: float = 0.0,
    nO: Optional[int] = None,
) -> Model[List[Doc], List[Floats2d]]:
    """Build the sentiment model.

    tok2vec: token vectors, e.g. a ``spacy-transformers.TransformerListener.v1`` or
        ``spacy.HashEmbedCNN.v2``.
    hidden_width: width of a ReLU layer before the softmax (0: none, a linear softmax on the pooled vector).
    dropout: dropout rate on the pooled vector (or in the hidden layer).
    nO: number of labels; normally set by the component at ``initialize``.
    """
    output_layer = Softmax_v2(nO=nO)
    if hidden_width and hidden_width > 0:
        head = chain(Relu(nO=hidden_width, dropout=dropout), output_layer)
    elif dropout:
        head = chain(Dropout(dropout), output_layer)
    else:
        head = output_layer
    return Model(
        "plait_sentiment",
        forward,
        init=init,
        layers=[tok2vec, head],
        refs={"tok2vec": tok2vec, "head": head, "output_layer": output_layer},
        dims={"nO": nO},
    )


def doc_segments(doc: Doc) -> Segments:
    """(start, end) token offsets pooled for a doc: the doc itself, then each sentence (if annotated)."""
    segments = [(0, len(doc))]
    if len(doc) and doc.has_annotation("SENT_START"):
        segments.extend((sent.start, sent.end) for sent in doc.sents)
    return segments


def mean_pool(model: Model, vecs: List[Floats2d], segments: List[Segments]):
    """Mean of the token vectors of each segment, stacked; an empty segment pools to zeros."""
    ops = model.ops
    width = max((X.shape[1] for X in vecs if X.shape[0]), default=0)
    n_rows = sum(len(s) for s in segments)
    pooled = ops.alloc2f(n_rows, width)
    row = 0
    for X, segs in zip(vecs, segments):
        for start, end in segs:
            if end > start:
                pooled[row] = X[start:end].mean(axis=0)
            row += 1

    def backprop(d_pooled: Floats2d) -> List[Floats2d]:
        d_vecs = []
        row = 0
        for X, segs in zip(vecs, segments):
            dX = ops.alloc2f(*X.shape)
            for start, end in segs:
                if end > start:
                    dX[start:end] += d_pooled[row] / (end - start)
                row += 1
            d_vecs.append(dX)
        return d_vecs

    return pooled, backprop


def forward(model: Model, docs: List[Doc], is_train: bool) -> Tuple[List[Floats2d], Callable]:
    outputs, _, backprop = forward_pooled(model, docs, is_train)
    return outputs, lambda d_outputs: backprop(d_outputs, None)


def forward_pooled(model: Model, docs: List[Doc], is_train: bool
                   ) -> Tuple[List[Floats2d], Floats2d, Callable]:
    """The forward pass, also returning each doc's pooled vector (its doc row, what the head reads;
    for the pair loss) and a backprop taking the gradients of the outputs and of those vectors
    (``None``: none)."""
    tok2vec = model.get_ref("tok2vec")
    head = model.get_ref("head")
    segments = [doc_segments(doc) for doc in docs]
    doc_rows = []
    row = 0
    for segs in segments:
        doc_rows.append(row)
        row += len(segs)
    if not any(len(doc) for doc in docs):
        # Nothing to encode (some tok2vec layers, e.g. the transformer listener, fail on a batch of
        # empty docs): scores are zeros, the component reports empty docs as uniform.
        n_labels = model.get_dim("nO")
        return ([model.ops.alloc2f(len(segs), n_labels) for segs in segments],
                model.ops.alloc2f(len(docs), 0), lambda d, d_doc: [])
    vecs, bp_tok2vec = tok2vec(docs, is_train)
    pooled, bp_pool = mean_pool(model, vecs, segments)
    if pooled.shape[0]:
        scores, bp_head = head(pooled, is_train)
    else:
        scores, bp_head = model.ops.alloc2f(0, model.get_dim("nO")), lambda d: d
    outputs = []
    for start, segs in zip(doc_rows, segments):
        outputs.append(scores[start:start + len(segs)])

    def backprop(d_outputs: List[Floats2d], d_doc_pooled: Optional[Floats2d]) -> List[Doc]:
        if d_outputs:
            d_scores = model.ops.xp.vstack(d_outputs)
        else:
            d_scores = model.ops.alloc2f(0, model.get_dim("nO"))
        d_pooled = bp_head(d_scores) if d_scores.shape[0] else d_scores
        if d_doc_pooled is not None and d_pooled.shape[0]:
            d_pooled[doc_rows] += d_doc_pooled
        return bp_tok2vec(bp_pool(d_pooled))

    return outputs, pooled[doc_rows], backprop


def init(model: Model, X: Optional[List[Doc]] = None, Y=None) -> Model:
    tok2vec = model.get_ref("tok2vec")
    head = model.get_ref("head")
    output_layer = model.get_ref("output_layer")
    n_labels = model.get_dim("nO") if model.has_dim("nO") else None
    if n_labels is None and Y is not None:
        n_labels = Y.shape[1]
    if n_labels is None:
        raise SentimentError(Errors.SENT009)
    model.set_dim("nO", n_labels)
    if not output_layer.has_dim("nO"):
        output_layer.set_dim("nO", n_labels)
    if X is not None and len(X):
        tok2vec.initialize(X=X)
        vecs = tok2vec.predict(X)
        pooled, _ = mean_pool(model, vecs, [[(0, len(doc))] for doc in X])
        head.initialize(X=pooled)
    else:
        tok2vec.initialize()
        head.initialize()
    return model
