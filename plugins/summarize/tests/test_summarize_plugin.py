"""Registration through entry points, as a third-party plugin."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import spacy
from spacy.util import registry


def test_component_record_is_registered_through_the_plait_entry_point():
    from plait.plugins.registry import get_registry

    reg = get_registry()
    info = reg.component("summarize")
    assert info.factory == "plait_summarizer" and info.task == "summarize"
    assert info.needs_sentences and not info.needs_labels
    assert info.listener_path == "model.tok2vec"
    assert info.config["model"]["@architectures"] == "plait.summarizer.v1"
    assert "Span._.summary_score" in info.extensions
    assert reg.provider("component", "summarize") == "summarize"
    assert not [f for f in reg.report()["failures"] if f["plugin"] == "summarize"]


def test_spacy_entry_points_resolve():
    assert registry.architectures.get("plait.summarizer.v1")
    assert registry.scorers.get("plait.summarizer_scorer.v1")
    assert spacy.blank("en").add_pipe("plait_summarizer").name == "plait_summarizer"


def test_fresh_process_without_importing_plait_and_no_import_side_effects():
    code = textwrap.dedent("""
        import spacy
        from spacy.tokens import Doc, Span
        import plait_summarize.component, plait_summarize.model, plait_summarize.scoring
        assert not Doc.has_extension("summary") and not Span.has_extension("summary_score")
        nlp = spacy.blank("en")
        nlp.add_pipe("plait_summarizer", config={"max_sentences": 1})
        doc = nlp("The budget passed. Parks win. The budget helps parks and schools.")
        print(doc._.summary)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "The budget helps parks and schools."
