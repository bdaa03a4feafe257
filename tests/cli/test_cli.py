"""The core CLI verbs, through a real process."""
from __future__ import annotations

import json

from plaittest import run_plait


def test_doctor_reports_versions_encoders_plugins_and_gpu():
    res = run_plait("doctor", "--json")
    checks = {c["check"]: c for c in json.loads(res.stdout)}
    assert checks["spacy"]["detail"].startswith("3.8")
    assert checks["encoder tiny-random"]["ok"]
    assert "gpu" in checks
    assert res.returncode == (0 if all(c["ok"] for c in checks.values()) else 1)
    from importlib import metadata

    for extra, dist in (("onnx", "onnxruntime"), ("ray", "ray"), ("io", "pyarrow")):
        check = checks[f"extra {extra}"]  # optional: reported either way, never a failure
        assert check["ok"]
        try:
            assert check["detail"].startswith(metadata.version(dist))
        except metadata.PackageNotFoundError:
            assert f"pip install 'plait[{extra}]'" in check["detail"]


def test_plugins_human_output_and_encoders_listing():
    res = run_plait("plugins")
    assert res.returncode == 0
    assert "encoders" in res.stdout and "encoder: minilm-l6, tiny-random" in res.stdout
    res = run_plait("encoders")
    assert res.returncode == 0 and "tiny-random" in res.stdout


def test_an_unknown_option_is_a_usage_line_and_one_error_not_a_traceback():
    """`plait train` takes spaCy's `--section.key value` overrides; a mistyped plain option there
    (and anywhere else) gets the usage line and one error, exit 2 (issue 29/30)."""
    from plaittest import ROOT, run_plait

    for args in (["train", str(ROOT / "pipeline" / "ci.yml"), "--encodr", "x"],
                 ["train", str(ROOT / "pipeline" / "ci.yml"), "--encodr=x"],
                 ["run", "model", "in.jsonl", "--bogus"],
                 ["compose", str(ROOT / "pipeline" / "ci.yml"), "--bogus"]):
        res = run_plait(*args)
        text = res.stdout + res.stderr
        assert res.returncode == 2, (args, text)
        assert "Traceback" not in text and "No such option" in text, (args, text)
        assert "Usage:" in text
