"""``plait run MODEL INPUT -o OUTPUT``: batch processing of a file of records."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        model: str = typer.Argument(..., help="A trained pipeline folder or installed package name"),
        input: Path = typer.Argument(..., help="Records: .jsonl, .csv, .parquet or .txt (one per line)"),
        output: Path = typer.Option(..., "-o", "--output", help="Results: .jsonl, .csv, .parquet, .txt"),
        input_format: Optional[str] = typer.Option(None, help="jsonl|csv|parquet|text (default: from the extension)"),
        output_format: Optional[str] = typer.Option(None, help="jsonl|csv|parquet|text (default: from the extension)"),
        text_field: str = typer.Option("text", help="Field holding the text"),
        id_field: str = typer.Option("id", help="Field holding the id (default id: the line number)"),
        rejects: Optional[Path] = typer.Option(None, help="Rejected records (default: OUTPUT.rejects.jsonl)"),
        resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run"),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing OUTPUT"),
        engine: str = typer.Option("local", help="local (this machine) or ray (Ray Data)"),
        n_process: int = typer.Option(1, "--n-process", "-n", help="Worker processes (ray: actors)"),
        gpu: bool = typer.Option(False, "--gpu", help="Run on GPU 0"),
        gpu_id: Optional[int] = typer.Option(None, help="Run on this GPU"),
        quantize: bool = typer.Option(False, "--quantize", help="int8 weights for the encoder (CPU; ~2x faster)"),
        runtime: str = typer.Option("torch", help="What runs the encoder: torch, or onnx (ONNX Runtime on the CPU; pip install 'plait\\[onnx]')"),
        address: Optional[str] = typer.Option(None, help="Ray cluster address (engine ray)"),
        num_gpus: float = typer.Option(0.0, help="GPUs per Ray actor (engine ray)"),
        batch_size: int = typer.Option(64, help="Most texts in a batch"),
        max_batch_tokens: int = typer.Option(8192, help="Most tokens in a batch"),
        segment_tokens: int = typer.Option(2048, help="Longer texts are processed in segments of about this many tokens"),
        max_chars: int = typer.Option(0, help="Cut texts longer than this (marked truncated); 0: never"),
        limit: int = typer.Option(0, help="Stop after this many records (0: all)"),
        code: List[Path] = typer.Option([], "--code", help="Python file with custom components to import"),
        progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar"),
    ) -> None:
        """Process a file of records; every record is written or rejected, never lost."""
        from plait.errors import PlaitError
        from plait.runtime.options import LoadOptions
        from plait.runner.batching import BatchOptions
        from plait.runner.job import RunConfig, run_job

        cfg = RunConfig(
            model=model, input=input, output=output, input_format=input_format,
            output_format=output_format, text_field=text_field, id_field=id_field or None,
            rejects=rejects, resume=resume, overwrite=overwrite, engine=engine, n_process=n_process,
            address=address, num_gpus=num_gpus,
            options=LoadOptions(gpu=gpu_id if gpu_id is not None else gpu, quantize=quantize,
                                runtime=runtime, code=tuple(str(c) for c in code)),
            max_chars=max_chars, limit=limit, progress=progress,
            batch=BatchOptions(batch_size=batch_size, max_batch_tokens=max_batch_tokens,
                               segment_tokens=segment_tokens))
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
