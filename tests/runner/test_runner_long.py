"""Long documents: segments of bounded size, merged with offsets corrected; token-budget batches."""
from __future__ import annotations

import os
import resource
import time

import pytest

import plait
import runnertest as support
from plait.runner.batching import BatchOptions, Unit, batches_from_window, make_batches
from plait.runtime.outputs import merge_segments
from plait.runner.segment import estimate_tokens, split_text


@pytest.fixture(scope="module")
def nlp(tmp_path_factory):
    return plait.load(support.build_pipeline(tmp_path_factory.mktemp("long") / "m"))


def test_split_text_covers_everything_with_bounded_segments():
    text = support.long_text(5000, seed=1)
    spans, cuts = split_text(text, 300)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))  # contiguous: nothing dropped
    assert all(estimate_tokens(text[s:e]) <= 300 for s, e in spans)
    assert cuts == []  # sentences are short: every cut falls between sentences
    assert all(text[:s].rstrip().endswith(".") for s, _ in spans[1:])


def test_split_text_cuts_inside_sentences_only_when_it_must():
    text = "word " * 1000 + "end."
    spans, cuts = split_text(text, 100)
    assert "".join(text[s:e] for s, e in spans) == text
    assert cuts and cuts == [s for s, _ in spans[1:]]
    blob = "x" * 5000  # no whitespace at all
    spans, cuts = split_text(blob, 100)
    assert "".join(blob[s:e] for s, e in spans) == blob and len(spans) > 1


def test_batches_respect_the_token_budget_and_sort_by_length():
    units = [Unit(i, 0, 0, "w " * n, n) for i, n in enumerate([5, 50, 3, 40, 7, 30, 2, 45])]
    batches = batches_from_window(units, BatchOptions(batch_size=3, max_batch_tokens=60))
    assert sorted(u.seq for b in batches for u in b) == list(range(8))
    assert all(len(b) <= 3 and (sum(u.tokens for u in b) <= 60 or len(b) == 1) for b in batches)
    lengths = [u.tokens for b in batches for u in b]
    assert lengths == sorted(lengths)
    windows = list(make_batches(iter(units), BatchOptions(max_batch_tokens=20, buffer_tokens=60)))
    assert sorted(u.seq for b in windows for u in b) == list(range(8))


def test_long_document_is_processed_in_bounded_segments_and_merged(nlp):
    text = support.long_text(20_000, seed=2)
    support.SEEN_LENGTHS.clear()
    (result,) = plait.process(nlp, [{"id": "long", "text": text}], segment_tokens=500,
                              max_batch_tokens=2000)
    # bounded memory: no doc the pipeline saw is larger than about one segment
    assert support.SEEN_LENGTHS and max(support.SEEN_LENGTHS) <= 600
    assert result.segments == len(support.SEEN_LENGTHS) > 20
    assert not result.truncated
    # entities from every segment, offsets in the original text
    assert all(text[e.start:e.end] == e.text for e in result.entities)
    assert result.entities[-1].start > len(text) * 0.9
    assert len(result.entities) == 3 * text.count("Apple met Alice Smith in London")
    starts = [e.start for e in result.entities]
    assert starts == sorted(starts)
    # sentiment: per-sentence list for the whole text, doc scores a distribution
    assert result.sentiment.sentences[-1].end > len(text) - 50
    assert abs(sum(result.sentiment.scores.values()) - 1) < 1e-6
    # summary: as many sentences as a segment summary (1), chosen over all segments
    assert result.summary and result.summary in text
    assert set(result.categories) == {"SPORTS", "TECH"}


def test_segmented_and_whole_results_agree_for_local_outputs(nlp):
    text = support.long_text(3000, seed=3)
    (whole,) = plait.process(nlp, [text], segment_tokens=100_000, max_batch_tokens=100_000)
    (parts,) = plait.process(nlp, [text], segment_tokens=300)
    assert whole.segments == 1 and parts.segments > 5
    assert [(e.start, e.end, e.label) for e in parts.entities] == [
        (e.start, e.end, e.label) for e in whole.entities]
    assert [(s.start, s.end) for s in parts.sentiment.sentences] == [
        (s.start, s.end) for s in whole.sentiment.sentences]


def test_merge_weights_by_length_and_shifts_offsets():
    """Segments as workers send them (values read by the built-in contracts) merge through each
    contract: spans shifted, scores and polarity weighted by length, the best-scored sentences."""
    views = {"entities": ["spans", "ner"], "sentiment": ["sentence-polarity", "sentiment"],
             "categories": ["scores", "textcat"], "summary": ["extract", "summarize"]}
    seg = lambda length, pol, cats, ents: {  # noqa: E731
        "length": length, "warnings": [], "truncated": False, "views": views, "outputs": {
            "entities": ents, "categories": cats,
            "sentiment": {"label": "x", "scores": {"pos": (1 + pol) / 2, "neg": (1 - pol) / 2},
                          "polarity": pol, "sentences": [{"start": 0, "end": 5, "label": "x",
                                                          "scores": {}, "polarity": pol}]},
            "summary": {"summary": "S.", "chosen": [(0, 2)], "scored": [(0, 2, pol)]}}}
    text = "S. a." + " " * 295 + "T. b."
    merged = merge_segments([(0, seg(100, 1.0, {"A": 1.0}, [{"text": "S", "label": "L", "start": 0,
                                                              "end": 1, "confidence": None}])),
                             (300, seg(300, -1.0, {"A": 0.0}, []))], text)
    assert merged["sentiment"]["polarity"] == pytest.approx(-0.5)
    assert merged["sentiment"]["label"] == "neg"
    assert merged["categories"] == {"A": pytest.approx(0.25)}
    assert merged["sentiment"]["sentences"][1]["start"] == 300
    assert merged["entities"][0]["start"] == 0 and merged["segments"] == 2
    assert merged["summary"] == "S."  # the best-scored sentence over both segments


@pytest.mark.skipif(not os.environ.get("PLAIT_BENCH"), reason="benchmark: set PLAIT_BENCH=1")
def test_benchmark_200k_word_document(nlp, tmp_path):
    text = support.long_text(200_000, seed=4)
    support.SEEN_LENGTHS.clear()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    (result,) = plait.process(nlp, [text])
    seconds = time.perf_counter() - t0
    peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"\n200k words: {seconds:.1f}s, {result.segments} segments, {len(result.entities)} "
          f"entities, peak RSS growth {peak_mb:.0f} MB, largest segment {max(support.SEEN_LENGTHS)} "
          "tokens")
    assert max(support.SEEN_LENGTHS) <= 2500 and all(text[e.start:e.end] == e.text
                                                     for e in result.entities)
