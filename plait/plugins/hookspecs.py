"""The hooks a Plait plugin may implement.

A plugin is a module (or object) exposed through the ``plait`` entry-point group whose functions are
decorated with :data:`hookimpl`. Each ``register_*`` hook receives a ``register`` callback; call it once
per record. Built-in encoders are registered exactly this way (see :mod:`plait.plugins.builtin_encoders`).

spaCy factories and architectures are *not* hooks: declare them through spaCy's own
``spacy_factories`` / ``spacy_architectures`` entry points so ``spacy train`` and ``spacy.load`` work
without importing Plait.
"""
from __future__ import annotations

from typing import Any, Callable

import pluggy

PROJECT_NAME = "plait"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_components(register: Callable[..., None]) -> None:
    """Declare the components this plugin offers for composition.

    :param register: call it once per component, with a
        :class:`plait.plugins.contracts.ComponentInfo` (or its fields as keyword arguments or a dict).
        Each record is validated; a component name another plugin registers too is an error naming
        both distributions (E002), and the name stays unavailable until one is removed or blocked.
    :return: nothing; a return value is ignored.

    Called once per process, when the plugin registry loads: as the ``plait`` command line is built
    (every ``plait`` command), or at the first registry query in Python (``plait.process``,
    composing a spec); in no fixed order across plugins. A hook that raises, or a record that fails validation (E003), disables this plugin
    only; ``plait plugins`` reports it.

    The factory named by ``ComponentInfo.factory`` is not registered here: declare it through spaCy's
    ``spacy_factories`` entry point, so ``spacy train`` and ``spacy.load`` find it without Plait.

    Example::

        @hookimpl
        def register_components(register):
            register(ComponentInfo(name="pos-tagger", task="tagging", factory="tagger",
                                   config={"model": {"@architectures": "spacy.Tagger.v2", "tok2vec": {}}},
                                   listener_path="model.tok2vec", needs_sentences=True))
    """


@hookspec
def register_encoders(register: Callable[..., None]) -> None:
    """Declare named encoders that a spec's ``encoder:`` may name.

    :param register: call it once per encoder, with a :class:`plait.plugins.contracts.EncoderInfo`.
        ``resolve`` is a callable returning the local Hugging Face folder; it is called only when a
        pipeline is initialized, so a trained pipeline loads with no registry and no encoder package.
    :return: nothing; a return value is ignored.

    Called once per process, with the other ``register_*`` hooks, when the registry loads; names are
    looked up by ``plait compose``/``train`` (the spec's ``encoder:``), ``plait pretrain`` and
    ``plait encoders``. The built-in
    encoders (``minilm-l6``, ``tiny-random``) are registered through this hook too
    (:mod:`plait.plugins.builtin_encoders`). Two plugins registering one name is an error naming both.

    Example::

        @hookimpl
        def register_encoders(register):
            register(EncoderInfo(name="my-bert", resolve=lambda: Path(my_pkg.__file__).parent / "model",
                                 package="my-bert-package", width=768, max_length=512, cased=True))
    """


@hookspec
def register_corpora(register: Callable[..., None]) -> None:
    """Declare named corpora that ``plait corpus NAME OUT`` converts to ``.spacy`` splits.

    :param register: call it once per corpus, with a :class:`plait.plugins.contracts.CorpusInfo`.
        ``convert(output_dir, *, seed, limit, source)`` writes ``train.spacy``, ``dev.spacy`` and
        ``test.spacy`` under ``output_dir`` and returns a mapping split -> number of docs; ``task``
        names the task it trains (a ``ComponentInfo.task``).
    :return: nothing; a return value is ignored.

    Called once per process, with the other ``register_*`` hooks, when the registry loads; names are
    looked up by ``plait corpus`` and by ``plait pretrain``/``distill`` (``--text NAME`` reads a named
    corpus's train split).

    Example::

        @hookimpl
        def register_corpora(register):
            register(CorpusInfo(name="my-reviews", task="sentiment", convert=convert_reviews,
                                package="my-reviews-data", license="CC BY 4.0"))
    """


@hookspec
def register_commands(cli: Any) -> None:
    """Add sub-commands to the ``plait`` command line.

    :param cli: the root ``typer.Typer`` app; add commands with ``@cli.command("name")`` or groups
        with ``cli.add_typer(typer.Typer(), name="name")``.
    :return: nothing; a return value is ignored.

    Called once, when the ``plait`` command line is built (any ``plait ...`` invocation), after the
    core's own commands and after the ``register_*`` hooks have run. Keep the hook cheap: import heavy modules inside the command functions, not
    at the hook's module level, since every ``plait`` call runs it. A hook that raises disables the
    commands of this plugin only, and ``plait plugins`` reports it.

    Example::

        @hookimpl
        def register_commands(cli):
            @cli.command("pos-tagset")
            def pos_tagset(model: str) -> None:
                import spacy
                print(" ".join(spacy.load(model).get_pipe("tagger").labels))
    """
