"""Every file format Plait reads or writes, in one place: one format table, one detector, one
pyarrow check, the readers (``plait run``, ``plait data import``, ``plait pretrain``/``distill`` text
sources) and the writers (``plait run``'s results and rejects).

Every reader yields one :class:`~plait.io.records.RawRecord` per input record, numbered as the user sees
the file (the physical line for line formats and CSV/TSV, the row for Parquet, the document for
``.spacy``), including the records that cannot be read (invalid UTF-8, malformed JSON, a row with the
wrong number of fields): those carry ``error`` and the offending ``raw`` text, so a caller can reject
them by name. Readers stream: memory stays bounded by one record (one row group for Parquet, one DocBin
file for ``.spacy``). Writers append to a binary file and report their byte position after ``flush``
(for ``--resume``).

Formats: ``text`` (one document per line), ``jsonl``, ``csv``, ``tsv``, ``parquet`` (pyarrow, the
``io`` extra), ``spacy`` (DocBin files) and ``tokens`` (one token per line, the tag in the last column,
blank lines and ``-DOCSTART-`` between sentences: CoNLL-2003, WNUT-17 and the like). ``plait run``
reads and writes :data:`RUN_FORMATS`.
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from plait.errors import DataError, Errors, PlaitTypeError
from plait.io.records import MAX_DEPTH, RawRecord, depth_over, has_surrogates
from plait.io.results import Result

FORMATS = ("text", "jsonl", "csv", "tsv", "parquet", "spacy", "tokens")
RUN_FORMATS = ("jsonl", "csv", "parquet", "text")  # what plait run reads and writes
LINE_FORMATS = ("jsonl", "text")  # one record per physical line
EXTENSIONS = {".txt": "text", ".text": "text", ".jsonl": "jsonl", ".ndjson": "jsonl",
              ".json": "jsonl", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet",
              ".pq": "parquet", ".spacy": "spacy", ".conll": "tokens", ".conllu": "tokens",
              ".iob": "tokens", ".iob1": "tokens", ".iob2": "tokens", ".bio": "tokens",
              ".bilou": "tokens", ".biluo": "tokens"}
#: Files a folder walk leaves out: the bookkeeping ``plait data import`` writes next to its shards.
BOOKKEEPING = ("meta.json", "rejects.jsonl")
MAX_RAW = 1000  # characters of an offending record kept in a reject
HEAD_COLUMNS = ["id", "line"]
TAIL_COLUMNS = ["truncated", "segments", "warnings", "extra"]

PathLike = Union[str, Path]
OnBytes = Optional[Callable[[int], None]]
Row = RawRecord  # the data importer's name for a record as read


def columns() -> List[str]:
    """The flat columns (CSV, Parquet): id, line, one per installed component output, then the
    bookkeeping fields."""
    from plait.runtime.outputs import installed_fields

    return HEAD_COLUMNS + list(installed_fields()) + TAIL_COLUMNS


def require_pyarrow() -> Any:
    """``pyarrow.parquet``, or the coded error saying how to install it."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(Errors.E103) from None
    return pq


@dataclass(frozen=True)
class Reject:
    """A record that was not imported: where it is, why, and (the start of) its text."""

    source: str
    line: Optional[int]
    reason: str
    text: str = ""
    kind: str = ""  # the reason's category (meta.json counts skipped records by it)

    def to_json(self) -> dict:
        return {"source": self.source, "line": self.line, "kind": self.kind or self.reason,
                "reason": self.reason, "text": self.text}

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}" + (f" ({clip(self.text, 80)!r})" if self.text else "")


def clip(text: Any, limit: int = MAX_RAW) -> str:
    if not isinstance(text, str):
        try:
            text = json.dumps(text, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(text)
    text = text.encode("utf8", "backslashreplace").decode("utf8")  # lone surrogates made visible
    return text if len(text) <= limit else text[:limit] + "…"


# -- format detection -------------------------------------------------------------------------------
_TAG = re.compile(r"^(?:O|[BIELUS]-\S+)$")


def looks_like_tokens(path: Path, probe: int = 50) -> bool:
    """True when the first non-blank lines are ``token ... TAG`` with IOB/BILUO tags."""
    seen = 0
    try:
        with path.open("rb") as f:
            for raw in f:
                line = raw.decode("utf8", "replace").strip()
                if not line or line.startswith("-DOCSTART-"):
                    continue
                cols = line.split()
                if len(cols) < 2 or not _TAG.match(cols[-1]):
                    return False
                seen += 1
                if seen >= probe:
                    break
    except OSError:
        return False
    return seen > 0


def detect_format(path: PathLike, fmt: Optional[str] = None, *, sniff_tokens: bool = False,
                  formats: Sequence[str] = FORMATS) -> str:
    """The format of ``path``: ``fmt`` if given, else from the extension (and, with ``sniff_tokens``,
    a ``.txt``/``.tsv``/``.csv`` file whose lines are ``token TAG`` is a token file). ``formats``: the
    ones the caller handles (``plait run``: :data:`RUN_FORMATS`)."""
    path = Path(path)
    if fmt:
        if fmt not in formats:
            raise DataError(Errors.E101.format(path=path, fmt=fmt, known=", ".join(formats)))
        return fmt
    found = EXTENSIONS.get(path.suffix.lower())
    if found is None and path.name.lower().startswith(("eng.", "deu.", "ned.", "esp.")):
        found = "tokens" if looks_like_tokens(path) else None  # CoNLL's own file names
    if found is None and sniff_tokens and looks_like_tokens(path):
        found = "tokens"
    if found in ("text", "tsv", "csv") and sniff_tokens and looks_like_tokens(path):
        found = "tokens"  # "token TAG" lines, whatever the file is called
    if found not in formats:
        option = "--input-format/--output-format" if tuple(formats) == RUN_FORMATS else "--format"
        raise DataError(Errors.E102.format(path=path, option=option, known=", ".join(formats)))
    return found


def expand(sources: Union[PathLike, List[PathLike]]) -> List[Path]:
    """Files named, and the files of folders named (sorted, recursive, hidden files and import
    bookkeeping left out). A missing path is an error."""
    items = [sources] if isinstance(sources, (str, Path)) else list(sources)
    out: List[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            out.extend(p for p in sorted(path.rglob("*")) if p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(path).parts)
                       and p.name not in BOOKKEEPING)
        elif path.is_file():
            out.append(path)
        else:
            raise DataError(Errors.E100.format(path=path))
    return out


# -- line readers -----------------------------------------------------------------------------------
def guess_encoding(data: bytes) -> str:
    """The encoding ``data`` most likely is in: ``utf-16`` (a byte-order mark), ``utf-8``,
    ``cp1252`` (Windows' and Excel's Western default), else ``latin-1`` (which decodes any bytes).
    ``data`` may be cut anywhere (a sample)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for enc in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(enc)().decode(data, final=False)
            return enc
        except UnicodeDecodeError:
            pass
    return "latin-1"


def file_encoding(path: Path, encoding: Optional[str] = None) -> str:
    """The encoding to read ``path`` with: ``encoding`` when given, else UTF-16 when the file starts
    with its byte-order mark (Excel's "Unicode Text"), else UTF-8 with an optional BOM (Excel's "CSV
    UTF-8")."""
    if encoding:
        return encoding
    with path.open("rb") as f:
        head = f.read(2)
    return "utf-16" if head in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


def bad_bytes(encoding: str, data: bytes, at: Optional[int] = None) -> str:
    """The reason for a record whose bytes are not ``encoding``: for UTF-8, with the encoding the
    bytes look like (``invalid UTF-8 at byte 6 (the bytes look like cp1252)``)."""
    where = f" at byte {at}" if at is not None else ""
    if not _is_utf8(encoding):
        return f"bytes that are not {encoding}{where}"
    guess = guess_encoding(data)
    return f"invalid UTF-8{where}" + (f" (the bytes look like {guess})" if guess != "utf-8" else "")


def _lines(path: Path, on_bytes: OnBytes,
           encoding: Optional[str] = None) -> Iterator[Tuple[int, str, Optional[str]]]:
    enc = encoding or "utf8"
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):
            if on_bytes is not None:
                on_bytes(len(line))
            line = line.rstrip(b"\n").rstrip(b"\r")
            if n == 1 and line.startswith(codecs.BOM_UTF8) and _is_utf8(enc):
                line = line[len(codecs.BOM_UTF8):]  # Notepad's and Excel's UTF-8 byte-order mark
            try:
                yield n, line.decode(enc), None
            except UnicodeDecodeError as exc:
                yield n, line.decode(enc, "backslashreplace"), bad_bytes(enc, line, exc.start)


def read_text(path: Path, on_bytes: OnBytes = None, encoding: Optional[str] = None) -> Iterator[Row]:
    src = str(path)
    for n, line, error in _lines(path, on_bytes, encoding):
        yield Row(source=src, line=n, error=error, raw=line) if error else Row(source=src, line=n, value=line)


def read_jsonl(path: Path, on_bytes: OnBytes = None, encoding: Optional[str] = None) -> Iterator[Row]:
    src = str(path)
    for n, line, error in _lines(path, on_bytes, encoding):
        if error:
            yield Row(source=src, line=n, error=error, raw=line)
        elif not line.strip():
            yield Row(source=src, line=n, error="empty line", raw=line)
        elif (depth := depth_over(line, MAX_DEPTH)) is not None:
            yield Row(source=src, line=n, raw=line, error=Errors.E230.format(
                where="The record", depth=depth, limit=MAX_DEPTH, option=""))
        else:
            try:
                yield Row(source=src, line=n, value=json.loads(line))
            except json.JSONDecodeError as exc:
                yield Row(source=src, line=n, error=f"malformed JSON: {exc.msg} at column {exc.colno}", raw=line)


TABLE_DELIMITERS = ",;\t|"  # what delimiter sniffing chooses from
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def splits_consistently(path: Path, encoding: str, delimiter: str, size: int = 1 << 16) -> bool:
    """Whether ``delimiter`` splits the sample's header into several fields and every sampled row
    into as many."""
    with path.open("rb") as f:
        data = f.read(size)
    cut = len(data) == size
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=not cut)
    if cut:
        text = text[:text.rfind("\n") + 1]
    try:
        rows = [r for r in itertools.islice(csv.reader(io.StringIO(text, newline=""),
                                                       delimiter=delimiter), 200) if r]
    except csv.Error:
        return False
    return len(rows) >= 1 and len(rows[0]) > 1 and all(len(r) == len(rows[0]) for r in rows)


def table_delimiter(path: Path, fmt: str = "csv", delimiter: Optional[str] = None,
                    encoding: Optional[str] = None) -> str:
    """The delimiter of a CSV/TSV file: ``delimiter`` when given (``tab``/``\\t`` name a tab), else
    the format's own (``,`` or a tab) when it splits the first records consistently, else what
    :class:`csv.Sniffer` finds among ``, ; tab |`` (Excel writes ``;`` where the decimal mark is a
    comma), when that splits them consistently."""
    if delimiter:
        delimiter = _DELIMITER_NAMES.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise DataError(Errors.E125.format(value=delimiter))
        return delimiter
    default = "\t" if fmt == "tsv" else ","
    enc = file_encoding(path, encoding)
    if splits_consistently(path, enc, default):
        return default
    with path.open("rb") as f:
        sample = codecs.getincrementaldecoder(enc)(errors="replace").decode(f.read(1 << 16))
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=TABLE_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed and sniffed != default and splits_consistently(path, enc, sniffed):
        return sniffed
    return default


def read_table(path: Path, on_bytes: OnBytes = None, *, delimiter: Optional[str] = None,
               encoding: Optional[str] = None, fmt: str = "csv") -> Iterator[Row]:
    """CSV/TSV with a header row; each record numbered by the physical line it starts on. The
    delimiter and encoding are :func:`table_delimiter`'s and :func:`file_encoding`'s (a UTF-8
    byte-order mark is dropped)."""
    src = str(path)
    delimiter = table_delimiter(path, fmt, delimiter, encoding)
    enc = file_encoding(path, encoding)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=enc, errors="surrogateescape", newline="")
        reader = csv.reader(text, delimiter=delimiter)
        last_pos = 0

        def progress() -> None:
            nonlocal last_pos
            if on_bytes is not None:
                pos = raw.tell()
                on_bytes(pos - last_pos)
                last_pos = pos

        def undecodable(cells: List[str]) -> str:
            return bad_bytes(enc, delimiter.join(cells).encode("utf8", "surrogateescape"))

        try:
            header = next(reader, None)
        except csv.Error as exc:
            yield Row(source=src, line=1, error=f"malformed header: {exc}")
            return
        if not header:
            return
        if has_surrogates(header):
            yield Row(source=src, line=1, error=undecodable(header) + " in the header",
                      raw=clip(delimiter.join(header)))
            return
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield Row(source=src, line=start, error=f"malformed row: {exc}")
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            progress()
            if not row or row == [""]:
                yield Row(source=src, line=line, error="empty line")
            elif has_surrogates(row):
                yield Row(source=src, line=line, error=undecodable(row),
                          raw=clip(delimiter.join(row)))
            elif len(row) != len(header):
                yield Row(source=src, line=line, error=f"row has {len(row)} fields, the header has {len(header)}",
                          raw=delimiter.join(row))
            else:
                yield Row(source=src, line=line, value=dict(zip(header, row)))
        progress()


def read_parquet(path: Path, on_bytes: OnBytes = None, *, skip: int = 0) -> Iterator[Row]:
    """Parquet rows, numbered from 1; the first ``skip`` are passed over a row group at a time."""
    pq = require_pyarrow()
    src = str(path)
    pf = pq.ParquetFile(path)
    size = path.stat().st_size
    total = max(pf.metadata.num_rows, 1)
    n = done = 0
    for batch in pf.iter_batches(batch_size=1024):
        if n + batch.num_rows <= skip:
            n += batch.num_rows
            continue
        for row in batch.to_pylist():
            n += 1
            if n > skip:
                yield Row(source=src, line=n, value=row)
        if on_bytes is not None:
            now = size * n // total
            on_bytes(now - done)
            done = now


def read_docbin(path: Path, on_bytes: OnBytes = None, vocab: Any = None,
                user_data: bool = True) -> Iterator[Row]:
    """The docs of one ``.spacy`` file, numbered from 1 (a DocBin is read whole: keep shards small).
    ``user_data=False`` skips unpacking each doc's user data (faster when only the text is needed)."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    src = str(path)
    try:
        db = DocBin(store_user_data=user_data).from_disk(path)
    except Exception as exc:  # noqa: BLE001 - msgpack/zlib/attribute errors: the file is not a DocBin
        yield Row(source=src, line=1, error=f"not a readable .spacy DocBin: {exc}")
        return
    if on_bytes is not None:
        on_bytes(path.stat().st_size)
    for n, doc in enumerate(db.get_docs(vocab if vocab is not None else Vocab()), 1):
        yield Row(source=src, line=n, value=doc)


@dataclass
class Sentence:
    """One sentence of a token file: words, tags, and the line of each token."""

    words: List[str] = field(default_factory=list)
    tags: List[str] = field(default_factory=list)
    lines: List[int] = field(default_factory=list)


def read_tokens(path: Path, on_bytes: OnBytes = None, *, sentences_per_doc: int = 1,
                tag_column: int = -1) -> Iterator[Row]:
    """Token-per-line files. A record is ``sentences_per_doc`` sentences (never across a
    ``-DOCSTART-``), numbered by the line of its first token; its value is a list of
    :class:`Sentence`. A malformed line rejects the sentence it is in, naming the line."""
    src = str(path)
    group: List[Sentence] = []
    sent = Sentence()
    bad: Optional[Tuple[int, str, str]] = None  # (line, reason, raw) of the sentence's first bad line

    def close_sentence() -> Iterator[Row]:
        nonlocal sent, bad, group
        if bad is not None:
            yield Row(source=src, line=bad[0], error=bad[1], raw=bad[2])
        elif sent.words:
            group.append(sent)
            if len(group) >= sentences_per_doc:
                yield Row(source=src, line=group[0].lines[0], value=group)
                group = []
        sent, bad = Sentence(), None

    def close_group() -> Iterator[Row]:
        nonlocal group
        if group:
            yield Row(source=src, line=group[0].lines[0], value=group)
            group = []

    for n, line, error in _lines(path, on_bytes):
        if error:
            bad = bad or (n, error, line)
            continue
        text = line.strip()
        if not text or text.startswith("-DOCSTART-"):
            yield from close_sentence()
            if text.startswith("-DOCSTART-"):
                yield from close_group()
            continue
        cols = text.split("\t") if "\t" in text else text.split()
        cols = [c.strip() for c in cols if c.strip()]
        if len(cols) < 2:
            bad = bad or (n, "expected a token and a tag column", line)
            continue
        try:
            tag = cols[tag_column]
        except IndexError:
            bad = bad or (n, f"no column {tag_column}", line)
            continue
        sent.words.append(cols[0])
        sent.tags.append(tag)
        sent.lines.append(n)
    yield from close_sentence()
    yield from close_group()


def read_rows(path: PathLike, fmt: str, on_bytes: OnBytes = None, **options: Any) -> Iterator[Row]:
    """The rows of one file in format ``fmt`` (see :data:`FORMATS`)."""
    path = Path(path)
    encoding = options.get("encoding")
    if fmt == "text":
        return read_text(path, on_bytes, encoding)
    if fmt == "jsonl":
        return read_jsonl(path, on_bytes, encoding)
    if fmt in ("csv", "tsv"):
        return read_table(path, on_bytes, delimiter=options.get("delimiter"), encoding=encoding,
                          fmt=fmt)
    if fmt == "parquet":
        return read_parquet(path, on_bytes)
    if fmt == "spacy":
        return read_docbin(path, on_bytes, vocab=options.get("vocab"),
                           user_data=options.get("user_data", True))
    if fmt == "tokens":
        return read_tokens(path, on_bytes, sentences_per_doc=options.get("sentences_per_doc", 1),
                           tag_column=options.get("tag_column", -1))
    raise DataError(Errors.E101.format(path=path, fmt=fmt, known=", ".join(FORMATS)))

def read_records(path: PathLike, fmt: str, skip: int = 0, **options: Any) -> Iterator[RawRecord]:
    """The records of one file after the first ``skip`` (``plait run --resume``)."""
    if fmt == "parquet":
        return read_parquet(Path(path), skip=skip)
    rows = read_rows(path, fmt, **options)
    return itertools.islice(rows, skip, None) if skip else rows


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
        return require_pyarrow().ParquetFile(path).metadata.num_rows
    delimiter = table_delimiter(path, fmt)
    with path.open("r", encoding=file_encoding(path), errors="surrogateescape", newline="") as f:
        return max(sum(1 for _ in csv.reader(f, delimiter=delimiter)) - 1, 0)


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
        pq = require_pyarrow()
        import pyarrow as pa

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
