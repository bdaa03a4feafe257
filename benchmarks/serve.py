"""`plait serve` under load: words/s as a ratio to ``plait.process`` in one process, latency
percentiles, an overload run and an optional memory soak.

The same documents as ``speed.py``: real documents at three lengths by default (``--lengths short,
headline,article``: tweets, BBC headlines, full news articles, from the corpora's test splits), or
``--texts generated`` / ``--corpus``. For each document set, in the same run:

- ``process``     ``plait.process`` over all documents in one process (a fresh subprocess, warmed up):
                  the batch runner's words/s, the ceiling for the server;
- ``N clients``   a real ``plait serve`` subprocess on 127.0.0.1, N concurrent clients (threads, each
                  with its own HTTP connection) sending one document per request until all are sent
                  (``--clients``, default 1,8,32); words/s over the whole run, its ratio to
                  ``process``, and p50/p95/p99 request latency;
- ``overload``    a server with a small queue (``--overload-queue``, 8) and ``--overload-clients``
                  (64) clients firing at once: every request must get 200 or 503 (none hangs, none is
                  lost), and a 503 must come at once;
- ``soak``        (``--soak-minutes M``) 8 clients for M minutes; the server's RSS sampled every
                  ``--soak-sample-s`` seconds: growth after the first minute should be ~0.

The overload and soak runs use the first document set only.

Usage::

    python benchmarks/serve.py                                  # untrained demo pipeline, 3 lengths
    python benchmarks/serve.py --lengths article --n-docs 100 --clients 1,8
    python benchmarks/serve.py --spec pipeline/ci.yml --texts generated --n-docs 100
    python benchmarks/serve.py --model training/demo/model-best --soak-minutes 10

Writes ``benchmarks/results/serve-<UTC time>.json`` (or ``--output``) and prints Markdown tables.
"""
from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plait.testing import PlaitServer

from benchmarks._common import (add_text_options, emit, ensure_model, machine_info, set_summary,
                                text_sets,  # noqa: E402
                                markdown_table, read_payload, run_worker, set_threads, word_count,
                                write_json)

SCRIPT = Path(__file__).resolve()


# --- the in-process baseline (run as a worker) ------------------------------------------------------

def worker(p: Dict[str, Any]) -> Dict[str, Any]:
    threads = set_threads(p.get("threads"))
    import plait

    nlp = plait.load(p["model"])
    texts = p["texts"]
    list(plait.process(nlp, texts[:8]))  # the same warm-up as speed.py
    times = []
    for _ in range(max(1, p.get("repeat", 1))):
        t0 = time.perf_counter()
        n = sum(1 for r in plait.process(nlp, texts) if r.ok)
        times.append(time.perf_counter() - t0)
    seconds = min(times)
    words = word_count(texts)
    return {"docs": n, "words": words, "seconds": round(seconds, 3),
            "words_per_s": round(words / seconds, 1), "torch_threads": threads}


# --- a server and its clients -------------------------------------------------------------------------

class Server(PlaitServer):
    """The server under test: plait.testing's, with the benchmark's thread count (unset: a thread
    per core, as torch would take) and up to 5 minutes to become ready."""

    def __init__(self, model: str, args: List[str], threads: Optional[int]) -> None:
        threads = threads or len(os.sched_getaffinity(0))
        super().__init__(model, *args, ready_timeout=300.0,
                         env={"TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": str(threads),
                              "MKL_NUM_THREADS": str(threads)})

    def rss_mib(self) -> Optional[float]:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            pass
        return None


def drive(url: str, texts: List[str], clients: int, *, timeout: float = 120.0,
          until: Optional[float] = None) -> Dict[str, Any]:
    """``clients`` threads send one text per request, from a shared list (cycled until ``until``,
    a monotonic deadline, if given): statuses, latencies and answered words."""
    import httpx

    lock = threading.Lock()
    state = {"next": 0}
    latencies: List[float] = []
    statuses: Dict[str, int] = {}
    words = [0]
    retry_after_ok = [True]
    slow_503 = [0.0]

    def take() -> Optional[str]:
        with lock:
            i = state["next"]
            if until is None and i >= len(texts):
                return None
            if until is not None and time.monotonic() >= until:
                return None
            state["next"] = i + 1
            return texts[i % len(texts)]

    def client() -> None:
        with httpx.Client(base_url=url, timeout=timeout) as c:
            while True:
                text = take()
                if text is None:
                    return
                t0 = time.perf_counter()
                try:
                    r = c.post("/v1/process", json={"text": text})
                    key = str(r.status_code)
                except httpx.TimeoutException:
                    key = "timeout (hung)"
                except httpx.HTTPError as exc:
                    key = f"error {type(exc).__name__}"
                dt = time.perf_counter() - t0
                with lock:
                    statuses[key] = statuses.get(key, 0) + 1
                    if key == "200":
                        latencies.append(dt)
                        words[0] += len(text.split())
                    elif key == "503":
                        slow_503[0] = max(slow_503[0], dt)
                        retry_after_ok[0] &= r.headers.get("retry-after", "").isdigit()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    lat = sorted(latencies)

    def pct(q: float) -> Optional[float]:
        return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 1) if lat else None

    return {"clients": clients, "requests": state["next"], "statuses": statuses,
            "seconds": round(seconds, 3), "words": words[0],
            "words_per_s": round(words[0] / seconds, 1) if seconds else None,
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.mean(lat) * 1000, 1) if lat else None,
            "slowest_503_ms": round(slow_503[0] * 1000, 1), "retry_after_on_503": retry_after_ok[0]}


def batch_stats(url: str) -> Dict[str, float]:
    import httpx

    out = {}
    for line in httpx.get(url + "/metrics", timeout=10).text.splitlines():
        for name in ("plait_batch_requests_sum", "plait_batch_requests_count"):
            if line.startswith(name + " "):
                out[name] = float(line.split()[1])
    return out


# --- driver ---------------------------------------------------------------------------------------------

def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="trained Plait pipeline folder (default: untrained from --spec)")
    ap.add_argument("--spec", default="pipeline/demo.yml", help="spec for the untrained pipeline")
    add_text_options(ap)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None, help="torch threads, baseline and server")
    ap.add_argument("--clients", default="1,8,32", help="concurrent clients per run")
    ap.add_argument("--repeat", type=int, default=1, help="baseline passes (best kept)")
    ap.add_argument("--serve-args", default="", help="extra `plait serve` options, one string")
    ap.add_argument("--overload-clients", type=int, default=64)
    ap.add_argument("--overload-queue", type=int, default=8)
    ap.add_argument("--overload-requests", type=int, default=400)
    ap.add_argument("--soak-minutes", type=float, default=0.0)
    ap.add_argument("--soak-sample-s", type=float, default=10.0)
    ap.add_argument("--output", help="JSON result path")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        emit(worker(read_payload(args.worker)))
        return 0

    sets = text_sets(args.texts, args.lengths, args.n_docs, args.corpus, args.seed)
    model = ensure_model(args.model, args.spec)
    clients = [int(c) for c in args.clients.split(",") if c.strip()]
    extra = args.serve_args.split()
    env = {"OMP_NUM_THREADS": str(args.threads)} if args.threads else None
    out_sets: List[Dict[str, Any]] = []
    server = Server(model, extra, args.threads)
    try:
        for one in sets:
            texts = one["texts"]
            print(f"[bench] {one['name']}: plait.process in one process ...", file=sys.stderr,
                  flush=True)
            baseline = run_worker(SCRIPT, {"model": model, "texts": texts, "threads": args.threads,
                                           "repeat": args.repeat}, env=env)
            if "error" in baseline:
                raise SystemExit(f"baseline failed: {baseline['error']}")
            runs = []
            drive(server.url, texts[:8], 1)  # warm-up, as the baseline's
            for n in clients:
                print(f"[bench] {one['name']}: {n} client(s) ...", file=sys.stderr, flush=True)
                before = batch_stats(server.url)
                run = drive(server.url, texts, n)
                after = batch_stats(server.url)
                batches = after["plait_batch_requests_count"] - before["plait_batch_requests_count"]
                run["requests_per_batch"] = round(
                    (after["plait_batch_requests_sum"] - before["plait_batch_requests_sum"])
                    / batches, 2) if batches else None
                run["ratio_to_process"] = round(run["words_per_s"] / baseline["words_per_s"], 2)
                runs.append(run)
            out_sets.append({**set_summary(one), "process": baseline, "runs": runs})
        texts = sets[0]["texts"]  # the overload and soak runs: the first set
        soak = None
        if args.soak_minutes > 0:
            print(f"[bench] soak, {args.soak_minutes} min ...", file=sys.stderr, flush=True)
            samples: List[Any] = []
            end = time.monotonic() + args.soak_minutes * 60
            done = threading.Event()

            def sample() -> None:
                t0 = time.monotonic()
                while not done.is_set():
                    samples.append((round(time.monotonic() - t0, 1), server.rss_mib()))
                    done.wait(args.soak_sample_s)

            sampler = threading.Thread(target=sample)
            sampler.start()
            load = drive(server.url, texts, 8, until=end)
            done.set()
            sampler.join()
            after_first = [m for t, m in samples if t >= min(60.0, args.soak_minutes * 30) and m]
            soak = {"minutes": args.soak_minutes, "requests": load["requests"],
                    "statuses": load["statuses"], "words_per_s": load["words_per_s"],
                    "rss_samples_mib": samples,
                    "rss_first_mib": samples[0][1] if samples else None,
                    "rss_last_mib": samples[-1][1] if samples else None,
                    "rss_growth_after_warmup_mib": round(after_first[-1] - after_first[0], 1)
                    if len(after_first) > 1 else None}
    finally:
        server.stop()
    print("[bench] overload ...", file=sys.stderr, flush=True)
    small = Server(model, extra + ["--queue-size", str(args.overload_queue)], args.threads)
    try:
        pool = (texts * (args.overload_requests // max(len(texts), 1) + 1))[:args.overload_requests]
        overload = drive(small.url, pool, args.overload_clients, timeout=120)
        overload["queue_size"] = args.overload_queue
        answered = sum(v for k, v in overload["statuses"].items() if k in ("200", "503"))
        overload["lost_or_hung"] = overload["requests"] - answered
        overload["only_200_or_503"] = set(overload["statuses"]) <= {"200", "503"}
    finally:
        small.stop()
    data = {"benchmark": "serve", "machine": machine_info(args.threads),
            "settings": {"model": model, "texts": args.corpus or args.texts,
                         "threads": args.threads, "serve_args": extra,
                         "requests": "one document per request",
                         "overload_and_soak_set": sets[0]["name"]},
            "sets": out_sets, "overload": overload, "soak": soak}
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = write_json(Path(args.output or SCRIPT.parent / "results" / f"serve-{stamp}.json"), data)
    print(report(data))
    print(f"\nJSON: {out}")
    return 0


def report(data: Dict[str, Any]) -> str:
    s, m = data["settings"], data["machine"]
    head = (f"Serve: one document per request; model {s['model']}\nMachine: {m['cpu_model']}, "
            f"{m['cpus_usable']} usable cores; {m['date_utc']}; commit "
            f"{str(m['git_commit'])[:10]}\n\n")
    tables = []
    for one in data["sets"]:
        b = one["process"]
        rows = [["plait.process (one process)", b["words_per_s"], 1.0, None, None, None, None]]
        for r in one["runs"]:
            rows.append([f"plait serve, {r['clients']} client(s)", r["words_per_s"],
                         r["ratio_to_process"], r["p50_ms"], r["p95_ms"], r["p99_ms"],
                         r["requests_per_batch"]])
        tables.append(f"[{one['name']}] {one['n_docs']} docs, {one['words']} words "
                      f"({one['mean_words']} per doc; {one['source']})\n\n" + markdown_table(
                          ["system", "words/s", "× plait.process", "p50 ms", "p95 ms", "p99 ms",
                           "requests/batch"], rows))
    table = "\n\n".join(tables)
    o = data["overload"]
    over = (f"\n\nOverload ({s['overload_and_soak_set']}): {o['clients']} clients, queue {o['queue_size']}, {o['requests']} "
            f"requests: {o['statuses']}; only 200/503: {o['only_200_or_503']}; lost or hung: "
            f"{o['lost_or_hung']}; slowest 503: {o['slowest_503_ms']} ms; Retry-After on every "
            f"503: {o['retry_after_on_503']}")
    soak = data.get("soak")
    if soak:
        over += (f"\nSoak: {soak['minutes']} min, {soak['requests']} requests {soak['statuses']}; "
                 f"server RSS {soak['rss_first_mib']} -> {soak['rss_last_mib']} MiB, growth after "
                 f"warm-up {soak['rss_growth_after_warmup_mib']} MiB")
    return head + table + over


if __name__ == "__main__":
    sys.exit(main())
