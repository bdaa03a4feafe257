"""``plait evaluate``: every component's own scores on a test split, as JSON and a Markdown report."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate(
        model: str = typer.Argument(..., help="A trained pipeline folder or installed package name"),
        data: Path = typer.Argument(..., help="Test split: a .spacy file or a folder of them"),
        output: Optional[Path] = typer.Option(None, "--output", "-o",
                                              help="Write the metrics JSON here"),
        report: Optional[Path] = typer.Option(None, "--report",
                                              help="Write a Markdown report (plots beside it)"),
        gpu_id: int = typer.Option(-1, "--gpu-id", help="GPU to run on (-1: CPU)"),
        batch_size: int = typer.Option(32, "--batch-size"),
        limit: int = typer.Option(0, "--limit", help="Evaluate the first N docs only (0: all)"),
        silver: List[str] = typer.Option([], "--silver", metavar="TASK",
                                         help="Mark a task's (or pipe's) gold as silver "
                                              "(machine-labelled); repeatable"),
        title: str = typer.Option("Plait evaluation report", "--title", help="Report title"),
        note: List[str] = typer.Option([], "--note", help="A note at the top of the report"),
        spacy_json: Optional[Path] = typer.Option(
            None, "--spacy-json", help="A `spacy evaluate` JSON to include in the report "
                                       "(default: spacy-evaluate.json beside --output)"),
        window: Optional[int] = typer.Option(
            None, "--window", help="Run the shared transformer with windows of this many "
                                   "tokens instead of the trained ones"),
        stride: Optional[int] = typer.Option(
            None, "--stride", help="With --window: the stride (default: the window, no overlap)"),
    ) -> None:
        """Score every component with its own scorer on a DocBin test split (a .spacy file or a
        folder of them): metrics JSON (--output), Markdown report with plots (--report)."""
        from plait.evaluation import component_infos, evaluate as run, headline, write_metrics

        metrics = run(model, data, gpu_id=gpu_id, batch_size=batch_size, limit=limit,
                      silver=silver, progress=lambda msg: typer.echo(msg), window=window,
                      stride=stride)
        infos = component_infos(metrics)
        for name, entry in metrics["components"].items():
            typer.echo(f"  {name}: {headline(entry, infos.get(name))}")
        if output is not None:
            write_metrics(metrics, output)
            wps = metrics["words_per_second"]
            typer.echo(f"✔ Wrote {output} ({metrics['n_docs']} docs in "
                       f"{metrics['seconds']:.1f}s" + (f", {wps:.0f} words/s)" if wps else ")"))
        if report is not None:
            from plait.evaluation.report import build_report

            sj = spacy_json
            if sj is None and output is not None:
                sj = output.parent / "spacy-evaluate.json"
            out = build_report(metrics, report, title=title, notes=note, spacy_json=sj)
            plots = sorted((out.parent / "plots").glob("*.png")) \
                if (out.parent / "plots").exists() else []
            typer.echo(f"✔ Wrote {out}" + (f" and {len(plots)} plots in {out.parent / 'plots'}"
                                            if plots else ""))

    @app.command("report")
    def report_cmd(
        metrics: Path = typer.Argument(..., help="Metrics JSON from `plait evaluate --output`"),
        output: Path = typer.Option(..., "--output", "-o", help="Markdown file to write"),
        title: str = typer.Option("Plait evaluation report", "--title"),
        note: List[str] = typer.Option([], "--note", help="A note at the top of the report"),
    ) -> None:
        """Write the Markdown report (with plots) of a metrics JSON written earlier."""
        from plait.evaluation.report import build_report

        out = build_report(metrics, output, title=title, notes=note)
        plots = sorted((out.parent / "plots").glob("*.png")) if (out.parent / "plots").exists() \
            else []
        typer.echo(f"✔ Wrote {out}" + (f" and {len(plots)} plots in {out.parent / 'plots'}"
                                        if plots else ""))
