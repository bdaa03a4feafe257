"""``plait new component NAME``: write a complete plugin distribution from the templates beside this
module (``component/``), ready to ``pip install``, test, compose, train and run untouched.

One template tree serves every kind of component (:data:`KINDS`): ``doc`` (one label per document,
like spaCy's ``textcat``), ``span`` (labelled spans, like ``ner``/``spancat``) and ``token`` (one label
per token, like ``tagger``). Placeholders: ``{{name}}`` (component and output field), ``{{module}}``
(Python package), ``{{dist}}`` (distribution), ``{{Class}}`` (component class), ``{{NAME}}`` (error
prefix), ``{{kind}}``, ``{{labels}}`` (the labels as a JSON list, valid Python and YAML too),
``{{plait_version}}``. Sections ``{{#flag}}...{{/flag}}`` are kept only when ``flag`` holds, and
``{{^flag}}...{{/flag}}`` only when it does not; the flags are the kind's name and ``tokens`` (the
two kinds that label tokens: ``span`` and ``token``).
"""
from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

from plait.errors import Errors, PlaitValueError

NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
TEMPLATE_SUFFIX = ".tmpl"
#: kind -> (what its class is called, its labels when none are given, the fewest labels it takes)
KINDS: Dict[str, tuple] = {"doc": ("Classifier", ["high", "low"], 2),
                           "span": ("Recognizer", ["ITEM", "PLACE"], 1),
                           "token": ("Tagger", ["KEY", "OTHER"], 2)}
DEFAULT_KIND = "doc"
# a section; when its opening tag ends a line, so does its closing tag: both lines go
_SECTION = re.compile(r"\{\{([#^])(\w+)\}\}(\n)?(.*?)\{\{/\2\}\}(?(3)\n?)", re.S)


def parse_labels(labels: Union[str, Sequence[str], None], kind: str = DEFAULT_KIND) -> List[str]:
    """``"A,B"`` (or a list) -> the labels, checked; ``None``: the kind's example labels."""
    if kind not in KINDS:
        raise PlaitValueError(Errors.E082.format(kind=kind, kinds=", ".join(KINDS)))
    if labels is None:
        return list(KINDS[kind][1])
    given = labels if isinstance(labels, str) else ",".join(labels)
    out = [label.strip() for label in given.split(",")]
    problem = None
    if any(not label for label in out):
        problem = "a label is empty"
    elif len(set(out)) != len(out):
        problem = "a label is given twice"
    elif len(out) < KINDS[kind][2]:
        problem = f"a {kind} component needs at least {KINDS[kind][2]} labels"
    if problem:
        raise PlaitValueError(Errors.E083.format(labels=given, problem=problem))
    return out


def names(name: str, kind: str = DEFAULT_KIND, labels: Union[str, Sequence[str], None] = None
          ) -> Dict[str, str]:
    """The names a component called ``name`` gets (``urgency`` -> plait-urgency, plait_urgency, ...)
    and the template's other values."""
    from plait import __version__

    if not NAME.match(name):
        raise PlaitValueError(Errors.E080.format(name=name))
    chosen = parse_labels(labels, kind)
    return {"name": name, "NAME": name.upper(), "module": f"plait_{name}",
            "dist": f"plait-{name.replace('_', '-')}",
            "Class": "".join(part.capitalize() for part in name.split("_")) + KINDS[kind][0],
            "kind": kind, "labels": json.dumps(chosen), "first_label": chosen[0],
            "plait_version": __version__}


def _flags(values: Dict[str, str]) -> Dict[str, bool]:
    kind = values.get("kind", DEFAULT_KIND)
    return {**{k: k == kind for k in KINDS}, "tokens": kind in ("span", "token")}


def _templates() -> List[Path]:
    root = resources.files(__package__).joinpath("component")
    out: List[Path] = []
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.iterdir():
            if child.is_dir():
                stack.append(child)
            elif child.name.endswith(TEMPLATE_SUFFIX):
                out.append(Path(str(child)))
    return sorted(out)


def render(text: str, values: Dict[str, str]) -> str:
    """The template's sections kept or dropped for the kind, then its placeholders filled."""
    flags = _flags(values)

    def section(match: "re.Match[str]") -> str:
        keep = flags.get(match.group(2), False) == (match.group(1) == "#")
        return match.group(4) if keep else ""

    previous = None
    while previous != text:  # sections of different flags may nest
        previous, text = text, _SECTION.sub(section, text)
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def new_component(name: str, output_dir: Union[str, Path, None] = None, *,
                  force: bool = False, kind: str = DEFAULT_KIND,
                  labels: Union[str, Sequence[str], None] = None) -> Path:
    """Write the plugin distribution for component ``name`` (a ``kind`` component with ``labels``)
    to ``output_dir / plait-<name>`` (default: the current folder); returns that folder."""
    values = names(name, kind, labels)
    dest = Path(output_dir or ".") / values["dist"]
    if dest.exists() and any(dest.iterdir()) and not force:
        raise PlaitValueError(Errors.E081.format(path=dest))
    root = Path(str(resources.files(__package__).joinpath("component")))
    for template in _templates():
        rel = render(str(template.relative_to(root))[: -len(TEMPLATE_SUFFIX)], values)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(template.read_text(encoding="utf8"), values), encoding="utf8")
    return dest


def files(name: str, output_dir: Optional[Union[str, Path]] = None) -> List[str]:
    """The paths :func:`new_component` writes, relative to its folder."""
    values = names(name)
    root = Path(str(resources.files(__package__).joinpath("component")))
    return [render(str(t.relative_to(root))[: -len(TEMPLATE_SUFFIX)], values) for t in _templates()]
