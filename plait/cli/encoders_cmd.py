"""``plait encoders``: list named encoders; ``plait encoders add NAME DIR`` registers a local folder."""
from __future__ import annotations

from pathlib import Path

import typer


def _list() -> None:
    from plait.training.encoders import resolve_encoder
    from plait.plugins.registry import get_registry

    for name, info in sorted(get_registry().encoders().items()):
        try:
            where = str(resolve_encoder(name))
        except Exception as exc:  # report, don't stop
            where = f"unavailable: {exc}"
        typer.echo(f"{name:<14} {info.description}\n{'':<14} {where}")


def register(app: typer.Typer) -> None:
    group = typer.Typer(name="encoders", invoke_without_command=True, no_args_is_help=False,
                        help="Named encoders: list them, register local folders.")

    @group.callback()
    def encoders(ctx: typer.Context) -> None:
        """List named encoders and where they resolve (`add`/`remove` manage local ones)."""
        if ctx.invoked_subcommand is None:
            _list()

    @group.command("list")
    def list_encoders() -> None:
        """List named encoders and where they resolve."""
        _list()

    @group.command("add")
    def add(name: str = typer.Argument(..., help="Name specs will use (`encoder: NAME`)"),
            folder: Path = typer.Argument(..., help="A Hugging Face encoder folder, e.g. the "
                                          "output of `plait pretrain`"),
            description: str = typer.Option("", "--description")) -> None:
        """Register a local encoder folder under a name (kept in $PLAIT_HOME/encoders.json)."""
        from plait.training.encoders import add_local_encoder, local_encoders_file

        path = add_local_encoder(name, folder, description)
        typer.echo(f"✔ Encoder '{name}' -> {path} (in {local_encoders_file()})")

    @group.command("remove")
    def remove(name: str = typer.Argument(...)) -> None:
        """Forget a local encoder registered with `add` (its folder is left alone)."""
        from plait.training.encoders import remove_local_encoder

        if not remove_local_encoder(name):
            typer.echo(f"✘ No local encoder named '{name}'", err=True)
            raise typer.Exit(1)
        typer.echo(f"✔ Forgot local encoder '{name}'")

    app.add_typer(group)
