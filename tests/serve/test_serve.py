"""`plait serve` on a real uvicorn server (a subprocess on a free 127.0.0.1 port) over a small
pipeline of spaCy built-ins and toy components (tests/runnertest.py): results, dynamic batching,
every limit and failure case with its status and coded error, the API key, CORS, graceful SIGTERM."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="plait serve is an optional extra: pip install 'plait[serve]'")
pytest.importorskip("uvicorn", reason="plait serve is an optional extra: pip install 'plait[serve]'")

import httpx  # noqa: E402

import plait  # noqa: E402
import runnertest as support  # noqa: E402
from plaittest import run_plait  # noqa: E402
from serve_support import Server  # noqa: E402

CODE = (support.CODE_FILE,)


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return support.build_pipeline(tmp_path_factory.mktemp("serve") / "toy")


@pytest.fixture(scope="module")
def nlp(model):
    return plait.load(model)


@pytest.fixture(scope="module")
def server(model):
    # a long max wait and small segments: concurrent requests gather, long texts are segmented
    with Server(model, "--max-wait-ms", "300", "--segment-tokens", "120", "--max-records", "50",
                "--max-chars", "20000", "--max-body-bytes", "600000", code=CODE) as srv:
        yield srv


def expected(nlp, records, **kwargs):
    return [r.model_dump(mode="json") for r in plait.process(nlp, records, segment_tokens=120,
                                                             **kwargs)]


def client_records(client: int):
    records = []
    for i in range(6):
        text = support.TEXTS[(client + i) % 4]
        if i == 0:
            records.append(text)  # a plain string: id is its number in the request
        elif i == 1:
            records.append({"text": text, "source": f"client-{client}", "meta": {"n": [1, 2]}})
        else:
            records.append({"id": f"c{client}-{i}", "text": f"{text} Client {client} item {i}."})
    if client % 3 == 0:
        records.append({"id": f"long-{client}", "text": support.long_text(700, seed=client)})
    return records


def test_concurrent_clients_each_get_what_plait_process_gives_for_their_records(server, nlp):
    batches_before = server.metric("plait_batch_requests_count")
    requests_before = server.metric("plait_batch_requests_sum")

    def call(client: int):
        with server.client() as c:
            return client, c.post("/v1/process", json=client_records(client))

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(call, range(8)))
    for client, response in answers:
        assert response.status_code == 200, response.text
        assert response.json() == expected(nlp, client_records(client))
    long = [r for _, resp in answers for r in resp.json() if str(r["id"]).startswith("long")]
    assert long and all(r["segments"] > 1 for r in long)  # segmented exactly as plait run does
    batches = server.metric("plait_batch_requests_count") - batches_before
    gathered = server.metric("plait_batch_requests_sum") - requests_before
    assert gathered == 8 and batches < 8  # concurrent requests shared pipeline batches


def test_one_record_gets_one_result_and_fields_are_kept(server, nlp):
    with server.client() as c:
        one = c.post("/v1/process", json={"id": "a1", "text": support.TEXTS[0], "lang": "en"})
        text = c.post("/v1/process", json=support.TEXTS[1])
    assert one.status_code == 200 and one.headers["content-type"] == "application/json"
    assert one.json() == expected(nlp, [{"id": "a1", "text": support.TEXTS[0], "lang": "en"}])[0]
    assert one.json()["extra"] == {"lang": "en"}
    assert text.json()["id"] == 1 and text.json() == expected(nlp, [support.TEXTS[1]])[0]


def test_a_big_body_is_parsed_and_answered_like_a_small_one(server, nlp):
    body = [{"id": i, "text": support.long_text(1500, seed=i)} for i in range(30)]  # ~300 KB
    assert len(json.dumps(body)) > 256 * 1024
    with server.client() as c:
        response = c.post("/v1/process", json=body)
    assert response.status_code == 200 and response.json() == expected(nlp, body)


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["status"] == status
    assert error["message"].startswith(f"[{code}]")
    return error


def test_limits_answer_413_with_the_coded_error(server):
    with server.client() as c:
        big = c.post("/v1/process", content=b'"' + b"x" * 600_100 + b'"',
                     headers={"content-type": "application/json"})
        error_of(big, 413, "E130")
        many = c.post("/v1/process", json=["Some text."] * 51)
        assert "51 records" in error_of(many, 413, "E131")["message"]
        long = c.post("/v1/process", json=[{"id": "ok", "text": "Fine."},
                                           {"id": "huge", "text": "word " * 5000}])
        error = error_of(long, 413, "E132")
        assert "Record 2 (id 'huge')" in error["message"] and "25000 characters" in error["message"]
        assert error["records"] == [{"index": 2, "id": "huge", "field": "text",
                                     "message": error["message"]}]


def test_malformed_json_wrong_types_and_empty_text_answer_422_naming_field_and_record(server):
    with server.client() as c:
        bad = c.post("/v1/process", content=b'[{"text": "a"', headers={"content-type":
                                                                        "application/json"})
        assert "line 1 column" in error_of(bad, 422, "E133")["message"]
        error_of(c.post("/v1/process", json=[]), 422, "E134")
        error_of(c.post("/v1/process", json=42), 422, "E134")
        body = [{"id": "fine", "text": "Good."}, {"id": "n", "text": 7}, {"id": "e", "text": "  "},
                {"id": "m", "body": "x"}, 3.5, {"id": {"x": 1}, "text": "ok"}]
        raw = json.dumps(body)[:-1] + ', {"id": "s", "text": "bad \\udc80 text"}]'
        error = error_of(c.post("/v1/process", content=raw.encode(),
                                headers={"content-type": "application/json"}), 422, "E137")
        by_index = {r["index"]: r for r in error["records"]}
        assert sorted(by_index) == [2, 3, 4, 5, 6, 7]  # every bad record, none of the good one
        assert by_index[7]["message"].startswith("[E149] Record 7 (id 's') holds invalid Unicode")
        assert by_index[2]["field"] == "text" and "Record 2 (id 'n')" in by_index[2]["message"]
        assert "is a number, not a string" in by_index[2]["message"]
        assert by_index[3]["message"].startswith("[E138] Record 3 (id 'e')")
        assert by_index[4]["message"].startswith("[E136] Record 4 (id 'm') has no text field")
        assert by_index[5]["message"].startswith("[E135] Record 5 is a number")
        assert by_index[6]["field"] == "id" and by_index[6]["message"].startswith("[E139]")


def test_a_failing_record_fails_only_its_request_and_the_server_keeps_serving(server, nlp):
    bodies = [[{"id": "bad", "text": "This one says BOOM."}, {"id": "good", "text": "Fine."}]] + [
        [{"id": f"ok{i}", "text": support.TEXTS[i % 4]}] for i in range(4)]

    def call(body):
        with server.client() as c:
            return c.post("/v1/process", json=body)

    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(call, bodies))
    error = error_of(answers[0], 500, "E143")
    assert error["records"] == [{"index": 1, "id": "bad", "message": error["records"][0]["message"]}]
    assert "toy component refuses BOOM" in error["message"]
    for body, response in zip(bodies[1:], answers[1:]):
        assert response.status_code == 200 and response.json() == expected(nlp, body)
    with server.client() as c:
        assert c.post("/v1/process", json=support.TEXTS[0]).status_code == 200


def test_health_ready_info_metrics_and_docs(server, model):
    with server.client() as c:
        assert c.get("/v1/health").json()["status"] == "alive"
        assert c.get("/v1/ready").json() == {"status": "ready"}
        info = c.get("/v1/info").json()
        assert info["pipeline"]["model"] == str(model) and info["engine"] == "local"
        components = {comp["name"]: comp for comp in info["components"]}
        assert components["entity_ruler"]["labels"] == ["GPE", "ORG", "PERSON"]
        assert info["load_options"]["runtime"] == "torch" and info["versions"]["spacy"]
        assert c.post("/v1/process", json="Counted.").status_code == 200
        assert info["limits"]["max_records"] == 50 and info["batching"]["max_wait_ms"] == 300
        assert isinstance(info["outputs"], list)
        text = c.get("/metrics").text
        for name in ("plait_requests_total", "plait_request_seconds_bucket", "plait_batch_records",
                     "plait_queue_depth", "plait_words_total", "plait_requests_in_progress"):
            assert name in text
        assert 'plait_requests_total{route="/v1/process",status="200"}' in text
        spec = c.get("/openapi.json").json()
        assert "/v1/process" in spec["paths"] and "Record" in spec["components"]["schemas"]
        assert c.get("/docs").status_code == 200
        assert "<textarea" in c.get("/").text


def test_cors_is_off_by_default(server):
    with server.client() as c:
        r = c.options("/v1/process", headers={"Origin": "http://example.test",
                                              "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in r.headers


def test_queue_full_answers_503_at_once_and_timeouts_504(model):
    # each doc takes 2.5 s in the probe, one request per batch; the queue holds 2 requests; 3.5 s
    # to answer: the first is answered at 2.5 s; of the two queued, one runs from 2.5 s to 5 s (504
    # while running), the other is still queued at its deadline: dropped, never processed (504)
    with Server(model, "--queue-size", "2", "--timeout", "3.5", "--max-wait-ms", "0",
                "--batch-tokens", "1", code=CODE, env={"PLAIT_TEST_DELAY": "2.5"}) as srv:
        answers = {}

        def call(name):
            with srv.client() as c:
                answers[name] = c.post("/v1/process", json={"id": name, "text": "Slow text."})

        threads = [threading.Thread(target=call, args=("first",))]
        threads[0].start()
        time.sleep(0.2)  # the first one is in the pipeline
        for name in ("second", "third"):
            threads.append(threading.Thread(target=call, args=(name,)))
            threads[-1].start()
        for _ in range(100):
            if srv.metric("plait_queue_depth") == 2:
                break
            time.sleep(0.05)
        start = time.monotonic()
        with srv.client() as c:
            full = c.post("/v1/process", json="One too many.")
        assert time.monotonic() - start < 1.0  # at once, not after the 5 s backlog
        error_of(full, 503, "E140")
        assert int(full.headers["retry-after"]) >= 1
        for t in threads:
            t.join(30)
        assert answers["first"].status_code == 200
        error_of(answers["second"], 504, "E141")
        error_of(answers["third"], 504, "E141")
        for _ in range(200):  # the running one's batch ends at about 5 s
            if srv.metric("plait_batch_requests_count") >= 2:
                break
            time.sleep(0.05)
        time.sleep(3.0)  # the dropped one would have run by now
        assert srv.metric("plait_batch_requests_count") == 2
        assert srv.metric("plait_records_total") == 2
        with srv.client() as c:  # and the server still serves
            assert c.post("/v1/process", json="After.").status_code == 200
        text = httpx.get(srv.url + "/metrics").text
        assert 'status="503"' in text and 'status="504"' in text


def test_api_key_is_required_when_set_and_cors_when_asked(model):
    env = {"PLAIT_TEST_KEY": "s3cret-key"}
    with Server(model, "--api-key-env", "PLAIT_TEST_KEY", "--cors-origin", "http://app.test",
                code=CODE, env=env) as srv:
        with srv.client() as c:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-key"},
                            {"Authorization": "Basic s3cret-key"}):
                r = c.post("/v1/process", json="Text.", headers=headers)
                error_of(r, 401, "E145")
                assert r.headers["www-authenticate"] == "Bearer"
            error_of(c.get("/v1/info"), 401, "E145")
            ok = c.post("/v1/process", json="Text.", headers={"Authorization": "Bearer s3cret-key"})
            assert ok.status_code == 200
            assert c.get("/v1/health").status_code == 200  # probes need no key
            pre = c.options("/v1/process", headers={"Origin": "http://app.test",
                                                    "Access-Control-Request-Method": "POST"})
            assert pre.headers["access-control-allow-origin"] == "http://app.test"


def test_sigterm_finishes_in_flight_requests(model):
    srv = Server(model, "--max-wait-ms", "0", code=CODE, env={"PLAIT_TEST_DELAY": "1.5"})
    answers = []

    def call():
        with srv.client() as c:
            answers.append(c.post("/v1/process", json={"id": "in-flight", "text": "Slow."}))

    t = threading.Thread(target=call)
    t.start()
    for _ in range(200):  # until the request is in flight
        if srv.metric("plait_requests_in_progress") == 1:
            break
        time.sleep(0.05)
    srv.terminate()
    t.join(30)
    # uvicorn shuts down gracefully; a clean drain exits 0
    assert srv.stop() == 0
    assert answers and answers[0].status_code == 200 and answers[0].json()["id"] == "in-flight"
    with pytest.raises(httpx.ConnectError):
        httpx.get(srv.url + "/v1/health", timeout=2)


def test_cli_errors_are_coded_and_the_default_host_is_local(tmp_path):
    out = run_plait("serve", str(tmp_path / "missing-model"), "--port", "1")
    assert out.returncode == 1 and "[E046] Could not load the pipeline" in out.stderr
    out = run_plait("serve", "x", "--api-key-env", "PLAIT_SURELY_UNSET_KEY")
    assert out.returncode == 1 and "[E148]" in out.stderr and "PLAIT_SURELY_UNSET_KEY" in out.stderr
    out = run_plait("serve", "x", "--replicas", "2")
    assert out.returncode == 1 and "--engine ray" in out.stderr
    out = run_plait("serve", "x", "--queue-size", "0")
    assert out.returncode == 1 and "queue-size must be positive" in out.stderr
    from plait.serve.settings import ServeSettings

    assert ServeSettings().host == "127.0.0.1"
    assert "127.0.0.1" in run_plait("serve", "--help").stdout


def test_a_missing_extra_says_what_to_install():
    import subprocess
    import sys

    code = ("import sys; sys.modules['fastapi'] = None\n"
            "from plait.serve.local import require_serve\n"
            "try:\n    require_serve()\nexcept Exception as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "[E146]" in out.stdout and "pip install 'plait[serve]'" in out.stdout


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deep_nesting_is_refused_with_422_before_it_is_parsed(server):
    # deep enough to break the result's serialization (300), the parser's recursion (1,000), or to
    # cost a parser real work (50,000 nested objects): each refused at once, coded, as JSON
    bodies = {
        "meta 300 deep": '{"id": "poison", "text": "hello", "meta": %s}' % _nested(300),
        "1,000 deep": _nested(1000),
        "50,000 objects": "{\"a\": " * 50_000 + "1" + "}" * 50_000,
    }
    with server.client() as c:
        for name, body in bodies.items():
            response = c.post("/v1/process", content=body.encode(),
                              headers={"content-type": "application/json"})
            assert response.headers["content-type"].startswith("application/json"), name
            error = error_of(response, 422, "E230")
            assert "levels deep" in error["message"] and "--max-depth" in error["message"]
        # nesting within the limit is kept as it is
        meta = json.loads(_nested(20))
        answer = c.post("/v1/process", json={"id": "ok", "text": "hello", "meta": meta})
        assert answer.status_code == 200 and answer.json()["extra"]["meta"] == meta
        assert c.post("/v1/process", json="Still serving.").status_code == 200


def test_a_result_that_cannot_be_serialized_fails_only_its_own_request(model, nlp):
    # allowed past the input check (--max-depth 400), a 300-deep field can't be serialized in the
    # result: the request that sent it gets E143 naming it; the 8 batched beside it are answered
    with Server(model, "--max-depth", "400", "--max-wait-ms", "300", code=CODE) as srv:
        poison = '{"id": "poison", "text": "hello", "meta": %s}' % _nested(300)
        ordinary = [{"id": f"ok{i}", "text": support.TEXTS[i % 4]} for i in range(8)]

        def call(body):
            with srv.client() as c:
                if isinstance(body, str):
                    return c.post("/v1/process", content=body.encode(),
                                  headers={"content-type": "application/json"})
                return c.post("/v1/process", json=body)

        for _ in range(3):
            with ThreadPoolExecutor(9) as pool:
                answers = list(pool.map(call, [poison, *ordinary]))
            error = error_of(answers[0], 500, "E143")
            assert error["records"][0]["id"] == "poison" and "[E232]" in error["message"]
            for body, response in zip(ordinary, answers[1:]):
                assert response.status_code == 200, response.text
                assert response.json() == expected(nlp, [body])[0]
        assert srv.metric("plait_batch_requests_count") < 27  # they were batched together


def test_a_client_that_goes_away_has_its_queued_work_dropped_and_counted_as_499(model):
    # each doc takes 1.5 s, one request per batch: 4 clients that give up after 0.5 s leave one
    # batch running and three queued; the queued ones are dropped, never processed, and the next
    # request does not wait behind them
    with Server(model, "--max-wait-ms", "0", "--batch-tokens", "1", code=CODE,
                env={"PLAIT_TEST_DELAY": "1.5"}) as srv:

        def call(i):
            with srv.client(timeout=0.5) as c:
                with pytest.raises(httpx.ReadTimeout):
                    c.post("/v1/process", json={"id": f"gone{i}", "text": "Slow text."})

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(call, range(4)))
        for _ in range(100):
            if srv.metric("plait_batch_requests_count") >= 1:
                break
            time.sleep(0.05)
        start = time.monotonic()
        with srv.client() as c:
            after = c.post("/v1/process", json={"id": "after", "text": "Slow text."})
        assert after.status_code == 200
        assert time.monotonic() - start < 4.4  # behind one running batch at most, not four
        assert srv.metric("plait_batch_requests_count") == 2  # the running one, and this one
        assert srv.metric("plait_records_total") == 2
        text = httpx.get(srv.url + "/metrics").text
        counted = [line for line in text.splitlines()
                   if line.startswith("plait_requests_total{") and 'status="499"' in line]
        assert counted and float(counted[0].rsplit(" ", 1)[1]) == 4
        assert 'status="500"' not in text
        assert "Traceback" not in srv.output()
