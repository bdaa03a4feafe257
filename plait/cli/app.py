"""Root typer app. Core verbs live in sibling modules; plugins add theirs via ``register_commands``."""
from __future__ import annotations

import typer
from typer.core import TyperGroup

from plait.cli import (compose_cmd, curve_cmd, data_cmd, distill_cmd, doctor_cmd, encoders_cmd,
                       evaluate_cmd, init_cmd, new_cmd, plugins_cmd, pretrain_cmd, train_cmd)

CORE_MODULES = (plugins_cmd, compose_cmd, encoders_cmd, doctor_cmd, new_cmd, data_cmd, init_cmd,
                train_cmd, evaluate_cmd, curve_cmd, pretrain_cmd, distill_cmd)
OPTIONAL_MODULES = ("plait.cli.run_cmd", "plait.cli.serve_cmd")


def _fail(exc: Exception) -> None:
    """The CLI's one edge: a coded error Plait or a plugin raised on purpose is one line, exit 1."""
    typer.echo(f"✘ {exc}", err=True)
    raise typer.Exit(1)


class _Edge(TyperGroup):
    """The root command group: every subcommand runs inside it, so its errors are printed here once."""

    def invoke(self, ctx):
        from plait.errors import PlaitError

        try:
            return super().invoke(ctx)
        except PlaitError as exc:  # every error Plait or a built-in plugin raises on purpose
            _fail(exc)


def build_app() -> typer.Typer:
    app = typer.Typer(name="plait", cls=_Edge, no_args_is_help=True, add_completion=False,
                      help="Plait: plugin-based NLP pipelines on spaCy.")
    for module in CORE_MODULES:
        module.register(app)
    import importlib

    for name in OPTIONAL_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app)
    from plait.plugins.registry import get_registry

    get_registry().add_commands(app)
    return app


class _LazyApp:
    """The app is built on first use so that importing ``plait.cli`` loads no plugin."""

    _app = None

    def __getattr__(self, item):
        if _LazyApp._app is None:
            _LazyApp._app = build_app()
        return getattr(_LazyApp._app, item)

    def __call__(self, *args, **kwargs):
        if _LazyApp._app is None:
            _LazyApp._app = build_app()
        return _LazyApp._app(*args, **kwargs)


app = _LazyApp()


def main() -> None:
    from plait.errors import PlaitError

    try:
        app = build_app()  # loading plugins' commands can fail before any command runs
    except PlaitError as exc:
        try:
            _fail(exc)
        except typer.Exit as done:
            raise SystemExit(done.exit_code)
    app(prog_name="plait")
