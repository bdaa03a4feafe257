"""``plait run``: formats, rejects, the records-in check, resume after a kill."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import runnertest as support
from plait.errors import PlaitError
from plait.runner.batching import BatchOptions
from plait.io.formats import count_records, read_records
from plait.runner.job import RunConfig, run_job
from plait.runner.resume import checkpoint_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return support.build_pipeline(tmp_path_factory.mktemp("cli") / "m")


class Ran:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def plait_run(*args: str, fresh_process: bool = False) -> Ran:
    """``plait run ARGS`` in this process (typer's runner), or in a fresh one as a user runs it."""
    argv = ["run", *map(str, args), "--no-progress", "--code", str(support.CODE_FILE)]
    if fresh_process:
        proc = subprocess.run([sys.executable, "-m", "plait", *argv], capture_output=True, text=True,
                              cwd=ROOT)
        return Ran(proc.returncode, proc.stdout, proc.stderr)
    from typer.testing import CliRunner

    from plait.cli.app import build_app

    result = CliRunner().invoke(build_app(), argv)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def write_jsonl(path: Path, n: int, bad: bool = True) -> Path:
    with path.open("wb") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"d{i}", "text": support.TEXTS[i % 4], "n": i}).encode() + b"\n")
        if bad:
            f.write(b"{not json\n")
            f.write(b'{"id": "latin", "text": "caf\xe9"}\n')
            f.write(b"\n")
            f.write(b'{"id": "num", "text": 12}\n')
            f.write(b'{"id": "none"}\n')
            f.write(b'{"id": "blank", "text": "   "}\n')
            f.write(b'{"id": "last", "text": "Apple at last."}')  # no final newline
    return path


def lines(path: Path) -> list:
    return [json.loads(x) for x in path.read_text(encoding="utf8").splitlines()]


def test_jsonl_run_writes_results_rejects_and_checks_counts(model, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", 10)
    out = tmp_path / "out.jsonl"
    proc = plait_run(model, src, "-o", out, fresh_process=True)
    assert proc.returncode == 0, proc.stderr
    assert "17 records in = 11 written + 6 rejected" in proc.stdout
    results = lines(out)
    assert [r["id"] for r in results] == [f"d{i}" for i in range(10)] + ["last"]
    first = results[0]
    assert {"id", "entities", "sentiment", "categories", "summary"} <= set(first)
    assert first["entities"][0] == {"text": "Apple", "label": "ORG", "start": 0, "end": 5,
                                    "confidence": 0.75}
    assert first["extra"] == {"n": 0}
    rejects = lines(Path(str(out) + ".rejects.jsonl"))
    assert [(r["line"], r["reason"].split(":")[0].split(" ")[0]) for r in rejects] == [
        (11, "malformed"), (12, "invalid"), (13, "empty"), (14, "[E137]"), (15, "[E136]"),
        (16, "[E138]")]  # read errors as the reader words them; record checks coded
    assert rejects[0]["record"] == "{not json" and rejects[4]["record"] == {"id": "none"}
    again = plait_run(model, src, "-o", out)
    assert again.returncode == 1 and "exists" in again.stderr  # never overwrite by accident


def test_text_csv_and_parquet_in_and_out(model, tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    txt = tmp_path / "in.txt"
    txt.write_text("Apple is big.\n\nThe team won the match.\n", encoding="utf8")
    assert plait_run(model, txt, "-o", tmp_path / "out.csv").returncode == 0
    with (tmp_path / "out.csv").open(encoding="utf8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == ["1", "3"]
    assert json.loads(rows[0]["entities"])[0]["text"] == "Apple"
    assert json.loads(rows[1]["categories"])["SPORTS"] == 0.9
    assert lines(tmp_path / "out.csv.rejects.jsonl")[0]["line"] == 2

    table = pa.table({"body": ["London calling.", "", "I love it."], "key": ["x", "y", "z"],
                      "score": [1.5, 2.0, 3.0]})
    pq.write_table(table, tmp_path / "in.parquet")
    proc = plait_run(model, tmp_path / "in.parquet", "-o", tmp_path / "out.parquet",
                     "--text-field", "body", "--id-field", "key")
    assert proc.returncode == 0, proc.stderr
    got = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [r["id"] for r in got] == ["x", "z"] and json.loads(got[0]["extra"]) == {"score": 1.5}
    assert json.loads(got[1]["sentiment"])["label"] == "positive"

    proc = plait_run(model, tmp_path / "in.parquet", "-o", tmp_path / "o.txt",
                     "--text-field", "body", "--id-field", "key")
    assert (tmp_path / "o.txt").read_text(encoding="utf8").splitlines()[0].split("\t")[:2] == [
        "x", "London/GPE"]

    bad = tmp_path / "in.csv"
    bad.write_bytes(b"id,text\n1,Apple.\n2,caf\xe9\n3,a,b\n")
    assert [r.error for r in read_records(bad, "csv")] == [
        None, "invalid UTF-8 (the bytes look like cp1252)", "row has 3 fields, the header has 2"]
    proc = plait_run(model, bad, "-o", tmp_path / "csv.jsonl")
    assert "3 records in = 1 written + 2 rejected" in proc.stdout
    assert "invalid UTF-8" in lines(tmp_path / "csv.jsonl.rejects.jsonl")[0]["reason"]


def test_unknown_format_is_a_clear_error(model, tmp_path):
    (tmp_path / "in.xml").write_text("<a/>")
    proc = plait_run(model, tmp_path / "in.xml", "-o", tmp_path / "o.jsonl")
    assert proc.returncode == 1 and "--input-format" in proc.stderr


def _cfg(model, src, out, **kw) -> RunConfig:
    return RunConfig(model=str(model), input=src, output=out, progress=False,
                     batch=BatchOptions(batch_size=3, max_batch_tokens=50, buffer_tokens=60), **kw)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_after_a_crash_has_no_duplicate_and_no_gap(model, tmp_path, fmt):
    src = write_jsonl(tmp_path / "in.jsonl", 60)
    out = tmp_path / f"out.{fmt}"

    class Crash(Exception):
        pass

    def crash_after_a_few(ckpt):
        if ckpt.records > 20:
            out.open("ab").write(b'{"id": "half-writ')  # a partial line, as a kill can leave
            raise Crash

    with pytest.raises(Crash):
        run_job(_cfg(model, src, out), on_group=crash_after_a_few)
    done = json.loads(checkpoint_path(out).read_text())["records"]
    assert 20 < done < 67
    summary = run_job(_cfg(model, src, out, resume=True))
    assert summary.ok and summary.resumed_from == done
    assert summary.records_in == 67 and (summary.written, summary.rejected) == (61, 6)
    if fmt == "jsonl":
        ids = [r["id"] for r in lines(out)]
    else:
        with out.open(encoding="utf8", newline="") as f:
            ids = [r["id"] for r in csv.DictReader(f)]
    assert ids == [f"d{i}" for i in range(60)] + ["last"]
    rejected = [r["line"] for r in lines(Path(str(out) + ".rejects.jsonl"))]
    assert rejected == [61, 62, 63, 64, 65, 66]
    assert run_job(_cfg(model, src, out, resume=True)).records_in == 67  # nothing left to do


def test_resume_after_killing_the_process(model, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", 200, bad=False)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "plait", "run", str(model), str(src), "-o", str(out),
           "--no-progress", "--code", str(support.CODE_FILE), "--batch-size", "5"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PLAIT_TEST_DELAY": "0.02"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if out.exists() and out.stat().st_size > 0 and len(out.read_bytes().splitlines()) >= 20:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(out.read_bytes().splitlines())
    assert 20 <= partial < 200
    resumed = plait_run(model, src, "-o", out, "--resume", "--batch-size", "5", fresh_process=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "200 records in = 200 written + 0 rejected (resumed after" in resumed.stdout
    assert [r["id"] for r in lines(out)] == [f"d{i}" for i in range(200)]


def test_resume_without_checkpoint_counts_lines(model, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", 12)
    out = tmp_path / "out.jsonl"
    run_job(_cfg(model, src, out, limit=5))
    checkpoint_path(out).unlink()
    with out.open("ab") as f:
        f.write(b'{"id": "d5", "ent')
    summary = run_job(_cfg(model, src, out, resume=True))
    assert summary.ok and summary.resumed_from == 5 and summary.records_in == 19
    assert [r["id"] for r in lines(out)] == [f"d{i}" for i in range(12)] + ["last"]


def test_counts_and_parquet_output_cannot_resume(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", 3)
    assert count_records(src, "jsonl") == 10 == len(list(read_records(src, "jsonl")))
    with pytest.raises(PlaitError, match="--resume needs"):
        run_job(RunConfig(model="x", input=src, output=tmp_path / "o.parquet", resume=True))


def test_missing_optional_extras_give_clear_errors():
    code = ("import sys; sys.modules['pyarrow'] = None; sys.modules['ray'] = None\n"
            "from plait.io.formats import require_pyarrow\n"
            "from plait.runner.ray_engine import require_ray\n"
            "for f in (require_pyarrow, require_ray):\n"
            "    try:\n        f()\n    except Exception as e:\n        print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "pip install 'plait[io]'" in out.stdout and "pip install 'plait[ray]'" in out.stdout
