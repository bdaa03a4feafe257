"""``plait init NAME --data DIR ...``: a pipeline spec for imported data folders."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from plait.data.init_spec import DEFAULT_BUDGET


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        name: str = typer.Argument(..., help="Pipeline name (writes pipeline/NAME.yml)"),
        data: List[Path] = typer.Option(..., "--data", help="A data folder from `plait data "
                                        "import` (repeat for a multi-task pipeline)"),
        encoder: Optional[str] = typer.Option(None, "--encoder", help="Named encoder (see "
                                              "`plait encoders`; default: the spec's default)"),
        budget: str = typer.Option(DEFAULT_BUDGET, "--budget", help="Training time on this "
                                   "machine (90s, 20m, 1.5h): steps are sized to fit it from a "
                                   "measured training speed; 'none': sized to the data alone"),
        output: Optional[Path] = typer.Option(None, "-o", "--output", help="Spec path"),
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="Where several data "
                                              "folders are merged (default corpus/NAME)"),
        force: bool = typer.Option(False, "--force", help="Overwrite an existing spec"),
    ) -> None:
        """Write a pipeline spec: one component per data folder, labels, and training sized to the
        data and to a time budget on this machine."""
        from plait.data.init_spec import init_spec

        path = init_spec(name, data, encoder=encoder, output=output, corpus=corpus,
                         force=force, budget=budget, say=typer.echo)
        typer.echo(f"✔ Wrote {path}\nTrain it: plait train {path}")
