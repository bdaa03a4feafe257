"""``plait serve --engine ray``: the same API as a Ray Serve deployment of ``--replicas`` replicas.

Each replica loads the pipeline once (in its constructor) and serves the FastAPI app of
:mod:`plait.serve.http_app` (built in the replica, ``__serve_build_asgi_app__``). Concurrent requests
reaching a replica are gathered by Ray Serve's batching (``serve.batch``: up to ``batch_size``
requests, waiting at most ``max_wait_ms``) into one ``plait.process`` call. Ray Serve's proxy
spreads requests over the replicas and answers 503 once ``queue_size`` requests wait for a replica.
Needs ``pip install 'plait[ray]'`` (``ray[serve]``); every node needs plait and the pipeline.
"""
from __future__ import annotations

import asyncio
import math
import signal
import sys
import threading
from typing import Any, Dict, List, Optional

from plait.errors import Errors
from plait.serve.http_errors import ServeError
from plait.serve.bodies import Batchable
from plait.serve.settings import ServeSettings

APP_NAME = "plait"


class ReplicaBackend:
    """The :class:`~plait.serve.http_app.Backend` of one replica: requests go through ``serve.batch``."""

    engine = "ray"

    def __init__(self, replica: Any, settings: ServeSettings) -> None:
        self.replica = replica
        self.settings = settings
        self.pending = 0

    @property
    def ready(self) -> bool:
        return True  # a replica serves once its constructor (load + warm-up) has run

    @property
    def depth(self) -> int:
        return self.pending

    def describe(self) -> str:
        return "ready"

    def info(self) -> Dict[str, Any]:
        return self.replica.info

    def admit(self) -> None:
        if self.pending >= self.settings.queue_size:
            raise ServeError(503, Errors.E140.format(depth=self.pending, retry=1),
                             headers={"Retry-After": "1"})

    async def submit(self, batch: Batchable) -> List[Dict[str, Any]]:
        self.admit()
        self.pending += 1
        try:
            out = await self.replica.process_batch(batch.records)
        finally:
            self.pending -= 1
        if isinstance(out, ServeError):
            raise out
        return out

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def build_app(settings: ServeSettings, *, replicas: int = 1, num_cpus: float = 1.0) -> Any:
    """The bound Ray Serve application (pass it to ``serve.run``)."""
    from ray import serve

    @serve.deployment(name="PlaitPipeline", num_replicas=replicas,
                      ray_actor_options={"num_cpus": num_cpus},
                      max_ongoing_requests=max(settings.batch.batch_size * 2, 8),
                      max_queued_requests=settings.queue_size,
                      graceful_shutdown_timeout_s=settings.timeout_s + 5)
    @serve.ingress()
    class PlaitPipeline:
        def __init__(self, settings: ServeSettings, replicas: int) -> None:
            from plait.serve.local import prepare

            self.settings = settings
            self._process, info = prepare(settings)
            self.info = {**info, "engine": "ray", "replicas": replicas}

        def __serve_build_asgi_app__(self) -> Any:
            from plait.serve.http_app import create_app

            return create_app(ReplicaBackend(self, self.settings), self.settings)

        @serve.batch(max_batch_size=settings.batch.batch_size,
                     batch_wait_timeout_s=settings.max_wait_ms / 1000.0)
        async def process_batch(self, requests: List[List[Any]]) -> List[Any]:
            records = [r for request in requests for r in request]
            try:
                results = await asyncio.get_running_loop().run_in_executor(
                    None, self._process, records)
            except Exception as exc:  # noqa: BLE001 - fails this batch's requests only
                error = ServeError(500, Errors.E142.format(error=f"{type(exc).__name__}: {exc}"))
                return [error for _ in requests]
            out, pos = [], 0
            for request in requests:
                out.append(results[pos:pos + len(request)])
                pos += len(request)
            return out

    return PlaitPipeline.bind(settings, replicas)


def serve_ray(settings: ServeSettings, *, replicas: int = 1, address: Optional[str] = None,
              num_cpus: float = 1.0) -> None:
    """Start Ray Serve (on ``address``, else a local Ray), deploy, and serve until SIGINT/SIGTERM."""
    from plait.serve.http_errors import ServeSetupError
    from plait.serve.local import require_serve

    require_serve(ray=True)
    if replicas < 1 or num_cpus <= 0:
        raise ServeSetupError(Errors.E148.format(error="--replicas and --num-cpus must be positive"))
    import ray
    from ray import serve

    started = False
    if not ray.is_initialized():
        # a local Ray gets the CPUs the replicas ask for (its controller and proxy need none)
        # ("local": a new one, even where another Ray runs on this machine; --address auto joins it)
        cpus = None if address else max(1, math.ceil(replicas * num_cpus))
        ray.init(address=address or "local", num_cpus=cpus, include_dashboard=False,
                 log_to_driver=False)
        started = True
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        serve.start(http_options={"host": settings.host, "port": settings.port})
        try:
            serve.run(build_app(settings, replicas=replicas, num_cpus=num_cpus), name=APP_NAME,
                      route_prefix="/", blocking=False)
        except Exception as exc:  # noqa: BLE001 - a replica failed to start (load error)
            raise ServeSetupError(Errors.E147.format(model=settings.model,
                                                     error=f"{type(exc).__name__}: {exc}"))
        print(f"✔ Ready: {settings.model} at http://{settings.host}:{settings.port}/ on Ray Serve, "
              f"{replicas} replica(s) (API docs: /docs)", file=sys.stderr, flush=True)
        stop.wait()
    finally:
        serve.shutdown()  # replicas finish their in-flight requests first
        if started:
            ray.shutdown()
