"""Plait plugin (``plait`` entry point): declares the ``sentiment`` component to the composer."""
from __future__ import annotations

from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import GoldInfo
from plait.plugins.listener_defaults import listener_component
from plait.data.gold import annotate_cats, read_cats
from plait.training.few_shot import small_data_options

from . import defaults, evaluation, outputs


GOLD = GoldInfo(fields=("label", "labels", "cats", "sentiment"),
                accepts=("labels",), annotate=annotate_cats, read=read_cats, exclusive=True,
                # a few examples per class get the small-data recipe (head_init, pair_loss)
                configure=small_data_options)


@hookimpl
def register_components(register):
    register(listener_component(
        defaults, outputs, evaluation,
        name="sentiment", gold=GOLD, needs_labels=True, needs_sentences=True,
        extensions=["Doc._.sentiment", "Span._.sentiment"],
        description=("Document and per-sentence sentiment (exclusive classes, e.g. negative/neutral/"
                     "positive) with a polarity in [-1, 1]; gold from doc.cats."),
    ))
