"""Read CoNLL-style NER files (one token per line, tag in the last column) into spaCy Docs.

* Sentences are separated by blank lines; ``-DOCSTART-`` lines are skipped (they also end a sentence).
* ``scheme="iob1"`` (CoNLL-2003): ``I-X`` continues an entity of type X if the previous token is in one,
  else starts one; ``B-X`` starts a new entity (used when two entities of one type are adjacent).
  Any IOB2 file is read correctly in this mode too.
* ``scheme="iob2"``: strict; every entity starts with ``B-X``, and ``I-X`` after ``O`` or after another
  type is an error.
* Every malformed line raises :class:`~plait_ner.errors.ConllFormatError` naming the file and line.

Docs are built from the file's tokens (``Doc(vocab, words=...)``, single spaces between tokens), one
Doc per sentence, with every token's NER annotated (entity or ``O``).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple, Union

from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from plait.data.tags import TagError, tags_to_spans

from .errors import ConllFileNotFoundError, ConllFormatError
from .errors import Errors, PlaitNERError

SCHEMES = ("iob1", "iob2")
_TAG = re.compile(r"^(?:O|[BI]-\S+)$")


def iter_sentences(path: Union[str, Path], *, tag_column: int = -1
                   ) -> Iterator[Tuple[List[str], List[str], List[int]]]:
    """Yield ``(words, tags, line_numbers)`` for each sentence of a CoNLL file."""
    path = Path(path)
    if not path.exists():
        raise ConllFileNotFoundError(Errors.NER021.format(path=path))
    words: List[str] = []
    tags: List[str] = []
    lines: List[int] = []
    with path.open(encoding="utf8") as f:
        for lineno, raw in enumerate(f, start=1):
            line = raw.strip()
            if not line or line.startswith("-DOCSTART-"):
                if words:
                    yield words, tags, lines
                words, tags, lines = [], [], []
                continue
            cols = line.split()
            if len(cols) < 2:
                raise ConllFormatError(path, lineno, f"expected a token and a tag column, got {line!r}")
            try:
                tag = cols[tag_column]
            except IndexError:
                raise ConllFormatError(path, lineno, f"no column {tag_column} in {line!r}") from None
            if not _TAG.match(tag):
                raise ConllFormatError(path, lineno, f"invalid NER tag {tag!r} (expected O, B-X or I-X)")
            words.append(cols[0])
            tags.append(tag)
            lines.append(lineno)
    if words:
        yield words, tags, lines


def iob_to_spans(tags: Sequence[str], *, scheme: str = "iob1", path: Union[str, Path] = "<tags>",
                 lines: Optional[Sequence[int]] = None) -> List[Tuple[int, int, str]]:
    """Token spans ``(start, end, label)`` of an IOB1 or IOB2 tag sequence (plait.data.tags)."""
    if scheme not in SCHEMES:
        raise PlaitNERError(Errors.NER022.format(scheme=scheme, join=', '.join(SCHEMES)))
    try:
        return tags_to_spans(tags, scheme)
    except TagError as exc:
        raise ConllFormatError(path, lines[exc.index] if lines else exc.index + 1, exc.msg) from None


def read_conll(path: Union[str, Path], vocab: Optional[Vocab] = None, *, scheme: str = "iob1",
               tag_column: int = -1, limit: Optional[int] = None) -> List[Doc]:
    """One Doc per sentence with gold ``doc.ents``; ``limit`` caps the number of sentences."""
    if scheme not in SCHEMES:
        raise PlaitNERError(Errors.NER022.format(scheme=scheme, join=', '.join(SCHEMES)))
    vocab = vocab if vocab is not None else Vocab()
    docs: List[Doc] = []
    for words, tags, lines in iter_sentences(path, tag_column=tag_column):
        if limit is not None and len(docs) >= limit:
            break
        doc = Doc(vocab, words=words, spaces=[True] * (len(words) - 1) + [False])
        spans = iob_to_spans(tags, scheme=scheme, path=path, lines=lines)
        doc.set_ents([Span(doc, s, e, label=label) for s, e, label in spans], default="outside")
        docs.append(doc)
    return docs
