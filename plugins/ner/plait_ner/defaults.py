"""The ``plait_ner`` component's defaults, in one place (plain data, no spaCy import).

The factory's ``default_config`` (``factory.py``) and the config fragment the ``plait`` plugin registers
for composition (``plugin.py``) are both :data:`CONFIG`; when composed, the shared transformer's listener
replaces ``model.tok2vec`` (a small CNN, so the factory also works on its own).

``surface_features`` is on: over the uncased MiniLM encoder the cased shape/prefix/suffix embeddings
measured better (benchmarks/ner_surface_features.py, CoNLL-2003 1,000 train / 300 dev sentences, 250
steps: dev F1 84.7 vs 83.5, ECE 0.027 vs 0.041 after tuning).
"""
from __future__ import annotations

from typing import Any, Dict

from plait.plugins.listener_defaults import listener_model, standalone_tok2vec

FACTORY = "plait_ner"
ASSIGNS = ["doc.ents", "token.ent_iob", "token.ent_type", "span._.confidence"]

CONFIG: Dict[str, Any] = {
    "model": listener_model("plait.ner.v1", standalone_tok2vec(width=96, depth=4),
                            surface_features=True,
                            surface_width=64,
                            surface_rows=[1000, 2500, 2500],
                            hidden_width=0,
                            dropout=0.1,
                            nO=None,
                            context_window=0),
    "scorer": {"@scorers": "plait.ner_scorer.v1"},
    "tune_min_entities": 10,
    # null, "balanced" (rare labels' tokens weigh more, from the training data) or {label: weight}
    "label_weights": None,
}

SCORE_WEIGHTS: Dict[str, Any] = {"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None,
                                 "ents_ece": 0.0}
