"""Options ``plait pretrain`` and ``plait distill`` share (one definition, two commands)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, List, Optional

import typer

from plait.cli import _pipeline_options as shared

OUTPUT = typer.Option(..., "-o", "--output", help="Folder of the new encoder (a Hugging Face "
                      "folder + plait-encoder.json + the run's log)")
TEXT = typer.Option(..., "--text", "-t", help="Text source, repeatable: a file (one document per "
                    "line; JSONL/CSV/TSV/Parquet with --text-field; .spacy), a folder, or a named "
                    "corpus (corpus:NAME; its train split only)")
TEXT_FIELD = typer.Option(None, "--text-field", help="Field holding the text in JSONL/CSV/Parquet")
FORMAT = typer.Option(None, "--format", help="Input format when the file extension doesn't say")
CORPUS_SOURCE = typer.Option(None, "--corpus-source", help="Raw archives of named corpora "
                             "(default: the corpus plugin's, e.g. ./assets)")
WINDOW = typer.Option(None, "--window", help="Wordpieces per window (default: the encoder's "
                      "maximum length)")
HELDOUT = typer.Option(0.05, "--heldout", min=0.0, max=0.5, help="Fraction of the documents "
                       "held out (seeded) for evaluation")
MAX_STEPS = typer.Option(10000, "--max-steps", min=1, help="Stop after this many steps")
MAX_EPOCHS = typer.Option(0, "--max-epochs", min=0, help="Stop after this many passes (0: no limit)")
MAX_MINUTES = typer.Option(0.0, "--max-minutes", min=0.0, help="Stop after this many minutes, "
                           "counted over resumed runs too (0: no limit)")
BATCH_SIZE = typer.Option(16, "--batch-size", min=1, help="Windows per step")
LR = typer.Option(5e-5, "--lr", "--learning-rate", min=0.0, help="Peak learning rate (AdamW)")
WARMUP = typer.Option(0.06, "--warmup", min=0.0, help="Warm-up: a fraction of the steps (< 1) or "
                      "a number of steps; linear decay to 0 after it")
WEIGHT_DECAY = typer.Option(0.01, "--weight-decay", min=0.0)
EVAL_EVERY = typer.Option(200, "--eval-every", min=1, help="Evaluate on the held-out slice and "
                          "checkpoint every N steps")
PATIENCE = typer.Option(5, "--patience", min=0, help="Stop after N evaluations without "
                        "improvement (0: never stop early)")
SEED = typer.Option(0, "--seed")
GPU_ID = typer.Option(-1, "--gpu-id", help="GPU to train on (-1: CPU)")
MIXED = typer.Option(True, "--mixed-precision/--no-mixed-precision",
                     help="bf16/fp16 autocast on a GPU")
RESUME = typer.Option(False, "--resume", help="Continue a killed run from its last checkpoint "
                      "(same text and settings; the data order is the same)")
OVERWRITE = typer.Option(False, "--overwrite", help="Start again over an earlier run in --output")
KEEP = typer.Option(False, "--keep-checkpoints", help="Keep checkpoints/ after the run ends")
REGISTER = typer.Option(None, "--register", help="Register the result as a named encoder "
                        "(like `plait encoders add NAME DIR`)")
PROGRESS = shared.PROGRESS


def settings(**kw: Any):
    from plait.adapt.loop import LoopSettings

    return LoopSettings(max_steps=kw["max_steps"], max_epochs=kw["max_epochs"],
                        max_minutes=kw["max_minutes"], batch_size=kw["batch_size"],
                        learning_rate=kw["lr"], warmup=kw["warmup"],
                        weight_decay=kw["weight_decay"], eval_every=kw["eval_every"],
                        patience=kw["patience"], seed=kw["seed"], gpu_id=kw["gpu_id"],
                        mixed_precision=kw["mixed_precision"],
                        keep_checkpoints=kw["keep_checkpoints"])


class RejectPrinter:
    """Prints the first rejected records by source and line; counts the rest."""

    def __init__(self, limit: int = 20) -> None:
        self.limit = limit
        self.count = 0

    def __call__(self, rejected: Any) -> None:
        self.count += 1
        if self.count <= self.limit:
            typer.echo(f"⚠ rejected {rejected}", err=True)
        elif self.count == self.limit + 1:
            typer.echo("⚠ more records rejected (all are listed in OUTPUT/rejects.jsonl)", err=True)


def run(work: Callable[..., dict], *, output: Path, register: Optional[str], **kwargs: Any) -> dict:
    from plait.errors import PlaitError

    rejects = RejectPrinter()
    try:
        manifest = work(output, on_reject=rejects, echo=typer.echo, **kwargs)
        if register:
            from plait.training.encoders import add_local_encoder

            add_local_encoder(register, output, manifest.get("description", ""))
    except PlaitError as exc:
        typer.echo(f"✘ {exc}", err=True)
        raise typer.Exit(1)
    typer.echo(f"✔ {manifest['description']}")
    typer.echo(f"✔ Wrote {output} (name it in a spec as `encoder: {register or output}`)")
    if rejects.count:
        typer.echo(f"⚠ {rejects.count} record(s) rejected: {output / 'rejects.jsonl'}")
    return manifest


def sources(text: List[str]) -> List[str]:
    return [str(t) for t in text]
