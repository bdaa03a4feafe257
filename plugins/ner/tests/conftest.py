"""Fixtures for the plait-ner tests: a tiny transformer pipeline trained once per session."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# --import-mode=importlib does not put test folders on sys.path; the helpers module is named uniquely
sys.path.insert(0, str(Path(__file__).parent))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def trained_trf():
    """(nlp, examples, final losses): transformer + plait_ner overfitted on four sentences."""
    from ner_testutil import build_trf_nlp, make_examples, train

    nlp = build_trf_nlp()
    examples = make_examples(nlp)
    losses = train(nlp, examples, steps=35)
    return nlp, examples, losses
