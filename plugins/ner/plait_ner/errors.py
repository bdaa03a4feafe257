"""Coded errors of plait-ner (``[NERxxx]``), in the style of spaCy's and Plait's catalogues."""
from __future__ import annotations

from plait.errors import Catalogue, PlaitFileNotFoundError, PlaitValueError


class Errors(Catalogue, prefix="NER"):
    NER001 = ("Component '{name}' (plait_ner): no entity labels found in the {n} training examples. "
              "The reference docs need `doc.ents` (spaCy's gold NER format), or pass the labels "
              "explicitly: `[initialize.components.{name}] labels = [...]`.")
    NER002 = ("Component '{name}' (plait_ner): invalid label {label!r}. Labels are non-empty strings "
              "without whitespace.")
    NER003 = ("Component '{name}' (plait_ner): initialize() got no examples; it needs a few "
              "training examples to infer the model's sizes.")
    NER004 = ("Component '{name}' (plait_ner): none of the {n} gold entities can be aligned to the "
              "predicted tokenization (first one: {example}). Build the corpus with the pipeline's "
              "tokenizer, or read it with `gold_preproc = true`.")
    NER005 = ("Component '{name}' (plait_ner): the model produced NaN scores. Lower the learning rate "
              "or check the training data.")
    NER006 = ("Component '{name}' (plait_ner): invalid temperature {value!r} in the component's cfg "
              "(must be a positive finite number).")
    NER007 = ("Component '{name}' (plait_ner): has no labels. Train it (`nlp.initialize()` with "
              "examples that have `doc.ents`) or add labels before using it.")
    NER008 = ("Component '{name}' (plait_ner): the model outputs {got} tag scores per token but {want} "
              "are expected for {n} labels. Was the model trained with a different label set?")
    # coNLL reader
    NER010 = ("{path}:{line}: {msg}")
    NER020 = ("Component '{name}' (plait_ner): cannot add a label after the model has been initialized;"
              ' re-initialize it with all labels.')
    NER021 = ('CoNLL file not found: {path}')
    NER022 = ('unknown scheme {scheme!r}; expected one of {join}')
    NER024 = ('expected scores over {k} tags, got an array of shape {shape}')
    NER025 = ('plait.ner.v1: surface_rows needs {n_SURFACE_ATTRS} values (for {join}), got {list}')
    NER026 = ('{n_confidences} confidences but {n_correct} correctness values')
    NER027 = ('confidence {conf} is outside [0, 1]')
    NER028 = ("plait.ner.v1: context_window is {value}; it is the number of neighbouring tokens on "
              "each side a tag is scored from (0: the token alone), so it cannot be negative.")


class Warnings(Catalogue, prefix="NER"):
    NER101 = ("Component '{name}' (plait_ner): {n_bad} of {n} gold entities cannot be aligned to the "
              "predicted tokenization and give no loss (first one: {example}).")
    NER102 = ("Component '{name}' (plait_ner): gold entity label(s) {labels} are not in the component's "
              "labels; those tokens are treated as missing annotation.")


PlaitNERError = PlaitValueError  # an error plait-ner raises on purpose (bad data, bad configuration)
ConllFileNotFoundError = PlaitFileNotFoundError  # a CoNLL file that does not exist


class ConllFormatError(PlaitNERError):
    """A CoNLL file is malformed; the message names the file and line."""

    def __init__(self, path: object, line: int, msg: str) -> None:
        super().__init__(Errors.NER010.format(path=path, line=line, msg=msg))
        self.path = path
        self.line = line
