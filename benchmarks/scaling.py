"""Multi-process scaling of the runner: words/s with ``plait.process(..., n_process=N)``.

Settings (each in its own fresh subprocess): one process with one torch thread, one process with all
torch threads (the default), and N spawned worker processes of one thread each (``n_process=N``, the
runner's ``PoolEngine``). The engine is started and warmed up on a few records first (workers
spawned, the pipeline loaded in each), then timed on all records; start-up time is reported apart,
with words/s including it.

Usage::

    python benchmarks/scaling.py --n-docs 300                 # 1 vs 2 processes, untrained demo
    python benchmarks/scaling.py --model training/demo/model-best --processes 1,2,4
    python benchmarks/scaling.py --runtime onnx --quantize    # the CPU production settings
"""
from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import (children_peak_rss_mib, emit, ensure_model,  # noqa: E402
                                load_texts, machine_info, markdown_table, peak_rss_mib,
                                read_payload, run_worker, set_threads, word_count, write_json)

SCRIPT = Path(__file__).resolve()


def _items(records: List[Dict[str, Any]]) -> Any:
    from plait.io.records import RawRecord, to_item

    raws = (RawRecord(line, value=value) for line, value in enumerate(records, 1))
    return (to_item(raw, raw.line - 1, text_field="text", id_field="id") for raw in raws)


def worker(p: Dict[str, Any]) -> Dict[str, Any]:
    import plait
    from plait.runner.batching import BatchOptions
    from plait.runner.engines import LocalEngine
    from plait.runtime.options import LoadOptions
    from plait.runtime.loading import LoadSpec
    from plait.runner.pool import PoolEngine
    from plait.runner.stream import results as stream_results

    n_process = p["n_process"]
    threads = set_threads(p["threads"]) if n_process == 1 else None
    texts = p["texts"]
    records = [{"id": i, "text": t} for i, t in enumerate(texts)]
    opts = BatchOptions(batch_size=p["batch_size"])
    t0 = time.perf_counter()
    # The engine is started (workers spawned, pipeline loaded in each) and warmed up on a few
    # records first, then reused for the timed run: start-up and throughput are reported apart.
    how = {"quantize": p.get("quantize", False), "runtime": p.get("runtime", "torch")}
    engine = (LocalEngine(plait.load(p["model"], **how)) if n_process == 1
              else PoolEngine(LoadSpec(p["model"], LoadOptions(**how)), n_process))
    try:
        for _ in stream_results(_items(records[:max(1, min(8, len(records)))]), engine, opts):
            pass
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        n = 0
        for result in stream_results(_items(records), engine, opts):
            n += 1
            if result.errors:
                raise RuntimeError(f"record {result.id}: {result.errors}")
        seconds = time.perf_counter() - t1
    finally:
        engine.close()
    words = word_count(texts)
    return {"n_process": n_process, "threads_per_process": threads or 1, "docs": n,
            "words": words, "seconds": round(seconds, 2), "startup_s": round(startup, 2),
            "words_per_s": round(words / seconds, 1),
            "end_to_end_words_per_s": round(words / (seconds + startup), 1),
            "peak_rss_mib": peak_rss_mib(), "peak_rss_worker_mib": children_peak_rss_mib()}


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="trained Plait pipeline folder (default: untrained from --spec)")
    ap.add_argument("--spec", default="pipeline/demo.yml")
    ap.add_argument("--corpus", help="read texts from this .spacy file/folder instead of generating")
    ap.add_argument("--n-docs", type=int, default=300)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--processes", default="1,2", help="comma-separated n_process values")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch threads of the single-process 'all threads' row (default: all cores)")
    ap.add_argument("--quantize", action="store_true", help="int8 encoder (see --runtime)")
    ap.add_argument("--runtime", choices=["torch", "onnx"], default="torch",
                    help="what runs the encoder (plait.load's runtime)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--output")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        emit(worker(read_payload(args.worker)))
        return 0
    model = ensure_model(args.model, args.spec)
    texts = load_texts(args.n_docs, args.corpus, args.seed)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    settings = []
    for n in [int(x) for x in args.processes.split(",") if x.strip()]:
        if n == 1:
            settings.append((1, 1))
            all_threads = args.threads or cores or 1
            if all_threads > 1:
                settings.append((1, all_threads))
        else:
            settings.append((n, 1))
    results = []
    for n, threads in settings:
        print(f"[bench] n_process={n}, threads={threads} ...", file=sys.stderr, flush=True)
        res = run_worker(SCRIPT, {"model": model, "texts": texts, "n_process": n, "threads": threads,
                                  "batch_size": args.batch_size, "quantize": args.quantize,
                                  "runtime": args.runtime}, timeout=args.timeout)
        res.setdefault("n_process", n)
        res.setdefault("threads_per_process", threads)
        print(f"[bench] -> {res.get('error') or str(res['words_per_s']) + ' words/s'}",
              file=sys.stderr, flush=True)
        results.append(res)
    base = next((r for r in results if r.get("n_process") == 1 and r.get("threads_per_process") == 1
                 and "error" not in r), None)
    for r in results:
        if base and "error" not in r:
            r["speedup_vs_1x1"] = round(r["words_per_s"] / base["words_per_s"], 2)
    data = {"benchmark": "scaling", "machine": machine_info(args.threads),
            "settings": {"model": model, "n_docs": len(texts), "words": word_count(texts),
                         "batch_size": args.batch_size, "processes": args.processes,
                         "quantize": args.quantize, "runtime": args.runtime},
            "results": results}
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = write_json(Path(args.output or SCRIPT.parent / "results" / f"scaling-{stamp}.json"), data)
    m = data["machine"]
    print(f"Scaling: {len(texts)} docs, {word_count(texts)} words; {m['cpu_model']}, "
          f"{m['cpus_usable']} usable cores; model {model}, runtime {args.runtime}"
          f"{', int8' if args.quantize else ''}\n")
    print(markdown_table(
        ["processes", "threads each", "words/s", "speed-up vs 1×1", "start-up s",
         "words/s incl. start-up", "peak RSS parent MiB", "peak RSS worker MiB"],
        [[r["n_process"], r["threads_per_process"], r.get("words_per_s", r.get("error")),
          r.get("speedup_vs_1x1"), r.get("startup_s"), r.get("end_to_end_words_per_s"),
          r.get("peak_rss_mib"), r.get("peak_rss_worker_mib")] for r in results]))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
