"""Write the tiny hand-written corpus of the ``ci`` workflow: corpus/ci/{train,dev,test}/<task>.spacy.

Every sentence below was written for this project (no external data), for the four tasks, in the
gold conventions of docs/components.md:

- ``ner.spacy``: ``doc.ents`` (every token annotated: entity or ``O``);
- ``sentiment.spacy``: ``doc.cats`` over negative / neutral / positive;
- ``textcat.spacy``: ``doc.cats`` over business / sport / tech;
- ``summarize.spacy``: the reference summary in ``doc.user_data["plait.summary"]``.

The corpus is far too small to learn anything; it exercises the whole workflow (corpus, compose,
train, evaluate, package) in seconds. Usage: ``python scripts/make_ci_corpus.py corpus/ci``.
"""
from __future__ import annotations

import argparse
import random
import re
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

SENTIMENT_LABELS = ["negative", "neutral", "positive"]
TOPIC_LABELS = ["business", "sport", "tech"]

# Entities are marked inline as [text](LABEL).
NER = [
    "[Maria Lopez](PERSON) joined [Acme Robotics](ORG) in [Madrid](GPE) last spring.",
    "The mayor of [Oslo](GPE) met [Henrik Dahl](PERSON) on Tuesday.",
    "[Northwind Bank](ORG) opened a new office in [Toronto](GPE).",
    "[Akira Sato](PERSON) said the plan would help farmers in [Kenya](GPE).",
    "Shares of [Bluefin Foods](ORG) fell after the report.",
    "[Emma Clarke](PERSON) will speak in [Dublin](GPE) next week.",
    "The city of [Lyon](GPE) signed a deal with [Vertex Energy](ORG).",
    "[Samuel Okafor](PERSON) coaches the team from [Lagos](GPE).",
    "[Greenfield University](ORG) hired [Nadia Petrova](PERSON) as dean.",
    "Flights from [Lisbon](GPE) to [Boston](GPE) were delayed.",
    "[Tomas Novak](PERSON) sold his stake in [Riverstone Media](ORG).",
    "Officials in [Peru](GPE) praised [Helios Solar](ORG) for the project.",
    "[Lena Fischer](PERSON) and [Omar Haddad](PERSON) founded [Quillworks](ORG).",
    "Rain is expected in [Vienna](GPE) on Friday.",
    "[Harbor Logistics](ORG) moved its headquarters to [Seattle](GPE).",
    "[Priya Raman](PERSON) won the award in [Mumbai](GPE).",
    "The board of [Crescent Airlines](ORG) met in [Cairo](GPE).",
    "[Jonas Berg](PERSON) wrote a book about [Iceland](GPE).",
    "[Delta Textiles](ORG) cut prices this month.",
    "[Chen Wei](PERSON) visited [Nairobi](GPE) with [Luca Romano](PERSON).",
    "Nobody expected the storm to reach the coast so soon.",
    "[Sofia Marin](PERSON) leads research at [Orbital Labs](ORG).",
    "Workers at [Pine Motors](ORG) in [Detroit](GPE) voted on the deal.",
    "[Ravi Kumar](PERSON) moved from [Delhi](GPE) to [Berlin](GPE).",
]

SENTIMENT = [
    ("I loved every minute of this film, the cast is wonderful.", "positive"),
    ("What a great day, the service was quick and friendly.", "positive"),
    ("This phone is excellent and the battery lasts for days.", "positive"),
    ("The concert was amazing and I would go again.", "positive"),
    ("Brilliant book, warm and funny from start to finish.", "positive"),
    ("The staff were kind and the food was delicious.", "positive"),
    ("The movie was boring and far too long.", "negative"),
    ("Terrible service, we waited an hour and the food was cold.", "negative"),
    ("I hate this update, the app crashes all the time.", "negative"),
    ("The hotel room was dirty and the staff were rude.", "negative"),
    ("A dull, lifeless plot with awful acting.", "negative"),
    ("The delivery was late and the box arrived broken.", "negative"),
    ("The store opens at nine on weekdays.", "neutral"),
    ("The report has twelve pages and three tables.", "neutral"),
    ("The train leaves from platform four.", "neutral"),
    ("The meeting was moved to Thursday afternoon.", "neutral"),
    ("The package contains a charger and a cable.", "neutral"),
    ("The museum is on the north side of the river.", "neutral"),
]

TOPICS = [
    ("Quarterly profits rose as the company cut costs and raised prices.", "business"),
    ("The bank reported higher interest income and strong lending.", "business"),
    ("Investors sold shares after the retailer missed its sales target.", "business"),
    ("The merger will create the largest grocery chain in the region.", "business"),
    ("Oil prices climbed and airline stocks fell on the market.", "business"),
    ("The central bank left interest rates unchanged this quarter.", "business"),
    ("The striker scored twice as the home team won the cup final.", "sport"),
    ("She won the marathon in record time despite the heat.", "sport"),
    ("The coach praised his defenders after a goalless draw.", "sport"),
    ("The tennis champion lost in straight sets in the second round.", "sport"),
    ("The club signed a young goalkeeper before the new season.", "sport"),
    ("Fans cheered as the cyclist crossed the finish line first.", "sport"),
    ("The new laptop ships with a faster chip and a brighter screen.", "tech"),
    ("Engineers released a software update that fixes the security flaw.", "tech"),
    ("The startup built an app that translates speech in real time.", "tech"),
    ("Researchers trained a neural network to detect faulty parts.", "tech"),
    ("The phone maker unveiled a foldable device with a better camera.", "tech"),
    ("Cloud outages disrupted email and video calls for hours.", "tech"),
]

# (document, reference summary)
SUMMARIES = [
    ("The town council approved a new bike lane on Main Street. Work will start in May. "
     "Local shops worried about parking during the works. The council promised to keep one lane "
     "open for deliveries. The lane should be finished by September.",
     "The town council approved a new bike lane on Main Street. The lane should be finished by "
     "September."),
    ("A small bakery in the old port won a national bread prize. The owner started baking at the "
     "age of fifteen. Her sourdough uses flour from a nearby mill. Customers queue every morning "
     "before the shop opens. She plans to train two apprentices next year.",
     "A small bakery in the old port won a national bread prize. She plans to train two "
     "apprentices next year."),
    ("Heavy rain flooded several roads in the valley overnight. Emergency crews rescued two drivers "
     "from their cars. Schools in the area will stay closed on Monday. Forecasters expect the rain "
     "to stop by Tuesday. Residents were asked to avoid travel.",
     "Heavy rain flooded several roads in the valley overnight. Schools in the area will stay closed "
     "on Monday."),
    ("The city library will extend its opening hours from next month. It will open until ten in "
     "the evening on weekdays. The change follows a survey of students. Extra staff will be hired "
     "for the late shifts. Weekend hours stay the same.",
     "The city library will extend its opening hours from next month. The change follows a survey "
     "of students."),
    ("A local football club raised money to rebuild its stand. Former players joined a charity "
     "match in June. The event sold out within a week. The club thanked the fans for their support. "
     "Building work starts in the autumn.",
     "A local football club raised money to rebuild its stand. Building work starts in the autumn."),
    ("Scientists found a new species of frog in the mountain forest. The frog is smaller than a "
     "coin. It lives near fast streams and calls at night. The team recorded its song for the "
     "first time. They want the forest to be protected.",
     "Scientists found a new species of frog in the mountain forest. They want the forest to be "
     "protected."),
    ("The regional airport will add three new routes this summer. Flights to the coast will run "
     "twice a week. Ticket sales open on Friday. The airport expects more tourists than last "
     "year. Parking prices will not change.",
     "The regional airport will add three new routes this summer. The airport expects more "
     "tourists than last year."),
    ("A school in the north built a garden on its roof. Pupils grow tomatoes, beans and herbs. "
     "The vegetables are used in the school kitchen. Teachers say the garden helps with science "
     "lessons. Other schools have asked to visit.",
     "A school in the north built a garden on its roof. The vegetables are used in the school "
     "kitchen."),
]

_ENT = re.compile(r"\[([^\]]+)\]\(([A-Z]+)\)")


def _ner_doc(nlp, marked: str):
    text, spans, pos = "", [], 0
    for m in _ENT.finditer(marked):
        text += marked[pos:m.start()]
        start = len(text)
        text += m.group(1)
        spans.append((start, len(text), m.group(2)))
        pos = m.end()
    text += marked[pos:]
    doc = nlp.make_doc(text)
    ents = []
    for start, end, label in spans:
        span = doc.char_span(start, end, label=label)
        if span is None:
            raise ValueError(f"entity {text[start:end]!r} in {text!r} is not on token boundaries")
        ents.append(span)
    doc.set_ents(ents, default="outside")  # every other token is O (annotated), not missing
    return doc


def _cats_doc(nlp, text: str, label: str, labels: Sequence[str]):
    doc = nlp.make_doc(text)
    doc.cats = {lab: float(lab == label) for lab in labels}
    return doc


def _summary_doc(nlp, text: str, summary: str):
    doc = nlp.make_doc(text)
    doc.user_data["plait.summary"] = summary
    return doc


def _split(items: List, seed: int, n_dev: int) -> Tuple[List, List]:
    items = list(items)
    random.Random(seed).shuffle(items)
    return items[n_dev:], items[:n_dev]


def build(output: Path, seed: int = 0) -> Dict[str, Dict[str, int]]:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    tasks = {
        "ner": [_ner_doc(nlp, s) for s in NER],
        "sentiment": [_cats_doc(nlp, t, l, SENTIMENT_LABELS) for t, l in SENTIMENT],
        "textcat": [_cats_doc(nlp, t, l, TOPIC_LABELS) for t, l in TOPICS],
        "summarize": [_summary_doc(nlp, t, s) for t, s in SUMMARIES],
    }
    counts: Dict[str, Dict[str, int]] = {}
    for task, docs in tasks.items():
        n_dev = max(2, len(docs) // 4)
        train, dev = _split(docs, seed, n_dev)
        # The held-out docs serve as dev and as test: the ci corpus checks plumbing, not quality.
        for split, split_docs in (("train", train), ("dev", dev), ("test", dev)):
            folder = output / split
            folder.mkdir(parents=True, exist_ok=True)
            DocBin(docs=split_docs, store_user_data=True).to_disk(folder / f"{task}.spacy")
            counts.setdefault(task, {})[split] = len(split_docs)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="e.g. corpus/ci")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    counts = build(args.output, args.seed)
    for task, splits in counts.items():
        print(f"✔ {task:<10} " + "  ".join(f"{s}={n}" for s, n in splits.items()))
    print(f"✔ Wrote {args.output}/{{train,dev,test}}/<task>.spacy (hand-written sentences)")


if __name__ == "__main__":
    main()
