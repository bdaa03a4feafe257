"""The ``plait_ner`` component's defaults, in one place (plain data, no imports).

The factory's ``default_config`` (``factory.py``) and the config fragment the ``plait`` plugin registers
for composition (``plugin.py``) are both :data:`CONFIG`; when composed, the shared transformer's listener
replaces ``model.tok2vec`` (a small CNN, so the factory also works on its own).

``surface_features`` is on: over the uncased MiniLM encoder the cased shape/prefix/suffix embeddings
measured better (benchmarks/ner_surface_features.py, CoNLL-2003 1,000 train / 300 dev sentences, 250
steps: dev F1 84.7 vs 83.5, ECE 0.027 vs 0.041 after tuning).
"""
from __future__ import annotations

from typing import Any, Dict

FACTORY = "plait_ner"
ASSIGNS = ["doc.ents", "token.ent_iob", "token.ent_type", "span._.confidence"]

CONFIG: Dict[str, Any] = {
    "model": {
        "@architectures": "plait.ner.v1",
        "surface_features": True,
        "surface_width": 64,
        "surface_rows": [1000, 2500, 2500],
        "hidden_width": 0,
        "dropout": 0.1,
        "nO": None,
        "context_window": 0,
        "tok2vec": {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "pretrained_vectors": None,
            "width": 96,
            "depth": 4,
            "embed_size": 2000,
            "window_size": 1,
            "maxout_pieces": 3,
            "subword_features": True,
        },
    },
    "scorer": {"@scorers": "plait.ner_scorer.v1"},
    "tune_min_entities": 10,
    # null, "balanced" (rare labels' tokens weigh more, from the training data) or {label: weight}
    "label_weights": None,
}

SCORE_WEIGHTS: Dict[str, Any] = {"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None,
                                 "ents_ece": 0.0}
