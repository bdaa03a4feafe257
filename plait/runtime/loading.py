"""How a worker (a spawned process, a Ray actor) loads the pipeline: once, from a picklable spec."""
from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Tuple, Union

from plait.errors import Errors, PlaitFileNotFoundError
from plait.runtime.options import LoadOptions

GpuArg = Union[bool, int]


@dataclass(frozen=True)
class LoadSpec:
    model: str  # a path or an installed package name
    options: LoadOptions = field(default_factory=LoadOptions)  # gpu, quantize, runtime, code, ...
    modules: Tuple[Tuple[str, Optional[str]], ...] = ()  # (module, file) defining custom factories
    single_thread: bool = True  # torch.set_num_threads(1): n workers share the CPU cores


def load_pipeline(name_or_path: Any, options: LoadOptions) -> Any:
    """Load a pipeline as ``options`` say: the one place that applies them (``plait.load``, pool
    workers, Ray actors and ``plait run`` all come here)."""
    import spacy

    from plait.plugins.isolation import isolate_spacy_plugins

    isolate_spacy_plugins()
    options.check()
    import_code(options.code)
    if options.gpu is not False:
        spacy.require_gpu(0 if options.gpu is True else int(options.gpu))
    config = dict(options.config)
    if options.window is not None or options.stride is not None:
        from plait.runtime.windows import window_overrides

        config.update(window_overrides(name_or_path, options.window, options.stride))
    try:
        nlp = spacy.load(name_or_path, exclude=list(options.exclude),
                         disable=list(options.disable), config=config)
    except ValueError as exc:
        _explain_missing_factory(name_or_path, exc)
        raise
    if options.runtime == "onnx":
        from plait.runtime.onnxrt import use_onnxruntime

        nlp = use_onnxruntime(nlp, quantize=options.quantize)
    elif options.quantize:
        from plait.runtime.quantize import quantize_pipeline

        nlp = quantize_pipeline(nlp)
    return nlp


def _explain_missing_factory(name_or_path: Any, exc: ValueError) -> None:
    """spaCy's E002 (no such factory) for a factory whose plugin failed to import: raise the real
    cause, coded (E071, as ``plait compose`` gives it), instead of spaCy's advice to add a
    decorator."""
    import re

    from plait.errors import PluginError
    from plait.plugins.isolation import spacy_failures

    found = re.search(r"\[E002\] Can't find factory for '([^']+)'", str(exc))
    if not found:
        return
    for failure in spacy_failures():
        if failure.name == found.group(1):
            raise PluginError(Errors.E071.format(
                path=name_or_path, component=failure.name, plugin=failure.value,
                error=failure.error, dist=failure.dist)) from None


def import_code(paths: Any) -> None:
    from spacy.util import import_file

    for i, path in enumerate(paths or ()):
        path = Path(path)
        if not path.exists():
            raise PlaitFileNotFoundError(Errors.E091.format(path=path))
        import_file(f"plait_user_code_{i}_{path.stem}", path)


def factory_modules(nlp: Any) -> Tuple[Tuple[str, Optional[str]], ...]:
    """Modules defining the pipeline's non-spaCy factories, so a spawned worker can import them."""
    from spacy.util import registry

    found = []
    for name in nlp.pipe_names:
        factory = nlp.get_pipe_meta(name).factory
        try:
            func = registry.factories.get(nlp.get_factory_name(factory))
        except Exception:  # not in the registry under this language: fall back on the class
            func = type(nlp.get_pipe(name))
        module = getattr(func, "__module__", None) or ""
        if module and not module.startswith(("spacy.", "spacy_")):
            file = getattr(sys.modules.get(module), "__file__", None)
            if (module, file) not in found:
                found.append((module, file))
    return tuple(found)


def _import_module(name: str, file: Optional[str]) -> None:
    if name in sys.modules:
        return
    try:
        importlib.import_module(name)
    except ImportError:
        if file:
            from spacy.util import import_file

            import_file(name, file)


def load_in_worker(spec: LoadSpec) -> Any:
    """Set up a worker and load the pipeline (torch single-threaded, factories imported first)."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if spec.single_thread:  # before torch is imported (by the pipeline), so its pools start small
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = "1"
    for name, file in spec.modules:
        _import_module(name, file)
    if spec.single_thread:  # before loading too: an ONNX Runtime session takes torch's thread count
        _one_torch_thread()
    nlp = load_pipeline(spec.model, spec.options)
    if spec.single_thread:  # torch imported by the pipeline itself
        _one_torch_thread()
    return nlp


def _one_torch_thread() -> None:
    if "torch" in sys.modules:  # never import torch just for this
        import torch

        torch.set_num_threads(1)
