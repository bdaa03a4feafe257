"""Constrained decoding and exact span probabilities, checked against brute-force enumeration."""
from __future__ import annotations

import itertools
import math

import numpy
import pytest

from plait_ner.decoding import (NEG, decode, forward_backward, n_tags, pad_scores, span_probs,
                                tag_names, tags_to_spans, transition_scores, viterbi)


def is_valid(names, seq):
    """BILUO well-formedness, written independently of transition_scores."""
    open_label = None
    for tag in seq:
        name = names[tag]
        move, label = (name.split("-", 1) + [None])[:2] if name != "O" else ("O", None)
        if open_label is None:
            if move not in ("O", "B", "U"):
                return False
            if move == "B":
                open_label = label
        else:
            if move not in ("I", "L") or label != open_label:
                return False
            if move == "L":
                open_label = None
    return open_label is None


def enumerate_paths(scores, n_labels):
    names = tag_names([f"L{i}" for i in range(n_labels)])
    k = n_tags(n_labels)
    for seq in itertools.product(range(k), repeat=len(scores)):
        if is_valid(names, seq):
            yield seq, sum(scores[t, y] for t, y in enumerate(seq))


def viterbi_dense(scores, n_labels):
    """Reference Viterbi over the full ``transition_scores`` matrix (O(tags^2) per step)."""
    trans, start, end = transition_scores(n_labels)
    n, t_max, k = scores.shape
    delta = start[None, :] + scores[:, 0]
    back = numpy.zeros((n, t_max, k), dtype="int64")
    for t in range(1, t_max):
        cand = delta[:, :, None] + trans[None]  # (n, prev, next)
        back[:, t] = cand.argmax(axis=1)
        delta = cand.max(axis=1) + scores[:, t]
    delta = delta + end[None, :]
    path = numpy.zeros((n, t_max), dtype="int64")
    path[:, -1] = delta.argmax(axis=1)
    rows = numpy.arange(n)
    for t in range(t_max - 1, 0, -1):
        path[:, t - 1] = back[rows, t, path[:, t]]
    return path


def forward_backward_dense(scores, n_labels):
    """Reference forward-backward over the full ``transition_scores`` matrix."""
    trans, start, end = transition_scores(n_labels)
    n, t_max, k = scores.shape
    alpha = numpy.empty((n, t_max, k))
    beta = numpy.empty((n, t_max, k))
    alpha[:, 0] = start[None, :] + scores[:, 0]
    for t in range(1, t_max):
        alpha[:, t] = (numpy.logaddexp.reduce(alpha[:, t - 1, :, None] + trans[None], axis=1)
                       + scores[:, t])
    beta[:, -1] = end[None, :]
    for t in range(t_max - 2, -1, -1):
        nxt = scores[:, t + 1] + beta[:, t + 1]  # (n, next)
        beta[:, t] = numpy.logaddexp.reduce(trans[None] + nxt[:, None, :], axis=2)
    log_z = numpy.logaddexp.reduce(alpha[:, -1] + end[None, :], axis=1)
    return alpha, beta, log_z


def test_tag_names_and_transitions():
    assert tag_names(["PER", "LOC"]) == ["O", "B-PER", "I-PER", "L-PER", "U-PER",
                                         "B-LOC", "I-LOC", "L-LOC", "U-LOC"]
    trans, start, end = transition_scores(2)
    names = tag_names(["PER", "LOC"])
    allowed = {(names[a], names[b]) for a, b in zip(*numpy.nonzero(trans == 0))}
    for pair in [("O", "O"), ("O", "B-PER"), ("O", "U-LOC"), ("B-PER", "I-PER"), ("B-PER", "L-PER"),
                 ("I-PER", "I-PER"), ("L-PER", "B-LOC"), ("U-PER", "U-PER"), ("L-LOC", "O")]:
        assert pair in allowed
    for pair in [("O", "I-PER"), ("O", "L-PER"), ("B-PER", "O"), ("B-PER", "I-LOC"),
                 ("I-PER", "L-LOC"), ("I-PER", "B-PER"), ("U-PER", "I-PER"), ("L-PER", "L-PER")]:
        assert pair not in allowed
    # every allowed pair can occur inside some well-formed sequence
    assert len(allowed) == 1 * 5 + 4 * 5 + 2 * 2 * 2  # from O/L/U: 5 each; from B/I: 2 each
    assert [names[i] for i in numpy.nonzero(start == 0)[0]] == ["O", "B-PER", "U-PER", "B-LOC",
                                                                 "U-LOC"]
    assert [names[i] for i in numpy.nonzero(end == 0)[0]] == ["O", "L-PER", "U-PER", "L-LOC",
                                                               "U-LOC"]


@pytest.mark.parametrize("seed", range(5))
def test_viterbi_is_the_best_valid_path(seed):
    rng = numpy.random.default_rng(seed)
    n_labels = 2
    scores = rng.normal(size=(4, n_tags(n_labels))) * 3
    best_seq, best_score = max(enumerate_paths(scores, n_labels), key=lambda p: p[1])
    padded, lengths = pad_scores([scores], n_labels)
    path = viterbi(padded, n_labels)[0]
    assert tuple(path[:4]) == best_seq
    # the temperature does not change the decoded sequence
    assert tuple(viterbi(padded / 0.3, n_labels)[0][:4]) == best_seq


@pytest.mark.parametrize("seed", range(5))
def test_span_probability_matches_enumeration(seed):
    rng = numpy.random.default_rng(100 + seed)
    n_labels = 2
    length = 4
    scores = rng.normal(size=(length, n_tags(n_labels))) * 2
    temperature = [0.5, 1.0, 2.0, 1.0, 3.0][seed]
    paths = list(enumerate_paths(scores / temperature, n_labels))
    log_z = numpy.logaddexp.reduce([s for _, s in paths])
    spans = sorted({span for seq, _ in paths for span in tags_to_spans(seq, length, n_labels)})
    padded, _ = pad_scores([scores], n_labels)
    probs = span_probs(padded, [spans], n_labels, temperature)[0]
    for span, p in zip(spans, probs):
        expected = sum(math.exp(s - log_z) for seq, s in paths
                       if span in tags_to_spans(seq, length, n_labels))
        assert p == pytest.approx(expected, rel=1e-6, abs=1e-9), span


def test_marginals_sum_to_one_and_padding_is_neutral():
    rng = numpy.random.default_rng(7)
    n_labels = 3
    docs = [rng.normal(size=(n, n_tags(n_labels))) for n in (5, 1, 9)]
    padded, lengths = pad_scores(docs, n_labels)
    alpha, beta, log_z = forward_backward(padded, n_labels)
    marginals = numpy.exp(alpha + beta - log_z[:, None, None])
    for i, n in enumerate(lengths):
        assert numpy.allclose(marginals[i, :n].sum(axis=1), 1.0)
        # one doc alone gives the same normaliser as the same doc in a padded batch
        alone, _ = pad_scores([docs[i]], n_labels)
        assert forward_backward(alone, n_labels)[2][0] == pytest.approx(log_z[i])
        assert list(viterbi(alone, n_labels)[0][:n]) == list(viterbi(padded, n_labels)[i][:n])


def test_decode_always_gives_well_formed_spans():
    rng = numpy.random.default_rng(3)
    n_labels = 4
    docs = [rng.normal(size=(n, n_tags(n_labels))) * 5 for n in range(0, 30, 3)]
    decoded = decode(docs, n_labels, temperature=1.5)
    assert len(decoded) == len(docs)
    for doc, spans in zip(docs, decoded):
        last_end = 0
        for start, end, label, p in spans:
            assert last_end <= start < end <= len(doc)
            assert 0 <= label < n_labels
            assert 0.0 <= p <= 1.0
            last_end = end


def test_decode_empty_inputs():
    assert decode([], 2) == []
    assert decode([numpy.zeros((0, n_tags(2)))], 2) == [[]]


@pytest.mark.parametrize("n_labels", [1, 4, 18])
def test_structured_recursions_equal_the_dense_ones(n_labels):
    """The O(tags) Viterbi and forward-backward compute what the full transition matrix gives,
    on a padded batch of uneven docs, with sharp and flat scores (ties included)."""
    rng = numpy.random.default_rng(n_labels)
    k = n_tags(n_labels)
    docs = [rng.normal(size=(n, k)) * scale for n, scale in ((1, 1.0), (7, 4.0), (30, 0.5), (12, 8.0))]
    docs.append(numpy.zeros((9, k)))  # every path ties
    padded, lengths = pad_scores(docs, n_labels)
    assert numpy.array_equal(viterbi(padded, n_labels), viterbi_dense(padded, n_labels))
    alpha, beta, log_z = forward_backward(padded, n_labels)
    alpha_d, beta_d, log_z_d = forward_backward_dense(padded, n_labels)
    assert numpy.allclose(log_z, log_z_d, rtol=1e-10)
    for i, n in enumerate(lengths):
        live = (alpha_d[i, :n] > NEG / 2) & (beta_d[i, :n] > NEG / 2)  # reachable and completable
        assert numpy.allclose(alpha[i, :n][live], alpha_d[i, :n][live], rtol=1e-10)
        assert numpy.allclose(beta[i, :n][live], beta_d[i, :n][live], rtol=1e-10)
        assert numpy.all((alpha[i, :n] + beta[i, :n])[~live] < NEG / 2)  # impossible stays impossible
