"""Does plait-ner gain from cased surface features on top of an uncased encoder? (CoNLL-2003 subset)

Trains the ``plait_ner`` component twice on the same CoNLL-2003 subset with the same encoder and
settings, once with ``surface_features = false`` and once with ``true`` (SHAPE/PREFIX/SUFFIX hash
embeddings concatenated with the transformer features), then prints dev entity P/R/F1 and the ECE of the
entity confidences (before and after fitting the temperature on dev) for each.

Data: ``eng.train`` / ``eng.testa`` (IOB1) from ``../shared/data/conll2003/`` next to the repository (see
SOURCE.md there; research-only data). The gold tokenization is kept (one Doc per sentence).

    python benchmarks/ner_surface_features.py                       # defaults: 2000 train, 500 dev
    python benchmarks/ner_surface_features.py --train-sents 8 --dev-sents 8 --steps 3   # smoke run
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "conll2003"


def build_nlp(encoder: str, surface_features: bool, window: int, stride: int):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("transformer", config={"model": {
        "@architectures": "plait.Transformer.v1", "encoder": encoder,
        "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1",
                      "window": window, "stride": stride}}})
    nlp.add_pipe("plait_ner", name="ner", config={"model": {
        "surface_features": surface_features,
        "tok2vec": {"@architectures": "spacy-transformers.TransformerListener.v1",
                    "grad_factor": 1.0, "upstream": "transformer",
                    "pooling": {"@layers": "reduce_mean.v1"}}}})
    return nlp


def load_examples(nlp, path: Path, limit: int, seed: int) -> List[Any]:
    from spacy.tokens import Doc
    from spacy.training import Example

    from plait_ner.conll import read_conll

    docs = read_conll(path, nlp.vocab, scheme="iob1")
    random.Random(seed).shuffle(docs)
    docs = docs[:limit] if limit else docs
    return [Example(Doc(nlp.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d]),
                    d) for d in docs]


def run_variant(args: argparse.Namespace, surface_features: bool) -> Dict[str, Any]:
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch
    from thinc.api import Adam, warmup_linear

    fix_random_seed(args.seed)
    nlp = build_nlp(args.encoder, surface_features, args.window, args.stride)
    train = load_examples(nlp, args.data_dir / "eng.train", args.train_sents, args.seed)
    dev = load_examples(nlp, args.data_dir / "eng.testa", args.dev_sents, args.seed)
    schedule = warmup_linear(initial_rate=args.lr, warmup_steps=max(1, args.steps // 10),
                             total_steps=max(args.steps, 2))
    optimizer = Adam(learn_rate=schedule, grad_clip=1.0, L2=0.01, L2_is_weight_decay=True)
    nlp.initialize(lambda: train, sgd=optimizer)
    rng = random.Random(args.seed)
    step, start, loss = 0, time.time(), 0.0
    while step < args.steps:
        rng.shuffle(train)
        for batch in minibatch(train, size=args.batch_size):
            losses: Dict[str, float] = {}
            nlp.update(batch, sgd=optimizer, losses=losses, drop=args.dropout)
            optimizer.step_schedules()  # as spaCy's training loop does: advances warm-up/decay
            loss += losses.get("ner", 0.0)
            step += 1
            if step % max(1, args.steps // 10) == 0:
                print(f"  [surface_features={surface_features}] step {step}/{args.steps} "
                      f"ner loss {loss:.2f}", file=sys.stderr, flush=True)
                loss = 0.0
            if step >= args.steps:
                break
    train_s = time.time() - start
    scores = nlp.evaluate(dev)
    ner = nlp.get_pipe("ner")
    processed = [Example(doc, eg.reference) for doc, eg in
                 zip(nlp.pipe([eg.predicted.copy() for eg in dev]), dev)]
    tuning = ner.tune_on_dev(processed, nlp)
    tuned = nlp.evaluate(dev)
    return {"surface_features": surface_features, "encoder": args.encoder,
            "train_sents": len(train), "dev_sents": len(dev), "steps": step,
            "train_seconds": round(train_s, 1),
            "dev_p": scores["ents_p"], "dev_r": scores["ents_r"], "dev_f1": scores["ents_f"],
            "dev_ece": scores["ents_ece"], "temperature": tuning["temperature"],
            "dev_ece_tuned": tuned["ents_ece"],
            "per_type_f1": {k: v["f"] for k, v in (scores["ents_per_type"] or {}).items()}}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--encoder", default="minilm-l6")
    p.add_argument("--train-sents", type=int, default=2000, help="0: all")
    p.add_argument("--dev-sents", type=int, default=500, help="0: all")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--window", type=int, default=128)
    p.add_argument("--stride", type=int, default=96)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--variants", default="false,true",
                   help="comma-separated surface_features values to run")
    p.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = p.parse_args(argv)
    if not (args.data_dir / "eng.train").exists():
        p.error(f"CoNLL-2003 not found under {args.data_dir} (expected eng.train, eng.testa)")
    results = []
    for value in args.variants.split(","):
        surface = value.strip().lower() in ("1", "true", "yes", "on")
        result = run_variant(args, surface)
        print(json.dumps(result), flush=True)
        results.append(result)
    print(f"\n{'surface_features':>16} {'dev P':>7} {'dev R':>7} {'dev F1':>7} {'ECE':>6} "
          f"{'ECE(T)':>7} {'T':>6}")
    for r in results:
        fmt = lambda v, w: f"{v:>{w}.3f}" if isinstance(v, float) else f"{'-':>{w}}"  # noqa: E731
        print(f"{str(r['surface_features']):>16} {fmt(r['dev_p'], 7)} {fmt(r['dev_r'], 7)} "
              f"{fmt(r['dev_f1'], 7)} {fmt(r['dev_ece'], 6)} {fmt(r['dev_ece_tuned'], 7)} "
              f"{r['temperature']:>6.2f}")
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2), encoding="utf8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
