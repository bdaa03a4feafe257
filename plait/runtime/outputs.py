"""Component outputs through their contracts (:class:`plait.plugins.contracts.OutputInfo`): which pipes of a loaded
pipeline give which result field, reading them off a processed Doc, and merging a long text's segments.

The core knows no output by name: every result field beyond the fixed ones (id, line, truncated,
segments, warnings, errors, extra) is declared by a component plugin's ``ComponentInfo.output``. A pipe
gets its factory's contract; a pipe whose factory registered none (spaCy's own ``ner``, a rule-based
pipe) gets every contract whose ``assigns`` it writes (its factory meta's ``assigns``). Pipes with no
contract add nothing. A contract whose ``read`` or ``merge`` raises costs its own field a warning,
never the record or the other fields.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from plait.plugins.contracts import OutputInfo

logger = logging.getLogger(__name__)

Outputs = Dict[str, Tuple[str, OutputInfo]]  # field -> (pipe name, contract)
Segment = Dict[str, Any]


class Part(tuple):
    """One segment's value: unpacks as ``(offset, value)``; ``.length`` is the segment's length in
    characters (for weighting)."""

    length: int

    def __new__(cls, offset: int, value: Any, length: int = 1) -> "Part":
        self = super().__new__(cls, (offset, value))
        self.length = length
        return self


# -- the installed contracts -----------------------------------------------------------------------
def installed_contracts(registry: Any = None) -> List[Tuple[str, str, OutputInfo]]:
    """``(component name, factory, contract)`` of every installed component with an output contract,
    in registration order. A registry that cannot load gives none (it already isolates plugins)."""
    try:
        if registry is None:
            from plait.plugins.registry import get_registry

            registry = get_registry()
        components = registry.components()
    except Exception as exc:  # never let a broken plugin set take results down
        logger.warning("component outputs unavailable: %s: %s", type(exc).__name__, exc)
        return []
    return [(name, info.factory, info.output) for name, info in components.items()
            if info.output is not None]


_FIELDS_CACHE: Dict[str, Any] = {"registry": None, "fields": {}}


def installed_fields() -> Dict[str, Tuple[str, OutputInfo]]:
    """Result field -> ``(component name, contract)`` over the installed components (the first
    component registering a field keeps it), cached per plugin registry."""
    from plait.plugins import registry as plugins
    registry = plugins._registry
    if registry is None or registry is not _FIELDS_CACHE["registry"]:
        try:
            registry = plugins.get_registry()
        except Exception:  # see installed_contracts
            registry = None
        fields: Dict[str, Tuple[str, OutputInfo]] = {}
        for name, _, info in installed_contracts(registry) if registry is not None else []:
            fields.setdefault(info.field, (name, info))
        _FIELDS_CACHE.update(registry=registry, fields=fields)
    return _FIELDS_CACHE["fields"]


def outputs_for(nlp: Any, registry: Any = None) -> Outputs:
    """Result field -> ``(pipe name, contract)`` for a loaded pipeline, in pipeline order.

    A pipe made by a registered component's factory gets that component's contract; any other pipe
    gets the contracts whose ``assigns`` it declares it writes. The first pipe to claim a field keeps
    it (a contract's ``read`` sees the whole Doc, so e.g. every classifier's scores can be read once).
    """
    contracts = installed_contracts(registry)
    by_factory: Dict[str, List[Tuple[str, OutputInfo]]] = {}
    for name, factory, info in contracts:
        by_factory.setdefault(factory, []).append((name, info))
    out: Outputs = {}
    factory_dists: Dict[str, str] = {}  # filled on first need (see _refuse_orphan)
    for pipe in nlp.pipe_names:
        try:
            meta = nlp.get_pipe_meta(pipe)
        except Exception:
            continue
        if meta.factory in by_factory:
            found = [info for _, info in by_factory[meta.factory]]
        else:
            assigns = set(meta.assigns or ())
            found = [info for _, _, info in contracts if assigns & set(info.assigns)]
            if not found:
                _refuse_orphan(pipe, meta.factory, registry, factory_dists)
        for info in found:
            out.setdefault(info.field, (pipe, info))
    return out


def _refuse_orphan(pipe: str, factory: str, registry: Any, factory_dists: Dict[str, str]) -> None:
    """A pipe with no output contract whose factory comes from a plugin that failed to register
    (a misspelled hook, a hook that raised): its output would vanish from every result without a
    word, so the pipeline is refused with the plugin's own failure instead. ``factory_dists`` is
    the caller's cache of factory -> distribution, filled here once."""
    try:
        if registry is None:
            from plait.plugins.registry import get_registry

            registry = get_registry()
        if not registry.failures:
            return
    except Exception:  # no registry: installed_contracts already warned
        return
    if not factory_dists:
        from plait.plugins.isolation import factory_distributions

        factory_dists.update(factory_distributions())
    dist = factory_dists.get(factory)
    failure = registry.failure_of_dist(dist) if dist else None
    if failure is not None:
        from plait.errors import Errors, PlaitError

        raise PlaitError(Errors.E200.format(pipe=pipe, factory=factory, plugin=failure.plugin,
                                            dist=dist, failure=failure.error))


# -- reading a Doc (where the Doc is: maybe a worker) ----------------------------------------------
def read_segment(doc: Any, outputs: Outputs) -> Segment:
    """Plain, picklable data of one processed Doc: every contract's value (offsets relative to the
    Doc), the Doc's length, whether a component only saw part of it, and warnings."""
    values: Dict[str, Any] = {}
    views: Dict[str, Tuple[str, str]] = {}
    warnings: List[str] = []
    for field, (pipe, info) in outputs.items():
        views[field] = (info.view, pipe)
        try:
            values[field] = info.read(doc, pipe)
        except Exception as exc:  # one broken contract costs only its own field
            values[field] = None
            warnings.append(f"output '{field}' of pipe '{pipe}' could not be read: "
                            f"{type(exc).__name__}: {exc}")
    truncated = doc.user_data.get("plait.truncated")
    if not truncated and type(doc).has_extension("truncated"):
        truncated = doc._.truncated
    return {"length": len(doc.text), "outputs": values, "views": views, "warnings": warnings,
            "truncated": bool(truncated)}


# -- merging segments ------------------------------------------------------------------------------
def weighted_scores(parts: Sequence[Tuple[int, Dict[str, float]]]) -> Dict[str, float]:
    """``{label: score}`` of several segments, averaged weighted by segment length (``Part.length``);
    labels in first-seen order."""
    if len(parts) == 1:
        return dict(parts[0][1])
    weights = [max(getattr(p, "length", 1), 1) for p in parts]
    total = sum(weights) or 1.0
    labels: List[str] = []
    for _, scores in parts:
        labels.extend(k for k in scores if k not in labels)
    return {k: sum(s.get(k, 0.0) * w for (_, s), w in zip(parts, weights)) / total for k in labels}


def merge_spans(parts: Sequence[Tuple[int, List[Dict[str, Any]]]], text: str,
                warnings: List[str]) -> List[Dict[str, Any]]:
    """Lists of ``{start, end, ...}``: concatenated, offsets moved into the whole text."""
    return [{**s, "start": s["start"] + off, "end": s["end"] + off}
            for off, spans in parts for s in spans]


def decided(value: Any) -> bool:
    """A "scores" value of the ``{label, scores: {label: float}}`` form (the decided label beside
    the scores), rather than plain ``{label: float}``."""
    return isinstance(value, dict) and isinstance(value.get("scores"), dict) and "label" in value


def merge_scores(parts: Sequence[Tuple[int, Dict[str, Any]]], text: str,
                 warnings: List[str]) -> Dict[str, Any]:
    """``{label: float}``: averaged, weighted by segment length. ``{label, scores}``: its scores so
    averaged, the label the most probable of the averages."""
    if not parts or not decided(parts[0][1]):
        return weighted_scores(parts)
    scores = weighted_scores([Part(p[0], p[1]["scores"], getattr(p, "length", 1)) for p in parts])
    label = max(scores, key=scores.__getitem__) if scores else parts[0][1]["label"]
    return {"label": label, "scores": scores}


def merge_sentence_polarity(parts: Sequence[Tuple[int, Dict[str, Any]]], text: str,
                            warnings: List[str]) -> Dict[str, Any]:
    """``{label, scores, polarity, sentences}``: scores and polarity averaged weighted by segment
    length, the label the best of the merged scores, sentences concatenated with offsets moved."""
    weights = [max(getattr(p, "length", 1), 1) for p in parts]
    scores = weighted_scores([Part(p[0], p[1].get("scores") or {}, getattr(p, "length", 1))
                              for p in parts])
    polarity = (parts[0][1]["polarity"] if len(parts) == 1 else
                sum(v["polarity"] * w for (_, v), w in zip(parts, weights)) / sum(weights))
    label = max(scores, key=scores.get) if scores else parts[0][1]["label"]
    sentences = [{**s, "start": s["start"] + off, "end": s["end"] + off}
                 for off, v in parts for s in v.get("sentences") or []]
    return {"label": label, "scores": scores, "polarity": polarity, "sentences": sentences}


def merge_extract(parts: Sequence[Tuple[int, str]], text: str, warnings: List[str]) -> str:
    if len(parts) == 1:
        return parts[0][1]
    warnings.append(f"extract joined from {len(parts)} segment extracts")
    return " ".join(v.strip() for _, v in parts if v)


def merge_json(parts: Sequence[Tuple[int, Any]], text: str, warnings: List[str]) -> Any:
    """One segment: its value; several: lists concatenated, else the list of the values."""
    if len(parts) == 1:
        return parts[0][1]
    if all(isinstance(v, list) for _, v in parts):
        return [x for _, v in parts for x in v]
    return [v for _, v in parts]


DEFAULT_MERGES: Dict[str, Callable[..., Any]] = {
    "spans": merge_spans, "scores": merge_scores, "sentence-polarity": merge_sentence_polarity,
    "extract": merge_extract, "json": merge_json}


def default_merge(view: str) -> Callable[..., Any]:
    """The merge a contract without its own gets, by view."""
    return DEFAULT_MERGES.get(view, merge_json)


def _merge_for(field: str, view: str) -> Callable[..., Any]:
    """The installed contract's merge for ``field``, else its view's default (the view the worker
    reported, for a field this process has no contract for)."""
    info = installed_fields().get(field)
    if info is not None and info[1].merge is not None:
        return info[1].merge
    return default_merge(info[1].view if info is not None else view)


def merge_outputs(parts: Sequence[Tuple[int, Segment]], text: str,
                  warnings: List[str]) -> Dict[str, Any]:
    """Result fields of a text from its segments (``(offset, segment)`` in text order): each field
    through its contract's merge (for one segment too), over the segments where it has a value."""
    fields: Dict[str, Tuple[str, str]] = {}
    for _, seg in parts:
        for field, view in (seg.get("views") or {}).items():
            fields.setdefault(field, tuple(view))
    out: Dict[str, Any] = {}
    for field, (view, pipe) in fields.items():
        values = [Part(off, seg["outputs"][field], seg.get("length", 1)) for off, seg in parts
                  if (seg.get("outputs") or {}).get(field) is not None]
        if not values:
            out[field] = None
            continue
        merge = _merge_for(field, view)
        try:
            out[field] = merge(values, text, warnings)
        except Exception as exc:
            out[field] = None
            warnings.append(f"output '{field}' of pipe '{pipe}' could not be merged: "
                            f"{type(exc).__name__}: {exc}")
    return out


# -- plain renderings (text output, show) ----------------------------------------------------------
def merge_segments(parts: Sequence[Tuple[int, Segment]], text: str) -> Dict[str, Any]:
    """Result fields for a text from its segments' outputs: ``parts`` is ``(offset, segment)`` in
    text order. Each output merges through its contract (offsets moved into the whole text, scores
    combined, ... as the component declares); warnings are kept once each, in order."""
    warnings: List[str] = []
    for _, seg in parts:
        for w in seg.get("warnings", []):
            if w not in warnings:
                warnings.append(w)
    fields = merge_outputs(parts, text, warnings)
    return {**fields, "truncated": any(seg.get("truncated") for _, seg in parts),
            "segments": len(parts), "warnings": warnings}


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def plain(value: Any) -> Any:
    """A value as JSON data (pydantic models dumped)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def brief(value: Any, view: str) -> str:
    """A one-line rendering of an output value, by view (the text writer, ``show``)."""
    value = plain(value)
    if value is None:
        return ""
    if view == "spans" and isinstance(value, list):
        return "; ".join(f"{s.get('text', '%s-%s' % (s.get('start'), s.get('end')))}/"
                         f"{s.get('label', '')}" for s in value if isinstance(s, dict))
    if view == "scores" and decided(value):
        return str(value["label"])
    if view == "scores" and isinstance(value, dict) and value:
        return str(max(value, key=lambda k: value[k]))
    if view == "sentence-polarity" and isinstance(value, dict):
        return str(value.get("label", ""))
    if isinstance(value, str):
        return value
    return _dump(value)


def field_views(fields: Iterable[str]) -> Dict[str, str]:
    known = installed_fields()
    return {f: (known[f][1].view if f in known else "json") for f in fields}


def contract_schema(info: OutputInfo) -> Dict[str, Any]:
    """A contract's JSON-schema fragment: ``schema``, else derived from ``python_type``."""
    if info.schema:
        return dict(info.schema)
    if info.python_type is not None:
        from pydantic import TypeAdapter

        return TypeAdapter(info.python_type).json_schema()
    return {}


def validator(info: OutputInfo) -> Optional[Any]:
    """A cached pydantic TypeAdapter for a contract's ``python_type`` (None without one)."""
    if info.python_type is None:
        return None
    cached = _ADAPTERS.get(id(info))
    if cached is None or cached[0] is not info:
        from pydantic import TypeAdapter

        cached = (info, TypeAdapter(info.python_type))
        _ADAPTERS[id(info)] = cached
    return cached[1]


_ADAPTERS: Dict[int, Tuple[OutputInfo, Any]] = {}


def check_value(info: OutputInfo, value: Any) -> List[str]:
    """Problems of a final output value against its contract (empty: fine): JSON-serialisable,
    valid for ``python_type`` and, when ``jsonschema`` is installed, for the schema fragment. For
    plugin tests (a contract suite calls it on what ``merge`` returned)."""
    problems: List[str] = []
    if value is None:
        return problems
    data = plain(value)
    try:
        json.dumps(data)
    except (TypeError, ValueError) as exc:
        problems.append(f"'{info.field}' is not JSON-serialisable: {exc}")
        return problems
    adapter = validator(info)
    if adapter is not None:
        try:
            adapter.validate_python(data)
        except Exception as exc:
            problems.append(f"'{info.field}' does not validate as {info.python_type}: {exc}")
    schema = contract_schema(info)
    if schema:
        try:
            import jsonschema
        except ImportError:
            return problems
        try:
            jsonschema.validate(data, schema)
        except jsonschema.ValidationError as exc:
            problems.append(f"'{info.field}' does not match its schema: {exc.message}")
    return problems
