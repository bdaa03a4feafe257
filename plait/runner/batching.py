"""Work units (a record, or one segment of a long record) and batches built by token budget.

Units are read into a buffer of bounded size, sorted by length inside it (similar lengths batch with
little padding) and cut into batches of at most ``max_batch_tokens`` tokens and ``batch_size`` units.
The assembler puts results back in input order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, List, Tuple

from plait.io.records import Item
from plait.runner.segment import estimate_tokens, split_text


@dataclass
class Unit:
    seq: int
    part: int
    offset: int  # character offset of this segment in the record's text
    text: str
    tokens: int


@dataclass(frozen=True)
class BatchOptions:
    batch_size: int = 64  # most units in a batch
    max_batch_tokens: int = 8192  # most (estimated) tokens in a batch
    segment_tokens: int = 2048  # a text longer than this is processed in segments of about this size
    buffer_tokens: int = 0  # sort window; 0 means 8 * max_batch_tokens

    @property
    def window(self) -> int:
        return self.buffer_tokens or 8 * self.max_batch_tokens


def split_item(item: Item, segment_tokens: int) -> Tuple[List[Unit], List[int]]:
    """One unit, or one per segment; and the offsets of cuts that fell inside a sentence."""
    tokens = estimate_tokens(item.text)
    if tokens <= segment_tokens and len(item.text) <= segment_tokens * 12:
        return [Unit(item.seq, 0, 0, item.text, tokens)], []
    spans, mid = split_text(item.text, segment_tokens)
    units = [Unit(item.seq, i, s, item.text[s:e], estimate_tokens(item.text[s:e]))
             for i, (s, e) in enumerate(spans)]
    return units, mid


def batches_from_window(units: List[Unit], opts: BatchOptions) -> List[List[Unit]]:
    batches: List[List[Unit]] = []
    current: List[Unit] = []
    tokens = 0
    for unit in sorted(units, key=lambda u: u.tokens):
        if current and (len(current) >= opts.batch_size or tokens + unit.tokens > opts.max_batch_tokens):
            batches.append(current)
            current, tokens = [], 0
        current.append(unit)
        tokens += unit.tokens
    if current:
        batches.append(current)
    return batches


def make_batches(units: Iterable[Unit], opts: BatchOptions) -> Iterator[List[Unit]]:
    """Batches by token budget, length-sorted within windows of about ``opts.window`` tokens."""
    window: List[Unit] = []
    tokens = 0
    for unit in units:
        window.append(unit)
        tokens += unit.tokens
        if tokens >= opts.window:
            yield from batches_from_window(window, opts)
            window, tokens = [], 0
    if window:
        yield from batches_from_window(window, opts)
