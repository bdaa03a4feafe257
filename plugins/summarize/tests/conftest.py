"""Fixtures for the plait-summarize tests (helpers live in ``summarize_helpers``)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, List, Tuple

import pytest
import spacy
from spacy.language import Language

sys.path.insert(0, str(Path(__file__).resolve().parent))  # test helpers, whatever the import mode

from summarize_helpers import build_trf_nlp, make_examples, train


@pytest.fixture(autouse=True)
def _fresh_registry():
    from plait.plugins.registry import reset_registry

    reset_registry()
    yield
    reset_registry()


@pytest.fixture(scope="session")
def trained_trf_nlp() -> Tuple[Language, List[float]]:
    """The hand-built transformer pipeline overfit on DOCS (trained once per session)."""
    from plait.plugins.registry import reset_registry

    reset_registry()
    nlp = build_trf_nlp()
    history = train(nlp, make_examples(nlp), steps=30)
    return nlp, history


@pytest.fixture
def blank_summarizer() -> Callable[..., Language]:
    def make(**config) -> Language:
        nlp = spacy.blank("en")
        nlp.add_pipe("plait_summarizer", config=config)
        return nlp

    return make
