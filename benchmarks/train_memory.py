"""Peak resident memory of training a composed spec, and where it goes (one fresh process per run).

    python benchmarks/train_memory.py pipeline/textcat-bbc.yml --corpus corpus/demo/raw/bbc-topics \
        --steps 30 --batch-words 2000 [--variant no-dev-tuning --variant frozen ...]

Every run is `spacy train`'s own loop (``init_nlp`` + ``train``) over the composed config, in a fresh
subprocess, with the spec's steps and evaluation cut to ``--steps`` (dev evaluation, and the dev tuning
before the save, still run at step 0 and at the end: they are part of training's peak). The resident
set size (VmRSS) is sampled every 50 ms and its peak kept per phase, so the figures
say *when* memory grows: at init (the encoder, the corpus), during the steps (activations, allocator),
or at evaluation / dev tuning (a sampler thread keeps each phase's peak). Variants isolate the suspects:

- ``default``: the composed config as is (``training.trim_memory`` on: freed memory handed back
  before every step);
- ``no-trim``: ``training.trim_memory`` off;
- ``no-dev-tuning``: ``training.tune_on_dev`` off;
- ``frozen``: the encoder frozen (no backward through it);
- ``top2``: partial fine-tuning, only the encoder's top 2 layers train (``encoder_trainable_layers``:
  the backward pass stops there);
- ``arena2``: glibc's ``MALLOC_ARENA_MAX=2`` (fragmentation across malloc arenas);
- ``mmap``: glibc's ``MALLOC_MMAP_THRESHOLD_=65536``, a fixed threshold (large blocks, i.e. tensors,
  are mmapped and handed back when freed, instead of the heap's high-water mark growing);
- ``padded``: ``training.batch_by: padded`` (documents binned by length; a batch holds at most
  ``--batch-words`` *padded* words, so short texts are not padded to the longest of a mixed batch);
- ``init``: what ``plait init`` writes for this data: its table row's batch words (at most 1/20 of the
  training words) and batcher (``plait.data.init_spec.RULES``), ``--batch-words`` ignored.

Every run is reported against ``--limit-mib`` (default 3,072: the memory goal for a 22M-parameter
encoder); ``--name`` names the shape (``short-texts``, ``token-files``, ``long-articles``) and the
results file. The three shapes, as benchmarks/README.md runs them:

    python benchmarks/train_memory.py pipeline/textcat-trec.yml --corpus CORPUS/trec-questions \
        --name short-texts --steps 10 --variant default --variant padded --variant init
    python benchmarks/train_memory.py NER_SPEC --corpus DATA/conll-sentences --name token-files ...
    python benchmarks/train_memory.py pipeline/textcat-bbc.yml --corpus CORPUS/bbc-topics \
        --name long-articles ...

Writes ``benchmarks/results/train_memory-<spec>.json`` and prints a markdown table. Keep runs short:
tens of steps show the trend. Each run also times its updates: ``step_seconds`` is the mean time of
the steps after the head-only stage (the ones that train the encoder, or every step when there is no
such stage), so ``frozen`` / ``top2`` / ``default`` compare the cost of an encoder step.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import ROOT, machine_info, markdown_table, write_json  # noqa: E402

VARIANTS = ("default", "no-trim", "no-dev-tuning", "frozen", "top2", "arena2", "mmap", "padded",
            "init")
LIMIT_MIB = 3072


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _hwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def init_settings(spec: Any, train: str) -> Dict[str, Any]:
    """The batch words and batcher ``plait init`` chooses for this training data (its table row)."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    from plait.data.init_spec import choose_rule, training_settings
    from plait.plugins.registry import get_registry

    path = Path(train)
    docs = words = 0
    for shard in sorted(path.rglob("*.spacy")) if path.is_dir() else [path]:
        for doc in DocBin().from_disk(shard).get_docs(Vocab()):
            docs += 1
            words += len(doc)
    gold = get_registry().component(spec.components[0].component).gold
    rule = choose_rule(gold.accepts[0] if gold is not None else "", words / max(1, docs))
    settings = training_settings(docs, words, rule)
    return {"batch_words": settings["batch_words"], "batch_by": settings.get("batch_by", "words"),
            "init_row": rule.row}


def worker(payload: Dict[str, Any]) -> Dict[str, Any]:
    """One training run in this process; returns the RSS timeline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train
    from spacy.util import registry

    from plait.training.compose import compose
    from plait.training.spec import load_spec

    if payload.get("threads"):
        torch.set_num_threads(int(payload["threads"]))
    spec = load_spec(payload["spec"])
    tr = spec.training
    updates: Dict[str, Any] = {"max_steps": payload["steps"], "eval_frequency": payload["steps"],
                               "patience": 0, "batch_words": payload["batch_words"],
                               "batch_words_max": None,
                               "warmup_steps": min(tr.warmup_steps, payload["steps"] // 2)}
    if tr.head_steps:
        updates["head_steps"] = min(tr.head_steps, payload["steps"] // 2)
    variant = payload["variant"]
    if variant == "no-dev-tuning":
        updates["tune_on_dev"] = False
    if variant == "no-trim":
        updates["trim_memory"] = False
    if variant == "frozen":
        updates.update(freeze_encoder=True, head_steps=0, encoder_learning_rate=None)
    if variant == "top2":
        updates["encoder_trainable_layers"] = 2
    if variant == "padded":
        updates["batch_by"] = "padded"
    if payload.get("corpus"):
        for split in ("train", "dev"):  # a folder of .spacy files, or {train,dev}.spacy
            path = Path(payload["corpus"]) / split
            updates[split] = str(path if path.is_dir() else path.with_suffix(".spacy"))
    if variant == "init":
        updates.update(init_settings(spec, updates.get("train", tr.train)))
    row = updates.pop("init_row", None)
    spec = spec.model_copy(update={"training": tr.model_copy(update=updates)})
    if payload.get("encoder"):
        spec = spec.model_copy(update={"encoder": payload["encoder"]})
    config = compose(spec)
    # A sampler thread keeps the peak RSS of each phase; hooks on the nlp object say the phase.
    peaks: Dict[str, float] = {}
    state = {"phase": "init", "steps": 0}
    at_step: List[float] = []  # RSS as each update starts: the trend across steps
    step_times: List[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss = _rss_mib()
            peaks[state["phase"]] = max(peaks.get(state["phase"], 0.0), rss)
            time.sleep(0.05)

    base_logger = config["training"]["logger"]

    @registry.loggers("bench.rss_logger.v1")
    def rss_logger():
        inner = registry.resolve({"l": base_logger})["l"]

        def setup(nlp, stdout=sys.stdout, stderr=sys.stderr):
            log_step, finalize = inner(nlp, open(os.devnull, "w"), stderr)

            def step(info):
                if info is not None:  # right after an evaluation, before the save
                    state["phase"] = "dev tuning + save"
                log_step(info)

            return step, finalize

        return setup

    config["training"]["logger"] = {"@loggers": "bench.rss_logger.v1"}
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    start = time.perf_counter()
    nlp = init_nlp(config)
    init_seconds = time.perf_counter() - start
    update, evaluate = nlp.update, nlp.evaluate

    def tracked_update(*a, **kw):
        state["phase"] = "training steps"
        state["steps"] += 1
        at_step.append(_rss_mib())
        began = time.perf_counter()
        try:
            return update(*a, **kw)
        finally:
            step_times.append(time.perf_counter() - began)

    def tracked_evaluate(*a, **kw):
        state["phase"] = "dev evaluation"
        return evaluate(*a, **kw)

    nlp.update, nlp.evaluate = tracked_update, tracked_evaluate
    rss_initialized = _rss_mib()
    with tempfile.TemporaryDirectory() as out:
        train(nlp, Path(out), stdout=open(os.devnull, "w"), stderr=sys.stderr)
    stop.set()
    thread.join()
    head_steps = int(updates.get("head_steps") or 0)
    encoder_steps = step_times[head_steps:] or step_times
    return {"step_seconds": round(sum(encoder_steps) / max(len(encoder_steps), 1), 3),
            "head_steps": head_steps, "variant": variant, "peak_rss_mib": _hwm_mib(),
            "batch_words": spec.training.batch_words, "batch_by": spec.training.batch_by,
            **({"init_row": row} if row else {}),
            "seconds": round(time.perf_counter() - start, 1), "init_seconds": round(init_seconds, 1),
            "updates": state["steps"], "rss_initialized_mib": rss_initialized,
            "peak_by_phase_mib": peaks, "rss_at_step_mib": at_step}


def run_one(payload: Dict[str, Any]) -> Dict[str, Any]:
    env = dict(os.environ)
    if payload["variant"] == "arena2":
        env["MALLOC_ARENA_MAX"] = "2"
    if payload["variant"] == "mmap":
        env["MALLOC_MMAP_THRESHOLD_"] = "65536"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(payload, f)
    proc = subprocess.run([sys.executable, __file__, "--worker", f.name], capture_output=True,
                          text=True, env=env, cwd=ROOT)
    os.unlink(f.name)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"✘ run {payload['variant']} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", help="pipeline/<spec>.yml")
    parser.add_argument("--corpus", help="a converted corpus folder ({train,dev}.spacy) instead of "
                        "the spec's train/dev")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch-words", type=int, default=2000)
    parser.add_argument("--encoder", help="override the spec's encoder (e.g. tiny-random)")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--variant", action="append", choices=VARIANTS)
    parser.add_argument("--name", help="the data's shape (short-texts, token-files, "
                        "long-articles): names the results file (default: the spec's name)")
    parser.add_argument("--limit-mib", type=float, default=LIMIT_MIB,
                        help="the memory goal every run is reported against")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        payload = json.loads(Path(args.worker).read_text())
        print("RESULT " + json.dumps(worker(payload)), flush=True)
        return 0
    if not args.spec:
        parser.error("a spec is required")
    runs = []
    for variant in args.variant or ["default"]:
        payload = {"spec": args.spec, "corpus": args.corpus, "steps": args.steps,
                   "batch_words": args.batch_words, "encoder": args.encoder,
                   "threads": args.threads, "variant": variant}
        result = run_one(payload)
        result["within_limit"] = result["peak_rss_mib"] <= args.limit_mib
        runs.append(result)
        print(f"{'✔' if result['within_limit'] else '✘'} {variant}: peak "
              f"{result['peak_rss_mib']:.0f} MiB (limit {args.limit_mib:,.0f}; "
              f"{result['batch_words']} words, {result['batch_by']} batches); by phase "
              + ", ".join(f"{k} {v:.0f}" for k, v in result["peak_by_phase_mib"].items())
              + f" ({result['seconds']:.0f}s)", flush=True)
    name = args.name or Path(args.spec).stem
    record = {"benchmark": "train_memory", "spec": args.spec, "corpus": args.corpus,
              **({"shape": args.name} if args.name else {}), "limit_mib": args.limit_mib,
              "steps": args.steps, "batch_words": args.batch_words, "encoder": args.encoder,
              "machine": machine_info(args.threads or None), "runs": runs}
    output = args.output or ROOT / "benchmarks" / "results" / f"train_memory-{name}.json"
    write_json(output, record)
    phases = ["init", "training steps", "dev evaluation", "dev tuning + save"]
    print(markdown_table(["variant", "batch", "peak RSS MiB", "within limit",
                          *[f"{p} (peak)" for p in phases], "seconds", "s / encoder step"],
                         [[r["variant"], f"{r['batch_words']} {r['batch_by']}", r["peak_rss_mib"],
                           "yes" if r["within_limit"] else "no",
                           *[r["peak_by_phase_mib"].get(p) for p in phases], r["seconds"],
                           r["step_seconds"]]
                          for r in runs]))
    print(f"✔ Wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
