"""One error catalogue (issue 29): every catalogue, the core's and each built-in plugin's, is a
:class:`plait.errors.Catalogue` whose codes are defined once, each used by some code in plait/ or
plugins/, and printed with one prefix (its code); the CLI prints a user's mistake once, as one line.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

from plait.errors import Catalogue

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "plait" / "errors.py"
PLUGIN_CATALOGUES = sorted(ROOT.glob("plugins/*/plait_*/errors.py"))
CATALOGUE_FILES = [CORE, *PLUGIN_CATALOGUES]


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _tables(path: Path) -> Iterator[Tuple[str, List[Tuple[str, int]]]]:
    """(class name, [(code, line)]) of each catalogue class in ``path``, duplicates kept."""
    for node in ast.parse(path.read_text(encoding="utf8")).body:
        if isinstance(node, ast.ClassDef) and node.name in ("Errors", "Warnings"):
            codes = [(t.id, item.lineno) for item in node.body if isinstance(item, ast.Assign)
                     for t in item.targets if isinstance(t, ast.Name)]
            yield node.name, codes


def _module(path: Path) -> str:
    return "plait.errors" if path == CORE else f"{path.parent.name}.errors"


def _sources() -> Dict[Path, str]:
    files = [p for p in sorted((ROOT / "plait").rglob("*.py")) if "scaffold/component" not in
             p.as_posix()]
    for package in sorted((ROOT / "plugins").glob("*/plait_*")):
        files += sorted(package.rglob("*.py"))
    return {p: p.read_text(encoding="utf8") for p in files}


@pytest.mark.parametrize("path", CATALOGUE_FILES, ids=_rel)
def test_every_code_is_defined_once(path):
    for cls, codes in _tables(path):
        seen: Dict[str, int] = {}
        for code, line in codes:
            assert code not in seen, (f"{_rel(path)}:{line}: {cls}.{code} is defined again (first "
                                      f"at line {seen[code]})")
            seen[code] = line


def test_code_prefixes_are_unique_across_catalogues():
    owner: Dict[str, str] = {}
    for path in CATALOGUE_FILES:
        for cls, codes in _tables(path):
            for prefix in {re.sub(r"\d+$", "", code) for code, _ in codes}:
                key = f"{prefix} ({cls})"
                assert key not in owner, f"{_rel(path)} reuses the prefix {key} of {owner[key]}"
                owner[key] = _rel(path)


@pytest.mark.parametrize("path", CATALOGUE_FILES, ids=_rel)
def test_every_code_is_used(path):
    """A code nothing raises or warns with is dead text: the scan reads every source file of
    plait/ and plugins/*/plait_* (the catalogue's own definition line excluded)."""
    sources = _sources()
    unused = []
    for cls, codes in _tables(path):
        for code, line in codes:
            pattern = re.compile(rf"\b{code}\b")
            hits = sum(len(pattern.findall(text)) for text in sources.values())
            if hits <= 1:  # the definition itself
                unused.append(f"{_rel(path)}:{line}: {cls}.{code}")
    assert not unused, "codes nothing uses: " + ", ".join(unused)


@pytest.mark.parametrize("path", CATALOGUE_FILES, ids=_rel)
def test_every_message_has_one_prefix(path):
    module = importlib.import_module(_module(path))
    for cls, codes in _tables(path):
        table = getattr(module, cls)
        for code, _ in codes:
            msg = getattr(table, code)
            assert msg.startswith(f"[{code}] "), msg
            rest = msg[len(code) + 3:]
            assert not re.match(r"\s*\[", rest), (
                f"{_module(path)}.{cls}.{code} prints two prefixes: {msg[:60]!r}")
        assert issubclass(table, Catalogue), f"{_module(path)}.{cls} is not a plait.errors.Catalogue"


def test_a_catalogue_refuses_a_message_with_its_own_prefix_or_a_stray_code():
    with pytest.raises(TypeError, match="no prefix of its own"):
        type("Errors", (Catalogue,), {"X001": "[plait_x] bad"}, prefix="X")
    with pytest.raises(TypeError, match="'X' and digits"):
        type("Errors", (Catalogue,), {"Y001": "fine"}, prefix="X")
    table = type("Errors", (Catalogue,), {"X001": "Component '{name}': bad."}, prefix="X")
    assert table.X001.format(name="c") == "[X001] Component 'c': bad."


def test_the_scaffold_writes_a_catalogue_of_the_same_shape(tmp_path):
    from plait.plugins.scaffold import new_component

    dest = Path(new_component("errcheck", tmp_path))
    found = sorted(dest.rglob("errors.py"))
    assert len(found) == 1, found
    spec = importlib.util.spec_from_file_location("_scaffolded_errors", found[0])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert issubclass(module.Errors, Catalogue)
    codes = [c for c in vars(module.Errors) if not c.startswith("_")]
    assert codes and all(getattr(module.Errors, c).startswith(f"[{c}] ") for c in codes)
    assert not any(getattr(module.Errors, c)[len(c) + 3:].startswith("[") for c in codes)


def test_the_cli_prints_an_error_once_at_its_edge(tmp_path):
    """No verb re-catches what the root group prints: ``except PlaitError`` lives in plait/cli/app.py
    only, and a user's mistake is one line on stderr with exit status 1."""
    catches = [f"{_rel(p)}:{text[:m.start()].count(chr(10)) + 1}"
               for p, text in _sources().items() if "/plait/cli/" in p.as_posix()
               and p.name != "app.py" for m in re.finditer(r"except\s+\(?[\w, ]*PlaitError", text)]
    assert not catches, "re-caught below the CLI's edge: " + ", ".join(catches)
    from typer.testing import CliRunner

    from plait.cli.app import build_app

    spec = tmp_path / "spec.yml"
    spec.write_text("components: 3\n", encoding="utf8")
    result = CliRunner().invoke(build_app(), ["compose", str(spec), "-o", str(tmp_path / "x.cfg")])
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("✘ [E0"), result.stderr
    assert "Traceback" not in result.output + result.stderr
