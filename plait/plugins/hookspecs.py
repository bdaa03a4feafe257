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
    """Declare composable components: ``register(ComponentInfo(...))``."""


@hookspec
def register_encoders(register: Callable[..., None]) -> None:
    """Declare named encoders that resolve to local folders: ``register(EncoderInfo(...))``."""


@hookspec
def register_corpora(register: Callable[..., None]) -> None:
    """Declare named corpora: ``register(CorpusInfo(...))``."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add sub-commands to the ``plait`` CLI; ``cli`` is the root ``typer.Typer`` app."""
