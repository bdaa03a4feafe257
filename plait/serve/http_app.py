"""The HTTP API as a FastAPI app over a *backend* (the local batcher, or a Ray Serve replica).

Routes: ``POST /v1/process``, ``GET /v1/health``, ``/v1/ready``, ``/v1/info``, ``/metrics``, the
OpenAPI docs (``/docs``, ``/openapi.json``) and the visual page (``/``, files under ``/static``).
Every error is answered as ``{"error": {"code", "status", "message", "records"?}}``.
"""

import asyncio
import hmac
import json
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Dict, List, Optional, Protocol

from plait.errors import Errors
from plait.serve.http_errors import ServeError
from plait.serve.metrics import Metrics
from plait.serve.bodies import Batchable, parse_body
from plait.serve.settings import ServeSettings

BIG_BODY = 256 * 1024  # bytes: bodies larger than this are parsed and answered in a thread
STATIC = Path(__file__).resolve().parent / "static"
ROUTES = ("/", "/v1/process", "/v1/health", "/v1/ready", "/v1/info", "/metrics", "/docs",
          "/openapi.json")


class Backend(Protocol):
    """What runs the pipeline: :class:`plait.serve.local.LocalBackend`, or a Ray Serve replica."""

    @property
    def ready(self) -> bool: ...

    @property
    def depth(self) -> int: ...

    def describe(self) -> str: ...

    def admit(self) -> None:
        """Raise a ServeError (503) at once if a request can't be queued now."""

    def info(self) -> Dict[str, Any]: ...

    async def submit(self, batch: Batchable) -> List[Dict[str, Any]]: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class _CountRequests:
    """ASGI middleware: every answer counted by route and status (unknown paths as 'other')."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [500]

        async def send_status(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            path = scope.get("path", "")
            route = path if path in ROUTES else "/static" if path.startswith("/static/") else "other"
            self.metrics.requests.labels(route, str(status[0])).inc()


def finish_results(batch: Batchable, results: List[Dict[str, Any]],
                   settings: ServeSettings) -> List[Dict[str, Any]]:
    """Number records within their own request (``line``; the id where a record has none), and
    turn records that failed in the pipeline into a 500 naming them."""
    failed = []
    for index, (result, defaulted) in enumerate(zip(results, batch.defaulted_ids(settings.id_field)),
                                                 1):
        if "line" in result:
            result["line"] = index
        if defaulted:
            result["id"] = index
        if result.get("errors"):
            failed.append({"index": index, "id": result.get("id"), "message": result["errors"][0]})
    if failed:
        details = "; ".join(f"record {f['index']} (id {f['id']!r}): {f['message']}"
                            for f in failed[:3])
        raise ServeError(500, Errors.E143.format(n=len(failed), details=details), records=failed)
    return results


async def _client_gone(request: Any) -> None:
    """Returns once the client has closed the connection (its body already read: the next ASGI
    message is the disconnect, which the server sends when the client goes or the answer is sent)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def answer_or_drop(request: Any, work: Any, timeout: float) -> Any:
    """The results of ``work``, or a :class:`ServeError`: 504 when ``timeout`` passes first, 499
    when the client goes first. Either way the work is cancelled: a request still queued is dropped
    and never processed (one already in a batch runs to the end of that batch)."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_client_gone(request))
    try:
        done, _ = await asyncio.wait({task, gone}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if task in done:
        return task.result()
    task.cancel()
    if gone in done:
        raise ServeError(499, Errors.E231.format(stage="while its records waited or ran"))
    raise ServeError(504, Errors.E141.format(timeout=timeout))


def _json(value: Any, status: int = 200, headers: Optional[Dict[str, str]] = None) -> Any:
    from fastapi.responses import Response

    return Response(json.dumps(value, ensure_ascii=False).encode("utf8"), status_code=status,
                    media_type="application/json", headers=headers)


REQUEST_SCHEMA = {
    "description": "One record, or a list of records. A record is an object with the text field "
                   "(default `text`), an optional id field (default `id`) and any other fields, "
                   "which come back unchanged in `extra`; or a plain string.",
    "required": True,
    "content": {"application/json": {
        "schema": {"oneOf": [
            {"$ref": "#/components/schemas/Record"},
            {"type": "array", "items": {"$ref": "#/components/schemas/Record"}, "minItems": 1}]},
        "examples": {
            "one": {"value": {"id": "a1", "text": "Apple opened a store in London."}},
            "many": {"value": [{"id": 1, "text": "The first text."}, "A second text."]}}}},
}
RECORD_SCHEMA = {"oneOf": [
    {"type": "object", "properties": {"id": {"type": ["string", "integer", "null"]},
                                      "text": {"type": "string", "pattern": "\\S"}},
     "required": ["text"], "additionalProperties": True},
    {"type": "string", "pattern": "\\S"}]}  # not empty, not only whitespace (E138)
ERROR_SCHEMA = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "status": {"type": "integer"}, "message": {"type": "string"},
    "records": {"type": "array", "items": {"type": "object"}}}}}}


def create_app(backend: Backend, settings: Optional[ServeSettings] = None) -> Any:
    """The FastAPI app serving ``backend`` under ``settings``."""
    from fastapi import Depends, FastAPI, Request
    from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse
    from starlette.exceptions import HTTPException
    from fastapi.staticfiles import StaticFiles

    from plait import __version__
    from plait.io.results import Result

    settings = settings or ServeSettings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        backend.start()
        try:
            yield
        finally:
            await asyncio.get_running_loop().run_in_executor(None, backend.stop)

    app = FastAPI(title="Plait", version=__version__, lifespan=lifespan, redirect_slashes=False,
                  description="A Plait pipeline over HTTP: POST records to `/v1/process`, get the "
                              "results `plait.process` gives. Concurrent requests are batched.")
    app.state.backend = backend
    if hasattr(backend, "observe"):
        backend.observe = metrics.observe_batch
    app.state.metrics = metrics
    app.state.settings = settings

    @app.exception_handler(ServeError)
    async def serve_error(request: Request, exc: ServeError) -> Any:
        return _json(exc.body(), exc.status, exc.headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Any:
        """Starlette's own 404 / 405, in the coded error form of every other answer."""
        method, path = request.method, request.url.path
        if exc.status_code == 405:
            allowed = {k.lower(): v for k, v in (exc.headers or {}).items()}.get("allow", "")
            error = ServeError(405, Errors.E234.format(method=method, path=path,
                                                       allowed=allowed or "another method"),
                               headers=dict(exc.headers or {}))
        elif exc.status_code == 404:
            error = ServeError(404, Errors.E233.format(method=method, path=path,
                                                       routes=", ".join(ROUTES)))
        else:
            error = ServeError(exc.status_code, f"[E000] {exc.detail}", headers=exc.headers)
        return _json(error.body(), error.status, error.headers)

    def api_key(request: Request) -> None:
        if settings.api_key is None:
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
                token.strip().encode("utf8"), settings.api_key.encode("utf8")):
            raise ServeError(401, Errors.E145, headers={"WWW-Authenticate": "Bearer"})

    async def read_body(request: Request) -> bytes:
        given = request.headers.get("content-type", "")
        kind = given.split(";", 1)[0].strip().lower()
        if kind and kind != "application/json" and not (kind.startswith("application/")
                                                         and kind.endswith("+json")):
            raise ServeError(415, Errors.E235.format(given=given))
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_body_bytes:
            raise ServeError(413, Errors.E130.format(size=int(length),
                                                     limit=settings.max_body_bytes))
        from starlette.requests import ClientDisconnect

        chunks, size = [], 0
        stream = request.stream()
        while True:
            try:
                chunk = await stream.__anext__()
            except StopAsyncIteration:
                break
            except ClientDisconnect:  # answered 499 (counted as such, no traceback)
                raise ServeError(499, Errors.E231.format(stage="while it sent the body")) from None
            size += len(chunk)
            if size > settings.max_body_bytes:
                raise ServeError(413, Errors.E130.format(size=f"more than {size}",
                                                         limit=settings.max_body_bytes))
            chunks.append(chunk)
        return b"".join(chunks)

    @app.post("/v1/process", dependencies=[Depends(api_key)], tags=["process"],
              openapi_extra={"requestBody": REQUEST_SCHEMA},
              responses={200: {"description": "One result per record (a single result for a "
                                              "single record), as `plait.process` gives them.",
                               "model": List[Result]},
                         401: {"description": "API key missing or wrong (E145)"},
                         413: {"description": "Body, records or text over a limit (E130-E132)"},
                         415: {"description": "A body that is not JSON by its Content-Type (E235)"},
                         422: {"description": "Malformed JSON, wrong types or empty text, naming "
                                                "the field and record (E133-E139, E149); nesting "
                                                "beyond --max-depth (E230)"},
                         500: {"description": "Processing failed (E142, E143)"},
                         503: {"description": "Queue full (E140, with Retry-After) or not ready "
                                                "(E144)"},
                         504: {"description": "Not answered within the timeout (E141)"}})
    async def process_records(request: Request) -> Any:
        """Process one record or a list of records, batched with concurrent requests."""
        started = time.perf_counter()
        metrics.in_progress.inc()
        try:
            backend.admit()  # queue full or not ready: 503 before reading the body
            body = await read_body(request)
            if len(body) > BIG_BODY:  # parse a big body off the event loop: it keeps answering
                batch = await asyncio.get_running_loop().run_in_executor(
                    None, parse_body, body, settings)
            else:
                batch = parse_body(body, settings)
            results = await answer_or_drop(request, backend.submit(batch), settings.timeout_s)
            results = finish_results(batch, results, settings)
            if len(body) > BIG_BODY:
                return await asyncio.get_running_loop().run_in_executor(
                    None, _json, results[0] if batch.single else results)
            return _json(results[0] if batch.single else results)
        finally:
            metrics.in_progress.dec()
            metrics.latency.observe(time.perf_counter() - started)
            metrics.queue_depth.set(backend.depth)

    @app.get("/v1/health", tags=["status"])
    async def health() -> Any:
        """Alive (the process answers)."""
        return {"status": "alive", "state": backend.describe()}

    @app.get("/v1/ready", tags=["status"],
             responses={503: {"description": "Loading, failed or shutting down (E144)"}})
    async def ready() -> Any:
        """Ready: the pipeline is loaded and warmed up, and the server is not shutting down."""
        if not backend.ready:
            raise ServeError(503, Errors.E144.format(state=backend.describe()),
                             headers={"Retry-After": "5"})
        return {"status": "ready"}

    @app.get("/v1/info", dependencies=[Depends(api_key)], tags=["status"])
    async def info() -> Any:
        """The pipeline, its components and labels, encoder, outputs and their views, versions,
        load options, limits and batching settings."""
        if not backend.ready:
            raise ServeError(503, Errors.E144.format(state=backend.describe()),
                             headers={"Retry-After": "5"})
        return {**backend.info(), "limits": {
            "max_body_bytes": settings.max_body_bytes, "max_records": settings.max_records,
            "max_chars": settings.max_chars, "max_depth": settings.max_depth, "queue_size": settings.queue_size,
            "timeout_s": settings.timeout_s},
            "batching": {"batch_tokens": settings.batch.max_batch_tokens,
                         "max_wait_ms": settings.max_wait_ms, "batch_size": settings.batch.batch_size,
                         "segment_tokens": settings.batch.segment_tokens},
            "fields": {"text": settings.text_field, "id": settings.id_field},
            "auth": settings.api_key is not None}

    @app.get("/metrics", tags=["status"], response_class=PlainTextResponse,
             responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                              "description": "Prometheus' text format"}})
    async def metrics_text() -> Any:
        """Prometheus metrics: requests by status, latency, batch sizes, queue depth, words."""
        from fastapi.responses import Response

        metrics.queue_depth.set(backend.depth)
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    if settings.page:
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

        @app.get("/", include_in_schema=False)
        async def page() -> Any:
            return FileResponse(STATIC / "index.html", media_type="text/html")
    else:
        @app.get("/", include_in_schema=False)
        async def no_page() -> Any:
            return HTMLResponse("<p>Plait: see <a href='/docs'>/docs</a>.</p>")

    _add_schemas(app, backend)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(_CountRequests, metrics=metrics)
    return app


def result_component(produced: Optional[List[str]], taken: Any = ()) -> Dict[str, Dict[str, Any]]:
    """The OpenAPI components of the ``Result`` schema: :func:`plait.io.results.json_schema` of the
    installed contracts (``produced``: the output fields of the served pipeline, the others always
    null), its ``$defs`` as components of their own (renamed ``Result<Name>`` where ``taken``
    already has the name) and every reference rewritten to them."""
    from plait.io.results import json_schema

    schema = json_schema(produced)
    for key in ("$schema", "$id"):  # an $id would move the base of every reference in the document
        schema.pop(key, None)
    defs = schema.pop("$defs", {})
    names = {name: f"Result{name}" if name in taken or name == "Result" else name for name in defs}
    text = json.dumps({"Result": schema, **{names[k]: v for k, v in defs.items()}})
    for old, new in names.items():
        text = text.replace(f'"#/$defs/{old}"', f'"#/components/schemas/{new}"')
    return json.loads(text)


def _add_schemas(app: Any, backend: Any) -> None:
    """The request body's Record schema, the error schema and the Result schema of the installed
    contracts and the served pipeline, in the OpenAPI components. Kept once the pipeline is ready
    (before, its output fields are not known: every installed output is declared, nullable)."""
    build = app.openapi

    def openapi() -> Dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["Record"] = RECORD_SCHEMA
        schemas["Error"] = ERROR_SCHEMA
        ready = backend.ready
        produced = backend.info().get("output_fields") if ready else None
        schemas.pop("Result", None)
        schemas.update(result_component(produced, taken=schemas))
        body = schema["paths"]["/v1/process"]["post"]
        result = {"$ref": "#/components/schemas/Result"}
        body["responses"]["200"]["content"] = {"application/json": {"schema": {"oneOf": [
            result, {"type": "array", "items": result, "minItems": 1}]}}}  # as the body was sent
        for status, answer in body["responses"].items():
            if status != "200":
                answer["content"] = {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Error"}}}
        if not ready:
            app.openapi_schema = None  # built again once the pipeline is loaded
        return schema

    app.openapi = openapi
