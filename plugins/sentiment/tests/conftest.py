"""Fixtures for the plait-sentiment tests."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `import sentiment_helpers`

from sentiment_helpers import THREE, THREE_CLASS_DATA, build_nlp, make_examples, train  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_registry():
    from plait.plugins.registry import reset_registry

    reset_registry()
    yield
    reset_registry()


@pytest.fixture(scope="module")
def trained_three():
    """A 3-class pipeline over the tiny transformer, overfitted on THREE_CLASS_DATA."""
    nlp = build_nlp()
    examples = make_examples(nlp, THREE_CLASS_DATA, THREE)
    losses = train(nlp, examples, labels=THREE)
    return nlp, losses
