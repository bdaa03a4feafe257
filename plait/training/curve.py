"""Learning curves (``plait curve SPEC``): how a pipeline's scores grow with its training data.

The spec is trained on nested subsets of its training data (each subset holds every smaller one),
several seeds per size, by :func:`plait.training.trainer.train` (the one training path), and every
model is scored on one full evaluation split by :func:`plait.evaluation.evaluate` (each component's
own scorer). Sizes are counts per class when every component's gold is labels (read through its
:class:`~plait.plugins.contracts.GoldInfo`, never a task's own attribute), document counts
otherwise, or fractions of the training set; ``all`` is the whole set. Size 0 is the zero-shot
point: each component is replaced by the component its registration names as its zero-shot
stand-in (``ComponentInfo.zero_shot``), initialized without a training step.

The subsets depend on the data seed only, so every training seed and component sees the same
documents. Per class, documents are ranked round-robin (a round adds one new document of every
class, in a shuffled order) and the subset of ``k`` per class is the first ``k`` rounds: nested by
construction, for multi-label data too. Every finished run is written to the table at once
(``curve.json``, replaced atomically) and skipped when the command runs again, so a killed curve
resumes point by point, and a run killed mid-training resumes from its last checkpoint.
"""
from __future__ import annotations

import json
import math
import os
import random
import shutil
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from plait.errors import Errors, PlaitValueError

PathLike = Union[str, Path]
SCHEMA = "plait.curve.v1"
TABLE = "curve.json"
PLOT = "curve.png"
UNITS = ("auto", "per-class", "sentences", "docs")


@dataclass(frozen=True)
class Size:
    """One point of the curve: ``count`` (per class or documents), ``fraction``, or all."""

    label: str
    count: Optional[int] = None
    fraction: Optional[float] = None

    @property
    def is_all(self) -> bool:
        return self.label == "all"

    @property
    def is_zero(self) -> bool:
        return self.count == 0 or self.fraction == 0.0


def parse_sizes(text: Union[str, Sequence[str]]) -> List[Size]:
    """``"0,8,16,32,all"`` (counts), ``"0.1,25%,all"`` (fractions) -> sorted, distinct sizes."""
    parts = [p.strip() for p in (text.split(",") if isinstance(text, str) else text)]
    sizes: Dict[str, Size] = {}
    for part in filter(None, parts):
        low = part.lower()
        try:
            if low == "all":
                size = Size("all")
            elif low.endswith("%") or "." in low:
                value = float(low[:-1]) / 100 if low.endswith("%") else float(low)
                if not 0.0 <= value <= 1.0:
                    raise PlaitValueError(Errors.E240.format(sizes=text, part=part))
                size = Size("all") if value == 1.0 else Size(f"{value:g}", fraction=value)
            else:
                value = int(low)
                if value < 0:
                    raise PlaitValueError(Errors.E240.format(sizes=text, part=part))
                size = Size(str(value), count=value)
        except ValueError:
            raise PlaitValueError(Errors.E240.format(sizes=text, part=part)) from None
        sizes[size.label] = size
    values = list(sizes.values())
    if not values or (any(s.count for s in values) and any(s.fraction for s in values)):
        raise PlaitValueError(Errors.E240.format(sizes=text, part="counts and fractions mixed"
                                                 if values else "no size"))
    return sorted(values, key=lambda s: (s.is_all, s.count or s.fraction or 0.0))


# -- subsets ----------------------------------------------------------------------------------------

def gold_readers(spec: Any, registry: Any = None) -> Dict[str, Tuple[Any, Optional[List[str]]]]:
    """pipe name -> (its component's GoldInfo or None, the spec's labels for it)."""
    if registry is None:
        from plait.plugins.registry import get_registry

        registry = get_registry()
    return {comp.pipe_name: (registry.component(comp.component).gold, comp.labels)
            for comp in spec.components}


def doc_classes(doc: Any, readers: Dict[str, Tuple[Any, Optional[List[str]]]]) -> List[str]:
    """The classes a training document is an example of: the positive labels of the gold each
    component's GoldInfo reads from it (``pipe:label`` when several components read labels)."""
    labelled = [name for name, (gold, _) in readers.items() if gold and "labels" in gold.accepts]
    out: List[str] = []
    for name in labelled:
        gold_info, labels = readers[name]
        gold = gold_info.read(doc)
        if gold is None or gold.labels is None:
            continue
        for label in gold.positives():
            if labels is None or label in labels:
                out.append(f"{name}:{label}" if len(labelled) > 1 else label)
    return out


def resolve_unit(unit: str, sizes: Sequence[Size],
                 readers: Dict[str, Tuple[Any, Optional[List[str]]]],
                 sentences: bool = False) -> str:
    """``per-class``, ``sentences``, ``docs`` or ``fraction``: what the sizes count (``auto``:
    classes when every component's gold is labels, else sentences where the training documents
    mark them (``sentences``), else documents)."""
    if unit not in UNITS:
        raise PlaitValueError(Errors.E241.format(unit=unit, units=", ".join(UNITS)))
    if any(s.fraction for s in sizes):
        return "fraction"
    classifiers = all(gold is not None and "labels" in gold.accepts for gold, _ in readers.values())
    if unit == "auto":
        return "per-class" if classifiers else "sentences" if sentences else "docs"
    if unit == "per-class" and not classifiers:
        others = [name for name, (gold, _) in readers.items()
                  if gold is None or "labels" not in gold.accepts]
        raise PlaitValueError(Errors.E242.format(pipes=", ".join(others),
                                                 verb="is" if len(others) == 1 else "are"))
    return unit


def ranks(classes: Sequence[Sequence[str]], *, per_class: bool, seed: int) -> List[int]:
    """The rank of every document (its index in ``classes``): a subset of size ``k`` is the
    documents of rank < k (documents) or of rank < k rounds (per class). Depends on ``seed``
    only. Per class, a document with no class gets a rank after every round."""
    order = list(range(len(classes)))
    random.Random(seed).shuffle(order)
    if not per_class:
        out = [0] * len(order)
        for position, index in enumerate(order):
            out[index] = position
        return out
    queues: Dict[str, List[int]] = {}
    for index in order:
        for cls in classes[index]:
            queues.setdefault(cls, []).append(index)
    unranked = len(order) + 1
    out = [unranked] * len(order)
    heads = {cls: 0 for cls in queues}
    round_ = 0
    while any(heads[cls] < len(queue) for cls, queue in queues.items()):
        for cls in sorted(queues):
            queue = queues[cls]
            while heads[cls] < len(queue) and out[queue[heads[cls]]] != unranked:
                heads[cls] += 1  # already added (for another class of the same document)
            if heads[cls] < len(queue):
                out[queue[heads[cls]]] = round_
                heads[cls] += 1
        round_ += 1
    return out


def subset(doc_ranks: Sequence[int], size: Size, unit: str,
           weights: Optional[Sequence[int]] = None) -> List[int]:
    """Indices (in corpus order) of the documents in the subset of ``size``. ``sentences``: the
    shortest run of documents in rank order that holds ``size`` sentences (``weights``: each
    document's sentence count), so the subsets stay nested."""
    n = len(doc_ranks)
    if size.is_all:
        return list(range(n))
    if unit == "fraction":
        keep = int(round(float(size.fraction or 0.0) * n))
    elif unit == "sentences" and weights is not None:
        total, keep = 0, 0
        for index in sorted(range(n), key=doc_ranks.__getitem__):
            if total >= int(size.count or 0):
                break
            total += max(1, int(weights[index]))
            keep += 1
    else:
        keep = int(size.count or 0)
    return [i for i, rank in enumerate(doc_ranks) if rank < keep]


def sentence_count(doc: Any) -> int:
    """Sentences of a training document where its sentence starts are annotated, else 0."""
    if not len(doc) or not doc.has_annotation("SENT_START"):
        return 0
    return sum(1 for _ in doc.sents)


# -- the table --------------------------------------------------------------------------------------

def main_metric(factory: str, scores: Dict[str, Any]) -> Optional[str]:
    """The score a component's factory weighs most (its ``default_score_weights``)."""
    from spacy.language import Language

    try:
        weights = Language.get_factory_meta(factory).default_score_weights or {}
    except (ValueError, KeyError):
        weights = {}
    ranked = sorted((w, k) for k, w in weights.items() if w and isinstance(scores.get(k), float))
    if ranked:
        return ranked[-1][1]
    return next((k for k, v in scores.items() if isinstance(v, float)), None)


def run_scores(metrics: Dict[str, Any], metric: Optional[Dict[str, str]] = None
               ) -> Dict[str, Dict[str, Any]]:
    """pipe -> {metric, value, scores (every float score)} from ``evaluate``'s output."""
    out: Dict[str, Dict[str, Any]] = {}
    for name, entry in (metrics.get("components") or {}).items():
        scores = entry.get("scores") or {}
        flat = {k: v for k, v in scores.items() if isinstance(v, (int, float))
                and not isinstance(v, bool)}
        key = (metric or {}).get(name) or main_metric(entry.get("factory", ""), scores)
        out[name] = {"metric": key, "value": flat.get(key) if key else None, "scores": flat}
    return out


def aggregate(runs: Sequence[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """pipe -> mean, std (sample; 0 for one run), min, max and count of its main score."""
    out: Dict[str, Dict[str, Any]] = {}
    pipes = sorted({p for run in runs for p in run.get("scores", {})})
    for pipe in pipes:
        values = [run["scores"][pipe]["value"] for run in runs
                  if isinstance((run.get("scores", {}).get(pipe) or {}).get("value"), (int, float))]
        if not values:
            out[pipe] = {"mean": None, "std": None, "n": 0}
            continue
        mean = sum(values) / len(values)
        std = (math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
               if len(values) > 1 else 0.0)
        metric = next(run["scores"][pipe]["metric"] for run in runs if pipe in run.get("scores", {}))
        out[pipe] = {"metric": metric, "mean": mean, "std": std, "min": min(values),
                     "max": max(values), "n": len(values)}
    return out


def advice(points: Sequence[Dict[str, Any]], unit: str) -> List[str]:
    """One line per component: did the last doubling of the data pay, and what another doubling
    may buy, from the log-linear trend (score against log2 of the size) of the trained points."""
    lines: List[str] = []
    trained = [p for p in points if p.get("n_docs") and p.get("stats")]
    pipes = sorted({pipe for p in trained for pipe in p["stats"]})
    for pipe in pipes:
        xs: List[float] = []
        ys: List[float] = []
        stds: List[float] = []
        for p in sorted(trained, key=lambda p: p["n_docs"]):
            s = p["stats"].get(pipe) or {}
            if s.get("mean") is not None and (not xs or p["n_docs"] > xs[-1]):
                xs.append(float(p["n_docs"]))
                ys.append(float(s["mean"]))
                stds.append(float(s.get("std") or 0.0))
        metric = next((p["stats"][pipe].get("metric") for p in trained
                       if p["stats"].get(pipe, {}).get("metric")), "score")
        if len(xs) < 2:
            lines.append(f"{pipe}: one trained size only; add smaller sizes to see the trend.")
            continue
        doublings = math.log2(xs[-1] / xs[-2])
        gain = (ys[-1] - ys[-2]) / doublings  # per doubling
        logs = [math.log2(x) for x in xs[-3:]]
        tail = ys[-3:]
        mx, my = sum(logs) / len(logs), sum(tail) / len(tail)
        var = sum((x - mx) ** 2 for x in logs)
        slope = sum((x - mx) * (y - my) for x, y in zip(logs, tail)) / var if var else 0.0
        nxt = min(1.0, my + slope * (logs[-1] + 1 - mx))
        noise = max(stds[-1], stds[-2])
        step = f"{_size_text(points, xs[-2], unit)} -> {_size_text(points, xs[-1], unit)}"
        if gain > max(0.01, noise):
            verdict = f"the last doubling ({step}) still paid: {100 * gain:+.1f} points of {metric}"
        elif gain > 0:
            verdict = (f"the last doubling ({step}) gained only {100 * gain:+.1f} points of {metric}"
                       f"{' (within the spread of the seeds)' if gain <= noise else ''}")
        else:
            verdict = f"the last doubling ({step}) did not pay ({100 * gain:+.1f} points of {metric})"
        forecast = (f"another doubling may bring about {100 * (nxt - ys[-1]):+.1f} "
                    f"(to ~{100 * nxt:.1f}, log-linear trend of the last {len(logs)} sizes)")
        lines.append(f"{pipe}: {verdict}; {forecast}.")
    return lines


def _size_text(points: Sequence[Dict[str, Any]], n_docs: float, unit: str) -> str:
    point = next(p for p in points if p.get("n_docs") == n_docs)
    if point["size"] == "all":
        return f"all {int(n_docs)} docs"
    if unit == "per-class":
        return f"{point['size']}/class, {int(n_docs)} docs"
    if unit == "fraction":
        return f"{point['size']}, {int(n_docs)} docs"
    if unit == "sentences":
        return f"{point.get('n_sentences', point['size'])} sentences"
    return f"{int(n_docs)} docs"


def write_table(table: Dict[str, Any], path: Path) -> None:
    """Replace ``path`` atomically, so a kill never leaves half a table."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(table, indent=2) + "\n", encoding="utf8")
    os.replace(tmp, path)


def plot(table: Dict[str, Any], path: Path) -> Optional[Path]:
    """Mean score ± std against training size (log scale); the zero-shot point as a line."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    points = table["points"]
    pipes = sorted({pipe for p in points for pipe in p.get("stats", {})})
    if not pipes:
        return None
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for i, pipe in enumerate(pipes):
        color = f"C{i}"
        rows = [(p["n_docs"], p["stats"][pipe]) for p in points
                if p.get("n_docs") and (p.get("stats", {}).get(pipe) or {}).get("mean") is not None]
        if rows:
            ax.errorbar([r[0] for r in rows], [r[1]["mean"] for r in rows],
                        yerr=[r[1]["std"] for r in rows], marker="o", capsize=3, color=color,
                        label=f"{pipe} ({rows[0][1].get('metric')})")
        zero = next((p["stats"][pipe] for p in points if p.get("zero_shot")
                     and (p.get("stats", {}).get(pipe) or {}).get("mean") is not None), None)
        if zero is not None:
            ax.axhline(zero["mean"], linestyle="--", color=color, alpha=0.7,
                       label=f"{pipe}: zero-shot")
    ax.set_xscale("log", base=2)
    ticks = sorted({p["n_docs"] for p in points if p.get("n_docs")})
    if ticks:
        ax.set_xticks(ticks)
        ax.set_xticklabels([str(t) for t in ticks])
        ax.minorticks_off()
    unit = table.get("unit")
    ax.set_xlabel("training documents" + (" (subsets of k per class)" if unit == "per-class"
                                          else ""))
    ax.set_ylabel("score (mean ± std over seeds)")
    ax.set_title(f"Learning curve: {table.get('name', '')}")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# -- running ----------------------------------------------------------------------------------------

def zero_shot_spec(spec: Any, options: Optional[Dict[str, Dict[str, Any]]] = None,
                   registry: Any = None) -> Tuple[Any, List[str]]:
    """The spec with every component that names a zero-shot stand-in replaced by it (same pipe
    name, labels and the options the stand-in takes, then ``options[pipe]``: e.g. label
    descriptions); and the pipes replaced."""
    if registry is None:
        from plait.plugins.registry import get_registry

        registry = get_registry()
    data = spec.model_dump()
    swapped = []
    for comp in data["components"]:
        info = registry.component(comp["component"])
        if not info.zero_shot:
            continue
        stand_in = registry.component(info.zero_shot)
        comp["name"] = comp.get("name") or comp["component"]
        comp["component"] = stand_in.name
        comp["options"] = {k: v for k, v in (comp.get("options") or {}).items()
                           if k.split(".")[0] in stand_in.config}
        comp["options"].update((options or {}).get(comp["name"]) or {})
        swapped.append(comp["name"])
    unknown = sorted(set(options or {}) - set(swapped))
    if unknown:
        raise PlaitValueError(Errors.E247.format(pipes=", ".join(unknown),
                                                 swapped=", ".join(swapped) or "none"))
    return type(spec).model_validate(data), swapped


def _identity(spec_path: Path, train: Path, dev: Any, test: Path, unit: str, data_seed: int,
              overrides: Dict[str, Any], zero_shot: Dict[str, Any]) -> Dict[str, Any]:
    import hashlib

    return {"spec_sha256": hashlib.sha256(spec_path.read_bytes()).hexdigest(),
            "train": str(train), "dev": str(dev), "test": str(test), "unit": unit,
            "data_seed": data_seed,
            "overrides": {k: overrides[k] for k in sorted(overrides)},
            "zero_shot_options": zero_shot}


def curve(spec_path: PathLike, output: PathLike, *, sizes: Union[str, Sequence[Size]] = "0,8,16,32,all",
          seeds: Sequence[int] = (0, 1, 2), test: Optional[PathLike] = None, unit: str = "auto",
          data_seed: int = 0, overrides: Optional[Dict[str, Any]] = None, gpu_id: int = -1,
          keep_models: bool = False, progress: bool = True,
          zero_shot_options: Optional[Dict[str, Dict[str, Any]]] = None,
          say: Callable[[str], None] = print) -> Dict[str, Any]:
    """Train ``spec_path`` on nested subsets of its training data, ``seeds`` each, score every run
    on ``test`` (default: the spec's dev split); returns the table written to ``output/curve.json``
    (and its plot ``output/curve.png``). Recorded runs are skipped (resume).
    ``zero_shot_options``: pipe -> options of its zero-shot stand-in (the size-0 point)."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    from plait.evaluation import evaluate, read_gold
    from plait.training.spec import load_spec
    from plait.training.trainer import hardware, git_commit, train

    spec_path, output = Path(spec_path), Path(output)
    spec = load_spec(spec_path)
    sizes = [s for s in sizes if isinstance(s, Size)] or parse_sizes(sizes)
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    if not seeds:
        raise PlaitValueError(Errors.E249)
    overrides = dict(overrides or {})
    train_path = Path(overrides.pop("paths.train", spec.training.train))
    dev_path = overrides.pop("paths.dev", spec.training.dev)
    test = Path(test) if test is not None else Path(dev_path)
    for what, path in (("train", train_path), ("test", test)):
        if not path.exists():
            raise PlaitValueError(Errors.E243.format(path=spec_path, what=what, data=path))
    readers = gold_readers(spec)
    docs = [doc for _, doc in read_gold(train_path, Vocab())]
    sentences = [sentence_count(doc) for doc in docs]
    unit = resolve_unit(unit, sizes, readers, sentences=any(sentences))
    classes = [doc_classes(doc, readers) for doc in docs]
    doc_ranks = ranks(classes, per_class=unit == "per-class", seed=data_seed)
    counts: Dict[str, int] = {}
    for found in classes:
        for cls in found:
            counts[cls] = counts.get(cls, 0) + 1

    output.mkdir(parents=True, exist_ok=True)
    table_path = output / TABLE
    identity = _identity(spec_path, train_path, dev_path, test, unit, data_seed, overrides,
                         dict(zero_shot_options or {}))
    table: Dict[str, Any] = {"schema": SCHEMA, "name": spec.name, "spec": str(spec_path),
                             **identity,
                             "n_train": len(docs), "classes": dict(sorted(counts.items())),
                             "points": []}
    if table_path.exists():
        try:
            old = json.loads(table_path.read_text(encoding="utf8"))
        except (OSError, ValueError) as exc:
            raise PlaitValueError(Errors.E244.format(path=table_path, reason=exc)) from None
        changed = [k for k in identity if old.get(k) != identity[k]]
        if old.get("schema") != SCHEMA or changed:
            raise PlaitValueError(Errors.E244.format(
                path=table_path, reason="it was made with other settings ("
                + ", ".join(changed or ["schema"]) + ")"))
        table["points"] = old.get("points", [])
    by_label = {p["size"]: p for p in table["points"]}
    for size in sizes:
        if size.label not in by_label:
            by_label[size.label] = {"size": size.label, "runs": []}
    table["points"] = sorted(by_label.values(), key=lambda p: _order(p["size"]))

    zero_spec_path: Optional[Path] = None
    if any(s.is_zero for s in sizes):
        zspec, swapped = zero_shot_spec(spec, zero_shot_options)
        if not swapped:
            raise PlaitValueError(Errors.E245.format(
                path=spec_path, components=", ".join(c.component for c in spec.components)))
        import yaml

        zero_spec_path = output / "zero-shot.yml"
        zero_spec_path.write_text(yaml.safe_dump(zspec.model_dump(exclude_defaults=True),
                                                 sort_keys=False), encoding="utf8")

    todo: List[Tuple[Size, int]] = []
    for size in sizes:
        point = by_label[size.label]
        chosen = subset(doc_ranks, size, unit, sentences)
        if not size.is_zero and not chosen:
            raise PlaitValueError(Errors.E246.format(size=size.label, unit=unit, path=train_path))
        point.update({"unit": unit, "n_docs": 0 if size.is_zero else len(chosen),
                      "zero_shot": size.is_zero})
        if unit == "sentences":
            point["n_sentences"] = sum(max(1, sentences[i]) for i in chosen)
        if unit == "per-class" and not size.is_zero:
            per: Dict[str, int] = {}
            for i in chosen:
                for cls in classes[i]:
                    per[cls] = per.get(cls, 0) + 1
            point["per_class"] = dict(sorted(per.items()))
        data_file = output / "subsets" / f"{size.label}.spacy"
        if not size.is_zero and not data_file.exists():
            data_file.parent.mkdir(parents=True, exist_ok=True)
            DocBin(store_user_data=True, docs=[docs[i] for i in chosen]).to_disk(data_file)
        done = {run["seed"] for run in point["runs"]}
        for seed in ([seeds[0]] if size.is_zero else seeds):  # zero-shot: nothing random
            if seed not in done:
                todo.append((size, seed))
    write_table(table, table_path)
    recorded = sum(len(p["runs"]) for p in table["points"])
    say(f"ℹ Learning curve of {spec_path} ({unit}): sizes {', '.join(s.label for s in sizes)}; "
        f"seeds {', '.join(map(str, seeds))}; scored on {test}; {len(todo)} run(s) to do"
        + (f", {recorded} recorded in {table_path}" if recorded else ""))

    bar = _bar(len(todo), progress)
    first_seconds: Optional[float] = None
    for k, (size, seed) in enumerate(todo):
        point = by_label[size.label]
        run_dir = output / "runs" / size.label / f"seed{seed}"
        t0 = time.perf_counter()
        log = run_dir.parent / f"seed{seed}.log"
        run_dir.parent.mkdir(parents=True, exist_ok=True)
        if not (run_dir / "run.json").exists():
            run_overrides = {**overrides, "paths.dev": str(dev_path), "system.seed": seed}
            if not size.is_zero:
                run_overrides["paths.train"] = str(output / "subsets" / f"{size.label}.spacy")
            else:
                run_overrides["paths.train"] = str(train_path)
            with open(log, "a", encoding="utf8") as fh, redirect_stdout(fh), redirect_stderr(fh):
                train(zero_spec_path if size.is_zero else spec_path, run_dir, gpu_id=gpu_id,
                      overrides=run_overrides, resume=not size.is_zero,
                      initialize_only=size.is_zero)
        model = run_dir / "model-best"
        metrics = evaluate(model if model.exists() else run_dir / "model-last", test,
                           gpu_id=gpu_id, progress=None)
        seconds = time.perf_counter() - t0
        entry = {"seed": seed, "seconds": round(seconds, 1), "scores": run_scores(metrics)}
        point["runs"] = sorted([r for r in point["runs"] if r["seed"] != seed] + [entry],
                               key=lambda r: r["seed"])
        point["stats"] = aggregate(point["runs"])
        table["advice"] = advice(table["points"], unit)
        write_table(table, table_path)
        if not keep_models:
            shutil.rmtree(run_dir, ignore_errors=True)
        head = ", ".join(f"{pipe} {s['metric']} {100 * s['value']:.1f}" for pipe, s
                         in entry["scores"].items() if s.get("value") is not None)
        bar.update(1)
        bar.write(f"✔ {size.label}{'/class' if unit == 'per-class' and not size.is_zero else ''} "
                  f"seed {seed}: {head or 'no score'} ({seconds:.0f}s)")
        if first_seconds is None and not size.is_zero:
            first_seconds = seconds
            left = sum(1 for s, _ in todo[k + 1:] if not s.is_zero)
            if left:
                bar.write(f"ℹ Estimate: about {_minutes(first_seconds * left)} for the other "
                          f"{left} trained run(s) (the first took {seconds:.0f}s; larger "
                          "subsets may take longer when training runs by epochs)")
    bar.close()
    for point in table["points"]:
        if point["runs"]:
            point["stats"] = aggregate(point["runs"])
    table["advice"] = advice(table["points"], unit)
    table["machine"] = hardware(gpu_id)
    table["commit"] = git_commit()
    write_table(table, table_path)
    plotted = plot(table, output / PLOT)
    if plotted is not None:
        table["plot"] = str(plotted)
        write_table(table, table_path)
    return table


def _order(label: str) -> Tuple[int, float]:
    if label == "all":
        return (1, 0.0)
    return (0, float(label))


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f}s"


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def write(self, text: str) -> None:
        print(text, file=sys.stderr)

    def close(self) -> None:
        pass


def _bar(total: int, progress: bool) -> Any:
    """A progress bar over the runs (on the terminal's stderr: training logs go to files)."""
    if not progress or not total:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="run", desc="curve", file=sys.stderr, dynamic_ncols=True)


def table_rows(table: Dict[str, Any]) -> List[List[str]]:
    """One row per size: size, documents, then mean ± std of every component's main score."""
    pipes = sorted({pipe for p in table["points"] for pipe in p.get("stats", {})})
    rows = []
    for p in table["points"]:
        cells = [p["size"] + (" (zero-shot)" if p.get("zero_shot") else ""), str(p.get("n_docs"))]
        for pipe in pipes:
            s = (p.get("stats") or {}).get(pipe) or {}
            cells.append("—" if s.get("mean") is None else
                         f"{100 * s['mean']:.1f} ± {100 * (s.get('std') or 0):.1f} (n={s['n']})")
        rows.append(cells)
    return [["size", "docs", *pipes], *rows]
