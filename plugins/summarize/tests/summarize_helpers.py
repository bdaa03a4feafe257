"""Helpers for the plait-summarize tests: tiny documents with reference summaries, pipelines."""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Tuple

import spacy
from spacy.language import Language
from spacy.training import Example

from plait.testing import LISTENER, TRANSFORMER  # noqa: F401 (re-exported)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# (document, reference summary); each doc's greedy oracle picks >= 2 of its 5 sentences.
DOCS: List[Tuple[str, str]] = [
    ("The storm hit the coast on Tuesday night. Many trees fell across the roads. Schools were closed "
     "for two days. The mayor thanked the rescue teams. Power returned by Friday.",
     "A storm hit the coast on Tuesday. Schools closed for two days."),
    ("The team won the final match. Fans celebrated in the streets until dawn. The coach praised his "
     "young players. Tickets had sold out in an hour. The trophy will be shown at the museum.",
     "Fans celebrated in the streets. The trophy will be shown at the museum."),
    ("A new library opened downtown. It holds more than ten thousand books. Children can join free "
     "reading clubs. The building uses solar panels. Visitors praised the quiet rooms.",
     "The new library holds ten thousand books and uses solar panels."),
    ("Prices of coffee rose sharply this year. Farmers blamed the dry weather. Some cafes raised their "
     "prices. Others switched to cheaper beans. Experts expect prices to fall next spring.",
     "Coffee prices rose because of dry weather; experts expect them to fall next spring."),
]


def make_examples(nlp: Language, docs=DOCS, *, sentences: bool = False) -> List[Example]:
    """Examples whose reference doc carries the summary in ``user_data["plait.summary"]``."""
    examples = []
    for text, summary in docs:
        reference = nlp.make_doc(text)
        if summary is not None:
            reference.user_data["plait.summary"] = summary
        examples.append(Example(nlp.make_doc(text), reference))
    return examples


def build_trf_nlp(summarizer_config: Optional[Dict] = None, *, sentencizer: bool = True) -> Language:
    """sentencizer + tiny-random transformer + summarizer listening to it, built by hand."""
    nlp = spacy.blank("en")
    if sentencizer:
        nlp.add_pipe("sentencizer")
    nlp.add_pipe("transformer", config=TRANSFORMER)
    config = {"model": {"@architectures": "plait.summarizer.v1", "tok2vec": LISTENER}}
    config.update(summarizer_config or {})
    nlp.add_pipe("plait_summarizer", name="summarize", config=config)
    return nlp


def train(nlp: Language, examples: List[Example], steps: int, learn_rate: float = 0.005) -> List[float]:
    from thinc.api import Adam

    nlp.initialize(lambda: examples)
    optimizer = Adam(learn_rate)
    history = []
    for _ in range(steps):
        losses = nlp.update(examples, sgd=optimizer)
        history.append(losses["summarize"])
    return history
