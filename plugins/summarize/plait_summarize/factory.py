"""plait-summarize's spaCy entry points (``spacy_entry_points``): only the defaults are read on
import, the component, model and scorer modules (and rouge-score) when used."""
from plait.plugins.component_base import spacy_entry_points

from . import defaults

make_summarizer, build_summarizer_model, make_summarizer_scorer = spacy_entry_points(
    defaults, "plait_summarize.component:make_summarizer",
    architecture="plait_summarize.model:build_summarizer_model",
    scorer="plait_summarize.scoring:make_summarizer_scorer",
    doc="Create a ``Summarizer`` (see ``plait_summarize.component`` for the settings).")
