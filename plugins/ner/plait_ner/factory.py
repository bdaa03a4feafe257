"""spaCy entry points of plait-ner (``spacy_factories``, ``spacy_architectures``, ``spacy_scorers``):
tiny on purpose.

spaCy imports this module whenever any ``Language`` is made, so it imports only spaCy and the defaults;
the component, model and scorer modules are imported when the factory runs or the name is resolved.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from spacy.language import Language

from plait.plugins.lazy import lazy

from .defaults import ASSIGNS, CONFIG, FACTORY, SCORE_WEIGHTS

build_ner_model = lazy("plait_ner.model:build_ner_model")
make_ner_scorer = lazy("plait_ner.scoring:make_ner_scorer")


@Language.factory(FACTORY, assigns=ASSIGNS, default_config=CONFIG,
                  default_score_weights=SCORE_WEIGHTS)
def make_ner(nlp: Language, name: str, model: Any, scorer: Optional[Callable],
             tune_min_entities: int, label_weights: Any = None) -> Any:
    """Create a ``PlaitNER`` component (see ``plait_ner.component``)."""
    from .component import make_ner as make

    return make(nlp, name, model, scorer, tune_min_entities, label_weights)
