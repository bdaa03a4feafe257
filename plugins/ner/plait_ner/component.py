"""The ``plait_ner`` spaCy component: a BILUO token classifier with constrained decoding.

Model
    ``plait.ner.v1`` maps every token to logits over the tags ``O, B-L, I-L, L-L, U-L`` (for each label
    ``L``) from tok2vec features (in a composed pipeline: a listener of the shared transformer),
    optionally concatenated with cased surface features (SHAPE, PREFIX, SUFFIX).

Training
    Softmax cross-entropy per token against the gold BILUO tags of ``example.get_aligned_ner()``.
    Tokens with missing gold (``ent_iob == 0``), tokens whose gold entity cannot be aligned to the
    predicted tokenization, and tokens of entities whose label the component does not have, give no
    loss; tokens explicitly ``O`` do. So a partially annotated or multi-task corpus trains correctly.

Decoding
    The logits define a distribution over well-formed BILUO sequences (per-token softmaxes at
    temperature ``T``, renormalised over the sequences the BILUO grammar allows: a linear-chain CRF
    with 0/-inf transitions). Viterbi finds the most probable sequence, so predicted spans are always
    well formed; the best sequence does not depend on ``T``. Entities are written to ``doc.ents``
    (replacing any entities already there).

Confidence
    ``span._.confidence`` is the exact probability, under that distribution, that the span is an
    entity with exactly these boundaries and this label, i.e. ``P(y = B-L I-L ... L-L)`` (or ``U-L``),
    computed with forward-backward. It lies in [0, 1] and accounts for boundary as well as label
    uncertainty. It is calibrated by the temperature ``T`` (``cfg["temperature"]``, default 1), fitted by
    :meth:`PlaitNER.tune_on_dev` to minimise the log loss of the confidences of predicted entities
    against their correctness (exact span and label match) on the dev set, and saved with the component.
"""

import math
import warnings
from itertools import islice
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.vocab import Vocab
from thinc.api import Config, Model
from thinc.types import Floats2d

from plait.plugins.component_base import ListenerComponent
from plait.training.balance import check_option, resolve_weights

from .decoding import decode, n_tags, pad_scores, span_probs, tag_names, tags_to_spans, viterbi
from .errors import Errors, PlaitNERError, Warnings
from .scoring import expected_calibration_error, ner_score

# temperature search range for tune_on_dev (log-space grid, then golden-section refinement)
T_MIN, T_MAX, T_GRID = 0.05, 20.0, 25


def install_extensions() -> None:
    if not Span.has_extension("confidence"):
        Span.set_extension("confidence", default=None)


def make_ner(nlp: Language, name: str, model: Model[List[Doc], List[Floats2d]],
             scorer: Optional[Callable], tune_min_entities: int,
             label_weights: Optional[Union[str, Dict[str, float]]] = None) -> "PlaitNER":
    """Create a :class:`PlaitNER` component (installs ``Span._.confidence``).

    label_weights: null (every token weighs 1), "balanced" (the tokens of label L's gold entities
        weigh ``n / (k * n_L)`` over the training data's entities, capped at 10, so rare labels count
        as much as frequent ones; ``O`` tokens weigh 1) or a mapping of label to weight. Computed at
        initialize and saved with the component.
    """
    install_extensions()
    return PlaitNER(nlp.vocab, model, name, scorer=scorer, tune_min_entities=tune_min_entities,
                    label_weights=label_weights)


class PlaitNER(ListenerComponent):
    """Named entity recognizer: BILUO tagging, constrained decoding, calibrated confidences."""

    def __init__(self, vocab: Vocab, model: Model, name: str = "ner", *,
                 scorer: Optional[Callable] = ner_score, tune_min_entities: int = 10,
                 label_weights: Optional[Union[str, Dict[str, float]]] = None) -> None:
        check_option(label_weights, component="Component (plait_ner)", name=name,
                     option_name="label_weights")
        self.label_weighting = label_weights
        install_extensions()
        super().__init__(vocab, model, name, scorer=scorer,
                         cfg={"labels": [], "temperature": 1.0,
                              "tune_min_entities": int(tune_min_entities), "label_weights": None})
        self._warned_labels: set = set()

    # -- labels ------------------------------------------------------------------------------------
    @property
    def label_data(self) -> Tuple[str, ...]:
        return self.labels

    @property
    def tag_names(self) -> List[str]:
        return tag_names(self.labels)

    @property
    def temperature(self) -> float:
        return float(self.cfg["temperature"])

    def _check_label(self, label: Any) -> None:
        if not isinstance(label, str) or not label or any(c.isspace() for c in label):
            raise PlaitNERError(Errors.NER002.format(name=self.name, label=label))

    def add_label(self, label: str) -> int:
        self._check_label(label)
        if label in self.labels:
            return 0
        self._allow_extra_label()
        self.cfg["labels"].append(label)
        self.vocab.strings.add(label)
        return 1

    def _allow_extra_label(self) -> None:
        output = self.model.get_ref("output_layer")
        if output.has_dim("nO") and output.get_dim("nO") is not None:
            raise PlaitNERError(Errors.NER020.format(name=self.name))

    # -- prediction --------------------------------------------------------------------------------
    def predict(self, docs: Iterable[Doc]) -> List[numpy.ndarray]:
        """Per-doc ``(n_tokens, n_tags)`` logits (numpy)."""
        docs = list(docs)
        if not self.labels:
            raise PlaitNERError(Errors.NER007.format(name=self.name))
        k = n_tags(len(self.labels))
        if not any(len(doc) for doc in docs):
            return [numpy.zeros((0, k), dtype="float32") for _ in docs]
        scores = self.model.predict(docs)
        out = [self.model.ops.to_numpy(s) for s in scores]
        for s in out:
            if s.shape[1] != k:
                raise PlaitNERError(Errors.NER008.format(name=self.name, got=s.shape[1], want=k,
                                                         n=len(self.labels)))
        return out

    def set_annotations(self, docs: Iterable[Doc], scores: Sequence[numpy.ndarray]) -> None:
        """Write the Viterbi entities to ``doc.ents`` with ``span._.confidence``."""
        if isinstance(docs, Doc):
            docs = [docs]
        docs = list(docs)
        labels = self.labels
        decoded = decode(list(scores), len(labels), self.temperature)
        for doc, doc_spans in zip(docs, decoded):
            ents = [Span(doc, s, e, label=labels[l]) for s, e, l, _ in doc_spans]
            doc.set_ents(ents, default="outside")
            for ent, (_, _, _, p) in zip(ents, doc_spans):
                ent._.confidence = float(p)

    # -- training ----------------------------------------------------------------------------------
    def _gold_tag_ids(self, eg: Example) -> numpy.ndarray:
        """Gold tag index per predicted token; -1 where the gold is missing (no loss)."""
        index = {name: i for i, name in enumerate(self.tag_names)}
        out = numpy.full((len(eg.predicted),), -1, dtype="int64")
        unknown = set()
        for i, tag in enumerate(eg.get_aligned_ner()):
            if tag is None or tag == "-":
                continue
            j = index.get(tag)
            if j is None:
                unknown.add(tag.split("-", 1)[1])
                continue
            out[i] = j
        new = unknown - self._warned_labels
        if new:
            self._warned_labels |= new
            warnings.warn(Warnings.NER102.format(name=self.name, labels=sorted(new)))
        return out

    def get_loss(self, examples: Iterable[Example], scores: Sequence[Floats2d]
                 ) -> Tuple[float, List[Floats2d]]:
        """Summed softmax cross-entropy over tokens with known gold; gradient w.r.t. the logits."""
        examples = list(examples)
        validate_examples(examples, "PlaitNER.get_loss")
        ops = self.model.ops
        total = 0.0
        d_scores = []
        tag_w = self._tag_weights()
        for eg, doc_scores in zip(examples, scores):
            logits = ops.to_numpy(doc_scores).astype("float64")
            if numpy.isnan(logits).any():
                raise PlaitNERError(Errors.NER005.format(name=self.name))
            gold = self._gold_tag_ids(eg)
            known = gold >= 0
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_probs = shifted - numpy.log(numpy.exp(shifted).sum(axis=1, keepdims=True))
            grad = numpy.exp(log_probs)
            rows = numpy.nonzero(known)[0]
            grad[rows, gold[rows]] -= 1.0
            grad[~known] = 0.0
            if tag_w is None:
                total -= float(log_probs[rows, gold[rows]].sum())
            else:
                w = tag_w[gold[rows]]
                total -= float((w * log_probs[rows, gold[rows]]).sum())
                grad[rows] *= w[:, None]
            d_scores.append(ops.asarray2f(grad.astype("float32")))
        return total, d_scores

    def _tag_weights(self) -> Optional[numpy.ndarray]:
        """The loss weight of each tag (``O`` 1, ``X-L`` the weight of label L); None: unweighted."""
        stored = self.cfg.get("label_weights")
        if not stored:
            return None
        return numpy.asarray([1.0 if tag == "O" else float(stored.get(tag.split("-", 1)[1], 1.0))
                              for tag in self.tag_names], dtype="float64")

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *,
                   nlp: Optional[Language] = None, labels: Optional[Sequence[str]] = None) -> None:
        """Collect labels (from ``labels`` or the gold ``doc.ents``) and initialize the model."""
        validate_get_examples(get_examples, "PlaitNER.initialize")
        n_examples = 0
        n_ents = 0
        bad: List[str] = []
        found = set()
        counts: Dict[str, int] = {}
        for eg in get_examples():
            n_examples += 1
            ents = eg.reference.ents
            same_tokens = [t.text for t in eg.predicted] == [t.text for t in eg.reference]
            aligned = set() if same_tokens or not ents else {
                (e.start_char, e.end_char)
                for e in eg.get_aligned_spans_y2x(ents, allow_overlap=False)}
            for ent in ents:
                n_ents += 1
                found.add(ent.label_)
                counts[ent.label_] = counts.get(ent.label_, 0) + 1
                if not same_tokens and (ent.start_char, ent.end_char) not in aligned:
                    bad.append(f"{ent.text!r} ({ent.label_}) in doc {eg.reference.text[:40]!r}")
        if n_examples == 0:
            raise PlaitNERError(Errors.NER003.format(name=self.name))
        if labels is None:
            labels = sorted(found)
        if not labels:
            raise PlaitNERError(Errors.NER001.format(name=self.name, n=n_examples))
        if n_ents and len(bad) == n_ents:
            raise PlaitNERError(Errors.NER004.format(name=self.name, n=n_ents, example=bad[0]))
        if bad:
            warnings.warn(Warnings.NER101.format(name=self.name, n_bad=len(bad), n=n_ents,
                                                 example=bad[0]))
        labels = list(dict.fromkeys(labels))
        for label in labels:
            self._check_label(label)
        output = self.model.get_ref("output_layer")
        want = n_tags(len(labels))
        if output.has_dim("nO") and output.get_dim("nO") not in (None, want):
            raise PlaitNERError(Errors.NER008.format(name=self.name, got=output.get_dim("nO"),
                                                     want=want, n=len(labels)))
        self.cfg["labels"] = labels
        for label in labels:
            self.vocab.strings.add(label)
        output.set_dim("nO", want)
        self.cfg["label_weights"] = resolve_weights(
            self.label_weighting, counts, labels, component="Component (plait_ner)",
            name=self.name, option_name="label_weights")
        doc_sample = [eg.x for eg in islice(get_examples(), 10)]
        self.model.initialize(X=doc_sample)

    # -- calibration -------------------------------------------------------------------------------
    def tune_on_dev(self, examples: Sequence[Example], nlp: Optional[Language] = None
                    ) -> Dict[str, Any]:
        """Fit the confidence temperature on dev examples (predicted docs already processed).

        Minimises the log loss of the span probabilities of the Viterbi entities against their
        correctness (exact span and label match; entities over missing gold are ignored). Needs at
        least ``cfg["tune_min_entities"]`` scorable predicted entities, else keeps the temperature.
        """
        examples = [eg for eg in examples if eg.reference.has_annotation("ENT_IOB")]
        old = self.temperature
        result: Dict[str, Any] = {"temperature": old, "previous_temperature": old, "entities": 0,
                                  "tuned": False}
        if not examples or not self.labels:
            return result
        n_labels = len(self.labels)
        scores: List[numpy.ndarray] = []
        for i in range(0, len(examples), 256):
            scores.extend(self.predict([eg.predicted for eg in examples[i: i + 256]]))
        # decode, then keep docs with scorable entities, sorted by length to pad little
        items = []
        for eg, doc_scores in zip(examples, scores):
            padded, lengths = pad_scores([doc_scores], n_labels)
            spans = tags_to_spans(viterbi(padded, n_labels)[0], int(lengths[0]), n_labels)
            golds = {(e.label_, e.start, e.end) for e in eg.reference.ents}
            kept, correct = [], []
            for s, e, label in spans:
                indices = eg.alignment.x2y[s:e]
                if not len(indices):
                    continue
                if not all(t.ent_iob != 0 for t in eg.reference[indices[0]: indices[-1] + 1]):
                    continue
                kept.append((s, e, label))
                correct.append((self.labels[label], int(indices[0]), int(indices[-1]) + 1) in golds)
            if kept:
                items.append((len(doc_scores), doc_scores, kept, correct))
        n = sum(len(it[2]) for it in items)
        result["entities"] = n
        if n < max(1, int(self.cfg.get("tune_min_entities", 10))):
            return result
        items.sort(key=lambda it: it[0])
        batches = []
        for i in range(0, len(items), 128):
            chunk = items[i: i + 128]
            padded, _ = pad_scores([it[1] for it in chunk], n_labels)
            batches.append((padded, [it[2] for it in chunk]))
        correct = numpy.asarray([ok for it in items for ok in it[3]], dtype="float64")

        def confidences(temperature: float) -> numpy.ndarray:
            out = []
            for padded, spans in batches:
                out.extend(numpy.concatenate(span_probs(padded, spans, n_labels, temperature)))
            return numpy.asarray(out)

        def nll(log_t: float) -> float:
            p = numpy.clip(confidences(math.exp(log_t)), 1e-7, 1 - 1e-7)
            return float(-(correct * numpy.log(p) + (1 - correct) * numpy.log(1 - p)).mean())

        grid = numpy.linspace(math.log(T_MIN), math.log(T_MAX), T_GRID)
        values = [nll(x) for x in grid]
        best = int(numpy.argmin(values))
        lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
        ratio = (math.sqrt(5) - 1) / 2
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        fa, fb = nll(a), nll(b)
        for _ in range(20):
            if fa < fb:
                hi, b, fb = b, a, fa
                a = hi - ratio * (hi - lo)
                fa = nll(a)
            else:
                lo, a, fa = a, b, fb
                b = lo + ratio * (hi - lo)
                fb = nll(b)
        candidates = [(values[best], grid[best]), (fa, a), (fb, b)]
        best_nll, best_log_t = min(candidates)
        new = float(math.exp(best_log_t))
        result["ece_before"] = expected_calibration_error(list(confidences(old)), list(correct))
        self.cfg["temperature"] = new
        result.update({"temperature": new, "tuned": True, "nll": best_nll,
                       "ece_after": expected_calibration_error(list(confidences(new)),
                                                               list(correct))})
        return result

    # -- serialization (hooks of the base) --------------------------------------------------------
    def check_cfg(self) -> None:
        t = self.cfg.get("temperature")
        if not isinstance(t, (int, float)) or not math.isfinite(t) or t <= 0:
            raise PlaitNERError(Errors.NER006.format(name=self.name, value=t))

    after_load = check_cfg
