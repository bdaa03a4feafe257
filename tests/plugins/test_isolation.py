"""One broken plugin never breaks the others, even where spaCy loads plugins itself (issue 14).

Real throwaway distributions are pip-installed into a --target folder and used from fresh processes:

- ``plait-eager`` declares a component whose ``spacy_factories`` entry-point module raises on import
  (spaCy imports every such module whenever a ``Language`` is made);
- ``plait-lazyfail`` follows the tiny-entry-point pattern (``plait.plugins.lazy``): its heavy module is broken,
  but only pipelines that use its factory notice;
- ``plait-gone``'s ``plait`` entry point itself raises on import.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from plaittest import factory_entry_point, pip_install_target, run_plait, write_plugin_dist

EAGER_PLUGIN = """
from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import ComponentInfo

@hookimpl
def register_components(register):
    register(ComponentInfo(name="eager", task="tagging", factory="eager_factory", config={},
                           listener_path=None, needs_labels=False))
"""
EAGER_FACTORY = 'raise RuntimeError("eager factory module is broken on purpose")\n'

LAZY_FACTORY = """
from spacy.language import Language

from plait.plugins.lazy import lazy

build = lazy("plait_lazyfail.heavy:build")


@Language.factory("lazyfail_factory")
def make(nlp, name):
    from .heavy import make as real

    return real(nlp, name)
"""
LAZY_HEAVY = 'raise ImportError("the heavy module of lazyfail needs a missing dependency")\n'

GONE = 'raise RuntimeError("plugin module gone wrong")\n'

RAISER_PLUGIN = """
from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import ComponentInfo

@hookimpl
def register_components(register):
    register(ComponentInfo(name="raiser", task="tagging", factory="raiser_factory", config={},
                           listener_path=None, needs_labels=False))
"""
RAISER_FACTORY = """
from spacy.language import Language


@Language.factory("raiser_factory")
def make(nlp, name):
    raise ValueError("raiser cannot be built on purpose")
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("dists")
    target = tmp_path_factory.mktemp("site")
    pip_install_target(write_plugin_dist(root, "plait-eager", "plait_eager", EAGER_PLUGIN,
                                         version="0.3.0", ep_name="eager",
                                         files={"factory.py": EAGER_FACTORY},
                                         extra_eps=factory_entry_point("eager_factory",
                                                                       "plait_eager")), target)
    src = write_plugin_dist(root, "plait-lazyfail", "plait_lazyfail", "", extra_eps=textwrap.dedent("""
        [project.entry-points.spacy_factories]
        lazyfail_factory = "plait_lazyfail.factory:make"
        [project.entry-points.spacy_architectures]
        "lazyfail.v1" = "plait_lazyfail.factory:build"
    """))
    (src / "plait_lazyfail" / "factory.py").write_text(LAZY_FACTORY, encoding="utf8")
    (src / "plait_lazyfail" / "heavy.py").write_text(LAZY_HEAVY, encoding="utf8")
    pip_install_target(src, target)
    pip_install_target(write_plugin_dist(root, "plait-gone", "plait_gone", GONE, ep_name="gone"),
                       target)
    pip_install_target(write_plugin_dist(root, "plait-raiser", "plait_raiser", RAISER_PLUGIN,
                                         ep_name="raiser", files={"factory.py": RAISER_FACTORY},
                                         extra_eps=factory_entry_point("raiser_factory",
                                                                       "plait_raiser")), target)
    return target


def _python(code: str, site) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
               HF_HUB_OFFLINE="1")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env)


def test_plugins_reports_spacy_entry_point_failures_and_exits_nonzero(site):
    res = run_plait("plugins", "--json", pythonpath=site)
    assert res.returncode == 1, res.stderr
    report = json.loads(res.stdout)
    failures = {f["plugin"]: f for f in report["failures"]}
    eager = failures["eager"]
    assert eager["distribution"] == "plait-eager" and eager["version"] == "0.3.0"
    assert "spacy_factories" in eager["stage"] and "eager_factory" in eager["stage"]
    assert "eager factory module is broken on purpose" in eager["error"]
    assert {p["name"]: p["ok"] for p in report["plugins"]}["eager"] is False
    assert "plugin module gone wrong" in failures["gone"]["error"]
    # the tiny entry-point module imports fine (bare spaCy keeps working, see below), but its
    # factory can't be built: the child probe builds every factory, so the plugin is not [ok]
    lazy = failures["plait_lazyfail"]
    assert "building the factory" in lazy["error"] and "missing dependency" in lazy["error"]
    text = run_plait("plugins", pythonpath=site)
    assert text.returncode == 1
    assert "eager (plait-eager 0.3.0)" in text.stdout and "broken on purpose" in text.stdout


def test_doctor_reports_the_failing_plugin(site):
    res = run_plait("doctor", "--json", pythonpath=site)
    assert res.returncode == 1
    checks = [c for c in json.loads(res.stdout) if c["check"] == "plugin eager" and not c["ok"]
              and "broken" in c["detail"]]
    assert checks and "plait-eager" in checks[0]["detail"]
    assert "broken on purpose" in checks[0]["detail"]


def test_plait_processes_still_make_pipelines(site):
    """In a process that uses Plait, spacy.blank works and the broken factory is named once."""
    res = _python("""
        import warnings, spacy, plait
        from plait.plugins.isolation import isolate_spacy_plugins
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            failures = isolate_spacy_plugins()
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        print([f.name for f in failures], len(list(nlp("One. Two.").sents)))
        print([str(w.message) for w in caught])
    """, site)
    assert res.returncode == 0, res.stderr
    first, second = res.stdout.splitlines()
    assert first == "['eager_factory'] 2"
    assert "[W070]" in second and "plait-eager" in second and "broken on purpose" in second


def test_tiny_entry_point_modules_keep_bare_spacy_working(site):
    """No Plait at all: the lazy plugin's broken heavy module only matters when its factory runs."""
    res = _python("""
        import sys
        import catalogue
        from importlib.metadata import EntryPoints
        # leave out the eager plugin: a bare spaCy process can't survive it (spaCy's behaviour)
        eps = catalogue.AVAILABLE_ENTRY_POINTS
        class Without:
            def select(self, **kw):
                return EntryPoints(e for e in eps.select(**kw) if e.name != "eager_factory")
        catalogue.AVAILABLE_ENTRY_POINTS = Without()
        import spacy
        nlp = spacy.blank("en")
        print("plait_lazyfail.factory" in sys.modules, "plait_lazyfail.heavy" in sys.modules)
        try:
            nlp.add_pipe("lazyfail_factory")
        except ImportError as exc:
            print("ImportError", exc)
    """, site)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "True False"
    assert lines[1].startswith("ImportError") and "missing dependency" in lines[1]


def test_compose_of_builtins_works_and_a_failed_plugin_is_named(site, tmp_path):
    good = tmp_path / "good.yml"
    good.write_text("name: ok\nencoder: tiny-random\ncomponents:\n  - component: textcat\n"
                    "    labels: [A, B]\ntraining:\n  max_steps: 20\n", encoding="utf8")
    res = run_plait("compose", str(good), "-o", str(tmp_path / "good.cfg"), pythonpath=site,
                    env={"HF_HUB_OFFLINE": "1"})
    assert res.returncode == 0, res.stderr
    assert "W070" in res.stderr and "eager_factory" in res.stderr
    for component, plugin, why in [("eager", "eager", "broken on purpose"),
                                   ("gone", "gone", "plugin module gone wrong")]:
        spec = tmp_path / f"{component}.yml"
        spec.write_text(f"name: bad\nencoder: tiny-random\ncomponents:\n  - component: {component}\n",
                        encoding="utf8")
        res = run_plait("compose", str(spec), "-o", str(tmp_path / "bad.cfg"), pythonpath=site)
        assert res.returncode == 1
        assert f"plugin '{plugin}' failed to load:" in res.stderr and why in res.stderr
        assert "[E071]" in res.stderr and "is not installed" not in res.stderr


def test_a_factory_that_raises_when_built_is_a_failure_of_its_plugin(site, tmp_path):
    """Its module imports; building it raises: `plait plugins` and `doctor` say so (exit 1), and
    compose names the component and plugin in one coded line, not spaCy's traceback."""
    res = run_plait("plugins", "--json", pythonpath=site)
    assert res.returncode == 1
    failures = {f["plugin"]: f for f in json.loads(res.stdout)["failures"]}
    assert "raiser cannot be built on purpose" in failures["raiser"]["error"]
    assert "building the factory" in failures["raiser"]["error"]
    res = run_plait("doctor", "--json", pythonpath=site)
    assert res.returncode == 1
    assert any(c["check"] == "plugin raiser" and not c["ok"] for c in json.loads(res.stdout))
    spec = tmp_path / "raiser.yml"
    spec.write_text("name: bad\nencoder: tiny-random\ncomponents:\n  - component: raiser\n",
                    encoding="utf8")
    res = run_plait("compose", str(spec), "-o", str(tmp_path / "bad.cfg"), pythonpath=site,
                    env={"HF_HUB_OFFLINE": "1"})
    assert res.returncode == 1
    assert "[E071]" in res.stderr and "raiser cannot be built on purpose" in res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "bad.cfg").exists()


def test_run_of_an_unrelated_model_works(site, tmp_path):
    import spacy

    model = tmp_path / "model"
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(model)
    records = tmp_path / "in.jsonl"
    records.write_text('{"id": "a", "text": "One. Two."}\n', encoding="utf8")
    res = run_plait("run", str(model), str(records), "-o", str(tmp_path / "out.jsonl"),
                    "--no-progress", pythonpath=site)
    assert res.returncode == 0, res.stderr
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in out] == ["a"]


def test_misspelled_hook_gets_a_suggestion():
    from plait.plugins.hookspecs import hookimpl
    from plait.plugins.registry import PluginRegistry

    class Typo:
        @hookimpl
        def register_encoder(register):
            pass

    registry = PluginRegistry(entry_points=False)
    registry.add_plugin(Typo, "typo")
    registry.load()
    assert "register_encoder (did you mean register_encoders?)" in registry.failures[0].error


def test_warmup_respects_the_step_budget(tmp_path):
    from plait.training.compose import compose
    from plait.errors import SpecError
    from plait.training.spec import load_spec

    spec = tmp_path / "s.yml"
    spec.write_text("name: s\nencoder: tiny-random\ncomponents:\n  - component: textcat\n"
                    "training:\n  max_steps: 20\n", encoding="utf8")
    schedule = compose(load_spec(spec), auto_fill=False)["training"]["optimizer"]["learn_rate"]
    assert schedule["warmup_steps"] == 2 and schedule["total_steps"] == 20
    spec.write_text("name: s\nencoder: tiny-random\ncomponents:\n  - component: textcat\n"
                    "training:\n  max_steps: 20\n  warmup_steps: 250\n", encoding="utf8")
    with pytest.raises(SpecError, match="warmup_steps .250. must be below max_steps .20."):
        load_spec(spec)


def test_run_help_shows_the_onnx_extra():
    res = run_plait("run", "--help", env={"COLUMNS": "300"})
    assert res.returncode == 0
    assert "pip install 'plait[onnx]'" in res.stdout
