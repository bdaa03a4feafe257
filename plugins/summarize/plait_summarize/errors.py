"""Errors of the summarizer (codes ``SUM0xx``, in the style of ``plait.errors``)."""
from __future__ import annotations

from plait.errors import ErrorsWithCodes, PlaitError


class Errors(metaclass=ErrorsWithCodes):
    SUM001 = ("plait_summarizer '{name}': '{key}' must be {expected}, got {value!r}.")
    SUM002 = ("plait_summarizer '{name}': the reference summary of example {index} "
              "(doc.user_data['plait.summary']) must be a string, got {type} (doc: {doc!r}).")
    SUM003 = ('[plait_summarizer] {value} sentence scores for {n_truths} sentences')
    SUM004 = ("[plait_summarizer] token vectors ({value} rows) do not match the doc's {n_doc} tokens "
              '(doc: {value2!r})')


class SummarizerConfigError(PlaitError, ValueError):
    """Invalid summarizer settings (limits, threshold)."""


class SummarizerDataError(PlaitError, ValueError):
    """Invalid gold data (e.g. a reference summary that is not a string)."""
