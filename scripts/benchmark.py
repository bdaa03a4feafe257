"""Run the repository's speed benchmark on a trained pipeline, if the benchmark script is there.

    python scripts/benchmark.py --model training/demo/model-best --n-docs 200 --output metrics/demo/speed.json

Delegates to ``benchmarks/speed.py`` (throughput and peak memory; see its docstring), passing every
argument through. When that script is missing (a trimmed checkout) it says so and exits 0, so the
``benchmark`` command of project.yml never breaks a workflow.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "speed.py"


def main() -> int:
    args = sys.argv[1:]
    if not SCRIPT.is_file():
        print(f"ℹ No benchmark script at {SCRIPT.relative_to(ROOT)}: nothing to benchmark "
              "(the benchmarks/ folder is not part of this checkout).")
        return 0
    cmd = [sys.executable, str(SCRIPT), *args]
    print("ℹ Running " + " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
