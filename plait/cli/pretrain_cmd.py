"""``plait pretrain``: continue masked-LM pre-training of an encoder on the user's text."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from plait.cli import _adapt_options as opt


def register(app: typer.Typer) -> None:
    @app.command("pretrain")
    def pretrain(
        output: Path = opt.OUTPUT,
        text: List[str] = opt.TEXT,
        encoder: str = typer.Option("minilm-l6", "--encoder", "-e",
                                    help="Named encoder (`plait encoders`) or a folder"),
        text_field: Optional[str] = opt.TEXT_FIELD,
        fmt: Optional[str] = opt.FORMAT,
        corpus_source: Optional[Path] = opt.CORPUS_SOURCE,
        window: Optional[int] = opt.WINDOW,
        heldout: float = opt.HELDOUT,
        mask_prob: float = typer.Option(0.15, "--mask-prob", min=0.01, max=0.5,
                                        help="Share of pieces masked (whole words)"),
        add_words: int = typer.Option(0, "--add-words", min=0, help="Add the N most frequent "
                                      "words the tokenizer cuts into 3+ pieces to the vocabulary"),
        head_steps: Optional[int] = typer.Option(
            None, "--head-steps", min=0, help="Train the masked-LM head alone over the frozen "
            "encoder for the first N steps (default: a tenth of --max-steps, at most 500, when the "
            "encoder ships no head; 0 otherwise)"),
        max_steps: int = opt.MAX_STEPS, max_epochs: int = opt.MAX_EPOCHS,
        max_minutes: float = opt.MAX_MINUTES, batch_size: int = opt.BATCH_SIZE,
        lr: float = opt.LR, warmup: float = opt.WARMUP, weight_decay: float = opt.WEIGHT_DECAY,
        eval_every: int = opt.EVAL_EVERY, patience: int = opt.PATIENCE, seed: int = opt.SEED,
        gpu_id: int = opt.GPU_ID, mixed_precision: bool = opt.MIXED, resume: bool = opt.RESUME,
        overwrite: bool = opt.OVERWRITE, keep_checkpoints: bool = opt.KEEP,
        register: Optional[str] = opt.REGISTER, progress: bool = opt.PROGRESS,
    ) -> None:
        """Adapt an encoder to your domain: masked-LM training on unlabelled text (whole-word
        masking), monitored on a held-out slice; writes an encoder folder specs can name."""
        from plait.adapt.mlm import pretrain as run_pretrain

        loop = opt.settings(**locals())
        opt.run(run_pretrain, output=output, register=register, encoder=encoder,
                sources=opt.sources(text), settings=loop, text_field=text_field, fmt=fmt,
                corpus_source=corpus_source, window=window, heldout=heldout, mask_prob=mask_prob,
                add_words=add_words, head_steps=head_steps, resume=resume, overwrite=overwrite,
                progress=progress)
