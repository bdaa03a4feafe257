"""Int8 dynamic quantization of the shared transformer (plait.runtime.quantize)."""
from __future__ import annotations

import numpy
import pytest
import spacy
import torch
from torch.ao.nn.quantized.dynamic import Linear as QLinear

from plait.runtime.quantize import (QuantizationError, is_quantized, quantize_pipeline,
                            quantized_linear_count)

TEXTS = [
    "The company said on Monday that its profits rose by five percent.",
    "John Smith moved from New York to London to work for a large bank. " * 6,  # > one window
    "Bad news.",
]


def _tiny_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("transformer", config={"model": {
        "@architectures": "plait.Transformer.v1", "encoder": "tiny-random",
        "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1",
                      "window": 32, "stride": 24}}})
    nlp.initialize()
    return nlp


def _token_vectors(doc) -> numpy.ndarray:
    """One vector per token: the mean of its wordpieces' last hidden states (as the listeners pool)."""
    trf = doc._.trf_data
    hidden = numpy.asarray(trf.model_output.last_hidden_state)
    flat = hidden.reshape(-1, hidden.shape[-1])
    rows = []
    for i in range(len(doc)):
        idx = trf.align[i].data.ravel()
        rows.append(flat[idx].mean(axis=0) if len(idx) else numpy.zeros(flat.shape[1]))
    return numpy.asarray(rows)


def _cos(a: numpy.ndarray, b: numpy.ndarray) -> float:
    return float(a @ b / (numpy.linalg.norm(a) * numpy.linalg.norm(b)))


@pytest.fixture(scope="module")
def float_and_quantized():
    nlp = _tiny_pipeline()
    before = [_token_vectors(doc) for doc in nlp.pipe(TEXTS)]
    shapes = [numpy.asarray(doc._.trf_data.model_output.last_hidden_state).shape
              for doc in nlp.pipe(TEXTS)]
    hf_before = nlp.get_pipe("transformer").model.transformer
    assert quantized_linear_count(nlp) == (0, 13)  # 2 layers x 6 Linear + pooler
    returned = quantize_pipeline(nlp)
    assert returned is nlp
    after = [_token_vectors(doc) for doc in nlp.pipe(TEXTS)]
    shapes_after = [numpy.asarray(doc._.trf_data.model_output.last_hidden_state).shape
                    for doc in nlp.pipe(TEXTS)]
    return nlp, hf_before, before, after, shapes, shapes_after


def test_linear_layers_become_int8_dynamic_modules(float_and_quantized):
    nlp, hf_before, *_ = float_and_quantized
    model = nlp.get_pipe("transformer").model
    hf = model.transformer
    shim = model.layers[0].shims[0]
    assert hf is hf_before and shim._model is hf  # quantized in place, every reference agrees
    assert quantized_linear_count(nlp) == (13, 0)
    attn = hf.encoder.layer[0].attention.self
    assert isinstance(attn.query, QLinear) and attn.query.weight().dtype == torch.qint8
    assert isinstance(hf.encoder.layer[1].output.dense, QLinear)
    assert isinstance(hf.embeddings.word_embeddings, torch.nn.Embedding)  # embeddings stay float
    assert nlp.meta["plait_quantized"] == "int8-dynamic" and is_quantized(nlp)


def test_outputs_keep_their_shape_and_stay_close(float_and_quantized):
    _, _, before, after, shapes, shapes_after = float_and_quantized
    assert shapes == shapes_after
    for text, b, a in zip(TEXTS, before, after):
        assert a.shape == b.shape
        assert numpy.isfinite(a).all()
        assert _cos(b.mean(axis=0), a.mean(axis=0)) > 0.9, text
        token_cos = [_cos(x, y) for x, y in zip(b, a)]
        assert numpy.mean(token_cos) > 0.9, text
        assert not numpy.array_equal(a, b)  # the computation really changed


def test_quantizing_twice_is_a_no_op(float_and_quantized):
    nlp = float_and_quantized[0]
    hf = nlp.get_pipe("transformer").model.transformer
    assert quantize_pipeline(nlp) is nlp
    assert nlp.get_pipe("transformer").model.transformer is hf
    assert quantized_linear_count(nlp) == (13, 0)


def test_a_quantized_pipeline_refuses_to_be_saved(float_and_quantized, tmp_path):
    nlp = float_and_quantized[0]
    with pytest.raises(QuantizationError, match="cannot be saved"):
        nlp.to_disk(tmp_path / "q")


def test_clear_errors_for_pipelines_that_cannot_be_quantized():
    with pytest.raises(QuantizationError, match="no spacy-transformers"):
        quantize_pipeline(spacy.blank("en"))
    nlp = spacy.blank("en")
    nlp.add_pipe("transformer", config={"model": {
        "@architectures": "plait.Transformer.v1", "encoder": "tiny-random",
        "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1",
                      "window": 32, "stride": 24}}})
    with pytest.raises(QuantizationError, match="initialize"):
        quantize_pipeline(nlp)


def test_gpu_pipelines_are_refused():
    """A transformer whose weights live on a GPU gets a clear error (simulated with the meta device)."""
    nlp = _tiny_pipeline()
    hf = nlp.get_pipe("transformer").model.transformer
    hf.to("meta")  # a non-CPU device that needs no GPU
    with pytest.raises(QuantizationError, match="CPU only"):
        quantize_pipeline(nlp)
    assert "plait_quantized" not in nlp.meta


def test_load_and_run_quantize_a_saved_pipeline_in_process_and_in_workers(tmp_path):
    """`plait.load(..., quantize=True)`, `plait.process(path, quantize=True, n_process=2)`."""
    import plait
    from plait.runtime.options import LoadOptions
    from plait.runtime.loading import LoadSpec, load_in_worker

    nlp = _tiny_pipeline()
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "company"}])
    nlp.to_disk(tmp_path / "p")
    loaded = plait.load(tmp_path / "p", quantize=True)
    assert is_quantized(loaded) and loaded.meta["plait_quantized"] == "int8-dynamic"
    worker = load_in_worker(LoadSpec(str(tmp_path / "p"), LoadOptions(quantize=True)))
    assert is_quantized(worker)
    one = [r.model_dump() for r in plait.process(tmp_path / "p", TEXTS, quantize=True)]
    assert one[0]["entities"][0]["text"] == "company"
    with pytest.raises(QuantizationError, match="path with quantize=True"):
        list(plait.process(loaded, TEXTS, n_process=2))
    with pytest.raises(QuantizationError, match="CPU"):
        plait.load(tmp_path / "p", quantize=True, gpu=0)
