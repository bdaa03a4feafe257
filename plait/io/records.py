"""Input records: what a reader yields, and the one check that turns a record into a text to process
(``plait run``, ``plait.process`` and ``plait serve`` alike; coded errors E135-E139, E149)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Union

from plait.errors import Errors

RecordId = Union[int, str]

MAX_DEPTH = 64  # how deeply a record's JSON may nest (serve's --max-depth; the readers of plait run)
# a JSON string (an unterminated one runs to the end: the scan stays linear)
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\Z)', re.S)
_NOT_BRACKET = bytes(c for c in range(256) if c not in b"[]{}")
_STEP = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")  # opening +1, closing -1 (less 1)


def nesting_depth(data: Union[bytes, str]) -> int:
    """How deeply the JSON text ``data`` nests arrays and objects, read without parsing it (so no
    input can exhaust the parser's recursion), at about the cost of parsing it: strings out,
    brackets only, their running sum."""
    import numpy
    if isinstance(data, str):
        data = data.encode("utf8", "surrogatepass")
    if b"[" not in data and b"{" not in data:
        return 0
    steps = _STRING.sub(b"", data).translate(None, _NOT_BRACKET).translate(_STEP)
    if not steps:
        return 0
    running = numpy.cumsum(numpy.frombuffer(steps, dtype=numpy.uint8).astype(numpy.int64) - 1)
    return max(0, int(running.max()))


def depth_over(data: Union[bytes, str], limit: int) -> Optional[int]:
    """The nesting depth of ``data`` when it is over ``limit``, else None. Counting the brackets
    (a C scan) settles almost every record: only one with more than ``limit`` of them is scanned."""
    raw = data.encode("utf8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return None
    depth = nesting_depth(raw)
    return depth if depth > limit else None


@dataclass
class RawRecord:
    """One input record as read: ``value`` (str, dict, list or Doc), or ``error`` with the ``raw``
    text when it could not be read; ``source``: the file it came from."""

    line: int  # 1-based record number (the physical line for line formats and CSV/TSV)
    value: Any = None
    error: Optional[str] = None
    raw: Optional[str] = None  # the undecodable/unparsable source, kept for the rejects file
    source: str = ""


@dataclass
class Item:
    """A record ready to process, or (``error`` set) a record to reject."""

    seq: int
    line: int
    id: Optional[RecordId]
    text: str = ""
    extra: Dict[str, Any] = field(default_factory=dict)
    error: Optional[str] = None
    raw: Any = None


def has_surrogates(value: Any) -> bool:
    """Lone surrogates: undecodable bytes (CSV) or ``\\udcxx`` escapes (JSON), anywhere in a record."""
    try:
        if isinstance(value, str):
            value.encode("utf8")
        else:
            json.dumps(value, ensure_ascii=False, default=str).encode("utf8")
    except UnicodeEncodeError:
        return True
    return False


def kind_of(value: Any) -> str:
    """A JSON value's kind, as the record errors name it ("a string", "a number", ...)."""
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def record_name(number: int, record: Any, id_field: Optional[str]) -> str:
    """How an error names a record: its number, and its id when it has a usable one."""
    if isinstance(record, dict) and id_field and isinstance(record.get(id_field), (str, int)) \
            and not isinstance(record.get(id_field), bool) and record.get(id_field) != "":
        return f"{number} (id {record[id_field]!r})"
    return str(number)


def _plain_id(value: Any) -> Any:
    """A record's own id (int or str), ``None`` when it has none, or ``...`` when it can't be one."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return ...
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # Parquet/pandas integer columns with gaps come as floats
    return ...


@dataclass
class Checked:
    """One record checked: its ``text``, ``id`` (``None``: none of its own) and ``extra`` fields, or a
    coded ``error`` (E135-E139, E149) with the ``field`` it is about."""

    text: str = ""
    id: Optional[RecordId] = None
    extra: Dict[str, Any] = field(default_factory=dict)
    error: Optional[str] = None
    field: Optional[str] = None


def check_record(value: Any, number: int, *, text_field: str = "text",
                 id_field: Optional[str] = "id") -> Checked:
    """The one record check, for ``plait run``, ``plait.process`` and ``plait serve``: a record is a
    string, or an object with a string ``text_field`` that is not blank and an optional string or
    integer ``id_field``; it holds no lone surrogate anywhere. Never raises."""
    name = record_name(number, value, id_field)
    if not isinstance(value, (str, dict)):
        return Checked(error=Errors.E135.format(record=number, kind=kind_of(value), field=text_field))
    if has_surrogates(value):
        return Checked(error=Errors.E149.format(record=name))
    if isinstance(value, str):
        text: Any = value
        extra: Dict[str, Any] = {}
        record_id = None
    else:
        record_id = _plain_id(value.get(id_field)) if id_field else None
        if record_id is ...:
            return Checked(field=id_field, error=Errors.E139.format(
                record=number, field=id_field, kind=kind_of(value.get(id_field))))
        if text_field not in value:
            return Checked(id=record_id, field=text_field,
                           error=Errors.E136.format(record=name, field=text_field))
        text = value[text_field]
        extra = {k: v for k, v in value.items() if k != text_field and k != id_field}
    if not isinstance(text, str):
        return Checked(id=record_id, field=text_field,
                       error=Errors.E137.format(record=name, field=text_field, kind=kind_of(text)))
    if not text.strip():
        return Checked(id=record_id, field=text_field,
                       error=Errors.E138.format(record=name, field=text_field))
    return Checked(text=text, id=record_id, extra=extra)


def _printable(value: Any) -> Any:
    """An id with undecodable bytes as \\xNN, so the reject can be written."""
    if isinstance(value, str) and has_surrogates(value):
        return value.encode("utf8", "backslashreplace").decode("utf8")
    return value


def to_item(raw: RawRecord, seq: int, *, text_field: str = "text",
            id_field: Optional[str] = "id") -> Item:
    """Check one record as read (:func:`check_record`). A bad one becomes an :class:`Item` with
    ``error`` set, never an exception; a record with no id of its own gets its line number."""
    if raw.error is not None:
        return Item(seq, raw.line, None, error=raw.error, raw=raw.raw or None)
    value = raw.value
    checked = check_record(value, raw.line, text_field=text_field, id_field=id_field)
    record_id: Optional[RecordId] = checked.id
    if record_id is None and isinstance(value, dict) and id_field:
        own = value.get(id_field)  # an id that failed the check is still named in the reject
        record_id = None if own in (None, "") else _printable(own if isinstance(own, (int, str))
                                                              and not isinstance(own, bool) else
                                                              str(own))
    if record_id is None:
        record_id = raw.line
    if checked.error is not None:
        return Item(seq, raw.line, _printable(record_id), raw=value, error=checked.error)
    return Item(seq, raw.line, record_id, text=checked.text, extra=checked.extra, raw=value)
