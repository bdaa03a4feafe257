"""How ``plait evaluate`` presents ``plait_ner``: figures named from the scorer's output (scoring.py),
a headline and a report section. No spaCy or torch import at import time (the ``plait`` entry point
imports this module)."""
from __future__ import annotations

from typing import Any, Dict

from plait.evaluation.report import pct


def figures(scores: Dict[str, Any], pipe: Any) -> Dict[str, Any]:
    support = scores.get("ents_support") or {}
    predicted = scores.get("ents_predicted") or {}
    per_type = scores.get("ents_per_type") or {}
    per_label = {lab: {**per_type.get(lab, {"p": 0.0, "r": 0.0, "f": 0.0}),
                       "support": support.get(lab, 0), "predicted": predicted.get(lab, 0)}
                 for lab in sorted(set(per_type) | set(support))}
    return {"micro": {"p": scores.get("ents_p"), "r": scores.get("ents_r"),
                      "f": scores.get("ents_f"), "support": sum(support.values()),
                      "predicted": sum(predicted.values())},
            "per_label": per_label,
            "calibration": scores.get("ents_calibration"),
            "entities_without_confidence": scores.get("ents_without_confidence"),
            "temperature": (getattr(pipe, "cfg", None) or {}).get("temperature")}


def headline(entry: Dict[str, Any]) -> str:
    m, cal = entry.get("micro") or {}, entry.get("calibration") or {}
    return (f"ents P/R/F {pct(m.get('p'))}/{pct(m.get('r'))}/{pct(m.get('f'))}, "
            f"ECE {pct(cal.get('ece'))}" + (" (SILVER gold)" if entry.get("silver") else ""))


def report(name: str, entry: Dict[str, Any], plots: Any) -> str:
    from plait.evaluation.report import image, pctp, per_label_rows, table

    m, cal = entry["micro"], entry.get("calibration") or {"n": 0, "bins": []}
    out = [table(["P", "R", "F", "gold entities", "predicted"],
                 [[pct(m["p"]), pct(m["r"]), pct(m["f"]), m["support"], m["predicted"]]])]
    out.append("Per label (exact span and label):\n")
    out.append(table(["label", "P", "R", "F", "support"], per_label_rows(entry["per_label"])))
    out.append(image(plots.per_label_f(f"{name}-per-label-f.png", f"{name}: F per label",
                                       entry["per_label"]), "F per label"))
    brier = "n/a" if cal.get("brier") is None else f"{cal['brier']:.3f}"
    out.append(f"**Calibration of `span._.confidence`** over {cal.get('n', 0)} predicted entities "
               f"(confidence vs. the share that exactly match a gold entity; entities over tokens "
               f"without gold are left out): ECE {pctp(cal.get('ece'))}, Brier {brier}, "
               f"mean confidence {pctp(cal.get('mean_confidence'))} vs precision "
               f"{pctp(cal.get('precision'))}"
               + (f"; temperature fitted on dev: {entry['temperature']:.3g}"
                  if entry.get("temperature") is not None else "") + ".\n")
    rows = [[f"{b['lo']:.1f}-{b['hi']:.1f}", b["n"], pct(b["mean_confidence"]), pct(b["accuracy"])]
            for b in cal.get("bins", []) if b["n"]]
    if rows:
        out.append(table(["confidence", "entities", "mean confidence", "correct"], rows))
    out.append(image(plots.reliability(f"{name}-reliability.png", f"{name}: reliability", cal,
                                       xlabel="span._.confidence",
                                       ylabel="exactly correct entities"), "Reliability diagram"))
    return "\n".join(out)

