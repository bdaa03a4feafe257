"""Two-stage fine-tuning and per-group learning rates (``plait.fine_tuning.v1``), for real:
composed configs, spaCy's own Adam and `spacy train`, the tiny random encoder."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.tokens import DocBin
from spacy.training import Example
from spacy.util import registry

from plait.training.compose import compose, config_to_str
from plait.errors import SpecError
from plait.training.finetune import FeatureCache, _frozen_update, encoder_scale
from plait.plugins.registry import get_registry
from plait.training.spec import PipelineSpec

TEXTS = [("the match was won in the final minute", "SPORTS"),
         ("the new phone has a faster chip", "TECH"),
         ("our team scored twice before half time", "SPORTS"),
         ("the app runs on every laptop", "TECH")] * 3


def _cats(label: str) -> dict:
    return {"SPORTS": float(label == "SPORTS"), "TECH": float(label == "TECH")}


def _examples(nlp) -> list:
    return [Example.from_dict(nlp.make_doc(text), {"cats": _cats(label)}) for text, label in TEXTS]


@pytest.fixture(autouse=True)
def _needs_textcat():
    if "textcat" not in get_registry().components():
        pytest.skip("plait-textcat is not installed")


def _spec(corpus: Path, **training) -> PipelineSpec:
    return PipelineSpec.model_validate({
        "name": "ft", "encoder": "tiny-random", "transformer": {"window": 32, "stride": 24},
        "components": [{"component": "textcat", "labels": ["SPORTS", "TECH"]}],
        "training": {"train": str(corpus), "dev": str(corpus), "max_steps": 6, "eval_frequency": 100,
                     "warmup_steps": 0, "batch_words": 1000, "tune_on_dev": False, **training}})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    nlp = spacy.blank("en")
    db = DocBin()
    for text, label in TEXTS:
        doc = nlp.make_doc(text)
        doc.cats = _cats(label)
        db.add(doc)
    path = tmp_path_factory.mktemp("ft") / "train.spacy"
    db.to_disk(path)
    return path


def _encoder_weights(nlp) -> dict:
    model = nlp.get_pipe("transformer").model.transformer
    return {k: v.detach().clone().numpy() for k, v in model.state_dict().items()}


def _head_W(nlp) -> numpy.ndarray:
    return numpy.array(nlp.get_pipe("textcat").model.get_ref("output_layer").get_param("W"))


def test_composer_writes_the_callback_and_the_heads_rate(corpus):
    spec = _spec(corpus, head_steps=3, head_learning_rate=1e-3, encoder_learning_rate=2e-5,
                 warmup_steps=2)
    training = compose(spec)["training"]
    assert training["before_update"] == {
        "@callbacks": "plait.fine_tuning.v1", "encoder": "transformer", "head_steps": 3,
        "encoder_lr_scale": pytest.approx(0.02), "encoder_warmup_steps": 2,
        "feature_cache_mb": 1024, "trim_memory": True, "trainable_layers": 0}
    assert training["optimizer"]["learn_rate"]["initial_rate"] == 1e-3
    # No recipe asked for: the callback only hands memory back; without that either, no callback
    # (a plain spaCy config). A frozen encoder gets the memory trimming too.
    assert compose(_spec(corpus))["training"]["before_update"] == {
        "@callbacks": "plait.fine_tuning.v1", "encoder": "transformer", "head_steps": 0,
        "encoder_lr_scale": 1.0, "encoder_warmup_steps": 0, "trim_memory": True,
        "feature_cache_mb": 1024, "trainable_layers": 0}  # (filled from the callback's signature)
    assert compose(_spec(corpus, trim_memory=False))["training"]["before_update"] is None
    # an encoder warm-up of its own is a recipe on its own (single-stage, no trimming)
    assert compose(_spec(corpus, trim_memory=False, encoder_warmup_steps=3))[
        "training"]["before_update"]["encoder_warmup_steps"] == 3
    assert compose(_spec(corpus, freeze_encoder=True))["training"]["before_update"]["trim_memory"]
    with pytest.raises(SpecError, match="E152"):
        compose(_spec(corpus, freeze_encoder=True, head_steps=3))
    assert [encoder_scale(s, head_steps=2, encoder_lr_scale=0.5, encoder_warmup_steps=2)
            for s in range(5)] == [0.0, 0.0, 0.25, 0.5, 0.5]


def _train_in_process(spec: PipelineSpec, steps: int):
    """spaCy's own training loop over the composed config (the callback resolved from it)."""
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train

    config = compose(spec)
    config["training"]["max_steps"] = steps
    nlp = init_nlp(config)
    before = _encoder_weights(nlp)
    train(nlp, None, stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    return nlp, before


def test_stage_one_leaves_the_encoder_bit_identical_and_stage_two_moves_it(corpus):
    spec = _spec(corpus, head_steps=4, head_learning_rate=1e-2, encoder_learning_rate=1e-3)
    # spaCy's loop runs steps 0 .. max_steps: max_steps = 3 is exactly the 4 steps of stage 1.
    nlp, before = _train_in_process(spec, steps=3)
    after = _encoder_weights(nlp)
    assert before.keys() == after.keys()
    for name in before:
        assert numpy.array_equal(before[name], after[name]), name  # bit-identical
    assert numpy.abs(_head_W(nlp)).max() > 0  # the heads did train (zero-initialized)
    nlp, before = _train_in_process(spec, steps=6)  # stage 1, then 3 steps of stage 2
    after = _encoder_weights(nlp)
    moved = [name for name in before if not numpy.array_equal(before[name], after[name])]
    assert len(moved) > len(before) // 2, moved


def _moved(before: dict, after: dict) -> set:
    return {name for name in before if not numpy.array_equal(before[name], after[name])}


@pytest.mark.parametrize("head_steps", [0, 2])
def test_partial_fine_tuning_trains_only_the_top_layers(corpus, head_steps):
    """encoder_trainable_layers = 1 of the tiny encoder's 2: the embeddings and layer 0 stay
    bit-identical, layer 1 moves (single-stage, or in stage 2 after a head-only stage)."""
    spec = _spec(corpus, head_steps=head_steps, encoder_trainable_layers=1,
                 head_learning_rate=1e-2, encoder_learning_rate=1e-3)
    block = compose(spec)["training"]["before_update"]
    assert block["trainable_layers"] == 1
    nlp, before = _train_in_process(spec, steps=6)
    moved = _moved(before, _encoder_weights(nlp))
    lower = {n for n in before if n.startswith("embeddings.") or n.startswith("encoder.layer.0.")}
    top = {n for n in before if n.startswith("encoder.layer.1.")}
    assert lower and not moved & lower, sorted(moved & lower)
    assert len(moved & top) > len(top) // 2, sorted(top - moved)
    assert numpy.abs(_head_W(nlp)).max() > 0
    # all layers trainable: the embeddings move too (the partial run above is not a no-op check)
    full, before = _train_in_process(_spec(corpus, head_steps=head_steps, head_learning_rate=1e-2,
                                           encoder_learning_rate=1e-3), steps=6)
    assert _moved(before, _encoder_weights(full)) & lower


def test_partial_fine_tuning_names_a_layer_count_the_encoder_has(corpus):
    with pytest.raises(SpecError, match="E157.*has 2 transformer layers"):
        _train_in_process(_spec(corpus, encoder_trainable_layers=3), steps=2)
    with pytest.raises(ValueError, match="encoder_trainable_layers"):  # null means all layers
        _spec(corpus, encoder_trainable_layers=0)
    with pytest.raises(SpecError, match="E152"):
        compose(_spec(corpus, freeze_encoder=True, encoder_trainable_layers=1))


def test_freeze_below_finds_the_layers_of_other_encoder_families():
    """DistilBERT keeps its layers in transformer.layer, not encoder.layer."""
    from transformers import DistilBertConfig, DistilBertModel

    from plait.training.finetune import encoder_layers, freeze_below

    model = DistilBertModel(DistilBertConfig(vocab_size=50, dim=16, hidden_dim=32, n_layers=3,
                                             n_heads=2, max_position_embeddings=32))
    assert len(encoder_layers(model)) == 3
    freeze_below(model, 1)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(n.startswith("transformer.layer.2.") for n in trainable)


def test_trimming_memory_every_step_trains_the_same_weights(corpus):
    """Handing freed pages back is invisible to training: same steps, bit-identical weights."""
    trimmed, _ = _train_in_process(_spec(corpus, head_steps=2, trim_memory=True), 5)
    kept, _ = _train_in_process(_spec(corpus, head_steps=2, trim_memory=False), 5)
    a, b = _encoder_weights(trimmed), _encoder_weights(kept)
    assert all(numpy.array_equal(a[k], b[k]) for k in a)
    assert numpy.array_equal(_head_W(trimmed), _head_W(kept))


def test_per_group_learning_rates_are_applied(corpus):
    """One Adam step moves every weight by about its group's learning rate (|m / sqrt(v)| ~ 1)."""
    spec = _spec(corpus, head_learning_rate=1e-2, encoder_learning_rate=1e-4)
    config = compose(spec)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    examples = _examples(nlp)
    optimizer = registry.resolve({"o": {"@optimizers": "Adam.v1", "learn_rate": 1e-2,
                                        "L2": 0.0, "grad_clip": 0.0, "use_averages": False}})["o"]
    nlp.initialize(lambda: examples, sgd=optimizer)
    callback = registry.resolve({"c": config["training"]["before_update"]})["c"]

    def step(n: int) -> None:
        callback(nlp, {"step": n, "epoch": 0})
        # As spaCy's training loop does: every update first, then every component's finish_update
        # (the encoder's gradient only exists once its listeners have backpropagated).
        nlp.update(examples, sgd=False, drop=0.0)
        for _, proc in nlp.pipeline:
            proc.finish_update(optimizer)
        optimizer.step_schedules()

    step(0)  # the zero-initialized output layer sends the encoder no gradient yet
    before, head_before = _encoder_weights(nlp), _head_W(nlp)
    step(1)  # Adam's second step: |update| = lr * ~0.75 for a gradient of steady sign
    after, head_after = _encoder_weights(nlp), _head_W(nlp)
    enc_step = max(float(numpy.abs(after[k] - before[k]).max()) for k in before)
    head_step = float(numpy.abs(head_after - head_before).max())
    assert 0.3e-4 < enc_step < 1.5e-4, enc_step
    assert 0.3e-2 < head_step < 1.5e-2, head_step


def test_composed_config_passes_debug_config_and_spacy_train(tmp_path, corpus):
    spec = _spec(corpus, head_steps=2, head_learning_rate=1e-2, encoder_learning_rate=1e-4,
                 max_steps=4)
    cfg = tmp_path / "ft.cfg"
    cfg.write_text(config_to_str(compose(spec)), encoding="utf8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    debug = subprocess.run([sys.executable, "-m", "spacy", "debug", "config", str(cfg)],
                           capture_output=True, text=True, env=env)
    assert debug.returncode == 0, debug.stdout + debug.stderr
    train = subprocess.run([sys.executable, "-m", "spacy", "train", str(cfg), "-o",
                            str(tmp_path / "out")], capture_output=True, text=True, env=env)
    assert train.returncode == 0, train.stdout + train.stderr
    nlp = spacy.load(tmp_path / "out" / "model-last")
    assert set(nlp("the team won the match").cats) == {"SPORTS", "TECH"}


def _listener_features(nlp, doc_data) -> list:
    """What a component sees: spacy-transformers' own pooling of each document's wordpieces."""
    from spacy_transformers.layers import trfs2arrays
    from thinc.api import reduce_mean

    pool = trfs2arrays(reduce_mean(), 1.0)
    return pool.predict(doc_data)


def test_stage_one_cache_gives_the_encoders_features_and_skips_seen_documents(corpus):
    """Cached features (trimmed of padding, float16) pool to what the encoder gives, token by token,
    for short documents and for one longer than a window, batched with each other."""
    nlp = spacy.util.load_model_from_config(compose(_spec(corpus)), auto_fill=True)
    nlp.initialize()
    long_text = " ".join(text for text, _ in TEXTS)  # ~90 tokens: several 32-wordpiece windows
    docs = [nlp.make_doc(t) for t in ["goal", TEXTS[1][0], long_text, TEXTS[2][0]]]
    trf = nlp.get_pipe("transformer")
    fresh = trf.model.predict(docs).doc_data
    assert fresh[2].model_output["last_hidden_state"].shape[0] > 1  # the long one has windows
    cache = FeatureCache(max_bytes=2 ** 30)
    for doc, data in zip(docs, fresh):
        cache.put(cache.key(doc), data)
    cached = [cache.get(cache.key(doc)) for doc in docs]
    assert cache.hits == len(docs) and cache.misses == 0
    # padding trimmed: the one-word document keeps its own 3 wordpieces, not the batch's width
    assert cached[0].model_output["last_hidden_state"].shape[1] < \
        fresh[0].model_output["last_hidden_state"].shape[1]
    for want, got, doc in zip(_listener_features(nlp, fresh), _listener_features(nlp, cached), docs):
        assert want.shape == got.shape == (len(doc), want.shape[1])
        numpy.testing.assert_allclose(got, want, rtol=1e-2, atol=1e-2)
    # a different tokenization of the same text is a different document
    other = nlp.make_doc("goal")
    assert cache.key(other) == cache.key(docs[0])
    assert cache.get(("goal", (0, 2))) is None

    # The frozen update encodes only documents it has not seen; listeners get every document.
    received = []

    class Listener:
        def receive(self, batch_id, doc_data, backprop):
            received.append(doc_data)

    trf.listener_map = {"probe": [Listener()]}
    cache = FeatureCache(max_bytes=2 ** 30)
    update = _frozen_update(trf, cache)
    examples = [Example(doc, doc) for doc in docs]
    update(examples[:2])
    update(examples)
    assert (cache.hits, cache.misses, len(cache)) == (2, 4, 4)
    assert [len(data) for data in received] == [2, 4]
    for want, got in zip(_listener_features(nlp, fresh), _listener_features(nlp, received[-1])):
        numpy.testing.assert_allclose(got, want, rtol=1e-2, atol=1e-2)


def test_stage_one_cache_stays_within_its_budget(corpus):
    nlp = spacy.util.load_model_from_config(compose(_spec(corpus)), auto_fill=True)
    nlp.initialize()
    docs = [nlp.make_doc(text) for text, _ in TEXTS[:4]]
    data = nlp.get_pipe("transformer").model.predict(docs).doc_data
    cache = FeatureCache(max_bytes=1)  # room for the first document only
    for doc, d in zip(docs, data):
        cache.put(cache.key(doc), d)
    assert len(cache) == 1 and cache.nbytes > 0
    assert cache.get(cache.key(docs[0])) is not None and cache.get(cache.key(docs[1])) is None


def test_stage_one_with_and_without_cache_trains_the_same_heads(corpus):
    """The cache changes the cost of stage 1, not what it learns (float16 rounding aside), and the
    encoder stays bit-identical with it."""
    heads = []
    for mb in (0, 64):
        spec = _spec(corpus, head_steps=8, head_learning_rate=1e-2, encoder_learning_rate=1e-3,
                     head_cache_mb=mb)
        assert compose(spec)["training"]["before_update"]["feature_cache_mb"] == mb
        nlp, before = _train_in_process(spec, steps=7)  # 8 steps of stage 1: several epochs
        after = _encoder_weights(nlp)
        assert all(numpy.array_equal(before[k], after[k]) for k in before)
        heads.append(_head_W(nlp))
    assert numpy.abs(heads[0]).max() > 0
    numpy.testing.assert_allclose(heads[1], heads[0], rtol=0.05, atol=1e-3)


def test_a_batch_without_summaries_still_fine_tunes_the_encoder_for_the_others(corpus):
    """Behind one shared transformer, the last listener's backward carries every component's
    gradient into the encoder: the summarizer last, batches of topic documents alone (no reference
    summaries, as most batches of a multi-task corpus) must still move the encoder."""
    if "summarize" not in get_registry().components():
        pytest.skip("plait-summarize is not installed")
    spec = _spec(corpus).model_copy(deep=True)
    spec = PipelineSpec.model_validate({**spec.model_dump(), "components": [
        {"component": "textcat", "labels": ["SPORTS", "TECH"]}, {"component": "summarize"}]})
    nlp = spacy.util.load_model_from_config(compose(spec), auto_fill=True)
    assert nlp.pipe_names[-1] == "summarize"
    examples = _examples(nlp)
    optimizer = registry.resolve({"o": {"@optimizers": "Adam.v1", "learn_rate": 1e-3, "L2": 0.0,
                                        "grad_clip": 0.0, "use_averages": False}})["o"]
    nlp.initialize(lambda: examples, sgd=optimizer)
    nlp.update(examples, sgd=optimizer, drop=0.0)  # the zero-initialized textcat output layer moves
    before = _encoder_weights(nlp)
    losses: dict = {}
    for _ in range(2):
        nlp.update(examples, sgd=optimizer, drop=0.0, losses=losses)
    after = _encoder_weights(nlp)
    assert losses["textcat"] > 0 and losses["summarize"] == 0.0
    moved = max(float(numpy.abs(after[k] - before[k]).max()) for k in before)
    assert moved > 1e-6, "the encoder got no gradient from textcat's batches"
    assert not nlp.get_pipe("summarize").cfg.get("trained"), "no summary seen: still untrained"


def test_padded_batching_bins_short_documents_apart_from_long_ones(corpus):
    """``batch_by: padded`` writes spaCy's batch_by_padded: a mixed corpus's batches hold documents
    of similar length, each within the padded budget (a longer document alone), and none is lost."""
    assert compose(_spec(corpus))["training"]["batcher"]["@batchers"] == "spacy.batch_by_words.v1"
    config = compose(_spec(corpus, batch_by="padded", batch_words=60))
    block = config["training"]["batcher"]
    assert block["@batchers"] == "spacy.batch_by_padded.v1" and block["discard_oversize"] is False
    batcher = registry.resolve({"b": block})["b"]
    nlp = spacy.blank("en")
    short = [nlp.make_doc(f"a short post number {i}") for i in range(40)]  # 4 tokens each
    long = [nlp.make_doc(" ".join(["word"] * n)) for n in (30, 35, 80)]  # 80 > the budget of 60
    docs = [d for pair in zip(short[:3], long) for d in pair] + short[3:]
    batches = list(batcher(docs))
    assert sorted(id(d) for b in batches for d in b) == sorted(id(d) for d in docs)
    for batch in batches:
        lengths = [len(d) for d in batch]
        assert len(batch) == 1 or max(lengths) * len(batch) <= 60
        assert len(set(lengths)) == 1 or max(lengths) <= 2 * min(lengths), lengths
    with pytest.raises(ValueError, match="batch_by"):  # pydantic's ValidationError
        _spec(corpus, batch_by="tokens")
