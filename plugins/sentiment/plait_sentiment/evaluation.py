"""How ``plait evaluate`` presents ``plait_sentiment``: figures named from the scorer's output
(scoring.py), a headline and a report section. No spaCy or torch import at import time."""
from __future__ import annotations

from typing import Any, Dict


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
            "per_label": {lab: {**v, "support": support.get(lab, 0),
                                "predicted": predicted.get(lab, 0)} for lab, v in per_type.items()},
            "confusion": conf}


def _fmt(v: Any) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}"


def headline(entry: Dict[str, Any]) -> str:
    return f"accuracy {_fmt(entry.get('accuracy'))}, macro F {_fmt(entry.get('macro_f'))}"


def report(name: str, entry: Dict[str, Any], plots: Any) -> str:
    from plait.evaluation.report import confusion_table, image, pct, per_label_rows, table

    out = [table(["metric", "value"], [["accuracy", pct(entry.get("accuracy"))],
                                       ["macro F", pct(entry.get("macro_f"))]])]
    out.append(table(["label", "P", "R", "F", "support"], per_label_rows(entry["per_label"])))
    if entry.get("confusion"):
        out.append("Confusion matrix (rows: gold, columns: predicted):\n")
        out.append(confusion_table(entry["confusion"]))
        out.append(image(plots.confusion(f"{name}-confusion.png", f"{name}: confusion",
                                         entry["confusion"]), "Confusion matrix"))
    return "\n".join(out)


def evaluation_info():
    from plait.plugins.contracts import EvaluationInfo

    return EvaluationInfo(figures=figures, headline=headline, report=report)
