"""A pipe whose output has no contract because its plugin failed to register (a misspelled hook) is
refused with a coded error naming the pipe and the plugin's failure: its output never vanishes from
the results silently (issue 30). A real throwaway distribution is pip-installed into a --target folder
and used from fresh processes, as a user's plugin would be."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from plaittest import factory_entry_point, pip_install_target, run_plait, write_plugin_dist

TYPO_PLUGIN = """
from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import ComponentInfo, OutputInfo

@hookimpl
def register_component(register):  # misspelled: the hook is register_components
    register(ComponentInfo(name="urgency", task="urgency", factory="urgency_factory", config={},
                           listener_path=None, needs_labels=False))
"""
TYPO_FACTORY = """
from spacy.language import Language


@Language.factory("urgency_factory", assigns=["doc.user_data"])
def make(nlp, name):
    def urgency(doc):
        doc.user_data["urgency"] = 1.0
        return doc
    return urgency
"""
BUILD = """
import sys, spacy
nlp = spacy.blank("en")
for pipe in sys.argv[2:]:
    nlp.add_pipe(pipe)
nlp.to_disk(sys.argv[1])
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("dists")
    target = tmp_path_factory.mktemp("site")
    pip_install_target(write_plugin_dist(root, "plait-urgency", "plait_urgency", TYPO_PLUGIN,
                                         ep_name="urgency", files={"factory.py": TYPO_FACTORY},
                                         extra_eps=factory_entry_point("urgency_factory",
                                                                       "plait_urgency")), target)
    return target


def _build(site, path, *pipes):
    env = dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    subprocess.run([sys.executable, "-c", BUILD, str(path), *pipes], check=True, env=env,
                   capture_output=True, text=True)


def test_a_pipe_of_a_plugin_with_a_misspelled_hook_is_refused_not_dropped(site, tmp_path):
    model = tmp_path / "model"
    _build(site, model, "sentencizer", "urgency_factory")
    records = tmp_path / "in.jsonl"
    records.write_text("".join(json.dumps({"id": i, "text": f"Call me now {i}."}) + "\n"
                               for i in range(3)), encoding="utf8")
    out = tmp_path / "out.jsonl"
    proc = run_plait("run", str(model), str(records), "-o", str(out), pythonpath=site)
    assert proc.returncode != 0, proc.stdout
    text = proc.stdout + proc.stderr
    assert "[E200]" in text and "urgency_factory" in text and "register_component" in text, text
    assert "Traceback" not in text
    assert not out.exists() or out.read_text() == ""  # nothing written as if it had worked


def test_pipes_of_healthy_distributions_still_run_beside_the_broken_plugin(site, tmp_path):
    model = tmp_path / "model"
    _build(site, model, "sentencizer")
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"id": 1, "text": "One. Two."}) + "\n", encoding="utf8")
    out = tmp_path / "out.jsonl"
    proc = run_plait("run", str(model), str(records), "-o", str(out), pythonpath=site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(out.read_text())["id"] == 1


def test_an_unknown_component_names_the_plugin_that_failed_to_register(site):
    # the contract suite after a hook typo: E004 says which plugin failed (E005) and why
    code = ("from plait.plugins.registry import get_registry\n"
            "try:\n    get_registry().component('urgency')\n"
            "except Exception as exc:\n    print(exc)\n")
    env = dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.startswith("[E004] Unknown component 'urgency'"), out.stdout + out.stderr
    assert "'urgency' (distribution plait-urgency) failed to validate" in out.stdout
    assert "[E005]" in out.stdout and "register_component" in out.stdout


BROKEN_FACTORY = """
raise ImportError("urgency_model is not installed (this plugin's own dependency)")
"""


def test_run_on_a_model_whose_plugin_fails_to_import_names_the_cause(site, tmp_path_factory,
                                                                     tmp_path):
    # built while the plugin worked; run after its factory module fails to import: the coded
    # cause (E071, as compose gives it), not spaCy's "add the decorator @Language.factory"
    broken = tmp_path_factory.mktemp("broken-site")
    pip_install_target(write_plugin_dist(tmp_path_factory.mktemp("broken"), "plait-urgency",
                                         "plait_urgency", "", ep_name="urgency",
                                         files={"factory.py": BROKEN_FACTORY},
                                         extra_eps=factory_entry_point("urgency_factory",
                                                                       "plait_urgency")), broken)
    model = tmp_path / "model"
    _build(site, model, "sentencizer", "urgency_factory")
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"id": 1, "text": "Call me."}) + "\n", encoding="utf8")
    proc = run_plait("run", str(model), str(records), "-o", str(tmp_path / "out.jsonl"),
                     pythonpath=broken)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1, text
    assert "[E071]" in text and "urgency_factory" in text and "urgency_model is not installed" in text
    assert "plait-urgency" in text and "Traceback" not in text and "@Language.factory" not in text
    assert len([line for line in proc.stderr.splitlines() if "[E" in line]) == 1
