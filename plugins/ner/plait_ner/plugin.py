"""Plait plugin module (``plait`` entry point): declares the ``ner`` component."""
from __future__ import annotations

from plait.hookspecs import hookimpl
from plait.records import ComponentInfo

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
    # null, "balanced" (rare labels' tokens weigh more, from the training data) or {label: weight}
    "label_weights": None,
}


@hookimpl
def register_components(register):
    register(ComponentInfo(
        name="ner", task="ner", factory="plait_ner", config=NER_CONFIG,
        listener_path="model.tok2vec", needs_labels=True, needs_sentences=False,
        extensions=["Span._.confidence"],
        description="Named entities (doc.ents) from a BILUO tagger over the shared transformer, with "
                    "well-formed spans (constrained Viterbi) and calibrated span._.confidence."))
