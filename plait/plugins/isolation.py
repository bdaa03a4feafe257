"""Keep one broken spaCy plugin from breaking every pipeline.

spaCy imports the module of every ``spacy_factories`` entry point whenever a ``Language`` is made
(``spacy.blank``, ``spacy.load``, training), so a plugin whose factory module raises on import breaks
all spaCy pipelines on the machine. Plait defends against it in two places:

- :func:`isolate_spacy_plugins` (called by ``plait.load``, the composer and the CLI before any
  ``Language`` is made) imports each ``spacy_factories`` entry point itself, and hides the ones that
  raise from spaCy's registries for the rest of the process, with a warning naming the plugin, its
  distribution and the error. Pipelines that don't use them work; one that does gets spaCy's "can't
  find factory" error, or Plait's E071 when composed.
- :func:`probe_spacy_entry_points` imports the spaCy entry points of the installed plugins in a child
  process (so a crash or a hang can't take the caller down) and reports each failure; ``plait plugins``
  and ``plait doctor`` show them.

A process that never imports Plait (a bare ``spacy.blank('en')``) still meets spaCy's own behaviour:
that is why plugins keep their entry-point modules tiny (see :mod:`plait.plugins.lazy`).
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import traceback
import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from plait.errors import Warnings

#: The spaCy entry-point groups a plugin's spaCy side is declared in.
SPACY_GROUPS = ("spacy_factories", "spacy_architectures", "spacy_scorers")


@dataclass(frozen=True)
class EntryPointFailure:
    group: str
    name: str
    value: str
    dist: str
    version: str
    error: str
    detail: str = ""

    def as_dict(self) -> Dict[str, str]:
        return {"group": self.group, "name": self.name, "value": self.value, "distribution": self.dist,
                "version": self.version, "error": self.error}


def dist_key(name: str) -> str:
    """A distribution name as compared: case and ``_``/``-`` aside (``Plait_NER`` is ``plait-ner``)."""
    return name.lower().replace("_", "-")


def _dist(ep: Any) -> Tuple[str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "<unknown>", ""
    return dist.metadata["Name"], dist.version


class _WithoutBroken:
    """Stands in for catalogue's table of entry points, leaving out the ones that failed."""

    def __init__(self, inner: Any, broken: set) -> None:
        self._inner = inner
        self._broken = broken

    def select(self, **params: Any) -> Any:
        from importlib.metadata import EntryPoints

        return EntryPoints(ep for ep in self._inner.select(**params)
                           if (ep.group, ep.name, ep.value) not in self._broken)

    def get(self, group: str, default: Any = None) -> Any:  # older catalogue versions
        found = self.select(group=group)
        return found if found else default

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


_lock = threading.Lock()
_failures: Optional[List[EntryPointFailure]] = None


def isolate_spacy_plugins() -> List[EntryPointFailure]:
    """Import every ``spacy_factories`` entry point once; hide and report those that raise.

    Idempotent and cheap after the first call; returns the failures (also :func:`spacy_failures`).
    """
    global _failures
    with _lock:
        if _failures is not None:
            return list(_failures)
        import catalogue

        table = catalogue.AVAILABLE_ENTRY_POINTS
        failures: List[EntryPointFailure] = []
        if hasattr(table, "select"):
            for ep in table.select(group="spacy_factories"):
                try:
                    ep.load()
                except BaseException as exc:  # a plugin must never take the others down
                    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                        raise
                    dist, version = _dist(ep)
                    failures.append(EntryPointFailure(ep.group, ep.name, ep.value, dist, version,
                                                      f"{type(exc).__name__}: {exc}",
                                                      traceback.format_exc()))
            if failures:
                broken = {(f.group, f.name, f.value) for f in failures}
                catalogue.AVAILABLE_ENTRY_POINTS = _WithoutBroken(table, broken)
                for f in failures:
                    warnings.warn(Warnings.W070.format(name=f.name, value=f.value, dist=f.dist,
                                                       version=f.version, error=f.error),
                                  stacklevel=2)
        _failures = failures
        return list(failures)


def spacy_failures() -> List[EntryPointFailure]:
    """The failures :func:`isolate_spacy_plugins` found in this process (empty before it ran)."""
    return list(_failures or [])


# Runs in a child process: import spaCy, then load each named entry point; print JSON failures.
_PROBE = r"""
import json, sys, traceback
from importlib import metadata
wanted = {tuple(x) for x in json.loads(sys.argv[1])}
build = {tuple(x) for x in json.loads(sys.argv[2])}  # factories to build, not only import
out = []
try:
    import spacy  # noqa: F401  (what spaCy loads anyway is not the plugin's fault)
except BaseException as exc:
    print(json.dumps({"fatal": f"import spacy: {type(exc).__name__}: {exc}"}))
    sys.exit(0)
if build:  # a broken factory module elsewhere must not fail another factory's build
    from plait.plugins.isolation import isolate_spacy_plugins
    isolate_spacy_plugins()
eps = [ep for group in sorted({w[0] for w in wanted}) for ep in metadata.entry_points(group=group)]
for ep in eps:
    if (ep.group, ep.name, ep.value) not in wanted:
        continue
    try:
        ep.load()
    except BaseException as exc:
        out.append({"group": ep.group, "name": ep.name, "value": ep.value,
                    "error": f"{type(exc).__name__}: {exc}", "detail": traceback.format_exc()})
        continue
    if ep.group != "spacy_factories" or (ep.group, ep.name, ep.value) not in build:
        continue
    # build the factory with its defaults: a factory that raises at construction fails every
    # pipeline that uses it, so it is a failure of its plugin even though its module imports
    try:
        from confection import ConfigValidationError
        spacy.blank("en").add_pipe(ep.name)
    except ConfigValidationError as exc:  # required settings without defaults: can't be probed
        if not all(str(e.get("msg", "")).lower() == "field required" or e.get("type") == "missing"
                   for e in getattr(exc, "errors", []) or []):
            out.append({"group": ep.group, "name": ep.name, "value": ep.value,
                        "error": f"building the factory with its defaults: {exc}", "detail": ""})
    except BaseException as exc:
        out.append({"group": ep.group, "name": ep.name, "value": ep.value,
                    "error": f"building the factory with its defaults: {type(exc).__name__}: {exc}",
                    "detail": traceback.format_exc()})
print(json.dumps({"failures": out}))
"""


def spacy_entry_points(dists: Optional[Sequence[str]] = None) -> List[Any]:
    """The spaCy entry points (:data:`SPACY_GROUPS`) of the named distributions (default: all), and
    every ``spacy_factories`` one (spaCy imports those in every process)."""
    from importlib import metadata

    wanted = None if dists is None else {dist_key(d) for d in dists}
    found = []
    for group in SPACY_GROUPS:
        for ep in metadata.entry_points(group=group):
            if wanted is None or group == "spacy_factories" or dist_key(_dist(ep)[0]) in wanted:
                found.append(ep)
    return found


def factory_distributions() -> Dict[str, str]:
    """spaCy factory name -> the distribution whose ``spacy_factories`` entry point provides it."""
    from importlib import metadata

    found: Dict[str, str] = {}
    for ep in metadata.entry_points(group="spacy_factories"):
        found.setdefault(ep.name, _dist(ep)[0])
    return found


def probe_spacy_entry_points(dists: Optional[Sequence[str]] = None, *,
                             timeout: float = 120.0) -> List[EntryPointFailure]:
    """Import the spaCy entry points of ``dists`` (default: all) in a child process, and build each
    of their factories with its default settings there; the failures."""
    eps = spacy_entry_points(dists)
    if not eps:
        return []
    by_key = {(ep.group, ep.name, ep.value): ep for ep in eps}
    wanted = None if dists is None else {dist_key(d) for d in dists}
    build = sorted(key for key, ep in by_key.items() if key[0] == "spacy_factories"
                   and (wanted is None or dist_key(_dist(ep)[0]) in wanted))
    try:
        res = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(sorted(by_key)),
                              json.dumps(build)],
                             capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [EntryPointFailure("spacy_*", "*", "", "<several>", "",
                                  f"importing the spaCy entry points took over {timeout:g}s")]
    try:
        data = json.loads(res.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        err = (res.stderr.strip().splitlines() or ["no output"])[-1]
        return [EntryPointFailure("spacy_*", "*", "", "<several>", "",
                                  f"the child process importing them died ({res.returncode}): {err}")]
    if "fatal" in data:
        return [EntryPointFailure("spacy_*", "*", "", "spacy", "", data["fatal"])]
    failures = []
    for f in data["failures"]:
        dist, version = _dist(by_key[(f["group"], f["name"], f["value"])])
        failures.append(EntryPointFailure(f["group"], f["name"], f["value"], dist, version, f["error"],
                                          f.get("detail", "")))
    return failures
