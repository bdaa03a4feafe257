"""How ``plait evaluate`` presents ``plait_sentiment``: figures named from the scorer's output
(scoring.py), a headline and a report section. No spaCy or torch import at import time; ``plugin.py``
registers ``figures``, ``headline`` and ``report`` (``listener_defaults.listener_component``)."""
from __future__ import annotations

from typing import Any, Dict

from plait.evaluation.report import pct


def _prefix(scores: Dict[str, Any]) -> str:
    return next((k[: -len("_n_docs")] for k in scores if k.endswith("_n_docs")), "sentiment")


def figures(scores: Dict[str, Any], pipe: Any) -> Dict[str, Any]:
    p = _prefix(scores)
    conf = scores.get(f"{p}_confusion")
    per_type = scores.get(f"{p}_f_per_type") or {}
    labels = conf["labels"] if conf else []
    support = {lab: sum(row) for lab, row in zip(labels, conf["matrix"])} if conf else {}
    predicted = ({lab: sum(row[j] for row in conf["matrix"]) for j, lab in enumerate(labels)}
                 if conf else {})
    return {"n": scores.get(f"{p}_n_docs"), "accuracy": scores.get(f"{p}_acc"),
            "macro_f": scores.get(f"{p}_macro_f"),
            "polarity_accuracy": scores.get(f"{p}_polarity_acc"),
            "per_label": {lab: {**v, "support": support.get(lab, 0),
                                "predicted": predicted.get(lab, 0)} for lab, v in per_type.items()},
            "confusion": conf}


def headline(entry: Dict[str, Any]) -> str:
    return f"accuracy {pct(entry.get('accuracy'))}, macro F {pct(entry.get('macro_f'))}"


def report(name: str, entry: Dict[str, Any], plots: Any) -> str:
    from plait.evaluation.report import confusion_section, per_label_rows, table

    out = [table(["metric", "value"], [["accuracy", pct(entry.get("accuracy"))],
                                       ["macro F", pct(entry.get("macro_f"))],
                                       ["polarity accuracy (positive/negative gold)",
                                        pct(entry.get("polarity_accuracy"))]])]
    out.append(table(["label", "P", "R", "F", "support"], per_label_rows(entry["per_label"])))
    out += confusion_section(name, entry, plots)
    return "\n".join(out)

