"""Plait plugin module (``plait`` entry point): declares the ``ner`` component."""
from __future__ import annotations

from plait.hookspecs import hookimpl
from plait.records import ComponentInfo, GoldInfo

#: The ``[components.<name>]`` fragment the composer writes; it replaces ``model.tok2vec`` with a
#: listener of the shared transformer. ``surface_features`` is on: over the uncased MiniLM encoder the
#: cased shape/prefix/suffix embeddings measured better (benchmarks/ner_surface_features.py, CoNLL-2003
#: 1,000 train / 300 dev sentences, 250 steps: dev F1 84.7 vs 83.5, ECE 0.027 vs 0.041 after tuning).
NER_CONFIG = {
    "model": {
        "@architectures": "plait.ner.v1",
        "tok2vec": {},
        "surface_features": True,
        "surface_width": 64,
        "surface_rows": [1000, 2500, 2500],
        "hidden_width": 0,
        "dropout": 0.1,
        "nO": None,
    },
    "scorer": {"@scorers": "plait.ner_scorer.v1"},
    "tune_min_entities": 10,
}


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
        name="ner", task="ner", factory="plait_ner", config=NER_CONFIG,
        listener_path="model.tok2vec", needs_labels=True, needs_sentences=False, gold=GOLD,
        extensions=["Span._.confidence"],
        description="Named entities (doc.ents) from a BILUO tagger over the shared transformer, with "
                    "well-formed spans (constrained Viterbi) and calibrated span._.confidence."))
