"""Run a trained Plait pipeline on a few made-up documents and print what each component found.

    python scripts/show.py training/demo/model-best            # the built-in sample documents
    python scripts/show.py en_plait_news --text "Some text."   # an installed package, your text

Every component output the pipeline has (its plugins' output contracts, as in ``plait.process``) is
shown by its view: spans with their label and confidence, scores (best three), sentence polarity
with each sentence, extracts, other values as JSON. ``--json`` prints the results as JSON lines.
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from typing import Any, List, Optional

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
    "We stayed three nights at the harbour hotel. The staff were friendly, the room was spotless and "
    "breakfast was excellent. We would happily stay again.",
]


def _fmt_scores(scores: dict, top: int = 3) -> str:
    best = sorted(scores.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{k} {v:.2f}" for k, v in best)


def _wrap(s: str, indent: str = "    ") -> str:
    return textwrap.fill(s, 100, initial_indent=indent, subsequent_indent=indent)


def show_value(field: str, value: Any, view: str, text: str) -> List[str]:
    """Lines showing one output value, by its contract's view."""
    if value is None:
        return []
    if view == "spans" and isinstance(value, list):
        if not value:
            return [f"    {field}: none found"]
        items = []
        for s in value:
            conf = s.get("confidence")
            items.append(f"{s.get('text', text[s['start']:s['end']])} [{s.get('label', '')}"
                         + (f" {conf:.2f}" if isinstance(conf, (int, float)) else "") + "]")
        return [_wrap(f"{field}: {', '.join(items)}")]
    if view == "scores" and isinstance(value, dict):
        return [f"    {field}: {_fmt_scores(value) if value else '(none)'}"]
    if view == "sentence-polarity" and isinstance(value, dict):
        lines = [f"    {field}: {value['label']} (polarity {value['polarity']:+.2f}; "
                 f"{_fmt_scores(value.get('scores') or {})})"]
        for s in value.get("sentences") or []:
            lines.append(_wrap(f"{s['polarity']:+.2f} {s['label']:<9} {text[s['start']:s['end']]}",
                               "      "))
        return lines
    if isinstance(value, str):
        return [_wrap(f"{field}: {value}")]
    return [_wrap(f"{field}: {json.dumps(value, ensure_ascii=False)}")]


def describe(result: Any, text: str) -> str:
    from plait.runtime.outputs import field_views, plain

    out: List[str] = [_wrap(text, "  ")]
    outputs = result.outputs
    views = field_views(outputs)
    for field, value in outputs.items():
        out.extend(show_value(field, plain(value), views[field], text))
    out.extend(f"    warning: {w}" for w in result.warnings)
    out.extend(f"    error: {e}" for e in result.errors)
    return "\n".join(out)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a trained pipeline folder or an installed package name")
    parser.add_argument("--text", action="append", default=[], help="a document (repeatable); "
                        "default: built-in made-up samples")
    parser.add_argument("--json", action="store_true", help="print the raw outputs as JSON lines")
    args = parser.parse_args(argv)

    import plait

    start = time.perf_counter()
    nlp = plait.load(args.model)
    print(f"ℹ Loaded {args.model} in {time.perf_counter() - start:.1f}s: pipeline "
          f"{', '.join(nlp.pipe_names)}", flush=True)
    texts = args.text or SAMPLES
    start = time.perf_counter()
    results = list(plait.process(nlp, texts))
    took = time.perf_counter() - start
    for i, (text, result) in enumerate(zip(texts, results), 1):
        if args.json:
            print(json.dumps({"text": text, **result.model_dump(mode="json")}, ensure_ascii=False))
        else:
            print(f"\n[{i}]")
            print(describe(result, text))
    print(f"\n✔ {len(results)} documents in {took:.2f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
