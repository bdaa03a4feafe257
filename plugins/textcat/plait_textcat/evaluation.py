"""How ``plait evaluate`` presents ``plait_textcat``: figures named from the scorer's output
(scoring.py), a headline and a report section. No spaCy or torch import at import time; ``plugin.py``
registers ``figures``, ``headline`` and ``report`` (``listener_defaults.listener_component``)."""
from __future__ import annotations

from typing import Any, Dict

from plait.evaluation.report import pct


def figures(scores: Dict[str, Any], pipe: Any) -> Dict[str, Any]:
    cfg = getattr(pipe, "cfg", None) or {}
    conf = scores.get("cats_confusion")
    support, predicted = scores.get("cats_support") or {}, scores.get("cats_predicted") or {}
    per_type = scores.get("cats_f_per_type") or {}
    out = {"n": scores.get("cats_n_docs"), "exclusive": bool(cfg.get("exclusive", True)),
           "per_label": {lab: {**v, "support": support.get(lab, 0),
                               "predicted": predicted.get(lab, 0)} for lab, v in per_type.items()},
           "micro": {"p": scores.get("cats_micro_p"), "r": scores.get("cats_micro_r"),
                     "f": scores.get("cats_micro_f"), "support": sum(support.values()),
                     "predicted": sum(predicted.values())},
           "macro_f": scores.get("cats_macro_f"), "macro_auc": scores.get("cats_macro_auc")}
    if out["exclusive"]:
        out["accuracy"] = scores.get("cats_acc")
        out["confusion"] = conf
    if cfg.get("thresholds"):
        out["thresholds"] = dict(cfg["thresholds"])
    return out


def headline(entry: Dict[str, Any]) -> str:
    return f"accuracy {pct(entry.get('accuracy'))}, macro F {pct(entry.get('macro_f'))}"


def report(name: str, entry: Dict[str, Any], plots: Any) -> str:
    from plait.evaluation.report import confusion_section, image, per_label_rows, table

    head = [["accuracy", pct(entry.get("accuracy"))], ["macro F", pct(entry.get("macro_f"))],
            ["micro F (decisions)", pct((entry.get("micro") or {}).get("f"))],
            ["exclusive", entry.get("exclusive")]]
    out = [table(["metric", "value"], head)]
    out.append(table(["label", "P", "R", "F", "support"], per_label_rows(entry["per_label"])))
    if entry.get("thresholds"):
        out.append("Decision thresholds tuned on dev: " + ", ".join(
            f"`{k}` {v:.2f}" for k, v in entry["thresholds"].items()) + "\n")
    out.append(image(plots.per_label_f(f"{name}-per-label-f.png", f"{name}: F per label",
                                       entry["per_label"]), "F per label"))
    out += confusion_section(name, entry, plots, columns="the decided label")
    return "\n".join(out)

