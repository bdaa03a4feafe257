"""`plait serve` against its own OpenAPI schema: schemathesis generates valid and invalid requests for
every operation and checks each answer (no 5xx, documented statuses, content types and bodies,
valid data accepted, invalid data refused), on a real server over a tiny pipeline; and the corners it
found once: coded 404/405 bodies, no redirect on a trailing slash, 415 for a non-JSON body, /metrics
as text, one result as an object, `[]` refused as the schema says, SIGTERM after a drain exits 0.
The `Result` schema is the one generated from the installed contracts (plait.io.results), typed for
the served pipeline's outputs: the toy pipeline here has no summarizer, so `summary` is always null."""
from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="plait serve is an optional extra: pip install 'plait[serve]'")
schemathesis = pytest.importorskip("schemathesis", reason="the API fuzzer: pip install schemathesis")

import httpx  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

import runnertest as support  # noqa: E402
from serve_support import Server  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    model = support.build_pipeline(tmp_path_factory.mktemp("schema") / "toy", summary=False)
    with Server(model, "--max-wait-ms", "0", code=(support.CODE_FILE,)) as srv:
        yield srv


@pytest.fixture(scope="module")
def api_schema(server):
    return schemathesis.openapi.from_url(server.url + "/openapi.json")


def test_every_operation_answers_as_its_schema_says(api_schema):
    # schemathesis' own pytest plugin does not run on this pytest: each operation's strategy is
    # driven by hypothesis directly (the same cases and checks); 40 examples an operation
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/process", "/v1/info", "/metrics"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate()

        check()


def test_the_result_schema_is_the_generated_one_and_real_answers_validate(server):
    import jsonschema

    from plait.runtime.outputs import installed_fields

    with httpx.Client(base_url=server.url, timeout=30) as c:
        spec = c.get("/openapi.json").json()
        records = [{"id": f"r{i}", "text": text, "source": "wire"}
                   for i, text in enumerate(support.TEXTS)] + ["A plain string."]
        many = c.post("/v1/process", json=records)
        one = c.post("/v1/process", json={"text": support.long_text(3000), "n": [1, {"k": None}]})
    schemas = spec["components"]["schemas"]
    result = schemas["Result"]
    assert result["additionalProperties"] is False  # not free-form: every field is listed
    fields = list(result["properties"])
    outputs = list(installed_fields())
    assert {"entities", "sentiment", "categories", "summary"} <= set(outputs)
    assert fields == ["id", "line", *outputs, "truncated", "segments", "warnings", "errors", "extra"]
    for field in outputs:
        assert result["properties"][field]["x-plait-component"] == installed_fields()[field][0]
    assert result["properties"]["summary"]["type"] == "null"  # no summarizer in this pipeline
    assert {"type": "null"} in result["properties"]["entities"]["anyOf"]
    assert "$id" not in result and "$defs" not in result  # references resolve in the document
    validator = jsonschema.Draft202012Validator({"$ref": "#/components/schemas/Result", **spec})
    assert many.status_code == 200 and one.status_code == 200, (many.text, one.text)
    answers = many.json() + [one.json()]
    assert answers[0]["entities"] and answers[-1]["segments"] > 1
    for answer in answers:
        assert list(answer) == fields
        validator.validate(answer)
    wrong = {**answers[0], "entities": [{"text": "Apple", "label": "ORG"}]}  # no offsets
    assert not validator.is_valid(wrong)
    assert not validator.is_valid({**answers[0], "summary": "A summary."})
    assert not validator.is_valid({**answers[0], "unlisted": 1})


def _coded(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["status"] == status
    return error["message"]


def test_the_corners_schemathesis_found(server):
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=False) as c:
        assert "/v1/process" in _coded(c.get("/nowhere"), 404, "E233")
        _coded(c.post("/v1/process/", json="A text."), 404, "E233")  # not an empty 307
        message = _coded(c.get("/v1/process"), 405, "E234")
        assert "POST" in message
        message = _coded(c.post("/v1/process", content=b"text=hello",
                                headers={"content-type": "application/x-www-form-urlencoded"}),
                         415, "E235")
        assert "--json" in message
        one = c.post("/v1/process", json={"id": "a", "text": "One record."})
        assert one.status_code == 200 and isinstance(one.json(), dict)  # as the schema says
        _coded(c.post("/v1/process", json=[]), 422, "E134")
        metrics = c.get("/metrics")
        assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
        spec = c.get("/openapi.json").json()
        post = spec["paths"]["/v1/process"]["post"]
        answers = post["responses"]["200"]["content"]["application/json"]["schema"]["oneOf"]
        assert {"$ref": "#/components/schemas/Result"} in answers
        body = post["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
        assert any(b.get("minItems") == 1 for b in body)
        assert "text/plain" in spec["paths"]["/metrics"]["get"]["responses"]["200"]["content"]


def test_sigterm_after_a_clean_drain_exits_0(tmp_path):
    model = support.build_pipeline(tmp_path / "toy")
    srv = Server(model, "--max-wait-ms", "0", code=(support.CODE_FILE,))
    with srv.client() as c:
        assert c.post("/v1/process", json="A text.").status_code == 200
    assert srv.stop() == 0, srv.output()


def test_the_result_schema_waits_for_the_pipeline_and_ignores_published_views(tmp_path):
    """Asked while the pipeline loads, /openapi.json declares every installed output (nullable) and
    is not kept; once ready, the pipeline's own outputs are typed and the others null, whatever views
    the page was given to show."""
    import time

    import plait
    from plait.serve.http_app import create_app
    from plait.serve.local import LocalBackend
    from plait.serve.settings import ServeSettings

    nlp = plait.load(support.build_pipeline(tmp_path / "toy", summary=False))
    settings = ServeSettings(model="toy")
    views = [{"pipe": "entity_ruler", "field": "entities", "view": "spans", "schema": None}]
    backend = LocalBackend(settings, nlp, views=views)
    app = create_app(backend, settings)
    loading = app.openapi()["components"]["schemas"]["Result"]["properties"]
    assert {"type": "string"} in loading["summary"]["anyOf"]  # not known yet: may be a string
    backend.start()
    try:
        for _ in range(600):
            if backend.ready:
                break
            time.sleep(0.1)
        ready = app.openapi()["components"]["schemas"]["Result"]["properties"]
    finally:
        backend.stop()
    assert ready["summary"]["type"] == "null"
    assert {"$ref": "#/components/schemas/Sentiment"} in ready["sentiment"]["anyOf"]  # not in views
    assert app.openapi() is app.openapi()  # kept once ready
