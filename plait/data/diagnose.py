"""Whole-file diagnoses for ``plait data import``: when every record of a file (or all of its first
:data:`PROBE`) fails the same way, one coded line says what probably happened and how to fix it (the
delimiter, the encoding, the text or gold field's name) instead of N identical rejects.

The rejects are still written, one per record (the accounting stays whole); this only reads their
kinds and reasons, the first record's fields and the file's first bytes.
"""
from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from plait.data.rows import K_UTF8
from plait.errors import Errors, Warnings
from plait.io.formats import (TABLE_DELIMITERS, Annotated, Reject, Row, file_encoding,
                              guess_encoding, splits_consistently, table_delimiter)

PROBE = 1000  # a file whose first PROBE records all fail one way is diagnosed (and stopped) there
MAX_REASONS = 20
SHAPE_OPTIONS = {"labels": "--label-field", "spans": "--spans-field", "pair": "--target-field"}
_DELIMITER_WORDS = {"\t": "tabs", ",": "commas", ";": "semicolons", "|": "pipes"}


@dataclass
class FileCheck:
    """What one file's records did, as far as a diagnosis needs it."""

    path: Path
    fmt: str
    read: int = 0
    imported: int = 0
    rejected: int = 0
    kinds: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    keys: Optional[List[str]] = None  # the fields of the first record that was an object
    probed: bool = False  # diagnosed after its first PROBE records

    def saw(self, row: Row) -> None:
        self.read += 1
        if self.keys is None and isinstance(row.value, dict):
            self.keys = [str(k) for k in row.value]
        elif self.keys is None and isinstance(row.value, Annotated) and row.value.fields:
            self.keys = list(row.value.fields)

    def rejected_as(self, reject: Reject) -> None:
        self.rejected += 1
        self.kinds[reject.kind or reject.reason] += 1
        if reject.reason in self.reasons or len(self.reasons) < MAX_REASONS:
            self.reasons[reject.reason] += 1

    @property
    def all_failed(self) -> bool:
        return self.read > 0 and self.imported == 0 and self.rejected == self.read

    def all_say(self, *prefixes: str) -> bool:
        """Every record was rejected with a reason starting with one of ``prefixes``."""
        return self.all_failed and sum(n for r, n in self.reasons.items()
                                       if r.startswith(prefixes)) == self.read


def _close(name: str, keys: Sequence[str]) -> Optional[str]:
    folded = {k.casefold().strip(): k for k in keys}
    if name.casefold() in folded:
        return folded[name.casefold()]
    got = difflib.get_close_matches(name, list(keys), n=1, cutoff=0.6)
    return got[0] if got else None


def _fields(keys: Optional[Sequence[str]]) -> str:
    if not keys:
        return "(none)"
    shown = ", ".join(f"'{k}'" for k in list(keys)[:12])
    return shown + (f" and {len(keys) - 12} more" if len(keys) > 12 else "")


def _show(delimiter: str) -> Tuple[str, str]:
    """(words, flag value) for a delimiter: ('semicolons', "';'"), ('tabs', 'tab')."""
    words = _DELIMITER_WORDS.get(delimiter, f"'{delimiter}'")
    return words, "tab" if delimiter == "\t" else f"'{delimiter}'"


def diagnose(check: FileCheck, *, accepts: Sequence[str], gold_fields: Sequence[str],
             text_field: Optional[str], gold_field: Optional[str], delimiter: Optional[str],
             encoding: Optional[str]) -> Optional[Tuple[str, bool]]:
    """(the coded line, whether the file imported nothing) for a file whose records failed one
    way, else None."""
    path = check.path
    utf8 = check.kinds.get(K_UTF8, 0)
    if utf8 and not encoding:
        with path.open("rb") as f:
            head = f.read(1 << 20)
            guess = guess_encoding(head, cut=len(head) == 1 << 20)
        if guess != "utf-8":
            if check.all_failed and utf8 == check.read:
                return Errors.E128.format(path=path, n=utf8, read=check.read,
                                          encoding=guess), True
            return Warnings.W003.format(path=path, n=utf8, read=check.read, encoding=guess), False
    if not check.all_failed:
        return None
    table = check.fmt in ("csv", "tsv")
    if table and check.all_say("row has ", "missing "):
        used = table_delimiter(path, check.fmt, delimiter, encoding)
        enc = file_encoding(path, encoding)
        for other in TABLE_DELIMITERS:
            if other != used and splits_consistently(path, enc, other):
                what = (f"its header is one field ('{check.keys[0]}')" if check.keys and
                        len(check.keys) == 1 else "its rows do not split into the header's fields")
                found, flag = _show(other)
                return Errors.E127.format(path=path, what=what, found=found,
                                          used=_show(used)[0], flag=flag), True
    name = text_field or "text"
    if not check.keys:
        return None  # records with no fields: nothing to point at (E115 says they all failed)
    if check.all_say(f"missing text field '{name}'") or check.all_say("missing text ("):
        close = _close(name, check.keys or [])
        hint = f" Did you mean '{close}'?" if close else ""
        return Errors.E126.format(path=path, n=check.read, field=name,
                                  fields=_fields(check.keys), hint=hint), True
    if check.all_say("missing gold field"):
        names = [gold_field] if gold_field else list(gold_fields)
        keys = [k for k in check.keys or [] if k != name]
        close = next((c for c in (_close(n, keys) for n in names) if c), None)
        hint = f" Did you mean '{close}'?" if close else ""
        option = " or ".join(SHAPE_OPTIONS.get(shape, "--label-field") for shape in accepts)
        return Errors.E129.format(path=path, n=check.read,
                                  names=" or ".join(f"'{n}'" for n in names),
                                  fields=_fields(keys), hint=hint, option=option), True
    return None

