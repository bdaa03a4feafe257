"""Plugin discovery and the registry of what plugins provide.

Plugins are found through the ``plait`` entry-point group, lazily (on first use) and once per process.
``PLAIT_LOAD_PLUGINS`` (comma-separated entry-point or distribution names; empty means none) is an
allow-list, ``PLAIT_BLOCK_PLUGINS`` a block-list. A plugin that fails to import, implements a hook Plait
does not define, or whose hook raises, is recorded as a :class:`PluginFailure` and skipped; every other
plugin keeps working. Two plugins registering one name is a conflict naming both distributions.
"""
from __future__ import annotations

import difflib
import os
import threading
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import pluggy
from pydantic import BaseModel, ValidationError

from plait.plugins import hookspecs
from plait.errors import Errors, PluginError, UnknownNameError
from plait.plugins.contracts import RECORD_KINDS, ComponentInfo, CorpusInfo, EncoderInfo
from plait.plugins.isolation import dist_key
from plait.errors import PlaitTypeError

ENTRY_POINT_GROUP = "plait"
ENV_LOAD = "PLAIT_LOAD_PLUGINS"
ENV_BLOCK = "PLAIT_BLOCK_PLUGINS"


@dataclass(frozen=True)
class PluginFailure:
    plugin: str
    dist: str
    version: str
    stage: str
    error: str
    detail: str = ""

    def __str__(self) -> str:
        return Errors.E001.format(plugin=self.plugin, dist=self.dist, version=self.version,
                                  stage=self.stage, error=self.error)


@dataclass
class PluginInfo:
    name: str
    dist: str
    version: str
    provides: Dict[str, List[str]] = field(default_factory=dict)
    ok: bool = True


def _split_env(value: Optional[str]) -> Optional[set]:
    if value is None:
        return None
    return {v.strip() for v in value.split(",") if v.strip()}


class PluginRegistry:
    """Loads plugins and holds the components, encoders and corpora they register."""

    def __init__(self, *, entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self._use_entry_points = entry_points
        self._loaded = False
        self._lock = threading.RLock()
        self.plugins: Dict[str, PluginInfo] = {}
        self.failures: List[PluginFailure] = []
        self.skipped: Dict[str, str] = {}
        self._records: Dict[str, Dict[str, Tuple[Any, str]]] = {k: {} for k in RECORD_KINDS}
        self._conflicts: Dict[Tuple[str, str], List[str]] = {}
        self._spacy_checked: Optional[List[PluginFailure]] = None

    # -- discovery ---------------------------------------------------------------------------------
    def load(self) -> "PluginRegistry":
        with self._lock:
            if self._loaded:
                return self
            self._loaded = True
            if self._use_entry_points:
                self._load_entry_points()
            self._check_pending()
            self._collect()
        return self

    def add_plugin(self, plugin: Any, name: str, dist: str = "<in-process>", version: str = "") -> None:
        """Register a plugin object directly (tests, notebooks). Call before first use."""
        with self._lock:
            if self._loaded:
                raise PluginError(Errors.E076)
            self.pm.register(plugin, name=name)
            self.plugins[name] = PluginInfo(name=name, dist=dist, version=version)

    def _load_entry_points(self) -> None:
        allow = _split_env(os.environ.get(ENV_LOAD))
        block = _split_env(os.environ.get(ENV_BLOCK)) or set()
        seen = set()
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = ep.dist.metadata["Name"] if ep.dist is not None else "<unknown>"
            version = ep.dist.version if ep.dist is not None else ""
            if ep.name in seen:
                self.failures.append(PluginFailure(ep.name, dist, version, "load",
                                                   "another distribution uses the same plugin name"))
                continue
            seen.add(ep.name)
            names = {ep.name, dist}
            if allow is not None and not names & allow:
                self.skipped[ep.name] = f"not in {ENV_LOAD}"
                continue
            if names & block:
                self.skipped[ep.name] = f"blocked by {ENV_BLOCK}"
                continue
            try:
                module = ep.load()
                self.pm.register(module, name=ep.name)
            except BaseException as exc:  # a plugin must never take the others down
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                self.failures.append(PluginFailure(ep.name, dist, version, "import",
                                                   f"{type(exc).__name__}: {exc}",
                                                   traceback.format_exc()))
                continue
            self.plugins[ep.name] = PluginInfo(name=ep.name, dist=dist, version=version)

    def _check_pending(self) -> None:
        """pluggy's ``check_pending``, per plugin: a misspelled hook disables only its plugin."""
        bad: Dict[str, List[str]] = {}
        for hook_name in dir(self.pm.hook):
            if hook_name.startswith("_"):
                continue
            caller = getattr(self.pm.hook, hook_name)
            if not isinstance(caller, pluggy.HookCaller) or caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if not impl.optionalhook:
                    bad.setdefault(impl.plugin_name, []).append(hook_name)
        specs = [h for h in dir(self.pm.hook) if not h.startswith("_")
                 and getattr(self.pm.hook, h).has_spec()]
        for plugin_name, hooks in bad.items():
            named = ", ".join(_with_hint(h, specs) for h in sorted(hooks))
            self._fail(plugin_name, "validate", Errors.E005.format(plugin=plugin_name, hooks=named))
            self.pm.unregister(name=plugin_name)
        self.pm.check_pending()

    def _fail(self, plugin: str, stage: str, error: str, detail: str = "") -> None:
        info = self.plugins.get(plugin)
        dist, version = (info.dist, info.version) if info else ("<unknown>", "")
        if info:
            info.ok = False
        self.failures.append(PluginFailure(plugin, dist, version, stage, error, detail))

    def _collect(self) -> None:
        for kind, hook in (("component", "register_components"), ("encoder", "register_encoders"),
                           ("corpus", "register_corpora")):
            for impl in getattr(self.pm.hook, hook).get_hookimpls():
                self._call_impl(impl, kind, hook)
        for (kind, name), owners in self._conflicts.items():
            a, b = owners[0], owners[1]
            msg = Errors.E002.format(kind=kind.capitalize(), name=name, first=a,
                                     first_dist=self._dist(a), second=b, second_dist=self._dist(b))
            for owner in owners:
                self._fail(owner, "register", msg)

    def _dist(self, plugin: str) -> str:
        info = self.plugins.get(plugin)
        return f"{info.dist} {info.version}".strip() if info else "<unknown>"

    def _call_impl(self, impl: Any, kind: str, hook: str) -> None:
        plugin = impl.plugin_name
        record_cls: Type[BaseModel] = RECORD_KINDS[kind]
        staged: List[BaseModel] = []

        def register(record: Any = None, **kwargs: Any) -> None:
            if record is None:
                record = kwargs
            elif kwargs:
                raise PlaitTypeError(Errors.E077)
            if isinstance(record, dict):
                record = record_cls(**record)
            elif not isinstance(record, record_cls):
                raise PlaitTypeError(Errors.E078.format(expected=record_cls.__name__,
                                                        got=type(record).__name__))
            staged.append(record)

        try:
            impl.function(register=register)
        except ValidationError as exc:
            self._fail(plugin, f"run {hook}", Errors.E003.format(plugin=plugin, kind=kind,
                                                                 error=exc))
            return
        except Exception as exc:
            self._fail(plugin, f"run {hook}", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return
        table = self._records[kind]
        info = self.plugins.setdefault(plugin, PluginInfo(plugin, "<in-process>", ""))
        for record in staged:
            name = record.name  # type: ignore[attr-defined]
            if name in table and table[name][1] != plugin:
                owners = self._conflicts.setdefault((kind, name), [table[name][1]])
                owners.append(plugin)
                continue
            table[name] = (record, plugin)
            info.provides.setdefault(kind, []).append(name)

    # -- lookups -----------------------------------------------------------------------------------
    def _table(self, kind: str) -> Dict[str, Any]:
        self.load()
        return {n: r for n, (r, _) in self._records[kind].items() if (kind, n) not in self._conflicts}

    def _get(self, kind: str, name: str) -> Any:
        table = self._table(kind)
        if name in table:
            return table[name]
        if (kind, name) in self._conflicts:
            owners = self._conflicts[(kind, name)]
            raise PluginError(Errors.E002.format(kind=kind.capitalize(), name=name, first=owners[0],
                                                 first_dist=self._dist(owners[0]), second=owners[1],
                                                 second_dist=self._dist(owners[1])))
        raise UnknownNameError(Errors.E004.format(kind=kind, name=name,
                                                  known=", ".join(sorted(table)) or "none",
                                                  hint=suggest(name, table)))

    def components(self) -> Dict[str, ComponentInfo]:
        return self._table("component")

    def encoders(self) -> Dict[str, EncoderInfo]:
        return self._table("encoder")

    def corpora(self) -> Dict[str, CorpusInfo]:
        return self._table("corpus")

    def component(self, name: str) -> ComponentInfo:
        return self._get("component", name)

    def encoder(self, name: str) -> EncoderInfo:
        return self._get("encoder", name)

    def corpus(self, name: str) -> CorpusInfo:
        return self._get("corpus", name)

    def provider(self, kind: str, name: str) -> str:
        self.load()
        return self._records[kind][name][1]

    def add_commands(self, cli: Any) -> None:
        self.load()
        for impl in self.pm.hook.register_commands.get_hookimpls():
            try:
                impl.function(cli=cli)
            except Exception as exc:
                self._fail(impl.plugin_name, "run register_commands", f"{type(exc).__name__}: {exc}")

    def check_spacy(self) -> List[PluginFailure]:
        """Import the installed plugins' spaCy entry points in a child process (``spacy_factories``,
        ``spacy_architectures``, ``spacy_scorers``, see :mod:`plait.plugins.isolation`); record each failure
        against its plugin. Once per registry; returns the failures it added."""
        from plait.plugins.isolation import probe_spacy_entry_points

        self.load()
        with self._lock:
            if self._spacy_checked is not None:
                return list(self._spacy_checked)
            by_dist: Dict[str, List[str]] = {}
            for info in self.plugins.values():
                by_dist.setdefault(dist_key(info.dist), []).append(info.name)
            for f in self.failures:
                by_dist.setdefault(dist_key(f.dist), []).append(f.plugin)
            added: List[PluginFailure] = []
            for f in probe_spacy_entry_points(sorted(by_dist)):
                for plugin in dict.fromkeys(by_dist.get(dist_key(f.dist), [f.dist])):
                    stage = f"import {f.group} entry point '{f.name}' ({f.value})"
                    if plugin in self.plugins:
                        self._fail(plugin, stage, f.error, f.detail)
                    else:
                        self.failures.append(PluginFailure(plugin, f.dist, f.version, stage, f.error,
                                                           f.detail))
                    added.append(self.failures[-1])
            self._spacy_checked = added
            return list(added)

    def failure_for(self, component: str) -> Optional[PluginFailure]:
        """The failure of the plugin that provides (or, unloaded, would provide) ``component``."""
        self.load()
        from plait.plugins.isolation import spacy_failures

        owner = self._records["component"].get(component)
        if owner is not None:  # registered, but its spaCy factory may have failed to import
            info = self.plugins.get(owner[1])
            dist = dist_key(info.dist) if info else ""
            for f in self.failures:  # its spaCy side failed (plait plugins / doctor's child check)
                if f.plugin == owner[1] and f.stage.startswith("import spacy_"):
                    return f
            for sf in spacy_failures():
                if dist_key(sf.dist) == dist:
                    return PluginFailure(owner[1], sf.dist, sf.version,
                                         f"import {sf.group} entry point '{sf.name}'", sf.error)
            return None
        for f in self.failures:
            dist = dist_key(f.dist)
            if component in (f.plugin, dist) or dist.endswith("-" + component):
                return f
        return None

    def failure_of_dist(self, dist: str) -> Optional[PluginFailure]:
        """The first recorded failure of a plugin of distribution ``dist``, if any."""
        self.load()
        key = dist_key(dist)
        return next((f for f in self.failures if dist_key(f.dist) == key), None)

    def report(self) -> Dict[str, Any]:
        self.load()
        return {
            "plugins": [
                {"name": p.name, "distribution": p.dist, "version": p.version, "ok": p.ok,
                 "provides": p.provides}
                for p in sorted(self.plugins.values(), key=lambda p: p.name)
            ],
            "failures": [
                {"plugin": f.plugin, "distribution": f.dist, "version": f.version, "stage": f.stage,
                 "error": f.error}
                for f in self.failures
            ],
            "skipped": dict(self.skipped),
        }



def _with_hint(hook: str, specs: List[str]) -> str:
    close = difflib.get_close_matches(hook, specs, n=1, cutoff=0.6)
    return f"{hook} (did you mean {close[0]}?)" if close else hook


def suggest(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


_registry: Optional[PluginRegistry] = None
_registry_lock = threading.Lock()


def get_registry() -> PluginRegistry:
    """The process-wide registry, created and loaded on first use."""
    global _registry
    with _registry_lock:
        if _registry is None:
            _registry = PluginRegistry()
    return _registry.load()


def reset_registry(registry: Optional[PluginRegistry] = None) -> None:
    """Forget the process-wide registry (tests; after installing a plugin at run time)."""
    global _registry
    with _registry_lock:
        _registry = registry
