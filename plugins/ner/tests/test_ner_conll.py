"""The CoNLL reader on small fixtures: IOB1 and IOB2, and errors that name the file and line."""
from __future__ import annotations

import pytest
from spacy.vocab import Vocab

from ner_testutil import FIXTURES
from plait_ner.conll import iob_to_spans, iter_sentences, read_conll
from plait_ner.errors import ConllFormatError


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


def test_reads_iob1_with_docstart_and_adjacent_entities():
    docs = read_conll(FIXTURES / "tiny_iob1.conll")
    assert [d.text for d in docs] == ["EU rejects German call .", "Peter Blackburn",
                                      "John Mary Smith met in New York ."]
    assert ents(docs[0]) == [("EU", "ORG"), ("German", "MISC")]
    assert ents(docs[1]) == [("Peter Blackburn", "PER")]
    # I-PER B-PER I-PER: two adjacent PER entities
    assert ents(docs[2]) == [("John", "PER"), ("Mary Smith", "PER"), ("New York", "LOC")]
    # every token is annotated (entity or O): no missing NER
    assert all(t.ent_iob_ in ("B", "I", "O") for d in docs for t in d)
    assert docs[0][1].ent_iob_ == "O"


def test_reads_iob2_in_both_modes():
    strict = read_conll(FIXTURES / "tiny_iob2.conll", scheme="iob2")
    lenient = read_conll(FIXTURES / "tiny_iob2.conll", scheme="iob1")
    assert [ents(d) for d in strict] == [ents(d) for d in lenient]
    assert ents(strict[1]) == [("John", "PER"), ("Mary Smith", "PER"), ("New York", "LOC")]


def test_limit_and_shared_vocab():
    vocab = Vocab()
    docs = read_conll(FIXTURES / "tiny_iob1.conll", vocab, limit=2)
    assert len(docs) == 2 and all(d.vocab is vocab for d in docs)


def test_iob_to_spans():
    assert iob_to_spans(["I-PER", "I-PER", "O", "I-LOC", "I-ORG"]) == [
        (0, 2, "PER"), (3, 4, "LOC"), (4, 5, "ORG")]
    assert iob_to_spans(["B-PER", "I-PER", "B-PER"], scheme="iob2") == [(0, 2, "PER"), (2, 3, "PER")]
    assert iob_to_spans([]) == []
    with pytest.raises(ValueError, match="unknown scheme"):
        iob_to_spans(["O"], scheme="bilou")


def test_invalid_iob2_names_file_and_line():
    path = FIXTURES / "bad_iob2.conll"
    with pytest.raises(ConllFormatError) as err:
        read_conll(path, scheme="iob2")
    assert f"{path}:4:" in str(err.value) and "I-MISC" in str(err.value)
    assert err.value.line == 4
    # the same file is valid IOB1
    assert ents(read_conll(path)[1]) == [("German", "MISC")]


@pytest.mark.parametrize("name,line,needle", [("bad_tag.conll", 3, "X-PER"),
                                               ("bad_columns.conll", 2, "tag column")])
def test_malformed_lines_name_file_and_line(name, line, needle):
    path = FIXTURES / name
    with pytest.raises(ConllFormatError, match=needle) as err:
        list(iter_sentences(path))
    assert str(err.value).startswith(f"[NER010] {path}:{line}:")


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="nope.conll"):
        read_conll(FIXTURES / "nope.conll")
