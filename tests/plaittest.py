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
#: PLAIT_LOAD_PLUGINS of an installation with the built-in plugins only (plugins/*): the one the
#: published docs/result.schema.json and docs/runner.md's generated field lists describe
BUILTIN_PLUGINS = "plait,plait-ner,plait-sentiment,plait-textcat,plait-summarize,plait-corpora"


def write_plugin_dist(root: Path, dist: str, module: str, body: str, *, version: str = "0.0.1",
                      ep_name: Optional[str] = None, extra_eps: str = "",
                      files: Optional[Dict[str, str]] = None) -> Path:
    """Write a throwaway plugin distribution (pyproject + a package: ``body`` is its
    ``__init__.py``, ``files`` more modules of it by file name) under ``root``."""
    src = root / dist
    (src / module).mkdir(parents=True, exist_ok=True)
    (src / module / "__init__.py").write_text(textwrap.dedent(body), encoding="utf8")
    for name, text in (files or {}).items():
        (src / module / name).write_text(text, encoding="utf8")
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


def factory_entry_point(factory: str, module: str) -> str:
    """The ``extra_eps`` of a plugin whose ``MODULE.factory:make`` is spaCy factory ``factory``."""
    return f'[project.entry-points.spacy_factories]\n{factory} = "{module}.factory:make"\n'


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


COMPONENTS = ("ner", "sentiment", "textcat", "summarize")
COMPONENT_DATA = [  # (text, entities, cats, summary) for the four real components
    ("Apple opened a store in London. The staff were great.", [(0, 5, "ORG"), (24, 30, "GPE")],
     {"positive": 1.0, "negative": 0.0, "neutral": 0.0, "SPORTS": 0.0, "TECH": 1.0},
     "Apple opened a store in London."),
    ("The team lost the match in Paris. It was bad.", [(27, 32, "GPE")],
     {"positive": 0.0, "negative": 1.0, "neutral": 0.0, "SPORTS": 1.0, "TECH": 0.0},
     "The team lost the match in Paris."),
]


def build_component_pipeline(path: Path) -> Path:
    """The four real Plait components over the tiny random encoder, initialized (not trained), saved
    to ``path``; skips the test when a component's plugin is not installed."""
    import pytest
    import spacy
    from spacy.training import Example

    from plait.training.compose import compose
    from plait.plugins.registry import get_registry
    from plait.training.spec import PipelineSpec

    installed = get_registry().components()
    missing = [c for c in COMPONENTS if c not in installed]
    if missing:
        pytest.skip(f"Plait components not installed: {', '.join(missing)}")
    spec = PipelineSpec.model_validate({
        "name": "runner-test", "lang": "en", "encoder": "tiny-random",
        "components": [{"component": "ner", "labels": ["ORG", "GPE"]},
                       {"component": "sentiment", "labels": ["negative", "neutral", "positive"]},
                       {"component": "textcat", "name": "topics", "labels": ["SPORTS", "TECH"]},
                       {"component": "summarize"}]})
    nlp = spacy.util.load_model_from_config(compose(spec), auto_fill=True)
    examples = []
    for text, ents, cats, summary in COMPONENT_DATA:
        example = Example.from_dict(nlp.make_doc(text), {"entities": ents, "cats": cats})
        example.reference.user_data["plait.summary"] = summary
        examples.append(example)
    nlp.initialize(lambda: examples)
    nlp.to_disk(path)
    return path
