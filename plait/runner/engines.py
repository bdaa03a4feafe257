"""Engines run batches of texts through a pipeline and return the extracted outputs per unit.

``LocalEngine`` runs in this process; ``PoolEngine`` (plait.runner.pool) in spawned worker processes;
``RayEngine`` (plait.runner.ray_engine) on Ray Data. Each yields, per input batch, a list of
``(seq, part, segment)``; the stream puts records back in input order.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, List, Protocol, Sequence, Tuple

from .batching import Unit
from .extract import Outputs, Segment, extract_segment, outputs_for

Output = List[Tuple[int, int, Segment]]


class Engine(Protocol):
    def run(self, batches: Iterable[List[Unit]]) -> Iterator[Output]: ...

    def close(self) -> None: ...


def process_texts(nlp: Any, outputs: Outputs, texts: Sequence[str]) -> List[Segment]:
    """Run one batch. If it fails, run its texts one by one so only the failing text is rejected."""
    try:
        return [extract_segment(doc, outputs) for doc in nlp.pipe(texts, batch_size=len(texts))]
    except Exception as exc:
        if len(texts) == 1:
            return [{"error": f"{type(exc).__name__}: {exc}"}]
        return [process_texts(nlp, outputs, [t])[0] for t in texts]


class LocalEngine:
    """Runs the pipeline in this process."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        self.outputs = outputs_for(nlp)

    def run(self, batches: Iterable[List[Unit]]) -> Iterator[Output]:
        for batch in batches:
            segments = process_texts(self.nlp, self.outputs, [u.text for u in batch])
            yield [(u.seq, u.part, s) for u, s in zip(batch, segments)]

    def close(self) -> None:
        pass


def open_engine(model: Any, options: Any = None, *, n_process: int = 1, engine: str = "local",
                address: Any = None, num_gpus: float = 0.0) -> Any:
    """The engine for ``model`` (a path or package name, or a loaded pipeline): the one place that
    chooses between this process (``LocalEngine``), spawned workers (``PoolEngine``, ``n_process >
    1``) and Ray Data (``engine="ray"``, ``n_process`` actors). ``options``
    (:class:`plait.LoadOptions`) say how every copy is loaded. A loaded pipeline is written to a
    temporary folder once for workers; the engine's ``close()`` removes it."""
    from pathlib import Path

    from ..errors import Errors, PlaitError
    from ..options import LoadOptions
    from .loading import LoadSpec, factory_modules, load_pipeline

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
            from ..quantize import QuantizationError

            raise QuantizationError(Errors.E073)
        tmp = tempfile.mkdtemp(prefix="plait-pipeline-")
        model.to_disk(tmp)
        spec = LoadSpec(tmp, LoadOptions(code=options.code), modules=factory_modules(model))
    if engine == "ray":
        from .ray_engine import RayEngine

        made: Any = RayEngine(spec, concurrency=max(n_process, 1), num_gpus=num_gpus,
                              address=address)
    else:
        from .pool import PoolEngine

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
