"""``plait curve SPEC [-o DIR] [--sizes 0,8,16,32,all] [--seeds N] [--test PATH] [...]``: a
learning curve (training-set size against score), resumable point by point."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("curve", context_settings={"allow_extra_args": True,
                                            "ignore_unknown_options": True})
    def curve(
        ctx: typer.Context,
        spec: Path = typer.Argument(..., help="A pipeline spec (.yml)", exists=True,
                                    dir_okay=False),
        output: Optional[Path] = typer.Option(None, "-o", "--output",
                                              help="Output folder (default curves/NAME): "
                                                   "curve.json, curve.png, subsets, logs"),
        sizes: str = typer.Option("0,8,16,32,all", "--sizes",
                                  help="Training sizes: counts (per class for classifiers, else "
                                       "documents) or fractions (0.1,25%,all); 0 is the "
                                       "zero-shot point"),
        seeds: int = typer.Option(3, "--seeds", help="Training seeds per size (0..N-1)"),
        test: Optional[Path] = typer.Option(None, "--test", help="Evaluation split, the same for "
                                            "every point (default: the spec's dev)"),
        unit: str = typer.Option("auto", "--unit", help="What counts count: auto, per-class or "
                                 "docs"),
        data_seed: int = typer.Option(0, "--data-seed", help="Seed of the nested subsets (the "
                                      "same for every training seed)"),
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="Folder with train/ and dev/ "
                                              "(default: the spec's paths)"),
        max_steps: int = typer.Option(0, "--max-steps", help="Steps per run (0: the spec's)"),
        eval_frequency: int = typer.Option(0, "--eval-frequency", help="0: the spec's"),
        encoder: str = typer.Option("", "--encoder", help="Named encoder or folder (empty: the "
                                    "spec's)"),
        gpu_id: int = typer.Option(-1, "--gpu-id", help="GPU (-1: CPU)"),
        keep_models: bool = typer.Option(False, "--keep-models", help="Keep every run's trained "
                                         "pipeline (default: deleted once scored)"),
        zero_shot_options: Optional[Path] = typer.Option(
            None, "--zero-shot-options", exists=True, dir_okay=False,
            help="YAML file: pipe name -> options of its zero-shot stand-in at size 0 (e.g. "
                 "{PIPE: {descriptions: {LABEL: text}}})"),
    ) -> None:
        """Train the spec on nested subsets of its training data, several seeds each, score every
        run on one evaluation split with the components' own scorers, and write a table
        (curve.json), a plot (curve.png) and advice. Run it again to continue: recorded runs are
        skipped. Extra `--section.key value` options override the config as in `plait train`."""
        from plait.cli.train_cmd import parse_overrides
        from plait.training.curve import curve as run_curve
        from plait.training.spec import load_spec
        from plait.training.trainer import budget_overrides

        overrides = {**budget_overrides(spec, corpus=corpus, max_steps=max_steps,
                                        eval_frequency=eval_frequency, encoder=encoder),
                     **parse_overrides(ctx.args, ctx)}
        out = output or Path("curves") / load_spec(spec).name
        from plait.training.checkpoints import TrainingInterrupted

        try:
            table = run_curve(spec, out, sizes=sizes, seeds=range(seeds), test=test, unit=unit,
                              data_seed=data_seed, overrides=overrides, gpu_id=gpu_id,
                              keep_models=keep_models, say=typer.echo,
                              zero_shot_options=read_options(zero_shot_options))
        except TrainingInterrupted as exc:  # SIGTERM / Ctrl-C in a run: its checkpoint is written
            typer.echo(f"✘ {exc}", err=True)
            typer.echo("ℹ Or run this `plait curve` command again: the recorded runs are skipped "
                       "and this one continues from its checkpoint.", err=True)
            raise typer.Exit(exc.exit_code)
        from plait.training.curve import table_rows

        rows = table_rows(table)
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            typer.echo("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)))
        for line in table.get("advice") or []:
            typer.echo(f"➜ {line}")
        typer.echo(f"✔ Wrote {out / 'curve.json'}"
                   + (f" and {table['plot']}" if table.get("plot") else ""))


def read_options(path: Optional[Path]):
    """The ``--zero-shot-options`` file: a mapping of pipe name to a mapping of options."""
    if path is None:
        return None
    import yaml

    from plait.errors import Errors, SpecError

    try:
        data = yaml.safe_load(path.read_text(encoding="utf8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(Errors.E248.format(path=path, error=exc)) from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise SpecError(Errors.E248.format(path=path, error=f"got {type(data).__name__}"))
    return data
