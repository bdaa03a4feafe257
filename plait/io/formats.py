"""Readers and writers: JSONL, CSV, Parquet (pyarrow, the ``io`` extra) and plain text.

Readers yield one :class:`RawRecord` per input record, numbered from 1, including the records that
cannot be read (malformed JSON, invalid UTF-8), so every record is either written or rejected.
Writers append to a binary file and report their byte position after ``flush`` (for ``--resume``).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, BinaryIO, Dict, Iterator, List, Optional

from plait.errors import PlaitError
from plait.io.results import Result
from plait.io.records import RawRecord
from plait.errors import Errors, PlaitTypeError

FORMATS = ("jsonl", "csv", "parquet", "text")
LINE_FORMATS = ("jsonl", "text")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
               ".parquet": "parquet", ".pq": "parquet", ".txt": "text", ".text": "text"}
HEAD_COLUMNS = ["id", "line"]
TAIL_COLUMNS = ["truncated", "segments", "warnings", "extra"]


def columns() -> List[str]:
    """The flat columns (CSV, Parquet): id, line, one per installed component output, then the
    bookkeeping fields."""
    from plait.runtime.outputs import installed_fields

    return HEAD_COLUMNS + list(installed_fields()) + TAIL_COLUMNS


class FormatError(PlaitError, ValueError):
    pass


def detect_format(path: Path, explicit: Optional[str] = None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise FormatError(Errors.E082.format(explicit=explicit, join=', '.join(FORMATS)))
        return explicit
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise FormatError(Errors.E083.format(path=path, join=', '.join(FORMATS)))
    return fmt


def require_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise PlaitError(Errors.E084) from None
    return pyarrow


# -- readers ---------------------------------------------------------------------------------------
def _lines(path: Path, skip: int) -> Iterator[tuple]:
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):
            if n <= skip:
                continue
            line = line.rstrip(b"\n").rstrip(b"\r")
            try:
                yield n, line.decode("utf8"), None
            except UnicodeDecodeError as exc:
                yield n, line.decode("utf8", "backslashreplace"), f"invalid UTF-8 at byte {exc.start}"


def read_jsonl(path: Path, skip: int = 0) -> Iterator[RawRecord]:
    for n, line, error in _lines(path, skip):
        if error:
            yield RawRecord(n, error=error, raw=line)
        elif not line.strip():
            yield RawRecord(n, error="empty line", raw=line)
        else:
            try:
                yield RawRecord(n, value=json.loads(line))
            except json.JSONDecodeError as exc:
                yield RawRecord(n, error=f"malformed JSON: {exc.msg} at column {exc.colno}", raw=line)


def read_text(path: Path, skip: int = 0) -> Iterator[RawRecord]:
    for n, line, error in _lines(path, skip):
        yield RawRecord(n, error=error, raw=line) if error else RawRecord(n, value=line)


def read_csv(path: Path, skip: int = 0) -> Iterator[RawRecord]:
    # surrogateescape keeps undecodable bytes visible, so the record is rejected, not the file
    with path.open("r", encoding="utf8", errors="surrogateescape", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None) or []
        for n, row in enumerate(reader, 1):
            if n <= skip:
                continue
            if len(row) != len(header):
                yield RawRecord(n, error=f"row has {len(row)} fields, the header has {len(header)}",
                                raw=",".join(row).encode("utf8", "surrogateescape")
                                .decode("utf8", "backslashreplace"))
            else:
                yield RawRecord(n, value=dict(zip(header, row)))


def read_parquet(path: Path, skip: int = 0) -> Iterator[RawRecord]:
    require_pyarrow()
    import pyarrow.parquet as pq

    n = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
        if n + batch.num_rows <= skip:
            n += batch.num_rows
            continue
        for row in batch.to_pylist():
            n += 1
            if n > skip:
                yield RawRecord(n, value=row)


READERS = {"jsonl": read_jsonl, "text": read_text, "csv": read_csv, "parquet": read_parquet}


def read_records(path: Path, fmt: str, skip: int = 0) -> Iterator[RawRecord]:
    return READERS[fmt](path, skip)


def count_records(path: Path, fmt: str) -> int:
    """How many records the input holds (for the progress bar's ETA)."""
    if fmt in LINE_FORMATS:
        n, last = 0, b"\n"
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                n += chunk.count(b"\n")
                last = chunk[-1:]
        return n + (last != b"\n")
    if fmt == "parquet":
        require_pyarrow()
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    with path.open("r", encoding="utf8", errors="surrogateescape", newline="") as f:
        return max(sum(1 for _ in csv.reader(f)) - 1, 0)


# -- writers ---------------------------------------------------------------------------------------
def _dump(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def flat_row(result: Result, cols: Optional[List[str]] = None) -> Dict[str, Any]:
    """A result as flat columns (CSV, Parquet): strings as they are, other values as JSON."""
    d = result.model_dump(mode="json")
    row: Dict[str, Any] = {}
    for col in cols or columns():
        value = d.get(col)
        if col == "id":
            row[col] = None if value is None else str(value)
        elif col in ("line", "truncated", "segments") or isinstance(value, str):
            row[col] = value
        else:
            row[col] = _dump(value)
    return row


def text_line(result: Result) -> str:
    """id, then a short form of each output (spans as text/label, scores as the top label, ...);
    tab-separated, one line."""
    from plait.runtime.outputs import brief, field_views

    outputs = result.outputs
    views = field_views(outputs)
    cols = [str(result.id)] + [brief(value, views[field]) for field, value in outputs.items()]
    return "\t".join(" ".join(c.split()) for c in cols)


class Writer:
    """Appends records to ``f``; subclasses format them."""

    resumable = True

    def __init__(self, f: BinaryIO) -> None:
        self.f = f

    def write(self, result: Result) -> None:
        raise NotImplementedError

    def flush(self) -> int:
        self.f.flush()
        return self.f.tell()

    def close(self) -> None:
        self.f.close()


class JsonlWriter(Writer):
    def write(self, result: Result) -> None:
        self.f.write(result.model_dump_json().encode("utf8") + b"\n")


class TextWriter(Writer):
    def write(self, result: Result) -> None:
        self.f.write(text_line(result).encode("utf8") + b"\n")


class CsvWriter(Writer):
    def __init__(self, f: BinaryIO) -> None:
        super().__init__(f)
        self._buf = io.StringIO()
        self._columns = columns()
        self._csv = csv.DictWriter(self._buf, fieldnames=self._columns, lineterminator="\n")
        if f.tell() == 0:
            self._csv.writeheader()

    def write(self, result: Result) -> None:
        self._csv.writerow(flat_row(result, self._columns))
        self.f.write(self._buf.getvalue().encode("utf8"))
        self._buf.seek(0)
        self._buf.truncate()


class ParquetWriter(Writer):
    """One row group per flush. A Parquet file is only readable once closed: not resumable."""

    resumable = False

    def __init__(self, f: BinaryIO) -> None:
        super().__init__(f)
        pa = require_pyarrow()
        import pyarrow.parquet as pq

        self._pa = pa
        self._columns = columns()
        self._schema = pa.schema([(c, pa.int64() if c in ("line", "segments") else
                                   pa.bool_() if c == "truncated" else pa.string())
                                  for c in self._columns])
        self._writer = pq.ParquetWriter(f, self._schema)
        self._rows: List[Dict[str, Any]] = []

    def write(self, result: Result) -> None:
        self._rows.append(flat_row(result, self._columns))

    def flush(self) -> int:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []
        return super().flush()

    def close(self) -> None:
        self.flush()
        self._writer.close()
        self.f.close()


WRITERS = {"jsonl": JsonlWriter, "text": TextWriter, "csv": CsvWriter, "parquet": ParquetWriter}


def open_writer(path: Path, fmt: str, *, append: bool) -> Writer:
    cls = WRITERS[fmt]
    if fmt == "parquet":
        require_pyarrow()
    path.parent.mkdir(parents=True, exist_ok=True)
    return cls(path.open("ab" if append else "wb"))


class RejectsWriter(Writer):
    """One JSON line per rejected record: line number, id, reason and the record as read."""

    def write(self, result: Result) -> None:  # type: ignore[override]
        raise PlaitTypeError(Errors.E085)

    def reject(self, line: Optional[int], record_id: Any, reason: str, record: Any) -> None:
        row = {"line": line, "id": record_id, "reason": reason, "record": record}
        self.f.write(json.dumps(row, ensure_ascii=False, default=str).encode("utf8", "backslashreplace")
                     + b"\n")
