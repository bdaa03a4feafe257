"""Coded errors of plait-textcat (``[TEXTCATxxx]``), declared with ``plait.errors.Catalogue``."""
from __future__ import annotations

from plait.errors import Catalogue, PlaitValueError


class Errors(Catalogue, prefix="TEXTCAT"):
    TEXTCAT001 = ("'{name}': thresholds given for unknown labels {unknown}; its labels are "
                  '{list}.')
    TEXTCAT002 = ("'{name}': labels must be strings, got {label!r}.")
    TEXTCAT003 = ("'{name}' is already initialized with labels {list}; cannot add "
                  "'{label}'. Pass every label to initialize() (e.g. [initialize.components.{name}] labels "
                  '= [...]) and train again.')
    TEXTCAT004 = ("'{name}': gold score of '{label}' in {describe} is {value!r}, not a "
                  'number.')
    TEXTCAT005 = ("'{name}': gold score of '{label}' in {describe} is {value}; it must be "
                  'in [0, 1].')
    TEXTCAT006 = ("'{name}' has exclusive classes, so gold scores must be 0.0 or 1.0, but "
                  '{describe} has {join}.')
    TEXTCAT007 = ("'{name}' has exclusive classes (one label per doc) but {describe} has "
                  'several positive labels: {positives}. Use exclusive = false for multi-label data.')
    TEXTCAT008 = ("'{name}' has exclusive classes but {describe} has none of its labels set"
                  ' to 1.0 (gold: {gold}).')
    TEXTCAT009 = ("'{name}' has exclusive classes and needs at least 2 labels, got "
                  '{new_labels}. Give labels in [initialize.components.{name}] or use exclusive = false.')
    TEXTCAT010 = ("'{name}' has no labels: the training examples have no doc.cats and none "
                  'were given to initialize().')
    TEXTCAT011 = ("'{name}': positive_label '{positive_label}' needs exclusive classes and "
                  'exactly 2 labels including it; labels are {new_labels}.')
    TEXTCAT012 = ("'{name}': initialize() got no examples.")
    TEXTCAT013 = ("'{name}' (zero-shot) embeds its labels with the pipeline's encoder, so "
                  "initialize() needs the pipeline: call nlp.initialize(), not the component's.")


TextcatError = PlaitValueError  # an error plait-textcat raises on purpose (bad labels, data or configuration)
