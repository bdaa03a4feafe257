"""Plugin discovery, isolation of broken plugins, conflicts, allow/block lists, check_pending."""
from __future__ import annotations

import json

import pytest

from plaittest import pip_install_target, run_plait, write_plugin_dist
from plait.errors import PluginError, UnknownNameError
from plait.plugins.hookspecs import hookimpl
from plait.plugins.registry import PluginRegistry
from plait.plugins.contracts import ComponentInfo, EncoderInfo

GOOD = """
from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import ComponentInfo

@hookimpl
def register_components(register):
    register(ComponentInfo(name="{name}", task="tagging", factory="tagger",
                           config={{"model": {{"@architectures": "spacy.Tagger.v2", "tok2vec": {{}}}}}}))

@hookimpl
def register_commands(cli):
    @cli.command("{name}-hello")
    def hello():
        print("hello from {name}")
"""

BROKEN_IMPORT = """
raise RuntimeError("this plugin is broken on purpose")
"""

MISSPELLED = """
from plait.plugins.hookspecs import hookimpl

@hookimpl
def register_componnets(register):
    pass
"""

RAISES_IN_HOOK = """
from plait.plugins.hookspecs import hookimpl

@hookimpl
def register_components(register):
    raise ValueError("boom inside the hook")
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Four throwaway plugin distributions, really pip-installed into one target folder."""
    root = tmp_path_factory.mktemp("dists")
    target = tmp_path_factory.mktemp("site")
    for dist, module, body in [
        ("plait-good", "plait_good", GOOD.format(name="goodtag")),
        ("plait-broken", "plait_broken", BROKEN_IMPORT),
        ("plait-typo", "plait_typo", MISSPELLED),
        ("plait-raiser", "plait_raiser", RAISES_IN_HOOK),
    ]:
        pip_install_target(write_plugin_dist(root, dist, module, body, version="1.2.3"), target)
    return target


def _report(site, env=None):
    result = run_plait("plugins", "--json", pythonpath=site, env=env)
    report = json.loads(result.stdout)
    assert result.returncode == (1 if report["failures"] else 0), result.stderr  # 1: any failed
    return report


def test_installed_plugin_is_discovered_and_broken_ones_are_isolated(site):
    report = _report(site)
    by_name = {p["name"]: p for p in report["plugins"]}
    assert by_name["plait_good"]["distribution"] == "plait-good"
    assert by_name["plait_good"]["version"] == "1.2.3"
    assert by_name["plait_good"]["provides"] == {"component": ["goodtag"]}
    assert by_name["encoders"]["provides"]["encoder"] == ["minilm-l6", "tiny-random"]
    failures = {f["plugin"]: f for f in report["failures"]}
    assert failures["plait_broken"]["stage"] == "import"
    assert failures["plait_broken"]["distribution"] == "plait-broken"
    assert failures["plait_broken"]["version"] == "1.2.3"
    assert "broken on purpose" in failures["plait_broken"]["error"]
    assert "register_componnets (did you mean register_components?)" in failures["plait_typo"]["error"]
    assert "boom inside the hook" in failures["plait_raiser"]["error"]


def test_plugin_command_is_added_to_cli_despite_broken_plugins(site):
    result = run_plait("goodtag-hello", pythonpath=site)
    assert result.returncode == 0, result.stderr
    assert "hello from goodtag" in result.stdout


def test_allow_list_and_block_list(site):
    only = _report(site, env={"PLAIT_LOAD_PLUGINS": "plait-good"})
    assert [p["name"] for p in only["plugins"]] == ["plait_good"]
    assert only["failures"] == []
    assert only["skipped"]["plait_broken"].startswith("not in PLAIT_LOAD_PLUGINS")
    none = _report(site, env={"PLAIT_LOAD_PLUGINS": ""})
    assert none["plugins"] == []
    blocked = _report(site, env={"PLAIT_BLOCK_PLUGINS": "plait_broken,plait-typo"})
    assert {f["plugin"] for f in blocked["failures"]} == {"plait_raiser"}
    assert "blocked" in blocked["skipped"]["plait_typo"]


def test_two_distributions_claiming_one_name_is_an_error_naming_both(tmp_path):
    root, target = tmp_path / "d", tmp_path / "site"
    for dist, module in [("plait-one", "plait_one"), ("plait-two", "plait_two")]:
        pip_install_target(write_plugin_dist(root, dist, module, GOOD.format(name="clash")), target)
    report = _report(target)
    errors = [f["error"] for f in report["failures"]]
    assert len(errors) == 2
    assert all("plait-one" in e and "plait-two" in e and "'clash'" in e for e in errors)
    code = ("from plait.plugins.registry import get_registry\n"
            "try:\n    get_registry().component('clash')\n"
            "except Exception as e:\n    print(type(e).__name__, e)\n")
    import subprocess, sys, os
    env = dict(os.environ, PYTHONPATH=str(target))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.startswith("PluginError") and "plait-two" in out.stdout


def test_in_process_registry_validates_records():
    class Bad:
        @hookimpl
        def register_components(register):
            register(ComponentInfo(name="fine", task="x", factory="tagger"))
            register({"name": "Not A Name", "task": "x", "factory": "y"})

    class Good:
        @hookimpl
        def register_encoders(register):
            register(EncoderInfo(name="local-enc", resolve=lambda: "/nonexistent"))

    registry = PluginRegistry(entry_points=False)
    registry.add_plugin(Bad, "bad")
    registry.add_plugin(Good, "good")
    assert registry.components() == {}  # nothing half-registered from a failing hook
    assert [f.plugin for f in registry.failures] == ["bad"]
    assert "name" in registry.failures[0].error
    assert list(registry.encoders()) == ["local-enc"]


def test_unknown_names_list_known_ones_and_suggest():
    registry = PluginRegistry()
    with pytest.raises(UnknownNameError) as err:
        registry.encoder("minilm-l5")
    assert "minilm-l6" in str(err.value) and "tiny-random" in str(err.value)
    assert "Did you mean 'minilm-l6'" in str(err.value)
    with pytest.raises(PluginError):
        registry.load()
        registry.add_plugin(object(), "late")
