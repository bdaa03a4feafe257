"""Engines run batches of texts through a pipeline and return the extracted outputs per unit.

``LocalEngine`` runs in this process; ``PoolEngine`` (plait.runner.pool) in spawned worker processes;
``RayEngine`` (plait.runner.ray_engine) on Ray Data. Each yields, per input batch, a list of
``(seq, part, segment)``; the stream puts records back in input order.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, List, Protocol, Sequence, Tuple

from plait.runner.batching import Unit
from plait.runtime.outputs import Outputs, Segment, outputs_for, read_segment

Output = List[Tuple[int, int, Segment]]


class Engine(Protocol):
    def run(self, batches: Iterable[List[Unit]]) -> Iterator[Output]: ...

    def close(self) -> None: ...


def process_texts(nlp: Any, outputs: Outputs, texts: Sequence[str]) -> List[Segment]:
    """Run one batch. If it fails, run its texts one by one so only the failing text is rejected."""
    try:
        return [read_segment(doc, outputs) for doc in nlp.pipe(texts, batch_size=len(texts))]
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
