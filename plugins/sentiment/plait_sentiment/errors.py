"""Coded errors of plait-sentiment (``[SENTxxx]``), declared with ``plait.errors.Catalogue``."""
from __future__ import annotations

from plait.errors import Catalogue, PlaitValueError


class Errors(Catalogue, prefix="SENT"):
    SENT001 = ("Sentiment component '{name}': labels must be strings, got {label!r}.")
    SENT002 = ("Sentiment component '{name}' needs at least 2 labels, got {list}. Pass labels to "
               'initialize ([initialize.components.{name}] labels = [...]) or train on docs whose '
               'doc.cats hold at least two classes.')
    SENT003 = ("Sentiment component '{name}': none of the training examples has one of its labels {list}"
               ' in doc.cats.')
    SENT004 = ("Sentiment component '{name}': the model was built for {get_dim} labels but the component"
               ' has {n_labels}.')
    SENT005 = ("Sentiment component '{component}': {kind} '{value}' is not one of its labels {labels}. "
               '{hint}')
    SENT006 = ("Sentiment component '{component}': cannot tell which of the labels {labels} is the "
               '{missing} one (recognised names: positive/pos/1 and negative/neg/0, any case). {hint}')
    SENT007 = ("Sentiment component '{component}': the positive and negative label are both '{pos}'. "
               '{hint}')
    SENT008 = ("Sentiment component '{component}': the gold doc {doc_snippet} has doc.cats {own}: "
               '{problem}. Sentiment classes are exclusive: set exactly one of {list} to 1.0.')
    SENT009 = ('plait.sentiment.v1: the number of labels (nO) is unknown; initialize the component with '
               'labels or training examples.')
    SENT010 = ('score_sentiment: Doc._.{attr} is not set; run the sentiment component (factory '
               "'plait_sentiment') over the predicted docs first.")


SentimentError = PlaitValueError  # an error plait-sentiment raises on purpose (bad labels, data or configuration)
