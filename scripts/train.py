"""Train a composed config with ``spacy train`` and record how the run was made (``run.json``).

    python scripts/train.py configs/ner-conll.cfg training/ner-conll --corpus corpus/ner-conll \
        --gpu-id 0 [--max-steps 1800 --eval-frequency 300 --batch-words 1000]

The step, evaluation and batch options override the spec's values (0: keep the spec's); the learning-rate
schedule is stretched to the new step count, so a shorter CPU budget still decays to zero. A two-stage
spec (``training.head_steps``, ``head_learning_rate``, ``encoder_learning_rate``) takes
``--head-steps``, ``--head-learning-rate`` and ``--encoder-learning-rate``; there ``--learning-rate`` is
the spec's ``learning_rate``, the encoder's rate (the heads keep their own). Next to
``model-best``/``model-last`` it writes ``run.json``: the effective settings, wall time, hardware (CPU,
threads, GPU name), library versions and the git commit, which ``scripts/quality_table.py`` prints with
every figure. The composing, training and run record live in :mod:`plait.training.trainer` (``plait train``).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Dict

from plait.training.trainer import (fine_tuning_block, git_commit, hardware, rate_overrides,  # noqa: F401
                           schedule_overrides, train, versions)


def overrides_for(args: argparse.Namespace, config) -> Dict[str, Any]:
    """spaCy config overrides for the options that were given (0 keeps the config's value)."""
    out: Dict[str, Any] = {"paths.train": str(Path(args.corpus) / "train"),
                           "paths.dev": str(Path(args.corpus) / "dev"),
                           "system.seed": args.seed}
    training = config["training"]
    if args.max_steps:
        out["training.max_steps"] = args.max_steps
    if args.eval_frequency:
        out["training.eval_frequency"] = args.eval_frequency
    if args.batch_words:
        size = training["batcher"].get("size")
        if isinstance(size, dict):
            out["training.batcher.size.start"] = args.batch_words
            out["training.batcher.size.stop"] = args.batch_words
        else:
            out["training.batcher.size"] = args.batch_words
    two_stage = (args.head_steps is not None or args.head_learning_rate
                 or args.encoder_learning_rate)
    if two_stage or fine_tuning_block(config) is not None:
        # per-group rates (a single-stage config refuses them: E156); --learning-rate is the spec's
        # learning_rate, i.e. the encoder's: the heads keep theirs unless --head-learning-rate
        out.update(rate_overrides(
            config, head_steps=args.head_steps, head_rate=args.head_learning_rate or None,
            encoder_rate=args.encoder_learning_rate or args.learning_rate or None,
            where=args.config))
    elif args.learning_rate:
        out["training.optimizer.learn_rate.initial_rate"] = args.learning_rate
    if args.encoder:
        out["components.transformer.model.encoder"] = args.encoder
    if args.max_steps:
        out.update(schedule_overrides(config, out))  # the schedule stretched to the new steps
    return out


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config", type=Path)
    ap.add_argument("output", type=Path)
    ap.add_argument("--corpus", type=Path, required=True, help="folder with train/ and dev/")
    ap.add_argument("--gpu-id", type=int, default=-1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-steps", type=int, default=0, help="0: the spec's")
    ap.add_argument("--eval-frequency", type=int, default=0, help="0: the spec's")
    ap.add_argument("--batch-words", type=int, default=0, help="0: the spec's")
    ap.add_argument("--learning-rate", type=float, default=0.0, help="0: the spec's")
    ap.add_argument("--head-steps", type=int, default=None,
                    help="two-stage configs: steps of the heads alone over the frozen encoder "
                         "(default: the spec's share of the steps)")
    ap.add_argument("--head-learning-rate", type=float, default=0.0,
                    help="two-stage configs: the heads' rate (0: the spec's)")
    ap.add_argument("--encoder-learning-rate", type=float, default=0.0,
                    help="two-stage configs: the encoder's rate (0: --learning-rate, else the "
                         "spec's)")
    ap.add_argument("--encoder", default="", help="named encoder (empty: the spec's)")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from spacy import util

    from plait.errors import PlaitError

    config = util.load_config(args.config, interpolate=False)
    try:
        overrides = overrides_for(args, config)
    except PlaitError as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    train(args.config, args.output, gpu_id=args.gpu_id, overrides=overrides, corpus=str(args.corpus))
    wall = time.perf_counter() - t0
    print(f"✔ Trained in {wall / 60:.1f} min; settings in {args.output / 'run.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
