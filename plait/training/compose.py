"""Pipeline spec -> complete spaCy training config.

One shared ``transformer`` component (``plait.Transformer.v1`` naming the encoder), one
``spacy-transformers.TransformerListener.v1`` per component placed at the component's ``listener_path``,
each component's config fragment from its plugin, and robust training defaults: seed, learning-rate
warm-up, gradient clipping, best checkpoint, a NaN guard and dev-set tuning before every save.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from confection import Config

from plait.errors import Errors, PlaitError, SpecError
from plait.plugins.isolation import isolate_spacy_plugins
from plait.training.finetune import callback_config
from plait.plugins.registry import PluginRegistry, get_registry
from plait.training.spec import PipelineSpec, load_spec

TRANSFORMER = "transformer"
SENTENCIZER = "sentencizer"


def listener_config(grad_factor: float = 1.0) -> Dict[str, Any]:
    """The listener of the shared transformer, placed at each component's ``listener_path``."""
    return {
        "@architectures": "spacy-transformers.TransformerListener.v1",
        "grad_factor": grad_factor,
        "upstream": TRANSFORMER,
        "pooling": {"@layers": "reduce_mean.v1"},
    }


def _set_path(tree: Dict[str, Any], dotted: str, value: Any, *, where: str, pipe: str) -> None:
    keys = dotted.split(".")
    node = tree
    for key in keys[:-1]:
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        if not isinstance(child, dict):
            raise SpecError(Errors.E024.format(path=where, option=dotted, name=pipe, key=key))
        node = child
    node[keys[-1]] = value


def _merge(base: Dict[str, Any], options: Dict[str, Any], *, where: str, pipe: str,
           prefix: str = "") -> None:
    for key, value in options.items():
        full = f"{prefix}{key}"
        if "." in key:
            _set_path(base, key, copy.deepcopy(value), where=where, pipe=pipe)
        elif isinstance(value, dict) and isinstance(base.get(key), dict) and "@" not in "".join(value):
            _merge(base[key], value, where=where, pipe=pipe, prefix=full + ".")
        else:
            base[key] = copy.deepcopy(value)


def _raise_if_plugin_failed(registry: PluginRegistry, component: str, source: str) -> None:
    failure = registry.failure_for(component)
    if failure is not None:
        raise SpecError(Errors.E071.format(path=source, component=component, plugin=failure.plugin,
                                           dist=f"{failure.dist} {failure.version}".strip(),
                                           error=failure.error))


def compose(spec: Union[PipelineSpec, str, Path], *, registry: Optional[PluginRegistry] = None,
            source: str = "<spec>", auto_fill: bool = True) -> Config:
    """Compose a full spaCy training config from a pipeline spec (object or path)."""
    if not isinstance(spec, PipelineSpec):
        source = str(spec)
        spec = load_spec(spec)
    registry = registry or get_registry()
    isolate_spacy_plugins()
    infos = []
    for i, comp in enumerate(spec.components):
        try:
            info = registry.component(comp.component)
        except KeyError as exc:
            _raise_if_plugin_failed(registry, comp.component, source)
            raise SpecError(Errors.E074.format(source=source, i=i, exc=exc)) from None
        _raise_if_plugin_failed(registry, comp.component, source)
        infos.append((comp, info))
    needs_sents = any(info.needs_sentences for _, info in infos)
    pipeline: List[str] = ([SENTENCIZER] if needs_sents else []) + [TRANSFORMER]
    pipeline += [comp.pipe_name for comp, _ in infos]
    t, tr = spec.transformer, spec.training

    components: Dict[str, Any] = {}
    if needs_sents:
        components[SENTENCIZER] = {"factory": "sentencizer"}
    components[TRANSFORMER] = {
        "factory": "transformer",
        "max_batch_items": t.max_batch_items,
        "set_extra_annotations": {
            "@annotation_setters": "spacy-transformers.null_annotation_setter.v1"},
        "model": {
            "@architectures": "plait.Transformer.v1",
            "encoder": spec.encoder,
            "mixed_precision": t.mixed_precision,
            "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1",
                          "window": t.window, "stride": t.stride},
            "tokenizer_config": {"use_fast": True},
            "transformer_config": {},
            "grad_scaler_config": {},
        },
    }
    init_components: Dict[str, Any] = {}
    for comp, info in infos:
        fragment = copy.deepcopy(info.config)
        _merge(fragment, comp.options, where=source, pipe=comp.pipe_name)
        if info.listener_path:
            _set_path(fragment, info.listener_path, listener_config(spec.transformer.grad_factor), where=source,
                      pipe=comp.pipe_name)
        components[comp.pipe_name] = {"factory": info.factory, **fragment}
        if comp.labels:
            init_components[comp.pipe_name] = {"labels": list(comp.labels)}

    fine_tuning = _fine_tuning(tr, source)
    total_steps = max(tr.max_steps, tr.warmup_steps + 1, 1) if tr.max_steps else 20000
    cfg: Dict[str, Any] = {
        "paths": {"train": tr.train, "dev": tr.dev, "vectors": None, "init_tok2vec": None},
        "system": {"gpu_allocator": "pytorch", "seed": tr.seed},
        "nlp": {"lang": spec.lang, "pipeline": pipeline, "batch_size": 64, "disabled": [],
                "before_creation": None, "after_creation": None, "after_pipeline_creation": None,
                "tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}},
        "components": components,
        "corpora": {
            split: {"@readers": "spacy.Corpus.v1", "path": f"${{paths.{split}}}",
                    "max_length": tr.max_length if split == "train" else 0,
                    "gold_preproc": False, "limit": 0, "augmenter": None}
            for split in ("train", "dev")
        },
        "training": {
            "train_corpus": "corpora.train", "dev_corpus": "corpora.dev",
            "seed": "${system.seed}", "gpu_allocator": "${system.gpu_allocator}",
            "dropout": tr.dropout, "accumulate_gradient": tr.accumulate_gradient,
            "patience": tr.patience, "max_epochs": tr.max_epochs, "max_steps": tr.max_steps,
            "eval_frequency": tr.eval_frequency,
            "frozen_components": [TRANSFORMER] if tr.freeze_encoder else [],
            "annotating_components": ([SENTENCIZER] if needs_sents else [])
            + ([TRANSFORMER] if tr.freeze_encoder else []),
            "before_to_disk": ({"@misc": "plait.tune_on_dev.v1", "path": "${paths.dev}"}
                               if tr.tune_on_dev else None),
            "before_update": fine_tuning,
            "logger": {"@loggers": "plait.ConsoleLogger.v1",
                       "progress_bar": "train" if tr.max_steps else "eval"},
            "batcher": _batcher(tr),
            "optimizer": {"@optimizers": "Adam.v1", "beta1": 0.9, "beta2": 0.999,
                          "L2_is_weight_decay": True, "L2": 0.01, "grad_clip": tr.grad_clip,
                          "use_averages": False, "eps": 1e-8,
                          "learn_rate": {"@schedules": "warmup_linear.v1",
                                         "warmup_steps": tr.warmup_steps,
                                         "total_steps": total_steps,
                                         "initial_rate": tr.heads_rate}},
            "score_weights": {**({"sents_f": None, "sents_p": None, "sents_r": None}
                                 if needs_sents else {}), **tr.score_weights},
        },
        "pretraining": {},
        "initialize": {"vectors": "${paths.vectors}", "init_tok2vec": "${paths.init_tok2vec}",
                       "vocab_data": None, "lookups": None,
                       "before_init": ({"@callbacks": "plait.initialize_frozen.v1",
                                        "components": [TRANSFORMER]} if tr.freeze_encoder else None),
                       "after_init": None, "components": init_components, "tokenizer": {}},
    }
    config = Config(cfg)
    if not auto_fill:
        return config
    try:
        return fill(config)
    except PlaitError:
        raise
    except Exception as exc:
        # a factory that imports but raises when built: name the component and its plugin (the
        # child-process probe builds each factory with its defaults), never spaCy's traceback
        registry.check_spacy()
        for comp, _ in infos:
            _raise_if_plugin_failed(registry, comp.component, source)
        raise SpecError(Errors.E201.format(path=source, error=f"{type(exc).__name__}: {exc}")) from None


def _batcher(tr: Any) -> Dict[str, Any]:
    """``[training.batcher]``: spaCy's batch_by_words, or batch_by_padded (documents binned by length
    within a buffer, so a batch of short texts is not padded to a long one's windows)."""
    common = {"discard_oversize": False, "get_length": None,
              "size": {"@schedules": "compounding.v1", "start": tr.batch_words,
                       "stop": tr.batch_words_max or tr.batch_words, "compound": 1.001, "t": 0.0}}
    if tr.batch_by == "padded":
        return {"@batchers": "spacy.batch_by_padded.v1", "buffer": 256, **common}
    return {"@batchers": "spacy.batch_by_words.v1", "tolerance": 0.2, **common}


def _fine_tuning(tr: Any, source: str) -> Optional[Dict[str, Any]]:
    """The ``[training.before_update]`` of two-stage fine-tuning / per-group rates / memory trimming."""
    if tr.freeze_encoder:
        for key in ("head_steps", "encoder_learning_rate", "encoder_trainable_layers"):
            if getattr(tr, key):
                raise SpecError(Errors.E152.format(path=source, key=key))
        return callback_config(head_steps=0, head_rate=1.0, encoder_rate=1.0, encoder_warmup_steps=0,
                               encoder=TRANSFORMER, trim_memory=tr.trim_memory)
    warmup = tr.encoder_warmup_steps
    if warmup is None:
        warmup = tr.warmup_steps if tr.head_steps else 0
    return callback_config(head_steps=tr.head_steps, head_rate=tr.heads_rate,
                           encoder_rate=tr.encoder_rate, encoder_warmup_steps=warmup,
                           encoder=TRANSFORMER, feature_cache_mb=tr.head_cache_mb,
                           trim_memory=tr.trim_memory,
                           trainable_layers=tr.encoder_trainable_layers or 0)


def fill(config: Config) -> Config:
    """Fill every default spaCy and the components' factories know, validating as spaCy does."""
    from spacy import util

    text = config_to_str(config)
    raw = util.load_config_from_str(text, interpolate=False)
    nlp = util.load_model_from_config(raw, auto_fill=True, validate=True)
    return nlp.config


_VAR = re.compile(r'^(\s*[^=\s]+\s*=\s*)"(\$\{[A-Za-z0-9_.]+\})"\s*$')


def config_to_str(config: Config, *, header: str = "") -> str:
    """Serialize, keeping ``${section.key}`` references as references (not quoted strings)."""
    lines = [(_VAR.sub(r"\1\2", line)) for line in config.to_str(interpolate=False).splitlines()]
    head = "".join(f"# {line}\n" for line in header.splitlines()) if header else ""
    return head + "\n".join(lines) + "\n"


def write_config(spec_path: Union[str, Path], output: Union[str, Path]) -> Path:
    spec = load_spec(spec_path)
    config = compose(spec, source=str(spec_path))
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(config_to_str(config, header=(
        f"Composed by `plait compose {spec_path}` for pipeline '{spec.name}'.\n"
        "Edit the spec and compose again rather than editing this file.")), encoding="utf8")
    return output
