"""Plait sentiment component (``plait_sentiment`` factory).

Importing this package has no side effects: spaCy finds the factory, architecture and scorer through
the ``spacy_factories`` / ``spacy_architectures`` / ``spacy_scorers`` entry points, Plait finds the
component record through the ``plait`` entry point, and the ``Doc``/``Span`` extensions are installed by
the factory.
"""

__version__ = "0.1.0"
