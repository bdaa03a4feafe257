"""Plait: plugin-based NLP pipelines on spaCy, composed over one shared transformer."""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "LoadOptions", "load", "process"]


def __getattr__(name: str) -> Any:  # lazy: importing plait imports neither spaCy nor torch
    if name in ("load", "process"):
        from plait import api

        return getattr(api, name)
    if name == "LoadOptions":
        from plait.runtime.options import LoadOptions

        return LoadOptions
    raise AttributeError(f"module 'plait' has no attribute {name!r}")
