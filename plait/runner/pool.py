"""A worker pool of spawned processes, one pipeline per worker, output in input order.

spaCy's own ``nlp.pipe(n_process=...)`` forks, which deadlocks once torch has started its thread pools
(explosion/spaCy#6662). Here workers are *spawned*, each sets ``torch.set_num_threads(1)`` and loads the
pipeline once; batches carry sequence numbers and a reorder buffer restores input order. A worker error
is raised in the caller with the worker's traceback; a worker that dies is reported, never waited on.
"""
from __future__ import annotations

import multiprocessing as mp
import queue
import traceback
from typing import Any, Dict, Iterable, Iterator, List, Optional

from plait.runner.batching import Unit
from plait.runner.engines import Output
from plait.runtime.loading import LoadSpec
from plait.errors import Errors, PlaitRuntimeError, PlaitValueError

POLL_S = 1.0


WorkerError = PlaitRuntimeError  # a worker process failed


def _worker(spec: LoadSpec, tasks: Any, results: Any) -> None:
    try:
        from plait.runner.engines import process_texts
        from plait.runtime.outputs import outputs_for

        from plait.runtime.loading import load_in_worker

        nlp = load_in_worker(spec)
        outputs = outputs_for(nlp)
    except BaseException:
        results.put(("init-error", -1, traceback.format_exc()))
        return
    while True:
        task = tasks.get()
        if task is None:
            return
        bid, texts = task
        try:
            results.put(("ok", bid, process_texts(nlp, outputs, texts)))
        except BaseException:
            results.put(("error", bid, traceback.format_exc()))
            return


class PoolEngine:
    """``n_process`` spawned workers; at most ``2 * n_process`` batches in flight."""

    def __init__(self, spec: LoadSpec, n_process: int = 2, *, in_flight: int = 0) -> None:
        if n_process < 1:
            raise PlaitValueError(Errors.E092)
        self.spec = spec
        self.n_process = n_process
        self.in_flight = in_flight or 2 * n_process
        self._ctx = mp.get_context("spawn")
        self._procs: List[Any] = []
        self._tasks: Optional[Any] = None
        self._results: Optional[Any] = None

    def _start(self) -> None:
        self._tasks, self._results = self._ctx.Queue(), self._ctx.Queue()
        for _ in range(self.n_process):
            p = self._ctx.Process(target=_worker, args=(self.spec, self._tasks, self._results),
                                  daemon=True)
            p.start()
            self._procs.append(p)

    def _receive(self) -> Any:
        assert self._results is not None
        while True:
            try:
                kind, bid, payload = self._results.get(timeout=POLL_S)
            except queue.Empty:
                dead = [p for p in self._procs if not p.is_alive()]
                if dead:
                    raise WorkerError(Errors.E093.format(exitcode=dead[0].exitcode))
                continue
            if kind == "ok":
                return bid, payload
            what = "failed to load the pipeline" if kind == "init-error" else "failed"
            raise WorkerError(Errors.E094.format(what=what, payload=payload))

    def run(self, batches: Iterable[List[Unit]]) -> Iterator[Output]:
        if not self._procs:
            self._start()
        assert self._tasks is not None
        source = iter(batches)
        sent: Dict[int, List[Unit]] = {}
        done: Dict[int, Any] = {}
        next_id = next_out = 0
        exhausted = False
        while True:
            while not exhausted and next_id - next_out < self.in_flight:
                batch = next(source, None)
                if batch is None:
                    exhausted = True
                    break
                sent[next_id] = batch
                self._tasks.put((next_id, [u.text for u in batch]))
                next_id += 1
            if next_out == next_id:
                return
            while next_out not in done:
                bid, payload = self._receive()
                done[bid] = payload
            batch, segments = sent.pop(next_out), done.pop(next_out)
            next_out += 1
            yield [(u.seq, u.part, s) for u, s in zip(batch, segments)]

    def close(self) -> None:
        if not self._procs:
            return
        assert self._tasks is not None and self._results is not None
        while True:  # drop queued work: on an early stop, workers need not finish it
            try:
                self._tasks.get_nowait()
            except (queue.Empty, ValueError, OSError):
                break
        for _ in self._procs:
            try:
                self._tasks.put(None)
            except (ValueError, OSError):
                pass
        for p in self._procs:
            p.join(timeout=10)
        for p in self._procs:
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
        for q in (self._tasks, self._results):
            q.cancel_join_thread()
            q.close()
        self._procs = []

    def __enter__(self) -> "PoolEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
