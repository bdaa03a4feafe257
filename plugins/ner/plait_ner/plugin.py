"""Plait plugin module (``plait`` entry point): declares the ``ner`` component."""
from __future__ import annotations

from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import GoldInfo
from plait.plugins.listener_defaults import listener_component

from . import defaults, evaluation, outputs


def annotate_gold(doc, gold) -> None:
    """Imported spans -> ``doc.ents``; every other token of an imported record is ``O`` (annotated)."""
    from spacy.tokens import Span

    doc.set_ents([Span(doc, start, end, label=label) for start, end, label in gold.spans],
                 default="outside")


def read_gold(doc):
    """The entities of a doc with NER annotation (any token with ``ent_iob != 0``), else None."""
    from plait.data import Gold

    if not any(token.ent_iob != 0 for token in doc):
        return None
    return Gold(spans=[(ent.start, ent.end, ent.label_) for ent in doc.ents])


GOLD = GoldInfo(fields=("entities", "spans", "label", "labels"),
                accepts=("spans",), annotate=annotate_gold, read=read_gold, overlapping=False)


@hookimpl
def register_components(register):
    register(listener_component(
        defaults, outputs, evaluation,
        name="ner", needs_labels=True, needs_sentences=False, gold=GOLD,
        extensions=["Span._.confidence"],
        description="Named entities (doc.ents) from a BILUO tagger over the shared transformer, with "
                    "well-formed spans (constrained Viterbi) and calibrated span._.confidence."))
