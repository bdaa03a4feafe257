"""spaCy entry points of plait-textcat (``spacy_factories``, ``spacy_architectures``,
``spacy_scorers``): tiny on purpose.

spaCy imports this module whenever any ``Language`` is made, so it imports only spaCy and the defaults;
the component, model and scorer modules are imported when the factory runs or the name is resolved.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from spacy.language import Language

from plait.plugins.lazy import lazy

from .defaults import ASSIGNS, CONFIG, FACTORY, SCORE_WEIGHTS

build_textcat_model = lazy("plait_textcat.model:build_textcat_model")
make_textcat_scorer = lazy("plait_textcat.scoring:make_textcat_scorer")


@Language.factory(FACTORY, assigns=ASSIGNS, default_config=CONFIG,
                  default_score_weights=SCORE_WEIGHTS)
def make_textcat(nlp: Language, name: str, model: Any, exclusive: bool, threshold: Optional[float],
                 tune_thresholds: bool, scorer: Optional[Callable], class_weights: Any = None) -> Any:
    """Create a ``plait_textcat`` component (see ``plait_textcat.component.make_textcat``)."""
    from .component import make_textcat as make

    return make(nlp, name, model, exclusive, threshold, tune_thresholds, scorer, class_weights)
