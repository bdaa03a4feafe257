"""``plait new component NAME``: write a complete plugin distribution from the templates beside this
module (``component/``), ready to ``pip install``, test, compose, train and run untouched.

Placeholders in the templates: ``{{name}}`` (component and output field), ``{{module}}`` (Python
package), ``{{dist}}`` (distribution), ``{{Class}}`` (component class), ``{{plait_version}}``.
"""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Dict, List, Optional, Union

from plait.errors import Errors, PlaitValueError

NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
TEMPLATE_SUFFIX = ".tmpl"


def names(name: str) -> Dict[str, str]:
    """The names a component called ``name`` gets (``urgency`` -> plait-urgency, plait_urgency, ...)."""
    from plait import __version__

    if not NAME.match(name):
        raise PlaitValueError(Errors.E080.format(name=name))
    return {"name": name, "NAME": name.upper(), "module": f"plait_{name}", "dist": f"plait-{name.replace('_', '-')}",
            "Class": "".join(part.capitalize() for part in name.split("_")) + "Classifier",
            "plait_version": __version__}


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
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def new_component(name: str, output_dir: Union[str, Path, None] = None, *,
                  force: bool = False) -> Path:
    """Write the plugin distribution for component ``name`` to ``output_dir / plait-<name>``
    (default: the current folder); returns that folder."""
    values = names(name)
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
