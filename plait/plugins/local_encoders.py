"""Encoders registered from local folders with ``plait encoders add NAME DIR``.

A plugin of its own (entry point ``local-encoders``) so that a broken ``$PLAIT_HOME/encoders.json``
is reported as this plugin's failure and never hides the built-in encoders.
"""
from __future__ import annotations

from pathlib import Path

from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import EncoderInfo


def _resolver(path: str):
    def resolve() -> Path:
        return Path(path)

    return resolve


@hookimpl
def register_encoders(register):
    import json

    from plait.training.encoders import local_encoders, read_manifest

    for name, entry in sorted(local_encoders().items()):
        path = entry["path"]
        width = max_length = None
        try:
            config = json.loads((Path(path) / "config.json").read_text(encoding="utf8"))
            width = config.get("hidden_size")
            max_length = config.get("max_position_embeddings")
        except (OSError, ValueError):
            pass  # resolve_encoder reports the missing folder when the encoder is used
        manifest = read_manifest(path)
        register(EncoderInfo(name=name, resolve=_resolver(path), package="",
                             description=entry.get("description") or manifest.get("description", ""),
                             width=width, max_length=max_length))
