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
