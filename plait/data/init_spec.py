"""``plait init NAME --data DIR [--data DIR2 ...]``: a pipeline spec for imported data folders.

One component per data folder (the component ``meta.json`` names), its labels from the data, the
options its ``GoldInfo.configure`` asks for (e.g. multi-label classes), and training settings: batch,
learning rate and batcher from the :data:`RULES` row of the data's shape, steps, evaluation frequency
and warm-up sized to the data, then to a time budget on this machine (``--budget``: a measured
training speed, :mod:`plait.training.throughput`). Several folders are merged into one
multi-task corpus (``corpus/NAME/{train,dev}`` linking each folder's split), which works because every
component trains only on the docs that hold its gold (docs/components.md).
"""
from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import yaml

from plait.errors import DataError, Errors
from plait.data.importer import SPLITS
from plait.data.stats import read_meta, data_profile

PathLike = Union[str, Path]


def _clamp(value: float, low: int, high: int) -> int:
    return int(max(low, min(high, value)))


def _round(value: int, step: int) -> int:
    return max(step, int(round(value / step)) * step)


@dataclass(frozen=True)
class Rule:
    """One row of :data:`RULES`: the settings for a data shape (the gold's shape, words per doc)."""

    row: str                 # its name, printed by ``plait init`` and written in the spec's header
    gold: str                # the gold shape the component accepts first ("labels", "spans", "pair");
    max_doc_words: float     # "" any. Rows match when mean words per training doc <= this (0: any)
    batch_words: int         # words per batch (smaller when the data is small: 1/20 of its words)
    learning_rate: float
    batch_by: str            # the batcher ("words" | "padded")
    evidence: str            # measured (a results file) or extrapolated (from what)


# The one table `plait init` chooses its batch, learning rate and batcher from: the first row whose
# gold shape and document length match. docs/data.md ("How `plait init` sizes training") prints it
# with its evidence; benchmarks/init_rules.py measures rows (benchmarks/results/init_rules-*.json).
SHORT = 64  # words per doc: sentences, tweets, questions, headlines (one window each)
RULES: Tuple[Rule, ...] = (
    Rule("spans, sentences", "spans", SHORT, 1000, 1e-4, "padded",
         "measured: benchmarks/results/init_rules-conll-sentences-2k.json, test F1 78.2 against "
         "73.5 at 2,000 words x 5e-5 over 100 steps; WNUT-17 in issue 35"),
    Rule("spans, documents", "spans", 0, 2000, 5e-5, "words",
         "extrapolated: the hand-set CoNLL-2003 quality spec (docs/data.md)"),
    Rule("labels, short texts", "labels", SHORT, 1000, 1e-4, "padded",
         "memory measured: benchmarks/results/train_memory-short-texts.json; the rate "
         "extrapolated from the spans row"),
    Rule("labels, long texts", "labels", 0, 2000, 5e-5, "words",
         "extrapolated: the hand-set BBC topics quality spec; memory measured: "
         "benchmarks/results/train_memory-long-articles.json"),
    Rule("pairs", "pair", 0, 2000, 5e-5, "words",
         "extrapolated: the hand-set news-articles quality spec (3,000 words), 2,000 for memory"),
    Rule("any", "", 0, 2000, 5e-5, "words", "extrapolated: Plait's spec defaults"),
)


def choose_rule(gold: str, words_per_doc: float) -> Rule:
    """The first row of :data:`RULES` for this gold shape and mean document length."""
    for rule in RULES:
        if rule.gold in ("", gold) and (not rule.max_doc_words or words_per_doc <= rule.max_doc_words):
            return rule
    return RULES[-1]


def training_settings(train_docs: int, train_words: int, rule: Optional[Rule] = None
                      ) -> Dict[str, Any]:
    """Batch, learning rate, steps, evaluation and warm-up sized to the training data.

    The row's batch (``rule``: default the table's last row), at most 1/20 of the training words (at
    least 100), so an epoch is about 20+ batches; ~10 epochs (200 to 20,000 steps), ten evaluations a
    run (every 20 to 1,000 steps), 10% warm-up. The steps are a multiple of the evaluation frequency,
    so the last steps are scored too (spaCy evaluates only every ``eval_frequency`` steps)."""
    rule = rule or RULES[-1]
    batch = _round(_clamp(train_words / 20, 100, rule.batch_words), 50)
    per_epoch = max(1, math.ceil(train_words / batch))
    steps = _round(_clamp(per_epoch * 10, 200, 20000), 50)
    evals = _round(_clamp(steps / 10, 20, 1000), 10)
    steps = max(evals, round(steps / evals) * evals)
    return {"max_steps": steps, "eval_frequency": evals, "patience": 0,
            "warmup_steps": max(1, steps // 10), "batch_words": batch,
            "learning_rate": rule.learning_rate,
            **({"batch_by": rule.batch_by} if rule.batch_by != "words" else {})}


# -- a time budget -------------------------------------------------------------------------------------
DEFAULT_BUDGET = "20m"
MIN_STEPS = 50  # below this a run learns little: the budget is reported as too small instead
_UNITS = {"s": 1, "m": 60, "h": 3600}


def parse_budget(value: Union[str, int, float, None]) -> Optional[float]:
    """``"90s"``, ``"20m"``, ``"1.5h"``, ``"600"`` (seconds) -> seconds; ``"none"``/``None`` -> None."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "off", "")):
        return None
    text = str(value).strip().lower()
    unit = _UNITS.get(text[-1:], None)
    number = text[:-1] if unit else text
    try:
        seconds = float(number) * (unit or 1)
    except ValueError:
        seconds = -1.0
    if not math.isfinite(seconds) or seconds <= 0:
        raise DataError(Errors.E237.format(value=value))
    return seconds


def duration(seconds: float) -> str:
    """``42 s``, ``14 min``, ``3.2 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def estimate_seconds(settings: Dict[str, Any], speed: Dict[str, Any], dev_words: int, *,
                     tune_on_dev: bool = True) -> float:
    """Wall time of a run: initialization, the steps at the measured training speed, and every
    evaluation on dev (twice when dev tuning runs the pipeline on dev again before a save)."""
    steps = settings["max_steps"] * _step_seconds(settings, speed)
    evals = settings["max_steps"] // settings["eval_frequency"] + 1
    per_eval = dev_words / max(speed["predict_wps"], 1e-6) * (2 if tune_on_dev else 1)
    return speed.get("init_seconds", 0.0) + steps + evals * per_eval


def _step_seconds(settings: Dict[str, Any], speed: Dict[str, Any]) -> float:
    """One update's time: measured with these settings' batch, else from words/s."""
    if speed.get("step_seconds"):
        return float(speed["step_seconds"])
    return settings["batch_words"] / max(speed["train_wps"], 1e-6)


def fit_budget(settings: Dict[str, Any], budget: float, speed: Dict[str, Any],
               dev_words: int) -> Dict[str, Any]:
    """The data's settings, with fewer steps (and evaluations every tenth of them, 10% warm-up)
    where the run would take longer than ``budget`` seconds here."""
    if estimate_seconds(settings, speed, dev_words) <= budget:
        return dict(settings)
    per_eval = 2 * dev_words / max(speed["predict_wps"], 1e-6)
    evals = 10
    while evals > 2 and (evals + 1) * per_eval > budget / 4:  # evaluation takes at most a quarter
        evals -= 1
    left = budget - speed.get("init_seconds", 0.0) - (evals + 1) * per_eval
    steps = int(max(0.0, left) / _step_seconds(settings, speed))
    every = max(1, steps // evals)
    every -= every % (10 if every >= 100 else 5 if every >= 20 else 1)  # round numbers, down
    steps = max(MIN_STEPS, every * evals)
    if steps == MIN_STEPS and every * evals < MIN_STEPS:
        every = MIN_STEPS // evals
        steps = every * evals
    return {**settings, "max_steps": steps, "eval_frequency": every,
            "warmup_steps": max(1, steps // 10)}


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
              budget: Union[str, float, None] = DEFAULT_BUDGET,
              say: Callable[[str], None] = lambda line: None, registry: Any = None) -> Path:
    """Write ``pipeline/NAME.yml`` (or ``output``) for the data folders; returns its path.

    Settings come from the :data:`RULES` row of the data's shape, sized to the data
    (:func:`training_settings`); with a ``budget`` (``"20m"``, seconds; ``None``/``"none"``: no
    budget) the run is also sized to take about that long on this machine, from a measured training
    speed (:mod:`plait.training.throughput`). ``say`` gets what was chosen and why, line by line
    (the spec's header holds the same lines)."""
    from plait.plugins.registry import get_registry
    from plait.training.spec import parse_spec

    budget_seconds = parse_budget(budget)
    registry = registry or get_registry()
    folders = [Path(d) for d in data]
    metas = [read_meta(folder) for folder in folders]
    output = Path(output) if output is not None else Path("pipeline") / f"{name}.yml"
    if output.exists() and not force:
        raise DataError(Errors.E117.format(path=output))
    components: List[Dict[str, Any]] = []
    seen: Dict[str, Path] = {}
    profile_lines: List[str] = []  # the options the plugins picked for the data, said and kept
    train_docs = train_words = dev_words = 0
    shapes: Dict[str, int] = {}  # gold shape -> training words: the largest one picks the row
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
            profile_lines.append(
                f"{info.name}: options {', '.join(f'{k}: {v}' for k, v in options.items())} for "
                f"these data (its plugin's choice; edit or drop them in the spec).")
        components.append(entry)
        words = meta.get("words", {})
        train_docs += meta["counts"]["train"]
        train_words += words.get("train", 0)
        dev_words += words.get("dev", 0)
        shape = info.gold.accepts[0] if info.gold is not None else ""
        shapes[shape] = shapes.get(shape, 0) + words.get("train", 0)
    if not sum(m.get("counts", {}).get("dev", 0) for m in metas):
        raise DataError(Errors.E124.format(paths=", ".join(str(f) for f in folders)))
    if len(folders) == 1:
        paths = {split: _path(folders[0] / split) for split in SPLITS}
    else:
        paths = merge_corpus(folders, Path(corpus) if corpus else Path("corpus") / name)
    words_per_doc = train_words / max(1, train_docs)
    rule = choose_rule(max(shapes, key=shapes.get), words_per_doc)
    wanted = training_settings(train_docs, train_words, rule)
    langs = {m.get("lang", "en") for m in metas}
    spec: Dict[str, Any] = {
        "name": name,
        "lang": lang or (langs.pop() if len(langs) == 1 else "en"),
        **({"encoder": encoder} if encoder else {}),
        "description": f"Trained on {', '.join(str(f) for f in folders)} (plait init).",
        "components": components,
        "training": {"train": paths["train"], "dev": paths["dev"], "seed": 0, **wanted},
    }
    parsed = parse_spec(spec, output, list(registry.components()))  # what we write must validate
    lines = [f"Settings: row '{rule.row}' of plait init's table (batch {rule.batch_words:,} words, "
             f"learning rate {rule.learning_rate:g}, {rule.batch_by} batches; {rule.evidence}), "
             f"for {train_docs:,} training docs of {words_per_doc:.0f} words on average.",
             *profile_lines]
    chosen = wanted
    if budget_seconds is not None:
        from plait.training.throughput import cache_path, training_speed

        speed = training_speed(parsed, words_per_doc, say=say)
        chosen = fit_budget(wanted, budget_seconds, speed, dev_words)
        took = estimate_seconds(chosen, speed, dev_words)
        where = f"{speed['cpu']}, {speed['threads']} thread{'s' if speed['threads'] != 1 else ''}"
        lines.insert(0, f"~{duration(took)} on {where}: {chosen['max_steps']:,} steps x "
                        f"{chosen['batch_words']:,} words (budget {duration(budget_seconds)}).")
        epochs = wanted["max_steps"] * wanted["batch_words"] / max(1, train_words)
        if chosen["max_steps"] < wanted["max_steps"]:
            lines.append(f"The data would want {wanted['max_steps']:,} steps (~{epochs:.0f} epochs of "
                         f"{train_words:,} words): ~{duration(estimate_seconds(wanted, speed, dev_words))}"
                         f" here; the budget allows {chosen['max_steps']:,} (evaluated every "
                         f"{chosen['eval_frequency']:,}). Give more time with --budget, e.g. "
                         f"--budget {_suggest(estimate_seconds(wanted, speed, dev_words))}.")
            if took > budget_seconds * 1.1:
                lines.append(f"Even the shortest run ({MIN_STEPS} steps) takes longer than the "
                             f"budget here.")
        else:
            lines.append(f"The budget holds the data's {wanted['max_steps']:,} steps (~{epochs:.0f} "
                         f"epochs).")
        lines.append(f"Speed here: {_step_seconds(chosen, speed):.3g} s a step, "
                     f"{speed['train_wps']:,.0f} training words/s, "
                     f"{speed['predict_wps']:,.0f} predicted words/s "
                     f"({'cached' if speed.get('cached') else 'measured now'}; "
                     f"{speed.get('measured', '')}).")
        if speed.get("load", 0) > speed.get("cpus", 1):
            lines.append(f"The machine was busy when measured (load {speed['load']:g} on "
                         f"{speed['cpus']} CPUs): the estimate is pessimistic when it is idle; "
                         f"plait init measures again once it is not (or delete "
                         f"{cache_path()}).")
        spec["training"].update(chosen)
    else:
        lines.append(f"No time budget: {wanted['max_steps']:,} steps x {wanted['batch_words']:,} "
                     f"words (~10 epochs).")
    for line in lines:
        say(line)
    output.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# Written by `plait init {name}` from {', '.join(str(f) for f in folders)}.\n"
              f"# Training settings are sized to {train_docs} training docs ({train_words} words); "
              f"edit freely.\n"
              + "".join(f"# {line}\n" for line in lines)
              + f"# Test split: {paths['test']} (plait evaluate).\n")
    output.write_text(header + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True),
                      encoding="utf8")
    return output


def _suggest(seconds: float) -> str:
    """A --budget value a little above ``seconds``."""
    if seconds < 3600:
        return f"{math.ceil(seconds / 60)}m"
    return f"{math.ceil(seconds / 1800) / 2:g}h"
