"""Dynamic batching: the single thread that owns the pipeline gathers queued requests by a token
budget and a maximum wait, runs ONE ``plait.process`` call over all their records (which length-sorts
them into ``nlp.pipe`` batches and segments long texts exactly as ``plait run`` does), and hands each
request its own results.

The queue is bounded: :meth:`Batcher.submit` refuses at once when it is full. A request that times out
while still queued is dropped before it reaches the pipeline. An exception while processing a batch
fails that batch's requests only; the thread goes on with the next batch.
"""
from __future__ import annotations

import collections
import logging
import math
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, Iterable, List, Optional

from plait.errors import Errors, PlaitError
from plait.serve.http_errors import ServeError
from plait.serve.bodies import Batchable

log = logging.getLogger("plait.serve")

# process(records) -> one JSON-ready result dict per record, in order
ProcessFn = Callable[[List[Any]], Iterable[Dict[str, Any]]]


@dataclass
class Job:
    batch: Batchable
    future: "Future[List[Dict[str, Any]]]" = field(default_factory=Future)
    enqueued: float = field(default_factory=time.monotonic)


class Batcher:
    """Owns the pipeline in one thread. ``load`` runs first in that thread and returns the
    ``process`` function; ``observe`` (optional) is told about every batch run."""

    def __init__(self, load: Callable[[], ProcessFn], *, queue_size: int, batch_tokens: int,
                 max_wait_s: float, observe: Optional[Callable[..., None]] = None) -> None:
        self._load = load
        self.queue_size = queue_size
        self.batch_tokens = batch_tokens
        self.max_wait_s = max_wait_s
        self.observe = observe
        self._queue: Deque[Job] = collections.deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: Optional[threading.Thread] = None
        self.state = "loading"  # loading -> ready -> stopped | failed
        self.error: Optional[str] = None
        self.exception: Optional[BaseException] = None
        self._batch_s = 0.0  # moving average of a batch's time, for Retry-After
        self._per_batch = 1.0  # moving average of requests per batch
        self.on_failed: Optional[Callable[[str], None]] = None

    # -- the server's side -------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="plait-pipeline", daemon=True)
        self._thread.start()

    @property
    def ready(self) -> bool:
        return self.state == "ready" and not self._stopping

    @property
    def depth(self) -> int:
        return len(self._queue)

    def retry_after(self) -> int:
        """Seconds until the queue has likely drained (at least 1)."""
        batches = self.depth / max(self._per_batch, 1.0)
        return max(1, math.ceil(batches * self._batch_s))

    def admit(self) -> None:
        """A :class:`ServeError` (503) at once when not ready or the queue is full: checked before a
        request's body is even read, and again when it is queued."""
        if not self.ready:
            raise ServeError(503, Errors.E144.format(state=self.describe()),
                             headers={"Retry-After": "5"})
        depth = len(self._queue)
        if depth >= self.queue_size:
            retry = self.retry_after()
            raise ServeError(503, Errors.E140.format(depth=depth, retry=retry),
                             headers={"Retry-After": str(retry)})

    def submit(self, batch: Batchable) -> Job:
        """Queue a request; a :class:`ServeError` at once when not ready or the queue is full."""
        with self._cond:
            self.admit()
            job = Job(batch)
            self._queue.append(job)
            self._cond.notify()
        return job

    def describe(self) -> str:
        if self.state == "failed":
            return f"the pipeline failed to load: {self.error}"
        if self._stopping:
            return "the server is shutting down"
        if self.state == "loading":
            return "the pipeline is still loading and warming up"
        return self.state

    def stop(self, timeout: float = 30.0) -> None:
        """Finish what is queued, then stop the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    # -- the pipeline thread -----------------------------------------------------------------------
    def _main(self) -> None:
        try:
            process = self._load()
        except BaseException as exc:  # noqa: BLE001 - reported through /v1/ready and the CLI
            self.state = "failed"
            self.exception = exc
            self.error = str(exc) if isinstance(exc, PlaitError) else f"{type(exc).__name__}: {exc}"
            log.error("plait serve: %s", self.error)
            self._fail_queued()
            if self.on_failed is not None:
                self.on_failed(self.error)
            return
        self.state = "ready"
        while True:
            jobs = self._gather()
            if jobs is None:
                break
            if jobs:
                self._run(process, jobs)
        self.state = "stopped"

    def _fail_queued(self) -> None:
        with self._cond:
            jobs, self._queue = list(self._queue), collections.deque()
        for job in jobs:
            if job.future.set_running_or_notify_cancel():
                job.future.set_exception(ServeError(503, Errors.E144.format(state=self.describe())))

    def _take(self, jobs: List[Job], tokens: int) -> int:
        """Move queued jobs into ``jobs`` while the budget allows (the first always fits)."""
        while self._queue:
            job = self._queue[0]
            if jobs and tokens + job.batch.tokens > self.batch_tokens:
                break
            self._queue.popleft()
            if job.future.set_running_or_notify_cancel():  # False: it timed out while queued
                jobs.append(job)
                tokens += job.batch.tokens
        return tokens

    def _gather(self) -> Optional[List[Job]]:
        with self._cond:
            while not self._queue:
                if self._stopping:
                    return None
                self._cond.wait(0.5)
            jobs: List[Job] = []
            tokens = self._take(jobs, 0)
            deadline = (jobs[0].enqueued if jobs else time.monotonic()) + self.max_wait_s
            while tokens < self.batch_tokens and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if not self._queue:
                    self._cond.wait(left)
                if self._queue and tokens + self._queue[0].batch.tokens > self.batch_tokens:
                    break
                tokens = self._take(jobs, tokens)
            return jobs

    def _run(self, process: ProcessFn, jobs: List[Job]) -> None:
        records = [r for job in jobs for r in job.batch.records]
        start = time.perf_counter()
        problem = None
        try:
            results = list(process(records))
            if len(results) != len(records):
                problem = f"{len(results)} results for {len(records)} records"
        except Exception as exc:  # noqa: BLE001 - fails this batch's requests only
            log.exception("plait serve: a batch of %d requests failed", len(jobs))
            problem = f"{type(exc).__name__}: {exc}"
        if problem is not None:
            error = ServeError(500, Errors.E142.format(error=problem))
            for job in jobs:
                job.future.set_exception(error)
            self._note(jobs, records, time.perf_counter() - start, failed=True)
            return
        pos = 0
        for job in jobs:
            n = len(job.batch.records)
            job.future.set_result(results[pos:pos + n])
            pos += n
        self._note(jobs, records, time.perf_counter() - start, failed=False)

    def _note(self, jobs: List[Job], records: List[Any], seconds: float, *, failed: bool) -> None:
        self._batch_s = seconds if not self._batch_s else 0.8 * self._batch_s + 0.2 * seconds
        self._per_batch = 0.8 * self._per_batch + 0.2 * len(jobs)
        if self.observe is not None:
            self.observe(requests=len(jobs), records=len(records), seconds=seconds,
                          words=sum(j.batch.words for j in jobs), failed=failed)
