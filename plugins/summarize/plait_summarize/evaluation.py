"""How ``plait evaluate`` presents ``plait_summarizer``: ROUGE of the model and of the Lead-3 baseline
from the scorer's output (scoring.py), a headline and a report section. No spaCy or torch import at
import time."""
from __future__ import annotations

from typing import Any, Dict

from plait.evaluation.report import pct

KINDS = ("rouge1", "rouge2", "rougeL")


def figures(scores: Dict[str, Any], pipe: Any) -> Dict[str, Any]:
    p = next((k[: -len("_n_docs")] for k in scores if k.endswith("_n_docs")), "summary")
    lead = next((k[len(p) + 1: -len("_rouge1")] for k in scores
                 if k.startswith(f"{p}_lead") and k.endswith("_rouge1")), "lead3")
    words = scores.get(f"{p}_mean_words") or {}
    return {"n": scores.get(f"{p}_n_docs"),
            "rouge": {k: scores.get(f"{p}_{k}") for k in KINDS},
            "lead3": {k: scores.get(f"{p}_{lead}_{k}") for k in KINDS},
            "mean_words": {"model": words.get("model"), "lead3": words.get(lead),
                           "reference": words.get("reference")}}


def headline(entry: Dict[str, Any]) -> str:
    r, l3 = entry.get("rouge") or {}, entry.get("lead3") or {}
    return (f"ROUGE-1/2/L {pct(r.get('rouge1'))}/{pct(r.get('rouge2'))}/{pct(r.get('rougeL'))} "
            f"vs Lead-3 {pct(l3.get('rouge1'))}/{pct(l3.get('rouge2'))}/{pct(l3.get('rougeL'))}")


def report(name: str, entry: Dict[str, Any], plots: Any) -> str:
    from plait.evaluation.report import image, table

    r, l3, words = entry["rouge"], entry["lead3"], entry.get("mean_words") or {}
    out = [table(["system", "ROUGE-1", "ROUGE-2", "ROUGE-L", "mean words"], [
        ["Plait summarizer", pct(r["rouge1"]), pct(r["rouge2"]), pct(r["rougeL"]),
         f"{words.get('model') or 0:.0f}"],
        ["Lead-3 baseline", pct(l3["rouge1"]), pct(l3["rouge2"]), pct(l3["rougeL"]),
         f"{words.get('lead3') or 0:.0f}"],
        ["reference", "", "", "", f"{words.get('reference') or 0:.0f}"]])]
    groups = {"Plait": {"ROUGE-1": r["rouge1"], "ROUGE-2": r["rouge2"], "ROUGE-L": r["rougeL"]},
              "Lead-3": {"ROUGE-1": l3["rouge1"], "ROUGE-2": l3["rouge2"], "ROUGE-L": l3["rougeL"]}}
    out.append(image(plots.grouped_bars(f"{name}-rouge.png", f"{name}: ROUGE F vs Lead-3", groups),
                     "ROUGE vs Lead-3"))
    return "\n".join(out)

