"""Ray Data engine: batches go through ``map_batches`` with an actor class that loads the pipeline once
per actor (``concurrency`` actors, ``num_gpus`` each), on a local Ray or a cluster (``address``).

Each row of the Ray dataset is one token-budget batch built by the driver (so batching is the same as
locally); results come back to the driver, which writes them in input order with rejects and
checkpoints exactly as the local engine does. Input is sent in windows of ``window_batches`` batches
(one dataset each) so the driver never holds the whole input. Ray is optional: ``pip install
'plait[ray]'``; every node needs plait and the pipeline's packages installed.
"""
from __future__ import annotations

import itertools
import json
from typing import Any, Dict, Iterable, Iterator, List, Optional

from plait.errors import PlaitError
from plait.runner.batching import Unit
from plait.runner.engines import Output
from plait.runtime.loading import LoadSpec
from plait.errors import Errors


def require_ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise PlaitError(Errors.E095) from None
    return ray


class PipelineActor:
    """The ``map_batches`` callable class: one pipeline per actor, loaded in ``__init__``."""

    def __init__(self, spec: LoadSpec) -> None:
        from plait.runtime.outputs import outputs_for
        from plait.runtime.loading import load_in_worker

        self.nlp = load_in_worker(spec)
        self.outputs = outputs_for(self.nlp)

    def __call__(self, batch: Dict[str, Any]) -> Dict[str, Any]:
        import numpy

        from plait.runner.engines import process_texts

        outs = [json.dumps(process_texts(self.nlp, self.outputs, json.loads(texts)))
                for texts in batch["texts"]]
        return {"bid": batch["bid"], "out": numpy.array(outs, dtype=object)}


class RayEngine:
    def __init__(self, spec: LoadSpec, *, concurrency: int = 1, num_gpus: float = 0.0,
                 num_cpus: Optional[float] = None, address: Optional[str] = None,
                 window_batches: int = 1024) -> None:
        self.ray = require_ray()
        self.spec = spec
        self.concurrency = concurrency
        self.num_gpus = num_gpus
        self.num_cpus = num_cpus
        self.address = address
        self.window_batches = window_batches
        self._started = False

    def _init(self) -> None:
        if not self.ray.is_initialized():
            self.ray.init(address=self.address, log_to_driver=False)
            self._started = True
        ctx = self.ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False

    def _window(self, batches: List[List[Unit]]) -> Iterator[Output]:
        rows = [{"bid": i, "texts": json.dumps([u.text for u in b])} for i, b in enumerate(batches)]
        ds = self.ray.data.from_items(rows, override_num_blocks=min(len(rows), 4 * self.concurrency))
        kwargs: Dict[str, Any] = {"num_gpus": self.num_gpus} if self.num_gpus else {}
        if self.num_cpus is not None:
            kwargs["num_cpus"] = self.num_cpus
        pool = self.ray.data.ActorPoolStrategy(size=self.concurrency)
        ds = ds.map_batches(PipelineActor, fn_constructor_kwargs={"spec": self.spec}, batch_size=1,
                            compute=pool, **kwargs)
        for row in ds.iter_rows():
            batch = batches[int(row["bid"])]
            segments = json.loads(row["out"])
            yield [(u.seq, u.part, s) for u, s in zip(batch, segments)]

    def run(self, batches: Iterable[List[Unit]]) -> Iterator[Output]:
        self._init()
        source = iter(batches)
        while True:
            window = list(itertools.islice(source, self.window_batches))
            if not window:
                return
            yield from self._window(window)

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()
            self._started = False
