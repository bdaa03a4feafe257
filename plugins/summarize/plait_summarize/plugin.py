"""Plait plugin hooks of plait-summarize (the ``plait`` entry point)."""
from __future__ import annotations

from plait.hookspecs import hookimpl
from plait.records import ComponentInfo

from .evaluation import evaluation_info
from .outputs import output_info


def component_config() -> dict:
    """The ``[components.<name>]`` fragment; the composer puts the listener at ``model.tok2vec``."""
    return {
        "model": {"@architectures": "plait.summarizer.v1", "hidden_width": 64, "dropout": 0.1,
                  "tok2vec": {}},
        "max_sentences": 3,
        "ratio": 0.5,
        "max_words": None,
        "trigram_blocking": True,
        "threshold": 0.5,
        "fallback": "auto",
        "scorer": {"@scorers": "plait.summarizer_scorer.v1"},
    }


@hookimpl
def register_components(register):
    register(ComponentInfo(
        name="summarize",
        task="summarize",
        factory="plait_summarizer",
        config=component_config(),
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
