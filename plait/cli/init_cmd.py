"""``plait init NAME --data DIR ...``: a pipeline spec for imported data folders."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        name: str = typer.Argument(..., help="Pipeline name (writes pipeline/NAME.yml)"),
        data: List[Path] = typer.Option(..., "--data", help="A data folder from `plait data "
                                        "import` (repeat for a multi-task pipeline)"),
        encoder: Optional[str] = typer.Option(None, "--encoder", help="Named encoder (see "
                                              "`plait encoders`; default: the spec's default)"),
        output: Optional[Path] = typer.Option(None, "-o", "--output", help="Spec path"),
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="Where several data "
                                              "folders are merged (default corpus/NAME)"),
        force: bool = typer.Option(False, "--force", help="Overwrite an existing spec"),
    ) -> None:
        """Write a pipeline spec: one component per data folder, labels and training sized to it."""
        from plait.data.init_spec import init_spec

        path = init_spec(name, data, encoder=encoder, output=output, corpus=corpus,
                         force=force)
        typer.echo(f"✔ Wrote {path}\nTrain it: plait train {path}")
