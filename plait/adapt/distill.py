"""``plait distill``: a student encoder with fewer layers, trained to match a teacher's hidden states.

The student copies the teacher's embeddings and a subset of its layers (by default every
``teacher/student``-th, as DistilBERT took every other layer), then learns on unlabelled text to
reproduce the teacher's hidden states: student layer ``j`` is matched to teacher layer
``round((j + 1) * teacher / student)``, so its last layer targets the teacher's output, which is what
the components downstream listen to. Loss: mean squared error over the text pieces (padding excluded),
averaged over the matched layers; the student learns without dropout (its saved config has the
teacher's dropout again, for fine-tuning). The result is an encoder folder like any other.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy

from plait.errors import AdaptError, Errors
from plait.adapt.common import (base_name, finish_run, load_encoder, pack_windows, prepare_run,
                                run_objective)
from plait.adapt.loop import LoopSettings, Objective
from plait.adapt.text_sources import Rejected
from plait.adapt.chunks import WindowSet, batches_of, check_window, collate, encoder_limit

LOG = "distill-log.jsonl"
DROPOUTS = ("hidden_dropout_prob", "attention_probs_dropout_prob", "dropout", "attention_dropout")
_LAYER = re.compile(r"^(.*\blayers?\.)(\d+)(\..*)$")


def layer_plan(teacher_layers: int, layers: int, init_layers: Optional[Sequence[int]] = None
               ) -> Tuple[List[int], List[int]]:
    """(teacher layer each student layer starts from, teacher hidden state each one matches)."""
    if not 1 <= layers <= teacher_layers:
        raise AdaptError(Errors.E178.format(teacher=teacher_layers, layers=layers))
    targets = [int(round((j + 1) * teacher_layers / layers)) for j in range(layers)]
    if init_layers is None:
        init = [t - 1 for t in targets]
    else:
        init = [int(i) for i in init_layers]
        if len(init) != layers or len(set(init)) != layers or not all(
                0 <= i < teacher_layers for i in init):
            raise AdaptError(Errors.E179.format(layers=layers, last=teacher_layers - 1,
                                                given=",".join(map(str, init_layers))))
    return init, targets


def build_student(teacher: Any, init: Sequence[int]) -> Any:
    """A model of the teacher's architecture with ``len(init)`` layers copied from the teacher."""
    from transformers import AutoModel

    config = copy.deepcopy(teacher.config)
    config.num_hidden_layers = len(init)
    for key in DROPOUTS:  # matching hidden states: no noise on the student's side while it learns
        if hasattr(config, key):
            setattr(config, key, 0.0)
    student = AutoModel.from_config(config)
    source = teacher.state_dict()
    state = {}
    for key in student.state_dict():
        match = _LAYER.match(key)
        src = f"{match.group(1)}{init[int(match.group(2))]}{match.group(3)}" if match else key
        state[key] = source[src].detach().clone()
    student.load_state_dict(state)
    return student


class Distillation(Objective):
    name = "distill"
    metric = "loss"

    def __init__(self, student: Any, teacher: Any, tokenizer: Any, targets: Sequence[int]) -> None:
        self.model = student
        self.teacher = teacher
        self.tokenizer = tokenizer
        self.targets = list(targets)
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        for param in teacher.parameters():
            param.requires_grad_(False)
        teacher.eval()

    def to(self, device: Any) -> None:
        self.model.to(device)
        self.teacher.to(device)

    def _losses(self, windows: WindowSet, indices: List[int], device: Any):
        import torch

        ids, attn, words = collate(windows, indices, self.pad_id)
        ids_t = torch.as_tensor(ids, device=device)
        attn_t = torch.as_tensor(attn, device=device)
        keep = torch.as_tensor(words >= 0, device=device)  # text pieces (no specials, no padding)
        with torch.no_grad():
            teacher = self.teacher(input_ids=ids_t, attention_mask=attn_t,
                                   output_hidden_states=True).hidden_states
        student = self.model(input_ids=ids_t, attention_mask=attn_t,
                             output_hidden_states=True).hidden_states
        per_layer = []
        for j, t in enumerate(self.targets):
            diff = (student[j + 1].float() - teacher[t].float())[keep]
            per_layer.append((diff ** 2).mean())
        last_s, last_t = student[-1].float()[keep], teacher[self.targets[-1]].float()[keep]
        cosine = torch.nn.functional.cosine_similarity(last_s, last_t, dim=-1)
        return torch.stack(per_layer).mean(), cosine, int(keep.sum())

    def train_loss(self, windows, indices, step, device):
        return self._losses(windows, indices, device)[0]

    def evaluate(self, windows, device, batch_size):
        total, cos_total, count = 0.0, 0.0, 0
        for batch in batches_of(len(windows), batch_size):
            loss, cosine, n = self._losses(windows, batch, device)
            total += float(loss) * n
            cos_total += float(cosine.sum())
            count += n
        return {"loss": total / max(1, count), "cosine": cos_total / max(1, count)}

    def describe(self, metrics):
        return f"loss {metrics['loss']:.5f}  output cosine {metrics['cosine']:.4f}"

    def save(self, path: Path) -> None:
        config = self.model.config
        for key in DROPOUTS:  # fine-tuning gets the teacher's dropout back
            if hasattr(self.teacher.config, key):
                setattr(config, key, getattr(self.teacher.config, key))
        config.num_hidden_layers = len(self.targets)
        self.model.save_pretrained(str(path))
        self.tokenizer.save_pretrained(str(path))


def distill(output: Path, *, teacher: str, sources: Sequence[str], layers: int,
            init_layers: Optional[Sequence[int]] = None, settings: Optional[LoopSettings] = None,
            text_field: Optional[str] = None, fmt: Optional[str] = None,
            corpus_source: Optional[Path] = None, window: Optional[int] = None,
            heldout: float = 0.05, resume: bool = False, overwrite: bool = False,
            on_step: Optional[Callable[[int], None]] = None,
            on_reject: Optional[Callable[[Rejected], None]] = None,
            echo: Optional[Callable[[str], None]] = None, progress: bool = True) -> Dict[str, Any]:
    """Distil ``teacher`` into a ``layers``-layer student on ``sources``; write it to ``output``."""
    from transformers import AutoModel

    settings = settings or LoopSettings()
    say = echo or (lambda line: None)
    start = prepare_run(output, teacher, sources, verb="distil", log_name=LOG, settings=settings,
                        resume=resume, overwrite=overwrite, heldout=heldout,
                        text_field=text_field, fmt=fmt, corpus_source=corpus_source,
                        on_reject=on_reject)
    base = start.base
    teacher_model, tokenizer = load_encoder(base, AutoModel)
    n_teacher = int(teacher_model.config.num_hidden_layers)
    init, targets = layer_plan(n_teacher, layers, init_layers)
    student = build_student(teacher_model, init)
    say(f"Student: {layers} of the teacher's {n_teacher} layers (starting from teacher layers "
        f"{', '.join(map(str, init))}; matching teacher hidden states {', '.join(map(str, targets))})")
    window = check_window(window, encoder_limit(tokenizer, teacher_model.config))
    train_set, held_set = pack_windows(start, tokenizer, window, say)
    objective = Distillation(student, teacher_model, tokenizer, targets)
    result = run_objective(start, objective, train_set, held_set, settings, kind="distill",
                           identity={"window": window, "heldout": heldout, "layers": layers,
                                     "init": init, "text_field": text_field, "fmt": fmt},
                           record={"teacher": str(teacher), "teacher_path": str(base),
                                   "layers": layers, "init_layers": init,
                                   "target_layers": targets, "window": window},
                           resume=resume, on_step=on_step, progress=progress, say=say)
    before, after = result.before, result.after
    return finish_run(
        start, train_set, held_set, result, settings, kind="distilled",
        description=(f"{layers}-layer student of {teacher} ({n_teacher} layers), {result.steps} "
                     f"steps; held-out loss {before['loss']:.4g} -> {after['loss']:.4g}"),
        base_encoder=base_name(teacher, base),
        objective={"type": "hidden-state-mse", "window": window, "layers": layers,
                   "teacher_layers": n_teacher, "init_layers": init, "target_layers": targets},
        heldout=heldout, teacher=base_name(teacher, base),
        loss_before=before["loss"], loss_after=after["loss"])
