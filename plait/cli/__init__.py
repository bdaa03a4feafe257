"""The ``plait`` command line (typer, as spaCy's own CLI)."""
from __future__ import annotations

from plait.cli.app import app, build_app, main

__all__ = ["app", "build_app", "main"]
