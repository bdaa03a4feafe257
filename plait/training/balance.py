"""Class-balanced loss weights for components' heads (the plugins' ``class_weights`` options).

``"balanced"`` gives every label ``n / (k * n_label)`` (the weight that makes each label contribute
the same total to the loss, as scikit-learn's ``class_weight="balanced"``), capped at ``max_weight`` so a
label seen a handful of times cannot dominate; a mapping gives the weights by hand (labels it leaves
out weigh 1). The weights are computed once, from the training data at ``initialize``, and saved in the
component's ``cfg`` so a trained pipeline keeps them.
"""
from __future__ import annotations

import math
from typing import Dict, Mapping, Optional, Sequence, Union

from plait.errors import ComponentConfigError, Errors

WeightsOption = Union[None, str, Mapping[str, float]]
BALANCED = "balanced"


def check_option(option: WeightsOption, *, component: str, name: str,
                 option_name: str = "class_weights") -> None:
    """Fail early (at construction) on an option that is neither null, "balanced" nor a mapping."""
    if option is None or option == BALANCED or isinstance(option, Mapping):
        return
    raise ComponentConfigError(Errors.E153.format(component=component, name=name,
                                                  option=option_name, value=option))


def resolve_weights(option: WeightsOption, counts: Mapping[str, int], labels: Sequence[str], *,
                    component: str, name: str, option_name: str = "class_weights",
                    max_weight: float = 10.0) -> Optional[Dict[str, float]]:
    """The weight of every label (None: no weighting) from the option and the label counts."""
    check_option(option, component=component, name=name, option_name=option_name)
    if option is None:
        return None
    if isinstance(option, Mapping):
        unknown = sorted(set(option) - set(labels))
        if unknown:
            raise ComponentConfigError(Errors.E154.format(
                component=component, name=name, option=option_name, labels=unknown,
                known=list(labels)))
        out = {}
        for label in labels:
            value = option.get(label, 1.0)
            try:
                ok = float(value) > 0 and math.isfinite(float(value))
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise ComponentConfigError(Errors.E155.format(component=component, name=name,
                                                              label=label, value=value))
            out[label] = round(float(value), 6)
        return out
    seen = {label: int(counts.get(label, 0)) for label in labels}
    total = sum(seen.values())
    present = [label for label in labels if seen[label] > 0]
    out = {}
    for label in labels:
        if seen[label] == 0 or total == 0:
            out[label] = 1.0  # no example of it: it gives no loss anyway
        else:
            w = total / (len(present) * seen[label])
            out[label] = round(min(float(max_weight), w), 6)
    return out


def pos_weights(option: WeightsOption, positives: Mapping[str, int], totals: Mapping[str, int],
                labels: Sequence[str], *, component: str, name: str,
                option_name: str = "class_weights", max_weight: float = 10.0
                ) -> Optional[Dict[str, float]]:
    """Independent (multi-label) labels: the weight of each label's *positive* examples.

    ``"balanced"``: ``n_negative / n_positive`` (capped), so positives and negatives of a label weigh
    the same in total; a mapping gives them by hand.
    """
    check_option(option, component=component, name=name, option_name=option_name)
    if option is None or isinstance(option, Mapping):
        return resolve_weights(option, {}, labels, component=component, name=name,
                               option_name=option_name, max_weight=max_weight)
    out = {}
    for label in labels:
        pos, n = int(positives.get(label, 0)), int(totals.get(label, 0))
        out[label] = 1.0 if pos == 0 or pos == n else round(min(float(max_weight), (n - pos) / pos), 6)
    return out
