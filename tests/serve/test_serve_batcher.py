"""The batcher's thread on its own (no HTTP): gathering by token budget and maximum wait, a failing
batch failing only its own requests, the bounded queue, a load that fails."""
from __future__ import annotations

import threading
import time

import pytest

from plait.serve.batcher import Batcher
from plait.serve.http_errors import ServeError
from plait.serve.bodies import Batchable


def batch(*texts: str) -> Batchable:
    return Batchable(list(texts), single=False, tokens=sum(len(t) // 4 + 1 for t in texts),
                     words=sum(len(t.split()) for t in texts))


class Recorder:
    """A process function that records the batches it was given; fails a batch holding 'FAIL'."""

    def __init__(self, gate: threading.Event = None) -> None:
        self.calls = []
        self.gate = gate

    def __call__(self, records):
        if self.gate is not None:
            self.gate.wait(10)
        self.calls.append(list(records))
        if any("FAIL" in r for r in records):
            raise RuntimeError("the pipeline broke")
        return [{"id": None, "text": r.upper(), "errors": []} for r in records]


def started(process, **kwargs) -> Batcher:
    opts = {"queue_size": 8, "batch_tokens": 1000, "max_wait_s": 0.2, **kwargs}
    b = Batcher(lambda: process, **opts)
    b.start()
    for _ in range(200):
        if b.ready:
            return b
        time.sleep(0.01)
    raise AssertionError("batcher not ready")


def test_requests_are_gathered_into_one_call_and_each_gets_its_own_results():
    process = Recorder()
    b = started(process)
    jobs = [b.submit(batch(f"a{i}", f"b{i}")) for i in range(3)]
    assert [j.future.result(5) for j in jobs] == [
        [{"id": None, "text": f"A{i}", "errors": []}, {"id": None, "text": f"B{i}", "errors": []}]
        for i in range(3)]
    assert process.calls == [["a0", "b0", "a1", "b1", "a2", "b2"]]  # one call, in order
    b.stop()
    assert b.state == "stopped"


def test_the_token_budget_cuts_batches():
    process = Recorder()
    b = started(process, batch_tokens=10)
    jobs = [b.submit(batch("x" * 40)) for _ in range(3)] + [b.submit(batch("y", "z"))]
    for j in jobs:
        j.future.result(5)
    assert [len(c) for c in process.calls] == [1, 1, 1, 2]  # a request over budget runs alone
    b.stop()


def test_a_failing_batch_fails_its_requests_only_and_the_thread_goes_on():
    gate = threading.Event()
    process = Recorder(gate)
    b = started(process, batch_tokens=4)
    first = b.submit(batch("ok"))
    time.sleep(0.3)  # the first batch is in the (gated) pipeline
    bad = [b.submit(batch("FAIL")), b.submit(batch("c"))]  # gathered together (budget 4)
    gate.set()
    assert first.future.result(5)[0]["text"] == "OK"
    for job in bad:
        with pytest.raises(ServeError) as err:
            job.future.result(5)
        assert err.value.status == 500 and err.value.code == "E142"
        assert "RuntimeError: the pipeline broke" in err.value.message
    after = b.submit(batch("later"))
    assert after.future.result(5)[0]["text"] == "LATER"
    b.stop()


def test_a_full_queue_refuses_at_once_and_a_timed_out_request_is_dropped():
    gate = threading.Event()
    process = Recorder(gate)
    b = started(process, queue_size=2, max_wait_s=0.0, batch_tokens=1)
    running = b.submit(batch("running"))
    time.sleep(0.2)
    queued = [b.submit(batch("q1")), b.submit(batch("q2"))]
    start = time.monotonic()
    with pytest.raises(ServeError) as err:
        b.submit(batch("refused"))
    assert time.monotonic() - start < 0.05
    assert err.value.status == 503 and err.value.code == "E140"
    assert int(err.value.headers["Retry-After"]) >= 1
    assert queued[0].future.cancel()  # what a timeout does to a queued request
    gate.set()
    assert running.future.result(5) and queued[1].future.result(5)
    assert process.calls == [["running"], ["q2"]]
    b.stop()


def test_a_load_that_fails_is_reported_and_refuses_requests():
    def load():
        raise OSError("no such pipeline")

    failed = []
    b = Batcher(load, queue_size=2, batch_tokens=10, max_wait_s=0)
    b.on_failed = failed.append
    b.start()
    b.stop()
    assert b.state == "failed" and failed == ["OSError: no such pipeline"]
    with pytest.raises(ServeError) as err:
        b.submit(batch("x"))
    assert err.value.status == 503 and err.value.code == "E144"
    assert "failed to load: OSError: no such pipeline" in err.value.message
