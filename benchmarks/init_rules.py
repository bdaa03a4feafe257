"""The evidence behind `plait init`'s settings table: short measured runs of one data folder under
several batch / learning-rate settings, each trained and scored the way a user does it.

    python benchmarks/init_rules.py DATA --name conll-sent-2k --steps 200 --eval-frequency 50 \
        --setting 2000:5e-5 --setting 1000:1e-4 [--threads 1] [--jobs 2] [--encoder minilm-l6]

For every ``BATCH_WORDS:LEARNING_RATE[:BATCHER]`` setting (``words`` or ``padded``; default what
``plait init`` chose): ``plait init`` writes the spec for DATA (an imported
data folder), ``plait train SPEC --max-steps --eval-frequency --batch-words --learning-rate`` trains it
(the same steps for every setting, so a setting is compared at equal steps and its wall time says its
cost), and ``plait evaluate model-best DATA/test`` scores it. ``--jobs 2`` runs two settings at once
(one torch thread each with ``--threads 1``). Writes ``benchmarks/results/init_rules-<name>.json``
(the machine named: CPU, threads, load) and prints a markdown table; ``plait/data/init_spec.py``'s
``RULES`` cites these files, and docs/data.md says which rows are measured.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import ROOT, machine_info, markdown_table, write_json  # noqa: E402


def _plait(*args: str, env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plait", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT)


def _main_score(metrics: Dict[str, Any]) -> Dict[str, Any]:
    """The headline scores of a ``plait evaluate`` metrics JSON: each component's numbers and its
    ``micro``/``macro``-style averages (``ner.micro.f``), not the per-label or calibration tables."""
    out: Dict[str, Any] = {}
    for name, component in (metrics.get("components") or {}).items():
        for key, value in component.items():
            if isinstance(value, bool):
                continue
            if isinstance(value, (int, float)):
                out[f"{name}.{key}"] = value
            elif isinstance(value, dict) and key not in ("per_label", "per_type", "calibration"):
                for k, v in value.items():
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        out[f"{name}.{key}.{k}"] = v
    return out


def run_setting(data: Path, setting: str, *, steps: int, eval_frequency: int, threads: int,
                encoder: Optional[str], work: Path) -> Dict[str, Any]:
    batch, rate, *rest = setting.split(":")
    batcher = rest[0] if rest else None  # words | padded; default: what plait init chose
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    if threads:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    tag = f"{batch}x{rate}" + (f"-{batcher}" if batcher else "")
    spec = work / f"{tag}.yml"
    init = _plait("init", f"rules-{tag.replace('.', '_')}", "--data", str(data), "-o", str(spec),
                  "--force", "--budget", "none", *(["--encoder", encoder] if encoder else []),
                  env=env)
    if init.returncode != 0:
        raise SystemExit(f"✘ plait init failed:\n{init.stdout}{init.stderr}")
    data_spec = yaml.safe_load(spec.read_text(encoding="utf8"))
    if batcher:
        data_spec["training"]["batch_by"] = batcher
        spec.write_text(yaml.safe_dump(data_spec, sort_keys=False), encoding="utf8")
    batcher = data_spec["training"].get("batch_by", "words")
    out = work / tag
    began = time.perf_counter()
    train = _plait("train", str(spec), "-o", str(out), "--max-steps", str(steps),
                   "--eval-frequency", str(eval_frequency), "--batch-words", batch,
                   "--learning-rate", rate, env=env)
    seconds = time.perf_counter() - began
    if train.returncode != 0:
        raise SystemExit(f"✘ plait train {tag} failed:\n{train.stderr[-3000:]}")
    metrics_path = work / f"{tag}-test.json"
    evaluate = _plait("evaluate", str(out / "model-best"), str(data / "test"), "-o",
                      str(metrics_path), env=env)
    if evaluate.returncode != 0:
        raise SystemExit(f"✘ plait evaluate {tag} failed:\n{evaluate.stderr[-3000:]}")
    best = json.loads((out / "model-best" / "meta.json").read_text()).get("performance", {})
    return {"batch_words": int(batch), "learning_rate": float(rate), "batch_by": batcher,
            "steps": steps,
            "train_seconds": round(seconds, 1),
            "dev_best": {k: v for k, v in best.items() if isinstance(v, (int, float))},
            "test": _main_score(json.loads(metrics_path.read_text()))}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="an imported data folder (plait data import)")
    parser.add_argument("--name", required=True, help="names the results file")
    parser.add_argument("--setting", action="append", required=True,
                        help="BATCH_WORDS:LEARNING_RATE[:words|padded] (repeat)")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--eval-frequency", type=int, default=50)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--encoder")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    meta = json.loads((args.data / "meta.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        if args.jobs > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(args.jobs) as pool:
                runs = list(pool.map(lambda s: run_setting(
                    args.data, s, steps=args.steps, eval_frequency=args.eval_frequency,
                    threads=args.threads, encoder=args.encoder, work=Path(tmp)), args.setting))
        else:
            runs = [run_setting(args.data, s, steps=args.steps, eval_frequency=args.eval_frequency,
                                threads=args.threads, encoder=args.encoder, work=Path(tmp))
                    for s in args.setting]
    record = {"benchmark": "init_rules", "name": args.name, "task": meta.get("task"),
              "data": {"counts": meta.get("counts"), "words": meta.get("words"),
                       "labels": len(meta.get("labels", []))},
              "encoder": args.encoder or "minilm-l6", "jobs": args.jobs,
              "machine": machine_info(args.threads or None), "runs": runs}
    output = args.output or ROOT / "benchmarks" / "results" / f"init_rules-{args.name}.json"
    write_json(output, record)
    keys = sorted({k for r in runs for k in r["test"]})
    print(markdown_table(["batch words", "learning rate", "batcher", "steps", "train s", *keys],
                         [[r["batch_words"], r["learning_rate"], r["batch_by"], r["steps"],
                           r["train_seconds"],
                           *[r["test"].get(k) for k in keys]] for r in runs]))
    print(f"✔ Wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
