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
        kind: str = typer.Option("doc", "--kind",
                                 help="doc (a label per document), span (labelled, non-overlapping "
                                      "spans) or token (a label per token, as a tagger)"),
        labels: Optional[str] = typer.Option(None, "--labels",
                                             help="Comma-separated labels, e.g. high,low (default: "
                                                  "example labels of the kind)"),
        output: Optional[Path] = typer.Option(None, "-o", "--output",
                                              help="Folder to write plait-NAME/ into (default: .)"),
        force: bool = typer.Option(False, "--force", help="Overwrite files in an existing folder"),
    ) -> None:
        """Write a complete, installable plugin: a trainable component over the shared transformer
        (a document classifier, a span recognizer or a token tagger), its spaCy and Plait entry
        points, gold import, output contract, scorer, README and tests."""
        from plait.plugins.scaffold import files, names, new_component

        dest = new_component(name, output, force=force, kind=kind, labels=labels)
        typer.echo(f"✔ Wrote {dest}/ (a {kind} component, labels {names(name, kind, labels)['labels']})")
        for rel in files(name):
            typer.echo(f"    {rel}")
        typer.echo(f"\nNext:\n  pip install -e '{dest}[test]'\n  pytest {dest}\n"
                   f"  plait plugins   # '{name}' is listed\n"
                   f"  plait data import FILE -o data/{name} --task {name}\n"
                   f"Add '- component: {name}' (with labels) to a pipeline spec and compose it.")

    app.add_typer(new)
