"""Compose and train in one step (``plait train``), and the record of how a run was made (run.json).

``train(spec_or_config, output, gpu_id=..., overrides={...})`` takes a pipeline spec (``.yml``, composed
here) or a spaCy config (``.cfg``), applies overrides in spaCy's own dotted form
(``{"training.max_steps": 30}``), and runs ``spacy train`` with the composed config's progress logger
and NaN guard (``plait.ConsoleLogger.v1``). When the step count is overridden the learning-rate
schedule is stretched to it (and its warm-up kept inside it), so a shorter budget still decays to
zero. Next to ``model-best``/``model-last`` it writes the effective ``config.cfg`` and ``run.json``
(settings, wall time, hardware, library versions, git commit).
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Optional, Union

from .errors import DataError, Errors

PathLike = Union[str, Path]


def schedule_overrides(config: Any, overrides: Dict[str, Any]) -> Dict[str, Any]:
    """Overrides that follow from ``overrides``: a new ``training.max_steps`` stretches the
    warm-up/linear learning-rate schedule and keeps ``patience`` from stopping the run early (unless
    those are overridden too)."""
    out: Dict[str, Any] = {}
    steps = overrides.get("training.max_steps")
    if not steps:
        return out
    steps = int(steps)
    training = config["training"]
    lr = training["optimizer"]["learn_rate"]
    if isinstance(lr, dict) and "total_steps" in lr:
        out["training.optimizer.learn_rate.total_steps"] = steps
        out["training.optimizer.learn_rate.warmup_steps"] = min(
            int(lr.get("warmup_steps", 0)), max(1, steps // 10))
    out["training.patience"] = max(int(training.get("patience", 0) or 0), steps)
    stages = training.get("before_update")
    if isinstance(stages, dict) and stages.get("head_steps") and training.get("max_steps"):
        # two-stage fine-tuning: the head-only stage keeps its share of the new step budget
        share = int(stages["head_steps"]) / int(training["max_steps"])
        out["training.before_update.head_steps"] = int(round(share * steps))
    return {k: v for k, v in out.items() if k not in overrides}


def hardware(gpu_id: int) -> Dict[str, Any]:
    info: Dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version(),
                            "cpu_count": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
        if gpu_id >= 0 and torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(gpu_id)
    except ImportError:
        pass
    return info


def git_commit(mark_dirty: bool = True) -> str:
    """Short commit of HEAD, with ``+dirty`` when tracked files have changes (``mark_dirty``)."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    if not mark_dirty:
        return out
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return out + ("+dirty" if dirty else "")


def versions() -> Dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("spacy", "spacy-transformers", "transformers", "torch", "plait"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return out


def run_record(config_path: PathLike, overrides: Dict[str, Any], *, gpu_id: int,
               started: datetime, wall: float, **extra: Any) -> Dict[str, Any]:
    """What run.json holds: the effective settings, time, hardware, versions and commit."""
    from spacy import util

    effective = util.load_config(config_path, overrides=overrides, interpolate=True)["training"]
    lr = effective["optimizer"]["learn_rate"]
    size = effective["batcher"].get("size")
    return {
        "config": str(config_path),
        **extra,
        "overrides": overrides,
        "max_steps": effective["max_steps"],
        "eval_frequency": effective["eval_frequency"],
        "batch_words": size.get("start") if isinstance(size, dict) else size,
        "learning_rate": lr.get("initial_rate") if isinstance(lr, dict) else lr,
        "gpu_id": gpu_id,
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 1),
        "hardware": hardware(gpu_id),
        "versions": versions(),
        "commit": git_commit(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }


def _check_corpora(config: Any, overrides: Dict[str, Any], where: PathLike) -> None:
    paths = config.get("paths", {})
    for split in ("train", "dev"):
        value = overrides.get(f"paths.{split}", paths.get(split))
        if isinstance(value, str) and value and not value.startswith("$") and not Path(value).exists():
            raise DataError(Errors.E119.format(path=where, split=split, data=value))


def train(source: PathLike, output: Optional[PathLike] = None, *, gpu_id: Optional[int] = None,
          overrides: Optional[Dict[str, Any]] = None, **record: Any) -> Dict[str, Any]:
    """Compose (a ``.yml`` spec) or read (a ``.cfg``) and train; returns what run.json holds."""
    from spacy import util
    from spacy.cli.train import train as spacy_train

    from .compose import compose, config_to_str
    from .spec import load_spec

    source = Path(source)
    overrides = dict(overrides or {})
    if source.suffix.lower() in (".yml", ".yaml"):
        spec = load_spec(source)
        config = compose(spec, source=str(source))
        output = Path(output) if output is not None else Path("training") / spec.name
        gpu = spec.training.gpu_id if gpu_id is None else gpu_id
        text = config_to_str(config, header=(f"Composed by `plait train {source}` for pipeline "
                                             f"'{spec.name}'."))
    else:
        text = source.read_text(encoding="utf8")
        config = util.load_config_from_str(text, interpolate=False)
        output = Path(output) if output is not None else Path("training") / source.stem
        gpu = -1 if gpu_id is None else gpu_id
    _check_corpora(config, overrides, source)
    overrides.update(schedule_overrides(config, overrides))
    output.mkdir(parents=True, exist_ok=True)
    config_path = output / "config.cfg"
    config_path.write_text(text, encoding="utf8")
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    spacy_train(config_path, output, use_gpu=gpu, overrides=overrides)
    wall = time.perf_counter() - t0
    run = run_record(config_path, overrides, gpu_id=gpu, started=started, wall=wall,
                     source=str(source), **record)
    (output / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf8")
    return run
