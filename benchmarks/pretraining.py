"""Does continued pre-training help? Stock vs task-adaptive vs domain-adaptive encoders, measured.

For each task (a quality spec and its corpus folder ``<corpus-root>/<spec>/{train,dev,test}``, as
``spacy project run corpus`` writes them), the same fine-tuning budget is spent from:

- ``stock``: the spec's encoder as shipped (all-MiniLM-L6-v2);
- ``task``: that encoder adapted by ``plait pretrain`` on the task's own training text (TAPT);
- ``domain``: adapted on all the news and review text the corpora carry (their train splits only:
  ``--domain-text``, default every converted corpus under ``<corpus-root>/raw``) (DAPT);
- ``task+words`` (``--add-words N``): TAPT with the vocabulary extended by N domain words.

Each (task, encoder) is fine-tuned with every ``--seeds`` seed so that a gain can be told from noise,
and scored on the task's test split with the spec's own score weights (spaCy's weighted score). The
table reports the pre-training's held-out perplexity before/after, the test score per seed, the mean
and spread, and the CPU minutes each stage used (user+system time of the processes it ran).

    python benchmarks/pretraining.py --tasks ner-conll sentiment-rt sentiment-tweets \
        --seeds 0 1 --pretrain-steps 2000 --finetune-steps 0      # the full measurement (GPU-sized)
    python benchmarks/pretraining.py --tasks sentiment-tweets --seeds 0 1 --pretrain-steps 30 \
        --finetune-steps 60 --window 64 --name small               # a small CPU version

Results: ``benchmarks/results/pretraining-<name>.json`` and ``.md``. Whatever the sign of a
difference, it is reported as measured.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import machine_info, markdown_table, write_json  # noqa: E402

DOMAIN_CORPORA = ("conll2003", "rt-reviews", "tweets-sentiment", "bbc-topics", "news-articles",
                  "news-ner-silver")


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: List[str], *, log: Path) -> float:
    """Run a command (output to ``log``); return the CPU seconds it used."""
    before = _children_cpu_s()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf8") as fh:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf8")[-3000:]
        raise SystemExit(f"✘ {' '.join(cmd)} failed ({proc.returncode}); log {log}:\n{tail}")
    return _children_cpu_s() - before


def weighted_score(model: Path, test: Path) -> Dict[str, Any]:
    """spaCy's weighted score of ``model`` on ``test`` (the spec's score weights), and the parts."""
    import spacy
    from spacy.training import Corpus

    nlp = spacy.load(model)
    examples = list(Corpus(str(test))(nlp))
    scores = nlp.evaluate(examples)
    weights = {k: v for k, v in nlp.config["training"]["score_weights"].items() if v}
    total = sum(weights.values()) or 1.0
    score = sum(float(scores.get(k) or 0.0) * w for k, w in weights.items()) / total
    return {"score": score, "weights": weights,
            "parts": {k: scores.get(k) for k in weights}, "test_docs": len(examples)}


def _encoder_record(out: Path, cpu: Optional[float]) -> Dict[str, Any]:
    manifest = json.loads((out / "plait-encoder.json").read_text(encoding="utf8"))
    return {"path": str(out), "cpu_minutes": round(cpu / 60, 2) if cpu is not None else None,
            "perplexity_before": manifest["perplexity_before"],
            "perplexity_after": manifest["perplexity_after"],
            "perplexity_head_only": manifest.get("perplexity_head_only"),
            "tokens": manifest["tokens"],
            "steps": manifest["steps"], "sources": [s["source"] for s in manifest["sources"]],
            "added_words": len(manifest.get("added_words", [])),
            "wall_minutes": round(manifest.get("seconds", 0) / 60, 2)}


def _perplexities(encoder: Dict[str, Any]) -> str:
    """'stock -> adapted' held-out perplexity; the stock figure is the encoder under the trained
    head (after the head warm-up) where there was one, else before the first step."""
    if "perplexity_after" not in encoder:
        return "—"
    base = encoder.get("perplexity_head_only")
    if base is None:
        return f"{encoder['perplexity_before']:.1f} → {encoder['perplexity_after']:.1f}"
    return (f"{base:.1f} → {encoder['perplexity_after']:.1f} (random head: "
            f"{encoder['perplexity_before']:.0f})")


def _pretrain_minutes(encoder: Dict[str, Any]) -> str:
    if encoder.get("cpu_minutes") is not None:
        return f"{encoder['cpu_minutes']:.1f}"
    if "wall_minutes" in encoder:
        return f"{encoder['wall_minutes']:.1f} wall (reused)"
    return "—"


def pretrain(out: Path, encoder: str, texts: Sequence[str], args: argparse.Namespace,
             add_words: int = 0) -> Dict[str, Any]:
    cpu_file = out.parent / f"{out.name}.cpu.json"
    if args.reuse_encoders and (out / "plait-encoder.json").exists():
        cpu = (json.loads(cpu_file.read_text(encoding="utf8"))["cpu_s"] if cpu_file.exists()
               else None)  # pre-trained by an earlier invocation: its CPU time, if it recorded it
        record = _encoder_record(out, cpu)
        if record["steps"] == args.pretrain_steps:
            print(f"· reusing {out} ({record['steps']} steps)", flush=True)
            return record
    cmd = [sys.executable, "-m", "plait", "pretrain", "-o", str(out), "--encoder", encoder,
           "--max-steps", str(args.pretrain_steps), "--eval-every",
           str(max(1, args.pretrain_steps // 4)), "--batch-size", str(args.batch_size),
           "--lr", str(args.pretrain_lr), "--seed", "0", "--gpu-id", str(args.gpu_id),
           "--overwrite", "--no-progress", "--heldout", str(args.heldout)]
    if args.window:
        cmd += ["--window", str(args.window)]
    if args.pretrain_minutes:
        cmd += ["--max-minutes", str(args.pretrain_minutes)]
    if add_words:
        cmd += ["--add-words", str(add_words)]
    if args.head_steps is not None:
        cmd += ["--head-steps", str(args.head_steps)]
    for text in texts:
        cmd += ["--text", str(text)]
    cpu = run(cmd, log=out.parent / f"{out.name}.log")
    cpu_file.write_text(json.dumps({"cpu_s": cpu}), encoding="utf8")
    return _encoder_record(out, cpu)


TWO_STAGE_KEYS = ("head_steps", "head_learning_rate", "encoder_learning_rate", "encoder_warmup_steps")


def single_stage_spec(source: Path, dest: Path) -> Path:
    """A copy of the spec without its head-only stage and per-group rates (one rate for all)."""
    import yaml

    data = yaml.safe_load(source.read_text(encoding="utf8"))
    for key in TWO_STAGE_KEYS:
        (data.get("training") or {}).pop(key, None)
    dest.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf8")
    return dest


def finetune(spec: str, corpus: Path, encoder: str, seed: int, out: Path,
             args: argparse.Namespace) -> Dict[str, Any]:
    cfg = out / "config-composed.cfg"
    done = out / "score.json"
    if args.reuse_finetunes and done.exists():
        print(f"· reusing {out}", flush=True)
        return json.loads(done.read_text(encoding="utf8"))
    out.mkdir(parents=True, exist_ok=True)
    source = ROOT / "pipeline" / f"{spec}.yml"
    if args.single_stage:
        source = single_stage_spec(source, out / f"{spec}-single-stage.yml")
    cpu = run([sys.executable, "-m", "plait", "compose", str(source), "-o", str(cfg)],
              log=out / "compose.log")
    cmd = [sys.executable, str(ROOT / "scripts" / "train.py"), str(cfg), str(out / "training"),
           "--corpus", str(corpus), "--gpu-id", str(args.gpu_id), "--seed", str(seed),
           "--encoder", encoder]
    if args.finetune_steps:
        cmd += ["--max-steps", str(args.finetune_steps), "--eval-frequency",
                str(max(1, args.finetune_steps // 2))]
    if args.batch_words:
        cmd += ["--batch-words", str(args.batch_words)]
    if args.finetune_lr:
        cmd += ["--learning-rate", str(args.finetune_lr)]
    cpu += run(cmd, log=out / "train.log")
    before = time.process_time()
    result = weighted_score(out / "training" / "model-best", corpus / "test")
    result["cpu_minutes"] = round((cpu + time.process_time() - before) / 60, 2)
    write_json(done, result)
    return result


def domain_sources(args: argparse.Namespace) -> List[str]:
    if args.domain_text:
        return list(args.domain_text)
    raw = Path(args.corpus_root) / "raw"
    return [str(raw / name) for name in DOMAIN_CORPORA if (raw / name / "train.spacy").exists()]


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", nargs="+", default=["ner-conll", "sentiment-rt", "sentiment-tweets"])
    ap.add_argument("--corpus-root", default=str(ROOT / "corpus"))
    ap.add_argument("--encoder", default="minilm-l6", help="the stock encoder")
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    ap.add_argument("--systems", nargs="+", default=["stock", "task", "domain"],
                    choices=["stock", "task", "domain", "task+words"])
    ap.add_argument("--domain-text", nargs="*", default=None,
                    help="text of the domain-adaptive encoder (default: <corpus-root>/raw/<corpus> "
                         "train splits of the news and review corpora)")
    ap.add_argument("--add-words", type=int, default=1000, help="N of the task+words system")
    ap.add_argument("--pretrain-steps", type=int, default=2000)
    ap.add_argument("--pretrain-minutes", type=float, default=0)
    ap.add_argument("--pretrain-lr", type=float, default=5e-5)
    ap.add_argument("--batch-size", type=int, default=16, help="windows per pre-training step")
    ap.add_argument("--window", type=int, default=128, help="pre-training window (0: encoder's)")
    ap.add_argument("--finetune-steps", type=int, default=0, help="0: each spec's own budget")
    ap.add_argument("--batch-words", type=int, default=0, help="0: each spec's own")
    ap.add_argument("--heldout", type=float, default=0.05,
                    help="share of the pre-training text held out for perplexity")
    ap.add_argument("--finetune-lr", type=float, default=0.0, help="0: each spec's own")
    ap.add_argument("--head-steps", type=int, default=None,
                    help="MLM head warm-up steps of plait pretrain (default: its own)")
    ap.add_argument("--single-stage", action="store_true",
                    help="fine-tune without the specs' head-only stage and per-group learning "
                         "rates (one rate for everything, --finetune-lr): how the CPU measurement "
                         "in the README was made")
    ap.add_argument("--gpu-id", type=int, default=-1)
    ap.add_argument("--work", default=str(ROOT / "runs" / "pretraining"))
    ap.add_argument("--name", default="full")
    ap.add_argument("--reuse-finetunes", action="store_true",
                    help="keep fine-tuning runs an earlier run of this script finished under --work "
                         "(their score.json)")
    ap.add_argument("--reuse-encoders", action="store_true",
                    help="keep encoders an earlier run of this script wrote under --work (same "
                         "steps); their CPU minutes are then not counted again")
    args = ap.parse_args(argv)

    work = Path(args.work)
    started = time.time()
    encoders: Dict[str, Dict[str, Any]] = {}
    rows: List[Dict[str, Any]] = []
    if "domain" in args.systems:
        texts = domain_sources(args)
        if not texts:
            raise SystemExit("✘ no domain text: convert the corpora (spacy project run corpus) or "
                             "pass --domain-text")
        print(f"· domain-adaptive pre-training on {', '.join(texts)}", flush=True)
        encoders["domain"] = pretrain(work / "encoders" / "domain", args.encoder, texts, args)
    for spec in args.tasks:
        corpus = Path(args.corpus_root) / spec
        if not (corpus / "train").exists():
            print(f"✘ {spec}: no {corpus}/train, skipped", flush=True)
            continue
        systems: Dict[str, Dict[str, Any]] = {"stock": {"path": args.encoder}}
        if "task" in args.systems:
            print(f"· {spec}: task-adaptive pre-training", flush=True)
            systems["task"] = pretrain(work / "encoders" / f"task-{spec}", args.encoder,
                                       [str(corpus / "train")], args)
        if "task+words" in args.systems:
            systems["task+words"] = pretrain(work / "encoders" / f"task-words-{spec}", args.encoder,
                                             [str(corpus / "train")], args, add_words=args.add_words)
        if "domain" in args.systems:
            systems["domain"] = encoders["domain"]
        for system in args.systems:
            enc = systems[system]
            scores = []
            for seed in args.seeds:
                print(f"· {spec}: fine-tune on {system} encoder, seed {seed}", flush=True)
                res = finetune(spec, corpus, enc["path"], seed,
                               work / "finetune" / f"{spec}-{system}-{seed}", args)
                scores.append(res)
            values = [s["score"] for s in scores]
            rows.append({"task": spec, "system": system, "encoder": enc,
                         "scores": values, "mean": statistics.mean(values),
                         "stdev": statistics.stdev(values) if len(values) > 1 else 0.0,
                         "finetune_cpu_minutes": round(sum(s["cpu_minutes"] for s in scores), 2),
                         "details": scores})
    result = {"name": args.name, "args": vars(args), "machine": machine_info(),
              "wall_minutes": round((time.time() - started) / 60, 2), "rows": rows}
    out = ROOT / "benchmarks" / "results" / f"pretraining-{args.name}.json"
    write_json(out, result)
    table = markdown_table(
        ["Task", "Encoder", "Held-out ppl: stock (trained head) → adapted", "Test score per seed",
         "Mean ± sd", "Pre-train CPU min", "Fine-tune CPU min"],
        [[r["task"], r["system"], _perplexities(r["encoder"]),
          ", ".join(f"{v:.3f}" for v in r["scores"]), f"{r['mean']:.3f} ± {r['stdev']:.3f}",
          _pretrain_minutes(r["encoder"]), r["finetune_cpu_minutes"]] for r in rows])
    md = out.with_suffix(".md")
    md.write_text(f"# Pre-training benchmark `{args.name}`\n\nCommand: `python benchmarks/"
                  f"pretraining.py {' '.join(argv if argv is not None else sys.argv[1:])}`\n\n"
                  + table + "\n", encoding="utf8")
    print(table)
    print(f"✔ {out} and {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
