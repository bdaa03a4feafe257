"""The local engine: one process, one pipeline-owning thread (:class:`Batcher`), served by uvicorn."""
from __future__ import annotations

import asyncio
import platform
import signal
import sys
from importlib import metadata
from typing import Any, Callable, Dict, List, Optional, Tuple

from plait.errors import Errors, PlaitError
from plait.serve.batcher import Batcher
from plait.errors import PlaitValueError
from plait.serve.bodies import Batchable
from plait.serve.settings import ServeSettings
from plait.serve.views import output_views

WARM_UP = "Plait warms the pipeline up with this short text. It is processed once, at start."


def require_serve(ray: bool = False) -> None:
    """The ``serve`` extra (FastAPI, uvicorn, prometheus-client), or a coded error saying what to
    install; with ``ray``, Ray Serve too."""
    missing = []
    for module, package in (("fastapi", "fastapi"), ("uvicorn", "uvicorn"),
                            ("prometheus_client", "prometheus-client")) + (
            (("ray.serve", "ray[serve]"),) if ray else ()):
        try:
            __import__(module)
        except ImportError as exc:
            missing.append((package, str(exc)))
    if missing:
        raise PlaitValueError(Errors.E146.format(
            packages=", ".join(p for p, _ in missing), verb="is" if len(missing) == 1 else "are",
            error=missing[0][1], extra="ray" if ray and missing[-1][0] == "ray[serve]" else "serve"))


def _version(dist: str) -> Optional[str]:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _labels(pipe: Any) -> Optional[List[str]]:
    try:
        labels = getattr(pipe, "labels", None)
        return None if labels is None else [str(label) for label in labels]
    except Exception:  # noqa: BLE001 - a component whose labels can't be read just has none listed
        return None


def _encoder(nlp: Any) -> Optional[str]:
    for name in nlp.pipe_names:
        model = nlp.config.get("components", {}).get(name, {}).get("model", {})
        if isinstance(model, dict):
            for key in ("encoder", "name"):
                if isinstance(model.get(key), str):
                    return model[key]
    return None


def pipeline_info(nlp: Any, settings: ServeSettings) -> Dict[str, Any]:
    """What ``/v1/info`` tells about a loaded pipeline."""
    meta = dict(getattr(nlp, "meta", {}) or {})
    components = [{"name": name, "factory": nlp.get_pipe_meta(name).factory,
                   "labels": _labels(nlp.get_pipe(name))} for name in nlp.pipe_names]
    views = output_views(nlp)
    return {
        "pipeline": {"name": meta.get("name"), "lang": nlp.lang, "version": meta.get("version"),
                     "description": meta.get("description") or None,
                     "model": settings.model or None},
        "components": components,
        "encoder": _encoder(nlp),
        "outputs": views,
        "output_fields": [view["field"] for view in views],  # those the Result schema types
        "load_options": {**settings.load_options,
                         "quantized": meta.get("plait_quantized") or None,
                         "runtime_used": meta.get("plait_runtime") or settings.load.runtime},
        "versions": {"plait": _version("plait"), "spacy": _version("spacy"),
                     "spacy-transformers": _version("spacy-transformers"),
                     "torch": _version("torch"), "python": platform.python_version()},
    }


def prepare(settings: ServeSettings, nlp: Any = None, views: Optional[List[Dict[str, Any]]] = None
            ) -> Tuple[Callable[[List[Any]], List[Dict[str, Any]]], Dict[str, Any]]:
    """Load the pipeline (unless given), warm it up, and return the function that processes a
    list of records into JSON-ready results (``plait.process``, as ``plait run`` calls it) and what
    ``/v1/info`` tells about it."""
    import plait

    opts = settings.process_options
    try:
        if nlp is None:
            nlp = plait.load(settings.model, options=settings.load)

        def process(records: List[Any]) -> List[Dict[str, Any]]:
            return [_to_json(r) for r in plait.process(nlp, records, **opts)]

        process([WARM_UP])
    except Exception as exc:  # noqa: BLE001 - reported with the model's name
        raise PlaitValueError(Errors.E046.format(model=settings.model or "(given)",
                                                 error=f"{type(exc).__name__}: {exc}")) from exc
    info = pipeline_info(nlp, settings)
    if views is not None:
        info["outputs"] = list(views)
    return process, info


def _to_json(result: Any) -> Dict[str, Any]:
    """One record's result as JSON-ready data; one that can't be serialized fails alone (its own
    request gets E143 naming it, the requests batched with it are answered)."""
    try:
        return result.model_dump(mode="json")
    except Exception as exc:  # noqa: BLE001 - e.g. pydantic's maximum serialization depth
        return {"id": result.id, "line": result.line, "errors": [Errors.E232.format(
            record=result.id, error=f"{type(exc).__name__}: {exc}")]}


class LocalBackend:
    """Loads the pipeline (or takes a loaded one) in the batcher's thread and serves from it."""

    engine = "local"

    def __init__(self, settings: ServeSettings, nlp: Any = None,
                 on_ready: Optional[Callable[[], None]] = None,
                 views: Optional[List[Dict[str, Any]]] = None) -> None:
        """``nlp``: a loaded pipeline (default: load ``settings.model``); ``views``: the outputs
        and their views to publish (default: what the components declare, :func:`output_views`)."""
        self.settings = settings
        self._nlp = nlp
        self._views = views
        self._info: Dict[str, Any] = {}
        self._on_ready = on_ready
        self.batcher = Batcher(self._load, queue_size=settings.queue_size,
                               batch_tokens=settings.batch.max_batch_tokens,
                               max_wait_s=settings.max_wait_ms / 1000.0)

    @property
    def observe(self) -> Any:
        return self.batcher.observe

    @observe.setter
    def observe(self, fn: Any) -> None:
        self.batcher.observe = fn

    def _load(self) -> Callable[[List[Any]], List[Dict[str, Any]]]:
        process, self._info = prepare(self.settings, self._nlp, self._views)
        self._info.update(engine="local", replicas=1)
        if self._on_ready is not None:
            self._on_ready()
        return process

    # Backend protocol
    @property
    def ready(self) -> bool:
        return self.batcher.ready

    @property
    def depth(self) -> int:
        return self.batcher.depth

    @property
    def failed(self) -> Optional[str]:
        return self.batcher.error if self.batcher.state == "failed" else None

    def describe(self) -> str:
        return self.batcher.describe()

    def info(self) -> Dict[str, Any]:
        return self._info

    def admit(self) -> None:
        self.batcher.admit()

    async def submit(self, batch: Batchable) -> List[Dict[str, Any]]:
        job = self.batcher.submit(batch)  # raises at once: not ready, queue full
        return await asyncio.wrap_future(job.future)

    def start(self) -> None:
        self.batcher.start()

    def stop(self) -> None:
        self.batcher.stop(timeout=self.settings.timeout_s)


def serve_local(settings: ServeSettings, *, log_level: str = "info") -> None:
    """Run the server until SIGINT/SIGTERM (in-flight requests are answered first)."""
    require_serve()
    import uvicorn

    from plait.serve.http_app import create_app

    server: List[Any] = []

    def ready() -> None:
        print(f"✔ Ready: {settings.model} at http://{settings.host}:{settings.port}/ "
              f"(API docs: /docs)", file=sys.stderr, flush=True)

    backend = LocalBackend(settings, on_ready=ready)
    backend.batcher.on_failed = lambda error: setattr(server[0], "should_exit", True)
    config = uvicorn.Config(create_app(backend, settings), host=settings.host, port=settings.port,
                            log_level=log_level, timeout_graceful_shutdown=int(settings.timeout_s) + 5,
                            access_log=log_level == "debug")
    server.append(uvicorn.Server(config))
    # uvicorn drains on SIGTERM, then raises the signal again to whatever handler was there before:
    # a handler that exits 0, so a clean drain ends with status 0 (a second SIGTERM while draining
    # still stops at once, as uvicorn's own handler does)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server[0].run()
    finally:
        signal.signal(signal.SIGTERM, previous)
    exc = backend.batcher.exception
    if exc is not None:
        if isinstance(exc, PlaitError):
            raise exc
        raise PlaitValueError(Errors.E046.format(model=settings.model,
                                                 error=f"{type(exc).__name__}: {exc}"))
