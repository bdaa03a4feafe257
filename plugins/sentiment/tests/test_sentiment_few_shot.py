"""The small-data recipe on plait_sentiment (issue 31): ``head_init: fit`` (a head fitted on the
frozen encoder's pooled doc vectors at initialize) and ``pair_loss`` (on the doc rows, not the
sentence rows), as on textcat. Tiny random encoder, CPU."""
from __future__ import annotations

import numpy
import pytest
from spacy.util import fix_random_seed

from plait.errors import PlaitValueError
from sentiment_helpers import THREE, THREE_CLASS_DATA, build_nlp, make_examples


def test_fitted_head_and_pair_loss_on_the_doc_rows():
    fix_random_seed(0)
    nlp = build_nlp(config={"head_init": "fit", "pair_loss": 1.0})
    examples = make_examples(nlp, THREE_CLASS_DATA, THREE)
    optimizer = nlp.initialize(lambda: examples)
    pipe = nlp.get_pipe("sentiment")
    texts = [t for t, _ in THREE_CLASS_DATA]
    scores = pipe.predict(list(nlp.pipe(texts, disable=["sentiment"])))
    doc_rows = numpy.stack([s[0] for s in scores])
    right = sum(pipe.labels[int(numpy.argmax(row))] == gold
                for row, (_, gold) in zip(doc_rows, THREE_CLASS_DATA))
    assert right >= 5  # of 6, before any update
    docs = [eg.predicted for eg in examples]
    docs = list(nlp.get_pipe("transformer").pipe(list(nlp.get_pipe("sentencizer").pipe(docs))))
    outputs, pooled, backprop = pipe.forward_pooled(docs)
    assert pooled.shape[0] == len(docs) and outputs[0].shape[0] >= 2  # doc row + sentence rows
    assert pipe.pair_classes(examples) == [THREE.index(g) for _, g in THREE_CLASS_DATA]
    optimizer.learn_rate = 0.001
    losses = {}
    for _ in range(5):
        losses = nlp.update(examples, sgd=optimizer)
    assert losses["sentiment"] > 0 and numpy.isfinite(losses["sentiment"])


def test_bad_options_give_coded_errors():
    with pytest.raises(PlaitValueError, match=r"\[E158\]"):
        build_nlp(config={"head_init": "means"})
    with pytest.raises(PlaitValueError, match=r"\[E159\]"):
        build_nlp(config={"pair_loss": -1})
