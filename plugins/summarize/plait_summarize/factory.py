"""plait-summarize's spaCy entry points (``spacy_factories``, ``spacy_architectures``, ``spacy_scorers``).

Imported by spaCy whenever a ``Language`` is made, so only the defaults are read here: the
component, model and scorer modules (and
rouge-score) are imported when the factory runs or the name is resolved
(see ``plait.plugins.component_base.register_factory`` and ``plait.plugins.lazy``).
"""
from plait.plugins.component_base import lazy, register_factory

from . import defaults

build_summarizer_model = lazy("plait_summarize.model:build_summarizer_model")
make_summarizer_scorer = lazy("plait_summarize.scoring:make_summarizer_scorer")
make_summarizer = register_factory(defaults, "plait_summarize.component:make_summarizer",
                                   doc="Create a ``Summarizer`` (see ``plait_summarize.component`` for the settings).")
