"""Compose and train in one step (``plait train``), and the record of how a run was made (run.json).

``train(spec_or_config, output, gpu_id=..., overrides={...})`` takes a pipeline spec (``.yml``, composed
here) or a spaCy config (``.cfg``), applies overrides in spaCy's own dotted form
(``{"training.max_steps": 30}``), and runs ``spacy train`` with the composed config's progress logger
and NaN guard (``plait.ConsoleLogger.v1``), in Plait's copy of spaCy's training loop
(:mod:`plait.training.train_loop`), which checkpoints the whole training state every few minutes
(or steps) and on SIGTERM / Ctrl-C, so that ``resume=True`` (``plait train --resume``) continues a
killed run exactly. When the step count is overridden the learning-rate
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

from plait.errors import DataError, Errors, SpecError, Warnings

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
    stages = fine_tuning_block(config)
    if stages is not None:
        head = overrides.get("training.before_update.head_steps")
        if head is None and stages.get("head_steps") and training.get("max_steps"):
            # two-stage fine-tuning: the head-only stage keeps its share of the new step budget
            share = int(stages["head_steps"]) / int(training["max_steps"])
            head = out["training.before_update.head_steps"] = int(round(share * steps))
        if stages.get("encoder_warmup_steps"):
            # the encoder's own warm-up stays within a tenth of its stage, as the warm-up above
            stage2 = max(1, steps - int(head if head is not None else stages.get("head_steps", 0)))
            out["training.before_update.encoder_warmup_steps"] = min(
                int(stages["encoder_warmup_steps"]), max(1, stage2 // 10))
    return {k: v for k, v in out.items() if k not in overrides}


def check_eval_schedule(max_steps: Any, eval_frequency: Any) -> bool:
    """Warn (W002) when the last steps of a run would never be evaluated; True when they all are."""
    try:
        steps, every = int(max_steps or 0), int(eval_frequency or 0)
    except (TypeError, ValueError):  # an unresolved ${...} reference: nothing to check here
        return True
    if steps <= 0 or every <= 0 or steps % every == 0:
        return True
    import warnings

    warnings.warn(Warnings.W002.format(steps=steps, every=every, rest=steps % every,
                                       suggest=max(every, steps - steps % every)), stacklevel=2)
    return False


def fitting_eval_frequency(max_steps: int, every: int) -> Optional[int]:
    """The largest evaluation interval of at most ``every`` and at least half of it (or all of a
    shorter run) that divides ``max_steps``, so the run's last steps count for ``model-best``;
    None where there is none."""
    for candidate in range(min(every, max_steps), min(max_steps, max(1, (every + 1) // 2)) - 1, -1):
        if max_steps % candidate == 0:
            return candidate
    return None


def fine_tuning_block(config: Any) -> Optional[Dict[str, Any]]:
    """The config's ``[training.before_update]`` when it is ``plait.fine_tuning.v1`` with a recipe
    (a head-only stage or per-group rates), else None: a block that only hands memory back
    (``trim_memory``) belongs to a single-stage config."""
    block = config["training"].get("before_update")
    if not (isinstance(block, dict) and block.get("@callbacks") == "plait.fine_tuning.v1"):
        return None
    from plait.training.finetune import is_recipe

    if not is_recipe(block.get("head_steps", 0), block.get("encoder_lr_scale", 1.0),
                     block.get("encoder_warmup_steps", 0), block.get("trainable_layers", 0)):
        return None
    return block


def rate_overrides(config: Any, *, head_steps: Optional[int] = None,
                   head_rate: Optional[float] = None, encoder_rate: Optional[float] = None,
                   where: PathLike = "config") -> Dict[str, Any]:
    """Overrides of a two-stage config's head-only steps and its heads' and encoder's rates.

    The optimizer's rate is the heads' (``learn_rate.initial_rate``); the encoder's is that times
    the callback's ``encoder_lr_scale``, so either rate given alone keeps the other one as it was.
    """
    if head_steps is None and head_rate is None and encoder_rate is None:
        return {}
    block = fine_tuning_block(config)
    if block is None:
        option = ("--head-steps" if head_steps is not None else
                  "--head-learning-rate" if head_rate is not None else "--encoder-learning-rate")
        raise SpecError(Errors.E156.format(path=where, option=option))
    out: Dict[str, Any] = {}
    if head_steps is not None:
        out["training.before_update.head_steps"] = int(head_steps)
    lr = config["training"]["optimizer"]["learn_rate"]
    old_head = float(lr["initial_rate"] if isinstance(lr, dict) else lr)
    old_encoder = old_head * float(block.get("encoder_lr_scale", 1.0))
    new_head = old_head if head_rate is None else float(head_rate)
    new_encoder = old_encoder if encoder_rate is None else float(encoder_rate)
    if head_rate is not None:
        key = ("training.optimizer.learn_rate.initial_rate" if isinstance(lr, dict)
               else "training.optimizer.learn_rate")
        out[key] = new_head
    out["training.before_update.encoder_lr_scale"] = new_encoder / new_head
    return out


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

    config = util.load_config(config_path, overrides=overrides, interpolate=True)
    effective = config["training"]
    lr = effective["optimizer"]["learn_rate"]
    rate = lr.get("initial_rate") if isinstance(lr, dict) else lr
    size = effective["batcher"].get("size")
    return {
        "config": str(config_path),
        **extra,
        "overrides": overrides,
        "max_steps": effective["max_steps"],
        "eval_frequency": effective["eval_frequency"],
        "batch_words": size.get("start") if isinstance(size, dict) else size,
        "learning_rate": rate,
        **_stages_record(config, rate),
        "gpu_id": gpu_id,
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 1),
        "hardware": hardware(gpu_id),
        "versions": versions(),
        "commit": git_commit(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }


def _stages_record(config: Any, head_rate: float) -> Dict[str, Any]:
    """run.json's record of two-stage fine-tuning: head-only steps and the two groups' rates."""
    block = fine_tuning_block(config)
    if block is None:
        return {}
    return {"head_steps": int(block.get("head_steps", 0)), "head_learning_rate": head_rate,
            "encoder_learning_rate": float(head_rate) * float(block.get("encoder_lr_scale", 1.0)),
            "encoder_warmup_steps": int(block.get("encoder_warmup_steps", 0)),
            **({"encoder_trainable_layers": int(block["trainable_layers"])}
               if block.get("trainable_layers") else {})}


def _check_corpora(config: Any, overrides: Dict[str, Any], where: PathLike) -> None:
    paths = config.get("paths", {})
    for split in ("train", "dev"):
        value = overrides.get(f"paths.{split}", paths.get(split))
        if isinstance(value, str) and value and not value.startswith("$") and not Path(value).exists():
            raise DataError(Errors.E119.format(path=where, split=split, data=value))


def train(source: PathLike, output: Optional[PathLike] = None, *, gpu_id: Optional[int] = None,
          overrides: Optional[Dict[str, Any]] = None, resume: bool = False,
          initialize_only: bool = False, **record: Any) -> Dict[str, Any]:
    """Compose (a ``.yml`` spec) or read (a ``.cfg``) and train; returns what run.json holds.

    ``initialize_only``: initialize the pipeline (labels, weights, and whatever a component
    derives without examples, e.g. a zero-shot classifier's label vectors) and save it as
    ``model-best`` and ``model-last`` without a training step: the 0-example point of
    ``plait curve``.

    ``checkpoints.every_steps`` / ``every_minutes`` / ``keep`` among ``overrides`` set when the
    training state is checkpointed (:class:`plait.training.checkpoints.CheckpointPolicy`);
    ``resume`` continues from the output folder's last checkpoint (a run without one starts afresh).
    """
    from spacy import util

    from plait.training.checkpoints import CheckpointPolicy
    from plait.training.compose import compose, config_to_str
    from plait.training.spec import load_spec

    source = Path(source)
    overrides = dict(overrides or {})
    given = dict(overrides)  # what the resume command repeats (checkpoint options included)
    policy = CheckpointPolicy.from_overrides(overrides)
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
    check_eval_schedule(overrides.get("training.max_steps", config["training"].get("max_steps")),
                        overrides.get("training.eval_frequency",
                                      config["training"].get("eval_frequency")))
    command = resume_command(source, output, gpu_id, given)
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    done = fit(text, output, gpu=gpu, overrides=overrides, policy=policy, resume=resume,
               command=command, initialize_only=initialize_only)
    wall = time.perf_counter() - t0
    config_path = output / "config.cfg"
    run = run_record(config_path, overrides, gpu_id=gpu, started=started, wall=wall,
                     source=str(source), **record)
    run["train_seconds"] = round(done["train_seconds"], 1)
    run["checkpoints"] = {"every_steps": policy.every_steps, "every_minutes": policy.every_minutes,
                          "keep": policy.keep, "written": done["written"],
                          "seconds": round(done["seconds"], 2), "last_mb": round(done["last_mb"], 1)}
    if done["resumed_from"] is not None:
        run["resumed_from_step"] = done["resumed_from"]
    (output / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf8")
    return run


def resume_command(source: PathLike, output: PathLike, gpu_id: Optional[int],
                   overrides: Dict[str, Any]) -> str:
    """The command line that continues this run (named in the interruption and disk-full errors)."""
    import shlex

    parts = ["plait", "train", str(source), "-o", str(output)]
    if gpu_id is not None:
        parts += ["--gpu-id", str(gpu_id)]
    for key, value in overrides.items():
        parts += [f"--{key}", value if isinstance(value, str) else json.dumps(value)]
    return " ".join(shlex.quote(p) for p in parts + ["--resume"])


def fit(text: str, output: Path, *, gpu: int, overrides: Dict[str, Any], policy: Any,
        resume: bool = False, command: str = "", initialize_only: bool = False) -> Dict[str, Any]:
    """``spacy train`` of the config ``text`` (with ``overrides``) into ``output``, by Plait's loop
    (:mod:`plait.training.train_loop`): checkpoints as ``policy`` says, from the last one when
    ``resume``. Writes ``output/config.cfg``; returns the loop's account of the run.
    ``initialize_only``: the initialized pipeline is saved as it is, with no training step."""
    from spacy import util
    from spacy.cli._util import setup_gpu, show_validation_error
    from spacy.training.initialize import init_nlp
    from wasabi import msg

    from plait.training import checkpoints as ckpt
    from plait.training.train_loop import train_nlp

    output.mkdir(parents=True, exist_ok=True)
    config_path = output / "config.cfg"
    with show_validation_error(config_path):
        effective = util.load_config_from_str(text, overrides=overrides, interpolate=False)
    effective_text = effective.to_str()
    identity = {"config": effective_text, "config_sha256": ckpt.config_digest(effective_text),
                "corpora": ckpt.corpus_digests(effective.interpolate())}
    found = ckpt.latest(output) if resume else None
    if found is not None:
        ckpt.check_same_run(found[2], effective_text, identity["corpora"], output)
    elif resume:
        msg.info(f"No checkpoint in {ckpt.checkpoint_dir(output)}: training from the start")
    elif ckpt.complete(output):
        msg.warn(f"Starting afresh: the checkpoints of an earlier run in "
                 f"{ckpt.checkpoint_dir(output)} are removed (--resume continues it)")
    config_path.write_text(text, encoding="utf8")
    msg.info(f"Saving to output directory: {output}")
    setup_gpu(gpu)
    msg.divider("Initializing pipeline")
    with show_validation_error(config_path, hint_fill=False):
        nlp = init_nlp(effective, use_gpu=gpu)
    msg.good("Initialized pipeline")
    if initialize_only:
        for folder in ("model-last", "model-best"):
            nlp.to_disk(output / folder)
        msg.good(f"Saved the initialized pipeline (no training step) to {output / 'model-best'}")
        return {"train_seconds": 0.0, "written": 0, "seconds": 0.0, "last_mb": 0.0,
                "resumed_from": None}
    msg.divider("Training pipeline")
    return train_nlp(nlp, output, use_gpu=gpu, stdout=sys.stdout, stderr=sys.stderr,
                     policy=policy, identity=identity, resume=found, command=command)

def budget_overrides(source: PathLike, *, corpus: Optional[PathLike] = None,
                     seed: Optional[int] = None, max_steps: int = 0, eval_frequency: int = 0,
                     batch_words: int = 0, learning_rate: float = 0.0,
                     head_steps: Optional[int] = None, head_learning_rate: float = 0.0,
                     encoder_learning_rate: float = 0.0, encoder: str = "") -> Dict[str, Any]:
    """spaCy overrides for ``plait train``'s budget options (0, None or "" keeps the spec's value).

    ``corpus`` is a folder with ``train/`` and ``dev/``; ``batch_words`` sets a fixed or a
    compounding batch size alike. A two-stage config (``plait.fine_tuning.v1`` with a recipe) takes
    ``head_steps`` and the two groups' rates, and there ``learning_rate`` is the spec's
    ``learning_rate``, the encoder's (the heads keep theirs unless ``head_learning_rate``); given to
    a single-stage config the two-stage options raise E156. The schedule is stretched to a new
    ``max_steps`` by :func:`train` itself (:func:`schedule_overrides`).
    """
    from spacy import util

    source = Path(source)
    if source.suffix.lower() in (".yml", ".yaml"):
        from plait.training.compose import compose
        from plait.training.spec import load_spec

        config = compose(load_spec(source), source=str(source))
    else:
        config = util.load_config(source, interpolate=False)
    out: Dict[str, Any] = {}
    if corpus:
        out["paths.train"] = str(Path(corpus) / "train")
        out["paths.dev"] = str(Path(corpus) / "dev")
    if seed is not None:
        out["system.seed"] = int(seed)
    training = config["training"]
    if max_steps:
        out["training.max_steps"] = int(max_steps)
        every = training.get("eval_frequency")
        if not eval_frequency and isinstance(every, int) and every > 0 and max_steps % every:
            fitted = fitting_eval_frequency(int(max_steps), every)
            if fitted:  # the last steps evaluated too (W002 otherwise): a budget, not a trap
                out["training.eval_frequency"] = fitted
    if eval_frequency:
        out["training.eval_frequency"] = int(eval_frequency)
    if batch_words:
        if isinstance(training["batcher"].get("size"), dict):
            out["training.batcher.size.start"] = int(batch_words)
            out["training.batcher.size.stop"] = int(batch_words)
        else:
            out["training.batcher.size"] = int(batch_words)
    two_stage = head_steps is not None or head_learning_rate or encoder_learning_rate
    if two_stage or fine_tuning_block(config) is not None:
        out.update(rate_overrides(
            config, head_steps=head_steps, head_rate=head_learning_rate or None,
            encoder_rate=encoder_learning_rate or learning_rate or None, where=source))
    elif learning_rate:
        lr = training["optimizer"]["learn_rate"]
        key = ("training.optimizer.learn_rate.initial_rate" if isinstance(lr, dict)
               else "training.optimizer.learn_rate")
        out[key] = float(learning_rate)
    if encoder:
        out["components.transformer.model.encoder"] = encoder
    return out
