"""What ``pretrain`` and ``distill`` do alike around the loop: read and split the text, check the
output folder, fingerprint a run for ``resume``, write ``plait-encoder.json``."""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from plait.training.encoders import MANIFEST
from plait.errors import AdaptError, Errors
from plait.adapt.loop import LoopSettings, existing_run, train
from plait.adapt.text_sources import Rejected, SourceRecord, read_sources, sha256_path
from plait.adapt.chunks import pack, split_heldout

REJECTS = "rejects.jsonl"


@dataclass
class SplitText:
    train: List[str]
    heldout: List[str]
    sources: List[SourceRecord]
    rejected: List[Rejected]


def read_and_split(sources: Sequence[str], *, verb: str, heldout: float, seed: int,
                   text_field: Optional[str] = None, fmt: Optional[str] = None,
                   corpus_source: Optional[Path] = None,
                   on_reject: Optional[Callable[[Rejected], None]] = None) -> SplitText:
    texts = read_sources(sources, text_field=text_field, fmt=fmt, corpus_source=corpus_source,
                         seed=seed, on_reject=on_reject)
    if not texts.documents:
        rejects = f" and {len(texts.rejected)} rejected record(s)" if texts.rejected else ""
        raise AdaptError(Errors.E170.format(verb=verb, sources=", ".join(map(str, sources)),
                                            docs=0, rejects=rejects))
    train, held = split_heldout(texts.documents, heldout, seed)
    return SplitText(train, held, texts.sources, texts.rejected)


def check_output(out_dir: Path, log_name: str, *, resume: bool, overwrite: bool) -> None:
    if resume or overwrite:
        return
    what = existing_run(out_dir, log_name)
    if what:
        raise AdaptError(Errors.E175.format(path=out_dir, what=what))


def write_rejects(out_dir: Path, rejected: List[Rejected]) -> Optional[Path]:
    path = out_dir / REJECTS
    if not rejected:
        if path.exists():
            path.unlink()
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf8") as fh:
        for rej in rejected:
            fh.write(json.dumps({"source": rej.source, "line": rej.line, "reason": rej.reason,
                                 "text": rej.text}) + "\n")
    return path


@dataclass
class RunStart:
    """What a run starts from: its output folder, the resolved base encoder, the split text and
    where its rejected records were written."""

    output: Path
    base: Path
    text: SplitText
    rejects: Optional[Path]


def prepare_run(output: Path, encoder: str, sources: Sequence[str], *, verb: str, log_name: str,
                settings: LoopSettings, resume: bool, overwrite: bool, heldout: float,
                text_field: Optional[str], fmt: Optional[str], corpus_source: Optional[Path],
                on_reject: Optional[Callable[[Rejected], None]]) -> RunStart:
    """The start both runs share: check the output folder, resolve the base encoder, read and
    split the text, write the rejected records."""
    from plait.training.encoders import resolve_encoder

    output = Path(output)
    check_output(output, log_name, resume=resume, overwrite=overwrite)
    base = resolve_encoder(encoder)
    text = read_and_split(sources, verb=verb, heldout=heldout, seed=settings.seed,
                          text_field=text_field, fmt=fmt, corpus_source=corpus_source,
                          on_reject=on_reject)
    return RunStart(output, base, text, write_rejects(output, text.rejected))


def pack_windows(start: RunStart, tokenizer: Any, window: int,
                 say: Callable[[str], None]) -> Tuple[Any, Any]:
    """The split text packed into windows of ``window`` pieces (train, held out), said in a line."""
    text = start.text
    train_set, held_set = pack(text.train, tokenizer, window), pack(text.heldout, tokenizer, window)
    say(f"Text: {len(text.train)} training documents ({train_set.tokens} pieces, {len(train_set)} "
        f"windows of {window}), {len(text.heldout)} held out ({held_set.tokens} pieces)"
        + (f"; {len(text.rejected)} record(s) rejected, see {start.rejects}"
           if start.rejects else ""))
    return train_set, held_set


def run_objective(start: RunStart, objective: Any, train_set: Any, held_set: Any,
                  settings: LoopSettings, *, kind: str, identity: Dict[str, Any],
                  record: Dict[str, Any], resume: bool, on_step: Any, progress: Any,
                  say: Callable[[str], None]) -> Any:
    """Train ``objective`` under the fingerprint both kinds build alike (the base's and sources'
    hashes, the loop, plus ``identity``: what else decides the run); ``record`` goes into the
    run's start record with the sources."""
    sources = start.text.sources
    run_id = fingerprint(kind=kind, base=sha256_path(start.base),
                         sources=[s.sha256 for s in sources], loop=loop_fingerprint(settings),
                         **identity)
    return train(objective, train_set, held_set, settings, start.output, fingerprint=run_id,
                 resume=resume, on_step=on_step, progress=progress, echo=say,
                 start_record={**record, "sources": [s.to_json() for s in sources]})


def finish_run(start: RunStart, train_set: Any, held_set: Any, result: Any, settings: LoopSettings,
               *, kind: str, description: str, base_encoder: Dict[str, Any],
               objective: Dict[str, Any], heldout: float,
               heldout_extra: Optional[Dict[str, Any]] = None, **extra: Any) -> Dict[str, Any]:
    """Write the run's manifest (encoder-manifest.json) and return it: what both kinds record
    alike (sources, documents, tokens, steps, time, the held-out scores before and after,
    the settings) around their own ``objective`` and ``extra`` fields."""
    text = start.text
    manifest = {
        "kind": kind, "description": description, "base_encoder": base_encoder,
        "objective": objective,
        "sources": [s.to_json() for s in text.sources],
        "documents": {"train": len(text.train), "heldout": len(text.heldout),
                      "rejected": len(text.rejected)},
        "tokens": train_set.tokens, "heldout_tokens": held_set.tokens,
        "steps": result.steps, "epochs": result.epochs, "best_step": result.best_step,
        "stopped": result.stopped, "seconds": result.elapsed_s,
        "heldout": {"fraction": heldout, "before": result.before, "after": result.after,
                    **(heldout_extra or {})},
        **extra,
        "settings": settings.to_json(),
    }
    write_manifest(start.output, manifest)
    return manifest


def fingerprint(**parts: Any) -> Dict[str, Any]:
    """What determines a run's data and updates, as plain JSON (``resume`` refuses a mismatch)."""

    def plain(value: Any) -> Any:
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return value
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return str(value)

    return plain(parts)


def loop_fingerprint(settings: LoopSettings) -> Dict[str, Any]:
    """The settings that change the data order or the updates (budgets may change on resume)."""
    data = settings.to_json()
    for key in ("max_minutes", "gpu_id", "keep_checkpoints", "patience"):
        data.pop(key, None)
    return data


def write_manifest(out_dir: Path, manifest: Dict[str, Any]) -> Path:
    import plait

    manifest = {"plait_encoder": 1, "created": datetime.datetime.now(datetime.timezone.utc)
                .isoformat(timespec="seconds"), "plait_version": getattr(plait, "__version__", ""),
                **manifest}
    path = Path(out_dir) / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf8")
    return path


def load_encoder(path: Path, model_class: Any, **kwargs: Any) -> Tuple[Any, Any]:
    """(``model_class.from_pretrained(path, **kwargs)``, its fast tokenizer), with transformers'
    own loading chatter off (what matters is reported in words); E177 when either fails."""
    import transformers
    from transformers import AutoTokenizer

    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    try:
        model = model_class.from_pretrained(str(path), **kwargs)
        tokenizer = AutoTokenizer.from_pretrained(str(path), use_fast=True)
    except Exception as exc:
        raise AdaptError(Errors.E177.format(path=path, error=f"{type(exc).__name__}: {exc}")) \
            from exc
    finally:
        transformers.logging.set_verbosity(verbosity)
    return model, tokenizer


def base_name(encoder: str, path: Path) -> Dict[str, Any]:
    """How the manifest names the encoder a run started from (its own manifest, if it has one)."""
    from plait.training.encoders import read_manifest

    out: Dict[str, Any] = {"name": str(encoder), "path": str(path)}
    parent = read_manifest(path)
    if parent:
        out["manifest"] = {k: parent.get(k) for k in ("kind", "base_encoder", "teacher", "steps")
                           if k in parent}
    try:
        cfg = json.loads((path / "config.json").read_text(encoding="utf8"))
        out.update(model_type=cfg.get("model_type"), layers=cfg.get("num_hidden_layers"),
                   hidden_size=cfg.get("hidden_size"))
    except (OSError, ValueError):
        pass
    return out
