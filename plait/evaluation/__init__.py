"""Per-component evaluation of a trained pipeline on a DocBin test split (``plait evaluate``).

The pipeline runs once over every ``.spacy`` file under the test path; then every component is scored
by its OWN spaCy scorer (``pipe.score(examples)``, what ``nlp.evaluate`` calls), on all the examples:
a scorer skips the documents that carry no gold for it, so a merged test folder that mixes tasks gives
each component the numbers ``spacy evaluate`` would give on its own documents. The evaluated
components are the pipes made by a registered Plait component's factory (any plugin's, by the same
rule), else every pipe with a scorer. A component's registration may name figures, a headline and
a report section (:class:`plait.plugins.contracts.EvaluationInfo`); without them its scores still appear.
"""
from __future__ import annotations

import json
import math
import platform
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from plait.errors import Errors, PlaitError, PlaitValueError

PathLike = Union[str, Path]
SKIP_FACTORIES = ("transformer", "tok2vec")  # shared encoders: no scores of their own


def clean(value: Any) -> Any:
    """A scorer's output as JSON data (numpy numbers to floats, NaN to None)."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return None if math.isnan(number) else number


def read_gold(path: PathLike, vocab: Any) -> List[Tuple[str, Any]]:
    """``(file name, gold doc)`` for every doc of every ``.spacy`` file under ``path`` (sorted)."""
    from spacy.tokens import DocBin
    from spacy.training.corpus import walk_corpus

    path = Path(path)
    if not path.exists():
        raise PlaitValueError(Errors.E050.format(path=path))
    files = walk_corpus(path, ".spacy")
    if not files:
        raise PlaitValueError(Errors.E051.format(path=path))
    out = []
    for f in files:
        try:
            docs = list(DocBin().from_disk(f).get_docs(vocab))
        except Exception as exc:
            raise PlaitValueError(Errors.E052.format(path=f, error=f"{type(exc).__name__}: {exc}"))
        out.extend((Path(f).name, doc) for doc in docs)
    return out


def evaluated_pipes(nlp: Any, registry: Any = None) -> Dict[str, Any]:
    """pipe name -> its registered ComponentInfo (None: a pipe with a scorer but no registration)."""
    if registry is None:
        from plait.plugins.registry import get_registry

        registry = get_registry()
    by_factory: Dict[str, Any] = {}
    try:
        for info in registry.components().values():
            by_factory.setdefault(info.factory, info)
    except Exception:  # the registry isolates plugins; still evaluate the spaCy view
        pass
    registered = {name: by_factory[nlp.get_pipe_meta(name).factory] for name in nlp.pipe_names
                  if nlp.get_pipe_meta(name).factory in by_factory}
    if registered:
        return registered
    return {name: None for name, pipe in nlp.pipeline
            if hasattr(pipe, "score") and nlp.get_pipe_meta(name).factory not in SKIP_FACTORIES}


def own_scores(pipe: Any, examples: Sequence[Any]) -> Dict[str, Any]:
    """The pipe's own scorer on ``examples`` (errors reported in the entry, not raised)."""
    if not examples or not hasattr(pipe, "score"):
        return {}
    try:
        return clean(pipe.score(examples))
    except Exception as exc:  # report, don't stop the other components
        return {"error": f"{type(exc).__name__}: {exc}"}


def _n_docs(scores: Dict[str, Any]) -> Optional[int]:
    for key, value in scores.items():
        if key.endswith("_n_docs") and isinstance(value, int):
            return value
    return None


def _call(fn: Optional[Callable[..., Any]], *args: Any) -> Any:
    if fn is None:
        return None
    try:
        return fn(*args)
    except Exception as exc:  # a plugin's presentation code never loses the scores
        return {"error": f"{type(exc).__name__}: {exc}"}


def component_entry(name: str, nlp: Any, info: Any, examples: Sequence[Any],
                    silver: Iterable[str] = ()) -> Dict[str, Any]:
    """One component's entry in metrics.json: who it is, how many docs it was scored on, its named
    figures (if its plugin names any) and its scorer's output under ``scores``."""
    pipe = nlp.get_pipe(name)
    factory = nlp.get_pipe_meta(name).factory
    task = info.task if info is not None else factory
    scores = own_scores(pipe, examples)
    labels = getattr(pipe, "labels", ()) or ()
    entry: Dict[str, Any] = {"task": task, "factory": factory,
                             "component": info.name if info is not None else None,
                             "labels": [str(label) for label in labels],
                             "n_docs": _n_docs(scores), "silver": bool({task, name} & set(silver))}
    if entry["n_docs"] is None:
        entry["n_docs"] = len(examples)
    evaluation = info.evaluation if info is not None else None
    figures = _call(evaluation.figures if evaluation else None, scores, pipe)
    if isinstance(figures, dict) and "error" not in figures:
        entry.update(clean(figures))
    elif isinstance(figures, dict):
        entry["figures_error"] = figures["error"]
    entry["scores"] = scores
    return entry


def headline(entry: Dict[str, Any], info: Any = None) -> str:
    """One line of a component's main numbers: its plugin's headline, else its numeric scores."""
    evaluation = getattr(info, "evaluation", None)
    line = _call(evaluation.headline if evaluation else None, entry)
    if isinstance(line, str):
        return line
    scores = entry.get("scores") or {}
    flat = [(k, v) for k, v in scores.items()
            if isinstance(v, float) and not k.endswith("_n_docs")][:4]
    return ", ".join(f"{k} {100 * v:.1f}" for k, v in flat) or "no scores"


def evaluate(model: PathLike, data: PathLike, *, gpu_id: int = -1, batch_size: int = 32,
             limit: int = 0, silver: Iterable[str] = (),
             progress: Optional[Callable[[str], None]] = print, window: Optional[int] = None,
             stride: Optional[int] = None) -> Dict[str, Any]:
    """Run ``model`` over the gold docs under ``data`` and score every component (metrics.json).

    ``window`` / ``stride``: run the shared transformer with these windows instead of the trained
    ones (``plait.runtime.windows``), to measure what a window policy gives."""
    from spacy.training import Example

    from plait.api import load
    from plait.runtime.windows import windows_of

    say = progress or (lambda _msg: None)
    if not Path(data).exists():
        raise PlaitValueError(Errors.E050.format(path=data))
    try:
        nlp = load(model, gpu=gpu_id if gpu_id >= 0 else False, window=window, stride=stride)
    except (OSError, ValueError) as exc:
        if isinstance(exc, PlaitError):
            raise
        raise PlaitValueError(Errors.E046.format(model=model, error=exc)) from None
    pipes = evaluated_pipes(nlp)
    if not pipes:
        raise PlaitValueError(Errors.E053.format(model=model, pipes=", ".join(nlp.pipe_names)))
    gold = read_gold(data, nlp.vocab)
    if limit:
        gold = gold[:limit]
    n_tokens = sum(len(d) for _, d in gold)
    say(f"ℹ Evaluating {model} ({', '.join(pipes)}) on {len(gold)} docs / {n_tokens} tokens "
        f"from {data}")
    start = time.perf_counter()
    every = max(25, len(gold) // 10)
    predicted = []
    for i, doc in enumerate(nlp.pipe((d.text for _, d in gold), batch_size=batch_size), 1):
        predicted.append(doc)
        if i % every == 0 or i == len(gold):
            say(f"  {i}/{len(gold)} docs ({time.perf_counter() - start:.0f}s)")
    seconds = time.perf_counter() - start
    examples = [Example(p, g) for p, (_, g) in zip(predicted, gold)]
    silver = list(silver)
    components: Dict[str, Any] = {}
    for name, info in pipes.items():
        components[name] = component_entry(name, nlp, info, examples, silver)
        say(f"✔ {name:<10} {components[name]['task']:<9} {components[name]['n_docs']} docs")
    meta = nlp.meta
    return {
        "model": str(model), "test": str(data), "pipeline": nlp.pipe_names,
        "name": f"{meta.get('lang', '')}_{meta.get('name', '')}", "version": meta.get("version"),
        "n_docs": len(gold), "n_tokens": n_tokens, "seconds": seconds,
        "words_per_second": n_tokens / seconds if seconds else None,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "gpu_id": gpu_id},
        "files": dict(Counter(f for f, _ in gold)),
        "windows": windows_of(nlp),  # the window policy this run used
        "components": components,
        "silver": sorted(silver),
    }


def write_metrics(metrics: Dict[str, Any], path: PathLike) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(metrics, indent=2, default=float) + "\n", encoding="utf8")
    return path


def component_infos(metrics: Dict[str, Any]) -> Dict[str, Any]:
    """pipe name -> the installed ComponentInfo its entry was made by (None if not installed)."""
    try:
        from plait.plugins.registry import get_registry

        installed = get_registry().components()
    except Exception:
        installed = {}
    return {name: installed.get(entry.get("component") or "") for name, entry
            in (metrics.get("components") or {}).items()}
