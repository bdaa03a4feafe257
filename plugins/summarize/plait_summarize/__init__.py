"""plait-summarize: an extractive summarizer for Plait pipelines.

The spaCy factory (``plait_summarizer``), architecture (``plait.summarizer.v1``) and scorer
(``plait.summarizer_scorer.v1``) are declared through spaCy's entry points; the Plait component record
(``summarize``) through the ``plait`` entry point. Importing this package registers nothing by itself.
"""

__version__ = "0.1.0"

SUMMARY_KEY = "plait.summary"
"""``doc.user_data`` key of the reference summary text on gold (reference) docs."""
