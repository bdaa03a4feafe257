"""plait data import: every format with good and bad records; every reject named; in = out + rejected.

Real spaCy docs are read back from the written shards; the four built-in components' GoldInfo is used
(skipped when a plugin is not installed).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from plait.data.importer import Splitter, import_data, parse_split
from plait.data.stats import data_stats, split_docs
from plait.errors import DataError
from plait.plugins.registry import get_registry


def _need(*tasks):
    have = {i.task for i in get_registry().components().values() if i.gold is not None}
    missing = [t for t in tasks if t not in have]
    if missing:
        pytest.skip(f"components not installed: {missing}")


def _docs(folder: Path, split=None):
    import spacy

    vocab = spacy.blank("en").vocab
    splits = [split] if split else ["train", "dev", "test"]
    return [doc for s in splits for doc in split_docs(folder / s, vocab)]


def _rejects(folder: Path):
    return [json.loads(line) for line in (folder / "rejects.jsonl").read_text().splitlines()]


def _check_accounting(report):
    meta = json.loads((report.output / "meta.json").read_text())
    rec = meta["records"]
    assert rec["read"] == rec["imported"] + rec["rejected"]
    assert rec["imported"] == sum(meta["counts"].values()) == len(_docs(report.output))
    assert rec["rejected"] == len(_rejects(report.output)) == sum(meta["skipped"].values())
    for src in meta["sources"]:
        assert len(src["sha256"]) == 64 and src["read"] == src["imported"] + src["rejected"]
    return meta


# -- tables: labels ---------------------------------------------------------------------------------
def test_csv_labels_with_bad_rows_duplicates_and_conflicts(tmp_path):
    _need("textcat")
    csv = tmp_path / "tickets.csv"
    csv.write_bytes(
        b"body,topic\n"
        b"Refund my order,billing\n"
        b"App crashes on start,bug\n"
        b"Refund my order,billing\n"          # exact duplicate: kept once
        b"Refund my order,bug\n"              # same text, other label: reported
        b",billing\n"                         # empty text
        b"Login fails,\n"                     # empty label
        b"Too,many,fields\n"                  # malformed row
        b"Caf\xe9 menu broken,bug\n"          # invalid UTF-8
        b"Charge twice,billing\n")
    report = import_data([csv], tmp_path / "out", task="textcat", text_field="body",
                         gold_field="topic", split="100/0/0")
    meta = _check_accounting(report)
    assert meta["counts"] == {"train": 3, "dev": 0, "test": 0}
    rejects = {r["line"]: r for r in _rejects(tmp_path / "out")}
    assert {line: r["kind"] for line, r in rejects.items()} == {
        4: "duplicate text", 5: "conflicting duplicate", 6: "empty text",
        7: "wrongly typed field", 8: "malformed record", 9: "invalid UTF-8"}
    assert "tickets.csv:2" in rejects[5]["reason"] and rejects[5]["text"] == "Refund my order"
    assert rejects[8]["text"] == "Too,many,fields"
    assert all(r["source"] == str(csv) for r in rejects.values())
    docs = _docs(tmp_path / "out")
    assert {d.text: d.cats for d in docs}["App crashes on start"] == {"billing": 0.0, "bug": 1.0}
    assert meta["labels"] == ["billing", "bug"] and meta["multi_label"] is False
    assert meta["label_counts"]["train"] == {"billing": 2, "bug": 1}


def test_jsonl_multi_label_lists_and_dicts(tmp_path):
    _need("textcat")
    path = tmp_path / "multi.jsonl"
    rows = [{"text": "Goal scored in tech cup", "labels": ["sport", "tech"]},
            {"text": "Shares rise", "labels": {"business": 1, "sport": 0}},
            {"text": "Nothing here", "labels": []},
            {"text": "Bad value", "labels": {"business": 3}},
            {"text": "Bad type", "labels": 2.5}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    report = import_data([path], tmp_path / "out", task="textcat", split="100/0/0")
    meta = _check_accounting(report)
    assert meta["multi_label"] is True and meta["exclusive"] is False
    cats = {d.text: d.cats for d in _docs(tmp_path / "out")}
    assert cats["Goal scored in tech cup"] == {"business": 0.0, "sport": 1.0, "tech": 1.0}
    assert cats["Nothing here"] == {"business": 0.0, "sport": 0.0, "tech": 0.0}
    bad = {r["line"]: r["reason"] for r in _rejects(tmp_path / "out")}
    assert "not 0/1" in bad[4] and "not a float" in bad[5]


def test_exclusive_component_rejects_records_with_several_labels(tmp_path):
    _need("sentiment")
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"text": "great", "label": "positive"}, {"text": "awful", "label": 0},
        {"text": "meh", "label": ["neutral", "negative"]}, {"label": "positive"}]) + "\n")
    report = import_data([path], tmp_path / "out", task="sentiment", split="100/0/0")
    _check_accounting(report)
    bad = {r["line"]: r for r in _rejects(tmp_path / "out")}
    assert bad[3]["kind"] == "wrong number of labels" and "exclusive" in bad[3]["reason"]
    assert bad[4]["reason"] == "missing text field 'text'"
    assert {d.text: d.cats for d in _docs(tmp_path / "out")}["awful"] == {
        "0": 1.0, "negative": 0.0, "neutral": 0.0, "positive": 0.0}


def test_tsv_and_parquet_pairs_for_summaries(tmp_path):
    _need("summarize")
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("text\tsummary\nLong article. More text here.\tLong article.\nNo summary.\t\n")
    pq.write_table(pa.table({"text": ["Another one. With two sentences.", "x"],
                             "summary": ["Another one.", None]}), tmp_path / "more.parquet")
    report = import_data([tsv, tmp_path / "more.parquet"], tmp_path / "out", task="summarize",
                         split="100/0/0")
    _check_accounting(report)
    docs = {d.text: d.user_data.get("plait.summary") for d in _docs(tmp_path / "out")}
    assert docs == {"Long article. More text here.": "Long article.",
                    "Another one. With two sentences.": "Another one."}
    bad = sorted((Path(r["source"]).name, r["line"], r["reason"]) for r in _rejects(tmp_path / "out"))
    assert bad == [("more.parquet", 2, "missing gold field ('summary' or 'target' or 'reference')"),
                   ("pairs.tsv", 3, "empty 'summary'")]


# -- character-offset spans -------------------------------------------------------------------------
SPAN_ROWS = [
    {"text": "Ada Lovelace lives in London.", "spans": [{"start": 0, "end": 12, "label": "PER"},
                                                         {"start": 22, "end": 28, "label": "LOC"}]},
    {"text": "Bob met Alice.", "entities": [[0, 3, "PER"], [8, 13, "PER"]]},          # triples
    {"text": "Paris in spring", "label": [[0, 5, "LOC"]]},                           # doccano
    {"text": "Misaligned London", "spans": [{"start": 0, "end": 4, "label": "X"}]},
    {"text": "New York City", "spans": [[0, 8, "A"], [4, 13, "B"]]},
    {"text": "Out of range", "spans": [[0, 99, "A"]]},
    {"text": "Bad span", "spans": [{"begin": 0, "label": "A"}]},
    {"text": "No entities at all.", "spans": []},
]


@pytest.mark.parametrize("align,kept", [("strict", 4), ("contract", 4), ("expand", 5)])
def test_char_spans_in_annotation_tool_shapes_and_align_modes(tmp_path, align, kept):
    _need("ner")
    path = tmp_path / "spans.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in SPAN_ROWS) + "\n")
    report = import_data([path], tmp_path / "out", task="ner", align=align, split="100/0/0")
    meta = _check_accounting(report)
    assert meta["records"]["imported"] == kept
    docs = {d.text: d for d in _docs(tmp_path / "out")}
    ents = {t: [(e.text, e.label_) for e in d.ents] for t, d in docs.items()}
    assert ents["Ada Lovelace lives in London."] == [("Ada Lovelace", "PER"), ("London", "LOC")]
    assert ents["Bob met Alice."] == [("Bob", "PER"), ("Alice", "PER")]
    assert ents["Paris in spring"] == [("Paris", "LOC")]
    # a record's other tokens are annotated O, not missing
    assert all(t.ent_iob != 0 for t in docs["No entities at all."])
    bad = {r["line"]: r for r in _rejects(tmp_path / "out")}
    assert bad[5]["kind"] == "overlapping spans" and bad[6]["kind"] == "bad span"
    assert "start and end" in bad[7]["reason"]
    if align == "strict":
        assert bad[4]["kind"] == "misaligned span" and "'Misa'" in bad[4]["reason"]
        assert "--align contract" in bad[4]["reason"]
    elif align == "contract":  # contracting 'Misa' inside one token leaves no token
        assert bad[4]["kind"] == "misaligned span" and "--align" not in bad[4]["reason"]
    else:
        assert ents["Misaligned London"] == [("Misaligned", "X")]


# -- token-per-line files ---------------------------------------------------------------------------
def test_token_files_iob1_iob2_biluo_and_docstart(tmp_path):
    _need("ner")
    conll = tmp_path / "eng.train"  # CoNLL-2003's name and IOB1 tags, 4 columns
    conll.write_text("-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\n"
                     "German JJ B-NP I-MISC\ncall NN I-NP O\n\nPeter NNP B-NP I-PER\n"
                     "Blackburn NNP I-NP I-PER\n\n-DOCSTART- -X- -X- O\n\nBRUSSELS NNP B-NP I-LOC\n")
    report = import_data([conll], tmp_path / "a", task="ner", split="100/0/0",
                         sentences_per_doc=2)
    meta = _check_accounting(report)
    assert meta["sources"][0]["format"] == "tokens" and meta["sources"][0]["scheme"] == "iob1"
    docs = _docs(tmp_path / "a")
    assert [d.text for d in docs] == ["EU rejects German call Peter Blackburn", "BRUSSELS"]
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER")]
    assert [s.text for s in docs[0].sents] == ["EU rejects German call", "Peter Blackburn"]

    iob2 = tmp_path / "wnut.iob2"
    iob2.write_text("Ann\tB-person\nsmiles\tO\n\nthen\tO\nI-person\n\nwent\tO\nhome\tI-loc\n\n"
                    "Bo\tB-person\n")
    report = import_data([iob2], tmp_path / "b", task="ner", scheme="iob2", split="100/0/0")
    _check_accounting(report)
    bad = {r["line"]: r for r in _rejects(tmp_path / "b")}
    assert bad[5]["kind"] == "malformed record" and bad[5]["text"] == "I-person"
    assert bad[8]["kind"] == "invalid tag sequence" and "'I-loc' after 'O'" in bad[8]["reason"]
    assert bad[8]["text"] == "went/O home/I-loc"

    biluo = tmp_path / "x.biluo"
    biluo.write_text("New B-LOC\nYork L-LOC\nis O\nbig O\n\nRome U-LOC\n\nNew B-LOC\nYork I-LOC\n")
    report = import_data([biluo], tmp_path / "c", task="ner", split="100/0/0")
    _check_accounting(report)
    assert [[e.text for e in d.ents] for d in _docs(tmp_path / "c")] == [["New York"], ["Rome"]]
    assert "never ends" in _rejects(tmp_path / "c")[0]["reason"] or \
        "ends inside" in _rejects(tmp_path / "c")[0]["reason"]


# -- .spacy and spaCy's JSONL -----------------------------------------------------------------------
def test_docbins_pass_through_and_docs_without_gold_are_rejected(tmp_path):
    _need("ner")
    import spacy
    from spacy.tokens import DocBin, Span

    nlp = spacy.blank("en")
    good = nlp("Ada went to Rome")
    good.set_ents([Span(good, 3, 4, "LOC")], default="outside")
    DocBin(docs=[good, nlp("No annotation at all")]).to_disk(tmp_path / "in.spacy")
    tokens = tmp_path / "tok.jsonl"  # spaCy's JSONL with tokens, and Prodigy's token objects
    tokens.write_text(json.dumps({"tokens": [{"text": "Hi", "ws": True}, {"text": "Bo"}],
                                  "entities": []}) + "\n" + json.dumps({"text": "Hi Bo",
                                                                        "entities": []}) + "\n")
    report = import_data([tmp_path / "in.spacy"], tmp_path / "out", task="ner", split="100/0/0")
    _check_accounting(report)
    docs = _docs(tmp_path / "out")
    assert [(e.text, e.label_) for e in docs[0].ents] == [("Rome", "LOC")]
    assert _rejects(tmp_path / "out")[0]["kind"] == "no gold"
    report = import_data([tokens], tmp_path / "out2", task="ner", split="100/0/0")
    assert "tokens only" in _rejects(tmp_path / "out2")[0]["reason"]


# -- splits ---------------------------------------------------------------------------------------
def test_seeded_stratified_split_and_given_splits(tmp_path):
    _need("textcat")
    path = tmp_path / "d.csv"
    lines = ["text,label"] + [f"sample text number {i},{'rare' if i % 10 == 0 else 'common'}"
                              for i in range(200)]
    path.write_text("\n".join(lines) + "\n")
    a = import_data([path], tmp_path / "a", task="textcat", seed=3)
    b = import_data([path], tmp_path / "b", task="textcat", seed=3)
    assert a.meta["counts"] == {"train": 160, "dev": 20, "test": 20}
    assert a.meta["label_counts"]["dev"] == {"common": 18, "rare": 2}  # stratified exactly
    assert [d.text for d in _docs(tmp_path / "a", "dev")] == [d.text for d in _docs(tmp_path / "b", "dev")]
    c = import_data([path], tmp_path / "c", task="textcat", seed=4)
    assert [d.text for d in _docs(tmp_path / "c", "dev")] != [d.text for d in _docs(tmp_path / "a", "dev")]

    test = tmp_path / "test.csv"
    test.write_text("text,label\nsample text number 5,common\nheld out,common\n")
    d = import_data([path], tmp_path / "d", task="textcat", test=[test], shard_size=50)
    assert d.meta["counts"]["test"] == 2  # given files are read first: their texts stay there
    assert d.meta["counts"]["train"] + d.meta["counts"]["dev"] == 199  # and not in train/dev
    assert d.meta["shards"]["train"] == 4 and len(list((tmp_path / "d" / "train").glob("*.spacy"))) == 4
    dup = [r for r in _rejects(tmp_path / "d") if r["kind"] == "duplicate text"]
    assert len(dup) == 1 and dup[0]["source"] == str(path)  # test files are read first
    with pytest.raises(DataError, match="E111"):
        import_data([path], tmp_path / "d", task="textcat")


def test_split_parsing_and_splitter():
    assert parse_split("80/10/10") == pytest.approx((0.8, 0.1, 0.1))
    assert parse_split("0.7,0.2,0.1") == pytest.approx((0.7, 0.2, 0.1))
    with pytest.raises(DataError, match="E110"):
        parse_split("80/10")
    s = Splitter((0.8, 0.1, 0.1), seed=0)
    got = [s.assign("x") for _ in range(100)]
    assert got.count("train") == 80 and got.count("dev") == 10


def test_errors_name_what_is_wrong(tmp_path):
    _need("ner")
    txt = tmp_path / "plain.txt"
    txt.write_text("just text\n")
    with pytest.raises(DataError, match=r"E108.*plain text"):
        import_data([txt], tmp_path / "o", task="ner")
    with pytest.raises(DataError, match=r"E105.*no-such-task"):
        import_data([txt], tmp_path / "o", task="no-such-task")
    with pytest.raises(DataError, match="E109"):
        import_data([txt], tmp_path / "o", task="ner", align="sideways")
    empty = tmp_path / "bad.jsonl"
    empty.write_text("{}\n")
    with pytest.raises(DataError, match=r"E115.*all 1 were rejected"):
        import_data([empty], tmp_path / "o2", task="ner")
    assert (tmp_path / "o2" / "rejects.jsonl").read_text().count("\n") == 1


def test_stats_reports_distributions_and_warns(tmp_path):
    _need("textcat")
    path = tmp_path / "d.csv"
    path.write_text("text,label\n" + "".join(f"text {i},{'a' if i < 30 else 'b'}\n" for i in range(33)))
    import_data([path], tmp_path / "out", task="textcat", split="80/10/10")
    stats = data_stats(tmp_path / "out")
    assert sum(s["docs"] for s in stats["splits"].values()) == 33
    assert stats["splits"]["train"]["words_per_doc"]["p50"] == 2
    assert any("label 'b' has only" in w for w in stats["warnings"])
    with pytest.raises(DataError, match="E113"):
        data_stats(tmp_path)


PEAK = r"""
import json, resource, sys
from plait.data.importer import import_data
n, folder = int(sys.argv[1]), sys.argv[2]
path = folder + ".jsonl"
with open(path, "w") as f:
    for i in range(n):
        f.write(json.dumps({"text": f"record {i} " + "word " * 60, "label": f"l{i % 3}"}) + "\n")
report = import_data([path], folder, task="textcat", shard_size=200)
assert report.imported == n, report.meta["records"]
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_import_streams_in_bounded_memory(tmp_path):
    """Peak memory does not grow with the input (DocBin shards of 200 docs; only the 8-byte text
    hashes accumulate): 12,000 records peak within 40 MB of 1,500. Keeping the docs would add
    ~10 KB each (~100 MB here)."""
    _need("textcat")
    import subprocess
    import sys

    def peak_kb(n: int) -> int:
        out = subprocess.run([sys.executable, "-c", PEAK, str(n), str(tmp_path / f"d{n}")],
                             capture_output=True, text=True, check=True)
        return int(out.stdout.split()[-1])

    small, large = peak_kb(1500), peak_kb(12000)
    print("peak KB", small, large)
    assert large - small < 40_000, (small, large)


def test_a_third_party_component_declares_its_own_gold(tmp_path):
    """The core names no task: a plugin's component with overlapping spans in doc.spans imports
    through the same code, with the same checks."""
    import types

    from plait.data import Gold
    from plait.plugins.hookspecs import hookimpl
    from plait.plugins.registry import PluginRegistry
    from plait.plugins.contracts import ComponentInfo, GoldInfo

    def annotate(doc, gold):
        from spacy.tokens import Span

        doc.spans["mentions"] = [Span(doc, s, e, label=label) for s, e, label in gold.spans]

    def read(doc):
        group = doc.spans.get("mentions")
        return None if group is None else Gold(spans=[(s.start, s.end, s.label_) for s in group])

    plugin = types.SimpleNamespace(register_components=hookimpl(lambda register: register(
        ComponentInfo(name="mentions", task="mentions", factory="spancat",
                      gold=GoldInfo(accepts=("spans",), fields=("mentions",), annotate=annotate,
                                    read=read, overlapping=True)))))
    registry = PluginRegistry(entry_points=False)
    registry.add_plugin(plugin, "mentions")
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({"text": "New York City", "mentions": [[0, 8, "A"], [4, 13, "B"]]})
                    + "\n" + json.dumps({"text": "x y", "mentions": [[0, 2, "A"]]}) + "\n")
    report = import_data([path], tmp_path / "out", task="mentions", split="100/0/0",
                         registry=registry)
    _check_accounting(report)
    doc = _docs(tmp_path / "out")[0]
    assert [(s.text, s.label_) for s in doc.spans["mentions"]] == [("New York", "A"), ("York City", "B")]
    assert _rejects(tmp_path / "out")[0]["kind"] == "misaligned span"
    assert report.meta["task"] == "mentions"


@pytest.mark.conll
def test_conll2003_imports_whole_with_nothing_lost(tmp_path):
    from plaittest import SHARED_CONLL

    if not (SHARED_CONLL / "eng.testb").is_file():
        pytest.skip("CoNLL-2003 is not in ../shared/data/conll2003")
    _need("ner")
    report = import_data([], tmp_path / "out", task="ner", test=[SHARED_CONLL / "eng.testb"],
                         dev=[SHARED_CONLL / "eng.testa"], sentences_per_doc=10, force=True)
    meta = _check_accounting(report)
    assert meta["sources"][0]["format"] == "tokens" and meta["sources"][0]["scheme"] == "iob1"
    assert meta["labels"] == ["LOC", "MISC", "ORG", "PER"]
    assert meta["counts"]["train"] == 0 and meta["counts"]["test"] > 300
    assert set(meta["skipped"]) <= {"duplicate text"}  # every line of the real file reads


def test_a_given_split_keeps_every_record_and_reports_duplicates_and_leaks(tmp_path):
    # a published test set keeps its size (WNUT-17's 1,287 test sentences stayed 1,280 when its
    # own duplicates were rejected): duplicates inside a given split, and its texts also in the
    # given train split, are kept and reported; the split inputs still drop duplicates of them
    _need("textcat")
    train = tmp_path / "train.csv"
    train.write_text("text,label\nshared one,a\ntrain only,b\ntrain only,b\n")
    test = tmp_path / "test.csv"
    test.write_text("text,label\nrepeated,a\nrepeated,a\nshared one,a\nfresh,b\n")
    more = tmp_path / "more.csv"
    more.write_text("text,label\nfresh,b\n" + "".join(f"extra {i},a\n" for i in range(20)))
    report = import_data([more], tmp_path / "d", task="textcat", train=[train], test=[test])
    _check_accounting(report)
    kept = report.meta["kept_duplicates"]["counts"]
    assert kept == {"duplicate inside test": 1, "duplicate inside train": 1,
                    "test text also in train": 1}
    assert report.meta["counts"]["test"] >= 4  # every record of test.csv
    given = ("repeated", "shared one", "fresh")
    assert sorted(d.text for d in _docs(tmp_path / "d", "test") if d.text in given) == [
        "fresh", "repeated", "repeated", "shared one"]
    dup = [r for r in _rejects(tmp_path / "d") if r["kind"] == "duplicate text"]
    assert [(r["source"], r["line"]) for r in dup] == [(str(more), 2)]  # the inputs' copy goes
    assert any("kept 1 x test text also in train" in line for line in report.lines())
    examples = report.meta["kept_duplicates"]["examples"]
    assert {"source": str(test), "line": 3, "kind": "duplicate inside test",
            "first": f"{test}:2"} in examples
