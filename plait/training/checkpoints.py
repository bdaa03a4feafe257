"""Checkpoints of a running ``plait train``: the whole training state, written atomically, so that
``plait train SPEC --resume`` continues a killed run exactly where it stopped.

A checkpoint is a folder ``<output>/checkpoints/step-<NNNNNNNN>`` holding

- ``tensors.pt``: the weights of every trained component (thinc parameters, and the state of every
  PyTorch model inside, e.g. the shared transformer), which parameters hold a gradient, the
  optimizer's moments (and averages), the torch random state(s);
- ``state.json`` (written last): step, epoch and the batch position in the data, the random states of
  Python and numpy, the optimizer's per-parameter update counts, the scores so far (and so the best
  one, whose pipeline is ``model-best``), the losses since the last evaluation, the components'
  settings (tuned calibration and thresholds live there), the two-stage recipe's stage, the hash of
  the effective config and of every corpus file.

Parameters are keyed by their place in the pipeline (component, node number in ``model.walk()``,
shim number, name), not by thinc's process-wide ids, so a checkpoint loads into a pipeline built again
from the same config in a new process. Frozen components are not saved: they never change and are
built again as at the start.

Writing: into ``checkpoints/.tmp-step-N-<pid>``, every file fsynced, then renamed into place (and the
parent folder fsynced); only a folder with ``state.json`` that parses counts as a checkpoint, so a kill
or a full disk during a write leaves the previous checkpoint as it was. The last ``keep`` checkpoints
are kept; a run that finishes removes them.

Test hook (documented in docs/fine-tuning.md): ``PLAIT_TEST_CHECKPOINT_FAULT=kill:N`` kills the
process with SIGKILL half-way through writing the N-th checkpoint of the process (after its tensors,
before its state), ``enospc:N`` raises ``OSError(ENOSPC)`` there instead, as a full disk would.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from plait.errors import Errors, PlaitError

CHECKPOINTS = "checkpoints"
PREFIX = "step-"
FAULT_ENV = "PLAIT_TEST_CHECKPOINT_FAULT"
FORMAT = 1


class CheckpointError(PlaitError, RuntimeError):
    """A checkpoint can't be written or read, or doesn't fit the run it should resume."""


class TrainingInterrupted(PlaitError):
    """SIGTERM or Ctrl-C stopped ``plait train``; a checkpoint was written first."""

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.exit_code = 128 + int(signum)


# -- when to write ---------------------------------------------------------------------------------

@dataclass
class CheckpointPolicy:
    """When ``plait train`` writes a checkpoint: every ``every_steps`` steps and/or every
    ``every_minutes`` minutes (0: never on that count), keeping the last ``keep``. Set from the
    command line as ``--checkpoints.every_steps N`` (likewise ``every_minutes``, ``keep``)."""

    every_steps: int = 0
    every_minutes: float = 5.0
    keep: int = 2

    @classmethod
    def from_overrides(cls, overrides: Dict[str, Any]) -> "CheckpointPolicy":
        """Take the ``checkpoints.*`` entries out of ``overrides`` (they are not spaCy settings)."""
        policy = cls()
        kinds = {"every_steps": int, "every_minutes": float, "keep": int}
        for key in [k for k in overrides if k.startswith(CHECKPOINTS + ".")]:
            name, value = key.split(".", 1)[1], overrides.pop(key)
            number = _number(value, kinds.get(name))
            if number is None or number < 0 or (name == "keep" and number < 1):
                raise CheckpointError(Errors.E215.format(key=key, value=value))
            setattr(policy, name, number)
        return policy

    def due(self, steps_done: int, seconds_since_last: float) -> bool:
        if self.every_steps and steps_done % self.every_steps == 0:
            return True
        return bool(self.every_minutes) and seconds_since_last >= 60.0 * self.every_minutes


def _number(value: Any, kind: Any) -> Any:
    """``value`` as ``kind`` (int or float) when it is one exactly, else None."""
    if kind is None or isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = kind(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number == float(value) else None


# -- what the run was made from --------------------------------------------------------------------

def config_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf8")).hexdigest()


def corpus_files(config: Any) -> Dict[str, str]:
    """``{"corpora.train": path, ...}``: the files the config's readers read (interpolated config)."""
    out: Dict[str, str] = {}
    for name, block in (config.get("corpora") or {}).items():
        if isinstance(block, dict) and isinstance(block.get("path"), str) and block["path"]:
            out[f"corpora.{name}"] = block["path"]
    return out


def file_digest(path: str) -> str:
    """sha256 over a file, or over a folder's files (names and contents, sorted); '' if missing."""
    root = Path(path)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) \
        if root.is_dir() else []
    if not files:
        return ""
    h = hashlib.sha256()
    for file in files:
        h.update(str(file.relative_to(root) if file != root else file.name).encode("utf8"))
        with open(file, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def corpus_digests(config: Any) -> Dict[str, Dict[str, str]]:
    return {key: {"path": path, "sha256": file_digest(path)}
            for key, path in corpus_files(config).items()}


def _flatten(config: Any, prefix: str = "") -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def changed_settings(old_text: str, new_text: str) -> List[str]:
    """The dotted config keys whose values differ between two configs' texts."""
    from spacy import util

    old = _flatten(util.load_config_from_str(old_text, interpolate=False))
    new = _flatten(util.load_config_from_str(new_text, interpolate=False))
    return sorted(k for k in set(old) | set(new) if old.get(k, "<absent>") != new.get(k, "<absent>"))


def check_same_run(state: Dict[str, Any], config_text: str, corpora: Dict[str, Dict[str, str]],
                   where: Path) -> None:
    """Refuse to resume a checkpoint made with another config or other data (E211, E212)."""
    step = state["step"]
    if state["config_sha256"] != config_digest(config_text):
        keys = changed_settings(state["config"], config_text) or ["(its text)"]
        shown = ", ".join(keys[:8]) + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")
        raise CheckpointError(Errors.E211.format(dir=where, step=step, keys=shown))
    old = state["corpora"]
    changes = []
    for key in sorted(set(old) | set(corpora)):
        before, now = old.get(key, {}), corpora.get(key, {})
        if before.get("path") != now.get("path"):
            changes.append(f"{key} was {before.get('path')!r}, now {now.get('path')!r}")
        elif before.get("sha256") != now.get("sha256"):
            changes.append(f"the file(s) of {key} ({now.get('path')}) changed")
    if changes:
        raise CheckpointError(Errors.E212.format(dir=where, step=step, what="; ".join(changes)))


# -- random states ---------------------------------------------------------------------------------

def python_state() -> list:
    version, internal, gauss = random.getstate()
    return [version, list(internal), gauss]


def set_python_state(state: list) -> None:
    random.setstate((state[0], tuple(state[1]), state[2]))


def _numpy_state() -> list:
    import numpy

    name, keys, pos, has_gauss, cached = numpy.random.get_state()
    return [name, [int(k) for k in keys], int(pos), int(has_gauss), float(cached)]


def _set_numpy_state(state: list) -> None:
    import numpy

    name, keys, pos, has_gauss, cached = state
    numpy.random.set_state((name, numpy.asarray(keys, dtype="uint32"), pos, has_gauss, cached))


# -- the pipeline's parameters ---------------------------------------------------------------------

def _trained(nlp: Any, frozen: List[str]) -> Iterator[Tuple[str, Any]]:
    from thinc.api import Model

    for name, proc in nlp.components:  # disabled ones too (their names stay stable)
        model = getattr(proc, "model", None)
        if name not in frozen and isinstance(model, Model):
            yield name, model


def parameter_places(nlp: Any, frozen: List[str]):
    """``(nodes, shims)``: thinc id -> (place, node) and shim id -> (place, shim), where a place is
    ``"component/node/i"`` or ``"component/node/i/shim/j"``, stable across processes."""
    nodes: Dict[int, Tuple[str, Any]] = {}
    shims: Dict[int, Tuple[str, Any]] = {}
    for name, model in _trained(nlp, frozen):
        for i, node in enumerate(model.walk()):
            if node.id in nodes:  # shared between components: keep its first place
                continue
            nodes[node.id] = (f"{name}/node/{i}", node)
            for j, shim in enumerate(node.shims):
                if shim.id not in shims:
                    shims[shim.id] = (f"{name}/node/{i}/shim/{j}", shim)
    return nodes, shims


def _to_tensor(array: Any) -> Any:
    import numpy
    import torch

    if not isinstance(array, numpy.ndarray):  # cupy
        array = array.get()
    return torch.from_numpy(numpy.ascontiguousarray(array)).clone()


def _optimizer_place(key: Tuple[int, str], nodes, shims) -> Optional[str]:
    ident, name = key
    node = nodes.get(ident)
    if node is not None and name in node[1].param_names:
        return f"{node[0]}|{name}"
    shim = shims.get(ident)
    if shim is not None:
        return f"{shim[0]}|{name}"
    return None


def capture(nlp: Any, optimizer: Any, frozen: List[str]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """``(tensors, state)`` of the pipeline's weights and the optimizer (no file written)."""
    import torch

    nodes, shims = parameter_places(nlp, frozen)
    tensors: Dict[str, Any] = {}
    grads: List[str] = []
    for place, node in nodes.values():
        for name in node.param_names:
            if node.has_param(name):
                tensors[f"param/{place}|{name}"] = _to_tensor(node.get_param(name))
                if node.has_grad(name):
                    grads.append(f"{place}|{name}")
    for place, shim in shims.values():
        module = getattr(shim, "_model", None)
        if not isinstance(module, torch.nn.Module):
            raise CheckpointError(Errors.E214.format(what=f"{place}: a {type(shim).__name__}"))
        for name, value in module.state_dict().items():
            tensors[f"torch/{place}|{name}"] = value.detach().to("cpu", copy=True)
        for name, param in module.named_parameters():
            if param.grad is not None:
                grads.append(f"{place}|{name}")
    opt: Dict[str, Any] = {"nr_update": {}, "last_seen": {}}
    for kind in ("mom1", "mom2", "averages"):
        for key, value in (getattr(optimizer, kind, None) or {}).items():
            place = _optimizer_place(key, nodes, shims)
            if place is None:
                raise CheckpointError(Errors.E214.format(what=f"an optimizer entry {key!r}"))
            tensors[f"opt/{kind}/{place}"] = _to_tensor(value)
    for kind in ("nr_update", "last_seen"):
        for key, value in getattr(optimizer, kind).items():
            place = _optimizer_place(key, nodes, shims)
            if place is not None:
                opt[kind][place] = int(value)
    opt["radam_buffer"] = [list(b) for b in getattr(optimizer, "_radam_buffer", [])]
    tensors["rng/torch"] = torch.get_rng_state()
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, value in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng/torch_cuda/{i}"] = value
    components: Dict[str, Any] = {}
    for name, proc in nlp.components:
        cfg = getattr(proc, "cfg", None)
        if isinstance(cfg, dict):
            try:
                components[name] = json.loads(json.dumps(cfg))
            except (TypeError, ValueError):
                pass
    state = {"grads": grads, "optimizer": opt, "components": components,
             "meta_performance": dict(nlp.meta.get("performance") or {}),
             "python_random": python_state(), "numpy_random": _numpy_state()}
    return tensors, state


def restore(nlp: Any, optimizer: Any, frozen: List[str], tensors: Dict[str, Any],
            state: Dict[str, Any]) -> None:
    """Put a captured state back into a pipeline built from the same config (in place: the
    components, listeners and torch modules stay the objects they are)."""
    import torch

    nodes, shims = parameter_places(nlp, frozen)
    node_at = {place: node for place, node in nodes.values()}
    shim_at = {place: shim for place, shim in shims.values()}
    by_place = {**{p: i for i, (p, _) in nodes.items()}, **{p: i for i, (p, _) in shims.items()}}
    torch_sd: Dict[str, Dict[str, Any]] = {}
    for key, value in tensors.items():
        kind, _, rest = key.partition("/")
        if kind == "param":
            place, name = rest.rsplit("|", 1)
            node = node_at.get(place)
            if node is None or name not in node.param_names:
                raise CheckpointError(Errors.E213.format(what=f"parameter {rest}"))
            old = node.get_param(name) if node.has_param(name) else None
            if old is not None and tuple(old.shape) != tuple(value.shape):
                raise CheckpointError(Errors.E213.format(
                    what=f"parameter {rest} of shape {tuple(value.shape)}, not {tuple(old.shape)}"))
            node.set_param(name, node.ops.asarray(value.numpy().copy()))
        elif kind == "torch":
            place, name = rest.rsplit("|", 1)
            torch_sd.setdefault(place, {})[name] = value
    for place, sd in torch_sd.items():
        shim = shim_at.get(place)
        if shim is None:
            raise CheckpointError(Errors.E213.format(what=f"PyTorch model {place}"))
        try:
            shim._model.load_state_dict(sd)
        except RuntimeError as exc:
            raise CheckpointError(Errors.E213.format(what=f"PyTorch model {place} ({exc})")) from None
    # Gradients: a parameter that had one (zeroed after each update) keeps being updated by the
    # optimizer even in a step that gives it none, so it must hold a zero gradient again.
    for entry in state["grads"]:
        place, name = entry.rsplit("|", 1)
        if place in node_at:
            node = node_at[place]
            node.set_grad(name, node.ops.alloc(node.get_param(name).shape,
                                               dtype=node.get_param(name).dtype))
        elif place in shim_at:
            param = dict(shim_at[place]._model.named_parameters())[name]
            param.grad = torch.zeros_like(param)

    def key_of(place: str) -> Tuple[int, str]:
        owner, name = place.rsplit("|", 1)
        if owner not in by_place:
            raise CheckpointError(Errors.E213.format(what=f"optimizer entry {place}"))
        return by_place[owner], name

    for kind in ("mom1", "mom2", "averages"):
        target = getattr(optimizer, kind, None)
        if target is None:
            continue
        target.clear()
    ops_of = {p: n.ops for p, n in node_at.items()}
    for key, value in tensors.items():
        if key.startswith("opt/"):
            _, kind, place = key.split("/", 2)
            target = getattr(optimizer, kind, None)
            if target is None:
                raise CheckpointError(Errors.E213.format(what=f"optimizer {kind}"))
            owner = place.rsplit("|", 1)[0]
            ops = ops_of.get(owner) or _shim_ops(owner, node_at)
            target[key_of(place)] = ops.asarray(value.numpy().copy())
    opt = state["optimizer"]
    for kind in ("nr_update", "last_seen"):
        counts = getattr(optimizer, kind)
        counts.clear()
        for place, value in opt[kind].items():
            counts[key_of(place)] = value
    if hasattr(optimizer, "_radam_buffer") and opt.get("radam_buffer"):
        optimizer._radam_buffer = [list(b) for b in opt["radam_buffer"]]
    for name, cfg in state["components"].items():
        if name not in nlp.component_names:
            continue
        proc = nlp.get_pipe(name)
        if hasattr(proc, "from_bytes") and hasattr(proc, "to_bytes"):
            # the component's own loading hooks run (derived values are reset) ...
            try:
                proc.from_bytes(proc.to_bytes(exclude=["model", "vocab"]),
                                exclude=["model", "vocab"])
            except Exception:  # noqa: BLE001 - a component that can't round-trip: cfg below
                pass
        # ... and its settings are put back exactly (floats through Python's own JSON)
        if isinstance(getattr(proc, "cfg", None), dict):
            proc.cfg.clear()
            proc.cfg.update(cfg)
    nlp.meta["performance"] = dict(state.get("meta_performance") or {})


def _shim_ops(owner: str, node_at: Dict[str, Any]) -> Any:
    """The ops of the node a shim sits in (``.../node/i/shim/j`` -> ``.../node/i``)."""
    return node_at[owner.rsplit("/shim/", 1)[0]].ops


def set_random_states(tensors: Dict[str, Any], state: Dict[str, Any]) -> None:
    import torch

    set_python_state(state["python_random"])
    _set_numpy_state(state["numpy_random"])
    torch.set_rng_state(tensors["rng/torch"])
    cuda = sorted(k for k in tensors if k.startswith("rng/torch_cuda/"))
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([tensors[k] for k in sorted(cuda, key=lambda k: int(
            k.rsplit("/", 1)[1]))])


def snapshot_random() -> tuple:
    """Every random state in memory (to be put back by :func:`restore_random`)."""
    import numpy
    import torch

    cuda = (torch.cuda.get_rng_state_all()
            if torch.cuda.is_available() and torch.cuda.is_initialized() else None)
    return random.getstate(), numpy.random.get_state(), torch.get_rng_state(), cuda


def restore_random(snapshot: tuple) -> None:
    import numpy
    import torch

    py, np_state, torch_state, cuda = snapshot
    random.setstate(py)
    numpy.random.set_state(np_state)
    torch.set_rng_state(torch_state)
    if cuda is not None:
        torch.cuda.set_rng_state_all(cuda)


# -- on disk ---------------------------------------------------------------------------------------

def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_writes = 0


def _fault(stage: str) -> None:
    """The test hook (``PLAIT_TEST_CHECKPOINT_FAULT``): a kill or a full disk mid-write."""
    spec = os.environ.get(FAULT_ENV, "")
    if not spec or stage != "mid-write":
        return
    kind, _, nth = spec.partition(":")
    if int(nth or 1) != _writes:
        return
    if kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "enospc":  # a real ENOSPC from the system, as a full disk gives it
        with open("/dev/full", "wb") as full:
            full.write(b"\0" * 4096)
            full.flush()


def checkpoint_dir(output: Path) -> Path:
    return Path(output) / CHECKPOINTS


def write(output: Path, step: int, tensors: Dict[str, Any], state: Dict[str, Any],
          keep: int) -> Tuple[Path, int]:
    """Write a checkpoint atomically; drop all but the last ``keep``. Returns (folder, bytes)."""
    import torch

    global _writes
    _writes += 1
    root = checkpoint_dir(output)
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"{PREFIX}{step:08d}"
    tmp = root / f".tmp-{PREFIX}{step:08d}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        with open(tmp / "tensors.pt", "wb") as f:
            torch.save(tensors, f)
            f.flush()
            os.fsync(f.fileno())
        _fault("mid-write")
        with open(tmp / "state.json", "w", encoding="utf8") as f:
            json.dump({"format": FORMAT, **state}, f)
            f.flush()
            os.fsync(f.fileno())
        _fsync_dir(tmp)
        if final.exists():  # a checkpoint of the same step (a resumed run writing it again)
            shutil.rmtree(final)
        os.rename(tmp, final)
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    size = sum(p.stat().st_size for p in final.iterdir())
    for old in complete(output)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final, size


def complete(output: Path) -> List[Path]:
    """The checkpoint folders of ``output`` that were written completely, oldest first."""
    root = checkpoint_dir(output)
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and p.name.startswith(PREFIX)
             and (p / "state.json").is_file() and (p / "tensors.pt").is_file()]
    return sorted(found, key=lambda p: p.name)


def disk_use(output: Path) -> int:
    root = checkpoint_dir(output)
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.is_dir() else 0


def clean_partial(output: Path) -> None:
    """Remove what a killed write left behind (``.tmp-*`` folders)."""
    root = checkpoint_dir(output)
    if root.is_dir():
        for p in root.iterdir():
            if p.name.startswith(".tmp-"):
                shutil.rmtree(p, ignore_errors=True)


def load(folder: Path) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    import torch

    try:
        state = json.loads((folder / "state.json").read_text(encoding="utf8"))
        with open(folder / "tensors.pt", "rb") as f:
            tensors = torch.load(f, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any damage to the files: name the folder
        raise CheckpointError(Errors.E216.format(path=folder, error=f"{type(exc).__name__}: "
                                                 f"{exc}")) from None
    if state.get("format") != FORMAT:
        raise CheckpointError(Errors.E216.format(path=folder,
                                                 error=f"format {state.get('format')}, not {FORMAT}"))
    return tensors, state


def latest(output: Path) -> Optional[Tuple[Path, Dict[str, Any], Dict[str, Any]]]:
    """The newest checkpoint that loads (older ones are tried when a newer one is damaged)."""
    error: Optional[CheckpointError] = None
    for folder in reversed(complete(output)):
        try:
            tensors, state = load(folder)
        except CheckpointError as exc:
            error = error or exc
            continue
        return folder, tensors, state
    if error is not None:
        raise error
    return None


def remove_all(output: Path) -> int:
    """Remove the checkpoints (a finished run); returns the bytes freed."""
    size = disk_use(output)
    shutil.rmtree(checkpoint_dir(output), ignore_errors=True)
    return size
