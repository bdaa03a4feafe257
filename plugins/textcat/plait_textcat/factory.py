"""plait-textcat's spaCy entry points (``spacy_factories``, ``spacy_architectures``, ``spacy_scorers``).

Imported by spaCy whenever a ``Language`` is made, so only the defaults are read here: the
component, model and scorer modules are imported when the factory runs or the name is resolved
(see ``plait.plugins.component_base.register_factory`` and ``plait.plugins.lazy``).
"""
from plait.plugins.component_base import lazy, register_factory

from . import defaults

build_textcat_model = lazy("plait_textcat.model:build_textcat_model")
make_textcat_scorer = lazy("plait_textcat.scoring:make_textcat_scorer")
make_textcat = register_factory(defaults, "plait_textcat.component:make_textcat",
                                doc="Create a ``plait_textcat`` component (see ``plait_textcat.component.make_textcat``).")
