"""plait-sentiment's spaCy entry points (``spacy_entry_points``): only the defaults are read on
import, the component, model and scorer modules when used."""
from plait.plugins.component_base import spacy_entry_points

from . import defaults

make_sentiment, build_sentiment_model, make_sentiment_scorer = spacy_entry_points(
    defaults, "plait_sentiment.component:make_sentiment",
    architecture="plait_sentiment.model:build_sentiment_model",
    scorer="plait_sentiment.scoring:make_sentiment_scorer",
    doc="Create a ``SentimentClassifier`` (see ``plait_sentiment.component``).")
