"""The small-data recipe on plait_textcat (issue 31): ``head_init: fit`` makes the initialized
pipeline a classifier before any step, and ``pair_loss`` trains through the shared transformer
(its gradient reaches the encoder) and is saved with the pipeline. Tiny random encoder, CPU."""
from __future__ import annotations

import numpy
import pytest
from spacy.util import fix_random_seed

from plait.errors import PlaitValueError
from textcat_testutil import EXCLUSIVE_DATA, make_examples, make_nlp, predicted_labels


def _transformer_weights(nlp):
    hf = nlp.get_pipe("transformer").model.transformer
    return numpy.concatenate([p.detach().numpy().ravel().copy() for p in hf.parameters()])


def test_a_fitted_head_classifies_the_training_docs_before_the_first_step():
    fix_random_seed(0)
    fitted = make_nlp(head_init="fit")
    examples = make_examples(fitted, EXCLUSIVE_DATA)
    fitted.initialize(lambda: examples)
    texts = [text for text, _ in EXCLUSIVE_DATA]
    gold = [[max(cats, key=cats.get)] for _, cats in EXCLUSIVE_DATA]
    right = sum(p == g for p, g in zip(predicted_labels(fitted, texts), gold))
    assert right >= 5  # of 6, with 0 updates
    zero = make_nlp()
    zero.initialize(lambda: make_examples(zero, EXCLUSIVE_DATA))
    assert all(abs(v - 1 / 3) < 1e-6 for v in zero(texts[0]).cats.values())  # a zero head


def test_pair_loss_trains_the_encoder_and_the_options_survive_saving(tmp_path):
    import spacy

    fix_random_seed(0)
    nlp = make_nlp(head_init="fit", pair_loss=1.0)
    examples = make_examples(nlp, EXCLUSIVE_DATA)
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = 0.001
    before = _transformer_weights(nlp)
    pipe = nlp.get_pipe("textcat")
    from plait.training.few_shot import pair_loss

    def batch_pair_loss():
        docs = list(nlp.get_pipe("transformer").pipe([eg.predicted.copy() for eg in examples]))
        _, pooled, _ = pipe.forward_pooled(docs)
        return pair_loss(pooled, pipe.pair_classes(examples))[0]

    start = batch_pair_loss()
    for _ in range(15):
        losses = nlp.update(examples, sgd=optimizer)
    assert losses["textcat"] > 0
    assert batch_pair_loss() < start
    assert not numpy.allclose(before, _transformer_weights(nlp))
    nlp.to_disk(tmp_path / "m")
    loaded = spacy.load(tmp_path / "m")
    assert loaded.get_pipe("textcat").cfg["pair_loss"] == 1.0
    assert loaded.get_pipe("textcat").cfg["head_init"] == "fit"
    assert loaded(EXCLUSIVE_DATA[0][0]).cats == pytest.approx(nlp(EXCLUSIVE_DATA[0][0]).cats)


def test_bad_options_and_a_fit_without_the_pipeline_give_coded_errors():
    with pytest.raises(PlaitValueError, match=r"\[E158\]"):
        make_nlp(head_init="prototype")
    with pytest.raises(PlaitValueError, match=r"\[E159\]"):
        make_nlp(pair_loss=-0.5)
    nlp = make_nlp(head_init="fit")
    examples = make_examples(nlp, EXCLUSIVE_DATA)
    nlp.get_pipe("transformer").initialize(lambda: examples)
    with pytest.raises(PlaitValueError, match=r"\[E160\].*nlp.initialize"):
        nlp.get_pipe("textcat").initialize(lambda: examples)
