"""``plait serve MODEL``: the pipeline behind HTTP (FastAPI + uvicorn; ``--engine ray``: Ray Serve)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        model: str = typer.Argument(..., help="A trained pipeline folder or installed package name"),
        host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0: every interface)"),
        port: int = typer.Option(8080, help="Port to listen on"),
        gpu: bool = typer.Option(False, "--gpu", help="Run on GPU 0"),
        gpu_id: Optional[int] = typer.Option(None, help="Run on this GPU"),
        quantize: bool = typer.Option(False, "--quantize", help="int8 weights for the encoder (CPU)"),
        runtime: str = typer.Option("torch", help="What runs the encoder: torch, or onnx (ONNX Runtime, CPU)"),
        code: List[Path] = typer.Option([], "--code", help="Python file with custom components to import"),
        text_field: str = typer.Option("text", help="Field holding the text"),
        id_field: str = typer.Option("id", help="Field holding the id (default id: the record's number)"),
        max_body_bytes: int = typer.Option(10 * 1024 * 1024, help="Largest request body (413 beyond)"),
        max_records: int = typer.Option(1000, help="Most records per request (413 beyond)"),
        max_chars: int = typer.Option(1_000_000, help="Most characters per text (413 beyond)"),
        queue_size: int = typer.Option(256, help="Requests waiting for the pipeline (503 beyond, at once)"),
        timeout: float = typer.Option(60.0, help="Seconds to answer a request (504 beyond)"),
        batch_tokens: int = typer.Option(8192, help="Gather concurrent requests up to this many tokens per batch"),
        max_wait_ms: float = typer.Option(10.0, help="...or for this long after the first of them arrived"),
        batch_size: int = typer.Option(64, help="Most texts in one nlp.pipe batch"),
        segment_tokens: int = typer.Option(2048, help="Longer texts are processed in segments (as plait run)"),
        api_key_env: Optional[str] = typer.Option(None, help="Require 'Authorization: Bearer KEY', KEY read from this environment variable"),
        cors_origin: List[str] = typer.Option([], "--cors-origin", help="Allow browser calls from this origin (repeatable; default: none)"),
        page: bool = typer.Option(True, "--page/--no-page", help="Serve the visual page at /"),
        engine: str = typer.Option("local", help="local (one process, dynamic batching) or ray (Ray Serve)"),
        replicas: int = typer.Option(1, help="Ray Serve replicas, each loading the pipeline once (engine ray)"),
        address: Optional[str] = typer.Option(None, help="Ray cluster address (engine ray; default: a local Ray)"),
        num_cpus: float = typer.Option(1.0, help="CPUs per replica (engine ray)"),
        log_level: str = typer.Option("info", help="uvicorn's log level (debug shows each request)"),
    ) -> None:
        """Serve a pipeline over HTTP: POST /v1/process, a visual page at /, docs at /docs."""
        from plait.errors import Errors, PlaitError
        from plait.serve.http_errors import ServeSetupError
        from plait.serve.settings import ServeSettings

        try:
            key = None
            if api_key_env:
                key = os.environ.get(api_key_env)
                if not key:
                    raise ServeSetupError(Errors.E148.format(
                        error=f"--api-key-env names ${api_key_env}, which is not set or empty"))
            if engine not in ("local", "ray"):
                raise ServeSetupError(Errors.E148.format(
                    error=f"unknown engine '{engine}': use local or ray"))
            if engine == "local" and (replicas != 1 or address):
                raise ServeSetupError(Errors.E148.format(
                    error="--replicas and --address are for --engine ray"))
            settings = ServeSettings(
                host=host, port=port, model=model, gpu=gpu_id if gpu_id is not None else gpu,
                quantize=quantize, runtime=runtime, code=tuple(str(c) for c in code),
                text_field=text_field, id_field=id_field or None, max_body_bytes=max_body_bytes,
                max_records=max_records, max_chars=max_chars, queue_size=queue_size,
                timeout_s=timeout, batch_tokens=batch_tokens, max_wait_ms=max_wait_ms,
                batch_size=batch_size, segment_tokens=segment_tokens, api_key=key,
                cors_origins=tuple(cors_origin), page=page)
            if engine == "ray":
                from plait.serve.ray_serve import serve_ray

                serve_ray(settings, replicas=replicas, address=address, num_cpus=num_cpus)
            else:
                from plait.serve.local import serve_local

                serve_local(settings, log_level=log_level)
        except PlaitError as exc:
            typer.echo(f"✘ {exc}", err=True)
            raise typer.Exit(1)
