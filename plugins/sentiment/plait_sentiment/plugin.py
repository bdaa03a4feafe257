"""Plait plugin (``plait`` entry point): declares the ``sentiment`` component to the composer."""
from __future__ import annotations

from plait.hookspecs import hookimpl
from plait.records import ComponentInfo

SENTIMENT_CONFIG = {
    "model": {
        "@architectures": "plait.sentiment.v1",
        "hidden_width": 0,
        "dropout": 0.1,
        "tok2vec": {},
    },
    "positive_label": None,
    "negative_label": None,
    # null, "balanced" (weights from the training data's class counts) or {label: weight}
    "class_weights": None,
    "scorer": {"@scorers": "plait.sentiment_scorer.v1"},
}


@hookimpl
def register_components(register):
    register(ComponentInfo(
        name="sentiment",
        task="sentiment",
        factory="plait_sentiment",
        config=SENTIMENT_CONFIG,
        listener_path="model.tok2vec",
        needs_labels=True,
        needs_sentences=True,
        extensions=["Doc._.sentiment", "Span._.sentiment"],
        description=("Document and per-sentence sentiment (exclusive classes, e.g. negative/neutral/"
                     "positive) with a polarity in [-1, 1]; gold from doc.cats."),
    ))
