"""``plait pretrain``: continued masked-language-model pre-training of an encoder on unlabelled text.

Whole-word masking (a word's pieces are masked together) of 15% of the pieces, each replaced by the
mask token (80%), a random piece (10%) or left as is (10%); masks are drawn anew at every step, so each
epoch sees a window with different masks, while the held-out masks are fixed so that evaluations are
comparable. An encoder without a masked-LM head (all-MiniLM-L6-v2 ships none) gets a new one whose
decoder is tied to the word embeddings. ``add_words`` extends the vocabulary with frequent words the
tokenizer cuts into three or more pieces, each new embedding the mean of its pieces'.
"""
from __future__ import annotations

import dataclasses
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy

from plait.errors import AdaptError, Errors
from plait.adapt.common import (base_name, finish_run, load_encoder, pack_windows, prepare_run,
                                run_objective)
from plait.adapt.loop import LoopSettings, Objective
from plait.adapt.text_sources import Rejected
from plait.adapt.chunks import WindowSet, batches_of, check_window, collate, encoder_limit

LOG = "pretrain-log.jsonl"


# -- masking ----------------------------------------------------------------------------------------
def whole_word_mask(input_ids: numpy.ndarray, word_ids: numpy.ndarray, rng: numpy.random.Generator,
                    *, prob: float, mask_id: int, random_ids: numpy.ndarray
                    ) -> Tuple[numpy.ndarray, numpy.ndarray]:
    """(masked inputs, labels with -100 where nothing is predicted) for a padded batch."""
    inputs = input_ids.copy()
    labels = numpy.full_like(input_ids, -100)
    for row in range(input_ids.shape[0]):
        words = word_ids[row]
        valid = words >= 0
        n_tokens = int(valid.sum())
        if not n_tokens:
            continue
        uniq, counts = numpy.unique(words[valid], return_counts=True)
        order = rng.permutation(len(uniq))
        target = max(1, int(round(prob * n_tokens)))
        before = numpy.cumsum(counts[order]) - counts[order]  # pieces chosen before each word
        chosen = uniq[order[before < target]]
        positions = numpy.nonzero(valid & numpy.isin(words, chosen))[0]
        labels[row, positions] = input_ids[row, positions]
        draw = rng.random(len(positions))
        inputs[row, positions[draw < 0.8]] = mask_id
        swap = positions[(draw >= 0.8) & (draw < 0.9)]
        inputs[row, swap] = rng.choice(random_ids, size=len(swap))
    return inputs, labels


# -- the model and its head ---------------------------------------------------------------------------
def _pooler_tensors(path: Path) -> Dict[str, Any]:
    """The checkpoint's pooler weights: a masked-LM model has no pooler, but the encoder folder we
    write keeps it, so that loading it as a base model (spacy-transformers does) misses nothing."""
    if (path / "model.safetensors").exists():
        from safetensors import safe_open

        with safe_open(str(path / "model.safetensors"), framework="pt") as fh:
            return {k: fh.get_tensor(k) for k in fh.keys() if ".pooler." in f".{k}"}
    if (path / "pytorch_model.bin").exists():
        import torch

        state = torch.load(path / "pytorch_model.bin", map_location="cpu", weights_only=True)
        return {k: v for k, v in state.items() if ".pooler." in f".{k}"}
    return {}


def load_masked_lm(path: Path) -> Tuple[Any, Any, str, Dict[str, Any]]:
    """(model, tokenizer, what was done about the head, base-model tensors to keep when saving)."""
    from transformers import AutoModelForMaskedLM

    # the missing head is reported below, in words
    (model, info), tokenizer = load_encoder(path, AutoModelForMaskedLM, output_loading_info=True)
    if not getattr(tokenizer, "is_fast", False):
        raise AdaptError(Errors.E177.format(path=path, error="it has no fast tokenizer (needed "
                                            "for whole-word masking)"))
    prefix = model.base_model_prefix + "."
    head_missing = [k for k in info["missing_keys"] if not k.startswith(prefix)]
    out_emb, in_emb = model.get_output_embeddings(), model.get_input_embeddings()
    tied = out_emb is not None and out_emb.weight is in_emb.weight
    if head_missing:
        note = (f"The encoder ships no masked-LM head: created one ({type(model).__name__}), its "
                f"decoder {'tied to' if tied else 'NOT tied to'} the word embeddings; the head's "
                f"other weights start random.")
    else:
        note = f"Masked-LM head loaded from the encoder ({type(model).__name__})."
    keep = _pooler_tensors(path)
    keep = {(k if k.startswith(prefix) else prefix + k): v for k, v in keep.items()}
    model.plait_head_created = bool(head_missing)
    return model, tokenizer, note, keep


def default_head_steps(created: bool, max_steps: int) -> int:
    """The head warm-up when none is asked for: a tenth of the run (at most 500 steps) for a head
    created here (random), none for a head the encoder shipped."""
    return min(500, max(1, max_steps // 10)) if created else 0


def _head(model: Any) -> Optional[Any]:
    for name in ("cls", "lm_head"):
        if hasattr(model, name):
            return getattr(model, name)
    return None


# -- domain vocabulary --------------------------------------------------------------------------------
def frequent_split_words(tokenizer: Any, texts: Sequence[str], n: int, *, min_pieces: int = 3,
                         min_count: int = 2) -> List[Tuple[str, int, List[str]]]:
    """The ``n`` most frequent words of ``texts`` that ``tokenizer`` cuts into ``min_pieces`` or more."""
    backend = tokenizer.backend_tokenizer
    counter: Counter = Counter()
    for text in texts:
        norm = backend.normalizer.normalize_str(text) if backend.normalizer else text
        words = (backend.pre_tokenizer.pre_tokenize_str(norm) if backend.pre_tokenizer
                 else [(w, None) for w in norm.split()])
        counter.update(w for w, _ in words)
    vocab = tokenizer.get_vocab()
    found: List[Tuple[str, int, List[str]]] = []
    for word, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(found) >= n or count < min_count:
            break
        if word in vocab or not any(ch.isalpha() for ch in word):
            continue
        pieces = tokenizer.tokenize(word)
        if len(pieces) >= min_pieces:
            found.append((word, count, pieces))
    return found


def extend_vocabulary(tokenizer: Any, words: Sequence[str], workdir: Path) -> Any:
    """A tokenizer whose vocabulary also holds ``words`` (WordPiece: real vocabulary entries)."""
    from transformers import AddedToken, AutoTokenizer

    state = json.loads(tokenizer.backend_tokenizer.to_str())
    model = state.get("model", {})
    vocab = model.get("vocab")
    if model.get("type") == "WordPiece" and isinstance(vocab, dict) and \
            sorted(vocab.values()) == list(range(len(vocab))) and \
            all(t["id"] < len(vocab) for t in state.get("added_tokens", [])):
        for word in words:
            vocab[word] = len(vocab)
        tokenizer.save_pretrained(str(workdir))
        (workdir / "tokenizer.json").write_text(json.dumps(state), encoding="utf8")
        if (workdir / "vocab.txt").exists():
            ordered = sorted(vocab, key=vocab.__getitem__)
            (workdir / "vocab.txt").write_text("\n".join(ordered) + "\n", encoding="utf8")
        return AutoTokenizer.from_pretrained(str(workdir), use_fast=True)
    tokenizer.add_tokens([AddedToken(w, single_word=True, normalized=True) for w in words])
    return tokenizer


def add_word_embeddings(model: Any, old_tokenizer: Any, new_tokenizer: Any,
                        words: Sequence[str]) -> None:
    """Resize the embeddings; each new word's row is the mean of its old pieces' rows."""
    import torch

    model.resize_token_embeddings(len(new_tokenizer), mean_resizing=False)
    emb = model.get_input_embeddings().weight
    out = model.get_output_embeddings()
    bias = getattr(out, "bias", None) if out is not None else None
    with torch.no_grad():
        for word in words:
            new_id = new_tokenizer.convert_tokens_to_ids(word)
            pieces = old_tokenizer(word, add_special_tokens=False)["input_ids"]
            emb[new_id] = emb[pieces].mean(dim=0)
            if out is not None and out.weight is not emb:
                out.weight[new_id] = out.weight[pieces].mean(dim=0)
            if bias is not None and bias.shape[0] > new_id:
                bias[new_id] = bias[pieces].mean()


# -- the objective ----------------------------------------------------------------------------------
class MaskedLM(Objective):
    name = "pretrain"
    metric = "perplexity"

    def __init__(self, model: Any, tokenizer: Any, *, prob: float, seed: int,
                 keep: Dict[str, Any]) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.prob = prob
        self.seed = seed
        self.keep = keep
        special = set(tokenizer.all_special_ids)
        self.random_ids = numpy.array([i for i in range(len(tokenizer)) if i not in special])
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self._eval: Optional[List[Tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]]] = None

    def _mask(self, windows: WindowSet, indices: List[int], rng: numpy.random.Generator):
        ids, attn, words = collate(windows, indices, self.pad_id)
        inputs, labels = whole_word_mask(ids, words, rng, prob=self.prob,
                                         mask_id=self.tokenizer.mask_token_id,
                                         random_ids=self.random_ids)
        return inputs, attn, labels

    def _forward(self, inputs, attn, labels, device):
        import torch

        inputs = torch.as_tensor(inputs, device=device)
        attn = torch.as_tensor(attn, device=device)
        labels = torch.as_tensor(labels, device=device)
        head = _head(self.model)
        if head is None:  # an architecture with another head layout: full vocabulary logits
            out = self.model(input_ids=inputs, attention_mask=attn)
            logits = out.logits[labels != -100]
        else:
            with torch.set_grad_enabled(torch.is_grad_enabled() and not self.frozen_encoder):
                hidden = self.model.base_model(input_ids=inputs, attention_mask=attn)[0]
            logits = head(hidden[labels != -100])
        target = labels[labels != -100]
        return logits.float(), target

    def encoder_parameters(self) -> List[Any]:
        """The base model's parameters, word embeddings included (so a decoder tied to them stays
        put too): the head warm-up trains the head's transform and output bias only."""
        return list(self.model.base_model.parameters())

    def train_loss(self, windows, indices, step, device):
        import torch

        rng = numpy.random.default_rng([self.seed, 19, step])
        logits, target = self._forward(*self._mask(windows, indices, rng), device)
        return torch.nn.functional.cross_entropy(logits, target)

    def evaluate(self, windows, device, batch_size):
        import torch

        if self._eval is None:  # fixed masks: one seeded draw per held-out window
            self._eval = []
            for batch in batches_of(len(windows), batch_size):
                masked = [self._mask(windows, [i], numpy.random.default_rng([self.seed, 17, i]))
                          for i in batch]
                length = max(m[0].shape[1] for m in masked)

                def stack(k: int, fill: int) -> numpy.ndarray:
                    return numpy.concatenate([numpy.pad(m[k], ((0, 0), (0, length - m[k].shape[1])),
                                                        constant_values=fill) for m in masked])

                self._eval.append((stack(0, self.pad_id), stack(1, 0), stack(2, -100)))
        total, correct, count = 0.0, 0, 0
        for inputs, attn, labels in self._eval:
            logits, target = self._forward(inputs, attn, labels, device)
            total += float(torch.nn.functional.cross_entropy(logits, target, reduction="sum"))
            correct += int((logits.argmax(-1) == target).sum())
            count += int(target.numel())
        loss = total / max(1, count)
        return {"loss": loss, "perplexity": float(numpy.exp(min(loss, 50.0))),
                "accuracy": correct / max(1, count), "masked_tokens": count}

    def describe(self, metrics):
        return (f"loss {metrics['loss']:.4f}  perplexity {metrics['perplexity']:.2f}  "
                f"accuracy {metrics['accuracy']:.3f}")

    def save(self, path: Path) -> None:
        state = {k: v for k, v in self.model.state_dict().items()}
        for key, tensor in self.keep.items():
            state.setdefault(key, tensor.to(next(iter(state.values())).device))
        self.model.save_pretrained(str(path), state_dict=state)
        self.tokenizer.save_pretrained(str(path))


# -- entry point ----------------------------------------------------------------------------------------
def pretrain(output: Path, *, encoder: str, sources: Sequence[str],
             settings: Optional[LoopSettings] = None, text_field: Optional[str] = None,
             fmt: Optional[str] = None, corpus_source: Optional[Path] = None,
             window: Optional[int] = None, heldout: float = 0.05, mask_prob: float = 0.15,
             add_words: int = 0, head_steps: Optional[int] = None, resume: bool = False,
             overwrite: bool = False,
             on_step: Optional[Callable[[int], None]] = None,
             on_reject: Optional[Callable[[Rejected], None]] = None,
             echo: Optional[Callable[[str], None]] = None, progress: bool = True) -> Dict[str, Any]:
    """Continue MLM pre-training of ``encoder`` on ``sources``; write an encoder folder to ``output``.

    ``head_steps``: steps that train the MLM head alone over the frozen encoder first (default:
    :func:`default_head_steps`), so a new, random head does not push noise into the encoder.

    Returns the manifest written to ``output/plait-encoder.json``.
    """
    settings = settings or LoopSettings()
    say = echo or (lambda line: None)
    start = prepare_run(output, encoder, sources, verb="pre-train", log_name=LOG,
                        settings=settings, resume=resume, overwrite=overwrite, heldout=heldout,
                        text_field=text_field, fmt=fmt, corpus_source=corpus_source,
                        on_reject=on_reject)
    base, text = start.base, start.text
    import torch

    torch.manual_seed(settings.seed)  # a new head starts from the same weights in every run
    model, tokenizer, head_note, keep = load_masked_lm(base)
    if head_steps is None:
        head_steps = default_head_steps(model.plait_head_created, settings.max_steps)
    settings = dataclasses.replace(settings, head_steps=int(head_steps))
    if head_steps:
        head_note += (f" The first {head_steps} step(s) train the head alone over the frozen "
                      f"encoder (--head-steps).")
    say(head_note)
    limit = encoder_limit(tokenizer, model.config)
    window = check_window(window, limit)
    added: List[Tuple[str, int, List[str]]] = []
    if add_words:
        added = frequent_split_words(tokenizer, text.train, add_words)
        if added:
            with tempfile.TemporaryDirectory(prefix="plait-vocab-") as tmp:
                new_tokenizer = extend_vocabulary(tokenizer, [w for w, _, _ in added], Path(tmp))
                add_word_embeddings(model, tokenizer, new_tokenizer, [w for w, _, _ in added])
            tokenizer = new_tokenizer
        say(f"Added {len(added)} word(s) to the vocabulary (asked for {add_words}): "
            + ", ".join(w for w, _, _ in added[:12]) + (" ..." if len(added) > 12 else ""))
    train_set, held_set = pack_windows(start, tokenizer, window, say)
    objective = MaskedLM(model, tokenizer, prob=mask_prob, seed=settings.seed, keep=keep)
    result = run_objective(start, objective, train_set, held_set, settings, kind="pretrain",
                           identity={"window": window, "heldout": heldout, "mask_prob": mask_prob,
                                     "add_words": add_words, "text_field": text_field, "fmt": fmt},
                           record={"encoder": str(encoder), "encoder_path": str(base),
                                   "mlm_head": head_note, "window": window,
                                   "added_words": [w for w, _, _ in added]},
                           resume=resume, on_step=on_step, progress=progress, say=say)
    before, after = result.before, result.after
    return finish_run(
        start, train_set, held_set, result, settings, kind="pretrained",
        description=(f"{encoder} + MLM on {train_set.tokens:,} pieces, {result.steps} steps; "
                     f"held-out perplexity {before['perplexity']:.2f} -> "
                     f"{after['perplexity']:.2f}"),
        base_encoder=base_name(encoder, base),
        objective={"type": "masked-lm", "masking": "whole-word", "mask_prob": mask_prob,
                   "replace": {"mask": 0.8, "random": 0.1, "keep": 0.1},
                   "dynamic": True, "window": window, "mlm_head": head_note},
        heldout=heldout, heldout_extra={"after_head_warm_up": result.after_head_warm_up},
        perplexity_before=before["perplexity"], perplexity_after=after["perplexity"],
        # the stock encoder under the trained head (the fair baseline when the head was new)
        perplexity_head_only=(result.after_head_warm_up or {}).get("perplexity"),
        added_words=[{"word": w, "count": c, "pieces": p} for w, c, p in added])
