"""Generated news-like English text for the benchmarks (written for this project; no external data).

Sentences come from hand-written templates filled with invented names, companies and places, so any
number of documents can be made deterministically from a seed:

>>> from benchmarks.texts import make_docs, long_document
>>> docs = make_docs(100, seed=0)          # 100 news-like documents of 3-9 sentences
>>> text = long_document(200_000, seed=0)  # one document of about 200,000 words, in paragraphs
"""
from __future__ import annotations

import random
from typing import List

PEOPLE = ["Maria Lopez", "Henrik Dahl", "Akira Sato", "Emma Clarke", "Samuel Okafor", "Nadia Petrova",
          "Tomas Novak", "Lena Fischer", "Omar Haddad", "Priya Raman", "Jonas Berg", "Chen Wei",
          "Luca Romano", "Sofia Marin", "Ravi Kumar", "Grace Mbeki", "Daniel Reyes", "Hannah Weiss",
          "Kwame Asante", "Isabel Duarte", "Peter Lindqvist", "Aisha Rahman", "Marco Bianchi",
          "Julia Novak", "Yuki Tanaka", "Oliver Grant", "Fatima Zahra", "Ethan Brooks"]
ORGS = ["Acme Robotics", "Northwind Bank", "Bluefin Foods", "Vertex Energy", "Greenfield University",
        "Riverstone Media", "Helios Solar", "Quillworks", "Harbor Logistics", "Crescent Airlines",
        "Orbital Labs", "Pine Motors", "Delta Textiles", "the Central Bank", "the World Health Agency",
        "the national rail operator", "Summit Pharmaceuticals", "Ironclad Security", "Blue Harbor Capital",
        "the Ministry of Finance", "Cobalt Mining", "Nimbus Cloud", "the city council", "Atlas Insurance"]
PLACES = ["Madrid", "Oslo", "Toronto", "Kenya", "Dublin", "Lyon", "Lagos", "Lisbon", "Boston", "Peru",
          "Vienna", "Seattle", "Mumbai", "Cairo", "Iceland", "Nairobi", "Detroit", "Berlin", "Chile",
          "Osaka", "Warsaw", "Brisbane", "Quebec", "Marseille", "Accra", "Hanoi", "Denver", "Bergen"]
DAYS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "over the weekend",
        "last week", "earlier this month", "late on Sunday", "this morning", "in March", "in October"]
TOPICS = ["the merger", "the new budget", "the strike", "the trade agreement", "the election",
          "the heatwave", "the vaccine rollout", "the housing plan", "the data breach", "the final",
          "the tax reform", "the rail project", "the price increase", "the recall", "the tournament"]

TEMPLATES = [
    "{P} said {D} that {O} would open a new office in {G}.",
    "Shares of {O} fell {N} percent after the company cut its forecast for the year.",
    "{O} reported a quarterly profit of {N} million dollars, beating analysts' expectations.",
    "Officials in {G} said {T} could be delayed until next year.",
    "{P}, the chief executive of {O}, told reporters {D} that talks were going well.",
    "Thousands of people gathered in central {G} {D} to protest against {T}.",
    "The government of {G} announced {D} that it would spend {N} billion on roads and schools.",
    "{P} scored twice as {G} beat the visitors {n} to {m} in front of a sold-out crowd.",
    "Heavy rain caused flooding in parts of {G}, and several roads were closed {D}.",
    "{O} agreed to buy a smaller rival for about {N} million dollars, according to people familiar with the deal.",
    "Critics said {T} would hurt small businesses, while supporters called it long overdue.",
    "{P} was named the new head of {O} {D}, replacing a founder who led the firm for a decade.",
    "Police in {G} arrested {n} people {D} in connection with {T}.",
    "The central bank kept interest rates unchanged {D}, citing uncertainty about {T}.",
    "{O} said a software fault had delayed hundreds of flights between {G} and {G2}.",
    "Scientists at {O} published a study showing that the new treatment cut hospital stays by {N} percent.",
    "Voters in {G} will decide {D} whether to approve {T}.",
    "{P} and {P2} shared the prize for their work on clean water in {G}.",
    "Unemployment in {G} rose to {n}.{m} percent, the highest level in three years.",
    "The film directed by {P} opened in {G} {D} to mixed reviews.",
    "{O} recalled {N} thousand cars because of a problem with the brakes.",
    "Local farmers in {G} said the drought had destroyed most of this year's harvest.",
    "{P} denied the allegations and said the report about {T} was false.",
    "A spokesperson for {O} declined to comment on {T}.",
    "Tickets for the concert in {G} sold out within {n} minutes, organisers said.",
    "The strike by rail workers in {G} entered its {n}th day {D}, with no talks planned.",
    "{O} plans to hire {N} engineers in {G} over the next two years.",
    "Investors welcomed {T}, and the main stock index closed {n}.{m} percent higher.",
    "{P} resigned {D} after weeks of pressure over {T}.",
    "Doctors in {G} warned that the heatwave could put older people at risk.",
    "The talks between {O} and the unions broke down {D}.",
    "Experts said {T} was unlikely to change much before the end of the year.",
    "{P} told a news conference in {G} that the economy was growing again.",
    "The airport in {G} reopened {D} after a security alert.",
    "{O} said its new phone would go on sale in {G} and {G2} next month.",
    "Residents complained that rents in {G} had doubled in five years.",
    "The coach of the {G} team, {P}, praised his players after the win.",
    "An investigation found that {O} had ignored warnings about safety.",
    "Prices of basic food rose by {n} percent in {G} last month.",
    "{P} will travel to {G} {D} to meet leaders from the region.",
]

PLAIN = [
    "The weather is expected to improve later in the week.",
    "Many families are struggling with higher energy bills this winter.",
    "The report will be published in full next month.",
    "It was the worst storm to hit the coast in decades.",
    "Analysts expect the market to remain volatile for some time.",
    "The museum will be closed for repairs until the spring.",
    "Schools reopened after the holiday with new safety rules.",
    "The match was stopped for twenty minutes because of fog.",
    "Most economists had predicted a smaller increase.",
    "The new bridge is due to open before the end of the year.",
    "Demand for electric cars continued to grow last year.",
    "The festival attracted more visitors than ever before.",
    "Negotiations are expected to continue into next week.",
    "Nobody was injured in the fire, the fire service said.",
    "The decision was welcomed by environmental groups.",
    "Hospitals said they were prepared for a busy winter.",
    "The company has not said how many jobs will be lost.",
    "Turnout was lower than at the previous election.",
    "The team will play its next game at home on Saturday.",
    "The plan still needs the approval of parliament.",
    "Several shops in the high street have closed this year.",
    "The book became a best seller within a month.",
    "Inflation has fallen for the third month in a row.",
    "The minister promised to publish the figures soon.",
    "Engineers are still trying to find the cause of the outage.",
]


def sentence(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(PLAIN)
    p, p2 = rng.sample(PEOPLE, 2)
    g, g2 = rng.sample(PLACES, 2)
    return rng.choice(TEMPLATES).format(
        P=p, P2=p2, O=rng.choice(ORGS), G=g, G2=g2, D=rng.choice(DAYS), T=rng.choice(TOPICS),
        N=rng.randint(2, 900), n=rng.randint(2, 9), m=rng.randint(0, 9))


def sentences(n: int = 200, seed: int = 0) -> List[str]:
    rng = random.Random(seed)
    return [sentence(rng) for _ in range(n)]


def make_docs(n_docs: int = 100, seed: int = 0, min_sents: int = 3, max_sents: int = 9) -> List[str]:
    """``n_docs`` news-like documents of ``min_sents``..``max_sents`` sentences (varied lengths)."""
    rng = random.Random(seed)
    return [" ".join(sentence(rng) for _ in range(rng.randint(min_sents, max_sents)))
            for _ in range(n_docs)]


def long_document(n_words: int, seed: int = 0) -> str:
    """One document of about ``n_words`` whitespace-separated words, in paragraphs of 3-7 sentences."""
    rng = random.Random(seed)
    paragraphs: List[str] = []
    words = 0
    while words < n_words:
        para = " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))
        paragraphs.append(para)
        words += len(para.split())
    return "\n\n".join(paragraphs)


def count_words(texts) -> int:
    return sum(len(t.split()) for t in texts)
