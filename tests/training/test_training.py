"""Training callbacks: the NaN guard and dev-set tuning before each checkpoint."""
from __future__ import annotations

import io
import math

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.util import registry

from plait.errors import TrainingDiverged
from plait.training.callbacks import check_losses


def test_nan_loss_stops_training_with_a_clear_message():
    nlp = spacy.blank("en")
    nlp.add_pipe("tagger")
    setup = registry.loggers.get("plait.ConsoleLogger.v1")(progress_bar=None)
    step, finalize = setup(nlp, io.StringIO(), io.StringIO())
    info = {"epoch": 0, "step": 10, "score": 0.5, "other_scores": {}, "losses": {"tagger": 1.0},
            "checkpoints": [], "seconds": 1, "words": 10}
    step(info)
    with pytest.raises(TrainingDiverged) as err:
        step({**info, "step": 20, "losses": {"tagger": math.nan}})
    assert "step 20" in str(err.value) and "'tagger'" in str(err.value)
    assert "E030" in str(err.value)
    check_losses({"a": 0.0, "b": 3.5})
    with pytest.raises(TrainingDiverged):
        check_losses({"a": math.inf})


class _Tunable:
    """A real spaCy component that counts tokens and learns a 'threshold' on dev."""

    def __init__(self, nlp, name):
        self.name = name
        self.cfg = {"threshold": None, "seen": 0}

    def __call__(self, doc):
        doc.user_data["tunable_ran"] = True
        return doc

    def tune_on_dev(self, examples, nlp):
        assert all(eg.predicted.user_data.get("tunable_ran") for eg in examples)
        self.cfg["seen"] = len(examples)
        self.cfg["threshold"] = sum(len(eg.reference) for eg in examples) / len(examples)
        return dict(self.cfg)


@Language.factory("plait_test_tunable")
def _make_tunable(nlp, name):
    return _Tunable(nlp, name)


def test_tune_on_dev_runs_pipeline_over_dev_and_calls_components(tmp_path):
    nlp = spacy.blank("en")
    db = DocBin()
    for words in (["a", "b"], ["c", "d", "e", "f"]):
        db.add(Doc(nlp.vocab, words=words))
    db.to_disk(tmp_path / "dev.spacy")
    nlp.add_pipe("plait_test_tunable", name="tun")
    callback = registry.misc.get("plait.tune_on_dev.v1")(path=str(tmp_path / "dev.spacy"))
    assert callback(nlp) is nlp
    assert nlp.get_pipe("tun").cfg == {"threshold": 3.0, "seen": 2}
    # No dev corpus (e.g. a path not yet created): saving still works, nothing is tuned.
    nlp2 = spacy.blank("en")
    nlp2.add_pipe("plait_test_tunable", name="tun")
    registry.misc.get("plait.tune_on_dev.v1")(path=str(tmp_path / "missing"))(nlp2)
    assert nlp2.get_pipe("tun").cfg["seen"] == 0
