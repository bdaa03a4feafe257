"""Helpers for tests: throwaway plugin distributions, running the CLI in a fresh process."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, Optional

ROOT = Path(__file__).resolve().parents[1]
SHARED_CONLL = ROOT.parent / "shared" / "data" / "conll2003"


def write_plugin_dist(root: Path, dist: str, module: str, body: str, *, version: str = "0.0.1",
                      ep_name: Optional[str] = None, extra_eps: str = "") -> Path:
    """Write a throwaway plugin distribution (pyproject + one module) under ``root``."""
    src = root / dist
    (src / module).mkdir(parents=True, exist_ok=True)
    (src / module / "__init__.py").write_text(textwrap.dedent(body), encoding="utf8")
    (src / "pyproject.toml").write_text(textwrap.dedent(f"""
        [build-system]
        requires = ["setuptools>=64"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "{dist}"
        version = "{version}"
        [project.entry-points.plait]
        {ep_name or module} = "{module}"
        {extra_eps}
        [tool.setuptools]
        packages = ["{module}"]
    """), encoding="utf8")
    return src


def pip_install_target(src: Path, target: Path) -> None:
    """Really pip-install a distribution into ``target`` (kept off the shared environment)."""
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--no-build-isolation", "--no-index", "--target", str(target), str(src)],
                   check=True, capture_output=True, text=True)


def run_plait(*args: str, pythonpath: Optional[Path] = None, env: Optional[Dict[str, str]] = None,
              cwd: Optional[Path] = None) -> subprocess.CompletedProcess:
    """Run the CLI in a fresh process (so entry points are discovered as a user's would be)."""
    full_env = dict(os.environ)
    if pythonpath is not None:
        full_env["PYTHONPATH"] = str(pythonpath) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "plait", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd)
