"""Input records: what a reader yields, and the check that turns one into a text to process."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Union

RecordId = Union[int, str]


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


def _plain_id(value: Any) -> Optional[RecordId]:
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return str(value)


def to_item(raw: RawRecord, seq: int, *, text_field: str = "text",
            id_field: Optional[str] = "id") -> Item:
    """Check one record. A bad one becomes an :class:`Item` with ``error`` set, never an exception."""
    if raw.error is not None:
        return Item(seq, raw.line, None, error=raw.error, raw=raw.raw)
    value = raw.value
    if not isinstance(value, (str, dict)):
        return Item(seq, raw.line, raw.line, raw=value,
                    error=f"record is a {type(value).__name__}, expected an object or a string")
    record_id: Optional[RecordId] = raw.line
    if isinstance(value, dict) and id_field:
        record_id = _plain_id(value.get(id_field))
        if record_id is None or record_id == "":
            record_id = raw.line
    if has_surrogates(value):
        if isinstance(record_id, str):  # keep the id printable: undecodable bytes as \\xNN
            record_id = record_id.encode("utf8", "backslashreplace").decode("utf8")
        return Item(seq, raw.line, record_id, raw=value, error="invalid UTF-8")
    if isinstance(value, str):
        text: Any = value
        extra: Dict[str, Any] = {}
    else:
        if text_field not in value:
            return Item(seq, raw.line, record_id, error=f"missing text field '{text_field}'",
                        raw=value)
        text = value[text_field]
        extra = {k: v for k, v in value.items() if k != text_field and k != id_field}
    if not isinstance(text, str):
        return Item(seq, raw.line, record_id, raw=value,
                    error=f"text field '{text_field}' is {type(text).__name__}, not a string")
    if not text.strip():
        return Item(seq, raw.line, record_id, raw=value, error="empty or whitespace-only text")
    return Item(seq, raw.line, record_id, text=text, extra=extra, raw=value)
