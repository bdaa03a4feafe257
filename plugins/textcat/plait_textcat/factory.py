"""plait-textcat's spaCy entry points (``spacy_entry_points``): only the defaults are read on
import, the component, model and scorer modules when used."""
from plait.plugins.component_base import spacy_entry_points

from . import defaults

make_textcat, build_textcat_model, make_textcat_scorer = spacy_entry_points(
    defaults, "plait_textcat.component:make_textcat",
    architecture="plait_textcat.model:build_textcat_model",
    scorer="plait_textcat.scoring:make_textcat_scorer",
    doc="Create a ``plait_textcat`` component (see ``plait_textcat.component.make_textcat``).")
