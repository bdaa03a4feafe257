"""Plait plugin: declares the ``textcat`` component to the composer (``plait`` entry point)."""
from __future__ import annotations

from plait.hookspecs import hookimpl
from plait.records import ComponentInfo, GoldInfo

CONFIG = {
    "exclusive": True,
    "threshold": None,
    "tune_thresholds": True,
    "model": {
        "@architectures": "plait.textcat.v1",
        "hidden_width": 0,
        "dropout": 0.0,
        # Replaced by the shared transformer's listener when composed (listener_path).
        "tok2vec": {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "pretrained_vectors": None,
            "width": 64,
            "depth": 2,
            "embed_size": 2000,
            "window_size": 1,
            "maxout_pieces": 3,
            "subword_features": True,
        },
    },
    "scorer": {"@scorers": "plait.textcat_scorer.v1"},
}


def annotate_gold(doc, gold) -> None:
    """Imported labels (label -> 0.0/1.0 over every label of the data) -> ``doc.cats``."""
    doc.cats = dict(gold.labels)


def read_gold(doc):
    from plait.data import Gold

    return Gold(labels=dict(doc.cats)) if doc.cats else None


def configure(summary):
    """Spec options for imported data: multi-label data gets independent (sigmoid) labels."""
    return {"exclusive": False} if summary.get("multi_label") else {}


GOLD = GoldInfo(fields=("label", "labels", "cats", "category", "categories"),
                accepts=("labels",), annotate=annotate_gold, read=read_gold, exclusive=None,
                configure=configure)


@hookimpl
def register_components(register):
    register(ComponentInfo(
        name="textcat", task="textcat", factory="plait_textcat",
        config=CONFIG,
        listener_path="model.tok2vec",
        gold=GOLD,
        needs_labels=False,
        needs_sentences=False,
        extensions=["Doc._.categories"],
        description=("Document classification, exclusive (softmax) or multi-label (sigmoid; "
                     "options: {exclusive: false}), with per-label thresholds tuned on dev. "
                     "Writes doc.cats and doc._.categories."),
    ))
