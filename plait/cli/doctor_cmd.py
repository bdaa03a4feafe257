"""``plait doctor``: is this environment able to compose, train and run pipelines?"""
from __future__ import annotations

import json
from typing import Any, Dict, List

import typer

CHECKED = ["spacy", "spacy-transformers", "transformers", "torch", "thinc", "pluggy", "pydantic"]
PINS = {"spacy": ("3.8", "3.9"), "spacy-transformers": ("1.4", "1.5"),
        "transformers": ("4.30", "4.53.3")}
OPTIONAL = {  # extra -> (distribution, what it enables); missing ones are reported, never a failure
    "onnx": ("onnxruntime", "--runtime onnx"), "ray": ("ray", "--engine ray"),
    "io": ("pyarrow", "Parquet in and out")}


def _vtuple(v: str) -> tuple:
    out = []
    for part in v.split("+")[0].split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        out.append(int(digits) if digits else 0)
    return tuple(out)


def run_checks() -> List[Dict[str, Any]]:
    from importlib import metadata

    checks: List[Dict[str, Any]] = []
    for dist in CHECKED:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            checks.append({"check": dist, "ok": False, "detail": "not installed"})
            continue
        ok, detail = True, version
        if dist in PINS:
            lo, hi = PINS[dist]
            ok = _vtuple(lo) <= _vtuple(version) < _vtuple(hi)
            detail = f"{version} (needs >={lo},<{hi})"
        checks.append({"check": dist, "ok": ok, "detail": detail})
    for extra, (dist, enables) in OPTIONAL.items():
        try:
            detail = f"{metadata.version(dist)} ({enables})"
        except metadata.PackageNotFoundError:
            detail = f"not installed, optional: pip install 'plait[{extra}]' for {enables}"
        checks.append({"check": f"extra {extra}", "ok": True, "detail": detail})
    from plait.training.encoders import resolve_encoder
    from plait.plugins.registry import get_registry

    registry = get_registry()
    registry.check_spacy()  # each plugin's spaCy entry points, imported in a child process
    for name in sorted(registry.encoders()):
        try:
            checks.append({"check": f"encoder {name}", "ok": True,
                           "detail": str(resolve_encoder(name))})
        except Exception as exc:
            checks.append({"check": f"encoder {name}", "ok": False, "detail": str(exc)})
    report = registry.report()
    for p in report["plugins"]:
        checks.append({"check": f"plugin {p['name']}", "ok": p["ok"],
                       "detail": f"{p['distribution']} {p['version']}"})
    for f in report["failures"]:
        checks.append({"check": f"plugin {f['plugin']}", "ok": False,
                       "detail": f"{f['distribution']} {f['version']}, {f['stage']}: {f['error']}"})
    try:
        import torch

        gpu = torch.cuda.is_available()
        detail = torch.cuda.get_device_name(0) if gpu else "none (CPU only; training and runs work)"
        checks.append({"check": "gpu", "ok": True, "detail": detail, "gpu": gpu})
    except Exception as exc:
        checks.append({"check": "gpu", "ok": False, "detail": str(exc)})
    return checks


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """Check versions, encoder folders, plugin health and GPU."""
        checks = run_checks()
        if as_json:
            typer.echo(json.dumps(checks, indent=2))
        else:
            for c in checks:
                typer.echo(f"{'✔' if c['ok'] else '✘'} {c['check']:<28} {c['detail']}")
        if not all(c["ok"] for c in checks):
            raise typer.Exit(1)
