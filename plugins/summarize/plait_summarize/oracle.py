"""Sentences, n-grams, the greedy ROUGE oracle and sentence selection (pure Python, no torch).

The oracle turns a (document, reference summary) pair into 0/1 sentence labels: starting from an empty
set it repeatedly adds the sentence that most increases ROUGE-1 F + ROUGE-2 F of the selected set against
the reference, and stops when no sentence increases it. Tokens for the oracle are lowercased runs of
ASCII letters and digits, like ``rouge-score``'s tokenizer (without stemming), so the oracle optimizes
what the scorer measures.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from spacy.tokens import Doc

_TOKEN_RE = re.compile(r"[a-z0-9]+")
_sentencizer = None


def rouge_tokens(text: str) -> List[str]:
    """Lowercased alphanumeric tokens, as ``rouge-score`` tokenizes (without stemming)."""
    return _TOKEN_RE.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _f1(overlap: int, n_pred: int, n_ref: int) -> float:
    if overlap == 0 or n_pred == 0 or n_ref == 0:
        return 0.0
    precision = overlap / n_pred
    recall = overlap / n_ref
    return 2 * precision * recall / (precision + recall)


def _overlap(pred: Counter, ref: Counter) -> int:
    if len(pred) > len(ref):
        pred, ref = ref, pred
    return sum(min(count, ref[gram]) for gram, count in pred.items() if gram in ref)


def greedy_oracle(sentences: Sequence[str], summary: str,
                  max_sentences: Optional[int] = None) -> List[int]:
    """Indices (in document order) of the sentences the greedy ROUGE-1+2 oracle selects.

    Each step adds the sentence that most increases ROUGE-1 F + ROUGE-2 F of the selected set against
    ``summary``; the search stops when no sentence increases it (or at ``max_sentences``).
    """
    ref_tokens = rouge_tokens(summary)
    if not ref_tokens or not sentences:
        return []
    ref1, ref2 = ngrams(ref_tokens, 1), ngrams(ref_tokens, 2)
    n_ref1, n_ref2 = sum(ref1.values()), sum(ref2.values())
    sent_tokens = [rouge_tokens(s) for s in sentences]
    sent1 = [ngrams(t, 1) for t in sent_tokens]
    sent2 = [ngrams(t, 2) for t in sent_tokens]
    selected: List[int] = []
    sel1: Counter = Counter()
    sel2: Counter = Counter()
    best = 0.0
    limit = len(sentences) if max_sentences is None else min(max_sentences, len(sentences))
    while len(selected) < limit:
        best_i, best_score = -1, best
        for i in range(len(sentences)):
            if i in selected or not sent_tokens[i]:
                continue
            # Bigrams do not cross sentence boundaries: the selected set is a bag of sentences.
            c1 = sel1 + sent1[i]
            c2 = sel2 + sent2[i]
            score = (_f1(_overlap(c1, ref1), sum(c1.values()), n_ref1)
                     + _f1(_overlap(c2, ref2), sum(c2.values()), n_ref2))
            if score > best_score + 1e-12:
                best_i, best_score = i, score
        if best_i < 0:
            break
        selected.append(best_i)
        sel1 += sent1[best_i]
        sel2 += sent2[best_i]
        best = best_score
    return sorted(selected)


class OracleCache:
    """Oracle labels cached per (sentence texts, reference summary); bounded, oldest entries dropped."""

    def __init__(self, max_size: int = 20000) -> None:
        self.max_size = max_size
        self._data: Dict[Tuple[Tuple[str, ...], str], List[float]] = {}
        self.hits = 0
        self.misses = 0

    def labels(self, sentences: Sequence[str], summary: str) -> List[float]:
        key = (tuple(sentences), summary)
        found = self._data.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        chosen = set(greedy_oracle(sentences, summary))
        labels = [1.0 if i in chosen else 0.0 for i in range(len(sentences))]
        if len(self._data) >= self.max_size:
            self._data.pop(next(iter(self._data)))
        self._data[key] = labels
        return labels

    def __len__(self) -> int:
        return len(self._data)


# -- sentences ---------------------------------------------------------------------------------------

def _get_sentencizer():
    global _sentencizer
    if _sentencizer is None:
        from spacy.pipeline import Sentencizer

        _sentencizer = Sentencizer()
    return _sentencizer


def sentence_bounds(doc: Doc) -> List[Tuple[int, int]]:
    """Token (start, end) of each sentence of ``doc``.

    Uses the doc's own sentence boundaries when it has any; otherwise spaCy's rule-based
    ``Sentencizer`` (punctuation-based) decides them, without modifying the doc.
    """
    if len(doc) == 0:
        return []
    if doc.has_annotation("SENT_START"):
        return [(sent.start, sent.end) for sent in doc.sents]
    guesses = _get_sentencizer().predict([doc])[0]
    starts = [i for i, is_start in enumerate(guesses) if is_start] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    ends = starts[1:] + [len(doc)]
    return list(zip(starts, ends))


def set_sentence_bounds(doc: Doc, bounds: Sequence[Tuple[int, int]]) -> None:
    """Write ``bounds`` as the doc's sentence boundaries if it has none."""
    if len(doc) == 0 or doc.has_annotation("SENT_START"):
        return
    starts = {start for start, _ in bounds}
    for token in doc:
        token.is_sent_start = token.i in starts


def sentence_words(doc: Doc, start: int, end: int) -> List[str]:
    """Lowercased words (no punctuation or whitespace tokens) of ``doc[start:end]``."""
    return [t.lower_ for t in doc[start:end] if not (t.is_punct or t.is_space)]


def trigrams(words: Sequence[str]) -> Set[Tuple[str, str, str]]:
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}  # type: ignore[misc]


def sentence_budget(n_sents: int, *, max_sentences: Optional[int], ratio: float) -> int:
    """How many sentences a summary of an ``n_sents``-sentence doc may have (at least 1)."""
    if n_sents == 0:
        return 0
    k = max(1, math.ceil(ratio * n_sents - 1e-9))
    if max_sentences is not None:
        k = min(k, max_sentences)
    return min(k, n_sents)


def select_sentences(words: Sequence[Sequence[str]], scores: Sequence[float], *,
                     max_sentences: Optional[int], ratio: float, max_words: Optional[int],
                     trigram_blocking: bool, threshold: Optional[float] = None) -> List[int]:
    """Indices (document order) of the sentences to put in the summary.

    Sentences are visited by descending score (ties: earlier first). A sentence is taken unless the
    sentence budget (``max_sentences``, ``ceil(ratio * n)``) is full, its score is below ``threshold``
    (when given), it would push the summary over ``max_words`` words, or (``trigram_blocking``) it shares
    a word trigram with a sentence already taken. A non-empty doc always gets at least its best sentence,
    even when that sentence alone is longer than ``max_words`` or scores below ``threshold``.
    """
    n = len(scores)
    if n == 0:
        return []
    budget = sentence_budget(n, max_sentences=max_sentences, ratio=ratio)
    order = sorted(range(n), key=lambda i: (-float(scores[i]), i))
    selected: List[int] = []
    seen: Set[Tuple[str, str, str]] = set()
    n_words = 0
    for i in order:
        if len(selected) >= budget:
            break
        if threshold is not None and float(scores[i]) < threshold:
            break
        length = len(words[i])
        if max_words is not None and n_words + length > max_words:
            continue
        grams = trigrams(words[i])
        if trigram_blocking and grams & seen:
            continue
        selected.append(i)
        seen |= grams
        n_words += length
    if not selected:
        selected = [order[0]]
    return sorted(selected)


def lexical_centroid_scores(words: Sequence[Sequence[str]],
                            stop: Optional[Iterable[str]] = None) -> List[float]:
    """TF-IDF centroid scores: cosine of each sentence's TF-IDF vector to the sum of all of them.

    IDF is computed over the doc's own sentences (``log((1 + n) / (1 + df)) + 1``); ``stop`` words are
    ignored. A sentence with no content word scores 0.
    """
    stop_set = set(stop or ())
    bags = [Counter(w for w in ws if w not in stop_set and any(c.isalnum() for c in w)) for ws in words]
    n = len(bags)
    df: Counter = Counter()
    for bag in bags:
        df.update(bag.keys())
    idf = {w: math.log((1 + n) / (1 + d)) + 1.0 for w, d in df.items()}
    vectors = [{w: c * idf[w] for w, c in bag.items()} for bag in bags]
    centroid: Counter = Counter()
    for vec in vectors:
        centroid.update(vec)
    c_norm = math.sqrt(sum(v * v for v in centroid.values()))
    scores = []
    for vec in vectors:
        norm = math.sqrt(sum(v * v for v in vec.values()))
        if norm == 0 or c_norm == 0:
            scores.append(0.0)
        else:
            scores.append(sum(v * centroid[w] for w, v in vec.items()) / (norm * c_norm))
    return scores
