"""Plait plugin module (``plait`` entry point): declares the ``ner`` component."""
from __future__ import annotations

from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import ComponentInfo, GoldInfo

from .evaluation import evaluation_info
from .outputs import output_info
from .defaults import CONFIG, FACTORY


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
    register(ComponentInfo(
        name="ner", task="ner", factory=FACTORY, config=CONFIG,
        listener_path="model.tok2vec", needs_labels=True, needs_sentences=False, gold=GOLD,
        extensions=["Span._.confidence"],
        output=output_info(),
        evaluation=evaluation_info(),
        description="Named entities (doc.ents) from a BILUO tagger over the shared transformer, with "
                    "well-formed spans (constrained Viterbi) and calibrated span._.confidence."))
