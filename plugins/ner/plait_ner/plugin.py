"""Plait plugin module (``plait`` entry point): declares the ``ner`` component."""
from __future__ import annotations

from plait.hookspecs import hookimpl
from plait.records import ComponentInfo

from .defaults import CONFIG, FACTORY
from .evaluation import evaluation_info
from .outputs import output_info


@hookimpl
def register_components(register):
    register(ComponentInfo(
        name="ner", task="ner", factory=FACTORY, config=CONFIG,
        listener_path="model.tok2vec", needs_labels=True, needs_sentences=False,
        extensions=["Span._.confidence"],
        output=output_info(),
        evaluation=evaluation_info(),
        description="Named entities (doc.ents) from a BILUO tagger over the shared transformer, with "
                    "well-formed spans (constrained Viterbi) and calibrated span._.confidence."))
