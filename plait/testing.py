"""Testing components on the shared transformer with the tiny random encoder; a pytest plugin.

For plugin authors' tests (the built-in plugins use them): a pipeline with a ``transformer`` over the
``tiny-random`` encoder, a component added to it as the composer adds it (:func:`component_pipeline`),
a few-step overfit helper (:func:`overfit`) and the contract suite (:func:`check_component`) every
component should pass, and Plait's CLI against a pipeline holding a component (:class:`PlaitCLI`:
``plait run`` in process, ``plait serve`` on a free port, as pytest's ``pytester`` runs pytest).
Installed as a pytest plugin (``pytest11`` entry point ``plait``), it gives the fixtures
``plait_tiny_nlp``, ``plait_component_pipeline``, ``plait_overfit``, ``plait_contract`` and
``plait_cli``. See docs/plugin-authors.md.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from plait.errors import Errors, PlaitRuntimeError
from plait.training.compose import listener_config

#: What the composer puts at a component's ``listener_path``.
LISTENER: Dict[str, Any] = listener_config()


def transformer_config(encoder: str = "tiny-random", window: int = 64, stride: int = 48
                       ) -> Dict[str, Any]:
    """Config of a ``transformer`` component over a named encoder (``nlp.add_pipe(..., config=)``)."""
    return {"model": {
        "@architectures": "plait.Transformer.v1", "encoder": encoder,
        "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1", "window": window,
                      "stride": stride}}}


#: The tiny-random transformer with 64-wordpiece windows.
TRANSFORMER: Dict[str, Any] = transformer_config()


def tiny_pipeline(lang: str = "en", *, sentencizer: bool = False, encoder: str = "tiny-random"):
    """A blank pipeline with (optionally) a sentencizer and a shared ``transformer``."""
    import spacy

    nlp = spacy.blank(lang)
    if sentencizer:
        nlp.add_pipe("sentencizer")
    nlp.add_pipe("transformer", config=transformer_config(encoder))
    return nlp


# -- building and training a component as composed ------------------------------------------------
Datum = Union[Tuple[str, Dict[str, Any]], Tuple[str, Dict[str, Any], Dict[str, Any]]]


def component_pipeline(component: Union[str, Any], *, registry: Any = None, encoder: str = "tiny-random",
                       config: Optional[Dict[str, Any]] = None, sentencizer: Optional[bool] = None):
    """A tiny pipeline with ``component`` (a registered component's name, or its ``ComponentInfo``)
    added exactly as the composer adds it: its registered config fragment (updated with ``config``)
    and the shared transformer's listener at its ``listener_path``. Returns ``(nlp, info)``."""
    from plait.training.compose import _merge, _set_path

    info = _info(component, registry)
    needs_sents = info.needs_sentences if sentencizer is None else sentencizer
    nlp = tiny_pipeline(sentencizer=needs_sents, encoder=encoder)
    fragment = copy.deepcopy(dict(info.config))
    _merge(fragment, config or {}, where="<test>", pipe=info.name)
    if info.listener_path:
        _set_path(fragment, info.listener_path, listener_config(), where="<test>", pipe=info.name)
    nlp.add_pipe(info.factory, name=info.name, config=fragment)
    return nlp, info


def make_examples(nlp: Any, data: Sequence[Datum]) -> List[Any]:
    """spaCy Examples from ``(text, annotations)`` or ``(text, annotations, user_data)`` tuples
    (``annotations`` as :meth:`spacy.training.Example.from_dict`; ``user_data`` is put on the
    reference doc, e.g. ``{"plait.summary": "..."}``)."""
    from spacy.training import Example

    examples = []
    for item in data:
        text, annotations = item[0], item[1]
        example = Example.from_dict(nlp.make_doc(text), dict(annotations))
        if len(item) > 2:
            example.reference.user_data.update(item[2])  # type: ignore[misc]
        examples.append(example)
    return examples


def initialize(nlp: Any, examples: Sequence[Any], *, labels: Optional[Dict[str, Sequence[str]]] = None
               ) -> Any:
    """``nlp.initialize`` on ``examples``; ``labels``: pipe name -> labels (as a composed config's
    ``[initialize.components.<name>] labels``)."""
    for pipe, pipe_labels in (labels or {}).items():
        nlp.config["initialize"]["components"][pipe] = {"labels": list(pipe_labels)}
    return nlp.initialize(lambda: examples)


def overfit(nlp: Any, examples: Sequence[Any], *, steps: int = 20, learn_rate: float = 1e-3,
            drop: float = 0.0) -> Dict[str, List[float]]:
    """Update ``nlp`` on the same examples ``steps`` times (Adam); the loss of every pipe per step."""
    from thinc.api import Adam

    optimizer = Adam(learn_rate)
    history: Dict[str, List[float]] = {}
    for _ in range(steps):
        losses: Dict[str, float] = {}
        nlp.update(list(examples), sgd=optimizer, drop=drop, losses=losses)
        for pipe, loss in losses.items():
            history.setdefault(pipe, []).append(float(loss))
    return history


# -- the contract suite ---------------------------------------------------------------------------
LONG_SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank."


def check_component(component: Union[str, Any], data: Sequence[Datum], *,
                    labels: Optional[Sequence[str]] = None, steps: int = 25, learn_rate: float = 1e-3,
                    long_tokens: int = 2000, dist: Optional[str] = None, registry: Any = None,
                    config: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The plugin contract: what every component must do to work in Plait like the built-ins.

    On a tiny pipeline built as the composer builds it (the shared transformer over ``tiny-random``,
    the component behind the transformer's listener), it checks that the component

    - declares how ``plait data import`` writes its gold (``ComponentInfo.gold``): on every example
      with its annotation, ``GoldInfo.read`` gives gold of a shape it ``accepts``, and
      ``GoldInfo.annotate`` puts that gold on a fresh doc so that ``read`` gives it back and the
      component's loss is the same as on the example (the importer writes what the component trains
      on);
    - initializes from ``data`` (``labels``, when given, as a composed config's initialize block),
    - overfits a handful of examples: its loss falls, and (behind the listener) the shared
      transformer's weights move, so gradients flow through the listener;
    - (behind the listener) completes the listener's backward pass on a batch that has none of its
      annotations, as another task's batch of a multi-task corpus has: the last listener's
      backward is what backpropagates every component's gradient into the shared encoder, so a
      component that skips such batches silently stops the others' fine-tuning there;
    - survives an empty doc and a very long one (``long_tokens``);
    - gives, through its output contract (``ComponentInfo.output``), a value that is plain JSON and
      valid against the contract's schema, after ``read`` and after ``merge``;
    - declares its scores (its factory's ``default_score_weights``, the ``SCORE_WEIGHTS`` of its
      defaults) and its scorer returns every one of them: ``spacy train`` looks up each declared
      key (more keys, e.g. diagnostics for ``plait evaluate``, are fine);
    - gives the same outputs after a disk round-trip (``nlp.to_disk`` then ``spacy.load``);
    - (``dist``: its distribution's name) imports nothing heavy when spaCy or Plait imports its
      entry-point modules (checked in a child process, see :func:`check_light_entry_points`).

    Raises ``AssertionError`` naming the failed check; returns what it measured (losses, outputs).
    """
    import tempfile

    import spacy
    from spacy.training import Example

    nlp, info = component_pipeline(component, registry=registry, config=config)
    name = info.name
    examples = make_examples(nlp, data)
    initialize(nlp, examples, labels={name: labels} if labels else None)
    _check_gold(nlp, info, examples)
    before = _transformer_weights(nlp)
    history = overfit(nlp, examples, steps=steps, learn_rate=learn_rate)
    losses = history.get(name, [])
    assert losses, f"component '{name}' reported no loss in nlp.update (losses[{name!r}])"
    assert losses[-1] < losses[0], (f"component '{name}' did not overfit {len(examples)} examples "
                                    f"in {steps} steps: loss {losses[0]:.4g} -> {losses[-1]:.4g}")
    if info.listener_path and before is not None:
        after = _transformer_weights(nlp)
        assert after is not None and not _same(before, after), (
            f"component '{name}' trained, but the shared transformer did not change: no gradient "
            f"reaches it through the listener at '{info.listener_path}'")
        _check_unannotated_batch(nlp, name, [ex.reference.text for ex in examples])
    texts = [ex.reference.text for ex in examples]
    long_text = " ".join([LONG_SENTENCE] * max(1, long_tokens // 14))
    outputs = {}
    for label, text in [("example", texts[0]), ("empty", ""), ("long", long_text)]:
        doc = nlp(text)
        outputs[label] = _check_output(info, doc, text)
    predicted = list(nlp.pipe(texts))
    values = [_check_output(info, doc, text) for doc, text in zip(predicted, texts)]
    _check_score_keys(nlp, name, [Example(doc, ex.reference) for doc, ex in zip(predicted, examples)])
    with tempfile.TemporaryDirectory(prefix="plait-contract-") as tmp:
        nlp.to_disk(tmp)
        loaded = spacy.load(tmp)
        again = [_check_output(info, doc, text) for doc, text in zip(loaded.pipe(texts), texts)]
    assert _close(values, again), (f"component '{name}' gives other outputs after a disk round-trip:"
                                   f" {values!r} != {again!r}")
    if dist:
        check_light_entry_points(dist)
    return {"losses": history, "outputs": outputs, "values": values}


def _check_gold(nlp: Any, info: Any, examples: Sequence[Any]) -> None:
    """``ComponentInfo.gold`` is declared, and its ``read``/``annotate`` follow the component's gold
    convention on ``examples`` (see :func:`check_component`)."""
    from spacy.training import Example

    name, gold = info.name, info.gold
    assert gold is not None, (
        f"component '{name}' declares no gold (ComponentInfo.gold, a GoldInfo): `plait data import "
        f"--task {info.task}` can't write its training data (see docs/plugin-authors.md)")
    found = [(ex, gold.read(ex.reference)) for ex in examples]
    found = [(ex, got) for ex, got in found if got is not None]
    assert found, (f"GoldInfo.read of component '{name}' finds no gold on any example: it must read "
                   "the annotation the component trains on")
    pipe = nlp.get_pipe(name)
    remade = []
    for ex, got in found:
        assert got.shape in gold.accepts, (f"GoldInfo.read of component '{name}' gives {got.shape} "
                                           f"gold, but it accepts {', '.join(gold.accepts)}")
        doc = nlp.make_doc(ex.reference.text)
        doc.user_data.update(ex.reference.user_data)  # what the data gave beside the annotation
        gold.annotate(doc, got)
        again = gold.read(doc)
        assert again is not None and again.key() == got.key(), (
            f"GoldInfo.annotate then read of component '{name}' changes the gold: {got!r} -> "
            f"{again!r} (on {ex.reference.text[:60]!r})")
        remade.append(Example(nlp.make_doc(ex.reference.text), doc))
    originals = [Example(nlp.make_doc(ex.reference.text), ex.reference) for ex, _ in found]
    docs = [ex.predicted for ex in originals]
    if not any(len(doc) for doc in docs):
        return
    scores = pipe.model.predict(docs)
    want, _ = pipe.get_loss(originals, scores)
    got_loss, _ = pipe.get_loss(remade, scores)
    assert abs(float(want) - float(got_loss)) <= 1e-4 * max(1.0, abs(float(want))), (
        f"component '{name}' trains on other gold than GoldInfo.annotate writes: its loss is "
        f"{float(want):.6g} on the examples and {float(got_loss):.6g} on the same gold written by "
        "annotate (make annotate write where the component's get_loss reads)")


def _check_score_keys(nlp: Any, name: str, examples: Sequence[Any]) -> None:
    """The pipe's scorer returns every key of its factory's ``default_score_weights`` (more, such as
    diagnostics for ``plait evaluate``, are fine)."""
    declared = set(nlp.get_pipe_meta(name).default_score_weights or {})
    keys = set(nlp.get_pipe(name).score(list(examples)))
    assert declared, (f"the factory of component '{name}' declares no scores "
                      "(default_score_weights, SCORE_WEIGHTS of its defaults): spacy train and "
                      "plait train would select checkpoints on nothing")
    missing = sorted(declared - keys)
    assert not missing, (f"the scorer of component '{name}' does not return {', '.join(missing)}, "
                         "which its factory declares (default_score_weights, SCORE_WEIGHTS of its "
                         f"defaults): spacy train looks each one up (it returns {sorted(keys)})")


def _check_unannotated_batch(nlp: Any, name: str, texts: Sequence[str]) -> None:
    """An update on examples without annotations must still call the listener's backward."""
    from spacy.training import Example

    listeners = getattr(nlp.get_pipe("transformer"), "listeners", [])
    if not listeners:
        return
    blank = [Example(nlp.make_doc(text), nlp.make_doc(text)) for text in texts]
    nlp.update(blank, sgd=None, losses={})
    pending = [listener for listener in listeners if listener._outputs is not None]
    assert not pending, (
        f"component '{name}' skipped the shared transformer's backward pass on a batch without its "
        "annotations: in update(), run the model forward and call its backprop (a zero gradient is "
        "fine) on every batch with tokens; the last listener's backward carries every component's "
        "gradient into the encoder")


def _info(component: Union[str, Any], registry: Any) -> Any:
    if not isinstance(component, str):
        return component
    if registry is None:
        from plait.plugins.registry import get_registry

        registry = get_registry()
    return registry.component(component)


def _transformer_weights(nlp: Any) -> Optional[List[float]]:
    if "transformer" not in nlp.pipe_names:
        return None
    try:  # spacy-transformers' TransformerModel.transformer: the Hugging Face model
        params = list(nlp.get_pipe("transformer").model.transformer.parameters())
    except (IndexError, AttributeError):
        return None
    # One number per parameter tensor (its sum, in float64): a step moves some of each layer's
    # weights, while any single slice (the padding token's embedding, an unused pooler) may stay.
    return [float(param.detach().double().sum()) for param in params] or None


def _same(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(x == y for x, y in zip(a, b))


def _close(a: Any, b: Any, tol: float = 1e-4) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= tol
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], tol) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b))
    return a == b


def _check_output(info: Any, doc: Any, text: str) -> Any:
    """The component's final value on ``doc`` (read, then merged as one segment), checked."""
    import json

    output = getattr(info, "output", None)
    assert output is not None, (f"component '{info.name}' declares no output contract "
                                "(ComponentInfo.output): its results never reach plait.process")
    from plait.runtime.outputs import Part, default_merge

    value = output.read(doc, info.name)
    if value is None:
        return None
    merge = output.merge or default_merge(output.view)
    warnings: List[str] = []
    value = merge([Part(0, value, len(text))], text, warnings)
    from plait.runtime.outputs import check_value

    problems = check_value(output, value)  # JSON, python_type and schema (plait.runtime.outputs)
    assert not problems, (f"output of '{info.name}' breaks its contract: {'; '.join(problems)} "
                          f"(value {value!r})")
    from plait.runtime.outputs import plain

    return json.loads(json.dumps(plain(value)))


#: Modules an entry-point module must not pull in (beyond what ``import spacy`` already loaded).
HEAVY = ("torch", "transformers", "spacy_transformers", "tokenizers")

_LIGHT_PROBE = r"""
import importlib, json, sys
import spacy  # what spaCy itself loads is the baseline
before = {m.split(".")[0] for m in sys.modules}
for module in json.loads(sys.argv[1]):
    importlib.import_module(module)
new = {m.split(".")[0] for m in sys.modules} - before
print(json.dumps(sorted(new & set(json.loads(sys.argv[2])))))
"""


def entry_point_modules(dist: str) -> List[str]:
    """The modules of ``dist``'s ``plait`` and ``spacy_*`` entry points."""
    from importlib import metadata

    eps = metadata.distribution(dist).entry_points
    return sorted({ep.value.split(":")[0] for ep in eps
                   if ep.group == "plait" or ep.group.startswith("spacy_")})


def check_light_entry_points(dist: str, heavy: Sequence[str] = HEAVY) -> None:
    """Importing ``dist``'s entry-point modules (what spaCy does whenever a ``Language`` is made, and
    Plait when it loads plugins) imports none of ``heavy`` beyond ``import spacy``: checked in a
    child process."""
    import json
    import subprocess
    import sys

    modules = entry_point_modules(dist)
    assert modules, f"distribution '{dist}' declares no plait or spacy_* entry points"
    res = subprocess.run([sys.executable, "-c", _LIGHT_PROBE, json.dumps(modules),
                          json.dumps(list(heavy))], capture_output=True, text=True)
    assert res.returncode == 0, f"importing the entry-point modules of {dist} failed:\n{res.stderr}"
    loaded = json.loads(res.stdout.strip().splitlines()[-1])
    assert loaded == [], (f"the entry-point modules of {dist} ({', '.join(modules)}) import "
                          f"{', '.join(loaded)}: keep them tiny and import heavy modules in the factory "
                          "(see plait.plugins.lazy)")


# -- the CLI, as a user runs it (pytest's ``pytester`` for plugin authors) ---------------------------
HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A TCP port nothing listens on now."""
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class CliResult:
    """What a ``plait`` command gave: ``exit_code``, ``stdout``, ``stderr``; for ``plait run``, the
    written ``records`` (dicts) and ``rejects`` (the rejects file's lines)."""

    def __init__(self, exit_code: int, stdout: str, stderr: str, records: Optional[List[Any]] = None,
                 rejects: Optional[List[Any]] = None) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr
        self.records: List[Any] = records or []
        self.rejects: List[Any] = rejects or []

    def __repr__(self) -> str:
        return (f"CliResult(exit_code={self.exit_code}, records={len(self.records)}, "
                f"rejects={len(self.rejects)}, stderr={self.stderr[-500:]!r})")


class PlaitServer:
    """``python -m plait serve MODEL ARGS`` in a fresh process on a free 127.0.0.1 port (entry points
    found as a user's would be), polled until ``/v1/ready`` answers, stopped with SIGTERM. A context
    manager; :meth:`client` is an ``httpx.Client`` on it, :meth:`process` posts records."""

    def __init__(self, model: Any, *args: str, env: Optional[Dict[str, str]] = None,
                 code: Sequence[Any] = (), ready_timeout: float = 180.0) -> None:
        import os
        import subprocess
        import sys
        import tempfile
        from pathlib import Path

        self.model = model
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                    "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **(env or {})}
        cmd = [sys.executable, "-m", "plait", "serve", str(model), "--port", str(self.port),
               "--log-level", "warning", *[a for c in code for a in ("--code", str(c))], *args]
        self.log = open(Path(tempfile.gettempdir()) / f"plait-serve-{self.port}.log", "w+",
                        encoding="utf8")
        self.proc = subprocess.Popen(cmd, env=full_env, stdout=self.log, stderr=subprocess.STDOUT,
                                     text=True)
        self._wait_ready(ready_timeout)

    def _wait_ready(self, timeout: float) -> None:
        import time

        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PlaitRuntimeError(Errors.E239.format(
                    why=f"exited with {self.proc.returncode} before it was ready", model=self.model,
                    output=self.output()))
            try:
                if httpx.get(self.url + "/v1/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        output = self.output()
        self.stop()
        raise PlaitRuntimeError(Errors.E239.format(why=f"was not ready within {timeout:g} s",
                                                   model=self.model, output=output))

    def output(self) -> str:
        """What the server printed so far."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def client(self, **kwargs: Any) -> Any:
        import httpx

        return httpx.Client(base_url=self.url, timeout=kwargs.pop("timeout", 60), **kwargs)

    def process(self, records: Any, **kwargs: Any) -> Any:
        """``POST /v1/process`` with ``records`` (one record or a list); the ``httpx.Response``."""
        with self.client() as client:
            return client.post("/v1/process", json=records, **kwargs)

    def metric(self, name: str) -> float:
        """The sum of a metric's samples named exactly ``name`` (all label sets)."""
        import httpx

        text = httpx.get(self.url + "/metrics", timeout=10).text
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def terminate(self) -> None:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 60.0) -> int:
        import subprocess

        self.terminate()
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)
        finally:
            self.log.close()

    def __enter__(self) -> "PlaitServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class PlaitCLI:
    """Plait's CLI against a pipeline holding your component, as a user meets it (the ``plait_cli``
    fixture; files go under ``path``):

    - :meth:`pipeline` builds, trains a few steps and saves a tiny pipeline with the component (as
      composed, behind the shared ``tiny-random`` transformer);
    - :meth:`invoke` runs any ``plait`` command in this process (typer's runner);
    - :meth:`run` runs ``plait run`` on records and returns what it wrote;
    - :meth:`serve` starts ``plait serve`` on a free port (a :class:`PlaitServer`, a context manager).
    """

    def __init__(self, path: Any) -> None:
        from pathlib import Path

        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

    def pipeline(self, component: Union[str, Any], data: Sequence[Datum], *,
                 labels: Optional[Sequence[str]] = None, steps: int = 10, learn_rate: float = 1e-3,
                 config: Optional[Dict[str, Any]] = None, registry: Any = None,
                 name: str = "pipeline") -> Any:
        """A tiny pipeline with ``component`` initialized on ``data`` (as :func:`check_component`
        takes it), updated ``steps`` times, saved to ``path/name``; returns that folder."""
        nlp, info = component_pipeline(component, registry=registry, config=config)
        examples = make_examples(nlp, data)
        initialize(nlp, examples, labels={info.name: labels} if labels else None)
        if steps:
            overfit(nlp, examples, steps=steps, learn_rate=learn_rate)
        folder = self.path / name
        nlp.to_disk(folder)
        return folder

    def invoke(self, *args: Any) -> CliResult:
        """``plait ARGS`` in this process; an unexpected exception (not a coded error) is raised."""
        from typer.testing import CliRunner

        from plait.cli.app import build_app

        result = CliRunner().invoke(build_app(), [str(a) for a in args])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr)

    def run(self, model: Any, records: Sequence[Any], *args: Any, output: str = "out.jsonl"
            ) -> CliResult:
        """``plait run MODEL in.jsonl -o OUTPUT ARGS`` on ``records`` (dicts, or texts); the result
        has the written ``records`` and the ``rejects`` (JSONL output)."""
        import json

        src = self.path / "in.jsonl"
        src.write_text("".join(json.dumps(r if isinstance(r, dict) else {"text": r}) + "\n"
                               for r in records), encoding="utf8")
        out = self.path / output
        rejects = out.with_name(out.name + ".rejects.jsonl")  # plait run's default
        for stale in (out, rejects):
            if stale.exists():
                stale.unlink()
        result = self.invoke("run", model, src, "-o", out, "--no-progress", *args)
        if rejects.exists():
            result.rejects = [json.loads(x) for x in rejects.read_text("utf8").splitlines() if x]
        if out.exists() and out.suffix == ".jsonl":
            result.records = [json.loads(x) for x in out.read_text("utf8").splitlines() if x]
        return result

    def serve(self, model: Any, *args: str, env: Optional[Dict[str, str]] = None,
              ready_timeout: float = 180.0) -> PlaitServer:
        """``plait serve MODEL ARGS`` started on a free port (use it as a context manager)."""
        return PlaitServer(model, *args, env=env, ready_timeout=ready_timeout)


# -- pytest plugin (``pytest11`` entry point ``plait``) -----------------------------------------------
try:
    import pytest
except ImportError:  # the helpers above work without pytest
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def plait_tiny_nlp():
        """A blank English pipeline with a sentencizer and the shared ``tiny-random`` transformer."""
        return tiny_pipeline(sentencizer=True)

    @pytest.fixture
    def plait_component_pipeline():
        """``component_pipeline(component, ...)``: a component added as composed, behind the listener."""
        return component_pipeline

    @pytest.fixture
    def plait_overfit():
        """``overfit(nlp, examples, steps=20)``: a few Adam steps on the same examples; losses."""
        return overfit

    @pytest.fixture
    def plait_cli(tmp_path):
        """:class:`PlaitCLI` in the test's ``tmp_path``: build a pipeline with your component, then
        ``plait_cli.run(model, records)`` (``plait run``) or ``with plait_cli.serve(model) as
        server: server.process(records)`` (``plait serve``)."""
        return PlaitCLI(tmp_path / "plait-cli")

    @pytest.fixture
    def plait_contract():
        """``check_component(component, data, labels=..., dist=...)``: the plugin contract suite."""
        return check_component
