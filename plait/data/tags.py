"""Token tags -> token spans, for the schemes token-per-line files use.

* ``iob1`` (CoNLL-2003): ``I-X`` continues an entity of type X when the previous token is in one, else
  starts one; ``B-X`` starts a new entity (two adjacent entities of one type). Reads IOB2 correctly too.
* ``iob2``: every entity starts with ``B-X``; ``I-X`` after ``O`` or after another type is an error.
* ``biluo`` (also BIOES: ``E-``/``S-`` for ``L-``/``U-``): ``B``egin, ``I``nside, ``L``ast, ``U``nit;
  anything else (an unfinished entity, ``I-`` without ``B-``) is an error.
"""
from __future__ import annotations

import re
from typing import Iterable, List, Optional, Sequence, Tuple

from plait.errors import DataError, Errors

SCHEMES = ("iob1", "iob2", "biluo")
TAG = re.compile(r"^(?:O|[BIELUS]-\S+)$")
_IOB_TAG = re.compile(r"^(?:O|[BI]-\S+)$")
_BILUO = {"E": "L", "S": "U"}


class TagError(DataError):
    """A tag or tag sequence that is not valid in the scheme; ``index`` is the offending token and
    ``msg`` the plain reason (what a reject records)."""

    def __init__(self, index: int, msg: str) -> None:
        super().__init__(Errors.E123.format(token=index + 1, msg=msg))
        self.index = index
        self.msg = msg


def _split(tag: str, index: int, scheme: str) -> Tuple[str, Optional[str]]:
    if tag == "O":
        return "O", None
    ok = _IOB_TAG if scheme != "biluo" else TAG
    if not ok.match(tag):
        want = "O, B-X or I-X" if scheme != "biluo" else "O, B-X, I-X, L-X or U-X"
        raise TagError(index, f"invalid {scheme.upper()} tag {tag!r} (expected {want})")
    prefix, label = tag.split("-", 1)
    return _BILUO.get(prefix, prefix), label


def detect_scheme(tags: Iterable[str]) -> str:
    """``biluo`` if any L/U/E/S tag, ``iob1`` if an ``I-X`` ever starts an entity, else ``iob2``."""
    prev: Optional[str] = None
    scheme = "iob2"
    for tag in tags:
        if tag[:2] in ("L-", "U-", "E-", "S-"):
            return "biluo"
        if tag.startswith("I-") and prev != tag[2:]:
            scheme = "iob1"
        prev = tag[2:] if tag != "O" else None
    return scheme


def tags_to_spans(tags: Sequence[str], scheme: str = "iob1") -> List[Tuple[int, int, str]]:
    """Token spans ``(start, end, label)`` of one sentence's tags; raises :class:`TagError`."""
    if scheme not in SCHEMES:
        raise DataError(Errors.E101.format(path="tags", fmt=scheme, known=", ".join(SCHEMES)))
    spans: List[Tuple[int, int, str]] = []
    start: Optional[int] = None
    label: Optional[str] = None
    for i, tag in enumerate(tags):
        prefix, typ = _split(tag, i, scheme)
        prev = repr(tags[i - 1]) if i else "the start of the sentence"
        if scheme == "biluo":
            inside = start is not None
            if prefix in ("I", "L"):
                if not inside or typ != label:
                    raise TagError(i, f"{tag!r} after {prev} is not valid BILUO (a span "
                                      f"starts with B- or is a single U-)")
                if prefix == "L":
                    spans.append((start, i + 1, label))  # type: ignore[arg-type]
                    start, label = None, None
                continue
            if inside:
                raise TagError(i, f"{tag!r} after {prev} is not valid BILUO (the span of "
                                  f"{label} never ends with L-)")
            if prefix == "B":
                start, label = i, typ
            elif prefix == "U":
                spans.append((i, i + 1, typ))  # type: ignore[arg-type]
            continue
        continues = prefix == "I" and start is not None and typ == label
        if prefix == "I" and not continues and scheme == "iob2":
            raise TagError(i, f"{tag!r} after {prev} is not valid IOB2 (a span must start with "
                              f"B-); if the file is IOB1 (like CoNLL-2003), use the iob1 scheme")
        if continues:
            continue
        if start is not None:
            spans.append((start, i, label))  # type: ignore[arg-type]
            start, label = None, None
        if prefix in ("B", "I"):
            start, label = i, typ
    if start is not None:
        if scheme == "biluo":
            raise TagError(len(tags) - 1, f"the sentence ends inside a span of {label} (BILUO "
                                          f"spans end with L-)")
        spans.append((start, len(tags), label))  # type: ignore[arg-type]
    return spans
