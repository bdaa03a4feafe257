"""plait-textcat's spaCy entry points (``spacy_entry_points``): only the defaults are read on
import, the component, model and scorer modules when used."""
from plait.plugins.component_base import spacy_entry_points

from . import defaults

make_textcat, build_textcat_model, make_textcat_scorer = spacy_entry_points(
    defaults, "plait_textcat.component:make_textcat",
    architecture="plait_textcat.model:build_textcat_model",
    scorer="plait_textcat.scoring:make_textcat_scorer",
    doc="Create a ``plait_textcat`` component (see ``plait_textcat.component.make_textcat``).")

make_zeroshot_textcat, build_zeroshot_model, _ = spacy_entry_points(
    defaults.ZeroShot, "plait_textcat.zeroshot:make_zeroshot_textcat",
    architecture="plait_textcat.zeroshot:build_zeroshot_model",
    scorer="plait_textcat.scoring:make_textcat_scorer",
    doc="Create a ``plait_zeroshot_textcat`` component (see "
        "``plait_textcat.zeroshot.make_zeroshot_textcat``).")
