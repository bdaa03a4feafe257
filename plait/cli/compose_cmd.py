"""``plait compose``: pipeline spec -> spaCy training config."""
from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("compose")
    def compose(
        spec: Path = typer.Argument(..., help="A pipeline spec, e.g. pipeline/news.yml", exists=True,
                                    dir_okay=False),
        output: Path = typer.Option(..., "-o", "--output", help="Where to write the .cfg"),
    ) -> None:
        """Write a complete spaCy training config (one shared transformer, a listener per component)."""
        from plait.training.compose import write_config

        out = write_config(spec, output)
        typer.echo(f"✔ Wrote {out}")

