"""Plait plugin hooks of plait-summarize (the ``plait`` entry point)."""
from __future__ import annotations

from plait.hookspecs import hookimpl
from plait.records import ComponentInfo, GoldInfo

SUMMARY_KEY = "plait.summary"


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
    register(ComponentInfo(
        name="summarize",
        task="summarize",
        factory="plait_summarizer",
        config=component_config(),
        listener_path="model.tok2vec",
        gold=GOLD,
        needs_labels=False,
        needs_sentences=True,
        extensions=["Doc._.summary", "Doc._.summary_sents", "Span._.summary_score"],
        description="Extractive summarizer: sentence scores from the shared transformer, trained "
                    "from reference summaries (doc.user_data['plait.summary']) via a greedy ROUGE "
                    "oracle; unsupervised centroid fallback until trained.",
    ))
