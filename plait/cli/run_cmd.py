"""``plait run MODEL INPUT -o OUTPUT``: batch processing of a file of records."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from plait.cli import _pipeline_options as opt


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        model: str = opt.MODEL,
        input: Path = typer.Argument(..., help="Records: .jsonl, .csv, .parquet or .txt (one per line)"),
        output: Path = typer.Option(..., "-o", "--output", help="Results: .jsonl, .csv, .parquet, .txt"),
        input_format: Optional[str] = typer.Option(None, help="jsonl|csv|parquet|text (default: from the extension)"),
        output_format: Optional[str] = typer.Option(None, help="jsonl|csv|parquet|text (default: from the extension)"),
        text_field: str = opt.TEXT_FIELD,
        id_field: str = opt.ID_FIELD,
        rejects: Optional[Path] = typer.Option(None, help="Rejected records (default: OUTPUT.rejects.jsonl)"),
        resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run"),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing OUTPUT"),
        engine: str = typer.Option("local", help="local (this machine) or ray (Ray Data)"),
        n_process: int = typer.Option(1, "--n-process", "-n", help="Worker processes (ray: actors)"),
        gpu: bool = opt.GPU,
        gpu_id: Optional[int] = opt.GPU_ID,
        quantize: bool = opt.QUANTIZE,
        runtime: str = opt.RUNTIME,
        address: Optional[str] = typer.Option(None, help="Ray cluster address (engine ray)"),
        num_gpus: float = typer.Option(0.0, help="GPUs per Ray actor (engine ray)"),
        batch_size: int = opt.BATCH_SIZE,
        max_batch_tokens: int = opt.batch_tokens("--max-batch-tokens", "Most tokens in a batch"),
        segment_tokens: int = opt.SEGMENT_TOKENS,
        max_chars: int = typer.Option(0, help="Cut texts longer than this (marked truncated); 0: never"),
        limit: int = typer.Option(0, help="Stop after this many records (0: all)"),
        code: List[Path] = opt.CODE,
        progress: bool = opt.PROGRESS,
    ) -> None:
        """Process a file of records; every record is written or rejected, never lost."""
        from plait.errors import PlaitError
        from plait.runner.job import RunConfig, run_job

        cfg = RunConfig(
            model=model, input=input, output=output, input_format=input_format,
            output_format=output_format, text_field=text_field, id_field=id_field or None,
            rejects=rejects, resume=resume, overwrite=overwrite, engine=engine, n_process=n_process,
            address=address, num_gpus=num_gpus,
            options=opt.load_options(gpu, gpu_id, quantize, runtime, code),
            max_chars=max_chars, limit=limit, progress=progress,
            batch=opt.batch_options(batch_size, max_batch_tokens, segment_tokens))
        try:
            summary = run_job(cfg)
        except PlaitError as exc:
            typer.echo(f"✘ {exc}", err=True)
            raise typer.Exit(1)
        resumed = f" (resumed after {summary.resumed_from})" if summary.resumed_from else ""
        line = (f"{summary.records_in} records in = {summary.written} written + "
                f"{summary.rejected} rejected{resumed}")
        if not summary.ok:
            typer.echo(f"✘ {line}", err=True)
            for problem in summary.problems:
                typer.echo(f"✘ {problem}", err=True)
            raise typer.Exit(2)
        typer.echo(f"✔ {line}")
        typer.echo(f"  results: {summary.output}")
        if summary.rejected:
            typer.echo(f"  rejects: {summary.rejects}")
