"""plait.data.read_texts: every format, good and bad records; every bad one named, none lost."""
from __future__ import annotations

import json

import pytest

from plait.data import Reject, TextItem, read_texts
from plait.errors import DataError


def _collect(source, **kw):
    rejects = []
    items = list(read_texts(source, on_reject=rejects.append, **kw))
    return items, rejects


def test_plain_text_lines_numbered_and_bad_lines_rejected(tmp_path):
    path = tmp_path / "docs.txt"
    path.write_bytes(b"First document.\n\nThird \xff line.\nFourth one.\n")
    items, rejects = _collect(path)
    assert items == [TextItem(str(path), 1, "First document."), TextItem(str(path), 4, "Fourth one.")]
    assert [(r.line, r.reason) for r in rejects] == [(2, "empty text"),
                                                    (3, "invalid UTF-8 at byte 6 (the bytes look like cp1252)")]
    assert "Third" in rejects[1].text


def test_jsonl_with_text_field(tmp_path):
    path = tmp_path / "a.jsonl"
    lines = [json.dumps({"body": "good one"}), "{not json", json.dumps({"body": 3}),
             json.dumps({"other": "x"}), json.dumps({"body": "  "}), json.dumps(["a"]), "",
             json.dumps({"body": "last"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    items, rejects = _collect(path, text_field="body")
    assert [(i.line, i.text) for i in items] == [(1, "good one"), (8, "last")]
    reasons = {r.line: r.reason for r in rejects}
    assert reasons[2].startswith("malformed JSON")
    assert reasons[3] == "text field 'body' is int, not a string"
    assert reasons[4] == "missing text field 'body'"
    assert reasons[5] == "empty text"
    assert reasons[6].startswith("record is a list")
    assert reasons[7] == "empty line"
    assert len(items) + len(rejects) == len(lines)
    assert all(r.source == str(path) for r in rejects)


def test_jsonl_of_strings(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('"one"\n"two"\n', encoding="utf8")
    assert [i.text for i in read_texts(path)] == ["one", "two"]


def test_csv_and_tsv_physical_lines(tmp_path):
    csv_path = tmp_path / "t.csv"
    csv_path.write_bytes(b'id,text\n1,"multi\nline text"\n2,\n3,ok,extra\n4,caf\xe9\n5,fine\n')
    items, rejects = _collect(csv_path)
    assert [(i.line, i.text) for i in items] == [(2, "multi\nline text"), (7, "fine")]
    assert [(r.line, r.reason) for r in rejects] == [
        (4, "empty text"), (5, "row has 3 fields, the header has 2"), (6, "invalid UTF-8 (the bytes look like cp1252)")]
    assert "caf" in rejects[2].text
    tsv = tmp_path / "t.tsv"
    tsv.write_text("text\tlabel\nhello there\tx\n\tx\n", encoding="utf8")
    items, rejects = _collect(tsv)
    assert [i.text for i in items] == ["hello there"] and rejects[0].line == 3


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"text": ["alpha", None, "", "delta"]}), path)
    items, rejects = _collect(path)
    assert [(i.line, i.text) for i in items] == [(1, "alpha"), (4, "delta")]
    assert [(r.line, r.reason) for r in rejects] == [(2, "missing text field 'text'"), (3, "empty text")]


def test_docbin_and_tokens_and_folders(tmp_path):
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    (tmp_path / "corpus" / "train").mkdir(parents=True)
    db = DocBin(docs=[nlp("A doc."), nlp("Another doc.")])
    db.to_disk(tmp_path / "corpus" / "train" / "0.spacy")
    (tmp_path / "corpus" / "meta.json").write_text("{}")  # bookkeeping: not read
    (tmp_path / "corpus" / "notes.conll").write_text(
        "-DOCSTART- O\n\nJohn B-PER\nruns O\n\nbad\n\nMary\tB-PER\n", encoding="utf8")
    items, rejects = _collect(tmp_path / "corpus")
    assert [i.text for i in items] == ["John runs", "Mary", "A doc.", "Another doc."]
    assert [i.line for i in items] == [3, 8, 1, 2]
    assert [(r.line, r.reason) for r in rejects] == [(6, "expected a token and a tag column")]


def test_without_on_reject_the_first_bad_record_raises_naming_it(tmp_path):
    path = tmp_path / "docs.txt"
    path.write_text("ok\n\n", encoding="utf8")
    it = read_texts(path)
    assert next(it).text == "ok"
    with pytest.raises(DataError, match=r"E104.*docs.txt:2: empty text"):
        next(it)


def test_missing_path_and_unknown_format(tmp_path):
    with pytest.raises(DataError, match="E100"):
        list(read_texts(tmp_path / "nope.txt"))
    odd = tmp_path / "x.weird"
    odd.write_text("a\n")
    with pytest.raises(DataError, match="E102"):
        list(read_texts(odd))
    assert [i.text for i in read_texts(odd, fmt="text")] == ["a"]
    assert isinstance(Reject("f", 1, "r"), Reject)


def test_jsonl_nested_too_deep_is_rejected_by_line_and_the_rest_read(tmp_path):
    # 5,000 levels would exhaust json's recursion (a RecursionError that ended the whole read)
    path = tmp_path / "deep.jsonl"
    deep = '{"body": "deep", "meta": ' + "[" * 5000 + "]" * 5000 + "}"
    path.write_text("\n".join([json.dumps({"body": "before"}), deep,
                               json.dumps({"body": "after", "meta": [[[1]]]})]) + "\n",
                    encoding="utf8")
    items, rejects = _collect(path, text_field="body")
    assert [(i.line, i.text) for i in items] == [(1, "before"), (3, "after")]
    assert [r.line for r in rejects] == [2]
    assert rejects[0].reason.startswith("[E230] The record nests 5001 levels deep")
