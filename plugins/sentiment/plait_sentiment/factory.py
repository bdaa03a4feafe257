"""plait-sentiment's spaCy entry points (``spacy_factories``, ``spacy_architectures``, ``spacy_scorers``).

Imported by spaCy whenever a ``Language`` is made, so only the defaults are read here: the
component, model and scorer modules are imported when the factory runs or the name is resolved
(see ``plait.plugins.component_base.register_factory`` and ``plait.plugins.lazy``).
"""
from plait.plugins.component_base import lazy, register_factory

from . import defaults

build_sentiment_model = lazy("plait_sentiment.model:build_sentiment_model")
make_sentiment_scorer = lazy("plait_sentiment.scoring:make_sentiment_scorer")
make_sentiment = register_factory(defaults, "plait_sentiment.component:make_sentiment",
                                  doc="Create a ``SentimentClassifier`` (see ``plait_sentiment.component``).")
