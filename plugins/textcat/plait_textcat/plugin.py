"""Plait plugin: declares the ``textcat`` component to the composer (``plait`` entry point)."""
from __future__ import annotations

from plait.hookspecs import hookimpl
from plait.records import ComponentInfo

from .defaults import CONFIG, FACTORY
from .evaluation import evaluation_info
from .outputs import output_info


@hookimpl
def register_components(register):
    register(ComponentInfo(
        name="textcat", task="textcat", factory=FACTORY,
        config=CONFIG,
        listener_path="model.tok2vec",
        needs_labels=False,
        needs_sentences=False,
        extensions=["Doc._.categories"],
        output=output_info(),
        evaluation=evaluation_info(),
        description=("Document classification, exclusive (softmax) or multi-label (sigmoid; "
                     "options: {exclusive: false}), with per-label thresholds tuned on dev. "
                     "Writes doc.cats and doc._.categories."),
    ))
