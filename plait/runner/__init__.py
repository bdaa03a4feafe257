"""Production processing: token-budget batching, long-document segments, engines (local, spawned
worker pool, Ray Data), ordered assembly, rejects and resume; files are read and written by
:mod:`plait.io`. See docs/runner.md."""
from __future__ import annotations

from plait.runner.batching import BatchOptions
from plait.io.records import Item, RawRecord, to_item

__all__ = ["BatchOptions", "Item", "RawRecord", "to_item"]
