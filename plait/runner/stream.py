"""Records in, results out, in input order: split long texts, batch, run an engine, reassemble.

Rejected records travel through the same ordered stream (as results with ``errors``), so what has been
written is always a prefix of the input; that is what makes ``--resume`` exact.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional

from plait.io.results import Result
from plait.runner.batching import BatchOptions, make_batches, split_item, Unit
from plait.runner.engines import Engine
from plait.runtime.outputs import Segment, merge_segments
from plait.io.records import Item
from plait.errors import Errors, PlaitRuntimeError

MAX_CUT_WARNINGS = 3


@dataclass
class _Pending:
    item: Item
    n_parts: int
    parts: Dict[int, Segment] = field(default_factory=dict)
    offsets: Dict[int, int] = field(default_factory=dict)
    warnings: List[str] = field(default_factory=list)
    truncated: bool = False

    @property
    def complete(self) -> bool:
        return len(self.parts) >= self.n_parts


def jsonable(value: Any) -> Any:
    """Input fields as JSON can hold them (dates and the like become strings)."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return json.loads(json.dumps(value, default=str))


def _finish(p: _Pending) -> Result:
    item = p.item
    base: Dict[str, Any] = {"id": item.id, "line": item.line, "extra": jsonable(item.extra)}
    if item.error is not None:
        result = Result(**base, errors=[item.error])
        result._record = item.raw
        return result
    failed = [seg["error"] for seg in p.parts.values() if "error" in seg]
    if failed:
        result = Result(**base, errors=[f"processing failed: {failed[0]}"])
        result._record = item.raw
        return result
    ordered = [(p.offsets[i], p.parts[i]) for i in sorted(p.parts)]
    fields = merge_segments(ordered, item.text)
    fields["warnings"] = p.warnings + fields["warnings"]
    fields["truncated"] = fields["truncated"] or p.truncated
    return Result(**base, **fields)


def result_groups(items: Iterable[Item], engine: Engine, opts: BatchOptions,
                  max_chars: int = 0) -> Iterator[List[Result]]:
    """Results in input order, in groups (one per engine batch): write and flush a group at once."""
    pending: Dict[int, _Pending] = {}
    order: List[int] = []  # seqs not yet emitted, in input order
    head = 0

    def units() -> Iterator[Unit]:
        for item in items:
            order.append(item.seq)
            if item.error is not None:
                pending[item.seq] = _Pending(item, 0)
                continue
            p = _Pending(item, 0)
            if max_chars and len(item.text) > max_chars:
                p.warnings.append(f"text cut from {len(item.text)} to {max_chars} characters "
                                  "(max_chars)")
                p.truncated = True
                item.text = item.text[:max_chars]
            parts, cuts = split_item(item, opts.segment_tokens)
            p.n_parts = len(parts)
            p.offsets = {u.part: u.offset for u in parts}
            p.warnings += [f"segment boundary inside a sentence at character {c}"
                           for c in cuts[:MAX_CUT_WARNINGS]]
            pending[item.seq] = p
            yield from parts

    def ready() -> List[Result]:
        nonlocal head
        out = []
        while head < len(order) and pending[order[head]].complete:
            out.append(_finish(pending.pop(order[head])))
            head += 1
        if head > 4096:  # keep the order list short
            del order[:head]
            head = 0
        return out

    for outputs in engine.run(make_batches(units(), opts)):
        for seq, part, segment in outputs:
            pending[seq].parts[part] = segment
        group = ready()
        if group:
            yield group
    group = ready()
    if group:
        yield group
    if pending:  # an engine that dropped a unit: never silently lose a record
        raise PlaitRuntimeError(Errors.E098.format(value=sorted(pending)[:10]))


def results(items: Iterable[Item], engine: Engine, opts: Optional[BatchOptions] = None,
            max_chars: int = 0) -> Iterator[Result]:
    for group in result_groups(items, engine, opts or BatchOptions(), max_chars):
        yield from group
