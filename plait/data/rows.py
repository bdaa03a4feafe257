"""One input row -> (text or words, Gold) for a component's declared shapes, or a named reject.

Task-agnostic: the shapes (``labels``, ``spans``, ``pair``) and the fields that hold them come from the
component's :class:`~plait.plugins.contracts.GoldInfo`; this module only reads values of those shapes and checks
them (types, offsets, alignment to tokens, overlaps, tag sequences).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from plait.plugins.contracts import GoldInfo
from plait.data.gold import Gold
from plait.io.formats import Annotated, Reject, Row, Sentence, clip
from plait.data.tags import TagError, detect_scheme, tags_to_spans

ALIGN_MODES = ("strict", "contract", "expand")
TEXT_FIELD = "text"

# reject kinds (meta.json counts skipped records by these)
K_READ = "malformed record"
K_UTF8 = "invalid UTF-8"
K_EMPTY = "empty text"
K_FIELD = "missing field"
K_TYPE = "wrongly typed field"
K_LABELS = "wrong number of labels"
K_SPAN = "bad span"
K_ALIGN = "misaligned span"
K_OVERLAP = "overlapping spans"
K_TAGS = "invalid tag sequence"
K_GOLD = "no gold"
K_DUP = "duplicate text"
K_CONFLICT = "conflicting duplicate"


def row_kind(error: str) -> str:
    return K_UTF8 if "UTF-8" in error else K_EMPTY if error == "empty line" else K_READ


@dataclass
class Parsed:
    """A row that passed the checks: its text (or words), gold still in character offsets."""

    row: Row
    text: Optional[str] = None
    words: Optional[List[str]] = None
    spaces: Optional[List[bool]] = None
    sent_starts: Optional[List[bool]] = None
    labels: Optional[Tuple[List[str], List[str]]] = None  # positives, explicit negatives
    char_spans: Optional[List[Tuple[int, int, str]]] = None
    token_spans: Optional[List[Tuple[int, int, str]]] = None
    target: Optional[str] = None
    doc: Any = None  # a passed-through Doc


def _reject(row: Row, kind: str, reason: str, value: Any = None) -> Reject:
    return Reject(row.source, row.line, reason, clip(row.value if value is None else value), kind)


# -- values of each shape ---------------------------------------------------------------------------
def parse_labels(value: Any) -> Union[Tuple[List[str], List[str]], str]:
    """A label, a list of labels, or a {label: 0/1} mapping -> (positives, negatives), or why not."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            value = json.loads(value)  # a JSON list/mapping in a CSV cell
        except json.JSONDecodeError:
            pass
    if isinstance(value, dict) and set(value) == {"choices"}:
        value = value["choices"]  # Label Studio's JSON-MIN with several choices selected
    if isinstance(value, bool) or value is None:
        return f"a label must be a string, got {json.dumps(value)}"
    if isinstance(value, int):
        return [str(value)], []
    if isinstance(value, str):
        label = value.strip()
        return ([label], []) if label else "empty label"
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, (str, int)) or not str(item).strip():
                return f"label {json.dumps(item)} in the list is not a non-empty string"
            out.append(str(item).strip())
        return sorted(set(out)), []
    if isinstance(value, dict):
        pos, neg = [], []
        for label, score in value.items():
            if isinstance(score, bool):
                score = float(score)
            if not isinstance(score, (int, float)) or not 0.0 <= float(score) <= 1.0:
                return f"the value of label {label!r} is {json.dumps(score)}, not 0/1"
            (pos if float(score) >= 0.5 else neg).append(str(label))
        return sorted(pos), sorted(neg)
    return f"a label is a string, a list or a {{label: 0/1}} mapping, not a {type(value).__name__}"


def parse_spans(value: Any, text: str) -> Union[List[Tuple[int, int, str]], str]:
    """``{start, end, label}`` objects or ``[start, end, label]`` triples, in character offsets (in a
    CSV cell, as JSON: Label Studio's CSV export)."""
    if isinstance(value, str) and value.strip()[:1] == "[":
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            pass
    if not isinstance(value, list):
        return f"spans must be a list, not a {type(value).__name__}"
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            start, end = item.get("start", item.get("start_offset")), item.get("end",
                                                                                item.get("end_offset"))
            label = item.get("label", item.get("labels"))
            if isinstance(label, list) and len(label) == 1:  # Label Studio's labels: [X]
                label = label[0]
        elif isinstance(item, (list, tuple)) and len(item) == 3:
            start, end, label = item
        else:
            return f"span #{i + 1} {clip(item, 60)} is not {{start, end, label}} or [start, end, label]"
        if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) \
                or not isinstance(end, int):
            return f"span #{i + 1} {clip(item, 60)}: start and end must be integers"
        if not isinstance(label, str) or not label.strip():
            return f"span #{i + 1} {clip(item, 60)}: label must be a non-empty string"
        if not 0 <= start < end <= len(text):
            return (f"span #{i + 1} [{start}, {end}) {label} is outside the text (0-{len(text)}) or "
                    f"empty")
        out.append((start, end, label.strip()))
    return out


def _field(record: Dict[str, Any], names: Sequence[str]) -> Optional[str]:
    return next((name for name in names if name in record and record[name] is not None), None)


def parse_row(row: Row, fmt: str, gold: GoldInfo, *, text_field: Optional[str],
              gold_field: Optional[str], scheme: Optional[str]) -> Union[Parsed, Reject]:
    """Check one row against the shapes ``gold`` accepts."""
    if row.error is not None:
        return Reject(row.source, row.line, row.error, clip(row.raw or ""), row_kind(row.error))
    value = row.value
    if fmt == "spacy":
        return Parsed(row, doc=value)
    if fmt == "tokens":
        return _parse_sentences(row, value, gold, scheme or "iob1")
    if isinstance(value, Annotated):
        return _parse_annotated(row, value, gold, scheme)
    if not isinstance(value, dict):
        return _reject(row, K_TYPE, f"record is a {type(value).__name__}, expected an object "
                       f"with a text and its gold")
    parsed = Parsed(row)
    tname = text_field or TEXT_FIELD
    if tname in value and value[tname] is not None:
        text = value[tname]
        if not isinstance(text, str):
            return _reject(row, K_TYPE, f"text field '{tname}' is {type(text).__name__}, not a "
                           f"string")
        if not text.strip():
            return _reject(row, K_EMPTY, "empty text")
        parsed.text = text
    elif text_field is None and isinstance(value.get("tokens"), list) and value["tokens"]:
        words = _token_words(value["tokens"])  # spaCy's / Prodigy's JSONL with tokens
        if isinstance(words, str):
            return _reject(row, K_TYPE, words)
        parsed.words, parsed.spaces = words
    else:
        return _reject(row, K_FIELD, f"missing text field '{tname}'")
    names = [gold_field] if gold_field else list(gold.fields)
    name = _field(value, names)
    if name is None:
        return _reject(row, K_FIELD, f"missing gold field ({' or '.join(repr(n) for n in names)})")
    for shape in gold.accepts:
        if shape == "labels":
            got = parse_labels(value[name])
            if isinstance(got, str):
                return _reject(row, K_TYPE, f"field '{name}': {got}")
            parsed.labels = got
        elif shape == "spans":
            if parsed.text is None:
                return _reject(row, K_FIELD, "character-offset spans need a text field "
                               f"'{tname}' (this record has tokens only)")
            got = parse_spans(value[name], parsed.text)
            if isinstance(got, str):
                return _reject(row, K_SPAN if "span #" in got else K_TYPE, f"field '{name}': {got}")
            parsed.char_spans = got
        elif shape == "pair":
            target = value[name]
            if not isinstance(target, str):
                return _reject(row, K_TYPE, f"field '{name}' is {type(target).__name__}, not a "
                               f"string")
            if not target.strip():
                return _reject(row, K_EMPTY, f"empty '{name}'")
            parsed.target = target
        return parsed
    return parsed


def _parse_annotated(row: Row, rec: Annotated, gold: GoldInfo,
                     scheme: Optional[str]) -> Union[Parsed, Reject]:
    """An annotation tool's record (:class:`~plait.io.formats.Annotated`): its text or words, and
    the gold of the first shape the component takes that the record holds."""
    parsed = Parsed(row)
    shown = rec.any_text or ""
    if rec.words is not None:
        if not rec.words:
            return _reject(row, K_EMPTY, "no words", shown)
        parsed.words = rec.words
        parsed.spaces = rec.spaces or [True] * (len(rec.words) - 1) + [False]
        parsed.sent_starts = rec.sent_starts
    elif isinstance(rec.text, str):
        if not rec.text.strip():
            return _reject(row, K_EMPTY, "empty text", shown)
        parsed.text = rec.text
    elif rec.text is not None:
        return _reject(row, K_TYPE, f"the text is {type(rec.text).__name__}, not a string", rec.text)
    else:
        fields = f" (its fields: {', '.join(rec.fields)})" if rec.fields else ""
        return _reject(row, K_FIELD, f"missing text{fields}; name its field with --text-field")
    for shape in gold.accepts:
        if shape == "labels" and rec.labels is not None:
            got = parse_labels(rec.labels)
            if isinstance(got, str):
                return _reject(row, K_TYPE, got, shown)
            parsed.labels = got
            return parsed
        if shape == "spans" and rec.token_spans is not None:
            n = len(rec.words or [])
            for i, (start, end, label) in enumerate(rec.token_spans):
                if not isinstance(label, str) or not label.strip():
                    return _reject(row, K_SPAN, f"span #{i + 1}: label must be a non-empty string",
                                   shown)
                if not 0 <= start < end <= n:
                    return _reject(row, K_SPAN, f"span #{i + 1} tokens [{start}, {end}) {label} is "
                                   f"outside the {n} tokens or empty", shown)
            parsed.token_spans = [(s, e, label.strip()) for s, e, label in rec.token_spans]
            return parsed
        if shape == "spans" and rec.tags is not None:
            tags = rec.tags
            try:
                parsed.token_spans = tags_to_spans(tags, rec.scheme or scheme or detect_scheme(tags))
            except TagError as exc:
                return _reject(row, K_TAGS, f"token {exc.index + 1}: {exc.msg}", " ".join(
                    f"{w}/{t}" for w, t in zip(rec.words or [], tags)))
            return parsed
        if shape == "spans" and rec.spans is not None:
            if parsed.text is None:
                return _reject(row, K_FIELD, "character-offset spans need the record's text", shown)
            got = parse_spans(rec.spans, parsed.text)
            if isinstance(got, str):
                return _reject(row, K_SPAN if "span #" in got else K_TYPE, got, shown)
            parsed.char_spans = got
            return parsed
        if shape == "pair" and rec.target is not None:
            if not rec.target.strip():
                return _reject(row, K_EMPTY, "empty target", shown)
            parsed.target = rec.target
            return parsed
    held = [name for name, value in (("labels", rec.labels), ("spans", rec.spans),
                                     ("spans", rec.token_spans), ("spans", rec.tags),
                                     ("a target", rec.target)) if value is not None]
    return _reject(row, K_GOLD, f"no {' or '.join(gold.accepts)} in this record" +
                   (f" (it holds {', '.join(dict.fromkeys(held))})" if held else ""), shown)


def _token_words(tokens: List[Any]) -> Union[Tuple[List[str], List[bool]], str]:
    words, spaces = [], []
    for tok in tokens:
        if isinstance(tok, str) and tok:
            words.append(tok)
            spaces.append(True)
        elif isinstance(tok, dict) and isinstance(tok.get("text"), str) and tok["text"]:
            words.append(tok["text"])
            spaces.append(bool(tok.get("ws", True)))
        else:
            return f"token {clip(tok, 40)} is not a string or a {{text, ws}} object"
    spaces[-1] = False
    return words, spaces


def _parse_sentences(row: Row, sentences: List[Sentence], gold: GoldInfo,
                     scheme: str) -> Union[Parsed, Reject]:
    words: List[str] = []
    starts: List[bool] = []
    spans: List[Tuple[int, int, str]] = []
    for sent in sentences:
        try:
            local = tags_to_spans(sent.tags, scheme)
        except TagError as exc:
            return Reject(row.source, sent.lines[exc.index], exc.msg,
                          clip(" ".join(f"{w}/{t}" for w, t in zip(sent.words, sent.tags))),
                          K_TAGS)
        offset = len(words)
        spans.extend((s + offset, e + offset, label) for s, e, label in local)
        words.extend(sent.words)
        starts.extend([True] + [False] * (len(sent.words) - 1))
    if "spans" not in gold.accepts:
        return _reject(row, K_GOLD, "token/tag files give spans, which this component does not "
                       "take", " ".join(words))
    return Parsed(row, words=words, spaces=[True] * (len(words) - 1) + [False],
                  sent_starts=starts, token_spans=spans)


def sniff_scheme(rows: Sequence[Row]) -> str:
    return detect_scheme(t for row in rows if row.error is None
                         for sent in row.value for t in sent.tags)


# -- the Doc ----------------------------------------------------------------------------------------
def make_gold(parsed: Parsed, nlp: Any, gold: GoldInfo, *, align: str, label_set: Sequence[str],
              exclusive: Optional[bool]) -> Union[Tuple[Any, Gold], Reject]:
    """The reference Doc (not yet annotated) and its Gold, or the reject naming what is wrong."""
    from spacy.tokens import Doc

    row = parsed.row
    if parsed.doc is not None:
        got = gold.read(parsed.doc)
        if got is None:
            return _reject(row, K_GOLD, "the doc holds no gold for this component",
                           parsed.doc.text)
        return parsed.doc, got
    if parsed.words is not None:
        doc = Doc(nlp.vocab, words=parsed.words, spaces=parsed.spaces,
                  sent_starts=parsed.sent_starts)
    else:
        doc = nlp.make_doc(parsed.text)
    if parsed.labels is not None:
        pos, neg = parsed.labels
        if exclusive and len(pos) != 1:
            return _reject(row, K_LABELS, f"{len(pos)} labels ({', '.join(pos) or 'none'}), but "
                           f"this component's classes are exclusive: one label per record")
        labels = {label: 0.0 for label in label_set}
        labels.update({label: 0.0 for label in neg})
        labels.update({label: 1.0 for label in pos})
        return doc, Gold(labels=labels)
    if parsed.target is not None:
        return doc, Gold(target=parsed.target)
    if parsed.token_spans is not None:
        spans = parsed.token_spans
    else:
        spans = []
        for start, end, label in parsed.char_spans or []:
            span = doc.char_span(start, end, label=label, alignment_mode=align)
            if span is None or not len(span):
                hint = ("; --align contract or expand snaps it to tokens" if align == "strict"
                        else "")
                return _reject(row, K_ALIGN, f"span [{start}, {end}) {doc.text[start:end]!r} "
                               f"({label}) does not align to token boundaries{hint}")
            spans.append((span.start, span.end, label))
    if not gold.overlapping:
        ordered = sorted(spans)
        for a, b in zip(ordered, ordered[1:]):
            if b[0] < a[1]:
                return _reject(row, K_OVERLAP, f"spans {doc[a[0]:a[1]].text!r} ({a[2]}) and "
                               f"{doc[b[0]:b[1]].text!r} ({b[2]}) overlap")
    return doc, Gold(spans=spans)
