"""Plait plugin hooks of plait-summarize (the ``plait`` entry point)."""
from __future__ import annotations

from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import GoldInfo
from plait.plugins.listener_defaults import listener_component

SUMMARY_KEY = "plait.summary"

from . import defaults, evaluation, outputs


def annotate_gold(doc, gold) -> None:
    """An imported reference summary -> ``doc.user_data["plait.summary"]``."""
    doc.user_data[SUMMARY_KEY] = gold.target


def read_gold(doc):
    from plait.data import Gold

    target = doc.user_data.get(SUMMARY_KEY)
    return Gold(target=target) if isinstance(target, str) and target.strip() else None


GOLD = GoldInfo(fields=("summary", "target", "reference"),
                accepts=("pair",), annotate=annotate_gold, read=read_gold)


@hookimpl
def register_components(register):
    register(listener_component(
        defaults, outputs, evaluation,
        name="summarize", gold=GOLD, needs_labels=False, needs_sentences=True,
        extensions=["Doc._.summary", "Doc._.summary_sents", "Span._.summary_score"],
        description="Extractive summarizer: sentence scores from the shared transformer, trained "
                    "from reference summaries (doc.user_data['plait.summary']) via a greedy ROUGE "
                    "oracle; unsupervised centroid fallback until trained.",
    ))
