"""Documents -> a seeded held-out slice and windows of wordpieces of the encoder's length.

Documents are tokenized without special tokens, joined with the separator token and cut into windows
of ``window - 2`` pieces, each framed by the classifier and separator tokens as the encoder saw them in
pre-training. Each piece keeps the index of the word it came from (the tokenizer's pre-tokenized
words), so an objective can mask whole words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence, Tuple

import numpy

from plait.errors import AdaptError, Errors


@dataclass
class WindowSet:
    """Windows of token ids; ``words[i][j]`` is the word of piece j (-1: special or separator)."""

    ids: List[numpy.ndarray] = field(default_factory=list)
    words: List[numpy.ndarray] = field(default_factory=list)
    documents: int = 0

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def tokens(self) -> int:
        """Text pieces (special tokens and separators not counted)."""
        return int(sum(int((w >= 0).sum()) for w in self.words))


def split_heldout(documents: Sequence[str], fraction: float, seed: int
                  ) -> Tuple[List[str], List[str]]:
    """A seeded held-out slice of whole documents (at least one of each side)."""
    if len(documents) < 2:
        raise AdaptError(Errors.E173.format(docs=len(documents)))
    order = numpy.random.default_rng([seed, 7]).permutation(len(documents))
    n_held = min(len(documents) - 1, max(1, int(round(fraction * len(documents)))))
    held = set(order[:n_held].tolist())
    train = [d for i, d in enumerate(documents) if i not in held]
    heldout = [d for i, d in enumerate(documents) if i in held]
    return train, heldout


def encoder_limit(tokenizer: Any, config: Any) -> int:
    """The most wordpieces one window may hold: the tokenizer's and the position table's limit."""
    limits = [int(getattr(config, "max_position_embeddings", 0) or 0)]
    tok_max = int(getattr(tokenizer, "model_max_length", 0) or 0)
    if 0 < tok_max < 100_000:
        limits.append(tok_max)
    limits = [x for x in limits if x > 0]
    limit = min(limits) if limits else 512
    # RoBERTa-style position tables reserve padding_idx + 1 slots
    if getattr(config, "model_type", "") in ("roberta", "xlm-roberta", "camembert") and limit == int(
            getattr(config, "max_position_embeddings", 0) or 0):
        limit -= 2
    return limit


def pack(documents: Sequence[str], tokenizer: Any, window: int, *, batch: int = 256) -> WindowSet:
    """Tokenize ``documents`` and pack them into windows of at most ``window`` pieces."""
    cls_id = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    sep_id = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    inner = window - 2
    ids: List[int] = []
    words: List[int] = []
    next_word = 0
    for start in range(0, len(documents), batch):
        chunk = list(documents[start:start + batch])
        enc = tokenizer(chunk, add_special_tokens=False, truncation=False, verbose=False)
        for i, piece_ids in enumerate(enc["input_ids"]):
            if not piece_ids:
                continue
            word_ids = enc.word_ids(i)
            base = next_word
            top = -1
            for pid, wid in zip(piece_ids, word_ids):
                ids.append(pid)
                w = base + (wid if wid is not None else 0)
                words.append(w)
                top = max(top, w)
            next_word = top + 1
            ids.append(sep_id)  # document boundary
            words.append(-1)
    out = WindowSet(documents=len(documents))
    all_ids = numpy.asarray(ids, dtype=numpy.int64)
    all_words = numpy.asarray(words, dtype=numpy.int64)
    for begin in range(0, len(all_ids), inner):
        piece = all_ids[begin:begin + inner]
        word = all_words[begin:begin + inner]
        if piece.size and piece[-1] == sep_id:  # no trailing separator before the window's own
            piece, word = piece[:-1], word[:-1]
        if not (word >= 0).any():
            continue
        out.ids.append(numpy.concatenate([[cls_id], piece, [sep_id]]).astype(numpy.int64))
        out.words.append(numpy.concatenate([[-1], word, [-1]]).astype(numpy.int64))
    return out


def collate(windows: WindowSet, indices: Sequence[int], pad_id: int
            ) -> Tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """(input ids, attention mask, word ids) of some windows, padded to the longest."""
    length = max(len(windows.ids[i]) for i in indices)
    n = len(indices)
    input_ids = numpy.full((n, length), pad_id, dtype=numpy.int64)
    mask = numpy.zeros((n, length), dtype=numpy.int64)
    word_ids = numpy.full((n, length), -1, dtype=numpy.int64)
    for row, i in enumerate(indices):
        size = len(windows.ids[i])
        input_ids[row, :size] = windows.ids[i]
        mask[row, :size] = 1
        word_ids[row, :size] = windows.words[i]
    return input_ids, mask, word_ids


def batches_of(n: int, batch_size: int) -> List[List[int]]:
    return [list(range(i, min(n, i + batch_size))) for i in range(0, n, batch_size)]


def check_window(window: Optional[int], limit: int) -> int:
    window = limit if not window else int(window)
    if window < 8 or window > limit:
        raise AdaptError(Errors.E184.format(window=window, limit=limit))
    return window
