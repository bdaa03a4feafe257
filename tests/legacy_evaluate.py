"""Today's (before the output contract) scripts/evaluate.py, kept verbatim as the REFERENCE that
tests/test_evaluate.py checks ``plait evaluate`` against: on documents with complete gold, every figure
it computed itself must come out the same from the plugins' own scorers. Not used by Plait.

Per-component evaluation of a trained Plait pipeline, as JSON (what ``spacy evaluate`` doesn't give).

    python scripts/evaluate.py training/demo/model-best corpus/demo/test --output metrics/demo/metrics.json

Runs the pipeline once over every ``.spacy`` file under the test path and, for each component, scores
only the documents that carry that component's gold (a merged test folder mixes tasks):

- every component: its own spaCy scorer on its documents (the numbers ``spacy evaluate`` would give if
  the test set held only that task);
- NER (gold ``doc.ents``): P/R/F per label, and the calibration of ``span._.confidence``: reliability
  bins (mean confidence vs share of predicted entities that exactly match a gold entity), ECE, Brier;
- sentiment (gold ``doc.cats``): accuracy, macro F, per-label P/R/F, confusion matrix;
- classification (gold ``doc.cats``): per-label P/R/F of ``doc._.categories`` (tuned thresholds),
  micro/macro F, and for an exclusive classifier accuracy and the confusion matrix of the top label;
- summarization (gold ``doc.user_data["plait.summary"]``): ROUGE-1/2/L F of ``doc._.summary`` and of
  the Lead-3 baseline (the first three sentences) on the same documents.

``--silver ner`` marks tasks whose gold is silver (machine labelled); the report says so.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

SUMMARY_KEY = "plait.summary"
# factory -> task of the built-in components; third-party components are found through the registry
BUILTIN_TASKS = {"plait_ner": "ner", "plait_sentiment": "sentiment", "plait_textcat": "textcat",
                 "plait_summarizer": "summarize"}


def component_tasks(nlp) -> Dict[str, str]:
    """pipe name -> task, for the pipes whose factory belongs to a known Plait component."""
    factory_task = dict(BUILTIN_TASKS)
    try:
        from plait.plugins.registry import get_registry

        for info in get_registry().components().values():
            factory_task.setdefault(info.factory, info.task)
    except Exception:  # the plain spaCy view still works without plait's registry
        pass
    tasks = {}
    for name in nlp.pipe_names:
        factory = nlp.get_pipe_meta(name).factory
        if factory in factory_task:
            tasks[name] = factory_task[factory]
    return tasks


def read_docs(path: Path, vocab) -> List[Tuple[str, Any]]:
    """(file name, gold doc) for every doc of every .spacy file under ``path`` (sorted, like spaCy)."""
    from spacy.tokens import DocBin
    from spacy.training.corpus import walk_corpus

    files = walk_corpus(path, ".spacy")
    if not files:
        raise SystemExit(f"✘ No .spacy files under {path}")
    out = []
    for f in files:
        for doc in DocBin().from_disk(f).get_docs(vocab):
            out.append((Path(f).name, doc))
    return out


def prf(tp: int, fp: int, fn: int) -> Dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f, "support": tp + fn, "predicted": tp + fp}


def _clean(scores: Dict[str, Any]) -> Dict[str, Any]:
    """JSON-safe copy of a scorer's output (numpy floats, None kept)."""
    return json.loads(json.dumps(scores, default=float))


def own_scores(nlp, name: str, examples) -> Dict[str, Any]:
    pipe = nlp.get_pipe(name)
    if not examples or not hasattr(pipe, "score"):
        return {}
    try:
        return _clean(pipe.score(examples))
    except Exception as exc:  # report, don't stop the other components
        return {"error": f"{type(exc).__name__}: {exc}"}


# --- NER -----------------------------------------------------------------------------------------
def calibration(pairs: Sequence[Tuple[float, bool]], n_bins: int = 10) -> Dict[str, Any]:
    """Reliability bins of (confidence, correct) pairs: equal-width bins over [0, 1]."""
    bins = [{"lo": i / n_bins, "hi": (i + 1) / n_bins, "n": 0, "conf_sum": 0.0, "correct": 0}
            for i in range(n_bins)]
    for conf, ok in pairs:
        i = min(int(conf * n_bins), n_bins - 1)
        bins[i]["n"] += 1
        bins[i]["conf_sum"] += conf
        bins[i]["correct"] += int(ok)
    total = len(pairs)
    ece = 0.0
    out = []
    for b in bins:
        mean_conf = b["conf_sum"] / b["n"] if b["n"] else None
        acc = b["correct"] / b["n"] if b["n"] else None
        if b["n"]:
            ece += b["n"] / total * abs(acc - mean_conf)
        out.append({"lo": b["lo"], "hi": b["hi"], "n": b["n"], "mean_confidence": mean_conf,
                    "accuracy": acc})
    brier = sum((c - float(ok)) ** 2 for c, ok in pairs) / total if total else None
    return {"bins": out, "n": total, "ece": ece if total else None, "brier": brier,
            "mean_confidence": sum(c for c, _ in pairs) / total if total else None,
            "precision": sum(ok for _, ok in pairs) / total if total else None}


def eval_ner(pairs, n_bins: int) -> Dict[str, Any]:
    from spacy.tokens import Span

    counts: Dict[str, Counter] = defaultdict(Counter)
    conf_pairs: List[Tuple[float, bool]] = []
    missing_conf = 0
    for pred, gold in pairs:
        gold_set = {(e.start_char, e.end_char, e.label_) for e in gold.ents}
        pred_set = set()
        for ent in pred.ents:
            key = (ent.start_char, ent.end_char, ent.label_)
            pred_set.add(key)
            conf = ent._.confidence if Span.has_extension("confidence") else None
            if conf is None:
                missing_conf += 1
            else:
                conf_pairs.append((float(conf), key in gold_set))
        for key in pred_set & gold_set:
            counts[key[2]]["tp"] += 1
        for key in pred_set - gold_set:
            counts[key[2]]["fp"] += 1
        for key in gold_set - pred_set:
            counts[key[2]]["fn"] += 1
    per_label = {lab: prf(c["tp"], c["fp"], c["fn"]) for lab, c in sorted(counts.items())}
    tot = Counter()
    for c in counts.values():
        tot.update(c)
    return {"micro": prf(tot["tp"], tot["fp"], tot["fn"]), "per_label": per_label,
            "calibration": calibration(conf_pairs, n_bins),
            "entities_without_confidence": missing_conf}


# --- sentiment / classification ------------------------------------------------------------------
def gold_label(doc, labels: Sequence[str]) -> Optional[str]:
    cats = {k: v for k, v in doc.cats.items() if k in labels}
    if not cats:
        return None
    return max(cats, key=lambda k: cats[k])


def confusion(gold: List[str], pred: List[str], labels: Sequence[str]) -> Dict[str, Any]:
    index = {lab: i for i, lab in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred):
        if g in index and p in index:
            matrix[index[g]][index[p]] += 1
    return {"labels": list(labels), "rows": "gold", "columns": "predicted", "matrix": matrix}


def single_label_metrics(gold: List[str], pred: List[str], labels: Sequence[str]) -> Dict[str, Any]:
    per_label = {}
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred))
        per_label[lab] = prf(tp, fp, fn)
    n = len(gold)
    return {"n": n, "accuracy": sum(g == p for g, p in zip(gold, pred)) / n if n else None,
            "macro_f": sum(v["f"] for v in per_label.values()) / len(labels) if labels else None,
            "per_label": per_label, "confusion": confusion(gold, pred, labels)}


def eval_sentiment(pairs, labels: Sequence[str]) -> Dict[str, Any]:
    gold, pred = [], []
    for p, g in pairs:
        value = getattr(p._, "sentiment", None)
        gold.append(gold_label(g, labels))
        pred.append(value["label"] if value else None)
    out = single_label_metrics(gold, pred, labels)
    out["labels"] = list(labels)
    return out


def eval_textcat(pairs, labels: Sequence[str], exclusive: bool) -> Dict[str, Any]:
    from spacy.tokens import Doc

    counts = {lab: Counter() for lab in labels}
    gold_top, pred_top = [], []
    for p, g in pairs:
        if Doc.has_extension("categories") and p._.categories is not None:
            chosen = set(p._.categories)
        else:
            chosen = {lab for lab in labels if p.cats.get(lab, 0.0) >= 0.5}
        for lab in labels:
            is_gold = g.cats.get(lab, 0.0) >= 0.5
            is_pred = lab in chosen
            counts[lab]["tp" if is_gold and is_pred else "fp" if is_pred else "fn" if is_gold
                        else "tn"] += 1
        gold_top.append(gold_label(g, labels))
        scores = {lab: p.cats.get(lab, 0.0) for lab in labels}
        pred_top.append(max(scores, key=lambda k: scores[k]) if scores else None)
    per_label = {lab: prf(c["tp"], c["fp"], c["fn"]) for lab, c in counts.items()}
    tot = Counter()
    for c in counts.values():
        tot.update(c)
    out = {"n": len(pairs), "labels": list(labels), "exclusive": exclusive,
           "per_label": per_label, "micro": prf(tot["tp"], tot["fp"], tot["fn"]),
           "macro_f": sum(v["f"] for v in per_label.values()) / len(labels) if labels else None}
    if exclusive:
        top = single_label_metrics(gold_top, pred_top, labels)
        out["accuracy"] = top["accuracy"]
        out["confusion"] = top["confusion"]
    return out


# --- summarization -------------------------------------------------------------------------------
def eval_summaries(pairs, lead_n: int = 3) -> Dict[str, Any]:
    from rouge_score import rouge_scorer

    kinds = ["rouge1", "rouge2", "rougeL"]
    scorer = rouge_scorer.RougeScorer(kinds, use_stemmer=True)
    sums = {"model": Counter(), "lead3": Counter()}
    lengths = {"model": 0, "lead3": 0, "reference": 0}
    n = 0
    for p, g in pairs:
        reference = g.user_data.get(SUMMARY_KEY)
        if not reference:
            continue
        summary = getattr(p._, "summary", None) or ""
        lead = " ".join(s.text for s in list(p.sents)[:lead_n]) if p.has_annotation("SENT_START") \
            else " ".join(p.text.split()[:60])
        for name, text in (("model", summary), ("lead3", lead)):
            scores = scorer.score(reference, text)
            for k in kinds:
                sums[name][k] += scores[k].fmeasure
            lengths[name] += len(text.split())
        lengths["reference"] += len(reference.split())
        n += 1
    avg = {name: {k: (sums[name][k] / n if n else None) for k in kinds} for name in sums}
    return {"n": n, "rouge": avg["model"], "lead3": avg["lead3"],
            "mean_words": {k: (v / n if n else None) for k, v in lengths.items()}}


# --- driver --------------------------------------------------------------------------------------
def evaluate(model: str, test: Path, *, gpu_id: int = -1, batch_size: int = 32, n_bins: int = 10,
             silver: Iterable[str] = (), limit: int = 0) -> Dict[str, Any]:
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example

    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    nlp = spacy.load(model)
    tasks = component_tasks(nlp)
    if not tasks:
        raise SystemExit(f"✘ {model} has no Plait component (pipeline: {nlp.pipe_names})")
    gold_docs = read_docs(test, nlp.vocab)
    if limit:
        gold_docs = gold_docs[:limit]
    n_tokens = sum(len(d) for _, d in gold_docs)
    print(f"ℹ Evaluating {model} ({', '.join(f'{n}={t}' for n, t in tasks.items())}) on "
          f"{len(gold_docs)} docs / {n_tokens} tokens from {test}", flush=True)
    start = time.perf_counter()
    texts = (d.text for _, d in gold_docs)
    preds: List[Doc] = []
    every = max(25, len(gold_docs) // 10)
    for i, doc in enumerate(nlp.pipe(texts, batch_size=batch_size), 1):
        preds.append(doc)
        if i % every == 0 or i == len(gold_docs):
            print(f"  {i}/{len(gold_docs)} docs ({time.perf_counter() - start:.0f}s)", flush=True)
    seconds = time.perf_counter() - start
    pairs = [(p, g) for p, (_, g) in zip(preds, gold_docs)]
    silver = set(silver)
    components: Dict[str, Any] = {}
    for name, task in tasks.items():
        pipe = nlp.get_pipe(name)
        labels = list(getattr(pipe, "labels", ()) or ())
        if task == "ner":
            mine = [(p, g) for p, g in pairs if g.has_annotation("ENT_IOB")]
            result = eval_ner(mine, n_bins)
            result["temperature"] = getattr(pipe, "cfg", {}).get("temperature")
        elif task == "sentiment":
            mine = [(p, g) for p, g in pairs if gold_label(g, labels) is not None]
            result = eval_sentiment(mine, labels)
        elif task == "textcat":
            mine = [(p, g) for p, g in pairs if gold_label(g, labels) is not None]
            exclusive = bool(getattr(pipe, "cfg", {}).get("exclusive", True))
            result = eval_textcat(mine, labels, exclusive)
            thresholds = getattr(pipe, "cfg", {}).get("thresholds")
            if thresholds:
                result["thresholds"] = thresholds
        elif task == "summarize":
            mine = [(p, g) for p, g in pairs if g.user_data.get(SUMMARY_KEY)]
            result = eval_summaries(mine)
        else:
            continue
        examples = [Example(p, g) for p, g in mine]
        components[name] = {"task": task, "factory": nlp.get_pipe_meta(name).factory,
                            "labels": labels, "n_docs": len(mine), "silver": task in silver,
                            **result, "scores": own_scores(nlp, name, examples)}
        print(f"✔ {name:<10} {task:<9} {len(mine)} docs", flush=True)
    meta = nlp.meta
    return {
        "model": str(model), "test": str(test), "pipeline": nlp.pipe_names,
        "name": f"{meta.get('lang', '')}_{meta.get('name', '')}", "version": meta.get("version"),
        "n_docs": len(gold_docs), "n_tokens": n_tokens, "seconds": seconds,
        "words_per_second": n_tokens / seconds if seconds else None,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "gpu_id": gpu_id},
        "files": dict(Counter(f for f, _ in gold_docs)),
        "components": components,
        "silver": sorted(silver),
    }


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a trained pipeline folder or package name")
    parser.add_argument("test", type=Path, help="a .spacy file or a folder of them")
    parser.add_argument("--output", "-o", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--gpu-id", type=int, default=-1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--bins", type=int, default=10, help="reliability diagram bins")
    parser.add_argument("--limit", type=int, default=0, help="evaluate the first N docs only")
    parser.add_argument("--silver", action="append", default=[], metavar="TASK",
                        help="mark a task's gold as silver (machine-labelled), e.g. --silver ner")
    args = parser.parse_args(argv)
    result = evaluate(args.model, args.test, gpu_id=args.gpu_id, batch_size=args.batch_size,
                      n_bins=args.bins, silver=args.silver, limit=args.limit)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, default=float) + "\n", encoding="utf8")
    for name, comp in result["components"].items():
        print(f"  {name}: " + headline(comp))
    print(f"✔ Wrote {args.output} ({result['n_docs']} docs in {result['seconds']:.1f}s, "
          f"{result['words_per_second']:.0f} words/s)")


def headline(comp: Dict[str, Any]) -> str:
    """One line of the main numbers of a component's result."""
    task = comp["task"]
    fmt = lambda v: "n/a" if v is None else f"{100 * v:.1f}"  # noqa: E731
    if task == "ner":
        cal = comp["calibration"]
        return (f"ents P/R/F {fmt(comp['micro']['p'])}/{fmt(comp['micro']['r'])}/"
                f"{fmt(comp['micro']['f'])}, ECE {fmt(cal['ece'])}"
                + (" (SILVER gold)" if comp.get("silver") else ""))
    if task in ("sentiment", "textcat"):
        return f"accuracy {fmt(comp.get('accuracy'))}, macro F {fmt(comp.get('macro_f'))}"
    if task == "summarize":
        r, l3 = comp["rouge"], comp["lead3"]
        return (f"ROUGE-1/2/L {fmt(r['rouge1'])}/{fmt(r['rouge2'])}/{fmt(r['rougeL'])} vs Lead-3 "
                f"{fmt(l3['rouge1'])}/{fmt(l3['rouge2'])}/{fmt(l3['rougeL'])}")
    return ""


if __name__ == "__main__":
    sys.exit(main())
