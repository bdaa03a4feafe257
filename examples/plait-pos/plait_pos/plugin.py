"""Hooks of the example plugin. Plait discovers this module through the ``plait`` entry point.

Its component declares an output contract (outputs.py): the ``pos`` field of results.

The component's factory (``tagger``) is spaCy's own, so no ``spacy_factories`` entry point is needed
here; a plugin with its own factory declares it under ``[project.entry-points.spacy_factories]``.
"""
from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import ComponentInfo

from .outputs import output_info


@hookimpl
def register_components(register):
    register(ComponentInfo(
        name="pos-tagger",
        task="tagging",
        factory="tagger",
        # Written under [components.<name>]; the composer puts the shared transformer's listener
        # at `listener_path`.
        config={"model": {"@architectures": "spacy.Tagger.v2", "tok2vec": {}}},
        listener_path="model.tok2vec",
        needs_labels=True,
        needs_sentences=True,
        # the output contract: tags reach plait.process results, `plait run` files and the schema
        output=output_info(),
        description="Part-of-speech tags in token.tag_ (spaCy's tagger over the shared encoder)",
    ))


@hookimpl
def register_commands(cli):
    @cli.command("pos-tagset")
    def pos_tagset(model: str) -> None:
        """Print the tag set of a trained pipeline's tagger."""
        import spacy

        print(" ".join(spacy.load(model).get_pipe("tagger").labels))
