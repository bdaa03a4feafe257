"""Plait plugin: declares the ``textcat`` component to the composer (``plait`` entry point)."""
from __future__ import annotations

from plait.hookspecs import hookimpl
from plait.records import ComponentInfo

CONFIG = {
    "exclusive": True,
    "threshold": None,
    "tune_thresholds": True,
    # null, "balanced" (weights from the training data's label counts) or {label: weight}
    "class_weights": None,
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


@hookimpl
def register_components(register):
    register(ComponentInfo(
        name="textcat", task="textcat", factory="plait_textcat",
        config=CONFIG,
        listener_path="model.tok2vec",
        needs_labels=False,
        needs_sentences=False,
        extensions=["Doc._.categories"],
        description=("Document classification, exclusive (softmax) or multi-label (sigmoid; "
                     "options: {exclusive: false}), with per-label thresholds tuned on dev. "
                     "Writes doc.cats and doc._.categories."),
    ))
