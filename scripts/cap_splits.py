"""Cap the dev/test (or train) splits of converted corpus folders, in place.

``plait corpus NAME DIR --limit N`` caps every split at N docs. For quick presets dev and test should be
smaller than train (dev is run by the pipeline several times during training), and of similar *size in
tokens* across corpora whose documents differ in length (tweets vs. articles), so:

    python scripts/cap_splits.py corpus/demo/raw/* --dev-tokens 4000 --test-tokens 6000

keeps, in every folder, the first dev docs up to 4,000 tokens and the first test docs up to 6,000
(the converters already shuffled them with a fixed seed; at least one doc is always kept).
``--dev N`` / ``--test N`` / ``--train N`` cap by number of docs instead (both caps may be combined).
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Dict, List, Optional, Tuple

SPLITS = ("train", "dev", "test")


def cap_docs(docs: List, max_docs: Optional[int], max_tokens: Optional[int]) -> List:
    kept, tokens = [], 0
    for doc in docs:
        if max_docs is not None and len(kept) >= max_docs:
            break
        if max_tokens is not None and kept and tokens + len(doc) > max_tokens:
            break
        kept.append(doc)
        tokens += len(doc)
    return kept


def cap(folder: Path, caps: Dict[str, Tuple[Optional[int], Optional[int]]], vocab) -> Dict[str, str]:
    from spacy.tokens import DocBin

    report = {}
    for split, (max_docs, max_tokens) in caps.items():
        if max_docs is None and max_tokens is None:
            continue
        path = folder / f"{split}.spacy"
        if not path.is_file():
            raise SystemExit(f"✘ {path} is missing: convert the corpus first (plait corpus ...)")
        docs = list(DocBin().from_disk(path).get_docs(vocab))
        kept = cap_docs(docs, max_docs, max_tokens)
        if len(kept) < len(docs):
            DocBin(docs=kept, store_user_data=True).to_disk(path)
        report[split] = f"{split} {len(kept)}/{len(docs)} docs ({sum(len(d) for d in kept)} tokens)"
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+",
                        help="converted corpus folders ({train,dev,test}.spacy)")
    for split in SPLITS:
        parser.add_argument(f"--{split}", type=int, default=None, help=f"keep at most N {split} docs")
        parser.add_argument(f"--{split}-tokens", type=int, default=None,
                            help=f"keep {split} docs up to N tokens")
    args = parser.parse_args()
    import spacy

    vocab = spacy.blank("en").vocab
    caps = {s: (getattr(args, s), getattr(args, f"{s}_tokens")) for s in SPLITS}
    for folder in args.folders:
        report = cap(folder, caps, vocab)
        print(f"✔ {folder}: " + "; ".join(report.values()), flush=True)


if __name__ == "__main__":
    main()
