"""Train a composed config with ``spacy train`` and record how the run was made (``run.json``).

    python scripts/train.py configs/ner-conll.cfg training/ner-conll --corpus corpus/ner-conll \
        --gpu-id 0 [--max-steps 1800 --eval-frequency 300 --batch-words 1000]

The step, evaluation and batch options override the spec's values (0: keep the spec's); the learning-rate
schedule is stretched to the new step count, so a shorter CPU budget still decays to zero. Next to
``model-best``/``model-last`` it writes ``run.json``: the effective settings, wall time, hardware (CPU,
threads, GPU name), library versions and the git commit, which ``scripts/quality_table.py`` prints with
every figure.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict


def overrides_for(args: argparse.Namespace, config) -> Dict[str, Any]:
    """spaCy config overrides for the options that were given (0 keeps the config's value)."""
    out: Dict[str, Any] = {"paths.train": str(Path(args.corpus) / "train"),
                           "paths.dev": str(Path(args.corpus) / "dev"),
                           "system.seed": args.seed}
    training = config["training"]
    if args.max_steps:
        out["training.max_steps"] = args.max_steps
        lr = training["optimizer"]["learn_rate"]
        if isinstance(lr, dict) and "total_steps" in lr:
            out["training.optimizer.learn_rate.total_steps"] = args.max_steps
            out["training.optimizer.learn_rate.warmup_steps"] = min(
                int(lr.get("warmup_steps", 0)), max(1, args.max_steps // 10))
        out["training.patience"] = max(int(training.get("patience", 0)), args.max_steps)
        stages = training.get("before_update")
        if isinstance(stages, dict) and stages.get("head_steps") and training.get("max_steps"):
            # two-stage fine-tuning: keep the share of the head-only stage
            share = int(stages["head_steps"]) / int(training["max_steps"])
            out["training.before_update.head_steps"] = int(round(share * args.max_steps))
    if args.eval_frequency:
        out["training.eval_frequency"] = args.eval_frequency
    if args.batch_words:
        size = training["batcher"].get("size")
        if isinstance(size, dict):
            out["training.batcher.size.start"] = args.batch_words
            out["training.batcher.size.stop"] = args.batch_words
        else:
            out["training.batcher.size"] = args.batch_words
    if args.learning_rate:
        out["training.optimizer.learn_rate.initial_rate"] = args.learning_rate
    if args.encoder:
        out["components.transformer.model.encoder"] = args.encoder
    return out


def hardware(gpu_id: int) -> Dict[str, Any]:
    info: Dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version(),
                            "cpu_count": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
        if gpu_id >= 0 and torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(gpu_id)
    except ImportError:
        pass
    return info


def git_commit(mark_dirty: bool = True) -> str:
    """Short commit of HEAD, with ``+dirty`` when tracked files have changes (``mark_dirty``)."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    if not mark_dirty:
        return out
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return out + ("+dirty" if dirty else "")


def versions() -> Dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("spacy", "spacy-transformers", "transformers", "torch", "plait"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return out


def record_run(args: argparse.Namespace, overrides: Dict[str, Any], started: datetime,
               wall: float) -> Dict[str, Any]:
    """What run.json holds: the effective settings, time, hardware, versions and commit."""
    from spacy import util

    effective = util.load_config(args.config, overrides=overrides, interpolate=True)["training"]
    lr = effective["optimizer"]["learn_rate"]
    size = effective["batcher"].get("size")
    return {
        "config": str(args.config),
        "corpus": str(args.corpus),
        "overrides": overrides,
        "max_steps": effective["max_steps"],
        "eval_frequency": effective["eval_frequency"],
        "batch_words": size.get("start") if isinstance(size, dict) else size,
        "learning_rate": lr.get("initial_rate") if isinstance(lr, dict) else lr,
        "gpu_id": args.gpu_id,
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 1),
        "hardware": hardware(args.gpu_id),
        "versions": versions(),
        "commit": git_commit(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }


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
    ap.add_argument("--encoder", default="", help="named encoder (empty: the spec's)")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from spacy import util
    from spacy.cli.train import train

    config = util.load_config(args.config, interpolate=False)
    overrides = overrides_for(args, config)
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    train(args.config, args.output, use_gpu=args.gpu_id, overrides=overrides)
    wall = time.perf_counter() - t0
    run = record_run(args, overrides, started, wall)
    (args.output / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf8")
    print(f"✔ Trained in {wall / 60:.1f} min; settings in {args.output / 'run.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
