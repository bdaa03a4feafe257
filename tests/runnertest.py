"""Tiny test pipelines for the runner tests: spaCy built-ins plus small components that write the
documented outputs (docs/components.md) the way the real Plait components do. No tests here.

Also used as a ``--code`` file by CLI subprocess tests, so factories are registered idempotently.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import List

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

SEEN_LENGTHS: List[int] = []  # token counts of docs seen by the probe (in this process)
POSITIVE = {"good", "great", "excellent", "love"}
NEGATIVE = {"bad", "awful", "terrible", "hate"}


def _polarity(tokens) -> dict:
    words = [t.lower_ for t in tokens]
    pos = sum(w in POSITIVE for w in words)
    neg = sum(w in NEGATIVE for w in words)
    pol = (pos - neg) / max(pos + neg, 1)
    scores = {"negative": max(-pol, 0.0) * 0.8 + 0.1, "neutral": 0.8 - abs(pol) * 0.7,
              "positive": max(pol, 0.0) * 0.8 + 0.1}
    total = sum(scores.values())
    scores = {k: v / total for k, v in scores.items()}
    return {"label": max(scores, key=scores.get), "scores": scores, "polarity": pol}


class ToySentiment:
    def __call__(self, doc: Doc) -> Doc:
        doc._.sentiment = _polarity(doc)
        for sent in doc.sents:
            sent._.sentiment = _polarity(sent)
        return doc


class ToyCats:
    def __call__(self, doc: Doc) -> Doc:
        words = {t.lower_ for t in doc}
        doc.cats = {"SPORTS": 0.9 if words & {"match", "goal", "team"} else 0.1,
                    "TECH": 0.9 if words & {"software", "computer", "apple"} else 0.1}
        return doc


SELECTED_KEY = "plait.summary_sents"


def _summary_sents(doc: Doc) -> List[Span]:
    return [doc[start:end] for start, end in doc.user_data.get(SELECTED_KEY, [])]


class ToySummary:
    def __call__(self, doc: Doc) -> Doc:
        sents = list(doc.sents)
        for i, sent in enumerate(sents):
            sent._.summary_score = round(len(sent) / (1.0 + i), 6)
        best = sorted(sorted(sents, key=lambda s: -s._.summary_score)[:1], key=lambda s: s.start)
        doc.user_data[SELECTED_KEY] = [(s.start, s.end) for s in best]
        doc._.summary = " ".join(s.text for s in best)
        return doc


class ToyConfidence:
    def __call__(self, doc: Doc) -> Doc:
        for ent in doc.ents:
            ent._.confidence = 0.75 if ent.label_ == "ORG" else 0.5
        return doc


class Probe:
    def __call__(self, doc: Doc) -> Doc:
        SEEN_LENGTHS.append(len(doc))
        delay = float(os.environ.get("PLAIT_TEST_DELAY", "0"))
        if delay:
            time.sleep(delay)
        if "BOOM" in doc.text:
            raise ValueError("toy component refuses BOOM")
        return doc


def _factory(name: str, assigns: List[str], cls) -> None:
    if not Language.has_factory(name):
        def make(nlp: Language, name: str):
            return cls()

        Language.factory(name, assigns=assigns, func=make)


def register() -> None:
    if not Doc.has_extension("sentiment"):
        Doc.set_extension("sentiment", default=None)
    if not Span.has_extension("sentiment"):
        Span.set_extension("sentiment", default=None)
    if not Doc.has_extension("summary"):
        Doc.set_extension("summary", default=None)
    if not Doc.has_extension("summary_sents"):  # as plait_summarize does: the two can share a process
        Doc.set_extension("summary_sents", getter=_summary_sents)
    for ext in ("summary_score", "confidence"):
        if not Span.has_extension(ext):
            Span.set_extension(ext, default=None)
    _factory("plait_test_sentiment", ["doc._.sentiment", "span._.sentiment"], ToySentiment)
    _factory("plait_test_cats", ["doc.cats"], ToyCats)
    _factory("plait_test_summary", ["doc._.summary"], ToySummary)
    _factory("plait_test_confidence", ["span._.confidence"], ToyConfidence)
    _factory("plait_test_probe", [], Probe)


register()

PATTERNS = [{"label": "ORG", "pattern": "Apple"}, {"label": "GPE", "pattern": "London"},
            {"label": "PERSON", "pattern": [{"LOWER": "alice"}, {"LOWER": "smith"}]}]


def build_pipeline(path: Path, *, ents: bool = True, sentiment: bool = True, cats: bool = True,
                   summary: bool = True) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    if ents:
        nlp.add_pipe("entity_ruler").add_patterns(PATTERNS)
        nlp.add_pipe("plait_test_confidence")
    if sentiment:
        nlp.add_pipe("plait_test_sentiment")
    if cats:
        nlp.add_pipe("plait_test_cats")
    if summary:
        nlp.add_pipe("plait_test_summary")
    nlp.add_pipe("plait_test_probe")
    nlp.to_disk(path)
    return path


CODE_FILE = Path(__file__).resolve()

TEXTS = [
    "Apple opened a store in London. The staff were great.",
    "Alice Smith hates bad software. The computer was awful.",
    "The team scored a goal in the match!",
    "Nothing much happened today.",
]


def long_text(n_words: int, seed: int = 0) -> str:
    """Paragraphs of sentences with entities, about ``n_words`` words."""
    import random

    rng = random.Random(seed)
    vocab = ["the", "market", "good", "bad", "team", "software", "report", "city", "people", "said"]
    words, paras, sents = 0, [], []
    while words < n_words:
        n = rng.randint(6, 20)
        sent = " ".join(rng.choice(vocab) for _ in range(n))
        if rng.random() < 0.3:
            sent = "Apple met Alice Smith in London and " + sent
        sents.append(sent[0].upper() + sent[1:] + ".")
        words += len(sent.split())
        if len(sents) >= rng.randint(3, 8):
            paras.append(" ".join(sents))
            sents = []
    paras.append(" ".join(sents))
    return "\n\n".join(p for p in paras if p)
