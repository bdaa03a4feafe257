"""Int8 dynamic quantization of a pipeline's shared transformer, for faster CPU inference.

>>> import plait
>>> from plait.runtime.quantize import quantize_pipeline
>>> nlp = quantize_pipeline(plait.load("training/demo/model-best"))

Every ``torch.nn.Linear`` of the Hugging Face model inside each spacy-transformers ``transformer``
component is replaced, in place, by ``torch.ao.nn.quantized.dynamic.Linear`` (int8 weights with one
scale per output channel, activations quantized on the fly per batch). Embeddings, layer norms and the
components' own small heads stay float.
The model is roughly 2-4x smaller and usually faster on CPU; the scores cost is measured by
``benchmarks/quantization_accuracy.py``.

A quantized pipeline is for inference only: it cannot be trained further, and it cannot be saved
(``nlp.to_disk`` raises a clear error), because spacy-transformers would reload the int8 state into a
float model. Save the float pipeline and quantize after each load instead.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Iterator, List, Tuple

from plait.errors import Errors, PlaitValueError

QUANTIZED_META_KEY = "plait_quantized"
SCHEME = "int8-dynamic"


QuantizationError = PlaitValueError  # the pipeline cannot be quantized (GPU, no transformer, ...)


def _transformer_models(nlp: Any) -> Iterator[Tuple[str, Any]]:
    """``(pipe name, TransformerModel)`` for every spacy-transformers model in the pipeline."""
    from spacy_transformers.layers.transformer_model import TransformerModel

    seen = set()
    for name, pipe in nlp.components:
        model = getattr(pipe, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if isinstance(node, TransformerModel) and node.id not in seen:
                seen.add(node.id)
                yield name, node


def cpu_transformer_models(nlp: Any, error: Callable[[str], Exception], action: str,
                           off_cpu: Callable[[str, str], str]) -> List[Tuple[str, Any]]:
    """``(pipe name, TransformerModel)`` of every spacy-transformers model of ``nlp``, each with its
    weights and on the CPU; otherwise raises ``error(message)``: there is none (``action`` says what was
    asked: "quantize"), one has no weights yet, or one is elsewhere (``off_cpu(pipe, devices)``)."""
    found = list(_transformer_models(nlp))
    if not found:
        raise error(
            f"Nothing to {action}: pipeline '{nlp.meta.get('name', '?')}' (pipes: "
            f"{', '.join(nlp.pipe_names) or 'none'}) has no spacy-transformers 'transformer' model.")
    for pipe_name, model in found:
        if not model.attrs.get("has_transformer") or model.transformer is None:
            raise error(f"The '{pipe_name}' transformer has no weights yet: call nlp.initialize() or "
                        f"load a trained pipeline first (to {action}).")
        devices = {p.device.type for p in model.transformer.parameters()} - {"cpu"}
        if devices:
            raise error(off_cpu(pipe_name, ", ".join(sorted(devices))))
    return found


def replace_encoder(model: Any, module: Any, refuse_save: Callable[[], Exception]) -> None:
    """Put ``module`` in place of the Hugging Face model inside the spacy-transformers ``model`` (every
    reference to it), and make saving the component raise ``refuse_save()``: spacy-transformers would
    write ``module``'s state where it expects the Hugging Face model's."""
    def to_bytes(*args: Any, **kwargs: Any) -> bytes:
        raise refuse_save()

    shim = model.layers[0].shims[0]
    shim._model = module
    shim._hfmodel.transformer = module
    shim.to_bytes = to_bytes


def is_quantized(nlp: Any) -> bool:
    """True if a transformer of ``nlp`` already has int8 dynamic Linear layers."""
    try:
        return quantized_linear_count(nlp)[0] > 0
    except ImportError:  # pragma: no cover - no torch
        return False


def quantize_pipeline(nlp: Any) -> Any:
    """Quantize (int8, dynamic) the Linear layers of every transformer in ``nlp``; returns ``nlp``.

    CPU only: raises :class:`QuantizationError` when a transformer's weights are on a GPU, or when the
    pipeline has no initialized spacy-transformers model. Idempotent: a quantized pipeline is returned
    unchanged. Records ``nlp.meta["plait_quantized"] = "int8-dynamic"``.
    """
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    found = cpu_transformer_models(
        nlp, QuantizationError, "quantize",
        lambda pipe, devices: (f"The '{pipe}' transformer is on {devices}: int8 dynamic quantization "
                               f"runs on CPU only. Load the pipeline without a GPU (no `gpu=`/`--gpu`, "
                               f"no spacy.require_gpu()) to quantize it."))
    if is_quantized(nlp):
        return nlp
    if torch.backends.quantized.engine == "none":  # pragma: no cover - exotic builds
        raise QuantizationError(Errors.E079.format(supported_engines=torch.backends.quantized.supported_engines))
    for pipe_name, model in found:
        hf = model.transformer
        hf.eval()
        with warnings.catch_warnings():  # torch.ao.quantization deprecation notices
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            # one scale per output row: on MiniLM-L6 the encoder's output keeps a mean cosine of 0.95
            # with the float one (0.90 with one scale per matrix), at the same speed
            quantized = quantize_dynamic(hf, {torch.nn.Linear: per_channel_dynamic_qconfig},
                                         dtype=torch.qint8, inplace=True)
        # inplace=True keeps the same top-level module; keep every reference consistent anyway.
        replace_encoder(model, quantized, lambda pipe=pipe_name: QuantizationError(
            f"The '{pipe}' transformer was quantized to int8 (plait.runtime.quantize.quantize_pipeline) "
            f"and cannot be saved: spacy-transformers would reload its int8 weights into a float model. "
            f"Save the float pipeline and quantize after loading it (`plait.load(..., quantize=True)` "
            f"or `plait run --quantize`)."))
    nlp.meta[QUANTIZED_META_KEY] = SCHEME
    return nlp


def quantized_linear_count(nlp: Any) -> Tuple[int, int]:
    """``(quantized Linear modules, float Linear modules)`` over the pipeline's transformers."""
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as QLinear

    q = f = 0
    for _, model in _transformer_models(nlp):
        if model.transformer is None:
            continue
        for module in model.transformer.modules():
            if isinstance(module, QLinear):
                q += 1
            elif isinstance(module, torch.nn.Linear):
                f += 1
    return q, f
