"""``plait serve``: a trained pipeline behind HTTP (FastAPI + uvicorn, the ``serve`` extra).

Concurrent requests are gathered by a token budget and a maximum wait into one ``plait.process`` call
in the single thread that owns the pipeline (:mod:`plait.serve.batcher`), so a transformer pipeline
serves near its batch throughput. :mod:`plait.serve.http_app` builds the API (``/v1/process``, health,
readiness, info, Prometheus metrics, the visual page at ``/``); :mod:`plait.serve.ray_serve` runs the
same API as a Ray Serve deployment. See docs/serve.md.
"""
from __future__ import annotations

from typing import Any

__all__ = ["ServeSettings", "create_app", "output_views"]


def __getattr__(name: str) -> Any:  # lazy: importing plait.serve imports neither FastAPI nor spaCy
    if name == "ServeSettings":
        from plait.serve.settings import ServeSettings

        return ServeSettings
    if name == "create_app":
        from plait.serve.http_app import create_app

        return create_app
    if name == "output_views":
        from plait.serve.views import output_views

        return output_views
    raise AttributeError(f"module 'plait.serve' has no attribute {name!r}")
