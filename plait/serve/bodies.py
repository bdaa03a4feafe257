"""A request body checked before it is queued: every problem answered at once, naming the record."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from plait.errors import Errors
from plait.io.records import check_record, depth_over, kind_of, record_name
from plait.runner.segment import estimate_tokens  # the runner's estimate: one budget, one meaning
from plait.serve.http_errors import ServeError
from plait.serve.settings import ServeSettings

MAX_LISTED = 20  # problems listed in one answer


@dataclass
class Batchable:
    """The records of one request, checked; ``single``: the body was one record, not a list."""

    records: List[Any]
    single: bool
    tokens: int  # estimated, for the gathering budget
    words: int

    def defaulted_ids(self, id_field: Optional[str]) -> List[bool]:
        """Which records have no id of their own (their id is then their number in the request)."""
        return [not isinstance(r, dict) or not id_field or r.get(id_field) in (None, "")
                for r in self.records]


def parse_body(body: bytes, settings: ServeSettings) -> Batchable:
    """The records of a request body, or a :class:`ServeError` (413 / 422) naming what is wrong."""
    if len(body) > settings.max_body_bytes:
        raise ServeError(413, Errors.E130.format(size=len(body), limit=settings.max_body_bytes))
    depth = depth_over(body, settings.max_depth)  # before parsing: no body exhausts its recursion
    if depth is not None:
        raise ServeError(422, Errors.E230.format(where="The request body", depth=depth, option=" (--max-depth)",
                                                 limit=settings.max_depth))
    try:
        value = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        error = (f"{exc.msg} at line {exc.lineno} column {exc.colno}"
                 if isinstance(exc, json.JSONDecodeError) else "the body is not UTF-8")
        raise ServeError(422, Errors.E133.format(error=error)) from None
    single = not isinstance(value, list)
    records = [value] if single else value
    if not records or not (single and isinstance(value, (dict, str)) or not single):
        raise ServeError(422, Errors.E134.format(kind="an empty list" if not records and not single
                                                 else kind_of(value)))
    if len(records) > settings.max_records:
        raise ServeError(413, Errors.E131.format(n=len(records), limit=settings.max_records))
    tf, idf = settings.text_field, settings.id_field
    problems: List[Dict[str, Any]] = []
    too_long: List[Dict[str, Any]] = []
    tokens = words = 0
    for index, record in enumerate(records, 1):
        checked = check_record(record, index, text_field=tf, id_field=idf)  # the one record check
        own_id = record.get(idf) if isinstance(record, dict) and idf else None
        if checked.error is not None:
            problems.append({"index": index, "id": own_id, "field": checked.field,
                             "message": checked.error})
            continue
        text = checked.text
        if len(text) > settings.max_chars:
            too_long.append({"index": index, "id": own_id, "field": tf,
                             "message": Errors.E132.format(record=record_name(index, record, idf),
                                                           field=tf, n=len(text),
                                                           limit=settings.max_chars)})
            continue
        tokens += estimate_tokens(text)
        words += len(text.split())
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ServeError(422, problems[0]["message"] + more,  # coded: E135-E139, E149 above
                         records=problems[:MAX_LISTED])
    if too_long:
        more = f" (and {len(too_long) - 1} more)" if len(too_long) > 1 else ""
        raise ServeError(413, too_long[0]["message"] + more,  # coded: E132 above
                         records=too_long[:MAX_LISTED])
    return Batchable(records, single, tokens, words)
