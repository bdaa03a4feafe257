"""Peak memory for one very long document (default 200,000 words) through the runner's long-document
path, next to the peak for a 10,000-word document: bounded memory means roughly equal peaks.

The runner (``plait.process``) cuts a long text into segments of about ``--segment-tokens`` tokens,
batches them by token budget and merges the segments' results into one record, so memory should not
grow with the document. Each size runs in its own fresh subprocess (peak RSS is per process).

Usage::

    python benchmarks/long_doc.py                                  # untrained demo pipeline
    python benchmarks/long_doc.py --model training/demo/model-best --quantize
    python benchmarks/long_doc.py --runtime onnx --quantize --segments --mmap-threshold 65536
    python benchmarks/long_doc.py --spec pipeline/ci.yml --words 200000   # tiny encoder, fast
    python benchmarks/long_doc.py --whole          # also nlp(text) in one piece, for the small size

If ``plait.process`` is not available the script falls back to ``nlp.pipe`` over the runner's segments
(``plait.runner.segment.split_text``, else paragraphs) and says so in the result (``path``).
"""
from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import (current_rss_mib, emit, ensure_model, hwm_mib,  # noqa: E402
                                machine_info, markdown_table, peak_rss_mib,
                                read_payload, reset_peak_rss, run_worker, set_threads, write_json)

SCRIPT = Path(__file__).resolve()


def _segments(text: str, segment_tokens: int) -> List[str]:
    try:
        from plait.runner.segment import split_text

        spans, _ = split_text(text, segment_tokens)
        return [text[s:e] for s, e in spans]
    except ImportError:
        paras = text.split("\n\n")
        out, cur, n = [], [], 0
        for para in paras:
            cur.append(para)
            n += len(para.split())
            if n >= segment_tokens * 0.8:
                out.append("\n\n".join(cur))
                cur, n = [], 0
        if cur:
            out.append("\n\n".join(cur))
        return out


def worker(p: Dict[str, Any]) -> Dict[str, Any]:
    from benchmarks.texts import long_document

    threads = set_threads(p.get("threads"))
    import plait

    nlp = plait.load(p["model"], quantize=p["quantize"], gpu=p["gpu"],
                     runtime=p.get("runtime", "torch"))
    text = long_document(p["words"], seed=p["seed"])
    words = len(text.split())
    rss_loaded = current_rss_mib()
    peak_loaded = peak_rss_mib()
    can_reset = reset_peak_rss()
    t0 = time.perf_counter()
    info: Dict[str, Any] = {}
    if p["mode"] == "whole":
        path = "nlp(text): the whole document in one Doc"
        doc = nlp(text)
        info = {"entities": len(doc.ents), "tokens": len(doc)}
        del doc
    else:
        process = None
        if p["mode"] == "runner":
            try:
                from plait import api
                process = api.process
            except (ImportError, AttributeError):
                process = None
        if process is not None:
            path = f"plait.process(segment_tokens={p['segment_tokens']})"
            result = next(iter(process(nlp, [{"id": "long", "text": text}], batch_size=p["batch_size"],
                                       max_batch_tokens=p.get("max_batch_tokens", 8192),
                                       segment_tokens=p["segment_tokens"])))
            info = {"entities": len(result.entities or []), "segments": result.segments,
                    "summary_chars": len(result.summary or ""), "errors": result.errors or None}
        else:
            path = ("nlp.pipe over the runner's segments, outputs dropped" if p["mode"] == "segments"
                    else "FALLBACK nlp.pipe over segments (plait.process unavailable)")
            segs = _segments(text, p["segment_tokens"])
            n_ents = 0
            # batches of as many segments as the runner's token budget holds, as the runner does
            per_batch = max(1, min(p["batch_size"],
                                   p.get("max_batch_tokens", 8192) // p["segment_tokens"]))
            for doc in nlp.pipe(segs, batch_size=per_batch):
                n_ents += len(doc.ents)
            info = {"entities": n_ents, "segments": len(segs)}
    seconds = time.perf_counter() - t0
    return {"words": words, "mode": p["mode"], "path": path, "seconds": round(seconds, 2),
            "words_per_s": round(words / seconds, 1), "rss_loaded_mib": rss_loaded,
            "peak_rss_after_load_mib": peak_loaded, "peak_rss_mib": peak_rss_mib(),
            "peak_rss_processing_mib": hwm_mib() if can_reset else None,
            "processing_peak_over_loaded_mib": (round(hwm_mib() - rss_loaded, 1) if can_reset
                                                else round(peak_rss_mib() - rss_loaded, 1)),
            "quantized": p["quantize"], "runtime": p.get("runtime", "torch"), "torch_threads": threads,
            **info}


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="trained Plait pipeline folder (default: untrained from --spec)")
    ap.add_argument("--spec", default="pipeline/demo.yml")
    ap.add_argument("--words", type=int, default=200_000, help="words in the long document")
    ap.add_argument("--small-words", type=int, default=10_000, help="words in the comparison doc")
    ap.add_argument("--segment-tokens", type=int, default=2048)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-batch-tokens", type=int, default=8192, help="the runner's token budget")
    ap.add_argument("--quantize", action="store_true", help="int8 dynamic quantization first")
    ap.add_argument("--runtime", choices=["torch", "onnx"], default="torch",
                    help="what runs the encoder (plait.load's runtime)")
    ap.add_argument("--whole", action="store_true",
                    help="also run nlp(text) on the small document in one piece (unbounded memory)")
    ap.add_argument("--segments", action="store_true",
                    help="also run the long document as nlp.pipe over the same segments, keeping no "
                         "outputs (the pipeline's own memory, without the merged result)")
    ap.add_argument("--mmap-threshold", type=int, default=None, metavar="BYTES",
                    help="run the workers with MALLOC_MMAP_THRESHOLD_=BYTES (glibc): large buffers "
                         "go straight to mmap and back to the OS, e.g. 65536")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--gpu", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--output")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        emit(worker(read_payload(args.worker)))
        return 0
    model = ensure_model(args.model, args.spec)
    runs = [(args.small_words, "runner"), (args.words, "runner")]
    if args.segments:
        runs.append((args.words, "segments"))
    if args.whole:
        runs.append((args.small_words, "whole"))
    results = []
    for words, mode in runs:
        print(f"[bench] {words} words, {mode} ...", file=sys.stderr, flush=True)
        res = run_worker(SCRIPT, {"model": model, "words": words, "mode": mode, "seed": args.seed,
                                  "segment_tokens": args.segment_tokens, "quantize": args.quantize,
                                  "runtime": args.runtime, "batch_size": args.batch_size,
                                  "threads": args.threads,
                                  "max_batch_tokens": args.max_batch_tokens,
                                  "gpu": args.gpu}, timeout=args.timeout,
                         env=({"MALLOC_MMAP_THRESHOLD_": str(args.mmap_threshold)}
                              if args.mmap_threshold else None))
        res.setdefault("words_requested", words)
        res.setdefault("mode", mode)
        print(f"[bench] -> {res.get('error') or str(res['peak_rss_mib']) + ' MiB peak'}",
              file=sys.stderr, flush=True)
        results.append(res)
    ok = [r for r in results if "error" not in r and r["mode"] == "runner"]
    ratio = (round(ok[1]["peak_rss_mib"] / ok[0]["peak_rss_mib"], 3) if len(ok) == 2 else None)
    ratio_proc = (round(ok[1]["processing_peak_over_loaded_mib"] /
                        ok[0]["processing_peak_over_loaded_mib"], 3)
                  if len(ok) == 2 and ok[0]["processing_peak_over_loaded_mib"] > 0 else None)
    data = {"benchmark": "long_doc", "machine": machine_info(args.threads),
            "settings": {"model": model, "model_trained": bool(args.model and Path(args.model).exists()),
                         "words": args.words, "small_words": args.small_words,
                         "segment_tokens": args.segment_tokens, "batch_size": args.batch_size,
                         "max_batch_tokens": args.max_batch_tokens,
                         "quantize": args.quantize, "runtime": args.runtime, "gpu": args.gpu,
                         "malloc_mmap_threshold": args.mmap_threshold},
            "results": results, "peak_ratio_long_vs_small": ratio,
            "processing_peak_ratio_long_vs_small": ratio_proc}
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = write_json(Path(args.output or SCRIPT.parent / "results" / f"long_doc-{stamp}.json"), data)
    rows = [[r.get("words", r["words_requested"]), r["mode"], r.get("path", r.get("error")),
             r.get("segments"), r.get("entities"), r.get("peak_rss_mib"), r.get("rss_loaded_mib"),
             r.get("peak_rss_processing_mib"), r.get("processing_peak_over_loaded_mib"),
             r.get("words_per_s")] for r in results]
    print(f"Long document ({model}, runtime {args.runtime}{', int8' if args.quantize else ''}"
          f"{f', MALLOC_MMAP_THRESHOLD_={args.mmap_threshold}' if args.mmap_threshold else ''}); "
          f"peak RSS long/small = {ratio}; processing peak above loaded, long/small = "
          f"{ratio_proc}\n")
    print(markdown_table(["words", "mode", "path", "segments", "entities", "peak RSS MiB", "RSS after load MiB",
                          "peak RSS processing MiB", "processing peak − loaded MiB", "words/s"],
                         rows))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
