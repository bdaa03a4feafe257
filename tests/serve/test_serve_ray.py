"""`plait serve --engine ray --replicas 2` on a local Ray: the same API and results as the local
engine (skipped when Ray Serve is not installed)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("fastapi", reason="plait serve is an optional extra: pip install 'plait[serve]'")
pytest.importorskip("ray.serve", reason="Ray Serve is an optional extra: pip install 'plait[ray]'")

import plait  # noqa: E402
import runnertest as support  # noqa: E402
from serve_support import Server  # noqa: E402


def test_ray_serve_with_two_replicas_gives_the_local_results(tmp_path):
    model = support.build_pipeline(tmp_path / "toy")
    nlp = plait.load(model)
    bodies = [[{"id": f"{c}-{i}", "text": support.TEXTS[(c + i) % 4], "n": i} for i in range(3)]
              + [support.TEXTS[c % 4]] for c in range(6)]
    # a local Ray of its own with 2 CPUs: one per replica
    env = {"RAY_DISABLE_USAGE_STATS": "1"}
    with Server(model, "--engine", "ray", "--replicas", "2", "--num-cpus", "1", "--max-records",
                "10", code=(support.CODE_FILE,), env=env, ready_timeout=300) as srv:
        def call(body):
            with srv.client() as c:
                return c.post("/v1/process", json=body)

        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(call, bodies))
        for body, response in zip(bodies, answers):
            assert response.status_code == 200, response.text
            assert response.json() == [r.model_dump(mode="json") for r in plait.process(nlp, body)]
        with srv.client() as c:
            info = c.get("/v1/info").json()
            assert info["engine"] == "ray" and info["replicas"] == 2
            one = c.post("/v1/process", json={"id": "x", "text": support.TEXTS[0]})
            assert one.json()["id"] == "x" and one.json()["entities"][0]["text"] == "Apple"
            too_many = c.post("/v1/process", json=["Text."] * 11)  # the same limits and errors
            assert too_many.status_code == 413 and too_many.json()["error"]["code"] == "E131"
            bad = c.post("/v1/process", json=[{"id": "b", "text": "BOOM"}])
            assert bad.status_code == 500 and bad.json()["error"]["code"] == "E143"
            assert c.post("/v1/process", json="Still serving.").status_code == 200
