"""Check a pipeline package built by ``spacy package``: its declared requirements, and that the wheel
installs and loads with plain ``spacy.load`` in a fresh process.

    python scripts/check_package.py packages/en_plait_news-0.1.0

The wheel is installed with ``--no-deps`` into a temporary folder (your environment is not changed) and
loaded from a subprocess that never imports ``plait`` itself: the components are found through the
plugins' ``spacy_factories`` entry points, as they would be for any user who ``pip install``s the
wheel (which pulls ``plait`` and the ``plait-*`` plugins through its requirements).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import List

PROBE = r"""
import json, sys
import spacy
nlp = spacy.load(sys.argv[1])
doc = nlp("Maria Lopez opened a bakery in Lisbon. The bread is wonderful and people love it.")
out = {"pipeline": nlp.pipe_names, "ents": [(e.text, e.label_) for e in doc.ents],
       "cats": sorted(doc.cats)}
for ext in ("sentiment", "categories", "summary"):
    if doc.has_extension(ext):
        value = getattr(doc._, ext)
        out[ext] = value if ext != "sentiment" else (value or {}).get("label")
print("PROBE " + json.dumps(out))
"""


def requirements(wheel: Path) -> List[str]:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(name).decode("utf8")
    return [line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.startswith("Requires-Dist:")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package_dir", type=Path, help="packages/<lang>_<name>-<version>")
    args = parser.parse_args()
    wheels = sorted((args.package_dir / "dist").glob("*.whl"))
    if not wheels:
        print(f"✘ No wheel in {args.package_dir / 'dist'} (spacy package ... --build wheel)")
        return 1
    wheel = wheels[-1]
    meta = json.loads(next(args.package_dir.rglob("meta.json")).read_text(encoding="utf8"))
    module = f"{meta['lang']}_{meta['name']}"
    reqs = requirements(wheel)
    print(f"ℹ {wheel.name} requires: {', '.join(reqs)}")
    names = {r.split(">")[0].split("<")[0].split("=")[0].split("!")[0].split("~")[0].strip().lower()
             for r in reqs}
    # plait (the shared transformer's architecture), spacy-transformers, and every distribution that
    # provides one of the pipeline's factories through a spacy_factories entry point
    from importlib import metadata

    from spacy.util import load_config

    config = load_config(next(p for p in args.package_dir.rglob("config.cfg")
                              if "dist" not in p.parts and "build" not in p.parts))
    factories = {c["factory"] for c in config["components"].values() if "factory" in c}
    needed = {"plait", "spacy-transformers"}
    for dist in metadata.distributions():
        if any(ep.group == "spacy_factories" and ep.name in factories for ep in dist.entry_points):
            needed.add(dist.metadata["Name"].lower())
    missing = sorted(n for n in needed if n not in names)
    if missing:
        print(f"✘ The package does not declare {', '.join(missing)}: pip install of the wheel alone "
              "would not bring the components' code")
        return 1
    print(f"✔ Declares Plait and the component plugins: {', '.join(sorted(needed))}")
    with tempfile.TemporaryDirectory(prefix="plait-pkg-") as tmp:
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                               "--disable-pip-version-check", "--target", tmp, str(wheel)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"✘ pip install failed:\n{proc.stderr[-2000:]}")
            return 1
        env = dict(os.environ, PYTHONPATH=tmp + os.pathsep + os.environ.get("PYTHONPATH", ""))
        proc = subprocess.run([sys.executable, "-c", PROBE, module], capture_output=True,
                              text=True, env=env, cwd=tmp)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("PROBE ")), None)
        if proc.returncode != 0 or line is None:
            print(f"✘ spacy.load('{module}') failed:\n{proc.stderr[-3000:]}")
            return 1
        out = json.loads(line[len("PROBE "):])
        print(f"✔ spacy.load('{module}') from the installed wheel: pipeline {out['pipeline']}")
        print(f"  sample: ents {out['ents']}, sentiment {out.get('sentiment')}, "
              f"categories {out.get('categories')}, summary {out.get('summary')!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
