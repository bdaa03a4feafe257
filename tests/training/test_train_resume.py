"""`plait train --resume` (issue 32), for real: a tiny two-stage run over the tiny random encoder,
killed with SIGKILL at random points, stopped with SIGTERM, killed in the middle of a checkpoint
write, and stopped by a full disk, each time resumed to the end.

Exactness: every resumed run must end **bit-identical** to the uninterrupted run with the same seed:
the same bytes in every file of ``model-last`` and ``model-best`` (weights, tuned thresholds, scores
in meta.json). The runs are on the CPU with one thread for torch and BLAS (``OMP_NUM_THREADS=1``),
where the kernels are deterministic. The spec covers what a checkpoint must carry: two-stage
fine-tuning with stage 1's feature cache (kills before and after the switch), the optimizer's moments
and learning-rate warm-up, dropout, shuffles over several epochs with a compounding batch size, and
thresholds tuned on dev before each save.
"""
from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import pytest
import spacy
import yaml
from spacy.tokens import DocBin

from plait.plugins.registry import get_registry
from plait.training import checkpoints as ckpt
from plait.training.checkpoints import CheckpointError, CheckpointPolicy
from plait.training.trainer import train

TEXTS = [("the match was won in the final minute", "SPORTS"),
         ("the new phone has a faster chip", "TECH"),
         ("our team scored twice before half time", "SPORTS"),
         ("the app runs on every laptop", "TECH"),
         ("a late goal sent the fans home happy", "SPORTS"),
         ("this laptop boots in four seconds", "TECH")] * 2
STEPS = 12  # about 3 batches an epoch: 4 epochs, so shuffles and the batch position matter
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_NUM_THREADS": "1",
       "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "COLUMNS": "1000"}
ENV.pop(ckpt.FAULT_ENV, None)

pytestmark = pytest.mark.skipif("textcat" not in get_registry().components(),
                                reason="plait-textcat is not installed")


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("resume")
    nlp = spacy.blank("en")
    db = DocBin()
    for text, label in TEXTS:
        doc = nlp.make_doc(text)
        doc.cats = {"SPORTS": float(label == "SPORTS"), "TECH": float(label == "TECH")}
        db.add(doc)
    db.to_disk(root / "train.spacy")
    path = root / "spec.yml"
    path.write_text(yaml.safe_dump({
        "name": "resume", "encoder": "tiny-random", "transformer": {"window": 32, "stride": 24},
        "components": [{"component": "textcat", "labels": ["SPORTS", "TECH"],
                        "options": {"exclusive": False}}],  # multi-label: thresholds tuned on dev
        "training": {"train": str(root / "train.spacy"), "dev": str(root / "train.spacy"),
                     "max_steps": STEPS, "eval_frequency": 3, "warmup_steps": 2,
                     "batch_words": 30, "head_steps": 4, "head_learning_rate": 2e-2,
                     "encoder_learning_rate": 1e-3}}), encoding="utf8")
    return path


def _start(spec: Path, out: Path, *extra: str, env: Dict[str, str] = ENV) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "plait", "train", str(spec), "-o", str(out),
                             "--checkpoints.every_steps", "2", *extra], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _run(spec: Path, out: Path, *extra: str, env: Dict[str, str] = ENV):
    proc = _start(spec, out, *extra, env=env)
    log, _ = proc.communicate(timeout=300)
    return proc.returncode, _flat(log)


def _files(folder: Path) -> Dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _result(out: Path) -> Dict[str, Dict[str, str]]:
    return {"model-last": _files(out / "model-last"), "model-best": _files(out / "model-best")}


def _steps(out: Path) -> List[int]:
    return [int(p.name[len(ckpt.PREFIX):]) for p in ckpt.complete(out)]


@pytest.fixture(scope="module")
def reference(spec, tmp_path_factory):
    """The uninterrupted run (checkpointing as the others do: writing one changes nothing)."""
    out = tmp_path_factory.mktemp("reference") / "out"
    rc, log = _run(spec, out)
    assert rc == 0, log
    assert not (out / "checkpoints").exists()  # a finished run removes its checkpoints
    result = _result(out)
    assert "textcat/model" in result["model-last"] and "transformer/model" in result["model-last"]
    return result


def _assert_same(out: Path, reference) -> None:
    result = _result(out)
    assert result["model-best"] == reference["model-best"]  # the best score's pipeline, meta.json
    assert result["model-last"] == reference["model-last"]  # the final weights, bit for bit


def _kill_after_checkpoint(proc: subprocess.Popen, out: Path, step: int, delay: float,
                           signum: int = signal.SIGKILL) -> str:
    """Wait until this process has completed the checkpoint of ``step`` (or a later one), wait
    ``delay`` seconds more (into the next step or the next write) and send ``signum``."""
    deadline = time.monotonic() + 240
    before = max(_steps(out), default=-1)  # the earlier process's
    while not any(s >= step and s > before for s in _steps(out)):
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "no checkpoint appeared"
        time.sleep(0.01)
    time.sleep(delay)
    proc.send_signal(signum)
    log, _ = proc.communicate(timeout=120)
    return _flat(log)


def _flat(log: str) -> str:
    """The log with its line breaks as spaces (wasabi puts a long path on a line of its own)."""
    return " ".join(log.split())


def test_runs_killed_at_random_points_and_stopped_resume_to_the_same_model(spec, reference,
                                                                          tmp_path):
    rng = random.Random(int(os.environ.get("PLAIT_RESUME_TEST_SEED", "32")))
    out = tmp_path / "out"
    proc = _start(spec, out)
    # SIGKILL in stage 1 (the feature cache is rebuilt) and in stage 2
    for step in (1, 5):
        _kill_after_checkpoint(proc, out, step, rng.uniform(0.0, 0.15))
        assert proc.returncode == -signal.SIGKILL
        resumed_from = max(_steps(out))
        proc = _start(spec, out, "--resume")
    # SIGTERM: a checkpoint after the step under way, a message, a clean exit (128 + 15)
    log = _kill_after_checkpoint(proc, out, 7, 0.0, signal.SIGTERM)
    assert f"Resuming from {out / 'checkpoints' / ckpt.PREFIX}{resumed_from:08d} (step " in log
    assert proc.returncode == 128 + signal.SIGTERM, log
    assert "E217" in log and "SIGTERM" in log and "--resume" in log and "Traceback" not in log
    rc, log = _run(spec, out, "--resume")
    assert rc == 0, log
    assert "Resuming from" in log
    _assert_same(out, reference)
    assert not (out / "checkpoints").exists()


def test_a_kill_during_a_checkpoint_write_leaves_the_previous_one(spec, reference, tmp_path):
    out = tmp_path / "out"
    # the test hook kills the process between the tensors and the state of its 2nd checkpoint
    rc, log = _run(spec, out, env={**ENV, ckpt.FAULT_ENV: "kill:2"})
    assert rc == -signal.SIGKILL, log
    assert _steps(out) == [1]
    partial = [p for p in (out / "checkpoints").iterdir() if p.name.startswith(".tmp-")]
    assert len(partial) == 1 and (partial[0] / "tensors.pt").exists()
    assert not (partial[0] / "state.json").exists()
    rc, log = _run(spec, out, "--resume")
    assert rc == 0, log
    assert "step-00000001 (step 1," in log
    _assert_same(out, reference)


def test_a_full_disk_stops_the_run_and_the_previous_checkpoint_resumes(spec, reference,
                                                                       tmp_path):
    out = tmp_path / "out"
    # the 2nd checkpoint's write fails with the system's ENOSPC (a write to /dev/full)
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full to fill")
    rc, log = _run(spec, out, env={**ENV, ckpt.FAULT_ENV: "enospc:2"})
    assert rc == 1, log
    assert "E210" in log and "No space left on device" in log and "Traceback" not in log
    assert "step-00000001) is intact" in log and "--resume" in log
    assert _steps(out) == [1]
    assert not [p for p in (out / "checkpoints").iterdir() if p.name.startswith(".tmp-")]
    folder, tensors, state = ckpt.latest(out)
    assert state["step"] == 1 and state["epoch"] == 0 and "rng/torch" in tensors
    assert state["recipe"]["stage"] == 1  # stage 1 of the two-stage recipe, cache not saved

    # another config or other data is refused, naming what changed; the checkpoint stays
    # (checked before the pipeline is built, so in this process)
    with pytest.raises(CheckpointError, match=r"E211.*training\.dropout"):
        train(spec, out, overrides={"training.dropout": 0.3, "checkpoints.every_steps": 2},
              resume=True)
    corpus = Path(state["corpora"]["corpora.train"]["path"])
    data = corpus.read_bytes()
    try:
        corpus.write_bytes(data + b"\0")
        with pytest.raises(CheckpointError, match=r"E212.*corpora\.train"):
            train(spec, out, overrides={"checkpoints.every_steps": 2}, resume=True)
    finally:
        corpus.write_bytes(data)
    assert _steps(out) == [1]

    rc, log = _run(spec, out, "--resume")
    assert rc == 0, log
    _assert_same(out, reference)


def test_checkpoint_options_and_help(tmp_path):
    overrides = {"checkpoints.every_steps": 50, "checkpoints.keep": 3, "training.max_steps": 9}
    policy = CheckpointPolicy.from_overrides(overrides)
    assert (policy.every_steps, policy.every_minutes, policy.keep) == (50, 5.0, 3)
    assert overrides == {"training.max_steps": 9}  # not passed on to spaCy
    assert policy.due(100, 0.0) and not policy.due(101, 299.0) and policy.due(101, 300.0)
    for bad in ({"checkpoints.keep": 0}, {"checkpoints.every_steps": -1},
                {"checkpoints.every_steps": 2.5}, {"checkpoints.often": 1}):
        with pytest.raises(CheckpointError, match="E215"):
            CheckpointPolicy.from_overrides(dict(bad))
    assert ckpt.latest(tmp_path) is None  # --resume without a checkpoint starts afresh
    help_text = subprocess.run([sys.executable, "-m", "plait", "train", "--help"], env={
        **ENV, "COLUMNS": "200"}, capture_output=True, text=True).stdout
    assert "--resume" in help_text and "checkpoints.every_minutes" in help_text
