"""The plugin author kit, end to end (issue 14's "done when"): a plugin written by `plait new
component`, pip-installed (into a --target folder on PYTHONPATH, used from fresh processes), composed
with ner and sentiment over the tiny encoder and trained a few steps with `spacy train`, has its output
in plait.process results, `plait run` JSONL and CSV, `plait evaluate`'s metrics and the result schema.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap

import pytest

from plaittest import pip_install_target, run_plait

NAME = "urgency"
SENTIMENT = ["negative", "neutral", "positive"]
DATA = [  # (text, entities, sentiment, urgency)
    ("Apple must fix the London store today. It is urgent.", [(0, 5, "ORG"), (19, 25, "GPE")],
     "negative", "high"),
    ("Thanks for the lovely dinner in Paris. It was great.", [(32, 37, "GPE")], "positive", "low"),
    ("Google needs the report now. Please hurry.", [(0, 6, "ORG")], "neutral", "high"),
    ("A short note from Berlin to say hello.", [(18, 24, "GPE")], "neutral", "low"),
]


def _env(site):
    return dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
                HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")


def _write_corpus(path):
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    db = DocBin(store_user_data=True)
    for text, ents, sentiment, urgency in DATA:
        doc = nlp.make_doc(text)
        doc.ents = [doc.char_span(s, e, label=label) for s, e, label in ents]
        doc.cats = {**{x: float(x == sentiment) for x in SENTIMENT},
                    "high": float(urgency == "high"), "low": float(urgency == "low")}
        db.add(doc)
    db.to_disk(path)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("kit")
    res = run_plait("new", "component", NAME, "-o", str(root / "src"))
    assert res.returncode == 0, res.stderr
    src = root / "src" / f"plait-{NAME}"
    site = root / "site"
    pip_install_target(src, site)
    spec = root / "spec.yml"
    spec.write_text(textwrap.dedent(f"""
        name: kit
        encoder: tiny-random
        transformer: {{window: 32, stride: 24}}
        components:
          - component: ner
            labels: [ORG, GPE]
          - component: sentiment
            labels: [{", ".join(SENTIMENT)}]
          - component: {NAME}
            labels: [high, low]
        training:
          max_steps: 6
          eval_frequency: 3
          batch_words: 200
    """), encoding="utf8")
    res = run_plait("compose", str(spec), "-o", str(root / "kit.cfg"), pythonpath=site)
    assert res.returncode == 0, res.stderr
    _write_corpus(root / "train.spacy")
    out = subprocess.run([sys.executable, "-m", "spacy", "train", str(root / "kit.cfg"), "--output",
                          str(root / "training"), "--paths.train", str(root / "train.spacy"),
                          "--paths.dev", str(root / "train.spacy")],
                         capture_output=True, text=True, env=_env(site))
    assert out.returncode == 0, out.stderr[-3000:] + out.stdout[-3000:]
    return {"root": root, "site": site, "model": root / "training" / "model-last", "src": src}


def test_the_new_plugin_passes_its_own_tests(trained):
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests"],
                         capture_output=True, text=True, env=_env(trained["site"]),
                         cwd=trained["src"])
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]


def test_output_reaches_process_results_and_the_schema(trained):
    code = textwrap.dedent(f"""
        import json, plait
        from plait.io.results import json_schema
        nlp = plait.load({str(trained["model"])!r})
        result = next(plait.process(nlp, [{{"id": "r1", "text": "Fix the London store now."}}]))
        print(json.dumps(result.model_dump(mode="json")))
        print(json.dumps(json_schema()["properties"].get({NAME!r})))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=_env(trained["site"]))
    assert out.returncode == 0, out.stderr[-3000:]
    result, schema = (json.loads(line) for line in out.stdout.strip().splitlines()[-2:])
    assert set(result[NAME]) == {"high", "low"}
    assert abs(sum(result[NAME].values()) - 1.0) < 1e-4
    assert result["entities"] is not None and result["sentiment"] is not None  # the built-ins too
    assert schema is not None and "object" in json.dumps(schema)


def test_output_reaches_plait_run_jsonl_and_csv(trained, tmp_path):
    records = tmp_path / "in.jsonl"
    records.write_text('{"id": "a", "text": "Fix it now, it is urgent."}\n'
                       '{"id": "b", "text": "Hello from Paris."}\n', encoding="utf8")
    res = run_plait("run", str(trained["model"]), str(records), "-o", str(tmp_path / "out.jsonl"),
                    "--no-progress", pythonpath=trained["site"])
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [set(r[NAME]) for r in rows] == [{"high", "low"}] * 2
    res = run_plait("run", str(trained["model"]), str(records), "-o", str(tmp_path / "out.csv"),
                    "--no-progress", pythonpath=trained["site"])
    assert res.returncode == 0, res.stderr
    with open(tmp_path / "out.csv", newline="", encoding="utf8") as f:
        table = list(csv.DictReader(f))
    columns = [c for c in table[0] if c == NAME or c.startswith(NAME)]
    assert columns, f"no {NAME} column in {list(table[0])}"
    assert all(any(row[c] for c in columns) for row in table)


def test_evaluation_metrics_include_the_new_component(trained, tmp_path):
    metrics = tmp_path / "metrics.json"
    res = run_plait("evaluate", str(trained["model"]), str(trained["root"] / "train.spacy"),
                    "-o", str(metrics), pythonpath=trained["site"])
    assert res.returncode == 0, res.stderr + res.stdout
    data = json.loads(metrics.read_text())
    assert NAME in data["components"], list(data["components"])
    text = json.dumps(data["components"][NAME])
    assert f"{NAME}_acc" in text and f"{NAME}_macro_f" in text
