"""Everything ``plait serve`` can be told: where to listen, what to load, limits, batching."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

from plait.errors import Errors, PlaitValueError
from plait.io.records import MAX_DEPTH
from plait.runner.batching import BatchOptions
from plait.runtime.options import LoadOptions


MAX_PARSER_DEPTH = 500  # well inside Python's recursion limit (json.loads recurses per level)


@dataclass(frozen=True)
class ServeSettings:
    # where to listen
    host: str = "127.0.0.1"
    port: int = 8080
    # what to load, and how (as plait.load)
    model: str = ""
    load: LoadOptions = field(default_factory=LoadOptions)
    # records (as plait run)
    text_field: str = "text"
    id_field: Optional[str] = "id"
    # limits
    max_body_bytes: int = 10 * 1024 * 1024
    max_records: int = 1000
    max_chars: int = 1_000_000
    max_depth: int = MAX_DEPTH  # JSON nesting of a body; deeper: 422 before it is parsed
    queue_size: int = 256  # requests waiting for the pipeline; beyond it: 503 at once
    timeout_s: float = 60.0  # per request, from arrival to answer; beyond it: 504
    # dynamic batching: gather requests until batch.max_batch_tokens estimated tokens, or max_wait_ms
    # after the first one arrived; then one plait.process call over all their records, batched and
    # segmented exactly as plait run (the same BatchOptions)
    batch: BatchOptions = field(default_factory=BatchOptions)
    max_wait_ms: float = 10.0
    # access
    api_key: Optional[str] = None
    cors_origins: Tuple[str, ...] = field(default_factory=tuple)
    page: bool = True  # the visual page at /

    def __post_init__(self) -> None:
        positive = {"max_body_bytes": self.max_body_bytes, "max_records": self.max_records,
                    "max_chars": self.max_chars, "queue_size": self.queue_size,
                    "timeout_s": self.timeout_s, "batch_tokens": self.batch.max_batch_tokens,
                    "batch_size": self.batch.batch_size, "segment_tokens": self.batch.segment_tokens}
        for name, value in positive.items():
            if not value > 0:
                raise PlaitValueError(Errors.E148.format(
                    error=f"{name.replace('_', '-')} must be positive, got {value}"))
        if not 1 <= self.max_depth <= MAX_PARSER_DEPTH:
            raise PlaitValueError(Errors.E148.format(
                error=f"max-depth must be 1 to {MAX_PARSER_DEPTH}, got {self.max_depth}"))
        if self.max_wait_ms < 0:
            raise PlaitValueError(Errors.E148.format(error="max-wait-ms must be 0 or more"))
        if self.api_key is not None and not self.api_key.strip():
            raise PlaitValueError(Errors.E148.format(error="the API key is empty"))
        if not 0 <= self.port < 65536:
            raise PlaitValueError(Errors.E148.format(error=f"port {self.port} is not a TCP port"))

    @property
    def load_options(self) -> dict:
        """How the pipeline is loaded, for ``/v1/info``."""
        return {"gpu": self.load.gpu, "quantize": self.load.quantize, "runtime": self.load.runtime,
                "code": list(self.load.code)}

    @property
    def process_options(self) -> dict:
        """Keyword arguments of plait.process, as plait run passes them."""
        return {"text_field": self.text_field, "id_field": self.id_field,
                "batch_size": self.batch.batch_size, "max_batch_tokens": self.batch.max_batch_tokens,
                "segment_tokens": self.batch.segment_tokens}
