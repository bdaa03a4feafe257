"""The listener components' base (``plait.plugins.component_base``, ``listener_defaults``), tested
through a throwaway component built here: a doc classifier (mean-pooled token vectors -> softmax)
that reads the tiny transformer through a listener, exactly as the composer adds a component."""
from __future__ import annotations

import types
from itertools import islice

import numpy
import pytest
import spacy
from spacy.util import registry
from thinc.api import Model, Softmax_v2, chain, list2ragged, reduce_mean

from plait.plugins.component_base import ListenerComponent, register_factory
from plait.plugins.listener_defaults import (LISTENER_PATH, listener_component, listener_model,
                                             standalone_tok2vec)
from plait.testing import LISTENER, make_examples, overfit, tiny_pipeline

ARCH = "plaittest.base_probe.v1"
FACTORY = "plaittest_base_probe"
LABELS = ["high", "low"]
DATA = [("Fix the London store today, it is urgent.", {"cats": {"high": 1.0, "low": 0.0}}),
        ("A short note from Berlin to say hello.", {"cats": {"high": 0.0, "low": 1.0}}),
        ("Send the report now, please hurry.", {"cats": {"high": 1.0, "low": 0.0}}),
        ("Thanks for the lovely dinner in Paris.", {"cats": {"high": 0.0, "low": 1.0}})]


@registry.architectures(ARCH)
def build_probe(tok2vec: Model, nO=None) -> Model:
    output = Softmax_v2(nO=nO)
    model = chain(tok2vec, list2ragged(), reduce_mean(), output)
    model.set_ref("output", output)
    return model


class Probe(ListenerComponent):
    """Task logic only; the hooks record that they ran."""

    def __init__(self, vocab, model, name, *, limit: int) -> None:
        super().__init__(vocab, model, name, cfg={"labels": [], "limit": limit})
        self.calls: list = []

    def add_label(self, label: str) -> int:
        if label in self.labels:
            return 0
        self.cfg["labels"].append(label)
        return 1

    def predict(self, docs):
        return self.model.ops.to_numpy(self.model.predict(list(docs)))

    def set_annotations(self, docs, scores) -> None:
        for doc, row in zip(docs, scores):
            doc.cats.update({label: float(p) for label, p in zip(self.labels, row)})

    def get_loss(self, examples, scores):
        probs = self.model.ops.to_numpy(scores)
        truths = numpy.zeros_like(probs)
        mask = numpy.zeros((len(examples), 1), dtype="f")
        for i, eg in enumerate(examples):
            if any(label in eg.reference.cats for label in self.labels):
                mask[i] = 1.0
                truths[i] = [eg.reference.cats.get(label, 0.0) for label in self.labels]
        n = max(float(mask.sum()), 1.0)
        loss = float(-(truths * numpy.log(numpy.clip(probs, 1e-9, 1.0)) * mask).sum() / n)
        return loss, self.model.ops.asarray2f((probs - truths) * mask / n)

    def initialize(self, get_examples, *, nlp=None, labels=None) -> None:
        for label in labels or sorted({c for eg in get_examples() for c in eg.reference.cats}):
            self.add_label(label)
        self.model.get_ref("output").set_dim("nO", len(self.labels))
        self.model.initialize(X=[eg.reference for eg in islice(get_examples(), 10)])

    def before_update(self, examples) -> None:
        self.calls.append(("before_update", len(examples)))

    def after_update(self, examples) -> None:
        self.calls.append(("after_update", len(examples)))

    def check_cfg(self) -> None:
        self.calls.append(("check_cfg",))
        if self.cfg["limit"] < 0:
            raise ValueError(f"Component '{self.name}': limit must be >= 0, got {self.cfg['limit']}.")

    def after_load(self) -> None:
        self.calls.append(("after_load",))


def make_probe(nlp, name, model, limit):
    return Probe(nlp.vocab, model, name, limit=limit)


DEFAULTS = types.SimpleNamespace(
    FACTORY=FACTORY, ASSIGNS=["doc.cats"], SCORE_WEIGHTS={},
    CONFIG={"model": listener_model(ARCH, standalone_tok2vec(width=32, depth=1), nO=None),
            "limit": 3})
make_factory = register_factory(DEFAULTS, f"{__name__}:make_probe")


def _pipeline():
    nlp = tiny_pipeline()
    config = {"model": {**DEFAULTS.CONFIG["model"], "tok2vec": dict(LISTENER)}}
    nlp.add_pipe(FACTORY, name="probe", config=config)
    examples = make_examples(nlp, DATA)
    nlp.initialize(lambda: examples)
    return nlp, examples


@pytest.fixture(scope="module")
def trained():
    nlp, examples = _pipeline()
    history = overfit(nlp, examples, steps=12, learn_rate=1e-2)
    return nlp, examples, history


def test_the_factory_is_declared_from_the_defaults():
    meta = spacy.Language.get_factory_meta(FACTORY)
    assert meta.default_config == DEFAULTS.CONFIG
    assert list(meta.assigns) == ["doc.cats"]
    nlp = spacy.blank("en")
    with pytest.raises(Exception, match="unknown_setting"):
        nlp.add_pipe(FACTORY, config={"unknown_setting": 1})


def test_standalone_defaults_build_and_train_without_a_transformer():
    nlp = spacy.blank("en")
    probe = nlp.add_pipe(FACTORY)
    assert nlp.config["components"][FACTORY]["model"]["tok2vec"] == standalone_tok2vec(32, 1)
    examples = make_examples(nlp, DATA)
    nlp.initialize(lambda: examples)
    losses = overfit(nlp, examples, steps=3, learn_rate=1e-2)[FACTORY]
    assert len(losses) == 3 and all(numpy.isfinite(losses))
    assert probe.labels == tuple(LABELS)


def test_it_learns_through_the_listener(trained):
    nlp, examples, history = trained
    losses = history["probe"]
    assert losses[-1] < 0.5 * losses[0], losses
    assert "transformer" in history  # the shared encoder learnt from the listener's gradient
    doc = nlp(DATA[0][0])
    assert set(LABELS) <= set(doc.cats) and doc.cats["high"] > doc.cats["low"]


def test_update_hooks_run_and_an_unannotated_batch_is_a_zero_loss(trained):
    nlp, examples, _ = trained
    probe = nlp.get_pipe("probe")
    probe.calls.clear()
    unannotated = make_examples(nlp, [("No gold in this one.", {}), ("Nor here.", {})])
    losses = nlp.update(unannotated, sgd=None, losses={})
    assert losses["probe"] == 0.0
    assert probe.calls == [("before_update", 2), ("after_update", 2)]
    probe.calls.clear()
    empty = make_examples(nlp, [("", {"cats": {"high": 1.0}})])
    assert probe.update(empty, sgd=None) == {"probe": 0.0}  # no token: skipped after the check
    assert probe.calls == [("before_update", 1)]


def test_labels_and_label_data(trained):
    probe = trained[0].get_pipe("probe")
    assert probe.labels == tuple(LABELS) and probe.label_data == LABELS
    bare = Probe(probe.vocab, probe.model, "bare", limit=1)
    del bare.cfg["labels"]
    assert bare.labels == () and bare.label_data is None


def test_to_disk_from_disk_round_trips(trained, tmp_path):
    nlp, _, _ = trained
    probe = nlp.get_pipe("probe")
    probe.calls.clear()
    nlp.to_disk(tmp_path / "model")
    assert ("check_cfg",) in probe.calls
    loaded = spacy.load(tmp_path / "model")
    again = loaded.get_pipe("probe")
    assert isinstance(again, Probe) and again.cfg == probe.cfg
    assert again.calls == [("after_load",)]
    text = DATA[1][0]
    assert loaded(text).cats == pytest.approx(nlp(text).cats, abs=1e-6)
    assert loaded.config["components"]["probe"] == nlp.config["components"]["probe"]


def test_to_bytes_from_bytes_round_trips(trained):
    nlp, _, _ = trained
    probe = nlp.get_pipe("probe")
    text = DATA[2][0]
    before, cfg = nlp(text).cats, dict(probe.cfg)
    probe.calls.clear()
    probe.from_bytes(probe.to_bytes())
    assert probe.calls == [("check_cfg",), ("after_load",)]
    assert probe.cfg == cfg and nlp(text).cats == pytest.approx(before, abs=1e-6)


def test_check_cfg_stops_saving_a_broken_cfg(tmp_path):
    nlp, _ = _pipeline()
    probe = nlp.get_pipe("probe")
    probe.cfg["limit"] = -1
    with pytest.raises(ValueError, match="limit must be >= 0"):
        probe.to_disk(tmp_path / "probe")
    with pytest.raises(ValueError, match="limit must be >= 0"):
        probe.to_bytes()


def test_listener_component_registers_from_the_modules():
    outputs = types.SimpleNamespace(output_info=lambda: None)
    evaluation = types.SimpleNamespace(headline=lambda entry: "h")
    info = listener_component(DEFAULTS, outputs, evaluation, name="probe", needs_labels=True)
    assert (info.factory, info.task, info.listener_path) == (FACTORY, "probe", LISTENER_PATH)
    assert info.config == DEFAULTS.CONFIG and info.output is None
    assert info.evaluation.headline({}) == "h" and info.evaluation.figures is None
