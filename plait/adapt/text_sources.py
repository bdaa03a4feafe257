"""Text sources for encoder training: files, folders and named corpora, read as documents.

Files and folders are read by the data importer (``plait.data.read_texts``: plain text one document
per line, JSONL/CSV/TSV/Parquet with a text field, ``.spacy``). A named corpus contributes its
**train** split only: dev and test text would leak into the evaluation of the model fine-tuned later.
Every source is fingerprinted (sha256) for the encoder's ``plait-encoder.json``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple

from plait.errors import AdaptError, Errors

CORPUS_PREFIX = "corpus:"


@dataclass
class Rejected:
    source: str
    line: Optional[int]
    reason: str
    text: str = ""

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


@dataclass
class SourceRecord:
    """What one ``--text`` source gave: for the manifest and the run's report."""

    source: str
    path: str
    sha256: str
    documents: int = 0
    rejected: int = 0
    kind: str = "file"  # file | folder | corpus
    note: str = ""

    def to_json(self) -> dict:
        out = {"source": self.source, "path": self.path, "kind": self.kind, "sha256": self.sha256,
               "documents": self.documents, "rejected": self.rejected}
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Texts:
    documents: List[str] = field(default_factory=list)
    sources: List[SourceRecord] = field(default_factory=list)
    rejected: List[Rejected] = field(default_factory=list)


def sha256_path(path: Path) -> str:
    """sha256 of a file's bytes; of a folder, over its files' relative paths and hashes (sorted)."""
    if path.is_file():
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(path).parts)):
        digest.update(str(file.relative_to(path)).encode("utf8") + b"\0")
        digest.update(sha256_path(file).encode("ascii") + b"\n")
    return digest.hexdigest()


def _corpus_train(name: str, corpus_source: Optional[Path], seed: int) -> Path:
    """Convert a named corpus (cached under ``$PLAIT_HOME/corpora``) and return its train split."""
    from plait.training.encoders import plait_home
    from plait.plugins.registry import get_registry

    info = get_registry().corpus(name)
    out = plait_home() / "corpora" / f"{name}-seed{seed}"
    train = out / "train.spacy"
    if not train.exists():
        kwargs: dict = {"seed": seed, "limit": None}
        if corpus_source is not None:
            kwargs["source"] = corpus_source
        try:
            info.convert(out, **kwargs)
        except Exception as exc:  # the corpus plugin's own error, re-raised with what to do
            raise AdaptError(Errors.E172.format(name=name, error=exc)) from exc
    if not train.exists():
        raise AdaptError(Errors.E172.format(name=name, error="no train.spacy was written"))
    return train


def resolve_source(source: str, *, corpus_source: Optional[Path] = None, seed: int = 0
                   ) -> Tuple[Path, str, str]:
    """``(path, kind, note)`` of a ``--text`` source: a file, a folder, or a named corpus.

    A folder holding ``train.spacy`` next to ``dev.spacy``/``test.spacy`` is a converted corpus: only
    its train split is read.
    """
    name = source[len(CORPUS_PREFIX):] if source.startswith(CORPUS_PREFIX) else None
    path = Path(source).expanduser()
    if name is None and path.exists():
        if path.is_dir() and (path / "train.spacy").exists() and (
                (path / "dev.spacy").exists() or (path / "test.spacy").exists()):
            return path / "train.spacy", "corpus", "converted corpus folder: train split only"
        return path, ("folder" if path.is_dir() else "file"), ""
    from plait.plugins.registry import get_registry, suggest

    corpora = get_registry().corpora()
    name = name or source
    if name in corpora:
        return _corpus_train(name, corpus_source, seed), "corpus", "named corpus: train split only"
    raise AdaptError(Errors.E171.format(source=source, known=", ".join(sorted(corpora)) or "none",
                                        hint=suggest(name, corpora)))


def read_sources(sources: Sequence[str], *, text_field: Optional[str] = None,
                 fmt: Optional[str] = None, corpus_source: Optional[Path] = None, seed: int = 0,
                 on_reject: Optional[Callable[[Rejected], None]] = None) -> Texts:
    """Read every source into documents (empty ones dropped); bad records go to ``on_reject``."""
    from plait.data import read_texts

    out = Texts()
    for source in sources:
        path, kind, note = resolve_source(str(source), corpus_source=corpus_source, seed=seed)
        record = SourceRecord(source=str(source), path=str(path), sha256=sha256_path(path),
                              kind=kind, note=note)

        def reject(item: Any, _record: SourceRecord = record) -> None:
            rej = Rejected(source=str(getattr(item, "source", _record.path)),
                           line=getattr(item, "line", None),
                           reason=str(getattr(item, "reason", item)),
                           text=str(getattr(item, "text", "") or "")[:200])
            _record.rejected += 1
            out.rejected.append(rej)
            if on_reject is not None:
                on_reject(rej)

        kwargs: dict = {"fmt": fmt, "text_field": text_field, "on_reject": reject}
        try:
            for item in read_texts(path, **kwargs):
                text = (item.text if hasattr(item, "text") else str(item)).strip()
                if text:
                    out.documents.append(text)
                    record.documents += 1
        except AdaptError:
            raise
        except Exception as exc:
            from plait.errors import PlaitError

            if isinstance(exc, PlaitError):
                raise
            raise AdaptError(Errors.E185.format(source=source, error=f"{type(exc).__name__}: "
                                                f"{exc}")) from exc
        out.sources.append(record)
    return out
