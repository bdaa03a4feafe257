"""Write a small labelled dataset of our own, to try `plait data import` / `init` / `train` on.

    python examples/own_data.py my-data/

writes ``my-data/headlines.csv`` (a headline and its topic, with a few bad rows on purpose) and
``my-data/people.tsv`` (one token and its IOB2 tag per line, blank lines between sentences, with one
invalid tag sequence on purpose). The tests write and train on the same files.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

TOPICS = {
    "business": ["Shares in {c} rise after results", "{c} reports a record profit",
                 "Investors cheer the {c} merger", "{c} cuts jobs as sales fall"],
    "sport": ["{c} win the cup final", "The coach of {c} resigns", "{c} beat their rivals at home",
              "A late goal saves {c}"],
    "tech": ["{c} launches a new phone", "{c} unveils a faster chip", "{c} fixes a security bug",
             "{c} opens its app store"],
}
NAMES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Tyrell",
         "Soylent"]
PEOPLE = [("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper"), ("Linus", "Torvalds"),
          ("Edsger", "Dijkstra"), ("Barbara", "Liskov")]
CITIES = ["Paris", "London", "Berlin", "Rome", "Madrid", "Vienna", "Oslo", "Lisbon"]
VERBS = ["visited", "moved to", "spoke in", "left"]


def write_example(folder: Path, seed: int = 0) -> dict:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows = [(p.format(c=n), topic) for topic, pats in TOPICS.items() for p in pats for n in NAMES]
    rng.shuffle(rows)
    with (folder / "headlines.csv").open("w", encoding="utf8") as f:
        f.write("headline,topic\n")
        for text, topic in rows:
            f.write(f'"{text}",{topic}\n')
        f.write(f'"{rows[0][0]}",{rows[0][1]}\n')  # an exact duplicate: imported once
        f.write(',tech\n')  # an empty text: rejected, with its line
    with (folder / "people.tsv").open("w", encoding="utf8") as f:
        n = 0
        for first, last in PEOPLE:
            for city in CITIES:
                verb = rng.choice(VERBS).split()
                tokens = [(first, "B-PER"), (last, "I-PER")] + [(v, "O") for v in verb] + \
                    [(city, "B-LOC"), (".", "O")]
                f.write("".join(f"{w}\t{t}\n" for w, t in tokens) + "\n")
                n += 1
        f.write("Bob\tO\nSmith\tI-PER\nwaved\tO\n")  # I- after O: not IOB2, rejected
    return {"headlines": len(rows) + 2, "sentences": n + 1}


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "my-data")
    print(write_example(out), "->", out)
