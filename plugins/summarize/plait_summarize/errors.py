"""Errors of the summarizer (codes ``SUM0xx``, in the style of ``plait.errors``)."""
from __future__ import annotations

from plait.errors import Catalogue, PlaitValueError


class Errors(Catalogue, prefix="SUM"):
    SUM001 = ("plait_summarizer '{name}': '{key}' must be {expected}, got {value!r}.")
    SUM002 = ("plait_summarizer '{name}': the reference summary of example {index} "
              "(doc.user_data['plait.summary']) must be a string, got {type} (doc: {doc!r}).")
    SUM003 = ('{value} sentence scores for {n_truths} sentences')
    SUM004 = ("token vectors ({value} rows) do not match the doc's {n_doc} tokens "
              '(doc: {value2!r})')


SummarizerConfigError = PlaitValueError  # invalid summarizer settings (limits, threshold)
SummarizerDataError = PlaitValueError  # invalid gold data (e.g. a reference summary that is not a string)
