"""Entry-point objects that import their real module only when used.

spaCy imports the module of every ``spacy_factories`` entry point whenever a ``Language`` is made
(``spacy.blank``, ``spacy.load``), and thinc resolves ``spacy_architectures`` / ``spacy_scorers`` entry
points by name. A plugin's entry-point module should therefore be tiny: it declares the factory (with its
``default_config``) and points the architecture and scorer names at :func:`lazy` objects, so the heavy
module (model code, third-party dependencies) is imported only when the factory runs or the name is
resolved. A broken heavy module then breaks only pipelines that use that component.

>>> build_model = lazy("my_plugin.model:build_model")  # in my_plugin/factory.py
"""
from __future__ import annotations

import importlib
import inspect
from typing import Any, Callable, Optional

from plait.errors import Errors, PluginError


class LazyFunction:
    """A callable standing for ``"module:attribute"``; the module is imported on first call (or when
    its signature is read, which is how thinc's registry validates a config block)."""

    def __init__(self, target: str) -> None:
        module, _, attr = target.partition(":")
        if not module or not attr:
            raise PluginError(Errors.E070.format(target=target))
        self.target = target
        self._func: Optional[Callable[..., Any]] = None
        # What confection reads to build a config block's schema (the names are known statically;
        # annotations and globals come from the real function, imported on first read).
        self.__module__ = module
        self.__name__ = self.__qualname__ = attr.rsplit(".", 1)[-1]

    def resolve(self) -> Callable[..., Any]:
        if self._func is None:
            module, _, attr = self.target.partition(":")
            obj: Any = importlib.import_module(module)
            for part in attr.split("."):
                obj = getattr(obj, part)
            self._func = obj
        return self._func

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:  # read by inspect.signature (thinc's registry)
        return inspect.signature(self.resolve())

    @property
    def __wrapped__(self) -> Callable[..., Any]:  # typing.get_type_hints finds the globals here
        return self.resolve()

    def __getattr__(self, name: str) -> Any:
        if name in ("__annotations__", "__globals__", "__defaults__", "__kwdefaults__"):
            return getattr(self.resolve(), name)
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"lazy({self.target!r})"


def lazy(target: str) -> LazyFunction:
    """A stand-in for the function at ``"module:attribute"``, imported when first used."""
    return LazyFunction(target)
