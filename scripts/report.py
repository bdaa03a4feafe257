"""Human-readable Markdown report (with plots) from the JSON of scripts/evaluate.py.

    python scripts/report.py metrics/demo/metrics.json --output metrics/demo/report.md \
        --title "Plait demo" --note "NER gold is silver"

Plots (PNG, next to the report under ``plots/``) need matplotlib (``pip install matplotlib``, or the
``setup.sh`` default); without it the report has the same tables and says the plots were skipped:

- sentiment / classification: confusion matrix;
- NER / classification: F per label;
- NER: reliability diagram of ``span._.confidence`` (confidence vs share of exactly correct entities);
- summarization: ROUGE-1/2/L of the model vs the Lead-3 baseline.

A ``spacy-evaluate.json`` beside the metrics file (from ``spacy evaluate``) is summarized too.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Dict, List, Optional


def pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


def pctp(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def table(header: List[str], rows: List[List[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


class Plotter:
    """Writes PNGs under ``folder``; every method returns the relative path, or None if skipped."""

    def __init__(self, folder: Path, rel: str) -> None:
        self.folder, self.rel = folder, rel
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            self.plt = plt
            self.error = None
        except ImportError as exc:
            self.plt = None
            self.error = str(exc)

    @property
    def ok(self) -> bool:
        return self.plt is not None

    def _save(self, fig, name: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        fig.tight_layout()
        fig.savefig(self.folder / name, dpi=110)
        self.plt.close(fig)
        return f"{self.rel}/{name}"

    def confusion(self, name: str, title: str, conf: Dict[str, Any]) -> Optional[str]:
        if not self.ok:
            return None
        labels, matrix = conf["labels"], conf["matrix"]
        size = max(3.5, 0.7 * len(labels) + 2)
        fig, ax = self.plt.subplots(figsize=(size + 0.8, size))
        totals = [sum(row) or 1 for row in matrix]
        norm = [[v / t for v in row] for row, t in zip(matrix, totals)]
        im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        for i, row in enumerate(matrix):
            for j, v in enumerate(row):
                ax.text(j, i, str(v), ha="center", va="center",
                        color="white" if norm[i][j] > 0.5 else "black", fontsize=9)
        ax.set_title(title)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="share of gold row")
        return self._save(fig, name)

    def per_label_f(self, name: str, title: str, per_label: Dict[str, Dict[str, float]]) -> Optional[str]:
        if not self.ok or not per_label:
            return None
        labels = list(per_label)
        fig, ax = self.plt.subplots(figsize=(max(4.0, 0.5 * len(labels) + 2), 3.4))
        ax.bar(range(len(labels)), [100 * per_label[lab]["f"] for lab in labels], color="#4c72b0")
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        ax.set_ylim(0, 100)
        ax.set_ylabel("F (%)")
        ax.set_title(title)
        return self._save(fig, name)

    def reliability(self, name: str, title: str, cal: Dict[str, Any]) -> Optional[str]:
        if not self.ok or not cal.get("n"):
            return None
        bins = [b for b in cal["bins"] if b["n"]]
        fig, (ax, ax2) = self.plt.subplots(2, 1, figsize=(4.6, 5.2), sharex=True,
                                           gridspec_kw={"height_ratios": [3, 1]})
        ax.plot([0, 1], [0, 1], "--", color="grey", label="perfectly calibrated")
        width = 1.0 / len(cal["bins"])
        ax.bar([b["lo"] for b in bins], [b["accuracy"] for b in bins], width=width, align="edge",
               edgecolor="black", color="#55a868", alpha=0.8, label="share correct")
        ax.plot([b["mean_confidence"] for b in bins], [b["accuracy"] for b in bins], "o",
                color="black", markersize=3, label="bin: (mean confidence, share correct)")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_ylabel("exactly correct entities")
        ax.set_title(f"{title} (ECE {pctp(cal['ece'])})")
        ax.legend(loc="upper left", fontsize=8)
        ax2.bar([b["lo"] for b in bins], [b["n"] for b in bins], width=width, align="edge",
                edgecolor="black", color="#8172b2")
        ax2.set_xlabel("span._.confidence")
        ax2.set_ylabel("entities")
        return self._save(fig, name)

    def rouge(self, name: str, title: str, model: Dict[str, float], lead: Dict[str, float]) -> Optional[str]:
        if not self.ok or model.get("rouge1") is None:
            return None
        kinds = ["rouge1", "rouge2", "rougeL"]
        xs = range(len(kinds))
        fig, ax = self.plt.subplots(figsize=(4.6, 3.4))
        ax.bar([x - 0.2 for x in xs], [100 * model[k] for k in kinds], width=0.4, label="Plait")
        ax.bar([x + 0.2 for x in xs], [100 * lead[k] for k in kinds], width=0.4, label="Lead-3")
        ax.set_xticks(list(xs), ["ROUGE-1", "ROUGE-2", "ROUGE-L"])
        ax.set_ylabel("F (%)")
        ax.set_title(title)
        ax.legend()
        return self._save(fig, name)


def image(path: Optional[str], alt: str) -> str:
    return f"![{alt}]({path})\n\n" if path else ""


def per_label_rows(per_label: Dict[str, Dict[str, float]]) -> List[List[Any]]:
    return [[lab, pct(v["p"]), pct(v["r"]), pct(v["f"]), v.get("support", "")]
            for lab, v in per_label.items()]


def confusion_table(conf: Dict[str, Any]) -> str:
    labels = conf["labels"]
    rows = [[f"**{g}**"] + row for g, row in zip(labels, conf["matrix"])]
    return table(["gold \\ predicted"] + labels, rows)


def section(name: str, comp: Dict[str, Any], plots: Plotter) -> str:
    task = comp["task"]
    out = [f"## `{name}` ({task}, {comp['n_docs']} test docs)\n"]
    if comp.get("silver"):
        out.append("> **Silver data**: the gold of this component's corpus was produced by another "
                   "model, not by people. Scores measure agreement with that model.\n")
    if comp["n_docs"] == 0:
        out.append("No test document carries gold for this component.\n")
        return "\n".join(out)
    if task == "ner":
        m, cal = comp["micro"], comp["calibration"]
        out.append(table(["P", "R", "F", "gold entities", "predicted"],
                         [[pct(m["p"]), pct(m["r"]), pct(m["f"]), m["support"], m["predicted"]]]))
        out.append("Per label (exact span and label):\n")
        out.append(table(["label", "P", "R", "F", "support"], per_label_rows(comp["per_label"])))
        out.append(image(plots.per_label_f(f"{name}-per-label-f.png", f"{name}: F per label",
                                           comp["per_label"]), "F per label"))
        brier = "n/a" if cal["brier"] is None else f"{cal['brier']:.3f}"
        out.append(f"**Calibration of `span._.confidence`** over {cal['n']} predicted entities "
                   f"(confidence vs. the share that exactly match a gold entity): ECE "
                   f"{pctp(cal['ece'])}, Brier {brier}, "
                   f"mean confidence {pctp(cal['mean_confidence'])} vs precision "
                   f"{pctp(cal['precision'])}"
                   + (f"; temperature fitted on dev: {comp['temperature']:.3g}"
                      if comp.get("temperature") is not None else "") + ".\n")
        rows = [[f"{b['lo']:.1f}-{b['hi']:.1f}", b["n"], pct(b["mean_confidence"]), pct(b["accuracy"])]
                for b in cal["bins"] if b["n"]]
        if rows:
            out.append(table(["confidence", "entities", "mean confidence", "correct"], rows))
        out.append(image(plots.reliability(f"{name}-reliability.png", f"{name}: reliability", cal),
                         "Reliability diagram"))
    elif task in ("sentiment", "textcat"):
        head = [["accuracy", pct(comp.get("accuracy"))], ["macro F", pct(comp.get("macro_f"))]]
        if task == "textcat":
            head.append(["micro F (decisions)", pct(comp["micro"]["f"])])
            head.append(["exclusive", comp.get("exclusive")])
        out.append(table(["metric", "value"], head))
        out.append(table(["label", "P", "R", "F", "support"], per_label_rows(comp["per_label"])))
        if comp.get("thresholds"):
            out.append("Decision thresholds tuned on dev: " + ", ".join(
                f"`{k}` {v:.2f}" for k, v in comp["thresholds"].items()) + "\n")
        if task == "textcat":
            out.append(image(plots.per_label_f(f"{name}-per-label-f.png", f"{name}: F per label",
                                               comp["per_label"]), "F per label"))
        if comp.get("confusion"):
            out.append("Confusion matrix (rows: gold, columns: predicted"
                       + (", top-scoring label" if task == "textcat" else "") + "):\n")
            out.append(confusion_table(comp["confusion"]))
            out.append(image(plots.confusion(f"{name}-confusion.png", f"{name}: confusion",
                                             comp["confusion"]), "Confusion matrix"))
    elif task == "summarize":
        r, l3, words = comp["rouge"], comp["lead3"], comp.get("mean_words", {})
        out.append(table(["system", "ROUGE-1", "ROUGE-2", "ROUGE-L", "mean words"], [
            ["Plait summarizer", pct(r["rouge1"]), pct(r["rouge2"]), pct(r["rougeL"]),
             f"{words.get('model') or 0:.0f}"],
            ["Lead-3 baseline", pct(l3["rouge1"]), pct(l3["rouge2"]), pct(l3["rougeL"]),
             f"{words.get('lead3') or 0:.0f}"],
            ["reference", "", "", "", f"{words.get('reference') or 0:.0f}"]]))
        out.append(image(plots.rouge(f"{name}-rouge.png", f"{name}: ROUGE F vs Lead-3", r, l3),
                         "ROUGE vs Lead-3"))
    scores = comp.get("scores") or {}
    flat = {k: v for k, v in scores.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if flat:
        out.append("<details><summary>The component's own scorer on these documents</summary>\n\n"
                   + table(["score", "value"], [[k, f"{v:.4f}"] for k, v in flat.items()])
                   + "\n</details>\n")
    return "\n".join(out)


def spacy_section(path: Path) -> str:
    data = json.loads(path.read_text(encoding="utf8"))
    flat = {k: v for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    text = (f"## `spacy evaluate` on the whole test folder\n\nFrom `{path.name}`. Note: its numbers mix "
            "tasks (every document is scored by every component's scorer), so prefer the "
            "per-component sections above.\n\n")
    return text + table(["score", "value"], [[k, f"{v:.4f}" if isinstance(v, float) else v]
                                             for k, v in flat.items()])


def build_report(metrics_path: Path, output: Path, title: str, notes: List[str]) -> Path:
    data = json.loads(metrics_path.read_text(encoding="utf8"))
    plot_dir = output.parent / "plots"
    plots = Plotter(plot_dir, "plots")
    parts = [f"# {title}\n"]
    for note in notes:
        parts.append(f"> {note}\n")
    parts.append(table(["", ""], [
        ["pipeline", f"`{data['model']}` ({data.get('name')} {data.get('version')})"],
        ["components", ", ".join(f"`{c}`" for c in data["pipeline"])],
        ["test data", f"`{data['test']}`: {data['n_docs']} docs, {data['n_tokens']} tokens ("
                      + ", ".join(f"{f}: {n}" for f, n in data.get("files", {}).items()) + ")"],
        ["speed", f"{data['words_per_second']:.0f} words/s ({data['seconds']:.1f} s, all components, "
                  f"{data['machine']['platform']}, gpu_id {data['machine']['gpu_id']})"],
    ]))
    if not plots.ok:
        parts.append(f"_Plots skipped: matplotlib is not installed ({plots.error}); "
                     "`pip install matplotlib` and run the report again._\n")
    summary_rows = []
    for name, comp in data["components"].items():
        from evaluate import headline  # same folder

        summary_rows.append([f"`{name}`", comp["task"], comp["n_docs"], headline(comp)])
    parts.append("## Summary\n")
    parts.append(table(["component", "task", "test docs", "main scores (%)"], summary_rows))
    for name, comp in data["components"].items():
        parts.append(section(name, comp, plots))
    spacy_json = metrics_path.parent / "spacy-evaluate.json"
    if spacy_json.exists():
        parts.append(spacy_section(spacy_json))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(parts), encoding="utf8")
    return output


def main() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("metrics", type=Path, help="JSON from scripts/evaluate.py")
    parser.add_argument("--output", "-o", type=Path, required=True, help="Markdown file to write")
    parser.add_argument("--title", default="Plait evaluation report")
    parser.add_argument("--note", action="append", default=[], help="a note shown at the top")
    args = parser.parse_args()
    out = build_report(args.metrics, args.output, args.title, args.note)
    pngs = sorted((out.parent / "plots").glob("*.png")) if (out.parent / "plots").exists() else []
    print(f"✔ Wrote {out}" + (f" and {len(pngs)} plots in {out.parent / 'plots'}" if pngs else ""))


if __name__ == "__main__":
    main()
