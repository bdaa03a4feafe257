"""``plait init NAME --data DIR [--data DIR2 ...]``: a pipeline spec for imported data folders.

One component per data folder (the component ``meta.json`` names), its labels from the data, the
options its ``GoldInfo.configure`` asks for (e.g. multi-label classes), and training settings sized
to the data: batch, steps, evaluation frequency and warm-up. Several folders are merged into one
multi-task corpus (``corpus/NAME/{train,dev}`` linking each folder's split), which works because every
component trains only on the docs that hold its gold (docs/components.md).
"""
from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

import yaml

from plait.errors import DataError, Errors
from plait.data.importer import SPLITS
from plait.data.stats import read_meta, data_profile

PathLike = Union[str, Path]


def _clamp(value: float, low: int, high: int) -> int:
    return int(max(low, min(high, value)))


def _round(value: int, step: int) -> int:
    return max(step, int(round(value / step)) * step)


def training_settings(train_docs: int, train_words: int) -> Dict[str, Any]:
    """Batch, steps, evaluation and warm-up sized to the training data.

    About 20+ batches an epoch (``batch_words`` between 100 and 2000 words), ~10 epochs (200 to
    20,000 steps), ten evaluations a run (every 20 to 1,000 steps), 10% warm-up. The steps are a
    multiple of the evaluation frequency, so the last steps are scored too (spaCy evaluates only
    every ``eval_frequency`` steps)."""
    batch = _round(_clamp(train_words / 20, 100, 2000), 50)
    per_epoch = max(1, math.ceil(train_words / batch))
    steps = _round(_clamp(per_epoch * 10, 200, 20000), 50)
    evals = _round(_clamp(steps / 10, 20, 1000), 10)
    steps = max(evals, round(steps / evals) * evals)
    return {"max_steps": steps, "eval_frequency": evals, "patience": 0,
            "warmup_steps": max(1, steps // 10), "batch_words": batch}


def _path(path: Path) -> str:
    """A path as a spec holds it: as given (a relative path is read from the working directory)."""
    return path.as_posix()


def _link(target: Path, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        link.symlink_to(os.path.relpath(target.resolve(), link.parent.resolve()),
                        target_is_directory=True)
    except OSError:  # no symlinks here: copy the shards
        shutil.copytree(target, link)


def merge_corpus(folders: Sequence[Path], corpus: Path) -> Dict[str, str]:
    """``corpus/{train,dev,test}/<i>-<folder name>`` -> each folder's split (links, else copies)."""
    for split in SPLITS:
        if (corpus / split).exists():
            shutil.rmtree(corpus / split)
        for i, folder in enumerate(folders):
            if (folder / split).is_dir():
                _link(folder / split, corpus / split / f"{i}-{folder.name}")
    return {split: _path(corpus / split) for split in SPLITS}


def init_spec(name: str, data: Sequence[PathLike], *, encoder: Optional[str] = None,
              output: Optional[PathLike] = None, corpus: Optional[PathLike] = None,
              lang: Optional[str] = None, force: bool = False,
              registry: Any = None) -> Path:
    """Write ``pipeline/NAME.yml`` (or ``output``) for the data folders; returns its path."""
    from plait.plugins.registry import get_registry
    from plait.training.spec import parse_spec

    registry = registry or get_registry()
    folders = [Path(d) for d in data]
    metas = [read_meta(folder) for folder in folders]
    output = Path(output) if output is not None else Path("pipeline") / f"{name}.yml"
    if output.exists() and not force:
        raise DataError(Errors.E117.format(path=output))
    components: List[Dict[str, Any]] = []
    seen: Dict[str, Path] = {}
    train_docs = train_words = 0
    for folder, meta in zip(folders, metas):
        info = registry.component(meta["component"])
        if info.name in seen:
            raise DataError(Errors.E116.format(paths=f"{seen[info.name]} and {folder}",
                                               task=info.task, name=info.name))
        seen[info.name] = folder
        if not meta.get("counts", {}).get("train"):
            raise DataError(Errors.E121.format(counts=f"{folder}: {meta.get('counts')}"))
        entry: Dict[str, Any] = {"component": info.name}
        if meta.get("labels") and (info.gold is None or "pair" not in info.gold.accepts):
            entry["labels"] = list(meta["labels"])
        options = (info.gold.configure(data_profile(folder, meta))
                   if info.gold is not None and info.gold.configure else {})
        if options:
            entry["options"] = options
        components.append(entry)
        train_docs += meta["counts"]["train"]
        train_words += meta.get("words", {}).get("train", 0)
    if not sum(m.get("counts", {}).get("dev", 0) for m in metas):
        raise DataError(Errors.E124.format(paths=", ".join(str(f) for f in folders)))
    if len(folders) == 1:
        paths = {split: _path(folders[0] / split) for split in SPLITS}
    else:
        paths = merge_corpus(folders, Path(corpus) if corpus else Path("corpus") / name)
    langs = {m.get("lang", "en") for m in metas}
    spec: Dict[str, Any] = {
        "name": name,
        "lang": lang or (langs.pop() if len(langs) == 1 else "en"),
        **({"encoder": encoder} if encoder else {}),
        "description": f"Trained on {', '.join(str(f) for f in folders)} (plait init).",
        "components": components,
        "training": {"train": paths["train"], "dev": paths["dev"], "seed": 0,
                     **training_settings(train_docs, train_words)},
    }
    parse_spec(spec, output, list(registry.components()))  # what we write must validate
    output.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# Written by `plait init {name}` from {', '.join(str(f) for f in folders)}.\n"
              f"# Training settings are sized to {train_docs} training docs ({train_words} words); "
              f"edit freely.\n# Test split: {paths['test']} (plait evaluate).\n")
    output.write_text(header + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True),
                      encoding="utf8")
    return output
