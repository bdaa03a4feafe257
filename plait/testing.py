"""Testing components on the shared transformer with the tiny random encoder; a pytest plugin.

For plugin authors' tests (the built-in plugins use them): a pipeline with a ``transformer`` over the
``tiny-random`` encoder, a component added to it as the composer adds it (:func:`component_pipeline`),
a few-step overfit helper (:func:`overfit`) and the contract suite (:func:`check_component`) every
component should pass. Installed as a pytest plugin (``pytest11`` entry point ``plait``), it gives
the fixtures ``plait_tiny_nlp``, ``plait_component_pipeline``, ``plait_overfit`` and
``plait_contract``. See docs/plugin-authors.md.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

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
    - gives the same outputs after a disk round-trip (``nlp.to_disk`` then ``spacy.load``);
    - (``dist``: its distribution's name) imports nothing heavy when spaCy or Plait imports its
      entry-point modules (checked in a child process, see :func:`check_light_entry_points`).

    Raises ``AssertionError`` naming the failed check; returns what it measured (losses, outputs).
    """
    import tempfile

    import spacy

    nlp, info = component_pipeline(component, registry=registry, config=config)
    name = info.name
    examples = make_examples(nlp, data)
    initialize(nlp, examples, labels={name: labels} if labels else None)
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
    values = [_check_output(info, doc, text) for doc, text in zip(nlp.pipe(texts), texts)]
    with tempfile.TemporaryDirectory(prefix="plait-contract-") as tmp:
        nlp.to_disk(tmp)
        loaded = spacy.load(tmp)
        again = [_check_output(info, doc, text) for doc, text in zip(loaded.pipe(texts), texts)]
    assert _close(values, again), (f"component '{name}' gives other outputs after a disk round-trip:"
                                   f" {values!r} != {again!r}")
    if dist:
        check_light_entry_points(dist)
    return {"losses": history, "outputs": outputs, "values": values}


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
    def plait_contract():
        """``check_component(component, data, labels=..., dist=...)``: the plugin contract suite."""
        return check_component
