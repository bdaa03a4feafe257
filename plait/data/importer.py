"""``plait data import``: a user's labelled files -> ``DIR/{train,dev,test}/*.spacy`` + ``meta.json``.

Streamed end to end: rows are read one at a time, turned into gold-annotated Docs by the component's
``GoldInfo`` (see :mod:`plait.plugins.contracts`), and written in DocBin shards of ``shard_size`` docs; what
stays in memory is one shard per split and a set of text hashes (exact duplicates are kept once, so no
text lands in two splits; a split the user gives keeps every record and only reports its duplicates). Every record that is not imported is written to ``DIR/rejects.jsonl`` with
its file, line, reason and text, and the import checks ``read == imported + rejected``.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from plait.errors import DataError, Errors
from plait.plugins.contracts import ComponentInfo, GoldInfo
from plait.data.gold import Gold
from plait.data.rows import (ALIGN_MODES, K_CONFLICT, K_DUP, Parsed, make_gold, parse_labels,
                      parse_row, sniff_scheme)
from plait.data.diagnose import PROBE, FileCheck, diagnose
from plait.io.formats import Annotated, Reject, Row, clip, detect_format, expand, read_rows

SPLITS = ("train", "dev", "test")
META = "meta.json"
REJECTS = "rejects.jsonl"
FORMAT_VERSION = 1
PathLike = Union[str, Path]


# -- the component --------------------------------------------------------------------------------
def find_component(task: str, component: Optional[str] = None,
                   registry: Any = None) -> ComponentInfo:
    """The installed component for ``task`` (``ComponentInfo.task``) that declares ``gold``."""
    from plait.plugins.registry import get_registry

    registry = registry or get_registry()
    comps = registry.components()
    if component:
        info = registry.component(component)
        if info.gold is None:
            raise DataError(Errors.E107.format(name=info.name, task=info.task))
        return info
    matches = [info for info in comps.values() if info.task == task]
    if not matches:
        raise DataError(Errors.E105.format(task=task, known=", ".join(
            sorted({i.task for i in comps.values()})) or "none"))
    with_gold = [info for info in matches if info.gold is not None]
    if not with_gold:
        raise DataError(Errors.E107.format(name=matches[0].name, task=task))
    if len(with_gold) > 1:
        raise DataError(Errors.E106.format(names=", ".join(i.name for i in with_gold), task=task))
    return with_gold[0]


# -- splitting ------------------------------------------------------------------------------------
def parse_split(value: Union[str, Sequence[float]]) -> Tuple[float, float, float]:
    """``"80/10/10"``, ``"0.8,0.1,0.1"`` or three numbers -> fractions summing to 1."""
    try:
        parts = ([float(p) for p in str(value).replace(",", "/").split("/")]
                 if isinstance(value, str) else [float(p) for p in value])
    except ValueError:
        raise DataError(Errors.E110.format(value=value)) from None
    total = sum(parts)
    if len(parts) != 3 or any(p < 0 for p in parts) or total <= 0 \
            or not (abs(total - 1) < 1e-6 or abs(total - 100) < 1e-4):
        raise DataError(Errors.E110.format(value=value))
    return tuple(p / total for p in parts)  # type: ignore[return-value]


class Splitter:
    """Seeded, label-stratified assignment in one pass: each stratum (label set) deals its records
    from its own shuffled block of slots (8 train, 1 dev, 1 test for 80/10/10), so every stratum is
    split in the given proportions however the input is ordered, in O(strata) memory."""

    def __init__(self, fractions: Sequence[float], seed: int) -> None:
        size = 10 if all(abs(f * 10 - round(f * 10)) < 1e-6 for f in fractions) else 100
        counts = [int(f * size) for f in fractions]
        rest = sorted(range(3), key=lambda i: fractions[i] * size - counts[i], reverse=True)
        for i in rest[:size - sum(counts)]:
            counts[i] += 1
        self.slots = [split for split, n in zip(SPLITS, counts) for _ in range(n)]
        self.rng = random.Random(seed)
        self.blocks: Dict[str, List[str]] = {}

    def assign(self, stratum: str) -> str:
        block = self.blocks.get(stratum)
        if not block:
            block = self.blocks[stratum] = list(self.slots)
            self.rng.shuffle(block)
        return block.pop()


# -- writing --------------------------------------------------------------------------------------
class ShardWriter:
    """DocBins of at most ``shard_size`` docs: ``folder/0000.spacy``, ``0001.spacy``, ...

    User data (e.g. reference summaries) is stored, packed with one reused msgpack packer: spaCy's
    ``DocBin.add`` builds a new packer per doc, which looks up srsly's entry points each time
    (milliseconds a doc, most of an import's time)."""

    def __init__(self, folder: Path, shard_size: int) -> None:
        self.folder, self.shard_size = folder, max(1, shard_size)
        self.shards = 0
        self.db: Any = None
        self._packer: Any = None

    def add(self, doc: Any) -> None:
        from spacy.tokens import DocBin

        if self.db is None:
            self.db = DocBin(store_user_data=False)
        if self._packer is None:
            from srsly.msgpack import Packer

            self._packer = Packer(use_bin_type=True)
        self.db.add(doc)
        self.db.user_data.append(self._packer.pack(doc.user_data))
        if len(self.db) >= self.shard_size:
            self.flush()

    def flush(self) -> None:
        if self.db is not None and len(self.db):
            self.folder.mkdir(parents=True, exist_ok=True)
            self.db.store_user_data = True  # the user data packed in add()
            self.db.to_disk(self.folder / f"{self.shards:04d}.spacy")
            self.shards += 1
        self.db = None


@dataclass
class SplitStats:
    docs: int = 0
    words: int = 0
    labels: Dict[str, int] = field(default_factory=dict)

    def add(self, doc: Any, gold: Gold) -> None:
        self.docs += 1
        self.words += len(doc)
        for label, n in gold.label_counts().items():
            self.labels[label] = self.labels.get(label, 0) + n


@dataclass
class ImportReport:
    """What an import did; ``meta`` is what meta.json holds."""

    output: Path
    meta: Dict[str, Any]

    @property
    def read(self) -> int:
        return self.meta["records"]["read"]

    @property
    def imported(self) -> int:
        return self.meta["records"]["imported"]

    @property
    def rejected(self) -> int:
        return self.meta["records"]["rejected"]

    def lines(self) -> List[str]:
        m = self.meta
        out = [f"{split}: {m['counts'][split]} docs, {m['words'][split]} words"
               for split in SPLITS]
        answers = m.get("answers") or {}
        skipped = f" + skipped by answer {_by_answer(answers)}" if answers else ""
        out.append(f"read {self.read} = imported {self.imported} + rejected {self.rejected}"
                   + skipped)
        for kind, n in sorted(m["skipped"].items(), key=lambda kv: -kv[1]):
            out.append(f"  rejected {n} x {kind}")
        for line in m.get("diagnoses", []):
            out.append(f"⚠ {line}")
        for kind, n in m.get("kept_duplicates", {}).get("counts", {}).items():
            out.append(f"⚠ kept {n} x {kind} (a given split keeps every record; meta.json "
                       f"'kept_duplicates' names them)")
        return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _text_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf8", "surrogatepass"),
                                          digest_size=8).digest(), "little")


def _gold_key(gold: Gold) -> int:
    return int.from_bytes(hashlib.blake2b(gold.key().encode("utf8", "surrogatepass"),
                                          digest_size=4).digest(), "little")


def _prepare_output(output: Path, force: bool) -> None:
    if output.exists() and not output.is_dir():
        raise DataError(Errors.E111.format(path=output, found="it is a file"))
    if output.is_dir():
        found = sorted(p.name for p in output.iterdir())
        if found and not force:
            raise DataError(Errors.E111.format(path=output, found=", ".join(found[:5])))
        for split in SPLITS:
            if (output / split).is_dir():
                shutil.rmtree(output / split)
        for name in (META, REJECTS):
            if (output / name).exists():
                (output / name).unlink()
    output.mkdir(parents=True, exist_ok=True)


def _progress(total: int, desc: str, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024,
                disable=not enabled, file=sys.stderr, leave=False)


# -- the import -----------------------------------------------------------------------------------
def import_data(inputs: Sequence[PathLike] = (), output: PathLike = "data", *, task: str,
                component: Optional[str] = None, fmt: Optional[str] = None,
                text_field: Optional[str] = None, gold_field: Optional[str] = None,
                scheme: str = "auto", align: str = "strict", sentences_per_doc: int = 1,
                train: Sequence[PathLike] = (), dev: Sequence[PathLike] = (),
                test: Sequence[PathLike] = (), split: Union[str, Sequence[float]] = "80/10/10",
                seed: int = 0, lang: str = "en", shard_size: int = 1000, force: bool = False,
                delimiter: Optional[str] = None, encoding: Optional[str] = None,
                sheet: Optional[str] = None,
                progress: bool = False, registry: Any = None,
                on_reject: Optional[Callable[[Reject], Any]] = None) -> ImportReport:
    """Import ``inputs`` (files or folders; split by ``split``) and/or ``train``/``dev``/``test``
    (kept as those splits) for the component of ``task`` into ``output``. See docs/data.md."""
    info = find_component(task, component, registry)
    gold: GoldInfo = info.gold  # type: ignore[assignment]
    if align not in ALIGN_MODES:
        raise DataError(Errors.E109.format(mode=align))
    if scheme not in ("auto", "iob1", "iob2", "biluo"):
        raise DataError(Errors.E101.format(path="--scheme", fmt=scheme,
                                           known="auto, iob1, iob2, biluo"))
    fractions = parse_split(split)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataError(Errors.E236.format(value=encoding)) from None
    given = {"train": list(train), "dev": list(dev), "test": list(test)}
    free = [s for s in SPLITS if not given[s]]
    if inputs and not free:
        raise DataError(Errors.E122.format(inputs=", ".join(map(str, inputs))))
    if inputs:  # inputs are dealt into the splits that were not given, in proportion
        share = [fractions[SPLITS.index(s)] if s in free else 0.0 for s in SPLITS]
        if sum(share) <= 0:
            share = [1.0 if s == free[0] else 0.0 for s in SPLITS]
        fractions = tuple(x / sum(share) for x in share)  # type: ignore[assignment]
    plan: List[Tuple[Optional[str], Path, str]] = []
    for split_name in SPLITS:
        for path in expand(given[split_name]) if given[split_name] else []:
            plan.append((split_name, path, detect_format(path, fmt, sniff=True)))
    for path in expand(list(inputs)) if inputs else []:
        plan.append((None, path, detect_format(path, fmt, sniff=True)))
    if not plan:
        raise DataError(Errors.E115.format(inputs="(no input files)", rejected=0, skipped="",
                                           rejects="-"))
    for _, path, file_fmt in plan:
        if file_fmt == "text":
            raise DataError(Errors.E108.format(
                what=f"Component '{info.name}' (task '{info.task}')",
                accepts=" or ".join(gold.accepts), shape="text", hint=(
                    f"{path} is plain text (no gold); give a JSONL/CSV/TSV/Parquet file with a "
                    f"text field and {' or '.join(gold.fields) or 'a gold field'}, a token/tag "
                    f"file or a .spacy DocBin, or pass --format.")))
    output = Path(output)
    _prepare_output(output, force)

    import spacy

    nlp = spacy.blank(lang)
    options = {"sentences_per_doc": max(1, sentences_per_doc), "vocab": nlp.vocab,
               "delimiter": delimiter, "encoding": encoding, "text_field": text_field,
               "sheet": sheet}
    total_bytes = sum(path.stat().st_size for _, path, _ in plan)

    # Labels: every record's label dict covers every label of the data (a label a record does not
    # list is a 0.0, not missing), so the label set is read first, from the label fields only.
    label_set: List[str] = []
    multi_label = False
    if "labels" in gold.accepts:
        seen: Dict[str, None] = {}
        bar = _progress(total_bytes, "labels", progress)
        for _, path, file_fmt in plan:
            for row in read_rows(path, file_fmt, bar.update, **options):
                if row.error is not None or _answer(row) is not None:
                    continue
                got = _row_labels(row, file_fmt, gold, text_field, gold_field)
                if got is None:
                    continue
                pos, neg = got
                multi_label = multi_label or len(pos) != 1
                for label in (*pos, *neg):
                    seen.setdefault(label, None)
        bar.close()
        label_set = sorted(seen)
    exclusive = gold.exclusive if gold.exclusive is not None else not multi_label

    splitter = Splitter(fractions, seed)
    writers = {s: ShardWriter(output / s, shard_size) for s in SPLITS}
    stats = {s: SplitStats() for s in SPLITS}
    seen_texts: Dict[int, int] = {}  # text hash -> gold hash | input index << 32 | line << 48
    skipped: Dict[str, int] = {}
    read = imported = rejected = not_gold = 0
    answers: Dict[str, int] = {}  # records an annotation tool marks as no gold, by answer
    kept: Dict[str, int] = {}  # duplicates kept in an explicitly given split, by kind
    kept_examples: List[Dict[str, Any]] = []
    schemes: Dict[str, str] = {}
    sources: List[Dict[str, Any]] = []
    diagnoses: List[str] = []
    fatal: List[str] = []  # the diagnoses of files that imported nothing
    started = time.time()
    bar = _progress(total_bytes, "import", progress)
    with (output / REJECTS).open("w", encoding="utf8") as rejects_file:
        check: FileCheck

        def reject(r: Reject) -> None:
            nonlocal rejected
            rejected += 1
            check.rejected_as(r)
            skipped[r.kind or r.reason] = skipped.get(r.kind or r.reason, 0) + 1
            rejects_file.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
            if on_reject is not None:
                on_reject(r)

        for index, (fixed, path, file_fmt) in enumerate(plan):
            counts = {"read": 0, "imported": 0, "rejected": 0}
            before_rejected, before_not_gold = rejected, not_gold
            file_scheme = None
            check = FileCheck(path, file_fmt)

            def diagnosis() -> Optional[Tuple[str, bool]]:
                return diagnose(check, accepts=gold.accepts, gold_fields=gold.fields,
                                text_field=text_field, gold_field=gold_field,
                                delimiter=delimiter, encoding=encoding)

            if file_fmt == "tokens":
                file_scheme = scheme if scheme != "auto" else _sniff(path, options)
                schemes[str(path)] = file_scheme
            for row in read_rows(path, file_fmt, bar.update, **options):
                read += 1
                counts["read"] += 1
                if check.read == PROBE and not check.probed:
                    check.probed = True
                    found = diagnosis() if check.all_failed else None
                    if found is not None and found[1]:  # the first PROBE all failed one way
                        raise DataError(found[0])  # coded: diagnose() (E126-E129)
                answer = _answer(row)
                if answer is not None:  # Prodigy's reject/ignore, Label Studio's cancelled...
                    not_gold += 1
                    answers[answer] = answers.get(answer, 0) + 1
                    continue
                check.saw(row)
                parsed = parse_row(row, file_fmt, gold, text_field=text_field,
                                   gold_field=gold_field,
                                   scheme=file_scheme or (None if scheme == "auto" else scheme))
                if isinstance(parsed, Reject):
                    reject(parsed)
                    continue
                made = make_gold(parsed, nlp, gold, align=align, label_set=label_set,
                                 exclusive=exclusive)
                if isinstance(made, Reject):
                    reject(made)
                    continue
                doc, g = made
                text = parsed.text if parsed.text is not None else doc.text
                key, gkey = _text_key(text), _gold_key(g)
                first = seen_texts.get(key)
                if first is not None:
                    first_split, where, _ = plan[(first >> 32) & 0xFFFF]
                    line = first >> 48
                    if fixed is None:
                        same = (first & 0xFFFFFFFF) == gkey
                        reject(Reject(row.source, row.line, (
                            f"duplicate of {where}:{line}" if same else
                            f"same text as {where}:{line} with different gold ({_describe(g)}); "
                            f"the first one is kept"), clip(text), K_DUP if same else K_CONFLICT))
                        continue
                    # a split the user gave (a published test set, say) keeps every record:
                    # its duplicates, and its texts also in another split, are only reported
                    kind = (f"duplicate inside {fixed}" if first_split == fixed else
                            f"{fixed} text also in {first_split or 'the split inputs'}")
                    kept[kind] = kept.get(kind, 0) + 1
                    if len(kept_examples) < 20:
                        kept_examples.append({"source": row.source, "line": row.line,
                                              "kind": kind, "first": f"{where}:{line}"})
                seen_texts.setdefault(key, gkey | (index << 32) | (row.line << 48))
                if parsed.doc is None:
                    gold.annotate(doc, g)
                split_name = fixed or splitter.assign(g.stratum())
                writers[split_name].add(doc)
                stats[split_name].add(doc, g)
                imported += 1
                check.imported += 1
            found = diagnosis()
            if found is not None:
                diagnoses.append(found[0])
                if found[1]:
                    fatal.append(found[0])
            counts["rejected"] = rejected - before_rejected
            if not_gold > before_not_gold:
                counts["skipped_by_answer"] = not_gold - before_not_gold
            counts["imported"] = counts["read"] - counts["rejected"] - (not_gold - before_not_gold)
            sources.append({"path": str(path), "sha256": sha256(path), "format": file_fmt,
                            "split": fixed, "bytes": path.stat().st_size, **counts,
                            **({"scheme": file_scheme} if file_scheme else {})})
    bar.close()
    for w in writers.values():
        w.flush()
    if read != imported + rejected + not_gold:
        raise DataError(Errors.E112.format(read=read, imported=imported, rejected=rejected,
                                           skipped=not_gold))
    meta = {
        "plait_data": FORMAT_VERSION,
        "task": info.task,
        "component": info.name,
        "lang": lang,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 2),
        "sources": sources,
        "seed": seed,
        "split": None if not inputs else dict(zip(SPLITS, [round(f, 6) for f in fractions])),
        "align": align,
        "options": {"text_field": text_field, "gold_field": gold_field, "format": fmt,
                    "sentences_per_doc": sentences_per_doc, "shard_size": shard_size,
                    "delimiter": delimiter, "encoding": encoding, "sheet": sheet},
        "labels": label_set or sorted({lab for s in stats.values() for lab in s.labels}),
        "multi_label": multi_label,
        "exclusive": exclusive if "labels" in gold.accepts else None,
        "counts": {s: stats[s].docs for s in SPLITS},
        "words": {s: stats[s].words for s in SPLITS},
        "label_counts": {s: dict(sorted(stats[s].labels.items())) for s in SPLITS},
        "shards": {s: writers[s].shards for s in SPLITS},
        "records": {"read": read, "imported": imported, "rejected": rejected,
                    **({"skipped_by_answer": not_gold} if not_gold else {})},
        "answers": dict(sorted(answers.items())),
        "skipped": dict(sorted(skipped.items())),
        "kept_duplicates": {"counts": dict(sorted(kept.items())), "examples": kept_examples},
        "diagnoses": diagnoses,
    }
    (output / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                               encoding="utf8")
    if not imported and fatal:
        more = f" ({len(fatal) - 1} more files: see {output / META})" if len(fatal) > 1 else ""
        raise DataError(fatal[0] + more)  # coded: diagnose() (E126-E129)
    if not imported:
        raise DataError(Errors.E115.format(
            inputs=", ".join(str(p) for _, p, _ in plan), rejected=rejected,
            skipped=f" and {_by_answer(answers)} were skipped by answer" if not_gold else "",
            rejects=output / REJECTS))
    return ImportReport(output, meta)


def _describe(g: Gold) -> str:
    if g.labels is not None:
        return "labels " + (", ".join(g.positives()) or "none")
    if g.spans is not None:
        return f"{len(g.spans)} spans"
    return "another target"


def _sniff(path: Path, options: Dict[str, Any], limit: int = 200) -> str:
    rows: List[Row] = []
    for row in read_rows(path, "tokens", None, **options):
        rows.append(row)
        if len(rows) >= limit:
            break
    return sniff_scheme(rows)


def _by_answer(answers: Dict[str, int]) -> str:
    """``4 (reject 3, ignore 1)``: how many records were skipped by answer, and by which."""
    shown = ", ".join(f"{a} {n}" for a, n in sorted(answers.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{sum(answers.values())} ({shown})"


def _answer(row: Row) -> Optional[str]:
    """Why an annotation tool's record is no gold (its annotator rejected, ignored or skipped it,
    or nobody annotated it), else None."""
    return row.value.answer if isinstance(row.value, Annotated) else None


def _row_labels(row: Row, fmt: str, gold: GoldInfo, text_field: Optional[str],
                gold_field: Optional[str]) -> Optional[Tuple[List[str], List[str]]]:
    """A row's (positives, negatives) for the label pre-pass; None when it has no usable labels."""
    if fmt == "spacy":
        got = gold.read(row.value)
        if got is None or got.labels is None:
            return None
        return got.positives(), [k for k in got.labels if k not in got.positives()]
    parsed = parse_row(row, fmt, gold, text_field=text_field, gold_field=gold_field, scheme=None)
    if isinstance(parsed, Parsed) and parsed.labels is not None:
        return parsed.labels
    return None


__all__ = ["ImportReport", "Splitter", "find_component", "import_data", "parse_labels",
           "parse_split"]
