"""plait-ner: a trainable NER component for Plait pipelines (spaCy factory ``plait_ner``).

Importing this package has no side effects; spaCy finds the factory, architecture and scorer through
entry points, and Plait finds the component record through the ``plait`` entry point.
"""
__version__ = "0.1.0"
