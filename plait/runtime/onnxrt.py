"""ONNX Runtime for the shared transformer: the same pipeline, its encoder run by onnxruntime (CPU).

>>> import plait
>>> nlp = plait.load("training/demo/model-best", runtime="onnx")                 # float: same outputs
>>> nlp = plait.load("training/demo/model-best", runtime="onnx", quantize=True)  # int8 weights

For each spacy-transformers model in the pipeline, the Hugging Face encoder is exported to ONNX once
(``torch.onnx``), checked against torch on a test batch (:data:`TOLERANCE`), and cached under
``$PLAIT_HOME/onnx/<digest>/`` keyed by its config, its weights and the library versions, so later
loads and every worker process reuse the file. With ``quantize=True`` the cached float graph is
quantized by ``onnxruntime.quantization.quantize_dynamic`` (int8 weights, one scale per output channel;
activations quantized per batch on the fly). An ``onnxruntime.InferenceSession`` then takes the place
of the torch module inside the spacy-transformers model: tokenization, windows, alignment and the
components are unchanged, only the encoder's forward pass runs elsewhere.

What it buys on CPU is measured by ``benchmarks/speed.py`` (the ``plait-onnx*`` systems)
and what int8 costs by ``benchmarks/quantization_accuracy.py --runtime onnx``. The pipeline becomes
inference-only: it can't be trained further or saved (save the torch pipeline; apply the runtime after
each load). Needs the optional extra: ``pip install 'plait[onnx]'`` (onnxruntime, and onnx for int8).
"""
from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy
import torch
from transformers.modeling_outputs import BaseModelOutput

from plait.training.encoders import plait_home
from plait.errors import Errors, PlaitRuntimeError

RUNTIMES = ("torch", "onnx")
RUNTIME_META_KEY = "plait_runtime"
OPSET = 17
TOLERANCE = 1e-3  # largest |ONNX - torch| allowed on the float export's test batch
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


OnnxRuntimeError = PlaitRuntimeError  # ONNX Runtime can't serve this pipeline (not installed, GPU...)


def check_runtime(name: str) -> str:
    """``name`` if it is a known runtime, else a coded error listing them."""
    if name not in RUNTIMES:
        raise OnnxRuntimeError(Errors.E040.format(name=name, known=", ".join(RUNTIMES)))
    return name


def _import_ort(with_quantization: bool = False) -> Any:
    try:
        import onnxruntime

        if with_quantization:
            import onnx  # noqa: F401 - onnxruntime.quantization needs it
            import onnxruntime.quantization  # noqa: F401
    except ImportError as exc:
        extra = " and onnx (for int8)" if with_quantization else ""
        raise OnnxRuntimeError(Errors.E041.format(extra=extra, error=exc)) from exc
    return onnxruntime


class OrtEncoder(torch.nn.Module):
    """Stands in for the Hugging Face encoder inside spacy-transformers: same call, same
    ``last_hidden_state``, computed by an ``onnxruntime.InferenceSession``."""

    def __init__(self, session: Any, input_names: List[str], pipe_name: str, path: Path,
                 quantized: bool) -> None:
        super().__init__()
        self.session = session
        self.input_names = list(input_names)
        self.pipe_name = pipe_name
        self.path = path
        self.quantized = quantized

    @property
    def device(self) -> torch.device:  # read by spacy-transformers to place its input tensors
        return torch.device("cpu")

    def forward(self, input_ids: torch.Tensor, attention_mask: Optional[torch.Tensor] = None,
                token_type_ids: Optional[torch.Tensor] = None, **_: Any) -> BaseModelOutput:
        if torch.is_grad_enabled():  # thinc runs predict under no_grad; begin_update doesn't
            raise OnnxRuntimeError(Errors.E043.format(pipe=self.pipe_name, action="trained",
                                                      action2="train"))
        ids = input_ids.numpy().astype("int64", copy=False)
        given = {"input_ids": ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
        feeds: Dict[str, numpy.ndarray] = {}
        for name in self.input_names:
            value = given[name]
            if value is None:
                value = numpy.ones_like(ids) if name == "attention_mask" else numpy.zeros_like(ids)
            elif isinstance(value, torch.Tensor):
                value = value.numpy().astype("int64", copy=False)
            feeds[name] = value
        (hidden,) = self.session.run(["last_hidden_state"], feeds)
        return BaseModelOutput(last_hidden_state=torch.from_numpy(hidden))


def _export_inputs(hf: Any) -> List[str]:
    """The encoder's forward inputs the ONNX graph takes, in the forward signature's order."""
    params = inspect.signature(hf.forward).parameters
    names = [name for name in INPUTS if name in params]
    if "token_type_ids" in names and not getattr(hf.config, "type_vocab_size", 0):
        names.remove("token_type_ids")
    return names


def _sample(hf: Any, names: List[str], batch: int, length: int, pad_row: bool
            ) -> Dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(batch * 1000 + length)
    vocab = int(getattr(hf.config, "vocab_size", 100) or 100)
    ids = torch.randint(min(5, vocab - 1), vocab, (batch, length), generator=gen)
    mask = torch.ones_like(ids)
    if pad_row:
        mask[0, length // 2:] = 0
    sample = {"input_ids": ids, "attention_mask": mask, "token_type_ids": torch.zeros_like(ids)}
    return {name: sample[name] for name in names}


def digest(hf: Any, names: List[str]) -> str:
    """Cache key: the encoder's config and weights, the graph's inputs, opset and library versions
    (one folder holds the float graph and, once asked for, its int8 version)."""
    h = hashlib.sha256()
    ort = _import_ort()
    config = {k: v for k, v in hf.config.to_dict().items() if k != "_name_or_path"}  # a temp folder
    head = {"config": config, "inputs": names, "opset": OPSET, "torch": torch.__version__,
            "onnxruntime": ort.__version__}
    h.update(json.dumps(head, sort_keys=True, default=str).encode())
    for name, tensor in sorted(hf.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:20]


def _atomic_target(path: Path) -> Tuple[Path, Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return path, Path(tmp)


def export(hf: Any, names: List[str], path: Path, pipe_name: str = "transformer") -> Path:
    """Export ``hf`` to ``path`` (written atomically: concurrent workers may race) and check it."""
    ort = _import_ort()
    hf.eval()
    sample = _sample(hf, names, batch=2, length=8, pad_row=False)
    target, tmp = _atomic_target(path)
    kwargs: Dict[str, Any] = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter: no onnxscript needed, dynamic axes
    dynamic = {name: {0: "batch", 1: "sequence"} for name in names}
    dynamic["last_hidden_state"] = {0: "batch", 1: "sequence"}
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            # the encoder itself, its inputs as keyword arguments; its first output is
            # last_hidden_state (a wrapper module returning only that gave a wrong graph with the
            # TorchScript exporter of torch 2.13: the check below is there for such surprises)
            torch.onnx.export(hf, (sample[names[0]], {n: sample[n] for n in names[1:]}), str(tmp),
                              input_names=names, output_names=["last_hidden_state"],
                              dynamic_axes=dynamic, opset_version=OPSET, do_constant_folding=True,
                              **kwargs)
        _check_export(ort, hf, names, tmp, pipe_name)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _check_export(ort: Any, hf: Any, names: List[str], path: Path, pipe_name: str) -> None:
    """Run the exported graph and torch on a batch of another shape, with a padded row."""
    sample = _sample(hf, names, batch=3, length=13, pad_row=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(["last_hidden_state"], {n: t.numpy() for n, t in sample.items()})
    with torch.no_grad():
        want = hf(**sample).last_hidden_state.numpy()
    ids = sample["input_ids"]
    real = (sample["attention_mask"] if "attention_mask" in sample else torch.ones_like(ids)).numpy()
    real = real.astype(bool)
    diff = float(numpy.abs(got - want)[real].max())
    if not diff <= TOLERANCE:
        raise OnnxRuntimeError(Errors.E044.format(pipe=pipe_name, diff=diff, tol=TOLERANCE))


def quantize_file(src: Path, dst: Path) -> Path:
    """int8 dynamic quantization of an exported graph (per-channel weights), written atomically."""
    _import_ort(with_quantization=True)
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target, tmp = _atomic_target(dst)
    root = logging.getLogger()
    advice = _DropMessage("Please consider to run pre-processing before quantization")
    root.addFilter(advice)  # onnxruntime's advice for calibrated (static) quantization, not ours
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        os.replace(tmp, target)
    finally:
        root.removeFilter(advice)
        tmp.unlink(missing_ok=True)
    return target


class _DropMessage(logging.Filter):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefix)


def session_for(path: Path, threads: int) -> Any:
    ort = _import_ort()
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, int(threads))
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # no busy-waiting between calls: the CPU goes back to spaCy and the components meanwhile
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # no per-shape memory plans: every batch has its own shape here, and the cached plans kept
    # ~120 MiB more resident over a 200,000-word document at the same speed (benchmarks/long_doc.py)
    options.enable_mem_pattern = False
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def use_onnxruntime(nlp: Any, *, quantize: bool = False, threads: Optional[int] = None,
                    cache_dir: Optional[Path] = None) -> Any:
    """Run every spacy-transformers encoder of ``nlp`` in ONNX Runtime; returns ``nlp``.

    ``quantize``: int8 weights (per channel); ``threads``: the session's intra-op threads (default:
    torch's current setting, so ``--threads`` and single-threaded workers carry over); ``cache_dir``:
    where exported graphs are kept (default ``$PLAIT_HOME/onnx``). Idempotent for the same settings.
    """
    from plait.runtime.quantize import QUANTIZED_META_KEY, cpu_transformer_models, is_quantized, replace_encoder

    found = cpu_transformer_models(
        nlp, OnnxRuntimeError, "run in ONNX Runtime",
        lambda pipe, devices: Errors.E042.format(pipe=pipe, device=devices))
    _import_ort(with_quantization=quantize)
    wanted = "onnxruntime-int8" if quantize else "onnxruntime"
    if nlp.meta.get(RUNTIME_META_KEY) == wanted:
        return nlp
    if is_quantized(nlp):
        raise OnnxRuntimeError(Errors.E045.format(pipe=found[0][0]))
    cache = Path(cache_dir) if cache_dir is not None else plait_home() / "onnx"
    n_threads = threads if threads is not None else torch.get_num_threads()
    for pipe_name, model in found:
        hf = model.transformer
        if isinstance(hf, OrtEncoder):
            raise OnnxRuntimeError(Errors.E075.format(pipe_name=pipe_name,
                                                      value='int8' if hf.quantized else 'float'))
    for pipe_name, model in found:
        hf = model.transformer
        names = _export_inputs(hf)
        folder = cache / digest(hf, names)
        path = folder / "model.onnx"
        if not path.exists():
            export(hf, names, path, pipe_name)
        if quantize:
            path = folder / "model-int8.onnx"
            if not path.exists():
                quantize_file(folder / "model.onnx", path)
        encoder = OrtEncoder(session_for(path, n_threads), names, pipe_name, path, quantize)
        # the float torch weights are released
        replace_encoder(model, encoder, lambda pipe=pipe_name: OnnxRuntimeError(
            Errors.E043.format(pipe=pipe, action="saved", action2="save")))
    nlp.meta[RUNTIME_META_KEY] = wanted
    if quantize:
        nlp.meta[QUANTIZED_META_KEY] = "int8-dynamic-onnxruntime"
    return nlp
