"""Which result fields the loaded pipeline writes and how a UI shows each one (its ``view``)."""
from __future__ import annotations

import importlib
import logging
from typing import Any, Dict, List

log = logging.getLogger("plait.serve")
VIEWS = ("spans", "scores", "sentence-polarity", "extract", "json")


def _schema(value: Any) -> Any:
    if value is None or isinstance(value, (dict, bool)):
        return value
    if hasattr(value, "model_json_schema"):  # a pydantic model class
        return value.model_json_schema()
    if callable(value):
        try:
            return _schema(value())
        except Exception:
            return None
    return None


def _row(pipe: Any, info: Any) -> Dict[str, Any]:
    get = info.get if isinstance(info, dict) else (lambda k, d=None: getattr(info, k, d))
    output = get("output", None)  # a ComponentInfo whose output contract is .output
    if output is not None and get("field", None) is None:
        return _row(pipe, output)
    view = get("view", None) or "json"
    return {"pipe": None if pipe is None else str(pipe), "field": str(get("field")),
            "view": view if view in VIEWS else "json", "schema": _schema(get("schema", None))}


def output_views(nlp: Any) -> List[Dict[str, Any]]:
    """``[{"pipe", "field", "view", "schema"}]`` for the outputs the pipeline's components declare
    (their output contract, ``plait.outputs.outputs_for``); ``[]`` where the contract is unknown, and
    the page then shows every result field as readable JSON."""
    try:
        outputs = importlib.import_module("plait.outputs")
    except ImportError:
        return []
    outputs_for = getattr(outputs, "outputs_for", None)
    if outputs_for is None:
        return []
    try:
        found = outputs_for(nlp)
    except Exception as exc:  # noqa: BLE001 - the page then shows the fields as JSON
        log.warning("plait serve: could not read the pipeline's output contracts: %s", exc)
        return []
    # {field: (pipe, contract)}, {pipe: contract}, [(pipe, contract)] or [contract]
    entries = ([v if isinstance(v, tuple) else (k, v) for k, v in found.items()]
               if isinstance(found, dict) else list(found or ()))
    rows: List[Dict[str, Any]] = []
    for entry in entries:
        if isinstance(entry, tuple) and len(entry) == 2:
            pipe, info = entry
        else:
            pipe, info = getattr(entry, "pipe", None), entry
        row = _row(pipe, info)
        if row["field"] and row["field"] != "None" and all(r["field"] != row["field"] for r in rows):
            rows.append(row)
    return rows
