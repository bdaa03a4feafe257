"""Two-stage fine-tuning and per-group learning rates, as a ``[training.before_update]`` callback.

``plait.fine_tuning.v1`` (``spacy_callbacks`` entry point) is what the composer writes for a spec's
``training.head_steps`` / ``head_learning_rate`` / ``encoder_learning_rate``:

- **Stage 1** (steps ``0 .. head_steps - 1``): the components' heads train alone over the frozen encoder.
  The encoder runs forward without gradients (inference mode, so no dropout and no backward pass: a
  stage-1 step costs about a third of a full one) and its weights, optimizer moments included, are not
  touched at all, so they stay bit-identical.
- **Stage 2** (from ``head_steps`` on): everything trains together. The encoder's updates are scaled by
  ``encoder_lr_scale`` (its learning rate over the heads'), with a linear warm-up of its own over
  ``encoder_warmup_steps`` from the start of stage 2, so the encoder is not hit by full-size updates the
  moment it is unfrozen.

The optimizer stays spaCy's ``Adam.v1`` (its schedule is the heads' rate). thinc's ``Optimizer`` keys
every parameter by ``(model or shim id, name)`` and takes an ``lr_scale``: the encoder's
``finish_update`` is handed a thin proxy of the optimizer that passes that scale for the encoder's
parameters only. Nothing of Plait is needed to load the trained pipeline.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from spacy.util import registry

from .errors import Errors, SpecError

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


def _frozen_update(proc: Any) -> Callable:
    """A Transformer.update that gives its listeners features but never trains the encoder."""

    def update(examples, *, drop: float = 0.0, sgd=None, losses: Optional[Dict[str, float]] = None):
        if losses is None:
            losses = {}
        losses.setdefault(proc.name, 0.0)
        docs = [eg.predicted for eg in examples]
        if not any(len(doc) for doc in docs):
            return losses
        from spacy_transformers.layers import TransformerListener

        full = proc.model.predict(docs)  # no gradient, no dropout: the encoder as a fixed feature map
        batch_id = TransformerListener.get_batch_id(docs)
        for listener in proc.listeners:
            listener.receive(batch_id, full.doc_data, lambda d_trf_datas: [])
        return losses

    return update


def _scaled_finish_update(proc: Any, scale: float) -> Callable:
    cls_finish = type(proc).finish_update

    def finish_update(sgd) -> None:
        if scale == 0.0:
            return
        cls_finish(proc, sgd if scale == 1.0 else ScaledOptimizer(sgd, scale))

    return finish_update


@registry.callbacks("plait.fine_tuning.v1")
def fine_tuning(encoder: str = "transformer", head_steps: int = 0, encoder_lr_scale: float = 1.0,
                encoder_warmup_steps: int = 0) -> Callable[[Any, Dict[str, Any]], None]:
    """``[training.before_update]``: two-stage fine-tuning and the encoder's own learning rate.

    encoder: the shared transformer component's name.
    head_steps: steps of stage 1 (heads only, the encoder frozen); 0: no first stage.
    encoder_lr_scale: the encoder's learning rate over the optimizer's (the heads') rate.
    encoder_warmup_steps: linear warm-up of the encoder's rate from the start of stage 2 (0: none).
    """
    if head_steps < 0 or encoder_lr_scale < 0 or encoder_warmup_steps < 0:
        raise SpecError(Errors.E150.format(head_steps=head_steps, scale=encoder_lr_scale,
                                           warmup=encoder_warmup_steps))
    state: Dict[str, Any] = {"stage": None}

    def before_update(nlp: Any, info: Dict[str, Any]) -> None:
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
            proc.update = _frozen_update(proc)
        elif stage == 2 and state["stage"] == 1:
            del proc.update  # back to the class's update: the encoder trains again
        state["stage"] = stage
        proc.finish_update = _scaled_finish_update(proc, scale)

    return before_update


def callback_config(*, head_steps: int, head_rate: float, encoder_rate: float,
                    encoder_warmup_steps: int, encoder: str) -> Optional[Dict[str, Any]]:
    """The ``[training.before_update]`` block for these settings (None when it would do nothing)."""
    scale = encoder_rate / head_rate
    if head_steps == 0 and scale == 1.0:
        return None
    return {"@callbacks": "plait.fine_tuning.v1", "encoder": encoder, "head_steps": head_steps,
            "encoder_lr_scale": scale, "encoder_warmup_steps": encoder_warmup_steps}


__all__ = ["fine_tuning", "encoder_scale", "ScaledOptimizer", "callback_config"]
