"""Two-stage fine-tuning, per-group learning rates and bounded memory, as a
``[training.before_update]`` callback.

``plait.fine_tuning.v1`` (``spacy_callbacks`` entry point) is what the composer writes for a spec's
``training.head_steps`` / ``head_learning_rate`` / ``encoder_learning_rate``:

- **Stage 1** (steps ``0 .. head_steps - 1``): the components' heads train alone over the frozen encoder.
  The encoder runs forward without gradients (inference mode, so no dropout and no backward pass: a
  stage-1 step costs about a third of a full one) and its weights, optimizer moments included, are not
  touched at all, so they stay bit-identical.
- **Stage 1's feature cache**: the frozen encoder maps a document to the same features every time, so
  stage 1 keeps each training document's features (``FeatureCache``: trimmed of padding, float16, up to
  ``feature_cache_mb``) and runs the encoder only on documents it has not seen; from the second epoch on
  a stage-1 step costs the heads alone. The cache is dropped when stage 2 starts. `plait train`'s
  checkpoints do not save it: a resumed run rebuilds it (``rebuild_cache``) by encoding the documents
  of the stage-1 batches already trained on, in their order, which gives the same cache.
- **Stage 2** (from ``head_steps`` on): everything trains together. The encoder's updates are scaled by
  ``encoder_lr_scale`` (its learning rate over the heads'), with a linear warm-up of its own over
  ``encoder_warmup_steps`` from the start of stage 2, so the encoder is not hit by full-size updates the
  moment it is unfrozen.

- **Partial fine-tuning** (``trainable_layers``): once the encoder trains, only its top
  ``trainable_layers`` transformer layers (and what sits above them, e.g. a pooler) do; the
  embeddings and the layers below are frozen (``requires_grad`` off), so the backward pass stops at
  the lowest trainable layer and keeps no activations below it: a full step costs about what the
  encoder's forward pass and the top layers' backward cost. The frozen weights stay bit-identical.

- **Memory** (``trim_memory``): before every step, the memory the previous step freed is handed back
  to the system (glibc's ``malloc_trim``). A step's activations are freed when it ends, but glibc
  keeps the freed heap pages, so without it the resident size follows the largest batch so far and
  grows over a run (``benchmarks/train_memory.py``: the demo's 120 steps, 3.9 GB without, 2.9 GB
  with, the same speed).

The optimizer stays spaCy's ``Adam.v1`` (its schedule is the heads' rate). thinc's ``Optimizer`` keys
every parameter by ``(model or shim id, name)`` and takes an ``lr_scale``: the encoder's
``finish_update`` is handed a thin proxy of the optimizer that passes that scale for the encoder's
parameters only. Nothing of Plait is needed to load the trained pipeline.
"""
from __future__ import annotations

import sys
from typing import Any, Callable, Dict, Hashable, List, Optional

from spacy.util import registry

from plait.errors import Errors, SpecError

class ScaledOptimizer:
    """Calls a thinc ``Optimizer`` with ``lr_scale`` multiplied by ``scale`` (one parameter group)."""

    def __init__(self, optimizer: Any, scale: float) -> None:
        self.optimizer = optimizer
        self.scale = float(scale)

    def __call__(self, key: Any, weights: Any, gradient: Any, *, lr_scale: float = 1.0):
        return self.optimizer(key, weights, gradient, lr_scale=lr_scale * self.scale)

    def __getattr__(self, name: str) -> Any:  # learn_rate, averages, ... of the real optimizer
        return getattr(self.optimizer, name)


def encoder_scale(step: int, *, head_steps: int, encoder_lr_scale: float,
                  encoder_warmup_steps: int) -> float:
    """The encoder's learning-rate multiplier at ``step`` (0 while frozen)."""
    if step < head_steps:
        return 0.0
    if encoder_warmup_steps <= 0:
        return float(encoder_lr_scale)
    done = step - head_steps + 1
    return float(encoder_lr_scale) * min(1.0, done / encoder_warmup_steps)


class FeatureCache:
    """The frozen encoder's output per training document (stage 1), within a memory budget.

    A document is known by its text and token offsets. Its ``TransformerData`` is stored trimmed of
    the batch's padding (its spans keep their own longest length; the alignment is re-indexed) with
    the hidden states in float16, half the memory of float32 at a rounding far below the heads'
    dropout. Once ``max_bytes`` is reached, further documents are simply not stored (they are
    encoded each time they come). Outputs other than ``last_hidden_state`` and ``pooler_output``
    (an encoder configured to return every layer) are not cached at all.
    """

    CACHEABLE = frozenset({"last_hidden_state", "pooler_output"})

    BLOCK_BYTES = 32 * 2 ** 20

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = int(max_bytes)
        self.nbytes = 0
        self.hits = 0
        self.misses = 0
        self._data: Dict[Hashable, Any] = {}
        # The hidden states live in a few large float16 blocks, not one small array per document:
        # thousands of small allocations between the encoder's large, short-lived ones fragment the
        # heap, and memory freed with the cache would not go back to the system.
        self._blocks: List[Any] = []
        self._used = 0

    def _store(self, values: Any) -> Any:
        """A float16 copy of ``values`` inside the current block (a new block when it is full)."""
        import numpy

        if not isinstance(values, numpy.ndarray):  # on a GPU: leave the device arrays as they are
            return values.astype("float16")
        flat = values.reshape(-1)
        if not self._blocks or self._used + flat.size > self._blocks[-1].size:
            block = min(self.BLOCK_BYTES, self.max_bytes) // 2
            self._blocks.append(numpy.empty(max(block, flat.size), dtype="float16"))
            self._used = 0
        view = self._blocks[-1][self._used:self._used + flat.size]
        view[...] = flat
        self._used += flat.size
        return view.reshape(values.shape)

    def __len__(self) -> int:
        return len(self._data)

    @staticmethod
    def key(doc: Any) -> Hashable:
        return doc.text, tuple(token.idx for token in doc)

    def get(self, key: Hashable) -> Any:
        entry = self._data.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        return _expand(entry)

    def put(self, key: Hashable, trf_data: Any) -> None:
        if key in self._data or self.nbytes >= self.max_bytes:
            return
        if not set(trf_data.model_output.keys()) <= self.CACHEABLE:
            return
        entry = _compact(trf_data, self._store)
        if entry is None:
            return
        self._data[key] = entry
        self.nbytes += _nbytes(entry)


def _compact(trf_data: Any, store: Callable[[Any], Any]) -> Any:
    """A smaller copy of one document's TransformerData: no padding columns, float16 states (kept
    by ``store``)."""
    from spacy_transformers.data_classes import TransformerData, WordpieceBatch
    from thinc.types import Ragged
    from transformers.file_utils import ModelOutput

    wp = trf_data.wordpieces
    hidden = trf_data.model_output.get("last_hidden_state")
    if hidden is None or hidden.ndim != 3 or not len(wp.lengths):
        return None
    padded = hidden.shape[1]
    width = max(int(n) for n in wp.lengths)
    if width < padded and bool(wp.attention_mask[:, width:].any()):
        width = padded  # left padding (or a mask we do not understand): keep the columns
    output = ModelOutput(last_hidden_state=store(hidden[:, :width]))
    if "pooler_output" in trf_data.model_output:
        output["pooler_output"] = store(trf_data.model_output["pooler_output"])
    align = trf_data.align
    index = align.dataXd
    if width != padded:
        index = (index // padded) * width + index % padded
    wordpieces = WordpieceBatch(
        strings=[list(s[:width]) for s in wp.strings], input_ids=wp.input_ids[:, :width].copy(),
        attention_mask=wp.attention_mask[:, :width].copy(), lengths=list(wp.lengths),
        token_type_ids=(wp.token_type_ids[:, :width].copy() if wp.token_type_ids is not None
                        else None))
    return TransformerData(wordpieces=wordpieces, model_output=output,
                           align=Ragged(index.copy(), align.lengths.copy()))


def _expand(entry: Any) -> Any:
    """The cached TransformerData with float32 outputs again (a new object each time: listeners
    and pooling may keep references to what they are given)."""
    from spacy_transformers.data_classes import TransformerData
    from transformers.file_utils import ModelOutput

    output = ModelOutput()
    for key, value in entry.model_output.items():
        output[key] = value.astype("float32")
    return TransformerData(wordpieces=entry.wordpieces, model_output=output, align=entry.align)


def _nbytes(entry: Any) -> int:
    wp = entry.wordpieces
    n = sum(int(v.nbytes) for v in entry.model_output.values())
    n += int(wp.input_ids.nbytes) + int(wp.attention_mask.nbytes) + int(entry.align.dataXd.nbytes)
    return n + 64 * int(wp.input_ids.size)  # the wordpiece strings, roughly


def _frozen_update(proc: Any, cache: Optional[FeatureCache] = None) -> Callable:
    """A Transformer.update that gives its listeners features but never trains the encoder."""

    def update(examples, *, drop: float = 0.0, sgd=None, losses: Optional[Dict[str, float]] = None):
        if losses is None:
            losses = {}
        losses.setdefault(proc.name, 0.0)
        docs = [eg.predicted for eg in examples]
        if not any(len(doc) for doc in docs):
            return losses
        from spacy_transformers.layers import TransformerListener

        doc_data = _features(proc, docs, cache)
        batch_id = TransformerListener.get_batch_id(docs)
        for listener in proc.listeners:
            listener.receive(batch_id, doc_data, lambda d_trf_datas: [])
        return losses

    return update


def _features(proc: Any, docs: List[Any], cache: Optional[FeatureCache]) -> List[Any]:
    """The frozen encoder's features of ``docs``: from the cache where it has them, else encoded
    (the documents not yet cached, in one batch) and cached."""
    from spacy_transformers.data_classes import TransformerData

    if cache is None:
        # no gradient, no dropout: the encoder as a fixed feature map
        return proc.model.predict(docs).doc_data
    keys = [cache.key(doc) if len(doc) else None for doc in docs]
    doc_data = [cache.get(key) if key is not None else TransformerData.empty() for key in keys]
    todo = [i for i, data in enumerate(doc_data) if data is None]
    if todo:
        fresh = proc.model.predict([docs[i] for i in todo]).doc_data
        for i, data in zip(todo, fresh):
            doc_data[i] = data
            cache.put(keys[i], data)
    return doc_data


def rebuild_cache(proc: Any, cache: FeatureCache, batches: List[Any], accumulate: int) -> None:
    """Fill a new stage-1 cache as the steps of ``batches`` filled it (``plait train --resume``):
    the same documents encoded in the same batches, in the same order, give the same cache."""
    from spacy.training.loop import subdivide_batch

    for batch in batches:
        for subbatch in subdivide_batch(batch, accumulate):
            docs = [eg.predicted for eg in subbatch]
            if any(len(doc) for doc in docs):
                _features(proc, docs, cache)


def encoder_layers(hf_model: Any) -> List[Any]:
    """The transformer layers of a Hugging Face encoder, bottom first: its longest
    ``torch.nn.ModuleList`` (``encoder.layer`` of BERT / RoBERTa, ``transformer.layer`` of
    DistilBERT, ``layers`` of others); [] when it has none."""
    import torch

    lists = [m for m in hf_model.modules() if isinstance(m, torch.nn.ModuleList)]
    return list(max(lists, key=len)) if lists else []


def freeze_below(hf_model: Any, trainable_layers: int, *, name: str = "transformer") -> int:
    """Freeze every parameter below the top ``trainable_layers`` layers (embeddings included);
    return how many parameter tensors were frozen. Parameters registered after the lowest trainable
    layer (the layers above it, a pooler) keep training."""
    layers = encoder_layers(hf_model)
    if not 0 < trainable_layers <= len(layers):
        raise SpecError(Errors.E157.format(layers=trainable_layers, name=name, count=len(layers),
                                           where="" if layers else ": none found"))
    first = {id(p) for p in layers[len(layers) - trainable_layers].parameters()}
    frozen = 0
    for param in hf_model.parameters():  # registration order: embeddings, layers bottom-up, pooler
        if id(param) in first:
            break
        param.requires_grad_(False)
        param.grad = None  # thinc's shim updates every parameter that has a gradient
        frozen += 1
    return frozen


def _hf_model(proc: Any) -> Any:
    """The Hugging Face model inside a spacy-transformers Transformer component."""
    try:
        return proc.model.transformer  # TransformerModel.transformer
    except (AttributeError, IndexError):
        return None


def _scaled_finish_update(proc: Any, scale: float) -> Callable:
    cls_finish = type(proc).finish_update

    def finish_update(sgd) -> None:
        if scale == 0.0:
            return
        cls_finish(proc, sgd if scale == 1.0 else ScaledOptimizer(sgd, scale))

    return finish_update


@registry.callbacks("plait.fine_tuning.v1")
def fine_tuning(encoder: str = "transformer", head_steps: int = 0, encoder_lr_scale: float = 1.0,
                encoder_warmup_steps: int = 0, feature_cache_mb: int = 1024,
                trim_memory: bool = False,
                trainable_layers: int = 0) -> Callable[[Any, Dict[str, Any]], None]:
    """``[training.before_update]``: two-stage fine-tuning, the encoder's own learning rate and
    memory handed back before every step.

    encoder: the shared transformer component's name.
    head_steps: steps of stage 1 (heads only, the encoder frozen); 0: no first stage.
    encoder_lr_scale: the encoder's learning rate over the optimizer's (the heads') rate.
    encoder_warmup_steps: linear warm-up of the encoder's rate from the start of stage 2 (0: none).
    feature_cache_mb: memory for stage 1's cache of the frozen encoder's outputs (0: no cache).
    trim_memory: before every step, hand what the previous step freed back to the system.
    trainable_layers: when the encoder trains, only its top this many transformer layers do (the
        embeddings and lower layers stay frozen); 0: all of them.
    """
    if min(head_steps, encoder_lr_scale, encoder_warmup_steps, feature_cache_mb,
           trainable_layers) < 0:
        raise SpecError(Errors.E150.format(head_steps=head_steps, scale=encoder_lr_scale,
                                           warmup=encoder_warmup_steps, cache=feature_cache_mb,
                                           layers=trainable_layers))
    state: Dict[str, Any] = {"stage": None, "cache": None}
    trim = _malloc_trim() if trim_memory else None

    def before_update(nlp: Any, info: Dict[str, Any]) -> None:
        if trim is not None:
            trim(0)
        if not is_recipe(head_steps, encoder_lr_scale, encoder_warmup_steps, trainable_layers):
            return  # memory only: the encoder trains as spaCy's loop has it
        # Instance attributes shadow the component's methods: stage 1 replaces `update`, every step
        # sets `finish_update` to the current scale (nothing of this is saved with the pipeline).
        step = int(info.get("step", 0))
        if encoder not in nlp.pipe_names:
            raise SpecError(Errors.E151.format(name=encoder, pipes=", ".join(nlp.pipe_names)))
        proc = nlp.get_pipe(encoder)
        scale = encoder_scale(step, head_steps=head_steps, encoder_lr_scale=encoder_lr_scale,
                              encoder_warmup_steps=encoder_warmup_steps)
        stage = 1 if step < head_steps else 2
        if stage == 1 and state["stage"] != 1:
            if feature_cache_mb:
                state["cache"] = FeatureCache(feature_cache_mb * 2 ** 20)
            proc.update = _frozen_update(proc, state["cache"])
        elif stage == 2 and state["stage"] == 1:
            del proc.update  # back to the class's update: the encoder trains again
            cache, state["cache"] = state["cache"], None
            _report(cache)
            _release_memory()
        if stage == 2 and trainable_layers and not state.get("partial"):
            hf_model = _hf_model(proc)
            if hf_model is None:
                raise SpecError(Errors.E157.format(layers=trainable_layers, name=encoder,
                                                   count=0, where=": none found"))
            state["partial"] = freeze_below(hf_model, trainable_layers, name=encoder)
        state["stage"] = stage
        proc.finish_update = _scaled_finish_update(proc, scale)

    def rebuild(nlp: Any, batches: List[Any], accumulate: int) -> None:
        """After a resume's first call: refill stage 1's cache from the batches trained before."""
        if state.get("cache") is not None and batches:
            rebuild_cache(nlp.get_pipe(encoder), state["cache"], batches, accumulate)

    # what `plait train`'s checkpoints record and how a resumed run rebuilds the cache
    before_update.plait_state = state
    before_update.plait_head_steps = head_steps if feature_cache_mb else 0
    before_update.plait_rebuild_cache = rebuild
    return before_update


def is_recipe(head_steps: Any = 0, encoder_lr_scale: Any = 1.0, encoder_warmup_steps: Any = 0,
              trainable_layers: Any = 0) -> bool:
    """Whether these settings ask for more than memory trimming: a head-only stage, the encoder's
    own rate or its own warm-up, or partial fine-tuning (a callback without any belongs to a
    single-stage config)."""
    return (bool(head_steps or encoder_warmup_steps or trainable_layers)
            or float(encoder_lr_scale) != 1.0)


def _malloc_trim() -> Optional[Callable[[int], int]]:
    """glibc's ``malloc_trim`` (None where there is none: other C libraries, other systems)."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _release_memory() -> None:
    """Hand memory freed with the cache back to the system (glibc keeps freed heap pages otherwise;
    elsewhere this is a no-op)."""
    import gc

    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _report(cache: Optional[FeatureCache]) -> None:
    if cache is None or not (cache.hits or cache.misses):
        return
    share = 100.0 * cache.hits / (cache.hits + cache.misses)
    print(f"plait.fine_tuning.v1: stage 1 done; {len(cache)} documents' encoder features cached "
          f"({cache.nbytes / 2 ** 20:.0f} MiB of {cache.max_bytes / 2 ** 20:.0f}), {share:.0f}% of "
          f"its document encodings served from the cache", file=sys.stderr)


def callback_config(*, head_steps: int, head_rate: float, encoder_rate: float,
                    encoder_warmup_steps: int, encoder: str, feature_cache_mb: int = 1024,
                    trim_memory: bool = False,
                    trainable_layers: int = 0) -> Optional[Dict[str, Any]]:
    """The ``[training.before_update]`` block for these settings (None when it would do nothing)."""
    scale = encoder_rate / head_rate
    if not trim_memory and not is_recipe(head_steps, scale, encoder_warmup_steps, trainable_layers):
        return None
    block = {"@callbacks": "plait.fine_tuning.v1", "encoder": encoder, "head_steps": head_steps,
             "encoder_lr_scale": scale, "encoder_warmup_steps": encoder_warmup_steps}
    if head_steps:
        block["feature_cache_mb"] = feature_cache_mb
    if trim_memory:
        block["trim_memory"] = True
    if trainable_layers:
        block["trainable_layers"] = int(trainable_layers)
    return block


__all__ = ["fine_tuning", "encoder_scale", "ScaledOptimizer", "callback_config", "FeatureCache",
           "is_recipe", "encoder_layers", "freeze_below"]
