"""Run a trained Plait pipeline on a few made-up documents and print what each component found.

    python scripts/show.py training/demo/model-best            # the built-in sample documents
    python scripts/show.py en_plait_news --text "Some text."   # an installed package, your text

For every document: entities with their calibrated confidence (``span._.confidence``), the document
and per-sentence sentiment (``doc._.sentiment`` / ``span._.sentiment``), the categories
(``doc.cats`` and the labels passing the tuned thresholds, ``doc._.categories``) and the extractive
summary (``doc._.summary``). It uses plain ``spacy.load``: no Plait import is needed to run a pipeline.
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from typing import List, Optional

# Made up for this demo: any resemblance to real people, companies or events is accidental.
SAMPLES = [
    "Maria Okafor, the chief executive of Northwind Energy, said on Monday that the company will "
    "open a solar plant near Lisbon next year. The project will cost 300 million euros and create "
    "about 400 jobs. Shares in Northwind rose 4 percent in London after the announcement. Analysts "
    "at Harbor Capital called the plan ambitious but sensible.",
    "I watched the new Pinewood Studios film last night and it was a complete waste of time. The "
    "plot made no sense and the dialogue was painfully slow. The only good thing was the music by "
    "Lena Fischer. I would not recommend it to anyone.",
    "The home side won the final 3-1 in Manchester on Saturday. Tom Reyes scored twice before half "
    "time, and the goalkeeper saved a penalty in the second half. The coach said the team had "
    "played its best football of the season. Fans celebrated in the streets until late at night.",
    "A start-up in Berlin has released an app that translates sign language in real time using the "
    "phone camera. The founders, Jonas Berg and Priya Raman, trained the system on thousands of "
    "videos. Early users say it works well in quiet rooms but struggles in poor light. The company "
    "plans a wider release in the spring.",
]


def _fmt_scores(scores: dict, top: int = 3) -> str:
    best = sorted(scores.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{k} {v:.2f}" for k, v in best)


def describe(doc) -> str:
    from spacy.tokens import Doc, Span

    out: List[str] = []
    wrap = lambda s, indent="    ": textwrap.fill(s, 100, initial_indent=indent,  # noqa: E731
                                                  subsequent_indent=indent)
    out.append(wrap(doc.text, "  "))
    if doc.has_annotation("ENT_IOB") or doc.ents:
        if doc.ents:
            has_conf = Span.has_extension("confidence")
            ents = ", ".join(f"{e.text} [{e.label_}"
                             + (f" {e._.confidence:.2f}" if has_conf and e._.confidence is not None
                                else "") + "]" for e in doc.ents)
            out.append(wrap(f"entities: {ents}"))
        else:
            out.append("    entities: none found")
    if Doc.has_extension("sentiment") and doc._.sentiment:
        s = doc._.sentiment
        out.append(f"    sentiment: {s['label']} (polarity {s['polarity']:+.2f}; "
                   f"{_fmt_scores(s['scores'])})")
        if Span.has_extension("sentiment") and doc.has_annotation("SENT_START"):
            for sent in doc.sents:
                v = sent._.sentiment
                if v:
                    out.append(wrap(f"{v['polarity']:+.2f} {v['label']:<9} {sent.text}", "      "))
    if doc.cats:
        chosen = doc._.categories if Doc.has_extension("categories") else None
        out.append(f"    categories: {', '.join(chosen) if chosen else '(none above threshold)'}"
                   f"  (scores: {_fmt_scores(doc.cats)})")
    if Doc.has_extension("summary") and doc._.summary is not None:
        out.append(wrap(f"summary: {doc._.summary}"))
    return "\n".join(out)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a trained pipeline folder or an installed package name")
    parser.add_argument("--text", action="append", default=[], help="a document (repeatable); "
                        "default: built-in made-up samples")
    parser.add_argument("--json", action="store_true", help="print the raw outputs as JSON lines")
    args = parser.parse_args(argv)

    import spacy

    start = time.perf_counter()
    nlp = spacy.load(args.model)
    print(f"ℹ Loaded {args.model} in {time.perf_counter() - start:.1f}s: pipeline "
          f"{', '.join(nlp.pipe_names)}", flush=True)
    texts = args.text or SAMPLES
    start = time.perf_counter()
    docs = list(nlp.pipe(texts))
    took = time.perf_counter() - start
    for i, doc in enumerate(docs, 1):
        if args.json:
            print(json.dumps(as_record(doc)))
        else:
            print(f"\n[{i}]")
            print(describe(doc))
    print(f"\n✔ {len(docs)} documents in {took:.2f}s", flush=True)
    return 0


def as_record(doc) -> dict:
    from spacy.tokens import Doc, Span

    rec = {"text": doc.text,
           "ents": [{"text": e.text, "label": e.label_, "start": e.start_char, "end": e.end_char,
                     "confidence": e._.confidence if Span.has_extension("confidence") else None}
                    for e in doc.ents],
           "cats": dict(doc.cats)}
    for ext in ("sentiment", "categories", "summary"):
        if Doc.has_extension(ext):
            rec[ext] = getattr(doc._, ext)
    return rec


if __name__ == "__main__":
    sys.exit(main())
