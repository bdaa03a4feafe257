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
blank lines and ``-DOCSTART-`` between sentences: CoNLL-2003, WNUT-17 and the like); and what
spreadsheets and annotation tools export: ``json`` (an array of records: Label Studio's JSON-MIN),
``xlsx`` (openpyxl, the ``io`` extra), ``prodigy``, ``labelstudio``, ``brat``, ``conllu`` and
``spacy-json`` (spaCy's v2 training JSON), whose records are :class:`Annotated`. ``plait run``
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
from plait.io.results import Result, columns  # noqa: F401 (columns: the flat writers' header)

FORMATS = ("text", "jsonl", "csv", "tsv", "parquet", "spacy", "tokens", "json", "xlsx", "prodigy",
           "labelstudio", "brat", "conllu", "spacy-json")
RUN_FORMATS = ("jsonl", "csv", "parquet", "text")  # what plait run reads and writes
LINE_FORMATS = ("jsonl", "text")  # one record per physical line
EXTENSIONS = {".txt": "text", ".text": "text", ".jsonl": "jsonl", ".ndjson": "jsonl",
              ".json": "jsonl", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet",
              ".pq": "parquet", ".spacy": "spacy", ".conll": "tokens", ".conllu": "conllu",
              ".xlsx": "xlsx", ".xlsm": "xlsx", ".ann": "brat",
              ".iob": "tokens", ".iob1": "tokens", ".iob2": "tokens", ".bio": "tokens",
              ".bilou": "tokens", ".biluo": "tokens"}
#: Files a folder walk leaves out: the bookkeeping ``plait data import`` writes next to its shards.
BOOKKEEPING = ("meta.json", "rejects.jsonl")
#: ... and the configuration files of a BRAT folder.
BRAT_CONFIG = ("annotation.conf", "visual.conf", "tools.conf", "kb_shortcuts.conf")
MAX_RAW = 1000  # characters of an offending record kept in a reject

PathLike = Union[str, Path]
OnBytes = Optional[Callable[[int], None]]
Row = RawRecord  # the data importer's name for a record as read


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


def detect_format(path: PathLike, fmt: Optional[str] = None, *, sniff: bool = False,
                  formats: Sequence[str] = FORMATS) -> str:
    """The format of ``path``: ``fmt`` if given, else from the extension. With ``sniff`` (``plait data
    import``), from the content too: a ``.txt``/``.tsv``/``.csv`` file whose lines are ``token TAG``
    is a token file, a ``.json``/``.jsonl`` file holding a JSON array is Label Studio's export,
    spaCy's v2 JSON or plain ``json``, and JSONL with Prodigy's answers is ``prodigy``. ``formats``:
    the ones the caller handles (``plait run``: :data:`RUN_FORMATS`)."""
    path = Path(path)
    if fmt:
        if fmt not in formats:
            raise DataError(Errors.E101.format(path=path, fmt=fmt, known=", ".join(formats)))
        return fmt
    found = EXTENSIONS.get(path.suffix.lower())
    if found is None and path.name.lower().startswith(("eng.", "deu.", "ned.", "esp.")):
        found = "tokens" if looks_like_tokens(path) else None  # CoNLL's own file names
    if found is None and sniff and looks_like_tokens(path):
        found = "tokens"
    if found in ("text", "tsv", "csv") and sniff and looks_like_tokens(path):
        found = "tokens"  # "token TAG" lines, whatever the file is called
    if found == "jsonl" and sniff:
        found = sniff_json(path) or ("prodigy" if looks_like_prodigy(path) else "jsonl")
    if found not in formats:
        option = "--input-format/--output-format" if tuple(formats) == RUN_FORMATS else "--format"
        raise DataError(Errors.E102.format(path=path, option=option, known=", ".join(formats)))
    return found


def expand(sources: Union[PathLike, List[PathLike]]) -> List[Path]:
    """Files named, and the files of folders named (sorted, recursive, hidden files and import
    bookkeeping left out; a ``.txt`` beside a ``.ann`` is the text of that BRAT document, read with
    it). A missing path is an error."""
    items = [sources] if isinstance(sources, (str, Path)) else list(sources)
    out: List[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            out.extend(p for p in sorted(path.rglob("*")) if p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(path).parts)
                       and p.name not in BOOKKEEPING and p.name not in BRAT_CONFIG
                       and not (p.suffix == ".txt" and p.with_suffix(".ann").is_file()))
        elif path.is_file():
            out.append(path)
        else:
            raise DataError(Errors.E100.format(path=path))
    return out


# -- line readers -----------------------------------------------------------------------------------
def guess_encoding(data: bytes, cut: bool = False) -> str:
    """The encoding ``data`` most likely is in: ``utf-16`` (a byte-order mark), ``utf-8``,
    ``cp1252`` (Windows' and Excel's Western default), else ``latin-1`` (which decodes any bytes).
    ``cut``: ``data`` is the start of a file, cut anywhere."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for enc in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(enc)().decode(data, final=not cut)
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


# -- annotation tools' and spreadsheets' exports ----------------------------------------------------
@dataclass
class Annotated:
    """A record of an annotation tool's export (Prodigy, Label Studio, BRAT, CoNLL-U, spaCy's v2
    JSON), read into the importer's shapes: each reader knows its tool's fields, and the importer
    checks the values as it checks any record's (``plait.data.rows``)."""

    text: Optional[str] = None
    words: Optional[List[str]] = None
    spaces: Optional[List[bool]] = None
    sent_starts: Optional[List[bool]] = None
    spans: Optional[List[Any]] = None  # character offsets: {start, end, label} objects or triples
    token_spans: Optional[List[Any]] = None  # (start, end, label) in tokens, end exclusive
    tags: Optional[List[str]] = None  # one IOB/BILUO tag per word
    scheme: Optional[str] = None  # the tags' scheme where the format fixes it
    labels: Any = None  # a label, a list of labels or a {label: 0/1} mapping
    target: Optional[str] = None
    answer: Optional[str] = None  # why this record is no gold (Prodigy's reject/ignore, ...); None: gold
    fields: Optional[List[str]] = None  # the fields the record had (for messages)

    @property
    def any_text(self) -> Optional[str]:
        if isinstance(self.text, str):
            return self.text
        if self.words:
            return "".join(w + (" " if s else "") for w, s in
                           zip(self.words, self.spaces or [True] * len(self.words))).rstrip()
        return None


PRODIGY_ANSWERS = ("accept", "reject", "ignore")


def prodigy_task(task: Any) -> Union[Annotated, str]:
    """A Prodigy task (``db-out``'s JSONL): ``answer`` (accept is gold; reject and ignore are not),
    ``text``, ``tokens`` and ``spans`` (with ``token_start``/``token_end``, inclusive, when the task
    has tokens), ``accept`` (the choice interface's selected options) or ``label`` (a binary
    classification), or why it is not one."""
    if not isinstance(task, dict):
        return f"record is a {type(task).__name__}, expected a Prodigy task object"
    answer = task.get("answer")
    if answer is not None and answer not in PRODIGY_ANSWERS:
        return f"answer {clip(answer, 40)} is not accept, reject or ignore"
    rec = Annotated(text=task.get("text"), fields=[str(k) for k in task],
                    answer=None if answer in (None, "accept") else answer)
    tokens, spans = task.get("tokens"), task.get("spans")
    by_token = (isinstance(tokens, list) and bool(tokens) and isinstance(spans, list) and bool(spans)
                and all(isinstance(s, dict) and isinstance(s.get("token_start"), int)
                        and isinstance(s.get("token_end"), int) for s in spans))
    if by_token or (rec.text is None and isinstance(tokens, list) and tokens):
        words, spaces = [], []
        for tok in tokens:
            if not (isinstance(tok, dict) and isinstance(tok.get("text"), str) and tok["text"]):
                return f"token {clip(tok, 40)} is not a {{text, ws}} object"
            words.append(tok["text"])
            spaces.append(bool(tok.get("ws", True)))
        rec.words, rec.spaces = words, spaces
    if by_token:  # Prodigy's token_end is the last token of the span
        rec.token_spans = [(s["token_start"], s["token_end"] + 1, s.get("label")) for s in spans]
    elif isinstance(spans, list):
        rec.spans = spans
    elif spans is not None:
        return f"spans must be a list, not a {type(spans).__name__}"
    if isinstance(task.get("accept"), list):
        rec.labels = task["accept"]  # choice: the options selected
    elif task.get("label") is not None:
        rec.labels = task["label"]  # binary classification: this label, accepted
    return rec


def labelstudio_task(task: Any, text_field: Optional[str] = None) -> Union[Annotated, str]:
    """A task of Label Studio's JSON export: ``data`` (the text in ``data.text``, or
    ``text_field``, or its one string), and the first annotation not cancelled: its ``result``'s
    ``labels`` regions (character spans), ``choices`` (labels) and ``textarea`` texts (a target). A
    task with no annotation, or only cancelled (skipped) ones, is no gold."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        return "a Label Studio task is an object with 'data' and 'annotations'"
    data = task["data"]
    name = text_field or "text"
    text = data.get(name)
    strings = [k for k, v in data.items() if isinstance(v, str)]
    if text is None and text_field is None and len(strings) == 1:
        text = data[strings[0]]
    rec = Annotated(text=text, fields=[str(k) for k in data])
    annotations = task.get("annotations", task.get("completions")) or []
    if not isinstance(annotations, list):
        return f"'annotations' is a {type(annotations).__name__}, not a list"
    done = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")]
    if not done:
        rec.answer = "cancelled" if annotations else "unannotated"
        return rec
    result = done[0].get("result") or []
    spans: List[Any] = []
    choices: Optional[List[Any]] = None
    texts: List[str] = []
    for item in result if isinstance(result, list) else []:
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, dict):
            continue
        if isinstance(value.get("labels"), list) and "start" in value:
            spans.extend({"start": value.get("start"), "end": value.get("end"), "label": label}
                         for label in value["labels"])
        elif isinstance(value.get("choices"), list):
            choices = (choices or []) + value["choices"]
        elif isinstance(value.get("text"), list) and item.get("type") == "textarea":
            texts.extend(str(t) for t in value["text"])
    rec.spans, rec.labels = spans, choices
    rec.target = "\n".join(texts) if texts else None
    return rec


def _json_items(path: Path, on_bytes: OnBytes,
                encoding: Optional[str] = None) -> Iterator[Tuple[int, Any, Optional[str]]]:
    """(line, value, error) for each element of a JSON array file (a file holding one object is
    one element), numbered by the line it starts on. A JSON file is read whole: keep it to a few
    hundred MB (or export JSONL)."""
    data = path.read_bytes()
    if on_bytes is not None:
        on_bytes(len(data))
    enc = file_encoding(path, encoding)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        yield data.count(b"\n", 0, exc.start) + 1, None, bad_bytes(enc, data, exc.start)
        return
    if (depth := depth_over(text, MAX_DEPTH + 2)) is not None:
        yield 1, None, Errors.E230.format(where="The file", depth=depth, limit=MAX_DEPTH + 2, option="")
        return
    decoder = json.JSONDecoder()
    pos, line, counted = 0, 1, 0

    def skip(p: int) -> int:
        while p < len(text) and text[p] in " \t\r\n":
            p += 1
        return p

    def line_at(p: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, p)
        counted = p
        return line

    pos = skip(pos)
    if pos < len(text) and text[pos] == "{":
        try:
            yield line_at(pos), decoder.raw_decode(text, pos)[0], None
        except json.JSONDecodeError as exc:
            yield line_at(exc.pos), None, f"malformed JSON: {exc.msg}"
        return
    if pos >= len(text) or text[pos] != "[":
        yield line_at(pos), None, "not a JSON array or object"
        return
    pos = skip(pos + 1)
    if pos < len(text) and text[pos] == "]":
        return
    while True:
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield line_at(exc.pos), None, f"malformed JSON: {exc.msg} (the rest of the file is unread)"
            return
        yield line_at(pos), value, None
        pos = skip(end)
        if pos < len(text) and text[pos] == ",":
            pos = skip(pos + 1)
        elif pos < len(text) and text[pos] == "]":
            return
        else:
            yield line_at(pos), None, "malformed JSON: expected ',' or ']' (the rest of the file is unread)"
            return


def read_json(path: Path, on_bytes: OnBytes = None, encoding: Optional[str] = None) -> Iterator[Row]:
    """A JSON array of records (objects like a JSONL file's lines: Label Studio's JSON-MIN)."""
    src = str(path)
    for n, value, error in _json_items(path, on_bytes, encoding):
        yield Row(source=src, line=n, error=error) if error else Row(source=src, line=n, value=value)


def _annotated_rows(src: str, items: Iterator[Tuple[int, Any, Optional[str]]],
                    convert: Callable[[Any], Union[Annotated, str]]) -> Iterator[Row]:
    for n, value, error in items:
        if error:
            yield Row(source=src, line=n, error=error)
            continue
        got = convert(value)
        if isinstance(got, str):
            yield Row(source=src, line=n, error=got, raw=clip(value))
        else:
            yield Row(source=src, line=n, value=got)


def read_prodigy(path: Path, on_bytes: OnBytes = None, encoding: Optional[str] = None) -> Iterator[Row]:
    """Prodigy's JSONL (``prodigy db-out``): one :class:`Annotated` per task (see :func:`prodigy_task`)."""
    for row in read_jsonl(path, on_bytes, encoding):
        if row.error is not None:
            yield row
            continue
        got = prodigy_task(row.value)
        yield (Row(source=row.source, line=row.line, error=got, raw=clip(row.value))
               if isinstance(got, str) else Row(source=row.source, line=row.line, value=got))


def read_labelstudio(path: Path, on_bytes: OnBytes = None, encoding: Optional[str] = None,
                     text_field: Optional[str] = None) -> Iterator[Row]:
    """Label Studio's JSON export: one :class:`Annotated` per task (see :func:`labelstudio_task`)."""
    return _annotated_rows(str(path), _json_items(path, on_bytes, encoding),
                           lambda task: labelstudio_task(task, text_field))


# the fields of spaCy's v2 JSON that hold a token's entity tag and a paragraph's classes: the file
# format's own names (tests/test_no_task_names.py allows them here)
SPACY_JSON_TAG, SPACY_JSON_CLASSES = "ner", "cats"


def spacy_json_paragraphs(doc: Any) -> Iterator[Union[Annotated, str]]:
    """The paragraphs of one doc of spaCy's v2 training JSON (``spacy convert`` before v3): each is
    a record, its tokens' ``orth`` the words (spaces from ``raw`` when given), their ``ner`` BILUO
    tags (``-``, missing, counts as O; a paragraph with only ``-`` has no spans) and its ``cats``."""
    if not isinstance(doc, dict) or not isinstance(doc.get("paragraphs"), list):
        yield "a spaCy JSON doc is an object with 'paragraphs'"
        return
    for para in doc["paragraphs"]:
        if not isinstance(para, dict):
            yield "a paragraph is an object with 'sentences'"
            continue
        words: List[str] = []
        tags: List[str] = []
        starts: List[bool] = []
        for sent in para.get("sentences") or []:
            for i, tok in enumerate(sent.get("tokens") or [] if isinstance(sent, dict) else []):
                if not isinstance(tok, dict) or not isinstance(tok.get("orth"), str) or not tok["orth"]:
                    yield f"token {clip(tok, 40)} has no 'orth'"
                    break
                words.append(tok["orth"])
                tags.append(str(tok.get(SPACY_JSON_TAG) or "-"))
                starts.append(i == 0)
            else:
                continue
            break
        else:
            raw = para.get("raw")
            spaces = [True] * len(words)
            if isinstance(raw, str):
                at = 0
                for i, word in enumerate(words):
                    found = raw.find(word, at)
                    if found < 0:
                        break
                    at = found + len(word)
                    spaces[i] = raw[at:at + 1].isspace()
            if spaces:
                spaces[-1] = False
            classes = para.get(SPACY_JSON_CLASSES)
            labels = ({c["label"]: c.get("value", 1.0) for c in classes
                       if isinstance(c, dict) and "label" in c}
                      if isinstance(classes, list) and classes else None)
            yield Annotated(words=words, spaces=spaces, sent_starts=starts, labels=labels,
                            tags=None if all(t == "-" for t in tags) else
                            [("O" if t == "-" else t) for t in tags], scheme="biluo",
                            fields=[str(k) for k in para])


def read_spacy_json(path: Path, on_bytes: OnBytes = None, encoding: Optional[str] = None) -> Iterator[Row]:
    """spaCy's v2 training JSON: one record per paragraph, numbered by the line its doc starts on."""
    src = str(path)
    for n, value, error in _json_items(path, on_bytes, encoding):
        if error:
            yield Row(source=src, line=n, error=error)
            continue
        for got in spacy_json_paragraphs(value):
            yield (Row(source=src, line=n, error=got, raw=clip(value)) if isinstance(got, str)
                   else Row(source=src, line=n, value=got))


def read_brat(path: Path, on_bytes: OnBytes = None, encoding: Optional[str] = None) -> Iterator[Row]:
    """A BRAT standoff document: the ``.ann`` file named and the ``.txt`` beside it, one record
    (numbered 1; a bad annotation line rejects it, numbered by that line). Text-bound annotations
    (``T1<tab>TYPE START END<tab>text``) are its spans; relations, events, attributes and notes are
    not read. A discontinuous span (``0 5;9 14``) or one whose text is not the text at its offsets
    rejects the document."""
    src = str(path)
    txt = path.with_suffix(".txt")
    if not txt.is_file():
        yield Row(source=src, line=1, error=f"no {txt.name} beside this .ann file")
        return
    data = txt.read_bytes()
    enc = file_encoding(txt, encoding)
    try:
        text = data.decode(enc)  # offsets count the characters as stored: no newline translation
    except UnicodeDecodeError as exc:
        yield Row(source=src, line=1, error=f"{txt.name}: {bad_bytes(enc, data, exc.start)}")
        return
    spans: List[Dict[str, Any]] = []
    for n, line, error in _lines(path, on_bytes, encoding):
        if error:
            yield Row(source=src, line=n, error=error, raw=line)
            return
        if not line.startswith("T"):
            continue
        parts = line.split("\t")
        head = parts[1].split(" ") if len(parts) >= 2 else []
        if len(head) < 3:
            yield Row(source=src, line=n, raw=line,
                      error="a text-bound annotation is 'ID<tab>TYPE START END<tab>TEXT'")
            return
        if ";" in parts[1]:
            yield Row(source=src, line=n, raw=line, error=(
                f"{parts[0]} is discontinuous ({' '.join(head[1:])}): a span is one stretch of text"))
            return
        try:
            start, end = int(head[1]), int(head[2])
        except ValueError:
            yield Row(source=src, line=n, raw=line, error=f"{parts[0]}: offsets {head[1]} {head[2]} "
                      "are not integers")
            return
        if len(parts) > 2 and 0 <= start < end <= len(text) and text[start:end] != parts[2]:
            yield Row(source=src, line=n, raw=line, error=(
                f"{parts[0]} says {parts[2]!r} but {txt.name} has {text[start:end]!r} at {start}-{end} "
                f"(another encoding, or offsets counted with other line ends?)"))
            return
        spans.append({"start": start, "end": end, "label": head[0], "id": parts[0]})
    yield Row(source=src, line=1, value=Annotated(text=text, spans=spans))


CONLLU_TAG_KEYS = ("NER", "NE", "name", "Entity")  # where CoNLL-U corpora put an entity tag (MISC)


def read_conllu(path: Path, on_bytes: OnBytes = None, *, sentences_per_doc: int = 1,
                encoding: Optional[str] = None) -> Iterator[Row]:
    """CoNLL-U: ``sentences_per_doc`` sentences per record (never across a ``# newdoc``), numbered by
    the line of their first word. Words are the FORM of each word line, a multi-word token's surface
    form (``2-3 al``) standing for the words it holds, so the text is the sentence's (empty nodes
    are not words); ``SpaceAfter=No`` in MISC joins a word to the next; an entity tag
    in MISC (``NER=B-PER``, or ``NE=``, ``name=``, ``Entity=``) makes the record's spans. A line
    without 10 tab-separated columns rejects its sentence, naming the line."""
    src = str(path)
    group: List[Tuple[List[str], List[bool], List[Optional[str]], int]] = []
    words: List[str] = []
    spaces: List[bool] = []
    tags: List[Optional[str]] = []
    first = 0
    bad: Optional[Tuple[int, str, str]] = None
    range_end = 0

    def record() -> Row:
        all_words = [w for g in group for w in g[0]]
        all_tags = [t for g in group for t in g[2]]
        all_spaces = [s for g in group for s in g[1]]
        all_spaces[-1] = False
        return Row(source=src, line=group[0][3], value=Annotated(
            words=all_words, spaces=all_spaces,
            sent_starts=[i == 0 for g in group for i in range(len(g[0]))],
            tags=None if all(t is None for t in all_tags) else [t or "O" for t in all_tags]))

    def close_sentence() -> Iterator[Row]:
        nonlocal words, spaces, tags, bad, group, range_end
        if bad is not None:
            yield Row(source=src, line=bad[0], error=bad[1], raw=bad[2])
        elif words:
            group.append((words, spaces, tags, first))
            if len(group) >= sentences_per_doc:
                yield record()
                group = []
        words, spaces, tags, bad, range_end = [], [], [], None, 0

    def close_group() -> Iterator[Row]:
        nonlocal group
        if group:
            yield record()
            group = []

    for n, line, error in _lines(path, on_bytes, encoding):
        if error:
            bad = bad or (n, error, line)
            continue
        if not line.strip():
            yield from close_sentence()
            continue
        if line.startswith("#"):
            if line[1:].strip().startswith("newdoc"):
                yield from close_sentence()
                yield from close_group()
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            bad = bad or (n, f"{len(cols)} columns; a CoNLL-U word line has 10, tab-separated", line)
            continue
        wid, misc = cols[0], dict(kv.split("=", 1) for kv in cols[9].split("|") if "=" in kv)
        if "." in wid:
            continue  # an empty node: no word of the text
        tag = next((misc[k] for k in CONLLU_TAG_KEYS if k in misc), None)
        try:
            number = int(wid.split("-")[0])
            last = int(wid.split("-")[1]) if "-" in wid else number
        except (ValueError, IndexError):
            bad = bad or (n, f"word id {wid!r} is not a number or a range like 1-2", line)
            continue
        if number <= range_end:  # a word of the multi-word token before: its tag goes on that
            if tag is not None and tags[-1] in (None, "O"):
                tags[-1] = tag
            continue
        if not words:
            first = n
        range_end = last if "-" in wid else 0  # a multi-word token is one word, its surface form
        words.append(cols[1])
        spaces.append(misc.get("SpaceAfter") != "No")
        tags.append(tag)
    yield from close_sentence()
    yield from close_group()


def require_openpyxl() -> Any:
    """``openpyxl``, or the coded error saying how to install it."""
    try:
        import openpyxl
    except ImportError:
        raise DataError(Errors.E120) from None
    return openpyxl


def _cell(value: Any) -> str:
    """A spreadsheet cell as a CSV reader would see it: a string ('' when empty, 3 for 3.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, on_bytes: OnBytes = None, sheet: Optional[str] = None) -> Iterator[Row]:
    """An Excel workbook's first (or ``sheet``) worksheet as a table: its first non-empty row the
    header, each row after it a record numbered by its row number, every cell a string as a CSV
    reader would see it. Empty rows (formatting with no values) are no records."""
    openpyxl = require_openpyxl()
    src = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip/XML errors: the file is not a workbook
        yield Row(source=src, line=1, error=f"not a readable .xlsx workbook: {exc}")
        return
    try:
        if sheet is not None and sheet not in book.sheetnames:
            yield Row(source=src, line=1, error=f"no sheet {sheet!r} (its sheets: "
                      f"{', '.join(repr(name) for name in book.sheetnames)}; pass --sheet)")
            return
        names: Optional[List[str]] = None
        for n, cells in enumerate((book[sheet] if sheet else book.active).iter_rows(values_only=True), 1):
            values = [_cell(c) for c in cells]
            if not any(v.strip() for v in values):
                continue
            if names is None:
                while values and not values[-1].strip():
                    values.pop()
                names = values
                continue
            if any(v.strip() for v in values[len(names):]):
                used = max(i for i, v in enumerate(values) if v.strip()) + 1
                yield Row(source=src, line=n, raw=clip("\t".join(values[:used])),
                          error=f"row has {used} fields, the header has {len(names)}")
                continue
            values = (values + [""] * len(names))[:len(names)]
            yield Row(source=src, line=n, value=dict(zip(names, values)))
    finally:
        book.close()
    if on_bytes is not None:
        on_bytes(path.stat().st_size)


def sniff_json(path: Path) -> Optional[str]:
    """What a ``.json``/``.jsonl`` file holds when it is a JSON array (``labelstudio``,
    ``spacy-json`` or plain ``json``), else None (lines of JSON)."""
    try:
        with path.open("rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return None
    text = head.decode("utf-8-sig", "replace").lstrip()
    if not text.startswith("["):
        return None
    first, _, rest = text.partition("\n")
    try:
        if isinstance(json.loads(first), list) and rest.strip():
            return None  # lines of JSON arrays
    except json.JSONDecodeError:
        pass
    at = 1
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    try:
        value = json.JSONDecoder().raw_decode(text, at)[0]
    except json.JSONDecodeError:
        return "json"
    if isinstance(value, dict):
        if "paragraphs" in value:
            return "spacy-json"
        if isinstance(value.get("data"), dict) and any(k in value for k in
                                                       ("annotations", "completions", "predictions")):
            return "labelstudio"
    return "json"


def looks_like_prodigy(path: Path, probe: int = 20) -> bool:
    """True when a JSONL file's first objects carry Prodigy's ``answer`` (accept/reject/ignore)
    or its ``_task_hash``."""
    try:
        with path.open("rb") as f:
            for raw in itertools.islice(f, probe):
                try:
                    value = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(value, dict) and (value.get("answer") in PRODIGY_ANSWERS
                                                or "_task_hash" in value):
                    return True
    except OSError:
        return False
    return False


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
    if fmt == "json":
        return read_json(path, on_bytes, encoding)
    if fmt == "xlsx":
        return read_xlsx(path, on_bytes, sheet=options.get("sheet"))
    if fmt == "prodigy":
        return read_prodigy(path, on_bytes, encoding)
    if fmt == "labelstudio":
        return read_labelstudio(path, on_bytes, encoding, text_field=options.get("text_field"))
    if fmt == "brat":
        return read_brat(path, on_bytes, encoding)
    if fmt == "conllu":
        return read_conllu(path, on_bytes, sentences_per_doc=options.get("sentences_per_doc", 1),
                           encoding=encoding)
    if fmt == "spacy-json":
        return read_spacy_json(path, on_bytes, encoding)
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
