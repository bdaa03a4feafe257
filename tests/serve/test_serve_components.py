"""`plait serve` over the four real Plait components on the tiny random encoder: concurrent clients,
batched together by the server, each get what `plait.process` gives for their own records."""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("fastapi", reason="plait serve is an optional extra: pip install 'plait[serve]'")
pytest.importorskip("uvicorn", reason="plait serve is an optional extra: pip install 'plait[serve]'")

import plait  # noqa: E402
from plaittest import build_component_pipeline  # noqa: E402
from serve_support import Server  # noqa: E402

WORDS = ("Apple opened a store in London . The team lost the match in Paris . It was bad . "
         "The staff were great and everyone said so .").split()


def records(client: int):
    out = []
    for i in range(5):
        n = 6 + (client * 7 + i * 5) % 30  # different lengths: padding differs between batches
        text = " ".join(WORDS[(client + i + k) % len(WORDS)] for k in range(n))
        out.append({"id": f"{client}-{i}", "text": text[0].upper() + text[1:] + "."}
                   if i else text + ".")
    return out


def close(a, b, path="") -> None:
    """Equal, floats to 1e-4 (another batch composition sums in another order)."""
    if isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-4), (path, a, b)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), (path, a, b)
        for k in a:
            close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (path, a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, f"{path}[{i}]")
    else:
        assert a == b, (path, a, b)


def test_batched_results_match_plait_process(tmp_path, one_thread):
    model = build_component_pipeline(tmp_path / "real")
    nlp = plait.load(model)
    with Server(model, "--max-wait-ms", "200") as srv:
        def call(client):
            with srv.client() as c:
                return c.post("/v1/process", json=records(client))

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(call, range(4)))
        gathered = srv.metric("plait_batch_requests_sum")
        batches = srv.metric("plait_batch_requests_count")
    for client, response in enumerate(answers):
        assert response.status_code == 200, response.text
        want = [r.model_dump(mode="json") for r in plait.process(nlp, records(client))]
        close(response.json(), want)
    assert gathered == 4 and batches < 4
