"""plait-ner's spaCy entry points (``spacy_factories``, ``spacy_architectures``, ``spacy_scorers``).

Imported by spaCy whenever a ``Language`` is made, so only the defaults are read here: the
component, model and scorer modules are imported when the factory runs or the name is resolved
(see ``plait.plugins.component_base.register_factory`` and ``plait.plugins.lazy``).
"""
from plait.plugins.component_base import lazy, register_factory

from . import defaults

build_ner_model = lazy("plait_ner.model:build_ner_model")
make_ner_scorer = lazy("plait_ner.scoring:make_ner_scorer")
make_ner = register_factory(defaults, "plait_ner.component:make_ner",
                            doc="Create a ``PlaitNER`` component (see ``plait_ner.component``).")
