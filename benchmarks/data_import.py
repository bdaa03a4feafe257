"""`plait data import` on a large generated file: peak memory and speed, next to a hand-written
converter (the in-memory DocBin loop users write today) measured in the same run.

Generates a JSONL file of ``--mb`` megabytes of labelled news-like records (benchmarks/texts.py), then
imports it in a fresh subprocess per system and reports each one's peak RSS and records per second,
and the ratios plait / hand-written. Bounded memory means plait's peak stays flat as ``--mb`` grows
(the hand-written loop holds every Doc):

    python benchmarks/data_import.py --mb 50
    python benchmarks/data_import.py --mb 1000          # the 1 GB file (minutes; ~1 GB of disk)
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine_info, markdown_table, write_json  # noqa: E402
from benchmarks.texts import make_docs  # noqa: E402

LABELS = ["business", "politics", "sport", "tech"]

PLAIT = r"""
import json, resource, sys, time
from plait.data.importer import import_data
t0 = time.perf_counter()
r = import_data([sys.argv[1]], sys.argv[2], task="textcat", force=True)
print(json.dumps({"seconds": time.perf_counter() - t0, "records": r.imported,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

HANDWRITTEN = r"""
import json, resource, sys, time
import spacy
from spacy.tokens import DocBin
t0 = time.perf_counter()
nlp = spacy.blank("en")
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf8")]
labels = sorted({r["label"] for r in rows})
db = DocBin()
for r in rows:
    doc = nlp.make_doc(r["text"])
    doc.cats = {label: float(label == r["label"]) for label in labels}
    db.add(doc)
db.to_disk(sys.argv[2] + ".spacy")
print(json.dumps({"seconds": time.perf_counter() - t0, "records": len(rows),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_input(path: Path, megabytes: float, seed: int = 0) -> int:
    rng = random.Random(seed)
    docs = make_docs(500, seed=seed)
    target, n = int(megabytes * 1024 * 1024), 0
    with path.open("w", encoding="utf8") as f:
        while f.tell() < target:
            text = f"{n}. {docs[n % len(docs)]}"  # the number keeps texts distinct
            f.write(json.dumps({"text": text, "label": rng.choice(LABELS)}) + "\n")
            n += 1
    return n


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50.0, help="size of the generated input")
    ap.add_argument("--skip-handwritten", action="store_true", help="plait only (huge inputs)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "input.jsonl"
        n = write_input(src, args.mb)
        systems = {"plait data import": run(PLAIT, str(src), str(Path(tmp) / "plait"))}
        if not args.skip_handwritten:
            systems["hand-written DocBin loop"] = run(HANDWRITTEN, str(src), str(Path(tmp) / "hw"))
    rows = [(name, r["records"], round(r["records"] / r["seconds"]), round(r["peak_mib"]))
            for name, r in systems.items()]
    result = {"benchmark": "data_import", "mb": args.mb, "records": n, "systems": systems,
              "machine": machine_info()}
    if len(systems) == 2:
        p, h = systems["plait data import"], systems["hand-written DocBin loop"]
        result["ratios"] = {"speed": round(h["seconds"] / p["seconds"], 2),
                            "peak_memory": round(p["peak_mib"] / h["peak_mib"], 2)}
    print(markdown_table(["system", "records", "records/s", "peak MiB"], rows))
    if "ratios" in result:
        print(f"plait / hand-written: speed {result['ratios']['speed']}x, peak memory "
              f"{result['ratios']['peak_memory']}x")
    write_json(args.out / f"data_import-{int(args.mb)}mb.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
