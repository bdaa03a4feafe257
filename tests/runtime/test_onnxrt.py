"""The ONNX Runtime backend (plait.runtime.onnxrt): same outputs as torch in float, int8 close, cached exports,
clear refusals, and the same results through plait.process, spawned workers and `plait run`."""
from __future__ import annotations

import json
import sys

import numpy
import pytest
import spacy
import torch

pytest.importorskip("onnxruntime", reason="the 'onnx' extra is not installed: pip install 'plait[onnx]'")

import plait  # noqa: E402
from plait.errors import PlaitError  # noqa: E402
from plait.runtime.onnxrt import OnnxRuntimeError, OrtEncoder, use_onnxruntime  # noqa: E402
from plaittest import COMPONENT_DATA, build_component_pipeline, run_plait  # noqa: E402

TEXTS = [text for text, *_ in COMPONENT_DATA] + [
    "Bad news.", "John Smith moved from New York to London to work for a large bank. " * 6]


@pytest.fixture(autouse=True)
def plait_home(tmp_path, monkeypatch):
    """Each test exports into its own cache: nothing leaks between tests or into ~/.cache."""
    monkeypatch.setenv("PLAIT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return build_component_pipeline(tmp_path_factory.mktemp("onnx") / "model")


def _hidden(nlp, texts=TEXTS):
    return [numpy.asarray(doc._.trf_data.model_output.last_hidden_state) for doc in nlp.pipe(texts)]


def _cos(a, b):
    a, b = a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1])
    return float(((a * b).sum(-1) / (numpy.linalg.norm(a, axis=-1) * numpy.linalg.norm(b, axis=-1))).mean())


def test_float_runtime_gives_torch_outputs_and_caches_the_export(model, plait_home):
    torch_nlp = plait.load(model)
    onnx_nlp = plait.load(model, runtime="onnx")
    encoder = onnx_nlp.get_pipe("transformer").model.transformer
    assert isinstance(encoder, OrtEncoder) and not encoder.quantized
    assert encoder.input_names == ["input_ids", "attention_mask", "token_type_ids"]
    assert onnx_nlp.meta["plait_runtime"] == "onnxruntime" and "plait_quantized" not in onnx_nlp.meta
    for a, b in zip(_hidden(torch_nlp), _hidden(onnx_nlp)):  # windows, padding and all
        assert a.shape == b.shape
        assert numpy.abs(a - b).max() < 1e-4
    # the graph sits in $PLAIT_HOME/onnx/<digest>/ and a second load reuses it
    exported = sorted((plait_home / "onnx").glob("*/model.onnx"))
    assert exported == [encoder.path]
    stamp = encoder.path.stat().st_mtime_ns
    again = plait.load(model, runtime="onnx").get_pipe("transformer").model.transformer
    assert again.path == encoder.path and encoder.path.stat().st_mtime_ns == stamp
    # other weights, another graph
    changed = plait.load(model)
    with torch.no_grad():
        next(changed.get_pipe("transformer").model.transformer.parameters()).add_(0.5)
    other = use_onnxruntime(changed).get_pipe("transformer").model.transformer
    assert other.path != encoder.path and other.path.exists()


def test_int8_runtime_is_close_and_quantized_in_the_graph(model):
    import onnx

    torch_nlp = plait.load(model)
    int8 = plait.load(model, runtime="onnx", quantize=True)
    encoder = int8.get_pipe("transformer").model.transformer
    assert encoder.quantized and encoder.path.name == "model-int8.onnx"
    assert int8.meta["plait_quantized"] == "int8-dynamic-onnxruntime"
    ops = {node.op_type for node in onnx.load(str(encoder.path)).graph.node}
    assert {"DynamicQuantizeLinear", "MatMulInteger"} <= ops
    for a, b in zip(_hidden(torch_nlp), _hidden(int8)):
        assert a.shape == b.shape and _cos(a, b) > 0.98
    assert (encoder.path.parent / "model.onnx").exists()  # quantized from the cached float graph


def test_process_workers_and_cli_match_torch(model, one_thread, tmp_path):
    records = [{"id": str(i), "text": t} for i, t in enumerate(TEXTS)]
    want = [r.model_dump() for r in plait.process(model, records)]
    got = [r.model_dump() for r in plait.process(model, records, runtime="onnx")]
    workers = [r.model_dump() for r in plait.process(model, records, runtime="onnx", n_process=2)]
    for results in (got, workers):
        assert [r["id"] for r in results] == [r["id"] for r in want]
        for a, b in zip(want, results):
            assert [(e["start"], e["end"], e["label"]) for e in a["entities"]] == \
                [(e["start"], e["end"], e["label"]) for e in b["entities"]]
            assert b["sentiment"]["scores"] == pytest.approx(a["sentiment"]["scores"], abs=1e-4)
            assert b["categories"] == pytest.approx(a["categories"], abs=1e-4)
            assert b["summary"] == a["summary"]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    done = run_plait("run", str(model), str(src), "-o", str(tmp_path / "out.jsonl"), "--runtime", "onnx",
                     "--no-progress", env={"PLAIT_HOME": str(tmp_path / "cli-home")})
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == [r["id"] for r in want]
    assert [line["categories"] for line in lines] == [pytest.approx(r["categories"], abs=1e-4)
                                                       for r in want]
    assert list((tmp_path / "cli-home" / "onnx").glob("*/model.onnx"))
    bad = run_plait("run", str(model), str(src), "-o", str(tmp_path / "bad.jsonl"), "--runtime", "tvm",
                    "--no-progress")
    assert bad.returncode == 1 and "E040" in bad.stderr and "torch, onnx" in bad.stderr


def test_an_onnx_pipeline_is_inference_only(model, tmp_path):
    from spacy.training import Example

    nlp = plait.load(model, runtime="onnx")
    with pytest.raises(OnnxRuntimeError, match=r"E043.*can't be saved"):
        nlp.to_disk(tmp_path / "saved")
    text, ents, cats, _ = COMPONENT_DATA[0]
    example = Example.from_dict(nlp.make_doc(text), {"entities": ents, "cats": cats})
    with pytest.raises(OnnxRuntimeError, match=r"E043.*can't be trained"):
        nlp.update([example], sgd=nlp.create_optimizer())
    with pytest.raises(PlaitError, match="runtime='onnx'"):  # workers load from a path instead
        list(plait.process(nlp, TEXTS, n_process=2))
    assert use_onnxruntime(nlp) is nlp  # same settings again: nothing to do
    with pytest.raises(OnnxRuntimeError, match="already runs in ONNX Runtime"):
        use_onnxruntime(nlp, quantize=True)


def test_clear_errors(model, monkeypatch):
    with pytest.raises(OnnxRuntimeError, match=r"E040.*'tvm'.*torch, onnx"):
        plait.load(model, runtime="tvm")
    with pytest.raises(OnnxRuntimeError, match=r"E045"):
        use_onnxruntime(plait.load(model, quantize=True))
    with pytest.raises(OnnxRuntimeError, match="no spacy-transformers"):
        use_onnxruntime(spacy.blank("en"))
    on_meta = plait.load(model)
    on_meta.get_pipe("transformer").model.transformer.to("meta")  # a non-CPU device without a GPU
    with pytest.raises(OnnxRuntimeError, match=r"E042.*meta"):
        use_onnxruntime(on_meta)
    with pytest.raises(OnnxRuntimeError, match=r"E042"):
        plait.load(model, runtime="onnx", gpu=0)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if the extra were not installed
    with pytest.raises(OnnxRuntimeError, match=r"E041.*pip install 'plait\[onnx\]'"):
        plait.load(model, runtime="onnx")


def test_a_worker_session_runs_on_one_thread(model, monkeypatch):
    """Pool workers and Ray actors load through load_in_worker: their ONNX Runtime session gets one
    intra-op thread, as their torch does."""
    from plait.runtime.options import LoadOptions
    from plait.runtime.loading import LoadSpec, load_in_worker

    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # load_in_worker sets them; restored after
        monkeypatch.setenv(var, "2")
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        nlp = load_in_worker(LoadSpec(str(model), LoadOptions(runtime="onnx", quantize=True)))
        session = nlp.get_pipe("transformer").model.transformer.session
        assert session.get_session_options().intra_op_num_threads == 1
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    assert use_onnxruntime(plait.load(model), threads=3).get_pipe(
        "transformer").model.transformer.session.get_session_options().intra_op_num_threads == 3
