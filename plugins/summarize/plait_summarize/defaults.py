"""The ``plait_summarizer`` component's defaults, in one place (plain data, no spaCy import).

The factory's ``default_config`` (``factory.py``) and the config fragment the ``plait`` plugin registers
for composition (``plugin.py``) are both :data:`CONFIG`; when composed, the shared transformer's listener
replaces ``model.tok2vec`` (a small CNN, so the factory also works on its own).
"""
from __future__ import annotations

from typing import Any, Dict

from plait.plugins.listener_defaults import listener_model, standalone_tok2vec

FACTORY = "plait_summarizer"
ASSIGNS = ["doc._.summary", "doc._.summary_sents", "span._.summary_score"]

#: The selection settings (see ``plait_summarize.component.Summarizer``).
SETTINGS: Dict[str, Any] = {
    "max_sentences": 3,
    "ratio": 0.5,
    "max_words": None,
    "trigram_blocking": True,
    "threshold": 0.5,
    "fallback": "auto",
}

CONFIG: Dict[str, Any] = {
    "model": listener_model("plait.summarizer.v1", standalone_tok2vec(),
                            hidden_width=64,
                            dropout=0.1),
    **SETTINGS,
    "scorer": {"@scorers": "plait.summarizer_scorer.v1"},
}

SCORE_WEIGHTS: Dict[str, Any] = {
    "summary_rouge1": 0.3,
    "summary_rouge2": 0.4,
    "summary_rougeL": 0.3,
    "summary_lead3_rouge1": 0.0,
    "summary_lead3_rouge2": 0.0,
    "summary_lead3_rougeL": 0.0,
}
