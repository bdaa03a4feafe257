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
