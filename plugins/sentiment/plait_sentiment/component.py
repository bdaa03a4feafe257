"""The ``plait_sentiment`` spaCy component: document and per-sentence sentiment.

Outputs (``doc.cats`` is left alone):

- ``doc._.sentiment = {"label": str, "scores": {label: float}, "polarity": float}``
- ``span._.sentiment``, the same for every sentence in ``doc.sents``.

``polarity = P(positive) - P(negative)`` in [-1, 1]. Docs with no sentence boundaries are split by spaCy's
rule-based ``Sentencizer`` before prediction (its boundaries are kept on the doc). A doc with no tokens
gets uniform scores, polarity 0.0 and the argmax of uniform scores as label (the first label that is
neither the positive nor the negative one, e.g. ``neutral``, else the first label).
"""
from __future__ import annotations

from itertools import islice
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.vocab import Vocab
from thinc.api import Config, Model
from thinc.types import Floats2d

from plait.plugins.component_base import ListenerComponent
from plait.training.few_shot import check_options, check_pipeline
from plait.training.balance import check_option, resolve_weights

from .labels import gold_label, resolve_polarity_labels
from .errors import Errors, SentimentError

EXTENSION = "sentiment"


def install_extensions() -> None:
    """``Doc._.sentiment`` and ``Span._.sentiment`` (default ``None``); idempotent."""
    if not Doc.has_extension(EXTENSION):
        Doc.set_extension(EXTENSION, default=None)
    if not Span.has_extension(EXTENSION):
        Span.set_extension(EXTENSION, default=None)


def make_sentiment(
    nlp: Language,
    name: str,
    model: Model[List[Doc], List[Floats2d]],
    positive_label: Optional[str],
    negative_label: Optional[str],
    scorer: Optional[Callable],
    class_weights: Optional[Union[str, Dict[str, float]]] = None,
    head_init: Optional[str] = None,
    pair_loss: float = 0.0,
) -> "SentimentClassifier":
    """Create a ``SentimentClassifier`` (and install its ``Doc``/``Span`` extensions).

    class_weights: null (plain cross-entropy), "balanced" (each class weighted by
        ``n / (k * n_class)`` over the training data at initialize, capped at 10) or a mapping of
        label to weight. The resolved weights are saved with the component.
    head_init: null (the output layer starts as thinc initializes it) or "fit" (fitted by
        logistic regression on the frozen encoder's pooled vectors of the training docs before
        the first step; the small-data recipe, docs/few-labels.md).
    pair_loss: weight of the pair loss on the docs' pooled vectors (same class: cosine towards 1,
        other classes: towards 0; SetFit's contrastive loss on every pair of a batch). 0: none.
    """
    install_extensions()
    return SentimentClassifier(nlp.vocab, model, name, positive_label=positive_label,
                               negative_label=negative_label, scorer=scorer,
                               class_weights=class_weights, head_init=head_init,
                               pair_loss=pair_loss)


class SentimentClassifier(ListenerComponent):
    """Exclusive (softmax) sentiment classes for docs and their sentences."""

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "sentiment",
        *,
        positive_label: Optional[str] = None,
        negative_label: Optional[str] = None,
        scorer: Optional[Callable] = None,
        class_weights: Optional[Union[str, Dict[str, float]]] = None,
        head_init: Optional[str] = None,
        pair_loss: float = 0.0,
    ) -> None:
        check_option(class_weights, component="Sentiment component", name=name)
        check_options(head_init, pair_loss, component="Sentiment component", name=name)
        self.class_weighting = class_weights
        super().__init__(vocab, model, name, scorer=scorer,
                         cfg={"labels": [], "positive_label": positive_label,
                              "negative_label": negative_label, "class_weights": None,
                              "head_init": head_init, "pair_loss": float(pair_loss)})
        self._polarity: Optional[Tuple[str, str]] = None
        self._sentencizer = None

    # -- labels ------------------------------------------------------------------------------------
    def add_label(self, label: str) -> int:
        if not isinstance(label, str):
            raise SentimentError(Errors.SENT001.format(name=self.name, label=label))
        if label in self.labels:
            return 0
        self._allow_extra_label()
        self.cfg["labels"].append(label)
        self._polarity = None
        self.vocab.strings.add(label)
        return 1

    @property
    def polarity_labels(self) -> Tuple[str, str]:
        """``(positive, negative)`` labels used for the polarity."""
        if self._polarity is None:
            self._polarity = resolve_polarity_labels(self.labels, self.cfg.get("positive_label"),
                                                     self.cfg.get("negative_label"), component=self.name)
        return self._polarity

    def _check_labels(self) -> None:
        if len(self.labels) < 2:
            raise SentimentError(Errors.SENT002.format(name=self.name, list=list(self.labels)))

    # -- prediction --------------------------------------------------------------------------------
    def _ensure_sentences(self, docs: Iterable[Doc]) -> None:
        for doc in docs:
            if len(doc) and not doc.has_annotation("SENT_START"):
                if self._sentencizer is None:
                    from spacy.pipeline import Sentencizer

                    self._sentencizer = Sentencizer()
                self._sentencizer(doc)

    def predict(self, docs: Iterable[Doc]) -> List[Floats2d]:
        """Per doc, a ``(1 + n_sents, n_labels)`` array: row 0 the doc, then its sentences."""
        docs = list(docs)
        if not docs:
            return []
        self._check_labels()
        self._ensure_sentences(docs)
        return self.model.predict(docs)

    def _result(self, probs: numpy.ndarray) -> Dict[str, Any]:
        labels = self.labels
        pos, neg = self.polarity_labels
        scores = {label: float(p) for label, p in zip(labels, probs)}
        polarity = scores[pos] - scores[neg]
        return {"label": labels[int(numpy.argmax(probs))], "scores": scores,
                "polarity": float(min(1.0, max(-1.0, polarity)))}

    def _empty_result(self) -> Dict[str, Any]:
        labels = self.labels
        pos, neg = self.polarity_labels
        others = [label for label in labels if label not in (pos, neg)]
        scores = {label: 1.0 / len(labels) for label in labels}
        return {"label": others[0] if others else labels[0], "scores": scores, "polarity": 0.0}

    def set_annotations(self, docs: Iterable[Doc], scores: List[Floats2d]) -> None:
        for doc, doc_scores in zip(docs, scores):
            if len(doc) == 0:
                doc._.set(EXTENSION, self._empty_result())
                continue
            rows = self.model.ops.to_numpy(doc_scores)
            doc._.set(EXTENSION, self._result(rows[0]))
            if rows.shape[0] > 1:
                for sent, row in zip(doc.sents, rows[1:]):
                    sent._.set(EXTENSION, self._result(row))

    # -- training ----------------------------------------------------------------------------------
    def _gold(self, example: Example) -> Optional[str]:
        ref = example.reference
        return gold_label(ref.cats, self.labels, text=ref.text, component=self.name)

    def get_loss(self, examples: Iterable[Example], scores: List[Floats2d]) -> Tuple[float, List[Floats2d]]:
        """Cross-entropy of the doc rows against the gold label; examples without one give no loss."""
        validate_examples(examples, "SentimentClassifier.get_loss")
        ops = self.model.ops
        index = {label: i for i, label in enumerate(self.labels)}
        weights = self.cfg.get("class_weights") or {}
        loss = 0.0
        d_scores = []
        for eg, doc_scores in zip(examples, scores):
            d = ops.alloc2f(*doc_scores.shape)
            gold = self._gold(eg)
            if gold is not None and len(eg.predicted) and doc_scores.shape[0]:
                g = index[gold]
                w = float(weights.get(gold, 1.0))
                probs = ops.to_numpy(doc_scores[0])
                loss += -w * float(numpy.log(max(float(probs[g]), 1e-12)))
                truth = ops.alloc1f(doc_scores.shape[1])
                truth[g] = 1.0
                d[0] = (doc_scores[0] - truth) * w
            d_scores.append(d)
        return loss, d_scores

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Optional[Language] = None,
        labels: Optional[Iterable[str]] = None,
    ) -> None:
        """Set the labels (given, else every cat in the training data), check the gold, build the model."""
        validate_get_examples(get_examples, "SentimentClassifier.initialize")
        if self.cfg.get("head_init") == "fit":
            check_pipeline(nlp, component="Sentiment component", name=self.name)
        if labels is None:
            for eg in get_examples():
                for cat in eg.reference.cats:
                    self.add_label(cat)
        else:
            for label in labels:
                self.add_label(label)
        self._check_labels()
        self._polarity = None
        self.polarity_labels  # fail early if positive/negative cannot be told
        n_gold = 0
        counts: Dict[str, int] = {}
        for eg in get_examples():
            gold = self._gold(eg)
            if gold is not None:
                n_gold += 1
                counts[gold] = counts.get(gold, 0) + 1
        if n_gold == 0:
            raise SentimentError(Errors.SENT003.format(name=self.name, list=list(self.labels)))
        self.cfg["class_weights"] = resolve_weights(self.class_weighting, counts, self.labels,
                                                    component="Sentiment component", name=self.name)
        sample = [eg.reference for eg in islice(get_examples(), 10)]
        if self.model.has_dim("nO") and self.model.get_dim("nO") != len(self.labels):
            raise SentimentError(Errors.SENT004.format(name=self.name,
                                                       get_dim=self.model.get_dim('nO'),
                                                       n_labels=len(self.labels)))
        self.model.set_dim("nO", len(self.labels))
        self.model.initialize(X=sample)
        if self.cfg.get("head_init") == "fit":
            self._fit_head(get_examples, nlp)

    def _fit_head(self, get_examples: Callable[[], Iterable[Example]],
                  nlp: Optional[Language], max_docs: int = 2000) -> None:
        """``head_init: "fit"``: the output layer fitted on what it reads (the docs' pooled
        vectors, or the hidden layer's output) for up to ``max_docs`` training docs."""
        from thinc.api import chain, list2ragged, reduce_mean

        from plait.training.few_shot import fit_head

        examples = list(islice(get_examples(), max_docs))
        index = {label: i for i, label in enumerate(self.labels)}
        weights = self.cfg.get("class_weights") or {}
        truths = numpy.zeros((len(examples), len(self.labels)), dtype="f")
        mask = numpy.zeros_like(truths)
        sample_weight = numpy.ones((len(examples), 1), dtype="f")
        for i, eg in enumerate(examples):
            gold = self._gold(eg)
            if gold is not None:
                truths[i, index[gold]] = 1.0
                mask[i] = 1.0
                sample_weight[i] = float(weights.get(gold, 1.0))
        head = self.model.get_ref("head")
        hidden = list(head.layers[:-1]) if head is not self.model.get_ref("output_layer") else []
        below = chain(self.model.get_ref("tok2vec"), list2ragged(), reduce_mean(), *hidden)
        fit_head(nlp, self.name, below, self.model.get_ref("output_layer"),
                 [eg.predicted for eg in examples], truths, mask, exclusive=True,
                 component="Sentiment component", sample_weight=sample_weight)

    # -- the pair loss (pair_loss > 0) ------------------------------------------------------------
    def forward_pooled(self, docs: List[Doc]):
        """Scores, each doc's pooled vector and a backprop of both (for the pair loss)."""
        from .model import forward_pooled

        return forward_pooled(self.model, docs, True)

    def pair_classes(self, examples: List[Example]) -> List[Optional[int]]:
        """Each example's gold class index (``None``: no gold)."""
        index = {label: i for i, label in enumerate(self.labels)}
        return [None if (gold := self._gold(eg)) is None else index[gold] for eg in examples]

    # -- hooks of the base ------------------------------------------------------------------------
    def before_update(self, examples: List[Example]) -> None:
        self._check_labels()

    def after_load(self) -> None:
        self._polarity = None
