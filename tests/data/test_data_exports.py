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
