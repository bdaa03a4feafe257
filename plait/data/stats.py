"""``plait data stats DIR``: what an imported data folder holds, per split, with warnings.

Read from the shards themselves (not only meta.json), through the component's ``GoldInfo.read``, so a
folder edited by hand or made by another tool is described as it is.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

from plait.errors import DataError, Errors
from plait.data.importer import META, SPLITS

MIN_EXAMPLES = 10


def read_meta(folder: Union[str, Path]) -> Dict[str, Any]:
    path = Path(folder) / META
    if not path.is_file():
        raise DataError(Errors.E113.format(path=folder))
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except (OSError, ValueError) as exc:
        raise DataError(Errors.E114.format(path=path, error=exc)) from None


def percentiles(values: Sequence[int], points: Sequence[int] = (50, 90, 99)) -> Dict[str, int]:
    if not values:
        return {}
    ordered = sorted(values)
    out = {f"p{p}": ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
           for p in points}
    out["max"] = ordered[-1]
    out["min"] = ordered[0]
    return out


def split_docs(folder: Path, vocab: Any = None):
    """The docs of one split folder, shard by shard."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    vocab = vocab if vocab is not None else Vocab()
    for path in sorted(folder.rglob("*.spacy")):
        yield from DocBin(store_user_data=True).from_disk(path).get_docs(vocab)


def data_stats(folder: Union[str, Path], *, registry: Any = None,
               min_examples: int = MIN_EXAMPLES) -> Dict[str, Any]:
    """Per split: docs, words, label distribution, words-per-doc percentiles, span lengths; and
    ``warnings`` (rare labels, label sets that differ between splits, empty splits)."""
    from plait.plugins.registry import get_registry

    folder = Path(folder)
    meta = read_meta(folder)
    registry = registry or get_registry()
    info = registry.component(meta["component"])
    if info.gold is None:
        raise DataError(Errors.E107.format(name=info.name, task=info.task))
    out: Dict[str, Any] = {"folder": str(folder), "task": meta.get("task"),
                           "component": info.name, "splits": {}, "warnings": []}
    for split in SPLITS:
        docs = words = 0
        lengths: List[int] = []
        span_lengths: List[int] = []
        labels: Dict[str, int] = {}
        no_gold = 0
        for doc in split_docs(folder / split):
            docs += 1
            n = len(doc)
            words += n
            lengths.append(n)
            gold = info.gold.read(doc)
            if gold is None:
                no_gold += 1
                continue
            for label, k in gold.label_counts().items():
                labels[label] = labels.get(label, 0) + k
            span_lengths.extend(end - start for start, end, _ in gold.spans or [])
        entry: Dict[str, Any] = {"docs": docs, "words": words, "labels": dict(sorted(labels.items())),
                                 "words_per_doc": percentiles(lengths)}
        if span_lengths:
            entry["span_tokens"] = percentiles(span_lengths)
        if no_gold:
            entry["docs_without_gold"] = no_gold
        out["splits"][split] = entry
    warn = out["warnings"]
    splits = out["splits"]
    for split in SPLITS:
        if not splits[split]["docs"]:
            warn.append(f"the {split} split is empty" + (
                ": training needs train and dev docs" if split != "test" else ""))
    train_labels = splits["train"]["labels"]
    for label, n in sorted(train_labels.items()):
        if n < min_examples:
            warn.append(f"label '{label}' has only {n} training example(s) (< {min_examples})")
    names = {s: set(splits[s]["labels"]) for s in SPLITS if splits[s]["docs"]}
    for split, found in names.items():
        if split == "train":
            continue
        missing = sorted(names.get("train", set()) - found)
        extra = sorted(found - names.get("train", set()))
        if missing:
            warn.append(f"labels in train but not in {split}: {', '.join(missing)}")
        if extra:
            warn.append(f"labels in {split} but not in train: {', '.join(extra)} (never learned)")
    return out


def stats_lines(stats: Dict[str, Any]) -> List[str]:
    lines = [f"{stats['folder']}: task {stats['task']} (component {stats['component']})"]
    for split, s in stats["splits"].items():
        wpd = s["words_per_doc"]
        length = (f"words/doc p50 {wpd['p50']} p90 {wpd['p90']} p99 {wpd['p99']} max {wpd['max']}"
                  if wpd else "")
        lines.append(f"{split:<5} {s['docs']:>7} docs {s['words']:>9} words  {length}")
        if s["labels"]:
            total = sum(s["labels"].values())
            dist = ", ".join(f"{k} {v} ({100 * v / total:.0f}%)" for k, v in
                             sorted(s["labels"].items(), key=lambda kv: -kv[1]))
            lines.append(f"      labels: {dist}")
        if "span_tokens" in s:
            st = s["span_tokens"]
            lines.append(f"      span length (tokens): p50 {st['p50']} p90 {st['p90']} "
                         f"max {st['max']}")
        if s.get("docs_without_gold"):
            lines.append(f"      {s['docs_without_gold']} docs without gold for this component")
    lines.extend(f"⚠ {w}" for w in stats["warnings"])
    return lines


def data_profile(folder: Union[str, Path], meta: Optional[Dict[str, Any]] = None
                     ) -> Dict[str, Any]:
    """What ``GoldInfo.configure`` and ``plait init`` are given about a data folder."""
    meta = meta or read_meta(folder)
    return {"labels": list(meta.get("labels", [])), "multi_label": bool(meta.get("multi_label")),
            "exclusive": meta.get("exclusive"), "counts": dict(meta.get("counts", {})),
            "words": dict(meta.get("words", {})), "task": meta.get("task"),
            # training examples per label (documents for classifiers, spans for span tasks)
            "label_counts": dict((meta.get("label_counts") or {}).get("train", {}))}
