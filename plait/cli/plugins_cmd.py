"""``plait plugins``: what is installed, what each plugin provides, and what failed."""
from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    @app.command("plugins")
    def plugins(as_json: bool = typer.Option(False, "--json", help="Print JSON (docs/plugins.md).")
                ) -> None:
        """List plugins, their versions, what each provides, and failures (each plugin's spaCy
        entry points are imported in a child process). Exits 1 when any plugin failed."""
        from plait.plugins.registry import get_registry

        registry = get_registry()
        registry.check_spacy()
        report = registry.report()
        if as_json:
            typer.echo(json.dumps(report, indent=2))
            if report["failures"]:
                raise typer.Exit(1)
            return
        for p in report["plugins"]:
            state = "ok" if p["ok"] else "FAILED"
            typer.echo(f"{p['name']:<14} {p['distribution']} {p['version']}  [{state}]")
            for kind, names in sorted(p["provides"].items()):
                typer.echo(f"    {kind}: {', '.join(names)}")
        for name, why in report["skipped"].items():
            typer.echo(f"{name:<14} skipped ({why})")
        if report["failures"]:
            typer.echo("\nFailures:")
            for f in report["failures"]:
                typer.echo(f"  {f['plugin']} ({f['distribution']} {f['version']}), {f['stage']}: "
                           f"{f['error']}")
            raise typer.Exit(1)
