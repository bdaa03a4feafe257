"""Helpers for the plait-textcat tests: small pipelines over the tiny random encoder (CPU, seconds).

A uniquely named module (not ``conftest``) so several plugins' test folders can run in one session.
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Tuple

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed

from plait.testing import LISTENER, TRANSFORMER  # noqa: F401 (re-exported)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# Words of the tiny encoder's vocabulary, so each text is a few distinct word pieces.
EXCLUSIVE_DATA: List[Tuple[str, Dict[str, float]]] = [
    ("i love this good movie", {"POS": 1.0, "NEG": 0.0, "NEWS": 0.0}),
    ("great film , love it", {"POS": 1.0, "NEG": 0.0, "NEWS": 0.0}),
    ("bad movie , i hate it", {"POS": 0.0, "NEG": 1.0, "NEWS": 0.0}),
    ("hate this bad film", {"POS": 0.0, "NEG": 1.0, "NEWS": 0.0}),
    ("the company report from london", {"POS": 0.0, "NEG": 0.0, "NEWS": 1.0}),
    ("news of the city of paris", {"POS": 0.0, "NEG": 0.0, "NEWS": 1.0}),
]

MULTI_DATA: List[Tuple[str, Dict[str, float]]] = [
    ("i love this good movie", {"FILM": 1.0, "PRAISE": 1.0}),
    ("great film , love it", {"FILM": 1.0, "PRAISE": 1.0}),
    ("bad movie , i hate it", {"FILM": 1.0, "PRAISE": 0.0}),
    ("the company report from london", {"FILM": 0.0, "PRAISE": 0.0}),
    ("good news for the city", {"FILM": 0.0, "PRAISE": 1.0}),
    ("news of paris and new york", {"FILM": 0.0, "PRAISE": 0.0}),
]


def textcat_config(exclusive: bool = True, listener: bool = True, **extra) -> Dict:
    config: Dict = {"exclusive": exclusive, **extra}
    if listener:
        config["model"] = {"@architectures": "plait.textcat.v1", "tok2vec": dict(LISTENER)}
    return config


def make_nlp(exclusive: bool = True, *, transformer: bool = True, name: str = "textcat",
             **extra) -> Language:
    """transformer (tiny-random) + plait_textcat listening to it, built by hand."""
    nlp = spacy.blank("en")
    if transformer:
        nlp.add_pipe("transformer", config=TRANSFORMER)
    nlp.add_pipe("plait_textcat", name=name,
                 config=textcat_config(exclusive, listener=transformer, **extra))
    return nlp


def make_examples(nlp: Language, data: Sequence[Tuple[str, Dict[str, float]]]) -> List[Example]:
    return [Example.from_dict(nlp.make_doc(text), {"cats": cats}) for text, cats in data]


def predicted_labels(nlp: Language, texts: Sequence[str]) -> List[List[str]]:
    return [list(doc._.categories) for doc in nlp.pipe(texts)]


def overfit(nlp: Language, examples: List[Example], *, max_steps: int = 60, learn_rate: float = 0.005,
            expected: Optional[List[List[str]]] = None):
    """Initialize and update on ``examples`` until ``expected`` is predicted (at most max_steps)."""
    fix_random_seed(0)
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = learn_rate
    texts = [eg.reference.text for eg in examples]
    losses: Dict[str, float] = {}
    for step in range(max_steps):
        losses = nlp.update(examples, sgd=optimizer)
        if expected is not None and step % 5 == 4 and predicted_labels(nlp, texts) == expected:
            break
    return losses
