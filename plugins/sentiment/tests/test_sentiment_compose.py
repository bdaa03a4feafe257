"""The sentiment component trains inside a config composed from a pipeline spec (spaCy's own loop)."""
import io

import pytest
import spacy
from spacy.tokens import DocBin

from sentiment_helpers import THREE, THREE_CLASS_DATA

compose_mod = pytest.importorskip("plait.training.compose")
spec_mod = pytest.importorskip("plait.training.spec")


def _write_corpus(path, data, labels):
    nlp = spacy.blank("en")
    db = DocBin()
    for text, gold in data:
        doc = nlp.make_doc(text)
        doc.cats = {lab: float(lab == gold) for lab in labels}
        db.add(doc)
    db.to_disk(path)
    return path


def test_trains_in_a_composed_pipeline(tmp_path):
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train

    # One merged corpus: 3-class sentiment docs plus docs of another task (skipped by sentiment).
    other = [("Football news from the city.", "sports"), ("The company report.", "business")]
    train_path = tmp_path / "train.spacy"
    db = DocBin()
    nlp0 = spacy.blank("en")
    for text, gold in THREE_CLASS_DATA:
        doc = nlp0.make_doc(text)
        doc.cats = {lab: float(lab == gold) for lab in THREE}
        db.add(doc)
    for text, gold in other:
        doc = nlp0.make_doc(text)
        doc.cats = {gold: 1.0}
        db.add(doc)
    db.to_disk(train_path)
    dev_path = _write_corpus(tmp_path / "dev.spacy", THREE_CLASS_DATA, THREE)

    spec = spec_mod.PipelineSpec.model_validate({
        "name": "sentiment-test",
        "encoder": "tiny-random",
        "transformer": {"window": 64, "stride": 48},
        "components": [{"component": "sentiment", "labels": THREE, "options": {"model.dropout": 0.0}}],
        "training": {"train": str(train_path), "dev": str(dev_path), "max_steps": 40,
                     "eval_frequency": 20, "learning_rate": 0.002, "warmup_steps": 0, "dropout": 0.0,
                     "patience": 0, "batch_words": 1000},
    })
    config = compose_mod.compose(spec)
    assert config["nlp"]["pipeline"][:3] == ["sentencizer", "transformer", "sentiment"]
    comp = config["components"]["sentiment"]
    assert comp["factory"] == "plait_sentiment"
    assert comp["model"]["tok2vec"]["@architectures"] == "spacy-transformers.TransformerListener.v1"
    assert config["initialize"]["components"]["sentiment"]["labels"] == THREE

    nlp = init_nlp(config)
    out = tmp_path / "out"
    out.mkdir()
    train(nlp, out, stdout=io.StringIO(), stderr=io.StringIO())

    trained = spacy.load(out / "model-last")
    pipe = trained.get_pipe("sentiment")
    assert pipe.labels == tuple(THREE)
    correct = 0
    for text, gold in THREE_CLASS_DATA:
        doc = trained(text)
        assert all(sent._.sentiment is not None for sent in doc.sents)
        correct += doc._.sentiment["label"] == gold
    assert correct >= 5, correct
    scores = trained.evaluate([eg for eg in _examples(trained, dev_path)])
    assert scores["sentiment_acc"] >= 5 / 6


def _examples(nlp, path):
    from spacy.training import Corpus

    return list(Corpus(str(path))(nlp))
