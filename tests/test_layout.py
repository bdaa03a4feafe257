"""The package's shape: few top-level modules, unique module names, no import circle.

A newcomer finds where a thing lives from the tree alone only while these hold (see the layout in
docs/architecture.md)."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Set

PKG = Path(__file__).resolve().parents[1] / "plait"
TOP_LEVEL_LIMIT = 8


def _modules() -> Dict[str, Path]:
    mods = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


def _imports(path: Path, mods: Dict[str, Path]) -> Set[str]:
    """Plait modules ``path`` imports, anywhere in the file (a function-level import is a circle
    too, only a later one); ``if TYPE_CHECKING:`` blocks aside."""
    tree = ast.parse(path.read_text())
    skip: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    found: Set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        names: List[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                here = path.relative_to(PKG.parent).with_suffix("").parts
                base = list(here[:-1])[: len(here) - node.level]
                module = ".".join(base + ([module] if module else []))
            names = [module] + [f"{module}.{a.name}" for a in node.names]
        for name in names:
            if name in mods:
                found.add(name)
    return found


def test_few_top_level_modules():
    top = sorted(p.name for p in PKG.glob("*.py"))
    assert len(top) <= TOP_LEVEL_LIMIT, top


def test_module_names_unique():
    seen = defaultdict(list)
    for path in PKG.rglob("*.py"):
        if path.name != "__init__.py":
            seen[path.stem].append(str(path.relative_to(PKG)))
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}


def test_no_import_circle():
    mods = _modules()
    graph = {m: {d for d in _imports(p, mods) if d != m and not m.startswith(d + ".")}
             for m, p in mods.items()}
    # a package's __init__ importing its own submodules is not a circle through that package
    for m in graph:
        graph[m] = {d for d in graph[m] if not (mods[d].name == "__init__.py" and m.startswith(d + "."))}
    cycles: List[List[str]] = []
    state: Dict[str, int] = {}
    stack: List[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)
