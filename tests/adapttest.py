"""Helpers of the pretrain/distill tests: small text files written here, a kill-able child run, a
spec trained and packaged on an encoder folder."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

WORDS = ("the company said the new report from london was good news for the city while paris "
         "film critics loved the movie and hated the bad news about york markets").split()


def write_text(path: Path, n_docs: int = 120, seed: int = 0) -> Path:
    """One document per line, made-up sentences over a small vocabulary (learnable quickly)."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n_docs):
        start = rng.randrange(len(WORDS))
        n = rng.randint(6, 20)
        lines.append(" ".join(WORDS[(start + i) % len(WORDS)] for i in range(n)))
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def log_records(out: Path, name: str = "pretrain") -> List[Dict[str, Any]]:
    return [json.loads(line) for line in (out / f"{name}-log.jsonl").read_text().splitlines()]


CHILD = textwrap.dedent("""
    import json, os, signal, sys
    from pathlib import Path
    from plait.adapt.loop import LoopSettings
    args = json.loads(sys.argv[1])
    kill_at = args.pop("kill_at")
    kind = args.pop("kind")
    def on_step(step):
        if step == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)  # a real kill: no clean-up, no finally
    settings = LoopSettings(**args.pop("settings"))
    if kind == "pretrain":
        from plait.adapt.mlm import pretrain as run
    else:
        from plait.adapt.distill import distill as run
    run(Path(args.pop("output")), settings=settings, on_step=on_step, progress=False, **args)
""")


def run_child(kind: str, kill_at: int, **kwargs: Any) -> subprocess.CompletedProcess:
    """Run pretrain/distill in a child process that SIGKILLs itself after step ``kill_at``."""
    payload = json.dumps({"kind": kind, "kill_at": kill_at, **kwargs}, default=str)
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return subprocess.run([sys.executable, "-c", CHILD, payload], capture_output=True, text=True,
                          env=env, timeout=600)


def state_dict_close(a: Path, b: Path, atol: float = 1e-5) -> bool:
    from safetensors.torch import load_file

    x, y = load_file(str(a / "model.safetensors")), load_file(str(b / "model.safetensors"))
    import torch

    return set(x) == set(y) and all(torch.allclose(x[k], y[k], atol=atol) for k in x)


def train_and_package_spec(encoder: str, work: Path) -> Path:
    """Compose a one-component spec over ``encoder``, train it a few steps, package it (package
    folder, no wheel build) and return the packaged pipeline's folder."""
    import pytest
    import spacy
    from spacy.tokens import DocBin

    from plait.training.compose import compose, config_to_str
    from plait.plugins.registry import get_registry
    from plait.training.spec import PipelineSpec

    if "textcat" not in get_registry().components():
        pytest.skip("the textcat plugin is not installed")
    nlp = spacy.blank("en")
    work.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", 12), ("dev", 4)):
        db = DocBin()
        for i in range(n):
            good = i % 2 == 0
            doc = nlp.make_doc("the movie was good and the film loved" if good
                               else "the news was bad and critics hated it")
            doc.cats = {"GOOD": float(good), "BAD": float(not good)}
            db.add(doc)
        db.to_disk(work / f"{split}.spacy")
    spec = PipelineSpec.model_validate({
        "name": "adapted", "encoder": encoder, "transformer": {"window": 32, "stride": 24},
        "components": [{"component": "textcat", "labels": ["GOOD", "BAD"]}],
        "training": {"train": str(work / "train.spacy"), "dev": str(work / "dev.spacy"),
                     "max_steps": 6, "eval_frequency": 3, "warmup_steps": 1, "batch_words": 200,
                     "patience": 0}})
    cfg = work / "adapted.cfg"
    cfg.write_text(config_to_str(compose(spec)), encoding="utf8")
    from spacy.cli.package import package
    from spacy.cli.train import train

    train(cfg, work / "training", use_gpu=-1)
    (work / "packages").mkdir()
    package(work / "training" / "model-best", work / "packages", name="adapted", version="0.0.1",
            create_sdist=False, create_wheel=False, force=True, silent=True)
    pkg = work / "packages" / "en_adapted-0.0.1" / "en_adapted"
    return next(p for p in pkg.iterdir() if p.is_dir() and (p / "config.cfg").exists())
