"""plait-textcat: trainable text classification for Plait pipelines.

Factory ``plait_textcat``, architecture ``plait.textcat.v1`` and scorer ``plait.textcat_scorer.v1`` are
declared through spaCy's entry points; the Plait component record through the ``plait`` entry point.
Importing this package does nothing else.
"""

__version__ = "0.1.0"
