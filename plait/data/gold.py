"""The gold a record carries, handed to a component's ``GoldInfo.annotate`` (see plait.plugins.contracts)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

Span = Tuple[int, int, str]  # token start, token end (exclusive), label


@dataclass
class Gold:
    """One record's gold in one shape: ``labels`` (label -> 0.0/1.0), ``spans`` (token offsets) or
    ``target`` (a target text)."""

    labels: Optional[Dict[str, float]] = None
    spans: Optional[List[Span]] = None
    target: Optional[str] = None

    @property
    def shape(self) -> str:
        return "labels" if self.labels is not None else "spans" if self.spans is not None else "pair"

    def positives(self) -> List[str]:
        return sorted(k for k, v in (self.labels or {}).items() if float(v) >= 0.5)

    def label_counts(self) -> Dict[str, int]:
        """What this record adds to its split's label distribution."""
        if self.labels is not None:
            return {label: 1 for label in self.positives()}
        if self.spans is not None:
            out: Dict[str, int] = {}
            for _, _, label in self.spans:
                out[label] = out.get(label, 0) + 1
            return out
        return {}

    def stratum(self) -> str:
        """The key a label-stratified split balances on."""
        if self.labels is not None:
            return "+".join(self.positives())
        if self.spans is not None:
            return "+".join(sorted({label for _, _, label in self.spans}))
        return ""

    def key(self) -> str:
        """A canonical form, to tell whether two records of one text carry the same gold."""
        if self.labels is not None:
            return "L:" + "|".join(self.positives())
        if self.spans is not None:
            return "S:" + "|".join(f"{s},{e},{lab}" for s, e, lab in sorted(self.spans))
        return "T:" + (self.target or "")


def annotate_cats(doc, gold: Gold) -> None:
    """``GoldInfo.annotate`` for gold kept in spaCy's ``doc.cats``: imported labels (label ->
    0.0/1.0 over every label of the data) -> ``doc.cats``."""
    doc.cats = dict(gold.labels or {})


def read_cats(doc) -> Optional[Gold]:
    """``GoldInfo.read`` for gold kept in ``doc.cats``: its labels, or None where it has none."""
    return Gold(labels=dict(doc.cats)) if doc.cats else None
