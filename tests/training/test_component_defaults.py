"""One source of each component's defaults: the fragment a plugin registers for composition is its
spaCy factory's ``default_config`` (the composer only swaps the listener in at ``listener_path``)."""
from __future__ import annotations

import pytest

BUILTINS = ("ner", "sentiment", "textcat", "summarize")


def _strip(tree, dotted):
    node = tree
    keys = dotted.split(".") if dotted else []
    for key in keys[:-1]:
        node = node.get(key, {})
    if keys:
        node.pop(keys[-1], None)
    return tree


@pytest.mark.parametrize("name", BUILTINS)
def test_registered_fragment_is_the_factory_default_config(name):
    import copy

    import spacy
    from spacy.language import Language

    from plait.plugins.registry import get_registry

    info = get_registry().components().get(name)
    if info is None:
        pytest.skip(f"plugin for {name} not installed")
    spacy.blank("en")  # spaCy imports the factories' entry-point modules
    default = Language.get_factory_meta(info.factory).default_config
    fragment = copy.deepcopy(dict(info.config))
    expected = copy.deepcopy(dict(default))
    assert _strip(fragment, info.listener_path) == _strip(expected, info.listener_path)
    # and the registered fragment, composed, keeps what the factory would fill in
    assert fragment == expected
