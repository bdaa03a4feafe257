"""The docs cannot name a command, a flag or a file that does not exist.

Every ``plait ...`` / ``python -m plait ...`` line in a fenced code block of README.md and docs/*.md is
walked down the CLI to its subcommand, whose ``--help`` must exit 0 and show every ``--flag`` the line
uses; every ``python -m spacy project run X`` must name a command or workflow of project.yml; every
relative Markdown link must point at a file that exists (and, for a ``#anchor`` into a Markdown file,
at one of its headings). The CLI runs in process (typer's CliRunner), once per distinct subcommand.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
import srsly
import typer
from click.testing import CliRunner

from plait.cli.app import build_app

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "benchmarks" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^\s*```")
PREFIXES = (("python", "-m", "plait"), ("plait",))
# `plait train` passes `--section.key value` on to spaCy's config, so dotted flags are not its own
DOTTED_OVERRIDES = {("train",)}


def _code_lines(text: str) -> Iterator[Tuple[int, str]]:
    """(line number, logical line) of every line inside a fenced block, continuations joined."""
    inside, pending, start = False, "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            inside, pending = not inside, ""
            continue
        if not inside:
            continue
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        yield start, pending + line
        pending = ""


def _strip_comment(line: str) -> str:
    return re.split(r"\s#\s?", " " + line, maxsplit=1)[0].strip()


def commands_in(path: Path) -> List[Tuple[str, List[str]]]:
    """Every plait command line shown in ``path``'s code blocks, as (where, argv after 'plait')."""
    found = []
    for number, raw in _code_lines(path.read_text(encoding="utf-8")):
        line = _strip_comment(raw)
        for chunk in re.split(r"\s*(?:&&|\|\||;|\|)\s*", line):
            try:
                words = shlex.split(chunk)
            except ValueError:
                continue
            while words and "=" in words[0] and not words[0].startswith("-"):
                words = words[1:]  # VAR=value prefixes
            for prefix in PREFIXES:
                if tuple(words[:len(prefix)]) == prefix:
                    found.append((f"{path.relative_to(ROOT)}:{number}", words[len(prefix):]))
                    break
    return found


def project_runs_in(path: Path) -> List[Tuple[str, str]]:
    found = []
    for number, raw in _code_lines(path.read_text(encoding="utf-8")):
        words = _strip_comment(raw).split()
        if words[:5] == ["python", "-m", "spacy", "project", "run"] and len(words) > 5:
            found.append((f"{path.relative_to(ROOT)}:{number}", words[5]))
    return found


@pytest.fixture(scope="module")
def cli():
    command = typer.main.get_command(build_app())
    runner = CliRunner()
    helps: Dict[Tuple[str, ...], str] = {}

    def resolve(argv: List[str]) -> Tuple[Tuple[str, ...], List[str], str]:
        """The subcommand path ``argv`` names, the flags it uses, and that subcommand's --help."""
        node, path = command, []
        rest = list(argv)
        while rest and hasattr(node, "commands") and not rest[0].startswith("-"):
            name = rest.pop(0)
            sub = node.commands.get(name)
            if sub is None:
                raise AssertionError(f"'plait {' '.join(path + [name])}': no such command "
                                     f"(known: {', '.join(sorted(node.commands))})")
            node, path = sub, path + [name]
        key = tuple(path)
        if key not in helps:
            result = runner.invoke(command, [*path, "--help"], prog_name="plait",
                                   env={"COLUMNS": "250", "TERMINAL_WIDTH": "250"})
            assert result.exit_code == 0, f"plait {' '.join(path)} --help: {result.output}"
            helps[key] = result.output
        flags = [w.split("=", 1)[0] for w in rest if w.startswith("--") and len(w) > 2]
        return key, flags, helps[key]

    return resolve


def _all_commands() -> List[Tuple[str, List[str]]]:
    return [c for doc in DOCS for c in commands_in(doc)]


def test_the_docs_show_commands():
    where = {w.split(":")[0] for w, _ in _all_commands()}
    assert "README.md" in where and len(_all_commands()) > 20


@pytest.mark.parametrize("where,argv", _all_commands(), ids=lambda v: v if isinstance(v, str) else None)
def test_every_shown_command_and_flag_exists(cli, where, argv):
    key, flags, help_text = cli(argv)
    for flag in flags:
        if key in DOTTED_OVERRIDES and "." in flag:
            continue
        assert re.search(re.escape(flag) + r"(?![\w-])", help_text), (
            f"{where}: 'plait {' '.join(argv)}' uses {flag}, which 'plait {' '.join(key)} --help' "
            f"does not list")


def test_a_wrong_command_or_flag_is_caught(cli, tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("```bash\nplait run M IN -o OUT --no-such-flag\nplait nosuch thing\n```\n", encoding="utf-8")
    (_, run_argv), (_, bad_argv) = [(w, a) for w, a in
                                    [(w, a) for w, a in _cmds_outside_root(doc)]]
    key, flags, help_text = cli(run_argv)
    assert key == ("run",) and "--no-such-flag" in flags and "--no-such-flag" not in help_text
    with pytest.raises(AssertionError, match="no such command"):
        cli(bad_argv)


def _cmds_outside_root(path: Path) -> List[Tuple[str, List[str]]]:
    found = []
    for number, raw in _code_lines(path.read_text(encoding="utf-8")):
        words = shlex.split(_strip_comment(raw))
        if words[:1] == ["plait"]:
            found.append((str(number), words[1:]))
    return found


def test_every_project_run_names_a_command_or_workflow():
    project = srsly.read_yaml(ROOT / "project.yml")
    known = {c["name"] for c in project.get("commands", [])} | set(project.get("workflows", {}))
    runs = [r for doc in DOCS for r in project_runs_in(doc)]
    assert runs
    bad = [f"{where}: {name}" for where, name in runs if name not in known]
    assert not bad, f"not in project.yml: {bad}"


LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def _anchors(path: Path) -> set:
    return {_slug(line.lstrip("#")) for line in path.read_text(encoding="utf-8").splitlines()
            if re.match(r"^#{1,6} ", line)}


def test_every_relative_link_points_at_a_file_and_heading():
    bad = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in LINK.finditer(text):
            target = match.group(1) or match.group(2)
            if re.match(r"^[a-z]+:", target):
                continue  # http:, https:, mailto:
            file_part, _, anchor = target.partition("#")
            dest = (doc.parent / file_part).resolve() if file_part else doc
            if not dest.exists():
                bad.append(f"{doc.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                bad.append(f"{doc.relative_to(ROOT)}: {target} (no such heading)")
    assert not bad, "\n".join(bad)


def _declared_entry_points() -> Dict[Tuple[str, str], str]:
    import tomllib

    declared = {}
    for pyproject in [ROOT / "pyproject.toml", *sorted(ROOT.glob("plugins/*/pyproject.toml")),
                      *sorted(ROOT.glob("examples/*/pyproject.toml"))]:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        for group, entries in project.get("entry-points", {}).items():
            for name, value in entries.items():
                declared[(group, name)] = value
    return declared


def test_entry_points_in_the_docs_are_the_declared_ones():
    """An entry point the docs show for a name this repository declares is shown as declared."""
    declared = _declared_entry_points()
    section = re.compile(r"^\s*#?\s*\[project\.entry-points\.([\w.-]+)\]")
    entry = re.compile(r'^\s*#?\s*"?([\w.-]+)"?\s*=\s*"([\w.]+(?::[\w.]+)?)"')
    bad, checked = [], 0
    for doc in DOCS:
        group = None
        for number, line in _code_lines(doc.read_text(encoding="utf-8")):
            if section.match(line):
                group = section.match(line).group(1)
                continue
            match = entry.match(line)
            if group and match and (group, match.group(1)) in declared:
                checked += 1
                if declared[(group, match.group(1))] != match.group(2):
                    bad.append(f"{doc.relative_to(ROOT)}:{number}: [{group}] {match.group(1)} = "
                               f"{match.group(2)!r}, declared {declared[(group, match.group(1))]!r}")
    assert checked, "no entry point of this repository is shown in the docs"
    assert not bad, "\n".join(bad)


def test_module_paths_in_the_docs_exist():
    """A `plait/...` or `plugins/...` file path the docs cite in backticks exists."""
    path_re = re.compile(r"`((?:plait|plugins|scripts|benchmarks|examples|pipeline)/[\w./-]+\.(?:py|yml|toml|md))`")
    bad = []
    for doc in DOCS:
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            for match in path_re.finditer(line):
                if re.search(r"[A-Z]{3,}", match.group(1)):
                    continue  # a placeholder: pipeline/NAME.yml
                if not (ROOT / match.group(1)).exists():
                    bad.append(f"{doc.relative_to(ROOT)}:{number}: {match.group(1)}")
    assert not bad, "\n".join(bad)


def test_benchmark_tables_are_the_generated_ones():
    """benchmarks/README.md's tables are what benchmarks/tables.py renders from the results JSON."""
    from benchmarks import tables

    text = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    block = text.split(tables.START, 1)[1].split(tables.END, 1)[0]
    assert block.strip() == tables.render().strip(), \
        "run: python benchmarks/tables.py --readme benchmarks/README.md"
    assert "AMD EPYC" in block and "Intel(R) Xeon(R)" in block  # every table names its CPU


def test_runner_docs_list_the_generated_result_fields_and_columns(tmp_path):
    """docs/runner.md's result fields, CSV/Parquet and text columns are what `python -m
    plait.io.results --docs` generates from the installed contracts of the built-in plugins."""
    import os
    import subprocess
    import sys

    from plaittest import BUILTIN_PLUGINS

    doc = ROOT / "docs" / "runner.md"
    copy = tmp_path / "runner.md"
    copy.write_text(doc.read_text(encoding="utf8"), encoding="utf8")
    proc = subprocess.run([sys.executable, "-m", "plait.io.results", "--docs", str(copy)],
                          capture_output=True, text=True,
                          env={**os.environ, "PLAIT_LOAD_PLUGINS": BUILTIN_PLUGINS})
    assert proc.returncode == 0, proc.stderr
    assert copy.read_text(encoding="utf8") == doc.read_text(encoding="utf8"), (
        f"docs/runner.md is stale: PLAIT_LOAD_PLUGINS={BUILTIN_PLUGINS} "
        "python -m plait.io.results --docs docs/runner.md")
    (tmp_path / "plain.md").write_text("# no block\n", encoding="utf8")
    proc = subprocess.run([sys.executable, "-m", "plait.io.results", "--docs",
                           str(tmp_path / "plain.md")], capture_output=True, text=True)
    assert proc.returncode == 1 and "result-fields:start" in proc.stderr
