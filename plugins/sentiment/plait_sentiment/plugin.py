"""Plait plugin (``plait`` entry point): declares the ``sentiment`` component to the composer."""
from __future__ import annotations

from plait.hookspecs import hookimpl
from plait.records import ComponentInfo

from .defaults import CONFIG, FACTORY
from .evaluation import evaluation_info
from .outputs import output_info


@hookimpl
def register_components(register):
    register(ComponentInfo(
        name="sentiment",
        task="sentiment",
        factory=FACTORY,
        config=CONFIG,
        listener_path="model.tok2vec",
        needs_labels=True,
        needs_sentences=True,
        extensions=["Doc._.sentiment", "Span._.sentiment"],
        output=output_info(),
        evaluation=evaluation_info(),
        description=("Document and per-sentence sentiment (exclusive classes, e.g. negative/neutral/"
                     "positive) with a polarity in [-1, 1]; gold from doc.cats."),
    ))
