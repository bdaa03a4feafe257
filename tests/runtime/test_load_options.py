"""One load-options object (plait.LoadOptions) through plait.load, plait.process, workers and the CLI."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import plait
from plait.errors import PlaitError

ROOT = Path(__file__).resolve().parents[2]


def test_options_normalize_and_override():
    opts = plait.LoadOptions(code="a.py", exclude=["x"])
    assert opts.code == ("a.py",) and opts.exclude == ("x",)
    same = plait.LoadOptions.of(opts, quantize=None, runtime=None)
    assert same is opts
    changed = plait.LoadOptions.of(opts, quantize=True)
    assert changed.quantize and changed.code == ("a.py",) and not opts.quantize
    with pytest.raises(PlaitError, match=r"\[E099\]"):
        plait.LoadOptions.of({"quantize": True})  # type: ignore[arg-type]


def test_impossible_combinations_are_coded_errors_before_loading(tmp_path):
    with pytest.raises(PlaitError, match=r"\[E072\]"):
        plait.LoadOptions(gpu=0, quantize=True).check()
    with pytest.raises(PlaitError, match=r"\[E042\]"):
        plait.load(tmp_path / "never-read", options=plait.LoadOptions(gpu=True, runtime="onnx"))
    with pytest.raises(PlaitError, match=r"\[E040\]"):
        plait.load(tmp_path / "never-read", runtime="tensorrt")


def test_load_takes_options_and_keywords(tmp_path):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "m")
    assert plait.load(tmp_path / "m").pipe_names == ["sentencizer"]
    opts = plait.LoadOptions(exclude=("sentencizer",))
    assert plait.load(tmp_path / "m", options=opts).pipe_names == []
    assert plait.load(tmp_path / "m", exclude=["sentencizer"]).pipe_names == []  # old keywords
    results = list(plait.process(str(tmp_path / "m"), ["One. Two."], options=opts))
    assert results[0].ok


def test_run_config_builds_one_options_object(tmp_path):
    from plait.runner.job import RunConfig

    cfg = RunConfig(model="m", input=tmp_path / "i", output=tmp_path / "o")
    assert cfg.load_options == plait.LoadOptions()  # the defaults, embedded, not repeated
    given = plait.LoadOptions(runtime="onnx")
    assert RunConfig(model="m", input=tmp_path, output=tmp_path, options=given).load_options is given


def test_no_import_cycle_between_api_and_runner():
    for path in sorted((ROOT / "plait" / "runner").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
            if isinstance(node, ast.ImportFrom):
                assert not (node.level == 2 and node.module == "api"), f"{path.name} imports plait.api"
                assert node.module != "plait.api", f"{path.name} imports plait.api"
    code = "import sys, plait.runtime.loading, plait.runner.engines; print('plait.api' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
