"""Shared data and helpers for the plait-ner tests (imported by name; not a conftest)."""
from __future__ import annotations

from pathlib import Path

from plait.testing import LISTENER, TRANSFORMER  # noqa: F401 (re-exported)


FIXTURES = Path(__file__).parent / "fixtures"


TRAIN = [
    ("John lives in London .", [(0, 4, "PER"), (14, 20, "LOC")]),
    ("Mary visited Paris yesterday .", [(0, 4, "PER"), (13, 18, "LOC")]),
    ("The company is in New York .", [(18, 26, "LOC")]),
    ("Paris loves John .", [(0, 5, "LOC"), (12, 16, "PER")]),
]


def make_examples(nlp, data=TRAIN):
    from spacy.training import Example

    return [Example.from_dict(nlp.make_doc(text), {"entities": ents}) for text, ents in data]


def build_trf_nlp(**model_options):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("transformer", config=TRANSFORMER)
    nlp.add_pipe("plait_ner", name="ner", config={"model": {"tok2vec": LISTENER, **model_options}})
    return nlp


def train(nlp, examples, steps=40, seed=0):
    from spacy.util import fix_random_seed

    fix_random_seed(seed)
    optimizer = nlp.initialize(lambda: examples)
    losses = {}
    for _ in range(steps):
        losses = {}
        nlp.update(examples, sgd=optimizer, losses=losses, drop=0.0)
    return losses
