"""``plait distill``: a smaller, faster student of an encoder, trained on unlabelled text."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from plait.cli import _adapt_options as opt


def register(app: typer.Typer) -> None:
    @app.command("distill")
    def distill(
        output: Path = opt.OUTPUT,
        text: List[str] = opt.TEXT,
        layers: int = typer.Option(..., "--layers", "-l", min=1, help="Layers of the student"),
        teacher: str = typer.Option("minilm-l6", "--teacher", "-e",
                                    help="Named encoder (`plait encoders`) or a folder"),
        init_layers: Optional[str] = typer.Option(None, "--init-layers", help="Teacher layers "
                                                  "(0-based, comma-separated) the student starts "
                                                  "from; default: every (teacher/student)-th"),
        text_field: Optional[str] = opt.TEXT_FIELD,
        fmt: Optional[str] = opt.FORMAT,
        corpus_source: Optional[Path] = opt.CORPUS_SOURCE,
        window: Optional[int] = opt.WINDOW,
        heldout: float = opt.HELDOUT,
        max_steps: int = opt.MAX_STEPS, max_epochs: int = opt.MAX_EPOCHS,
        max_minutes: float = opt.MAX_MINUTES, batch_size: int = opt.BATCH_SIZE,
        lr: float = typer.Option(1e-4, "--lr", "--learning-rate", min=0.0,
                                 help="Peak learning rate (AdamW)"),
        warmup: float = opt.WARMUP, weight_decay: float = opt.WEIGHT_DECAY,
        eval_every: int = opt.EVAL_EVERY, patience: int = opt.PATIENCE, seed: int = opt.SEED,
        gpu_id: int = opt.GPU_ID, mixed_precision: bool = opt.MIXED, resume: bool = opt.RESUME,
        overwrite: bool = opt.OVERWRITE, keep_checkpoints: bool = opt.KEEP,
        register: Optional[str] = opt.REGISTER, progress: bool = opt.PROGRESS,
    ) -> None:
        """Distil an encoder into a student with fewer layers that matches its hidden states on
        unlabelled text; writes an encoder folder specs can name."""
        from plait.adapt.distill import distill as run_distill
        from plait.errors import AdaptError, Errors

        init = None
        if init_layers:
            try:
                init = [int(x) for x in init_layers.split(",") if x.strip()]
            except ValueError:
                typer.echo(f"✘ {AdaptError(Errors.E179.format(layers=layers, last='N-1', given=init_layers))}",
                           err=True)
                raise typer.Exit(1)
        loop = opt.settings(**locals())
        opt.run(run_distill, output=output, register=register, teacher=teacher,
                sources=opt.sources(text), layers=layers, init_layers=init, settings=loop,
                text_field=text_field, fmt=fmt, corpus_source=corpus_source, window=window,
                heldout=heldout, resume=resume, overwrite=overwrite, progress=progress)
