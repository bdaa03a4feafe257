"""How a pipeline is loaded, as one object: :class:`LoadOptions`.

``plait.load``, ``plait.process``, the worker pool, Ray actors and ``plait run`` all take one
``LoadOptions`` (picklable, so a spawned worker or a Ray actor gets it as is) instead of the same
parameters threaded through each signature; :func:`plait.runtime.loading.load_pipeline` is the one
place that applies them.

>>> import plait
>>> opts = plait.LoadOptions(runtime="onnx", quantize=True)
>>> nlp = plait.load("training/news/model-best", options=opts)
>>> results = plait.process("training/news/model-best", records, n_process=2, options=opts)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Tuple, Union

from plait.errors import Errors, PlaitValueError

RUNTIMES = ("torch", "onnx")


@dataclass(frozen=True)
class LoadOptions:
    """``gpu``: ``False`` (CPU), ``True`` (GPU 0) or a GPU id, required; ``quantize``: int8 weights for
    the encoder (CPU); ``runtime``: what runs the encoder, ``"torch"`` or ``"onnx"`` (ONNX Runtime on
    the CPU); ``code``: Python files to import first, for custom components (as ``spacy --code``);
    ``exclude`` / ``disable``: pipes to leave out or disable (as ``spacy.load``); ``config``: config
    overrides (as ``spacy.load``); ``window`` / ``stride``: the shared transformer's window policy in
    tokens instead of the trained one's (``plait.runtime.windows``; the stride defaults to the window)."""

    gpu: Union[bool, int] = False
    quantize: bool = False
    runtime: str = "torch"
    code: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    disable: Tuple[str, ...] = ()
    config: Dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    window: Optional[int] = None
    stride: Optional[int] = None

    def __post_init__(self) -> None:
        for name in ("code", "exclude", "disable"):
            value = getattr(self, name)
            if isinstance(value, (str, Path)):
                value = (value,)
            object.__setattr__(self, name, tuple(str(v) for v in value or ()))
        object.__setattr__(self, "config", dict(self.config or {}))

    @classmethod
    def of(cls, options: Optional["LoadOptions"] = None, **overrides: Any) -> "LoadOptions":
        """``options`` (or the defaults) with every override that is not ``None`` applied."""
        base = options if options is not None else cls()
        if not isinstance(base, LoadOptions):
            raise PlaitValueError(Errors.E099.format(got=type(base).__name__))
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **given) if given else base

    @property
    def transforms_encoder(self) -> bool:
        """Whether loading changes the encoder (int8 weights or another runtime)."""
        return self.quantize or self.runtime != "torch"

    def check(self) -> None:
        """The combinations that can't work, as coded errors, before anything is loaded."""
        from plait.runtime.windows import check_windows

        check_windows(self.window, self.stride)
        if self.runtime not in RUNTIMES:
            from plait.runtime.onnxrt import check_runtime

            check_runtime(self.runtime)
        if self.gpu is not False:
            if self.quantize:
                from plait.runtime.quantize import QuantizationError

                raise QuantizationError(Errors.E072)
            if self.runtime == "onnx":
                from plait.runtime.onnxrt import OnnxRuntimeError

                raise OnnxRuntimeError(Errors.E042.format(pipe="transformer",
                                                          device=f"GPU {self.gpu}"))


def as_tuple(paths: Optional[Sequence[Any]]) -> Tuple[str, ...]:
    return tuple(str(p) for p in paths or ())
