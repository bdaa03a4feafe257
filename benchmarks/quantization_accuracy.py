"""What int8 dynamic quantization costs in accuracy: ``spacy evaluate`` scores of a trained pipeline,
float vs int8, side by side, per test file. ``--runtime torch`` (default) quantizes with
``plait.runtime.quantize.quantize_pipeline``; ``--runtime onnx`` loads the pipeline again with
``plait.load(..., runtime="onnx", quantize=True)`` (ONNX Runtime's int8); float is torch's in both.

Usage::

    python benchmarks/quantization_accuracy.py training/demo/model-best corpus/demo/test
    python benchmarks/quantization_accuracy.py MODEL test.spacy --per-type --output q.json
    python benchmarks/quantization_accuracy.py MODEL test.spacy --runtime onnx

The test set is a ``.spacy`` file or a folder of them (each file is evaluated on its own, e.g. one per
task as in ``corpus/<name>/test/<task>.spacy``). The pipeline is evaluated in float first, then
quantized in place and evaluated again on the same examples.
"""
from __future__ import annotations

import argparse
import datetime
import math
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine_info, markdown_table, set_threads, write_json  # noqa: E402


def flatten(scores: Dict[str, Any], per_type: bool, prefix: str = "") -> Dict[str, float]:
    """Numeric scores as ``{"ents_f": 0.8, "ents_per_type.PERSON.f": ...}`` (nested only if asked)."""
    out: Dict[str, float] = {}
    for key, value in scores.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float)):
            out[name] = float(value)
        elif isinstance(value, dict) and per_type:
            out.update(flatten(value, per_type, prefix=name + "."))
    return out


def evaluate(nlp: Any, path: Path, batch_size: int) -> Dict[str, Any]:
    from spacy.training import Corpus

    examples = list(Corpus(str(path), gold_preproc=False)(nlp))
    if not examples:
        raise SystemExit(f"{path}: no examples")
    t0 = time.perf_counter()
    scores = nlp.evaluate(examples, batch_size=batch_size)
    scores["seconds"] = round(time.perf_counter() - t0, 2)
    scores["examples"] = len(examples)
    return scores


def predictions(nlp: Any, texts: List[str], batch_size: int) -> List[Dict[str, Any]]:
    """What each component decided, per text (for float/int8 agreement)."""
    out = []
    for doc in nlp.pipe(texts, batch_size=batch_size):
        senti = doc._.sentiment if doc.has_extension("sentiment") else None
        out.append({
            "ents": sorted((e.start_char, e.end_char, e.label_) for e in doc.ents),
            "cats": max(doc.cats, key=doc.cats.get) if doc.cats else None,
            "sentiment": senti.get("label") if isinstance(senti, dict) else None,
            "summary": doc._.summary if doc.has_extension("summary") else None,
        })
    return out


def agreement(a: List[Dict[str, Any]], b: List[Dict[str, Any]]) -> Dict[str, Optional[float]]:
    """Share of texts where int8 decides exactly as float, per output (entity sets compared whole)."""
    out: Dict[str, Optional[float]] = {}
    for key in ("ents", "cats", "sentiment", "summary"):
        pairs = [(x[key], y[key]) for x, y in zip(a, b) if x[key] is not None or y[key] is not None]
        out[key] = round(sum(x == y for x, y in pairs) / len(pairs), 4) if pairs else None
    fa = [set(map(tuple, x["ents"])) for x in a]
    fb = [set(map(tuple, y["ents"])) for y in b]
    both = sum(len(x & y) for x, y in zip(fa, fb))
    total = sum(len(x) + len(y) for x, y in zip(fa, fb))
    out["entity_overlap_f"] = round(2 * both / total, 4) if total else None
    return out


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="trained Plait pipeline folder or package")
    ap.add_argument("test", help=".spacy test file, or a folder of them")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--per-type", action="store_true", help="also per-label scores")
    ap.add_argument("--runtime", choices=["torch", "onnx"], default="torch",
                    help="whose int8: torch's dynamic Linear, or ONNX Runtime's")
    ap.add_argument("--output", help="JSON result path")
    args = ap.parse_args(argv)

    import plait
    from spacy.training import Corpus

    from plait.runtime.quantize import quantize_pipeline

    set_threads(args.threads)
    test = Path(args.test)
    files = sorted(test.rglob("*.spacy")) if test.is_dir() else [test]
    if not files:
        raise SystemExit(f"No .spacy files at {test}")
    try:
        nlp = plait.load(args.model)
    except OSError as exc:
        raise SystemExit(f"Cannot load the pipeline {args.model!r}: {exc}")
    texts = [eg.reference.text for f in files for eg in Corpus(str(f))(nlp)]
    warm = texts[:8]  # first calls are slow (lazy allocations): warm up so "speed" compares fairly
    list(nlp.pipe(warm))
    float_scores = {str(f): evaluate(nlp, f, args.batch_size) for f in files}
    float_preds = predictions(nlp, texts, args.batch_size)
    if args.runtime == "onnx":
        nlp = plait.load(args.model, runtime="onnx", quantize=True)
    else:
        quantize_pipeline(nlp)
    list(nlp.pipe(warm))
    int8_scores = {str(f): evaluate(nlp, f, args.batch_size) for f in files}
    agree = agreement(float_preds, predictions(nlp, texts, args.batch_size))

    sections = []
    rows_all = []
    for f in files:
        a = flatten(float_scores[str(f)], args.per_type)
        b = flatten(int8_scores[str(f)], args.per_type)
        rows = []
        for key in a:
            if key in ("examples",) or key not in b:
                continue
            fa, fb = a[key], b[key]
            delta = None if (math.isnan(fa) or math.isnan(fb)) else round(fb - fa, 4)
            digits = 1 if key in ("speed", "seconds") else 4
            rows.append([key, f"{fa:.{digits}f}", f"{fb:.{digits}f}",
                         "–" if delta is None else f"{delta:+.{digits}f}"])
            rows_all.append({"file": str(f), "metric": key, "float": fa, "int8": fb, "delta": delta})
        sections.append(f"### {f} ({float_scores[str(f)]['examples']} examples)\n\n"
                        + markdown_table(["metric", "float", "int8", "int8 − float"], rows))
    data = {"benchmark": "quantization_accuracy", "machine": machine_info(args.threads),
            "settings": {"model": args.model, "test": args.test, "batch_size": args.batch_size,
                         "quantization": nlp.meta.get("plait_quantized"), "runtime": args.runtime},
            "float": float_scores, "int8": int8_scores, "rows": rows_all,
            "agreement": agree, "agreement_texts": len(texts)}
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = write_json(Path(args.output or Path(__file__).parent / "results" /
                          f"quantization_accuracy-{stamp}.json"), data)
    print(f"Quantization accuracy: {args.model} on {args.test} (float vs int8 dynamic, "
          f"{args.runtime})\n")
    print("\n\n".join(sections))
    print(f"\n### Same decision as float, over all {len(texts)} test texts\n")
    print(markdown_table(["output", "agreement"],
                         [[k, "–" if v is None else f"{v:.4f}"] for k, v in agree.items()]))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
