"""A Markdown report with plots from ``plait evaluate``'s metrics, assembled from per-component sections.

A component's plugin may declare its section (``EvaluationInfo.report(name, entry, plots)``); a
component without one gets a table of its scorer's numbers. Plots (PNG under ``plots/`` beside the
report) need matplotlib (``pip install matplotlib``); without it the report has the same tables and
says the plots were skipped. A ``spacy-evaluate.json`` beside the metrics file (from
``spacy evaluate``) is summarized at the end.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

from plait.errors import Errors, PlaitValueError
from plait.evaluation import component_infos, headline

PathLike = Union[str, Path]


def pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


def pctp(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def table(header: List[str], rows: List[List[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def image(path: Optional[str], alt: str) -> str:
    return f"![{alt}]({path})\n\n" if path else ""


def per_label_rows(per_label: Dict[str, Dict[str, Any]],
                   support: Optional[Dict[str, Any]] = None) -> List[List[Any]]:
    """``label | P | R | F | support`` rows of ``{label: {p, r, f[, support]}}``."""
    support = support or {}
    return [[lab, pct(v.get("p")), pct(v.get("r")), pct(v.get("f")),
             v.get("support", support.get(lab, ""))] for lab, v in per_label.items()]


def confusion_table(conf: Dict[str, Any]) -> str:
    labels = conf["labels"]
    rows = [[f"**{g}**"] + row for g, row in zip(labels, conf["matrix"])]
    return table(["gold \\ predicted"] + labels, rows)


def confusion_section(name: str, entry: Dict[str, Any], plots: "Plots",
                      columns: str = "predicted") -> List[str]:
    """The report parts of ``entry["confusion"]`` (a caption, the table, its image); none without
    one. ``columns`` names what the columns count (``"predicted"``, or e.g. the decided label)."""
    conf = entry.get("confusion")
    if not conf:
        return []
    return [f"Confusion matrix (rows: gold, columns: {columns}):\n", confusion_table(conf),
            image(plots.confusion(f"{name}-confusion.png", f"{name}: confusion", conf),
                  "Confusion matrix")]


class Plots:
    """Writes PNGs under ``folder``; every method returns the path relative to the report, or None
    when plotting is unavailable (no matplotlib) or there is nothing to plot."""

    def __init__(self, folder: Path, rel: str) -> None:
        self.folder, self.rel = folder, rel
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            self.plt: Any = plt
            self.error: Optional[str] = None
        except ImportError as exc:
            self.plt = None
            self.error = str(exc)

    @property
    def ok(self) -> bool:
        return self.plt is not None

    def _save(self, fig: Any, name: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        fig.tight_layout()
        fig.savefig(self.folder / name, dpi=110)
        self.plt.close(fig)
        return f"{self.rel}/{name}"

    def confusion(self, name: str, title: str, conf: Optional[Dict[str, Any]]) -> Optional[str]:
        """A confusion matrix ``{labels, matrix}`` (rows gold), shaded by share of the gold row."""
        if not self.ok or not conf or not conf.get("labels"):
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

    def per_label_f(self, name: str, title: str,
                    per_label: Optional[Dict[str, Dict[str, float]]]) -> Optional[str]:
        """Bars of F per label."""
        if not self.ok or not per_label:
            return None
        labels = list(per_label)
        fig, ax = self.plt.subplots(figsize=(max(4.0, 0.5 * len(labels) + 2), 3.4))
        ax.bar(range(len(labels)), [100 * (per_label[lab].get("f") or 0.0) for lab in labels],
               color="#4c72b0")
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        ax.set_ylim(0, 100)
        ax.set_ylabel("F (%)")
        ax.set_title(title)
        return self._save(fig, name)

    def reliability(self, name: str, title: str, cal: Optional[Dict[str, Any]],
                    xlabel: str = "confidence", ylabel: str = "correct") -> Optional[str]:
        """A reliability diagram of ``{bins: [{lo, hi, n, mean_confidence, accuracy}], ece}``."""
        if not self.ok or not cal or not cal.get("n"):
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
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title} (ECE {pctp(cal.get('ece'))})")
        ax.legend(loc="upper left", fontsize=8)
        ax2.bar([b["lo"] for b in bins], [b["n"] for b in bins], width=width, align="edge",
                edgecolor="black", color="#8172b2")
        ax2.set_xlabel(xlabel)
        ax2.set_ylabel("count")
        return self._save(fig, name)

    def grouped_bars(self, name: str, title: str, groups: Dict[str, Dict[str, Optional[float]]],
                     ylabel: str = "F (%)") -> Optional[str]:
        """Bars per metric, one series per system: ``{system: {metric: value in [0, 1]}}``."""
        if not self.ok or not groups or any(v is None for g in groups.values() for v in g.values()):
            return None
        metrics = list(next(iter(groups.values())))
        n = len(groups)
        width = 0.8 / n
        fig, ax = self.plt.subplots(figsize=(4.6, 3.4))
        for i, (system, values) in enumerate(groups.items()):
            ax.bar([x - 0.4 + width * (i + 0.5) for x in range(len(metrics))],
                   [100 * (values.get(m) or 0.0) for m in metrics], width=width, label=system)
        ax.set_xticks(list(range(len(metrics))), metrics)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend()
        return self._save(fig, name)


def generic_section(name: str, entry: Dict[str, Any], plots: Plots) -> str:
    """A component without a report section of its own: its scorer's numbers."""
    scores = entry.get("scores") or {}
    flat = {k: v for k, v in scores.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    out = []
    if "error" in scores:
        out.append(f"The scorer failed: `{scores['error']}`\n")
    if flat:
        out.append(table(["score", "value"], [[k, f"{v:.4f}" if isinstance(v, float) else v]
                                              for k, v in flat.items()]))
    for key, value in scores.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            if all({"p", "r", "f"} <= set(v) for v in value.values()):
                out.append(f"`{key}`:\n")
                out.append(table(["label", "P", "R", "F", "support"], per_label_rows(value)))
    return "\n".join(out) or "The component's scorer returned no scores.\n"


def _details(entry: Dict[str, Any]) -> str:
    scores = entry.get("scores") or {}
    flat = {k: v for k, v in scores.items() if isinstance(v, float)}
    if not flat:
        return ""
    return ("<details><summary>The component's own scorer on these documents</summary>\n\n"
            + table(["score", "value"], [[k, f"{v:.4f}"] for k, v in flat.items()])
            + "\n</details>\n")


def section(name: str, entry: Dict[str, Any], info: Any, plots: Plots) -> str:
    out = [f"## `{name}` ({entry.get('task')}, {entry.get('n_docs')} test docs)\n"]
    if entry.get("silver"):
        out.append("> **Silver data**: the gold of this component's corpus was produced by another "
                   "model, not by people. Scores measure agreement with that model.\n")
    if not entry.get("n_docs"):
        out.append("No test document carries gold for this component.\n")
        return "\n".join(out)
    evaluation = getattr(info, "evaluation", None)
    body = None
    if evaluation is not None and evaluation.report is not None:
        try:
            body = evaluation.report(name, entry, plots)
        except Exception as exc:  # the plugin's section failed: the scores are still shown
            out.append(f"_The component's report section failed ({type(exc).__name__}: {exc}); "
                       "its scores follow._\n")
    if body is None:
        out.append(generic_section(name, entry, plots))
    else:
        out.append(body)
        out.append(_details(entry))
    return "\n".join(out)


def spacy_section(path: Path) -> str:
    data = json.loads(path.read_text(encoding="utf8"))
    flat = {k: v for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    text = (f"## `spacy evaluate` on the whole test folder\n\nFrom `{path.name}`. Note: its numbers mix "
            "tasks (every document is scored by every component's scorer), so prefer the "
            "per-component sections above.\n\n")
    return text + table(["score", "value"], [[k, f"{v:.4f}" if isinstance(v, float) else v]
                                             for k, v in flat.items()])


def load_metrics(path: PathLike) -> Dict[str, Any]:
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except (OSError, ValueError) as exc:
        raise PlaitValueError(Errors.E054.format(path=path, error=exc)) from None


def build_report(metrics: Union[Dict[str, Any], PathLike], output: PathLike,
                 title: str = "Plait evaluation report", notes: Sequence[str] = (),
                 spacy_json: Optional[PathLike] = None) -> Path:
    """Write the Markdown report (and its plots under ``plots/`` beside it)."""
    metrics_path = None
    if not isinstance(metrics, dict):
        metrics_path = Path(metrics)
        metrics = load_metrics(metrics_path)
    output = Path(output)
    plots = Plots(output.parent / "plots", "plots")
    data = metrics
    infos = component_infos(data)
    parts = [f"# {title}\n"]
    parts.extend(f"> {note}\n" for note in notes)
    wps = data.get("words_per_second")
    parts.append(table(["", ""], [
        ["pipeline", f"`{data['model']}` ({data.get('name')} {data.get('version')})"],
        ["components", ", ".join(f"`{c}`" for c in data["pipeline"])],
        ["test data", f"`{data['test']}`: {data['n_docs']} docs, {data['n_tokens']} tokens ("
                      + ", ".join(f"{f}: {n}" for f, n in data.get("files", {}).items()) + ")"],
        ["speed", (f"{wps:.0f} words/s" if wps else "n/a")
                  + f" ({data['seconds']:.1f} s, all components, "
                  f"{data['machine']['platform']}, gpu_id {data['machine']['gpu_id']})"],
    ]))
    if not plots.ok:
        parts.append(f"_Plots skipped: matplotlib is not installed ({plots.error}); "
                     "`pip install matplotlib` and run the report again._\n")
    rows = [[f"`{name}`", entry.get("task"), entry.get("n_docs"), headline(entry, infos.get(name))]
            for name, entry in data["components"].items()]
    parts.append("## Summary\n")
    parts.append(table(["component", "task", "test docs", "main scores (%)"], rows))
    for name, entry in data["components"].items():
        parts.append(section(name, entry, infos.get(name), plots))
    if spacy_json is None and metrics_path is not None:
        spacy_json = metrics_path.parent / "spacy-evaluate.json"
    if spacy_json is not None and Path(spacy_json).exists():
        parts.append(spacy_section(Path(spacy_json)))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(parts), encoding="utf8")
    return output
