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
        schema = json_schema()
        field = schema["properties"].get({NAME!r}) or {{}}
        refs = [x["$ref"].rsplit("/", 1)[1] for x in field.get("anyOf", []) if "$ref" in x]
        print(json.dumps(schema.get("$defs", {{}}).get(refs[0]) if refs else field))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=_env(trained["site"]))
    assert out.returncode == 0, out.stderr[-3000:]
    result, schema = (json.loads(line) for line in out.stdout.strip().splitlines()[-2:])
    assert set(result[NAME]) == {"label", "scores"}  # the decided label beside the scores
    assert set(result[NAME]["scores"]) == {"high", "low"}
    assert abs(sum(result[NAME]["scores"].values()) - 1.0) < 1e-4
    scores = result[NAME]["scores"]
    assert result[NAME]["label"] == max(scores, key=scores.get)
    assert result["entities"] is not None and result["sentiment"] is not None  # the built-ins too
    assert schema is not None and schema["type"] == "object"
    assert set(schema["required"]) == {"label", "scores"}


def test_output_reaches_plait_run_jsonl_and_csv(trained, tmp_path):
    records = tmp_path / "in.jsonl"
    records.write_text('{"id": "a", "text": "Fix it now, it is urgent."}\n'
                       '{"id": "b", "text": "Hello from Paris."}\n', encoding="utf8")
    res = run_plait("run", str(trained["model"]), str(records), "-o", str(tmp_path / "out.jsonl"),
                    "--no-progress", pythonpath=trained["site"])
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [set(r[NAME]["scores"]) for r in rows] == [{"high", "low"}] * 2
    assert all(r[NAME]["label"] in ("high", "low") for r in rows)
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


def _records(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf8")
    return path


def test_the_scaffold_declares_its_gold_for_data_import_init_and_train(trained, tmp_path):
    """`plait data import --task urgency` writes the new component's gold (E107 before: no
    ComponentInfo.gold), `plait init` makes a spec of it and `plait train` trains a few steps."""
    words = ["urgent", "now", "today", "hello", "thanks", "later", "fix", "down", "note", "fine"]
    rows = [{"text": f"Message {i}: {words[i % 10]} {words[(i * 3) % 10]} please.",
             "label": "high" if i % 2 else "low"} for i in range(20)]
    _records(tmp_path / "mail.jsonl", rows)
    site = trained["site"]
    res = run_plait("data", "import", "mail.jsonl", "-o", "data/urgency", "--task", NAME,
                    pythonpath=site, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "read 20 = imported 20" in res.stdout, res.stdout
    meta = json.loads((tmp_path / "data/urgency/meta.json").read_text())
    assert meta["labels"] == ["high", "low"], meta
    res = run_plait("init", "mail", "--data", "data/urgency", "--encoder", "tiny-random",
                    pythonpath=site, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    import yaml

    spec = yaml.safe_load((tmp_path / "pipeline/mail.yml").read_text())
    assert [(c["component"], c["labels"]) for c in spec["components"]] == [(NAME, ["high", "low"])]
    res = run_plait("train", "pipeline/mail.yml", "-o", "training/mail", "--training.max_steps", "2",
                    "--training.eval_frequency", "1", "--training.batcher.size.start", "200",
                    pythonpath=site, cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import json, plait
        nlp = plait.load("training/mail/model-best")
        print(json.dumps(next(plait.process(nlp, ["Fix it now."])).model_dump(mode="json")))
    """)], capture_output=True, text=True, env=_env(site), cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout.strip().splitlines()[-1])[NAME]["label"] in ("high", "low")


KINDS = {  # kind -> (name, labels, a record of its gold)
    "span": ("dosage", ["DRUG", "DOSE"],
             {"text": "Take aspirin 500mg daily.", "spans": [{"start": 5, "end": 12, "label": "DRUG"},
                                                            {"start": 13, "end": 18, "label": "DOSE"}]}),
    "token": ("wordclass", ["NOUN", "VERB", "OTHER"],
              {"text": "Dogs bark loudly", "spans": [[0, 4, "NOUN"], [5, 9, "VERB"], [10, 16, "OTHER"]]}),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_span_and_token_scaffolds_pass_their_tests_and_import_their_gold(kind, tmp_path):
    """`plait new component NAME --kind span|token --labels ...`: the labels are written into the
    defaults, README and test; the plugin's own tests (contract suite, scorer, `plait run` and
    `plait serve` through the plait_cli fixture) pass untouched; `plait data import --task NAME`
    writes gold that reads back with its labels."""
    name, labels, record = KINDS[kind]
    res = run_plait("new", "component", name, "--kind", kind, "--labels", ",".join(labels),
                    "-o", str(tmp_path / "src"))
    assert res.returncode == 0, res.stderr
    src = tmp_path / "src" / f"plait-{name}"
    for rel in (f"plait_{name}/defaults.py", "README.md", f"tests/test_{name}.py"):
        assert json.dumps(labels) in (src / rel).read_text(), rel
    site = tmp_path / "site"
    pip_install_target(src, site)
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests"],
                         capture_output=True, text=True, env=_env(site), cwd=src)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    _records(tmp_path / "gold.jsonl", [record] * 1 + [dict(record, text=record["text"] + " Again.")])
    res = run_plait("data", "import", "gold.jsonl", "-o", "data", "--task", name, "--split", "100/0/0",
                    pythonpath=site, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    stats = json.loads(run_plait("data", "stats", "data", "--json", pythonpath=site,
                                 cwd=tmp_path).stdout)
    assert set(stats["splits"]["train"]["labels"]) == set(labels), stats
