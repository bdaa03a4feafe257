"""Helpers for the plait-sentiment tests: tiny pipelines built by hand, tiny training data.

(A uniquely named module, not ``conftest``, so tests can import it next to other plugins' tests.)
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from plait.testing import LISTENER, TRANSFORMER  # noqa: F401 (re-exported)


THREE = ["negative", "neutral", "positive"]


THREE_CLASS_DATA = [
    ("I love this great movie.", "positive"),
    ("Good and great, love it!", "positive"),
    ("This was bad. I hate it.", "negative"),
    ("Bad bad film, hate.", "negative"),
    ("The film is in London.", "neutral"),
    ("A report on the city.", "neutral"),
]


BINARY_DATA = [
    ("I love this great movie.", "pos"),
    ("Good and great, love it!", "pos"),
    ("What a great film, love.", "pos"),
    ("This was bad. I hate it.", "neg"),
    ("Bad bad film, hate.", "neg"),
    ("I hate this bad movie.", "neg"),
]


def build_nlp(*, transformer: bool = True, sentencizer: bool = True, name: str = "sentiment",
              config: Optional[Dict] = None):
    """sentencizer + transformer (tiny-random) + plait_sentiment with a listener, as composed."""
    import spacy

    nlp = spacy.blank("en")
    if sentencizer:
        nlp.add_pipe("sentencizer")
    cfg = dict(config or {})
    if transformer:
        nlp.add_pipe("transformer", config=TRANSFORMER)
        cfg.setdefault("model", {})["tok2vec"] = LISTENER
    nlp.add_pipe("plait_sentiment", name=name, config=cfg)
    return nlp


def make_examples(nlp, data: Iterable[Tuple[str, str]], labels: Sequence[str]) -> List:
    from spacy.training import Example

    return [Example.from_dict(nlp.make_doc(text), {"cats": {lab: float(lab == gold) for lab in labels}})
            for text, gold in data]


def train(nlp, examples, *, steps: int = 40, seed: int = 0, labels=None, learn_rate: float = 0.001):
    """Initialize and run ``steps`` full-batch updates (deterministic for a seed)."""
    from spacy.util import fix_random_seed

    fix_random_seed(seed)
    init_kwargs = {}
    if labels is not None:
        for name, _ in nlp.pipeline:
            if nlp.get_pipe_meta(name).factory == "plait_sentiment":
                init_kwargs[name] = {"labels": list(labels)}
    if init_kwargs:
        nlp.config["initialize"]["components"] = init_kwargs
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = learn_rate
    losses = {}
    for _ in range(steps):
        losses = nlp.update(examples, sgd=optimizer)
    return losses


