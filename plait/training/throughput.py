"""How fast this machine trains a spec: a short probe of real training updates, cached.

``plait init --budget 20m`` sizes a run to a time budget on the machine it runs on. It needs the
spec's training speed here: :func:`training_speed` composes the spec, initializes it on its own
training data (as ``spacy train`` does), times a few real updates of ``batch_words``-word batches
(words/s, the first update left out: allocator and caches warm up there) and the prediction speed on
dev docs (evaluation and dev tuning cost that, every ``eval_frequency`` steps). A probe takes a few
seconds (a tiny encoder) to half a minute (MiniLM on two CPU cores); its answer is cached in
``$PLAIT_HOME/throughput.json`` per encoder, components, CPU, torch threads, batch and document
length, so the next ``plait init`` on this machine answers at once (one measured on a busy machine,
a load average above its CPUs, is measured again once the load is below them). Delete the file to
measure again.
"""
from __future__ import annotations

import json
import math
import os
import time
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from plait.training.encoders import plait_home
from plait.training.spec import PipelineSpec

CACHE_FILE = "throughput.json"
CACHE_VERSION = 2


def cpu_name() -> str:
    """The CPU's model name (``/proc/cpuinfo``), as ``run.json`` records it."""
    from plait.training.trainer import hardware

    return hardware(-1).get("cpu") or os.uname().machine


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def cache_key(spec: PipelineSpec, words_per_doc: float) -> str:
    """What the speed depends on: encoder, components, window, CPU, threads, batch, doc length (a
    power of two: short texts pad to their batch's longest, long ones fill whole windows)."""
    tr = spec.training
    bucket = 2 ** max(0, round(math.log2(max(1.0, words_per_doc))))
    parts = [spec.encoder, "+".join(c.component for c in spec.components),
             f"w{spec.transformer.window}/{spec.transformer.stride}", cpu_name(),
             f"{torch_threads()}t", f"b{tr.batch_words}{tr.batch_by}", f"~{bucket}w"]
    return "|".join(parts)


def cache_path() -> Path:
    return plait_home() / CACHE_FILE


def _read_cache() -> Dict[str, Any]:
    try:
        data = json.loads(cache_path().read_text(encoding="utf8"))
    except (OSError, ValueError):
        return {}
    return data.get("speeds", {}) if data.get("version") == CACHE_VERSION else {}


def _write_cache(key: str, value: Dict[str, Any]) -> None:
    speeds = _read_cache()
    speeds[key] = value
    path = cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": CACHE_VERSION, "speeds": speeds}, indent=1),
                       encoding="utf8")
        tmp.replace(path)
    except OSError:  # a read-only home: measure again next time
        pass


def training_speed(spec: PipelineSpec, words_per_doc: float, *, seconds: float = 4.0,
                   say: Callable[[str], None] = lambda line: None,
                   use_cache: bool = True) -> Dict[str, Any]:
    """``{"train_wps", "step_seconds", "predict_wps", "init_seconds", "cpu", "threads", "load",
    "cached", "key"}``
    for ``spec`` on this machine: measured by :func:`probe` (about ``seconds`` of updates after one
    warm-up update), or read from the cache. ``load``: the load average while it was measured (a
    busy machine measures slower than it is when idle)."""
    key = cache_key(spec, words_per_doc)
    now = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if use_cache:
        hit = _read_cache().get(key)
        # a measurement on a busy machine is measured again once the machine is not busy
        cpus = hit.get("cpus", 1) if hit else 1
        if hit and not (hit.get("load", 0) > cpus and now <= cpus):
            return {**hit, "cached": True, "key": key}
    say(f"ℹ Measuring training speed of {spec.encoder} on this machine (once; cached in "
        f"{cache_path()})")
    speed = probe(spec, seconds=seconds)
    speed.update(cpu=cpu_name(), threads=torch_threads(), cpus=os.cpu_count() or 1,
                 load=round(max(now, os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0), 1),
                 measured=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    _write_cache(key, speed)
    return {**speed, "cached": False, "key": key}


def probe(spec: PipelineSpec, *, seconds: float = 4.0, max_updates: int = 8,
          predict_docs: int = 200) -> Dict[str, Any]:
    """Time real training updates (and dev prediction) of ``spec`` in this process."""
    from spacy.training import Corpus
    from spacy.training.initialize import init_nlp
    from spacy.util import registry

    from plait.training.compose import compose

    began = time.perf_counter()
    config = compose(spec)
    nlp = init_nlp(config)
    init_seconds = time.perf_counter() - began
    training = config["training"]
    optimizer = registry.resolve({"o": training["optimizer"]})["o"]
    batcher = registry.resolve({"b": training["batcher"]})["b"]
    examples = Corpus(spec.training.train, shuffle=False)(nlp)
    words = updates = 0
    timed = 0.0
    for i, batch in enumerate(batcher(examples)):
        start = time.perf_counter()
        nlp.update(batch, drop=spec.training.dropout, sgd=optimizer)
        spent = time.perf_counter() - start
        if i == 0:  # warm-up: allocations, caches, lazy initialization
            continue
        words += sum(len(eg.predicted) for eg in batch)
        timed += spent
        updates += 1
        if timed >= seconds or updates >= max_updates:
            break
    if not updates:  # a single batch holds all the training data: time it once more
        batch = next(iter(batcher(Corpus(spec.training.train, shuffle=False)(nlp))))
        start = time.perf_counter()
        nlp.update(batch, drop=spec.training.dropout, sgd=optimizer)
        timed, updates = time.perf_counter() - start, 1
        words = sum(len(eg.predicted) for eg in batch)
    dev = [eg.predicted for eg in islice(Corpus(spec.training.dev, shuffle=False)(nlp),
                                         predict_docs)]
    start = time.perf_counter()
    predicted = sum(len(doc) for doc in nlp.pipe(dev))
    predict_seconds = time.perf_counter() - start
    return {"train_wps": round(words / max(timed, 1e-6), 1),
            "step_seconds": round(timed / updates, 3),  # a padded batch holds fewer real words
            "predict_wps": round(predicted / max(predict_seconds, 1e-6), 1),
            "init_seconds": round(init_seconds, 1), "updates": updates,
            "probe_seconds": round(time.perf_counter() - began, 1)}
