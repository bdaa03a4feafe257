"""What `plait run` really writes is what the docs say: on a tiny pipeline, in a fresh process with
the built-in plugins only, a JSONL line has the fields of docs/runner.md's generated table in its
order and validates against the published docs/result.schema.json; a CSV file's header is the
documented columns; a text line has the documented tab-separated columns."""
from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys

import pytest

import runnertest as support
from plaittest import BUILTIN_PLUGINS, ROOT

jsonschema = pytest.importorskip("jsonschema")
DOCS = ROOT / "docs"
# `plait run` once per ARGV (JSON lists), all in one fresh process: its plugins load once
RUNS = """
import json, sys
from typer.testing import CliRunner
from plait.cli.app import build_app
app = build_app()
for argv in map(json.loads, sys.argv[1:]):
    ran = CliRunner().invoke(app, argv)
    if ran.exit_code:
        sys.exit(f"{argv}: {ran.exit_code}: {ran.output} {ran.exception!r}")
"""


def documented() -> dict:
    """The field list, CSV columns and text columns of docs/runner.md's generated block."""
    from plait.io.results import DOCS_END, DOCS_START

    block = (DOCS / "runner.md").read_text(encoding="utf8").split(DOCS_START, 1)[1]
    block = block.split(DOCS_END, 1)[0]
    fields = re.findall(r"^\| `(\w+)` \|", block, flags=re.M)
    columns = re.search(r"have the columns `([^`]+)`", block).group(1).split(", ")
    text = re.search(r"\*\*Text\*\* output is `([^`]+)`", block).group(1).split("<TAB>")
    return {"fields": fields, "columns": columns, "text": text}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("documented")
    model = support.build_pipeline(tmp / "toy")
    src = tmp / "in.jsonl"
    records = [{"id": f"r{i}", "text": text, "source": "wire", "n": i}
               for i, text in enumerate(support.TEXTS)]
    records.append({"text": support.long_text(600), "meta": {"k": [1, None]}})  # segmented, no id
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf8")
    exts = ("jsonl", "csv", "txt")
    runs = [json.dumps(["run", str(model), str(src), "-o", str(tmp / f"out.{ext}"), "--no-progress",
                        "--segment-tokens", "120", "--code", str(support.CODE_FILE)])
            for ext in exts]
    proc = subprocess.run([sys.executable, "-c", RUNS, *runs], capture_output=True, text=True,
                          env={**os.environ, "PLAIT_LOAD_PLUGINS": BUILTIN_PLUGINS})
    assert proc.returncode == 0, proc.stderr
    return len(records), {ext: (tmp / f"out.{ext}").read_text(encoding="utf8") for ext in exts}


def test_jsonl_lines_have_the_documented_fields_and_validate_against_the_published_schema(outputs):
    n, written = outputs
    docs = documented()
    assert {"id", "line", "truncated", "extra"} <= set(docs["fields"])
    schema = json.loads((DOCS / "result.schema.json").read_text(encoding="utf8"))
    assert set(schema["properties"]) == set(docs["fields"])  # the schema and the table agree
    validator = jsonschema.Draft202012Validator(schema)
    lines = [json.loads(line) for line in written["jsonl"].splitlines()]
    assert len(lines) == n and lines[-1]["segments"] > 1
    for line in lines:
        assert list(line) == docs["fields"]
        errors = [e.message for e in validator.iter_errors(line)]
        assert not errors, (line["id"], errors)
    outputs_made = {k for line in lines for k, v in line.items() if v and k in schema["properties"]
                    and "x-plait-component" in schema["properties"][k]}
    made_by = {schema["properties"][k]["x-plait-component"] for k in outputs_made}
    assert made_by == {p["x-plait-component"] for p in schema["properties"].values()
                       if "x-plait-component" in p}  # every built-in output checked with a value


def test_csv_header_and_text_columns_are_the_documented_ones(outputs):
    n, written = outputs
    docs = documented()
    rows = list(csv.reader(written["csv"].splitlines()))
    assert rows[0] == docs["columns"]
    assert len(rows) == n + 1 and all(len(row) == len(docs["columns"]) for row in rows)
    assert docs["columns"] == [f for f in docs["fields"] if f != "errors"]
    lines = written["txt"].splitlines()
    assert len(lines) == n
    assert all(len(line.split("\t")) == len(docs["text"]) for line in lines)
    assert docs["text"] == ["id"] + [c for c in docs["columns"] if c not in (
        "id", "line", "truncated", "segments", "warnings", "extra")]
