"""``plait train SPEC [-o DIR] [--gpu-id N] [--resume] [--section.key value ...]``: compose and train."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("train", context_settings={"allow_extra_args": True,
                                            "ignore_unknown_options": True})
    def train(
        ctx: typer.Context,
        spec: Path = typer.Argument(..., help="A pipeline spec (.yml) or a spaCy config (.cfg)",
                                    exists=True, dir_okay=False),
        output: Optional[Path] = typer.Option(None, "-o", "--output",
                                              help="Output folder (default training/NAME)"),
        gpu_id: Optional[int] = typer.Option(None, "--gpu-id", help="GPU (default: the spec's "
                                             "training.gpu_id; -1: CPU)"),
        resume: bool = typer.Option(False, "--resume", help="Continue from the last checkpoint in "
                                    "the output folder (same spec, overrides and data; none: start "
                                    "afresh). Checkpoints: --checkpoints.every_minutes M (default "
                                    "5), --checkpoints.every_steps N, --checkpoints.keep K (2)"),
    ) -> None:
        """Compose the spec and `spacy train` it; extra `--section.key value` options override the
        config as in `spacy train` (e.g. --training.max_steps 30)."""
        from plait.errors import PlaitError, SpecError
        from plait.training.trainer import train as run_train

        for arg in ctx.args:  # an option of no section is a mistyped option, not an override
            name = arg.split("=", 1)[0]
            if name.startswith("--") and "." not in name:
                typer.echo(ctx.get_usage(), err=True)
                typer.echo(f"✘ No such option: {name} (see `{ctx.command_path} --help`; a config "
                           "override is --section.key value)", err=True)
                raise typer.Exit(2)
        try:
            overrides = parse_overrides(ctx.args)
        except SpecError as exc:
            typer.echo(f"✘ {exc}", err=True)
            raise typer.Exit(1)
        from plait.training.checkpoints import TrainingInterrupted

        try:
            run = run_train(spec, output, gpu_id=gpu_id, overrides=overrides, resume=resume)
        except TrainingInterrupted as exc:  # SIGTERM / Ctrl-C: checkpoint written, exit 143 / 130
            typer.echo(f"✘ {exc}", err=True)
            raise typer.Exit(exc.exit_code)
        except PlaitError as exc:
            typer.echo(f"✘ {exc}", err=True)
            raise typer.Exit(1)
        out = Path(run["config"]).parent
        typer.echo(f"✔ Trained in {run['wall_seconds'] / 60:.1f} min: {out / 'model-best'} "
                   f"(settings in {out / 'run.json'})")


def parse_overrides(args):
    """``["--training.max_steps", "30", "--paths.train=x"]`` -> ``{"training.max_steps": 30, ...}``
    (spaCy's own parser, so values read as spaCy reads them)."""
    from spacy.cli._util import parse_config_overrides

    from plait.errors import Errors, SpecError

    for arg in args:
        if arg.startswith("-") and not arg.startswith("--"):
            raise SpecError(Errors.E118.format(arg=arg))
    try:
        return parse_config_overrides(list(args))
    except SystemExit:  # spaCy exits on a malformed override
        raise SpecError(Errors.E118.format(arg=" ".join(args))) from None
