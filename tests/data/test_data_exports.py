"""plait data import on files as spreadsheets and annotation tools write them (issue 34).

Every input here is a small file written in the shape the tool's documentation gives (none copied from
a tool): Excel's CSV flavours (a byte-order mark, ``;`` separators, Windows-1252, UTF-16 "Unicode
text"), Prodigy's JSONL with answers, Label Studio's JSON and JSON-MIN exports, doccano's JSONL, BRAT
standoff folders, CoNLL-U, spaCy's v2 training JSON and .xlsx workbooks. Each import keeps the
accounting: read = imported + rejected (+ skipped by answer), every reject with file, line and reason.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from plait.data.importer import import_data
from plait.errors import DataError
from plait.io.formats import detect_format, guess_encoding, read_rows, table_delimiter
from plait.plugins.registry import get_registry


def _need(*tasks):
    have = {i.task for i in get_registry().components().values() if i.gold is not None}
    missing = [t for t in tasks if t not in have]
    if missing:
        pytest.skip(f"components not installed: {missing}")


def _docs(folder: Path):
    import spacy

    from plait.data.stats import split_docs

    vocab = spacy.blank("en").vocab
    return [doc for s in ("train", "dev", "test") for doc in split_docs(folder / s, vocab)]


def _rejects(folder: Path):
    return [json.loads(line) for line in (folder / "rejects.jsonl").read_text().splitlines()]


def _check(report):
    meta = json.loads((report.output / "meta.json").read_text())
    rec = meta["records"]
    assert rec["read"] == rec["imported"] + rec["rejected"] + rec.get("skipped_by_answer", 0)
    assert rec["imported"] == sum(meta["counts"].values()) == len(_docs(report.output))
    assert rec["rejected"] == len(_rejects(report.output)) == sum(meta["skipped"].values())
    return meta


def _cats(folder: Path):
    return {d.text: sorted(k for k, v in d.cats.items() if v) for d in _docs(folder)}


def _ents(folder: Path):
    return {d.text: [(e.text, e.label_) for e in d.ents] for d in _docs(folder)}


# -- CSV / TSV as spreadsheets save them ------------------------------------------------------------
def test_excel_csv_utf8_with_a_byte_order_mark(tmp_path):
    _need("textcat")
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufefftext,label\r\nRefund please,billing\r\nIt crashes,bug\r\n".encode("utf8"))
    report = import_data([path], tmp_path / "out", task="textcat", split="100/0/0")
    _check(report)
    assert _cats(tmp_path / "out") == {"Refund please": ["billing"], "It crashes": ["bug"]}


def test_semicolon_csv_is_sniffed_and_delimiter_can_be_named(tmp_path):
    _need("textcat")
    path = tmp_path / "europe.csv"
    path.write_text("text;label\nPrix: 3,50 EUR, trop cher;billing\nL'appli plante;bug\n"
                    "\"Quoted; with a semicolon\";bug\n")
    assert table_delimiter(path) == ";"
    report = import_data([path], tmp_path / "out", task="textcat", split="100/0/0")
    _check(report)
    assert _cats(tmp_path / "out")["Prix: 3,50 EUR, trop cher"] == ["billing"]
    assert _cats(tmp_path / "out")["Quoted; with a semicolon"] == ["bug"]

    piped = tmp_path / "piped.csv"
    piped.write_text("text|label\nA|x\nB|y\n")
    report = import_data([piped], tmp_path / "p", task="textcat", split="100/0/0", delimiter="|")
    assert report.imported == 2 and report.meta["options"]["delimiter"] == "|"
    with pytest.raises(DataError, match="E125"):
        import_data([piped], tmp_path / "q", task="textcat", delimiter="||")


def test_a_one_column_csv_with_semicolons_in_its_text_keeps_the_comma():
    # plait run reads CSV through the same reader: sniffing never splits a one-column file
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "texts.csv"
        path.write_text("text\nOne; two; three\nFour; five\n")
        rows = list(read_rows(path, "csv"))
        assert [r.value for r in rows] == [{"text": "One; two; three"}, {"text": "Four; five"}]


def test_windows_1252_csv_names_the_encoding_and_imports_with_it(tmp_path):
    _need("textcat")
    path = tmp_path / "latin.csv"
    path.write_bytes("text,label\nCafé crème,food\nPlain words,other\nNaïve “quotes”,other\n"
                     .encode("cp1252"))
    assert guess_encoding(path.read_bytes()) == "cp1252"
    assert guess_encoding("Café".encode("cp1252")) == "cp1252"  # a last byte that could start UTF-8
    assert guess_encoding("Café".encode("cp1252"), cut=True) == "utf-8"  # ... in a cut sample
    report = import_data([path], tmp_path / "out", task="textcat", split="100/0/0")
    _check(report)
    bad = {r["line"]: r for r in _rejects(tmp_path / "out")}
    assert set(bad) == {2, 4} and all(r["kind"] == "invalid UTF-8" for r in bad.values())
    assert "look like cp1252" in bad[2]["reason"]
    report = import_data([path], tmp_path / "ok", task="textcat", split="100/0/0",
                         encoding="cp1252")
    assert report.rejected == 0
    assert _cats(tmp_path / "ok")["Café crème"] == ["food"]
    assert "Naïve “quotes”" in _cats(tmp_path / "ok")
    with pytest.raises(DataError, match="E236.*'klingon'"):
        import_data([path], tmp_path / "no", task="textcat", encoding="klingon")


def test_utf16_tab_separated_unicode_text_and_a_bom_in_jsonl(tmp_path):
    _need("textcat")
    path = tmp_path / "unicode.tsv"  # Excel's "Unicode Text": UTF-16 with its BOM, tabs
    path.write_bytes("text\tlabel\r\nÜber alles\ta\r\nZwei\tb\r\n".encode("utf-16"))
    report = import_data([path], tmp_path / "out", task="textcat", split="100/0/0")
    _check(report)
    assert _cats(tmp_path / "out") == {"Über alles": ["a"], "Zwei": ["b"]}
    jsonl = tmp_path / "notepad.jsonl"
    jsonl.write_bytes(b"\xef\xbb\xbf" + json.dumps({"text": "x y", "label": "a"}).encode() + b"\n"
                      + json.dumps({"text": "z", "label": "b"}).encode() + b"\n")
    assert import_data([jsonl], tmp_path / "j", task="textcat", split="100/0/0").imported == 2


# -- whole-file diagnoses ---------------------------------------------------------------------------
def test_a_wrong_text_field_is_one_line_with_did_you_mean(tmp_path):
    _need("textcat")
    path = tmp_path / "caps.csv"
    path.write_text("Text,label\n" + "".join(f"row {i},a\n" for i in range(5)))
    with pytest.raises(DataError, match=r"E126.*none of its 5 records has a text field 'text'.*"
                       r"Did you mean 'Text'\? Name the text field with --text-field"):
        import_data([path], tmp_path / "out", task="textcat")
    assert len(_rejects(tmp_path / "out")) == 5  # each reject is still written


def test_a_wrong_gold_field_names_the_option_and_the_close_field(tmp_path):
    _need("textcat")
    path = tmp_path / "g.jsonl"
    path.write_text("".join(json.dumps({"text": f"t {i}", "Labels": "x"}) + "\n" for i in range(3)))
    with pytest.raises(DataError, match=r"E129.*Did you mean 'Labels'\?.*--label-field"):
        import_data([path], tmp_path / "out", task="textcat")


def test_a_wrong_delimiter_is_diagnosed(tmp_path):
    _need("textcat")
    path = tmp_path / "semi.csv"
    path.write_text("text;label\nA;x\nB;y\n")
    with pytest.raises(DataError, match=r"E127.*its header is one field \('text;label'\); its fields "
                       r"are probably separated by semicolons, not commas. Pass --delimiter ';'"):
        import_data([path], tmp_path / "out", task="textcat", delimiter=",")
    mixed = tmp_path / "mixed.csv"  # some rows split on a decimal comma, the others not at all
    mixed.write_text("text;label\nPrice 3,50;x\nCheap;y\n")
    with pytest.raises(DataError, match=r"E127.*separated by semicolons"):
        import_data([mixed], tmp_path / "out2", task="textcat", delimiter=",")


def test_a_file_that_is_not_utf8_names_the_encoding_whole_or_in_part(tmp_path):
    _need("textcat")
    path = tmp_path / "all.csv"
    path.write_bytes("text,label\nÉté,a\nCrème,b\n".encode("cp1252"))
    with pytest.raises(DataError, match=r"E128.*2 of its 2 records are not UTF-8.*read as cp1252. "
                       r"Pass --encoding cp1252"):
        import_data([path], tmp_path / "out", task="textcat")
    some = tmp_path / "some.csv"
    some.write_bytes("text,label\nÉté,a\nplain,b\nother,a\n".encode("cp1252"))
    report = import_data([some], tmp_path / "some", task="textcat", split="100/0/0")
    assert report.imported == 2
    assert any("W003" in line and "--encoding cp1252" in line for line in report.lines())
    assert "W003" in report.meta["diagnoses"][0]


def test_the_first_records_all_failing_one_way_stop_the_import_there(tmp_path):
    _need("textcat")
    from plait.data.diagnose import PROBE

    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps({"body": f"t {i}", "label": "a"}) + "\n"
                            for i in range(PROBE + 300)))
    with pytest.raises(DataError, match=r"E126.*none of its 1000 records.*'body'"):
        import_data([path], tmp_path / "out", task="textcat")
    assert len(_rejects(tmp_path / "out")) == PROBE


def test_the_cli_prints_the_diagnosis_once(tmp_path):
    _need("textcat")
    from plaittest import run_plait

    path = tmp_path / "caps.csv"
    path.write_text("Text,label\nrow one,a\nrow two,b\n")
    res = run_plait("data", "import", str(path), "-o", str(tmp_path / "out"), "--task", "textcat")
    assert res.returncode != 0 and "Traceback" not in res.stderr
    lines = [line for line in (res.stdout + res.stderr).splitlines() if "E126" in line]
    assert len(lines) == 1 and "Did you mean 'Text'?" in lines[0]


# -- Prodigy ------------------------------------------------------------------------------------------
def _tokens(*words_ws):
    out, at = [], 0
    for i, (word, ws) in enumerate(words_ws):
        out.append({"text": word, "start": at, "end": at + len(word), "id": i, "ws": ws})
        at += len(word) + ws
    return out


def _prodigy(path: Path, tasks):
    path.write_text("".join(json.dumps({**t, "_input_hash": i, "_task_hash": -i}) + "\n"
                            for i, t in enumerate(tasks)))
    return path


def test_prodigy_answers_are_honoured_and_token_spans_read(tmp_path):
    _need("ner")
    toks = _tokens(("Ada", True), ("Lovelace", True), ("visited", True), ("Paris", False), (".", False))
    spans = [{"start": 0, "end": 12, "token_start": 0, "token_end": 1, "label": "PERSON"},
             {"start": 21, "end": 26, "token_start": 3, "token_end": 3, "label": "GPE"}]
    path = _prodigy(tmp_path / "ner_manual.jsonl", [
        {"text": "Ada Lovelace visited Paris.", "tokens": toks, "spans": spans, "answer": "accept"},
        {"text": "Rejected one here.", "spans": [{"start": 0, "end": 8, "label": "ORG"}],
         "answer": "reject"},
        {"text": "Ignored one here.", "spans": [], "answer": "ignore"},
        {"text": "Bob is in Rome", "spans": [{"start": 10, "end": 14, "label": "GPE"}],
         "answer": "accept"},
        {"text": "Out of range", "tokens": _tokens(("Out", True), ("of", True), ("range", False)),
         "spans": [{"start": 0, "end": 3, "token_start": 2, "token_end": 5, "label": "X"}],
         "answer": "accept"},
    ])
    assert detect_format(path, sniff=True) == "prodigy"
    report = import_data([path], tmp_path / "out", task="ner", split="100/0/0")
    meta = _check(report)
    assert meta["sources"][0]["format"] == "prodigy"
    assert meta["records"] == {"read": 5, "imported": 2, "rejected": 1, "skipped_by_answer": 2}
    assert meta["answers"] == {"ignore": 1, "reject": 1}
    assert meta["sources"][0]["skipped_by_answer"] == 2
    assert "read 5 = imported 2 + rejected 1 + skipped by answer 2 (ignore 1, reject 1)" in report.lines()
    assert _ents(tmp_path / "out") == {"Ada Lovelace visited Paris.": [("Ada Lovelace", "PERSON"),
                                                                       ("Paris", "GPE")],
                                       "Bob is in Rome": [("Rome", "GPE")]}
    (bad,) = _rejects(tmp_path / "out")
    assert bad["line"] == 5 and bad["kind"] == "bad span" and "outside the 3 tokens" in bad["reason"]


def test_prodigy_textcat_binary_labels_and_choice_accept_lists(tmp_path):
    _need("textcat")
    options = [{"id": "WEATHER", "text": "Weather"}, {"id": "SPORT", "text": "Sport"}]
    path = _prodigy(tmp_path / "cats.jsonl", [
        {"text": "Goal in the final minute", "label": "SPORT", "answer": "accept"},
        {"text": "Stocks fell sharply", "label": "SPORT", "answer": "reject"},
        {"text": "Rain all day", "options": options, "accept": ["WEATHER"], "answer": "accept"},
        {"text": "Snow stops the match", "options": options, "accept": ["WEATHER", "SPORT"],
         "answer": "accept"},
        {"text": "Skipped", "options": options, "accept": [], "answer": "ignore"},
        {"text": "Odd answer", "label": "SPORT", "answer": "maybe"},
    ])
    report = import_data([path], tmp_path / "out", task="textcat", split="100/0/0")
    meta = _check(report)
    assert _cats(tmp_path / "out") == {"Goal in the final minute": ["SPORT"],
                                       "Rain all day": ["WEATHER"],
                                       "Snow stops the match": ["SPORT", "WEATHER"]}
    assert meta["labels"] == ["SPORT", "WEATHER"]
    assert meta["answers"] == {"ignore": 1, "reject": 1}
    (bad,) = _rejects(tmp_path / "out")
    assert bad["line"] == 6 and "not accept, reject or ignore" in bad["reason"]


# -- Label Studio, JSON-MIN, doccano ------------------------------------------------------------------
def _ls_task(i, text, result, cancelled=False, annotations=True):
    task = {"id": i, "data": {"text": text}, "meta": {}, "project": 3,
            "created_at": "2026-01-02T10:00:00Z", "predictions": []}
    task["annotations"] = [{"id": 100 + i, "completed_by": 1, "result": result,
                            "was_cancelled": cancelled, "ground_truth": False,
                            "lead_time": 3.5, "task": i}] if annotations else []
    return task


def _ls_region(start, end, label, text):
    return {"value": {"start": start, "end": end, "text": text, "labels": [label]},
            "id": f"r{start}", "from_name": "label", "to_name": "text", "type": "labels",
            "origin": "manual"}


def _ls_choice(*choices):
    return {"value": {"choices": list(choices)}, "id": "c1", "from_name": "sentiment",
            "to_name": "text", "type": "choices", "origin": "manual"}


def test_label_studio_json_export_spans_and_choices(tmp_path):
    _need("ner", "textcat")
    path = tmp_path / "project-3-at-2026.json"
    path.write_text(json.dumps([
        _ls_task(1, "Ada Lovelace met Babbage in London.", [
            _ls_region(0, 12, "PER", "Ada Lovelace"), _ls_region(17, 24, "PER", "Babbage"),
            _ls_region(28, 34, "LOC", "London"), _ls_choice("History")]),
        _ls_task(2, "Nothing to see here.", []),                     # annotated, no entities
        _ls_task(3, "Skipped by the annotator.", [], cancelled=True),
        _ls_task(4, "Never annotated.", [], annotations=False),
        _ls_task(5, "Bad offsets here", [_ls_region(0, 99, "LOC", "x")]),
        {"id": 6, "text": "not a task"},
    ], indent=2))
    assert detect_format(path, sniff=True) == "labelstudio"
    report = import_data([path], tmp_path / "ner", task="ner", split="100/0/0")
    meta = _check(report)
    assert meta["answers"] == {"cancelled": 1, "unannotated": 1}
    assert _ents(tmp_path / "ner") == {
        "Ada Lovelace met Babbage in London.": [("Ada Lovelace", "PER"), ("Babbage", "PER"),
                                                ("London", "LOC")],
        "Nothing to see here.": []}
    bad = {r["line"]: r for r in _rejects(tmp_path / "ner")}
    lines = path.read_text().splitlines()
    assert len(bad) == 2
    kinds = sorted(r["kind"] for r in bad.values())
    assert kinds == ["bad span", "malformed record"]
    for r in bad.values():  # each reject names the line its task starts on
        assert lines[r["line"] - 1].strip() == "{"
    report = import_data([path], tmp_path / "cats", task="textcat", split="100/0/0")
    _check(report)
    assert _cats(tmp_path / "cats") == {"Ada Lovelace met Babbage in London.": ["History"]}
    assert any("no labels in this record (it holds spans)" in r["reason"]
               for r in _rejects(tmp_path / "cats"))


def test_label_studio_json_min_and_doccano_jsonl(tmp_path):
    _need("ner", "sentiment")
    json_min = tmp_path / "min.json"
    json_min.write_text(json.dumps([
        {"id": 1, "text": "Great phone", "sentiment": "Positive", "annotator": 1,
         "annotation_id": 7, "created_at": "2026-01-01", "lead_time": 2.0},
        {"id": 2, "text": "Awful battery", "sentiment": "Negative", "annotator": 1,
         "annotation_id": 8, "created_at": "2026-01-01", "lead_time": 2.0}]))
    assert detect_format(json_min, sniff=True) == "json"
    report = import_data([json_min], tmp_path / "s", task="sentiment", split="100/0/0")
    _check(report)
    assert _cats(tmp_path / "s") == {"Great phone": ["Positive"], "Awful battery": ["Negative"]}
    ner_min = tmp_path / "ner-min.json"
    ner_min.write_text(json.dumps([{"id": 1, "text": "Rome is old", "label": [
        {"start": 0, "end": 4, "text": "Rome", "labels": ["LOC"]}], "annotator": 1}]))
    assert import_data([ner_min], tmp_path / "m", task="ner", split="100/0/0").imported == 1
    assert _ents(tmp_path / "m") == {"Rome is old": [("Rome", "LOC")]}

    doccano = tmp_path / "admin.jsonl"  # doccano: sequence labelling, and the newer entities
    doccano.write_text(
        json.dumps({"id": 1, "text": "Ada met Bob", "label": [[0, 3, "PER"], [8, 11, "PER"]],
                    "Comments": []}) + "\n"
        + json.dumps({"id": 2, "text": "Paris in May", "entities": [
            {"id": 5, "label": "LOC", "start_offset": 0, "end_offset": 5}], "relations": []}) + "\n")
    assert detect_format(doccano, sniff=True) == "jsonl"
    import_data([doccano], tmp_path / "d", task="ner", split="100/0/0")
    assert _ents(tmp_path / "d") == {"Ada met Bob": [("Ada", "PER"), ("Bob", "PER")],
                                     "Paris in May": [("Paris", "LOC")]}
    classes = tmp_path / "classes.jsonl"
    classes.write_text(json.dumps({"id": 1, "text": "Loved it", "label": ["positive"],
                                   "Comments": []}) + "\n")
    assert import_data([classes], tmp_path / "c", task="sentiment", split="100/0/0").imported == 1


# -- BRAT, CoNLL-U, spaCy's v2 JSON -------------------------------------------------------------------
def test_brat_standoff_folder(tmp_path):
    _need("ner")
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "annotation.conf").write_text("[entities]\nPER\nLOC\n[relations]\n[events]\n[attributes]\n")
    (folder / "a.txt").write_text("Ada lives in Turin.\nShe met Bob.\n")
    (folder / "a.ann").write_text("T1\tPER 0 3\tAda\nT2\tLOC 13 18\tTurin\nT3\tPER 28 31\tBob\n"
                                  "R1\tMeets Arg1:T1 Arg2:T3\nA1\tConfident T1\n#1\tAnnotatorNotes T1\tok\n")
    (folder / "b.txt").write_text("North and South America\n")
    (folder / "b.ann").write_text("T1\tLOC 0 5;16 23\tNorth America\n")
    (folder / "c.txt").write_text("Paris again\n")
    (folder / "c.ann").write_text("T1\tLOC 0 5\tParis\nT2\tLOC 6 11\tLondon\n")
    (folder / "d.ann").write_text("T1\tLOC 0 5\tParis\n")
    report = import_data([folder], tmp_path / "out", task="ner", split="100/0/0")
    meta = _check(report)
    assert [Path(s["path"]).name for s in meta["sources"]] == ["a.ann", "b.ann", "c.ann", "d.ann"]
    assert {s["format"] for s in meta["sources"]} == {"brat"}
    assert _ents(tmp_path / "out") == {"Ada lives in Turin.\nShe met Bob.\n": [
        ("Ada", "PER"), ("Turin", "LOC"), ("Bob", "PER")]}
    bad = {Path(r["source"]).name: r for r in _rejects(tmp_path / "out")}
    assert bad["b.ann"]["line"] == 1 and "discontinuous" in bad["b.ann"]["reason"]
    assert bad["c.ann"]["line"] == 2 and "'London'" in bad["c.ann"]["reason"]
    assert "no d.txt" in bad["d.ann"]["reason"]


CONLLU = """# newdoc id = d1
# sent_id = 1
# text = Ada visited Turin.
1\tAda\tAda\tPROPN\t_\t_\t2\tnsubj\t_\tNER=B-PER
2\tvisited\tvisit\tVERB\t_\t_\t0\troot\t_\tNER=O
3\tTurin\tTurin\tPROPN\t_\t_\t2\tobj\t_\tNER=B-LOC|SpaceAfter=No
4\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\tNER=O

# sent_id = 2
# text = Vado al mare.
1\tVado\tandare\tVERB\t_\t_\t0\troot\t_\tNER=O
2-3\tal\t_\t_\t_\t_\t_\t_\t_\t_
2\ta\ta\tADP\t_\t_\t4\tcase\t_\tNER=O
3\til\til\tDET\t_\t_\t4\tdet\t_\tNER=O
4\tmare\tmare\tNOUN\t_\t_\t1\tobl\t_\tNER=B-LOC|SpaceAfter=No
5\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\tNER=O

# sent_id = 3
1\tbroken line
2\tword\tword\tNOUN\t_\t_\t0\troot\t_\tNER=O

# sent_id = 4
1\tNo\tno\tINTJ\t_\t_\t0\troot\t_\t_
"""


def test_conllu_words_spaces_and_ner_in_misc(tmp_path):
    _need("ner")
    path = tmp_path / "it.conllu"
    path.write_text(CONLLU)
    assert detect_format(path, sniff=True) == "conllu"
    report = import_data([path], tmp_path / "out", task="ner", split="100/0/0")
    meta = _check(report)
    docs = {d.text: d for d in _docs(tmp_path / "out")}
    assert [(e.text, e.label_) for e in docs["Ada visited Turin."].ents] == [("Ada", "PER"),
                                                                            ("Turin", "LOC")]
    assert [t.text for t in docs["Vado al mare."]] == ["Vado", "al", "mare", "."]
    assert [(e.text, e.label_) for e in docs["Vado al mare."].ents] == [("mare", "LOC")]
    bad = {r["line"]: r for r in _rejects(tmp_path / "out")}
    assert bad[19]["kind"] == "malformed record" and "10, tab-separated" in bad[19]["reason"]
    assert bad[23]["kind"] == "no gold"  # no entity tags in its MISC column
    assert meta["records"]["read"] == 4


def test_spacy_v2_training_json(tmp_path):
    _need("ner", "textcat")

    def tok(i, orth, ner):
        return {"id": i, "orth": orth, "tag": "NN", "head": 0, "dep": "dep", "ner": ner}

    path = tmp_path / "train.json"
    path.write_text(json.dumps([
        {"id": 0, "paragraphs": [
            {"raw": "Ada Lovelace wrote.", "cats": [{"label": "HIST", "value": 1.0},
                                                   {"label": "TECH", "value": 0.0}],
             "sentences": [{"tokens": [tok(0, "Ada", "B-PER"), tok(1, "Lovelace", "L-PER"),
                                       tok(2, "wrote", "O"), tok(3, ".", "O")], "brackets": []}]},
            {"raw": "Turin", "cats": [{"label": "TECH", "value": 1.0}],
             "sentences": [{"tokens": [tok(0, "Turin", "U-LOC")]}]}]},
        {"id": 1, "paragraphs": [{"sentences": [{"tokens": [tok(0, "Bad", "I-LOC")]}]}]},
    ], indent=1))
    assert detect_format(path, sniff=True) == "spacy-json"
    report = import_data([path], tmp_path / "ner", task="ner", split="100/0/0")
    _check(report)
    assert _ents(tmp_path / "ner") == {"Ada Lovelace wrote.": [("Ada Lovelace", "PER")],
                                       "Turin": [("Turin", "LOC")]}
    assert _rejects(tmp_path / "ner")[0]["kind"] == "invalid tag sequence"
    report = import_data([path], tmp_path / "cats", task="textcat", split="100/0/0")
    assert _cats(tmp_path / "cats") == {"Ada Lovelace wrote.": ["HIST"], "Turin": ["TECH"]}


# -- Excel -----------------------------------------------------------------------------------------
def test_xlsx_first_sheet_as_a_table(tmp_path):
    _need("textcat")
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tickets"
    sheet.append(["body", "topic", None])
    sheet.append(["Refund my order", "billing"])
    sheet.append([None, None])                      # an empty row: no record
    sheet.append(["App crashes", "bug"])
    sheet.append([404, "bug"])                      # a number cell reads as CSV would: "404"
    sheet.append(["", "bug"])                       # empty text
    sheet.append(["Extra cell", "bug", None, "oops"])
    book.create_sheet("Other").append(["text", "label"])
    path = tmp_path / "tickets.xlsx"
    book.save(path)
    assert detect_format(path, sniff=True) == "xlsx"
    report = import_data([path], tmp_path / "out", task="textcat", text_field="body",
                         gold_field="topic", split="100/0/0")
    _check(report)
    assert _cats(tmp_path / "out") == {"Refund my order": ["billing"], "App crashes": ["bug"],
                                       "404": ["bug"]}
    bad = {r["line"]: r for r in _rejects(tmp_path / "out")}
    assert bad[6]["kind"] == "empty text"
    assert bad[7]["reason"] == "row has 4 fields, the header has 2"
    book["Other"].append(["From the other sheet", "misc"])
    book.save(path)
    import_data([path], tmp_path / "other", task="textcat", sheet="Other", split="100/0/0")
    assert _cats(tmp_path / "other") == {"From the other sheet": ["misc"]}
    with pytest.raises(DataError, match="E115"):
        import_data([path], tmp_path / "none", task="textcat", sheet="Nope")
    assert "its sheets: 'Tickets', 'Other'" in _rejects(tmp_path / "none")[0]["reason"]


def test_xlsx_without_openpyxl_is_one_coded_error(tmp_path, monkeypatch):
    import sys

    _need("textcat")
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if it were not installed
    with pytest.raises(DataError, match=r"E120.*pip install 'plait\[io\]'"):
        import_data([path], tmp_path / "out", task="textcat")


def test_label_studio_text_under_another_key_and_a_file_of_only_rejected_answers(tmp_path):
    _need("sentiment")
    path = tmp_path / "ls.json"
    tasks = [_ls_task(i, f"review {i}", [_ls_choice("Positive")]) for i in range(3)]
    for task in tasks:
        task["data"] = {"Text": task["data"]["text"], "title": "t", "stars": 5}
    path.write_text(json.dumps(tasks))
    with pytest.raises(DataError, match=r"E126.*its fields are 'Text', 'title', 'stars'. Did you "
                       r"mean 'Text'\?"):
        import_data([path], tmp_path / "a", task="sentiment")
    report = import_data([path], tmp_path / "b", task="sentiment", text_field="Text",
                         split="100/0/0")
    assert report.imported == 3
    for task in tasks:  # a task's one string is its text
        del task["data"]["title"]
    path.write_text(json.dumps(tasks))
    assert import_data([path], tmp_path / "d", task="sentiment", split="100/0/0").imported == 3
    only = _prodigy(tmp_path / "rejected.jsonl", [
        {"text": "no", "label": "Positive", "answer": "reject"},
        {"text": "skip", "label": "Positive", "answer": "ignore"}])
    with pytest.raises(DataError, match=r"E115.*all 0 were rejected and 2 \(ignore 1, reject 1\) "
                       r"were skipped by answer"):
        import_data([only], tmp_path / "c", task="sentiment")


def test_label_studio_csv_export_with_regions_as_json_in_a_cell(tmp_path):
    _need("ner")
    import csv

    path = tmp_path / "project-3.csv"
    with path.open("w", newline="", encoding="utf8") as f:
        out = csv.writer(f)
        out.writerow(["text", "id", "label", "annotator", "annotation_id", "created_at", "lead_time"])
        out.writerow(["Ada went to Rome", 1, json.dumps([
            {"start": 12, "end": 16, "text": "Rome", "labels": ["LOC"]}]), 1, 10, "2026-01-01", 2.5])
        out.writerow(["Nobody here", 2, "[]", 1, 11, "2026-01-01", 1.0])
    report = import_data([path], tmp_path / "out", task="ner", gold_field="label", split="100/0/0")
    _check(report)
    assert _ents(tmp_path / "out") == {"Ada went to Rome": [("Rome", "LOC")], "Nobody here": []}


def test_format_named_where_the_name_says_nothing_and_read_texts_reads_the_tools(tmp_path):
    _need("textcat")
    from plait.data import read_texts

    path = _prodigy(tmp_path / "export.txt", [{"text": "Goal", "label": "SPORT", "answer": "accept"},
                                              {"text": "Vote", "label": "SPORT", "answer": "reject"}])
    assert detect_format(path, sniff=True) == "text"  # a .txt is plain text by its name...
    report = import_data([path], tmp_path / "out", task="textcat", fmt="prodigy", split="100/0/0")
    assert report.meta["records"] == {"read": 2, "imported": 1, "rejected": 0,
                                      "skipped_by_answer": 1}
    ls = tmp_path / "ls.json"
    ls.write_text(json.dumps([_ls_task(1, "Some text", [_ls_choice("A")])]))
    assert [t.text for t in read_texts(ls, fmt="labelstudio")] == ["Some text"]
    conllu = tmp_path / "x.conllu"
    conllu.write_text(CONLLU.split("# sent_id = 3")[0])
    assert [t.text for t in read_texts(conllu)] == ["Ada visited Turin.", "Vado al mare."]
