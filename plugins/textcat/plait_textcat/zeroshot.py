"""The ``plait_zeroshot_textcat`` spaCy component: a text classifier from label names alone.

Each label is embedded once, at ``initialize``, by the pipeline itself: its description (or its
name) runs through the pipes before this one (the shared transformer) and this component's own
listener, and its token vectors are mean-pooled and L2-normalised. A text is pooled the same way;
its logit for a label is ``scale`` times the cosine of the two. The label vectors are the weights
of the model's output layer, so they are saved with the pipeline. Decisions, ``doc.cats``,
``doc._.categories`` and the scorer are :class:`~plait_textcat.component.PlaitTextCategorizer`'s,
so its scores compare with a trained classifier's (the 0-example point of ``plait curve``).

It learns nothing: in a pipeline that trains, its update keeps the listener's contract (the batch
runs and a zero gradient goes back to the shared transformer) and leaves its label vectors as
they are.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional

import numpy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry
from thinc.api import Model

from .component import CATEGORIES_EXTENSION, PlaitTextCategorizer
from .errors import Errors, TextcatError


def _l2_normalize() -> Model:
    def forward(model: Model, X, is_train: bool):
        ops = model.ops
        norms = ops.xp.sqrt((X * X).sum(axis=1, keepdims=True)) + 1e-8
        Y = X / norms

        def backprop(dY):  # d(x/|x|) = (dY - y (y . dY)) / |x|
            return (dY - Y * (Y * dY).sum(axis=1, keepdims=True)) / norms

        return Y, backprop

    return Model("l2_normalize", forward)


@registry.architectures("plait.zeroshot_textcat.v1")
def build_zeroshot_model(tok2vec: Model, nO: Optional[int] = None) -> Model:
    """tok2vec -> mean pooling -> L2 normalisation -> label vectors (a linear layer, no bias
    used): one cosine per label. ``nO`` (the label count) is set by the component."""
    from thinc.api import Linear, chain, list2ragged, reduce_mean, zero_init

    encode = chain(tok2vec, list2ragged(), reduce_mean(), _l2_normalize())
    output = Linear(nO=nO, init_W=zero_init)
    model = chain(encode, output)
    model.name = "plait-zeroshot-textcat"
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("encode", encode)
    model.set_ref("output_layer", output)
    return model


class ZeroShotTextCategorizer(PlaitTextCategorizer):
    """Labels by similarity to their names or descriptions (see the module docstring)."""

    def __init__(self, vocab, model: Model, name: str = "textcat", *, exclusive: bool = True,
                 descriptions: Optional[Dict[str, str]] = None, scale: float = 20.0,
                 threshold: Optional[float] = None,
                 scorer: Optional[Callable] = None) -> None:
        from .scoring import score_textcat

        super().__init__(vocab, model, name, exclusive=exclusive, threshold=threshold,
                         tune_thresholds=False, scorer=scorer or score_textcat)
        self.cfg["descriptions"] = {str(k): str(v) for k, v in (descriptions or {}).items()}
        self.cfg["scale"] = float(scale)

    def label_texts(self) -> List[str]:
        """The text each label is embedded from: its description, else its name."""
        given = self.cfg.get("descriptions") or {}
        return [given.get(label) or label for label in self.labels]

    def _probabilities(self, cosines):
        ops = self.model.ops
        logits = cosines * float(self.cfg.get("scale", 20.0))
        if self.exclusive:
            return ops.softmax(logits, axis=-1)
        return ops.sigmoid(logits - logits.mean(axis=1, keepdims=True))

    def get_loss(self, examples: Iterable[Example], scores):
        """Nothing to learn: zero loss, a zero gradient (the listener's backward still runs)."""
        return 0.0, self.model.ops.alloc2f(*scores.shape)

    def finish_update(self, sgd) -> None:
        """The label vectors stay as initialized (no weight decay either)."""

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *,
                   nlp: Optional[Language] = None, labels: Optional[Iterable[str]] = None,
                   descriptions: Optional[Dict[str, str]] = None) -> None:
        """Labels: given, else every cat of the examples and every described label; then each
        label's vector from its text, through the pipes before this one."""
        # no validate_get_examples: no example at all is fine (labels given or described)
        if descriptions:
            self.cfg["descriptions"] = {str(k): str(v) for k, v in descriptions.items()}
        if labels is not None:
            new_labels = list(dict.fromkeys(labels))
        else:
            new_labels = []
            for eg in get_examples():
                for cat in eg.reference.cats:
                    if cat not in new_labels:
                        new_labels.append(cat)
            new_labels += [label for label in self.cfg["descriptions"] if label not in new_labels]
        if not new_labels:
            raise TextcatError(Errors.TEXTCAT010.format(name=self.name))
        if self.exclusive and len(new_labels) < 2:
            raise TextcatError(Errors.TEXTCAT009.format(name=self.name, new_labels=new_labels))
        if nlp is None:
            raise TextcatError(Errors.TEXTCAT013.format(name=self.name))
        self.cfg["labels"] = []
        for label in new_labels:
            self.cfg["labels"].append(label)
            self.vocab.strings.add(label)
        from plait.training.few_shot import run_pipes_before

        docs = run_pipes_before(nlp, self.name, [nlp.make_doc(t) for t in self.label_texts()])
        output = self._output_layer()
        output.set_dim("nO", len(self.labels), force=True)
        self.model.initialize(X=docs)
        vectors = self.model.ops.to_numpy(self.model.get_ref("encode").predict(docs))
        output.set_param("W", self.model.ops.asarray2f(vectors.astype("f")))
        output.set_param("b", self.model.ops.alloc1f(len(self.labels)))


def make_zeroshot_textcat(nlp: Language, name: str, model: Model, exclusive: bool,
                          descriptions: Optional[Dict[str, str]], scale: float,
                          threshold: Optional[float], scorer: Optional[Callable]
                          ) -> ZeroShotTextCategorizer:
    """Create a ``plait_zeroshot_textcat`` component.

    exclusive: one label per doc (softmax over the cosines) if true, else independent labels.
    descriptions: {label: a short description} to embed instead of the label's name.
    scale: logits are ``scale`` times the cosine (a larger scale, more confident scores).
    threshold: default decision threshold (null: 0.0 exclusive, i.e. argmax; 0.5 multi-label).
    """
    if not Doc.has_extension(CATEGORIES_EXTENSION):
        Doc.set_extension(CATEGORIES_EXTENSION, default=None)
    return ZeroShotTextCategorizer(nlp.vocab, model, name, exclusive=exclusive,
                                   descriptions=descriptions, scale=scale, threshold=threshold,
                                   scorer=scorer)
