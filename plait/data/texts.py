"""``read_texts``: the text of every record of a user's files, for any task (or none).

Pretraining, distillation and ``plait data import`` read texts the same way: plain text (one document
per line), JSONL/CSV/TSV/Parquet with a text field, ``.spacy`` DocBins, token-per-line files (tokens
joined by spaces) and folders of such files. A record that has no usable text is handed to
``on_reject`` as a :class:`~plait.io.formats.Reject` naming its file and line; it is never dropped
silently (without ``on_reject`` the first one raises).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Union

from plait.errors import DataError, Errors
from plait.io.formats import Annotated, OnBytes, Reject, Row, clip, detect_format, expand, read_rows

DEFAULT_TEXT_FIELD = "text"


@dataclass(frozen=True)
class TextItem:
    """One text: the file it came from, its 1-based record number there, and the text."""

    source: str
    line: int
    text: str


def row_text(row: Row, fmt: str, text_field: Optional[str]) -> Union[str, Reject]:
    """The text of one row, or why it has none."""
    if row.error is not None:
        return Reject(row.source, row.line, row.error, clip(row.raw or ""))
    value = row.value
    if fmt == "text":
        text = value
    elif fmt == "spacy":
        text = value.text
    elif fmt == "tokens":
        text = " ".join(w for sent in value for w in sent.words)
    elif isinstance(value, Annotated):  # an annotation tool's record: its text, whatever its gold
        if value.any_text is None:
            return Reject(row.source, row.line, "missing text", clip(value.fields or ""))
        text = value.any_text
    elif isinstance(value, str) and fmt == "jsonl" and text_field is None:
        text = value  # a JSONL file of strings
    elif isinstance(value, dict):
        name = text_field or DEFAULT_TEXT_FIELD
        if name not in value or value[name] is None:
            return Reject(row.source, row.line, f"missing text field '{name}'", clip(value))
        text = value[name]
        if not isinstance(text, str):
            return Reject(row.source, row.line,
                          f"text field '{name}' is {type(text).__name__}, not a string", clip(value))
    else:
        return Reject(row.source, row.line,
                      f"record is a {type(value).__name__}, expected an object", clip(value))
    if not text.strip():
        return Reject(row.source, row.line, "empty text", clip(value))
    return text


def _raise(reject: Reject) -> None:
    raise DataError(Errors.E104.format(reject=reject))


def read_texts(source: Union[str, Path, List[Union[str, Path]]], *, fmt: Optional[str] = None,
               text_field: Optional[str] = None,
               on_reject: Optional[Callable[[Reject], Any]] = None,
               on_bytes: OnBytes = None) -> Iterator[TextItem]:
    """Yield a :class:`TextItem` per record of ``source`` (a file, a folder, or a list of them).

    ``fmt`` forces one format for every file (else each file's extension decides, see
    :data:`plait.io.formats.FORMATS`); ``text_field`` names the field holding the text in JSONL,
    CSV, TSV and Parquet records (default ``text``). Records without a usable text (invalid UTF-8, a
    malformed line, a missing, empty or non-string field) go to ``on_reject``; without one, the first
    such record raises :class:`~plait.errors.DataError` naming it. ``on_bytes(n)`` is called as bytes
    are read (progress bars).
    """
    reject = on_reject or _raise
    for path in expand(source):
        file_fmt = detect_format(path, fmt)
        for row in read_rows(path, file_fmt, on_bytes, user_data=False):
            got = row_text(row, file_fmt, text_field)
            if isinstance(got, Reject):
                reject(got)
            else:
                yield TextItem(row.source, row.line, got)
