"""``plait train SPEC [-o DIR] [--gpu-id N] [--corpus DIR] [budget options] [--section.key value ...]``:
compose and train."""
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
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="Folder with train/ and dev/ "
                                              "(default: the spec's paths)"),
        seed: Optional[int] = typer.Option(None, "--seed", help="system.seed (default: the spec's)"),
        max_steps: int = typer.Option(0, "--max-steps", help="Steps (0: the spec's); the "
                                      "learning-rate schedule is stretched to them"),
        eval_frequency: int = typer.Option(0, "--eval-frequency", help="0: the spec's"),
        batch_words: int = typer.Option(0, "--batch-words", help="Words per batch (0: the spec's)"),
        learning_rate: float = typer.Option(0.0, "--learning-rate", help="0: the spec's; on a "
                                            "two-stage config the encoder's rate"),
        head_steps: Optional[int] = typer.Option(None, "--head-steps", help="Two-stage configs: "
                                                 "steps of the heads alone over the frozen encoder"),
        head_learning_rate: float = typer.Option(0.0, "--head-learning-rate",
                                                 help="Two-stage configs: the heads' rate "
                                                      "(0: the spec's)"),
        encoder_learning_rate: float = typer.Option(0.0, "--encoder-learning-rate",
                                                    help="Two-stage configs: the encoder's rate "
                                                         "(0: --learning-rate, else the spec's)"),
        encoder: str = typer.Option("", "--encoder", help="Named encoder or folder (empty: the "
                                    "spec's)"),
    ) -> None:
        """Compose the spec and `spacy train` it; extra `--section.key value` options override the
        config as in `spacy train` (e.g. --training.max_steps 30), and win over the budget
        options."""
        from plait.errors import PlaitError, SpecError
        from plait.training.trainer import budget_overrides, train as run_train

        try:
            overrides = parse_overrides(ctx.args, ctx)
        except SpecError as exc:
            typer.echo(f"✘ {exc}", err=True)
            raise typer.Exit(1)
        try:
            overrides = {**budget_overrides(
                spec, corpus=corpus, seed=seed, max_steps=max_steps, eval_frequency=eval_frequency,
                batch_words=batch_words, learning_rate=learning_rate, head_steps=head_steps,
                head_learning_rate=head_learning_rate,
                encoder_learning_rate=encoder_learning_rate, encoder=encoder), **overrides}
            run = run_train(spec, output, gpu_id=gpu_id, overrides=overrides,
                            **({"corpus": str(corpus)} if corpus else {}))
        except PlaitError as exc:
            typer.echo(f"✘ {exc}", err=True)
            raise typer.Exit(1)
        out = Path(run["config"]).parent
        typer.echo(f"✔ Trained in {run['wall_seconds'] / 60:.1f} min: {out / 'model-best'} "
                   f"(settings in {out / 'run.json'})")


def parse_overrides(args, ctx):
    """``["--training.max_steps", "30", "--paths.train=x"]`` -> ``{"training.max_steps": 30, ...}``
    (spaCy's own parser, so values read as spaCy reads them). An option with no section
    (``--encodr``) is a mistyped option, not an override: it gets the command's (``ctx``)
    usage line and one error, exit 2, as any unknown option does."""
    from spacy.cli._util import parse_config_overrides

    from plait.errors import Errors, SpecError

    for arg in args:
        name = arg.split("=", 1)[0]
        if arg.startswith("-") and not arg.startswith("--"):
            raise SpecError(Errors.E118.format(arg=arg))
        if name.startswith("--") and "." not in name:
            typer.echo(ctx.get_usage(), err=True)
            typer.echo(f"✘ No such option: {name} (see `{ctx.command_path} --help`; a config "
                       "override is --section.key value)", err=True)
            raise typer.Exit(2)
    try:
        return parse_config_overrides(list(args))
    except SystemExit:  # spaCy exits on a malformed override
        raise SpecError(Errors.E118.format(arg=" ".join(args))) from None
