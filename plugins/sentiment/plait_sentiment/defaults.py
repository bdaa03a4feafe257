"""The ``plait_sentiment`` component's defaults, in one place (plain data, no spaCy import).

The factory's ``default_config`` (``factory.py``) and the config fragment the ``plait`` plugin registers
for composition (``plugin.py``) are both :data:`CONFIG`; when composed, the shared transformer's
listener replaces ``model.tok2vec`` (a small CNN, so the factory also works on its own).
"""
from __future__ import annotations

from typing import Any, Dict

from plait.plugins.listener_defaults import listener_model, standalone_tok2vec

FACTORY = "plait_sentiment"
ASSIGNS = ["doc._.sentiment", "span._.sentiment"]

CONFIG: Dict[str, Any] = {
    "model": listener_model("plait.sentiment.v1", standalone_tok2vec(),
                            hidden_width=0,
                            dropout=0.1),
    "positive_label": None,
    "negative_label": None,
    # null, "balanced" (weights from the training data's class counts) or {label: weight}
    "class_weights": None,
    # null: the output layer as thinc initializes it; "fit": fitted on the frozen encoder's pooled
    # vectors of the training docs before the first step (the small-data recipe)
    "head_init": None,
    # weight of the pair loss on the docs' pooled vectors (SetFit's contrastive loss); 0: none
    "pair_loss": 0.0,
    "scorer": {"@scorers": "plait.sentiment_scorer.v1"},
}

SCORE_WEIGHTS: Dict[str, Any] = {
    "sentiment_macro_f": 1.0,
    "sentiment_acc": 0.0,
    "sentiment_macro_p": 0.0,
    "sentiment_macro_r": 0.0,
    "sentiment_f_per_type": None,
}
