"""``plait new component NAME``: start a plugin distribution (see docs/plugin-authors.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    new = typer.Typer(name="new", no_args_is_help=True, help="Start a new plugin distribution.")

    @new.command("component")
    def component(
        name: str = typer.Argument(..., help="Component name, e.g. urgency (also its result field)"),
        output: Optional[Path] = typer.Option(None, "-o", "--output",
                                              help="Folder to write plait-NAME/ into (default: .)"),
        force: bool = typer.Option(False, "--force", help="Overwrite files in an existing folder"),
    ) -> None:
        """Write a complete, installable plugin: a trainable document classifier over the shared
        transformer, its spaCy and Plait entry points, output contract, scorer, README and tests."""
        from plait.plugins.scaffold import files, new_component

        dest = new_component(name, output, force=force)
        typer.echo(f"✔ Wrote {dest}/")
        for rel in files(name):
            typer.echo(f"    {rel}")
        typer.echo(f"\nNext:\n  pip install -e '{dest}[test]'\n  pytest {dest}\n"
                   f"  plait plugins   # '{name}' is listed\n"
                   f"Add '- component: {name}' (with labels) to a pipeline spec and compose it.")

    app.add_typer(new)
