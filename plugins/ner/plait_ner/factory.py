"""plait-ner's spaCy entry points (``spacy_entry_points``): only the defaults are read on
import, the component, model and scorer modules when used."""
from plait.plugins.component_base import spacy_entry_points

from . import defaults

make_ner, build_ner_model, make_ner_scorer = spacy_entry_points(
    defaults, "plait_ner.component:make_ner",
    architecture="plait_ner.model:build_ner_model",
    scorer="plait_ner.scoring:make_ner_scorer",
    doc="Create a ``PlaitNER`` component (see ``plait_ner.component``).")
