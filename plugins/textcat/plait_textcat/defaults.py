"""The ``plait_textcat`` component's defaults, in one place (plain data, no spaCy import).

The factory's ``default_config`` (``factory.py``) and the config fragment the ``plait`` plugin registers
for composition (``plugin.py``) are both :data:`CONFIG`; when composed, the shared transformer's listener
replaces ``model.tok2vec`` (a small CNN, so the factory also works on its own).
"""
from __future__ import annotations

from typing import Any, Dict

from plait.plugins.listener_defaults import listener_model, standalone_tok2vec

FACTORY = "plait_textcat"
ASSIGNS = ["doc.cats", "doc._.categories"]

CONFIG: Dict[str, Any] = {
    "model": listener_model("plait.textcat.v1", standalone_tok2vec(),
                            hidden_width=0,
                            dropout=0.0),
    "exclusive": True,
    "threshold": None,
    "tune_thresholds": True,
    # null, "balanced" (weights from the training data's label counts) or {label: weight}
    "class_weights": None,
    # null: a zero output layer; "fit": fitted on the frozen encoder's pooled vectors of the
    # training docs before the first step (the small-data recipe, docs/few-labels.md)
    "head_init": None,
    # weight of the pair loss on the pooled vectors (SetFit's contrastive loss); 0: none
    "pair_loss": 0.0,
    "scorer": {"@scorers": "plait.textcat_scorer.v1"},
}

SCORE_WEIGHTS: Dict[str, Any] = {
    "cats_score": 1.0,
    "cats_score_desc": None,
    "cats_micro_p": None,
    "cats_micro_r": None,
    "cats_micro_f": None,
    "cats_macro_p": None,
    "cats_macro_r": None,
    "cats_macro_f": None,
    "cats_macro_auc": None,
    "cats_f_per_type": None,
    "cats_auc_per_type": None,
}


class ZeroShot:
    """The ``plait_zeroshot_textcat`` component's defaults (``zeroshot.py``): a classifier with no
    training example, by the cosine of a text's mean-pooled vector (the shared encoder's) to each
    label's name or description; scored by the same scorer as ``plait_textcat``."""

    FACTORY = "plait_zeroshot_textcat"
    ASSIGNS = ASSIGNS
    CONFIG: Dict[str, Any] = {
        "model": listener_model("plait.zeroshot_textcat.v1", standalone_tok2vec()),
        "exclusive": True,
        # {label: short description}; a label without one is described by its name
        "descriptions": None,
        # logits = scale * cosine (exclusive: softmax over the labels; multi-label: sigmoid of
        # scale * (cosine - the text's mean cosine over the labels))
        "scale": 20.0,
        "threshold": None,
        "scorer": {"@scorers": "plait.textcat_scorer.v1"},
    }
    SCORE_WEIGHTS = SCORE_WEIGHTS
