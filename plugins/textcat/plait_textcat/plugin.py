"""Plait plugin: declares the ``textcat`` component to the composer (``plait`` entry point)."""
from __future__ import annotations

from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import GoldInfo
from plait.plugins.listener_defaults import listener_component
from plait.data.gold import annotate_cats, read_cats
from plait.training.few_shot import small_data_options

from . import defaults, evaluation, outputs


def configure(summary):
    """Spec options for imported data: multi-label data gets independent (sigmoid) labels; a few
    examples per class get the small-data recipe (``plait.training.few_shot.small_data_options``)."""
    if summary.get("multi_label"):
        return {"exclusive": False}
    return small_data_options(summary)


GOLD = GoldInfo(fields=("label", "labels", "cats", "category", "categories"),
                accepts=("labels",), annotate=annotate_cats, read=read_cats, exclusive=None,
                configure=configure)


ZERO_SHOT = "zeroshot_textcat"


@hookimpl
def register_components(register):
    register(listener_component(
        defaults, outputs, evaluation,
        name="textcat", gold=GOLD, needs_labels=False, needs_sentences=False,
        extensions=["Doc._.categories"], zero_shot=ZERO_SHOT,
        description=("Document classification, exclusive (softmax) or multi-label (sigmoid; "
                     "options: {exclusive: false}), with per-label thresholds tuned on dev. "
                     "Writes doc.cats and doc._.categories."),
    ))
    # no gold of its own (`plait data import --task textcat` stays unambiguous): it reads labels
    # from the spec, its descriptions or the data's doc.cats, and learns nothing from them
    register(listener_component(
        defaults.ZeroShot, outputs, evaluation,
        name=ZERO_SHOT, task="textcat", needs_labels=False, needs_sentences=False,
        extensions=["Doc._.categories"],
        description=("Zero-shot document classification: the cosine of a text's mean-pooled "
                     "vector to each label's name or description (options: {descriptions: "
                     "{label: text}, scale: 20, exclusive: false}); no training example needed. "
                     "Writes doc.cats and doc._.categories, scored as textcat."),
    ))
