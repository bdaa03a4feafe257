"""``--engine ray`` on a local Ray instance (skipped when Ray is not installed)."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray")

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'plait[ray]'")
pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install 'ray[data]'")

import plait  # noqa: E402
import runnertest as support  # noqa: E402
from plait.runner.batching import BatchOptions  # noqa: E402
from plait.runner.job import RunConfig, run_job  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_engine_matches_the_local_engine(local_ray, tmp_path):
    model = support.build_pipeline(tmp_path / "m")
    src = tmp_path / "in.jsonl"
    with src.open("w", encoding="utf8") as f:
        for i in range(30):
            f.write(json.dumps({"id": i, "text": support.TEXTS[i % 4]}) + "\n")
        f.write(json.dumps({"id": "long", "text": support.long_text(1500, seed=6)}) + "\n")
        f.write('{"id": "bad"}\n')

    def cfg(out, engine):
        return RunConfig(model=str(model), input=src, output=out, engine=engine, n_process=2,
                         options=plait.LoadOptions(code=(support.CODE_FILE,)), progress=False,
                         batch=BatchOptions(batch_size=4, segment_tokens=200))

    local = run_job(cfg(tmp_path / "local.jsonl", "local"))
    distributed = run_job(cfg(tmp_path / "ray.jsonl", "ray"))
    assert distributed.ok and (distributed.written, distributed.rejected) == (31, 1)
    assert (tmp_path / "ray.jsonl").read_text() == (tmp_path / "local.jsonl").read_text()
    assert local.ok
    assert ray.is_initialized()  # the engine leaves a Ray it did not start running
