"""The training loop both objectives share.

Reproducible by construction: the batch order of epoch ``e`` is a permutation seeded by ``(seed, e)``,
and everything random inside step ``s`` (masking, dropout) is seeded by ``(seed, s)``. The data a run
sees is therefore a function of its step count alone, which is what makes ``resume`` exact: a killed
run restarts from its last checkpoint (weights, optimizer, schedule, scaler, counters) and replays the
same batches with the same masks. Every evaluation record in the log carries ``data_digest``, a running
hash of the batches seen so far, so two runs can be compared.

A head warm-up (``head_steps``) trains only the objective's new head for the first steps, over the
frozen encoder: a randomly initialised head would otherwise send noise into the encoder's weights
before it has learnt anything (the first stage of two-stage fine-tuning, applied to pre-training).

Held-out evaluation runs before the first step (the "before" figures), every ``eval_every`` steps and
at the end; the best evaluation's weights are kept (``checkpoints/best``) and written as the output
encoder; ``patience`` evaluations without improvement stop the run early.
"""
from __future__ import annotations

import hashlib
import json
import math
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import numpy

from plait.errors import AdaptError, Errors
from plait.adapt.chunks import WindowSet

CHECKPOINTS = "checkpoints"


@dataclass
class LoopSettings:
    """Budgets and optimisation settings of a run (``plait pretrain``/``distill`` options)."""

    max_steps: int = 10_000
    max_epochs: int = 0  # 0: no limit
    max_minutes: float = 0.0  # 0: no limit; counted over all resumed segments
    batch_size: int = 16  # windows per step
    learning_rate: float = 5e-5
    warmup: float = 0.06  # < 1: fraction of the steps; >= 1: a number of steps
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    eval_every: int = 200
    patience: int = 5  # evaluations without improvement before stopping; 0: never stop early
    seed: int = 0
    gpu_id: int = -1
    mixed_precision: bool = True  # on a GPU only
    keep_checkpoints: bool = False
    # steps at the start that train only the objective's new head, the encoder frozen (its forward
    # without gradients); the objective says which parameters are the encoder's
    head_steps: int = 0

    def to_json(self) -> Dict[str, Any]:
        return asdict(self)


class Objective:
    """What a run trains: a model, a loss on a batch, a held-out evaluation, a way to save."""

    name = "objective"  # log file: <name>-log.jsonl
    metric = "loss"  # held-out metric to minimise

    model: Any
    frozen_encoder = False  # set by the loop during the head warm-up (LoopSettings.head_steps)

    def encoder_parameters(self) -> List[Any]:
        """The parameters the head warm-up leaves untouched (none: no warm-up for this objective)."""
        return []

    def to(self, device: Any) -> None:
        self.model.to(device)

    def train_loss(self, windows: WindowSet, indices: List[int], step: int, device: Any) -> Any:
        raise NotImplementedError

    def evaluate(self, windows: WindowSet, device: Any, batch_size: int) -> Dict[str, float]:
        raise NotImplementedError

    def save(self, path: Path) -> None:
        raise NotImplementedError

    def describe(self, metrics: Dict[str, float]) -> str:
        return ", ".join(f"{k} {v:.4g}" for k, v in metrics.items())


@dataclass
class RunResult:
    steps: int
    epochs: float
    before: Dict[str, float]
    after: Dict[str, float]
    best_step: int
    stopped: str
    elapsed_s: float
    data_digest: str
    log: List[Dict[str, Any]] = field(default_factory=list)
    # held-out figures at the end of the head warm-up (None without one)
    after_head_warm_up: Optional[Dict[str, float]] = None


def device_for(gpu_id: int) -> Any:
    import torch

    if gpu_id < 0:
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise AdaptError(Errors.E176.format(gpu_id=gpu_id, found="no CUDA device"))
    if gpu_id >= torch.cuda.device_count():
        raise AdaptError(Errors.E176.format(gpu_id=gpu_id,
                                            found=f"{torch.cuda.device_count()} device(s)"))
    return torch.device(f"cuda:{gpu_id}")


def _seed_of(seed: int, *parts: int) -> int:
    return int(numpy.random.SeedSequence([seed, *parts]).generate_state(1)[0])


def _atomic_dir(target: Path, write: Callable[[Path], None]) -> None:
    tmp = target.with_name(target.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    write(tmp)
    old = target.with_name(target.name + ".old")
    if target.exists():
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    tmp.rename(target)
    if old.exists():
        shutil.rmtree(old)


def existing_run(out_dir: Path, log_name: str) -> str:
    """What of an earlier run ``out_dir`` holds ('' if nothing)."""
    found = [p for p in (log_name, CHECKPOINTS) if (out_dir / p).exists()]
    return ", ".join(found)


def train(objective: Objective, train_set: WindowSet, heldout: WindowSet, settings: LoopSettings,
          out_dir: Path, *, fingerprint: Dict[str, Any], resume: bool = False,
          on_step: Optional[Callable[[int], None]] = None, progress: bool = True,
          echo: Optional[Callable[[str], None]] = None,
          start_record: Optional[Dict[str, Any]] = None) -> RunResult:
    """Train ``objective`` on ``train_set``; write checkpoints and ``<name>-log.jsonl`` to ``out_dir``."""
    import torch

    started = time.monotonic()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ckpt_dir = out_dir / CHECKPOINTS
    last_dir, best_dir = ckpt_dir / "last", ckpt_dir / "best"
    log_path = out_dir / f"{objective.name}-log.jsonl"
    device = device_for(settings.gpu_id)
    model = objective.model
    objective.to(device)

    n = len(train_set)
    bs = max(1, min(settings.batch_size, n))
    per_epoch = max(1, math.ceil(n / bs))
    total = settings.max_steps
    if settings.max_epochs:
        total = min(total, settings.max_epochs * per_epoch) if total else settings.max_epochs * per_epoch
    total = max(1, total)
    warmup = int(settings.warmup if settings.warmup >= 1 else round(settings.warmup * total))

    decay, no_decay = [], []
    for pname, param in model.named_parameters():
        if not param.requires_grad:
            continue
        (no_decay if param.ndim < 2 or "norm" in pname.lower() else decay).append(param)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": settings.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}],
                                  lr=settings.learning_rate)

    def lr_at(step: int) -> float:
        if warmup and step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (total - step) / max(1, total - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_at)
    amp_dtype = None
    if device.type == "cuda" and settings.mixed_precision:
        amp_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=amp_dtype == torch.float16)

    state: Dict[str, Any] = {"step": 0, "best": None, "best_step": 0, "since_best": 0,
                             "digest": hashlib.sha256(b"plait").hexdigest(), "elapsed_s": 0.0,
                             "before": None, "warm": None, "loss_sum": 0.0, "loss_n": 0}
    log: List[Dict[str, Any]] = []

    def write_log(record: Dict[str, Any]) -> None:
        log.append(record)
        with log_path.open("a", encoding="utf8") as fh:
            fh.write(json.dumps(record, sort_keys=True) + "\n")

    if resume:
        if not (last_dir / "state.json").exists():
            raise AdaptError(Errors.E174.format(path=out_dir, reason="it holds no checkpoint "
                                                f"({last_dir} is missing)"))
        saved = json.loads((last_dir / "state.json").read_text(encoding="utf8"))
        theirs = saved.get("fingerprint") or {}
        if theirs != fingerprint:
            differ = sorted(k for k in set(theirs) | set(fingerprint)
                            if theirs.get(k) != fingerprint.get(k))
            raise AdaptError(Errors.E174.format(path=out_dir, reason="these differ from the "
                                                f"checkpoint's run: {', '.join(differ)}"))
        model.load_state_dict(torch.load(last_dir / "model.pt", map_location=device))
        optimizer.load_state_dict(torch.load(last_dir / "optimizer.pt", map_location=device))
        scheduler.load_state_dict(torch.load(last_dir / "scheduler.pt"))
        scaler.load_state_dict(torch.load(last_dir / "scaler.pt"))
        state.update(saved["state"])
        write_log({"event": "resume", "step": state["step"], "data_digest": state["digest"]})
    else:
        if log_path.exists():
            log_path.unlink()
        if ckpt_dir.exists():
            shutil.rmtree(ckpt_dir)
        write_log({"event": "start", "objective": objective.name, "train_windows": n,
                   "heldout_windows": len(heldout), "train_tokens": train_set.tokens,
                   "heldout_tokens": heldout.tokens, "total_steps": total, "warmup_steps": warmup,
                   "steps_per_epoch": per_epoch, "device": str(device),
                   "mixed_precision": str(amp_dtype).replace("torch.", "") if amp_dtype else None,
                   "settings": settings.to_json(), **(start_record or {})})

    say = echo or (lambda line: None)
    frozen = objective.encoder_parameters() if settings.head_steps > 0 else []

    def evaluate() -> Dict[str, float]:
        model.eval()
        with torch.no_grad(), torch.autocast(device.type, dtype=amp_dtype or torch.float32,
                                             enabled=amp_dtype is not None):
            metrics = objective.evaluate(heldout, device, bs)
        model.train()
        return {k: float(v) for k, v in metrics.items()}

    def save_last() -> None:
        state["elapsed_s"] = elapsed()

        def write(tmp: Path) -> None:
            torch.save(model.state_dict(), tmp / "model.pt")
            torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
            torch.save(scheduler.state_dict(), tmp / "scheduler.pt")
            torch.save(scaler.state_dict(), tmp / "scaler.pt")
            (tmp / "state.json").write_text(json.dumps({"fingerprint": fingerprint,
                                                        "state": state}), encoding="utf8")

        _atomic_dir(last_dir, write)

    def save_best() -> None:
        _atomic_dir(best_dir, lambda tmp: torch.save(model.state_dict(), tmp / "model.pt"))

    base_elapsed = float(state["elapsed_s"])

    def elapsed() -> float:
        return base_elapsed + time.monotonic() - started

    if state["before"] is None:
        before = evaluate()
        state["before"] = before
        state["best"] = before[objective.metric]
        save_best()
        write_log({"event": "eval", "step": 0, "epoch": 0.0, "heldout": before, "best": True,
                   "elapsed_s": round(elapsed(), 3), "data_digest": state["digest"]})
        say(f"step {0:>6}  held-out {objective.describe(before)}")
        save_last()

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, initial=state["step"], desc=objective.name, unit="step",
                   file=sys.stderr, dynamic_ncols=True, leave=False)
        say = (lambda line: bar.write(line, file=sys.stderr)) if echo else say
    perms: Dict[int, numpy.ndarray] = {}
    model.train()
    stopped = "max-steps"
    try:
        while state["step"] < total:
            step = state["step"]
            epoch, pos = divmod(step, per_epoch)
            if epoch not in perms:
                perms.clear()
                perms[epoch] = numpy.random.default_rng([settings.seed, 11, epoch]).permutation(n)
            indices = [int(i) for i in perms[epoch][pos * bs:(pos + 1) * bs]]
            state["digest"] = hashlib.sha256((state["digest"] + ",".join(map(str, indices)))
                                             .encode("ascii")).hexdigest()
            torch.manual_seed(_seed_of(settings.seed, 13, step))
            objective.frozen_encoder = step < settings.head_steps
            with torch.autocast(device.type, dtype=amp_dtype or torch.float32,
                                enabled=amp_dtype is not None):
                loss = objective.train_loss(train_set, indices, step, device)
            value = float(loss.detach())
            if not math.isfinite(value):
                from plait.errors import TrainingDiverged

                raise TrainingDiverged(Errors.E030.format(step=step, component=objective.name,
                                                          value=value))
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            if objective.frozen_encoder:  # no gradient: AdamW leaves them (and their moments) be
                for param in frozen:
                    param.grad = None
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            state["step"] = step + 1
            state["loss_sum"] += value
            state["loss_n"] += 1
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{value:.3f}", refresh=False)
            out_of_time = bool(settings.max_minutes) and elapsed() >= settings.max_minutes * 60
            warmed = bool(settings.head_steps) and state["step"] == settings.head_steps
            if (state["step"] % settings.eval_every == 0 or state["step"] == total or out_of_time
                    or warmed):
                metrics = evaluate()
                if warmed:  # the stock encoder with a trained head: the fair "before" figure
                    state["warm"] = metrics
                value_now = metrics[objective.metric]
                improved = value_now < state["best"]
                if improved:
                    state.update(best=value_now, best_step=state["step"], since_best=0)
                    save_best()
                else:
                    state["since_best"] += 1
                train_loss = state["loss_sum"] / max(1, state["loss_n"])
                state.update(loss_sum=0.0, loss_n=0)
                write_log({"event": "eval", "step": state["step"],
                           "epoch": round(state["step"] / per_epoch, 3),
                           "lr": scheduler.get_last_lr()[0], "train_loss": train_loss,
                           "heldout": metrics, "best": improved,
                           "elapsed_s": round(elapsed(), 3), "data_digest": state["digest"]})
                say(f"step {state['step']:>6}  train loss {train_loss:.4g}  held-out "
                    f"{objective.describe(metrics)}{'  (best)' if improved else ''}")
                if bar is not None:
                    bar.set_postfix({objective.metric: f"{value_now:.4g}"}, refresh=True)
                save_last()
                if settings.patience and state["since_best"] >= settings.patience:
                    stopped = "early-stop"
                    break
                if out_of_time:
                    stopped = "max-minutes"
                    break
            if on_step is not None:
                on_step(state["step"])
    finally:
        if bar is not None:
            bar.close()

    model.load_state_dict(torch.load(best_dir / "model.pt", map_location=device))
    after = _best_from_file(log_path, state["best_step"]) or dict(state["before"])
    model.eval()
    objective.save(out_dir)
    result = RunResult(steps=state["step"], epochs=round(state["step"] / per_epoch, 3),
                       before=state["before"], after=after, best_step=state["best_step"],
                       stopped=stopped, elapsed_s=round(elapsed(), 3), data_digest=state["digest"],
                       log=log, after_head_warm_up=state.get("warm"))
    write_log({"event": "end", "step": state["step"], "best_step": state["best_step"],
               "stopped": stopped, "before": state["before"], "after": after,
               "elapsed_s": result.elapsed_s, "data_digest": state["digest"]})
    if not settings.keep_checkpoints:
        shutil.rmtree(ckpt_dir, ignore_errors=True)
    return result


def _best_from_file(log_path: Path, best_step: int) -> Dict[str, float]:
    best: Dict[str, float] = {}
    for line in log_path.read_text(encoding="utf8").splitlines():
        record = json.loads(line)
        if record.get("event") == "eval" and record.get("step") == best_step:
            best = record["heldout"]
    return best
