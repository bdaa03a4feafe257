"""``plait serve MODEL``: the pipeline behind HTTP (FastAPI + uvicorn; ``--engine ray``: Ray Serve)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer

from plait.cli import _pipeline_options as opt
from plait.serve.settings import ServeSettings as _Defaults


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        model: str = opt.MODEL,
        host: str = typer.Option(_Defaults.host, help="Address to listen on (0.0.0.0: every interface)"),
        port: int = typer.Option(_Defaults.port, help="Port to listen on"),
        gpu: bool = opt.GPU,
        gpu_id: Optional[int] = opt.GPU_ID,
        quantize: bool = opt.QUANTIZE,
        runtime: str = opt.RUNTIME,
        code: List[Path] = opt.CODE,
        text_field: str = opt.TEXT_FIELD,
        id_field: str = opt.ID_FIELD,
        max_body_bytes: int = typer.Option(_Defaults.max_body_bytes, help="Largest request body (413 beyond)"),
        max_records: int = typer.Option(_Defaults.max_records, help="Most records per request (413 beyond)"),
        max_chars: int = typer.Option(_Defaults.max_chars, help="Most characters per text (413 beyond)"),
        max_depth: int = typer.Option(_Defaults.max_depth, help="Deepest JSON nesting of a body "
                                      "(422 beyond, before it is parsed)"),
        queue_size: int = typer.Option(_Defaults.queue_size, help="Requests waiting for the pipeline (503 beyond, at once)"),
        timeout: float = typer.Option(_Defaults.timeout_s, help="Seconds to answer a request (504 beyond)"),
        batch_tokens: int = opt.batch_tokens("--batch-tokens", "Gather concurrent requests up to "
                                             "this many tokens per batch"),
        max_wait_ms: float = typer.Option(_Defaults.max_wait_ms, help="...or for this long after the first of them arrived"),
        batch_size: int = opt.BATCH_SIZE,
        segment_tokens: int = opt.SEGMENT_TOKENS,
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
        from plait.errors import Errors
        from plait.errors import PlaitValueError
        from plait.serve.settings import ServeSettings

        key = None
        if api_key_env:
            key = os.environ.get(api_key_env)
            if not key:
                raise PlaitValueError(Errors.E148.format(
                    error=f"--api-key-env names ${api_key_env}, which is not set or empty"))
        if engine not in ("local", "ray"):
            raise PlaitValueError(Errors.E086.format(engine=engine))
        if engine == "local" and (replicas != 1 or address):
            raise PlaitValueError(Errors.E148.format(
                error="--replicas and --address are for --engine ray"))
        settings = ServeSettings(
            host=host, port=port, model=model,
            load=opt.load_options(gpu, gpu_id, quantize, runtime, code), text_field=text_field, id_field=id_field or None, max_body_bytes=max_body_bytes,
            max_records=max_records, max_chars=max_chars, max_depth=max_depth, queue_size=queue_size,
            timeout_s=timeout, batch=opt.batch_options(batch_size, batch_tokens, segment_tokens),
            max_wait_ms=max_wait_ms, api_key=key,
            cors_origins=tuple(cors_origin), page=page)
        if engine == "ray":
            from plait.serve.ray_serve import serve_ray

            serve_ray(settings, replicas=replicas, address=address, num_cpus=num_cpus)
        else:
            from plait.serve.local import serve_local

            serve_local(settings, log_level=log_level)
