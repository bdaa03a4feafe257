"""What `plait train`'s checkpoints cost: seconds and MB per checkpoint against the time of a step,
and the whole run's time with and without them (the same spec, data, seed and steps, one after the
other in fresh processes, so the ratio is measured on one machine in one run).

    python benchmarks/checkpoint_cost.py configs/demo.cfg --corpus corpus/demo \
        --steps 40 --head-steps 10 --every 10
    python benchmarks/checkpoint_cost.py pipeline/textcat-bbc.yml \
        --corpus corpus/demo/raw/bbc-topics --steps 40 --every 10

Each spec runs twice: checkpoints off (``--checkpoints.every_minutes 0``), then one every ``--every``
steps. ``--head-steps`` puts the two-stage recipe's switch early, so checkpoints of both stages are
measured (stage 2 also saves the encoder's optimizer moments). The time figures come from each run's
own ``run.json`` (``train_seconds``; ``checkpoints.seconds`` and ``last_mb``); the default policy's
cost is the checkpoint time over its interval (5 minutes). Writes
``benchmarks/results/checkpoint_cost-<name>.json``; ``benchmarks/tables.py`` renders it.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import ROOT, machine_info, markdown_table, write_json  # noqa: E402

DEFAULT_MINUTES = 5.0  # plait.training.checkpoints.CheckpointPolicy's default interval


def train_once(spec: Path, corpus: Path, out: Path, *, steps: int, head_steps: Optional[int],
               every: int, seed: int) -> Dict[str, Any]:
    """One `plait train` in a fresh process; what its run.json says."""
    cmd = [sys.executable, "-m", "plait", "train", str(spec), "-o", str(out), "--corpus",
           str(corpus), "--seed", str(seed), "--max-steps", str(steps), "--eval-frequency",
           str(steps), "--checkpoints.every_minutes", "0", "--checkpoints.every_steps", str(every)]
    if head_steps is not None:
        cmd += ["--head-steps", str(head_steps)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"plait train failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads((out / "run.json").read_text(encoding="utf8"))


def measure(spec: Path, corpus: Path, *, steps: int, head_steps: Optional[int], every: int,
            seed: int) -> Dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="plait-ckpt-bench-") as tmp:
        off = train_once(spec, corpus, Path(tmp) / "off", steps=steps, head_steps=head_steps,
                         every=0, seed=seed)
        on = train_once(spec, corpus, Path(tmp) / "on", steps=steps, head_steps=head_steps,
                        every=every, seed=seed)
    ck = on["checkpoints"]
    written = max(int(ck["written"]), 1)
    per_checkpoint = float(ck["seconds"]) / written
    step = float(off["train_seconds"]) / steps
    return {  # the figures first (the generated tables show the first columns)
        "spec": str(spec), "checkpoint_seconds": round(per_checkpoint, 2),
        "checkpoint_mb": round(float(ck["last_mb"]), 1), "step_seconds": round(step, 2),
        "checkpoint_in_steps": round(per_checkpoint / step, 2) if step else None,
        "default_policy_overhead": round(per_checkpoint / (DEFAULT_MINUTES * 60), 4),
        "checkpoints_written": int(ck["written"]),
        "seconds_without": round(float(off["train_seconds"]), 1),
        "seconds_with": round(float(on["train_seconds"]), 1),
        "run_overhead": round(float(on["train_seconds"]) / float(off["train_seconds"]) - 1, 3),
        "steps": steps, "head_steps": head_steps, "every_steps": every, "corpus": str(corpus),
    }


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spec", type=Path, help="A pipeline spec (.yml) or composed config (.cfg)")
    ap.add_argument("--corpus", type=Path, required=True, help="Folder with train/ and dev/")
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--head-steps", type=int, default=None,
                    help="Two-stage configs: where stage 2 starts")
    ap.add_argument("--every", type=int, default=10, help="Steps between checkpoints")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--name", default=None, help="Results file suffix (default: the spec's stem)")
    ap.add_argument("--output", type=Path, default=None,
                    help="Results file (default: benchmarks/results/checkpoint_cost-<name>.json)")
    args = ap.parse_args(argv)
    row = measure(args.spec, args.corpus, steps=args.steps, head_steps=args.head_steps,
                  every=args.every, seed=args.seed)
    name = args.name or args.spec.stem
    path = write_json(args.output or ROOT / "benchmarks" / "results" / f"checkpoint_cost-{name}.json",
                      {"benchmark": "checkpoint_cost", "machine": machine_info(), "rows": [row]})
    print(markdown_table(list(row), [list(row.values())]))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
