"""spaCy entry points of plait-summarize (``spacy_factories``, ``spacy_architectures``,
``spacy_scorers``): tiny on purpose.

spaCy imports this module whenever any ``Language`` is made, so it imports only spaCy and the defaults;
the component, model and scorer modules (and rouge-score) are imported when the factory runs or the
name is resolved.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from spacy.language import Language

from plait.plugins.lazy import lazy

from .defaults import ASSIGNS, CONFIG, FACTORY, SCORE_WEIGHTS

build_summarizer_model = lazy("plait_summarize.model:build_summarizer_model")
make_summarizer_scorer = lazy("plait_summarize.scoring:make_summarizer_scorer")


@Language.factory(FACTORY, assigns=ASSIGNS, default_config=CONFIG,
                  default_score_weights=SCORE_WEIGHTS)
def make_summarizer(nlp: Language, name: str, model: Any, max_sentences: Optional[int], ratio: float,
                    max_words: Optional[int], trigram_blocking: bool, threshold: Optional[float],
                    fallback: str, scorer: Optional[Callable]) -> Any:
    """Create a ``Summarizer`` (see ``plait_summarize.component`` for the settings)."""
    from .component import make_summarizer as make

    return make(nlp, name, model, max_sentences, ratio, max_words, trigram_blocking, threshold,
                fallback, scorer)
