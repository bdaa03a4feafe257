"""Fixtures for the plait-textcat tests (helpers live in ``textcat_testutil``)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Test folders are not always on sys.path (--import-mode=importlib); the helpers module is named
# uniquely so it cannot clash with another plugin's.
sys.path.insert(0, str(Path(__file__).parent))

from textcat_testutil import EXCLUSIVE_DATA, MULTI_DATA, make_examples, make_nlp, overfit


@pytest.fixture(scope="session")
def trained_exclusive():
    nlp = make_nlp(exclusive=True)
    examples = make_examples(nlp, EXCLUSIVE_DATA)
    expected = [[max(cats, key=cats.get)] for _, cats in EXCLUSIVE_DATA]
    overfit(nlp, examples, expected=expected)
    return nlp


@pytest.fixture(scope="session")
def trained_multilabel():
    nlp = make_nlp(exclusive=False)
    examples = make_examples(nlp, MULTI_DATA)
    expected = [[k for k, v in cats.items() if v == 1.0] for _, cats in MULTI_DATA]
    overfit(nlp, examples, expected=expected)
    return nlp
