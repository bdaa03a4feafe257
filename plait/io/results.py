"""The result of processing one record: a pydantic model with a published JSON schema.

Fixed fields (``id``, ``line``, ``truncated``, ``segments``, ``warnings``, ``errors``, ``extra``) plus
one field per installed component output (``ComponentInfo.output``, see :mod:`plait.runtime.outputs`), e.g.
``result.entities`` when a plugin declares the ``entities`` output. An output field is ``null`` when
the pipeline has no component producing it (no NER: ``entities`` is null; an NER that found
nothing: ``[]``). Values are validated into the contract's ``python_type`` when it has one.

This module is the one generator of everything that lists the result fields: the JSON schema
(:func:`json_schema`; ``plait serve`` publishes it as the OpenAPI ``Result``, typed for the served
pipeline), and docs/runner.md's field table and CSV/Parquet/text columns (:func:`docs_block`).
``python -m plait.io.results [PATH] [--docs MARKDOWN]`` writes the schema of this installation (to
PATH, else stdout) and rewrites the marked block of MARKDOWN; the published ``docs/result.schema.json``
and docs/runner.md are those of the built-in plugins: regenerate them with
``PLAIT_LOAD_PLUGINS=plait,plait-ner,plait-sentiment,plait-textcat,plait-summarize,plait-corpora
python -m plait.io.results docs/result.schema.json --docs docs/runner.md``.
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_serializer, model_validator

from plait.errors import Errors, PlaitValueError

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


# -- the field lists of the docs (docs/runner.md), from the same schema -----------------------------
DOCS_START, DOCS_END = "<!-- result-fields:start -->", "<!-- result-fields:end -->"
SHORT_FORMS = "spans as text/label, scores as the top label, sentence polarity as its label, an " \
              "extract as it is, anything else as JSON"  # plait.runtime.outputs.brief, by view


def _shape(fragment: Dict[str, Any], defs: Dict[str, Any]) -> str:
    """A JSON-schema fragment in a few words: ``list of {start, end, label}``, ``{key: number}``."""
    if "$ref" in fragment:
        return _shape(defs.get(fragment["$ref"].rsplit("/", 1)[-1], {}), defs)
    if "anyOf" in fragment:
        kinds = [_shape(f, defs) for f in fragment["anyOf"] if f.get("type") != "null"]
        return " or ".join(kinds) if kinds else "null"
    kind = fragment.get("type")
    if kind == "array":
        return "list of " + _shape(fragment.get("items", {}), defs)
    if kind == "object" and fragment.get("properties"):
        return "{" + ", ".join(fragment["properties"]) + "}"
    if kind == "object":
        values = fragment.get("additionalProperties")
        return "{key: " + _shape(values, defs) + "}" if isinstance(values, dict) else "object"
    return kind if isinstance(kind, str) else "any JSON"


HEAD_COLUMNS = ["id", "line"]
TAIL_COLUMNS = ["truncated", "segments", "warnings", "extra"]


def columns() -> List[str]:
    """The flat columns (CSV, Parquet): id, line, one per installed component output, then the
    bookkeeping fields."""
    from plait.runtime.outputs import installed_fields

    return HEAD_COLUMNS + list(installed_fields()) + TAIL_COLUMNS


def docs_block() -> str:
    """The generated part of docs/runner.md: the result fields (a JSONL line's, in its order), the
    CSV/Parquet columns and the text output's columns, all of this installation."""
    from plait.runtime.outputs import installed_fields

    schema = json_schema()
    defs = schema.get("$defs", {})
    outputs = installed_fields()
    rows = ["| field | type | what | null when |", "|---|---|---|---|"]
    plugin_row = ("| (another plugin's field) | its contract's `schema` | its contract's `description` "
                  "| the pipeline has no pipe of that component |")
    for field, prop in schema["properties"].items():
        what = prop.get("description", "")
        null_when = "never" if field == "id" else ""
        if field in outputs:
            component, info = outputs[field]
            what = f"{what} Component `{component}`, view `{info.view}`.".strip()
            writers = " or ".join(f"`{a}`" for a in info.assigns)
            null_when = f"the pipeline has no `{component}` component" + (
                f" nor a pipe writing {writers}" if writers else "")
        elif plugin_row not in rows and field not in FIXED_HEAD:  # after the outputs
            rows.append(plugin_row)
        rows.append(f"| `{field}` | {_shape(prop, defs)} | {what} | {null_when} |")
    text = ["id", *outputs]
    return "\n".join([
        "<!-- generated from the installed contracts by `python -m plait.io.results --docs "
        "docs/runner.md`: change the code, not this block -->",
        "A JSONL line has these fields, in this order:", "", *rows, "",
        f"**CSV and Parquet** have the columns `{', '.join(columns())}`, in this order: strings as "
        "they are, other values as JSON (in Parquet, `line` and `segments` are integers and "
        "`truncated` a boolean). A rejected record is no row but a line of the rejects file, so "
        "`errors` is no column. "
        f"**Text** output is `{'<TAB>'.join(text)}`, each output in its short form by view "
        f"({SHORT_FORMS}).", ""])


def docs_text(doc: str, where: str = "the document") -> str:
    """``doc`` with the block between :data:`DOCS_START` and :data:`DOCS_END` generated again."""
    if DOCS_START not in doc or DOCS_END not in doc:
        raise PlaitValueError(Errors.E238.format(where=where, start=DOCS_START, end=DOCS_END))
    before, rest = doc.split(DOCS_START, 1)
    after = rest.split(DOCS_END, 1)[1]
    return before + DOCS_START + "\n" + docs_block() + DOCS_END + after


def main(argv: Optional[List[str]] = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m plait.io.results", description=(
        "Write the JSON schema of this installation's results (to PATH, else stdout), or rewrite "
        "the generated field lists of a markdown file (--docs)."))
    parser.add_argument("path", nargs="?", type=Path, help="where to write the JSON schema")
    parser.add_argument("--docs", type=Path, action="append", default=[],
                        help="a markdown file whose result-fields block to rewrite")
    args = parser.parse_args(argv)
    for doc in args.docs:
        try:
            doc.write_text(docs_text(doc.read_text(encoding="utf8"), str(doc)), encoding="utf8")
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(doc)
    if args.path is not None:
        print(write_json_schema(args.path))
    elif not args.docs:
        sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":  # python -m plait.io.results [PATH] [--docs MARKDOWN]
    sys.exit(main())
