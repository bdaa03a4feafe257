"""``plait data import`` and ``plait data stats``: the user's own labelled files as spaCy corpora."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    data = typer.Typer(name="data", no_args_is_help=True,
                       help="Import your own labelled files as training data, and inspect them.")
    app.add_typer(data, name="data")

    @data.command("import")
    def import_cmd(
        inputs: Optional[List[Path]] = typer.Argument(
            None, help="Files or folders, split by --split (seeded, label-stratified)"),
        output: Path = typer.Option(..., "-o", "--output", help="Data folder to write"),
        task: Optional[str] = typer.Option(None, "--task", help="Task of the component the data "
                                           "is for (see `plait plugins`)"),
        component: Optional[str] = typer.Option(None, "--component",
                                                help="Name the component instead of the task"),
        fmt: Optional[str] = typer.Option(None, "--format", help="text|jsonl|csv|tsv|parquet|"
                                          "spacy|tokens|json|xlsx|prodigy|labelstudio|brat|"
                                          "conllu|spacy-json (default: from each file's "
                                          "name/content)"),
        text_field: Optional[str] = typer.Option(None, "--text-field", help="default: text"),
        delimiter: Optional[str] = typer.Option(None, "--delimiter", help="CSV/TSV field "
                                                "separator (tab or \\t for a tab; default: the "
                                                "format's, else sniffed among , ; tab |)"),
        sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel .xlsx: the worksheet "
                                            "to read (default: the first)"),
        encoding: Optional[str] = typer.Option(None, "--encoding", help="Text encoding of the "
                                               "files, e.g. cp1252, latin-1 (default: UTF-8, a "
                                               "BOM dropped; UTF-16 by its BOM)"),
        label_field: Optional[str] = typer.Option(None, "--label-field",
                                                  help="Field with a label, a list of labels or a "
                                                  "{label: 0/1} mapping"),
        spans_field: Optional[str] = typer.Option(None, "--spans-field", help="Field with "
                                                  "character-offset spans"),
        target_field: Optional[str] = typer.Option(None, "--target-field", "--summary-field",
                                                   help="Field with the target text of components "
                                                   "trained from (text, target) pairs"),
        scheme: str = typer.Option("auto", "--scheme", help="Tags of token files: auto|iob1|"
                                   "iob2|biluo"),
        align: str = typer.Option("strict", "--align", help="A span off token boundaries: strict "
                                  "(reject)|contract|expand"),
        sentences_per_doc: int = typer.Option(1, "--sentences-per-doc", min=1,
                                              help="Token files: sentences per doc"),
        train: List[Path] = typer.Option([], "--train", help="Kept as the train split"),
        dev: List[Path] = typer.Option([], "--dev", help="Kept as the dev split"),
        test: List[Path] = typer.Option([], "--test", help="Kept as the test split"),
        split: str = typer.Option("80/10/10", "--split", help="train/dev/test shares"),
        seed: int = typer.Option(0, "--seed"),
        lang: str = typer.Option("en", "--lang", help="spaCy language of the tokenizer"),
        shard_size: int = typer.Option(1000, "--shard-size", min=1, help="Docs per .spacy file"),
        force: bool = typer.Option(False, "--force", help="Replace an existing data folder"),
    ) -> None:
        """Import labelled files -> OUTPUT/{train,dev,test}/*.spacy, meta.json, rejects.jsonl."""
        from plait.data.importer import import_data
        from plait.errors import DataError, Errors

        fields = [f for f in (label_field, spans_field, target_field) if f]
        if not task and not component:
            raise DataError(Errors.E105.format(task="(none given: pass --task)",
                                               known=_tasks()))
        report = import_data(inputs or [], output, task=task or "", component=component,
                             fmt=fmt, text_field=text_field,
                             gold_field=fields[0] if fields else None, scheme=scheme,
                             align=align, sentences_per_doc=sentences_per_doc, train=train,
                             dev=dev, test=test, split=split, seed=seed, lang=lang,
                             shard_size=shard_size, force=force, delimiter=delimiter,
                             encoding=encoding, sheet=sheet,
                             progress=sys.stderr.isatty())
        for line in report.lines():
            typer.echo(line)
        if report.rejected:
            typer.echo(f"⚠ {report.rejected} record(s) rejected: each one, with file, line and "
                       f"reason, is in {output / 'rejects.jsonl'}")
        typer.echo(f"✔ Wrote {output} (task {report.meta['task']}, component "
                   f"{report.meta['component']})")

    @data.command("stats")
    def stats_cmd(
        folder: Path = typer.Argument(..., help="A data folder written by `plait data import`"),
        as_json: bool = typer.Option(False, "--json", help="Print JSON"),
        min_examples: int = typer.Option(10, "--min-examples",
                                         help="Warn about labels with fewer training examples"),
    ) -> None:
        """Per split: docs, words, labels, text lengths, span lengths; warnings."""
        from plait.data.stats import data_stats, stats_lines

        stats = data_stats(folder, min_examples=min_examples)
        if as_json:
            typer.echo(json.dumps(stats, indent=2, ensure_ascii=False))
        else:
            typer.echo("\n".join(stats_lines(stats)))


def _tasks() -> str:
    from plait.plugins.registry import get_registry

    return ", ".join(sorted({i.task for i in get_registry().components().values()
                             if i.gold is not None})) or "none"
