"""Choosing and starting the engine for a model: this process, spawned workers or Ray Data.

Kept apart from :mod:`plait.runner.engines` (what every engine shares) so that the pool and the Ray
engine can import that without an import circle.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, List

from plait.runner.batching import Unit
from plait.runner.engines import LocalEngine, Output


def open_engine(model: Any, options: Any = None, *, n_process: int = 1, engine: str = "local",
                address: Any = None, num_gpus: float = 0.0) -> Any:
    """The engine for ``model`` (a path or package name, or a loaded pipeline): the one place that
    chooses between this process (``LocalEngine``), spawned workers (``PoolEngine``, ``n_process >
    1``) and Ray Data (``engine="ray"``, ``n_process`` actors). ``options``
    (:class:`plait.LoadOptions`) say how every copy is loaded. A loaded pipeline is written to a
    temporary folder once for workers; the engine's ``close()`` removes it."""
    from pathlib import Path

    from plait.errors import Errors, PlaitError
    from plait.runtime.options import LoadOptions
    from plait.runtime.loading import LoadSpec, factory_modules, load_pipeline

    options = options if options is not None else LoadOptions()
    if engine not in ("local", "ray"):
        raise PlaitError(Errors.E086.format(engine=engine))
    if engine == "local" and n_process <= 1:
        return LocalEngine(load_pipeline(model, options) if isinstance(model, (str, Path)) else model)
    tmp = None
    if isinstance(model, (str, Path)):
        spec = LoadSpec(str(model), options)
    else:  # workers load a copy written to disk once
        import tempfile

        meta = getattr(model, "meta", {})
        if meta.get("plait_quantized") or meta.get("plait_runtime"):
            from plait.runtime.quantize import QuantizationError

            raise QuantizationError(Errors.E073)
        tmp = tempfile.mkdtemp(prefix="plait-pipeline-")
        model.to_disk(tmp)
        spec = LoadSpec(tmp, LoadOptions(code=options.code), modules=factory_modules(model))
    if engine == "ray":
        from plait.runner.ray_engine import RayEngine

        made: Any = RayEngine(spec, concurrency=max(n_process, 1), num_gpus=num_gpus,
                              address=address)
    else:
        from plait.runner.pool import PoolEngine

        made = PoolEngine(spec, n_process)
    return _RemovesFolder(made, tmp) if tmp else made


class _RemovesFolder:
    """An engine that removes the temporary copy of its pipeline when closed."""

    def __init__(self, engine: Any, folder: str) -> None:
        self._engine, self._folder = engine, folder

    def run(self, batches: Iterable[List[Unit]]) -> Iterator[Output]:
        return self._engine.run(batches)

    def close(self) -> None:
        import shutil

        try:
            self._engine.close()
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)
