"""``plait train``'s training loop: spaCy's own, step for step, with checkpoints and ``--resume``.

spaCy's ``spacy.training.loop.train`` runs its steps inside a generator it owns, so nothing can save
the state between two steps or start at step N. This loop does what it does, in the same order and
with spaCy's own pieces (the config's ``[training]`` resolved by spaCy's schema, its corpus readers,
batcher, evaluation callback, ``subdivide_batch``, ``update_meta``, the ``before_update`` and
``before_to_disk`` callbacks, the config's logger), so a run trains the same weights as ``spacy train``
with the same config and seed, and adds:

- **checkpoints** (:mod:`plait.training.checkpoints`) between two steps, every N steps and/or M
  minutes, and when SIGTERM or Ctrl-C arrives (the step under way finishes first; a second Ctrl-C
  stops at once);
- **resume**: the pipeline is built from the same config, the checkpoint's weights, optimizer moments,
  settings and scores are put back, the schedules are advanced to the step, the batches already
  trained on are drawn again without training (so the batcher's own schedule and the shuffles are
  where they were), then the random states are put back, and training goes on with the next batch;
- ``model-last`` and ``model-best`` written atomically (a new folder renamed into place).

Which batch comes next depends on Python's random state at each epoch's shuffle, which the training
steps in between may also draw from: the loop records that state at every shuffle where it is not
simply the state the previous shuffle left (normally only the first), so drawing the batches again
gives exactly the same ones.

Stage 1 of the two-stage recipe keeps the frozen encoder's features in a cache
(:class:`plait.training.finetune.FeatureCache`); it is not saved but rebuilt on resume by encoding the
documents of the batches already trained on in the same order, which gives the same cache.

On a GPU, cupy's random generator (thinc's dropout there) has no state that can be saved: this loop
seeds it from (seed, step) before every step, in every run, so a resumed run draws the same.
"""
from __future__ import annotations

import random
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from plait.errors import DataError, Errors
from plait.training import checkpoints as ckpt
from plait.training.checkpoints import CheckpointError, CheckpointPolicy, TrainingInterrupted

DIR_MODEL_BEST = "model-best"
DIR_MODEL_LAST = "model-last"


class BatchStream:
    """spaCy's ``create_train_batches`` (the same shuffles, the same batches) that knows where it is
    and can be replayed up to a step (see the module's docstring)."""

    def __init__(self, nlp: Any, corpus: Callable, batcher: Callable, max_epochs: int) -> None:
        self.nlp, self.corpus, self.batcher, self.max_epochs = nlp, corpus, batcher, max_epochs
        self.marks: Dict[str, list] = {}
        self.epoch = 0
        self.index = 0  # batches of the current epoch drawn so far
        self._after: Optional[list] = None
        self._replay: Optional[Dict[str, list]] = None
        self._it = self._batches()

    def _mark(self, key: str) -> None:
        if self._replay is not None:
            if key in self._replay:
                ckpt.set_python_state(self._replay[key])
            return
        now = ckpt.python_state()
        if now != self._after:
            self.marks[key] = now

    def _batches(self):
        epoch = 0
        if self.max_epochs >= 0:
            self._mark("read")
            examples = list(self.corpus(self.nlp))
            self._after = ckpt.python_state()
            if not examples:
                raise DataError(Errors.E218.format(corpus=getattr(self.corpus, "path", "?")))
        while self.max_epochs < 1 or epoch != self.max_epochs:
            self._mark(str(epoch))
            if self.max_epochs >= 0:
                random.shuffle(examples)
            else:
                examples = self.corpus(self.nlp)
            self._after = ckpt.python_state()
            self.epoch, self.index = epoch, 0
            for batch in self.batcher(examples):
                self.index += 1
                yield epoch, batch
            epoch += 1

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._it)

    def replay(self, marks: Dict[str, list], batches: int, keep: bool = False) -> List[Any]:
        """Draw ``batches`` batches as a run with these ``marks`` drew them (returned if ``keep``)."""
        self._replay = marks
        past: List[Any] = []
        try:
            for _ in range(batches):
                _, batch = next(self._it)
                if keep:
                    past.append(batch)
        finally:
            self._replay = None
        self.marks = dict(marks)
        return past


class _Stop:
    """SIGTERM / Ctrl-C: remember it, let the step finish; a second one stops at once."""

    def __init__(self) -> None:
        self.signum: Optional[int] = None
        self._old: Dict[int, Any] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._old[signum] = signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.signum is not None:  # the second one: as if this handler had never been there
            self.uninstall()
            signal.raise_signal(signum)
            return
        self.signum = signum
        print(f"\n⚠ {signal.Signals(signum).name}: saving a checkpoint after this step "
              "(again to stop at once)", file=sys.stderr, flush=True)

    def uninstall(self) -> None:
        for signum, old in self._old.items():
            signal.signal(signum, old)
        self._old = {}


def _swap_in(tmp: Path, target: Path) -> None:
    """Put the folder ``tmp`` in the place of ``target`` (two renames)."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    if old.exists():
        shutil.rmtree(old)


def _seed_of(seed: Any, step: int) -> int:
    return (int(seed or 0) * 1_000_003 + step) % (2 ** 32)


def _reseed_cupy(seed: Any, step: int) -> None:
    try:
        import cupy
    except ImportError:
        return
    cupy.random.seed(_seed_of(seed, step))


def train_nlp(nlp: Any, output_path: Optional[Path], *, use_gpu: int = -1,
              stdout: Any = sys.stdout, stderr: Any = sys.stderr,
              policy: Optional[CheckpointPolicy] = None, identity: Optional[Dict[str, Any]] = None,
              resume: Optional[tuple] = None, command: str = "plait train ... --resume"
              ) -> Dict[str, Any]:
    """Train an initialized pipeline as ``spacy.training.loop.train`` does, with checkpoints into
    ``output_path/checkpoints`` (``policy``) and from ``resume`` (``(folder, tensors, state)`` of
    :func:`plait.training.checkpoints.latest`). ``identity`` (the config's text and hash, the corpora's
    hashes) goes into every checkpoint. Returns what the run did (steps, checkpoints, seconds)."""
    from spacy.schemas import ConfigSchemaTraining
    from spacy.training.loop import (create_before_to_disk_callback, create_evaluation_callback,
                                     subdivide_batch, update_meta)
    from spacy.util import registry, resolve_dot_names
    from thinc.api import constant, fix_random_seed, set_gpu_allocator
    from wasabi import Printer

    policy = policy or CheckpointPolicy(every_minutes=0)
    msg = Printer(no_print=True)
    config = nlp.config.interpolate()
    seed = config["training"]["seed"]
    if seed is not None:
        fix_random_seed(seed)
    allocator = config["training"]["gpu_allocator"]
    if use_gpu >= 0 and allocator:
        set_gpu_allocator(allocator)
    T = registry.resolve(config["training"], schema=ConfigSchemaTraining)
    train_corpus, dev_corpus = resolve_dot_names(config, [T["train_corpus"], T["dev_corpus"]])
    optimizer = T["optimizer"]
    batcher = T["batcher"]
    train_logger = T["logger"]
    before_to_disk = create_before_to_disk_callback(T["before_to_disk"])
    before_update = T["before_update"]
    frozen = T["frozen_components"]
    annotating = T["annotating_components"]
    evaluate = create_evaluation_callback(nlp, dev_corpus, T["score_weights"])
    dropout = T["dropout"]
    dropouts = constant(dropout) if isinstance(dropout, float) else dropout
    eval_frequency, patience, max_steps = T["eval_frequency"], T["patience"], T["max_steps"]
    accumulate = T["accumulate_gradient"]
    stream = BatchStream(nlp, train_corpus, batcher, T["max_epochs"])

    step, results, losses, words_seen, elapsed_before = 0, [], {}, 0, 0.0
    rebuild_cache: Optional[Callable] = None
    past: List[Any] = []
    if resume is not None:
        folder, tensors, state = resume
        ckpt.restore(nlp, optimizer, frozen, tensors, state)
        step = int(state["step"]) + 1
        for _ in range(step):  # the schedules where they were: one step_schedules and dropout a step
            optimizer.step_schedules()
            next(dropouts)
        rebuild_cache = getattr(before_update, "plait_rebuild_cache", None)
        head = getattr(before_update, "plait_head_steps", 0)
        past = stream.replay(state["marks"], step, keep=rebuild_cache is not None and step < head)
        results = [(score, s) for score, s in state["results"]]
        losses = dict(state["losses"])
        words_seen = int(state["words"])
        elapsed_before = float(state["seconds"])
        ckpt.set_random_states(tensors, state)
        stdout.write(msg.info(f"Resuming from {folder} (step {state['step']}, epoch "
                              f"{state['epoch']})") + "\n")
    elif output_path is not None:
        for sub in (output_path / DIR_MODEL_BEST, output_path / DIR_MODEL_LAST):
            if sub.exists():
                shutil.rmtree(sub)
        ckpt.remove_all(output_path)
    if output_path is not None:
        ckpt.clean_partial(output_path)

    def save_model(is_best: bool) -> None:
        with nlp.use_params(optimizer.averages):
            tmp = output_path / f".{DIR_MODEL_LAST}.tmp"
            if tmp.exists():
                shutil.rmtree(tmp)
            before_to_disk(nlp).to_disk(tmp)
        _swap_in(tmp, output_path / DIR_MODEL_LAST)
        if is_best:
            tmp = output_path / f".{DIR_MODEL_BEST}.tmp"
            if tmp.exists():
                shutil.rmtree(tmp)
            shutil.copytree(output_path / DIR_MODEL_LAST, tmp)
            _swap_in(tmp, output_path / DIR_MODEL_BEST)

    stats: Dict[str, Any] = {"written": 0, "seconds": 0.0, "last_mb": 0.0, "resumed_from":
                             (int(resume[2]["step"]) if resume is not None else None)}
    last_written = time.monotonic()

    def write_checkpoint(done_step: int, epoch: int) -> None:
        nonlocal last_written
        t0 = time.perf_counter()
        tensors, state = ckpt.capture(nlp, optimizer, frozen)
        state.update({
            "step": done_step, "epoch": epoch, "batch_in_epoch": stream.index,
            "marks": stream.marks, "results": [[score, s] for score, s in results],
            "losses": losses, "words": words_seen,
            "seconds": elapsed_before + (time.perf_counter() - started),
            "best": (max(results) if results else None),
            "model_best": str(output_path / DIR_MODEL_BEST),
            "recipe": dict(getattr(before_update, "plait_state", {}) or {}),
            **(identity or {})})
        state["recipe"].pop("cache", None)
        before = ckpt.complete(output_path)
        try:
            folder, size = ckpt.write(output_path, done_step, tensors, state, policy.keep)
        except OSError as exc:
            previous = (f"The previous checkpoint ({before[-1]}) is intact." if before else
                        "There is no earlier checkpoint.")
            raise CheckpointError(Errors.E210.format(
                step=done_step, dir=ckpt.checkpoint_dir(output_path), error=exc,
                previous=previous, command=command)) from None
        seconds = time.perf_counter() - t0
        stats["written"] += 1
        stats["seconds"] += seconds
        stats["last_mb"] = size / 2 ** 20
        kept = len(ckpt.complete(output_path))
        stderr.write(f"ℹ Checkpoint of step {done_step}: {size / 2 ** 20:.1f} MB in {seconds:.2f} s "
                     f"({kept} kept, {ckpt.disk_use(output_path) / 2 ** 20:.1f} MB in "
                     f"{folder.parent})\n")
        last_written = time.monotonic()

    stdout.write(msg.info(f"Pipeline: {nlp.pipe_names}") + "\n")
    if frozen:
        stdout.write(msg.info(f"Frozen components: {frozen}") + "\n")
    if annotating:
        stdout.write(msg.info(f"Set annotations on update for: {annotating}") + "\n")
    stdout.write(msg.info(f"Initial learn rate: {optimizer.learn_rate}") + "\n")
    with nlp.select_pipes(disable=frozen):
        log_step, finalize_logger = train_logger(nlp, stdout, stderr)
    stop = _Stop()
    stop.install()
    started = time.perf_counter()
    final_save = output_path is not None
    epoch = stream.epoch
    try:
        while True:
            try:
                epoch, batch = next(stream)
            except StopIteration:
                break
            if before_update:
                before_update(nlp, {"step": step, "epoch": epoch})
                if rebuild_cache is not None:  # encoding draws nothing the run would have drawn
                    snapshot = ckpt.snapshot_random()
                    rebuild_cache(nlp, past, accumulate)
                    ckpt.restore_random(snapshot)
                    rebuild_cache, past = None, []
            if use_gpu >= 0:
                _reseed_cupy(seed, step)
            drop = next(dropouts)
            for subbatch in subdivide_batch(batch, accumulate):
                nlp.update(subbatch, drop=drop, losses=losses, sgd=False, exclude=frozen,
                           annotates=annotating)
            for name, proc in nlp.pipeline:
                if (name not in frozen and hasattr(proc, "is_trainable") and proc.is_trainable
                        and proc.model not in (True, False, None)):
                    proc.finish_update(optimizer)
            optimizer.step_schedules()
            if not (step % eval_frequency):
                if optimizer.averages:
                    with nlp.use_params(optimizer.averages):
                        score, other_scores = evaluate()
                else:
                    score, other_scores = evaluate()
                results.append((score, step))
                is_best = score == max(results)[0]
            else:
                score, other_scores, is_best = None, None, None
            words_seen += sum(len(eg) for eg in batch)
            info = {"epoch": epoch, "step": step, "score": score, "other_scores": other_scores,
                    "losses": losses, "checkpoints": results,
                    "seconds": int(elapsed_before + time.perf_counter() - started),
                    "words": words_seen}
            if is_best is not None:
                with nlp.select_pipes(disable=frozen):
                    update_meta(T, nlp, info)
                if output_path is not None:
                    save_model(is_best)
                    info["output_path"] = str(output_path / DIR_MODEL_LAST)
            log_step(info if is_best is not None else None)
            if is_best is not None:
                losses = {}
            best_step = -max((r_score, -r_step) for r_score, r_step in results)[1]
            finished = bool((patience and (step - best_step) >= patience)
                            or (max_steps and step >= max_steps))
            done_step, step = step, step + 1
            if finished:
                break
            if output_path is not None and (
                    stop.signum is not None
                    or policy.due(step, time.monotonic() - last_written)):
                write_checkpoint(done_step, epoch)
            if stop.signum is not None:
                final_save = False
                name = signal.Signals(stop.signum).name
                where = ckpt.checkpoint_dir(output_path) if output_path is not None else "(none)"
                raise TrainingInterrupted(Errors.E217.format(signal=name, step=done_step,
                                                             dir=where, command=command),
                                          stop.signum)
    except CheckpointError:
        final_save = False
        raise
    except Exception as e:
        if output_path is not None and not isinstance(e, TrainingInterrupted):
            stdout.write(msg.warn(f"Aborting and saving the final best model. Encountered "
                                  f"exception: {repr(e)}") + "\n")
        raise
    finally:
        stop.uninstall()
        finalize_logger()
        if final_save:
            save_model(False)
    if output_path is not None:
        stats["freed_mb"] = ckpt.remove_all(output_path) / 2 ** 20
        stdout.write(msg.good("Saved pipeline to output directory",
                              output_path / DIR_MODEL_LAST) + "\n")
    stats.update(steps=step, seconds_before=elapsed_before,
                 train_seconds=elapsed_before + time.perf_counter() - started)
    return stats
