"""A learning curve as a benchmark result: `plait curve` on a spec and a converted package corpus,
its table turned into ``benchmarks/results/curve-<name>.json`` (one row per training size: mean ±
std of each component's main score over the seeds), with the machine it ran on.

    python -m plait corpus trec-questions corpus/trec --source ~/.cache/plait/assets
    python benchmarks/curve.py pipeline/textcat-trec.yml --data corpus/trec \
        --sizes 0,8,16,32 --seeds 2 --max-steps 60 --eval-frequency 30 --name textcat-trec

``--data`` is a folder with ``train.spacy``, ``dev.spacy`` and ``test.spacy`` (what ``plait corpus``
writes); every run is scored on ``test.spacy``. The curve's own folder (``--work``, default
``curves/<name>``) keeps its table, so a killed benchmark continues where it stopped when run again;
``benchmarks/tables.py`` renders the result.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import ROOT, machine_info, markdown_table, write_json  # noqa: E402


def rows(table: Dict[str, Any]) -> List[Dict[str, Any]]:
    """One row per (size, component): the figures first (the generated tables show the first
    columns)."""
    out = []
    for point in table["points"]:
        for pipe, s in (point.get("stats") or {}).items():
            values = [r["scores"][pipe]["value"] for r in point["runs"] if pipe in r["scores"]]
            out.append({
                "size": point["size"] + (" (zero-shot)" if point.get("zero_shot") else ""),
                "docs": point["n_docs"], "component": pipe, "metric": s.get("metric"),
                "score": None if s.get("mean") is None else
                f"{100 * s['mean']:.1f} ± {100 * (s.get('std') or 0.0):.1f}",
                "seeds": s.get("n"),
                "per_seed": ", ".join(f"{100 * v:.1f}" for v in values if v is not None),
                "seconds_per_run": round(sum(r["seconds"] for r in point["runs"])
                                         / max(1, len(point["runs"])), 1),
                "mean": s.get("mean"), "std": s.get("std"),
            })
    return out


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spec", type=Path)
    ap.add_argument("--data", type=Path, required=True,
                    help="Folder with train.spacy, dev.spacy and test.spacy")
    ap.add_argument("--sizes", default="0,8,16,32")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--max-steps", type=int, default=60)
    ap.add_argument("--eval-frequency", type=int, default=30)
    ap.add_argument("--name", default=None, help="Results file suffix (default: the spec's stem)")
    ap.add_argument("--work", type=Path, default=None, help="The curve's folder (default "
                    "curves/<name>)")
    ap.add_argument("--output", type=Path, default=None,
                    help="Results file (default: benchmarks/results/curve-<name>.json)")
    ap.add_argument("--zero-shot-options", type=Path, default=None,
                    help="`plait curve --zero-shot-options` (e.g. benchmarks/trec-zero-shot.yml)")
    args = ap.parse_args(argv)
    name = args.name or args.spec.stem
    work = args.work or Path("curves") / name
    cmd = [sys.executable, "-m", "plait", "curve", str(args.spec), "-o", str(work),
           "--sizes", args.sizes, "--seeds", str(args.seeds), "--test",
           str(args.data / "test.spacy"), "--max-steps", str(args.max_steps),
           "--eval-frequency", str(args.eval_frequency),
           "--paths.train", str(args.data / "train.spacy"),
           "--paths.dev", str(args.data / "dev.spacy")]
    if args.zero_shot_options:
        cmd += ["--zero-shot-options", str(args.zero_shot_options)]
    done = subprocess.run(cmd)
    if done.returncode:
        return done.returncode
    table = json.loads((work / "curve.json").read_text(encoding="utf8"))
    data = {"benchmark": "curve", "machine": machine_info(),
            "settings": {"spec": str(args.spec), "data": str(args.data), "sizes": args.sizes,
                         "seeds": args.seeds, "max_steps": args.max_steps,
                         "eval_frequency": args.eval_frequency, "unit": table["unit"],
                         "zero_shot_options": table.get("zero_shot_options") or None,
                         "n_train": table["n_train"], "test": table["test"],
                         "command": " ".join(["python", "benchmarks/curve.py",
                                              *(argv if argv is not None else sys.argv[1:])])},
            "rows": rows(table), "advice": table.get("advice", [])}
    path = write_json(args.output or ROOT / "benchmarks" / "results" / f"curve-{name}.json", data)
    print(markdown_table(list(data["rows"][0]), [list(r.values()) for r in data["rows"]]))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
