"""What a training batch costs the encoder: padded wordpieces per batch, by data shape and batcher.

    python benchmarks/batch_padding.py short-texts=CORPUS/trec-questions/train.spacy \
        token-files=DATA/conll-sentences/train long-articles=CORPUS/bbc-topics/train.spacy \
        [--encoder minilm-l6] [--batches 30]

spacy-transformers encodes a training batch as one tensor: every strided span (``window`` 128,
``stride`` 96, the spec defaults) of every doc, padded to the batch's longest span in wordpieces. The
activations the backward pass keeps grow with that padded size, not with the batch's words: a batch
of 2,000 words of short texts is ~190 sequences padded to the longest of them, one of long articles
~18 full windows. For each shape and batcher (spaCy's ``batch_by_words`` and ``batch_by_padded``, at
2,000 and 1,000 words, as ``plait train`` composes them) this counts, over the first ``--batches``
batches: sequences, the longest, padded and real wordpieces, words; no training, seconds to run.
Writes ``benchmarks/results/batch_padding.json``; train_memory.py measures what the sizes cost in RSS.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import ROOT, machine_info, markdown_table, write_json  # noqa: E402

SETTINGS = (("words", 2000), ("padded", 2000), ("words", 1000), ("padded", 1000))


def _spans(doc: Any, window: int, stride: int) -> List[Any]:
    """spacy-transformers' strided spans of one doc."""
    out, start = [], 0
    while True:
        out.append(doc[start:start + window])
        if start + window >= len(doc):
            return out
        start += stride


def measure(docs: List[Any], tokenizer: Any, batcher: str, words: int, *, batches: int,
            window: int = 128, stride: int = 96) -> Dict[str, Any]:
    from spacy.training.batchers import minibatch_by_padded_size, minibatch_by_words

    if batcher == "words":
        stream = minibatch_by_words(docs, words, tolerance=0.2, discard_oversize=False)
    else:
        stream = minibatch_by_padded_size(docs, words, buffer=256, discard_oversize=False)
    rows = []
    for i, batch in enumerate(stream):
        if i >= batches:
            break
        texts = [span.text for doc in batch for span in _spans(doc, window, stride)]
        lengths = [len(ids) for ids in tokenizer(texts)["input_ids"]]
        rows.append({"sequences": len(texts), "longest": max(lengths),
                     "padded_wordpieces": len(texts) * max(lengths),
                     "real_wordpieces": sum(lengths), "words": sum(len(doc) for doc in batch)})
    out: Dict[str, Any] = {"batcher": batcher, "batch_words": words, "batches": len(rows)}
    for key in rows[0]:
        out[key] = round(statistics.mean(r[key] for r in rows))
    out["max_padded_wordpieces"] = max(r["padded_wordpieces"] for r in rows)
    out["padding_ratio"] = round(out["padded_wordpieces"] / max(1, out["real_wordpieces"]), 2)
    return out


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shapes", nargs="+", help="NAME=PATH: a .spacy file or a folder of them")
    parser.add_argument("--encoder", default="minilm-l6")
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--max-docs", type=int, default=3000)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    import spacy
    from spacy.tokens import DocBin
    from transformers import AutoTokenizer

    from plait.training.encoders import resolve_encoder

    tokenizer = AutoTokenizer.from_pretrained(str(resolve_encoder(args.encoder)))
    vocab = spacy.blank("en").vocab
    rows = []
    for item in args.shapes:
        name, _, path = item.partition("=")
        path = Path(path)
        files = sorted(path.rglob("*.spacy")) if path.is_dir() else [path]
        docs = [doc for f in files for doc in DocBin().from_disk(f).get_docs(vocab)]
        docs = docs[:args.max_docs]
        words_per_doc = sum(len(d) for d in docs) / max(1, len(docs))
        for batcher, words in SETTINGS:
            rows.append({"shape": name, "words_per_doc": round(words_per_doc, 1),
                         **measure(docs, tokenizer, batcher, words, batches=args.batches)})
    record = {"benchmark": "batch_padding", "encoder": args.encoder, "window": 128, "stride": 96,
              "machine": machine_info(), "rows": rows}
    output = args.output or ROOT / "benchmarks" / "results" / "batch_padding.json"
    write_json(output, record)
    columns = ["shape", "batcher", "batch_words", "sequences", "longest", "padded_wordpieces",
               "max_padded_wordpieces", "real_wordpieces", "words", "padding_ratio"]
    print(markdown_table(columns, [[r[c] for c in columns] for r in rows]))
    print(f"✔ Wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
