"""Splitting a long text into contiguous segments of about ``max_tokens`` tokens.

Segments cover the whole text (no character is dropped), so a segment's entity offsets plus the segment's
start are offsets in the original text. Cuts fall between paragraphs, else between sentences, else at
whitespace, else (a run of text with no space at all) anywhere; a cut inside a sentence is reported.
"""
from __future__ import annotations

import re
from typing import List, Tuple

_TOKEN = re.compile(r"\w+|[^\w\s]")
_PARAGRAPH = re.compile(r"(\n[ \t\r\f\v]*\n\s*)")
_SENTENCE = re.compile(r"[.!?。！？][\"')\]]*(\s+)")
_SPACE = re.compile(r"(\s+)")

Span = Tuple[int, int]


def estimate_tokens(text: str) -> int:
    """A cheap stand-in for the tokenizer's count: words and punctuation marks."""
    return len(_TOKEN.findall(text))


def _cuts(text: str, start: int, end: int, pattern: "re.Pattern[str]") -> List[Span]:
    """Cut in each separator's whitespace where spaCy's tokenizer would: after one plain space (the
    previous token's ``whitespace_``), else before it (whitespace tokens open the next sentence)."""
    pieces, pos = [], start
    for m in pattern.finditer(text, start, end):
        cut = m.start(1) + (text[m.start(1)] == " ")
        if pos < cut < end:
            pieces.append((pos, cut))
            pos = cut
    pieces.append((pos, end))
    return pieces


def _pieces(text: str, start: int, end: int, max_tokens: int, max_chars: int,
            level: int, mid_sentence: List[int]) -> List[Span]:
    """Pieces of text[start:end], each within budget, using the coarsest cut that works."""
    if end - start <= max_chars and estimate_tokens(text[start:end]) <= max_tokens:
        return [(start, end)]
    if level == 3:  # no whitespace at all: cut by characters
        step = max(1, min(max_chars, max_tokens))
        spans = [(s, min(s + step, end)) for s in range(start, end, step)]
        mid_sentence.extend(s for s, _ in spans[1:])
        return spans
    pattern = (_PARAGRAPH, _SENTENCE, _SPACE)[level]
    out: List[Span] = []
    for s, e in _cuts(text, start, end, pattern):
        out.extend(_pieces(text, s, e, max_tokens, max_chars, level + 1, mid_sentence))
    if level >= 2:
        mid_sentence.extend(s for s, _ in out[1:])
    return out


def split_text(text: str, max_tokens: int, *, max_chars: int = 0) -> Tuple[List[Span], List[int]]:
    """Contiguous ``(start, end)`` segments of about ``max_tokens`` tokens covering all of ``text``,
    and the offsets where a cut fell inside a sentence."""
    max_chars = max_chars or max(max_tokens * 12, 64)
    mid: List[int] = []
    pieces = _pieces(text, 0, len(text), max_tokens, max_chars, 0, mid)
    segments: List[Span] = []
    cur_start, cur_tokens = pieces[0][0], 0
    cur_end = cur_start
    for s, e in pieces:
        n = estimate_tokens(text[s:e])
        if cur_end > cur_start and (cur_tokens + n > max_tokens or e - cur_start > max_chars):
            segments.append((cur_start, cur_end))
            cur_start, cur_tokens = s, 0
        cur_end, cur_tokens = e, cur_tokens + n
    segments.append((cur_start, cur_end))
    starts = {s for s, _ in segments}
    return segments, sorted(m for m in set(mid) if m in starts)
