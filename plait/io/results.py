"""The result of processing one record: a pydantic model with a published JSON schema.

Fixed fields (``id``, ``line``, ``truncated``, ``segments``, ``warnings``, ``errors``, ``extra``) plus
one field per installed component output (``ComponentInfo.output``, see :mod:`plait.runtime.outputs`), e.g.
``result.entities`` when a plugin declares the ``entities`` output. An output field is ``null`` when
the pipeline has no component producing it (no NER: ``entities`` is null; an NER that found
nothing: ``[]``). Values are validated into the contract's ``python_type`` when it has one.
``python -m plait.io.results [PATH]`` writes the schema of this installation; the published
``docs/result.schema.json`` is that of the built-in plugins: regenerate it with
``PLAIT_LOAD_PLUGINS=plait,plait-ner,plait-sentiment,plait-textcat,plait-summarize,plait-corpora
python -m plait.io.results docs/result.schema.json``.
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_serializer, model_validator

SCHEMA_ID = "https://plait.dev/schemas/result.schema.json"
FIXED_HEAD = ("id", "line")
NOT_MADE = "Always null here: no component of this pipeline makes it."


class Result(BaseModel):
    """One output record. Input fields other than the text and id are kept in ``extra``."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"$id": SCHEMA_ID})

    id: Union[int, str, None] = Field(..., description="The record's id field (`id_field`), else its "
                                                       "1-based record number.")
    line: Optional[int] = Field(None, description="1-based record number in the input.")
    truncated: bool = Field(False, description="True if some text was not seen by every component.")
    segments: int = Field(1, description="How many segments a long text was processed in (1 "
                                         "normally).")
    warnings: List[str] = Field(default_factory=list, description="Messages about this record (a "
                                "cut inside a sentence, an output that could not be read).")
    errors: List[str] = Field(default_factory=list, description="Non-empty for a rejected record.")
    extra: Dict[str, Any] = Field(default_factory=dict, description="Every other input field, "
                                                                    "unchanged.")
    _record: Any = PrivateAttr(default=None)  # a rejected record as read (for the rejects file)

    @model_validator(mode="after")
    def _outputs(self) -> "Result":
        """Every installed output field is present (null by default), in installation order, and
        validated into its contract's type; outputs of components not installed here are kept."""
        from plait.runtime.outputs import installed_fields, validator

        given = self.__pydantic_extra__ or {}
        known = installed_fields()
        ordered: Dict[str, Any] = {}
        for field, (_, info) in known.items():
            value = given.get(field)
            adapter = validator(info) if value is not None else None
            ordered[field] = adapter.validate_python(value) if adapter is not None else value
        for field, value in given.items():
            ordered.setdefault(field, value)
        self.__pydantic_extra__ = ordered
        return self

    @model_serializer(mode="wrap")
    def _ordered(self, handler: Any) -> Dict[str, Any]:
        """id, line, the outputs, then the bookkeeping fields (as JSONL readers expect)."""
        data = handler(self)
        outputs = list(self.__pydantic_extra__ or {})
        keys = [k for k in FIXED_HEAD if k in data] + [k for k in outputs if k in data]
        keys += [k for k in data if k not in keys]
        return {k: data[k] for k in keys}

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def outputs(self) -> Dict[str, Any]:
        """The component output fields of this result (field -> value)."""
        return dict(self.__pydantic_extra__ or {})


def _nullable(fragment: Dict[str, Any]) -> Dict[str, Any]:
    if not fragment:
        return {}
    return {"anyOf": [fragment, {"type": "null"}]}


def json_schema(produced: Optional[Iterable[str]] = None) -> Dict[str, Any]:
    """The published JSON schema of :class:`Result`: the fixed fields plus every installed component
    output's fragment (``x-plait-view`` / ``x-plait-component`` say how to show it and who makes it).

    ``produced``: the output fields a loaded pipeline writes (``plait serve`` gives its pipeline's);
    every other installed output is then declared always ``null`` (no pipe of that pipeline makes it).
    """
    from plait.runtime.outputs import contract_schema, installed_fields

    made = None if produced is None else set(produced)
    base = copy.deepcopy(Result.model_json_schema())
    defs: Dict[str, Any] = dict(base.pop("$defs", {}))
    fixed = base["properties"]
    props: Dict[str, Any] = {k: fixed[k] for k in FIXED_HEAD}
    for field, (component, info) in installed_fields().items():
        title = field.replace("_", " ").title()
        entry: Dict[str, Any]
        if made is not None and field not in made:  # no pipe of the pipeline makes it
            entry = {"type": "null", "default": None, "title": title}
            description = f"{info.description} {NOT_MADE}".strip()
        else:
            fragment = copy.deepcopy(contract_schema(info))
            for name, sub in fragment.pop("$defs", {}).items():
                defs.setdefault(name, sub)
            if fragment.get("type") == "object" and "properties" in fragment and "title" in fragment:
                defs.setdefault(fragment["title"], fragment)  # a model: referenced, as pydantic does
                fragment = {"$ref": f"#/$defs/{fragment['title']}"}
            entry = {**_nullable(fragment), "default": None, "title": title}
            description = info.description
        if description:
            entry["description"] = description
        entry.update({"x-plait-view": info.view, "x-plait-component": component})
        props[field] = entry
    props.update({k: v for k, v in fixed.items() if k not in props})
    base["properties"] = props
    base["additionalProperties"] = False  # every field of this installation is listed
    keep = set(defs) if made is None else _reachable(props, defs)  # no def of a field left out
    if keep:
        base["$defs"] = {k: defs[k] for k in sorted(keep)}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **base}


def _reachable(root: Any, defs: Dict[str, Any]) -> set:
    """The names of the ``$defs`` that ``root`` refers to, directly or through other definitions."""
    seen: set = set()
    todo = [root]
    while todo:
        text = json.dumps(todo.pop())
        for name in defs:
            if name not in seen and f'"#/$defs/{name}"' in text:
                seen.add(name)
                todo.append(defs[name])
    return seen


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def write_json_schema(path: Union[str, Path]) -> Path:
    path = Path(path)
    path.write_text(schema_text(), encoding="utf8")
    return path


if __name__ == "__main__":  # python -m plait.io.results [PATH]
    if len(sys.argv) > 1:
        print(write_json_schema(sys.argv[1]))
    else:
        sys.stdout.write(schema_text())
