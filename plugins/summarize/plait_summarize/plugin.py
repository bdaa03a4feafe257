"""Plait plugin hooks of plait-summarize (the ``plait`` entry point)."""
from __future__ import annotations

from plait.hookspecs import hookimpl
from plait.records import ComponentInfo

from .defaults import CONFIG, FACTORY
from .evaluation import evaluation_info
from .outputs import output_info


@hookimpl
def register_components(register):
    register(ComponentInfo(
        name="summarize",
        task="summarize",
        factory=FACTORY,
        config=CONFIG,
        listener_path="model.tok2vec",
        needs_labels=False,
        needs_sentences=True,
        extensions=["Doc._.summary", "Doc._.summary_sents", "Span._.summary_score"],
        output=output_info(),
        evaluation=evaluation_info(),
        description="Extractive summarizer: sentence scores from the shared transformer, trained "
                    "from reference summaries (doc.user_data['plait.summary']) via a greedy ROUGE "
                    "oracle; unsupervised centroid fallback until trained.",
    ))
