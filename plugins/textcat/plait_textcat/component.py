"""The ``plait_textcat`` spaCy component: exclusive (softmax) or multi-label (sigmoid) classification.

Outputs: ``doc.cats[label] = score`` for the component's own labels (other cats are left alone) and
``doc._.categories``: the labels that pass their decision thresholds (exclusive: the argmax label).
Per-label thresholds live in ``cfg["thresholds"]``; ``tune_on_dev`` fits them on the dev set during
training (multi-label) and they are saved with the pipeline.
"""
from __future__ import annotations

from itertools import islice
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.vocab import Vocab
from thinc.api import Config, Model

from plait.plugins.component_base import ListenerComponent
from plait.training.balance import check_option, pos_weights, resolve_weights
from plait.training.few_shot import check_options, check_pipeline

from . import model as _model  # noqa: F401  (registers plait.textcat.v1 without entry points)
from .scoring import best_threshold, default_threshold, score_textcat
from .errors import Errors, TextcatError

CATEGORIES_EXTENSION = "categories"


def _describe(doc: Doc, index: Optional[int] = None) -> str:
    text = doc.text if len(doc.text) <= 60 else doc.text[:57] + "..."
    where = f"example {index} " if index is not None else ""
    return f"{where}(doc {text!r})"


class PlaitTextCategorizer(ListenerComponent):
    """Document classifier over a shared transformer (or any tok2vec) with per-label thresholds."""

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "textcat",
        *,
        exclusive: bool = True,
        threshold: Optional[float] = None,
        tune_thresholds: bool = True,
        scorer: Optional[Callable] = score_textcat,
        class_weights: Optional[Union[str, Dict[str, float]]] = None,
        head_init: Optional[str] = None,
        pair_loss: float = 0.0,
    ) -> None:
        check_option(class_weights, component="Component (plait_textcat)", name=name)
        check_options(head_init, pair_loss, component="Component (plait_textcat)", name=name)
        self.class_weighting = class_weights
        super().__init__(vocab, model, name, scorer=scorer, cfg={
            "labels": [],
            "exclusive": bool(exclusive),
            "threshold": threshold,
            "thresholds": {},
            "tune_thresholds": bool(tune_thresholds),
            "positive_label": None,
            "class_weights": None,
            "head_init": head_init,
            "pair_loss": float(pair_loss),
        })

    # -- labels ------------------------------------------------------------------------------------
    @property
    def exclusive(self) -> bool:
        return bool(self.cfg["exclusive"])

    @property
    def thresholds(self) -> Dict[str, float]:
        """The decision threshold of every label (tuned on dev, or the default)."""
        base = default_threshold(self.exclusive, self.cfg.get("threshold"))
        stored = self.cfg.get("thresholds") or {}
        # srsly's JSON reader may return 0.49266899999999997 for 0.492669: round back.
        return {label: round(float(stored.get(label, base)), 6) for label in self.labels}

    def set_thresholds(self, thresholds: Dict[str, float]) -> None:
        unknown = sorted(set(thresholds) - set(self.labels))
        if unknown:
            raise TextcatError(Errors.TEXTCAT001.format(name=self.name, unknown=unknown,
                                                        list=list(self.labels)))
        merged = dict(self.cfg.get("thresholds") or {})
        # Rounded so that the JSON written by to_disk restores exactly the same values.
        merged.update({k: round(float(v), 6) for k, v in thresholds.items()})
        self.cfg["thresholds"] = merged

    def _output_layer(self) -> Model:
        return self.model.get_ref("output_layer")

    def add_label(self, label: str) -> int:
        if not isinstance(label, str):
            raise TextcatError(Errors.TEXTCAT002.format(name=self.name, label=label))
        if label in self.labels:
            return 0
        output = self._output_layer()
        if output.has_param("W"):
            raise TextcatError(Errors.TEXTCAT003.format(name=self.name, list=list(self.labels),
                                                        label=label))
        self.cfg["labels"].append(label)
        self.vocab.strings.add(label)
        return 1

    # -- gold ----------------------------------------------------------------------------------------
    def _gold_of(self, eg: Example, index: Optional[int] = None) -> Dict[str, float]:
        """The reference cats restricted to this component's labels, validated."""
        labels = set(self.labels)
        gold: Dict[str, float] = {}
        for label, value in eg.reference.cats.items():
            if label not in labels:
                continue
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise TextcatError(Errors.TEXTCAT004.format(name=self.name, label=label,
                                                            describe=_describe(eg.reference, index),
                                                            value=value))
            if not 0.0 <= value <= 1.0:
                raise TextcatError(Errors.TEXTCAT005.format(name=self.name, label=label,
                                                            describe=_describe(eg.reference, index),
                                                            value=value))
            gold[label] = value
        if gold and self.exclusive:
            positives = [k for k, v in gold.items() if v == 1.0]
            others = [k for k, v in gold.items() if v not in (0.0, 1.0)]
            if others:
                raise TextcatError(Errors.TEXTCAT006.format(name=self.name,
                                                            describe=_describe(eg.reference, index),
                                                            join=', '.join((f'{k}={gold[k]}' for k in others))))
            if len(positives) > 1:
                raise TextcatError(Errors.TEXTCAT007.format(name=self.name,
                                                            describe=_describe(eg.reference, index),
                                                            positives=positives))
            if not positives:
                raise TextcatError(Errors.TEXTCAT008.format(name=self.name,
                                                            describe=_describe(eg.reference, index),
                                                            gold=gold))
        return gold

    def _examples_to_truth(self, examples: Sequence[Example]) -> Tuple[numpy.ndarray, numpy.ndarray]:
        """Gold matrix and mask (1 = gives loss). Unannotated examples and empty docs are masked."""
        truths = numpy.zeros((len(examples), len(self.labels)), dtype="f")
        mask = numpy.zeros((len(examples), len(self.labels)), dtype="f")
        for i, eg in enumerate(examples):
            gold = self._gold_of(eg, i)
            if not gold or len(eg.predicted) == 0:
                continue
            for j, label in enumerate(self.labels):
                if label in gold:
                    truths[i, j] = gold[label]
                    mask[i, j] = 1.0
                elif self.exclusive:  # missing = 0.0 when one of the labels is positive
                    mask[i, j] = 1.0
        return truths, mask

    # -- prediction ----------------------------------------------------------------------------------
    def _probabilities(self, logits):
        ops = self.model.ops
        if self.exclusive:
            return ops.softmax(logits, axis=-1)
        return ops.sigmoid(logits)

    def predict(self, docs: Iterable[Doc]):
        """Label probabilities, shape (n_docs, n_labels). Empty docs get zeros (not run)."""
        docs = list(docs)
        scores = numpy.zeros((len(docs), len(self.labels)), dtype="f")
        idx = [i for i, doc in enumerate(docs) if len(doc)]
        if idx and self.labels:
            logits = self.model.predict([docs[i] for i in idx])
            probs = self.model.ops.to_numpy(self._probabilities(logits))
            scores[idx] = probs
        return scores

    def set_annotations(self, docs: Iterable[Doc], scores) -> None:
        labels = self.labels
        own = set(labels)
        thresholds = self.thresholds
        for i, doc in enumerate(docs):
            row = [float(s) for s in scores[i]]
            for label, score in zip(labels, row):
                doc.cats[label] = score
            chosen: List[str] = []
            if len(doc) and labels:
                if self.exclusive:
                    j = int(numpy.argmax(row))
                    if row[j] >= thresholds[labels[j]]:
                        chosen = [labels[j]]
                else:
                    chosen = [label for label, score in zip(labels, row)
                              if score >= thresholds[label]]
            previous = doc._.get(CATEGORIES_EXTENSION) or []
            doc._.set(CATEGORIES_EXTENSION, [c for c in previous if c not in own] + chosen)

    # -- training ------------------------------------------------------------------------------------
    def get_loss(self, examples: Iterable[Example], scores) -> Tuple[float, Any]:
        """Cross-entropy (exclusive) or binary cross-entropy (multi-label) on the logits ``scores``.

        Returns the mean loss over annotated examples and its gradient with respect to the logits.
        """
        examples = list(examples)
        validate_examples(examples, "PlaitTextCategorizer.get_loss")
        ops = self.model.ops
        truths, mask = self._examples_to_truth(examples)
        probs = ops.to_numpy(self._probabilities(scores))
        rows = float((mask.sum(axis=1) > 0).sum())
        if rows == 0:
            return 0.0, ops.alloc2f(*scores.shape)
        eps = 1e-7
        weights = self._loss_weights(truths)
        if self.exclusive:
            loss = -(weights * truths * numpy.log(numpy.clip(probs, eps, 1.0)) * mask).sum()
        else:
            loss = -(weights * (truths * numpy.log(numpy.clip(probs, eps, 1.0))
                                + (1 - truths) * numpy.log(numpy.clip(1 - probs, eps, 1.0)))
                     * mask).sum()
        d_scores = (probs - truths) * weights * mask / rows
        return float(loss / rows), ops.asarray2f(d_scores.astype("f"))

    def _loss_weights(self, truths: numpy.ndarray) -> numpy.ndarray:
        """Per (example, label) loss weights: exclusive, the gold class's weight on the whole row;
        multi-label, a label's positive-example weight where it is positive (1 where negative)."""
        stored = self.cfg.get("class_weights")
        if not stored:
            return numpy.ones_like(truths)
        w = numpy.asarray([float(stored.get(label, 1.0)) for label in self.labels], dtype="f")
        if self.exclusive:
            row = (truths * w).sum(axis=1, keepdims=True)
            row[truths.sum(axis=1) == 0] = 1.0
            return numpy.repeat(row, truths.shape[1], axis=1)
        return 1.0 + (w[None, :] - 1.0) * truths

    def rehearse(self, examples, *, drop=0.0, sgd=None, losses=None):
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        return losses

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Optional[Language] = None,
        labels: Optional[Iterable[str]] = None,
        positive_label: Optional[str] = None,
    ) -> None:
        """Set the labels (given, else every cat in the training examples) and build the model."""
        validate_get_examples(get_examples, "PlaitTextCategorizer.initialize")
        if self.cfg.get("head_init") == "fit":
            check_pipeline(nlp, component="Component (plait_textcat)", name=self.name)
        if labels is not None:
            new_labels = list(dict.fromkeys(labels))
        else:
            new_labels = list(self.labels)
            for eg in get_examples():
                for cat in eg.reference.cats:
                    if cat not in new_labels:
                        new_labels.append(cat)
        if self.exclusive and len(new_labels) < 2:
            raise TextcatError(Errors.TEXTCAT009.format(name=self.name, new_labels=new_labels))
        if not new_labels:
            raise TextcatError(Errors.TEXTCAT010.format(name=self.name))
        if positive_label is not None and (not self.exclusive or len(new_labels) != 2
                                           or positive_label not in new_labels):
            raise TextcatError(Errors.TEXTCAT011.format(name=self.name,
                                                        positive_label=positive_label,
                                                        new_labels=new_labels))
        self.cfg["positive_label"] = positive_label
        self.cfg["labels"] = []
        for label in new_labels:
            self.cfg["labels"].append(label)
            self.vocab.strings.add(label)
        stored = self.cfg.get("thresholds") or {}
        self.cfg["thresholds"] = {k: v for k, v in stored.items() if k in new_labels}
        sample = list(islice(get_examples(), 10))
        if not sample:
            raise TextcatError(Errors.TEXTCAT012.format(name=self.name))
        positives: Dict[str, int] = {}
        totals: Dict[str, int] = {}
        for i, eg in enumerate(get_examples()):
            gold = self._gold_of(eg, i)  # fail early, naming the doc
            for label, value in gold.items():
                totals[label] = totals.get(label, 0) + 1
                positives[label] = positives.get(label, 0) + int(value >= 0.5)
        if self.exclusive:
            self.cfg["class_weights"] = resolve_weights(
                self.class_weighting, positives, self.labels, component="Component (plait_textcat)",
                name=self.name)
        else:
            self.cfg["class_weights"] = pos_weights(
                self.class_weighting, positives, totals, self.labels, component="Component (plait_textcat)",
                name=self.name)
        truths, _ = self._examples_to_truth(sample)
        output = self._output_layer()
        if output.has_dim("nO") and output.get_dim("nO") != len(self.labels) and output.has_param("W"):
            # Re-initialized with another label set: a fresh output layer of the new size.
            from thinc.api import Linear, zero_init

            self.model.replace_node(output, Linear(nO=len(self.labels), init_W=zero_init))
        else:
            output.set_dim("nO", len(self.labels), force=True)
        self.model.initialize(X=[eg.reference for eg in sample], Y=self.model.ops.asarray2f(truths))
        if self.cfg.get("head_init") == "fit":
            self._fit_head(get_examples, nlp)

    def _fit_head(self, get_examples: Callable[[], Iterable[Example]],
                  nlp: Optional[Language], max_docs: int = 2000) -> None:
        """``head_init: "fit"``: the output layer fitted by logistic regression on what it reads
        (the pooled vectors, or the hidden layer's output) for up to ``max_docs`` training docs."""
        from thinc.api import chain

        from plait.training.few_shot import fit_head

        examples = list(islice(get_examples(), max_docs))
        truths, mask = self._examples_to_truth(examples)
        weights = self._loss_weights(truths)[:, :1] if self.exclusive else None
        fit_head(nlp, self.name, chain(*self.model.layers[:-1]), self._output_layer(),
                 [eg.predicted for eg in examples], truths, mask, exclusive=self.exclusive,
                 component="Component (plait_textcat)", sample_weight=weights)

    # -- the pair loss (pair_loss > 0) ------------------------------------------------------------
    def forward_pooled(self, docs: List[Doc]):
        """The chain run layer by layer, keeping the pooled vectors (for the pair loss)."""
        layers = self.model.layers
        pooling = layers.index(self.model.get_ref("pooling"))
        X: Any = docs
        backprops = []
        pooled = None
        for i, layer in enumerate(layers):
            X, bp = layer.begin_update(X)
            backprops.append(bp)
            if i == pooling:
                pooled = X

        def backprop(d_scores, d_pooled):
            d = d_scores
            for i in range(len(layers) - 1, -1, -1):
                if i == pooling:
                    d = d + d_pooled
                d = backprops[i](d)
            return d

        return X, pooled, backprop

    def pair_classes(self, examples: List[Example]) -> List[Optional[int]]:
        """The gold class of each example (exclusive labels; multi-label docs form no pairs)."""
        if not self.exclusive:
            return [None] * len(examples)
        index = {label: i for i, label in enumerate(self.labels)}
        classes: List[Optional[int]] = []
        for i, eg in enumerate(examples):
            gold = self._gold_of(eg, i)
            positive = [label for label, value in gold.items() if value == 1.0]
            classes.append(index[positive[0]] if positive else None)
        return classes

    # -- dev tuning ----------------------------------------------------------------------------------
    def tune_on_dev(self, examples: Iterable[Example], nlp: Optional[Language] = None) -> Dict[str, Any]:
        """Fit per-label thresholds on dev (multi-label): each label's threshold maximises its F1.

        Exclusive mode keeps argmax decisions and does not tune (returns ``{}``); so does
        ``tune_thresholds = false``. Labels with no positive dev example keep their threshold.
        """
        if self.exclusive or not self.cfg.get("tune_thresholds", True) or not self.labels:
            return {}
        examples = list(examples)
        unscored = [eg.predicted for eg in examples
                    if any(label not in eg.predicted.cats for label in self.labels)]
        if unscored:
            self.set_annotations(unscored, self.predict(unscored))
        data: Dict[str, Tuple[List[float], List[bool]]] = {label: ([], []) for label in self.labels}
        for i, eg in enumerate(examples):
            gold = self._gold_of(eg, i)
            for label, value in gold.items():
                data[label][0].append(float(eg.predicted.cats[label]))
                data[label][1].append(value >= 0.5)
        current = self.thresholds
        tuned: Dict[str, float] = {}
        dev_f: Dict[str, Optional[float]] = {}
        for label, (scores, golds) in data.items():
            cutoff, f1 = best_threshold(scores, golds, default=current[label])
            dev_f[label] = f1
            if cutoff is not None:
                tuned[label] = cutoff
        self.set_thresholds(tuned)
        return {"thresholds": self.thresholds, "dev_f": dev_f}


def make_textcat(
    nlp: Language,
    name: str,
    model: Model,
    exclusive: bool,
    threshold: Optional[float],
    tune_thresholds: bool,
    scorer: Optional[Callable],
    class_weights: Optional[Union[str, Dict[str, float]]] = None,
    head_init: Optional[str] = None,
    pair_loss: float = 0.0,
) -> PlaitTextCategorizer:
    """Create a ``plait_textcat`` component.

    exclusive: one label per doc (softmax) if true, else independent labels (sigmoid).
    threshold: default decision threshold for every label until tuned (null: 0.5 multi-label, 0.0
        exclusive, i.e. plain argmax).
    tune_thresholds: fit per-label thresholds on dev during training (multi-label only).
    class_weights: null (plain loss), "balanced" or a mapping of label to weight. Exclusive: each
        example weighs its gold class's weight (balanced: ``n / (k * n_class)``); multi-label: the
        weight of a label's positive examples (balanced: ``n_negative / n_positive``). Capped at 10,
        computed from the training data at initialize and saved with the component.
    head_init: null (the output layer starts at zero) or "fit" (fitted by logistic regression on
        the frozen encoder's pooled vectors of the training docs before the first step; the
        small-data recipe, see docs/few-labels.md).
    pair_loss: weight of the pair loss on the pooled vectors (same class: cosine towards 1, other
        classes: towards 0; SetFit's contrastive loss on every pair of a batch). 0: none.
    """
    if not Doc.has_extension(CATEGORIES_EXTENSION):
        Doc.set_extension(CATEGORIES_EXTENSION, default=None)
    return PlaitTextCategorizer(nlp.vocab, model, name, exclusive=exclusive, threshold=threshold,
                                tune_thresholds=tune_thresholds, scorer=scorer,
                                class_weights=class_weights, head_init=head_init,
                                pair_loss=pair_loss)
