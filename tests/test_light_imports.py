"""Modules that spaCy or plait import through entry points stay light.

spaCy itself imports torch through thinc when torch is installed, so "light" means: importing one of
our entry-point modules loads nothing heavy beyond what ``import spacy`` already loaded — in
particular neither ``transformers`` nor ``spacy_transformers`` (seconds of import time each).
"""
from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

GROUPS = ("plait", "spacy_factories", "spacy_architectures", "spacy_scorers", "spacy_misc",
          "spacy_loggers")
HEAVY = ["torch", "transformers", "spacy_transformers", "tokenizers"]

# One interpreter imports spaCy once; each module is then imported in a forked child of it.
PROBE = r"""
import importlib, json, os, sys
import spacy
modules, heavy = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
before = set(sys.modules)
results = {}
for module in modules:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            importlib.import_module(module)
            new = {m.split(".")[0] for m in set(sys.modules) - before}
            msg = json.dumps(sorted(new & heavy))
        except BaseException as exc:
            msg = json.dumps(f"import failed: {exc!r}")
        os.write(w, msg.encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.waitpid(pid, 0)
    results[module] = json.loads(data)
print(json.dumps(results))
"""


def _plait_entry_point_modules():
    found = {}
    for group in GROUPS:
        for ep in metadata.entry_points(group=group):
            dist = ep.dist.metadata["Name"] if ep.dist is not None else ""
            if dist == "plait" or dist.startswith("plait-"):
                found.setdefault(ep.value.split(":")[0], f"{dist}:{group}:{ep.name}")
    return found


def test_entry_point_modules_are_light():
    modules = _plait_entry_point_modules()
    assert modules, "the core's own entry points should be installed"
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(sorted(modules)),
                          json.dumps(HEAVY)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    heavy = {f"{modules[m]} ({m})": r for m, r in results.items() if r != []}
    assert heavy == {}, f"entry-point modules that import heavy modules: {heavy}"


def test_importing_plait_imports_neither_spacy_nor_torch():
    code = ("import sys, plait, plait.plugins.registry, plait.cli; "
            "print(sorted(m for m in ('torch', 'spacy', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
