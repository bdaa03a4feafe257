"""The ``plait_summarizer`` spaCy component: trainable extractive summarization.

Light on purpose (spaCy entry point): no torch import at module import time.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.vocab import Vocab
from thinc.api import Config, Model
from thinc.types import Floats2d

from plait.plugins.component_base import ListenerComponent

from . import SUMMARY_KEY
from .errors import Errors, SummarizerConfigError, SummarizerDataError
from .oracle import (OracleCache, lexical_centroid_scores, select_sentences, sentence_bounds,
                     sentence_words, set_sentence_bounds)

SELECTED_KEY = "plait.summary_sents"
"""``doc.user_data`` key holding the selected sentences as ``[start, end]`` token offsets."""

FALLBACKS = ("auto", "lexical")

def install_extensions() -> None:
    """``doc._.summary``, ``doc._.summary_sents`` and ``span._.summary_score`` (idempotent)."""
    if not Doc.has_extension("summary"):
        Doc.set_extension("summary", default=None)
    if not Doc.has_extension("summary_sents"):
        Doc.set_extension("summary_sents", getter=_get_summary_sents)
    if not Span.has_extension("summary_score"):
        Span.set_extension("summary_score", default=None)


def _get_summary_sents(doc: Doc) -> List[Span]:
    return [doc[start:end] for start, end in doc.user_data.get(SELECTED_KEY, [])]


def make_summarizer(
    nlp: Language,
    name: str,
    model: Model[List[Doc], Floats2d],
    max_sentences: Optional[int],
    ratio: float,
    max_words: Optional[int],
    trigram_blocking: bool,
    threshold: Optional[float],
    fallback: str,
    scorer: Optional[Callable],
) -> "Summarizer":
    """Create a ``Summarizer`` (see the class for the settings)."""
    return Summarizer(nlp.vocab, model, name, max_sentences=max_sentences, ratio=ratio,
                      max_words=max_words, trigram_blocking=trigram_blocking, threshold=threshold,
                      fallback=fallback, scorer=scorer)


def validate_settings(name: str, cfg: Dict[str, Any]) -> None:
    """Raise :class:`SummarizerConfigError` naming the first invalid setting."""

    def bad(key: str, expected: str) -> SummarizerConfigError:
        return SummarizerConfigError(Errors.SUM001.format(name=name, key=key, expected=expected,
                                                          value=cfg.get(key)))

    ms = cfg.get("max_sentences")
    if ms is not None and (isinstance(ms, bool) or not isinstance(ms, int) or ms < 1):
        raise bad("max_sentences", "a positive integer or null")
    ratio = cfg.get("ratio")
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0 < ratio <= 1:
        raise bad("ratio", "a number in (0, 1]")
    mw = cfg.get("max_words")
    if mw is not None and (isinstance(mw, bool) or not isinstance(mw, int) or mw < 1):
        raise bad("max_words", "a positive integer or null")
    if not isinstance(cfg.get("trigram_blocking"), bool):
        raise bad("trigram_blocking", "true or false")
    th = cfg.get("threshold")
    if th is not None and (isinstance(th, bool) or not isinstance(th, (int, float)) or not 0 <= th <= 1):
        raise bad("threshold", "a number in [0, 1] or null")
    if cfg.get("fallback") not in FALLBACKS:
        raise bad("fallback", "one of " + ", ".join(repr(f) for f in FALLBACKS))


def reference_summary(example: Example, index: int, name: str = "plait_summarizer") -> Optional[str]:
    """The reference summary of an example (``None`` if it has none); raises if it is not a string."""
    summary = example.reference.user_data.get(SUMMARY_KEY)
    if summary is None:
        return None
    if not isinstance(summary, str):
        raise SummarizerDataError(Errors.SUM002.format(name=name, index=index,
                                                       type=type(summary).__name__,
                                                       doc=example.reference.text[:60]))
    return summary


class Summarizer(ListenerComponent):
    """Extractive summarizer: scores sentences, selects the best ones within limits.

    Trained from (document, reference summary) pairs: the reference summary text is in
    ``doc.user_data["plait.summary"]`` of the reference doc, and sentence labels come from a greedy
    ROUGE-1+2 oracle (cached per doc). Until it has been updated at least once (``cfg["trained"]``,
    saved with the component) it uses an unsupervised fallback: the cosine of each sentence's mean
    transformer vector to the doc's mean vector when the doc carries ``doc._.trf_data``, else a TF-IDF
    centroid over the doc's sentences (``fallback = "lexical"`` always uses the latter).
    """

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "plait_summarizer",
        *,
        max_sentences: Optional[int] = 3,
        ratio: float = 0.5,
        max_words: Optional[int] = None,
        trigram_blocking: bool = True,
        threshold: Optional[float] = 0.5,
        fallback: str = "auto",
        scorer: Optional[Callable] = None,
    ) -> None:
        super().__init__(vocab, model, name, scorer=scorer, cfg={
            "max_sentences": max_sentences,
            "ratio": ratio,
            "max_words": max_words,
            "trigram_blocking": trigram_blocking,
            "threshold": threshold,
            "fallback": fallback,
            "trained": False,
        })
        validate_settings(name, self.cfg)
        self.oracle = OracleCache()
        install_extensions()

    @property
    def is_trained(self) -> bool:
        """Whether the model has been updated (else predictions use the unsupervised fallback)."""
        return bool(self.cfg.get("trained"))

    # -- prediction -------------------------------------------------------------------------------------
    def predict(self, docs: Iterable[Doc]) -> List[numpy.ndarray]:
        """Sentence scores per doc (probabilities once trained, fallback scores before)."""
        docs = list(docs)
        if not self.is_trained:
            return [self._fallback_scores(doc) for doc in docs]
        if not any(len(doc) for doc in docs):
            return [numpy.zeros((0,), dtype="f") for _ in docs]
        logits = self.model.predict(docs)
        probs = self.model.ops.to_numpy(_sigmoid(self.model.ops.to_numpy(logits)))[:, 0]
        return _split(probs, [len(sentence_bounds(doc)) for doc in docs])

    def set_annotations(self, docs: Iterable[Doc], scores: Sequence[numpy.ndarray]) -> None:
        threshold = self.cfg["threshold"] if self.is_trained else None
        for doc, doc_scores in zip(docs, scores):
            bounds = sentence_bounds(doc)
            set_sentence_bounds(doc, bounds)
            words = [sentence_words(doc, s, e) for s, e in bounds]
            for (start, end), score in zip(bounds, doc_scores):
                doc[start:end]._.summary_score = float(score)
            chosen = select_sentences(
                words, [float(s) for s in doc_scores], max_sentences=self.cfg["max_sentences"],
                ratio=self.cfg["ratio"], max_words=self.cfg["max_words"],
                trigram_blocking=self.cfg["trigram_blocking"], threshold=threshold)
            doc.user_data[SELECTED_KEY] = [[bounds[i][0], bounds[i][1]] for i in chosen]
            doc._.summary = " ".join(doc[bounds[i][0]:bounds[i][1]].text.strip() for i in chosen)

    def _fallback_scores(self, doc: Doc) -> numpy.ndarray:
        bounds = sentence_bounds(doc)
        if not bounds:
            return numpy.zeros((0,), dtype="f")
        if self.cfg["fallback"] == "auto":
            vectors = _trf_token_vectors(doc)
            if vectors is not None and vectors.shape[0] == len(doc):
                sents = numpy.stack([vectors[s:e].mean(axis=0) for s, e in bounds])
                centroid = vectors.mean(axis=0)
                norms = numpy.linalg.norm(sents, axis=1) * numpy.linalg.norm(centroid)
                cos = (sents @ centroid) / numpy.maximum(norms, 1e-8)
                return cos.astype("f")
        words = [sentence_words(doc, s, e) for s, e in bounds]
        stop = self.vocab.lang and _stop_words(self.vocab)
        return numpy.asarray(lexical_centroid_scores(words, stop), dtype="f")

    # -- training ---------------------------------------------------------------------------------------
    def initialize(self, get_examples: Callable[[], Iterable[Example]], *,
                   nlp: Optional[Language] = None) -> None:
        """Initialize the model from a sample of examples; checks the reference summaries' types.

        Re-initializing resets ``cfg["trained"]`` (the fallback is used until the next update).
        """
        validate_get_examples(get_examples, "Summarizer.initialize")
        sample: List[Doc] = []
        for i, eg in enumerate(get_examples()):
            reference_summary(eg, i, self.name)
            if len(sample) < 10:
                sample.append(eg.reference)
        self.model.initialize(X=sample or None)
        self.cfg["trained"] = False

    def labels_for(self, example: Example, index: int) -> Optional[List[float]]:
        """Oracle 0/1 labels for the sentences of ``example.predicted`` (``None``: no reference)."""
        summary = reference_summary(example, index, self.name)
        if summary is None:
            return None
        doc = example.predicted
        texts = [doc[s:e].text for s, e in sentence_bounds(doc)]
        return self.oracle.labels(texts, summary)

    def get_loss(self, examples: Iterable[Example], scores: Floats2d) -> Tuple[float, Floats2d]:
        """Binary cross-entropy of the sentence logits against the oracle labels.

        Sentences of examples without a reference summary get no loss. Returns (loss, d_logits).
        """
        validate_examples(examples, "Summarizer.get_loss")
        examples = list(examples)
        truths: List[float] = []
        mask: List[float] = []
        for i, eg in enumerate(examples):
            n = len(sentence_bounds(eg.predicted))
            labels = self.labels_for(eg, i)
            if labels is None:
                truths.extend([0.0] * n)
                mask.extend([0.0] * n)
            else:
                truths.extend(labels)
                mask.extend([1.0] * n)
        ops = self.model.ops
        logits = ops.to_numpy(scores).reshape(-1)
        if logits.shape[0] != len(truths):
            raise SummarizerConfigError(Errors.SUM003.format(value=logits.shape[0],
                                                             n_truths=len(truths)))
        y = numpy.asarray(truths, dtype="f")
        m = numpy.asarray(mask, dtype="f")
        denom = max(float(m.sum()), 1.0)
        probs = _sigmoid(logits)
        # BCE from logits: softplus(z) - y * z, stable form.
        losses = numpy.maximum(logits, 0) - logits * y + numpy.log1p(numpy.exp(-numpy.abs(logits)))
        loss = float((losses * m).sum() / denom)
        d_logits = ((probs - y) * m / denom).reshape(-1, 1).astype("f")
        return loss, ops.asarray2f(d_logits)

    def after_update(self, examples: List[Example]) -> None:
        """Marks the component as trained (predictions stop using the fallback) once it has seen a
        reference summary. (A batch without one still ran forward and backward, with a zero
        gradient: the base's listener contract.)"""
        if any(reference_summary(eg, i, self.name) is not None for i, eg in enumerate(examples)):
            self.cfg["trained"] = True

    def add_label(self, label: str) -> int:
        raise NotImplementedError("plait_summarizer has no labels")

    # -- tuning -----------------------------------------------------------------------------------------
    def tune_on_dev(self, examples: List[Example], nlp: Optional[Language] = None) -> Dict[str, Any]:
        """Pick the selection ``threshold`` that maximizes mean ROUGE-1+2+L F on dev.

        ``examples[i].predicted`` must have been processed by this component (``span._.summary_score``
        on its sentences). Does nothing while untrained or without dev summaries.
        """
        if not self.is_trained:
            return {}
        from .scoring import rouge_scorer

        scorer = rouge_scorer()
        items = []
        for i, eg in enumerate(examples):
            ref = reference_summary(eg, i, self.name)
            if ref is None or len(eg.predicted) == 0:
                continue
            doc = eg.predicted
            bounds = sentence_bounds(doc)
            scores = [doc[s:e]._.summary_score for s, e in bounds]
            if any(s is None for s in scores):
                continue
            items.append((doc, bounds, [sentence_words(doc, s, e) for s, e in bounds], scores, ref))
        if not items:
            return {}
        best_threshold, best_value = self.cfg["threshold"], -1.0
        for threshold in (None, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            total = 0.0
            for doc, bounds, words, scores, ref in items:
                chosen = select_sentences(
                    words, scores, max_sentences=self.cfg["max_sentences"], ratio=self.cfg["ratio"],
                    max_words=self.cfg["max_words"], trigram_blocking=self.cfg["trigram_blocking"],
                    threshold=threshold)
                summary = " ".join(doc[bounds[j][0]:bounds[j][1]].text for j in chosen)
                result = scorer.score(ref, summary)
                total += sum(result[k].fmeasure for k in ("rouge1", "rouge2", "rougeL"))
            if total > best_value + 1e-9:
                best_threshold, best_value = threshold, total
        self.cfg["threshold"] = best_threshold
        return {"threshold": best_threshold, "dev_rouge_sum": best_value / (3 * len(items))}

    # -- serialization (hooks of the base: cfg holds the limits, threshold and trained flag) -------------
    def after_load(self) -> None:
        """The loaded settings are validated again."""
        validate_settings(self.name, self.cfg)


def _sigmoid(x: numpy.ndarray) -> numpy.ndarray:
    return 1.0 / (1.0 + numpy.exp(-numpy.clip(x, -30, 30)))


def _split(values: numpy.ndarray, counts: Sequence[int]) -> List[numpy.ndarray]:
    out, offset = [], 0
    for n in counts:
        out.append(values[offset:offset + n])
        offset += n
    return out


def _stop_words(vocab: Vocab) -> Iterable[str]:
    try:
        from spacy.util import get_lang_class

        return get_lang_class(vocab.lang).Defaults.stop_words
    except Exception:
        return ()


def _trf_token_vectors(doc: Doc) -> Optional[numpy.ndarray]:
    """Token vectors (mean of each token's word pieces) from ``doc._.trf_data``, if the doc has them."""
    if not Doc.has_extension("trf_data"):
        return None
    trf = doc._.trf_data
    if trf is None:
        return None
    try:
        output = trf.model_output
        if "last_hidden_state" not in output:
            return None
        hidden = output.last_hidden_state
        if hidden.size == 0:
            return None
        from thinc.api import NumpyOps

        ops = NumpyOps()
        src = ops.reshape2f(ops.asarray(trf.model_output.last_hidden_state.get()
                                        if hasattr(hidden, "get") else hidden), -1, trf.width)
        align = trf.align
        idx = ops.asarray(align.dataXd.get() if hasattr(align.dataXd, "get") else align.dataXd)
        lengths = ops.asarray1i(align.lengths.get() if hasattr(align.lengths, "get") else align.lengths)
        rows = ops.asarray2f(src[idx.reshape(-1)])
        return numpy.asarray(ops.reduce_mean(rows, lengths))
    except Exception:  # an unexpected trf_data layout: use the lexical fallback
        return None
