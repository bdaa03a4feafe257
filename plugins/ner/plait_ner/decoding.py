"""BILUO tag sets, constrained Viterbi decoding and exact span probabilities (numpy only).

The tagger's per-token scores ``z[t]`` (logits over the BILUO tags) define a distribution over *well
formed* tag sequences::

    P(y) = exp(sum_t z[t, y_t] / T) * valid(y) / Z

i.e. the per-token softmaxes at temperature ``T``, renormalised over the sequences that the BILUO
grammar allows (a linear-chain CRF whose transition scores are 0 or -inf). Two consequences:

* the best sequence (Viterbi) does not depend on ``T`` (the per-token softmax normaliser is the same for
  every path, and dividing by ``T > 0`` keeps the argmax), so decoding uses the raw logits;
* the probability that a given span carries a given label (that ``y`` is ``B-L I-L ... L-L`` or ``U-L``
  exactly there) is computed exactly with forward-backward. This is the entity confidence.

Arrays are batched: ``(n_docs, max_len, n_tags)``. Positions past a doc's length are padded with a
forced ``O`` (score 0, every other tag impossible): since ``O`` may follow every valid ending and
nothing else can follow an open entity, the padding enforces the end-of-sequence constraint and leaves
scores, marginals and ``Z`` unchanged.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy

from .errors import Errors, PlaitNERError

NEG = -1e9  # "impossible"; finite so that log-sum-exp never sees inf - inf
MOVES = ("B", "I", "L", "U")


def tag_names(labels: Sequence[str]) -> List[str]:
    """``["O", "B-L1", "I-L1", "L-L1", "U-L1", "B-L2", ...]``: tag ``1 + 4 * i + move`` for label ``i``."""
    names = ["O"]
    for label in labels:
        names.extend(f"{move}-{label}" for move in MOVES)
    return names


def n_tags(n_labels: int) -> int:
    return 1 + 4 * n_labels


def transition_scores(n_labels: int) -> Tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """``(trans[prev, next], start[tag], end[tag])``: 0 where allowed, ``NEG`` where not."""
    k = n_tags(n_labels)
    trans = numpy.full((k, k), NEG)
    start = numpy.full((k,), NEG)
    end = numpy.full((k,), NEG)
    closed = [0]  # tags after which an entity may start or O may follow: O, L-*, U-*
    opening = [0]  # tags allowed where no entity is open: O, B-*, U-*
    for i in range(n_labels):
        b, inside, last, unit = (1 + 4 * i + m for m in range(4))
        closed += [last, unit]
        opening += [b, unit]
        for prev in (b, inside):
            trans[prev, inside] = 0.0
            trans[prev, last] = 0.0
    for prev in closed:
        trans[prev, opening] = 0.0
    start[opening] = 0.0
    end[closed] = 0.0
    return trans, start, end


def pad_scores(scores: Sequence[numpy.ndarray], n_labels: int) -> Tuple[numpy.ndarray, numpy.ndarray]:
    """Stack per-doc ``(len, n_tags)`` arrays into ``(n_docs, max_len, n_tags)`` with forced-O padding."""
    k = n_tags(n_labels)
    lengths = numpy.asarray([len(s) for s in scores], dtype="int64")
    max_len = max(int(lengths.max()) if len(lengths) else 0, 1)
    out = numpy.full((len(scores), max_len, k), NEG)
    out[:, :, 0] = 0.0
    for i, s in enumerate(scores):
        if len(s):
            s = numpy.asarray(s, dtype="float64")
            if s.shape[1] != k:
                raise PlaitNERError(Errors.NER024.format(k=k, shape=s.shape))
            out[i, : len(s)] = s
    return out, lengths


def _logsumexp(x: numpy.ndarray, axis: int) -> numpy.ndarray:
    m = x.max(axis=axis, keepdims=True)
    return (m + numpy.log(numpy.exp(x - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def _tag_groups(n_labels: int) -> Tuple[numpy.ndarray, numpy.ndarray, slice, slice, slice]:
    """``(closed, opening, B, I, L)``: index arrays of the tags after which an entity may start or
    ``O`` follow (``O``, ``L-*``, ``U-*``) and of the tags allowed where no entity is open (``O``,
    ``B-*``, ``U-*``), and the slices of the B, I and L moves over all labels (label order)."""
    b, i, last = slice(1, None, 4), slice(2, None, 4), slice(3, None, 4)
    labels = numpy.arange(n_labels)
    # sorted, so that argmax ties resolve to the lowest tag index as in the dense recursion
    closed = numpy.sort(numpy.concatenate([[0], 3 + 4 * labels, 4 + 4 * labels])).astype("int64")
    opening = numpy.sort(numpy.concatenate([[0], 1 + 4 * labels, 4 + 4 * labels])).astype("int64")
    return closed, opening, b, i, last


# The BILUO grammar makes the transition matrix of ``transition_scores`` very sparse: from a closed tag
# every opening tag is allowed (one shared predecessor set), and ``I-l`` / ``L-l`` follow only ``B-l`` or
# ``I-l``. Viterbi and forward-backward below use that structure, so a step costs O(tags) instead of
# O(tags^2); with 18 labels (73 tags) this is what keeps decoding a small share of the pipeline's time.
# They compute exactly what the dense recursion over ``transition_scores`` computes (the tests keep that
# recursion as their reference, besides brute-force enumeration).

def viterbi(scores: numpy.ndarray, n_labels: int) -> numpy.ndarray:
    """Best valid tag sequence for each row of padded ``scores``; returns ``(n_docs, max_len)`` ints."""
    closed, opening, b, i, last = _tag_groups(n_labels)
    n, t_max, k = scores.shape
    rows = numpy.arange(n)
    b_idx, i_idx = numpy.arange(k)[b], numpy.arange(k)[i]
    _, start, end = transition_scores(n_labels)
    delta = start[None, :] + scores[:, 0]
    back = numpy.zeros((n, t_max, k), dtype="int64")
    for t in range(1, t_max):
        from_closed = delta[:, closed]
        best = from_closed.argmax(axis=1)
        c_arg = closed[best]
        c_max = from_closed[rows, best]
        from_b, from_i = delta[:, b], delta[:, i]
        inside_from_i = from_i > from_b  # ties go to B, the lower index, as argmax does
        inner_max = numpy.where(inside_from_i, from_i, from_b)
        inner_arg = numpy.where(inside_from_i, i_idx[None, :], b_idx[None, :])
        new = numpy.empty_like(delta)
        new[:, opening] = c_max[:, None]
        new[:, i] = inner_max
        new[:, last] = inner_max
        back[:, t, opening] = c_arg[:, None]
        back[:, t, i] = inner_arg
        back[:, t, last] = inner_arg
        delta = new + scores[:, t]
    delta = delta + end[None, :]
    path = numpy.zeros((n, t_max), dtype="int64")
    path[:, -1] = delta.argmax(axis=1)
    for t in range(t_max - 1, 0, -1):
        path[:, t - 1] = back[rows, t, path[:, t]]
    return path


def forward_backward(scores: numpy.ndarray, n_labels: int
                     ) -> Tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """``(alpha, beta, log_z)`` of the constrained chain; ``alpha[:, t]`` includes the score at ``t``,
    ``beta[:, t]`` covers ``t+1..`` only, so ``alpha + beta - log_z`` are the log marginals."""
    closed, opening, b, i, last = _tag_groups(n_labels)
    _, start, end = transition_scores(n_labels)
    n, t_max, k = scores.shape
    alpha = numpy.empty((n, t_max, k))
    beta = numpy.empty((n, t_max, k))
    alpha[:, 0] = start[None, :] + scores[:, 0]
    for t in range(1, t_max):
        prev = alpha[:, t - 1]
        from_closed = _logsumexp(prev[:, closed], axis=1)  # (n,)
        inner = numpy.logaddexp(prev[:, b], prev[:, i])  # (n, labels)
        step = alpha[:, t]
        step[:, opening] = from_closed[:, None]
        step[:, i] = inner
        step[:, last] = inner
        step += scores[:, t]
    beta[:, -1] = end[None, :]
    for t in range(t_max - 2, -1, -1):
        nxt = scores[:, t + 1] + beta[:, t + 1]  # (n, next)
        to_opening = _logsumexp(nxt[:, opening], axis=1)  # (n,)
        inner = numpy.logaddexp(nxt[:, i], nxt[:, last])  # (n, labels)
        step = beta[:, t]
        step[:, closed] = to_opening[:, None]
        step[:, b] = inner
        step[:, i] = inner
    log_z = _logsumexp(alpha[:, -1] + end[None, :], axis=1)
    return alpha, beta, log_z


def tags_to_spans(tags: Sequence[int], length: int, n_labels: int) -> List[Tuple[int, int, int]]:
    """``(start, end, label_index)`` token spans of a well-formed BILUO index sequence."""
    spans = []
    begin = None
    for t in range(length):
        tag = int(tags[t])
        if tag == 0:
            begin = None
            continue
        label, move = divmod(tag - 1, 4)
        if move == 3:  # U
            spans.append((t, t + 1, label))
            begin = None
        elif move == 0:  # B
            begin = t
        elif move == 2 and begin is not None:  # L
            spans.append((begin, t + 1, label))
            begin = None
    return spans


def span_log_probs(scores: numpy.ndarray, alpha: numpy.ndarray, beta: numpy.ndarray,
                   log_z: numpy.ndarray, doc_index: int,
                   spans: Sequence[Tuple[int, int, int]]) -> numpy.ndarray:
    """Exact log-probability of each ``(start, end, label)`` span of one doc under the chain."""
    out = numpy.empty((len(spans),))
    for j, (s, e, label) in enumerate(spans):
        b, inside, last, unit = (1 + 4 * label + m for m in range(4))
        if e - s == 1:
            lp = alpha[doc_index, s, unit] + beta[doc_index, s, unit]
        else:
            lp = (alpha[doc_index, s, b] + scores[doc_index, s + 1: e - 1, inside].sum()
                  + scores[doc_index, e - 1, last] + beta[doc_index, e - 1, last])
        out[j] = lp - log_z[doc_index]
    return out


def decode(scores: Sequence[numpy.ndarray], n_labels: int, temperature: float = 1.0
           ) -> List[List[Tuple[int, int, int, float]]]:
    """Viterbi spans of each doc with their probability at ``temperature``: ``(start, end, label, p)``."""
    if not len(scores):
        return []
    padded, lengths = pad_scores(scores, n_labels)
    paths = viterbi(padded, n_labels)
    spans = [tags_to_spans(paths[i], int(lengths[i]), n_labels) for i in range(len(scores))]
    if not any(spans):
        return [[] for _ in spans]
    return [[(s, e, l, p) for (s, e, l), p in zip(doc_spans, probs)]
            for doc_spans, probs in zip(spans, span_probs(padded, spans, n_labels, temperature))]


def span_probs(padded: numpy.ndarray, spans: Sequence[Sequence[Tuple[int, int, int]]],
               n_labels: int, temperature: float) -> List[numpy.ndarray]:
    """Probabilities of given spans (per doc) at ``temperature``, clipped to [0, 1]."""
    scaled = padded / float(temperature)
    scaled[padded <= NEG] = NEG
    alpha, beta, log_z = forward_backward(scaled, n_labels)
    return [numpy.clip(numpy.exp(span_log_probs(scaled, alpha, beta, log_z, i, doc_spans)), 0.0, 1.0)
            for i, doc_spans in enumerate(spans)]
