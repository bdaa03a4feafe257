"""spaCy entry points of plait-sentiment (``spacy_factories``, ``spacy_architectures``,
``spacy_scorers``): tiny on purpose.

spaCy imports this module whenever any ``Language`` is made, so it imports only spaCy and the defaults;
the component, model and scorer modules are imported when the factory runs or the name is resolved.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from spacy.language import Language

from plait.plugins.lazy import lazy

from .defaults import ASSIGNS, CONFIG, FACTORY, SCORE_WEIGHTS

build_sentiment_model = lazy("plait_sentiment.model:build_sentiment_model")
make_sentiment_scorer = lazy("plait_sentiment.scoring:make_sentiment_scorer")


@Language.factory(FACTORY, assigns=ASSIGNS, default_config=CONFIG,
                  default_score_weights=SCORE_WEIGHTS)
def make_sentiment(nlp: Language, name: str, model: Any, positive_label: Optional[str],
                   negative_label: Optional[str], scorer: Optional[Callable],
                   class_weights: Any = None) -> Any:
    """Create a ``SentimentClassifier`` (see ``plait_sentiment.component``)."""
    from .component import make_sentiment as make

    return make(nlp, name, model, positive_label, negative_label, scorer, class_weights)
