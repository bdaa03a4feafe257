"""Label handling shared by the component and the scorer: polarity detection and gold extraction.

Pure Python; no spaCy model code, so it is cheap to import and easy to test.
"""
from __future__ import annotations

from typing import Dict, Iterable, Optional, Sequence, Tuple

from .errors import Errors, SentimentError

# Label names recognised (case-insensitively), in priority order: with labels ``-1/0/1`` the negative
# label is ``-1`` and ``0`` is left as the neutral one.
POSITIVE_NAMES = ("positive", "pos", "+1", "1", "+")
NEGATIVE_NAMES = ("negative", "neg", "-1", "-", "0")

GOLD_THRESHOLD = 0.5


def _detect(labels: Sequence[str], names: Sequence[str]) -> Optional[str]:
    lowered = {label.strip().lower(): label for label in labels}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def resolve_polarity_labels(
    labels: Sequence[str],
    positive_label: Optional[str] = None,
    negative_label: Optional[str] = None,
    *,
    component: str = "sentiment",
) -> Tuple[str, str]:
    """Return ``(positive, negative)``: the labels whose probabilities give the polarity.

    Configured names win; otherwise they are detected from the label names (``positive``/``pos``/``1``
    and ``negative``/``neg``/``0``, any case). Raises ``ValueError`` naming the labels if either is
    unknown or undetectable.
    """
    labels = list(labels)
    hint = (f"Set them in the component's config, e.g. [components.{component}] "
            f"positive_label = \"...\" and negative_label = \"...\".")
    for kind, value in (("positive_label", positive_label), ("negative_label", negative_label)):
        if value is not None and value not in labels:
            raise SentimentError(Errors.SENT005.format(component=component, kind=kind, value=value,
                                                       labels=labels, hint=hint))
    pos = positive_label if positive_label is not None else _detect(labels, POSITIVE_NAMES)
    neg = negative_label if negative_label is not None else _detect(labels, NEGATIVE_NAMES)
    if pos is None or neg is None:
        missing = " and ".join(k for k, v in (("positive", pos), ("negative", neg)) if v is None)
        raise SentimentError(Errors.SENT006.format(component=component, labels=labels,
                                                   missing=missing, hint=hint))
    if pos == neg:
        raise SentimentError(Errors.SENT007.format(component=component, pos=pos, hint=hint))
    return pos, neg


def doc_snippet(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 3] + "...")


def gold_label(cats: Dict[str, float], labels: Iterable[str], *, text: str = "",
               component: str = "sentiment") -> Optional[str]:
    """The one gold label of a reference doc among ``labels``, or ``None`` if it has none of them.

    A label is gold when its value in ``doc.cats`` is >= 0.5. Classes are exclusive: a doc with
    several gold labels, or with some of the labels but none of them set, is an error naming the doc.
    """
    own = {label: cats[label] for label in labels if label in cats}
    if not own:
        return None
    gold = [label for label, value in own.items() if value >= GOLD_THRESHOLD]
    if len(gold) == 1:
        return gold[0]
    if gold:
        problem = f"several labels are set ({', '.join(gold)})"
    else:
        problem = "none of its labels is set (all values < 0.5)"
    raise SentimentError(Errors.SENT008.format(component=component, doc_snippet=doc_snippet(text),
                                               own=own, problem=problem, list=list(labels)))
