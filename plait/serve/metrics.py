"""Prometheus metrics of one server (its own registry, so several apps can live in one process)."""
from __future__ import annotations

from typing import Any


class Metrics:
    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("plait_requests", "HTTP requests answered, by route and status",
                                ["route", "status"], registry=r)
        self.latency = Histogram("plait_request_seconds", "Time to answer a /v1/process request",
                                 buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60),
                                 registry=r)
        self.batch_records = Histogram("plait_batch_records", "Records in one pipeline batch",
                                       buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
                                       registry=r)
        self.batch_requests = Histogram("plait_batch_requests", "Requests gathered into one batch",
                                        buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256), registry=r)
        self.batch_seconds = Histogram("plait_batch_seconds", "Time to process one batch",
                                       buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30),
                                       registry=r)
        self.batch_failures = Counter("plait_batch_failures", "Batches whose processing failed",
                                      registry=r)
        self.queue_depth = Gauge("plait_queue_depth", "Requests waiting for the pipeline",
                                 registry=r)
        self.in_progress = Gauge("plait_requests_in_progress",
                                 "/v1/process requests being answered", registry=r)
        self.words = Counter("plait_words", "Words processed (whitespace-separated)", registry=r)
        self.records = Counter("plait_records", "Records processed", registry=r)

    def observe_batch(self, *, requests: int, records: int, seconds: float, words: int,
                      failed: bool) -> None:
        self.batch_requests.observe(requests)
        self.batch_records.observe(records)
        self.batch_seconds.observe(seconds)
        if failed:
            self.batch_failures.inc()
        else:
            self.words.inc(words)
            self.records.inc(records)

    def render(self) -> Any:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST
